"""Shared pieces of the case services: audit + case log in one call, stage guards, policy errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model
from django.utils import timezone

from minesweep.accounts.jurisdiction import Scope, scope_of
from minesweep.accounts.roles import Role
from minesweep.audit.services import audit_record
from minesweep.cases.models import Case, CaseLog, Lead
from minesweep.core.errors import DomainError, PermissionDeniedError, TransitionError
from minesweep.policy.errors import PolicyError

Actor = AbstractBaseUser | AnonymousUser | str | None
T = TypeVar("T")

# Largest file accepted as evidence or task proof (bytes); kept in the database with its hash.
MAX_FILE_BYTES = 20 * 1024 * 1024


def today() -> dt.date:
    """Today in Asia/Shanghai (the project's TIME_ZONE)."""
    return timezone.localdate()


def day_not_after_today(
    value: dt.date | None, field_zh: str, field_en: str, *, not_before: dt.date | None = None
) -> dt.date:
    """``value`` (today when not given), refused when it lies in the future or before ``not_before``."""
    day = value or today()
    if day > today():
        raise DomainError(
            "cases.date_in_future", f"{field_zh}不能晚于今天", f"{field_en} cannot be in the future"
        )
    if not_before is not None and day < not_before:
        raise DomainError(
            "cases.date_too_early",
            f"{field_zh}不能早于 {not_before.isoformat()}",
            f"{field_en} cannot be before {not_before.isoformat()}",
        )
    return day


def user_or_none(actor: Actor) -> Any:
    return actor if isinstance(actor, AbstractBaseUser) else None


def record(
    *,
    actor: Actor,
    action: str,
    target: Model,
    case: Case | None = None,
    lead: Lead | None = None,
    before: Any = None,
    after: Any = None,
    detail: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    """Audit event (hash chain) plus, for a case, a readable timeline entry — same transaction."""
    division = case.division_id if case else (lead.division_id if lead else "")
    audit_record(
        actor=actor,
        action=action,
        target=target,
        before=before,
        after=after,
        detail=detail or {},
        division_code=str(division or ""),
    )
    if case is not None:
        CaseLog.objects.create(case=case, actor=user_or_none(actor), action=action, note=note)


def require_stage(case: Case, *stages: str, doing_zh: str, doing_en: str) -> None:
    """Refuse an action the case's stage does not allow, naming the stage it is in (read fresh, so a
    caller holding an older copy of the case cannot act on a stage that has moved on)."""
    if case.pk is not None:
        case.refresh_from_db(fields=["stage", "closed_on", "decision_due", "decision_due_extended"])
    if case.stage not in stages:
        allowed = "、".join(str(Case.Stage(s).label) for s in stages)
        raise TransitionError(
            "cases.wrong_stage",
            f"案件处于“{Case.Stage(case.stage).label}”阶段，不能{doing_zh}（需处于：{allowed}）",
            f"the case is at stage '{case.stage}'; cannot {doing_en} (needs: {', '.join(stages)})",
            stage=case.stage,
        )


def required_text(value: str | None, field_zh: str, field_en: str, *, min_length: int = 1) -> str:
    text = (value or "").strip()
    if len(text) < min_length:
        more_zh = f"（至少 {min_length} 个字）" if min_length > 1 else ""
        more_en = f" (at least {min_length} characters)" if min_length > 1 else ""
        raise DomainError(
            "cases.field_required",
            f"请填写{field_zh}{more_zh}",
            f"{field_en} is required{more_en}",
            field=field_en,
        )
    return text


def actor_scope(actor: Actor) -> Scope | None:
    if isinstance(actor, AbstractBaseUser):
        return scope_of(actor)
    return None


def require_case_officer(actor: Actor, case: Case) -> None:
    """Case work is for investigators (and the region's administrators) whose jurisdiction holds the case.

    ``actor`` None/str is the system (demo loader, management commands), trusted by construction.
    """
    if not isinstance(actor, AbstractBaseUser):
        return
    scope = scope_of(actor)
    if scope is None or not scope.contains(case.division_id):
        raise PermissionDeniedError()
    if scope.role not in (Role.INVESTIGATOR, Role.ADMINISTRATOR):
        raise PermissionDeniedError("auth.wrong_role", "当前角色无此权限", "Your role does not allow this")


@contextmanager
def policy_errors() -> Iterator[None]:
    """Re-raise policy-layer errors as DomainError at the service boundary."""
    try:
        yield
    except PolicyError as error:
        raise DomainError(error.code, error.message_zh, error.message_en, **error.extra) from error


def with_policy(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with policy_errors():
        return fn(*args, **kwargs)


def sync_report_status(lead: Lead, outcome: str = "", *, concluded: bool = False) -> None:
    """Let the reporting platform follow the lead (``reports.services.report_status_sync``, if present).

    Called inside the caller's transaction, so the report's public status changes atomically with the
    lead or case. ``outcome`` is a neutral sentence the reporter may read (no names, no penalties).
    """
    try:
        from minesweep.reports.services import report_status_sync
    except ImportError:
        return
    report_status_sync(lead=lead, outcome=outcome, concluded=concluded)


def check_file(content: bytes, name: str) -> None:
    if not content:
        raise DomainError("cases.file_empty", f"文件“{name}”为空", f"file '{name}' is empty")
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(
            "cases.file_too_large",
            f"文件“{name}”超过 {MAX_FILE_BYTES // (1024 * 1024)} MB",
            f"file '{name}' is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
        )
