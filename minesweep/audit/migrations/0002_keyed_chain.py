"""Re-key an existing audit chain: check the old unkeyed SHA-256 chain, then recompute every hash as an
HMAC under MINESWEEP_AUDIT_KEY (issue 14). A chain that is already broken stops the upgrade, naming the
event, so tampering is never laundered into a valid keyed chain."""

from django.conf import settings
from django.db import migrations

from minesweep.audit.chain import event_hash, legacy_event_hash

GENESIS = "0" * 64


def _fields(event):  # the same fields as minesweep.audit.services._hashed_fields
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


def rekey(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    old_prev, new_prev, expected = GENESIS, GENESIS, 1
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected or event.prev_hash != old_prev or legacy_event_hash(old_prev, _fields(event)) != event.hash:
            raise RuntimeError(
                f"audit chain broken at event #{event.seq}: investigate before upgrading / 审计链在第 {event.seq} 条处被破坏"
            )
        old_prev = event.hash
        event.prev_hash = new_prev
        event.hash = event_hash(settings.AUDIT_KEY, new_prev, _fields(event))
        event.save(update_fields=["prev_hash", "hash"])
        new_prev, expected = event.hash, expected + 1
    AuditHead.objects.filter(id=1).update(last_hash=new_prev)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
