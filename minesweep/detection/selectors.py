"""Reads of detection results, scoped to the caller's jurisdiction (deny by default).

A run or scan is visible when it was started inside the caller's jurisdiction or holds a finding there;
its findings are visible one by one, by their own division (the registry's, when the account or address
is known). A region analyst sees everything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from minesweep.accounts.jurisdiction import Scope, get_scoped, scoped
from minesweep.core.errors import NotFoundError
from minesweep.detection.models import DeskCheck, MeterRun, MeterSuspect, NetHost, NetScan


def meter_runs(*, scope: Scope | None) -> QuerySet[MeterRun]:
    if scope is None:
        return MeterRun.objects.none()
    inside = MeterSuspect.objects.filter(run=OuterRef("pk")).filter(scope.q("division"))
    return (
        MeterRun.objects.select_related("job", "division")
        .filter(scope.q("division") | Q(Exists(inside)))
        .order_by("-created_at", "-id")
    )


def meter_run_get(*, scope: Scope | None, pk: int) -> MeterRun:
    run = meter_runs(scope=scope).filter(pk=pk).first()
    if run is None:
        raise NotFoundError()
    return run


def meter_suspects(
    *,
    scope: Scope | None,
    run: MeterRun,
    min_score: float | None = None,
    suspects_only: bool = False,
    league: str = "",
    q: str = "",
) -> QuerySet[MeterSuspect]:
    found = scoped(
        MeterSuspect.objects.filter(run=run)
        .select_related("division", "power_account__subject", "lead")
        .annotate(desk_verdict=_latest_desk_verdict()),
        scope,
    )
    if min_score is not None:
        found = found.filter(score__gte=min_score)
    if suspects_only:
        found = found.filter(suspect=True)
    if league:
        found = found.filter(division__code__startswith=league[:4])
    if q:
        found = found.filter(Q(account_id__icontains=q) | Q(power_account__subject__name__icontains=q))
    return found.order_by("rank")


def meter_suspect_get(*, scope: Scope | None, pk: int) -> MeterSuspect:
    return get_scoped(
        MeterSuspect.objects.select_related("run", "division", "power_account__subject", "lead").annotate(
            desk_verdict=_latest_desk_verdict()
        ),
        scope,
        pk=pk,
    )


def _latest_desk_verdict() -> Subquery:
    """The verdict of a finding's latest production energy balance (None when none was recorded)."""
    latest = DeskCheck.objects.filter(suspect=OuterRef("pk")).order_by("-recorded_at", "-id")
    return Subquery(latest.values("verdict")[:1])


def desk_checks(*, suspect: MeterSuspect) -> QuerySet[DeskCheck]:
    """A finding's recorded balances, latest first (the finding itself was fetched inside a scope)."""
    return DeskCheck.objects.filter(suspect=suspect).select_related("recorded_by", "suspect__run")


def meter_counts(*, scope: Scope | None, run: MeterRun) -> dict[str, int]:
    visible = scoped(MeterSuspect.objects.filter(run=run), scope)
    totals = visible.aggregate(total=Count("pk"), suspects=Count("pk", filter=Q(suspect=True)))
    stored = MeterSuspect.objects.filter(run=run).count()
    return {"visible": totals["total"], "suspects": totals["suspects"], "hidden": stored - totals["total"]}


def net_scans(*, scope: Scope | None) -> QuerySet[NetScan]:
    if scope is None:
        return NetScan.objects.none()
    inside = NetHost.objects.filter(scan=OuterRef("pk")).filter(scope.q("division"))
    return (
        NetScan.objects.select_related("job", "division")
        .filter(scope.q("division") | Q(Exists(inside)))
        .order_by("-created_at", "-id")
    )


def net_scan_get(*, scope: Scope | None, pk: int) -> NetScan:
    scan = net_scans(scope=scope).filter(pk=pk).first()
    if scan is None:
        raise NotFoundError()
    return scan


def net_hosts(*, scope: Scope | None, scan: NetScan, kind: str = "", q: str = "") -> QuerySet[NetHost]:
    hosts = scoped(
        NetHost.objects.filter(scan=scan).select_related("division", "subject", "allocation", "lead"), scope
    )
    if kind:
        hosts = hosts.filter(kind=kind)
    if q:
        hosts = hosts.filter(
            Q(host__icontains=q) | Q(subject__name__icontains=q) | Q(allocation__subscriber_name__icontains=q)
        )
    return hosts.order_by("-score", "host")


def net_host_get(*, scope: Scope | None, pk: int) -> NetHost:
    return get_scoped(
        NetHost.objects.select_related("scan", "division", "subject", "allocation", "lead"), scope, pk=pk
    )


def wallets(hosts: QuerySet[NetHost]) -> list[dict[str, object]]:
    """Every wallet seen on the given hosts, with the hosts that used it."""
    by_address: dict[str, dict[str, object]] = {}
    for host in hosts:
        for wallet in host.evidence.get("wallets", []):
            address = str(wallet.get("address", ""))
            entry = by_address.setdefault(
                address, {"address": address, "coin": wallet.get("coin", ""), "hosts": []}
            )
            entry["hosts"].append(host)  # type: ignore[attr-defined]
    return sorted(by_address.values(), key=lambda w: str(w["address"]))


def subject_mean_mbps(subject_ids: list[int]) -> dict[int, float]:
    """Mean traffic per subject (Mbit/s) over the flow scans that saw its addresses: all attributed
    bytes over the scans' windows. Subjects without attributed flows are absent (unknown, not zero)."""
    from django.db.models import Sum

    from minesweep.detection.models import HostTraffic

    if not subject_ids:
        return {}
    per_scan = (
        HostTraffic.objects.filter(subject_id__in=set(subject_ids))
        .values("subject_id", "scan_id")
        .annotate(total=Sum("bytes"), window=Sum("seconds") / Count("id"))
    )
    bits: dict[int, float] = {}
    seconds: dict[int, float] = {}
    for row in per_scan:
        subject = int(row["subject_id"])
        bits[subject] = bits.get(subject, 0.0) + float(row["total"] or 0) * 8
        seconds[subject] = seconds.get(subject, 0.0) + max(float(row["window"] or 0), 1.0)
    return {subject: bits[subject] / seconds[subject] / 1e6 for subject in bits}


def subject_traffic_periods(subject_ids: list[int]) -> dict[int, list[tuple[dt.date, dt.date, float]]]:
    """Per subject its traffic in each flow scan that saw its addresses: (first day, last day of the scan's
    window in Asia/Shanghai, mean Mbit/s over it) — the periods the fusion sets beside a meter's onset.
    Scans stored before windows were kept (no start) are left out."""
    from django.db.models import Max, Sum

    from minesweep.detection.models import HostTraffic

    if not subject_ids:
        return {}
    per_scan = (
        HostTraffic.objects.filter(subject_id__in=set(subject_ids), window_start__isnull=False)
        .values("subject_id", "scan_id")
        .annotate(total=Sum("bytes"), start=Max("window_start"), window=Max("seconds"))
        .order_by("subject_id", "start")
    )
    periods: dict[int, list[tuple[dt.date, dt.date, float]]] = {}
    for row in per_scan:
        seconds = max(float(row["window"] or 0), 1.0)
        start = timezone.localtime(row["start"])  # TIME_ZONE is Asia/Shanghai
        end = timezone.localtime(row["start"] + dt.timedelta(seconds=seconds - 1))
        mbps = float(row["total"] or 0) * 8 / seconds / 1e6
        periods.setdefault(int(row["subject_id"]), []).append((start.date(), end.date(), mbps))
    return periods


def confirmation_table(*, scope: Scope | None) -> list[dict[str, Any]]:
    """Per lead source and month the lead was opened: leads, inspected, confirmed, cleared, and the
    confirmed share of those inspected (None before any inspection) — inside the scope."""
    from minesweep.cases.models import Lead
    from minesweep.detection.models import InspectionOutcome

    if scope is None:
        return []
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for source, created in Lead.objects.filter(scope.q("division")).values_list("source", "created_at"):
        key = (source, created.strftime("%Y-%m"))
        table.setdefault(key, {"source": source, "month": key[1], "leads": 0, "confirmed": 0, "cleared": 0})
        table[key]["leads"] += 1
    latest: dict[int, InspectionOutcome] = {}
    for outcome in (
        InspectionOutcome.objects.filter(scope.q("division"))
        .select_related("lead")
        .order_by("inspected_on", "id")
    ):
        latest[outcome.lead_id] = outcome  # the last inspection of a lead decides
    for outcome in latest.values():
        key = (outcome.lead.source, outcome.lead.created_at.strftime("%Y-%m"))
        if key in table:
            table[key][outcome.outcome] += 1
    rows = sorted(table.values(), key=lambda r: (r["month"], r["source"]), reverse=True)
    for row in rows:
        inspected = row["confirmed"] + row["cleared"]
        row["inspected"] = inspected
        row["confirmed_share"] = round(row["confirmed"] / inspected, 3) if inspected else None
    return rows


def inspection_outcomes(*, scope: Scope | None) -> QuerySet[Any]:
    from minesweep.detection.models import InspectionOutcome

    if scope is None:
        return InspectionOutcome.objects.none()
    return InspectionOutcome.objects.filter(scope.q("division")).select_related("lead", "case")


def desk_check_table(*, scope: Scope | None) -> list[dict[str, Any]]:
    """Per month a balance was recorded: how many, each verdict, and the estimated mining kW of the
    findings cleared at the desk (the load no field visit was proposed for) — inside the scope."""
    if scope is None:
        return []
    table: dict[str, dict[str, Any]] = {}
    cleared: set[tuple[str, int]] = set()  # a finding cleared twice in a month is one load cleared
    for verdict, recorded, suspect_id, kw in DeskCheck.objects.filter(scope.q("division")).values_list(
        "verdict", "recorded_at", "suspect_id", "suspect__est_mining_kw"
    ):
        month = timezone.localtime(recorded).strftime("%Y-%m")
        row = table.setdefault(
            month,
            {"month": month, "checks": 0, "cleared_kw": 0.0} | dict.fromkeys(DeskCheck.Verdict.values, 0),
        )
        row["checks"] += 1
        row[verdict] += 1
        if verdict == DeskCheck.Verdict.EXPLAINED and (month, suspect_id) not in cleared:
            cleared.add((month, suspect_id))
            row["cleared_kw"] += kw or 0.0
    return sorted(table.values(), key=lambda r: r["month"], reverse=True)


def desk_cleared(*, scope: Scope | None, limit: int = 50) -> QuerySet[DeskCheck]:
    """The latest balances that cleared a finding at the desk, latest first: the list a supervisor picks
    spot checks from (抽查), since a balance clears on documents the analyst was given."""
    if scope is None:
        return DeskCheck.objects.none()
    return (
        DeskCheck.objects.filter(scope.q("division"), verdict=DeskCheck.Verdict.EXPLAINED)
        .select_related("suspect", "suspect__run", "recorded_by")
        .order_by("-recorded_at", "-id")[:limit]
    )
