"""Investigation (调查取证): parties, inspections with checklists, evidence with hashes, seized rigs and
the calculations stored with the case. All allowed only while the case is being investigated."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction

from minesweep.cases.checklist import CHECKLIST_ANSWERS, CHECKLIST_ITEMS, RIG_NAMEPLATE_W
from minesweep.cases.models import (
    Case,
    CaseCalculation,
    CaseParty,
    Determination,
    EvidenceItem,
    Inspection,
    Referral,
    SeizedRigs,
)
from minesweep.cases.services._common import (
    Actor,
    check_file,
    day_not_after_today,
    policy_errors,
    record,
    require_case_officer,
    require_stage,
    required_text,
    user_or_none,
)
from minesweep.cases.services.tracks import act_day, referrals_from_facts
from minesweep.core.errors import DomainError
from minesweep.policy import calc as policy_calc
from minesweep.policy.codes import FACTS, HOLDINGS, ROLES, SUBJECT_CATEGORIES
from minesweep.policy.packs import load_pack
from minesweep.registry.models import Subject
from minesweep.registry.resident_id import resident_id_problem
from minesweep.registry.uscc import validate_uscc

EDITABLE = (Case.Stage.INVESTIGATING,)


def _editable(case: Case, doing_zh: str, doing_en: str) -> None:
    require_stage(case, *EDITABLE, doing_zh=doing_zh, doing_en=doing_en)


def _parties_changed(case: Case, actor: Actor = None) -> None:
    """Parties changed: the engine must run again before the determination can be submitted; referrals
    the recorded facts call for are proposed now (tracks.referrals_from_facts)."""
    Determination.objects.filter(case=case).update(evaluated_at=None)
    with policy_errors():
        referrals_from_facts(actor=actor, case=case)


def _checked_facts(facts: list[str] | tuple[str, ...] | None) -> list[str]:
    facts = sorted(set(facts or ()))
    unknown = [f for f in facts if f not in FACTS]
    if unknown:
        raise DomainError(
            "cases.unknown_fact", f"未知的事实代码 {unknown}", f"unknown fact codes {unknown}", facts=unknown
        )
    return facts


@transaction.atomic
def party_add(
    *,
    actor: Actor,
    case: Case,
    name: str,
    category: str,
    role: str = "operator",
    facts: list[str] | None = None,
    subject: Subject | None = None,
    identifier: str = "",
    legal_representative: str = "",
    address: str = "",
    holdings: list[str] | None = None,
) -> CaseParty:
    """Add a party (当事人) with its category (policy code), role and its own established facts.

    ``holdings`` (codes.HOLDINGS: power_account, project, market_participation, own_preference,
    tax_preference, land_preference, fiscal_support, financial_support) says what the party holds; None
    leaves it to the
    engine's presumption (organisations hold both, individuals neither)."""
    require_case_officer(actor, case)
    _editable(case, "增加当事人", "add a party")
    if subject is not None:
        name = name or subject.name
        identifier = identifier or (subject.uscc or "")
        legal_representative = legal_representative or subject.legal_representative
        address = address or subject.address
    name = required_text(name, "当事人名称", "The party's name")
    if category not in SUBJECT_CATEGORIES:
        raise DomainError(
            "cases.unknown_category",
            f"请选择当事人类别（“{category}”无效）",
            f"choose a category ('{category}' is not one)",
        )
    if role not in ROLES:
        raise DomainError("cases.unknown_role", f"未知的当事人角色“{role}”", f"unknown party role '{role}'")
    identifier = _checked_identifier(identifier, category)
    party = CaseParty.objects.create(
        case=case,
        subject=subject,
        name=name[:200],
        identifier=identifier,
        legal_representative=legal_representative.strip()[:100],
        address=address.strip()[:300],
        category=category,
        role=role,
        facts=_checked_facts(facts),
        holdings=None if holdings is None else sorted(set(holdings) & set(HOLDINGS)),
    )
    record(
        actor=actor,
        action="cases.party.add",
        target=party,
        case=case,
        after={"name": party.name, "category": category, "role": role, "facts": party.facts},
        note=f"{party.name}（{SUBJECT_CATEGORIES[category].zh}）",
    )
    _parties_changed(case, actor)
    return party


def _checked_identifier(identifier: str, category: str) -> str:
    """A person's resident ID or an organisation's USCC, checked by its own rule; empty stays empty."""
    identifier = (identifier or "").strip().upper()
    if not identifier:
        return ""
    if category in ("individual", "public_official"):
        problem = resident_id_problem(identifier)
        if problem:
            raise DomainError(
                "cases.bad_resident_id", f"身份证号码无效：{problem}", f"invalid resident ID: {problem}"
            )
        return identifier
    checked = validate_uscc(identifier)
    if not checked.valid:
        raise DomainError(
            "cases.bad_uscc",
            f"统一社会信用代码无效：{checked.reason_zh}",
            f"invalid USCC: {checked.reason_en}",
        )
    return identifier


# Stages in which a party's particulars may be completed: every act served on it until the case is closed
# needs them (documents.context: the address and a business's USCC, 行政处罚法第五十九条、第六十一条).
PARTICULARS_STAGES = (
    Case.Stage.INVESTIGATING,
    Case.Stage.LEGAL_REVIEW,
    Case.Stage.NOTICE,
    Case.Stage.DECIDED,
)


@transaction.atomic
def party_particulars_set(
    *,
    actor: Actor,
    party: CaseParty,
    identifier: str,
    legal_representative: str,
    address: str,
    reason: str,
) -> CaseParty:
    """Complete or correct a party's identifier (USCC or resident ID), legal representative and address:
    what a served act must state (行政处罚法第五十九条第一款第（一）项) and where it is served (第六十一条). The
    issuing of an act without them is refused (``documents.party_address_missing``), at any stage up to the
    decisions, so they can be completed at any stage before the case is closed — not only while
    investigating, as the party's facts (which change what the engine decides). Acts already issued keep the
    particulars they were issued with; the correction and its reason are in the audit trail (the identifier
    there only as changed or not: it is a personal identifier)."""
    case = party.case
    require_case_officer(actor, case)
    require_stage(
        case, *PARTICULARS_STAGES, doing_zh="更正当事人身份信息", doing_en="correct a party's particulars"
    )
    reason = required_text(reason, "更正理由", "The reason", min_length=4)
    identifier = _checked_identifier(identifier, party.category)
    before = {"legal_representative": party.legal_representative, "address": party.address}
    changed_identifier = identifier != party.identifier
    party.identifier = identifier
    party.legal_representative = legal_representative.strip()[:100]
    party.address = address.strip()[:300]
    party.save(update_fields=["identifier", "legal_representative", "address"])
    record(
        actor=actor,
        action="cases.party.particulars",
        target=party,
        case=case,
        before=before,
        after={"legal_representative": party.legal_representative, "address": party.address},
        detail={"reason": reason, "identifier_changed": changed_identifier},
        note=f"{party.name}：{reason}",
    )
    return party


@transaction.atomic
def party_facts_set(*, actor: Actor, party: CaseParty, facts: list[str]) -> CaseParty:
    """Replace the facts established for one party."""
    case = party.case
    require_case_officer(actor, case)
    _editable(case, "修改当事人事实", "change a party's facts")
    before = list(party.facts)
    party.facts = _checked_facts(facts)
    party.save(update_fields=["facts"])
    record(actor=actor, action="cases.party.facts", target=party, case=case, before=before, after=party.facts)
    _parties_changed(case, actor)
    return party


@transaction.atomic
def party_remove(*, actor: Actor, party: CaseParty, reason: str) -> None:
    """Remove a party added by mistake (only before any notice or decision names it)."""
    case = party.case
    require_case_officer(actor, case)
    _editable(case, "删除当事人", "remove a party")
    reason = required_text(reason, "删除理由", "The reason", min_length=4)
    if (
        party.notices.exists()
        or party.decisions.exists()
        or party.referrals.exclude(status="proposed").exists()
    ):
        raise DomainError(
            "cases.party_in_use",
            "该当事人已有告知书、决定书或已决定的移送，不能删除",
            "the party already has a notice, a decision or a decided referral",
        )
    for track in party.tracks.filter(referral__isnull=False):
        referral = track.referral
        track.delete()
        if referral is not None:
            referral.delete()
    record(
        actor=actor,
        action="cases.party.remove",
        target=party,
        case=case,
        before={"name": party.name},
        detail={"reason": reason},
        note=f"{party.name}：{reason}",
    )
    party.delete()
    _parties_changed(case, actor)


def _checked_checklist(answers: dict[str, Any] | None) -> list[dict[str, str]]:
    answers = answers or {}
    known = {code for code, _, _ in CHECKLIST_ITEMS}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise DomainError(
            "cases.unknown_checklist_item", f"未知的检查项 {unknown}", f"unknown checklist items {unknown}"
        )
    rows = []
    for code, zh, en in CHECKLIST_ITEMS:
        value = answers.get(code, {"result": "na"})
        if isinstance(value, str):
            value = {"result": value}
        result = str(value.get("result") or "na")
        if result not in CHECKLIST_ANSWERS:
            raise DomainError(
                "cases.bad_checklist_answer",
                f"检查项“{zh}”的结果应为 是/否/不适用",
                f"checklist item '{en}' must be yes, no or na",
            )
        rows.append({"item": code, "result": result, "note": str(value.get("note") or "")[:300]})
    return rows


@transaction.atomic
def inspection_record(
    *,
    actor: Actor,
    case: Case,
    inspected_on: dt.date,
    place: str,
    officers: str,
    checklist: dict[str, Any] | None = None,
    findings: str = "",
) -> Inspection:
    """Record an on-site inspection (现场检查笔录) by at least two officers, with its checklist."""
    require_case_officer(actor, case)
    _editable(case, "记录现场检查", "record an inspection")
    day_not_after_today(inspected_on, "检查日期", "The inspection date")
    if inspected_on < case.filed_on:
        raise DomainError(
            "cases.before_filing", "检查日期不能早于立案日期", "the inspection cannot predate the filing"
        )
    place = required_text(place, "检查地点", "The place")
    names = [n for n in officers.replace("，", ",").replace("、", ",").split(",") if n.strip()]
    if len(names) < 2:
        raise DomainError(
            "cases.two_officers",
            "现场检查须有两名以上执法人员，请填写全部在场人员姓名（用逗号分隔）",
            "an inspection needs at least two officers: list everyone present, separated by commas",
        )
    inspection = Inspection.objects.create(
        case=case,
        inspected_on=inspected_on,
        place=place[:300],
        officers="、".join(n.strip() for n in names)[:200],
        checklist=_checked_checklist(checklist),
        findings=(findings or "").strip(),
        recorded_by=user_or_none(actor) or case.lead_officer,
    )
    record(
        actor=actor,
        action="cases.inspection.record",
        target=inspection,
        case=case,
        after={"on": inspected_on.isoformat(), "place": place, "checklist": inspection.checklist},
        note=f"{inspected_on.isoformat()} {place}",
    )
    return inspection


@transaction.atomic
def evidence_add(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    description: str,
    collected_on: dt.date,
    file: tuple[str, str, bytes] | None = None,
    inspection: Inspection | None = None,
) -> EvidenceItem:
    """Add an exhibit; a file is stored with its size and SHA-256 (shown on the exhibit list)."""
    require_case_officer(actor, case)
    _editable(case, "添加证据", "add evidence")
    if kind not in EvidenceItem.Kind.values:
        raise DomainError("cases.bad_evidence_kind", "请选择证据种类", "choose the kind of evidence")
    description = required_text(description, "证据说明", "A description")
    day_not_after_today(collected_on, "取证日期", "The collection date")
    if inspection is not None and inspection.case_id != case.pk:
        raise DomainError(
            "cases.wrong_inspection", "该检查不属于本案", "that inspection belongs to another case"
        )
    name, content_type, content = file if file else ("", "", b"")
    if file:
        check_file(content, name)
    item = EvidenceItem.objects.create(
        case=case,
        inspection=inspection,
        kind=kind,
        description=description[:300],
        collected_on=collected_on,
        file_name=name[:200],
        content_type=content_type[:80],
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest() if content else "",
        recorded_by=user_or_none(actor) or case.lead_officer,
    )
    record(
        actor=actor,
        action="cases.evidence.add",
        target=item,
        case=case,
        after={"kind": kind, "description": item.description, "sha256": item.sha256, "size": item.size},
        note=f"{item.description} {item.sha256[:12]}",
    )
    return item


@transaction.atomic
def rigs_seize(
    *,
    actor: Actor,
    case: Case,
    model: str,
    count: int,
    seized_on: dt.date,
    unit_power_w: int | None = None,
    custody: str = "",
    party: CaseParty | None = None,
    inspection: Inspection | None = None,
) -> SeizedRigs:
    """Record rigs seized or sealed, by model and count. Known models default to nameplate power."""
    require_case_officer(actor, case)
    _editable(case, "登记查扣矿机", "record seized rigs")
    model = required_text(model, "矿机型号", "The rig model")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1 or count > 1_000_000:
        raise DomainError("cases.bad_count", "台数应为 1 以上的整数", "count must be a whole number ≥ 1")
    power = unit_power_w or RIG_NAMEPLATE_W.get(model)
    if not power or power < 1 or power > 100_000:
        raise DomainError(
            "cases.rig_power_required",
            f"未知型号“{model}”，请填写单台额定功率（瓦）",
            f"unknown model '{model}': give the nameplate watts per rig",
        )
    day_not_after_today(seized_on, "查扣日期", "The seizure date")
    for linked in (party, inspection):
        if linked is not None and linked.case_id != case.pk:
            raise DomainError(
                "cases.wrong_case", "关联记录不属于本案", "the linked record belongs to another case"
            )
    rigs = SeizedRigs.objects.create(
        case=case,
        inspection=inspection,
        party=party,
        model=model[:80],
        count=count,
        unit_power_w=power,
        seized_on=seized_on,
        custody=custody.strip()[:200],
        recorded_by=user_or_none(actor) or case.lead_officer,
    )
    record(
        actor=actor,
        action="cases.rigs.seize",
        target=rigs,
        case=case,
        after={"model": rigs.model, "count": count, "unit_power_w": power},
        note=f"{rigs.model} × {count}（{rigs.total_kw} kW）",
    )
    return rigs


CALCULATIONS: dict[str, Callable[..., policy_calc.Calculation]] = {
    CaseCalculation.Kind.ENERGY: policy_calc.energy_budget_cut,
    CaseCalculation.Kind.THEFT: policy_calc.electricity_theft,
    CaseCalculation.Kind.TARIFF_CHANGE: policy_calc.tariff_category_change,
    CaseCalculation.Kind.SURCHARGE: policy_calc.differential_surcharge,
    CaseCalculation.Kind.CRIMINAL_THRESHOLD: policy_calc.criminal_threshold_check,
}
# Positional inputs of the policy functions (everything else is keyword-only).
_POSITIONAL: dict[str, tuple[str, ...]] = {
    CaseCalculation.Kind.ENERGY: ("kwh",),
    CaseCalculation.Kind.THEFT: ("capacity_kw",),
    CaseCalculation.Kind.TARIFF_CHANGE: (
        "monthly_kwh",
        "tariff_paid_yuan_per_kwh",
        "tariff_due_yuan_per_kwh",
    ),
}


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


@transaction.atomic
def calculation_run(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    inputs: dict[str, Any],
    party: CaseParty | None = None,
    pack: str | None = None,
) -> CaseCalculation:
    """Run one policy calculation with the case's pack and store it (inputs, every step, result).

    kinds: energy (kwh, coefficient, year, new_project), theft (capacity_kw, hours_per_day, days |
    unknown_duration, lighting, tariff_yuan_per_kwh), tariff_change, surcharge (kwh | cycle_kwh,
    cycle_days, mining_days), criminal_threshold. Allowed until the decision is made.
    """
    require_case_officer(actor, case)
    require_stage(
        case,
        Case.Stage.INVESTIGATING,
        Case.Stage.LEGAL_REVIEW,
        Case.Stage.NOTICE,
        doing_zh="计算",
        doing_en="calculate",
    )
    if kind not in CALCULATIONS:
        raise DomainError(
            "cases.unknown_calculation", f"未知的计算类型“{kind}”", f"unknown calculation '{kind}'"
        )
    if party is not None and party.case_id != case.pk:
        raise DomainError("cases.wrong_case", "当事人不属于本案", "the party belongs to another case")
    pack_id = pack or case.pack
    clean = {k: v for k, v in inputs.items() if v not in (None, "")}
    positional = _POSITIONAL.get(kind, ())
    missing = [name for name in positional if name not in clean]
    if missing:
        raise DomainError(
            "cases.calculation_input_missing",
            f"请填写 {missing}",
            f"missing inputs {missing}",
            missing=missing,
        )
    with policy_errors():
        settings = load_pack(pack_id).settings
        args = [clean.pop(name) for name in positional]
        if kind == CaseCalculation.Kind.ENERGY:
            # 等价值 of the act's year (行政处罚法第三十七条: the figures of the act's time); the basis itself
            # defaults to the pack's energy_basis inside policy_calc.energy_budget_cut.
            clean.setdefault("year", act_day(case).year)
        if kind == CaseCalculation.Kind.THEFT:
            clean["on"] = act_day(case)  # 供电营业规则 1996 or 2024: the version in force on the act's day
        try:
            result = CALCULATIONS[kind](*args, settings, **clean)
        except ArithmeticError as error:  # e.g. 1e999999 kWh overflows the decimal context
            raise DomainError(
                "cases.calculation_bad_input", "输入数值过大或无效", "an input number is too large or invalid"
            ) from error
        except TypeError as error:
            raise DomainError(
                "cases.calculation_bad_input", f"计算参数有误：{error}", f"bad calculation inputs: {error}"
            ) from error
    output = result.as_dict()
    res = result.result
    for name, digits in (("kwh", 15), ("tce", 12), ("payable_yuan", 14), ("surcharge_yuan", 14)):
        value = _decimal(res.get(name))
        if value is not None and abs(value) >= Decimal(10) ** digits:
            raise DomainError(
                "cases.calculation_too_large",
                f"计算结果 {name} 超出可记录范围，请核对输入",
                f"the result {name} is too large to record: check the inputs",
            )
    kwh = _decimal(res.get("kwh", inputs.get("kwh")))
    amount = _decimal(res.get("payable_yuan") or res.get("surcharge_yuan") or res.get("total_yuan"))
    saved = CaseCalculation.objects.create(
        case=case,
        party=party,
        kind=kind,
        pack=pack_id,
        inputs=output["inputs"],
        output=output,
        kwh=kwh,
        tce=_decimal(res.get("tce")),
        amount_yuan=amount,
        created_by=user_or_none(actor) or case.lead_officer,
    )
    record(
        actor=actor,
        action="cases.calculation.run",
        target=saved,
        case=case,
        after=output,
        note=f"{CaseCalculation.Kind(kind).label}",
    )
    _propose_referral_if_threshold_reached(actor, case, party, saved)
    return saved


def _propose_referral_if_threshold_reached(
    actor: Actor, case: Case, party: CaseParty | None, calc: CaseCalculation
) -> None:
    """A figure at a prosecution threshold proposes a police referral for each offence it points to
    (decided within 3 days by the head, 国务院令第310号第五条); a fine never replaces it. The figure joins a
    proposal of the same party and offence still awaiting the head's decision; a referral already decided,
    sent or answered keeps the grounds it was decided on, so a new figure — after the police declined, say —
    is a new proposal for the head to decide (行政处罚法第二十七条第一款: a suspected crime is referred)."""
    result = calc.output.get("result", {})
    actions = list(result.get("proposed_actions") or [])
    if result.get("police_referral_proposed"):
        actions.append("refer_police_theft")
    if not actions:
        return
    # The grounds are the officer's Chinese record: each bilingual note's Chinese half only.
    notes = (str(n).split(" / ", 1)[0] for n in calc.output.get("notes", []))
    grounds = f"{CaseCalculation.Kind(calc.kind).label}达到刑事追诉标准（计算记录 #{calc.pk}）：" + "；".join(
        notes
    )
    from minesweep.cases.services.referrals import referral_propose

    for action in dict.fromkeys(actions):
        pending = case.referrals.filter(
            kind=Referral.Kind.POLICE, party=party, action=action, status=Referral.Status.PROPOSED
        ).first()
        if pending is None:
            referral_propose(
                actor=actor, case=case, kind=Referral.Kind.POLICE, party=party, action=action, grounds=grounds
            )
        elif grounds not in pending.grounds:
            pending.grounds = f"{pending.grounds}\n{grounds}"
            pending.save(update_fields=["grounds"])
