"""The default DOCX templates, written from the block lists below (``minesweep case templates --out DIR``
writes them for an administrator to edit; the shipped copies live in ``doc_templates/``).

Template rules (also in ``doc_templates/README.md``): ``{{field}}`` anywhere in a paragraph or table cell
is replaced by the field's text; a paragraph holding only ``{{table:NAME}}`` becomes a table. A field the
document does not know is refused with its name, so a typo in an edited template cannot go out unnoticed.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from minesweep.documents.kinds import KINDS

Block = tuple[str, str]  # (style, text): authority, title, number, heading, para, plain, right, table
HEAD: list[Block] = [("authority", "{{authority}}"), ("title", "{{kind_title}}"), ("number", "{{number}}")]
PARTY: list[Block] = [
    ("plain", "当事人：{{party_name}}"),
    ("plain", "统一社会信用代码（身份证件号码）：{{party_identifier}}"),
    ("plain", "住所（地址）：{{party_address}}"),
    ("plain", "法定代表人（负责人）：{{legal_representative}}"),
]
SIGN: list[Block] = [("right", "{{authority}}"), ("right", "（印章）"), ("right", "{{issued_on}}")]

SPECS: dict[str, list[Block]] = {
    "filing": [
        *HEAD,
        ("plain", "案件编号：{{case_number}}"),
        ("plain", "案由：{{case_title}}"),
        ("plain", "线索编号：{{lead_number}}　　线索来源：{{lead_source}}　　受理日期：{{received_on}}"),
        ("heading", "一、当事人基本情况"),
        ("table", "{{table:parties}}"),
        ("heading", "二、简要案情"),
        ("para", "{{lead_summary}}"),
        # {{act}}: 立案, or 受理核查 where the organ holds no penalty power (context.filing_ground; 行政处罚法
        # 第十七条、第二十二条); {{time_limit}} names 第六十条's ninety days only for a penalty case.
        ("heading", "三、{{act}}理由"),
        ("para", "{{filing_reason}}"),
        ("heading", "四、{{act}}依据"),
        ("para", "依据{{basis}}，建议{{act}}。政策依据（参照）：{{policy_context}}。"),
        ("para", "承办人：{{lead_officer}}、{{second_officer}}（执法人员不少于两人）。"),
        ("para", "{{time_limit}}。"),
        ("heading", "五、审批意见"),
        ("para", "同意{{act}}。"),
        ("plain", "负责人签字：＿＿＿＿＿＿　　日期：{{issued_on}}"),
        ("right", "{{authority}}"),
    ],
    "notice": [
        *HEAD,
        *PARTY,
        ("para", "本机关在办理{{case_title}}一案（案件编号{{case_number}}）中查明："),
        ("para", "{{findings}}"),
        ("para", "上述事实有下列证据证明："),
        ("table", "{{table:evidence}}"),
        (
            "para",
            # 行政处罚法第四十四条: the provision violated (违法依据) and the one grounding the penalty (处罚依据).
            "{{party_you}}的上述行为违反了{{violated}}的规定。依据{{basis}}，本机关拟对{{party_you}}作出如下行政处罚："
            "{{intended_penalty}}。",
        ),
        (
            "para",
            "根据《中华人民共和国行政处罚法》第四十四条、第四十五条，{{party_you}}享有陈述、申辩的权利。"
            "{{statement_route}}；逾期未提出的，视为放弃上述权利。",
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
        # 行政处罚法第五十九条: the facts with the provision violated, then the penalty with its own basis.
        ("para", "{{party_you}}的上述行为违反了{{violated}}的规定。{{criminal_proceedings}}"),
        ("heading", "二、陈述、申辩和听证情况"),
        ("para", "{{statement_handling}}"),
        ("heading", "三、行政处罚的种类和依据"),
        (
            "para",
            "依据{{basis}}，本机关决定对{{party_you}}作出如下行政处罚：{{penalty_and_basis}}。{{policy_note}}",
        ),
        ("para", "罚款金额：{{fine}}。"),
        ("heading", "四、行政处罚的履行方式和期限"),
        (
            "para",
            # 行政处罚法第六十七条第三款: a period from receipt, never the date computed on service (context._decision).
            "{{back_charge}}{{compliance}}缴纳期限：自收到本决定书之日起十五日内；缴款方式：{{payment_channel}}。"
            "到期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款，加处罚款的数额不超过罚款的数额"
            "（《中华人民共和国行政处罚法》第七十二条）。",
        ),
        ("heading", "五、申请行政复议、提起行政诉讼的途径和期限"),
        (
            "para",
            # Periods from receipt (行政复议法第二十条, 行政诉讼法第四十六条), never dates: the act reads the same
            # before and after service (context._decision).
            "如不服本决定，可以自收到本决定书之日起六十日内向{{review_body}}申请行政复议，"
            "或者自收到本决定书之日起六个月内向{{court}}提起行政诉讼。"
            "行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。",
        ),
        ("heading", "六、作出行政处罚决定的行政机关名称和作出决定的日期"),
        ("para", "作出决定的行政机关：{{authority}}；作出决定的日期：{{decided_on}}。"),
        ("right", "{{authority}}"),
        ("right", "{{seal}}"),
        ("right", "{{decided_on}}"),
    ],
    "police_referral": [
        *HEAD,
        ("plain", "{{receiving_organ}}："),
        (
            "para",
            "本机关在查处{{case_title}}一案（案件编号{{case_number}}）中，发现{{party_name}}"
            "{{party_details}}{{facts}}，{{crime}}。"
            "{{theft_summary}}。",
        ),
        (
            "para",
            "根据{{basis}}，经本机关正职负责人（或者主持工作的负责人）于{{decided_on}}批准，现将该案移送你局，请依法审查，"
            "并自接受之日起三日内作出立案或者不予立案的决定，书面告知本机关。",
        ),
        ("para", "附件：{{documents_sent}}。"),
        ("heading", "涉案物品及证据清单"),
        ("table", "{{table:exhibits}}"),
        *SIGN,
        ("plain", "抄送：{{procuratorate}}（附本移送书及有关材料目录）。"),
    ],
    "discipline_referral": [
        *HEAD,
        ("plain", "{{receiving_organ}}："),
        (
            "para",
            "本机关在查处{{case_title}}一案（案件编号{{case_number}}）中，发现公职人员{{party_name}}"
            "存在下列问题线索：{{facts}}。",
        ),
        (
            "para",
            "根据{{basis}}，现将有关问题线索及材料移送你委，请依规依纪依法处置，并将处置结果函告本机关。",
        ),
        ("heading", "随附证据清单"),
        ("table", "{{table:exhibits}}"),
        *SIGN,
    ],
    "credit_notice": [
        *HEAD,
        *PARTY,
        (
            "para",
            "本机关在办理{{case_title}}一案（案件编号{{case_number}}）中，拟将{{party_you}}列入失信主体名单。",
        ),
        ("heading", "一、拟列入事由"),
        ("para", "{{reason}}"),
        ("heading", "二、拟列入依据"),
        ("para", "{{basis_sentence}}。{{policy_note}}"),
        ("heading", "三、拟列入名单、惩戒措施和期限"),
        (
            "para",
            "失信程度：{{severity}}；拟采取的惩戒措施：{{sanctions}}；公示期限：{{period}}。{{removal_conditions}}。",
        ),
        ("heading", "四、{{party_you}}依法享有的权利"),
        (
            "para",
            "{{party_you}}享有陈述、申辩的权利，可以对拟列入提出异议。请自收到本告知书之日起"
            "{{objection_days}}个工作日内（即{{objection_deadline}}前，含当日），{{statement_route}}。"
            "本机关将对{{party_you}}提出的事实、理由和证据进行核实并书面答复；异议成立的，不予列入。"
            "逾期未提出的，视为放弃陈述、申辩的权利，本机关将依法作出决定。",
        ),
        # 国办发〔2020〕49号: the notice tells the party its right to object; the remedies lie against the
        # decision (行政复议法第二十条, 行政诉讼法第四十六条), whose organs and periods it names.
        (
            "para",
            "本告知书不是列入决定。本机关作出列入决定的，将向{{party_you}}送达列入决定书；{{party_you}}对列入决定不服的，"
            "可以自收到列入决定书之日起六十日内向{{review_body}}申请行政复议，"
            "或者自收到列入决定书之日起六个月内向{{court}}提起行政诉讼。",
        ),
        ("para", "本告知书于{{served_on}}送达。"),
        *SIGN,
    ],
    "credit_listing": [
        *HEAD,
        *PARTY,
        (
            "para",
            "本机关于{{notified_on}}{{notice_ref}}向{{party_you}}告知了拟列入失信主体名单的事由、依据及依法享有的权利，"
            "异议期至{{objection_deadline}}。{{objection_handling}}。经审查，决定如下：",
        ),
        ("heading", "一、列入事由"),
        ("para", "{{reason}}"),
        ("heading", "二、列入依据"),
        (
            "para",
            "{{basis_sentence}}；失信程度：{{severity}}。{{policy_note}}",
        ),
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
        ("plain", "{{division_name}}人民政府："),
        (
            "para",
            "本机关在查处{{case_title}}一案（案件编号{{case_number}}）中查明，{{subject}}在{{division_name}}"
            "辖区内从事或者支持虚拟货币“挖矿”活动。{{findings}}",
        ),
        (
            "para",
            "根据{{basis}}，上述“挖矿”活动的用电量折算为能耗，{{counted}}{{division_name}}能耗双控考核，"
            "并相应核减{{division_name}}能耗预算指标。核算过程如下：",
        ),
        ("table", "{{table:steps}}"),
        (
            "para",
            "核算用电量{{kwh}}kWh，核减能耗预算指标{{tce}}吨标准煤（tce）。折标依据：{{calc_basis}}。",
        ),
        # A 函 between organs not in a leading relationship (党政机关公文处理工作条例第八条（十四））: it asks the
        # county's government and requests an answer, never orders it (context._energy_cut).
        ("para", "请贵政府研究落实上述能耗预算指标核减事宜，并将落实情况函复本机关。"),
        *SIGN,
    ],
    "hearing_notice": [
        *HEAD,
        *PARTY,
        (
            "para",
            "{{party_you}}于{{requested_on}}就本机关{{notice_number}}行政处罚事先告知书提出听证申请。"
            "根据《中华人民共和国行政处罚法》第六十四条，本机关定于{{scheduled_on}}在{{place}}举行听证，"
            "由{{presiding_officer}}主持。",
        ),
        (
            "para",
            "{{party_you}}可以亲自参加听证，也可以委托一至二人代理；认为主持人与本案有直接利害关系的，"
            "有权申请回避。{{party_you}}无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利，"
            "本机关终止听证。",
        ),
        ("para", "本通知于{{notified_on}}发出（听证七日前）。"),
        *SIGN,
    ],
    "hearing_record": [
        ("authority", "{{authority}}"),
        ("title", "{{kind_title}}"),
        ("plain", "案件编号：{{case_number}}　　案由：{{case_title}}"),
        ("plain", "当事人：{{party_name}}"),
        ("plain", "听证时间：{{held_on}}　　地点：{{place}}"),
        ("plain", "主持人：{{presiding_officer}}　　调查人员：{{officers}}"),
        ("heading", "听证记录"),
        ("para", "{{record}}"),
        (
            "plain",
            "当事人（代理人）签名：＿＿＿＿＿＿　　主持人签名：＿＿＿＿＿＿　　记录人签名：＿＿＿＿＿＿",
        ),
        ("right", "{{issued_on}}"),
    ],
    "legal_review": [
        ("authority", "{{authority}}"),
        ("title", "{{kind_title}}"),
        ("plain", "案件编号：{{case_number}}　　案由：{{case_title}}"),
        ("plain", "当事人：{{parties}}"),
        (
            "para",
            "根据{{review_basis}}，法制审核人员{{reviewer}}于{{reviewed_on}}"
            "对本案拟作出的{{reviewed_act}}进行了审核（审核人员未参与本案调查）。",
        ),
        ("heading", "涉嫌犯罪移送情况"),
        ("para", "{{criminal_referrals}}"),
        ("heading", "审核意见"),
        ("para", "{{opinion}}"),
        ("para", "审核结论：{{outcome}}。"),
        ("plain", "法制审核人员签名：＿＿＿＿＿＿"),
        ("right", "{{reviewed_on}}"),
    ],
    "service_receipt": [
        ("authority", "{{authority}}"),
        ("title", "{{kind_title}}"),
        ("plain", "案件编号：{{case_number}}　　案由：{{case_title}}"),
        ("plain", "送达文书：{{served_document}}"),
        ("plain", "受送达人：{{party_name}}"),
        ("plain", "送达地点：{{party_address}}"),
        ("plain", "送达方式：{{service_method}}"),
        ("plain", "送达日期：{{served_on}}"),
        ("plain", "受送达人签名或者盖章：＿＿＿＿＿＿　　签收日期：＿＿年＿＿月＿＿日"),
        ("plain", "送达人签名：＿＿＿＿＿＿、＿＿＿＿＿＿"),
        ("plain", "备注：受送达人拒绝签收的，送达人应当注明情况，并邀请见证人签名。"),
        ("right", "{{authority}}"),
    ],
    "measure_letter": [
        *HEAD,
        *PARTY,
        (
            "para",
            "本机关在查处{{case_title}}一案（案件编号{{case_number}}）中查明，{{party_you}}存在下列情形：{{party_facts}}。",
        ),
        ("para", "{{findings}}"),
        ("para", "{{basis_sentence}}，本机关作出如下处理决定：{{measures}}。本决定不属于行政处罚。"),
        (
            "para",
            "如不服本决定，可以自收到本决定书之日起六十日内向{{review_body}}申请行政复议，"
            "或者自收到本决定书之日起六个月内向{{court}}提起行政诉讼。",
        ),
        *SIGN,
    ],
    "discussion": [
        ("authority", "{{authority}}"),
        ("title", "{{kind_title}}"),
        ("plain", "案件编号：{{case_number}}　　案由：{{case_title}}"),
        ("plain", "当事人：{{party_name}}"),
        ("plain", "讨论时间：{{held_on}}"),
        ("plain", "参加人员：{{participants}}"),
        (
            "para",
            "根据《中华人民共和国行政处罚法》第五十七条第二款，对情节复杂或者重大违法行为给予行政处罚，"
            "行政机关负责人应当集体讨论决定。",
        ),
        ("heading", "讨论情况"),
        ("para", "{{minutes}}"),
        ("heading", "讨论结论"),
        ("para", "{{conclusion}}"),
        ("plain", "参加人员签名：＿＿＿＿＿＿　　记录人签名：＿＿＿＿＿＿"),
        ("right", "{{held_on}}"),
    ],
    "proposal": [
        *HEAD,
        ("plain", "{{addressee}}："),
        (
            "para",
            "本机关在查处{{case_title}}一案（案件编号{{case_number}}）中查明，{{party_name}}"
            "{{party_details}}存在下列情形：{{party_facts}}。",
        ),
        ("para", "{{findings}}"),
        (
            "para",
            "{{power}}，本机关不代为作出决定。建议{{you}}依法处理：{{requests}}。",
        ),
        ("para", "政策背景（参照）：{{policy_context}}。"),
        ("para", "请将处理结果于收到本函之日起十五个工作日内函告本机关。"),
        *SIGN,
    ],
}

# GB/T 9704-2012: A4, top 37 mm, bottom 35 mm, left (binding) 28 mm, right 26 mm; body 3号 (16 pt) in
# FangSong, title 2号 (22 pt) in a Song face, level-1 headings in Hei, first line indented two characters,
# 22 lines a page (about 29 pt a line), page numbers 4号 (14 pt) "— 1 —" outside (odd right, even left).
BODY_PT, TITLE_PT, PAGE_NUMBER_PT, LINE_PT = 16.0, 22.0, 14.0, 29.0
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
SONG, FANGSONG, HEI = "宋体", "仿宋", "黑体"


def _font(run, size: float, bold: bool = False, face: str = FANGSONG) -> None:  # type: ignore[no-untyped-def]
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, face
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), face)


def _page_setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(28 - 7)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.font.name = FANGSONG
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)


def _page_number(paragraph: Paragraph, alignment: WD_ALIGN_PARAGRAPH) -> None:
    """— PAGE — in 4号 Song, one character in from the outside edge (a live PAGE field Word updates)."""
    paragraph.alignment = alignment
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        paragraph.paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
    _font(paragraph.add_run("— "), PAGE_NUMBER_PT, face=SONG)
    run = paragraph.add_run()
    _font(run, PAGE_NUMBER_PT, face=SONG)
    for tag, text in (("w:fldChar", "begin"), ("w:instrText", " PAGE "), ("w:fldChar", "separate")):
        element = OxmlElement(tag)
        if tag == "w:fldChar":
            element.set(qn("w:fldCharType"), text)
        else:
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    number = OxmlElement("w:t")
    number.text = "1"
    run._element.append(number)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._element.append(end)
    _font(paragraph.add_run(" —"), PAGE_NUMBER_PT, face=SONG)


def _signature_start(blocks: list[Block]) -> int:
    """Where the closing run of right-aligned lines (issuer, seal, date) begins."""
    start = len(blocks)
    while start > 0 and blocks[start - 1][0] == "right":
        start -= 1
    return start


def build(kind: str, path: Path) -> None:
    doc = Document()
    _page_setup(doc)
    blocks = SPECS[kind]
    signature = _signature_start(blocks)
    for index, (style, text) in enumerate(blocks):
        paragraph = doc.add_paragraph()
        run = paragraph.add_run(text)
        form = paragraph.paragraph_format
        form.line_spacing = Pt(LINE_PT)
        form.space_before = form.space_after = Pt(0)
        # GB/T 9704-2012 7.3.5: issuer, seal and date on one page, with the body's last line (a word
        # processor keeps each of these with the next; the PDF renderer does the same).
        if signature - 1 <= index < len(blocks) - 1 and signature < len(blocks):
            form.keep_with_next = True
        if style == "authority":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(run, TITLE_PT, False, SONG)
        elif style == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            form.line_spacing = Pt(TITLE_PT * 1.6)
            _font(run, TITLE_PT, True, SONG)
        elif style == "number":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            form.space_after = Pt(BODY_PT)
            _font(run, BODY_PT, face=FANGSONG)
        elif style == "heading":
            form.first_line_indent = Pt(2 * BODY_PT)
            _font(run, BODY_PT, False, HEI)
        elif style == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            form.right_indent = Pt(4 * BODY_PT)
            _font(run, BODY_PT, face=FANGSONG)
        elif style == "para":
            form.first_line_indent = Pt(2 * BODY_PT)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _font(run, BODY_PT, face=FANGSONG)
        else:  # plain: addressee, party lines, table placeholders — no indent
            _font(run, BODY_PT, face=FANGSONG)
    doc.core_properties.title = KINDS[kind].zh
    doc.core_properties.author = ""
    doc.save(str(path))


def build_all(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in SPECS:
        path = directory / KINDS[kind].template
        build(kind, path)
        written.append(path)
    return written
