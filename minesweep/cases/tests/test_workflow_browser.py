"""In a real browser: an investigator takes a lead to a decision (a colleague does the legal review) and
the grid company's liaison closes the resulting task with a document number and a proof file."""

from __future__ import annotations

import os
import re

import pytest

from minesweep.cases.models import Case, Task

# The shared conftest reloads reference data (divisions) after a transactional flush.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
SHOTS = os.environ.get("MINESWEEP_SCREENSHOTS", "")


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


def test_it_takes_a_lead_to_a_decision_and_a_liaison_closes_the_task(page, crew, lead):
    _sign_in(page, "baotou_investigator")
    page.goto(f"/cases/leads/{lead.pk}/")
    page.click("text=开始核查 >> nth=-1")
    _saved(page)
    page.select_option("#second_officer", str(crew.second.pk))
    page.fill("#file-reason", "用电数据显示24小时满负荷，现场摸排确认存在矿机")
    page.click("#file-form button")
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get(lead=lead)
    assert case.stage == Case.Stage.INVESTIGATING

    page.fill("#p-name", "昆都仑某矿业工作室")
    page.select_option("#p-category", "unapproved_power_project")
    page.check("#party-form input[name=facts][value=mining_confirmed]")
    page.click("#party-form button")
    _saved(page)

    page.click("text=记录现场检查")
    page.fill("#i-place", "昆都仑区某厂房")
    page.fill("#i-off", "张伟, 王磊")
    page.select_option("select[name=check_rigs_present]", "yes")
    page.select_option("select[name=check_power_approved]", "no")
    page.fill("#i-find", "现场 120 台矿机运行，电源私接")
    page.click("#inspection-form button")
    _saved(page)

    page.fill("#findings", "当事人未经报批私自接入动力电源从事虚拟货币挖矿")
    page.click("#evaluate-form button")
    _saved(page)
    assert "窃电" in page.inner_text("#measures")  # measure 5 from the engine
    page.click("#submit-form button")
    _saved(page)
    _sign_out(page)

    _sign_in(page, "baotou_reviewer")
    page.goto(f"/cases/{case.pk}/#review")
    page.check("#review-form input[value=approved]")
    page.fill("#opinion", "事实清楚，证据确凿，程序合法")
    page.click("#review-form button")
    _saved(page)
    _sign_out(page)

    _sign_in(page, "baotou_investigator")
    page.goto(f"/cases/{case.pk}/#notices")
    page.fill(".notice-form textarea[name=intended_penalty]", "拟责令停止违法行为，追缴电费并处罚款")
    page.click(".notice-form button")
    _saved(page)
    # The 5-working-day period is running: the page says so; the party waives in writing.
    assert "尚未届满" in page.inner_text("#notices")
    page.click("text=登记：当事人书面放弃陈述申辩和听证")
    _saved(page)
    form = page.locator(".decision-form")
    form.locator("textarea[name=penalty_and_basis]").fill("责令停止违法行为，处罚款；依据电力法第七十一条")
    form.locator("input[name=fine_yuan]").fill("50000")
    form.locator("input[name=authority]").fill("包头市发展和改革委员会")
    form.locator("button").click()
    _saved(page)
    case.refresh_from_db()
    assert case.stage == Case.Stage.DECIDED
    # Nobody typed a number: the notice and the decision carry the ones allocated when they were issued.
    decision = case.decisions.get()
    assert re.fullmatch(r"包发改罚〔\d{4}〕1号", decision.number) and decision.number in page.inner_text(
        "#decisions"
    )
    assert re.fullmatch(r"包发改告〔\d{4}〕1号", case.notices.get().number)
    assert "电网企业" in page.inner_text("#tasks")
    _shot(page, "case-decided")
    _sign_out(page)

    task = Task.objects.get(case=case, department="grid_company", action="recover_theft_charges")
    _sign_in(page, "l_grid_company")
    page.goto("/cases/tasks/")
    page.click(f"text={task.title}")
    page.fill("#document_number", "包电营〔2026〕88号")
    page.set_input_files(
        "#proof", files=[{"name": "追补电费通知.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
    )
    page.click("#close-form button")
    _saved(page)
    assert "已办结" in page.inner_text("h1")
    _shot(page, "task-closed")
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.document_number == "包电营〔2026〕88号"
