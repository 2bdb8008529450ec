"""Mining to pools nobody has listed, from flow records alone (无矿池名单的流特征检测).

No payload, no pool list, no port list of pools: a Stratum session has a shape. The miner holds one TCP
connection to its pool for as long as it runs (long-lived), both sides exchange small JSON messages
(a new job every ~30 s from the pool, a share every few seconds to minutes from the miner), so the byte
rate is a few hundred bytes per second at most and packets are small; TLS does not change any of that.
A farm adds the fan-in: many workers keep the same kind of session to one endpoint.

A flow is a *session candidate* when it is TCP to a global (public) address, lasts at least
``LONG_LIVED_S``, moves at most ``MAX_BYTES_PER_S`` with a mean packet of at most ``MAX_PACKET_BYTES``,
and carries between ``MIN_PACKETS_PER_S`` and ``MAX_PACKETS_PER_S`` (a keep-alive every few minutes is
a push channel, not a miner). The session must also carry at least ``MIN_SESSION_SHARE`` of all the
bytes the host exchanged with that address: a miner talks to its pool through that session only, while
a chat or web client keeps a long connection *and* fetches content from the same servers in others. Ports of interactive and push services whose sessions look alike (SSH,
XMPP and mobile push, MQTT, RDP, and the crypto peer-to-peer ports reported separately) are left out:
a list of ordinary services, not of pools.

Score per source host: 0.6 for one candidate session, +0.15 for each further endpoint (at most 0.9), and
+0.3 when the endpoint is shared by at least ``FARM_FAN_IN`` hosts with candidate sessions (workers of
one farm); hosts at or above ``REPORT_THRESHOLD`` are reported.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from minesweep.detection.network.flows import finite

LONG_LIVED_S = 180.0
MAX_BYTES_PER_S = 1000.0
MAX_PACKET_BYTES = 600.0
MIN_PACKETS_PER_S = 0.03
MAX_PACKETS_PER_S = 3.0
ORDINARY_SESSION_PORTS = frozenset({22, 1883, 8883, 3389, 5222, 5223, 5228, 8333, 30303, 53, 123, 5353})
MIN_SESSION_SHARE = 0.5
FARM_FAN_IN = 3
REPORT_THRESHOLD = 0.5


@dataclass
class ShapeFinding:
    host: str
    score: float
    endpoints: list[str] = field(default_factory=list)
    fan_in: int = 0
    sessions: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "host": self.host,
            "score": round(self.score, 3),
            "endpoints": self.endpoints,
            "fan_in": self.fan_in,
            "sessions": self.sessions,
        }


@lru_cache(maxsize=65536)
def _is_global(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


def session_shape(table: pa.Table) -> np.ndarray:
    """Boolean per flow row: the numeric shape of a pool session (TCP, long-lived, slow, small packets,
    not an ordinary session port); the address and byte-share rules come on top (:func:`session_candidates`)."""
    if table.num_rows == 0:
        return np.zeros(0, dtype=bool)
    start = np.asarray(table["ts_start"].to_numpy(zero_copy_only=False), dtype=float)
    end = finite(np.asarray(table["ts_end"].to_numpy(zero_copy_only=False), dtype=float))
    # ``max(end - start, 0) >= LONG_LIVED_S`` exactly when ``end - start >= LONG_LIVED_S`` (NaN: neither);
    # no copy of the times and no duration of every row, only of the long ones
    result = table["proto"].to_numpy(zero_copy_only=False) == 6
    result &= end - start >= LONG_LIVED_S
    rows = np.flatnonzero(result)  # the rest only for long TCP flows (a few percent of all)
    if rows.size == 0:
        return result
    duration = np.maximum(end[rows] - start[rows], 0.0)
    volume = flow_volume(table.select(["bytes"]).take(pa.array(rows)))
    packets = table["packets"].take(pa.array(rows)).to_numpy(zero_copy_only=False).astype(float)
    packets = np.maximum(finite(packets), 1.0)
    port = table["dst_port"].take(pa.array(rows)).to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = volume / np.maximum(duration, 1.0)
        pace = packets / np.maximum(duration, 1.0)
    result[rows] = (
        (rate <= MAX_BYTES_PER_S)
        & (volume / packets <= MAX_PACKET_BYTES)
        & (pace >= MIN_PACKETS_PER_S)
        & (pace <= MAX_PACKETS_PER_S)
        & ~np.isin(port, list(ORDINARY_SESSION_PORTS))
    )
    return result


def flow_volume(table: pa.Table) -> np.ndarray:
    """Bytes of each flow as floats (missing: 0)."""
    return finite(table["bytes"].to_numpy(zero_copy_only=False).astype(float))


def global_rows(addresses: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Boolean per row: the address is a global (public) one; each distinct address is checked once
    (dotted IPv4 by :func:`global_ipv4`, anything else by :mod:`ipaddress`)."""
    encoded = addresses if pa.types.is_dictionary(addresses.type) else pc.dictionary_encode(addresses)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    flags = np.append(global_addresses(pc.cast(encoded.dictionary, pa.string())), False)
    indices = pc.fill_null(encoded.indices, len(flags) - 1).to_numpy(zero_copy_only=False)
    return flags[indices]


IPV4 = r"^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$"


def global_addresses(texts: pa.Array) -> np.ndarray:
    """:func:`_is_global` of each text: dotted IPv4 vectorised against the running Python's own table of
    special networks (:func:`_special_ipv4`), the rest (IPv6, anything odd) one by one."""
    result = np.zeros(len(texts), dtype=bool)
    if len(texts) == 0:
        return result
    special = _special_ipv4()
    dotted = pc.fill_null(pc.match_substring_regex(texts, IPV4), False).to_numpy(zero_copy_only=False)
    if special is not None and dotted.any():
        rows = np.flatnonzero(dotted)
        octets = pc.cast(pc.list_flatten(pc.split_pattern(texts.take(pa.array(rows)), ".")), pa.int64())
        parts = octets.to_numpy().reshape(-1, 4)
        fits = (parts <= 255).all(axis=1)
        numbers = (parts[:, 0] << 24) | (parts[:, 1] << 16) | (parts[:, 2] << 8) | parts[:, 3]
        result[rows[fits]] = _ipv4_is_global(numbers[fits], special)
        dotted[rows[~fits]] = False
    others = np.flatnonzero(~dotted) if special is not None else np.arange(len(texts))
    for row, text in zip(others.tolist(), texts.take(pa.array(others)).to_pylist(), strict=True):
        result[row] = text is not None and _is_global(text)
    return result


Ranges = tuple[np.ndarray, np.ndarray]


def _ipv4_is_global(numbers: np.ndarray, special: tuple[Ranges, Ranges, Ranges]) -> np.ndarray:
    def inside(ranges: Ranges) -> np.ndarray:
        first, last = ranges
        hit = np.zeros(len(numbers), dtype=bool)
        for low, high in zip(first.tolist(), last.tolist(), strict=True):
            hit |= (numbers >= low) & (numbers <= high)
        return hit

    shared, private, exceptions = special
    return ~inside(shared) & ~(inside(private) & ~inside(exceptions))


@lru_cache(maxsize=1)
def _special_ipv4() -> tuple[Ranges, Ranges, Ranges] | None:
    """The IPv4 networks :mod:`ipaddress` itself consults for ``is_global`` (shared address space,
    private-use and other special networks, and the exceptions newer Pythons make), as integer
    ranges. Checked against ``ipaddress`` at both ends of every range and just outside; ``None``
    (every address checked by ``ipaddress``) if this Python keeps them otherwise."""
    constants = getattr(ipaddress, "_IPv4Constants", None)
    try:
        shared = [constants._public_network]  # type: ignore[union-attr]
        private = list(constants._private_networks)  # type: ignore[union-attr]
        exceptions = list(getattr(constants, "_private_networks_exceptions", []))
    except AttributeError:
        return None

    def ranges(networks: list[ipaddress.IPv4Network]) -> Ranges:
        return (
            np.array([int(n.network_address) for n in networks], dtype=np.int64),
            np.array([int(n.broadcast_address) for n in networks], dtype=np.int64),
        )

    special = (ranges(shared), ranges(private), ranges(exceptions))
    probes = sorted(
        {
            edge + step
            for n in shared + private + exceptions
            for edge in (int(n.network_address), int(n.broadcast_address))
            for step in (-1, 0, 1)
            if 0 <= edge + step < 1 << 32
        }
    )
    expected = [ipaddress.IPv4Address(p).is_global for p in probes]
    if _ipv4_is_global(np.array(probes, dtype=np.int64), special).tolist() != expected:
        return None
    return special


def session_candidates(table: pa.Table) -> np.ndarray:
    """Boolean per flow row: the shape of a pool session (see the module text)."""
    shape = session_shape(table)
    if not shape.any():
        return shape
    volume = flow_volume(table)
    destinations = table["dst_ip"].to_pylist()
    sources = table["src_ip"].to_pylist()
    exchanged: dict[tuple[str, str], float] = {}
    for source, destination, size in zip(sources, destinations, volume.tolist(), strict=True):
        key = (str(source), str(destination))
        exchanged[key] = exchanged.get(key, 0.0) + size
    for row in np.flatnonzero(shape):
        pair = (str(sources[row]), str(destinations[row]))
        shape[row] = _is_global(pair[1]) and volume[row] >= MIN_SESSION_SHARE * exchanged[pair]
    return shape


def shape_findings(table: pa.Table, threshold: float = REPORT_THRESHOLD) -> list[ShapeFinding]:
    """Hosts whose flows have the shape of mining sessions, highest score first."""
    candidate = session_candidates(table)
    if not candidate.any():
        return []
    rows = np.flatnonzero(candidate)
    hosts = [str(h) for h in table["src_ip"].take(pa.array(rows)).to_pylist()]
    endpoints = [
        f"{ip}:{port}"
        for ip, port in zip(
            table["dst_ip"].take(pa.array(rows)).to_pylist(),
            table["dst_port"].take(pa.array(rows)).to_pylist(),
            strict=True,
        )
    ]
    return session_findings(hosts, endpoints, threshold)


def session_findings(
    hosts: pa.Array | list[str], endpoints: pa.Array | list[str], threshold: float = REPORT_THRESHOLD
) -> list[ShapeFinding]:
    """Findings from the candidate sessions (source host and ``address:port`` of each, as texts or as
    dictionary arrays with distinct entries), highest score
    first (then by host), a host's endpoints in text order. Hosts and endpoints are numbered by
    dictionary encoding; the (host, endpoint) pairs, their sessions and each endpoint's fan-in come from
    one ``np.unique`` of the pair numbers, the scores from numpy (three Arrow group-bys, a join and a
    sort of the text table, then a Python score per host, took ~10 µs per finding); Python makes only
    the findings."""
    host = _dictionary(hosts)
    endpoint = _dictionary(endpoints)
    if len(host) == 0:
        return []
    width = len(endpoint.dictionary)
    pairs, sessions = np.unique(
        host.indices.to_numpy().astype(np.int64) * width + endpoint.indices.to_numpy(), return_counts=True
    )
    pair_host, pair_endpoint = np.divmod(pairs, width)
    fan_in = np.bincount(pair_endpoint, minlength=width)  # pairs are distinct: hosts per endpoint
    order = np.lexsort((_text_rank(endpoint.dictionary)[pair_endpoint], pair_host))  # by host, endpoint
    pair_endpoint, sessions = pair_endpoint[order], sessions[order]
    starts = np.flatnonzero(np.r_[True, pair_host[1:] != pair_host[:-1]])
    ends = np.r_[starts[1:], len(pairs)]
    fan = np.maximum.reduceat(fan_in[pair_endpoint], starts)
    score = np.minimum(0.6 + 0.15 * (ends - starts - 1), 0.9) + np.where(fan >= FARM_FAN_IN, 0.3, 0.0)
    score = np.minimum(score, 1.0)
    kept = np.flatnonzero(score >= threshold)
    finding_host = pair_host[starts[kept]]
    kept = kept[np.lexsort((_text_rank(host.dictionary)[finding_host], -score[kept]))]
    texts = np.array(endpoint.dictionary.to_pylist(), dtype=object)
    targets = texts[pair_endpoint].tolist()
    return [
        ShapeFinding(name, value, targets[first:end], hosts_in, count)
        for name, value, first, end, hosts_in, count in zip(
            host.dictionary.take(pa.array(pair_host[starts[kept]])).to_pylist(),
            score[kept].tolist(),
            starts[kept].tolist(),
            ends[kept].tolist(),
            fan[kept].tolist(),
            np.add.reduceat(sessions, starts)[kept].tolist(),
            strict=True,
        )
    ]


def _text_rank(texts: pa.Array) -> np.ndarray:
    """Per text: its place in Arrow's ascending order (code points: Python's order of ``str``)."""
    rank = np.empty(len(texts), np.int64)
    rank[pc.sort_indices(texts).to_numpy()] = np.arange(len(texts))
    return rank


def _dictionary(texts: pa.Array | list[str]) -> pa.DictionaryArray:
    """``texts`` (no nulls) dictionary-encoded, as one array; a dictionary array is taken as it is (its
    entries must be distinct, as ``dictionary_encode`` gives them)."""
    if isinstance(texts, pa.DictionaryArray):
        return texts
    encoded = pc.dictionary_encode(pa.array(texts, pa.string()))
    return encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded
