"""Reads of the blacklist: the public list (anyone) and the staff list (scoped to the jurisdiction)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from minesweep.accounts.jurisdiction import Scope, get_scoped, scoped
from minesweep.core.errors import DomainError
from minesweep.credit.models import ListingRecord

PUBLIC_STATUSES = (ListingRecord.Status.LISTED, ListingRecord.Status.REPAIR_APPLIED)
_RESIDENT_ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")


def public_listings(*, q: str = "", today: dt.date | None = None) -> QuerySet[ListingRecord]:
    """Published records in their publication period, searchable by name or USCC — never by ID number."""
    day = today or timezone.localdate()
    q = q.strip()[:100]
    if _RESIDENT_ID_LIKE.match(q):
        raise DomainError(
            "credit.query_resident_id",
            "公示查询不支持身份证号，请输入主体名称或统一社会信用代码",
            "The public search does not take resident ID numbers; enter a name or a USCC",
        )
    rows = ListingRecord.objects.filter(
        status__in=PUBLIC_STATUSES, published=True, publication_start__lte=day, max_end__gt=day
    )
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(uscc__iexact=q))
    return rows.order_by("-publication_start", "-id")


def public_row(listing: ListingRecord) -> dict[str, Any]:
    """One published record as the national credit platform exchange expects it (no personal ID)."""
    return {
        "number": listing.number,
        "name": listing.name,
        "uscc": listing.identifier_public,
        "subject_kind": listing.subject_kind,
        "legal_representative": listing.legal_representative if listing.subject_kind != "individual" else "",
        "severity": listing.severity,
        "reason": listing.reason,
        "basis": listing.basis,
        "authority": listing.authority,
        "decision_number": listing.decision_number,
        "listed_on": str(listing.listed_on or ""),
        "publication_start": str(listing.publication_start or ""),
        "min_end": str(listing.min_end or ""),
        "max_end": str(listing.max_end or ""),
        "division_code": listing.division_id,
    }


PUBLIC_FIELDS = list(public_row(ListingRecord(number="", name="")).keys())


def staff_listings(*, scope: Scope | None, q: str = "", status: str = "") -> QuerySet[ListingRecord]:
    rows = scoped(ListingRecord.objects.select_related("division"), scope)
    q = q.strip()[:100]
    if q:
        rows = rows.filter(
            Q(name__icontains=q) | Q(uscc__iexact=q) | Q(number__iexact=q) | Q(decision_number__icontains=q)
        )
    if status in ListingRecord.Status.values:
        rows = rows.filter(status=status)
    return rows


def listing_get(*, scope: Scope | None, pk: int) -> ListingRecord:
    return get_scoped(ListingRecord.objects.select_related("division", "subject"), scope, pk=pk)
