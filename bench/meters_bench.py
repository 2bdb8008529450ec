"""Meter-detection benchmark: throughput vs the Parquet floor and tsfresh, memory, Dask, quality.

One command (data are generated, never committed)::

    .venv/bin/python bench/meters_bench.py --accounts 20000 --days 365            # the issue's size
    .venv/bin/python bench/meters_bench.py --accounts 2000 --days 365 --tsfresh-accounts 200   # quick

Steps: simulate (fixed seed, 1 % miners, 15-minute readings) into ``--workdir`` (default: a temporary
folder, removed unless ``--keep``); warm the page cache; then, each in a fresh child process so its
peak memory is its own:

* floor   — read the columns detection needs (account_id, ts, kwh) once from the same Parquet files
            with pyarrow and sum the readings with numpy;
* local   — ``meters detect`` end to end (read, kernels, scoring, write findings) on the local engine;
* dask    — the same on a 2-worker ``LocalCluster`` (cluster start-up reported separately);
* tsfresh — twice, ``n_jobs`` = cores, compute time only (its input already in memory), per reading:
            "matched", a hand-picked counterpart of each of our features (mean, max, quantiles, std,
            variation, autocorrelation and FFT power at 1 day and 1 week, changes, daily-chunk trends,
            energy by segment) on ``--tsfresh-accounts``; "efficient", tsfresh's standard
            ``EfficientFCParameters`` on ``--tsfresh-efficient-accounts``.

Quality on the simulator: ROC-AUC overall, recall at 1 % FPR and kW error for pure farms, per-kind table.
Results are printed and written to ``<workdir>/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minesweep.settings")


class TreeMemory:
    """Samples the resident memory of this process and all its descendants every 200 ms.

    ``ru_maxrss`` is not used: on Linux a child inherits its parent's high-water mark at fork, so it
    overstates what a phase itself needed. Reported: the peak of the sum over the process tree and the
    peak of the largest single process.
    """

    def __init__(self) -> None:
        import threading

        self.peak_total = 0
        self.peak_single = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _rss_kib(pid: str) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    @staticmethod
    def _tree(root: int) -> list[str]:
        tree, frontier = [], [str(root)]
        while frontier:
            tree += frontier
            children: list[str] = []
            for pid in frontier:
                for task in Path(f"/proc/{pid}/task").glob("*/children"):
                    try:
                        children += task.read_text().split()
                    except OSError:
                        continue
            frontier = children
        return tree

    def _run(self) -> None:
        root = os.getpid()
        while not self._stop.wait(0.2):
            sizes = [self._rss_kib(pid) for pid in self._tree(root)]
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_single = max(self.peak_single, max(sizes, default=0))

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return {
            "peak_tree_rss_mib": round(self.peak_total / 1024, 1),
            "peak_process_rss_mib": round(self.peak_single / 1024, 1),
        }


# ----------------------------------------------------------------------------- phases (child processes)


def phase_floor(dataset: Path) -> dict[str, object]:
    memory = TreeMemory()
    import numpy as np
    import pandas  # noqa: F401  pyarrow imports these lazily on first use: not part of the work measured
    import pyarrow.dataset  # noqa: F401
    import pyarrow.parquet as pq

    from minesweep.detection.meter import dataset as ds

    info = ds.read_info(dataset)
    columns = [ds.ACCOUNT_COLUMN, ds.DAY_COLUMN, *ds.reading_columns(info.interval_s)]
    start = time.perf_counter()
    total, readings = 0.0, 0
    for path in info.partition_paths:
        table = pq.read_table(path, columns=columns)
        for name in columns[2:]:
            values = table.column(name).to_numpy()
            present = ~np.isnan(values)
            total += float(np.sum(values, where=present))
            readings += int(np.count_nonzero(present))
    return {"seconds": time.perf_counter() - start, "readings": readings, "sum_kwh": total, **memory.stop()}


def phase_detect(dataset: Path, out: Path, engine: str, workers: int) -> dict[str, object]:
    memory = TreeMemory()
    import pandas  # noqa: F401  imported lazily by pyarrow; here once, so forked workers inherit it

    from minesweep.detection.meter.detect import DetectOptions, detect, write_findings

    sim = dataset.parent
    options = DetectOptions(
        engine="local",
        workers=workers,
        accounts_meta=sim / "accounts.csv",
        temperature=sim / "temperature.csv",
        progress=False,
    )
    if engine == "dask":
        from distributed import Client, LocalCluster

        started = time.perf_counter()
        import dask

        from minesweep.detection.meter.runners.dask import worker_environment
        from minesweep.detection.meter.runners.local import prepare_worker

        with dask.config.set({"distributed.nanny.pre-spawn-environ": worker_environment()}):
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
        with Client(cluster.scheduler_address) as warm:  # workers import once, as a forked pool inherits
            warm.run(_warm_imports)
            warm.run(prepare_worker)
        startup = time.perf_counter() - started
        options = DetectOptions(
            engine="dask",
            scheduler=cluster.scheduler_address,
            workers=workers,
            accounts_meta=sim / "accounts.csv",
            temperature=sim / "temperature.csv",
            progress=False,
        )
        start = time.perf_counter()
        findings = detect(dataset, options)
        write_findings(findings, out)
        seconds = time.perf_counter() - start
        cluster.close()
        return {
            "seconds": seconds,
            "startup_seconds": startup,
            "accounts": findings.num_rows,
            **memory.stop(),
        }
    start = time.perf_counter()
    findings = detect(dataset, options)
    write_findings(findings, out)
    return {"seconds": time.perf_counter() - start, "accounts": findings.num_rows, **memory.stop()}


def phase_kernels(dataset: Path, accounts: int) -> dict[str, object]:
    """Our feature computation alone, like tsfresh's timing: partitions covering ``accounts`` accounts are
    read into memory first, then binning + every feature kernel is timed in this one process (tsfresh
    gets ``n_jobs`` = cores, so this favours tsfresh)."""
    memory = TreeMemory()
    import numpy as np

    from minesweep.detection.meter import dataset as ds
    from minesweep.detection.meter.detect import DetectOptions, build_tasks
    from minesweep.detection.meter.kernels.features import compute_features
    from minesweep.detection.meter.kernels.profile import profile_from_day_rows

    tasks, grid = build_tasks(dataset, DetectOptions(progress=False))
    loaded, chosen = [], 0
    for task in tasks:
        partition = ds.read_partition(Path(task.path))
        loaded.append(partition)
        chosen += len(partition.accounts)
        if chosen >= accounts:
            break
    workdays = np.array(tasks[0].is_workday, dtype=bool)
    start = time.perf_counter()
    readings = 0
    for rows in loaded:
        mean_kw, counts = profile_from_day_rows(
            rows.account_index, rows.day, rows.readings, len(rows.accounts), grid
        )
        compute_features(mean_kw, counts, grid, workdays, None)
        readings += rows.reading_count
    return {"seconds": time.perf_counter() - start, "readings": readings, "accounts": chosen, **memory.stop()}


def _warm_imports() -> None:
    import pandas  # noqa: F401  (pyarrow imports it lazily on the first array it builds)

    import minesweep.detection.meter.partition  # noqa: F401


def phase_tsfresh(dataset: Path, accounts: int, jobs: int, feature_set: str) -> dict[str, object]:
    memory = TreeMemory()
    import numpy as np
    import pandas as pd
    from tsfresh import extract_features

    from minesweep.detection.meter import dataset as ds

    info = ds.read_info(dataset)
    frames, chosen = [], 0
    for path in info.partition_paths:
        table = ds.long_table(path, info.interval_s).to_pandas()
        ids = table.account_id.unique()[: accounts - chosen]
        frames.append(table[table.account_id.isin(ids)])
        chosen += len(ids)
        if chosen >= accounts:
            break
    frame = pd.concat(frames)
    frame = pd.DataFrame(
        {
            "id": frame.account_id.astype(str),
            "time": frame.ts.astype("int64"),
            "value": frame.kwh.astype(float) * 3600 / info.interval_s,
        }
    )
    per_day = 86400 // info.interval_s
    days = info.last_day - info.first_day + 1
    # tsfresh counterparts of our features: level and robust peak (load factor, near-peak share),
    # autocorrelation and spectral power at 1 day and 1 week (periodicity), variation and changes
    # (day-to-day variation), daily-chunk trends and energy by segment (steps, onset).
    parameters = {
        "mean": None,
        "maximum": None,
        "minimum": None,
        "standard_deviation": None,
        "variation_coefficient": None,
        "quantile": [{"q": 0.05}, {"q": 0.5}, {"q": 0.99}],
        "count_above_mean": None,
        "autocorrelation": [{"lag": per_day}, {"lag": 7 * per_day}],
        "fft_coefficient": [{"coeff": days, "attr": "abs"}, {"coeff": max(1, days // 7), "attr": "abs"}],
        "change_quantiles": [{"ql": 0.0, "qh": 1.0, "isabs": True, "f_agg": "mean"}],
        "mean_abs_change": None,
        "agg_linear_trend": [
            {"attr": "slope", "chunk_len": per_day, "f_agg": "mean"},
            {"attr": "stderr", "chunk_len": per_day, "f_agg": "mean"},
        ],
        "energy_ratio_by_chunks": [{"num_segments": 12, "segment_focus": i} for i in range(12)],
    }
    if feature_set == "efficient":  # tsfresh's own standard set (777 features), as users run it
        from tsfresh.feature_extraction import EfficientFCParameters

        parameters = EfficientFCParameters()
    start = time.perf_counter()
    features = extract_features(
        frame,
        column_id="id",
        column_sort="time",
        column_value="value",
        default_fc_parameters=parameters,
        n_jobs=jobs,
        disable_progressbar=True,
    )
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "readings": int(len(frame)),
        "accounts": int(features.shape[0]),
        "features": int(features.shape[1]),
        "finite_share": float(np.isfinite(features.to_numpy()).mean()),
        **memory.stop(),
    }


# ----------------------------------------------------------------------------- driver


def _child(args: list[str]) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"phase {args[:2]} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _warm(dataset: Path) -> None:
    for path in sorted(dataset.glob("*.parquet")):
        with path.open("rb") as handle:
            while handle.read(1 << 24):
                pass


def _best(runs: list[dict[str, object]]) -> dict[str, object]:
    return min(runs, key=lambda r: float(r["seconds"]))  # type: ignore[arg-type]


def _quality(findings: Path, labels: Path) -> dict[str, object]:
    import numpy as np
    import pandas as pd

    from minesweep.detection.meter.evaluate import evaluate_files, format_table

    rows = evaluate_files(findings, labels)
    by_group = {r.group: r for r in rows}
    frame = pd.read_parquet(findings).merge(pd.read_csv(labels, dtype={"account_id": str}), on="account_id")
    farms = frame[frame.kind == "pure_farm"]
    error = (farms.est_mining_kw / farms.mining_kw - 1).abs()
    pure = by_group.get("miner:pure_farm")
    return {
        "table": format_table(rows),
        "roc_auc": by_group["overall"].roc_auc,
        "pure_farm_recall_at_1pct_fpr": pure.recall_at_1pct_fpr if pure else float("nan"),
        "pure_farm_kw_error_median": float(np.median(error)) if len(error) else float("nan"),
        "pure_farm_kw_within_10pct": float((error <= 0.10).mean()) if len(error) else float("nan"),
        "suspects": int(frame.suspect.sum()),
        "accounts": int(len(frame)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=20000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--interval", default="15min", choices=["15min", "30min", "1h"])
    parser.add_argument("--mining-share", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--tsfresh-accounts", type=int, default=1000, help="subset for the matched feature set"
    )
    parser.add_argument(
        "--tsfresh-efficient-accounts",
        type=int,
        default=4,
        help="subset for tsfresh's EfficientFCParameters (about 2,000 readings/s: keep it small; 0 skips it)",
    )
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--skip-tsfresh", action="store_true")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.phase:
        print(json.dumps(_run_phase(options.phase, options.args or [])))
        return
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="meters-bench-"))
    try:
        _drive(options, workdir)
    finally:
        if not options.keep and options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _run_phase(name: str, args: list[str]) -> dict[str, object]:
    if name == "floor":
        return phase_floor(Path(args[0]))
    if name == "detect":
        return phase_detect(Path(args[0]), Path(args[1]), args[2], int(args[3]))
    if name == "tsfresh":
        return phase_tsfresh(Path(args[0]), int(args[1]), int(args[2]), args[3])
    if name == "kernels":
        return phase_kernels(Path(args[0]), int(args[1]))
    raise SystemExit(f"unknown phase {name}")


def _drive(options: argparse.Namespace, workdir: Path) -> None:
    from minesweep.detection.meter.simulate import INTERVALS, SimulationSpec, simulate

    sim = workdir / "sim"
    dataset = sim / "readings"
    results: dict[str, object] = {"command": " ".join(sys.argv), "cores": os.cpu_count()}
    if (dataset / "_dataset.json").exists() and json.loads((dataset / "_dataset.json").read_text()).get(
        "format"
    ) != "minesweep.meter/2":  # data simulated by an older version: simulate again
        shutil.rmtree(sim)
    if not (dataset / "_dataset.json").exists():
        start = time.perf_counter()
        spec = SimulationSpec(
            accounts=options.accounts,
            days=options.days,
            interval_s=INTERVALS[options.interval],
            mining_share=options.mining_share,
            seed=options.seed,
        )
        simulate(spec, sim)
        results["simulate_seconds"] = round(time.perf_counter() - start, 1)
    readings = json.loads((dataset / "_dataset.json").read_text())["readings"]
    results["readings"] = readings
    results["dataset_mib"] = round(sum(p.stat().st_size for p in dataset.glob("*.parquet")) / 2**20, 1)
    _warm(dataset)
    floor = _best([_child(["--phase", "floor", "--args", str(dataset)]) for _ in range(options.repeats)])
    local = _best(
        [
            _child(
                [
                    "--phase",
                    "detect",
                    "--args",
                    str(dataset),
                    str(workdir / "findings.parquet"),
                    "local",
                    str(options.workers),
                ]
            )
            for _ in range(options.repeats)
        ]
    )
    results["floor"], results["local"] = floor, local
    results["readings_per_second_local"] = round(readings / float(local["seconds"]))  # type: ignore[arg-type]
    results["ratio_to_floor"] = round(float(local["seconds"]) / float(floor["seconds"]), 2)  # type: ignore[arg-type]
    if not options.skip_dask:
        dask = _best(
            [
                _child(
                    [
                        "--phase",
                        "detect",
                        "--args",
                        str(dataset),
                        str(workdir / "findings-dask.parquet"),
                        "dask",
                        str(options.workers),
                    ]
                )
                for _ in range(options.repeats)
            ]
        )
        results["dask"] = dask
        results["dask_vs_local"] = round(float(dask["seconds"]) / float(local["seconds"]), 2)  # type: ignore[arg-type]
        import pyarrow.parquet as pq

        same = (
            pq.read_table(workdir / "findings.parquet")
            .to_pandas()
            .equals(pq.read_table(workdir / "findings-dask.parquet").to_pandas())
        )
        results["dask_identical_findings"] = bool(same)
    if not options.skip_tsfresh:
        ours_per_reading = float(local["seconds"]) / readings  # type: ignore[arg-type]
        floor_per_reading = float(floor["seconds"]) / readings  # type: ignore[arg-type]
        for feature_set, accounts in (
            ("matched", options.tsfresh_accounts),
            ("efficient", options.tsfresh_efficient_accounts),
        ):
            if accounts <= 0:
                continue
            phase = [
                "--phase",
                "tsfresh",
                "--args",
                str(dataset),
                str(accounts),
                str(options.workers),
                feature_set,
            ]
            # The fast matched set gets the same best-of-repeats as our runs; the standard set once (minutes).
            ts = _best([_child(phase) for _ in range(options.repeats if feature_set == "matched" else 1)])
            theirs_per_reading = float(ts["seconds"]) / float(ts["readings"])  # type: ignore[arg-type]
            results[f"tsfresh_{feature_set}"] = ts
            results[f"speedup_vs_tsfresh_{feature_set}"] = round(theirs_per_reading / ours_per_reading, 1)
            results[f"floor_speedup_vs_tsfresh_{feature_set}"] = round(
                theirs_per_reading / floor_per_reading, 1
            )
            if feature_set == "matched":  # compute against compute: both with the readings in memory
                kernels = _best(
                    [
                        _child(["--phase", "kernels", "--args", str(dataset), str(accounts)])
                        for _ in range(options.repeats)
                    ]
                )
                kernels_per_reading = float(kernels["seconds"]) / float(kernels["readings"])  # type: ignore[arg-type]
                results["kernels_only"] = kernels
                results["kernels_speedup_vs_tsfresh_matched"] = round(
                    theirs_per_reading / kernels_per_reading, 1
                )
    results["quality"] = _quality(workdir / "findings.parquet", sim / "labels.csv")
    _report(results, workdir)


def _report(results: dict[str, object], workdir: Path) -> None:
    quality = results["quality"]
    assert isinstance(quality, dict)
    print(quality.pop("table"))
    (workdir / "results.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    local = results["local"]
    assert isinstance(local, dict)
    peak = float(local["peak_tree_rss_mib"])
    checks = [
        ("within 3x of the floor", float(results["ratio_to_floor"]) <= 3.0),  # type: ignore[arg-type]
        ("peak memory < 2 GiB (whole process tree)", peak < 2048),
        ("ROC-AUC >= 0.98", float(quality["roc_auc"]) >= 0.98),
        ("pure farms: recall >= 0.9 at 1% FPR", float(quality["pure_farm_recall_at_1pct_fpr"]) >= 0.9),
        ("pure farms: median kW error <= 10%", float(quality["pure_farm_kw_error_median"]) <= 0.10),
    ]
    for feature_set in ("matched", "efficient"):
        key = f"speedup_vs_tsfresh_{feature_set}"
        if key in results:
            checks.append(
                (
                    f">= 20x faster than tsfresh ({feature_set} features) per reading",
                    float(results[key]) >= 20,
                )
            )  # type: ignore[arg-type]
    if "kernels_speedup_vs_tsfresh_matched" in results:
        checks.append(
            (
                ">= 20x faster than tsfresh (matched features) per reading, compute only on both sides",
                float(results["kernels_speedup_vs_tsfresh_matched"]) >= 20,  # type: ignore[arg-type]
            )
        )
    if "dask_vs_local" in results:
        checks.append(("dask within 1.3x of local", float(results["dask_vs_local"]) <= 1.3))  # type: ignore[arg-type]
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")


if __name__ == "__main__":
    main()
