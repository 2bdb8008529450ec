"""Requests that cannot be read get a clear 4xx on the API and on pages, never a 500."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/reports"


def _client() -> Client:
    return Client(raise_request_exception=False)


def test_it_refuses_deeply_nested_json_with_400():
    body = "[" * 100_000 + "]" * 100_000
    response = _client().post(REPORTS, data=body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "request.too_deep"


def test_it_refuses_a_6_mb_body_with_413():
    body = '{"description": "' + "x" * (6 * 1024 * 1024) + '"}'
    response = _client().post(REPORTS, data=body, content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "request.too_large"


def test_it_refuses_multipart_without_a_boundary_with_400():
    response = _client().generic("POST", REPORTS, b"--x\r\n\r\n", content_type="multipart/form-data")
    assert response.status_code == 400 and response.json()["code"] == "request.unreadable"


@pytest.mark.parametrize("path", ["/api/v1/credit/public", "/api/v1/credit/listings"])
def test_it_refuses_offsets_too_large_for_the_database(path, make_staff):
    from minesweep.accounts.roles import Role

    client = _client()
    client.force_login(make_staff("admin_offsets", Role.ADMINISTRATOR, "150000"))
    response = client.get(path, {"offset": "9999999999999999999"})
    assert 400 <= response.status_code < 500, response.content


def test_it_refuses_an_unreadable_form_page_with_400():
    response = _client().generic(
        "POST", "/report/follow-up/", b"--x\r\n\r\n", content_type="multipart/form-data"
    )
    assert response.status_code in (400, 403)
