"""Memory of the collector's buffer: bytes per flow record held as Python values and as an Arrow batch.

    .venv/bin/python bench/collector_buffer.py [--records 50000]

Builds ``--records`` generated NetFlow records in the collector's schema (``collector.SCHEMA``) the way
``FlowCollector._accept`` holds them (one Python list per column, the exporter's address shared), measures
them with ``tracemalloc``, then converts them with ``FlowCollector._batch`` itself (so the batch has the
columns the collector adds, such as ``src_ipv4``) and prints the record batch's ``nbytes``. Both per record, and what a full buffer of ``DEFAULT_ROTATE_RECORDS`` takes each way.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minesweep.detection.network.collector import DEFAULT_ROTATE_RECORDS, SCHEMA, FlowCollector  # noqa: E402


def _row(rng: random.Random, index: int) -> tuple[object, ...]:
    start = 1.7e9 + index + rng.random()
    return (
        start,
        start + rng.uniform(0, 600),
        f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
        rng.randrange(1024, 65536),
        f"203.0.{rng.randrange(256)}.{rng.randrange(256)}",
        rng.choice((443, 80, 53, 3333)),
        6,
        rng.randrange(1, 1000),
        rng.randrange(40, 1_000_000),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=50_000)
    args = parser.parse_args()
    rng = random.Random(7)
    exporter = "192.0.2.1"
    tracemalloc.start()
    columns: dict[str, list[object]] = {name: [] for name in SCHEMA.names}
    for index in range(args.records):
        for name, value in zip(SCHEMA.names, _row(rng, index), strict=False):
            columns[name].append(value)
        columns["exporter"].append(exporter)
    python = tracemalloc.get_traced_memory()[0] / args.records
    tracemalloc.stop()
    with tempfile.TemporaryDirectory(prefix="collector-buffer-") as workdir:
        collector = FlowCollector(Path(workdir))
        collector.columns = columns
        collector._batch()
        arrow = sum(batch.nbytes for batch in collector.batches) / args.records
    full = DEFAULT_ROTATE_RECORDS / 2**20
    print(
        f"{args.records:,} records: {python:.0f} bytes each as Python values, {arrow:.0f} as an Arrow batch; "
        f"a buffer of {DEFAULT_ROTATE_RECORDS:,} records: {python * full:,.0f} MiB as Python values, "
        f"{arrow * full:,.0f} MiB as Arrow batches"
    )


if __name__ == "__main__":
    main()
