"""Every intake route, for a Baotou investigator looking at an Ordos report: never shown (mirrors accounts)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from minesweep.registry.models import Division
from minesweep.reports.attachments import clean_file
from minesweep.reports.services import report_submit
from minesweep.reports.tests.conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db
MARK = "鄂尔多斯隐秘矿场"


@pytest.fixture
def ordos_report():
    return report_submit(
        channel="web",
        category="mining_enterprise",
        division=Division.objects.get(code="150602"),
        content={"description": f"{MARK} 的详细情况"},
        subject_name=MARK,
        contact="手机13911112222",
        files=[clean_file("p.jpg", jpeg_with_gps())],
    ).report


ROUTES: list[tuple[str, Callable[[Client, Any], Any]]] = [
    ("queue", lambda c, r: c.get("/intake/")),
    ("queue filtered", lambda c, r: c.get("/intake/", {"state": "new"})),
    ("detail", lambda c, r: c.get(f"/intake/r/{r.number}/")),
    ("contact", lambda c, r: c.post(f"/intake/r/{r.number}/contact/", {"reason": "核查"})),
    ("attachment", lambda c, r: c.get(f"/intake/r/{r.number}/files/{r.attachments.get().pk}/")),
    ("notifications", lambda c, r: c.get("/intake/notifications/")),
    ("ask", lambda c, r: c.post(f"/intake/r/{r.number}/ask/", {"text": "问题"})),
    ("dismiss", lambda c, r: c.post(f"/intake/r/{r.number}/dismiss/", {"text": "不予处理理由"})),
    ("convert", lambda c, r: c.post(f"/intake/r/{r.number}/convert/", {"text": ""})),
    ("route", lambda c, r: c.post(f"/intake/r/{r.number}/route/", {"league": "150200"})),
    ("merge", lambda c, r: c.post(f"/intake/r/{r.number}/merge/", {"into": r.number})),
    ("officer entry", lambda c, r: c.get("/intake/new/")),
]


def _text(response) -> str:
    return response.content.decode("utf-8", "replace")


def _unchanged(report) -> bool:
    report.refresh_from_db()
    return report.state == "new" and report.division_id == "150602"


@pytest.mark.parametrize("name,route", ROUTES, ids=[r[0] for r in ROUTES])
def test_it_never_shows_an_ordos_report_to_a_baotou_investigator(
    name, route, ordos_report, baotou_investigator, client_for
):
    response = route(client_for(baotou_investigator), ordos_report)
    assert response.status_code in (200, 403, 404)
    assert MARK not in _text(response) and "13911112222" not in _text(response)
    assert _unchanged(ordos_report)


@pytest.mark.parametrize("name,route", ROUTES, ids=[r[0] for r in ROUTES])
def test_it_denies_signed_in_users_without_a_staff_profile(
    name, route, ordos_report, outsider: User, client_for
):
    response = route(client_for(outsider), ordos_report)
    assert response.status_code in (401, 403, 404)
    assert MARK not in _text(response) and _unchanged(ordos_report)


@pytest.mark.parametrize("name,route", ROUTES, ids=[r[0] for r in ROUTES])
def test_it_sends_anonymous_visitors_to_sign_in(name, route, ordos_report):
    response = route(Client(), ordos_report)
    assert response.status_code in (302, 401, 403)
    assert MARK not in _text(response) and _unchanged(ordos_report)


@pytest.mark.parametrize("name,route", ROUTES, ids=[r[0] for r in ROUTES])
def test_it_refuses_a_department_liaison(name, route, ordos_report, grid_liaison, client_for):
    response = route(client_for(grid_liaison), ordos_report)
    assert response.status_code in (403, 404) and MARK not in _text(response) and _unchanged(ordos_report)


@pytest.mark.parametrize("name", ["detail", "attachment", "queue"])
def test_it_shows_the_ordos_report_to_the_ordos_investigator(
    name, ordos_report, ordos_investigator, client_for
):
    route = dict(ROUTES)[name]
    response = route(client_for(ordos_investigator), ordos_report)
    assert response.status_code == 200
    if name != "attachment":
        assert MARK in _text(response)


def test_it_lets_only_intake_officers_triage(ordos_report, ordos_investigator, client_for):
    response = client_for(ordos_investigator).post(
        f"/intake/r/{ordos_report.number}/dismiss/", {"text": "不予处理理由"}
    )
    assert response.status_code == 403 and _unchanged(ordos_report)


def test_it_hands_a_routed_report_to_the_new_league(
    ordos_report, intake_officer, baotou_investigator, client_for
):
    client_for(intake_officer).post(f"/intake/r/{ordos_report.number}/route/", {"league": "150200"})
    assert MARK in _text(client_for(baotou_investigator).get(f"/intake/r/{ordos_report.number}/"))
