"""View decorators: staff only, second factor verified, optional roles. Deny by default."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from minesweep.accounts.jurisdiction import require_scope
from minesweep.accounts.roles import Role

View = Callable[..., HttpResponse]


def is_fully_signed_in(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    return not settings.REQUIRE_TOTP or bool(getattr(user, "is_verified", lambda: False)())


def staff_view(*roles: Role) -> Callable[[View], View]:
    """Require a signed-in (and, outside demo mode, TOTP-verified) staff member with one of ``roles``.

    The view receives ``scope`` as a keyword argument.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_fully_signed_in(request):
                return redirect_to_login(request.get_full_path())
            scope = require_scope(request.user, *roles)
            return view(request, *args, scope=scope, **kwargs)

        return wrapper

    return decorate
