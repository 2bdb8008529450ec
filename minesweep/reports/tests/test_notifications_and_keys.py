from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from minesweep.registry.models import Division
from minesweep.reports.services import report_submit

pytestmark = pytest.mark.django_db


def _file():
    return report_submit(
        channel="web",
        category="other",
        division=Division.objects.get(code="150203"),
        content={"description": "不应出现在邮件里的内容ABC"},
    )


def test_it_emails_officers_when_enabled_without_report_content(
    settings, make_staff, django_capture_on_commit_callbacks
):
    from minesweep.accounts.roles import Role

    settings.EMAIL_NOTIFICATIONS = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    officer = make_staff("bt_intake", Role.INTAKE_OFFICER, "150200")
    officer.email = "intake@example.org"
    officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        filed = _file()
    assert len(mail.outbox) == 1 and filed.report.number in mail.outbox[0].subject
    assert "ABC" not in mail.outbox[0].body and mail.outbox[0].to == ["intake@example.org"]


def test_it_sends_no_email_by_default(settings, make_staff, django_capture_on_commit_callbacks):
    from minesweep.accounts.roles import Role

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_staff("bt_intake", Role.INTAKE_OFFICER, "150200").__class__.objects.update(email="x@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _file()
    assert mail.outbox == [] and callbacks == []


def test_it_reports_rows_per_master_key(settings):
    settings.MASTER_KEY_ID = "k1"
    _file()
    out = StringIO()
    call_command("keys", "status", stdout=out)
    assert "reports.report\tk1\t1" in out.getvalue()
    key = StringIO()
    call_command("keys", "generate", stdout=key, stderr=StringIO())
    assert len(key.getvalue().strip()) == 43
