"""Flow scoring with other ways of reading and allocating, against the default, each in a fresh process.

    MINESWEEP_DEMO=1 .venv/bin/python bench/flow_read_modes.py [--records 10000000] [--profile realistic]
        [--runs 5] [--mode default --mode mmap --mode mallopt]

Generates one Parquet file with the net bench's generator and collector layout (in a temporary
directory), then scores it with ``score_flow_dataset`` (one worker, one Arrow thread) once per mode and
run, the modes alternating, each in a fresh process. Prints CPU (user + system), system time, minor page
faults and peak RSS per run, and the median CPU per mode with its ratio to ``default``. Modes:

* ``default``: as shipped.
* ``mmap``: every ``pyarrow.parquet.ParquetFile`` opened with ``memory_map=True``.
* ``mallopt``: glibc's mmap threshold 1 GiB and trim threshold 2 GiB (numpy's large arrays reuse the heap).

Arrow's own pool is printed (mimalloc in the pinned pyarrow wheels here).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MODES = ("default", "mmap", "mallopt")


def _apply(mode: str) -> None:
    """Set the process up for ``mode`` before pyarrow reads anything."""
    if mode == "mallopt":
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, (1 << 31) - 1)  # M_TRIM_THRESHOLD
    if mode == "mmap":
        import pyarrow.parquet as pq

        plain = pq.ParquetFile

        class MappedParquetFile(plain):  # type: ignore[misc, valid-type]
            def __init__(self, source, *args, **kwargs):  # type: ignore[no-untyped-def]
                kwargs.setdefault("memory_map", True)
                super().__init__(source, *args, **kwargs)

        pq.ParquetFile = MappedParquetFile  # type: ignore[misc]


def _score(path: str, mode: str, queue) -> None:  # type: ignore[no-untyped-def]
    import resource

    _apply(mode)
    import pyarrow as pa

    from minesweep.detection.meter.runners.local import map_local  # noqa: F401 - imported before the clock
    from minesweep.detection.network.flowparts import score_flow_dataset
    from minesweep.detection.network.pools import default_pool_list

    default_pool_list()
    pa.array([0])  # pyarrow's one-time pandas import, outside the clock as in net_bench
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    before = resource.getrusage(resource.RUSAGE_SELF)
    clock = time.process_time()
    scan = score_flow_dataset(Path(path), "local", workers=1)
    cpu = time.process_time() - clock
    after = resource.getrusage(resource.RUSAGE_SELF)
    queue.put(
        {
            "cpu": cpu,
            "sys": after.ru_stime - before.ru_stime,
            "faults": after.ru_minflt - before.ru_minflt,
            "rss": after.ru_maxrss / 1024,
            "records": len(scan.records),
            "pool": pa.default_memory_pool().backend_name,
        }
    )


def main() -> None:
    from net_bench import generated_input_parser

    parser = generated_input_parser(__doc__, 10_000_000, "realistic")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--mode", action="append", choices=MODES, help="repeatable; default: default and mmap"
    )
    args = parser.parse_args()
    modes = args.mode or ["default", "mmap"]
    if "default" not in modes:
        modes.insert(0, "default")
    from net_bench import write_generated

    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "flows.parquet"
        writer = context.Process(
            target=write_generated, args=(path, args.records, args.row_group, "collector", args.profile)
        )
        writer.start()
        writer.join()
        cpu: dict[str, list[float]] = {mode: [] for mode in modes}
        for run in range(args.runs):
            for mode in modes:
                queue = context.Queue()
                process = context.Process(target=_score, args=(str(path), mode, queue))
                process.start()
                result = queue.get()
                process.join()
                cpu[mode].append(result["cpu"])
                print(
                    f"run {run + 1} {mode:15s} pool={result['pool']}: CPU {result['cpu']:.2f} s "
                    f"(system {result['sys']:.2f} s), {result['faults']:,} minor faults, "
                    f"peak RSS {result['rss']:,.0f} MiB, {result['records']:,} hosts reported"
                )
    base = statistics.median(cpu["default"])
    for mode in modes:
        median = statistics.median(cpu[mode])
        print(
            f"{mode:15s} median CPU {median:.2f} s over {args.runs} runs "
            f"({args.records:,} {args.profile} records): {median / base:.3f} of default"
        )


if __name__ == "__main__":
    main()
