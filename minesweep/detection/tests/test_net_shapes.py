"""Flow-only detection of mining to unlisted pools, measured on the project's real captures turned into
flow records (no payload, no pool list): the miners are found, the everyday captures stay silent."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from minesweep.detection.network import shapes
from minesweep.detection.network.report import scan_flow_table
from minesweep.detection.network.scanner import scan_captures
from minesweep.detection.network.shapes import global_addresses, session_candidates, shape_findings

CAPTURES = Path(__file__).parent / "data" / "pcaps"
# Mining sessions long enough to show their shape (nDPI's verdicts in the *.out files agree).
MINERS = {
    "ndpi/mining.pcapng": {"192.168.2.148", "147.229.13.222", "192.168.2.92"},
    "zeek-cryptomining/bitcoin-mining.pcap": {"10.0.2.15"},
    "zeek-cryptomining/coinhive.pcap": {"10.0.2.15"},  # browser miner over a TLS websocket on 443
}
# Captures under three minutes cannot show a long-lived session; the shape detector stays silent there.
TOO_SHORT = {"zeek-cryptomining/bitcoin-mining-in-progress.pcap", "zeek-cryptomining/coinhive-stratum.pcap"}


def _flows(name: str) -> pa.Table:
    return scan_flow_table(scan_captures([CAPTURES / name]))


@pytest.mark.parametrize("name", sorted(MINERS))
def test_it_finds_the_mining_hosts_from_flow_shape_alone(name):
    assert {f.host for f in shape_findings(_flows(name))} == MINERS[name]


def test_it_finds_nothing_in_the_everyday_captures():
    everyday = [
        p.relative_to(CAPTURES).as_posix()
        for p in sorted(CAPTURES.rglob("*.pcap*"))
        if p.suffix != ".out" and p.relative_to(CAPTURES).as_posix() not in {*MINERS, *TOO_SHORT}
    ]
    assert len(everyday) >= 25  # chat, push, VPN, Tor, SSH, Kafka, a Bitcoin node, web …
    noisy = {name: [f.host for f in shape_findings(_flows(name))] for name in everyday}
    assert {name: hosts for name, hosts in noisy.items() if hosts} == {}


def test_it_raises_the_score_when_many_workers_share_one_endpoint():
    rows = 4
    table = pa.table(
        {
            "ts_start": [0.0] * rows,
            "ts_end": [3600.0] * rows,
            "src_ip": [f"10.1.0.{i}" for i in range(rows)],
            "src_port": [40000] * rows,
            "dst_ip": ["8.8.4.4"] * rows,
            "dst_port": [443] * rows,
            "proto": [6] * rows,
            "packets": [1800] * rows,  # one message every two seconds each way
            "bytes": [1800 * 150] * rows,
        }
    )
    assert session_candidates(table).all()
    findings = shape_findings(table)
    assert len(findings) == 4 and all(f.fan_in == 4 and f.score == pytest.approx(0.9) for f in findings)
    busy = table.set_column(8, "bytes", pa.array([1800 * 1400] * rows))  # 700 B/s of large packets
    assert shape_findings(busy) == []


def test_it_tells_global_addresses_as_the_ipaddress_module_does():
    rng = np.random.default_rng(4)
    texts = [f"{a}.{b}.{c}.{d}" for a, b, c, d in rng.integers(0, 256, (3_000, 4))]
    for network in (
        "10.0.0.0/8",
        "100.64.0.0/10",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "240.0.0.0/4",
    ):
        net = ipaddress.ip_network(network)
        for offset in (-1, 0, 1, 9, 10, 170, net.num_addresses - 1, net.num_addresses):
            value = int(net.network_address) + offset
            texts.append(str(ipaddress.IPv4Address(value % (1 << 32))))
    texts += ["255.255.255.255", "01.2.3.4", "1.2.3.256", "1.2.3", "", "2001:db8::1", "2606:4700::1111", "x"]
    expected = [ipaddress.ip_address(t).is_global if _parses(t) else False for t in texts]
    assert global_addresses(pa.array(texts)).tolist() == expected
    assert global_addresses(pa.array(texts + [None]))[-1] == False  # noqa: E712 - a numpy bool


def _parses(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _session_shape_by_definition(table: pa.Table) -> np.ndarray:
    """The module text's rule, row by row in Python (durations of non-finite ends as ``np.nan_to_num``)."""
    start = table["ts_start"].to_numpy()
    end = np.nan_to_num(table["ts_end"].to_numpy())
    volume = np.nan_to_num(table["bytes"].to_numpy().astype(float))
    packets = np.maximum(np.nan_to_num(table["packets"].to_numpy().astype(float)), 1.0)
    result = []
    for row in range(table.num_rows):
        duration = max(end[row] - start[row], 0.0)  # NaN stays NaN as in numpy: not long-lived
        pace = packets[row] / max(duration, 1.0)
        result.append(
            bool(
                table["proto"][row].as_py() == 6
                and duration >= shapes.LONG_LIVED_S
                and volume[row] / max(duration, 1.0) <= shapes.MAX_BYTES_PER_S
                and volume[row] / packets[row] <= shapes.MAX_PACKET_BYTES
                and shapes.MIN_PACKETS_PER_S <= pace <= shapes.MAX_PACKETS_PER_S
                and table["dst_port"][row].as_py() not in shapes.ORDINARY_SESSION_PORTS
            )
        )
    return np.array(result, dtype=bool)


@pytest.mark.parametrize("odd_ends", [False, True])
def test_it_tells_session_shaped_rows_as_the_rule_says_even_for_odd_times(odd_ends):
    rng = np.random.default_rng(11)
    rows = 4_000
    start = 1_700_000_000 + rng.uniform(0, 3_600, rows)
    end = start + rng.choice([10.0, 179.9, 180.0, 600.0, 5_000.0], rows)
    if odd_ends:  # the ends a float column can hold: not a number, ±inf, before the start
        end[rng.choice(rows, 400, replace=False)] = rng.choice([np.nan, np.inf, -np.inf, 0.0], 400)
        start[rng.choice(rows, 40, replace=False)] = rng.choice([np.nan, np.inf, -np.inf], 40)
    table = pa.table(
        {
            "ts_start": start,
            "ts_end": end,
            "proto": rng.choice([6, 17], rows, p=[0.9, 0.1]),
            "packets": rng.integers(1, 2_000, rows),
            "bytes": rng.integers(60, 300_000, rows),
            "dst_port": rng.choice([443, 3333, 22, 8333], rows),
        }
    )
    expected = _session_shape_by_definition(table)
    assert expected.sum() > 50  # the rule selects rows here, so the comparison means something
    assert np.array_equal(shapes.session_shape(table), expected)


def _findings_by_dicts(hosts, endpoints, threshold):
    """session_findings written plainly: sessions per (host, endpoint), hosts per endpoint."""
    sessions: dict[tuple[str, str], int] = {}
    for pair in zip(hosts, endpoints, strict=True):
        sessions[pair] = sessions.get(pair, 0) + 1
    fan_in: dict[str, int] = {}
    for _, endpoint in sessions:
        fan_in[endpoint] = fan_in.get(endpoint, 0) + 1
    findings = []
    for host in sorted({h for h, _ in sessions}):
        targets = sorted(e for h, e in sessions if h == host)
        fan = max(fan_in[e] for e in targets)
        score = min(0.6 + 0.15 * (len(targets) - 1), 0.9) + (0.3 if fan >= shapes.FARM_FAN_IN else 0.0)
        count = sum(sessions[host, e] for e in targets)
        finding = shapes.ShapeFinding(host, min(score, 1.0), targets, fan, count)
        if finding.score >= threshold:
            findings.append(finding)
    return sorted(findings, key=lambda f: (-f.score, f.host))


@pytest.mark.parametrize("threshold", [0.0, 0.5, 0.95])
def test_it_counts_sessions_endpoints_and_fan_in_as_written_plainly(threshold):
    rng = np.random.default_rng(31)
    names = [f"10.0.{i // 250}.{i % 250}" for i in range(300)] + ["主机", "host-ü", "Zeta", "alpha"]
    targets = [f"45.76.{i}.1:{port}" for i in range(40) for port in (443, 3333)] + ["ß:1", "A:2"]
    hosts = [names[i] for i in rng.integers(0, len(names), 4_000)]
    endpoints = [targets[i] for i in rng.integers(0, len(targets), 4_000)]
    expected = _findings_by_dicts(hosts, endpoints, threshold)
    assert len(expected) > 10
    assert shapes.session_findings(hosts, endpoints, threshold) == expected
    arrays = pa.array(hosts), pa.array(endpoints)
    assert shapes.session_findings(*arrays, threshold) == expected
    encoded = pc.dictionary_encode(arrays[0]), pc.dictionary_encode(arrays[1])
    assert shapes.session_findings(*encoded, threshold) == expected
    assert shapes.session_findings([], [], threshold) == []
