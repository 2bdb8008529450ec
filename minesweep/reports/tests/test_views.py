import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minesweep.audit.models import AuditEvent
from minesweep.reports.models import Report, ReportNotification
from minesweep.reports.tests.conftest import jpeg_with_gps, report_data, solved_challenge

pytestmark = pytest.mark.django_db


def web_submit(client=None, files=(), **overrides):
    client = client or Client()
    data = {**report_data(**overrides), **solved_challenge(), "acknowledge": "on"}
    if files:
        data["files"] = list(files)
    return client.post("/report/", data)


def receipt_of(response) -> str:
    groups = re.findall(r'<span class="group">(\d{6})</span>', response.content.decode())
    return "-".join(groups)


def test_it_shows_the_form_with_the_false_accusation_notice_and_a_challenge():
    page = Client().get("/report/").content.decode()
    assert "诬告" in page and 'name="challenge"' in page and "challenge.js" in page
    assert "mining_enterprise" in page and "disguised_data_center" in page and "150602" in page


def test_it_files_from_the_web_and_shows_the_receipt_proof_and_removed_metadata():
    photo = SimpleUploadedFile("IMG_2.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = web_submit(files=[photo])
    assert response.status_code == 201
    page = response.content.decode()
    receipt = receipt_of(response)
    assert len(receipt) == 34 and "GPS" in page and "SHA-256" in page and "data:text/plain" in page
    assert "no-store" in response["Cache-Control"]
    assert Report.objects.get().channel == "web"


@pytest.mark.parametrize(
    ("language", "whole_league", "foreign"),
    [("zh-hans", "包头市（旗县区不详）", "county unknown"), ("en", "包头市 (county unknown)", "旗县区不详")],
)
def test_the_place_picker_wraps_the_place_names_in_the_pages_language(language, whole_league, foreign):
    """Place names are Chinese proper names in both languages; the words and brackets around them are the
    page's: no "（county unknown）" with Chinese brackets round English words."""
    client = Client()
    client.cookies["django_language"] = language
    page = client.get("/report/").content.decode()
    picker = re.search(r'<select name="division_code".*?</select>', page, re.S)
    assert picker
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', picker.group(0))
    assert ("150200", whole_league) in options
    assert foreign not in picker.group(0)
    if language == "en":
        assert not re.search(r"[（）]", picker.group(0))


@pytest.mark.parametrize(
    ("language", "switch", "why"),
    [
        ("zh-hans", "English", "本页不能切换语言"),
        ("en", "中文", "The language cannot be changed on this page"),
    ],
)
def test_the_receipt_page_cannot_be_left_by_the_language_switch(language, switch, why):
    """Switching the language reloads /report/ empty and the code (kept nowhere in plaintext) is gone: on the
    receipt the switch is disabled and says why; the report form itself keeps a working switch."""
    client = Client()
    client.cookies["django_language"] = language
    assert 'action="/i18n/setlang/"' in client.get("/report/").content.decode()
    filed = web_submit(client)
    page = filed.content.decode()
    assert receipt_of(filed) and 'action="/i18n/setlang/"' not in page and "{#" not in page
    button = re.search(
        r'<span class="inline lang locked" lang="[^"]+" title="([^"]+)">(<button[^>]*>)([^<]+)<', page
    )
    assert button and button.group(3) == switch and " disabled " in button.group(2)
    assert ("回执码" if switch == "中文" else "receipt code") in button.group(1)
    assert why in page and 'id="lang-locked"' in page
    other = "本页不能切换语言" if language == "en" else "The language cannot be changed on this page"
    assert other not in page  # one language at a time on the page itself


def test_the_receipt_names_what_was_removed_in_one_language_at_a_time():
    photo = SimpleUploadedFile("IMG_3.jpg", jpeg_with_gps(), content_type="image/jpeg")
    chinese = web_submit(files=[photo]).content.decode()
    assert "GPS 位置" in chinese and "GPS location" not in chinese
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    photo = SimpleUploadedFile("IMG_4.jpg", jpeg_with_gps(), content_type="image/jpeg")
    filed = web_submit(client, files=[photo])
    english = filed.content.decode()
    assert "GPS location" in english and "GPS 位置" not in english and "camera make" in english
    status = client.post("/report/follow-up/", {"receipt": receipt_of(filed)}, follow=True).content.decode()
    assert "photo · " in status and "removed: EXIF, GPS location" in status and "相机" not in status


def test_removed_metadata_is_listed_with_each_languages_own_comma(intake_officer, client_for):
    """Chinese enumerates with "、" (EXIF、GPS 位置), English with ", ": the follow-up page and the intake
    detail alike."""
    photo = SimpleUploadedFile("IMG_5.jpg", jpeg_with_gps(), content_type="image/jpeg")
    receipt = receipt_of(web_submit(files=[photo]))
    number = Report.objects.get().number
    reporter, officer = Client(), client_for(intake_officer)
    pages = {}
    for language in ("zh-hans", "en"):
        reporter.post("/i18n/setlang/", {"language": language, "next": "/"})
        officer.post("/i18n/setlang/", {"language": language, "next": "/"})
        status = reporter.post("/report/follow-up/", {"receipt": receipt}, follow=True).content.decode()
        detail = officer.get(f"/intake/r/{number}/").content.decode()
        pages[language] = (status, detail)
    status, detail = pages["zh-hans"]
    assert "已删除：EXIF、GPS 位置、" in status and "EXIF, " not in status
    assert "（已删除：EXIF、GPS 位置、" in detail and "EXIF, " not in detail
    status, detail = pages["en"]
    assert "removed: EXIF, GPS location, " in status and "、" not in status
    assert "(removed: EXIF, GPS location, " in detail and "EXIF、" not in detail


def test_it_requires_the_notice_to_be_acknowledged():
    data = {**report_data(), **solved_challenge()}
    response = Client().post("/report/", data)
    assert response.status_code == 400 and "诬告" in response.content.decode()
    assert not Report.objects.exists()


def test_it_shows_field_errors_in_chinese_and_keeps_the_input():
    response = web_submit(uscc="91150602MA0XXXXXX1", subject_name="保留我")
    page = response.content.decode()
    assert response.status_code == 400 and "统一社会信用代码无效" in page and "保留我" in page
    assert not Report.objects.exists()


def test_it_follows_up_reads_replies_and_takes_more_information(intake_officer, client_for):
    receipt = receipt_of(web_submit())
    report = Report.objects.get()
    officer = client_for(intake_officer)
    officer.post(f"/intake/r/{report.number}/ask/", {"text": "请问有照片吗？"})
    reporter = Client()
    page = reporter.post("/report/follow-up/", {"receipt": receipt.replace("-", " ")}, follow=True)
    assert (
        page.status_code == 200
        and "请问有照片吗？" in page.content.decode()
        and "核查中" in page.content.decode()
    )
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    photo = SimpleUploadedFile("more.jpg", jpeg_with_gps(), content_type="image/jpeg")
    answer = reporter.post(
        "/report/follow-up/message/", {"token": token, "body": "有，已上传", "files": [photo]}
    )
    assert answer.status_code == 302, "post/redirect/get: the message page is reached by a redirect"
    shown = reporter.get(answer["Location"]).content.decode()
    assert "有，已上传" in shown and "已发送" in shown
    assert reporter.get(answer["Location"]).status_code == 200  # a refresh is a GET: nothing stored again
    assert report.attachments.count() == 1 and report.messages.filter(author="reporter").count() == 1
    assert ReportNotification.objects.filter(kind="reporter_message", user=intake_officer).exists()


def test_it_refuses_a_wrong_receipt_on_the_page():
    web_submit()
    response = Client().post("/report/follow-up/", {"receipt": "000000-000000-000000-000000-000000"})
    assert response.status_code in (400, 404)
    assert "回执码" in response.content.decode()


def test_it_keeps_the_typed_receipt_and_names_the_mistyped_group_in_words():
    receipt = receipt_of(web_submit())
    typo = receipt[:7] + str((int(receipt[7]) + 1) % 10) + receipt[8:]
    body = Client().post("/report/follow-up/", {"receipt": typo}).content.decode()
    assert f'value="{typo}"' in body
    assert "第 2 组（第 7–12 位数字）" in body and "reports.receipt_typo" not in body


def test_it_refuses_an_expired_or_forged_follow_up_token():
    response = Client().post("/report/follow-up/message/", {"token": "forged", "body": "hi"})
    assert response.status_code == 400 and "过期" in response.content.decode()


def test_it_lets_an_officer_enter_a_phone_report_with_the_channel(intake_officer, client_for):
    client = client_for(intake_officer)
    assert client.get("/intake/new/").status_code == 200
    data = {**report_data(), "channel": "phone", "contact": "来电 13800000000"}
    response = client.post("/intake/new/", data)
    assert response.status_code == 201 and receipt_of(response)
    report = Report.objects.get()
    assert report.channel == "phone" and report.entered_by == intake_officer and report.has_contact


def test_it_keeps_an_officer_entry_inside_the_officers_jurisdiction(make_staff, client_for):
    from minesweep.accounts.roles import Role

    baotou_intake = make_staff("baotou_intake", Role.INTAKE_OFFICER, "150200")
    response = client_for(baotou_intake).post("/intake/new/", {**report_data(), "channel": "letter"})
    assert response.status_code == 400 and not Report.objects.exists()


def test_it_groups_likely_duplicates_in_the_queue(intake_officer, client_for):
    web_submit()
    web_submit(
        client=Client(), subject_name="另一家", address="东胜区铜川镇工业园区8号厂房", power_account=""
    )
    web_submit(
        client=Client(),
        division_code="150203",
        subject_name="包头某公司",
        address="昆都仑区某路",
        power_account="150203000001",
    )
    page = client_for(intake_officer).get("/intake/").content.decode()
    # One table; the two reports about the same address share group letter A, the third is on its own.
    assert page.count("<table") == 1 and page.count('class="report-row dup"') == 2
    assert "<strong>A</strong>" in page and "<strong>B</strong>" not in page
    assert "同一地址" in page and "同一户号" not in page
    found = client_for(intake_officer).get("/intake/", {"q": "包头某公司"}).content.decode()
    assert found.count('class="report-row') == 1 and "包头某公司" in found


def test_it_triages_from_the_detail_page(intake_officer, client_for):
    web_submit()
    web_submit(client=Client())
    first, second = Report.objects.order_by("created_at")
    client = client_for(intake_officer)
    detail = client.get(f"/intake/r/{first.number}/")
    assert detail.status_code == 200 and "厂房昼夜风扇轰鸣" in detail.content.decode()
    assert client.post(f"/intake/r/{second.number}/merge/", {"into": first.number}).status_code == 302
    assert client.post(f"/intake/r/{first.number}/route/", {"league": "150600"}).status_code == 302
    refused = client.post(f"/intake/r/{first.number}/dismiss/", {"text": ""})
    assert refused.status_code == 400 and "理由" in refused.content.decode()
    assert client.post(f"/intake/r/{first.number}/convert/", {"text": "东胜区疑似矿场"}).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (
        first.state == "converted" and first.lead.title == "东胜区疑似矿场" and second.duplicate_of == first
    )
    assert client.post(f"/intake/r/{first.number}/reply/", {"text": "感谢举报，已转核查"}).status_code == 302
    assert client.post(f"/intake/r/{first.number}/bogus/", {}).status_code == 404


def test_it_requires_a_reason_to_show_the_contact(intake_officer, client_for):
    web_submit(contact="微信 spy_contact_77")
    report = Report.objects.get()
    client = client_for(intake_officer)
    assert "spy_contact_77" not in client.get(f"/intake/r/{report.number}/").content.decode()
    refused = client.post(f"/intake/r/{report.number}/contact/", {"reason": ""})
    assert refused.status_code == 400 and "spy_contact_77" not in refused.content.decode()
    shown = client.post(f"/intake/r/{report.number}/contact/", {"reason": "回访"})
    assert "spy_contact_77" in shown.content.decode()
    assert AuditEvent.objects.filter(action="reports.report.read_contact", actor=intake_officer).count() == 1


def test_it_downloads_a_sanitised_attachment_and_audits_it(intake_officer, client_for):
    web_submit(files=[SimpleUploadedFile("x.jpg", jpeg_with_gps(), content_type="image/jpeg")])
    report = Report.objects.get()
    attachment = report.attachments.get()
    response = client_for(intake_officer).get(f"/intake/r/{report.number}/files/{attachment.pk}/")
    assert (
        response.status_code == 200
        and response.content[:2] == b"\xff\xd8"
        and b"SpyCam" not in response.content
    )
    assert AuditEvent.objects.filter(action="reports.attachment.download").exists()


def test_it_shows_notification_badges_and_marks_them_read(intake_officer, client_for):
    web_submit()
    client = client_for(intake_officer)
    assert 'id="unread">1<' in client.get("/intake/").content.decode()
    assert "新举报" in client.get("/intake/notifications/").content.decode()
    client.post("/intake/notifications/")
    assert 'id="unread">0<' in client.get("/intake/").content.decode()


def test_it_lists_the_queue_in_the_staff_menu(intake_officer, client_for):
    assert "/intake/" in client_for(intake_officer).get("/staff/").content.decode()


def test_it_keeps_what_was_typed_and_asks_to_choose_the_files_again_after_an_error():
    photo = SimpleUploadedFile("IMG_3.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = web_submit(files=[photo], uscc="91150602MA0N0000X1", address="东胜区某路 99 号")
    body = response.content.decode()
    assert response.status_code == 400 and not Report.objects.exists()
    assert 'value="东胜区某算力科技有限公司"' in body and 'value="东胜区某路 99 号"' in body
    assert 'value="91150602MA0N0000X1"' in body and 'id="files-again"' in body
    assert "统一社会信用代码无效" in body and "check character" not in body  # one language at a time


def test_it_confirms_each_triage_action_and_keeps_the_text_of_a_refused_one(intake_officer, client_for):
    web_submit()
    report = Report.objects.get()
    officer = client_for(intake_officer)
    refused = officer.post(f"/intake/r/{report.number}/ask/", {"text": "请看 <script>x</script>"})
    assert (
        refused.status_code == 400
        and "请看 &lt;script&gt;x&lt;/script&gt;</textarea>" in refused.content.decode()
    )
    done = officer.post(f"/intake/r/{report.number}/ask/", {"text": "请问有照片吗？"}, follow=True)
    assert "问题已发给举报人" in done.content.decode()
    page = officer.get(f"/intake/r/{report.number}/").content.decode()
    assert '<option value="">请选择要并入的举报</option>' in page or "merge" not in page


def test_it_keeps_the_report_context_on_the_lead_it_becomes(intake_officer, ordos_investigator, client_for):
    web_submit(latitude="39.8123", longitude="109.9876")
    report = Report.objects.get()
    client_for(intake_officer).post(f"/intake/r/{report.number}/convert/", {"text": "东胜区某厂房挖矿"})
    report.refresh_from_db()
    page = client_for(ordos_investigator).get(f"/cases/leads/{report.lead_id}/").content.decode()
    assert 'id="from-report"' in page and report.number in page and "东胜区某算力科技有限公司" in page
    assert "39.812300, 109.987600" in page and f"/intake/r/{report.number}/" in page
    assert "（150602）" not in page and "demo:" not in page  # the division by name, no raw references


def test_roles_that_read_reports_open_the_reporters_words_from_the_lead_page_audited(
    intake_officer, ordos_investigator, make_staff, client_for
):
    """Issue 14: the lead keeps no copy of the reporter's text; an investigator asks for it on the lead page
    and gets it through report_content_read (audited); analysts and liaisons never see it, even by asking."""
    from minesweep.accounts.roles import Role

    words = "厂房昼夜风扇轰鸣，冬天屋顶不积雪。"
    web_submit()
    report = Report.objects.get()
    client_for(intake_officer).post(f"/intake/r/{report.number}/convert/", {"text": "东胜区某厂房挖矿"})
    report.refresh_from_db()
    lead_url = f"/cases/leads/{report.lead_id}/"
    ask = f"{lead_url}?report_text={report.number}"
    reads = AuditEvent.objects.filter(action="reports.report.read")

    investigator = client_for(ordos_investigator)
    page = investigator.get(lead_url).content.decode()
    assert words not in page and f'href="?report_text={report.number}' in page and reads.count() == 0
    page = investigator.get(ask).content.decode()
    assert 'id="report-text"' in page and words in page
    event = reads.get()
    assert event.actor == ordos_investigator and event.object_id == str(report.pk)

    for role in (Role.ANALYST, Role.DEPARTMENT_LIAISON):
        other = make_staff(
            f"ordos_{role.value}", role, "150600", "grid_company" * (role == Role.DEPARTMENT_LIAISON)
        )
        response = client_for(other).get(ask)
        body = response.content.decode()
        assert words not in body and 'href="?report_text=' not in body and 'id="report-text"' not in body
    assert reads.count() == 1


def test_a_busy_database_while_filing_files_nothing_and_keeps_what_was_typed(monkeypatch):
    """The lock is met inside the filing's transaction (its audit event): nothing of the report is kept,
    the form comes back with the reporter's words, a 503 with Retry-After, one language."""
    from django.db import OperationalError

    from minesweep.reports import services

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "audit_record", locked)
    photo = SimpleUploadedFile("IMG_4.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = web_submit(Client(raise_request_exception=False), files=[photo], address="东胜区某路 7 号")
    body = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "举报尚未提交" in body and "The system is busy" not in body
    assert 'value="东胜区某路 7 号"' in body and 'id="files-again"' in body
    assert (
        not Report.objects.exists() and not AuditEvent.objects.filter(action__startswith="reports.").exists()
    )


def test_a_busy_database_after_filing_still_shows_the_receipt(monkeypatch):
    """Counting the submission against the quota comes after the report is filed: its failure costs one
    count of the rate limit, never the receipt the reporter needs."""
    from django.db import OperationalError

    from minesweep.reports import antiabuse

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(antiabuse, "counter_hit", locked)
    response = web_submit(Client(raise_request_exception=False))
    assert response.status_code == 201 and len(receipt_of(response)) == 34
    assert Report.objects.count() == 1
