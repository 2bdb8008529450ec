"""Availability: idle or slow clients cannot starve others, served directly (waitress) or through the
shipped nginx config. Loopback only, bounded loops."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
IDLE_CONNECTIONS = 110
SLOW_CONNECTIONS = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str = "/healthz", timeout: float = 10.0) -> tuple[int, float]:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        head = conn.recv(64)
    return int(head.split()[1]), time.monotonic() - started


def _post_status(port: int, path: str, size: int) -> int:
    """Status of a POST of ``size`` bytes (the body is sent whole unless the server answers first)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body=b"\0" * size, headers={"Content-Type": "application/octet-stream"})
        return conn.getresponse().status
    except (BrokenPipeError, ConnectionResetError):  # refused before the body was read: said so in the head
        return 413
    finally:
        conn.close()


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        assert process.poll() is None, "server exited"
        try:
            if _get(port, timeout=1)[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not start")


@pytest.fixture
def app_port(tmp_path: Path) -> Iterator[int]:
    port = _free_port()
    env = {
        **os.environ,
        "MINESWEEP_DEMO": "1",
        "MINESWEEP_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "MINESWEEP_SERVE_THREADS": "4",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "minesweep", "serve", "--port", str(port), "--trusted-proxy", "127.0.0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(port, process)
        yield port
    finally:
        process.kill()
        process.wait(timeout=30)


def _hold_idle_and_slow(port: int) -> list[socket.socket]:
    held = []
    for _ in range(IDLE_CONNECTIONS):
        held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    for _ in range(SLOW_CONNECTIONS):  # slowloris: a request line and one header, never finished
        slow = socket.create_connection(("127.0.0.1", port), timeout=5)
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        held.append(slow)
    return held


def test_a_new_client_is_served_while_idle_and_slow_connections_are_held(app_port):
    held = _hold_idle_and_slow(app_port)
    try:
        status, seconds = _get(app_port)
        print(f"held {len(held)} connections; new client served in {seconds:.3f} s")
        assert status == 200 and seconds < 2.0
    finally:
        for conn in held:
            conn.close()


def test_the_server_takes_a_staff_analytics_upload_larger_than_a_reports_limit(app_port):
    """The meter and network forms promise files of up to 256 MB; the server stopped every body at the
    reports' 20 MB and answered with its bare English 413 page."""
    assert _post_status(app_port, "/analytics/meters/new/", 30 * 1024 * 1024) != 413


def _nginx_config(tmp_path: Path, listen: int, upstream: int) -> Path:
    site = (ROOT / "deploy" / "nginx" / "minesweep.conf").read_text()
    replaced = {
        "upstream": f"server 127.0.0.1:{upstream};",
        "plain": f"listen 127.0.0.1:{_free_port()};",
        "tls": f"listen 127.0.0.1:{listen};",
        "http2": "",
        "cert": "",
        "key": "",
        "error_log": f"error_log {tmp_path}/error.log warn;",
    }
    lines = []
    for line in site.splitlines():
        marker = re.search(r"# test: (\w+)$", line)
        if marker and marker.group(1) in replaced:
            line = replaced[marker.group(1)]
        lines.append(line)
    site_text = (
        "\n".join(lines).replace("ssl_protocols", "# ssl_protocols").replace("ssl_session_cache", "# ssl_")
    )
    (tmp_path / "minesweep.conf").write_text(site_text)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"daemon off; worker_processes 1; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        f"http {{ client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
        f"  fastcgi_temp_path {tmp_path}/f; uwsgi_temp_path {tmp_path}/u; scgi_temp_path {tmp_path}/s;\n"
        f"  include {tmp_path}/minesweep.conf; }}\n"
    )
    return main


@pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="nginx not installed (scripts/system-packages installs it)",
)
def test_the_shipped_nginx_config_limits_each_client_and_still_serves_others(app_port, tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = _free_port()
    config = _nginx_config(tmp_path, port, app_port)
    checked = subprocess.run([nginx, "-t", "-c", str(config)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [nginx, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_up(port, process)
        held = _hold_idle_and_slow(port)
        try:
            status, seconds = _get(port)
            print(f"through nginx: held {len(held)} connections; new client served in {seconds:.3f} s")
            assert status == 200 and seconds < 2.0
        finally:
            for conn in held:
                conn.close()
        # Staff analytics forms take files of up to 256 MB; every other URL stops at the reports' limit.
        thirty_mb = 30 * 1024 * 1024
        assert _post_status(port, "/analytics/meters/new/", thirty_mb) != 413
        assert _post_status(port, "/analytics/network/new/", thirty_mb) != 413
        assert _post_status(port, "/report/", thirty_mb) == 413
        # A flood of requests from one client is answered 429 at once beyond its rate (20/s, burst 40).
        answers = [_get(port) for _ in range(80)]
        assert any(status == 429 for status, _ in answers) and max(s for _, s in answers) < 2.0
    finally:
        process.terminate()  # the master stops its workers (a SIGKILL would leave them running)
        process.wait(timeout=30)
