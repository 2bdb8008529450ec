"""Dashboard figures equal sums computed directly from the database, within the viewer's jurisdiction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils.timezone import localdate

from minesweep.cases.models import CaseCalculation, Lead, Referral, SeizedRigs, Task
from minesweep.credit.models import ListingRecord
from minesweep.credit.services import listing_notify, listing_propose, listing_publish

pytestmark = pytest.mark.django_db


def _expected(prefix: str) -> dict[str, object]:
    rigs = SeizedRigs.objects.filter(case__division__code__startswith=prefix)
    energy = CaseCalculation.objects.filter(case__division__code__startswith=prefix, kind="energy")
    return {
        "leads_total": Lead.objects.filter(division__code__startswith=prefix).count(),
        "rigs_seized": sum(r.count for r in rigs),
        "mw_seized": float(sum(Decimal(r.count * r.unit_power_w) for r in rigs) / 1_000_000),
        "kwh": float(sum(c.kwh for c in energy if c.kwh is not None)),
        "tce": float(sum(c.tce for c in energy if c.tce is not None)),
        "police": Referral.objects.filter(
            case__division__code__startswith=prefix,
            kind="police",
            status__in=["transferred", "received", "answered"],
        ).count(),
        "overdue": sum(
            1
            for t in Task.objects.filter(division__code__startswith=prefix, status="open")
            if t.due_on < localdate()
        ),
    }


def _check(figures: dict, prefix: str) -> None:  # type: ignore[type-arg]
    expected = _expected(prefix)
    assert figures["leads_total"] == expected["leads_total"]
    assert figures["rigs_seized"] == expected["rigs_seized"]
    assert figures["mw_seized"] == pytest.approx(expected["mw_seized"])
    assert figures["kwh"] == pytest.approx(expected["kwh"]) and figures["tce"] == pytest.approx(
        expected["tce"]
    )
    assert figures["referrals"]["police"] == expected["police"]
    assert figures["tasks_overdue"] == expected["overdue"]
    assert sum(figures["cases_by_stage"].values()) == figures["cases_total"]
    assert sum(figures["leads_by_source"].values()) == figures["leads_total"]
    assert sum(row["rigs_seized"] for row in figures["by_league"]) == figures["rigs_seized"]


def test_it_sums_the_whole_region_for_the_region(two_cases, region_admin, client_for):
    figures = client_for(region_admin).get("/api/v1/oversight/dashboard").json()
    _check(figures, "15")
    assert figures["rigs_seized"] == 420 and figures["kwh"] == pytest.approx(3_000_000)
    assert figures["tce"] == pytest.approx(368.7)  # 3,000,000 kWh × 0.1229 kgce/kWh ÷ 1000


def test_it_sums_only_baotou_for_a_baotou_investigator(two_cases, baotou_investigator, client_for):
    figures = client_for(baotou_investigator).get("/api/v1/oversight/dashboard").json()
    _check(figures, "1502")
    assert figures["rigs_seized"] == 120 and {r["code"] for r in figures["by_league"]} == {"150200"}


def test_it_narrows_the_region_to_one_league(two_cases, region_admin, client_for):
    figures = client_for(region_admin).get("/api/v1/oversight/dashboard", {"league": "150600"}).json()
    _check(figures, "1506")
    assert figures["rigs_seized"] == 300


def test_it_counts_blacklistings_in_force_by_league(two_cases, projects, region_admin, client_for):
    subject = projects[0].owner  # a Baotou subject
    listing = listing_propose(
        actor="t",
        subject=subject,
        severity="serious",
        reason="r",
        basis="b",
        authority="a",
        decision_number="包发改信〔2026〕1号",
    )
    listing = listing_notify(actor="t", listing=listing, on=dt.date(2026, 3, 2))
    listing_publish(actor="t", listing=listing, on=dt.date(2026, 3, 20))
    figures = client_for(region_admin).get("/api/v1/oversight/dashboard").json()
    assert figures["blacklist_in_force"] == ListingRecord.objects.filter(status="listed").count() == 1
    assert {r["code"]: r["listed"] for r in figures["by_league"]}["150200"] == 1
    assert figures["projects_shut"] == 1 and figures["mw_projects_shut"] == pytest.approx(2.6)


def test_it_renders_the_dashboard_page_with_the_figures(two_cases, baotou_investigator, client_for):
    body = client_for(baotou_investigator).get("/oversight/").content.decode()
    assert (
        "督查统计" in body
        and "oversight/vendor/echarts/echarts.min.js" in body
        and 'id="dashboard-data"' in body
    )
    assert "鄂尔多斯市" not in body.split('id="league-table"')[1].split("</table>")[0]


def test_it_hides_the_dashboard_from_other_leagues_and_outsiders(
    two_cases, baotou_investigator, outsider, client_for
):
    assert client_for(baotou_investigator).get("/oversight/", {"league": "150600"}).status_code == 404
    assert (
        client_for(baotou_investigator).get("/api/v1/oversight/dashboard", {"league": "150600"}).status_code
        == 404
    )
    assert client_for(outsider).get("/oversight/").status_code in (403, 404)
    assert client_for(outsider).get("/api/v1/oversight/dashboard").status_code in (401, 403)
    assert Client().get("/oversight/").status_code == 302
    assert Client().get("/api/v1/oversight/dashboard").status_code in (401, 403)
