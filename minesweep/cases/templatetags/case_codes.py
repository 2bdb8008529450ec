"""``{{ code|code_label:"facts" }}`` shows a policy code in the active language (Chinese first)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from minesweep.cases.checklist import CHECKLIST_ANSWERS, CHECKLIST_ITEMS
from minesweep.core.i18n import pick
from minesweep.policy.codes import (
    ACTIONS,
    DEPARTMENTS,
    FACTS,
    PENALTY_TYPES,
    ROLES,
    SUBJECT_CATEGORIES,
    TRACKS,
    Code,
)

register = template.Library()
TABLES: dict[str, Mapping[str, Code]] = {
    "facts": FACTS,
    "categories": SUBJECT_CATEGORIES,
    "roles": ROLES,
    "departments": DEPARTMENTS,
    "actions": ACTIONS,
    "tracks": TRACKS,
    "penalty_types": PENALTY_TYPES,
}
CHECKLIST = {code: (zh, en) for code, zh, en in CHECKLIST_ITEMS}


@register.filter
def code_label(code: Any, table: str) -> str:
    if table == "checklist":
        zh, en = CHECKLIST.get(str(code), (str(code), str(code)))
        return pick(zh, en)
    if table == "answers":
        zh, en = CHECKLIST_ANSWERS.get(str(code), (str(code), str(code)))
        return pick(zh, en)
    entry = TABLES.get(table, {}).get(str(code))
    return pick(entry.zh, entry.en) if entry else str(code)


@register.filter
def unit_label(unit: Any) -> str:
    return {
        "working_days": pick("个工作日", " working days"),
        "calendar_days": pick("日", " days"),
        "hours": pick("小时", " hours"),
    }.get(str(unit), str(unit))


@register.filter
def person(user: Any) -> str:
    """A staff member's display name, else the username; the system for an empty actor."""
    if user is None:
        return pick("系统", "system")
    profile = getattr(user, "staff", None)
    return str(
        getattr(profile, "display_name", "") or getattr(user, "username", "") or pick("系统", "system")
    )
