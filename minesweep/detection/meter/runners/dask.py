"""Dask engine: the same partition kernel mapped over a Dask distributed cluster.

With no scheduler address a ``LocalCluster`` is started (``workers`` processes, one thread each;
``processes=False`` runs threads in-process, handy for tests). Against a real cluster, start
``dask scheduler`` and ``dask worker tcp://HOST:8786`` on machines that can read the dataset path, then
pass ``--engine dask --scheduler tcp://HOST:8786``.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

from minesweep.detection.meter.partition import PartitionTask, features_for_partition
from minesweep.detection.meter.runners import combine


def run_dask(
    tasks: list[PartitionTask],
    scheduler: str | None = None,
    workers: int | None = None,
    processes: bool = True,
    on_done: Callable[[int], None] | None = None,
) -> pa.Table:
    """Features for all partitions computed on Dask; results gathered as they finish."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers or 2, threads_per_worker=1, processes=processes, dashboard_address=None
        )
        client = Client(cluster)
    try:
        futures = client.map(features_for_partition, tasks, pure=False)
        index_of = {future.key: i for i, future in enumerate(futures)}
        results: dict[int, pa.Table] = {}
        for future in as_completed(futures):
            results[index_of[future.key]] = future.result()
            future.release()
            if on_done:
                on_done(1)
        return combine([results[i] for i in sorted(results)])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
