"""End to end through the services: a lead reaches every stage, with tasks, referrals and follow-ups."""

from __future__ import annotations

import pytest

from minesweep.audit.services import audit_verify
from minesweep.cases.models import Case, Lead, Referral, Task
from minesweep.cases.scenarios import run
from minesweep.cases.tests.conftest import LONG_AGO

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("open", Lead.Status.OPEN),
        ("verifying", Lead.Status.VERIFYING),
        ("not_filed", Lead.Status.NOT_FILED),
        ("investigating", Case.Stage.INVESTIGATING),
        ("legal_review", Case.Stage.LEGAL_REVIEW),
        ("notice", Case.Stage.NOTICE),
        ("decided", Case.Stage.DECIDED),
        ("closed", Case.Stage.CLOSED),
        ("reopened", Case.Stage.INVESTIGATING),
    ],
)
def test_it_takes_a_lead_to_every_stage(crew, lead, stage, expected):
    result = run(crew, lead, to=stage, filed_on=LONG_AGO)
    status = result.status if isinstance(result, Lead) else result.stage
    assert status == expected
    assert audit_verify().intact


def test_it_creates_tasks_referrals_and_follow_ups_on_the_way(crew, lead):
    case = run(crew, lead, to="closed", filed_on=LONG_AGO)
    assert isinstance(case, Case)
    departments = set(case.tasks.values_list("department", flat=True))
    # measure 5 (unapproved connection): grid recovers the charges, police review the referral;
    # measure 8: credit blacklist; 1283号: power cut, differential tariff …
    assert {"grid_company", "public_security", "credit_office"} <= departments
    assert not case.tasks.filter(status=Task.Status.OPEN).exists()
    police = case.referrals.get(kind=Referral.Kind.POLICE)
    assert police.status == Referral.Status.TRANSFERRED
    assert sorted(case.follow_ups.values_list("months", flat=True)) == [1, 3, 6]
    assert case.calculations.get(kind="energy").tce is not None


def test_it_reopens_the_case_when_a_follow_up_finds_a_relapse(crew, lead):
    case = run(crew, lead, to="reopened", filed_on=LONG_AGO)
    assert isinstance(case, Case)
    assert case.reopened_count == 1
    assert case.closed_on is None
    assert not case.notices.filter(superseded=False).exists()
    assert set(case.follow_ups.values_list("status", flat=True)) == {"failed", "cancelled"}
