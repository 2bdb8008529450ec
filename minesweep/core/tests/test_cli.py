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


def _bare_environment(tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A machine with no Minesweep configuration at all (no MINESWEEP_* variable, no DATABASE_URL)."""
    bare = {
        k: v for k, v in os.environ.items() if not k.startswith(("MINESWEEP_", "DATABASE_URL", "DJANGO_"))
    }
    return {**bare, "HOME": str(tmp_path)}


NESTED_COMMANDS = [
    "staff create",
    "staff totp",
    "audit verify",
    "keys rotate",
    "registry import",
    "meters detect",
    "meters import",
    "net scan",
    "credit export",
    "register export",
    "calc energy",
    "case document",
]


def test_it_prints_help_for_every_command_with_no_configuration(tmp_path):
    script = (
        f"NESTED = {NESTED_COMMANDS!r}\n"
        "import contextlib, io, sys\n"
        "from minesweep.cli import _our_commands, main\n"
        "assert main(['--help']) == 0\n"
        "bad = []\n"
        "for name in _our_commands():\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):\n"
        "        code = main([name, '--help'])\n"
        "    if code != 0 or 'usage' not in out.getvalue():\n"
        "        bad.append((name, code, out.getvalue()[-300:]))\n"
        "for nested in NESTED:\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):\n"
        "        code = main([*nested.split(), '--help'])\n"
        "    if code != 0 or 'usage' not in out.getvalue():\n"
        "        bad.append((nested, code, out.getvalue()[-300:]))\n"
        "print('COMMANDS', len(_our_commands()), 'BAD', bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=_bare_environment(tmp_path),
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "BAD []" in result.stdout and "MINESWEEP_SECRET_KEY" not in result.stderr
    assert int(result.stdout.split("COMMANDS ")[1].split()[0]) >= 15


def test_it_still_requires_secrets_for_real_work_with_no_configuration(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "minesweep", "check"],
        capture_output=True,
        text=True,
        env={
            **_bare_environment(tmp_path),
            "MINESWEEP_CLI_HELP_ONLY": "1",
        },  # no variable enables throw-away keys
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2 and "MINESWEEP_SECRET_KEY" in result.stderr


def test_it_refuses_the_same_key_for_two_purposes(tmp_path):
    key = "A" * 43
    result = _run(
        "check",
        MINESWEEP_DEMO="0",
        MINESWEEP_SECRET_KEY=key,
        MINESWEEP_MASTER_KEY=key,
        MINESWEEP_RECEIPT_PEPPER="B" * 43,
        MINESWEEP_AUDIT_KEY="C" * 43,
        MINESWEEP_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 2 and "MINESWEEP_MASTER_KEY" in result.stderr and "differ" in result.stderr


def _production(tmp_path, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    import base64

    keys = {
        name: base64.urlsafe_b64encode(os.urandom(32)).decode()
        for name in (
            "MINESWEEP_SECRET_KEY",
            "MINESWEEP_MASTER_KEY",
            "MINESWEEP_RECEIPT_PEPPER",
            "MINESWEEP_AUDIT_KEY",
        )
    }
    return {
        **keys,
        "MINESWEEP_DEMO": "0",
        "MINESWEEP_VAR_DIR": str(tmp_path),
        "MINESWEEP_ALLOWED_HOSTS": "minesweep.example.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        **extra,
    }


def test_it_checks_deployment_settings_outside_demo_mode(tmp_path):
    assert _run("migrate", "--verbosity", "0", **_production(tmp_path)).returncode == 0
    secure = _run("check", **_production(tmp_path))
    assert secure.returncode == 0, secure.stderr
    for variable, value, finding in (
        ("MINESWEEP_SECURE_COOKIES", "0", "security.W012"),
        ("MINESWEEP_HSTS_SECONDS", "0", "security.W004"),
        ("MINESWEEP_DEBUG", "1", "security.W018"),
    ):
        insecure = _run("check", **_production(tmp_path, **{variable: value}))
        assert insecure.returncode == 1 and finding in insecure.stderr, (variable, insecure.stderr)
