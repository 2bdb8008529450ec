"""Flatness and periodicity of a load (平稳 24×7 负荷的特征).

Inputs are a :class:`Cube` — the profile matrix ``mean_kw`` (A, D, P) in kW with NaN for missing
slots, prepared once (validity, NaN-free values, per-slot sums over days) so the features share its
passes over memory — and the daily mean series ``daily_kw`` (A, D) from :mod:`profile`. Each function
returns one float64 value per account; NaN means "no evidence" (too little data, or a feature that
does not apply, such as a night/day ratio for daily readings). Hours and weekdays are Asia/Shanghai
local.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from minesweep.detection.meter.kernels.profile import (
    count_true,
    high_quantile_rows,
    lowest_over_slots,
    nan_mean_rows,
    row_quantiles,
)

NIGHT_HOURS = (0.0, 6.0)
DAY_HOURS = (9.0, 18.0)
NEAR_PEAK_FRACTION = 0.9
MIN_DAYS_FOR_WEEKLY = 21
MIN_DAYS_FOR_TEMPERATURE = 30
COMFORT_TEMPERATURE_C = 18.0


@dataclass(frozen=True)
class Cube:
    """A profile matrix with what most features need computed once.

    ``kw`` (P, A, D) mean kW, slot-major as :mod:`profile` builds it, NaN where missing; ``valid`` its
    non-NaN mask; ``filled`` the same values with 0 where missing. Sums over days per slot, and totals
    per account, are computed on first use.
    """

    kw: np.ndarray
    valid: np.ndarray
    filled: np.ndarray

    @classmethod
    def of(cls, mean_kw: np.ndarray) -> Cube:
        valid = ~np.isnan(mean_kw)
        filled = mean_kw.copy()  # copy-then-zero: about half the time of np.where(valid, mean_kw, 0)
        np.copyto(filled, 0.0, where=~valid)
        return cls(mean_kw, valid, filled)

    @property
    def slots(self) -> int:
        return int(self.kw.shape[0])

    @property
    def accounts(self) -> int:
        return int(self.kw.shape[1])

    @property
    def days(self) -> int:
        return int(self.kw.shape[2])

    @cached_property
    def missing(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(slot, account, day) indices of the slots without data."""
        where = np.flatnonzero(~self.valid)
        slot, rest = np.divmod(where, self.accounts * self.days)
        account, day = np.divmod(rest, self.days)
        return slot, account, day

    def mean_over(self, slots: np.ndarray) -> np.ndarray:
        """(A, D) float64 mean kW of each day over the chosen slots ((P,) bool) that have data; NaN
        where none has (division by zero: call under ``np.errstate``).

        The chosen planes are added one after another, as numpy's sum over the slot axis adds them
        (the same float32 result), without first copying them out of the cube.
        """
        chosen = np.flatnonzero(slots)
        if not len(chosen):
            return np.full(self.kw.shape[1:], np.nan)
        total = self.filled[chosen[0]].copy()
        count = self.valid[chosen[0]].astype(np.uint16 if len(chosen) <= 0xFFFF else np.int64)
        for slot in chosen[1:]:
            total += self.filled[slot]
            count += self.valid[slot]
        return total / count.astype(np.int64)

    @cached_property
    def slot_sums(self) -> np.ndarray:
        """(A, P) sum over days of each time-of-day slot's kW."""
        return self.filled.sum(axis=2, dtype=np.float64).T

    @cached_property
    def slot_counts(self) -> np.ndarray:
        """(A, P) number of days with data in each time-of-day slot."""
        return count_true(self.valid, axis=2).T

    @cached_property
    def mean_kw(self) -> np.ndarray:
        """(A,) mean over all slots with data; NaN without data."""
        return _safe_ratio(self.slot_sums.sum(axis=1), self.slot_counts.sum(axis=1).astype(float))

    def rest_day_sums(self, rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(A, P) sum of kW and number of days with a reading of each time-of-day slot over the days
        ``rest`` ((D,) bool; the rest days, the smaller share: the working days are all days minus
        them). Computed once per calendar: both the day-kind amplitudes and the usual working profile
        use it."""
        key = rest.tobytes()
        kept = self.__dict__.get("_rest_day_sums")
        if kept is not None and kept[0] == key:
            return kept[1]
        sums = self.filled[:, :, rest].sum(axis=2, dtype=np.float64).T
        slot, account, day = self.missing
        on_rest = rest[day]
        missing = np.bincount(
            account[on_rest] * self.slots + slot[on_rest], minlength=self.accounts * self.slots
        ).reshape(self.accounts, self.slots)
        result = (sums, int(rest.sum()) - missing)
        self.__dict__["_rest_day_sums"] = (key, result)
        return result

    def known_robust_peak(self, peak_kw: np.ndarray) -> None:
        """Take ``peak_kw`` as :attr:`robust_peak_kw` (it was computed on the same readings)."""
        self.__dict__["robust_peak_kw"] = peak_kw

    @cached_property
    def robust_peak_kw(self) -> np.ndarray:
        """(A,) 99th percentile of slot demand (nearest rank), NaN without data."""
        by_account = np.ascontiguousarray(self.kw.transpose(1, 0, 2)).reshape(self.accounts, -1)
        by_account[np.isnan(by_account)] = -np.inf
        return high_quantile_rows(by_account, self.slot_counts.sum(axis=1), 0.99)


def _safe_ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = numerator / denominator
    ratio[~np.isfinite(ratio)] = np.nan
    return ratio


def load_factor(cube: Cube) -> np.ndarray:
    """Mean demand over robust peak demand (99th percentile of slots), in [0, ~1]; 1 = flat.

    A robust peak keeps one spike from making a flat load look peaky. NaN without data or zero peak.
    """
    return np.clip(_safe_ratio(cube.mean_kw, cube.robust_peak_kw), 0.0, 1.0)


def lag_autocorrelation(series: np.ndarray, lag: int) -> np.ndarray:
    """Autocorrelation at ``lag`` of each row of (A, T) deviations, over pairs where both exist.

    Rows are centred first. Returns values in [-1, 1]; 0 for a row without variation (nothing
    repeats); NaN when fewer than ``2 * lag`` pairs exist.
    """
    if series.shape[1] <= lag:
        return np.full(series.shape[0], np.nan)
    centred = series - nan_mean_rows(series)[:, None]
    head, tail = centred[:, :-lag], centred[:, lag:]
    both = ~np.isnan(head) & ~np.isnan(tail)
    head0, tail0 = np.where(both, head, 0.0), np.where(both, tail, 0.0)
    numerator = (head0 * tail0).sum(axis=1)
    denominator = np.sqrt((head0**2).sum(axis=1) * (tail0**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        acf = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), 0.0)
    acf[both.sum(axis=1) < 2 * lag] = np.nan
    return np.clip(acf, -1.0, 1.0)


def daily_periodicity(cube: Cube) -> np.ndarray:
    """Autocorrelation at 24 h of the intra-day shape (each day's own mean removed first).

    Removing the day mean keeps level changes (steps, seasons) from passing as periodicity. About 0 for
    a flat load with noise, near 1 for an office or a shift factory. NaN for daily data and with fewer
    than two days' worth of slot pairs a day apart.

    Lag 24 h pairs each slot with the same slot of the next day, so the sums run over the cube's day
    axis; the day-demeaned series has mean 0 by construction. Only pairs where both slots have data
    count: missing slots are 0 in the demeaned cube, and the power of their partners is taken back out
    from the (few) missing positions rather than by masking the whole cube.

    A correlation is a ratio of second moments, so one corrupt reading can decide it: on a steady
    plant whose shape wanders by 1 % an hour, a single reading at 2.5 times the demand (below the
    :mod:`validation` limit, so kept) holds more of the year's shape power than all 8,760 genuine
    hours, and the periodicity falls from its value to near 0 — a plant's shift rhythm then reads as
    a rig's flatness (bench/README, "one reading, one feature"). The shape is therefore winsorised
    first (:func:`_winsorised_shape`), the usual guard for a robust autocorrelation.
    """
    if cube.slots < 4:
        return np.full(cube.accounts, np.nan)
    valid_per_day = count_true(cube.valid, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        day_mean = cube.filled.sum(axis=0) / valid_per_day
    day_mean = np.nan_to_num(day_mean)
    shape = cube.filled - day_mean[None]
    slot, account, day = cube.missing
    # zero the missing slots only (exactly what multiplying the whole cube by its mask gave them)
    shape[slot, account, day] = (0.0 - day_mean[account, day]) * 0.0
    day_power = np.einsum("pad,pad->ad", shape, shape).astype(np.float64)
    _winsorised_shape(shape, day_power, cube.valid, valid_per_day)
    numerator = np.einsum("pad,pad->a", shape[:, :, :-1], shape[:, :, 1:]).astype(np.float64)
    has_before, has_after = day > 0, day < cube.days - 1
    partner_before = shape[slot[has_before], account[has_before], day[has_before] - 1]
    partner_after = shape[slot[has_after], account[has_after], day[has_after] + 1]
    head_power = day_power[:, :-1].sum(axis=1) - _per_account(
        account[has_before], partner_before**2, cube.accounts
    )
    tail_power = day_power[:, 1:].sum(axis=1) - _per_account(
        account[has_after], partner_after**2, cube.accounts
    )
    pairs = _valid_pairs(cube, slot, account, day)
    denominator = np.sqrt(np.clip(head_power, 0.0, None) * np.clip(tail_power, 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        acf = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), 0.0)
    acf[pairs < 2 * cube.slots] = np.nan
    return np.clip(acf, -1.0, 1.0)


SHAPE_OUTLIER_MULTIPLE = 6.0
"""A day-demeaned reading further from its day's mean than this many times the account's typical
slot deviation is clipped to it. A daily rhythm, however sharp, stays within about twice its RMS (a
square wave: once); noise of any load reaches six standard deviations about once in 500 million
readings. What goes beyond is a single reading no rhythm explains."""


def _winsorised_shape(
    shape: np.ndarray, day_power: np.ndarray, valid: np.ndarray, valid_per_day: np.ndarray
) -> None:
    """Clip, in place, each account's day-demeaned slots ``shape`` (P, A, D; 0 where ``valid`` is
    not) to ± ``SHAPE_OUTLIER_MULTIPLE`` times its typical slot deviation, and update ``day_power``
    (A, D; the sum of squares of each day) where a slot was clipped.

    The typical deviation is the median over the account's days with a shape (power above 0) of the
    day's RMS: a day holding a corrupt reading is one day among hundreds, so it cannot raise the
    bound that clips it (the RMS over the whole window could: that one reading is most of it). The
    corrupt reading had also moved its day's mean, and with it every other slot of that day: a day
    with a clipped slot is centred again on its clipped values and clipped again.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_square = day_power / valid_per_day
    mean_square[~(day_power > 0)] = np.nan
    typical = np.sqrt(row_quantiles(mean_square, (0.5,))[0])  # the median day's RMS
    bound = (SHAPE_OUTLIER_MULTIPLE * typical).astype(shape.dtype)
    bound[~np.isfinite(bound)] = np.inf  # an account without any shape: no bound
    # a slot beyond the bound needs a day whose power is beyond its square: only those days are looked at
    with np.errstate(over="ignore"):
        account, day = np.nonzero(day_power > np.square(bound.astype(np.float64))[:, None])
    days = shape[:, account, day]  # (P, K)
    beyond = (np.abs(days) > bound[account][None, :]).any(axis=0)
    if not beyond.any():
        return
    account, day, days = account[beyond], day[beyond], days[:, beyond]
    inside = valid[:, account, day]
    limit = bound[account][None, :]
    for _ in range(2):
        np.clip(days, -limit, limit, out=days)
        days -= np.where(inside, days, 0.0).sum(axis=0) / np.maximum(inside.sum(axis=0), 1)
        days[~inside] = 0.0
    np.clip(days, -limit, limit, out=days)
    shape[:, account, day] = days
    day_power[account, day] = np.einsum("pk,pk->k", days, days).astype(np.float64)


def _per_account(account: np.ndarray, values: np.ndarray, accounts: int) -> np.ndarray:
    return np.bincount(account, weights=values.astype(np.float64), minlength=accounts)


def _valid_pairs(cube: Cube, slot: np.ndarray, account: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Per account, the number of (slot, same slot next day) pairs where both have data, from the
    missing slots: each kills the pair it heads and the pair it ends; pairs missing at both ends were
    taken away twice."""
    has_before = day > 0
    as_head = np.bincount(account[day < cube.days - 1], minlength=cube.accounts)
    as_tail = np.bincount(account[has_before], minlength=cube.accounts)
    both = ~cube.valid[slot[has_before], account[has_before], day[has_before] - 1]
    twice = np.bincount(account[has_before][both], minlength=cube.accounts)
    return (cube.days - 1) * cube.slots - as_head - as_tail + twice


def profile_amplitude(cube: Cube) -> np.ndarray:
    """(max − min) of the average daily profile over the mean demand: 0 for a flat load.

    Households reach 2 or more, offices about 1, data centres a few tenths, mining farms ~0.02.
    NaN for daily data or without data.
    """
    if cube.slots < 4:
        return np.full(cube.accounts, np.nan)
    return _relative_amplitude(_safe_ratio(cube.slot_sums, cube.slot_counts.astype(float)))


def amplitude_by_day_kind(cube: Cube, is_workday: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Profile amplitude ((max − min) / mean of the mean daily profile) of the working days and of the
    rest days, each over its own days. NaN for daily data, without a calendar or without both kinds
    of day."""
    profiles = _profiles_by_day_kind(cube, is_workday)
    if profiles is None:
        nothing = np.full(cube.accounts, np.nan)
        return nothing, nothing
    return _relative_amplitude(profiles[0]), _relative_amplitude(profiles[1])


def _profiles_by_day_kind(cube: Cube, is_workday: np.ndarray | None) -> tuple[np.ndarray, np.ndarray] | None:
    """(working, rest): the mean daily profiles (A, P, kW) of the working days and of the rest days,
    each over its own days; None for daily data, without a calendar or without both kinds of day."""
    if cube.slots < 4 or is_workday is None or len(is_workday) != cube.days:
        return None
    workday = np.asarray(is_workday, dtype=bool)
    if workday.all() or not workday.any():
        return None
    rest_sums, rest_counts = cube.rest_day_sums(~workday)
    working = _safe_ratio(cube.slot_sums - rest_sums, (cube.slot_counts - rest_counts).astype(float))
    return working, _safe_ratio(rest_sums, rest_counts.astype(float))


def working_day_rhythm_share(working_amplitude: np.ndarray, rest_amplitude: np.ndarray) -> np.ndarray:
    """Share of the daily rhythm that stops on rest days: 1 − amplitude of the mean rest-day profile /
    amplitude of the mean working-day profile (:func:`amplitude_by_day_kind`), clipped to 0..1.

    People (an office or a workshop next to the load) keep working hours; servers' users, a process
    and rigs run the same every day. A flat load whose rhythm is only there on working days is a flat
    load with people beside it. The rest-day amplitude alone is how flat the load is when the people
    are away: rigs stay as flat as ever.
    """
    return np.clip(1.0 - _safe_ratio(rest_amplitude, working_amplitude), 0.0, 1.0)


WORKING_RHYTHM_MIN_AMPLITUDE = 0.3  # the working days' daily swing, as a share of their mean demand
WORKING_RHYTHM_MIN_SHARE = 0.5  # of that swing in kW, what working days add over rest days
WORKING_DAY_MIN_ENERGY = 1.25  # a working day draws at least a quarter more than a rest day
WORKING_HOURS_MIN_CONCENTRATION = 0.2  # the lift's hours gather round a centre (17 of 24 hours: 0.36)
WORKING_HOURS_AT_NIGHT = (20.0, 7.0)
"""Local hours (from, to across midnight) where the centre of a working-day rhythm says the clock is
wrong: offices, workshops, schools and outpatient clinics centre their working days between about noon
and 14:00, a two-shift factory at about 14:00. Eight hours off (times written in UTC and read as
Beijing time, or a meter clock set to UTC) moves a 09:00-18:00 office's centre to 05:30 or 21:30; one or
two hours do not leave the day."""


def working_hours_centre(
    cube: Cube, is_workday: np.ndarray | None, slot_hours: np.ndarray, working_amplitude: np.ndarray
) -> np.ndarray:
    """Local hour (0-24) at the centre of the hours a load draws more on working days than on rest
    days: where its people's working day falls. NaN unless the load has a working-day rhythm, all of:

    * a daily rhythm of at least ``WORKING_RHYTHM_MIN_AMPLITUDE`` of its mean demand on working days
      (``working_amplitude``, :func:`amplitude_by_day_kind`);
    * at least ``WORKING_RHYTHM_MIN_SHARE`` of that rhythm's range in kW is what working days add over
      rest days (taken in kW, not as a ratio of each kind of day's relative amplitude: a working day
      that crosses midnight, as a clock eight hours late makes it, leaves a few hours on the rest day
      after it, small in kW but large against a rest day's low mean);
    * working days draw at least ``WORKING_DAY_MIN_ENERGY`` times the energy of rest days (a household
      that sleeps in at weekends shifts its morning but draws no less);
    * the added hours gather round a centre (``WORKING_HOURS_MIN_CONCENTRATION``, the length of their
      mean direction on the 24-hour circle).

    Also NaN for daily data or without both kinds of day. Households, shops open every day, plants,
    data centres and rigs have no such rhythm; a three-shift factory's working days are lifted at every
    hour alike and have no centre. The centre is the circular mean of the slots' middle hours weighted
    by how far working days rise above rest days (above the least lift), so a working day across
    midnight is not split in two. On the tune family (seed 31, 5,000 accounts, a year) offices,
    factories and a few irrigation pumps have one, and none is centred at night.
    """
    profiles = _profiles_by_day_kind(cube, is_workday)
    if profiles is None:
        return np.full(cube.accounts, np.nan)
    working, rest = profiles
    lift = working - rest
    weight = np.nan_to_num(lift - np.min(lift, axis=1, where=~np.isnan(lift), initial=np.inf)[:, None])
    middle = np.asarray(slot_hours, dtype=float) + 12.0 / cube.slots  # a slot's hours start at its start
    angle = 2 * np.pi * middle / 24.0
    east, north = weight @ np.cos(angle), weight @ np.sin(angle)
    centre = (np.degrees(np.arctan2(north, east)) / 15.0) % 24.0
    rhythm = (
        (working_amplitude >= WORKING_RHYTHM_MIN_AMPLITUDE)
        & (_safe_ratio(_range_of(lift), _range_of(working)) >= WORKING_RHYTHM_MIN_SHARE)
        & (_safe_ratio(nan_mean_rows(working), nan_mean_rows(rest)) >= WORKING_DAY_MIN_ENERGY)
        & (_safe_ratio(np.hypot(east, north), weight.sum(axis=1)) >= WORKING_HOURS_MIN_CONCENTRATION)
    )
    return np.where(rhythm, centre, np.nan)


def _range_of(profile: np.ndarray) -> np.ndarray:
    """(A,) max − min of each row over its non-NaN entries (NaN for a row without any)."""
    has = ~np.isnan(profile)
    spread = np.max(profile, axis=1, where=has, initial=-np.inf) - np.min(
        profile, axis=1, where=has, initial=np.inf
    )
    return np.where(has.any(axis=1), spread, np.nan)


def working_hours_at_night(centre: np.ndarray) -> np.ndarray:
    """(A,) bool: a working-day rhythm centred in ``WORKING_HOURS_AT_NIGHT`` (its clock is doubtful)."""
    start, end = WORKING_HOURS_AT_NIGHT
    with np.errstate(invalid="ignore"):
        return (centre >= start) | (centre < end)


def _relative_amplitude(profile: np.ndarray) -> np.ndarray:
    """(max − min) / mean of each account's mean daily profile (A, P)."""
    return _safe_ratio(_range_of(profile), nan_mean_rows(profile))


def weekly_periodicity(daily_kw: np.ndarray) -> np.ndarray:
    """Autocorrelation at 7 days of the daily series relative to its centred 7-day moving average.

    About 0 for a load that ignores the week, clearly positive for offices and day-shift factories.
    NaN with fewer than 21 days.
    """
    if daily_kw.shape[1] < MIN_DAYS_FOR_WEEKLY:
        return np.full(daily_kw.shape[0], np.nan)
    moving = centred_moving_mean(daily_kw, 7)
    relative = _safe_ratio(daily_kw, moving) - 1.0
    return lag_autocorrelation(relative, 7)


def centred_moving_mean(series: np.ndarray, width: int) -> np.ndarray:
    """NaN-aware centred moving mean over ``width`` columns (edges use the part of the window that exists)."""
    valid = ~np.isnan(series)
    filled = np.where(valid, series, 0.0)
    pad = np.zeros((series.shape[0], 1))
    sums = np.concatenate([pad, np.cumsum(filled, axis=1)], axis=1)
    counts = np.concatenate([pad, np.cumsum(valid, axis=1)], axis=1)
    length = series.shape[1]
    lo = np.clip(np.arange(length) - width // 2, 0, length)
    hi = np.clip(np.arange(length) + width // 2 + 1, 0, length)
    return _safe_ratio(sums[:, hi] - sums[:, lo], counts[:, hi] - counts[:, lo])


def hours_mean(cube: Cube, slot_hours: np.ndarray, hours: tuple[float, float]) -> np.ndarray:
    """Mean demand (kW) over all slots with data whose local start hour lies in [start, end)."""
    chosen = (slot_hours >= hours[0]) & (slot_hours < hours[1])
    return _safe_ratio(
        cube.slot_sums[:, chosen].sum(axis=1), cube.slot_counts[:, chosen].sum(axis=1).astype(float)
    )


def night_day_ratio(cube: Cube, slot_hours: np.ndarray) -> np.ndarray:
    """Mean kW 00:00–06:00 over mean kW 09:00–18:00 (local). ~1 flat, <0.5 offices, >1 night heating.

    NaN for daily data or when either period has no data or the day mean is 0.
    """
    if cube.slots < 4:
        return np.full(cube.accounts, np.nan)
    return _safe_ratio(hours_mean(cube, slot_hours, NIGHT_HOURS), hours_mean(cube, slot_hours, DAY_HOURS))


def weekend_weekday_ratio(daily_kw: np.ndarray, is_workday: np.ndarray) -> np.ndarray:
    """Mean daily demand on rest days (weekends, public holidays) over that on working days."""
    return _safe_ratio(nan_mean_rows(daily_kw[:, ~is_workday]), nan_mean_rows(daily_kw[:, is_workday]))


def daily_variation(daily_kw: np.ndarray) -> np.ndarray:
    """Coefficient of variation of daily energy (std / mean over days with data); 0 = identical days."""
    mean = nan_mean_rows(daily_kw)
    with np.errstate(invalid="ignore"):
        spread = np.sqrt(nan_mean_rows((daily_kw - mean[:, None]) ** 2))
    return _safe_ratio(spread, mean)


def day_to_day_change(daily_kw: np.ndarray) -> np.ndarray:
    """Median |day − previous day| over the median daily level: robust to a few steps; 0 = steady."""
    change = np.abs(np.diff(daily_kw, axis=1))
    with np.errstate(all="ignore"):
        median_change = _nanmedian_rows(change)
        median_level = _nanmedian_rows(daily_kw)
    return _safe_ratio(median_change, median_level)


MIN_WORK_SHARE = 0.02  # work above the floor smaller than this share of the demand: nothing to measure


def work_day_to_day_change(daily_kw: np.ndarray, base_kw: np.ndarray) -> np.ndarray:
    """How much the site's own work moves from day to day: the median |change of the day's mean demand|
    over the median work — the day's mean above its base. A constant load under the work (rigs) adds
    nothing to the changes and nothing to the work, so the figure is the site's own whatever the rigs
    draw; measuring the work's changes as ``daily − base`` instead would add the base's own jitter
    (the lowest of a day's readings moves with their noise). NaN where the work is under
    :data:`MIN_WORK_SHARE` of the demand (a flat load has none to measure; rigs cut in the peak hours
    even put the day's mean under its off-peak base)."""
    work = _nanmedian_rows(daily_kw - base_kw)
    with np.errstate(invalid="ignore", divide="ignore"):
        change = _nanmedian_rows(np.abs(np.diff(daily_kw, axis=1)))
        share = work / _nanmedian_rows(daily_kw)
        return np.where(share >= MIN_WORK_SHARE, change / work, np.nan)


MIN_WORK_CHANGE = 0.03  # the site's work moving less than this from day to day cannot show a fixed floor


def only_where_work_moves(share: np.ndarray, work_change: np.ndarray) -> np.ndarray:
    """:func:`fixed_floor_share` where the site's own work moves enough from day to day to show whether
    the floor follows it (:func:`work_day_to_day_change` at least :data:`MIN_WORK_CHANGE`, or unknown);
    NaN where the work is as steady as the floor: regressing the floor's changes on demand changes that
    are only noise finds no slope and took the whole floor for fixed (an average of many customers'
    loads — BDEW's standard load profiles at 1 % noise — showed 0.17-0.34)."""
    with np.errstate(invalid="ignore"):
        return np.where(work_change < MIN_WORK_CHANGE, np.nan, share)


def _nanmedian_rows(matrix: np.ndarray) -> np.ndarray:
    if matrix.shape[1] == 0:
        return np.full(matrix.shape[0], np.nan)
    return row_quantiles(matrix, (0.5,))[0]


def near_peak_share(cube: Cube) -> np.ndarray:
    """Share of slots with data at or above 90 % of the robust peak; ~1 for a farm running flat out."""
    threshold = NEAR_PEAK_FRACTION * cube.robust_peak_kw
    with np.errstate(invalid="ignore"):  # NaN (missing) compares False
        near = count_true(cube.kw >= threshold.astype(cube.kw.dtype)[None, :, None], axis=(0, 2))
    return _safe_ratio(near.astype(float), cube.slot_counts.sum(axis=1).astype(float))


def base_load_ratio(daily_base_kw: np.ndarray, daily_kw: np.ndarray) -> np.ndarray:
    """Median daily base (lowest steady off-peak slot for hourly or finer data) over median daily mean:
    share of the load that never stops."""
    return np.clip(_safe_ratio(_nanmedian_rows(daily_base_kw), _nanmedian_rows(daily_kw)), 0.0, 1.0)


def missing_share(day_counts: np.ndarray, readings_per_day: int) -> np.ndarray:
    """Share of expected readings in the window that are missing, in [0, 1]; ``day_counts`` (A, D)."""
    expected = day_counts.shape[1] * readings_per_day
    if expected == 0:
        return np.ones(day_counts.shape[0])
    return np.clip(1.0 - day_counts.sum(axis=1) / expected, 0.0, 1.0)


def temperature_response(
    daily_kw: np.ndarray,
    temperature_c: np.ndarray | None,
    step_sizes: np.ndarray | None = None,
    is_workday: np.ndarray | None = None,
) -> np.ndarray:
    """Weather sensitivity in % of mean demand per °C (≥ 0).

    The larger |slope| of day-to-day relative demand changes regressed on day-to-day changes of the
    temperature itself (cooling that rises with heat, as in a data centre) or of degree-days
    |T − 18 °C| (heating and cooling around a comfort point). Changes rather than levels keep steps
    and slow trends from passing as weather response; a slope rather than a correlation keeps a very
    steady load with a tiny fan response from looking weather-driven. Heating loads give several %/°C,
    a data centre's cooling about 0.5–1.5, a mining farm about 0.2. Each slope counts only beyond two
    standard errors, so a load that varies for other reasons does not pass as weather-driven. Changes
    within a day of a detected
    step (``step_sizes`` non-zero), and changes between a working and a rest day (``is_workday``), are left out. ``temperature_c``: daily mean °C per window day.
    NaN without a temperature series or with fewer than 30 usable day pairs.
    """
    accounts = daily_kw.shape[0]
    if temperature_c is None or len(temperature_c) != daily_kw.shape[1] or daily_kw.shape[1] < 3:
        return np.full(accounts, np.nan)
    temperature = np.asarray(temperature_c, dtype=float)
    mean = nan_mean_rows(daily_kw)
    with np.errstate(invalid="ignore", divide="ignore"):
        relative_change = 100.0 * np.diff(daily_kw, axis=1) / mean[:, None]
    if is_workday is not None and len(is_workday) == daily_kw.shape[1]:
        # a working day after a rest day (or the reverse) changes with the week, not the weather
        workday = np.asarray(is_workday, dtype=bool)
        relative_change[:, workday[1:] != workday[:-1]] = np.nan
    if step_sizes is not None:
        near_step = step_sizes[:, 1:] != 0
        near_step[:, 1:] |= near_step[:, :-1]
        near_step[:, :-1] |= step_sizes[:, 1:-1] != 0
        relative_change[near_step] = np.nan
    slopes = [
        _change_slope(relative_change, np.diff(driver))
        for driver in (temperature, np.abs(temperature - COMFORT_TEMPERATURE_C))
    ]
    return np.fmax(np.abs(slopes[0]), np.abs(slopes[1]))


SLOPE_SIGNIFICANCE = 2.0  # standard errors taken off a slope before it counts as a weather response


def _change_slope(response: np.ndarray, driver: np.ndarray) -> np.ndarray:
    """Least-squares slope of each row of ``response`` on ``driver`` over pairs where both exist,
    shrunk towards 0 by two standard errors (0 when not significant).

    A load whose days jump about for other reasons (shifts, weekends, orders) gets a large slope from
    noise alone; only the part of the slope the data can vouch for is weather response.
    """
    slope, standard_error, n = slope_with_error(response, driver[None, :])
    with np.errstate(invalid="ignore"):
        shrunk = np.sign(slope) * np.clip(np.abs(slope) - SLOPE_SIGNIFICANCE * standard_error, 0.0, None)
    shrunk[(n < MIN_DAYS_FOR_TEMPERATURE) | ~np.isfinite(shrunk)] = np.nan
    return shrunk


def slope_with_error(response: np.ndarray, driver: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: least-squares slope of ``response`` (A, N) on ``driver`` (A, N) or (1, N) over the
    pairs where both exist, its standard error and the number of pairs (NaN slope below 3 pairs)."""
    both = ~np.isnan(response) & ~np.isnan(driver)
    neither = ~both
    n = count_true(both, axis=1).astype(float)
    x = np.where(both, driver, 0.0)
    y = np.where(both, response, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my = x.sum(axis=1) / n, y.sum(axis=1) / n
        dx, dy = x - mx[:, None], y - my[:, None]
        np.copyto(dx, 0.0, where=neither)  # in place: 0 where a pair is incomplete
        np.copyto(dy, 0.0, where=neither)
        sxx = (dx**2).sum(axis=1)
        slope = (dx * dy).sum(axis=1) / sxx
        residual = ((dy - slope[:, None] * dx) ** 2 * both).sum(axis=1)
        standard_error = np.sqrt(residual / np.maximum(n - 2, 1) / sxx)
    slope[n < 3] = np.nan
    return slope, standard_error, n


FLOOR_OUTLIER_CHANGES = 5.0  # day-to-day changes beyond 5 median changes (steps, outages) are left out
MIN_DAYS_FOR_FLOOR = 30


def profile_scaled_daily_kw(cube: Cube, daily_kw: np.ndarray, is_workday: np.ndarray | None) -> np.ndarray:
    """(A, D) daily mean demand with each partly read day scaled by the share of the account's usual
    working day its readings cover (a ratio estimator); complete days and days without enough
    readings (NaN) as in ``daily_kw``.

    A plain mean of the readings a day has is off by whatever the missing ones were: a missing peak
    hour lowers it, a missing night hour raises it. Scaling the readings that are there by the usual
    profile's weight of their hours takes that shape out, so the estimate errs only by how much the
    day's own shape differed from the usual one. The usual profile is the mean of each hour over the
    working days (all days without a calendar).
    """
    if cube.slots < 2:
        return daily_kw
    slot, account, day = cube.missing
    if not len(slot):
        return daily_kw
    usual = _usual_working_profile(cube, is_workday)  # (P, A)
    whole = usual.sum(axis=0)  # (A,)
    missing_weight = np.bincount(
        account * cube.days + day, weights=usual[slot, account], minlength=cube.accounts * cube.days
    ).reshape(cube.accounts, cube.days)
    present = cube.filled.sum(axis=0, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = present / (whole[:, None] - missing_weight) * (whole[:, None] / cube.slots)
    partly_read = np.zeros(daily_kw.shape, dtype=bool)
    partly_read[account, day] = True
    return np.where(partly_read & np.isfinite(scaled) & ~np.isnan(daily_kw), scaled, daily_kw)


def _usual_working_profile(cube: Cube, is_workday: np.ndarray | None) -> np.ndarray:
    """(P, A) mean kW of each time of day over the working days (all days without a calendar);
    0 for a time of day never read."""
    sums, counts = cube.slot_sums, cube.slot_counts
    if is_workday is not None and len(is_workday) == cube.days and not np.all(is_workday):
        rest_sums, rest_counts = cube.rest_day_sums(~np.asarray(is_workday, dtype=bool))
        sums, counts = sums - rest_sums, counts - rest_counts
    with np.errstate(invalid="ignore", divide="ignore"):
        usual = sums / counts
    return np.nan_to_num(usual, nan=0.0, posinf=0.0, neginf=0.0).T


def _working_days(
    daily_kw: np.ndarray, base_kw: np.ndarray, is_workday: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(demand, floor): the daily mean and the daily base on working days, NaN on the others."""
    workday = np.asarray(is_workday, dtype=bool)[None, :]
    return np.where(workday, daily_kw, np.nan), np.where(workday, base_kw, np.nan)


#: a site's part of the base known no closer than a tenth of the base narrows nothing
MAX_FIXED_PART_ERROR = 0.1
#: rigs alone show a day's "work" of up to about a tenth of their power (the lowest of the off-peak slots is
#: two standard deviations of their noise, σ up to 5 %, below the mean; fans follow the afternoon heat)
MIN_SITE_WORK_SHARE = 0.1


def fixed_part_of_base(
    daily_kw: np.ndarray, base_kw: np.ndarray, is_workday: np.ndarray | None
) -> np.ndarray:
    """Share of the daily base that does not rise and fall with the site's own work over the window.

    Without an onset, rigs under a working load are measured by the whole daily base, which also holds
    the site's own floor (night lighting, standby, a shop's refrigeration): an upper bound. A site's
    floor rises and falls with its work over the weeks and seasons; rigs draw the same power whatever
    the site does. The day's work — its mean above its base — is the site's alone: rigs add the same to
    both and cancel out of it, their own changes (outages, clocking, fans in the heat) included. Over
    the working days the base is regressed on the work, ``base = fixed + slope × work``, and the fixed
    part is the mean base less the slope times the mean work (the regression's own centre). With rigs
    ``R`` under a site whose floor is ``c + a × (its demand)`` that is ``R + c / (1 − a)``: the rigs plus
    the site's constant standby, a tighter upper bound than the whole base. The rigs' own changes are
    noise in the base, not in the work: they widen the slope's error but do not tilt it (regressed on
    the demand, which they also move, a farm's clocking took the site's part for most of the base).
    Noise in the base does enter the work with the opposite sign and tilts the slope down, which moves
    the figure back towards the whole base.

    The share is that figure over the mean base, 0..1. NaN where the base falls as the work rises (by
    more than two standard errors: lighting in the dark months), where the site's part is known no
    closer than :data:`MAX_FIXED_PART_ERROR` of the base (the slope's standard error times the mean
    work), where the work is under :data:`MIN_SITE_WORK_SHARE` of the demand (a work that small may be
    the rigs' own day — their noise, their fans in the afternoon heat, their peak-hour cuts — and with
    it in the work their seasons take the base for the site's: farms with a small office measured up to
    42 % under their power on the tune year), and with fewer than :data:`MIN_DAYS_FOR_FLOOR` working
    days. A slope within its error of 0 counts as 0: the whole base stays put. Pass the demand of partly
    read days scaled to a whole day (:func:`profile_scaled_daily_kw`).
    """
    accounts, days = daily_kw.shape
    if is_workday is None or len(is_workday) != days:
        return np.full(accounts, np.nan)
    demand, floor = _working_days(daily_kw, base_kw, is_workday)
    work = demand - floor
    slope, standard_error, n = slope_with_error(floor, work)
    typical_floor = nan_mean_rows(np.where(np.isnan(work), np.nan, floor))  # the regression's own centre
    typical_work = nan_mean_rows(work)  # NaN wherever the floor is
    with np.errstate(invalid="ignore", divide="ignore"):
        falls = slope + SLOPE_SIGNIFICANCE * standard_error < 0.0
        sites_part = np.clip(slope, 0.0, None) * typical_work
        share = np.clip(1.0 - sites_part / typical_floor, 0.0, 1.0)
        usable = (
            (n >= MIN_DAYS_FOR_FLOOR)
            & ~falls
            & (standard_error * typical_work <= MAX_FIXED_PART_ERROR * typical_floor)
            & (typical_work >= MIN_SITE_WORK_SHARE * (typical_floor + typical_work))
            & (typical_floor > 0)
        )
    return np.where(usable & np.isfinite(share), share, np.nan)


def fixed_floor_share(
    daily_kw: np.ndarray,
    base_kw: np.ndarray,
    is_workday: np.ndarray | None,
) -> np.ndarray:
    """Share of the working-day demand that is a floor which does not move with the site's activity.

    Between consecutive working days the daily base (lowest off-peak slot) is regressed on the daily mean, in
    changes: a site's own standby (lighting, compressors, a hospital's wards, a data centre's cooling)
    rises and falls with how busy it is, so its floor moves with its demand (slope = floor / demand)
    and nothing is left. Rigs under a working load draw the same power whatever the site does, so
    part of the floor stays put: floor − slope × demand > 0. The slope is taken at its upper bound
    (+ two standard errors), so only a fixed floor the data can vouch for counts. Changes next to a
    step or an outage (beyond five median changes) and between a working and a rest day are left
    out. 0..1; NaN with fewer than 30 usable day pairs or without a calendar.

    Pass the demand of partly read days scaled to a whole day (:func:`profile_scaled_daily_kw`): a plain
    mean is off by whatever the missing readings were, errors in the regressor pull the slope towards
    zero (attenuation), and a floor that does move then looks fixed: with one hourly reading in twenty
    missing at random, offices and data centres showed a fixed floor of 0.17-0.21 against 0.00 on
    their complete readings (bench/README.md, messy readings).
    """
    accounts, days = daily_kw.shape
    if is_workday is None or len(is_workday) != days or days < 3:
        return np.full(accounts, np.nan)
    demand, floor = _working_days(daily_kw, base_kw, is_workday)
    with np.errstate(invalid="ignore"):
        demand_change, floor_change = np.diff(demand, axis=1), np.diff(floor, axis=1)
        typical = _nanmedian_rows(np.abs(demand_change))
        outlier = np.abs(demand_change) > FLOOR_OUTLIER_CHANGES * typical[:, None]
    demand_change[outlier] = np.nan
    slope, standard_error, n = slope_with_error(floor_change, demand_change)
    upper = np.clip(slope + SLOPE_SIGNIFICANCE * standard_error, 0.0, None)
    typical_demand = _nanmedian_rows(demand)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.clip((_nanmedian_rows(floor) - upper * typical_demand) / typical_demand, 0.0, 1.0)
    share[(n < MIN_DAYS_FOR_FLOOR) | ~np.isfinite(share)] = np.nan
    return share


def night_excess_kw(
    cube: Cube,
    daily_base: np.ndarray,
    slot_hours: np.ndarray,
    days: int = 28,
    temperature_c: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A load that runs only at night (cheap valley hours).

    Per day, the night excess is mean kW 00:00–06:00 minus that day's base kW. Returns, per account:
    the median excess over the last ``days`` days (kW); its coefficient of variation over those days
    (rigs switched on nightly give a steady excess, weather-driven storage heating does not); and its
    persistence — the share of days with data, from the first day the excess reached half its recent
    level, on which it did so again (rigs run every night; seasonal heating stops in spring); and how
    strongly it follows the outdoor temperature (:func:`night_excess_weather`). All NaN for daily data.
    """
    if cube.slots < 4:
        nothing = np.full(cube.accounts, np.nan)
        return nothing, nothing, nothing, nothing
    night = (slot_hours >= NIGHT_HOURS[0]) & (slot_hours < NIGHT_HOURS[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        night_mean = cube.mean_over(night)
    excess = night_mean - daily_base
    recent = excess[:, -days:]
    level = _nanmedian_rows(recent)
    with np.errstate(invalid="ignore"):
        present = excess >= 0.5 * level[:, None]
    present &= (level > 0)[:, None]
    has_data = ~np.isnan(excess)
    started = np.cumsum(present, axis=1) > 0
    counted = started & has_data
    with np.errstate(invalid="ignore", divide="ignore"):
        persistence = (present & counted).sum(axis=1) / counted.sum(axis=1)
    return level, daily_variation(recent), persistence, night_excess_weather(excess, present, temperature_c)


#: pairs of consecutive nights it ran, of the last :data:`RECENT_NIGHTS`, below which the change is not measured
MIN_RUNNING_PAIRS = 7
RECENT_NIGHTS = 28


def night_to_night_change(nightly: np.ndarray) -> np.ndarray:
    """(A,) how much a night load's energy changes from one night it ran to the next: the median |change|
    of ``nightly`` (A, nights: what it drew each night) between consecutive nights on which it drew at
    least half its median, over its median on those nights. NaN with fewer than
    :data:`MIN_RUNNING_PAIRS` such pairs, or without a night load.

    Nights it did not run are left out (an outage, a night off: that is the persistence's to count), and
    so is a lasting change of level (a rack down for a week, a repair): the median change sees the nights
    in between. Rigs kept for the valley tariff draw the same power every hour of the same hours, night
    after night: a few per cent, their noise. A home EV charger draws what the battery needs after the
    day's driving and stops when it is full — a different energy each night, tens of per cent, whether
    it charges fast and stops at 02:00 or slowly through the whole valley and on past its end; so does
    storage heating, with the night's cold.
    """
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no night load
        level = np.nanmedian(np.where(nightly > 0, nightly, np.nan), axis=1)
        ran = (nightly >= 0.5 * level[:, None]) & (level > 0)[:, None]
    running = np.where(ran, nightly, np.nan)
    change = np.abs(np.diff(running, axis=1))  # NaN unless it ran on both nights
    pairs = np.isfinite(change).sum(axis=1)
    out = np.full(len(level), np.nan)
    measured = pairs >= MIN_RUNNING_PAIRS
    if measured.any():
        with np.errstate(invalid="ignore", divide="ignore"):
            out[measured] = np.nanmedian(change[measured], axis=1) / np.nanmedian(running[measured], axis=1)
    return out


#: the widest span a valley-tariff (谷段) load runs in: provinces set their valley hours within 21:00-09:00
VALLEY_SPAN = (21.0, 9.0)
NIGHT_RUNNING_SHARE = 0.5  # a night slot counts as running when its excess is half the night level


def night_running(
    cube: Cube, daily_base: np.ndarray, slot_hours: np.ndarray, night_level: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(A,) kW, (A,) slots and (A,) first day (window day index, -1: none) of a night load where it ran,
    and (A,) how much what it drew changes from one night to the next over the last
    :data:`RECENT_NIGHTS` whole nights (:func:`night_to_night_change`; a night's draw is its excess where
    it ran over every slot of :data:`VALLEY_SPAN` with a reading, so a missing reading is no shorter night).

    It ran in the slots within :data:`VALLEY_SPAN` whose demand is above the day's base by at least half
    the night level (``night_level``, :func:`night_excess_kw`), on every day of the window; kW is the
    mean excess over those slots. The level is measured over
    00:00-06:00, where every valley tariff holds; how many hours a night the load runs is not assumed
    but counted (23:00-07:00 is eight hours, not six), and nights before it started or switched off do
    not count. Only accounts whose night level is at least :data:`MIN_NIGHT_EXCESS_SHARE` of their mean
    demand are measured (below it there is no night load to speak of); NaN (kW) and 0 (slots) for the
    others and for daily data. Slot by slot: no copy of the cube's night half at once."""
    kw, slots, first = np.full(cube.accounts, np.nan), np.zeros(cube.accounts), np.full(cube.accounts, -1)
    change = np.full(cube.accounts, np.nan)
    if cube.slots < 4:
        return kw, slots, first, change
    with np.errstate(invalid="ignore", divide="ignore"):
        chosen = np.flatnonzero(night_level >= MIN_NIGHT_EXCESS_SHARE * cube.mean_kw)
    if not len(chosen):
        return kw, slots, first, change
    base = daily_base[chosen].astype(cube.kw.dtype)
    threshold = base + (NIGHT_RUNNING_SHARE * night_level[chosen]).astype(cube.kw.dtype)[:, None]
    total, counted = np.zeros(len(chosen)), np.zeros(len(chosen))
    ran, excess = np.empty(base.shape, dtype=bool), np.empty_like(base)
    any_night = np.zeros(base.shape, dtype=bool)
    days = base.shape[1]
    # night n (of days + 1): the evening of day n - 1 and the morning of day n
    night_excess, night_seen = np.zeros((len(chosen), days + 1)), np.zeros((len(chosen), days + 1))
    for slot in np.flatnonzero((slot_hours >= VALLEY_SPAN[0]) | (slot_hours < VALLEY_SPAN[1])):
        demand = cube.kw[slot][chosen]
        with np.errstate(invalid="ignore"):
            np.greater_equal(demand, threshold, out=ran)
        counted += count_true(ran, axis=1)
        any_night |= ran
        excess.fill(0)
        np.subtract(demand, base, out=excess, where=ran)  # 0 where it did not run (missing readings too)
        total += excess.sum(axis=1, dtype=np.float64)
        night = slice(1, days + 1) if slot_hours[slot] >= VALLEY_SPAN[0] else slice(0, days)
        night_excess[:, night] += excess
        night_seen[:, night] += ~np.isnan(demand)
    with np.errstate(invalid="ignore", divide="ignore"):
        kw[chosen] = np.where(counted > 0, total / np.maximum(counted, 1), np.nan)
        nightly = np.where(night_seen > 0, night_excess / night_seen, np.nan)[:, 1:days]  # whole nights only
    slots[chosen] = counted
    first[chosen] = np.where(any_night.any(axis=1), any_night.argmax(axis=1), -1)
    change[chosen] = night_to_night_change(nightly[:, -RECENT_NIGHTS:])
    return kw, slots, first, change


EVENING_PEAK_HOURS = (18.0, 22.0)  # the evening peak-tariff window (峰时段), local time
MIN_NIGHT_EXCESS_SHARE = 0.05


def evening_peak_share(
    cube: Cube, daily_base: np.ndarray, slot_hours: np.ndarray, night_level: np.ndarray, days: int = 28
) -> np.ndarray:
    """(A,) what a night load also draws in the evening peak-tariff hours: the median over the last
    ``days`` days of (mean kW 18:00–22:00 − the day's base), over the night excess (``night_level``,
    :func:`night_excess_kw`); at least 0, NaN for daily data and without a night excess of at least
    ``MIN_NIGHT_EXCESS_SHARE`` of the mean demand (a ratio of noise to noise says nothing).

    Rigs kept for the valley tariff are off, or cut, when electricity costs most: they add nothing in
    the evening peak (about 0). A working site whose hours fall in the night — a shop or a restaurant
    read in the wrong time zone, a night shift — runs through the evening too (about 1 or more);
    storage heating runs at night, the household's own evening in between.
    """
    if cube.slots < 4:
        return np.full(cube.accounts, np.nan)
    evening = (slot_hours >= EVENING_PEAK_HOURS[0]) & (slot_hours < EVENING_PEAK_HOURS[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        excess = cube.mean_over(evening) - daily_base
        share = np.clip(_nanmedian_rows(excess[:, -days:]), 0.0, None) / night_level
    share[~(night_level > MIN_NIGHT_EXCESS_SHARE * cube.mean_kw) | ~np.isfinite(share)] = np.nan
    return share


def night_excess_weather(excess: np.ndarray, ran: np.ndarray, temperature_c: np.ndarray | None) -> np.ndarray:
    """How strongly the night excess follows the outdoor temperature, in % of its mean per °C (≥ 0).

    Over the nights it ran (``ran``), the night excess (% of its mean) is regressed on the day's mean
    temperature; the |slope| counts only beyond two standard errors. Storage heating (煤改电) runs
    harder the colder the night — several %/°C even when a cold spell pins it at full power for
    weeks; rigs draw the same power whatever the weather (their fans, a fraction of a %/°C). NaN
    without a temperature series or with fewer than 30 such nights.
    """
    accounts, days = excess.shape
    if temperature_c is None or len(temperature_c) != days:
        return np.full(accounts, np.nan)
    running = np.where(ran, excess, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = 100.0 * running / nan_mean_rows(running)[:, None]
    slope, standard_error, n = slope_with_error(relative, np.asarray(temperature_c, dtype=float)[None, :])
    with np.errstate(invalid="ignore"):
        response = np.clip(np.abs(slope) - SLOPE_SIGNIFICANCE * standard_error, 0.0, None)
    response[(n < MIN_DAYS_FOR_TEMPERATURE) | ~np.isfinite(response)] = np.nan
    return response


PEAK_TARIFF_HOURS = ((8.0, 11.0), (18.0, 22.0))  # peak-tariff windows (峰时段), local time


TARIFF_LAG_HOURS = 1.0
"""How long after a peak-tariff window an off-peak slot may still hold part of a cut made in it."""


def peak_tariff_slots(slot_hours: np.ndarray) -> np.ndarray:
    """(P,) True for the slots in the peak-tariff hours (local time)."""
    peak = np.zeros(len(slot_hours), dtype=bool)
    for start, end in PEAK_TARIFF_HOURS:
        peak |= (slot_hours >= start) & (slot_hours < end)
    return peak


def steady_off_peak_slots(slot_hours: np.ndarray) -> np.ndarray:
    """(P,) True for the off-peak slots outside the ``TARIFF_LAG_HOURS`` after each peak-tariff window:
    where a daily floor is looked for.

    A load cut in the peak hours (rigs on a timer) shows its cut an interval late when the export
    labels each reading with the end of its interval, as State Grid's 96-point curves do (00:15 …
    24:00): the first off-peak hour then holds the end of the cut, and the lowest off-peak slot became
    the cut itself (a farm's floor of 450 kW read as 79 kW, bench/README.md, messy readings). The
    hour before a peak window stays: it is where a site's standby shows between night-only rigs and
    the working day.
    """
    hours = np.asarray(slot_hours, dtype=float)
    lagging = np.zeros(len(hours), dtype=bool)
    for _, end in PEAK_TARIFF_HOURS:
        lagging |= (hours >= end) & (hours < end + TARIFF_LAG_HOURS)
    return ~peak_tariff_slots(hours) & ~lagging


def peak_cut(cube: Cube, slot_hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Large miners follow prices: flat outside the peak-tariff hours, cut inside them.

    Returns ``(peak_cut_share, offpeak_base_ratio)`` per account: 1 − median over days of (mean kW in
    the peak windows / mean kW outside them), clipped to 0..1; and the median over days of (lowest
    steady off-peak slot (:func:`steady_off_peak_slots`) / off-peak mean), 1 for a load that is flat
    outside the peaks. NaN for daily data.
    """
    if cube.slots < 24:
        nan = np.full(cube.accounts, np.nan)
        return nan, nan.copy()
    peak = peak_tariff_slots(slot_hours)
    with np.errstate(invalid="ignore", divide="ignore"):
        peak_mean = cube.mean_over(peak)
        off_mean = cube.mean_over(~peak)
        off_min = lowest_over_slots(cube.kw, steady_off_peak_slots(slot_hours))
        cut = 1.0 - peak_mean / off_mean
        flat = off_min / off_mean
    cut = np.where(np.isfinite(cut), cut, np.nan)
    flat = np.where(np.isfinite(flat), flat, np.nan)
    return np.clip(_median_days(cut), 0.0, 1.0), _median_days(flat)


def _median_days(matrix: np.ndarray) -> np.ndarray:
    return row_quantiles(matrix, (0.5,))[0]
