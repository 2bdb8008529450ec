"""Two decided cases (Baotou, Ordos) driven through the real case services, and a register of projects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minesweep.accounts.roles import DEPARTMENTS, Role
from minesweep.cases.models import Case, Lead
from minesweep.cases.scenarios import Crew, PartySpec, run
from minesweep.cases.services import lead_create
from minesweep.registry.models import Division, MiningProject
from minesweep.registry.services import subject_create
from minesweep.registry.uscc import make_uscc

FILED = dt.date(2026, 9, 1)


@pytest.fixture
def liaisons(make_staff):  # type: ignore[no-untyped-def]
    return {code: make_staff(f"l_{code}", Role.DEPARTMENT_LIAISON, "150000", code) for code in DEPARTMENTS}


def _case(make_staff, liaisons, investigator, league: str, county: str, rigs: int, kwh: int) -> Case:  # type: ignore[no-untyped-def]
    crew = Crew(
        investigator,
        make_staff(f"second_{league}", Role.INVESTIGATOR, league),
        make_staff(f"reviewer_{league}", Role.INVESTIGATOR, league, legal_reviewer=True),
        liaisons,
        make_staff(
            f"energy_reviewer_{league}",
            Role.INVESTIGATOR,
            league,
            "power_administration",
            legal_reviewer=True,
        ),
        make_staff(f"energy_officer_{league}", Role.INVESTIGATOR, league, "power_administration"),
        make_staff(f"credit_officer_{league}", Role.INVESTIGATOR, "150000", "credit_office"),
    )
    lead = lead_create(
        actor="test",
        source=Lead.Source.METER_ANALYTICS if league == "150200" else Lead.Source.PUBLIC_REPORT,
        title=f"{county} 疑似挖矿",
        division=Division.objects.get(code=county),
    )
    case = run(
        crew,
        lead,
        to="decided",
        filed_on=FILED,
        parties=(
            PartySpec(
                "某矿业科技有限公司",
                "enterprise",
                "operator",
                ("mining_confirmed", "unapproved_power_connection"),
            ),
        ),
        rigs=(("Antminer S19", rigs),),
        kwh=kwh,
        theft_kw=400,
    )
    assert isinstance(case, Case)
    return case


@pytest.fixture
def two_cases(make_staff, liaisons, baotou_investigator, ordos_investigator):  # type: ignore[no-untyped-def]
    return (
        _case(make_staff, liaisons, baotou_investigator, "150200", "150203", 120, 1_000_000),
        _case(make_staff, liaisons, ordos_investigator, "150600", "150602", 300, 2_000_000),
    )


@pytest.fixture
def projects(db):  # type: ignore[no-untyped-def]
    made = []
    for index, (county, status, rigs) in enumerate(
        [("150203", "existing", 500), ("150204", "shut_down", 800), ("150602", "under_construction", 1200)]
    ):
        owner = subject_create(
            actor="test",
            kind="enterprise",
            name=f"台账测试矿业{index}有限公司",
            uscc=make_uscc("9", "1", county, f"7000000{index}"),
            division=Division.objects.get(code=county),
        )
        made.append(
            MiningProject.objects.create(
                owner=owner,
                name=f"台账测试矿场{index}",
                division=owner.division,
                rigs=rigs,
                hash_rate_ths=Decimal(rigs * 95),
                power_kw=Decimal(rigs) * Decimal("3.25"),
                status=status,
                planned_start=dt.date(2027, 1, 1) if status == "under_construction" else None,
            )
        )
    return made
