"""Detection on a published benchmark's whole-year loads, day after day, never tuned on: SimBench.

The BDEW bench (``bdew_bench.py``) judges on aggregates of many customers, laid day by day from a
table. SimBench (the PyPI package ``simbench``, BSD; in the bench lock) ships whole-year 15-minute load
profiles of a German benchmark grid, 2016, day after day as they came: households (``H0-*``), commerce
(``G0``–``G6``), agriculture (``L0``–``L2``), a band load (``BL-H``), feeder and substation aggregates
(``lv_*``, ``mv_*``, ``hv_urban``, ``HS*``) — and the loads a home adds that draw a flat block of
power for hours, as rigs do: **home EV chargers** (``HLS_*``, one charger's sessions at 3.7, 11 or 22 kW)
and **heat pumps** (``Air_*``, ``Soil_*``, on and off with the cold). Those two are the negatives this
bench adds to what the project measured before: a charger on the valley tariff draws a flat 7 kW from
23:00 as night rigs do, and a heat pump runs long flat hours all winter.

The profiles are split once, before the first run, by name: the ``look`` half is where a change may be
looked at, the ``judge`` half judges it (:data:`LOOK`, :data:`JUDGE`; SimBench's three "complete" data
sets carry the same load profiles, so the split is by profile, not by file). ``H0-H``, ``WB-H``, the
public chargers and ``hv_mixed*`` (net of generation: negative) are left out: what they stand for is not
documented where the bench can cite it.

One command (needs the bench lock: ``.venv/bin/python -m pip install -r requirements-bench.lock``)::

    MINESWEEP_DEMO=1 .venv/bin/python bench/simbench_bench.py --half look
    MINESWEEP_DEMO=1 .venv/bin/python bench/simbench_bench.py --half judge --seed 7

How the accounts are built (fixed before the first run, not changed after it):

* the readings keep the profiles' own dates (1 January – 30 December 2016, 365 days, 15 minutes), so
  their weeks and weather are as measured; the detector applies China's 2016 calendar, whose holidays
  the German loads do not keep (an export from a site that keeps other holidays looks the same);
* each kind's accounts draw a profile of their half at random; a site is the profile scaled to a mean
  size × its own multiplicative AR(1) noise (``--noise``, σ, as ``bdew_bench.py``): households median
  0.35 kW (σ 0.5), commerce 30 kW (σ 1.0), agriculture 15 kW (σ 0.8), the band load 300 kW (σ 1.0),
  aggregates 500 kW (σ 1.0);
* ``household_ev``: a household plus one charger profile at its rated power (the name's 3.7 / 11 /
  22 kW); ``household_heat_pump``: a household plus one heat pump profile at 2–8 kW electric
  (log-uniform) — both on the residential tariff;
* ``household_ev_nightly`` (added after the first run, in the same session, and **modelled, not
  measured**: SimBench's chargers draw 0.1–0.3 kW on average, none charges every night): a household plus
  a home charger on a timer at the valley's start that charges, almost every night, what the day's
  driving used — a ride-hailing driver's habit — until the battery is full, the last tenth of the energy
  at half power (:data:`NIGHTLY`: a 7 kW wall box and a portable cable that charges through the whole
  valley to look at — the cable added after the first look — and a wider habit to judge);
* half of each kind's accounts get rigs exactly as in ``bdew_bench.py`` (0.25–4 × the site's mean, at
  least one rig of 3.25 kW, 3 % slot noise, half from a day in the middle three fifths; ``--rigs
  tariff``: half cut in the peak hours, and outages);
* the meter alone, as in ``bdew_bench.py``: tariff and a contract of twice the peak, no declared use,
  no traffic, no temperature.

Figures per kind and pooled, as ``bdew_bench.py`` prints them (its functions do the counting), with the
suspects' next steps. Results go to stdout and ``<workdir>/simbench.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from dataclasses import dataclass
from pathlib import Path

import bdew_bench as bdew  # the same account building, readings, figures and report (sets up Django's env)
import numpy as np

YEAR = 2016
DAYS = 365
SLOTS = bdew.SLOTS
DATA_SET = "1-complete_data-mixed-all-0-sw"

LOOK = {
    "household": ("H0-A", "H0-C", "H0-L"),
    "charger": ("HLS_A_3.7", "HLS_B_11.0"),
    "heat_pump": ("Air_Alternative_1", "Air_Semi-Parallel_1", "Soil_Alternative_1"),
    "commerce": ("G0-A", "G1-A", "G1-C", "G3-A", "G4-A", "G5-A"),
    "agriculture": ("L0-A", "L2-A"),
    "band_load": ("BL-H",),
    "aggregate": ("lv_rural1", "lv_semiurb4", "mv_rural", "mv_urban")
    + tuple(f"HS{i}" for i in range(0, 28, 2)),
}
JUDGE = {
    "household": ("H0-B", "H0-G"),
    "charger": ("HLS_A_11.0", "HLS_B_3.7", "HLS_C_3.7", "HLS_A_22.0"),
    "heat_pump": (
        "Air_Parallel_1",
        "Air_Alternative_2",
        "Air_Parallel_2",
        "Air_Semi-Parallel_2",
        "Soil_Alternative_2",
    ),
    "commerce": ("G0-M", "G1-B", "G2-A", "G3-H", "G3-M", "G4-B", "G4-H", "G4-M", "G6-A"),
    "agriculture": ("L1-A", "L2-M"),
    "band_load": (),
    "aggregate": (
        "lv_rural2",
        "lv_rural3",
        "lv_semiurb5",
        "lv_urban6",
        "mv_semiurb",
        "mv_comm",
        "mv_add1",
        "mv_add2",
        "hv_urban",
    )
    + tuple(f"HS{i}" for i in range(1, 28, 2)),
}
# kind -> (tariff, median mean kW, σ of its log, profile group)
KINDS = {
    "household": ("residential", 0.35, 0.5, "household"),
    "household_ev": ("residential", 0.35, 0.5, "household"),
    "household_heat_pump": ("residential", 0.35, 0.5, "household"),
    "commerce": ("commercial", 30.0, 1.0, "commerce"),
    "agriculture": ("agricultural", 15.0, 0.8, "agriculture"),
    "band_load": ("large_industry", 300.0, 1.0, "band_load"),
    "aggregate": ("commercial", 500.0, 1.0, "aggregate"),
    "household_ev_nightly": (
        "residential",
        0.35,
        0.5,
        "household",
    ),  # last: the kinds before keep their draws
}


def profile_file() -> Path:
    spec = importlib.util.find_spec("simbench")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "simbench is not installed: .venv/bin/python -m pip install -r requirements-bench.lock"
        )
    return Path(spec.submodule_search_locations[0]) / "networks" / DATA_SET / "LoadProfile.csv"


def read_profiles(names: list[str]) -> dict[str, np.ndarray]:
    """Each named profile's active power as (365, 96), as SimBench gives it (relative to its peak)."""
    import pandas as pd

    table = pd.read_csv(profile_file(), sep=";", usecols=[f"{n}_pload" for n in names])
    return {n: table[f"{n}_pload"].to_numpy(float)[: DAYS * SLOTS].reshape(DAYS, SLOTS) for n in names}


@dataclass(frozen=True)
class ChargerHabits:
    """How a home charger on the valley tariff is used: each account draws its power, the hour its timer
    starts, its mean energy a night, that energy's spread (σ over the mean) and the share of nights it
    charges, from these ranges (uniform; ``starts``: a choice)."""

    power_kw: tuple[float, float]
    starts: tuple[float, ...]
    kwh: tuple[float, float]
    spread: tuple[float, float]
    nights: tuple[float, float]


NIGHTLY = {  # each account draws one of its half's habits (a half with one habit draws nothing for it)
    "look": (
        # a ride-hailing driver's 7 kW wall box
        ChargerHabits(
            power_kw=(7.0, 7.0), starts=(23.0,), kwh=(35.0, 35.0), spread=(0.23, 0.23), nights=(0.92, 0.92)
        ),
        # the portable cable on a household socket (2.2-3.5 kW): a commuter's need takes the whole valley
        ChargerHabits(
            power_kw=(2.2, 3.5), starts=(23.0,), kwh=(18.0, 28.0), spread=(0.2, 0.3), nights=(0.8, 0.95)
        ),
    ),
    "judge": (
        ChargerHabits(
            power_kw=(3.5, 11.0),
            starts=(22.0, 23.0, 24.0),
            kwh=(15.0, 45.0),
            spread=(0.15, 0.30),
            nights=(0.7, 1.0),
        ),
    ),
}
BATTERY_KWH = 75.0


def nightly_charging(rng: np.random.Generator, n: int, choices: tuple[ChargerHabits, ...]) -> np.ndarray:
    """(n, 365 × 96) kW of ``n`` home chargers, each used as one of ``choices`` says, night after night."""
    out = np.zeros((n, (DAYS + 2) * SLOTS))
    for account in range(n):
        habits = choices[rng.integers(len(choices))] if len(choices) > 1 else choices[0]
        power = rng.uniform(*habits.power_kw)
        start = int(rng.choice(habits.starts) * 4)
        mean_kwh, spread, nights = (
            rng.uniform(*habits.kwh),
            rng.uniform(*habits.spread),
            rng.uniform(*habits.nights),
        )
        for day in np.flatnonzero(rng.random(DAYS) < nights):
            energy = float(np.clip(rng.normal(mean_kwh, spread * mean_kwh), 2.0, BATTERY_KWH))
            full = 0.9 * energy / power * 4  # quarter hours at full power, then the last tenth at half
            t = day * SLOTS + start
            whole = int(full)
            out[account, t : t + whole] += power
            out[account, t + whole] += power * (full - whole)
            taper = int(round(0.1 * energy / (power / 2) * 4))
            out[account, t + whole + 1 : t + whole + 1 + taper] += power / 2
    return out[:, : DAYS * SLOTS]


def charger_kw(name: str) -> float:
    return float(name.rsplit("_", 1)[1])


def site_loads(
    rng: np.random.Generator, kind: str, n: int, half: str, shapes: dict, noise: float
) -> tuple[np.ndarray, list[str]]:
    """(n, 365 × 96) kW of ``n`` sites of ``kind`` and the profiles each was built from."""
    split = LOOK if half == "look" else JUDGE
    tariff, median_kw, sigma, group = KINDS[kind]
    picks = rng.choice(split[group], n)
    size = rng.lognormal(np.log(median_kw), sigma, n)
    base = np.stack([shapes[p].ravel() / shapes[p].mean() for p in picks]) * size[:, None]
    load = base * bdew.ar1_noise(rng, n, noise)
    names = list(picks)
    if kind == "household_ev":
        chargers = rng.choice(split["charger"], n)
        load += np.stack([np.clip(shapes[c].ravel(), 0, None) * charger_kw(c) for c in chargers])
        names = [f"{p}+{c}" for p, c in zip(picks, chargers, strict=True)]
    elif kind == "household_heat_pump":
        pumps = rng.choice(split["heat_pump"], n)
        rated = np.exp(rng.uniform(np.log(2.0), np.log(8.0), n))
        load += np.stack(
            [np.clip(shapes[h].ravel(), 0, None) * kw for h, kw in zip(pumps, rated, strict=True)]
        )
        names = [f"{p}+{h}" for p, h in zip(picks, pumps, strict=True)]
    elif kind == "household_ev_nightly":
        load += nightly_charging(rng, n, NIGHTLY[half])
        names = [f"{p}+nightly charger ({half})" for p in picks]
    return load, names


def build_accounts(half: str, per_kind: int, noise: float, seed: int, follow_tariff: bool):
    """kW (accounts, 365, 96) and per account the label rows ``bdew_bench.figures`` counts (its
    ``profile`` column holds the kind) and each account's source profiles."""
    split = LOOK if half == "look" else JUDGE
    rng = np.random.default_rng(seed)
    shapes = read_profiles(sorted({p for names in split.values() for p in names}))
    blocks, rows, sources = [], [], []
    for kind in KINDS:
        if not split[KINDS[kind][3]]:
            continue
        n = 2 * per_kind
        load, names = site_loads(rng, kind, n, half, shapes, noise)
        mean_kw = load.mean(axis=1)
        mining = np.zeros(n)
        onset = np.zeros(n, dtype=int)
        miners = np.arange(per_kind, n)
        ratio = np.exp(rng.uniform(np.log(0.25), np.log(4.0), per_kind))
        rated = np.maximum(1, np.round(ratio * mean_kw[miners] / bdew.RIG_KW)) * bdew.RIG_KW
        late = rng.random(per_kind) < 0.5
        onset[miners] = np.where(late, rng.integers(73, 292, per_kind), 0)
        rigs = bdew.rig_load(rng, rated, onset[miners], follow_tariff)
        load[miners] += rigs
        ran = rigs > 0
        mining[miners] = np.where(ran, rigs, 0.0).sum(axis=1) / np.maximum(ran.sum(axis=1), 1)
        blocks.append(load.reshape(n, DAYS, SLOTS))
        for i in range(n):
            rows.append(
                (f"SB-{kind}-{i:03d}", kind, int(mining[i] > 0), mining[i], int(onset[i]), KINDS[kind][0])
            )
            sources.append(names[i])
    return np.concatenate(blocks), rows, sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--per-kind", type=int, default=100, help="sites without rigs (and as many with) per kind"
    )
    parser.add_argument(
        "--half", choices=("look", "judge"), default="look", help="look at changes; judge them"
    )
    bdew.add_account_arguments(parser, noise=0.02, seed=2016)
    args = parser.parse_args()

    work = bdew.workdir(args.workdir, "simbench-")
    start = time.perf_counter()
    kw, rows, sources = build_accounts(args.half, args.per_kind, args.noise, args.seed, args.rigs == "tariff")
    built = time.perf_counter() - start
    settings = {key: value for key, value in vars(args).items() if key != "workdir"}
    report = bdew.detect_and_count(kw, rows, YEAR, work, sources=sources) | settings
    (work / "simbench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(
        f"SimBench load profiles ({args.half} half), {YEAR} at 15min, rigs {args.rigs}, noise σ {args.noise}, "
        f"seed {args.seed}: {report['accounts']} accounts (built in {built:.0f} s, detected in "
        f"{time.perf_counter() - start - built:.0f} s; {work})"
    )
    bdew.print_body(report)


if __name__ == "__main__":
    main()
