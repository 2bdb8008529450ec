"""Landing page, staff home and the error pages (never a stack trace, never request metadata)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minesweep.accounts.access import staff_view
from minesweep.accounts.jurisdiction import Scope, scoped
from minesweep.accounts.roles import Role
from minesweep.cases.models import Lead
from minesweep.core.busy import busy_error
from minesweep.core.errors import DomainError, NotFoundError, PermissionDeniedError, error_response
from minesweep.registry.models import MiningProject, PowerAccount, Subject


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: answer with the site icon (SVG)."""
    icon = finders.find("web/favicon.svg")
    response = HttpResponse(Path(str(icon)).read_bytes(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "web/landing.html")


@staff_view()
def home(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    counts = {
        "subjects": scoped(Subject.objects.all(), scope).count(),
        "power_accounts": scoped(PowerAccount.objects.all(), scope).count(),
        "projects": scoped(MiningProject.objects.all(), scope).count(),
        "open_leads": scoped(Lead.objects.filter(status__in=["open", "verifying"]), scope).count(),
    }
    # A liaison works on her department's tasks only: no lead titles of the jurisdiction on her home page.
    is_liaison = scope.role == Role.DEPARTMENT_LIAISON
    leads = [] if is_liaison else scoped(Lead.objects.select_related("division"), scope)[:10]
    return render(request, "web/home.html", {"counts": counts, "leads": leads, "is_liaison": is_liaison})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    error = DomainError("bad_request", "请求无效", "The request is not valid")
    return render(request, "web/error.html", {"error": error}, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"error": PermissionDeniedError()}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"error": NotFoundError()}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this while handling the exception, so ``sys.exc_info`` names it: a busy database
    (also met after the view, e.g. saving the session) is a 503 with a retry time, not an internal error."""
    busy = busy_error(sys.exc_info()[1])
    if busy is not None:
        return error_response(request, busy)
    error = DomainError(
        "server_error",
        "系统内部错误，已记录，请稍后再试",
        "Internal error; it was logged, please retry later",
    )
    error.status = 500
    return render(request, "web/error.html", {"error": error}, status=500)
