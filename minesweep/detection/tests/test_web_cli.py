# ruff: noqa: F811  (pytest fixtures shared from test_services are imported, then requested by name)
"""``minesweep analytics promote-meter|promote-host``: the web's promotion, from the command line."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minesweep.accounts.roles import Role
from minesweep.cases.models import Lead
from minesweep.detection.tests.test_services import (  # noqa: F401  (fixtures)
    FARM_ACCOUNT,
    cafe_allocations,
    data_root,
    finished_meter_run,
    finished_scan,
    hidden_farm,
    simulated,
)

pytestmark = pytest.mark.django_db


def test_it_promotes_a_meter_suspect_and_a_host(data_root, hidden_farm, cafe_allocations, simulated):
    run = finished_meter_run("test", simulated)
    out = StringIO()
    call_command("analytics", "promote-meter", str(run.pk), FARM_ACCOUNT, stdout=out)
    answer = json.loads(out.getvalue())
    lead = Lead.objects.get(number=answer["lead"])
    assert lead.power_account == hidden_farm and lead.attachments.count() == 2
    scan = finished_scan("test")
    out = StringIO()
    call_command("analytics", "promote-host", str(scan.pk), "192.168.2.148", stdout=out)
    assert json.loads(out.getvalue())["subject"] == cafe_allocations[0].pk


def test_it_refuses_unknown_findings_and_findings_outside_the_jurisdiction(
    data_root, hidden_farm, simulated, make_staff
):
    run = finished_meter_run("test", simulated)
    make_staff("baotou_analyst", Role.ANALYST, "150200")
    with pytest.raises(CommandError) as caught:
        call_command("analytics", "promote-meter", str(run.pk), FARM_ACCOUNT, "--as", "baotou_analyst")
    assert "不在您的辖区" in str(caught.value) and caught.value.returncode == 2
    with pytest.raises(CommandError):
        call_command("analytics", "promote-meter", str(run.pk), "NO-SUCH-ACCOUNT")
    assert not Lead.objects.exists()


def test_it_promotes_through_the_meters_command_too(data_root, hidden_farm, simulated):
    run = finished_meter_run("test", simulated)
    out = StringIO()
    call_command("meters", "promote", str(run.pk), FARM_ACCOUNT, stdout=out)
    assert Lead.objects.get(number=json.loads(out.getvalue())["lead"]).power_account == hidden_farm


def test_it_reports_a_missing_input_without_a_traceback(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command(
            "meters",
            "evaluate",
            "--suspects",
            str(tmp_path / "none.parquet"),
            "--labels",
            str(tmp_path / "none.csv"),
        )
    assert "cannot read the input" in str(caught.value)
