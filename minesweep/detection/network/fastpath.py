"""The hot loop of a classic-pcap scan.

For Ethernet/IPv4 TCP and UDP frames of known flows this loop reads the few header fields it
needs straight from the capture buffer: most packets belong to directions whose payload no longer
needs reading (a TLS stream after its ClientHello, a download after its first bytes) and only
update counters; the others are handed to the scanner's inspectors without building a
:class:`Packet`. New flows and every other frame are decoded fully and go through
:meth:`CaptureScanner.add_packet`. Both paths give the same flow counters and findings.
"""

from __future__ import annotations

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
#: Smallest frames the fast path reads: Ethernet + IPv4 (20) + TCP (20) / UDP (8).
MIN_TCP_FRAME = ETHERNET_HEADER + 20 + 20
MIN_UDP_FRAME = ETHERNET_HEADER + 20 + 8


def scan_classic(scanner: CaptureScanner, handle: BinaryIO, progress: ProgressCallback | None) -> None:
    """Scan a classic pcap from ``handle`` into ``scanner`` (stats, flows, findings)."""
    stats = scanner.out.stats
    parsed = read_classic_header(handle, stats)
    if parsed is None:
        return
    record, resolution, linktype = parsed
    unpack_record = record.unpack_from
    tcp_sides = scanner.tables[PROTO_TCP]
    udp_sides = scanner.tables[PROTO_UDP]
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
            if ethernet and caplen >= MIN_UDP_FRAME and buffer[frame + 12] == 8 and buffer[frame + 13] == 0:
                ip = frame + ETHERNET_HEADER
                version_ihl = buffer[ip]
                header_len = (version_ihl & 0x0F) << 2
                if (
                    version_ihl >> 4 == 4
                    and header_len >= 20
                    and not (buffer[ip + 6] & 0x1F or buffer[ip + 7])
                ):
                    proto = buffer[ip + 9]
                    l4 = ip + header_len
                    ip_len = (buffer[ip + 2] << 8) | buffer[ip + 3]
                    if proto == PROTO_TCP and l4 + 20 <= end:
                        side = tcp_sides.get(buffer[ip + 12 : ip + 20] + buffer[l4 : l4 + 4])
                        if side is not None:
                            flow = side.flow
                            ts = seconds + fraction * resolution
                            flow.last_ts = ts
                            flow.packets += 1
                            flow.bytes += ip_len
                            fast_packets += 1
                            if side.inspecting:
                                payload = buffer[l4 + ((buffer[l4 + 12] >> 4) << 2) : min(ip + ip_len, end)]
                                flags = buffer[l4 + 13]
                                if payload or flags & TCP_SYN:
                                    inspect_tcp(
                                        side,
                                        ts,
                                        int.from_bytes(buffer[l4 + 4 : l4 + 8], "big"),
                                        flags,
                                        payload,
                                        (
                                            (buffer[l4] << 8) | buffer[l4 + 1],
                                            (buffer[l4 + 2] << 8) | buffer[l4 + 3],
                                        ),
                                    )
                            continue
                    elif proto == PROTO_UDP and l4 + 8 <= end:
                        side = udp_sides.get(buffer[ip + 12 : ip + 20] + buffer[l4 : l4 + 4])
                        if side is not None:
                            flow = side.flow
                            ts = seconds + fraction * resolution
                            flow.last_ts = ts
                            flow.packets += 1
                            flow.bytes += ip_len
                            fast_packets += 1
                            if side.inspecting:
                                inspect_udp(
                                    side,
                                    ts,
                                    buffer[ip + 12 : ip + 16],
                                    buffer[l4 + 8 : min(ip + ip_len, end)],
                                    (
                                        (buffer[l4] << 8) | buffer[l4 + 1],
                                        (buffer[l4 + 2] << 8) | buffer[l4 + 3],
                                    ),
                                )
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
