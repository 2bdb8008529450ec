"""Reads of the registry, always scoped to the caller's jurisdiction."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from minesweep.accounts.jurisdiction import Scope, get_scoped, scoped
from minesweep.registry.models import PowerAccount, Subject


def subject_search(*, scope: Scope | None, q: str = "", category: str = "") -> QuerySet[Subject]:
    subjects = scoped(Subject.objects.select_related("division").prefetch_related("categories"), scope)
    q = q.strip()
    if q:
        subjects = subjects.filter(
            Q(name__icontains=q) | Q(uscc__iexact=q) | Q(power_accounts__number=q)
        ).distinct()
    if category:
        subjects = subjects.filter(categories__code=category)
    return subjects.order_by("division_id", "name")


def subject_get(*, scope: Scope | None, pk: int) -> Subject:
    return get_scoped(Subject.objects.select_related("division"), scope, pk=pk)


def power_accounts_of(*, scope: Scope | None, subject: Subject) -> QuerySet[PowerAccount]:
    return scoped(PowerAccount.objects.filter(subject=subject), scope)
