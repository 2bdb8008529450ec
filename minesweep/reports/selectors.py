"""Reads of reports: always scoped to the caller's jurisdiction (deny by default)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import QuerySet

from minesweep.accounts.jurisdiction import Scope, get_scoped, scoped
from minesweep.accounts.roles import Role
from minesweep.reports.models import OPEN_STATES, Report, ReportAttachment, ReportNotification
from minesweep.security.receipts import receipt_lookup_id, receipt_verify

NEARBY_METRES = 500
QUEUE_LIMIT = 500
# Who may read what a reporter wrote (always through services.report_content_read, which audits the read);
# analysts and department liaisons never do, wherever the report's facts travel (issue 14).
CONTENT_READERS = (Role.INTAKE_OFFICER, Role.INVESTIGATOR, Role.LEADERSHIP)


def content_readable(scope: Scope | None) -> bool:
    """May this scope's role read reporters' own words (administrators may, as on every staff page)?"""
    return scope is not None and (scope.role in CONTENT_READERS or scope.role == Role.ADMINISTRATOR)


def reports_in_scope(*, scope: Scope | None) -> QuerySet[Report]:
    return scoped(Report.objects.select_related("division"), scope)


def report_get(*, scope: Scope | None, number: str) -> Report:
    return get_scoped(Report.objects.select_related("division", "duplicate_of", "lead"), scope, number=number)


def attachment_get(*, scope: Scope | None, report: Report, pk: int) -> ReportAttachment:
    report = report_get(scope=scope, number=report.number)  # re-checks the scope
    return get_scoped(ReportAttachment.objects.filter(report=report), scope, "report__division", pk=pk)


def receipt_indexed(code: str) -> bool:
    """Cheap pre-check (one index probe, no Argon2id): could this canonical code open a report?"""
    return Report.objects.filter(lookup_id=receipt_lookup_id(code)).exists()


def report_by_receipt(code: str) -> Report | None:
    """The report a canonical receipt opens, or None. Always costs one Argon2id verification."""
    report = Report.objects.filter(lookup_id=receipt_lookup_id(code)).select_related("duplicate_of").first()
    ok = receipt_verify(code, report.verifier if report else None)
    return report if ok else None


def _normal_address(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text or "").lower()


def _metres(a: Report, b: Report) -> float:
    lat1, lon1, lat2, lon2 = (
        math.radians(float(v or 0)) for v in (a.latitude, a.longitude, b.latitude, b.longitude)
    )
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


@dataclass
class QueueGroup:
    """Open reports that are likely about the same place or company, with the reasons they were grouped."""

    reports: list[Report]
    reasons: set[str] = field(default_factory=set)

    @property
    def is_duplicate_group(self) -> bool:
        return len(self.reports) > 1


def intake_queue(*, scope: Scope | None, state: str = "") -> list[QueueGroup]:
    """Open reports in scope, likely duplicates grouped: same USCC, same power account, the same address
    once spaces and punctuation are ignored, or coordinates within ``NEARBY_METRES``."""
    qs = reports_in_scope(scope=scope)
    qs = qs.filter(state=state) if state else qs.filter(state__in=OPEN_STATES)
    reports = list(qs.order_by("-created_at")[:QUEUE_LIMIT])
    parent = list(range(len(reports)))
    reasons: dict[int, set[str]] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int, why: str) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[b] = a
            reasons[a] = reasons.get(a, set()) | reasons.pop(b, set())
        reasons.setdefault(a, set()).add(why)

    for key, why in (("uscc", "uscc"), ("power_account", "power_account")):
        seen: dict[str, int] = {}
        for i, r in enumerate(reports):
            value = getattr(r, key)
            if value:
                if value in seen:
                    union(seen[value], i, why)
                else:
                    seen[value] = i
    seen_addr: dict[str, int] = {}
    for i, r in enumerate(reports):
        value = _normal_address(r.address)
        if len(value) >= 6:
            if value in seen_addr:
                union(seen_addr[value], i, "address")
            else:
                seen_addr[value] = i
    located = [i for i, r in enumerate(reports) if r.latitude is not None and r.longitude is not None]
    for x, i in enumerate(located):
        for j in located[x + 1 :]:
            if _metres(reports[i], reports[j]) <= NEARBY_METRES:
                union(i, j, "nearby")
    groups: dict[int, QueueGroup] = {}
    for i, r in enumerate(reports):
        root = find(i)
        groups.setdefault(root, QueueGroup([], reasons.get(root, set()))).reports.append(r)
    # Duplicate groups first, then newest first.
    return sorted(
        groups.values(), key=lambda g: (not g.is_duplicate_group, -g.reports[0].created_at.timestamp())
    )


def merge_candidates(*, scope: Scope | None, report: Report) -> QuerySet[Report]:
    return (
        reports_in_scope(scope=scope)
        .exclude(pk=report.pk)
        .filter(duplicate_of__isnull=True)
        .order_by("-created_at")[:50]
    )


def unread_notifications(*, user: User, scope: Scope | None) -> QuerySet[ReportNotification]:
    """Unread notices for reports still inside the user's scope (a routed-away report stops counting)."""
    return scoped(
        ReportNotification.objects.filter(user=user, read_at__isnull=True).select_related("report"),
        scope,
        "report__division",
    )


def notifications_for(*, user: User, scope: Scope | None) -> QuerySet[ReportNotification]:
    return scoped(
        ReportNotification.objects.filter(user=user).select_related("report", "report__division"),
        scope,
        "report__division",
    )[:200]
