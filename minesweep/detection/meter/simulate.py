"""``meters simulate``: a synthetic province of meters with known miners (模拟数据).

Writes into ``out``: ``readings/`` (a normalised dataset), ``labels.csv`` (``account_id, is_mining,
kind, mining_kw, mining_hours, mining_kwh``: kW is the mean power of the mining load over the hours it
ran), ``accounts.csv`` (``account_id, tariff, contract_kva, declared_use, mean_mbps``: what a
registry and a flow pipeline would know, empty where they would not), ``traffic.csv`` (``account_id,
start, end, mean_mbps``: the same flow pipeline's weekly means, for the accounts whose traffic is known:
a data centre's follows its IT load day by day, rigs add a few kbit/s from their onset, every week varies
by about a tenth), ``temperature.csv`` (``date,
temp_c``) and, on request, ``readings_wide.csv`` in the State Grid daily layout. The same seed, family
and arguments give the same files. A share of the data centres open a new hall during the window (their
load and traffic rise together, :func:`_open_new_halls`). Shapes are in :mod:`population`, parameter ranges in
:mod:`families` (``tune`` to set weights on, ``eval`` to measure on).
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
from minesweep.detection.meter.families import TUNE, Family, family_named
from minesweep.detection.meter.importer import READINGS_PER_PARTITION
from minesweep.detection.meter.timebase import SECONDS_PER_DAY, day_number_of

HARD_NEGATIVES = ("data_centre", "continuous_plant", "factory_3shift", "cold_store", "hospital")
MINER_KINDS = tuple(TUNE.miner_kinds)
TARIFFS = {
    "household": "residential",
    "heating_household": "clean_heating",
    "shop": "commercial",
    "office": "commercial",
    "factory_1shift": "large_industry",
    "factory_2shift": "large_industry",
    "factory_3shift": "large_industry",
    "continuous_plant": "large_industry",
    "irrigation": "agricultural",
    "clean_heating": "clean_heating",
    "data_centre": "large_industry",
    "cold_store": "large_industry",
    "hospital": "commercial",
    "pure_farm": "large_industry",
    "disguised_data_centre": "large_industry",
    "hidden_in_factory": "large_industry",
    "hidden_in_data_centre": "large_industry",
    "stepped_farm": "large_industry",
    "night_only": "commercial",
    "pausing_farm": "large_industry",
    "agricultural_tariff": "agricultural",
}
# What the registry says the site is for (empty when it does not know).
DECLARED_USE = {
    "household": "household",
    "heating_household": "household",
    "shop": "commercial",
    "office": "office",
    "factory_1shift": "manufacturing",
    "factory_2shift": "manufacturing",
    "factory_3shift": "manufacturing",
    "continuous_plant": "manufacturing",
    "irrigation": "agriculture",
    "clean_heating": "heating",
    "data_centre": "data_center",
    "cold_store": "cold_storage",
    "hospital": "hospital",
    "disguised_data_centre": "data_center",
    "hidden_in_factory": "manufacturing",
    "hidden_in_data_centre": "data_center",
    "night_only": "commercial",
    "agricultural_tariff": "agriculture",
}
FARM_COVER_STORIES = ("manufacturing", "commercial", "warehouse", "data_center")
# Mean traffic of a site's own business (not rigs, not a data centre's IT load): log-normal
# (median Mbps, sigma). A mining rig adds a few kbit/s (Stratum shares), a data centre's traffic
# scales with its IT load (Family.dc_mbps_per_kw).
BUSINESS_MBPS = {
    "household": (1.5, 1.0),
    "heating_household": (1.5, 1.0),
    "shop": (3.0, 1.0),
    "office": (20.0, 1.0),
    "factory": (10.0, 1.0),
    "continuous_plant": (15.0, 1.0),
    "irrigation": (0.05, 1.0),
    "clean_heating": (0.5, 1.0),
    "cold_store": (3.0, 1.0),
    "hospital": (60.0, 0.8),
}
RIG_KBPS = (2.0, 12.0)
OFFICE_KW = 60.0  # median office load in population.office: BUSINESS_MBPS["office"] is for this size
LABEL_COLUMNS = ["account_id", "is_mining", "kind", "mining_kw", "mining_hours", "mining_kwh"]
META_COLUMNS = ["account_id", "tariff", "contract_kva", "declared_use", "mean_mbps"]
TRAFFIC_COLUMNS = ["account_id", "start", "end", "mean_mbps"]
TRAFFIC_PERIOD_DAYS = 7
TRAFFIC_WEEKLY_SIGMA = 0.1
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
    family: str = "tune"


@dataclass
class Generated:
    """One kind's accounts at generation resolution: total kW (n, D, P), the mining block (zeros for
    negatives), the site's mean network traffic in Mbps (before it is known or not) and, where it changes
    over the window, its traffic day by day (n, D)."""

    kw: np.ndarray
    mining: np.ndarray | None
    rated_kw: np.ndarray
    mbps: np.ndarray
    mbps_days: np.ndarray | None = None


def simulate(spec: SimulationSpec, out: Path, progress: Callable[[int], None] | None = None) -> Path:
    """Write the simulated files under ``out`` and return the readings dataset path."""
    out.mkdir(parents=True, exist_ok=True)
    fam = family_named(spec.family)
    kinds = assign_kinds(spec)
    ids = np.array([f"SIM{i:07d}" for i in range(spec.accounts)])
    cal = build_calendar(spec)
    partitions = spec.partitions or max(
        1, spec.accounts * spec.days * (SECONDS_PER_DAY // spec.interval_s) // READINGS_PER_PARTITION + 1
    )
    buckets = ds.bucket_of(pa.array(ids), partitions)
    target = out / "readings"
    staging = ds.new_staging_dir(target)
    labels, meta, traffic = [], [], []
    wide = _WideWriter(out / "readings_wide.csv", cal, spec) if spec.wide else None
    readings = 0
    for bucket in range(partitions):
        members = np.nonzero(buckets == bucket)[0]
        rng = np.random.default_rng([spec.seed, fam.seed_salt, bucket, partitions])
        # the weekly traffic has its own stream, so the readings and files above do not depend on it
        traffic_rng = np.random.default_rng([spec.seed, fam.seed_salt, bucket, partitions, 7])
        hall_rng = np.random.default_rng([spec.seed, fam.seed_salt, bucket, partitions, 8])
        day_rows, rows = _generate_bucket(
            (rng, traffic_rng, hall_rng), ids[members], kinds[members], cal, spec, fam, wide
        )
        ds.write_partition(day_rows, spec.interval_s, ds.partition_path(staging, bucket))
        readings += day_rows.reading_count
        labels += rows[0]
        meta += rows[1]
        traffic += rows[2]
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
            "source": f"simulate seed={spec.seed} family={spec.family}",
        },
    )
    ds.publish(staging, target, replace=True)
    _write_csv(out / "labels.csv", LABEL_COLUMNS, sorted(labels))
    _write_csv(out / "accounts.csv", META_COLUMNS, sorted(meta))
    _write_csv(out / "traffic.csv", TRAFFIC_COLUMNS, sorted(traffic))
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
    """Kind of every account: ``round(accounts × mining_share)`` miners, the rest by the family's mix."""
    fam = family_named(spec.family)
    rng = np.random.default_rng([spec.seed, fam.seed_salt, 0])
    miners = int(round(spec.accounts * spec.mining_share))
    miner_kinds = rng.choice(list(fam.miner_kinds), miners, p=_normalised(fam.miner_kinds))
    negative_kinds = rng.choice(
        list(fam.negative_kinds), spec.accounts - miners, p=_normalised(fam.negative_kinds)
    )
    kinds = np.concatenate([miner_kinds, negative_kinds])
    return kinds[rng.permutation(spec.accounts)]


def _normalised(shares: dict[str, float]) -> list[float]:
    total = sum(shares.values())
    return [v / total for v in shares.values()]


def build_calendar(spec: SimulationSpec) -> pop.Calendar:
    """Slots, workdays (chinese_calendar), Spring Festival shutdowns and a cold, continental-steppe climate (long heating season)."""
    import chinese_calendar

    rng = np.random.default_rng([spec.seed, family_named(spec.family).seed_salt, 1])
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
        day_night_swing_c=family_named(spec.family).day_night_swing_c,
    )


def _lognormal(rng: np.random.Generator, median_sigma: tuple[float, float], n: int) -> np.ndarray:
    return rng.lognormal(np.log(median_sigma[0]), median_sigma[1], n)


def _business_mbps(rng: np.random.Generator, kind: str, n: int) -> np.ndarray:
    return _lognormal(rng, BUSINESS_MBPS["factory" if kind.startswith("factory_") else kind], n)


def _negative(rng: np.random.Generator, kind: str, n: int, cal: pop.Calendar, fam: Family) -> Generated:
    if kind == "data_centre":
        kw, it = pop.data_centre_parts(rng, n, cal, fam)
        per_kw = _lognormal(rng, fam.dc_mbps_per_kw, n)
        mbps = it.reshape(n, -1).mean(axis=1) * per_kw
        return Generated(kw, None, np.zeros(n), mbps, it.mean(axis=2) * per_kw[:, None])
    if kind.startswith("factory_"):
        kw = pop.factory(rng, n, cal, fam, shifts=int(kind[8]))
    else:
        kw = getattr(pop, kind)(rng, n, cal, fam)
    return Generated(kw, None, np.zeros(n), _business_mbps(rng, kind, n))


def _onsets(
    rng: np.random.Generator, n: int, days: int, in_window_share: float, latest: float = 0.8
) -> np.ndarray:
    inside = rng.random(n) < in_window_share
    return np.where(inside, rng.integers(int(0.1 * days), max(int(0.1 * days) + 1, int(latest * days)), n), 0)


def _farm_kw(rng: np.random.Generator, n: int, fam: Family, low: int = 20, high: int = 1500) -> np.ndarray:
    rigs = np.clip(np.round(rng.lognormal(np.log(fam.farm_rigs_median), 1.0, n)), low, high)
    return rigs * RIG_KW * rng.uniform(1.03, 1.10, n)


def _farm_host(
    rng: np.random.Generator, n: int, cal: pop.Calendar, rated: np.ndarray, fam: Family
) -> tuple[np.ndarray, np.ndarray]:
    """The rest of a farm's meter and its traffic (Mbps): a small shop-like load, or for
    ``fam.farm_host_share`` of farms a working site (offices, lighting, a warehouse) drawing 1-10 % of
    the rigs' power with its own daily and weekly rhythm, and an office's traffic for its size — a farm
    rarely has its meter to itself."""
    small = pop.shop(rng, n, cal, fam) * rng.uniform(0.05, 0.3, n)[:, None, None]
    small_mbps = _business_mbps(rng, "shop", n) * rng.uniform(0.1, 1.0, n)
    site = pop.office(rng, n, cal, fam)
    site_kw = np.maximum(site.reshape(n, -1).mean(axis=1), 1e-6)
    host_kw = pop._u(rng, fam.farm_host_load, n) * rated
    office_mbps_per_kw = _lognormal(rng, BUSINESS_MBPS["office"], n) / OFFICE_KW
    working = rng.random(n) < fam.farm_host_share
    load = np.where(working[:, None, None], site * (host_kw / site_kw)[:, None, None], small)
    return load, np.where(working, host_kw * office_mbps_per_kw, small_mbps)


def _rig_mbps(rng: np.random.Generator, rated_kw: np.ndarray) -> np.ndarray:
    """Stratum traffic of the rigs: a few kbit/s each."""
    return rated_kw / RIG_KW * rng.uniform(*RIG_KBPS, len(rated_kw)) / 1000.0


def _miner(rng: np.random.Generator, kind: str, n: int, cal: pop.Calendar, fam: Family) -> Generated:
    days = cal.n_days
    if kind in ("pure_farm", "disguised_data_centre", "stepped_farm", "pausing_farm"):
        rated = _farm_kw(rng, n, fam, 60 if kind == "disguised_data_centre" else 20)
        host, host_mbps = _farm_host(rng, n, cal, rated, fam)
        onset = _onsets(
            rng,
            n,
            days,
            0.7 if kind in ("stepped_farm", "pausing_farm") else 0.5,
            0.4 if kind == "stepped_farm" else 0.8,
        )
        block = pop.mining_block(rng, rated, cal, onset, fam)
        for i in range(n):
            if kind == "stepped_farm":
                block[i] *= pop.staircase(rng, days, int(onset[i]), int(rng.integers(2, 5)))[:, None]
            if kind == "pausing_farm":
                for _ in range(rng.integers(2, 5)):
                    start = rng.integers(0, max(1, days - 3))
                    block[i, start : start + rng.integers(3, 11)] *= rng.uniform(0.0, 0.1)
        return Generated(host + block, block, rated, host_mbps + _rig_mbps(rng, rated))
    if kind == "hidden_in_factory":
        base = pop.factory(rng, n, cal, fam, shifts=int(rng.integers(1, 3)))
        factory_peak = np.quantile(base.reshape(n, -1), 0.99, axis=1)
        rated = np.maximum(factory_peak * rng.uniform(0.15, 0.6, n), 10 * RIG_KW)
        block = pop.mining_block(rng, rated, cal, _onsets(rng, n, days, 0.6), fam)
        return Generated(
            base + block, block, rated, _business_mbps(rng, "factory", n) + _rig_mbps(rng, rated)
        )
    if kind == "hidden_in_data_centre":
        kw, it = pop.data_centre_parts(rng, n, cal, fam)
        it_kw = it.reshape(n, -1).mean(axis=1)
        rated = np.maximum(it_kw * rng.uniform(0.2, 0.6, n), 10 * RIG_KW)
        block = pop.mining_block(rng, rated, cal, _onsets(rng, n, days, 0.6), fam)
        per_kw = _lognormal(rng, fam.dc_mbps_per_kw, n)
        rigs_mbps = _rig_mbps(rng, rated)
        mbps_days = it.mean(axis=2) * per_kw[:, None] + rigs_mbps[:, None] * (block.mean(axis=2) > 0)
        return Generated(
            kw + block * rng.uniform(1.1, 1.3, n)[:, None, None],
            block,
            rated,
            it_kw * per_kw + rigs_mbps,
            mbps_days,
        )
    if kind == "night_only":
        base = pop.shop(rng, n, cal, fam)
        rated = _farm_kw(rng, n, fam, 6, 60)
        night = pop._window(cal.slot_hours, np.full(n, 23.0), np.full(n, 7.0))
        block = pop.mining_block(rng, rated, cal, _onsets(rng, n, days, 0.5), fam) * night[:, None, :]
        return Generated(base + block, block, rated, _business_mbps(rng, "shop", n) + _rig_mbps(rng, rated))
    if kind == "agricultural_tariff":
        base = pop.irrigation(rng, n, cal, fam)
        rated = _farm_kw(rng, n, fam, 15, 400)
        block = pop.mining_block(rng, rated, cal, _onsets(rng, n, days, 0.5), fam)
        mbps = _business_mbps(rng, "irrigation", n) + _rig_mbps(rng, rated)
        return Generated(base + block, block, rated, mbps)
    raise ValueError(kind)


def _generate_bucket(
    rngs: tuple[np.random.Generator, np.random.Generator, np.random.Generator],
    ids: np.ndarray,
    kinds: np.ndarray,
    cal: pop.Calendar,
    spec: SimulationSpec,
    fam: Family,
    wide: _WideWriter | None,
) -> tuple[ds.DayRows, tuple[list, list, list]]:
    """One bucket's readings and rows; ``rngs``: the main stream, the weekly traffic's and the new halls'
    (streams of their own, so that adding either left the rest of the data as it was)."""
    rng, traffic_rng, hall_rng = rngs
    n, days = len(ids), spec.days
    slots = len(cal.slot_hours)
    kw = np.zeros((n, days, slots))
    mining_kw, mining_hours, mbps = np.zeros(n), np.zeros(n), np.zeros(n)
    mbps_days = np.zeros((n, days))
    for kind in np.unique(kinds):
        chosen = np.nonzero(kinds == kind)[0]
        made = (_miner if kind in MINER_KINDS else _negative)(rng, str(kind), len(chosen), cal, fam)
        kw[chosen] = np.clip(made.kw, 0, None)
        mbps[chosen] = made.mbps
        mbps_days[chosen] = made.mbps[:, None] if made.mbps_days is None else made.mbps_days
        if made.mining is not None:
            mining_kw[chosen], mining_hours[chosen] = pop.mining_truth(
                made.mining, made.rated_kw, 24.0 / slots
            )
    opened = _open_new_halls(hall_rng, kinds, kw, mbps_days, fam)
    mbps[opened] = mbps_days[opened].mean(axis=1)
    # Contracted capacity: the same rule for everyone (robust peak × 1.05-2.5, log-uniform), so it
    # says nothing about the label.
    peak = np.nanquantile(kw.reshape(n, -1), 0.99, axis=1)
    contract = peak * np.exp(rng.uniform(np.log(1.05), np.log(2.5), n))
    meta = _registry_rows(rng, ids, kinds, contract, mbps, fam)
    known = np.array([row[4] != "" for row in meta], dtype=bool)
    traffic = _weekly_traffic_rows(traffic_rng, ids[known], mbps_days[known], spec.start)
    kw = _to_native(kw, spec.interval_s)
    _punch_gaps(rng, kw)
    if wide:
        wide.add(ids, kinds, kw, spec.interval_s)
    labels = [
        [
            str(a),
            int(k in MINER_KINDS),
            str(k),
            round(float(m), 1),
            round(float(h), 1),
            round(float(m * h), 0),
        ]
        for a, k, m, h in zip(ids, kinds, mining_kw, mining_hours, strict=True)
    ]
    return _day_rows(ids, kw, spec), (labels, meta, traffic)


def _weekly_traffic_rows(
    rng: np.random.Generator, ids: np.ndarray, mbps_days: np.ndarray, start: dt.date
) -> list[list]:
    """traffic.csv rows: per account and week of the window (the last may be shorter) its mean Mbit/s,
    each week off by a log-normal factor of sigma :data:`TRAFFIC_WEEKLY_SIGMA` (customers, backups, holidays)."""
    days = mbps_days.shape[1]
    starts = np.arange(0, days, TRAFFIC_PERIOD_DAYS)
    weekly = np.add.reduceat(mbps_days, starts, axis=1) / np.diff(np.r_[starts, days])[None, :]
    weekly = weekly * rng.lognormal(0.0, TRAFFIC_WEEKLY_SIGMA, weekly.shape)
    spans = [
        (
            (start + dt.timedelta(days=int(first))).isoformat(),
            (start + dt.timedelta(days=int(min(first + TRAFFIC_PERIOD_DAYS, days) - 1))).isoformat(),
        )
        for first in starts
    ]
    return [
        [str(account), *span, round(float(value), 4)]
        for account, row in zip(ids, weekly, strict=True)
        for span, value in zip(spans, row, strict=True)
    ]


def _open_new_halls(
    rng: np.random.Generator, kinds: np.ndarray, kw: np.ndarray, mbps_days: np.ndarray, fam: Family
) -> np.ndarray:
    """A share of the data centres open a new hall during the window (in place): from a day between 10 %
    and 80 % of the window their IT load, its cooling and its traffic grow by the hall's factor, the
    servers filling it over days to weeks — a sudden, lasting rise of the load, as rigs make, but with the
    traffic that servers bring. Returns the accounts changed."""
    days = kw.shape[1]
    centres = np.flatnonzero(kinds == "data_centre")
    opens = centres[rng.random(len(centres)) < fam.dc_hall_share]
    start = rng.integers(int(0.1 * days), max(int(0.1 * days) + 1, int(0.8 * days)), len(opens))
    factor = rng.uniform(*fam.dc_hall_factor, len(opens))
    ramp = rng.integers(fam.dc_hall_ramp_days[0], fam.dc_hall_ramp_days[1] + 1, len(opens))
    since = np.arange(days)[None, :] - start[:, None]
    filled = np.clip((since + 1) / np.maximum(ramp[:, None], 1), 0.0, 1.0)
    growth = 1.0 + (factor[:, None] - 1.0) * filled
    kw[opens] *= growth[:, :, None]
    mbps_days[opens] *= growth
    changed = np.zeros(len(kinds), dtype=bool)
    changed[opens] = True
    return changed


def _round_up_two_digits(kva: float) -> float:
    """Contracts are whole-looking numbers at every size (0.53, 48, 1300 kVA), never a floor that
    only small sites hit."""
    step = 10.0 ** (np.floor(np.log10(max(kva, 1e-3))) - 1)
    return round(float(np.ceil(kva / step) * step), 3)


def _registry_rows(
    rng: np.random.Generator,
    ids: np.ndarray,
    kinds: np.ndarray,
    contract: np.ndarray,
    mbps: np.ndarray,
    fam: Family,
) -> list[list]:
    """accounts.csv rows: tariff, contract, declared use (empty when the registry does not know)
    and mean traffic (empty when no flows are attributed to the site)."""
    rows = []
    for account, kind, kva, traffic in zip(ids, kinds, contract, mbps, strict=True):
        kind = str(kind)
        declared = DECLARED_USE.get(kind) or str(rng.choice(FARM_COVER_STORIES))
        if rng.random() >= fam.declared_known:
            declared = ""
        household = kind in ("household", "heating_household")
        known = rng.random() < (fam.traffic_known_household if household else fam.traffic_known_business)
        rows.append(
            [
                str(account),
                TARIFFS[kind],
                _round_up_two_digits(kva),
                declared,
                round(float(traffic), 4) if known else "",
            ]
        )
    return rows


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
