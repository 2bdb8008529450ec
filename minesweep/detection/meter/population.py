"""Load shapes for the simulator (模拟负荷): one generator per kind of account, vectorised.

Every generator returns mean kW on a (n_accounts, n_days, slots_per_day) grid in Asia/Shanghai local
time. Shapes follow DOMAIN §6: households peak in the evening, offices and shift factories follow the
working week and stop for the Spring Festival, continuous plants and data centres are nearly flat (the
hard negatives), irrigation and clean heating are seasonal, and mining adds a flat block from an onset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from minesweep.detection.meter.families import Family


@dataclass(frozen=True)
class Calendar:
    """Per-day context shared by all accounts: local hour of each slot, day of year, workday flags,
    Spring Festival shutdown flags and daily mean temperature (°C)."""

    slot_hours: np.ndarray
    day_of_year: np.ndarray
    is_workday: np.ndarray
    festival: np.ndarray
    temperature_c: np.ndarray
    day_night_swing_c: float = 10.0

    @property
    def n_days(self) -> int:
        return len(self.day_of_year)


def _bump(hours: np.ndarray, centre: np.ndarray, width: float) -> np.ndarray:
    """Smooth daily bump (A, P) centred on ``centre`` hours (A,), circular over 24 h."""
    distance = np.abs(((hours[None, :] - centre[:, None]) + 12.0) % 24.0 - 12.0)
    return np.exp(-0.5 * (distance / width) ** 2)


def _window(hours: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """1 inside [start, end) local hours (A, P), wrapping past midnight when end < start."""
    h = hours[None, :]
    s, e = start[:, None], end[:, None]
    return np.where(s <= e, (h >= s) & (h < e), (h >= s) | (h < e)).astype(float)


def _in_season(day_of_year: np.ndarray, season: tuple[int, int]) -> np.ndarray:
    """Days inside ``(first, last)`` day of year, both inclusive; a season may run over New Year."""
    first, last = season
    if first <= last:
        return (day_of_year >= first) & (day_of_year <= last)
    return (day_of_year >= first) | (day_of_year <= last)


def _hours(
    rng: np.random.Generator, n: int, start: tuple[float, float], end: tuple[float, float], fam: Family
) -> tuple[np.ndarray, np.ndarray]:
    """Opening and closing hours per account, both moved by the family's ``business_hours_shift``."""
    shift = _u(rng, fam.business_hours_shift, n)
    return (rng.uniform(*start, n) + shift) % 24, (rng.uniform(*end, n) + shift) % 24


def _slopes(
    rng: np.random.Generator, n: int, heating: tuple[float, float], cooling: tuple[float, float], fam: Family
) -> tuple[np.ndarray, np.ndarray]:
    """Heating and cooling slopes per account, scaled by the family's ``weather_slope_scale``."""
    scale = _u(rng, fam.weather_slope_scale, n)
    return rng.uniform(*heating, n) * scale, rng.uniform(*cooling, n) * scale


def _slot_noise(rng: np.random.Generator, sigma: float, shape: tuple[int, ...], fam: Family) -> np.ndarray:
    """Multiplicative slot noise (A, D, P) of a working load: σ ``sigma`` scaled per account by the
    family's ``noise_scale``."""
    scale = _u(rng, fam.noise_scale, shape[0])
    return rng.normal(1, sigma * scale[:, None, None], shape)


def _heat_cool(cal: Calendar, heating: np.ndarray, cooling: np.ndarray) -> np.ndarray:
    """Daily multiplier (A, D) from heating (< 10 °C) and cooling (> 24 °C) degree-days."""
    t = cal.temperature_c[None, :]
    return 1.0 + heating[:, None] * np.clip(10.0 - t, 0, None) + cooling[:, None] * np.clip(t - 24.0, 0, None)


def shop(rng: np.random.Generator, n: int, cal: Calendar, fam: Family) -> np.ndarray:
    level = rng.lognormal(np.log(8), 0.6, n) * fam.size_factor
    opening = _window(cal.slot_hours, *_hours(rng, n, (8, 10), (20, 23), fam))
    shape = _u(rng, fam.business_base, n)[:, None] + opening
    daily = _heat_cool(cal, *_slopes(rng, n, (0, 0.02), (0.01, 0.05), fam))
    daily = daily * (1 + rng.uniform(0, 0.3, n)[:, None] * ~cal.is_workday[None, :])
    daily = daily * np.where(cal.festival[None, :], rng.uniform(0.2, 1.2, n)[:, None], 1.0)
    return (
        level[:, None, None]
        * shape[:, None, :]
        * daily[:, :, None]
        * _slot_noise(rng, 0.1, (n, cal.n_days, len(cal.slot_hours)), fam)
    )


def office(rng: np.random.Generator, n: int, cal: Calendar, fam: Family) -> np.ndarray:
    level = rng.lognormal(np.log(60), 0.6, n) * fam.size_factor
    hours = _window(cal.slot_hours, *_hours(rng, n, (7.5, 9), (17, 19.5), fam))
    base = _u(rng, fam.business_base, n)[:, None]
    open_day = (cal.is_workday & ~cal.festival)[None, :, None]
    shape = base[:, None, :] + hours[:, None, :] * np.where(open_day, 1.0, 0.1)
    daily = _heat_cool(cal, *_slopes(rng, n, (0, 0.02), (0.02, 0.06), fam))
    return level[:, None, None] * shape * daily[:, :, None] * _slot_noise(rng, 0.06, shape.shape, fam)


def factory(rng: np.random.Generator, n: int, cal: Calendar, fam: Family, shifts: int) -> np.ndarray:
    level = rng.lognormal(np.log(400), 0.8, n) * fam.size_factor
    start = (rng.uniform(6, 8.5, n) + _u(rng, fam.business_hours_shift, n)) % 24
    end = (start + 8.5 * shifts) % 24 if shifts < 3 else start
    hours = _window(cal.slot_hours, start, end) if shifts < 3 else np.ones((n, len(cal.slot_hours)))
    if shifts == 3:  # short dips at shift changes
        hours = hours - 0.25 * (
            _bump(cal.slot_hours, start, 0.3)
            + _bump(cal.slot_hours, (start + 8) % 24, 0.3)
            + _bump(cal.slot_hours, (start + 16) % 24, 0.3)
        )
    base = rng.uniform(0.05, 0.2, n)
    rest = rng.uniform(0.1, 0.5 if shifts < 3 else 0.85, n)
    day_level = np.where(cal.is_workday[None, :], 1.0, rest[:, None])
    day_level = np.where(cal.festival[None, :], base[:, None], day_level)
    orders = np.exp(np.cumsum(rng.normal(0, 0.02, (n, cal.n_days)), axis=1))
    line = _expansion(rng, n, cal.n_days, (1.2, 1.6), fam.expanding_share)
    standby = _expansion(rng, n, cal.n_days, (1.0, 1.5), fam.expanding_share)
    shape = (base[:, None] * standby)[:, :, None] + (1 - base)[:, None, None] * hours[:, None, :] * (
        day_level * line
    )[:, :, None]
    return (
        level[:, None, None]
        * shape
        * (orders * rng.normal(1, 0.05, (n, cal.n_days)))[:, :, None]
        * _slot_noise(rng, 0.04, shape.shape, fam)
    )


def _expansion(
    rng: np.random.Generator, n: int, days: int, factor: tuple[float, float], share: float
) -> np.ndarray:
    """(A, D) multiplier: 1, then a lasting step of ``factor`` from a random day for ``share`` of the
    accounts (a production line or a building added during the window) — legitimate growth that looks
    like an onset."""
    grows = rng.random(n) < share
    day = rng.integers(0, max(1, days), n)
    step = rng.uniform(factor[0], factor[1], n)
    return np.where(grows[:, None] & (np.arange(days)[None, :] >= day[:, None]), step[:, None], 1.0)


def irrigation(rng: np.random.Generator, n: int, cal: Calendar, fam: Family) -> np.ndarray:
    level = rng.lognormal(np.log(40), 0.6, n) * fam.size_factor
    season = _in_season(cal.day_of_year, fam.irrigation_season)[None, :]
    running = (rng.random((n, cal.n_days)) < rng.uniform(0.2, 0.6, n)[:, None]) & season
    hours = _window(cal.slot_hours, *_hours(rng, n, (5, 9), (17, 22), fam))
    shape = 0.02 + running[:, :, None] * hours[:, None, :]
    return level[:, None, None] * shape * _slot_noise(rng, 0.05, shape.shape, fam)


def clean_heating(rng: np.random.Generator, n: int, cal: Calendar, fam: Family) -> np.ndarray:
    """Electric heat storage (煤改电): runs in valley hours 23:00–07:00 in the heating season."""
    level = rng.lognormal(np.log(120), 0.6, n) * fam.size_factor
    season = _in_season(cal.day_of_year, fam.storage_heating_season)[None, :]
    demand = np.clip((16 - cal.temperature_c[None, :]) / 25, 0, 1.2) * season
    valley = _window(cal.slot_hours, np.full(n, 23.0), np.full(n, 7.0))
    topup = 0.25 * _window(cal.slot_hours, np.full(n, 12.0), np.full(n, 15.0))
    shape = 0.02 + demand[:, :, None] * (valley + topup)[:, None, :]
    return level[:, None, None] * shape * _slot_noise(rng, 0.05, shape.shape, fam)


def staircase(rng: np.random.Generator, n_days: int, onset: int, steps: int) -> np.ndarray:
    """Share of the final rig count running on each day when rigs arrive in ``steps`` batches."""
    share = np.zeros(n_days)
    starts = np.sort(np.r_[onset, onset + np.cumsum(rng.integers(14, 56, steps - 1))])
    sizes = rng.dirichlet(np.ones(steps))
    for start, size in zip(starts, sizes, strict=True):
        share[min(start, n_days) :] += size
    return share


# ----------------------------------------------------------------------------- family-aware generators
# The generators below take a :class:`~minesweep.detection.meter.families.Family`, so the tune and
# eval families draw their knobs from different ranges.

PEAK_HOURS = ((8.0, 11.0), (18.0, 22.0))  # peak-tariff windows (峰时段), local time


def _u(rng: np.random.Generator, bounds: tuple[float, float], n: int) -> np.ndarray:
    """A uniform draw per account in ``bounds``; a range of one value is that value, drawn from nothing
    (so a family can hold a knob fixed without moving every later draw of the random stream)."""
    if bounds[0] == bounds[1]:
        return np.full(n, float(bounds[0]))
    return rng.uniform(bounds[0], bounds[1], n)


def _ar1(
    rng: np.random.Generator, shape: tuple[int, int, int], phi: np.ndarray, sigma: np.ndarray
) -> np.ndarray:
    """AR(1) noise along the flattened time axis of (A, D, P), stationary σ per account."""
    n, days, slots = shape
    innovations = rng.normal(0.0, 1.0, (n, days * slots)) * (sigma * np.sqrt(1 - phi**2))[:, None]
    out = np.empty_like(innovations)
    out[:, 0] = rng.normal(0.0, 1.0, n) * sigma
    for t in range(1, days * slots):  # vectorised over accounts
        out[:, t] = phi * out[:, t - 1] + innovations[:, t]
    return out.reshape(shape)


def slot_temperature(cal: Calendar) -> np.ndarray:
    """(D, P) outdoor °C per slot: the daily mean plus the family's day-night swing, peaking at 15:00."""
    return cal.temperature_c[:, None] + cal.day_night_swing_c / 2 * np.sin(
        2 * np.pi * (cal.slot_hours[None, :] - 9.0) / 24.0
    )


def household(rng: np.random.Generator, n: int, cal: Calendar, fam: Family) -> np.ndarray:
    """One household at a time: standby, a cycling fridge, appliance events (cooking, kettle, washing,
    TV) mostly in the morning and evening, air conditioning on hot evenings, days away."""
    days, slots = cal.n_days, len(cal.slot_hours)
    slot_h = 24.0 / slots
    standby = _u(rng, fam.standby_kw, n)
    fridge = 0.04 * (1 + 0.3 * rng.standard_normal((n, days, slots)).clip(-3, 3))
    habit = (
        0.05
        + 0.5 * _bump(cal.slot_hours, rng.normal(fam.household_peaks[0], 0.7, n), 1.0)
        + 1.0 * _bump(cal.slot_hours, rng.normal(fam.household_peaks[1], 1.0, n), 1.8)
        + 0.3 * _bump(cal.slot_hours, rng.normal(12.5, 0.5, n), 1.0)
    )
    rate = _u(rng, fam.appliance_rate, n)[:, None] * habit  # events per hour (A, P)
    weekend = 1 + 0.25 * ~cal.is_workday
    events = rng.poisson(rate[:, None, :] * weekend[None, :, None] * slot_h)
    event_kw = rng.gamma(2.0, 0.5, events.shape) * events / np.maximum(slot_h, 0.25) * 0.25
    hot = np.clip(slot_temperature(cal) - 26.0, 0, None)[None] * rng.uniform(0, 0.15, n)[:, None, None]
    evening = _window(cal.slot_hours, np.full(n, 18.0), np.full(n, 1.0))[:, None, :] + 0.3
    away = _spells(rng, n, days, 0.02, 3, 12)
    load = standby[:, None, None] + fridge + event_kw + hot * evening
    return np.where(away[:, :, None], standby[:, None, None] + fridge, load)


def _spells(rng: np.random.Generator, n: int, days: int, rate: float, low: int, high: int) -> np.ndarray:
    """(A, D) boolean: spells of ``low``–``high`` days starting with probability ``rate`` per day."""
    out = np.zeros((n, days), dtype=bool)
    for account, day in zip(
        *np.nonzero(rng.random((n, days)) < rate / max(1, (low + high) / 2)), strict=True
    ):
        out[account, day : day + rng.integers(low, high + 1)] = True
    return out


def heating_household(rng: np.random.Generator, n: int, cal: Calendar, fam: Family) -> np.ndarray:
    """煤改电 household: a heat-storage heater of a few kW that runs flat through winter nights in
    the valley tariff hours (20:00-23:00 start, 06:00-08:00 stop), harder the colder it is."""
    base = household(rng, n, cal, fam)
    rated = _u(rng, fam.heating_kw, n)
    season = _in_season(cal.day_of_year, fam.household_heating_season)
    duty = np.clip((12.0 - cal.temperature_c) / 20.0, 0.3, 1.0) * season
    nights = _window(cal.slot_hours, rng.choice([20.0, 21.0, 22.0, 23.0], n), rng.choice([6.0, 7.0, 8.0], n))
    thermostat = rng.normal(1.0, 0.03, base.shape)
    return base + rated[:, None, None] * duty[None, :, None] * nights[:, None, :] * thermostat


def continuous_plant(rng: np.random.Generator, n: int, cal: Calendar, fam: Family) -> np.ndarray:
    """Cement, chemicals, smelting: flat on average, but process noise with memory (AR), output that
    wanders and drifts with orders and feedstock, short trips and multi-day maintenance stops at part load.

    The wander changes smoothly through the day (a plant has no reason to step at midnight) and its size
    is the plant's own, from nearly as steady as a potline to a few percent a day. So is the dip at a
    shift change, from none (a potline, a furnace run from a control room) to a few percent. Stops and trips come at
    a yearly rate, so a quarter holds about a quarter of a year's overhauls.
    """
    days, slots = cal.n_days, len(cal.slot_hours)
    years = days / 365.0
    level = rng.lognormal(np.log(2000), 0.8, n) * fam.size_factor
    drift = np.exp(np.cumsum(rng.normal(0, 1, (n, days)) * _u(rng, fam.plant_drift, n)[:, None], axis=1))
    wander = drift * (1 + rng.normal(0, 1, (n, days)) * _u(rng, fam.plant_day_sigma, n)[:, None])
    daily = _expansion(rng, n, days, (1.15, 1.5), fam.expanding_share)
    stop_rate = _u(rng, fam.plant_stops, n)
    for account in range(n):
        for _ in range(rng.poisson(stop_rate[account] * years)):
            start = rng.integers(0, max(1, days - 3))
            daily[account, start : start + rng.integers(2, 12)] *= rng.uniform(0.05, 0.5)
    noise = _ar1(rng, (n, days, slots), _u(rng, fam.plant_ar, n), _u(rng, fam.plant_noise, n))
    dip = _u(rng, fam.plant_shift_dip, n)[:, None]
    shift = 1 - dip * _bump(cal.slot_hours, rng.uniform(0, 24, n), 2.0)
    load = (
        level[:, None, None]
        * daily[:, :, None]
        * _through_the_day(wander, slots)
        * shift[:, None, :]
        * np.clip(1 + noise, 0.5, 1.5)
    )
    flat = load.reshape(n, -1)
    for account in range(n):
        trips_a_year = _u(rng, fam.plant_trips, 1)[0]  # trips: a few hours at part load
        for _ in range(rng.poisson(trips_a_year * years)):
            start = rng.integers(0, flat.shape[1])
            flat[account, start : start + rng.integers(1, max(2, slots // 6))] *= rng.uniform(0.2, 0.8)
    return load


def _through_the_day(daily: np.ndarray, slots: int) -> np.ndarray:
    """(A, D) day levels → (A, D, P), each day's level at its noon and straight lines between noons."""
    n, days = daily.shape
    position = (np.arange(days * slots) + 0.5) / slots - 0.5
    before = np.clip(np.floor(position).astype(int), 0, days - 1)
    after = np.minimum(before + 1, days - 1)
    towards = np.clip(position - before, 0.0, 1.0)  # 0 before the first noon, and after the last
    return (daily[:, before] * (1 - towards) + daily[:, after] * towards).reshape(n, days, slots)


def data_centre_parts(
    rng: np.random.Generator, n: int, cal: Calendar, fam: Family
) -> tuple[np.ndarray, np.ndarray]:
    """Legitimate data centre: (total kW, IT kW). IT load has a daily rhythm (busy in the day and
    evening), a weekly dip and slow growth (or decline) at a yearly rate; cooling = IT × (PUE − 1) with PUE following the outdoor
    temperature slot by slot (1.2-1.8)."""
    days, slots = cal.n_days, len(cal.slot_hours)
    level = rng.lognormal(np.log(1200), 0.8, n) * fam.size_factor
    wave = 1 + _u(rng, fam.dc_wave, n)[:, None] * np.sin(
        2 * np.pi * (cal.slot_hours[None, :] - rng.uniform(8, 13, n)[:, None]) / 24
    )
    weekly = 1 - _u(rng, fam.dc_weekly_dip, n)[:, None] * ~cal.is_workday[None, :]
    growth = 1 + _u(rng, fam.dc_growth, n)[:, None] * (np.arange(days) / 365.0)[None, :]  # a year's growth
    sigma = _u(rng, fam.dc_noise, n)
    it = (
        level[:, None, None]
        * wave[:, None, :]
        * (weekly * growth * rng.normal(1, sigma[:, None], (n, days)))[:, :, None]
        * rng.normal(1, sigma[:, None, None], (n, days, slots))
    )
    floor, swing = _u(rng, fam.pue_floor, n), _u(rng, fam.pue_swing, n)
    warmth = np.clip((slot_temperature(cal) - 5.0) / 30.0, 0, 1)[None]
    pue = np.minimum(floor[:, None, None] + swing[:, None, None] * warmth, 1.8)
    return it * pue, it


def cold_store(rng: np.random.Generator, n: int, cal: Calendar, fam: Family) -> np.ndarray:
    """Cold store: compressors run around the clock, harder when it is warm outside; loading in
    working hours opens the doors; defrost cycles every few hours."""
    days, slots = cal.n_days, len(cal.slot_hours)
    level = rng.lognormal(np.log(300), 0.7, n) * fam.size_factor
    warmth = np.clip((slot_temperature(cal) + 10.0) / 40.0, 0.1, 1.2)[None]
    loading = 1 + _u(rng, fam.cold_loading, n)[:, None, None] * (
        _window(cal.slot_hours, rng.uniform(7, 9, n), rng.uniform(17, 20, n))[:, None, :]
        * cal.is_workday[None, :, None]
    )
    cycling = np.clip(
        1 + _ar1(rng, (n, days, slots), np.full(n, 0.6), _u(rng, fam.cold_cycling, n)), 0.3, 1.7
    )
    follows = _u(rng, fam.cold_weather_share, n)[:, None, None]
    return level[:, None, None] * (1 - follows + follows * warmth) * loading * cycling


def hospital(rng: np.random.Generator, n: int, cal: Calendar, fam: Family) -> np.ndarray:
    """Hospital: wards and equipment around the clock, outpatient hours on top, heating and cooling."""
    days, slots = cal.n_days, len(cal.slot_hours)
    level = rng.lognormal(np.log(500), 0.6, n) * fam.size_factor
    day_bump = _window(cal.slot_hours, rng.uniform(7.5, 8.5, n), rng.uniform(17, 18.5, n))
    open_day = np.where(cal.is_workday, 1.0, 0.4)[None, :, None]
    outpatient = _u(rng, fam.hospital_outpatient, n)[:, None, None]
    shape = rng.uniform(0.45, 0.65, n)[:, None, None] + outpatient * day_bump[:, None, :] * open_day
    hvac = _heat_cool(cal, *_slopes(rng, n, (0.005, 0.02), (0.02, 0.05), fam))
    noise = rng.normal(1, _u(rng, fam.hospital_noise, n)[:, None, None], (n, days, slots))
    return level[:, None, None] * shape * hvac[:, :, None] * noise


def mining_block(
    rng: np.random.Generator, mining_kw: np.ndarray, cal: Calendar, onset: np.ndarray, fam: Family
) -> np.ndarray:
    """Mining load (A, D, P) from ``onset`` (window day index) on, rated ``mining_kw`` per farm.

    Power at the meter is not a constant: slot noise with memory (fans, chip temperature), regimes of
    over/under-clocking that last weeks, fans that work harder in the heat, partial outages (rigs or
    a transformer down for days), and for some farms cuts in the peak-tariff hours.
    """
    n, days, slots = len(mining_kw), cal.n_days, len(cal.slot_hours)
    on = (np.arange(days)[None, :] >= onset[:, None]).astype(float)
    regime = np.ones((n, days))
    for account in range(n):
        for _ in range(rng.poisson(fam.clock_regime_rate * days / 365)):
            start = rng.integers(0, days)
            regime[account, start:] *= 1 + rng.choice([-1, 1]) * rng.uniform(*fam.clock_regime_size)
        for _ in range(rng.poisson(fam.outage_rate * days / 365)):
            start = rng.integers(0, days)
            regime[account, start : start + rng.integers(1, 10)] *= rng.uniform(*fam.outage_keep)
    fans = (
        1 + _u(rng, fam.fan_response, n)[:, None, None] * np.clip(slot_temperature(cal) - 15.0, 0, None)[None]
    )
    noise = _ar1(rng, (n, days, slots), _u(rng, fam.rig_noise_memory, n), _u(rng, fam.rig_noise, n))
    load = mining_kw[:, None, None] * (on * regime)[:, :, None] * fans * np.clip(1 + noise, 0.5, 1.5)
    curtails = rng.random(n) < fam.curtail_share
    if curtails.any():
        keep = _u(rng, fam.curtail_keep, n)
        peak = np.zeros((n, slots))
        for peak_start, peak_end in PEAK_HOURS:
            peak = np.maximum(peak, _window(cal.slot_hours, np.full(n, peak_start), np.full(n, peak_end)))
        evening_only = rng.random(n) < 0.5
        peak = np.where(
            evening_only[:, None], _window(cal.slot_hours, np.full(n, 18.0), np.full(n, 22.0)), peak
        )
        factor = 1 - (1 - keep)[:, None] * peak * curtails[:, None]
        load *= factor[:, None, :]
    return load


def mining_truth(block: np.ndarray, rated_kw: np.ndarray, slot_hours: float) -> tuple[np.ndarray, np.ndarray]:
    """Ground truth per farm: (mean kW over the slots the mining load ran, hours it ran).

    A slot counts as running when the mining load is above 5 % of the farm's rated power, so
    curtailed hours at part load count (at their lower power) and hours switched off do not.
    """
    flat = block.reshape(block.shape[0], -1)
    ran = flat > 0.05 * rated_kw[:, None]
    hours = ran.sum(axis=1) * slot_hours
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_kw = np.where(ran.any(axis=1), np.where(ran, flat, 0).sum(axis=1) / ran.sum(axis=1), 0.0)
    return mean_kw, hours
