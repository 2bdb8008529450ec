"""The JSON API and the `minesweep cases` command."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minesweep.cases import services
from minesweep.cases.models import Case
from minesweep.cases.scenarios import run
from minesweep.cases.tests.conftest import LONG_AGO
from minesweep.policy.codes import POLICE_REFERRAL_CRIMES

pytestmark = pytest.mark.django_db


def test_it_serves_a_case_with_measures_deadlines_and_tasks(crew, lead, client_for):
    case = run(crew, lead, to="decided", filed_on=LONG_AGO)
    assert isinstance(case, Case)
    data = client_for(crew.investigator).get(f"/api/v1/cases/cases/{case.pk}").json()
    assert data["stage"] == "decided" and data["number"] == case.number
    assert {m["rule_id"] for m in data["measures"] if m["pack"] == "inner_mongolia_2021"} >= {5, 8}
    assert any(t["department"] == "grid_company" for t in data["tasks"])
    assert any(c["kind"] == "energy" for c in data["calculations"])
    penalty = next(t for t in data["tracks"] if t["kind"] == "penalty")
    assert penalty["authority_name"] == "包头市能源局" and penalty["allowed_actions"] == [
        "enforcement_record"
    ]
    # The 能源局 filed its own case on the matter the 发改委 filed (行政处罚法第五十四条), before its notice.
    notice = case.notices.get()
    assert penalty["filed_on"] <= notice.served_on.isoformat() and penalty["filing_officers"] == "赵刚、钱伟"
    assert "close" in data["allowed_actions"]
    police = [r for r in data["referrals"] if r["kind"] == "police"]
    assert police and all(r["offence"] in POLICE_REFERRAL_CRIMES for r in police)
    assert {r["party"] for r in police} <= {p["id"] for p in data["parties"]}


def test_it_reports_totals_for_the_dashboard(crew, lead, client_for):
    run(crew, lead, to="closed", filed_on=LONG_AGO)
    data = client_for(crew.investigator).get("/api/v1/cases/stats").json()
    assert data["totals"]["rigs_seized"] == 120
    assert data["totals"]["mw_shut"] == "0.390"  # 120 × 3,250 W
    assert data["cases_by_stage"]["150200"]["closed"] == 1
    assert data["totals"]["referrals"]["police"]["answered"] == 1  # a closed case waits for the answer


def test_it_rejects_bad_paging_with_a_bilingual_error(crew, client_for):
    response = client_for(crew.investigator).get("/api/v1/cases/cases", {"limit": 0})
    assert response.status_code == 400 and response.json()["code"] == "request.paging"


def test_it_prints_the_daily_digest_per_officer(crew, lead):
    case = run(crew, lead, to="decided", filed_on=LONG_AGO)
    # The scenario settles its referrals before the notices; one proposed later is due in 3 days.
    services.referral_propose(
        actor=crew.investigator,
        case=case,
        kind="police",
        action="refer_police_laundering",
        grounds="另查明涉嫌洗钱，报请移送",
    )
    out = io.StringIO()
    call_command("cases", "digest", "--json", "--date", "2026-12-20", stdout=out)
    digests = {d["user"]: d for d in json.loads(out.getvalue())["digests"]}
    mine = digests["baotou_investigator"]
    assert any("作出移送决定" in item["label"] for item in mine["overdue"])
    grid = digests["l_grid_company"]
    assert grid["overdue"] and all(item["case"] for item in grid["overdue"])
    text = io.StringIO()
    call_command("cases", "digest", "--user", "baotou_investigator", "--date", "2026-12-20", stdout=text)
    assert "已逾期 / overdue" in text.getvalue()


def test_it_lists_overdue_tasks_by_department(crew, lead):
    run(crew, lead, to="decided", filed_on=LONG_AGO)
    out = io.StringIO()
    call_command("cases", "overdue", "--json", "--date", (dt.date(2026, 12, 31)).isoformat(), stdout=out)
    overdue = json.loads(out.getvalue())["overdue"]
    # The credit listing is no longer a task but its own procedure (credit track, issue 11).
    # (No tax, finance or financial-regulator task: the default party is on record with no tax preference or
    # fiscal or financial support to cancel or stop.)
    departments = {row["department"] for row in overdue}
    assert "grid_company" in departments
    assert not {"tax_authority", "finance_department", "financial_regulator"} & departments


def test_it_refuses_an_unknown_user_with_exit_code_two(db):
    with pytest.raises(CommandError) as error:
        call_command("cases", "digest", "--user", "nobody")
    assert error.value.returncode == 2 and "no such user" in str(error.value)
