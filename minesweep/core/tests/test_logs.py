"""Structured logs: JSON lines with a request id, and no client address even when a view logs an error."""

import json
import logging

import pytest
from django.test import Client

from minesweep.core.logs import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_every_log_line_of_a_request_is_json_with_its_request_id(caplog):
    handler = logging.StreamHandler()
    lines: list[str] = []
    handler.emit = lambda record: lines.append(JsonFormatter().format(record))  # type: ignore[method-assign]
    handler.addFilter(RequestIdFilter())
    logging.getLogger("django.request").addHandler(handler)
    try:
        response = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Agent/1").get("/no-such-page/")
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    assert response.status_code == 404 and len(response["X-Request-ID"]) >= 8
    entries = [json.loads(line) for line in lines]
    assert entries and all(e["request_id"] == response["X-Request-ID"] for e in entries)
    assert set(entries[0]) >= {"time", "level", "logger", "message", "request_id"}
    assert "203.0.113.77" not in "".join(lines) and "Agent/1" not in "".join(lines)


def test_it_keeps_a_well_formed_request_id_from_the_proxy():
    response = Client(HTTP_X_REQUEST_ID="abcdef0123456789").get("/healthz")
    assert response["X-Request-ID"] == "abcdef0123456789"
    assert Client(HTTP_X_REQUEST_ID="<script>").get("/healthz")["X-Request-ID"] != "<script>"


def test_json_is_the_default_outside_demo_mode():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("MINESWEEP_")}
    for name in ("SECRET_KEY", "MASTER_KEY", "RECEIPT_PEPPER", "AUDIT_KEY"):
        env[f"MINESWEEP_{name}"] = __import__("base64").urlsafe_b64encode(os.urandom(32)).decode()
    env.update(
        DJANGO_SETTINGS_MODULE="minesweep.settings",
        MINESWEEP_VAR_DIR=os.environ.get("MINESWEEP_VAR_DIR", "/tmp"),
    )
    script = "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.stdout.strip() == "json", result.stderr
