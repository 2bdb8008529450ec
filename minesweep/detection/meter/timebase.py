"""Time base for meter analytics: UTC storage, Asia/Shanghai days, windows and day types.

Asia/Shanghai has been UTC+8 without daylight saving since 1991, so a fixed offset is exact for any
meter data the platform will see; naive timestamps in input files are read as Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

SHANGHAI_OFFSET_S = 8 * 3600
SECONDS_PER_DAY = 86400
SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def local_day_number(ts_utc_s: int) -> int:
    """Days since 1970-01-01 of the Asia/Shanghai calendar day containing ``ts_utc_s`` (UTC seconds)."""
    return (ts_utc_s + SHANGHAI_OFFSET_S) // SECONDS_PER_DAY


def day_number_of(date: dt.date) -> int:
    """Days since 1970-01-01 for a calendar date."""
    return (date - dt.date(1970, 1, 1)).days


def date_of_day_number(day: int) -> dt.date:
    """Calendar date for a day number (inverse of :func:`day_number_of`)."""
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


@dataclass(frozen=True)
class ProfileGrid:
    """The dense grid readings are binned onto: ``n_days`` local days × ``slots_per_day`` slots.

    ``interval_s`` is the native reading interval; ``bin_s`` the profile slot width, one hour for
    sub-hourly and hourly data and the native interval for coarser data (a daily series has one slot a
    day, so intra-day features are NaN for it).
    """

    start_day: int
    n_days: int
    interval_s: int

    @property
    def bin_s(self) -> int:
        return max(self.interval_s, 3600)

    @property
    def slots_per_day(self) -> int:
        return max(1, SECONDS_PER_DAY // self.bin_s)

    @property
    def readings_per_slot(self) -> int:
        return max(1, self.bin_s // self.interval_s)

    @property
    def readings_per_day(self) -> int:
        return max(1, SECONDS_PER_DAY // self.interval_s)

    @property
    def slot_hours(self) -> np.ndarray:
        """Local hour of day (float, Asia/Shanghai) at the start of each slot."""
        return np.arange(self.slots_per_day) * (24.0 / self.slots_per_day)

    def dates(self) -> list[dt.date]:
        return [date_of_day_number(self.start_day + d) for d in range(self.n_days)]


def window_grid(
    data_start_day: int,
    data_end_day: int,
    interval_s: int,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> ProfileGrid:
    """Grid covering ``since``..``until`` (inclusive local dates), defaulting to the data's own span."""
    start = day_number_of(since) if since else data_start_day
    end = day_number_of(until) if until else data_end_day
    return ProfileGrid(start_day=start, n_days=max(0, end - start + 1), interval_s=interval_s)


def workday_flags(grid: ProfileGrid) -> np.ndarray:
    """Boolean (n_days,) — True on Chinese working days (调休 and public holidays from chinese_calendar).

    Outside the calendar's range it falls back to Monday–Friday.
    """
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - the package is a declared dependency
        chinese_calendar = None
    flags = np.empty(grid.n_days, dtype=bool)
    for index, date in enumerate(grid.dates()):
        try:
            flags[index] = bool(chinese_calendar.is_workday(date)) if chinese_calendar else date.weekday() < 5
        except NotImplementedError:
            flags[index] = date.weekday() < 5
    return flags
