"""The job queue: claim order, progress, success and failure records, crash recovery, the worker command."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from minesweep.audit.models import AuditEvent
from minesweep.core.errors import DomainError
from minesweep.jobs.models import Job
from minesweep.jobs.registry import job_handler
from minesweep.jobs.services import MAX_ATTEMPTS, job_claim, job_enqueue, jobs_recover
from minesweep.jobs.worker import run_job_inline, run_worker, start_background_worker, stop_background_worker
from minesweep.registry.models import Division

pytestmark = pytest.mark.django_db


@job_handler("test.echo")
def _echo(job, progress):  # type: ignore[no-untyped-def]
    progress(0.5, "一半", "half way")
    return {"echo": job.params.get("value")}


@job_handler("test.refuse")
def _refuse(job, progress):  # type: ignore[no-untyped-def]
    raise DomainError("test.bad_input", "输入有误", "Bad input")


@job_handler("test.crash")
def _crash(job, progress):  # type: ignore[no-untyped-def]
    raise RuntimeError("secret internal detail")


def _queue(kind: str = "test.echo", **params: object) -> Job:
    return job_enqueue(actor="test", kind=kind, division=Division.objects.get(code="150200"), params=params)


def test_it_refuses_an_unknown_kind():
    with pytest.raises(DomainError) as caught:
        _queue("no.such.kind")
    assert caught.value.code == "jobs.unknown_kind" and not Job.objects.exists()


def test_it_runs_queued_jobs_in_creation_order_and_records_the_result():
    first, second = _queue(value=1), _queue(value=2)
    assert run_worker(once=True, worker="w") == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Job.Status.SUCCEEDED
    assert first.result == {"echo": 1} and second.result == {"echo": 2}
    assert first.started_at <= second.started_at and first.progress == 1.0
    actions = list(AuditEvent.objects.filter(object_id=str(first.pk)).values_list("action", flat=True))
    assert actions == ["jobs.job.enqueue", "jobs.job.start", "jobs.job.succeed"]


def test_it_records_a_domain_error_with_both_languages():
    job = run_job_inline(_queue("test.refuse"))
    assert job.status == Job.Status.FAILED and job.error_code == "test.bad_input"
    assert job.error_zh == "输入有误" and job.error_en == "Bad input"


def test_it_hides_internal_errors_behind_a_plain_message():
    job = run_job_inline(_queue("test.crash"))
    assert job.status == Job.Status.FAILED and job.error_code == "jobs.crashed"
    assert "secret" not in job.error_zh + job.error_en


def test_it_requeues_a_job_left_running_by_a_dead_worker():
    job = _queue()
    claimed = job_claim(worker="this-host-is-elsewhere:1:x")
    assert claimed is not None and claimed.pk == job.pk
    assert jobs_recover() == []  # another host, fresh heartbeat: left alone
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert [j.pk for j in jobs_recover()] == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    run_worker(once=True)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2


def test_it_gives_up_on_a_job_that_keeps_killing_workers():
    job = _queue()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=MAX_ATTEMPTS, worker="elsewhere:1:x", heartbeat_at=None
    )
    jobs_recover()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error_code == "jobs.gave_up"


def test_it_runs_jobs_from_the_worker_command():
    job = _queue(value="cli")
    call_command("worker", "--once")
    job.refresh_from_db()
    assert job.result == {"echo": "cli"}


@pytest.mark.django_db(transaction=True)
def test_it_runs_jobs_in_a_background_thread():
    job = _queue(value="thread")
    start_background_worker(poll_s=0.1)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                job.refresh_from_db()
            except OperationalError as exc:
                # The tests' SQLite is in memory with a shared cache: a read that meets the worker's write
                # lock fails at once (SQLITE_LOCKED ignores the busy timeout; the file database the app
                # runs on waits instead), so the poll reads again.
                if "locked" not in str(exc):
                    raise
            else:
                if job.is_finished:
                    break
            time.sleep(0.1)
    finally:
        stop_background_worker()
    assert job.status == Job.Status.SUCCEEDED
    assert not any(t.name == "minesweep-jobs" for t in threading.enumerate())


@job_handler("test.long")
def _long(job, progress):  # type: ignore[no-untyped-def]
    """Reports progress with a message (so every report is written) until it is stopped."""
    from minesweep.jobs.services import job_cancel

    for step in range(100):
        if step == 3:  # someone presses "cancel" while it runs
            job_cancel(actor="analyst", job=job)
        progress(step / 100, f"第 {step} 步", f"step {step}")
    return {"finished": True}


def test_it_cancels_a_queued_job_before_it_runs():
    from minesweep.jobs.services import job_cancel

    job = _queue(value=1)
    job = job_cancel(actor="analyst", job=job)
    assert job.status == Job.Status.CANCELLED and job.is_finished and job.finished_at is not None
    assert run_worker(once=True, worker="w") == 0  # nothing left to claim
    actions = list(AuditEvent.objects.filter(object_id=str(job.pk)).values_list("action", flat=True))
    assert actions == ["jobs.job.enqueue", "jobs.job.cancel"]


def test_it_stops_a_running_job_at_its_next_progress_report():
    job = _queue("test.long")
    run_worker(once=True, worker="w")
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.result == {} and job.progress < 0.05
    actions = list(AuditEvent.objects.filter(object_id=str(job.pk)).values_list("action", flat=True))
    assert actions == ["jobs.job.enqueue", "jobs.job.start", "jobs.job.cancel_request", "jobs.job.cancel"]


def test_it_refuses_to_cancel_a_finished_job():
    from minesweep.core.errors import TransitionError
    from minesweep.jobs.services import job_cancel

    job = run_job_inline(_queue(value=1))
    with pytest.raises(TransitionError) as caught:
        job_cancel(actor="analyst", job=job)
    assert caught.value.code == "jobs.already_finished"
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED


def test_a_job_being_cancelled_when_its_worker_died_is_not_run_again():
    job = _queue("test.long")
    claimed = job_claim(worker="gone-host:1:abc")
    assert claimed is not None
    Job.objects.filter(pk=job.pk).update(
        cancel_requested=True, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    jobs_recover()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED


def test_a_stalled_worker_cannot_finish_a_job_that_was_requeued_and_claimed_again():
    from minesweep.jobs.services import job_progress, job_succeed

    job = _queue(value="once")
    stalled = job_claim(worker="stalled-host:1:a")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    jobs_recover()
    fresh = job_claim(worker="fresh-host:2:b")
    assert fresh is not None and fresh.pk == job.pk
    job_progress(job=stalled, fraction=0.9, message_zh="旧", message_en="old")
    outcome = job_succeed(job=stalled, result={"from": "stalled"})
    assert outcome.status == Job.Status.RUNNING and outcome.worker == "fresh-host:2:b"
    assert outcome.result == {} and outcome.progress == 0.0
    job_succeed(job=fresh, result={"from": "fresh"})
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result == {"from": "fresh"}
    assert AuditEvent.objects.filter(object_id=str(job.pk), action="jobs.job.succeed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_recovers_orphans_periodically_not_only_at_start(monkeypatch):
    from minesweep.jobs import worker as worker_module

    monkeypatch.setattr(worker_module, "RECOVER_EVERY_S", 0.2)
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker, kwargs={"stop": stop, "poll_s": 0.05, "worker": "w"}, daemon=True
    )
    thread.start()
    try:
        time.sleep(0.5)  # the worker is up and has done its start-up recovery
        job = _queue(value="orphan")
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.RUNNING,
            worker="dead-host:9:z",
            attempts=1,
            heartbeat_at=timezone.now() - timedelta(hours=1),
        )
        for _ in range(100):
            job.refresh_from_db()
            if job.status == Job.Status.SUCCEEDED:
                break
            time.sleep(0.1)
        assert job.status == Job.Status.SUCCEEDED and job.result == {"echo": "orphan"}
    finally:
        stop.set()
        thread.join(10)
