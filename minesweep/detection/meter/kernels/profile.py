"""Binning readings onto the dense profile matrix, and the daily series derived from it.

Units: input energy per reading in kWh; output mean demand in kW. A slot with no reading is NaN
(never zero). Time: input timestamps are UTC seconds; days and slots follow Asia/Shanghai.
"""

from __future__ import annotations

import numpy as np

from minesweep.detection.meter.timebase import SECONDS_PER_DAY, SHANGHAI_OFFSET_S, ProfileGrid

MIN_DAY_COVERAGE = 0.5


def bin_readings(
    account_index: np.ndarray,
    ts_utc_s: np.ndarray,
    kwh: np.ndarray,
    n_accounts: int,
    grid: ProfileGrid,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean kW and reading counts per (account, local day, slot).

    ``account_index`` (int, 0..n_accounts-1), ``ts_utc_s`` (int64 UTC seconds, interval start) and
    ``kwh`` (energy over the reading's interval) are parallel 1-D arrays. Readings outside the grid's
    window are ignored. Returns ``mean_kw`` float64 (A, D, P) with NaN where a slot has no reading, and
    ``counts`` int64 (A, D, P).
    """
    n_slots = grid.n_days * grid.slots_per_day
    shape = (n_accounts, grid.n_days, grid.slots_per_day)
    if n_accounts == 0 or n_slots == 0:
        return np.full(shape, np.nan), np.zeros(shape, dtype=np.int64)
    origin = grid.start_day * SECONDS_PER_DAY - SHANGHAI_OFFSET_S
    slot = (np.asarray(ts_utc_s, dtype=np.int64) - origin) // grid.bin_s
    index = np.asarray(account_index, dtype=np.int64) * n_slots + slot
    energy = np.asarray(kwh, dtype=np.float64)
    if len(slot) and (slot.min() < 0 or slot.max() >= n_slots):
        inside = (slot >= 0) & (slot < n_slots)
        index, energy = index[inside], energy[inside]
    energy_sum = np.bincount(index, weights=energy, minlength=n_accounts * n_slots)
    counts = np.bincount(index, minlength=n_accounts * n_slots)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_kw = energy_sum / (counts * (grid.interval_s / 3600.0))
    mean_kw[counts == 0] = np.nan
    return mean_kw.reshape(shape), counts.reshape(shape)


def daily_mean_kw(mean_kw: np.ndarray, counts: np.ndarray, grid: ProfileGrid) -> np.ndarray:
    """Daily mean demand (kW), (A, D); NaN for days with less than half the expected readings.

    Slots are weighted by their reading counts, so a partly missing day is the mean of what exists.
    """
    day_counts = counts.sum(axis=2)
    day_energy_kw = np.nansum(mean_kw * counts, axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = day_energy_kw / day_counts
    mean[day_counts < MIN_DAY_COVERAGE * grid.readings_per_day] = np.nan
    return mean


def daily_base_kw(mean_kw: np.ndarray, daily_kw: np.ndarray) -> np.ndarray:
    """Daily base load (kW), (A, D): the lowest slot of each day; NaN where the day is NaN.

    With one slot a day (daily data) the base equals the daily mean.
    """
    with np.errstate(invalid="ignore"):
        filled = np.where(np.isnan(mean_kw), np.inf, mean_kw)
        base = filled.min(axis=2)
    base[~np.isfinite(base) | np.isnan(daily_kw)] = np.nan
    return base


def row_quantiles(matrix: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
    """Per-row quantiles of a 2-D array ignoring NaN (nearest-rank), shape (len(quantiles), rows).

    Rows without any finite value give NaN. Faster than ``np.nanquantile`` for many rows.
    """
    ordered = np.sort(matrix, axis=1)  # NaN sorts last
    valid = np.sum(~np.isnan(matrix), axis=1)
    out = np.full((len(quantiles), matrix.shape[0]), np.nan)
    has = valid > 0
    rows = np.nonzero(has)[0]
    for k, q in enumerate(quantiles):
        position = np.floor(q * (valid[has] - 1) + 0.5).astype(np.int64)
        out[k, has] = ordered[rows, position]
    return out


def nan_mean_rows(matrix: np.ndarray) -> np.ndarray:
    """Row means ignoring NaN; NaN for all-NaN rows, without a RuntimeWarning."""
    valid = ~np.isnan(matrix)
    count = valid.sum(axis=1)
    total = np.where(valid, matrix, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)
