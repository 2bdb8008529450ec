"""Issue every document each demo case can carry (runs after the cases and credit demos; idempotent:
an issued document is returned as it is, never renumbered)."""

from __future__ import annotations

from minesweep.cases.models import Case
from minesweep.core.errors import DomainError
from minesweep.documents.kinds import KINDS
from minesweep.documents.models import IssuedDocument
from minesweep.documents.services import document_issue


def load(*, seed: int) -> str:
    if IssuedDocument.objects.exists():
        return "documents already present"
    issued = 0
    for case in Case.objects.select_related("division", "lead").order_by("number"):
        for kind in KINDS:
            try:
                document_issue(actor="demo", case=case, kind=kind)
                issued += 1
            except DomainError:
                continue  # this case has nothing to render that kind from (e.g. no decision yet)
    return f"{issued} documents issued for {Case.objects.count()} cases"
