from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minesweep.accounts.access import staff_view
from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.roles import Role
from minesweep.audit.labels import OBJECTS, action_label, object_label
from minesweep.audit.models import AuditEvent
from minesweep.policy.packs import region_prefix


@staff_view(Role.ADMINISTRATOR, Role.LEADERSHIP)
def events(request: HttpRequest, *, scope: Scope) -> HttpResponse:
    """The audit trail within the viewer's jurisdiction (events with no division are region-level)."""
    visible = AuditEvent.objects.select_related("actor")
    if scope.prefix != region_prefix():
        visible = visible.filter(Q(division_code__startswith=scope.prefix))
    action = request.GET.get("action", "")[:80]
    if action:
        visible = visible.filter(action__startswith=action)
    page = Paginator(visible.order_by("-seq"), 100).get_page(request.GET.get("page"))
    rows = [
        {"event": e, "action": action_label(e.action), "object": object_label(e.object_type)} for e in page
    ]
    # One filter entry per kind of object (the first, action-style code of each name).
    by_label = {object_label(code): code for code in reversed(list(OBJECTS))}
    kinds = sorted(((code, label) for label, code in by_label.items()), key=lambda item: item[0])
    return render(
        request,
        "audit/events.html",
        {
            "page": page,
            "rows": rows,
            "action": action,
            "kinds": kinds,
            "is_admin": scope.role == Role.ADMINISTRATOR,
        },
    )
