"""Duties inside a role. A legal reviewer (法制审核人员) is an investigator assigned to legal review: she may
review any case she does not work on, so she is never offered, nor accepted, as a case's officer
(行政处罚法 Art. 58: the review is done by persons other than those who investigated). The duty is a
Django auth group, so it needs no schema change."""

from __future__ import annotations

from django.contrib.auth.models import Group, User

LEGAL_REVIEW_GROUP = "legal_reviewers"


def is_legal_reviewer(user: User) -> bool:
    return user.groups.filter(name=LEGAL_REVIEW_GROUP).exists()


def legal_reviewer_assign(*, user: User) -> None:
    group, _ = Group.objects.get_or_create(name=LEGAL_REVIEW_GROUP)
    user.groups.add(group)
