"""CPU of each of flow scoring's streamed passes on its own, and the part of it that is reading Parquet:
where the time of ``net_bench.py``'s streamed phase goes (the phase also builds the host records and the
session findings after the passes).

    MINESWEEP_DEMO=1 .venv/bin/python bench/flow_passes.py [--records 20000000] [--profile many-hosts] [--repeat 3]
        [--ipv6-share 0.2]

Generates the records (net bench generator, the collector's layout: files of 1,000,000 records with the
source numbers), then times, one thread, ``process_time``, best of ``--repeat``: the candidates pass,
the aggregates pass (with the candidates' hosts and session pairs) and the reading of each pass's
columns alone (``flowparts._read_groups``). Run it from another checkout (``git worktree add``) with this
file copied there to measure an earlier commit the same way: it imports ``minesweep`` from the folder
above its own.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def best_cpu(repeat: int, work: Callable[[], object]) -> float:
    """The least CPU seconds of ``repeat`` runs of ``work``."""
    times = []
    for _ in range(repeat):
        clock = time.process_time()
        work()
        times.append(time.process_time() - clock)
    return min(times)


def main() -> None:
    import pyarrow as pa
    from net_bench import generated_input_parser, write_generated

    from minesweep.detection.network import flowparts
    from minesweep.detection.network.pools import default_pool_list

    parser = generated_input_parser(__doc__, 20_000_000, "many-hosts")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--ipv6-share", type=float, default=0.0, help="share of the hosts on IPv6 (net_bench.py)"
    )
    args = parser.parse_args()
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    with tempfile.TemporaryDirectory(prefix="flow-passes-") as workdir:
        folder = Path(workdir) / "flows"
        write_generated(
            folder,
            args.records,
            1_000_000,
            "collector",
            args.profile,
            file_records=1_000_000,
            ipv6_share=args.ipv6_share,
        )
        tasks = flowparts.flow_tasks(folder)
        names = flowparts.PoolNames(default_pool_list())
        found = flowparts._candidates(tasks, names, {})
        wanted, _, _, pairs, _ = flowparts._reduce(found)
        lookups = flowparts.HostLookups.of(wanted, pairs)

        def read(columns: tuple[str, ...]) -> None:
            for task in tasks:
                for _ in flowparts._read_groups(task, columns):
                    pass

        figures = [
            ("candidates pass", best_cpu(args.repeat, lambda: flowparts._candidates(tasks, names, {}))),
            ("  of it reading its columns", best_cpu(args.repeat, lambda: read(flowparts.CANDIDATE_COLUMNS))),
            ("aggregates pass", best_cpu(args.repeat, lambda: flowparts._host_parts(tasks, lookups))),
            ("  of it reading its columns", best_cpu(args.repeat, lambda: read(flowparts.AGGREGATE_COLUMNS))),
        ]
    print(
        f"{args.records:,} {args.profile} records ({args.ipv6_share:.0%} of hosts IPv6), {len(tasks)} tasks; {len(wanted):,} candidate hosts, "
        f"{len(pairs.keys):,} session pairs (best of {args.repeat}, one thread)"
    )
    for label, seconds in figures:
        print(f"{label:30s} {seconds:6.3f} s  {seconds / args.records * 1e9:6.1f} ns per record")


if __name__ == "__main__":
    main()
