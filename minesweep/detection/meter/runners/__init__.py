"""Runners map :func:`partition.features_for_partition` over partitions: in-process pool or Dask.

Both return the per-partition tables concatenated and sorted by ``account_id``, so results do not
depend on the engine, the worker count or the order partitions finish in.
"""

from __future__ import annotations

import pyarrow as pa


def combine(tables: list[pa.Table]) -> pa.Table:
    """Concatenate partition results and sort by account id (the engine-independent order)."""
    non_empty = [t for t in tables if t.num_rows]
    if not non_empty:
        return tables[0] if tables else pa.table({"account_id": pa.array([], pa.string())})
    return pa.concat_tables(non_empty).sort_by("account_id")
