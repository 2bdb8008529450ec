"""Seconds of ``compute_features`` (all meter features of one partition) on generated readings.

    MINESWEEP_DEMO=1 .venv/bin/python bench/meter_features_timing.py [--accounts 1000] [--days 365] [--repeat 5]

1,000 accounts × 365 days × 24 hourly slots of gamma-distributed demand scaled per account, 1 % of the
readings missing, a calendar and a temperature series; the best of ``--repeat`` runs is printed. Run it in
a checkout of each commit to compare them (bench/README.md, messy readings).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from minesweep.detection.meter.kernels.features import compute_features
    from minesweep.detection.meter.timebase import ProfileGrid

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    shape = (24, args.accounts, args.days)
    kw = (rng.gamma(2.0, 1.0, shape) * rng.uniform(1, 100, (1, args.accounts, 1))).astype(np.float32)
    kw[rng.random(shape) < 0.01] = np.nan
    counts = (~np.isnan(kw)).astype(np.uint8)
    grid = ProfileGrid(start_day=18628, n_days=args.days, interval_s=3600)
    workdays = (np.arange(args.days) + 4) % 7 < 5
    temperature = rng.normal(0, 10, args.days)
    best = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        compute_features(kw, counts, grid, workdays, temperature)
        best = min(best, time.perf_counter() - start)
    print(
        f"compute_features: {best:.3f} s for {args.accounts} accounts x {args.days} days x 24 slots (best of {args.repeat})"
    )


if __name__ == "__main__":
    main()
