"""The jurisdiction matrix: a Baotou investigator cannot read, list, search or export an Ordos record by any route."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from minesweep.registry.models import Division
from minesweep.registry.services import subject_create
from minesweep.registry.uscc import make_uscc

pytestmark = pytest.mark.django_db
ORDOS_USCC = make_uscc("9", "1", "150602", "87654321")
BAOTOU_USCC = make_uscc("9", "1", "150203", "12345678")


@pytest.fixture
def records():
    ordos = subject_create(
        actor="test",
        kind="enterprise",
        name="鄂尔多斯隐秘矿场有限公司",
        uscc=ORDOS_USCC,
        division=Division.objects.get(code="150602"),
        categories=["data_center"],
    )
    baotou = subject_create(
        actor="test",
        kind="enterprise",
        name="包头明面数据有限公司",
        uscc=BAOTOU_USCC,
        division=Division.objects.get(code="150203"),
        categories=["data_center"],
    )
    return ordos, baotou


ROUTES: list[tuple[str, Callable[[Client, Any], Any]]] = [
    ("web list", lambda c, s: c.get("/registry/")),
    ("web search by name", lambda c, s: c.get("/registry/", {"q": "隐秘"})),
    ("web search by uscc", lambda c, s: c.get("/registry/", {"q": ORDOS_USCC})),
    ("web detail", lambda c, s: c.get(f"/registry/{s.pk}/")),
    ("web reveal", lambda c, s: c.post(f"/registry/{s.pk}/reveal/", {"reason": "核查"})),
    ("csv export", lambda c, s: c.get("/registry/export.csv")),
    ("csv export search", lambda c, s: c.get("/registry/export.csv", {"q": ORDOS_USCC})),
    ("api list", lambda c, s: c.get("/api/v1/registry/subjects")),
    ("api search", lambda c, s: c.get("/api/v1/registry/subjects", {"q": ORDOS_USCC})),
    ("api detail", lambda c, s: c.get(f"/api/v1/registry/subjects/{s.pk}")),
    ("home", lambda c, s: c.get("/staff/")),
]


def _body(response) -> str:
    """The response text without the echoed search term (a search box shows what was typed)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8", "replace")
    query = response.wsgi_request.GET.get("q", "") if hasattr(response, "wsgi_request") else ""
    return text.replace(query, "") if query else text


@pytest.mark.parametrize("name,route", ROUTES, ids=[r[0] for r in ROUTES])
def test_it_never_shows_an_ordos_record_to_a_baotou_investigator(
    name, route, records, baotou_investigator, client_for
):
    ordos, _ = records
    response = route(client_for(baotou_investigator), ordos)
    body = _body(response)
    assert response.status_code in (200, 403, 404)
    assert "隐秘矿场" not in body and ORDOS_USCC not in body


@pytest.mark.parametrize(
    "name,route",
    [
        r
        for r in ROUTES
        if r[0] in ("web detail", "api detail", "web search by uscc", "csv export", "api search")
    ],
)
def test_it_shows_the_ordos_record_to_the_ordos_investigator(
    name, route, records, ordos_investigator, client_for
):
    ordos, _ = records
    response = route(client_for(ordos_investigator), ordos)
    assert response.status_code == 200 and "隐秘矿场" in _body(response)


def test_it_shows_everything_to_the_region(records, region_admin, client_for):
    body = _body(client_for(region_admin).get("/registry/export.csv"))
    assert ORDOS_USCC in body and BAOTOU_USCC in body


@pytest.mark.parametrize("name,route", ROUTES, ids=[r[0] for r in ROUTES])
def test_it_denies_signed_in_users_without_a_staff_profile(name, route, records, outsider: User, client_for):
    response = route(client_for(outsider), records[0])
    assert response.status_code in (401, 403, 404)
    assert ORDOS_USCC not in _body(response)


@pytest.mark.parametrize("name,route", ROUTES, ids=[r[0] for r in ROUTES])
def test_it_sends_anonymous_visitors_to_sign_in(name, route, records):
    response = route(Client(), records[0])
    assert response.status_code in (302, 401, 403)
    assert ORDOS_USCC not in _body(response)


def test_it_masks_resident_ids_in_exports_and_audits_a_reveal(region_admin, client_for):
    from minesweep.audit.models import AuditEvent

    person = subject_create(
        actor="test",
        kind="individual",
        name="张三",
        resident_id=_valid_id(),
        division=Division.objects.get(code="150203"),
    )
    client = client_for(region_admin)
    assert person.resident_id not in _body(client.get("/registry/export.csv"))
    assert person.resident_id not in _body(client.get(f"/registry/{person.pk}/"))
    refused = client.post(f"/registry/{person.pk}/reveal/", {"reason": ""})
    assert refused.status_code == 400 and person.resident_id not in _body(refused)
    shown = client.post(f"/registry/{person.pk}/reveal/", {"reason": "立案核查需要"})
    assert person.resident_id in _body(shown)
    event = AuditEvent.objects.get(action="registry.subject.read_resident_id")
    assert event.detail == {"reason": "立案核查需要"} and event.actor == region_admin


def _valid_id() -> str:
    from minesweep.registry.resident_id import resident_id_check_character

    first17 = "15020319800101123"
    return first17 + resident_id_check_character(first17)
