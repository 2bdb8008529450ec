"""The JSON API (OpenAPI page at /api/v1/docs). Each app contributes a router; errors are JSON, never a 500."""

from __future__ import annotations

import importlib
import logging

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from minesweep.core.errors import DomainError

log = logging.getLogger(__name__)


class ChineseJSONRenderer(JSONRenderer):
    """Readable UTF-8 JSON: Chinese text is sent as itself, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Minesweep API",
    version="1",
    urls_namespace="api",
    renderer=ChineseJSONRenderer(),
    description="打击虚拟货币挖矿监管平台接口 / Minesweep API",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = [".".join(str(p) for p in error.get("loc", ())[1:]) or "body" for error in exc.errors]
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
