"""Yearly serial numbers for records (线索、案件、失信名单编号): ``PREFIX-YEAR-000123``."""

from __future__ import annotations

from django.db.models import Model
from django.utils import timezone


def next_yearly_number(model: type[Model], code: str, digits: int = 6) -> str:
    """The next free ``{code}-{year}-{serial}`` for ``model.number`` this year (Asia/Shanghai).

    Call it inside the transaction that creates the record; the column's unique constraint stops two
    writers taking the same number.
    """
    prefix = f"{code}-{timezone.localdate().year}-"
    last = (
        model._default_manager.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(str(last).rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:0{digits}d}"
