"""Every state change of a report (举报). Keyword-only, atomic, each with its audit event.

Audit events never carry report content or anything about the reporter; they name the report number,
the action, and (for officers) who did it and why.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from minesweep.accounts.models import StaffProfile
from minesweep.accounts.roles import Role
from minesweep.audit.services import PUBLIC_ACTOR, audit_record
from minesweep.core.errors import DomainError, TransitionError
from minesweep.core.i18n import in_both
from minesweep.registry.models import Division
from minesweep.reports import antiabuse
from minesweep.reports.attachments import MAX_FILES_PER_REPORT, CleanFile
from minesweep.reports.models import (
    Category,
    Channel,
    PublicStatus,
    Report,
    ReportAttachment,
    ReportMessage,
    ReportNotification,
    TriageState,
)
from minesweep.security import envelope
from minesweep.security.receipts import receipt_generate, receipt_hash, receipt_lookup_id

log = logging.getLogger(__name__)
NOTIFIED_ROLES = (Role.INTAKE_OFFICER, Role.INVESTIGATOR, Role.ADMINISTRATOR)
EXACT_DUPLICATE_WINDOW = timedelta(days=7)
_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class ReportError(DomainError):
    pass


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()


def _new_number() -> str:
    year = timezone.localdate().year
    return f"JB{year}-" + "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))


@dataclass
class Filed:
    """What a reporter is given once: the receipt and the proof of filing."""

    report: Report
    receipt: str
    filed_at: datetime
    category: str
    sha256: str
    removed: dict[str, list[str]] = field(default_factory=dict)

    def proof(self) -> dict[str, Any]:
        return {
            "receipt": self.receipt,
            "filed_at": timezone.localtime(self.filed_at).isoformat(timespec="seconds"),
            "category": self.category,
            "sha256": self.sha256,
            "removed_metadata": self.removed,
        }

    def proof_text(self) -> str:
        label = Category(self.category).label
        lines = [
            "举报回执 / Proof of filing — 打击虚拟货币“挖矿”举报平台",
            "",
            f"回执码 / Receipt code: {self.receipt}",
            f"提交时间（北京时间）/ Filed at (Beijing time): {timezone.localtime(self.filed_at):%Y-%m-%d %H:%M:%S}",
            f"举报类别 / Category: {label} ({self.category})",
            f"内容摘要 SHA-256 / Content digest: {self.sha256}",
            "",
            "请妥善保管回执码，凭此码查询进度、补充材料。回执码丢失无法找回。",
            "Keep the receipt code safe: it is the only way to follow up, and it cannot be recovered.",
        ]
        return "\n".join(lines) + "\n"


def content_digest(fields: dict[str, Any], files: list[CleanFile]) -> str:
    """SHA-256 over the submitted fields (canonical JSON) and the stored files' digests."""
    body = {"fields": fields, "files": sorted(hashlib.sha256(f.content).hexdigest() for f in files)}
    return hashlib.sha256(_dumps(body)).hexdigest()


def _seal_attachment(
    report: Report, clean: CleanFile, message: ReportMessage | None = None
) -> ReportAttachment:
    """An unsaved, encrypted attachment (its own data key); ``report.number`` must be final."""
    dek = envelope.new_data_key()
    wrapped = envelope.wrap_key(dek)
    attachment = ReportAttachment(
        report=report,
        message=message,
        kind=clean.kind,
        content_type=clean.content_type,
        size=len(clean.content),
        sha256=hashlib.sha256(clean.content).hexdigest(),
        removed=clean.removed,
        key_id=wrapped.key_id,
        wrapped_key=wrapped.wrapped,
    )
    attachment.name_sealed = envelope.seal(dek, clean.name.encode(), attachment.aad("name"))
    attachment.content_sealed = envelope.seal(dek, clean.content, attachment.aad("content"))
    return attachment


def _notify(report: Report, kind: str) -> None:
    """In-app notices for officers whose jurisdiction contains the report; email when enabled."""
    code = report.division_id
    profiles = StaffProfile.objects.filter(role__in=[r.value for r in NOTIFIED_ROLES]).select_related(
        "jurisdiction", "user"
    )
    users = [p.user for p in profiles if p.user.is_active and code.startswith(p.jurisdiction.scope_prefix)]
    ReportNotification.objects.bulk_create(
        ReportNotification(user=u, report=report, kind=kind) for u in users
    )
    if settings.EMAIL_NOTIFICATIONS:
        recipients = [u.email for u in users if u.email]
        number = report.number

        def send() -> None:
            try:
                send_mail(
                    f"[Minesweep] 新举报 / New report {number}",
                    f"辖区内有新的举报 {number}，请登录平台查看。\nA new report {number} is waiting in your intake queue.",
                    None,
                    recipients,
                )
            except Exception:  # a mail outage must not lose or block the report
                log.warning("notification email for %s failed", number)

        if recipients:
            transaction.on_commit(send)


def report_submit(
    *,
    channel: str,
    category: str,
    division: Division,
    content: dict[str, Any],
    subject_name: str = "",
    uscc: str = "",
    address: str = "",
    power_account: str = "",
    coordinates: tuple[Decimal, Decimal] | None = None,
    contact: str = "",
    files: list[CleanFile] | tuple[CleanFile, ...] = (),
    use_photo_location: bool = False,
    actor: User | None = None,
) -> Filed:
    """File a report and return the receipt (shown once, stored only as hashes).

    The slow work (Argon2id of the receipt, encryption) happens before the transaction opens, so the
    database write lock is held only for the inserts and the audit event (SQLite takes it at BEGIN).
    """
    if channel not in Channel.values:
        raise ReportError("reports.channel", "来源渠道无效", "Unknown channel")
    if category not in Category.values:
        raise ReportError("reports.category", "举报类别无效", "Unknown category")
    if len(files) > MAX_FILES_PER_REPORT:
        raise ReportError("reports.too_many_files", "附件过多", "Too many files")
    location_from_photo = False
    if coordinates is None and use_photo_location:
        coordinates = next((f.gps for f in files if f.gps), None)
        location_from_photo = coordinates is not None
    receipt = receipt_generate()
    public_fields = {
        "category": category,
        "subject_name": subject_name,
        "uscc": uscc,
        "address": address,
        "division_code": division.code,
        "coordinates": [str(c) for c in coordinates] if coordinates else None,
        "power_account": power_account,
        "content": content,
        "contact": contact,
    }
    digest = content_digest(public_fields, list(files))
    lookup_id, verifier = receipt_lookup_id(receipt), receipt_hash(receipt)
    dek = envelope.new_data_key()
    wrapped = envelope.wrap_key(dek)
    for _attempt in range(5):
        report = Report(
            number=_new_number(),
            lookup_id=lookup_id,
            verifier=verifier,
            category=category,
            channel=channel,
            subject_name=subject_name,
            uscc=uscc,
            address=address,
            division=division,
            reported_division=division,
            latitude=coordinates[0] if coordinates else None,
            longitude=coordinates[1] if coordinates else None,
            location_from_photo=location_from_photo,
            power_account=power_account,
            key_id=wrapped.key_id,
            wrapped_key=wrapped.wrapped,
            has_contact=bool(contact),
            content_sha256=digest,
            entered_by=actor,
        )
        report.content_sealed = envelope.seal(dek, _dumps(content), report.aad("content"))
        report.contact_sealed = (
            envelope.seal(dek, contact.encode(), report.aad("contact")) if contact else b""
        )
        attachments = [_seal_attachment(report, clean) for clean in files]
        try:
            _report_store(report, attachments, actor=actor, channel=channel, category=category)
            break
        except IntegrityError:  # report number collision (1 in 10^11): draw another
            continue
    else:  # pragma: no cover
        raise ReportError("reports.busy", "系统繁忙，请稍后重试", "Busy, please retry")
    return Filed(report, receipt, report.created_at, category, digest, {f.name: f.removed for f in files})


@transaction.atomic
def _report_store(
    report: Report, attachments: list[ReportAttachment], *, actor: User | None, channel: str, category: str
) -> None:
    # An identical report (same content digest) filed recently is folded into the first one: the reporter
    # still gets a working receipt, but a flood of copies adds nothing to the queue and notifies nobody.
    head = (
        Report.objects.filter(
            content_sha256=report.content_sha256,
            created_at__gte=timezone.now() - EXACT_DUPLICATE_WINDOW,
            duplicate_of__isnull=True,
        )
        .order_by("created_at")
        .first()
    )
    if head is not None:
        report.duplicate_of, report.state, report.status = head, TriageState.MERGED, head.status
    report.save()
    for attachment in attachments:
        attachment.report = report
        attachment.save()
    audit_record(
        actor=actor or PUBLIC_ACTOR,
        action="reports.report.submit",
        target=report,
        after={"number": report.number, "sha256": report.content_sha256},
        division_code=report.division_id,
        detail={
            "channel": channel,
            "category": category,
            "files": len(attachments),
            **({"exact_duplicate_of": head.number} if head else {}),
        },
    )
    if head is None:
        _notify(report, ReportNotification.Kind.NEW_REPORT)


# --- reading (decryption) -----------------------------------------------------------------------------


def _dek(report: Report | ReportAttachment) -> bytes:
    return envelope.unwrap_key(report.key_id, bytes(report.wrapped_key))


def report_content(report: Report) -> dict[str, Any]:
    """Decrypt the reporter's content (internal: staff reads go through :func:`report_content_read`)."""
    return json.loads(envelope.open_sealed(_dek(report), bytes(report.content_sealed), report.aad("content")))


@transaction.atomic
def report_content_read(*, actor: User, report: Report) -> dict[str, Any]:
    """A staff member reads the reporter's content: decrypted and audited in one place."""
    audit_record(
        actor=actor,
        action="reports.report.read",
        target=report,
        division_code=report.division_id,
        detail={"lead": report.lead.number if report.lead else ""},
    )
    return report_content(report)


def report_messages(report: Report) -> list[tuple[ReportMessage, str]]:
    dek = _dek(report)
    return [
        (m, envelope.open_sealed(dek, bytes(m.body_sealed), report.aad(f"message:{m.pk}")).decode())
        for m in report.messages.all()
    ]


def attachment_open(attachment: ReportAttachment) -> tuple[str, bytes]:
    dek = _dek(attachment)
    name = envelope.open_sealed(dek, bytes(attachment.name_sealed), attachment.aad("name")).decode()
    return name, envelope.open_sealed(dek, bytes(attachment.content_sealed), attachment.aad("content"))


def _add_message(
    report: Report, *, author: str, body: str, kind: str = ReportMessage.Kind.MESSAGE, officer: Any = None
) -> ReportMessage:
    message = ReportMessage.objects.create(
        report=report, author=author, kind=kind, officer=officer, body_sealed=b""
    )
    message.body_sealed = envelope.seal(_dek(report), body.encode(), report.aad(f"message:{message.pk}"))
    message.save(update_fields=["body_sealed"])
    return message


# --- reporter follow-up -------------------------------------------------------------------------------


@transaction.atomic
def report_add_from_reporter(*, report: Report, body: str, files: list[CleanFile]) -> ReportMessage | None:
    """The reporter adds a message and/or files (more information, or an answer to a question)."""
    body = (body or "").strip()
    if not body and not files:
        raise ReportError("reports.empty_message", "请填写留言或选择文件", "Write a message or choose a file")
    antiabuse.follow_up_allowed(report.pk)
    if report.attachments.count() + len(files) > MAX_FILES_PER_REPORT:
        raise ReportError(
            "reports.too_many_files",
            f"每件举报最多 {MAX_FILES_PER_REPORT} 个附件",
            f"At most {MAX_FILES_PER_REPORT} files per report",
        )
    message = _add_message(
        report, author=ReportMessage.Author.REPORTER, body=body or "（补充附件 / files added）"
    )
    for clean in files:
        _seal_attachment(report, clean, message).save()
    if report.state == TriageState.ASKED:
        report.state = (
            TriageState.NEW if report.division.level != Division.Level.LEAGUE else TriageState.ROUTED
        )
        report.save(update_fields=["state", "updated_at"])
    audit_record(
        actor=PUBLIC_ACTOR,
        action="reports.report.reporter_message",
        target=report,
        division_code=report.division_id,
        detail={"files": len(files)},
    )
    _notify(report, ReportNotification.Kind.REPORTER_MESSAGE)
    return message


# --- officer triage -----------------------------------------------------------------------------------


def _require_open(report: Report) -> None:
    """Refuse to triage a report that has left the queue, naming its state in each language (the state's
    label starts with 已 in Chinese: "该举报已已合并" was what an f-string around it gave)."""
    if not report.is_open:
        zh, en = in_both(TriageState(report.state).label)
        raise TransitionError(
            "reports.closed",
            f"该举报当前状态为“{zh}”，不能再分拣",
            f"This report is no longer in the queue ({en.lower()}) and cannot be triaged again",
        )


def _audit(actor: User, action: str, report: Report, before: dict[str, Any], **detail: Any) -> None:
    audit_record(
        actor=actor,
        action=f"reports.report.{action}",
        target=report,
        before=before,
        after={"state": report.state, "status": report.status, "division": report.division_id},
        division_code=report.division_id,
        detail=detail,
    )


def _snapshot(report: Report) -> dict[str, Any]:
    return {"state": report.state, "status": report.status, "division": report.division_id}


@transaction.atomic
def report_merge(*, actor: User, report: Report, into: Report) -> Report:
    """Merge a duplicate into another report; the reporter then sees the other report's status."""
    _require_open(report)
    if into.pk == report.pk:
        raise ReportError("reports.merge_self", "不能与自身合并", "A report cannot be merged into itself")
    while into.duplicate_of_id:  # always point at the head of a chain
        into = into.duplicate_of  # type: ignore[assignment]
    if into.pk == report.pk:
        raise ReportError("reports.merge_cycle", "不能形成循环合并", "That merge would make a cycle")
    before = _snapshot(report)
    report.duplicate_of = into
    report.state = TriageState.MERGED
    report.status = into.status
    report.save(update_fields=["duplicate_of", "state", "status", "updated_at"])
    _audit(actor, "merge", report, before, into=into.number)
    return report


@transaction.atomic
def report_route(*, actor: User, report: Report, league: Division) -> Report:
    """Hand the report to a league/city (盟市), which then sees it in its own queue."""
    _require_open(report)
    if league.level != Division.Level.LEAGUE:
        raise ReportError("reports.route_target", "只能转办到盟市", "Reports are routed to a league/city")
    before = _snapshot(report)
    if not report.division_id.startswith(league.scope_prefix):
        report.division = league
    report.state = TriageState.ROUTED
    report.save(update_fields=["division", "state", "updated_at"])
    _audit(actor, "route", report, before, to=league.code)
    _notify(report, ReportNotification.Kind.ROUTED)
    return report


@transaction.atomic
def report_ask(*, actor: User, report: Report, question: str) -> ReportMessage:
    """Ask the reporter a question; they see it when they follow up with the receipt."""
    _require_open(report)
    if len(question.strip()) < 2:
        raise ReportError(
            "reports.question_empty", "请填写要问举报人的问题", "Write the question for the reporter"
        )
    before = _snapshot(report)
    message = _add_message(
        report,
        author=ReportMessage.Author.OFFICER,
        body=question.strip(),
        kind=ReportMessage.Kind.QUESTION,
        officer=actor,
    )
    report.state = TriageState.ASKED
    report.status = PublicStatus.VERIFYING
    report.save(update_fields=["state", "status", "updated_at"])
    _audit(actor, "ask", report, before)
    return message


@transaction.atomic
def report_reply(*, actor: User, report: Report, body: str) -> ReportMessage:
    """A message to the reporter (works at any state, e.g. to thank them after conclusion)."""
    if len(body.strip()) < 2:
        raise ReportError("reports.reply_empty", "请填写回复内容", "Write the reply")
    message = _add_message(report, author=ReportMessage.Author.OFFICER, body=body.strip(), officer=actor)
    audit_record(actor=actor, action="reports.report.reply", target=report, division_code=report.division_id)
    return message


@transaction.atomic
def report_dismiss(*, actor: User, report: Report, reason: str) -> Report:
    """Not pursued, with a reason the reporter will read."""
    _require_open(report)
    reason = reason.strip()
    if len(reason) < 4:
        raise ReportError(
            "reports.reason_required",
            "请填写不予处理的理由（举报人可见，至少 4 个字）",
            "Give the reason (the reporter will read it; at least 4 characters)",
        )
    before = _snapshot(report)
    report.state = TriageState.DISMISSED
    report.status = PublicStatus.NOT_PURSUED
    report.public_outcome = reason
    report.save(update_fields=["state", "status", "public_outcome", "updated_at"])
    _audit(actor, "dismiss", report, before)
    _sync_duplicates(report)
    return report


def sealed_content_notice(number: str) -> tuple[str, str]:
    """What a lead converted from report ``number`` says in place of the reporter's words (Chinese, English):
    a notice for officers, not facts — a document must never print it as the case's facts."""
    return (
        f"举报内容加密保存于举报 {number}，查看将记入审计",
        f"The reporter's account stays encrypted in report {number}; reading it is audited",
    )


@transaction.atomic
def report_convert(*, actor: User, report: Report, title: str = "") -> Any:
    """Open a lead (线索) from the report via the case workflow's own service."""
    from minesweep.cases.services import lead_create
    from minesweep.registry.models import PowerAccount, Subject

    _require_open(report)
    subject = Subject.objects.filter(uscc=report.uscc).first() if report.uscc else None
    account = (
        PowerAccount.objects.filter(number=report.power_account).first() if report.power_account else None
    )
    duplicates = list(report.duplicates.values_list("number", flat=True))
    lead = lead_create(
        actor=actor,
        source="public_report",
        title=(
            title.strip()
            or f"{Category(report.category).label}：{report.subject_name or report.address or report.number}"
        )[:200],
        division=report.division,
        subject=subject,
        power_account=account,
        # The reporter's own words stay sealed in the report (issue 14): the lead points to them, and only
        # roles that may read reports open them there, each read audited (report_content_read).
        summary=sealed_content_notice(report.number)[0],
        summary_en=sealed_content_notice(report.number)[1],
        evidence={
            "report": report.number,
            "category": report.category,
            "uscc": report.uscc,
            "power_account": report.power_account,
            "address": report.address,
            "coordinates": [str(report.latitude), str(report.longitude)]
            if report.latitude is not None
            else None,
            "attachments_sha256": list(report.attachments.values_list("sha256", flat=True)),
            "duplicates": duplicates,
        },
        source_ref=report.number,
    )
    before = _snapshot(report)
    report.lead = lead
    report.state = TriageState.CONVERTED
    report.status = PublicStatus.VERIFYING
    report.save(update_fields=["lead", "state", "status", "updated_at"])
    _audit(actor, "convert", report, before, lead=lead.number)
    _sync_duplicates(report)
    return lead


@transaction.atomic
def report_reveal_contact(*, actor: User, report: Report, reason: str) -> str:
    """Decrypt the reporter's contact details; a stated reason is required and audited."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ReportError(
            "reports.reason_required",
            "查看举报人联系方式必须填写理由",
            "State a reason to read the reporter's contact details",
        )
    if not report.has_contact:
        return ""
    audit_record(
        actor=actor,
        action="reports.report.read_contact",
        target=report,
        division_code=report.division_id,
        detail={"reason": reason[:500]},
    )
    return envelope.open_sealed(_dek(report), bytes(report.contact_sealed), report.aad("contact")).decode()


def _sync_duplicates(report: Report) -> None:
    Report.objects.filter(duplicate_of=report).update(status=report.status, updated_at=timezone.now())


_LEAD_TO_STATUS = {
    "open": PublicStatus.VERIFYING,
    "verifying": PublicStatus.VERIFYING,
    "filed": PublicStatus.CASE_OPENED,
    "not_filed": PublicStatus.NOT_PURSUED,
}


@transaction.atomic
def report_status_sync(*, lead: Any, outcome: str = "", concluded: bool = False) -> int:
    """Hook for the case workflow: bring the public status of reports behind ``lead`` up to date.

    Lead ``open``/``verifying`` → under verification, ``filed`` → case opened, ``not_filed`` → not pursued.
    ``concluded`` marks the case behind the lead closed (办结). ``outcome`` (optional) is text officers
    release to the reporter. Returns how many reports changed.
    """
    status = PublicStatus.CONCLUDED if concluded else _LEAD_TO_STATUS.get(str(lead.status))
    if status is None:
        return 0
    changed = 0
    for report in Report.objects.select_for_update().filter(lead=lead):
        if report.status == status and not outcome:
            continue
        before = _snapshot(report)
        report.status = status
        if outcome:
            report.public_outcome = outcome
        report.save(update_fields=["status", "public_outcome", "updated_at"])
        audit_record(
            actor=None,
            action="reports.report.status_sync",
            target=report,
            before=before,
            after={"status": status},
            division_code=report.division_id,
            detail={"lead": lead.number},
        )
        _sync_duplicates(report)
        changed += 1
    return changed


@transaction.atomic
def report_conclude(*, actor: User | None, report: Report, outcome: str) -> Report:
    """Mark the report concluded (办结) and release the outcome text to the reporter."""
    outcome = outcome.strip()
    if len(outcome) < 4:
        raise ReportError(
            "reports.outcome_required",
            "请填写向举报人公开的办理结果",
            "Write the outcome released to the reporter",
        )
    before = _snapshot(report)
    report.status = PublicStatus.CONCLUDED
    report.public_outcome = outcome
    report.save(update_fields=["status", "public_outcome", "updated_at"])
    _audit(actor, "conclude", report, before)  # type: ignore[arg-type]
    _sync_duplicates(report)
    return report


@transaction.atomic
def notifications_mark_read(*, user: User, report: Report | None = None) -> int:
    qs = ReportNotification.objects.filter(user=user, read_at__isnull=True)
    if report is not None:
        qs = qs.filter(report=report)
    return qs.update(read_at=timezone.now())


# --- key rotation -------------------------------------------------------------------------------------


def keys_rotate(*, batch: int = 500, progress: Any = None) -> dict[str, int]:
    """Re-wrap every data key not under the current master key. Ciphertexts are untouched.

    Works in batches, each in its own transaction, so it can be interrupted and re-run safely.
    """
    current = envelope.current_key_id()
    counts: dict[str, int] = {}
    models: tuple[Any, ...] = (Report, ReportAttachment)
    for model in models:
        done = 0
        while True:
            with transaction.atomic():
                rows = list(model.objects.select_for_update().exclude(key_id=current).order_by("pk")[:batch])
                if not rows:
                    break
                for row in rows:
                    wrapped = envelope.rewrap_key(row.key_id, bytes(row.wrapped_key))
                    row.key_id, row.wrapped_key = wrapped.key_id, wrapped.wrapped
                model.objects.bulk_update(rows, ["key_id", "wrapped_key"])
                done += len(rows)
            if progress:
                progress(model.__name__, done)
        counts[model._meta.label_lower] = done
    with transaction.atomic():
        audit_record(
            actor=None,
            action="security.keys.rotate",
            target=("security.master_key", current),
            detail={"rewrapped": counts, "key_id": current},
        )
    return counts
