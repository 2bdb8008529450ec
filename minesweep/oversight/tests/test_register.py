"""The 1283号 register: XLSX with one row per project, scoped, by week; the CLI; bad weeks refused."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from minesweep.registry.models import MiningProject
from minesweep.registry.services import iso_week, project_register_snapshot

pytestmark = pytest.mark.django_db


def _rows(data: bytes) -> list[tuple]:  # type: ignore[type-arg]
    sheet = openpyxl.load_workbook(io.BytesIO(data))["挖矿项目台账"]
    return [r for r in sheet.iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]


def test_it_writes_one_row_per_project_from_the_command_line(projects, tmp_path, capsys):
    out = tmp_path / "register.xlsx"
    call_command("register", "export", "--out", str(out))
    rows = _rows(out.read_bytes())
    assert len(rows) == MiningProject.objects.count() == 3
    assert {r[3] for r in rows} == {p.name for p in projects}
    by_name = {r[3]: r for r in rows}
    assert by_name["台账测试矿场1"][6] == "已关停" and by_name["台账测试矿场1"][7] == 800
    assert by_name["台账测试矿场2"][10] == "2027-01-01"
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["挖矿项目台账", "各盟市周进展"]
    assert "1283号" in str(book["挖矿项目台账"]["A2"].value)


def test_it_titles_the_command_line_register_with_the_deployment_packs_region(
    projects, tmp_path, monkeypatch
):
    out = tmp_path / "register.xlsx"
    monkeypatch.setenv("MINESWEEP_POLICY_PACK", "sichuan_2022")
    call_command("register", "export", "--out", str(out))
    title = str(openpyxl.load_workbook(out)["挖矿项目台账"]["A1"].value)
    assert title.startswith("四川省虚拟货币挖矿项目台账")
    assert _rows(out.read_bytes()) == []  # a Sichuan deployment's region holds none of these projects


def test_it_reads_a_past_week_from_its_snapshot_not_the_live_register(projects, tmp_path):
    week = iso_week(timezone.localdate())
    project_register_snapshot(actor="test", day=timezone.localdate())
    MiningProject.objects.filter(pk=projects[0].pk).update(status="shut_down", rigs=0)
    out = tmp_path / "w.xlsx"
    call_command("register", "export", "--out", str(out), "--week", week)
    row = next(r for r in _rows(out.read_bytes()) if r[3] == "台账测试矿场0")
    assert row[6] == "存量在运" and row[7] == 500


@pytest.mark.parametrize("week", ["2026-W99", "next week", "2019-W10"])
def test_it_refuses_a_bad_or_missing_week(projects, tmp_path, week):
    with pytest.raises(CommandError):
        call_command("register", "export", "--out", str(tmp_path / "x.xlsx"), "--week", week)
    assert not (tmp_path / "x.xlsx").exists()


def test_it_refuses_an_output_that_is_not_xlsx(projects, tmp_path):
    with pytest.raises(CommandError, match="xlsx"):
        call_command("register", "export", "--out", str(tmp_path / "x.csv"))


def test_it_scopes_the_web_download_and_weekly_page(projects, baotou_investigator, client_for):
    client = client_for(baotou_investigator)
    response = client.get("/oversight/register.xlsx")
    assert response.status_code == 200
    assert {r[3] for r in _rows(response.content)} == {"台账测试矿场0", "台账测试矿场1"}
    page = client.get("/oversight/weekly/").content.decode()
    assert "台账测试矿场0" in page and "台账测试矿场2" not in page
    bad = client.get("/oversight/weekly/", {"week": "W99"})
    assert bad.status_code == 400 and "YYYY-Www" in bad.content.decode()


def test_it_denies_the_register_to_outsiders_and_anonymous(projects, outsider, client_for):
    assert client_for(outsider).get("/oversight/register.xlsx").status_code in (403, 404)
    assert client_for(outsider).get("/oversight/weekly/").status_code in (403, 404)
    assert Client().get("/oversight/register.xlsx").status_code == 302


def test_it_reports_weekly_progress_per_league(two_cases, projects, region_admin, client_for):
    from minesweep.accounts.jurisdiction import scope_of
    from minesweep.oversight.register import weekly_progress

    week, progress = weekly_progress(scope=scope_of(region_admin), week=None)
    by_code = {p.code: p for p in progress}
    assert by_code["150200"].projects == {"existing": 1, "shut_down": 1}
    assert by_code["150600"].projects == {"under_construction": 1}
    assert by_code["150200"].rigs_registered == 1300
