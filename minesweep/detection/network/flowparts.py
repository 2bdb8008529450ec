"""Flow scoring at province scale (全省流量规模): Parquet row groups streamed in bounded memory, on the
meters' local or Dask runner, with exactly the host records of scoring the whole table at once.

No record is rewritten. The work is cut into tasks of consecutive row groups, going on from one file
into the next (:class:`FlowTask`); both engines map the same tasks (:func:`runners.local.map_local`,
:func:`runners.dask.map_dask`), and each task reads one row group at a time, only the columns it needs,
text columns as Parquet dictionaries (each distinct name or address is looked at once per row group);
in the collector's files the source addresses as IPv4 numbers (:mod:`addresses`), where a row group
has one for every row.

* **answers** (only when a file carries DNS answers, by its Parquet statistics): the address → name map
  of the DNS answers, later answers winning as for a whole table.
* **candidates**: per row group, vectorised on dictionary indices, the hosts that *can* be reported — a
  pool name (SNI, the flow's own name, or the answers' name of its destination), a pool lookup, a listed
  endpoint — with what those few rows say (:class:`NamedFlows`: counts, pool names, endpoints), the
  P2P-port rows per host, and the flow-only detector's session-shaped rows (:mod:`shapes`).
* **host aggregates**: per row group, the rows of the hosts that can be reported (what
  :func:`flows.score_flow_table` itself looks at) summed into per-host arrays (:class:`HostParts`:
  flows, first and last seen, shape counts, P2P peers, the start times of each host × address × port
  series for the periodic evidence), and the bytes of the candidate sessions' host and address pairs
  (the byte-share rule of :mod:`shapes`).

Aggregates merge over row groups and tasks by addition, minimum, maximum and union, and give the
:class:`flows.HostFlowEvidence` the whole-table scoring gives, hence the same records
(:func:`report.flow_evidence_records`). Between row groups a task keeps per-host state (P2P row counts,
named rows, the aggregates), the session-shaped rows and, because evenly spaced starts are only seen in a
whole series, 24 bytes per flow of a candidate host; a task holds one row group of records.
"""

from __future__ import annotations

import functools
import gc
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from minesweep.detection.network import pools as pool_lists
from minesweep.detection.network import shapes
from minesweep.detection.network.addresses import (
    ADDRESS_BYTES,
    SOURCE_IPV6,
    SOURCE_NUMBERS,
    address_texts,
    address_words,
    ipv4_numbers,
    ipv6_bytes,
    is_number_type,
    one_number_a_row,
    pair_parts,
    source_pairs,
    validity,
)
from minesweep.detection.network.flows import (
    DNS_PORT,
    MIN_P2P_PEERS,
    P2P_PORTS,
    PERIODIC_EXEMPT_PORTS,
    PERIODIC_MIN_FLOWS,
    REQUIRED_COLUMNS,
    TEXT_COLUMNS,
    FlowFileError,
    HostFlowEvidence,
    endpoint_rows,
    evenly_spaced,
    normalise_flows,
    rows_in,
    shape_features,
)
from minesweep.detection.network.pools import PoolMatch
from minesweep.detection.network.report import REPORT_THRESHOLD, HostRecord, flow_evidence_records, gc_paused

#: Sources are read as numbers (``src_ipv4``) where the text's dictionary page takes at least this many
#: bytes a row (:func:`_text_sources_costly`), a bound between the bench's few-source and many-source
#: row groups (bench/README.md, eighth round).
NUMBERS_FROM_DICTIONARY_BYTES = 0.5
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
AGGREGATE_COLUMNS = ("ts_start", "ts_end", "src_ip", "dst_ip", "dst_port", "packets", "bytes")
#: what :meth:`HostParts.add` reads of a candidate host's rows (the addresses come as numbers)
HOST_PART_COLUMNS = ("ts_start", "ts_end", "dst_port", "packets", "bytes")
FLOAT_COLUMNS = ("ts_start", "ts_end")
#: :data:`flows.SEPARATORS` (``[\s,;]+``) for Arrow's RE2, whose ``\s`` is ASCII only: Python's is every
#: Unicode space, listed here
ANSWER_SEPARATORS = r"[\t\n\x0b\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000},;]+"
Progress = Callable[[int, int], None]
R = TypeVar("R")
P = ParamSpec("P")


@dataclass(frozen=True)
class FlowTask:
    """Consecutive row groups, of one file or of several files in order: the unit both engines map.
    ``parts``: (file, its row groups) in reading order."""

    parts: tuple[tuple[str, tuple[int, ...]], ...]

    @property
    def row_groups(self) -> tuple[int, ...]:
        """The row groups of every part, in order (each file's own numbering)."""
        return tuple(group for _, groups in self.parts for group in groups)


@dataclass
class NamedFlows:
    """A host's rows that name a pool, look one up or reach a listed endpoint: their counts and the
    pool-list names (``PoolMatch.name``) and ``address:port`` endpoints they gave; merges by addition."""

    pool_connections: int = 0
    pool_lookups: int = 0
    endpoint_connections: int = 0
    pool_names: set[str] = field(default_factory=set)
    lookup_names: set[str] = field(default_factory=set)
    endpoints: dict[str, set[str]] = field(default_factory=dict)

    def merge(self, other: NamedFlows) -> None:
        self.pool_connections += other.pool_connections
        self.pool_lookups += other.pool_lookups
        self.endpoint_connections += other.endpoint_connections
        self.pool_names |= other.pool_names
        self.lookup_names |= other.lookup_names
        for endpoint, names in other.endpoints.items():
            self.endpoints.setdefault(endpoint, set()).update(names)


@dataclass
class Candidates:
    """What one task found: row counts, the named rows per host, P2P rows per host, session rows."""

    rows: int = 0
    kept: int = 0
    named: dict[str, NamedFlows] = field(default_factory=dict)
    #: P2P-port rows per host (tables of ``host``, ``rows``; a host may come in several)
    p2p_rows: list[pa.Table] = field(default_factory=list)
    sessions: list[pa.Table] = field(default_factory=list)


@dataclass
class HostParts:
    """Aggregates of the candidate hosts' rows (position ``i`` is the ``i``-th candidate host) that merge
    over row groups and tasks: flow counts, first and last times, shape counts, the (host, address) P2P
    pairs, the bytes of the candidate sessions' pairs, and the start times of each (host, address, port)
    series — the periodic evidence needs a series whole (gaps between sorted starts), so these are 24
    bytes per flow of a candidate host (exempt ports left out). Addresses are numbered per task
    (``destinations``) and renumbered when parts merge."""

    flows: np.ndarray
    first: np.ndarray
    last: np.ndarray
    long_low: np.ndarray
    mining_port: np.ndarray
    exchanged: np.ndarray
    #: the addresses in the order of their numbers
    destinations: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))
    #: (host << 32 | address) of P2P-port rows
    peers: list[np.ndarray] = field(default_factory=list)
    #: (host << 32 | address), port and start time of the rows whose series may be periodic
    series: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)

    @classmethod
    def empty(cls, hosts: int, pairs: int, addresses: pa.Array | None = None) -> HostParts:
        """No rows yet; ``addresses`` numbered first (``0 … len(addresses) - 1``, in their order)."""
        counts = [np.zeros(hosts, np.int64) for _ in range(3)]
        first, last = np.full(hosts, np.inf), np.full(hosts, -np.inf)
        parts = cls(counts[0], first, last, counts[1], counts[2], np.zeros(pairs))
        if addresses is not None:
            parts.destinations = addresses
        return parts

    def number(self, addresses: pa.Array) -> np.ndarray:
        """The number of each of the distinct ``addresses`` (new ones numbered on)."""
        found = pc.index_in(addresses, value_set=self.destinations)
        numbers = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        new = numbers < 0
        if new.any():
            numbers[new] = np.arange(len(self.destinations), len(self.destinations) + int(new.sum()))
            self.destinations = pa.concat_arrays([self.destinations, addresses.filter(pa.array(new))])
        return numbers

    def add(self, host: np.ndarray, rows: pa.Table, destination: np.ndarray) -> None:
        """Rows of candidate hosts of one row group (``host``: their positions, ``destination``: the
        numbers of their addresses)."""
        hosts = len(self.flows)
        start = rows["ts_start"].to_numpy()
        self.flows += np.bincount(host, minlength=hosts)
        np.minimum.at(self.first, host, start)
        np.maximum.at(self.last, host, np.fmax(rows["ts_end"].to_numpy(), start))
        shape = shape_features(rows)
        self.long_low += np.bincount(host[shape["long_low"]], minlength=hosts)
        self.mining_port += np.bincount(host[shape["mining_port"]], minlength=hosts)
        port = rows["dst_port"].to_numpy()
        pair = host.astype(np.int64) << 32 | destination
        p2p = np.isin(port, P2P_PORTS)
        if p2p.any():
            self.peers.append(np.unique(pair[p2p]))
        timed = ~np.isin(port, PERIODIC_EXEMPT_PORTS)
        self.series.append((pair[timed], port[timed], start[timed]))

    def packed(self) -> HostParts:
        """One array per list (cheaper to send back from a worker)."""
        self.peers = [np.unique(np.concatenate(self.peers))] if self.peers else []
        if self.series:
            pairs, ports, starts = (np.concatenate(arrays) for arrays in zip(*self.series, strict=True))
            self.series = [(pairs, ports, starts)]
        return self

    def merge(self, other: HostParts) -> None:
        self.flows += other.flows
        np.minimum(self.first, other.first, out=self.first)
        np.maximum(self.last, other.last, out=self.last)
        self.long_low += other.long_low
        self.mining_port += other.mining_port
        self.exchanged += other.exchanged
        numbers = self.number(other.destinations)
        self.peers.extend(_renumbered(pairs, numbers) for pairs in other.peers)
        self.series.extend(
            (_renumbered(pairs, numbers), ports, starts) for pairs, ports, starts in other.series
        )

    def periodic_pairs(self) -> np.ndarray:
        """Per host: its (address, port) series whose starts are evenly spaced (:func:`flows.evenly_spaced`)."""
        result = np.zeros(len(self.flows), np.int64)
        if not self.series:
            return result
        pairs, ports, starts = (np.concatenate(arrays) for arrays in zip(*self.series, strict=True))
        series = series_keys(pairs, ports)
        by_series = np.sort(series)
        bounds = np.flatnonzero(np.r_[True, by_series[1:] != by_series[:-1], True])
        lengths = np.diff(bounds)
        long_series = by_series[bounds[:-1][lengths >= PERIODIC_MIN_FLOWS]]  # shorter cannot be periodic
        rows = np.flatnonzero(np.isin(series, long_series, kind="sort" if long_series.size else None))
        if rows.size == 0:
            return result
        order = rows[np.lexsort((starts[rows], series[rows]))]
        fresh = np.r_[True, series[order][1:] != series[order][:-1]]
        group = np.cumsum(fresh) - 1
        regular = evenly_spaced(group, starts[order], int(group[-1]) + 1)
        return np.bincount(pairs[order][fresh][regular] >> 32, minlength=len(self.flows))

    def p2p_peers(self) -> np.ndarray:
        result = np.zeros(len(self.flows), np.int64)
        if not self.peers:
            return result
        return np.bincount(np.unique(np.concatenate(self.peers)) >> 32, minlength=len(self.flows))


def series_keys(pairs: np.ndarray, ports: np.ndarray) -> np.ndarray:
    """One integer per row naming its (pair, port) series: ``pair × ports + port number`` when that fits
    in 63 bits (pairs are ``host << 32 | address``), else the pairs numbered first."""
    if ports.size and ports.min() >= 0 and ports.max() < 1 << 16:  # numbered by a table, not a sort
        present = np.bincount(ports, minlength=1) > 0
        width = int(present.sum())
        port = (np.cumsum(present) - 1)[ports]
    else:
        port_values, port = np.unique(ports, return_inverse=True)
        width = max(len(port_values), 1)
    if pairs.size and int(pairs.max()) >= (1 << 62) // width:
        pairs = np.unique(pairs, return_inverse=True)[1].astype(np.int64)
    return pairs * width + port


def _renumbered(pairs: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """(host << 32 | a task's address number) pairs with the address renumbered by ``numbers``."""
    return (pairs >> 32) << 32 | numbers[pairs & 0xFFFFFFFF]


@dataclass
class FlowScan:
    """Host records and flow-only session findings of a Parquet file or folder."""

    records: list[HostRecord]
    unlisted: list[shapes.ShapeFinding]
    rows: int
    kept: int
    tasks: int
    candidate_hosts: int
    #: rows of the candidate hosts, summed into their aggregates (none is kept)
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
    """Tasks of about ``task_rows`` rows (whole row groups), in file order; a task goes on into the
    next file, so a folder of the collector's small files makes as few tasks as one large file."""
    tasks = []
    parts: list[tuple[str, tuple[int, ...]]] = []
    groups: list[int] = []
    rows = 0
    for file in flow_files(Path(path)):
        metadata = pq.ParquetFile(file).metadata
        for index in range(metadata.num_row_groups):
            groups.append(index)
            rows += metadata.row_group(index).num_rows
            if rows >= task_rows:
                tasks.append(FlowTask((*parts, (str(file), tuple(groups)))))
                parts, groups, rows = [], [], 0
        if groups:
            parts.append((str(file), tuple(groups)))
            groups = []
    if parts:
        tasks.append(FlowTask(tuple(parts)))
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
    ``progress(done, total)`` counts tasks over all passes. Python's cycle collector is paused
    throughout (:func:`_kernel`) and back on only once the passes' objects are freed, so its first
    pass visits the scan alone (not every candidate's named rows too: 0.3 s on the dense bench file).
    That pass is run here, as the caller's next allocation would start it anyway."""
    with gc_paused():
        scan = _scan(Path(path), Engine(engine, workers, scheduler, progress), threshold, task_rows)
    gc.collect(0)
    return scan


def _scan(path: Path, runner: Engine, threshold: float, task_rows: int) -> FlowScan:
    """:func:`score_flow_dataset` on ``runner``."""
    clock = time.process_time()
    tasks = flow_tasks(path, task_rows)
    with_answers = [t for t in tasks if _may_carry_answers(t)]
    runner.steps = len(tasks) * 2 + len(with_answers)
    names: dict[str, str] = {}
    for addresses, answered in runner.map(_answers, with_answers):
        names.update(zip(addresses, answered, strict=True))
    pool_list = pool_lists.default_pool_list()
    pool_names = {a: n for a, n in names.items() if pool_list.match_text(n) is not None}
    known_names = PoolNames(pool_list)
    found = runner.map(functools.partial(_candidates, names=known_names, pool_names=pool_names), tasks)
    wanted, named, sessions, pairs, pair_of_row = _reduce(found)
    merged = HostParts.empty(len(wanted), len(pairs.keys))
    for part in runner.map(functools.partial(_host_parts, lookups=HostLookups.of(wanted, pairs)), tasks):
        merged.merge(part)
    cpu = {"passes": time.process_time() - clock}
    evidence = _host_evidence(wanted, named, merged, pool_list)
    records = flow_evidence_records(evidence, pool_list, threshold)
    cpu["host_records"] = time.process_time() - clock - cpu["passes"]
    unlisted = _session_findings(sessions, pairs, pair_of_row, merged.exchanged)
    cpu["session_findings"] = time.process_time() - clock - cpu["passes"] - cpu["host_records"]
    return FlowScan(
        records,
        unlisted,
        sum(c.rows for c in found),
        sum(c.kept for c in found),
        len(tasks),
        len(wanted),
        int(merged.flows.sum()),
        cpu,
    )


def _host_evidence(
    wanted: list[str], named: dict[str, NamedFlows], parts: HostParts, pools: pool_lists.PoolList
) -> list[HostFlowEvidence]:
    """:class:`flows.HostFlowEvidence` of each candidate host from the merged aggregates, as
    :func:`flows.score_flow_table` would give it from all the host's rows."""
    columns = zip(
        wanted,
        parts.first.tolist(),
        parts.last.tolist(),
        parts.flows.tolist(),
        parts.long_low.tolist(),
        parts.periodic_pairs().tolist(),
        parts.p2p_peers().tolist(),
        parts.mining_port.tolist(),
        strict=True,
    )
    nothing = NamedFlows()
    result = []
    for host, first, last, flows, long_low, periodic, peers, mining_port in columns:
        said = named.get(host, nothing)
        result.append(
            HostFlowEvidence(
                host=host,
                first_seen=first,
                last_seen=last,
                flows=flows,
                pool_connections=said.pool_connections,
                pool_lookups=said.pool_lookups,
                endpoint_connections=said.endpoint_connections,
                long_lived_low_volume=long_low,
                periodic_pairs=periodic,
                p2p_peers=peers,
                mining_port_flows=mining_port,
                pool_matches={name: _matched(pools, name) for name in said.pool_names},
                lookup_matches={name: _matched(pools, name) for name in said.lookup_names},
                pool_endpoints={endpoint: set(names) for endpoint, names in said.endpoints.items()},
            )
        )
    return result


def _matched(pools: pool_lists.PoolList, name: str) -> PoolMatch:
    """The match of a pool-list name that matched before (``PoolMatch.name`` is the normalised name)."""
    match = pools.match_name(name)
    assert match is not None
    return match


def _may_carry_answers(task: FlowTask) -> bool:
    """Whether a task's row groups may hold DNS answers (no answers column, or statistics saying it
    is all null, rule them out)."""
    return any(_part_may_carry_answers(file, groups) for file, groups in task.parts)


def _part_may_carry_answers(file: str, groups: tuple[int, ...]) -> bool:
    parquet = pq.ParquetFile(file)
    if "dns_answers" not in parquet.schema_arrow.names:
        return False
    column = parquet.schema_arrow.names.index("dns_answers")
    for group in groups:
        chunk = parquet.metadata.row_group(group).column(column)
        stats = chunk.statistics
        if stats is None or not stats.has_null_count or stats.null_count < chunk.num_values:
            return True
    return False


def _read_groups(task: FlowTask, columns: Sequence[str]) -> Iterator[tuple[int, pa.Table]]:
    """(raw row count, normalised table) of each row group of the task, in order, read with only
    ``columns`` (text columns as dictionaries; required columns not read stand in as nulls). Where the
    collector stored every source of a row group as a number (:func:`_numbered_sources`) and its text
    would cost more (:func:`_text_sources_costly`), the numbers are read instead, as a dictionary whose
    entries are the rows themselves (:func:`_row_dictionary`: no hashing; the passes look the numbers up
    by :class:`NumberIndex` and :class:`WideIndex` or take those of few rows): IPv4 numbers where every
    source is IPv4, else IPv4 numbers and IPv6 bytes side by side (:func:`addresses.source_pairs`). The
    dictionary is made again for the rows left when normalising dropped some, so a source dictionary of
    numbers always has one entry a row, in row order (:func:`_per_row` relies on it). Small row groups
    are not joined into larger tables: joining unifies their dictionaries (hashes every entry
    again), which cost more than the per-group work it saved (bench/README.md, seventh round)."""
    for file, groups in task.parts:
        parquet = pq.ParquetFile(file)
        schema = parquet.schema_arrow
        text = [
            c
            for c in TEXT_COLUMNS
            if c in schema.names
            and (pa.types.is_string(schema.field(c).type) or pa.types.is_large_string(schema.field(c).type))
        ]
        parquet = pq.ParquetFile(file, read_dictionary=text)
        present = [c for c in columns if c in schema.names]
        numbered = "src_ip" in present and _numbers_column(schema)
        for group in groups:
            sources = _numbered_sources(parquet, group) if numbered else ()
            raw = _read_by_number(parquet, group, present, sources) if sources else None
            if raw is None:
                raw = parquet.read_row_group(group, columns=present, use_threads=False)
            for name in REQUIRED_COLUMNS:
                if name not in raw.column_names:
                    kind = pa.float64() if name in FLOAT_COLUMNS else pa.int64()
                    raw = raw.append_column(name, pa.nulls(raw.num_rows, kind))
            table = normalise_flows(raw, keep_dictionaries=True).combine_chunks()
            yield raw.num_rows, _one_entry_a_row(table) if 0 < table.num_rows < raw.num_rows else table


def _read_by_number(
    parquet: pq.ParquetFile, group: int, present: list[str], sources: tuple[str, ...]
) -> pa.Table | None:
    """The group's ``present`` columns with its sources read from the number columns ``sources`` as a
    row dictionary, or None where the text is cheaper (:func:`_text_sources_costly`) or a row turned
    out to have no number (a file whose columns say otherwise than the collector writes them)."""
    if not _text_sources_costly(parquet, group):
        return None
    others = [c for c in present if c != "src_ip"]
    raw = parquet.read_row_group(group, columns=[*others, *sources], use_threads=False)
    numbers = _one_array(raw[SOURCE_NUMBERS])
    if len(sources) > 1:
        ipv6 = _one_array(raw[SOURCE_IPV6])
        if not one_number_a_row(numbers, ipv6):
            return None
        numbers = source_pairs(numbers, ipv6)
    return raw.select(others).append_column("src_ip", _row_dictionary(numbers))


def _one_entry_a_row(table: pa.Table) -> pa.Table:
    """``table`` with a source dictionary of numbers (:func:`_row_dictionary`) made again for its rows,
    after rows were dropped (the dictionary still has an entry for every row read)."""
    source = table["src_ip"].chunk(0)
    if not is_number_type(source.dictionary.type):
        return table
    numbers = source.dictionary.take(source.indices)
    return table.set_column(table.schema.get_field_index("src_ip"), "src_ip", _row_dictionary(numbers))


def _numbers_column(schema: pa.Schema) -> bool:
    """The file has the collector's source numbers (:data:`addresses.SOURCE_NUMBERS`, uint32)."""
    return SOURCE_NUMBERS in schema.names and pa.types.is_uint32(schema.field(SOURCE_NUMBERS).type)


def _ipv6_column(schema: pa.Schema) -> bool:
    """The file has the collector's IPv6 sources as 16 bytes (:data:`addresses.SOURCE_IPV6`)."""
    return SOURCE_IPV6 in schema.names and schema.field(SOURCE_IPV6).type == ADDRESS_BYTES


def _numbered_sources(parquet: pq.ParquetFile, group: int) -> tuple[str, ...]:
    """The number columns that give every source address of the row group, by their statistics:
    ``src_ipv4`` alone where it has no null, with ``src_ipv6`` where the two together leave no row
    without a number (the collector gives a row one or neither), else none — a group with a
    non-canonical source, or without statistics, is read as text."""
    metadata = parquet.metadata.row_group(group)
    v4_nulls = _null_count(parquet, metadata, SOURCE_NUMBERS)
    if v4_nulls == 0:
        return (SOURCE_NUMBERS,)
    if v4_nulls is None or not _ipv6_column(parquet.schema_arrow):
        return ()
    v6_nulls = _null_count(parquet, metadata, SOURCE_IPV6)
    if v6_nulls is None or v4_nulls + v6_nulls != metadata.num_rows:
        return ()
    return (SOURCE_NUMBERS, SOURCE_IPV6)


def _null_count(parquet: pq.ParquetFile, metadata: pq.RowGroupMetaData, column: str) -> int | None:
    """A column chunk's null count by its statistics (None without them)."""
    stats = metadata.column(parquet.schema_arrow.names.index(column)).statistics
    return int(stats.null_count) if stats is not None and stats.has_null_count else None


def _text_sources_costly(parquet: pq.ParquetFile, group: int) -> bool:
    """Whether reading the group's ``src_ip`` text costs more than its numbers: a text dictionary costs a
    hash of every distinct address, the numbers a look-up of every row in the aggregates pass
    (:class:`NumberIndex`) and gathers of a row's value where a dictionary entry's would do, so text
    wins while sources are few and loses when they are many (bench/README.md, eighth round). The distinct
    sources are judged by the size of the chunk's dictionary page (a few bytes an address once
    compressed); a chunk without one (plain text) is always costly."""
    chunk = parquet.metadata.row_group(group).column(parquet.schema_arrow.names.index("src_ip"))
    size = dictionary_page_bytes(chunk)
    return size is None or size >= NUMBERS_FROM_DICTIONARY_BYTES * max(chunk.num_values, 1)


def dictionary_page_bytes(chunk: pq.ColumnChunkMetaData) -> int | None:
    """Stored size of a column chunk's dictionary page (with its header), None without one."""
    if not chunk.has_dictionary_page or chunk.dictionary_page_offset is None:
        return None
    return int(chunk.data_page_offset - chunk.dictionary_page_offset)


def _row_dictionary(numbers: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    """The source numbers as a dictionary whose entries are the rows themselves (indices 0, 1, …). The
    indices are in range by construction, so Arrow does not check each (``safe=False``: 0.5 ms a
    million rows)."""
    values = _one_array(numbers)
    return pa.DictionaryArray.from_arrays(_row_indices(len(values)), values, safe=False)


def _one_array(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``column`` as one array: its only chunk as it is (``combine_chunks`` copies even one chunk: 0.7 ms
    for a million IPv6 sources), several chunks joined."""
    if not isinstance(column, pa.ChunkedArray):
        return column
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


@functools.lru_cache(maxsize=4)
def _row_indices(rows: int) -> pa.Array:
    """``0 … rows - 1`` as an int32 Arrow array, made once per row count (Arrow arrays are immutable;
    the collector's row groups are all of one size)."""
    return pa.array(np.arange(rows, dtype=np.int32))


def _address_texts(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The addresses of a column (text, or numbers as :func:`_read_groups` gives the sources) as
    plain text (:func:`addresses.address_texts`) — for the few rows a pass keeps."""
    return address_texts(_one_array(column))


def _kernel(function: Callable[P, R]) -> Callable[P, R]:
    """A pass kernel run with Python's cycle collector paused (:func:`report.gc_paused`): the passes
    make many small acyclic objects (names, counts, small tables), which set off collections whose full
    passes visit every live object (70 ms of the realistic 10 M bench file); reference counting still
    frees them. Module-level and wrapped, so it pickles for process pools and Dask as before."""

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with gc_paused():
            return function(*args, **kwargs)

    return paused


@_kernel
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


@_kernel
def _candidates(tasks: list[FlowTask], names: PoolNames, pool_names: dict[str, str]) -> list[Candidates]:
    """Per task: its :class:`Candidates`. ``names`` is shared by the tasks a process runs (the same
    object for every call of the local engine and for the threads of Dask's in-process workers, a
    copy per batch elsewhere), so a name is matched against the pool list once per process, not once
    per task; :class:`PoolNames` is safe to share between threads."""
    listed = pa.array(sorted(pool_names), pa.string())
    results = []
    for task in tasks:
        found = Candidates()
        for rows, table in _read_groups(task, CANDIDATE_COLUMNS):
            found.rows += rows
            found.kept += table.num_rows
            if table.num_rows:
                _row_group_candidates(table, names, (listed, pool_names), found)
        results.append(found)
    return results


def _row_group_candidates(
    table: pa.Table, names: PoolNames, listed: tuple[pa.Array, dict[str, str]], found: Candidates
) -> None:
    """The rows :func:`flows.score_flow_table` would select hosts by, on dictionary indices; what the
    rows naming a pool or a listed endpoint say is added to their host's :class:`NamedFlows`."""
    port = table["dst_port"].to_numpy()
    named, looked_up = _pool_named_rows(table, port, names, listed[0])
    endpoint = endpoint_rows(table, names.pools)
    evidence = named | looked_up | endpoint
    source = table["src_ip"].chunk(0)
    host_index = source.indices.to_numpy(zero_copy_only=False)
    labels = source.dictionary
    if evidence.any():
        _add_named_rows(
            table, np.flatnonzero(evidence), (named, looked_up, endpoint), names.pools, listed[1], found
        )
    p2p = np.isin(port, P2P_PORTS)
    if p2p.any():
        per_host = np.bincount(host_index[p2p], minlength=len(labels))
        present = np.flatnonzero(per_host)
        host = _address_texts(labels.take(pa.array(present)))
        found.p2p_rows.append(pa.table({"host": host, "rows": per_host[present]}))
    session = shapes.session_shape(table)
    if session.any():
        session[session] = _public_destinations(table["dst_ip"].chunk(0), np.flatnonzero(session))
    if session.any():
        rows = pa.array(np.flatnonzero(session))
        found.sessions.append(
            pa.table(
                {
                    "src_ip": _address_texts(table["src_ip"].take(rows)),
                    "dst_ip": pc.cast(table["dst_ip"].take(rows), pa.string()),
                    "dst_port": table["dst_port"].take(rows),
                    "bytes": pa.array(shapes.flow_volume(table.select(["bytes"]).take(rows))),
                }
            )
        )


def _pool_named_rows(
    table: pa.Table, port: np.ndarray, names: PoolNames, listed: pa.Array
) -> tuple[np.ndarray, np.ndarray]:
    """(rows that name a pool, rows that look one up): a connection's name is its SNI, else its own name
    (not a lookup: port 53), else the DNS answers' name of its destination (``listed``: the answered
    addresses whose name is a pool's). In place on boolean arrays, no ``np.where``: a match is false
    on a null row, so "SNI, else …" is ``sni_match | (no SNI & …)``, and with no answered pool
    address the destination is not looked up at all."""
    sni_valid, sni_match = names.matched(table["sni"])
    query_valid, query_match = names.matched(table["dns_query"])
    lookup = port == DNS_PORT
    looked_up = lookup & query_match
    named = query_match & ~lookup
    if len(listed):
        named |= ~(query_valid & ~lookup) & rows_in(table["dst_ip"], listed)
    named &= ~sni_valid
    named |= sni_match
    return named, looked_up


def _public_destinations(destination: pa.DictionaryArray, rows: np.ndarray) -> np.ndarray:
    """Per row of ``rows``: its address is global (:func:`shapes.global_addresses`), checked once per
    dictionary entry those rows use (not for the whole dictionary: session-shaped rows are few)."""
    used, entry = np.unique(_codes(destination)[rows], return_inverse=True)
    texts = pc.cast(destination.dictionary.take(pa.array(used)), pa.string())
    return shapes.global_addresses(texts)[entry.ravel()]


def _add_named_rows(
    table: pa.Table,
    rows: np.ndarray,
    flags: tuple[np.ndarray, np.ndarray, np.ndarray],
    pools: pool_lists.PoolList,
    pool_names: dict[str, str],
    found: Candidates,
) -> None:
    """Counts and names of the (few) rows that name a pool, look one up or reach a listed endpoint, as
    :func:`flows.score_flow_table` fills them: a connection's name is its SNI, else its own name (not a
    lookup), else the DNS answers' name of its destination. Python per row, so the flags come as lists
    and a host's :class:`NamedFlows` is made only the first time (``setdefault`` built one per row)."""
    named, looked_up, endpoint = (flag[rows].tolist() for flag in flags)
    taken = pa.array(rows)

    def texts(column: str) -> list[Any]:
        return _address_texts(table[column].take(taken)).to_pylist()

    columns = zip(
        texts("src_ip"),
        texts("dst_ip"),
        table["dst_port"].take(taken).to_pylist(),
        texts("sni"),
        texts("dns_query"),
        strict=True,
    )
    for is_named, is_lookup, is_endpoint, (host, address, port, sni, query) in zip(
        named, looked_up, endpoint, columns, strict=True
    ):
        parts = found.named.get(host)
        if parts is None:
            parts = found.named[host] = NamedFlows()
        target = f"{address}:{port}"
        if is_named:
            own = query if port != DNS_PORT else None
            match = pools.match_text(
                sni if sni is not None else own if own is not None else pool_names[address]
            )
            assert match is not None  # matched on the dictionary: this is the same name
            parts.pool_connections += 1
            parts.pool_names.add(match.name)
            parts.endpoints.setdefault(target, set()).add(match.name)
        if is_lookup:
            match = pools.match_text(query or "")
            assert match is not None
            parts.pool_lookups += 1
            parts.lookup_names.add(match.name)
        if is_endpoint:
            parts.endpoint_connections += 1
            parts.endpoints.setdefault(target, set())


class PoolNames:
    """The names already matched against the pool list (by all the tasks a process runs), kept as an
    Arrow array with a flag per name, so the next row group's dictionary is matched by one hash look-up;
    only names not seen before go through :meth:`pools.PoolList.match_text` in Python.

    Dask's in-process workers are threads that may share one object, so the names and their flags are
    one tuple, read once per call and replaced whole (never two attributes updated one after the
    other: a thread reading between the two updates took another name's flag, and the named rows it
    selected then matched no pool). Two threads adding names at once may each drop the other's; those
    names are matched again later, and no call ever reads a flag out of step with its name."""

    def __init__(self, pools: pool_lists.PoolList) -> None:
        self.pools = pools
        self.known: tuple[pa.Array, np.ndarray] = (pa.array([], pa.string()), np.zeros(0, bool))

    def flags(self, names: pa.Array) -> np.ndarray:
        """Per distinct name: it matches the pool list."""
        seen, matches = self.known
        positions = _entry_positions(names, seen)
        new = positions < 0
        if new.any():
            texts = names.filter(pa.array(new)).to_pylist()
            hits = np.array([self.pools.match_text(t) is not None for t in texts], bool)
            positions[new] = np.arange(len(seen), len(seen) + len(texts))
            seen = pa.concat_arrays([seen, pa.array(texts, pa.string())])
            matches = np.concatenate([matches, hits])
            self.known = (seen, matches)
        return matches[positions]

    def matched(self, column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
        """(valid, matches a pool name) per row of a dictionary-encoded column."""
        encoded = column.chunk(0)
        valid = validity(encoded)
        if not valid.any():
            return valid, valid
        return valid, _entry_flags(self.flags(pc.cast(encoded.dictionary, pa.string())), encoded, valid)


def _entry_flags(flags: np.ndarray, encoded: pa.DictionaryArray, valid: np.ndarray) -> np.ndarray:
    """Per row: the flag of its dictionary entry, false for nulls. Under a null the index buffer is
    undefined, so indices are clipped into the dictionary (then masked), not filled by a copy; ``take``
    clips as it gathers (``np.minimum`` first wrote a clipped copy of every index)."""
    indices = encoded.indices
    if indices.null_count == 0:
        return flags[indices.to_numpy()]
    kind = np.dtype(indices.type.to_pandas_dtype())
    raw = np.frombuffer(indices.buffers()[1], kind, len(indices), indices.offset * kind.itemsize)
    result = flags.take(raw.view(np.dtype(f"u{kind.itemsize}")), mode="clip")
    result &= valid
    return result


@dataclass(frozen=True)
class SessionPairs:
    """The distinct (host, address) pairs of the session-shaped rows: ``keys`` (sorted, distinct) are
    ``source × len(targets) + target``, numbers among the distinct ``sources`` and ``targets``."""

    sources: pa.Array
    targets: pa.Array
    keys: np.ndarray

    @classmethod
    def of(cls, sessions: pa.Table) -> tuple[SessionPairs, np.ndarray]:
        """The pairs of the session rows, and the pair (position in ``keys``) of each row."""
        source = _encoded(sessions["src_ip"])
        target = _encoded(sessions["dst_ip"])
        row_keys = _codes(source).astype(np.int64) * len(target.dictionary) + _codes(target)
        keys, pair_of_row = np.unique(row_keys, return_inverse=True)
        return cls(source.dictionary, target.dictionary, keys), pair_of_row.ravel()


def _encoded(column: pa.ChunkedArray) -> pa.DictionaryArray:
    encoded = pc.dictionary_encode(column)
    return encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded


def _reduce(
    found: list[Candidates],
) -> tuple[list[str], dict[str, NamedFlows], pa.Table, SessionPairs, np.ndarray]:
    """Hosts to aggregate (as :func:`flows.score_flow_table` selects them), what their named rows said,
    the session rows in file order, their distinct (host, address) pairs and the pair of each row."""
    named: dict[str, NamedFlows] = {}
    tables: list[pa.Table] = []
    for part in found:
        for host, flows_named in part.named.items():
            if host in named:
                named[host].merge(flows_named)
            else:
                named[host] = flows_named
        tables.extend(part.sessions)
    hosts = set(named) | _p2p_hosts([table for part in found for table in part.p2p_rows])
    empty = pa.table(
        {name: pa.array([], kind) for name, kind in (("src_ip", pa.string()), ("dst_ip", pa.string()))}
    )
    sessions = pa.concat_tables(tables) if tables else empty
    pairs, pair_of_row = SessionPairs.of(sessions)
    return sorted(hosts), named, sessions, pairs, pair_of_row


def _p2p_hosts(tables: list[pa.Table]) -> set[str]:
    """The hosts with at least :data:`flows.MIN_P2P_PEERS` P2P-port rows, summed over the per-row-group
    tables (a Python dict update per host and row group cost 20 ns per record on the dense bench file)
    by numbering the hosts once and a bincount: an Arrow group-by would import Acero, ~20 ms of CPU
    in a fresh scoring process."""
    if not tables:
        return set()
    table = pa.concat_tables(tables)
    host = _encoded(table["host"])
    rows = np.bincount(_codes(host), weights=table["rows"].to_numpy(), minlength=len(host.dictionary))
    return set(host.dictionary.filter(pa.array(rows >= MIN_P2P_PEERS)).to_pylist())


@dataclass
class HostLookups:
    """What the aggregates pass looks every row group up in, built once by :func:`score_flow_dataset`
    and shared by all tasks (built per task it cost 10 ms a task on the realistic bench file, 25 ms on
    the dense one): the candidate hosts (the first ``wanted``), then the sessions' hosts that are not
    candidates; each one's number among the sessions' hosts (-1: none; the last entry: a host that is
    neither); the sessions' (host, address) pairs and their :class:`PairIndex`; and the position of each
    host that is an IPv4 address by its number (:class:`NumberIndex`) and of each that is an IPv6
    address by its 16 bytes (:class:`WideIndex`), for row groups whose sources are read as numbers."""

    wanted: int
    hosts: pa.Array
    source_of_host: np.ndarray
    pairs: SessionPairs
    pair_index: PairIndex
    numbers: NumberIndex
    wide: WideIndex

    def host_positions(self, dictionary: pa.Array) -> np.ndarray:
        """Per entry of a row group's source dictionary (texts, or numbers: one per row): its position
        among ``hosts`` (-1: not among them). Sources as IPv4 numbers and IPv6 bytes side by side are
        looked up by their number (every row's, then the IPv6 rows' overwritten: cheaper than selecting
        the IPv4 rows) and their bytes (:class:`WideIndex`)."""
        if pa.types.is_integer(dictionary.type):
            return self.numbers.positions(dictionary.to_numpy(zero_copy_only=False))
        if not pa.types.is_struct(dictionary.type):
            return _entry_positions(dictionary, self.hosts)
        is_ipv4, numbers, words = pair_parts(dictionary)
        if not is_ipv4.any():  # a group of IPv6 sources only: no IPv4 look-up
            return self.wide.positions(words)
        positions = self.numbers.positions(numbers)
        ipv6 = np.flatnonzero(~is_ipv4)
        ipv6_words = np.take(words, ipv6, axis=0)  # a row copy: 7× the speed of words[ipv6]
        positions[ipv6] = self.wide.positions(ipv6_words)
        return positions

    @classmethod
    def of(cls, wanted: list[str], pairs: SessionPairs) -> HostLookups:
        sources = pairs.sources
        known = pa.array(wanted, pa.string())
        hosts = pa.concat_arrays([known, sources.filter(pc.invert(pc.is_in(sources, value_set=known)))])
        source_of_host = np.full(len(hosts) + 1, -1, np.int64)
        source_of_host[_entry_positions(sources, hosts)] = np.arange(len(sources))
        pair_index = PairIndex(pairs.keys, len(sources), len(pairs.targets))
        numbers = ipv4_numbers(hosts)
        numbered = np.flatnonzero(pc.is_valid(numbers).to_numpy(zero_copy_only=False))
        number_index = NumberIndex(numbers.drop_null().to_numpy(zero_copy_only=False), numbered)
        ipv6 = ipv6_bytes(hosts)
        wide = np.flatnonzero(pc.is_valid(ipv6).to_numpy(zero_copy_only=False))
        wide_index = WideIndex(address_words(ipv6.drop_null()), wide)
        return cls(len(wanted), hosts, source_of_host, pairs, pair_index, number_index, wide_index)


@_kernel
def _host_parts(tasks: list[FlowTask], lookups: HostLookups) -> list[HostParts]:
    """Per task: the aggregates of the candidate hosts' rows (:class:`HostParts`) and the bytes of each
    of the sessions' (host, address) pairs over all its rows. A row group's source dictionary is looked
    up once for both (:class:`HostLookups`; where the sources are read as numbers, the dictionary is the
    rows themselves and :class:`NumberIndex` looks each up without a hash), and so is its address
    dictionary (a task numbers the sessions' addresses first, so an address's number is also its
    position among them); rows are matched to pairs by :class:`PairIndex`."""
    wanted, targets, keys = lookups.wanted, lookups.pairs.targets, lookups.pairs.keys
    results = []
    for task in tasks:
        parts = HostParts.empty(wanted, len(keys), targets)
        for _, table in _read_groups(task, AGGREGATE_COLUMNS):
            if table.num_rows == 0:
                continue
            source, destination = table["src_ip"].chunk(0), table["dst_ip"].chunk(0)
            destination_codes = _codes(destination)
            host_of_entry = lookups.host_positions(source.dictionary)
            wanted_entry = (host_of_entry >= 0) & (host_of_entry < wanted)  # tested per entry, not row
            rows = np.flatnonzero(_per_row(wanted_entry, source))
            if rows.size == 0 and len(keys) == 0:
                continue
            numbers = parts.number(destination.dictionary)
            if rows.size:
                taken = table.select(HOST_PART_COLUMNS).take(pa.array(rows))
                host = _per_row(host_of_entry, source, rows)
                parts.add(host, taken, numbers[destination_codes[rows]])
            if len(keys):
                rows, found = lookups.pair_index.row_pairs(
                    _per_row(lookups.source_of_host[host_of_entry], source),
                    (np.where(numbers < len(targets), numbers, -1), destination_codes),
                )
                volume = shapes.flow_volume(table.select(["bytes"]).take(pa.array(rows)))
                parts.exchanged += np.bincount(found, weights=volume, minlength=len(keys))
        results.append(parts.packed())
    return results


def _per_row(values: np.ndarray, column: pa.DictionaryArray, rows: np.ndarray | None = None) -> np.ndarray:
    """Per row of a source column as :func:`_read_groups` gives it (of ``rows`` only, when given): the
    value of its dictionary entry. Sources read as numbers have the rows themselves as dictionary (an
    integer or :func:`addresses.source_pairs` one, one entry a row), so ``values`` are per row already and
    need no gather through the codes."""
    if is_number_type(column.dictionary.type):
        return values if rows is None else values[rows]
    codes = _codes(column)
    return values[codes] if rows is None else values[codes[rows]]


def _codes(column: pa.DictionaryArray) -> np.ndarray:
    """Dictionary indices of a column without nulls (the required text columns, once normalised)."""
    return column.indices.to_numpy(zero_copy_only=False)


def _entry_positions(dictionary: pa.Array, values: pa.Array) -> np.ndarray:
    """Per dictionary entry: its position among ``values`` (-1: not among them)."""
    found = pc.index_in(dictionary, value_set=values)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


class KeyIndex:
    """Positions of integer keys among a fixed set of distinct ones: a hash table built once
    (``pandas.Index``, whose engine keeps its khash table between look-ups), then one probe per key.
    ``pc.index_in`` rebuilds its hash table on every call; the sorted keys + binary search this
    replaced cost twice as much per look-up (3.2 against 1.5 ns per record on the realistic file).
    pandas is imported by pyarrow itself on its first array, so this adds no start-up time."""

    def __init__(self, keys: np.ndarray) -> None:
        import pandas as pd

        self.index = pd.Index(np.asarray(keys, np.int64))

    def positions(self, keys: np.ndarray) -> np.ndarray:
        """Per key: its position among the index's keys, or -1."""
        return self.index.get_indexer(np.asarray(keys, np.int64)).astype(np.int64, copy=False)


class NumberIndex:
    """Given values of IPv4 numbers (distinct uint32 keys), looked up by direct addressing: a table of
    65,536 block numbers indexed by a number's top 16 bits, and per /16 block that holds a key a block of
    65,536 values (block 0: no key, all -1). A look-up is two gathers and no hash, ~5 ns a row where
    factorising cost ~15 (cProfile of the aggregates pass on the many-hosts bench's 20 M records, which
    reads a number for every row: bench/README.md, ninth round). Keys spread over more than :attr:`MAX_BLOCKS` blocks (256 KiB
    each) fall back to :class:`KeyIndex`, so the tables take at most about 64 MiB."""

    MAX_BLOCKS = 255

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        keys = np.asarray(keys, np.uint32)
        values = np.asarray(values, np.int64)
        high = keys >> 16
        blocks = np.unique(high)
        self.fallback: tuple[KeyIndex, np.ndarray] | None = None
        if len(blocks) > self.MAX_BLOCKS or len(values) >= 1 << 31:
            self.fallback = (KeyIndex(keys), values)
            return
        self.block_of_high = np.zeros(1 << 16, np.int32)
        self.block_of_high[blocks] = np.arange(1, len(blocks) + 1, dtype=np.int32)
        self.table = np.full((len(blocks) + 1) << 16, -1, np.int32)
        self.table[self._slots(keys)] = values

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        slots = self.block_of_high[keys >> 16]
        slots <<= 16
        slots |= (keys & 0xFFFF).astype(np.int32)
        return slots

    def positions(self, keys: np.ndarray) -> np.ndarray:
        """Per key (uint32): its value, or -1 where it is not among the index's keys."""
        keys = np.asarray(keys, np.uint32)
        if self.fallback is not None:
            index, values = self.fallback
            found = index.positions(keys)
            return np.where(found >= 0, values[found], -1)
        return self.table[self._slots(keys)]


class WideIndex:
    """Given values of 16-byte addresses (distinct; two little-endian words a row,
    :func:`addresses.address_words`), looked up exactly without hashing bytes. The two words are mixed
    into one 64-bit key (``first × M ^ second``, wrapping, so key and first word give the second). A
    slot table indexed by a key's top bits (about 16 slots a known address, at most 4 Mi) holds the
    address of a slot that has one (+1; 0: none, so most unknown rows end at one gather), and -1 where
    several share it; those rows are looked up by :class:`KeyIndex`. A found address's key and first
    word are compared with the row's, so a row whose slot or key matches by chance gets -1. The first
    multiplier of :attr:`MIXERS` under which the given addresses' keys are distinct is used; where none
    is (addresses chosen to collide), a dictionary of the 16 bytes, one Python look-up a row."""

    MIXERS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)
    MIN_SLOT_BITS = 16
    MAX_SLOT_BITS = 22

    def __init__(self, words: np.ndarray, values: np.ndarray) -> None:
        self.words = np.ascontiguousarray(words, "<u8").reshape(-1, 2)
        self.values = np.asarray(values, np.int64)
        self.mixer: np.uint64 | None = None
        self.index: KeyIndex | None = None
        self.by_bytes: dict[bytes, int] = {}
        bits = min(max(self.MIN_SLOT_BITS, int(len(self.values)).bit_length() + 4), self.MAX_SLOT_BITS)
        self.shift = np.uint64(64 - bits)
        self.slots = np.zeros(1 << bits, np.int32)
        self.keys = np.zeros(0, np.uint64)
        for mixer in self.MIXERS:
            keys = _mixed(self.words, np.uint64(mixer))
            if len(np.unique(keys)) == len(keys):
                self.mixer, self.index, self.keys = np.uint64(mixer), KeyIndex(keys.view(np.int64)), keys
                slot = (keys >> self.shift).astype(np.int64)
                shared = np.bincount(slot, minlength=len(self.slots)) > 1
                self.slots[slot] = np.arange(1, len(keys) + 1, dtype=np.int32)
                self.slots[shared] = -1
                return
        raw = self.words.tobytes()
        self.by_bytes = {raw[16 * r : 16 * r + 16]: int(v) for r, v in enumerate(self.values.tolist())}

    def positions(self, words: np.ndarray) -> np.ndarray:
        """Per address (two words a row): its value, or -1."""
        result = np.full(len(words), -1, np.int64)
        if len(self.values) == 0 or len(words) == 0:
            return result
        if self.index is None or self.mixer is None:
            raw = np.ascontiguousarray(words, "<u8").tobytes()
            looked_up = [self.by_bytes.get(raw[16 * r : 16 * r + 16], -1) for r in range(len(words))]
            return np.array(looked_up, np.int64)
        keys = _mixed(words, self.mixer)
        entry = self.slots[keys >> self.shift]
        rows = np.flatnonzero(entry > 0)
        found = entry[rows].astype(np.int64) - 1
        shared = np.flatnonzero(entry < 0)
        if shared.size:
            from_index = self.index.positions(keys[shared].view(np.int64))
            rows = np.concatenate([rows, shared[from_index >= 0]])
            found = np.concatenate([found, from_index[from_index >= 0]])
        same = (self.keys.take(found) == keys.take(rows)) & (
            self.words[:, 0].take(found) == words[:, 0].take(rows)
        )
        result[rows[same]] = self.values[found[same]]
        return result


def _mixed(words: np.ndarray, mixer: np.uint64) -> np.ndarray:
    """One 64-bit key per two-word address."""
    return words[:, 0] * mixer ^ words[:, 1]


class PairIndex:
    """Positions of (source, address) pairs among a fixed set, for the rows of a row group given by
    their source numbers and their addresses' dictionary codes, so that each row costs two gathers, an
    exclusive or and one look-up.

    Every source and address number gets a random 32-bit word; a pair's slot is the top bits of the
    exclusive or of its two words (independent random words: a uniform hash of the pair). A table of
    32 to 64 slots per pair rules out most rows; the few left are checked exactly (:class:`KeyIndex`
    on ``source × addresses + address``). The table is one bit per slot (512 KiB for 125,000 pairs):
    a row's slot is a random read, and a byte per slot (4 MiB) missed the 1 MiB L2 cache on almost every
    row. Pairs and rows name a source or address by its number (-1: not among them; such rows never
    match)."""

    def __init__(self, keys: np.ndarray, sources: int, targets: int) -> None:
        self.targets = targets
        self.exact = KeyIndex(keys)
        bits = min(max(int(len(keys) * 32 - 1).bit_length(), 10), 32)
        self.shift = np.uint32(32 - bits)
        # rows whose source is not among the pairs' are left out before the words are looked up
        self.source_words = _random_words(max(sources, 1), 1)
        self.target_words = _random_words(targets + 1, 2)
        present = np.zeros(1 << bits, bool)
        present[self._slots(keys // max(targets, 1), keys % max(targets, 1))] = True
        self.present = np.packbits(present, bitorder="little")  # slot s: bit s % 8 of byte s // 8

    def _slots(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        words = self.source_words[source] ^ self.target_words[target]
        words >>= self.shift
        return words

    def _present(self, slots: np.ndarray) -> np.ndarray:
        """Per slot: some pair has it (its bit in the table)."""
        byte = self.present[slots >> 3]
        byte >>= (slots & 7).astype(np.uint8)
        byte &= 1
        return byte.view(bool)

    def row_pairs(
        self, source: np.ndarray, target: tuple[np.ndarray, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(rows whose pair is among the index's, their pairs' positions), given each row's source
        number (-1: not among the pairs' sources) and, for the addresses, the number of each dictionary
        entry (or -1) with each row's dictionary code."""
        target_of_entry, target_codes = target
        rows = np.flatnonzero(source >= 0)  # only rows of the pairs' sources
        source, target_codes = source[rows], target_codes[rows]
        entry_target = np.where(target_of_entry >= 0, target_of_entry, len(self.target_words) - 1)
        words = self.source_words[source]
        words ^= self.target_words[entry_target][target_codes]
        words >>= self.shift
        maybe = np.flatnonzero(self._present(words))
        target_number = target_of_entry[target_codes[maybe]]
        both = np.flatnonzero(target_number >= 0)
        found = np.full(len(maybe), -1, np.int64)
        found[both] = self.exact.positions(source[maybe[both]] * self.targets + target_number[both])
        hit = found >= 0
        return rows[maybe[hit]], found[hit]


def _random_words(count: int, seed: int) -> np.ndarray:
    """``count`` pseudo-random 32-bit words (the top half of SplitMix64 of 0, 1, …; the same on every
    run): half the memory traffic of 64-bit words per row, and as many bits as any slot needs."""
    with np.errstate(over="ignore"):
        word = np.arange(count, dtype=np.uint64) + np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
        word = (word ^ (word >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        word = (word ^ (word >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return ((word ^ (word >> np.uint64(31))) >> np.uint64(32)).astype(np.uint32)


def _session_findings(
    sessions: pa.Table, pairs: SessionPairs, pair_of_row: np.ndarray, exchanged: np.ndarray
) -> list[shapes.ShapeFinding]:
    """:func:`shapes.shape_findings` from the session rows and the bytes of their pairs. The rows'
    hosts are numbered already (``pairs``), and their ``address:port`` endpoints are written once per
    distinct (address, port), not per row; both go to :func:`shapes.session_findings` as dictionaries."""
    if sessions.num_rows == 0:
        return []
    volume = sessions["bytes"].to_numpy()
    rows = np.flatnonzero(volume >= shapes.MIN_SESSION_SHARE * exchanged[pair_of_row])
    width = max(len(pairs.targets), 1)
    key = pairs.keys[pair_of_row[rows]]
    hosts = pa.DictionaryArray.from_arrays(pa.array(key // width), pairs.sources)
    return shapes.session_findings(hosts, _endpoints(key % width, sessions, rows, pairs.targets))


def _endpoints(
    target: np.ndarray, sessions: pa.Table, rows: np.ndarray, targets: pa.Array
) -> pa.DictionaryArray:
    """The ``address:port`` of each of ``rows`` (``target``: its address's position among ``targets``),
    dictionary-encoded with distinct entries: each distinct (address, port) written once."""
    port = sessions["dst_port"].to_numpy()[rows]
    if port.size and (port.min() < 0 or port.max() >= 1 << 16):  # not a port: number the pairs
        port_values, port_number = np.unique(port, return_inverse=True)
        distinct, entry = np.unique(target * len(port_values) + port_number, return_inverse=True)
        address, port_of = np.divmod(distinct, len(port_values))
        port_of = port_values[port_of]
    else:
        distinct, entry = np.unique(target * (1 << 16) + port, return_inverse=True)
        address, port_of = np.divmod(distinct, 1 << 16)
    texts = pc.binary_join_element_wise(
        targets.take(pa.array(address)), pc.cast(pa.array(port_of), pa.string()), ":"
    )
    return pa.DictionaryArray.from_arrays(pa.array(entry.ravel()), texts)
