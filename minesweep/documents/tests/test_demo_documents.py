"""Every document the demo issues, for every demo case, in DOCX and PDF, passes the checker; the numbers
of the demo's decisions are the ones on their documents."""

from __future__ import annotations

import importlib
import re
import subprocess
from collections import Counter

import pytest

from minesweep.cases.models import Case, Decision, Track
from minesweep.cases.services.tracks import party_holdings
from minesweep.documents.checker import check
from minesweep.documents.models import IssuedDocument
from minesweep.documents.render import docx_text

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "d.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_every_demo_document_passes_the_checker(tmp_path):
    for app in ("registry", "accounts", "cases", "credit", "documents"):
        importlib.import_module(f"minesweep.{app}.demo").load(seed=7)
    documents = list(IssuedDocument.objects.all())
    kinds = Counter(d.kind for d in documents)
    assert {"filing", "notice", "decision", "service_receipt", "legal_review", "proposal"} <= set(kinds), (
        kinds
    )
    problems = []
    for document in documents:
        for fmt, text in (
            ("docx", docx_text(bytes(document.docx))),
            ("pdf", _pdf_text(bytes(document.pdf), tmp_path)),
        ):
            problems += [
                f"{document.case.number} {document.kind} {fmt}: {p}"
                for p in check(document.kind, text, number=document.number)
            ]
    assert problems == [], "\n".join(problems[:40])
    for decision in Decision.objects.all():
        issued = IssuedDocument.objects.filter(kind="decision", target=f"decision:{decision.pk}")
        assert {d.number for d in issued} <= {decision.number}
    # The tax and land authorities are asked to cancel a preference, the finance department and the financial
    # regulator to stop fiscal or financial support, only of a party on record as enjoying one: the demo's
    # cloud company and 达茂某矿业有限公司 are; no other demo party is asked about.
    kinds = {
        "tax_authority": "tax_preference",
        "land_authority": "land_preference",
        "finance_department": "fiscal_support",
        "financial_regulator": "financial_support",
    }
    asked = list(Track.objects.filter(kind="other_authority", authority__in=kinds).select_related("party"))
    assert {t.authority for t in asked} == set(kinds)
    assert all(kinds[t.authority] in (party_holdings(t.party) or ()) for t in asked)


def test_it_dates_demo_reviews_before_decisions_and_receipts_before_filings():
    """行政处罚法第五十八条: the 法制审核 comes before the decision, so a 法制审核意见书 dated after the
    决定书 (the demo once stamped its reviews with the day it was loaded) cannot be signed; likewise a
    立案审批表 whose clue was received after the case was filed (第五十四条)."""
    from django.utils import timezone

    from minesweep.cases.models import LegalReview

    for app in ("registry", "accounts", "cases"):
        importlib.import_module(f"minesweep.{app}.demo").load(seed=7)
    decisions = list(Decision.objects.all())
    assert decisions
    late = [
        (decision.number, review.pk, timezone.localtime(review.reviewed_at).date(), decision.decided_on)
        for decision in decisions
        for review in LegalReview.objects.filter(case=decision.case_id)
        if review.party_id in (None, decision.party_id)
        and timezone.localtime(review.reviewed_at).date() > decision.decided_on
    ]
    assert late == []
    received_late = [
        (case.number, case.lead.received_on, case.filed_on)
        for case in Case.objects.select_related("lead")
        if case.filed_on and case.lead.received_on and case.lead.received_on > case.filed_on
    ]
    assert received_late == []  # a 立案审批表's 受理日期 before its 立案日期


def test_the_demo_issues_every_act_it_serves_on_a_party():
    """Each demo decision has its 决定书 and 送达回证, each notice its 告知书 and each measure letter its 处理决定书:
    the demo's parties carry addresses (and firms their credit codes), so no served act is refused for want of
    them (行政处罚法第五十九、六十一条)."""
    from minesweep.cases.models import Notice, Track

    for app in ("registry", "accounts", "cases", "credit", "documents"):
        importlib.import_module(f"minesweep.{app}.demo").load(seed=7)
    issued = {(d.kind, d.party_id) for d in IssuedDocument.objects.all()}
    wanted = {
        *((kind, d.party_id) for d in Decision.objects.all() for kind in ("decision", "service_receipt")),
        *(("notice", n.party_id) for n in Notice.objects.filter(superseded=False)),
        *(
            ("measure_letter", t.party_id)
            for t in Track.objects.filter(kind="measure").exclude(letter_on=None)
        ),
    }
    assert wanted and {k for k, _ in wanted} >= {"decision", "notice", "measure_letter"}
    assert wanted - issued == set()


#: Acts served on a party that print its 法定代表人（负责人） line (template_build.PARTY).
REPRESENTED_ACTS = (
    "notice",
    "hearing_notice",
    "decision",
    "measure_letter",
    "credit_notice",
    "credit_listing",
)


def test_the_demos_acts_name_the_legal_representative_of_each_organisation_served():
    """An act served on an organisation names its 法定代表人（负责人）: the demo's firms, park and plant printed
    "法定代表人（负责人）：—". Each now has one (a surname and 某, as the demo names people), on the party and on
    its registry record."""
    from minesweep.policy.codes import ORGANISATION_CATEGORIES
    from minesweep.registry.models import Subject

    for app in ("registry", "accounts", "cases", "credit", "documents"):
        importlib.import_module(f"minesweep.{app}.demo").load(seed=7)
    served = [
        d
        for d in IssuedDocument.objects.filter(kind__in=REPRESENTED_ACTS).select_related("party")
        if d.party is not None and d.party.category in ORGANISATION_CATEGORIES
    ]
    assert {d.kind for d in served} >= {"notice", "decision", "measure_letter", "credit_notice"}
    unnamed = [
        f"{d.number} {d.party.name}"
        for d in served
        if not re.search(r"法定代表人（负责人）：\S某\n", docx_text(bytes(d.docx)))
    ]
    assert unnamed == []
    organisations = Subject.objects.exclude(kind=Subject.Kind.INDIVIDUAL)
    assert organisations.exists()
    assert all(re.fullmatch(r"\S某", s.legal_representative) for s in organisations)
