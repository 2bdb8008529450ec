# ruff: noqa: F811  (pytest fixtures shared from test_services are imported, then requested by name)
"""In a real browser: an analyst starts a meter run on a small simulated dataset, watches it finish, opens the
top suspect's evidence (pictures load), promotes it, and finds the lead on the staff home page."""

from __future__ import annotations

import os

import pytest

from minesweep.accounts.roles import Role
from minesweep.cases.models import Lead
from minesweep.detection.models import NetHost
from minesweep.detection.tests.test_services import (  # noqa: F401  (fixtures)
    FARM_ACCOUNT,
    cafe_allocations,
    data_root,
    finished_scan,
    hidden_farm,
    simulated,
)
from minesweep.jobs.worker import run_worker

# The shared conftest reloads reference data (divisions) after a transactional flush.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _sign_in_as_analyst(page, make_staff) -> None:
    make_staff("analyst_li", Role.ANALYST, "150000")
    page.goto("/accounts/login/")
    page.fill("#id_username", "analyst_li")
    page.fill("#id_password", "pw-analyst_li")
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")


def _wait_for_pictures(page, ids: tuple[str, ...], min_width: int) -> None:
    """Until every picture has loaded at least ``min_width`` pixels wide. Polled with evaluate():
    wait_for_function evaluates a string with eval(), which the CSP forbids."""
    loaded = (
        "(args) => args.ids.every(id => { const i = document.getElementById(id);"
        " return i.complete && i.naturalWidth > args.width; })"
    )
    for _ in range(300):
        if page.evaluate(loaded, {"ids": list(ids), "width": min_width}):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the pictures {ids} did not load")


def test_it_runs_detection_and_promotes_the_top_suspect(page, data_root, hidden_farm, simulated, make_staff):
    _sign_in_as_analyst(page, make_staff)
    page.click("text=用电数据检测")
    page.wait_for_url("**/analytics/meters/")
    page.fill("#id_name", "浏览器测试")
    page.set_input_files("#id_files", str(simulated / "readings" / "part-00000.parquet"))
    page.click("button:has-text('开始检测')")
    page.wait_for_url("**/analytics/meters/*/")
    assert page.locator(".job-progress progress").is_visible()
    # The worker runs here, in the test's thread: the in-memory SQLite test database is shared with the live
    # server through one connection, and a second connection from a worker thread would meet table locks.
    # The page meanwhile polls the job's status and reloads itself when the run has finished.
    assert run_worker(once=True) == 1
    # The progress bar polls the job and reloads the page when the run is done.
    page.wait_for_selector("table.findings", timeout=60_000)
    first = page.locator("table.findings tr.is-suspect a").first
    assert first.inner_text() == FARM_ACCOUNT
    first.click()
    page.wait_for_selector("#carpet")
    _wait_for_pictures(page, ("carpet", "daily"), 200)
    assert "鄂尔多斯隐秘算力数据有限公司" in page.content()
    shots = os.environ.get("MINESWEEP_SCREENSHOTS")
    if shots:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=os.path.join(shots, "meter-evidence.png"), full_page=True)
    page.click("#promote")
    number = page.inner_text("#lead-number")
    assert Lead.objects.get().number == number
    page.goto("/staff/")
    assert number in page.inner_text("main")


def test_a_network_hosts_page_fits_a_phone_with_its_picture(page, data_root, cafe_allocations, make_staff):
    """The pool timeline is drawn 880 px wide: outside the meter page's own picture frame it pushed the
    host's page to 956 px on a 390 px phone (seen in a screenshot)."""
    host = NetHost.objects.get(scan=finished_scan("test"), host="192.168.2.148")
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in_as_analyst(page, make_staff)
    page.goto(f"/analytics/network/hosts/{host.pk}/")
    _wait_for_pictures(page, ("pools-picture",), 300)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )  # no sideways scroll
