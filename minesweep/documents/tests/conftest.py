"""A demo-like decided case with every document's source: a café operator without approved power
(police referral, 建议函 to the culture authority), an official who protected it (discipline referral), energy and theft
calculations, seized rigs, exhibits, notices, decisions and a credit listing from a decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from minesweep.accounts.models import StaffProfile
from minesweep.accounts.roles import DEPARTMENTS, Role
from minesweep.cases import services as case_services
from minesweep.cases.models import Case, CollectiveDiscussion, Hearing, Lead, Notice
from minesweep.cases.scenarios import Crew, PartySpec, run
from minesweep.registry.models import Division
from minesweep.registry.resident_id import resident_id_check_character
from minesweep.registry.uscc import make_uscc

FILED = dt.date(2026, 9, 1)
_FIRST17 = "15020319750203123"
OFFICIAL_ID = _FIRST17 + resident_id_check_character(_FIRST17)
CAFE_USCC = make_uscc("9", "2", "150207", "MA0T0001")  # a 个体工商户 (department 9, type 2)
CAFE_ADDRESS = "包头市九原区某街道某商业楼二层"
PARTIES = (
    # It enjoys a power-price preference of the 发改委 (stopped by its 处理决定书), tax and land preferences and
    # fiscal and financial support (the tax and land authorities, the 财政局 and the financial regulator are asked
    # by 建议函 to cancel or stop them), and trades in no power market.
    PartySpec(
        "九原区青城网咖",
        "internet_cafe",
        "operator",
        ("mining_confirmed", "unapproved_power_connection"),
        CAFE_USCC,
        holdings=(
            "power_account",
            "project",
            "own_preference",
            "tax_preference",
            "land_preference",
            "fiscal_support",
            "financial_support",
        ),
        address=CAFE_ADDRESS,
    ),
    # An official who took part in the mining: discipline referral and, as a person involved, measure 8.
    PartySpec(
        "王某（街道干部）",
        "public_official",
        "facilitator",
        ("official_involvement", "mining_confirmed"),
        OFFICIAL_ID,
        address="包头市九原区某街道某小区",
    ),
    # A data centre that hosted the café's rigs: measure 1 (energy inspection, budget cut), no penalty.
    PartySpec(
        "包头某数据中心有限公司",
        "data_center",
        "host",
        ("provided_site_or_power",),
        make_uscc("9", "1", "150207", "MA0T0002"),
        address="包头市九原区某数据中心园区",
    ),
)


@pytest.fixture
def liaisons(make_staff):  # type: ignore[no-untyped-def]
    return {code: make_staff(f"l_{code}", Role.DEPARTMENT_LIAISON, "150000", code) for code in DEPARTMENTS}


def make_case(make_staff, liaisons, investigator, league: str, county: str, suffix: str = "") -> Case:  # type: ignore[no-untyped-def]
    crew = Crew(
        investigator,
        make_staff(f"second_{league}{suffix}", Role.INVESTIGATOR, league),
        make_staff(f"reviewer_{league}{suffix}", Role.INVESTIGATOR, league, legal_reviewer=True),
        liaisons,
        make_staff(
            f"energy_reviewer_{league}{suffix}",
            Role.INVESTIGATOR,
            league,
            "power_administration",
            legal_reviewer=True,
        ),
        # the 能源局's officer: records the penalty it decides (require_penalty_officer)
        make_staff(f"energy_officer_{league}{suffix}", Role.INVESTIGATOR, league, "power_administration"),
        # the region's credit office: records the listings (require_credit_officer)
        make_staff(f"credit_officer_{league}{suffix}", Role.INVESTIGATOR, "150000", "credit_office"),
    )
    lead = lead_for(county)
    case = run(
        crew,
        lead,
        to="decided",
        filed_on=FILED,
        parties=PARTIES,
        rigs=(("Antminer S19", 80),),
        kwh=1_000_000,
        theft_kw=400,
    )
    assert isinstance(case, Case)
    assert crew.penalty_reviewer is not None
    signers = (crew.investigator, "张明"), (crew.second, "李华"), (crew.reviewer, "王芳")
    for user, name in (*signers, (crew.penalty_reviewer, "赵敏")):  # 赵敏: the 能源局's reviewer
        StaffProfile.objects.filter(user_id=user.pk).update(
            display_name=name
        )  # officers sign with their names
    # The scenario decided, transferred and followed every referral before the first notice (国务院令第310号
    # 第十一条): the police did not open a case, so the café's fine could be decided.
    assert not case.referrals.filter(status__in=["proposed", "approved"]).exists()
    return case


def credit_officer(league: str, suffix: str = "") -> Any:
    """The credit office's officer :func:`make_case` made for the case of ``league``: records its listings."""
    return get_user_model().objects.get(username=f"credit_officer_{league}{suffix}")


def lead_for(county: str) -> Lead:
    return case_services.lead_create(
        actor="test",
        source=Lead.Source.PUBLIC_REPORT,
        title="九原区网吧夜间挖矿",
        division=Division.objects.get(code=county),
        summary="群众举报网吧夜间机器轰鸣、用电异常",
    )


@pytest.fixture
def case(make_staff, liaisons, baotou_investigator) -> Case:  # type: ignore[no-untyped-def]
    made = make_case(make_staff, liaisons, baotou_investigator, "150200", "150207")
    # The café's credit track served its 拟列入告知书 when the case was decided; the listing is decided
    # after the objection period, by the track's own act (列入决定书).
    credit = made.tracks.get(kind="credit", party__category="internet_cafe")
    case_services.track_credit_listing_decide(
        actor=credit_officer("150200"), track=credit, decided_on=dt.date(2026, 10, 20)
    )
    _held_hearing(made)
    _discussed(made)
    return made


def _discussed(case: Case) -> None:
    """Minutes of the heads' collective discussion of the café's fine (recorded directly when the track did
    not require one)."""
    cafe = case.parties.get(category="internet_cafe")
    if not case.discussions.filter(party=cafe).exists():
        CollectiveDiscussion.objects.create(
            case=case,
            party=cafe,
            held_on=case.decisions.get(party=cafe).decided_on,
            participants="主任、分管副主任、法规科科长",
            minutes="集体讨论认为违法事实清楚，证据确实充分，同意罚款五万元",
            conclusion="同意按拟处罚意见作出决定",
            recorded_by=case.lead_officer,
        )


def _held_hearing(case: Case) -> None:
    """The café asked for a hearing and it was held (recorded directly: the scenario decides without one)."""
    notice = case.notices.get(party__category="internet_cafe")
    Notice.objects.filter(pk=notice.pk).update(hearing_requested=True, hearing_requested_on=notice.served_on)
    Hearing.objects.create(
        notice=notice,
        scheduled_on=notice.served_on + dt.timedelta(days=10),
        notified_on=notice.served_on + dt.timedelta(days=1),
        place="包头市能源局第一会议室",
        presiding_officer="赵强（法制科）",
        status=Hearing.Status.HELD,
        held_on=notice.served_on + dt.timedelta(days=10),
        record="当事人承认接入动力电源运行矿机，对窃电时间提出异议；调查人员出示用电数据。",
        created_by=case.lead_officer,
    )


#: A placeholder for the article a region's legal office confirms for the measure 核减能耗预算指标 (the pack
#: marks its basis 待法制审核确认): no real provision, so the tests never put an unconfirmed article in a pack's
#: mouth (legal review item 5).
CONFIRMED_ENERGY_BASIS = {"law": "某省用能预算管理办法", "article": "第五条"}
CONFIRMED_ENERGY_CITED = "《某省用能预算管理办法》第五条"


def confirm_energy_cut_basis(case: Case) -> None:
    """The case's recorded 核减能耗预算指标 as it stands once the region has confirmed its article."""
    for measure in case.determination.measures.all():
        if any(a.get("code") == "energy_quota_cut" for a in measure.actions):
            measure.actions = [
                {**a, "legal_basis": [CONFIRMED_ENERGY_BASIS]} if a.get("code") == "energy_quota_cut" else a
                for a in measure.actions
            ]
            measure.save(update_fields=["actions"])
