"""The jurisdiction matrix for every staff credit route (mirrors accounts/tests/test_jurisdiction.py)."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from minesweep.credit.models import DEFAULT_SANCTIONS, ListingRecord

from .conftest import ORDOS_USCC, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def ordos_listing(ordos_miner) -> ListingRecord:
    return propose(ordos_miner, number="鄂发改信〔2026〕9号")


ROUTES: list[tuple[str, Callable[[Client, ListingRecord], object]]] = [
    ("staff list", lambda c, r: c.get("/credit/staff/")),
    ("staff search name", lambda c, r: c.get("/credit/staff/", {"q": "暗矿"})),
    ("staff search uscc", lambda c, r: c.get("/credit/staff/", {"q": ORDOS_USCC})),
    ("staff detail", lambda c, r: c.get(f"/credit/staff/{r.pk}/")),
    ("staff act", lambda c, r: c.post(f"/credit/staff/{r.pk}/act/", {"action": "notify"})),
    (
        "staff propose",
        lambda c, r: c.post(
            "/credit/staff/new/",
            {
                "subject": ORDOS_USCC,
                "severity": "serious",
                "reason": "r",
                "basis": "b",
                "authority": "a",
                "decision_number": "X1",
            },
        ),
    ),
    ("propose from decision", lambda c, r: c.post("/credit/staff/from-decision/", {"decision": "1"})),
    ("api list", lambda c, r: c.get("/api/v1/credit/listings")),
    ("api search", lambda c, r: c.get("/api/v1/credit/listings", {"q": ORDOS_USCC})),
    ("api detail", lambda c, r: c.get(f"/api/v1/credit/listings/{r.pk}")),
]


def _body(response) -> str:
    text = response.content.decode("utf-8", "replace")
    request = response.wsgi_request
    for echoed in (request.GET.get("q", ""), request.POST.get("subject", "")):  # a form shows what was typed
        text = text.replace(echoed, "") if echoed else text
    return text


@pytest.mark.parametrize("name,route", ROUTES, ids=[r[0] for r in ROUTES])
def test_it_never_shows_an_ordos_listing_to_a_baotou_investigator(
    name, route, ordos_listing, baotou_investigator, client_for
):
    response = route(client_for(baotou_investigator), ordos_listing)
    assert response.status_code in (200, 302, 400, 403, 404)
    assert "暗矿数据" not in _body(response) and ORDOS_USCC not in _body(response)
    ordos_listing.refresh_from_db()
    assert ordos_listing.status == ListingRecord.Status.PROPOSED and ListingRecord.objects.count() == 1


@pytest.mark.parametrize(
    "name,route", [r for r in ROUTES if r[0] in ("staff detail", "staff search uscc", "api detail")]
)
def test_it_shows_the_ordos_listing_to_the_ordos_investigator(
    name, route, ordos_listing, ordos_investigator, client_for
):
    response = route(client_for(ordos_investigator), ordos_listing)
    assert response.status_code == 200 and "暗矿数据" in _body(response)


def test_it_lets_the_ordos_investigator_notify_and_audits_it(ordos_listing, ordos_investigator, client_for):
    response = client_for(ordos_investigator).post(
        f"/credit/staff/{ordos_listing.pk}/act/", {"action": "notify"}
    )
    assert response.status_code == 302
    ordos_listing.refresh_from_db()
    assert ordos_listing.status == ListingRecord.Status.NOTIFIED


def test_it_refuses_writes_by_a_liaison_outside_the_credit_office(ordos_listing, grid_liaison, client_for):
    response = client_for(grid_liaison).post(f"/credit/staff/{ordos_listing.pk}/act/", {"action": "notify"})
    assert response.status_code == 403
    ordos_listing.refresh_from_db()
    assert ordos_listing.status == ListingRecord.Status.PROPOSED


@pytest.mark.parametrize("name,route", ROUTES, ids=[r[0] for r in ROUTES])
def test_it_denies_signed_in_users_without_a_staff_profile(
    name, route, ordos_listing, outsider: User, client_for
):
    response = route(client_for(outsider), ordos_listing)
    assert response.status_code in (401, 403, 404) and ORDOS_USCC not in _body(response)


@pytest.mark.parametrize("name,route", ROUTES, ids=[r[0] for r in ROUTES])
def test_it_sends_anonymous_visitors_to_sign_in(name, route, ordos_listing):
    response = route(Client(), ordos_listing)
    assert response.status_code in (302, 401, 403) and ORDOS_USCC not in _body(response)


def test_it_proposes_from_the_form_and_explains_missing_fields(ordos_miner, ordos_investigator, client_for):
    client = client_for(ordos_investigator)
    bad = client.post("/credit/staff/new/", {"subject": ORDOS_USCC, "severity": "serious", "reason": ""})
    assert bad.status_code == 400 and "请填写" in bad.content.decode()
    good = client.post(
        "/credit/staff/new/",
        {
            "subject": ORDOS_USCC,
            "severity": "serious",
            "reason": "挖矿",
            "basis": "第八条",
            "authority": "鄂尔多斯市发改委",
            "decision_number": "鄂发改信〔2026〕3号",
        },
    )
    assert good.status_code == 302
    listing = ListingRecord.objects.get(decision_number="鄂发改信〔2026〕3号")
    # no sanction typed: the listing and its publication only, what the decision will say (国办发〔2020〕49号)
    assert listing.sanctions == DEFAULT_SANCTIONS
    assert DEFAULT_SANCTIONS in client.get(f"/credit/staff/{listing.pk}/").content.decode()
