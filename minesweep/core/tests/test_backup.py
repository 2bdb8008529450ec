"""The PostgreSQL backup and restore of docs/deploy.md, run for real: pg_dump -Fc of a database holding
reports and audit events, pg_restore into a new database, and the restored copy passes `minesweep check`,
`minesweep audit verify` and holds the same reports (runs when the suite runs on PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from django.db import connection

from minesweep.reports.models import Report
from minesweep.reports.tests.test_services import file_report


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_working_database(tmp_path):
    if connection.vendor != "postgresql" or shutil.which("pg_dump") is None:
        pytest.skip("the backup procedure is for PostgreSQL (the suite runs on it in CI)")
    for _ in range(3):
        file_report()
    s = connection.settings_dict
    restored = f"{s['NAME']}_restored"
    pg_env = {
        **os.environ,
        "PGHOST": s["HOST"],
        "PGPORT": str(s["PORT"]),
        "PGUSER": s["USER"],
        "PGPASSWORD": s["PASSWORD"],
    }
    dump = tmp_path / "minesweep.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), s["NAME"]], env=pg_env, check=True, timeout=300)
    subprocess.run(["dropdb", "--if-exists", restored], env=pg_env, check=True, timeout=60)
    subprocess.run(["createdb", restored], env=pg_env, check=True, timeout=60)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", restored, str(dump)], env=pg_env, check=True, timeout=300
        )
        app_env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{restored}",
        }
        for command in (["check"], ["audit", "verify"]):
            result = subprocess.run(
                [sys.executable, "-m", "minesweep", *command],
                env=app_env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0, (command, result.stderr)
        count = subprocess.run(
            ["psql", "-tAc", "SELECT count(*) FROM reports_report", restored],
            env=pg_env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert int(count.stdout.strip()) == Report.objects.count() == 3
    finally:
        connection.close()
        subprocess.run(["dropdb", "--if-exists", restored], env=pg_env, timeout=60)
