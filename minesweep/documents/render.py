"""Fill a DOCX template and lay the same filled document out as a PDF with an embedded CJK font.

The PDF is drawn from the filled DOCX (paragraphs and tables, in order), so an administrator's edits to
a template show in both formats. The font is found at start of rendering; if none is installed the error
names the Debian package to install.
"""

from __future__ import annotations

import io
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.table import Table
from docx.text.paragraph import Paragraph

from minesweep.documents.context import DocumentError

SHIPPED_TEMPLATES = Path(__file__).resolve().parent / "doc_templates"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_:]+)\s*\}\}")
TABLE = re.compile(r"^\{\{\s*table:([a-z_]+)\s*\}\}$")
# fontTools logs every subsetting step at INFO; that is noise in the service log.
logging.getLogger("fontTools").setLevel(logging.WARNING)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def template_dir() -> Path:
    """``settings.DOCUMENT_TEMPLATE_DIR`` when set (an administrator's edited copies), else the shipped ones."""
    configured = getattr(settings, "DOCUMENT_TEMPLATE_DIR", "")
    return Path(configured) if configured else SHIPPED_TEMPLATES


def template_path(name: str) -> Path:
    override = template_dir() / name
    return override if override.is_file() else SHIPPED_TEMPLATES / name


def font_path() -> Path:
    configured = getattr(settings, "DOCUMENT_PDF_FONT", "")
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise DocumentError(
        "documents.font_missing",
        "找不到可嵌入PDF的中文字体：请安装 Debian 软件包 fonts-wqy-microhei（apt-get install fonts-wqy-microhei）",
        "No CJK font to embed in the PDF: install the Debian package fonts-wqy-microhei "
        "(apt-get install fonts-wqy-microhei)",
    )


@lru_cache(maxsize=4)
def _font_cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont

    font = TTCollection(path).fonts[0] if path.endswith(".ttc") else TTFont(path)
    return frozenset(font.getBestCmap().keys())


def missing_glyphs(text: str, font: Path | None = None) -> list[str]:
    """Characters of ``text`` the PDF font cannot draw (they would show as empty boxes)."""
    cmap = _font_cmap(str(font or font_path()))
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})


# -- DOCX ------------------------------------------------------------------------------------------
def _paragraphs(doc: DocxDocument) -> list[Paragraph]:
    found = list(doc.paragraphs)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                found.extend(cell.paragraphs)
    for section in doc.sections:
        found.extend(section.header.paragraphs)
        found.extend(section.footer.paragraphs)
    return found


def _set_text(paragraph: Paragraph, text: str) -> None:
    """Put ``text`` in the first run (keeping its formatting) and empty the others."""
    runs = paragraph.runs
    if not runs:
        paragraph.add_run(text)
        return
    runs[0].text = text
    for run in runs[1:]:
        run.text = ""


def _insert_table(doc: DocxDocument, paragraph: Paragraph, spec: dict[str, Any]) -> None:
    columns, rows = spec["columns"], spec["rows"]
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, columns, strict=True):
        cell.text = str(title)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows or [["（无）"] + [""] * (len(columns) - 1)]:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            cell.text = str(value)
    paragraph._p.addnext(table._tbl)
    paragraph._p.getparent().remove(paragraph._p)


def fill_docx(template: Path, fields: dict[str, str], tables: dict[str, dict[str, Any]]) -> bytes:
    """The template with every ``{{field}}`` replaced; unknown fields are refused by name."""
    try:
        doc = Document(str(template))
    except Exception as exc:  # a corrupt or non-DOCX file put in the template directory
        raise DocumentError(
            "documents.template_invalid",
            f"文书模板无法打开：{template.name}（{exc.__class__.__name__}）",
            f"The document template cannot be opened: {template.name} ({exc.__class__.__name__})",
        ) from None
    unknown: set[str] = set()
    for paragraph in _paragraphs(doc):
        text = paragraph.text
        if "{{" not in text:
            continue
        table_match = TABLE.match(text.strip())
        if table_match:
            name = table_match[1]
            if name not in tables:
                unknown.add(f"table:{name}")
                continue
            _insert_table(doc, paragraph, tables[name])
            continue

        def replace(match: re.Match[str]) -> str:
            key = match[1]
            if key not in fields:
                unknown.add(key)
                return match[0]
            return fields[key]

        _set_text(paragraph, PLACEHOLDER.sub(replace, text))
    if unknown:
        raise DocumentError(
            "documents.template_field_unknown",
            f"模板 {template.name} 含有本文书没有的字段：{'、'.join(sorted(unknown))}",
            f"Template {template.name} uses fields this document does not have: {', '.join(sorted(unknown))}",
            fields=sorted(unknown),
            available=sorted(fields),
        )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def docx_text(data: bytes) -> str:
    """All text of a DOCX, paragraphs and table cells, in document order."""
    doc = Document(io.BytesIO(data))
    parts: list[str] = []
    for block in _blocks(doc):
        if isinstance(block, Paragraph):
            parts.append(block.text)
        else:
            for row in block.rows:
                parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _blocks(doc: DocxDocument) -> list[Paragraph | Table]:
    body = doc.element.body
    out: list[Paragraph | Table] = []
    for child in body.iterchildren():
        if child.tag.endswith("}p"):
            out.append(Paragraph(child, doc))
        elif child.tag.endswith("}tbl"):
            out.append(Table(child, doc))
    return out


# -- PDF -------------------------------------------------------------------------------------------
def docx_to_pdf(data: bytes, *, title: str) -> bytes:
    """Lay out the filled DOCX on A4 with the embedded CJK font (subset)."""
    from fpdf import FPDF

    font = font_path()
    doc = Document(io.BytesIO(data))
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Minesweep")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_font("cjk", "", str(font), collection_font_number=0)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for block in _blocks(doc):
        if isinstance(block, Paragraph):
            text = block.text
            size = _size(block)
            pdf.set_font("cjk", size=size)
            if not text.strip():
                pdf.ln(size * 0.4)
                continue
            alignment = block.alignment
            align = (
                "C"
                if alignment == WD_ALIGN_PARAGRAPH.CENTER
                else "R"
                if alignment == WD_ALIGN_PARAGRAPH.RIGHT
                else "L"
            )
            pdf.multi_cell(width, size * 0.55, text, align=align, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(size * 0.15)
        else:
            rows = [[cell.text for cell in row.cells] for row in block.rows]
            if not rows:
                continue
            pdf.set_font("cjk", size=9)
            columns = len(rows[0])
            widths = _col_widths(rows, columns)
            with pdf.table(
                col_widths=widths,
                line_height=5,
                text_align="LEFT",
                first_row_as_headings=True,
                headings_style=_headings(),
            ) as table:
                for row in rows:
                    cells = table.row()
                    for value in (row + [""] * columns)[:columns]:
                        cells.cell(value)
            pdf.ln(3)
    return bytes(pdf.output())


def _headings() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(emphasis="", fill_color=(238, 241, 245))


def _col_widths(rows: list[list[str]], columns: int) -> tuple[float, ...]:
    longest = [max((len(r[i]) if i < len(r) else 0) for r in rows) for i in range(columns)]
    return tuple(max(6.0, min(float(n), 30.0)) for n in longest)


def _size(paragraph: Paragraph) -> float:
    for run in paragraph.runs:
        if run.font.size is not None:
            return float(run.font.size.pt)
    return 12.0


__all__ = ["docx_text", "docx_to_pdf", "fill_docx", "missing_glyphs", "template_path"]
