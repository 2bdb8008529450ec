"""One number per act: allocated when the act is issued, the same in the case record, the task, the credit
listing, the DOCX, the PDF and the export, never changed by re-rendering; a paper act keeps its own number."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest

from minesweep.cases import services as case_services
from minesweep.cases.models import CaseLog
from minesweep.core.errors import DomainError
from minesweep.credit.models import ListingRecord
from minesweep.documents.models import Act, IssuedDocument
from minesweep.documents.numbering import act_number_issue
from minesweep.documents.render import docx_text
from minesweep.documents.services import document_issue

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "d.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def test_it_keeps_one_number_across_case_record_listing_documents_and_rerenders(
    case, tmp_path, client_for, baotou_investigator
):

    cafe = case.parties.get(category="internet_cafe")
    decision = case.decisions.get(party=cafe)
    number = decision.number  # allocated when the decision was issued, nobody typed it
    assert Act.objects.get(kind="decision", target=f"decision:{decision.pk}").number == number
    first = document_issue(actor="test", case=case, kind="decision", party=cafe)
    second = document_issue(
        actor="test", case=case, kind="decision", party=cafe, reissue=True, reason="更正住所"
    )
    third = document_issue(
        actor="test", case=case, kind="decision", party=cafe, reissue=True, reason="再次更正"
    )
    assert {first.number, second.number, third.number} == {number} and third.version == 3
    for document in (first, third):
        assert number in docx_text(bytes(document.docx)) and number in _pdf_text(
            bytes(document.pdf), tmp_path
        )
    client = client_for(baotou_investigator)
    # The case page shows one party at a time (issue 15): the café's tracks carry its decision's number.
    assert number in client.get(f"/cases/{case.pk}/?p=tracks&party={cafe.pk}").content.decode()
    task = case.tasks.filter(decision=decision).first()
    if task is not None:
        assert number in client.get(f"/cases/tasks/{task.pk}/").content.decode()
    assert any(number in note for note in CaseLog.objects.filter(case=case).values_list("note", flat=True))
    # Exactly one act bears the number; the counter moved once for it.
    assert Act.objects.filter(number=number).count() == 1


def test_it_gives_a_listing_the_number_of_its_own_listing_decision_everywhere_and_keeps_it(
    case, tmp_path, client_for, baotou_investigator
):
    """A listing from a case's credit track is decided by its own act (列入决定书): the listing's
    decision_number is that act's number (not the case number, not the penalty decision's), identical on
    the document (DOCX, PDF, every re-render), the case page, the credit listing page and the export; the
    penalty decision it rests on is cited in it as the ground. (Until issue 12c the listing stored the
    penalty decision's number, or the case number for a listing without a decision: legally wrong, as the
    penalty and the listing are two acts.)"""
    from django.core.management import call_command

    cafe = case.parties.get(category="internet_cafe")
    decision = case.decisions.get(party=cafe)
    listing = ListingRecord.objects.get(case_number=case.number, decision=decision)
    act = Act.objects.get(kind="credit_listing", target=f"listing:{listing.pk}")
    number = listing.decision_number
    assert number == act.number and number not in (case.number, decision.number) and "信〔2026〕" in number
    assert act.act_date == listing.listed_on
    notice = Act.objects.get(kind="credit_notice", target=f"listing:{listing.pk}")
    assert listing.notice_number == notice.number and notice.act_date == listing.notified_on
    first = document_issue(actor="test", case=case, kind="credit_listing", party=cafe)
    again = document_issue(
        actor="test", case=case, kind="credit_listing", party=cafe, reissue=True, reason="更正地址"
    )
    assert {first.number, again.number} == {number} and again.version == 2
    for document in (first, again):
        text = docx_text(bytes(document.docx))
        assert number in text and number in _pdf_text(bytes(document.pdf), tmp_path)
        assert decision.number in text and notice.number in text  # the ground and the prior notice
    listing.refresh_from_db()
    assert listing.decision_number == number
    out = tmp_path / "list.json"
    call_command("credit", "export", "--format", "json", "--out", str(out))
    assert number in out.read_text(encoding="utf-8")
    client = client_for(baotou_investigator)
    assert number in client.get(f"/cases/{case.pk}/?p=tracks&party={cafe.pk}").content.decode()
    staff_page = client.get(f"/credit/staff/{listing.pk}/").content.decode()
    assert number in staff_page and case.number in staff_page
    assert Act.objects.filter(number=number).count() == 1


def test_it_dates_a_document_by_its_act_not_by_the_day_it_is_rendered(case):
    decision = case.decisions.get(party__category="internet_cafe")
    document = document_issue(actor="test", case=case, kind="decision", party=decision.party)
    text = docx_text(bytes(document.docx))
    decided = decision.decided_on
    assert decided != dt.date.today()
    assert f"{decided.year}年{decided.month}月{decided.day}日" in text.splitlines()[-1]


def test_it_records_a_paper_act_with_its_number_and_scan_and_never_renders_it(
    case, make_staff, liaisons, baotou_investigator, ordos_investigator, client_for
):
    from .conftest import confirm_energy_cut_basis, make_case

    other = make_case(make_staff, liaisons, baotou_investigator, "150200", "150207", "p")
    for confirmed in (case, other):  # the notice is refused while the pack's basis awaits the legal office
        confirm_energy_cut_basis(confirmed)
    # The other case's energy-budget cut letter was issued on paper: recorded with its number and scan.
    from minesweep.cases.models import CaseCalculation
    from minesweep.documents.numbering import act_record_paper

    calc = other.calculations.get(kind=CaseCalculation.Kind.ENERGY)
    target = f"calculation:{calc.pk}"

    def record(number: str, scan):  # type: ignore[no-untyped-def]
        return act_record_paper(
            actor="test",
            case=other,
            kind="energy_cut",
            target=target,
            number=number,
            act_date=dt.date(2026, 9, 20),
            scan=scan,
        )

    with pytest.raises(DomainError) as no_scan:
        record("包发改能〔2026〕2号", None)
    assert no_scan.value.code == "documents.scan_required"
    with pytest.raises(DomainError) as bad:
        record("第2号", ("s.pdf", "application/pdf", b"%PDF"))
    assert bad.value.code == "documents.paper_number_invalid"
    paper = record("包发改能〔2026〕2号", ("scan.pdf", "application/pdf", b"%PDF-1.4 scan"))
    assert paper.on_paper and paper.scan_sha256 and paper.serial is None
    with pytest.raises(DomainError) as refused:
        document_issue(actor="test", case=other, kind="energy_cut")
    assert refused.value.code == "documents.issued_on_paper"
    # The platform's own numbering skips the number the paper act bears.
    first = document_issue(actor="test", case=case, kind="energy_cut")
    assert first.number == "包发改能〔2026〕1号"
    allocated = act_number_issue(
        actor="test", case=case, kind="energy_cut", target="calculation:999999", act_date=dt.date(2026, 9, 21)
    )
    assert allocated.number == "包发改能〔2026〕3号"
    assert not IssuedDocument.objects.filter(case=other, kind="energy_cut").exists()
    # The case page marks it and serves its scan, within the case's jurisdiction only.
    page = client_for(baotou_investigator).get(f"/documents/case/{other.pk}/").content.decode()
    assert "包发改能〔2026〕2号" in page and "纸质出具" in page
    assert client_for(baotou_investigator).get(f"/documents/acts/{paper.pk}/scan").content == b"%PDF-1.4 scan"
    assert client_for(ordos_investigator).get(f"/documents/acts/{paper.pk}/scan").status_code in (403, 404)


def test_it_refuses_a_paper_number_already_borne_by_another_act(case):
    from minesweep.documents.numbering import act_record_paper

    decision = case.decisions.get(party__category="internet_cafe")
    with pytest.raises(DomainError) as taken:
        act_record_paper(
            actor="test",
            case=case,
            kind="proposal",
            target="proposal:1:culture_market_regulator",
            number=decision.number.replace("罚", "罚"),
            act_date=decision.decided_on,
            scan=("s.pdf", "application/pdf", b"%PDF"),
        )
    assert taken.value.code == "documents.number_taken"


def test_it_records_a_paper_decision_through_the_case_service(case):
    """The case service takes a paper number with its scan instead of allocating one."""
    assert json.dumps(case_services.decision_issue.__doc__ or "")  # the service exists with paper arguments
    import inspect

    params = inspect.signature(case_services.decision_issue).parameters
    assert "number" not in params and {"paper_number", "paper_scan"} <= set(params)
    params = inspect.signature(case_services.notice_issue).parameters
    assert "number" not in params and {"paper_number", "paper_scan"} <= set(params)
