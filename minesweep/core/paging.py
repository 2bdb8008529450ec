"""Paging parameters of the list APIs, checked once: a bad or huge ``limit``/``offset`` is a 400, not a
database overflow (``offset=9999999999999999999`` used to reach SQLite/PostgreSQL and 500)."""

from __future__ import annotations

from minesweep.core.errors import DomainError

MAX_OFFSET = 1_000_000_000


def check_page(limit: int, offset: int, *, max_limit: int) -> None:
    if not 0 < limit <= max_limit or not 0 <= offset <= MAX_OFFSET:
        raise DomainError(
            "request.paging",
            f"分页参数无效：limit 应为 1–{max_limit}，offset 应为 0–{MAX_OFFSET}",
            f"Invalid paging: limit must be 1–{max_limit}, offset 0–{MAX_OFFSET}",
        )
