"""What the source address of a flow record costs per pass: read as the collector writes it (text, a
Parquet dictionary), and read as a 32-bit number then numbered per row group as the passes would need it
(``pandas.factorize`` and Arrow's ``dictionary_encode``). Shows why integer addresses alone would not
bring the dense generator to the 5 M records/s per core target (bench/README.md).

    MINESWEEP_DEMO=1 .venv/bin/python bench/flow_address_costs.py [--records 10000000] [--profile dense]

Generates the records (net bench generator, collector layout), writes the same row groups again with
``src_ip`` as ``uint32`` (dotted IPv4 converted with Arrow), then times, per row group after the first
(one thread, ``process_time``, best of ``--repeat``): reading ``src_ip`` as a dictionary, reading it as a
number, and numbering the numbers.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def dotted_to_uint32(texts):  # type: ignore[no-untyped-def]
    """Dotted IPv4 texts as 32-bit numbers (Arrow split and cast)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    octets = pc.cast(pc.list_flatten(pc.split_pattern(texts, ".")), pa.uint32()).to_numpy().reshape(-1, 4)
    return (octets[:, 0] << 24) | (octets[:, 1] << 16) | (octets[:, 2] << 8) | octets[:, 3]


def best_per_record(step: Callable[[int], int], groups: range, repeat: int) -> float:
    """Best over ``repeat`` rounds of the CPU ns per record of ``step(group)`` (which returns its rows)."""
    best = float("inf")
    for _ in range(repeat):
        clock, rows = time.process_time(), 0
        for group in groups:
            rows += step(group)
        best = min(best, (time.process_time() - clock) / rows * 1e9)
    return best


def main() -> None:
    from net_bench import generated_file, generated_input_parser

    parser = generated_input_parser(__doc__, 10_000_000, "dense")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    with generated_file(args, "flow-address-") as path, tempfile.TemporaryDirectory() as scratch:
        text = pq.ParquetFile(path, read_dictionary=["src_ip"])
        numbers_path = Path(scratch) / "numbers.parquet"
        with pq.ParquetWriter(numbers_path, pa.schema([("src_ip", pa.uint32())]), compression="lz4") as out:
            for group in range(text.num_row_groups):
                addresses = pq.ParquetFile(path).read_row_group(group, columns=["src_ip"])["src_ip"]
                out.write_table(pa.table({"src_ip": pa.array(dotted_to_uint32(addresses), pa.uint32())}))
        numbers = pq.ParquetFile(numbers_path)
        groups = range(1, text.num_row_groups)  # the first row group also grows the allocator
        column = {g: numbers.read_row_group(g)["src_ip"].chunk(0) for g in groups}
        distinct = np.mean([len(pc.unique(column[g])) for g in groups])

        def read_text(group: int) -> int:
            return text.read_row_group(group, columns=["src_ip"], use_threads=False).num_rows

        def read_number(group: int) -> int:
            return numbers.read_row_group(group, use_threads=False).num_rows

        def factorize(group: int) -> int:
            pd.factorize(column[group].to_numpy())
            return len(column[group])

        def dictionary_encode(group: int) -> int:
            pc.dictionary_encode(column[group])
            return len(column[group])

        print(
            f"{args.records:,} {args.profile} records, {len(groups) + 1} row groups of {args.row_group:,}, "
            f"{distinct:,.0f} distinct sources per row group; CPU ns per record per pass, best of {args.repeat}:"
        )
        for label, step in (
            ("src_ip read as a Parquet dictionary (as shipped)", read_text),
            ("src_ip read as uint32", read_number),
            ("  then numbered: pandas.factorize", factorize),
            ("  then numbered: pc.dictionary_encode", dictionary_encode),
        ):
            print(f"  {label:<50} {best_per_record(step, groups, args.repeat):6.1f}")


if __name__ == "__main__":
    main()
