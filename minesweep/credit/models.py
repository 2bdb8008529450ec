"""The credit blacklist (失信主体名单, measure 8): one :class:`ListingRecord` per listed subject and its
:class:`RepairApplication` (信用修复申请).

A record follows 国办发〔2020〕49号 and 信用修复管理办法 (DOMAIN.md §5): proposed → notified (the party is
told the reason, basis and rights) → optional objection → listed (published from ``publication_start``)
→ repair applied → removed, or expired at ``max_end``. Identity is snapshotted at listing so the published
record stays what was decided; an individual's resident ID is never copied here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minesweep.core.i18n import bi
from minesweep.registry.models import Division, Subject
from minesweep.registry.person_name import mask_person_name, split_note


class Severity(models.TextChoices):
    MINOR = "minor", bi("轻微失信", "Minor")
    GENERAL = "general", bi("一般失信", "General")
    SERIOUS = "serious", bi("严重失信", "Serious")


#: What a listing decides when the officer names no sanction: the listing and its publication, and no
#: measure that reduces the party's rights or adds to its duties. 国办发〔2020〕49号, part "依法依规开展失信惩戒":
#: such a measure must rest on the concrete conduct and directly cite a law, a regulation or a CCP Central
#: Committee / State Council policy document, and is managed by list — so the listing decision does not
#: impose one itself (the earlier default, "限制享受优惠政策、限制参与电力市场交易等", cited none; and
#: "联合惩戒" is the serious list's). The part's clause number was not confirmed from a stored source.
DEFAULT_SANCTIONS = (
    "列入失信主体名单并依规公示（对失信主体采取减损权益或者增加义务的惩戒措施，"
    "由有关部门依据法律、法规或者党中央、国务院政策文件，在各自职责范围内依法实施）"
)


class ListingRecord(models.Model):
    """失信主体名单记录: who, why, on what basis, by whom, and for how long it is published."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", bi("拟列入", "Proposed")
        NOTIFIED = "notified", bi("已告知", "Notified")
        OBJECTION = "objection", bi("异议处理中", "Objection")
        LISTED = "listed", bi("已列入公示", "Listed")
        REPAIR_APPLIED = "repair_applied", bi("信用修复申请中", "Repair applied")
        REMOVED = "removed", bi("已移出", "Removed")
        EXPIRED = "expired", bi("公示期满移出", "Expired")

    number = models.CharField(max_length=24, unique=True)
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_listings"
    )
    decision = models.ForeignKey(
        "cases.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_listings"
    )
    address = models.CharField(max_length=300, blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="credit_listings")
    # Identity as decided (snapshot). ``uscc`` is empty for individuals: no resident ID is kept here.
    name = models.CharField(max_length=200)
    uscc = models.CharField(max_length=18, blank=True)
    legal_representative = models.CharField(max_length=100, blank=True)
    subject_kind = models.CharField(max_length=12, choices=Subject.Kind.choices)

    severity = models.CharField(max_length=8, choices=Severity.choices)
    reason = models.TextField()
    basis = models.TextField()
    authority = models.CharField(max_length=120)
    decision_number = models.CharField(
        max_length=60,
        help_text="number of the act that decided the listing (列入决定书); empty until decided for a listing "
        "from a case (its number is allocated when the listing is decided)",
    )
    notice_number = models.CharField(
        max_length=60, blank=True, help_text="number of the 拟列入失信主体名单告知书 (from a case)"
    )
    sanctions = models.TextField(blank=True)
    removal_conditions = models.TextField(blank=True)
    remedies = models.TextField(blank=True)
    case_number = models.CharField(max_length=40, blank=True)
    party = models.ForeignKey(
        "cases.CaseParty",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credit_listings",
        help_text="the case party listed (a listing from a case); name and identity stay snapshotted above",
    )

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField(auto_now_add=True)
    notified_on = models.DateField(null=True, blank=True)
    objection_deadline = models.DateField(null=True, blank=True)
    objection_text = models.TextField(blank=True)
    objection_on = models.DateField(null=True, blank=True)
    objection_reply = models.TextField(blank=True)
    rights_waived_on = models.DateField(
        null=True, blank=True, help_text="the party waived its statement (陈述申辩) in writing"
    )
    listed_on = models.DateField(null=True, blank=True)
    publication_start = models.DateField(null=True, blank=True)
    min_end = models.DateField(null=True, blank=True)
    max_end = models.DateField(null=True, blank=True)
    removed_on = models.DateField(null=True, blank=True)
    removal_reason = models.CharField(max_length=300, blank=True)
    published = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["status", "max_end"])]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def identifier_public(self) -> str:
        """What the public page and exports show: the USCC; nothing for a person (never an ID number)."""
        return self.uscc

    @property
    def is_person(self) -> bool:
        return self.subject_kind == Subject.Kind.INDIVIDUAL

    @property
    def name_public(self) -> str:
        """What the public page and exports show: an organisation's name in full, a person's surname and 某
        (:func:`~minesweep.registry.person_name.mask_person_name`). Staff pages show ``name``."""
        return mask_person_name(self.name) if self.is_person else self.name

    @property
    def reason_public(self) -> str:
        """The 列入事由 as published: a person's full name in it (经查，张三存在下列情形…) masked too."""
        person = split_note(self.name)[0]
        if not self.is_person or len(person) < 2:
            return self.reason
        return self.reason.replace(person, mask_person_name(person))


class RepairApplication(models.Model):
    """信用修复申请: the party shows the failing is corrected, obligations met, and makes a public pledge."""

    class Outcome(models.TextChoices):
        PENDING = "pending", bi("待审核", "Pending")
        APPROVED = "approved", bi("准予修复", "Approved")
        REJECTED = "rejected", bi("不予修复", "Rejected")

    listing = models.ForeignKey(ListingRecord, on_delete=models.PROTECT, related_name="repairs")
    applied_on = models.DateField()
    statement = models.TextField(help_text="how the failing was corrected and obligations met")
    pledge = models.TextField(help_text="the public credit pledge (信用承诺)")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_on = models.DateField(null=True, blank=True)
    reply = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-applied_on", "-id"]


class RepairEvidence(models.Model):
    """A file supporting a repair application, kept in the database with its SHA-256."""

    application = models.ForeignKey(RepairApplication, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=80)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
