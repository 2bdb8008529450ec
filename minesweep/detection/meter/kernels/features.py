"""All meter features for one block of accounts: the kernel a runner maps over partitions.

Input: the profile matrix from :func:`profile.bin_readings`. Output: a dict of 1-D arrays, one value
per account (see ``FEATURE_DOCS`` for units and meaning), plus per-account step lists for evidence.
Only meter data is used here; tariff and contracted capacity are joined later by scoring, so the
result for an account never depends on which partition it sits in.
"""

from __future__ import annotations

import numpy as np

from minesweep.detection.meter.kernels import shape, steps
from minesweep.detection.meter.kernels.profile import (
    count_true,
    daily_base_kw,
    daily_mean_from,
    day_reading_counts,
    nan_mean_rows,
    row_quantiles,
    true_positions,
)
from minesweep.detection.meter.kernels.validation import without_implausible_readings
from minesweep.detection.meter.timebase import ProfileGrid

FEATURE_DOCS: dict[str, str] = {
    "mean_kw": "mean demand over the window, kW",
    "robust_peak_kw": "99th percentile of slot demand, kW",
    "load_factor": "mean / robust peak, 0..1 (1 = flat)",
    "daily_periodicity": "autocorrelation at 24 h of the intra-day shape, -1..1",
    "profile_amplitude": "(max - min) of the mean daily profile / mean demand",
    "weekly_periodicity": "autocorrelation at 7 days of daily demand vs its 7-day mean, -1..1",
    "night_day_ratio": "mean kW 00-06 / mean kW 09-18, local time",
    "weekend_weekday_ratio": "mean daily demand on rest days / on working days",
    "daily_variation": "coefficient of variation of daily energy",
    "day_to_day_change": "median |daily change| / median daily demand",
    "near_peak_share": "share of slots at or above 90% of the robust peak",
    "base_load_ratio": "median daily base (lowest steady off-peak slot: off-peak, not in the hour after a peak-tariff window; the lowest slot for daily data) / median daily demand",
    "base_day_to_day_change": "median |day-to-day change of the daily base| / median daily base; rigs under a working load keep it near 0",
    "work_day_to_day_change": "median |day-to-day change of the daily demand| / median daily demand above the base: how much the site's own work moves from day to day (rigs under it add to neither); NaN where that work is under 2% of the demand",
    "fixed_floor_share": "share of working-day demand in a floor that does not move with the site's activity (rigs under a working load), 0..1",
    "fixed_part_of_base": "share of the daily base that does not rise and fall with the site's own work over the window (rigs, and any constant standby of the site's), 0..1: the working days' base regressed on their work (mean above base); NaN where the base falls as the work rises, the work is under a tenth of the demand, the slope is too uncertain or there are under 30 working days",
    "working_day_rhythm_share": "share of the daily rhythm that stops on rest days (people beside the load), 0..1",
    "rest_day_amplitude": "(max - min) of the mean rest-day profile / its mean demand: how flat the load is when people are away",
    "working_hours_centre": "local hour at the centre of the working-day rhythm (NaN without one): 20:00-07:00 says the clock is off",
    "onset_share": "share of the later base load that appeared at one sharp onset, 0..1",
    "step_up_count": "number of upward steps in daily demand",
    "step_down_count": "number of downward steps in daily demand",
    "largest_step_up_kw": "largest upward step in daily demand, kW",
    "missing_share": "share of expected readings missing in the window (implausible ones included)",
    "implausible_share": "share of the account's readings set aside as implausible: above 3x its robust peak, or the zeros of an outage whose energy such a reading carries",
    "temperature_response": "|slope| of daily demand changes on degree-day changes, % of mean per degC",
    "night_excess_kw": "median over the last 28 days of (mean kW 00-06 - daily base kW)",
    "night_excess_variation": "coefficient of variation of that nightly excess over the 28 days",
    "night_excess_persistence": "share of days since it first appeared on which the night excess ran",
    "night_to_night_change": "median |change of what the night load drew| between consecutive whole nights of the last 28 on which it ran (at least half its median; at least 7 such pairs) / its median on those nights; a night's draw is its excess where it ran over every 21:00-09:00 slot with a reading: rigs draw the same night after night, a home EV charger what the day's driving used",
    "evening_peak_share": "median over the last 28 days of (mean kW 18-22 - daily base kW) / night excess kW: what a night load also draws in the evening peak-tariff hours",
    "night_excess_weather": "|slope| of the night excess on the outdoor temperature over the nights it ran, % of its mean per degC",
    "peak_cut_share": "1 - median daily (mean kW in peak-tariff hours / mean kW outside them), 0..1",
    "offpeak_base_ratio": "median daily (lowest steady off-peak slot / off-peak mean): 1 = flat outside the peaks",
    "running_kw": "mean kW above the pre-onset level over the slots where that load ran",
    "running_hours": "hours in which that load ran (from the first-seen day on)",
    "running_base_kw": "mean daily base above the pre-onset level (0 without an onset) over the days from the first-seen day on on which that load ran",
    "running_base_hours": "hours of readings on those days",
    "own_profile_kw": "mean kW above the site's own load at that hour (median over the same kind of day, four weeks before the onset) over the slots the new load ran; accounts whose site worked before the onset",
    "own_profile_off_peak_kw": "the same over the steady off-peak slots only",
    "own_profile_hours": "hours of the slots counted in own_profile_kw",
    "added_flat_share": "share of the load added at the onset that is the same at every hour (rigs) rather than along the site's own working-day shape before it (a site that grows), 0..1, over the four weeks after; accounts whose site worked before the onset and had a daily shape",
    "night_running_kw": "mean kW above the day's base over the night slots (21:00-09:00) where the night load ran (at least half its level)",
    "night_running_hours": "hours of those slots",
    "night_first_day": "window day index of the first of those slots (-1: none)",
}


def compute_features(
    mean_kw: np.ndarray,
    counts: np.ndarray,
    grid: ProfileGrid,
    is_workday: np.ndarray,
    temperature_c: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], list[list[tuple[int, float]]]]:
    """Features (dict of (A,) arrays) and, per account, its steps as (window day index, kW) pairs.

    Implausible readings (:mod:`validation`: catch-up readings after an outage and the outage's
    zeros, corrupt spikes) are set aside first; every feature sees them as missing.

    Shape features (load factor to base load ratio) cover the days from the onset when one is found.
    Besides ``FEATURE_DOCS`` the dict holds the inputs of the estimates: ``recent_base_kw`` (median
    daily base over the last 28 days), ``pre_onset_base_kw`` (mean daily base before the onset, NaN
    without one), ``onset_day`` (window day index or -1), ``first_data_day`` (-1 without data),
    ``hours_since_first_seen`` (hours of readings from the first-seen day on).
    """
    cube, counts, implausible = without_implausible_readings(shape.Cube.of(mean_kw), counts)
    mean_kw = cube.kw
    day_counts = day_reading_counts(counts)
    daily = daily_mean_from(cube.filled, counts, day_counts, grid)
    base = daily_base_kw(mean_kw, daily, _off_peak(grid))
    rise = steps.best_rise(base)
    onset = steps.onset_share(rise, steps.level_from(daily, np.maximum(rise["day"], 0)))
    step_sizes = steps.detect_steps(daily)
    features = _shape_features(cube, daily, base, grid, is_workday)
    _judge_from_onset(features, mean_kw, daily, base, grid, is_workday, np.where(onset > 0, rise["day"], -1))
    features.update(
        {
            "onset_share": onset,
            "step_up_count": (step_sizes > 0).sum(axis=1).astype(float),
            "step_down_count": (step_sizes < 0).sum(axis=1).astype(float),
            "largest_step_up_kw": np.clip(step_sizes.max(axis=1, initial=0.0), 0.0, None),
            "missing_share": shape.missing_share(day_counts, grid.readings_per_day),
            "implausible_share": implausible,
            "temperature_response": shape.temperature_response(daily, temperature_c, step_sizes, is_workday),
        }
    )
    (
        features["night_excess_kw"],
        features["night_excess_variation"],
        features["night_excess_persistence"],
        features["night_excess_weather"],
    ) = shape.night_excess_kw(cube, base, grid.slot_hours, temperature_c=temperature_c)
    features["evening_peak_share"] = shape.evening_peak_share(
        cube, base, grid.slot_hours, features["night_excess_kw"]
    )
    night_kw, night_slots, night_first, features["night_to_night_change"] = shape.night_running(
        cube, base, grid.slot_hours, features["night_excess_kw"]
    )
    features["night_running_kw"] = night_kw
    features["night_running_hours"] = night_slots * (grid.bin_s / 3600.0)
    features["night_first_day"] = night_first.astype(float)
    features["peak_cut_share"], features["offpeak_base_ratio"] = shape.peak_cut(cube, grid.slot_hours)
    features.update(_estimate_inputs(base, day_counts, grid, rise, onset))
    _judge_night_from_first_night(features, mean_kw, grid, night_first)
    features["kw_before_onset"], features["kw_after_onset"] = level_around(
        daily, features["onset_day"].astype(np.int64)
    )
    features["wave_before_onset_kw"] = wave_before(daily, base, features["onset_day"].astype(np.int64))
    features.update(_running_load(mean_kw, daily, features, grid))
    features.update(running_base(base, day_counts, features, grid))
    features.update(above_own_profile(mean_kw, features, grid, is_workday))
    return features, _step_lists(step_sizes)


def _off_peak(grid: ProfileGrid) -> np.ndarray | None:
    """Steady off-peak slots for the daily base (hourly or finer data), else None (every slot)."""
    hours = np.asarray(grid.slot_hours)
    return shape.steady_off_peak_slots(hours) if len(hours) >= 24 else None


def _shape_features(
    cube: shape.Cube,
    daily: np.ndarray,
    base: np.ndarray,
    grid: ProfileGrid,
    is_workday: np.ndarray,
) -> dict[str, np.ndarray]:
    """The features that describe how the load runs (load factor to base load ratio)."""
    working_amplitude, rest_amplitude = shape.amplitude_by_day_kind(cube, is_workday)
    work_change = shape.work_day_to_day_change(daily, base)
    scaled_daily = shape.profile_scaled_daily_kw(cube, daily, is_workday)
    return {
        "mean_kw": cube.mean_kw,
        "robust_peak_kw": cube.robust_peak_kw,
        "load_factor": shape.load_factor(cube),
        "daily_periodicity": shape.daily_periodicity(cube),
        "profile_amplitude": shape.profile_amplitude(cube),
        "weekly_periodicity": shape.weekly_periodicity(daily),
        "night_day_ratio": shape.night_day_ratio(cube, grid.slot_hours),
        "weekend_weekday_ratio": shape.weekend_weekday_ratio(daily, is_workday),
        "daily_variation": shape.daily_variation(daily),
        "day_to_day_change": shape.day_to_day_change(daily),
        "near_peak_share": shape.near_peak_share(cube),
        "base_load_ratio": shape.base_load_ratio(base, daily),
        "base_day_to_day_change": shape.day_to_day_change(base),
        "work_day_to_day_change": work_change,
        "fixed_floor_share": shape.only_where_work_moves(
            shape.fixed_floor_share(scaled_daily, base, is_workday), work_change
        ),
        "fixed_part_of_base": shape.fixed_part_of_base(scaled_daily, base, is_workday),
        "working_day_rhythm_share": shape.working_day_rhythm_share(working_amplitude, rest_amplitude),
        "rest_day_amplitude": rest_amplitude,
        "working_hours_centre": shape.working_hours_centre(
            cube, is_workday, np.asarray(grid.slot_hours), working_amplitude
        ),
    }


def _judge_from_onset(
    features: dict[str, np.ndarray],
    mean_kw: np.ndarray,
    daily: np.ndarray,
    base: np.ndarray,
    grid: ProfileGrid,
    is_workday: np.ndarray,
    onset_day: np.ndarray,
) -> None:
    """Shape features of accounts with an onset, recomputed over the days from the onset on.

    A farm switched on mid-window is judged on how it runs, not diluted by the empty months before.
    Few accounts have an onset, so only their rows are recomputed.
    """
    later = np.nonzero(onset_day > 0)[0]
    if not len(later):
        return
    since = np.arange(grid.n_days)[None, :] >= onset_day[later, None]
    recent = _shape_features(
        shape.Cube.of(np.where(since[None], mean_kw[:, later], np.nan)),
        np.where(since, daily[later], np.nan),
        np.where(since, base[later], np.nan),
        grid,
        is_workday,
    )
    for name, values in recent.items():
        features[name][later] = values


def _judge_night_from_first_night(
    features: dict[str, np.ndarray], mean_kw: np.ndarray, grid: ProfileGrid, night_first: np.ndarray
) -> None:
    """``night_day_ratio`` of a night load that began in the window, over the days from its first night.

    A night load leaves the daily base where it was, so it has no onset and its shape features cover the
    whole window: rigs on the valley tariff from day 40 of 120 beside an office had their night/day
    ratio diluted by the forty days before them (0.40 instead of 0.63 from day 0). They are judged on how
    they run, as a farm switched on mid-window is (:func:`_judge_from_onset`). Accounts with an onset keep
    the ratio from their onset."""
    later = np.flatnonzero((night_first > 0) & (features["onset_day"] < 0))
    if not len(later):
        return
    since = np.arange(grid.n_days)[None, :] >= night_first[later, None]
    cube = shape.Cube.of(np.where(since[None], mean_kw[:, later], np.nan))
    features["night_day_ratio"][later] = shape.night_day_ratio(cube, grid.slot_hours)


def _estimate_inputs(
    base: np.ndarray,
    day_counts: np.ndarray,
    grid: ProfileGrid,
    rise: dict[str, np.ndarray],
    onset: np.ndarray,
) -> dict[str, np.ndarray]:
    has_data = day_counts > 0
    first_data = np.where(has_data.any(axis=1), has_data.argmax(axis=1), -1)
    onset_day = np.where(onset > 0, rise["day"], -1)
    first_seen = np.where(onset_day >= 0, onset_day, first_data)
    hours_per_day = day_counts * (grid.interval_s / 3600.0)
    hours_from = np.cumsum(hours_per_day[:, ::-1], axis=1)[:, ::-1]
    rows = np.arange(base.shape[0])
    hours_since = np.where(first_seen >= 0, hours_from[rows, np.clip(first_seen, 0, None)], 0.0)
    return {
        "recent_base_kw": steps.recent_level_kw(base),
        "pre_onset_base_kw": np.where(onset_day >= 0, _low_level_before(base, onset_day), np.nan),
        "onset_day": onset_day.astype(float),
        "first_data_day": first_data.astype(float),
        "first_seen_day": first_seen.astype(float),
        "hours_since_first_seen": hours_since,
    }


# the load (and the fusion's traffic) is compared over four weeks either side of an onset
ONSET_SIDE_DAYS = 28


def level_around(daily: np.ndarray, onset_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean daily kW over the :data:`ONSET_SIDE_DAYS` days before the onset and the as many from it on
    (NaN without an onset or without readings on a side): the size of the step in the site's own terms,
    which the fusion sets beside its traffic over the same weeks."""
    days = np.arange(daily.shape[1])[None, :]
    onset = onset_day[:, None]
    before = (onset > 0) & (days < onset) & (days >= onset - ONSET_SIDE_DAYS)
    after = (onset > 0) & (days >= onset) & (days < onset + ONSET_SIDE_DAYS)
    return _masked_mean(daily, before), _masked_mean(daily, after)


def wave_before(daily: np.ndarray, base: np.ndarray, onset_day: np.ndarray) -> np.ndarray:
    """The site's own daily wave before the onset: the median, over the :data:`ONSET_SIDE_DAYS` days
    before it, of the day's mean kW above its base (NaN without an onset or without readings). A
    working site has it most days; flat rigs that came earlier have none, and the day or two of a ramp
    before the onset do not move a median."""
    days = np.arange(daily.shape[1])[None, :]
    onset = onset_day[:, None]
    before = (onset > 0) & (days < onset) & (days >= onset - ONSET_SIDE_DAYS)
    with np.errstate(invalid="ignore"):
        return steps.median_rows(np.where(before, daily - base, np.nan))


def _masked_mean(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    chosen = mask & np.isfinite(values)
    count = chosen.sum(axis=1)
    total = np.where(chosen, values, 0.0).sum(axis=1, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


RAN_DAY_SHARE = 0.25  # a day counts as running when its base is a quarter of the usual excess above ``pre``


def running_base(
    base: np.ndarray, day_counts: np.ndarray, features: dict[str, np.ndarray], grid: ProfileGrid
) -> dict[str, np.ndarray]:
    """The load under a working one (rigs below a factory's shifts), measured on the days it ran.

    ``est_mining_kw`` is the mean power of the mining load over the hours it ran. Where the load is not
    flat enough to be measured slot by slot (:func:`_running_load`), what stays of it is the daily base
    (the lowest steady off-peak slot), which the site's own work sits on top of. ``running_base_kw`` is
    the mean, over the days from the first-seen day on, of the daily base above the level before the
    onset (``pre_onset_base_kw``; 0 without an onset), counting only the days whose excess is at least
    a quarter of its median (days switched off, an outage or a pause, count neither in the mean nor in
    the hours); ``running_base_hours`` is the hours of readings on those days.

    Before, the figure was the median base of the *last 28 days* minus that level: a load that ran
    at another level earlier, or stopped late in the window, was measured by its end alone (rigs under a
    factory's shifts, tune quarter: median error 11.6 %, a farm paused at the end −99 %; this measure:
    5.2 % and −4 %, bench/README.md).
    """
    days = base.shape[1]
    first_seen = features["first_seen_day"].astype(np.int64)
    pre = np.nan_to_num(features["pre_onset_base_kw"])
    since = (np.arange(days)[None, :] >= first_seen[:, None]) & (first_seen[:, None] >= 0)
    with np.errstate(invalid="ignore"):
        excess = np.where(since, base - pre[:, None], np.nan)
        typical = steps.median_rows(excess)
        ran = since & (excess >= RAN_DAY_SHARE * typical[:, None]) & (typical[:, None] > 0)
    kw = _masked_mean(excess, ran)
    hours = np.where(ran, day_counts, 0).sum(axis=1) * (grid.interval_s / 3600.0)
    return {"running_base_kw": kw, "running_base_hours": hours.astype(float)}


RUNNING_SHARE = 0.05  # a slot counts as running when the new load is above 5 % of its usual level


def _running_load(
    mean_kw: np.ndarray, daily: np.ndarray, features: dict[str, np.ndarray], grid: ProfileGrid
) -> dict[str, np.ndarray]:
    """The load that appeared at the first-seen day, measured where it ran.

    ``pre`` is the level before it (the base before the onset; 0 without an onset). From the first-seen
    day on, a slot *ran* when its demand exceeds ``pre`` by more than 5 % of the recent excess (median
    daily mean of the last 28 days minus ``pre``). Rigs that came in batches before the largest step
    count from the first day whose mean was a quarter of that excess above ``pre``. ``running_kw`` is the mean excess over those slots
    (the definition of ``est_mining_kw`` for a flat load) and ``running_hours`` their hours, so hours
    switched off (outages, peak-hour cuts) count neither in the mean nor in the hours.
    """
    accounts, days = daily.shape
    first_seen = features["first_seen_day"].astype(np.int64)
    pre = np.nan_to_num(features["pre_onset_base_kw"]).astype(np.float32)
    excess_level = (steps.recent_level_kw(daily) - pre).astype(np.float32)
    with np.errstate(invalid="ignore"):
        early = (daily - pre[:, None]) > 0.25 * excess_level[:, None]
    start = np.where(early.any(axis=1), np.minimum(early.argmax(axis=1), first_seen), first_seen)
    since = (np.arange(days)[None, :] >= start[:, None]) & (first_seen[:, None] >= 0)
    excess = mean_kw - pre[None, :, None]
    with np.errstate(invalid="ignore"):
        running = (excess > RUNNING_SHARE * excess_level[None, :, None]) & since[None]
    slots = count_true(running, axis=(0, 2))
    np.copyto(excess, np.float32(0), where=~running)  # in place: excess is this function's own array
    total = excess.sum(axis=(0, 2), dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(slots > 0, total / np.maximum(slots, 1), np.nan)
    return {"running_kw": mean, "running_hours": slots * (grid.bin_s / 3600.0)}


# A site's own daily wave before an onset larger than this share of the step biases a slot-by-slot
# measure of the new load above the lowest level before it by about as much: the kW tolerance.
WORKING_WAVE_SHARE = 0.05


def worked_before_onset(features: dict[str, np.ndarray]) -> np.ndarray:
    """(A,) True where the load rose at an onset over a site that worked before it: a daily wave of its
    own (``wave_before_onset_kw``) above :data:`WORKING_WAVE_SHARE` of the step."""
    step = features["kw_after_onset"] - features["kw_before_onset"]
    with np.errstate(invalid="ignore"):
        return (
            (features["onset_day"] > 0)
            & (step > 0)
            & (features["wave_before_onset_kw"] > WORKING_WAVE_SHARE * step)
        )


def above_own_profile(
    mean_kw: np.ndarray, features: dict[str, np.ndarray], grid: ProfileGrid, is_workday: np.ndarray
) -> dict[str, np.ndarray]:
    """A new load measured slot by slot above the site's own load at that hour, for accounts whose site
    worked before the onset (:func:`worked_before_onset`; NaN for the rest).

    The site's own load is its median, hour by hour, over the :data:`ONSET_SIDE_DAYS` days before the
    onset, working days and rest days apart (a shop's Sunday is not its Monday). From the onset on, a
    slot ran when the demand above that exceeds 5 % of the usual excess (its median daily mean), so
    outages and peak-hour cuts count neither in the mean nor in the hours, while the site's own daily
    wave — above the *lowest* level before the onset, where ``running_kw`` measures — is left out:
    ``own_profile_kw`` is the mean excess over those slots, ``own_profile_hours`` their hours.
    """
    accounts, days = features["onset_day"].shape[0], mean_kw.shape[2]
    out = {
        "own_profile_kw": np.full(accounts, np.nan),
        "own_profile_off_peak_kw": np.full(accounts, np.nan),
        "own_profile_hours": np.zeros(accounts),
        "added_flat_share": np.full(accounts, np.nan),
    }
    onset = features["onset_day"].astype(np.int64)
    chosen = np.flatnonzero(worked_before_onset(features))
    if not len(chosen):
        return out
    kw = mean_kw[:, chosen, :].astype(np.float64)  # (P, a, D)
    day = np.arange(days)[None, :]
    start = onset[chosen][:, None]
    before = (day < start) & (day >= start - ONSET_SIDE_DAYS)
    working = np.broadcast_to(np.asarray(is_workday, dtype=bool)[None, :], before.shape)
    expected = np.empty_like(kw)
    with np.errstate(invalid="ignore"):
        on_working = _median_or_nan(np.where((before & working)[None], kw, np.nan), axis=2)
        on_rest = _median_or_nan(np.where((before & ~working)[None], kw, np.nan), axis=2)
        on_rest = np.where(np.isnan(on_rest), on_working, on_rest)  # no rest day before the onset
        expected[:] = np.where(working[None], on_working[:, :, None], on_rest[:, :, None])
        excess = kw - expected
        since = day >= start
        usual = _median_or_nan(np.where(since, _mean_or_nan(excess, axis=0), np.nan), axis=1)
        running = (excess > RUNNING_SHARE * usual[None, :, None]) & since[None] & (usual[None, :, None] > 0)
        slots = running.sum(axis=(0, 2))
        total = np.where(running, excess, 0.0).sum(axis=(0, 2))
        out["own_profile_kw"][chosen] = np.where(slots > 0, total / np.maximum(slots, 1), np.nan)
        off_peak = _off_peak(grid)
        if off_peak is not None:
            quiet = running & off_peak[:, None, None]
            quiet_slots = quiet.sum(axis=(0, 2))
            quiet_total = np.where(quiet, excess, 0.0).sum(axis=(0, 2))
            out["own_profile_off_peak_kw"][chosen] = np.where(
                quiet_slots > 0, quiet_total / np.maximum(quiet_slots, 1), np.nan
            )
        after = since & (day < start + ONSET_SIDE_DAYS) & working
        out["added_flat_share"][chosen] = added_flat_share(
            on_working, _median_or_nan(np.where(after[None], excess, np.nan), axis=2)
        )
    out["own_profile_hours"][chosen] = slots * (grid.bin_s / 3600.0)
    return out


MIN_PROFILE_SWING = 0.1  # the site's own hour-by-hour profile must vary by this much (std / mean) to compare


def added_flat_share(profile: np.ndarray, added: np.ndarray) -> np.ndarray:
    """(a,) Share of a new load that is the same at every hour of the day, 0..1, from the site's own
    working-day profile before the onset and the load added over it, hour by hour (both (P, a)).

    Rigs draw the same power at every hour; a site that grows — a new line on the same shifts, a new hall
    of servers with the same users — grows along its own daily shape. The added load is regressed on the
    profile across the hours of the day, ``added_h = c + b · (profile_h − mean)``: growth along the site's
    shape has ``c = b · mean`` (share 0), a flat block ``b = 0`` (share 1); the share is ``1 − b · mean / c``,
    clipped (a load cut in the site's busy hours, as rigs cut in the peak-tariff hours, counts as flat).
    NaN where the site had no daily shape to compare against (its profile varies less than
    :data:`MIN_PROFILE_SWING`), nothing was added, or an hour is unknown."""
    if profile.shape[0] < 2:
        return np.full(profile.shape[1], np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = profile.mean(axis=0)
        deviation = profile - level[None, :]
        swing = np.sqrt((deviation**2).mean(axis=0)) / level
        added_level = added.mean(axis=0)
        slope = (deviation * (added - added_level[None, :])).sum(axis=0) / (deviation**2).sum(axis=0)
        share = np.clip(1.0 - slope * level / added_level, 0.0, 1.0)
        comparable = (swing >= MIN_PROFILE_SWING) & (added_level > 0) & (level > 0)
        return np.where(comparable & np.isfinite(share), share, np.nan)


def _median_or_nan(values: np.ndarray, axis: int) -> np.ndarray:
    """``np.nanmedian`` along ``axis``, NaN where every value is NaN — without the RuntimeWarning, which
    ``warnings.catch_warnings`` cannot hold back where the kernel runs in threads (it is process-wide)."""
    empty = np.isnan(values).all(axis=axis, keepdims=True)
    median = np.nanmedian(np.where(empty, 0.0, values), axis=axis, keepdims=True)
    return np.squeeze(np.where(empty, np.nan, median), axis=axis)


def _mean_or_nan(values: np.ndarray, axis: int) -> np.ndarray:
    """``np.nanmean`` along ``axis``, NaN where every value is NaN (a day without a reading), no warning:
    :func:`~minesweep.detection.meter.kernels.profile.nan_mean_rows` over that axis."""
    moved = np.moveaxis(values, axis, -1)
    return nan_mean_rows(moved.reshape(-1, moved.shape[-1])).reshape(moved.shape[:-1])


def _low_level_before(base: np.ndarray, onset_day: np.ndarray) -> np.ndarray:
    """10th percentile of the daily base before the onset: the level before the first rigs arrived,
    even when rigs came in several batches and the onset marks the largest one."""
    before = np.where(np.arange(base.shape[1])[None, :] < onset_day[:, None], base, np.nan)
    return row_quantiles(before, (0.1,))[0]


def _step_lists(step_sizes: np.ndarray) -> list[list[tuple[int, float]]]:
    lists: list[list[tuple[int, float]]] = [[] for _ in range(step_sizes.shape[0])]
    for account, day in zip(*true_positions(step_sizes != 0), strict=True):
        lists[int(account)].append((int(day), float(step_sizes[account, day])))
    return lists
