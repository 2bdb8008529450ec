"""Tying an address at a moment to a subscriber through IP allocation records (IP 地址分配记录).

Records are ``prefix, valid_from, valid_to, uscc, subscriber_name, address``. Validity is the
half-open interval ``[valid_from, valid_to)``; an empty ``valid_to`` means still allocated; a
``valid_to`` given as a bare date covers that whole day. Naive times are read in Asia/Shanghai
(telecom operators' local time) and everything is compared in UTC. When several records cover the
same address and moment (overlapping periods, a block and a sub-block), the most specific prefix
wins, then the latest ``valid_from`` (the newer assignment supersedes the older).
"""

from __future__ import annotations

import csv
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

LOCAL_TIME_ZONE = ZoneInfo("Asia/Shanghai")
COLUMNS = ("prefix", "valid_from", "valid_to", "uscc", "subscriber_name", "address")
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AllocationError(ValueError):
    """An allocation file or row that cannot be used. IP 分配记录无法使用。"""


@dataclass(frozen=True)
class IpAllocation:
    """One allocation; times are timezone-aware UTC, ``valid_to`` None means open-ended."""

    network: IpNetwork
    valid_from: datetime
    valid_to: datetime | None
    uscc: str
    subscriber_name: str
    address: str

    def covers(self, moment: datetime) -> bool:
        return self.valid_from <= moment and (self.valid_to is None or moment < self.valid_to)

    def as_dict(self) -> dict[str, str | None]:
        return {
            "prefix": str(self.network),
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "uscc": self.uscc,
            "subscriber_name": self.subscriber_name,
            "address": self.address,
        }


def parse_moment(value: str | datetime | float | int, end_of_day: bool = False) -> datetime:
    """Text (ISO date or date-time), datetime or POSIX seconds → aware UTC datetime.

    A bare date is its local midnight, or the next local midnight when ``end_of_day`` is set.
    """
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC)
    if isinstance(value, datetime):
        moment = value
    else:
        text = value.strip().replace("Z", "+00:00")
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if end_of_day else 0)
            moment = datetime(day.year, day.month, day.day)
        else:
            moment = datetime.fromisoformat(text.replace("/", "-"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TIME_ZONE)
    return moment.astimezone(UTC)


def allocation_from_row(row: dict[str, str], line: int) -> IpAllocation:
    """Validate one CSV row; raises :class:`AllocationError` naming the line."""
    try:
        network = ipaddress.ip_network((row.get("prefix") or "").strip(), strict=False)
        valid_from = parse_moment(row["valid_from"])
        valid_to_text = (row.get("valid_to") or "").strip()
        valid_to = parse_moment(valid_to_text, end_of_day=True) if valid_to_text else None
    except (KeyError, ValueError, TypeError) as exc:
        raise AllocationError(f"第 {line} 行无效 / line {line} is invalid: {exc}") from exc
    if valid_to is not None and valid_to <= valid_from:
        raise AllocationError(
            f"第 {line} 行有效期结束早于开始 / line {line}: valid_to is not after valid_from"
        )
    return IpAllocation(
        network=network,
        valid_from=valid_from,
        valid_to=valid_to,
        uscc=(row.get("uscc") or "").strip(),
        subscriber_name=(row.get("subscriber_name") or "").strip(),
        address=(row.get("address") or "").strip(),
    )


def read_allocations(path: Path | str) -> list[IpAllocation]:
    """Read an allocation CSV, all or nothing (any invalid row rejects the file)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise AllocationError(
                    f"IP 分配记录缺少列 {missing} / allocation records miss columns {missing}"
                )
            return [allocation_from_row(row, line) for line, row in enumerate(reader, start=2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise AllocationError(f"无法读取 IP 分配记录 / cannot read allocations {path}: {exc}") from exc


class AllocationIndex:
    """Allocations grouped by (IP version, prefix length) and network, newest ``valid_from`` first."""

    def __init__(self, allocations: Iterable[IpAllocation]) -> None:
        self.groups: dict[tuple[int, int], dict[int, list[IpAllocation]]] = {}
        for allocation in allocations:
            network = allocation.network
            key = (network.version, network.prefixlen)
            self.groups.setdefault(key, {}).setdefault(int(network.network_address), []).append(allocation)
        for networks in self.groups.values():
            for entries in networks.values():
                entries.sort(key=lambda a: a.valid_from, reverse=True)
        self.lengths = sorted(self.groups, key=lambda k: -k[1])

    def lookup(self, ip: str, moment: datetime) -> IpAllocation | None:
        """The allocation covering ``ip`` at ``moment`` (aware datetime), or ``None``."""
        address = ipaddress.ip_address(ip)
        value = int(address)
        bits = address.max_prefixlen
        for version, length in self.lengths:
            if version != address.version:
                continue
            network = value >> (bits - length) << (bits - length) if length else 0
            for allocation in self.groups[(version, length)].get(network, ()):
                if allocation.covers(moment):
                    return allocation
        return None


def attribute(
    ip: str, moment: datetime | float | str, allocations: Sequence[IpAllocation] | AllocationIndex
) -> IpAllocation | None:
    """Subscriber allocation for ``ip`` at ``moment`` (POSIX seconds, ISO text or datetime; UTC if aware).

    Pure: the same inputs give the same answer; build an :class:`AllocationIndex` once for many calls.
    """
    index = allocations if isinstance(allocations, AllocationIndex) else AllocationIndex(allocations)
    return index.lookup(ip, parse_moment(moment))


@dataclass(frozen=True)
class HostAttribution:
    """A host's subscriber at first and last sighting (they differ when a dynamic address moved)."""

    host: str
    first_seen: str
    last_seen: str
    at_first_seen: IpAllocation | None
    at_last_seen: IpAllocation | None

    @property
    def reassigned(self) -> bool:
        return self.at_first_seen != self.at_last_seen

    def as_dict(self) -> dict[str, object]:
        return {
            "host": self.host,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "subscriber": self.at_first_seen.as_dict() if self.at_first_seen else None,
            "subscriber_at_last_seen": self.at_last_seen.as_dict() if self.at_last_seen else None,
            "reassigned": self.reassigned,
        }


def attribute_hosts(
    hosts: Iterable[tuple[str, str, str]], allocations: Sequence[IpAllocation] | AllocationIndex
) -> list[HostAttribution]:
    """Attribute ``(host, first_seen, last_seen)`` triples (ISO-8601 times)."""
    index = allocations if isinstance(allocations, AllocationIndex) else AllocationIndex(allocations)
    return [
        HostAttribution(
            host,
            first,
            last,
            index.lookup(host, parse_moment(first)),
            index.lookup(host, parse_moment(last)),
        )
        for host, first, last in hosts
    ]


__all__ = [
    "AllocationError",
    "AllocationIndex",
    "HostAttribution",
    "IpAllocation",
    "attribute",
    "attribute_hosts",
    "read_allocations",
]
