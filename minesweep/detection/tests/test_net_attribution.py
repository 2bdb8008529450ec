"""Address + time → subscriber through IP allocation records (network detection)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from minesweep.detection.network.attribution import (
    AllocationError,
    AllocationIndex,
    allocation_from_row,
    attribute,
    attribute_hosts,
    read_allocations,
)

HEADER = "prefix,valid_from,valid_to,uscc,subscriber_name,address\n"
ROWS = [
    "10.20.0.0/16,2024-01-01,,911522010783710635,兴安盟某数据中心,乌兰浩特市",
    "10.20.30.0/24,2024-01-01,2024-06-30,91110108551385082Q,某网吧,海淀区",
    "10.20.30.0/24,2024-05-01,,91440300708461136T,新租户,南山区",
    "2001:db8::/32,2024-01-01T00:00:00+08:00,,91110000600037341L,IPv6 用户,北京",
]


@pytest.fixture
def allocations(tmp_path):
    path = tmp_path / "alloc.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    return read_allocations(path)


def test_it_prefers_the_most_specific_prefix(allocations):
    assert attribute("10.20.30.7", "2024-02-01T12:00:00Z", allocations).uscc == "91110108551385082Q"
    assert attribute("10.20.31.7", "2024-02-01T12:00:00Z", allocations).uscc == "911522010783710635"


def test_it_prefers_the_latest_assignment_where_periods_overlap(allocations):
    assert attribute("10.20.30.7", "2024-06-15T00:00:00Z", allocations).uscc == "91440300708461136T"


def test_it_falls_back_to_the_covering_block_outside_a_sub_block_period(allocations):
    index = AllocationIndex([a for a in allocations if a.uscc != "91440300708461136T"])
    assert attribute("10.20.30.7", "2024-07-01T00:00:00+08:00", index).uscc == "911522010783710635"


def test_it_counts_a_bare_valid_to_date_as_the_whole_day_in_local_time(allocations):
    index = AllocationIndex([a for a in allocations if a.uscc != "91440300708461136T"])
    late_on_last_day = datetime(2024, 6, 30, 15, 59, tzinfo=UTC)  # 23:59 Asia/Shanghai
    assert attribute("10.20.30.7", late_on_last_day, index).uscc == "91110108551385082Q"
    assert (
        attribute("10.20.30.7", datetime(2024, 6, 30, 16, 0, tzinfo=UTC), index).uscc == "911522010783710635"
    )


def test_it_returns_nothing_before_any_allocation_or_for_unknown_space(allocations):
    assert attribute("10.20.30.7", "2023-12-31T00:00:00Z", allocations) is None
    assert attribute("192.0.2.1", "2024-02-01T00:00:00Z", allocations) is None


def test_it_attributes_ipv6_and_posix_seconds(allocations):
    moment = datetime(2024, 3, 1, tzinfo=UTC).timestamp()
    assert attribute("2001:db8::1", moment, allocations).subscriber_name == "IPv6 用户"


def test_it_reports_a_host_whose_address_was_reassigned_during_the_sighting(allocations):
    [result] = attribute_hosts([("10.20.30.7", "2024-04-01T00:00:00Z", "2024-05-02T00:00:00Z")], allocations)
    assert result.at_first_seen.uscc == "91110108551385082Q"
    assert result.at_last_seen.uscc == "91440300708461136T"
    assert result.reassigned and result.as_dict()["subscriber"]["uscc"] == "91110108551385082Q"


def test_it_rejects_invalid_rows_naming_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "10.0.0.0/33,2024-01-01,,x,y,z\n", encoding="utf-8")
    with pytest.raises(AllocationError, match="line 2"):
        read_allocations(path)
    with pytest.raises(AllocationError, match="valid_to"):
        allocation_from_row(
            {"prefix": "10.0.0.0/8", "valid_from": "2024-02-01", "valid_to": "2024-01-01"}, line=3
        )
