"""Flow scoring at province scale (全省流量规模): stream row groups into host partitions, score them on the
local or Dask engine, with the same host records as scoring the whole table at once.

Pass 1 (:func:`partition_flows`) reads a Parquet file or folder one record batch at a time (memory is
bounded by ``batch_rows``, never by the file), normalises each batch, keeps the DNS answers it carries in
one address → name map (later answers win, as for a whole table) and appends each row to the partition
of its source host (a numpy hash of the address text, :func:`text_hash`). Pass 2 scores each partition
with that map on the chosen engine; every host's rows sit in one partition and per-host evidence
depends only on them and the map, so the records equal those of :func:`report.flow_host_records` over the whole table (a test checks it
with several partition counts, local and Dask).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from minesweep.detection.network import pools as pool_lists
from minesweep.detection.network.flows import (
    REQUIRED_COLUMNS,
    TEXT_COLUMNS,
    FlowFileError,
    address_names,
    normalise_flows,
)
from minesweep.detection.network.report import REPORT_THRESHOLD, HostRecord, flow_host_records, record_order

BATCH_ROWS = 1_000_000
#: partition files are scratch space read once: no compression (nor Parquet dictionaries) keeps both
#: passes cheaper
PARTITION_COMPRESSION = "none"
HASH_PRIME = np.uint64(1_099_511_628_211)  # the 64-bit FNV prime


@dataclass(frozen=True)
class FlowPartitions:
    paths: list[str]
    address_names: dict[str, str]
    rows: int
    kept: int


def _batches(path: Path, batch_rows: int) -> Iterator[pa.Table]:
    """Record batches of every file; text columns come as dictionaries (never expanded to strings)."""
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    for file in files:
        schema = pq.ParquetFile(file).schema_arrow
        missing = [c for c in REQUIRED_COLUMNS if c not in schema.names]
        if missing:
            raise FlowFileError(
                f"流记录缺少列 {missing} / flow records are missing columns {missing}: {file}"
            )
        text = [
            c
            for c in TEXT_COLUMNS
            if c in schema.names
            and (pa.types.is_string(schema.field(c).type) or pa.types.is_large_string(schema.field(c).type))
        ]
        parquet = pq.ParquetFile(file, read_dictionary=text)
        for batch in parquet.iter_batches(batch_size=batch_rows):
            yield pa.Table.from_batches([batch])


def text_hash(values: pa.Array) -> np.ndarray:
    """A 64-bit hash of each string's bytes (the same text always hashes alike), computed with numpy:
    a polynomial over the bytes summed per string with ``np.add.reduceat``, then a splitmix64 finish."""
    values = pc.cast(values, pa.large_string())
    count = len(values)
    if count == 0:
        return np.zeros(0, np.uint64)
    buffers = values.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[values.offset : values.offset + count + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    begin = offsets[:-1] - offsets[0]
    lengths = np.diff(offsets)
    chunk = data[offsets[0] : offsets[-1]].astype(np.uint64) + np.uint64(1)
    position = np.arange(chunk.size, dtype=np.int64) - np.repeat(begin, lengths)
    longest = int(lengths.max()) if count else 0
    powers = np.cumprod(np.full(max(longest, 1), HASH_PRIME, dtype=np.uint64))
    hashes = np.zeros(count, np.uint64)
    filled = lengths > 0
    if filled.any():
        hashes[filled] = np.add.reduceat(chunk * powers[position], begin[filled])
    hashes ^= lengths.astype(np.uint64)
    hashes ^= hashes >> np.uint64(30)
    hashes *= np.uint64(0xBF58476D1CE4E5B9)
    hashes ^= hashes >> np.uint64(27)
    hashes *= np.uint64(0x94D049BB133111EB)
    hashes ^= hashes >> np.uint64(31)
    return hashes


def host_partition(hosts: pa.ChunkedArray | pa.Array, partitions: int) -> np.ndarray:
    """Partition of each row's source host: :func:`text_hash` of the address, modulo ``partitions``.

    Each distinct address of a chunk is hashed once (dictionary-encoded columns are used as they come).
    """
    chunks = hosts.chunks if isinstance(hosts, pa.ChunkedArray) else [hosts]
    parts = []
    for chunk in chunks:
        encoded = chunk if pa.types.is_dictionary(chunk.type) else pc.dictionary_encode(chunk)
        of_value = (text_hash(encoded.dictionary) % np.uint64(partitions)).astype(np.int64)
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        parts.append(of_value[indices] if len(of_value) else np.zeros(len(indices), np.int64))
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def partition_flows(path: Path, out: Path, partitions: int, batch_rows: int = BATCH_ROWS) -> FlowPartitions:
    """Pass 1: the flow records of ``path`` split by source host into ``partitions`` Parquet files.

    Text columns stay dictionary-encoded from the read until the rows are grouped (one stable radix sort
    of their partition numbers); the grouped batch is written as plain, uncompressed slices (scratch
    files read once: the cheapest to write and to read back).
    """
    out.mkdir(parents=True, exist_ok=True)
    writers: dict[int, pq.ParquetWriter] = {}
    names: dict[str, str] = {}
    rows = kept = 0
    sort_type = np.uint16 if partitions <= 1 << 16 else np.int64  # small keys: numpy's radix sort
    try:
        for raw in _batches(Path(path), batch_rows):
            table = normalise_flows(raw, keep_dictionaries=True)
            rows, kept = rows + raw.num_rows, kept + table.num_rows
            names.update(address_names(table))
            # the answers now live in the shared map: a partition must not override it with its own subset
            table = table.set_column(
                table.column_names.index("dns_answers"),
                "dns_answers",
                pa.DictionaryArray.from_arrays(
                    pa.nulls(table.num_rows, pa.int32()), pa.array([], pa.string())
                ),
            )
            bucket = host_partition(table["src_ip"], partitions).astype(sort_type)
            order = np.argsort(bucket, kind="stable")  # stable: rows keep their order within a partition
            # each batch's dictionaries cover all its hosts: expanded once here, so that a partition file
            # does not carry (and its reader decode) the dictionary of the whole batch
            grouped = _as_strings(table.take(pa.array(order)))
            bounds = np.searchsorted(bucket[order], np.arange(partitions + 1))
            for part in range(partitions):
                size = int(bounds[part + 1] - bounds[part])
                if size == 0:
                    continue
                if part not in writers:
                    writers[part] = pq.ParquetWriter(
                        out / f"flows-{part:05d}.parquet",
                        grouped.schema,
                        compression=PARTITION_COMPRESSION,
                        use_dictionary=False,
                    )
                writers[part].write_table(grouped.slice(int(bounds[part]), size))
    finally:
        for writer in writers.values():
            writer.close()
    return FlowPartitions([str(out / f"flows-{p:05d}.parquet") for p in sorted(writers)], names, rows, kept)


def _as_strings(table: pa.Table) -> pa.Table:
    """Dictionary-encoded text columns expanded to plain strings (what the scoring kernel takes)."""
    for index, column in enumerate(table.columns):
        if pa.types.is_dictionary(column.type):
            table = table.set_column(index, table.field(index).name, pc.cast(column, pa.string()))
    return table


def score_partition(
    path: str, names: dict[str, str], threshold: float = REPORT_THRESHOLD
) -> list[HostRecord]:
    """Pass 2 for one partition: its host records (the unit both engines map)."""
    return flow_host_records(
        _as_strings(pq.read_table(path)), pool_lists.default_pool_list(), threshold, address_names=names
    )


def score_partitions(
    parts: FlowPartitions, engine: str = "local", workers: int = 2, scheduler: str | None = None
) -> list[HostRecord]:
    """Host records of all partitions, in the order :func:`report.flow_host_records` gives them."""
    if engine == "dask":
        from distributed import Client, LocalCluster

        cluster = (
            None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=False)
        )
        with Client(scheduler or cluster) as client:
            futures = client.map(score_partition, parts.paths, names=parts.address_names, pure=False)
            results = client.gather(futures)
        if cluster is not None:
            cluster.close()
    elif workers <= 1:
        results = [score_partition(p, parts.address_names) for p in parts.paths]
    else:
        from minesweep.detection.meter.runners.local import prepare_worker  # one Arrow thread per worker

        with ProcessPoolExecutor(max_workers=workers, initializer=prepare_worker) as pool:
            results = list(pool.map(score_partition, parts.paths, [parts.address_names] * len(parts.paths)))
    return sorted((record for result in results for record in result), key=record_order)
