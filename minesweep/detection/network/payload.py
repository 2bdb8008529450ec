"""Payload inspection of one TCP direction: decide what the stream carries, then read it.

A direction starts ``UNDECIDED``; its first bytes choose JSON lines, HTTP requests (which may
upgrade to WebSocket or open a CONNECT tunnel), a WebSocket handshake reply, a TLS ClientHello (for
the SNI), Bitcoin/Ethereum node handshakes, or ``DONE`` (nothing of interest: later
bytes are not looked at). Streams that turn out to be mining stay open to count shares; others are
closed after a few messages so that a scan's cost is bounded by the number of flows, not bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from minesweep.detection.network import p2p, protocols
from minesweep.detection.network.names import (
    HttpRequestHead,
    looks_like_http_request,
    normalise_name,
    parse_http_request_head,
    tls_client_hello_sni,
)
from minesweep.detection.network.streams import LineSplitter, StreamReassembler
from minesweep.detection.network.websocket import WebSocketReader

UNDECIDED = 0
JSON_LINES = 1
HTTP = 2
TLS = 3
DONE = 4
WEBSOCKET = 5
HTTP_REPLY = 6

DECISION_BYTES = 8
MAX_TLS_HELLO = 16 * 1024
MAX_HTTP_HEAD = 16 * 1024
MAX_HTTP_BODY = 256 * 1024
#: Messages read before a stream with no mining message is given up.
MAX_IDLE_MESSAGES = 12
MAX_HTTP_REQUESTS = 8
#: Bytes of one direction read before giving up on a stream with no mining message.
MAX_UNCONFIRMED_BYTES = 256 * 1024
JSON_START = (ord("{"), ord("["))
WEBSOCKET_ACCEPTED = (b"HTTP/1.1 101", b"HTTP/1.0 101")
WHITESPACE = b" \t\r\n"


@dataclass
class StreamFindings:
    """What the inspection of one direction found (shared by both directions of a flow)."""

    messages: list[tuple[float, protocols.MiningMessage, bool]] = field(default_factory=list)
    sni: str | None = None
    http_hosts: set[str] = field(default_factory=set)
    http_agents: set[str] = field(default_factory=set)
    http_users: set[str] = field(default_factory=set)
    p2p_network: str | None = None
    p2p_detail: str | None = None
    unparsable: int = 0


class DirectionInspector:
    """Reassembles and interprets one direction of a TCP connection.

    ``forward`` tells whether this direction goes from the flow's first sender to its peer; it is
    stored with each mining message so the flow can tell the miner from the pool.
    """

    __slots__ = (
        "websocket",
        "forward",
        "reassembler",
        "mode",
        "head",
        "lines",
        "idle",
        "requests",
        "found_mining",
        "read",
    )

    def __init__(self, forward: bool) -> None:
        self.forward = forward
        self.reassembler = StreamReassembler()
        self.mode = UNDECIDED
        self.head = b""
        self.lines: LineSplitter | None = None
        self.idle = 0
        self.requests = 0
        self.found_mining = False
        self.read = 0
        self.websocket: WebSocketReader | None = None

    @property
    def active(self) -> bool:
        return self.mode != DONE

    def feed(
        self, ts: float, seq: int, syn: bool, payload: bytes, ports: tuple[int, int], findings: StreamFindings
    ) -> None:
        """Add one TCP segment of this direction."""
        data = self.reassembler.feed(seq, payload, syn)
        if not data:
            return
        if self.reassembler.take_gap_flag() and self.lines is not None:
            self.lines.reset()
        self.read += len(data)
        if self.read > MAX_UNCONFIRMED_BYTES and not self.found_mining:
            self.mode = DONE  # whatever this is, it has not looked like mining so far
            return
        self._consume(ts, data, ports, findings)

    def _consume(self, ts: float, data: bytes, ports: tuple[int, int], findings: StreamFindings) -> None:
        if self.mode == UNDECIDED:
            self.head += data
            if len(self.head) < DECISION_BYTES and self.head.lstrip(WHITESPACE)[:1] not in (b"{", b"["):
                return
            data, self.head = self.head, b""
            self._decide(data, ports, findings)
        if self.mode == JSON_LINES:
            self._read_json_lines(ts, data, findings)
        elif self.mode == HTTP:
            tunnelled = self._read_http(ts, data, findings)
            if tunnelled:
                self._consume(ts, tunnelled, ports, findings)
        elif self.mode == TLS:
            self._read_tls(data, findings)
        elif self.mode == WEBSOCKET:
            self._read_websocket(ts, data, findings)
        elif self.mode == HTTP_REPLY:
            rest = self._read_upgrade_reply(data)
            if rest:
                self._consume(ts, rest, ports, findings)

    def _decide(self, data: bytes, ports: tuple[int, int], findings: StreamFindings) -> None:
        stripped = data.lstrip(WHITESPACE)
        if stripped and stripped[0] in JSON_START:
            self.mode = JSON_LINES
            self.lines = LineSplitter()
        elif looks_like_http_request(stripped):
            self.mode = HTTP
        elif stripped.startswith(WEBSOCKET_ACCEPTED):
            self.mode = HTTP_REPLY
        elif len(data) > 5 and data[0] == 0x16 and data[1] == 0x03:
            self.mode = TLS
        else:
            self.mode = DONE
            self._recognise_node(data, ports, findings)

    @staticmethod
    def _recognise_node(data: bytes, ports: tuple[int, int], findings: StreamFindings) -> None:
        command = p2p.bitcoin_message_command(data)
        if command is not None:
            findings.p2p_network = p2p.BITCOIN
            findings.p2p_detail = f"{p2p.BITCOIN_MAGICS[data[:4]]}:{command}"
        elif findings.p2p_network is None and p2p.is_rlpx_handshake(data, ports):
            findings.p2p_network = p2p.ETHEREUM
            findings.p2p_detail = "rlpx-handshake"

    def _read_json_lines(self, ts: float, data: bytes, findings: StreamFindings) -> None:
        assert self.lines is not None
        overlong = self.lines.overlong
        lines = self.lines.feed(data)
        self.idle += self.lines.overlong - overlong
        for line in lines:
            if not self._read_json_text(ts, line, findings):
                findings.unparsable += 1
            if not self.found_mining and self.idle >= MAX_IDLE_MESSAGES:
                self.mode = DONE
                return

    def _read_json_text(self, ts: float, text: bytes, findings: StreamFindings) -> bool:
        """Interpret one JSON text; False when it is not JSON."""
        try:
            decoded = protocols.parse_json_line(text)
        except (ValueError, RecursionError):
            self.idle += 1
            return False
        items = decoded if isinstance(decoded, list) else [decoded]
        for item in items[:64]:
            message = protocols.classify_message(item)
            if message is None:
                self.idle += 1
                continue
            self.found_mining = True
            findings.messages.append((ts, message, self.forward))
        return True

    def _read_http(self, ts: float, data: bytes, findings: StreamFindings) -> bytes | None:
        """Read requests; after a ``CONNECT`` return the tunnelled bytes (read afresh by the caller)."""
        self.head += data
        while self.mode == HTTP and self.head:
            if not looks_like_http_request(self.head.lstrip(WHITESPACE)):
                self.mode = DONE
                break
            request = parse_http_request_head(self.head)
            if request is None:
                if len(self.head) > MAX_HTTP_HEAD:
                    self.mode = DONE
                return None
            if request.method == "CONNECT":
                return self._enter_tunnel(request, findings)
            if request.headers.get("upgrade", "").lower() == "websocket":
                self._read_http_request(ts, request, b"", findings)
                return self._enter_websocket(request.head_length)
            body_end = request.head_length + min(request.content_length, MAX_HTTP_BODY)
            if len(self.head) < body_end:
                return None
            self._read_http_request(ts, request, self.head[request.head_length : body_end], findings)
            self.head = self.head[body_end:].lstrip(WHITESPACE)
        if self.mode == DONE:
            self.head = b""
        return None

    def _enter_tunnel(self, request: HttpRequestHead, findings: StreamFindings) -> bytes:
        """An HTTP proxy tunnel: its target names the real server; what follows is read afresh."""
        target = normalise_name(request.path)
        if target:
            findings.http_hosts.add(target)
        tunnelled = self.head[request.head_length :]
        self.head = b""
        self.mode = UNDECIDED
        return tunnelled

    def _read_http_request(
        self, ts: float, request: HttpRequestHead, body: bytes, findings: StreamFindings
    ) -> None:
        self.requests += 1
        if request.host:
            findings.http_hosts.add(request.host)
        before = len(findings.messages)
        if body.lstrip(WHITESPACE)[:1] in (b"{", b"["):
            self._read_json_text(ts, body.strip(), findings)
        if len(findings.messages) > before or protocols.is_mining_http_request(request.headers):
            self.found_mining = True
            agent = request.headers.get("user-agent")
            if agent:
                findings.http_agents.add(agent[:200])
            user = protocols.basic_auth_user(request.headers.get("authorization"))
            if user:
                findings.http_users.add(user[:200])
        if not self.found_mining and self.requests >= MAX_HTTP_REQUESTS:
            self.mode = DONE

    def _enter_websocket(self, head_length: int) -> bytes:
        """After an upgrade handshake the stream carries WebSocket frames (browser miners)."""
        frames = self.head[head_length:]
        self.head = b""
        self.mode = WEBSOCKET
        self.websocket = WebSocketReader()
        return frames

    def _read_upgrade_reply(self, data: bytes) -> bytes | None:
        """Skip the server's ``101 Switching Protocols`` head; return the frames after it."""
        self.head += data
        end = self.head.find(b"\r\n\r\n")
        if end < 0:
            if len(self.head) > MAX_HTTP_HEAD:
                self.mode = DONE
                self.head = b""
            return None
        return self._enter_websocket(end + 4)

    def _read_websocket(self, ts: float, data: bytes, findings: StreamFindings) -> None:
        assert self.websocket is not None
        for message in self.websocket.feed(data):
            if message.lstrip(WHITESPACE)[:1] in (b"{", b"["):
                if not self._read_json_text(ts, message.strip(), findings):
                    findings.unparsable += 1
            else:
                self.idle += 1
            if not self.found_mining and self.idle >= MAX_IDLE_MESSAGES:
                self.mode = DONE
                return

    def _read_tls(self, data: bytes, findings: StreamFindings) -> None:
        self.head += data
        if len(self.head) < 5:
            return
        record_end = 5 + ((self.head[3] << 8) | self.head[4])
        if len(self.head) >= record_end or len(self.head) >= MAX_TLS_HELLO:
            findings.sni = findings.sni or tls_client_hello_sni(self.head)
            self.head = b""
            self.mode = DONE
