"""PDF layout of issued documents (GB/T 9704-2012)."""

from __future__ import annotations

import copy
import io
import subprocess
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.text.paragraph import Paragraph

from minesweep.documents.render import docx_to_pdf
from minesweep.documents.template_build import build

DATE = "2026年10月9日"


def _letter(tmp_path: Path, body_paragraphs: int) -> bytes:
    """The 处理决定书 template with ``body_paragraphs`` body paragraphs of two lines each before its
    signature block (issuer, seal, date), so that some count ends page 1 just above or inside it."""
    path = tmp_path / "letter.docx"
    build("measure_letter", path)
    doc = Document(str(path))
    paragraphs = doc.paragraphs
    body = next(p for p in paragraphs if "{{findings}}" in p.text)
    signature = [p for p in paragraphs if p.alignment == WD_ALIGN_PARAGRAPH.RIGHT]
    texts = {"{{authority}}": "包头市发展和改革委员会", "{{issued_on}}": DATE}
    for paragraph in signature:
        for run in paragraph.runs:
            run.text = texts.get(run.text, run.text)
    for number in range(body_paragraphs):
        copied = copy.deepcopy(body._p)
        signature[0]._p.addprevious(copied)
        Paragraph(copied, body._parent).runs[0].text = f"正文第{number + 1}段，" + "用于排版测试的文字" * 3
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return text.stdout.split("\f")


def test_the_issuer_seal_and_date_stay_together_on_a_page_with_body_text(tmp_path):
    """GB/T 9704-2012 7.3.5: the 处理决定书 of a real case put the issuer on page 1 and 印章 and the date
    alone on page 2. For every length that ends a page near the signature, all three are on one page and
    that page carries body text."""
    splits = 0
    for count in range(9, 20):  # two-line paragraphs: one whole page cycle of 22 lines
        pages = _pages(docx_to_pdf(_letter(tmp_path, count), title="处理决定书"), tmp_path)
        dated = [page for page in pages if DATE in page]
        assert len(dated) == 1, count
        page = dated[0]
        assert "包头市发展和改革委员会" in page.split(DATE)[0] and "（印章）" in page, count
        assert "正文第" in page or "行政诉讼" in page, count  # never a page of signature alone
        splits += len([p for p in pages if p.strip()]) > 1
    assert splits  # the range does reach page 2


def test_the_shipped_templates_keep_the_signature_with_the_body_in_a_word_processor():
    """The DOCX a user downloads and edits: the body's last paragraph, the issuer and the seal are each
    kept with the next paragraph, so Word and LibreOffice move them to the date's page together."""
    from minesweep.documents.kinds import KINDS
    from minesweep.documents.template_build import SPECS, _signature_start

    folder = Path(__file__).resolve().parents[1] / "doc_templates"
    for kind, blocks in SPECS.items():
        right = len(blocks) - _signature_start(blocks)
        if not right:
            continue
        paragraphs = Document(str(folder / KINDS[kind].template)).paragraphs
        kept = [p.paragraph_format.keep_with_next for p in paragraphs[-(right + 1) :]]
        assert kept == [True] * right + [None], (kind, kept)
        assert not any(p.paragraph_format.keep_with_next for p in paragraphs[: -(right + 1)]), kind


EXHIBITS = {  # as context._exhibits lays out a notice's evidence list
    "columns": ["序号", "名称", "种类", "收集或查扣日期", "载体或保管处", "校验值（前十六位）"],
    "rows": [
        ["1", "现场矿机运行照片", "照片", "2026年9月25日", "电子文件", "a5b6f46ce3d33202"],
        ["2", "查扣矿机蚂蚁矿机S19Pro共500台（铭牌功率每台3250瓦）", "物证", "2026年9月25日", "—", "—"],
        ["3", "查扣矿机蚂蚁矿机S17共120台（铭牌功率每台2520瓦）", "物证", "2026年9月25日", "—", "—"],
    ],
}


def test_an_evidence_table_keeps_the_hash_whole_inside_its_cell_and_no_bracket_alone(tmp_path):
    """The notice's evidence list in the PDF: the header "校验值（前十六位）" left its "）" alone on a line,
    "S19Pro" was cut after the S, and the 16-digit hash ran up to the cell's right rule. Each stays whole,
    no line of a cell starts with a closing bracket, and the hash keeps clear of the table's edge."""
    import re

    from minesweep.documents.render import fill_docx

    template = tmp_path / "t.docx"
    doc = Document()
    doc.add_paragraph("{{table:exhibits}}")
    doc.save(str(template))
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(docx_to_pdf(fill_docx(template, {}, {"exhibits": EXHIBITS}), title="t"))
    layout = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    text = layout.stdout
    assert "校验值（前十六位）" in text and "S19Pro" in text and "a5b6f46ce3d33202" in text
    assert not re.search(r"(^|\s{2})[）)]", text, re.M), text
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    page = re.search(r'<page width="([\d.]+)"', bbox.stdout)
    word = re.search(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>a5b6f46ce3d33202<', bbox.stdout)
    assert page and word
    right_edge = float(page.group(1)) - 72  # python-docx's default right margin: 1 inch
    assert float(word.group(1)) <= right_edge - 2.5  # pt: the cell's padding, not the rule itself
