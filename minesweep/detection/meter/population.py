"""Load shapes for the simulator (模拟负荷): one generator per kind of account, vectorised.

Every generator returns mean kW on a (n_accounts, n_days, slots_per_day) grid in Asia/Shanghai local
time. Shapes follow DOMAIN §6: households peak in the evening, offices and shift factories follow the
working week and stop for the Spring Festival, continuous plants and data centres are nearly flat (the
hard negatives), irrigation and clean heating are seasonal, and mining adds a flat block from an onset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Calendar:
    """Per-day context shared by all accounts: local hour of each slot, day of year, workday flags,
    Spring Festival shutdown flags and daily mean temperature (°C)."""

    slot_hours: np.ndarray
    day_of_year: np.ndarray
    is_workday: np.ndarray
    festival: np.ndarray
    temperature_c: np.ndarray

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


def _heat_cool(cal: Calendar, heating: np.ndarray, cooling: np.ndarray) -> np.ndarray:
    """Daily multiplier (A, D) from heating (< 10 °C) and cooling (> 24 °C) degree-days."""
    t = cal.temperature_c[None, :]
    return 1.0 + heating[:, None] * np.clip(10.0 - t, 0, None) + cooling[:, None] * np.clip(t - 24.0, 0, None)


def household(rng: np.random.Generator, n: int, cal: Calendar) -> np.ndarray:
    level = rng.lognormal(np.log(0.5), 0.5, n)
    hours = cal.slot_hours
    shape = (
        0.25
        + 0.5 * _bump(hours, rng.normal(7.5, 0.7, n), 1.2)
        + 1.3 * _bump(hours, rng.normal(20, 1, n), 2.0)
    )
    daily = _heat_cool(cal, rng.uniform(0, 0.04, n), rng.uniform(0, 0.08, n))
    daily = daily * (1 + 0.15 * ~cal.is_workday[None, :]) * (1 + 0.3 * cal.festival[None, :])
    spikes = rng.gamma(0.6, 1.0 / 0.6, (n, cal.n_days, len(hours)))
    return level[:, None, None] * shape[:, None, :] * daily[:, :, None] * spikes


def shop(rng: np.random.Generator, n: int, cal: Calendar) -> np.ndarray:
    level = rng.lognormal(np.log(8), 0.6, n)
    opening = _window(cal.slot_hours, rng.uniform(8, 10, n), rng.uniform(20, 23, n))
    shape = rng.uniform(0.15, 0.35, n)[:, None] + opening
    daily = _heat_cool(cal, rng.uniform(0, 0.02, n), rng.uniform(0.01, 0.05, n))
    daily = daily * (1 + rng.uniform(0, 0.3, n)[:, None] * ~cal.is_workday[None, :])
    daily = daily * np.where(cal.festival[None, :], rng.uniform(0.2, 1.2, n)[:, None], 1.0)
    return (
        level[:, None, None]
        * shape[:, None, :]
        * daily[:, :, None]
        * rng.normal(1, 0.1, (n, cal.n_days, len(cal.slot_hours)))
    )


def office(rng: np.random.Generator, n: int, cal: Calendar) -> np.ndarray:
    level = rng.lognormal(np.log(60), 0.6, n)
    hours = _window(cal.slot_hours, rng.uniform(7.5, 9, n), rng.uniform(17, 19.5, n))
    base = rng.uniform(0.15, 0.35, n)[:, None]
    open_day = (cal.is_workday & ~cal.festival)[None, :, None]
    shape = base[:, None, :] + hours[:, None, :] * np.where(open_day, 1.0, 0.1)
    daily = _heat_cool(cal, rng.uniform(0, 0.02, n), rng.uniform(0.02, 0.06, n))
    return level[:, None, None] * shape * daily[:, :, None] * rng.normal(1, 0.06, shape.shape)


def factory(rng: np.random.Generator, n: int, cal: Calendar, shifts: int) -> np.ndarray:
    level = rng.lognormal(np.log(400), 0.8, n)
    start = rng.uniform(6, 8.5, n)
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
    shape = base[:, None, None] + (1 - base)[:, None, None] * hours[:, None, :] * day_level[:, :, None]
    return (
        level[:, None, None]
        * shape
        * (orders * rng.normal(1, 0.05, (n, cal.n_days)))[:, :, None]
        * rng.normal(1, 0.04, shape.shape)
    )


def continuous_plant(rng: np.random.Generator, n: int, cal: Calendar) -> np.ndarray:
    """Hard negative: cement, chemicals, smelting — flat, but with output swings and maintenance stops."""
    level = rng.lognormal(np.log(2000), 0.8, n)
    drift = np.exp(np.cumsum(rng.normal(0, 0.015, (n, cal.n_days)), axis=1))
    daily = drift * rng.normal(1, 0.03, (n, cal.n_days))
    for account in range(n):
        for _ in range(rng.integers(1, 4)):
            start = rng.integers(0, max(1, cal.n_days - 3))
            daily[account, start : start + rng.integers(3, 12)] *= rng.uniform(0.1, 0.4)
    shift = 1 - 0.04 * _bump(cal.slot_hours, rng.uniform(0, 24, n), 2.0)
    return (
        level[:, None, None]
        * daily[:, :, None]
        * shift[:, None, :]
        * rng.normal(1, 0.03, (n, cal.n_days, len(cal.slot_hours)))
    )


def data_centre(rng: np.random.Generator, n: int, cal: Calendar) -> np.ndarray:
    """Hard negative: flat IT load with a small daily wave, slow growth and weather-driven cooling."""
    level = rng.lognormal(np.log(1500), 0.7, n)
    wave = 1 + rng.uniform(0.02, 0.08, n)[:, None] * np.sin(
        2 * np.pi * (cal.slot_hours[None, :] - rng.uniform(8, 12, n)[:, None]) / 24
    )
    growth = 1 + rng.uniform(0, 0.25, n)[:, None] * np.linspace(0, 1, cal.n_days)[None, :]
    pue = 1.2 + rng.uniform(0.005, 0.015, n)[:, None] * np.clip(cal.temperature_c[None, :] - 5, 0, None)
    daily = growth * pue * rng.normal(1, 0.01, (n, cal.n_days))
    return (
        level[:, None, None]
        * wave[:, None, :]
        * daily[:, :, None]
        * rng.normal(1, 0.015, (n, cal.n_days, len(cal.slot_hours)))
    )


def irrigation(rng: np.random.Generator, n: int, cal: Calendar) -> np.ndarray:
    level = rng.lognormal(np.log(40), 0.6, n)
    season = ((cal.day_of_year >= 120) & (cal.day_of_year <= 260))[None, :]
    running = (rng.random((n, cal.n_days)) < rng.uniform(0.2, 0.6, n)[:, None]) & season
    hours = _window(cal.slot_hours, rng.uniform(5, 9, n), rng.uniform(17, 22, n))
    shape = 0.02 + running[:, :, None] * hours[:, None, :]
    return level[:, None, None] * shape * rng.normal(1, 0.05, shape.shape)


def clean_heating(rng: np.random.Generator, n: int, cal: Calendar) -> np.ndarray:
    """Electric heat storage (煤改电): runs in valley hours 23:00–07:00 in the heating season."""
    level = rng.lognormal(np.log(120), 0.6, n)
    doy = cal.day_of_year
    season = ((doy >= 288) | (doy <= 105))[None, :]
    demand = np.clip((16 - cal.temperature_c[None, :]) / 25, 0, 1.2) * season
    valley = _window(cal.slot_hours, np.full(n, 23.0), np.full(n, 7.0))
    topup = 0.25 * _window(cal.slot_hours, np.full(n, 12.0), np.full(n, 15.0))
    shape = 0.02 + demand[:, :, None] * (valley + topup)[:, None, :]
    return level[:, None, None] * shape * rng.normal(1, 0.05, shape.shape)


def mining_block(
    rng: np.random.Generator, mining_kw: np.ndarray, cal: Calendar, onset: np.ndarray
) -> np.ndarray:
    """Flat mining load (A, D, P): rigs at rated power from ``onset`` (window day index) on, with
    slight fan response to heat, meter noise and rare short curtailments."""
    n = len(mining_kw)
    days = np.arange(cal.n_days)[None, :]
    on = (days >= onset[:, None]).astype(float)
    fans = 1 + 0.002 * np.clip(cal.temperature_c[None, :] - 15, 0, None)
    load = (
        mining_kw[:, None, None]
        * (on * fans)[:, :, None]
        * rng.normal(1, 0.01, (n, cal.n_days, len(cal.slot_hours)))
    )
    dips = rng.random((n, cal.n_days)) < 0.01
    load[dips] *= rng.uniform(0.3, 0.9)
    return load


def staircase(rng: np.random.Generator, n_days: int, onset: int, steps: int) -> np.ndarray:
    """Share of the final rig count running on each day when rigs arrive in ``steps`` batches."""
    share = np.zeros(n_days)
    starts = np.sort(np.r_[onset, onset + np.cumsum(rng.integers(14, 56, steps - 1))])
    sizes = rng.dirichlet(np.ones(steps))
    for start, size in zip(starts, sizes, strict=True):
        share[min(start, n_days) :] += size
    return share
