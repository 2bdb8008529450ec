"""The 移送书 tests the prosecution threshold on the value of the stolen power alone (the back charge), never
on back charge plus 违约使用电费, and carries no internal note."""

from __future__ import annotations

import pytest

from minesweep.cases.models import Case, CaseCalculation, Referral
from minesweep.documents.checker import check
from minesweep.documents.context import prepare
from minesweep.documents.render import docx_text
from minesweep.documents.services import document_issue

pytestmark = pytest.mark.django_db


# A quantity established from the actual time of use (hours per day and days), as the police can verify it.
VERIFIED = {"capacity_kw": "10", "hours_per_day": "16", "days": "10", "unknown_duration": False}


def _theft(case, back: str, penalty: str, inputs: dict | None = None):  # type: ignore[no-untyped-def]
    cafe = case.parties.get(category="internet_cafe")
    return CaseCalculation.objects.create(
        case=case,
        party=cafe,
        kind=CaseCalculation.Kind.THEFT,
        pack=case.pack,
        inputs=VERIFIED if inputs is None else inputs,
        output={
            "result": {"kwh": "1600", "back_charge_yuan": back, "penalty_yuan": penalty},
            "notes": ["窃电时间无法查明，按最低标准推定 / duration unknown: the statutory minimum is used"],
        },
        kwh="1600",
        amount_yuan=str(float(back) + float(penalty)),
        created_by=case.lead_officer,
    )


def test_it_tests_the_threshold_on_the_stolen_power_alone(case):
    _theft(case, back="800.00", penalty="2400.00")  # 800 < 1,000 although 800 + 2,400 ≥ 1,000
    document = document_issue(actor="test", case=case, kind="police_referral")
    text = docx_text(bytes(document.docx))
    assert "窃电价值（按应补交电费计）800.00元（大写：人民币捌佰元整）" in text
    assert "未达到盗窃罪“数额较大”的追诉标准（1000元）" in text
    assert "3200" not in text and "3,200" not in text and "违约使用电费" not in text
    assert "duration" not in text and "计算记录" not in text and "#" not in text
    assert check("police_referral", text, number=document.number) == []


def test_it_says_the_threshold_is_reached_by_the_value_of_the_power(case):
    _theft(case, back="1200.00", penalty="3600.00")
    text = docx_text(bytes(document_issue(actor="test", case=case, kind="police_referral").docx))
    assert "1,200.00元" in text and "已达到盗窃罪“数额较大”的追诉标准（1000元）" in text
    assert "抄送：包头市人民检察院" in text and "涉嫌犯罪案件情况的调查报告" in text


def test_a_presumed_quantity_is_not_said_to_reach_the_prosecution_threshold(case):
    """The café's theft was computed with the time unknown: 400 kW × 12 h × 180 d (供电营业规则's presumption,
    which fixes what the supplier may charge). The letter said "已达到盗窃罪“数额较大”的追诉标准" from it; now it
    gives the presumed back charge as such and asks the police to determine the amount from the verified
    quantity, or the usage drop (两高2013年盗窃解释第四条)."""
    calc = case.calculations.get(kind=CaseCalculation.Kind.THEFT)
    assert calc.inputs["unknown_duration"] is True
    document = document_issue(actor="test", case=case, kind="police_referral")
    text = docx_text(bytes(document.docx))
    assert "追诉标准" not in text and "窃电价值（按应补交电费计）" not in text
    assert (
        "因窃电时间无法查明，按《供电营业规则》推定的追补电量为864000千瓦时，应补交电费（推定）432,000.00元"
        in text
    )
    assert "该数额是供电企业追补电费的推定数额，不是盗窃数额" in text
    assert (
        "请依照《最高人民法院、最高人民检察院关于办理盗窃刑事案件适用法律若干问题的解释》第四条，按查实的窃电量核定；"
        "窃电量无法查实的，以盗窃前六个月月均正常用电量减去盗窃后计量仪表显示的月均用电量推算。" in text
    )
    assert "窃电量及窃电价值计算书" in text  # the police still get every step to check
    assert check("police_referral", text, number=document.number) == []


def test_a_record_that_does_not_say_how_the_quantity_was_found_is_not_taken_as_verified(case):
    _theft(case, back="1200.00", penalty="3600.00", inputs={})
    text = docx_text(bytes(document_issue(actor="test", case=case, kind="police_referral").docx))
    assert "已达到" not in text and "不是盗窃数额" in text


@pytest.mark.parametrize("pack", ["inner_mongolia_2021", "sichuan_2022"])
def test_it_cites_the_supervision_law_article_in_force_on_the_letters_date(pack):
    """监察法 2018 第三十四条 up to 2025-05-31; the amended law (in force 2025-06-01) renumbered it."""
    import datetime as dt

    from minesweep.cases.models import Case
    from minesweep.documents.context import supervision_basis
    from minesweep.policy.packs import load_pack

    case = Case(pack=pack)
    old = supervision_basis(case, "refer_discipline", dt.date(2025, 5, 31))
    new = supervision_basis(case, "refer_discipline", dt.date(2025, 6, 1))
    assert old == "《中华人民共和国监察法》第三十四条"
    assert new == "《中华人民共和国监察法》第三十七条"
    versions = [
        b
        for r in load_pack(pack).rules
        for a in r.actions
        if a.code == "refer_discipline"
        for b in a.legal_basis
        if b.law == "中华人民共和国监察法"
    ]
    # The renumbered article is not confirmed from a source: the pack says so.
    assert [b.verified for b in versions] == [True, False]


def test_it_neither_lists_the_letter_among_its_attachments_nor_lets_any_head_approve(case):
    """国务院令第310号第六条: the 移送书 goes with the report and the exhibit list — it is not its own 附件;
    第五条: the transfer is approved by the 正职负责人 or the 主持工作的负责人, not any 负责人."""
    _theft(case, back="1200.00", penalty="3600.00")
    document = document_issue(actor="test", case=case, kind="police_referral")
    text = docx_text(bytes(document.docx))
    attachments = text.split("附件：", 1)[1].split("。", 1)[0]
    assert "移送书" not in attachments
    assert attachments.startswith("1. 涉嫌犯罪案件情况的调查报告")
    assert "经本机关正职负责人（或者主持工作的负责人）于" in text
    assert check("police_referral", text, number=document.number) == []
    circular = text.replace("附件：", "附件：1. 涉嫌犯罪案件移送书；", 1)
    assert any(p.rule == "required" for p in check("police_referral", circular, number=document.number))


def test_it_sends_the_theft_calculation_with_the_letter(case):
    """The police test the amount against the threshold: the calculation goes with the letter among the
    其他有关涉嫌犯罪的材料 (国务院令第310号第六条), named once, after the report and the exhibit list."""
    _theft(case, back="1200.00", penalty="3600.00")
    document = document_issue(actor="test", case=case, kind="police_referral")
    text = docx_text(bytes(document.docx))
    attachments = text.split("附件：", 1)[1].split("。", 1)[0]
    assert attachments.startswith("1. 涉嫌犯罪案件情况的调查报告；2. 涉案物品清单；")
    assert "3. 其他有关涉嫌犯罪的材料：窃电量及窃电价值计算书" in attachments
    assert attachments.count("计算书") == 1
    assert check("police_referral", text, number=document.number) == []


def test_it_lists_no_calculation_when_the_case_has_none(case):
    case.calculations.filter(kind=CaseCalculation.Kind.THEFT).delete()
    text = docx_text(bytes(document_issue(actor="test", case=case, kind="police_referral").docx))
    assert "计算书" not in text.split("附件：", 1)[1]


def test_the_legal_review_says_whether_a_crime_was_referred_as_it_stood_that_day(case):
    """国办发〔2018〕118号: the 法制审核 covers 违法行为是否涉嫌犯罪、需要移送司法机关; the opinion says how
    each police referral stood on the review day, nothing later."""
    import datetime as dt

    from minesweep.documents.context import criminal_referrals_text

    referral = case.referrals.get(kind="police")
    text = docx_text(bytes(document_issue(actor="test", case=case, kind="legal_review").docx))
    section = text.split("涉嫌犯罪移送情况", 1)[1].split("审核意见", 1)[0]
    assert "九原区青城网咖涉嫌盗窃罪，" in section and section.count("涉嫌盗窃罪") == 1
    assert f"移送{referral.receiving_organ}" in section and "决定不予立案" in section
    before_answer = criminal_referrals_text(case, None, referral.answered_on - dt.timedelta(days=1))
    assert "待其作出是否立案的决定" in before_answer and "不予立案" not in before_answer
    before_report = criminal_referrals_text(case, None, referral.reported_on - dt.timedelta(days=1))
    assert before_report == "经审核，未发现违法行为涉嫌犯罪、需要移送司法机关的情形。"


def test_the_decision_recites_the_referral_and_the_police_answer_that_let_it_be_made(case):
    """国务院令第310号第十一条第二款: a fine is decided only after the police decline (or the proceedings end
    without a punishment); the 决定书 says so on its face, and says nothing of referrals not yet sent."""
    import datetime as dt

    from minesweep.documents.context import criminal_proceedings_recital

    referral = case.referrals.get(kind="police")
    decision = case.decisions.select_related("party").get(party=referral.party)
    text = docx_text(
        bytes(document_issue(actor="test", case=case, kind="decision", party=decision.party).docx)
    )
    facts = text.split("一、违反法律、法规、规章的事实和证据", 1)[1].split("二、陈述、申辩和听证情况", 1)[0]
    assert f"移送{referral.receiving_organ}" in facts and "决定不予立案" in facts
    # The 发改委 referred; the 能源局 decides: the decision names the organ that referred, never "本机关".
    assert decision.number.startswith("包能源罚")
    assert "包头市发展和改革委员会于" in facts and "本机关于" not in facts
    assert "第十一条第二款，依法作出本决定" in facts
    assert facts.index("违反了") < facts.index("移送")
    assert check("decision", text, number=decision.number) == []
    before = criminal_proceedings_recital(case, decision.party, referral.answered_on - dt.timedelta(days=1))
    assert before == ""
    assert referral.party_id == decision.party.pk  # the café's referral is the café's alone
    for other in case.parties.exclude(pk=decision.party.pk):
        assert criminal_proceedings_recital(case, other, decision.decided_on) == ""


def test_a_letter_names_the_offence_of_its_referral_and_never_guesses_one(case):
    """Each referral action names its own offence and article (刑法); one recorded without any is refused."""
    from minesweep.core.errors import DomainError
    from minesweep.documents.models import IssuedDocument

    referral = case.referrals.get(kind="police")
    referral.action = "refer_police_fundraising_fraud"
    referral.save(update_fields=["action"])
    referral.party.facts = [*referral.party.facts, "illegal_fundraising"]  # the conduct it rests on, found
    referral.party.save(update_fields=["facts"])
    text = docx_text(bytes(document_issue(actor="test", case=case, kind="police_referral").docx))
    assert "涉嫌构成《中华人民共和国刑法》第一百九十二条规定的集资诈骗罪" in text and "盗窃罪" not in text
    assert "计算书" not in text.split("附件：", 1)[1]  # the theft calculation belongs to a theft referral
    issued = IssuedDocument.objects.filter(kind="police_referral").count()
    referral.action = ""
    referral.save(update_fields=["action"])
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="police_referral")
    assert refused.value.code == "documents.referral_without_crime"
    assert IssuedDocument.objects.filter(kind="police_referral").count() == issued


def test_a_decision_by_the_organ_that_referred_says_it_referred_itself(case, monkeypatch):
    """When the region makes one organ both the case authority and the penalty authority, "本机关" referred."""
    from minesweep.documents import context
    from minesweep.documents.authority import case_issuer

    monkeypatch.setattr(context, "penalty_issuer", lambda case, party: case_issuer(case))
    referral = case.referrals.get(kind="police")
    decision = case.decisions.select_related("party").get(party=referral.party)
    recital = context.criminal_proceedings_recital(case, decision.party, decision.decided_on)
    assert recital.startswith("本机关于") and "包头市发展和改革委员会于" not in recital


def test_a_letter_naming_theft_needs_the_taking_of_power_among_the_facts_found(case):
    """国务院令第310号第三条: a 盗窃罪 referral of a party whose facts found hold no taking of power (a captive
    plant that supplied miners from its own lines) is refused; found as a fact of the whole case, it goes."""
    from minesweep.core.errors import DomainError
    from minesweep.documents.models import IssuedDocument

    referral = case.referrals.select_related("party").get(kind="police", action="refer_police_theft")
    party = referral.party
    taken = [f for f in party.facts if f != "unapproved_power_connection"]
    assert taken != party.facts
    party.facts = taken
    party.save(update_fields=["facts"])
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="police_referral")
    assert refused.value.code == "documents.referral_conduct_not_found"
    assert party.name in refused.value.message_zh and "未经报批私自接入动力电源" in refused.value.message_zh
    assert not IssuedDocument.objects.filter(kind="police_referral").exists()
    case.determination.case_facts = ["unapproved_power_connection"]
    case.determination.save(update_fields=["case_facts"])
    text = docx_text(bytes(document_issue(actor="test", case=case, kind="police_referral").docx))
    assert "盗窃罪" in text


def test_an_official_goes_to_the_commission_of_the_cases_own_level_unless_another_is_recorded(case):
    """DOMAIN.md §4 and 监察法第十六条 (按照管理权限管辖): the fixture's 街道干部 of a 九原区 case goes to 九原区's
    commission — as the track named it when the referral was transferred, and by default when nothing is
    recorded — never to the city's that the pack's fallback gives; a receiving organ recorded on the
    referral is the officer's word on the official's level; a city-level case goes to the city's."""
    official = case.parties.get(category="public_official")
    referral = case.referrals.get(kind=Referral.Kind.DISCIPLINE, party=official)
    county = "中共九原区纪律检查委员会、九原区监察委员会"
    assert referral.receiving_organ == county
    text = docx_text(bytes(document_issue(actor="test", case=case, kind="discipline_referral").docx))
    assert f"{county}：" in text and "包头市纪律检查委员会" not in text

    def addressee() -> str:
        return str(
            prepare(Case.objects.get(pk=case.pk), "discipline_referral", official).fields["receiving_organ"]
        )

    city = "中共包头市纪律检查委员会、包头市监察委员会"
    Referral.objects.filter(pk=referral.pk).update(receiving_organ="")
    assert addressee() == county
    Referral.objects.filter(pk=referral.pk).update(receiving_organ=city)
    assert addressee() == city
    Referral.objects.filter(pk=referral.pk).update(receiving_organ="")
    Case.objects.filter(pk=case.pk).update(division_id="150200")
    assert addressee() == city
