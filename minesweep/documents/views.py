"""Document pages: the list in scope, a case's documents (issue / re-render / download)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minesweep.accounts.access import staff_view
from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.roles import Role
from minesweep.audit.services import audit_record
from minesweep.core.errors import DomainError, PermissionDeniedError
from minesweep.core.i18n import pick
from minesweep.documents.models import IssuedDocument
from minesweep.documents.selectors import act_get, case_get, case_timeline, document_get, documents_for
from minesweep.documents.services import document_issue, document_offers

WRITERS = (Role.INVESTIGATOR,)
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@staff_view()
def document_list(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    q = request.GET.get("q", "")[:60]
    page = Paginator(documents_for(scope=scope, q=q), 50).get_page(request.GET.get("page"))
    return render(request, "documents/list.html", {"page": page, "q": q})


@staff_view()
def case_page(request: HttpRequest, case_pk: int, *, scope: Scope) -> HttpResponse:
    case = case_get(scope, case_pk)
    can_issue = scope.role in (Role.INVESTIGATOR, Role.ADMINISTRATOR)
    offers = document_offers(case) if can_issue else []
    return render(
        request,
        "documents/case.html",
        {
            "case": case,
            "timeline": (timeline := case_timeline(case=case)),
            "unverified": any(entry.unverified for entry in timeline),
            "issuable": [o for o in offers if o.issuable],
            "not_yet": [o for o in offers if not o.issuable],
            "parties": case.parties.all(),
            # each act's documents for its title (Act.kind_label), without their files
            "acts": case.acts.defer("scan")
            .order_by("id")
            .prefetch_related(
                Prefetch("documents", IssuedDocument.objects.only("id", "act_id", "kind", "data"))
            ),
            "letters": case.tracks.filter(kind__in=("measure", "other_authority")).exclude(letter_on=None),
            "can_issue": can_issue,
        },
    )


@require_POST
@staff_view(*WRITERS)
def issue(request: HttpRequest, case_pk: int, *, scope: Scope) -> HttpResponse:
    case = case_get(scope, case_pk)
    kind = request.POST.get("kind", "")[:30]
    party_id = request.POST.get("party", "")
    party = case.parties.filter(pk=int(party_id)).first() if party_id.isdigit() else None
    try:
        if party_id and party is None:
            raise DomainError("documents.party_unknown", "该案没有此当事人", "No such party in this case")
        document = document_issue(
            actor=request.user,
            case=case,
            kind=kind,
            party=party,
            reissue=request.POST.get("reissue") == "1",
            reason=request.POST.get("reason", "")[:300],
            addressee=request.POST.get("addressee", "")[:40],
        )
        messages.success(
            request,
            pick(
                f"已出具 {document.number or document.kind_zh}（第{document.version}版）",
                f"Issued {document.number or document.kind} (version {document.version})",
            ),
        )
    except DomainError as exc:
        messages.error(request, pick(exc.message_zh, exc.message_en))
    return redirect("documents:case", case_pk=case.pk)


@staff_view()
def download(request: HttpRequest, pk: int, fmt: str, *, scope: Scope) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise PermissionDeniedError(
            "documents.format", "格式只能是 docx 或 pdf", "Format must be docx or pdf"
        )
    document = document_get(scope=scope, pk=pk)
    audit_record(
        actor=request.user,
        action="documents.document.download",
        target=document,
        detail={"number": document.number, "version": document.version, "format": fmt},
        division_code=document.case.division_id,
    )
    response = HttpResponse(bytes(getattr(document, fmt)), content_type=CONTENT_TYPES[fmt])
    filename = f"{document.case.number}-{document.kind}-v{document.version}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_view()
def paper_scan(request: HttpRequest, pk: int, *, scope: Scope) -> HttpResponse:
    """The scan of an act issued on paper (its document of record), within the case's scope."""
    act = act_get(scope=scope, pk=pk)
    audit_record(
        actor=request.user,
        action="documents.act.scan_download",
        target=act,
        detail={"number": act.number},
        division_code=act.case.division_id,
    )
    response = HttpResponse(bytes(act.scan), content_type=act.scan_content_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{act.case.number}-{act.kind}-scan"'
    return response
