"""Reading pcap/pcapng captures and decoding frames down to TCP/UDP payloads.

Classic pcap is read with a buffered ``struct`` loop (it is the hot path of a scan); pcapng by
:mod:`pcapng` (per-interface link types and timestamp resolutions). Link layers: Ethernet (with 802.1Q/QinQ), raw IP, Linux cooked (SLL and
SLL2) and BSD loopback. Anything unreadable is counted in :class:`ReadStats`, never raised.
Timestamps are POSIX seconds (UTC).
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, NamedTuple

from minesweep.detection.network.pcapng import read_pcapng

PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
READ_CHUNK = 4 * 1024 * 1024
MAX_CAPLEN = 256 * 1024

LINK_NULL = 0
LINK_ETHERNET = 1
LINK_RAW = {12, 14, 101}
LINK_RAW_V4 = 228
LINK_RAW_V6 = 229
LINK_SLL = 113
LINK_SLL2 = 276
LINK_LOOP = 108

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_VLAN = {0x8100, 0x88A8, 0x9100}
ETH_PPPOE_SESSION = 0x8864
ETH_MPLS = 0x8847
PPP_TO_ETHERTYPE = {0x0021: ETH_IPV4, 0x0057: ETH_IPV6}
PROTO_TCP = 6
PROTO_UDP = 17
IPV6_EXTENSION_HEADERS = {0, 43, 60}
TCP_SYN = 0x02
TCP_FIN = 0x01
TCP_RST = 0x04


class Packet(NamedTuple):
    """A decoded TCP or UDP packet; addresses are packed bytes (4 or 16 long)."""

    ts: float
    src: bytes
    dst: bytes
    proto: int
    sport: int
    dport: int
    seq: int
    flags: int
    payload: bytes
    #: IP packet length (header included) as the IP header states it, in bytes.
    ip_len: int


@dataclass
class ReadStats:
    """What a read saw: frames, decoded TCP/UDP packets, and what was skipped and why."""

    frames: int = 0
    bytes: int = 0
    packets: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    truncated_file: bool = False

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def address_text(packed: bytes) -> str:
    """Printable form of a packed IPv4/IPv6 address."""
    return socket.inet_ntop(socket.AF_INET if len(packed) == 4 else socket.AF_INET6, packed)


def read_frames(path: Path | str, stats: ReadStats) -> Iterator[tuple[float, int, bytes]]:
    """Yield ``(ts, linktype, frame)`` from a pcap or pcapng file; a damaged tail ends the read."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
        handle.seek(0)
        if magic in PCAP_MAGICS:
            yield from _read_classic(handle, stats)
        elif magic == PCAPNG_MAGIC:
            yield from _read_pcapng(handle, stats)
        else:
            stats.skip("not_a_capture")


def read_classic_header(handle: BinaryIO, stats: ReadStats) -> tuple[struct.Struct, float, int] | None:
    """Parse a classic pcap global header: (record header struct, seconds per tick, link type)."""
    header = handle.read(24)
    if len(header) < 24 or header[:4] not in PCAP_MAGICS:
        stats.truncated_file = True
        return None
    order, resolution = PCAP_MAGICS[header[:4]]
    linktype = struct.unpack(order + "I", header[20:24])[0] & 0x0FFFFFFF
    return struct.Struct(order + "IIII"), resolution, linktype


def _read_classic(handle: BinaryIO, stats: ReadStats) -> Iterator[tuple[float, int, bytes]]:
    parsed = read_classic_header(handle, stats)
    if parsed is None:
        return
    record, resolution, linktype = parsed
    buffer = b""
    pos = 0
    at_end = False
    while True:
        if not at_end and len(buffer) - pos < 16 + MAX_CAPLEN:
            chunk = handle.read(READ_CHUNK)
            at_end = not chunk
            buffer = buffer[pos:] + chunk
            pos = 0
        if at_end and pos == len(buffer):
            return
        if len(buffer) - pos < 16:
            stats.truncated_file = True
            stats.skip("truncated_record")
            return
        seconds, fraction, caplen, _ = record.unpack_from(buffer, pos)
        end = pos + 16 + caplen
        if caplen > MAX_CAPLEN or end > len(buffer):
            stats.truncated_file = True
            stats.skip("bad_record_length" if caplen > MAX_CAPLEN else "truncated_record")
            return
        stats.frames += 1
        stats.bytes += caplen + 16
        yield seconds + fraction * resolution, linktype, buffer[pos + 16 : end]
        pos = end


def _read_pcapng(handle: BinaryIO, stats: ReadStats) -> Iterator[tuple[float, int, bytes]]:
    for ts, linktype, frame in read_pcapng(handle, stats):
        stats.frames += 1
        stats.bytes += len(frame)
        yield ts, linktype, frame


def read_packets(path: Path | str, stats: ReadStats) -> Iterator[Packet]:
    """Yield decoded TCP/UDP packets of a capture; other frames are counted and skipped."""
    for ts, linktype, frame in read_frames(path, stats):
        packet = decode_frame(ts, linktype, frame, stats)
        if packet is not None:
            stats.packets += 1
            yield packet


def decode_frame(ts: float, linktype: int, frame: bytes, stats: ReadStats) -> Packet | None:
    """Decode one link-layer frame to a :class:`Packet`, or count why it was skipped."""
    try:
        offset, ethertype = _network_offset(linktype, frame)
        if ethertype == ETH_IPV4:
            return _decode_ipv4(ts, frame, offset, stats)
        if ethertype == ETH_IPV6:
            return _decode_ipv6(ts, frame, offset, stats)
        stats.skip("not_ip")
    except (IndexError, struct.error):
        stats.skip("malformed")
    return None


def _network_offset(linktype: int, frame: bytes) -> tuple[int, int]:
    if linktype == LINK_ETHERNET:
        ethertype = (frame[12] << 8) | frame[13]
        offset = 14
        while ethertype in ETH_VLAN:
            ethertype = (frame[offset + 2] << 8) | frame[offset + 3]
            offset += 4
        if ethertype == ETH_PPPOE_SESSION:
            return _pppoe_offset(frame, offset)
        if ethertype == ETH_MPLS:
            return _mpls_offset(frame, offset)
        return offset, ethertype
    if linktype in LINK_RAW or linktype in (LINK_RAW_V4, LINK_RAW_V6):
        return 0, ETH_IPV6 if frame[0] >> 4 == 6 else ETH_IPV4
    if linktype == LINK_SLL:
        return 16, (frame[14] << 8) | frame[15]
    if linktype == LINK_SLL2:
        return 20, (frame[0] << 8) | frame[1]
    if linktype in (LINK_NULL, LINK_LOOP):
        return 4, ETH_IPV6 if frame[4] >> 4 == 6 else ETH_IPV4
    return 0, -1


def _pppoe_offset(frame: bytes, offset: int) -> tuple[int, int]:
    """PPPoE session (6-byte header) carrying PPP; broadband access captures use it."""
    ppp_protocol = (frame[offset + 6] << 8) | frame[offset + 7]
    return offset + 8, PPP_TO_ETHERTYPE.get(ppp_protocol, -1)


def _mpls_offset(frame: bytes, offset: int) -> tuple[int, int]:
    """Skip the MPLS label stack; the payload's IP version comes from its first nibble."""
    while not frame[offset + 2] & 0x01:
        offset += 4
    offset += 4
    version = frame[offset] >> 4
    return offset, ETH_IPV4 if version == 4 else ETH_IPV6 if version == 6 else -1


def _decode_ipv4(ts: float, frame: bytes, offset: int, stats: ReadStats) -> Packet | None:
    version_ihl = frame[offset]
    header_len = (version_ihl & 0x0F) * 4
    if version_ihl >> 4 != 4 or header_len < 20:
        stats.skip("malformed")
        return None
    total_len = (frame[offset + 2] << 8) | frame[offset + 3]
    fragment = ((frame[offset + 6] << 8) | frame[offset + 7]) & 0x1FFF
    if fragment:
        stats.skip("ip_fragment")
        return None
    end = min(len(frame), offset + total_len) if total_len >= header_len else len(frame)
    return _decode_transport(
        ts,
        frame,
        (offset + header_len, end, total_len),
        frame[offset + 9],
        frame[offset + 12 : offset + 16],
        frame[offset + 16 : offset + 20],
        stats,
    )


def _decode_ipv6(ts: float, frame: bytes, offset: int, stats: ReadStats) -> Packet | None:
    if len(frame) < offset + 40:
        stats.skip("malformed")
        return None
    payload_len = (frame[offset + 4] << 8) | frame[offset + 5]
    next_header = frame[offset + 6]
    src = frame[offset + 8 : offset + 24]
    dst = frame[offset + 24 : offset + 40]
    end = min(len(frame), offset + 40 + payload_len)
    pos = offset + 40
    while next_header in IPV6_EXTENSION_HEADERS:
        next_header, pos = frame[pos], pos + 8 + frame[pos + 1] * 8
    if next_header == 44:
        stats.skip("ip_fragment")
        return None
    return _decode_transport(ts, frame, (pos, end, payload_len + 40), next_header, src, dst, stats)


def _decode_transport(
    ts: float,
    frame: bytes,
    span: tuple[int, int, int],
    proto: int,
    src: bytes,
    dst: bytes,
    stats: ReadStats,
) -> Packet | None:
    """``span`` = (transport header offset, end of IP payload in ``frame``, IP length)."""
    pos, end, ip_len = span
    if len(src) < 4 or len(dst) < 4:
        stats.skip("malformed")
        return None
    if proto == PROTO_TCP:
        if end - pos < 20:
            stats.skip("truncated_tcp")
            return None
        sport, dport, seq = struct.unpack_from("!HHI", frame, pos)
        data_offset = (frame[pos + 12] >> 4) * 4
        flags = frame[pos + 13]
        return Packet(
            ts, src, dst, PROTO_TCP, sport, dport, seq, flags, frame[pos + data_offset : end], ip_len
        )
    if proto == PROTO_UDP:
        if end - pos < 8:
            stats.skip("truncated_udp")
            return None
        sport, dport = struct.unpack_from("!HH", frame, pos)
        return Packet(ts, src, dst, PROTO_UDP, sport, dport, 0, 0, frame[pos + 8 : end], ip_len)
    stats.skip("not_tcp_udp")
    return None
