"""Loading GB/T 2260 divisions from the CSV shipped with the project (data/inner_mongolia.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

DIVISIONS_CSV = Path(__file__).parent / "data" / "inner_mongolia.csv"


def read_division_rows(path: Path = DIVISIONS_CSV) -> list[dict[str, str]]:
    """Rows ``code, name, level, parent_code`` ordered so that parents come first."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    order = {"region": 0, "league": 1, "county": 2}
    return sorted(rows, key=lambda row: (order[row["level"]], row["code"]))
