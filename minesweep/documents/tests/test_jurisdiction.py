"""Every document route is scoped: a Baotou investigator cannot list, open, issue or download an Ordos
case's documents; outsiders and anonymous visitors get nothing (mirrors accounts' jurisdiction test)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from minesweep.documents.models import IssuedDocument
from minesweep.documents.services import document_issue

from .conftest import make_case

pytestmark = pytest.mark.django_db

Route = Callable[[Client, IssuedDocument], object]
ROUTES: list[tuple[str, Route]] = [
    ("list", lambda c, d: c.get("/documents/")),
    ("search", lambda c, d: c.get("/documents/", {"q": d.case.number})),
    ("case page", lambda c, d: c.get(f"/documents/case/{d.case_id}/")),
    ("issue", lambda c, d: c.post(f"/documents/case/{d.case_id}/issue/", {"kind": "filing"})),
    ("docx", lambda c, d: c.get(f"/documents/{d.pk}/download.docx")),
    ("pdf", lambda c, d: c.get(f"/documents/{d.pk}/download.pdf")),
]


@pytest.fixture
def ordos_document(make_staff, liaisons, ordos_investigator) -> IssuedDocument:  # type: ignore[no-untyped-def]
    case = make_case(make_staff, liaisons, ordos_investigator, "150600", "150602")
    return document_issue(actor="test", case=case, kind="decision")


def _body(response) -> str:  # type: ignore[no-untyped-def]
    text = response.content.decode("utf-8", "replace")
    query = response.wsgi_request.GET.get("q", "")
    return text.replace(query, "") if query else text


def test_it_never_shows_an_ordos_document_to_a_baotou_investigator(
    ordos_document, baotou_investigator, client_for
):
    client = client_for(baotou_investigator)
    for name, route in ROUTES:
        response = route(client, ordos_document)
        assert response.status_code in (200, 302, 403, 404), name
        body = _body(response) if response.status_code != 302 else ""
        assert ordos_document.number not in body and ordos_document.case.number not in body, name
    assert IssuedDocument.objects.count() == 1  # the issue route created nothing


def test_it_shows_the_ordos_document_to_the_ordos_investigator(
    ordos_document, ordos_investigator, client_for
):
    client = client_for(ordos_investigator)
    assert ordos_document.number in client.get(f"/documents/case/{ordos_document.case_id}/").content.decode()
    assert client.get(f"/documents/{ordos_document.pk}/download.pdf").content == bytes(ordos_document.pdf)


def test_it_denies_outsiders_and_anonymous_visitors(ordos_document, outsider, client_for):
    for client, allowed in ((client_for(outsider), (403, 404)), (Client(), (302,))):
        for name, route in ROUTES:
            response = route(client, ordos_document)
            assert response.status_code in allowed, name
            assert ordos_document.number not in response.content.decode("utf-8", "replace"), name


def test_it_lets_leadership_read_but_not_issue(ordos_document, make_staff, client_for):
    from minesweep.accounts.roles import Role

    leader = client_for(make_staff("ordos_leader", Role.LEADERSHIP, "150600"))
    assert leader.get(f"/documents/case/{ordos_document.case_id}/").status_code == 200
    assert (
        leader.post(f"/documents/case/{ordos_document.case_id}/issue/", {"kind": "filing"}).status_code == 403
    )
    assert IssuedDocument.objects.count() == 1
