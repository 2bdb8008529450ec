"""How documents write money, citations and drafts (pure functions)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from minesweep.documents.context import clean_paper, mark_drafts, policy_cite
from minesweep.documents.wording import Citation, citations_in, cite, parse_citations, yuan, yuan_capital


@pytest.mark.parametrize(
    ("amount", "capital"),
    [
        ("50000", "人民币伍万元整"),
        ("1203.50", "人民币壹仟贰佰零叁元伍角"),
        ("10010", "人民币壹万零壹拾元整"),
        ("100200300", "人民币壹亿零贰拾万零叁佰元整"),
        ("10000001", "人民币壹仟万零壹元整"),
        ("2160000", "人民币贰佰壹拾陆万元整"),
        ("0.05", "人民币伍分"),
        ("0", "人民币零元整"),
    ],
)
def test_it_writes_money_in_chinese_capitals(amount, capital):
    assert yuan_capital(Decimal(amount)) == capital


def test_it_writes_decided_money_in_figures_and_capitals():
    assert yuan(50000) == "50,000.00元（大写：人民币伍万元整）"


def test_it_cites_each_law_once_with_its_articles_and_drops_what_is_not_a_statute():
    items = [
        "中华人民共和国电力法第七十一条；供电营业规则第一百零二条（追补电费，原文“等相关法规”）",
        {"law": "中华人民共和国电力法", "article": "第七十一条"},
        "有关法律法规和党内法规（追责问责）",
        "有关失信联合惩戒规定（国办发〔2020〕49号）",
        "中华人民共和国刑法（第二百六十四条 盗窃罪）",
    ]
    cited = [c for item in items for c in parse_citations(item)]
    assert cite(cited) == (
        "《中华人民共和国电力法》第七十一条、《供电营业规则》第一百零二条、《中华人民共和国刑法》第二百六十四条"
    )
    assert cite(
        [
            Citation("中华人民共和国行政处罚法", "第四十四条"),
            Citation("中华人民共和国行政处罚法", "第四十五条"),
        ]
    ) == ("《中华人民共和国行政处罚法》第四十四条、第四十五条")


def test_it_never_takes_a_draft_or_a_policy_notice_as_legal_basis():
    text = "责令停止违法行为，处罚款；依据《中华人民共和国电力法》第七十一条及《八项措施》。"
    assert cite(citations_in(text)) == "《中华人民共和国电力法》第七十一条"
    assert (
        mark_drafts("依据《八项措施》第八条")
        == "依据《关于坚决打击惩戒虚拟货币“挖矿”行为八项措施（征求意见稿）》第八条"
    )
    assert (
        policy_cite("八项措施（征求意见稿）第五条")
        == "《关于坚决打击惩戒虚拟货币“挖矿”行为八项措施（征求意见稿）》第五条"
    )


def test_it_cites_a_policy_document_by_its_title_then_its_number_where_the_title_is_known():
    """先引标题，后引发文字号: the 1283号 notice, whose official title its pack gives, by title and number; so
    the region's 115号, whose title its rule gives (``rules[].cited_as``); a document whose title no pack
    gives by its number alone, never a made-up title; a remark after the number does not make the document
    another."""
    from minesweep.documents.context import cited_policies

    notice = "《国家发展改革委等部门关于整治虚拟货币“挖矿”活动的通知》（发改运行〔2021〕1283号）"
    tariff = (
        "《内蒙古自治区发展和改革委员会 工业和信息化厅关于虚拟货币“挖矿”用电实行差别电价政策的通知》"
        "（内发改价费字〔2022〕115号）"
    )
    assert policy_cite("发改运行〔2021〕1283号") == notice
    assert policy_cite("内发改价费字〔2022〕115号") == tariff
    assert policy_cite("某发改字〔2023〕9号") == "某发改字〔2023〕9号"
    assert cited_policies(
        [
            "内发改价费字〔2022〕115号",
            "发改运行〔2021〕1283号",
            "发改运行〔2021〕1283号（按淘汰类执行差别电价）",
        ]
    ) == [tariff, notice]


def test_an_act_served_on_a_party_keeps_its_formal_policies_and_drops_the_drafts():
    from minesweep.documents.context import served_policy_note

    draft = "《关于坚决打击惩戒虚拟货币“挖矿”行为八项措施（征求意见稿）》第二条"
    assert (
        served_policy_note(f"{draft}、发改运行〔2021〕1283号", "参照")
        == "政策背景（参照）：发改运行〔2021〕1283号。"
    )
    assert served_policy_note(draft, "参照，不作为处罚依据") == ""
    assert (
        served_policy_note("《甲、乙办法》、《丙条例（草案）》", "参照")
        == "政策背景（参照）：《甲、乙办法》。"
    )


def test_it_keeps_internal_notes_off_paper():
    note = "电费核算达到刑事追诉标准（计算记录 #9）：窃电时间无法查明，按最低标准推定 / duration unknown: the statutory minimum is used"
    cleaned = clean_paper(note)
    assert "#" not in cleaned and "duration" not in cleaned and "计算记录" not in cleaned
    assert cleaned.startswith("电费核算达到刑事追诉标准")


def test_it_keeps_a_standards_number_whole_when_it_drops_the_english_half():
    """The energy-cut notice printed "折标依据：GB。": the slash of GB/T was taken for the start of an
    English note and the rest of the line dropped."""
    basis = "GB/T 2589-2020 综合能耗计算通则，电力当量值 0.1229 kgce/kWh"
    assert clean_paper(basis) == basis
    assert clean_paper("回头看发现问题反弹。/ A follow-up check found a relapse") == "回头看发现问题反弹。"
    assert clean_paper("已核实 / verified on site") == "已核实"


@pytest.mark.parametrize(
    ("typed", "penalty"),
    [
        (
            "拟依据《中华人民共和国电力法》第七十一条责令停止违法行为、追缴电费并处罚款",
            "拟责令停止违法行为、追缴电费并处罚款",
        ),
        (
            "责令停止违法行为，处罚款；依据《中华人民共和国电力法》第七十一条及《八项措施》。",
            "责令停止违法行为，处罚款",
        ),
    ],
)
def test_it_keeps_the_penalty_and_drops_a_typed_basis_clause(typed, penalty):
    from minesweep.documents.context import penalty_only

    assert penalty_only(typed) == penalty


def test_it_writes_a_small_count_in_chinese_numerals():
    from minesweep.documents.wording import cn_count

    assert [cn_count(n) for n in (5, 10, 15, 20, 99)] == ["五", "十", "十五", "二十", "九十九"]
    with pytest.raises(ValueError):
        cn_count(0)
