"""Tracks per party (issue 11): who gets which procedure, by which authority, and when it may move."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from minesweep.audit.models import AuditEvent
from minesweep.cases import services
from minesweep.cases.models import Case, CaseParty, Referral, Track
from minesweep.cases.scenarios import PartySpec, file_penalties, refer, run
from minesweep.cases.tests.conftest import LONG_AGO
from minesweep.cases.tests.test_criminal import _serve
from minesweep.core.errors import DomainError, TransitionError
from minesweep.credit.services import CreditError, listing_from_decision
from minesweep.policy.workdays import add_working_days
from minesweep.registry.uscc import make_uscc

pytestmark = pytest.mark.django_db

PARK = PartySpec("某工业园区管委会", "industrial_park", "host", ("provided_site_or_power", "concealment"))
MINER = PartySpec(  # trading in the power market: the 发改委's own measure (market exit) is a 处理决定书
    "某矿业有限公司",
    "enterprise",
    "operator",
    ("mining_confirmed", "unapproved_power_connection"),
    holdings=("power_account", "market_participation"),
)
OFFICIAL = PartySpec("李某（街道干部）", "public_official", "facilitator", ("official_involvement",))


def _kinds(case: Case, name: str) -> set[str]:
    return set(case.tracks.filter(party__name=name).values_list("kind", flat=True))


def test_each_party_gets_only_its_own_tracks(crew, lead):
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO, parties=(MINER, PARK, OFFICIAL))
    assert isinstance(case, Case)
    assert _kinds(case, OFFICIAL.name) == {"referral"}
    assert _kinds(case, PARK.name) == {
        "measure",
        "accountability",
        "other_authority",
    }  # no blacklist, no fine
    assert {"penalty", "referral", "credit", "other_authority", "measure"} <= _kinds(case, MINER.name)
    park_referral = case.referrals.get(party__name=PARK.name)
    assert park_referral.kind == Referral.Kind.ACCOUNTABILITY  # cadres of the host, not a penalty
    penalty = case.tracks.get(kind="penalty")
    assert penalty.authority == "power_administration" and penalty.authority_name == "包头市能源局"
    assert penalty.hearing_right is True and penalty.discussion_required is True


def test_referrals_are_proposed_when_the_facts_are_recorded(crew, lead):
    case = services.lead_file(
        actor=crew.investigator,
        lead=services.lead_verification_start(actor=crew.investigator, lead=lead),
        reason="现场核实存在挖矿",
        second_officer=crew.second,
    )
    assert not case.referrals.exists()
    services.party_add(
        actor=crew.investigator,
        case=case,
        name="李某",
        category="public_official",
        facts=["official_involvement"],
    )
    referral = case.referrals.get()
    assert referral.kind == Referral.Kind.DISCIPLINE and referral.status == Referral.Status.PROPOSED
    assert referral.track.step == "proposed"
    assert not hasattr(case, "determination") or case.determination is None


def test_a_host_whose_only_fact_is_the_site_cannot_be_blacklisted(crew, lead):
    case = run(crew, lead, to="decided", filed_on=LONG_AGO, parties=(MINER, PARK))
    assert isinstance(case, Case)
    miner_decision = case.decisions.get()
    park = case.parties.get(name=PARK.name)
    miner_decision.party = park  # a decision against the host would be needed to list it: there is none
    with pytest.raises(CreditError) as refused:
        listing_from_decision(actor="test", decision=miner_decision)
    assert refused.value.code == "credit.no_credit_track"


def test_it_refuses_personal_facts_for_the_whole_case(crew, lead):
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO)
    assert isinstance(case, Case)
    with pytest.raises(DomainError) as refused:
        services.determination_evaluate(actor=crew.investigator, case=case, case_facts=["mining_confirmed"])
    assert refused.value.code == "cases.fact_belongs_to_party"
    services.determination_evaluate(actor=crew.investigator, case=case, case_facts=["new_project"])


def test_it_checks_the_limitation_at_filing(crew, lead):
    lead = services.lead_verification_start(actor=crew.investigator, lead=lead)
    args = {
        "actor": crew.investigator,
        "lead": lead,
        "reason": "现场核实存在挖矿",
        "second_officer": crew.second,
    }
    filed = dt.date(2026, 9, 1)
    with pytest.raises(DomainError) as expired:
        services.lead_file(**args, filed_on=filed, act_ended_on=dt.date(2024, 8, 31))
    assert expired.value.code == "cases.limitation_expired" and "第三十六条" in expired.value.message_zh
    case = services.lead_file(**args, filed_on=filed, act_ended_on=dt.date(2024, 8, 31), limitation_years=5)
    assert case.act_ended_on == dt.date(2024, 8, 31)


def test_a_legal_review_before_the_decision_needs_the_post_and_the_settled_rights(crew, lead):
    case = run(crew, lead, to="notice", filed_on=LONG_AGO)
    assert isinstance(case, Case)
    party = case.parties.get()
    with pytest.raises(DomainError) as unqualified:
        services.penalty_review_record(actor=crew.second, party=party, approve=True, opinion="同意")
    assert unqualified.value.code == "cases.reviewer_not_qualified"
    review = services.penalty_review_record(
        actor=crew.reviewer_of(party), party=party, approve=True, opinion="同意"
    )
    assert review.party == party
    with pytest.raises(TransitionError):
        services.penalty_review_record(
            actor=crew.reviewer_of(party), party=party, approve=True, opinion="再审一次"
        )


def test_a_penalty_another_authority_decides_is_reviewed_by_that_authoritys_own_reviewer(
    crew, lead, make_staff
):
    """行政处罚法第五十八条: the review before the decision is the deciding organ's; the 发改委's reviewer,
    or the 能源局's reviewer of another city, may not sign the 包头市能源局's fine, and the 能源局's reviewer
    may not review the 发改委's proposed handling."""
    from minesweep.accounts.roles import Role
    from minesweep.cases.models import LegalReview

    case = run(crew, lead, to="notice", filed_on=LONG_AGO)
    assert isinstance(case, Case)
    party = case.parties.get()
    assert case.tracks.get(kind="penalty").authority_name == "包头市能源局"
    ordos_energy = make_staff(
        "ordos_energy_reviewer", Role.INVESTIGATOR, "150600", "power_administration", legal_reviewer=True
    )
    for outsider, organ in ((crew.reviewer, "包头市发展和改革委员会"), (ordos_energy, "鄂尔多斯市能源局")):
        with pytest.raises(DomainError) as other_organ:
            services.penalty_review_record(actor=outsider, party=party, approve=True, opinion="同意")
        assert other_organ.value.code == "cases.reviewer_other_organ"
        assert "包头市能源局" in other_organ.value.message_zh and organ in other_organ.value.message_zh
    assert not LegalReview.objects.filter(party=party).exists()
    review = services.penalty_review_record(
        actor=crew.penalty_reviewer, party=party, approve=True, opinion="同意"
    )
    assert review.reviewer == crew.penalty_reviewer

    another = services.lead_create(
        actor="system", source=lead.source, title="另一线索", division=lead.division
    )
    other = run(crew, another, to="legal_review", filed_on=LONG_AGO)
    assert isinstance(other, Case)
    with pytest.raises(DomainError) as energy_on_drc:
        services.legal_review_record(actor=crew.penalty_reviewer, case=other, approve=True, opinion="同意")
    assert energy_on_drc.value.code == "cases.reviewer_other_organ"


def test_a_disguised_data_centre_report_suggests_a_mining_data_centre(crew, client_for):
    from minesweep.cases import selectors
    from minesweep.cases.models import Lead
    from minesweep.registry.models import Division

    lead = services.lead_create(
        actor="system",
        source=Lead.Source.PUBLIC_REPORT,
        title="以数据中心名义挖矿",
        division=Division.objects.get(code="150203"),
        evidence={"report": "JB-1", "category": "disguised_data_center"},
    )
    assert selectors.lead_suggestion(lead) == {"category": "data_center", "facts": ["mining_confirmed"]}
    services.lead_verification_start(actor=crew.investigator, lead=lead)
    page = client_for(crew.investigator).get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'id="suggestion"' in page and "数据中心" in page


def test_an_individual_without_a_power_account_gets_no_tariff_and_one_with_it_does(crew, lead):
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO, parties=(PARK,))
    assert isinstance(case, Case)
    for name, holdings in (("张某", None), ("王某", ["power_account"])):
        services.party_add(
            actor=crew.investigator,
            case=case,
            name=name,
            category="individual",
            facts=["mining_confirmed"],
            holdings=holdings,
        )
    services.determination_evaluate(actor=crew.investigator, case=case)
    tariff = {
        m.party.name: [a["code"] for a in m.actions]
        for m in case.determination.measures.filter(pack="inner_mongolia_2021", rule_id=9)
    }
    assert tariff == {"张某": [], "王某": ["differential_tariff"]}


def test_market_exit_and_withdrawn_support_follow_the_registrys_records(crew, lead):
    """1283号 makes "已参与电力市场交易的" projects exit, and only a preference that was granted can be withdrawn:
    a company the registry shows trading in the power market and enjoying a power-price preference gets the
    exit and the withdrawal; one with no record (an organisation is not presumed to have either) gets
    neither, and no 处理决定书 of the 发改委 orders them."""
    from minesweep.registry.models import Division, MarketParticipation, Preference
    from minesweep.registry.services import subject_create
    from minesweep.registry.uscc import make_uscc

    case = run(crew, lead, to="investigating", filed_on=LONG_AGO, parties=(PARK,))
    assert isinstance(case, Case)
    subject = subject_create(
        actor="test",
        kind="enterprise",
        name="某云计算有限公司",
        division=Division.objects.get(code="150203"),
        uscc=make_uscc("9", "1", "150203", "MA0C0001"),
    )
    MarketParticipation.objects.create(subject=subject)
    Preference.objects.create(subject=subject, kind=Preference.Kind.ELECTRICITY_PRICE)
    Preference.objects.create(subject=subject, kind=Preference.Kind.TAX, active=False)
    for name, on_record in (("某云计算有限公司", subject), ("某大数据有限公司", None)):
        services.party_add(
            actor=crew.investigator,
            case=case,
            name=name,
            category="big_data_or_cloud",
            facts=["mining_confirmed"],
            subject=on_record,
        )
    services.determination_evaluate(actor=crew.investigator, case=case)
    measures = case.determination.measures.filter(party__category="big_data_or_cloud")
    done = {(m.party.name, m.pack, m.rule_id, a["code"]) for m in measures for a in m.actions}
    withdrawn = {
        ("inner_mongolia_2021", 2, "cancel_preferences"),
        ("inner_mongolia_2021", 2, "market_exit"),
        ("national_1283", 3, "market_exit"),
        ("national_1283", 4, "stop_support"),
    }
    assert {(m, p, r, c) for m, p, r, c in done if (p, r, c) in withdrawn} == {
        ("某云计算有限公司", *w) for w in withdrawn
    }
    assert measures.get(party__name="某大数据有限公司", pack="national_1283", rule_id=3).actions == []
    letters = case.tracks.filter(party__name="某大数据有限公司", kind="measure")
    assert not any(
        {"market_exit", "stop_support", "cancel_preferences"} & set(t.action_codes()) for t in letters
    )


def test_the_organs_granting_a_preference_or_support_are_asked_only_for_one_on_record(crew, lead):
    """Only a preference or support that was granted can be cancelled or stopped: the 建议函 asking the tax or
    land authority to cancel a preference (measure 2 of the eight, 1283号), or the finance department or the
    financial regulator to stop fiscal or financial support (1283号: 停止…财政…金融等一切支持), goes only for a
    party whose registry record shows an active one of that kind, or whose officer recorded it — never for any
    party (an act asking to withdraw what does not exist has no content that can be carried out, 行政诉讼法
    第七十条、第七十五条)."""
    from minesweep.registry.models import Division, Preference
    from minesweep.registry.services import subject_create
    from minesweep.registry.uscc import make_uscc

    case = run(crew, lead, to="investigating", filed_on=LONG_AGO, parties=(PARK,))
    assert isinstance(case, Case)
    subject = subject_create(
        actor="test",
        kind="enterprise",
        name="某云计算有限公司",
        division=Division.objects.get(code="150203"),
        uscc=make_uscc("9", "1", "150203", "MA0C0002"),
    )
    Preference.objects.create(subject=subject, kind=Preference.Kind.LAND)
    Preference.objects.create(subject=subject, kind=Preference.Kind.FISCAL)
    Preference.objects.create(subject=subject, kind=Preference.Kind.TAX, active=False)
    for name, on_record, holdings in (
        ("某云计算有限公司", subject, None),
        ("某大数据有限公司", None, None),
        ("某数据服务有限公司", None, ["power_account", "project", "tax_preference", "financial_support"]),
    ):
        services.party_add(
            actor=crew.investigator,
            case=case,
            name=name,
            category="big_data_or_cloud",
            facts=["mining_confirmed"],
            subject=on_record,
            holdings=holdings,
        )
    services.determination_evaluate(actor=crew.investigator, case=case)
    granting = ["tax_authority", "land_authority", "finance_department", "financial_regulator"]
    asked = {
        (t.party.name, t.authority)
        for t in case.tracks.filter(kind="other_authority", authority__in=granting)
    }
    assert asked == {
        ("某云计算有限公司", "land_authority"),
        ("某云计算有限公司", "finance_department"),
        ("某数据服务有限公司", "tax_authority"),
        ("某数据服务有限公司", "financial_regulator"),
    }


def test_the_hearing_right_follows_the_intended_fine_and_a_larger_fine_needs_a_new_notice(crew, lead):
    from minesweep.cases.tests.test_services import decision_fields

    case = run(crew, lead, to="legal_review", filed_on=dt.date(2026, 9, 1))
    assert isinstance(case, Case)
    services.legal_review_record(actor=crew.reviewer, case=case, approve=True, opinion="同意")
    refer(crew, case)  # the facts' police referral is settled before any notice (国务院令第310号第十一条)
    file_penalties(crew, case, on=case.filed_on)
    party = case.parties.get()  # an organisation: 较大数额 100,000 yuan in the pack
    notice = services.notice_issue(
        actor=crew.penalty_officer,
        case=case,
        party=party,
        intended_penalty="罚款",
        served_on=dt.date(2026, 9, 21),
        intended_fine_yuan="20000",
    )
    track = case.tracks.get(kind="penalty")
    assert notice.hearing_eligible is False and track.hearing_right is False
    assert not track.discussion_required and "低于较大数额" in track.hearing_reason
    services.notice_rights_waive(actor=crew.penalty_officer, notice=notice)
    services.penalty_review_record(actor=crew.reviewer_of(party), party=party, approve=True, opinion="同意")
    with pytest.raises(DomainError) as larger:
        services.decision_issue(
            actor=crew.penalty_officer,
            case=case,
            party=party,
            **decision_fields(decided_on=dt.date(2026, 9, 25)),
            fine_yuan="150000",
        )
    assert larger.value.code == "cases.fine_needs_hearing"
    decision = services.decision_issue(
        actor=crew.penalty_officer,
        case=case,
        party=party,
        **decision_fields(decided_on=dt.date(2026, 9, 25)),
        fine_yuan="20000",
    )
    assert decision.fine_yuan == 20000


#: The penalty decision a listing in these tests rests on, recorded on the credit track as made outside the case.
OUTSIDE_PENALTY = {"kind": "penalty_decision", "number": "包能源罚〔2026〕9号", "organ": "包头市能源局"}


def _credit_case(crew, lead, *, grounded: bool = True):  # type: ignore[no-untyped-def]
    """A case past its legal review; ``grounded``: the credit party's 处理决定书 issued on 2026-09-21 and the
    penalty decision in force that day its listing rests on (国办发〔2020〕49号; published under 行政处罚法第四十八
    条第一款: a 处理决定书 alone gives no statute to list on)."""
    case = run(crew, lead, to="legal_review", filed_on=dt.date(2026, 9, 1))
    assert isinstance(case, Case)
    services.legal_review_record(actor=crew.reviewer, case=case, approve=True, opinion="同意")
    credit = case.tracks.get(kind="credit")
    if grounded:
        _issue_measure_letter(crew, credit.party, dt.date(2026, 9, 21))
        _record_penalty_ground(crew, credit, dt.date(2026, 9, 21))
    return credit


def _record_penalty_ground(crew, track, on):  # type: ignore[no-untyped-def]
    return services.track_credit_ground_record(
        actor=crew.credit_officer, track=track, effective_on=on, **OUTSIDE_PENALTY
    )


def _issue_measure_letter(crew, party, on):  # type: ignore[no-untyped-def]
    return services.track_letter_issue(
        actor=crew.investigator, track=party.tracks.get(kind="measure"), issued_on=on
    )


def test_no_listing_notice_before_a_decision_document_establishes_the_conduct(crew, lead):
    """国办发〔2020〕49号 (失信行为认定依据): a listing rests on a decision with legal effect, not on the case's
    findings. Refused — nothing proposed, numbered or audited — until a penalty decision has taken effect,
    and then only on or after that day; the notice cites it and the statute it is published under
    (行政处罚法第四十八条第一款). A 处理决定书 establishes the conduct but gives no statute to list on: refused too
    (legal review item 1), where the pack names no listing standard."""
    from minesweep.credit.models import ListingRecord
    from minesweep.documents.models import Act

    track = _credit_case(crew, lead, grounded=False)
    events = AuditEvent.objects.count()
    with pytest.raises(TransitionError) as refused:
        services.track_credit_notice_issue(
            actor=crew.credit_officer, track=track, served_on=dt.date(2026, 9, 21)
        )
    assert refused.value.code == "cases.credit_no_ground"
    assert "国办发〔2020〕49号" in refused.value.message_zh and "49/2020" in refused.value.message_en
    assert not ListingRecord.objects.exists() and not Act.objects.filter(kind="credit_notice").exists()
    assert AuditEvent.objects.count() == events
    track.refresh_from_db()
    assert track.step == "handover"
    letter = _issue_measure_letter(crew, track.party, dt.date(2026, 9, 22))
    events = AuditEvent.objects.count()
    with pytest.raises(TransitionError) as before_it:  # a notice dated before the letter rests on nothing
        services.track_credit_notice_issue(
            actor=crew.credit_officer, track=track, served_on=dt.date(2026, 9, 21)
        )
    assert before_it.value.code == "cases.credit_no_ground"
    with pytest.raises(
        CreditError
    ) as no_statute:  # the letter establishes the conduct; no statute to list on
        services.track_credit_notice_issue(
            actor=crew.credit_officer, track=track, served_on=dt.date(2026, 9, 22)
        )
    assert no_statute.value.code == "credit.no_listing_statute"
    assert f"{letter.letter_number}处理决定书" in no_statute.value.message_zh
    assert "地方性法规" in no_statute.value.message_zh and "49/2020" in no_statute.value.message_en
    assert not ListingRecord.objects.exists() and not Act.objects.filter(kind="credit_notice").exists()
    assert AuditEvent.objects.count() == events
    _record_penalty_ground(crew, track, dt.date(2026, 9, 23))
    services.track_credit_notice_issue(actor=crew.credit_officer, track=track, served_on=dt.date(2026, 9, 23))
    listing = ListingRecord.objects.get(case_number=track.case.number)
    from minesweep.documents.context import _listing_basis_sentence

    sentence = _listing_basis_sentence(listing)
    assert "已由包头市能源局作出的包能源罚〔2026〕9号行政处罚决定书认定" in sentence and "49号" in sentence
    assert "依据《中华人民共和国行政处罚法》第四十八条第一款" in sentence
    assert "第四十八条第一款" in listing.basis
    with pytest.raises(TransitionError) as served:  # the notice states its ground: no other one after it
        services.track_credit_ground_record(
            actor=crew.credit_officer,
            track=track,
            kind="criminal_judgment",
            number="（2026）内0207刑初15号",
            organ="包头市九原区人民法院",
            effective_on=dt.date(2026, 9, 23),
        )
    assert served.value.code == "cases.track_wrong_step"


def test_the_ground_of_a_listing_is_the_served_penalty_decision_before_a_decision_letter(crew, lead):
    """credit_ground as it stood on a day: the scenario issues the miner's 处理决定书 on the decision day and
    serves the penalty decision the next day — nothing before the letter, the letter until the service, then
    the served decision first."""
    from minesweep.cases.selectors import credit_ground

    case = run(crew, lead, to="decided", filed_on=dt.date(2026, 9, 1))
    assert isinstance(case, Case)
    decision = case.decisions.get()  # the scenario's one miner
    party, letter = decision.party, decision.party.tracks.get(kind="measure")
    assert decision.served_on is not None and letter.letter_on == decision.served_on - dt.timedelta(days=1)
    assert credit_ground(party, letter.letter_on - dt.timedelta(days=1)) is None
    on_letter = credit_ground(party, letter.letter_on)
    assert on_letter is not None and on_letter.cited == f"{letter.letter_number}处理决定书"
    served = credit_ground(party, decision.served_on)
    assert served is not None and served.cited == f"{decision.number}行政处罚决定书"
    assert served.on == decision.served_on


def test_the_listing_decision_waits_for_the_notice_its_period_and_an_answer_to_the_objection(crew, lead):
    """国办发〔2020〕49号: grounds, basis and rights are notified before listing; the decision comes after
    the objection period (working days), or once the objection is verified and answered."""
    from minesweep.credit.models import ListingRecord
    from minesweep.documents.models import Act

    track = _credit_case(crew, lead)
    inv = crew.credit_officer
    with pytest.raises(TransitionError) as no_notice:
        services.track_credit_listing_decide(actor=inv, track=track, decided_on=dt.date(2026, 9, 20))
    assert no_notice.value.code == "cases.track_wrong_step"
    services.track_credit_notice_issue(actor=inv, track=track, served_on=dt.date(2026, 9, 21))
    listing = ListingRecord.objects.get(case_number=track.case.number)
    notice = Act.objects.get(kind="credit_notice", target=f"listing:{listing.pk}")
    assert listing.notice_number == notice.number and "信告〔2026〕" in notice.number
    # Mon 21 + 5 working days, Mid-Autumn (Fri 25) skipped: the project's working-day calendar.
    assert listing.objection_deadline == add_working_days(dt.date(2026, 9, 21), 5) == dt.date(2026, 9, 29)
    assert listing.decision_number == ""  # no listing decision yet, so no number
    with pytest.raises(TransitionError) as running:
        services.track_credit_listing_decide(actor=inv, track=track, decided_on=dt.date(2026, 9, 29))
    assert running.value.code == "cases.credit_period_running" and "2026-09-29" in running.value.message_zh
    services.track_credit_statement_record(
        actor=inv, track=track, statement="矿机系承租方所有", received_on=dt.date(2026, 9, 24)
    )
    with pytest.raises(TransitionError) as unanswered:
        services.track_credit_listing_decide(actor=inv, track=track, decided_on=dt.date(2026, 9, 29))
    assert unanswered.value.code == "cases.credit_objection_unanswered"
    listing.refresh_from_db()
    assert listing.status == "objection" and listing.listed_on is None
    services.track_credit_statement_answer(
        actor=inv,
        track=track,
        upheld=False,
        reply="经核实，租赁合同约定由当事人用电",
        on=dt.date(2026, 9, 29),
    )
    track = services.track_credit_listing_decide(actor=inv, track=track, decided_on=dt.date(2026, 9, 29))
    listing.refresh_from_db()
    decided = Act.objects.get(kind="credit_listing", target=f"listing:{listing.pk}")
    assert track.step == "ended" and listing.status == "listed"
    assert listing.decision_number == decided.number != track.case.number
    assert decided.number in track.outcome


def test_a_written_waiver_lets_the_listing_be_decided_and_an_upheld_objection_ends_it_unlisted(crew, lead):
    from minesweep.credit.models import ListingRecord

    track = _credit_case(crew, lead)
    inv = crew.credit_officer
    services.track_credit_notice_issue(actor=inv, track=track, served_on=dt.date(2026, 9, 21))
    services.track_credit_rights_waive(actor=inv, track=track, on=dt.date(2026, 9, 22))
    with pytest.raises(TransitionError):  # waived: no statement can follow
        services.track_credit_statement_record(
            actor=inv, track=track, statement="补充意见", received_on=dt.date(2026, 9, 23)
        )
    track = services.track_credit_listing_decide(actor=inv, track=track, decided_on=dt.date(2026, 9, 22))
    assert track.step == "ended"

    other = run(crew, lead_again(crew), to="legal_review", filed_on=dt.date(2026, 9, 1))
    assert isinstance(other, Case)
    services.legal_review_record(actor=crew.reviewer, case=other, approve=True, opinion="同意")
    credit = other.tracks.get(kind="credit")
    _record_penalty_ground(crew, credit, dt.date(2026, 9, 21))
    services.track_credit_notice_issue(actor=inv, track=credit, served_on=dt.date(2026, 9, 21))
    services.track_credit_statement_record(
        actor=inv, track=credit, statement="不知情", received_on=dt.date(2026, 9, 22)
    )
    credit = services.track_credit_statement_answer(
        actor=inv, track=credit, upheld=True, reply="经核实异议成立", on=dt.date(2026, 9, 23)
    )
    listing = ListingRecord.objects.get(case_number=other.number)
    assert credit.step == "ended" and "不予列入" in credit.outcome
    assert listing.status == "removed" and listing.decision_number == ""


def lead_again(crew):  # type: ignore[no-untyped-def]
    from minesweep.cases.models import Lead
    from minesweep.registry.models import Division

    return services.lead_create(
        actor="test",
        source=Lead.Source.PUBLIC_REPORT,
        title="另一处挖矿",
        division=Division.objects.get(code="150207"),
    )


def test_a_listing_decided_on_the_credit_page_ends_the_credit_track_with_its_number(crew, lead):
    """The credit page and the case page run one procedure: the track mirrors the listing."""
    from minesweep.credit.models import ListingRecord
    from minesweep.credit.services import listing_publish, listing_rights_waive

    track = _credit_case(crew, lead)
    services.track_credit_notice_issue(actor=crew.credit_officer, track=track, served_on=dt.date(2026, 9, 21))
    listing = ListingRecord.objects.get(case_number=track.case.number)
    with pytest.raises(CreditError) as early:
        listing_publish(actor="test", listing=listing, on=dt.date(2026, 9, 22))
    assert early.value.code == "credit.objection_window_open"
    listing = listing_rights_waive(actor="test", listing=listing, on=dt.date(2026, 9, 22))
    listing = listing_publish(actor="test", listing=listing, on=dt.date(2026, 9, 22))
    track.refresh_from_db()
    assert track.step == "ended" and listing.decision_number and listing.decision_number in track.outcome


def test_a_listing_moves_the_track_of_its_own_party_even_when_two_parties_share_a_name(crew, lead):
    """Two people named alike in one case: the credit page's steps and the case page's listing belong to
    the party listed (a link, not a match on the name)."""
    from minesweep.credit.models import ListingRecord
    from minesweep.credit.selectors import listing_for_party
    from minesweep.credit.services import listing_rights_waive

    namesake = PartySpec(  # with a power account of his own
        "张某",
        "individual",
        "operator",
        ("mining_confirmed", "unapproved_power_connection"),
        holdings=("power_account",),
    )
    case = run(crew, lead, to="legal_review", filed_on=dt.date(2026, 9, 1), parties=(namesake, namesake))
    assert isinstance(case, Case)
    services.legal_review_record(actor=crew.reviewer, case=case, approve=True, opinion="同意")
    first, second = case.tracks.filter(kind="credit").order_by("party_id")
    _record_penalty_ground(crew, second, dt.date(2026, 9, 21))
    services.track_credit_notice_issue(
        actor=crew.credit_officer, track=second, served_on=dt.date(2026, 9, 21)
    )
    listing = ListingRecord.objects.get(case_number=case.number)
    assert listing.party_id == second.party_id
    assert listing_for_party(first.party) is None and listing_for_party(second.party) == listing
    listing_rights_waive(actor="test", listing=listing, on=dt.date(2026, 9, 22))
    from minesweep.credit.services import listing_publish

    listing_publish(actor="test", listing=listing, on=dt.date(2026, 9, 22))
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.step == "ended" and first.step == "handover"


def test_the_migration_links_old_listings_to_their_party_only_where_the_name_is_unambiguous(crew, lead):
    import importlib

    from django.apps import apps

    from minesweep.credit.models import ListingRecord

    link = importlib.import_module("minesweep.credit.migrations.0004_listingrecord_party")
    track = _credit_case(crew, lead)
    services.track_credit_notice_issue(actor=crew.credit_officer, track=track, served_on=dt.date(2026, 9, 21))
    namesake = PartySpec(  # with a power account of his own
        "张某",
        "individual",
        "operator",
        ("mining_confirmed", "unapproved_power_connection"),
        holdings=("power_account",),
    )
    twins = run(
        crew, lead_again(crew), to="legal_review", filed_on=dt.date(2026, 9, 1), parties=(namesake,) * 2
    )
    assert isinstance(twins, Case)
    services.legal_review_record(actor=crew.reviewer, case=twins, approve=True, opinion="同意")
    twin_track = twins.tracks.filter(kind="credit").first()
    _record_penalty_ground(crew, twin_track, dt.date(2026, 9, 21))
    services.track_credit_notice_issue(
        actor=crew.credit_officer, track=twin_track, served_on=dt.date(2026, 9, 21)
    )
    ListingRecord.objects.update(party=None)  # as before the link existed

    link.link_listings_to_parties(apps, None)

    assert ListingRecord.objects.get(case_number=track.case.number).party_id == track.party_id
    assert ListingRecord.objects.get(case_number=twins.number).party_id is None  # two 张某: left to a person


# -- the authority holding the penalty power files its own case (行政处罚法第二十二条、第五十四条) ------------------
def _approved_penalty(crew, lead):  # type: ignore[no-untyped-def]
    case = run(crew, lead, to="legal_review", filed_on=dt.date(2026, 9, 1), parties=(MINER,))
    assert isinstance(case, Case)
    services.legal_review_record(actor=crew.reviewer, case=case, approve=True, opinion="同意")
    refer(crew, case)
    return case, case.tracks.get(kind="penalty")


def test_a_penalty_another_authority_holds_waits_for_that_authoritys_own_filing(crew, lead):
    from minesweep.audit.models import AuditEvent

    case, track = _approved_penalty(crew, lead)
    # 电力法第七十一条 is the 电力管理部门's power; the 发改委 filed the case.
    assert track.authority == "power_administration" and track.step == "filing"
    with pytest.raises(TransitionError) as refused:
        _serve(crew, case, dt.date(2026, 9, 5))
    assert refused.value.code == "cases.penalty_not_filed" and "包头市能源局" in refused.value.message_zh
    for officers, on, code in (
        ("赵刚", dt.date(2026, 9, 3), "cases.officers_two"),  # 第四十二条: two or more
        ("赵刚、赵刚", dt.date(2026, 9, 3), "cases.officers_two"),
        ("赵刚、钱伟", dt.date(2026, 8, 31), "cases.date_too_early"),  # before the case was filed
        ("赵刚、钱伟", dt.date(2099, 1, 1), "cases.date_in_future"),
    ):
        with pytest.raises(DomainError) as error:
            services.track_penalty_file(
                actor=crew.penalty_officer, track=track, officers=officers, filed_on=on
            )
        assert error.value.code == code, (officers, on, error.value.code)
        track.refresh_from_db()
        assert track.step == "filing" and track.filed_on is None and track.filing_officers == ""
    filed = services.track_penalty_file(
        actor=crew.penalty_officer, track=track, officers="赵刚，钱伟 孙丽", filed_on=dt.date(2026, 9, 3)
    )
    assert filed.step == "notice" and filed.filed_on == dt.date(2026, 9, 3)
    assert filed.filing_officers == "赵刚、钱伟、孙丽"
    assert AuditEvent.objects.filter(action="cases.track.file", object_id=str(track.pk)).count() == 1
    with pytest.raises(TransitionError):  # filed once
        services.track_penalty_file(
            actor=crew.penalty_officer, track=track, officers="赵刚、钱伟", filed_on=dt.date(2026, 9, 4)
        )
    with pytest.raises(DomainError) as early:  # its notice comes after its own filing
        _serve(crew, case, dt.date(2026, 9, 2))
    assert early.value.code == "cases.date_too_early"
    assert _serve(crew, case, dt.date(2026, 9, 3)).served_on == dt.date(2026, 9, 3)


def test_a_penalty_the_filing_authority_holds_goes_straight_to_its_notice(crew, lead, monkeypatch):
    from minesweep.documents import authority

    same = authority.case_issuer
    monkeypatch.setattr(authority, "case_issuer", lambda case, authority_type="": same(case))
    case, track = _approved_penalty(crew, lead)
    assert track.step == "notice" and track.filed_on is None
    assert _serve(crew, case, dt.date(2026, 9, 3)).served_on == dt.date(2026, 9, 3)


def test_a_measure_of_an_organ_that_issues_no_acts_here_goes_to_it_by_a_letter_of_advice(crew, lead):
    """八项措施第一条: 加大节能监察力度 is the 节能监察机构's power (节约能源法第十二条), and the Inner Mongolia pack
    gives that organ no confirmed name or 文号 code: the case authority may not decide it in its own name
    (行政诉讼法第七十条第（四）项, 超越职权); it sends a 建议函 and records the answer. The 发改委's own measure
    (核减能耗预算指标) stays its decision."""
    from minesweep.documents.authority import issues_on_platform

    case = run(crew, lead, to="decided", filed_on=LONG_AGO, parties=(PARK,))
    inspection = case.tracks.get(party__name=PARK.name, authority="energy_conservation_supervision")
    assert inspection.kind == "other_authority" and inspection.action_codes() == ["energy_inspection"]
    assert inspection.actions[0]["routed_from"] == "measure" and inspection.letter_number
    assert "建议贵单位依法对其加大节能监察力度" in inspection.letter_text
    quota = case.tracks.get(party__name=PARK.name, kind="measure")
    assert quota.authority == "development_reform" and quota.action_codes() == ["energy_quota_cut"]
    shown = [a for m in case.parties.get(name=PARK.name).measures.all() for a in m.actions]
    assert {(a["code"], a["track"]) for a in shown} >= {
        ("energy_inspection", "other_authority"),
        ("energy_quota_cut", "measure"),
    }
    division = case.division
    assert issues_on_platform(case.pack, division, "development_reform")
    assert issues_on_platform(case.pack, division, "power_administration")
    assert not issues_on_platform(case.pack, division, "energy_conservation_supervision")  # 待确认, no code
    assert not issues_on_platform(case.pack, division, "tax_authority")  # no 文号 code configured


def test_the_differential_tariff_is_asked_of_the_regions_price_authority_never_decided_by_the_city(
    crew, lead
):
    """内发改价费字〔2022〕115号第一项: the 自治区发改委 keeps the list of mining projects and the grid company
    surcharges the projects on it. An electricity price is the provincial price authority's (价格法第二十条,
    电力法第三十五条): the city 发改委 decided "执行差别电价（淘汰类）" in its own 处理决定书 — 超越职权 (行政诉讼法
    第七十条第（四）项). It now asks the 自治区发改委 by 建议函; no 处理决定书 of the city orders the surcharge. A case
    of the 自治区发改委 itself decides it (the same organ as price authority)."""
    from minesweep.documents.authority import issues_on_platform
    from minesweep.documents.render import docx_text
    from minesweep.documents.services import document_issue
    from minesweep.registry.models import Division

    miner = dataclasses.replace(MINER, holdings=("power_account",))
    case = run(crew, lead, to="decided", filed_on=LONG_AGO, parties=(miner,))
    party = case.parties.get(name=MINER.name)
    asked = case.tracks.get(party=party, kind="other_authority", authority="price_authority")
    assert "differential_tariff" in asked.action_codes() and asked.letter_number
    assert asked.actions[0]["routed_from"] == "measure"
    assert asked.authority_name == "内蒙古自治区发展和改革委员会"
    for measure in case.tracks.filter(kind="measure"):
        assert "differential_tariff" not in measure.action_codes()
        assert "差别电价" not in measure.letter_text
    letter = document_issue(
        actor="test", case=case, kind="proposal", party=party, addressee="price_authority"
    )
    text = docx_text(bytes(letter.docx))
    assert "内蒙古自治区发展和改革委员会：" in text and "执行差别电价（淘汰类）" in text
    assert not issues_on_platform(case.pack, case.division, "price_authority")
    assert issues_on_platform(case.pack, Division.objects.get(code="150000"), "price_authority")


def test_a_penalty_of_an_organ_that_issues_no_acts_here_goes_to_it_by_a_letter_of_advice(crew, lead):
    """电力法第七十一条's fine is the 电力管理部门's. Where the pack gives that organ no confirmed name and 文号 code
    (Sichuan's is marked 待确认), the penalty was announced and decided in the 发改委's name — void, 行政处罚法
    第十七条、第三十八条. It now goes to the organ by 建议函, as a measure of such an organ does; a penalty of an
    organ that issues here (包头市能源局) keeps its penalty track."""
    from minesweep.cases.services.tracks import route_action

    case = run(crew, lead, to="investigating", filed_on=LONG_AGO, parties=(MINER,))
    fine = {"code": "theft_fine", "track": "penalty", "authority": "power_administration"}
    assert route_action(case, fine) == fine  # 包头市能源局: confirmed, with its code 包能源
    elsewhere = {**fine, "authority": "energy_conservation_supervision"}  # 待确认, no code
    routed = route_action(case, elsewhere)
    assert routed["track"] == "other_authority" and routed["routed_from"] == "penalty"


def test_a_measure_against_an_administrative_organ_is_internal_work_never_a_decision_letter(
    crew, lead, make_lead
):
    """A park's 管委会 is an organ of the government (its code: 机构编制, 机关): the cut of its energy budget is
    the administration's own work (节约能源法第六条), tasked, and no 处理决定书 offers it 行政复议 or 行政诉讼,
    which 行政诉讼法第二条 and 行政复议法第二条 give 公民、法人或者其他组织. A park company keeps its decision."""
    from minesweep.registry.uscc import make_uscc

    organ = dataclasses.replace(PARK, identifier=make_uscc("1", "1", "150207", "MB0P0001"))
    case = run(crew, lead, to="decided", filed_on=LONG_AGO, parties=(organ,))
    internal = case.tracks.get(party__name=PARK.name, kind="internal")
    assert internal.action_codes() == ["energy_quota_cut"] and internal.actions[0]["routed_from"] == "measure"
    assert not internal.letter_number and internal.step == "execution"
    task = internal.tasks.get()
    assert task.department == "development_reform" and "核减能耗" in task.instructions
    assert not case.tracks.filter(party__name=PARK.name, kind="measure").exists()
    assert case.tracks.filter(party__name=PARK.name, kind="accountability").exists()  # its cadres answer

    company = dataclasses.replace(
        PARK, name="某园区开发有限公司", identifier=make_uscc("9", "1", "150207", "MA0P0002")
    )
    case = run(crew, make_lead(title="某园区疑似挖矿"), to="decided", filed_on=LONG_AGO, parties=(company,))
    measure = case.tracks.get(party__name=company.name, kind="measure")
    assert measure.action_codes() == [
        "energy_quota_cut"
    ]  # the company's own decision, once its article is known


def test_a_breached_credit_pledge_is_a_credit_record_task_never_part_of_a_listing(crew, lead):
    """1283号 "违反承诺的纳入信用记录" for a firm that signed the pledge: the credit office's internal task, apart
    from measure 8's listing track (国办发〔2020〕49号 separates public credit information records from the
    失信主体名单); a firm that signed none has nothing to breach."""
    pledged = PartySpec(
        "某云计算有限公司", "big_data_or_cloud", "operator", ("mining_confirmed", "credit_pledge_signed")
    )
    unpledged = PartySpec("某大数据有限公司", "big_data_or_cloud", "operator", ("mining_confirmed",))
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO, parties=(pledged, unpledged))
    assert isinstance(case, Case)
    for name in (pledged.name, unpledged.name):
        assert case.tracks.get(party__name=name, kind="credit").action_codes() == ["credit_blacklist"]
    record = case.tracks.get(party__name=pledged.name, kind="internal", authority="credit_office")
    assert record.action_codes() == ["credit_pledge_breach"]
    assert not case.tracks.filter(party__name=unpledged.name, authority="credit_office", kind="internal")


def test_the_grid_is_asked_to_cut_only_the_supply_of_a_party_that_connected_without_approval(crew, lead):
    """1283号 "对违规私拉电线、直供电的，依法停限电" and 电力法第二十九条 (interruption only on a legal ground): a host
    that only provided the site gets no 停限电 建议函, and a park's 管委会 (an organ, by its code) none even where
    it connected without approval; the miner with the private line does."""
    from minesweep.registry.uscc import make_uscc

    organ = dataclasses.replace(
        PARK,
        facts=(*PARK.facts, "unapproved_power_connection"),
        identifier=make_uscc("1", "1", "150207", "MB0P0003"),
    )
    host = PartySpec("某数据中心有限公司", "data_center", "host", ("provided_site_or_power",))
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO, parties=(MINER, organ, host))
    assert isinstance(case, Case)
    cuts = {
        t.party.name
        for t in case.tracks.filter(kind="other_authority", authority="grid_company")
        if "power_cut" in t.action_codes()
    }
    assert cuts == {MINER.name}


def test_a_measure_whose_article_awaits_the_legal_office_gets_no_decision_letter(crew, lead, client_for):
    """The pack grounds 核减能耗预算指标 on 《节约能源法》 "用能预算管理的具体依据待法制审核确认": a 处理决定书 reading
    依据《中华人民共和国节约能源法》 cannot be signed by a legal reviewer. The letter is refused with what is missing;
    the page says so in place of the issue button; the officer records that no decision is made, with the
    reason, and the track ends (the case can close)."""
    case = run(crew, lead, to="notice", filed_on=LONG_AGO, parties=(PARK,))
    quota = case.tracks.get(party__name=PARK.name, kind="measure")
    assert quota.step == "letter" and quota.action_codes() == ["energy_quota_cut"]
    with pytest.raises(DomainError) as refused:
        services.track_letter_issue(actor=crew.investigator, track=quota)
    assert refused.value.code == "cases.basis_pending"
    assert (
        "《中华人民共和国节约能源法》" in refused.value.message_zh
        and "待法制审核确认" in refused.value.message_zh
    )
    assert "confirm" in refused.value.message_en
    quota.refresh_from_db()
    assert quota.step == "letter" and not quota.letter_number
    client = client_for(crew.investigator)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "basis-pending" in page and "登记不作出处理决定" in page
    short = client.post(
        f"/cases/{case.pk}/act/track_decline/", {"track": quota.pk, "reason": "待定", "on": ""}, follow=True
    )
    assert short.status_code == 200 and "至少 6 个字" in short.content.decode()
    quota.refresh_from_db()
    assert quota.step == "letter"
    client.post(
        f"/cases/{case.pk}/act/track_decline/",
        {"track": quota.pk, "reason": "核减能耗预算指标的法律依据条款待法制审核确认", "on": ""},
    )
    quota.refresh_from_db()
    assert quota.ended and quota.outcome.startswith("不作出处理决定：核减能耗预算指标的法律依据")
    assert not quota.letter_number and not quota.tasks.exists()
    assert case.log.filter(action="cases.track.decline").exists()
    assert AuditEvent.objects.filter(action="cases.track.decline").exists()


def test_a_configured_organ_decides_its_own_measure_in_its_own_name(crew, lead, monkeypatch):
    """Once the region configures the organ (name and 文号 code), the same measure is its decision letter."""
    from minesweep.documents import authority

    real = authority._organ_at

    def configured(pack_name, division_code, authority_type):  # type: ignore[no-untyped-def]
        found = real(pack_name, division_code, authority_type)
        if authority_type == "energy_conservation_supervision" and found is not None:
            return dataclasses.replace(found, name="包头市节能监察支队", abbreviation="包节监")
        return found

    monkeypatch.setattr(authority, "_organ_at", configured)
    case = run(crew, lead, to="decided", filed_on=LONG_AGO, parties=(PARK,))
    inspection = case.tracks.get(party__name=PARK.name, authority="energy_conservation_supervision")
    assert inspection.kind == "measure" and inspection.letter_number.startswith("包节监")


def test_internal_work_is_tasked_and_never_decided_against_the_party(crew, lead):
    """1283号's weekly project register is kept inside the administration: the register entry is a task of
    the 发改委, never a 处理决定 served on the miner (法释〔2018〕1号第一条第二款第（五）项、第（十）项: no external
    legal effect); the track ends when its task is closed."""
    case = run(crew, lead, to="decided", filed_on=LONG_AGO, parties=(MINER,))
    internal = case.tracks.get(party__name=MINER.name, kind="internal")
    assert internal.action_codes() == ["register_project"] and internal.step == "execution"
    assert not internal.letter_on and not internal.letter_number and not internal.letter_text
    task = internal.tasks.get()
    assert task.department == "development_reform" and "不对当事人作出决定" in task.instructions
    letter = case.tracks.get(party__name=MINER.name, kind="measure", authority="development_reform")
    assert "register_project" not in letter.action_codes() and "项目清单" not in letter.letter_text
    with pytest.raises(TransitionError):
        services.track_letter_issue(actor=crew.investigator, track=internal)
    services.task_close(
        actor=crew.liaisons["development_reform"],
        task=task,
        document_number="包发改清单〔2026〕12号",
        proof=("register.pdf", "application/pdf", b"%PDF-1.4 register entry"),
    )
    internal.refresh_from_db()
    assert internal.ended and "包发改清单〔2026〕12号" in internal.outcome
    assert case.log.filter(action="cases.track.internal").exists()


def test_a_case_of_several_parties_goes_to_review_only_with_each_partys_findings(crew, lead):
    """Each party's acts state the facts found against it: with several parties, every party with a measure
    needs its own findings before the case is submitted; the engine run stores and audits them."""
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO, parties=(MINER, PARK))
    park = case.parties.get(name=PARK.name)
    assert park.findings.startswith("经查，某工业园区管委会")
    services.determination_evaluate(actor=crew.investigator, case=case, party_findings={park.pk: " "})
    with pytest.raises(TransitionError) as refused:
        services.determination_submit(actor=crew.investigator, case=case)
    assert f"未填写对“{PARK.name}”认定的事实" in refused.value.message_zh
    services.determination_evaluate(
        actor=crew.investigator, case=case, party_findings={park.pk: "经查，该园区为矿场提供场地和电力。"}
    )
    park.refresh_from_db()
    assert park.findings == "经查，该园区为矿场提供场地和电力。"
    blank, filled = AuditEvent.objects.filter(action="cases.determination.evaluate").order_by("-seq")[:2][
        ::-1
    ]
    assert blank.after_digest != filled.after_digest  # the audited state carries the findings
    with pytest.raises(DomainError) as stranger:
        services.determination_evaluate(actor=crew.investigator, case=case, party_findings={10**9: "x"})
    assert stranger.value.code == "cases.party_not_in_case"
    services.determination_submit(actor=crew.investigator, case=case)


def test_a_document_two_packs_cite_for_one_action_is_cited_once(crew, lead):
    """The regional tariff (115号 and 1283号) and the national one (1283号 with a remark) are one action: 1283号
    is among its policies once, whichever remark came with it."""
    from minesweep.policy.packs import policy_document

    case = run(crew, lead, to="decided", filed_on=LONG_AGO, parties=(MINER,))
    track = case.tracks.get(kind="other_authority", authority="price_authority")
    tariff = next(a for a in track.actions if a["code"] == "differential_tariff")
    documents = [policy_document(p) for p in tariff["policy_basis"]]
    assert "发改运行〔2021〕1283号" in documents and len(documents) == len(set(documents))


def test_the_migration_gives_parties_of_older_cases_their_reviewed_facts_in_words(crew, lead):
    """A case of several parties decided before per-party findings: each party gets its own fact codes in
    words (what the review approved for it), never the case's narrative; a one-party case is left alone."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("minesweep.cases.migrations.0010_party_findings")
    case = run(crew, lead, to="legal_review", filed_on=LONG_AGO, parties=(MINER, PARK))
    single = run(crew, lead_again(crew), to="legal_review", filed_on=LONG_AGO, parties=(MINER,))
    assert isinstance(case, Case) and isinstance(single, Case)
    CaseParty.objects.update(findings="")  # as before the field existed

    migration.findings_from_reviewed_facts(apps, None)

    park = case.parties.get(name=PARK.name)
    assert park.findings.startswith(f"经查，{PARK.name}") and "故意隐瞒不报" in park.findings
    assert "未经报批私自接入动力电源" not in park.findings
    assert "未经报批私自接入动力电源" in case.parties.get(name=MINER.name).findings
    assert single.parties.get().findings == ""


def test_a_decision_letter_leaves_out_only_the_measures_whose_article_awaits_the_legal_office(crew, lead):
    """A data centre that hosted rigs and mined gets the 发改委's measures of both rules on one track: the
    letter decides those with a confirmed basis and leaves 核减能耗预算指标 (《节约能源法》, 待法制审核确认) out —
    no task for it either — and the audit says what was left undecided and why."""
    from minesweep.documents.render import docx_text
    from minesweep.documents.services import document_issue

    host = PartySpec(
        "某数据中心有限公司",
        "data_center",
        "host",
        ("provided_site_or_power", "mining_confirmed"),
        make_uscc("9", "1", "150200", "MA0K0009"),  # an act served on it names its code and address
        holdings=("power_account", "market_participation"),  # market exit: a measure with a confirmed basis
        address="包头市某数据中心园区1号楼",
    )
    case = run(crew, lead, to="decided", filed_on=LONG_AGO, parties=(host,))
    track = case.tracks.get(party__name=host.name, kind="measure", authority="development_reform")
    assert "energy_quota_cut" in track.action_codes() and len(track.action_codes()) > 1
    assert track.letter_number and "核减能耗预算指标" not in track.letter_text
    assert "《中华人民共和国节约能源法》" not in track.letter_text
    assert set(track.tasks.values_list("action", flat=True)) == set(track.action_codes()) - {
        "energy_quota_cut"
    }
    audit = case.log.get(action="cases.track.letter", note__contains=host.name)
    assert "未作决定（法律依据条款待法制审核确认）：核减能耗预算指标" in audit.note
    document = document_issue(
        actor="test", case=case, kind="measure_letter", party=track.party, addressee=track.authority
    )
    text = docx_text(bytes(document.docx))
    assert "作出如下处理决定" in text and "核减能耗预算指标" not in text


def test_a_letter_of_advice_goes_to_an_organ_named_in_full(crew, lead, client_for):
    """The pack names the 节能监察 body "内蒙古自治区节能监察机构（待确认）": the 建议函 went to "节能监察机构：", an
    addressee nobody can serve. Now the officer gives the organ's full name (kept and audited) or nothing is
    sent; an organ the pack names cannot be renamed; a letter recorded without a confirmed name is refused."""
    from minesweep.documents.render import docx_text
    from minesweep.documents.services import document_issue

    # a park (a company: no organ code) that also ran a private line, so the grid, named by the pack, is asked
    # to cut its supply (1283号 rule 5)
    wired = dataclasses.replace(PARK, facts=(*PARK.facts, "unapproved_power_connection"))
    case = run(crew, lead, to="notice", filed_on=LONG_AGO, parties=(wired,))
    inspection = case.tracks.get(party__name=PARK.name, authority="energy_conservation_supervision")
    assert inspection.kind == "other_authority" and "待确认" in inspection.authority_name
    client = client_for(crew.investigator)
    page = client.get(f"/cases/{case.pk}/?panel=tracks").content.decode()
    assert 'name="addressee_name"' in page
    with pytest.raises(DomainError) as unnamed:
        services.track_advice_send(actor=crew.investigator, track=inspection)
    assert unnamed.value.code == "cases.addressee_unconfirmed" and "全称" in unnamed.value.message_zh
    inspection.refresh_from_db()
    assert inspection.step == "letter" and not inspection.letter_number
    with pytest.raises(DomainError) as placeholder:
        services.track_advice_send(
            actor=crew.investigator, track=inspection, addressee_name="节能监察（待确认）"
        )
    assert placeholder.value.code == "cases.addressee_unconfirmed"
    client.post(
        f"/cases/{case.pk}/act/track_advice/",
        {"track": inspection.pk, "addressee_name": "包头市节能监察支队", "on": ""},
    )
    inspection.refresh_from_db()
    assert inspection.authority_name == "包头市节能监察支队" and inspection.letter_number
    assert case.log.filter(action="cases.track.advice", note__contains="全称由办案人员填写").exists()
    services.tracks_sync(actor=crew.investigator, case=case)  # a later sync keeps the name the letter went to
    inspection.refresh_from_db()
    assert inspection.authority_name == "包头市节能监察支队"
    letter = document_issue(
        actor="test", case=case, kind="proposal", party=inspection.party, addressee=inspection.authority
    )
    assert "包头市节能监察支队：" in docx_text(bytes(letter.docx))

    grid = case.tracks.get(party__name=PARK.name, authority="grid_company")
    with pytest.raises(DomainError) as renamed:
        services.track_advice_send(actor=crew.investigator, track=grid, addressee_name="某某供电公司")
    assert renamed.value.code == "cases.addressee_configured"

    Track.objects.filter(pk=inspection.pk).update(authority_name="内蒙古自治区节能监察机构（待确认）")
    with pytest.raises(DomainError) as refused:
        document_issue(
            actor="test", case=case, kind="proposal", party=inspection.party, addressee=inspection.authority
        )
    assert refused.value.code == "documents.addressee_unconfirmed"


def test_only_the_credit_office_records_a_listing_and_it_records_nothing_else_of_the_case(crew, lead):
    """49号: the organ that lists (the pack's credit office, 内蒙古自治区发展和改革委员会) tells the party, answers
    it and decides. The city 发改委's investigator who runs the case is refused its steps — on the case page
    and on the credit page — and the credit office's officer is refused the case's own acts."""
    from minesweep.credit.models import ListingRecord
    from minesweep.credit.services import listing_rights_waive

    track = _credit_case(crew, lead)
    with pytest.raises(DomainError) as city:
        services.track_credit_notice_issue(
            actor=crew.investigator, track=track, served_on=dt.date(2026, 9, 21)
        )
    assert city.value.code == "cases.credit_other_organ"
    assert (
        "内蒙古自治区发展和改革委员会" in city.value.message_zh
        and "包头市发展和改革委员会" in city.value.message_zh
    )
    assert not ListingRecord.objects.exists()
    services.track_credit_notice_issue(actor=crew.credit_officer, track=track, served_on=dt.date(2026, 9, 21))
    listing = ListingRecord.objects.get(case_number=track.case.number)
    assert listing.authority == "内蒙古自治区发展和改革委员会"
    with pytest.raises(DomainError) as credit_page:
        listing_rights_waive(actor=crew.investigator, listing=listing, on=dt.date(2026, 9, 22))
    assert credit_page.value.code == "credit.other_organ"
    listing.refresh_from_db()
    assert listing.rights_waived_on is None
    with pytest.raises(DomainError) as case_act:
        services.track_letter_issue(actor=crew.credit_officer, track=track.party.tracks.get(kind="measure"))
    assert case_act.value.code == "cases.case_other_organ"
    assert services.credit_organ_elsewhere(crew.investigator, track.case) == "内蒙古自治区发展和改革委员会"
    assert services.credit_organ_elsewhere(crew.credit_officer, track.case) == ""


def test_the_credit_page_tells_a_party_only_on_a_ground_and_records_it_in_the_basis(crew, lead):
    """The same rule on the credit page as on the case page: a listing made from a case is not told before a
    decision with legal effect exists (国办发〔2020〕49号); once told, its recorded basis names that decision."""
    from minesweep.credit.services import listing_from_track, listing_notify
    from minesweep.documents.context import violated_provisions

    track = _credit_case(crew, lead, grounded=False)
    proposed = listing_from_track(actor=crew.credit_officer, track=track)
    assert "征求意见稿" not in proposed.basis and proposed.basis.endswith("国办发〔2020〕49号")
    with pytest.raises(TransitionError) as refused:
        listing_notify(actor=crew.credit_officer, listing=proposed, on=dt.date(2026, 9, 21))
    assert refused.value.code == "cases.credit_no_ground"
    proposed.refresh_from_db()
    assert proposed.status == "proposed" and proposed.notice_number == ""
    _record_penalty_ground(crew, track, dt.date(2026, 9, 21))
    told = listing_notify(actor=crew.credit_officer, listing=proposed, on=dt.date(2026, 9, 21))
    ground = "经包头市能源局作出的包能源罚〔2026〕9号行政处罚决定书认定"
    assert told.basis.endswith(
        f"{ground}；依据《中华人民共和国行政处罚法》第四十八条第一款；国办发〔2020〕49号"
    )
    violated = violated_provisions(track.party)  # the provisions the party's penalty notice cites
    assert "《中华人民共和国电力法》第四条" in violated and told.basis.startswith(f"违反{violated}的规定；经")
    told.refresh_from_db()
    assert told.status == "notified" and ground in told.basis
    track.refresh_from_db()
    assert track.step == "credit_rights"  # the case's track follows the credit page
    # The remedies its 列入决定书 will state: the credit office's review organ and court, with the periods.
    assert "自收到本决定书之日起六十日内向内蒙古自治区人民政府申请行政复议" in told.remedies
    assert "自收到本决定书之日起六个月内向内蒙古自治区辖区内有管辖权的人民法院提起行政诉讼" in told.remedies


def _decide_listing(crew, track, severity=None):  # type: ignore[no-untyped-def]
    """Notice (with ``severity``, else the default), written waiver, decision; the decision's document text."""
    from minesweep.documents.render import docx_text
    from minesweep.documents.services import document_issue

    officer = crew.credit_officer
    services.track_credit_notice_issue(
        actor=officer, track=track, served_on=dt.date(2026, 9, 21), severity=severity
    )
    services.track_credit_rights_waive(actor=officer, track=track, on=dt.date(2026, 9, 22))
    services.track_credit_listing_decide(actor=officer, track=track, decided_on=dt.date(2026, 9, 22))
    document = document_issue(actor="test", case=track.case, kind="credit_listing", party=track.party)
    return docx_text(bytes(document.docx))


def test_a_case_listing_is_not_serious_unless_the_pack_names_the_standard_of_the_serious_list(crew, lead):
    """国办发〔2020〕49号 四(六)(七): a 严重失信主体名单 rests on a standard a law, a regulation or a CCP Central
    Committee / State Council policy document sets (a local regulation for a region's own list). The packs
    name none for mining, so a case listing is 一般失信 by default, 严重 is refused with nothing written, and
    the decision is titled 列入失信主体名单决定书."""
    from minesweep.credit.models import ListingRecord

    track = _credit_case(crew, lead)
    events = AuditEvent.objects.count()
    with pytest.raises(CreditError) as serious:
        services.track_credit_notice_issue(
            actor=crew.credit_officer, track=track, served_on=dt.date(2026, 9, 21), severity="serious"
        )
    assert serious.value.code == "credit.serious_without_standard"
    assert "地方性法规" in serious.value.message_zh and "49/2020" in serious.value.message_en
    assert not ListingRecord.objects.exists() and AuditEvent.objects.count() == events
    track.refresh_from_db()
    assert track.step == "handover"
    text = _decide_listing(crew, track)
    assert ListingRecord.objects.get(case_number=track.case.number).severity == "general"
    assert "列入失信主体名单决定书" in text and "严重" not in text and "失信程度：一般失信" in text
    # 49号 "依法依规开展失信惩戒": the decision imposes no measure it cites no law for, and no 联合惩戒
    assert "三、惩戒措施\n列入失信主体名单并依规公示（对失信主体采取减损权益或者增加义务的惩戒措施" in text
    assert "在各自职责范围内依法实施）。\n四、公示期限" in text  # each paragraph ends as a sentence
    assert "自动移出。\n六、救济途径" in text and "提起行政诉讼。" in text
    assert "联合惩戒" not in text and "电力市场交易" not in text and "优惠政策" not in text


def test_a_standard_named_in_the_pack_makes_the_listing_serious_and_is_cited(crew, lead):
    from minesweep.credit.models import ListingRecord

    track = _credit_case(crew, lead)
    for measure in track.party.measures.all():  # as a pack whose credit action names the standard would
        measure.actions = [
            {
                **a,
                "legal_basis": [{"law": "某自治区社会信用条例", "article": "第二十九条"}],
            }  # made up for the test
            if a.get("track") == "credit"
            else a
            for a in measure.actions
        ]
        measure.save()
    text = _decide_listing(crew, track)
    assert ListingRecord.objects.get(case_number=track.case.number).severity == "serious"
    assert "列入严重失信主体名单决定书" in text and "依据《某自治区社会信用条例》第二十九条" in text
    assert "失信程度：严重失信" in text
