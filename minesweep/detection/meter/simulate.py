"""``meters simulate``: a synthetic province of meters with known miners (模拟数据).

Writes into ``out``: ``readings/`` (a normalised dataset, long-form Parquet), ``labels.csv``
(``account_id, is_mining, kind, mining_kw``), ``accounts.csv`` (``account_id, tariff, contract_kva``),
``temperature.csv`` (``date, temp_c``) and, on request, ``readings_wide.csv`` in the State Grid daily
layout. The same seed and arguments give the same files. Shapes are in :mod:`population`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from minesweep.detection.meter import dataset as ds
from minesweep.detection.meter import population as pop
from minesweep.detection.meter.importer import READINGS_PER_PARTITION
from minesweep.detection.meter.timebase import SECONDS_PER_DAY, day_number_of

NEGATIVE_KINDS = {
    "household": 0.52,
    "shop": 0.12,
    "office": 0.07,
    "factory_1shift": 0.05,
    "factory_2shift": 0.04,
    "factory_3shift": 0.04,
    "continuous_plant": 0.04,
    "irrigation": 0.04,
    "clean_heating": 0.05,
    "data_centre": 0.03,
}
MINER_KINDS = {
    "pure_farm": 0.35,
    "hidden_in_factory": 0.15,
    "stepped_farm": 0.15,
    "night_only": 0.10,
    "pausing_farm": 0.10,
    "agricultural_tariff": 0.15,
}
HARD_NEGATIVES = ("data_centre", "continuous_plant", "factory_3shift")
TARIFFS = {
    "household": "residential",
    "shop": "commercial",
    "office": "commercial",
    "factory_1shift": "large_industry",
    "factory_2shift": "large_industry",
    "factory_3shift": "large_industry",
    "continuous_plant": "large_industry",
    "irrigation": "agricultural",
    "clean_heating": "clean_heating",
    "data_centre": "large_industry",
    "pure_farm": "large_industry",
    "hidden_in_factory": "large_industry",
    "stepped_farm": "large_industry",
    "night_only": "commercial",
    "pausing_farm": "large_industry",
    "agricultural_tariff": "agricultural",
}
INTERVALS = {"15min": 900, "30min": 1800, "1h": 3600, "1d": SECONDS_PER_DAY}
RIG_KW = 3.25


@dataclass(frozen=True)
class SimulationSpec:
    accounts: int
    days: int
    interval_s: int
    mining_share: float
    seed: int
    start: dt.date = dt.date(2021, 1, 1)
    wide: bool = False
    partitions: int | None = None


@dataclass
class Generated:
    kw: np.ndarray  # (n, D, P) mean kW at generation resolution
    mining_kw: np.ndarray
    contract_kva: np.ndarray


def simulate(spec: SimulationSpec, out: Path, progress: Callable[[int], None] | None = None) -> Path:
    """Write the simulated files under ``out`` and return the readings dataset path."""
    out.mkdir(parents=True, exist_ok=True)
    kinds = assign_kinds(spec)
    ids = np.array([f"SIM{i:07d}" for i in range(spec.accounts)])
    cal = build_calendar(spec)
    partitions = spec.partitions or max(
        1, spec.accounts * spec.days * (SECONDS_PER_DAY // spec.interval_s) // READINGS_PER_PARTITION + 1
    )
    buckets = ds.bucket_of(pa.array(ids), partitions)
    target = out / "readings"
    staging = ds.new_staging_dir(target)
    labels, meta = [], []
    wide = _WideWriter(out / "readings_wide.csv", cal, spec) if spec.wide else None
    readings = 0
    for bucket in range(partitions):
        members = np.nonzero(buckets == bucket)[0]
        rng = np.random.default_rng([spec.seed, bucket, partitions])
        day_rows, rows = _generate_bucket(rng, ids[members], kinds[members], cal, spec, wide)
        ds.write_partition(day_rows, spec.interval_s, ds.partition_path(staging, bucket))
        readings += day_rows.reading_count
        labels += rows[0]
        meta += rows[1]
        if progress:
            progress(len(members))
    start_day = day_number_of(spec.start)
    ds.write_info(
        staging,
        {
            "interval_s": spec.interval_s,
            "partitions": partitions,
            "first_day": start_day,
            "last_day": start_day + spec.days - 1,
            "accounts": spec.accounts,
            "readings": readings,
            "partitioning": "crc32",
            "source": f"simulate seed={spec.seed}",
        },
    )
    ds.publish(staging, target, replace=True)
    _write_csv(out / "labels.csv", ["account_id", "is_mining", "kind", "mining_kw"], sorted(labels))
    _write_csv(out / "accounts.csv", ["account_id", "tariff", "contract_kva"], sorted(meta))
    _write_csv(
        out / "temperature.csv",
        ["date", "temp_c"],
        [
            [(spec.start + dt.timedelta(days=d)).isoformat(), round(float(t), 2)]
            for d, t in enumerate(cal.temperature_c)
        ],
    )
    if wide:
        wide.close()
    return target


def assign_kinds(spec: SimulationSpec) -> np.ndarray:
    """Kind of every account: ``round(accounts × mining_share)`` miners, the rest by NEGATIVE_KINDS."""
    rng = np.random.default_rng([spec.seed, 0])
    miners = int(round(spec.accounts * spec.mining_share))
    miner_kinds = rng.choice(list(MINER_KINDS), miners, p=list(MINER_KINDS.values()))
    negative_kinds = rng.choice(list(NEGATIVE_KINDS), spec.accounts - miners, p=list(NEGATIVE_KINDS.values()))
    kinds = np.concatenate([miner_kinds, negative_kinds])
    return kinds[rng.permutation(spec.accounts)]


def build_calendar(spec: SimulationSpec) -> pop.Calendar:
    """Slots, workdays (chinese_calendar), Spring Festival shutdowns and a cold, continental-steppe climate (long heating season)."""
    import chinese_calendar

    rng = np.random.default_rng([spec.seed, 1])
    dates = [spec.start + dt.timedelta(days=d) for d in range(spec.days)]
    doy = np.array([d.timetuple().tm_yday for d in dates])
    workday, festival_core = [], []
    for date in dates:
        try:
            workday.append(chinese_calendar.is_workday(date))
            detail = chinese_calendar.get_holiday_detail(date)[1]
            festival_core.append(detail == chinese_calendar.Holiday.spring_festival.value)
        except NotImplementedError:
            workday.append(date.weekday() < 5)
            festival_core.append(False)
    core = np.array(festival_core)
    festival = np.convolve(core.astype(float), np.ones(17), mode="same") > 0 if core.any() else core
    noise = np.zeros(spec.days)
    for d in range(1, spec.days):
        noise[d] = 0.7 * noise[d - 1] + rng.normal(0, 2.5)
    temperature = 5 + 17 * np.sin(2 * np.pi * (doy - 110) / 365.25) + noise
    slots = max(24, SECONDS_PER_DAY // spec.interval_s)
    return pop.Calendar(
        slot_hours=np.arange(slots) * 24.0 / slots,
        day_of_year=doy,
        is_workday=np.array(workday),
        festival=festival,
        temperature_c=temperature,
    )


def _negative(rng: np.random.Generator, kind: str, n: int, cal: pop.Calendar) -> np.ndarray:
    if kind.startswith("factory_"):
        return pop.factory(rng, n, cal, shifts=int(kind[8]))
    generator = getattr(pop, kind)
    return generator(rng, n, cal)


def _onsets(
    rng: np.random.Generator, n: int, days: int, in_window_share: float, latest: float = 0.8
) -> np.ndarray:
    inside = rng.random(n) < in_window_share
    return np.where(inside, rng.integers(int(0.1 * days), max(int(0.1 * days) + 1, int(latest * days)), n), 0)


def _farm_kw(rng: np.random.Generator, n: int, low: int = 20, high: int = 1500) -> np.ndarray:
    rigs = np.clip(np.round(rng.lognormal(np.log(150), 1.0, n)), low, high)
    return rigs * RIG_KW * rng.uniform(1.03, 1.10, n)


def _miner(rng: np.random.Generator, kind: str, n: int, cal: pop.Calendar) -> Generated:
    days = cal.n_days
    if kind in ("pure_farm", "stepped_farm", "pausing_farm"):
        mining_kw = _farm_kw(rng, n)
        host = pop.shop(rng, n, cal) * rng.uniform(0.05, 0.3, n)[:, None, None]
        onset = _onsets(
            rng, n, days, 0.5 if kind == "pure_farm" else 0.7, 0.4 if kind == "stepped_farm" else 0.8
        )
        block = pop.mining_block(rng, mining_kw, cal, onset)
        for i in range(n):
            if kind == "stepped_farm":
                block[i] *= pop.staircase(rng, days, int(onset[i]), int(rng.integers(2, 5)))[:, None]
            if kind == "pausing_farm":
                for _ in range(rng.integers(2, 5)):
                    start = rng.integers(0, max(1, days - 3))
                    block[i, start : start + rng.integers(3, 11)] *= rng.uniform(0.0, 0.1)
        contract = mining_kw * rng.uniform(1.0, 1.3, n)
        return Generated(host + block, mining_kw, contract)
    if kind == "hidden_in_factory":
        base = pop.factory(rng, n, cal, shifts=int(rng.integers(1, 3)))
        factory_peak = np.quantile(base.reshape(n, -1), 0.99, axis=1)
        mining_kw = np.maximum(factory_peak * rng.uniform(0.15, 0.6, n), 10 * RIG_KW)
        block = pop.mining_block(rng, mining_kw, cal, _onsets(rng, n, days, 0.6))
        return Generated(base + block, mining_kw, factory_peak * rng.uniform(1.3, 2.0, n))
    if kind == "night_only":
        base = pop.shop(rng, n, cal)
        mining_kw = _farm_kw(rng, n, 6, 60)
        night = pop._window(cal.slot_hours, np.full(n, 23.0), np.full(n, 7.0))
        block = pop.mining_block(rng, mining_kw, cal, _onsets(rng, n, days, 0.5)) * night[:, None, :]
        peak = np.quantile(base.reshape(n, -1), 0.99, axis=1)
        return Generated(base + block, mining_kw, np.maximum(peak, mining_kw) * rng.uniform(1.1, 1.6, n))
    if kind == "agricultural_tariff":
        base = pop.irrigation(rng, n, cal)
        mining_kw = _farm_kw(rng, n, 15, 400)
        block = pop.mining_block(rng, mining_kw, cal, _onsets(rng, n, days, 0.5))
        peak = np.quantile(base.reshape(n, -1), 0.99, axis=1)
        return Generated(base + block, mining_kw, (peak + mining_kw) * rng.uniform(1.0, 1.5, n))
    raise ValueError(kind)


def _generate_bucket(
    rng: np.random.Generator,
    ids: np.ndarray,
    kinds: np.ndarray,
    cal: pop.Calendar,
    spec: SimulationSpec,
    wide: _WideWriter | None,
) -> tuple[ds.DayRows, tuple[list, list]]:
    n, days = len(ids), spec.days
    kw = np.zeros((n, days, len(cal.slot_hours)))
    mining = np.zeros(n)
    contract = np.zeros(n)
    for kind in np.unique(kinds):
        chosen = np.nonzero(kinds == kind)[0]
        if kind in MINER_KINDS:
            made = _miner(rng, str(kind), len(chosen), cal)
        else:
            load = _negative(rng, str(kind), len(chosen), cal)
            peak = np.quantile(load.reshape(len(chosen), -1), 0.99, axis=1)
            made = Generated(load, np.zeros(len(chosen)), peak * rng.uniform(1.3, 3.0, len(chosen)))
        kw[chosen], mining[chosen], contract[chosen] = (
            np.clip(made.kw, 0, None),
            made.mining_kw,
            made.contract_kva,
        )
    kw = _to_native(kw, spec.interval_s)
    _punch_gaps(rng, kw)
    if wide:
        wide.add(ids, kinds, kw, spec.interval_s)
    labels = [
        [str(a), int(k in MINER_KINDS), str(k), round(float(m), 1)]
        for a, k, m in zip(ids, kinds, mining, strict=True)
    ]
    meta = [
        [str(a), TARIFFS[str(k)], float(np.ceil(c / 10) * 10)]
        for a, k, c in zip(ids, kinds, contract, strict=True)
    ]
    return _day_rows(ids, kw, spec), (labels, meta)


def _to_native(kw: np.ndarray, interval_s: int) -> np.ndarray:
    """Average generation slots onto the native interval (only coarser than hourly needs it)."""
    slots = max(1, SECONDS_PER_DAY // interval_s)
    if kw.shape[2] == slots:
        return kw
    return kw.reshape(kw.shape[0], kw.shape[1], slots, -1).mean(axis=3)


def _punch_gaps(rng: np.random.Generator, kw: np.ndarray) -> None:
    """Meter outages (NaN): a quarter of accounts lose 1–4 blocks of up to 3 days; 0.2 % single losses."""
    n, days, slots = kw.shape
    flat = kw.reshape(n, -1)
    for account in np.flatnonzero(np.asarray(rng.random(n) < 0.25)):
        for _ in range(rng.integers(1, 5)):
            start = rng.integers(0, flat.shape[1])
            flat[account, start : start + rng.integers(1, 3 * slots + 1)] = np.nan
    flat[rng.random(flat.shape) < 0.002] = np.nan


def _day_rows(ids: np.ndarray, kw: np.ndarray, spec: SimulationSpec) -> ds.DayRows:
    """The bucket's readings as dataset day rows (accounts sorted; days without any reading dropped)."""
    n, days, slots = kw.shape
    order = np.argsort(ids)
    energy = (kw[order] * (spec.interval_s / 3600.0)).astype(np.float32).reshape(n * days, slots)
    keep = ~np.isnan(energy).all(axis=1)
    account = np.repeat(np.arange(n, dtype=np.int64), days)[keep]
    day = np.tile(np.arange(days, dtype=np.int64) + day_number_of(spec.start), n)[keep]
    return ds.DayRows([str(a) for a in ids[order]], account, day, np.ascontiguousarray(energy[keep].T))


class _WideWriter:
    """State Grid wide daily CSV: CONS_NO, FLAG, one kWh column per date in shuffled order."""

    def __init__(self, path: Path, cal: pop.Calendar, spec: SimulationSpec) -> None:
        self.dates = [spec.start + dt.timedelta(days=d) for d in range(spec.days)]
        self.order = np.random.default_rng([spec.seed, 2]).permutation(spec.days)
        self.handle = path.open("w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(
            ["CONS_NO", "FLAG", *[f"{d.year}/{d.month}/{d.day}" for d in np.array(self.dates)[self.order]]]
        )

    def add(self, ids: np.ndarray, kinds: np.ndarray, kw: np.ndarray, interval_s: int) -> None:
        counts = (~np.isnan(kw)).sum(axis=2)
        daily = np.nanmean(np.where(counts[:, :, None] > 0, kw, 0), axis=2) * 24
        daily[counts < kw.shape[2]] = np.nan  # a day with any missing reading is missing in the export
        for account, kind, row in zip(ids, kinds, daily, strict=True):
            cells = ["" if np.isnan(v) else f"{v:.2f}" for v in row[self.order]]
            self.writer.writerow([account, int(kind in MINER_KINDS), *cells])

    def close(self) -> None:
        self.handle.close()


def _write_csv(path: Path, header: list[str], rows: list) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
