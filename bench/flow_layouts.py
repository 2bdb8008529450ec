"""Parquet layouts of flow records: write time, size and read time of each column flow scoring reads.

    MINESWEEP_DEMO=1 .venv/bin/python bench/flow_layouts.py [--records 2000000] [--profile dense]
        [--repeat 3]

Generates records with the net bench's generator (``net_bench.write_generated``, collector layout, in a
temporary directory), then rewrites them in each layout below and reads each column the scoring passes
read (``flowparts.CANDIDATE_COLUMNS``; text columns as dictionaries, as ``flowparts`` reads them) and the
sources' IPv4 numbers (``src_ipv4``, read instead of ``src_ip`` where present; the ``read`` sum counts
both) row group by row group, one thread, best of ``--repeat`` (``process_time``). Layouts:

* ``collector``: ``collector.parquet_layout`` as shipped (since the eleventh round: packet and byte
  counts as bit-packed differences, times and counts uncompressed);
* ``lz4-counts``: the layout before the eleventh round: every column LZ4, the counts plain;
* ``plain-numbers``: the same with every number column written plain (the layout before the ports and
  protocol became dictionaries);
* ``uncompressed-numbers``: as shipped, with no compression on any number column (larger files).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TEXT = ["src_ip", "dst_ip", "sni", "dns_query", "dns_answers"]
NUMBERS = ["ts_start", "ts_end", "src_port", "dst_port", "proto", "packets", "bytes"]


def layouts(records: int, columns: list[str]) -> dict[str, dict[str, Any]]:
    from minesweep.detection.network.collector import DICTIONARY_NUMBERS, parquet_layout

    shipped = parquet_layout(records)
    before = {k: v for k, v in shipped.items() if k != "column_encoding"} | {"compression": "lz4"}
    plain = [c for c in shipped["use_dictionary"] if c not in DICTIONARY_NUMBERS]
    return {
        "collector": shipped,
        "lz4-counts": before,
        "plain-numbers": {**before, "use_dictionary": plain},
        "uncompressed-numbers": {
            **shipped,
            "compression": {c: ("none" if c in NUMBERS else "lz4") for c in columns},
        },
    }


def read_cost(path: Path, column: str, repeat: int) -> float:
    """Best CPU seconds of reading ``column`` from every row group."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path, read_dictionary=[c for c in TEXT if c == column])
    best = float("inf")
    for _ in range(repeat):
        clock = time.process_time()
        for group in range(parquet.metadata.num_row_groups):
            parquet.read_row_group(group, columns=[column], use_threads=False)
        best = min(best, time.process_time() - clock)
    return best


def main() -> None:
    from net_bench import generated_file, generated_input_parser

    parser = generated_input_parser(__doc__, 2_000_000, "dense")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import pyarrow.parquet as pq

    from minesweep.detection.network.addresses import SOURCE_NUMBERS
    from minesweep.detection.network.flowparts import CANDIDATE_COLUMNS

    with generated_file(args, "flow-layouts-") as source:
        workdir = source.parent
        table = pq.read_table(source)
        rows = table.num_rows
        for name, options in layouts(rows, table.column_names).items():
            path = Path(workdir) / f"{name}.parquet"
            clock = time.process_time()
            pq.write_table(table, path, row_group_size=args.row_group, **options)
            written = time.process_time() - clock
            read = [c for c in (*CANDIDATE_COLUMNS, SOURCE_NUMBERS) if c in table.column_names]
            costs = {c: read_cost(path, c, args.repeat) / rows * 1e9 for c in read}
            print(
                f"{name:21s} write {written / rows * 1e9:5.1f} ns/record, {path.stat().st_size / rows:4.1f} "
                f"bytes/record; read {sum(costs.values()):5.1f} ns/record: "
                + " ".join(f"{c} {v:.1f}" for c, v in costs.items())
            )
    print(f"({rows:,} {args.profile} records, row groups of {args.row_group:,}, best of {args.repeat})")


if __name__ == "__main__":
    main()
