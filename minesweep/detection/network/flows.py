"""Flow records without payload: reading CSV/Parquet and per-host flow evidence.

Columns (``../shared/DESIGN.md`` §4): ``ts_start, ts_end, src_ip, src_port, dst_ip, dst_port,
proto, packets, bytes``; optional ``sni``, ``dns_query`` and ``dns_answers`` (addresses a DNS
answer gave for ``dns_query``, separated by spaces, commas or semicolons). Timestamps are POSIX
seconds (UTC) or ISO-8601 text/timestamps (naive values are taken as UTC).

Evidence per source host (the flow's ``src_ip``): connections to names on the pool list (SNI,
the flow's own name, or the address→name map built from DNS answers in the same data), DNS lookups
of pool names, listed IP endpoints, long-lived low-volume flows, periodic repeated flows, mining
ports, and peer-to-peer node ports. Matching is vectorised: names are dictionary-encoded and each
distinct name is matched once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from minesweep.detection.network.addresses import address_texts, is_number_type
from minesweep.detection.network.pools import PoolList, PoolMatch

REQUIRED_COLUMNS = (
    "ts_start",
    "ts_end",
    "src_ip",
    "src_port",
    "dst_ip",
    "dst_port",
    "proto",
    "packets",
    "bytes",
)
OPTIONAL_TEXT_COLUMNS = ("sni", "dns_query", "dns_answers")
TEXT_COLUMNS = ("src_ip", "dst_ip", *OPTIONAL_TEXT_COLUMNS)
TEXT_DICTIONARY = pa.dictionary(pa.int32(), pa.string())
PROTO_NUMBERS = {"tcp": 6, "udp": 17, "icmp": 1, "6": 6, "17": 17, "1": 1}
MINING_PORTS = np.array([3333, 3334, 4444, 5555, 7777, 8888, 9999, 14444, 14433, 45560, 45700, 1800, 3032])
P2P_PORTS = np.array([8333, 30303])
#: A node talks to several peers; fewer flows on P2P ports are not worth a record.
MIN_P2P_PEERS = 3
DNS_PORT = 53
#: Shape of a Stratum session: long-lived, a few hundred bytes per packet, under 1 kB/s.
LONG_LIVED_SECONDS = 300.0
LOW_VOLUME_BYTES_PER_SECOND = 1000.0
SMALL_PACKET_BYTES = 400.0
#: Repeated connections between the same pair at regular intervals (getwork polling, reconnects).
PERIODIC_MIN_FLOWS = 4
PERIODIC_MAX_CV = 0.25
#: Ports whose periodic traffic is ordinary (DNS, NTP, syslog, SNMP).
PERIODIC_EXEMPT_PORTS = np.array([53, 123, 514, 161, 162, 5353])
SEPARATORS = re.compile(r"[\s,;]+")


class FlowFileError(ValueError):
    """A flow file that cannot be read at all. 流记录文件无法读取。"""


@dataclass
class FlowReadStats:
    """Rows read and rows skipped (malformed or missing values)."""

    rows: int = 0
    skipped_rows: int = 0


@dataclass
class HostFlowEvidence:
    """Flow evidence of one host (UTC POSIX seconds for times)."""

    host: str
    first_seen: float
    last_seen: float
    flows: int = 0
    pool_connections: int = 0
    pool_lookups: int = 0
    endpoint_connections: int = 0
    long_lived_low_volume: int = 0
    periodic_pairs: int = 0
    p2p_peers: int = 0
    mining_port_flows: int = 0
    pool_matches: dict[str, PoolMatch] = field(default_factory=dict)
    lookup_matches: dict[str, PoolMatch] = field(default_factory=dict)
    #: "address:port" → pool names it was reached by (empty set: listed IP endpoint)
    pool_endpoints: dict[str, set[str]] = field(default_factory=dict)


def read_flow_file(path: Path | str) -> tuple[pa.Table, FlowReadStats]:
    """Read a CSV or Parquet flow file into the normalised schema; malformed rows are skipped."""
    stats = FlowReadStats()
    path = Path(path)
    try:
        if path.is_dir():
            raw = _read_parquet_directory(path)
        elif path.suffix.lower() in (".parquet", ".pq"):
            raw = pq.read_table(path)
        else:
            raw = _read_csv(path, stats)
    except (OSError, pa.ArrowInvalid) as exc:
        raise FlowFileError(f"无法读取流记录 / cannot read flow records {path}: {exc}") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.column_names]
    if missing:
        raise FlowFileError(f"流记录缺少列 {missing} / flow records are missing columns {missing}: {path}")
    table = normalise_flows(raw)
    stats.rows += raw.num_rows
    stats.skipped_rows += raw.num_rows - table.num_rows
    return table, stats


@dataclass(frozen=True)
class HostTotal:
    """Bytes a source address sent and received in all its flows, over the data's whole window."""

    host: str
    bytes: int
    first_seen: float
    last_seen: float
    window_seconds: float
    window_start: float  # UTC seconds: where the data's window begins (the same for every host)


def host_traffic_totals(table: pa.Table) -> list[HostTotal]:
    """Per source address: total bytes and the observation window (first flow start to last flow end
    over the whole table, so a quiet host is not credited with a short window)."""
    if table.num_rows == 0:
        return []
    grouped = table.group_by("src_ip").aggregate([("bytes", "sum"), ("ts_start", "min"), ("ts_end", "max")])
    start = pc.min(table["ts_start"]).as_py() or 0.0
    end = pc.max(table["ts_end"]).as_py() or start
    window = max(float(end) - float(start), 1.0)
    return [
        HostTotal(str(host), int(volume or 0), float(first or 0.0), float(last or 0.0), window, float(start))
        for host, volume, first, last in zip(
            grouped["src_ip"].to_pylist(),
            grouped["bytes_sum"].to_pylist(),
            grouped["ts_start_min"].to_pylist(),
            grouped["ts_end_max"].to_pylist(),
            strict=True,
        )
    ]


def _read_parquet_directory(path: Path) -> pa.Table:
    """All ``*.parquet`` files of a directory (e.g. the collector's output), in name order."""
    files = sorted(path.glob("*.parquet"))
    if not files:
        raise FlowFileError(f"目录中没有 Parquet 文件 / no Parquet files in {path}")
    return pa.concat_tables([pq.read_table(f) for f in files], promote_options="default")


def _read_csv(path: Path, stats: FlowReadStats) -> pa.Table:
    def skip(_row: object) -> str:
        stats.skipped_rows += 1
        stats.rows += 1
        return "skip"

    text_columns = {
        c: pa.string() for c in ("src_ip", "dst_ip", "proto", "ts_start", "ts_end", *OPTIONAL_TEXT_COLUMNS)
    }
    return pacsv.read_csv(
        path,
        parse_options=pacsv.ParseOptions(invalid_row_handler=skip),
        convert_options=pacsv.ConvertOptions(column_types=text_columns, strings_can_be_null=True),
    )


def normalise_flows(raw: pa.Table, keep_dictionaries: bool = False) -> pa.Table:
    """Cast to the flow schema (float seconds, int ports/counts, proto numbers); drop invalid rows.

    With ``keep_dictionaries`` the text columns are dictionary-encoded strings (``TEXT_DICTIONARY``)
    instead of plain strings: same values, but a column read as a dictionary is never expanded. A
    dictionary of address numbers (the source addresses as flow scoring reads them from the collector's
    ``src_ipv4`` and ``src_ipv6``: :mod:`addresses`) is kept as it is, or written out as text without
    ``keep_dictionaries``.
    """

    def text(column: pa.ChunkedArray) -> pa.ChunkedArray:
        if pa.types.is_dictionary(column.type) and is_number_type(column.type.value_type):
            if keep_dictionaries:
                return column
            return pa.chunked_array([address_texts(column.combine_chunks())])
        if not keep_dictionaries:
            return pc.cast(column, pa.string())
        if pa.types.is_dictionary(column.type):
            return pc.cast(column, TEXT_DICTIONARY)
        return pc.dictionary_encode(pc.cast(column, pa.string()))

    columns = {
        "ts_start": _seconds(raw["ts_start"]),
        "ts_end": _seconds(raw["ts_end"]),
        "src_ip": text(raw["src_ip"]),
        "src_port": _integers(raw["src_port"]),
        "dst_ip": text(raw["dst_ip"]),
        "dst_port": _integers(raw["dst_port"]),
        "proto": _protocols(raw["proto"]),
        "packets": _integers(raw["packets"]),
        "bytes": _integers(raw["bytes"]),
    }
    for name in OPTIONAL_TEXT_COLUMNS:
        if name in raw.column_names:
            columns[name] = text(raw[name])
        elif keep_dictionaries and raw.num_rows:  # all null: a dictionary without values, not encoded
            indices = pa.nulls(raw.num_rows, pa.int32())
            columns[name] = pa.chunked_array(
                [pa.DictionaryArray.from_arrays(indices, pa.array([], pa.string()))]
            )
        else:
            columns[name] = text(pa.chunked_array([pa.nulls(raw.num_rows, pa.string())]))
    table = pa.Table.from_arrays(list(columns.values()), names=list(columns))
    valid = pc.and_(
        pc.is_valid(table["ts_start"]),
        pc.and_(
            pc.is_valid(table["src_ip"]),
            pc.and_(pc.is_valid(table["dst_ip"]), pc.is_valid(table["dst_port"])),
        ),
    )
    if valid.null_count == 0 and pc.all(valid).as_py():
        return table  # nothing to drop: no copy
    return table.filter(valid)


def _seconds(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_timestamp(column.type):
        return pc.divide(pc.cast(pc.cast(column, pa.timestamp("us", tz="UTC")), pa.int64()), 1e6)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        numeric = pc.cast(column, pa.float64(), safe=False) if _all_numeric(column) else None
        if numeric is not None:
            return numeric
        parsed = pc.strptime(column, format="%Y-%m-%dT%H:%M:%S", unit="us", error_is_null=True)
        fallback = _iso_seconds(column)
        return pc.coalesce(pc.divide(pc.cast(parsed, pa.int64()), 1e6), fallback)
    return pc.cast(column, pa.float64(), safe=False)


def _all_numeric(column: pa.ChunkedArray) -> bool:
    matches = pc.match_substring_regex(
        pc.fill_null(column, "0"), r"^\s*-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?\s*$"
    )
    return bool(pc.all(matches).as_py())


def _iso_seconds(column: pa.ChunkedArray) -> pa.Array:
    """Slow path for ISO texts with offsets; each distinct text is parsed once."""
    from datetime import UTC, datetime

    encoded = pc.dictionary_encode(pc.fill_null(column, "")).combine_chunks()
    values: list[float | None] = []
    for text in encoded.dictionary.to_pylist():
        try:
            moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            values.append(moment.timestamp())
        except ValueError:
            values.append(None)
    return pa.array(values, pa.float64()).take(encoded.indices)


def _integers(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_integer(column.type):
        return pc.cast(column, pa.int64())
    as_text = pc.cast(column, pa.string())
    cleaned = pc.if_else(pc.match_substring_regex(as_text, r"^\s*[0-9]+(\.0+)?\s*$"), as_text, None)
    return pc.cast(pc.cast(cleaned, pa.float64()), pa.int64())


def _protocols(column: pa.ChunkedArray) -> pa.Array:
    if pa.types.is_integer(column.type):
        return pc.cast(column, pa.int64())
    encoded = pc.dictionary_encode(pc.utf8_lower(pc.cast(column, pa.string()))).combine_chunks()
    numbers = [PROTO_NUMBERS.get((t or "").strip()) for t in encoded.dictionary.to_pylist()]
    return pa.array(numbers, pa.int64()).take(encoded.indices)


def match_names(
    names: pa.ChunkedArray | pa.Array, pools: PoolList
) -> tuple[np.ndarray, list[PoolMatch | None]]:
    """Per-row index into the returned match list (-1: no name or no match).

    Each distinct name is matched once, so the cost follows the number of distinct names.
    """
    if names.null_count == len(names):
        return np.full(len(names), -1, dtype=np.int64), []
    encoded = pc.dictionary_encode(names)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    matches = [pools.match_text(n) for n in encoded.dictionary.to_pylist()]
    lookup = np.array([i if m is not None else -1 for i, m in enumerate(matches)] + [-1], dtype=np.int64)
    indices = pc.fill_null(encoded.indices, len(matches)).to_numpy(zero_copy_only=False)
    return lookup[indices.astype(np.int64)], matches


def address_names(table: pa.Table) -> dict[str, str]:
    """address → name from rows carrying ``dns_query`` with ``dns_answers``."""
    rows = table.filter(pc.and_(pc.is_valid(table["dns_query"]), pc.is_valid(table["dns_answers"])))
    mapping: dict[str, str] = {}
    for name, answers in zip(rows["dns_query"].to_pylist(), rows["dns_answers"].to_pylist(), strict=True):
        for address in SEPARATORS.split(answers or ""):
            if address:
                mapping[address] = name
    return mapping


def connection_names(table: pa.Table, extra_address_names: dict[str, str] | None = None) -> pa.ChunkedArray:
    """The name each row's destination is known by: SNI, else its own name, else a DNS answer."""
    mapping = address_names(table)
    if extra_address_names:
        mapping = {**extra_address_names, **mapping}
    candidates = [table["sni"]]
    if table["dns_query"].null_count < table.num_rows:
        candidates.append(pc.if_else(pc.equal(table["dst_port"], DNS_PORT), None, table["dns_query"]))
    if mapping:
        keys = pa.array(list(mapping), pa.string())
        positions = pc.index_in(table["dst_ip"], value_set=keys)
        candidates.append(pc.take(pa.array(list(mapping.values()), pa.string()), positions))
    return candidates[0] if len(candidates) == 1 else pc.coalesce(*candidates)


def score_flow_table(
    table: pa.Table,
    pools: PoolList,
    extra_address_names: dict[str, str] | None = None,
    include_hosts: Iterable[str] = (),
) -> dict[str, HostFlowEvidence]:
    """Per-host flow evidence for hosts that could be reported.

    Flow shape alone cannot reach the reporting threshold, so shape features are computed only for
    hosts with a pool name, a pool lookup, a listed endpoint or P2P ports — plus ``include_hosts``
    (hosts already suspected from payload). That keeps the cost close to one pass of matching.
    """
    if table.num_rows == 0:
        return {}
    names = connection_names(table, extra_address_names)
    name_match, matches = match_names(names, pools)
    lookup_match, lookup_matches = match_names(
        pc.if_else(pc.equal(table["dst_port"], DNS_PORT), table["dns_query"], None), pools
    )
    endpoint = endpoint_rows(table, pools)
    p2p_rows = np.isin(table["dst_port"].to_numpy(), P2P_PORTS)
    hosts = pc.dictionary_encode(table["src_ip"]).combine_chunks()
    host_index = hosts.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    wanted = np.zeros(len(hosts.dictionary), dtype=bool)
    wanted[host_index[(name_match >= 0) | (lookup_match >= 0) | endpoint]] = True
    p2p_rows_per_host = np.bincount(host_index[p2p_rows], minlength=len(wanted))
    wanted |= p2p_rows_per_host >= MIN_P2P_PEERS
    extra = pc.index_in(pa.array(list(include_hosts), pa.string()), value_set=hosts.dictionary)
    wanted[[i for i in extra.to_pylist() if i is not None]] = True
    rows = np.flatnonzero(wanted[host_index])
    if rows.size == 0:
        return {}
    subset = table.take(pa.array(rows))
    features = {**shape_features(subset), "endpoint": endpoint[rows], "p2p": p2p_rows[rows]}
    sub_hosts = host_index[rows]
    periodic = _periodic_rows(subset, sub_hosts)
    lookups = (lookup_match[rows], lookup_matches)
    return _collect_hosts(
        subset, hosts.dictionary, sub_hosts, name_match[rows], matches, lookups, features, periodic
    )


def endpoint_rows(table: pa.Table, pools: PoolList) -> np.ndarray:
    """Rows whose destination address:port is listed as an IP endpoint."""
    endpoint = np.zeros(table.num_rows, dtype=bool)
    if not pools.ip_ports:
        return endpoint
    listed = pa.array(sorted({ip for ip, _ in pools.ip_ports}), pa.string())
    candidates = np.flatnonzero(rows_in(table["dst_ip"], listed))
    addresses = table["dst_ip"].take(pa.array(candidates)).to_pylist()
    ports = table["dst_port"].take(pa.array(candidates)).to_pylist()
    for row, address, port in zip(candidates, addresses, ports, strict=True):
        endpoint[row] = pools.match_endpoint(address, int(port)) is not None
    return endpoint


def rows_in(column: pa.ChunkedArray, values: pa.Array) -> np.ndarray:
    """Per row: the value is one of ``values`` (a dictionary-encoded column is looked up once per
    distinct value; null rows are not)."""
    if not pa.types.is_dictionary(column.type):
        return pc.fill_null(pc.is_in(column, value_set=values), False).to_numpy(zero_copy_only=False)
    encoded = column.combine_chunks()
    if len(values) == 0:
        return np.zeros(len(encoded), dtype=bool)
    flags = np.append(pc.is_in(encoded.dictionary, value_set=values).to_numpy(zero_copy_only=False), False)
    if not flags.any():  # the usual case for listed addresses: no row to look at
        return np.zeros(len(encoded), dtype=bool)
    if encoded.null_count == 0:  # the addresses, once normalised: no copy to fill nulls
        return flags[encoded.indices.to_numpy()]
    indices = pc.fill_null(encoded.indices, len(flags) - 1).to_numpy(zero_copy_only=False)
    return flags[indices]


def finite(values: np.ndarray) -> np.ndarray:
    """``np.nan_to_num(values)`` (NaN → 0, ±inf → the largest finite values), without its copy and
    four passes when every value is already finite (the usual case): then ``values`` itself."""
    if np.isfinite(values).all():
        return values
    return np.nan_to_num(values)


def shape_features(table: pa.Table) -> dict[str, np.ndarray]:
    """Long-lived low-volume flows and mining ports, per row."""
    start = table["ts_start"].to_numpy()
    end = finite(table["ts_end"].to_numpy())
    duration = np.maximum(end - start, 0.0)
    volume = finite(table["bytes"].to_numpy().astype(np.float64))
    packets = np.maximum(finite(table["packets"].to_numpy().astype(np.float64)), 1.0)
    long_low = (
        (duration >= LONG_LIVED_SECONDS)
        & (volume / np.maximum(duration, 1.0) <= LOW_VOLUME_BYTES_PER_SECOND)
        & (volume / packets <= SMALL_PACKET_BYTES)
    )
    return {"long_low": long_low, "mining_port": np.isin(table["dst_port"].to_numpy(), MINING_PORTS)}


def _periodic_rows(table: pa.Table, host_index: np.ndarray) -> np.ndarray:
    """Rows of (host, destination, port) groups whose start times are evenly spaced.

    Only groups with enough flows are sorted, by one float key (group + start scaled to [0, 1)),
    which is much cheaper than a two-key lexsort over every row.
    """
    rows = table.num_rows
    result = np.zeros(rows, dtype=bool)
    destinations = (
        pc.dictionary_encode(table["dst_ip"]).combine_chunks().indices.to_numpy(zero_copy_only=False)
    )
    dst_port = table["dst_port"].to_numpy()
    pair = (host_index << 40) ^ (destinations.astype(np.int64) << 17) ^ dst_port.astype(np.int64)
    _, group = np.unique(pair, return_inverse=True)
    candidates = np.flatnonzero(np.bincount(group)[group] >= PERIODIC_MIN_FLOWS)
    if candidates.size == 0:
        return result
    group = group[candidates]
    start = table["ts_start"].to_numpy()[candidates]
    span = max(float(start.max() - start.min()), 1.0) * 1.000001
    order = np.argsort(group + (start - start.min()) / span)
    periodic_group = evenly_spaced(group[order], start[order], int(group.max()) + 1)
    result[candidates] = periodic_group[group]
    return result & ~np.isin(dst_port, PERIODIC_EXEMPT_PORTS)


def evenly_spaced(sorted_group: np.ndarray, sorted_start: np.ndarray, groups: int) -> np.ndarray:
    """Per group (``0 … groups-1``): its start times, given sorted by group then time, are at least
    ``PERIODIC_MIN_FLOWS`` with gaps of mean ≥ 1 s and coefficient of variation ≤ ``PERIODIC_MAX_CV``."""
    gaps = np.diff(sorted_start)
    same = sorted_group[1:] == sorted_group[:-1]
    keys = sorted_group[1:][same]
    count = np.bincount(keys, minlength=groups).astype(np.float64)
    total = np.bincount(keys, weights=gaps[same], minlength=groups)
    squares = np.bincount(keys, weights=gaps[same] ** 2, minlength=groups)
    mean = np.divide(total, count, out=np.zeros(groups), where=count > 0)
    variance = np.divide(squares, count, out=np.zeros(groups), where=count > 0) - mean**2
    cv = np.sqrt(np.maximum(variance, 0.0)) / np.maximum(mean, 1e-9)
    return (count + 1 >= PERIODIC_MIN_FLOWS) & (cv <= PERIODIC_MAX_CV) & (mean >= 1.0)


def _collect_hosts(
    table: pa.Table,
    host_names: pa.Array,
    host_index: np.ndarray,
    name_match: np.ndarray,
    matches: list[PoolMatch | None],
    lookups: tuple[np.ndarray, list[PoolMatch | None]],
    features: dict[str, np.ndarray],
    periodic: np.ndarray,
) -> dict[str, HostFlowEvidence]:
    """Aggregate per host with bincount; only rows naming a destination are visited in Python."""
    hosts = len(host_names)
    lookup_match = lookups[0]
    start = table["ts_start"].to_numpy()
    end = np.fmax(table["ts_end"].to_numpy(), start)
    first = np.full(hosts, np.inf)
    last = np.full(hosts, -np.inf)
    np.minimum.at(first, host_index, start)
    np.maximum.at(last, host_index, end)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(host_index[mask], minlength=hosts)

    flows = np.bincount(host_index, minlength=hosts)
    pool_connections = count(name_match >= 0)
    pool_lookups = count(lookup_match >= 0)
    endpoints = count(features["endpoint"])
    long_low = count(features["long_low"])
    mining_port = count(features["mining_port"])
    destinations = (
        pc.dictionary_encode(table["dst_ip"]).combine_chunks().indices.to_numpy(zero_copy_only=False)
    )
    destination_ports = destinations.astype(np.int64) * 65536 + table["dst_port"].to_numpy()
    p2p_peers = _distinct_per_host(host_index, destinations.astype(np.int64), features["p2p"], hosts)
    periodic_pairs = _distinct_per_host(host_index, destination_ports, periodic, hosts)
    labels = host_names.to_pylist()
    result: dict[str, HostFlowEvidence] = {}
    for h in np.unique(host_index).tolist():
        result[labels[h]] = HostFlowEvidence(
            host=labels[h],
            first_seen=float(first[h]),
            last_seen=float(last[h]),
            flows=int(flows[h]),
            pool_connections=int(pool_connections[h]),
            pool_lookups=int(pool_lookups[h]),
            endpoint_connections=int(endpoints[h]),
            long_lived_low_volume=int(long_low[h]),
            mining_port_flows=int(mining_port[h]),
            periodic_pairs=int(periodic_pairs[h]),
            p2p_peers=int(p2p_peers[h]),
        )
    named = (name_match >= 0) | (lookup_match >= 0) | features["endpoint"]
    _add_destinations(
        table,
        np.flatnonzero(named),
        labels,
        host_index,
        result,
        name_match,
        matches,
        lookups,
        features,
    )
    return result


def _distinct_per_host(host_index: np.ndarray, codes: np.ndarray, mask: np.ndarray, hosts: int) -> np.ndarray:
    """Number of distinct ``codes`` per host among rows where ``mask`` holds."""
    if not mask.any():
        return np.zeros(hosts, dtype=np.int64)
    width = int(codes.max()) + 1
    pairs = np.unique(host_index[mask] * width + codes[mask])
    return np.bincount(pairs // width, minlength=hosts)


def _add_destinations(
    table: pa.Table,
    rows: np.ndarray,
    labels: list[str],
    host_index: np.ndarray,
    result: dict[str, HostFlowEvidence],
    name_match: np.ndarray,
    matches: list[PoolMatch | None],
    lookups: tuple[np.ndarray, list[PoolMatch | None]],
    features: dict[str, np.ndarray],
) -> None:
    """Fill pool names and endpoints from the (few) rows that name a pool."""
    if rows.size == 0:
        return
    lookup_match, lookup_matches = lookups
    taken = pa.array(rows)
    destinations = table["dst_ip"].take(taken).to_pylist()
    ports = table["dst_port"].take(taken).to_pylist()
    for row, address, port in zip(rows.tolist(), destinations, ports, strict=True):
        evidence = result[labels[host_index[row]]]
        endpoint = f"{address}:{port}"
        if name_match[row] >= 0:
            match = matches[name_match[row]]
            if match is not None:
                evidence.pool_matches.setdefault(match.name, match)
                evidence.pool_endpoints.setdefault(endpoint, set()).add(match.name)
        if lookup_match[row] >= 0:
            looked_up = lookup_matches[lookup_match[row]]
            if looked_up is not None:
                evidence.lookup_matches.setdefault(looked_up.name, looked_up)
        if features["endpoint"][row]:
            evidence.pool_endpoints.setdefault(endpoint, set())
