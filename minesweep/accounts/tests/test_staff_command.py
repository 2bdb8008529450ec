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


def _create(*extra: str) -> io.StringIO:
    out = io.StringIO()
    call_command("staff", "create", "--division", "150200", *extra, stdout=out, stderr=out)
    return out


def test_it_creates_a_legal_reviewer_of_an_organ_and_lists_her(monkeypatch):
    """The legal-review post (行政处罚法第五十八条) of the 能源局 (department ``power_administration``): the
    only way outside the demo to give a reviewer her post and her organ."""
    monkeypatch.setattr("getpass.getpass", lambda prompt: "a-long-enough-password")
    _create(
        "--username", "zhoumin", "--name", "包头市能源局法制审核员 周敏", "--role", "investigator",
        "--department", "power_administration", "--legal-reviewer",
    )  # fmt: skip
    profile = StaffProfile.objects.get(user__username="zhoumin")
    assert profile.legal_reviewer and profile.department == "power_administration"
    listed = io.StringIO()
    call_command("staff", "list", stdout=listed)
    assert "zhoumin" in listed.getvalue() and "法制审核" in listed.getvalue()


def test_it_refuses_the_review_post_to_a_role_that_does_not_investigate(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "a-long-enough-password")
    with pytest.raises(SystemExit) as exited:
        _create("--username", "x", "--name", "x", "--role", "analyst", "--legal-reviewer")
    assert exited.value.code == 2 and not StaffProfile.objects.exists()
