from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from minesweep.accounts.jurisdiction import staff_profile
from minesweep.accounts.roles import Role
from minesweep.web.navigation import nav_for


def staff_context(request: HttpRequest) -> dict[str, Any]:
    """The signed-in staff profile (or None), their menu, whether they may stop background jobs, and
    whether this is a demo, for the page layout."""
    profile = staff_profile(getattr(request, "user", None))
    return {
        "staff": profile,
        "can_cancel_jobs": bool(profile and profile.role in (Role.ANALYST, Role.ADMINISTRATOR)),
        "nav_items": nav_for(profile.role) if profile else [],
        "demo_mode": settings.DEMO_MODE,
    }
