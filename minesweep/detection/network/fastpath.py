"""The hot loop of a classic-pcap scan.

For Ethernet/IPv4 TCP and UDP frames of known flows this loop reads the few header fields it
needs straight from the capture buffer: most packets belong to directions whose payload no longer
needs reading (a TLS stream after its ClientHello, a download after its first bytes) and only
update counters; the others are handed to the scanner's inspectors without building a
:class:`Packet`. New flows and every other frame are decoded fully and go through
:meth:`CaptureScanner.add_packet`. Both paths give the same flow counters and findings.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, BinaryIO

from minesweep.detection.network.pcap import (
    LINK_ETHERNET,
    MAX_CAPLEN,
    PROTO_TCP,
    PROTO_UDP,
    READ_CHUNK,
    TCP_SYN,
    decode_frame,
    read_classic_header,
)

if TYPE_CHECKING:
    from minesweep.detection.network.scanner import CaptureScanner, ProgressCallback

RECORD_HEADER = 16
ETHERNET_HEADER = 14
#: One unpack of Ethernet type, IPv4 header fields and the first TCP fields: ethertype,
#: version/IHL, total length, flags/fragment offset, protocol, addresses + ports (12 bytes),
#: TCP sequence number, data offset byte, TCP flags (the last three are meaningless for UDP).
FRAME_FIELDS = struct.Struct("!12xHBxH2xHxB2x12sI4xBB")
FAST_FRAME = FRAME_FIELDS.size  # 48 bytes; shorter frames take the full decoder


def scan_classic(scanner: CaptureScanner, handle: BinaryIO, progress: ProgressCallback | None) -> None:
    """Scan a classic pcap from ``handle`` into ``scanner`` (stats, flows, findings)."""
    stats = scanner.out.stats
    parsed = read_classic_header(handle, stats)
    if parsed is None:
        return
    record, resolution, linktype = parsed
    unpack_record = record.unpack_from
    tcp_get = scanner.tables[PROTO_TCP].get
    udp_get = scanner.tables[PROTO_UDP].get
    unpack_frame = FRAME_FIELDS.unpack_from
    add_packet = scanner.add_packet
    inspect_tcp = scanner.inspect_tcp
    inspect_udp = scanner.inspect_udp
    ethernet = linktype == LINK_ETHERNET
    buffer = b""
    pos = 0
    at_end = False
    frames = read_bytes = fast_packets = 0
    corrupt = False
    while True:
        if not at_end:
            chunk = handle.read(READ_CHUNK)
            at_end = not chunk
            buffer = buffer[pos:] + chunk
            pos = 0
        size = len(buffer)
        # Stop early enough that the next record is complete unless the file has ended.
        safe_end = size if at_end else size - RECORD_HEADER - MAX_CAPLEN
        while pos < safe_end:
            if pos + RECORD_HEADER > size:
                break
            seconds, fraction, caplen, _ = unpack_record(buffer, pos)
            frame = pos + RECORD_HEADER
            end = frame + caplen
            if caplen > MAX_CAPLEN:
                corrupt = True
                break
            if end > size:
                break
            frames += 1
            read_bytes += caplen + RECORD_HEADER
            pos = end
            if ethernet and caplen >= FAST_FRAME:
                ethertype, version_ihl, ip_len, fragment, proto, key, seq, offset_byte, flags = unpack_frame(
                    buffer, frame
                )
                # Plain IPv4 (no options), not a fragment: the 12-byte key is addresses + ports.
                if ethertype == 0x0800 and version_ihl == 0x45 and not fragment & 0x1FFF:
                    ip_end = min(frame + ETHERNET_HEADER + ip_len, end)
                    if proto == PROTO_TCP:
                        side = tcp_get(key)
                        if side is not None:
                            flow = side.flow
                            ts = seconds + fraction * resolution
                            flow.last_ts = ts
                            flow.packets += 1
                            flow.bytes += ip_len
                            fast_packets += 1
                            if side.inspecting:
                                data_at = frame + ETHERNET_HEADER + 20 + ((offset_byte >> 4) << 2)
                                if data_at < ip_end or flags & TCP_SYN:
                                    ports = ((key[8] << 8) | key[9], (key[10] << 8) | key[11])
                                    inspect_tcp(side, ts, seq, flags, buffer[data_at:ip_end], ports)
                            continue
                    elif proto == PROTO_UDP:
                        side = udp_get(key)
                        if side is not None:
                            flow = side.flow
                            ts = seconds + fraction * resolution
                            flow.last_ts = ts
                            flow.packets += 1
                            flow.bytes += ip_len
                            fast_packets += 1
                            if side.inspecting:
                                ports = ((key[8] << 8) | key[9], (key[10] << 8) | key[11])
                                payload = buffer[frame + ETHERNET_HEADER + 28 : ip_end]
                                inspect_udp(side, ts, key[:4], payload, ports)
                            continue
            packet = decode_frame(seconds + fraction * resolution, linktype, buffer[frame:end], stats)
            if packet is not None:
                stats.packets += 1
                add_packet(packet)
        stats.frames += frames
        stats.bytes += read_bytes
        stats.packets += fast_packets
        frames = read_bytes = fast_packets = 0
        if progress is not None:
            progress(stats.bytes, stats.packets)
        if corrupt:
            stats.truncated_file = True
            stats.skip("bad_record_length")
            return
        if at_end:
            if pos < size:
                stats.truncated_file = True
                stats.skip("truncated_record")
            return
