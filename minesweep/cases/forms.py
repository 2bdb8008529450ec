"""Parsing of posted form values into typed service arguments; bad input becomes a bilingual DomainError."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, QueryDict

from minesweep.cases.services._common import MAX_FILE_BYTES
from minesweep.core.errors import DomainError


def clean(value: str) -> str:
    """No NUL characters (PostgreSQL refuses them in text) and no surrounding blanks."""
    return value.replace("\x00", "").strip()


def text(data: QueryDict, name: str, limit: int = 5000) -> str:
    return clean(data.get(name) or "")[:limit]


def flag(data: QueryDict, name: str) -> bool:
    return data.get(name) in ("1", "on", "true", "yes")


def date(
    data: QueryDict, name: str, label_zh: str, label_en: str, *, required: bool = False
) -> dt.date | None:
    raw = clean(data.get(name) or "")
    if not raw:
        if required:
            raise DomainError("cases.date_required", f"请填写{label_zh}", f"{label_en} is required")
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError(
            "cases.bad_date",
            f"{label_zh}格式应为 年-月-日（如 2026-11-27）",
            f"{label_en} must be YYYY-MM-DD",
        ) from None


def integer(data: QueryDict, name: str, label_zh: str, label_en: str, *, required: bool = True) -> int | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        if required:
            raise DomainError("cases.number_required", f"请填写{label_zh}", f"{label_en} is required")
        return None
    try:
        return int(raw)
    except ValueError:
        raise DomainError(
            "cases.bad_number", f"{label_zh}应为整数", f"{label_en} must be a whole number"
        ) from None


def pk(
    data: QueryDict, name: str, missing_zh: str = "请选择一项", missing_en: str = "please choose one"
) -> int:
    """The chosen row's id; none chosen is refused with ``missing_*`` (say which choice) for field ``name``."""
    raw = (data.get(name) or "").strip()
    if not raw.isdigit():
        raise DomainError("cases.choice_required", missing_zh, missing_en, field=name)
    return int(raw)


def upload(request: HttpRequest, name: str, *, required: bool) -> tuple[str, str, bytes] | None:
    file: UploadedFile | None = request.FILES.get(name)
    if file is None:
        if required:
            raise DomainError("cases.file_required", "请选择要上传的文件", "choose a file to upload")
        return None
    if file.size and file.size > MAX_FILE_BYTES:
        raise DomainError(
            "cases.file_too_large",
            f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB",
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
        )
    content = file.read()
    name = clean(file.name or "") or "file"
    return name[:200], clean(file.content_type or "")[:80] or "application/octet-stream", content
