"""Leads: where every source (reports, analytics, lists from above, inspections) enters case work."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minesweep.core.i18n import bi
from minesweep.registry.models import Division, PowerAccount, Subject


class Lead(models.Model):
    """A lead (线索): a suspicion worth verifying, with the evidence that raised it."""

    class Source(models.TextChoices):
        PUBLIC_REPORT = "public_report", bi("群众举报", "Public report")
        METER_ANALYTICS = "meter_analytics", bi("用电数据分析", "Meter analytics")
        NETWORK_ANALYTICS = "network_analytics", bi("网络数据分析", "Network analytics")
        MONITORING_LIST = "monitoring_list", bi("上级交办", "Monitoring list from above")
        INSPECTION = "inspection", bi("检查发现", "Found in inspection")

    class Status(models.TextChoices):
        OPEN = "open", bi("待核查", "Open")
        VERIFYING = "verifying", bi("核查中", "Under verification")
        FILED = "filed", bi("已立案", "Filed")
        NOT_FILED = "not_filed", bi("不予立案", "Not filed")

    number = models.CharField(max_length=24, unique=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="leads")
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )
    power_account = models.ForeignKey(
        PowerAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )
    evidence = models.JSONField(default=dict, blank=True)
    source_ref = models.CharField(
        max_length=80, blank=True, help_text="id of the report, finding or list entry"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class LeadAttachment(models.Model):
    """A file that supports a lead (e.g. a load carpet plot); kept in the database so it commits with the lead."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=80)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
