"""Drive a lead through the workflow with the real services, stage by stage (used by the demo and tests).

Nothing here bypasses a rule: each step is the service an officer's click would call, so a scenario
that runs is itself evidence that the workflow holds together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from minesweep.cases import services
from minesweep.cases.models import Case, CaseParty, Lead, LegalReview, Referral, Task, Track
from minesweep.cases.selectors import credit_ground, penalty_is_fine
from minesweep.cases.services._common import today
from minesweep.cases.services.tracks import needs_own_filing
from minesweep.documents.wording import PENDING_BASIS, configured, decidable, facts_text
from minesweep.registry.uscc import make_uscc

# The fine the scenario's notices announce: at the organisations' 较大数额 of the shipped packs, so the notice
# grants the hearing right (行政处罚法第六十三条); the decision then fines less (第四十五条 allows only lower).
INTENDED_FINE_YUAN = "100000"
STAGES = (
    "open",
    "verifying",
    "not_filed",
    "investigating",
    "legal_review",
    "notice",
    "decided",
    "closed",
    "reopened",
)


@dataclass
class Crew:
    """Two investigators of the case's jurisdiction, a legal reviewer of the case authority who did not
    investigate, and one of the authority holding the penalty power where that is another organ (its
    penalty is reviewed by its own reviewer: procedure._require_reviewer)."""

    investigator: AbstractBaseUser
    second: AbstractBaseUser
    reviewer: AbstractBaseUser
    liaisons: Mapping[str, AbstractBaseUser] = field(default_factory=dict)
    penalty_reviewer: AbstractBaseUser | None = None
    penalty_officer: AbstractBaseUser | None = None
    credit_officer: AbstractBaseUser | None = None  # of the organ that lists (require_credit_officer)

    def _of_penalty_organ(self, party: CaseParty) -> bool:
        track = party.tracks.filter(kind="penalty").first()
        return track is not None and needs_own_filing(track)

    def reviewer_of(self, party: CaseParty) -> AbstractBaseUser:
        """Who reviews ``party``'s penalty before the decision: the penalty authority's reviewer when that
        authority is not the case's (:func:`tracks.needs_own_filing`), else the case's."""
        if self.penalty_reviewer is not None and self._of_penalty_organ(party):
            return self.penalty_reviewer
        return self.reviewer

    def officer_of(self, party: CaseParty) -> AbstractBaseUser:
        """Who records ``party``'s penalty steps (filing, notice, discussion, decision, service): an officer of
        the authority holding the power when it is not the case's (services.require_penalty_officer)."""
        if self.penalty_officer is not None and self._of_penalty_organ(party):
            return self.penalty_officer
        return self.investigator

    @property
    def lister(self) -> AbstractBaseUser:
        """Who records the listing's steps: the credit office's officer (the investigator where none is set,
        as for a case of the region's own 发改委, which is also its credit office)."""
        return self.credit_officer or self.investigator


@dataclass
class PartySpec:
    name: str
    category: str
    role: str = "operator"
    facts: tuple[str, ...] = ()
    identifier: str = ""
    # codes.HOLDINGS found on the party (None: presumed from the category; a registry subject adds its own)
    holdings: tuple[str, ...] | None = None
    # 住所: an act served on the party states it and is served there (行政处罚法第五十九、六十一条)
    address: str = ""
    # 法定代表人（负责人） of an organisation: its acts name it beside its name and address
    legal_representative: str = ""


def findings_against(party: CaseParty) -> str:
    """The scenario's facts found against one party of several, in words, from its fact codes."""
    facts = facts_text(party.facts) or "参与虚拟货币“挖矿”活动"
    return f"经查，{party.name}{facts}，有现场检查笔录、照片和用电数据等证据证明。"


DEFAULT_PARTIES = (
    PartySpec(
        "某矿业科技有限公司",
        "enterprise",
        "operator",
        ("mining_confirmed", "unapproved_power_connection"),
        # the scenario names no region (it runs under any pack): a firm registered elsewhere, a plain address
        make_uscc("9", "1", "110108", "MA0K0001"),
        # trading in the power market: its exit is the 发改委's own measure (a 处理决定书); the differential
        # tariff is the region's price authority's (a 建议函: route_action)
        holdings=("power_account", "market_participation"),
        address="某工业园区1号厂房",
    ),
)


#: The officers of the authority holding the penalty power who file its own case (行政处罚法第四十二条).
PENALTY_OFFICERS = "赵刚、钱伟"


def run(
    crew: Crew,
    lead: Lead,
    *,
    to: str,
    filed_on: dt.date,
    parties: tuple[PartySpec, ...] = DEFAULT_PARTIES,
    rigs: tuple[tuple[str, int], ...] = (("Antminer S19", 120),),
    kwh: int = 1_200_000,
    theft_kw: int | None = 400,
    police_accept: bool = False,
    theft_for: tuple[str, ...] = (),
) -> Case | Lead:
    """Take ``lead`` to stage ``to`` (one of STAGES). Dates are laid out from ``filed_on`` so that every
    statutory period has passed by "today"; ``filed_on`` must leave room (≥ 25 days ago is plenty).

    Each track goes by its own procedure: penalties by the authority holding the power (from the pack),
    measures by their letter, other authorities' powers by a 建议函, referrals decided by the head.
    "reopened" records a follow-up check that finds mining again: a new linked case (Art. 29).

    Referrals are decided and transferred as soon as the proposed handling is approved, before any notice
    (行政处罚法第二十七条; 国务院令第310号第十一条: no fine in place of a referral). The police answer
    "not accepted" (a theft amount presumed by the 供电营业规则 is not proof of the amount stolen) unless
    ``police_accept``; then a party's fine waits for the criminal outcome and its notice is not served, so
    ``police_accept`` takes a case no further than "notice"."""
    inv = crew.investigator
    if to == "open":
        return lead
    lead = services.lead_verification_start(actor=inv, lead=lead, notes="调取用电数据并现场摸排")
    if to == "verifying":
        return lead
    if to == "not_filed":
        return services.lead_not_file(
            actor=inv, lead=lead, reason="现场核实为正规数据中心业务，未发现挖矿行为"
        )
    case = services.lead_file(
        actor=inv,
        lead=lead,
        reason="用电曲线及现场摸排显示存在挖矿行为",
        second_officer=crew.second,
        filed_on=filed_on,
    )
    day = filed_on + dt.timedelta(days=1)
    inspection = services.inspection_record(
        actor=inv,
        case=case,
        inspected_on=day,
        place=lead.title,
        officers=f"{inv.get_username()}、{crew.second.get_username()}",
        checklist={
            "rigs_present": "yes",
            "pool_traffic": "yes",
            "power_approved": "no",
            "private_line": "yes",
        },
        findings="现场发现矿机成排运行，电源由私拉专线接入，网络连接矿池。",
    )
    services.evidence_add(
        actor=inv,
        case=case,
        kind="photo",
        description="现场矿机运行照片",
        collected_on=day,
        file=("site.txt", "text/plain", f"photo placeholder for {case.number}".encode()),
        inspection=inspection,
    )
    # A lead about a registered subject brings that subject in as the first party: give it the facts.
    made: list[CaseParty] = list(case.parties.all())
    for party, spec in zip(made, parties, strict=False):
        services.party_facts_set(actor=inv, party=party, facts=list(spec.facts))
    made += [
        services.party_add(
            actor=inv,
            case=case,
            name=spec.name,
            category=spec.category,
            role=spec.role,
            facts=list(spec.facts),
            identifier=spec.identifier,
            legal_representative=spec.legal_representative,
            address=spec.address,
            holdings=None if spec.holdings is None else list(spec.holdings),
        )
        for spec in parties[len(made) :]
    ]
    for model, count in rigs:
        services.rigs_seize(
            actor=inv,
            case=case,
            model=model,
            count=count,
            seized_on=day,
            party=made[0],
            inspection=inspection,
        )
    # The officer chooses 当量值 here (the pack's default basis is covered by the calculation tests).
    energy = {"kwh": kwh, "coefficient": "calorific"}
    services.calculation_run(actor=inv, case=case, kind="energy", inputs=energy, party=made[0])
    # The charges owed are computed for the party that took the power (its fine is a multiple of them,
    # 电力法第七十一条), not for whoever the lead named first (a park that only gave it a site); ``theft_for``
    # names others an officer computed them for anyway.
    for party in made:
        party.refresh_from_db(fields=["facts"])
    thieves = [p for p in made if p.name in theft_for or "unapproved_power_connection" in p.facts]
    for thief in thieves if theft_kw else ():
        services.calculation_run(
            actor=inv,
            case=case,
            kind="theft",
            inputs={"capacity_kw": theft_kw, "unknown_duration": True, "tariff_yuan_per_kwh": "0.50"},
            party=thief,
        )
    services.determination_evaluate(
        actor=inv,
        case=case,
        findings="当事人未经报批私自接入动力电源从事虚拟货币挖矿，证据确凿。",
        party_findings={p.pk: findings_against(p) for p in case.parties.all()} if len(made) > 1 else None,
    )
    if to == "investigating":
        case.refresh_from_db()
        return case
    services.determination_submit(actor=inv, case=case)
    if to == "legal_review":
        case.refresh_from_db()
        return case
    review = services.legal_review_record(
        actor=crew.reviewer, case=case, approve=True, opinion="事实清楚，证据确凿，适用依据正确"
    )
    served = filed_on + dt.timedelta(days=3)
    _review_on(review, served - dt.timedelta(days=1))
    refer(crew, case, on=filed_on + dt.timedelta(days=1), police_accept=police_accept)
    file_penalties(crew, case, on=served - dt.timedelta(days=1))
    penalised = [p for p in made if p.tracks.filter(kind="penalty").exists()]
    if police_accept:
        penalised = [p for p in penalised if services.criminal_hold(p, served) is None]
    for party in penalised:
        services.notice_issue(
            actor=crew.officer_of(party),
            case=case,
            party=party,
            intended_penalty="拟依据《中华人民共和国电力法》第七十一条责令停止违法行为、追缴电费并处罚款",
            # The amount the notice announces (Art. 44); the decision may lower it, never raise it (Art. 45).
            intended_fine_yuan=INTENDED_FINE_YUAN if penalty_is_fine(party) else None,
            served_on=served,
        )
    if to == "notice":
        case.refresh_from_db()
        return case
    decided_on = _after_the_parties_periods(case, served)
    for party in penalised:
        decide_penalty(crew, case, party, decided_on=decided_on)
    # A listing rests on a decision document with legal effect (国办发〔2020〕49号): the credit notices come
    # after the other tracks' decision letters, on the day the penalty decisions were served.
    for track in sorted(case.tracks.exclude(kind="penalty"), key=lambda t: t.kind == "credit"):
        start_track(
            crew, track, on=decided_on + dt.timedelta(days=1) if track.kind == "credit" else decided_on
        )
    if to == "decided":
        case.refresh_from_db()
        return case
    finish_tracks(crew, case)
    case = services.case_close(actor=inv, case=case, summary="各轨道均已办结，依法结案")
    if to == "closed":
        return case
    check = case.follow_ups.order_by("months").first()
    assert check is not None
    services.follow_up_record(
        actor=inv, check=check, relapse=True, findings="回头看发现现场恢复挖矿，另案立案调查"
    )
    case.refresh_from_db()
    return case


def file_penalties(crew: Crew, case: Case, on: dt.date | None = None) -> None:
    """Each penalty track whose power another authority holds is filed by that authority (行政处罚法第五十四条:
    its own 立案 before its 告知书), on ``on`` (default: today)."""
    for track in case.tracks.filter(kind="penalty", step="filing"):
        services.track_penalty_file(
            actor=crew.officer_of(track.party), track=track, officers=PENALTY_OFFICERS, filed_on=on
        )


def _after_the_parties_periods(case: Case, served: dt.date) -> dt.date:
    """The decision day: fifteen days after service, or later when a holiday such as 国庆 stretches the
    parties' five working days for statement and hearing request (行政处罚法第四十四、六十四条) beyond it."""
    latest = max(
        (
            max(notice.defence_deadline, notice.hearing_request_deadline)
            for notice in case.notices.filter(superseded=False)
        ),
        default=served,
    )
    return max(served + dt.timedelta(days=15), latest + dt.timedelta(days=1))


POLICE_NOT_ACCEPTED = "窃电数额系按《供电营业规则》推定，证据不足以认定盗窃数额较大。"


def refer(crew: Crew, case: Case, *, on: dt.date | None = None, police_accept: bool = False) -> None:
    """Decide, transfer and follow every proposed referral from ``on`` (the day after filing by default;
    report and decision that day, the transfer within 24 hours, the receipt the next day and the answer the
    same day: 国务院令第310号第五、六、八条), laid on the scenario's timeline like the legal reviews."""
    inv = crew.investigator
    on = on or case.filed_on + dt.timedelta(days=1)
    received = on + dt.timedelta(days=1)
    for referral in case.referrals.filter(status="proposed"):
        Referral.objects.filter(pk=referral.pk).update(reported_on=on, decision_due=on + dt.timedelta(days=3))
        decided_at = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
        referral = services.referral_decide(
            actor=inv, referral=referral, approve=True, reason="依法移送", decided_at=decided_at
        )
        referral = services.referral_transfer(
            actor=inv,
            referral=referral,
            receiving_organ=_receiving_organ(case, referral),
            documents=["referral_letter", "investigation_report", "exhibit_list"],
            transferred_at=decided_at + dt.timedelta(hours=6),
        )
        referral = services.referral_receipt(
            actor=inv, referral=referral, receipt_number=f"回执-{referral.pk}", received_on=received
        )
        _answer(crew, referral, accepted=police_accept or referral.kind != Referral.Kind.POLICE, on=received)


def _answer(crew: Crew, referral: Referral, *, accepted: bool, on: dt.date | None = None) -> None:
    """The receiving organ's answer; a police case opened takes the exhibits within 3 days (第十二条)."""
    referral = services.referral_answer(
        actor=crew.investigator,
        referral=referral,
        accepted=accepted,
        text="已立案" if accepted else POLICE_NOT_ACCEPTED,
        answered_on=on,
    )
    if referral.exhibits_due is not None:
        services.referral_exhibits_handover(
            actor=crew.investigator,
            referral=referral,
            note="扣押矿机及现场照片、用电数据等材料，交接清单双方签字",
            handed_over_on=min(referral.exhibits_due, today()),
        )


def _receiving_organ(case: Case, referral: Referral) -> str:
    """A track's referral goes to the track's authority; one proposed by a calculation at a prosecution
    threshold (no track: the party's facts named no theft) goes to the police of the case's division."""
    tracked = Track.objects.filter(referral=referral).first()
    if tracked is not None:
        return tracked.authority_name
    return services.authority_name(case, UNTRACKED_ORGAN[referral.kind])


def decide_penalty(crew: Crew, case: Case, party: CaseParty, *, decided_on: dt.date) -> None:
    """Legal review before the decision, collective discussion where required, decision, service — by the
    organ that holds the power."""
    inv = crew.officer_of(party)
    review = services.penalty_review_record(
        actor=crew.reviewer_of(party),
        party=party,
        approve=True,
        opinion="陈述申辩期满，事实清楚，适用依据正确",
    )
    _review_on(review, decided_on)
    track = party.tracks.get(kind="penalty")
    if track.discussion_required:  # the heads of the deciding organ (第五十七条): a bureau's or the 发改委's
        services.discussion_record(
            actor=inv,
            party=party,
            participants="局长、分管副局长、法规科科长"
            if needs_own_filing(track)
            else "主任、分管副主任、法规科科长",
            minutes="集体讨论认为违法事实清楚，同意拟处罚意见",
            conclusion="同意按拟处罚意见作出决定",
            held_on=decided_on,
        )
    services.decision_issue(
        actor=inv,
        case=case,
        party=party,
        facts_and_evidence="经查，当事人未经报批私自接入动力电源从事虚拟货币挖矿。证据：现场检查笔录、照片、用电数据。",
        penalty_and_basis="责令停止违法行为，追缴电费并处罚款；依据《中华人民共和国电力法》第七十一条。",
        fine_yuan="50000",
        fine_change_reason=(
            "当事人在告知后主动拆除全部矿机、停止违法用电，属主动减轻违法行为危害后果，"
            "依照《中华人民共和国行政处罚法》第三十二条第一项从轻处罚"
        ),
        compliance="自收到本决定书之日起十五日内缴纳罚款至指定银行。",
        appeal_route="如不服本决定，可在六十日内申请行政复议，或六个月内向人民法院提起行政诉讼。",
        decided_on=decided_on,
    )
    services.decision_serve(
        actor=inv, decision=case.decisions.get(party=party), served_on=decided_on + dt.timedelta(days=1)
    )


def _review_on(review: LegalReview, day: dt.date) -> None:
    """Lay a legal review on the scenario's timeline: a review is stamped when recorded ("today"), but the
    scenario backdates the acts around it, and a 法制审核意见书 dated after the decision it reviews is
    unlawful (行政处罚法第五十八条: the review comes before the decision)."""
    reviewed_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    LegalReview.objects.filter(pk=review.pk).update(reviewed_at=reviewed_at)


def start_track(crew: Crew, track: Track, *, on: dt.date) -> None:
    """Take a measure, other-authority or credit track through its first act (its letter, 建议函 or
    拟列入告知书); the listing decision and referrals move in finish_tracks."""
    inv = crew.investigator
    if track.kind == "measure" and not decidable(track.actions):
        # The pack says the measures' article awaits the legal office: no decision letter can be signed.
        services.track_letter_decline(
            actor=inv, track=track, reason=f"法律依据条款{PENDING_BASIS}，暂不作出处理决定", declined_on=on
        )
    elif track.kind == "measure":
        services.track_letter_issue(actor=inv, track=track, issued_on=on)
    elif track.kind == "other_authority":
        services.track_advice_send(actor=inv, track=track, sent_on=on, addressee_name=_addressee(track))
    elif track.kind == "internal":
        services.track_internal_assign(actor=inv, track=track, assigned_on=on)
    elif track.kind == "credit" and listable(track.party, on):
        services.track_credit_notice_issue(actor=crew.lister, track=track, served_on=on)
    # Referrals wait for the head's decision (310号令: within 3 days): see finish_tracks.


def listable(party: CaseParty, on: dt.date) -> bool:
    """Whether the party may be told of its listing on ``on``. 国办发〔2020〕49号: without a decision document
    establishing its conduct (an official has no penalty or decision letter of his own; a court's judgment
    would be one) no notice; nor without a statute to list on (:func:`credit.services.require_listing_statute`:
    a party only a 处理决定书 found mining waits for a penalty decision or the pack's listing standard)."""
    from minesweep.documents.context import listing_grounding_statutes

    ground = credit_ground(party, on)
    return ground is not None and bool(listing_grounding_statutes(party, ground.kind_zh))


def _addressee(track: Track) -> str:
    """The receiving organ's full name as the scenario's officer gives it where the pack confirms none (the
    city's organ of that kind, e.g. 包头市节能监察机构); "" where the pack names it."""
    from minesweep.documents.authority import league_of
    from minesweep.policy.codes import DEPARTMENTS

    if configured(track.authority_name):
        return ""
    kind = DEPARTMENTS[track.authority].zh.split("（")[0] if track.authority in DEPARTMENTS else "有关机关"
    return f"{league_of(track.case).name}{kind}"


def _decide_listing(crew: Crew, track: Track) -> None:
    """The listing decision after the objection period; a party served too recently to wait waives in
    writing first (the scenario never dates an act in the future)."""
    from minesweep.credit.selectors import listing_for_party

    listing = listing_for_party(track.party)
    assert listing is not None and listing.objection_deadline is not None
    day = listing.objection_deadline + dt.timedelta(days=1)
    if day > today():
        services.track_credit_rights_waive(actor=crew.lister, track=track, on=listing.notified_on)
        day = listing.notified_on or day
    services.track_credit_listing_decide(actor=crew.lister, track=track, decided_on=day)


UNTRACKED_ORGAN = {
    "police": "public_security",
    "financial": "financial_regulator",
    "discipline": "discipline_commission",
    "accountability": "discipline_commission",
}


def finish_tracks(crew: Crew, case: Case) -> None:
    """Departments answer their tasks, receiving organs answer referrals, penalties are enforced."""
    for task in case.tasks.filter(status=Task.Status.OPEN):
        services.task_close(
            actor=crew.liaisons.get(task.department),
            task=task,
            document_number=f"{task.department[:4].upper()}-{task.pk:04d}",
            proof=("proof.txt", "text/plain", f"proof of task {task.pk}".encode()),
            note="已按要求办结",
        )
    for track in case.tracks.filter(kind="credit", step="credit_rights"):
        _decide_listing(crew, track)
    for track in case.tracks.filter(kind="credit", step="handover"):
        # nothing to list on (no penalty decision, and the pack names no listing statute): not listed
        services.track_credit_decline(actor=crew.lister, track=track, reason=_not_listed_because(track.party))
    for referral in case.referrals.filter(status="proposed"):
        referral = services.referral_decide(
            actor=crew.investigator, referral=referral, approve=True, reason="依法移送"
        )
        services.referral_transfer(
            actor=crew.investigator,
            referral=referral,
            receiving_organ=_receiving_organ(case, referral),
            documents=["referral_letter", "investigation_report", "exhibit_list"],
        )
    for referral in case.referrals.filter(status="transferred"):
        referral = services.referral_receipt(
            actor=crew.investigator, referral=referral, receipt_number="回执-1"
        )
        _answer(crew, referral, accepted=True)
    for track in case.tracks.filter(kind="penalty", step="enforcement"):
        services.track_enforcement_record(
            actor=crew.officer_of(track.party), track=track, outcome="罚款已全额缴纳"
        )


def _not_listed_because(party: CaseParty) -> str:
    """The credit office's reason for not listing a party it has nothing to list on (国办发〔2020〕49号)."""
    ground = credit_ground(party, timezone.localdate())
    found = f"认定其行为的是{ground.cited}，不是行政处罚决定" if ground else "无认定其失信行为的生效文书"
    return f"{found}，政策包未配置列入失信主体名单所依据的法律、法规条款（国办发〔2020〕49号），不予列入"


def summary(case: Case) -> dict[str, Any]:
    return {"number": case.number, "stage": case.stage, "tasks": case.tasks.count()}
