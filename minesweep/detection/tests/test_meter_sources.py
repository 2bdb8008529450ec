"""Reader and import tests: long and wide forms, CSV and Parquet, bad rows, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from minesweep.detection.meter import dataset as ds
from minesweep.detection.meter.errors import MeterDataError
from minesweep.detection.meter.importer import import_meter_files
from minesweep.detection.meter.sources import iter_batches

UTC_2021 = int(dt.datetime(2021, 1, 1, tzinfo=dt.UTC).timestamp())


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _all_readings(dataset: Path) -> pa.Table:
    info = ds.read_info(dataset)
    return pa.concat_tables(ds.long_table(p, info.interval_s) for p in info.partition_paths).sort_by(
        [("account_id", "ascending"), ("ts", "ascending")]
    )


def test_it_imports_long_csv_reading_naive_times_as_shanghai_and_offsets_as_given(tmp_path):
    source = _write_csv(
        tmp_path / "long.csv",
        ["account_id", "ts", "kwh"],
        [
            ["A1", "2021-01-01 08:00:00", "1.5"],  # naive = Asia/Shanghai = 00:00 UTC
            ["A1", "2021-01-01T09:00:00+08:00", "2.5"],
            ["A1", "2021-01-01T02:00:00Z", ""],  # missing value: stays missing
            ["B2", "2021/01/01 08:00", "4"],
        ],
    )
    report = import_meter_files(source, tmp_path / "ds", partitions=3)
    table = _all_readings(tmp_path / "ds")
    assert report.readings == 3 and report.accounts == 2 and report.interval_s == 3600
    assert table.column("account_id").to_pylist() == ["A1", "A1", "B2"]
    assert table.column("ts").cast(pa.int64()).to_pylist() == [UTC_2021, UTC_2021 + 3600, UTC_2021]
    assert table.column("kwh").to_pylist() == [1.5, 2.5, 4.0]


def test_it_reads_unmarked_times_as_utc_when_told_and_offsets_as_given_either_way(tmp_path):
    source = _write_csv(
        tmp_path / "long.csv",
        ["account_id", "ts", "kwh"],
        [["A1", "2021-01-01 00:00:00", "1"], ["A1", "2021-01-01T09:00:00+08:00", "2"]],
    )
    import_meter_files(source, tmp_path / "ds", unmarked_times_utc=True)
    table = _all_readings(tmp_path / "ds")
    assert table.column("ts").cast(pa.int64()).to_pylist() == [UTC_2021, UTC_2021 + 3600]
    parquet = tmp_path / "naive.parquet"  # a Parquet timestamp without a zone is unmarked too
    pq.write_table(
        pa.table({"account_id": ["A1"], "ts": pa.array([dt.datetime(2021, 1, 1)]), "kwh": [1.0]}), parquet
    )
    assert next(iter_batches(parquet, unmarked_offset_s=0)).ts_utc_s.tolist() == [UTC_2021]
    assert next(iter_batches(parquet)).ts_utc_s.tolist() == [UTC_2021 - 8 * 3600]


def test_it_reads_24_00_as_the_next_days_midnight_as_state_grid_curves_write_it(tmp_path):
    source = _write_csv(
        tmp_path / "long.csv",
        ["account_id", "ts", "kwh"],
        [
            ["A1", "2021-01-01 23:00:00", "1"],
            ["A1", "2021-01-01 24:00:00", "2"],  # = 2021-01-02 00:00 Asia/Shanghai
            ["B2", "2021/1/2 23:00", "3"],
            ["B2", "2021/1/2 24:00", "4"],
            ["C3", "2021-01-03T23:00+08:00", "5"],
            ["C3", "2021-01-03T24:00+08:00", "6"],
        ],
    )
    import_meter_files(source, tmp_path / "ds", partitions=1)
    stamps = _all_readings(tmp_path / "ds").column("ts").cast(pa.int64()).to_pylist()
    eleven_pm = UTC_2021 + 15 * 3600
    assert stamps == [eleven_pm + d * 86400 + h * 3600 for d in range(3) for h in (0, 1)]
    bad = _write_csv(tmp_path / "bad.csv", ["account_id", "ts", "kwh"], [["A1", "2021-01-01 24:30", "1"]])
    with pytest.raises(MeterDataError):
        import_meter_files(bad, tmp_path / "ds-bad", partitions=1)


def test_it_converts_kw_to_kwh_with_the_interval(tmp_path):
    rows = [["A", f"2021-01-01 00:{m:02d}:00+08:00", "8"] for m in (0, 15, 30, 45)]
    import_meter_files(_write_csv(tmp_path / "kw.csv", ["account_id", "ts", "kw"], rows), tmp_path / "ds")
    assert _all_readings(tmp_path / "ds").column("kwh").to_pylist() == [2.0] * 4


def test_it_imports_the_state_grid_wide_form_with_columns_in_any_order_and_missing_days(tmp_path):
    source = _write_csv(
        tmp_path / "wide.csv",
        ["CONS_NO", "FLAG", "2014/1/3", "2014/1/1", "2014/1/2"],
        [["C1", "1", "30", "10", ""], ["C2", "0", "", "5.5", "6"]],
    )
    report = import_meter_files(source, tmp_path / "ds")
    table = _all_readings(tmp_path / "ds")
    assert report.interval_s == 86400
    midnight = int(dt.datetime(2014, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
    rows = list(
        zip(
            table.column("account_id").to_pylist(),
            table.column("ts").cast(pa.int64()).to_pylist(),
            table.column("kwh").to_pylist(),
            strict=True,
        )
    )
    assert rows == [
        ("C1", midnight, 10.0),
        ("C1", midnight + 2 * 86400, 30.0),
        ("C2", midnight, 5.5),
        ("C2", midnight + 86400, 6.0),
    ]


def test_it_rejects_bad_rows_with_row_numbers_and_writes_nothing(tmp_path):
    source = _write_csv(
        tmp_path / "bad.csv",
        ["account_id", "ts", "kwh"],
        [
            ["A", "2021-01-01 00:00", "1"],
            ["A", "not a time", "1"],
            ["A", "2021-01-01 01:00", "-3"],
            ["A", "2021-01-01 01:00", "2"],
            ["A", "2021-01-01 01:00", "2"],
            ["A", "2021-01-01 02:00", "abc"],
            ["A", "2021-01-01 03:00", "9e9"],
        ],
    )
    with pytest.raises(MeterDataError) as caught:
        import_meter_files(source, tmp_path / "ds")
    error = caught.value
    assert error.code == "meter.bad_rows"
    assert {(r["row"], r["reason"]) for r in error.extra["bad_rows"]} == {
        (2, "time"),
        (3, "negative"),
        (5, "duplicate"),
        (6, "value"),
        (7, "absurd"),
    }
    assert "第 2 条" in error.message_zh and "row 2" in error.message_en
    assert not (tmp_path / "ds").exists()
    assert not any(p.name.startswith(".ds") for p in tmp_path.iterdir())


def test_a_day_the_calendar_does_not_have_is_a_bad_time_not_a_reading_of_the_next_month(tmp_path):
    """Arrow's strptime reads 2021-02-30 as 2 March; a meter export with such a day is refused by row."""
    source = _write_csv(
        tmp_path / "days.csv",
        ["account_id", "ts", "kwh"],
        [
            ["A", "2021-02-28 10:00", "1"],
            ["A", "2021-02-28 11:00", "1"],
            ["A", "2021-02-29 10:00", "1"],  # 2021 has no leap day
            ["A", "2021/4/31 10:00", "1"],
            ["B", "2024-02-29T10:00+08:00", "1"],  # 2024 has
            ["B", "2024-02-29 11:00", "1"],
        ],
    )
    with pytest.raises(MeterDataError) as caught:
        import_meter_files(source, tmp_path / "ds")
    assert {(r["row"], r["reason"]) for r in caught.value.extra["bad_rows"]} == {(3, "time"), (4, "time")}


def test_it_keeps_good_rows_and_writes_rejects_with_skip_bad(tmp_path):
    source = _write_csv(
        tmp_path / "bad.csv",
        ["account_id", "ts", "kwh"],
        [["A", "2021-01-01 00:00", "1"], ["A", "garbage", "1"], ["A", "2021-01-01 01:00", "2"]],
    )
    report = import_meter_files(source, tmp_path / "ds", skip_bad=tmp_path / "rejects.csv")
    assert report.readings == 2 and report.rejected == 1
    rejects = list(csv.DictReader((tmp_path / "rejects.csv").open(encoding="utf-8")))
    assert [(r["row"], r["reason"]) for r in rejects] == [("2", "unparseable time")]


def test_it_streams_parquet_in_bounded_batches_and_imports_it(tmp_path):
    n = 1000
    table = pa.table(
        {
            "account_id": [f"P{i % 7}" for i in range(n)],
            "ts": pa.array(
                [dt.datetime(2021, 1, 1) + dt.timedelta(hours=i // 7) for i in range(n)], pa.timestamp("ms")
            ),
            "kwh": np.linspace(0, 1, n),
        }
    )
    pq.write_table(table, tmp_path / "in.parquet", row_group_size=100)
    batches = list(iter_batches(tmp_path / "in.parquet", batch_rows=128))
    assert len(batches) > 1 and max(len(b.row) for b in batches) <= 128
    assert batches[1].row[0] == len(batches[0].row) + 1
    report = import_meter_files(tmp_path / "in.parquet", tmp_path / "ds", partitions=4)
    assert report.readings == n and report.accounts == 7
    for path in ds.read_info(tmp_path / "ds").partition_paths:
        part = pq.read_table(path)
        accounts = set(part.column("account_id").to_pylist())
        assert all(ds.bucket_of(pa.array([a]), 4)[0] == int(path.stem[-5:]) for a in accounts)


def test_it_refuses_an_unknown_layout_in_both_languages(tmp_path):
    source = _write_csv(tmp_path / "x.csv", ["foo", "bar"], [["1", "2"]])
    with pytest.raises(MeterDataError) as caught:
        import_meter_files(source, tmp_path / "ds")
    assert caught.value.code == "meter.layout_unknown" and "无法识别" in caught.value.message_zh


def test_it_refuses_to_overwrite_a_dataset_unless_asked(tmp_path):
    source = _write_csv(tmp_path / "a.csv", ["account_id", "ts", "kwh"], [["A", "2021-01-01 00:00", "1"]])
    import_meter_files(source, tmp_path / "ds")
    with pytest.raises(MeterDataError):
        import_meter_files(source, tmp_path / "ds")
    import_meter_files(source, tmp_path / "ds", replace=True)
    assert ds.read_info(tmp_path / "ds").readings == 1


def test_it_stores_one_row_per_account_and_local_day_with_missing_readings_as_nan(tmp_path):
    rows = [["A", f"2021-01-01 {h:02d}:00", "1.5"] for h in range(24) if h != 5]
    rows.append(["A", "2021-01-02 00:00", "2"])
    import_meter_files(_write_csv(tmp_path / "a.csv", ["account_id", "ts", "kwh"], rows), tmp_path / "ds")
    table = pq.read_table(ds.partition_path(tmp_path / "ds", 0))
    assert table.column_names == ["account_id", "day", *[f"r{k:03d}" for k in range(24)]]
    assert table.column("day").to_pylist() == [18628, 18629]  # 2021-01-01 and -02, Asia/Shanghai
    assert np.isnan(table.column("r005")[0].as_py()) and table.column("r004")[0].as_py() == 1.5
    assert np.isnan(table.column("r001")[1].as_py())  # day 2 has only its midnight reading
    metadata = pq.ParquetFile(ds.partition_path(tmp_path / "ds", 0)).metadata.row_group(0)
    assert metadata.column(2).compression == "UNCOMPRESSED"


def test_it_reports_import_progress_in_both_languages_never_going_back(tmp_path):
    rows = [[f"A{a}", f"2021-01-01 {h:02d}:00", "1"] for a in range(30) for h in range(24)]
    source = _write_csv(tmp_path / "long.csv", ["account_id", "ts", "kwh"], rows)
    heard: list[tuple[float, str, str]] = []
    import_meter_files(source, tmp_path / "ds", partitions=3, progress=lambda *call: heard.append(call))
    shares = [share for share, _, _ in heard]
    assert shares == sorted(shares) and 0 < shares[0] <= 0.7 < shares[-1] <= 1
    assert any("long.csv" in en and "读取" in zh for _, zh, en in heard)
    assert [en for _, _, en in heard if en.startswith("Writing")] == [
        f"Writing partition {k}/3" for k in (1, 2, 3)
    ]


def test_it_refuses_a_dataset_of_an_older_format_with_a_clear_message(tmp_path):
    source = _write_csv(tmp_path / "a.csv", ["account_id", "ts", "kwh"], [["A", "2021-01-01 00:00", "1"]])
    import_meter_files(source, tmp_path / "ds")
    meta = tmp_path / "ds" / ds.META_FILE
    meta.write_text(meta.read_text().replace(ds.FORMAT, "minesweep.meter/1"))
    with pytest.raises(MeterDataError) as caught:
        ds.read_info(tmp_path / "ds")
    assert caught.value.code == "meter.dataset_format" and "重新导入" in caught.value.message_zh


def test_it_refuses_a_wide_file_with_an_invalid_date_column_naming_it(tmp_path):
    """Issue 14: 2014/2/30 used to be dropped silently and the rest imported."""
    source = _write_csv(
        tmp_path / "wide.csv", ["CONS_NO", "2014/1/1", "2014/2/30"], [["C1", "10", "11"], ["C2", "5", "6"]]
    )
    with pytest.raises(MeterDataError) as refused:
        import_meter_files(source, tmp_path / "ds")
    assert refused.value.code == "meter.wide_bad_date_column" and "2014/2/30" in refused.value.message
    assert not (tmp_path / "ds").exists()


@pytest.mark.parametrize("header", [["account_id", "ts", "kwh"], ["CONS_NO", "2014/1/1", "2014/1/2"]])
def test_it_refuses_a_header_only_file(tmp_path, header):
    source = _write_csv(tmp_path / "empty.csv", header, [])
    with pytest.raises(MeterDataError) as refused:
        import_meter_files(source, tmp_path / "ds")
    assert refused.value.code == "meter.no_readings" and "empty.csv" in refused.value.message


def test_it_reads_traffic_periods_into_the_window_and_refuses_a_bad_file_whole(tmp_path):
    from minesweep.detection.meter.sources import read_traffic_periods
    from minesweep.detection.meter.timebase import day_number_of

    first_day = day_number_of(dt.date(2021, 1, 1))
    good = _write_csv(
        tmp_path / "traffic.csv",
        ["account_id", "start", "end", "mean_mbps"],
        [
            ["007", "2020-12-28", "2021-01-03", "12.5"],  # starts before the window: clipped
            ["007", "2021/1/4", "2021-01-10", "0"],
            ["008", "2020-12-01", "2020-12-31", "3"],  # wholly before: dropped
            ["008", "2021-03-29", "2021-04-04", "3"],  # runs past the 90-day window's end: clipped
        ],
    )
    table = read_traffic_periods(good, first_day, 90).to_pylist()
    assert table == [
        {"account_id": "007", "first_day": 0, "last_day": 2, "mean_mbps": 12.5},
        {"account_id": "007", "first_day": 3, "last_day": 9, "mean_mbps": 0.0},
        {"account_id": "008", "first_day": 87, "last_day": 89, "mean_mbps": 3.0},
    ]
    bad_rows = {
        "traffic_date": ["007", "2021-02-30", "2021-03-06", "1"],
        "traffic_value": ["007", "2021-01-01", "2021-01-07", "-1"],
        "traffic_period": ["007", "2021-01-07", "2021-01-01", "1"],
    }
    for code, row in bad_rows.items():
        path = _write_csv(
            tmp_path / f"{code}.csv",
            ["account_id", "start", "end", "mean_mbps"],
            [["007", "2021-01-01", "2021-01-07", "1"], row],
        )
        with pytest.raises(MeterDataError) as caught:
            read_traffic_periods(path, first_day, 90)
        assert (
            caught.value.code == f"meter.{code}"
            and "第 2 行" in caught.value.message_zh
            and "row 2" in caught.value.message_en
        )
    # a Parquet writer's dates as timestamps: the day each falls on in Beijing
    stamps = tmp_path / "stamps.parquet"
    pq.write_table(
        pa.table(
            {
                "account_id": [7],
                "start": pa.array([dt.datetime(2020, 12, 31, 16, 0, 0, 500)], pa.timestamp("us", tz="UTC")),
                "end": pa.array([dt.datetime(2021, 1, 7)], pa.timestamp("ms")),
                "mean_mbps": [2],
            }
        ),
        stamps,
    )
    assert read_traffic_periods(stamps, first_day, 90).to_pylist() == [
        {"account_id": "7", "first_day": 0, "last_day": 6, "mean_mbps": 2.0}
    ]
    missing = _write_csv(
        tmp_path / "missing.csv", ["account_id", "start", "mean_mbps"], [["007", "2021-01-01", "1"]]
    )
    with pytest.raises(MeterDataError, match="end"):
        read_traffic_periods(missing, first_day, 90)


def test_it_reads_daily_temperature_into_the_window_and_refuses_a_bad_file_whole(tmp_path):
    from minesweep.detection.meter.sources import read_temperature

    first_day = (dt.date(2025, 1, 1) - dt.date(1970, 1, 1)).days
    good = _write_csv(
        tmp_path / "t.csv",
        ["date", "temp_c"],
        [["2024-12-31", -20], ["2025-01-01", -18.5], ["2025/1/2", ""], ["2025-01-03", -21.0]],
    )
    series = read_temperature(good, first_day, 4)
    assert series[0] == -18.5 and np.isnan(series[1]) and series[2] == -21.0  # empty: a day not given
    assert np.isnan(series[3])  # a day past the file's end
    bad = {
        "temperature_columns": (["date", "tmean"], [["2025-01-01", 3]], "temp_c"),
        "temperature_date": (["date", "temp_c"], [["2025-01-01", 3], ["2025-02-30", 4]], "row 2"),
        "temperature_value": (["date", "temp_c"], [["2025-01-01", 3], ["2025-01-02", 75.2]], "row 2"),
        "temperature_repeated": (
            ["date", "temp_c"],
            [["2025-01-02", 3], ["2025-01-01", 2], ["2025-01-02", 4]],
            "row 3",
        ),
    }
    for code, (header, rows, named) in bad.items():
        with pytest.raises(MeterDataError) as caught:
            read_temperature(_write_csv(tmp_path / f"{code}.csv", header, rows), first_day, 4)
        assert caught.value.code == f"meter.{code}" and named in caught.value.message_en, code
        assert "气温文件" in caught.value.message_zh
