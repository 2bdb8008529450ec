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
from minesweep.registry.models import Subject

PUBLIC_STATUSES = (ListingRecord.Status.LISTED, ListingRecord.Status.REPAIR_APPLIED)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_RESIDENT_ID_LIKE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")


def clean_text(text: str) -> str:
    """Input text without NUL and other control characters (PostgreSQL refuses NUL), trimmed."""
    return _CONTROL.sub("", text or "").strip()


def public_listings(*, q: str = "", today: dt.date | None = None) -> QuerySet[ListingRecord]:
    """Published records in their publication period, searchable by name or USCC — never by ID number."""
    day = today or timezone.localdate()
    q = clean_text(q)[:100]
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
        organisations = Q(name__icontains=q) & ~Q(subject_kind=Subject.Kind.INDIVIDUAL)
        rows = rows.filter(organisations | Q(uscc__iexact=q) | Q(pk__in=_persons_published_as(rows, q)))
    return rows.order_by("-publication_start", "-id")


def _persons_published_as(rows: QuerySet[ListingRecord], q: str) -> list[int]:
    """Listed persons whose published name (张某) contains ``q``: a search by a person's full name finds
    nothing, or the public search would tell whoever asks whether 张三 is listed."""
    people = rows.filter(subject_kind=Subject.Kind.INDIVIDUAL).only("pk", "name", "subject_kind")
    return [person.pk for person in people if q in person.name_public]


def public_row(listing: ListingRecord) -> dict[str, Any]:
    """One published record as the national credit platform exchange expects it: no personal ID, and a
    person named by surname only (``name_public``), as on the public page."""
    return {
        "number": listing.number,
        "name": listing.name_public,
        "uscc": listing.identifier_public,
        "subject_kind": listing.subject_kind,
        "legal_representative": listing.legal_representative if listing.subject_kind != "individual" else "",
        "severity": listing.severity,
        "reason": listing.reason_public,
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
    q = clean_text(q)[:100]
    if q:
        rows = rows.filter(
            Q(name__icontains=q) | Q(uscc__iexact=q) | Q(number__iexact=q) | Q(decision_number__icontains=q)
        )
    if status in ListingRecord.Status.values:
        rows = rows.filter(status=status)
    return rows


def listing_get(*, scope: Scope | None, pk: int) -> ListingRecord:
    return get_scoped(ListingRecord.objects.select_related("division", "subject"), scope, pk=pk)


def listing_for_party(party: Any) -> ListingRecord | None:
    """The latest listing made from a case party (its credit track or its penalty decision)."""
    return ListingRecord.objects.filter(party=party).order_by("-pk").first()
