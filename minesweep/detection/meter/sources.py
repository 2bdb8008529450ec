"""Streaming readers for meter files (电表数据读取): long form and the State Grid wide daily form.

Both readers yield :class:`RawBatch` objects in the same long shape, a bounded number of rows at a
time (``pyarrow.csv.open_csv`` / ``ParquetFile.iter_batches``), so no file is ever held whole.

* Long form: ``account_id, ts, kwh`` or ``account_id, ts, kw`` (kW = mean demand over the interval).
  ``ts`` is the interval start, ISO 8601 with an offset (``+08:00``, ``Z``) or naive, which is read as
  Asia/Shanghai; 15-minute to daily intervals. ``24:00`` is the next day's 00:00.
* Wide form: ``CONS_NO``, optional ``FLAG``, then one column per date (``2014/1/1``, ``2014-01-01`` or
  ``20140101``) in any order holding that day's kWh; an empty cell is a missing day.
* Day rows: the normalised dataset's own partitions (``account_id, day, r000 …``, see
  :mod:`dataset`), so a dataset can be imported again, e.g. into another number of partitions.

Empty values are missing readings and are dropped (they stay missing, never zero); values that are
present but unreadable are reported as bad rows by the importer. ``row`` numbers count data records
from 1 (the header is not counted; in a CSV file the record is on line ``row + 1``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from minesweep.detection.meter.errors import MeterDataError
from minesweep.detection.meter.timebase import SECONDS_PER_DAY, SHANGHAI_OFFSET_S

BATCH_ROWS = 262_144
CSV_BLOCK_BYTES = 8 << 20
WIDE_ID_COLUMN = "CONS_NO"
WIDE_FLAG_COLUMN = "FLAG"
NUMBER_PATTERN = r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$"
_OFFSET_FORMATS = ("%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M%z")
_NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
)
_END_OF_DAY = r"^(\d{4}[-/]\d{1,2}[-/]\d{1,2}) 24:00(?::00)?([+-]\d{2}:?\d{2})?$"
"""A day's last instant written as 24:00 (State Grid's curves label their last point so): the next
day's 00:00."""
_DATE_HEADER = re.compile(r"^\s*(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})\s*$")


@dataclass
class RawBatch:
    """Readings in long shape, before validation.

    ``ts_utc_s``: int64 UTC seconds of the interval start, valid where ``ts_ok``; ``value``: float64
    (kWh or kW per ``unit``), NaN where missing or unreadable; ``value_bad``: present but unreadable.
    ``ts_text``/``value_text`` keep the raw text for reject reports.
    """

    row: np.ndarray
    account_id: pa.Array
    ts_utc_s: np.ndarray
    ts_ok: np.ndarray
    value: np.ndarray
    value_bad: np.ndarray
    unit: str
    ts_text: pa.Array
    value_text: pa.Array
    interval_hint_s: int | None = None


def list_input_files(path: Path) -> list[Path]:
    """The CSV/Parquet files of an input path (a file, or a folder searched recursively, sorted)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise MeterDataError("input_missing", f"找不到输入：{path}", f"Input not found: {path}")
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".csv", ".parquet"))
    if not files:
        raise MeterDataError(
            "input_empty", f"目录中没有 CSV 或 Parquet 文件：{path}", f"No CSV or Parquet files in {path}"
        )
    return files


def column_names(path: Path) -> list[str]:
    """Header of a CSV file or schema names of a Parquet file."""
    if path.suffix.lower() == ".parquet":
        return list(pq.ParquetFile(path).schema_arrow.names)
    with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline()
    return [name.strip().strip('"') for name in header.rstrip("\r\n").split(",")]


def detect_layout(path: Path) -> str:
    """``"long"`` or ``"wide"`` from the column names; raises a bilingual error otherwise."""
    names = column_names(path)
    if WIDE_ID_COLUMN in names:
        return "wide"
    if "account_id" in names and "day" in names and "r000" in names:
        return "day_rows"
    if "account_id" in names and "ts" in names and ("kwh" in names or "kw" in names):
        return "long"
    raise MeterDataError(
        "layout_unknown",
        f"无法识别的表头（需要 account_id, ts, kwh/kw 或 CONS_NO 加日期列）：{path.name}",
        f"Unrecognised columns (need account_id, ts, kwh/kw, or CONS_NO plus date columns): {path.name}",
        columns=names[:20],
    )


def iter_batches(
    path: Path, batch_rows: int = BATCH_ROWS, unmarked_offset_s: int = SHANGHAI_OFFSET_S
) -> Iterator[RawBatch]:
    """Readings of one file in bounded batches, whichever layout it has. ``unmarked_offset_s``: the
    zone of times written without an offset (long form only; the other layouts give days)."""
    layout = detect_layout(path)
    if layout == "wide":
        yield from iter_wide_batches(path, batch_rows)
    elif layout == "day_rows":
        yield from iter_day_row_batches(path, batch_rows)
    else:
        yield from iter_long_batches(path, batch_rows, unmarked_offset_s)


def _record_batches(
    path: Path, columns: list[str], batch_rows: int, as_text: bool
) -> Iterator[pa.RecordBatch]:
    if path.suffix.lower() == ".parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=batch_rows, columns=columns)
        return
    convert = pacsv.ConvertOptions(
        include_columns=columns,
        column_types=dict.fromkeys(columns, pa.string()) if as_text else None,
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    read = pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES, encoding="utf8")
    try:
        reader = pacsv.open_csv(path, read_options=read, convert_options=convert)
        yield from reader
    except pa.ArrowInvalid as error:
        raise MeterDataError(
            "csv_unreadable",
            f"CSV 文件无法读取：{path.name}（{error}）",
            f"CSV file cannot be read: {path.name} ({error})",
        ) from error


def iter_long_batches(
    path: Path, batch_rows: int = BATCH_ROWS, unmarked_offset_s: int = SHANGHAI_OFFSET_S
) -> Iterator[RawBatch]:
    """Long-form readings (``account_id, ts, kwh|kw``) in batches; times without an offset are
    ``unmarked_offset_s`` seconds ahead of UTC (Beijing time unless told otherwise)."""
    names = column_names(path)
    unit = "kwh" if "kwh" in names else "kw"
    next_row = 1
    for batch in _record_batches(path, ["account_id", "ts", unit], batch_rows, as_text=True):
        count = batch.num_rows
        ts_utc, ts_ok, ts_text = parse_timestamps(batch.column("ts"), unmarked_offset_s)
        value, value_bad, value_text = parse_numbers(batch.column(unit))
        yield RawBatch(
            row=np.arange(next_row, next_row + count, dtype=np.int64),
            account_id=_as_text(batch.column("account_id")),
            ts_utc_s=ts_utc,
            ts_ok=ts_ok,
            value=value,
            value_bad=value_bad,
            unit=unit,
            ts_text=ts_text,
            value_text=value_text,
        )
        next_row += count


def wide_date_columns(names: list[str]) -> dict[str, dt.date]:
    """Map of wide-form column name → date, for every column whose name is a date."""
    found: dict[str, dt.date] = {}
    for name in names:
        match = _DATE_HEADER.match(name)
        if match:
            try:
                found[name] = dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
    return found


def iter_wide_batches(path: Path, batch_rows: int = BATCH_ROWS) -> Iterator[RawBatch]:
    """State Grid wide daily form (``CONS_NO``, ``FLAG``?, one kWh column per date), as long batches.

    Each date column becomes a reading at local midnight of that date with a 1-day interval.
    """
    columns = column_names(path)
    dates = wide_date_columns(columns)
    not_dates = [name for name in columns if _DATE_HEADER.match(name) and name not in dates]
    if not_dates:  # e.g. 20210230: refused by name, never silently dropped (issue 14)
        raise MeterDataError(
            "wide_bad_date_column",
            f"宽表的列名不是有效日期：{', '.join(not_dates[:5])}（{path.name}）",
            f"Wide-file column(s) named like a date but not a valid date: {', '.join(not_dates[:5])} ({path.name})",
            columns=not_dates,
        )
    if not dates:
        raise MeterDataError(
            "wide_no_dates",
            f"宽表中没有日期列：{path.name}",
            f"The wide file has no date columns: {path.name}",
        )
    names = sorted(dates, key=lambda n: dates[n])
    day_ts = np.array([_local_midnight_utc(dates[n]) for n in names], dtype=np.int64)
    accounts_per_batch = max(1, batch_rows // len(names))
    next_row = 1
    for batch in _record_batches(path, [WIDE_ID_COLUMN, *names], accounts_per_batch, as_text=True):
        count = batch.num_rows
        ids = _as_text(batch.column(WIDE_ID_COLUMN))
        for column, midnight in zip(names, day_ts, strict=True):
            value, value_bad, value_text = parse_numbers(batch.column(column))
            yield RawBatch(
                row=np.arange(next_row, next_row + count, dtype=np.int64),
                account_id=ids,
                ts_utc_s=np.full(count, midnight, dtype=np.int64),
                ts_ok=np.ones(count, dtype=bool),
                value=value,
                value_bad=value_bad,
                unit="kwh",
                ts_text=pa.array([column] * count, pa.string()),
                value_text=value_text,
                interval_hint_s=SECONDS_PER_DAY,
            )
        next_row += count


def iter_day_row_batches(path: Path, batch_rows: int = BATCH_ROWS) -> Iterator[RawBatch]:
    """Day rows (``account_id, day, r000 …``: one row per account and local day, ``rK`` the kWh of
    the K-th reading of that day) as long batches; the interval is one day over the reading count."""
    readings = [name for name in column_names(path) if re.fullmatch(r"r\d{3}", name)]
    interval = SECONDS_PER_DAY // len(readings)
    next_row = 1
    for batch in _record_batches(
        path, ["account_id", "day", *readings], max(1, batch_rows // len(readings)), False
    ):
        count = batch.num_rows
        midnight = pc.cast(batch.column("day"), pa.int64()).to_numpy(zero_copy_only=False) * SECONDS_PER_DAY
        ids = _as_text(batch.column("account_id"))
        for k, column in enumerate(readings):
            value, value_bad, value_text = parse_numbers(batch.column(column))
            ts = midnight - SHANGHAI_OFFSET_S + k * interval
            yield RawBatch(
                row=np.arange(next_row, next_row + count, dtype=np.int64),
                account_id=ids,
                ts_utc_s=ts,
                ts_ok=np.ones(count, dtype=bool),
                value=value,
                value_bad=value_bad,
                unit="kwh",
                ts_text=pa.array(ts.astype(str), pa.string()),
                value_text=value_text,
                interval_hint_s=interval,
            )
        next_row += count


def _local_midnight_utc(date: dt.date) -> int:
    return (date - dt.date(1970, 1, 1)).days * SECONDS_PER_DAY - SHANGHAI_OFFSET_S


def _as_text(column: pa.Array) -> pa.Array:
    text = column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
    return pc.utf8_trim_whitespace(text)


def parse_numbers(column: pa.Array) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """Float64 values (NaN where empty or unreadable), an "unreadable" mask, and the raw text."""
    if pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
        values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
        return values, np.zeros(len(values), dtype=bool), pc.cast(column, pa.string())
    text = pc.utf8_trim_whitespace(_as_text(column))
    present = pc.fill_null(pc.not_equal(text, ""), False)
    numeric = pc.fill_null(pc.match_substring_regex(text, NUMBER_PATTERN), False)
    clean = pc.if_else(numeric, text, pa.scalar(None, pa.string()))
    values = pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False)
    bad = np.asarray(pc.and_(present, pc.invert(numeric)).to_numpy(zero_copy_only=False), dtype=bool)
    return values, bad, text


def parse_timestamps(
    column: pa.Array, unmarked_offset_s: int = SHANGHAI_OFFSET_S
) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """UTC seconds (int64), a "parsed" mask, and the raw text of a timestamp column.

    Accepts Arrow timestamps (tz-aware as given, naive as Asia/Shanghai) or text in the formats listed
    in the module docstring; fractional seconds are dropped. Times without an offset are taken as
    ``unmarked_offset_s`` seconds ahead of UTC: Beijing time, or 0 for an export known to write UTC
    without saying so (the clock check, ``detect.clock_check``, is how one finds out).
    """
    if pa.types.is_timestamp(column.type):
        ok, utc = _seconds(pc.cast(column, pa.timestamp("s", tz=column.type.tz), safe=False))
        if column.type.tz is None:
            utc -= unmarked_offset_s
        return utc, ok, pc.cast(column, pa.string())
    if pa.types.is_date(column.type):
        column = pc.cast(pc.cast(column, pa.timestamp("s")), pa.string())
    text = _as_text(column)
    norm = pc.replace_substring_regex(text, r"^(\d{4}[-/]\d{1,2}[-/]\d{1,2})T", r"\1 ")
    norm = pc.replace_substring_regex(norm, r"(\d{2}:\d{2}(:\d{2})?)\.\d+", r"\1")
    norm = pc.replace_substring_regex(norm, r"\s*Z$", "+0000")
    norm = pc.replace_substring_regex(norm, r"\s+([+-]\d{2}:?\d{2})$", r"\1")
    end_of_day = pc.fill_null(pc.match_substring_regex(norm, _END_OF_DAY), False)
    norm = pc.replace_substring_regex(norm, _END_OF_DAY, r"\1 00:00\2")
    aware = _first_parse(norm, _OFFSET_FORMATS)
    naive = _first_parse(norm, _NAIVE_FORMATS)
    aware_ok, aware_s = _seconds(aware)
    naive_ok, naive_s = _seconds(naive)
    utc = np.where(aware_ok, aware_s, naive_s - unmarked_offset_s)
    utc += SECONDS_PER_DAY * np.asarray(end_of_day.to_numpy(zero_copy_only=False), dtype=np.int64)
    return utc, (aware_ok | naive_ok) & _calendar_dates(norm), text


_DATE_PREFIX = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?!\d)")


def _calendar_dates(text: pa.Array) -> np.ndarray:
    """False where the text starts with a date the calendar does not have (2021-02-30, 2021-04-31):
    Arrow's strptime rolls such a day over into the next month, which would file the reading under
    another day. Judged once per distinct first ten characters (a few per day of data)."""
    encoded = pc.dictionary_encode(pc.utf8_slice_codeunits(text, 0, 10))
    real = np.array([_is_calendar_date(p) for p in encoded.dictionary.to_pylist()] or [True], dtype=bool)
    indices = pc.fill_null(encoded.indices, 0).to_numpy(zero_copy_only=False)
    return real[indices]


def _is_calendar_date(prefix: str | None) -> bool:
    match = _DATE_PREFIX.match(prefix or "")
    if match is None:
        return True  # not written as a date with separators: the parsers alone judge it
    try:
        dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return False
    return True


def _seconds(stamps: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    ok = np.asarray(stamps.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    seconds = pc.fill_null(pc.cast(stamps, pa.int64()), 0).to_numpy(zero_copy_only=False)
    return ok, seconds.astype(np.int64)


def _first_parse(text: pa.Array, formats: tuple[str, ...]) -> pa.Array:
    parsed = [pc.strptime(text, format=f, unit="s", error_is_null=True) for f in formats]
    parsed = [pc.cast(p, pa.timestamp("s")) for p in parsed]
    return pc.coalesce(*parsed)


def read_small_table(path: Path, what_zh: str, what_en: str, text_columns: tuple[str, ...] = ()) -> pa.Table:
    """A small CSV or Parquet file read whole (``text_columns`` of a CSV read as text, as written). A file
    the reader cannot parse (rows of another length, bytes that are not UTF-8, a damaged Parquet file) is
    refused with its name, never an error page."""
    try:
        if path.suffix.lower() == ".parquet":
            return pq.read_table(path)
        types = {name: pa.string() for name in column_names(path) if name in text_columns}
        return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))
    except (pa.ArrowException, OSError, UnicodeDecodeError) as error:
        reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        raise MeterDataError(
            "file_unreadable",
            f"{what_zh}无法读取（各行列数须与表头一致，CSV 须为 UTF-8 编码）：{path.name}",
            f"{what_en} cannot be read ({reason}): {path.name}",
        ) from None


def read_accounts_meta(path: Path) -> pa.Table:
    """Account metadata (``account_id, tariff, contract_kva`` …, DESIGN §4) from CSV or Parquet.

    ``account_id`` is read as text; other columns as given. Small (one row per account).
    """
    text_columns = ("account_id", "tariff", "uscc", "division_code", "address")
    table = read_small_table(path, "户档案", "Account metadata", text_columns)
    if "account_id" not in table.column_names:
        raise MeterDataError(
            "meta_no_account",
            f"户档案缺少 account_id 列：{path.name}",
            f"Account metadata has no account_id column: {path.name}",
        )
    return table.set_column(
        table.column_names.index("account_id"), "account_id", pc.cast(table.column("account_id"), pa.string())
    )


TEMPERATURE_COLUMNS = ("date", "temp_c")
# Daily means outside these were never measured where people live: a value beyond them is a unit or column
# mistake (°F, tenths of a degree, a humidity column), not weather.
COLDEST_C, HOTTEST_C = -70.0, 60.0


def read_temperature(path: Path, first_day: int, n_days: int) -> np.ndarray:
    """Daily mean outdoor temperature (°C, ``date, temp_c``, CSV or Parquet) aligned to the window's local
    days; NaN on the days the file does not give.

    All or nothing: a missing column, a date that is not one, a value that is not a daily mean on Earth
    (unreadable, below −70 °C or above 60 °C: °F or tenths of a degree) or a day given twice stops the run
    with the row named, and nothing is read. An empty value is a day the station did not give.
    """
    raw = read_small_table(path, "气温文件", "Temperature file", ("date",))
    missing = [c for c in TEMPERATURE_COLUMNS if c not in raw.column_names]
    if missing:
        raise MeterDataError(
            "temperature_columns",
            f"气温文件缺少列 {', '.join(missing)}（须有 date, temp_c）：{path.name}",
            f"Temperature file is missing column(s) {', '.join(missing)} (date, temp_c needed): {path.name}",
        )
    days = _period_days(raw.column("date"), "date", path, TEMPERATURE_FILE)
    # an empty value is NaN: a day the station did not give
    values, unreadable, _ = parse_numbers(raw.column("temp_c").combine_chunks())
    _refuse_first_bad_row(
        unreadable | np.isinf(values) | (values < COLDEST_C) | (values > HOTTEST_C),
        "temperature_value",
        f"气温文件第 {{row}} 行：temp_c 须为 −70 至 60 之间的日平均气温（摄氏度）：{path.name}",
        f"Temperature file row {{row}}: temp_c must be a daily mean in °C, from -70 to 60: {path.name}",
    )
    order = np.argsort(days, kind="stable")
    repeated = np.zeros(len(days), dtype=bool)
    repeated[order[1:]] = np.diff(days[order]) == 0
    _refuse_first_bad_row(
        repeated,
        "temperature_repeated",
        f"气温文件第 {{row}} 行：该日期已出现过（每天一行）：{path.name}",
        f"Temperature file row {{row}}: that date was given before (one row a day): {path.name}",
    )
    series = np.full(n_days, np.nan)
    inside = (days >= first_day) & (days < first_day + n_days)
    series[days[inside] - first_day] = values[inside]
    return series


TRAFFIC_COLUMNS = ("account_id", "start", "end", "mean_mbps")
# A "window" of day numbers from day 0 that holds every date: read with it, periods keep their day numbers
# (to check a file whole before any window is known, or to draw a period where it falls).
ALL_DAYS = 1_000_000


def read_traffic_periods(path: Path, first_day: int, n_days: int) -> pa.Table:
    """A site's traffic over periods (``account_id, start, end, mean_mbps``: the mean Mbit/s of the flows
    attributed to the account from ``start`` to ``end``, both dates inclusive — e.g. a flow pipeline's weekly
    or monthly byte totals), from CSV or Parquet.

    Returns ``account_id, first_day, last_day, mean_mbps`` with days as indexes into the window that starts
    on day number ``first_day`` and has ``n_days`` days, periods clipped to it; periods wholly outside are
    dropped. All or nothing: a missing column, an unreadable date or number, a negative traffic or a period
    that ends before it starts stops the run with the row named, and nothing is read.
    """
    raw = read_small_table(path, "流量文件", "Traffic file", TRAFFIC_COLUMNS)
    missing = [c for c in TRAFFIC_COLUMNS if c not in raw.column_names]
    if missing:
        raise MeterDataError(
            "traffic_columns",
            f"流量文件缺少列 {', '.join(missing)}（须有 account_id, start, end, mean_mbps）：{path.name}",
            f"Traffic file is missing column(s) {', '.join(missing)} "
            f"(account_id, start, end, mean_mbps needed): {path.name}",
        )
    start = _period_days(raw.column("start"), "start", path)
    end = _period_days(raw.column("end"), "end", path)
    mbps = _traffic_numbers(raw.column("mean_mbps"), path)
    _refuse_first_bad_row(
        end < start,
        "traffic_period",
        f"流量文件第 {{row}} 行：end 早于 start（{path.name}）",
        f"Traffic file row {{row}}: end is before start ({path.name})",
    )
    return traffic_in_window(
        pc.cast(raw.column("account_id"), pa.string()).combine_chunks(), start, end, mbps, first_day, n_days
    )


def traffic_in_window(
    account_id: pa.Array, start: np.ndarray, end: np.ndarray, mbps: np.ndarray, first_day: int, n_days: int
) -> pa.Table:
    """Traffic periods (day numbers ``start``–``end`` inclusive) as the fusion takes them: days as indexes
    into the window of ``n_days`` days from day number ``first_day``, clipped to it; periods wholly
    outside are dropped."""
    first, last = start - first_day, end - first_day
    inside = (last >= 0) & (first < n_days)
    return pa.table(
        {
            "account_id": account_id.filter(pa.array(inside)),
            "first_day": np.clip(first[inside], 0, n_days - 1).astype(np.int32),
            "last_day": np.clip(last[inside], 0, n_days - 1).astype(np.int32),
            "mean_mbps": np.asarray(mbps, dtype=np.float64)[inside],
        }
    )


TRAFFIC_FILE = ("traffic_date", "流量文件", "Traffic file")
TEMPERATURE_FILE = ("temperature_date", "气温文件", "Temperature file")


def _period_days(
    column: pa.ChunkedArray, name: str, path: Path, file: tuple[str, str, str] = TRAFFIC_FILE
) -> np.ndarray:
    """Day numbers of a date column (``2024-01-31`` or ``2024/1/31``); the first unreadable row is named
    (``file``: the error code and the file's name in Chinese and English)."""
    if pa.types.is_date(column.type):
        days = pc.cast(column, pa.date32())
    elif pa.types.is_timestamp(column.type):  # a Parquet writer's dates: the day it falls on in Beijing
        seconds = pc.cast(pc.cast(column, pa.timestamp("s", tz=column.type.tz), safe=False), pa.int64())
        local = pc.add(seconds, SHANGHAI_OFFSET_S if column.type.tz else 0)
        days = pc.cast(pc.floor(pc.divide(pc.cast(local, pa.float64()), SECONDS_PER_DAY)), pa.int32())
        days = pc.cast(days, pa.date32())
    else:  # strictly, value by distinct value (Arrow's strptime would read 2021-02-30 as 2 March)
        encoded = pc.dictionary_encode(_as_text(column.combine_chunks()))
        parsed = pa.array([_strict_date(text) for text in encoded.dictionary.to_pylist()], pa.date32())
        days = pc.take(parsed, encoded.indices)
    valid = np.asarray(pc.is_valid(days).to_numpy(zero_copy_only=False), dtype=bool)
    code, what_zh, what_en = file
    _refuse_first_bad_row(
        ~valid,
        code,
        f"{what_zh}第 {{row}} 行：{name} 不是日期（须为 2024-01-31 形式）：{path.name}",
        f"{what_en} row {{row}}: {name} is not a date (write 2024-01-31): {path.name}",
    )
    return pc.cast(days, pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)


def _strict_date(text: str | None) -> dt.date | None:
    for layout in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(text or "", layout).date()
        except ValueError:
            continue
    return None


def _traffic_numbers(column: pa.ChunkedArray, path: Path) -> np.ndarray:
    """``mean_mbps`` as float64; the first empty, unreadable or negative value stops the read."""
    values = parse_numbers(column.combine_chunks())[0]  # NaN where empty or unreadable
    _refuse_first_bad_row(
        ~np.isfinite(values) | (values < 0),
        "traffic_value",
        f"流量文件第 {{row}} 行：mean_mbps 须为不小于 0 的数（Mbit/s）：{path.name}",
        f"Traffic file row {{row}}: mean_mbps must be a number of Mbit/s, 0 or more: {path.name}",
    )
    return np.asarray(values, dtype=np.float64)


def _refuse_first_bad_row(bad: np.ndarray, code: str, zh: str, en: str) -> None:
    """Stop at the first row where ``bad`` holds: ``{row}`` in the messages becomes its number (from 1)."""
    rows = np.flatnonzero(bad)
    if len(rows):
        row = int(rows[0]) + 1
        # replace, not format: a file's name may hold braces
        raise MeterDataError(code, zh.replace("{row}", str(row)), en.replace("{row}", str(row)))
