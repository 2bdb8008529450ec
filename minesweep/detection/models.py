"""Detection findings (监测分析结果): meter runs with their scored accounts, network scans with their hosts.

A run or scan belongs to the division of the analyst who started it. Each finding carries its own
division: the registry's division of the power account or of the IP allocation it maps to when known,
else the run's. Staff see findings inside their jurisdiction only (deny by default).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minesweep.cases.models import Lead
from minesweep.core.i18n import bi
from minesweep.detection.meter.balance import next_step_after
from minesweep.detection.meter.rigs import DEFAULT_RIG, rig_power_kw
from minesweep.detection.meter.scoring import UPPER_BOUND_BASES
from minesweep.jobs.models import Job
from minesweep.registry.models import Division, IPAllocation, PowerAccount, Subject


class MeterRun(models.Model):
    """One meter-data detection run (用电数据检测任务) over an uploaded file or a server-side path."""

    class Source(models.TextChoices):
        UPLOAD = "upload", bi("上传文件", "Uploaded file")
        SERVER_PATH = "server_path", bi("服务器数据目录", "Server data folder")
        DEMO = "demo", bi("演示数据", "Demo data")

    name = models.CharField(max_length=200)
    source = models.CharField(max_length=12, choices=Source.choices)
    source_label = models.CharField(
        max_length=300, help_text="file name or path under DATA_ROOT, for display"
    )
    params = models.JSONField(default=dict, blank=True)
    job = models.OneToOneField(Job, null=True, blank=True, on_delete=models.PROTECT, related_name="meter_run")
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="meter_runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    dataset_path = models.CharField(
        max_length=500, blank=True, help_text="normalised readings used (for evidence)"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class MeterSuspect(models.Model):
    """One scored account of a run (score in [0, 1], reasons, estimates an inspector can check)."""

    run = models.ForeignKey(MeterRun, on_delete=models.CASCADE, related_name="suspects")
    rank = models.PositiveIntegerField()
    account_id = models.CharField(max_length=60)
    power_account = models.ForeignKey(
        PowerAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="meter_findings"
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="meter_findings")
    score = models.FloatField()
    suspect = models.BooleanField()
    est_mining_kw = models.FloatField(null=True, blank=True)
    est_rigs = models.IntegerField(null=True, blank=True)
    est_mining_kwh = models.FloatField(null=True, blank=True)
    first_seen = models.DateField(null=True, blank=True)
    est_basis = models.CharField(max_length=20, blank=True)
    route = models.CharField(max_length=40, blank=True)
    reasons = models.JSONField(default=dict, blank=True)
    features = models.JSONField(default=dict, blank=True)
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["run", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "account_id"], name="one_finding_per_account")]
        indexes = [models.Index(fields=["run", "score"], name="meter_suspect_score")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.score:.3f}"

    def kw_words(self) -> tuple[str, str]:
        """The estimated mining load as a lead or a target states it (zh, en), "an upper bound" said where the
        figure counts whatever else shares the meter (no jump in the window: ``UPPER_BOUND_BASES``)."""
        if self.est_mining_kw is None:
            return "—", "—"
        kw = f"{self.est_mining_kw:.0f} kW"
        if self.est_basis in UPPER_BOUND_BASES:
            return f"{kw}（上限估计）", f"{kw} (an upper bound)"
        return kw, kw

    @property
    def needs_desk_check(self) -> bool:
        """A data centre or a plant would explain its flat load: get the flows or the production records
        first — until a desk check has been recorded that settles it (``desk_verdict``, annotated by the
        selectors: the latest check's verdict)."""
        if getattr(self, "desk_verdict", None) in (
            DeskCheck.Verdict.EXPLAINED,
            DeskCheck.Verdict.UNEXPLAINED,
        ):
            return False
        return self.suspect and self.proposed_step == "desk_check"

    @property
    def proposed_step(self) -> str:
        """What the fusion proposed (``field_visit`` or ``desk_check``; '' for an account not suspected)."""
        fusion = self.reasons.get("fusion") if isinstance(self.reasons, dict) else None
        step = fusion.get("next_step") if isinstance(fusion, dict) else None
        return str(step.get("code", "")) if isinstance(step, dict) else ""


class NetScan(models.Model):
    """One network scan (网络数据检测任务): packet captures or flow records."""

    class Input(models.TextChoices):
        CAPTURE = "capture", bi("抓包文件", "Packet capture")
        FLOWS = "flows", bi("流记录", "Flow records")

    name = models.CharField(max_length=200)
    input_kind = models.CharField(max_length=10, choices=Input.choices)
    source_label = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    job = models.OneToOneField(Job, null=True, blank=True, on_delete=models.PROTECT, related_name="net_scan")
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="net_scans")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class NetHost(models.Model):
    """One host found by a scan: kind, score, times (UTC), evidence, and its subscriber when attributed."""

    class Kind(models.TextChoices):
        MINING = "mining", bi("挖矿", "Mining")
        CRYPTO_P2P = "crypto_p2p", bi("加密货币节点", "Crypto P2P node")

    scan = models.ForeignKey(NetScan, on_delete=models.CASCADE, related_name="hosts")
    host = models.GenericIPAddressField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    score = models.FloatField()
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    evidence = models.JSONField(default=dict, blank=True)
    allocation = models.ForeignKey(
        IPAllocation, null=True, blank=True, on_delete=models.PROTECT, related_name="net_findings"
    )
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reassigned = models.BooleanField(
        default=False, help_text="address held by another subscriber at last sighting"
    )
    attribution = models.JSONField(default=dict, blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="net_findings")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["scan", "-score", "host"]
        constraints = [models.UniqueConstraint(fields=["scan", "host"], name="one_finding_per_host")]

    def __str__(self) -> str:
        return f"{self.host} {self.kind} {self.score:.2f}"

    @property
    def wallets(self) -> list[dict[str, str]]:
        return list(self.evidence.get("wallets", []))


class HostTraffic(models.Model):
    """Traffic of one address in one flow scan (流量汇总), attributed to its subscriber when the registry
    knows the allocation: what meter fusion needs to tell a data centre (traffic grows with its IT load)
    from a farm (a few kbit/s per rig). Totals only: no destinations, no payload."""

    scan = models.ForeignKey(NetScan, on_delete=models.CASCADE, related_name="traffic")
    host = models.GenericIPAddressField()
    bytes = models.BigIntegerField()
    seconds = models.FloatField(help_text="length of the scan's observation window")
    window_start = models.DateTimeField(
        null=True,
        blank=True,
        help_text="start of the scan's observation window (empty for scans stored before)",
    )
    allocation = models.ForeignKey(
        IPAllocation, null=True, blank=True, on_delete=models.PROTECT, related_name="traffic"
    )
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scan", "host"], name="one_traffic_total_per_host")]

    @property
    def mean_mbps(self) -> float:
        return self.bytes * 8 / max(self.seconds, 1.0) / 1e6


class AnalystRecord(models.Model):
    """What every record an officer enters against a finding carries: notes, division, who and when."""

    notes = models.CharField(max_length=500, blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class InspectionOutcome(AnalystRecord):
    """What inspectors found on site for a lead (现场核查结果): the labelled example detection learns from."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", bi("确认挖矿", "Mining confirmed")
        CLEARED = "cleared", bi("排除挖矿", "Cleared")

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="inspection_outcomes")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="inspection_outcomes"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    inspected_on = models.DateField()
    rigs_found = models.PositiveIntegerField(null=True, blank=True)
    kw_measured = models.FloatField(null=True, blank=True, help_text="mining load measured on site, kW")

    class Meta:
        ordering = ["-inspected_on", "-id"]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.outcome}"


class DeskCheck(AnalystRecord):
    """A production energy balance for a meter finding (生产用电平衡核查): the plant's output and
    electricity per unit from its records against what the meter read (:mod:`.meter.balance`). An
    analyst's desk check: it decides whether a field visit is proposed, never a label to learn from."""

    class Verdict(models.TextChoices):
        EXPLAINED = "explained", bi("生产可解释用电", "Production explains the meter")
        UNEXPLAINED = "unexplained", bi("有生产无法解释的用电", "Electricity production does not explain")
        RECORDS_EXCEED = "records_exceed", bi("记录电量多于表计", "Records claim more than the meter read")

    suspect = models.ForeignKey(MeterSuspect, on_delete=models.PROTECT, related_name="desk_checks")
    period_start = models.DateField(help_text="first day (Beijing), inclusive")
    period_end = models.DateField(help_text="last day (Beijing), inclusive")
    product = models.CharField(max_length=100)
    output = models.FloatField(help_text="output in the period, in `unit`")
    unit = models.CharField(max_length=20)
    kwh_per_unit = models.FloatField()
    other_kwh = models.FloatField(default=0.0, help_text="other documented use in the period, kWh")
    source = models.CharField(max_length=300, help_text="the records the figures come from")
    metered_kwh = models.FloatField()
    coverage = models.FloatField(help_text="share of the period's hours the readings cover")
    explained_kwh = models.FloatField()
    unexplained_kw = models.FloatField(help_text="mean kW production does not explain (0 unless unexplained)")
    tolerance = models.FloatField()
    verdict = models.CharField(max_length=16, choices=Verdict.choices)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.suspect_id} {self.verdict}"

    @property
    def difference_share(self) -> float:
        return (self.metered_kwh - self.explained_kwh) / self.metered_kwh if self.metered_kwh > 0 else 0.0

    def next_step(self) -> tuple[str, str, str]:
        """(code, zh, en) of what follows this balance (:func:`.meter.balance.next_step_after`), the
        unexplained kW counted in rigs of the run's model."""
        rigs = int(
            round(self.unexplained_kw / rig_power_kw(str(self.suspect.run.params.get("rig") or DEFAULT_RIG)))
        )
        return next_step_after(self.verdict, self.difference_share, self.difference_kw, rigs)

    @property
    def difference_percent(self) -> str:
        """Metered minus explained as a signed share of the metered energy, for a page: '+3.0%'."""
        return f"{self.difference_share:+.1%}"

    @property
    def difference_kw(self) -> float:
        """Metered minus explained energy as mean kW over the period's hours."""
        hours = ((self.period_end - self.period_start).days + 1) * 24
        return (self.metered_kwh - self.explained_kwh) / hours

    def as_facts(self) -> dict[str, object]:
        """The balance as evidence travels with a lead or a target row (figures, source, next step)."""
        code, zh, en = self.next_step()
        return {
            "period": [self.period_start.isoformat(), self.period_end.isoformat()],
            "product": self.product,
            "output": self.output,
            "unit": self.unit,
            "kwh_per_unit": self.kwh_per_unit,
            "other_kwh": self.other_kwh,
            "metered_kwh": self.metered_kwh,
            "coverage": self.coverage,
            "explained_kwh": self.explained_kwh,
            "unexplained_kw": self.unexplained_kw,
            "tolerance": self.tolerance,
            "verdict": self.verdict,
            "source": self.source,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
            "next_step": {"code": code, "zh": zh, "en": en},
        }
