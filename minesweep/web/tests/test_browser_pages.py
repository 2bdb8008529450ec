"""Issue 15 in a real Chromium over the demo data: one language per page (Chinese by default, English by the
switch), axe-core with no serious or critical finding, the follow-up page that keeps a typo'd receipt and
does not store a message twice on refresh, the intake queue sorted and searched, and the map drawn from the
project's own files with its points opening their objects. Desktop 1366×900 and phone 390×844."""

from __future__ import annotations

import importlib
import importlib.resources
import re
from typing import Any

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Interface text (not data): headings, labels, buttons, table headings, menus, help lines.
CHROME = "nav a, nav button, th, label, legend, h2, button, caption, .help"
ALLOWED_LATIN = re.compile(
    r"\b(?:USCC|DOCX|PDF|CSV|XLSX|SHA|GPS|MW|tce|kWh|IP|ID|TOTP|Stratum|XMRig|getwork|Parquet|pcap|pcapng|"
    r"WGS|DATA_ROOT|YYYY|Www|ISO|Office|CONS_NO|account_id|kwh|kw|ts|tariff|contract_kva)\b"
)
STAFF_PAGES = [
    "/staff/",
    "/intake/",
    "/cases/leads/",
    "/cases/",
    "/cases/tasks/",
    "/documents/",
    "/registry/",
    "/credit/staff/",
    "/oversight/",
    "/oversight/map/",
    "/oversight/weekly/",
    "/audit/",
]
PUBLIC_PAGES = ["/", "/report/", "/report/follow-up/", "/credit/"]


@pytest.fixture
def demo() -> str:
    """The demo data of every app but detection, jobs and documents (slow, and not what these pages need:
    the documents demo renders every kind of every case, ~90 % of the load); returns the follow-up receipt
    the reports demo prints."""
    receipt = ""
    for app in ("accounts", "registry", "reports", "cases", "credit"):
        module = importlib.import_module(f"minesweep.{app}.demo")
        said = module.load(seed=2021)
        found = re.search(r"\d{6}(?:-\d{6}){4}", said)
        receipt = found.group(0) if found else receipt
    assert receipt, "the reports demo names a receipt"
    return receipt


@pytest.fixture
def demo_with_documents(demo: str) -> str:
    """The demo plus the filing form and the penalty decision of the first decided case, so the documents
    page lists real rows (every kind of every case is the documents demo's own test)."""
    from minesweep.cases.models import Decision
    from minesweep.documents.services import document_issue

    decision = Decision.objects.select_related("case", "party").order_by("case__number").first()
    assert decision is not None, "the cases demo has a decided case"
    document_issue(actor="demo", case=decision.case, kind="filing", party=None, addressee="")
    document_issue(actor="demo", case=decision.case, kind="decision", party=decision.party, addressee="")
    return demo


def _sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "minesweep-demo")
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/")


def _language(page: Any, code: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": code, "url": page.base_url}])


def _chrome_text(page: Any) -> list[str]:
    return page.evaluate(
        r"""(sel) => [...document.querySelectorAll(sel)]
             .filter(el => !el.closest('[lang]:not(html)') && el.offsetParent !== null)
             .map(el => { const copy = el.cloneNode(true); copy.querySelectorAll('[lang]').forEach(n => n.remove());
                          return copy.textContent.replace(/\s+/g, ' ').trim(); }).filter(Boolean)""",
        CHROME,
    )


def _axe_findings(page: Any) -> list[str]:
    source = importlib.resources.files("axe_playwright_python").joinpath("axe.min.js").read_text()
    # Evaluated through the DevTools protocol, which the page's Content Security Policy does not govern (a
    # <script> tag would be refused, as it should be for anything inline the site itself did not vouch for).
    page.evaluate(source + "\n;0")
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']});"
        " return {passes: r.passes.length, bad: r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))}; }"
    )
    assert result["passes"] > 5, "axe-core ran its rules on the page"
    return list(result["bad"])


def _check_page(page: Any, url: str, problems: list[str]) -> None:
    for code in ("zh-hans", "en"):
        _language(page, code)
        page.goto(url)
        for text in _chrome_text(page):
            if code == "en" and CJK.search(text):
                problems.append(f"{url} [en] Chinese left: {text[:60]}")
            if code == "zh-hans" and re.search(r"[A-Za-z]{3,}", ALLOWED_LATIN.sub("", text)):
                problems.append(f"{url} [zh] English left: {text[:60]}")
        if code == "zh-hans":
            problems.extend(f"{url} axe {finding}" for finding in _axe_findings(page))
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1] + 1:  # a table or picture wider than a phone scrolls in its box, not the page
            problems.append(f"{url} [{code}] {width[0]} px wide in a {width[1]} px window")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_it_shows_one_language_per_page_and_passes_axe(page, demo_with_documents, viewport):
    page.set_viewport_size(viewport)
    problems: list[str] = []
    for url in PUBLIC_PAGES:
        _check_page(page, url, problems)
    _sign_in(page, "admin")
    for url in STAFF_PAGES:
        _check_page(page, url, problems)
    assert not problems, "\n".join(problems)


def test_it_keeps_a_mistyped_receipt_and_does_not_store_a_message_twice(page, demo):
    from minesweep.reports.models import ReportMessage

    page.set_viewport_size(PHONE)
    page.goto("/report/follow-up/")
    typo = demo[:-1] + str((int(demo[-1]) + 1) % 10)
    page.fill("#receipt", typo)
    page.click("main button[type=submit]")
    assert "第 5 组（第 25–30 位数字）" in page.inner_text("#form-error")
    assert page.input_value("#receipt") == typo, "the digits the reporter typed stay in the box"
    page.fill("#receipt", demo)
    page.click("main button[type=submit]")
    page.wait_for_selector("#status")
    before = ReportMessage.objects.count()
    page.fill("#id_body", "补充：夜里风扇声更大了。")
    page.click("form[action$='/message/'] button[type=submit]")
    page.wait_for_selector(".messages li.success")
    page.reload()
    page.wait_for_selector("#status")
    assert ReportMessage.objects.count() == before + 1, "a refresh must not send the message again"
    assert page.locator(".messages li.success").count() == 0


def test_it_sorts_and_searches_the_intake_queue(page, demo):
    page.set_viewport_size(DESKTOP)
    _sign_in(page, "intake")
    page.goto("/intake/")

    def numbers() -> list[str]:
        return page.eval_on_selector_all(
            "#queue tbody tr td:first-child a", "as => as.map(a => a.textContent)"
        )

    page.click("#queue thead th:first-child button")
    assert numbers() == sorted(numbers()) and len(numbers()) >= 10
    assert page.get_attribute("#queue thead th:first-child", "aria-sort") == "ascending"
    page.click("#queue thead th:first-child button")
    assert numbers() == sorted(numbers(), reverse=True)
    page.fill("#q", "网吧")
    page.click("form[role=search] button[type=submit]")
    rows = page.locator("#queue tbody tr.report-row")
    assert rows.count() >= 1 and all("网吧" in t for t in rows.all_inner_texts())


def test_it_draws_the_map_offline_and_opens_a_lead_from_it(page, demo):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.set_viewport_size(DESKTOP)
    _sign_in(page, "leader")
    page.goto("/oversight/map/")
    page.wait_for_selector("body[data-map='league:12']")
    page.check("input[name=level][value=county]")
    page.wait_for_selector("body[data-map^='county:']")
    assert all(url.startswith(page.base_url) for url in requests), "no tile server, no CDN"
    target = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById('map'));
          const series = chart.getOption().series;
          for (let i = 1; i < series.length; i++) {
            const point = (series[i].data || []).find(p => p.kind !== 'site' && p.url);
            if (point) { const xy = chart.convertToPixel({seriesIndex: i}, point.value); return {xy, url: point.url}; }
          }
          return null;
        }"""
    )
    assert target, "the demo has at least one located lead or case"
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + target["xy"][0], box["y"] + target["xy"][1])
    page.wait_for_url("**" + target["url"])


def test_it_draws_ranked_targets_on_the_map_and_opens_their_evidence(page, demo):
    page.set_viewport_size(DESKTOP)
    _sign_in(page, "analyst")
    page.goto("/oversight/map/")
    page.wait_for_selector("body[data-map='league:12']")
    target = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById('map'));
          const series = chart.getOption().series;
          for (let i = 1; i < series.length; i++) {
            const points = (series[i].data || []).filter(p => p.kind === 'target');
            if (points.length) {
              const xy = chart.convertToPixel({seriesIndex: i}, points[0].value);
              return {xy, url: points[0].url, count: points.length, symbol: series[i].symbol};
            }
          }
          return null;
        }"""
    )
    assert target and target["count"] >= 5, "the demo's ranked targets with a located site are drawn"
    assert target["symbol"] == "diamond" and target["url"].startswith("/analytics/")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + target["xy"][0], box["y"] + target["xy"][1])
    page.wait_for_url("**" + target["url"])
    anchor = target["url"].partition("#")[2]
    if anchor:
        assert page.locator(f"#{anchor}").count() == 1, "the target's row in the ranked list"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_it_keeps_every_typed_field_of_a_refused_case_form(page, demo, viewport):
    from minesweep.cases.models import Case

    case = Case.objects.get(number="AJ-2026-000001")
    page.set_viewport_size(viewport)
    _sign_in(page, "baotou_investigator")
    page.goto(f"/cases/{case.pk}/")
    page.click("#inspection-form >> xpath=ancestor::details/summary")
    page.fill("#i-place", "九原区某网吧后院")
    page.fill("#i-off", "张伟")  # one officer only: refused (two or more are required)
    page.fill("#i-find", "现场有矿机 40 台，风扇噪声明显。")
    first_check = page.locator("#inspection-form select").first
    first_check.select_option(index=0)
    chosen = first_check.input_value()
    page.click("#inspection-form button")
    page.wait_for_selector(".messages li.error")
    page.wait_for_selector("#inspection-form[data-restored='1']")
    assert page.input_value("#i-place") == "九原区某网吧后院"
    assert page.input_value("#i-off") == "张伟"
    assert page.input_value("#i-find") == "现场有矿机 40 台，风扇噪声明显。"
    assert page.locator("#inspection-form select").first.input_value() == chosen
    assert page.locator("#inspection-form").is_visible()


def test_it_shows_the_case_stage_by_stage_within_three_screens(page, demo):
    from minesweep.cases.models import Case
    from minesweep.cases.panels import PANELS, STAGE_PANEL

    page.set_viewport_size(DESKTOP)
    _sign_in(page, "baotou_investigator")
    cases = list(Case.objects.filter(division__code__startswith="1502").order_by("number"))
    assert {c.stage for c in cases} >= {"investigating", "legal_review", "decided"}
    heights: dict[str, int] = {}
    for case in cases:
        page.goto(f"/cases/{case.pk}/")
        current = page.get_attribute(".panel-tabs:not(.party-tabs) a[aria-current=page]", "href")
        assert current == f"?p={STAGE_PANEL[case.stage]}", "the page opens where the stage's work is"
        assert page.locator("#case-head #next-actions").count() == 1
        for panel in PANELS:
            page.goto(f"/cases/{case.pk}/?p={panel.code}")
            heights[f"{case.number} {panel.code}"] = page.evaluate("document.documentElement.scrollHeight")
    too_tall = {k: h for k, h in heights.items() if h > 3 * DESKTOP["height"]}
    assert not too_tall, f"taller than three screens at 1366x900: {too_tall}"
    # The next step links to the panel where it is done.
    page.goto(f"/cases/{cases[0].pk}/")
    link = page.locator("#next-actions a").first
    target = link.get_attribute("href").split("#")[0]
    link.click()
    page.wait_for_url(f"**{target}*")
    assert page.get_attribute(".panel-tabs:not(.party-tabs) a[aria-current=page]", "href") == target


# The case page's measures and tracks (issue 11's sections): reasons, labels and punctuation in English;
# citations of Chinese laws and policies and authority names are marked lang="zh-Hans" and left out.
CASE_SECTIONS = "#measures th, #measures td:not(:nth-child(2)), .track p, .track li, .notice-box p"


def test_it_shows_the_case_measures_and_tracks_in_english(page, demo):
    from minesweep.cases.models import Case, Track

    page.set_viewport_size(DESKTOP)
    _sign_in(page, "baotou_investigator")
    _language(page, "en")
    cases = [
        c
        for c in Case.objects.filter(division__code__startswith="1502")
        if Track.objects.filter(case=c).exists()
    ]
    assert cases, "the demo has a Baotou case with tracks"
    problems: list[str] = []
    for case in cases:
        for panel in ("determination", "tracks"):
            page.goto(f"/cases/{case.pk}/?p={panel}")
            texts = page.evaluate(
                r"""(sel) => [...document.querySelectorAll(sel)]
                     .filter(el => !el.closest('[lang]:not(html), form, details, .pre')).map(el => {
                      const copy = el.cloneNode(true);
                      copy.querySelectorAll('[lang], form, details, .pre').forEach(n => n.remove());
                      return copy.textContent.replace(/\s+/g, ' ').trim(); }).filter(Boolean)""",
                CASE_SECTIONS,
            )
            assert texts, f"{case.number} {panel} has its section"
            problems += [f"{case.number} {panel}: {t[:80]}" for t in texts if CJK.search(t)]
    assert not problems, "\n".join(problems)
