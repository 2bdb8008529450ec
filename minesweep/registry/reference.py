"""Reference data every database needs: GB/T 2260 divisions and subject categories.

Loaded by migration ``registry.0002``; tests that flush the database (transactional tests) load it again.
Takes the model classes so the migration can pass its historical models.
"""

from __future__ import annotations

from typing import Any

from minesweep.registry.categories import CATEGORIES
from minesweep.registry.divisions import read_division_rows


def load_reference_data(division_model: Any, category_model: Any) -> None:
    for row in read_division_rows():
        division_model.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "level": row["level"], "parent_id": row["parent_code"] or None},
        )
    for code, (zh, en) in CATEGORIES.items():
        category_model.objects.update_or_create(code=code, defaults={"name_zh": zh, "name_en": en})
