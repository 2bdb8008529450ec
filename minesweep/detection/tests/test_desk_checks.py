# ruff: noqa: F811  (pytest fixtures shared from test_services are imported, then requested by name)
"""The production energy balance an analyst records on a meter finding: metered energy from the run's
readings, the verdict, the next step on the evidence page and the target list, the audit trail, and bad
input refused with nothing stored."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.roles import Role
from minesweep.audit.models import AuditEvent
from minesweep.cases.models import Lead
from minesweep.detection.analytics import account_metered_energy
from minesweep.detection.meter import dataset as ds
from minesweep.detection.models import DeskCheck, MeterRun, MeterSuspect
from minesweep.detection.targets import target_row
from minesweep.detection.tests.test_services import (  # noqa: F401  (fixtures)
    FARM_ACCOUNT,
    data_root,
    hidden_farm,
    parquet_upload,
    simulated,
)
from minesweep.jobs.worker import run_worker

pytestmark = pytest.mark.django_db
FIRST, LAST, HOURS = "2021-03-02", "2021-03-22", 21 * 24  # three weeks the farm ran, fully read


@pytest.fixture
def farm_finding(data_root, hidden_farm, simulated, make_staff, client_for):  # type: ignore[no-untyped-def]
    analyst = make_staff("region_analyst", Role.ANALYST, "150000")
    client = client_for(analyst)
    client.post("/analytics/meters/new/", {"name": "案头核查", "files": parquet_upload(simulated)})
    assert run_worker(once=True) == 1
    suspect = MeterSuspect.objects.get(run=MeterRun.objects.get(), account_id=FARM_ACCOUNT)
    assert suspect.suspect
    return client, suspect


def _metered_kwh(dataset: Path, account: str, first: str, last: str) -> float:
    """The account's kWh between two Beijing days, read the long way (pandas, local dates)."""
    info = ds.read_info(dataset)
    frames = [
        ds.long_table(ds.partition_path(dataset, i), info.interval_s).to_pandas()
        for i in range(info.partitions)
    ]
    readings = [f[f.account_id == account] for f in frames]
    table = next(r for r in readings if len(r))
    local_day = table.ts.dt.tz_convert("Asia/Shanghai").dt.date
    inside = (local_day >= dt.date.fromisoformat(first)) & (local_day <= dt.date.fromisoformat(last))
    return float(table.kwh[inside].astype(float).sum())


def _post(client, suspect, **fields):  # type: ignore[no-untyped-def]
    form = {
        "period_start": FIRST,
        "period_end": LAST,
        "product": "硅铁",
        "unit": "吨",
        "source": "2021年3月统计报表（B204-1）",
        "kwh_per_unit": "8000",
        "other_kwh": "",
        "notes": "",
    } | {k: str(v) for k, v in fields.items()}
    return client.post(f"/analytics/meters/suspects/{suspect.pk}/desk-check/", form)


def test_production_that_explains_the_meter_clears_the_finding_at_the_desk(farm_finding):
    client, suspect = farm_finding
    page = client.get(f"/analytics/meters/suspects/{suspect.pk}/").content.decode()
    window = suspect.run.summary["window"]
    assert (
        'id="desk-check-form"' in page and f'value="{window[0]}"' in page and f'value="{window[1]}"' in page
    )
    metered = _metered_kwh(Path(suspect.run.dataset_path), FARM_ACCOUNT, FIRST, LAST)
    assert metered > 100_000  # a farm: hundreds of kW
    output = metered * 0.97 / 8000  # what the plant says it made needs 3 % less than the meter read
    response = _post(client, suspect, output=f"{output:.3f}")
    assert response.status_code == 302 and response["Location"].endswith("#desk-check")
    check = DeskCheck.objects.get()
    assert check.verdict == DeskCheck.Verdict.EXPLAINED and 0.95 <= check.coverage <= 1.0
    assert check.metered_kwh == pytest.approx(metered, abs=1.0) and check.unexplained_kw == 0.0
    event = AuditEvent.objects.get(action="detection.desk_check.record")
    assert event.detail["verdict"] == "explained" and event.object_id == str(check.pk)
    assert event.division_code == suspect.division_id
    page = client.get(f"/analytics/meters/suspects/{suspect.pk}/").content.decode()
    kw = f"{metered * 0.03 / HOURS:,.0f}"  # the 3 % as mean kW over the period
    assert f"生产记录可解释表计电量（相差 3.0%，平均约 {kw} kW，在容差内）" in page
    assert "desk-check-badge" not in page
    assert 'id="desk-checks"' in page and "2021年3月统计报表" in page
    targets = client.get("/analytics/targets/").content.decode()
    assert "案头核查：生产可解释" in targets
    again = _post(client, suspect, output=f"{output:.3f}")  # the same figures sent twice: one record
    assert again.status_code == 302 and DeskCheck.objects.count() == 1
    assert AuditEvent.objects.filter(action="detection.desk_check.record").count() == 1
    client.post(f"/analytics/meters/suspects/{suspect.pk}/promote/")
    lead = Lead.objects.get()
    (carried,) = lead.evidence["desk_checks"]  # the balance travels with the lead
    assert carried["verdict"] == "explained" and carried["source"] == check.source
    assert carried["next_step"]["code"] == "desk_cleared"


def test_energy_production_did_not_need_sends_the_finding_to_a_field_visit_with_its_kw(farm_finding):
    client, suspect = farm_finding
    metered = _metered_kwh(Path(suspect.run.dataset_path), FARM_ACCOUNT, FIRST, LAST)
    response = _post(client, suspect, output=f"{metered * 0.4 / 8000:.3f}")
    assert response.status_code == 302
    check = DeskCheck.objects.get()
    expected_kw = metered * 0.6 / (HOURS)
    assert check.verdict == DeskCheck.Verdict.UNEXPLAINED
    assert check.unexplained_kw == pytest.approx(expected_kw, rel=0.01)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/analytics/meters/suspects/{suspect.pk}/").content.decode()
    assert f"about {expected_kw:,.0f} kW on average" in page and "worth a field visit" in page
    assert "生产" not in page.split('id="next-step"')[1][:400]  # one language at a time
    listed = client.get(
        f"/api/v1/detection/meter-runs/{suspect.run_id}/suspects", {"suspects_only": "1"}
    ).json()
    verdicts = {item["account_id"]: item["desk_check_verdict"] for item in listed}
    assert (
        verdicts[FARM_ACCOUNT] == "unexplained" and list(verdicts.values()).count(None) == len(verdicts) - 1
    )
    row = target_row(
        scope=Scope("15", Role.ANALYST, "", "150000"), key=f"subject:{suspect.power_account.subject_id}"
    )
    assert row is not None and row.next_step[0] == "field_visit" and "field visit" in row.next_step[2]
    assert row.as_dict()["facts"]["meter"]["desk_check"]["verdict"] == "unexplained"


def test_records_that_need_more_than_the_meter_read_ask_again(farm_finding):
    client, suspect = farm_finding
    metered = _metered_kwh(Path(suspect.run.dataset_path), FARM_ACCOUNT, FIRST, LAST)
    _post(client, suspect, output=f"{metered * 1.5 / 8000:.3f}")
    assert DeskCheck.objects.get().verdict == DeskCheck.Verdict.RECORDS_EXCEED
    page = client.get(f"/analytics/meters/suspects/{suspect.pk}/").content.decode()
    assert "另有电源" in page and 'id="desk-check-badge"' in page  # still a desk check to finish


@pytest.mark.parametrize(
    ("fields", "zh"),
    [
        ({"period_start": "2021-03-01", "period_end": "2021-02-01", "output": "1"}, "起始日不能晚于截止日"),
        (
            {"period_start": "2024-06-01", "period_end": "2024-06-30", "output": "1"},
            "读数仅覆盖 0.0% 的小时（至少需 95%）：缺失的小时可能正含所查负荷，请选择读数覆盖的时段（本次检测的读数为 2021-01-01 至 2021-03-31）",
        ),
        ({"period_end": (dt.date.today() + dt.timedelta(days=3)).isoformat(), "output": "1"}, "今天之前结束"),
        ({"output": "5", "kwh_per_unit": ""}, "有产量时须填写单位产品电耗"),
        ({"output": "-5"}, 'class="errorlist"'),
        ({"output": "nan"}, 'class="errorlist"'),
        ({"output": "1", "source": "   "}, 'class="errorlist"'),
        ({"output": "1", "product": "硅" * 101}, 'class="errorlist"'),
    ],
)
def test_bad_input_is_refused_with_a_reason_and_nothing_is_stored(farm_finding, fields, zh):
    client, suspect = farm_finding
    response = _post(client, suspect, **fields)
    body = response.content.decode()
    assert response.status_code == 400 and zh in body, body[
        body.find("desk-check") : body.find("desk-check") + 2000
    ]
    assert not DeskCheck.objects.exists()
    assert not AuditEvent.objects.filter(action="detection.desk_check.record").exists()


def test_an_analyst_outside_the_jurisdiction_cannot_record_one(farm_finding, make_staff, client_for):
    _, suspect = farm_finding
    outsider = client_for(make_staff("baotou_analyst", Role.ANALYST, "150200"))
    assert _post(outsider, suspect, output="1").status_code == 404
    assert not DeskCheck.objects.exists()


def test_it_refuses_in_english_to_an_analyst_reading_english(farm_finding):
    client, suspect = farm_finding
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/analytics/meters/suspects/{suspect.pk}/").content.decode()
    assert 'name="unit" value="t"' in page and "Desk check: production energy balance" in page
    assert "the electricity per unit its PUE" in page  # a data centre's IT energy × PUE is its balance
    body = _post(
        client, suspect, period_start="2021-04-01", period_end="2021-04-30", output="1"
    ).content.decode()
    assert "The readings cover only 0.0% of the period&#x27;s hours" in body and "读数" not in body
    assert not DeskCheck.objects.exists()


def _fully_read_other_account(suspect: MeterSuspect) -> MeterSuspect:
    """Another finding of the run whose readings cover the test period."""
    for other in MeterSuspect.objects.filter(run=suspect.run).exclude(pk=suspect.pk).order_by("rank"):
        first, last = dt.date.fromisoformat(FIRST), dt.date.fromisoformat(LAST)
        if (
            account_metered_energy(Path(suspect.run.dataset_path), other.account_id, first, last).coverage
            >= 0.95
        ):
            return other
    raise AssertionError("no other fully read account")


def _table(rows: list[list[str]], header: list[str] | None = None) -> bytes:
    lines = [
        header
        or ["account_id", "period_start", "period_end", "product", "output", "unit", "kwh_per_unit", "source"]
    ]
    return "\n".join(",".join(cells) for cells in lines + rows).encode("utf-8-sig")


def _upload(client, suspect, content: bytes, name: str = "records.csv"):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/analytics/meters/{suspect.run_id}/desk-checks/", {"records": SimpleUploadedFile(name, content)}
    )


def test_a_table_of_production_records_balances_many_findings_at_once(farm_finding):
    client, suspect = farm_finding
    other = _fully_read_other_account(suspect)
    metered = _metered_kwh(Path(suspect.run.dataset_path), FARM_ACCOUNT, FIRST, LAST)
    rows = [
        [FARM_ACCOUNT, FIRST, LAST, "硅铁", f"{metered * 0.5 / 8000:.3f}", "吨", "8000", "2021年3月统计报表"],
        [other.account_id, FIRST.replace("-", "/"), LAST, "水泥", "0", "吨", "", "停产说明"],
    ]
    response = _upload(client, suspect, _table(rows))
    assert response.status_code == 302 and response["Location"].endswith("#desk-checks-import")
    verdicts = dict(DeskCheck.objects.values_list("suspect__account_id", "verdict"))
    assert verdicts[FARM_ACCOUNT] == "unexplained" and other.account_id in verdicts
    assert AuditEvent.objects.filter(action="detection.desk_check.record").count() == 2
    assert AuditEvent.objects.get(action="detection.desk_check.import").detail["rows"] == 2
    exported = client.get(f"/analytics/meters/{suspect.run_id}/export.csv").content.decode("utf-8-sig")
    header, *lines = exported.strip().splitlines()
    assert header.endswith(",next_step,desk_check_verdict")
    farm_line = next(line for line in lines if f",{FARM_ACCOUNT}," in line)
    assert farm_line.endswith(",unexplained") and any(line.endswith(",,") for line in lines)
    listing = client.get(f"/analytics/meters/{suspect.run_id}/").content.decode()
    assert "案头核查：生产无法解释" in listing


def test_a_workbook_with_chinese_headers_is_read_too(farm_finding):
    from openpyxl import Workbook

    client, suspect = farm_finding
    metered = _metered_kwh(Path(suspect.run.dataset_path), FARM_ACCOUNT, FIRST, LAST)
    book = Workbook()
    sheet = book.active
    sheet.append(["户号", "起始日", "截止日", "产品", "产量", "计量单位", "单位产品电耗", "数据来源"])
    sheet.append(
        [
            FARM_ACCOUNT,
            dt.datetime(2021, 3, 2),
            dt.datetime(2021, 3, 22),
            "硅铁",
            metered / 8000,
            "吨",
            8000,
            "统计报表",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    response = _upload(client, suspect, buffer.getvalue(), "records.xlsx")
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert DeskCheck.objects.get().verdict == "explained"


def test_one_bad_row_and_no_check_is_recorded_each_row_saying_why(farm_finding):
    client, suspect = farm_finding
    rows = [
        [FARM_ACCOUNT, FIRST, LAST, "硅铁", "10", "吨", "8000", "统计报表"],  # good
        ["NO-SUCH-ACCOUNT", FIRST, LAST, "硅铁", "10", "吨", "8000", "统计报表"],
        [FARM_ACCOUNT, "2021-13-01", LAST, "硅铁", "10", "吨", "8000", "统计报表"],
        [FARM_ACCOUNT, FIRST, LAST, "硅铁", "十吨", "吨", "8000", "统计报表"],
        [FARM_ACCOUNT, FIRST, LAST, "硅铁", "10", "吨" * 21, "8000", "统计报表"],
    ]
    response = _upload(client, suspect, _table(rows))
    body = response.content.decode()
    assert response.status_code == 400 and "导入被拒绝：4 行有误" in body
    assert "第 3 行：本次检测（或您的辖区）中没有户号 NO-SUCH-ACCOUNT" in body.replace("第3行", "第 3 行")
    assert "起始日不是日期：2021-13-01" in body and "产量不是数字：十吨" in body and "内容过长：unit" in body
    assert not DeskCheck.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="detection.desk_check").exists()
    missing = _upload(client, suspect, _table([[FARM_ACCOUNT]], header=["account_id"])).content.decode()
    assert "表格缺少列" in missing and "period_start" in missing
    picture = _upload(client, suspect, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "records.csv")
    assert picture.status_code == 400 and not DeskCheck.objects.exists()


def test_an_analyst_outside_the_jurisdiction_cannot_upload_records(farm_finding, make_staff, client_for):
    _, suspect = farm_finding
    outsider = client_for(make_staff("baotou_analyst2", Role.ANALYST, "150200"))
    rows = [[FARM_ACCOUNT, FIRST, LAST, "硅铁", "10", "吨", "8000", "统计报表"]]
    assert _upload(outsider, suspect, _table(rows)).status_code == 404
    assert not DeskCheck.objects.exists()


def test_the_command_line_records_a_table_and_names_each_bad_row(farm_finding, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    _, suspect = farm_finding
    metered = _metered_kwh(Path(suspect.run.dataset_path), FARM_ACCOUNT, FIRST, LAST)
    good = tmp_path / "good.csv"
    good.write_bytes(
        _table([[FARM_ACCOUNT, FIRST, LAST, "硅铁", f"{metered / 8000:.3f}", "吨", "8000", "统计报表"]])
    )
    call_command("targets", "desk-checks", str(suspect.run_id), str(good))
    assert '"desk_checks": 1' in capsys.readouterr().out and DeskCheck.objects.get().verdict == "explained"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_table([["NOPE", FIRST, LAST, "硅铁", "1", "吨", "8000", "统计报表"]]))
    with pytest.raises(CommandError) as refused:
        call_command("targets", "desk-checks", str(suspect.run_id), str(bad))
    assert "Import rejected: 1 row has problems" in str(refused.value) and "row 2:" in capsys.readouterr().err
    assert DeskCheck.objects.count() == 1


def test_the_outcomes_page_counts_desk_checks_per_month_and_lists_clearances_for_spot_checks(farm_finding):
    client, suspect = farm_finding
    metered = _metered_kwh(Path(suspect.run.dataset_path), FARM_ACCOUNT, FIRST, LAST)
    _post(client, suspect, output=f"{metered * 0.98 / 8000:.3f}")
    page = client.get("/analytics/outcomes/").content.decode()
    month = (
        DeskCheck.objects.get().recorded_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m")
    )
    row = page.split('id="desk-check-summary"')[1]
    kw = f"{suspect.est_mining_kw:.0f}"
    assert f"<td>{month}</td><td>1</td><td>1</td><td>0</td><td>0</td><td>{kw}</td>" in row
    assert 'id="desk-cleared"' in row and FARM_ACCOUNT in row and "+2.0%" in row
    # the same finding cleared again on another period: two checks, one load cleared
    _post(client, suspect, period_end="2021-03-21", output=f"{metered * 0.95 / 8000:.3f}")
    again = client.get("/analytics/outcomes/").content.decode().split('id="desk-check-summary"')[1]
    assert f"<td>{month}</td><td>2</td><td>2</td><td>0</td><td>0</td><td>{kw}</td>" in again


def test_the_targets_list_can_put_the_largest_expected_load_first_and_hide_what_the_desk_cleared(
    farm_finding,
):
    import re

    client, suspect = farm_finding
    key = f"target-subject{suspect.power_account.subject_id}"
    by_kw = client.get("/analytics/targets/", {"order": "kw"}).content.decode()
    cells = re.findall(
        r'<td class="score">([\d.]+)(?:<br><span class="muted est-kw">([\d,.]+) kW</span>)?</td>', by_kw
    )
    expected = [float(score) * float(kw.replace(",", "")) if kw else -1.0 for score, kw in cells]
    assert expected == sorted(expected, reverse=True) and sum(e > 0 for e in expected) >= 2
    # the first is the farm: 0.99 × its kW, not the largest load the evidence hardly suspects
    first = re.search(r'class="target-row" id="(target-[^"]+)"', by_kw)
    assert first is not None and first.group(1) == key
    metered = _metered_kwh(Path(suspect.run.dataset_path), FARM_ACCOUNT, FIRST, LAST)
    _post(client, suspect, output=f"{metered / 8000:.3f}")  # production explains the farm's meter
    assert key in client.get("/analytics/targets/").content.decode()
    hidden = client.get("/analytics/targets/", {"hide_cleared": "1"}).content.decode()
    assert key not in hidden and 'name="hide_cleared" value="1" checked' in hidden


def test_the_command_line_ranks_by_expected_load_and_hides_what_the_desk_cleared(farm_finding, tmp_path):
    import json

    from django.core.management import call_command

    client, suspect = farm_finding
    key = f"subject:{suspect.power_account.subject_id}"
    out = tmp_path / "targets.json"
    call_command("targets", "rank", "--order", "kw", "--out", str(out))
    rows = json.loads(out.read_text(encoding="utf-8"))
    expected = [r["score"] * (r["facts"].get("meter", {}).get("est_mining_kw") or 0) for r in rows]
    assert rows[0]["key"] == key and expected == sorted(expected, reverse=True)
    metered = _metered_kwh(Path(suspect.run.dataset_path), FARM_ACCOUNT, FIRST, LAST)
    _post(client, suspect, output=f"{metered / 8000:.3f}")
    call_command("targets", "rank", "--hide-cleared", "--out", str(out))
    assert key not in {r["key"] for r in json.loads(out.read_text(encoding="utf-8"))}
    call_command("targets", "rank", "--out", str(out))
    cleared = next(r for r in json.loads(out.read_text(encoding="utf-8")) if r["key"] == key)
    assert cleared["next_step"]["code"] == "desk_cleared"
