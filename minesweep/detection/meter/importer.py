"""``meters import``: raw meter files → a normalised, partitioned dataset, all or nothing.

Two passes with bounded memory. Pass 1 streams the input batches, rejects rows with an unreadable
time or value, a negative value or no account, and appends the rest to one staging file per account
bucket. Pass 2 loads one bucket at a time, sorts it by account and time, rejects duplicate
timestamps, off-grid timestamps and absurd values, and writes the final partition. Everything is
written under a staging folder renamed into place at the end; if any row was rejected and no
``skip_bad`` file was given, nothing is published and a bilingual error lists the first bad rows.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from minesweep.core.exports import SafeCsvWriter
from minesweep.detection.meter import dataset as ds
from minesweep.detection.meter.errors import MeterDataError
from minesweep.detection.meter.sources import (
    RawBatch,
    column_names,
    detect_layout,
    iter_batches,
    list_input_files,
    wide_date_columns,
)
from minesweep.detection.meter.timebase import SECONDS_PER_DAY, SHANGHAI_OFFSET_S

DEFAULT_MAX_KW = 200_000.0
READINGS_PER_PARTITION = 2_000_000
MAX_PARTITIONS = 4096
REPORTED_BAD_ROWS = 20
_STAGE_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("ts", pa.int64()),
        ("value", pa.float64()),
        ("row", pa.int64()),
        ("file", pa.int32()),
    ]
)
REASONS = {
    "time": ("时间无法解析", "unparseable time"),
    "value": ("数值无法解析", "unparseable value"),
    "negative": ("负值", "negative value"),
    "account": ("缺少户号", "missing account id"),
    "duplicate": ("重复时间戳", "duplicate timestamp"),
    "absurd": ("数值超出合理范围", "absurd value"),
    "off_grid": ("时间不在采集间隔上", "timestamp not on the interval grid"),
}


ImportProgress = Callable[[float, str, str], None]
"""Called with the share done (0..1) and a message in Chinese and English."""
READING_SHARE = 0.7  # of the progress bar: pass 1 (reading and checking); pass 2 writes partitions
CSV_BYTES_PER_READING = {"long": 24, "wide": 7, "day_rows": 9}


@dataclass
class ImportReport:
    """What an import did: counts and where the rejects went."""

    dataset: Path
    readings: int = 0
    accounts: int = 0
    rejected: int = 0
    interval_s: int = 0
    partitions: int = 0
    reject_counts: Counter[str] = field(default_factory=Counter)


class _RejectLog:
    """Bad rows streamed to a CSV file: file, row, account_id, ts, value, reason."""

    def __init__(self, path: Path, files: list[Path]) -> None:
        self.path = path
        self.files = files
        self.handle = path.open("w", newline="", encoding="utf-8")
        self.writer = SafeCsvWriter(self.handle)  # people open it in a spreadsheet
        self.writer.writerow(["file", "row", "account_id", "ts", "value", "reason", "reason_zh"])
        self.count = 0
        self.counts: Counter[str] = Counter()
        self.first: list[tuple[str, int, str]] = []

    def add(
        self,
        file_index: Iterable[int],
        rows: Iterable[int],
        accounts: Iterable[object],
        ts: Iterable[object],
        values: Iterable[object],
        reason: str,
    ) -> None:
        zh, en = REASONS[reason]
        for f, row, account, stamp, value in zip(file_index, rows, accounts, ts, values, strict=True):
            name = self.files[int(f)].name
            self.writer.writerow([name, int(row), account, stamp, value, en, zh])
            self.count += 1
            self.counts[reason] += 1
            if len(self.first) < REPORTED_BAD_ROWS:
                self.first.append((name, int(row), reason))

    def close(self) -> None:
        self.handle.close()


def import_meter_files(
    source: Path,
    target: Path,
    *,
    skip_bad: Path | None = None,
    partitions: int | None = None,
    interval_s: int | None = None,
    max_kw: float = DEFAULT_MAX_KW,
    replace: bool = False,
    progress: ImportProgress | None = None,
    unmarked_times_utc: bool = False,
) -> ImportReport:
    """Import every CSV/Parquet file under ``source`` into the dataset folder ``target``.

    Times written without an offset are Beijing time, or UTC with ``unmarked_times_utc`` (an export
    known to write UTC without saying so).

    Raises :class:`MeterDataError` (nothing written) on bad rows unless ``skip_bad`` is given, in
    which case the good rows are kept and the rejects written to ``skip_bad`` as CSV. ``progress``
    hears how far the import is (readings seen against an estimate from the file sizes, then
    partitions written).
    """
    files = list_input_files(source)
    expected = [estimated_readings(path) for path in files]  # sizes the partitions and the progress bar
    partitions = partitions or _default_partitions(sum(expected))
    report_progress = _in_steps(progress) if progress else (lambda share, zh, en: None)
    staging = ds.new_staging_dir(target)
    try:
        rejects = _RejectLog(staging / "_rejects.csv", files)
        unmarked_offset_s = 0 if unmarked_times_utc else SHANGHAI_OFFSET_S
        units = _stage(files, expected, staging, partitions, rejects, report_progress, unmarked_offset_s)
        interval = interval_s or _infer_interval(staging, partitions, units)
        report = _finalise(staging, partitions, interval, max_kw, rejects, units, report_progress)
        rejects.close()
        report.dataset = target
        if rejects.count and skip_bad is None:
            raise _bad_rows_error(rejects)
        if skip_bad is not None:
            skip_bad.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(rejects.path), str(skip_bad))
        else:
            rejects.path.unlink()
        ds.publish(staging, target, replace)
        return report
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _in_steps(progress: ImportProgress, step: float = 0.01) -> ImportProgress:
    """Pass progress on only when it moved by ``step`` or a new stage began (a wide file gives a
    batch per date column; the web records every report in the database)."""
    last_share, last_stage = [-1.0], [""]

    def report(share: float, zh: str, en: str) -> None:
        stage = en.split(" ", 1)[0]
        if share - last_share[0] >= step or stage != last_stage[0]:
            last_share[0], last_stage[0] = share, stage
            progress(share, zh, en)

    return report


def _default_partitions(readings: int) -> int:
    return int(np.clip(readings // READINGS_PER_PARTITION + 1, 1, MAX_PARTITIONS))


def terminal_progress(desc: str = "meters import") -> tuple[ImportProgress, Callable[[], None]]:
    """A tqdm bar (percent) on an interactive terminal, and a function that closes it."""
    import sys

    from tqdm import tqdm

    bar = tqdm(total=100, unit="%", desc=desc, disable=not sys.stderr.isatty(), leave=False)

    def update(share: float, zh: str, en: str) -> None:
        bar.set_postfix_str(en, refresh=False)
        bar.update(max(0, round(100 * share) - bar.n))

    return update, bar.close


def estimated_readings(path: Path) -> int:
    """About how many readings a file holds: exact for Parquet, from the size for CSV."""
    layout = detect_layout(path)
    if path.suffix.lower() == ".parquet":
        rows = pq.ParquetFile(path).metadata.num_rows
        names = column_names(path)
        per_row = {"wide": len(wide_date_columns(names)), "day_rows": sum(n.startswith("r") for n in names)}
        return rows * max(1, per_row.get(layout, 1))
    return max(1, path.stat().st_size // CSV_BYTES_PER_READING[layout])


def _stage(
    files: list[Path],
    expected: list[int],
    staging: Path,
    partitions: int,
    rejects: _RejectLog,
    progress: ImportProgress,
    unmarked_offset_s: int,
) -> dict[str, int]:
    """Pass 1: validate row by row, append good rows to ``bucket-N.parquet``. Returns units seen."""
    writers: dict[int, pq.ParquetWriter] = {}
    units: dict[str, int] = {}
    total, seen = sum(expected), 0
    try:
        for file_index, path in enumerate(files):
            in_file = 0
            for batch in iter_batches(path, unmarked_offset_s=unmarked_offset_s):
                units[batch.unit] = max(units.get(batch.unit, 0), batch.interval_hint_s or 0)
                good = _reject_row_errors(batch, file_index, rejects)
                _append_to_buckets(batch, good, file_index, partitions, staging, writers)
                in_file += len(batch.row)
                done = seen + min(
                    in_file, expected[file_index]
                )  # the estimate may be short: never past this file
                progress(
                    READING_SHARE * done / total,
                    f"读取并校验：{path.name}（{seen + in_file:,} 条读数）",
                    f"Reading and checking {path.name} ({seen + in_file:,} readings)",
                )
            if in_file == 0:  # a header and nothing else must not import as "0 readings, exit 0"
                raise MeterDataError(
                    "no_readings",
                    f"文件中没有任何读数（只有表头？）：{path.name}",
                    f"The file holds no readings (only a header?): {path.name}",
                )
            seen += expected[file_index]
    finally:
        for writer in writers.values():
            writer.close()
    if len(units) > 1:
        raise MeterDataError(
            "mixed_units", "同一次导入中混用了 kwh 和 kw 列", "kwh and kw columns mixed in one import"
        )
    return units


def _reject_row_errors(batch: RawBatch, file_index: int, rejects: _RejectLog) -> np.ndarray:
    account_missing = ~np.asarray(
        pc.fill_null(pc.not_equal(batch.account_id, ""), False).to_numpy(zero_copy_only=False), dtype=bool
    )
    missing_value = np.isnan(batch.value) & ~batch.value_bad
    checks = [
        ("account", account_missing),
        ("time", ~batch.ts_ok),
        ("value", batch.value_bad),
        ("negative", batch.value < 0),
    ]
    bad_any = np.zeros(len(batch.row), dtype=bool)
    for reason, mask in checks:
        mask = mask & ~bad_any & ~(missing_value & (reason != "time"))
        if mask.any():
            where = np.nonzero(mask)[0]
            rejects.add(
                np.full(len(where), file_index),
                batch.row[where],
                batch.account_id.take(where).to_pylist(),
                batch.ts_text.take(where).to_pylist(),
                batch.value_text.take(where).to_pylist(),
                reason,
            )
        bad_any |= mask
    return ~bad_any & ~missing_value


def _append_to_buckets(
    batch: RawBatch,
    good: np.ndarray,
    file_index: int,
    partitions: int,
    staging: Path,
    writers: dict[int, pq.ParquetWriter],
) -> None:
    if not good.any():
        return
    where = np.nonzero(good)[0]
    table = pa.table(
        {
            "account_id": batch.account_id.take(where),
            "ts": batch.ts_utc_s[where],
            "value": batch.value[where],
            "row": batch.row[where],
            "file": np.full(len(where), file_index, dtype=np.int32),
        },
        schema=_STAGE_SCHEMA,
    )
    buckets = ds.bucket_of(table.column("account_id"), partitions)
    order = np.argsort(buckets, kind="stable")
    sorted_buckets = buckets[order]
    table = table.take(order)
    bounds = np.flatnonzero(np.diff(sorted_buckets)) + 1
    for start, stop in zip(np.r_[0, bounds], np.r_[bounds, len(order)], strict=True):
        bucket = int(sorted_buckets[start])
        if bucket not in writers:
            writers[bucket] = pq.ParquetWriter(staging / f"bucket-{bucket:05d}.parquet", _STAGE_SCHEMA)
        writers[bucket].write_table(table.slice(start, stop - start))


def _sorted_bucket(staging: Path, bucket: int, columns: list[str]) -> pa.Table | None:
    path = staging / f"bucket-{bucket:05d}.parquet"
    if not path.exists():
        return None
    table = pq.read_table(path, columns=columns)
    return table.sort_by(
        [("account_id", "ascending"), ("ts", "ascending"), ("file", "ascending"), ("row", "ascending")]
    )


def _infer_interval(staging: Path, partitions: int, units: dict[str, int]) -> int:
    """The most common gap between consecutive readings of the same account (seconds)."""
    hint = max(units.values(), default=0)
    if hint:
        return hint
    gaps: Counter[int] = Counter()
    for bucket in range(partitions):
        table = _sorted_bucket(staging, bucket, ["account_id", "ts", "file", "row"])
        if table is None or table.num_rows < 2:
            continue
        ts = table.column("ts").to_numpy()
        same = _same_account_as_previous(table)
        diffs = np.diff(ts)[same]
        values, counts = np.unique(diffs[diffs > 0], return_counts=True)
        gaps.update(dict(zip(values.tolist(), counts.tolist(), strict=True)))
    if not gaps:
        return SECONDS_PER_DAY
    interval = max(gaps.items(), key=lambda item: (item[1], -item[0]))[0]
    if interval < 60 or interval > SECONDS_PER_DAY:
        raise MeterDataError(
            "interval_unsupported",
            f"不支持的采集间隔：{interval} 秒（应在 15 分钟到 1 天之间）",
            f"Unsupported reading interval: {interval} s (expected 15 minutes to 1 day)",
        )
    return int(interval)


def _same_account_as_previous(table: pa.Table) -> np.ndarray:
    ids = table.column("account_id")
    return np.asarray(
        pc.equal(ids.slice(1), ids.slice(0, len(ids) - 1)).to_numpy(zero_copy_only=False), dtype=bool
    )


def _finalise(
    staging: Path,
    partitions: int,
    interval: int,
    max_kw: float,
    rejects: _RejectLog,
    units: dict[str, int],
    progress: ImportProgress,
) -> ImportReport:
    """Pass 2: per bucket sort, reject duplicates/off-grid/absurd rows, write the final partition."""
    report = ImportReport(dataset=staging, interval_s=interval, partitions=partitions)
    hours = interval / 3600.0
    first_day, last_day = None, None
    for bucket in range(partitions):
        progress(
            READING_SHARE + (1 - READING_SHARE) * bucket / partitions,
            f"写入分区 {bucket + 1}/{partitions}",
            f"Writing partition {bucket + 1}/{partitions}",
        )
        table = _sorted_bucket(staging, bucket, ["account_id", "ts", "value", "row", "file"])
        if table is None:
            ds.write_partition(
                _day_rows(pa.array([], pa.string()), np.zeros(0, np.int64), np.zeros(0), interval),
                interval,
                ds.partition_path(staging, bucket),
            )
            continue
        ts = table.column("ts").to_numpy()
        value = table.column("value").to_numpy()
        kwh = value * hours if "kw" in units else value
        duplicate = (
            np.r_[False, _same_account_as_previous(table) & (np.diff(ts) == 0)]
            if len(ts)
            else np.zeros(0, bool)
        )
        off_grid = ((ts + SHANGHAI_OFFSET_S) % interval) != 0
        absurd = kwh / hours > max_kw
        good = np.ones(len(ts), dtype=bool)
        for reason, mask in (("duplicate", duplicate), ("off_grid", off_grid), ("absurd", absurd)):
            mask = mask & good
            if mask.any():
                where = np.nonzero(mask)[0]
                rejects.add(
                    table.column("file").take(where).to_pylist(),
                    table.column("row").take(where).to_pylist(),
                    table.column("account_id").take(where).to_pylist(),
                    ts[where].tolist(),
                    value[where].tolist(),
                    reason,
                )
            good &= ~mask
        where = np.nonzero(good)[0]
        rows = _day_rows(table.column("account_id").take(where), ts[where], kwh[where], interval)
        ds.write_partition(rows, interval, ds.partition_path(staging, bucket))
        (staging / f"bucket-{bucket:05d}.parquet").unlink()
        report.readings += len(where)
        report.accounts += len(rows.accounts)
        if len(rows.day):
            first_day = int(rows.day.min()) if first_day is None else min(first_day, int(rows.day.min()))
            last_day = int(rows.day.max()) if last_day is None else max(last_day, int(rows.day.max()))
    report.rejected, report.reject_counts = rejects.count, rejects.counts
    ds.write_info(
        staging,
        {
            "interval_s": interval,
            "partitions": partitions,
            "first_day": first_day or 0,
            "last_day": last_day if last_day is not None else -1,
            "accounts": report.accounts,
            "readings": report.readings,
            "partitioning": "crc32",
        },
    )
    return report


def _day_rows(
    account_ids: pa.Array | pa.ChunkedArray, ts: np.ndarray, kwh: np.ndarray, interval: int
) -> ds.DayRows:
    """Sorted long readings of one bucket → the dataset's day rows."""
    encoded = pc.dictionary_encode(account_ids)  # sorted input: first appearance is sorted order
    if isinstance(encoded, pa.ChunkedArray):
        encoded = (
            encoded.combine_chunks()
            if encoded.num_chunks
            else pa.array([], pa.dictionary(pa.int32(), pa.string()))
        )
    index = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return ds.pivot_to_day_rows(encoded.dictionary.to_pylist(), index, ts, kwh.astype(np.float32), interval)


def _bad_rows_error(rejects: _RejectLog) -> MeterDataError:
    listing_zh = "；".join(f"{f} 第 {row} 条：{REASONS[r][0]}" for f, row, r in rejects.first)
    listing_en = "; ".join(f"{f} row {row}: {REASONS[r][1]}" for f, row, r in rejects.first)
    return MeterDataError(
        "bad_rows",
        f"导入失败，共 {rejects.count} 条错误记录，未写入任何数据（可用 --skip-bad 文件 保留正确记录）：{listing_zh}",
        f"Import failed: {rejects.count} bad rows, nothing written (use --skip-bad FILE to keep the good rows): "
        f"{listing_en}",
        bad_rows=[{"file": f, "row": row, "reason": r} for f, row, r in rejects.first],
        counts=dict(rejects.counts),
    )
