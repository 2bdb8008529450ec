"""Determination (拟处理意见): run the measures engine over the case's parties; officers may strike or add
a measure only with a written reason; then submit for legal review (法制审核).

The case's own pack (e.g. inner_mongolia_2021) is evaluated together with the national notice
(national_1283), so a party gets the regional eight measures and the nationwide ones.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from minesweep.cases.models import Case, CaseParty, Determination, Measure
from minesweep.cases.services._common import (
    Actor,
    policy_errors,
    record,
    require_case_officer,
    require_stage,
    required_text,
    user_or_none,
)
from minesweep.cases.services.tracks import act_day, engine_party, packs_for, route_action, tracks_sync
from minesweep.core.errors import DomainError, TransitionError
from minesweep.policy.codes import CASE_WIDE_FACTS, FACTS
from minesweep.policy.engine import ApplicableMeasure, applicable_action, evaluate_case
from minesweep.policy.packs import PolicyPack, Rule, load_pack

REASON_MIN = 6


def _fields_from(measure: ApplicableMeasure, party: CaseParty) -> dict[str, object]:
    # The engine names a party by its ref (our pk); the record should name the party itself.
    ref = measure.party.ref
    return {
        "title_zh": measure.title_zh,
        "title_en": measure.title_en,
        "department": measure.department,
        "actions": [route_action(party.case, a.as_dict(), party) for a in measure.actions],
        "basis": list(measure.basis),
        "source_clause": measure.source_clause,
        "reason_zh": measure.reason_zh.replace(f"当事人 {ref}（", f"当事人“{party.name}”（", 1),
        "reason_en": measure.reason_en.replace(f"party {ref} (", f"party '{party.name}' (", 1),
    }


@transaction.atomic
def determination_evaluate(
    *,
    actor: Actor,
    case: Case,
    case_facts: list[str] | None = None,
    findings: str | None = None,
    party_findings: Mapping[int, str] | None = None,
) -> Determination:
    """(Re)run the engine. Engine measures that no longer apply are removed unless an officer struck them
    (a strike and its reason stay on record); officer-added measures are kept. ``party_findings`` (party
    id → text) are the facts found against each party, which its own acts state in a case of several
    parties (:func:`documents.context.party_findings`)."""
    require_case_officer(actor, case)
    require_stage(case, Case.Stage.INVESTIGATING, doing_zh="拟定处理意见", doing_en="draft the determination")
    parties = list(case.parties.all())
    if not parties:
        raise DomainError("cases.no_parties", "请先增加至少一名当事人", "add at least one party first")
    facts = sorted(set(case_facts or ()))
    unknown = [f for f in facts if f not in FACTS]
    if unknown:
        raise DomainError("cases.unknown_fact", f"未知的事实代码 {unknown}", f"unknown fact codes {unknown}")
    personal = [f for f in facts if f not in CASE_WIDE_FACTS]
    if personal:
        raise DomainError(
            "cases.fact_belongs_to_party",
            f"事实 {personal} 属于具体当事人，请在当事人名下记录（全案事实仅限 {sorted(CASE_WIDE_FACTS)}）",
            f"facts {personal} belong to a party: record them on the party (case-wide: {sorted(CASE_WIDE_FACTS)})",
            facts=personal,
        )
    determination, created = Determination.objects.select_for_update().get_or_create(
        case=case,
        defaults={"pack": " ".join(packs_for(case)), "drafted_by": user_or_none(actor) or case.lead_officer},
    )
    before = {"facts": determination.case_facts, "measures": _summary(determination)}
    determination.pack = " ".join(packs_for(case))
    determination.case_facts = facts
    if findings is not None:
        determination.findings = findings.strip()
    found_against = _party_findings_set(parties, party_findings or {})
    determination.status = Determination.Status.DRAFT
    determination.evaluated_at = timezone.now()
    if user_or_none(actor) is not None:
        determination.drafted_by = user_or_none(actor)
    determination.save()
    by_pk = {str(p.pk): p for p in parties}
    seen: set[int] = set()
    for pack_id in packs_for(case):
        with policy_errors():
            evaluation = evaluate_case(
                load_pack(pack_id), [engine_party(p) for p in parties], facts, on=act_day(case)
            )
        for applicable in evaluation.measures:
            party = by_pk[applicable.party.ref]
            measure, _ = Measure.objects.update_or_create(
                determination=determination,
                party=party,
                pack=pack_id,
                rule_id=applicable.rule_id,
                defaults=_fields_from(applicable, party),
            )
            if measure.origin == Measure.Origin.OFFICER and not measure.struck:
                # The engine now agrees with the officer: keep the officer's reason on record.
                pass
            seen.add(measure.pk)
    stale = determination.measures.filter(origin=Measure.Origin.ENGINE, struck=False).exclude(pk__in=seen)
    stale.filter(tasks__isnull=True).delete()
    with policy_errors():
        tracks_sync(actor=actor, case=case)
    record(
        actor=actor,
        action="cases.determination.evaluate",
        target=determination,
        case=case,
        before=before,
        after={"facts": facts, "measures": _summary(determination), **found_against},
        note="、".join(_summary(determination)) or "无适用措施 / no measure applies",
    )
    return determination


def _party_findings_set(parties: list[CaseParty], texts: Mapping[int, str]) -> dict[str, dict[str, str]]:
    """Store each party's findings (only parties of the case); what changed, for the audit."""
    by_pk = {p.pk: p for p in parties}
    strangers = sorted(set(texts) - set(by_pk))
    if strangers:
        raise DomainError(
            "cases.party_not_in_case",
            f"当事人 {strangers} 不属于本案",
            f"parties {strangers} are not in this case",
        )
    changed = {}
    for pk, text in texts.items():
        party = by_pk[pk]
        if party.findings != text.strip():
            party.findings = text.strip()
            party.save(update_fields=["findings"])
            changed[str(pk)] = party.findings
    return {"party_findings": changed} if changed else {}


def parties_without_findings(case: Case) -> list[CaseParty]:
    """In a case of several parties, the parties with measures whose own findings are still empty."""
    parties = list(case.parties.all())
    if len(parties) < 2:
        return []
    with_measures = set(
        Measure.objects.filter(determination__case=case, struck=False).values_list("party_id", flat=True)
    )
    return [p for p in parties if p.pk in with_measures and not p.findings.strip()]


def _summary(determination: Determination) -> list[str]:
    if determination.pk is None:
        return []
    return [
        f"{m.pack}#{m.rule_id}@{m.party_id}{' struck' if m.struck else ''}"
        for m in determination.measures.order_by("pack", "rule_id", "party_id")
    ]


def _draft(case: Case, doing_zh: str, doing_en: str) -> Determination:
    require_stage(case, Case.Stage.INVESTIGATING, doing_zh=doing_zh, doing_en=doing_en)
    determination = Determination.objects.filter(case=case).first()
    if determination is None:
        raise TransitionError(
            "cases.no_determination", "请先运行措施引擎拟定处理意见", "run the measures engine first"
        )
    return determination


@transaction.atomic
def measure_strike(*, actor: Actor, measure: Measure, reason: str) -> Measure:
    """Strike a measure from the determination; the written reason is kept and audited."""
    case = measure.determination.case
    require_case_officer(actor, case)
    _draft(case, "删减措施", "strike a measure")
    reason = required_text(reason, "删减理由", "A written reason", min_length=REASON_MIN)
    if measure.struck:
        raise TransitionError(
            "cases.measure_already_struck", "该措施已删减", "this measure is already struck"
        )
    measure.struck = True
    measure.struck_reason = reason
    measure.struck_by = user_or_none(actor)
    measure.struck_at = timezone.now()
    measure.save()
    with policy_errors():
        tracks_sync(actor=actor, case=case)
    record(
        actor=actor,
        action="cases.measure.strike",
        target=measure,
        case=case,
        before={"struck": False},
        after={"struck": True},
        detail={"reason": reason, "rule": measure.rule_id, "pack": measure.pack},
        note=f"第{measure.rule_id}项 {measure.title_zh}：{reason}",
    )
    return measure


@transaction.atomic
def measure_restore(*, actor: Actor, measure: Measure, reason: str) -> Measure:
    """Undo a strike (with a reason)."""
    case = measure.determination.case
    require_case_officer(actor, case)
    _draft(case, "恢复措施", "restore a measure")
    reason = required_text(reason, "恢复理由", "A written reason", min_length=REASON_MIN)
    if not measure.struck:
        raise TransitionError("cases.measure_not_struck", "该措施未被删减", "this measure is not struck")
    measure.struck = False
    measure.save(update_fields=["struck"])
    with policy_errors():
        tracks_sync(actor=actor, case=case)
    record(
        actor=actor,
        action="cases.measure.restore",
        target=measure,
        case=case,
        before={"struck": True},
        after={"struck": False},
        detail={"reason": reason},
        note=f"第{measure.rule_id}项：{reason}",
    )
    return measure


def _rule(pack_id: str, rule_id: int) -> tuple[PolicyPack, Rule]:
    with policy_errors():
        pack = load_pack(pack_id)
    try:
        return pack, pack.rule(rule_id)
    except KeyError:
        raise DomainError(
            "cases.unknown_rule",
            f"政策包 {pack_id} 没有第 {rule_id} 项措施",
            f"pack {pack_id} has no measure {rule_id}",
        ) from None


@transaction.atomic
def measure_add(
    *, actor: Actor, case: Case, party: CaseParty, rule_id: int, reason: str, pack: str | None = None
) -> Measure:
    """Add a measure the engine did not propose, for one party, with the officer's written reason.

    All the rule's actions apply (the officer takes responsibility for the narrowing the engine skipped).
    """
    require_case_officer(actor, case)
    determination = _draft(case, "添加措施", "add a measure")
    reason = required_text(reason, "添加理由", "A written reason", min_length=REASON_MIN)
    if party.case_id != case.pk:
        raise DomainError("cases.wrong_case", "当事人不属于本案", "the party belongs to another case")
    pack_id = pack or case.pack
    if pack_id not in packs_for(case):
        raise DomainError(
            "cases.unknown_pack", f"本案不适用政策包“{pack_id}”", f"pack '{pack_id}' does not apply"
        )
    _, rule = _rule(pack_id, rule_id)
    existing = Measure.objects.filter(
        determination=determination, party=party, pack=pack_id, rule_id=rule_id
    ).first()
    if existing is not None:
        raise TransitionError(
            "cases.measure_exists",
            "该当事人已适用此项措施（如已删减，请使用“恢复”）",
            "this measure already applies to the party (use restore if it was struck)",
        )
    pack_obj, _ = _rule(pack_id, rule_id)
    with policy_errors():
        actions = [
            route_action(
                case, applicable_action(pack_obj, a, engine_party(party), act_day(case)).as_dict(), party
            )
            for a in rule.actions
        ]
    measure = Measure.objects.create(
        determination=determination,
        party=party,
        pack=pack_id,
        rule_id=rule_id,
        title_zh=rule.title_zh,
        title_en=rule.title_en,
        department=rule.department,
        actions=actions,
        basis=list(rule.basis),
        source_clause=rule.source_clause,
        reason_zh=reason,
        reason_en=reason,
        origin=Measure.Origin.OFFICER,
        added_reason=reason,
    )
    with policy_errors():
        tracks_sync(actor=actor, case=case)
    record(
        actor=actor,
        action="cases.measure.add",
        target=measure,
        case=case,
        after={"rule": rule_id, "pack": pack_id, "party": party.pk},
        detail={"reason": reason},
        note=f"第{rule_id}项 {rule.title_zh}（{party.name}）：{reason}",
    )
    return measure


@transaction.atomic
def determination_submit(*, actor: Actor, case: Case) -> Case:
    """Investigating → legal review: needs parties, evidence or an inspection, written findings and an
    evaluated determination."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_case_officer(actor, case)
    determination = _draft(case, "提交法制审核", "submit for legal review")
    problems: list[tuple[str, str]] = []
    if not case.parties.exists():
        problems.append(("没有当事人", "no party"))
    if not case.inspections.exists() and not case.evidence_items.exists():
        problems.append(("没有现场检查或证据", "no inspection or evidence"))
    if not determination.findings.strip():
        problems.append(("未填写违法事实", "the findings are empty"))
    for party in parties_without_findings(case):
        problems.append(
            (f"未填写对“{party.name}”认定的事实", f"no findings against '{party.name}' (several parties)")
        )
    if determination.evaluated_at is None:
        problems.append(
            ("当事人在引擎运行后有变化，请重新运行", "parties changed since the engine ran: run it again")
        )
    if problems:
        raise TransitionError(
            "cases.not_ready_for_review",
            "不能提交审核：" + "；".join(p[0] for p in problems),
            "cannot submit for review: " + "; ".join(p[1] for p in problems),
            problems=[p[1] for p in problems],
        )
    determination.status = Determination.Status.SUBMITTED
    determination.submitted_at = timezone.now()
    determination.save()
    case.stage = Case.Stage.LEGAL_REVIEW
    case.save()
    record(
        actor=actor,
        action="cases.case.submit_review",
        target=case,
        case=case,
        before={"stage": Case.Stage.INVESTIGATING},
        after={"stage": case.stage, "measures": _summary(determination)},
    )
    return case
