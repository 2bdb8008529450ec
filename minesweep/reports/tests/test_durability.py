"""Durability under kill -9 at load: every report the server acknowledged (201 with its receipt) is stored,
on whichever database the suite runs (SQLite by default, PostgreSQL with DATABASE_URL). Two rounds: serve,
submit from several clients, SIGKILL the server mid-load, start again, and compare acknowledged vs stored."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from minesweep.core.tests.test_serving import _free_port, _wait_until_up
from minesweep.reports.models import Report
from minesweep.reports.tests.conftest import report_data

CLIENTS = 4
LOAD_SECONDS = 2.5
ROUNDS = 2


def _database_url(tmp_path: Path) -> tuple[str, bool]:
    """(URL, needs migrate): the test database itself on PostgreSQL, a migrated file on SQLite."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}", False
    return f"sqlite:///{tmp_path / 'durable.sqlite3'}", True


def _submit(port: int) -> str | None:
    """One report through the public API; the content digest when acknowledged (201), else None."""
    base = f"http://127.0.0.1:{port}/api/v1/reports"
    try:
        with urllib.request.urlopen(f"{base}/challenge", timeout=5) as answer:
            challenge = json.load(answer)["challenge"]
        body = json.dumps({**report_data(), "challenge": challenge, "challenge_answer": "0"}).encode()
        request = urllib.request.Request(base, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return str(json.load(answer)["sha256"]) if answer.status == 201 else None
    except (OSError, http.client.HTTPException, ValueError, KeyError):
        return None  # refused, reset by the kill, or cut mid-answer: not acknowledged


def _load_then_kill(port: int, server: subprocess.Popen[bytes]) -> list[str]:
    acknowledged: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + LOAD_SECONDS

    def client() -> None:
        while time.monotonic() < deadline + 1.0:
            digest = _submit(port)
            if digest:
                with lock:
                    acknowledged.append(digest)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(LOAD_SECONDS)
    os.kill(server.pid, signal.SIGKILL)  # mid-load: requests are in flight
    server.wait(timeout=30)
    for thread in threads:
        thread.join(15)
    return acknowledged


@pytest.mark.django_db(transaction=True)
def test_every_acknowledged_report_survives_kill_9_at_load(tmp_path, capsys):
    url, migrate = _database_url(tmp_path)
    env = {
        **os.environ,
        "MINESWEEP_DEMO": "1",
        "MINESWEEP_VAR_DIR": str(tmp_path),
        "DATABASE_URL": url,
        "MINESWEEP_REPORTS_POW_BASE_BITS": "0",
        "MINESWEEP_REPORTS_POW_MAX_BITS": "0",
        "MINESWEEP_REPORTS_QUOTA_PER_HOUR": "1000000",
        "MINESWEEP_ARGON2_TIME_COST": "1",
        "MINESWEEP_ARGON2_MEMORY_KIB": "64",
        "MINESWEEP_SERVE_THREADS": "4",
    }
    if migrate:
        subprocess.run(
            [sys.executable, "-m", "minesweep", "migrate", "--verbosity", "0"],
            env=env,
            check=True,
            timeout=600,
        )
    acknowledged: list[str] = []
    for _ in range(ROUNDS):
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "minesweep", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(port, server)
            acknowledged += _load_then_kill(port, server)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=30)
    if migrate:
        import sqlite3

        with sqlite3.connect(tmp_path / "durable.sqlite3") as db:
            stored = {row[0] for row in db.execute("SELECT content_sha256 FROM reports_report")}
    else:
        stored = set(Report.objects.values_list("content_sha256", flat=True))
    missing = set(acknowledged) - stored
    with capsys.disabled():
        print(
            f"\nkill -9 ({connection.vendor}, {ROUNDS} rounds): {len(acknowledged)} acknowledged, "
            f"{len(set(acknowledged) & stored)} of them stored, {len(stored)} rows in total"
        )
    assert len(acknowledged) >= 10 and not missing
