"""Scanning captures: packets → flows with protocol findings, DNS answers and lookups.

This is the orchestration layer of packet analysis: :mod:`pcap` decodes, :mod:`inspect` reads
streams, and the result is handed to :mod:`report` (per-host records) and :mod:`flows` (flow
scoring). Timestamps are POSIX seconds, UTC.
"""

from __future__ import annotations

import gc
import struct
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from minesweep.detection.network import p2p
from minesweep.detection.network.fastpath import scan_classic
from minesweep.detection.network.names import parse_dns
from minesweep.detection.network.payload import DirectionInspector, StreamFindings
from minesweep.detection.network.pcap import (
    PCAP_MAGICS,
    PROTO_TCP,
    PROTO_UDP,
    TCP_SYN,
    Packet,
    ReadStats,
    address_text,
    read_packets,
)

DNS_PORT = 53
ACK = 0x10
#: UDP packets per flow examined for node-discovery framing.
UDP_INSPECT_PACKETS = 2
WELL_KNOWN_PORT_LIMIT = 1024


class FlowSide:
    """One direction of a flow as the flow table sees it; ``inspecting`` is False once its bytes no
    longer need reading (the fast path then only counts)."""

    __slots__ = ("flow", "from_client", "inspecting")

    def __init__(self, flow: FlowState, from_client: bool) -> None:
        self.flow = flow
        self.from_client = from_client
        self.inspecting = True


class FlowState:
    """Counters and findings of one bidirectional flow; ``client`` sent the first packet (or SYN).

    ``bytes`` counts IP bytes (headers included) in both directions; times are POSIX seconds UTC.
    """

    __slots__ = (
        "client",
        "client_port",
        "server",
        "server_port",
        "proto",
        "first_ts",
        "last_ts",
        "packets",
        "bytes",
        "inspectors",
        "findings",
        "sides",
    )

    def __init__(self, packet: Packet, client_is_sender: bool) -> None:
        if client_is_sender:
            self.client, self.client_port = packet.src, packet.sport
            self.server, self.server_port = packet.dst, packet.dport
        else:
            self.client, self.client_port = packet.dst, packet.dport
            self.server, self.server_port = packet.src, packet.sport
        self.proto = packet.proto
        self.first_ts = packet.ts
        self.last_ts = packet.ts
        self.packets = 0
        self.bytes = 0
        self.inspectors: list[DirectionInspector | None] = [None, None]
        self.findings: StreamFindings | None = None
        self.sides = (FlowSide(self, True), FlowSide(self, False))

    def side_keys(self) -> tuple[bytes, bytes]:
        """Flow-table keys of the client→server and server→client directions."""
        forward = struct.pack("!HH", self.client_port, self.server_port)
        backward = struct.pack("!HH", self.server_port, self.client_port)
        return self.client + self.server + forward, self.server + self.client + backward

    def stop_inspecting(self) -> None:
        for side in self.sides:
            side.inspecting = False

    def miner_is_client(self) -> bool:
        """Whether the client side is the miner, judged by who sent pool-bound messages."""
        if self.findings is None:
            return True
        votes = 0
        for _, message, from_client in self.findings.messages:
            to_pool = message.direction == "to_pool"
            votes += 1 if to_pool == from_client else -1
        return votes >= 0


@dataclass
class ScanResult:
    """Everything a scan learned; addresses are printable text here."""

    flows: list[FlowState] = field(default_factory=list)
    #: address → names it was given in DNS answers
    dns_answers: dict[str, set[str]] = field(default_factory=dict)
    #: (client address, name asked, ts)
    dns_lookups: list[tuple[str, str, float]] = field(default_factory=list)
    stats: ReadStats = field(default_factory=ReadStats)
    files: list[str] = field(default_factory=list)

    @property
    def unparsable_messages(self) -> int:
        return sum(f.findings.unparsable for f in self.flows if f.findings is not None)

    @property
    def stream_gaps(self) -> int:
        return sum(i.reassembler.gaps for f in self.flows for i in f.inspectors if i is not None)


ProgressCallback = Callable[[int, int], None]


class CaptureScanner:
    """Feeds packets into a flow table; call :meth:`scan_file` for each capture, then :meth:`result`.

    The table maps each direction's key (source address + destination address + ports) to its
    :class:`FlowSide`, separately for TCP and UDP, so one dictionary lookup finds a packet's flow.
    """

    def __init__(self) -> None:
        self.tables: dict[int, dict[bytes, FlowSide]] = {PROTO_TCP: {}, PROTO_UDP: {}}
        self.flows: list[FlowState] = []
        self.out = ScanResult()

    def scan_file(self, path: Path | str, progress: ProgressCallback | None = None) -> None:
        """Read one capture; ``progress(bytes_read, packets)`` is called as the file is read."""
        self.out.files.append(str(path))
        with open(path, "rb") as handle:
            if handle.read(4) in PCAP_MAGICS:
                handle.seek(0)
                scan_classic(self, handle, progress)
                return
        stats = self.out.stats
        for packet in read_packets(path, stats):
            self.add_packet(packet)
            if progress is not None and not stats.packets & 0xFFFF:
                progress(stats.bytes, stats.packets)

    def add_packet(self, packet: Packet) -> None:
        """Account one decoded packet to its flow and inspect its payload if still needed."""
        table = self.tables[packet.proto]
        key = packet.src + packet.dst + struct.pack("!HH", packet.sport, packet.dport)
        side = table.get(key)
        if side is None:
            flow = FlowState(packet, _sender_is_client(packet))
            forward, backward = flow.side_keys()
            table[forward], table[backward] = flow.sides
            self.flows.append(flow)
            side = table[key]
        flow = side.flow
        flow.last_ts = packet.ts
        flow.packets += 1
        flow.bytes += packet.ip_len
        if not side.inspecting:
            return
        if packet.proto == PROTO_TCP:
            self.inspect_tcp(
                side, packet.ts, packet.seq, packet.flags, packet.payload, (packet.sport, packet.dport)
            )
        else:
            self.inspect_udp(side, packet.ts, packet.src, packet.payload, (packet.sport, packet.dport))

    def inspect_tcp(
        self, side: FlowSide, ts: float, seq: int, flags: int, payload: bytes, ports: tuple[int, int]
    ) -> None:
        """Feed one TCP segment of an inspected direction (counters are the caller's job)."""
        syn = bool(flags & TCP_SYN)
        if not payload and not syn:
            return
        flow = side.flow
        index = 0 if side.from_client else 1
        inspector = flow.inspectors[index]
        if inspector is None:
            inspector = flow.inspectors[index] = DirectionInspector(forward=side.from_client)
        if flow.findings is None:
            flow.findings = StreamFindings()
        inspector.feed(ts, seq, syn, payload, ports, flow.findings)
        side.inspecting = inspector.active

    def inspect_udp(
        self, side: FlowSide, ts: float, src: bytes, payload: bytes, ports: tuple[int, int]
    ) -> None:
        """Read DNS messages; look for node-discovery framing in the first datagrams of other flows."""
        if DNS_PORT in ports:
            self._read_dns(ts, src, payload)
            return
        flow = side.flow
        if flow.findings is None:
            flow.findings = StreamFindings()
        if p2p.is_discv4_packet(payload, ports):
            flow.findings.p2p_network = p2p.ETHEREUM
            flow.findings.p2p_detail = "discv4"
        if flow.packets >= UDP_INSPECT_PACKETS or flow.findings.p2p_network:
            flow.stop_inspecting()

    def _read_dns(self, ts: float, src: bytes, payload: bytes) -> None:
        message = parse_dns(payload)
        if message is None:
            self.out.stats.skip("malformed_dns")
            return
        if not message.is_response:
            client = address_text(src)
            for name in message.questions:
                self.out.dns_lookups.append((client, name, ts))
            return
        for address, name in message.answers:
            if name:
                self.out.dns_answers.setdefault(address, set()).add(name)

    def result(self) -> ScanResult:
        """The scan so far (flows in order of first packet)."""
        self.out.flows = list(self.flows)
        return self.out


def _sender_is_client(packet: Packet) -> bool:
    """Who opened the flow: a SYN without ACK is the client; a SYN+ACK is the server's answer.

    Without a handshake in the capture, a well-known source port facing an ephemeral one marks
    the sender as the server.
    """
    if packet.proto == PROTO_TCP and packet.flags & TCP_SYN:
        return not packet.flags & ACK
    return not (packet.sport < WELL_KNOWN_PORT_LIMIT <= packet.dport)


def scan_captures(paths: Iterable[Path | str], progress: ProgressCallback | None = None) -> ScanResult:
    """Scan pcap/pcapng files together (flows and DNS answers are shared across files)."""
    scanner = CaptureScanner()
    with _cyclic_gc_paused():
        for path in paths:
            scanner.scan_file(path, progress)
    return scanner.result()


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A scan allocates hundreds of thousands of long-lived flow objects; the cyclic collector
    would rescan them over and over. Reference counting still frees everything acyclic."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
