"""In a real Chromium: the dashboard draws its four ECharts charts from the project's own static file, and
the public credit query works on a phone-sized screen."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest

# The shared conftest reloads reference data (divisions) after a transactional flush.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
SCREENS = Path(os.environ.get("MINESWEEP_VAR_DIR", "var")) / "screens"


def test_it_draws_the_dashboard_charts_from_local_static_files(page, two_cases, region_admin):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-admin")
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")
    page.goto("/oversight/")
    page.wait_for_selector("body[data-charts='4']")
    assert page.locator("#chart-stages svg").count() == 1 and page.locator("#chart-trend svg").count() == 1
    assert page.inner_text("[data-k=rigs_seized]") == "420"
    assert all(url.startswith(page.base_url) for url in requests), "no request may leave the site (no CDN)"
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.screenshot(path=str(SCREENS / "oversight-dashboard.png"), full_page=True)
    page.select_option("#league", "150600")
    page.wait_for_url("**league=150600")
    page.wait_for_selector("body[data-charts='4']")
    assert page.inner_text("[data-k=rigs_seized]") == "300"


_TEXT_BOXES = """(id) => Array.from(document.querySelectorAll('#' + id + ' svg text')).map((t) => {
  const r = t.getBoundingClientRect();
  return {text: t.textContent, x: r.x, y: r.y, w: r.width, h: r.height};
}).filter((b) => b.w > 0 && b.text.trim())"""


_LARGE_SHAPES = """(id) => Array.from(document.querySelectorAll('#' + id + ' svg path')).filter((p) => {
  const fill = p.getAttribute('fill') || 'none';
  return fill !== 'none' && fill !== 'transparent' && p.getAttribute('fill-opacity') !== '0';
}).map((p) => {
  const r = p.getBoundingClientRect();
  return {x: r.x, y: r.y, w: r.width, h: r.height, fill: p.getAttribute('fill')};
}).filter((b) => b.w > 30 && b.h > 30)"""


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def test_no_chart_text_runs_into_another_on_a_phone(page, two_cases, region_admin):
    """390 px, English: the trend's legend wraps onto two rows and stays clear of the right axis' name
    ("rigs"); the league names under the bars stand apart from one another."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-admin")
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")
    page.click("button[name=language][value=en]")
    page.goto("/oversight/")
    page.wait_for_selector("body[data-charts='4']")
    trend = page.evaluate(_TEXT_BOXES, "chart-trend")
    legend = [
        b for b in trend if b["text"] in {"Leads", "Cases filed", "Decisions", "Blacklisted", "Rigs seized"}
    ]
    axis_name = [b for b in trend if b["text"] == "rigs"]
    assert len(legend) == 5 and len(axis_name) == 1
    assert len({round(b["y"]) for b in legend}) > 1, "the legend wraps on a phone"
    assert not [b["text"] for b in legend if _overlap(b, axis_name[0])]
    # the sources' legend (a name and its count) stays above the ring, whose slices are the large shapes
    sources = page.evaluate(_TEXT_BOXES, "chart-sources")
    entries = [b for b in sources if re.search(r"\D \d+$", b["text"])]
    ring = page.evaluate(_LARGE_SHAPES, "chart-sources")
    assert len(entries) >= 4 and ring
    assert not [(b["text"], r) for b in entries for r in ring if _overlap(b, r)]
    names = [b for b in page.evaluate(_TEXT_BOXES, "chart-leagues") if "市" in b["text"] or "盟" in b["text"]]
    assert len(names) >= 12
    clashes = [(a["text"], b["text"]) for i, a in enumerate(names) for b in names[i + 1 :] if _overlap(a, b)]
    assert not clashes


def test_it_answers_a_public_credit_query_on_a_phone(page, projects):
    from minesweep.credit.services import listing_notify, listing_propose, listing_publish

    listing = listing_propose(
        actor="t",
        subject=projects[0].owner,
        severity="serious",
        reason="未经报批私自接入动力电源挖矿",
        basis="八项措施第八条",
        authority="包头市发展和改革委员会",
        decision_number="包发改信〔2026〕1号",
    )
    listing = listing_notify(actor="t", listing=listing, on=dt.date(2026, 3, 2))
    listing_publish(actor="t", listing=listing, on=dt.date(2026, 3, 20))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    page.click("text=失信名单查询")
    page.fill("#q", "台账测试矿业0")
    page.click("button[type=submit]")
    page.wait_for_selector("article.listing")
    assert "包发改信〔2026〕1号" in page.inner_text("article.listing")
    assert page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )  # no sideways scroll
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "credit-public-phone.png"), full_page=True)
    page.fill("#q", "150203198001011234")
    page.click("button[type=submit]")
    assert "不支持身份证号" in page.inner_text("main")
