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
from minesweep.cases.models import Case, CaseLog, CaseParty, Lead
from minesweep.core.errors import DomainError, PermissionDeniedError, TransitionError
from minesweep.documents.authority import (
    case_issuer,
    penalty_holder_name,
    penalty_issued_here,
    penalty_issuer,
    staff_organ,
)
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
    """Case work is for investigators (and the region's administrators) whose jurisdiction holds the case,
    working for the case authority: the case is that organ's, and so are its acts (filing, findings, letters,
    referrals, closing). Staff of another organ — the 能源局's officers and reviewers — record their own
    organ's acts only (:func:`require_penalty_officer`; the review: ``procedure._require_reviewer``).

    ``actor`` None/str is the system (demo loader, management commands), trusted by construction.
    """
    profile = require_case_scope(actor, case)
    if profile is None or not profile.department:
        return  # no department: the case authority's own staff (documents.authority.staff_organ)
    own = case_issuer(case).name
    require_staff_of(
        profile,
        case,
        own,
        "cases.case_other_organ",
        f"本案由{own}办理，其立案、认定、文书和移送须由该机关的工作人员办理",
        f"this case is {own}'s: its filing, findings, letters and referrals are recorded by that organ's staff",
    )


def require_case_scope(actor: Actor, case: Case) -> Any:
    """The staff profile of a user allowed case work on ``case`` by jurisdiction and role (None for the system
    or a user without a profile); refuses anyone else."""
    if not isinstance(actor, AbstractBaseUser):
        return None
    scope = scope_of(actor)
    if scope is None or not scope.contains(case.division_id):
        raise PermissionDeniedError()
    if scope.role not in (Role.INVESTIGATOR, Role.ADMINISTRATOR):
        raise PermissionDeniedError("auth.wrong_role", "当前角色无此权限", "Your role does not allow this")
    return getattr(actor, "staff", None)


def require_penalty_officer(actor: Actor, case: Case, party: CaseParty, doing_zh: str, doing_en: str) -> None:
    """A penalty's steps — its filing, notice, the party's statement or hearing, the collective discussion,
    the decision and its service — are acts of the organ that holds the penalty power (the party's penalty
    track: 电力法第七十一条 names the 电力管理部门, the 能源局), done by that organ's 执法人员 (行政处罚法第四十二条)
    and decided by its 负责人 (第五十七条). So they are recorded by staff of that organ: a 发改委 investigator
    who runs the case may not serve or decide the 能源局's penalty in the platform, whose record is the
    执法全过程记录 (国办发〔2018〕118号). A member of staff's organ is their department's authority at their
    jurisdiction (:func:`documents.authority.staff_organ`), as for the legal review. The system (a string
    actor: demo loader, commands) is trusted by construction, as in :func:`require_case_officer`."""
    profile = require_case_scope(actor, case)
    if profile is None:
        return
    deciding = penalty_issuer(case, party).name
    require_staff_of(
        profile,
        case,
        deciding,
        "cases.penalty_other_organ",
        f"{doing_zh}是{deciding}的执法行为，须由该机关的执法人员办理（行政处罚法第四十二条、第五十七条）",
        f"to {doing_en} is an act of {deciding}: its own officers record it (Administrative Penalty Law "
        "Arts. 42 and 57)",
    )


def credit_organ(case: Case) -> str:
    """The organ that lists a party of ``case`` (the pack's ``credit_office`` for the case's division)."""
    return case_issuer(case, "credit_office").name


def require_credit_officer(actor: Actor, case: Case) -> None:
    """A listing's steps — the ground it rests on, its 拟列入告知书, the objection's record and answer, the waiver,
    the 列入决定书 — are acts of the organ that lists (认定单位: the pack's credit office, e.g. the region's 发展和改革
    委员会, issuer of those acts: documents.authority.issuer_for), which tells the party and answers it
    (国办发〔2020〕49号, 认定单位的告知和异议处理). So they are recorded by that organ's staff: the city
    发改委's investigator who runs the case hands over the track; he does not serve the region's notice. The
    organ's staff are found as for the penalty (:func:`require_staff_of`); the system is trusted."""
    profile = require_case_scope(actor, case)
    if profile is None:
        return
    organ = credit_organ(case)
    require_staff_of(
        profile,
        case,
        organ,
        "cases.credit_other_organ",
        f"失信主体名单由{organ}认定：拟列入告知、异议的登记和答复、列入决定及其依据文书，须由该机关的工作人员办理"
        "（国办发〔2020〕49号）",
        f"{organ} decides the listing: its notice, the objection and its answer, the listing decision and the "
        "document it rests on are recorded by that organ's staff (State Council General Office doc. 49/2020)",
    )


def credit_organ_elsewhere(user: Any, case: Case) -> str:
    """The listing organ's name when ``user`` is staff of another organ (so :func:`require_credit_officer`
    refuses them the credit track's steps); "" when they work for it or are no staff."""
    profile = getattr(user, "staff", None)
    return _elsewhere(profile, case, credit_organ(case)) if profile is not None else ""


def works_for_organ(profile: Any, case: Case, organ: str) -> bool:
    """The member of staff (``profile``) works for the organ named ``organ`` under the case's pack."""
    works_for = staff_organ(case.pack, profile.jurisdiction, profile.department)
    return works_for is not None and works_for.name == organ


def _elsewhere(profile: Any, case: Case, organ: str) -> str:
    """``organ`` when the member of staff does not work for it, else "" (the panels' "whose step is this")."""
    return "" if works_for_organ(profile, case, organ) else organ


def case_organ_elsewhere(user: Any, case: Case) -> str:
    """The case authority's name when ``user`` is staff of another organ (a department of their own, such as
    the 能源局's officers and reviewers), so :func:`require_case_officer` refuses them the case's acts; ""
    otherwise."""
    profile = getattr(user, "staff", None)
    if profile is None or not profile.department:
        return ""
    return _elsewhere(profile, case, case_issuer(case).name)


def penalty_organ_elsewhere(user: Any, party: CaseParty) -> str:
    """The name of the organ holding ``party``'s penalty power when ``user`` is staff of another organ (so
    :func:`require_penalty_officer` would refuse them its steps); "" when they work for it or are no staff."""
    profile = getattr(user, "staff", None)
    if profile is None:
        return ""
    if not penalty_issued_here(party.case, party):  # nobody records it here (authority.penalty_issuer)
        return penalty_holder_name(party.case, party)
    return _elsewhere(profile, party.case, penalty_issuer(party.case, party).name)


def require_staff_of(
    profile: Any, case: Case, organ: str, code: str, refused_zh: str, refused_en: str
) -> None:
    """Refuse (``code``, saying which organ the person does work for, where they have one) unless the member
    of staff (``profile``) works for ``organ``: their department's authority at their jurisdiction under the
    case's pack (:func:`documents.authority.staff_organ`; the case authority when they name no department)."""
    if works_for_organ(profile, case, organ):
        return
    works_for = staff_organ(case.pack, profile.jurisdiction, profile.department)
    where = works_for.name if works_for is not None else ""
    raise DomainError(
        code,
        refused_zh + (f"；您是{where}的工作人员" if where else ""),
        refused_en + (f"; you work for {where}" if where else ""),
    )


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
