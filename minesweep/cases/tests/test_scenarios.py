"""End to end through the services: a lead reaches every stage, with tasks, referrals and follow-ups."""

from __future__ import annotations

import datetime as dt

import pytest

from minesweep.audit.services import audit_verify
from minesweep.cases import scenarios
from minesweep.cases.models import Case, Lead, Referral, Task, Track
from minesweep.cases.scenarios import Crew, run
from minesweep.cases.tests.conftest import LONG_AGO

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("open", Lead.Status.OPEN),
        ("verifying", Lead.Status.VERIFYING),
        ("not_filed", Lead.Status.NOT_FILED),
        ("investigating", Case.Stage.INVESTIGATING),
        ("legal_review", Case.Stage.LEGAL_REVIEW),
        ("notice", Case.Stage.NOTICE),
        ("decided", Case.Stage.DECIDED),
        ("closed", Case.Stage.CLOSED),
        # Art. 29: the decided case stays closed; the relapse is a new, linked case (see below).
        ("reopened", Case.Stage.CLOSED),
    ],
)
def test_it_takes_a_lead_to_every_stage(crew, lead, stage, expected):
    result = run(crew, lead, to=stage, filed_on=LONG_AGO)
    status = result.status if isinstance(result, Lead) else result.stage
    assert status == expected
    assert audit_verify().intact


def test_it_decides_after_the_parties_periods_when_national_day_stretches_them(crew, lead):
    # Served 2026-09-23: the five working days for statement and hearing request run past 国庆 to 10-08,
    # so fifteen calendar days (10-08) would decide on their last day.
    case = run(crew, lead, to="decided", filed_on=dt.date(2026, 9, 20))
    assert isinstance(case, Case) and case.stage == Case.Stage.DECIDED
    notice = case.notices.get()
    assert notice.hearing_request_deadline == dt.date(2026, 10, 8)
    assert case.decisions.get().decided_on == dt.date(2026, 10, 9)


def test_it_creates_tasks_referrals_and_follow_ups_on_the_way(crew, lead):
    case = run(crew, lead, to="closed", filed_on=LONG_AGO)
    assert isinstance(case, Case)
    departments = set(case.tasks.values_list("department", flat=True))
    # Tasks now belong to the tracks that have them: the grid company answers the 建议函 (charges,
    # power cut), departments execute the measures; police and credit run as referral and credit tracks.
    # Market exit (power-trading centre): the party is on record as trading in the power market; the
    # differential tariff is asked of the province's price authority (its 建议函's task); no letter to the tax
    # or land authority, the 财政局 or the financial regulator: it is on record with no tax or land preference,
    # and no fiscal or financial support, to cancel or stop.
    assert {"grid_company", "power_trading_center", "price_authority"} <= departments
    granting = {"tax_authority", "land_authority", "finance_department", "financial_regulator"}
    assert not granting & departments
    assert not case.tasks.filter(status=Task.Status.OPEN).exists()
    police = case.referrals.get(kind=Referral.Kind.POLICE)
    assert police.status == Referral.Status.ANSWERED
    kinds = {t.kind for t in case.tracks.all()}
    assert kinds == {"penalty", "measure", "other_authority", "referral", "credit", "internal"}
    assert all(t.ended for t in case.tracks.all())
    assert sorted(case.follow_ups.values_list("months", flat=True)) == [1, 3, 6]
    assert case.calculations.get(kind="energy").tce is not None


def test_a_relapse_opens_a_new_linked_case_and_leaves_the_decided_one_alone(crew, lead):
    # Changed with issue 11: reopening a decided case punished the same act twice (行政处罚法第二十九条).
    case = run(crew, lead, to="reopened", filed_on=LONG_AGO)
    assert isinstance(case, Case)
    assert case.stage == Case.Stage.CLOSED and case.closed_on is not None
    assert case.decisions.count() == 1 and case.notices.filter(superseded=False).count() == 1
    assert set(case.follow_ups.values_list("status", flat=True)) == {"failed", "cancelled"}
    new = case.successors.get()
    assert new.stage == Case.Stage.INVESTIGATING and new.predecessor == case
    assert [p.name for p in new.parties.all()] == [p.name for p in case.parties.all()]
    assert all(p.facts == [] for p in new.parties.all())  # the new act is established anew
    assert case.follow_ups.get(status="failed").new_case == new


def test_the_whole_workflow_runs_under_the_sichuan_pack(make_staff, monkeypatch):
    """MINESWEEP_POLICY_PACK=sichuan_2022: the region is configuration — authorities, thresholds and rules
    come from the pack, for divisions the Inner Mongolia pack does not know (issue 11 §4)."""
    from minesweep.accounts.roles import DEPARTMENTS, Role
    from minesweep.cases import services
    from minesweep.registry.models import Division

    monkeypatch.setenv("MINESWEEP_POLICY_PACK", "sichuan_2022")
    region = Division.objects.create(code="510000", name="四川省", level="region")
    city = Division.objects.create(code="510100", name="成都市", level="league", parent=region)
    county = Division.objects.create(code="510104", name="锦江区", level="county", parent=city)
    crew = Crew(
        make_staff("cd_investigator", Role.INVESTIGATOR, "510100"),
        make_staff("cd_second", Role.INVESTIGATOR, "510100"),
        make_staff("cd_legal", Role.INVESTIGATOR, "510100", legal_reviewer=True),
        {code: make_staff(f"sc_{code}", Role.DEPARTMENT_LIAISON, "510000", code) for code in DEPARTMENTS},
        make_staff(
            "cd_energy_legal", Role.INVESTIGATOR, "510100", "power_administration", legal_reviewer=True
        ),
        make_staff("cd_energy_officer", Role.INVESTIGATOR, "510100", "power_administration"),
        make_staff("sc_credit_officer", Role.INVESTIGATOR, "510000", "credit_office"),
    )
    lead = services.lead_create(
        actor="test", source=Lead.Source.PUBLIC_REPORT, title="锦江区某仓库疑似挖矿", division=county
    )
    parties = (
        *scenarios.DEFAULT_PARTIES,
        scenarios.PartySpec("某街道干部", "public_official", "facilitator", ("official_involvement",)),
    )
    case = run(crew, lead, to="closed", filed_on=LONG_AGO, parties=parties)
    assert isinstance(case, Case) and case.pack == "sichuan_2022" and case.stage == Case.Stage.CLOSED
    # 电力法第七十一条's fine is the 电力管理部门's, which the pack has not confirmed as an organ issuing here
    # (成都市经济和信息化局, 待确认): it goes to that organ by 建议函 and is never decided in the 发改委's name
    # (行政处罚法第十七条、第三十八条; cases.services.tracks.route_action).
    assert not case.decisions.exists() and not case.tracks.filter(kind="penalty").exists()
    fine = case.tracks.get(kind="other_authority", authority="power_administration")
    assert fine.actions[0]["routed_from"] == "penalty" and fine.letter_number.startswith("成发改建")
    assert fine.ended
    # the surcharge is the province's price authority's (价格法第二十条): asked by 建议函, not decided in Chengdu
    tariff = case.tracks.get(kind="other_authority", party__name=parties[0].name, authority="price_authority")
    assert (
        "川发改价格规〔2022〕186号" in tariff.letter_text
        and tariff.authority_name == "四川省发展和改革委员会"
    )
    exit_letter = case.tracks.get(kind="measure", party__name=parties[0].name, authority="development_reform")
    assert (
        exit_letter.authority_name == "成都市发展和改革委员会" and "差别电价" not in exit_letter.letter_text
    )
    official = case.tracks.get(party__name="某街道干部")
    assert official.kind == "referral" and (
        official.authority_name == "中共锦江区纪律检查委员会、锦江区监察委员会"
    )  # a 街道 cadre of a county case: the county's commission (监察法第十六条), not 成都市's
    assert all(t.ended for t in case.tracks.all())
    assert "内蒙古" not in " ".join(t.authority_name for t in case.tracks.all())


def test_it_closes_a_case_whose_police_referral_came_from_a_calculation_not_a_track(crew, lead):
    # The operator's facts name no theft (no referral track), but its theft calculation reaches the
    # prosecution threshold and proposes a police referral: the head decides it before the case closes.
    parties = (
        scenarios.PartySpec(
            "某自备电厂", "captive_power_plant", "host", ("provided_site_or_power", "late_shutdown")
        ),
        scenarios.PartySpec("某区块链科技有限公司", "enterprise", "operator", ("mining_confirmed",)),
    )
    case = run(
        crew,
        lead,
        to="closed",
        filed_on=LONG_AGO,
        parties=parties,
        theft_kw=800,
        theft_for=(parties[1].name,),
    )
    assert case.stage == Case.Stage.CLOSED
    police = case.referrals.get(kind=Referral.Kind.POLICE)
    assert not Track.objects.filter(referral=police).exists() and police.status == Referral.Status.ANSWERED
    assert police.receiving_organ and police.copied_to


def test_the_demo_files_earlier_when_a_stage_does_not_fit_before_today(crew, lead):
    from django.utils import timezone

    from minesweep.cases.demo import BACKDATE_DAYS, _run_back_dated

    too_recent = timezone.localdate() - dt.timedelta(days=5)  # a decided case needs weeks of periods
    tried: list[dt.date] = []

    def scenario(*, filed_on: dt.date) -> Case | Lead:
        tried.append(filed_on)
        return run(crew, lead, to="decided", filed_on=filed_on)

    case, filed_on = _run_back_dated(scenario, lead, too_recent)
    assert isinstance(case, Case) and case.stage == Case.Stage.DECIDED
    # Only a refusal (DomainError) makes it try again: the first filing date did not fit.
    assert tried[0] == too_recent and len(tried) > 1
    assert filed_on == too_recent - dt.timedelta(days=BACKDATE_DAYS * (len(tried) - 1))
    assert case.filed_on == filed_on
    assert Case.objects.filter(lead=lead).count() == 1  # the attempts that did not fit left nothing
    assert audit_verify().intact
