"""How meter detection holds up when the readings are as messy as a head end's exports.

One command (data are simulated into a temporary folder unless ``--workdir`` names one, which is
reused; a ``bench/quality_bench.py --workdir`` folder works too)::

    MINESWEEP_DEMO=1 .venv/bin/python bench/messy_readings_bench.py                          # eval, 5,000 × 365 days, seeds 101-103
    MINESWEEP_DEMO=1 .venv/bin/python bench/messy_readings_bench.py --family tune --seeds 31 41 51 --workdir /tmp/qt365

Per seed, the simulator's readings (``meters simulate --family eval``, hourly, 1 % miners) are copied
with one kind of damage at a time, then ``meters detect`` runs on each copy with the full accounts file,
the temperature and the weekly traffic (as ``quality_bench.py`` does, fused). The kinds (a fixed random generator per
kind, so every run damages the same readings):

* ``clean``: the readings as simulated;
* ``gaps``: collection outages, left empty: 30 % of accounts lose 1-3 runs of 2-10 days;
* ``zero_gaps``: the same outages exported as zeros, the first reading after each carrying the energy
  of the whole gap (a register read late);
* ``sparse_missing``: one reading in twenty missing at random (an hourly curve's collection rate);
* ``spikes``: one reading in 500 multiplied by 3-10 (transmission errors);
* ``quantised``: readings rounded to the meter's 0.01 kWh times a CT multiplier (1-400 by size);
* ``meter_swap``: 20 % of accounts get a new meter: a 1-7 day gap, then ±3 % on everything after;
* ``end_labels``: every reading labelled with the end of its interval (State Grid's 00:15 … 24:00),
  read as if labelled with its start: one interval late;
* ``utc_8h``: 20 % of accounts' timestamps written in UTC without saying so (eight hours early in
  local time) — the importer reads unmarked times as Asia/Shanghai, so no reading can tell; the run's
  clock check can, for the accounts with a working-day rhythm (until 2026-12-06 this kind moved the
  readings eight hours *late*, the other way);
* ``clock_shift``: 20 % of accounts' clocks off by -2, -1, +1 or +8 hours.

Printed per kind: suspects, precision at the ``suspect`` threshold, recall at it and at 1 % FPR,
precision of the field-visit list, the median kW error, the clock check (accounts whose working-day
rhythm is centred at night, of those with one: ``detect.clock_check``), the false suspects and the
missed miners by kind, and the field visits with the false ones among them by kind. Results also go to
``<workdir>/messy.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minesweep.settings")
os.environ.setdefault("MINESWEEP_DEMO", "1")

KINDS = (
    "clean",
    "gaps",
    "zero_gaps",
    "sparse_missing",
    "spikes",
    "quantised",
    "meter_swap",
    "end_labels",
    "utc_8h",
    "clock_shift",
)
HOURS = [f"r{h:03d}" for h in range(24)]
FIGURES = (
    "suspects",
    "precision_at_suspect",
    "recall_at_suspect",
    "recall_at_1pct_fpr",
    "precision_field_visit",
    "kw_error_median",
)


def damage(series: np.ndarray, kind: str, rng: np.random.Generator) -> None:
    """Damage one account's hourly kW series (time order) in place."""
    n = series.size
    if kind in ("gaps", "zero_gaps") and rng.random() < 0.3:
        for _ in range(rng.integers(1, 4)):
            length = int(rng.integers(48, 240))
            start = int(rng.integers(0, max(1, n - length)))
            if kind == "gaps":
                series[start : start + length] = np.nan
                continue
            missed = np.nansum(series[start : start + length])
            series[start : start + length] = 0.0
            if start + length < n:
                series[start + length] += missed
    elif kind == "sparse_missing":
        series[rng.random(n) < 0.05] = np.nan
    elif kind == "spikes":
        hit = rng.random(n) < 0.002
        series[hit] *= rng.uniform(3, 10, hit.sum())
    elif kind == "quantised":
        mean = np.nanmean(series) if np.isfinite(series).any() else 0.0
        multiplier = 1 if mean < 5 else 20 if mean < 50 else 100 if mean < 500 else 400
        step = 0.01 * multiplier
        series[:] = np.round(series / step) * step
    elif kind == "meter_swap" and rng.random() < 0.2:
        start = int(rng.integers(n // 4, 3 * n // 4))
        length = int(rng.integers(24, 24 * 7))
        series[start : start + length] = np.nan
        series[start + length :] *= rng.uniform(0.97, 1.03)
    elif kind == "end_labels":
        series[:] = np.roll(series, 1)
    elif kind == "utc_8h" and rng.random() < 0.2:
        series[:] = np.roll(series, -8)  # what happened at 09:00 is labelled 01:00
    elif kind == "clock_shift" and rng.random() < 0.2:
        series[:] = np.roll(series, int(rng.choice([-2, -1, 1, 8])))


def damaged_copy(source: Path, target: Path, kind: str) -> None:
    """``source`` (an imported hourly dataset) copied to ``target`` with ``kind`` of damage."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy(source / "_dataset.json", target / "_dataset.json")
    rng = np.random.default_rng(zlib.crc32(kind.encode()))
    for part in sorted(source.glob("part-*.parquet")):
        table = pq.read_table(part)
        accounts = np.array(table["account_id"].to_pylist())
        order = np.lexsort((table["day"].to_numpy(), accounts))
        table, accounts = table.take(pa.array(order)), accounts[order]
        values = np.column_stack([table[h].to_numpy() for h in HOURS]).astype(np.float64)
        _, starts = np.unique(accounts, return_index=True)
        for lo, hi in zip(starts, [*starts[1:], len(accounts)], strict=True):
            block = values[lo:hi].reshape(-1)
            damage(block, kind, rng)
            values[lo:hi] = block.reshape(hi - lo, 24)
        columns = {"account_id": table["account_id"], "day": table["day"]}
        columns.update({h: pa.array(values[:, j].astype(np.float32)) for j, h in enumerate(HOURS)})
        pq.write_table(pa.table(columns, schema=table.schema), target / part.name, compression="lz4")


def run_kind(kind: str, seeds: list[Path], scratch: Path) -> dict:
    import pandas as pd
    import quality_bench

    from minesweep.detection.meter.detect import DetectOptions, clock_check, detect

    runs = []
    rhythm = at_night = 0
    for folder in seeds:
        readings = folder / "readings"
        if kind != "clean":
            readings = scratch / f"{folder.name}-{kind}"
            damaged_copy(folder / "readings", readings, kind)
        options = DetectOptions(
            accounts_meta=folder / "accounts.csv",
            temperature=folder / "temperature.csv",
            traffic=folder / "traffic.csv",
            progress=False,
        )
        findings = detect(readings, options)
        clock = clock_check(findings)
        rhythm += clock["working_rhythm"]
        at_night += clock["rhythm_at_night"]
        runs.append(
            {
                "fused": findings.to_pandas(),
                "labels": pd.read_csv(folder / "labels.csv", dtype={"account_id": str}),
                "meta": pd.read_csv(folder / "accounts.csv", dtype={"account_id": str}),
            }
        )
        if kind != "clean":
            shutil.rmtree(readings)
    quality = quality_bench.quality(runs, "fused")
    frame = quality.pop("_frame")
    row = {name: quality[name] for name in FIGURES}
    row["false_suspects"] = frame[(frame.is_mining == 0) & frame.suspect].kind.value_counts().to_dict()
    row["missed"] = frame[(frame.is_mining == 1) & ~frame.suspect].kind.value_counts().to_dict()
    visits = frame.next_step == "field_visit"
    row["field_visits"] = int(visits.sum())
    row["false_visits"] = frame[visits & (frame.is_mining == 0)].kind.value_counts().to_dict()
    row["clock_doubted"] = f"{at_night}/{rhythm}"
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102, 103])
    parser.add_argument("--family", default="eval", choices=["tune", "eval"])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the simulated data here (reused)")
    args = parser.parse_args()

    import django

    django.setup()
    from minesweep.detection.meter.simulate import INTERVALS, SimulationSpec, simulate

    with tempfile.TemporaryDirectory(prefix="messy-bench-") as scratch:
        work = args.workdir or Path(scratch)
        seeds = []
        for seed in args.seeds:
            folder = work / f"{args.family}-{seed}"
            # a folder from before traffic.csv is simulated again: the same readings, and the traffic
            if not (folder / "traffic.csv").exists():
                spec = SimulationSpec(
                    accounts=args.accounts,
                    days=args.days,
                    interval_s=INTERVALS["1h"],
                    mining_share=0.01,
                    seed=seed,
                    family=args.family,
                )
                simulate(spec, folder)
            seeds.append(folder)
        print(f"{args.family} family, seeds {args.seeds}, {work}")
        print(
            f"{'kind':16} {'suspects':>8} {'prec':>6} {'recall':>6} {'r@1%FPR':>7} {'visits':>6} {'kW err':>6}"
        )
        results = {}
        for kind in args.kinds:
            row = run_kind(kind, seeds, Path(scratch))
            results[kind] = row
            print(
                f"{kind:16} {row['suspects']:8d} {row['precision_at_suspect']:6.3f} {row['recall_at_suspect']:6.3f}"
                f" {row['recall_at_1pct_fpr']:7.3f} {row['precision_field_visit']:6.3f} {row['kw_error_median']:6.3f}"
                f"  clock doubted: {row['clock_doubted']}  false: {row['false_suspects']}  missed: {row['missed']}"
                f"  field visits: {row['field_visits']}, false: {row['false_visits']}",
                flush=True,
            )
        report = {"command": " ".join(sys.argv), "family": args.family, "seeds": args.seeds, "kinds": results}
        (work / "messy.json").write_text(json.dumps(report, indent=2, default=float))


if __name__ == "__main__":
    main()
