"""Binning readings onto the dense profile matrix, and the daily series derived from it.

Readings arrive as *day rows* (the dataset layout): per row an account index, a local day number and
the day's readings, stored as a (readings per day, rows) matrix so that each time of day is one
contiguous vector. The profile matrix keeps that orientation: ``mean_kw[slot, account, day]``, shape
(P, A, D), slot-major, so sums and minima over the slots of a day are adds of whole (A, D) planes and
lags between days are slices of the last axis. Units: input energy per reading in kWh; output mean
demand in kW. A slot with no reading is NaN (never zero). Time: days and slots follow Asia/Shanghai.
"""

from __future__ import annotations

import math

import numpy as np

from minesweep.detection.meter.timebase import SECONDS_PER_DAY, SHANGHAI_OFFSET_S, ProfileGrid

MIN_DAY_COVERAGE = 0.5


def day_rows(
    account_index: np.ndarray, ts_utc_s: np.ndarray, kwh: np.ndarray, interval_s: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Long readings → day rows ``(row_account, row_day, readings)``, sorted by account then day.

    ``readings`` is float32 (readings per day, rows) with NaN where a day has no reading at that time;
    ``ts_utc_s`` are interval starts in UTC seconds. A later duplicate of a timestamp replaces an
    earlier one (imports reject duplicates before this).
    """
    local = np.asarray(ts_utc_s, dtype=np.int64) + SHANGHAI_OFFSET_S
    day = local // SECONDS_PER_DAY
    slot = (local % SECONDS_PER_DAY) // interval_s
    per_day = max(1, SECONDS_PER_DAY // interval_s)
    if len(day) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((per_day, 0), np.float32)
    first, span = int(day.min()), int(day.max() - day.min()) + 1
    key = np.asarray(account_index, dtype=np.int64) * span + (day - first)
    keys, row = np.unique(key, return_inverse=True)
    readings = np.full((per_day, len(keys)), np.nan, dtype=np.float32)
    readings[slot, row] = kwh
    return keys // span, keys % span + first, readings


def profile_from_day_rows(
    row_account: np.ndarray,
    row_day: np.ndarray,
    readings: np.ndarray,
    n_accounts: int,
    grid: ProfileGrid,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean kW and reading counts per (slot, account, local day) from day rows.

    ``readings`` (readings per day, rows) kWh; rows outside the grid's window are ignored. Returns
    ``mean_kw`` float32 (P, A, D) with NaN where a slot has no reading, and ``counts`` uint8 (P, A, D);
    float32 holds 7 significant digits, as the stored readings do, and halves the memory traffic of
    every feature.
    """
    shape = (grid.slots_per_day, n_accounts, grid.n_days)
    if n_accounts == 0 or grid.n_days == 0:
        return np.full(shape, np.nan, dtype=np.float32), np.zeros(shape, dtype=np.uint8)
    day = np.asarray(row_day, dtype=np.int64) - grid.start_day
    inside = (day >= 0) & (day < grid.n_days)
    if not inside.all():
        row_account, day, readings = row_account[inside], day[inside], readings[:, inside]
    slot_of_reading = (np.arange(readings.shape[0]) * grid.interval_s) // grid.bin_s
    energy, counts = _slot_sums(readings, slot_of_reading, grid.slots_per_day)
    position = np.asarray(row_account, dtype=np.int64) * grid.n_days + day
    mean_kw = np.full((grid.slots_per_day, n_accounts * grid.n_days), np.nan, dtype=np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_kw[:, position] = energy / (counts * np.float32(grid.interval_s / 3600.0))
    slot_counts = np.zeros((grid.slots_per_day, n_accounts * grid.n_days), dtype=np.uint8)
    slot_counts[:, position] = counts
    return mean_kw.reshape(shape), slot_counts.reshape(shape)


def _slot_sums(
    readings: np.ndarray, slot_of_reading: np.ndarray, slots: int
) -> tuple[np.ndarray, np.ndarray]:
    """kWh sums and reading counts per (slot, row), float32 and uint8, NaN readings left out.

    Whole time-of-day vectors are added first; a slot that comes out NaN had a missing reading, and
    only those (slot, row) pairs are summed again without it.
    """
    per_slot = readings.shape[0] // slots
    if (
        per_slot * slots != readings.shape[0]
        or (slot_of_reading != np.arange(readings.shape[0]) // per_slot).any()
    ):
        return _irregular_slot_sums(readings, slot_of_reading, slots)
    grouped = readings.reshape(slots, per_slot, -1)
    energy = grouped[:, 0].copy()
    for k in range(1, per_slot):  # a few whole-vector adds beat a reduction over a short axis
        energy += grouped[:, k]
    counts = np.full(energy.shape, per_slot, dtype=np.uint8)
    slot, row = true_positions(np.isnan(energy))
    if len(slot):
        part = grouped[slot, :, row]
        present = ~np.isnan(part)
        energy[slot, row] = np.where(present, part, np.float32(0)).sum(axis=1)
        counts[slot, row] = present.sum(axis=1)
    return energy, counts


def _irregular_slot_sums(
    readings: np.ndarray, slot_of_reading: np.ndarray, slots: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_slot_sums` for an interval that does not divide the hour evenly (e.g. 40 minutes)."""
    starts = np.unique(slot_of_reading, return_index=True)[1]
    present = ~np.isnan(readings)
    energy = np.add.reduceat(np.where(present, readings, np.float32(0)), starts, axis=0, dtype=np.float32)
    counts = np.add.reduceat(present, starts, axis=0, dtype=np.uint8)
    return energy, counts


def bin_readings(
    account_index: np.ndarray,
    ts_utc_s: np.ndarray,
    kwh: np.ndarray,
    n_accounts: int,
    grid: ProfileGrid,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean kW and reading counts per (slot, account, local day) from long readings.

    ``account_index`` (int, 0..n_accounts-1), ``ts_utc_s`` (int64 UTC seconds, interval start) and
    ``kwh`` (energy over the reading's interval) are parallel 1-D arrays; the same binning as
    :func:`profile_from_day_rows`, which this calls.
    """
    row_account, row_day, readings = day_rows(account_index, ts_utc_s, kwh, grid.interval_s)
    return profile_from_day_rows(row_account, row_day, readings, n_accounts, grid)


def daily_mean_kw(mean_kw: np.ndarray, counts: np.ndarray, grid: ProfileGrid) -> np.ndarray:
    """Daily mean demand (kW), (A, D); NaN for days with less than half the expected readings.

    Slots are weighted by their reading counts, so a partly missing day is the mean of what exists.
    """
    return daily_mean_from(np.where(counts > 0, mean_kw, 0.0), counts, day_reading_counts(counts), grid)


def day_reading_counts(counts: np.ndarray) -> np.ndarray:
    """(A, D) int64 readings per day from the (P, A, D) uint8 slot counts (summed in uint16 when that
    cannot overflow: exact, and several times cheaper than widening every count to int64)."""
    fits = counts.dtype == np.uint8 and counts.shape[0] * 0xFF <= 0xFFFF
    narrow = np.uint16 if fits else np.int64
    return counts.sum(axis=0, dtype=narrow).astype(np.int64)


def daily_mean_from(
    filled_kw: np.ndarray, counts: np.ndarray, day_counts: np.ndarray, grid: ProfileGrid
) -> np.ndarray:
    """:func:`daily_mean_kw` from the profile with 0 for missing slots and the readings per day."""
    # Plane by plane in a fixed order: the sum of an account's day never depends on which other
    # accounts share its partition (einsum picks its accumulation order by array shape).
    weighted = np.zeros(filled_kw.shape[1:], dtype=np.float64)
    for plane, count in zip(filled_kw, counts, strict=True):
        weighted += plane * count
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = weighted / day_counts
    mean[day_counts < MIN_DAY_COVERAGE * grid.readings_per_day] = np.nan
    return mean


def daily_base_kw(mean_kw: np.ndarray, daily_kw: np.ndarray, slots: np.ndarray | None = None) -> np.ndarray:
    """Daily base load (kW), (A, D): the lowest slot of each day; NaN where the day is NaN.

    ``slots`` (P,) bool, optional: only these slots count (the off-peak hours, so rigs that are cut in
    the peak-tariff hours do not hide their floor). With one slot a day (daily data) the base equals
    the daily mean.
    """
    every_slot = np.ones(mean_kw.shape[0], dtype=bool)
    chosen = every_slot if slots is None or not np.any(slots) else np.asarray(slots, dtype=bool)
    base = lowest_over_slots(mean_kw, chosen).astype(np.float64)
    base[np.isnan(daily_kw) | np.isnan(base)] = np.nan
    return base


def lowest_over_slots(mean_kw: np.ndarray, slots: np.ndarray) -> np.ndarray:
    """(A, D) lowest kW over the chosen slots ((P,) bool, at least one) of each day, skipping NaN
    (NaN for a day without data in them): ``np.fmin.reduce(mean_kw[slots], axis=0)`` without copying
    the chosen planes."""
    chosen = np.flatnonzero(slots)
    lowest = mean_kw[chosen[0]].copy()
    for slot in chosen[1:]:
        np.fmin(lowest, mean_kw[slot], out=lowest)
    return lowest


def high_quantile_rows(matrix: np.ndarray, valid: np.ndarray, q: float) -> np.ndarray:
    """Per-row quantile ``q`` (nearest rank, as :func:`row_quantiles`) of a 2-D array whose missing
    entries are ``-inf``, given each row's number of valid entries; NaN for rows without any.

    For a high ``q`` only the top few entries matter, so one ``np.partition`` (linear time) and a sort
    of those replace a full sort of every row.
    """
    rows, width = matrix.shape
    out = np.full(rows, np.nan)
    has = valid > 0
    if not has.any():
        return out
    position = np.floor(q * (valid - 1) + 0.5).astype(np.int64)
    from_top = np.where(has, valid - 1 - position, 0)
    keep = min(width, int(from_top.max()) + 1)
    top = np.sort(np.partition(matrix, width - keep, axis=1)[:, width - keep :], axis=1)
    picked = top[np.arange(rows), keep - 1 - from_top]
    out[has] = picked[has]
    return out


def row_quantiles(matrix: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
    """Per-row quantiles of a 2-D array ignoring NaN (nearest-rank), shape (len(quantiles), rows).

    Rows without any finite value give NaN. Faster than ``np.nanquantile`` for many rows.
    """
    ordered = np.sort(matrix, axis=1)  # NaN sorts last
    valid = count_true(~np.isnan(matrix), axis=1)
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
    count = count_true(valid, axis=1)
    # Left to right in a fixed order: numpy's row sums pick their accumulation order by the array's
    # shape, so a row's mean would depend on how many rows share its partition. A running sum along
    # each row adds in exactly that order, in one call rather than one per column.
    total = _row_sums_in_order(np.where(valid, matrix, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _row_sums_in_order(matrix: np.ndarray) -> np.ndarray:
    """(rows,) float64 sums of each row added strictly left to right (0 for an empty row)."""
    if matrix.shape[1] == 0:
        return np.zeros(matrix.shape[0], dtype=np.float64)
    return np.cumsum(matrix, axis=1, dtype=np.float64)[:, -1]


def count_true(mask: np.ndarray, axis: int | tuple[int, ...]) -> np.ndarray:
    """int64 number of True entries of a boolean array along ``axis``, as ``mask.sum(axis)``.

    Summed in the narrowest unsigned integer that cannot overflow for that many entries: numpy
    otherwise widens every boolean to int64 on the way, which costs several times the count itself.
    """
    axes = (axis,) if isinstance(axis, int) else axis
    entries = math.prod(mask.shape[a] for a in axes)
    narrow = np.uint8 if entries <= 0xFF else np.uint16 if entries <= 0xFFFF else np.int64
    return mask.sum(axis=axis, dtype=narrow).astype(np.int64)


def true_positions(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) indices of the True entries of a 2-D boolean array, row-major, as ``np.nonzero``.

    Found in the flattened array and split by division: several times faster than ``np.nonzero`` on
    a 2-D array.
    """
    row, column = np.divmod(np.flatnonzero(mask), mask.shape[1])
    return row, column
