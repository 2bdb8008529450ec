"""State changes of leads: create, verify (核查), file (立案) or not file. Each is audited in its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from minesweep.accounts.jurisdiction import scope_of
from minesweep.accounts.roles import Role
from minesweep.audit.services import audit_record
from minesweep.cases.models import Case, CaseParty, Lead, LeadAttachment
from minesweep.cases.services._common import (
    Actor,
    day_not_after_today,
    record,
    required_text,
    sync_report_status,
    user_or_none,
    with_policy,
)
from minesweep.core.errors import DomainError, PermissionDeniedError, TransitionError
from minesweep.core.numbering import next_yearly_number
from minesweep.policy.codes import SUBJECT_CATEGORIES
from minesweep.policy.packs import available_packs, deployment_pack_id, lead_check_period
from minesweep.policy.workdays import decision_deadline, lead_check_deadline
from minesweep.registry.models import Division, PowerAccount, Subject

DEFAULT_PACK = deployment_pack_id()  # at import; lead_file reads MINESWEEP_POLICY_PACK on each call
# 行政处罚法第三十六条: two years; five where life, health or financial safety is harmed.
LIMITATION_YEARS = (2, 5)
GENERIC_CATEGORIES = ("enterprise", "individual")


@transaction.atomic
def lead_create(
    *,
    actor: AbstractBaseUser | str | None,
    source: str,
    title: str,
    division: Division,
    summary: str = "",
    summary_en: str = "",
    subject: Subject | None = None,
    power_account: PowerAccount | None = None,
    evidence: dict[str, Any] | None = None,
    source_ref: str = "",
    attachments: Iterable[tuple[str, str, bytes]] = (),
) -> Lead:
    """Open a lead; ``attachments`` are (name, content type, bytes), stored with their SHA-256.

    ``summary`` is Chinese (the case file's language: documents quote it); ``summary_en`` is the
    platform's English for a summary it wrote itself, shown to English readers instead (one language at
    a time). A summary an officer typed has none and reads the same in both."""
    lead = Lead.objects.create(
        number=next_yearly_number(Lead, "XS"),
        source=source,
        title=title,
        summary=summary,
        summary_en=summary_en,
        division=division,
        subject=subject,
        power_account=power_account,
        evidence=evidence or {},
        source_ref=source_ref,
        created_by_id=actor.pk if isinstance(actor, AbstractBaseUser) else None,
        received_on=timezone.localdate(),
    )
    for name, content_type, content in attachments:
        LeadAttachment.objects.create(
            lead=lead,
            name=name,
            content_type=content_type,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
        )
    audit_record(
        actor=actor,
        action="cases.lead.create",
        target=lead,
        after={"number": lead.number, "source": source, "title": title, "division": division.code},
        division_code=division.code,
        detail={"source": source, "source_ref": source_ref},
    )
    return lead


def lead_check_due(lead: Lead) -> dt.date:
    """Last day to decide whether to file: 15 working days from receipt (+15 if extended), or the figures
    of the rule the deployment's pack names (``procedure.lead_check``)."""
    received = lead.received_on or timezone.localtime(lead.created_at).date()
    period = with_policy(lead_check_period)
    return with_policy(
        lead_check_deadline,
        received,
        extended=lead.check_extended,
        days=period.days,
        extension_days=period.extension_days,
    )


def _timely_or_explained(lead: Lead, decided_on: dt.date, late_reason: str) -> str:
    """The filing decision (立案 or 不予立案) is due within the check period (15 working days from receipt,
    +15 once with approval; 市场监督管理行政处罚程序规定第十八条, followed as the practice the region cites
    unless its pack names its own rule, ``procedure.lead_check``).

    Interpretation: the period binds the authority, not the party; missing it is a procedural defect to
    be explained, not a bar (only the limitation of 行政处罚法第三十六条 bars filing) — refusing a late
    filing would let the act go unpunished because of the authority's own delay. So a decision after the
    period needs a recorded reason for the delay, kept in the audit trail and the case log. Returns the
    cleaned reason, or "" when the decision is on time."""
    due = lead_check_due(lead)
    if decided_on <= due:
        return ""
    if not (late_reason or "").strip():
        period = with_policy(lead_check_period)
        raise DomainError(
            "cases.lead_check_overdue",
            f"核查期限已于 {due.isoformat()} 届满（收到线索之日起 {period.days} 个工作日，经批准可延长一次 "
            f"{period.extension_days} 个工作日；{period.rule}），逾期作出立案或不予立案决定须写明逾期原因",
            f"the check period ended on {due.isoformat()} ({period.days} working days from receipt, extendable "
            f"once by {period.extension_days}; {period.rule}): a late filing decision needs the reason for the delay",
            due=due.isoformat(),
            rule=period.rule,
        )
    return required_text(late_reason, "逾期原因", "The reason for the delay", min_length=4)


def _require_lead_officer(actor: Actor, lead: Lead) -> None:
    if not isinstance(actor, AbstractBaseUser):
        return
    scope = scope_of(actor)
    if scope is None or not scope.contains(lead.division_id):
        raise PermissionDeniedError()
    if scope.role not in (Role.INVESTIGATOR, Role.ADMINISTRATOR):
        raise PermissionDeniedError("auth.wrong_role", "当前角色无此权限", "Your role does not allow this")


def _require_lead_status(lead: Lead, *statuses: str, doing_zh: str, doing_en: str) -> None:
    if lead.status not in statuses:
        raise TransitionError(
            "cases.lead_wrong_status",
            f"线索处于“{Lead.Status(lead.status).label}”状态，不能{doing_zh}",
            f"the lead is '{lead.status}'; cannot {doing_en}",
            status=lead.status,
        )


@transaction.atomic
def lead_verification_start(*, actor: Actor, lead: Lead, notes: str = "") -> Lead:
    """Open → verifying (核查): the actor becomes the verifying officer."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _require_lead_officer(actor, lead)
    _require_lead_status(lead, Lead.Status.OPEN, doing_zh="开始核查", doing_en="start verification")
    lead.status = Lead.Status.VERIFYING
    lead.verifier = user_or_none(actor)
    lead.verification_started_at = timezone.now()
    lead.verification_notes = (notes or "").strip()
    lead.save()
    record(
        actor=actor,
        action="cases.lead.verify",
        target=lead,
        lead=lead,
        before={"status": Lead.Status.OPEN},
        after={"status": lead.status},
    )
    sync_report_status(lead)
    return lead


@transaction.atomic
def lead_check_extend(*, actor: Actor, lead: Lead, reason: str, extended_on: dt.date | None = None) -> Lead:
    """Extend the 15-working-day check once by another 15 (needs a written reason).

    The extension is approved while the period still runs (``extended_on``, today by default, on or
    before :func:`lead_check_due`): 市场监督管理行政处罚程序规定第十八条 (the practice the pack cites) extends
    a running period "经负责人批准"; a lapsed period cannot be extended after the fact — a late filing
    decision is then explained instead (``_timely_or_explained``)."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _require_lead_officer(actor, lead)
    _require_lead_status(lead, Lead.Status.VERIFYING, doing_zh="延长核查期限", doing_en="extend the check")
    reason = required_text(reason, "延期理由", "The reason for the extension", min_length=4)
    if lead.check_extended:
        raise TransitionError(
            "cases.lead_already_extended",
            "核查期限只能延长一次",
            "the check period can be extended only once",
        )
    due = lead_check_due(lead)
    if (extended_on or timezone.localdate()) > due:
        raise TransitionError(
            "cases.lead_check_lapsed",
            f"核查期限已于 {due.isoformat()} 届满，不能事后延长；逾期作出立案或不予立案决定时写明逾期原因",
            f"the check period ended on {due.isoformat()} and cannot be extended afterwards; give the reason "
            "for the delay with the filing decision instead",
            due=due.isoformat(),
        )
    lead.check_extended = True
    lead.save()
    record(
        actor=actor,
        action="cases.lead.extend",
        target=lead,
        lead=lead,
        after={"extended": True},
        detail={"reason": reason},
    )
    return lead


@transaction.atomic
def lead_file(
    *,
    actor: Actor,
    lead: Lead,
    reason: str,
    second_officer: AbstractBaseUser,
    lead_officer: AbstractBaseUser | None = None,
    title: str = "",
    pack: str | None = None,
    filed_on: dt.date | None = None,
    act_ended_on: dt.date | None = None,
    limitation_years: int = 2,
    late_reason: str = "",
) -> Case:
    """Verifying → filed (立案): opens the case with two officers and the 90-day decision deadline.

    Limitation (行政处罚法第三十六条): an act that ended (``act_ended_on``; a continuing act runs to its end)
    more than two years before filing — five where the law says so (``limitation_years=5``: life, health
    or financial safety harmed) — is not filed. ``pack`` defaults to the deployment's pack. Filed after
    the check period (``lead_check_due``), it needs ``late_reason`` (see ``_timely_or_explained``)."""
    pack = pack or deployment_pack_id()
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _require_lead_officer(actor, lead)
    _require_lead_status(lead, Lead.Status.VERIFYING, doing_zh="立案", doing_en="file it")
    reason = required_text(reason, "立案理由", "The reason for filing", min_length=4)
    officer = lead_officer or user_or_none(actor)
    if officer is None:
        raise DomainError("cases.officer_required", "请指定承办人", "a lead officer is required")
    if second_officer is None or second_officer.pk == officer.pk:
        raise DomainError(
            "cases.two_officers",
            "立案须有两名以上执法人员承办，请选择另一名办案人员",
            "a case needs at least two officers: choose a second, different officer",
            field="second_officer",
        )
    for person in (officer, second_officer):
        scope = scope_of(person)
        if (
            scope is None
            or scope.role not in (Role.INVESTIGATOR, Role.ADMINISTRATOR)
            or not scope.contains(lead.division_id)
        ):
            raise DomainError(
                "cases.officer_outside",
                f"“{person.get_username()}”不是本辖区的办案人员",
                f"'{person.get_username()}' is not an investigator of this jurisdiction",
            )
    if pack not in available_packs():
        raise DomainError(
            "cases.unknown_pack",
            f"未知的政策包“{pack}”",
            f"unknown policy pack '{pack}'",
            packs=available_packs(),
        )
    filed = day_not_after_today(filed_on, "立案日期", "The filing date")
    _check_limitation(act_ended_on, filed, limitation_years)
    late = _timely_or_explained(lead, filed, late_reason)
    case = Case.objects.create(
        number=next_yearly_number(Case, "AJ"),
        lead=lead,
        division_id=lead.division_id,
        title=(title or lead.title).strip()[:200],
        pack=pack,
        lead_officer_id=officer.pk,
        second_officer_id=second_officer.pk,
        filed_on=filed,
        filing_reason=reason,
        decision_due=with_policy(decision_deadline, filed),
        act_ended_on=act_ended_on,
    )
    lead.status = Lead.Status.FILED
    lead.decided_at = timezone.now()
    lead.decided_by = user_or_none(actor)
    lead.save()
    record(
        actor=actor,
        action="cases.lead.file",
        target=lead,
        lead=lead,
        before={"status": Lead.Status.VERIFYING},
        after={"status": lead.status, "case": case.number},
        detail=_late_detail(lead, late),
    )
    record(
        actor=actor,
        action="cases.case.file",
        target=case,
        case=case,
        after={"number": case.number, "stage": case.stage, "decision_due": case.decision_due.isoformat()},
        detail=_late_detail(lead, late),
        note=f"{reason}（逾期立案原因：{late}）" if late else reason,
    )
    if lead.subject_id:
        subject = lead.subject
        assert subject is not None
        categories = list(subject.categories.values_list("code", flat=True))
        # The most specific category wins (a data centre is also an enterprise).
        known = sorted(
            (c for c in categories if c in SUBJECT_CATEGORIES), key=lambda c: c in GENERIC_CATEGORIES
        )
        category = known[0] if known else ""
        if category:
            CaseParty.objects.create(
                case=case,
                subject=subject,
                name=subject.name,
                identifier=subject.uscc or "",
                legal_representative=subject.legal_representative,
                address=subject.address,
                category=category,
            )
    sync_report_status(lead)
    return case


def _late_detail(lead: Lead, late_reason: str) -> dict[str, str]:
    if not late_reason:
        return {}
    return {"late_reason": late_reason, "check_due": lead_check_due(lead).isoformat()}


def _check_limitation(act_ended_on: dt.date | None, filed: dt.date, years: int) -> None:
    if years not in LIMITATION_YEARS:
        raise DomainError(
            "cases.bad_limitation", "追责时效只能是两年或五年", "the limitation is two or five years"
        )
    if act_ended_on is None:
        return
    if act_ended_on > filed:
        raise DomainError(
            "cases.act_after_filing", "违法行为终了日不能晚于立案日", "the act cannot end after the filing"
        )
    try:
        limit = act_ended_on.replace(year=act_ended_on.year + years)
    except ValueError:  # 29 February
        limit = act_ended_on.replace(year=act_ended_on.year + years, day=28)
    if filed > limit:
        raise DomainError(
            "cases.limitation_expired",
            f"违法行为于 {act_ended_on.isoformat()} 终了，已超过{years}年追责时效（行政处罚法第三十六条），不予立案",
            f"the act ended on {act_ended_on.isoformat()}: the {years}-year limitation (Art. 36) has run out",
            limit=limit.isoformat(),
        )


@transaction.atomic
def lead_not_file(*, actor: Actor, lead: Lead, reason: str, late_reason: str = "") -> Lead:
    """Open/verifying → not filed (不予立案) with the written reason; after the check period also the
    reason for the delay (``_timely_or_explained``)."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _require_lead_officer(actor, lead)
    _require_lead_status(
        lead,
        Lead.Status.OPEN,
        Lead.Status.VERIFYING,
        doing_zh="作出不予立案决定",
        doing_en="close it unfiled",
    )
    reason = required_text(reason, "不予立案理由", "The reason for not filing", min_length=4)
    late = _timely_or_explained(lead, timezone.localdate(), late_reason)
    before = lead.status
    lead.status = Lead.Status.NOT_FILED
    lead.not_filed_reason = f"{reason}（逾期原因：{late}）" if late else reason
    lead.decided_at = timezone.now()
    lead.decided_by = user_or_none(actor)
    lead.save()
    record(
        actor=actor,
        action="cases.lead.not_file",
        target=lead,
        lead=lead,
        before={"status": before},
        after={"status": lead.status},
        detail={"reason": reason, **_late_detail(lead, late)},
    )
    sync_report_status(lead)
    return lead
