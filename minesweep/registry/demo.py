"""A plausible Inner Mongolia: about 200 subjects across all categories, with sites, power accounts,
IP allocations, licences, preferences, market participation and the mining-project register.
All names are fictitious; every USCC and resident ID is valid by its check rules.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from minesweep.oversight.boundaries import point_inside
from minesweep.registry.models import (
    Division,
    Licence,
    MarketParticipation,
    MiningProject,
    Preference,
    Subject,
)
from minesweep.registry.resident_id import resident_id_check_character
from minesweep.registry.services import (
    ip_allocation_create,
    power_account_create,
    project_register_snapshot,
    site_create,
    subject_create,
)
from minesweep.registry.uscc import ALPHABET, make_uscc

SHANGHAI = ZoneInfo("Asia/Shanghai")
# (category, how many, name stem, declared business, tariff, kVA range)
PLAN: list[tuple[str, int, str, str, str, tuple[int, int]]] = [
    ("data_center", 24, "数据科技有限公司", "数据处理和存储支持服务", "large_industry", (2000, 20000)),
    ("big_data_or_cloud", 16, "云计算有限公司", "云计算服务、大数据服务", "large_industry", (5000, 40000)),
    ("industrial_park", 12, "工业园区管理委员会", "园区开发建设与管理", "large_industry", (10000, 80000)),
    ("captive_power_plant", 10, "热电有限责任公司", "自备电厂发电供热", "large_industry", (20000, 120000)),
    (
        "telecom_or_internet",
        14,
        "网络科技有限公司",
        "增值电信业务、互联网信息服务",
        "industry_commerce",
        (200, 3000),
    ),
    ("internet_cafe", 22, "网咖", "互联网上网服务", "industry_commerce", (50, 315)),
    ("unapproved_power_project", 10, "新能源科技有限公司", "新能源技术推广服务", "agricultural", (400, 4000)),
    ("enterprise", 56, "实业有限公司", "金属制品、建材、农畜产品加工", "industry_commerce", (100, 5000)),
    ("individual", 26, "", "", "residential", (8, 60)),
    ("public_official", 10, "", "", "residential", (8, 30)),
]
PREFIXES = [
    "恒通",
    "鑫源",
    "北疆",
    "草原",
    "金泰",
    "蒙能",
    "远航",
    "聚力",
    "天骄",
    "华瑞",
    "祥和",
    "宏图",
    "盛世",
    "瀚海",
    "青城",
    "鹿城",
    "阿拉善",
    "河套",
    "锡林",
    "乌兰",
    "银河",
    "星海",
    "磐石",
    "驰远",
    "博远",
]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "建华",
    "海峰",
]


def _org_body(rng: random.Random) -> str:
    digits = "0123456789"
    return "".join(rng.choice(digits if i < 7 else digits + "ABCDEFGH") for i in range(8))


def _resident_id(rng: random.Random, county: str) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 40))
    first17 = f"{county}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + resident_id_check_character(first17)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _representative(rng: random.Random) -> str:
    """An organisation's 法定代表人（负责人） as the demo names people in its acts, a surname and 某 (王某); drawn as
    a full name was, so the rest of the demo stays as it was."""
    return _person(rng)[0] + "某"


def _create_subject(rng: random.Random, category: str, stem: str, business: str, county: Division) -> Subject:
    league = county.parent
    assert league is not None
    if category in ("individual", "public_official"):
        return subject_create(
            actor="demo",
            kind="individual",
            name=_person(rng),
            division=county,
            resident_id=_resident_id(rng, county.code),
            address=f"{county.name}某小区",
            categories=[category],
        )
    kind = "public_body" if category == "industrial_park" else "enterprise"
    department, entity = ("1", "1") if kind == "public_body" else ("9", "1")
    while True:
        uscc = make_uscc(department, entity, county.code, _org_body(rng))
        if not Subject.objects.filter(uscc=uscc).exists():
            break
    place = league.name.replace("市", "").replace("盟", "")
    name = (
        f"{place}{rng.choice(PREFIXES)}{stem}"
        if category != "internet_cafe"
        else f"{county.name}{rng.choice(PREFIXES)}{stem}"
    )
    while Subject.objects.filter(name=name).exists():
        name = name.replace(stem, f"{rng.choice(ALPHABET[10:])}{stem}", 1)
    extra = (
        ["enterprise"]
        if category
        in (
            "data_center",
            "big_data_or_cloud",
            "telecom_or_internet",
            "internet_cafe",
            "unapproved_power_project",
            "captive_power_plant",
        )
        else []
    )
    return subject_create(
        actor="demo",
        kind=kind,
        name=name,
        division=county,
        uscc=uscc,
        legal_representative=_representative(rng),
        declared_business=business,
        address=f"{county.name}{rng.choice(PREFIXES)}路{rng.randrange(1, 300)}号",
        categories=[category, *extra],
    )


def _attach_site_and_power(
    rng: random.Random, subject: Subject, tariff: str, kva: tuple[int, int], serial: int
) -> None:
    county = subject.division
    # Two draws from the demo's stream (as before, so the rest of the demo stays the same) seed a point
    # inside the county's boundary (its league's, for a development zone without a polygon of its own).
    place = random.Random(f"{rng.random()}:{rng.random()}")
    x, y = point_inside(county.code, place)
    lat, lon = Decimal(f"{y:.6f}"), Decimal(f"{x:.6f}")
    site = site_create(
        actor="demo",
        name=f"{subject.name}厂区" if subject.kind != "individual" else f"{subject.name}住所",
        address=subject.address,
        division=county,
        subject=subject,
        latitude=lat,
        longitude=lon,
    )
    power_account_create(
        actor="demo",
        number=f"{county.code}{serial:08d}",
        tariff=tariff,
        division=county,
        subject=subject,
        site=site,
        contract_kva=Decimal(rng.randrange(*kva)),
        voltage_kv=Decimal("10") if kva[0] >= 400 else Decimal("0.4"),
    )


def _extras(rng: random.Random, subject: Subject, category: str, serial: int) -> None:
    start = datetime(2020, 1, 1, tzinfo=SHANGHAI)
    if category in ("telecom_or_internet", "internet_cafe"):
        kind = (
            Licence.Kind.VALUE_ADDED_TELECOM
            if category == "telecom_or_internet"
            else Licence.Kind.INTERNET_CAFE
        )
        Licence.objects.create(
            subject=subject,
            kind=kind,
            number=f"蒙B2-{20200000 + serial}",
            issued_by="内蒙古自治区通信管理局" if category == "telecom_or_internet" else "文化和旅游局",
        )
        ip_allocation_create(
            actor="demo",
            prefix=f"10.{serial % 250}.{rng.randrange(256)}.0/24",
            valid_from=start,
            subject=subject,
            subscriber_name=subject.name,
            address=subject.address,
            division=subject.division,
        )
    if category in ("data_center", "big_data_or_cloud"):
        Preference.objects.create(
            subject=subject,
            kind=Preference.Kind.ELECTRICITY_PRICE,
            description="大数据产业优惠电价",
            granted_by="自治区发展改革委",
        )
        # A cloud company always has one (rng drawn first, so the rest of the demo stays as it was): the demo's
        # hosting case asks the tax authority to cancel it, which needs one on record (codes.HOLDINGS).
        if rng.random() < 0.5 or category == "big_data_or_cloud":
            Preference.objects.create(
                subject=subject, kind=Preference.Kind.TAX, description="西部大开发企业所得税优惠"
            )
    if category == "big_data_or_cloud":
        MarketParticipation.objects.create(subject=subject, since=date(2019, 7, 1))
        # Likewise a land preference, for the 建议函 to the land authority.
        Preference.objects.create(
            subject=subject,
            kind=Preference.Kind.LAND,
            description="大数据产业项目用地优惠",
            granted_by="旗县人民政府",
        )
        # And the fiscal and financial support a cloud company is given, for the 建议函 to the finance
        # department and the financial regulator (1283号 stops them only where given: codes.HOLDINGS).
        Preference.objects.create(
            subject=subject,
            kind=Preference.Kind.FISCAL,
            description="大数据产业发展专项资金补贴",
            granted_by="自治区财政厅",
        )
        Preference.objects.create(
            subject=subject,
            kind=Preference.Kind.FINANCIAL,
            description="数据中心建设项目优惠贷款",
            granted_by="某商业银行内蒙古分行",
        )


def _projects(rng: random.Random) -> int:
    owners = list(Subject.objects.filter(categories__code__in=["unapproved_power_project", "data_center"]))[
        :15
    ]
    statuses = [
        MiningProject.Status.SHUT_DOWN,
        MiningProject.Status.EXISTING,
        MiningProject.Status.RECTIFYING,
        MiningProject.Status.UNDER_CONSTRUCTION,
    ]
    for number, owner in enumerate(owners):
        rigs = rng.randrange(200, 5000)
        MiningProject.objects.create(
            owner=owner,
            name=f"{owner.name}矿场{number + 1}",
            division=owner.division,
            site=owner.sites.first(),
            rigs=rigs,
            hash_rate_ths=Decimal(rigs * 95),
            power_kw=Decimal(rigs * 325) / 100,
            status=statuses[number % len(statuses)],
            planned_start=date(2026, 12, 1)
            if statuses[number % len(statuses)] == "under_construction"
            else None,
        )
    return len(owners)


def load(*, seed: int) -> str:
    if Subject.objects.exists():
        return "registry already present"
    rng = random.Random(seed)
    counties = list(Division.objects.filter(level=Division.Level.COUNTY).select_related("parent"))
    serial = 0
    for category, count, stem, business, tariff, kva in PLAN:
        for _ in range(count):
            serial += 1
            subject = _create_subject(rng, category, stem, business, rng.choice(counties))
            _attach_site_and_power(rng, subject, tariff, kva, serial)
            _extras(rng, subject, category, serial)
    projects = _projects(rng)
    project_register_snapshot(actor="demo", day=date.today())
    return f"{Subject.objects.count()} subjects, {projects} mining projects"
