"""Detection on real captures (nDPI test suite and zeek-cryptomining; see data/pcaps/SOURCES.md)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from minesweep.detection.network.pools import default_pool_list
from minesweep.detection.network.report import CRYPTO_P2P, MINING, HostRecord, scan_host_records
from minesweep.detection.network.scanner import scan_captures

PCAPS = Path(__file__).parent / "data" / "pcaps"
NDPI = PCAPS / "ndpi"
ZEEK = PCAPS / "zeek-cryptomining"
NDPI_FLOW = re.compile(
    r"^\s*\d+\s+(?P<l4>TCP|UDP)\s+(?P<a>[\d.]+):(?P<ap>\d+)\s+<->\s+(?P<b>[\d.]+):(?P<bp>\d+)\s+"
    r"\[proto: (?P<proto>[^\]]+)\].*?\[cat: (?P<cat>[^\]]+)\](?P<rest>.*)$"
)
EVERYDAY = [
    "443-chrome.pcap",
    "443-curl.pcap",
    "alicloud.pcap",
    "bittorrent_utp.pcap",
    "dingtalk.pcap",
    "dns.pcap",
    "ftp.pcap",
    "http.pcapng",
    "iqiyi.pcap",
    "irc.pcap",
    "jsonrpc.pcap",
    "kafka.pcapng",
    "mqtt.pcap",
    "mysql.pcapng",
    "nats.pcap",
    "openvpn.pcap",
    "quic-29.pcap",
    "rdp.pcap",
    "smtp.pcap",
    "ssh.pcap",
    "telegram.pcap",
    "tor.pcap",
    "wechat.pcap",
]
#: The protocol family a session of nDPI's reported currency is expected to use.
FAMILY_BY_CURRENCY = {"ZCash": "stratum:", "Ethereum": "eth-proxy:", "ZCash/Monero": "xmrig:"}


@cache
def records_of(*paths: Path) -> tuple[HostRecord, ...]:
    return tuple(scan_host_records(scan_captures(paths), default_pool_list()))


def ndpi_mining_flows(out_file: Path) -> list[dict[str, str]]:
    """Flows whose nDPI verdict (proto or category) says Mining."""
    flows = []
    for line in out_file.read_text().splitlines():
        match = NDPI_FLOW.match(line)
        if match and ("Mining" in match["proto"] or match["cat"].startswith("Mining")):
            currency = re.search(r"\[currency: ([^\]]+)\]", match["rest"])
            flows.append({**match.groupdict(), "currency": currency[1] if currency else ""})
    return flows


def record_for(records: tuple[HostRecord, ...], host: str) -> HostRecord:
    found = [r for r in records if r.host == host]
    assert found, f"no record for {host}: {[r.host for r in records]}"
    return found[0]


def pool_entry(record: HostRecord, address: str) -> dict:
    pools = {p["address"]: p for p in record.evidence["pools"]}
    assert address in pools, f"{address} not in {list(pools)}"
    return pools[address]


def test_it_parses_the_ndpi_verdicts_it_checks_against():
    flows = ndpi_mining_flows(NDPI / "mining.pcapng.out")
    assert len(flows) == 4
    assert {f["currency"] for f in flows} == set(FAMILY_BY_CURRENCY)


@pytest.mark.parametrize(
    "flow", ndpi_mining_flows(NDPI / "mining.pcapng.out"), ids=lambda f: f"{f['b']}:{f['bp']}"
)
def test_it_finds_every_ndpi_mining_flow_with_method_and_pool(flow):
    records = records_of(NDPI / "mining.pcapng")
    record = record_for(records, flow["a"])
    assert record.kind == MINING and record.score >= 0.9
    pool = pool_entry(record, f"{flow['b']}:{flow['bp']}")
    family = FAMILY_BY_CURRENCY[flow["currency"]]
    assert any(method.startswith(family) for method in pool["methods"]), pool["methods"]


def test_it_extracts_what_an_investigator_needs_from_stratum():
    record = record_for(records_of(NDPI / "mining.pcapng"), "192.168.2.148")
    evidence = record.evidence
    assert "EWBF 0.3.4b" in evidence["miner_software"]
    assert {"rig4", "c1"} <= set(evidence["workers"])
    assert {"address": "t1fAhZF5aUJdY7CikGULHmeYk7id8qmvbAd", "coin": "zcash"} in evidence["wallets"]
    pool = pool_entry(record, "94.23.199.191:3333")
    assert pool["names"] == ["eu1-zcash.flypool.org"] and pool["pool"] == "Flypool"
    assert pool["shares"] > 0 and evidence["shares"] >= pool["shares"]
    assert record.first_seen.startswith("2017-12-25T") and record.first_seen < record.last_seen


def test_it_reads_xmrig_and_eth_proxy_logins():
    records = records_of(NDPI / "mining.pcapng")
    xmr = record_for(records, "192.168.2.92").evidence
    assert "xmr-stak-cpu/1.3.0-1.5.0" in xmr["miner_software"]
    assert any(w["coin"] == "monero" for w in xmr["wallets"])
    assert xmr["workers"] == ["ryzen"]
    assert xmr["methods"]["xmrig:submit"] == xmr["shares"] > 0
    eth = record_for(records, "147.229.13.222").evidence
    assert {"address": "0x9c99d212f7e5daa18ab50810e0fd255d1f04303b", "coin": "ethereum"} in eth["wallets"]
    assert "eth1.0" in eth["workers"]
    assert "eth-proxy:eth_submitLogin" in eth["methods"]


def test_it_finds_bfgminer_stratum_and_getblocktemplate_over_http():
    record = record_for(records_of(ZEEK / "bitcoin-mining.pcap"), "10.0.2.15")
    evidence = record.evidence
    assert record.kind == MINING
    assert {"getwork:getblocktemplate", "getwork:getwork", "stratum:mining.subscribe"} <= set(
        evidence["methods"]
    )
    assert "bfgminer/5.2.0" in evidence["miner_software"]
    assert "Bigsky" in evidence["accounts"]
    pool = pool_entry(record, "113.21.199.11:3333")
    assert "us1.bitminter.com" in pool["names"] and pool["pool"] == "BitMinter"


def test_it_finds_a_stratum_session_joined_in_progress():
    record = record_for(records_of(ZEEK / "bitcoin-mining-in-progress.pcap"), "10.0.2.15")
    pool = pool_entry(record, "74.84.128.158:3333")
    assert "stratum:mining.notify" in pool["methods"]
    assert record.kind == MINING


def test_it_finds_the_coinhive_xmr_login_and_its_pool_name_from_dns():
    record = record_for(records_of(ZEEK / "coinhive-stratum.pcap"), "10.0.2.15")
    pool = pool_entry(record, "192.110.160.114:3333")
    assert "xmrig:login" in pool["methods"]
    assert pool["names"] == ["la01.supportxmr.com"] and pool["pool"] == "SupportXMR"
    assert {w["address"][:6] for w in record.evidence["wallets"]} == {"46WNbm", "46BeWr"}


def test_it_finds_browser_mining_by_tls_server_name():
    record = record_for(records_of(ZEEK / "coinhive.pcap"), "10.0.2.15")
    assert record.kind == MINING
    assert "pool_name_confirmed" in [r["code"] for r in record.evidence["reasons"]]
    names = {name for pool in record.evidence["pools"] for name in pool["names"]}
    assert "authedmine.com" in names


@pytest.mark.parametrize("capture", ["bitcoin.pcap", "ethereum.pcap"])
def test_it_reports_crypto_nodes_as_p2p_not_mining(capture):
    records = records_of(NDPI / capture)
    assert records, "node traffic should be reported"
    assert all(r.kind == CRYPTO_P2P for r in records)
    assert [r.host for r in records] == [
        {"bitcoin.pcap": "192.168.1.142", "ethereum.pcap": "192.168.1.184"}[capture]
    ]


@pytest.mark.parametrize("capture", EVERYDAY)
def test_it_finds_no_mining_in_everyday_captures(capture):
    assert [r.as_dict() for r in records_of(NDPI / capture) if r.kind == MINING] == []


def test_it_gives_the_same_records_from_the_fast_classic_pcap_path_and_the_generic_path(tmp_path):
    from minesweep.detection.network.pcap import ReadStats, read_frames, read_packets
    from minesweep.detection.network.scanner import CaptureScanner
    from minesweep.detection.network.synthetic import write_pcap

    sources = [
        NDPI / "mining.pcapng",
        NDPI / "wechat.pcap",
        ZEEK / "coinhive-stratum.pcap",
        NDPI / "bitcoin.pcap",
    ]
    frames = [(ts, frame) for path in sources for ts, _, frame in read_frames(path, ReadStats())]
    classic = write_pcap(tmp_path / "all.pcap", frames)
    scanner = CaptureScanner()
    for packet in read_packets(classic, scanner.out.stats):  # decode every frame, no fast path
        scanner.add_packet(packet)
    generic = [r.as_dict() for r in scan_host_records(scanner.result(), default_pool_list())]
    fast = [r.as_dict() for r in scan_host_records(scan_captures([classic]), default_pool_list())]
    assert len(generic) >= 5
    assert fast == generic
