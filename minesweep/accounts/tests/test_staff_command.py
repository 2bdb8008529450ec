import io

import pytest
from django.core.management import call_command

from minesweep.accounts.models import StaffProfile

pytestmark = pytest.mark.django_db


def test_it_creates_a_staff_member_with_a_totp_key(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "a-long-enough-password")
    out = io.StringIO()
    call_command(
        "staff",
        "create",
        "--username",
        "zhangwei",
        "--name",
        "包头市核查员 张伟",
        "--role",
        "investigator",
        "--division",
        "150200",
        stdout=out,
    )
    profile = StaffProfile.objects.get(user__username="zhangwei")
    assert profile.jurisdiction_id == "150200" and "otpauth://totp/" in out.getvalue()


def test_it_refuses_an_unknown_division(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "a-long-enough-password")
    with pytest.raises(SystemExit) as exited:
        call_command(
            "staff", "create", "--username", "x", "--name", "x", "--role", "analyst", "--division", "990000"
        )
    assert exited.value.code == 2 and not StaffProfile.objects.exists()
