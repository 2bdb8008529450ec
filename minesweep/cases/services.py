"""State changes of leads (and, later, cases). Each writes its audit event in the same transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from minesweep.audit.services import audit_record
from minesweep.cases.models import Lead, LeadAttachment
from minesweep.registry.models import Division, PowerAccount, Subject


def _next_lead_number() -> str:
    year = timezone.localdate().year
    prefix = f"XS-{year}-"
    last = (
        Lead.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:06d}"


@transaction.atomic
def lead_create(
    *,
    actor: AbstractBaseUser | str | None,
    source: str,
    title: str,
    division: Division,
    summary: str = "",
    subject: Subject | None = None,
    power_account: PowerAccount | None = None,
    evidence: dict[str, Any] | None = None,
    source_ref: str = "",
    attachments: Iterable[tuple[str, str, bytes]] = (),
) -> Lead:
    """Open a lead; ``attachments`` are (name, content type, bytes), stored with their SHA-256."""
    lead = Lead.objects.create(
        number=_next_lead_number(),
        source=source,
        title=title,
        summary=summary,
        division=division,
        subject=subject,
        power_account=power_account,
        evidence=evidence or {},
        source_ref=source_ref,
        created_by_id=actor.pk if isinstance(actor, AbstractBaseUser) else None,
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
