"""The default DOCX templates, written from the block lists below (``minesweep case templates --out DIR``
writes them for an administrator to edit; the shipped copies live in ``doc_templates/``).

Template rules (also in ``doc_templates/README.md``): ``{{field}}`` anywhere in a paragraph or table cell
is replaced by the field's text; a paragraph holding only ``{{table:NAME}}`` becomes a table. A field the
document does not know is refused with its name, so a typo in an edited template cannot go out unnoticed.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from minesweep.documents.kinds import KINDS

Block = tuple[str, str]  # (style, text): title, number, heading, para, right, table
HEAD: list[Block] = [("authority", "{{authority}}"), ("title", "{{kind_title}}"), ("number", "{{number}}")]
PARTY: list[Block] = [
    ("para", "当事人：{{party_name}}"),
    ("para", "统一社会信用代码/证件号码：{{party_identifier}}"),
    ("para", "住所（地址）：{{party_address}}"),
    ("para", "法定代表人（负责人）：{{legal_representative}}"),
]
SIGN: list[Block] = [("right", "{{authority}}"), ("right", "{{issued_on}}"), ("right", "（印章）")]

SPECS: dict[str, list[Block]] = {
    "filing": [
        *HEAD,
        ("para", "案件编号：{{case_number}}　　案由：{{case_title}}"),
        ("para", "线索编号：{{lead_number}}　　线索来源：{{lead_source}}　　受理日期：{{received_on}}"),
        ("heading", "当事人基本情况"),
        ("table", "{{table:parties}}"),
        ("heading", "简要案情"),
        ("para", "{{lead_summary}}"),
        ("heading", "立案理由"),
        ("para", "{{filing_reason}}"),
        ("heading", "立案依据"),
        ("para", "{{basis}}"),
        ("para", "承办人：{{lead_officer}}、{{second_officer}}（执法人员不少于两人）"),
        ("para", "立案日期：{{filed_on}}　　办案期限：{{decision_due}}前作出处理决定（行政处罚法第六十条）"),
        ("heading", "审批意见"),
        ("para", "同意立案。　　负责人签字：＿＿＿＿＿＿　　日期：{{filed_on}}"),
    ],
    "notice": [
        *HEAD,
        *PARTY,
        ("para", "本机关在办理{{case_title}}一案（案件编号 {{case_number}}）中查明："),
        ("para", "{{findings}}"),
        ("para", "依据{{basis}}，本机关拟对你（单位）作出如下行政处罚：{{intended_penalty}}。"),
        (
            "para",
            "根据《中华人民共和国行政处罚法》第四十四条、第四十五条，你（单位）享有陈述、申辩的权利，"
            "可在{{defence_deadline}}前向本机关提出陈述、申辩意见；逾期未提出的，视为放弃上述权利。",
        ),
        ("para", "{{hearing_right}}。"),
        ("para", "本告知书于{{served_on}}送达。"),
        *SIGN,
    ],
    "decision": [
        *HEAD,
        *PARTY,
        ("heading", "一、违反法律、法规、规章的事实和证据"),
        ("para", "{{facts_and_evidence}}"),
        ("heading", "二、行政处罚的种类和依据"),
        ("para", "{{penalty_and_basis}}"),
        ("para", "罚款金额：{{fine}}。"),
        ("heading", "三、行政处罚的履行方式和期限"),
        (
            "para",
            "{{compliance}}缴纳期限：{{payment_deadline}}。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款"
            "（行政处罚法第七十二条）。",
        ),
        ("heading", "四、申请行政复议、提起行政诉讼的途径和期限"),
        ("para", "{{appeal_route}}行政复议期限：{{appeal_deadline}}；行政诉讼期限：{{lawsuit_deadline}}。"),
        ("heading", "五、作出行政处罚决定的行政机关名称和作出决定的日期"),
        ("para", "作出决定的行政机关：{{authority}}；作出决定的日期：{{decided_on}}。"),
        ("para", "（案件编号 {{case_number}}；决定记录 {{source_number}}）"),
        ("right", "{{authority}}"),
        ("right", "{{decided_on}}"),
        ("right", "{{seal}}"),
    ],
    "police_referral": [
        *HEAD,
        ("para", "{{receiving_organ}}："),
        (
            "para",
            "本机关在查处{{case_title}}一案（案件编号 {{case_number}}）中，发现{{party_name}}"
            "（{{party_identifier}}，住所：{{party_address}}）涉嫌犯罪：{{grounds}}。{{theft_summary}}。",
        ),
        (
            "para",
            "根据{{basis}}，经本机关负责人于{{decided_on}}批准，现将该案移送你局，请依法审查，"
            "并于收到之日起三日内作出立案或者不予立案的决定，书面告知本机关。",
        ),
        ("para", "随附材料：{{documents_sent}}。"),
        ("heading", "涉案物品及证据清单"),
        ("table", "{{table:exhibits}}"),
        ("para", "移送日期：{{transferred_on}}（收到移送报告之日：{{reported_on}}）"),
        *SIGN,
    ],
    "discipline_referral": [
        *HEAD,
        ("para", "{{receiving_organ}}："),
        (
            "para",
            "本机关在查处{{case_title}}一案（案件编号 {{case_number}}）中，发现公职人员{{party_name}}"
            "涉嫌参与、纵容或者包庇虚拟货币“挖矿”活动：{{grounds}}。",
        ),
        (
            "para",
            "根据{{basis}}，现将有关问题线索及材料移送你机关依规依纪依法处理，并请将处理结果函告本机关。",
        ),
        ("heading", "随附证据清单"),
        ("table", "{{table:exhibits}}"),
        ("para", "移送日期：{{transferred_on}}"),
        *SIGN,
    ],
    "credit_listing": [
        *HEAD,
        *PARTY,
        (
            "para",
            "本机关于{{notified_on}}向你（单位）告知了拟列入失信主体名单的事由、依据及依法享有的权利，"
            "异议期至{{objection_deadline}}。经审查，决定如下：",
        ),
        ("heading", "一、列入事由"),
        ("para", "{{reason}}"),
        ("heading", "二、列入依据"),
        ("para", "{{basis}}（认定决定书文号：{{decision_number}}；失信程度：{{severity}}）"),
        ("heading", "三、惩戒措施"),
        ("para", "{{sanctions}}"),
        ("heading", "四、公示期限"),
        ("para", "{{period}}"),
        ("heading", "五、移出条件和程序"),
        ("para", "{{removal_conditions}}"),
        ("heading", "六、救济途径"),
        ("para", "{{remedies}}"),
        *SIGN,
    ],
    "energy_cut": [
        *HEAD,
        ("para", "{{party_name}}、{{division_name}}人民政府（管委会）："),
        ("para", "经查，{{case_title}}（案件编号 {{case_number}}）中，{{findings}}"),
        ("para", "依据{{basis}}，对涉事主体所在地区核减能耗预算指标。核算过程如下："),
        ("table", "{{table:steps}}"),
        (
            "para",
            "核算用电量 {{kwh}} kWh，核减能耗预算指标 {{tce}} 吨标准煤（tce）。折标依据：{{calc_basis}}。",
        ),
        ("para", "请于收到本通知之日起十五日内落实核减，并将落实情况书面报送本机关。"),
        *SIGN,
    ],
    "suspension": [
        *HEAD,
        *PARTY,
        (
            "para",
            "经查，你（单位）在经营场所从事虚拟货币“挖矿”活动（案件编号 {{case_number}}）：{{findings}}",
        ),
        ("para", "依据{{basis}}，责令你（单位）停业整顿。"),
        ("para", "整顿要求：{{requirements}}。"),
        ("para", "如不服本通知，可依法申请行政复议或者提起行政诉讼。"),
        *SIGN,
    ],
}


def _font(run, size: float, bold: bool = False, face: str = "仿宋") -> None:  # type: ignore[no-untyped-def]
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, face
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), face)


def build(kind: str, path: Path) -> None:
    doc = Document()
    for style, text in SPECS[kind]:
        paragraph = doc.add_paragraph()
        run = paragraph.add_run(text)
        if style == "authority":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(run, 16, True, "宋体")
        elif style == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(run, 22, True, "宋体")
        elif style == "number":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(run, 14)
        elif style == "heading":
            _font(run, 14, True, "黑体")
        elif style == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(run, 14)
        else:
            _font(run, 14)
    doc.core_properties.title = KINDS[kind].zh
    doc.save(str(path))


def build_all(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in SPECS:
        path = directory / KINDS[kind].template
        build(kind, path)
        written.append(path)
    return written
