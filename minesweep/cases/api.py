"""Staff JSON routes for leads, cases and department tasks (read-only), scoped like the pages.

Mounted at /api/v1/cases. Writes go through the pages (and the services behind them).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from minesweep.accounts.api_auth import StaffSession
from minesweep.accounts.jurisdiction import require_scope
from minesweep.cases import selectors, services
from minesweep.cases.models import Case, Lead, Task
from minesweep.cases.services.criminal import decision_period

# One access rule: the pages' role lists (cases/views.py) decide for the API too (issue 14).
from minesweep.cases.views import READERS, TASK_READERS
from minesweep.core.paging import check_page, limit_param, offset_param
from minesweep.policy.codes import POLICE_REFERRAL_CRIMES
from minesweep.registry.resident_id import mask_resident_id

router = Router(auth=StaffSession(), tags=["cases"])


def _paging(limit: int, offset: int) -> None:
    check_page(limit, offset, max_limit=500)


class LeadOut(Schema):
    id: int
    number: str
    status: str
    source: str
    title: str
    division_code: str
    check_due: str | None
    case: str | None


class TaskOut(Schema):
    id: int
    case: str
    department: str
    action: str
    title: str
    division_code: str
    due_on: str
    status: str
    overdue: bool
    document_number: str
    proof_sha256: str


class CaseOut(Schema):
    id: int
    number: str
    title: str
    stage: str
    division_code: str
    pack: str
    filed_on: str
    decision_due: str
    closed_on: str | None
    reopened_count: int
    overdue: list[str]


class CaseDetailOut(CaseOut):
    decision_period: dict[str, Any] = {}
    parties: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]
    rigs: list[dict[str, Any]]
    calculations: list[dict[str, Any]]
    referrals: list[dict[str, Any]]
    tasks: list[TaskOut]
    tracks: list[dict[str, Any]] = []
    allowed_actions: list[str] = []


def _lead(lead: Lead) -> LeadOut:
    due = selectors.lead_due(lead)
    case = Case.objects.filter(lead=lead).values_list("number", flat=True).first()
    return LeadOut(
        id=lead.pk,
        number=lead.number,
        status=lead.status,
        source=lead.source,
        title=lead.title,
        division_code=lead.division_id,
        check_due=due.isoformat() if due else None,
        case=case,
    )


def _task(task: Task) -> TaskOut:
    return TaskOut(
        id=task.pk,
        case=task.case.number,
        department=task.department,
        action=task.action,
        title=task.title,
        division_code=task.division_id,
        due_on=task.due_on.isoformat(),
        status=task.status,
        overdue=task.status == Task.Status.OPEN and task.due_on < timezone.localdate(),
        document_number=task.document_number,
        proof_sha256=task.proof_sha256,
    )


def _case_fields(case: Case) -> dict[str, Any]:
    """A case's summary. ``decision_due`` is the deadline in force today: the ninety days of
    行政处罚法第六十条, moved only by the days of criminal proceedings a rule in the pack excludes."""
    period = decision_period(case, timezone.localdate())
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "stage": case.stage,
        "division_code": case.division_id,
        "pack": case.pack,
        "filed_on": case.filed_on.isoformat(),
        "decision_due": period.due.isoformat(),
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "reopened_count": case.reopened_count,
        "overdue": [d.label_en for d in selectors.case_deadlines(case) if d.overdue],
    }


@router.get("/leads", response=list[LeadOut])
def list_leads(
    request: HttpRequest,
    status: str = "",
    limit: int = limit_param(100, maximum=500),
    offset: int = offset_param(),
):  # type: ignore[no-untyped-def]
    _paging(limit, offset)
    rows = selectors.leads_for(require_scope(request.user, *READERS))
    if status:
        rows = rows.filter(status=status[:12])
    return [_lead(lead) for lead in rows[offset : offset + limit]]


@router.get("/leads/{lead_id}", response=LeadOut)
def get_lead(request: HttpRequest, lead_id: int):  # type: ignore[no-untyped-def]
    return _lead(selectors.lead_get(require_scope(request.user, *READERS), lead_id))


@router.get("/cases", response=list[CaseOut])
def list_cases(
    request: HttpRequest,
    stage: str = "",
    limit: int = limit_param(100, maximum=500),
    offset: int = offset_param(),
):  # type: ignore[no-untyped-def]
    _paging(limit, offset)
    rows = selectors.cases_for(require_scope(request.user, *READERS))
    if stage:
        rows = rows.filter(stage=stage[:16])
    return [CaseOut(**_case_fields(case)) for case in rows[offset : offset + limit]]


@router.get("/cases/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: int):  # type: ignore[no-untyped-def]
    case = selectors.case_get(require_scope(request.user, *READERS), case_id)
    parties = [
        {
            "id": p.pk,
            "name": p.name,
            "identifier": mask_resident_id(p.identifier)
            if p.category in ("individual", "public_official")
            else p.identifier,
            "category": p.category,
            "role": p.role,
            "facts": p.facts,
        }
        for p in case.parties.all()
    ]
    measures = (
        [
            {
                "party": m.party_id,
                "pack": m.pack,
                "rule_id": m.rule_id,
                "title": m.title_zh,
                "origin": m.origin,
                "struck": m.struck,
                "struck_reason": m.struck_reason,
                "actions": m.actions,
            }
            for m in case.determination.measures.all()
        ]
        if hasattr(case, "determination")
        else []
    )
    period = decision_period(case, timezone.localdate())
    return CaseDetailOut(
        **_case_fields(case),
        decision_period={
            "due": period.due.isoformat(),
            "counted_due": period.counted_due.isoformat(),
            "criminal_days": period.criminal_days,
            "excluded_by": period.excluded_by,
            "note_zh": period.note_zh,
            "note_en": period.note_en,
        },
        parties=parties,
        measures=measures,
        deadlines=[d.as_dict() for d in selectors.case_deadlines(case)],
        rigs=[
            {"model": r.model, "count": r.count, "unit_power_w": r.unit_power_w}
            for r in case.seized_rigs.all()
        ],
        calculations=[{"kind": c.kind, "party": c.party_id, **c.output} for c in case.calculations.all()],
        referrals=[
            {
                "kind": r.kind,
                "party": r.party_id,
                "offence": r.action if r.action in POLICE_REFERRAL_CRIMES else "",
                "status": r.status,
                "decision_due": r.decision_due.isoformat(),
                "answer": r.answer,
                "outcome": r.outcome,
            }
            for r in case.referrals.all()
        ],
        tasks=[_task(t) for t in case.tasks.select_related("case")],
        tracks=[
            {
                "id": t.pk,
                "party": t.party_id,
                "kind": t.kind,
                "authority": t.authority,
                "authority_name": t.authority_name,
                "step": t.step,
                # 行政处罚法第五十四条: the penalty authority's own filing when another filed the case
                "filed_on": t.filed_on.isoformat() if t.filed_on else None,
                "filing_officers": t.filing_officers,
                "actions": t.action_codes(),
                "hearing_right": t.hearing_right,
                "outcome": t.outcome,
                "ended_on": t.ended_on.isoformat() if t.ended_on else None,
                "allowed_actions": services.track_allowed(t),
            }
            for t in case.tracks.all()
        ],
        allowed_actions=services.case_allowed(case),
    )


@router.get("/tasks", response=list[TaskOut])
def list_tasks(
    request: HttpRequest,
    status: str = "open",
    limit: int = limit_param(100, maximum=500),
    offset: int = offset_param(),
):  # type: ignore[no-untyped-def]
    _paging(limit, offset)
    rows = selectors.tasks_for(require_scope(request.user, *TASK_READERS))
    if status in Task.Status.values:
        rows = rows.filter(status=status)
    return [_task(t) for t in rows[offset : offset + limit]]


@router.get("/tasks/{task_id}", response=TaskOut)
def get_task(request: HttpRequest, task_id: int):  # type: ignore[no-untyped-def]
    return _task(selectors.task_get(require_scope(request.user, *TASK_READERS), task_id))


@router.get("/stats")
def stats(request: HttpRequest) -> dict[str, Any]:
    """Totals and cases by stage per league within the caller's jurisdiction (for dashboards)."""
    scope = require_scope(request.user)
    totals = selectors.totals(scope)
    return {
        "totals": {k: (str(v) if not isinstance(v, (int, dict)) else v) for k, v in totals.items()},
        "cases_by_stage": selectors.cases_by_stage(scope),
        "leads_by_status": selectors.leads_by_status(scope),
    }


@router.get("/digest")
def digest(request: HttpRequest) -> dict[str, Any]:
    """The caller's own deadline digest (overdue and due within 7 days)."""
    require_scope(request.user, *READERS)
    data = selectors.officer_digest(request.user)  # type: ignore[arg-type]
    return {
        **data,
        "overdue": [d.as_dict() for d in data["overdue"]],
        "upcoming": [d.as_dict() for d in data["upcoming"]],
    }
