"""WebSocket framing (RFC 6455), enough to read the JSON messages of browser miners over ``ws://``.

Frames are unmasked (client frames carry a 4-byte mask), fragmented messages are joined, and
``permessage-deflate`` (RSV1) payloads are inflated. Memory is bounded: a frame or message over
``max_message`` bytes is skipped and counted.
"""

from __future__ import annotations

import struct
import zlib

OPCODE_CONTINUATION = 0x0
OPCODE_TEXT = 0x1
OPCODE_BINARY = 0x2
CONTROL_OPCODES = 0x8
RSV1 = 0x40
DEFLATE_TAIL = b"\x00\x00\xff\xff"


def unmask(payload: bytes, mask: bytes) -> bytes:
    """XOR ``payload`` with the repeating 4-byte ``mask`` (done on big integers, not per byte)."""
    if not payload:
        return payload
    size = len(payload)
    key = (mask * (size // 4 + 1))[:size]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(size, "big")


class WebSocketReader:
    """Turns one direction's bytes into complete WebSocket data messages."""

    __slots__ = ("buffer", "fragments", "compressed", "inflater", "max_message", "skipped")

    def __init__(self, max_message: int = 64 * 1024) -> None:
        self.buffer = b""
        self.fragments: list[bytes] = []
        self.compressed = False
        self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        self.max_message = max_message
        self.skipped = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Messages (text or binary payloads) completed by ``data``."""
        self.buffer += data
        messages: list[bytes] = []
        while True:
            frame = self._next_frame()
            if frame is None:
                return messages
            message = self._assemble(*frame)
            if message is not None:
                messages.append(message)

    def _next_frame(self) -> tuple[int, bytes] | None:
        buffer = self.buffer
        if len(buffer) < 2:
            return None
        first, second = buffer[0], buffer[1]
        length = second & 0x7F
        pos = 2
        if length == 126:
            if len(buffer) < 4:
                return None
            length, pos = struct.unpack_from("!H", buffer, 2)[0], 4
        elif length == 127:
            if len(buffer) < 10:
                return None
            length, pos = struct.unpack_from("!Q", buffer, 2)[0], 10
        mask = b""
        if second & 0x80:
            mask, pos = buffer[pos : pos + 4], pos + 4
        if length > self.max_message:
            self.skipped += 1
            self.buffer = b""  # cannot hold it; the stream is resynchronised by dropping it
            return None
        if len(buffer) < pos + length:
            return None
        payload = buffer[pos : pos + length]
        self.buffer = buffer[pos + length :]
        return first, unmask(payload, mask) if mask else payload

    def _assemble(self, first: int, payload: bytes) -> bytes | None:
        opcode = first & 0x0F
        if opcode & CONTROL_OPCODES:
            return None
        if opcode != OPCODE_CONTINUATION:
            self.fragments = []
            self.compressed = bool(first & RSV1)
        self.fragments.append(payload)
        if sum(len(f) for f in self.fragments) > self.max_message:
            self.fragments = []
            self.skipped += 1
            return None
        if not first & 0x80:
            return None
        message = b"".join(self.fragments)
        self.fragments = []
        if self.compressed:
            try:
                message = self.inflater.decompress(message + DEFLATE_TAIL, self.max_message)
            except zlib.error:
                self.skipped += 1
                return None
        return message
