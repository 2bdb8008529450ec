"""One record per host: ``host, kind, score, first_seen, last_seen, evidence``.

Scores combine independent reasons by noisy-OR (``1 − Π(1 − wᵢ)``), so each reason's weight is
its stand-alone score and the list of reasons explains the total. Flow shape alone (long-lived,
periodic, mining port) cannot reach the reporting threshold; a mining finding needs a mining
protocol message, a pool name or a listed pool endpoint. Times in records are ISO-8601 UTC.
"""

from __future__ import annotations

import gc
import ipaddress
import json
import socket
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import IO, Any

import numpy as np
import pyarrow as pa

from minesweep.core.exports import SafeDictWriter
from minesweep.detection.network import flows as flow_evidence
from minesweep.detection.network.pcap import address_text
from minesweep.detection.network.pools import EXACT, SUBDOMAIN, PoolList, PoolMatch
from minesweep.detection.network.protocols import MiningMessage, wallets_in_account, worker_in_account
from minesweep.detection.network.scanner import FlowState, ScanResult

MINING = "mining"
CRYPTO_P2P = "crypto_p2p"
REPORT_THRESHOLD = 0.5

#: Stand-alone weight of each reason (configurable by passing another mapping).
WEIGHTS = {
    "mining_protocol": 0.95,
    "share_submissions": 0.5,
    "pool_name_confirmed": 0.7,
    "pool_name_weak": 0.45,
    "pool_lookup": 0.3,
    "pool_endpoint": 0.45,
    "long_lived_low_volume": 0.2,
    "periodic_flows": 0.15,
    "mining_port": 0.1,
    "bitcoin_p2p": 0.9,
    "ethereum_p2p": 0.7,
    "p2p_ports": 0.6,
}
#: A node talks to several peers; a single flow on a P2P port is not enough.
MIN_P2P_PEERS = 2
MIN_P2P_PORT_PEERS = flow_evidence.MIN_P2P_PEERS
CSV_FIELDS = ("host", "kind", "score", "first_seen", "last_seen", "evidence")


@dataclass
class Reason:
    code: str
    weight: float
    detail: str


@dataclass
class PoolEvidence:
    address: str
    names: set[str] = field(default_factory=set)
    match: PoolMatch | None = None
    methods: Counter[str] = field(default_factory=Counter)
    shares: int = 0
    first_seen: float | None = None
    last_seen: float | None = None


@dataclass
class HostEvidence:
    """Everything known about one host before scoring (times: POSIX seconds, UTC)."""

    host: str
    first_seen: float = float("inf")
    last_seen: float = float("-inf")
    methods: Counter[str] = field(default_factory=Counter)
    pools: dict[str, PoolEvidence] = field(default_factory=dict)
    miner_software: set[str] = field(default_factory=set)
    workers: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)
    wallets: dict[str, str] = field(default_factory=dict)
    shares: int = 0
    mining_flows: int = 0
    p2p_networks: set[str] = field(default_factory=set)
    p2p_messages: set[str] = field(default_factory=set)
    p2p_peers: set[str] = field(default_factory=set)
    flow: flow_evidence.HostFlowEvidence | None = None

    def seen(self, first: float, last: float) -> None:
        self.first_seen = min(self.first_seen, first)
        self.last_seen = max(self.last_seen, last)

    def add_account(self, account: str) -> None:
        self.accounts.add(account)
        for coin, address in wallets_in_account(account):
            self.wallets[address] = coin
        worker = worker_in_account(account)
        if worker:
            self.workers.add(worker)


@dataclass
class HostRecord:
    """The output contract (see module docstring)."""

    host: str
    kind: str
    score: float
    first_seen: str
    last_seen: str
    evidence: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "kind": self.kind,
            "score": self.score,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "evidence": self.evidence,
        }


def iso_utc(seconds: float) -> str:
    """POSIX seconds → ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: 10000-01-01T00:00:00Z: :func:`iso_utc` has four-digit years below it
LAST_ISO_SECOND = 253_402_300_800


def iso_utc_many(seconds: list[float]) -> list[str | None]:
    """:func:`iso_utc` of each usual value (finite, years 1970 to 9999) by numpy, the microseconds
    rounded half to even from the fraction as ``datetime.fromtimestamp`` rounds them; ``None`` for any
    other value (left to :func:`iso_utc` itself, with its errors, where a text is needed)."""
    values = np.array(seconds, dtype=float)
    usual = np.isfinite(values) & (values >= 0) & (values < LAST_ISO_SECOND - 1)  # no carry into 10000
    fraction, whole = np.modf(np.where(usual, values, 0.0))
    micro = np.rint(fraction * 1e6)
    carry = micro >= 1e6
    whole[carry] += 1
    micro[carry] -= 1e6
    moments = (whole.astype(np.int64) * 1_000_000 + micro.astype(np.int64)).astype("datetime64[us]")
    texts: list[str | None] = np.char.add(np.datetime_as_string(moments, unit="us"), "Z").tolist()
    for row in np.flatnonzero(~usual).tolist():
        texts[row] = None
    return texts


def scan_host_records(
    scan: ScanResult,
    pools: PoolList,
    threshold: float = REPORT_THRESHOLD,
    weights: dict[str, float] = WEIGHTS,
) -> list[HostRecord]:
    """Host records from a packet scan (protocol, name, P2P and flow-shape evidence)."""
    hosts: dict[str, HostEvidence] = {}
    for flow in scan.flows:
        if flow.findings is not None and flow.findings.messages:
            _add_mining_flow(hosts, flow, scan.dns_answers)
    _add_p2p_flows(hosts, scan.flows)
    table = scan_flow_table(scan)
    address_names = {address: sorted(names)[0] for address, names in scan.dns_answers.items()}
    scored = flow_evidence.score_flow_table(table, pools, address_names, include_hosts=list(hosts))
    for host, evidence in scored.items():
        hosts.setdefault(host, HostEvidence(host)).flow = evidence
    return _records(hosts, pools, threshold, weights)


def flow_host_records(
    table: pa.Table,
    pools: PoolList,
    threshold: float = REPORT_THRESHOLD,
    weights: dict[str, float] = WEIGHTS,
    address_names: dict[str, str] | None = None,
) -> list[HostRecord]:
    """Host records from flow records only (no payload); ``address_names`` adds DNS answers seen
    elsewhere."""
    with gc_paused():
        scored = flow_evidence.score_flow_table(table, pools, address_names)
        return flow_evidence_records(scored.values(), pools, threshold, weights)


def flow_evidence_records(
    evidence: Iterable[flow_evidence.HostFlowEvidence],
    pools: PoolList,
    threshold: float = REPORT_THRESHOLD,
    weights: dict[str, float] = WEIGHTS,
) -> list[HostRecord]:
    """Host records from per-host flow evidence alone (one evidence per host; :mod:`flowparts` builds
    it from aggregates merged over row groups)."""
    latest = {item.host: item for item in evidence}
    firsts = iso_utc_many([min(float("inf"), item.first_seen) for item in latest.values()])
    lasts = iso_utc_many([max(float("-inf"), item.last_seen) for item in latest.values()])
    with gc_paused():
        records = [
            record
            for record in (
                _flow_record(item, pools, threshold, weights, seen)
                for item, seen in zip(latest.values(), zip(firsts, lasts, strict=True), strict=True)
            )
            if record is not None
        ]
        del latest  # before the collector is back on: its first pass visits what is still alive
        return sorted(records, key=record_order)


def _add_mining_flow(
    hosts: dict[str, HostEvidence], flow: FlowState, dns_answers: dict[str, set[str]]
) -> None:
    assert flow.findings is not None
    findings = flow.findings
    if flow.miner_is_client():
        miner, pool, pool_port = flow.client, flow.server, flow.server_port
    else:
        miner, pool, pool_port = flow.server, flow.client, flow.client_port
    evidence = hosts.setdefault(address_text(miner), HostEvidence(address_text(miner)))
    evidence.seen(flow.first_ts, flow.last_ts)
    evidence.mining_flows += 1
    pool_address = address_text(pool)
    endpoint = f"{pool_address}:{pool_port}"
    pool_evidence = evidence.pools.setdefault(endpoint, PoolEvidence(endpoint))
    pool_evidence.first_seen = min(pool_evidence.first_seen or flow.first_ts, flow.first_ts)
    pool_evidence.last_seen = max(pool_evidence.last_seen or flow.last_ts, flow.last_ts)
    pool_evidence.names.update(dns_answers.get(pool_address, ()))
    pool_evidence.names.update(findings.http_hosts)
    if findings.sni:
        pool_evidence.names.add(findings.sni)
    for _, message, _ in findings.messages:
        _add_message(evidence, pool_evidence, message)
    evidence.miner_software.update(findings.http_agents)
    for user in findings.http_users:
        evidence.add_account(user)


def _add_message(evidence: HostEvidence, pool: PoolEvidence, message: MiningMessage) -> None:
    evidence.methods[message.label] += 1
    pool.methods[message.label] += 1
    pool.shares += int(message.is_share)
    if message.software:
        evidence.miner_software.add(message.software)
    for account in message.accounts:
        evidence.add_account(account)
    if message.worker:
        evidence.workers.add(message.worker)
    pool.names.update(message.pool_names)
    evidence.shares += int(message.is_share)


def _add_p2p_flows(hosts: dict[str, HostEvidence], flows: list[FlowState]) -> None:
    """Nodes are the addresses seen in P2P flows with at least two distinct peers."""
    peers: dict[str, set[str]] = {}
    details: dict[str, list[FlowState]] = {}
    for flow in flows:
        if flow.findings is None or flow.findings.p2p_network is None:
            continue
        client, server = address_text(flow.client), address_text(flow.server)
        for side, other in ((client, server), (server, client)):
            peers.setdefault(side, set()).add(other)
            details.setdefault(side, []).append(flow)
    for address, peer_set in peers.items():
        if len(peer_set) < MIN_P2P_PEERS:
            continue
        evidence = hosts.setdefault(address, HostEvidence(address))
        evidence.p2p_peers.update(peer_set)
        for flow in details[address]:
            assert flow.findings is not None and flow.findings.p2p_network is not None
            evidence.p2p_networks.add(flow.findings.p2p_network)
            evidence.p2p_messages.add(flow.findings.p2p_detail or flow.findings.p2p_network)
            evidence.seen(flow.first_ts, flow.last_ts)


def scan_flow_table(scan: ScanResult) -> pa.Table:
    """The scan's flows as flow records (plus one row per DNS lookup), in the flow-file schema."""
    columns: dict[str, list[Any]] = {
        name: [] for name in (*flow_evidence.REQUIRED_COLUMNS, "sni", "dns_query")
    }
    for flow in scan.flows:
        findings = flow.findings
        host_name = sorted(findings.http_hosts)[0] if findings is not None and findings.http_hosts else None
        _append_row(
            columns,
            (flow.first_ts, flow.last_ts, address_text(flow.client), flow.client_port),
            (address_text(flow.server), flow.server_port, flow.proto, flow.packets, flow.bytes),
            findings.sni if findings is not None else None,
            host_name,
        )
    for client, name, ts in scan.dns_lookups:
        _append_row(columns, (ts, ts, client, 0), ("", flow_evidence.DNS_PORT, 17, 1, 0), None, name)
    types = (
        [pa.float64(), pa.float64(), pa.string(), pa.int64(), pa.string()]
        + [pa.int64()] * 4
        + [pa.string()] * 2
    )
    arrays = [pa.array(values, kind) for values, kind in zip(columns.values(), types, strict=True)]
    arrays.append(pa.nulls(len(arrays[0]), pa.string()))
    # Not pa.table(dict of lists): that imports pandas, seconds on a cold start.
    table = pa.Table.from_arrays(arrays, names=[*columns, "dns_answers"])
    return flow_evidence.normalise_flows(table)


def _append_row(
    columns: dict[str, list[Any]],
    source: tuple[float, float, str, int],
    target: tuple[str, int, int, int, int],
    sni: str | None,
    name: str | None,
) -> None:
    values = (*source, *target, sni, name)
    for key, value in zip(columns, values, strict=True):
        columns[key].append(value)


def _records(
    hosts: dict[str, HostEvidence], pools: PoolList, threshold: float, weights: dict[str, float]
) -> list[HostRecord]:
    records = []
    with gc_paused():
        for evidence in hosts.values():
            record = _score(evidence, pools, threshold, weights)
            if record is not None:
                records.append(record)
    return sorted(records, key=record_order)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector off while many small acyclic objects are built (records, evidence):
    its full passes over every live object took half the time of building 7,000 host records
    (bench/README.md). Reference counting still frees everything; the collector is back on after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def record_order(record: HostRecord) -> tuple[float, tuple[int, str]]:
    """Highest score first, then by address: the order of every host-record list."""
    return (-record.score, _address_key(record.host))


@lru_cache(maxsize=1 << 16)
def _address_key(host: str) -> tuple[int, str]:
    try:  # dotted IPv4 read as strictly as ipaddress reads it (four ASCII octets, no leading zeros), 7x faster
        return (0, f"{int.from_bytes(socket.inet_pton(socket.AF_INET, host)):040d}")
    except (OSError, ValueError):
        pass
    try:
        return (0, f"{int(ipaddress.ip_address(host)):040d}")
    except ValueError:
        return (1, host)


def combine(reasons: list[Reason]) -> float:
    """Noisy-OR of the reasons' weights, rounded to 4 decimals."""
    remaining = 1.0
    for reason in reasons:
        remaining *= 1.0 - reason.weight
    return round(1.0 - remaining, 4)


def _score(
    evidence: HostEvidence, pools: PoolList, threshold: float, weights: dict[str, float]
) -> HostRecord | None:
    _resolve_pools(evidence, pools)
    verdict = _verdict(_mining_reasons(evidence, weights), _p2p_reasons(evidence, weights), threshold)
    if verdict is None:
        return None
    kind, score, reasons = verdict
    if evidence.flow is not None:
        evidence.seen(evidence.flow.first_seen, evidence.flow.last_seen)
    return HostRecord(
        host=evidence.host,
        kind=kind,
        score=score,
        first_seen=iso_utc(evidence.first_seen),
        last_seen=iso_utc(evidence.last_seen),
        evidence=_evidence_dict(evidence, reasons),
    )


def _flow_record(
    flow: flow_evidence.HostFlowEvidence,
    pools: PoolList,
    threshold: float,
    weights: dict[str, float],
    seen: tuple[str | None, str | None],
) -> HostRecord | None:
    """:func:`_score` of a host known from flow records alone (no protocol message, account or P2P
    handshake): the same record, without building the packet scan's per-host state. ``seen``: its
    first and last time as :func:`iso_utc` gives them (computed for all hosts at once; ``None``:
    an unusual value, converted here)."""
    pool_dicts, matches = _flow_pools(flow, pools)
    mining = _pool_reasons_of(matches + list(flow.pool_matches.values()), flow, weights)
    verdict = _verdict(
        mining + _flow_shape_reasons(flow, weights), _p2p_port_reasons(flow, weights), threshold
    )
    if verdict is None:
        return None
    kind, score, reasons = verdict
    return HostRecord(
        host=flow.host,
        kind=kind,
        score=score,
        first_seen=seen[0] or iso_utc(min(float("inf"), flow.first_seen)),
        last_seen=seen[1] or iso_utc(max(float("-inf"), flow.last_seen)),
        evidence={
            "methods": {},
            "pools": pool_dicts,
            "miner_software": [],
            "workers": [],
            "wallets": [],
            "accounts": [],
            "shares": 0,
            "flows": _flow_counts(flow, mining_flows=0, peers=0),
            "p2p": {"networks": [], "messages": []},
            "reasons": _reason_dicts(reasons),
        },
    )


def _verdict(
    mining: list[Reason], p2p: list[Reason], threshold: float
) -> tuple[str, float, list[Reason]] | None:
    """(kind, score, reasons) of a host: mining first, then P2P; ``None`` below the threshold."""
    mining_score, p2p_score = combine(mining), combine(p2p)
    if mining_score >= threshold:
        return MINING, mining_score, mining
    if p2p_score >= threshold:
        return CRYPTO_P2P, p2p_score, p2p
    return None


def _resolve_pools(evidence: HostEvidence, pools: PoolList) -> None:
    """Attach the best pool-list match to each pool endpoint (names first, then the address)."""
    if evidence.flow is not None:
        for address, names in evidence.flow.pool_endpoints.items():
            evidence.pools.setdefault(address, PoolEvidence(address)).names.update(names)
    for pool in evidence.pools.values():
        pool.match = _pool_match(pool, pools)


def _flow_pools(
    flow: flow_evidence.HostFlowEvidence, pools: PoolList
) -> tuple[list[dict[str, Any]], list[PoolMatch]]:
    """The evidence's ``pools`` entries of a host known from flows alone (by address) and their
    matches: what :func:`_pool_match` and :func:`_pool_dict` give for its endpoints, without a
    :class:`PoolEvidence` (and its Counter) per endpoint — a miner of the realistic bench has ~58."""
    entries, matches = [], []
    for address in sorted(flow.pool_endpoints):
        names = sorted(flow.pool_endpoints[address])
        match = _names_match(address, names, pools)
        if match is not None:
            matches.append(match)
        entries.append(_pool_entry(address, names, match))
    return entries, matches


def _pool_match(pool: PoolEvidence, pools: PoolList) -> PoolMatch | None:
    return _names_match(pool.address, sorted(pool.names), pools)


def _names_match(endpoint_address: str, names: list[str], pools: PoolList) -> PoolMatch | None:
    """The best pool-list match of an ``address:port`` endpoint: its names first (sorted), then the
    address."""
    matches = [m for m in (pools.match_name(n) for n in names) if m is not None]
    address, _, port = endpoint_address.rpartition(":")
    endpoint = pools.match_endpoint(address, int(port)) if port.isdigit() else None
    ranked = sorted(matches, key=lambda m: (m.how not in (EXACT, SUBDOMAIN), not m.confirmed))
    return ranked[0] if ranked else endpoint


def _mining_reasons(evidence: HostEvidence, weights: dict[str, float]) -> list[Reason]:
    reasons = []
    if evidence.methods:
        detail = ", ".join(sorted(evidence.methods))
        reasons.append(Reason("mining_protocol", weights["mining_protocol"], detail))
    if evidence.shares:
        reasons.append(Reason("share_submissions", weights["share_submissions"], f"{evidence.shares} shares"))
    reasons.extend(_pool_reasons(evidence, weights))
    if evidence.flow is not None:
        reasons.extend(_flow_shape_reasons(evidence.flow, weights))
    return reasons


def _flow_shape_reasons(flow: flow_evidence.HostFlowEvidence, weights: dict[str, float]) -> list[Reason]:
    reasons = []
    for code, count in (
        ("long_lived_low_volume", flow.long_lived_low_volume),
        ("periodic_flows", flow.periodic_pairs),
        ("mining_port", flow.mining_port_flows),
    ):
        if count:
            reasons.append(Reason(code, weights[code], f"{count} flows"))
    return reasons


def _pool_reasons(evidence: HostEvidence, weights: dict[str, float]) -> list[Reason]:
    matches = [p.match for p in evidence.pools.values() if p.match is not None]
    flow = evidence.flow
    if flow is not None:
        matches.extend(flow.pool_matches.values())
    return _pool_reasons_of(matches, flow, weights)


def _pool_reasons_of(
    matches: list[PoolMatch], flow: flow_evidence.HostFlowEvidence | None, weights: dict[str, float]
) -> list[Reason]:
    """The one pool reason of a host's pool matches (the strongest kind), else of its pool lookups."""
    strong = [m for m in matches if m.confirmed and m.how in (EXACT, SUBDOMAIN)]
    if strong:
        return [Reason("pool_name_confirmed", weights["pool_name_confirmed"], _names(strong))]
    named = [m for m in matches if m.how != "endpoint"]
    if named:
        return [Reason("pool_name_weak", weights["pool_name_weak"], _names(named))]
    if matches:
        return [Reason("pool_endpoint", weights["pool_endpoint"], _names(matches))]
    if flow is not None and flow.lookup_matches:
        return [Reason("pool_lookup", weights["pool_lookup"], _names(list(flow.lookup_matches.values())))]
    return []


def _names(matches: list[PoolMatch]) -> str:
    return ", ".join(sorted({f"{m.name} ({m.pool_name}, {m.how})" for m in matches}))


def _p2p_reasons(evidence: HostEvidence, weights: dict[str, float]) -> list[Reason]:
    reasons = []
    peers = len(evidence.p2p_peers)
    if "bitcoin" in evidence.p2p_networks:
        reasons.append(
            Reason("bitcoin_p2p", weights["bitcoin_p2p"], f"Bitcoin node messages with {peers} peers")
        )
    if "ethereum" in evidence.p2p_networks:
        reasons.append(Reason("ethereum_p2p", weights["ethereum_p2p"], f"Ethereum devp2p with {peers} peers"))
    if not reasons and evidence.flow is not None:
        reasons = _p2p_port_reasons(evidence.flow, weights)
    return reasons


def _p2p_port_reasons(flow: flow_evidence.HostFlowEvidence, weights: dict[str, float]) -> list[Reason]:
    if flow.p2p_peers < MIN_P2P_PORT_PEERS:
        return []
    return [Reason("p2p_ports", weights["p2p_ports"], f"{flow.p2p_peers} peers on ports 8333/30303")]


def _evidence_dict(evidence: HostEvidence, reasons: list[Reason]) -> dict[str, Any]:
    return {
        "methods": dict(sorted(evidence.methods.items())),
        "pools": [_pool_dict(p) for p in sorted(evidence.pools.values(), key=lambda p: p.address)],
        "miner_software": sorted(evidence.miner_software),
        "workers": sorted(evidence.workers),
        "wallets": [{"coin": coin, "address": address} for address, coin in sorted(evidence.wallets.items())],
        "accounts": sorted(evidence.accounts),
        "shares": evidence.shares,
        "flows": _flow_counts(evidence.flow, evidence.mining_flows, len(evidence.p2p_peers)),
        "p2p": {"networks": sorted(evidence.p2p_networks), "messages": sorted(evidence.p2p_messages)},
        "reasons": _reason_dicts(reasons),
    }


def _flow_counts(
    flow: flow_evidence.HostFlowEvidence | None, mining_flows: int, peers: int
) -> dict[str, int]:
    """The ``flows`` counts of an evidence dict (``mining_flows``: flows with a mining protocol
    message; ``peers``: P2P peers seen in handshakes)."""
    return {
        "mining_protocol": mining_flows,
        "total": flow.flows if flow else mining_flows,
        "pool_name": flow.pool_connections if flow else 0,
        "pool_lookups": flow.pool_lookups if flow else 0,
        "pool_endpoint": flow.endpoint_connections if flow else 0,
        "long_lived_low_volume": flow.long_lived_low_volume if flow else 0,
        "periodic_pairs": flow.periodic_pairs if flow else 0,
        "mining_port": flow.mining_port_flows if flow else 0,
        "p2p_peers": max(peers, flow.p2p_peers if flow else 0),
    }


def _reason_dicts(reasons: list[Reason]) -> list[dict[str, Any]]:
    return [{"code": r.code, "weight": r.weight, "detail": r.detail} for r in reasons]


def _pool_dict(pool: PoolEvidence) -> dict[str, Any]:
    return _pool_entry(
        pool.address,
        sorted(pool.names),
        pool.match,
        dict(sorted(pool.methods.items())),
        pool.shares,
        (pool.first_seen, pool.last_seen),
    )


def _pool_entry(
    address: str,
    names: list[str],
    match: PoolMatch | None,
    methods: dict[str, int] | None = None,
    shares: int = 0,
    seen: tuple[float | None, float | None] = (None, None),
) -> dict[str, Any]:
    """One ``pools`` entry of a host's evidence; the defaults (no methods, shares or times) are those of
    an endpoint seen in flow records only."""
    return {
        "address": address,
        "names": names,
        "pool": match.pool_name if match else None,
        "coin": match.coin if match else None,
        "match": match.how if match else None,
        "methods": methods if methods is not None else {},
        "shares": shares,
        "first_seen": iso_utc(seen[0]) if seen[0] is not None else None,
        "last_seen": iso_utc(seen[1]) if seen[1] is not None else None,
    }


def write_records(records: list[HostRecord], handle: IO[str], output_format: str = "json") -> None:
    """Write records as a JSON array or as CSV (``evidence`` as a JSON text column)."""
    if output_format == "json":
        json.dump([r.as_dict() for r in records], handle, ensure_ascii=False, indent=2)
        handle.write("\n")
        return
    if output_format != "csv":
        raise ValueError(f"未知输出格式 / unknown output format: {output_format}")
    writer = SafeDictWriter(handle, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for record in records:
        row = record.as_dict()
        row["evidence"] = json.dumps(record.evidence, ensure_ascii=False, sort_keys=True)
        writer.writerow(row)
