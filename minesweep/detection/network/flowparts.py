"""Flow scoring at province scale (全省流量规模): Parquet row groups streamed in bounded memory, on the
meters' local or Dask runner, with exactly the host records of scoring the whole table at once.

No record is rewritten. The work is cut into tasks of consecutive row groups of one file
(:class:`FlowTask`); both engines map the same tasks (:func:`runners.local.map_local`,
:func:`runners.dask.map_dask`), and each task reads one row group at a time, only the columns it needs,
text columns as Parquet dictionaries (each distinct name or address is looked at once per row group).

* **answers** (only when a file carries DNS answers, by its Parquet statistics): the address → name map
  of the DNS answers, later answers winning as for a whole table.
* **candidates**: per row group, vectorised on dictionary indices, the hosts that *can* be reported — a
  pool name (SNI, the flow's own name, or the answers' name of its destination), a pool lookup, a listed
  endpoint — the P2P-port rows per host, and the flow-only detector's session-shaped rows
  (:mod:`shapes`). Nothing per record is kept.
* **host rows**: per row group, only the rows of the hosts that can be reported (what
  :func:`flows.score_flow_table` itself looks at), and the bytes of the candidate sessions' host and
  address pairs (the byte-share rule of :mod:`shapes`).

The host rows, in file order, are then scored by :func:`report.flow_host_records` with the answers' map:
the very rows and order the whole-table scoring selects, hence the same records. Memory between row
groups grows with the candidate hosts (their rows), the candidate sessions and the answered addresses,
not with the records; a task holds one row group.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from minesweep.detection.network import pools as pool_lists
from minesweep.detection.network import shapes
from minesweep.detection.network.flows import (
    DNS_PORT,
    MIN_P2P_PEERS,
    P2P_PORTS,
    REQUIRED_COLUMNS,
    TEXT_COLUMNS,
    FlowFileError,
    endpoint_rows,
    normalise_flows,
)
from minesweep.detection.network.report import REPORT_THRESHOLD, HostRecord, flow_host_records, gc_paused

#: rows per task (whole row groups): enough work per task to hide a scheduler round trip
TASK_ROWS = 2_000_000
ANSWER_COLUMNS = ("ts_start", "src_ip", "dst_ip", "dst_port", "dns_query", "dns_answers")
CANDIDATE_COLUMNS = (
    "ts_start",
    "ts_end",
    "src_ip",
    "dst_ip",
    "dst_port",
    "proto",
    "packets",
    "bytes",
    "sni",
    "dns_query",
)
HOST_ROW_COLUMNS = (
    "ts_start",
    "ts_end",
    "src_ip",
    "dst_ip",
    "dst_port",
    "packets",
    "bytes",
    "sni",
    "dns_query",
)
FLOAT_COLUMNS = ("ts_start", "ts_end")
#: :data:`flows.SEPARATORS` (``[\s,;]+``) for Arrow's RE2, whose ``\s`` is ASCII only: Python's is every
#: Unicode space, listed here
ANSWER_SEPARATORS = r"[\t\n\x0b\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000},;]+"
Progress = Callable[[int, int], None]
R = TypeVar("R")


@dataclass(frozen=True)
class FlowTask:
    """Consecutive row groups of one Parquet file: the unit both engines map."""

    file: str
    row_groups: tuple[int, ...]


@dataclass
class Candidates:
    """What one task found: row counts, hosts with pool evidence, P2P rows per host, session rows."""

    rows: int = 0
    kept: int = 0
    hosts: set[str] = field(default_factory=set)
    p2p_rows: dict[str, int] = field(default_factory=dict)
    sessions: list[pa.Table] = field(default_factory=list)


@dataclass
class FlowScan:
    """Host records and flow-only session findings of a Parquet file or folder."""

    records: list[HostRecord]
    unlisted: list[shapes.ShapeFinding]
    rows: int
    kept: int
    tasks: int
    candidate_hosts: int
    candidate_rows: int
    #: CPU seconds (this process) of the streamed passes, the host records and the session findings
    cpu_seconds: dict[str, float] = field(default_factory=dict)


def flow_files(path: Path) -> list[Path]:
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    if not files:
        raise FlowFileError(f"目录中没有 Parquet 文件 / no Parquet files in {path}")
    for file in files:
        names = pq.ParquetFile(file).schema_arrow.names
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise FlowFileError(
                f"流记录缺少列 {missing} / flow records are missing columns {missing}: {file}"
            )
    return files


def flow_tasks(path: Path, task_rows: int = TASK_ROWS) -> list[FlowTask]:
    """Tasks of about ``task_rows`` rows (whole row groups, never across files), in file order."""
    tasks = []
    for file in flow_files(Path(path)):
        metadata = pq.ParquetFile(file).metadata
        groups: list[int] = []
        rows = 0
        for index in range(metadata.num_row_groups):
            groups.append(index)
            rows += metadata.row_group(index).num_rows
            if rows >= task_rows:
                tasks.append(FlowTask(str(file), tuple(groups)))
                groups, rows = [], 0
        if groups:
            tasks.append(FlowTask(str(file), tuple(groups)))
    return tasks


@dataclass
class Engine:
    """Where tasks run (``local`` process pool or ``dask``) and the progress of all passes."""

    name: str = "local"
    workers: int | None = 1
    scheduler: str | None = None
    progress: Progress | None = None
    steps: int = 0
    done: int = 0

    def map(self, kernel: Callable[[list[FlowTask]], list[R]], tasks: list[FlowTask]) -> list[R]:
        """``kernel``'s results for every task, in task order."""
        if self.name == "dask":
            from minesweep.detection.meter.runners.dask import map_dask

            batches = map_dask(
                kernel, tasks, self.scheduler, self.workers, self.scheduler is not None, self.advance
            )
        else:
            from minesweep.detection.meter.runners.local import map_local

            batches = map_local(kernel, tasks, self.workers, self.advance)
        return [result for batch in batches for result in batch]

    def advance(self, tasks: int) -> None:
        self.done += tasks
        if self.progress:
            self.progress(self.done, self.steps)


def score_flow_dataset(
    path: Path | str,
    engine: str = "local",
    workers: int | None = 1,
    scheduler: str | None = None,
    threshold: float = REPORT_THRESHOLD,
    task_rows: int = TASK_ROWS,
    progress: Progress | None = None,
) -> FlowScan:
    """Host records (:func:`report.flow_host_records`) and session findings (:func:`shapes.shape_findings`)
    of a Parquet flow file or folder, streamed task by task on the ``local`` or ``dask`` engine;
    ``progress(done, total)`` counts tasks over all passes."""
    clock = time.process_time()
    tasks = flow_tasks(Path(path), task_rows)
    with_answers = [t for t in tasks if _may_carry_answers(t)]
    runner = Engine(engine, workers, scheduler, progress, steps=len(tasks) * 2 + len(with_answers))
    names: dict[str, str] = {}
    for addresses, answered in runner.map(_answers, with_answers):
        names.update(zip(addresses, answered, strict=True))
    pool_list = pool_lists.default_pool_list()
    pool_addresses = sorted(a for a, n in names.items() if pool_list.match_text(n) is not None)
    found = runner.map(functools.partial(_candidates, pool_addresses=pool_addresses), tasks)
    wanted, pairs, sessions = _reduce(found)
    parts = runner.map(functools.partial(_host_rows, wanted=wanted, pairs=pairs), tasks)
    tables = [table for table, _ in parts if table is not None]
    exchanged = np.sum([sums for _, sums in parts], axis=0) if parts else np.zeros(0)
    subset = pa.concat_tables(tables) if tables else None
    cpu = {"passes": time.process_time() - clock}
    records = (
        flow_host_records(subset, pool_list, threshold, address_names=names) if subset is not None else []
    )
    cpu["host_records"] = time.process_time() - clock - cpu["passes"]
    with gc_paused():
        unlisted = _session_findings(sessions, pairs, exchanged)
    cpu["session_findings"] = time.process_time() - clock - cpu["passes"] - cpu["host_records"]
    return FlowScan(
        records,
        unlisted,
        sum(c.rows for c in found),
        sum(c.kept for c in found),
        len(tasks),
        len(wanted),
        subset.num_rows if subset is not None else 0,
        cpu,
    )


def _may_carry_answers(task: FlowTask) -> bool:
    """Whether a task's row groups may hold DNS answers (no answers column, or statistics saying it
    is all null, rule them out)."""
    parquet = pq.ParquetFile(task.file)
    if "dns_answers" not in parquet.schema_arrow.names:
        return False
    column = parquet.schema_arrow.names.index("dns_answers")
    for group in task.row_groups:
        chunk = parquet.metadata.row_group(group).column(column)
        stats = chunk.statistics
        if stats is None or not stats.has_null_count or stats.null_count < chunk.num_values:
            return True
    return False


def _read_groups(task: FlowTask, columns: Sequence[str]) -> Iterator[tuple[int, pa.Table]]:
    """(raw row count, normalised table) of each row group of the task, read with only ``columns``
    (text columns as dictionaries; required columns not read stand in as nulls)."""
    parquet = pq.ParquetFile(task.file)
    schema = parquet.schema_arrow
    text = [
        c
        for c in TEXT_COLUMNS
        if c in schema.names
        and (pa.types.is_string(schema.field(c).type) or pa.types.is_large_string(schema.field(c).type))
    ]
    parquet = pq.ParquetFile(task.file, read_dictionary=text)
    present = [c for c in columns if c in schema.names]
    for group in task.row_groups:
        raw = parquet.read_row_group(group, columns=present, use_threads=False)
        for name in REQUIRED_COLUMNS:
            if name not in raw.column_names:
                kind = pa.float64() if name in FLOAT_COLUMNS else pa.int64()
                raw = raw.append_column(name, pa.nulls(raw.num_rows, kind))
        yield raw.num_rows, normalise_flows(raw, keep_dictionaries=True).combine_chunks()


def _answers(tasks: list[FlowTask]) -> list[tuple[list[str], list[str]]]:
    """Per task: the (address, name) pairs of its DNS answers in row order (vectorised split)."""
    results = []
    for task in tasks:
        addresses: list[str] = []
        answered: list[str] = []
        for _, table in _read_groups(task, ANSWER_COLUMNS):
            rows = table.filter(pc.and_(pc.is_valid(table["dns_query"]), pc.is_valid(table["dns_answers"])))
            if rows.num_rows == 0:
                continue
            split = pc.split_pattern_regex(pc.cast(rows["dns_answers"], pa.string()), ANSWER_SEPARATORS)
            flat = pc.list_flatten(split)
            owners = pc.list_parent_indices(split)
            keep = pc.not_equal(flat, "")
            addresses.extend(flat.filter(keep).to_pylist())
            answered.extend(pc.cast(rows["dns_query"], pa.string()).take(owners.filter(keep)).to_pylist())
        results.append((addresses, answered))
    return results


def _candidates(tasks: list[FlowTask], pool_addresses: list[str]) -> list[Candidates]:
    names = PoolNames(pool_lists.default_pool_list())
    listed = pa.array(pool_addresses, pa.string())
    results = []
    for task in tasks:
        found = Candidates()
        for rows, table in _read_groups(task, CANDIDATE_COLUMNS):
            found.rows += rows
            found.kept += table.num_rows
            if table.num_rows:
                _row_group_candidates(table, names, listed, found)
        results.append(found)
    return results


def _row_group_candidates(table: pa.Table, names: PoolNames, listed: pa.Array, found: Candidates) -> None:
    """The rows :func:`flows.score_flow_table` would select hosts by, on dictionary indices."""
    port = table["dst_port"].to_numpy()
    sni_valid, sni_match = names.matched(table["sni"])
    query_valid, query_match = names.matched(table["dns_query"])
    lookup = port == DNS_PORT
    own_query = query_valid & ~lookup
    mapped = _in_set(table["dst_ip"], listed)
    named = np.where(sni_valid, sni_match, np.where(own_query, query_match, mapped))
    evidence = named | (lookup & query_match) | endpoint_rows(table, names.pools)
    source = table["src_ip"].chunk(0)
    host_index = source.indices.to_numpy(zero_copy_only=False)
    labels = source.dictionary
    if evidence.any():
        found.hosts.update(labels.take(pa.array(np.unique(host_index[evidence]))).to_pylist())
    p2p = np.isin(port, P2P_PORTS)
    if p2p.any():
        per_host = np.bincount(host_index[p2p], minlength=len(labels))
        present = np.flatnonzero(per_host)
        for host, count in zip(
            labels.take(pa.array(present)).to_pylist(), per_host[present].tolist(), strict=True
        ):
            found.p2p_rows[host] = found.p2p_rows.get(host, 0) + count
    session = shapes.session_shape(table)
    if session.any():
        session &= shapes.global_rows(table["dst_ip"])
    if session.any():
        rows = pa.array(np.flatnonzero(session))
        found.sessions.append(
            pa.table(
                {
                    "src_ip": pc.cast(table["src_ip"].take(rows), pa.string()),
                    "dst_ip": pc.cast(table["dst_ip"].take(rows), pa.string()),
                    "dst_port": table["dst_port"].take(rows),
                    "bytes": pa.array(shapes.flow_volume(table)[session]),
                }
            )
        )


class PoolNames:
    """The names of a task's row groups already matched against the pool list, kept as Arrow arrays so
    the next row group's dictionary is sorted into matching / not by hash lookups; only names not seen
    before go through :meth:`pools.PoolList.match_text` in Python."""

    def __init__(self, pools: pool_lists.PoolList) -> None:
        self.pools = pools
        self.seen = pa.array([], pa.string())
        self.matching = pa.array([], pa.string())

    def flags(self, names: pa.Array) -> np.ndarray:
        """Per distinct name: it matches the pool list."""
        new = names.filter(pc.invert(pc.is_in(names, value_set=self.seen)))
        if len(new):
            texts = new.to_pylist()
            hits = [t for t in texts if self.pools.match_text(t) is not None]
            self.seen = pa.concat_arrays([self.seen, pa.array(texts, pa.string())])
            self.matching = pa.concat_arrays([self.matching, pa.array(hits, pa.string())])
        return pc.is_in(names, value_set=self.matching).to_numpy(zero_copy_only=False)

    def matched(self, column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
        """(valid, matches a pool name) per row of a dictionary-encoded column."""
        encoded = column.chunk(0)
        valid = encoded.is_valid().to_numpy(zero_copy_only=False)
        if not valid.any():
            return valid, valid
        flags = np.append(self.flags(pc.cast(encoded.dictionary, pa.string())), False)
        indices = pc.fill_null(encoded.indices, len(flags) - 1).to_numpy(zero_copy_only=False)
        return valid, flags[indices]


def _in_set(column: pa.ChunkedArray, values: pa.Array) -> np.ndarray:
    """Per row: the (dictionary-encoded) value is one of ``values``; looked up once per distinct value."""
    encoded = column.chunk(0)
    if len(values) == 0:
        return np.zeros(len(encoded), dtype=bool)
    flags = np.append(pc.is_in(encoded.dictionary, value_set=values).to_numpy(zero_copy_only=False), False)
    indices = pc.fill_null(encoded.indices, len(flags) - 1).to_numpy(zero_copy_only=False)
    return flags[indices]


def _reduce(found: list[Candidates]) -> tuple[list[str], pa.Table, pa.Table]:
    """Hosts to read back (as :func:`flows.score_flow_table` selects them), the candidate sessions'
    distinct (host, address) pairs, and the session rows in file order."""
    hosts: set[str] = set()
    p2p_rows: dict[str, int] = {}
    tables: list[pa.Table] = []
    for part in found:
        hosts |= part.hosts
        for host, count in part.p2p_rows.items():
            p2p_rows[host] = p2p_rows.get(host, 0) + count
        tables.extend(part.sessions)
    hosts |= {h for h, count in p2p_rows.items() if count >= MIN_P2P_PEERS}
    empty = pa.table({"src_ip": pa.array([], pa.string()), "dst_ip": pa.array([], pa.string())})
    sessions = pa.concat_tables(tables) if tables else None
    pairs = (
        sessions.select(["src_ip", "dst_ip"])
        .group_by(["src_ip", "dst_ip"])
        .aggregate([])
        .sort_by([("src_ip", "ascending"), ("dst_ip", "ascending")])
        if sessions is not None
        else empty
    )
    return sorted(hosts), pairs, sessions if sessions is not None else empty


def _host_rows(
    tasks: list[FlowTask], wanted: list[str], pairs: pa.Table
) -> list[tuple[pa.Table | None, np.ndarray]]:
    """Per task: the rows of the ``wanted`` hosts (plain strings, answers left to the shared map) and the
    bytes of each of ``pairs`` (host, address) over all its rows."""
    wanted_values = pa.array(wanted, pa.string())
    sources = _distinct(pairs["src_ip"]) if pairs.num_rows else pa.array([], pa.string())
    targets = _distinct(pairs["dst_ip"]) if pairs.num_rows else pa.array([], pa.string())
    keys = (
        _pair_keys(pairs["src_ip"], pairs["dst_ip"], sources, targets)
        if pairs.num_rows
        else np.zeros(0, np.int64)
    )
    key_values = pa.array(keys, pa.int64())
    results = []
    for task in tasks:
        tables = []
        sums = np.zeros(len(keys))
        for _, table in _read_groups(task, HOST_ROW_COLUMNS):
            if table.num_rows == 0:
                continue
            rows = _in_set(table["src_ip"], wanted_values)
            if rows.any():
                tables.append(_plain(table.filter(pa.array(rows))))
            if len(keys):
                row_keys = _pair_keys(table["src_ip"], table["dst_ip"], sources, targets)
                among = np.flatnonzero(row_keys >= 0)
                found = pc.index_in(pa.array(row_keys[among]), value_set=key_values)
                hit = found.is_valid().to_numpy(zero_copy_only=False)
                volume = shapes.flow_volume(table.select(["bytes"]).take(pa.array(among[hit])))
                position = found.drop_null().to_numpy()
                sums += np.bincount(position, weights=volume, minlength=len(keys))
        results.append((pa.concat_tables(tables) if tables else None, sums))
    return results


def _pair_keys(
    source: pa.ChunkedArray | pa.Array,
    target: pa.ChunkedArray | pa.Array,
    sources: pa.Array,
    targets: pa.Array,
) -> np.ndarray:
    """One integer per row for its (host, address) pair among ``sources × targets`` (-1: not among them)."""
    source_index = _positions(source, sources)
    target_index = _positions(target, targets)
    keys = source_index * len(targets) + target_index
    keys[(source_index < 0) | (target_index < 0)] = -1
    return keys


def _positions(column: pa.ChunkedArray | pa.Array, values: pa.Array) -> np.ndarray:
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = array if pa.types.is_dictionary(array.type) else pc.dictionary_encode(array)
    of_value = pc.fill_null(pc.index_in(encoded.dictionary, value_set=values), -1).to_numpy(
        zero_copy_only=False
    )
    of_value = np.append(of_value.astype(np.int64), -1)
    indices = pc.fill_null(encoded.indices, len(of_value) - 1).to_numpy(zero_copy_only=False)
    return of_value[indices]


def _plain(table: pa.Table) -> pa.Table:
    """Text as plain strings and no DNS answers (the shared map supplies them), as scoring takes it."""
    for index, column in enumerate(table.columns):
        if pa.types.is_dictionary(column.type):
            table = table.set_column(index, table.field(index).name, pc.cast(column, pa.string()))
    index = table.column_names.index("dns_answers")
    return table.set_column(index, "dns_answers", pa.nulls(table.num_rows, pa.string()))


def _session_findings(
    sessions: pa.Table, pairs: pa.Table, exchanged: np.ndarray
) -> list[shapes.ShapeFinding]:
    """:func:`shapes.shape_findings` from the session rows and the bytes of their pairs."""
    if sessions.num_rows == 0:
        return []
    sources = _distinct(pairs["src_ip"])
    targets = _distinct(pairs["dst_ip"])
    keys = _pair_keys(pairs["src_ip"], pairs["dst_ip"], sources, targets)
    total_of_key = dict(zip(keys.tolist(), exchanged.tolist(), strict=True))
    row_keys = _pair_keys(sessions["src_ip"], sessions["dst_ip"], sources, targets)
    volume = sessions["bytes"].to_numpy()
    totals = np.array([total_of_key[k] for k in row_keys.tolist()])
    rows = pa.array(np.flatnonzero(volume >= shapes.MIN_SESSION_SHARE * totals))
    kept = sessions.take(rows)
    endpoints = [
        f"{ip}:{port}"
        for ip, port in zip(kept["dst_ip"].to_pylist(), kept["dst_port"].to_pylist(), strict=True)
    ]
    return shapes.session_findings([str(h) for h in kept["src_ip"].to_pylist()], endpoints)


def _distinct(column: pa.ChunkedArray) -> pa.Array:
    """Distinct values of a column, in the order they first appear."""
    unique = pc.unique(column)
    return unique.combine_chunks() if isinstance(unique, pa.ChunkedArray) else unique
