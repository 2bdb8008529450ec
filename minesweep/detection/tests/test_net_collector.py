"""NetFlow v5/v9 and IPFIX collector over loopback (network detection). Sends to 127.0.0.1 only."""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minesweep.detection.network import collector as collector_module
from minesweep.detection.network.addresses import SOURCE_IPV6, SOURCE_NUMBERS
from minesweep.detection.network.collector import FlowCollector, parquet_layout, serve
from minesweep.detection.network.exporters import ipfix_packets, netflow_v5_packets, netflow_v9_packets
from minesweep.detection.network.flows import read_flow_file

T0 = 1_700_000_000


def flow_records(count: int, subnet: int) -> list[dict]:
    return [
        {
            "ts_start": T0 + i,
            "ts_end": T0 + i + 30,
            "src_ip": f"10.{subnet}.{i // 250}.{i % 250 + 1}",
            "src_port": 10000 + i,
            "dst_ip": "198.51.100.7",
            "dst_port": 3333,
            "proto": 6,
            "packets": 10 + i,
            "bytes": 1000 + i,
        }
        for i in range(count)
    ]


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RunningCollector:
    """A collector thread on a free loopback port."""

    def __init__(self, out_dir: Path, **options) -> None:
        self.port = free_udp_port()
        self.stop = threading.Event()
        ready = threading.Event()
        self.result: dict = {}
        self.thread = threading.Thread(
            target=lambda: self.result.update(
                stats=serve(f"127.0.0.1:{self.port}", out_dir, stop=self.stop, ready=ready, **options)
            ),
            daemon=True,
        )
        self.thread.start()
        assert ready.wait(5)

    def send(self, packets) -> int:
        sent = 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for packet in packets:
                sender.sendto(packet, ("127.0.0.1", self.port))
                sent += 1
        return sent

    def finish(self):
        time.sleep(0.3)
        self.stop.set()
        self.thread.join(10)
        return self.result["stats"]


def stored_rows(out_dir: Path) -> list[dict]:
    return [
        row for path in sorted(out_dir.glob("flows-*.parquet")) for row in pq.read_table(path).to_pylist()
    ]


def test_it_stores_every_netflow_v9_and_ipfix_record_sent_over_loopback(tmp_path):
    running = RunningCollector(tmp_path, rotate_records=500)
    v9 = flow_records(1200, subnet=9)
    ipfix = flow_records(1100, subnet=10)
    running.send(netflow_v9_packets(v9, export_time=T0 + 100, source_id=7))
    running.send(ipfix_packets(ipfix, export_time=T0 + 100, domain=3))
    stats = running.finish()
    rows = stored_rows(tmp_path)
    assert len(rows) == stats.written_records == 2300
    key = lambda r: (r["src_ip"], r["src_port"], r["dst_ip"], r["dst_port"], r["packets"], r["bytes"])  # noqa: E731
    assert sorted(key(r) for r in rows) == sorted(key(r) for r in v9 + ipfix)
    by_source = {(r["src_ip"], r["src_port"]): r for r in rows}
    assert by_source[("10.9.0.1", 10000)]["ts_start"] == pytest.approx(T0, abs=0.002)
    assert by_source[("10.10.0.1", 10000)]["ts_end"] == pytest.approx(T0 + 30, abs=0.002)
    assert len(list(tmp_path.glob("flows-*.parquet"))) >= 4
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["written_records"] == 2300 and state["dropped_packets"] == {}


def test_it_holds_data_that_arrives_before_its_template(tmp_path):
    running = RunningCollector(tmp_path)
    records = flow_records(100, subnet=11)
    data_only = list(netflow_v9_packets(records, export_time=T0, source_id=1, with_template=False))
    running.send(data_only)
    running.send(netflow_v9_packets(records[:1], export_time=T0, source_id=1))
    stats = running.finish()
    assert stats.written_records == 101
    assert stats.dropped_packets == {}


def test_it_counts_garbage_and_unknown_templates_without_crashing(tmp_path):
    running = RunningCollector(tmp_path)
    garbage = [
        b"",
        b"\x00",
        b"\x00\x09" + b"\xff" * 30,
        b"\x00\x0a" + b"\x00" * 40,
        b"hello world, not netflow",
        b"\x00\x05\x00\x10" + b"\x01" * 10,
    ]
    running.send(garbage)
    running.send(ipfix_packets(flow_records(10, subnet=12), export_time=T0, domain=9, with_template=False))
    running.send(netflow_v5_packets(flow_records(45, subnet=13), export_time=T0 + 60))
    stats = running.finish()
    assert stats.written_records == 45
    assert stats.dropped_packets["unknown_template"] == 1
    assert sum(stats.dropped_packets.values()) >= 4
    assert stats.received_packets == len(garbage) + 1 + 2
    assert stats.dropped_packets["too_short"] == 2 and stats.kernel_dropped_datagrams == 0


def test_it_continues_with_new_files_and_cumulative_counts_after_a_restart(tmp_path):
    first = FlowCollector(tmp_path, rotate_records=50)
    for packet in netflow_v9_packets(flow_records(120, subnet=14), export_time=T0):
        first.handle_datagram(packet, "127.0.0.1")
    first.close()
    names_before = sorted(p.name for p in tmp_path.glob("flows-*.parquet"))
    (tmp_path / "flows-000099.parquet.tmp").write_bytes(b"interrupted")
    second = FlowCollector(tmp_path, rotate_records=50)
    for packet in netflow_v9_packets(flow_records(30, subnet=15), export_time=T0):
        second.handle_datagram(packet, "127.0.0.1")
    stats = second.close()
    names_after = sorted(p.name for p in tmp_path.glob("flows-*.parquet"))
    assert names_after[: len(names_before)] == names_before and len(names_after) == len(names_before) + 1
    assert stats.written_records == 150 and stats.runs == 2
    assert not list(tmp_path.glob("*.tmp"))
    table, _ = read_flow_file(tmp_path)
    assert table.num_rows == 150


def test_it_writes_the_layout_flow_scoring_reads_fastest(tmp_path):
    collector = FlowCollector(tmp_path, rotate_records=1_000)
    for packet in ipfix_packets(flow_records(40, subnet=16), export_time=T0):
        collector.handle_datagram(packet, "127.0.0.1")
    collector.close()
    (path,) = tmp_path.glob("flows-*.parquet")
    metadata = pq.ParquetFile(path).metadata.row_group(0)
    columns = {metadata.column(i).path_in_schema: metadata.column(i) for i in range(metadata.num_columns)}
    uncompressed = {"ts_start", "ts_end", "packets", "bytes"}
    assert {columns[c].compression for c in uncompressed} == {"UNCOMPRESSED"}
    assert {c.compression for n, c in columns.items() if n not in uncompressed} <= {"LZ4", "LZ4_RAW"}
    assert columns["src_ip"].has_dictionary_page and columns["dst_ip"].has_dictionary_page
    assert not columns["ts_start"].has_dictionary_page and not columns["bytes"].has_dictionary_page
    assert all(columns[c].has_dictionary_page for c in ("src_port", "dst_port", "proto"))
    assert all("DELTA_BINARY_PACKED" in columns[c].encodings for c in ("packets", "bytes"))
    assert read_flow_file(path)[0].num_rows == 40


def test_packed_counts_and_uncompressed_times_read_back_exactly(tmp_path):
    rng = np.random.default_rng(5)
    table = pa.table(
        {
            "ts_start": rng.uniform(1.7e9, 1.8e9, 5_000),
            "ts_end": rng.uniform(1.7e9, 1.8e9, 5_000),
            "packets": rng.integers(1, 1 << 20, 5_000),
            "bytes": np.r_[rng.integers(0, 1 << 62, 4_998), 0, (1 << 63) - 1],  # the extremes of int64
        }
    )
    pq.write_table(table, tmp_path / "flows.parquet", **parquet_layout(table.num_rows))
    assert pq.read_table(tmp_path / "flows.parquet").equals(table)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([b"\x00\x05", b"\x00\x09", b"\x00\x0a", b""]), st.binary(max_size=300))
def test_it_never_crashes_on_garbage_exports(tmp_path_factory, version, body):
    collector = FlowCollector(tmp_path_factory.mktemp("garbage"))
    for packet in netflow_v9_packets(flow_records(2, subnet=16), export_time=T0, source_id=5):
        collector.handle_datagram(packet, "127.0.0.1")
    for packet in ipfix_packets(flow_records(2, subnet=17), export_time=T0, domain=5):
        collector.handle_datagram(packet, "127.0.0.1")
    collector.handle_datagram(version + body, "127.0.0.1")
    collector.handle_datagram(version + b"\x00\x01" + b"\x00" * 12 + b"\x00\x00\x00\x05" + body, "127.0.0.1")
    stats = collector.close()
    assert stats.received_packets == 4
    assert stats.written_records >= 4


def test_it_writes_name_columns_other_exports_carry_as_dictionaries_too(tmp_path):
    table = pa.table(
        {
            "src_ip": ["10.0.0.1", "10.0.0.2"] * 50,
            "bytes": list(range(100)),
            "sni": ["pool.example.com", None] * 50,
            "dns_query": [None, "www.example.org"] * 50,
        }
    )
    pq.write_table(table, tmp_path / "named.parquet", **parquet_layout(table.num_rows))
    metadata = pq.ParquetFile(tmp_path / "named.parquet").metadata.row_group(0)
    dictionary = {metadata.column(i).path_in_schema: metadata.column(i).has_dictionary_page for i in range(4)}
    assert dictionary == {"src_ip": True, "bytes": False, "sni": True, "dns_query": True}


def test_it_stores_each_source_as_an_ipv4_number_or_ipv6_bytes_beside_its_text(tmp_path):
    collector = FlowCollector(tmp_path, rotate_records=1_000)
    for packet in netflow_v9_packets(flow_records(30, subnet=19), export_time=T0):
        collector.handle_datagram(packet, "127.0.0.1")
    collector._accept([(T0, T0 + 1.0, "2001:db8::7", 1, "198.51.100.7", 3333, 6, 1, 100)], "127.0.0.1")
    collector.close()
    table = pq.read_table(next(tmp_path.glob("flows-*.parquet")))
    assert table.schema.field(SOURCE_NUMBERS).type == pa.uint32()
    assert table.schema.field(SOURCE_IPV6).type == pa.binary(16)
    texts, numbers = table["src_ip"].to_pylist(), table[SOURCE_NUMBERS].to_pylist()
    assert len(texts) == 31 and texts[-1] == "2001:db8::7"
    assert numbers == [int(ipaddress.IPv4Address(t)) for t in texts[:-1]] + [None]
    assert table[SOURCE_IPV6].to_pylist() == [None] * 30 + [ipaddress.IPv6Address("2001:db8::7").packed]


def test_it_holds_records_as_arrow_batches_and_writes_each_file_as_one_row_group(tmp_path, monkeypatch):
    monkeypatch.setattr(collector_module, "BATCH_RECORDS", 7)
    collector = FlowCollector(tmp_path, rotate_records=30)
    records = flow_records(75, subnet=18)
    for packet in netflow_v9_packets(records, export_time=T0):
        collector.handle_datagram(packet, "127.0.0.1")
        assert len(collector.columns["ts_start"]) < 7 + 24  # a datagram carries up to 24 records
    stats = collector.close()
    files = sorted(tmp_path.glob("flows-*.parquet"))
    assert [pq.ParquetFile(f).metadata.num_row_groups for f in files] == [1] * len(files)
    assert all(pq.ParquetFile(f).metadata.num_rows <= 30 + 24 for f in files) and len(files) >= 2
    assert stats.written_records == 75
    table, _ = read_flow_file(tmp_path)
    columns = ("src_ip", "src_port", "bytes")
    written = list(zip(*(table[c].to_pylist() for c in columns), strict=True))
    assert written == [tuple(r[c] for c in columns) for r in records]  # every record, in arrival order
