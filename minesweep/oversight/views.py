"""Oversight pages: the dashboard (ECharts, own static files), the weekly progress report and the
1283号 register download — all within the viewer's jurisdiction."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minesweep.accounts.access import staff_view
from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.roles import Role
from minesweep.audit.services import audit_record
from minesweep.cases.models import Case, Lead
from minesweep.core.errors import DomainError
from minesweep.credit.models import ListingRecord
from minesweep.oversight.geo import map_data
from minesweep.oversight.register import register_rows, register_xlsx, weekly_progress
from minesweep.oversight.selectors import dashboard as dashboard_figures
from minesweep.oversight.selectors import jsonable, leagues_in, narrowed
from minesweep.registry.models import Division

READERS = (Role.LEADERSHIP, Role.INVESTIGATOR, Role.INTAKE_OFFICER, Role.ANALYST)


def _labels() -> dict[str, dict[str, str]]:
    return {
        "source": {s.value: str(s.label) for s in Lead.Source},
        "stage": {s.value: str(s.label) for s in Case.Stage},
        "blacklist": {s.value: str(s.label) for s in ListingRecord.Status},
    }


def _scope_name(scope: Scope) -> str:
    division = Division.objects.filter(code=(scope.prefix + "0000")[:6]).first()
    return division.name if division else scope.prefix


@staff_view(*READERS)
def dashboard(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    league = request.GET.get("league", "")[:6]
    view_scope = narrowed(scope, league)
    figures = dashboard_figures(scope=view_scope)
    return render(
        request,
        "oversight/dashboard.html",
        {
            "f": figures,
            "chart_data": {**jsonable(figures), "labels": _labels()},
            "leagues": leagues_in(scope),
            "league": league,
            "scope_name": _scope_name(view_scope),
        },
    )


@staff_view(*READERS)
def map_page(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """Leagues/cities and counties shaded by leads, cases or closed capacity; sites, leads and cases as
    points that open the object. Only the viewer's jurisdiction is drawn."""
    data = map_data(scope=scope)
    leagues = leagues_in(scope)
    rows = [
        {
            "code": d.code,
            "name": d.name,
            **data["counts"].get(d.code, {"leads": 0, "cases": 0, "closed_mw": 0}),
        }
        for d in leagues
    ]
    return render(
        request,
        "oversight/map.html",
        {"map_data": data, "rows": rows, "scope_name": _scope_name(scope)},
    )


@staff_view(*READERS)
def weekly(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    week_param = request.GET.get("week", "")[:10]
    try:
        week, progress = weekly_progress(scope=scope, week=week_param or None)
        _, source, rows = register_rows(scope=scope, week=week)
        error = None
    except DomainError as exc:
        week, progress, rows, source, error = week_param, [], [], "", exc
    return render(
        request,
        "oversight/weekly.html",
        {"week": week, "progress": progress, "rows": rows, "source": source, "error": error},
        status=error.status if error else 200,
    )


@staff_view(*READERS)
def register_download(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    week, count, data = register_xlsx(
        scope=scope, week=request.GET.get("week", "")[:10] or None, scope_name=_scope_name(scope)
    )
    audit_record(
        actor=request.user,
        action="oversight.register.export",
        target=("registry.week", week),
        detail={"week": week, "rows": count, "scope": scope.prefix},
        division_code=scope.division_code,
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="mining-register-{week}.xlsx"'
    return response
