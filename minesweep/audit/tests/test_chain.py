import pytest
from django.core.management import call_command
from django.db import connection

from minesweep.audit.models import AuditEvent
from minesweep.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    for number in range(5):
        audit_record(
            actor="test", action="test.action", target=("test.thing", str(number)), after={"n": number}
        )
    return list(AuditEvent.objects.order_by("seq"))


def _verify_exit_code() -> int:
    try:
        call_command("audit", "verify")
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_it_reports_an_intact_chain(chain):
    assert audit_verify().intact and _verify_exit_code() == 0


def test_it_links_each_event_to_the_previous_hash(chain):
    for previous, current in zip(chain, chain[1:], strict=False):
        assert current.prev_hash == previous.hash and current.seq == previous.seq + 1


def test_it_detects_a_row_changed_with_raw_sql(chain, capsys):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'tampered' WHERE seq = 3")
    report = audit_verify()
    assert not report.intact and report.first_bad_seq == 3
    assert _verify_exit_code() == 1 and "#3" in capsys.readouterr().err


def test_it_detects_a_deleted_row(chain):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 2")
    report = audit_verify()
    assert not report.intact and report.first_bad_seq == 2


def test_it_detects_a_deleted_tail(chain):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 5")
    assert audit_verify().first_bad_seq == 5


def test_it_detects_reordered_rows(chain):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET seq = 100 WHERE seq = 2")
        cursor.execute("UPDATE audit_auditevent SET seq = 2 WHERE seq = 4")
        cursor.execute("UPDATE audit_auditevent SET seq = 4 WHERE seq = 100")
    report = audit_verify()
    assert not report.intact and report.first_bad_seq == 2


def test_it_detects_a_forged_hash_recomputed_for_one_row(chain):
    from django.conf import settings

    from minesweep.audit.chain import event_hash
    from minesweep.audit.services import _hashed_fields

    event = AuditEvent.objects.get(seq=2)
    event.action = "forged"
    forged = event_hash(settings.AUDIT_KEY, event.prev_hash, _hashed_fields(event))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action='forged', hash=%s WHERE seq=2", [forged])
    report = audit_verify()
    assert not report.intact and report.first_bad_seq == 3


def _rewrite_whole_chain_without_the_key(seq_to_change: int) -> None:
    """Today's attack on an unkeyed chain: change an event and recompute every SHA-256 after it."""
    from minesweep.audit.chain import legacy_event_hash
    from minesweep.audit.models import GENESIS_HASH, AuditHead
    from minesweep.audit.services import _hashed_fields

    prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq"):
        if event.seq == seq_to_change:
            event.action = "rewritten"
        event.prev_hash = prev
        event.hash = legacy_event_hash(prev, _hashed_fields(event))
        AuditEvent.objects.filter(pk=event.pk).update(action=event.action, prev_hash=prev, hash=event.hash)
        prev = event.hash
    AuditHead.objects.filter(id=1).update(last_hash=prev)


def test_it_detects_a_chain_rewritten_by_someone_without_the_audit_key(chain):
    _rewrite_whole_chain_without_the_key(3)
    report = audit_verify()
    assert not report.intact and report.first_bad_seq == 1


def _checkpoint_file(tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "checkpoint.json"
    call_command("audit", "checkpoint", "--out", str(out))
    return out


def _exit_code(*args: str) -> int:
    try:
        call_command("audit", *args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_a_signed_checkpoint_verifies_offline_and_against_the_database(chain, tmp_path):
    out = _checkpoint_file(tmp_path)
    assert _exit_code("verify", "--checkpoint", str(out), "--offline") == 0
    assert _exit_code("verify", "--checkpoint", str(out)) == 0
    audit_record(actor="test", action="test.later", target=("test.thing", "9"))
    assert _exit_code("verify", "--checkpoint", str(out)) == 0  # later events do not matter


def test_a_checkpoint_catches_history_rewritten_even_with_the_key(chain, tmp_path):
    """Someone with the database AND the key rewrites event 2 and re-hashes everything after it."""
    from django.conf import settings

    from minesweep.audit.chain import event_hash
    from minesweep.audit.models import GENESIS_HASH, AuditHead
    from minesweep.audit.services import _hashed_fields

    out = _checkpoint_file(tmp_path)
    prev = GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq"):
        if event.seq == 2:
            event.action = "rewritten"
        event.prev_hash, event.hash = prev, event_hash(settings.AUDIT_KEY, prev, _hashed_fields(event))
        AuditEvent.objects.filter(pk=event.pk).update(action=event.action, prev_hash=prev, hash=event.hash)
        prev = event.hash
    AuditHead.objects.filter(id=1).update(last_hash=prev)
    assert audit_verify().intact  # the key holder can make the chain itself look fine …
    assert _exit_code("verify", "--checkpoint", str(out)) == 1  # … but not match the exported checkpoint


def test_it_refuses_an_altered_or_foreign_checkpoint(chain, tmp_path):
    import json

    out = _checkpoint_file(tmp_path)
    document = json.loads(out.read_text())
    document["payload"]["seq"] = 2
    out.write_text(json.dumps(document))
    assert _exit_code("verify", "--checkpoint", str(out), "--offline") == 1
    other_key = tmp_path / "other.pem"
    from minesweep.audit.checkpoints import public_key_pem

    other_key.write_text(public_key_pem(b"x" * 32))
    good = _checkpoint_file(tmp_path)
    assert _exit_code("verify", "--checkpoint", str(good), "--public-key", str(other_key), "--offline") == 1
