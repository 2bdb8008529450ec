"""Runners map :func:`partition.features_for_partition` over partitions: in-process pool or Dask.

Both hand out a few partitions per task (:func:`batched`) and return the per-partition tables
concatenated and sorted by ``account_id``, so results do not depend on the engine, the worker count,
the batching or the order partitions finish in.
"""

from __future__ import annotations

from typing import TypeVar

import pyarrow as pa

from minesweep.detection.meter.partition import PartitionTask, features_for_partition

T = TypeVar("T")


def combine(tables: list[pa.Table]) -> pa.Table:
    """Concatenate partition results and sort by account id (the engine-independent order)."""
    non_empty = [t for t in tables if t.num_rows]
    if not non_empty:
        return tables[0] if tables else pa.table({"account_id": pa.array([], pa.string())})
    return pa.concat_tables(non_empty).sort_by("account_id")


BATCHES_PER_THREAD = 8
MAX_BATCH = 16


def batch_size(partitions: int, threads: int) -> int:
    """Partitions per task: about ``BATCHES_PER_THREAD`` tasks per worker, at most ``MAX_BATCH``.

    One task per partition paid a round trip (scheduler or pool) per ~25 ms partition, which put Dask
    at 1.22–1.34× the local engine at 20,000 accounts (``bench/meters_bench.py``); batched, 0.96–1.12×.
    Memory is unchanged: a task still holds one partition at a time.
    """
    return int(max(1, min(MAX_BATCH, partitions // max(1, threads * BATCHES_PER_THREAD))))


def batched(tasks: list[T], size: int) -> list[list[T]]:
    return [tasks[start : start + size] for start in range(0, len(tasks), size)]


def features_for_partitions(tasks: list[PartitionTask]) -> pa.Table:
    """One task: several partitions, one after another, their features combined."""
    return combine([features_for_partition(task) for task in tasks])
