"""Public reports (群众举报) and everything attached to them.

What identifies or was written by the reporter is encrypted at rest (envelope encryption, see
:mod:`minesweep.security.envelope`): the description and observations (``content_sealed``), the contact
details (``contact_sealed``), messages and attachments. What describes the *reported* place or company
(subject name, USCC, address, division, power account, coordinates) stays in clear so the intake queue can
group duplicates and scope by jurisdiction. No column holds a network address, user agent or any other
request metadata.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minesweep.core.i18n import bi, pick
from minesweep.registry.models import Division


class Category(models.TextChoices):
    """The seed's four reporting categories plus "other"."""

    MINING_ENTERPRISE = (
        "mining_enterprise",
        bi("虚拟货币“挖矿”企业（含隐蔽挖矿）", "Mining enterprise (incl. hidden mining)"),
    )
    DISGUISED_DATA_CENTER = (
        "disguised_data_center",
        bi(
            "以数据中心名义骗取税收、土地、电价优惠的挖矿企业",
            "Mining disguised as a data centre to obtain preferences",
        ),
    )
    SITE_OR_SERVICE_PROVIDER = (
        "site_or_service_provider",
        bi("为挖矿企业提供场地或服务的企业", "Provides sites or services to miners"),
    )
    ILLEGAL_POWER = (
        "illegal_power",
        bi("以非法手段获取电力挖矿的企业", "Obtains electricity illegally to mine"),
    )
    OTHER = "other", bi("其他", "Other")


class Channel(models.TextChoices):
    WEB = "web", bi("网站", "Website")
    API = "api", bi("移动端/小程序", "Mobile app / mini-program")
    PHONE = "phone", bi("电话", "Phone")
    EMAIL = "email", bi("电子邮件", "Email")
    LETTER = "letter", bi("信件", "Letter")
    IN_PERSON = "in_person", bi("当面", "In person")


OFFICER_CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.LETTER, Channel.IN_PERSON)


class PublicStatus(models.TextChoices):
    """The coarse status a reporter sees."""

    RECEIVED = "received", bi("已受理", "Received")
    VERIFYING = "verifying", bi("核查中", "Under verification")
    CASE_OPENED = "case_opened", bi("已立案", "Case opened")
    CONCLUDED = "concluded", bi("已办结", "Concluded")
    NOT_PURSUED = "not_pursued", bi("不予处理", "Not pursued")


class TriageState(models.TextChoices):
    """Where the report stands in the intake queue (staff only)."""

    NEW = "new", bi("待分拣", "New")
    ROUTED = "routed", bi("已转办", "Routed")
    ASKED = "asked", bi("待举报人答复", "Waiting for the reporter")
    MERGED = "merged", bi("已合并", "Merged")
    DISMISSED = "dismissed", bi("已不予处理", "Dismissed")
    CONVERTED = "converted", bi("已转为线索", "Converted to a lead")


OPEN_STATES = (TriageState.NEW, TriageState.ROUTED, TriageState.ASKED)


class Report(models.Model):
    """One report. ``number`` is the staff reference; the reporter holds only the receipt code."""

    number = models.CharField(max_length=20, unique=True)
    lookup_id = models.CharField(max_length=64, unique=True, help_text="HMAC(pepper, receipt)")
    verifier = models.CharField(max_length=200, help_text="Argon2id(HMAC(pepper, receipt))")
    category = models.CharField(max_length=30, choices=Category.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    status = models.CharField(max_length=12, choices=PublicStatus.choices, default=PublicStatus.RECEIVED)
    state = models.CharField(max_length=12, choices=TriageState.choices, default=TriageState.NEW)

    subject_name = models.CharField(max_length=200, blank=True)
    uscc = models.CharField(max_length=18, blank=True, db_index=True)
    address = models.CharField(max_length=300, blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="reports")
    reported_division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_from_photo = models.BooleanField(default=False)
    power_account = models.CharField(max_length=40, blank=True, db_index=True)

    key_id = models.CharField(max_length=40)
    wrapped_key = models.BinaryField()
    content_sealed = models.BinaryField()
    contact_sealed = models.BinaryField(blank=True, default=b"")
    has_contact = models.BooleanField(default=False)
    content_sha256 = models.CharField(max_length=64, db_index=True)

    public_outcome = models.TextField(blank=True, help_text="text officers released to the reporter")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    lead = models.ForeignKey(
        "cases.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def aad(self, part: str) -> bytes:
        return f"reports.report:{self.number}:{part}".encode()


class ReportMessage(models.Model):
    """A message between the reporter and officers (sealed with the report's data key)."""

    class Author(models.TextChoices):
        REPORTER = "reporter", bi("举报人", "Reporter")
        OFFICER = "officer", bi("工作人员", "Officer")

    class Kind(models.TextChoices):
        MESSAGE = "message", bi("消息", "Message")
        QUESTION = "question", bi("补充材料请求", "Question to the reporter")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=10, choices=Author.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


ATTACHMENT_KINDS = {
    "image": ("照片", "photo"),
    "pdf": ("PDF 文件", "PDF file"),
    "document": ("Word 文档", "Word document"),
    "sheet": ("Excel 表格", "Excel sheet"),
    "video": ("视频", "video"),
}


class ReportAttachment(models.Model):
    """A sanitised, encrypted file. Its own data key; name and bytes sealed together."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        ReportMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    kind = models.CharField(max_length=10)  # image, pdf, document, sheet, video
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, help_text="digest of the stored (sanitised) file")
    removed = models.JSONField(default=list, blank=True, help_text="metadata removed on storage")
    key_id = models.CharField(max_length=40)
    wrapped_key = models.BinaryField()
    name_sealed = models.BinaryField()
    content_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def aad(self, part: str) -> bytes:
        return f"reports.attachment:{self.report.number}:{self.sha256}:{part}".encode()

    @property
    def kind_label(self) -> str:
        """The kind of file in the active language (a kind nobody named is shown as stored)."""
        zh, en = ATTACHMENT_KINDS.get(self.kind, (self.kind, self.kind))
        return pick(zh, en)


class ReportNotification(models.Model):
    """An in-app notice to one officer about a report in their jurisdiction."""

    class Kind(models.TextChoices):
        NEW_REPORT = "new_report", bi("新举报", "New report")
        ROUTED = "routed", bi("转办到本辖区", "Routed to your jurisdiction")
        REPORTER_MESSAGE = "reporter_message", bi("举报人新留言", "New message from the reporter")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]
