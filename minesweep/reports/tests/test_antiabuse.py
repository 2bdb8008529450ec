"""Throttling of wrong receipts, follow-up messages and submissions: answered at once, kept in shared
storage (the database) so every process sees one budget, never locking out the right receipt."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.test import Client

from minesweep.core.models import Counter
from minesweep.reports import antiabuse
from minesweep.reports.tests.test_api import URL, submit
from minesweep.security.receipts import receipt_generate

pytestmark = pytest.mark.django_db


def _status(client, receipt):  # type: ignore[no-untyped-def]
    return client.get(f"{URL}/status", HTTP_X_RECEIPT=receipt)


def test_it_answers_wrong_receipts_at_once_then_429_with_retry_after():
    client = Client()
    started = time.monotonic()
    answers = [_status(client, receipt_generate()) for _ in range(antiabuse.RECEIPT_FAILURES_ALLOWED + 4)]
    elapsed = time.monotonic() - started
    assert [a.status_code for a in answers[:8]] == [404] * 8
    assert all(a.status_code == 429 for a in answers[8:])
    assert 0 < int(answers[-1]["Retry-After"]) <= 15 * 60
    assert elapsed < 5.0  # no request sleeps (it used to sleep up to 5 s per wrong receipt)
    assert Counter.objects.get(key__startswith="receipt:").hits == 12  # the counter is kept while throttled


def test_a_throttled_address_still_opens_the_right_receipt():
    receipt = submit().json()["receipt"]
    client = Client()
    for _ in range(antiabuse.RECEIPT_FAILURES_ALLOWED + 2):
        _status(client, receipt_generate())
    assert _status(client, receipt_generate()).status_code == 429
    assert _status(client, receipt).status_code == 200  # same address (a proxy, a campus), right receipt


def test_it_limits_follow_up_messages_per_receipt():
    receipt = submit().json()["receipt"]
    answers = [
        Client().post(
            f"{URL}/messages",
            data=json.dumps({"body": f"more {i}"}),
            content_type="application/json",
            HTTP_X_RECEIPT=receipt,
        )
        for i in range(antiabuse.FOLLOW_UP_PER_WINDOW + 3)
    ]
    codes = [a.status_code for a in answers]
    assert codes[: antiabuse.FOLLOW_UP_PER_WINDOW] == [201] * antiabuse.FOLLOW_UP_PER_WINDOW
    assert codes[antiabuse.FOLLOW_UP_PER_WINDOW :] == [429] * 3 and "Retry-After" in answers[-1]
    from minesweep.reports.models import ReportMessage

    assert ReportMessage.objects.filter(author="reporter").count() == antiabuse.FOLLOW_UP_PER_WINDOW


def test_it_stores_counters_without_any_client_address():
    Client(REMOTE_ADDR="203.0.113.77").get(f"{URL}/status", HTTP_X_RECEIPT=receipt_generate())
    stored = json.dumps(list(Counter.objects.values()), default=str)
    assert "203.0.113.77" not in stored and "receipt:" in stored


@pytest.mark.django_db(transaction=True)
def test_another_process_shares_the_same_budget(tmp_path):
    """Two processes, one database: failures counted in a separate process throttle this one."""
    from django.db import connection

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("in-memory SQLite test database is not shared between processes")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "minesweep.settings"}
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
    else:
        s = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "from minesweep.security.receipts import receipt_generate\n"
        "c = Client(HTTP_HOST='localhost')\n"
        f"print([c.get('{URL}/status', HTTP_X_RECEIPT=receipt_generate()).status_code for _ in range(8)])\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert other.stdout.strip() == str([404] * 8), other.stderr[-1500:]
    assert _status(Client(), receipt_generate()).status_code == 429
