"""Forget who the client is before any other code sees the request.

The reporter's network address and user agent are never stored, logged or forwarded (DESIGN §5). This
middleware runs first: it derives a short-lived, salted fingerprint for flood control (kept only in memory,
the salt changes every hour and is never written anywhere) and then blanks the address and agent headers,
so no later view, logger, error page or third-party app can record them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

UNKNOWN_ADDRESS = "0.0.0.0"
_IDENTIFYING_HEADERS = (
    "REMOTE_ADDR",
    "REMOTE_HOST",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_USER_AGENT",
    "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_MOBILE",
    "HTTP_SEC_CH_UA_PLATFORM",
    "HTTP_VIA",
)
SALT_LIFETIME_SECONDS = 3600


class _RotatingSalt:
    """A random salt that is replaced every hour; old fingerprints stop matching after rotation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._salt = secrets.token_bytes(32)
        self._born = time.monotonic()

    def current(self) -> bytes:
        with self._lock:
            if time.monotonic() - self._born > SALT_LIFETIME_SECONDS:
                self._salt = secrets.token_bytes(32)
                self._born = time.monotonic()
            return self._salt


_SALT = _RotatingSalt()


def client_fingerprint(meta: dict[str, str]) -> str:
    """A salted hash of the client's address, meaningful only within this process and salt period.

    Only the socket address counts: forwarding headers are client-controlled. Behind a reverse proxy,
    ``minesweep serve --trusted-proxy ADDR`` lets waitress put the real client address into REMOTE_ADDR.
    """
    address = meta.get("REMOTE_ADDR", "")
    return hmac.new(_SALT.current(), address.encode(), hashlib.sha256).hexdigest()[:32]


def unknown_client_address(request: HttpRequest) -> str:
    """Used by django-axes: lockout is by user name, the address is never recorded."""
    return UNKNOWN_ADDRESS


class ForgetClientMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.client_fingerprint = client_fingerprint(request.META)  # type: ignore[attr-defined]
        for header in _IDENTIFYING_HEADERS:
            if header in request.META:
                request.META[header] = UNKNOWN_ADDRESS if header == "REMOTE_ADDR" else ""
        environ = getattr(request, "environ", None)
        if environ is not None and environ is not request.META:
            for header in _IDENTIFYING_HEADERS:
                environ.pop(header, None)
        return self.get_response(request)
