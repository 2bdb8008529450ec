"""Paging parameters of the list APIs, checked once: a bad or huge ``limit``/``offset`` is a 400, not a
database overflow (``offset=9999999999999999999`` used to reach SQLite/PostgreSQL and 500)."""

from __future__ import annotations

from typing import Any

from ninja import Query

from minesweep.core.errors import DomainError

MAX_OFFSET = 1_000_000_000


def paging_error(max_limit: int | None = None) -> DomainError:
    limits = f"1–{max_limit}" if max_limit else "within the documented range"
    limits_zh = f"1–{max_limit}" if max_limit else "在接口文档规定的范围内"
    return DomainError(
        "request.paging",
        f"分页参数无效：limit 应为 {limits_zh}，offset 应为 0–{MAX_OFFSET}",
        f"Invalid paging: limit must be {limits}, offset 0–{MAX_OFFSET}",
    )


def check_page(limit: int, offset: int, *, max_limit: int) -> None:
    if not 0 < limit <= max_limit or not 0 <= offset <= MAX_OFFSET:
        raise paging_error(max_limit)


def limit_param(default: int, *, maximum: int) -> Any:
    """A ``limit`` query parameter whose range is validated by django-ninja and shown in the OpenAPI schema."""
    return Query(default, ge=1, le=maximum, description=f"rows per page, 1–{maximum}")


def offset_param() -> Any:
    return Query(0, ge=0, le=MAX_OFFSET, description=f"rows to skip, 0–{MAX_OFFSET}")
