"""The JSON API (OpenAPI page at /api/v1/docs). Each app contributes a router; errors are JSON, never a 500."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from minesweep.core.badinput import bad_input_error
from minesweep.core.busy import busy_error
from minesweep.core.errors import DomainError, with_error_headers
from minesweep.core.paging import paging_error

log = logging.getLogger(__name__)


class ChineseJSONRenderer(JSONRenderer):
    """Readable UTF-8 JSON: Chinese text is sent as itself, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


REFUSALS = {
    "400": "请求有误 / Bad request",
    "403": "无权访问 / Not allowed",
    "404": "记录不存在 / Not found",
    "413": "请求过大 / Request too large",
    "422": "参数无效 / Invalid parameters",
    "429": "请求过于频繁（见 Retry-After）/ Too many requests (see Retry-After)",
    "503": "系统繁忙，请稍后重试（见 Retry-After）/ Busy, try again (see Retry-After)",
}
REFUSAL_SCHEMA = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "message_zh": {"type": "string"},
        "message_en": {"type": "string"},
        "extra": {"type": "object"},
    },
}


def document_refusals(schema: dict[str, Any]) -> dict[str, Any]:
    """Every operation documents the refusals any route can give (one JSON shape, minesweep.core.errors),
    and 401 where it needs a signed-in session, so clients and schemathesis see every status code."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Refusal"] = REFUSAL_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            codes = dict(REFUSALS)
            if operation.get("security"):
                codes["401"] = "需要登录 / Sign-in required"
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": body})
    return schema


class MinesweepAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return document_refusals(super().get_openapi_schema(*args, **kwargs))


api = MinesweepAPI(
    title="Minesweep API",
    version="1",
    urls_namespace="api",
    renderer=ChineseJSONRenderer(),
    description="打击虚拟货币挖矿监管平台接口 / Minesweep API",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return with_error_headers(api.create_response(request, exc.as_dict(), status=exc.status), exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = [".".join(str(p) for p in error.get("loc", ())[1:]) or "body" for error in exc.errors]
    if fields and set(fields) <= {"limit", "offset"}:  # the same answer as before the ranges were declared
        refusal = paging_error()
        return api.create_response(request, refusal.as_dict(), status=refusal.status)
    body = DomainError(
        "request.invalid",
        f"请求内容有误：{', '.join(fields)}",
        f"Invalid request: {', '.join(fields)}",
        errors=exc.errors,
    ).as_dict()
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = DomainError("auth.required", "需要登录", "Authentication required").as_dict()
    return api.create_response(request, body, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    body = {"code": f"http.{exc.status_code}", "message": str(exc)}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    refusal = bad_input_error(exc)
    if refusal is not None:  # unreadable input (too large, too deep, no boundary, out of range): the client's
        return api.create_response(request, refusal.as_dict(), status=refusal.status)
    busy = busy_error(exc)
    if busy is not None:  # a locked or unreachable database: 503 with Retry-After
        return with_error_headers(api.create_response(request, busy.as_dict(), status=busy.status), busy)
    log.exception("unexpected error in API %s", request.path)
    body = DomainError("server_error", "系统内部错误", "Internal error").as_dict()
    return api.create_response(request, body, status=500)


# Each app may contribute ``minesweep/<app>/api.py`` with a ``router``, mounted at /api/v1/<prefix>.
ROUTERS = {
    "registry": "/registry",
    "reports": "/reports",
    "cases": "/cases",
    "credit": "/credit",
    "detection": "/detection",
    "oversight": "/oversight",
}


def _mount_routers() -> None:
    for app, prefix in ROUTERS.items():
        module_name = f"minesweep.{app}.api"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        api.add_router(prefix, module.router)


_mount_routers()
