"""Secure by default: every page carries a Content Security Policy; outside demo mode cookies are Secure,
HSTS is on and `testserver` is not an allowed host."""

import json
import os
import subprocess
import sys

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_content_security_policy():
    response = Client().get("/report/")
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    )


def test_the_health_probe_answers_ok():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_it_is_secure_by_default_outside_demo_mode(tmp_path):
    import base64

    env = {k: v for k, v in os.environ.items() if not k.startswith("MINESWEEP_")}
    for name in ("SECRET_KEY", "MASTER_KEY", "RECEIPT_PEPPER", "AUDIT_KEY"):
        env[f"MINESWEEP_{name}"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    env.update(MINESWEEP_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="minesweep.settings")
    script = (
        "import json; from django.conf import settings as s; print(json.dumps([s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.ALLOWED_HOSTS, s.REQUIRE_TOTP]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    session, csrf, hsts, redirect, hosts, totp = json.loads(result.stdout)
    assert session and csrf and redirect and totp and hsts >= 31_536_000
    assert "testserver" not in hosts
