"""State changes of credit listings. Each is atomic and writes its audit event in the same transaction.

Dates (``on`` / ``today``) default to today's Beijing date; tests pass them to simulate time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from minesweep.audit.services import audit_record
from minesweep.cases.models import Decision, Track
from minesweep.cases.selectors import PENALTY_GROUND
from minesweep.core.errors import DomainError, TransitionError
from minesweep.core.numbering import next_yearly_number
from minesweep.credit.models import (
    DEFAULT_SANCTIONS,
    ListingRecord,
    RepairApplication,
    RepairEvidence,
    Severity,
)
from minesweep.credit.periods import OBJECTION_WORKING_DAYS, PUBLICATION_MONTHS, Period, publication_window
from minesweep.credit.selectors import clean_text
from minesweep.policy.errors import PolicyError
from minesweep.policy.packs import authority_for, deployment_pack_id, load_pack
from minesweep.policy.workdays import add_working_days
from minesweep.registry.models import Division, Subject
from minesweep.registry.uscc import validate_uscc

Actor = AbstractBaseUser | AnonymousUser | str | None
S = ListingRecord.Status
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
_OPEN = [S.PROPOSED, S.NOTIFIED, S.OBJECTION, S.LISTED, S.REPAIR_APPLIED]


class CreditError(DomainError):
    pass


def publication_table() -> dict[str, Period]:
    override = getattr(settings, "CREDIT_PUBLICATION_MONTHS", None)
    return {**PUBLICATION_MONTHS, **override} if override else PUBLICATION_MONTHS


def objection_working_days() -> int:
    return int(getattr(settings, "CREDIT_OBJECTION_WORKING_DAYS", OBJECTION_WORKING_DAYS))


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


def _state(listing: ListingRecord) -> dict[str, Any]:
    return {
        "status": listing.status,
        "severity": listing.severity,
        "notified_on": str(listing.notified_on or ""),
        "objection_deadline": str(listing.objection_deadline or ""),
        "publication_start": str(listing.publication_start or ""),
        "min_end": str(listing.min_end or ""),
        "max_end": str(listing.max_end or ""),
        "removed_on": str(listing.removed_on or ""),
        "removal_reason": listing.removal_reason,
    }


def _require(listing: ListingRecord, *allowed: str, action_zh: str, action_en: str) -> None:
    if listing.status not in allowed:
        raise TransitionError(
            "credit.wrong_status",
            f"当前状态“{listing.get_status_display()}”下不能{action_zh}",
            f"Cannot {action_en} while the record is '{listing.status}'",
            status=listing.status,
        )


def _require_listing_organ(actor: Actor, listing: ListingRecord) -> None:
    """A listing made from a case is decided by the organ that lists (the case pack's credit office): its
    steps are recorded by that organ's staff, on the credit page as on the case page
    (:func:`cases.services._common.require_credit_officer`; the credit page's own role rule still applies).
    A listing typed on the credit page names its deciding authority as free text and is left to that rule."""
    if listing.party is None or not isinstance(actor, AbstractBaseUser):
        return
    profile = getattr(actor, "staff", None)
    if profile is None:
        return
    from minesweep.cases.services._common import credit_organ, require_staff_of

    case = listing.party.case
    organ = credit_organ(case)
    require_staff_of(
        profile,
        case,
        organ,
        "credit.other_organ",
        f"该名单记录由{organ}认定，须由该机关的工作人员办理（国办发〔2020〕49号）",
        f"{organ} decides this listing: its own staff record its steps (State Council General Office doc. 49/2020)",
    )


def _save(
    listing: ListingRecord, *, actor: Actor, action: str, before: dict[str, Any], **detail: Any
) -> None:
    listing.save()
    audit_record(
        actor=actor,
        action=f"credit.listing.{action}",
        target=listing,
        before=before,
        after=_state(listing),
        detail={"number": listing.number, "status": listing.status, **detail},
        division_code=listing.division_id,
    )


def _required_text(**fields: str) -> dict[str, str]:
    labels = {
        "reason": ("列入事由", "reason"),
        "basis": ("列入依据", "legal basis"),
        "authority": ("认定机关", "deciding authority"),
        "decision_number": ("决定书文号", "decision document number"),
    }
    cleaned = {k: clean_text(v or "") for k, v in fields.items()}
    missing = [k for k, v in cleaned.items() if not v]
    if missing:
        raise CreditError(
            "credit.field_required",
            "请填写：" + "、".join(labels[k][0] for k in missing),
            "Please fill in: " + ", ".join(labels[k][1] for k in missing),
            fields=missing,
        )
    return cleaned


@transaction.atomic
def listing_propose(
    *,
    actor: Actor,
    subject: Subject,
    severity: str,
    reason: str,
    basis: str,
    authority: str,
    decision_number: str,
    sanctions: str = "",
    removal_conditions: str = "",
    remedies: str = "",
    case_number: str = "",
) -> ListingRecord:
    """拟列入: a listing proposed from a decision (reason, basis, authority, document number)."""
    if severity not in Severity.values:
        raise CreditError(
            "credit.severity_invalid",
            f"失信程度应为 {'、'.join(Severity.values)} 之一",
            f"Severity must be one of {', '.join(Severity.values)}",
        )
    text = _required_text(reason=reason, basis=basis, authority=authority, decision_number=decision_number)
    refuse_draft_basis(text["basis"])
    if ListingRecord.objects.filter(
        subject=subject, decision_number=text["decision_number"], status__in=_OPEN
    ).exists():
        raise CreditError(
            "credit.duplicate",
            f"该主体已按 {text['decision_number']} 列入或拟列入",
            f"This subject is already (being) listed under {text['decision_number']}",
        )
    period = publication_table()[severity]
    listing = ListingRecord.objects.create(
        number=next_yearly_number(ListingRecord, "SX", digits=5),
        subject=subject,
        division=subject.division,
        name=subject.name,
        uscc=subject.uscc or "",
        legal_representative=subject.legal_representative,
        address=subject.address,
        subject_kind=subject.kind,
        severity=severity,
        published=period.published,
        sanctions=clean_text(sanctions) or DEFAULT_SANCTIONS,
        removal_conditions=clean_text(removal_conditions)
        or (
            f"公示期满{period.min_months}个月后，已纠正失信行为、履行相关义务并作出信用承诺的，可申请信用修复；"
            f"公示满{period.max_months}个月自动移出"
        ),
        remedies=clean_text(remedies) or listing_remedies(deployment_pack_id(), subject.division),
        case_number=clean_text(case_number),
        created_by_id=actor.pk if isinstance(actor, AbstractBaseUser) else None,
        **text,
    )
    audit_record(
        actor=actor,
        action="credit.listing.propose",
        target=listing,
        after=_state(listing),
        detail={"number": listing.number, "decision_number": listing.decision_number, "case": case_number},
        division_code=listing.division_id,
    )
    return listing


@transaction.atomic
def listing_from_decision(
    *,
    actor: Actor,
    decision: Decision,
    severity: str | None = None,
    decision_number: str = "",
    reason: str = "",
    sanctions: str = "",
) -> ListingRecord:
    """拟列入 from a penalty decision (measure 8): the party, facts and basis come from it; the deciding
    authority is the party's credit track's (the pack's credit authority) where the case has tracks.
    ``decision_number`` stays empty until the listing is decided: it is then the 列入决定书's own number."""
    party = decision.party
    if party.case.tracks.exists() and not party.tracks.filter(kind="credit").exists():
        # Measure 8 reaches the parties that took part in mining (their credit track), never a host
        # whose only fact is providing a site (issue 11).
        raise CreditError(
            "credit.no_credit_track",
            f"“{party.name}”没有信用惩戒轨道（第八条仅适用于参与“挖矿”的当事人），不能列入",
            f"'{party.name}' has no credit track (measure 8 reaches only those who took part in mining)",
        )
    if ListingRecord.objects.filter(decision=decision, status__in=_OPEN).exists():
        raise CreditError(
            "credit.duplicate", "该处罚决定已据以列入或拟列入", "A listing from this decision already exists"
        )
    return _listing_for_party(
        actor,
        party,
        decision=decision,
        severity=severity,
        reason=(reason or decision.facts_and_evidence).strip(),
        basis=listing_basis(
            party, f"{decision.number}{PENALTY_GROUND}" if decision.number else "", PENALTY_GROUND
        ),
        authority=_credit_authority(party) or decision.authority,
        # The listing is decided by its own act (列入决定书), numbered when it is decided; the penalty decision
        # it rests on stays linked (``decision``) and is cited in that act.
        decision_number=decision_number.strip(),
        sanctions=sanctions,
    )


def listing_remedies(pack_id: str, division: Division) -> str:
    """救济途径 of a 列入决定书, as the 处理决定书 states them: 行政复议 within sixty days of receipt
    (行政复议法（2023）第二十条) to the credit office's review organ, 行政诉讼 within six months
    (行政诉讼法第四十六条) at its court — both from the pack's ``credit_office`` entry for ``division`` (its
    own, else the nearest higher level). 国办发〔2020〕49号 requires the decision to state the remedies;
    "可依法申请行政复议或者提起行政诉讼" names neither organ nor period, and a party not told the period has a
    year to sue (法释〔2018〕1号第六十四条). A placeholder never reaches paper: the government of the office's
    own level and the courts of its area stand in, as in the 处理决定书."""
    body, court = listing_remedy_organs(pack_id, division)
    return (
        f"如不服本决定，可以自收到本决定书之日起六十日内向{body}申请行政复议，"
        f"或者自收到本决定书之日起六个月内向{court}提起行政诉讼"
    )


def listing_remedy_organs(pack_id: str, division: Division) -> tuple[str, str]:
    """(review organ, court) of a listing decision for ``division``: the pack's ``credit_office`` entry (its
    own, else the nearest higher level), a placeholder replaced by the government of the office's level and
    the courts of its area. The decision states them (:func:`listing_remedies`); the notice before it names
    the same ones for the decision it announces."""
    from minesweep.documents.wording import configured

    try:
        entry = authority_for(load_pack(pack_id), division.code, "credit_office")
    except PolicyError:
        entry = None
    seat = Division.objects.filter(code=entry.division).first() if entry is not None else None
    area = (seat or division).name
    body = configured(entry.review_body if entry else "") or f"{area}人民政府"
    court = configured(entry.court if entry else "") or f"{area}辖区内有管辖权的人民法院"
    return body, court


#: The normative document a listing's procedure follows (告知 before listing, the objection), cited last.
GUIDANCE_49_SHORT = "国办发〔2020〕49号"


def listing_basis(party: Any, ground: str, ground_kind: str = "") -> str:
    """列入依据 as the listing record keeps it (shown on the public list and in exports): the provisions the
    party's conduct violated, the decision document that established it (``ground``, as cited:
    包能源罚〔2026〕1号行政处罚决定书; 国办发〔2020〕49号 requires one), the statutes the listing rests on
    (``ground_kind``: the kind of that document; :func:`documents.context.listing_grounding_statutes`), then 49号
    for the procedure. Never the draft eight measures (a 征求意见稿 is no basis) nor the penalty provision that
    grounds a fine (电力法第七十一条 is not what was violated)."""
    from minesweep.documents.context import listing_grounding_statutes, violated_provisions

    statutes = listing_grounding_statutes(party, ground_kind)  # as the notice and the decision cite them
    violated = violated_provisions(party)  # as the penalty's notice and decision cite them
    parts = [
        f"违反{violated}的规定" if violated else "",
        f"经{ground}认定" if ground else "",
        f"依据{statutes}" if statutes else "",
        GUIDANCE_49_SHORT,
    ]
    return "；".join(p for p in parts if p)


def refuse_draft_basis(basis: str) -> None:
    """A 列入依据 typed on the credit page that cites the draft eight measures (with or without its
    （征求意见稿）) is refused: a draft is never a legal basis."""
    from minesweep.documents.context import mark_drafts

    if "征求意见稿" in mark_drafts(basis):
        raise CreditError(
            "credit.basis_draft",
            "列入依据不得引用征求意见稿（未生效的文件不是法律依据）：请写明所违反的规定、认定失信行为的生效文书"
            "及其文号（国办发〔2020〕49号）",
            "The basis may not cite a draft (a consultation draft is no legal basis): give the provisions "
            "violated and the effective document, with its number, that established the conduct (State "
            "Council General Office doc. 49/2020)",
        )


def _credit_authority(party: Any) -> str:
    """The authority of the party's credit track (the pack's credit authority), if the case has tracks."""
    from minesweep.cases.services.tracks import authority_name

    track = party.tracks.filter(kind="credit").first()
    if track is None:
        return ""
    # a remark after the name (（社会信用体系建设牵头部门）) is not part of it, as on the acts (documents.authority)
    return re.sub(r"（[^）]*）$", "", authority_name(party.case, track.authority))[:120]


def listing_severity(party: Any, requested: str | None) -> str:
    """The 失信程度 of a listing of a case party: ``requested``, or by default 严重失信 where the pack gives the
    list's standard and 一般失信 where it does not; 严重失信 without a standard is refused.

    国办发〔2020〕49号 四(六)(七): a 严重失信主体名单 rests on a law, an administrative regulation or a policy
    document of the CCP Central Committee or the State Council (a departmental rule for a national list
    while none exists; a local regulation, 地方性法规, for a list a region alone keeps), and no department
    may add to it. The platform takes that standard from the credit action's ``legal_basis`` in the pack
    (``documents.context.listing_statutes``, cited in the notice and the decision). No pack names one: no
    stored source gives the region's, the eight measures are a draft (征求意见稿) and 发改运行〔2021〕1283号 a
    departmental notice, whose breach of the credit pledge goes "into the credit record", not onto a
    serious list. So case listings are 一般失信 (published three months to a year, 信用修复管理办法) until
    the legal office configures the standard."""
    from minesweep.documents.context import listing_statutes

    standard = listing_statutes(party)
    severity = requested or (Severity.SERIOUS if standard else Severity.GENERAL)
    if severity not in Severity.values:
        raise CreditError("credit.severity_invalid", "失信程度无效", "Invalid severity")
    if severity == Severity.SERIOUS and not standard:
        raise CreditError(
            "credit.serious_without_standard",
            f"不能将“{party.name}”列入严重失信主体名单：严重失信主体名单须以法律、法规或者党中央、国务院政策文件"
            "规定的认定标准为依据（仅在本地区实施的，由地方性法规规定），任何部门不得擅自增加或者扩大"
            "（国办发〔2020〕49号）；本措施未配置该标准，请按一般失信或者轻微失信列入，或者由法制机构在政策包中"
            "配置认定标准",
            f"'{party.name}' cannot be put on the serious list: a serious list rests on a standard set by a "
            "law, a regulation or a CCP Central Committee / State Council policy document (a local regulation "
            "for a list one region keeps), and no department may add to it (State Council General Office doc. "
            "49/2020); this measure names none, so list as general or minor, or have the legal office "
            "configure the standard in the policy pack",
        )
    return str(severity)


def _listing_for_party(
    actor: Actor,
    party: Any,
    *,
    decision: Decision | None,
    severity: str | None,
    reason: str,
    basis: str,
    authority: str,
    decision_number: str,
    sanctions: str = "",
) -> ListingRecord:
    """One proposed listing of a case party: identity from the registry subject or the party itself (a
    resident ID is never copied), periods and removal conditions from the severity
    (:func:`listing_severity`)."""
    severity = listing_severity(party, severity)
    case = party.case
    if party.subject is not None:
        subject_kind, uscc, division = party.subject.kind, party.subject.uscc or "", party.subject.division
    else:
        individual = party.category in ("individual", "public_official")
        subject_kind = Subject.Kind.INDIVIDUAL if individual else Subject.Kind.ENTERPRISE
        candidate = (party.identifier or "").strip().upper()
        uscc = candidate if not individual and validate_uscc(candidate).valid else ""
        division = case.division
    period = publication_table()[severity]
    listing = ListingRecord.objects.create(
        number=next_yearly_number(ListingRecord, "SX", digits=5),
        subject=party.subject,
        decision=decision,
        division=division,
        name=party.name,
        uscc=uscc,
        legal_representative="" if subject_kind == Subject.Kind.INDIVIDUAL else party.legal_representative,
        address=party.address,
        subject_kind=subject_kind,
        severity=severity,
        published=period.published,
        reason=reason,
        basis=basis,
        authority=authority,
        decision_number=decision_number,
        sanctions=clean_text(sanctions) or DEFAULT_SANCTIONS,
        removal_conditions=(
            f"公示满{period.min_months}个月后，已纠正失信行为、履行相关义务并作出信用承诺的，可申请信用修复；"
            f"公示满{period.max_months}个月自动移出"
        ),
        remedies=listing_remedies(case.pack, case.division),
        case_number=case.number,
        party=party,
        created_by_id=actor.pk if isinstance(actor, AbstractBaseUser) else None,
    )
    audit_record(
        actor=actor,
        action="credit.listing.propose",
        target=listing,
        after=_state(listing),
        detail={"number": listing.number, "decision": decision.pk if decision else None, "case": case.number},
        division_code=listing.division_id,
    )
    return listing


@transaction.atomic
def listing_from_track(*, actor: Actor, track: Track, severity: str | None = None) -> ListingRecord:
    """拟列入 from a case's credit track (measure 8). A penalty decision of the same party, if any, is the
    source (cited in the 列入决定书); otherwise the reason and basis come from the track. The listing's
    ``decision_number`` is the number of the act that decides it, allocated by ``listing_publish``."""
    if track.kind != "credit":
        raise CreditError(
            "credit.not_credit_track", "只有信用惩戒轨道可以移交", "only a credit track is handed over"
        )
    party, case = track.party, track.case
    decision = party.decisions.order_by("-id").first()
    if decision is not None:
        return listing_from_decision(actor=actor, decision=decision, severity=severity)
    if ListingRecord.objects.filter(party=party, status__in=_OPEN).exists():
        raise CreditError(
            "credit.duplicate", "该当事人已据本案列入或拟列入", "already (being) listed from this case"
        )
    basis = listing_basis(party, "")  # the ground is added when the notice is served
    return _listing_for_party(
        actor,
        party,
        decision=None,
        severity=severity,
        reason=_track_reason(case, party),
        basis=basis,
        authority=_credit_authority(party),
        decision_number="",
    )


def _track_reason(case: Any, party: Any) -> str:
    """The grounds of a listing without a penalty decision: the facts recorded for this party (labels,
    never codes). The case-wide findings are left out: they may describe what another party did."""
    from minesweep.policy.codes import FACTS

    facts = "、".join(FACTS[f].zh for f in party.facts if f in FACTS) or "从事虚拟货币“挖矿”活动"
    return f"经查（案件编号{case.number}），{party.name}存在下列情形：{facts}。"


def _track_follow(actor: Actor, listing: ListingRecord) -> None:
    """A listing from a case moved on the credit page: its party's credit track mirrors it (as a referral's
    track mirrors the referral), so the case shows the same step whichever page was used."""
    from minesweep.cases.services._common import record
    from minesweep.cases.transitions import ENDED

    if listing.party_id is None:
        return
    track = (
        Track.objects.filter(party_id=listing.party_id, kind="credit")
        .exclude(step__in=[ENDED, "awaiting_approval"])
        .first()
    )
    if track is None:
        return
    step, outcome = track.step, ""
    if listing.status == S.NOTIFIED and track.step == "handover":
        step = "credit_rights"
        track.letter_on, track.letter_number = listing.notified_on, listing.notice_number
    elif listing.status == S.LISTED and track.step in ("handover", "credit_rights"):
        step, outcome = ENDED, f"已列入失信主体名单：{listing.number}，列入决定书 {listing.decision_number}"
    elif listing.status == S.REMOVED and listing.objection_reply and track.step == "credit_rights":
        step, outcome = ENDED, f"异议成立，不予列入：{listing.objection_reply}"
    if step == track.step:
        return
    track.step = step
    if step == ENDED:
        track.ended_on, track.outcome = _today(listing.listed_on or listing.removed_on), outcome
    track.save()
    record(
        actor=actor,
        action="cases.track.credit_follow",
        target=track,
        case=track.case,
        after={"step": step, "listing": listing.number},
        note=f"{track.party.name}：信用惩戒记录 {listing.number} {listing.get_status_display()}",
    )


@transaction.atomic
def listing_notify(*, actor: Actor, listing: ListingRecord, on: dt.date | None = None) -> ListingRecord:
    """事先告知: the party is told the reason, basis and rights; the objection window opens. A listing made from
    a case is told only once a decision with legal effect established the party's conduct (国办发〔2020〕49号:
    :func:`cases.services.tracks.require_credit_ground`, on the credit page as on the case page), and its
    basis then names that decision."""
    listing = ListingRecord.objects.select_for_update().get(pk=listing.pk)
    _require_listing_organ(actor, listing)
    _require(listing, S.PROPOSED, action_zh="告知", action_en="notify")
    before = _state(listing)
    day = _today(on)
    if listing.party is not None:
        from minesweep.cases.services.tracks import require_credit_ground

        ground = require_credit_ground(listing.party, day)
        require_listing_statute(listing.party, ground.kind_zh, ground.cited)
        listing.basis = listing_basis(listing.party, ground.cited, ground.kind_zh)
    try:
        deadline = add_working_days(day, objection_working_days())
    except PolicyError as exc:
        raise CreditError("credit.calendar", exc.message_zh, exc.message_en) from None
    listing.status, listing.notified_on, listing.objection_deadline = S.NOTIFIED, day, deadline
    act = _case_act(actor, listing, "credit_notice", day)
    if act is not None:
        listing.notice_number = act.number
    _save(listing, actor=actor, action="notify", before=before, notice_number=listing.notice_number)
    _track_follow(actor, listing)
    return listing


def require_listing_statute(party: Any, ground_kind: str, ground: str) -> None:
    """Refuse to tell a party it will be listed when no statute grounds the listing.

    国办发〔2020〕49号 (二、依法依规开展失信惩戒): a measure against a 失信主体 — and publishing it as one is such a
    measure — rests on a law, a regulation or a CCP Central Committee / State Council policy document; a list
    only one region keeps, on a local regulation (地方性法规). The platform listed every case party as 一般失信
    without one (legal review item 1). Now a listing goes ahead only on the listing standard the pack names
    (the region's 地方性法规 article, once the legal office has confirmed it: packs/README.md names the
    candidate, its article unread here) or, for conduct a penalty decision established, on 行政处罚法第四十八条
    第一款 (the decision's publication: :data:`documents.context.PENALTY_PUBLICATION`). A 处理决定书 rests on
    normative documents and a judgment is a court's: neither gives the credit office a statute to publish on."""
    from minesweep.documents.context import listing_grounding_statutes

    if listing_grounding_statutes(party, ground_kind):
        return
    raise CreditError(
        "credit.no_listing_statute",
        f"不能将“{party.name}”列入失信主体名单：认定其行为的是{ground}，不是行政处罚决定，本措施也未配置列入"
        "所依据的法律、法规条款。列入失信主体名单、予以公示，须有法律、法规或者党中央、国务院政策文件依据"
        "（仅在本地区实施的，由地方性法规规定；国办发〔2020〕49号）。请由法制机构在政策包中配置列入依据"
        "（如本地区社会信用条例的具体条款），或者待行政处罚决定书送达后再告知，或者记明理由不予列入",
        f"'{party.name}' cannot be listed: its conduct was established by {ground}, which is not an "
        "administrative penalty decision, and the measure names no statute for listing. Listing and publishing a "
        "party as dishonest rests on a law, a regulation or a CCP Central Committee / State Council policy "
        "document (a local regulation for a list one region keeps; State Council General Office doc. 49/2020). "
        "Have the legal office configure the listing's basis in the policy pack (e.g. the article of the "
        "region's social credit regulations), notify once a penalty decision has been served, or record that the "
        "party is not listed, with the reason",
    )


def _case_act(actor: Actor, listing: ListingRecord, kind: str, day: dt.date) -> Any:
    """The act's one number (documents.numbering) for a listing made from a case: the 拟列入告知书 when
    the party is notified, the 列入决定书 when the listing is decided. A listing proposed outside any case
    bears the number of its paper decision, typed when it was proposed."""
    from minesweep.cases.models import Case
    from minesweep.documents.authority import case_issuer
    from minesweep.documents.numbering import act_number_issue

    case = Case.objects.filter(number=listing.case_number).first() if listing.case_number else None
    if case is None:
        return None
    return act_number_issue(
        actor=actor,
        case=case,
        kind=kind,
        target=f"listing:{listing.pk}",
        act_date=day,
        issuer=case_issuer(case, "credit_office"),
    )


@transaction.atomic
def listing_rights_waive(*, actor: Actor, listing: ListingRecord, on: dt.date | None = None) -> ListingRecord:
    """The party waives its statement (陈述申辩) in writing after the notice: the listing may be decided
    before the period ends (as 行政处罚法 allows for a penalty notice; 国办发〔2020〕49号 asks that the party
    be heard, not that the authority wait for a party who declines)."""
    listing = ListingRecord.objects.select_for_update().get(pk=listing.pk)
    _require_listing_organ(actor, listing)
    _require(listing, S.NOTIFIED, action_zh="登记放弃陈述申辩", action_en="record a waiver")
    day = _today(on)
    if listing.objection_text or listing.rights_waived_on:
        raise CreditError(
            "credit.rights_already_used",
            "当事人已提出陈述申辩或已登记放弃",
            "The party already stated its objection or waived it",
        )
    if listing.notified_on and day < listing.notified_on:
        raise CreditError(
            "credit.waiver_before_notice",
            f"放弃日期不能早于告知日期 {listing.notified_on:%Y-%m-%d}",
            f"The waiver cannot be dated before the notice ({listing.notified_on:%Y-%m-%d})",
        )
    before = _state(listing)
    listing.rights_waived_on = day
    _save(listing, actor=actor, action="waive", before=before)
    return listing


@transaction.atomic
def listing_object(
    *, actor: Actor, listing: ListingRecord, text: str, on: dt.date | None = None
) -> ListingRecord:
    """异议: the party objects within the window."""
    listing = ListingRecord.objects.select_for_update().get(pk=listing.pk)
    _require_listing_organ(actor, listing)
    _require(listing, S.NOTIFIED, action_zh="提出异议", action_en="object")
    day = _today(on)
    if not clean_text(text):
        raise CreditError("credit.objection_empty", "请写明异议理由", "State the grounds of the objection")
    assert listing.objection_deadline is not None
    if listing.objection_text:
        raise CreditError(
            "credit.objection_repeat", "异议已处理，不能重复提出", "The objection was already decided"
        )
    if day > listing.objection_deadline:
        raise CreditError(
            "credit.objection_late",
            f"异议期已于 {listing.objection_deadline:%Y-%m-%d} 届满",
            f"The objection window closed on {listing.objection_deadline:%Y-%m-%d}",
        )
    before = _state(listing)
    listing.status, listing.objection_text, listing.objection_on = S.OBJECTION, clean_text(text), day
    _save(listing, actor=actor, action="object", before=before)
    return listing


@transaction.atomic
def listing_objection_decide(
    *, actor: Actor, listing: ListingRecord, upheld: bool, reply: str, on: dt.date | None = None
) -> ListingRecord:
    """异议处理: upheld → not listed (removed); rejected → back to notified, ready to publish."""
    listing = ListingRecord.objects.select_for_update().get(pk=listing.pk)
    _require_listing_organ(actor, listing)
    _require(listing, S.OBJECTION, action_zh="处理异议", action_en="decide an objection")
    if not clean_text(reply):
        raise CreditError("credit.reply_required", "请填写异议处理意见", "Write the reply to the objection")
    before = _state(listing)
    listing.objection_reply = clean_text(reply)
    if upheld:
        listing.status, listing.removed_on = S.REMOVED, _today(on)
        listing.removal_reason = "异议成立，不予列入"
    else:
        listing.status = S.NOTIFIED
    _save(listing, actor=actor, action="objection_decide", before=before, upheld=upheld)
    _track_follow(actor, listing)
    return listing


@transaction.atomic
def listing_publish(*, actor: Actor, listing: ListingRecord, on: dt.date | None = None) -> ListingRecord:
    """列入决定并公示: only after the 拟列入告知书 was served (status notified) and its period ended, or
    the party's objection was answered, or the party waived it in writing (国办发〔2020〕49号: the party
    is told the grounds, basis and its rights before it is listed, and may object). A listing from a
    case gets the 列入决定书's number (allocated now) as its ``decision_number``."""
    listing = ListingRecord.objects.select_for_update().get(pk=listing.pk)
    _require_listing_organ(actor, listing)
    _require(listing, S.NOTIFIED, action_zh="列入公示", action_en="publish")
    day = _today(on)
    assert listing.objection_deadline is not None
    heard = listing.objection_reply or listing.rights_waived_on
    if not heard and day <= listing.objection_deadline:
        raise CreditError(
            "credit.objection_window_open",
            f"陈述申辩（异议）期至 {listing.objection_deadline:%Y-%m-%d} 届满，届满后方可作出列入决定"
            "（当事人提出异议并经核实答复、或书面放弃的除外）",
            f"The objection period runs until {listing.objection_deadline:%Y-%m-%d}; decide after it "
            "(unless the party's objection was answered or it waived it in writing)",
        )
    if listing.notified_on is not None and day < listing.notified_on:
        raise CreditError(
            "credit.decision_before_notice",
            f"列入决定不能早于告知日期 {listing.notified_on:%Y-%m-%d}",
            f"The listing cannot be decided before the notice ({listing.notified_on:%Y-%m-%d})",
        )
    before = _state(listing)
    window = publication_window(listing.severity, day, publication_table())
    act = _case_act(actor, listing, "credit_listing", day)
    if act is not None:
        listing.decision_number = act.number  # the 列入决定书's own number, as on the document
    listing.status, listing.listed_on = S.LISTED, day
    listing.publication_start, listing.min_end, listing.max_end = window.start, window.min_end, window.max_end
    _save(listing, actor=actor, action="publish", before=before)
    _track_follow(actor, listing)
    return listing


@transaction.atomic
def repair_apply(
    *,
    actor: Actor,
    listing: ListingRecord,
    statement: str,
    pledge: str,
    evidence: Iterable[tuple[str, str, bytes]] = (),
    on: dt.date | None = None,
) -> RepairApplication:
    """信用修复申请: only after the minimum publication period, with a statement, evidence and a pledge."""
    listing = ListingRecord.objects.select_for_update().get(pk=listing.pk)
    _require_listing_organ(actor, listing)
    _require(listing, S.LISTED, action_zh="申请信用修复", action_en="apply for repair")
    day = _today(on)
    assert listing.min_end is not None
    if day < listing.min_end:
        raise CreditError(
            "credit.repair_too_early",
            f"最短公示期至 {listing.min_end:%Y-%m-%d}，届满后方可申请信用修复",
            f"Repair may be applied for from {listing.min_end:%Y-%m-%d}, when the minimum period ends",
        )
    if not clean_text(statement) or not clean_text(pledge):
        raise CreditError(
            "credit.repair_incomplete",
            "请说明纠正失信行为、履行义务的情况，并作出信用承诺",
            "Describe how the failing was corrected and obligations met, and make the credit pledge",
        )
    files = list(evidence)
    if not files:
        raise CreditError("credit.repair_no_evidence", "请上传证明材料", "Attach the supporting evidence")
    for name, _ctype, content in files:
        if not content or len(content) > MAX_EVIDENCE_BYTES:
            raise CreditError(
                "credit.evidence_size",
                f"证明材料“{name}”为空或超过10MB",
                f"Evidence '{name}' is empty or larger than 10 MB",
            )
    before = _state(listing)
    application = RepairApplication.objects.create(
        listing=listing, applied_on=day, statement=clean_text(statement), pledge=clean_text(pledge)
    )
    for name, ctype, content in files:
        RepairEvidence.objects.create(
            application=application,
            name=clean_text(name)[:200] or "evidence",
            content_type=ctype[:80],
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
        )
    listing.status = S.REPAIR_APPLIED
    _save(listing, actor=actor, action="repair_apply", before=before, application=application.pk)
    return application


@transaction.atomic
def repair_decide(
    *, actor: Actor, application: RepairApplication, approve: bool, reply: str, on: dt.date | None = None
) -> ListingRecord:
    """准予修复 → removed from the list; 不予修复 → stays listed."""
    application = RepairApplication.objects.select_for_update().get(pk=application.pk)
    listing = ListingRecord.objects.select_for_update().get(pk=application.listing_id)
    _require_listing_organ(actor, listing)
    _require(listing, S.REPAIR_APPLIED, action_zh="审核信用修复", action_en="decide a repair")
    if application.outcome != RepairApplication.Outcome.PENDING:
        raise TransitionError("credit.repair_decided", "该申请已审核", "This application was already decided")
    if not clean_text(reply):
        raise CreditError("credit.reply_required", "请填写审核意见", "Write the decision on the application")
    day = _today(on)
    before = _state(listing)
    application.outcome = (
        RepairApplication.Outcome.APPROVED if approve else RepairApplication.Outcome.REJECTED
    )
    application.decided_on, application.reply = day, clean_text(reply)
    application.save()
    if approve:
        listing.status, listing.removed_on, listing.removal_reason = S.REMOVED, day, "信用修复，移出名单"
    else:
        listing.status = S.LISTED
    _save(listing, actor=actor, action="repair_decide", before=before, approved=approve)
    return listing


@transaction.atomic
def listing_expire_due(*, actor: Actor = None, today: dt.date | None = None) -> list[ListingRecord]:
    """公示期满自动移出: every listed record whose maximum period has ended. Run daily (``credit expire``)."""
    day = _today(today)
    expired = []
    due = ListingRecord.objects.select_for_update().filter(
        status__in=[S.LISTED, S.REPAIR_APPLIED], max_end__lte=day
    )
    for listing in due.order_by("pk"):
        before = _state(listing)
        listing.status, listing.removed_on = S.EXPIRED, listing.max_end
        listing.removal_reason = "最长公示期届满，自动移出"
        _save(listing, actor=actor, action="expire", before=before)
        RepairApplication.objects.filter(listing=listing, outcome=RepairApplication.Outcome.PENDING).update(
            outcome=RepairApplication.Outcome.REJECTED, decided_on=day, reply="公示期满已自动移出，无需修复"
        )
        expired.append(listing)
    return expired
