"""Requests that cannot even be read become a clear 4xx, never a 500 (web pages and the API alike).

Too large a body, a multipart body without a boundary, JSON nested past the parser's recursion limit, or a
number too large for the database (``offset=9999999999999999999``) are the client's mistakes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

from minesweep.core.errors import DomainError, error_response


class BodyTooLargeError(DomainError):
    status = 413


def bad_input_error(exc: BaseException) -> DomainError | None:
    """The refusal for an exception caused by unreadable input, or None when it is not one."""
    if isinstance(exc, RequestDataTooBig):
        return BodyTooLargeError(
            "request.too_large",
            "请求内容过大（上限 5 MB），请缩小后重试",
            "The request body is too large (limit 5 MB)",
        )
    if isinstance(exc, (MultiPartParserError, TooManyFieldsSent, BadRequest, SuspiciousOperation)):
        return DomainError(
            "request.unreadable",
            "请求格式无法解析，请检查后重试",
            "The request could not be read; check its format",
        )
    if isinstance(exc, RecursionError):
        return DomainError("request.too_deep", "请求内容嵌套过深", "The request body is nested too deeply")
    if isinstance(exc, (OverflowError, DataError)):
        return DomainError(
            "request.out_of_range", "请求中的数值超出允许范围", "A number in the request is out of range"
        )
    return None


class BadInputMiddleware:
    """Web pages: the same 4xx for unreadable requests (the API maps them in minesweep.api)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        error = bad_input_error(exception)
        return error_response(request, error) if error is not None else None
