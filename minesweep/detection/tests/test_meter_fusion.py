"""Words of the fused evidence: a declared use is named, never printed as a code."""

from __future__ import annotations

from minesweep.detection.meter.fusion import use_names


def test_it_names_declared_uses_from_a_power_file_and_from_the_registry():
    assert use_names("data_center") == ("数据中心", "data centre")
    assert use_names("manufacturing") == ("工业生产", "manufacturing")
    assert use_names("big_data_or_cloud")[0] == "大数据中心、云计算企业"  # a registry category code
    assert use_names("养殖场") == ("养殖场", "养殖场")  # uncoded text stays as the file gives it
