"""Creating staff users with their role, department and jurisdiction."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from minesweep.accounts.models import StaffProfile
from minesweep.accounts.roles import DEPARTMENTS, Role
from minesweep.accounts.signin_limits import signin_limits_clear
from minesweep.audit.services import audit_record
from minesweep.core.errors import DomainError
from minesweep.registry.models import Division


@transaction.atomic
def staff_create(
    *,
    actor: AbstractBaseUser | str | None,
    username: str,
    password: str,
    display_name: str,
    role: Role,
    jurisdiction: Division,
    department: str = "",
    legal_reviewer: bool = False,
) -> StaffProfile:
    """A staff member. A legal reviewer (法制审核人员, 行政处罚法第五十八条) is an investigator holding the
    legal-review post of her organ: her department's authority at her jurisdiction (no department: the
    case authority, the 发改委; ``power_administration``: the 能源局, which decides its own penalties)."""
    if role == Role.DEPARTMENT_LIAISON and department not in DEPARTMENTS:
        raise DomainError(
            "accounts.department_required",
            "部门联络员必须属于一个部门",
            "A department liaison must belong to a department",
        )
    if department and department not in DEPARTMENTS:
        raise DomainError(
            "accounts.department_unknown", f"未知部门 {department}", f"Unknown department {department}"
        )
    if legal_reviewer and role != Role.INVESTIGATOR:
        raise DomainError(
            "accounts.reviewer_role",
            "法制审核人员须为核查办案岗位账号",
            "A legal reviewer must hold the investigator role",
        )
    user = User.objects.create_user(username=username, password=password)
    profile = StaffProfile.objects.create(
        user=user,
        role=role.value,
        department=department,
        jurisdiction=jurisdiction,
        display_name=display_name,
        legal_reviewer=legal_reviewer,
    )
    audit_record(
        actor=actor,
        action="accounts.staff.create",
        target=profile,
        after={
            "username": username,
            "role": role.value,
            "department": department,
            "jurisdiction": jurisdiction.code,
            "legal_reviewer": legal_reviewer,
        },
        division_code=jurisdiction.code,
    )
    return profile


@transaction.atomic
def totp_enrol(*, actor: AbstractBaseUser | str | None, user: User, key_hex: str | None = None) -> TOTPDevice:
    """Give a user a confirmed TOTP device (the key is shown once as a QR code or otpauth URL)."""
    device = TOTPDevice(user=user, name="default", confirmed=True)
    if key_hex:
        device.key = key_hex
    device.save()
    audit_record(actor=actor, action="accounts.totp.enrol", target=user)
    return device


@transaction.atomic
def staff_unlock(*, actor: AbstractBaseUser | str | None, username: str) -> int:
    """An administrator lifts the sign-in delays on an account (all clients); returns counters cleared."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise DomainError("accounts.user_unknown", "没有该用户", "No such user")
    cleared = signin_limits_clear(username)
    audit_record(actor=actor, action="accounts.unlock", target=user, detail={"counters": cleared})
    return cleared
