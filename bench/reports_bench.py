#!/usr/bin/env python
"""Benchmark: report submissions per second and p95 latency, beside a bare Django view storing one row.

One command, both databases::

    .venv/bin/python bench/reports_bench.py                 # SQLite and PostgreSQL (if reachable)
    .venv/bin/python bench/reports_bench.py --db sqlite --requests 60

What runs, per database:

* a fresh database (a temporary SQLite file; for PostgreSQL a temporary database created next to
  ``DATABASE_URL``, default ``postgres://minesweep:minesweep@127.0.0.1:5432/minesweep``, dropped afterwards),
  migrated;
* **two server workers**: two waitress processes with one thread each, on 127.0.0.1, serving the full
  project (all middleware) plus one extra route ``POST /bench/bare`` — a bare Django view that inserts one
  row (a ``django_session`` row) and answers 201. The client alternates between the two ports;
* production Argon2 cost (``MINESWEEP_ARGON2_TIME_COST``/``MEMORY_KIB`` defaults: t=3, 64 MiB) for the
  receipt hash, real envelope encryption, audit chain, notifications;
* the anti-abuse knobs the benchmark must change because all load comes from one address: the per-client
  quota is lifted and the proof-of-work is pinned at 8 bits (challenges are fetched and solved *before* the
  timed phase, so the figures are the server's, not the Python client's hashing);
* load: ``--requests`` POSTs per endpoint (default 120) from ``--concurrency`` client threads (default 4),
  stopped early after ``--seconds`` (default 60). Only 127.0.0.1 is contacted.

Prints submissions/s, p50 and p95 latency for both endpoints and the ratios.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgres://minesweep:minesweep@127.0.0.1:5432/minesweep"
REPORT = {
    "category": "mining_enterprise",
    "subject_name": "东胜区某算力科技有限公司",
    "address": "东胜区铜川镇工业园区 8 号厂房",
    "division_code": "150602",
    "power_account": "150602000188",
    "observed_scale": "约 400 台矿机，昼夜运行",
    "description": "厂房昼夜风扇轰鸣，冬天屋顶不积雪，夜间有货车运进机箱。" * 6,
    "contact": "",
}


# --- server mode (runs inside each worker process) -----------------------------------------------------


def serve(port: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minesweep.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.http import HttpResponse
    from django.urls import path
    from django.utils import timezone
    from django.views.decorators.csrf import csrf_exempt
    from waitress import serve as waitress_serve

    import minesweep.urls

    @csrf_exempt
    def bare(request):  # type: ignore[no-untyped-def]
        Session.objects.create(
            session_key=secrets.token_hex(16),
            session_data="bench",
            expire_date=timezone.now() + timedelta(hours=1),
        )
        return HttpResponse(status=201)

    minesweep.urls.urlpatterns.insert(0, path("bench/bare", bare))
    from minesweep.wsgi import application

    waitress_serve(application, host="127.0.0.1", port=port, threads=1, ident="bench", _quiet=True)


# --- client side ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def solve(token: str) -> str:
    part = token.split(":")[0]
    payload = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    counter = 0
    while True:
        digest = hashlib.sha256(f"{payload['n']}:{counter}".encode()).digest()
        bits = 0
        for byte in digest:
            if byte == 0:
                bits += 8
                continue
            bits += 8 - byte.bit_length()
            break
        if bits >= payload["b"]:
            return str(counter)
        counter += 1


def run_load(
    ports: list[int], bodies: list[tuple[str, bytes | None]], concurrency: int, seconds: float
) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    index = iter(range(len(bodies)))
    deadline = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                i = next(index, None)
            if i is None:
                return
            path, body = bodies[i]
            started = time.perf_counter()
            status, _ = request(ports[i % len(ports)], "POST", path, body)
            elapsed = time.perf_counter() - started
            with lock:
                (latencies if status == 201 else errors).append(elapsed if status == 201 else status)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)] if ordered else float("nan")
    return {
        "ok": len(latencies),
        "errors": len(errors),
        "error_statuses": sorted(set(errors)),
        "per_second": len(latencies) / wall if wall else 0.0,
        "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p95_ms": p95 * 1000,
        "wall_s": wall,
    }


def bench_database(label: str, database_url: str, args: argparse.Namespace, var: Path) -> dict:
    env = {
        **os.environ,
        "MINESWEEP_DEMO": "1",
        "MINESWEEP_VAR_DIR": str(var),
        "DATABASE_URL": database_url,
        "MINESWEEP_LOG_LEVEL": "WARNING",
        "MINESWEEP_REPORTS_QUOTA_PER_HOUR": "1000000",
        "MINESWEEP_REPORTS_POW_BASE_BITS": "8",
        "MINESWEEP_REPORTS_POW_MAX_BITS": "8",
    }
    for name in ("MINESWEEP_ARGON2_TIME_COST", "MINESWEEP_ARGON2_MEMORY_KIB"):
        env.pop(name, None)  # production defaults
    subprocess.run([sys.executable, "-m", "minesweep", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen([sys.executable, __file__, "--serve", str(p)], env=env, cwd=ROOT) for p in ports
    ]
    try:
        for port in ports:
            for _ in range(300):
                try:
                    request(port, "GET", "/api/v1/reports/challenge")
                    break
                except OSError:
                    time.sleep(0.1)
        n = args.requests
        # Challenges fetched and solved before the timed phase; each used once, on the port that issued it.
        report_bodies: list[tuple[str, bytes | None]] = []
        for i in range(n + 4):
            status, data = request(ports[i % 2], "GET", "/api/v1/reports/challenge")
            token = json.loads(data)["challenge"]
            body = {**REPORT, "challenge": token, "challenge_answer": solve(token)}
            report_bodies.append(("/api/v1/reports", json.dumps(body, ensure_ascii=False).encode()))
        bare_bodies: list[tuple[str, bytes | None]] = [("/bench/bare", b"{}") for _ in range(n + 4)]
        run_load(ports, bare_bodies[:4], 2, 30)  # warm-up both workers
        run_load(ports, report_bodies[:4], 2, 30)
        bare = run_load(ports, bare_bodies[4:], args.concurrency, args.seconds)
        report = run_load(ports, report_bodies[4:], args.concurrency, args.seconds)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
    return {"database": label, "bare": bare, "report": report}


def postgres_temp(url: str) -> tuple[str, object] | None:
    try:
        import psycopg
    except ImportError:
        return None
    parsed = urlparse(url)
    name = f"minesweep_bench_{os.getpid()}"
    try:
        admin = psycopg.connect(url, autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - report and skip PostgreSQL, the run still measures SQLite
        print(f"PostgreSQL not available ({exc.__class__.__name__}: {exc}); skipping it", file=sys.stderr)
        return None

    def drop() -> None:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()

    return parsed._replace(path=f"/{name}").geturl(), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=120, help="timed POSTs per endpoint (max 2000)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60, help="time cap per timed phase")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    args.requests = max(1, min(args.requests, 2000))
    args.seconds = max(1.0, min(args.seconds, 600.0))
    results = []
    with tempfile.TemporaryDirectory(prefix="reports-bench-") as tmp:
        if args.db in ("sqlite", "both"):
            var = Path(tmp) / "sqlite"
            results.append(bench_database("SQLite", f"sqlite:///{var / 'bench.sqlite3'}", args, var))
        if args.db in ("postgres", "both"):
            temp = postgres_temp(
                os.environ.get("DATABASE_URL", DEFAULT_PG)
                if os.environ.get("DATABASE_URL", "").startswith("postgres")
                else DEFAULT_PG
            )
            if temp is not None:
                url, drop = temp
                try:
                    results.append(bench_database("PostgreSQL", url, args, Path(tmp) / "pg"))
                finally:
                    drop()  # type: ignore[operator]
    from argon2 import PasswordHasher, Type

    hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1, type=Type.ID)
    started = time.perf_counter()
    for _ in range(3):
        hasher.hash(b"x" * 32)
    argon2_ms = (time.perf_counter() - started) / 3 * 1000
    load = os.getloadavg()
    print()
    print(
        f"one Argon2id hash at production cost (t=3, 64 MiB) measured now: {argon2_ms:.0f} ms; "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(
        f"two waitress workers (1 thread each), {args.concurrency} client threads, {args.requests} requests/endpoint, "
        f"Argon2id t=3 m=64MiB, {os.cpu_count()} CPUs"
    )
    header = (
        f"{'database':<11} {'endpoint':<22} {'ok':>5} {'err':>4} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        for key, name in (("bare", "bare view (1 row)"), ("report", "POST /api/v1/reports")):
            m = r[key]
            print(
                f"{r['database']:<11} {name:<22} {m['ok']:>5} {m['errors']:>4} {m['per_second']:>8.1f} {m['p50_ms']:>8.1f} {m['p95_ms']:>8.1f}"
                + (f"  errors: {m['error_statuses']}" if m["errors"] else "")
            )
        b, s = r["bare"], r["report"]
        print(
            f"{r['database']:<11} {'ratio report/bare':<22} {'':>5} {'':>4} {s['per_second'] / b['per_second']:>8.3f} "
            f"{s['p50_ms'] / b['p50_ms']:>8.1f} {s['p95_ms'] / b['p95_ms']:>8.1f}"
        )
    print(json.dumps(results, indent=1), file=sys.stderr if not os.environ.get("BENCH_JSON") else sys.stdout)


if __name__ == "__main__":
    main()
