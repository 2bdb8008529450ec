"""Dashboard figures (督查统计), always within the viewer's jurisdiction; optionally narrowed to one
league/city inside it. The case figures come from :mod:`minesweep.cases.selectors` so no rule is
written twice; this module adds leads by source, the blacklist, the register and weekly trends.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Sum
from django.utils import timezone

from minesweep.accounts.jurisdiction import Scope, scoped
from minesweep.cases.models import Case, CaseCalculation, Decision, Lead, Referral, SeizedRigs, Task
from minesweep.cases.selectors import cases_by_stage, cases_for, leads_for, league_code, overdue_tasks, totals
from minesweep.core.errors import NotFoundError
from minesweep.credit.models import ListingRecord
from minesweep.registry.models import Division, MiningProject
from minesweep.registry.services import iso_week

IN_FORCE = (ListingRecord.Status.LISTED, ListingRecord.Status.REPAIR_APPLIED)
REFERRED = (Referral.Status.TRANSFERRED, Referral.Status.RECEIVED, Referral.Status.ANSWERED)
TREND_WEEKS = 12


def narrowed(scope: Scope, league: str) -> Scope:
    """The viewer's scope narrowed to one league/city (or county) inside it; outside → not found."""
    if not league:
        return scope
    division = Division.objects.filter(code=league[:6]).first()
    if division is None or not scope.contains(division.code):
        raise NotFoundError(
            "oversight.league_unknown", "辖区内没有该盟市", "No such league/city in your jurisdiction"
        )
    prefix = division.scope_prefix
    return dataclasses.replace(scope, prefix=prefix if len(prefix) > len(scope.prefix) else scope.prefix)


def leagues_in(scope: Scope) -> list[Division]:
    """Leagues/cities the viewer may pick (one for a league officer, twelve for the region)."""
    leagues = Division.objects.filter(level=Division.Level.LEAGUE, code__startswith=scope.prefix[:4])
    if len(scope.prefix) >= 4:
        return list(leagues.filter(code=scope.prefix[:4] + "00"))
    return list(leagues)


def _by_league(qs: Any, division_field: str, value: Any = None) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for row in qs.values(division_field).annotate(v=value if value is not None else Count("id")).order_by():
        key = league_code(row[division_field])
        out[key] = out.get(key, Decimal(0)) + Decimal(row["v"] or 0)
    return out


def _typed(column: str, value: Decimal) -> Decimal | int:
    return value if column in ("mw_seized", "tce") else int(value)


def dashboard(*, scope: Scope, on: dt.date | None = None) -> dict[str, Any]:
    """Everything the dashboard shows, as plain numbers (JSON-ready after ``jsonable``)."""
    day = on or timezone.localdate()
    cases = cases_for(scope)
    case_ids = cases.values("id")
    headline = totals(scope, on=day)
    listings = scoped(ListingRecord.objects.all(), scope)
    projects = scoped(MiningProject.objects.all(), scope)
    shut = projects.filter(status=MiningProject.Status.SHUT_DOWN).aggregate(kw=Sum("power_kw"), n=Count("id"))
    leads = leads_for(scope)
    by_source = {s.value: 0 for s in Lead.Source}
    for row in leads.values("source").annotate(n=Count("id")).order_by():
        by_source[row["source"]] = row["n"]
    stages = {s.value: 0 for s in Case.Stage}
    league_stages = cases_by_stage(scope)
    for counts in league_stages.values():
        for stage, n in counts.items():
            stages[stage] += n
    blacklist = {s.value: 0 for s in ListingRecord.Status}
    for row in listings.values("status").annotate(n=Count("id")).order_by():
        blacklist[row["status"]] = row["n"]
    referrals = Referral.objects.filter(case_id__in=case_ids, status__in=REFERRED)
    referred = {k.value: 0 for k in Referral.Kind}
    for row in referrals.values("kind").annotate(n=Count("id")).order_by():
        referred[row["kind"]] = row["n"]

    # Every level: a figure held at region level (code 1x0000) is shown under the region's name, not its code.
    names = dict(Division.objects.values_list("code", "name"))
    columns = {
        "leads": _by_league(leads, "division_id"),
        "cases": _by_league(cases, "division_id"),
        "overdue_tasks": _by_league(overdue_tasks(scope, on=day), "division_id"),
        "rigs_seized": _by_league(
            SeizedRigs.objects.filter(case_id__in=case_ids), "case__division_id", Sum("count")
        ),
        "mw_seized": {
            k: v / Decimal(1_000_000)
            for k, v in _by_league(
                SeizedRigs.objects.filter(case_id__in=case_ids),
                "case__division_id",
                Sum(F("count") * F("unit_power_w")),
            ).items()
        },
        "tce": _by_league(
            CaseCalculation.objects.filter(case_id__in=case_ids, kind=CaseCalculation.Kind.ENERGY),
            "case__division_id",
            Sum("tce"),
        ),
        "referrals": _by_league(referrals, "case__division_id"),
        "listed": _by_league(listings.filter(status__in=IN_FORCE), "division_id"),
    }
    league_codes = sorted(
        {code for col in columns.values() for code in col} | {d.code for d in leagues_in(scope)}
    )
    table = [
        {
            "code": code,
            "name": names.get(code, code),
            **{k: _typed(k, col.get(code, Decimal(0))) for k, col in columns.items()},
        }
        for code in league_codes
    ]
    return {
        "date": day.isoformat(),
        "leads_total": leads.count(),
        "leads_by_source": by_source,
        "cases_total": headline["cases"],
        "cases_by_stage": stages,
        "tasks_open": headline["tasks_open"],
        "tasks_overdue": overdue_tasks(scope, on=day).count(),
        "rigs_seized": headline["rigs_seized"],
        "mw_seized": headline["mw_shut"],
        "projects_shut": shut["n"] or 0,
        "mw_projects_shut": ((shut["kw"] or Decimal(0)) / 1000).quantize(Decimal("0.001")),
        "kwh": headline["kwh"],
        "tce": headline["tce"],
        "theft_kwh": headline["theft_kwh"],
        "fines_yuan": headline["fines_yuan"],
        "referrals": referred,
        "blacklist": blacklist,
        "blacklist_in_force": sum(blacklist[s] for s in IN_FORCE),
        "by_league": table,
        "trend": weekly_trend(scope=scope, on=day),
    }


def weekly_trend(*, scope: Scope, on: dt.date, weeks: int = TREND_WEEKS) -> dict[str, list[Any]]:
    """Counts per ISO week for the last ``weeks`` weeks: leads, cases filed, decisions, listings, rigs."""
    monday = on - dt.timedelta(days=on.weekday())
    starts = [monday - dt.timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    labels = [iso_week(d) for d in starts]
    first = starts[0]
    series: dict[str, list[Any]] = {"weeks": labels}

    def bucket(dates: list[dt.date | None], values: list[int] | None = None) -> list[int]:
        counts = dict.fromkeys(labels, 0)
        for i, d in enumerate(dates):
            if d is not None and d >= first:
                key = iso_week(d)
                if key in counts:
                    counts[key] += values[i] if values else 1
        return [counts[w] for w in labels]

    leads = [
        timezone.localtime(t).date()
        for t in leads_for(scope).filter(created_at__date__gte=first).values_list("created_at", flat=True)
    ]
    series["leads"] = bucket(list(leads))
    series["cases"] = bucket(
        list(cases_for(scope).filter(filed_on__gte=first).values_list("filed_on", flat=True))
    )
    series["decisions"] = bucket(
        list(
            Decision.objects.filter(case__in=cases_for(scope), decided_on__gte=first).values_list(
                "decided_on", flat=True
            )
        )
    )
    series["listings"] = bucket(
        list(
            scoped(ListingRecord.objects.filter(publication_start__gte=first), scope).values_list(
                "publication_start", flat=True
            )
        )
    )
    rigs = list(
        SeizedRigs.objects.filter(case__in=cases_for(scope), seized_on__gte=first).values_list(
            "seized_on", "count"
        )
    )
    series["rigs_seized"] = bucket([r[0] for r in rigs], [r[1] for r in rigs])
    return series


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


__all__ = ["dashboard", "jsonable", "leagues_in", "narrowed", "weekly_trend", "Task"]
