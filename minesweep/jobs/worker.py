"""The job worker: claims queued jobs and runs their handlers, one at a time.

Two ways to run it:

* ``minesweep worker`` — a separate process (use this in production; several may run at once, on
  PostgreSQL they claim with ``SKIP LOCKED``);
* :func:`start_background_worker` — a daemon thread inside the web process, for one-machine set-ups
  (``minesweep serve`` should call it; ``MINESWEEP_JOBS_IN_PROCESS=1`` starts it from app start-up).

On start a worker requeues jobs left ``running`` by a dead worker (see :func:`jobs_recover`).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import close_old_connections, connections

from minesweep.core.errors import DomainError
from minesweep.core.ratelimit import counters_purge
from minesweep.jobs.models import Job
from minesweep.jobs.registry import discover, handler_for
from minesweep.jobs.services import (
    job_cancel_requested,
    job_claim,
    job_fail,
    job_heartbeat,
    job_progress,
    job_start,
    job_stopped,
    job_succeed,
    jobs_recover,
    worker_identity,
)

log = logging.getLogger(__name__)
HEARTBEAT_S = 30.0
PROGRESS_MIN_INTERVAL_S = 0.5

_live_workers: set[str] = set()
_background: tuple[threading.Thread, threading.Event] | None = None
_background_lock = threading.Lock()


class JobCancelled(Exception):
    """Raised from a progress report when someone asked the job to stop; the worker records it."""


class _Reporter:
    """The ``progress(fraction, zh, en)`` callable handed to a handler; writes at most twice a second,
    and when it writes it also asks whether the job should stop (raising :class:`JobCancelled`)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.last = 0.0

    def __call__(self, fraction: float, message_zh: str = "", message_en: str = "") -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_MIN_INTERVAL_S and fraction < 1.0 and not message_zh:
            return
        self.last = now
        if job_cancel_requested(job_id=self.job.pk):
            raise JobCancelled
        job_progress(job=self.job, fraction=fraction, message_zh=message_zh, message_en=message_en)


def _release_connections() -> None:
    """Close stale database connections between jobs, but never one inside a transaction (a caller's
    ``atomic`` block, such as a test's or the demo loader's, must keep its connection)."""
    if not any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
        close_old_connections()


def _heartbeat(job_id: int, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_S):
        try:
            job_heartbeat(job_id=job_id)
        except Exception:  # a missed heartbeat must not kill the job
            log.warning("heartbeat for job %s failed", job_id, exc_info=True)
        finally:
            close_old_connections()


def execute(job: Job) -> Job:
    """Run one claimed job to its end; every outcome is recorded on the job, nothing escapes."""
    handler = handler_for(job.kind)
    if handler is None:
        return job_fail(
            job=job,
            code="jobs.unknown_kind",
            message_zh=f"未知的任务类型：{job.kind}",
            message_en=f"Unknown job kind: {job.kind}",
        )
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(job.pk, stop), daemon=True, name=f"job-{job.pk}-beat")
    beat.start()
    try:
        result = handler(job, _Reporter(job))
    except JobCancelled:
        log.info("job %s (%s) stopped on request", job.pk, job.kind)
        return job_stopped(job=job)
    except DomainError as error:
        return job_fail(job=job, code=error.code, message_zh=error.message_zh, message_en=error.message_en)
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        return job_fail(
            job=job,
            code="jobs.crashed",
            message_zh="任务处理出错，已记录日志；请检查输入后重试或联系管理员",
            message_en="The job failed with an internal error (logged); check the input and retry, or ask an administrator",
        )
    finally:
        stop.set()
    return job_succeed(job=job, result=result if isinstance(result, dict) else {"value": result})


def run_job_inline(job: Job, *, worker: str = "inline") -> Job:
    """Run one queued job synchronously in this thread (demo data, tests); same records as the worker."""
    return execute(job_start(job=job, worker=worker))


RECOVER_EVERY_S = 60.0


def _recover_orphans() -> None:
    try:
        recovered = jobs_recover(live_workers=frozenset(_live_workers))
    except Exception:
        log.exception("could not check for orphaned jobs")
        return
    if recovered:
        log.info("requeued %d job(s) left running by a stopped worker", len(recovered))
    try:
        counters_purge()  # expired rate-limit rows (minesweep.core.ratelimit)
    except Exception:
        log.exception("could not purge expired counters")


def run_worker(
    *, stop: threading.Event | None = None, poll_s: float = 1.0, once: bool = False, worker: str | None = None
) -> int:
    """Process jobs until ``stop`` is set (or, with ``once``, until the queue is empty). Returns jobs run."""
    stop = stop or threading.Event()
    name = worker or worker_identity()
    _live_workers.add(name)
    discover()
    done = 0
    last_recovery = float("-inf")
    try:
        while not stop.is_set():
            # Not only at start: a job orphaned by a dead host must not wait for some worker to restart.
            if time.monotonic() - last_recovery >= RECOVER_EVERY_S:
                _recover_orphans()
                last_recovery = time.monotonic()
            try:
                job = job_claim(worker=name)
            except Exception:
                log.exception("could not claim a job")
                job = None
                if once:
                    break
            if job is None:
                _release_connections()
                if once:
                    break
                stop.wait(poll_s)
                continue
            execute(job)
            done += 1
            _release_connections()
    finally:
        _live_workers.discard(name)
        _release_connections()
    return done


def start_background_worker(poll_s: float = 1.0) -> threading.Thread:
    """Start (once per process) a daemon thread running :func:`run_worker`; returns the thread."""
    global _background
    with _background_lock:
        if _background is not None and _background[0].is_alive():
            return _background[0]
        stop = threading.Event()
        thread = threading.Thread(
            target=_run_forever, kwargs={"stop": stop, "poll_s": poll_s}, daemon=True, name="minesweep-jobs"
        )
        _background = (thread, stop)
        thread.start()
        return thread


def stop_background_worker(timeout: float = 10.0) -> None:
    global _background
    with _background_lock:
        if _background is None:
            return
        thread, stop = _background
        stop.set()
        thread.join(timeout)
        _background = None


def _run_forever(**kwargs: Any) -> None:
    stop: threading.Event = kwargs["stop"]
    while not stop.is_set():
        try:
            run_worker(**kwargs)
        except Exception:  # keep the in-process worker alive across database hiccups
            log.exception("background job worker stopped; restarting in 5 s")
            stop.wait(5.0)
