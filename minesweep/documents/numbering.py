"""One number per act: allocated once when the act is issued, or recorded from a paper original.

``act_number_issue`` is idempotent per act (kind + target): the first call allocates the next serial of the
issuing authority, kind and year of the act's date; every later call returns the same act. Nobody types a
platform number; only an act issued on paper is recorded with the number it bears, together with its scan.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from minesweep.audit.services import audit_record
from minesweep.cases.models import Case
from minesweep.core.errors import DomainError
from minesweep.documents.authority import Issuer, issuer_for
from minesweep.documents.kinds import KINDS
from minesweep.documents.models import Act, NumberCounter

Actor = AbstractBaseUser | AnonymousUser | str | None
Scan = tuple[str, str, bytes]  # file name, content type, content
PAPER_NUMBER = re.compile(r"^\S{1,30}〔(\d{4})〕(\d{1,6})号$")
MAX_SCAN_BYTES = 20 * 1024 * 1024


def act_for(*, kind: str, target: str) -> Act | None:
    return Act.objects.filter(kind=kind, target=target).first()


def _known_kind(kind: str) -> None:
    if kind not in KINDS:
        raise DomainError(
            "documents.kind_unknown",
            f"未知文书种类“{kind}”，可选：{'、'.join(KINDS)}",
            f"Unknown document kind '{kind}'; choose one of {', '.join(KINDS)}",
        )


def _next_free(prefix: str, year: int) -> tuple[int, str]:
    """The next serial of ``prefix`` in ``year`` not already borne by a (paper) act."""
    counter, _ = NumberCounter.objects.select_for_update().get_or_create(prefix=prefix, year=year)
    while True:
        counter.last += 1
        number = f"{prefix}〔{year}〕{counter.last}号"
        if not Act.objects.filter(number=number).exists():
            counter.save(update_fields=["last"])
            return counter.last, number


@transaction.atomic
def act_number_issue(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    target: str,
    act_date: dt.date,
    issuer: Issuer | None = None,
    char: str = "",
) -> Act:
    """The act's number: allocated on first issue (per issuing authority, type character and year), then
    fixed. The type character is the kind's, or ``char`` where the act is titled otherwise than its kind (a
    案件受理（核查）审批表 of kind ``filing``: 受, kinds.ACCEPTANCE_CHAR, a sequence of its own); an act already
    numbered keeps the number it bears."""
    _known_kind(kind)
    existing = Act.objects.select_for_update().filter(kind=kind, target=target).first()
    if existing is not None:
        return existing
    issuer = issuer or issuer_for(case, kind, target)
    serial, number = _next_free(issuer.code + (char or KINDS[kind].char), act_date.year)
    act = _create(actor, case, kind, target, number, issuer, act_date, serial=serial)
    _audit(actor, act, "documents.act.number")
    return act


@transaction.atomic
def act_record_paper(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    target: str,
    number: str,
    act_date: dt.date,
    scan: Scan | None,
    issuer: Issuer | None = None,
) -> Act:
    """Record an act issued on paper, with the number it bears and its scan; marked ``on_paper``."""
    _known_kind(kind)
    number = (number or "").replace("\x00", "").strip()
    matched = PAPER_NUMBER.match(number)
    if matched is None:
        raise DomainError(
            "documents.paper_number_invalid",
            "纸质文书的文号应为“机关代字〔年份〕序号号”的格式，例如 包发改罚〔2026〕7号",
            "A paper act's number must read like 包发改罚〔2026〕7号 (authority code〔year〕serial号)",
        )
    if int(matched[1]) != act_date.year:
        raise DomainError(
            "documents.paper_number_year",
            f"文号年份〔{matched[1]}〕与文书日期 {act_date.isoformat()} 不一致",
            f"The number's year 〔{matched[1]}〕 does not match the act's date {act_date.isoformat()}",
        )
    if Act.objects.filter(number=number).exists():
        raise DomainError(
            "documents.number_taken",
            f"文号 {number} 已被其他文书使用",
            f"The number {number} is already used",
        )
    if act_for(kind=kind, target=target) is not None:
        raise DomainError("documents.act_exists", "该文书已有文号", "This act already has a number")
    if scan is None or not scan[2]:
        raise DomainError(
            "documents.scan_required",
            "纸质文书须上传其扫描件",
            "An act issued on paper is recorded with its scan: upload it",
        )
    name, content_type, content = scan
    if len(content) > MAX_SCAN_BYTES:
        raise DomainError("documents.scan_too_large", "扫描件不能超过 20 MB", "The scan cannot exceed 20 MB")
    act = _create(
        actor,
        case,
        kind,
        target,
        number,
        issuer or issuer_for(case, kind, target),
        act_date,
        on_paper=True,
        scan_name=(name or "scan")[:200],
        scan_content_type=(content_type or "application/octet-stream")[:80],
        scan=content,
        scan_sha256=hashlib.sha256(content).hexdigest(),
    )
    _audit(actor, act, "documents.act.paper")
    return act


def _create(
    actor: Actor,
    case: Case,
    kind: str,
    target: str,
    number: str,
    issuer: Issuer,
    act_date: dt.date,
    **extra: object,
) -> Act:
    return Act.objects.create(
        case=case,
        kind=kind,
        target=target,
        number=number,
        authority=issuer.name,
        year=act_date.year,
        act_date=act_date,
        recorded_by_id=actor.pk if isinstance(actor, AbstractBaseUser) else None,
        **extra,
    )


def _audit(actor: Actor, act: Act, action: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=act,
        detail={
            "kind": act.kind,
            "target": act.target,
            "number": act.number,
            "act_date": act.act_date.isoformat(),
            "on_paper": act.on_paper,
            "scan_sha256": act.scan_sha256,
        },
        division_code=act.case.division_id,
    )
