"""State changes of jobs. Status transitions write an audit event in the same transaction.

Progress updates (``job_progress``) and heartbeats are not audited: they are frequent, carry no decision
and are overwritten by the next one; the transitions around them (queued → running → succeeded/failed,
requeued after a crash) are.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from minesweep.audit.services import audit_record
from minesweep.core.errors import DomainError, TransitionError
from minesweep.jobs.models import Job
from minesweep.jobs.registry import handler_for
from minesweep.registry.models import Division

#: A running job whose heartbeat is older than this is taken to be orphaned.
log = logging.getLogger(__name__)
STALE_AFTER = timedelta(seconds=settings.JOBS_ORPHAN_AFTER_SECONDS)
#: A job that took its worker down this many times is failed instead of requeued (a poison job).
MAX_ATTEMPTS = 3
MESSAGE_MAX = 300


def _audit(job: Job, action: str, actor: AbstractBaseUser | str | None = None, **detail: Any) -> None:
    audit_record(
        actor=actor if actor is not None else "system",
        action=f"jobs.job.{action}",
        target=job,
        after={"status": job.status, "kind": job.kind},
        detail={"kind": job.kind, **detail},
        division_code=job.division_id,
    )


@transaction.atomic
def job_enqueue(
    *,
    actor: AbstractBaseUser | str | None,
    kind: str,
    division: Division,
    params: dict[str, Any] | None = None,
    title: str = "",
    title_en: str = "",
) -> Job:
    """Queue a job of a registered ``kind``; the worker picks it up in creation order. ``title`` is
    Chinese, ``title_en`` its English (shown to English readers instead)."""
    if handler_for(kind) is None:
        raise DomainError("jobs.unknown_kind", f"未知的任务类型：{kind}", f"Unknown job kind: {kind}")
    job = Job.objects.create(
        kind=kind,
        title=title[:200],
        title_en=title_en[:200],
        params=params or {},
        division=division,
        created_by_id=actor.pk if isinstance(actor, AbstractBaseUser) else None,
        message_zh="排队等待中",
        message_en="Waiting in the queue",
    )
    _audit(job, "enqueue", actor)
    return job


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"


def _mark_running(job: Job, worker: str) -> Job:
    now = timezone.now()
    job.status = Job.Status.RUNNING
    job.started_at = job.heartbeat_at = now
    job.attempts += 1
    job.worker = worker[:120]
    job.message_zh, job.message_en = "已开始", "Started"
    job.save(
        update_fields=[
            "status",
            "started_at",
            "heartbeat_at",
            "attempts",
            "worker",
            "message_zh",
            "message_en",
        ]
    )
    _audit(job, "start", worker=job.worker, attempt=job.attempts)
    return job


@transaction.atomic
def job_claim(*, worker: str) -> Job | None:
    """Take the oldest queued job and mark it running (skip-locked where the database supports it)."""
    queue = Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        queue = queue.select_for_update(skip_locked=True)
    job = queue.first()
    return _mark_running(job, worker) if job is not None else None


@transaction.atomic
def job_start(*, job: Job, worker: str) -> Job:
    """Mark one particular queued job running (for running it inline instead of through the queue)."""
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.status != Job.Status.QUEUED:
        raise TransitionError(
            "jobs.not_queued", "该任务不在排队状态，无法开始", "This job is not queued and cannot be started"
        )
    return _mark_running(locked, worker)


def job_progress(*, job: Job, fraction: float, message_zh: str = "", message_en: str = "") -> None:
    """Record progress (clamped to [0, 1], never going backwards) and refresh the heartbeat."""
    fraction = min(1.0, max(job.progress, float(fraction) if fraction == fraction else 0.0))
    job.progress = fraction
    fields: dict[str, Any] = {"progress": fraction, "heartbeat_at": timezone.now()}
    if message_zh or message_en:
        job.message_zh, job.message_en = message_zh[:MESSAGE_MAX], (message_en or message_zh)[:MESSAGE_MAX]
        fields.update(message_zh=job.message_zh, message_en=job.message_en)
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker, attempts=job.attempts).update(
        **fields
    )


def job_heartbeat(*, job_id: int) -> None:
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())


def _still_owned(job: Job) -> Job | None:
    """The job, locked, if it is still running under this very claim (same worker, same attempt); None when
    it was requeued and claimed again meanwhile (a stalled worker must not finish it a second time)."""
    return (
        Job.objects.select_for_update()
        .filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker, attempts=job.attempts)
        .first()
    )


def _lost(job: Job) -> Job:
    log.warning("job %s: worker %s no longer owns it; its outcome is dropped", job.pk, job.worker)
    job.refresh_from_db()
    return job


@transaction.atomic
def job_succeed(*, job: Job, result: dict[str, Any]) -> Job:
    if _still_owned(job) is None:
        return _lost(job)
    job.status = Job.Status.SUCCEEDED
    job.progress = 1.0
    job.result = result
    job.finished_at = timezone.now()
    job.message_zh, job.message_en = "已完成", "Finished"
    job.save(update_fields=["status", "progress", "result", "finished_at", "message_zh", "message_en"])
    _audit(job, "succeed")
    return job


@transaction.atomic
def job_fail(*, job: Job, code: str, message_zh: str, message_en: str) -> Job:
    if job.status == Job.Status.RUNNING and _still_owned(job) is None:
        return _lost(job)
    job.status = Job.Status.FAILED
    job.error_code = code[:80]
    job.error_zh, job.error_en = message_zh, message_en
    job.finished_at = timezone.now()
    job.message_zh, job.message_en = "失败", "Failed"
    job.save(
        update_fields=[
            "status",
            "error_code",
            "error_zh",
            "error_en",
            "finished_at",
            "message_zh",
            "message_en",
        ]
    )
    _audit(job, "fail", code=code)
    return job


@transaction.atomic
def job_cancel(*, actor: AbstractBaseUser | str, job: Job) -> Job:
    """Stop a job: a queued one is cancelled at once; a running one is asked to stop, and its worker
    stops at the next progress report (within a partition or a few megabytes of a capture)."""
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.is_finished:
        raise TransitionError(
            "jobs.already_finished",
            "该任务已结束，无法取消",
            "This job has already finished and cannot be cancelled",
        )
    if locked.status == Job.Status.QUEUED:
        return _mark_cancelled(locked, actor)
    locked.cancel_requested = True
    locked.message_zh, locked.message_en = "正在取消……", "Cancelling…"
    locked.save(update_fields=["cancel_requested", "message_zh", "message_en"])
    _audit(locked, "cancel_request", actor)
    return locked


def job_cancel_requested(*, job_id: int) -> bool:
    return Job.objects.filter(pk=job_id, cancel_requested=True).exists()


@transaction.atomic
def job_stopped(*, job: Job) -> Job:
    """Record that a running job stopped because it was asked to (called by the worker)."""
    owned = _still_owned(job)
    return _mark_cancelled(owned, "system") if owned is not None else _lost(job)


def _mark_cancelled(job: Job, actor: AbstractBaseUser | str) -> Job:
    job.status = Job.Status.CANCELLED
    job.finished_at = timezone.now()
    job.message_zh, job.message_en = "已取消", "Cancelled"
    job.save(update_fields=["status", "finished_at", "message_zh", "message_en"])
    _audit(job, "cancel", actor)
    return job


def _process_alive(worker: str) -> bool:
    """Whether the worker named ``host:pid:token`` still runs (only answerable on this host)."""
    host, _, rest = worker.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # another machine: rely on the heartbeat
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@transaction.atomic
def jobs_recover(*, live_workers: frozenset[str] = frozenset()) -> list[Job]:
    """Requeue jobs left running by a dead worker (its process is gone, or its heartbeat is stale).

    Workers named in ``live_workers`` (those of this process) are left alone. A job already tried
    ``MAX_ATTEMPTS`` times is failed instead, so one bad input cannot crash workers for ever.
    """
    stale_before = timezone.now() - STALE_AFTER
    recovered = []
    for job in Job.objects.select_for_update().filter(status=Job.Status.RUNNING):
        if job.worker in live_workers:
            continue
        dead = not _process_alive(job.worker) or job.heartbeat_at is None or job.heartbeat_at < stale_before
        if not dead:
            continue
        if job.cancel_requested:  # it was being stopped anyway: do not run it again
            _mark_cancelled(job, "system")
        elif job.attempts >= MAX_ATTEMPTS:
            job_fail(
                job=job,
                code="jobs.gave_up",
                message_zh=f"任务已尝试 {job.attempts} 次，每次处理进程都中断，已停止重试",
                message_en=f"The worker stopped during each of {job.attempts} attempts; not retrying",
            )
        else:
            job.status = Job.Status.QUEUED
            job.worker = ""
            job.message_zh, job.message_en = "处理进程中断，已重新排队", "The worker stopped; queued again"
            job.save(update_fields=["status", "worker", "message_zh", "message_en"])
            _audit(job, "requeue", attempt=job.attempts)
        recovered.append(job)
    return recovered
