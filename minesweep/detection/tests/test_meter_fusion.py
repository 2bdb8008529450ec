"""Words of the fused evidence: a declared use is named, never printed as a code."""

from __future__ import annotations

from minesweep.detection.meter.fusion import use_names


def test_it_names_declared_uses_from_a_power_file_and_from_the_registry():
    assert use_names("data_center") == ("数据中心", "data centre")
    assert use_names("manufacturing") == ("工业生产", "manufacturing")
    assert use_names("big_data_or_cloud") == (  # a registry category code, its English read in a sentence
        "大数据中心、云计算企业",
        "big-data centre or cloud-computing enterprise",
    )
    assert use_names("养殖场") == ("养殖场", "养殖场")  # uncoded text stays as the file gives it


def test_it_sets_the_traffic_of_the_weeks_before_an_onset_beside_the_weeks_from_it():
    import numpy as np
    import pyarrow as pa
    import pytest

    from minesweep.detection.meter.fusion import TrafficPeriods

    table = pa.table(
        {
            "account_id": ["A", "A", "A", "A", "A", "B", "B", "C"],
            "first_day": [0, 21, 28, 35, 42, 28, 35, 0],
            "last_day": [6, 27, 34, 41, 48, 31, 41, 89],
            "mean_mbps": [99.0, 10.0, 50.0, 20.0, 30.0, 5.0, 7.0, 1.0],
        }
    )
    periods = TrafficPeriods.of(["A", "B", "C", "D"], table)
    assert periods is not None
    before, after = periods.around(np.array([35, 35, 35, -1]), side_days=28)
    # A: weeks ending in the four weeks before day 35 (not the first: it ended 28 days before and more);
    # from the onset on, weeks starting in the next four
    assert before[0] == pytest.approx((10 * 7 + 50 * 7) / 14) and after[0] == pytest.approx(25.0)
    # B: only 4 days before the onset (less than a week): unknown
    assert np.isnan(before[1]) and after[1] == pytest.approx(7.0)
    # C: one period across the onset is neither side; D: no onset
    assert np.isnan(before[2]) and np.isnan(after[2]) and np.isnan(before[3])


def test_traffic_over_periods_is_the_sites_known_traffic_where_the_accounts_file_has_none():
    import numpy as np
    import pyarrow as pa
    import pytest

    from minesweep.detection.meter.fusion import FusionInputs

    periods = pa.table(
        {
            "account_id": ["A", "A", "B"],
            "first_day": [0, 7, 0],
            "last_day": [6, 20, 6],
            "mean_mbps": [10.0, 40.0, 5.0],
        }
    )
    meta = pa.table({"account_id": ["A", "B", "C"], "mean_mbps": [None, 2.0, None]})
    inputs = FusionInputs.of(["A", "B", "C"], meta, periods)
    assert inputs.mean_mbps[0] == pytest.approx((10 * 7 + 40 * 14) / 21)  # from its periods, by days
    assert inputs.mean_mbps[1] == 2.0 and np.isnan(inputs.mean_mbps[2])  # the file first; none: unknown
    assert FusionInputs.of(["A"], None, periods).mean_mbps[0] == pytest.approx(30.0)
