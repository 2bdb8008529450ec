"""Case-workflow fixtures: a Baotou crew (two investigators, a legal reviewer of the 发改委 and one of the
能源局, which holds the penalty power), liaisons, a lead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from minesweep.accounts.roles import DEPARTMENTS, Role
from minesweep.cases.models import Lead
from minesweep.cases.scenarios import Crew
from minesweep.cases.services import lead_create
from minesweep.registry.models import Division

LONG_AGO = dt.date(2026, 9, 1)  # leaves every statutory period passed by "today" (2026-11 onwards)


@pytest.fixture
def baotou_second(make_staff) -> User:  # type: ignore[no-untyped-def]
    return make_staff("baotou_second", Role.INVESTIGATOR, "150200")


@pytest.fixture
def baotou_reviewer(make_staff) -> User:  # type: ignore[no-untyped-def]
    # holds the legal-review post (行政处罚法第五十八条)
    return make_staff("baotou_reviewer", Role.INVESTIGATOR, "150200", legal_reviewer=True)


@pytest.fixture
def baotou_energy_reviewer(make_staff) -> User:  # type: ignore[no-untyped-def]
    # the 包头市能源局's legal reviewer: reviews the penalties that bureau decides (电力法第七十一条)
    return make_staff(
        "baotou_energy_reviewer", Role.INVESTIGATOR, "150200", "power_administration", legal_reviewer=True
    )


@pytest.fixture
def liaisons(make_staff) -> dict[str, User]:  # type: ignore[no-untyped-def]
    return {
        code: make_staff(f"l_{code}", Role.DEPARTMENT_LIAISON, "150000", code)
        for code in DEPARTMENTS
        if code != "development_reform"
    } | {"development_reform": make_staff("l_drc", Role.DEPARTMENT_LIAISON, "150200", "development_reform")}


@pytest.fixture
def baotou_energy_officer(make_staff) -> User:  # type: ignore[no-untyped-def]
    # an officer (执法人员) of the 包头市能源局: records the penalties that bureau decides (电力法第七十一条)
    return make_staff("baotou_energy_officer", Role.INVESTIGATOR, "150200", "power_administration")


@pytest.fixture
def region_credit_officer(make_staff) -> User:  # type: ignore[no-untyped-def]
    # staff of the region's credit office (内蒙古自治区发展和改革委员会): records the listings (49号)
    return make_staff("region_credit_officer", Role.INVESTIGATOR, "150000", "credit_office")


#: The fixtures a crew is made of, in Crew's order.
CREW = (
    "baotou_investigator",
    "baotou_second",
    "baotou_reviewer",
    "liaisons",
    "baotou_energy_reviewer",
    "baotou_energy_officer",
    "region_credit_officer",
)


@pytest.fixture
def crew(request) -> Crew:  # type: ignore[no-untyped-def]
    return Crew(*(request.getfixturevalue(name) for name in CREW))


@pytest.fixture
def make_lead(db):  # type: ignore[no-untyped-def]
    def make(division_code: str = "150203", title: str = "昆都仑区某厂房疑似挖矿") -> Lead:
        return lead_create(
            actor="system",
            source=Lead.Source.METER_ANALYTICS,
            title=title,
            division=Division.objects.get(code=division_code),
            summary="24小时平稳高负荷",
        )

    return make


@pytest.fixture
def lead(make_lead) -> Lead:  # type: ignore[no-untyped-def]
    return make_lead()
