"""Regulated subjects and what ties them to mining: sites, power accounts, IP allocations, licences,
preferences, power-market participation and the 1283号 mining-project register.

Every record that belongs somewhere carries a ``division`` (GB/T 2260); staff see only records whose
division lies inside their jurisdiction (see :mod:`minesweep.accounts.jurisdiction`).
"""

from __future__ import annotations

from django.db import models

from minesweep.core.i18n import bi
from minesweep.policy.packs import power_market
from minesweep.registry.resident_id import mask_resident_id


class Division(models.Model):
    """GB/T 2260 administrative division: the region, a league/city (盟市) or a county/banner (旗县区)."""

    class Level(models.TextChoices):
        REGION = "region", bi("自治区", "Region")
        LEAGUE = "league", bi("盟市", "League/city")
        COUNTY = "county", bi("旗县区", "County/banner")

    code = models.CharField(max_length=6, primary_key=True)
    name = models.CharField(max_length=60)
    level = models.CharField(max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_prefix(self) -> str:
        """Code prefix shared by this division and everything under it: 15 / 1502 / 150203."""
        if self.level == self.Level.REGION:
            return self.code[:2]
        if self.level == self.Level.LEAGUE:
            return self.code[:4]
        return self.code

    @property
    def league(self) -> Division | None:
        if self.level == self.Level.LEAGUE:
            return self
        if self.level == self.Level.COUNTY:
            return self.parent
        return None


class Category(models.Model):
    """Subject category (主体类别) with the stable code every later part uses."""

    code = models.CharField(max_length=40, primary_key=True)
    name_zh = models.CharField(max_length=60)
    name_en = models.CharField(max_length=80)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_zh


class Subject(models.Model):
    """An enterprise (企业, by USCC), an individual (个人, by resident ID) or a public body (机关事业单位)."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", bi("企业", "Enterprise")
        INDIVIDUAL = "individual", bi("个人", "Individual")
        PUBLIC_BODY = "public_body", bi("机关事业单位", "Public body")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=200, db_index=True)
    uscc = models.CharField(max_length=18, null=True, blank=True, unique=True)
    resident_id = models.CharField(max_length=18, blank=True)
    legal_representative = models.CharField(max_length=100, blank=True)
    declared_business = models.CharField(max_length=300, blank=True)
    address = models.CharField(max_length=300, blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="subjects")
    categories = models.ManyToManyField(Category, blank=True, related_name="subjects")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="enterprise") | models.Q(uscc__isnull=False),
                name="enterprise_has_uscc",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier_display(self) -> str:
        """What lists and exports may show: the USCC, or the masked resident ID."""
        return self.uscc or mask_resident_id(self.resident_id)


class Site(models.Model):
    """A physical place (场所): address, division, optional coordinates (WGS-84)."""

    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="sites"
    )
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="sites")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class PowerAccount(models.Model):
    """A grid account (电力户号) with its tariff category, contracted capacity and voltage."""

    class Tariff(models.TextChoices):
        LARGE_INDUSTRY = "large_industry", bi("大工业", "Large industry")
        INDUSTRY_COMMERCE = "industry_commerce", bi("一般工商业", "Industry and commerce")
        RESIDENTIAL = "residential", bi("居民生活", "Residential")
        AGRICULTURAL = "agricultural", bi("农业生产", "Agricultural")
        CLEAN_HEATING = "clean_heating", bi("清洁供暖", "Clean heating")

    number = models.CharField(max_length=40, unique=True)
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="power_accounts"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="power_accounts"
    )
    tariff = models.CharField(max_length=20, choices=Tariff.choices)
    contract_kva = models.DecimalField(max_digits=10, decimal_places=1, null=True, blank=True)
    voltage_kv = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="power_accounts")

    def __str__(self) -> str:
        return self.number


class IPAllocation(models.Model):
    """Who held an address block when (IP 地址分配记录); validity periods may overlap."""

    prefix = models.CharField(max_length=43)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="ip_allocations"
    )
    subscriber_name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="ip_allocations")

    def __str__(self) -> str:
        return f"{self.prefix} {self.subscriber_name}"


class Licence(models.Model):
    class Kind(models.TextChoices):
        VALUE_ADDED_TELECOM = (
            "value_added_telecom",
            bi("增值电信业务经营许可证", "Value-added telecom licence"),
        )
        INTERNET_CAFE = "internet_cafe", bi("网络文化经营许可证（网吧）", "Internet café licence")

    class Status(models.TextChoices):
        VALID = "valid", bi("有效", "Valid")
        SUSPENDED = "suspended", bi("暂停", "Suspended")
        REVOKED = "revoked", bi("吊销", "Revoked")

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="licences")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    number = models.CharField(max_length=60)
    issued_by = models.CharField(max_length=120, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID)


class Preference(models.Model):
    """A preferential policy or support enjoyed (优惠政策、支持): tax, land, electricity price, fiscal support
    (财政补贴、资金支持, granted by the 财政部门) or financial support (信贷等金融支持, under the financial
    regulators). 1283号 stops them all; each is asked of the organ that grants it, and only where one is on
    record (cases.services.tracks.PREFERENCE_HOLDINGS): asking to withdraw what was never granted is an act
    without an object that can be carried out (行政诉讼法第七十条、第七十五条, as the legal review reads them)."""

    class Kind(models.TextChoices):
        TAX = "tax", bi("税收优惠", "Tax preference")
        LAND = "land", bi("土地优惠", "Land preference")
        ELECTRICITY_PRICE = "electricity_price", bi("电价优惠", "Electricity-price preference")
        FISCAL = "fiscal", bi("财政补贴、资金支持", "Fiscal subsidy or funding")
        FINANCIAL = "financial", bi("信贷等金融支持", "Credit or other financial support")

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=300, blank=True)
    granted_by = models.CharField(max_length=120, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)


def default_power_market() -> str:
    """The deployment's power market, named by its policy pack (``MINESWEEP_POLICY_PACK``)."""
    return power_market()[:120]


class MarketParticipation(models.Model):
    """Participation in a power market (by default the region's, from the deployment's policy pack)."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="market_participations")
    market = models.CharField(max_length=120, default=default_power_market)
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)


class MiningProject(models.Model):
    """A mining project in the 1283号 register (虚拟货币挖矿项目台账)."""

    class Status(models.TextChoices):
        EXISTING = "existing", bi("存量在运", "Existing, operating")
        UNDER_CONSTRUCTION = "under_construction", bi("在建", "Under construction")
        SHUT_DOWN = "shut_down", bi("已关停", "Shut down")
        RECTIFYING = "rectifying", bi("整改中", "Rectifying")

    owner = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="mining_projects")
    name = models.CharField(max_length=200)
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="mining_projects"
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="mining_projects")
    rigs = models.PositiveIntegerField(default=0)
    hash_rate_ths = models.DecimalField(max_digits=14, decimal_places=1, default=0)
    power_kw = models.DecimalField(max_digits=12, decimal_places=1, default=0)
    status = models.CharField(max_length=20, choices=Status.choices)
    planned_start = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class MiningProjectSnapshot(models.Model):
    """The register as it stood in one ISO week; kept as history, never overwritten."""

    project = models.ForeignKey(MiningProject, on_delete=models.PROTECT, related_name="snapshots")
    week = models.CharField(max_length=8)  # e.g. 2026-W48
    data = models.JSONField()
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "week"], name="one_snapshot_per_week")]
        ordering = ["week", "project_id"]
