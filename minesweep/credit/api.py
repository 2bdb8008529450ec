"""Credit routes: the public list (no sign-in, same content as /credit/) and the staff register (scoped)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from minesweep.accounts.api_auth import StaffSession
from minesweep.accounts.jurisdiction import require_scope
from minesweep.core.paging import check_page, limit_param, offset_param
from minesweep.credit.access import READERS
from minesweep.credit.selectors import listing_get, public_listings, public_row, staff_listings

router = Router(tags=["credit"])


class PublicListingOut(Schema):
    number: str
    name: str
    uscc: str
    subject_kind: str
    legal_representative: str
    severity: str
    reason: str
    basis: str
    authority: str
    decision_number: str
    listed_on: str
    publication_start: str
    min_end: str
    max_end: str
    division_code: str


class StaffListingOut(PublicListingOut):
    id: int
    status: str
    case_number: str


def _staff(listing) -> StaffListingOut:  # type: ignore[no-untyped-def]
    """The public row with the identity as decided: staff see a person's full name."""
    decided = {**public_row(listing), "name": listing.name, "reason": listing.reason}
    return StaffListingOut(id=listing.pk, status=listing.status, case_number=listing.case_number, **decided)


@router.get("/public", response=list[PublicListingOut], auth=None)
def public_list(
    request: HttpRequest, q: str = "", limit: int = limit_param(50, maximum=200), offset: int = offset_param()
):  # type: ignore[no-untyped-def]
    check_page(limit, offset, max_limit=200)
    return [public_row(r) for r in public_listings(q=q[:100])[offset : offset + limit]]


@router.get("/listings", response=list[StaffListingOut], auth=StaffSession())
def listings(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    limit: int = limit_param(100, maximum=500),
    offset: int = offset_param(),
):  # type: ignore[no-untyped-def]
    scope = require_scope(request.user, *READERS)
    check_page(limit, offset, max_limit=500)
    return [_staff(r) for r in staff_listings(scope=scope, q=q, status=status)[offset : offset + limit]]


@router.get("/listings/{listing_id}", response=StaffListingOut, auth=StaffSession())
def listing(request: HttpRequest, listing_id: int):  # type: ignore[no-untyped-def]
    return _staff(listing_get(scope=require_scope(request.user, *READERS), pk=listing_id))
