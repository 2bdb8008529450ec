"""In a real browser: a multi-party case where each party's actions run on their own legal track (issue 11).

The miner (a project connected without approval) goes the penalty track — notice, written waiver, legal
review before the decision by the legal-review post, collective discussion, decision in the name of the
electricity administration, service, enforcement. The internet café gets only a 建议函 to the culture and
tourism authority, whose liaison answers it. The official who protected the mine gets only the referral to
the discipline organs, proposed as soon as his facts were recorded. Each track ends on its own; the case
closes when all have ended.
"""

from __future__ import annotations

import os
import re

import pytest

from minesweep.cases import scenarios
from minesweep.cases.models import Case, Task, Track

# The shared conftest reloads reference data (divisions) after a transactional flush.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
SHOTS = os.environ.get("MINESWEEP_SCREENSHOTS", "")
MINER, CAFE, OFFICIAL = "昆都仑某矿业工作室", "昆都仑区星空网咖", "李某（街道干部）"


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")


def _sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.click("header form button.link:not([name=language])")
    page.wait_for_load_state()


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _saved(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_load_state()
    errors = page.locator(".messages li.error")
    assert errors.count() == 0, errors.all_inner_texts()


def _track(page, party: str, kind: str):  # type: ignore[no-untyped-def]
    return page.locator(f'.party-tracks[data-party="{party}"] .track[data-kind="{kind}"]')


def _add_party(page, name: str, category: str, facts: list[str], role: str = "operator") -> None:  # type: ignore[no-untyped-def]
    if not page.locator("#party-form").is_visible():
        page.click("text=增加当事人 >> nth=0")
    page.fill("#p-name", name)
    page.select_option("#p-category", category)
    page.select_option("#p-role", role)
    for fact in facts:
        page.check(f"#party-form input[name=facts][value={fact}]")
    page.click("#party-form button")
    _saved(page)


def _open(page, case: Case, panel: str, party: str = "", anchor: str = "") -> None:  # type: ignore[no-untyped-def]
    """The case page shows one panel (and on the tracks and measures panels one party) at a time (issue 15)."""
    who = f"&party={case.parties.get(name=party).pk}" if party else ""
    page.goto(f"/cases/{case.pk}/?p={panel}{who}" + (f"#{anchor}" if anchor else ""))


def _ended(case: Case, party: str, kind: str) -> bool:
    return all(t.ended for t in Track.objects.filter(case=case, party__name=party, kind=kind))


def test_each_party_gets_its_own_track_and_each_track_ends_on_its_own(page, crew, lead):
    _sign_in(page, "baotou_investigator")
    page.goto(f"/cases/leads/{lead.pk}/")
    page.click("text=开始核查 >> nth=-1")
    _saved(page)
    page.select_option("#second_officer", str(crew.second.pk))
    page.fill("#file-reason", "用电数据显示24小时满负荷，现场摸排确认存在矿机")
    page.click("#file-form button")
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get(lead=lead)

    _add_party(page, MINER, "unapproved_power_project", ["mining_confirmed"])
    _add_party(page, CAFE, "internet_cafe", ["mining_confirmed"])
    _add_party(page, OFFICIAL, "public_official", ["official_involvement"], role="facilitator")
    # The referrals exist as soon as the facts are recorded — before any determination or decision.
    _open(page, case, "tasks")
    referrals = page.inner_text("#referrals")
    assert "移送公安机关" in referrals and "移送纪检监察机关" in referrals and OFFICIAL in referrals

    _open(page, case, "investigation")
    page.click("text=记录现场检查")
    page.fill("#i-place", "昆都仑区某厂房及星空网咖")
    page.fill("#i-off", "张伟, 王磊")
    page.select_option("select[name=check_rigs_present]", "yes")
    page.fill("#i-find", "厂房内 120 台矿机运行，电源私接；网吧夜间 40 台电脑挖矿")
    page.click("#inspection-form button")
    _saved(page)
    # 电力法第七十一条: the miner's fine is a multiple of the charges owed, so they are computed first.
    _open(page, case, "investigation", anchor="calculations")
    page.click("text=新计算")
    page.select_option("#c-kind", "theft")
    page.select_option("#c-party", label=MINER)
    page.fill("#c-cap", "400")
    page.check("#calc-form input[name=unknown_duration]")
    page.fill("#c-t", "0.50")
    page.click("#calc-form button")
    _saved(page)
    _open(page, case, "determination")
    page.fill("#findings", "矿业工作室私接动力电源挖矿，网吧夜间挖矿，街道干部李某为其提供保护")
    for box in page.locator(".party-findings textarea").all():  # each party's acts state its own facts
        name = page.locator(f"label[for='{box.get_attribute('id')}']").inner_text()
        box.fill(f"经查，{name}参与本案所涉虚拟货币“挖矿”活动，有现场检查笔录证明。")
    page.click("#evaluate-form button")
    _saved(page)

    # The café's 文旅 measure stays; its other measures are struck with a written reason (the officer's call).
    def cafe_rows():  # type: ignore[no-untyped-def]
        rows = page.locator("#measures tr:not(.struck-row)").filter(has=page.locator(f"td:text-is('{CAFE}')"))
        return rows.filter(has_not_text="对网吧等主体")

    _open(page, case, "determination", CAFE)
    while cafe_rows().count():
        row = cafe_rows().first
        row.locator("input[name=reason]").fill("网吧挖矿交文旅部门依法处置，其余措施另行研究")
        row.locator("button").click()
        _saved(page)
    _open(page, case, "tracks", CAFE)
    assert page.locator(f'.party-tracks[data-party="{CAFE}"] .track').count() == 1
    assert "包头市文化旅游广电局" in _track(page, CAFE, "other_authority").inner_text()
    _open(page, case, "tracks", OFFICIAL)
    assert page.locator(f'.party-tracks[data-party="{OFFICIAL}"] .track').count() == 1
    assert _track(page, OFFICIAL, "referral").count() == 1
    _open(page, case, "tracks", MINER)
    assert "包头市能源局" in _track(page, MINER, "penalty").inner_text()  # 电力法第七十一条: 电力管理部门
    _open(page, case, "determination")
    page.click("#submit-form button")
    _saved(page)
    _sign_out(page)

    _sign_in(page, "baotou_reviewer")  # holds the legal-review post, took no part in the investigation
    _open(page, case, "determination", anchor="review")
    page.check("#review-form input[value=approved]")
    page.fill("#opinion", "事实清楚，各当事人轨道及有权机关正确")
    page.click("#review-form button")
    _saved(page)
    _sign_out(page)

    # -- the café: a 建议函 to the culture and tourism authority, nothing in the 发改委's name ------------
    _sign_in(page, "baotou_investigator")
    _open(page, case, "tracks", CAFE)
    assert not page.locator(f'.party-tracks[data-party="{CAFE}"] .notice-form').count()
    _track(page, CAFE, "other_authority").locator("button").click()
    _saved(page)
    assert "建议函" in _track(page, CAFE, "other_authority").inner_text()

    # -- the official: only the discipline referral ------------------------------------------------------
    official = case.parties.get(name=OFFICIAL)
    referral = official.referrals.get()
    assert referral.kind == "discipline"
    _open(page, case, "tracks", OFFICIAL)
    assert not page.locator(f'.party-tracks[data-party="{OFFICIAL}"] .notice-form').count()
    _open(page, case, "tasks")
    card = page.locator(f'#referrals .referral-card[data-party="{OFFICIAL}"]')
    card.locator("input[value=approve]").check()
    card.locator("input[name=reason]").fill("公职人员为挖矿提供保护，移送纪检监察机关")
    card.locator("button").click()
    _saved(page)
    card = page.locator(f'#referrals .referral-card[data-party="{OFFICIAL}"]')
    card.locator("button").click()  # transfer to the organ the pack names
    _saved(page)
    card = page.locator(f'#referrals .referral-card[data-party="{OFFICIAL}"]')
    card.locator("input[name=receipt_number]").fill("包纪收〔2026〕3号")
    card.locator("button").click()
    _saved(page)
    card = page.locator(f'#referrals .referral-card[data-party="{OFFICIAL}"]')
    card.locator("input[value=accepted]").check()
    card.locator("input[name=text]").fill("已立案审查")
    card.locator("button").click()
    _saved(page)
    assert _ended(case, OFFICIAL, "referral") and not _ended(case, MINER, "penalty")
    assert not official.notices.exists() and not official.decisions.exists()

    # -- the miner: the police referral comes first (国务院令第310号第十一条: no fine in place of it) --------
    _open(page, case, "tracks", MINER)
    held = _track(page, MINER, "penalty")
    # 行政处罚法第五十四条: the 能源局 holds the power the 发改委 filed on, so it files its own case first.
    assert "待有权机关立案" in held.inner_text() and not held.locator(".notice-form").count()
    # The 能源局's acts are its own officers' to record (行政处罚法第四十二条、第五十七条), not the 发改委's:
    # the 发改委's investigator is told whose they are, with no form to record them.
    assert "该项处罚由包头市能源局作出" in held.locator(".penalty-organ-elsewhere").inner_text()
    assert not held.locator(".penalty-file-form").count()
    _shot(page, "penalty-other-organ")
    _sign_out(page)
    _sign_in(page, "baotou_energy_officer")
    _open(page, case, "tracks", MINER)
    held = _track(page, MINER, "penalty")
    held.locator(".penalty-file-form input[name=officers]").fill("赵刚")  # one officer: refused (Art. 42)
    held.locator(".penalty-file-form button").click()
    page.wait_for_load_state()
    assert "不得少于两人" in " ".join(page.locator(".messages li.error").all_inner_texts())
    held = _track(page, MINER, "penalty")
    held.locator(".penalty-file-form input[name=officers]").fill("赵刚、钱伟")
    held.locator(".penalty-file-form button").click()
    _saved(page)
    _open(page, case, "tracks", MINER)
    held = _track(page, MINER, "penalty")
    assert "有权机关立案" in held.inner_text() and "赵刚、钱伟" in held.inner_text()
    assert "刑事优先" in held.inner_text() and not held.locator(".notice-form").count()
    _sign_out(page)
    _sign_in(page, "baotou_investigator")  # the case authority refers (国务院令第310号第五条)
    _open(page, case, "tasks")
    police = f'#referrals .referral-card[data-party="{MINER}"][data-kind="police"]'
    page.locator(police).locator("input[value=approve]").check()
    page.locator(police).locator("input[name=reason]").fill("私拉专线窃电，数额达到追诉标准，依法移送")
    page.locator(police).locator("button").first.click()
    _saved(page)
    page.locator(police).locator("button").first.click()  # transfer with the required materials
    _saved(page)
    page.locator(police).locator("input[name=receipt_number]").fill("包公收〔2026〕8号")
    page.locator(police).locator("button").first.click()
    _saved(page)
    page.locator(police).locator("input[value=not_accepted]").check()
    page.locator(police).locator("input[name=text]").fill("窃电数额系推定，证据不足，不予立案")
    page.locator(police).locator("button").first.click()
    _saved(page)
    # -- the miner: the penalty track, the 能源局's -------------------------------------------------------
    _sign_out(page)
    _sign_in(page, "baotou_energy_officer")
    _open(page, case, "tracks", MINER)
    penalty = _track(page, MINER, "penalty")
    assert "刑事优先" not in penalty.inner_text()
    # 行政处罚法第四十四条: the notice states the intended fine (required since issue 12c).
    penalty.locator(".notice-form input[name=intended_fine_yuan]").fill("100000")
    penalty.locator(".notice-form button").click()
    _saved(page)
    assert "尚未届满" in _track(page, MINER, "penalty").inner_text()
    _track(page, MINER, "penalty").locator("text=登记：当事人书面放弃陈述申辩和听证").click()
    _saved(page)
    _sign_out(page)

    # 行政处罚法第五十八条: the 能源局's fine is reviewed by the 能源局's own reviewer, not the 发改委's.
    for reviewer in ("baotou_reviewer", "baotou_energy_reviewer"):
        _sign_in(page, reviewer)
        _open(page, case, "tracks", MINER)
        form = _track(page, MINER, "penalty").locator(".penalty-review-form")
        assert "包头市能源局" in form.inner_text()
        form.locator("input[value=approved]").check()
        form.locator("textarea[name=opinion]").fill("告知程序合法，当事人书面放弃，同意拟处罚意见")
        form.locator("button").click()
        if reviewer == "baotou_reviewer":
            page.wait_for_load_state()
            refused = " ".join(page.locator(".messages li.error").all_inner_texts())
            assert "须由包头市能源局的法制审核人员进行" in refused
            _shot(page, "penalty-review-other-organ")
        else:
            _saved(page)
        _sign_out(page)

    _sign_in(page, "baotou_energy_officer")  # the 能源局's heads discuss and decide (第五十七条)
    _open(page, case, "tracks", MINER)
    form = _track(page, MINER, "penalty").locator(".discussion-form")
    form.locator("input[name=participants]").fill("局长、分管副局长、法规科科长")
    form.locator("textarea[name=minutes]").fill("集体讨论认为违法事实清楚，同意罚款五万元")
    form.locator("input[name=conclusion]").fill("同意")
    form.locator("button").click()
    _saved(page)
    form = _track(page, MINER, "penalty").locator(".decision-form")
    assert "包头市能源局" in form.inner_text()
    form.locator("input[name=fine_yuan]").fill("50000")
    form.locator("textarea[name=fine_change_reason]").fill(
        "当事人已主动拆除全部矿机，依法从轻处罚（行政处罚法第三十二条第一项）"
    )
    form.locator("button").click()
    _saved(page)
    decision = case.decisions.get()
    assert decision.party.name == MINER and decision.authority == "包头市能源局"
    # Nobody typed a number: the notice and the decision bear the ones allocated when they were issued.
    assert re.fullmatch(r"包能源罚〔\d{4}〕1号", decision.number)
    assert decision.number in _track(page, MINER, "penalty").inner_text()
    assert re.fullmatch(r"包能源告〔\d{4}〕1号", case.notices.get().number)
    _track(page, MINER, "penalty").locator("text=登记决定书送达").click()
    _saved(page)
    _shot(page, "case-tracks")
    _sign_out(page)

    # -- the culture and tourism liaison answers the 建议函: the café's track ends on its own ------------
    task = Task.objects.get(case=case, department="culture_market_regulator", action="suspend_business")
    _sign_in(page, "l_culture_market_regulator")
    page.goto("/cases/tasks/")
    page.click(f"text={task.title}")
    page.fill("#document_number", "包文旅罚〔2026〕5号")
    page.set_input_files(
        "#proof", files=[{"name": "停业整顿决定.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
    )
    page.click("#close-form button")
    _saved(page)
    assert _ended(case, CAFE, "other_authority") and not _ended(case, MINER, "penalty")
    assert "包文旅罚〔2026〕5号" in case.tracks.get(party__name=CAFE).outcome
    _sign_out(page)

    # The miner's other tracks (grid, tax, land, measures, credit, police) run by the same services.
    for track in case.tracks.filter(party__name=MINER).exclude(kind="penalty"):
        scenarios.start_track(crew, track, on=decision.decided_on)
    scenarios.finish_tracks(crew, case)
    assert _ended(case, MINER, "penalty")  # enforcement recorded by finish_tracks

    _sign_in(page, "baotou_investigator")
    _open(page, case, "closure")
    page.fill("#summary", "各当事人各轨道均已办结")
    page.click("#close-form button")
    _saved(page)
    case.refresh_from_db()
    assert case.stage == Case.Stage.CLOSED
    assert all(t.ended for t in case.tracks.all())
