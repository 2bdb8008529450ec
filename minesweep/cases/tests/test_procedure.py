"""The intended fine of a 告知书 (行政处罚法第四十四条) and the decided fine that may only be lower (第四十五条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minesweep.cases import services
from minesweep.cases.models import Case, Notice
from minesweep.cases.scenarios import file_penalties, refer, run
from minesweep.cases.selectors import fine_range
from minesweep.cases.tests.test_services import decision_fields
from minesweep.core.errors import DomainError, PermissionDeniedError

pytestmark = pytest.mark.django_db
SERVED = dt.date(2026, 9, 21)


def _approved(crew, lead) -> Case:  # type: ignore[no-untyped-def]
    case = run(crew, lead, to="legal_review", filed_on=dt.date(2026, 9, 1), theft_kw=2)
    assert isinstance(case, Case)
    services.legal_review_record(actor=crew.reviewer, case=case, approve=True, opinion="同意")
    refer(crew, case)  # the facts' police referral is settled before any notice (国务院令第310号第十一条)
    file_penalties(crew, case, on=case.filed_on)  # the 能源局 files its own case (行政处罚法第五十四条)
    return case


def _serve(crew, case, fine):  # type: ignore[no-untyped-def]
    return services.notice_issue(
        actor=crew.penalty_officer,
        case=case,
        party=case.parties.get(),
        intended_penalty="罚款",
        served_on=SERVED,
        intended_fine_yuan=fine,
    )


def test_it_refuses_a_missing_negative_or_above_ceiling_intended_fine_and_changes_nothing(crew, lead):
    case = _approved(crew, lead)
    party = case.parties.get()
    found = fine_range(party)
    # 电力法第七十一条: 应交电费五倍以下 — five times the back charge of the party's theft calculation.
    assert found is not None and found.multiple == 5 and found.base_yuan
    assert found.ceiling == (found.base_yuan * 5).quantize(Decimal("0.01"))
    over = found.ceiling + Decimal("0.01")
    for fine, code in (
        (None, "cases.fine_required"),
        ("0", "cases.fine_not_positive"),
        ("-5", "cases.bad_amount"),
        (str(over), "cases.fine_above_range"),
    ):
        with pytest.raises(DomainError) as refused:
            _serve(crew, case, fine)
        assert refused.value.code == code and refused.value.message_zh and refused.value.message_en
    assert "应交电费" in refused.value.message_zh and "第七十一条" in refused.value.message_zh
    assert not Notice.objects.filter(case=case).exists()
    assert case.tracks.get(kind="penalty").step == "notice"
    notice = _serve(crew, case, str(found.ceiling))
    assert notice.intended_fine_yuan == found.ceiling


def test_it_refuses_a_decided_fine_above_the_notified_one_and_accepts_a_lower_one(crew, lead):
    case = _approved(crew, lead)
    party = case.parties.get()
    notice = _serve(crew, case, "3000")
    services.notice_statement_record(
        actor=crew.penalty_officer, notice=notice, statement="当事人称已停止挖矿", received_on=SERVED
    )
    services.penalty_review_record(actor=crew.reviewer_of(party), party=party, approve=True, opinion="同意")
    if case.tracks.get(kind="penalty").step == "discussion":
        services.discussion_record(
            actor=crew.penalty_officer,
            party=party,
            participants="主任、副主任",
            minutes="同意罚款",
            conclusion="同意",
        )
    decide = decision_fields(decided_on=dt.date(2026, 9, 29))
    with pytest.raises(DomainError) as higher:
        services.decision_issue(
            actor=crew.penalty_officer, case=case, party=party, **decide, fine_yuan="3000.01"
        )
    assert higher.value.code == "cases.fine_above_notice"
    assert "第四十五条" in higher.value.message_zh and "Art. 45" in higher.value.message_en
    assert not case.decisions.exists()
    decision = services.decision_issue(
        actor=crew.penalty_officer,
        case=case,
        party=party,
        **decide,
        fine_yuan="2000",
        fine_change_reason="当事人陈述已停止挖矿，经核实属实，予以采纳",
    )
    assert decision.fine_yuan == Decimal("2000")


def test_the_penalty_authoritys_acts_are_recorded_by_its_own_officers(crew, lead, make_staff):
    """行政处罚法第四十二条、第五十七条: the 能源局's filing, notice and decision are its officers' acts. The
    发改委 investigator running the case, and the 能源局 officer of another city, are refused and change
    nothing; the 包头市能源局's officer records them."""
    from minesweep.accounts.roles import Role

    case = run(crew, lead, to="legal_review", filed_on=dt.date(2026, 9, 1), theft_kw=2)
    assert isinstance(case, Case)
    services.legal_review_record(actor=crew.reviewer, case=case, approve=True, opinion="同意")
    refer(crew, case)
    track = case.tracks.get(kind="penalty")
    ordos_officer = make_staff("ordos_energy_officer", Role.INVESTIGATOR, "150600", "power_administration")
    with pytest.raises(PermissionDeniedError):  # another city's bureau: not its case
        services.track_penalty_file(actor=ordos_officer, track=track, officers="赵刚、钱伟")
    with pytest.raises(DomainError) as other_organ:
        services.track_penalty_file(actor=crew.investigator, track=track, officers="赵刚、钱伟")
    assert other_organ.value.code == "cases.penalty_other_organ"
    assert "包头市能源局的执法行为" in other_organ.value.message_zh
    assert "您是包头市发展和改革委员会的工作人员" in other_organ.value.message_zh
    track.refresh_from_db()
    assert track.filed_on is None and track.step == "filing"
    file_penalties(crew, case, on=case.filed_on)
    with pytest.raises(DomainError) as notice_refused:
        services.notice_issue(
            actor=crew.investigator,
            case=case,
            party=case.parties.get(),
            intended_penalty="罚款",
            served_on=SERVED,
            intended_fine_yuan="2000",
        )
    assert notice_refused.value.code == "cases.penalty_other_organ"
    assert not Notice.objects.filter(case=case).exists()
    notice = _serve(crew, case, "2000")
    assert notice.number.startswith("包能源告")
    with pytest.raises(DomainError) as waiver_refused:
        services.notice_rights_waive(actor=crew.investigator, notice=notice)
    assert waiver_refused.value.code == "cases.penalty_other_organ"


def test_the_case_authoritys_acts_are_not_the_penalty_authoritys_to_record(crew, lead, client_for):
    """The mirror rule: the 能源局's officer records its penalty, not the 发改委's case — its measures' letters,
    its referrals, its closing are refused (cases.case_other_organ), and its case page is read-only but for
    that penalty's forms."""
    case = run(crew, lead, to="legal_review", filed_on=dt.date(2026, 9, 1), theft_kw=2)
    assert isinstance(case, Case)
    services.legal_review_record(actor=crew.reviewer, case=case, approve=True, opinion="同意")
    referral = case.referrals.get(kind="police")
    with pytest.raises(DomainError) as refused:
        services.referral_decide(
            actor=crew.penalty_officer, referral=referral, approve=True, reason="依法移送"
        )
    assert refused.value.code == "cases.case_other_organ"
    assert (
        "包头市发展和改革委员会" in refused.value.message_zh
        and "您是包头市能源局的工作人员" in refused.value.message_zh
    )
    referral.refresh_from_db()
    assert referral.status == "proposed"
    refer(crew, case)
    file_penalties(crew, case, on=case.filed_on)
    party = case.parties.get()
    page = (
        client_for(crew.penalty_officer).get(f"/cases/{case.pk}/?p=tracks&party={party.pk}").content.decode()
    )
    assert '<div class="readonly">' in page and "case-organ-elsewhere" in page
    assert 'class="notice-form"' in page  # its own penalty's step, inside the forms it may use
    assert 'class="cols track-forms organ-forms"' in page
    letters = [t for t in case.tracks.exclude(kind="penalty") if "letter_issue" in services.track_allowed(t)]
    assert letters and "track_letter" not in page  # the 发改委's letters: no form for the bureau
    investigator = client_for(crew.investigator).get(f"/cases/{case.pk}/").content.decode()
    assert '<div class="readonly">' not in investigator and "case-organ-elsewhere" not in investigator
