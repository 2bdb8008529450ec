"""Logs an operator can use: one JSON object per line with the request id, never a client address.

``RequestIdMiddleware`` gives every request an id (the proxy's ``X-Request-ID`` when it is well-formed,
else a fresh one), returns it in the response header and puts it on every log record written while the
request runs. ``JsonFormatter`` writes a fixed set of fields only (time, level, logger, message, request
id, exception), so nothing attached to a record (such as Django's ``request`` object) can leak into a log.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

_REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")


def current_request_id() -> str:
    return _REQUEST_ID.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or _REQUEST_ID.get(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = offered if _WELL_FORMED.fullmatch(offered) else uuid.uuid4().hex
        # Not reset on the way out: Django logs 4xx/5xx responses after the middleware chain has returned.
        # The next request on this thread sets its own id.
        _REQUEST_ID.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
