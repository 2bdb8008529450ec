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
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from minesweep.documents.context import DocumentError

SHIPPED_TEMPLATES = Path(__file__).resolve().parent / "doc_templates"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_:]+)\s*\}\}")
TABLE = re.compile(r"^\{\{\s*table:([a-z_]+)\s*\}\}$")
# fontTools logs every subsetting step at INFO; that is noise in the service log.
logging.getLogger("fontTools").setLevel(logging.WARNING)
# The faces GB/T 9704 asks for, by the name the DOCX templates give them, and the freely licensed Debian
# fonts the PDF embeds for them (no free FangSong exists in Debian: the Song-style serif stands in for it).
# Each entry: candidate files, first found wins; .ttc collections are searched for the Simplified Chinese face.
NOTO = "/usr/share/fonts/opentype/noto/"
WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FONT_CANDIDATES = (NOTO + "NotoSerifCJK-Regular.ttc", WQY)
FACE_CANDIDATES: dict[str, tuple[str, ...]] = {
    "song-bold": (NOTO + "NotoSerifCJK-Bold.ttc",),
    "hei": (NOTO + "NotoSansCJK-Regular.ttc",),
}
FACES = {"宋体": "song", "仿宋": "song", "黑体": "hei"}
FONT_PACKAGE = "fonts-noto-cjk"


def template_dir() -> Path:
    """``settings.DOCUMENT_TEMPLATE_DIR`` when set (an administrator's edited copies), else the shipped ones."""
    configured = getattr(settings, "DOCUMENT_TEMPLATE_DIR", "")
    return Path(configured) if configured else SHIPPED_TEMPLATES


def template_path(name: str) -> Path:
    override = template_dir() / name
    return override if override.is_file() else SHIPPED_TEMPLATES / name


def font_path() -> Path:
    """The body font embedded in every PDF (a Song-style serif); its absence is named with its package."""
    configured = getattr(settings, "DOCUMENT_PDF_FONT", "")
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise DocumentError(
        "documents.font_missing",
        f"找不到可嵌入PDF的中文字体：请安装 Debian 软件包 {FONT_PACKAGE}（apt-get install {FONT_PACKAGE}）",
        f"No CJK font to embed in the PDF: install the Debian package {FONT_PACKAGE} "
        f"(apt-get install {FONT_PACKAGE})",
    )


def face_paths() -> dict[str, Path]:
    """Body, bold title and heading fonts; a missing title or heading face falls back to the body font."""
    body = font_path()
    found = {"song": body}
    for face, candidates in FACE_CANDIDATES.items():
        found[face] = next((Path(c) for c in candidates if Path(c).is_file()), body)
    return found


@lru_cache(maxsize=8)
def _collection_index(path: str) -> int:
    """The Simplified Chinese face of a .ttc (Noto CJK holds JP, KR, SC, TC, HK); 0 otherwise."""
    if not path.endswith(".ttc"):
        return 0
    from fontTools.ttLib import TTCollection

    for index, font in enumerate(TTCollection(path).fonts):
        if " SC" in str(font["name"].getDebugName(1)):
            return index
    return 0


@lru_cache(maxsize=4)
def _font_cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont

    font = TTCollection(path).fonts[_collection_index(path)] if path.endswith(".ttc") else TTFont(path)
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


TABLE_PT = 12.0


def _cell_text(cell: Any, text: str, *, bold: bool = False) -> None:
    """Table text in 小四 FangSong (the body face, smaller so the columns fit the type area)."""
    cell.text = ""
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold
    run.font.size = Pt(TABLE_PT)
    run.font.name = "仿宋"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")


def _insert_table(doc: DocxDocument, paragraph: Paragraph, spec: dict[str, Any]) -> None:
    columns, rows = spec["columns"], spec["rows"]
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, columns, strict=True):
        _cell_text(cell, str(title), bold=True)
    for row in rows or [["（无）"] + [""] * (len(columns) - 1)]:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            _cell_text(cell, str(value))
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
MM_PER_PT = 25.4 / 72


def _pdf_class() -> Any:
    from fpdf import FPDF

    class OfficialPdf(FPDF):  # type: ignore[misc]
        """A4 with GB/T 9704 page numbers: 4号 "— n —", odd pages right, even pages left, one character in."""

        def footer(self) -> None:
            self.set_y(-(self.b_margin - 7))
            self.set_font("song", size=14)
            inset = 14 * MM_PER_PT  # one character in from the outside edge
            odd = self.page_no() % 2 == 1
            self.set_x(self.l_margin + (0 if odd else inset))
            width = self.w - self.l_margin - self.r_margin - inset
            self.cell(width, 7, f"— {self.page_no()} —", align="R" if odd else "L")

    return OfficialPdf


def docx_to_pdf(data: bytes, *, title: str) -> bytes:
    """Lay out the filled DOCX on A4 with the page setup, faces, indents and page numbers it declares,
    embedding subsets of the CJK fonts."""
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    margins = [
        (getattr(section, f"{side}_margin", None) or 0) / 36000 or default
        for side, default in (("left", 28.0), ("top", 37.0), ("right", 26.0), ("bottom", 35.0))
    ]
    pdf = _pdf_class()(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Minesweep")
    pdf.set_margins(margins[0], margins[1], margins[2])
    pdf.set_auto_page_break(True, margin=margins[3])
    for face, path in face_paths().items():
        pdf.add_font(face, "", str(path), collection_font_number=_collection_index(str(path)))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    blocks = _blocks(doc)
    signature = _signature_start(blocks)
    for index, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            keep = _height(pdf, blocks[signature:], width) if index == signature - 1 else None
            _pdf_paragraph(pdf, block, width, keep_with=keep)
        else:
            _pdf_table(pdf, block)
    return bytes(pdf.output())


# GB/T 9704-2012 7.3.5: the issuer's name, seal and date stand together, on a page that carries body text
# ("不得采取标注'此页无正文'的方法"). The body's last lines go over to the next page with them.
LINES_WITH_SIGNATURE = 2


def _signature_start(blocks: list[Paragraph | Table]) -> int:
    """Where the closing run of right-aligned paragraphs (issuer, seal, date) begins; ``len(blocks)``
    when the document does not end with one."""
    start = len(blocks)
    while start > 0:
        block = blocks[start - 1]
        if not isinstance(block, Paragraph) or block.alignment != WD_ALIGN_PARAGRAPH.RIGHT:
            break
        start -= 1
    return start if start > 0 and start < len(blocks) else len(blocks)


def _layout(pdf: Any, block: Paragraph, width: float) -> tuple[float, float, float, list[str]]:
    """A paragraph's line height, first-line indent, right indent and lines (the font set for it)."""
    size = _size(block)
    pdf.set_font(_face(block), size=size)
    form = block.paragraph_format
    spacing = form.line_spacing
    line = spacing.pt * MM_PER_PT if hasattr(spacing, "pt") else size * 0.55
    indent = form.first_line_indent
    first = indent.pt * MM_PER_PT if indent is not None and indent.pt > 0 else 0.0
    right = form.right_indent.pt * MM_PER_PT if form.right_indent is not None else 0.0
    lines = _lines(pdf, block.text, width - right, first) if block.text.strip() else []
    return line, first, right, lines


def _lines(pdf: Any, text: str, width: float, first_indent: float) -> list[str]:
    """``text`` wrapped (:func:`wrap`), each line break in it (a DOCX <w:br/>, "\n" in a field) starting a new
    line: a title is broken where its words allow (GB/T 9704-2012 7.3.3: 回行时词意完整), not where the width
    runs out."""
    head, *rest = text.split("\n")
    return wrap(pdf, head, width, first_indent) + [line for part in rest for line in wrap(pdf, part, width)]


def _space_after(block: Paragraph) -> float:
    after = block.paragraph_format.space_after
    return after.pt * MM_PER_PT if after is not None and after.pt else 0.0


def _height(pdf: Any, blocks: list[Paragraph | Table], width: float) -> float:
    """The height the paragraphs ``blocks`` take when laid out (mm)."""
    total = 0.0
    for block in blocks:
        if isinstance(block, Paragraph):
            line, _, _, lines = _layout(pdf, block, width)
            total += line * max(len(lines), 1) + _space_after(block)
    return total


def _pdf_paragraph(pdf: Any, block: Paragraph, width: float, keep_with: float | None = None) -> None:
    """Lay out one paragraph; ``keep_with`` (mm) is the height of what must follow on the same page as
    this paragraph's last lines (the signature block): when they do not fit together, those lines start
    the next page."""
    line, first, right, lines = _layout(pdf, block, width)
    if not lines:
        pdf.ln(line)
        return
    align = ALIGN.get(block.alignment, "L") if block.alignment is not None else "L"
    tail = len(lines) - min(LINES_WITH_SIGNATURE, len(lines))
    together = (len(lines) - tail) * line + _space_after(block) + (keep_with or 0.0)
    for index, text_line in enumerate(lines):
        if keep_with is not None and index == tail and pdf.get_y() + together > pdf.page_break_trigger:
            pdf.add_page()
        offset = first if index == 0 and align in ("L", "J") else 0.0
        pdf.set_x(pdf.l_margin + offset)
        pdf.cell(width - right - offset, line, text_line, align="L" if align == "J" else align)
        pdf.ln(line)
    if _space_after(block):
        pdf.ln(_space_after(block))


# Chinese line-breaking (避头尾): these never start a line, these never end one.
NO_LINE_START = set("，。、；：？！）》」』”’〕】…—%．,.;:!?)")
NO_LINE_END = set("（《「『“‘〔【")


def wrap(pdf: Any, text: str, width: float, first_indent: float = 0.0) -> list[str]:
    """Lines of ``text`` that fit ``width`` (the first ``first_indent`` narrower), breaking between any
    two characters except inside a run of Latin letters/digits, with closing punctuation kept off a
    line's start and opening punctuation off its end (a line may overhang by that one mark)."""
    tokens = re.findall(r"[A-Za-z0-9.,:/%\-]+|.", text)
    lines: list[str] = []
    current, limit = "", width - first_indent
    for token in tokens:
        if current and pdf.get_string_width(current + token) > limit and token not in NO_LINE_START:
            carry = ""
            while current and current[-1] in NO_LINE_END:
                carry, current = current[-1] + carry, current[:-1]
            lines.append(current)
            current, limit = carry + token.lstrip(), width
        else:
            current += token
    if current:
        lines.append(current)
    return lines


ALIGN = {WD_ALIGN_PARAGRAPH.CENTER: "C", WD_ALIGN_PARAGRAPH.RIGHT: "R", WD_ALIGN_PARAGRAPH.JUSTIFY: "J"}


TABLE_FONT_PT = 10.5
TABLE_LINE_MM = 5.5
CELL_PAD_MM = 1.5  # text never touches a cell's rule (a hash filled its column to the border)


def _pdf_table(pdf: Any, block: Table) -> None:
    """A table at the type area's width. Each cell is broken into lines here, by :func:`wrap` (避头尾: no
    line of a cell starts with "）"; a run of Latin letters and digits such as a hash or a rig model stays
    whole), so the widths :func:`_col_widths` gives hold every unbreakable run."""
    rows = [[cell.text for cell in row.cells] for row in block.rows]
    if not rows:
        return
    pdf.set_font("song", size=TABLE_FONT_PT)
    columns = len(rows[0])
    rows = [(row + [""] * columns)[:columns] for row in rows]
    widths = _col_widths(pdf, rows, pdf.w - pdf.l_margin - pdf.r_margin)
    with pdf.table(
        col_widths=widths,
        line_height=TABLE_LINE_MM,
        text_align="LEFT",
        first_row_as_headings=True,
        headings_style=_headings(),
        padding=(0, CELL_PAD_MM),
    ) as table:
        for row in rows:
            cells = table.row()
            for value, width in zip(row, widths, strict=True):
                cells.cell("\n".join(_cell_lines(pdf, value, width)))
    pdf.ln(3)


_LAST_TOKEN = re.compile(r"(?:[A-Za-z0-9.,:/%\-]+|.)[" + re.escape("".join(sorted(NO_LINE_START))) + r"]+$")


def _cell_lines(pdf: Any, text: str, width: float) -> list[str]:
    """``text`` in lines that fit a cell ``width`` wide. A body line may overhang by a closing mark; a cell
    cannot (the table would break the line again and leave the mark alone), so the mark goes down with
    the character before it."""
    room = width - 2 * CELL_PAD_MM - 0.3  # a hair narrower: the table measures the same glyphs again
    lines: list[str] = []
    for part in text.split("\n"):
        rest = part
        while True:
            wrapped = wrap(pdf, rest, room)
            if not wrapped:
                lines.append("")
                break
            first = wrapped[0]
            if pdf.get_string_width(first) > room:
                overhang = _LAST_TOKEN.search(first)
                if overhang and overhang.start() > 0:
                    first = first[: overhang.start()]
            if len(wrapped) == 1 and first == wrapped[0]:
                lines.append(first)
                break
            lines.append(first)
            rest = rest[len(first) :].lstrip() if rest.startswith(first) else "".join(wrapped[1:])
            if not rest:
                break
    return lines


def _face(paragraph: Paragraph) -> str:
    """The PDF face for a paragraph's first run: 宋体 bold → the bold Song title face; 黑体 → Hei; else body."""
    for run in paragraph.runs:
        if not run.text.strip():
            continue
        rfonts = run._element.rPr.rFonts if run._element.rPr is not None else None
        name = (rfonts.get(qn("w:eastAsia")) if rfonts is not None else None) or run.font.name or ""
        face = FACES.get(name, "song")
        return "song-bold" if face == "song" and run.font.bold else face
    return "song"


def _headings() -> Any:
    from fpdf.fonts import FontFace

    return FontFace(emphasis="", fill_color=(238, 241, 245))


def _col_widths(pdf: Any, rows: list[list[str]], width: float) -> tuple[float, ...]:
    """Column widths (mm) summing to ``width``, measured in the table's font. Each column wants its longest
    line on one line and needs at least its longest unbreakable run (a 16-digit hash, "S19Pro", or two
    characters and a closing bracket that :func:`wrap` keeps together) and, room allowing, its heading on
    one line. When the wants do not all fit, the
    columns narrower than a fair share keep their width and the rest share what is left; a column below its
    need is raised to it, taken from the others in proportion to their room above theirs."""
    pad = 2 * CELL_PAD_MM + 2.0  # and some air: text-to-text gaps a reader (and pdftotext) sees as columns
    columns = len(rows[0]) if rows else 0

    def runs(text: str) -> list[str]:
        tokens = re.findall(r"[A-Za-z0-9.,:/%\-]+|.", text)
        # a closing mark stays with what precedes it, an opening one with what follows (wrap's rule)
        glued: list[str] = []
        for token in tokens:
            if glued and (token in NO_LINE_START or glued[-1][-1] in NO_LINE_END):
                glued[-1] += token
            else:
                glued.append(token)
        return glued

    want = [max((pdf.get_string_width(r[i]) for r in rows), default=0.0) + pad for i in range(columns)]
    need = [
        max((pdf.get_string_width(t) for r in rows for t in runs(r[i])), default=0.0) + pad
        for i in range(columns)
    ]
    if sum(want) <= width:
        return tuple(w * width / sum(want) for w in want)
    # Column headings stay on one line when the type area has room for all of them.
    headed = [max(n, pdf.get_string_width(rows[0][i]) + pad) for i, n in enumerate(need)]
    if sum(headed) <= width:
        need = headed
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(columns) if i not in fixed]
        share = (width - sum(fixed.values())) / max(1, len(free))
        small = [i for i in free if want[i] <= share]
        if not small:
            break
        fixed.update({i: want[i] for i in small})
    share = (width - sum(fixed.values())) / max(1, columns - len(fixed))
    widths = [fixed.get(i, share) for i in range(columns)]
    short = sum(max(0.0, need[i] - widths[i]) for i in range(columns))
    widths = [max(w, need[i]) for i, w in enumerate(widths)]
    spare = {i: widths[i] - need[i] for i in range(columns) if widths[i] > need[i]}
    if short and spare:  # what the narrow columns need comes from the others, in proportion to their room
        take = min(short, sum(spare.values()))
        widths = [w - take * spare.get(i, 0.0) / sum(spare.values()) for i, w in enumerate(widths)]
    scale = width / sum(widths)
    return tuple(w * scale for w in widths)


def _size(paragraph: Paragraph) -> float:
    for run in paragraph.runs:
        if run.font.size is not None:
            return float(run.font.size.pt)
    return 16.0


__all__ = ["docx_text", "docx_to_pdf", "fill_docx", "missing_glyphs", "template_path"]
