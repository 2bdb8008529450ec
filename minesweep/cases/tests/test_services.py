"""Every workflow transition and every refusal of the case services (stage guards, reasons, officers,
deadlines in working days across Chinese holidays, jurisdiction and department checks, audit events)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from minesweep.accounts.roles import Role
from minesweep.audit.models import AuditEvent
from minesweep.cases import services
from minesweep.cases.models import Case, Determination, Lead, Measure, Referral, Task
from minesweep.cases.scenarios import file_penalties, refer, run
from minesweep.cases.tests.conftest import LONG_AGO
from minesweep.core.errors import DomainError, PermissionDeniedError, TransitionError
from minesweep.policy.packs import load_pack

pytestmark = pytest.mark.django_db


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def _case(crew, lead, stage: str) -> Case:  # type: ignore[no-untyped-def]
    case = run(crew, lead, to=stage, filed_on=LONG_AGO)
    assert isinstance(case, Case)
    return case


# -- leads -------------------------------------------------------------------------------------------
def decision_fields(**dates: dt.date) -> dict[str, object]:
    """The written parts of a penalty decision (决定书), with any dates given."""
    return {
        "facts_and_evidence": "事实",
        "penalty_and_basis": "罚款",
        "compliance": "十五日内",
        "appeal_route": "六十日内复议",
        **dates,
    }


def reviewed(crew, party) -> None:  # type: ignore[no-untyped-def]
    """Legal review before the decision (Art. 58) and, where the penalty is major, collective discussion."""
    services.penalty_review_record(
        actor=crew.reviewer_of(party), party=party, approve=True, opinion="同意拟处罚意见"
    )
    if party.tracks.get(kind="penalty").discussion_required:
        services.discussion_record(
            actor=crew.penalty_officer,
            party=party,
            participants="主任、副主任",
            minutes="讨论同意",
            conclusion="同意",
        )


def test_it_starts_verification_and_audits_it(crew, lead):
    services.lead_verification_start(actor=crew.investigator, lead=lead)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.VERIFYING and lead.verifier == crew.investigator
    assert _actions()[-1] == "cases.lead.verify"


def test_it_refuses_to_verify_a_lead_twice(crew, lead):
    services.lead_verification_start(actor=crew.investigator, lead=lead)
    with pytest.raises(TransitionError) as error:
        services.lead_verification_start(actor=crew.investigator, lead=lead)
    assert error.value.code == "cases.lead_wrong_status"
    assert "核查中" in error.value.message_zh


def test_it_refuses_a_lead_outside_the_jurisdiction(ordos_investigator, lead):
    with pytest.raises(PermissionDeniedError):
        services.lead_verification_start(actor=ordos_investigator, lead=lead)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.OPEN


def test_it_refuses_lead_work_to_a_liaison(crew, lead):
    with pytest.raises(PermissionDeniedError):
        services.lead_verification_start(actor=crew.liaisons["grid_company"], lead=lead)


def test_it_extends_the_check_once_by_fifteen_working_days(crew, lead):
    Lead.objects.filter(pk=lead.pk).update(received_on=dt.date(2026, 9, 21))
    lead.refresh_from_db()
    services.lead_verification_start(actor=crew.investigator, lead=lead)
    before = services.lead_check_due(lead)
    services.lead_check_extend(
        actor=crew.investigator, lead=lead, reason="需调取三个月用电数据", extended_on=dt.date(2026, 10, 12)
    )
    lead.refresh_from_db()
    from minesweep.policy.workdays import add_working_days

    assert before == dt.date(2026, 10, 19)  # 15 working days over Mid-Autumn and National Day
    assert services.lead_check_due(lead) == add_working_days(before, 15)
    with pytest.raises(TransitionError):
        services.lead_check_extend(
            actor=crew.investigator, lead=lead, reason="再次延长的理由", extended_on=dt.date(2026, 10, 13)
        )


def test_it_refuses_to_extend_a_check_period_that_has_already_ended(crew, lead):
    Lead.objects.filter(pk=lead.pk).update(received_on=dt.date(2026, 9, 21))  # due 2026-10-19
    lead.refresh_from_db()
    services.lead_verification_start(actor=crew.investigator, lead=lead)
    with pytest.raises(TransitionError) as lapsed:
        services.lead_check_extend(
            actor=crew.investigator,
            lead=lead,
            reason="需调取三个月用电数据",
            extended_on=dt.date(2026, 10, 20),
        )
    assert lapsed.value.code == "cases.lead_check_lapsed" and "2026-10-19" in lapsed.value.message_zh
    lead.refresh_from_db()
    assert not lead.check_extended
    services.lead_check_extend(
        actor=crew.investigator, lead=lead, reason="需调取三个月用电数据", extended_on=dt.date(2026, 10, 19)
    )
    lead.refresh_from_db()
    assert lead.check_extended


def test_it_requires_a_reason_for_a_filing_decision_after_the_check_period(crew, lead):
    # received 2026-09-21: 15 working days end on 2026-10-19 (Art. 18 of the market-regulation rules)
    Lead.objects.filter(pk=lead.pk).update(received_on=dt.date(2026, 9, 21))
    lead.refresh_from_db()
    services.lead_verification_start(actor=crew.investigator, lead=lead)
    on_time = dict(actor=crew.investigator, lead=lead, reason="核查属实", second_officer=crew.second)
    with pytest.raises(DomainError) as late:
        services.lead_file(**on_time, filed_on=dt.date(2026, 10, 20))
    assert late.value.code == "cases.lead_check_overdue" and "2026-10-19" in late.value.message_zh
    assert not Case.objects.exists()
    case = services.lead_file(
        **on_time, filed_on=dt.date(2026, 10, 20), late_reason="等待供电公司调取三个月用电数据"
    )
    assert "逾期立案原因：等待供电公司调取三个月用电数据" in case.log.get(action="cases.case.file").note
    event = AuditEvent.objects.get(action="cases.case.file")
    assert event.detail["late_reason"] == "等待供电公司调取三个月用电数据"
    assert event.detail["check_due"] == "2026-10-19"


def test_it_takes_the_check_period_and_its_rule_from_the_deployment_pack(crew, lead, tmp_path, monkeypatch):
    from minesweep.policy.packs import PACKS_DIR
    from minesweep.policy.workdays import add_working_days

    text = (PACKS_DIR / "inner_mongolia_2021.yaml").read_text(encoding="utf-8")
    old = "lead_check: {days: 15, extension_days: 15, rule: 参照《市场监督管理行政处罚程序规定》第十八条"
    assert old in text
    short = tmp_path / "short_check.yaml"
    short.write_text(
        text.replace(old, "lead_check: {days: 5, extension_days: 5, rule: 某区立案规定第九条"),
        encoding="utf-8",
    )
    received = dt.date(2026, 9, 21)
    Lead.objects.filter(pk=lead.pk).update(received_on=received)
    lead.refresh_from_db()
    services.lead_verification_start(actor=crew.investigator, lead=lead)
    sixth_day = add_working_days(received, 6)
    assert services.lead_check_due(lead) == add_working_days(received, 15) > sixth_day
    monkeypatch.setenv("MINESWEEP_POLICY_PACK", str(short))
    assert services.lead_check_due(lead) == add_working_days(received, 5)
    with pytest.raises(DomainError) as late:
        services.lead_file(
            actor=crew.investigator,
            lead=lead,
            reason="核查属实",
            second_officer=crew.second,
            pack="inner_mongolia_2021",
            filed_on=sixth_day,
        )
    assert late.value.code == "cases.lead_check_overdue" and "某区立案规定第九条" in late.value.message_zh
    assert "5 个工作日" in late.value.message_zh


def test_it_files_on_the_last_day_of_the_extended_period_without_a_delay_reason(crew, lead):
    Lead.objects.filter(pk=lead.pk).update(received_on=dt.date(2026, 9, 21))
    lead.refresh_from_db()
    services.lead_verification_start(actor=crew.investigator, lead=lead)
    services.lead_check_extend(
        actor=crew.investigator, lead=lead, reason="需调取三个月用电数据", extended_on=dt.date(2026, 10, 19)
    )
    lead.refresh_from_db()
    last_day = services.lead_check_due(lead)
    case = services.lead_file(
        actor=crew.investigator, lead=lead, reason="核查属实", second_officer=crew.second, filed_on=last_day
    )
    assert case.filed_on == last_day and "逾期" not in case.log.get(action="cases.case.file").note


def test_it_requires_a_reason_for_not_filing_after_the_check_period(crew, lead):
    Lead.objects.filter(pk=lead.pk).update(received_on=dt.date(2026, 9, 21))  # due 2026-10-19, today later
    lead.refresh_from_db()
    with pytest.raises(DomainError) as late:
        services.lead_not_file(actor=crew.investigator, lead=lead, reason="未发现挖矿行为")
    assert late.value.code == "cases.lead_check_overdue"
    lead.refresh_from_db()
    assert lead.status == Lead.Status.OPEN
    services.lead_not_file(
        actor=crew.investigator, lead=lead, reason="未发现挖矿行为", late_reason="举报人补充材料迟到"
    )
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NOT_FILED and "逾期原因：举报人补充材料迟到" in lead.not_filed_reason


def test_it_refuses_filing_an_unverified_lead(crew, lead):
    with pytest.raises(TransitionError):
        services.lead_file(actor=crew.investigator, lead=lead, reason="直接立案", second_officer=crew.second)


def test_it_requires_two_different_officers_of_the_jurisdiction(crew, lead, ordos_investigator):
    services.lead_verification_start(actor=crew.investigator, lead=lead)
    with pytest.raises(DomainError) as same:
        services.lead_file(
            actor=crew.investigator, lead=lead, reason="核查属实", second_officer=crew.investigator
        )
    assert same.value.code == "cases.two_officers"
    with pytest.raises(DomainError) as outside:
        services.lead_file(
            actor=crew.investigator, lead=lead, reason="核查属实", second_officer=ordos_investigator
        )
    assert outside.value.code == "cases.officer_outside"
    assert not Case.objects.exists()


def test_it_files_a_case_with_the_ninety_day_decision_deadline(crew, lead):
    services.lead_verification_start(actor=crew.investigator, lead=lead)
    case = services.lead_file(
        actor=crew.investigator,
        lead=lead,
        reason="核查属实",
        second_officer=crew.second,
        filed_on=dt.date(2026, 9, 1),
    )
    assert case.decision_due == dt.date(2026, 11, 30)
    assert case.division_id == lead.division_id and case.stage == Case.Stage.INVESTIGATING
    lead.refresh_from_db()
    assert lead.status == Lead.Status.FILED
    assert {"cases.lead.file", "cases.case.file"} <= set(_actions())


def test_it_refuses_unknown_packs_and_future_filing_dates(crew, lead):
    services.lead_verification_start(actor=crew.investigator, lead=lead)
    with pytest.raises(DomainError):
        services.lead_file(
            actor=crew.investigator, lead=lead, reason="核查属实", second_officer=crew.second, pack="x"
        )
    with pytest.raises(DomainError) as caught:
        services.lead_file(
            actor=crew.investigator,
            lead=lead,
            reason="核查属实",
            second_officer=crew.second,
            filed_on=dt.date.today() + dt.timedelta(days=3),
        )
    assert caught.value.code == "cases.date_in_future" and "立案日期不能晚于今天" in caught.value.message_zh


def test_it_closes_a_lead_unfiled_only_with_a_reason(crew, lead):
    with pytest.raises(DomainError) as error:
        services.lead_not_file(actor=crew.investigator, lead=lead, reason="  ")
    assert error.value.code == "cases.field_required"
    services.lead_not_file(actor=crew.investigator, lead=lead, reason="核实为正常数据中心业务")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NOT_FILED and lead.not_filed_reason
    with pytest.raises(TransitionError):
        services.lead_not_file(actor=crew.investigator, lead=lead, reason="再次不予立案")


def test_it_tells_the_reporting_platform_when_a_lead_moves(crew, lead, monkeypatch):
    import minesweep.reports.services as report_services

    seen: list[tuple[str, str, bool]] = []

    def fake(*, lead, outcome="", concluded=False):  # type: ignore[no-untyped-def]
        seen.append((lead.status, outcome[:4], concluded))
        return 0

    monkeypatch.setattr(report_services, "report_status_sync", fake, raising=False)
    run(crew, lead, to="closed", filed_on=LONG_AGO)
    assert seen[:2] == [(Lead.Status.VERIFYING, "", False), (Lead.Status.FILED, "", False)]
    assert seen[-1] == (Lead.Status.FILED, "您反映的", True)


def test_it_moves_the_public_report_with_the_lead(crew, intake_officer):
    """With the real reports hook: a report converted to a lead follows it to "case opened"."""
    from minesweep.registry.models import Division
    from minesweep.reports.services import report_convert, report_submit

    filed = report_submit(
        channel="web",
        category="mining_enterprise",
        division=Division.objects.get(code="150203"),
        content={"description": "厂房里日夜有风扇声，电表转得飞快"},
        address="昆都仑区某厂房",
    )
    report = filed.report
    lead = report_convert(actor=intake_officer, report=report)
    services.lead_verification_start(actor=crew.investigator, lead=lead)
    services.lead_file(
        actor=crew.investigator, lead=lead, reason="核查属实，依法立案", second_officer=crew.second
    )
    report.refresh_from_db()
    assert report.status == "case_opened"


# -- investigation -------------------------------------------------------------------------------------
def test_it_validates_parties(crew, lead):
    case = _case(crew, lead, "investigating")
    with pytest.raises(DomainError) as category:
        services.party_add(actor=crew.investigator, case=case, name="某公司", category="bank")
    assert category.value.code == "cases.unknown_category"
    with pytest.raises(DomainError) as uscc:
        services.party_add(
            actor=crew.investigator,
            case=case,
            name="某公司",
            category="enterprise",
            identifier="914403001922038217",
        )
    assert uscc.value.code == "cases.bad_uscc"
    with pytest.raises(DomainError) as rid:
        services.party_add(
            actor=crew.investigator,
            case=case,
            name="张三",
            category="individual",
            identifier="150203199001011234",
        )
    assert rid.value.code == "cases.bad_resident_id"
    with pytest.raises(DomainError):
        services.party_add(
            actor=crew.investigator, case=case, name="某公司", category="enterprise", facts=["stealing"]
        )
    party = services.party_add(
        actor=crew.investigator,
        case=case,
        name="某公司",
        category="enterprise",
        identifier="914403001922038216",
    )
    assert party.identifier == "914403001922038216"


def test_it_needs_two_officers_at_an_inspection(crew, lead):
    case = _case(crew, lead, "investigating")
    with pytest.raises(DomainError) as error:
        services.inspection_record(
            actor=crew.investigator, case=case, inspected_on=LONG_AGO, place="厂房", officers="张伟"
        )
    assert error.value.code == "cases.two_officers"
    with pytest.raises(DomainError):
        services.inspection_record(
            actor=crew.investigator,
            case=case,
            inspected_on=dt.date(2026, 8, 1),
            place="厂房",
            officers="张伟,王磊",
        )
    with pytest.raises(DomainError):
        services.inspection_record(
            actor=crew.investigator,
            case=case,
            inspected_on=LONG_AGO,
            place="厂房",
            officers="张伟,王磊",
            checklist={"rigs_present": "maybe"},
        )


def test_it_stores_evidence_with_its_hash(crew, lead):
    import hashlib

    case = _case(crew, lead, "investigating")
    item = services.evidence_add(
        actor=crew.investigator,
        case=case,
        kind="meter_data",
        description="十五分钟负荷曲线",
        collected_on=LONG_AGO,
        file=("load.csv", "text/csv", b"ts,kw\n"),
    )
    assert item.sha256 == hashlib.sha256(b"ts,kw\n").hexdigest() and item.size == 6
    with pytest.raises(DomainError):
        services.evidence_add(
            actor=crew.investigator,
            case=case,
            kind="photo",
            description="空",
            collected_on=LONG_AGO,
            file=("a", "x", b""),
        )


def test_it_records_rigs_with_nameplate_power(crew, lead):
    case = _case(crew, lead, "investigating")
    rigs = services.rigs_seize(
        actor=crew.investigator, case=case, model="Antminer S21", count=10, seized_on=LONG_AGO
    )
    assert rigs.unit_power_w == 3500 and rigs.total_kw == Decimal("35")
    with pytest.raises(DomainError) as unknown:
        services.rigs_seize(
            actor=crew.investigator, case=case, model="自组装矿机", count=3, seized_on=LONG_AGO
        )
    assert unknown.value.code == "cases.rig_power_required"
    with pytest.raises(DomainError):
        services.rigs_seize(
            actor=crew.investigator, case=case, model="Antminer S9", count=0, seized_on=LONG_AGO
        )


def test_it_stores_the_energy_cut_theft_recovery_and_surcharge_with_the_case(crew, lead):
    case = _case(crew, lead, "investigating")
    party = case.parties.first()
    energy = services.calculation_run(
        actor=crew.investigator,
        case=case,
        kind="energy",
        inputs={"kwh": 1_000_000, "coefficient": "calorific", "new_project": True},
        party=party,
    )
    assert energy.tce == Decimal("245.8") and energy.kwh == Decimal("1000000")  # 122.9 tce × 2
    theft = services.calculation_run(
        actor=crew.investigator,
        case=case,
        kind="theft",
        inputs={"capacity_kw": 400, "unknown_duration": True, "tariff_yuan_per_kwh": "0.5"},
        party=party,
    )
    assert theft.kwh == Decimal("864000")  # 400 kW × 12 h × 180 days
    assert Decimal(theft.output["result"]["penalty_yuan"]) == Decimal("1296000")
    assert theft.amount_yuan == Decimal("1728000.00")
    surcharge = services.calculation_run(
        actor=crew.investigator, case=case, kind="surcharge", inputs={"kwh": 100_000}
    )
    assert surcharge.amount_yuan == Decimal("100000.00")  # Inner Mongolia +1 yuan/kWh
    with pytest.raises(DomainError) as bad:
        services.calculation_run(actor=crew.investigator, case=case, kind="energy", inputs={"kwh": "-5"})
    assert bad.value.code == "policy.input_invalid"
    with pytest.raises(DomainError):
        services.calculation_run(actor=crew.investigator, case=case, kind="theft", inputs={})


def test_it_proposes_a_police_referral_when_a_calculation_reaches_the_threshold(crew, lead):
    case = _case(crew, lead, "investigating")  # the scenario ran a 400 kW theft calculation
    referral = case.referrals.get()
    assert referral.status == Referral.Status.PROPOSED and referral.kind == Referral.Kind.POLICE
    assert "刑事追诉标准" in referral.grounds
    party = case.parties.first()
    services.calculation_run(
        actor=crew.investigator,
        case=case,
        kind="criminal_threshold",
        inputs={"fundraising_persons": 200},
        party=party,
    )
    # Another offence is another referral: each 移送书 names the one offence it refers (刑法第一百七十六条).
    assert sorted(case.referrals.values_list("action", flat=True)) == [
        "refer_police_fundraising",
        "refer_police_theft",
    ]
    theft_figure = {"theft_value_yuan": 5000}
    later = services.calculation_run(
        actor=crew.investigator, case=case, kind="criminal_threshold", inputs=theft_figure, party=party
    )
    referral.refresh_from_db()
    assert case.referrals.count() == 2 and f"#{later.pk}" in referral.grounds  # joins the open proposal
    services.calculation_run(
        actor=crew.investigator, case=case, kind="criminal_threshold", inputs={"theft_value_yuan": 500}
    )
    assert case.referrals.count() == 2  # below the threshold: nothing proposed
    services.referral_decide(actor=crew.investigator, referral=referral, approve=True, reason="依法移送")
    after = services.calculation_run(
        actor=crew.investigator, case=case, kind="criminal_threshold", inputs=theft_figure, party=party
    )
    referral.refresh_from_db()
    fresh = case.referrals.get(status=Referral.Status.PROPOSED, action="refer_police_theft")
    # A decided referral keeps the grounds it was decided on; the new figure goes to the head anew.
    assert f"#{after.pk}" not in referral.grounds and f"#{after.pk}" in fresh.grounds


# -- determination --------------------------------------------------------------------------------------
def test_it_applies_the_engine_measures_to_each_party(crew, lead):
    case = _case(crew, lead, "investigating")
    rules = set(
        Measure.objects.filter(determination__case=case, pack="inner_mongolia_2021").values_list(
            "rule_id", flat=True
        )
    )
    assert {5, 8} <= rules  # unapproved connection → theft referral; mining → credit blacklist
    assert Measure.objects.filter(determination__case=case, pack="national_1283").exists()
    theft = Measure.objects.get(determination__case=case, pack="inner_mongolia_2021", rule_id=5)
    assert theft.reason_zh.startswith("当事人“某矿业科技有限公司”（") and "未经报批" in theft.reason_zh


def test_it_strikes_and_adds_measures_only_with_a_written_reason(crew, lead):
    case = _case(crew, lead, "investigating")
    measure = Measure.objects.filter(determination__case=case, rule_id=8, pack="inner_mongolia_2021").first()
    with pytest.raises(DomainError):
        services.measure_strike(actor=crew.investigator, measure=measure, reason="不要")
    services.measure_strike(
        actor=crew.investigator, measure=measure, reason="信用惩戒由上级统一部署，本案不单列"
    )
    services.determination_evaluate(actor=crew.investigator, case=case, findings="重新运行引擎")
    measure.refresh_from_db()
    assert measure.struck and measure.struck_reason  # a strike survives a re-run
    party = case.parties.first()
    with pytest.raises(DomainError):
        services.measure_add(actor=crew.investigator, case=case, party=party, rule_id=4, reason="")
    added = services.measure_add(
        actor=crew.investigator, case=case, party=party, rule_id=4, reason="当事人同时经营网吧"
    )
    assert added.origin == Measure.Origin.OFFICER and added.actions
    with pytest.raises(TransitionError):
        services.measure_add(
            actor=crew.investigator, case=case, party=party, rule_id=4, reason="当事人同时经营网吧"
        )
    with pytest.raises(DomainError):
        services.measure_add(
            actor=crew.investigator, case=case, party=party, rule_id=99, reason="没有这一项措施"
        )
    assert {"cases.measure.strike", "cases.measure.add"} <= set(_actions())


def test_it_refuses_submission_until_the_file_is_complete(crew, lead):
    case = _case(crew, lead, "investigating")
    Determination.objects.filter(case=case).update(findings="")
    with pytest.raises(TransitionError) as empty:
        services.determination_submit(actor=crew.investigator, case=case)
    assert "未填写违法事实" in empty.value.message_zh
    services.determination_evaluate(actor=crew.investigator, case=case, findings="事实")
    services.party_add(actor=crew.investigator, case=case, name="新增当事人", category="enterprise")
    with pytest.raises(TransitionError) as stale:
        services.determination_submit(actor=crew.investigator, case=case)
    assert "重新运行" in stale.value.message_zh


def test_it_locks_the_investigation_once_submitted(crew, lead):
    case = _case(crew, lead, "legal_review")
    with pytest.raises(TransitionError) as error:
        services.party_add(actor=crew.investigator, case=case, name="迟到的当事人", category="enterprise")
    assert error.value.code == "cases.wrong_stage" and "法制审核" in error.value.message_zh


# -- legal review ---------------------------------------------------------------------------------------
def test_it_refuses_a_review_by_an_investigator_of_the_case(crew, lead):
    case = _case(crew, lead, "legal_review")
    for person in (crew.investigator, crew.second):
        with pytest.raises(DomainError) as error:
            services.legal_review_record(actor=person, case=case, approve=True, opinion="同意处理意见")
        assert error.value.code == "cases.reviewer_not_qualified"  # no legal-review post
        person.staff.legal_reviewer = True
        person.staff.save()
        with pytest.raises(DomainError) as error:
            services.legal_review_record(actor=person, case=case, approve=True, opinion="同意处理意见")
        assert error.value.code == "cases.reviewer_is_investigator"  # the post, but took part


def test_it_returns_a_case_to_investigation(crew, lead):
    case = _case(crew, lead, "legal_review")
    services.legal_review_record(
        actor=crew.reviewer, case=case, approve=False, opinion="证据不足，补充询问笔录"
    )
    case.refresh_from_db()
    assert case.stage == Case.Stage.INVESTIGATING
    assert case.determination.status == Determination.Status.RETURNED


def test_it_refuses_a_review_from_another_jurisdiction(crew, lead, ordos_investigator):
    case = _case(crew, lead, "legal_review")
    with pytest.raises(PermissionDeniedError):
        services.legal_review_record(
            actor=ordos_investigator, case=case, approve=True, opinion="同意处理意见"
        )


# -- notices, hearings, decisions ---------------------------------------------------------------------------
@pytest.fixture
def notice_case(crew, lead) -> Case:  # type: ignore[no-untyped-def]
    case = _case(crew, lead, "legal_review")
    services.legal_review_record(actor=crew.reviewer, case=case, approve=True, opinion="同意")
    refer(crew, case)  # the facts' police referral is settled before any notice (国务院令第310号第十一条)
    file_penalties(crew, case, on=case.filed_on)  # the 能源局 files its own case (行政处罚法第五十四条)
    case.refresh_from_db()
    return case


def test_a_partys_particulars_are_completed_after_the_review_and_the_correction_is_audited(crew, notice_case):
    """The served acts are refused without the party's address (documents.party_address_missing), and the
    review is over before any act is served: the address, legal representative and identifier can be
    completed at the notice stage, the facts cannot; a bad identifier changes nothing."""
    party = notice_case.parties.first()
    assert notice_case.stage == Case.Stage.NOTICE
    identifier, address = party.identifier, party.address
    with pytest.raises(DomainError) as bad:
        services.party_particulars_set(
            actor=crew.investigator,
            party=party,
            identifier="91150200MA0000000X",
            legal_representative="王某",
            address="包头市昆都仑区钢铁大街1号",
            reason="补充住所以便送达",
        )
    assert bad.value.code == "cases.bad_uscc"
    party.refresh_from_db()
    assert (party.identifier, party.address) == (identifier, address)
    services.party_particulars_set(
        actor=crew.investigator,
        party=party,
        identifier=identifier,
        legal_representative="王某",
        address="包头市昆都仑区钢铁大街1号",
        reason="补充住所以便送达",
    )
    party.refresh_from_db()
    assert (party.address, party.legal_representative) == ("包头市昆都仑区钢铁大街1号", "王某")
    event = AuditEvent.objects.get(action="cases.party.particulars")
    assert event.detail["reason"] == "补充住所以便送达" and event.detail["identifier_changed"] is False
    assert "correct_particulars" in services.case_allowed(notice_case)
    with pytest.raises(TransitionError):
        services.party_facts_set(actor=crew.investigator, party=party, facts=["mining_confirmed"])


def test_it_counts_the_hearing_request_period_in_working_days_across_national_day(crew, notice_case):
    party = notice_case.parties.first()
    notice = services.notice_issue(
        actor=crew.penalty_officer,
        case=notice_case,
        party=party,
        intended_penalty="罚款",
        intended_fine_yuan="100000",
        served_on=dt.date(2026, 9, 30),
    )
    # Oct 1–7 are holidays, Sat Oct 10 is a make-up working day: Oct 8, 9, 10, 12, 13.
    assert notice.hearing_request_deadline == dt.date(2026, 10, 13)
    assert notice.defence_deadline == dt.date(2026, 10, 13)
    with pytest.raises(TransitionError) as late:
        services.notice_hearing_request(
            actor=crew.penalty_officer, notice=notice, requested_on=dt.date(2026, 10, 14)
        )
    assert late.value.code == "cases.hearing_request_late"
    services.notice_hearing_request(
        actor=crew.penalty_officer, notice=notice, requested_on=dt.date(2026, 10, 13)
    )


def test_it_refuses_a_second_notice_to_the_same_party(crew, notice_case):
    party = notice_case.parties.first()
    services.notice_issue(
        actor=crew.penalty_officer,
        case=notice_case,
        party=party,
        intended_penalty="罚款",
        intended_fine_yuan="100000",
    )
    with pytest.raises(TransitionError):
        services.notice_issue(
            actor=crew.penalty_officer,
            case=notice_case,
            party=party,
            intended_penalty="罚款",
            intended_fine_yuan="100000",
        )


def test_it_needs_seven_working_days_notice_of_a_hearing(crew, notice_case):
    party = notice_case.parties.first()
    notice = services.notice_issue(
        actor=crew.penalty_officer,
        case=notice_case,
        party=party,
        intended_penalty="罚款",
        intended_fine_yuan="100000",
        served_on=dt.date(2026, 9, 21),
    )
    services.notice_hearing_request(
        actor=crew.penalty_officer, notice=notice, requested_on=dt.date(2026, 9, 22)
    )
    # A hearing on Mon Oct 12 must be notified by Sep 24 (7 working days back over the holidays).
    with pytest.raises(DomainError) as late:
        services.hearing_schedule(
            actor=crew.penalty_officer,
            notice=notice,
            scheduled_on=dt.date(2026, 10, 12),
            notified_on=dt.date(2026, 9, 28),
            place="会议室",
            presiding_officer="法制科 孙丽",
        )
    assert late.value.code == "cases.hearing_notice_late" and "2026-09-24" in late.value.message_zh
    with pytest.raises(DomainError) as presiding:
        services.hearing_schedule(
            actor=crew.penalty_officer,
            notice=notice,
            scheduled_on=dt.date(2026, 10, 12),
            notified_on=dt.date(2026, 9, 24),
            place="会议室",
            presiding_officer=crew.second.get_username(),
        )
    assert presiding.value.code == "cases.presiding_is_investigator"
    hearing = services.hearing_schedule(
        actor=crew.penalty_officer,
        notice=notice,
        scheduled_on=dt.date(2026, 10, 12),
        notified_on=dt.date(2026, 9, 24),
        place="会议室",
        presiding_officer="法制科 孙丽",
    )
    decide = decision_fields(decided_on=dt.date(2026, 10, 20))
    with pytest.raises(TransitionError) as waiting:
        services.decision_issue(actor=crew.penalty_officer, case=notice_case, party=party, **decide)
    assert "听证尚未举行" in waiting.value.message_zh
    with pytest.raises(TransitionError) as early:
        services.penalty_review_record(
            actor=crew.reviewer_of(party), party=party, approve=True, opinion="同意"
        )
    assert early.value.code == "cases.track_wrong_step"  # the review comes after the hearing
    services.hearing_conclude(
        actor=crew.penalty_officer,
        hearing=hearing,
        held=True,
        record_text="当事人陈述意见",
        held_on=dt.date(2026, 10, 12),
    )
    with pytest.raises(TransitionError) as unreviewed:
        services.decision_issue(actor=crew.penalty_officer, case=notice_case, party=party, **decide)
    assert (
        unreviewed.value.code == "cases.track_wrong_step" and "penalty_review" in unreviewed.value.message_en
    )
    reviewed(crew, party)
    with pytest.raises(DomainError) as wrong:
        services.decision_issue(
            actor=crew.penalty_officer,
            case=notice_case,
            party=party,
            **decide,
            authority="包头市发展和改革委员会",
        )
    assert wrong.value.code == "cases.wrong_authority"  # 电力法第七十一条: the 电力管理部门 decides
    decision = services.decision_issue(actor=crew.penalty_officer, case=notice_case, party=party, **decide)
    assert decision.notice == notice and decision.authority == "包头市能源局"
    assert notice.hearing_eligible is True  # derived (Art. 63), not ticked


def test_it_refuses_a_decision_while_the_rights_periods_run(crew, notice_case):
    party = notice_case.parties.first()
    services.notice_issue(
        actor=crew.penalty_officer,
        case=notice_case,
        party=party,
        intended_penalty="罚款",
        intended_fine_yuan="100000",
        served_on=dt.date(2026, 9, 30),
    )
    with pytest.raises(TransitionError) as error:
        services.decision_issue(
            actor=crew.penalty_officer,
            case=notice_case,
            party=party,
            **decision_fields(decided_on=dt.date(2026, 10, 9)),
        )
    assert error.value.code == "cases.rights_period_running" and "2026-10-13" in error.value.message_zh


def test_it_refuses_a_decision_without_a_notice(crew, notice_case):
    with pytest.raises(TransitionError) as error:
        services.decision_issue(
            actor=crew.penalty_officer,
            case=notice_case,
            party=notice_case.parties.first(),
            **decision_fields(),
        )
    assert error.value.code == "cases.no_notice"


def test_it_refuses_a_decision_after_ninety_days_unless_a_named_rule_extends_it(crew, lead, monkeypatch):
    from minesweep.cases.services import procedure

    case = run(crew, lead, to="legal_review", filed_on=dt.date(2026, 6, 1))
    assert isinstance(case, Case) and case.decision_due == dt.date(2026, 8, 30)
    services.legal_review_record(actor=crew.reviewer, case=case, approve=True, opinion="同意")
    refer(crew, case)
    file_penalties(crew, case, on=case.filed_on)
    party = case.parties.first()
    notice = services.notice_issue(
        actor=crew.penalty_officer,
        case=case,
        party=party,
        intended_penalty="罚款",
        intended_fine_yuan="100000",
        served_on=dt.date(2026, 6, 10),
    )
    services.notice_rights_waive(actor=crew.penalty_officer, notice=notice)
    reviewed(crew, party)
    args = decision_fields(decided_on=dt.date(2026, 8, 31))
    with pytest.raises(TransitionError) as error:
        services.decision_issue(actor=crew.penalty_officer, case=case, party=party, **args)
    assert error.value.code == "cases.decision_overdue"
    # Art. 60: no extension unless a law, regulation or rule allows it; the pack names none.
    with pytest.raises(TransitionError) as refused:
        services.case_decision_extend(actor=crew.investigator, case=case, reason="案情复杂，经负责人批准延长")
    assert refused.value.code == "cases.extension_not_allowed"
    pack = load_pack(case.pack)
    assert pack.procedure is not None
    with_rule = dataclasses.replace(
        pack,
        procedure=dataclasses.replace(
            pack.procedure, decision_extension_days=30, decision_extension_rule="某规章第十条（示例）"
        ),
    )
    monkeypatch.setattr(procedure, "load_pack", lambda _pack_id: with_rule)
    services.case_decision_extend(actor=crew.investigator, case=case, reason="案情复杂，经负责人批准延长")
    case.refresh_from_db()
    assert case.decision_due == dt.date(2026, 9, 29) and "某规章第十条" in case.log.last().note
    with pytest.raises(TransitionError):
        services.case_decision_extend(actor=crew.investigator, case=case, reason="再延长一次的理由")
    services.decision_issue(actor=crew.penalty_officer, case=case, party=party, **args)


def _notice_waived_then_decided(crew, case, **extra):  # type: ignore[no-untyped-def]
    """Notice served 2026-09-21 on the first party, rights waived in writing, decision of 2026-09-25."""
    party = case.parties.first()
    notice = services.notice_issue(
        actor=crew.penalty_officer,
        case=case,
        party=party,
        intended_penalty="罚款",
        intended_fine_yuan="100000",
        served_on=dt.date(2026, 9, 21),
    )
    services.notice_rights_waive(actor=crew.penalty_officer, notice=notice)
    reviewed(crew, party)
    return services.decision_issue(
        actor=crew.penalty_officer,
        case=case,
        party=party,
        **decision_fields(decided_on=dt.date(2026, 9, 25)),
        **extra,
    )


def test_it_decides_the_penalty_alone_and_runs_the_other_tracks_by_their_own_acts(crew, notice_case):
    # Changed with issue 11: the decision used to create every measure's task and the referral; now
    # it decides the penalty only, and each other track acts by its own letter or referral.
    decision = _notice_waived_then_decided(
        crew, notice_case, fine_yuan="50000", fine_change_reason="当事人主动拆除矿机，依法从轻处罚"
    )
    notice_case.refresh_from_db()
    assert notice_case.stage == Case.Stage.DECIDED
    assert not notice_case.tasks.exists()
    referral = notice_case.referrals.get()  # proposed when the facts were recorded, not at the decision
    assert referral.kind == Referral.Kind.POLICE and referral.action == "refer_police_theft"
    assert referral.decision_due == referral.reported_on + dt.timedelta(days=3)
    grid = notice_case.tracks.get(kind="other_authority", authority="grid_company")
    services.track_advice_send(actor=crew.investigator, track=grid, sent_on=dt.date(2026, 9, 25))
    recover = notice_case.tasks.get(action="recover_theft_charges")
    assert recover.department == "grid_company" and recover.division_id == notice_case.division_id
    assert recover.due_on == dt.date(2026, 10, 22)  # 15 working days over Mid-Autumn and National Day
    assert "应追补电费及违约使用电费（元）：1728000.00" in recover.instructions
    assert "建议函" in recover.instructions and "不代替贵单位依法作出的决定" in recover.instructions
    assert decision.service_deadline == dt.date(2026, 10, 12)  # 7 working days incl. make-up Sat Oct 10
    services.decision_serve(actor=crew.penalty_officer, decision=decision, served_on=dt.date(2026, 9, 26))
    decision.refresh_from_db()
    assert decision.payment_deadline == dt.date(2026, 10, 12)  # Oct 11 is a Sunday
    assert decision.appeal_deadline == dt.date(2026, 11, 25)
    with pytest.raises(TransitionError):
        services.decision_serve(actor=crew.penalty_officer, decision=decision)


def test_it_converts_energy_on_the_case_packs_basis_with_the_acts_year(crew, lead):
    case = _case(crew, lead, "investigating")
    Case.objects.filter(pk=case.pk).update(act_ended_on=dt.date(2021, 6, 30))
    case.refresh_from_db()
    # inner_mongolia_2021 keeps its budget in 等价值: 2021's 0.3025 kgce/kWh → 302.5 tce
    run_energy = dict(actor=crew.investigator, case=case, kind="energy", inputs={"kwh": 1_000_000})
    equivalent = services.calculation_run(**run_energy)
    assert equivalent.tce == Decimal("302.5") and equivalent.output["inputs"]["year"] == 2021
    # a region whose pack says 当量值 gets 0.1229 kgce/kWh for the same input
    text = load_pack(case.pack).path.read_text(encoding="utf-8")
    # The calculation stores the pack it used (60 characters at most, enforced by PostgreSQL): a short path.
    calorific = Path(tempfile.mkdtemp(prefix="pk", dir="/tmp")) / "calorific.yaml"
    calorific.write_text(
        text.replace("energy_basis: equivalent", "energy_basis: calorific"), encoding="utf-8"
    )
    assert services.calculation_run(**run_energy, pack=str(calorific)).tce == Decimal("122.9")


def test_it_quotes_the_stored_energy_cut_in_the_quota_task(crew, lead):
    from minesweep.cases.scenarios import PartySpec
    from minesweep.registry.uscc import make_uscc

    park = PartySpec(
        "某工业园区管委会",
        "industrial_park",
        "host",
        ("provided_site_or_power",),
        identifier=make_uscc("1", "1", "150207", "MB0P0003"),
    )
    case = run(crew, lead, to="decided", filed_on=LONG_AGO, parties=(park,), kwh=1_000_000, theft_kw=None)
    assert isinstance(case, Case)
    assert not case.notices.exists() and not case.decisions.exists()  # a host gets no penalty
    task = case.tasks.get(action="energy_quota_cut")
    assert task.department == "development_reform"
    assert "核减能耗（吨标准煤）：122.9" in task.instructions  # 1,000,000 kWh × 0.1229 kgce/kWh
    assert task.track is not None and task.track.kind == "internal"  # a 管委会: the administration's own work


def test_it_keeps_the_earliest_date_and_says_so_beyond_the_holiday_calendar(crew, notice_case, monkeypatch):
    from minesweep.cases.services import procedure
    from minesweep.policy.errors import WorkdayCalendarError

    def beyond(_day):  # type: ignore[no-untyped-def]
        raise WorkdayCalendarError("超出范围", "out of range")

    monkeypatch.setattr(procedure, "appeal_deadline", beyond)
    decision = _notice_waived_then_decided(crew, notice_case)
    services.decision_serve(actor=crew.penalty_officer, decision=decision, served_on=dt.date(2026, 9, 28))
    decision.refresh_from_db()
    assert decision.appeal_deadline == dt.date(2026, 11, 27)
    assert "人工核对" in notice_case.log.last().note


# -- tasks --------------------------------------------------------------------------------------------
def test_it_lets_only_the_task_departments_liaison_close_it(crew, lead, make_staff):
    case = _case(crew, lead, "decided")
    task = case.tasks.filter(department="grid_company").first()
    with pytest.raises(PermissionDeniedError) as other:
        services.task_close(
            actor=crew.liaisons["power_trading_center"],
            task=task,
            document_number="X",
            proof=("p", "t", b"1"),
        )
    assert other.value.code == "cases.task_other_department"
    ordos_grid = make_staff("ordos_grid", Role.DEPARTMENT_LIAISON, "150600", "grid_company")
    with pytest.raises(PermissionDeniedError):
        services.task_close(actor=ordos_grid, task=task, document_number="X", proof=("p", "t", b"1"))
    with pytest.raises(PermissionDeniedError):
        services.task_close(actor=crew.investigator, task=task, document_number="X", proof=("p", "t", b"1"))
    grid = crew.liaisons["grid_company"]
    with pytest.raises(DomainError) as no_proof:
        services.task_close(actor=grid, task=task, document_number="X-1", proof=None)
    assert no_proof.value.code == "cases.proof_required"
    with pytest.raises(DomainError):
        services.task_close(
            actor=grid, task=task, document_number="", proof=("p.pdf", "application/pdf", b"1")
        )
    services.task_close(
        actor=grid, task=task, document_number="X-1", proof=("p.pdf", "application/pdf", b"1")
    )
    with pytest.raises(TransitionError):
        services.task_close(
            actor=grid, task=task, document_number="X-2", proof=("p.pdf", "application/pdf", b"1")
        )


def test_it_cancels_a_task_only_with_a_reason(crew, lead):
    case = _case(crew, lead, "decided")
    task = case.tasks.first()
    with pytest.raises(DomainError):
        services.task_cancel(actor=crew.investigator, task=task, reason="不做")
    services.task_cancel(actor=crew.investigator, task=task, reason="复议机关撤销了该项措施")
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED


# -- closure, follow-up, referrals ----------------------------------------------------------------------
def test_it_refuses_closure_with_open_tasks_or_undecided_referrals(crew, lead):
    case = _case(crew, lead, "decided")
    with pytest.raises(TransitionError) as error:
        services.case_close(actor=crew.investigator, case=case, summary="各项措施已落实，申请结案")
    assert "部门任务未办结" in error.value.message_zh and "尚有轨道未办结" in error.value.message_zh
    case.refresh_from_db()
    assert case.stage == Case.Stage.DECIDED and not case.follow_ups.exists()


def test_it_refuses_closure_before_the_decision_stage(crew, lead):
    case = _case(crew, lead, "notice")
    with pytest.raises(TransitionError):
        services.case_close(actor=crew.investigator, case=case, summary="结案报告")


def test_it_schedules_follow_ups_and_records_one_without_relapse(crew, lead):
    case = _case(crew, lead, "closed")
    from minesweep.policy.workdays import add_months

    checks = list(case.follow_ups.order_by("months"))
    assert [(c.months, c.due_on) for c in checks] == [(m, add_months(case.closed_on, m)) for m in (1, 3, 6)]
    services.follow_up_record(
        actor=crew.investigator, check=checks[0], relapse=False, findings="现场已拆除，用电正常"
    )
    case.refresh_from_db()
    assert case.stage == Case.Stage.CLOSED
    with pytest.raises(TransitionError):
        services.follow_up_record(
            actor=crew.investigator, check=checks[0], relapse=False, findings="再记一次"
        )


def test_it_walks_a_police_referral_and_refuses_shortcuts(crew, lead):
    case = _case(crew, lead, "investigating")  # the referral exists from the facts, before any decision
    referral = case.referrals.get(kind=Referral.Kind.POLICE)
    with pytest.raises(TransitionError):
        services.referral_transfer(
            actor=crew.investigator, referral=referral, receiving_organ="公安局", documents=[]
        )
    with pytest.raises(DomainError):
        services.referral_decide(actor=crew.investigator, referral=referral, approve=False, reason="不移")
    services.referral_decide(actor=crew.investigator, referral=referral, approve=True, reason="涉嫌盗窃罪")
    referral.refresh_from_db()
    assert referral.transfer_due - referral.decided_at == dt.timedelta(hours=24)
    with pytest.raises(DomainError) as missing:
        services.referral_transfer(
            actor=crew.investigator,
            referral=referral,
            receiving_organ="包头市公安局",
            documents=["referral_letter"],
        )
    assert "调查报告" in missing.value.message_zh and "涉案物品清单" in missing.value.message_zh
    services.referral_transfer(
        actor=crew.investigator,
        referral=referral,
        receiving_organ="包头市公安局",
        documents=["referral_letter", "investigation_report", "exhibit_list"],
    )
    referral.refresh_from_db()
    assert referral.copied_to == "包头市人民检察院"  # 310号令: copied to the procuratorate
    received_on = dt.date.today() - dt.timedelta(days=0)
    services.referral_receipt(
        actor=crew.investigator,
        referral=referral,
        receipt_number="包公受〔2026〕9号",
        received_on=received_on,
    )
    referral.refresh_from_db()
    assert referral.answer_due == received_on + dt.timedelta(days=3)
    services.referral_answer(actor=crew.investigator, referral=referral, accepted=True, text="已立案侦查")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ANSWERED and referral.answer == Referral.Answer.ACCEPTED
    assert referral.track.ended and "已立案侦查" in referral.track.outcome


def test_it_refers_only_officials_to_the_discipline_organs(crew, lead):
    case = _case(crew, lead, "investigating")
    with pytest.raises(DomainError) as error:
        services.referral_propose(
            actor=crew.investigator,
            case=case,
            kind="discipline",
            grounds="涉嫌违纪",
            party=case.parties.first(),
        )
    assert error.value.code == "cases.discipline_needs_official"


def test_a_police_referral_names_the_offence_it_refers(crew, lead):
    """国务院令第310号第六条: the 移送书 names the offence; a referral without one is refused, not guessed."""
    case = _case(crew, lead, "investigating")
    before = case.referrals.count()
    for action in ("", "refer_discipline", "refer_police_arson"):
        with pytest.raises(DomainError) as error:
            services.referral_propose(
                actor=crew.investigator, case=case, kind="police", grounds="另查明涉嫌洗钱", action=action
            )
        assert error.value.code == "cases.referral_needs_crime" and "罪名" in error.value.message_zh
    assert case.referrals.count() == before
    referral = services.referral_propose(
        actor=crew.investigator,
        case=case,
        kind="police",
        grounds="另查明涉嫌洗钱",
        action="refer_police_laundering",
    )
    assert referral.action == "refer_police_laundering"


def test_it_audits_every_transition_of_a_full_case(crew, lead):
    run(crew, lead, to="reopened", filed_on=LONG_AGO)
    actions = set(_actions())
    expected = {
        "cases.lead.create",
        "cases.lead.verify",
        "cases.lead.file",
        "cases.case.file",
        "cases.party.add",
        "cases.inspection.record",
        "cases.evidence.add",
        "cases.rigs.seize",
        "cases.calculation.run",
        "cases.determination.evaluate",
        "cases.case.submit_review",
        "cases.case.review",
        "cases.notice.issue",
        "cases.decision.issue",
        "cases.decision.serve",
        "cases.task.create",
        "cases.task.close",
        "cases.referral.propose",
        "cases.referral.decide",
        "cases.referral.transfer",
        "cases.case.decided",
        "cases.case.close",
        "cases.follow_up.record",
        "cases.case.relapse",
        "cases.track.open",
        "cases.track.start",
        "cases.track.letter",
        "cases.track.advice",
        "cases.track.credit",
        "cases.track.end",
        "cases.track.enforced",
        "cases.penalty.review",
    }
    assert expected <= actions, expected - actions


def test_it_numbers_leads_by_year_in_sequence(make_lead):
    from django.utils import timezone

    year = timezone.localdate().year
    first, second = make_lead(), make_lead()
    assert (first.number, second.number) == (f"XS-{year}-000001", f"XS-{year}-000002")
