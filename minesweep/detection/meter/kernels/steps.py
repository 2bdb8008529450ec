"""Level changes in daily series: step changes (阶跃) and the onset of a new base load (突增).

Inputs are daily series (A, D) in kW (daily mean or daily base demand) with NaN for missing days.
Day positions are indices into the window (0 = first local day of the window).
"""

from __future__ import annotations

import numpy as np

from minesweep.detection.meter.kernels.profile import row_quantiles

MIN_SEGMENT_DAYS = 14
STEP_WINDOW_DAYS = 7
STEP_MIN_Z = 6.0
STEP_MIN_RELATIVE = 0.08
ONSET_MIN_Z = 6.0
ONSET_MIN_SHARPNESS = 0.5
ONSET_MIN_SHARE = 0.2
ONSET_MIN_OF_DEMAND = 0.2
BEFORE_LEVEL_QUANTILE = 0.9
NOISE_FLOOR_RELATIVE = 0.005


def _cumulative(series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prefix sums and prefix counts with a leading zero column (NaN-aware)."""
    valid = ~np.isnan(series)
    pad = np.zeros((series.shape[0], 1))
    sums = np.concatenate([pad, np.cumsum(np.where(valid, series, 0.0), axis=1)], axis=1)
    counts = np.concatenate([pad, np.cumsum(valid, axis=1)], axis=1)
    return sums, counts


def noise_scale_kw(series: np.ndarray, level: np.ndarray | None = None) -> np.ndarray:
    """Robust day-to-day noise σ (kW): 1.4826 · median|Δ| / √2, floored at 0.5 % of the median level.

    ``level``: the row medians of ``series`` (:func:`median_rows`) when the caller has them already.
    """
    diffs = np.abs(np.diff(series, axis=1))
    sigma = 1.4826 * median_rows(diffs) / np.sqrt(2.0)
    if level is None:
        level = median_rows(series)
    floor = NOISE_FLOOR_RELATIVE * np.abs(np.nan_to_num(level)) + 1e-9
    return np.fmax(np.nan_to_num(sigma, nan=0.0), floor)


def window_means(
    series: np.ndarray, width: int, cumulative: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Means of the ``width`` days before and from each day t (NaN where a side has < width/2 days).

    ``cumulative``: :func:`_cumulative` of ``series`` when the caller has it already.
    """
    sums, counts = cumulative if cumulative is not None else _cumulative(series)
    length = series.shape[1]
    t = np.arange(length)
    lo, hi = np.clip(t - width, 0, length), np.clip(t + width, 0, length)
    sums_at, counts_at = sums[:, :length], counts[:, :length]  # views: the prefix up to day t
    days_before, days_after = counts_at - counts[:, lo], counts[:, hi] - counts_at
    with np.errstate(invalid="ignore", divide="ignore"):
        before = (sums_at - sums[:, lo]) / days_before
        after = (sums[:, hi] - sums_at) / days_after
    before[days_before < width / 2] = np.nan
    after[days_after < width / 2] = np.nan
    return before, after


def detect_steps(daily_kw: np.ndarray, width: int = STEP_WINDOW_DAYS) -> np.ndarray:
    """Step sizes (kW) at the days where a step starts, 0 elsewhere; shape (A, D).

    A step at day t is a local extreme of mean(next ``width`` days) − mean(previous ``width`` days)
    that exceeds both ``STEP_MIN_Z`` noise σ and ``STEP_MIN_RELATIVE`` of the median level, and that
    lasts (:func:`_lasting`: a dip or a burst shorter than the window is none). Positive sizes are rises
    (e.g. rigs switched on), negative ones falls.
    """
    accounts, length = daily_kw.shape
    if length < 2 * width + 1:
        return np.zeros((accounts, length))
    before, after = window_means(daily_kw, width)
    jump = np.nan_to_num(after - before, nan=0.0)
    median_level = median_rows(daily_kw)
    sigma = noise_scale_kw(daily_kw, median_level)
    level = np.nan_to_num(median_level, nan=0.0)
    threshold = np.maximum(STEP_MIN_Z * sigma * np.sqrt(2.0 / width), STEP_MIN_RELATIVE * np.abs(level))
    magnitude = np.abs(jump)
    padded = np.pad(magnitude, ((0, 0), (width, width)), constant_values=-1.0)
    around = _sliding_max(padded, 2 * width + 1, length)
    left = _sliding_max(padded, width, length)
    is_step = (magnitude >= around) & (magnitude > left) & (magnitude >= threshold[:, None]) & (magnitude > 0)
    return np.where(is_step & _lasting(before, after, jump, width), jump, 0.0)


def _lasting(before: np.ndarray, after: np.ndarray, jump: np.ndarray, width: int) -> np.ndarray:
    """(A, D): is the change at each day one that lasts — a new level, not a dip or a burst shorter than
    the window? A change of ``jump`` at day t is not a step where the level the window before it left
    (the ``width`` days before the window before t) or the level the window after it reaches (the
    ``width`` days after the window after t) comes back to within half the jump of where it started:
    an outage of three days drops the means of the windows around it and then "rises" back, and
    without this its recovery was listed as rigs switched on (a demo farm: +4,517 kW, "1,390 rigs",
    on the day a three-day outage ended). Where the farther window has too few days (the ends of the
    series) the change is kept. ``before``, ``after``: :func:`window_means` of the daily series."""
    length = before.shape[1]
    earlier = np.full_like(before, np.nan)
    later = np.full_like(after, np.nan)
    earlier[:, width:] = before[:, : length - width]  # the window before the window before t
    later[:, : length - width] = after[:, width:]  # the window after the window after t
    half = np.abs(jump) / 2
    with np.errstate(invalid="ignore"):
        back_before = np.abs(after - earlier) < half  # the new level is where the level was before the dip
        back_after = np.abs(later - before) < half  # the level returns to where it started
    return ~(back_before | back_after)


def _sliding_max(padded: np.ndarray, width: int, count: int) -> np.ndarray:
    """(A, count) maxima of ``padded[:, t : t + width]`` for t < count: ``width`` whole-array maxima of
    shifted views instead of one short reduction per day (a maximum is exact in any order)."""
    out = padded[:, :count].copy()
    for shift in range(1, width):
        np.maximum(out, padded[:, shift : shift + count], out=out)
    return out


def best_rise(series: np.ndarray, min_segment: int = MIN_SEGMENT_DAYS) -> dict[str, np.ndarray]:
    """The single split that best separates a lower level before from a higher level after.

    Returns per account: ``day`` (index of the first day of the higher level, -1 if none),
    ``before_kw``/``after_kw`` (segment means), ``z`` (mean-shift statistic in noise σ), and
    ``sharpness`` in [0, 1]: the share of the rise that happens within a week of the split
    (near 1 for switching rigs on, small for a slow seasonal drift).
    """
    accounts, length = series.shape
    empty = {
        "day": np.full(accounts, -1, dtype=np.int64),
        "before_kw": np.full(accounts, np.nan),
        "after_kw": np.full(accounts, np.nan),
        "z": np.zeros(accounts),
        "sharpness": np.zeros(accounts),
    }
    if length < 2 * min_segment:
        return empty
    sums, counts = _cumulative(series)
    total_sum, total_count = sums[:, -1:], counts[:, -1:]
    n1, n2 = counts[:, 1:-1], total_count - counts[:, 1:-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        before = sums[:, 1:-1] / n1
        after = (total_sum - sums[:, 1:-1]) / n2
        stat = (after - before) * np.sqrt(n1 * n2 / (n1 + n2))
    stat[(n1 < min_segment) | (n2 < min_segment) | ~np.isfinite(stat)] = -np.inf
    split = np.argmax(stat, axis=1)
    rows = np.arange(accounts)
    best = stat[rows, split]
    found = np.isfinite(best) & (best > 0)
    sigma = noise_scale_kw(series)
    local_before, local_after = window_means(series, STEP_WINDOW_DAYS, (sums, counts))
    day = split + 1
    before_level, after_level = segment_levels(series, day)
    rise = after_level - before_level
    with np.errstate(invalid="ignore", divide="ignore"):
        sharp = (local_after[rows, day] - local_before[rows, day]) / rise
    return {
        "day": np.where(found, day, -1),
        "before_kw": np.where(found, before_level, np.nan),
        "after_kw": np.where(found, after_level, np.nan),
        "z": np.where(found, best / sigma, 0.0),
        "sharpness": np.where(found, np.clip(np.nan_to_num(sharp, nan=0.0), 0.0, 1.0), 0.0),
    }


def segment_levels(series: np.ndarray, split: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Level before each row's split (90th percentile) and from it (median).

    A high quantile before the split keeps dips — weekends, the Spring Festival shutdown, a maintenance
    stop — from passing for a low level that a restart then "rises" from; only a load that was never
    as high before counts as new.
    """
    columns = np.arange(series.shape[1])[None, :]
    before = np.where(columns < split[:, None], series, np.nan)
    return row_quantiles(before, (BEFORE_LEVEL_QUANTILE,))[0], level_from(series, split)


def level_from(series: np.ndarray, split: np.ndarray) -> np.ndarray:
    """Median of each row from its split on: the level after, as :func:`segment_levels` gives it."""
    after = np.where(np.arange(series.shape[1])[None, :] >= split[:, None], series, np.nan)
    return median_rows(after)


def onset_share(rise: dict[str, np.ndarray], demand_after_kw: np.ndarray) -> np.ndarray:
    """Share of the later base load that appeared at a sharp, significant onset, in [0, 1]; else 0.

    A farm switched on inside the window gives ~1; mining added to a factory gives mining / (factory
    base + mining); a load without a sharp sustained rise gives 0. The rise must also be at least 20 %
    of the account's median daily demand after it (``demand_after_kw``), so tiny loads (a household's
    near-zero base) cannot produce large shares from noise.
    """
    added = rise["after_kw"] - rise["before_kw"]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = added / rise["after_kw"]
    share = np.clip(np.nan_to_num(share, nan=0.0), 0.0, 1.0)
    significant = (rise["z"] >= ONSET_MIN_Z) & (rise["sharpness"] >= ONSET_MIN_SHARPNESS)
    sizeable = np.nan_to_num(added) >= ONSET_MIN_OF_DEMAND * np.nan_to_num(demand_after_kw, nan=np.inf)
    return np.where(significant & sizeable & (share >= ONSET_MIN_SHARE), share, 0.0)


def median_rows(matrix: np.ndarray) -> np.ndarray:
    """Row medians ignoring NaN (nearest rank); NaN for rows without data."""
    if matrix.shape[1] == 0:
        return np.full(matrix.shape[0], np.nan)
    return row_quantiles(matrix, (0.5,))[0]


def recent_level_kw(series: np.ndarray, days: int = 28) -> np.ndarray:
    """Median of the last ``days`` days of the window (kW), ignoring NaN; NaN without data."""
    return median_rows(series[:, -days:])
