"""Every document the demo issues, for every demo case, in DOCX and PDF, passes the checker; the numbers
of the demo's decisions are the ones on their documents."""

from __future__ import annotations

import importlib
import subprocess
from collections import Counter

import pytest

from minesweep.cases.models import Decision
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
