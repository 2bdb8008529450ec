"""Malformed, random and truncated input never ends a scan (network detection)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minesweep.detection.network.names import parse_dns, parse_http_request_head, tls_client_hello_sni
from minesweep.detection.network.pcap import ReadStats, decode_frame, read_frames
from minesweep.detection.network.pools import default_pool_list
from minesweep.detection.network.protocols import classify_message
from minesweep.detection.network.report import MINING, scan_host_records
from minesweep.detection.network.scanner import CaptureScanner, scan_captures
from minesweep.detection.network.synthetic import tcp_frame, udp_frame
from minesweep.detection.tests.test_net_captures import NDPI, ZEEK

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MINING_PCAPNG = (NDPI / "mining.pcapng").read_bytes()
STRATUM_PCAP = (ZEEK / "bitcoin-mining.pcap").read_bytes()
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@FAST
@given(st.binary(max_size=400), st.sampled_from([0, 1, 101, 113, 228, 229, 276, 9999]))
def test_it_never_raises_on_random_frames(frame, linktype):
    stats = ReadStats()
    decode_frame(0.0, linktype, frame, stats)


@FAST
@given(st.binary(max_size=2000))
def test_it_never_raises_on_random_payload_parsers(data):
    tls_client_hello_sni(data)
    tls_client_hello_sni(b"\x16\x03\x01" + data)
    parse_dns(data)
    parse_http_request_head(b"POST / HTTP/1.1\r\n" + data + b"\r\n\r\n")


@FAST
@given(
    JSON_VALUES,
    st.sampled_from(
        ["mining.subscribe", "mining.authorize", "login", "submit", "job", "eth_submitLogin", "getwork"]
    ),
)
def test_it_never_raises_on_odd_json_rpc_params(params, method):
    classify_message({"id": 1, "method": method, "params": params, "worker": params})


@FAST
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2**32 - 1),
            st.binary(max_size=300),
            st.sampled_from([0x02, 0x10, 0x12, 0x18, 0x01]),
        ),
        max_size=30,
    )
)
def test_it_never_raises_on_random_tcp_segments(segments):
    scanner = CaptureScanner()
    stats = ReadStats()
    for i, (seq, payload, flags) in enumerate(segments):
        for frame in (
            tcp_frame("10.0.0.1", 40000, "10.0.0.2", 3333 if i % 2 else 30303, seq, payload, flags),
            tcp_frame("10.0.0.2", 3333, "10.0.0.1", 40000, seq, b"{" + payload + b"\n", flags),
            udp_frame("10.0.0.3", 53, "10.0.0.1", 5353, payload),
            udp_frame("10.0.0.3", 30303, "10.0.0.1", 30303, payload),
        ):
            packet = decode_frame(float(i), 1, frame, stats)
            if packet is not None:
                scanner.add_packet(packet)
    scan_host_records(scanner.result(), default_pool_list())


@FAST
@given(st.integers(min_value=0, max_value=len(MINING_PCAPNG)))
def test_it_survives_pcapng_truncated_anywhere(tmp_path_factory, cut):
    path = tmp_path_factory.mktemp("cut") / "cut.pcapng"
    path.write_bytes(MINING_PCAPNG[:cut])
    result = scan_captures([path])
    scan_host_records(result, default_pool_list())
    assert result.stats.frames <= 673


@FAST
@given(
    st.integers(min_value=0, max_value=len(STRATUM_PCAP)),
    st.binary(min_size=1, max_size=64),
    st.integers(0, len(STRATUM_PCAP)),
)
def test_it_survives_classic_pcap_truncated_and_corrupted(tmp_path_factory, cut, garbage, where):
    data = bytearray(STRATUM_PCAP[:cut])
    data[where : where + len(garbage)] = garbage
    path = tmp_path_factory.mktemp("bad") / "bad.pcap"
    path.write_bytes(bytes(data))
    scan_host_records(scan_captures([path]), default_pool_list())


def test_it_reports_a_truncated_capture_and_keeps_what_it_read(tmp_path):
    path = tmp_path / "half.pcap"
    path.write_bytes(STRATUM_PCAP[: len(STRATUM_PCAP) // 2 + 7])
    result = scan_captures([path])
    records = scan_host_records(result, default_pool_list())
    assert result.stats.truncated_file
    assert [r.kind for r in records] == [MINING]


def test_it_counts_unparsable_json_lines_instead_of_raising(tmp_path):
    from minesweep.detection.network.synthetic import tcp_session, write_pcap

    lines = [
        b'{"id":1,"method":"mining.subscribe","params":[]}\n',
        b"{not json\n",
        b'{"id": 2, "method": "mining.authorize", "params": ["a.b", "x"]}\n',
    ]
    result = scan_captures(
        [write_pcap(tmp_path / "j.pcap", tcp_session("10.9.0.1", 5000, "10.9.0.2", 3333, lines))]
    )
    assert result.unparsable_messages == 1
    assert scan_host_records(result, default_pool_list())[0].evidence["methods"] == {
        "stratum:mining.authorize": 1,
        "stratum:mining.subscribe": 1,
    }


def test_it_reads_nothing_from_a_file_that_is_not_a_capture(tmp_path):
    path = tmp_path / "notes.pcap"
    path.write_text(json.dumps({"hello": "world"}))
    stats = ReadStats()
    assert list(read_frames(Path(path), stats)) == []
    assert stats.skipped == {"not_a_capture": 1}


def test_it_reads_each_pcapng_interface_with_its_own_timestamp_resolution():
    stats = ReadStats()
    times = [ts for ts, _, _ in read_frames(NDPI / "kafka.pcapng", stats)]
    assert len(times) == 41 and not stats.truncated_file
    # kafka.pcapng merges sections whose interfaces use different if_tsresol values.
    assert all(1_600_000_000 < ts < 1_800_000_000 for ts in times)
