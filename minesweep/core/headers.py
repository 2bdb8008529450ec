"""Response headers every page gets: the Content Security Policy (settings.CONTENT_SECURITY_POLICY).

Django's SecurityMiddleware covers HSTS, nosniff, referrer policy and the SSL redirect; this adds the one
header it does not send. Scripts and styles come from our own origin only (no CDN, no inline script).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
