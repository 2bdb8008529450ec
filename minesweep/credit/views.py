"""Credit pages: the public query page (/credit/) and the staff register with its actions."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minesweep.accounts.access import staff_view
from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.roles import Role
from minesweep.cases.models import Decision
from minesweep.cases.selectors import cases_for
from minesweep.core.errors import DomainError, NotFoundError, PermissionDeniedError
from minesweep.core.i18n import pick
from minesweep.credit import services
from minesweep.credit.access import ACTORS, READERS
from minesweep.credit.models import ListingRecord, RepairApplication, Severity
from minesweep.credit.selectors import listing_get, public_listings, staff_listings
from minesweep.registry.selectors import subject_search

MAX_UPLOAD = services.MAX_EVIDENCE_BYTES


def _require_actor(scope: Scope) -> None:
    """Writes: investigators, the credit office's liaison, administrators."""
    if scope.role == Role.DEPARTMENT_LIAISON and scope.department != "credit_office":
        raise PermissionDeniedError(
            "credit.not_credit_office", "仅信用主管部门可办理", "Only the credit office can do this"
        )


def public_search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100].strip()
    error = None
    try:
        rows = public_listings(q=q)
        page = Paginator(rows, 20).get_page(request.GET.get("page"))
    except DomainError as exc:
        error, page = exc, None
    # A code typed only in part (e.g. "91150…") cannot match: say so instead of an empty list.
    partial = bool(re.fullmatch(r"[0-9A-Za-z]{2,17}", q)) and any(ch.isdigit() for ch in q)
    return render(
        request,
        "credit/public.html",
        {"q": q, "page": page, "error": error, "partial_uscc": len(q) if partial else 0},
        status=400 if error else 200,
    )


@staff_view(*READERS)
def staff_list(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    q, status = request.GET.get("q", "")[:100], request.GET.get("status", "")[:20]
    page = Paginator(staff_listings(scope=scope, q=q, status=status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "credit/staff_list.html",
        {"page": page, "q": q, "status": status, "statuses": ListingRecord.Status.choices},
    )


@staff_view(*READERS)
def staff_detail(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    listing = listing_get(scope=scope, pk=pk)
    return render(
        request,
        "credit/staff_detail.html",
        {
            "listing": listing,
            "repairs": listing.repairs.prefetch_related("evidence"),
            "S": ListingRecord.Status,
        },
    )


@staff_view(*ACTORS)
def staff_propose(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    _require_actor(scope)
    form = {k: request.POST.get(k, "")[:2000] for k in _PROPOSE_FIELDS} if request.method == "POST" else {}
    if request.method == "POST":
        try:
            subject = subject_search(scope=scope, q=form["subject"].strip()).first()
            if subject is None or not form["subject"].strip():
                raise DomainError(
                    "credit.subject_unknown",
                    "辖区内找不到该主体，请输入准确的名称或统一社会信用代码",
                    "No such subject in your jurisdiction; enter its exact name or USCC",
                )
            listing = services.listing_propose(
                actor=request.user,
                subject=subject,
                **{k: v for k, v in form.items() if k != "subject"},
            )
        except DomainError as exc:
            return render(
                request,
                "credit/staff_propose.html",
                {"form": form, "error": exc, "severities": Severity.choices, "decisions": _decisions(scope)},
                status=exc.status,
            )
        messages.success(request, pick("已登记拟列入记录", "Listing proposed"))
        return redirect("credit:staff_detail", pk=listing.pk)
    return render(
        request,
        "credit/staff_propose.html",
        {
            "form": {"subject": request.GET.get("subject", "")[:100]},
            "severities": Severity.choices,
            "decisions": _decisions(scope),
        },
    )


def _decisions(scope: Scope) -> list[Decision]:
    """Penalty decisions in scope not yet used for a listing (newest first)."""
    used = ListingRecord.objects.filter(decision__isnull=False).values("decision_id")
    return list(
        Decision.objects.filter(case__in=cases_for(scope))
        .exclude(pk__in=used)
        .select_related("case", "party")
        .order_by("-decided_on", "-id")[:50]
    )


@require_POST
@staff_view(*ACTORS)
def staff_from_decision(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    _require_actor(scope)
    decision_id = request.POST.get("decision", "")
    decision = (
        Decision.objects.filter(pk=int(decision_id), case__in=cases_for(scope))
        .select_related("case", "party")
        .first()
        if decision_id.isdigit()
        else None
    )
    if decision is None:
        raise NotFoundError()
    try:
        listing = services.listing_from_decision(
            actor=request.user, decision=decision, severity=request.POST.get("severity", "")[:10] or None
        )
    except DomainError as exc:
        messages.error(request, pick(exc.message_zh, exc.message_en))
        return redirect("credit:staff_propose")
    messages.success(request, pick("已据处罚决定登记拟列入", "Listing proposed from the decision"))
    return redirect("credit:staff_detail", pk=listing.pk)


_PROPOSE_FIELDS = (
    "subject",
    "severity",
    "reason",
    "basis",
    "authority",
    "decision_number",
    "sanctions",
    "removal_conditions",
    "remedies",
    "case_number",
)


def _action(request: HttpRequest, listing: ListingRecord, action: str) -> str:
    """Dispatch one action form; returns the success message."""
    post = request.POST
    actions: dict[str, Callable[[], object]] = {
        "notify": lambda: services.listing_notify(actor=request.user, listing=listing),
        "object": lambda: services.listing_object(
            actor=request.user, listing=listing, text=post.get("text", "")[:5000]
        ),
        "objection_uphold": lambda: services.listing_objection_decide(
            actor=request.user, listing=listing, upheld=True, reply=post.get("reply", "")[:5000]
        ),
        "objection_reject": lambda: services.listing_objection_decide(
            actor=request.user, listing=listing, upheld=False, reply=post.get("reply", "")[:5000]
        ),
        "publish": lambda: services.listing_publish(actor=request.user, listing=listing),
        "waive": lambda: services.listing_rights_waive(actor=request.user, listing=listing),
        "repair_apply": lambda: services.repair_apply(
            actor=request.user,
            listing=listing,
            statement=post.get("statement", "")[:5000],
            pledge=post.get("pledge", "")[:5000],
            evidence=[
                (f.name or "evidence", f.content_type or "application/octet-stream", f.read(MAX_UPLOAD + 1))
                for f in request.FILES.getlist("evidence")[:10]
            ],
        ),
    }
    if action in ("repair_approve", "repair_reject"):
        application = RepairApplication.objects.filter(
            listing=listing, outcome=RepairApplication.Outcome.PENDING
        ).first()
        if application is None:
            raise DomainError(
                "credit.no_application", "没有待审核的修复申请", "No pending repair application"
            )
        services.repair_decide(
            actor=request.user,
            application=application,
            approve=action == "repair_approve",
            reply=post.get("reply", "")[:5000],
        )
        return pick("已审核信用修复申请", "Repair application decided")
    if action not in actions:
        raise DomainError("credit.action_unknown", "未知操作", "Unknown action")
    actions[action]()
    return pick("已办理", "Done")


@require_POST
@staff_view(*ACTORS)
def staff_act(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    _require_actor(scope)
    listing = listing_get(scope=scope, pk=pk)
    try:
        messages.success(request, _action(request, listing, request.POST.get("action", "")[:40]))
    except DomainError as exc:
        messages.error(request, pick(exc.message_zh, exc.message_en))
    return redirect("credit:staff_detail", pk=listing.pk)
