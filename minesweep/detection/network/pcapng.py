"""pcapng reading with per-interface link types and timestamp resolutions.

Written here rather than using ``dpkt.pcapng`` because captures merged from several interfaces
(several Interface Description Blocks, several sections) carry a link type and ``if_tsresol`` /
``if_tsoffset`` per interface, which a single-interface reader gets wrong. Enhanced, Simple and
obsolete Packet Blocks are read; other blocks are skipped. Timestamps are POSIX seconds (UTC).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

SECTION_HEADER = 0x0A0D0D0A
INTERFACE_DESCRIPTION = 1
OBSOLETE_PACKET = 2
SIMPLE_PACKET = 3
ENHANCED_PACKET = 6
BYTE_ORDER_MAGIC = 0x1A2B3C4D
OPTION_END = 0
OPTION_TSRESOL = 9
OPTION_TSOFFSET = 14
MAX_BLOCK = 16 * 1024 * 1024


class SkipCounter(Protocol):
    truncated_file: bool

    def skip(self, reason: str) -> None: ...


@dataclass
class Interface:
    linktype: int
    snaplen: int
    divisor: float = 1e6
    offset_seconds: int = 0


def read_pcapng(handle: BinaryIO, stats: SkipCounter) -> Iterator[tuple[float, int, bytes]]:
    """Yield ``(ts, linktype, frame)``; a damaged block ends the read (``stats.truncated_file``)."""
    order = "<"
    interfaces: list[Interface] = []
    last_ts = 0.0
    while True:
        head = handle.read(8)
        if not head:
            return
        if len(head) < 8:
            break
        block_type = struct.unpack("<I", head[:4])[0]
        if block_type == SECTION_HEADER:
            magic = handle.read(4)
            if len(magic) < 4:
                break
            order = "<" if struct.unpack("<I", magic)[0] == BYTE_ORDER_MAGIC else ">"
            interfaces = []
            length = struct.unpack(order + "I", head[4:])[0]
            body = magic + handle.read(max(0, length - 12))
        else:
            block_type, length = struct.unpack(order + "II", head)
            body = handle.read(max(0, length - 8))
        if length < 12 or length > MAX_BLOCK or length % 4 or len(body) < length - 8:
            break
        body = body[:-4]  # trailing copy of the block length
        if block_type == INTERFACE_DESCRIPTION:
            interfaces.append(_interface(body, order))
            continue
        packet = _packet(block_type, body, order, interfaces, last_ts)
        if packet is not None:
            last_ts = packet[0]
            yield packet
    stats.truncated_file = True
    stats.skip("truncated_record")


def _interface(body: bytes, order: str) -> Interface:
    linktype, _, snaplen = struct.unpack_from(order + "HHI", body)
    interface = Interface(linktype, snaplen)
    pos = 8
    while pos + 4 <= len(body):
        code, size = struct.unpack_from(order + "HH", body, pos)
        value = body[pos + 4 : pos + 4 + size]
        if code == OPTION_END:
            break
        if code == OPTION_TSRESOL and value:
            exponent = value[0] & 0x7F
            interface.divisor = float(2**exponent if value[0] & 0x80 else 10**exponent)
        elif code == OPTION_TSOFFSET and len(value) == 8:
            interface.offset_seconds = struct.unpack(order + "q", value)[0]
        pos += 4 + size + (-size % 4)
    return interface


def _packet(
    block_type: int, body: bytes, order: str, interfaces: list[Interface], last_ts: float
) -> tuple[float, int, bytes] | None:
    if block_type == ENHANCED_PACKET and len(body) >= 20:
        interface_id, high, low, caplen = struct.unpack_from(order + "IIII", body)
        data_at = 20
    elif block_type == OBSOLETE_PACKET and len(body) >= 20:
        interface_id, _, high, low, caplen = struct.unpack_from(order + "HHIII", body)
        data_at = 20
    elif block_type == SIMPLE_PACKET and len(body) >= 4 and interfaces:
        frame = body[4:]
        snaplen = interfaces[0].snaplen
        return last_ts, interfaces[0].linktype, frame[:snaplen] if snaplen else frame
    else:
        return None
    if interface_id >= len(interfaces):
        return None
    interface = interfaces[interface_id]
    ts = interface.offset_seconds + ((high << 32) | low) / interface.divisor
    return ts, interface.linktype, body[data_at : data_at + caplen]
