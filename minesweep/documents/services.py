"""Issuing documents: number, render (DOCX + PDF), store with hashes, attach to the case and its timeline.

``document_issue`` returns the current issued version when one exists and nothing asks for a new one; a
re-render (``reissue=True`` with a reason) stores a new version under the same number that names the one
it supersedes. Issued rows are never updated.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from minesweep.audit.services import audit_record
from minesweep.cases.models import Case, CaseParty
from minesweep.documents.context import DocumentError, Prepared, prepare
from minesweep.documents.kinds import KINDS, Kind
from minesweep.documents.models import IssuedDocument, titled_label
from minesweep.documents.numbering import act_for, act_number_issue
from minesweep.documents.render import docx_to_pdf, fill_docx, missing_glyphs, template_path
from minesweep.documents.wording import cn_date

Actor = AbstractBaseUser | AnonymousUser | str | None
log = logging.getLogger(__name__)


#: the reason recorded on the new version of a filing form that bore another case's number (migration 0003)
MISNUMBERED_REASON = "原文书所载文号属于另一案件，依法更正编号（自动重新出具）"


def _bears_another_cases_number(current: IssuedDocument | None, case: Case) -> bool:
    """Whether the current version is linked to another case's act: the 立案审批表 of every case once shared
    the first case's act (target ``case``); such a version is superseded by a renumbered one."""
    return current is not None and current.act is not None and current.act.case_id != case.pk


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _timeline(*, actor: Actor, case: Case, document: IssuedDocument, action: str) -> None:
    """Audit event plus the case's readable timeline entry, through the cases app's own helper."""
    note = (
        f"{document.kind_zh} {document.number}（第{document.version}版）sha256 {document.docx_sha256[:16]}…"
    )
    detail = {
        "kind": document.kind,
        "number": document.number,
        "version": document.version,
        "docx_sha256": document.docx_sha256,
        "pdf_sha256": document.pdf_sha256,
        "supersedes": document.supersedes_id,
    }
    try:
        from minesweep.cases.services._common import record
    except ImportError:  # pragma: no cover - the cases app keeps this helper; audit alone if it moves
        audit_record(
            actor=actor, action=action, target=document, detail=detail, division_code=case.division_id
        )
        return
    record(actor=actor, action=action, target=document, case=case, detail=detail, note=note)


def document_check(*, case: Case, kind: str, party: CaseParty | None = None, addressee: str = "") -> Prepared:
    """What issuing ``kind`` needs, checked without writing: the party belongs to the case and the case's
    records hold what the document is made of (``context.prepare``). Raises the ``DocumentError`` that
    names what is missing. ``document_issue`` runs this same check, and so does the page's kind picker."""
    if party is not None and party.case_id != case.pk:
        raise DocumentError(
            "documents.party_mismatch", "当事人不属于该案件", "The party does not belong to this case"
        )
    return prepare(case, kind, party, addressee)


def _paper_refusal(kind: str, target: str) -> DocumentError | None:
    """The act was issued on paper: its scan is the document, the platform renders none."""
    paper = act_for(kind=kind, target=target)
    if paper is None or not paper.on_paper:
        return None
    return DocumentError(
        "documents.issued_on_paper",
        f"该文书已以纸质形式出具（{paper.number}），其扫描件即为文书，平台不另行生成",
        f"This act was issued on paper ({paper.number}); its scan is the document, none is rendered",
    )


@dataclass(frozen=True)
class KindOffer:
    """A document kind as the case page offers it: ``refusal`` is why it cannot be issued now (None: it can,
    or its issued version is returned); ``title`` is the title its act will bear (the kind's own when the
    case's records cannot say yet)."""

    kind: Kind
    refusal: DocumentError | None
    title: str = ""

    @property
    def issuable(self) -> bool:
        return self.refusal is None

    @property
    def label(self) -> str:
        """The kind in the active language, as its act will be titled (models.titled_label): the 发改委's
        filing form is offered as the 案件受理（核查）审批表 it will be, never as a 立案审批表."""
        return titled_label(self.kind.code, self.title or self.kind.title)


def document_offers(case: Case) -> list[KindOffer]:
    """Every document kind with whether ``case`` can have it issued now, by the checks ``document_issue``
    makes (``document_check``, then the paper act), for the party and addressee the issue form defaults to."""
    offers = []
    for kind in KINDS.values():
        try:
            prepared = document_check(case=case, kind=kind.code)
        except DocumentError as exc:
            offers.append(KindOffer(kind, exc))
            continue
        refusal = _paper_refusal(kind.code, prepared.target)
        issued = IssuedDocument.objects.filter(case=case, kind=kind.code, target=prepared.target).exists()
        offers.append(KindOffer(kind, None if issued else refusal, prepared.fields["kind_title"]))
    return offers


@transaction.atomic
def document_issue(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    party: CaseParty | None = None,
    reissue: bool = False,
    reason: str = "",
    addressee: str = "",
) -> IssuedDocument:
    """The issued document of ``kind`` for ``case`` (and ``party``; ``addressee`` picks the authority a
    建议函 goes to); rendered and numbered on first issue. A record (笔录, 意见书, 回证) bears no number."""
    prepared = document_check(case=case, kind=kind, party=party, addressee=addressee)
    current = (
        IssuedDocument.objects.select_for_update()
        .filter(case=case, kind=kind, target=prepared.target)
        .order_by("-version")
        .first()
    )
    misnumbered = _bears_another_cases_number(current, case)
    if current is not None and not reissue and not misnumbered:
        return current
    if misnumbered and not reason.replace("\x00", "").strip():
        reason = MISNUMBERED_REASON
    if current is not None and not reason.replace("\x00", "").strip():
        raise DocumentError(
            "documents.reason_required",
            "重新生成已出具的文书须说明理由（原文书保留，不会被覆盖）",
            "State why an issued document is rendered again (the issued one is kept, never overwritten)",
        )
    refusal = _paper_refusal(kind, prepared.target)
    if refusal is not None:
        raise refusal
    act = (
        act_number_issue(
            actor=actor,
            case=case,
            kind=kind,
            target=prepared.target,
            act_date=prepared.act_date or timezone.localdate(),
            issuer=prepared.issuer,
            char=prepared.number_char,
        )
        if KINDS[kind].numbered
        else None
    )
    number = act.number if act else ""
    if act is not None:
        issued_on = cn_date(act.act_date)
    elif current is not None:  # a record keeps the date it was first made
        issued_on = str(current.data.get("fields", {}).get("issued_on", ""))
    else:
        issued_on = cn_date(prepared.act_date or timezone.localdate())
    fields = {**prepared.fields, "number": number, "issued_on": issued_on}
    template = template_path(KINDS[kind].template)
    docx = fill_docx(template, fields, prepared.tables)
    text = "\n".join(
        [*fields.values(), *(str(c) for t in prepared.tables.values() for r in t["rows"] for c in r)]
    )
    missing = missing_glyphs(text)
    if missing:
        log.warning("document %s: the PDF font lacks %s", number, "".join(missing))
    title = fields["kind_title"].replace("\n", "")  # a title broken over two lines is one title
    pdf = docx_to_pdf(docx, title=f"{title} {number or case.number}")
    document = IssuedDocument.objects.create(
        case=case,
        party=prepared.party,
        kind=kind,
        target=prepared.target,
        act=act,
        number=number,
        authority=act.authority if act else prepared.issuer.name,
        version=(current.version + 1) if current else 1,
        supersedes=current,
        reason=reason.replace("\x00", "").strip()[:300],
        data={"fields": fields, "tables": prepared.tables, "missing_glyphs": missing},
        template_name=template.name,
        template_sha256=_sha256(template.read_bytes()),
        docx=docx,
        docx_sha256=_sha256(docx),
        pdf=pdf,
        pdf_sha256=_sha256(pdf),
        issued_by_id=actor.pk if isinstance(actor, AbstractBaseUser) else None,
    )
    _timeline(
        actor=actor,
        case=case,
        document=document,
        action="documents.document.reissue" if current else "documents.document.issue",
    )
    return document
