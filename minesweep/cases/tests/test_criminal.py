"""Criminal proceedings first: no fine in place of a referral, none before its outcome (行政处罚法第二十七条第一款、
第八十二条; 国务院令第310号第十一条), and a lower fine that states its reason (第四十五条)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from minesweep.audit.models import AuditEvent
from minesweep.cases import selectors, services
from minesweep.cases.models import Case, CaseParty, Notice, Referral
from minesweep.cases.scenarios import file_penalties, refer, run
from minesweep.cases.services import criminal
from minesweep.cases.services.criminal import criminal_hold, days_covered, held_penalty_types
from minesweep.cases.tests.test_services import decision_fields, reviewed
from minesweep.core.errors import DomainError, TransitionError
from minesweep.policy.packs import load_pack

pytestmark = pytest.mark.django_db
FILED = dt.date(2026, 9, 1)
REFERRED = dt.date(2026, 9, 2)
SERVED = dt.date(2026, 9, 21)


def _approved(crew, lead, *, theft_kw: int | None = 2) -> Case:  # type: ignore[no-untyped-def]
    case = run(crew, lead, to="legal_review", filed_on=FILED, theft_kw=theft_kw)
    assert isinstance(case, Case)
    services.legal_review_record(actor=crew.reviewer, case=case, approve=True, opinion="同意")
    file_penalties(crew, case, on=FILED)  # the 能源局 files its own case (行政处罚法第五十四条)
    return case


def _serve(crew, case, on: dt.date = SERVED, fine: str = "2000") -> Notice:  # type: ignore[no-untyped-def]
    party = case.parties.get()
    return services.notice_issue(
        actor=crew.officer_of(party),
        case=case,
        party=party,
        intended_penalty="罚款",
        served_on=on,
        intended_fine_yuan=fine,
    )


def _refused_notice(crew, case, hold: str, on: dt.date = SERVED) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TransitionError) as refused:
        _serve(crew, case, on)
    error = refused.value
    assert error.code == "cases.criminal_first" and error.extra["hold"] == hold
    assert (
        "第二十七条" in error.message_zh
        and "第八十二条" in error.message_zh
        and "第310号第十一条" in error.message_zh
    )
    assert "Art. 11" in error.message_en
    assert not Notice.objects.filter(case=case).exists()
    assert case.tracks.get(kind="penalty").step == "notice"


def _police(case: Case) -> Referral:
    return case.referrals.get(kind=Referral.Kind.POLICE)


def _transferred(crew, case: Case) -> Referral:  # type: ignore[no-untyped-def]
    at = timezone.make_aware(dt.datetime.combine(REFERRED, dt.time(10)))
    referral = services.referral_decide(
        actor=crew.investigator, referral=_police(case), approve=True, reason="依法移送", decided_at=at
    )
    referral = services.referral_transfer(
        actor=crew.investigator,
        referral=referral,
        receiving_organ="包头市公安局九原区分局",
        documents=["referral_letter", "investigation_report", "exhibit_list"],
        transferred_at=at + dt.timedelta(hours=2),
    )
    return services.referral_receipt(
        actor=crew.investigator, referral=referral, receipt_number="R-1", received_on=REFERRED
    )


def _answered(crew, case: Case, *, accepted: bool, text: str) -> Referral:  # type: ignore[no-untyped-def]
    """The police answer on the day of the transfer."""
    return services.referral_answer(
        actor=crew.investigator,
        referral=_transferred(crew, case),
        accepted=accepted,
        text=text,
        answered_on=REFERRED,
    )


def test_a_fine_is_neither_announced_nor_decided_while_the_referral_waits_for_the_head(crew, lead):
    case = _approved(crew, lead)
    assert _police(case).status == Referral.Status.PROPOSED  # the theft figure reached the threshold
    _refused_notice(crew, case, "referral_undecided")
    track = case.tracks.get(kind="penalty")
    assert "notice_issue" not in services.track_allowed(track)


def test_a_transferred_referral_holds_the_fine_until_the_police_answer(crew, lead):
    case = _approved(crew, lead)
    _transferred(crew, case)
    _refused_notice(crew, case, "awaiting_police")


def test_police_not_opening_a_case_lets_the_fine_through_from_the_day_of_their_answer(crew, lead):
    case = _approved(crew, lead)
    referral = _transferred(crew, case)
    answered = dt.date(2026, 9, 4)
    services.referral_answer(
        actor=crew.investigator,
        referral=referral,
        accepted=False,
        text="证据不足，不予立案",
        answered_on=answered,
    )
    _refused_notice(crew, case, "settled_later", on=dt.date(2026, 9, 3))
    notice = _serve(crew, case, answered)
    assert notice.number and notice.intended_fine_yuan == Decimal("2000")


def test_an_open_criminal_case_holds_the_fine_until_an_outcome_that_clears_it(crew, lead):
    case = _approved(crew, lead)
    referral = _transferred(crew, case)
    referral = services.referral_answer(
        actor=crew.investigator, referral=referral, accepted=True, text="已立案侦查", answered_on=REFERRED
    )
    _refused_notice(crew, case, "proceedings")
    with pytest.raises(DomainError) as early:
        services.referral_outcome_record(
            actor=crew.investigator,
            referral=referral,
            outcome="not_prosecuted",
            text="不起诉决定书",
            outcome_on=dt.date(2026, 9, 1),
        )
    assert early.value.code == "cases.date_too_early"
    with pytest.raises(DomainError) as unknown:
        services.referral_outcome_record(
            actor=crew.investigator, referral=referral, outcome="pardoned", text="不起诉决定书"
        )
    assert unknown.value.code == "cases.bad_referral_outcome"
    referral = services.referral_outcome_record(
        actor=crew.investigator,
        referral=referral,
        outcome="not_prosecuted",
        text="九原区人民检察院不起诉决定书，犯罪情节轻微",
        outcome_on=dt.date(2026, 9, 15),
    )
    assert referral.outcome == Referral.Outcome.NOT_PROSECUTED
    assert AuditEvent.objects.filter(action="cases.referral.outcome").count() == 1
    with pytest.raises(TransitionError) as twice:
        services.referral_outcome_record(
            actor=crew.investigator, referral=referral, outcome="convicted", text="判决书"
        )
    assert twice.value.code == "cases.referral_no_proceedings"
    assert _serve(crew, case).number


def test_a_conviction_keeps_the_fine_held(crew, lead):
    case = _approved(crew, lead)
    referral = _transferred(crew, case)
    referral = services.referral_answer(
        actor=crew.investigator, referral=referral, accepted=True, text="已立案侦查", answered_on=REFERRED
    )
    services.referral_outcome_record(
        actor=crew.investigator, referral=referral, outcome="convicted", text="判处有期徒刑并处罚金"
    )
    _refused_notice(crew, case, "convicted")


def test_a_referral_the_head_declined_with_reasons_does_not_hold_the_fine(crew, lead):
    case = _approved(crew, lead)
    _decline(crew, case)
    assert criminal_hold(case.parties.get(), SERVED) is None
    assert _serve(crew, case).number


def test_penalties_that_may_go_first_are_not_held(crew, lead):
    case = _approved(crew, lead)
    track = case.tracks.get(kind="penalty")
    party = case.parties.get()
    assert held_penalty_types(party) == ["fine"]
    assert criminal_hold(party, SERVED) is not None
    # 国务院令第310号第十一条第二款: an order to suspend production may be given while the referral runs.
    track.actions = [{**a, "penalty_type": "suspend_production"} for a in track.actions]
    track.save(update_fields=["actions"])
    assert held_penalty_types(party) == []
    assert criminal_hold(party, SERVED) is None


def _decline(crew, case: Case) -> None:  # type: ignore[no-untyped-def]
    services.referral_decide(
        actor=crew.investigator,
        referral=_police(case),
        approve=False,
        reason="窃电数额系按容量推定，实际数额未达追诉标准，不予移送",
        decided_at=timezone.make_aware(dt.datetime.combine(REFERRED, dt.time(10))),
    )


def _theft(crew, case: Case, party: CaseParty, capacity_kw: str) -> None:  # type: ignore[no-untyped-def]
    services.calculation_run(
        actor=crew.investigator,
        case=case,
        kind="theft",
        inputs={"capacity_kw": capacity_kw, "unknown_duration": True, "tariff_yuan_per_kwh": "0.50"},
        party=party,
    )


def test_the_decision_is_held_too_when_the_threshold_is_reached_after_the_notice(crew, lead):
    case = _approved(crew, lead, theft_kw=None)
    party = case.parties.get()
    _decline(crew, case)  # the facts' referral, declined before any figure was known
    _theft(crew, case, party, "0.1")  # 0.1 kW × 12 h × 180 days × 0.50 元 = 108 元: under the threshold
    notice = _serve(crew, case, fine="500")
    services.notice_rights_waive(actor=crew.penalty_officer, notice=notice)
    _theft(crew, case, party, "50")  # measured again on site: 54,000 元
    assert case.referrals.filter(kind=Referral.Kind.POLICE, status=Referral.Status.PROPOSED).count() == 1
    with pytest.raises(TransitionError) as refused:
        services.decision_issue(
            actor=crew.penalty_officer,
            case=case,
            party=party,
            **decision_fields(decided_on=dt.date(2026, 9, 23)),
            fine_yuan="500",
        )
    assert refused.value.code == "cases.criminal_first"
    assert not case.decisions.exists()


def _ready_to_decide(crew, lead) -> tuple[Case, CaseParty]:  # type: ignore[no-untyped-def]
    """Referral settled (police: not accepted), notice of a 2,000 yuan fine, rights waived, reviewed."""
    case = _approved(crew, lead)
    refer(crew, case, on=REFERRED, police_accept=False)
    party = case.parties.get()
    services.notice_rights_waive(actor=crew.penalty_officer, notice=_serve(crew, case))
    reviewed(crew, party)
    return case, party


def test_a_lower_fine_needs_its_reason_which_the_decision_keeps(crew, lead):
    case, party = _ready_to_decide(crew, lead)
    decide = decision_fields(decided_on=dt.date(2026, 9, 29))
    with pytest.raises(DomainError) as silent:
        services.decision_issue(
            actor=crew.penalty_officer, case=case, party=party, **decide, fine_yuan="1500"
        )
    assert silent.value.code == "cases.field_required" and "第四十五条" in silent.value.message_zh
    assert not case.decisions.exists()
    reason = "当事人主动拆除矿机，依法从轻处罚（行政处罚法第三十二条第一项）"
    decision = services.decision_issue(
        actor=crew.penalty_officer,
        case=case,
        party=party,
        **decide,
        fine_yuan="1500",
        fine_change_reason=reason,
    )
    assert decision.fine_change_reason == reason


def test_the_same_fine_as_announced_keeps_no_reason(crew, lead):
    case, party = _ready_to_decide(crew, lead)
    decision = services.decision_issue(
        actor=crew.penalty_officer,
        case=case,
        party=party,
        **decision_fields(decided_on=dt.date(2026, 9, 29)),
        fine_yuan="2000",
        fine_change_reason="无关的文字",
    )
    assert decision.fine_change_reason == ""


def test_the_scenario_refers_before_any_notice_and_an_accepted_referral_leaves_the_fine_unserved(
    crew, make_lead
):
    declined = run(crew, make_lead(), to="decided", filed_on=FILED)
    assert isinstance(declined, Case)
    police = declined.referrals.get(kind=Referral.Kind.POLICE)
    first = declined.parties.order_by("id").first()
    notice = first.notices.get() if first is not None else None
    assert police.answer == Referral.Answer.NOT_ACCEPTED and notice is not None
    assert police.answered_on is not None and police.answered_on <= notice.served_on
    assert declined.decisions.filter(party=first).exists()
    accepted = run(crew, make_lead(), to="notice", filed_on=FILED, police_accept=True)
    assert isinstance(accepted, Case)
    theft_party = accepted.referrals.get(kind=Referral.Kind.POLICE).party
    assert theft_party is not None and not theft_party.notices.exists()
    assert criminal_hold(theft_party, timezone.localdate()).code == "proceedings"  # type: ignore[union-attr]


def test_a_case_the_police_open_takes_the_exhibits_within_three_days(crew, lead):
    """国务院令第310号第十二条: exhibits and materials go to the police within 3 days of their notice."""
    from minesweep.cases.selectors import case_deadlines

    case = _approved(crew, lead)
    referral = _transferred(crew, case)
    referral = services.referral_answer(
        actor=crew.investigator, referral=referral, accepted=True, text="已立案侦查", answered_on=REFERRED
    )
    assert referral.exhibits_due == REFERRED + dt.timedelta(days=3)
    labels = [d.label_zh for d in case_deadlines(case, SERVED) if "移交涉案物品" in d.label_zh]
    assert len(labels) == 1
    with pytest.raises(DomainError) as early:
        services.referral_exhibits_handover(
            actor=crew.investigator, referral=referral, note="扣押矿机80台", handed_over_on=FILED
        )
    assert early.value.code == "cases.date_too_early"
    on = REFERRED + dt.timedelta(days=4)
    referral = services.referral_exhibits_handover(
        actor=crew.investigator, referral=referral, note="扣押矿机80台，交接清单已签字", handed_over_on=on
    )
    assert referral.exhibits_handed_over_on == on
    event = AuditEvent.objects.get(action="cases.referral.exhibits_handover")
    assert event.detail["late"] is True  # a day after the 3 days
    with pytest.raises(TransitionError) as again:
        services.referral_exhibits_handover(actor=crew.investigator, referral=referral, note="再次移交")
    assert again.value.code == "cases.referral_no_handover"


def test_a_referral_the_police_decline_takes_no_exhibits(crew, lead):
    case = _approved(crew, lead)
    referral = _answered(crew, case, accepted=False, text="不予立案")
    assert referral.exhibits_due is None
    with pytest.raises(TransitionError) as refused:
        services.referral_exhibits_handover(actor=crew.investigator, referral=referral, note="扣押矿机80台")
    assert refused.value.code == "cases.referral_no_handover"


def test_days_covered_counts_overlapping_referrals_once():
    d = dt.date
    spans = [
        (d(2026, 9, 2), d(2026, 9, 12)),
        (d(2026, 9, 10), d(2026, 9, 20)),
        (d(2026, 10, 1), d(2026, 10, 3)),
    ]
    assert days_covered(spans) == 18 + 2
    assert days_covered([(d(2026, 9, 5), d(2026, 9, 5))]) == 0
    assert days_covered([]) == 0


def _decided_after_long_proceedings(crew, lead) -> tuple[Case, CaseParty, dict[str, object]]:  # type: ignore[no-untyped-def]
    """Filed 2026-09-01 (due 11-30); the police open a case on 09-02 and the procuratorate declines to
    prosecute on 11-25 (84 days with the organs); the notice is served that day, rights waived, reviewed."""
    case = _approved(crew, lead)
    referral = _answered(crew, case, accepted=True, text="已立案侦查")
    cleared = dt.date(2026, 11, 25)
    services.referral_outcome_record(
        actor=crew.investigator,
        referral=referral,
        outcome="not_prosecuted",
        text="不起诉决定书",
        outcome_on=cleared,
    )
    party = case.parties.get()
    services.notice_rights_waive(actor=crew.penalty_officer, notice=_serve(crew, case, cleared))
    reviewed(crew, party)
    return case, party, decision_fields(decided_on=dt.date(2026, 12, 2))


def _decision_deadline(case: Case, on: dt.date) -> selectors.Deadline:
    return next(d for d in selectors.case_deadlines(case, on) if d.label_zh.startswith("作出处罚决定"))


def _pack_excludes_criminal_time(case: Case, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    """Give the case's pack a (made-up) rule that leaves criminal proceedings out of the ninety days."""
    pack = load_pack(case.pack)
    assert pack.procedure is not None
    rule = "某规章第六十四条第二款（示例）"
    with_rule = dataclasses.replace(
        pack, procedure=dataclasses.replace(pack.procedure, criminal_time_excluded_rule=rule)
    )
    monkeypatch.setattr(criminal, "load_pack", lambda _pack_id: with_rule)
    return rule


def test_criminal_proceedings_count_towards_the_ninety_days_unless_a_rule_excludes_them(
    crew, lead, monkeypatch
):
    case, party, decide = _decided_after_long_proceedings(crew, lead)
    period = services.decision_period(case, dt.date(2026, 12, 2))
    assert (period.due, period.criminal_days, period.excluded_by) == (dt.date(2026, 11, 30), 84, "")
    with pytest.raises(TransitionError) as late:
        services.decision_issue(actor=crew.penalty_officer, case=case, party=party, **decide)
    assert late.value.code == "cases.decision_overdue"
    assert "刑事程序已历84日，仍计入" in late.value.message_zh and "第六十条" in late.value.message_zh
    assert not case.decisions.exists()
    deadline = _decision_deadline(case, dt.date(2026, 12, 2))
    assert deadline.overdue and "仍计入" in deadline.label_zh

    rule = _pack_excludes_criminal_time(case, monkeypatch)
    period = services.decision_period(case, dt.date(2026, 12, 2))
    assert period.due == dt.date(2026, 11, 30) + dt.timedelta(days=84) and period.excluded_by == rule
    assert not _decision_deadline(case, dt.date(2026, 12, 2)).overdue
    decision = services.decision_issue(actor=crew.penalty_officer, case=case, party=party, **decide)
    assert decision.decided_on == dt.date(2026, 12, 2)


def test_the_api_gives_the_deadline_in_force_and_how_the_criminal_days_bear_on_it(
    crew, lead, monkeypatch, client_for
):
    case, _party, _decide = _decided_after_long_proceedings(crew, lead)
    url = f"/api/v1/cases/cases/{case.pk}"
    data = client_for(crew.investigator).get(url).json()
    assert data["decision_due"] == "2026-11-30" and data["decision_period"]["criminal_days"] == 84
    assert data["decision_period"]["excluded_by"] == "" and "仍计入" in data["decision_period"]["note_zh"]

    rule = _pack_excludes_criminal_time(case, monkeypatch)
    data = client_for(crew.investigator).get(url).json()
    assert data["decision_due"] == "2027-02-22" and data["decision_period"]["counted_due"] == "2026-11-30"
    assert data["decision_period"]["excluded_by"] == rule and rule in data["decision_period"]["note_zh"]
    listed = client_for(crew.investigator).get("/api/v1/cases/cases").json()
    assert next(c for c in listed if c["id"] == case.pk)["decision_due"] == "2027-02-22"


def test_a_referral_still_with_the_police_keeps_counting_until_the_day_asked(crew, lead):
    case = _approved(crew, lead)
    _transferred(crew, case)
    assert services.decision_period(case, dt.date(2026, 9, 12)).criminal_days == 10
    assert services.decision_period(case, dt.date(2026, 10, 2)).criminal_days == 30
    assert services.decision_period(case, REFERRED).criminal_days == 0


def test_a_fine_tied_to_the_charges_owed_waits_for_their_calculation(crew, lead):
    """电力法第七十一条: 应交电费五倍以下. Without the theft calculation the range is unknown: no notice, and with
    the charges computed (0.5 kW × 12 h × 180 days × 0.50 元 = 540 元, under the criminal threshold) a fine
    above five times them (2,700 元) is refused too."""
    case = _approved(crew, lead, theft_kw=None)
    party = case.parties.get()
    _decline(crew, case)
    with pytest.raises(DomainError) as unknown:
        _serve(crew, case)
    assert unknown.value.code == "cases.charges_owed_unknown"
    assert "窃电" in unknown.value.message_zh and party.name in unknown.value.message_zh
    assert not case.notices.exists()
    _theft(crew, case, party, "0.5")
    with pytest.raises(DomainError) as above:
        _serve(crew, case, fine="2700.01")
    assert above.value.code == "cases.fine_above_range"
    assert _serve(crew, case).intended_fine_yuan == 2000
