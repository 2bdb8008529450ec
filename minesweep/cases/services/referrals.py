"""Referrals (移送), a track parallel to the administrative case.

Police (国务院令第310号《行政执法机关移送涉嫌犯罪案件的规定》): the head decides within 3 days of the
referral report (第五条); an approved referral is transferred within 24 hours with the referral letter,
the investigation report, the exhibit list and any expert findings (第六条); the police review it within
3 days of receipt (第八条); once they open a case the exhibits and the other materials are handed over
within 3 days of their notice (第十二条). A fine never replaces a referral (第十一条). Officials go to the discipline
inspection and supervision organs.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from minesweep.cases.models import Case, CaseParty, Referral
from minesweep.cases.services._common import (
    Actor,
    day_not_after_today,
    record,
    require_case_officer,
    require_stage,
    required_text,
    today,
    user_or_none,
    with_policy,
)
from minesweep.cases.services.tracks import authority_name, referral_track_follow
from minesweep.core.errors import DomainError, TransitionError
from minesweep.policy.codes import POLICE_REFERRAL_CRIMES
from minesweep.policy.workdays import (
    police_answer_deadline,
    police_exhibits_handover_deadline,
    police_referral_decision_deadline,
    police_transfer_deadline,
)

REFERRAL_DOCUMENTS: dict[str, tuple[str, str, bool]] = {
    # code: (zh, en, required for the police)
    "referral_letter": ("涉嫌犯罪案件移送书", "Referral letter", True),
    "investigation_report": ("涉嫌犯罪案件调查报告", "Investigation report", True),
    "exhibit_list": ("涉案物品清单", "Exhibit list", True),
    "expert_findings": ("有关检验报告或者鉴定结论", "Expert findings", False),
    "other_materials": ("其他有关涉嫌犯罪的材料", "Other materials", False),
}


def _transition(referral: Referral, *allowed: str, doing_zh: str, doing_en: str) -> None:
    if referral.status not in allowed:
        raise TransitionError(
            "cases.referral_wrong_status",
            f"移送处于“{referral.get_status_display()}”状态，不能{doing_zh}",
            f"the referral is '{referral.status}'; cannot {doing_en}",
            status=referral.status,
        )


@transaction.atomic
def referral_propose(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    grounds: str,
    party: CaseParty | None = None,
    action: str = "",
    reported_on: dt.date | None = None,
) -> Referral:
    """A referral report reaches the head of the authority; the decision is due in 3 days. A police
    referral names its offence (``action``, one of :data:`~minesweep.policy.codes.POLICE_REFERRAL_CRIMES`)."""
    require_case_officer(actor, case)
    require_stage(
        case,
        Case.Stage.INVESTIGATING,
        Case.Stage.LEGAL_REVIEW,
        Case.Stage.NOTICE,
        Case.Stage.DECIDED,
        doing_zh="提出移送",
        doing_en="propose a referral",
    )
    if kind not in Referral.Kind.values:
        raise DomainError("cases.bad_referral_kind", "请选择移送对象", "choose where to refer")
    if party is not None and party.case_id != case.pk:
        raise DomainError("cases.wrong_case", "当事人不属于本案", "the party belongs to another case")
    if kind == Referral.Kind.DISCIPLINE and party is not None and party.category != "public_official":
        # Measure 8 refers officials; cadres of a host go by an accountability referral (measure 1).
        raise DomainError(
            "cases.discipline_needs_official",
            "移送纪检监察机关的当事人应为公职人员",
            "only a public official is referred to the discipline organs",
        )
    if kind == Referral.Kind.POLICE and action not in POLICE_REFERRAL_CRIMES:
        # 国务院令第310号第六条: the 移送书 names the offence suspected; it is chosen, never guessed.
        raise DomainError(
            "cases.referral_needs_crime",
            "移送公安机关须选择涉嫌的罪名",
            "a police referral names the offence suspected: choose one",
        )
    grounds = required_text(grounds, "移送理由", "The grounds", min_length=4)
    day = day_not_after_today(reported_on, "报告日期", "The report date")
    referral = Referral.objects.create(
        case=case,
        party=party,
        kind=kind,
        action=action[:40],
        grounds=grounds,
        reported_on=day,
        decision_due=with_policy(police_referral_decision_deadline, day),
        created_by=user_or_none(actor) or case.lead_officer,
    )
    record(
        actor=actor,
        action="cases.referral.propose",
        target=referral,
        case=case,
        after={"kind": kind, "decision_due": referral.decision_due.isoformat()},
        note=f"{referral.get_kind_display()}：{grounds}",
    )
    referral_track_follow(referral)
    return referral


@transaction.atomic
def referral_decide(
    *, actor: Actor, referral: Referral, approve: bool, reason: str, decided_at: dt.datetime | None = None
) -> Referral:
    """Approve (transfer due within 24 h) or decline (with the reason) a proposed referral."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    require_case_officer(actor, referral.case)
    _transition(referral, Referral.Status.PROPOSED, doing_zh="作出移送决定", doing_en="decide")
    reason = required_text(reason, "决定理由", "The reason", min_length=2 if approve else 6)
    at = decided_at or timezone.now()
    referral.status = Referral.Status.APPROVED if approve else Referral.Status.DECLINED
    referral.decided_at = at
    referral.decision_reason = reason
    referral.transfer_due = with_policy(police_transfer_deadline, at) if approve else None
    referral.save()
    late = timezone.localtime(at).date() > referral.decision_due
    record(
        actor=actor,
        action="cases.referral.decide",
        target=referral,
        case=referral.case,
        before={"status": Referral.Status.PROPOSED},
        after={"status": referral.status, "late": late},
        detail={"reason": reason},
        note=f"{referral.get_kind_display()} {referral.get_status_display()}：{reason}",
    )
    referral_track_follow(referral)
    return referral


@transaction.atomic
def referral_transfer(
    *,
    actor: Actor,
    referral: Referral,
    receiving_organ: str,
    documents: list[str],
    transferred_at: dt.datetime | None = None,
) -> Referral:
    """Send an approved referral with its documents (the police need letter, report and exhibit list)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    require_case_officer(actor, referral.case)
    _transition(referral, Referral.Status.APPROVED, doing_zh="移送", doing_en="transfer")
    organ = required_text(receiving_organ, "接收机关", "The receiving organ")
    unknown = [d for d in documents if d not in REFERRAL_DOCUMENTS]
    if unknown:
        raise DomainError("cases.unknown_document", f"未知的材料 {unknown}", f"unknown documents {unknown}")
    if referral.kind == Referral.Kind.POLICE:
        missing = [code for code, (_, _, req) in REFERRAL_DOCUMENTS.items() if req and code not in documents]
        if missing:
            raise DomainError(
                "cases.referral_documents_missing",
                "移送须附：" + "、".join(REFERRAL_DOCUMENTS[m][0] for m in missing),
                "the transfer needs: " + ", ".join(REFERRAL_DOCUMENTS[m][1] for m in missing),
                missing=missing,
            )
    at = transferred_at or timezone.now()
    referral.status = Referral.Status.TRANSFERRED
    referral.receiving_organ = organ[:120]
    if referral.kind == Referral.Kind.POLICE:
        # 国务院令第310号: a referral to the police is copied to the procuratorate of the same level.
        referral.copied_to = authority_name(referral.case, "procuratorate")[:120]
    referral.documents = sorted(set(documents))
    referral.transferred_at = at
    referral.save()
    late = referral.transfer_due is not None and at > referral.transfer_due
    record(
        actor=actor,
        action="cases.referral.transfer",
        target=referral,
        case=referral.case,
        after={"organ": organ, "documents": referral.documents, "late": late},
        note=f"移送{organ}{'（超过24小时）' if late else ''}"
        + (f"，抄送{referral.copied_to}" if referral.copied_to else ""),
    )
    referral_track_follow(referral)
    return referral


@transaction.atomic
def referral_receipt(
    *, actor: Actor, referral: Referral, receipt_number: str, received_on: dt.date | None = None
) -> Referral:
    """The receiving organ's receipt (回执); the police answer is due 3 days after it."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    require_case_officer(actor, referral.case)
    _transition(referral, Referral.Status.TRANSFERRED, doing_zh="登记回执", doing_en="record the receipt")
    number = required_text(receipt_number, "回执编号", "The receipt number")
    day = received_on or today()
    assert referral.transferred_at is not None
    if day < timezone.localtime(referral.transferred_at).date() or day > today():
        raise DomainError(
            "cases.bad_receipt_date",
            "接收日期应在移送之后、今天之前",
            "the receipt date must be between transfer and today",
        )
    referral.status = Referral.Status.RECEIVED
    referral.receipt_number = number[:60]
    referral.received_on = day
    referral.answer_due = with_policy(police_answer_deadline, day)
    referral.save()
    record(
        actor=actor,
        action="cases.referral.receipt",
        target=referral,
        case=referral.case,
        after={"receipt": number, "answer_due": referral.answer_due.isoformat()},
        note=f"回执 {number}，答复期限 {referral.answer_due.isoformat()}",
    )
    referral_track_follow(referral)
    return referral


@transaction.atomic
def referral_answer(
    *, actor: Actor, referral: Referral, accepted: bool, text: str, answered_on: dt.date | None = None
) -> Referral:
    """The police (or discipline organ) answer: case accepted or not, with their reasons."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    require_case_officer(actor, referral.case)
    _transition(referral, Referral.Status.RECEIVED, doing_zh="登记答复", doing_en="record the answer")
    text = required_text(text, "答复内容", "The answer")
    day = answered_on or today()
    assert referral.received_on is not None
    if day < referral.received_on or day > today():
        raise DomainError(
            "cases.bad_answer_date",
            "答复日期应在接收之后、今天之前",
            "the answer date must be between receipt and today",
        )
    referral.status = Referral.Status.ANSWERED
    referral.answer = Referral.Answer.ACCEPTED if accepted else Referral.Answer.NOT_ACCEPTED
    referral.answer_text = text
    referral.answered_on = day
    if accepted and referral.kind == Referral.Kind.POLICE:
        referral.exhibits_due = with_policy(police_exhibits_handover_deadline, day)
    referral.save()
    record(
        actor=actor,
        action="cases.referral.answer",
        target=referral,
        case=referral.case,
        after={"answer": referral.answer},
        note=f"{referral.receiving_organ}答复：{referral.get_answer_display()}",
    )
    referral_track_follow(referral)
    return referral


@transaction.atomic
def referral_exhibits_handover(
    *, actor: Actor, referral: Referral, note: str, handed_over_on: dt.date | None = None
) -> Referral:
    """The exhibits (seized rigs …) and the other materials handed over to the police that opened a case,
    within 3 days of their notice (国务院令第310号第十二条), with what was handed over and the receipt."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    require_case_officer(actor, referral.case)
    if referral.exhibits_due is None or referral.exhibits_handed_over_on is not None:
        raise TransitionError(
            "cases.referral_no_handover",
            "只有公安机关已立案、尚未移交的移送才能登记涉案物品移交",
            "only a police referral the police accepted, not yet handed over, takes an exhibits hand-over",
        )
    note = required_text(note, "移交物品及交接手续", "What was handed over and the receipt", min_length=4)
    assert referral.answered_on is not None
    day = day_not_after_today(
        handed_over_on, "移交日期", "The hand-over date", not_before=referral.answered_on
    )
    referral.exhibits_handed_over_on, referral.exhibits_note = day, note
    referral.save(update_fields=["exhibits_handed_over_on", "exhibits_note"])
    late = day > referral.exhibits_due
    record(
        actor=actor,
        action="cases.referral.exhibits_handover",
        target=referral,
        case=referral.case,
        after={"on": day.isoformat(), "late": late},
        detail={"late": late},
        note=f"涉案物品移交{referral.receiving_organ}{'（超过3日）' if late else ''}：{note}",
    )
    return referral
