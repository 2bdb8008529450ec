"""Production energy balance: metered energy of a period against what a plant's production needed."""

from __future__ import annotations

import numpy as np
import pytest

from minesweep.detection.meter.balance import (
    DESK_CLEARED,
    EXPLAINED,
    RECORDS_EXCEED,
    UNEXPLAINED,
    MeteredEnergy,
    energy_balance,
    metered_energy,
    next_step_after,
)

DAY = 86_400


def _hourly(days: int, kw: float, start_s: int = 0) -> tuple[np.ndarray, np.ndarray]:
    ts = start_s + np.arange(days * 24, dtype=np.int64) * 3600
    return ts, np.full(len(ts), kw)


def test_it_counts_the_readings_inside_the_period_and_how_much_of_it_they_cover():
    ts, kwh = _hourly(10, 500.0)
    whole = metered_energy(ts, kwh, 3600, 2 * DAY, 5 * DAY)  # three days: [start, end)
    assert whole == MeteredEnergy(kwh=3 * 24 * 500.0, hours=72.0, coverage=1.0)
    kwh[2 * 24 : 2 * 24 + 12] = np.nan  # half a day missing: not counted, and the coverage says so
    gappy = metered_energy(ts, kwh, 3600, 2 * DAY, 5 * DAY)
    assert gappy.kwh == pytest.approx(2.5 * 24 * 500.0) and gappy.coverage == pytest.approx(60 / 72)
    beyond = metered_energy(ts, kwh, 3600, 9 * DAY, 12 * DAY)  # the readings end a day in
    assert beyond.coverage == pytest.approx(1 / 3) and beyond.kwh == 24 * 500.0
    with pytest.raises(ValueError):
        metered_energy(ts, kwh, 3600, 5 * DAY, 5 * DAY)


def test_a_plant_whose_production_needs_what_its_meter_read_is_explained():
    metered = MeteredEnergy(kwh=720_000.0, hours=720.0, coverage=1.0)  # 1 MW for 30 days
    balance = energy_balance(metered, output=52.0, kwh_per_unit=13_500.0)  # 702,000 kWh: 2.5 % short
    assert balance.verdict == EXPLAINED and balance.unexplained_kw == 0.0
    assert balance.difference_share == pytest.approx(0.025)
    with_offices = energy_balance(metered, output=50.0, kwh_per_unit=13_500.0, other_kwh=30_000.0)
    assert with_offices.verdict == EXPLAINED and with_offices.explained_kwh == 705_000.0


def test_electricity_production_does_not_need_is_unexplained_and_measured_in_kw():
    metered = MeteredEnergy(kwh=720_000.0, hours=720.0, coverage=1.0)
    half = energy_balance(metered, output=26.0, kwh_per_unit=13_500.0)  # 351,000 kWh needed
    assert half.verdict == UNEXPLAINED and half.unexplained_kw == pytest.approx((720_000 - 351_000) / 720)
    idle = energy_balance(metered, output=0.0, kwh_per_unit=0.0)  # an idle factory's meter running flat out
    assert idle.verdict == UNEXPLAINED and idle.unexplained_kw == pytest.approx(1000.0)
    edge = energy_balance(metered, output=47.0, kwh_per_unit=13_500.0)  # 634,500: 11.9 % short
    assert edge.verdict == UNEXPLAINED
    within = energy_balance(metered, output=48.1, kwh_per_unit=13_500.0)  # 649,350: 9.8 % short
    assert within.verdict == EXPLAINED


def test_records_claiming_more_than_the_meter_read_are_not_conclusive():
    metered = MeteredEnergy(kwh=720_000.0, hours=720.0, coverage=1.0)
    balance = energy_balance(metered, output=70.0, kwh_per_unit=13_500.0)
    assert balance.verdict == RECORDS_EXCEED and balance.unexplained_kw == 0.0 and balance.difference_kwh < 0
    nothing_read = energy_balance(MeteredEnergy(0.0, 720.0, 1.0), output=1.0, kwh_per_unit=10.0)
    assert nothing_read.verdict == RECORDS_EXCEED


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_it_refuses_numbers_no_record_can_hold(bad):
    metered = MeteredEnergy(kwh=1000.0, hours=10.0, coverage=1.0)
    with pytest.raises(ValueError):
        energy_balance(metered, output=bad, kwh_per_unit=1.0)
    with pytest.raises(ValueError):
        energy_balance(metered, output=1.0, kwh_per_unit=bad)


def test_the_next_step_follows_the_verdict_in_one_language_at_a_time():
    cleared = next_step_after(EXPLAINED, 0.025, 25.0, 0)
    assert cleared[0] == DESK_CLEARED and "2.5%" in cleared[1] and "2.5%" in cleared[2]
    assert "约 25 kW" in cleared[1] and "about 25 kW" in cleared[2]  # within the tolerance is still power
    visit = next_step_after(UNEXPLAINED, 0.5, 512.5, 158)
    assert visit[0] == "field_visit" and "512 kW" in visit[2] and "158 台" in visit[1]
    again = next_step_after(RECORDS_EXCEED, -0.3, -300.0, 0)
    assert again[0] == "desk_check" and "30.0%" in again[1]
    for _code, zh, en in (cleared, visit, again):
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in en) and any(
            "\u4e00" <= ch <= "\u9fff" for ch in zh
        )
