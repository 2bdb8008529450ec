"""Scoped reads of issued documents: a document is visible exactly when its case is (cases.selectors)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db.models import QuerySet

from minesweep.accounts.jurisdiction import Scope
from minesweep.cases.models import Case
from minesweep.cases.selectors import case_get, cases_for
from minesweep.core.errors import NotFoundError
from minesweep.documents.checker import unverified_citations
from minesweep.documents.models import Act, IssuedDocument


def documents_for(*, scope: Scope | None, q: str = "") -> QuerySet[IssuedDocument]:
    documents = IssuedDocument.objects.filter(case__in=cases_for(scope)).select_related("case", "party")
    q = q.replace("\x00", "").strip()[:60]
    if q:
        documents = documents.filter(case__number__icontains=q) | documents.filter(number__icontains=q)
    return documents.defer("docx", "pdf").order_by("-issued_at", "-id")


def case_documents(*, case: Case) -> QuerySet[IssuedDocument]:
    """Every version of every document of the case, for its timeline (oldest first)."""
    return IssuedDocument.objects.filter(case=case).defer("docx", "pdf").order_by("issued_at", "id")


@dataclass(frozen=True)
class TimelineEntry:
    """A document of the case's timeline and the articles it cites that no stored source confirmed."""

    document: IssuedDocument
    unverified: list[str]


def case_timeline(*, case: Case) -> list[TimelineEntry]:
    """:func:`case_documents`, each with :func:`checker.unverified_citations` of the fields it was rendered
    from (the text the template filled in: no DOCX is opened)."""
    return [
        TimelineEntry(d, unverified_citations(json.dumps(d.data, ensure_ascii=False)))
        for d in case_documents(case=case)
    ]


def document_get(*, scope: Scope | None, pk: int) -> IssuedDocument:
    document = IssuedDocument.objects.filter(pk=pk, case__in=cases_for(scope)).select_related("case").first()
    if document is None:
        raise NotFoundError()
    return document


def act_get(*, scope: Scope | None, pk: int) -> Act:
    act = Act.objects.filter(pk=pk, case__in=cases_for(scope)).select_related("case").first()
    if act is None:
        raise NotFoundError()
    return act


__all__ = ["act_get", "case_documents", "case_get", "document_get", "documents_for"]
