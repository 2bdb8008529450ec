"""One error family for the domain, mapped to HTTP once.

Services raise :class:`DomainError` (or a subclass) with a stable ``code`` and a message in Chinese and
English. Views and the API turn it into a 4xx answer; nothing a user sends can produce a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from minesweep.core.i18n import pick


class DomainError(Exception):
    """A refusal the user can act on. ``code`` is stable (``app.reason``); ``status`` is the HTTP status."""

    status = 400

    def __init__(self, code: str, message_zh: str, message_en: str, **extra: Any) -> None:
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.extra = extra
        super().__init__(f"{message_zh} / {message_en}")

    @property
    def message(self) -> str:
        """Both languages (command line, logs, API body); pages show :attr:`shown`."""
        return f"{self.message_zh} / {self.message_en}"

    def headers(self) -> dict[str, str]:
        """Extra response headers (e.g. Retry-After on a 429)."""
        return {}

    @property
    def shown(self) -> str:
        """The message in the active language only: what a page puts in front of a person."""
        return pick(self.message_zh, self.message_en)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            **({"extra": self.extra} if self.extra else {}),
        }


class PermissionDeniedError(DomainError):
    status = 403

    def __init__(
        self,
        code: str = "auth.forbidden",
        message_zh: str = "无权访问该记录",
        message_en: str = "You are not allowed to access this record",
        **extra: Any,
    ) -> None:
        super().__init__(code, message_zh, message_en, **extra)


class NotFoundError(DomainError):
    status = 404

    def __init__(
        self,
        code: str = "not_found",
        message_zh: str = "记录不存在",
        message_en: str = "No such record",
        **extra: Any,
    ) -> None:
        super().__init__(code, message_zh, message_en, **extra)


class TransitionError(DomainError):
    status = 409


def error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")
    if wants_json:
        response: HttpResponse = JsonResponse(error.as_dict(), status=error.status)
    else:
        response = render(request, "web/error.html", {"error": error}, status=error.status)
    return with_error_headers(response, error)


def with_error_headers(response: HttpResponse, error: DomainError) -> HttpResponse:
    for name, value in error.headers().items():
        response[name] = value
    return response


class DomainErrorMiddleware:
    """Turns a DomainError escaping a view into a readable 4xx page or JSON body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return error_response(request, exception)
        return None
