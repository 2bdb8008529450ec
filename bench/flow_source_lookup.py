"""The aggregates pass's look-up of each row group's source addresses among the hosts it aggregates, as
shipped (``pc.index_in``, which builds its hash table again on every call) against a table built once
(a 64-bit string hash computed with numpy over the Arrow buffers, probed with ``pandas.Index``).

    MINESWEEP_DEMO=1 .venv/bin/python bench/flow_source_lookup.py [--records 10000000] [--profile dense]

Generates the records (net bench generator, collector layout), runs the candidates pass to get the
hosts the aggregates pass looks up (``flowparts.HostLookups``), then times both look-ups on every row
group's source dictionary (one thread, ``process_time``) and checks they give the same positions.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

FNV_OFFSET = np.uint64(1469598103934665603)
FNV_PRIME = np.uint64(1099511628211)


def string_hashes(texts) -> np.ndarray:  # type: ignore[no-untyped-def]
    """FNV-1a of each string of an Arrow string array, one numpy step per byte position."""
    offsets = np.frombuffer(texts.buffers()[1], np.int32, len(texts) + 1, texts.offset * 4)
    data = np.frombuffer(texts.buffers()[2], np.uint8)
    start, length = offsets[:-1], np.diff(offsets)
    hashes = np.full(len(texts), FNV_OFFSET)
    with np.errstate(over="ignore"):
        for position in range(int(length.max()) if len(texts) else 0):
            byte = np.where(length > position, data[np.minimum(start + position, len(data) - 1)], 0)
            hashes ^= byte.astype(np.uint64)
            hashes *= FNV_PRIME
        hashes ^= length.astype(np.uint64)
    return hashes.view(np.int64)


def main() -> None:
    from net_bench import generated_file, generated_input_parser

    args = generated_input_parser(__doc__, 10_000_000, "dense").parse_args()
    import pandas as pd

    from minesweep.detection.network import flowparts
    from minesweep.detection.network.pools import default_pool_list

    with generated_file(args, "flow-lookup-") as path:
        tasks = flowparts.flow_tasks(path)
        found = flowparts._candidates.__wrapped__(tasks, flowparts.PoolNames(default_pool_list()), {})
        wanted, _, _, pairs, _ = flowparts._reduce(found)
        hosts = flowparts.HostLookups.of(wanted, pairs).hosts
        clock = time.process_time()
        index = pd.Index(string_hashes(hosts))
        built = time.process_time() - clock
        shipped = once = 0.0
        rows = groups = entries = 0
        for task in tasks:
            for _, table in flowparts._read_groups(task, flowparts.AGGREGATE_COLUMNS):
                dictionary = table["src_ip"].chunk(0).dictionary
                clock = time.process_time()
                expected = flowparts._entry_positions(dictionary, hosts)
                shipped += time.process_time() - clock
                clock = time.process_time()
                positions = index.get_indexer(string_hashes(dictionary))
                once += time.process_time() - clock
                assert np.array_equal(positions, expected), "hash positions differ from index_in"
                rows, groups, entries = rows + table.num_rows, groups + 1, entries + len(dictionary)
    print(
        f"{args.records:,} {args.profile} records, {groups} row groups, {entries / groups:,.0f} source "
        f"entries per row group, {len(hosts):,} hosts looked up"
    )
    print(
        f"pc.index_in per row group:       {shipped / groups * 1e3:5.1f} ms "
        f"({shipped / rows * 1e9:.1f} ns per record)"
    )
    print(
        f"numpy hash + pandas.Index probe: {once / groups * 1e3:5.1f} ms per row group "
        f"({once / rows * 1e9:.1f} ns per record) + {built * 1e3:.1f} ms to build once; same positions"
    )


if __name__ == "__main__":
    main()
