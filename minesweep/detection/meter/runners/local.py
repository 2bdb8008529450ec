"""Local engine: a process pool over partitions, a bounded number in flight (memory stays bounded)."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

import pyarrow as pa

from minesweep.detection.meter.partition import PartitionTask, features_for_partition
from minesweep.detection.meter.runners import combine


def run_local(
    tasks: list[PartitionTask], workers: int | None = None, on_done: Callable[[int], None] | None = None
) -> pa.Table:
    """Features for all partitions using ``workers`` processes (default: all cores).

    At most ``2 × workers`` partitions are submitted at a time; with one worker everything runs in
    this process (no pool), which is also what tests and small inputs use.
    """
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(tasks) <= 1:
        results = []
        for task in tasks:
            results.append(features_for_partition(task))
            if on_done:
                on_done(1)
        return combine(results)
    results_by_index: dict[int, pa.Table] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: dict[Future[pa.Table], int] = {}
        queue = list(enumerate(tasks))
        while queue or pending:
            while queue and len(pending) < 2 * workers:
                index, task = queue.pop(0)
                pending[pool.submit(features_for_partition, task)] = index
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                results_by_index[pending.pop(future)] = future.result()
                if on_done:
                    on_done(1)
    return combine([results_by_index[i] for i in sorted(results_by_index)])
