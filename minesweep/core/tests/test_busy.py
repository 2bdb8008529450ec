"""A busy or unreachable database answers 503 with Retry-After, in one language, never a 500."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import IntegrityError, OperationalError
from django.test import Client

from minesweep.core.busy import DatabaseBusyError, busy_error, is_database_busy

pytestmark = pytest.mark.django_db


def _locked(*args, **kwargs):
    raise OperationalError("database is locked")


def test_it_counts_operational_errors_as_busy_and_nothing_else():
    assert is_database_busy(OperationalError("database is locked"))
    assert is_database_busy(OperationalError("canceling statement due to lock timeout"))
    assert not is_database_busy(IntegrityError("UNIQUE constraint failed"))
    assert not is_database_busy(ValueError("x")) and busy_error(None) is None
    assert isinstance(busy_error(OperationalError("database is locked")), DatabaseBusyError)


def test_a_page_whose_session_cannot_be_saved_answers_503_in_the_active_language(
    make_staff, monkeypatch, caplog
):
    """The lock is met after the view, in the session middleware: Django's 500 handler gives the 503."""
    from minesweep.accounts.roles import Role

    make_staff("busy_intake", Role.INTAKE_OFFICER, "150000")
    monkeypatch.setattr(SessionStore, "save", _locked)
    client = Client(raise_request_exception=False)
    response = client.post("/accounts/login/", {"username": "busy_intake", "password": "pw-busy_intake"})
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "系统繁忙" in page and "The system is busy" not in page and "Traceback" not in page
    assert "database busy or unavailable" in caplog.text
    english = Client(raise_request_exception=False)
    english.cookies["django_language"] = "en"
    page = english.post(
        "/accounts/login/", {"username": "busy_intake", "password": "pw-busy_intake"}
    ).content.decode()
    assert "The system is busy" in page and "系统繁忙" not in page


def test_the_api_answers_503_with_retry_after_when_the_database_is_locked(monkeypatch):
    from minesweep.reports import antiabuse
    from minesweep.reports.tests.conftest import report_data, solved_challenge

    monkeypatch.setattr(antiabuse, "counter_state", _locked)
    response = Client(raise_request_exception=False).post(
        "/api/v1/reports", {**report_data(), **solved_challenge()}, content_type="application/json"
    )
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "server.busy" and response["Retry-After"] == "30"


def test_the_api_documents_the_503():
    schema = Client().get("/api/v1/openapi.json").json()
    submit = schema["paths"]["/api/v1/reports"]["post"]["responses"]
    assert "503" in submit


def test_the_500_handler_answers_503_for_a_busy_database_met_outside_a_view(rf):
    """A middleware after the view (saving the session) is past ``process_exception``: Django calls the
    500 handler while handling the error, and it answers 503 for a busy database, 500 for anything else."""
    from minesweep.web.views import server_error

    request = rf.post("/accounts/login/")
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        busy = server_error(request)
    try:
        raise KeyError("bug")
    except KeyError:
        bug = server_error(request)
    assert busy.status_code == 503 and busy["Retry-After"] == "30" and bug.status_code == 500
