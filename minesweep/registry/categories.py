"""Subject categories (主体类别): the stable codes of the policy layer, as (Chinese, English) names."""

from __future__ import annotations

from minesweep.policy.codes import SUBJECT_CATEGORIES

CATEGORIES: dict[str, tuple[str, str]] = {
    code: (item.zh, item.en) for code, item in SUBJECT_CATEGORIES.items()
}
