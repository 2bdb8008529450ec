"""Normalised meter datasets (标准化电表数据集): partitioned Parquet, one row per account and local day.

Layout of ``<root>/<name>/``::

    _dataset.json            format, interval_s, partitions, first/last local day, counts
    part-00000.parquet ...   account_id (string), day (int32), r000 ... r{n-1} (float32)

One row holds an account's readings for one Asia/Shanghai calendar day, like State Grid's 96-point
daily load curves (96点负荷曲线): ``day`` counts days since 1970-01-01 and column ``rK`` is the kWh of
the reading that starts K intervals after local midnight (``n`` = readings per day: 96 at 15 minutes,
24 hourly, 1 daily). A missing reading is NaN, never zero; days without any reading have no row.

Each account sits in exactly one partition (``crc32(account_id) % partitions``); rows are sorted by
account then day. Reading columns are stored uncompressed and without dictionaries: float32 meter noise
does not compress, and plain pages are what makes a read run at memory speed. float32 kWh keeps 7
significant digits, beyond any meter.
"""

from __future__ import annotations

import json
import shutil
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from minesweep.detection.meter.errors import MeterDataError
from minesweep.detection.meter.kernels.profile import day_rows
from minesweep.detection.meter.timebase import SECONDS_PER_DAY, SHANGHAI_OFFSET_S

META_FILE = "_dataset.json"
FORMAT = "minesweep.meter/2"
ACCOUNT_COLUMN = "account_id"
DAY_COLUMN = "day"
LONG_SCHEMA = pa.schema(
    [("account_id", pa.string()), ("ts", pa.timestamp("s", tz="UTC")), ("kwh", pa.float32())]
)


def reading_columns(interval_s: int) -> list[str]:
    """Names of the per-reading columns of a day row: ``r000`` … for each reading of a local day."""
    return [f"r{k:03d}" for k in range(max(1, SECONDS_PER_DAY // interval_s))]


def partition_schema(interval_s: int) -> pa.Schema:
    fields = [pa.field(ACCOUNT_COLUMN, pa.string()), pa.field(DAY_COLUMN, pa.int32())]
    return pa.schema(
        fields + [pa.field(c, pa.float32(), nullable=False) for c in reading_columns(interval_s)]
    )


@dataclass(frozen=True)
class DayRows:
    """One partition in memory: ``accounts`` (sorted ids), and per row its account's index into them,
    its local day number and its readings — ``readings`` is (readings per day, rows) float32, one
    contiguous vector per time of day, NaN where a reading is missing."""

    accounts: list[str]
    account_index: np.ndarray
    day: np.ndarray
    readings: np.ndarray

    @property
    def reading_count(self) -> int:
        return int(np.count_nonzero(~np.isnan(self.readings)))


@dataclass(frozen=True)
class DatasetInfo:
    """What ``_dataset.json`` says about a normalised dataset."""

    path: Path
    interval_s: int
    partitions: int
    first_day: int
    last_day: int
    accounts: int
    readings: int

    @property
    def partition_paths(self) -> list[Path]:
        return [partition_path(self.path, index) for index in range(self.partitions)]


def partition_path(dataset: Path, index: int) -> Path:
    return dataset / f"part-{index:05d}.parquet"


def is_dataset(path: Path) -> bool:
    return (path / META_FILE).is_file()


def read_info(path: Path) -> DatasetInfo:
    """What ``_dataset.json`` says; a dataset written by another version of the format is refused."""
    meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise MeterDataError(
            "dataset_format",
            f"数据集格式为 {meta.get('format')}，本版本读取 {FORMAT}：请从原始文件重新导入 {path}",
            f"Dataset format is {meta.get('format')}, this version reads {FORMAT}: import {path} again "
            "from its source files",
        )
    return DatasetInfo(
        path=path,
        interval_s=int(meta["interval_s"]),
        partitions=int(meta["partitions"]),
        first_day=int(meta["first_day"]),
        last_day=int(meta["last_day"]),
        accounts=int(meta["accounts"]),
        readings=int(meta["readings"]),
    )


def write_info(path: Path, info: dict[str, Any]) -> None:
    (path / META_FILE).write_text(json.dumps({"format": FORMAT, **info}, indent=2), encoding="utf-8")


def bucket_of(account_ids: pa.Array | pa.ChunkedArray, partitions: int) -> np.ndarray:
    """Partition index of each account id: ``crc32(utf-8 id) % partitions`` (stable across runs)."""
    if isinstance(account_ids, pa.ChunkedArray):
        account_ids = account_ids.combine_chunks()
    encoded = pc.dictionary_encode(account_ids)
    unique = encoded.dictionary.to_pylist()
    buckets = np.array([zlib.crc32(str(u).encode("utf-8")) % partitions for u in unique], dtype=np.int64)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    return buckets[indices] if len(buckets) else np.zeros(len(account_ids), dtype=np.int64)


def pivot_to_day_rows(
    accounts: list[str], account_index: np.ndarray, ts_utc_s: np.ndarray, kwh: np.ndarray, interval_s: int
) -> DayRows:
    """Long readings (on the interval grid, no duplicates) → day rows; ``accounts`` must be sorted."""
    row_account, row_day, readings = day_rows(account_index, ts_utc_s, kwh, interval_s)
    return DayRows(accounts, row_account, row_day, readings)


def day_rows_table(rows: DayRows, interval_s: int) -> pa.Table:
    """The Parquet table of a partition (dictionary-encoded account ids, one column per reading)."""
    columns: dict[str, Any] = {
        ACCOUNT_COLUMN: pa.array(np.asarray(rows.accounts, dtype=object)[rows.account_index], pa.string())
        if len(rows.accounts)
        else pa.array([], pa.string()),
        DAY_COLUMN: pa.array(np.asarray(rows.day, dtype=np.int32)),
    }
    for k, name in enumerate(reading_columns(interval_s)):
        columns[name] = pa.array(rows.readings[k])
    return pa.table(columns, schema=partition_schema(interval_s))


def write_partition(rows: DayRows, interval_s: int, path: Path) -> None:
    """Write one partition in one row group, so each column reads back as one piece (no concatenation)."""
    table = day_rows_table(rows, interval_s)
    pq.write_table(
        table,
        path,
        row_group_size=max(1, table.num_rows),
        use_dictionary=[ACCOUNT_COLUMN],
        compression={
            name: ("zstd" if name in (ACCOUNT_COLUMN, DAY_COLUMN) else "none") for name in table.column_names
        },
    )


def read_partition(path: Path, account_id: str | None = None) -> DayRows:
    """One partition's day rows (or only ``account_id``'s), the account column dictionary-decoded
    straight into indices."""
    if account_id is None:  # ParquetFile: no pyarrow.dataset machinery for a single known file
        table = pq.ParquetFile(path, read_dictionary=[ACCOUNT_COLUMN]).read()
    else:
        table = pq.read_table(
            path, filters=[(ACCOUNT_COLUMN, "=", account_id)], read_dictionary=[ACCOUNT_COLUMN]
        )
    _check_columns(table, path)
    names = [name for name in table.column_names if name not in (ACCOUNT_COLUMN, DAY_COLUMN)]
    readings = np.empty((len(names), table.num_rows), dtype=np.float32)
    for k, name in enumerate(names):
        _fill(readings[k], table.column(name).chunks)
    accounts = table.column(ACCOUNT_COLUMN).unify_dictionaries()
    if table.num_rows == 0:
        empty = np.zeros(0, np.int64)
        return DayRows([], empty, empty, readings)
    index = np.empty(table.num_rows, dtype=np.int64)
    _fill(index, [chunk.indices for chunk in accounts.chunks])
    day = np.empty(table.num_rows, dtype=np.int64)
    _fill(day, table.column(DAY_COLUMN).chunks)
    return DayRows(accounts.chunks[0].dictionary.to_pylist(), index, day, readings)


def _check_columns(table: pa.Table, path: Path) -> None:
    if ACCOUNT_COLUMN not in table.column_names or DAY_COLUMN not in table.column_names:
        raise MeterDataError(
            "dataset_format",
            f"不是本系统格式的电表数据分区（请重新导入）：{path}",
            f"Not a meter dataset partition of this version (import the data again): {path}",
        )


def _fill(target: np.ndarray, chunks: list[pa.Array]) -> None:
    """Copy null-free Arrow chunks into ``target`` one after another (no intermediate concatenation)."""
    offset = 0
    for chunk in chunks:
        values = chunk.to_numpy(zero_copy_only=False)
        target[offset : offset + len(values)] = values
        offset += len(values)


def long_readings(rows: DayRows, interval_s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Day rows back to long form: account index, UTC seconds (interval start) and kWh per reading,
    sorted by account then time; missing readings are left out."""
    per_day = rows.readings.shape[0]
    present = ~np.isnan(rows.readings.T)
    row, slot = np.nonzero(present)
    ts = rows.day[row] * SECONDS_PER_DAY - SHANGHAI_OFFSET_S + slot * interval_s
    kwh = rows.readings.T[present] if per_day else np.zeros(0, np.float32)
    return rows.account_index[row], ts.astype(np.int64), kwh


def long_table(path: Path, interval_s: int) -> pa.Table:
    """A partition as a long ``account_id, ts, kwh`` table (the import format; for tests and tools)."""
    rows = read_partition(path)
    index, ts, kwh = long_readings(rows, interval_s)
    ids = np.asarray(rows.accounts, dtype=object)[index] if len(rows.accounts) else np.zeros(0, dtype=object)
    return pa.table(
        {
            "account_id": pa.array(ids, pa.string()),
            "ts": pa.array(ts, pa.int64()).cast(pa.timestamp("s", tz="UTC")),
            "kwh": pa.array(kwh, pa.float32()),
        },
        schema=LONG_SCHEMA,
    )


def read_account(dataset: Path, account_id: str) -> tuple[np.ndarray, np.ndarray]:
    """UTC seconds and kWh of one account, reading only its partition (filtered on read)."""
    info = read_info(dataset)
    bucket = int(bucket_of(pa.array([account_id]), info.partitions)[0])
    rows = read_partition(partition_path(dataset, bucket), account_id)
    _, ts, kwh = long_readings(rows, info.interval_s)
    return ts, kwh.astype(np.float64)


def new_staging_dir(target: Path) -> Path:
    staging = target.parent / f".{target.name}.staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    return staging


def publish(staging: Path, target: Path, replace: bool) -> None:
    """Move a finished staging folder into place in one rename (the old one removed if replacing)."""
    if target.exists():
        if not replace:
            shutil.rmtree(staging, ignore_errors=True)
            raise MeterDataError(
                "dataset_exists",
                f"数据集已存在：{target}（使用 --replace 覆盖）",
                f"Dataset already exists: {target} (use --replace)",
            )
        old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(target)
