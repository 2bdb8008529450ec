"""Validation kernel: readings no load could have drawn are set aside before the features."""

from __future__ import annotations

import numpy as np

from minesweep.detection.meter.kernels import shape
from minesweep.detection.meter.kernels.features import compute_features
from minesweep.detection.meter.kernels.profile import daily_base_kw, daily_mean_kw
from minesweep.detection.meter.kernels.validation import (
    implausible_readings,
    without_implausible_readings,
)
from minesweep.detection.meter.timebase import ProfileGrid

START_DAY = 18628  # 2021-01-01, a Friday
DAYS = 120
GRID = ProfileGrid(start_day=START_DAY, n_days=DAYS, interval_s=3600)
WORKDAYS = (np.arange(DAYS) + 4) % 7 < 5


def _plant(seed: int = 0) -> np.ndarray:
    """Hourly kW in time order of a continuous-process plant: 1,000 kW, a small daily swing, noise."""
    rng = np.random.default_rng(seed)
    hours = np.arange(DAYS * 24)
    return 1000.0 * (1 + 0.05 * np.sin(2 * np.pi * hours / 24)) * rng.normal(1, 0.02, len(hours))


def _cube(*series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(P, A, D) profile and counts from hourly series in time order."""
    kw = np.stack([s.reshape(DAYS, 24) for s in series]).transpose(2, 0, 1).astype(np.float32)
    return kw, (~np.isnan(kw)).astype(np.uint8)


def _zero_filled_outage(series: np.ndarray, start: int, hours: int) -> np.ndarray:
    """The head end's export of an outage: zeros, then one reading carrying the gap's energy."""
    out = series.copy()
    missed = out[start : start + hours].sum()
    out[start : start + hours] = 0.0
    out[start + hours] += missed
    return out


def _marked_hours(kw: np.ndarray, account: int = 0) -> list[int]:
    marked = implausible_readings(shape.Cube.of(kw))[:, account, :]  # (P, D)
    return np.flatnonzero(marked.T.reshape(-1)).tolist()


def test_it_sets_aside_the_catch_up_reading_after_an_outage_and_the_outages_zeros():
    series = _zero_filled_outage(_plant(), start=1000, hours=72)
    assert _marked_hours(_cube(series)[0]) == list(range(1000, 1073))


def test_it_sets_aside_the_catch_up_reading_after_empty_slots_too():
    series = _zero_filled_outage(_plant(), start=500, hours=30)
    series[480:500] = np.nan  # the export left part of the gap empty, the rest as zeros
    assert _marked_hours(_cube(series)[0]) == list(range(480, 531))


def test_it_keeps_a_real_stop_and_restart_and_a_sites_own_busy_hours():
    stopped = _plant()
    stopped[2000:2100] = 0.0  # an overhaul: the plant draws nothing, then runs as before
    household = np.random.default_rng(1).gamma(2.0, 0.4, DAYS * 24)  # its top hours are its own
    assert _marked_hours(_cube(stopped, household)[0], 0) == []
    assert _marked_hours(_cube(stopped, household)[0], 1) == []


def test_it_sets_aside_a_corrupt_single_reading():
    series = _plant()
    series[777] *= 8.0
    series[778] *= 1.3  # within the site's range: kept
    assert _marked_hours(_cube(series)[0]) == [777]


def test_it_makes_them_missing_in_copies_and_says_which_share_it_set_aside():
    clean = _plant()
    kw, counts = _cube(_zero_filled_outage(clean, start=1000, hours=95), clean)
    before, before_counts = kw.copy(), counts.copy()
    cube, cleaned_counts, share = without_implausible_readings(shape.Cube.of(kw), counts)
    np.testing.assert_array_equal(kw, before)  # the inputs are untouched
    np.testing.assert_array_equal(counts, before_counts)
    assert np.isnan(cube.kw[:, 0, :]).sum() == 96 and cleaned_counts[:, 0, :].sum() == DAYS * 24 - 96
    assert share[0] == 96 / (DAYS * 24) and share[1] == 0.0
    np.testing.assert_array_equal(cube.kw[:, 1, :], kw[:, 1, :])
    np.testing.assert_array_equal(cube.robust_peak_kw, shape.Cube.of(cube.kw).robust_peak_kw)


def test_a_plant_with_zero_filled_outages_keeps_the_features_of_its_clean_readings():
    """Before validation the catch-up readings gave a plant a 'working-day rhythm' (people beside a
    flat load, evidence for the flat-load route) and wiped out its daily periodicity."""
    clean = _plant()
    messy = clean.copy()
    for start, hours in ((300, 120), (1500, 48), (2500, 200)):  # all end on a working day
        messy = _zero_filled_outage(messy, start, hours)
    kw, counts = _cube(clean, messy)
    features, _ = compute_features(kw, counts, GRID, WORKDAYS)
    assert features["implausible_share"][0] == 0.0
    assert features["implausible_share"][1] == (120 + 48 + 200 + 3) / (DAYS * 24)
    for name in ("daily_periodicity", "working_day_rhythm_share", "profile_amplitude", "load_factor"):
        assert abs(features[name][1] - features[name][0]) < 0.05, name
    assert features["daily_periodicity"][1] > 0.5


def _office(missing_share: float, seed: int = 3, rigs_kw: float = 0.0) -> np.ndarray:
    """Hourly kW of an office whose standby moves with how busy it is (plus rigs that do not), with
    readings missing at random."""
    rng = np.random.default_rng(seed)
    busy = np.repeat(rng.uniform(0.95, 1.05, DAYS), 24)
    hour = np.arange(DAYS * 24) % 24
    working = np.repeat(WORKDAYS, 24) & (hour >= 8) & (hour < 19)
    kw = ((20.0 + 80.0 * working) * busy + rigs_kw) * rng.normal(1, 0.02, DAYS * 24)
    kw[rng.random(DAYS * 24) < missing_share] = np.nan
    return kw


def test_a_partly_read_days_demand_is_scaled_so_missing_readings_do_not_fix_an_offices_floor():
    """A missing peak hour lowers a plain daily mean: errors in the regressor flatten the slope of
    floor on demand, and an office's floor looked fixed (as rigs' is) with one reading in twenty
    missing. Scaled by its usual profile, the day's demand keeps the office's floor moving, and rigs'
    floor is still found."""
    kw, counts = _cube(_office(0.0), _office(0.05), _office(0.0, rigs_kw=30.0), _office(0.05, rigs_kw=30.0))
    features, _ = compute_features(kw, counts, GRID, WORKDAYS)
    floor = features["fixed_floor_share"]
    assert floor[0] < 0.02 and floor[1] < 0.02
    assert floor[2] > 0.05 and abs(floor[3] - floor[2]) < 0.03  # rigs' floor, read whole or partly
    daily = daily_mean_kw(kw, counts, GRID)
    plain = shape.fixed_floor_share(daily, daily_base_kw(kw, daily), WORKDAYS)
    assert plain[1] > 0.1  # the bias the scaled demand avoids
    scaled = shape.profile_scaled_daily_kw(shape.Cube.of(kw), daily, WORKDAYS)
    complete = ~np.isnan(kw).any(axis=0)  # (A, D)
    np.testing.assert_array_equal(scaled[complete], daily[complete])
