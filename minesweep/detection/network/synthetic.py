"""Small synthetic captures (dpkt writer) for tests and the benchmark; addresses are caller-chosen."""

from __future__ import annotations

import socket
from pathlib import Path

import dpkt


def tcp_frame(
    src: str, sport: int, dst: str, dport: int, seq: int, payload: bytes = b"", flags: int = dpkt.tcp.TH_ACK
) -> bytes:
    """An Ethernet/IPv4/TCP frame."""
    tcp = dpkt.tcp.TCP(sport=sport, dport=dport, seq=seq, flags=flags, data=payload)
    ip = dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=dpkt.ip.IP_PROTO_TCP, data=tcp)
    ip.len = len(bytes(ip))
    return bytes(
        dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\x04" * 6, type=dpkt.ethernet.ETH_TYPE_IP, data=ip)
    )


def udp_frame(src: str, sport: int, dst: str, dport: int, payload: bytes) -> bytes:
    """An Ethernet/IPv4/UDP frame."""
    udp = dpkt.udp.UDP(sport=sport, dport=dport, data=payload)
    udp.ulen = len(bytes(udp))
    ip = dpkt.ip.IP(src=socket.inet_aton(src), dst=socket.inet_aton(dst), p=dpkt.ip.IP_PROTO_UDP, data=udp)
    ip.len = len(bytes(ip))
    return bytes(
        dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\x04" * 6, type=dpkt.ethernet.ETH_TYPE_IP, data=ip)
    )


def write_pcap(path: Path, frames: list[tuple[float, bytes]]) -> Path:
    """Write ``(ts, frame)`` pairs as a classic Ethernet pcap."""
    with open(path, "wb") as handle:
        writer = dpkt.pcap.Writer(handle)
        for ts, frame in frames:
            writer.writepkt(frame, ts=ts)
    return path


def tcp_session(
    client: str,
    cport: int,
    server: str,
    sport: int,
    client_lines: list[bytes],
    start: float = 1_700_000_000.0,
) -> list[tuple[float, bytes]]:
    """Handshake then one client segment per line (ack-only server), one second apart."""
    frames = [
        (start, tcp_frame(client, cport, server, sport, 1000, flags=dpkt.tcp.TH_SYN)),
        (
            start + 0.01,
            tcp_frame(server, sport, client, cport, 5000, flags=dpkt.tcp.TH_SYN | dpkt.tcp.TH_ACK),
        ),
    ]
    seq = 1001
    for i, line in enumerate(client_lines):
        frames.append((start + 1 + i, tcp_frame(client, cport, server, sport, seq, line)))
        seq += len(line)
    return frames
