"""Leads and the administrative case they may become (线索与案件).

The workflow follows 行政处罚法 (2021) and DOMAIN.md §4:

    lead (线索) → verification (核查) → filed (立案) | not filed (不予立案, with reason)
    case: investigating (调查取证: inspections, evidence, seized rigs, parties, determination)
          → legal_review (审核拟处理意见) → notice (各轨道办理中) → decided (处罚已决定·执行中) → closed (结案)
          → follow-up checks (回头看) at 1, 3, 6 months; one that finds mining again opens a NEW case
          linked to this one (行政处罚法第二十九条: the decided case is never reopened).
    Each party's actions run on their own legal track (``Track``, issue 11): penalty (notice → statement /
    hearing → legal review → collective discussion → decision → service → enforcement), measure (own
    letter, department tasks), referral and accountability (``Referral``, from the moment the facts are
    recorded), credit (handed to the credit app), other_authority (建议函 + task, the answer recorded).
    The allowed steps are the table in ``transitions.py``.

Field names here are a contract: documents, credit and oversight read them. Add, never rename.
Every state change goes through ``services.py`` (audited in the same transaction); selectors in
``selectors.py`` are the scoped reads. Dates are local (Asia/Shanghai) calendar dates; datetimes are
stored in UTC.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from minesweep.core.i18n import bi, pick
from minesweep.policy.codes import ACTIONS
from minesweep.policy.packs import deployment_pack_id
from minesweep.registry.models import Division, PowerAccount, Subject

USER = settings.AUTH_USER_MODEL


class Lead(models.Model):
    """A lead (线索): a suspicion worth verifying, with the evidence that raised it."""

    class Source(models.TextChoices):
        PUBLIC_REPORT = "public_report", bi("群众举报", "Public report")
        METER_ANALYTICS = "meter_analytics", bi("用电数据分析", "Meter analytics")
        NETWORK_ANALYTICS = "network_analytics", bi("网络数据分析", "Network analytics")
        MONITORING_LIST = "monitoring_list", bi("上级交办", "Monitoring list from above")
        INSPECTION = "inspection", bi("检查发现", "Found in inspection")

    class Status(models.TextChoices):
        OPEN = "open", bi("待核查", "Open")
        VERIFYING = "verifying", bi("核查中", "Under verification")
        FILED = "filed", bi("已立案", "Filed")
        NOT_FILED = "not_filed", bi("不予立案", "Not filed")

    number = models.CharField(max_length=24, unique=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    summary_en = models.TextField(blank=True, help_text="the platform's English for a summary it wrote")
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="leads")
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )
    power_account = models.ForeignKey(
        PowerAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )
    evidence = models.JSONField(default=dict, blank=True)
    source_ref = models.CharField(
        max_length=80, blank=True, help_text="id of the report, finding or list entry"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # -- verification (核查) --------------------------------------------------------------------------
    received_on = models.DateField(
        null=True,
        blank=True,
        help_text="day the lead reached the authority; the 15-working-day check runs from it",
    )
    check_extended = models.BooleanField(default=False, help_text="check period extended by 15 working days")
    verifier = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="verifying_leads"
    )
    verification_started_at = models.DateTimeField(null=True, blank=True)
    verification_notes = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True, help_text="filed or not filed")
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    not_filed_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def summary_shown(self) -> str:
        """The summary in the reader's language: the platform's English where it wrote one."""
        return pick(self.summary, self.summary_en or self.summary)


class LeadAttachment(models.Model):
    """A file that supports a lead (e.g. a load carpet plot); kept in the database so it commits with the lead."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=80)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)


class Case(models.Model):
    """An administrative case (行政处罚案件) filed from one lead; it belongs to the lead's division."""

    class Stage(models.TextChoices):
        INVESTIGATING = "investigating", bi("调查取证", "Investigating")
        LEGAL_REVIEW = "legal_review", bi("法制审核", "Legal review")
        NOTICE = "notice", bi("告知与听证", "Notice and hearing")
        DECIDED = "decided", bi("已决定·执行中", "Decided, being enforced")
        CLOSED = "closed", bi("已结案", "Closed")

    number = models.CharField(max_length=24, unique=True)
    lead = models.OneToOneField(Lead, on_delete=models.PROTECT, related_name="case")
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="cases")
    title = models.CharField(max_length=200)
    pack = models.CharField(max_length=60, default=deployment_pack_id, help_text="policy pack id")
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.INVESTIGATING)
    lead_officer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="cases_led")
    second_officer = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="cases_assisted"
    )
    filed_on = models.DateField()
    filing_reason = models.TextField(blank=True)
    decision_due = models.DateField(help_text="90 days from filing (行政处罚法第六十条)")
    decision_due_extended = models.BooleanField(default=False)
    closed_on = models.DateField(null=True, blank=True)
    closing_summary = models.TextField(blank=True)
    reopened_count = models.PositiveIntegerField(default=0)
    act_ended_on = models.DateField(
        null=True, blank=True, help_text="违法行为终了之日 (行政处罚法第三十六条: limitation runs from it)"
    )
    predecessor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
        help_text="the decided case whose follow-up check found mining again (aggravating circumstance)",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-filed_on", "-id"]
        indexes = [models.Index(fields=["stage"]), models.Index(fields=["decision_due"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseLog(models.Model):
    """Readable case timeline (案件日志); the tamper-evident record is the audit chain."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=60)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class CaseParty(models.Model):
    """A party (当事人) with its subject category and role (policy codes) and its own established facts."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="case_parties"
    )
    name = models.CharField(max_length=200)
    identifier = models.CharField(
        max_length=18, blank=True, help_text="USCC or resident ID (sensitive: shown masked in lists)"
    )
    legal_representative = models.CharField(max_length=100, blank=True)
    address = models.CharField(max_length=300, blank=True)
    category = models.CharField(max_length=40, help_text="policy.codes.SUBJECT_CATEGORIES")
    role = models.CharField(max_length=20, default="operator", help_text="policy.codes.ROLES")
    facts = models.JSONField(default=list, blank=True, help_text="policy.codes.FACTS codes for this party")
    findings = models.TextField(
        blank=True,
        help_text="facts found against this party, in words: what its own acts state when the case has "
        "several parties (the case's findings speak of all of them)",
    )
    holdings = models.JSONField(
        null=True,
        blank=True,
        help_text="policy.codes.HOLDINGS the party has (power_account, project); null = presumed by category",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def address_on_record(self) -> str:
        """The party's address (住所): its own, else its registry subject's; "" when neither is recorded. What the
        acts served on it print and are refused without (documents.context), and what the case page asks for."""
        return (self.address or (self.subject.address if self.subject else "") or "").strip()


class Inspection(models.Model):
    """An on-site inspection (现场检查) with its checklist; at least two officers (行政处罚法第五十五条)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField()
    place = models.CharField(max_length=300)
    officers = models.CharField(max_length=200, help_text="names of the (≥ 2) officers present")
    checklist = models.JSONField(
        default=list, help_text="[{item, result: yes|no|na, note}] from checklist.py"
    )
    findings = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspected_on", "id"]


class EvidenceItem(models.Model):
    """An exhibit (证据), stored with its SHA-256 so any later copy can be checked against it."""

    class Kind(models.TextChoices):
        PHOTO = "photo", bi("照片", "Photo")
        VIDEO = "video", bi("视听资料", "Audio/video")
        DOCUMENT = "document", bi("书证", "Document")
        METER_DATA = "meter_data", bi("用电数据", "Meter data")
        NETWORK = "network", bi("网络数据", "Network data")
        STATEMENT = "statement", bi("询问笔录", "Statement")
        EXPERT = "expert", bi("鉴定意见", "Expert finding")
        OTHER = "other", bi("其他", "Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence_items")
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence_items"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.CharField(max_length=300)
    collected_on = models.DateField()
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=80, blank=True)
    content = models.BinaryField(blank=True, default=b"")
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class SeizedRigs(models.Model):
    """Mining rigs seized or sealed (查扣/封存矿机), by model and count; nameplate power gives the kW shut."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="seized_rigs")
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.SET_NULL, related_name="seized_rigs"
    )
    party = models.ForeignKey(
        CaseParty, null=True, blank=True, on_delete=models.SET_NULL, related_name="seized_rigs"
    )
    model = models.CharField(max_length=80)
    count = models.PositiveIntegerField()
    unit_power_w = models.PositiveIntegerField(help_text="nameplate watts per rig")
    seized_on = models.DateField()
    custody = models.CharField(max_length=200, blank=True, help_text="where the rigs are kept")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "seized rigs"

    @property
    def total_kw(self) -> Decimal:
        return Decimal(self.count * self.unit_power_w) / 1000


class Determination(models.Model):
    """The proposed handling (拟处理意见): case-wide facts, engine output, officer summary."""

    class Status(models.TextChoices):
        DRAFT = "draft", bi("草拟中", "Draft")
        SUBMITTED = "submitted", bi("已提交审核", "Submitted for review")
        APPROVED = "approved", bi("审核通过", "Approved")
        RETURNED = "returned", bi("退回修改", "Returned")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="determination")
    pack = models.CharField(max_length=60)
    case_facts = models.JSONField(default=list, blank=True, help_text="fact codes holding for every party")
    findings = models.TextField(blank=True, help_text="facts as found, in words (违法事实)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    drafted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class Measure(models.Model):
    """One of the eight (or 1283号) measures applied to one party: from the engine or added by an officer.

    ``actions`` is the engine's list of {code, department, deadline{amount, unit}} dicts. A struck measure
    stays with its written reason; an added one carries the officer's reason.
    """

    class Origin(models.TextChoices):
        ENGINE = "engine", bi("引擎适用", "From the engine")
        OFFICER = "officer", bi("办案人员添加", "Added by officer")

    determination = models.ForeignKey(Determination, on_delete=models.CASCADE, related_name="measures")
    party = models.ForeignKey(CaseParty, on_delete=models.CASCADE, related_name="measures")
    pack = models.CharField(max_length=60)
    rule_id = models.PositiveSmallIntegerField()
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    department = models.CharField(max_length=40)
    actions = models.JSONField(default=list)
    basis = models.JSONField(default=list)
    source_clause = models.CharField(max_length=120, blank=True)
    reason_zh = models.TextField(blank=True)
    reason_en = models.TextField(blank=True)
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.ENGINE)
    added_reason = models.TextField(blank=True)
    struck = models.BooleanField(default=False)
    struck_reason = models.TextField(blank=True)
    struck_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    struck_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rule_id", "party_id"]
        constraints = [
            models.UniqueConstraint(fields=["determination", "party", "pack", "rule_id"], name="measure_once")
        ]

    @property
    def reason_en_shown(self) -> str:
        """The engine's English reason as shown. Reasons stored before the engine named the measure by its
        English title carry the Chinese clause mid-sentence ("measure 1 (发改运行〔2021〕1283号：…)"): the
        clause is shown apart, so the sentence names the measure by ``title_en`` instead."""
        clause = f" ({self.source_clause})"
        if self.source_clause and self.title_en and clause in self.reason_en:
            return self.reason_en.replace(clause, f" ({self.title_en})", 1)
        return self.reason_en


class CaseCalculation(models.Model):
    """A calculation stored with the case (计算记录): the policy.calc result with every intermediate figure.

    ``kwh``, ``tce`` and ``amount_yuan`` copy the headline figure for totals (oversight dashboards).
    """

    class Kind(models.TextChoices):
        ENERGY = "energy", bi("核减能耗预算指标", "Energy-budget cut")
        THEFT = "theft", bi("窃电追补与违约使用电费", "Electricity-theft recovery")
        TARIFF_CHANGE = "tariff_change", bi("擅自改变用电类别", "Unauthorised tariff change")
        SURCHARGE = "surcharge", bi("差别电价加价", "Differential surcharge")
        CRIMINAL_THRESHOLD = "criminal_threshold", bi("刑事追诉标准", "Criminal threshold")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="calculations")
    party = models.ForeignKey(
        CaseParty, null=True, blank=True, on_delete=models.CASCADE, related_name="calculations"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    pack = models.CharField(max_length=60)
    inputs = models.JSONField(default=dict)
    output = models.JSONField(default=dict, help_text="Calculation.as_dict(): steps, basis, result")
    kwh = models.DecimalField(max_digits=18, decimal_places=3, null=True, blank=True)
    tce = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    amount_yuan = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class LegalReview(models.Model):
    """法制审核 (行政处罚法第五十八条) by a legal reviewer who took no part in the investigation.

    Without ``party``: the review of the proposed handling before anything is served. With ``party``:
    the review of that party's penalty before the decision, after the statement or hearing."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", bi("同意", "Approved")
        RETURNED = "returned", bi("退回补正", "Returned for correction")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_reviews")
    party = models.ForeignKey(
        CaseParty, null=True, blank=True, on_delete=models.CASCADE, related_name="legal_reviews"
    )
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    opinion = models.TextField()
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reviewed_at", "id"]


class Notice(models.Model):
    """告知书 to one party (行政处罚法第四十四、六十三、六十四条): intended penalty, reasons, basis, rights.

    ``defence_deadline`` and ``hearing_request_deadline`` are computed in working days (policy.workdays).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    party = models.ForeignKey(CaseParty, on_delete=models.CASCADE, related_name="notices")
    number = models.CharField(max_length=60, help_text="document number (文号)")
    intended_penalty = models.TextField()
    intended_fine_yuan = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="the intended fine (行政处罚法第四十四条); a decided fine may not exceed it (第四十五条)",
    )
    hearing_eligible = models.BooleanField(default=True, help_text="penalty gives a right to a hearing")
    served_on = models.DateField()
    service_method = models.CharField(max_length=40, default="direct")
    defence_deadline = models.DateField()
    hearing_request_deadline = models.DateField()
    statement = models.TextField(blank=True, help_text="the party's statement and defence (陈述申辩)")
    statement_received_on = models.DateField(null=True, blank=True)
    hearing_requested = models.BooleanField(default=False)
    hearing_requested_on = models.DateField(null=True, blank=True)
    rights_waived = models.BooleanField(
        default=False, help_text="party waived statement and hearing in writing"
    )
    superseded = models.BooleanField(default=False, help_text="replaced after a reopening")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Hearing(models.Model):
    """听证 requested on a notice; the party is notified at least 7 working days ahead."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", bi("已安排", "Scheduled")
        HELD = "held", bi("已举行", "Held")
        WITHDRAWN = "withdrawn", bi("当事人撤回", "Withdrawn by the party")

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="hearing")
    scheduled_on = models.DateField()
    notified_on = models.DateField()
    place = models.CharField(max_length=200)
    presiding_officer = models.CharField(max_length=60, help_text="not an investigator of this case")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    record = models.TextField(blank=True, help_text="听证笔录 summary")
    held_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class Decision(models.Model):
    """行政处罚决定书 for one party with the content of 行政处罚法第五十九条."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    party = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="decisions")
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    number = models.CharField(max_length=60, help_text="document number (文号)")
    facts_and_evidence = models.TextField(help_text="违反法律、法规、规章的事实和证据")
    penalty_and_basis = models.TextField(help_text="行政处罚的种类和依据")
    fine_yuan = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    fine_change_reason = models.TextField(
        blank=True, help_text="why the fine is lower than the notice announced (行政处罚法第四十五条)"
    )
    compliance = models.TextField(help_text="行政处罚的履行方式和期限")
    appeal_route = models.TextField(help_text="申请行政复议、提起行政诉讼的途径和期限")
    authority = models.CharField(max_length=120, help_text="作出决定的行政机关名称")
    decided_on = models.DateField()
    sealed = models.BooleanField(default=True, help_text="加盖作出决定的行政机关印章")
    service_deadline = models.DateField()
    served_on = models.DateField(null=True, blank=True)
    payment_deadline = models.DateField(null=True, blank=True, help_text="15 days from service, if a fine")
    appeal_deadline = models.DateField(null=True, blank=True)
    lawsuit_deadline = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Referral(models.Model):
    """移送: to the police (国务院令第310号) or, for officials, to the discipline organs.

    Police: report → decision within 3 days → transfer within 24 h of approval (with the referral letter,
    investigation report, exhibit list, expert findings) → receipt → answer within 3 days of receipt.
    A fine never replaces a referral.
    """

    class Kind(models.TextChoices):
        POLICE = "police", bi("移送公安机关", "Police")
        DISCIPLINE = "discipline", bi("移送纪检监察机关", "Discipline organs")
        FINANCIAL = "financial", bi("移送地方金融监管部门", "Financial regulator")
        ACCOUNTABILITY = "accountability", bi("问责线索移送纪检监察机关", "Accountability referral")

    class Status(models.TextChoices):
        PROPOSED = "proposed", bi("待决定", "Awaiting decision")
        DECLINED = "declined", bi("不予移送", "Not referred")
        APPROVED = "approved", bi("批准移送", "Approved")
        TRANSFERRED = "transferred", bi("已移送", "Transferred")
        RECEIVED = "received", bi("已接收", "Received")
        ANSWERED = "answered", bi("已答复", "Answered")

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", bi("立案侦查/受理", "Accepted")
        NOT_ACCEPTED = "not_accepted", bi("不予立案", "Not accepted")

    class Outcome(models.TextChoices):
        """How the criminal proceedings on an accepted police referral ended (国务院令第310号第十一条第二款,
        as amended by 国务院令第730号, 2020): after the first four the authority decides whether to fine."""

        WITHDRAWN = "withdrawn", bi("公安机关撤销案件", "Case withdrawn by the police")
        NOT_PROSECUTED = "not_prosecuted", bi("人民检察院不起诉", "Not prosecuted")
        ACQUITTED = "acquitted", bi("人民法院判决无罪", "Acquitted")
        EXEMPTED = "exempted", bi("人民法院免予刑事处罚", "Exempted from criminal punishment")
        CONVICTED = "convicted", bi("人民法院判处刑罚", "Convicted and sentenced")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    party = models.ForeignKey(
        CaseParty, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    action = models.CharField(max_length=40, blank=True, help_text="policy action code that calls for it")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    grounds = models.TextField()
    reported_on = models.DateField(help_text="负责人收到移送报告之日")
    decision_due = models.DateField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    transfer_due = models.DateTimeField(null=True, blank=True)
    transferred_at = models.DateTimeField(null=True, blank=True)
    receiving_organ = models.CharField(max_length=120, blank=True)
    copied_to = models.CharField(
        max_length=120, blank=True, help_text="抄送 (police referrals: the procuratorate of the same level)"
    )
    documents = models.JSONField(default=list, blank=True, help_text="codes of the documents sent")
    receipt_number = models.CharField(max_length=60, blank=True)
    received_on = models.DateField(null=True, blank=True)
    answer_due = models.DateField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answer = models.CharField(max_length=14, choices=Answer.choices, blank=True)
    answer_text = models.TextField(blank=True)
    exhibits_due = models.DateField(
        null=True, blank=True, help_text="police opened a case: exhibits handed over by (310号令第十二条)"
    )
    exhibits_handed_over_on = models.DateField(null=True, blank=True)
    exhibits_note = models.TextField(blank=True, help_text="what was handed over and the receipt")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True, help_text="the day the outcome took effect")
    outcome_text = models.TextField(blank=True, help_text="the organ's document: number and gist")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Task(models.Model):
    """A department task (部门任务) for one required action of a decided measure, within the case's division.

    A liaison of ``department`` whose jurisdiction contains ``division`` closes it with the document
    number and the proof file.
    """

    class Status(models.TextChoices):
        OPEN = "open", bi("待办", "Open")
        DONE = "done", bi("已办结", "Done")
        CANCELLED = "cancelled", bi("已撤销", "Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    party = models.ForeignKey(
        CaseParty, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    track = models.ForeignKey("Track", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="case_tasks")
    department = models.CharField(max_length=40, help_text="policy.codes.DEPARTMENTS")
    action = models.CharField(max_length=40, help_text="policy.codes.ACTIONS")
    title = models.CharField(max_length=300)
    instructions = models.TextField(blank=True)
    due_on = models.DateField()
    due_at = models.DateTimeField(null=True, blank=True, help_text="for hour deadlines")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    document_number = models.CharField(max_length=60, blank=True)
    closure_note = models.TextField(blank=True)
    proof_name = models.CharField(max_length=200, blank=True)
    proof_content_type = models.CharField(max_length=80, blank=True)
    proof_content = models.BinaryField(blank=True, default=b"")
    proof_sha256 = models.CharField(max_length=64, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cancel_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["department", "status"]), models.Index(fields=["due_on"])]

    @property
    def title_shown(self) -> str:
        """The title in the reader's language. The platform writes it as the action's Chinese name and the
        party (``停限电：某公司``, :func:`~minesweep.cases.services.tracks._tasks_for`); an English reader gets
        the action's English name before the party's own name."""
        action = ACTIONS.get(self.action)
        if action is None or not self.title.startswith(f"{action.zh}："):
            return self.title
        return pick(self.title, f"{action.en}: {self.title[len(action.zh) + 1 :]}")


class Track(models.Model):
    """One legal track of one party (程序轨道): the party's actions of one kind by one authority.

    ``kind`` is a policy.codes.TRACKS code; ``step`` a step of that kind in ``transitions.TRACK_FLOWS``;
    ``actions`` the engine's action dicts (code, authority, legal_basis …) of the party's non-struck
    measures on this track. A case closes when every track has ended (``step == "ended"``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tracks")
    party = models.ForeignKey(CaseParty, on_delete=models.CASCADE, related_name="tracks")
    kind = models.CharField(max_length=16, help_text="policy.codes.TRACKS")
    authority = models.CharField(max_length=40, help_text="policy.codes.DEPARTMENTS: who holds the power")
    authority_name = models.CharField(max_length=120, blank=True, help_text="from the pack's authorities")
    step = models.CharField(max_length=20)
    actions = models.JSONField(default=list)
    measure_ids = models.JSONField(default=list)
    hearing_right = models.BooleanField(null=True, help_text="行政处罚法第六十三条, derived (penalty only)")
    hearing_reason = models.TextField(blank=True)
    hearing_reason_en = models.TextField(blank=True)
    discussion_required = models.BooleanField(
        default=False, help_text="行政处罚法第五十七条: collective discussion before the decision"
    )
    filed_on = models.DateField(
        null=True,
        blank=True,
        help_text="penalty: filed by the authority holding the power when it did not file the case (第五十四条)",
    )
    filing_officers = models.CharField(
        max_length=120, blank=True, help_text="that authority's officers (two or more, 第四十二条)"
    )
    letter_on = models.DateField(null=True, blank=True, help_text="处理决定/建议函 issued on")
    letter_text = models.TextField(blank=True, help_text="content: measures, basis, remedies or request")
    letter_number = models.CharField(max_length=60, blank=True, help_text="filled by the documents service")
    # Credit track: a decision made outside the platform that establishes the party's conduct (a judgment, an
    # arbitral award, another organ's penalty or ruling), on which its listing rests (国办发〔2020〕49号).
    ground_kind = models.CharField(max_length=30, blank=True, help_text="cases.selectors.GROUND_KINDS")
    ground_number = models.CharField(max_length=60, blank=True, help_text="its 文号 or case number")
    ground_organ = models.CharField(max_length=120, blank=True, help_text="the court, tribunal or organ")
    ground_on = models.DateField(null=True, blank=True, help_text="the day it took legal effect")
    referral = models.OneToOneField(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="track"
    )
    outcome = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["party_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "party", "kind", "authority"], name="track_once")
        ]

    @property
    def ended(self) -> bool:
        return self.step == "ended"

    def action_codes(self) -> list[str]:
        return [str(a.get("code")) for a in self.actions]


class CollectiveDiscussion(models.Model):
    """集体讨论 by the authority's heads (行政处罚法第五十七条) with its minutes, for one party's penalty."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="discussions")
    party = models.ForeignKey(CaseParty, on_delete=models.CASCADE, related_name="discussions")
    held_on = models.DateField()
    participants = models.CharField(max_length=300)
    minutes = models.TextField(help_text="会议纪要")
    conclusion = models.TextField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "id"]


class FollowUpCheck(models.Model):
    """回头看 after closure at 1, 3 and 6 months; a check that finds mining again opens a new, linked
    case (行政处罚法第二十九条: the decided case is not reopened)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", bi("待检查", "Scheduled")
        PASSED = "passed", bi("未反弹", "No relapse")
        FAILED = "failed", bi("发现反弹", "Relapse found")
        CANCELLED = "cancelled", bi("已取消", "Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    checked_on = models.DateField(null=True, blank=True)
    checked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    findings = models.TextField(blank=True)
    new_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="opened on relapse"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
