"""Working days and statutory deadlines (工作日与法定期限).

Pure. Chinese public holidays and the 调休 make-up working days come from the ``chinese_calendar``
package, which covers the years whose State Council schedule has been published. For the next
``PROVISIONAL_YEARS`` years the statutory holidays (全国年节及纪念日放假办法, computed with lunar dates by the
``holidays`` package) and weekends are used and the result is marked *provisional*: the 调休 swaps are not
known before the State Council publishes them each winter, so such deadlines must be re-checked then.
Further out a date raises :class:`WorkdayCalendarError` (upgrade the packages each December).

Counting rules:
- the start day is not counted (民法典第二百零一条; 行政处罚法 follows the same practice);
- 行政处罚法（2021）第八十五条: its "二日""三日""五日""七日" are **working days** (工作日，不含法定节假日);
  every other period in days is in calendar days;
- a calendar-day or month period granted to a **party** (payment, appeal, lawsuit) whose last day is a
  rest day or holiday ends on the next working day (民法典第二百零三条); a period binding the
  **authority** is not moved, so the system never shows a later date than the strictest reading;
- months end on the corresponding day of the final month, or its last day (民法典第二百零二条).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import chinese_calendar
import holidays

from minesweep.policy.errors import PolicyInputError, WorkdayCalendarError

_KNOWN_DAYS = set(chinese_calendar.holidays) | set(chinese_calendar.workdays)
FIRST_SUPPORTED_YEAR = min(d.year for d in _KNOWN_DAYS)
LAST_OFFICIAL_YEAR = max(d.year for d in _KNOWN_DAYS)
PROVISIONAL_YEARS = 2
LAST_SUPPORTED_YEAR = LAST_OFFICIAL_YEAR + PROVISIONAL_YEARS
_STATUTORY = holidays.country_holidays(
    "CN", years=range(LAST_OFFICIAL_YEAR + 1, LAST_SUPPORTED_YEAR + 1), language="en_US"
)


def is_provisional(day: dt.date) -> bool:
    """True when ``day`` lies beyond the published holiday schedule (its 调休 swaps are not yet known)."""
    return day.year > LAST_OFFICIAL_YEAR


def is_working_day(day: dt.date) -> bool:
    """True on a statutory working day: Monday–Friday that is not a holiday, or a 调休 make-up day."""
    _require_supported(day)
    if is_provisional(day):
        return day.weekday() < 5 and day not in _STATUTORY
    return bool(chinese_calendar.is_workday(day))


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``start`` (``start`` itself not counted; 0 → ``start``)."""
    return _step_working_days(start, _non_negative(count), +1)


def subtract_working_days(end: dt.date, count: int) -> dt.date:
    """The ``count``-th working day before ``end`` (``end`` itself not counted; 0 → ``end``)."""
    return _step_working_days(end, _non_negative(count), -1)


def add_calendar_days(start: dt.date, count: int, *, roll_to_working_day: bool = False) -> dt.date:
    """``start`` + ``count`` days; with ``roll_to_working_day`` a rest-day end moves to the next working day."""
    due = start + dt.timedelta(days=_non_negative(count))
    return next_working_day(due) if roll_to_working_day else due


def add_months(start: dt.date, count: int, *, roll_to_working_day: bool = False) -> dt.date:
    """The corresponding day ``count`` months later, or that month's last day (民法典第二百零二条)."""
    months = start.month - 1 + _non_negative(count)
    year, month = start.year + months // 12, months % 12 + 1
    due = dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    return next_working_day(due) if roll_to_working_day else due


def add_period(start: dt.date | dt.datetime, amount: int, unit: str) -> dt.date | dt.datetime:
    """Due date of a department task from a pack ``Deadline`` (unit: working_days, calendar_days, hours).

    Calendar-day tasks are the authority's own duties, so their end is not moved off rest days.
    """
    if unit == "hours":
        if not isinstance(start, dt.datetime):
            raise PolicyInputError("按小时计算的期限需要具体时间", "an hour period needs a date and time")
        return start + dt.timedelta(hours=_non_negative(amount))
    day = start.date() if isinstance(start, dt.datetime) else start
    if unit == "working_days":
        return add_working_days(day, amount)
    if unit == "calendar_days":
        return add_calendar_days(day, amount)
    raise PolicyInputError(f"未知的期限单位 “{unit}”", f"unknown deadline unit '{unit}'")


def _step_working_days(day: dt.date, count: int, direction: int) -> dt.date:
    remaining = count
    while remaining:
        day += dt.timedelta(days=direction)
        if is_working_day(day):
            remaining -= 1
    return day


def _non_negative(count: int) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise PolicyInputError(
            f"天数 “{count}” 必须是非负整数", f"count '{count}' must be a non-negative integer"
        )
    return count


def _require_supported(day: dt.date) -> None:
    if not FIRST_SUPPORTED_YEAR <= day.year <= LAST_SUPPORTED_YEAR:
        raise WorkdayCalendarError(
            f"节假日数据仅覆盖 {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR} 年，无法计算 {day.isoformat()}；请升级 chinese-calendar 和 holidays",
            f"the holiday calendar covers {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR} only, not {day.isoformat()}; "
            "upgrade chinese-calendar and holidays",
            date=day.isoformat(),
            first_year=FIRST_SUPPORTED_YEAR,
            last_year=LAST_SUPPORTED_YEAR,
        )


# -- statutory deadlines (DOMAIN.md §4) --------------------------------------------------------------
@dataclass(frozen=True)
class DeadlineRule:
    """A procedural period. ``unit``: working_days, calendar_days, months or hours; ``direction``:
    "after" the start event, or "before" it (the latest date to act ahead of an event)."""

    code: str
    zh: str
    en: str
    amount: int
    unit: str
    start_event_zh: str
    basis: str
    direction: str = "after"
    roll_to_working_day: bool = False
    extension_amount: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "zh": self.zh,
            "en": self.en,
            "amount": self.amount,
            "unit": self.unit,
            "direction": self.direction,
            "start_event": self.start_event_zh,
            "basis": self.basis,
            "roll_to_working_day": self.roll_to_working_day,
        }


_RULES = (
    DeadlineRule(
        "lead_check",
        "线索核查（决定是否立案）",
        "Check a lead and decide whether to file",
        15,
        "working_days",
        "发现线索或收到材料之日",
        "市场监督管理行政处罚程序规定第十八条：十五个工作日内核查，经批准可延长十五个工作日",
        extension_amount=15,
    ),
    DeadlineRule(
        "hearing_request",
        "当事人申请听证",
        "Party requests a hearing",
        5,
        "working_days",
        "行政机关告知之日",
        "行政处罚法第六十四条第一项；第八十五条（五日指工作日）",
    ),
    DeadlineRule(
        "hearing_notice",
        "听证通知最迟送达",
        "Latest day to notify the hearing",
        7,
        "working_days",
        "举行听证之日",
        "行政处罚法第六十四条第二项（七日前通知）；第八十五条（七日指工作日）",
        direction="before",
    ),
    DeadlineRule(
        "decision",
        "作出行政处罚决定",
        "Decide the penalty",
        90,
        "calendar_days",
        "立案之日",
        "行政处罚法第六十条：自立案之日起九十日内作出决定（延长须经批准）",
    ),
    DeadlineRule(
        "service",
        "送达行政处罚决定书",
        "Serve the decision",
        7,
        "working_days",
        "宣告行政处罚决定之日（当事人不在场）",
        "行政处罚法第六十一条；第八十五条（七日指工作日）",
    ),
    DeadlineRule(
        "payment",
        "缴纳罚款",
        "Pay the fine",
        15,
        "calendar_days",
        "收到行政处罚决定书之日",
        "行政处罚法第六十七条第三款；逾期每日加处罚款数额 3%（第七十二条）",
        roll_to_working_day=True,
    ),
    DeadlineRule(
        "police_referral_decision",
        "作出是否移送公安机关的决定",
        "Decide on a police referral",
        3,
        "calendar_days",
        "负责人收到移送报告之日",
        "国务院令第310号第五条：3日内作出批准或不批准移送的决定",
    ),
    DeadlineRule(
        "police_transfer",
        "向公安机关移送",
        "Transfer the case to the police",
        24,
        "hours",
        "批准移送的决定作出时",
        "国务院令第310号第五条：24小时内移送",
    ),
    DeadlineRule(
        "police_answer",
        "公安机关审查答复",
        "Police review of the referral",
        3,
        "calendar_days",
        "公安机关接受移送之日",
        "国务院令第310号第八条：自接受之日起3日内审查",
    ),
    DeadlineRule(
        "police_exhibits_handover",
        "向公安机关移交涉案物品",
        "Hand the exhibits over to the police",
        3,
        "calendar_days",
        "接到公安机关立案通知书之日",
        "国务院令第310号第十二条：自接到立案通知书之日起3日内移交涉案物品及有关材料",
    ),
    DeadlineRule(
        "appeal",
        "申请行政复议",
        "Apply for administrative review",
        60,
        "calendar_days",
        "知道或者应当知道该行政行为之日",
        "行政复议法（2023）第二十条：六十日内",
        roll_to_working_day=True,
    ),
    DeadlineRule(
        "lawsuit",
        "提起行政诉讼",
        "File an administrative lawsuit",
        6,
        "months",
        "知道或者应当知道作出行政行为之日",
        "行政诉讼法第四十六条：六个月内",
        roll_to_working_day=True,
    ),
)
DEADLINE_RULES: Mapping[str, DeadlineRule] = MappingProxyType({r.code: r for r in _RULES})


@dataclass(frozen=True)
class ComputedDeadline:
    rule: DeadlineRule
    start: dt.date | dt.datetime
    due: dt.date | dt.datetime
    extended: bool = False

    @property
    def provisional(self) -> bool:
        """The period reaches beyond the published holiday schedule: re-check once it is published."""
        due = self.due.date() if isinstance(self.due, dt.datetime) else self.due
        return self.rule.unit != "hours" and is_provisional(due)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.rule.as_dict(),
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "extended": self.extended,
            "provisional": self.provisional,
        }


def compute_deadline(code: str, start: dt.date | dt.datetime, *, extended: bool = False) -> ComputedDeadline:
    """The due date (or, for ``direction == "before"``, the latest date) of the period ``code`` of
    DEADLINE_RULES counted from ``start``. Hour periods need a datetime and return one."""
    rule = DEADLINE_RULES.get(code)
    if rule is None:
        raise PolicyInputError(
            f"未知的期限 “{code}”，可用：{sorted(DEADLINE_RULES)}",
            f"unknown deadline '{code}'; known: {sorted(DEADLINE_RULES)}",
        )
    amount = rule.amount + (rule.extension_amount if extended else 0)
    return ComputedDeadline(rule, start, _due(rule, start, amount), extended and bool(rule.extension_amount))


def _due(rule: DeadlineRule, start: dt.date | dt.datetime, amount: int) -> dt.date | dt.datetime:
    if rule.unit == "hours":
        if not isinstance(start, dt.datetime):
            raise PolicyInputError("按小时计算的期限需要具体时间", "an hour period needs a date and time")
        return start + dt.timedelta(hours=amount)
    day = start.date() if isinstance(start, dt.datetime) else start
    if rule.unit == "working_days":
        return (
            subtract_working_days(day, amount)
            if rule.direction == "before"
            else add_working_days(day, amount)
        )
    if rule.unit == "months":
        return add_months(day, amount, roll_to_working_day=rule.roll_to_working_day)
    return add_calendar_days(day, amount, roll_to_working_day=rule.roll_to_working_day)


def lead_check_deadline(
    lead_received_on: dt.date,
    *,
    extended: bool = False,
    days: int | None = None,
    extension_days: int | None = None,
) -> dt.date:
    """15 working days (+15 with approval) to check a lead and decide on filing; ``days`` and
    ``extension_days`` replace those figures where the region's rule (its pack) sets others."""
    if days is None and extension_days is None:
        return _date(compute_deadline("lead_check", lead_received_on, extended=extended))
    rule = DEADLINE_RULES["lead_check"]
    amount = rule.amount if days is None else days
    if extended:
        amount += rule.extension_amount if extension_days is None else extension_days
    return add_working_days(lead_received_on, amount)


def hearing_request_deadline(notice_served_on: dt.date) -> dt.date:
    """Last day for the party to request a hearing: 5 working days after the notice (告知书)."""
    return _date(compute_deadline("hearing_request", notice_served_on))


def hearing_notice_latest(hearing_on: dt.date) -> dt.date:
    """Latest day to notify the party of the hearing: 7 working days before it."""
    return _date(compute_deadline("hearing_notice", hearing_on))


def decision_deadline(filed_on: dt.date) -> dt.date:
    """Last day to decide: 90 calendar days after filing (立案), not moved off rest days."""
    return _date(compute_deadline("decision", filed_on))


def service_deadline(announced_on: dt.date) -> dt.date:
    """Last day to serve a decision on an absent party: 7 working days."""
    return _date(compute_deadline("service", announced_on))


def payment_deadline(decision_received_on: dt.date) -> dt.date:
    """Last day to pay the fine: 15 calendar days, moved to the next working day if it ends on a rest day."""
    return _date(compute_deadline("payment", decision_received_on))


def police_referral_decision_deadline(report_received_on: dt.date) -> dt.date:
    """Last day for the head of the authority to decide on a referral: 3 calendar days."""
    return _date(compute_deadline("police_referral_decision", report_received_on))


def police_transfer_deadline(approved_at: dt.datetime) -> dt.datetime:
    """Latest moment to transfer an approved referral to the police: 24 hours."""
    due = compute_deadline("police_transfer", approved_at).due
    assert isinstance(due, dt.datetime)
    return due


def police_answer_deadline(referral_received_on: dt.date) -> dt.date:
    """Day by which the police must have reviewed the referral: 3 calendar days."""
    return _date(compute_deadline("police_answer", referral_received_on))


def police_exhibits_handover_deadline(case_opened_notice_on: dt.date) -> dt.date:
    """Day by which the exhibits go to the police once they opened a case: 3 calendar days."""
    return _date(compute_deadline("police_exhibits_handover", case_opened_notice_on))


def appeal_deadline(known_on: dt.date) -> dt.date:
    """Last day to apply for administrative review: 60 calendar days (moved off rest days)."""
    return _date(compute_deadline("appeal", known_on))


def lawsuit_deadline(known_on: dt.date) -> dt.date:
    """Last day to sue: 6 months (moved off rest days)."""
    return _date(compute_deadline("lawsuit", known_on))


def _date(deadline: ComputedDeadline) -> dt.date:
    due = deadline.due
    return due.date() if isinstance(due, dt.datetime) else due
