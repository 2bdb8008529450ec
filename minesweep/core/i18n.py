"""Chinese first, English second: every user-visible string is written once in both languages.

``bi("受理队列", "Intake queue")`` is a lazy string that renders in the active language (zh-hans by default).
Keeping both texts side by side means no string can exist in one language only.
"""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import get_language, override


def is_english() -> bool:
    return (get_language() or "zh-hans").lower().startswith("en")


def pick(zh: str, en: str) -> str:
    return en if is_english() else zh


bi = lazy(pick, str)


def split_pair(label: str) -> tuple[str, str]:
    """A text stored as "中文 / English" → (Chinese, English); a text without the separator is both."""
    zh, sep, en = label.partition(" / ")
    return (zh, en) if sep else (label, label)


def in_both(label: object) -> tuple[str, str]:
    """A lazy ``bi`` label (a choice's label, say) as (Chinese, English), whatever language is active: for
    texts stored or raised in both languages at once."""
    with override("zh-hans"):
        zh = str(label)
    with override("en"):
        en = str(label)
    return zh, en
