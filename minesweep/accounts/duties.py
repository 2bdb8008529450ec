"""Duties inside a role. A legal reviewer (法制审核人员) is an investigator holding the legal-review post
(``StaffProfile.legal_reviewer``): she reviews cases she does not work on, so she is never offered, nor
accepted, as a case's officer (行政处罚法第五十八条: the review is done by others than the investigators)."""

from __future__ import annotations

from django.contrib.auth.models import User

from minesweep.accounts.models import StaffProfile


def is_legal_reviewer(user: User) -> bool:
    return StaffProfile.objects.filter(user=user, legal_reviewer=True).exists()


def legal_reviewer_assign(*, user: User) -> None:
    StaffProfile.objects.filter(user=user).update(legal_reviewer=True)
