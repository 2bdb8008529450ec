"""TCP reassembly and line splitting (network detection)."""

from __future__ import annotations

import json

from minesweep.detection.network.pools import default_pool_list
from minesweep.detection.network.report import MINING, scan_host_records
from minesweep.detection.network.scanner import scan_captures
from minesweep.detection.network.streams import (
    MAX_PENDING_BYTES,
    MAX_PENDING_SEGMENTS,
    LineSplitter,
    StreamReassembler,
)
from minesweep.detection.network.synthetic import tcp_frame, tcp_session, write_pcap

SUBSCRIBE = b'{"id":1,"method":"mining.subscribe","params":["cgminer/4.10.0"]}\n'
AUTHORIZE = b'{"id":2,"method":"mining.authorize","params":["1BoatSLRHtKNngkdXEeobR76b53LETtpyT.rig7","x"]}\n'


def test_it_puts_out_of_order_segments_back_in_order():
    stream = StreamReassembler()
    stream.feed(99, b"", syn=True)
    assert stream.feed(105, b"world") == b""
    assert stream.feed(100, b"hello") == b"helloworld"


def test_it_trims_retransmitted_and_overlapping_bytes():
    stream = StreamReassembler()
    assert stream.feed(0, b"abcdef") == b"abcdef"
    assert stream.feed(0, b"abcdef") == b""
    assert stream.feed(3, b"defghi") == b"ghi"


def test_it_handles_sequence_number_wrap_around():
    stream = StreamReassembler()
    start = (1 << 32) - 3
    assert stream.feed(start, b"abc") == b"abc"
    assert stream.feed(0, b"def") == b"def"


def test_it_skips_a_hole_that_never_fills_and_bounds_memory():
    stream = StreamReassembler()
    stream.feed(0, b"x")
    returned = b""
    for i in range(MAX_PENDING_SEGMENTS * 3):
        returned += stream.feed(1000 + i * 10, b"0123456789")
        assert len(stream.pending) <= MAX_PENDING_SEGMENTS
        assert stream.pending_bytes <= MAX_PENDING_BYTES
    assert stream.gaps >= 1
    assert returned.startswith(b"0123456789")


def test_it_bounds_an_unfinished_line_and_resynchronises():
    lines = LineSplitter(max_line=16)
    assert lines.feed(b"a" * 40) == []
    assert lines.overlong == 1
    assert lines.feed(b"tail\nnext\n") == [b"next"]


def test_it_recognises_stratum_split_across_reordered_and_retransmitted_segments(tmp_path):
    payload = SUBSCRIBE + AUTHORIZE
    client, server = "10.1.1.2", "203.0.113.9"
    pieces = [(1001 + i, payload[i : i + 10]) for i in range(0, len(payload), 10)]
    order = pieces[::-1] + pieces[:3]  # reversed, then duplicates
    frames = tcp_session(client, 40000, server, 25, [])
    frames += [
        (1_700_000_010.0 + i, tcp_frame(client, 40000, server, 25, seq, data))
        for i, (seq, data) in enumerate(order)
    ]
    records = scan_host_records(scan_captures([write_pcap(tmp_path / "s.pcap", frames)]), default_pool_list())
    assert [r.host for r in records] == [client]
    evidence = records[0].evidence
    assert records[0].kind == MINING
    assert evidence["miner_software"] == ["cgminer/4.10.0"]
    assert evidence["workers"] == ["rig7"]
    assert evidence["pools"][0]["address"] == f"{server}:25"


def test_it_recognises_an_xmrig_login_without_agent_on_any_port(tmp_path):
    login = (
        json.dumps(
            {
                "id": 1,
                "method": "login",
                "params": {
                    "login": "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
                    "pass": "x",
                },
            }
        ).encode()
        + b"\n"
    )
    frames = tcp_session("10.1.1.3", 40001, "198.51.100.7", 8443, [login])
    records = scan_host_records(scan_captures([write_pcap(tmp_path / "x.pcap", frames)]), default_pool_list())
    assert records[0].evidence["methods"] == {"xmrig:login": 1}
    assert records[0].evidence["wallets"][0]["coin"] == "monero"


def test_it_stops_reading_a_large_json_stream_that_never_looks_like_mining():
    from minesweep.detection.network.payload import MAX_UNCONFIRMED_BYTES, DirectionInspector, StreamFindings

    inspector = DirectionInspector(forward=False)
    findings = StreamFindings()
    seq = 0
    chunk = b'{"data": "' + b"x" * 9000
    while inspector.active and seq < 4 * MAX_UNCONFIRMED_BYTES:
        inspector.feed(0.0, seq, False, chunk, (443, 50000), findings)
        seq += len(chunk)
    assert not inspector.active
    assert seq <= MAX_UNCONFIRMED_BYTES + len(chunk)
    assert findings.messages == []


def test_it_reads_stratum_inside_an_http_connect_tunnel(tmp_path):
    connect = b"CONNECT eu1-zcash.flypool.org:3333 HTTP/1.1\r\nHost: eu1-zcash.flypool.org:3333\r\n\r\n"
    frames = tcp_session("10.1.1.4", 40002, "192.0.2.80", 8080, [connect, SUBSCRIBE, AUTHORIZE])
    records = scan_host_records(
        scan_captures([write_pcap(tmp_path / "proxy.pcap", frames)]), default_pool_list()
    )
    evidence = records[0].evidence
    assert set(evidence["methods"]) == {"stratum:mining.subscribe", "stratum:mining.authorize"}
    assert evidence["pools"][0]["names"] == ["eu1-zcash.flypool.org"]
    assert evidence["pools"][0]["pool"] == "Flypool"
