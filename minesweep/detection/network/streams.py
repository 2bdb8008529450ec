"""TCP byte-stream reassembly, one direction at a time, with bounded memory.

Enough to read newline-delimited JSON-RPC and HTTP heads: segments are put back in sequence order,
retransmitted and overlapping bytes are trimmed, and a hole that is never filled is skipped once
the out-of-order buffer reaches its limit (the caller is told, so it can drop a partial line).
"""

from __future__ import annotations

SEQ_MODULO = 1 << 32
HALF_SEQ_SPACE = 1 << 31
MAX_PENDING_SEGMENTS = 64
MAX_PENDING_BYTES = 256 * 1024


def seq_distance(seq: int, base: int) -> int:
    """Signed distance from ``base`` to ``seq`` in 32-bit sequence space (handles wrap-around)."""
    delta = (seq - base) % SEQ_MODULO
    return delta - SEQ_MODULO if delta >= HALF_SEQ_SPACE else delta


class StreamReassembler:
    """In-order bytes of one TCP direction.

    ``feed`` returns the bytes that became contiguous with this segment (possibly empty).
    ``gaps`` counts holes skipped because the out-of-order buffer overflowed; ``gap_pending`` is
    set when the bytes just returned follow such a hole.
    """

    __slots__ = ("next_seq", "pending", "pending_bytes", "gaps", "gap_pending")

    def __init__(self) -> None:
        self.next_seq: int | None = None
        self.pending: dict[int, bytes] = {}
        self.pending_bytes = 0
        self.gaps = 0
        self.gap_pending = False

    def feed(self, seq: int, payload: bytes, syn: bool = False) -> bytes:
        """Add one segment (``seq`` as on the wire, ``syn`` if the SYN flag is set)."""
        if syn:
            seq = (seq + 1) % SEQ_MODULO
            if self.next_seq is None:
                self.next_seq = seq
        if not payload:
            return b""
        if self.next_seq is None:
            self.next_seq = seq  # joined mid-connection: start where the capture starts
        offset = seq_distance(seq, self.next_seq)
        if offset > 0:
            return self._hold(seq, payload)
        if -offset >= len(payload):
            return b""  # pure retransmission
        data = payload[-offset:] if offset else payload
        self.next_seq = (self.next_seq + len(data)) % SEQ_MODULO
        if self.pending:
            data += self._drain()
        return data

    def _hold(self, seq: int, payload: bytes) -> bytes:
        known = self.pending.get(seq)
        if known is None or len(known) < len(payload):
            self.pending_bytes += len(payload) - (len(known) if known else 0)
            self.pending[seq] = payload
        if len(self.pending) <= MAX_PENDING_SEGMENTS and self.pending_bytes <= MAX_PENDING_BYTES:
            return b""
        return self._skip_hole()

    def _skip_hole(self) -> bytes:
        """Give up on the missing bytes: continue from the earliest held segment."""
        assert self.next_seq is not None
        base = self.next_seq
        earliest = min(self.pending, key=lambda s: seq_distance(s, base))
        self.next_seq = earliest
        self.gaps += 1
        self.gap_pending = True
        return self._drain()

    def _drain(self) -> bytes:
        """Append held segments that are now contiguous (trimming overlaps), drop stale ones."""
        chunks: list[bytes] = []
        progress = True
        while progress and self.pending:
            progress = False
            assert self.next_seq is not None
            for seq in list(self.pending):
                offset = seq_distance(seq, self.next_seq)
                if offset > 0:
                    continue
                payload = self.pending.pop(seq)
                self.pending_bytes -= len(payload)
                if -offset < len(payload):
                    piece = payload[-offset:] if offset else payload
                    chunks.append(piece)
                    self.next_seq = (self.next_seq + len(piece)) % SEQ_MODULO
                    progress = True
        return b"".join(chunks)

    def take_gap_flag(self) -> bool:
        """True once after bytes were returned across a skipped hole."""
        flag, self.gap_pending = self.gap_pending, False
        return flag


class LineSplitter:
    """Splits a byte stream into lines, holding at most ``max_line`` bytes of an unfinished line.

    A line longer than the limit is discarded up to its newline and counted in ``overlong``.
    """

    __slots__ = ("buffer", "max_line", "overlong", "discarding")

    def __init__(self, max_line: int = 64 * 1024) -> None:
        self.buffer = b""
        self.max_line = max_line
        self.overlong = 0
        self.discarding = False

    def reset(self) -> None:
        """Forget a partial line (after a hole in the stream)."""
        self.buffer = b""
        self.discarding = True

    def feed(self, data: bytes) -> list[bytes]:
        """Complete, non-empty lines (without the newline) made available by ``data``."""
        if self.discarding:
            cut = data.find(b"\n")
            if cut < 0:
                return []
            data = data[cut + 1 :]
            self.discarding = False
        buffered = self.buffer + data if self.buffer else data
        parts = buffered.split(b"\n")
        self.buffer = parts.pop()
        if len(self.buffer) > self.max_line:
            self.buffer = b""
            self.discarding = True
            self.overlong += 1
        return [p for p in (part.strip() for part in parts) if p]
