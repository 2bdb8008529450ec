"""Schemathesis over the whole OpenAPI schema (all checks, bounded examples) against a live server on the
suite's database (SQLite or PostgreSQL): no response may be a server error, every status code is
documented, responses match their schemas and schema-valid requests are accepted (one justified exception,
see PUBLIC_REPORTING_EXCEPTION). Counted from the HAR of every request it sent."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from minesweep.core.tests.test_serving import _free_port, _wait_until_up
from minesweep.reports.tests.test_durability import _database_url

MAX_EXAMPLES = "10"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


ADMIN_SESSION = """
import django; django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from minesweep.accounts.models import StaffProfile
from minesweep.registry.models import Division
user = User.objects.create_user(username="st_admin", password="st-admin-password")
StaffProfile.objects.create(user=user, role="administrator", jurisdiction=Division.objects.get(code="150000"),
                            display_name="st_admin")
store = SessionStore()
store[SESSION_KEY], store[HASH_SESSION_KEY] = str(user.pk), user.get_session_auth_hash()
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store.create()
print(store.session_key)
"""


# The only rejections of schema-valid data the test allows: a 400 on the three public reporting operations,
# for rules that no JSON Schema can express (every other operation must accept every schema-valid request,
# and every other check applies everywhere):
# - GET /reports/status and POST /reports/messages read the X-Receipt header. The schema says all a schema
#   can about a receipt (five dash-joined groups of six digits, reports.api.RECEIPT_HEADER), but the sixth
#   digit of each group is a Verhoeff check digit: a code of the right shape whose check digit fails is
#   refused with 400 reports.receipt_typo naming the group to re-check. That is the API doing its job.
# - POST /reports needs `challenge`, a single-use token the server signed in GET /reports/challenge, and its
#   proof-of-work answer; a random string of the right type is (rightly) refused with 400. The schema does
#   state every limit of the form it can (category enum, 6-digit division, lengths, coordinate ranges).
# 404 (well-formed but unknown receipt) and 429 are accepted by schemathesis by default.
PUBLIC_REPORTING_EXCEPTION = """
[[operations]]
include-path-regex = "^/api/v1/reports(/status|/messages)?$"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404", "429"]
"""


@pytest.mark.skipif(
    not SCHEMATHESIS.exists() and shutil.which("schemathesis") is None,
    reason="schemathesis is a dev dependency (requirements.lock)",
)
@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_undocumented_status(tmp_path, capsys):
    url, migrate = _database_url(tmp_path)
    port = _free_port()
    env = {
        **os.environ,
        "MINESWEEP_DEMO": "1",
        "MINESWEEP_VAR_DIR": str(tmp_path),
        "DATABASE_URL": url,
        "MINESWEEP_REPORTS_POW_BASE_BITS": "0",
        "MINESWEEP_REPORTS_POW_MAX_BITS": "0",
    }
    if migrate:
        subprocess.run(
            [sys.executable, "-m", "minesweep", "migrate", "--verbosity", "0"],
            env=env,
            check=True,
            timeout=600,
        )
    session = subprocess.run(
        [sys.executable, "-c", ADMIN_SESSION],
        env={**env, "DJANGO_SETTINGS_MODULE": "minesweep.settings"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    (tmp_path / "st.toml").write_text(
        f'[auth.openapi.StaffSession]\napi_key = "{session.stdout.strip()}"\n' + PUBLIC_REPORTING_EXCEPTION
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "minesweep", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(port, server)
        har = tmp_path / "run.har"
        run = subprocess.run(
            [
                str(SCHEMATHESIS if SCHEMATHESIS.exists() else "schemathesis"),
                "--config-file",
                str(tmp_path / "st.toml"),
                "run",
                f"http://127.0.0.1:{port}/api/v1/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                MAX_EXAMPLES,
                "--seed",
                "14",
                "--no-color",
                "--report",
                "har",
                "--report-har-path",
                str(har),
            ],
            capture_output=True,
            text=True,
            timeout=900,
            env=env,
            cwd=tmp_path,
        )
    finally:
        server.kill()
        server.wait(timeout=30)
    entries = json.loads(har.read_text())["log"]["entries"]
    statuses = [entry["response"]["status"] for entry in entries]
    server_errors = sum(1 for status in statuses if status >= 500)
    failures = dict(re.findall(r"❌ (ST\d+) [^:]+: (\d+)", run.stdout))
    with capsys.disabled():
        print(
            f"\nschemathesis ({connection.vendor}): {len(statuses)} requests, {server_errors} server errors; "
            f"check failures by code: {failures or 'none'}"
        )
    assert server_errors == 0, run.stdout[-4000:]
    # Full conformance: no check fails anywhere (the only allowance is PUBLIC_REPORTING_EXCEPTION above).
    assert failures == {} and run.returncode == 0, run.stdout[-6000:]
