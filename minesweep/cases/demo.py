"""Demo cases at every stage (open lead → reopened case) in Baotou and Ordos, driven through the real
services so every record has its audit events. Idempotent: marked leads are created only once."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from minesweep.accounts.demo import PERSONAS, Persona
from minesweep.accounts.models import StaffProfile
from minesweep.accounts.roles import DEPARTMENTS, Role
from minesweep.accounts.services import staff_create
from minesweep.cases import scenarios
from minesweep.cases.models import Case, Lead
from minesweep.cases.scenarios import Crew, PartySpec
from minesweep.cases.services import lead_create
from minesweep.core.demodata import DEMO_PASSWORD
from minesweep.core.errors import DomainError
from minesweep.registry.models import Division, Subject
from minesweep.registry.uscc import make_uscc

MARK = "demo:cases:"

#: The staff the demo cases need, made here when the personas (accounts.demo) were not loaded first: each
#: city's two investigators, its two legal reviewers (the 发改委's and the 能源局's) and the 能源局's officer.
EXTRA_STAFF = (
    Persona("baotou_investigator2", "包头市核查员 王磊", Role.INVESTIGATOR, "150200"),
    Persona("ordos_investigator2", "鄂尔多斯市核查员 高峰", Role.INVESTIGATOR, "150600"),
    *[
        p
        for p in PERSONAS
        if p.legal_reviewer
        or p.username
        in (
            "baotou_investigator",
            "ordos_investigator",
            "baotou_energy_officer",
            "ordos_energy_officer",
            "region_credit_officer",
        )
    ],
)

# (stage, county code, title, party specs, rigs). Each organisation party names its 法定代表人（负责人）, a surname
# and 某 as the demo names people: the acts served on it print that line (documents.template_build.PARTY).
PLAN: tuple[tuple[str, str, str, tuple[PartySpec, ...], tuple[tuple[str, int], ...]], ...] = (
    ("open", "150203", "昆都仑区某废弃厂房夜间噪声大、用电异常", (), ()),
    ("verifying", "150204", "青山区某冷库疑似改建矿场", (), ()),
    ("not_filed", "150202", "东河区某数据中心负荷平稳（核实为正常业务）", (), ()),
    (
        "investigating",
        "150207",
        "九原区网吧夜间挖矿",
        (
            PartySpec(
                "九原区青城网咖",
                "internet_cafe",
                "operator",
                ("mining_confirmed",),
                make_uscc("9", "2", "150207", "MA0J0001"),  # 个体工商户: department 9, type 2
                address="包头市九原区某街道某商业楼二层",
                legal_representative="徐某",
            ),
        ),
        (("Antminer S9", 40),),
    ),
    (
        "legal_review",
        "150205",
        "石拐区私接动力电源矿场",
        (
            PartySpec(
                "石拐区某矿业工作室",
                "unapproved_power_project",
                "operator",
                ("mining_confirmed",),
                make_uscc("9", "2", "150205", "MA0J0002"),
                address="包头市石拐区某废弃选矿厂院内",
                legal_representative="郭某",
            ),
        ),
        (("Antminer S19", 260),),
    ),
    (
        "notice",
        "150223",
        "包头某云计算企业托管矿机",
        (
            # Measure 2's company: it trades in the power market and enjoys the 发改委's power-price preference
            # and tax and land preferences, so the exit, the withdrawal and the letters to the tax and land
            # authorities have an object (codes.HOLDINGS; a registry record of the same name adds its own).
            PartySpec(
                "包头瀚海云计算有限公司",
                "big_data_or_cloud",
                "host",
                ("mining_confirmed",),
                make_uscc("9", "1", "150223", "MA0H0001"),
                address="包头市达尔罕茂明安联合旗某大数据产业园3号楼",
                legal_representative="苏某",
                holdings=(
                    "power_account",
                    "project",
                    "market_participation",
                    "own_preference",
                    "tax_preference",
                    "land_preference",
                ),
            ),
            # Its private power line is a theft the police open a case on: its fine waits (310号令第十一条).
            PartySpec(
                "某通讯科技有限公司",
                "telecom_or_internet",
                "operator",
                ("mining_confirmed", "unapproved_power_connection"),
                make_uscc("9", "1", "150223", "MA0H0002"),
                address="包头市达尔罕茂明安联合旗某大数据产业园5号楼",
                legal_representative="韩某",
            ),
        ),
        (("Whatsminer M30S", 150),),
    ),
    (
        "decided",
        "150223",
        "达茂旗工业园区为矿场供电",
        (
            # A 管委会 is an organ of the banner government (code 11…: 机构编制, 机关): its energy-budget cut is
            # internal work, no 处理决定书 (cases.services.tracks.route_action).
            PartySpec(
                "达茂旗某工业园区管委会",
                "industrial_park",
                "host",
                ("provided_site_or_power", "concealment"),
                identifier=make_uscc("1", "1", "150223", "MB0D0001"),
                address="包头市达尔罕茂明安联合旗百灵庙镇某路1号",
                legal_representative="白某",
            ),
            # It trades in the power market: its exit is the 发改委's 处理决定书; its differential tariff goes to the
            # 自治区发改委 by 建议函 (115号第一项, the project list), never a city decision. It received a fiscal
            # subsidy and a bank loan on preferential terms, so the 建议函 to the 财政局 and the financial regulator
            # to stop them have an object (1283号; codes.HOLDINGS: never presumed).
            PartySpec(
                "达茂某矿业有限公司",
                "enterprise",
                "operator",
                ("mining_confirmed", "unapproved_power_connection"),
                make_uscc("9", "1", "150223", "MA0H0003"),
                address="包头市达尔罕茂明安联合旗某工业园区8号厂房",
                legal_representative="赵某",
                holdings=(
                    "power_account",
                    "project",
                    "market_participation",
                    "fiscal_support",
                    "financial_support",
                ),
            ),
        ),
        (("Antminer S19 Pro", 500), ("Antminer S17", 120)),
    ),
    (
        "closed",
        "150622",
        "准格尔旗自备电厂私拉专线挖矿",
        (
            PartySpec(
                "准格尔旗某自备电厂",
                "captive_power_plant",
                "host",
                ("provided_site_or_power", "late_shutdown"),
                make_uscc("9", "1", "150622", "MA0R0001"),
                address="鄂尔多斯市准格尔旗薛家湾镇某工业园区",
                legal_representative="高某",
            ),
            PartySpec(
                "某区块链科技有限公司",
                "enterprise",
                "operator",
                ("mining_confirmed",),
                make_uscc("9", "1", "150622", "MA0R0002"),
                address="鄂尔多斯市准格尔旗薛家湾镇某写字楼12层",
                legal_representative="陈某",
            ),
        ),
        (("Antminer S19j Pro", 800),),
    ),
    (
        "reopened",
        "150602",
        "东胜区某小区地下室挖矿（回头看反弹）",
        (
            PartySpec(
                "张某",
                "individual",
                "operator",
                ("mining_confirmed", "unapproved_power_connection"),
                address="鄂尔多斯市东胜区某小区某号楼",
            ),
            PartySpec(
                "李某（街道干部）",
                "public_official",
                "facilitator",
                ("official_involvement",),
                address="鄂尔多斯市东胜区某街道某小区",
            ),
        ),
        (("Antminer S9", 60),),
    ),
)


def _user(persona: Persona) -> User:
    found = User.objects.filter(username=persona.username).first()
    if found is not None:
        return found
    return staff_create(
        actor="demo",
        username=persona.username,
        password=DEMO_PASSWORD,
        display_name=persona.display_name,
        role=persona.role,
        jurisdiction=Division.objects.get(code=persona.division_code),
        department=persona.department,
        legal_reviewer=persona.legal_reviewer,
    ).user


def _liaisons() -> dict[str, User]:
    out: dict[str, User] = {}
    for profile in StaffProfile.objects.filter(
        role=Role.DEPARTMENT_LIAISON, jurisdiction_id="150000"
    ).select_related("user"):
        out.setdefault(profile.department, profile.user)
    return out


def _crews() -> dict[str, Crew]:
    staff = {persona.username: _user(persona) for persona in EXTRA_STAFF}
    liaisons = _liaisons()
    # The DRC itself does the energy-quota cut; the region's administrator stands in for its liaison.
    admin = User.objects.filter(username="admin").first()
    if admin is not None and "development_reform" not in liaisons:
        liaisons["development_reform"] = admin
    missing = [d for d in DEPARTMENTS if d not in liaisons]
    for code in missing:
        liaisons[code] = staff_create(
            actor="demo",
            username=f"liaison_{code}",
            password=DEMO_PASSWORD,
            display_name=f"{DEPARTMENTS[code][0]}联络员",
            role=Role.DEPARTMENT_LIAISON,
            jurisdiction=Division.objects.get(code="150000"),
            department=code,
        ).user
    return {
        league: Crew(
            staff[f"{city}_investigator"],
            staff[f"{city}_investigator2"],
            staff[f"{city}_legal"],
            liaisons,
            staff[f"{city}_energy_legal"],
            staff[f"{city}_energy_officer"],
            staff["region_credit_officer"],
        )
        for league, city in (("150200", "baotou"), ("150600", "ordos"))
    }


def _received_before_filing(lead: Lead, filed_on: dt.date) -> None:
    """Lay the lead's receipt on the scenario's timeline, three days before the case is filed: a lead is
    stamped received "today", but the scenario backdates the filing, and a 立案审批表 whose 受理日期 follows its
    立案日期 cannot be signed (行政处罚法第五十四条: a case is filed on a clue already received)."""
    lead.received_on = filed_on - dt.timedelta(days=3)
    Lead.objects.filter(pk=lead.pk).update(received_on=lead.received_on)


#: How far back a scenario's filing moves, and how often, when its timeline does not fit before today.
BACKDATE_DAYS = 14
BACKDATE_TRIES = 4


def _run_back_dated(
    run: Callable[..., Case | Lead], lead: Lead, filed_on: dt.date
) -> tuple[Case | Lead, dt.date]:
    """``run(filed_on=…)`` in a savepoint; when the scenario's timeline does not fit before today (the
    parties' periods stretched by a long holiday: 国庆 moved a decision past the day the demo was loaded),
    everything it did is rolled back and it runs again with the filing :data:`BACKDATE_DAYS` earlier.
    The demo is loaded on whatever day CI runs; a skipped stage leaves a page without its example."""
    for _ in range(BACKDATE_TRIES - 1):
        try:
            with transaction.atomic():
                return run(filed_on=filed_on), filed_on
        except DomainError:
            lead.refresh_from_db()
            filed_on -= dt.timedelta(days=BACKDATE_DAYS)
    with transaction.atomic():
        return run(filed_on=filed_on), filed_on


def load(*, seed: int) -> str:
    if Lead.objects.filter(source_ref__startswith=MARK).exists():
        return "demo cases already present"
    rng = random.Random(seed)
    crews = _crews()
    today = timezone.localdate()
    made: list[str] = []
    for index, (stage, county, title, parties, rigs) in enumerate(PLAN):
        league = county[:4] + "00"
        division = Division.objects.filter(code=county).first() or Division.objects.get(code=league)
        subject = None
        if parties:
            subject = Subject.objects.filter(name=parties[0].name).first()
        lead = lead_create(
            actor="demo",
            source=rng.choice(
                [Lead.Source.PUBLIC_REPORT, Lead.Source.METER_ANALYTICS, Lead.Source.NETWORK_ANALYTICS]
            ),
            title=title,
            division=subject.division if subject else division,
            subject=subject,
            summary="演示线索：夜间持续满负荷，邻居反映噪声和散热风扇声。",
            source_ref=f"{MARK}{index}",
        )
        run = functools.partial(
            scenarios.run,
            crews[league],
            lead,
            to=stage,
            parties=parties or scenarios.DEFAULT_PARTIES,
            rigs=rigs or (("Antminer S19", 100),),
            kwh=rng.randrange(300_000, 3_000_000, 10_000),
            theft_kw=rng.choice([300, 800]),  # a fine of 应交电费的五倍以下 needs the charges computed
            # A case at the notice stage shows the other branch: the police opened a case, so the
            # theft party's fine waits for the criminal outcome (国务院令第310号第十一条第二款).
            police_accept=stage == "notice",
        )
        try:
            result, filed_on = _run_back_dated(run, lead, today - dt.timedelta(days=45 + 5 * index))
        except DomainError as error:  # e.g. a date beyond the holiday calendar: skip, say why
            made.append(f"{stage}: skipped ({error.message_en})")
            continue
        if Case.objects.filter(lead=lead).exists():  # leads still open keep today's receipt
            _received_before_filing(lead, filed_on)
        made.append(f"{stage}: {getattr(result, 'number', '')}")
    return f"{len(PLAN)} demo leads/cases — " + "; ".join(made)
