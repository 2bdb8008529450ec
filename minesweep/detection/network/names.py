"""Host names seen on the wire: TLS SNI, DNS questions/answers and the HTTP ``Host`` header.

Every parser takes raw bytes and returns ``None`` (or an empty result) on anything it cannot
read; none of them raises on malformed input.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field

TLS_HANDSHAKE = 0x16
TLS_CLIENT_HELLO = 0x01
SNI_EXTENSION = 0x0000
DNS_TYPE_A = 1
DNS_TYPE_AAAA = 28


def normalise_name(name: str) -> str:
    """Lower-case a host name, drop a trailing dot and any ``:port`` suffix."""
    name = name.strip().lower().rstrip(".")
    if name.startswith("["):  # [v6]:port
        return name[1 : name.find("]")] if "]" in name else name
    if name.count(":") == 1:
        name = name.split(":", 1)[0]
    return name


def tls_client_hello_sni(data: bytes) -> str | None:
    """Server name from a TLS ClientHello at the start of a client stream, or ``None``.

    ``data`` is the reassembled client byte stream (only the first record is needed).
    """
    try:
        return _parse_sni(data)
    except (IndexError, struct.error, UnicodeDecodeError):
        return None


def _parse_sni(data: bytes) -> str | None:
    if len(data) < 9 or data[0] != TLS_HANDSHAKE or data[5] != TLS_CLIENT_HELLO:
        return None
    record_len = struct.unpack_from("!H", data, 3)[0]
    end = min(len(data), 5 + record_len)
    pos = 5 + 4 + 2 + 32  # handshake header, client version, random
    session_len = data[pos]
    pos += 1 + session_len
    suites_len = struct.unpack_from("!H", data, pos)[0]
    pos += 2 + suites_len
    compression_len = data[pos]
    pos += 1 + compression_len
    extensions_end = min(end, pos + 2 + struct.unpack_from("!H", data, pos)[0])
    pos += 2
    while pos + 4 <= extensions_end:
        ext_type, ext_len = struct.unpack_from("!HH", data, pos)
        pos += 4
        if ext_type == SNI_EXTENSION:
            return _first_host_name(data[pos : pos + ext_len])
        pos += ext_len
    return None


def _first_host_name(ext: bytes) -> str | None:
    pos = 2  # server_name_list length
    while pos + 3 <= len(ext):
        name_type = ext[pos]
        name_len = struct.unpack_from("!H", ext, pos + 1)[0]
        pos += 3
        if name_type == 0:
            raw = ext[pos : pos + name_len]
            return normalise_name(raw.decode("ascii")) if raw else None
        pos += name_len
    return None


@dataclass
class DnsMessage:
    """Questions and address answers of one DNS message (names normalised)."""

    is_response: bool
    questions: list[str] = field(default_factory=list)
    #: (address as text, name the address was asked for) pairs, CNAME chains resolved to the question.
    answers: list[tuple[str, str]] = field(default_factory=list)


DNS_HEADER = struct.Struct("!HHHHHH")
DNS_MAX_POINTER_JUMPS = 16
DNS_MAX_RECORDS = 64


def parse_dns(payload: bytes) -> DnsMessage | None:
    """Decode a DNS message carried over UDP; ``None`` when it does not parse.

    A small reader of its own (questions, A/AAAA answers, CNAME chains) — a scan meets one DNS
    message per lookup and a general-purpose decoder costs several times more per message.
    """
    try:
        return _dns_message(payload)
    except (IndexError, struct.error, ValueError, UnicodeDecodeError):
        return None


def _dns_message(payload: bytes) -> DnsMessage | None:
    _, flags, questions, answers, _, _ = DNS_HEADER.unpack_from(payload)
    if questions > DNS_MAX_RECORDS or answers > DNS_MAX_RECORDS or flags & 0x7800:  # opcode must be QUERY
        return None
    result = DnsMessage(is_response=bool(flags & 0x8000))
    pos = DNS_HEADER.size
    for _ in range(questions):
        name, pos = _dns_name(payload, pos)
        pos += 4
        if name:
            result.questions.append(name)
    asked = result.questions[0] if result.questions else ""
    for _ in range(answers):
        _, pos = _dns_name(payload, pos)
        record_type, _, _, length = struct.unpack_from("!HHIH", payload, pos)
        pos += 10
        data = payload[pos : pos + length]
        pos += length
        if record_type == DNS_TYPE_A and len(data) == 4:
            result.answers.append((socket.inet_ntop(socket.AF_INET, data), asked))
        elif record_type == DNS_TYPE_AAAA and len(data) == 16:
            result.answers.append((socket.inet_ntop(socket.AF_INET6, data), asked))
    return result


def _dns_name(payload: bytes, pos: int) -> tuple[str, int]:
    """Read a possibly compressed name at ``pos``; returns (normalised name, position after it)."""
    labels: list[str] = []
    end = -1
    jumps = 0
    while True:
        length = payload[pos]
        if length == 0:
            pos += 1
            break
        if length & 0xC0 == 0xC0:
            if end < 0:
                end = pos + 2
            jumps += 1
            if jumps > DNS_MAX_POINTER_JUMPS:
                raise ValueError("DNS compression loop")
            pos = ((length & 0x3F) << 8) | payload[pos + 1]
            continue
        if length & 0xC0:
            raise ValueError("unsupported DNS label type")
        labels.append(payload[pos + 1 : pos + 1 + length].decode("ascii"))
        pos += 1 + length
    return ".".join(labels).lower(), end if end >= 0 else pos


@dataclass
class HttpRequestHead:
    """The parts of an HTTP/1.x request head an investigator needs."""

    method: str
    path: str
    headers: dict[str, str]
    head_length: int

    @property
    def host(self) -> str | None:
        value = self.headers.get("host")
        return normalise_name(value) if value else None

    @property
    def content_length(self) -> int:
        try:
            return max(0, int(self.headers.get("content-length", "0")))
        except ValueError:
            return 0


HTTP_METHODS = (b"GET ", b"POST ", b"PUT ", b"HEAD ", b"OPTIONS ", b"PATCH ", b"DELETE ", b"CONNECT ")


def looks_like_http_request(data: bytes) -> bool:
    """True when a stream starts with an HTTP/1.x request line."""
    return data.startswith(HTTP_METHODS)


def parse_http_request_head(data: bytes) -> HttpRequestHead | None:
    """Parse a complete request head (up to the blank line); ``None`` if incomplete or invalid."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    try:
        lines = data[:end].decode("latin-1").split("\r\n")
    except UnicodeDecodeError:
        return None
    parts = lines[0].split(" ")
    if len(parts) < 2:
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return HttpRequestHead(method=parts[0], path=parts[1], headers=headers, head_length=end + 4)
