"""Dask engine: the same partition kernel mapped over a Dask distributed cluster (:func:`map_dask` maps
any batch kernel, as :func:`local.map_local` does).

With no scheduler address a ``LocalCluster`` is started (``workers`` processes, one thread each;
``processes=False`` runs threads in-process, handy for tests). Against a real cluster, start
``dask scheduler`` and ``dask worker tcp://HOST:8786`` on machines that can read the dataset path, then
pass ``--engine dask --scheduler tcp://HOST:8786``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pyarrow as pa

from minesweep.detection.meter.partition import PartitionTask
from minesweep.detection.meter.runners import batch_size, batched, combine, features_for_partitions
from minesweep.detection.meter.runners.local import KEEP_FREED_BYTES, MMAP_FROM_BYTES, prepare_worker

T = TypeVar("T")
R = TypeVar("R")


def worker_environment() -> dict[str, object]:
    """Dask's pre-spawn worker environment with glibc keeping freed memory (as :func:`keep_freed_memory`).

    Dask defaults to a 64 KiB trim threshold so idle workers hand memory back; for kernels that
    allocate and free large arrays per partition that means a page fault storm, measured at ~30 %
    slower. Workers of a real cluster should be started with the same variables (see bench/README.md).
    """
    import dask

    environment = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    environment["MALLOC_TRIM_THRESHOLD_"] = KEEP_FREED_BYTES
    environment["MALLOC_MMAP_THRESHOLD_"] = MMAP_FROM_BYTES
    return environment


def run_dask(
    tasks: list[PartitionTask],
    scheduler: str | None = None,
    workers: int | None = None,
    processes: bool = True,
    on_done: Callable[[int], None] | None = None,
) -> pa.Table:
    """Features for all partitions computed on Dask; results gathered as they finish."""
    return combine(map_dask(features_for_partitions, tasks, scheduler, workers, processes, on_done))


def map_dask(
    kernel: Callable[[list[T]], R],
    tasks: list[T],
    scheduler: str | None = None,
    workers: int | None = None,
    processes: bool = True,
    on_done: Callable[[int], None] | None = None,
) -> list[R]:
    """``kernel`` over batches of ``tasks`` on Dask (the batches of :func:`local.map_local` for the same
    thread count); the results in the order of the batches, gathered as they finish."""
    import dask
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        with dask.config.set({"distributed.nanny.pre-spawn-environ": worker_environment()}):
            cluster = LocalCluster(
                n_workers=workers or 2, threads_per_worker=1, processes=processes, dashboard_address=None
            )
        client = Client(cluster)
        if processes:  # our own single-threaded worker processes: one Arrow thread each, as the pool
            client.run(prepare_worker)
    try:
        batches = batched(tasks, batch_size(len(tasks), sum(client.nthreads().values())))
        futures = client.map(kernel, batches, pure=False)
        index_of = {future.key: i for i, future in enumerate(futures)}
        results: dict[int, R] = {}
        # with_results gathers finished results in batches instead of one round trip per future
        for future, result in as_completed(futures, with_results=True):
            index = index_of[future.key]
            results[index] = result
            future.release()
            if on_done:
                on_done(len(batches[index]))
        return [results[i] for i in sorted(results)]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
