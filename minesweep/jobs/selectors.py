"""Reads of jobs, scoped to the caller's jurisdiction (a job belongs to the division it was started in)."""

from __future__ import annotations

from django.db.models import QuerySet

from minesweep.accounts.jurisdiction import Scope, get_scoped, scoped
from minesweep.jobs.models import Job


def job_list(*, scope: Scope | None, kind_prefix: str = "") -> QuerySet[Job]:
    jobs = scoped(Job.objects.select_related("division", "created_by"), scope)
    if kind_prefix:
        jobs = jobs.filter(kind__startswith=kind_prefix)
    return jobs.order_by("-created_at", "-id")


def job_get(*, scope: Scope | None, pk: int) -> Job:
    return get_scoped(Job.objects.select_related("division"), scope, pk=pk)


def job_status(job: Job) -> dict[str, object]:
    """What the progress poller needs (no parameters: they may name server paths)."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_display": job.get_status_display(),
        "finished": job.is_finished,
        "progress": round(job.progress, 4),
        "percent": job.percent,
        "message": job.message,
        "error": job.error if job.status == Job.Status.FAILED else "",
        "error_code": job.error_code,
        "cancel_requested": job.cancel_requested,
    }
