"""Flow scoring in partitions: streamed row groups, local and Dask engines, same records as one table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from minesweep.detection.network import pools
from minesweep.detection.network.flowparts import host_partition, partition_flows, score_partitions, text_hash
from minesweep.detection.network.flows import read_flow_file
from minesweep.detection.network.report import flow_host_records


def _flows(rows: int, seed: int = 3) -> pa.Table:
    """Ordinary traffic of 800 hosts plus pool traffic, half of it known only through DNS answers."""
    rng = np.random.default_rng(seed)
    pool_names = [e.host for e in pools.default_pool_list().endpoints if not e.host[0].isdigit()][:20]
    names = np.array([f"www{i}.example.com" for i in range(300)] + pool_names, dtype=object)
    weights = np.r_[np.full(300, 0.97 / 300), np.full(len(pool_names), 0.03 / len(pool_names))]
    hosts = np.array([f"10.0.{i // 256}.{i % 256}" for i in range(800)], dtype=object)
    servers = np.array([f"198.51.100.{i % 250}" for i in range(250)], dtype=object)
    start = 1_700_000_000 + rng.uniform(0, 86_400, rows)
    port = rng.choice([443, 80, 53, 3333, 8333], rows, p=[0.55, 0.2, 0.15, 0.07, 0.03])
    sni = names[rng.choice(len(names), rows, p=weights)]
    sni[(rng.random(rows) < 0.5) | (port == 53)] = None
    query = names[rng.choice(len(names), rows, p=weights)]
    query[port != 53] = None
    answers = servers[rng.integers(0, len(servers), rows)]
    answers[port != 53] = None
    return pa.table(
        {
            "ts_start": start,
            "ts_end": start + rng.exponential(400, rows),
            "src_ip": pa.array(hosts[rng.integers(0, len(hosts), rows)], pa.string()),
            "src_port": rng.integers(1024, 65535, rows),
            "dst_ip": pa.array(servers[rng.integers(0, len(servers), rows)], pa.string()),
            "dst_port": port,
            "proto": np.full(rows, 6),
            "packets": rng.integers(1, 400, rows),
            "bytes": rng.integers(60, 200_000, rows),
            "sni": pa.array(sni, pa.string()),
            "dns_query": pa.array(query, pa.string()),
            "dns_answers": pa.array(answers, pa.string()),
        }
    )


@pytest.fixture(scope="module")
def flow_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("flows") / "flows.parquet"
    pq.write_table(_flows(30_000), path, row_group_size=4_000)  # eight row groups
    return path


def _as_rows(records) -> list[dict]:  # type: ignore[no-untyped-def]
    return [r.as_dict() for r in records]


def test_it_scores_partitions_exactly_as_the_whole_table_on_both_engines(flow_file, tmp_path):
    table, _ = read_flow_file(flow_file)
    whole = _as_rows(flow_host_records(table, pools.default_pool_list()))
    assert len(whole) > 20  # miners through SNI, DNS answers and listed endpoints
    for count in (1, 3, 7):
        parts = partition_flows(flow_file, tmp_path / f"p{count}", count, batch_rows=2_500)
        assert parts.rows == parts.kept == 30_000 and len(parts.paths) == count
        assert _as_rows(score_partitions(parts, "local", workers=2)) == whole
        assert _as_rows(score_partitions(parts, "dask", workers=2)) == whole


def test_it_streams_in_batches_and_keeps_every_host_in_one_partition(flow_file, tmp_path):
    parts = partition_flows(flow_file, tmp_path / "p", 5, batch_rows=1_000)
    seen: dict[str, int] = {}
    for index, path in enumerate(parts.paths):
        for host in set(pq.read_table(path, columns=["src_ip"])["src_ip"].to_pylist()):
            assert seen.setdefault(host, index) == index
    assert len(seen) == 800 and parts.address_names  # DNS answers gathered across batches


def _reference_hash(text: str) -> int:
    """:func:`flowparts.text_hash` written out byte by byte in plain Python."""
    mask = (1 << 64) - 1
    value = 0
    for position, byte in enumerate(text.encode()):
        value = (value + (byte + 1) * pow(1_099_511_628_211, position + 1, 1 << 64)) & mask
    value ^= len(text.encode())
    value ^= value >> 30
    value = (value * 0xBF58476D1CE4E5B9) & mask
    value ^= value >> 27
    value = (value * 0x94D049BB133111EB) & mask
    return value ^ (value >> 31)


def test_it_hashes_each_text_by_its_bytes_alone():
    rng = np.random.default_rng(11)
    alphabet = list("0123456789abcdef.:")
    texts = [
        "",
        "10.0.0.1",
        "一二.example",
        *("".join(rng.choice(alphabet, rng.integers(0, 40))) for _ in range(300)),
    ]
    hashes = text_hash(pa.array(texts))
    assert [int(h) for h in hashes] == [_reference_hash(t) for t in texts]
    shifted = text_hash(pa.array(["x", *texts]).slice(1))  # an offset into the buffers changes nothing
    assert (shifted == hashes).all()
    assert len(set(hashes.tolist())) == len(set(texts))


def test_it_puts_a_host_in_the_same_partition_whatever_its_batch_dictionary():
    first = pa.array(["10.0.0.1", "10.0.0.2", "10.0.0.3"]).dictionary_encode()
    second = pa.array(["10.0.0.3", "10.0.0.9", "10.0.0.1"])
    assert host_partition(first, 7)[[0, 2]].tolist() == host_partition(second, 7)[[2, 0]].tolist()
    assert host_partition(pa.chunked_array([first.dictionary, second]), 7).tolist() == [
        *host_partition(first, 7).tolist(),
        *host_partition(second, 7).tolist(),
    ]


def test_it_streams_a_folder_whose_files_differ_in_optional_columns(tmp_path):
    table = _flows(6_000, seed=5)
    folder = tmp_path / "flows"
    folder.mkdir()
    pq.write_table(table.slice(0, 3_000), folder / "a.parquet", row_group_size=1_000)
    plain = table.slice(3_000).drop_columns(["sni", "dns_answers"])  # an exporter without names
    pq.write_table(plain, folder / "b.parquet")
    whole, _ = read_flow_file(folder)
    parts = partition_flows(folder, tmp_path / "p", 3, batch_rows=1_000)
    assert parts.rows == 6_000
    expected = _as_rows(flow_host_records(whole, pools.default_pool_list()))
    assert expected and _as_rows(score_partitions(parts, "local", workers=1)) == expected
