# ruff: noqa: F811  (pytest fixtures shared from test_services are imported, then requested by name)
"""Jurisdiction matrix for detection (mirrors accounts/tests/test_jurisdiction.py): a Baotou analyst cannot
read, list, search, export, draw or promote an Ordos finding by any route; Ordos and the region can."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from minesweep.accounts.roles import Role
from minesweep.cases.models import Lead
from minesweep.detection.models import MeterSuspect, NetHost
from minesweep.detection.tests.test_services import (  # noqa: F401  (fixtures)
    CAPTURES,
    FARM_ACCOUNT,
    data_root,
    finished_meter_run,
    finished_scan,
    hidden_farm,
    simulated,
)
from minesweep.registry.models import Division, IPAllocation
from minesweep.registry.services import subject_create
from minesweep.registry.uscc import make_uscc

pytestmark = pytest.mark.django_db
SECRET_NAMES = ("隐秘算力", "隐秘矿场")


@pytest.fixture
def ordos_findings(data_root, hidden_farm, simulated):  # type: ignore[no-untyped-def]
    """A region run whose top suspect is an Ordos account, and a region scan with an Ordos-attributed host."""
    ordos = Division.objects.get(code="150602")
    network = subject_create(
        actor="test",
        kind="enterprise",
        name="鄂尔多斯隐秘矿场网络有限公司",
        uscc=make_uscc("9", "1", "150602", "13572468"),
        division=ordos,
        categories=["telecom_or_internet"],
    )
    IPAllocation.objects.create(
        prefix="10.0.2.0/24",
        valid_from=datetime(2018, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
        subject=network,
        subscriber_name=network.name,
        division=ordos,
    )
    shutil.copy(
        CAPTURES / "zeek-cryptomining" / "bitcoin-mining.pcap", data_root / "pcaps" / "btc-mining.pcap"
    )
    run = finished_meter_run("test", simulated)
    scan = finished_scan("test", "pcaps/btc-mining.pcap")
    suspect = MeterSuspect.objects.get(run=run, account_id=FARM_ACCOUNT)
    host = NetHost.objects.get(scan=scan, host="10.0.2.15")
    assert suspect.division_id == "150602" and host.division_id == "150602"
    return run, suspect, scan, host


Route = Callable[[Client, tuple], object]
ROUTES: list[tuple[str, Route]] = [
    ("meter runs", lambda c, f: c.get("/analytics/meters/")),
    ("meter run", lambda c, f: c.get(f"/analytics/meters/{f[0].pk}/")),
    ("meter run search", lambda c, f: c.get(f"/analytics/meters/{f[0].pk}/", {"q": FARM_ACCOUNT})),
    ("meter run league filter", lambda c, f: c.get(f"/analytics/meters/{f[0].pk}/", {"league": "150600"})),
    ("meter export", lambda c, f: c.get(f"/analytics/meters/{f[0].pk}/export.csv")),
    ("suspect evidence", lambda c, f: c.get(f"/analytics/meters/suspects/{f[1].pk}/")),
    ("carpet png", lambda c, f: c.get(f"/analytics/meters/suspects/{f[1].pk}/carpet.png")),
    ("daily png", lambda c, f: c.get(f"/analytics/meters/suspects/{f[1].pk}/daily.png")),
    ("meter job status", lambda c, f: c.get(f"/jobs/{f[0].job_id}/status/")),
    ("jobs list", lambda c, f: c.get("/jobs/")),
    ("net scans", lambda c, f: c.get("/analytics/network/")),
    ("net scan", lambda c, f: c.get(f"/analytics/network/{f[2].pk}/")),
    ("net scan search", lambda c, f: c.get(f"/analytics/network/{f[2].pk}/", {"q": "10.0.2.15"})),
    ("net host", lambda c, f: c.get(f"/analytics/network/hosts/{f[3].pk}/")),
    ("api meter runs", lambda c, f: c.get("/api/v1/detection/meter-runs")),
    ("api suspects", lambda c, f: c.get(f"/api/v1/detection/meter-runs/{f[0].pk}/suspects")),
    ("api net scans", lambda c, f: c.get("/api/v1/detection/net-scans")),
    ("api hosts", lambda c, f: c.get(f"/api/v1/detection/net-scans/{f[2].pk}/hosts")),
    ("home", lambda c, f: c.get("/staff/")),
]
PROMOTIONS: list[tuple[str, Route]] = [
    ("promote suspect", lambda c, f: c.post(f"/analytics/meters/suspects/{f[1].pk}/promote/")),
    ("promote host", lambda c, f: c.post(f"/analytics/network/hosts/{f[3].pk}/promote/")),
    ("api promote suspect", lambda c, f: c.post(f"/api/v1/detection/meter-suspects/{f[1].pk}/promote")),
    ("api promote host", lambda c, f: c.post(f"/api/v1/detection/net-hosts/{f[3].pk}/promote")),
]


def _body(response) -> str:  # type: ignore[no-untyped-def]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8", "replace")
    query = response.wsgi_request.GET.get("q", "")
    return text.replace(query, "") if query else text


def _leaks(body: str) -> bool:
    return any(name in body for name in SECRET_NAMES) or FARM_ACCOUNT in body or "10.0.2.15" in body


def test_it_never_shows_an_ordos_finding_to_a_baotou_analyst(ordos_findings, make_staff, client_for):
    client = client_for(make_staff("baotou_analyst", Role.ANALYST, "150200"))
    for name, route in ROUTES + PROMOTIONS:
        response = route(client, ordos_findings)
        assert response.status_code in (200, 403, 404), name  # type: ignore[attr-defined]
        assert not _leaks(_body(response)), name
    assert not Lead.objects.exists()


def test_it_hides_ordos_accounts_even_in_a_run_the_baotou_analyst_started(
    data_root, hidden_farm, simulated, make_staff, client_for
):
    analyst = make_staff("baotou_analyst", Role.ANALYST, "150200")
    run = finished_meter_run(analyst, simulated, "150200")
    body = client_for(analyst).get(f"/analytics/meters/{run.pk}/").content.decode()
    assert FARM_ACCOUNT not in body and "隐秘算力" not in body
    assert "其他辖区" in body  # the analyst is told some accounts are hidden, not which


def test_it_shows_the_ordos_findings_to_the_ordos_analyst(ordos_findings, make_staff, client_for):
    client = client_for(make_staff("ordos_analyst", Role.ANALYST, "150600"))
    for name, route in ROUTES:
        if name in ("jobs list", "meter job status", "home"):
            continue  # started by the region: the job itself belongs to the region
        response = route(client, ordos_findings)
        assert response.status_code == 200, name  # type: ignore[attr-defined]
    assert FARM_ACCOUNT in _body(client.get(f"/analytics/meters/{ordos_findings[0].pk}/"))
    assert "隐秘矿场网络" in _body(client.get(f"/analytics/network/hosts/{ordos_findings[3].pk}/"))
    for _name, route in PROMOTIONS:
        route(client, ordos_findings)
    assert Lead.objects.filter(division_id="150602").count() == 2


def test_it_shows_everything_to_a_region_analyst(ordos_findings, make_staff, client_for):
    client = client_for(make_staff("region_analyst", Role.ANALYST, "150000"))
    api = client.get(f"/api/v1/detection/meter-runs/{ordos_findings[0].pk}/suspects", {"limit": 1000}).json()
    assert len(api) == 40 and api[0]["account_id"] == FARM_ACCOUNT and api[0]["division_code"] == "150602"
    promoted = client.post(f"/api/v1/detection/net-hosts/{ordos_findings[3].pk}/promote")
    assert promoted.status_code == 200 and promoted.json()["division_code"] == "150602"
    again = client.post(f"/api/v1/detection/net-hosts/{ordos_findings[3].pk}/promote")
    assert again.status_code == 409 and again.json()["code"] == "detection.already_promoted"
    text = client.get(f"/analytics/meters/{ordos_findings[0].pk}/export.csv").content.decode("utf-8-sig")
    assert FARM_ACCOUNT in text and len(text.strip().splitlines()) == 41


@pytest.mark.parametrize("persona", ["outsider", "baotou_investigator"])
def test_it_denies_staff_of_other_roles_and_users_without_a_profile(
    ordos_findings, persona, request, client_for
):
    client = client_for(request.getfixturevalue(persona))
    for name, route in ROUTES[:-1] + PROMOTIONS:
        response = route(client, ordos_findings)
        assert response.status_code in (401, 403, 404), name  # type: ignore[attr-defined]
        assert not _leaks(_body(response)), name


def test_it_sends_anonymous_visitors_to_sign_in(ordos_findings):
    for name, route in ROUTES + PROMOTIONS:
        response = route(Client(), ordos_findings)
        assert response.status_code in (302, 401, 403), name  # type: ignore[attr-defined]
        assert not _leaks(_body(response)), name
