"""Scoring tests: policy pack, routes, reasons, estimates, rigs (no database, no files but the pack)."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

from minesweep.detection.meter.errors import MeterDataError
from minesweep.detection.meter.fusion import standby_sized
from minesweep.detection.meter.kernels.features import compute_features
from minesweep.detection.meter.kernels.profile import bin_readings
from minesweep.detection.meter.rigs import rig_power_kw
from minesweep.detection.meter.scoring import (
    add_meta_features,
    every_day_periodicity,
    load_pack,
    pack_scores,
    rig_scale_fixed_floor,
    score_table,
)
from minesweep.detection.meter.timebase import SHANGHAI_OFFSET_S, ProfileGrid, date_of_day_number

START_DAY, DAYS = 18628, 120
GRID = ProfileGrid(start_day=START_DAY, n_days=DAYS, interval_s=3600)
#: The same readings' grid as if they were a year's: only the window's length differs (fusion's next step)
YEAR = ProfileGrid(start_day=START_DAY, n_days=365, interval_s=3600)


def _table(*loads, temperature: np.ndarray | None = None) -> pa.Table:
    """Feature table for accounts A0, A1, … whose hourly kW is ``load(day, hour)``."""
    rng = np.random.default_rng(3)
    hours = np.arange(DAYS * 24)
    ts = START_DAY * 86400 - SHANGHAI_OFFSET_S + hours * 3600
    index = np.repeat(np.arange(len(loads)), len(hours))
    kw = np.concatenate([load(hours // 24, hours % 24) * rng.normal(1, 0.01, len(hours)) for load in loads])
    mean_kw, counts = bin_readings(index, np.tile(ts, len(loads)), kw, len(loads), GRID)
    features, steps = compute_features(mean_kw, counts, GRID, (np.arange(DAYS) + 4) % 7 < 5, temperature)
    columns = {"account_id": [f"A{i}" for i in range(len(loads))], **features}
    columns["steps"] = [json.dumps([[d, kw] for d, kw in s]) for s in steps]
    return pa.table(columns)


def _meta(tariffs: list[str], contracts: list[float]) -> pa.Table:
    return pa.table(
        {"account_id": [f"A{i}" for i in range(len(tariffs))], "tariff": tariffs, "contract_kva": contracts}
    )


def _flat(kw: float):
    return lambda d, h: np.full(len(d), kw)


def _office(d, h):
    return 5 + 40 * ((h >= 9) & (h < 18)) * (((d + 4) % 7) < 5)


def test_it_scores_a_flat_farm_high_and_an_office_low_with_reasons():
    findings = score_table(_table(_flat(500), _office), GRID).to_pylist()
    farm, office = findings
    assert farm["score"] > 0.9 > 0.1 > office["score"]
    assert farm["suspect"] and not office["suspect"]
    reasons = json.loads(farm["reasons"])
    assert reasons["route"] == "flat_load" and reasons["top"][0]["contribution"] > 0


def test_it_applies_the_protected_tariff_route_only_to_protected_tariffs():
    table = _table(_flat(60), _flat(60))
    pack = load_pack()
    columns = add_meta_features(table, _meta(["agricultural", "large_industry"], [2000, 2000]), pack)
    _, _, parts = pack_scores(columns, pack)
    protected = list(pack.routes).index("protected_tariff")
    route_logit = pack.routes["protected_tariff"].bias + sum(parts[protected].values())
    assert route_logit[0] > 0  # a flat 60 kW load on an agricultural tariff: the route fires
    assert columns["is_protected_tariff"].tolist() == [1.0, 0.0]  # and applies to that account only


def test_a_flat_load_smaller_than_one_rig_is_not_a_suspect_while_one_rig_is():
    """The smallest current rig draws about 3 kW (S19 XP 3,010 W; DOMAIN §3): a flat 2.4 kW load cannot
    hold one at full power, while a base station or a pump house's standby draws that much around the
    clock. One S19 at the wall (3.4 kW) stays a suspect, on any tariff."""
    table = _table(_flat(2.4), _flat(2.4), _flat(3.4), _flat(3.4))
    tariffs = ["agricultural", "large_industry", "agricultural", "large_industry"]
    found = score_table(table, GRID, meta=_meta(tariffs, [50.0] * 4)).to_pylist()
    assert [f["suspect"] for f in found] == [False, False, True, True]
    assert max(f["score"] for f in found[:2]) < 0.4 < 0.9 < min(f["score"] for f in found[2:])


def test_it_estimates_mining_power_from_the_onset_and_counts_rigs_of_the_chosen_model():
    farm = _table(lambda d, h: 4 + 325.0 * (d >= 60))
    found = score_table(farm, GRID, rig_kw=rig_power_kw("S19")).to_pylist()[0]
    assert abs(found["est_mining_kw"] - 325) < 10
    assert abs(found["est_rigs"] - 100) <= 3  # 1 % meter noise: the base is a daily minimum
    assert found["first_seen"] == "2021-03-02" and found["est_basis"] == "running"
    assert abs(found["est_mining_kwh"] - 325 * 24 * 60) < 0.05 * 325 * 24 * 60
    s21 = score_table(farm, GRID, rig_kw=rig_power_kw("Antminer S21")).to_pylist()[0]
    assert s21["est_rigs"] == round(s21["est_mining_kw"] / 3.5)


def test_a_flat_load_with_no_jump_in_the_window_is_measured_whole_and_named_so():
    """Without an onset nothing tells the rigs from whatever else shares the meter: the figure is the
    whole load (an upper bound), and its basis says so rather than "the new load"."""
    found = score_table(_table(_flat(500), lambda d, h: 4 + 325.0 * (d >= 60)), GRID).to_pylist()
    assert found[0]["est_basis"] == "whole_load" and abs(found[0]["est_mining_kw"] - 500) < 10
    assert found[1]["est_basis"] == "running"


def test_it_measures_mining_power_and_energy_over_the_hours_the_rigs_ran():
    """A farm cut off in the evening peak (18-22 h) and down for ten days: kW is its power while
    running, kWh that power times the hours it ran — neither is diluted by the hours it was off."""

    def farm(d, h):
        return 2 + 500.0 * (d >= 20) * ~((h >= 18) & (h < 22)) * ~((d >= 50) & (d < 60))

    found = score_table(_table(farm), GRID).to_pylist()[0]
    ran_hours = (DAYS - 20 - 10) * 20
    assert abs(found["est_mining_kw"] - 500) < 0.03 * 500
    assert abs(found["est_mining_hours"] - ran_hours) < 0.03 * ran_hours
    assert found["est_mining_kwh"] == pytest.approx(
        found["est_mining_kw"] * found["est_mining_hours"], rel=0.01
    )


def test_rigs_added_to_servers_are_measured_by_the_step_and_only_where_the_traffic_shows_servers():
    """1,000 kW of IT load with a ±10 % daily wave and cooling that grows with the season; 300 kW of
    rigs from day 60. Above the lowest level before the onset the wave and the cooling's growth were
    counted as mining (+28 % here, over 1.6 times the hours since the onset). Where the weekly traffic
    is that of servers before the onset and did not rise with the load, the earlier load is known to
    be servers: the four weeks either side cancel the wave, and of the cooling's growth only the four
    weeks' worth between the two means remains (35 kW here). The same readings with a few rigs' traffic
    before the onset (the earlier load may be rigs too), or without traffic, are measured by their daily
    base above the base before the onset (the wave left out, the cooling's growth not)."""

    def data_centre_with_rigs(d, h):
        it = 1000.0 * (1 + 0.1 * np.sin(2 * np.pi * (h - 8) / 24))
        cooling = 150.0 * (1 + d / DAYS)
        return it + cooling + 300.0 * (d >= 60)

    table = _table(data_centre_with_rigs, data_centre_with_rigs, data_centre_with_rigs)
    traffic = pa.Table.from_pylist(
        _weekly("A0", lambda first: 3000.0)  # servers' traffic, flat across the step
        + _weekly("A1", lambda first: 0.4)  # a few rigs' worth: the earlier load is not shown to be servers
    )
    servers, rigs_only, unknown = score_table(table, GRID, traffic=traffic).to_pylist()
    assert servers["est_basis"] == "added_load"
    assert abs(servers["est_mining_kw"] - (300 + 150 * 28 / DAYS)) < 0.03 * 300
    hours = (DAYS - 60) * 24
    assert abs(servers["est_mining_hours"] - hours) <= 24
    assert servers["est_mining_kwh"] == pytest.approx(
        servers["est_mining_kw"] * servers["est_mining_hours"], rel=0.01
    )
    for other in (rigs_only, unknown):  # measured by the base (the wave is the site's own work), but
        # the cooling's growth since the lowest level before the onset is still counted as mining
        assert other["est_basis"] == "onset" and other["est_mining_kw"] > 1.2 * 300


def test_it_flags_steady_night_only_load_through_the_cheap_hours_route():
    def night_rigs(d, h):
        return _office(d, h) + 60.0 * ((h < 7) | (h >= 23))

    found = score_table(_table(night_rigs, _office), GRID).to_pylist()
    assert json.loads(found[0]["reasons"])["route"] == "cheap_hours"
    assert found[0]["score"] > 0.5 > found[1]["score"]
    assert found[0]["est_basis"] == "night_excess" and abs(found[0]["est_mining_kw"] - 60) < 8


def test_night_rigs_are_measured_over_the_night_hours_they_ran():
    """60 kW of rigs on the 23:00-07:00 valley tariff from day 20: eight hours a night for 100 nights. The
    hours were assumed (six a night since the first reading: 720 h against 800) and the kWh with them, and
    the load was "first seen" on the first day of readings."""

    def night_rigs_from_day_20(d, h):
        return _office(d, h) + 60.0 * ((h < 7) | (h >= 23)) * (d >= 20)

    found = score_table(_table(night_rigs_from_day_20), GRID).to_pylist()[0]
    assert found["suspect"] and found["est_basis"] == "night_excess"
    assert abs(found["est_mining_kw"] - 60) < 3
    assert abs(found["est_mining_hours"] - 8 * (DAYS - 20)) <= 8
    assert found["est_mining_kwh"] == pytest.approx(60 * 8 * (DAYS - 20), rel=0.05)
    assert found["first_seen"] == date_of_day_number(START_DAY + 20).isoformat()  # not the first reading


def test_night_rigs_that_began_in_the_window_are_judged_from_their_first_night():
    """The same rigs beside an office from day 40 of 120: judged over the whole window, the forty nights
    without them diluted the night/day ratio (score 0.40, no suspect)."""

    def night_rigs_from_day_40(d, h):
        return _office(d, h) + 60.0 * ((h < 7) | (h >= 23)) * (d >= 40)

    late, _ = score_table(_table(night_rigs_from_day_40, _office), GRID).to_pylist()
    assert late["f_night_first_day"] == 40
    assert late["suspect"] and json.loads(late["reasons"])["route"] == "cheap_hours"


def test_a_sites_own_traffic_does_not_clear_rigs_that_run_only_at_night():
    """A shop's 36 Mbit/s is an office's traffic for its size: it rules out a farm that *is* the load
    (a flat load), but servers do not run only at night, so it says nothing of rigs in the valley hours."""

    def shop_with_night_rigs(d, h):
        return _office(d, h) + 60.0 * ((h < 7) | (h >= 23))

    def flat_rigs(d, h):
        return np.full(len(d), 60.0)

    table = _table(shop_with_night_rigs, shop_with_night_rigs, flat_rigs)
    meta = pa.table(
        {
            "account_id": ["A0", "A1", "A2"],
            "tariff": ["commercial"] * 3,
            "contract_kva": [200.0] * 3,
            "declared_use": ["commercial"] * 3,
            "mean_mbps": [36.0, None, 36.0],
        }
    )
    night, unknown, flat = score_table(table, GRID, meta=meta).to_pylist()
    assert json.loads(night["reasons"])["route"] == "cheap_hours"
    assert night["suspect"] and night["score"] == pytest.approx(unknown["score"], abs=0.02)
    said = {part["stream"]: part for part in json.loads(night["fusion"])["parts"]}
    assert said["network"]["logit"] == 0 and "not counted" in said["network"]["text"]["en"]
    assert np.copysign(1.0, said["network"]["logit"]) == 1.0  # shown as 0.0, never "-0.0"
    # the same traffic per kW still counts against a flat load, which a busy site could be
    assert json.loads(flat["fusion"])["parts"][0]["logit"] < -2 and flat["score"] < flat["meter_score"]


def test_a_shop_read_in_the_wrong_time_zone_is_not_taken_for_rigs_on_the_valley_tariff():
    """Opening hours 09:00-21:00 written in UTC and read as Beijing time run 17:00-05:00: a night load,
    but one that runs through the evening peak, which rigs kept for cheap hours do not."""

    def shop_read_eight_hours_early(d, h):
        local = (h - 8) % 24
        return 8 + 60 * ((local >= 9) & (local < 21))

    def night_rigs(d, h):
        return _office(d, h) + 60.0 * ((h < 7) | (h >= 23))

    rigs, shop = score_table(_table(night_rigs, shop_read_eight_hours_early), GRID).to_pylist()
    assert rigs["f_evening_peak_share"] < 0.1 and shop["f_evening_peak_share"] > 0.8
    assert rigs["suspect"] and json.loads(rigs["reasons"])["route"] == "cheap_hours"
    assert not shop["suspect"]


def _home_charger(d, h):
    """A household (0.3 kW, 0.8 kW in the evening) with a 7 kW EV charger on a timer at the valley's
    start, 23:00, charging what the day's driving used — a ride-hailing driver's 4.5 hours every night,
    give or take 50 minutes (rng: the same every run) — until the battery is full."""
    rng = np.random.default_rng(11)
    hours_needed = np.clip(rng.normal(4.5, 0.8, DAYS + 1), 2.5, 7.0)
    since_start = np.where(h >= 23, h - 23, h + 1)  # hours since 23:00 the evening before
    night = np.where(h >= 23, d + 1, d)  # the night belongs to the morning it ends in
    household = 0.3 + 0.5 * ((h >= 18) & (h < 22))
    return household + 7.0 * np.clip(hours_needed[night] - since_start, 0.0, 1.0)


def _home_with_night_rigs(d, h):
    return 0.3 + 0.5 * ((h >= 18) & (h < 22)) + 6.5 * ((h < 7) | (h >= 23))


def test_a_home_ev_charger_on_the_valley_tariff_is_not_taken_for_night_rigs():
    """A charger stops when the battery is full — at a different hour each night, after a different
    energy; rigs kept for the valley tariff draw the same night after night. The charger's night load
    is as large as the rigs', starts at the same hour and comes every night."""
    meta = _meta(["residential", "residential"], [10.0, 10.0])
    charger, rigs = score_table(_table(_home_charger, _home_with_night_rigs), GRID, meta=meta).to_pylist()
    assert charger["f_night_to_night_change"] > 0.15 and rigs["f_night_to_night_change"] < 0.05
    assert charger["f_night_excess_kw"] > 3.0 and charger["f_night_excess_persistence"] > 0.85
    assert charger["f_evening_peak_share"] < 0.2  # nothing in the evening peak either, as rigs
    assert rigs["suspect"] and json.loads(rigs["reasons"])["route"] == "cheap_hours"
    assert not charger["suspect"]
    # what held the charger down is said beside the reasons, strongest first
    against = json.loads(charger["reasons"])["against"]
    assert against[0]["feature"] == "night_to_night_change" and against[0]["contribution"] < -2
    assert all(item["contribution"] < 0 for item in against)


def test_night_rigs_with_nights_off_and_a_rack_down_draw_the_same_from_one_night_to_the_next():
    """Rigs off on one night in ten (an outage, a night switched off) and at 80 % for a week at a time (a
    rack down until it is repaired) draw the same from one night they ran to the next: the change leaves
    the nights off (the persistence counts them) and the lasting level out, and they stay suspects."""

    def night_rigs_with_nights_off(d, h):
        night = np.where(h >= 23, d + 1, d)
        rack_down = (night // 7) % 3 == 1
        return _office(d, h) + 60.0 * ((h < 7) | (h >= 23)) * (night % 10 != 0) * np.where(
            rack_down, 0.8, 1.0
        )

    rigs = score_table(_table(night_rigs_with_nights_off), GRID).to_pylist()[0]
    assert rigs["f_night_to_night_change"] < 0.05 and rigs["f_night_excess_variation"] > 0.2
    assert rigs["suspect"]


def _factory(d, h):
    """One day shift on working days over an idle load, both moving with the day's production (orders:
    ±12 % from day to day; a shift drawing the same every day is no factory's, and a steady floor under
    a work that never moves says nothing of rigs)."""
    idle = 20 * (1 + 0.08 * np.sin(d * 1.7))
    return idle + 300 * (1 + 0.12 * np.sin(d * 2.3)) * ((h >= 8) & (h < 17)) * (((d + 4) % 7) < 5)


def test_it_finds_rigs_hidden_under_a_factory_load_by_their_steady_base():
    found = score_table(_table(lambda d, h: _factory(d, h) + 120.0, _factory), GRID).to_pylist()
    hidden, factory = found
    assert json.loads(hidden["reasons"])["route"] == "steady_base"
    assert hidden["score"] > 0.5 > 0.1 > factory["score"]
    # an upper bound: the factory's idle load moves on its own, not with the shift, and stays in the figure
    assert hidden["est_basis"] == "base_load" and 120 <= hidden["est_mining_kw"] < 120 + 20 * 1.1


def _office_through_the_seasons(d, h):
    """An office open 9-18 on working days, busier by ±10 % from day to day and by ±30 % over the
    window (heating, lighting); its floor (10 kW at the mean) rises and falls with it."""
    busy = (1 + 0.3 * np.cos(2 * np.pi * d / DAYS)) * (1 + 0.1 * np.sin(d * 2.3))
    return busy * (10 + 60 * ((h >= 9) & (h < 18)) * (((d + 4) % 7) < 5))


def test_rigs_there_from_the_first_reading_are_measured_by_the_part_of_the_base_that_stays_put():
    hidden, office = score_table(
        _table(lambda d, h: _office_through_the_seasons(d, h) + 40.0, _office_through_the_seasons), GRID
    ).to_pylist()
    assert hidden["suspect"] and not office["suspect"]
    assert hidden["f_running_base_kw"] > 48  # the whole base: rigs and the office's floor
    assert hidden["est_basis"] == "fixed_floor" and abs(hidden["est_mining_kw"] / 40 - 1) < 0.05
    assert hidden["est_mining_hours"] == DAYS * 24


def test_a_farm_with_a_small_office_keeps_the_whole_load():
    """A day's work of 1 % over 500 kW of rigs could be the rigs' own day (their noise, their fans in the
    heat): no part of the base is told from the site's by it, and the whole load stays the figure."""

    def farm(d, h):
        return 500.0 * (1 + 0.05 * np.sign(np.sin(d / 15))) + _office(d, h) * 0.2

    (found,) = score_table(_table(farm), GRID).to_pylist()
    assert found["suspect"] and np.isnan(found["f_fixed_part_of_base"])
    assert found["est_basis"] == "whole_load"


def test_a_load_that_repeats_every_day_is_not_taken_for_rigs_under_a_working_load():
    """An average of many shops — a standard load profile, a multi-tenant meter — is the same every day:
    its floor holds as rigs' does, but so does its work above the floor, so the steadiness says
    nothing. It scored 0.85 on ``steady_base``; the rigs under a factory whose work moves are still
    found (the test above)."""

    def shops_on_one_meter(d, h):
        return 25 + 50 * np.exp(-(((h - 14) / 4.5) ** 2)) * np.where(((d + 4) % 7) < 5, 1.0, 0.85)

    found = score_table(_table(shops_on_one_meter), GRID).to_pylist()[0]
    assert found["f_work_day_to_day_change"] < 0.02
    assert not found["suspect"]


def test_rigs_under_a_factory_are_measured_over_the_days_they_ran_not_by_the_last_weeks():
    """150 kW of rigs under the factory from day 30, half of them gone from day 100, all off for six days
    (an outage) from day 60. ``est_mining_kw`` is the mean power over the hours they ran: (64 × 150 + 20
    × 75) / 84 days = 132 kW over 84 × 24 hours. The median base of the last four weeks (75 kW here,
    over every hour since the onset) measured the rigs by the window's end alone."""

    def factory_with_rigs(d, h):
        rigs = 150.0 * (d >= 30) * ~((d >= 60) & (d < 66)) * np.where(d >= 100, 0.5, 1.0)
        return _factory(d, h) + rigs

    found = score_table(_table(factory_with_rigs), GRID).to_pylist()[0]
    assert found["suspect"] and found["est_basis"] == "onset"
    ran_days = (DAYS - 30) - 6
    truth_kw = (64 * 150 + 20 * 75) / ran_days
    assert abs(found["est_mining_kw"] - truth_kw) < 0.05 * truth_kw
    assert abs(found["est_mining_hours"] - ran_days * 24) <= 2 * 24
    assert found["est_mining_kwh"] == pytest.approx(truth_kw * ran_days * 24, rel=0.06)


def _shop(d, h):
    """A shop open 08:00-21:00 every day: 12 kW at night, 60 kW open."""
    return 12 + 48.0 * ((h >= 8) & (h < 21))


def test_rigs_that_make_a_working_sites_load_flat_are_measured_by_its_base_not_with_its_wave():
    """A shop (mean 38 kW, 12 kW at night) with 130 kW of rigs from day 60: the load factor after the
    onset is above 0.7, the measure of a flat load. Slot by slot, the shop's opening hours above its
    night level (26 kW a day on average, 20 % of the rigs) were counted as mining; the daily base above
    the base before the onset is the rigs' power."""
    found = score_table(_table(lambda d, h: _shop(d, h) + 130.0 * (d >= 60)), GRID).to_pylist()[0]
    assert found["suspect"] and found["f_load_factor"] >= 0.7
    assert found["est_basis"] == "onset"
    assert abs(found["est_mining_kw"] - 130) < 0.03 * 130
    assert abs(found["est_mining_hours"] - (DAYS - 60) * 24) <= 24
    assert found["f_running_kw"] > 1.15 * 130  # what the slot-by-slot measure would have said


def test_rigs_added_under_a_working_site_are_found_by_the_shape_of_what_was_added():
    """6 kW of rigs under an office (a third of its mean) and 20 kW under the shop: the sudden rise of the
    base is only half or two thirds of the later base, where a site's own growth could also put it, but
    the added load is the same at every hour, which a site growing along its own shape is not
    (``added_flat_share``: 0.34 and 0.41 without it). An office that grew by 80 % is not a suspect."""
    found = score_table(
        _table(
            lambda d, h: _office(d, h) + 6.0 * (d >= 60),
            lambda d, h: _shop(d, h) + 20.0 * (d >= 60),
            lambda d, h: _office(d, h) * np.where(d >= 60, 1.8, 1.0),
        ),
        GRID,
    ).to_pylist()
    office_rigs, shop_rigs, grown = found
    for rigs, kw in ((office_rigs, 6.0), (shop_rigs, 20.0)):
        assert rigs["suspect"] and json.loads(rigs["reasons"])["route"] == "new_base_load"
        assert rigs["f_onset_share"] < 0.7 and rigs["f_added_flat_share"] > 0.95
        assert abs(rigs["est_mining_kw"] - kw) < 0.05 * kw
    assert not grown["suspect"]


def test_rigs_cut_in_the_peak_hours_under_a_working_site_are_measured_with_their_cuts():
    """The same shop, its 130 kW of rigs cut to 30 % in the peak-tariff hours (08-11, 18-22): they drew
    (17 × 130 + 7 × 39) / 24 kW on average over the hours they ran. The daily base, drawn from the
    off-peak hours, sees them at full power (+24 %); the share they drew above the shop's own hourly load
    brings it back."""
    peak = lambda h: ((h >= 8) & (h < 11)) | ((h >= 18) & (h < 22))  # noqa: E731
    found = score_table(
        _table(lambda d, h: _shop(d, h) + 130.0 * (d >= 60) * np.where(peak(h), 0.3, 1.0)), GRID
    ).to_pylist()[0]
    truth_kw = (17 * 130 + 7 * 39) / 24
    assert found["suspect"] and found["est_basis"] == "onset"
    assert abs(found["est_mining_kw"] - truth_kw) < 0.03 * truth_kw
    assert found["f_running_base_kw"] > 1.2 * truth_kw  # the base alone
    assert abs(found["est_mining_hours"] - (DAYS - 60) * 24) <= 24


def test_rigs_that_came_in_flat_batches_keep_the_slot_by_slot_measure():
    """Batches of rigs on days 40 and 60 have no daily wave before the larger step: ``running``, which
    counts the first batch from its own day."""
    found = score_table(_table(lambda d, h: 4 + 100.0 * (d >= 40) + 300.0 * (d >= 60)), GRID).to_pylist()[0]
    assert found["est_basis"] == "running"
    truth_kw = (20 * 100 + 60 * 400) / 80
    assert abs(found["est_mining_kw"] - truth_kw) < 0.05 * truth_kw


def test_a_small_steady_standby_load_is_not_taken_for_hidden_rigs():
    def flat_quiet_home(d, h):  # fridge and standby: a floor that never moves, half the demand
        return np.round(0.12 + 0.15 * ((h >= 18) & (h < 23)), 2)

    found = score_table(_table(flat_quiet_home), GRID).to_pylist()[0]
    assert found["f_base_day_to_day_change"] < 0.02 and found["f_base_load_ratio"] > 0.4
    assert not found["suspect"]


def test_it_shrinks_scores_when_readings_are_missing():
    table = _table(_flat(500))
    sparse = table.set_column(table.column_names.index("missing_share"), "missing_share", pa.array([0.9]))
    assert (
        score_table(sparse, GRID).column("score")[0].as_py()
        < score_table(table, GRID).column("score")[0].as_py()
    )


def _flat_sites_meta(declared_use: list[str], mean_mbps: list[float | None]) -> pa.Table:
    """Accounts A0, A1 … on a large-industry tariff of 500 kVA, with the declared uses and traffic given."""
    return pa.table(
        {
            "account_id": [f"A{i}" for i in range(len(declared_use))],
            "tariff": ["large_industry"] * len(declared_use),
            "contract_kva": [500.0] * len(declared_use),
            "declared_use": declared_use,
            "mean_mbps": mean_mbps,
        }
    )


def test_it_asks_for_a_plants_production_records_first_whatever_the_windows_length():
    table = _table(_flat(300), _flat(300), _flat(20), _flat(300), _flat(300))
    meta = _flat_sites_meta(
        ["manufacturing", "manufacturing", "manufacturing", "commercial", "data_center"],
        [None, 0.05, None, None, None],
    )
    quarter = score_table(table, GRID, meta=meta).to_pylist()  # 120 days
    year = score_table(table, YEAR, meta=meta).to_pylist()
    assert all(row["suspect"] for row in quarter)
    assert [row["next_step"] for row in quarter] == [
        "desk_check",  # a plant of 300 kW with no stop in 120 days: its overhaul may fall outside them
        "desk_check",  # rig-scale traffic does not clear it: a plant's traffic is an office's too
        "field_visit",  # 20 kW is no continuous-process plant
        "field_visit",  # declared commercial: no plant to check
        "desk_check",  # an unchecked data centre: flow data first, as before
    ]
    plant, data_centre = (json.loads(quarter[i]["fusion"])["next_step"] for i in (0, 4))
    assert "检修停车" in plant["zh"] and "120 天" in plant["zh"] and "overhaul" in plant["en"]
    assert "120 days" in plant["en"] and "流量" in data_centre["zh"] and "flow data" in data_centre["en"]
    # potlines and arc furnaces run for years between stops: a year without one still asks the registry
    assert [row["next_step"] for row in year] == [row["next_step"] for row in quarter]
    assert "365 天" in json.loads(year[0]["fusion"])["next_step"]["zh"]
    assert [row["score"] for row in year] == [row["score"] for row in quarter]  # the step, never the score


def test_it_asks_who_holds_a_flat_load_first_when_the_registry_records_no_use_for_it():
    """Traffic of rigs' scale rules servers out, not a continuous-process plant (its traffic is its staff's):
    with no use on record the holder is looked up before anyone drives out. A use on record that names no
    production (a shop) leaves rigs as the explanation: a field visit. The score is the same for both."""
    table = _table(_flat(300), _flat(300), _flat(300), _flat(20))
    meta = _flat_sites_meta(["", "commercial", "", ""], [0.05, 0.05, 40.0, 0.05])
    unknown, shop, busy, small = score_table(table, YEAR, meta=meta).to_pylist()
    assert unknown["suspect"] and shop["suspect"] and small["suspect"]
    assert [unknown["next_step"], shop["next_step"], small["next_step"]] == [
        "desk_check",
        "field_visit",
        "field_visit",  # 20 kW is no continuous-process plant
    ]
    step = json.loads(unknown["fusion"])["next_step"]
    assert "户主" in step["zh"] and "account holder" in step["en"] and "flow data" not in step["en"]
    assert (
        busy["next_step"] == "desk_check"
    )  # traffic of an office's scale rules out neither a plant nor rigs
    assert unknown["score"] == pytest.approx(shop["score"], abs=0.005)


def test_it_asks_for_the_exports_clock_first_where_the_working_day_falls_at_night():
    """Rigs under a factory whose readings are in UTC read as Beijing time: the shift is centred at 04:30,
    where people do not work. The clock is checked (and the run repeated) before anyone drives out; the
    same site read on the right clock is a field visit. The score is not changed by the step."""

    def read_eight_hours_early(d, h):  # type: ignore[no-untyped-def]
        return _factory(d, (h + 8) % 24) + 120.0

    def read_right(d, h):  # type: ignore[no-untyped-def]
        return _factory(d, h) + 120.0

    meta = _flat_sites_meta(["manufacturing", "manufacturing"], [2.0, 2.0])
    utc, right = score_table(_table(read_eight_hours_early, read_right), GRID, meta=meta).to_pylist()
    assert utc["suspect"] and right["suspect"]
    assert utc["f_working_hours_centre"] < 7 and 10 < right["f_working_hours_centre"] < 16
    assert [utc["next_step"], right["next_step"]] == ["desk_check", "field_visit"]
    step = json.loads(utc["fusion"])["next_step"]
    assert "时区" in step["zh"] and "--unmarked-times-utc" in step["en"] and "UTC" in step["en"]
    assert utc["score"] == pytest.approx(right["score"], abs=0.05)


def test_it_asks_what_the_site_is_first_where_the_finding_is_the_size_of_a_sites_standby():
    """A flat load of up to 10 kW (about three current rigs) is also what a base station, a pumping station
    out of season or a small server room draws around the clock: what the site is, and its load over a
    year, are looked up before anyone drives out, whatever the registry says of it. Four rigs' power is a
    field visit, and so is a household's one to three rigs (by its tariff or its declared use): a home's
    meter holds none of that equipment. The size is in kW: older, smaller rigs do not move it. The score
    is not changed by the step."""
    table = _table(_flat(3.3), _flat(9.6), _flat(13.5), _flat(9.6), _flat(6.5), _flat(6.5))
    meta = pa.table(
        {
            "account_id": [f"A{i}" for i in range(6)],
            "tariff": [
                "agricultural",
                "agricultural",
                "agricultural",
                "large_industry",
                "residential",
                "居民",
            ],
            "contract_kva": [50.0] * 6,
            "declared_use": ["agriculture", "agriculture", "agriculture", "", "", "household"],
            "mean_mbps": [0.02, 0.02, 0.02, None, None, None],
        }
    )
    one, three, four, unknown, home, home_zh = score_table(table, GRID, meta=meta).to_pylist()
    assert all(row["suspect"] for row in (one, three, four, unknown, home, home_zh))
    assert [one["est_rigs"], three["est_rigs"], four["est_rigs"], home["est_rigs"]] == [1, 3, 4, 2]
    assert [one["next_step"], three["next_step"], four["next_step"]] == [
        "desk_check",
        "desk_check",
        "field_visit",
    ]
    assert unknown["next_step"] == "desk_check"  # under 30 kW: the size, not the holder's use, asks for it
    assert [home["next_step"], home_zh["next_step"]] == ["field_visit", "field_visit"]  # the home miner
    step = json.loads(one["fusion"])["next_step"]
    assert "通信基站" in step["zh"] and "全年用电" in step["zh"] and "10 kW（约 3 台现行矿机）" in step["zh"]
    assert (
        "base station" in step["en"]
        and "whole year" in step["en"]
        and "10 kW (about three current" in step["en"]
    )
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in step["en"])  # one language at a time
    assert three["score"] == pytest.approx(four["score"], abs=0.05)  # the step, never the score
    as_s9 = score_table(table, GRID, meta=meta, rig_kw=rig_power_kw("S9")).to_pylist()
    assert as_s9[1]["est_rigs"] == 7 and as_s9[1]["next_step"] == "desk_check"


def test_a_finding_whose_size_was_not_measured_is_not_taken_for_standby():
    assert standby_sized(np.array([3.3, 10.0, 10.4, np.nan]), 4).tolist() == [True, True, False, False]
    assert standby_sized(None, 2).tolist() == [False, False]  # a caller that does not say: not checked


def _logit(p: float) -> float:
    return float(np.log(p) - np.log1p(-p))


def test_a_flat_load_declared_as_production_is_weighed_as_a_plant_would_explain_it():
    table = _table(_flat(300), _flat(300), _flat(300))
    meta = _flat_sites_meta(["manufacturing", "hospital", ""], [None, None, None])
    plant, hospital, unknown = score_table(table, GRID, meta=meta).to_pylist()
    assert _logit(plant["score"]) - _logit(unknown["score"]) == pytest.approx(-0.7, abs=0.05)
    # unknown is not innocence, and a use that runs around the clock neither explains nor contradicts it
    assert _logit(unknown["score"]) == pytest.approx(_logit(hospital["score"]), abs=0.05)
    registry = [part for part in json.loads(plant["fusion"])["parts"] if part["stream"] == "registry"]
    assert registry[0]["logit"] == -0.7 and "continuous-process plant" in registry[0]["text"]["en"]
    assert plant["suspect"]  # weak on purpose: rigs registered as a factory still show through the meter


def test_a_flat_load_declared_for_a_use_that_follows_peoples_hours_is_declared_use_against_behaviour():
    """A shop, an office, a warehouse or a household draws with its hours; flat around the clock it is not
    drawing what it was registered for (+0.7, the mirror of a declared plant). Not below 30 kW, and not
    where the meter's evidence is not a flat load (an office's own rhythm is what such a use draws)."""
    table = _table(_flat(300), _flat(300), _flat(300), _flat(20), _office)
    meta = _flat_sites_meta(["commercial", "warehouse", "", "household", "office"], [None] * 5)
    shop, store, unknown, small, office = score_table(table, GRID, meta=meta).to_pylist()
    assert _logit(shop["score"]) - _logit(unknown["score"]) == pytest.approx(0.7, abs=0.05)
    assert _logit(store["score"]) - _logit(unknown["score"]) == pytest.approx(0.7, abs=0.05)
    registry = [part for part in json.loads(shop["fusion"])["parts"] if part["stream"] == "registry"]
    assert registry[0]["logit"] == 0.7 and "follows its hours" in registry[0]["text"]["en"]
    assert "营业或作息时间" in registry[0]["text"]["zh"] and "商业" in registry[0]["text"]["zh"]
    (said,) = [part for part in json.loads(small["fusion"])["parts"] if part["stream"] == "registry"]
    assert said["logit"] == 0.0  # 20 kW: below the flat-load checks of the registry
    (said,) = [part for part in json.loads(office["fusion"])["parts"] if part["stream"] == "registry"]
    assert said["logit"] == 0.0 and not office["suspect"]


def test_it_rejects_a_malformed_pack_and_an_unknown_rig(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("routes: {flat: {features: {}}}\n", encoding="utf-8")
    with pytest.raises(MeterDataError) as caught:
        load_pack(bad)
    assert caught.value.code == "meter.pack_invalid"
    with pytest.raises(MeterDataError):
        rig_power_kw("S99")
    assert rig_power_kw("s19 pro") == 3.25 and rig_power_kw("Whatsminer M30S") == 3.3


def test_it_asks_for_flow_data_first_when_only_an_unchecked_data_centre_explains_a_flat_load():
    table = _table(_flat(300), _flat(300), _flat(300), _flat(300), _office)
    meta = pa.table(
        {
            "account_id": [f"A{i}" for i in range(5)],
            "tariff": ["large_industry"] * 5,
            "contract_kva": [500.0] * 5,
            "declared_use": ["data_center", "", "manufacturing", "data_center", "office"],
            "mean_mbps": [None, None, None, 0.4, None],
        }
    )
    out = score_table(table, YEAR, meta=meta).to_pylist()
    assert all(row["suspect"] for row in out[:4]) and not out[4]["suspect"]
    # traffic unknown, registry says data centre or nothing: the meter cannot tell rigs from servers
    assert [row["next_step"] for row in out] == [
        "desk_check",
        "desk_check",
        "desk_check",  # declared manufacturing: its production records, not flow data, are to be checked
        "field_visit",  # rig-scale traffic known: a working data centre is ruled out
        "",
    ]
    step = json.loads(out[0]["fusion"])["next_step"]
    assert step["code"] == "desk_check" and "流量" in step["zh"] and "flow data" in step["en"]
    assert "流量" not in json.loads(out[2]["fusion"])["next_step"]["zh"]
    assert "next_step" not in json.loads(out[4]["fusion"])
    # the desk check changes what to do next, never the score (the three differ only by meter noise)
    assert (
        out[0]["score"]
        == pytest.approx(out[1]["score"], abs=0.005)
        == pytest.approx(out[2]["score"], abs=0.005)
    )


def test_a_big_data_or_cloud_enterprise_is_weighed_as_the_data_centre_it_declares():
    """The registry's category for the seed's second report kind (a farm behind a cloud-computing name)."""
    table = _table(_flat(300), _flat(300), _flat(300))
    meta = _flat_sites_meta(["big_data_or_cloud", "big_data_or_cloud", "data_center"], [None, 0.4, 0.4])
    unknown, rigs, data_centre = score_table(table, YEAR, meta=meta).to_pylist()
    assert (
        unknown["next_step"] == "desk_check"
        and "flow data" in json.loads(unknown["fusion"])["next_step"]["en"]
    )
    registry = [part for part in json.loads(rigs["fusion"])["parts"] if part["stream"] == "registry"]
    assert registry[0]["logit"] == 3.0 and "大数据中心、云计算企业" in registry[0]["text"]["zh"]
    assert registry[0]["text"]["en"] == (
        "Declared use: big-data centre or cloud-computing enterprise, but its traffic is that of rigs"
    )
    assert rigs["score"] == pytest.approx(
        data_centre["score"], abs=0.005
    )  # the same evidence as a data centre


def test_it_counts_a_fixed_floor_only_at_the_scale_of_rigs():
    share = np.array([0.5, 0.2, 0.2])
    mean_kw = np.array([0.4, 300.0, 25.0])  # a household's standby; a factory; 5 kW fixed floor
    scaled = rig_scale_fixed_floor(share, mean_kw)
    assert scaled[0] < 0.02 and scaled[1] == 0.2 and abs(scaled[2] - 0.1) < 1e-9


def test_it_judges_a_farm_with_an_office_by_how_flat_it_is_when_the_office_is_closed():
    def farm_with_office(d, h):  # 300 kW of rigs, a 60 kW office open 9-18 on working days
        return 300.0 + 60.0 * ((h >= 9) & (h < 18)) * (((d + 4) % 7) < 5)

    farm, office = score_table(_table(farm_with_office, _office), GRID).to_pylist()
    assert json.loads(farm["reasons"])["route"] == "flat_load"
    assert farm["score"] > 0.8 and farm["f_rest_day_amplitude"] < 0.02 < 0.1 < farm["f_profile_amplitude"]
    assert office["score"] < 0.1


def test_a_floor_that_heats_with_the_weather_counts_against_hidden_rigs():
    temperature = -2 + 14 * np.sin(np.arange(DAYS) / 12.0)

    def hospital(d, h, heating=0.004):  # wards around the clock, outpatients on working days
        outpatients = 0.4 * ((h >= 8) & (h < 17.5)) * np.where(((d + 4) % 7) < 5, 1.0, 0.4)
        return 400 * (0.55 + outpatients) * (1 + heating * np.clip(15 - temperature[d], 0, None))

    heated, unheated = score_table(
        _table(hospital, lambda d, h: hospital(d, h, 0.0), temperature=temperature),
        GRID,
        has_temperature=True,
    ).to_pylist()
    assert heated["f_temperature_response"] > 0.2 and unheated["f_temperature_response"] == 0
    assert heated["score"] < unheated["score"] - 0.08


def _weekly(account: str, mbps_by_day) -> list[dict]:
    """A flow pipeline's weekly traffic rows for one account: ``mbps_by_day(first_day)`` per week."""
    return [
        {
            "account_id": account,
            "first_day": first,
            "last_day": min(first + 6, DAYS - 1),
            "mean_mbps": mbps_by_day(first),
        }
        for first in range(0, DAYS, 7)
    ]


def test_a_data_centre_whose_load_rose_without_its_traffic_is_not_cleared_by_its_traffic():
    """Servers bring traffic in proportion to their power, rigs none: the same load step at day 60 is
    rigs when the weekly traffic stayed where it was, and new servers when it rose with the load."""

    def data_centre_with_step(d, h):
        return 400.0 + 60.0 * np.sin(2 * np.pi * (h - 10) / 24) + 250.0 * (d >= 60)

    table = _table(data_centre_with_step, data_centre_with_step, data_centre_with_step)
    meta = pa.table(
        {
            "account_id": ["A0", "A1", "A2"],
            "tariff": ["large_industry"] * 3,
            "contract_kva": [1200.0] * 3,
            "declared_use": ["data_center"] * 3,
            "mean_mbps": [1500.0] * 3,
        }
    )
    traffic = pa.Table.from_pylist(
        _weekly("A0", lambda first: 1500.0)  # flat across the step
        + _weekly("A1", lambda first: 1300.0 if first < 60 else 2100.0)  # rose with the load
    )
    rigs, servers, unknown = score_table(table, GRID, meta=meta, traffic=traffic).to_pylist()
    assert rigs["f_onset_day"] == pytest.approx(60, abs=3)
    assert rigs["f_kw_after_onset"] / rigs["f_kw_before_onset"] - 1 == pytest.approx(250 / 400, abs=0.05)
    parts = json.loads(rigs["fusion"])["parts"]
    # its traffic explains only the old load: not counted, and not said to rule rigs out
    assert parts[0]["stream"] == "network" and parts[0]["logit"] == 0
    assert (
        "only the load before the jump" in parts[0]["text"]["en"] and "not rigs" not in parts[0]["text"]["en"]
    )
    assert "not IT load" in parts[1]["text"]["en"] and "不是 IT 负荷" in parts[1]["text"]["zh"]
    registry = next(part for part in parts if part["stream"] == "registry")
    assert registry["logit"] > 0 and "brought no traffic" in registry["text"]["en"]
    assert rigs["suspect"] and rigs["score"] > rigs["meter_score"]
    # the same step with traffic that grew with it: the traffic counter stands
    said = json.loads(servers["fusion"])["parts"]
    assert said[0]["logit"] < -2 and "consistent with added servers" in said[1]["text"]["en"]
    assert not servers["suspect"] and servers["score"] < servers["meter_score"]
    # no traffic over periods: as before, the mean traffic alone speaks (and nothing is said of the step)
    assert unknown["score"] == pytest.approx(servers["score"], abs=0.02)
    assert len(json.loads(unknown["fusion"])["parts"]) == 2


def test_a_rhythm_that_stops_on_rest_days_is_not_counted_against_the_flat_load_under_it():
    """Rigs with a small office on their meter: the load's daily periodicity is high because the rigs
    are flat and the office alone moves, but that rhythm stops on rest days — people beside the load,
    not a process or servers' users, whose rhythm runs every day. Only the every-day part counts
    against a flat load; a data centre's daily wave of the same size still holds it down. (Scored on the
    whole periodicity, the farm was 0.46, not a suspect.)"""

    def rigs(d):  # 600 kW drawing 4 % more or less from hour to hour (fans) and 2 % from day to day
        rng = np.random.default_rng(11)
        return 600.0 * (1 + rng.normal(0, 0.02, DAYS + 1)[d] + rng.normal(0, 0.04, len(d)))

    def farm_with_small_office(d, h):  # and a 60 kW office open 9-18 on working days
        return rigs(d) + 60.0 * ((h >= 9) & (h < 18)) * (((d + 4) % 7) < 5)

    def data_centre(d, h):  # the same, with servers' users adding 60 kW by day, every day
        return rigs(d) + 60.0 * ((h >= 9) & (h < 18))

    farm, servers = score_table(_table(farm_with_small_office, data_centre), GRID).to_pylist()
    assert farm["f_daily_periodicity"] > 0.3 and servers["f_daily_periodicity"] > 0.3
    assert farm["f_every_day_periodicity"] < 0.1 < 0.5 < servers["f_every_day_periodicity"]
    assert farm["suspect"] and json.loads(farm["reasons"])["route"] == "flat_load"
    assert not servers["suspect"]


def test_the_every_day_periodicity_leaves_out_only_a_working_day_rhythm_beside_a_larger_load():
    periodicity = np.full(5, 0.8)
    share = np.array([0.9, 0.0, np.nan, 0.9, 0.9])
    amplitude = np.array([0.1, 0.1, 0.1, 1.2, 0.375])  # an office's swing is more than its mean demand
    assert np.allclose(every_day_periodicity(periodicity, share, amplitude), [0.08, 0.8, 0.8, 0.8, 0.44])


def test_a_step_is_counted_in_whole_rigs():
    def switched_on(d, h):  # 652 kW of rigs from day 60: 200.6 rigs of 3.25 kW
        return 40.0 + 652.0 * (d >= 60)

    (found,) = score_table(_table(switched_on), GRID).to_pylist()
    (step,) = json.loads(found["reasons"])["steps"]
    assert step["rigs"] == 201 and isinstance(step["rigs"], int)
