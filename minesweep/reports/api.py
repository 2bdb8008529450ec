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
from pydantic import Field

from minesweep.core.errors import DomainError
from minesweep.reports import antiabuse, services
from minesweep.reports.forms import MessageForm, ReportForm, form_error
from minesweep.reports.models import Category, Channel, PublicStatus, ReportMessage
from minesweep.reports.views import _file, _report_from_receipt, read_files

router = Router(tags=["reports 举报"])
MAX_JSON_BYTES = 1024 * 1024


class ReportIn(Schema):
    """The documented body; the same limits as :class:`~minesweep.reports.forms.ReportForm`, which decides."""

    category: str = Field(json_schema_extra={"enum": list(Category.values)})
    division_code: str = Field(pattern=r"^[0-9]{6}$", description="行政区划代码 / Division code (6 digits)")
    description: str = Field(min_length=10, max_length=5000, pattern=r"\S")
    subject_name: str = Field("", max_length=200)
    uscc: str = Field("", max_length=40)
    address: str = Field("", max_length=300)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    power_account: str = Field("", max_length=40)
    power_line: str = Field("", max_length=200)
    observed_use: str = Field("", max_length=300)
    observed_scale: str = Field("", max_length=500)
    observed_rigs: int | None = Field(None, ge=0, le=1_000_000)
    contact: str = Field("", max_length=300)
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


# The receipt header as far as a schema can say it: five groups of six digits joined by dashes (what the
# receipt shows; the server also forgives spaces and full-width digits). The sixth digit of each group is a
# Verhoeff check digit, which no JSON Schema can express: a code of the right shape whose check digit fails
# gets 400 ``reports.receipt_typo`` naming the group to re-check; a well-formed unknown code gets 404.
RECEIPT_HEADER = {
    "name": "X-Receipt",
    "in": "header",
    "required": True,
    "description": "回执码 / Receipt code (5 groups of 6 digits; the 6th digit of each is a check digit)",
    "schema": {"type": "string", "pattern": "^[0-9]{6}(-[0-9]{6}){4}$"},
}


class Error(Schema):
    code: str
    message: str


def _form_fields(properties: dict[str, Any]) -> dict[str, Any]:
    """The JSON properties as multipart form fields: a form cannot send null, so an optional field is left out
    instead (a literal "null" would be text in a number field)."""
    fields = {}
    for name, prop in properties.items():
        choices = [c for c in prop.get("anyOf", []) if c.get("type") != "null"]
        kept = {k: v for k, v in prop.items() if k != "anyOf" and not (k == "default" and v is None)}
        fields[name] = {**kept, **choices[0]} if choices else prop
    return fields


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
                            **_form_fields(ReportIn.model_json_schema()["properties"]),
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
    "/status",
    response={200: StatusOut, 400: Error, 404: Error, 429: Error},
    summary="查询进度 / Status",
    openapi_extra={"parameters": [RECEIPT_HEADER]},
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
        "parameters": [RECEIPT_HEADER],
        "requestBody": {"content": {"application/json": {"schema": MessageIn.model_json_schema()}}},
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
