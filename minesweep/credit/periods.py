"""Publication periods and the objection window (DOMAIN.md §5). Pure, no Django.

信用修复管理办法 (in force 2026-04-01): minor failings ≤ 3 months and normally not published; general
3 months – 1 year; serious 1 – 3 years. Repair may be applied for once the minimum has passed; at the
maximum the record drops off. The objection window after the prior notice is not fixed by the texts we
hold (unverified): ``OBJECTION_WORKING_DAYS`` is a default the region should confirm; a deployment may
override both tables with the Django settings ``CREDIT_PUBLICATION_MONTHS`` and
``CREDIT_OBJECTION_WORKING_DAYS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minesweep.policy.workdays import add_months


@dataclass(frozen=True)
class Period:
    min_months: int
    max_months: int
    published: bool
    source: str


PUBLICATION_MONTHS: dict[str, Period] = {
    "minor": Period(0, 3, False, "信用修复管理办法（2026）：轻微失信信息公示期最长3个月，一般不予公示"),
    "general": Period(3, 12, True, "信用修复管理办法（2026）：一般失信信息公示期3个月至1年"),
    "serious": Period(12, 36, True, "信用修复管理办法（2026）：严重失信信息公示期1年至3年"),
}
OBJECTION_WORKING_DAYS = (
    5  # unverified default (国办发〔2020〕49号 requires notice + objection, not a length)
)


@dataclass(frozen=True)
class Window:
    start: dt.date
    min_end: dt.date
    max_end: dt.date


def publication_window(severity: str, start: dt.date, table: dict[str, Period] | None = None) -> Window:
    """Earliest repair date and automatic drop-off date for a record published from ``start``."""
    period = (table or PUBLICATION_MONTHS)[severity]
    return Window(start, add_months(start, period.min_months), add_months(start, period.max_months))
