"""Staff JSON routes for detection results (session auth, analysts only, scoped to the jurisdiction).

Read-only: runs and scans with their job status, findings with reasons and estimates, and promotion of a
finding to a lead (the same service as the web page).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from minesweep.accounts.api_auth import StaffSession
from minesweep.accounts.jurisdiction import require_scope
from minesweep.accounts.roles import Role
from minesweep.core.paging import check_page, limit_param, offset_param
from minesweep.detection import selectors
from minesweep.detection.services import meter_suspect_promote, net_host_promote

router = Router(auth=StaffSession(), tags=["detection"])


class RunOut(Schema):
    id: int
    name: str
    source: str
    division_code: str
    created_at: datetime
    status: str
    progress: float
    summary: dict[str, Any]


class SuspectOut(Schema):
    id: int
    rank: int
    account_id: str
    power_account_id: int | None
    subject_id: int | None
    division_code: str
    score: float
    suspect: bool
    est_mining_kw: float | None
    est_rigs: int | None
    est_mining_kwh: float | None
    first_seen: date | None
    route: str
    reasons: dict[str, Any]
    lead: str | None
    desk_check_verdict: str | None  # the latest production energy balance's, when one was recorded


class HostOut(Schema):
    id: int
    host: str
    kind: str
    score: float
    first_seen: datetime
    last_seen: datetime
    subject_id: int | None
    subscriber: str | None
    division_code: str
    evidence: dict[str, Any]
    lead: str | None


class PromotedLeadOut(Schema):
    lead: str
    division_code: str
    subject_id: int | None


def _scope(request: HttpRequest):  # type: ignore[no-untyped-def]
    return require_scope(request.user, Role.ANALYST)


def _paging(limit: int, offset: int) -> None:
    check_page(limit, offset, max_limit=1000)


def _run(run) -> RunOut:  # type: ignore[no-untyped-def]
    return RunOut(
        id=run.pk,
        name=run.name,
        source=run.source,
        division_code=run.division_id,
        created_at=run.created_at,
        status=run.job.status if run.job else "succeeded",
        progress=run.job.progress if run.job else 1.0,
        summary=run.summary,
    )


@router.get("/meter-runs", response=list[RunOut])
def list_meter_runs(
    request: HttpRequest, limit: int = limit_param(50, maximum=1000), offset: int = offset_param()
):  # type: ignore[no-untyped-def]
    _paging(limit, offset)
    return [_run(r) for r in selectors.meter_runs(scope=_scope(request))[offset : offset + limit]]


@router.get("/meter-runs/{run_id}/suspects", response=list[SuspectOut])
def list_suspects(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    run_id: int,
    min_score: float | None = None,
    suspects_only: bool = False,
    league: str = "",
    limit: int = limit_param(100, maximum=1000),
    offset: int = offset_param(),
):
    _paging(limit, offset)
    scope = _scope(request)
    run = selectors.meter_run_get(scope=scope, pk=run_id)
    found = selectors.meter_suspects(
        scope=scope, run=run, min_score=min_score, suspects_only=suspects_only, league=league[:6]
    )
    return [
        SuspectOut(
            id=s.pk,
            rank=s.rank,
            account_id=s.account_id,
            power_account_id=s.power_account_id,
            subject_id=s.power_account.subject_id if s.power_account else None,
            division_code=s.division_id,
            score=s.score,
            suspect=s.suspect,
            est_mining_kw=s.est_mining_kw,
            est_rigs=s.est_rigs,
            est_mining_kwh=s.est_mining_kwh,
            first_seen=s.first_seen,
            route=s.route,
            reasons=s.reasons,
            lead=s.lead.number if s.lead else None,
            desk_check_verdict=getattr(s, "desk_verdict", None),
        )
        for s in found[offset : offset + limit]
    ]


@router.post("/meter-suspects/{suspect_id}/promote", response=PromotedLeadOut)
def promote_suspect(request: HttpRequest, suspect_id: int):  # type: ignore[no-untyped-def]
    suspect = selectors.meter_suspect_get(scope=_scope(request), pk=suspect_id)
    lead = meter_suspect_promote(actor=request.user, suspect=suspect)  # type: ignore[arg-type]
    return PromotedLeadOut(lead=lead.number, division_code=lead.division_id, subject_id=lead.subject_id)


@router.get("/net-scans", response=list[RunOut])
def list_net_scans(
    request: HttpRequest, limit: int = limit_param(50, maximum=1000), offset: int = offset_param()
):  # type: ignore[no-untyped-def]
    _paging(limit, offset)
    return [
        RunOut(
            id=s.pk,
            name=s.name,
            source=s.input_kind,
            division_code=s.division_id,
            created_at=s.created_at,
            status=s.job.status if s.job else "succeeded",
            progress=s.job.progress if s.job else 1.0,
            summary=s.summary,
        )
        for s in selectors.net_scans(scope=_scope(request))[offset : offset + limit]
    ]


@router.get("/net-scans/{scan_id}/hosts", response=list[HostOut])
def list_hosts(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    scan_id: int,
    kind: str = "",
    limit: int = limit_param(100, maximum=1000),
    offset: int = offset_param(),
):
    _paging(limit, offset)
    scope = _scope(request)
    scan = selectors.net_scan_get(scope=scope, pk=scan_id)
    hosts = selectors.net_hosts(scope=scope, scan=scan, kind=kind if kind in ("mining", "crypto_p2p") else "")
    return [
        HostOut(
            id=h.pk,
            host=h.host,
            kind=h.kind,
            score=h.score,
            first_seen=h.first_seen,
            last_seen=h.last_seen,
            subject_id=h.subject_id,
            subscriber=h.allocation.subscriber_name if h.allocation else None,
            division_code=h.division_id,
            evidence=h.evidence,
            lead=h.lead.number if h.lead else None,
        )
        for h in hosts[offset : offset + limit]
    ]


@router.post("/net-hosts/{host_id}/promote", response=PromotedLeadOut)
def promote_host(request: HttpRequest, host_id: int):  # type: ignore[no-untyped-def]
    host = selectors.net_host_get(scope=_scope(request), pk=host_id)
    lead = net_host_promote(actor=request.user, host=host)  # type: ignore[arg-type]
    return PromotedLeadOut(lead=lead.number, division_code=lead.division_id, subject_id=lead.subject_id)
