"""Writes to the registry. Every function is atomic and records its audit event."""

from __future__ import annotations

import ipaddress
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.forms.models import model_to_dict

from minesweep.audit.services import audit_record
from minesweep.core.errors import DomainError
from minesweep.registry.models import (
    Category,
    Division,
    IPAllocation,
    MiningProject,
    MiningProjectSnapshot,
    PowerAccount,
    Site,
    Subject,
)
from minesweep.registry.resident_id import resident_id_problem
from minesweep.registry.uscc import validate_uscc

Actor = AbstractBaseUser | str | None


class RegistryError(DomainError):
    pass


def subject_snapshot(
    subject: Subject, categories: list[str] | tuple[str, ...] | None = None
) -> dict[str, Any]:
    """What the audit digests of a subject (never its resident ID); ``categories`` when already known
    (a bulk import: no query per row)."""
    data = model_to_dict(subject, exclude=["categories", "resident_id"])
    if categories is None:
        categories = list(subject.categories.values_list("code", flat=True)) if subject.pk else []
    data["categories"] = sorted(set(categories))
    return data


def subject_new(
    *,
    kind: str,
    name: str,
    division: Division,
    uscc: str | None = None,
    resident_id: str = "",
    legal_representative: str = "",
    declared_business: str = "",
    address: str = "",
) -> Subject:
    """A subject not yet saved, its identity as stored: USCC and resident ID upper-case, name trimmed."""
    return Subject(
        kind=kind,
        name=name.strip(),
        division=division,
        uscc=normal_uscc(uscc),
        resident_id=resident_id.strip().upper(),
        legal_representative=legal_representative,
        declared_business=declared_business,
        address=address,
    )


def normal_uscc(uscc: str | None) -> str | None:
    return uscc.strip().upper() if uscc else None


def check_subject_identity(*, kind: str, uscc: str | None, resident_id: str) -> None:
    """Refuse an invalid USCC or resident ID with the reason (bilingual)."""
    if uscc:
        result = validate_uscc(uscc)
        if not result.valid:
            raise RegistryError(
                "registry.uscc_invalid",
                f"统一社会信用代码无效：{result.reason_zh}",
                f"Invalid USCC: {result.reason_en}",
                field="uscc",
            )
    elif kind == Subject.Kind.ENTERPRISE:
        raise RegistryError(
            "registry.uscc_required",
            "企业必须填写统一社会信用代码",
            "An enterprise needs its USCC",
            field="uscc",
        )
    if resident_id:
        problem = resident_id_problem(resident_id)
        if problem:
            raise RegistryError(
                "registry.resident_id_invalid",
                f"身份证号无效：{problem}",
                f"Invalid resident ID: {problem}",
                field="resident_id",
            )


@transaction.atomic
def subject_create(
    *,
    actor: Actor,
    kind: str,
    name: str,
    division: Division,
    uscc: str | None = None,
    resident_id: str = "",
    legal_representative: str = "",
    declared_business: str = "",
    address: str = "",
    categories: list[str] | tuple[str, ...] = (),
) -> Subject:
    check_subject_identity(kind=kind, uscc=normal_uscc(uscc), resident_id=resident_id)
    unknown = set(categories) - set(
        Category.objects.filter(code__in=categories).values_list("code", flat=True)
    )
    if unknown:
        raise RegistryError(
            "registry.category_unknown",
            f"未知主体类别：{', '.join(sorted(unknown))}",
            f"Unknown subject category: {', '.join(sorted(unknown))}",
            field="categories",
        )
    subject = subject_new(
        kind=kind,
        name=name,
        division=division,
        uscc=uscc,
        resident_id=resident_id,
        legal_representative=legal_representative,
        declared_business=declared_business,
        address=address,
    )
    subject.save()
    subject.categories.set(Category.objects.filter(code__in=categories))
    audit_record(
        actor=actor,
        action="registry.subject.create",
        target=subject,
        after=subject_snapshot(subject),
        division_code=division.code,
    )
    return subject


@transaction.atomic
def subject_reveal_resident_id(*, actor: AbstractBaseUser, subject: Subject, reason: str) -> str:
    """Show an individual's full resident ID: needs a stated reason, and the read is audited."""
    if not reason.strip():
        raise RegistryError(
            "registry.reason_required", "查看身份证号须说明理由", "State why you need to see the resident ID"
        )
    audit_record(
        actor=actor,
        action="registry.subject.read_resident_id",
        target=subject,
        detail={"reason": reason.strip()},
        division_code=subject.division_id,
    )
    return subject.resident_id


@transaction.atomic
def site_create(
    *,
    actor: Actor,
    name: str,
    address: str,
    division: Division,
    subject: Subject | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Site:
    site = Site.objects.create(
        name=name, address=address, division=division, subject=subject, latitude=latitude, longitude=longitude
    )
    audit_record(
        actor=actor,
        action="registry.site.create",
        target=site,
        after=model_to_dict(site),
        division_code=division.code,
    )
    return site


@transaction.atomic
def power_account_create(
    *,
    actor: Actor,
    number: str,
    tariff: str,
    division: Division,
    subject: Subject | None = None,
    site: Site | None = None,
    contract_kva: Decimal | None = None,
    voltage_kv: Decimal | None = None,
) -> PowerAccount:
    if PowerAccount.objects.filter(number=number).exists():
        raise RegistryError(
            "registry.power_account_exists",
            f"户号 {number} 已存在",
            f"Power account {number} already exists",
            field="number",
        )
    account = PowerAccount.objects.create(
        number=number,
        tariff=tariff,
        division=division,
        subject=subject,
        site=site,
        contract_kva=contract_kva,
        voltage_kv=voltage_kv,
    )
    audit_record(
        actor=actor,
        action="registry.power_account.create",
        target=account,
        after=model_to_dict(account),
        division_code=division.code,
    )
    return account


def _project_state(project: MiningProject) -> dict[str, Any]:
    return {
        "owner": project.owner.name,
        "owner_uscc": project.owner.uscc or "",
        "name": project.name,
        "division": project.division_id,
        "rigs": project.rigs,
        "hash_rate_ths": str(project.hash_rate_ths),
        "power_kw": str(project.power_kw),
        "status": project.status,
        "planned_start": project.planned_start.isoformat() if project.planned_start else "",
    }


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@transaction.atomic
def project_register_snapshot(*, actor: Actor, day: date) -> int:
    """Record the weekly register (1283号 asks for weekly updates); an existing week is left as it was."""
    week = iso_week(day)
    taken = 0
    for project in MiningProject.objects.select_related("owner").order_by("pk"):
        _, created = MiningProjectSnapshot.objects.get_or_create(
            project=project, week=week, defaults={"data": _project_state(project)}
        )
        taken += int(created)
    audit_record(
        actor=actor,
        action="registry.project_register.snapshot",
        target=("registry.week", week),
        detail={"week": week, "projects": taken},
    )
    return taken


@transaction.atomic
def ip_allocation_create(
    *,
    actor: Actor,
    prefix: str,
    valid_from: Any,
    subscriber_name: str,
    division: Division,
    subject: Subject | None = None,
    valid_to: Any = None,
    address: str = "",
) -> IPAllocation:
    """Record who held an address block from when to when (periods may overlap; attribution picks the
    most specific prefix, then the latest start)."""
    try:
        network = ipaddress.ip_network(prefix.strip(), strict=False)
    except ValueError:
        raise RegistryError(
            "registry.ip_prefix_invalid",
            f"IP 地址段无效：{prefix}",
            f"Invalid IP prefix: {prefix}",
            field="prefix",
        ) from None
    if valid_to is not None and valid_to <= valid_from:
        raise RegistryError(
            "registry.ip_period_invalid",
            "结束时间须晚于开始时间",
            "The end must be after the start",
            field="valid_to",
        )
    allocation = IPAllocation.objects.create(
        prefix=str(network),
        valid_from=valid_from,
        valid_to=valid_to,
        subject=subject,
        subscriber_name=subscriber_name,
        address=address,
        division=division,
    )
    audit_record(
        actor=actor,
        action="registry.ip_allocation.create",
        target=allocation,
        after={
            "prefix": str(network),
            "subject": subject.pk if subject else None,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
        division_code=division.code,
    )
    return allocation
