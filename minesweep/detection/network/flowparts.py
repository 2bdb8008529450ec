"""Flow scoring at province scale (全省流量规模): stream row groups into host partitions, score them on the
local or Dask engine, with the same host records as scoring the whole table at once.

Pass 1 (:func:`partition_flows`) reads a Parquet file or folder one record batch at a time (memory is
bounded by ``batch_rows``, never by the file), normalises each batch, keeps the DNS answers it carries in
one address → name map (later answers win, as for a whole table) and appends each row to the partition
of its source host (CRC-32 of the address). Pass 2 scores each partition with that map on the chosen
engine; every host's rows sit in one partition and per-host evidence depends only on them and the map,
so the records equal those of :func:`report.flow_host_records` over the whole table (a test checks it
with several partition counts, local and Dask).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from minesweep.detection.network import pools as pool_lists
from minesweep.detection.network.flows import REQUIRED_COLUMNS, FlowFileError, address_names, normalise_flows
from minesweep.detection.network.report import REPORT_THRESHOLD, HostRecord, flow_host_records, record_order

BATCH_ROWS = 1_000_000


@dataclass(frozen=True)
class FlowPartitions:
    paths: list[str]
    address_names: dict[str, str]
    rows: int
    kept: int


def _batches(path: Path, batch_rows: int) -> Iterator[pa.Table]:
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    for file in files:
        parquet = pq.ParquetFile(file)
        missing = [c for c in REQUIRED_COLUMNS if c not in parquet.schema_arrow.names]
        if missing:
            raise FlowFileError(
                f"流记录缺少列 {missing} / flow records are missing columns {missing}: {file}"
            )
        for batch in parquet.iter_batches(batch_size=batch_rows):
            yield pa.Table.from_batches([batch])


def host_partition(hosts: pa.ChunkedArray | pa.Array, partitions: int) -> np.ndarray:
    """Partition of each row's source host: CRC-32 of the address text, modulo ``partitions``."""
    encoded = pc.dictionary_encode(hosts)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    of_value = np.array(
        [zlib.crc32(str(v).encode()) % partitions for v in encoded.dictionary.to_pylist()], dtype=np.int64
    )
    return (
        of_value[encoded.indices.to_numpy(zero_copy_only=False)] if len(of_value) else np.zeros(0, np.int64)
    )


def partition_flows(path: Path, out: Path, partitions: int, batch_rows: int = BATCH_ROWS) -> FlowPartitions:
    """Pass 1: the flow records of ``path`` split by source host into ``partitions`` Parquet files."""
    out.mkdir(parents=True, exist_ok=True)
    writers: dict[int, pq.ParquetWriter] = {}
    names: dict[str, str] = {}
    rows = kept = 0
    try:
        for raw in _batches(Path(path), batch_rows):
            table = normalise_flows(raw)
            rows, kept = rows + raw.num_rows, kept + table.num_rows
            names.update(address_names(table))
            # the answers now live in the shared map: a partition must not override it with its own subset
            table = table.set_column(
                table.column_names.index("dns_answers"), "dns_answers", pa.nulls(table.num_rows, pa.string())
            )
            bucket = host_partition(table["src_ip"], partitions)
            order = np.argsort(bucket, kind="stable")  # stable: rows keep their order within a partition
            grouped = table.take(pa.array(order))
            bounds = np.searchsorted(bucket[order], np.arange(partitions + 1))
            for part in range(partitions):
                size = int(bounds[part + 1] - bounds[part])
                if size == 0:
                    continue
                if part not in writers:
                    writers[part] = pq.ParquetWriter(out / f"flows-{part:05d}.parquet", table.schema)
                writers[part].write_table(grouped.slice(int(bounds[part]), size))
    finally:
        for writer in writers.values():
            writer.close()
    return FlowPartitions([str(out / f"flows-{p:05d}.parquet") for p in sorted(writers)], names, rows, kept)


def score_partition(
    path: str, names: dict[str, str], threshold: float = REPORT_THRESHOLD
) -> list[HostRecord]:
    """Pass 2 for one partition: its host records (the unit both engines map)."""
    return flow_host_records(
        pq.read_table(path), pool_lists.default_pool_list(), threshold, address_names=names
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
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(score_partition, parts.paths, [parts.address_names] * len(parts.paths)))
    return sorted((record for result in results for record in result), key=record_order)
