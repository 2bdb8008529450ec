"""``meters plot``: write an account's evidence PNGs from a dataset or raw input."""

from __future__ import annotations

from pathlib import Path

from minesweep.detection.meter import dataset as ds
from minesweep.detection.meter.detect import resolved_dataset
from minesweep.detection.meter.errors import MeterDataError
from minesweep.detection.meter.evidence import render_evidence


def plot_account(source: Path, account_id: str, out: Path) -> list[Path]:
    """Render ``carpet.png`` and ``daily.png`` for ``account_id`` into ``out``; returns the paths."""
    with resolved_dataset(source) as dataset:
        info = ds.read_info(dataset)
        ts, kwh = ds.read_account(dataset, account_id)
    if len(ts) == 0:
        raise MeterDataError(
            "account_unknown", f"数据中没有该户号：{account_id}", f"No readings for account {account_id}"
        )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, png in render_evidence(ts, kwh, info.interval_s, account_id).items():
        path = out / f"{account_id}-{name}"
        path.write_bytes(png)
        written.append(path)
    return written
