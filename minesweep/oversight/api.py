"""Dashboard figures as JSON (scoped to the caller; ``league`` narrows within it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from minesweep.accounts.api_auth import StaffSession
from minesweep.accounts.jurisdiction import require_scope
from minesweep.oversight.selectors import dashboard, jsonable, narrowed
from minesweep.oversight.views import READERS

router = Router(auth=StaffSession(), tags=["oversight"])


@router.get("/dashboard", response=dict[str, Any])
def dashboard_figures(request: HttpRequest, league: str = ""):  # type: ignore[no-untyped-def]
    scope = narrowed(require_scope(request.user, *READERS), league[:6])
    return jsonable(dashboard(scope=scope))
