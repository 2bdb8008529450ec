"""Kernel tests: pure numpy, no database, no files."""

from __future__ import annotations

import numpy as np
import pytest

from minesweep.detection.meter.kernels import shape, steps
from minesweep.detection.meter.kernels.features import compute_features
from minesweep.detection.meter.kernels.profile import (
    bin_readings,
    count_true,
    daily_mean_kw,
    row_quantiles,
    true_positions,
)
from minesweep.detection.meter.timebase import SHANGHAI_OFFSET_S, ProfileGrid, day_number_of

START_DAY = 18628  # 2021-01-01
DAYS = 120


def _series(kw_of_slot, interval_s: int = 900, days: int = DAYS, seed: int = 0):
    """Readings (UTC seconds, kWh) for one account from a function of (day, local hour) → kW."""
    rng = np.random.default_rng(seed)
    n = days * 86400 // interval_s
    ts = START_DAY * 86400 - SHANGHAI_OFFSET_S + np.arange(n) * interval_s
    local = ts + SHANGHAI_OFFSET_S - START_DAY * 86400
    kw = kw_of_slot(local // 86400, (local % 86400) / 3600.0) * rng.normal(1, 0.01, n)
    return ts, kw * interval_s / 3600.0


def _features(*accounts, interval_s: int = 900, temperature=None, workdays=None):
    grid = ProfileGrid(start_day=START_DAY, n_days=DAYS, interval_s=interval_s)
    index = np.concatenate([np.full(len(ts), i) for i, (ts, _) in enumerate(accounts)])
    ts = np.concatenate([a[0] for a in accounts])
    kwh = np.concatenate([a[1] for a in accounts])
    mean_kw, counts = bin_readings(index, ts, kwh, len(accounts), grid)
    is_workday = workdays if workdays is not None else (np.arange(DAYS) + 4) % 7 < 5
    return compute_features(mean_kw, counts, grid, is_workday, temperature)


def test_it_bins_readings_to_mean_kw_in_local_hours_and_keeps_missing_as_nan():
    grid = ProfileGrid(start_day=START_DAY, n_days=2, interval_s=900)
    # 00:00-00:15 Asia/Shanghai on day 0 is 16:00 UTC the day before.
    ts = np.array([START_DAY * 86400 - SHANGHAI_OFFSET_S, START_DAY * 86400 - SHANGHAI_OFFSET_S + 900])
    mean_kw, counts = bin_readings(np.array([0, 0]), ts, np.array([1.0, 3.0]), 1, grid)
    assert mean_kw.shape == (24, 1, 2)  # slot, account, day
    assert mean_kw[0, 0, 0] == 8.0  # (1 + 3) kWh over 0.5 h of readings
    assert counts[0, 0, 0] == 2
    assert np.isnan(mean_kw[1, 0, 0]) and np.isnan(mean_kw[:, 0, 1]).all()


def test_it_ignores_readings_outside_the_window():
    grid = ProfileGrid(start_day=START_DAY, n_days=1, interval_s=3600)
    ts = np.array([START_DAY * 86400 - SHANGHAI_OFFSET_S - 3600, START_DAY * 86400 - SHANGHAI_OFFSET_S])
    mean_kw, counts = bin_readings(np.array([0, 0]), ts, np.array([100.0, 2.0]), 1, grid)
    assert counts.sum() == 1 and mean_kw[0, 0, 0] == 2.0


def test_it_measures_a_flat_load_as_flat_and_an_office_as_periodic():
    flat = _series(lambda d, h: np.full(len(d), 300.0))
    office = _series(lambda d, h: 20 + 80 * ((h >= 9) & (h < 18)) * (((d + 4) % 7) < 5))
    features, _ = _features(flat, office)
    assert features["load_factor"][0] > 0.95 > 0.6 > features["load_factor"][1]
    assert abs(features["night_day_ratio"][0] - 1) < 0.05 and features["night_day_ratio"][1] < 0.3
    assert features["profile_amplitude"][0] < 0.05 < 1.0 < features["profile_amplitude"][1]
    assert features["daily_periodicity"][1] > 0.8 > 0.2 > abs(features["daily_periodicity"][0])
    assert features["weekend_weekday_ratio"][1] < 0.5
    assert features["day_to_day_change"][0] < 0.01


def test_it_finds_the_onset_and_the_step_size_of_a_new_flat_load():
    farm = _series(lambda d, h: 5 + 325.0 * (d >= 50))
    features, step_lists = _features(farm)
    assert features["onset_day"][0] == 50
    assert features["onset_share"][0] > 0.9
    assert step_lists[0] and step_lists[0][0][0] == 50
    assert abs(step_lists[0][0][1] - 325) < 10
    assert abs(features["recent_base_kw"][0] - features["pre_onset_base_kw"][0] - 325) < 10


def test_it_does_not_take_a_factory_restart_after_a_holiday_for_an_onset():
    def factory(d, h):
        day_shift = 50 + 400 * ((h >= 8) & (h < 17))
        return np.where((d >= 35) & (d < 55), 20.0, day_shift)  # three-week Spring Festival stop

    features, _ = _features(_series(factory))
    assert features["onset_share"][0] == 0
    assert features["onset_day"][0] == -1


def test_it_reports_steps_both_ways():
    sizes = steps.detect_steps(np.r_[np.full(30, 100.0), np.full(30, 200.0), np.full(30, 120.0)][None, :])
    assert sizes[0, 30] > 90 and sizes[0, 60] < -70
    assert (sizes != 0).sum() == 2


def test_an_outage_of_a_few_days_is_no_step_but_rigs_added_in_batches_are():
    """A farm down for three days and later at two thirds for five comes back to its level: no step
    either way (the recovery had been listed as rigs switched on); rigs arriving in two batches a week
    and a half apart are two steps up."""
    farm = np.r_[np.full(60, 70.0), np.full(90, 15_000.0)]
    farm[100:103] = 5_000.0
    farm[115:120] = 10_000.0
    batches = np.r_[np.full(40, 100.0), np.full(10, 400.0), np.full(100, 700.0)]
    sizes = steps.detect_steps(np.stack([farm, batches]))
    assert [int(d) for d in np.flatnonzero(sizes[0])] == [60] and sizes[0, 60] > 14_000
    assert [int(d) for d in np.flatnonzero(sizes[1])] == [40, 50] and (sizes[1, [40, 50]] > 250).all()


def test_it_measures_temperature_response_only_when_temperature_is_given():
    rng = np.random.default_rng(1)
    temperature = 5 + rng.normal(0, 4, DAYS)
    heating = _series(lambda d, h: 100 + 10 * np.clip(18 - temperature[d], 0, None))
    farm = _series(lambda d, h: np.full(len(d), 300.0))
    with_temperature, _ = _features(heating, farm, temperature=temperature)
    without, _ = _features(heating, farm)
    assert (
        with_temperature["temperature_response"][0] > 2.0 > 0.5 > with_temperature["temperature_response"][1]
    )
    assert np.isnan(without["temperature_response"]).all()


def test_it_does_not_read_a_noisy_load_as_weather_driven():
    rng = np.random.default_rng(4)
    days = 200
    temperature = 10 + 8 * np.sin(np.arange(days) / 20) + rng.normal(0, 3, days)
    # a shift factory: ±30 % from day to day for reasons that have nothing to do with the weather
    factory = 500 * (1 + 0.3 * rng.standard_normal((40, days)))
    # a data centre's cooling: +1 % of demand per °C, a little noise
    cooling = 1000 * (1 + 0.01 * temperature + 0.005 * rng.standard_normal((40, days)))
    noisy = shape.temperature_response(factory, temperature)
    driven = shape.temperature_response(cooling, temperature)
    assert np.median(noisy) < 0.2  # an unshrunk slope of pure noise is typically ~1 %/°C here
    assert np.median(driven) > 0.7


def test_it_counts_missing_share_and_daily_means_ignore_gaps():
    ts, kwh = _series(lambda d, h: np.full(len(d), 10.0))
    keep = np.ones(len(ts), bool)
    keep[: 96 * 30] = False  # first 30 days missing
    features, _ = _features((ts[keep], kwh[keep]))
    assert abs(features["missing_share"][0] - 30 / DAYS) < 1e-9
    grid = ProfileGrid(start_day=START_DAY, n_days=DAYS, interval_s=900)
    mean_kw, counts = bin_readings(np.zeros(keep.sum(), int), ts[keep], kwh[keep], 1, grid)
    daily = daily_mean_kw(mean_kw, counts, grid)
    assert np.isnan(daily[0, :30]).all() and abs(np.nanmean(daily[0, 30:]) - 10) < 0.1


def test_it_handles_daily_readings_with_intraday_features_missing():
    farm = _series(lambda d, h: np.full(len(d), 300.0), interval_s=86400)
    features, _ = _features(farm, interval_s=86400)
    assert np.isnan(features["night_day_ratio"][0]) and np.isnan(features["daily_periodicity"][0])
    assert features["day_to_day_change"][0] < 0.05


def test_it_returns_nan_not_errors_for_an_account_without_data():
    ratio = shape.night_day_ratio(shape.Cube.of(np.full((24, 1, 5), np.nan)), np.arange(24.0))
    assert np.isnan(ratio).all()
    assert day_number_of(__import__("datetime").date(2021, 1, 1)) == START_DAY


def _cube_with_gaps(seed: int = 3) -> np.ndarray:
    """(24 slots, 5 accounts, 60 days) float32 kW with scattered missing slots and a missing day."""
    rng = np.random.default_rng(seed)
    hours = np.arange(24)[:, None, None]
    kw = (100 + 50 * np.sin(hours / 24 * 2 * np.pi) + rng.normal(0, 5, (24, 5, 60))).astype(np.float32)
    kw[rng.random(kw.shape) < 0.05] = np.nan
    kw[:, 2, 10] = np.nan
    kw[:, 4, :] = np.nan  # an account without data
    return kw


def test_daily_periodicity_equals_the_plain_autocorrelation_of_the_day_demeaned_series():
    kw = _cube_with_gaps()
    by_account = kw.transpose(1, 2, 0).astype(np.float64)  # (A, D, P)
    valid = ~np.isnan(by_account)
    day_sum = np.where(valid, by_account, 0.0).sum(axis=2, keepdims=True)
    demeaned = by_account - day_sum / np.maximum(valid.sum(axis=2, keepdims=True), 1)
    expected = shape.lag_autocorrelation(demeaned.reshape(5, -1), 24)
    got = shape.daily_periodicity(shape.Cube.of(kw))
    assert np.allclose(got[:4], expected[:4], atol=1e-5) and np.isnan(got[4]) and np.isnan(expected[4])


def _steady_plant_cube(accounts: int = 4, days: int = 365, seed: int = 11) -> np.ndarray:
    """(24, A, D) kW of plants whose output wanders with memory (1 % a slot) around a 3 % dip at the
    shift change: a faint rhythm, periodicity well above 0."""
    rng = np.random.default_rng(seed)
    hours = np.arange(24)[:, None, None]
    dip = 1 - 0.03 * np.exp(-0.5 * ((hours - 8) / 2.0) ** 2)
    wander = np.zeros((24 * days, accounts))
    shocks = rng.normal(0, 0.01 * np.sqrt(1 - 0.8**2), wander.shape)
    for t in range(1, len(wander)):
        wander[t] = 0.8 * wander[t - 1] + shocks[t]
    by_slot = wander.reshape(days, 24, accounts).transpose(1, 2, 0)
    return (1000 * dip * (1 + by_slot)).astype(np.float32)


def test_one_corrupt_reading_does_not_decide_a_loads_daily_periodicity():
    """A reading at 2.5 times a plant's demand (below the validation limit of three times its peak, so
    kept) held more of a year's shape power than all its genuine hours: the periodicity fell to about
    0 and the plant's rhythm read as a rig's flatness. An office's sharp rhythm is not clipped."""
    clean = _steady_plant_cube()
    corrupt = clean.copy()
    corrupt[14, 0, 100] *= 2.5
    corrupt[3, 1, 200] *= 2.5
    corrupt[20, 2, 300] *= 0.2  # a reading lost to a fifth, the other way
    before = shape.daily_periodicity(shape.Cube.of(clean))
    after = shape.daily_periodicity(shape.Cube.of(corrupt))
    assert before.min() > 0.3
    assert np.abs(after - before).max() < 0.02
    office = np.where((np.arange(24) >= 8) & (np.arange(24) < 19), 100.0, 20.0)[:, None, None]
    office = (office * np.random.default_rng(2).normal(1, 0.01, (24, 2, 120))).astype(np.float32)
    by_account = office.transpose(1, 2, 0).astype(np.float64)
    demeaned = by_account - by_account.mean(axis=2, keepdims=True)
    expected = shape.lag_autocorrelation(demeaned.reshape(2, -1), 24)
    assert np.allclose(shape.daily_periodicity(shape.Cube.of(office)), expected, atol=1e-5)


def test_the_robust_peak_is_the_nearest_rank_99th_percentile_of_the_slots_with_data():
    kw = _cube_with_gaps()
    flat = kw.transpose(1, 0, 2).reshape(5, -1).astype(np.float64)
    expected = row_quantiles(flat, (0.99,))[0]
    got = shape.Cube.of(kw).robust_peak_kw
    assert np.allclose(got[:4], expected[:4]) and np.isnan(got[4])


def test_it_bins_an_interval_that_does_not_divide_the_hour_evenly():
    grid = ProfileGrid(start_day=START_DAY, n_days=1, interval_s=2400)  # 40 minutes: 2 or 1 per hour
    ts = START_DAY * 86400 - SHANGHAI_OFFSET_S + np.arange(36) * 2400
    mean_kw, counts = bin_readings(np.zeros(36, int), ts, np.full(36, 2.0), 1, grid)
    assert counts[:, 0, 0].sum() == 36 and counts[0, 0, 0] == 2 and counts[1, 0, 0] == 1
    assert np.allclose(mean_kw[:, 0, 0], 3.0)  # 2 kWh per 40 minutes = 3 kW in every hour


def test_it_measures_the_weather_response_of_a_load_with_a_working_week():
    rng = np.random.default_rng(5)
    days = 200
    temperature = 5 + 10 * np.sin(np.arange(days) / 25) + rng.normal(0, 3, days)
    workday = (np.arange(days) % 7) < 5
    # a hospital: outpatients on working days (+40 %), heating 2 % of demand per °C below 18 °C
    load = 1000 * (1 + 0.4 * workday) * (1 + 0.02 * np.clip(18 - temperature, 0, None))
    load = load * (1 + 0.005 * rng.standard_normal((20, days)))
    with_week = shape.temperature_response(load, temperature, None, workday)
    without_week = shape.temperature_response(load, temperature)
    # week changes left out: the heating shows; mixed in, they drown it
    assert np.median(with_week) > 1.0 > np.median(without_week) + 0.3


def test_it_measures_the_daily_base_outside_the_peak_tariff_hours():
    # rigs cut to 30 % in the peak-tariff hours (8-11, 18-22) still run the rest of the day at 100 kW
    def curtailed(d, h):
        peak = ((h >= 8) & (h < 11)) | ((h >= 18) & (h < 22))
        return np.where(peak, 30.0, 100.0)

    features, _ = _features(_series(curtailed))
    assert abs(features["recent_base_kw"][0] - 100.0) < 5.0  # the lowest slot of the day would say 30


def test_it_finds_a_floor_that_does_not_move_with_the_sites_activity():
    rng = np.random.default_rng(7)
    days = 200
    workday = (np.arange(days) + 4) % 7 < 5
    activity = 1 + 0.08 * rng.standard_normal((30, days))  # how busy the factory is, day by day
    standby, shift = 60.0 * activity, 400.0 * activity * np.where(workday, 1.0, 0.3)
    factory_daily, factory_base = standby + shift * 9 / 24, standby
    rigs = 150.0 * (1 + 0.01 * rng.standard_normal((30, days)))
    alone = shape.fixed_floor_share(factory_daily, factory_base, workday)
    with_rigs = shape.fixed_floor_share(factory_daily + rigs, factory_base + rigs, workday)
    assert np.median(alone) < 0.03  # its standby follows the work: nothing stays put
    assert np.median(with_rigs) > 0.2  # rigs: about 150 × (1 − 60/210) / 360 ≈ 0.3
    assert np.isnan(shape.fixed_floor_share(factory_daily[:, :20], factory_base[:, :20], workday[:20])).all()


def _seasonal_site(days: int, accounts: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(daily mean, daily base, working days) of a site whose demand rises and falls over a year
    (heating and lighting: ±30 %) and from day to day (±5 %), its floor a fifth of its demand."""
    rng = np.random.default_rng(seed)
    workday = (np.arange(days) + 4) % 7 < 5
    season = 1 + 0.3 * np.cos(2 * np.pi * np.arange(days) / 365)
    demand = 100.0 * season * (1 + 0.05 * rng.standard_normal((accounts, days)))
    return demand, 0.2 * demand, workday


def test_it_finds_the_part_of_the_base_that_does_not_follow_the_sites_work_over_the_year():
    """Rigs there from the first reading are in the base every day; the site's floor rises and falls
    with its work. The fixed part of the base is the rigs (here the site has no constant standby);
    the whole base would count the site's floor with them."""
    demand, base, workday = _seasonal_site(365, 20, seed=11)
    rigs = 30.0
    share = shape.fixed_part_of_base(demand + rigs, base + rigs, workday)
    fixed_kw = share * np.mean((base + rigs)[:, workday], axis=1)
    assert np.all(np.abs(fixed_kw / rigs - 1) < 0.05)  # the whole base: ~50 kW, +67 %
    alone = shape.fixed_part_of_base(demand, base, workday)
    assert np.all(alone < 0.1)  # a floor that follows the site's work is the site's own


def test_the_rigs_own_changes_do_not_tilt_the_fixed_part_of_the_base():
    """Clocking regimes move the base and the day's mean alike, but not the work between them: the
    rigs' seasons stay in the fixed part (regressed on the demand, they took most of it for the site's)."""
    demand, base, workday = _seasonal_site(365, 20, seed=13)
    clocking = 1 + 0.08 * np.sign(np.sin(np.arange(365) / 20))
    rigs = 30.0 * clocking
    share = shape.fixed_part_of_base(demand + rigs, base + rigs, workday)
    fixed_kw = share * np.mean((base + rigs)[:, workday], axis=1)
    assert np.all(np.abs(fixed_kw / np.mean(rigs[workday]) - 1) < 0.05)


def test_the_fixed_part_of_the_base_is_unknown_where_the_work_is_small_or_the_floor_falls_with_it():
    demand, base, workday = _seasonal_site(365, 3, seed=12)
    clocking = 1 + 0.05 * np.sign(np.sin(np.arange(365) / 20))
    farm_with_office = (
        500.0 * clocking + 0.05 * demand
    )  # a day's work of 1 %: the rigs' own day could be that
    assert np.isnan(shape.fixed_part_of_base(farm_with_office, 500.0 * clocking, workday)).all()
    lighting = 60.0 - 0.2 * demand  # a floor that falls as the work rises
    assert np.isnan(shape.fixed_part_of_base(demand + 60.0, lighting + 60.0, workday)).all()
    assert np.isnan(
        shape.fixed_part_of_base(demand[:, :35], base[:, :35], workday[:35])
    ).all()  # 25 working days
    assert np.isnan(shape.fixed_part_of_base(demand, base, None)).all()


def test_the_sites_own_work_is_measured_the_same_with_rigs_under_it():
    """The work's day-to-day change is the site's own: rigs add a constant to every day's mean and
    base, and nothing to the changes or to the work above the base. A load that repeats every day (an
    average of many customers) barely moves; a flat load has no work to measure."""
    rng = np.random.default_rng(5)
    days = 120
    activity = 1 + 0.1 * rng.standard_normal((20, days))
    base, daily = 40.0 * activity, 40.0 * activity + 200.0 * activity
    alone = shape.work_day_to_day_change(daily, base)
    rigs = 300.0
    assert np.allclose(shape.work_day_to_day_change(daily + rigs, base + rigs), alone)
    assert np.median(alone) > 0.08  # a factory's production moves ~10 % a day
    smooth = 1 + 0.002 * rng.standard_normal((1, days))
    assert shape.work_day_to_day_change(100.0 * smooth, 50.0 * smooth)[0] < 0.01
    assert np.isnan(shape.work_day_to_day_change(np.full((1, days), 100.0), np.full((1, days), 99.5)))[0]


def test_a_fixed_floor_is_only_measured_where_the_sites_work_moves():
    """With the work as steady as the floor, the regression of floor changes on demand changes has
    nothing to go on; the share is unknown there, not the whole floor."""
    share = np.array([0.3, 0.3, 0.3])
    gated = shape.only_where_work_moves(share, np.array([0.01, 0.08, np.nan]))
    assert np.isnan(gated[0]) and gated[1] == 0.3 and gated[2] == 0.3


WEEK_WORKDAYS = (np.arange(DAYS) + 4) % 7 < 5


def _farm_with_office(office_kw: float):  # type: ignore[no-untyped-def]
    """300 kW of rigs and an office of ``office_kw`` open 9-18 on working days."""
    return lambda d, h: 300.0 + office_kw * WEEK_WORKDAYS[d] * ((h >= 9) & (h < 18))


def _data_centre(d, h):  # type: ignore[no-untyped-def]  # the users' daily wave every day of the week
    return 1000.0 * (1 + 0.1 * np.sin(2 * np.pi * (h - 8) / 24))


def test_it_tells_a_rhythm_that_stops_on_rest_days_from_one_that_runs_every_day():
    features, _ = _features(_series(_farm_with_office(30.0)), _series(_data_centre), workdays=WEEK_WORKDAYS)
    share = features["working_day_rhythm_share"]
    assert share[0] > 0.6 and share[1] < 0.1
    all_working, _ = _features(_series(_data_centre), workdays=np.ones(DAYS, bool))
    assert np.isnan(all_working["working_day_rhythm_share"]).all()


def test_it_sees_how_flat_a_load_is_when_the_people_are_away():
    features, _ = _features(_series(_farm_with_office(60.0)), _series(_data_centre), workdays=WEEK_WORKDAYS)
    rest = features["rest_day_amplitude"]
    assert rest[0] < 0.05 < 0.1 < features["profile_amplitude"][0]  # the rigs alone on rest days
    assert rest[1] > 0.15  # a data centre's wave is there on Sundays too


def test_it_tells_storage_heating_that_follows_the_cold_from_rigs_that_run_every_night():
    rng = np.random.default_rng(3)
    days = 150
    temperature = -5 + 8 * np.sin(np.arange(days) / 9) + rng.normal(0, 2, days)
    duty = np.clip((12.0 - temperature) / 20.0, 0.3, 1.0)
    heating = 6.0 * duty * rng.normal(1, 0.03, (20, days))  # night excess kW of a 煤改电 heater
    rigs = 6.0 * rng.normal(1, 0.03, (20, days))  # rigs switched on every night
    ran = np.ones((20, days), bool)
    heating_response = shape.night_excess_weather(heating, ran, temperature)
    rigs_response = shape.night_excess_weather(rigs, ran, temperature)
    assert np.median(heating_response) > 2.0  # several % of its mean per °C
    assert np.max(rigs_response) < 0.3
    assert np.isnan(shape.night_excess_weather(heating, ran, None)).all()
    assert np.isnan(shape.night_excess_weather(heating[:, :20], ran[:, :20], temperature[:20])).all()


def test_it_counts_and_locates_true_entries_as_numpy_does_whatever_the_count():
    # count_true sums in uint8/uint16 when the axis is short enough: full rows at and past each
    # accumulator's limit must not wrap round
    for dims, axis in (((2, 255), 1), ((2, 256), 1), ((3, 4, 5), (0, 2)), ((2, 300, 300), (1, 2))):
        full = np.ones(dims, dtype=bool)
        assert np.array_equal(count_true(full, axis), full.sum(axis=axis))
        assert count_true(full, axis).dtype == np.int64
    mask = np.random.default_rng(3).random((24, 500)) < 0.02
    assert np.array_equal(count_true(mask, 0), mask.sum(axis=0))
    rows, columns = true_positions(mask)
    expected_rows, expected_columns = np.nonzero(mask)
    assert np.array_equal(rows, expected_rows) and np.array_equal(columns, expected_columns)


def test_the_daily_floor_is_not_looked_for_in_the_hour_after_a_peak_tariff_window():
    assert np.flatnonzero(shape.steady_off_peak_slots(np.arange(24.0))).tolist() == [
        *range(0, 8),
        *range(12, 18),
        23,
    ]
    quarter_hours = np.arange(96) * 0.25
    steady = shape.steady_off_peak_slots(quarter_hours)
    assert steady[quarter_hours < 8].all() and not steady[(quarter_hours >= 8) & (quarter_hours < 12)].any()
    assert steady[(quarter_hours >= 12) & (quarter_hours < 18)].all()


def test_a_farm_cut_in_the_peak_hours_keeps_its_floor_when_readings_are_labelled_by_their_end():
    """State Grid's curves label each reading with the end of its interval: the cut then shows an
    interval late, in the first off-peak hour, which used to become the farm's daily floor."""

    def farm(late_hours: float):
        def kw(day, hour):
            shown = (hour - late_hours) % 24
            cut = ((shown >= 8) & (shown < 11)) | ((shown >= 18) & (shown < 22))
            return np.where(cut, 60.0, 450.0)

        return kw

    for interval_s in (3600, 900):
        late = interval_s / 3600.0
        aligned, labelled_late = _series(farm(0.0), interval_s), _series(farm(late), interval_s)
        features, _ = _features(aligned, labelled_late, interval_s=interval_s)
        for name in ("base_load_ratio", "recent_base_kw"):
            assert abs(features[name][1] / features[name][0] - 1) < 0.05, (interval_s, name)
        assert features["recent_base_kw"][1] > 400
        assert (features["offpeak_base_ratio"] > 0.95).all()  # flat outside the peaks, read either way


def test_the_evening_peak_share_is_unknown_without_a_night_load():
    flat = _series(lambda d, h: np.full(len(d), 100.0), 3600)
    night_rigs = _series(lambda d, h: 20.0 + 100.0 * ((h < 7) | (h >= 23)), 3600)
    features, _ = _features(flat, night_rigs, interval_s=3600)
    assert np.isnan(features["evening_peak_share"][0])
    assert features["evening_peak_share"][1] < 0.05


def test_a_night_loads_change_counts_only_consecutive_nights_it_ran():
    """Rigs off for eight nights of 28, and down to 80 % for a week (a rack out), drew the same from one
    night they ran to the next: no change. A load that drew 6 to 14 kW changes by 4 to 8 kW a night,
    half its median. Five nights are too few to say."""
    recent = np.array(
        [
            [10.0] * 10 + [0.0] * 8 + [8.0] * 7 + [10.0] * 3,
            [10.0, 14.0, 6.0, 12.0, 8.0] * 5 + [10.0, 0.0, 0.0],
            [10.0] * 5 + [0.0] * 23,
        ]
    )
    change = shape.night_to_night_change(recent)
    assert change[0] == 0.0
    assert change[1] == pytest.approx(4.0 / 10.0)
    assert np.isnan(change[2])
    assert np.isnan(shape.night_to_night_change(np.zeros((1, 28)))[0])  # no night load


def _office(day, hour):
    """kW of an office: 20 kW around the clock, 80 kW more from 09:00 to 18:00 on working days."""
    working = (day + 4) % 7 < 5
    return 20.0 + 80.0 * (working & (hour >= 9) & (hour < 18))


def test_it_finds_where_a_working_day_falls_and_doubts_a_clock_that_puts_it_at_night():
    """Times written in UTC and read as Beijing time put an office's working day eight hours early;
    a clock an hour off leaves it in the day. Loads without a working-day rhythm have no centre."""
    features, _ = _features(
        _series(_office),
        _series(lambda d, h: _office(d + (h >= 16), (h + 8) % 24)),  # the office's times eight hours early
        _series(lambda d, h: _office(d - (h < 8), (h - 8) % 24)),  # eight hours late: Friday ends on Saturday
        _series(lambda d, h: _office(d, (h + 1) % 24)),  # one hour early
        _series(lambda d, h: 100.0 + 0 * h),  # a flat load
        _series(lambda d, h: 10.0 + 90.0 * ((d + 4) % 7 < 5) + 0 * h),  # three shifts, rest days off
        _series(lambda d, h: 1.0 + 2.0 * ((h >= 18) & (h < 22))),  # a household: every evening alike
        _series(_household_sleeping_in_at_weekends),
    )
    centre = features["working_hours_centre"]
    assert abs(centre[0] - 13.5) < 0.3 and abs(centre[1] - 5.5) < 0.3 and abs(centre[3] - 12.5) < 0.3
    # eight hours late the working day ends after midnight, and the hours past it count less: Monday's
    # are empty (Sunday was not worked) and Saturday's are not (Friday was)
    assert 20.5 < centre[2] < 21.5
    assert np.isnan(centre[4:]).all()
    doubted = shape.working_hours_at_night(centre).tolist()
    assert doubted == [False, True, True, False, False, False, False, False]


def _household_sleeping_in_at_weekends(day, hour):
    """A household whose working-day mornings start at 06:30 and rest-day mornings at 09:00: working
    days rise above rest days in the early morning, but draw no more in a day."""
    working = (day + 4) % 7 < 5
    morning = np.where(working, (hour >= 6.5) & (hour < 8), (hour >= 9) & (hour < 11))
    evening = (hour >= 18) & (hour < 22)
    return 0.2 + 1.5 * morning + 1.0 * evening + 0.8 * (~working & (hour >= 12) & (hour < 14))


def test_rigs_under_a_shop_are_measured_above_its_own_hours_through_a_day_without_readings():
    """A day with no reading after the onset leaves that day out of the site's usual excess, quietly:
    no RuntimeWarning (the kernel runs in worker threads, where a process-wide filter cannot hold one
    back) and the rigs' 300 kW measured as they are."""
    import warnings

    shop = lambda d, h: 60.0 + 120.0 * ((h >= 9) & (h < 21)) + 300.0 * (d >= 60)  # noqa: E731
    ts, kwh = _series(shop)
    keep = (ts + SHANGHAI_OFFSET_S) // 86400 - START_DAY != 80
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        features, _ = _features((ts[keep], kwh[keep]))
    assert features["onset_day"][0] == 60
    assert abs(features["own_profile_kw"][0] / 300.0 - 1) < 0.03
    assert abs(features["own_profile_hours"][0] / ((DAYS - 61) * 24) - 1) < 0.05


def test_the_median_and_mean_of_an_empty_slice_are_nan_without_a_warning():
    """What ``above_own_profile`` reduces with: numpy's nan-functions warn on an all-NaN slice, and in a
    worker thread no filter can be relied on to hold that back."""
    import warnings

    from minesweep.detection.meter.kernels.features import _mean_or_nan, _median_or_nan

    values = np.array([[1.0, np.nan, 3.0, 4.0], [np.nan] * 4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        median, mean = _median_or_nan(values, axis=1), _mean_or_nan(values, axis=1)
    assert median[0] == 3.0 and mean[0] == 8.0 / 3 and np.isnan(median[1]) and np.isnan(mean[1])
    assert np.array_equal(_median_or_nan(values.T, axis=0), median, equal_nan=True)


def test_the_added_load_is_told_flat_from_growth_along_the_sites_own_shape():
    """Rigs add the same at every hour (share 1), also when cut in the site's busy hours; a site that grows
    along its own working-day shape adds a scaled copy of it (share 0). Nothing to compare against — a
    profile without a daily shape, or nothing added — is unknown."""
    from minesweep.detection.meter.kernels.features import added_flat_share

    hours = np.arange(24)
    shop = 12 + 48.0 * ((hours >= 8) & (hours < 21))
    busy = (hours >= 8) & (hours < 11) | (hours >= 18) & (hours < 22)
    profile = np.stack([shop, shop, shop, shop, np.full(24, 50.0)], axis=1)
    added = np.stack(
        [
            np.full(24, 20.0),  # rigs
            0.6 * shop,  # a new line on the same hours
            np.where(busy, 6.0, 20.0),  # rigs cut in the peak-tariff hours
            np.zeros(24),  # nothing added
            np.full(24, 20.0),  # a flat site: no shape to compare with
        ],
        axis=1,
    )
    share = added_flat_share(profile, added)
    assert share[0] == pytest.approx(1.0) and share[1] == pytest.approx(0.0, abs=1e-9) and share[2] == 1.0
    assert np.isnan(share[3]) and np.isnan(share[4])
    mixed = added_flat_share(shop[:, None], (10.0 + 0.2 * shop)[:, None])[0]
    assert mixed == pytest.approx(10.0 / (10.0 + 0.2 * shop.mean()))  # the flat part's share of the mean


def test_rigs_added_under_a_shop_are_measured_as_a_flat_block_over_its_shape():
    shop = lambda d, h: 12 + 48.0 * ((h >= 8) & (h < 21)) * (1 + 0.1 * np.sin(d * 2.3))  # noqa: E731
    features, _ = _features(_series(lambda d, h: shop(d, h) + 40.0 * (d >= 60)), _series(shop))
    assert features["onset_day"][0] == 60 and features["added_flat_share"][0] > 0.95
    assert np.isnan(features["added_flat_share"][1])  # no onset: nothing was added
