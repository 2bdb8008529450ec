"""One access rule for pages and API: every demo persona × every resource that has both a page and an API
route, list and detail, on the demo data. The API must allow exactly what the page allows (issue 14: the
analyst read /api/v1/credit/listings/{id} while the page refused)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db
SAMPLE = 4  # objects of each kind probed per persona (spread over jurisdictions)


def _sample(model, **filters):  # type: ignore[no-untyped-def]
    rows = list(model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True))
    step = max(1, len(rows) // SAMPLE)
    return rows[::step][:SAMPLE]


def _pairs() -> list[tuple[str, str]]:
    from minesweep.cases.models import Case, Lead, Task
    from minesweep.credit.models import ListingRecord
    from minesweep.detection.models import MeterRun, NetScan
    from minesweep.registry.models import Subject

    pairs = [
        ("/registry/", "/api/v1/registry/subjects"),
        ("/cases/leads/", "/api/v1/cases/leads"),
        ("/cases/", "/api/v1/cases/cases"),
        ("/cases/tasks/", "/api/v1/cases/tasks"),
        ("/cases/digest/", "/api/v1/cases/digest"),
        ("/credit/staff/", "/api/v1/credit/listings"),
        ("/analytics/meters/", "/api/v1/detection/meter-runs"),
        ("/analytics/network/", "/api/v1/detection/net-scans"),
        ("/oversight/", "/api/v1/oversight/dashboard"),
    ]
    pairs += [(f"/registry/{pk}/", f"/api/v1/registry/subjects/{pk}") for pk in _sample(Subject)]
    pairs += [(f"/cases/leads/{pk}/", f"/api/v1/cases/leads/{pk}") for pk in _sample(Lead)]
    pairs += [(f"/cases/{pk}/", f"/api/v1/cases/cases/{pk}") for pk in _sample(Case)]
    pairs += [(f"/cases/tasks/{pk}/", f"/api/v1/cases/tasks/{pk}") for pk in _sample(Task)]
    listings = _sample(ListingRecord) + _sample(ListingRecord, status=ListingRecord.Status.PROPOSED)[:1]
    pairs += [(f"/credit/staff/{pk}/", f"/api/v1/credit/listings/{pk}") for pk in listings]
    pairs += [
        (f"/analytics/meters/{pk}/", f"/api/v1/detection/meter-runs/{pk}/suspects")
        for pk in _sample(MeterRun)
    ]
    pairs += [
        (f"/analytics/network/{pk}/", f"/api/v1/detection/net-scans/{pk}/hosts") for pk in _sample(NetScan)
    ]
    return pairs


def test_the_api_allows_exactly_what_the_pages_allow(capsys):
    from minesweep.core.demodata import load_demo

    loaded = list(load_demo(seed=2021))
    cases_line = next(line for line in loaded if line.startswith("cases:"))
    assert "skipped" not in cases_line, cases_line  # every stage of the demo's plan is reached
    pairs = _pairs()
    probes = 0
    wrongly_allowed: list[tuple[str, str, int, int]] = []
    wrongly_refused: list[tuple[str, str, int, int]] = []
    personas = list(User.objects.filter(staff__isnull=False).order_by("username"))
    assert len(personas) >= 10
    for user in personas:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for page, route in pairs:
            page_status = client.get(page).status_code
            api_status = client.get(route).status_code
            probes += 2
            assert page_status < 500 and api_status < 500, (
                user.username,
                page,
                page_status,
                route,
                api_status,
            )
            if api_status == 200 and page_status != 200:
                wrongly_allowed.append((user.username, route, page_status, api_status))
            elif page_status == 200 and api_status != 200:
                wrongly_refused.append((user.username, route, page_status, api_status))
    with capsys.disabled():
        print(
            f"\naccess matrix: {len(personas)} personas x {len(pairs)} resources = {probes} probes; "
            f"{len(wrongly_allowed)} wrongly allowed by the API, {len(wrongly_refused)} wrongly refused"
        )
    assert wrongly_allowed == [], "\n".join(map(str, wrongly_allowed))
    assert wrongly_refused == []


def test_the_analyst_cannot_read_a_credit_listing_through_the_api(make_staff):
    from minesweep.accounts.roles import Role

    analyst = make_staff("matrix_analyst", Role.ANALYST, "150000")
    client = Client()
    client.force_login(analyst)
    assert client.get("/api/v1/credit/listings").status_code == 403
    assert client.get("/api/v1/credit/listings/1").status_code == 403
