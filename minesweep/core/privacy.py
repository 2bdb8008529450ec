"""Forget who the client is before any other code sees the request.

The reporter's network address and user agent are never stored, logged or forwarded (DESIGN §5). This
middleware runs first: it derives a short-lived, keyed fingerprint for flood control (the key is derived
from SECRET_KEY and the hour, never written anywhere; counters keyed by it expire within their window) and then blanks the address and agent headers,
so no later view, logger, error page or third-party app can record them.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

from django.conf import settings
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


def _hourly_salt(now: float | None = None) -> bytes:
    """The salt of the current hour: derived from SECRET_KEY, so every server process (and machine) gives a
    client the same fingerprint and shared rate limits work, yet it is never stored and changes each hour."""
    hour = int((time.time() if now is None else now) // SALT_LIFETIME_SECONDS)
    return hmac.new(
        settings.SECRET_KEY.encode(), f"client-fingerprint:{hour}".encode(), hashlib.sha256
    ).digest()


def client_fingerprint(meta: dict[str, str]) -> str:
    """A keyed hash of the client's address, meaningful only within the current hour.

    Only the socket address counts: forwarding headers are client-controlled. Behind a reverse proxy,
    ``minesweep serve --trusted-proxy ADDR`` lets waitress put the real client address into REMOTE_ADDR.
    """
    address = meta.get("REMOTE_ADDR", "")
    return hmac.new(_hourly_salt(), address.encode(), hashlib.sha256).hexdigest()[:32]


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
