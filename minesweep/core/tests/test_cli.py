"""The `minesweep` command as an operator uses it (subprocesses, real exit codes)."""

import os
import subprocess
import sys

import pytest


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "MINESWEEP_DEMO": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "minesweep", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_it_lists_its_commands():
    result = _run("--help")
    assert result.returncode == 0
    for command in ("serve", "demo", "check", "uscc", "audit", "registry", "migrate"):
        assert f"  {command}" in result.stdout


def test_it_validates_usccs_and_exits_nonzero_on_any_invalid():
    ok = _run("uscc", "911522010783710635", "91110000600037341L")
    assert ok.returncode == 0 and ok.stdout.count("valid / 有效") == 2
    bad = _run("uscc", "911522010783710635", "914403001922038217")
    assert bad.returncode == 1 and "invalid" in bad.stdout and "position 18" in bad.stdout


def test_it_stops_on_a_bad_setting_naming_the_variable():
    result = _run("check", MINESWEEP_DEBUG="perhaps")
    assert result.returncode == 2 and "MINESWEEP_DEBUG" in result.stderr and "Traceback" not in result.stderr


def test_it_requires_secrets_outside_demo_mode():
    result = _run("check", MINESWEEP_DEMO="0", MINESWEEP_SECRET_KEY="")
    assert result.returncode == 2 and "MINESWEEP_SECRET_KEY" in result.stderr


def test_it_fails_check_when_the_database_is_unreachable(tmp_path):
    result = _run(
        "check", DATABASE_URL="postgres://nobody:x@127.0.0.1:1/none", MINESWEEP_VAR_DIR=str(tmp_path)
    )
    assert result.returncode == 1 and "database unreachable" in result.stderr


def test_it_fails_check_when_migrations_are_missing_then_passes_after_migrate(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "MINESWEEP_VAR_DIR": str(tmp_path)}
    before = _run("check", **env)
    assert before.returncode == 1 and "migrations not applied" in before.stderr
    assert _run("migrate", "--verbosity", "0", **env).returncode == 0
    after = _run("check", **env)
    assert after.returncode == 0, after.stderr


@pytest.mark.django_db
def test_it_loads_demo_data_idempotently():
    from django.core.management import call_command

    from minesweep.accounts.models import StaffProfile
    from minesweep.registry.models import Subject
    from minesweep.registry.uscc import validate_uscc

    call_command("demo", "--load-only")
    call_command("demo", "--load-only")
    subjects = Subject.objects.all()
    assert 180 <= subjects.count() <= 260
    assert all(validate_uscc(s.uscc).valid for s in subjects.exclude(uscc=None))
    categories = set(subjects.values_list("categories__code", flat=True))
    assert {"data_center", "internet_cafe", "public_official", "unapproved_power_project"} <= categories
    assert set(StaffProfile.objects.values_list("role", flat=True)) >= {
        "intake_officer",
        "investigator",
        "department_liaison",
        "analyst",
        "leadership",
        "administrator",
    }
    assert len({s.division.parent_id for s in subjects}) == 12
