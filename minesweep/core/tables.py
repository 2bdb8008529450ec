"""Tables people upload (CSV as Excel in China saves it, UTF-8 or GBK, or an XLSX workbook), read row by
row with the row numbers a spreadsheet shows. Checked by content, not by the file's name."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator

from minesweep.core.errors import DomainError


def read_table_rows(content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {header: stripped text}) for each data row; an XLSX by its zip signature."""
    if content[:4] == b"PK\x03\x04":
        yield from _read_xlsx(content)
    else:
        yield from _read_csv(content)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK by default
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(
        "table.encoding",
        "文件既不是 UTF-8 也不是 GBK 编码的 CSV，也不是 XLSX",
        "The file is neither a UTF-8/GBK CSV nor an XLSX workbook",
    )


def _read_csv(content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    text = _decode(content)
    if "\x00" in text:
        raise DomainError("table.binary", "文件不是文本表格", "The file is not a text table")
    reader = csv.DictReader(io.StringIO(text))
    for number, row in enumerate(reader, start=2):
        yield (
            number,
            {(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()},
        )


def _read_xlsx(content: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DomainError(
            "table.xlsx", "无法读取 XLSX 文件", f"Cannot read the XLSX workbook ({exc})"
        ) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(cell or "").strip() for cell in next(rows, ())]
    for number, values in enumerate(rows, start=2):
        cells = ["" if v is None else str(v).strip() for v in values]
        if any(cells):
            yield number, dict(zip(header, cells, strict=False))
