import base64
import itertools
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from minesweep.audit.models import AuditEvent
from minesweep.audit.services import audit_verify
from minesweep.cases.models import Lead
from minesweep.core.errors import DomainError, TransitionError
from minesweep.registry.models import Division
from minesweep.reports import services
from minesweep.reports.attachments import clean_file
from minesweep.reports.models import PublicStatus, Report, ReportNotification, TriageState
from minesweep.reports.selectors import report_by_receipt
from minesweep.reports.tests.conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db
SECRET_TEXT = "独特的举报描述文字XYZ"


_SERIAL = itertools.count(1)


def file_report(**kw):
    defaults = dict(
        channel="web",
        category="mining_enterprise",
        division=Division.objects.get(code="150602"),
        content={"description": SECRET_TEXT, "observed_scale": f"{next(_SERIAL)} 台"},
        subject_name="东胜区某公司",
        address="东胜区某路 1 号",
        contact="手机13900001111",
    )
    defaults.update(kw)
    return services.report_submit(**defaults)


def all_database_text() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        chunks.append(bytes(value).decode("utf-8", "replace"))
                    else:
                        chunks.append(str(value))
    return "\n".join(chunks)


def test_it_encrypts_text_contact_and_files_at_rest():
    filed = file_report(files=[clean_file("p.jpg", jpeg_with_gps())])
    text = all_database_text()
    assert SECRET_TEXT not in text and "13900001111" not in text
    assert filed.receipt not in text and filed.receipt.replace("-", "") not in text
    assert services.report_content(filed.report)["description"] == SECRET_TEXT
    name, content = services.attachment_open(filed.report.attachments.get())
    assert name == "p.jpg" and content[:2] == b"\xff\xd8"


def test_it_opens_a_report_by_receipt_and_nothing_else():
    filed = file_report()
    assert report_by_receipt(filed.receipt) == filed.report
    other = file_report()
    assert report_by_receipt(other.receipt) == other.report != filed.report
    from minesweep.security.receipts import receipt_generate

    assert report_by_receipt(receipt_generate()) is None


def test_it_gives_a_proof_with_time_category_and_digest():
    filed = file_report()
    proof = filed.proof()
    assert proof["category"] == "mining_enterprise" and len(proof["sha256"]) == 64
    assert proof["filed_at"].endswith("+08:00") and filed.receipt in filed.proof_text()
    assert filed.report.content_sha256 == proof["sha256"]


def test_it_uses_photo_gps_as_location_only_with_consent():
    without = file_report(
        files=[clean_file("p.jpg", jpeg_with_gps(), keep_gps=False)], use_photo_location=False
    )
    assert without.report.latitude is None
    with_ = file_report(files=[clean_file("p.jpg", jpeg_with_gps(), keep_gps=True)], use_photo_location=True)
    assert with_.report.location_from_photo and abs(with_.report.latitude - Decimal("39.784167")) < Decimal(
        "0.0001"
    )


def test_it_notifies_officers_whose_jurisdiction_contains_the_report(
    intake_officer, ordos_investigator, baotou_investigator
):
    filed = file_report()
    notified = set(
        ReportNotification.objects.filter(report=filed.report).values_list("user__username", flat=True)
    )
    assert notified == {"intake", "ordos_investigator"}


def test_it_triages_with_an_audit_event_for_every_step(intake_officer, ordos_investigator):
    a, b = file_report(), file_report()
    services.report_merge(actor=intake_officer, report=b.report, into=a.report)
    services.report_ask(actor=intake_officer, report=a.report, question="有照片吗？")
    assert a.report.state == TriageState.ASKED and a.report.status == PublicStatus.VERIFYING
    services.report_add_from_reporter(report=a.report, body="有，稍后补充", files=[])
    a.report.refresh_from_db()
    assert a.report.state != TriageState.ASKED
    services.report_route(actor=intake_officer, report=a.report, league=Division.objects.get(code="150600"))
    lead = services.report_convert(actor=intake_officer, report=a.report, title="")
    assert isinstance(lead, Lead) and lead.source == "public_report" and lead.source_ref == a.report.number
    assert lead.evidence["duplicates"] == [b.report.number]
    b.report.refresh_from_db()
    assert b.report.status == PublicStatus.VERIFYING  # the merged duplicate follows its head
    actions = list(
        AuditEvent.objects.filter(object_id=str(a.report.pk), object_type="reports.report").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "reports.report.submit",
        "reports.report.ask",
        "reports.report.reporter_message",
        "reports.report.route",
        "reports.report.convert",
    ]
    assert audit_verify().intact
    assert SECRET_TEXT not in str(list(AuditEvent.objects.values_list("detail", flat=True)))
    with pytest.raises(TransitionError):
        services.report_dismiss(actor=intake_officer, report=a.report, reason="已转线索")


def test_it_dismisses_with_a_reason_the_reporter_sees(intake_officer):
    filed = file_report()
    with pytest.raises(DomainError):
        services.report_dismiss(actor=intake_officer, report=filed.report, reason="")
    services.report_dismiss(actor=intake_officer, report=filed.report, reason="经核实该厂房为正规数据中心")
    report = report_by_receipt(filed.receipt)
    assert report.status == PublicStatus.NOT_PURSUED and "正规数据中心" in report.public_outcome


def test_it_names_the_state_of_a_report_that_left_the_queue_once_in_each_language(intake_officer):
    filed = file_report()
    services.report_dismiss(actor=intake_officer, report=filed.report, reason="经核实为正规数据中心")
    with pytest.raises(TransitionError) as refused:
        services.report_dismiss(actor=intake_officer, report=filed.report, reason="再次处理")
    assert refused.value.message_zh == "该举报当前状态为“已不予处理”，不能再分拣"
    assert "(dismissed)" in refused.value.message_en and "已" not in refused.value.message_en


def test_it_requires_and_audits_a_reason_to_read_the_contact(intake_officer):
    filed = file_report()
    with pytest.raises(DomainError):
        services.report_reveal_contact(actor=intake_officer, report=filed.report, reason=" ")
    assert not AuditEvent.objects.filter(action="reports.report.read_contact").exists()
    contact = services.report_reveal_contact(actor=intake_officer, report=filed.report, reason="需回访核实")
    assert contact == "手机13900001111"
    event = AuditEvent.objects.get(action="reports.report.read_contact")
    assert event.actor == intake_officer and event.detail == {"reason": "需回访核实"}


def test_it_syncs_the_public_status_from_the_lead(intake_officer):
    filed = file_report()
    lead = services.report_convert(actor=intake_officer, report=filed.report)
    lead.status = "filed"
    lead.save()
    assert services.report_status_sync(lead=lead) == 1
    filed.report.refresh_from_db()
    assert filed.report.status == PublicStatus.CASE_OPENED
    lead.status = "not_filed"
    lead.save()
    services.report_status_sync(lead=lead, outcome="证据不足，不予立案")
    filed.report.refresh_from_db()
    assert (
        filed.report.status == PublicStatus.NOT_PURSUED
        and filed.report.public_outcome == "证据不足，不予立案"
    )


def test_it_rotates_master_keys_and_still_decrypts(settings):
    settings.MASTER_KEY_ID = "k1"
    filed = file_report(files=[clean_file("p.jpg", jpeg_with_gps())])
    old = base64.urlsafe_b64encode(bytes(settings.MASTER_KEY)).decode()
    settings.MASTER_KEY, settings.MASTER_KEY_ID = b"\x05" * 32, "k2"
    settings.OLD_MASTER_KEYS = [f"k1:{old}"]
    call_command("keys", "rotate")
    settings.OLD_MASTER_KEYS = []  # the old key is no longer needed
    report = Report.objects.get(pk=filed.report.pk)
    assert report.key_id == "k2" and report.attachments.get().key_id == "k2"
    assert services.report_content(report)["description"] == SECRET_TEXT
    assert services.attachment_open(report.attachments.get())[1][:2] == b"\xff\xd8"
    assert AuditEvent.objects.filter(action="security.keys.rotate").exists()


def test_it_folds_an_identical_report_into_the_first_and_notifies_nobody(intake_officer):
    first = file_report(content={"description": SECRET_TEXT})
    copy = file_report(content={"description": SECRET_TEXT})
    assert copy.report.duplicate_of == first.report and copy.report.state == TriageState.MERGED
    assert ReportNotification.objects.filter(report=copy.report).count() == 0
    assert report_by_receipt(copy.receipt) == copy.report  # the copy's receipt still works
    different = file_report(content={"description": SECRET_TEXT + "（补充）"})
    assert different.report.duplicate_of is None


def test_it_concludes_the_public_status_when_the_case_closes(intake_officer):
    from minesweep.registry.models import Division
    from minesweep.reports.services import report_convert, report_status_sync, report_submit

    report = report_submit(
        channel="web",
        category="mining_enterprise",
        division=Division.objects.get(code="150203"),
        content={"description": "夜里风扇声不断，疑似矿场"},
        address="昆都仑区某厂房",
    ).report
    lead = report_convert(actor=intake_officer, report=report)
    assert report_status_sync(lead=lead, outcome="您反映的问题已依法处理完毕。", concluded=True) == 1
    report.refresh_from_db()
    assert report.status == "concluded" and report.public_outcome.startswith("您反映的")


def test_converting_to_a_lead_keeps_the_reporters_words_encrypted(intake_officer):
    """Issue 14: the description used to be copied in plaintext into the lead's summary."""
    import json

    secret = "夜里三点厂房里的矿机声音很大，我是隔壁的王某"
    filed = file_report(content={"description": secret, "observed_scale": "电表飞转"})
    lead = services.report_convert(actor=intake_officer, report=filed.report)
    stored = json.dumps(
        {"summary": lead.summary, "evidence": lead.evidence, "title": lead.title}, ensure_ascii=False
    )
    assert secret not in stored and "电表飞转" not in stored and filed.report.number in lead.summary


def test_staff_reading_the_report_content_is_audited(intake_officer, client_for):
    filed = file_report()
    assert client_for(intake_officer).get(f"/intake/r/{filed.report.number}/").status_code == 200
    event = AuditEvent.objects.get(action="reports.report.read")
    assert event.actor == intake_officer and event.object_id == str(filed.report.pk)
