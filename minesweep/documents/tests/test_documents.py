"""Every document kind rendered from a demo-like case and opened again: required fields, Chinese text,
numbering, immutability, templates an administrator edits, and PDFs with no missing glyphs."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from html import unescape

import pytest
from docx import Document
from PIL import Image

from minesweep.audit.models import AuditEvent
from minesweep.cases.models import CaseCalculation, CaseLog, Determination
from minesweep.core.errors import DomainError
from minesweep.credit.models import ListingRecord
from minesweep.documents.checker import check
from minesweep.documents.context import cn_date
from minesweep.documents.kinds import ACCEPTANCE_CHAR, ACCEPTANCE_TITLE, KINDS
from minesweep.documents.models import IssuedDocument
from minesweep.documents.render import docx_text, missing_glyphs
from minesweep.documents.services import document_issue
from minesweep.policy import calc as policy_calc
from minesweep.policy.packs import load_pack

from .conftest import CONFIRMED_ENERGY_CITED, OFFICIAL_ID, confirm_energy_cut_basis

pytestmark = pytest.mark.django_db
CASE_ISSUER = ("包头市发展和改革委员会", "包发改")
PENALTY_ISSUER = ("包头市能源局", "包能源")  # the pack's 电力管理部门 for Baotou
PENALTY_KINDS = (
    "penalty_filing",
    "legal_review",  # the fixture's last review is the café's penalty review: the 能源局's (第五十八条)
    "notice",
    "hearing_notice",
    "hearing_record",
    "discussion",
    "decision",
    "service_receipt",
)
CREDIT_ISSUER = ("内蒙古自治区发展和改革委员会", "内发改")  # the pack's credit office (region level)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _required(case, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What each document must say, taken from the case records (not from the document code)."""
    cafe = case.parties.get(category="internet_cafe")
    official = case.parties.get(category="public_official")
    decision = case.decisions.get(party=cafe)
    notice = case.notices.get(party=cafe)
    energy = case.calculations.get(kind=CaseCalculation.Kind.ENERGY)
    listing = ListingRecord.objects.get(case_number=case.number, decision__party=cafe)
    served = ListingRecord.objects.filter(case_number=case.number).order_by("pk").first()
    assert served is not None
    return {
        "credit_notice": [
            served.name,
            served.notice_number,
            "拟列入事由",
            "（国办发〔2020〕49号）",  # the normative document, by title and number
            f"个工作日内（即{cn_date(served.objection_deadline)}前，含当日）",
            "以书面形式向本机关",
            cn_date(served.notified_on),
            "（印章）",
        ],
        "filing": [
            # the 发改委 holds no penalty power in the pack: it accepts and checks the case (filing_ground)
            case.number,
            case.lead.number,
            cafe.name,
            official.name,
            "受理核查依据",
            "承办人",
            f"受理核查日期：{cn_date(case.filed_on)}",
            "发改运行〔2021〕1283号",  # the basis of the measures it holds
            "网吧",  # the category by its label, never its code
        ],
        "penalty_filing": [
            # 行政处罚法第二十二条、第五十四条: the 能源局 files the matter the 发改委 transferred, in its own name.
            cafe.name,
            "包头市发展和改革委员会移送",
            f"其案件编号{case.number}",
            "《中华人民共和国行政处罚法》第二十二条、第五十四条",
            "《中华人民共和国电力法》第七十一条",
            "承办人：赵刚、钱伟",
            cn_date(case.tracks.get(kind="penalty", party=cafe).filed_on),
        ],
        "notice": [
            cafe.name,
            "拟责令停止违法行为、追缴电费并处罚款",  # the typed basis clause gives way to the act's statutes
            cn_date(notice.defence_deadline),
            cn_date(notice.hearing_request_deadline),
            "陈述、申辩",
            "听证",
            "包头市能源局",  # 电力法第七十一条: the power administration imposes the fine
        ],
        "decision": [
            cafe.name,
            "住所",
            decision.facts_and_evidence,
            "《中华人民共和国电力法》第七十一条",
            decision.compliance,
            PENALTY_ISSUER[0],
            cn_date(decision.decided_on),
            "（印章）",
            "50,000.00元（大写：人民币伍万元整）",
            "包头市人民政府",
            "行政复议",
            "行政诉讼",
            "履行方式和期限",
        ],
        "police_referral": [
            "包头市公安局",
            "涉案物品及证据清单",
            "蚂蚁矿机S19共80台",
            case.evidence_items.first().sha256[:16],
            "《行政执法机关移送涉嫌犯罪案件的规定》",
            "三日内",
            "包头市人民检察院",
        ],
        "discipline_referral": [
            # a 街道 cadre in 九原区: the county's commission (监察法第十六条), not 包头市's
            "中共九原区纪律检查委员会、九原区监察委员会：",
            official.name,
            "公职人员",
            "问题线索",
        ],
        "credit_listing": [
            listing.name,
            listing.reason,
            listing.decision_number,
            listing.removal_conditions,
            listing.remedies,
            cn_date(listing.publication_start),
            cn_date(listing.max_end),
            f"失信程度：{listing.get_severity_display()}",
        ],
        "energy_cut": [
            "1000000",
            str(energy.tce).rstrip("0").rstrip("."),
            "0.1229",
            "÷ 1000",
            "吨标准煤",
            "折标依据：GB/T 2589-2020",
            "九原区人民政府：",  # the county's government alone: the budget cut is the county's
            f"根据{CONFIRMED_ENERGY_CITED}",  # the pack's confirmed basis (the test confirms it)
            "核减九原区能耗预算指标。核算过程如下",
        ],
        "proposal": [
            cafe.name,
            "包头市文化旅游广电局",  # 网吧停业整顿 is the culture authority's power, not the 发改委's
            "《互联网上网服务营业场所管理条例》",
            "八项措施（征求意见稿）》",  # the draft as policy context, never cited as in force
            "本机关不代为作出决定",
        ],
        # the 发改委's own measure; the differential tariff is asked of the region's price authority (建议函)
        "measure_letter": [
            cafe.name,
            "作出如下处理决定",
            "停止本机关职责范围内的电价等政策支持",
            "不属于行政处罚",
        ],
        "discussion": [cafe.name, "第五十七条", "同意按拟处罚意见作出决定"],
        "hearing_notice": [cafe.name, notice.number, "包头市能源局第一会议室", "赵强（法制科）", "回避"],
        # the 能源局 filed its own case: its officers, not the 发改委's, are the investigators at its hearing
        "hearing_record": [cafe.name, "对窃电时间提出异议", "赵强（法制科）", "调查人员：赵刚、钱伟"],
        # the last review is the café's penalty review: the 能源局's, by its own reviewer (第五十八条)
        "legal_review": [
            case.legal_reviews.last().opinion,
            "第五十八条",
            "包头市能源局",
            "赵敏",
            "拟作出的行政处罚决定",
        ],
        "service_receipt": [cafe.name, decision.number, cn_date(decision.served_on), "受送达人签名或者盖章"],
    }[kind]


@pytest.mark.parametrize("kind", list(KINDS))
def test_it_renders_each_kind_with_every_required_field_in_docx_and_pdf(case, kind, tmp_path):
    if kind == "energy_cut":  # refused while the pack's basis awaits the legal office
        confirm_energy_cut_basis(case)
    document = document_issue(actor="test", case=case, kind=kind)
    doc = Document(io.BytesIO(bytes(document.docx)))
    text = docx_text(bytes(document.docx))
    # the title, in Chinese (the 发改委's filing form: no penalty power, so no 立案审批表; the cut: a 函)
    title = {
        "filing": ACCEPTANCE_TITLE,
        "energy_cut": f"关于核减{case.division.name}\n能耗预算指标的函",
    }.get(kind, KINDS[kind].title)
    assert doc.paragraphs[1].text == title
    issuer = (
        PENALTY_ISSUER
        if kind in PENALTY_KINDS
        else CREDIT_ISSUER
        if kind in ("credit_listing", "credit_notice")
        else CASE_ISSUER
    )
    if KINDS[kind].numbered:  # the acceptance form is numbered 受, in its own sequence (ACCEPTANCE_CHAR)
        char = ACCEPTANCE_CHAR if kind == "filing" else KINDS[kind].char
        assert re.fullmatch(rf"{issuer[1]}{char}〔2026〕\d+号", document.number)
    else:
        assert document.number == "" and document.act_id is None
    assert document.number in text and "{{" not in text
    for value in _required(case, kind):
        assert value in text, f"{kind}: missing {value!r}"
    assert OFFICIAL_ID not in text  # a resident ID is never printed in full
    # The PDF: every character has a glyph in the embedded font, the text extracts as Chinese, page 1 has ink.
    assert shutil.which("pdftoppm") and shutil.which("pdftotext"), "poppler-utils is required"
    assert missing_glyphs(text) == [] and document.data["missing_glyphs"] == []
    pdf = tmp_path / f"{kind}.pdf"
    pdf.write_bytes(bytes(document.pdf))
    raw = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # the page number ("— 1 —", GB/T 9704) comes where the page ends, which may be inside a sentence
    extracted = re.sub(r"—\d+—", "", _squash(raw))
    for value in (title, document.number, issuer[0], *_required(case, kind)[:3]):
        assert _squash(value) in extracted, f"{kind}: {value} not in the PDF text"
    assert "\ufffd" not in extracted
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NotoSerifCJKSC" in fonts and " yes yes yes " in fonts  # embedded, subset, with a unicode map
    # The checker squashes what it needs itself; squashed here, the cells of a table column that the PDF
    # reader gives one under another (kWh, kgce, tce) would read as one Latin word.
    for rendered in (text, raw):
        problems = check(kind, rendered, number=document.number)
        assert problems == [], "\n".join(map(str, problems))
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / kind)], check=True
    )
    image = Image.open(next(tmp_path.glob(f"{kind}-*.png"))).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark > 500, f"{kind}: the first page is (nearly) blank"


def test_it_issues_each_measure_letter_in_the_name_of_the_authority_holding_the_power(case):
    """A 处理决定书 names as its issuer the organ that holds the measure's power, never the case authority in
    another organ's place: the 节能监察 of the data centre (an organ the pack does not configure) went to
    that organ by 建议函; the 发改委's own measures are the 发改委's decision (the café's)."""
    from minesweep.documents.authority import case_issuer

    cafe = case.parties.get(category="internet_cafe")
    letters = [t for t in cafe.tracks.filter(kind="measure") if t.letter_on]
    assert [t.authority for t in letters] == ["development_reform"]
    for track in letters:
        document = document_issue(
            actor="test", case=case, kind="measure_letter", party=cafe, addressee=track.authority
        )
        text = docx_text(bytes(document.docx))
        assert document.number == track.letter_number  # the number the letter got when it was issued
        assert text.startswith(case_issuer(case, track.authority).name) and cafe.name in text
        assert check("measure_letter", text, number=document.number) == []
    host = case.parties.get(category="data_center")
    advice = host.tracks.get(authority="energy_conservation_supervision")
    assert advice.kind == "other_authority" and advice.letter_on
    text = docx_text(
        bytes(
            document_issue(
                actor="test", case=case, kind="proposal", party=host, addressee=advice.authority
            ).docx
        )
    )
    assert "节能监察" in text and "加大节能监察力度" in text


def test_no_decision_letter_rests_on_a_statute_the_pack_marks_as_awaiting_its_article(case):
    """核减能耗预算指标 against the data centre rests, in the pack, on 《节约能源法》 with "用能预算管理的具体依据待法制
    审核确认": the 处理决定书 read 依据《中华人民共和国节约能源法》 — an act no legal reviewer can sign. The track
    ended with the reason and no letter; a letter recorded before this rule is refused too."""
    host = case.parties.get(category="data_center")
    quota = host.tracks.get(kind="measure", authority="development_reform")
    assert quota.action_codes() == ["energy_quota_cut"]
    assert quota.ended and not quota.letter_number and "待法制审核确认" in quota.outcome
    quota.letter_on = quota.ended_on
    quota.save(update_fields=["letter_on"])
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="measure_letter", party=host, addressee=quota.authority)
    assert (
        refused.value.code == "documents.basis_pending"
        and "《中华人民共和国节约能源法》" in refused.value.message_zh
    )
    assert not IssuedDocument.objects.filter(case=case, kind="measure_letter", party=host).exists()


def test_each_partys_act_states_the_facts_found_against_that_party(case):
    """The data centre only hosted the café's rigs: the 建议函 about it states what was found against it,
    never the case's narrative of the café's unapproved connection; without its own findings a party of a
    case of several gets no act at all."""
    host = case.parties.get(category="data_center")
    advice = host.tracks.filter(kind="other_authority").first()
    letter = docx_text(
        bytes(
            document_issue(
                actor="test", case=case, kind="proposal", party=host, addressee=advice.authority
            ).docx
        )
    )
    assert host.findings and host.findings in letter
    assert case.determination.findings not in letter
    host.findings = ""
    host.save()
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="proposal", party=host, addressee=advice.authority)
    assert refused.value.code == "documents.no_party_findings" and host.name in refused.value.message_zh


def test_the_case_authority_stops_only_the_support_it_grants(case):
    """1283号 stops "财政、税收、房租、电价、金融等一切支持"; the 发改委's 处理决定书 withdraws only what the 发改委
    grants (power-price support), and the fiscal and financial support go by 建议函 to the 财政局 and the
    financial regulator of the case's city or region (超越职权, 行政诉讼法第七十条第（四）项)."""
    cafe = case.parties.get(category="internet_cafe")
    track = cafe.tracks.get(kind="measure", authority="development_reform")
    text = docx_text(
        bytes(
            document_issue(
                actor="test", case=case, kind="measure_letter", party=cafe, addressee=track.authority
            ).docx
        )
    )
    assert "停止本机关职责范围内的电价等政策支持" in text
    assert not any(word in text for word in ("税收", "财政", "金融", "房租", "租金", "土地")), text
    asked = {t.authority: t for t in cafe.tracks.filter(kind="other_authority")}
    assert {"finance_department", "financial_regulator", "tax_authority", "land_authority"} <= set(asked)
    proposal = document_issue(
        actor="test", case=case, kind="proposal", party=cafe, addressee="finance_department"
    )
    letter = docx_text(bytes(proposal.docx))
    assert "包头市财政局：" in letter and "停止财政补贴、房租减免等财政支持" in letter
    assert check("proposal", letter, number=proposal.number) == []


def test_a_penalty_review_bears_the_deciding_authoritys_name_and_its_party_only(case):
    # 行政处罚法第五十八条: the review before a penalty decision is the deciding organ's; the review of the
    # proposed handling is the case authority's and names every party.
    cafe = case.parties.get(category="internet_cafe")
    official = case.parties.get(category="public_official")
    assert case.legal_reviews.filter(party=cafe).exists() and not case.legal_reviews.filter(party=official)
    reviews = {
        who: docx_text(bytes(document_issue(actor="test", case=case, kind="legal_review", party=who).docx))
        for who in (cafe, official)
    }
    assert reviews[cafe].startswith(PENALTY_ISSUER[0]) and CASE_ISSUER[0] not in reviews[cafe]
    assert f"当事人：{cafe.name}\n" in reviews[cafe] + "\n" and official.name not in reviews[cafe]
    assert reviews[official].startswith(CASE_ISSUER[0])
    assert "拟作出的行政处罚决定" in reviews[cafe] and "拟作出的处理决定" in reviews[official]
    assert cafe.name in reviews[official] and official.name in reviews[official]
    # 第五十八条 governs the review before a penalty decision: the 能源局's review of the café's fine cites it;
    # the 发改委 decides no fine in this case, so its review of the handling rests on 国办发〔2018〕118号.
    assert "根据《中华人民共和国行政处罚法》第五十八条，" in reviews[cafe]
    assert (
        "第五十八条" not in reviews[official] and "（国办发〔2018〕118号），法制审核人员" in reviews[official]
    )


def test_the_case_authoritys_review_cites_article_58_when_it_decides_a_fine_itself(case, monkeypatch):
    from minesweep.documents import context
    from minesweep.documents.authority import case_issuer

    monkeypatch.setattr(context, "penalty_issuer", lambda case, party: case_issuer(case))
    official = case.parties.get(category="public_official")
    text = docx_text(bytes(document_issue(actor="test", case=case, kind="legal_review", party=official).docx))
    assert "根据《中华人民共和国行政处罚法》第五十八条和《国务院办公厅关于全面推行" in text


def test_a_measure_letter_rests_on_the_documents_in_force_and_never_on_a_draft(case):
    """差别电价 and the like rest on 规范性文件 in force (发改运行〔2021〕1283号), cited as the basis, not as
    "参照" context; a measure whose only ground is the draft eight measures gets no letter at all."""
    cafe = case.parties.get(category="internet_cafe")
    track = next(t for t in cafe.tracks.filter(kind="measure") if t.letter_on)
    text = docx_text(bytes(document_issue(actor="test", case=case, kind="measure_letter", party=cafe).docx))
    basis = text.split("本机关作出如下处理决定", 1)[0].rsplit("\n", 1)[-1]
    assert basis.startswith("依据") and "发改运行〔2021〕1283号" in basis and "有关规定" not in basis
    assert "征求意见稿" not in text and "政策背景" not in text
    track.actions = [
        {**a, "legal_basis": [], "policy_basis": ["八项措施（征求意见稿）第二条"]} for a in track.actions
    ]
    track.save(update_fields=["actions"])
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="measure_letter", party=cafe)
    assert (
        refused.value.code == "documents.no_measure_basis"
        and "征求意见稿不能作为依据" in refused.value.message_zh
    )


def test_it_gives_each_case_its_own_filing_form_act_and_number(
    case, make_staff, liaisons, baotou_investigator, ordos_investigator
):
    from .conftest import make_case

    second_case = make_case(make_staff, liaisons, baotou_investigator, "150200", "150207", "b")
    ordos = make_case(make_staff, liaisons, ordos_investigator, "150600", "150602", "o")
    forms = [document_issue(actor="test", case=c, kind="filing") for c in (case, second_case, ordos)]
    # One act per case: the same authority counts on, the other authority starts at 1.
    assert [f.number for f in forms] == ["包发改受〔2026〕1号", "包发改受〔2026〕2号", "鄂发改受〔2026〕1号"]
    assert [f.act.case_id for f in forms] == [case.pk, second_case.pk, ordos.pk]
    assert (
        document_issue(actor="test", case=second_case, kind="filing").pk == forms[1].pk
    )  # fixed once issued


def test_it_renumbers_a_filing_form_that_bore_another_cases_number(
    case, make_staff, liaisons, baotou_investigator
):
    """What migration 0003 leaves behind: a second case's form linked to the first case's act."""
    from .conftest import make_case

    first = document_issue(actor="test", case=case, kind="filing")
    second_case = make_case(make_staff, liaisons, baotou_investigator, "150200", "150207", "b")
    old = document_issue(actor="test", case=second_case, kind="filing")
    own_act = old.act
    IssuedDocument.objects.filter(pk=old.pk).update(act=first.act, number=first.number)
    own_act.delete()

    renumbered = document_issue(actor="test", case=second_case, kind="filing")

    assert renumbered.pk != old.pk and renumbered.supersedes_id == old.pk and renumbered.version == 2
    # A new serial: a number once allocated (2号, deleted above) is never handed out again.
    assert renumbered.act.case_id == second_case.pk and renumbered.number == "包发改受〔2026〕3号"
    assert "另一案件" in renumbered.reason
    assert renumbered.number in docx_text(bytes(renumbered.docx))
    assert (
        document_issue(actor="test", case=case, kind="filing").pk == first.pk
    )  # the first case keeps its act


def test_it_names_the_case_in_old_filing_targets_when_migrating(
    case, make_staff, liaisons, baotou_investigator
):
    import importlib

    from django.apps import apps

    from minesweep.documents.models import Act

    from .conftest import make_case

    migration = importlib.import_module("minesweep.documents.migrations.0003_filing_act_per_case")
    first = document_issue(actor="test", case=case, kind="filing")
    second_case = make_case(make_staff, liaisons, baotou_investigator, "150200", "150207", "b")
    second = document_issue(actor="test", case=second_case, kind="filing")
    Act.objects.filter(pk=first.act_id).update(target="case")
    IssuedDocument.objects.filter(pk__in=[first.pk, second.pk]).update(target="case")

    migration.name_the_case(apps, None)

    assert Act.objects.get(pk=first.act_id).target == f"case:{case.pk}"
    assert IssuedDocument.objects.get(pk=first.pk).target == f"case:{case.pk}"
    assert IssuedDocument.objects.get(pk=second.pk).target == f"case:{second_case.pk}"


def test_it_numbers_per_issuing_authority_and_year(
    case, make_staff, liaisons, baotou_investigator, ordos_investigator
):
    from .conftest import make_case

    first = document_issue(actor="test", case=case, kind="decision")
    second_case = make_case(make_staff, liaisons, baotou_investigator, "150200", "150207", "b")
    second = document_issue(actor="test", case=second_case, kind="decision")
    ordos = make_case(make_staff, liaisons, ordos_investigator, "150600", "150602", "o")
    third = document_issue(actor="test", case=ordos, kind="decision")
    # The café's fine (电力法第七十一条) is the power administration's (包能源, 鄂能源), counted per
    # authority, kind and year; the case authority's own acts count apart (包发改).
    assert (first.number, second.number, third.number) == (
        "包能源罚〔2026〕1号",
        "包能源罚〔2026〕2号",
        "鄂能源罚〔2026〕1号",
    )
    assert document_issue(actor="test", case=case, kind="notice").number == "包能源告〔2026〕1号"
    assert document_issue(actor="test", case=case, kind="filing").number == "包发改受〔2026〕1号"
    assert first.authority == "包头市能源局"
    # The official's measures are a referral and a credit listing: no penalty, so no penalty document.
    official = case.parties.get(category="public_official")
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="decision", party=official)
    assert refused.value.code == "documents.source_missing" and not official.decisions.exists()


def test_it_never_silently_replaces_an_issued_document(case):
    first = document_issue(actor="test", case=case, kind="decision")
    again = document_issue(actor="test", case=case, kind="decision")
    assert again.pk == first.pk and bytes(again.docx) == bytes(first.docx)
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="decision", reissue=True)
    assert refused.value.code == "documents.reason_required"
    second = document_issue(actor="test", case=case, kind="decision", reissue=True, reason="更正当事人住所")
    assert (second.version, second.number, second.supersedes_id) == (2, first.number, first.pk)
    first.refresh_from_db()
    import hashlib

    assert hashlib.sha256(bytes(first.docx)).hexdigest() == first.docx_sha256 and not first.is_current
    assert IssuedDocument.objects.filter(case=case, kind="decision").count() == 2
    actions = list(
        AuditEvent.objects.filter(object_type="documents.issueddocument").values_list("action", flat=True)
    )
    assert actions == ["documents.document.issue", "documents.document.reissue"]
    timeline = list(
        CaseLog.objects.filter(case=case, action__startswith="documents.").values_list("note", flat=True)
    )
    assert len(timeline) == 2 and first.number in timeline[0] and "第2版" in timeline[1]


def test_it_uses_an_administrators_edited_template_and_refuses_unknown_fields(case, settings, tmp_path):
    from minesweep.documents.template_build import build_all

    build_all(tmp_path)
    edited = Document(str(tmp_path / "proposal.docx"))
    edited.add_paragraph("联系人：综合科 0472-1234567 经办：{{officers}}")
    edited.save(str(tmp_path / "proposal.docx"))
    settings.DOCUMENT_TEMPLATE_DIR = str(tmp_path)
    document = document_issue(actor="test", case=case, kind="proposal")
    assert "联系人：综合科 0472-1234567" in docx_text(bytes(document.docx))
    confirm_energy_cut_basis(case)
    broken = Document(str(tmp_path / "energy_cut.docx"))
    broken.add_paragraph("{{typo_field}}")
    broken.save(str(tmp_path / "energy_cut.docx"))
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="energy_cut")
    assert (
        "typo_field" in refused.value.message_zh
        and not IssuedDocument.objects.filter(kind="energy_cut").exists()
    )


def test_it_names_the_font_package_when_no_cjk_font_is_installed(case, settings, monkeypatch):
    from minesweep.documents import render

    monkeypatch.setattr(render, "FONT_CANDIDATES", ("/nonexistent/font.ttc",))
    settings.DOCUMENT_PDF_FONT = ""
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="filing")
    assert "fonts-noto-cjk" in refused.value.message_zh and not IssuedDocument.objects.exists()


def test_it_explains_what_is_missing_for_a_document(case):
    official = case.parties.get(category="public_official")
    with pytest.raises(DomainError) as unknown:
        document_issue(actor="test", case=case, kind="nonsense")
    assert unknown.value.code == "documents.kind_unknown" and "filing" in unknown.value.message_zh
    with pytest.raises(DomainError) as missing:
        document_issue(actor="test", case=case, kind="proposal", party=official)
    assert missing.value.code == "documents.source_missing" and "建议函" in missing.value.message_zh
    assert not IssuedDocument.objects.exists()


def test_it_writes_documents_from_the_command_line(case, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = tmp_path / "decision.docx"
    said = io.StringIO()
    call_command("case", "document", case.number, "--kind", "decision", "--out", str(out), stderr=said)
    assert "《电力供应与使用条例》第三十一条、《电力供应与使用条例》第四十一条" in said.getvalue()
    stored = IssuedDocument.objects.get(kind="decision")
    assert out.read_bytes() == bytes(stored.docx)
    pdf = tmp_path / "decision.pdf"
    call_command("case", "document", case.number, "--kind", "decision", "--out", str(pdf))
    assert pdf.read_bytes() == bytes(stored.pdf) and IssuedDocument.objects.count() == 1
    for args, message in (
        ([case.number, "--kind", "decision", "--out", str(tmp_path / "x.txt")], "docx"),
        (["AJ-1999-000001", "--kind", "decision", "--out", str(out)], "AJ-1999-000001"),
        ([case.number, "--kind", "decision", "--out", str(out), "--party", "999999"], "999999"),
    ):
        with pytest.raises(CommandError, match=message):
            call_command("case", "document", *args)
    call_command("case", "templates", "--out", str(tmp_path / "tpl"))
    assert len(list((tmp_path / "tpl").glob("*.docx"))) == len({k.template for k in KINDS.values()})


def test_it_lists_documents_in_the_case_timeline_view(case, baotou_investigator, client_for):
    client = client_for(baotou_investigator)
    response = client.post(f"/documents/case/{case.pk}/issue/", {"kind": "decision"})
    assert response.status_code == 302
    page = client.get(f"/documents/case/{case.pk}/").content.decode()
    assert "包能源罚〔2026〕1号" in page and "行政处罚决定书" in page
    document = IssuedDocument.objects.get()
    download = client.get(f"/documents/{document.pk}/download.pdf")
    assert download.status_code == 200 and download.content == bytes(document.pdf)
    assert AuditEvent.objects.filter(action="documents.document.download").count() == 1


def test_it_lists_an_official_from_a_decision_without_ever_showing_the_id_number(case, tmp_path):
    """Credit listing of an official (from the credit track since issue 11: an official gets no penalty
    decision of this case): the resident ID is not copied, published or exported. A criminal judgment
    establishes his conduct but gives the credit office no statute to list on (legal review item 1): refused;
    another organ's penalty decision is published under 行政处罚法第四十八条第一款."""
    import datetime as dt
    import json

    from django.core.management import call_command
    from django.test import Client

    from minesweep.cases import services as case_services

    from .conftest import credit_officer

    lister = credit_officer("150200")  # the region's credit office lists (require_credit_officer)
    official = case.parties.get(category="public_official")
    track = official.tracks.get(kind="credit")
    # No penalty or decision letter of his own establishes his conduct (国办发〔2020〕49号): no notice was
    # served when the case was decided; the court's judgment, once effective, is the ground.
    assert track.step == "handover" and not ListingRecord.objects.filter(name=official.name).exists()
    case_services.track_credit_ground_record(
        actor=lister,
        track=track,
        kind="criminal_judgment",
        number="（2026）内0207刑初15号",
        organ="包头市九原区人民法院",
        effective_on=dt.date(2026, 10, 9),
    )
    with pytest.raises(DomainError) as no_statute:
        case_services.track_credit_notice_issue(actor=lister, track=track, served_on=dt.date(2026, 10, 12))
    assert no_statute.value.code == "credit.no_listing_statute"
    assert not ListingRecord.objects.filter(name=official.name).exists()
    case_services.track_credit_ground_record(  # recorded again while no notice was served
        actor=lister,
        track=track,
        kind="penalty_decision",
        number="包能源罚〔2026〕7号",
        organ="包头市能源局",
        effective_on=dt.date(2026, 10, 9),
    )
    case_services.track_credit_notice_issue(actor=lister, track=track, served_on=dt.date(2026, 10, 12))
    listing = ListingRecord.objects.get(case_number=case.number, name=official.name)
    assert (listing.uscc, listing.subject_kind, listing.case_number) == ("", "individual", case.number)
    assert listing.basis == (
        "经包头市能源局作出的包能源罚〔2026〕7号行政处罚决定书认定；"
        "依据《中华人民共和国行政处罚法》第四十八条第一款；国办发〔2020〕49号"
    )
    assert listing.authority == "内蒙古自治区发展和改革委员会"  # the credit office, without the pack's remark
    issued = document_issue(actor="test", case=case, kind="credit_notice", party=official)
    notice = _squash(docx_text(bytes(issued.docx)))
    assert "已由包头市能源局作出的包能源罚〔2026〕7号行政处罚决定书认定" in notice
    assert "依据《中华人民共和国行政处罚法》第四十八条第一款" in notice
    assert (
        check("credit_notice", notice, number=issued.number) == []
    )  # another organ's penalty decision is a ground the checker knows
    case_services.track_credit_listing_decide(actor=lister, track=track, decided_on=dt.date(2026, 10, 20))
    assert OFFICIAL_ID not in json.dumps(
        list(ListingRecord.objects.values()), default=str, ensure_ascii=False
    )
    page = Client().get("/credit/", {"q": "王某"}).content.decode()
    assert "王某（街道干部）" in page and OFFICIAL_ID not in page
    out = tmp_path / "list.json"
    call_command("credit", "export", "--format", "json", "--out", str(out))
    assert "王某（街道干部）" in out.read_text(encoding="utf-8") and OFFICIAL_ID not in out.read_text(
        encoding="utf-8"
    )
    document = document_issue(actor="test", case=case, kind="credit_listing", party=official)
    assert "王某（街道干部）" in docx_text(bytes(document.docx)) and OFFICIAL_ID not in docx_text(
        bytes(document.docx)
    )


def _penalty_text(case, kind: str) -> str:  # type: ignore[no-untyped-def]
    cafe = case.parties.get(category="internet_cafe")
    return _squash(docx_text(bytes(document_issue(actor="test", case=case, kind=kind, party=cafe).docx)))


VIOLATED_SAID = "违反了《中华人民共和国电力法》第四条第二款、《电力供应与使用条例》第三十一条的规定"
PENALTY_BASIS_SAID = "依据《中华人民共和国电力法》第七十一条、《电力供应与使用条例》第四十一条"


@pytest.mark.parametrize("kind", ["notice", "decision"])
def test_it_states_the_provision_violated_apart_from_the_penalty_basis(case, kind):
    """行政处罚法第四十四条 (notice) and 第五十九条 (decision): 违反 names the prohibition (电力法第四条第二款,
    电力供应与使用条例第三十一条), 依据 the penalty provision (电力法第七十一条, 条例第四十一条)."""
    text = _penalty_text(case, kind)
    assert VIOLATED_SAID in text and PENALTY_BASIS_SAID in text
    assert "违反了《中华人民共和国电力法》第七十一条" not in text
    assert text.index(VIOLATED_SAID) < text.index(PENALTY_BASIS_SAID)


@pytest.mark.parametrize("kind", ["credit_notice", "credit_listing"])
def test_it_cites_the_provision_violated_not_the_penalty_provision_in_listing_documents(case, kind):
    cafe = case.parties.get(category="internet_cafe")
    text = _squash(docx_text(bytes(document_issue(actor="test", case=case, kind=kind, party=cafe).docx)))
    assert VIOLATED_SAID in text and "违反了《中华人民共和国电力法》第七十一条" not in text
    listing = ListingRecord.objects.get(case_number=case.number, decision__party=cafe)
    # the record (public list, exports): what was violated, the decision that found it, 49号 — no draft, and
    # not the fine's own provision
    decision = listing.decision
    assert decision is not None and listing.basis == (
        "违反《中华人民共和国电力法》第四条第二款、《电力供应与使用条例》第三十一条的规定；"
        f"经{decision.number}行政处罚决定书认定；依据《中华人民共和国行政处罚法》第四十八条第一款；"
        "国办发〔2020〕49号"
    )


def _forget_violated_basis(case) -> None:  # type: ignore[no-untyped-def]
    """The action dicts as an evaluation made before ``violated_basis`` existed stored them."""
    from minesweep.cases.models import Measure

    for record in [*Measure.objects.filter(determination__case=case), *case.tracks.all()]:
        record.actions = [{k: v for k, v in a.items() if k != "violated_basis"} for a in record.actions]
        record.save(update_fields=["actions"])


@pytest.mark.parametrize("kind", ["notice", "decision", "credit_notice"])
def test_it_renders_from_action_dicts_stored_without_the_violated_provisions(case, kind):
    """An older snapshot has no ``violated_basis``: the pack's provisions for the same action stand in."""
    _forget_violated_basis(case)
    text = _penalty_text(case, kind)
    assert VIOLATED_SAID in text and "违反了《中华人民共和国电力法》第七十一条" not in text


def test_it_refuses_a_notice_whose_penalty_names_no_violated_provision(case):
    """An action no pack knows, stored without ``violated_basis``: no notice a reviewer could sign."""
    from minesweep.cases.models import Measure

    for measure in Measure.objects.filter(determination__case=case):
        measure.actions = [
            {**{k: v for k, v in a.items() if k != "violated_basis"}, "code": "unknown_fine"}
            if a.get("track") == "penalty"
            else a
            for a in measure.actions
        ]
        measure.save(update_fields=["actions"])
    with pytest.raises(DomainError) as caught:
        _penalty_text(case, "notice")
    assert caught.value.code == "documents.no_violated_basis"


def test_a_decision_that_lowers_the_announced_fine_states_the_reason_adopted(case):
    """行政处罚法第四十五条第一款: a fine lower than the notice's is said as such, with the reason adopted."""
    decision = case.decisions.get()
    assert decision.notice.intended_fine_yuan > decision.fine_yuan and decision.fine_change_reason
    text = docx_text(bytes(document_issue(actor="test", case=case, kind="decision").docx))
    lowered = f"减为{decision.fine_yuan:,.2f}元，理由：{decision.fine_change_reason.rstrip('。')}"
    assert lowered in text
    assert "主动拆除全部矿机" in text and "《中华人民共和国行政处罚法》第三十二条第一项" in text
    assert text.count("经复核") == 1


REMEDIES_SAID = (
    "如不服本决定，可以自收到本决定书之日起六十日内向包头市人民政府申请行政复议，"
    "或者自收到本决定书之日起六个月内向包头市辖区内有管辖权的人民法院提起行政诉讼。"
)


def test_the_decision_states_its_remedies_as_periods_from_receipt_before_and_after_service(case):
    """行政处罚法第五十九条第一款第（五）项, 行政复议法第二十条, 行政诉讼法第四十六条: the periods run from receipt.
    The decision as first issued (not yet served) read "可以在自收到本决定书之日起六十日内前向…", and once
    served "可以在2026年12月11日前向…": the act must read the same whenever it is rendered, the computed dates
    staying in the case record."""
    from minesweep.cases.models import Decision

    decision = case.decisions.get()
    served = (decision.served_on, decision.appeal_deadline, decision.lawsuit_deadline)
    assert all(served)  # the scenario served it: the record keeps the computed dates
    Decision.objects.filter(pk=decision.pk).update(
        served_on=None, appeal_deadline=None, lawsuit_deadline=None
    )
    first = document_issue(actor="test", case=case, kind="decision")
    before = docx_text(bytes(first.docx))
    Decision.objects.filter(pk=decision.pk).update(
        served_on=served[0], appeal_deadline=served[1], lawsuit_deadline=served[2]
    )
    after = docx_text(
        bytes(document_issue(actor="test", case=case, kind="decision", reissue=True, reason="送达后").docx)
    )
    for text in (before, after):
        assert REMEDIES_SAID in text
        assert "内前" not in text and "可以在" not in text
        assert cn_date(served[1]) not in text and cn_date(served[2]) not in text
        assert check("decision", text, number=first.number) == []
    dated = before.replace("可以自收到本决定书之日起六十日内", "可以在2026年12月11日前")
    assert check("decision", dated, number=first.number) != []  # the checker reads it too


def test_the_decision_states_the_back_charge_its_payee_and_period(case):
    """电力法第七十一条: 责令停止违法行为，追缴电费并处罚款. The decision ordered "追缴电费" with no amount, payee or
    period (行政处罚法第五十九条第一款第（三）、（四）项) while the 建议函 asked the grid company to recover the same
    charges. It now states the back charge of the café's theft calculation (400 kW × 12 h × 180 d × 0.50元),
    paid to that same company, and that paying it once discharges the order."""
    cafe = case.parties.get(category="internet_cafe")
    advice = cafe.tracks.get(kind="other_authority", authority="grid_company")
    assert advice.authority_name == "内蒙古电力（集团）有限责任公司"
    document = document_issue(actor="test", case=case, kind="decision", party=cafe)
    text = docx_text(bytes(document.docx))
    assert "追缴电费并处罚款" in text
    assert (
        "追缴电费：你单位应补交电费432,000.00元（大写：人民币肆拾叁万贰仟元整），自收到本决定书之日起十五日内"
        "向内蒙古电力（集团）有限责任公司缴纳；已向内蒙古电力（集团）有限责任公司补交该电费的，视为已履行本项，"
        "不重复缴纳。罚款：" in text
    )
    assert check("decision", text, number=document.number) == []


def test_a_decision_ordering_a_recovery_without_a_computed_back_charge_is_refused(case):
    cafe = case.parties.get(category="internet_cafe")
    case.calculations.filter(kind=CaseCalculation.Kind.THEFT).delete()
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="decision", party=cafe)
    assert refused.value.code == "documents.back_charge_missing" and cafe.name in refused.value.message_zh
    assert not IssuedDocument.objects.filter(case=case, kind="decision").exists()


def test_no_decision_letter_is_issued_for_a_measure_of_an_organ_that_issues_no_acts_here(case):
    """A track recorded as a measure before such measures were routed to a 建议函 (older data): its 处理决定书
    would name the case authority as deciding the 节能监察机构's measure, so it is refused and says why."""
    host = case.parties.get(category="data_center")
    track = host.tracks.get(authority="energy_conservation_supervision")
    track.kind = "measure"
    track.save(update_fields=["kind"])
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="measure_letter", party=host, addressee=track.authority)
    assert refused.value.code == "documents.not_this_organs_power"
    assert "超越职权" in refused.value.message_zh and "letter of advice" in refused.value.message_en


@pytest.mark.parametrize("kind", ["notice", "decision", "legal_review", "discussion", "service_receipt"])
def test_no_penalty_document_is_issued_in_another_organs_name_for_an_organ_that_issues_no_acts_here(
    case, kind
):
    """A penalty track recorded before penalties of such organs were routed to a 建议函: the organ holding the
    power has no confirmed name and 文号 code (as the 节能监察机构 here, or Sichuan's 电力管理部门, 待确认), and its
    告知书, 决定书, 法制审核 and 集体讨论 were issued as the 包头市发展和改革委员会's. A penalty is the holder's
    (行政处罚法第十七条) and void from an organ without the power (第三十八条): refused, nothing issued."""
    from minesweep.cases.models import Measure

    cafe = case.parties.get(category="internet_cafe")
    for measure in Measure.objects.filter(determination__case=case, party=cafe):
        measure.actions = [
            {**a, "authority": "energy_conservation_supervision"} if a.get("track") == "penalty" else a
            for a in measure.actions
        ]
        measure.save(update_fields=["actions"])
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind=kind, party=cafe)
    assert refused.value.code == "documents.not_this_organs_power"
    assert "第十七条" in refused.value.message_zh and "第三十八条" in refused.value.message_zh
    assert (
        "包头市发展和改革委员会" in refused.value.message_zh
        and "letter of advice" in refused.value.message_en
    )
    assert not IssuedDocument.objects.filter(case=case, kind=kind).exists()


def test_the_energy_cut_notice_goes_to_the_county_government_alone_on_the_packs_basis(case):
    """The cut is of the county's energy budget, assessed on its government: the notice was addressed to the
    café *and* its government and asked both to 落实核减. Now the government alone is addressed, the café is
    named as the subject of the facts, and the draft eight measures appear nowhere."""
    confirm_energy_cut_basis(case)
    document = document_issue(actor="test", case=case, kind="energy_cut")
    text = docx_text(bytes(document.docx))
    lines = text.splitlines()
    addressee = lines[lines.index(document.number) + 1]
    assert addressee == f"{case.division.name}人民政府："
    assert document.party is not None and document.party.name in text
    assert f"{document.party.name}、" not in text  # never an addressee beside the government
    assert f"根据{CONFIRMED_ENERGY_CITED}" in text and "节约能源法" not in text
    assert (
        "1283号" not in text
    )  # an existing project is counted once: the 1283号 double count is not relied on
    assert "征求意见稿" not in text and "参照" not in text
    assert check("energy_cut", text, number=document.number) == []
    assert text.count("经查") == 1  # the party's findings open with 经查 once, never 经查，经查


def test_the_energy_cut_is_a_letter_asking_the_county_government_never_a_directive(case):
    """党政机关公文处理工作条例第八条（十四）: 函 is for organs not in a leading relationship (商洽工作、询问和答复问题、
    请求批准和答复审批事项). The city's 发改委 leads no 旗县区人民政府, yet the cut was a 通知 ordering it "请于收到本
    通知之日起十五日内落实核减". It is a 函 titled 关于核减…能耗预算指标的函 that asks the government to study and
    carry out the cut and to answer; it offers no review or suit (it decides nothing against a party) and keeps
    the pack's basis."""
    confirm_energy_cut_basis(case)
    document = document_issue(actor="test", case=case, kind="energy_cut")
    text = docx_text(bytes(document.docx))
    title = Document(io.BytesIO(bytes(document.docx))).paragraphs[1].text
    assert title == f"关于核减{case.division.name}\n能耗预算指标的函"  # broken after the county's name
    squashed = _squash(text)
    assert "请贵政府研究落实上述能耗预算指标核减事宜，并将落实情况函复本机关。" in squashed
    assert f"根据{CONFIRMED_ENERGY_CITED}" in squashed
    for directive in ("通知", "十五日内", "落实核减", "行政复议", "行政诉讼"):
        assert directive not in squashed, directive
    assert check("energy_cut", text, number=document.number) == []


def test_a_new_projects_energy_cut_cites_the_1283_notice_for_the_double_count(case):
    party = case.parties.exclude(
        pk__in=case.calculations.filter(kind=CaseCalculation.Kind.ENERGY).values("party")
    ).first()
    assert party is not None
    calc = policy_calc.energy_budget_cut(
        1_000_000, load_pack(case.pack).settings, coefficient="calorific", new_project=True
    )
    CaseCalculation.objects.create(
        case=case,
        party=party,
        kind=CaseCalculation.Kind.ENERGY,
        pack=case.pack,
        inputs={"kwh": 1_000_000, "new_project": True},
        output=calc.as_dict(),
        kwh=1_000_000,
        tce=calc.result["tce"],
        created_by=case.lead_officer,
    )
    confirm_energy_cut_basis(case)
    text = docx_text(bytes(document_issue(actor="test", case=case, kind="energy_cut", party=party).docx))
    assert (
        f"根据{CONFIRMED_ENERGY_CITED}和《国家发展改革委等部门关于整治虚拟货币“挖矿”活动的通知》"
        "（发改运行〔2021〕1283号），上述“挖矿”活动的用电量折算为能耗，新增项目能耗加倍计入" in text
    )
    assert "245.8吨标准煤" in text  # 122.9 tce × 2
    assert "1283号" not in text.split("折标依据：", 1)[1]  # the doubling is no conversion factor


def test_no_energy_cut_notice_rests_on_an_article_the_pack_marks_as_awaiting_the_legal_office(case):
    """The notice cited 《节约能源法》第六条 of its own accord, while the pack marks the basis of 核减能耗预算指标
    as 用能预算管理的具体依据待法制审核确认 and the 处理决定书 of that measure is refused for it. Its basis is now
    the pack's: refused while pending, as the 处理决定书 is, nothing issued or numbered."""
    from minesweep.documents.numbering import act_for

    calc = case.calculations.get(kind=CaseCalculation.Kind.ENERGY)
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="energy_cut")
    assert refused.value.code == "documents.basis_pending"
    assert (
        "《中华人民共和国节约能源法》" in refused.value.message_zh
        and "待法制审核确认" in refused.value.message_zh
    )
    assert "energy-budget cut letter" in refused.value.message_en
    assert not IssuedDocument.objects.filter(case=case, kind="energy_cut").exists()
    assert act_for(kind="energy_cut", target=f"calculation:{calc.pk}") is None


def test_no_energy_cut_notice_where_the_pack_names_no_basis_for_the_cut(case):
    """A pack without the measure (or with no statute for it) gives the notice nothing to rest on: no article
    is supplied in its place."""
    for measure in case.determination.measures.all():
        measure.actions = [a for a in measure.actions if a.get("code") != "energy_quota_cut"]
        measure.save(update_fields=["actions"])
    case.pack = "national_1283"  # its rules have no 核减能耗预算指标
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="energy_cut")
    assert refused.value.code == "documents.no_energy_cut_basis"
    assert not IssuedDocument.objects.filter(case=case, kind="energy_cut").exists()


def test_no_energy_cut_notice_before_the_facts_pass_review(case):
    """The notice states the facts as found: while the determination is not approved it is refused and
    nothing is issued or numbered."""
    Determination.objects.filter(case=case).update(status=Determination.Status.SUBMITTED)
    case.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="energy_cut")
    assert refused.value.code == "documents.energy_cut_not_determined"
    assert "事实未经认定" in refused.value.message_zh and "not yet found" in refused.value.message_en
    assert not IssuedDocument.objects.filter(case=case, kind="energy_cut").exists()


def test_the_filing_form_rests_on_what_was_known_when_the_case_was_filed(case):
    """The filing form is the case authority's, of the filing day. The determination came later, so its
    measures' statutes — other organs' powers among them (the 能源局's 电力法第七十一条, the grid company's
    供电营业规则, the 文化 department's 网吧 regulation) — are no part of its basis; nor is a statute the pack
    marks 待法制审核确认 (节约能源法 for the budget cut)."""
    assert case.determination.measures.filter(struck=False).exists()
    text = _squash(docx_text(bytes(document_issue(actor="test", case=case, kind="filing").docx)))
    basis = text[text.index("四、受理核查依据") : text.index("承办人")]
    assert basis.startswith("四、受理核查依据依据") and "建议受理核查。" in basis
    for foreign in ("电力法", "供电营业规则", "互联网上网服务营业场所管理条例", "节约能源法"):
        assert foreign not in basis


def test_an_organ_without_penalty_power_accepts_a_case_and_one_with_it_files_it(case, monkeypatch):
    """行政处罚法第十七条、第二十二条: filing a penalty case (行政处罚立案) presupposes the filing organ's own
    penalty power; 第五十四条 is the procedure. The 发改委 holds only measures that are not penalties in the
    pack: its form is a 案件受理（核查）审批表 resting on those measures' basis (1283号), never on 第五十四条 and
    never a 立案. A case authority the pack gives a penalty power over the conduct (the 电力管理部门: 电力法
    第七十一条) files a 立案审批表 citing 第五十四条 with that power."""
    import dataclasses

    from minesweep.documents import context

    issued = document_issue(actor="test", case=case, kind="filing")
    text = _squash(docx_text(bytes(issued.docx)))
    assert text.count(ACCEPTANCE_TITLE) == 1 and "第五十四条" not in text and "立案" not in text
    assert "发改运行〔2021〕1283号" in text[text.index("四、受理核查依据") :]
    assert check("filing", text, number=issued.number) == []

    real = context.load_pack
    monkeypatch.setattr(
        context,
        "load_pack",
        lambda name: dataclasses.replace(real(name), case_authority="power_administration"),
    )
    ground = context.filing_ground(case)
    assert ground.penalty and ground.title == KINDS["filing"].title and ground.act == "立案"
    assert ground.basis.startswith("《中华人民共和国行政处罚法》第五十四条、")
    assert "《中华人民共和国电力法》第七十一条" in ground.basis


@pytest.mark.parametrize(
    ("language", "title", "filing"),
    [
        ("zh-hans", ACCEPTANCE_TITLE, "立案审批表"),
        ("en", "Case acceptance (check) approval form", "Case filing"),
    ],
)
def test_the_case_page_names_an_acceptance_form_as_it_is_titled(
    case, client_for, baotou_investigator, language, title, filing
):
    """The 发改委's form is a 案件受理（核查）审批表 (no penalty power): the numbers' list and the timeline call it
    that, never 立案审批表 — a 行政处罚立案 the paper does not make."""
    issued = document_issue(actor="test", case=case, kind="filing")
    assert ACCEPTANCE_TITLE in docx_text(bytes(issued.docx))
    client = client_for(baotou_investigator)
    client.post("/i18n/setlang/", {"language": language})
    page = client.get(f"/documents/case/{case.pk}/").content.decode()
    rows = [row for row in page.split("<tr>") if issued.number in row]
    assert len(rows) == 2 and all(title in row and filing not in row for row in rows)


@pytest.mark.parametrize(
    ("language", "title"),
    [("zh-hans", ACCEPTANCE_TITLE), ("en", "Case acceptance (check) approval form")],
)
def test_an_acceptance_form_is_offered_by_its_title_and_numbered_apart_from_filings(
    case, client_for, baotou_investigator, language, title
):
    """The 发改委 accepts and checks a case, it files no 行政处罚立案 (行政处罚法第十七条): its form was offered as a
    立案审批表 before it was issued and numbered 包发改立〔2026〕N号. The picker names it by the title it will bear;
    its 文号 bears 受, in a sequence of its own (no 立 number is used up); an act numbered before keeps its
    number."""
    from minesweep.documents.models import Act, NumberCounter

    client = client_for(baotou_investigator)
    client.post("/i18n/setlang/", {"language": language})
    page = client.get(f"/documents/case/{case.pk}/").content.decode()
    picker = re.search(r'<select id="kind".*?</select>', page, re.S)
    assert picker
    offered = dict(re.findall(r'<option value="([a-z_]+)">(.*?)</option>', picker.group(0)))
    assert offered["filing"] == title  # not 立案审批表 / Case filing approval form

    issued = document_issue(actor="test", case=case, kind="filing")
    assert issued.number == "包发改受〔2026〕1号" and issued.number in docx_text(bytes(issued.docx))
    assert not NumberCounter.objects.filter(prefix="包发改立").exists()
    # An acceptance form numbered 立 before keeps its number, re-rendered or not.
    Act.objects.filter(pk=issued.act_id).update(number="包发改立〔2026〕3号")
    again = document_issue(actor="test", case=case, kind="filing", reissue=True, reason="更正")
    assert again.number == "包发改立〔2026〕3号" and again.act_id == issued.act_id


def test_the_case_page_names_the_articles_to_confirm_under_each_document(
    case, client_for, baotou_investigator
):
    """The penalty decision cites 电力供应与使用条例第三十一条、第四十一条, which the pack marks unconfirmed: the
    timeline says so under that document, the 立案审批表 (行政处罚法 only) carries no such mark."""
    cafe = case.parties.get(category="internet_cafe")
    document_issue(actor="test", case=case, kind="filing")
    document_issue(actor="test", case=case, kind="decision", party=cafe)
    page = client_for(baotou_investigator).get(f"/documents/case/{case.pk}/").content.decode()
    assert "条号待核实：" in page
    rows = {row.split("</td>")[1]: row for row in page.split("<tr>") if "条号待核实</span>" in row}
    assert [number for number in rows if "罚" in number] and not [n for n in rows if "受" in n]
    decision_row = next(row for number, row in rows.items() if "罚" in number)
    # jsonb (PostgreSQL) keeps the fields in its own key order: both articles, in either order
    assert (
        "《电力供应与使用条例》第三十一条" in decision_row
        and "《电力供应与使用条例》第四十一条" in decision_row
    )


def test_a_letter_to_the_grid_company_asks_a_company_not_an_organ(case):
    """电力法第二十九条: a 供电企业 may interrupt supply for 违法用电 — as a company. It holds no 职权, so the
    letter asks 贵公司 what it does under the law; the same letter to an organ keeps 贵机关 and 职权."""
    track = case.tracks.filter(kind="other_authority", authority="grid_company").first()
    assert track is not None and track.letter_on  # sent by the fixture, like every other advice
    letter = _squash(
        docx_text(
            bytes(
                document_issue(
                    actor="test", case=case, kind="proposal", party=track.party, addressee="grid_company"
                ).docx
            )
        )
    )
    assert "下列事项由贵公司依法办理，本机关不代为作出决定。建议贵公司依法处理：" in letter
    assert "贵机关" not in letter and "职权" not in letter
    assert check("proposal", letter, number=re.search(r"包发改建〔2026〕\d+号", letter)[0]) == []


def test_a_letter_asks_each_action_once_when_both_packs_propose_it(make_staff, liaisons, baotou_investigator):
    """八项措施第二条 and 1283号 both propose 取消税收优惠 for a cloud company enjoying a tax preference: the
    建议函 to the tax bureau, drawn from the party's measures before its letter was sent, asked
    "取消税收优惠；取消税收优惠". Each action is asked once, in the order first proposed, and both packs'
    bases stay cited."""
    from minesweep.accounts.roles import Role
    from minesweep.cases.scenarios import Crew, PartySpec, run
    from minesweep.documents.context import prepare
    from minesweep.registry.uscc import make_uscc

    from .conftest import FILED, lead_for

    crew = Crew(
        baotou_investigator,
        make_staff("second_twice", Role.INVESTIGATOR, "150200"),
        make_staff("reviewer_twice", Role.INVESTIGATOR, "150200", legal_reviewer=True),
        liaisons,
    )
    cloud = PartySpec(
        "包头某云计算有限公司",
        "big_data_or_cloud",
        "host",
        ("mining_confirmed",),
        make_uscc("9", "1", "150207", "MA0T0003"),
        holdings=("power_account", "project", "tax_preference"),
        address="包头市九原区某云计算产业园",
    )
    case = run(crew, lead_for("150207"), to="legal_review", filed_on=FILED, parties=(cloud,))
    party = case.parties.get()
    proposed = [a for m in party.measures.all() for a in m.actions if a["code"] == "cancel_tax_preferences"]
    assert len(proposed) == 2  # one per pack
    fields = prepare(case, "proposal", party, "tax_authority").fields
    assert fields["requests"] == "取消税收优惠"
    assert "八项措施（征求意见稿）》第二条" in fields["policy_context"]
    assert "（发改运行〔2021〕1283号）" in fields["policy_context"]
    issued = document_issue(actor="test", case=case, kind="proposal", party=party, addressee="tax_authority")
    text = _squash(docx_text(bytes(issued.docx)))
    assert text.count("取消税收优惠") == 1 and "建议贵机关依法处理：取消税收优惠。" in text
    assert check("proposal", text, number=issued.number) == []


def _filed_from(lead, investigator, second):  # type: ignore[no-untyped-def]
    from minesweep.cases import services as case_services

    case_services.lead_verification_start(actor=investigator, lead=lead)
    return case_services.lead_file(
        actor=investigator, lead=lead, reason="核查属实：现场发现矿机40台", second_officer=second
    )


def _brief_facts_section(case) -> str:  # type: ignore[no-untyped-def]
    text = _squash(docx_text(bytes(document_issue(actor="test", case=case, kind="filing").docx)))
    return text[text.index("二、简要案情") + len("二、简要案情") : text.index("三、受理核查理由")]


def test_the_filing_form_states_facts_never_the_notice_that_the_report_is_sealed(
    make_staff, baotou_investigator, intake_officer
):
    """A lead converted from a public report carries, as its summary, the officers' notice that the reporter's
    words are sealed in the report. The 立案审批表 printed it as 简要案情; it now says where the facts are. A
    lead whose summary states facts keeps them."""
    from minesweep.accounts.roles import Role
    from minesweep.registry.models import Division
    from minesweep.reports.services import report_convert, report_submit

    from .conftest import lead_for

    second = make_staff("second_150200", Role.INVESTIGATOR, "150200")
    filed = report_submit(
        channel="web",
        category="mining_enterprise",
        division=Division.objects.get(code="150207"),
        content={"description": "厂房里日夜有风扇声"},
    )
    from_report = _filed_from(
        report_convert(actor=intake_officer, report=filed.report), baotou_investigator, second
    )
    assert "加密保存" in from_report.lead.summary  # the lead page's notice, as stored
    assert _brief_facts_section(from_report) == "本案线索来源于群众举报，举报内容及核查材料详见案卷。"
    text = docx_text(bytes(IssuedDocument.objects.get(case=from_report, kind="filing").docx))
    assert "加密保存" not in text and "查看将记入审计" not in text and "核查属实：现场发现矿机40台" in text
    officers = _filed_from(lead_for("150207"), baotou_investigator, second)
    assert _brief_facts_section(officers) == "群众举报网吧夜间机器轰鸣、用电异常"


#: Acts served on the party: they name its address and are served there (行政处罚法第五十九条第一款第（一）项,
#: 第六十一条). Internal forms are not served and need none.
SERVED_ON_THE_PARTY = ("notice", "hearing_notice", "decision", "service_receipt", "measure_letter")
INTERNAL_FORMS = ("legal_review", "discussion", "hearing_record")


def _issued_counts():  # type: ignore[no-untyped-def]
    from minesweep.documents.models import Act

    return IssuedDocument.objects.count(), Act.objects.count(), AuditEvent.objects.count()


def test_no_act_is_served_on_a_party_whose_address_is_not_recorded(case):
    """The decision, the notice and the 处理决定书 printed "住所（地址）：（住所不详）", and the 送达回证 "送达地点：
    （住所不详）": an act that names no address cannot be served (第六十一条) nor meets 第五十九条. Each is refused
    with its reason in each language, nothing is numbered or stored; the internal forms still issue."""
    from minesweep.cases.models import CaseParty

    cafe = case.parties.get(category="internet_cafe")
    assert case.tracks.filter(party=cafe, kind="measure").exclude(letter_on=None).exists()
    CaseParty.objects.filter(pk=cafe.pk).update(address="")
    before = _issued_counts()
    for kind in SERVED_ON_THE_PARTY:
        with pytest.raises(DomainError) as refused:
            document_issue(actor="test", case=case, kind=kind, party=cafe)
        error = refused.value
        assert error.code == "documents.party_address_missing", kind
        assert (
            cafe.name in error.message_zh
            and "住所" in error.message_zh
            and KINDS[kind].zh in error.message_zh
        )
        english = error.message_en.replace(cafe.name, "")
        assert "address" in english and not re.search(r"[\u4e00-\u9fff]", english)
    assert _issued_counts() == before  # nothing numbered, stored or logged
    for kind in INTERNAL_FORMS:
        text = docx_text(bytes(document_issue(actor="test", case=case, kind=kind, party=cafe).docx))
        assert cafe.name in text


def test_a_business_is_named_with_its_credit_code_and_a_person_needs_none(case):
    """A business bears a 统一社会信用代码 once registered: the café's decision without it printed "统一社会信用代码：—"
    for a firm, so it is refused; a natural person is named by name and address, and a park's 管委会 (an organ)
    is not presumed to be a business."""
    from minesweep.cases.models import CaseParty

    cafe = case.parties.get(category="internet_cafe")
    CaseParty.objects.filter(pk=cafe.pk).update(identifier="")
    before = _issued_counts()
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=case, kind="decision", party=cafe)
    assert (
        refused.value.code == "documents.party_uscc_missing"
        and "统一社会信用代码" in refused.value.message_zh
    )
    assert _issued_counts() == before
    from minesweep.documents.context import uscc_required

    assert [
        uscc_required(CaseParty(name="x", category=category))
        for category in ("internet_cafe", "enterprise", "individual", "public_official", "industrial_park")
    ] == [True, True, False, False, False]


def test_the_checker_refuses_an_act_served_on_an_unknown_address():
    problems = check(
        "service_receipt", "送达文书：某决定书（包能源罚〔2026〕1号）\n送达地点：（住所不详）", number=""
    )
    assert any("住所" in p.detail for p in problems)


ADDRESSED_KINDS = ("notice", "hearing_notice", "decision", "measure_letter")


def test_an_act_addresses_an_organisation_as_you_unit_and_a_person_as_you(case):
    """The acts said "你（单位）" throughout, also to 张某: 你单位 for an organisation, 你 for a natural person. The
    café as an organisation, then as the person who runs it (the category says which the party is)."""
    from minesweep.cases.models import CaseParty

    cafe = case.parties.get(category="internet_cafe")
    for kind in ADDRESSED_KINDS:
        text = _squash(docx_text(bytes(document_issue(actor="test", case=case, kind=kind, party=cafe).docx)))
        assert "你单位" in text and "你（单位）" not in text, kind
    assert "本机关决定对你单位作出如下行政处罚" in _squash(
        docx_text(bytes(document_issue(actor="test", case=case, kind="decision", party=cafe).docx))
    )
    CaseParty.objects.filter(pk=cafe.pk).update(category="individual", identifier="")
    cafe.refresh_from_db()
    texts = {
        kind: _squash(
            docx_text(
                bytes(
                    document_issue(
                        actor="test", case=case, kind=kind, party=cafe, reissue=True, reason="当事人为自然人"
                    ).docx
                )
            )
        )
        for kind in ADDRESSED_KINDS
    }
    for kind, text in texts.items():
        assert "你单位" not in text and "你（单位）" not in text and "你" in text, kind
    assert "本机关决定对你作出如下行政处罚" in texts["decision"] and "你的上述行为违反了" in texts["decision"]
    assert "你存在下列情形" in texts["measure_letter"]


def test_a_listing_addresses_a_person_as_you(case):
    """The 拟列入告知书 and the 列入决定书 likewise: 你单位 for the café, 你 once the listed party is a person."""
    cafe = case.parties.get(category="internet_cafe")
    listing = ListingRecord.objects.get(case_number=case.number, decision__party=cafe)
    for kind in ("credit_notice", "credit_listing"):
        text = _squash(docx_text(bytes(document_issue(actor="test", case=case, kind=kind, party=cafe).docx)))
        assert "你单位" in text and "你（单位）" not in text, kind
    ListingRecord.objects.filter(pk=listing.pk).update(subject_kind="individual")
    text = _squash(
        docx_text(
            bytes(
                document_issue(
                    actor="test", case=case, kind="credit_notice", party=cafe, reissue=True, reason="自然人"
                ).docx
            )
        )
    )
    assert "拟将你列入失信主体名单" in text and "你单位" not in text and "你（单位）" not in text


def test_the_checker_refuses_you_or_your_unit():
    assert "address_form" in {p.rule for p in check("notice", "你（单位）享有陈述、申辩的权利。", number="")}
    assert "address_form" not in {p.rule for p in check("notice", "你单位享有陈述、申辩的权利。", number="")}


def test_every_deadline_printed_as_a_day_says_the_day_is_included(case):
    """ "五个工作日内（即2026年10月9日前）" can be read as ending on the 8th: the 告知书, the 拟列入告知书 and the
    立案审批表 say each last day is included, with the day the case records."""
    cafe = case.parties.get(category="internet_cafe")
    notice = case.notices.get(party=cafe)
    listing = ListingRecord.objects.filter(case_number=case.number).order_by("pk").first()
    assert listing is not None
    wanted = {
        "notice": [
            f"五个工作日内（即{cn_date(notice.defence_deadline)}前，含当日）",
            f"五个工作日内（即{cn_date(notice.hearing_request_deadline)}前，含当日）向本机关提出",
        ],
        "credit_notice": [f"个工作日内（即{cn_date(listing.objection_deadline)}前，含当日）"],
        "filing": [f"{cn_date(case.decision_due)}前（含当日）作出处理决定"],  # 办理期限 or 办案期限
    }
    for kind, said in wanted.items():
        party = None if kind == "filing" else cafe
        text = _squash(docx_text(bytes(document_issue(actor="test", case=case, kind=kind, party=party).docx)))
        assert all(s in text for s in said), (kind, text)
        assert not re.search(r"即\d{4}年\d{1,2}月\d{1,2}日前(?!，含当日|（含当日）)", text), kind
    problems = check("notice", "应当于五个工作日内（即2026年10月9日前）提出。", number="")
    assert "deadline" in {p.rule for p in problems}


def test_the_decision_states_the_fines_payment_period_before_and_after_service(case):
    """行政处罚法第六十七条第三款: 自收到行政处罚决定书之日起十五日内. Once served the decision printed the date computed
    from service ("缴纳期限：2026年10月12日") and before service the period: the act must read the same whenever it is
    rendered, the computed date staying in the case record (as the remedies, 3441ab6)."""
    from minesweep.cases.models import Decision

    decision = case.decisions.get(party__category="internet_cafe")
    assert (
        decision.served_on and decision.payment_deadline
    )  # the scenario served it: the record keeps the date
    due = decision.payment_deadline
    Decision.objects.filter(pk=decision.pk).update(payment_deadline=None)
    first = document_issue(actor="test", case=case, kind="decision", party=decision.party)
    before = _squash(docx_text(bytes(first.docx)))
    Decision.objects.filter(pk=decision.pk).update(payment_deadline=due)
    after = _squash(
        docx_text(
            bytes(
                document_issue(
                    actor="test",
                    case=case,
                    kind="decision",
                    party=decision.party,
                    reissue=True,
                    reason="送达后",
                ).docx
            )
        )
    )
    for text in (before, after):
        assert "缴纳期限：自收到本决定书之日起十五日内；" in text
        assert cn_date(due) not in text
        assert check("decision", text, number=first.number) == []
    dated = before.replace("缴纳期限：自收到本决定书之日起十五日内", f"缴纳期限：{cn_date(due)}")
    assert "缴纳期限（自收到之日起十五日内）" in {
        p.detail for p in check("decision", dated, number=first.number)
    }


def test_the_credit_notice_gives_the_objection_window_and_the_listing_decisions_remedies(case):
    """国办发〔2020〕49号: the party is told before it is listed and may object; the 救济措施 are stated in the
    listing decision. The notice is a step before that decision (法释〔2018〕1号第一条第二款第（六）项), so it gives
    the objection right with its window, and says review and suit lie against the listing decision, with that
    decision's review organ and court (the pack's credit office) and its periods from receipt — never the
    bare "可以依法申请行政复议或者提起行政诉讼" with no organ or period."""
    from minesweep.policy.packs import authority_for

    cafe = case.parties.get(category="internet_cafe")
    listing = ListingRecord.objects.get(case_number=case.number, decision__party=cafe)
    issued = document_issue(actor="test", case=case, kind="credit_notice", party=cafe)
    text = _squash(docx_text(bytes(issued.docx)))
    assert f"个工作日内（即{cn_date(listing.objection_deadline)}前，含当日）" in text and "提出异议" in text
    office = authority_for(load_pack(case.pack), case.division_id, "credit_office")
    assert office.review_body and office.review_body in listing.remedies  # the decision's organ …
    assert (
        f"对列入决定不服的，可以自收到列入决定书之日起六十日内向{office.review_body}申请行政复议，"
        "或者自收到列入决定书之日起六个月内向" in text  # … is the one the notice names
    )
    assert "可以依法申请行政复议或者提起行政诉讼" not in text
    assert check("credit_notice", text, number=issued.number) == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_issue_form_offers_only_what_the_case_can_have_now_and_says_why_not_the_rest(
    make_staff, liaisons, baotou_investigator, client_for, language
):
    """A case just filed has its filing form and nothing that rests on a notice, a hearing or a decision:
    the picker offers exactly the kinds the issuing service accepts now, and lists the others with the
    service's own reason, in the page's language."""
    from minesweep.accounts.roles import Role
    from minesweep.cases.scenarios import Crew, run
    from minesweep.documents.context import DocumentError, prepare

    from .conftest import FILED, lead_for

    crew = Crew(
        baotou_investigator,
        make_staff("second_fresh", Role.INVESTIGATOR, "150200"),
        make_staff("reviewer_fresh", Role.INVESTIGATOR, "150200", legal_reviewer=True),
        liaisons,
    )
    fresh = run(crew, lead_for("150207"), to="investigating", filed_on=FILED)
    accepted = set()
    for code in KINDS:
        try:
            prepare(fresh, code)
        except DocumentError:
            continue
        accepted.add(code)
    assert "filing" in accepted and not {"notice", "hearing_notice", "decision", "service_receipt"} & accepted
    client = client_for(baotou_investigator)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    page = client.get(f"/documents/case/{fresh.pk}/").content.decode()
    picker = re.search(r'<select id="kind".*?</select>', page, re.S)
    assert picker
    assert set(re.findall(r'<option value="([a-z_]+)"', picker.group(0))) == accepted
    not_yet = re.search(r'<details id="kinds-not-yet".*?</details>', page, re.S)
    assert not_yet
    listed = dict(re.findall(r'<li data-kind="([a-z_]+)">(.*?)</li>', not_yet.group(0), re.S))
    assert set(listed) == set(KINDS) - accepted
    english = language == "en"
    assert ("Notice of intended penalty" if english else "行政处罚事先告知书") in listed["notice"]
    response = client.post(f"/documents/case/{fresh.pk}/issue/", {"kind": "notice"}, follow=True)
    refused = " ".join(str(m) for m in response.context["messages"])
    assert refused and refused in unescape(listed["notice"])  # the service's own words
    assert bool(re.search(r"[\u4e00-\u9fff]", refused)) != english
    assert not IssuedDocument.objects.filter(case=fresh).exists()
