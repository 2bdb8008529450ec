"""``{{ code|code_label:"facts" }}`` shows a policy code in the active language (Chinese first); departments
by the names the deployment's pack gives them (packs.department_names)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from minesweep.cases.checklist import CHECKLIST_ANSWERS, CHECKLIST_ITEMS
from minesweep.core.i18n import is_english, pick
from minesweep.policy.calc import formula_en, step_label_en, unit_en
from minesweep.policy.codes import (
    ACTIONS,
    FACTS,
    PENALTY_TYPES,
    ROLES,
    SUBJECT_CATEGORIES,
    TRACKS,
    Code,
)
from minesweep.policy.errors import PolicyError
from minesweep.policy.packs import department_names, load_pack

register = template.Library()
TABLES: dict[str, Mapping[str, Code]] = {
    "facts": FACTS,
    "categories": SUBJECT_CATEGORIES,
    "roles": ROLES,
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
    names = department_names() if table == "departments" else TABLES.get(table, {})
    entry = names.get(str(code))
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


_RULE_REF = re.compile(r"\b([a-z][a-z0-9_]*)#(\d+)(?:@\d+)?")
_BOTH = re.compile(r"^(.*?[^\x00-\x7f].*?) / ([\x00-\x7f]+)$")


@register.filter
def log_note(note: Any) -> str:
    """A case-log note for people: ``inner_mongolia_2021#5@11`` becomes the pack's title and the measure
    number; a note written in both languages shows the active one."""
    text = str(note or "")
    both = _BOTH.match(text)
    if both:
        text = pick(both.group(1), both.group(2))

    def rule(match: re.Match[str]) -> str:
        try:
            pack = load_pack(match.group(1))
        except PolicyError:
            return match.group(0)
        title = pick(pack.title_zh, pack.title_en)
        return pick(f"{title}第{match.group(2)}项", f"{title}, item {match.group(2)}")

    return _RULE_REF.sub(rule, text)


@register.filter
def log_action(action: Any) -> str:
    """``cases.case.file`` → 案件 · 立案 (the audit trail's names)."""
    from minesweep.audit.labels import action_label

    return action_label(str(action))


@register.filter
def pack_title(pack_ids: Any) -> str:
    """Policy packs (one id, or several separated by spaces) by their titles in the active language."""
    titles = []
    for pack_id in str(pack_ids or "").split():
        try:
            pack = load_pack(pack_id)
        except PolicyError:
            titles.append(pack_id)
            continue
        titles.append(pick(pack.title_zh, pack.title_en))
    return pick("；", "; ").join(titles)


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CHINESE_RUN = re.compile(rf"[{_CJK}](?:[{_CJK}0-9\u201c\u201d]*[{_CJK}])?")


@register.filter
def cited(text: Any) -> SafeString:
    """English text that quotes Chinese titles (a law, a policy clause such as 八项措施第五条): each Chinese
    run is marked ``lang="zh-Hans"``, so readers and screen readers know it is a citation in Chinese."""
    escaped = str(escape(str(text or "")))
    if not is_english():
        return mark_safe(escaped)  # noqa: S308 - escaped above
    return mark_safe(_CHINESE_RUN.sub(lambda m: f'<span lang="zh-Hans">{m.group(0)}</span>', escaped))  # noqa: S308


@register.filter
def step_label(step: Any) -> str:
    """A calculation worksheet's row label in the active language. Chinese: the stored ``label``, as it is.
    English: found in ``calc.STEP_LABELS`` by the step's ``name`` (so worksheets stored before ``label_en``
    existed show in English too), else the stored ``label_en``, else the Chinese."""
    if not isinstance(step, Mapping):
        return str(step or "")
    zh = str(step.get("label") or "")
    if not is_english():
        return zh
    return step_label_en(str(step.get("name") or ""), zh) or str(step.get("label_en") or "") or zh


@register.filter
def step_formula(formula: Any) -> str:
    """A worksheet formula (stored with Chinese words: "日", "元/kWh") in the active language."""
    text = str(formula or "")
    return (formula_en(text) if is_english() else None) or text


@register.filter
def step_unit(unit: Any) -> str:
    """A worksheet step's unit in the active language (only "1=达到 0=未达到" differs)."""
    text = str(unit or "")
    return (unit_en(text) if is_english() else None) or text
