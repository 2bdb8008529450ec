"""Flow records without payload: reading, pool matching and scoring (network detection)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from minesweep.detection.network.flows import (
    REQUIRED_COLUMNS,
    FlowFileError,
    HostFlowEvidence,
    finite,
    match_names,
    normalise_flows,
    read_flow_file,
    rows_in,
)
from minesweep.detection.network.pools import PoolList, default_pool_list
from minesweep.detection.network.report import (
    CRYPTO_P2P,
    LAST_ISO_SECOND,
    MINING,
    WEIGHTS,
    HostEvidence,
    _records,
    flow_evidence_records,
    flow_host_records,
    iso_utc,
    iso_utc_many,
)

T0 = 1_700_000_000.0
COLUMNS = [*REQUIRED_COLUMNS, "sni", "dns_query", "dns_answers"]


def row(
    src,
    dst,
    dport,
    start=T0,
    duration=10.0,
    packets=10,
    volume=1500,
    proto="tcp",
    sni="",
    dns_query="",
    dns_answers="",
):
    return [
        start,
        start + duration,
        src,
        40000,
        dst,
        dport,
        proto,
        packets,
        volume,
        sni,
        dns_query,
        dns_answers,
    ]


def write_csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def records_by_host(path: Path) -> dict:
    table, _ = read_flow_file(path)
    return {r.host: r for r in flow_host_records(table, default_pool_list())}


def test_it_flags_a_host_connecting_to_a_pool_named_by_sni(tmp_path):
    hosts = records_by_host(
        write_csv(tmp_path / "f.csv", [row("10.0.0.5", "51.15.1.1", 443, sni="asia-erg.2miners.com")])
    )
    assert hosts["10.0.0.5"].kind == MINING
    pool = hosts["10.0.0.5"].evidence["pools"][0]
    assert pool == {**pool, "address": "51.15.1.1:443", "names": ["asia-erg.2miners.com"], "pool": "2Miners"}


def test_it_maps_addresses_to_pool_names_through_dns_answers_in_the_same_data(tmp_path):
    rows = [
        row(
            "10.0.0.6",
            "10.0.0.1",
            53,
            proto="udp",
            dns_query="eu1-zcash.flypool.org",
            dns_answers="94.23.199.191",
        ),
        row("10.0.0.6", "94.23.199.191", 3333, duration=1200, packets=300, volume=40000),
    ]
    record = records_by_host(write_csv(tmp_path / "f.csv", rows))["10.0.0.6"]
    reasons = {r["code"] for r in record.evidence["reasons"]}
    assert {"pool_name_confirmed", "long_lived_low_volume", "mining_port"} <= reasons
    assert record.evidence["pools"][0]["address"] == "94.23.199.191:3333"
    assert record.evidence["flows"]["pool_lookups"] == 1


def test_it_does_not_call_flow_shape_alone_mining(tmp_path):
    rows = [
        row("10.0.0.7", "198.51.100.1", 3333, start=T0 + 60 * i, duration=900, packets=100, volume=9000)
        for i in range(10)
    ]
    assert records_by_host(write_csv(tmp_path / "f.csv", rows)) == {}


def test_it_scores_shape_on_top_of_a_weak_name_match(tmp_path):
    candidate = next(
        e.host
        for e in default_pool_list().endpoints
        if e.confidence == "candidate" and not e.host[0].isdigit()
    )
    rows = [
        row(
            "10.0.0.8",
            "198.51.100.2",
            3333,
            start=T0 + 30 * i,
            duration=900,
            packets=60,
            volume=6000,
            sni=candidate,
        )
        for i in range(6)
    ]
    record = records_by_host(write_csv(tmp_path / "f.csv", rows))["10.0.0.8"]
    assert record.kind == MINING and 0.5 <= record.score < 0.9
    assert record.evidence["flows"]["periodic_pairs"] == 1


def test_it_reports_many_bitcoin_peers_as_p2p_not_mining(tmp_path):
    rows = [row("10.0.0.9", f"203.0.113.{i}", 8333, duration=600, volume=500000) for i in range(1, 6)]
    record = records_by_host(write_csv(tmp_path / "f.csv", rows))["10.0.0.9"]
    assert record.kind == CRYPTO_P2P


def test_it_skips_malformed_rows_and_counts_them(tmp_path):
    path = write_csv(tmp_path / "f.csv", [row("10.0.0.5", "51.15.1.1", 443, sni="erg.2miners.com")])
    with open(path, "a") as handle:
        handle.write("not,enough,columns\n")
        handle.write(f"{T0},{T0},10.0.0.5,1,1.2.3.4,notaport,tcp,1,1,,,\n")
    table, stats = read_flow_file(path)
    assert table.num_rows == 1
    assert stats.skipped_rows == 2 and stats.rows == 3


def test_it_reads_parquet_with_iso_timestamps(tmp_path):
    table = pa.table(
        {
            "ts_start": ["2026-01-01T08:00:00+08:00"],
            "ts_end": ["2026-01-01T00:10:00Z"],
            "src_ip": ["10.0.0.5"],
            "src_port": [1],
            "dst_ip": ["1.1.1.1"],
            "dst_port": [443],
            "proto": [6],
            "packets": [1],
            "bytes": [100],
        }
    )
    pq.write_table(table, tmp_path / "f.parquet")
    flows, _ = read_flow_file(tmp_path / "f.parquet")
    assert flows["ts_start"].to_pylist() == [1767225600.0]
    assert flows["ts_end"].to_pylist() == [1767226200.0]


def test_it_rejects_a_file_without_the_required_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(FlowFileError, match="missing columns"):
        read_flow_file(path)


def test_it_matches_each_distinct_name_once_per_row():
    names = pa.chunked_array([["erg.2miners.com", None, "www.example.com", "erg.2miners.com"]])
    indices, matches = match_names(names, default_pool_list())
    assert indices[0] == indices[3] >= 0 and indices[1] == -1 and indices[2] == -1
    assert matches[indices[0]].pool_name == "2Miners"


def test_it_matches_a_name_as_written_like_its_normal_form_every_time():
    pools = PoolList(default_pool_list().endpoints)  # a fresh list: nothing remembered yet
    for text in (" ERG.2miners.com. ", "erg.2miners.com", "Pool.Example.org", "", "www.2miners.com"):
        expected = default_pool_list()._match_name(text.strip().lower().rstrip("."))
        assert pools.match_text(text) == expected and pools.match_text(text) == expected
    assert pools.match_text(" ERG.2miners.com. ") is not None


def test_it_normalises_protocol_names_and_drops_rows_without_addresses():
    raw = pa.table({c: [None] for c in COLUMNS[:9]})
    assert normalise_flows(raw).num_rows == 0
    raw = pa.table(
        {
            "ts_start": [T0],
            "ts_end": [T0],
            "src_ip": ["1.1.1.1"],
            "src_port": [1],
            "dst_ip": ["2.2.2.2"],
            "dst_port": [2],
            "proto": ["UDP"],
            "packets": [1],
            "bytes": [1],
        }
    )
    assert normalise_flows(raw)["proto"].to_pylist() == [17]


@pytest.mark.parametrize("rows", [0, 3])
def test_it_gives_absent_text_columns_as_the_dictionary_encoding_of_nulls(rows):
    raw = pa.table({c: pa.array([T0 if c.startswith("ts") else 1] * rows) for c in REQUIRED_COLUMNS})
    raw = raw.set_column(2, "src_ip", pa.array(["1.1.1.1"] * rows)).set_column(
        4, "dst_ip", pa.array(["2.2.2.2"] * rows)
    )
    table = normalise_flows(raw, keep_dictionaries=True)
    nulls = pc.dictionary_encode(pa.chunked_array([pa.nulls(rows, pa.string())]))
    for name in ("sni", "dns_query", "dns_answers"):
        assert table[name].type == nulls.type
        assert table[name].equals(nulls)
        assert table[name].null_count == rows


def test_it_reads_epoch_seconds_in_exponent_notation(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(
        "ts_start,ts_end,src_ip,src_port,dst_ip,dst_port,proto,packets,bytes\n"
        "1.7e9,1.7000009E9,10.0.0.1,1,10.0.0.2,3333,6,5,500\n"
    )
    table, stats = read_flow_file(path)
    assert table["ts_start"].to_pylist() == [1.7e9] and table["ts_end"].to_pylist() == [1700000900.0]
    assert stats.skipped_rows == 0


def _varied_flow_evidence(pools: PoolList) -> list[HostFlowEvidence]:
    """Flow evidence of every shape the scoring tells apart: pool names (confirmed or not), listed IP
    endpoints, lookups only, P2P ports, flow shape only, nothing, a host given twice."""
    names = [e.host for e in pools.endpoints if not e.host[0].isdigit()]
    listed_ip, listed_port = sorted((h, p) for h, p in pools.ip_ports if p is not None)[0]
    match = {name: pools.match_name(name) for name in names[:40]}
    rng = np.random.default_rng(11)
    result = []
    for index in range(400):
        chosen = [n for n in names[:40] if rng.random() < 0.05 and match[n] is not None]
        endpoints: dict[str, set[str]] = {f"203.0.113.{index % 200}:{3333 + index % 3}": set(chosen)}
        if index % 7 == 0:
            endpoints[f"{listed_ip}:{listed_port}"] = set()
        if index % 5 == 0:
            endpoints = {}
        looked_up = [n for n in names[40:80] if rng.random() < 0.03]
        result.append(
            HostFlowEvidence(
                host=f"10.9.{index // 256}.{index % 256}",
                first_seen=T0 + float(rng.uniform(0, 86_400)),
                last_seen=T0 + 86_400 + float(rng.uniform(0, 86_400)),
                flows=int(rng.integers(1, 900)),
                pool_connections=len(chosen),
                pool_lookups=len(looked_up),
                endpoint_connections=int(index % 7 == 0),
                long_lived_low_volume=int(rng.integers(0, 3)),
                periodic_pairs=int(rng.integers(0, 3)),
                p2p_peers=int(rng.integers(0, 5)),
                mining_port_flows=int(rng.integers(0, 3)),
                pool_matches={n: match[n] for n in chosen if index % 2},  # type: ignore[misc]
                lookup_matches={n: m for n in looked_up if (m := pools.match_name(n)) is not None},
                pool_endpoints=endpoints,
            )
        )
    return [*result, result[3]]


@pytest.mark.parametrize("threshold", [0.5, 0.3])
def test_it_scores_flow_evidence_as_the_general_host_scoring_does(threshold):
    pools = default_pool_list()
    evidence = _varied_flow_evidence(pools)
    weights = {**WEIGHTS, "p2p_ports": 0.55, "pool_lookup": 0.35}
    hosts = {item.host: HostEvidence(item.host, flow=item) for item in evidence}
    general = [r.as_dict() for r in _records(hosts, pools, threshold, weights)]
    fast = [r.as_dict() for r in flow_evidence_records(evidence, pools, threshold, weights)]
    assert fast == general
    assert {r["kind"] for r in fast} == {MINING, CRYPTO_P2P}
    assert {r["evidence"]["reasons"][0]["code"] for r in fast} >= {
        "pool_name_confirmed",
        "pool_endpoint",
        "p2p_ports",
    }
    assert 0 < len(fast) < len(hosts)


@pytest.mark.parametrize(
    "values", [[1.5, -2.0, 3e300], [1.5, np.nan, 2.0], [np.inf, 1.0], [-np.inf, np.nan, 0.0], []]
)
def test_it_makes_values_finite_as_numpy_does(values):
    array = np.array(values, dtype=np.float64)
    result = finite(array)
    assert np.array_equal(result, np.nan_to_num(array))
    assert np.isfinite(result).all()


def test_it_writes_many_times_as_iso_utc_writes_each_rounding_microseconds_alike():
    rng = np.random.default_rng(12)
    ties = np.round(rng.uniform(0, 2e9, 3_000) * 1e6) / 1e6 + 0.5e-6  # halfway between microseconds
    edges = [0.0, 1.5e-6, 2.5e-6, 86_399.9999996, 1_700_000_000.9999995, LAST_ISO_SECOND - 1.5]
    usual = [*rng.uniform(1.6e9, 1.8e9, 3_000).tolist(), *ties.tolist(), *edges]
    assert iso_utc_many(usual) == [iso_utc(value) for value in usual]
    odd = [float("nan"), float("inf"), -float("inf"), -1.0, LAST_ISO_SECOND - 0.0000001, 1e300]
    assert iso_utc_many(odd) == [None] * len(odd)  # left to iso_utc, which raises or writes them


@pytest.mark.parametrize("values", [["45.76.0.1", "8.8.8.8"], ["192.0.2.99"], []])
def test_it_finds_the_rows_among_values_as_is_in_does_for_dictionary_and_plain_columns(values):
    texts = ["45.76.0.1", None, "10.0.0.1", "45.76.0.1", "8.8.8.8", None, "10.0.0.2"]
    plain = pa.chunked_array([texts[:3], texts[3:]], pa.string())
    expected = [text is not None and text in values for text in texts]
    listed = pa.array(values, pa.string())
    assert rows_in(plain, listed).tolist() == expected
    assert rows_in(pc.dictionary_encode(plain), listed).tolist() == expected
    assert rows_in(pc.dictionary_encode(pc.drop_null(plain)), listed).tolist() == [
        text in values for text in texts if text is not None
    ]
