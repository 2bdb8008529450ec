"""Writing audit events. Call :func:`audit_record` inside the service's own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from minesweep.audit.chain import digest, event_hash
from minesweep.audit.checkpoints import checkpoint_check, checkpoint_sign
from minesweep.audit.models import GENESIS_HASH, AuditEvent, AuditHead

PUBLIC_ACTOR = "public"
BULK_BATCH = 2000  # events per INSERT of audit_record_many
SYSTEM_ACTOR = "system"


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "division_code": event.division_code,
        "before_digest": event.before_digest,
        "after_digest": event.after_digest,
        "detail": event.detail,
    }


def _actor_fields(actor: AbstractBaseUser | AnonymousUser | str | None) -> tuple[Any, str]:
    if actor is None:
        return None, SYSTEM_ACTOR
    if isinstance(actor, str):
        return None, actor
    if not actor.is_authenticated:
        return None, PUBLIC_ACTOR
    return actor, actor.get_username()


@transaction.atomic
def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | str | None,
    action: str,
    target: Model | tuple[str, str],
    before: Any = None,
    after: Any = None,
    detail: dict[str, Any] | None = None,
    division_code: str = "",
) -> AuditEvent:
    """Append one event to the chain. ``before``/``after`` are stored only as digests (no content copy)."""
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    event = _chained(head, actor, AuditEntry(action, target, before, after, detail or {}, division_code))
    event.save()
    head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass(frozen=True)
class AuditEntry:
    """What one event says, before it is chained: :func:`audit_record`'s arguments but the actor."""

    action: str
    target: Model | tuple[str, str]
    before: Any = None
    after: Any = None
    detail: dict[str, Any] = field(default_factory=dict)
    division_code: str = ""


@transaction.atomic
def audit_record_many(
    *, actor: AbstractBaseUser | AnonymousUser | str | None, entries: Sequence[AuditEntry]
) -> int:
    """Append many events of one actor (the rows of a bulk import) in order, with bulk inserts.

    The chain is the one :func:`audit_record` would give called once per entry (same sequence numbers,
    links and hashes); the head is locked once, for the few seconds of hashing and inserting, where
    one call per row held it for the whole import and every other audited write waited. Returns how many
    events were written."""
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    events = [_chained(head, actor, entry) for entry in entries]
    AuditEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
    head.save(update_fields=["last_seq", "last_hash"])
    return len(events)


def _chained(
    head: AuditHead, actor: AbstractBaseUser | AnonymousUser | str | None, entry: AuditEntry
) -> AuditEvent:
    """The next event after ``head`` (not saved), and ``head`` moved on to it."""
    if isinstance(entry.target, Model):
        object_type, object_id = entry.target._meta.label_lower, str(entry.target.pk)
    else:
        object_type, object_id = entry.target
    user, label = _actor_fields(actor)
    event = AuditEvent(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor=user,
        actor_label=label,
        action=entry.action,
        object_type=object_type,
        object_id=object_id,
        division_code=entry.division_code,
        before_digest=digest(entry.before),
        after_digest=digest(entry.after),
        detail=entry.detail,
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(settings.AUDIT_KEY, event.prev_hash, _hashed_fields(event))
    head.last_seq, head.last_hash = event.seq, event.hash
    return event


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def audit_verify(*, up_to: int | None = None) -> ChainReport:
    """Walk the chain in sequence order and report the first event that does not fit (``up_to``: stop there)."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    events = AuditEvent.objects.order_by("seq", "id")
    if up_to is not None:
        events = events.filter(seq__lte=up_to)
    for event in events.iterator(chunk_size=2000):
        checked += 1
        if event.seq != expected_seq:
            return ChainReport(
                False, checked, expected_seq, f"event #{expected_seq} is missing (next is #{event.seq})"
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, checked, event.seq, "previous-hash link broken (row deleted or reordered)"
            )
        if event_hash(settings.AUDIT_KEY, event.prev_hash, _hashed_fields(event)) != event.hash:
            return ChainReport(False, checked, event.seq, "content does not match its hash (row changed)")
        expected_prev, expected_seq = event.hash, expected_seq + 1
    if up_to is not None:
        if expected_seq - 1 != up_to:
            return ChainReport(False, checked, expected_seq, f"event #{expected_seq} is missing")
        return ChainReport(True, checked)
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        return ChainReport(False, checked, expected_seq, f"events after #{expected_seq - 1} were removed")
    return ChainReport(True, checked)


@transaction.atomic
def audit_checkpoint(*, actor: AbstractBaseUser | str | None) -> dict[str, Any]:
    """Record that a checkpoint was taken, then sign the chain's head (which includes that event)."""
    audit_record(actor=actor, action="audit.checkpoint", target=("audit.chain", "head"))
    head = AuditHead.objects.select_for_update().get(id=1)
    return checkpoint_sign(
        settings.AUDIT_KEY,
        seq=head.last_seq,
        head_hash=head.last_hash,
        at=timezone.now().isoformat(timespec="seconds"),
        events=AuditEvent.objects.filter(seq__lte=head.last_seq).count(),
    )


def audit_verify_checkpoint(document: dict[str, Any], *, trusted_public_key_pem: str) -> ChainReport:
    """The checkpoint is genuine, and the stored chain up to it is intact and ends in the signed hash."""
    check = checkpoint_check(document, trusted_public_key_pem=trusted_public_key_pem)
    if not check.valid:
        return ChainReport(False, 0, None, f"checkpoint refused: {check.reason}")
    report = audit_verify(up_to=check.seq)
    if not report.intact:
        return report
    at_checkpoint = AuditEvent.objects.filter(seq=check.seq).values_list("hash", flat=True).first()
    if at_checkpoint != check.head_hash:
        return ChainReport(
            False, report.checked, check.seq, "history up to the checkpoint was rewritten (hash differs)"
        )
    return report
