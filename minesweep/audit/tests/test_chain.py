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
    from minesweep.audit.chain import event_hash
    from minesweep.audit.services import _hashed_fields

    event = AuditEvent.objects.get(seq=2)
    event.action = "forged"
    forged = event_hash(event.prev_hash, _hashed_fields(event))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action='forged', hash=%s WHERE seq=2", [forged])
    report = audit_verify()
    assert not report.intact and report.first_bad_seq == 3
