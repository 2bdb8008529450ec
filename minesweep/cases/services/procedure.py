"""The procedure after the investigation (行政处罚法 2021): legal review → notice (告知书) with the
statement and hearing rights → hearing → decision (决定书, Art. 59) → department tasks → closure →
follow-up checks (回头看) that can reopen the case.

Deadlines come from ``minesweep.policy.workdays`` (working days with Chinese holidays and 调休).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from minesweep.cases.models import (
    Case,
    CaseParty,
    CollectiveDiscussion,
    Decision,
    Determination,
    FollowUpCheck,
    Hearing,
    Lead,
    LegalReview,
    Notice,
    Referral,
    Task,
    Track,
)
from minesweep.cases.selectors import fine_range, penalty_is_fine
from minesweep.cases.services._common import (
    Actor,
    day_not_after_today,
    record,
    require_case_officer,
    require_case_scope,
    require_penalty_officer,
    require_staff_of,
    require_stage,
    required_text,
    sync_report_status,
    user_or_none,
    with_policy,
)
from minesweep.cases.services.criminal import decision_period, require_no_criminal_hold
from minesweep.cases.services.tracks import (
    advance,
    require_party_track,
    track_flags,
    tracks_open,
    tracks_start,
)
from minesweep.cases.transitions import allowed_actions
from minesweep.core.errors import DomainError, TransitionError
from minesweep.core.numbering import next_yearly_number
from minesweep.documents.authority import Issuer, case_issuer, penalty_issuer
from minesweep.documents.numbering import act_number_issue, act_record_paper
from minesweep.policy.codes import ORGANISATION_CATEGORIES
from minesweep.policy.engine import hearing_right
from minesweep.policy.errors import WorkdayCalendarError
from minesweep.policy.packs import load_pack
from minesweep.policy.workdays import (
    add_calendar_days,
    add_months,
    appeal_deadline,
    decision_deadline,
    hearing_notice_latest,
    hearing_request_deadline,
    lawsuit_deadline,
    payment_deadline,
    service_deadline,
)

FOLLOW_UP_MONTHS = (1, 3, 6)
# What a reporter may read about the outcome: neutral, no names, no penalties.
CLOSED_OUTCOME = "您反映的问题已立案查处，相关部门已依法处理并结案，后续将开展回头看。/ The case was investigated, handled under the law and closed; follow-up checks will be made."
REOPENED_OUTCOME = (
    "回头看发现问题反弹，已另案立案调查。/ A follow-up check found a relapse; a new case has been opened."
)


def _display_name(user: object) -> str:
    profile = getattr(user, "staff", None)
    return str(getattr(profile, "display_name", "") or "")


def _require_reviewer(actor: Actor, case: Case, deciding: Issuer) -> Any:
    """行政处罚法第五十八条: the reviewer holds the legal-review post of ``deciding`` — the organ whose act is
    reviewed — and took no part in the investigation.

    第五十八条第一款 puts the review "在行政机关负责人作出行政处罚的决定之前" by "从事行政处罚决定法制审核的
    人员", and its second paragraph speaks of "行政机关中初次从事行政处罚决定法制审核的人员": the review is
    done inside the organ that decides. 国办发〔2018〕118号 (重大执法决定法制审核制度) has each organ name its own
    review body ("明确具体负责本单位重大执法决定法制审核的工作机构"). So the review of the case's proposed
    handling is the case authority's, and the review of a penalty another organ decides (电力法第七十一条:
    the 能源局) is that organ's: a 发改委 reviewer may not sign it, nor a reviewer of another city's organ.
    A reviewer's organ is their department's authority at their jurisdiction (the case authority when
    they name no department; :func:`documents.authority.staff_organ`)."""
    reviewer = user_or_none(actor)
    if reviewer is None:
        raise DomainError(
            "cases.reviewer_required", "法制审核须由具体人员进行", "a named reviewer is required"
        )
    profile = getattr(reviewer, "staff", None)
    if profile is None or not profile.legal_reviewer:
        raise DomainError(
            "cases.reviewer_not_qualified",
            "法制审核须由法制审核岗位人员进行（行政处罚法第五十八条）",
            "the legal review needs a holder of the legal-review post (Art. 58)",
        )
    require_staff_of(
        profile,
        case,
        deciding.name,
        "cases.reviewer_other_organ",
        f"该法制审核须由{deciding.name}的法制审核人员进行（行政处罚法第五十八条）",
        f"This review belongs to a legal reviewer of {deciding.name} (Administrative Penalty Law Art. 58)",
    )
    if reviewer.pk in _officers(case):
        raise DomainError(
            "cases.reviewer_is_investigator",
            "法制审核人员不能是本案承办人或处理意见起草人",
            "the legal reviewer cannot be an investigator or the drafter of this case",
        )
    return reviewer


def _officers(case: Case) -> set[int]:
    ids = {case.lead_officer_id, case.second_officer_id}
    determination = Determination.objects.filter(case=case).first()
    if determination is not None:
        ids.add(determination.drafted_by_id)
    return {i for i in ids if i is not None}


# -- legal review --------------------------------------------------------------------------------------
@transaction.atomic
def legal_review_record(*, actor: Actor, case: Case, approve: bool, opinion: str) -> LegalReview:
    """法制审核 (Art. 58) by someone who did not investigate the case: approve → notice; return → investigating."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_case_scope(actor, case)  # the organ is _require_reviewer's to check, with its own refusal
    require_stage(case, Case.Stage.LEGAL_REVIEW, doing_zh="进行法制审核", doing_en="review it")
    reviewer = _require_reviewer(actor, case, case_issuer(case))
    opinion = required_text(opinion, "审核意见", "The review opinion", min_length=2)
    review = LegalReview.objects.create(
        case=case,
        reviewer=reviewer,
        outcome=LegalReview.Outcome.APPROVED if approve else LegalReview.Outcome.RETURNED,
        opinion=opinion,
    )
    determination = case.determination
    determination.status = Determination.Status.APPROVED if approve else Determination.Status.RETURNED
    determination.save(update_fields=["status", "updated_at"])
    case.stage = Case.Stage.NOTICE if approve else Case.Stage.INVESTIGATING
    case.save()
    if approve:
        tracks_start(actor=actor, case=case)
    record(
        actor=actor,
        action="cases.case.review",
        target=case,
        case=case,
        before={"stage": Case.Stage.LEGAL_REVIEW},
        after={"stage": case.stage, "outcome": review.outcome},
        detail={"opinion": opinion},
        note=f"{review.get_outcome_display()}：{opinion}",
    )
    if approve:
        _maybe_decided(case, actor)
    return review


# -- act numbers -----------------------------------------------------------------------------------------
PaperScan = tuple[str, str, bytes]  # file name, content type, content


def _act_number(
    actor: Actor,
    case: Case,
    kind: str,
    pk: int,
    act_date: dt.date,
    paper_number: str,
    paper_scan: PaperScan | None,
) -> str:
    """The act's one number: allocated by the documents app, or recorded from the paper original."""
    target = f"{kind}:{pk}"
    if (paper_number or "").strip() or paper_scan is not None:
        return act_record_paper(
            actor=actor,
            case=case,
            kind=kind,
            target=target,
            number=paper_number,
            act_date=act_date,
            scan=paper_scan,
        ).number
    return act_number_issue(actor=actor, case=case, kind=kind, target=target, act_date=act_date).number


# -- notices and hearings --------------------------------------------------------------------------------
def active_notice(party: CaseParty) -> Notice | None:
    return party.notices.filter(superseded=False).order_by("-id").first()


@transaction.atomic
def notice_issue(
    *,
    actor: Actor,
    case: Case,
    party: CaseParty,
    intended_penalty: str,
    served_on: dt.date | None = None,
    hearing_eligible: bool | None = None,
    service_method: str = "direct",
    intended_fine_yuan: Decimal | str | int | None = None,
    paper_number: str = "",
    paper_scan: PaperScan | None = None,
) -> Notice:
    """Serve a 告知书 on one party with a penalty track; the statement (陈述申辩) and hearing-request
    deadlines are 5 working days after service (行政处罚法第六十四条、第八十五条). The hearing right is
    the track's, derived from the penalty (第六十三条): with ``intended_fine_yuan`` the fine is compared with
    the pack's 较大数额 for the party's kind; a penalty that is not a fine keeps the track's derived right.
    ``hearing_eligible`` is ignored (kept for callers): the right is derived, never ticked. Its number is
    allocated by the documents app (or, for a notice issued on paper, recorded from it with its scan).

    行政处罚法第四十四条 (拟作出的行政处罚内容): where the party's penalty is a fine, the notice states the
    intended amount, stored on the notice (``intended_fine_yuan``); it must be positive and within the
    statutory range the pack and the case's calculation give (电力法第七十一条: 应交电费五倍以下)."""
    require_stage(case, Case.Stage.NOTICE, doing_zh="送达告知书", doing_en="serve a notice")
    if party.case_id != case.pk:
        raise DomainError("cases.wrong_case", "当事人不属于本案", "the party belongs to another case")
    require_penalty_officer(actor, case, party, "送达行政处罚告知书", "serve the penalty notice")
    if active_notice(party) is not None:
        raise TransitionError(
            "cases.notice_exists",
            f"已向“{party.name}”送达告知书",
            f"a notice was already served on '{party.name}'",
        )
    track = require_party_track(party, "penalty", "送达行政处罚告知书", "serve a penalty notice")
    if track.step == "filing":
        raise TransitionError(
            "cases.penalty_not_filed",
            f"须先由{track.authority_name or track.authority}对“{party.name}”立案，再送达告知书"
            "（行政处罚法第五十四条：作出处罚的机关立案调查）",
            f"{track.authority_name or track.authority} must first file its own case on '{party.name}' "
            "before serving the notice (Art. 54: the deciding authority files the case)",
        )
    intended_penalty = required_text(intended_penalty, "拟处罚内容", "The intended penalty")
    # Paper-world events are often entered later: any day from filing to today is accepted; after the
    # penalty authority's own filing when it has one.
    served = day_not_after_today(
        served_on, "送达日期", "The service date", not_before=track.filed_on or case.filed_on
    )
    require_no_criminal_hold(party, served, "送达行政处罚告知书", "serve the penalty notice")
    due = with_policy(hearing_request_deadline, served)
    intended_fine = _intended_fine(party, _money(intended_fine_yuan))
    right = bool(track.hearing_right)
    if intended_fine is not None and track.hearing_right is not None:
        penalty_type = next(
            (str(a.get("penalty_type")) for a in track.actions if a.get("penalty_type")), "fine"
        )
        right, track.hearing_reason, track.hearing_reason_en = hearing_right(
            load_pack(case.pack),
            penalty_type,
            organisation=party.category in ORGANISATION_CATEGORIES,
            amount=intended_fine,
        )
        track.hearing_right = right
        track.discussion_required = right
        track.save()
    advance(track, "notice_issue")
    # 行政处罚法第六十三条: the right is derived from the penalty (track.hearing_right), never ticked.
    notice = Notice.objects.create(
        case=case,
        party=party,
        intended_penalty=intended_penalty,
        intended_fine_yuan=intended_fine,
        hearing_eligible=right,
        served_on=served,
        service_method=(service_method or "direct")[:40],
        defence_deadline=due,
        hearing_request_deadline=due,
        created_by=user_or_none(actor) or case.lead_officer,
    )
    notice.number = _act_number(actor, case, "notice", notice.pk, served, paper_number, paper_scan)
    notice.save(update_fields=["number"])
    record(
        actor=actor,
        action="cases.notice.issue",
        target=notice,
        case=case,
        after={
            "number": notice.number,
            "served_on": served.isoformat(),
            "deadline": due.isoformat(),
            "intended_fine_yuan": str(intended_fine or ""),
        },
        note=f"{party.name}：{notice.number}"
        + (f"，拟罚款 {intended_fine:,.2f} 元" if intended_fine is not None else "")
        + f"，陈述申辩/听证申请截止 {due.isoformat()}",
    )
    return notice


def _intended_fine(party: CaseParty, amount: Decimal | None) -> Decimal | None:
    """The intended fine of a notice, checked (行政处罚法第四十四条: the notice states the intended penalty,
    so a fine's amount; 第四条、第三十八条: within the range the law gives)."""
    if not penalty_is_fine(party):
        if amount is not None:
            raise DomainError(
                "cases.fine_not_intended",
                f"“{party.name}”拟作出的行政处罚不是罚款，不应填写拟罚款金额",
                f"the penalty intended for '{party.name}' is not a fine: leave the intended fine empty",
            )
        return None
    if amount is None:
        raise DomainError(
            "cases.fine_required",
            "拟作出的行政处罚为罚款，告知书须写明拟罚款金额（行政处罚法第四十四条）",
            "the intended penalty is a fine: the notice must state its amount (Art. 44)",
        )
    if amount <= 0:
        raise DomainError(
            "cases.fine_not_positive", "拟罚款金额应大于零", "the intended fine must be more than zero"
        )
    _within_range(party, amount, "拟罚款金额", "the intended fine")
    return amount


def _within_range(party: CaseParty, amount: Decimal, what_zh: str, what_en: str) -> None:
    """Refuse a fine outside the statutory range the pack and the case's calculation give — and a fine whose
    range is a multiple of the charges owed (电力法第七十一条 "追缴电费并处应交电费五倍以下的罚款") while the
    case has not computed those charges: such a fine could be any amount, the 追缴电费 it comes with names
    none, and no reviewer could say it is within the law (行政处罚法第四条、第三十八条, as for the range
    itself; 第五条第二款: a penalty matches the facts, and here the charges owed are those facts)."""
    found = fine_range(party)
    if found is None:
        return
    if found.multiple is not None and found.base_yuan is None:
        raise DomainError(
            "cases.charges_owed_unknown",
            f"{found.citation}规定的罚款以应交电费为基数（应交电费{found.multiple:g}倍以下），本案尚未核算"
            f"“{party.name}”的窃电量及应交电费：请先完成窃电追补核算，再确定{what_zh}",
            f"the fine under {found.citation} is a multiple of the charges owed ({found.multiple:g}×), and the "
            f"case has not computed what '{party.name}' owes: run the electricity-theft calculation first",
        )
    if found.ceiling is not None and amount > found.ceiling:
        reason_zh = (
            f"应交电费{found.base_yuan:,.2f}元的{found.multiple:g}倍以下"
            if found.base_yuan is not None and found.multiple is not None
            else "法定上限"
        )
        raise DomainError(
            "cases.fine_above_range",
            f"{what_zh}{amount:,.2f}元超过{found.citation}规定的幅度（{reason_zh}，即不超过"
            f"{found.ceiling:,.2f}元）",
            f"{what_en} of {amount:,.2f} yuan exceeds the statutory ceiling of {found.ceiling:,.2f} yuan "
            f"({found.citation})",
        )
    if found.floor is not None and amount < found.floor:
        raise DomainError(
            "cases.fine_below_range",
            f"{what_zh}{amount:,.2f}元低于{found.citation}规定的下限{found.floor:,.2f}元",
            f"{what_en} of {amount:,.2f} yuan is below the statutory minimum of {found.floor:,.2f} yuan",
        )


def _on_track(party: CaseParty, action: str, on: dt.date | None = None) -> None:
    """The statement/hearing steps are self-loops of the penalty track's "rights" step: the table decides
    whether they are open (services enforce it; the specific checks above give the precise reason)."""
    track = party.tracks.filter(kind="penalty").first()
    if track is not None:
        advance(track, action, flags=track_flags(track, on))


def _open_notice(notice: Notice, doing_zh: str, doing_en: str) -> Case:
    case = notice.case
    require_stage(case, Case.Stage.NOTICE, doing_zh=doing_zh, doing_en=doing_en)
    if notice.superseded or notice.decisions.exists():
        raise TransitionError(
            "cases.notice_closed",
            "该告知书已失效或已作出决定",
            "this notice is superseded or already decided",
        )
    return case


@transaction.atomic
def notice_statement_record(
    *, actor: Actor, notice: Notice, statement: str, received_on: dt.date | None = None
) -> Notice:
    """Record the party's statement and defence (陈述申辩). Late ones are kept and flagged in the log."""
    case = _open_notice(notice, "记录陈述申辩", "record a statement")
    require_penalty_officer(actor, case, notice.party, "记录陈述申辩", "record a statement")
    statement = required_text(statement, "陈述申辩内容", "The statement")
    received = day_not_after_today(received_on, "收到日期", "The date received", not_before=notice.served_on)
    _on_track(notice.party, "statement_record", received)
    notice.statement = statement
    notice.statement_received_on = received
    notice.save()
    late = received > notice.defence_deadline
    record(
        actor=actor,
        action="cases.notice.statement",
        target=notice,
        case=case,
        after={"received_on": received.isoformat(), "late": late},
        note=f"{notice.party.name} 陈述申辩{'（逾期）' if late else ''}",
    )
    return notice


@transaction.atomic
def notice_hearing_request(*, actor: Actor, notice: Notice, requested_on: dt.date | None = None) -> Notice:
    """The party asks for a hearing; refused after the 5-working-day period or if the penalty gives no right."""
    case = _open_notice(notice, "登记听证申请", "record a hearing request")
    require_penalty_officer(actor, case, notice.party, "登记听证申请", "record a hearing request")
    if not notice.hearing_eligible:
        raise TransitionError(
            "cases.hearing_not_available",
            "拟作出的处罚不属于听证范围（行政处罚法第六十三条）",
            "the intended penalty carries no right to a hearing (Art. 63)",
        )
    if notice.hearing_requested or notice.rights_waived:
        raise TransitionError(
            "cases.hearing_already_handled",
            "已登记听证申请或放弃声明",
            "a request or waiver is already on record",
        )
    requested = day_not_after_today(requested_on, "申请日期", "The request date", not_before=notice.served_on)
    if requested > notice.hearing_request_deadline:
        raise TransitionError(
            "cases.hearing_request_late",
            f"听证申请已超过期限（{notice.hearing_request_deadline.isoformat()}，告知后五个工作日）",
            f"the hearing request is late (deadline {notice.hearing_request_deadline.isoformat()}, "
            "5 working days after the notice)",
        )
    _on_track(notice.party, "hearing_request", requested)
    notice.hearing_requested = True
    notice.hearing_requested_on = requested
    notice.save()
    record(
        actor=actor,
        action="cases.notice.hearing_request",
        target=notice,
        case=case,
        after={"requested_on": requested.isoformat()},
        note=f"{notice.party.name} 申请听证",
    )
    return notice


@transaction.atomic
def notice_rights_waive(*, actor: Actor, notice: Notice, note: str = "") -> Notice:
    """The party waived statement and hearing in writing (书面放弃); the decision need not wait."""
    case = _open_notice(notice, "登记放弃权利", "record a waiver")
    require_penalty_officer(actor, case, notice.party, "登记放弃权利", "record a waiver")
    if notice.hearing_requested:
        raise TransitionError(
            "cases.hearing_already_requested",
            "当事人已申请听证，不能登记放弃",
            "the party already asked for a hearing",
        )
    _on_track(notice.party, "rights_waive")
    notice.rights_waived = True
    notice.save()
    record(
        actor=actor,
        action="cases.notice.waive",
        target=notice,
        case=case,
        after={"rights_waived": True},
        detail={"note": note},
        note=f"{notice.party.name} 书面放弃陈述申辩和听证",
    )
    return notice


@transaction.atomic
def hearing_schedule(
    *,
    actor: Actor,
    notice: Notice,
    scheduled_on: dt.date,
    place: str,
    presiding_officer: str,
    notified_on: dt.date | None = None,
) -> Hearing:
    """Schedule the hearing; the party must be notified at least 7 working days before it (Art. 64)."""
    case = _open_notice(notice, "安排听证", "schedule a hearing")
    require_penalty_officer(actor, case, notice.party, "安排听证", "schedule a hearing")
    if not notice.hearing_requested:
        raise TransitionError(
            "cases.hearing_not_requested", "当事人未申请听证", "the party did not ask for a hearing"
        )
    if hasattr(notice, "hearing"):
        raise TransitionError("cases.hearing_exists", "已安排听证", "a hearing is already scheduled")
    place = required_text(place, "听证地点", "The place")
    presiding = required_text(presiding_officer, "听证主持人", "The presiding officer")
    investigators = [case.lead_officer, case.second_officer]
    names = {n for u in investigators if u is not None for n in (u.get_username(), _display_name(u)) if n}
    if any(name in presiding for name in names):
        raise DomainError(
            "cases.presiding_is_investigator",
            "听证主持人不能是本案调查人员（行政处罚法第六十四条）",
            "the presiding officer cannot be an investigator of this case (Art. 64)",
        )
    notified = day_not_after_today(
        notified_on, "通知日期", "The notification date", not_before=notice.served_on
    )
    latest = with_policy(hearing_notice_latest, scheduled_on)
    if notified > latest:
        raise DomainError(
            "cases.hearing_notice_late",
            f"应在听证七个工作日前通知当事人：{scheduled_on.isoformat()} 的听证最迟 {latest.isoformat()} 通知",
            f"the party must be notified 7 working days ahead: for {scheduled_on.isoformat()} "
            f"notify by {latest.isoformat()}",
            latest=latest.isoformat(),
        )
    _on_track(notice.party, "hearing_schedule")
    hearing = Hearing.objects.create(
        notice=notice,
        scheduled_on=scheduled_on,
        notified_on=notified,
        place=place[:200],
        presiding_officer=presiding[:60],
        created_by=user_or_none(actor) or case.lead_officer,
    )
    record(
        actor=actor,
        action="cases.hearing.schedule",
        target=hearing,
        case=case,
        after={"on": scheduled_on.isoformat(), "notified_on": notified.isoformat()},
        note=f"{notice.party.name} 听证 {scheduled_on.isoformat()} {hearing.place}",
    )
    return hearing


@transaction.atomic
def hearing_conclude(
    *, actor: Actor, hearing: Hearing, held: bool, record_text: str, held_on: dt.date | None = None
) -> Hearing:
    """Record that the hearing was held (with the record's summary) or withdrawn by the party."""
    case = _open_notice(hearing.notice, "记录听证结果", "record the hearing")
    require_penalty_officer(actor, case, hearing.notice.party, "记录听证结果", "record the hearing")
    if hearing.status != Hearing.Status.SCHEDULED:
        raise TransitionError("cases.hearing_done", "该听证已有结果", "this hearing is already concluded")
    _on_track(hearing.notice.party, "hearing_conclude")
    text = required_text(record_text, "听证笔录摘要或撤回说明", "The record or the withdrawal note")
    if held:
        day = day_not_after_today(held_on, "举行日期", "The hearing date", not_before=hearing.notified_on)
        hearing.held_on = day
    hearing.status = Hearing.Status.HELD if held else Hearing.Status.WITHDRAWN
    hearing.record = text
    hearing.save()
    record(
        actor=actor,
        action="cases.hearing.conclude",
        target=hearing,
        case=case,
        after={"status": hearing.status},
        note=f"{hearing.notice.party.name} 听证{hearing.get_status_display()}",
    )
    return hearing


def notice_blockers(notice: Notice, on: dt.date) -> list[tuple[str, str]]:
    """Why a decision cannot yet be made on ``notice``'s party on day ``on`` (empty → it can)."""
    if notice.rights_waived:
        return []
    blockers: list[tuple[str, str]] = []
    if on <= notice.defence_deadline and not notice.statement_received_on:
        blockers.append(
            (
                f"陈述申辩期限 {notice.defence_deadline.isoformat()} 尚未届满",
                f"the statement period runs until {notice.defence_deadline.isoformat()}",
            )
        )
    if notice.hearing_eligible and not notice.hearing_requested and on <= notice.hearing_request_deadline:
        blockers.append(
            (
                f"听证申请期限 {notice.hearing_request_deadline.isoformat()} 尚未届满",
                f"the hearing-request period runs until {notice.hearing_request_deadline.isoformat()}",
            )
        )
    if notice.hearing_requested:
        hearing = getattr(notice, "hearing", None)
        if hearing is None or hearing.status == Hearing.Status.SCHEDULED:
            blockers.append(("当事人申请的听证尚未举行", "the requested hearing has not been held"))
    return blockers


# -- legal review before the decision and collective discussion ----------------------------------------
@transaction.atomic
def penalty_review_record(*, actor: Actor, party: CaseParty, approve: bool, opinion: str) -> LegalReview:
    """法制审核 of one party's penalty before the decision (行政处罚法第五十八条), after the statement period
    or the hearing (again after a hearing: 第五十八条第一款第二项). Approved → collective discussion where
    required (第五十七条), else the decision; returned → the track stays, the opinion is on record."""
    case = Case.objects.select_for_update().get(pk=party.case_id)
    track = require_party_track(party, "penalty", "进行决定前法制审核", "review before the decision")
    reviewer = _require_reviewer(actor, case, penalty_issuer(case, party))  # the organ its documents name
    opinion = required_text(opinion, "审核意见", "The review opinion", min_length=2)
    flags = track_flags(track)
    if approve or "penalty_review" not in allowed_actions(track.kind, track.step, flags):
        advance(track, "penalty_review", flags=flags)  # a refusal names the allowed actions
    review = LegalReview.objects.create(
        case=case,
        party=party,
        reviewer=reviewer,
        outcome=LegalReview.Outcome.APPROVED if approve else LegalReview.Outcome.RETURNED,
        opinion=opinion,
    )
    record(
        actor=actor,
        action="cases.penalty.review",
        target=review,
        case=case,
        after={"outcome": review.outcome, "step": track.step},
        detail={"opinion": opinion},
        note=f"{party.name} 决定前法制审核：{review.get_outcome_display()}：{opinion}",
    )
    return review


@transaction.atomic
def discussion_record(
    *,
    actor: Actor,
    party: CaseParty,
    participants: str,
    minutes: str,
    conclusion: str,
    held_on: dt.date | None = None,
) -> CollectiveDiscussion:
    """集体讨论 by the heads of the authority (行政处罚法第五十七条) with its minutes; then the decision."""
    case = Case.objects.select_for_update().get(pk=party.case_id)
    require_penalty_officer(actor, case, party, "记录集体讨论", "record the collective discussion")
    track = require_party_track(party, "penalty", "记录集体讨论", "record the discussion")
    participants = required_text(participants, "参加人员", "The participants", min_length=2)
    minutes = required_text(minutes, "会议纪要", "The minutes", min_length=4)
    conclusion = required_text(conclusion, "讨论决定", "The conclusion", min_length=2)
    day = day_not_after_today(held_on, "讨论日期", "The date", not_before=case.filed_on)
    advance(track, "discussion_record")
    discussion = CollectiveDiscussion.objects.create(
        case=case,
        party=party,
        held_on=day,
        participants=participants[:300],
        minutes=minutes,
        conclusion=conclusion,
        recorded_by=user_or_none(actor) or case.lead_officer,
    )
    record(
        actor=actor,
        action="cases.penalty.discussion",
        target=discussion,
        case=case,
        after={"held_on": day.isoformat()},
        note=f"{party.name} 集体讨论：{conclusion}",
    )
    return discussion


# -- decisions and tasks -----------------------------------------------------------------------------
def _money(value: Decimal | str | int | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0 or amount > Decimal("999999999999"):
        raise DomainError("cases.bad_amount", "罚款金额应为非负数", "the fine must be a non-negative number")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def case_decision_extend(*, actor: Actor, case: Case, reason: str) -> Case:
    """Extend the 90-day decision period once, by the days of the rule the pack names (行政处罚法第六十条:
    "法律、法规、规章另有规定的，从其规定" — without such a rule there is no extension)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_case_officer(actor, case)
    require_stage(
        case,
        Case.Stage.INVESTIGATING,
        Case.Stage.LEGAL_REVIEW,
        Case.Stage.NOTICE,
        doing_zh="延长决定期限",
        doing_en="extend the decision period",
    )
    reason = required_text(reason, "延期批准情况", "The approval and reason", min_length=6)
    procedure = load_pack(case.pack).procedure
    if procedure is None or not procedure.decision_extension_days:
        raise TransitionError(
            "cases.extension_not_allowed",
            "政策包未列明允许延长决定期限的法律、法规或规章（行政处罚法第六十条），不能延期",
            "the pack names no law, regulation or rule allowing a longer decision period (Art. 60)",
        )
    if case.decision_due_extended:
        raise TransitionError(
            "cases.already_extended", "决定期限已延长过", "the decision period was already extended"
        )
    before = case.decision_due
    case.decision_due = before + dt.timedelta(days=procedure.decision_extension_days)
    case.decision_due_extended = True
    case.save()
    record(
        actor=actor,
        action="cases.case.extend",
        target=case,
        case=case,
        before={"decision_due": before.isoformat()},
        after={"decision_due": case.decision_due.isoformat()},
        detail={"reason": reason, "rule": procedure.decision_extension_rule},
        note=f"{reason}（依据：{procedure.decision_extension_rule}）",
    )
    return case


def require_within_decision_period(case: Case, day: dt.date) -> None:
    """Refuse a decision after the period of 行政处罚法第六十条 (ninety days from filing, as extended; the
    criminal proceedings' days left out only under the pack's rule: :func:`.criminal.decision_period`)."""
    period = decision_period(case, day)
    if day <= period.due:
        return
    due = period.due.isoformat()
    zh, en = (
        f"已超过决定期限 {due}（立案之日起九十日）",
        f"past the decision deadline {due} (90 days from filing)",
    )
    if period.criminal_days:
        zh, en = f"{zh}；{period.note_zh}", f"{en}; {period.note_en}"
    raise TransitionError("cases.decision_overdue", zh, en)


@transaction.atomic
def decision_issue(
    *,
    actor: Actor,
    case: Case,
    party: CaseParty,
    facts_and_evidence: str,
    penalty_and_basis: str,
    compliance: str,
    appeal_route: str,
    authority: str = "",
    fine_yuan: Decimal | str | int | None = None,
    fine_change_reason: str = "",
    decided_on: dt.date | None = None,
    sealed: bool = True,
    paper_number: str = "",
    paper_scan: PaperScan | None = None,
) -> Decision:
    """Decide one party's penalty (行政处罚决定书, Art. 59) in the name of the authority that holds the
    power (the track's, from the pack; a different ``authority`` is refused). Only on the party's penalty
    track, after its legal review (and collective discussion where required); refused before the
    statement/hearing periods end or after the decision deadline. A fine at or above the regional 较大数额
    needs a notice that granted the hearing right (第六十三条). A fine or confiscation of a party suspected of
    a crime waits for the referral and its outcome (:mod:`.criminal`: 行政处罚法第二十七条、第八十二条,
    国务院令第310号第十一条). Other tracks are not touched: they run on their own. When every penalty party is
    decided, the case moves to "decided"."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_stage(case, Case.Stage.NOTICE, doing_zh="作出处罚决定", doing_en="decide")
    if party.case_id != case.pk:
        raise DomainError("cases.wrong_case", "当事人不属于本案", "the party belongs to another case")
    require_penalty_officer(actor, case, party, "作出行政处罚决定", "issue the penalty decision")
    track = require_party_track(party, "penalty", "作出行政处罚决定", "issue a penalty decision")
    notice = active_notice(party)
    if notice is None:
        raise TransitionError(
            "cases.no_notice",
            f"作出决定前须向“{party.name}”送达告知书（行政处罚法第四十四条）",
            f"serve a notice on '{party.name}' before deciding (Art. 44)",
        )
    if notice.decisions.exists():
        raise TransitionError(
            "cases.already_decided", f"已对“{party.name}”作出决定", f"'{party.name}' is already decided"
        )
    day = day_not_after_today(decided_on, "决定日期", "The decision date", not_before=notice.served_on)
    require_no_criminal_hold(party, day, "作出行政处罚决定", "issue the penalty decision")
    blockers = notice_blockers(notice, day)
    if blockers:
        raise TransitionError(
            "cases.rights_period_running",
            "暂不能作出决定：" + "；".join(b[0] for b in blockers),
            "cannot decide yet: " + "; ".join(b[1] for b in blockers),
        )
    require_within_decision_period(case, day)
    if authority.strip() and authority.strip() != track.authority_name:
        raise DomainError(
            "cases.wrong_authority",
            f"行政处罚应由有权机关“{track.authority_name}”作出，不能以“{authority.strip()}”名义决定",
            f"the penalty is for '{track.authority_name}' to decide, not '{authority.strip()}'",
        )
    fine = _money(fine_yuan)
    if fine is not None and not notice.hearing_eligible:
        right, reason_zh, reason_en = hearing_right(
            load_pack(case.pack), "fine", organisation=party.category in ORGANISATION_CATEGORIES, amount=fine
        )
        if right:
            raise DomainError(
                "cases.fine_needs_hearing",
                f"{reason_zh}；告知书未告知听证权，须重新告知",
                f"{reason_en}; the notice gave no hearing right: serve a new notice",
            )
    reason = ""
    if fine is not None:
        _decided_fine_allowed(party, notice, fine)
        reason = _fine_change_reason(notice, fine, fine_change_reason)
    fields = {
        "facts_and_evidence": required_text(facts_and_evidence, "违法事实和证据", "The facts and evidence"),
        "penalty_and_basis": required_text(penalty_and_basis, "处罚种类和依据", "The penalty and its basis"),
        "compliance": required_text(compliance, "履行方式和期限", "How and by when to comply"),
        "appeal_route": required_text(appeal_route, "复议、诉讼途径和期限", "The appeal route and deadline"),
    }
    advance(track, "decision_issue")
    decision = Decision.objects.create(
        case=case,
        party=party,
        notice=notice,
        fine_yuan=fine,
        fine_change_reason=reason,
        decided_on=day,
        sealed=sealed,
        service_deadline=with_policy(service_deadline, day),
        decided_by=user_or_none(actor) or case.lead_officer,
        authority=track.authority_name[:120],
        **fields,
    )
    decision.number = _act_number(actor, case, "decision", decision.pk, day, paper_number, paper_scan)
    decision.save(update_fields=["number"])
    record(
        actor=actor,
        action="cases.decision.issue",
        target=decision,
        case=case,
        after={"number": decision.number, "party": party.pk, "fine_yuan": str(decision.fine_yuan or "")},
        note=f"{party.name}：{decision.number}（{track.authority_name}）",
    )
    _maybe_decided(case, actor)
    return decision


def _decided_fine_allowed(party: CaseParty, notice: Notice, fine: Decimal) -> None:
    """A decided fine stays within the statutory range and never exceeds the fine the notice announced:
    行政处罚法第四十五条第二款 (不得因当事人陈述、申辩而给予更重的处罚) — after the statement or hearing
    the authority may lower the fine, not raise it. A heavier penalty on new facts needs a new notice
    (第四十四条), which the platform does not let a decision skip."""
    _within_range(party, fine, "决定罚款金额", "the decided fine")
    intended = notice.intended_fine_yuan
    if intended is not None and fine > intended:
        raise DomainError(
            "cases.fine_above_notice",
            f"决定罚款{fine:,.2f}元高于告知书（{notice.number}）拟罚款{intended:,.2f}元：不得因当事人陈述、"
            "申辩而给予更重的处罚（行政处罚法第四十五条第二款）；如有新的事实须加重处罚，应当重新告知",
            f"the decided fine of {fine:,.2f} yuan is above the {intended:,.2f} yuan the notice "
            f"({notice.number}) announced: a statement or defence may never lead to a heavier penalty "
            "(Art. 45(2)); serve a new notice if new facts call for more",
        )


def _fine_change_reason(notice: Notice, fine: Decimal, given: str) -> str:
    """The reason a decided fine is lower than the notice's, required and kept for the 决定书: 行政处罚法
    第四十五条第一款 (the authority reviews the party's statement and adopts what is established) and
    第五条第二款 (过罚相当) — a lower fine is an act that states why, never a silent change. Nothing is kept
    when the fine is the one announced."""
    intended = notice.intended_fine_yuan
    if intended is None or fine >= intended:
        return ""
    return required_text(
        given,
        f"罚款由告知书所载{intended:,.2f}元减为{fine:,.2f}元的理由（行政处罚法第四十五条第一款）",
        f"The reason the fine is lower than the {intended:,.2f} yuan the notice announced (Art. 45(1))",
        min_length=6,
    )


def _maybe_decided(case: Case, actor: Actor) -> None:
    """The case is "decided" once no penalty track waits for its decision (other tracks run on)."""
    if case.stage != Case.Stage.NOTICE:
        return
    waiting = case.tracks.filter(kind="penalty").exclude(step__in=["service", "enforcement", "ended"])
    if waiting.exists():
        return
    case.stage = Case.Stage.DECIDED
    case.save()
    record(
        actor=actor,
        action="cases.case.decided",
        target=case,
        case=case,
        before={"stage": Case.Stage.NOTICE},
        after={"stage": case.stage},
        note="全部行政处罚已作出决定，其余轨道各自办理 / every penalty decided; other tracks run on",
    )


def _party_deadline(
    compute: Callable[[dt.date], dt.date], start: dt.date, amount: int, unit: str, notes: list[str]
) -> dt.date:
    """A party's period that moves off rest days. Beyond the holiday calendar's last year the unmoved
    date is kept (the earliest the period can end) and a note asks for a manual check."""
    try:
        return compute(start)
    except WorkdayCalendarError:
        due = add_months(start, amount) if unit == "months" else add_calendar_days(start, amount)
        notes.append(f"{due.isoformat()} 超出节假日数据范围，如遇节假日应顺延，请人工核对")
        return due


@transaction.atomic
def decision_serve(*, actor: Actor, decision: Decision, served_on: dt.date | None = None) -> Decision:
    """Record service of the decision; payment (15 days), review (60 days) and lawsuit (6 months)
    deadlines run from it."""
    case = decision.case
    require_penalty_officer(actor, case, decision.party, "送达处罚决定书", "serve the penalty decision")
    if decision.served_on:
        raise TransitionError("cases.already_served", "决定书已送达", "the decision was already served")
    served = day_not_after_today(served_on, "送达日期", "The service date", not_before=decision.decided_on)
    track = Track.objects.filter(case=case, party=decision.party, kind="penalty").first()
    if track is not None:
        advance(track, "decision_serve")
    decision.served_on = served
    notes: list[str] = []
    decision.payment_deadline = (
        _party_deadline(payment_deadline, served, 15, "days", notes) if decision.fine_yuan else None
    )
    decision.appeal_deadline = _party_deadline(appeal_deadline, served, 60, "days", notes)
    decision.lawsuit_deadline = _party_deadline(lawsuit_deadline, served, 6, "months", notes)
    decision.save()
    late = served > decision.service_deadline
    record(
        actor=actor,
        action="cases.decision.serve",
        target=decision,
        case=case,
        after={"served_on": served.isoformat(), "late": late},
        detail={"notes": notes},
        note=f"{decision.number} 送达{'（超过七个工作日）' if late else ''}{'；'.join(notes)}",
    )
    return decision


# -- closure and follow-up ----------------------------------------------------------------------------
@transaction.atomic
def case_close(*, actor: Actor, case: Case, summary: str, closed_on: dt.date | None = None) -> Case:
    """Decided → closed (结案) once every track of every party has ended (each with its own outcome),
    every task is done or cancelled and every decision served. Schedules the 1-, 3- and 6-month checks."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    require_case_officer(actor, case)
    require_stage(case, Case.Stage.DECIDED, doing_zh="结案", doing_en="close it")
    summary = required_text(summary, "结案报告摘要", "The closing summary", min_length=4)
    problems: list[tuple[str, str]] = []
    open_tasks = case.tasks.filter(status=Task.Status.OPEN).count()
    if open_tasks:
        problems.append((f"{open_tasks} 项部门任务未办结", f"{open_tasks} department tasks are open"))
    if case.decisions.filter(served_on__isnull=True).exists():
        problems.append(("有决定书未送达", "a decision is not served"))
    if case.referrals.filter(status__in=[Referral.Status.PROPOSED, Referral.Status.APPROVED]).exists():
        problems.append(("有移送未决定或未移送", "a referral is undecided or not transferred"))
    running = tracks_open(case)
    if running:
        names = "、".join(f"{t.party.name}（{t.kind}）" for t in running)
        problems.append((f"尚有轨道未办结：{names}", f"tracks still running: {names}"))
    if problems:
        raise TransitionError(
            "cases.not_ready_to_close",
            "不能结案：" + "；".join(p[0] for p in problems),
            "cannot close: " + "; ".join(p[1] for p in problems),
        )
    day = day_not_after_today(closed_on, "结案日期", "The closing date", not_before=case.filed_on)
    case.stage = Case.Stage.CLOSED
    case.closed_on = day
    case.closing_summary = summary
    case.save()
    for months in FOLLOW_UP_MONTHS:
        FollowUpCheck.objects.create(case=case, months=months, due_on=add_months(day, months))
    record(
        actor=actor,
        action="cases.case.close",
        target=case,
        case=case,
        before={"stage": Case.Stage.DECIDED},
        after={"stage": case.stage, "closed_on": day.isoformat()},
        note=summary,
    )
    sync_report_status(case.lead, CLOSED_OUTCOME, concluded=True)
    return case


def _relapse_case(actor: Actor, case: Case, day: dt.date, findings: str) -> Case:
    """A new lead and case for the renewed mining, same division, officers and parties (without facts:
    they are established anew), linked to the decided case."""
    from minesweep.cases.services.leads import lead_create

    lead = lead_create(
        actor=user_or_none(actor) or "system",
        source=Lead.Source.INSPECTION,
        title=f"回头看发现再次挖矿（原案 {case.number}）"[:200],
        division=case.division,
        summary=findings,
        subject=case.lead.subject,
        power_account=case.lead.power_account,
    )
    lead.received_on = day
    lead.status = Lead.Status.FILED
    lead.verifier = case.lead_officer
    lead.decided_at = timezone.now()
    lead.save()
    new_case = Case.objects.create(
        number=next_yearly_number(Case, "AJ"),
        lead=lead,
        division_id=case.division_id,
        title=f"{case.title}（回头看再次发现）"[:200],
        pack=case.pack,
        lead_officer_id=case.lead_officer_id,
        second_officer_id=case.second_officer_id,
        filed_on=day,
        filing_reason=f"原案 {case.number} 回头看发现再次挖矿：{findings}",
        decision_due=with_policy(decision_deadline, day),
        predecessor=case,
    )
    for party in case.parties.all():
        CaseParty.objects.create(
            case=new_case,
            subject=party.subject,
            name=party.name,
            identifier=party.identifier,
            legal_representative=party.legal_representative,
            address=party.address,
            category=party.category,
            role=party.role,
            holdings=party.holdings,
        )
    record(
        actor=actor,
        action="cases.case.file",
        target=new_case,
        case=new_case,
        after={"number": new_case.number, "predecessor": case.number},
        note=f"回头看发现再次挖矿，关联原案 {case.number}（从重情节）",
    )
    return new_case


@transaction.atomic
def follow_up_record(
    *, actor: Actor, check: FollowUpCheck, relapse: bool, findings: str, checked_on: dt.date | None = None
) -> FollowUpCheck:
    """Record a 回头看. Mining found again opens a NEW case linked to this one (行政处罚法第二十九条: the
    decided case is never reopened); the remaining checks of this case are cancelled."""
    case = Case.objects.select_for_update().get(pk=check.case_id)
    require_case_officer(actor, case)
    require_stage(case, Case.Stage.CLOSED, doing_zh="记录回头看", doing_en="record a follow-up check")
    if check.status != FollowUpCheck.Status.SCHEDULED:
        raise TransitionError("cases.follow_up_done", "该次回头看已记录", "this check is already recorded")
    findings = required_text(findings, "检查情况", "The findings", min_length=4)
    assert case.closed_on is not None
    day = day_not_after_today(checked_on, "检查日期", "The check date", not_before=case.closed_on)
    check.status = FollowUpCheck.Status.FAILED if relapse else FollowUpCheck.Status.PASSED
    check.checked_on = day
    check.checked_by = user_or_none(actor)
    check.findings = findings
    check.save()
    record(
        actor=actor,
        action="cases.follow_up.record",
        target=check,
        case=case,
        after={"status": check.status, "months": check.months},
        note=f"{check.months} 个月回头看：{check.get_status_display()}",
    )
    if relapse:
        # 行政处罚法第二十九条 (一事不再罚): the decided case stays decided; mining found again is a new act
        # and a new case, linked to the old one as an aggravating circumstance.
        case.follow_ups.filter(status=FollowUpCheck.Status.SCHEDULED).update(
            status=FollowUpCheck.Status.CANCELLED
        )
        new_case = _relapse_case(actor, case, day, findings)
        check.new_case = new_case
        check.save(update_fields=["new_case"])
        case.reopened_count += 1
        case.save(update_fields=["reopened_count", "updated_at"])
        record(
            actor=actor,
            action="cases.case.relapse",
            target=case,
            case=case,
            after={"new_case": new_case.number},
            note=f"回头看发现再次挖矿，另案立案 {new_case.number}（原案不重新处理）：{findings}",
        )
        sync_report_status(case.lead, REOPENED_OUTCOME)
    return check
