"""Local engine: a process pool over partitions, a bounded number in flight (memory stays bounded).

:func:`map_local` maps any batch kernel over any picklable tasks (flow scoring, :mod:`network.flowparts`);
:func:`run_local` is it with the meters' feature kernel.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TypeVar

import pyarrow as pa

from minesweep.detection.meter.partition import PartitionTask, features_for_partition
from minesweep.detection.meter.runners import batch_size, batched, combine, features_for_partitions

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
KEEP_FREED_BYTES = 1 << 28  # glibc keeps up to 256 MiB of freed memory for the next partition
MMAP_FROM_BYTES = 1 << 25  # arrays below 32 MiB (glibc's maximum) come from the heap, not fresh mmaps
T = TypeVar("T")
R = TypeVar("R")


def prepare_worker() -> None:
    """Pool-worker initializer: one core's worth of threads, and freed memory kept for reuse."""
    pa.set_cpu_count(1)  # the pool already runs one worker per core; more Arrow threads only contend
    keep_freed_memory()


def keep_freed_memory() -> None:
    """Let glibc reuse memory between partitions instead of returning it to the kernel.

    Each partition allocates and frees the same few arrays; by default glibc hands large ones back to
    the kernel and page-faults them in again for the next partition. Peak memory is unchanged, since
    it is set by the largest partition. A no-op where glibc is not the C library.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_TRIM_THRESHOLD, KEEP_FREED_BYTES)
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_FROM_BYTES)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return


def run_local(
    tasks: list[PartitionTask], workers: int | None = None, on_done: Callable[[int], None] | None = None
) -> pa.Table:
    """Features for all partitions using ``workers`` processes (default: all cores).

    Partitions go out a few per task (:func:`runners.batched`), at most ``2 × workers`` tasks at a
    time; with one worker everything runs in this process (no pool), which is also what tests and
    small inputs use.
    """
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(tasks) <= 1:
        results = []
        for task in tasks:
            results.append(features_for_partition(task))
            if on_done:
                on_done(1)
        return combine(results)
    return combine(map_local(features_for_partitions, tasks, workers, on_done))


def map_local(
    kernel: Callable[[list[T]], R],
    tasks: list[T],
    workers: int | None = None,
    on_done: Callable[[int], None] | None = None,
) -> list[R]:
    """``kernel`` over batches of ``tasks`` (:func:`runners.batched`) on a process pool of ``workers``,
    at most ``2 × workers`` batches in flight; the results in the order of the batches, whatever order
    they finish in. With one worker (or one task) every task is its own batch, run in this process.

    ``kernel`` must be a module-level function (or a ``functools.partial`` of one) so it pickles.
    """
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(tasks) <= 1:
        results = []
        for task in tasks:
            results.append(kernel([task]))
            if on_done:
                on_done(1)
        return results
    batches = batched(tasks, batch_size(len(tasks), workers))
    results_by_index: dict[int, R] = {}
    with ProcessPoolExecutor(max_workers=workers, initializer=prepare_worker) as pool:
        pending: dict[Future[R], int] = {}
        queue = list(enumerate(batches))
        while queue or pending:
            while queue and len(pending) < 2 * workers:
                index, batch = queue.pop(0)
                pending[pool.submit(kernel, batch)] = index
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                results_by_index[index] = future.result()
                if on_done:
                    on_done(len(batches[index]))
    return [results_by_index[i] for i in sorted(results_by_index)]
