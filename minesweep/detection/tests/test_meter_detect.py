"""End-to-end meter detection on small simulated data: detect, engines, estimates, model, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from pandas.testing import assert_frame_equal

from minesweep.detection.meter import dataset as ds
from minesweep.detection.meter.detect import DetectOptions, build_tasks, detect, write_findings
from minesweep.detection.meter.evaluate import evaluate_files, format_table
from minesweep.detection.meter.runners.dask import run_dask
from minesweep.detection.meter.runners.local import run_local
from minesweep.detection.meter.scoring import load_pack
from minesweep.detection.meter.simulate import SimulationSpec, simulate

REQUIRED = [
    "account_id",
    "score",
    "suspect",
    "est_mining_kw",
    "est_rigs",
    "est_mining_kwh",
    "first_seen",
    "reasons",
]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(
        SimulationSpec(
            accounts=240, days=150, interval_s=3600, mining_share=0.15, seed=11, wide=True, partitions=3
        ),
        out,
    )
    return out


@pytest.fixture(scope="module")
def findings(simulated):
    options = DetectOptions(
        accounts_meta=simulated / "accounts.csv",
        temperature=simulated / "temperature.csv",
        workers=1,
        progress=False,
    )
    return (
        detect(simulated / "readings", options)
        .to_pandas()
        .merge(
            __import__("pandas").read_csv(simulated / "labels.csv", dtype={"account_id": str}),
            on="account_id",
        )
    )


def test_it_scores_pure_farms_above_households_data_centres_and_offices(findings):
    farms = findings[findings.kind == "pure_farm"].score
    for negative in ("household", "data_centre", "office"):
        others = findings[findings.kind == negative].score
        if len(others):
            # most farms above nearly every negative; a farm sharing its meter with an office (its
            # daily rhythm) can score like a plant, so not every farm beats every typical negative
            assert farms.median() > others.quantile(0.9), negative
    assert findings[findings.kind == "household"].score.max() < 0.5


def test_a_plant_whose_meter_looks_like_rigs_is_sent_to_its_production_records_first(findings):
    """A plant without a shift rhythm draws what a farm draws (bench/README, "A plant's shift is its
    own"): the meter can flag it, and what parts it from rigs is at the desk. Every flagged plant the
    registry knows as production goes to its production records, not to a field visit."""
    plants = findings[(findings.kind == "continuous_plant") & findings.suspect]
    declared = plants[plants.declared_use == "manufacturing"]
    assert len(declared)  # the simulator's plants are flagged, so this test means something
    assert (declared.next_step == "desk_check").all()
    assert all("production" in json.loads(record)["next_step"]["en"] for record in declared.fusion)


def test_it_separates_miners_from_the_rest_overall(findings):
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(findings.is_mining, findings.score) > 0.95


def test_it_estimates_pure_farm_power_within_ten_percent_and_rigs_from_it(findings):
    farms = findings[findings.kind == "pure_farm"]
    ratio = farms.est_mining_kw / farms.mining_kw
    assert ((ratio - 1).abs() < 0.10).mean() >= 0.9
    assert (farms.est_rigs == np.round(farms.est_mining_kw / 3.25)).all()
    assert (farms.est_mining_kwh > farms.est_mining_kw * 24).all()


def test_it_explains_each_suspect_with_a_route_and_contributions(findings):
    suspect = findings[findings.suspect].iloc[0]
    reasons = json.loads(suspect.reasons)
    assert reasons["route"] in load_pack().routes  # one of the pack's routes (peak_cut included)
    assert reasons["top"] and all(item["contribution"] > 0 for item in reasons["top"])
    assert suspect.first_seen is not None


def test_it_writes_the_required_columns_as_csv_and_parquet(simulated, tmp_path):
    table = detect(simulated / "readings", DetectOptions(workers=1, progress=False))
    write_findings(table, tmp_path / "f.csv")
    write_findings(table, tmp_path / "f.parquet")
    assert pacsv.read_csv(tmp_path / "f.csv").column_names[: len(REQUIRED)] == REQUIRED
    assert pq.read_table(tmp_path / "f.parquet").num_rows == 240


def test_it_reads_the_wide_state_grid_export_directly(simulated):
    table = detect(simulated / "readings_wide.csv", DetectOptions(workers=1, progress=False)).to_pandas()
    assert len(table) == 240
    assert table.f_night_day_ratio.isna().all()  # daily data: no intra-day features, no pretence


def test_it_restricts_the_window_with_since_and_until(simulated):
    import datetime as dt

    options = DetectOptions(workers=1, progress=False, since=dt.date(2021, 3, 1), until=dt.date(2021, 3, 31))
    tasks, grid = build_tasks(simulated / "readings", options)
    assert grid.n_days == 31 and len(tasks) == 3


def test_it_gives_identical_results_with_local_and_dask_engines_for_several_partition_counts(
    simulated, tmp_path
):
    for partitions in (1, 2, 5):
        out = tmp_path / f"p{partitions}"
        simulate(
            SimulationSpec(
                accounts=60, days=40, interval_s=3600, mining_share=0.2, seed=5, partitions=partitions
            ),
            out,
        )
        tasks, _ = build_tasks(out / "readings", DetectOptions())
        local = run_local(tasks, workers=2)
        dask = run_dask(tasks, workers=2, processes=False)
        assert_frame_equal(local.to_pandas(), dask.to_pandas(), check_exact=True)
        assert local.num_rows == 60
    # The simulator draws per partition, so the data above differ between counts; here the same
    # data are re-partitioned and must give exactly the same features.
    dataset = tmp_path / "p5" / "readings"
    import_path = tmp_path / "re"
    from minesweep.detection.meter.importer import import_meter_files

    import_meter_files(dataset, import_path, partitions=3)
    regrouped = run_local(build_tasks(import_path, DetectOptions())[0], workers=2)
    original = run_local(build_tasks(dataset, DetectOptions())[0], workers=1)
    assert_frame_equal(regrouped.to_pandas(), original.to_pandas(), check_exact=True)


def test_it_evaluates_overall_and_per_kind(simulated, tmp_path):
    table = detect(
        simulated / "readings",
        DetectOptions(accounts_meta=simulated / "accounts.csv", workers=1, progress=False),
    )
    write_findings(table, tmp_path / "f.csv")
    rows = evaluate_files(tmp_path / "f.csv", simulated / "labels.csv")
    groups = [r.group for r in rows]
    assert groups[0] == "overall" and "miner:pure_farm" in groups and "negative:data_centre" in groups
    assert 0.9 < rows[0].roc_auc <= 1.0
    assert "R@1%FPR" in format_table(rows)


def test_it_trains_a_calibrated_model_that_records_its_training_data(simulated, tmp_path):
    from minesweep.detection.meter.model import file_sha256, load_model

    table = detect(
        simulated / "readings",
        DetectOptions(accounts_meta=simulated / "accounts.csv", workers=1, progress=False),
    )
    write_findings(table, tmp_path / "f.parquet")
    from minesweep.detection.meter.model import train_model

    meta = train_model(tmp_path / "f.parquet", simulated / "labels.csv", tmp_path / "m.joblib")
    assert meta["training_sha256"] == file_sha256(tmp_path / "f.parquet", simulated / "labels.csv")
    assert load_model(tmp_path / "m.joblib")["positives"] == 36
    scored = detect(
        simulated / "readings",
        DetectOptions(
            accounts_meta=simulated / "accounts.csv", workers=1, progress=False, model=tmp_path / "m.joblib"
        ),
    )
    scores = scored.column("score").to_numpy()
    assert ((scores >= 0) & (scores <= 1)).all()
    assert json.loads(scored.column("reasons")[0].as_py())["route"] == "model"


def test_it_renders_evidence_pngs_for_one_account(simulated, tmp_path):
    from minesweep.detection.meter.evidence import render_evidence
    from minesweep.detection.meter.plots import plot_account

    ts, kwh = ds.read_account(simulated / "readings", "SIM0000001")
    pictures = render_evidence(ts, kwh, 3600, "SIM0000001")
    assert set(pictures) == {"carpet.png", "daily.png"}
    assert all(png.startswith(b"\x89PNG") for png in pictures.values())
    written = plot_account(simulated / "readings", "SIM0000001", tmp_path / "plots")
    assert len(written) == 2 and all(p.stat().st_size > 1000 for p in written)


def test_the_daily_picture_draws_the_sites_traffic_per_period_where_known(simulated):
    from minesweep.detection.meter.evidence import TrafficSeries, render_daily_png, traffic_segments

    ts, kwh = ds.read_account(simulated / "readings", "SIM0000001")
    first = int((ts.min() + 8 * 3600) // 86400)
    weeks = TrafficSeries(
        np.array([first - 7, first, first + 7, first + 1000]),
        np.array([first - 1, first + 6, first + 13, first + 1006]),
        np.array([9.0, 10.0, 30.0, 5.0]),
    )
    # on the picture's day axis: the week before the readings and the one long after are left out
    assert traffic_segments(weeks, first, 60) == [(0.0, 7.0, 10.0), (7.0, 14.0, 30.0)]
    plain = render_daily_png(ts, kwh, 3600)
    with_traffic = render_daily_png(ts, kwh, 3600, traffic=weeks)
    assert with_traffic.startswith(b"\x89PNG") and with_traffic != plain
    outside = TrafficSeries(np.array([first + 1000]), np.array([first + 1006]), np.array([5.0]))
    assert render_daily_png(ts, kwh, 3600, traffic=outside) == plain  # nothing to draw: the same picture


def test_it_runs_from_the_command_line(simulated, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    stdout = StringIO()
    call_command(
        "meters",
        "detect",
        str(simulated / "readings"),
        "--out",
        str(tmp_path / "f.csv"),
        "--accounts-meta",
        str(simulated / "accounts.csv"),
        "--rig",
        "S21",
        "--workers",
        "1",
        stdout=stdout,
    )
    counts = json.loads(stdout.getvalue())
    assert counts["accounts"] == 240
    # the simulator's offices, shops and factories keep Beijing time: no clock is doubted
    assert counts["working_rhythm"] > 10 and counts["rhythm_at_night"] == 0
    call_command(
        "meters",
        "evaluate",
        "--suspects",
        str(tmp_path / "f.csv"),
        "--labels",
        str(simulated / "labels.csv"),
        stdout=stdout,
    )
    assert "miner:pure_farm" in stdout.getvalue()


def _offices_csv(path: Path, utc_accounts: tuple[str, ...]) -> None:
    """Hourly kWh of four offices over eight weeks (09:00-18:00 on working days), long form; the
    ``utc_accounts`` with their times written in UTC and no offset, the others in Beijing time."""
    import pandas as pd

    hours = pd.date_range("2024-03-04", periods=56 * 24, freq="h", tz="Asia/Shanghai")
    working = (hours.day_of_week < 5) & (hours.hour >= 9) & (hours.hour < 18)
    frames = []
    for account in ("OFFICE1", "OFFICE2", "OFFICE3", "OFFICE4"):
        stamps = hours.tz_convert("UTC") if account in utc_accounts else hours
        ts = stamps.strftime("%Y-%m-%dT%H:%M:%S") + ("" if account in utc_accounts else "+08:00")
        frames.append(pd.DataFrame({"account_id": account, "ts": ts, "kwh": 20.0 + 80.0 * working}))
    pd.concat(frames).to_csv(path, index=False)


def test_it_warns_when_working_days_fall_at_night_as_times_in_utc_put_them(tmp_path):
    """An export whose times are UTC without an offset is read as Beijing time: its offices work at
    night. Nothing in a reading can say so, but a working-day rhythm centred at 05:30 can."""
    from io import StringIO

    from django.core.management import call_command

    readings = tmp_path / "offices.csv"
    _offices_csv(readings, utc_accounts=("OFFICE2", "OFFICE4"))
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "meters", "detect", str(readings), "--out", str(tmp_path / "f.csv"), "--workers", "1",
        stdout=stdout, stderr=stderr,
    )  # fmt: skip
    counts = json.loads(stdout.getvalue())
    assert counts["working_rhythm"] == 4 and counts["rhythm_at_night"] == 2
    assert counts["rhythm_at_night_accounts"] == ["OFFICE2", "OFFICE4"]
    assert "Clock in doubt: 2/4" in stderr.getvalue() and "OFFICE2, OFFICE4" in stderr.getvalue()
    centre = pacsv.read_csv(tmp_path / "f.csv").to_pandas().set_index("account_id").f_working_hours_centre
    assert abs(centre["OFFICE1"] - 13.5) < 0.3 and abs(centre["OFFICE2"] - 5.5) < 0.3


def test_an_export_known_to_write_utc_is_read_as_utc_when_told(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    readings = tmp_path / "offices.csv"
    _offices_csv(readings, utc_accounts=("OFFICE1", "OFFICE2", "OFFICE3", "OFFICE4"))

    def doubted(*flags: str) -> int:
        stdout = StringIO()
        call_command(
            "meters", "detect", str(readings), "--out", str(tmp_path / "f.csv"), "--workers", "1", *flags,
            stdout=stdout, stderr=StringIO(),
        )  # fmt: skip
        return json.loads(stdout.getvalue())["rhythm_at_night"]

    assert doubted() == 4
    assert doubted("--unmarked-times-utc") == 0
    centre = pacsv.read_csv(tmp_path / "f.csv").to_pandas().f_working_hours_centre
    assert (abs(centre - 13.5) < 0.3).all()


def test_it_reads_the_traffic_over_periods_from_the_command_line_and_refuses_a_bad_file(simulated, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    def detect_with(traffic: Path) -> dict:
        stdout = StringIO()
        call_command(
            "meters",
            "detect",
            str(simulated / "readings"),
            "--out",
            str(tmp_path / "f.parquet"),
            "--accounts-meta",
            str(simulated / "accounts.csv"),
            "--traffic",
            str(traffic),
            "--workers",
            "1",
            stdout=stdout,
        )
        return json.loads(stdout.getvalue())

    assert detect_with(simulated / "traffic.csv")["accounts"] == 240
    findings = pq.read_table(tmp_path / "f.parquet")
    assert {"f_onset_day", "f_kw_before_onset", "f_kw_after_onset"} <= set(findings.column_names)
    bad = tmp_path / "bad.csv"
    bad.write_text("account_id,start,end,mean_mbps\nSIM0000001,2021-01-08,2021-01-01,3\n", encoding="utf-8")
    (tmp_path / "f.parquet").unlink()
    with pytest.raises(CommandError, match="row 1: end is before start"):
        detect_with(bad)
    assert not (tmp_path / "f.parquet").exists()


def test_it_simulates_imports_and_plots_from_the_command_line(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "meters",
        "simulate",
        "--accounts",
        "30",
        "--days",
        "20",
        "--interval",
        "1d",
        "--mining-share",
        "0.1",
        "--seed",
        "2",
        "--wide",
        "--out",
        str(tmp_path / "sim"),
        stdout=out,
    )
    labels = (tmp_path / "sim" / "labels.csv").read_text().splitlines()
    assert labels[0] == "account_id,is_mining,kind,mining_kw,mining_hours,mining_kwh" and len(labels) == 31
    call_command(
        "meters",
        "import",
        str(tmp_path / "sim" / "readings_wide.csv"),
        "--dataset",
        "wide",
        "--root",
        str(tmp_path / "root"),
        stdout=out,
    )
    assert ds.read_info(tmp_path / "root" / "wide").interval_s == 86400
    call_command(
        "meters",
        "plot",
        str(tmp_path / "root" / "wide"),
        "--account",
        "SIM0000003",
        "--out",
        str(tmp_path / "png"),
        stdout=out,
    )
    assert (tmp_path / "png" / "SIM0000003-carpet.png").stat().st_size > 1000
    bad = tmp_path / "bad.csv"
    bad.write_text("account_id,ts,kwh\nA,2021-01-01 00:00,1\nA,nonsense,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 2"):
        call_command(
            "meters", "import", str(bad), "--dataset", "bad", "--root", str(tmp_path / "root"), stdout=out
        )
    call_command(
        "meters",
        "import",
        str(bad),
        "--dataset",
        "bad",
        "--root",
        str(tmp_path / "root"),
        "--skip-bad",
        str(tmp_path / "rejects.csv"),
        stdout=out,
    )
    assert "1 rejected" in out.getvalue() and (tmp_path / "rejects.csv").exists()
