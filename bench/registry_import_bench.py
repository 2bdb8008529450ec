#!/usr/bin/env python
"""Benchmark: a bulk registry import, and how long it holds the database's write lock.

One command (a temporary SQLite database, migrated fresh; generated rows, nothing committed)::

    MINESWEEP_DEMO=1 .venv/bin/python bench/registry_import_bench.py --rows 200000
    MINESWEEP_DEMO=1 .venv/bin/python bench/registry_import_bench.py --rows 20000 --kind entities

``registry.imports.registry_import`` checks every row first (reads only), then writes all rows in one
transaction. Prints the rows, the time of each phase, the write transaction's share (SQLite holds its one
write lock for all of it: another writer waits up to the connection's 30 s ``timeout`` and is then refused
with a 503), whether the audit chain is intact afterwards, and the ratio of the write transaction to the
baseline: the same rows written through one service call per row (``power_account_create`` /
``subject_create``, which is how imports were written before), timed on the first ``--baseline-rows``
rows in a second fresh database and scaled per row.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generated(kind: str, rows: int, offset: int = 0) -> bytes:
    """``rows`` valid rows of ``kind`` (power accounts or enterprises with valid USCCs) as CSV."""
    from minesweep.registry.uscc import make_uscc

    out = io.StringIO()
    writer = csv.writer(out)
    if kind == "power_accounts":
        writer.writerow(["number", "tariff", "division_code", "contract_kva"])
        for i in range(offset, offset + rows):
            writer.writerow([f"99{i:010d}", "large_industry", "150203", "630"])
    else:
        writer.writerow(["kind", "name", "uscc", "division_code", "categories"])
        for i in range(offset, offset + rows):
            uscc = make_uscc("9", "1", "150203", f"{i:08d}")
            writer.writerow(["enterprise", f"测试企业{i}有限公司", uscc, "150203", "enterprise"])
    return out.getvalue().encode()


def run(args: argparse.Namespace) -> None:
    """In a process whose environment names a fresh, migrated database: import and time the phases."""
    import django

    django.setup()
    from minesweep.audit.services import audit_verify
    from minesweep.registry import imports

    content = generated(args.kind, args.rows)
    if args.baseline:
        print(f"baseline_write {_one_service_call_per_row(args.kind, content):.6f}")
        return
    real_write, phases = imports._write, {}

    def timed_write(*write_args):  # type: ignore[no-untyped-def]
        phases["write_start"] = time.perf_counter()
        written = real_write(*write_args)
        phases["write_end"] = time.perf_counter()
        return written

    imports._write = timed_write
    start = time.perf_counter()
    report = imports.registry_import(actor="bench", kind=args.kind, content=content)
    end = time.perf_counter()
    print(f"created {report.created}")
    print(f"check {phases['write_start'] - start:.6f}")
    print(f"write {phases['write_end'] - phases['write_start']:.6f}")
    print(f"total {end - start:.6f}")
    print(f"chain_intact {audit_verify().intact}")


def _one_service_call_per_row(kind: str, content: bytes) -> float:
    """The write phase as it was: every row through its service, in one transaction (seconds)."""
    from django.db import transaction

    from minesweep.registry.models import Division
    from minesweep.registry.services import power_account_create, subject_create

    division = Division.objects.get(code="150203")
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    start = time.perf_counter()
    with transaction.atomic():
        for row in rows:
            if kind == "power_accounts":
                power_account_create(
                    actor="bench", number=row["number"], tariff=row["tariff"], division=division
                )
            else:
                subject_create(
                    actor="bench",
                    kind="enterprise",
                    name=row["name"],
                    division=division,
                    uscc=row["uscc"],
                    categories=["enterprise"],
                )
    return time.perf_counter() - start


def _fresh_run(kind: str, rows: int, baseline: bool) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="import-bench-") as var:
        env = {**os.environ, "MINESWEEP_VAR_DIR": var, "MINESWEEP_DEMO": "1", "DATABASE_URL": ""}
        env.pop("DATABASE_URL")
        subprocess.run(
            [sys.executable, "-m", "minesweep", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True
        )
        command = [sys.executable, __file__, "--inner", "--kind", kind, "--rows", str(rows)]
        output = subprocess.run(
            command + (["--baseline"] if baseline else []),
            env={**env, "DJANGO_SETTINGS_MODULE": "minesweep.settings"},
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return dict(line.split(" ", 1) for line in output.strip().splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--kind", choices=("power_accounts", "entities"), default="power_accounts")
    parser.add_argument("--baseline-rows", type=int, default=5_000)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.inner:
        run(args)
        return
    now = _fresh_run(args.kind, args.rows, baseline=False)
    rows, write = int(now["created"]), float(now["write"])
    before = float(_fresh_run(args.kind, args.baseline_rows, baseline=True)["baseline_write"])
    before_per_row = before / args.baseline_rows
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"registry import of {rows:,} {args.kind} (SQLite, fresh database; load average {load})")
    print(
        f"  check (reads only): {float(now['check']):.2f} s; write transaction (the write lock): {write:.2f} s "
        f"({write / rows * 1e6:.0f} µs per row); total {float(now['total']):.2f} s; audit chain intact: "
        f"{now['chain_intact']}"
    )
    print(
        f"  baseline, one service call per row: {before_per_row * 1e6:.0f} µs per row "
        f"({args.baseline_rows:,} rows in {before:.2f} s) = {before_per_row * rows:.1f} s of write lock for "
        f"{rows:,} rows; now / baseline = {write / (before_per_row * rows):.3f}"
    )


if __name__ == "__main__":
    main()
