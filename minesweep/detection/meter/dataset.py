"""Normalised meter datasets (标准化电表数据集): partitioned Parquet, one account per partition.

Layout of ``<root>/<name>/``::

    _dataset.json            format, interval_s, partitions, first/last local day, counts
    part-00000.parquet ...   account_id (string), ts (timestamp[ms, UTC], interval start), kwh (float32)

Each account's readings sit in exactly one partition (``crc32(account_id) % partitions``), sorted by
account then time, without duplicates, all on the dataset's interval grid. Missing readings are
absent rows (NaN once binned), never zeros. float32 kWh keeps 7 significant digits, beyond any meter.
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

META_FILE = "_dataset.json"
FORMAT = "minesweep.meter/1"
READINGS_SCHEMA = pa.schema(
    [("account_id", pa.string()), ("ts", pa.timestamp("ms", tz="UTC")), ("kwh", pa.float32())]
)
ROW_GROUP_ROWS = 1 << 20


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
    meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
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


def write_partition(table: pa.Table, path: Path) -> None:
    """Write one partition (already sorted by account, ts) with the dataset schema."""
    pq.write_table(table.cast(READINGS_SCHEMA), path, row_group_size=ROW_GROUP_ROWS)


def read_partition(path: Path) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Account ids, per-row account index, UTC seconds and kWh of one partition.

    Only the three columns detection needs are read, with the account column dictionary-decoded
    straight into integer indices.
    """
    # ParquetFile rather than read_table: no pyarrow.dataset machinery for a single known file.
    table = pq.ParquetFile(path, read_dictionary=["account_id"]).read(columns=["account_id", "ts", "kwh"])
    accounts = table.column("account_id").unify_dictionaries()
    chunks = accounts.chunks
    if not chunks:
        return [], np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    dictionary = chunks[0].dictionary
    index = _concatenated([c.indices for c in chunks])
    ts = utc_seconds(table.column("ts"))
    kwh = _concatenated(table.column("kwh").chunks)
    return dictionary.to_pylist(), index, ts, kwh


def read_account(dataset: Path, account_id: str) -> tuple[np.ndarray, np.ndarray]:
    """UTC seconds and kWh of one account, reading only its partition (filtered on read)."""
    info = read_info(dataset)
    bucket = int(bucket_of(pa.array([account_id]), info.partitions)[0])
    table = pq.read_table(partition_path(dataset, bucket), filters=[("account_id", "=", account_id)])
    return utc_seconds(table.column("ts")), table.column("kwh").to_numpy().astype(np.float64)


def _concatenated(chunks: list[pa.Array]) -> np.ndarray:
    """One numpy array from null-free Arrow chunks (zero-copy when there is a single chunk)."""
    if not chunks:
        return np.zeros(0)
    parts = [chunk.to_numpy(zero_copy_only=True) for chunk in chunks]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def utc_seconds(column: pa.ChunkedArray) -> np.ndarray:
    """int64 UTC seconds of a timestamp column of any unit (Parquet stores seconds as milliseconds)."""
    unit = column.type.unit
    raw = _concatenated([chunk.cast(pa.int64()) for chunk in column.chunks])
    divisor = {"s": 1, "ms": 1000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
    return raw // divisor if divisor > 1 else raw


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
