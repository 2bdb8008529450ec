"""Staff JSON routes for the registry, scoped to the caller's jurisdiction (session auth)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from minesweep.accounts.api_auth import StaffSession
from minesweep.accounts.jurisdiction import require_scope
from minesweep.core.paging import check_page, limit_param, offset_param
from minesweep.registry.selectors import subject_get, subject_search

router = Router(auth=StaffSession(), tags=["registry"])


class SubjectOut(Schema):
    id: int
    kind: str
    name: str
    identifier: str
    division_code: str
    categories: list[str]


def _out(subject) -> SubjectOut:  # type: ignore[no-untyped-def]
    return SubjectOut(
        id=subject.pk,
        kind=subject.kind,
        name=subject.name,
        identifier=subject.identifier_display,
        division_code=subject.division_id,
        categories=[c.code for c in subject.categories.all()],
    )


@router.get("/subjects", response=list[SubjectOut])
def list_subjects(
    request: HttpRequest,
    q: str = "",
    category: str = "",
    limit: int = limit_param(100, maximum=500),
    offset: int = offset_param(),
):  # type: ignore[no-untyped-def]
    scope = require_scope(request.user)
    check_page(limit, offset, max_limit=500)
    return [
        _out(s)
        for s in subject_search(scope=scope, q=q[:100], category=category[:40])[offset : offset + limit]
    ]


@router.get("/subjects/{subject_id}", response=SubjectOut)
def get_subject(request: HttpRequest, subject_id: int):  # type: ignore[no-untyped-def]
    return _out(subject_get(scope=require_scope(request.user), pk=subject_id))
