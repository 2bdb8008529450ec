"""Background jobs (后台任务): a durable, database-backed queue with progress.

A job row is the whole truth about a piece of background work: what to do (``kind`` + ``params``),
where it stands (``status``, ``progress`` in [0, 1] with a bilingual message), what came out
(``result`` or a bilingual ``error``) and who asked for it, in which jurisdiction. Workers claim queued
jobs in creation order; a job left ``running`` by a dead worker is requeued when a worker starts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minesweep.core.i18n import bi, pick
from minesweep.registry.models import Division


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", bi("排队中", "Queued")
        RUNNING = "running", bi("运行中", "Running")
        SUCCEEDED = "succeeded", bi("已完成", "Succeeded")
        FAILED = "failed", bi("失败", "Failed")
        CANCELLED = "cancelled", bi("已取消", "Cancelled")

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    kind = models.CharField(max_length=80, help_text="registered handler name, e.g. detection.meter_run")
    title = models.CharField(max_length=200, blank=True)
    title_en = models.CharField(max_length=200, blank=True, help_text="the platform's English for the title")
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.FloatField(default=0.0, help_text="0–1")
    message_zh = models.CharField(max_length=300, blank=True)
    message_en = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error_code = models.CharField(max_length=80, blank=True)
    error_zh = models.TextField(blank=True)
    error_en = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(
        default=False, help_text="asked to stop: the worker stops at the job's next progress report"
    )
    worker = models.CharField(max_length=120, blank=True, help_text="host:pid:token of the claiming worker")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="job_queue_order")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0.0) & models.Q(progress__lte=1.0), name="job_progress_0_1"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.status}"

    @property
    def title_shown(self) -> str:
        """The title in the reader's language (one at a time): the English where the platform wrote one."""
        return pick(self.title, self.title_en or self.title)

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def message(self) -> str:
        return pick(self.message_zh, self.message_en or self.message_zh)

    @property
    def error(self) -> str:
        return pick(self.error_zh, self.error_en or self.error_zh)

    @property
    def percent(self) -> int:
        return int(round(self.progress * 100))
