"""Public JSON API of the reporting platform (for a mobile app or mini-program), mounted at /api/v1/reports.

Same rules as the web form (one :class:`~minesweep.reports.forms.ReportForm`), same anti-abuse checks, same
privacy: nothing about the client is stored. Every error is JSON ``{"code", "message", ...}``.

Flow: ``GET /challenge`` → solve → ``POST ""`` with ``challenge`` and ``challenge_answer`` → ``201
{"receipt": ...}``; then ``GET /status`` and ``POST /messages`` with header ``X-Receipt``.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, QueryDict
from django.utils import timezone
from ninja import Router, Schema, Status

from minesweep.core.errors import DomainError
from minesweep.reports import antiabuse, services
from minesweep.reports.forms import MessageForm, ReportForm, form_error
from minesweep.reports.models import Channel, PublicStatus, ReportMessage
from minesweep.reports.views import _file, _report_from_receipt, read_files

router = Router(tags=["reports 举报"])
MAX_JSON_BYTES = 1024 * 1024


class ReportIn(Schema):
    category: str
    division_code: str
    description: str
    subject_name: str = ""
    uscc: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    power_account: str = ""
    power_line: str = ""
    observed_use: str = ""
    observed_scale: str = ""
    observed_rigs: int | None = None
    contact: str = ""
    gps_consent: bool = False
    challenge: str
    challenge_answer: str


class ReceiptOut(Schema):
    receipt: str
    filed_at: str
    category: str
    sha256: str
    removed_metadata: dict[str, list[str]]


class ChallengeOut(Schema):
    challenge: str
    bits: int
    algorithm: str


class MessageOut(Schema):
    author: str
    kind: str
    body: str
    at: str


class StatusOut(Schema):
    status: str
    status_label: str
    outcome: str
    filed_at: str
    messages: list[MessageOut]


class MessageIn(Schema):
    body: str


class Error(Schema):
    code: str
    message: str


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_JSON_BYTES:
        raise DomainError("request.too_large", "请求内容过大", "Request body too large")
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DomainError(
            "request.malformed_json", "请求不是合法的 JSON", "The request body is not valid JSON"
        ) from None
    if not isinstance(data, dict):
        raise DomainError(
            "request.malformed_json", "请求应为 JSON 对象", "The request body must be a JSON object"
        )
    return data


def _as_form_data(data: dict[str, Any]) -> QueryDict:
    """JSON values as form strings, so the web form's validation applies unchanged."""
    q = QueryDict(mutable=True)
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                q[key] = "on"
        elif isinstance(value, (str, int, float)):
            q[key] = str(value)
        else:
            raise DomainError(
                "request.field_type",
                f"字段 {key} 应为文字或数字",
                f"Field {key} must be text or a number",
                field=key,
            )
    return q


def _payload(request: HttpRequest) -> tuple[QueryDict, bool]:
    if request.content_type == "multipart/form-data":
        return request.POST, True
    if request.content_type in ("application/json", "", "text/plain"):
        return _as_form_data(_json_body(request)), False
    raise DomainError(
        "request.content_type",
        "请使用 application/json 或 multipart/form-data",
        "Send application/json or multipart/form-data",
    )


@router.get("/challenge", response={200: ChallengeOut}, summary="防刷验证题 / Anti-flood challenge")
def challenge(request: HttpRequest) -> dict[str, Any]:
    """Find `answer` so that SHA-256(`nonce:answer`) starts with `bits` zero bits; `nonce` is the `n` field of
    the base64url JSON before the first `:` of `challenge`. Difficulty grows under flood."""
    issued = antiabuse.challenge_issue()
    return {"challenge": issued.token, "bits": issued.bits, "algorithm": "sha256-leading-zero-bits"}


@router.post(
    "",
    response={201: ReceiptOut, 400: Error, 413: Error, 422: Error, 429: Error},
    summary="提交举报 / Submit a report",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": ReportIn.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        **ReportIn.model_json_schema(),
                        "properties": {
                            **ReportIn.model_json_schema()["properties"],
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        },
                    }
                },
            },
            "required": True,
        }
    },
)
def submit(request: HttpRequest) -> Status:
    """File a report (JSON, or multipart with `files`). Apps must show the notice on false accusation first.
    The receipt is returned once and never again."""
    fingerprint = str(getattr(request, "client_fingerprint", ""))
    antiabuse.quota_check(fingerprint)
    data, multipart = _payload(request)
    form = ReportForm(data)
    if not form.is_valid():
        raise form_error(form)
    files = read_files(request, keep_gps=bool(form.cleaned_data.get("gps_consent"))) if multipart else []
    antiabuse.challenge_verify(str(data.get("challenge", "")), str(data.get("challenge_answer", "")))
    filed = _file(form, files, channel=Channel.API)
    antiabuse.quota_count(fingerprint)
    return Status(201, filed.proof())


def _receipt_header(request: HttpRequest) -> Any:
    return _report_from_receipt(request, request.headers.get("X-Receipt", ""))


@router.get(
    "/status", response={200: StatusOut, 400: Error, 404: Error, 429: Error}, summary="查询进度 / Status"
)
def status(request: HttpRequest) -> dict[str, Any]:
    """Coarse status, released outcome and messages. Header `X-Receipt` carries the receipt code; any wrong
    code gets the same 404 whether or not it ever existed."""
    report = _receipt_header(request)
    return {
        "status": report.status,
        "status_label": str(PublicStatus(report.status).label),
        "outcome": report.public_outcome,
        "filed_at": timezone.localtime(report.created_at).isoformat(timespec="seconds"),
        "messages": [
            {
                "author": m.author,
                "kind": m.kind,
                "body": body,
                "at": timezone.localtime(m.created_at).isoformat(timespec="seconds"),
            }
            for m, body in services.report_messages(report)
        ],
    }


@router.post(
    "/messages",
    response={201: MessageOut, 400: Error, 404: Error, 429: Error},
    summary="补充留言或文件 / Add a message or files",
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": MessageIn.model_json_schema()}}}
    },
)
def messages(request: HttpRequest) -> Status:
    """Add a message (JSON `{"body": ...}` or multipart with `body` and `files`), header `X-Receipt`."""
    report = _receipt_header(request)
    data, multipart = _payload(request)
    form = MessageForm(data)
    if not form.is_valid():
        raise form_error(form)
    files = read_files(request, keep_gps=False) if multipart else []
    message = services.report_add_from_reporter(report=report, body=form.cleaned_data["body"], files=files)
    assert message is not None
    return Status(
        201,
        {
            "author": ReportMessage.Author.REPORTER.value,
            "kind": message.kind,
            "body": form.cleaned_data["body"],
            "at": timezone.localtime(message.created_at).isoformat(timespec="seconds"),
        },
    )
