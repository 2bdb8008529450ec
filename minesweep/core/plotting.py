"""Evidence pictures are drawn in the active language: Chinese text needs a CJK font in matplotlib.

The Debian fonts named in the README (``fonts-wqy-microhei``; Noto CJK where present) are tried in order;
DejaVu Sans (matplotlib's own) stays last so Latin text and digits always render.
"""

from __future__ import annotations

CJK_FONTS = [
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "DejaVu Sans",
]


def use_cjk_font() -> None:
    import matplotlib

    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = CJK_FONTS
    matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK fonts lack U+2212
