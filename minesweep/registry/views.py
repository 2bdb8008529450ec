"""Registry pages: search, detail, CSV export, identity reveal (reason required, audited)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from minesweep.accounts.access import staff_view
from minesweep.accounts.jurisdiction import Scope
from minesweep.audit.services import audit_record
from minesweep.core.exports import SafeCsvWriter
from minesweep.registry.categories import CATEGORIES
from minesweep.registry.models import Subject
from minesweep.registry.selectors import power_accounts_of, subject_get, subject_search
from minesweep.registry.services import subject_reveal_resident_id


@staff_view()
def subjects(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    q, category = request.GET.get("q", "")[:100], request.GET.get("category", "")[:40]
    page = Paginator(subject_search(scope=scope, q=q, category=category), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "registry/subjects.html",
        {"page": page, "q": q, "category": category, "categories": CATEGORIES},
    )


def _render_detail(
    request: HttpRequest, scope: Scope, subject: Subject, revealed: str | None
) -> HttpResponse:
    return render(
        request,
        "registry/subject_detail.html",
        {
            "subject": subject,
            "accounts": power_accounts_of(scope=scope, subject=subject),
            "sites": subject.sites.all(),
            "licences": subject.licences.all(),
            "preferences": subject.preferences.all(),
            "projects": subject.mining_projects.all(),
            "revealed": revealed,
        },
    )


@staff_view()
def subject_detail(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    return _render_detail(request, scope, subject_get(scope=scope, pk=pk), None)


@require_POST
@staff_view()
def subject_reveal(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    subject = subject_get(scope=scope, pk=pk)
    revealed = subject_reveal_resident_id(
        actor=request.user,  # type: ignore[arg-type]  # staff_view guarantees a signed-in user
        subject=subject,
        reason=request.POST.get("reason", ""),
    )
    return _render_detail(request, scope, subject, revealed)


@staff_view()
def subjects_export(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """CSV of the subjects in scope; resident IDs appear masked only."""
    rows = subject_search(
        scope=scope, q=request.GET.get("q", "")[:100], category=request.GET.get("category", "")[:40]
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="subjects.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = SafeCsvWriter(response)
    writer.writerow(
        ["name", "kind", "identifier", "division_code", "division", "categories", "legal_representative"]
    )
    count = 0
    for subject in rows:
        writer.writerow(
            [
                subject.name,
                subject.kind,
                subject.identifier_display,
                subject.division_id,
                subject.division.name,
                ";".join(c.code for c in subject.categories.all()),
                subject.legal_representative,
            ]
        )
        count += 1
    audit_record(
        actor=request.user,
        action="registry.subject.export",
        target=("registry.subject", "*"),
        detail={"rows": count, "scope": scope.prefix},
    )
    return response
