"""Simulator tests: the tune and eval families differ, labels do not leak into the account file,
and the hard negatives and miners have the physics the detector is asked to use."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from minesweep.detection.meter import population as pop
from minesweep.detection.meter.errors import MeterDataError
from minesweep.detection.meter.families import EVAL, TUNE, family_named
from minesweep.detection.meter.simulate import SimulationSpec, build_calendar, simulate


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    out = {}
    for family in ("tune", "eval"):
        folder = tmp_path_factory.mktemp(family)
        simulate(
            SimulationSpec(accounts=400, days=60, interval_s=3600, mining_share=0.2, seed=3, family=family),
            folder,
        )
        labels = pd.read_csv(folder / "labels.csv", dtype={"account_id": str})
        meta = pd.read_csv(folder / "accounts.csv", dtype={"account_id": str})
        out[family] = labels.merge(meta, on="account_id")
    return out


def test_it_draws_tune_and_eval_from_different_parameter_families(both):
    differing = [
        f.name
        for f in dataclasses.fields(TUNE)
        if f.name not in ("name", "seed_salt") and getattr(TUNE, f.name) != getattr(EVAL, f.name)
    ]
    # every knob the families hold differs between them (the last shared ones moved in on 2026-12-06)
    assert len(differing) == len(dataclasses.fields(TUNE)) - 2, differing
    assert TUNE.rig_noise[1] < EVAL.rig_noise[1] and TUNE.curtail_share != EVAL.curtail_share
    # same seed and size, different family: different accounts, kinds and loads
    assert not both["tune"].kind.equals(both["eval"].kind)
    assert family_named("eval") is EVAL
    with pytest.raises(MeterDataError):
        family_named("test")


def test_it_draws_the_contract_independently_of_the_label(tmp_path):
    from scipy.stats import ks_2samp

    from minesweep.detection.meter.detect import DetectOptions, detect

    spec = SimulationSpec(accounts=300, days=40, interval_s=3600, mining_share=0.3, seed=9, family="eval")
    simulate(spec, tmp_path)
    options = DetectOptions(accounts_meta=tmp_path / "accounts.csv", workers=1, progress=False)
    found = detect(tmp_path / "readings", options).to_pandas()
    labels = pd.read_csv(tmp_path / "labels.csv", dtype={"account_id": str})
    frame = found.merge(labels, on="account_id")
    utilisation = frame.f_contract_utilisation
    miners, others = utilisation[frame.is_mining == 1], utilisation[frame.is_mining == 0]
    # one rule for everyone (robust peak × 1.05-2.5): how close a site runs to its contract says
    # nothing about whether it mines
    assert ks_2samp(miners, others).pvalue > 0.01
    assert abs(miners.median() - others.median()) < 0.1


def test_it_records_declared_use_and_traffic_only_where_known(both):
    frame = both["eval"]
    assert frame.declared_use.isna().mean() == pytest.approx(1 - EVAL.declared_known, abs=0.08)
    dc = frame[frame.kind == "data_centre"]
    farms = frame[frame.kind.isin(["pure_farm", "disguised_data_centre"]) & frame.mean_mbps.notna()]
    # a data centre's traffic grows with its IT load; rigs move a few kbit/s each
    assert (dc.mean_mbps.dropna() > 100).mean() > 0.8
    # rigs add a few kbit/s; what else a farm's site moves comes from its office or shop, never a
    # data centre's Mbit/s per kW
    per_kw = farms.mean_mbps / farms.mining_kw
    assert (per_kw < 0.1).mean() >= 0.9 and (per_kw < 1.0).all()


def test_it_states_mining_kw_as_the_mean_over_the_hours_the_rigs_ran():
    cal = build_calendar(SimulationSpec(accounts=1, days=30, interval_s=3600, mining_share=0, seed=1))
    block = np.zeros((1, 30, 24))
    block[0, 10:, :20] = 100.0  # runs 20 h a day from day 10
    block[0, 10:, 20:] = 40.0  # part load in the evening: still running
    kw, hours = pop.mining_truth(block, np.array([100.0]), 1.0)
    assert hours[0] == 20 * 24
    assert kw[0] == pytest.approx((20 * 100 + 4 * 40) / 24)
    assert cal.n_days == 30


def test_it_gives_a_data_centre_a_daily_rhythm_and_cooling_that_follows_the_weather():
    spec = SimulationSpec(accounts=1, days=365, interval_s=3600, mining_share=0, seed=4)
    cal = build_calendar(spec)
    total, it = pop.data_centre_parts(np.random.default_rng(1), 20, cal, EVAL)
    pue = total.mean(axis=2) / it.mean(axis=2)
    assert pue.min() >= 1.2 - 1e-9 and pue.max() <= 1.8 + 1e-9
    hot, cold = cal.temperature_c > 20, cal.temperature_c < 0
    assert (pue[:, hot].mean(axis=1) > pue[:, cold].mean(axis=1)).all()


def test_it_writes_weekly_traffic_for_the_sites_whose_traffic_is_known(tmp_path):
    simulate(
        SimulationSpec(accounts=300, days=30, interval_s=3600, mining_share=0.05, seed=9, family="eval"),
        tmp_path,
    )
    meta = pd.read_csv(tmp_path / "accounts.csv", dtype={"account_id": str})
    traffic = pd.read_csv(tmp_path / "traffic.csv", dtype={"account_id": str})
    known = set(meta.account_id[meta.mean_mbps.notna()])
    assert set(traffic.account_id) == known  # unknown stays unknown: no periods either
    weeks = traffic.groupby("account_id").start.apply(list)
    assert all(w == ["2021-01-01", "2021-01-08", "2021-01-15", "2021-01-22", "2021-01-29"] for w in weeks)
    assert set(traffic.end[traffic.start == "2021-01-29"]) == {"2021-01-30"}  # the last week is short
    # each week is the site's mean traffic off by about a tenth
    mean_of = traffic.groupby("account_id").mean_mbps.mean()
    ratio = mean_of[meta.account_id[meta.mean_mbps.notna()]].to_numpy() / meta.mean_mbps.dropna().to_numpy()
    assert np.median(np.abs(np.log(ratio))) < 0.1


def test_a_data_centres_traffic_follows_its_it_load_and_hidden_rigs_add_none():
    from minesweep.detection.meter.simulate import _miner, _negative

    cal = build_calendar(SimulationSpec(accounts=1, days=120, interval_s=3600, mining_share=0, seed=2))
    dc = _negative(np.random.default_rng(5), "data_centre", 30, cal, EVAL)
    assert dc.mbps_days is not None
    it_days = dc.mbps_days / dc.mbps_days.mean(axis=1, keepdims=True)
    kw_days = dc.kw.mean(axis=2) / dc.kw.mean(axis=(1, 2))[:, None]
    # traffic grows with the IT load (slow growth over the window), whatever the cooling does
    assert (np.corrcoef(it_days[:, -30:].mean(axis=1), kw_days[:, -30:].mean(axis=1))[0, 1]) > 0.5
    hidden = _miner(np.random.default_rng(6), "hidden_in_data_centre", 40, cal, EVAL)
    assert hidden.mining is not None and hidden.mbps_days is not None
    running = hidden.mining.mean(axis=2) > 0
    onset = running.argmax(axis=1)
    late = np.flatnonzero((onset > 20) & (onset < 100))
    assert len(late) >= 5
    growth = []
    for i in late:
        before, after = slice(onset[i] - 14, onset[i]), slice(onset[i], onset[i] + 14)
        load_growth = hidden.kw[i, after].mean() / hidden.kw[i, before].mean() - 1
        traffic_growth = hidden.mbps_days[i, after].mean() / hidden.mbps_days[i, before].mean() - 1
        assert load_growth > 0.05 and traffic_growth < 0.05  # rigs: kW without traffic
        growth.append(load_growth)
    # rigs of 20-60 % of the IT load, curtailed in peak hours by some farms: most add well over a tenth
    assert np.median(growth) > 0.15


def test_some_data_centres_open_a_new_hall_whose_servers_bring_their_traffic():
    from minesweep.detection.meter.simulate import _open_new_halls

    kinds = np.array(["data_centre"] * 200 + ["office"] * 50)
    kw = np.full((250, 100, 24), 500.0)
    mbps = np.full((250, 100), 2000.0)
    opened = _open_new_halls(np.random.default_rng(3), kinds, kw, mbps, TUNE)
    assert not opened[200:].any() and opened.mean() == pytest.approx(TUNE.dc_hall_share * 0.8, abs=0.05)
    for i in np.flatnonzero(opened):
        load, traffic = kw[i].mean(axis=1) / 500.0, mbps[i] / 2000.0
        assert load[0] == 1.0 and TUNE.dc_hall_factor[0] <= load[-1] <= TUNE.dc_hall_factor[1]
        assert np.allclose(load, traffic)  # servers: the traffic grows as the load does
    assert (kw[~opened] == 500.0).all()


def _plants(days: int, family=EVAL, n: int = 400) -> np.ndarray:
    cal = build_calendar(SimulationSpec(accounts=1, days=days, interval_s=3600, mining_share=0, seed=5))
    return pop.continuous_plant(np.random.default_rng(7), n, cal, family)


def test_a_plants_output_wanders_through_the_day_without_a_step_at_midnight():
    """A plant has no reason to change its output at midnight: the hour across midnight changes as much
    as any other hour (a day-level draw stepped there and gave the meter a seam rigs do not have)."""
    load = _plants(120)
    change = np.abs(np.diff(load.reshape(len(load), -1), axis=1)) / load.mean(axis=(1, 2))[:, None]
    hour = np.arange(change.shape[1]) % 24  # change[:, t] runs from slot t to t + 1
    across_midnight = np.median(change[:, hour == 23])
    within_day = np.median(change[:, (hour >= 1) & (hour <= 21)])
    assert across_midnight < 1.15 * within_day


def test_a_plants_steadiness_is_its_own_and_its_overhauls_come_at_a_yearly_rate():
    """Some plants are as steady from day to day as a potline, and a quarter holds about a quarter of a
    year's stops (they were once drawn per window, whatever its length)."""
    daily = _plants(365, TUNE).mean(axis=2)
    change = np.median(np.abs(np.diff(daily, axis=1)), axis=1) / np.median(daily, axis=1)
    low, high = np.quantile(change, [0.1, 0.9])
    assert low < 0.016 and high > 2.2 * low  # a fixed 2 % a day gave every plant about 0.02-0.035
    quarter, year = _plants(90), _plants(365)

    def stopped(load: np.ndarray) -> float:
        days = load.mean(axis=2)
        return float((days < 0.6 * np.median(days, axis=1)[:, None]).any(axis=1).mean())

    assert stopped(quarter) < 0.45 < 0.55 < stopped(year)


def test_a_plants_dip_at_the_shift_change_is_its_own_and_some_have_none():
    """A potline or a furnace run from a control room shows no shift change on its meter, a line with
    manual charging a few percent (every plant once dipped by the same 4 %, in both families)."""
    load = _plants(365, TUNE)
    profile = load.mean(axis=1) / load.mean(axis=(1, 2))[:, None]  # (plants, hour of day)
    depth = profile.max(axis=1) - profile.min(axis=1)
    low, high = np.quantile(depth, [0.1, 0.9])
    assert low < 0.015 and high > 0.035
    assert TUNE.plant_shift_dip != EVAL.plant_shift_dip


def test_the_eval_familys_days_swing_wider_and_its_households_cook_later():
    """Knobs drawn the same way in both families until 2026-12-06, now each family's own: the outdoor
    day-night swing every weather-following load sees, and when households' evening peak falls."""
    tune, evaluate = (
        build_calendar(SimulationSpec(accounts=1, days=30, interval_s=3600, mining_share=0, seed=4, family=f))
        for f in ("tune", "eval")
    )
    assert np.ptp(pop.slot_temperature(tune)[0]) == pytest.approx(TUNE.day_night_swing_c, rel=0.02)
    assert np.ptp(pop.slot_temperature(evaluate)[0]) == pytest.approx(EVAL.day_night_swing_c, rel=0.02)
    peaks = {}
    for name, cal, fam in (("tune", tune, TUNE), ("eval", evaluate, EVAL)):
        load = pop.household(np.random.default_rng(8), 400, cal, fam)
        profile = load.mean(axis=(0, 1))
        evening = np.arange(15, 24)
        lift = profile[evening] - profile[evening].min()
        peaks[name] = float((evening * lift).sum() / lift.sum())  # centre of the evening peak, hours
    assert peaks["eval"] - peaks["tune"] > 0.3, peaks
