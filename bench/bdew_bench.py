"""Detection on real load shapes the project never tuned on: the BDEW standard load profiles.

The simulator's two families share one generator, so a weight can still lean on how the generator draws
a load. This bench builds accounts from *measured* shapes instead: the German BDEW standard load profiles
(Standardlastprofile) that ship in the PyPI package ``demandlib`` (MIT) — households (``h0``, the 2025
``h25``), commerce (``g0``–``g6``, ``g25``: ``g3`` is commerce that runs around the clock), agriculture
(``l0``–``l2``, ``l25``) — at 15-minute readings. They are aggregates of many customers, as the
"real aggregate backgrounds" of issue 13's held-out set are. Rigs are added to some of them. The
classic profiles (``--profiles classic``, seed 2025, year 2025) are where a change may be looked at —
the measure of rigs added to a working load and the steady floor that counts only where the site's work
moves were — and the revised ones (``--profiles revised --seed 7 --year 2026``) judge it.

One command (needs the bench lock: ``.venv/bin/python -m pip install -r requirements-bench.lock``)::

    MINESWEEP_DEMO=1 .venv/bin/python bench/bdew_bench.py                 # 40 + 40 accounts per profile, 365 days
    MINESWEEP_DEMO=1 .venv/bin/python bench/bdew_bench.py --noise 0       # the aggregate shapes as they are
    MINESWEEP_DEMO=1 .venv/bin/python bench/bdew_bench.py --profiles revised --seed 7 --year 2026   # the judge

How the accounts are built (fixed before the first run, not changed after it):

* each profile laid on the days of ``--year`` by the Chinese calendar: a Sunday's shape on public
  holidays (the classic profiles also give the 调休 working weekends a working day's shape; demandlib's
  classes for the revised ones keep their weekend shape), scaled to a mean of 1;
* a background account is the profile × a typical size (households median 0.4 kW, commerce 30 kW,
  agriculture 15 kW, log-normal σ 0.5 / 1.0 / 0.8) × its own multiplicative noise: AR(1) per 15-minute
  slot, φ = 0.8, stationary σ = ``--noise`` (default 0.05; an aggregate of many customers is smoother than
  one customer, one account is noisier than the aggregate);
* a mining account is another background of the same profile with rigs added: a count drawn so that the
  rigs draw 0.25–4 × the background's mean (log-uniform, at least one rig), 3.25 kW a rig with 3 % slot
  noise; half run the whole window, half start on a day drawn in its middle three fifths; with
  ``--rigs tariff`` half of them are also cut to 0–70 % in the peak-tariff hours (08-11, 18-22) and each
  is off for 0–4 outages of 1–5 days (the truth is then the mean over the slots they ran);
* the meter alone: the accounts file has the tariff (households residential, commerce commercial,
  agriculture agricultural) and a contract of twice the account's peak; no declared use, no traffic,
  no temperature.

Figures, per profile: the share of the backgrounds flagged as suspects (the false-positive rate at the
``suspect`` threshold), the share of mining accounts flagged (recall at ``suspect``), the precision those
two imply at 1 % miners — recall × 0.01 / (recall × 0.01 + FPR × 0.99) — and the median kW error over the
flagged miners; pooled: ROC-AUC, recall at 1 % FPR, precision at ``suspect`` at 1 % miners; and the
suspects' next steps (field visits and desk checks first, with the miners among each), pooled and per
profile.
Results go to stdout and ``<workdir>/bdew.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minesweep.settings")
os.environ.setdefault("MINESWEEP_DEMO", "1")

CLASSIC = ("h0", "g0", "g1", "g2", "g3", "g4", "g5", "g6", "l0", "l1", "l2")
REVISED = ("h25", "g25", "l25")
SECTOR = {"h": ("residential", 0.4, 0.5), "g": ("commercial", 30.0, 1.0), "l": ("agricultural", 15.0, 0.8)}
RIG_KW = 3.25
SLOTS = 96
INTERVAL_S = 900
PREVALENCE = 0.01
LABEL_COLUMNS = ["account_id", "profile", "is_mining", "mining_kw", "onset", "tariff"]


def day_types(year: int) -> list[str]:
    """BDEW's day type of each day of ``year`` on the Chinese calendar the detector uses
    (:func:`~minesweep.detection.meter.timebase.workday_flags`): ``WT`` on working days (the 调休 weekends
    included), ``SA`` on rest Saturdays, ``FT`` on Sundays and public holidays."""
    from minesweep.detection.meter.timebase import ProfileGrid, day_number_of, workday_flags

    first = dt.date(year, 1, 1)
    working = workday_flags(ProfileGrid(start_day=day_number_of(first), n_days=365, interval_s=INTERVAL_S))
    days = [first + dt.timedelta(days=offset) for offset in range(365)]
    return [
        "WT" if work else ("SA" if day.weekday() == 5 else "FT")
        for day, work in zip(days, working, strict=True)
    ]


def classic_season(day: dt.date) -> str:
    """BDEW's seasons: winter 1 Nov – 20 Mar, summer 15 May – 14 Sep, transition between."""
    md = (day.month, day.day)
    if md >= (11, 1) or md <= (3, 20):
        return "winter"
    return "summer" if (5, 15) <= md <= (9, 14) else "transition"


def h0_dynamisation(day_of_year: np.ndarray) -> np.ndarray:
    """BDEW's factor for the household profile over the year (the published quartic)."""
    t = day_of_year.astype(float)
    return -3.92e-10 * t**4 + 3.2e-7 * t**3 - 7.02e-5 * t**2 + 0.0021 * t + 1.24


def classic_profiles(year: int, types: list[str]) -> dict[str, np.ndarray]:
    """The 1999 profiles (``selp_series.csv``: season × weekday 1–7 × 96 quarter hours), laid on the
    year's days; ``h0`` with its dynamisation."""
    import pandas as pd
    from demandlib.bdew import elec_slp

    table = pd.read_csv(Path(elec_slp._bdew_datapath) / "selp_series.csv", index_col=0)
    weekday_of = {"WT": 3, "SA": 6, "FT": 7}
    out = {}
    days = [dt.date(year, 1, 1) + dt.timedelta(days=d) for d in range(365)]
    for name in CLASSIC:
        rows = [
            table[(table.period == classic_season(day)) & (table.weekday == weekday_of[kind])][name].to_numpy(
                float
            )
            for day, kind in zip(days, types, strict=True)
        ]
        out[name] = np.stack(rows)
    out["h0"] = out["h0"] * h0_dynamisation(np.arange(1, 366))[:, None]
    return out


def revised_profiles(year: int, types: list[str]) -> dict[str, np.ndarray]:
    """The 2025 profiles through demandlib's own classes, with the Chinese public holidays."""
    import pandas as pd
    from demandlib import bdew

    days = [dt.date(year, 1, 1) + dt.timedelta(days=d) for d in range(365)]
    holidays = {
        day: "holiday" for day, kind in zip(days, types, strict=True) if kind == "FT" and day.weekday() < 5
    }
    index = pd.date_range(f"{year}-01-01", periods=365 * SLOTS, freq="15min")
    series = {
        "h25": bdew.H25(index, holidays=holidays),
        "g25": bdew.G25(index, holidays=holidays),
        "l25": bdew.L25(index, holidays=holidays),
    }
    return {name: np.asarray(values, dtype=float).reshape(365, SLOTS) for name, values in series.items()}


def profiles(year: int, which: str) -> dict[str, np.ndarray]:
    """The chosen profiles (``classic``, ``revised`` or ``all``) as (365, 96) kW with a mean of 1."""
    shapes, types = {}, day_types(year)
    if which in ("classic", "all"):
        shapes |= classic_profiles(year, types)
    if which in ("revised", "all"):
        shapes |= revised_profiles(year, types)
    return {name: values / values.mean() for name, values in shapes.items()}


def ar1_noise(rng: np.random.Generator, n: int, sigma: float, phi: float = 0.8) -> np.ndarray:
    """(n, 365 × 96) multiplicative noise 1 + AR(1), stationary σ = ``sigma``."""
    steps = 365 * SLOTS
    if sigma == 0:
        return np.ones((n, steps))
    shocks = rng.normal(0.0, sigma * np.sqrt(1 - phi**2), (n, steps))
    out = np.empty_like(shocks)
    out[:, 0] = rng.normal(0.0, sigma, n)
    for t in range(1, steps):
        out[:, t] = phi * out[:, t - 1] + shocks[:, t]
    return np.clip(1.0 + out, 0.0, None)


PEAK_SLOTS = np.zeros(SLOTS, dtype=bool)
PEAK_SLOTS[8 * 4 : 11 * 4] = PEAK_SLOTS[18 * 4 : 22 * 4] = True  # the peak-tariff hours, 08-11 and 18-22


def rig_load(
    rng: np.random.Generator, rated_kw: np.ndarray, onset: np.ndarray, follow_tariff: bool
) -> np.ndarray:
    """(miners, 365 × 96) kW of the rigs: 3 % slot noise from the onset on. Following the tariff, half of
    them are cut to 0–70 % of their power in the peak-tariff hours, and each is off for 0–4 outages of
    1–5 days a year (a farm's own stops, unpaid bills, grid work)."""
    n = len(rated_kw)
    running = np.repeat(np.arange(365)[None, :] >= onset[:, None], SLOTS, axis=1).astype(float)
    if follow_tariff:
        cut = np.where(rng.random(n) < 0.5, rng.uniform(0.0, 0.7, n), 1.0)
        running *= np.tile(np.where(PEAK_SLOTS[None, :], cut[:, None], 1.0), 365)
        for miner in range(n):
            for _ in range(rng.integers(0, 5)):
                start = rng.integers(0, 365 - 5) * SLOTS
                running[miner, start : start + rng.integers(1, 6) * SLOTS] = 0.0
    return rated_kw[:, None] * running * (1 + 0.03 * rng.standard_normal((n, 365 * SLOTS)))


def build_accounts(
    shapes: dict[str, np.ndarray], per_profile: int, noise: float, seed: int, follow_tariff: bool
):
    """kW (accounts, 365, 96) and per account (id, profile, is_mining, mining kW, onset day, tariff), the
    mining kW being the mean power of the rigs over the slots they ran (as ``est_mining_kw`` is defined)."""
    rng = np.random.default_rng(seed)
    blocks, rows = [], []
    for name, shape in shapes.items():
        tariff, median_kw, sigma = SECTOR[name[0]]
        n = 2 * per_profile
        size = rng.lognormal(np.log(median_kw), sigma, n)
        load = shape.reshape(1, -1) * size[:, None] * ar1_noise(rng, n, noise)
        mining = np.zeros(n)
        onset = np.zeros(n, dtype=int)
        miners = np.arange(per_profile, n)
        ratio = np.exp(rng.uniform(np.log(0.25), np.log(4.0), per_profile))
        rated = np.maximum(1, np.round(ratio * size[miners] / RIG_KW)) * RIG_KW
        late = rng.random(per_profile) < 0.5
        onset[miners] = np.where(late, rng.integers(73, 292, per_profile), 0)
        rigs = rig_load(rng, rated, onset[miners], follow_tariff)
        load[miners] += rigs
        ran = rigs > 0
        mining[miners] = np.where(ran, rigs, 0.0).sum(axis=1) / np.maximum(ran.sum(axis=1), 1)
        blocks.append(load.reshape(n, 365, SLOTS))
        for i in range(n):
            account_id = f"BDEW-{name}-{i:03d}"
            rows.append((account_id, name, int(mining[i] > 0), mining[i], int(onset[i]), tariff))
    return np.concatenate(blocks), rows


def write_dataset(kw: np.ndarray, ids: list[str], year: int, out: Path, interval_s: int = INTERVAL_S) -> Path:
    """The readings as a normalised dataset at ``interval_s`` (15 minutes, or coarser by averaging)."""
    from minesweep.detection.meter import dataset as ds
    from minesweep.detection.meter.timebase import day_number_of

    n = len(ids)
    order = np.argsort(ids)
    slots = 86400 // interval_s
    native = kw[order].reshape(n, 365, slots, SLOTS // slots).mean(axis=3)
    energy = (native * (interval_s / 3600.0)).astype(np.float32).reshape(n * 365, slots)
    first = day_number_of(dt.date(year, 1, 1))
    rows = ds.DayRows(
        [ids[i] for i in order],
        np.repeat(np.arange(n, dtype=np.int64), 365),
        np.tile(np.arange(365, dtype=np.int64) + first, n),
        np.ascontiguousarray(energy.T),
    )
    target = out / "readings"
    staging = ds.new_staging_dir(target)
    ds.write_partition(rows, interval_s, ds.partition_path(staging, 0))
    ds.write_info(
        staging,
        {
            "interval_s": interval_s,
            "partitions": 1,
            "first_day": first,
            "last_day": first + 364,
            "accounts": n,
            "readings": rows.reading_count,
            "partitioning": "crc32",
            "source": "bench/bdew_bench.py",
        },
    )
    ds.publish(staging, target, replace=True)
    return target


def write_meta(kw: np.ndarray, rows: list[tuple], out: Path) -> Path:
    import pandas as pd

    path = out / "accounts.csv"
    peak = kw.reshape(len(rows), -1).max(axis=1)
    pd.DataFrame(
        {
            "account_id": [r[0] for r in rows],
            "tariff": [r[5] for r in rows],
            "contract_kva": np.round(2 * peak, 1),
        }
    ).to_csv(path, index=False)
    return path


def figures(findings, rows: list[tuple]) -> dict:
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    labels = pd.DataFrame(rows, columns=LABEL_COLUMNS)
    m = findings.merge(labels, on="account_id")
    negatives, miners = m[m.is_mining == 0], m[m.is_mining == 1]
    line = np.quantile(negatives.score, 0.99, method="higher")
    per_profile = []
    for name, group in m.groupby("profile", sort=False):
        neg, pos = group[group.is_mining == 0], group[group.is_mining == 1]
        caught = pos[pos.suspect]
        per_profile.append(
            {
                "profile": name,
                "fpr_at_suspect": float(neg.suspect.mean()),
                "recall_at_suspect": float(pos.suspect.mean()),
                "implied_precision": implied_precision(float(pos.suspect.mean()), float(neg.suspect.mean())),
                "recall_late_onset": float(pos[pos.onset > 0].suspect.mean()),
                "kw_error_median": float((caught.est_mining_kw / caught.mining_kw - 1).abs().median())
                if len(caught)
                else float("nan"),
                "negative_routes": neg[neg.suspect].route.value_counts().to_dict(),
                **next_step_counts(group),
            }
        )
    recall, fpr = float(miners.suspect.mean()), float(negatives.suspect.mean())
    caught = miners[miners.suspect]
    kw_error = (caught.est_mining_kw / caught.mining_kw - 1).abs()
    by_basis = {
        basis: {"miners": int(len(group)), "kw_error_median": float(kw_error[group.index].median())}
        for basis, group in caught.groupby("est_basis")
    }
    return {
        "accounts": int(len(m)),
        "roc_auc": float(roc_auc_score(m.is_mining, m.score)),
        "recall_at_1pct_fpr": float((miners.score > line).mean()),
        "fpr_at_suspect": fpr,
        "recall_at_suspect": recall,
        "implied_precision_at_suspect": implied_precision(recall, fpr),
        "kw_error_median": float(kw_error.median()),
        "kw_within_5pct": float((kw_error <= 0.05).mean()),
        "kw_error_by_basis": by_basis,
        **next_step_counts(m),
        "per_profile": per_profile,
    }


def detect_and_count(
    kw: np.ndarray, rows: list[tuple], year: int, work: Path, interval_s: int = INTERVAL_S, **label_columns
) -> dict:
    """Write the readings and the accounts file into ``work``, run ``meters detect`` on them, keep the
    findings and labels there (``label_columns``: more columns for ``labels.csv``) and count."""
    import django
    import pandas as pd

    django.setup()
    from minesweep.detection.meter.detect import DetectOptions, detect

    dataset = write_dataset(kw, [r[0] for r in rows], year, work, interval_s)
    meta = write_meta(kw, rows, work)
    findings = detect(dataset, DetectOptions(accounts_meta=meta, progress=False)).to_pandas()
    findings["route"] = [json.loads(r).get("route", "") for r in findings.reasons]
    pd.DataFrame(rows, columns=LABEL_COLUMNS).assign(**label_columns).to_csv(work / "labels.csv", index=False)
    findings.drop(columns=["reasons", "fusion"], errors="ignore").to_parquet(work / "findings.parquet")
    return figures(findings, rows)


def next_step_counts(group) -> dict:
    """Suspects by next step: field visits (and the miners among them), desk checks first (and miners)."""
    visit, desk = group.next_step == "field_visit", group.next_step == "desk_check"
    return {
        "field_visits": int(visit.sum()),
        "miners_at_field_visit": int((visit & (group.is_mining == 1)).sum()),
        "desk_checks": int(desk.sum()),
        "miners_at_desk_check": int((desk & (group.is_mining == 1)).sum()),
    }


def implied_precision(recall: float, fpr: float) -> float:
    hits = recall * PREVALENCE
    return hits / (hits + fpr * (1 - PREVALENCE)) if hits + fpr else float("nan")


def add_account_arguments(parser: argparse.ArgumentParser, *, noise: float, seed: int) -> None:
    """What every bench built on real load shapes asks: each account's noise, the rigs' habit, the seed and
    where to keep the data (this one and ``simbench_bench.py``)."""
    parser.add_argument("--noise", type=float, default=noise, help="σ of each account's own AR(1) noise")
    parser.add_argument(
        "--rigs",
        choices=("plain", "tariff"),
        default="plain",
        help="plain: rigs run whenever installed; tariff: half cut in the peak hours, and outages",
    )
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--workdir", type=Path, default=None)


def workdir(chosen: Path | None, prefix: str) -> Path:
    """``chosen`` (created if need be), or a new temporary folder."""
    work = chosen or Path(tempfile.mkdtemp(prefix=prefix))
    work.mkdir(parents=True, exist_ok=True)
    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--per-profile", type=int, default=40, help="backgrounds (and as many miners) per profile"
    )
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--interval", choices=("15min", "1h"), default="15min", help="readings' interval")
    parser.add_argument(
        "--profiles",
        choices=("classic", "revised", "all"),
        default="all",
        help="classic: the 1999 profiles (where changes are looked at); revised: the 2025 ones (to judge)",
    )
    add_account_arguments(parser, noise=0.05, seed=2025)
    args = parser.parse_args()

    work = workdir(args.workdir, "bdew-")
    start = time.perf_counter()
    shapes = profiles(args.year, args.profiles)
    kw, rows = build_accounts(shapes, args.per_profile, args.noise, args.seed, args.rigs == "tariff")
    built = time.perf_counter() - start
    interval_s = {"15min": 900, "1h": 3600}[args.interval]
    report = detect_and_count(kw, rows, args.year, work, interval_s) | {
        "noise": args.noise,
        "seed": args.seed,
        "year": args.year,
        "profiles": args.profiles,
        "interval": args.interval,
        "rigs": args.rigs,
    }
    (work / "bdew.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print_report(report, built, time.perf_counter() - start - built, work)


def print_report(report: dict, built: float, detected: float, work: Path) -> None:
    print(
        f"BDEW standard load profiles ({report['profiles']}), {report['year']} at {report['interval']}, rigs {report['rigs']}, noise σ {report['noise']}, seed {report['seed']}: "
        f"{report['accounts']} accounts (built in {built:.0f} s, detected in {detected:.0f} s; {work})"
    )
    print_body(report)


def print_body(report: dict) -> None:
    """The pooled figures, the next steps and one line per profile (or kind)."""
    print(
        f"pooled: ROC-AUC {report['roc_auc']:.3f}, recall at 1 % FPR {report['recall_at_1pct_fpr']:.3f}, "
        f"at suspect: FPR {report['fpr_at_suspect']:.3f}, recall {report['recall_at_suspect']:.3f}, "
        f"precision at 1 % miners {report['implied_precision_at_suspect']:.3f}, "
        f"kW median error {report['kw_error_median']:.3f}"
    )
    print(
        f"next step: field visits {report['field_visits']} ({report['miners_at_field_visit']} miners), "
        f"desk checks first {report['desk_checks']} ({report['miners_at_desk_check']} miners)"
    )
    print(
        f"kW within 5 %: {report['kw_within_5pct']:.3f}; by est_basis: "
        + ", ".join(
            f"{k} {v['kw_error_median']:.3f} ({v['miners']})" for k, v in report["kw_error_by_basis"].items()
        )
    )
    width = max(8, *(len(row["profile"]) for row in report["per_profile"]))
    print(
        f"{'profile':{width}} {'FPR':>6} {'recall':>7} {'late':>6} {'prec@1%':>8} {'kW err':>7} {'visits':>7} {'desk':>5}"
        "  routes of false suspects"
    )
    for row in report["per_profile"]:
        print(
            f"{row['profile']:{width}} {row['fpr_at_suspect']:6.3f} {row['recall_at_suspect']:7.3f} "
            f"{row['recall_late_onset']:6.3f} {row['implied_precision']:8.3f} {row['kw_error_median']:7.3f} "
            f"{row['miners_at_field_visit']:3d}/{row['field_visits']:<3d} {row['miners_at_desk_check']:2d}/"
            f"{row['desk_checks']:<2d} {row['negative_routes']}"
        )


if __name__ == "__main__":
    main()
