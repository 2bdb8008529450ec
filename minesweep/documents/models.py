"""Issued documents (文书) attached to a case, and the per-authority, per-year number counters.

An issued document is immutable: content, hash and number never change after it is stored. Rendering
again creates a new version that names the one it supersedes, so nothing silently replaces an issued
document (the previous version stays downloadable and in the audit chain).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minesweep.cases.models import Case, CaseParty
from minesweep.core.i18n import pick
from minesweep.documents.kinds import ACCEPTANCE_TITLE, ACCEPTANCE_TITLE_EN, KINDS


def kind_label(code: str) -> str:
    """A document kind's name in the active language; an unknown kind is a plain "document"."""
    kind = KINDS.get(code)
    return pick(kind.zh, kind.en) if kind else pick("文书", "Document")


def titled_label(code: str, title: str) -> str:
    """A document kind in the active language as its act is titled (``title``, the fields' ``kind_title``): the
    case authority's filing form is a 案件受理（核查）审批表 where it holds no penalty power (context.filing_ground),
    and a page calling it 立案审批表 — before it is issued or after — names a 行政处罚立案 the paper does not make."""
    if code == "filing" and title == ACCEPTANCE_TITLE:
        return pick(ACCEPTANCE_TITLE, ACCEPTANCE_TITLE_EN)
    return kind_label(code)


class NumberCounter(models.Model):
    """Last serial used for one number prefix and year, e.g. 包发改罚 / 2026 → 12 (包发改罚〔2026〕12号)."""

    prefix = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_counter_per_prefix_year")]


class Act(models.Model):
    """One act (一份文书所载的行政行为) and its one number (文号), allocated once when the act is issued.

    The number is ``{authority code}{kind character}〔{year of the act}〕{serial}号``, serial per issuing
    authority, type character and year (a 案件受理（核查）审批表 of kind ``filing`` bears 受, not 立:
    kinds.ACCEPTANCE_CHAR). It is shown identically wherever the act appears (case, tasks, credit listing,
    DOCX, PDF, exports) and never changes, whatever is re-rendered. An act issued outside the platform
    (on paper) is recorded with the number it bears and a scan of it (``on_paper``).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="acts")
    kind = models.CharField(max_length=24, help_text="documents.kinds.KINDS")
    target = models.CharField(max_length=60, help_text="the record the act is, e.g. decision:12")
    number = models.CharField(max_length=60, unique=True)
    authority = models.CharField(max_length=120, help_text="issuing authority (full name)")
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField(null=True, blank=True, help_text="empty for a paper number")
    act_date = models.DateField(help_text="the act's own date (printed on it)")
    on_paper = models.BooleanField(default=False, help_text="issued outside the platform")
    scan_name = models.CharField(max_length=200, blank=True)
    scan_content_type = models.CharField(max_length=80, blank=True)
    scan = models.BinaryField(blank=True, default=b"")
    scan_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["kind", "target"], name="one_number_per_act")]

    def __str__(self) -> str:
        return self.number

    @property
    def kind_zh(self) -> str:
        kind = KINDS.get(self.kind)
        return kind.zh if kind else "文书"

    @property
    def kind_label(self) -> str:
        """The kind in the active language (pages), as its latest document is titled (IssuedDocument.kind_label)."""
        documents = list(self.documents.all())  # prefetched by the case page: no query per row
        return max(documents, key=lambda d: d.id).kind_label if documents else kind_label(self.kind)


class IssuedDocument(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    party = models.ForeignKey(CaseParty, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, help_text="documents.kinds.KINDS")
    target = models.CharField(max_length=60, help_text="what it is rendered from, e.g. decision:12")
    act = models.ForeignKey(Act, null=True, on_delete=models.PROTECT, related_name="documents")
    number = models.CharField(
        max_length=60,
        blank=True,
        help_text="the act's number (文号), kept across versions; empty for a record",
    )
    authority = models.CharField(max_length=120)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reason = models.CharField(max_length=300, blank=True, help_text="why a new version was rendered")
    data = models.JSONField(help_text="the fields filled into the template")
    template_name = models.CharField(max_length=120)
    template_sha256 = models.CharField(max_length=64)
    docx = models.BinaryField()
    docx_sha256 = models.CharField(max_length=64)
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case_id", "kind", "target", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "target", "version"], name="one_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} v{self.version}"

    @property
    def kind_zh(self) -> str:
        kind = KINDS.get(self.kind)
        return kind.zh if kind else "文书"

    @property
    def kind_label(self) -> str:
        """The kind in the active language (pages) — as the document is titled (:func:`titled_label`)."""
        fields = self.data.get("fields") if isinstance(self.data, dict) else None
        return titled_label(self.kind, str(fields.get("kind_title", "")) if isinstance(fields, dict) else "")

    @property
    def is_current(self) -> bool:
        return not IssuedDocument.objects.filter(supersedes=self).exists()
