"""Jurisdiction and department matrix for every cases route (pages, downloads, actions, API).

A Baotou case must be invisible to an Ordos investigator by any route; a liaison sees only their own
department's tasks and never a case file; an outsider (no staff profile) sees nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from minesweep.accounts.roles import Role
from minesweep.cases.models import Case
from minesweep.cases.scenarios import run
from minesweep.cases.tests.conftest import LONG_AGO

pytestmark = pytest.mark.django_db
SECRET = "包头绝密矿场"


@pytest.fixture
def baotou_case(crew, make_lead) -> Case:  # type: ignore[no-untyped-def]
    lead = make_lead(title=SECRET)
    case = run(crew, lead, to="decided", filed_on=LONG_AGO)
    assert isinstance(case, Case)
    return case


Route = Callable[[Client, Case], Any]


def _task(case: Case) -> int:
    return case.tasks.filter(department="grid_company").values_list("pk", flat=True).first()  # type: ignore[return-value]


ROUTES: list[tuple[str, Route]] = [
    ("leads list", lambda c, k: c.get("/cases/leads/")),
    ("leads filtered", lambda c, k: c.get("/cases/leads/", {"status": "filed"})),
    ("lead detail", lambda c, k: c.get(f"/cases/leads/{k.lead_id}/")),
    ("lead action", lambda c, k: c.post(f"/cases/leads/{k.lead_id}/not_file/", {"reason": "越权操作测试"})),
    ("cases list", lambda c, k: c.get("/cases/")),
    ("cases by stage", lambda c, k: c.get("/cases/", {"stage": "decided"})),
    ("cases search by number", lambda c, k: c.get("/cases/", {"q": k.number})),
    ("leads search by title", lambda c, k: c.get("/cases/leads/", {"q": "绝密"})),
    ("case detail", lambda c, k: c.get(f"/cases/{k.pk}/")),
    ("case action", lambda c, k: c.post(f"/cases/{k.pk}/act/close/", {"summary": "越权结案测试"})),
    (
        "evidence file",
        lambda c, k: c.get(f"/cases/{k.pk}/evidence/{k.evidence_items.values_list('pk', flat=True)[0]}/"),
    ),
    ("tasks list", lambda c, k: c.get("/cases/tasks/", {"status": "all"})),
    ("task detail", lambda c, k: c.get(f"/cases/tasks/{_task(k)}/")),
    ("task close", lambda c, k: c.post(f"/cases/tasks/{_task(k)}/close/", {"document_number": "X"})),
    ("digest", lambda c, k: c.get("/cases/digest/")),
    ("api leads", lambda c, k: c.get("/api/v1/cases/leads")),
    ("api lead", lambda c, k: c.get(f"/api/v1/cases/leads/{k.lead_id}")),
    ("api cases", lambda c, k: c.get("/api/v1/cases/cases")),
    ("api case", lambda c, k: c.get(f"/api/v1/cases/cases/{k.pk}")),
    ("api tasks", lambda c, k: c.get("/api/v1/cases/tasks", {"status": "all"})),
    ("api task", lambda c, k: c.get(f"/api/v1/cases/tasks/{_task(k)}")),
    ("api stats", lambda c, k: c.get("/api/v1/cases/stats")),
    ("api digest", lambda c, k: c.get("/api/v1/cases/digest")),
]


def _text(response) -> str:  # type: ignore[no-untyped-def]
    """The body without the echoed search term (a search box shows what was typed)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8", "replace")
    request = getattr(response, "wsgi_request", None)
    query = request.GET.get("q", "") if request is not None else ""
    return text.replace(query, "") if query else text


# One case serves every route (building it is the slow part); each route's failure is named.
def test_it_never_shows_a_baotou_case_to_an_ordos_investigator(baotou_case, ordos_investigator, client_for):
    client = client_for(ordos_investigator)
    leaks = []
    for name, route in ROUTES:
        response = route(client, baotou_case)
        text = _text(response)
        if response.status_code not in (200, 302, 403, 404) or SECRET in text or baotou_case.number in text:
            leaks.append((name, response.status_code))
    assert leaks == []
    baotou_case.refresh_from_db()
    assert baotou_case.stage == Case.Stage.DECIDED and baotou_case.lead.status == "filed"
    assert not baotou_case.tasks.filter(status="done").exists()


def test_it_shows_nothing_to_an_outsider(baotou_case, outsider, client_for):
    client = client_for(outsider)
    leaks = []
    for name, route in ROUTES:
        response = route(client, baotou_case)
        if response.status_code not in (401, 403, 404) or SECRET in _text(response):
            leaks.append((name, response.status_code))
    assert leaks == []


def test_it_sends_an_anonymous_visitor_to_sign_in(baotou_case, client):
    for name, route in ROUTES:
        response = route(client, baotou_case)
        assert response.status_code in (302, 401, 403), name
        assert SECRET not in _text(response), name


def test_it_shows_the_case_to_its_own_jurisdiction(baotou_case, crew, client_for):
    client = client_for(crew.investigator)
    assert SECRET in _text(client.get(f"/cases/{baotou_case.pk}/"))
    assert baotou_case.number in _text(client.get("/api/v1/cases/cases"))
    assert SECRET in _text(client.get("/cases/", {"q": baotou_case.number}))
    assert SECRET not in _text(client.get("/cases/", {"q": "没有这个案件"}))


def test_it_keeps_case_files_from_department_liaisons(baotou_case, crew, client_for):
    client = client_for(crew.liaisons["grid_company"])
    for path in [
        "/cases/leads/",
        "/cases/",
        "/cases/{case}/",
        "/api/v1/cases/cases",
        "/api/v1/cases/cases/{case}",
    ]:
        response = client.get(path.format(case=baotou_case.pk))
        assert response.status_code in (200, 403, 404), path
        assert SECRET not in _text(response), path


def test_it_shows_a_liaison_only_their_departments_tasks(baotou_case, crew, make_staff, client_for):
    grid = client_for(crew.liaisons["grid_company"])
    listing = _text(grid.get("/cases/tasks/"))
    for task in baotou_case.tasks.all():
        assert (task.title in listing) == (task.department == "grid_company"), task.department
    other = baotou_case.tasks.exclude(department="grid_company").first()
    assert grid.get(f"/cases/tasks/{other.pk}/").status_code == 404
    assert grid.get(f"/api/v1/cases/tasks/{other.pk}").status_code == 404
    ordos_grid = client_for(make_staff("ordos_grid", Role.DEPARTMENT_LIAISON, "150600", "grid_company"))
    mine = baotou_case.tasks.filter(department="grid_company").first()
    assert ordos_grid.get(f"/cases/tasks/{mine.pk}/").status_code == 404
    assert mine.title not in _text(ordos_grid.get("/cases/tasks/"))
