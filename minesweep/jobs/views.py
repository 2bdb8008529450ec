"""Job pages: the list of background jobs in the caller's jurisdiction, a JSON status for polling, and
cancelling a job."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from minesweep.accounts.access import staff_view
from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.roles import Role
from minesweep.core.errors import DomainError
from minesweep.core.i18n import pick
from minesweep.jobs.models import Job
from minesweep.jobs.selectors import job_get, job_list, job_status
from minesweep.jobs.services import job_cancel


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


@require_POST
@staff_view(Role.ANALYST)
def cancel(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    """Cancel a queued job or ask a running one to stop; back to the page the button was on."""
    job = job_get(scope=scope, pk=pk)  # outside the jurisdiction: 404, like a missing job
    try:
        job = job_cancel(actor=request.user, job=job)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.shown)
    else:
        done = job.status == Job.Status.CANCELLED
        messages.success(
            request,
            pick("任务已取消", "Job cancelled")
            if done
            else pick("已请求停止，任务将在下一步停下", "Asked to stop: the job stops at its next step"),
        )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("jobs:list")
