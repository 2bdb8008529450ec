"""Encoding flow records as NetFlow v5, NetFlow v9 and IPFIX export packets.

Used to test and benchmark the collector, and to replay flow files to a collector. Records are
dicts with the flow-file keys (``ts_start``/``ts_end`` POSIX seconds UTC, IPv4 text addresses).
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator, Sequence
from typing import Any

FlowRecord = dict[str, Any]

V9_TEMPLATE_ID = 300
IPFIX_TEMPLATE_ID = 400
#: (field type, length) of the v9 template: src, dst, sport, dport, proto, packets, bytes, first, last.
V9_FIELDS = ((8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 4), (1, 4), (22, 4), (21, 4))
V9_RECORD = struct.Struct("!4s4sHHBIIII")
#: IPFIX: addresses, ports, protocol, packetDeltaCount, octetDeltaCount, flowStart/EndMilliseconds.
IPFIX_FIELDS = ((8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (2, 8), (1, 8), (152, 8), (153, 8))
IPFIX_RECORD = struct.Struct("!4s4sHHBQQQQ")
V5_RECORD = struct.Struct("!4s4s4sHHIIIIHHxBBBHHBBxx")
MAX_V5_RECORDS = 30


def _addr(text: str) -> bytes:
    return socket.inet_aton(text)


def netflow_v9_packets(
    records: Sequence[FlowRecord],
    export_time: int,
    source_id: int = 1,
    per_packet: int = 24,
    sequence: int = 0,
    with_template: bool = True,
) -> Iterator[bytes]:
    """v9 export packets (template in the first packet when ``with_template``); uptime base = export time."""
    uptime_ms = 10_000_000
    base = export_time - uptime_ms / 1000.0
    for offset in range(0, len(records), per_packet):
        chunk = records[offset : offset + per_packet]
        flowsets = b""
        if with_template and offset == 0:
            flowsets += _v9_template()
        body = _packed(V9_RECORD, chunk, since_s=base)
        flowsets += _padded_set(V9_TEMPLATE_ID, body)
        count = len(chunk) + (1 if with_template and offset == 0 else 0)
        header = struct.pack("!HHIIII", 9, count, uptime_ms, export_time, sequence, source_id)
        sequence += 1
        yield header + flowsets


def _packed(layout: struct.Struct, records: Sequence[FlowRecord], since_s: float) -> bytes:
    """Data records in ``layout``: addresses, ports, protocol, counters, then start and end in
    milliseconds since ``since_s`` (v9: the exporter's boot; IPFIX: the epoch)."""
    return b"".join(
        layout.pack(
            _addr(r["src_ip"]),
            _addr(r["dst_ip"]),
            r["src_port"],
            r["dst_port"],
            r["proto"],
            r["packets"],
            r["bytes"],
            int((r["ts_start"] - since_s) * 1000),
            int((r["ts_end"] - since_s) * 1000),
        )
        for r in records
    )


def _v9_template() -> bytes:
    fields = b"".join(struct.pack("!HH", t, n) for t, n in V9_FIELDS)
    record = struct.pack("!HH", V9_TEMPLATE_ID, len(V9_FIELDS)) + fields
    return struct.pack("!HH", 0, 4 + len(record)) + record


def _padded_set(set_id: int, body: bytes) -> bytes:
    padding = (-(4 + len(body))) % 4
    return struct.pack("!HH", set_id, 4 + len(body) + padding) + body + b"\x00" * padding


def ipfix_packets(
    records: Sequence[FlowRecord],
    export_time: int,
    domain: int = 1,
    per_packet: int = 24,
    sequence: int = 0,
    with_template: bool = True,
) -> Iterator[bytes]:
    """IPFIX messages (template set in the first one when ``with_template``)."""
    for offset in range(0, len(records), per_packet):
        chunk = records[offset : offset + per_packet]
        sets = _ipfix_template() if with_template and offset == 0 else b""
        body = _packed(IPFIX_RECORD, chunk, since_s=0.0)
        sets += struct.pack("!HH", IPFIX_TEMPLATE_ID, 4 + len(body)) + body
        header = struct.pack("!HHIII", 10, 16 + len(sets), export_time, sequence, domain)
        sequence += len(chunk)
        yield header + sets


def _ipfix_template() -> bytes:
    fields = b"".join(struct.pack("!HH", t, n) for t, n in IPFIX_FIELDS)
    record = struct.pack("!HH", IPFIX_TEMPLATE_ID, len(IPFIX_FIELDS)) + fields
    return struct.pack("!HH", 2, 4 + len(record)) + record


def netflow_v5_packets(records: Sequence[FlowRecord], export_time: int, sequence: int = 0) -> Iterator[bytes]:
    """v5 export packets (at most 30 records each)."""
    uptime_ms = 10_000_000
    base = export_time - uptime_ms / 1000.0
    for offset in range(0, len(records), MAX_V5_RECORDS):
        chunk = records[offset : offset + MAX_V5_RECORDS]
        header = struct.pack("!HHIIIIBBH", 5, len(chunk), uptime_ms, export_time, 0, sequence, 0, 0, 0)
        body = b"".join(
            V5_RECORD.pack(
                _addr(r["src_ip"]),
                _addr(r["dst_ip"]),
                b"\x00" * 4,
                0,
                0,
                r["packets"],
                r["bytes"],
                int((r["ts_start"] - base) * 1000),
                int((r["ts_end"] - base) * 1000),
                r["src_port"],
                r["dst_port"],
                0,
                r["proto"],
                0,
                0,
                0,
                0,
                0,
            )
            for r in chunk
        )
        sequence += len(chunk)
        yield header + body
