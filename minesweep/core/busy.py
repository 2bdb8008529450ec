"""A database that is busy or unreachable answers 503 with a retry time, never a 500.

SQLite (the embedded default) lets one writer at a time hold the database; a request that waits longer
than the connection's ``timeout`` fails with "database is locked". On PostgreSQL a lock or statement
timeout, a deadlock or a serialization failure, and a lost connection are the same kind of failure. None
of them is the user's mistake or a bug in the request: the write that met it is rolled back (every service
is one transaction), and the person is told to try again shortly.
The operator's log gets one warning line with the database's own message (no request data).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse

from minesweep.core.errors import DomainError, error_response

log = logging.getLogger("minesweep.busy")

RETRY_AFTER_SECONDS = 30


class DatabaseBusyError(DomainError):
    status = 503

    def __init__(
        self,
        message_zh: str = "系统繁忙，本次操作未能完成，请约半分钟后重试",
        message_en: str = "The system is busy and this action could not be completed; "
        "please try again in about half a minute",
    ) -> None:
        super().__init__("server.busy", message_zh, message_en)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}


def is_database_busy(exc: BaseException | None) -> bool:
    """A database error that a later retry may not meet: locked, timed out, deadlocked, unreachable.

    Django raises every driver's operational error as :class:`django.db.OperationalError` (psycopg's
    lock, statement-timeout, deadlock and serialization errors and SQLite's "database is locked" among
    them); programming and integrity errors are not of this kind and stay 500s that must be fixed."""
    return isinstance(exc, OperationalError)


def busy_error(exc: BaseException | None) -> DatabaseBusyError | None:
    """The 503 refusal for ``exc``, logged once for the operator, or None when it is another error."""
    if not is_database_busy(exc):
        return None
    log.warning("database busy or unavailable, request refused with 503: %s", str(exc)[:200])
    return DatabaseBusyError()


class DatabaseBusyMiddleware:
    """Web pages: a view that meets a busy database answers 503 (the API maps it in minesweep.api; a
    failure in a middleware after the view, such as saving the session, reaches ``web.views.server_error``,
    which gives the same answer)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        error = busy_error(exception)
        return error_response(request, error) if error is not None else None
