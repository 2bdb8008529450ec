"""Detection-quality benchmark on the simulator's *eval* family (weights are set on *tune*).

One command (data are generated into a temporary folder, never committed)::

    MINESWEEP_DEMO=1 .venv/bin/python bench/quality_bench.py                       # 5,000 × 365 days, seeds 101-103
    MINESWEEP_DEMO=1 .venv/bin/python bench/quality_bench.py --accounts 2000 --seeds 101

Per seed: ``meters simulate --family eval --mining-share 0.01`` (hourly readings by default), then
``meters detect`` twice on the local engine — with the full accounts file (tariff, contract, declared
use, mean traffic: the fused score) and with tariff and contract only (the meter alone) — and the
figures of issue 13 against its targets, pooled over the seeds:

* precision at the ``suspect`` threshold (≥ 0.8);
* recall at 1 % false-positive rate (≥ 0.9), and per kind of miner at that same threshold;
* share of legitimate data centres *with known traffic* flagged as suspects (≤ 2 %), and of
  continuous-process plants flagged (≤ 5 %), with every negative kind's flagged share;
* median |est_mining_kw / true kW − 1| over the miners flagged as suspects (≤ 5 %), where the true kW
  is the mean power of the mining load over the hours it ran (``labels.csv``);
* fusion overhead: time of the fusion step (:func:`fusion.fuse`) over the time of ``meters detect``
  end to end (≤ 10 %).

Results go to stdout and ``<workdir>/quality.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minesweep.settings")
os.environ.setdefault("MINESWEEP_DEMO", "1")

TARGETS = {
    "precision_at_suspect": (">=", 0.8),
    "recall_at_1pct_fpr": (">=", 0.9),
    "data_centres_known_traffic_flagged": ("<=", 0.02),
    "continuous_plants_flagged": ("<=", 0.05),
    "kw_error_median": ("<=", 0.05),
    "fusion_overhead": ("<=", 0.10),
}


def run_seed(seed: int, args: argparse.Namespace, work: Path) -> dict:
    import pandas as pd

    from minesweep.detection.meter.detect import DetectOptions, detect
    from minesweep.detection.meter.simulate import INTERVALS, SimulationSpec, simulate

    out = work / f"{args.family}-{seed}"
    if not (out / "traffic.csv").exists():  # (a folder from before traffic.csv: the same readings again)
        simulate(
            SimulationSpec(
                accounts=args.accounts,
                days=args.days,
                interval_s=INTERVALS[args.interval],
                mining_share=0.01,
                seed=seed,
                family=args.family,
            ),
            out,
        )
    meter_only = out / "accounts_meter_only.csv"
    pd.read_csv(out / "accounts.csv", dtype={"account_id": str})[
        ["account_id", "tariff", "contract_kva"]
    ].to_csv(meter_only, index=False)
    results = {}
    for name, meta, traffic in (
        ("fused", out / "accounts.csv", out / "traffic.csv"),
        ("meter_only", meter_only, None),
    ):
        options = DetectOptions(
            accounts_meta=meta,
            temperature=out / "temperature.csv",
            traffic=traffic,
            workers=args.workers,
            progress=False,
        )
        start = time.perf_counter()
        table = rescore(out, options) if args.reuse_features else detect(out / "readings", options)
        results[f"{name}_seconds"] = time.perf_counter() - start
        results[name] = table.to_pandas()
    results["fusion_seconds"] = time_fusion(results["fused"], out)
    results["labels"] = pd.read_csv(out / "labels.csv", dtype={"account_id": str})
    results["meta"] = pd.read_csv(out / "accounts.csv", dtype={"account_id": str})
    return results


def rescore(out: Path, options):
    """Scores from the features of an earlier run in ``out`` (kept in ``features.parquet``): weights
    and fusion can be tried in seconds. Timings of such a run are not detect timings. The features are
    computed again when a feature was added since; a feature whose definition changed is not noticed —
    delete ``features.parquet`` then."""
    import pyarrow.parquet as pq

    from minesweep.detection.meter.detect import build_tasks, run_engine
    from minesweep.detection.meter.kernels.features import FEATURE_DOCS
    from minesweep.detection.meter.scoring import score_table
    from minesweep.detection.meter.sources import read_accounts_meta, read_traffic_periods

    tasks, grid = build_tasks(out / "readings", options)
    cached = out / "features.parquet"
    if cached.exists() and set(FEATURE_DOCS) <= set(pq.read_schema(cached).names):
        features = pq.read_table(cached)
    else:  # none yet, or one from before a feature was added
        features = run_engine(tasks, options)
        pq.write_table(features, cached)
    meta = read_accounts_meta(options.accounts_meta)
    traffic = read_traffic_periods(options.traffic, grid.start_day, grid.n_days) if options.traffic else None
    return score_table(features, grid, meta=meta, has_temperature=True, traffic=traffic)


def time_fusion(findings, out: Path) -> float:
    """Seconds of the fusion step alone on this run's accounts, reading of the traffic file included
    (best of 3)."""
    import numpy as np
    import pyarrow as pa

    from minesweep.detection.meter import dataset as ds
    from minesweep.detection.meter.fusion import FusionInputs, fuse
    from minesweep.detection.meter.sources import read_accounts_meta, read_traffic_periods

    meta = read_accounts_meta(out / "accounts.csv")
    columns = {
        name: findings[f"f_{name}"].to_numpy(float)
        for name in ("mean_kw", "onset_day", "kw_before_onset", "kw_after_onset", "working_hours_centre")
    }
    info = ds.read_info(out / "readings")
    route = np.array([json.loads(r).get("route", "") for r in findings["reasons"]])
    score = findings["meter_score"].to_numpy(float)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        traffic = read_traffic_periods(
            out / "traffic.csv", info.first_day, info.last_day - info.first_day + 1
        )
        inputs = FusionInputs.of(pa.array(findings["account_id"]).to_pylist(), meta, traffic)
        fuse(
            np.clip(score, 1e-9, 1 - 1e-9),
            columns,
            inputs,
            True,
            route=route,
            mining_kw=findings["est_mining_kw"].to_numpy(float),
        )
        best = min(best, time.perf_counter() - start)
    return best


def quality(runs: list[dict], key: str) -> dict:
    import numpy as np
    import pandas as pd

    frames = []
    for i, run in enumerate(runs):
        merged = (
            run[key]
            .merge(run["labels"], on="account_id")
            .merge(
                run["meta"][["account_id", "mean_mbps"]].rename(columns={"mean_mbps": "known_mbps"}),
                on="account_id",
            )
        )
        negatives = merged[merged.is_mining == 0]
        merged["above_1pct"] = merged.score > np.quantile(negatives.score, 0.99, method="higher")
        merged["seed_index"] = i
        frames.append(merged)
    m = pd.concat(frames)
    miners, negatives = m[m.is_mining == 1], m[m.is_mining == 0]
    flagged = m[m.suspect]
    caught = miners[miners.suspect]
    kw_error = (caught.est_mining_kw / caught.mining_kw - 1).abs()
    visit = m[m.next_step == "field_visit"]
    desk = m[m.next_step == "desk_check"]
    dc = negatives[negatives.kind == "data_centre"]
    per_kind = (
        m.groupby("kind")
        .agg(
            accounts=("score", "size"),
            is_mining=("is_mining", "max"),
            suspects=("suspect", "mean"),
            above_1pct_fpr=("above_1pct", "mean"),
            kw_error=("est_mining_kw", lambda s: np.nan),
        )
        .reset_index()
    )
    for kind in per_kind.kind:
        rows = caught[caught.kind == kind]
        if len(rows):
            per_kind.loc[per_kind.kind == kind, "kw_error"] = float(
                (rows.est_mining_kw / rows.mining_kw - 1).abs().median()
            )
    return {
        "accounts": int(len(m)),
        "miners": int(len(miners)),
        "suspects": int(len(flagged)),
        "precision_at_suspect": float(flagged.is_mining.mean()) if len(flagged) else float("nan"),
        "recall_at_suspect": float(miners.suspect.mean()),
        "recall_at_1pct_fpr": float(miners.above_1pct.mean()),
        # the same suspects split by next step: field visit (data-centre explanation ruled out or not
        # applicable) and desk check first (flat load, traffic unknown, registry allows a data centre)
        "field_visits": int(len(visit)),
        "precision_field_visit": float(visit.is_mining.mean()) if len(visit) else float("nan"),
        "recall_field_visit": float((miners.next_step == "field_visit").mean()),
        "desk_checks": int(len(desk)),
        "desk_check_miner_share": float(desk.is_mining.mean()) if len(desk) else float("nan"),
        "desk_checks_by_kind": desk.kind.value_counts().to_dict(),
        "data_centres_known_traffic": int(dc.known_mbps.notna().sum()),
        "data_centres_known_traffic_flagged": float(dc[dc.known_mbps.notna()].suspect.mean()),
        "data_centres_unknown_traffic_flagged": float(dc[dc.known_mbps.isna()].suspect.mean()),
        "continuous_plants_flagged": float(negatives[negatives.kind == "continuous_plant"].suspect.mean()),
        "kw_error_median": float(kw_error.median()),
        "kw_within_5pct": float((kw_error <= 0.05).mean()),
        "per_kind": per_kind.to_dict(orient="records"),
        "_frame": m.assign(route=[json.loads(r).get("route", "") for r in m.reasons]).drop(
            columns=["reasons", "fusion"]
        ),
    }


def verdict(name: str, value: float) -> str:
    if name not in TARGETS:
        return ""
    op, target = TARGETS[name]
    ok = value >= target if op == ">=" else value <= target
    return f"{'PASS' if ok else 'FAIL'} ({op} {target})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--interval", default="1h", choices=["15min", "30min", "1h"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102, 103])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None, help="keep the data here (reused next time)")
    parser.add_argument(
        "--family",
        default="eval",
        choices=["tune", "eval"],
        help="simulator family: set weights on tune (e.g. seeds 31 41), measure on eval (seeds 101-103)",
    )
    parser.add_argument(
        "--reuse-features",
        action="store_true",
        help="keep the meter features in the workdir and only rescore (for tuning; timings are then meaningless)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    with tempfile.TemporaryDirectory(prefix="quality-bench-") as scratch:
        work = args.workdir or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        runs = [run_seed(seed, args, work) for seed in args.seeds]
        report = {
            "command": " ".join(sys.argv),
            "family": args.family,
            "size": f"{args.accounts} accounts × {args.days} days at {args.interval}, 1 % miners, seeds {args.seeds}",
            "fused": quality(runs, "fused"),
            "meter_only": quality(runs, "meter_only"),
            "detect_seconds": sum(r["fused_seconds"] for r in runs),
            "fusion_seconds": sum(r["fusion_seconds"] for r in runs),
        }
        for key in ("fused", "meter_only"):
            report[key].pop("_frame").to_parquet(work / f"{args.family}-{key}-scored.parquet")
        report["fused"]["fusion_overhead"] = report["fusion_seconds"] / report["detect_seconds"]
        print_report(report)
        (work / "quality.json").write_text(json.dumps(report, indent=2, default=float))


def print_report(report: dict) -> None:
    print(f"{report['family']} family: {report['size']}")
    for key in ("fused", "meter_only"):
        q = report[key]
        print(f"\n== {key} ({q['accounts']} accounts, {q['miners']} miners, {q['suspects']} suspects)")
        for name in (
            "precision_at_suspect",
            "recall_at_suspect",
            "recall_at_1pct_fpr",
            "precision_field_visit",
            "recall_field_visit",
            "desk_check_miner_share",
            "data_centres_known_traffic_flagged",
            "data_centres_unknown_traffic_flagged",
            "continuous_plants_flagged",
            "kw_error_median",
            "kw_within_5pct",
            "fusion_overhead",
        ):
            if name in q:
                print(f"  {name:<38} {q[name]:.3f}  {verdict(name, q[name]) if key == 'fused' else ''}")
        print(
            f"  field visits {q['field_visits']}, desk checks first {q['desk_checks']}: {q['desk_checks_by_kind']}"
        )
        print(f"  {'kind':<24} {'n':>5} {'miner':>5} {'suspect':>8} {'>1%FPR':>7} {'kW err':>7}")
        for row in q["per_kind"]:
            print(
                f"  {row['kind']:<24} {row['accounts']:>5} {row['is_mining']:>5} {row['suspects']:>8.3f} "
                f"{row['above_1pct_fpr']:>7.3f} {row['kw_error']:>7.3f}"
            )


if __name__ == "__main__":
    main()
