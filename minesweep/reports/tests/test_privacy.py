"""No reporter address or user agent is stored, logged or echoed — checked against a real server process.

The server (``minesweep serve``, waitress) runs in a subprocess on a fresh SQLite database with DEBUG logging;
requests come from a distinctive loopback socket address (127.77.88.99) and carry a distinctive
X-Forwarded-For and User-Agent. Afterwards every byte of the database files (main, WAL, SHM), every other
file under the server's var directory, its stdout/stderr and every response are searched for those strings.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.test import Client

from minesweep.reports import antiabuse
from minesweep.reports.tests.conftest import jpeg_with_gps, report_data, solved_challenge

SOCKET_ADDRESS = "127.77.88.99"
FORWARDED = "198.51.100.77"
AGENT = "DistinctiveAgent/7.7 (PrivacyProbe)"
NEEDLES = [SOCKET_ADDRESS, FORWARDED, "DistinctiveAgent", "PrivacyProbe"]
ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Probe:
    """HTTP from the distinctive source address, keeping cookies and every response."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.seen: list[bytes] = []

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ):
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(SOCKET_ADDRESS, 0)
        )
        h = {
            "User-Agent": AGENT,
            "X-Forwarded-For": FORWARDED,
            "X-Real-IP": FORWARDED,
            "Forwarded": f"for={FORWARDED}",
        }
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        response = conn.getresponse()
        data = response.read()
        for key, value in response.getheaders():
            self.seen.append(f"{key}: {value}".encode())
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        self.seen.append(data)
        conn.close()
        return response.status, data


def _multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for filename, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _solve(token: str) -> str:
    import base64
    import hashlib

    part = token.split(":")[0]
    payload = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    counter = 0
    while (
        antiabuse.leading_zero_bits(hashlib.sha256(f"{payload['n']}:{counter}".encode()).digest())
        < payload["b"]
    ):
        counter += 1
    return str(counter)


@pytest.mark.slow
def test_it_keeps_no_client_address_or_agent_in_database_logs_or_responses(tmp_path):
    var = tmp_path / "var"
    env = {
        **os.environ,
        "MINESWEEP_DEMO": "1",
        "MINESWEEP_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'privacy.sqlite3'}",
        "MINESWEEP_LOG_LEVEL": "DEBUG",
        "MINESWEEP_ARGON2_TIME_COST": "1",
        "MINESWEEP_ARGON2_MEMORY_KIB": "64",
        "MINESWEEP_REPORTS_POW_BASE_BITS": "4",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(
        [sys.executable, "-m", "minesweep", "migrate", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    out, err = (tmp_path / "server.out").open("wb"), (tmp_path / "server.err").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "minesweep", "serve", "--port", str(port), "--threads", "2"],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=err,
    )
    try:
        probe = Probe(port)
        for _ in range(100):
            try:
                probe.request("GET", "/report/")
                break
            except OSError:
                time.sleep(0.1)
        status, page = probe.request("GET", "/report/")
        assert status == 200
        token = re.search(rb'name="challenge" value="([^"]+)"', page).group(1).decode()
        csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        fields = {
            **{k: str(v) for k, v in report_data().items()},
            "acknowledge": "on",
            "challenge": token,
            "challenge_answer": _solve(token),
            "csrfmiddlewaretoken": csrf,
        }
        body, ctype = _multipart(fields, [("IMG_9.jpg", jpeg_with_gps())])
        status, receipt_page = probe.request(
            "POST",
            "/report/",
            body,
            {
                "Content-Type": ctype,
                "Referer": f"http://127.0.0.1:{port}/report/",
                "Origin": f"http://127.0.0.1:{port}",
            },
        )
        assert status == 201, receipt_page[:2000]
        status, data = probe.request("GET", "/api/v1/reports/challenge")
        challenge = json.loads(data)["challenge"]
        api_body = json.dumps(
            {**report_data(contact="匿名"), "challenge": challenge, "challenge_answer": _solve(challenge)}
        ).encode()
        status, data = probe.request(
            "POST", "/api/v1/reports", api_body, {"Content-Type": "application/json"}
        )
        assert status == 201, data
        receipt = json.loads(data)["receipt"]
        assert probe.request("GET", "/api/v1/reports/status", headers={"X-Receipt": receipt})[0] == 200
        assert probe.request(
            "GET", "/api/v1/reports/status", headers={"X-Receipt": "123456-123456-123456-123456-123456"}
        )[0] in (400, 404)
        assert (
            probe.request("POST", "/api/v1/reports", b"{not json", {"Content-Type": "application/json"})[0]
            == 400
        )
        assert probe.request("GET", "/no/such/page/")[0] == 404
        assert (
            probe.request(
                "POST",
                "/report/follow-up/",
                b"receipt=1",
                {"Content-Type": "application/x-www-form-urlencoded"},
            )[0]
            == 403
        )  # no CSRF
    finally:
        server.terminate()
        server.wait(timeout=10)
        out.close()
        err.close()
    stored = [p for p in var.rglob("*") if p.is_file()]
    assert any(p.name.startswith("privacy.sqlite3") for p in stored)
    logs = (tmp_path / "server.out").read_bytes() + (tmp_path / "server.err").read_bytes()
    assert b"Minesweep serving" in logs and b"DEBUG" in logs  # the server's output really was captured
    # Positive control: the search does find what is stored in clear (the reported company's name).
    database = b"".join(p.read_bytes() for p in stored if p.name.startswith("privacy.sqlite3"))
    assert report_data()["subject_name"].encode() in database
    haystacks = {"responses": b"\n".join(probe.seen), "server output": logs}
    haystacks.update({f"file {p.name}": p.read_bytes() for p in stored})
    for where, blob in haystacks.items():
        for needle in NEEDLES:
            assert needle.encode() not in blob, f"{needle!r} found in {where}"
            assert needle.encode("utf-16-le") not in blob, f"{needle!r} (utf-16) found in {where}"


@pytest.mark.django_db
def test_it_logs_nothing_about_the_client_in_process(caplog):
    caplog.set_level(logging.DEBUG)
    client = Client(REMOTE_ADDR=SOCKET_ADDRESS, HTTP_USER_AGENT=AGENT, HTTP_X_FORWARDED_FOR=FORWARDED)
    response = client.post(
        "/api/v1/reports",
        data=json.dumps({**report_data(), **solved_challenge()}),
        content_type="application/json",
    )
    assert response.status_code == 201
    client.get("/api/v1/reports/status", HTTP_X_RECEIPT="123456-123456-123456-123456-123456")
    client.post("/api/v1/reports", data="{", content_type="application/json")
    text = caplog.text + response.content.decode()
    assert not any(needle in text for needle in NEEDLES)
