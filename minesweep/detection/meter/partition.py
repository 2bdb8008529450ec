"""One partition → one table of per-account features: the unit of work both runners map.

``PartitionTask`` is small and picklable (a path and the window), so it travels to a process pool or a
Dask worker; :func:`features_for_partition` is pure apart from reading that one Parquet file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from minesweep.detection.meter import dataset as ds
from minesweep.detection.meter.kernels.features import compute_features
from minesweep.detection.meter.kernels.profile import profile_from_day_rows
from minesweep.detection.meter.timebase import ProfileGrid


@dataclass(frozen=True)
class PartitionTask:
    """Where one partition is and which window (grid) and context to analyse it on."""

    path: str
    grid: ProfileGrid
    is_workday: tuple[bool, ...]
    temperature_c: tuple[float, ...] | None = None


def features_for_partition(task: PartitionTask) -> pa.Table:
    """Features of every account in the partition that has at least one reading in the window.

    Columns: ``account_id``, the feature columns of :mod:`kernels.features`, and ``steps`` (JSON list
    of ``[window day index, kW]``). Rows are sorted by ``account_id``.
    """
    rows = ds.read_partition(Path(task.path))
    accounts = rows.accounts
    mean_kw, counts = profile_from_day_rows(
        rows.account_index, rows.day, rows.readings, len(accounts), task.grid
    )
    present = np.asarray(counts.any(axis=(0, 2)), dtype=bool)
    order = np.array(
        [i for i in np.argsort(np.array(accounts, dtype=object)) if present[i]] if accounts else [],
        dtype=np.int64,
    )
    if len(order) != len(accounts) or (order != np.arange(len(order))).any():  # else no copy needed
        mean_kw, counts = mean_kw[:, order], counts[:, order]
    temperature = np.array(task.temperature_c) if task.temperature_c is not None else None
    features, steps = compute_features(
        mean_kw, counts, task.grid, np.array(task.is_workday, dtype=bool), temperature
    )
    columns: dict[str, pa.Array] = {"account_id": pa.array([accounts[i] for i in order], pa.string())}
    for name, values in features.items():
        columns[name] = pa.array(values, pa.float64())
    columns["steps"] = pa.array([json.dumps([[d, round(kw, 2)] for d, kw in s]) for s in steps], pa.string())
    return pa.table(columns)
