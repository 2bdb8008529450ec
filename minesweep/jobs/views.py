"""Job pages: the list of background jobs in the caller's jurisdiction and a JSON status for polling."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from minesweep.accounts.access import staff_view
from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.roles import Role
from minesweep.jobs.selectors import job_get, job_list, job_status


@staff_view(Role.ANALYST, Role.LEADERSHIP)
def jobs(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    page = Paginator(job_list(scope=scope), 50).get_page(request.GET.get("page"))
    return render(request, "jobs/list.html", {"page": page})


@staff_view(Role.ANALYST, Role.LEADERSHIP)
def status(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    response = JsonResponse(
        job_status(job_get(scope=scope, pk=pk)), json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "no-store"
    return response
