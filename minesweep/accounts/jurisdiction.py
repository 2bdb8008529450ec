"""Deny-by-default scoping of every query to the caller's jurisdiction (辖区).

A region officer sees everything in the region, a league officer the league and its counties, a county
officer only the county. A user with no staff profile sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, Q, QuerySet

from minesweep.accounts.models import StaffProfile
from minesweep.accounts.roles import Role
from minesweep.core.errors import NotFoundError, PermissionDeniedError

NOTHING = Q(pk__in=[])
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """What one staff member may see: a division-code prefix, a role and possibly a department."""

    prefix: str
    role: Role
    department: str
    division_code: str

    def contains(self, division_code: str | None) -> bool:
        return bool(division_code) and str(division_code).startswith(self.prefix)

    def q(self, division_field: str = "division") -> Q:
        return Q(**{f"{division_field}__code__startswith": self.prefix}) if division_field else NOTHING


def staff_profile(user: AbstractBaseUser | AnonymousUser | None) -> StaffProfile | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return StaffProfile.objects.select_related("jurisdiction").filter(user_id=user.pk).first()


def scope_of(user: AbstractBaseUser | AnonymousUser | None) -> Scope | None:
    profile = staff_profile(user)
    if profile is None:
        return None
    return Scope(
        profile.jurisdiction.scope_prefix, Role(profile.role), profile.department, profile.jurisdiction.code
    )


def require_scope(user: AbstractBaseUser | AnonymousUser | None, *roles: Role) -> Scope:
    """The caller's scope, refusing anyone without a profile or (when roles are given) the wrong role."""
    scope = scope_of(user)
    if scope is None:
        raise PermissionDeniedError("auth.not_staff", "仅限工作人员", "Staff only")
    if roles and scope.role not in roles and scope.role != Role.ADMINISTRATOR:
        raise PermissionDeniedError("auth.wrong_role", "当前角色无此权限", "Your role does not allow this")
    return scope


def scoped(queryset: QuerySet[M], scope: Scope | None, division_field: str = "division") -> QuerySet[M]:
    """Filter any queryset to the scope; ``None`` (not staff) yields an empty queryset."""
    if scope is None:
        return queryset.none()
    return queryset.filter(scope.q(division_field))


def get_scoped(
    queryset: QuerySet[M], scope: Scope | None, division_field: str = "division", **lookup: object
) -> M:
    """One record inside the scope. Outside records look exactly like missing ones (no existence leak)."""
    found = scoped(queryset, scope, division_field).filter(**lookup).first()
    if found is None:
        raise NotFoundError()
    return found
