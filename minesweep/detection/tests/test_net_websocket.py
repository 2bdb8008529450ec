"""Browser miners over plain WebSocket (network detection)."""

from __future__ import annotations

import json
import struct
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from minesweep.detection.network.pools import default_pool_list
from minesweep.detection.network.report import MINING, scan_host_records
from minesweep.detection.network.scanner import scan_captures
from minesweep.detection.network.synthetic import tcp_frame, tcp_session, write_pcap
from minesweep.detection.network.websocket import WebSocketReader, unmask

MASK = b"\x11\x22\x33\x44"


def frame(
    payload: bytes, opcode: int = 1, fin: bool = True, mask: bytes | None = MASK, rsv1: bool = False
) -> bytes:
    first = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    size = len(payload)
    if size < 126:
        head = bytes([first, (0x80 if mask else 0) | size])
    elif size < 65536:
        head = bytes([first, (0x80 if mask else 0) | 126]) + struct.pack("!H", size)
    else:
        head = bytes([first, (0x80 if mask else 0) | 127]) + struct.pack("!Q", size)
    return head + (mask + unmask(payload, mask) if mask else payload)


def test_it_unmasks_and_joins_fragmented_messages():
    reader = WebSocketReader()
    data = frame(b'{"type":', fin=False) + frame(b"x" * 300, opcode=0, fin=False) + frame(b"}", opcode=0)
    assert reader.feed(data[:7]) == []
    assert reader.feed(data[7:]) == [b'{"type":' + b"x" * 300 + b"}"]


def test_it_inflates_permessage_deflate_payloads_and_skips_control_frames():
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = compressor.compress(b'{"type":"job"}') + compressor.flush(zlib.Z_SYNC_FLUSH)
    reader = WebSocketReader()
    assert reader.feed(frame(b"ping", opcode=9) + frame(body[:-4], rsv1=True, mask=None)) == [
        b'{"type":"job"}'
    ]


def test_it_skips_a_frame_larger_than_its_limit():
    reader = WebSocketReader(max_message=100)
    assert reader.feed(frame(b"y" * 500)) == []
    assert reader.skipped == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=10))
def test_it_never_raises_on_random_frames(chunks):
    reader = WebSocketReader(max_message=1000)
    for chunk in chunks:
        reader.feed(chunk)


def test_it_finds_a_coinhive_style_miner_over_plain_websocket(tmp_path):
    client, server = "10.2.0.9", "198.51.100.20"
    upgrade = (
        b"GET /proxy HTTP/1.1\r\nHost: ws001.coinhive.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    auth = {
        "type": "auth",
        "params": {"site_key": "Z4Wdqe2y0aBW8kDUfFV1YHobHFWzPTxi", "type": "anonymous", "user": None},
    }
    submit = {"type": "submit", "params": {"job_id": "abc", "nonce": "0b000000", "result": "ff" * 32}}
    frames = tcp_session(
        client,
        41000,
        server,
        80,
        [upgrade, frame(json.dumps(auth).encode()), frame(json.dumps(submit).encode())],
    )
    job = {"type": "job", "params": {"job_id": "abc", "blob": "07" * 38, "target": "ffffff00"}}
    reply = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n" + frame(
        json.dumps(job).encode(), mask=None
    )
    frames.append((1_700_000_010.0, tcp_frame(server, 80, client, 41000, 5001, reply)))
    records = scan_host_records(
        scan_captures([write_pcap(tmp_path / "ws.pcap", frames)]), default_pool_list()
    )
    assert [(r.host, r.kind) for r in records] == [(client, MINING)]
    evidence = records[0].evidence
    assert evidence["methods"] == {"web-miner:auth": 1, "web-miner:job": 1, "web-miner:submit": 1}
    assert evidence["shares"] == 1
    assert evidence["accounts"] == ["Z4Wdqe2y0aBW8kDUfFV1YHobHFWzPTxi"]
    assert (
        evidence["pools"][0]["names"] == ["ws001.coinhive.com"] and evidence["pools"][0]["pool"] == "Coinhive"
    )


def test_it_ignores_an_ordinary_websocket_chat(tmp_path):
    upgrade = (
        b"GET /chat HTTP/1.1\r\nHost: chat.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
    )
    messages = [
        frame(json.dumps({"type": "message", "params": {"text": f"hi {i}"}}).encode()) for i in range(20)
    ]
    frames = tcp_session("10.2.0.10", 41001, "198.51.100.21", 80, [upgrade, *messages])
    assert (
        scan_host_records(scan_captures([write_pcap(tmp_path / "chat.pcap", frames)]), default_pool_list())
        == []
    )
