"""Pages: every stage of a case renders for its investigator; posted actions go through the services;
refusals come back as bilingual messages and change nothing; liaisons close their tasks."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from minesweep.accounts.roles import Role
from minesweep.cases import selectors, services
from minesweep.cases.models import Case, CaseParty, Lead, Task
from minesweep.cases.panels import PANELS
from minesweep.cases.scenarios import run
from minesweep.cases.tests.conftest import LONG_AGO
from minesweep.core.errors import TransitionError
from minesweep.policy.codes import ACTIONS

pytestmark = pytest.mark.django_db


PANEL_CODES = [p.code for p in PANELS]


def _messages(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.mark.parametrize(
    "stage", ["investigating", "legal_review", "notice", "decided", "closed", "reopened"]
)
def test_it_renders_the_case_page_at_every_stage(crew, lead, client_for, stage):
    case = run(crew, lead, to=stage, filed_on=LONG_AGO)
    client = client_for(crew.investigator)
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert case.number in body
    assert "期限" in body


def test_it_lists_leads_and_cases_with_their_deadlines(crew, lead, make_lead, client_for):
    run(crew, lead, to="decided", filed_on=LONG_AGO)
    make_lead(title="另一条待核查线索")
    client = client_for(crew.investigator)
    leads_page = client.get("/cases/leads/").content.decode()
    assert "另一条待核查线索" in leads_page
    cases_page = client.get("/cases/").content.decode()
    assert "已决定" in cases_page


def test_it_files_a_lead_from_the_lead_page(crew, lead, client_for):
    client = client_for(crew.investigator)
    client.post(f"/cases/leads/{lead.pk}/verify/", {"notes": "调取数据"})
    response = client.post(
        f"/cases/leads/{lead.pk}/file/",
        {"second_officer": crew.second.pk, "reason": "核查属实，依法立案", "pack": "inner_mongolia_2021"},
    )
    case = Case.objects.get(lead=lead)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.second_officer == crew.second


@pytest.mark.parametrize(
    ("language", "said"), [("zh-hans", "请选择第二名办案人员"), ("en", "choose the second officer")]
)
def test_it_marks_the_missing_second_officer_at_its_field(crew, lead, client_for, language, said):
    client = client_for(crew.investigator)
    client.cookies["django_language"] = language
    client.post(f"/cases/leads/{lead.pk}/verify/")
    filing = {"second_officer": "", "reason": "核查属实，依法立案", "pack": "inner_mongolia_2021"}
    page = unescape(client.post(f"/cases/leads/{lead.pk}/file/", filing, follow=True).content.decode())
    assert not Case.objects.filter(lead=lead).exists()
    field = re.search(
        r'<select id="second_officer"[^>]*>.*?</select>\s*<div class="error"[^>]*>([^<]*)</div>', page, re.S
    )
    assert field and field.group(1) == said
    assert 'aria-invalid="true" aria-describedby="second_officer-error"' in field.group(0)
    assert "请选择一项" not in page and "please choose one" not in page
    # The next visit is a clean form again.
    assert "second_officer-error" not in client.get(f"/cases/leads/{lead.pk}/").content.decode()


def test_it_asks_for_the_delay_reason_on_a_lead_past_its_check_period(crew, lead, client_for):
    import datetime as dt

    Lead.objects.filter(pk=lead.pk).update(received_on=dt.date(2026, 9, 21))  # period ended 2026-10-19
    client = client_for(crew.investigator)
    client.post(f"/cases/leads/{lead.pk}/verify/")
    page = client.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'name="late_reason"' in page
    assert "/extend/" not in page  # a lapsed period is explained, not extended afterwards
    filing = {"second_officer": crew.second.pk, "reason": "核查属实，依法立案", "pack": "inner_mongolia_2021"}
    refused = client.post(f"/cases/leads/{lead.pk}/file/", filing, follow=True)
    assert "逾期原因" in _messages(refused) and not Case.objects.exists()
    client.post(f"/cases/leads/{lead.pk}/file/", {**filing, "late_reason": "等待电网调取三个月数据"})
    assert "等待电网调取三个月数据" in Case.objects.get(lead=lead).log.get(action="cases.case.file").note


def test_it_asks_for_no_delay_reason_within_the_check_period(crew, lead, client_for):
    client = client_for(crew.investigator)
    client.post(f"/cases/leads/{lead.pk}/verify/")
    page = client.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'name="late_reason"' not in page and "/extend/" in page


def test_it_refuses_filing_without_a_second_officer_and_says_why(crew, lead, client_for):
    client = client_for(crew.investigator)
    client.post(f"/cases/leads/{lead.pk}/verify/")
    response = client.post(
        f"/cases/leads/{lead.pk}/file/",
        {"second_officer": crew.investigator.pk, "reason": "核查属实"},
        follow=True,
    )
    # One language at a time: Chinese by default, English after the switch.
    assert "两名以上执法人员" in _messages(response) and "two officers" not in _messages(response)
    client.cookies["django_language"] = "en"
    response = client.post(
        f"/cases/leads/{lead.pk}/file/",
        {"second_officer": crew.investigator.pk, "reason": "核查属实"},
        follow=True,
    )
    assert "two officers" in _messages(response) and "两名" not in _messages(response)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.VERIFYING and not Case.objects.exists()


def test_it_shows_a_bilingual_message_for_an_illegal_transition(crew, lead, client_for):
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO)
    client = client_for(crew.investigator)
    response = client.post(f"/cases/{case.pk}/act/close/", {"summary": "想直接结案"}, follow=True)
    text = _messages(response)
    assert "不能结案" in text and "cannot close it" not in text
    client.cookies["django_language"] = "en"
    response = client.post(f"/cases/{case.pk}/act/close/", {"summary": "想直接结案"}, follow=True)
    assert "cannot close it" in _messages(response)
    case.refresh_from_db()
    assert case.stage == Case.Stage.INVESTIGATING


def test_it_rejects_a_bad_date_with_a_clear_message(crew, lead, client_for):
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO)
    client = client_for(crew.investigator)
    response = client.post(
        f"/cases/{case.pk}/act/inspection/",
        {"inspected_on": "27/11/2026", "place": "厂房", "officers": "甲、乙"},
        follow=True,
    )
    assert "年-月-日" in _messages(response)
    assert case.inspections.count() == 1  # only the scenario's


def test_a_party_added_on_the_page_holds_a_market_participation_or_preference_only_when_ticked(
    crew, lead, client_for
):
    """Neither is presumed (codes.PRESUMED_HOLDINGS): the boxes add them to the presumption or to the holdings
    chosen; left empty, the party keeps the category's presumption (null)."""
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO)
    client = client_for(crew.investigator)
    for name, holdings, records in (
        ("甲公司", "", ["market_participation"]),
        ("乙公司", "power_account", ["own_preference", "project"]),
        ("丙公司", "", []),
    ):
        client.post(
            f"/cases/{case.pk}/act/party_add/",
            {"name": name, "category": "enterprise", "holdings": holdings, "records": records},
        )
    held = dict(case.parties.values_list("name", "holdings"))
    assert held["甲公司"] == ["market_participation", "power_account", "project"]
    assert held["乙公司"] == ["own_preference", "power_account"]  # the select, not the box, says project
    assert held["丙公司"] is None
    page = client.get(f"/cases/{case.pk}/?p=parties").content.decode()
    assert 'name="records" value="market_participation"' in page


def test_it_lets_the_liaison_close_their_task_with_a_document_and_proof(crew, lead, client_for):
    case = run(crew, lead, to="decided", filed_on=LONG_AGO)
    task = case.tasks.filter(department="grid_company").first()
    liaison = crew.liaisons["grid_company"]
    client = client_for(liaison)
    listing = client.get("/cases/tasks/").content.decode()
    assert task.title in listing
    assert client.get(f"/cases/tasks/{task.pk}/").status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        f"/cases/tasks/{task.pk}/close/",
        {
            "document_number": "包电〔2026〕7号",
            "proof": SimpleUploadedFile("回执.pdf", b"%PDF-1.4 proof", "application/pdf"),
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.document_number == "包电〔2026〕7号"
    proof = client.get(f"/cases/tasks/{task.pk}/proof/")
    assert proof.status_code == 200 and proof.content == b"%PDF-1.4 proof"
    from minesweep.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="cases.task.proof_download", object_id=str(task.pk)).exists()


def test_a_tasks_title_reads_in_one_language_at_a_time(crew, lead, client_for):
    """The platform titles a task with the action's Chinese name and the party's name: an English reader
    got "停限电：…" in the list, the case page and the task's own heading."""
    case = run(crew, lead, to="decided", filed_on=LONG_AGO)
    task = case.tasks.filter(department="grid_company", action="power_cut").first()
    party = task.title.split("：", 1)[1]
    client = client_for(crew.liaisons["grid_company"])
    assert task.title in client.get("/cases/tasks/").content.decode()
    client.cookies["django_language"] = "en"
    english = ACTIONS["power_cut"].en
    for page in ("/cases/tasks/", f"/cases/tasks/{task.pk}/"):
        body = client.get(page).content.decode()
        assert f"{english}: {party}" in body and task.title not in body


def test_it_refuses_closing_a_task_without_proof(crew, lead, client_for):
    case = run(crew, lead, to="decided", filed_on=LONG_AGO)
    task = case.tasks.filter(department="grid_company").first()
    client = client_for(crew.liaisons["grid_company"])
    response = client.post(f"/cases/tasks/{task.pk}/close/", {"document_number": "X-1"}, follow=True)
    assert "请选择要上传的文件" in _messages(response)
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_it_shows_the_digest_page(crew, lead, client_for):
    run(crew, lead, to="notice", filed_on=LONG_AGO)
    response = client_for(crew.investigator).get("/cases/digest/")
    assert response.status_code == 200
    assert "已逾期" in response.content.decode()


def test_it_renders_the_case_page_in_english(crew, lead, client_for):
    case = run(crew, lead, to="decided", filed_on=LONG_AGO)
    client = client_for(crew.investigator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    # The page shows one panel at a time (issue 15): read them all.
    body = "".join(client.get(f"/cases/{case.pk}/", {"p": p}).content.decode() for p in PANEL_CODES)
    assert "Deadlines" in body and "Department tasks" in body and "Cut or restrict the power supply" in body


def _without_chinese_names(html: str) -> str:
    """The page's text without the parts marked Chinese (law citations, names, numbers), without what
    officers wrote and without form fields (prefilled document text is Chinese by design)."""
    html = re.sub(r"<form\b.*?</form>", "", html, flags=re.S)
    html = re.sub(r'<p class="pre"[^>]*>.*?</p>', "", html, flags=re.S)  # what officers wrote
    for _ in range(3):
        html = re.sub(r'<(\w+)[^>]*\blang="zh-Hans"[^>]*>[^<]*</\1>', "", html)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("panel", "section"), [("determination", "measures"), ("tracks", "tracks")])
def test_it_shows_measures_and_tracks_in_english_only(crew, lead, client_for, panel, section):
    case = run(crew, lead, to="decided", filed_on=LONG_AGO)
    client = client_for(crew.investigator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(f"/cases/{case.pk}/", {"p": panel}).content.decode()
    found = re.search(rf'<(table|section) id="{section}".*?</\1>', body, re.S)
    assert found, section
    text = _without_chinese_names(found.group(0))
    for party in case.parties.all():
        text = text.replace(party.name, "")
    assert not re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text), text
    if section == "tracks":
        track = case.tracks.get(kind="penalty")
        assert track.hearing_reason_en and track.hearing_reason_en in text
    else:
        shown = case.determination.measures.filter(origin="engine", struck=False)
        assert shown and all(m.reason_en.startswith("party '") for m in shown)
        assert text.count("is a subject of measure") == shown.count(), "the engine's reason in English"


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        (
            "zh-hans",
            "电力折标系数（当量值）",
            "Electricity conversion factor to standard coal (calorific value)",
        ),
        ("en", "Electricity conversion factor to standard coal (calorific value)", "电力折标系数（当量值）"),
    ],
)
def test_it_shows_the_calculation_worksheet_in_the_pages_language_only(
    crew, lead, client_for, language, shown, hidden
):
    """A worksheet stored before ``label_en`` existed (steps with ``name`` and the Chinese ``label`` only)
    shows its rows in English on the English page, by the steps' names; the Chinese page shows them as
    stored. The notes show one language; the cited sources stay Chinese, marked as such."""
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO)
    for calculation in case.calculations.all():
        steps = [{k: v for k, v in s.items() if k != "label_en"} for s in calculation.output["steps"]]
        calculation.output = {**calculation.output, "steps": steps}
        calculation.save(update_fields=["output"])
    assert case.calculations.filter(kind="theft").exists(), "the scenario computes the theft too"
    client = client_for(crew.investigator)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    body = client.get(f"/cases/{case.pk}/", {"p": "investigation"}).content.decode()
    found = re.search(r'<section id="calculations".*?</section>', body, re.S)
    assert found
    rows = "".join(re.findall(r'<tr class="calc-step".*?</tr>', found.group(0), re.S))
    assert shown in rows and hidden not in rows
    if language == "en":
        assert "Hours of theft per day (presumed)" in rows and "h/d × 180 d" in rows
        text = _without_chinese_names(found.group(0))
        for party in case.parties.all():
            text = text.replace(party.name, "")
        assert not re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text), text
        assert "duration unknown: the statutory minimum is used" in text
    else:
        assert "每日窃电小时数（推定）" in rows and "h/日 × 180 日" in rows
        assert "窃电时间无法查明，按最低标准推定" in found.group(0)
        assert "the statutory minimum" not in found.group(0)


@pytest.mark.parametrize("stage", ["investigating", "legal_review", "notice", "decided", "closed"])
def test_it_opens_the_case_on_the_panel_of_its_stage_with_the_next_step(crew, lead, client_for, stage):
    from minesweep.cases.panels import STAGE_PANEL

    case = run(crew, lead, to=stage, filed_on=LONG_AGO)
    body = client_for(crew.investigator).get(f"/cases/{case.pk}/").content.decode()
    assert f'href="?p={STAGE_PANEL[case.stage]}" aria-current="page"' in body
    assert 'id="next-actions"' in body and 'id="case-head"' in body
    assert "inner_mongolia_2021" not in body and "cases.case." not in body  # titles and names, not ids


JUNK = {
    "name": "x\x00y",
    "category": "nonsense",
    "facts": ["mining_confirmed", "bogus"],
    "inspected_on": "2026-02-30",
    "collected_on": "yesterday",
    "seized_on": "0001-01-01",
    "count": "99999999999999999999",
    "unit_power_w": "-5",
    "kind": "energy",
    "kwh": "1e999999",
    "year": "abc",
    "party": "999999",
    "measure": "abc",
    "notice": "-1",
    "rule": "inner_mongolia_2021:x",
    "reason": "\x00",
    "outcome": "maybe",
    "served_on": "2026-13-01",
    "scheduled_on": "",
    "fine_yuan": "NaN",
    "documents": ["nope"],
    "summary": "",
    "check": "1",
}


@pytest.mark.parametrize("stage", ["investigating", "notice", "decided"])
def test_it_never_fails_with_a_server_error_on_junk_input(crew, lead, client_for, stage):
    from minesweep.cases.views import CASE_ACTIONS

    case = run(crew, lead, to=stage, filed_on=LONG_AGO)
    client = client_for(crew.investigator)
    for action in CASE_ACTIONS:
        response = client.post(f"/cases/{case.pk}/act/{action}/", JUNK)
        assert response.status_code in (302, 404), (action, response.status_code)
    assert client.post(f"/cases/{case.pk}/act/no_such_action/", {}).status_code == 404
    case.refresh_from_db()
    assert case.stage == (Case.Stage.INVESTIGATING if stage == "investigating" else stage)


def test_it_shows_the_case_read_only_to_leadership(crew, lead, client_for, make_staff):
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO)
    leader = make_staff("baotou_leader", Role.LEADERSHIP, "150200")
    client = client_for(leader)
    body = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'class="readonly"' in body and "只读" in body
    response = client.post(f"/cases/{case.pk}/act/submit/")
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.stage == Case.Stage.INVESTIGATING


def test_it_renders_log_entries_written_by_the_system(crew, lead, client_for):
    from minesweep.cases.models import CaseLog

    case = run(crew, lead, to="investigating", filed_on=LONG_AGO)
    CaseLog.objects.create(case=case, actor=None, action="documents.document.issue", note="立案审批表")
    case.second_officer = None
    case.save()
    response = client_for(crew.investigator).get(f"/cases/{case.pk}/")
    assert response.status_code == 200 and "系统" in response.content.decode()


def test_every_evidence_download_is_audited(crew, lead, client_for):
    from minesweep.audit.models import AuditEvent
    from minesweep.cases import services

    case = run(crew, lead, to="investigating", filed_on=LONG_AGO)
    item = services.evidence_add(
        actor=crew.investigator,
        case=case,
        kind="meter_data",
        description="负荷曲线",
        collected_on=LONG_AGO,
        file=("load.csv", "text/csv", b"ts,kw\n"),
    )
    response = client_for(crew.investigator).get(f"/cases/{case.pk}/evidence/{item.pk}/")
    assert response.status_code == 200 and response.content == b"ts,kw\n"
    event = AuditEvent.objects.get(action="cases.evidence.download")
    assert event.actor == crew.investigator and event.object_id == str(item.pk)


def test_every_lead_attachment_download_is_audited(crew, client_for, make_staff):
    from minesweep.audit.models import AuditEvent
    from minesweep.cases.services import lead_create
    from minesweep.registry.models import Division

    lead = lead_create(
        actor="system",
        source=Lead.Source.METER_ANALYTICS,
        title="带附件的线索",
        division=Division.objects.get(code="150203"),
        attachments=[("carpet.png", "image/png", b"\x89PNG-bytes")],
    )
    attachment = lead.attachments.get()
    url = f"/cases/leads/{lead.pk}/files/{attachment.pk}/"
    assert url in client_for(crew.investigator).get(f"/cases/leads/{lead.pk}/").content.decode()
    response = client_for(crew.investigator).get(url)
    assert response.status_code == 200 and response.content == b"\x89PNG-bytes"
    event = AuditEvent.objects.get(action="cases.lead.attachment_download")
    assert event.actor == crew.investigator and event.object_id == str(attachment.pk)
    outsider = make_staff("ordos_reader", Role.INVESTIGATOR, "150600")
    assert client_for(outsider).get(url).status_code in (403, 404)
    assert AuditEvent.objects.filter(action="cases.lead.attachment_download").count() == 1


def test_it_names_the_source_reports_files_by_kind_in_the_readers_language(crew, intake_officer, client_for):
    from minesweep.registry.models import Division
    from minesweep.reports.attachments import clean_file
    from minesweep.reports.services import report_convert, report_submit
    from minesweep.reports.tests.conftest import jpeg_with_gps

    filed = report_submit(
        channel="web",
        category="mining_enterprise",
        division=Division.objects.get(code="150203"),
        content={"description": "厂房里日夜有风扇声"},
        files=[clean_file("p.jpg", jpeg_with_gps())],
    )
    lead = report_convert(actor=intake_officer, report=filed.report)
    client = client_for(crew.investigator)
    zh = client.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert re.search(r'/intake/r/[^"]+/files/\d+/">照片 1</a>', zh) and "image 1" not in zh
    client.cookies["django_language"] = "en"
    en = client.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert re.search(r'/intake/r/[^"]+/files/\d+/">photo 1</a>', en)


def test_it_neither_offers_nor_accepts_a_legal_reviewer_as_second_officer(crew, lead, client_for):
    from minesweep.accounts.duties import legal_reviewer_assign

    legal_reviewer_assign(user=crew.second)
    client = client_for(crew.investigator)
    client.post(f"/cases/leads/{lead.pk}/verify/")
    page = client.get(f"/cases/leads/{lead.pk}/").content.decode()
    officers = re.search(r'id="second_officer".*?</select>', page, re.S).group(0)
    assert f'<option value="{crew.second.pk}">' not in officers
    response = client.post(
        f"/cases/leads/{lead.pk}/file/",
        {"second_officer": crew.second.pk, "reason": "核查属实", "title": "测试"},
        follow=True,
    )
    assert "法制审核人员不能担任" in _messages(response) and not Case.objects.exists()


def _penalty_actions_html(body: str) -> str:
    found = re.search(r'data-kind="penalty".*?<ul class="track-actions">(.*?)</ul>', body, re.S)
    assert found, "no penalty track shown"
    return found.group(1)


@pytest.mark.parametrize(
    ("language", "violated", "penalty", "unverified"),
    [
        ("zh-hans", "违反：", "处罚依据：", "（待核实）"),
        ("en", "Violated: ", "Penalty basis: ", " (unverified)"),
    ],
)
def test_it_shows_a_penaltys_violated_provisions_and_its_basis_labelled(
    crew, lead, client_for, language, violated, penalty, unverified
):
    """行政处罚法第四十四条、第五十九条: both are shown, each with its label in the page's language."""
    case = run(crew, lead, to="decided", filed_on=LONG_AGO)
    client = client_for(crew.investigator)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    shown = _penalty_actions_html(client.get(f"/cases/{case.pk}/", {"p": "tracks"}).content.decode())
    text = re.sub(r"<[^>]+>", "", shown)
    assert f"{violated}《中华人民共和国电力法》第四条第二款" in text
    assert f"{penalty}《中华人民共和国电力法》第七十一条" in text
    assert f"《电力供应与使用条例》第三十一条{unverified}" in text
    assert text.index(violated) < text.index(penalty)


def test_it_shows_the_packs_violated_provisions_for_an_action_stored_without_them(crew, lead, client_for):
    """A snapshot from before ``violated_basis`` existed: the page still opens and shows the pack's."""
    from minesweep.cases.models import Measure

    case = run(crew, lead, to="decided", filed_on=LONG_AGO)
    for record in [*Measure.objects.filter(determination__case=case), *case.tracks.all()]:
        record.actions = [{k: v for k, v in a.items() if k != "violated_basis"} for a in record.actions]
        record.save(update_fields=["actions"])
    response = client_for(crew.investigator).get(f"/cases/{case.pk}/", {"p": "tracks"})
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", "", _penalty_actions_html(response.content.decode()))
    assert "违反：《中华人民共和国电力法》第四条第二款" in text


def test_a_decided_case_no_longer_warns_about_the_ninety_days(crew, lead, client_for):
    case = run(crew, lead, to="decided", filed_on=LONG_AGO)
    assert services.decision_period(case, dt.date(2026, 12, 2)).criminal_days > 0  # the referral's day
    page = client_for(crew.investigator).get(f"/cases/{case.pk}/").content.decode()
    assert "decision-period" not in page and "仍计入九十日" not in page
    decide = next(d for d in selectors.case_deadlines(case) if d.label_en.startswith("Decide"))
    assert decide.done and decide.label_zh == "作出处罚决定（立案起90日）"


def test_it_says_why_a_fine_waits_and_records_the_criminal_outcome_and_hand_over(crew, lead, client_for):
    """国务院令第310号第十一条、第十二条 on the case page: the hold, the outcome that lifts it, the hand-over."""
    case = run(crew, lead, to="notice", filed_on=LONG_AGO, police_accept=True)
    party = case.parties.get()
    referral = case.referrals.get(kind="police")
    assert referral.exhibits_handed_over_on is not None  # the scenario handed the exhibits over
    client = client_for(crew.investigator)
    page = client.get(f"/cases/{case.pk}/?p=tracks&party={party.pk}").content.decode()
    assert "刑事优先" in page and "公安机关已立案" in page and 'class="notice-form' not in page
    # The ninety days keep running while the police have the case: the pack names no rule excluding them.
    assert re.search(r'class="blockers decision-period"[^>]*>刑事程序已历\d+日，仍计入九十日', page)
    assert "登记刑事程序结果" in client.get(f"/cases/{case.pk}/?p=tasks").content.decode()
    response = client.post(
        f"/cases/{case.pk}/act/referral_outcome/",
        {"referral": referral.pk, "outcome": "withdrawn", "text": "公安机关撤销案件决定书", "outcome_on": ""},
        follow=True,
    )
    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.outcome == "withdrawn"
    page = client.get(f"/cases/{case.pk}/?p=tracks&party={party.pk}").content.decode()
    # The notice is the 能源局's to serve (行政处罚法第四十二条): the 发改委's investigator is told so ...
    assert "刑事优先" not in page and "notice-form" not in page and "该项处罚由" in page
    page = (
        client_for(crew.penalty_officer).get(f"/cases/{case.pk}/?p=tracks&party={party.pk}").content.decode()
    )
    assert "刑事优先" not in page and "notice-form" in page  # ... and its officer has the form
    assert "该项处罚由" not in page


def test_a_police_referral_is_proposed_with_the_offence_chosen_from_the_list(crew, lead, client_for):
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO)
    client = client_for(crew.investigator)
    page = client.get(f"/cases/{case.pk}/?p=tasks").content.decode()
    assert '<option value="refer_police_fundraising_fraud">集资诈骗罪（刑法第一百九十二条）</option>' in page
    before = case.referrals.count()
    post = {"kind": "police", "party": case.parties.first().pk, "grounds": "另查明向社会公众吸收资金"}
    refused = client.post(f"/cases/{case.pk}/act/referral_propose/", {**post, "crime": ""}, follow=True)
    assert refused.status_code == 200 and "须选择涉嫌的罪名" in _messages(refused)
    assert case.referrals.count() == before
    client.post(f"/cases/{case.pk}/act/referral_propose/", {**post, "crime": "refer_police_fundraising"})
    assert case.referrals.filter(action="refer_police_fundraising", status="proposed").count() == 1
    cards = client.get(f"/cases/{case.pk}/?p=tasks").content.decode()
    assert '<span class="referral-crime">非法吸收公众存款罪（刑法第一百七十六条）</span>' in cards


def test_it_assigns_internal_work_from_the_tracks_panel(crew, lead, client_for):
    """The project register (1283号) is internal work: the tracks panel offers to assign it, with no letter."""
    case = run(crew, lead, to="notice", filed_on=LONG_AGO)
    internal = case.tracks.get(kind="internal")
    assert internal.step == "assign"
    client = client_for(crew.investigator)
    page = client.get(f"/cases/{case.pk}/?p=tracks&party={internal.party_id}").content.decode()
    assert "交办内部工作" in page and "不出具文书" in page
    response = client.post(
        f"/cases/{case.pk}/act/track_internal/", {"track": internal.pk, "on": ""}, follow=True
    )
    assert response.status_code == 200
    internal.refresh_from_db()
    assert internal.step == "execution" and not internal.letter_number
    assert list(internal.tasks.values_list("action", flat=True)) == ["register_project"]


def test_it_records_the_facts_found_against_each_party_from_the_engine_form(crew, lead, client_for):
    from minesweep.cases.scenarios import PartySpec

    parties = (
        PartySpec("某矿业有限公司", "enterprise", "operator", ("mining_confirmed",)),
        PartySpec("某工业园区管委会", "industrial_park", "host", ("provided_site_or_power",)),
    )
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO, parties=parties)
    client = client_for(crew.investigator)
    page = client.get(f"/cases/{case.pk}/?p=determination").content.decode()
    park = case.parties.get(category="industrial_park")
    assert f'name="findings_party_{park.pk}"' in page and "对各当事人认定的事实" in page
    response = client.post(
        f"/cases/{case.pk}/act/evaluate/",
        {"findings": "全案事实", f"findings_party_{park.pk}": "经查，园区为矿场供电。"},
        follow=True,
    )
    assert response.status_code == 200
    park.refresh_from_db()
    assert park.findings == "经查，园区为矿场供电。"
    assert case.parties.get(category="enterprise").findings  # not posted: left as it was


def test_the_credit_track_waits_for_a_ground_and_records_one_made_outside(crew, lead, client_for):
    """国办发〔2020〕49号: before the party's decision document exists the panel offers no notice, says why,
    and takes a judgment or another organ's decision; a bad entry changes nothing; then the notice form names
    the ground."""
    from minesweep.audit.models import AuditEvent

    case = run(crew, lead, to="notice", filed_on=LONG_AGO)
    credit = case.tracks.get(kind="credit")
    assert credit.step == "handover"
    url = f"/cases/{case.pk}/?p=tracks&party={credit.party_id}"
    city = (
        client_for(crew.investigator).get(url).content.decode()
    )  # the case's investigator: the organ, no form
    assert "credit-organ-elsewhere" in city and 'name="step" value="ground"' not in city
    # what the track waits for: a document establishing the conduct, not the notice it must precede
    (waiting,) = re.findall(r"待办：([^<]*)</p>", city)
    assert waiting.startswith("认定失信行为的生效文书：本案处罚决定书送达") and "告知书" not in waiting
    client = client_for(crew.credit_officer)
    page = client.get(url).content.decode()
    assert "credit-organ-elsewhere" not in page
    assert "credit-no-ground" in page and "国办发〔2020〕49号" in page
    assert 'name="step" value="notice"' not in page and 'name="step" value="ground"' in page
    post = {
        "track": credit.pk,
        "step": "ground",
        "kind": "criminal_judgment",
        "organ": "包头市九原区人民法院",
    }
    bad = client.post(f"/cases/{case.pk}/act/track_credit/", {**post, "number": "", "on": ""}, follow=True)
    assert bad.status_code == 200 and "请填写文书编号" in _messages(bad)
    odd = client.post(
        f"/cases/{case.pk}/act/track_credit/", {**post, "kind": "rumour", "number": "X-2026-1"}, follow=True
    )
    assert odd.status_code == 200 and "请选择文书种类" in _messages(odd)
    credit.refresh_from_db()
    assert credit.ground_kind == "" and credit.ground_on is None
    client.post(
        f"/cases/{case.pk}/act/track_credit/",
        {**post, "number": "（2026）内0207刑初15号", "on": LONG_AGO.isoformat()},
    )
    credit.refresh_from_db()
    assert (credit.ground_kind, credit.ground_on, credit.step) == ("criminal_judgment", LONG_AGO, "handover")
    # a judgment establishes the conduct but gives no statute to list on (credit.no_listing_statute): the
    # panel says so and opens the form to end the track unlisted, with the reason
    page = client.get(url).content.decode()
    assert "credit-no-ground" not in page and 'name="step" value="notice"' not in page
    assert "credit-no-statute" in page and "第四十八条第一款" in page
    assert '<details class="credit-decline" open>' in page and 'name="step" value="decline"' in page
    assert "包头市九原区人民法院作出的（2026）内0207刑初15号刑事判决书" in page
    city = client_for(crew.investigator).get(url).content.decode()
    assert re.findall(r"待办：([^<]*)</p>", city) == ["行政处罚决定书送达（列入依据），或者记明理由不予列入"]
    client.post(  # another organ's penalty decision: published under 行政处罚法第四十八条第一款
        f"/cases/{case.pk}/act/track_credit/",
        {**post, "kind": "penalty_decision", "organ": "包头市能源局", "number": "包能源罚〔2026〕7号"},
    )
    page = client.get(url).content.decode()
    assert "credit-no-statute" not in page and 'name="step" value="notice"' in page
    assert "包头市能源局作出的包能源罚〔2026〕7号行政处罚决定书" in page
    assert '<details class="credit-decline">' in page  # still offered, closed
    city = client_for(crew.investigator).get(url).content.decode()
    assert re.findall(r"待办：([^<]*)</p>", city) == [
        "送达拟列入失信主体名单告知书"
    ]  # the ground step is optional now
    assert AuditEvent.objects.filter(action="cases.track.credit_ground").count() == 2


def test_the_credit_office_ends_a_track_it_has_no_statute_to_list_on_with_the_reason(crew, lead, client_for):
    """Only a 处理决定书 found the party's conduct and the pack names no listing standard: no notice can be served
    (国办发〔2020〕49号; credit.services.require_listing_statute). The credit office records that the party is
    not listed: a reason too short changes nothing; then the track ends, audited, nothing proposed."""
    from minesweep.audit.models import AuditEvent
    from minesweep.credit.models import ListingRecord

    case = run(crew, lead, to="legal_review", filed_on=LONG_AGO)
    services.legal_review_record(actor=crew.reviewer, case=case, approve=True, opinion="同意")
    credit = case.tracks.get(kind="credit")
    services.track_letter_issue(
        actor=crew.investigator, track=credit.party.tracks.get(kind="measure"), issued_on=LONG_AGO
    )
    client = client_for(crew.credit_officer)
    url = f"/cases/{case.pk}/?p=tracks&party={credit.party_id}"
    page = client.get(url).content.decode()
    assert "credit-no-statute" in page and "处理决定书" in page and 'name="step" value="notice"' not in page
    notice = client.post(
        f"/cases/{case.pk}/act/track_credit/",
        {"track": credit.pk, "step": "notice", "on": LONG_AGO.isoformat()},
        follow=True,
    )
    assert notice.status_code == 200 and "不能将" in _messages(notice) and "地方性法规" in _messages(notice)
    assert not ListingRecord.objects.exists()
    short = client.post(
        f"/cases/{case.pk}/act/track_credit/",
        {"track": credit.pk, "step": "decline", "reason": "不列", "on": LONG_AGO.isoformat()},
        follow=True,
    )
    assert short.status_code == 200 and "不予列入的理由" in _messages(short)
    credit.refresh_from_db()
    assert credit.step == "handover" and not credit.ended
    reason = "仅有处理决定书认定，无列入所依据的法律、法规条款"
    client.post(
        f"/cases/{case.pk}/act/track_credit/",
        {"track": credit.pk, "step": "decline", "reason": reason, "on": LONG_AGO.isoformat()},
    )
    credit.refresh_from_db()
    assert credit.ended and credit.ended_on == LONG_AGO and credit.outcome == f"不予列入：{reason}"
    assert AuditEvent.objects.filter(action="cases.track.credit_decline").count() == 1
    assert reason in case.log.get(action="cases.track.credit_decline").note
    assert not ListingRecord.objects.exists()
    with pytest.raises(TransitionError):  # ended: no notice after it
        services.track_credit_notice_issue(actor=crew.credit_officer, track=credit, served_on=LONG_AGO)


def test_a_party_without_an_address_is_offered_the_form_to_add_one_after_the_review(crew, lead, client_for):
    """No served act is issued without the party's address (documents.party_address_missing): at the notice
    stage the parties card opens the form that adds it, and the address posted is the party's."""
    case = run(crew, lead, to="notice", filed_on=LONG_AGO)
    party = case.parties.first()
    CaseParty.objects.filter(pk=party.pk).update(address="")
    client = client_for(crew.investigator)
    page = client.get(f"/cases/{case.pk}/?p=investigation").content.decode()
    assert "补充住所：送达的文书须载明当事人的地址" in page
    assert f"/cases/{case.pk}/act/party_particulars/" in page
    response = client.post(
        f"/cases/{case.pk}/act/party_particulars/",
        {
            "party": party.pk,
            "identifier": party.identifier,
            "legal_representative": "王某",
            "address": "包头市昆都仑区钢铁大街1号",
            "reason": "补充住所以便送达",
        },
        follow=True,
    )
    assert "已保存" in _messages(response)
    party.refresh_from_db()
    assert party.address == "包头市昆都仑区钢铁大街1号"
    assert (
        "补充住所：送达的文书须载明当事人的地址"
        not in client.get(f"/cases/{case.pk}/?p=investigation").content.decode()
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_measure_picker_names_packs_and_measures_never_their_keys(crew, lead, client_for, language):
    """The officer picks a measure by its pack's title and the measure's name in the page's language; the
    pack id stays in the option's value only."""
    from minesweep.cases.services import packs_for
    from minesweep.policy.packs import load_pack

    case = run(crew, lead, to="investigating", filed_on=LONG_AGO)
    client = client_for(crew.investigator)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    body = client.get(f"/cases/{case.pk}/", {"p": "determination"}).content.decode()
    picker = re.search(r'<select id="ma-rule".*?</select>', body, re.S)
    assert picker
    shown = unescape(re.sub(r'value="[^"]*"', "", picker.group(0)))
    packs = [load_pack(pack_id) for pack_id in packs_for(case)]
    assert len(packs) == 2
    for pack in packs:
        assert pack.id not in shown
        assert f'label="{(pack.title_en if language == "en" else pack.title_zh)}"' in shown
        rule = pack.rules[0]
        assert (rule.title_en if language == "en" else rule.title_zh) in shown
        assert f'value="{pack.id}:{rule.id}"' in picker.group(0)
    assert not re.search(r"\b[a-z]+_[a-z0-9_]+\b", shown), shown
    assert ("Item " in shown) == (language == "en")


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def test_the_english_measures_table_keeps_the_chinese_clause_out_of_its_sentences(crew, lead, client_for):
    """English page: the reason ("Why") is English throughout (the party's name aside), the rule's English
    wording is shown under the measure, and the clause, which the pack cites in Chinese only, stands on a
    line of its own marked as the original text. A reason stored in the old form (clause mid-sentence) is
    shown in the new form too."""
    case = run(crew, lead, to="decided", filed_on=LONG_AGO)
    engine = case.determination.measures.filter(origin="engine", struck=False)
    assert engine.count() > 1
    old = engine.first()
    assert old is not None
    old.reason_en = (
        f"party '{old.party.name}' (Data centre) is a subject of measure 1 ({old.source_clause}); x"
    )
    old.save(update_fields=["reason_en"])
    client = client_for(crew.investigator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get(f"/cases/{case.pk}/", {"p": "determination"}).content.decode()
    table = re.search(r'<table id="measures".*?</table>', body, re.S)
    assert table
    rows = re.findall(r"<tr class=\"\">(.*?)</tr>", table.group(0), re.S)
    assert len(rows) == engine.count()
    for row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        why = unescape(re.sub(r"<[^>]+>", "", cells[3]))
        for party in case.parties.all():
            why = why.replace(party.name, "")
        assert "is a subject of measure" in why and not _CJK.search(why), why
        source = re.search(r'<span class="help rule-source">(.*?)</span>', cells[0], re.S)
        assert source, cells[0]
        assert "Source, original Chinese:" in source.group(1)
        clause = re.search(r'<q lang="zh-Hans">(.*?)</q>', source.group(1), re.S)
        assert clause and _CJK.search(clause.group(1))
        assert '<span class="help rule-text">' in cells[0]
    assert f"is a subject of measure 1 ({old.title_en})" in unescape(table.group(0))
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese = client.get(f"/cases/{case.pk}/", {"p": "determination"}).content.decode()
    assert "Source, original Chinese" not in chinese and "rule-text" not in chinese
    assert unescape(chinese).count(old.source_clause) >= 1


@pytest.mark.parametrize(("language", "joiner"), [("zh-hans", "、"), ("en", ", ")])
def test_the_case_names_its_officers_joined_in_the_pages_language(crew, lead, client_for, language, joiner):
    case = run(crew, lead, to="investigating", filed_on=LONG_AGO)
    client = client_for(crew.investigator)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    page = unescape(client.get(f"/cases/{case.pk}/").content.decode())
    officers = re.search(r"<dt>(?:承办人|Officers)</dt><dd>(.*?)</dd>", page, re.S)
    assert officers
    names = officers.group(1)
    assert joiner in names and ("、" in names) == (language == "zh-hans"), names
