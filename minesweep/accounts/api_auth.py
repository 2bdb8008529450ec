"""Authentication for the staff JSON API (django-ninja): the same signed-in session as the pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import SessionAuth

from minesweep.accounts.access import is_fully_signed_in


class StaffSession(SessionAuth):
    """Session cookie of a fully signed-in staff member (TOTP verified outside demo mode)."""

    def authenticate(self, request: HttpRequest, key: str | None):  # type: ignore[override]
        user = super().authenticate(request, key)
        if user is None or not is_fully_signed_in(request):
            return None
        return user
