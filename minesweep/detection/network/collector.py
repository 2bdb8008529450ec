"""NetFlow v5/v9 and IPFIX collector: UDP in, rotated Parquet files out (流量采集器).

* Export packets are decoded with the ``netflow`` package; v9/IPFIX template state is kept per
  exporter (address + source id / observation domain). Data that arrives before its template is
  held (bounded per exporter) and decoded when the template comes; what is still waiting at the
  end, or overflows the bound, is counted as dropped ``unknown_template``.
* Rows use the flow-file schema (``ts_start``/``ts_end`` POSIX seconds UTC …) plus ``exporter``,
  ``src_ipv4`` and ``src_ipv6``, the source address as a number (32 bits where it is IPv4, 16 bytes
  where it is IPv6: :mod:`addresses`), which flow scoring reads instead of the text.
* Files rotate by record count (:data:`DEFAULT_ROTATE_RECORDS`) or age (60 s), one Parquet row group
  per file. Records wait in Python lists only :data:`BATCH_RECORDS` at a time, then as Arrow record
  batches, under a third of the Python values' size (``bench/collector_buffer.py``: 106 against 347
  bytes a record), so a full buffer of a million records takes ~101 MiB, against ~66 MiB for the
  200,000 records held as Python values before.
  A file is written under a temporary name, flushed to disk and renamed, so every
  ``flows-NNNNNN.parquet`` present is complete; a restart continues with the next number.
  ``state.json`` (rewritten atomically at each rotation and on stop) holds cumulative
  received/decoded/written/dropped counts.
* Nothing received can stop the collector: undecodable packets are counted and skipped. On a
  stop (duration reached, SIGTERM, Ctrl-C) datagrams already queued in the socket are decoded
  before the last file is closed.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from netflow.ipfix import IPFIXExportPacket, IPFIXTemplateNotRecognized
from netflow.v5 import V5ExportPacket
from netflow.v9 import V9ExportPacket, V9TemplateNotRecognized

from minesweep.detection.network.addresses import (
    ADDRESS_BYTES,
    SOURCE_IPV6,
    SOURCE_NUMBERS,
    ipv4_numbers,
    ipv6_bytes,
)
from minesweep.detection.network.flows import OPTIONAL_TEXT_COLUMNS

STATE_FILE = "state.json"
FILE_PATTERN = "flows-{:06d}.parquet"
MAX_DATAGRAM = 65_535
RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024
#: Records per file at most. Flow scoring does much of its work once per row group (each distinct
#: address of a group is looked up once), so larger files score faster: the 10 M-record bench traffic
#: took 23-26 % less CPU in files of 1,000,000 records than of 200,000 (bench/README.md, seventh round).
#: What the collector holds when it is killed is lost whatever the size: up to 60 s of records
#: (``DEFAULT_ROTATE_SECONDS``), or fewer when this many arrive sooner.
DEFAULT_ROTATE_RECORDS = 1_000_000
#: Records held as Python values before they become one Arrow record batch.
BATCH_RECORDS = 50_000
DEFAULT_ROTATE_SECONDS = 60.0
MAX_PENDING_PER_EXPORTER = 512
POLL_SECONDS = 0.2
MAX_BACKLOG_DATAGRAMS = 500_000
#: Export header sizes of the templated versions (NetFlow v9, IPFIX).
HEADER_LENGTHS = {9: 20, 10: 16}
SCHEMA = pa.schema(
    [
        ("ts_start", pa.float64()),
        ("ts_end", pa.float64()),
        ("src_ip", pa.string()),
        ("src_port", pa.int64()),
        ("dst_ip", pa.string()),
        ("dst_port", pa.int64()),
        ("proto", pa.int64()),
        ("packets", pa.int64()),
        ("bytes", pa.int64()),
        ("exporter", pa.string()),
    ]
)
#: What a file holds: :data:`SCHEMA` and the source address as a number, which flow scoring reads instead
#: of the text: as 32 bits where it is IPv4 (:data:`addresses.SOURCE_NUMBERS`), as 16 bytes where it is
#: IPv6 (:data:`addresses.SOURCE_IPV6`); each null otherwise (:mod:`addresses`).
FILE_SCHEMA = SCHEMA.append(pa.field(SOURCE_NUMBERS, pa.uint32())).append(
    pa.field(SOURCE_IPV6, ADDRESS_BYTES)
)


#: Longest address text (IPv6) plus Parquet's 4-byte length: a dictionary page this size per record
#: holds every distinct address of a file.
DICTIONARY_BYTES_PER_RECORD = 48


#: Number columns with few distinct values: as dictionaries, 8 % smaller files than plain + LZ4 and read in
#: 2.1–2.3 instead of 3.9–4.0 ns per record (``dst_port``; bench/README.md, "Sixth round").
DICTIONARY_NUMBERS = ("src_port", "dst_port", "proto")
#: Counts written as bit-packed differences (Parquet's DELTA_BINARY_PACKED, no compression on top): on the
#: bench traffic 1.3 and 2.5 bytes a record instead of 3.1 and 4.6 with plain values and LZ4, and read in
#: 2.2–2.8 instead of 4.1–4.3 ns per record (bench/README.md, "Eleventh round").
PACKED_NUMBERS = ("packets", "bytes")
#: Columns written without compression: the times (random-looking doubles, where LZ4 found nothing to
#: compress: 8.02 MB a million records against 8.00 uncompressed, and it cost 0.35 ns per record to read
#: through) and the packed counts (LZ4 made them no smaller).
UNCOMPRESSED_COLUMNS = ("ts_start", "ts_end", *PACKED_NUMBERS)


def parquet_layout(records: int) -> dict[str, Any]:
    """``pq.write_table`` options of the collector's files, the layout flow scoring reads fastest
    (bench/README.md, "Flow scoring at province scale"): the text columns dictionary-encoded with a
    dictionary page large enough for all the distinct addresses of ``records`` records (past pyarrow's
    1 MB default, about 65,000 addresses, pages fall back to plain text and a reader has to hash every
    value again), the ports and protocol (:data:`DICTIONARY_NUMBERS`: at most 65,536 distinct values, a
    few hundred in practice) dictionary-encoded too, packet and byte counts as bit-packed differences
    (:data:`PACKED_NUMBERS`), the times plain, and LZ4 for every column but the times and counts
    (:data:`UNCOMPRESSED_COLUMNS`): it read no column slower than snappy and the IPv6 sources faster (4.1
    against 5.9 ms a million rows; bench/README.md, "Eleventh round"). The name columns of flow records (``flows.OPTIONAL_TEXT_COLUMNS``: SNI, DNS query and
    answers), which NetFlow does not carry but other exports and the bench's records do, are
    dictionary-encoded too when present: read as dictionaries they are not hashed again. Pyarrow leaves a
    column that a per-column compression does not name uncompressed, so every column the flow files can
    hold is named. Any reader of Parquet reads these files (DELTA_BINARY_PACKED is in Parquet's first
    format version); the flow readers accept every layout."""
    text = [f.name for f in SCHEMA if pa.types.is_string(f.type)]
    columns = [*FILE_SCHEMA.names, *OPTIONAL_TEXT_COLUMNS]
    return {
        "compression": {c: "none" if c in UNCOMPRESSED_COLUMNS else "lz4" for c in columns},
        "use_dictionary": [*text, *OPTIONAL_TEXT_COLUMNS, *DICTIONARY_NUMBERS],
        "column_encoding": {c: "DELTA_BINARY_PACKED" for c in PACKED_NUMBERS},
        "dictionary_pagesize_limit": max(records * DICTIONARY_BYTES_PER_RECORD, 1 << 20),
    }


class CollectorError(ValueError):
    """Bad collector settings (e.g. an unusable listen address). 采集器参数错误。"""


@dataclass
class CollectorStats:
    """Cumulative counts across runs (packets are UDP datagrams; records are flow records)."""

    received_packets: int = 0
    received_bytes: int = 0
    decoded_packets: int = 0
    decoded_records: int = 0
    written_records: int = 0
    files: int = 0
    dropped_packets: dict[str, int] = field(default_factory=dict)
    pending_packets: int = 0
    #: Datagrams the kernel dropped in the last run before the collector could read them.
    kernel_dropped_datagrams: int | None = None
    runs: int = 0
    updated_at: float = 0.0

    def drop(self, reason: str, count: int = 1) -> None:
        self.dropped_packets[reason] = self.dropped_packets.get(reason, 0) + count


def parse_listen(listen: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT`` for IPv6) → (host, port)."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise CollectorError(f"监听地址无效 / invalid listen address {listen!r}: expected HOST:PORT")
    return host.strip("[]") or "127.0.0.1", int(port)


class FlowCollector:
    """Decoding, buffering and Parquet rotation; :func:`serve` feeds it from a socket."""

    def __init__(
        self,
        out_dir: Path,
        rotate_records: int = DEFAULT_ROTATE_RECORDS,
        rotate_seconds: float = DEFAULT_ROTATE_SECONDS,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.rotate_records = rotate_records
        self.rotate_seconds = rotate_seconds
        self.stats = _load_state(self.out_dir / STATE_FILE)
        self.stats.runs += 1
        self.stats.pending_packets = 0
        self.next_index = _next_file_index(self.out_dir)
        self.templates: dict[tuple[str, int, int], dict[int, Any]] = {}
        self.pending: dict[tuple[str, int, int], deque[bytes]] = {}
        self.columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
        self.batches: list[pa.RecordBatch] = []
        self.buffer_started = time.monotonic()

    @property
    def buffered(self) -> int:
        return sum(b.num_rows for b in self.batches) + len(self.columns["ts_start"])

    def handle_datagram(self, data: bytes, exporter: str) -> None:
        """Decode one export packet into the buffer; never raises on its content."""
        self.stats.received_packets += 1
        self.stats.received_bytes += len(data)
        if len(data) < 4:
            self.stats.drop("too_short")
            return
        version = struct.unpack_from("!H", data)[0]
        if version == 5:
            self._decode_v5(data, exporter)
        elif version in HEADER_LENGTHS and len(data) >= HEADER_LENGTHS[version]:
            self._decode_templated(data, exporter, version)
        elif version in HEADER_LENGTHS:
            self.stats.drop("too_short")
        else:
            self.stats.drop("unknown_version")

    def _decode_v5(self, data: bytes, exporter: str) -> None:
        try:
            packet = V5ExportPacket(data)
        except (struct.error, ValueError, IndexError):
            self.stats.drop("malformed")
            return
        header = packet.header
        now = header.timestamp + header.timestamp_nano / 1e9
        rows = [
            (
                now - (header.uptime - f.FIRST_SWITCHED) / 1000.0,
                now - (header.uptime - f.LAST_SWITCHED) / 1000.0,
                str(ipaddress.IPv4Address(f.IPV4_SRC_ADDR)),
                f.SRC_PORT,
                str(ipaddress.IPv4Address(f.IPV4_DST_ADDR)),
                f.DST_PORT,
                f.PROTO,
                f.IN_PACKETS,
                f.IN_OCTETS,
            )
            for f in packet.flows
        ]
        self._accept(rows, exporter)

    def _decode_templated(self, data: bytes, exporter: str, version: int) -> None:
        source = struct.unpack_from("!I", data, 16 if version == 9 else 12)[0]
        key = (exporter, version, source)
        templates = self.templates.setdefault(key, {})
        outcome = self._decode_with_templates(data, exporter, version, templates)
        if outcome == "unknown_template":
            self._hold(key, data)
        elif outcome == "new_templates" and self.pending.get(key):
            self._retry_pending(key, exporter, version, templates)

    def _decode_with_templates(
        self, data: bytes, exporter: str, version: int, templates: dict[int, Any]
    ) -> str:
        try:
            if version == 9:
                packet: Any = V9ExportPacket(data, templates)
                rows = _v9_rows(packet)
            else:
                packet = IPFIXExportPacket(data, templates)
                rows = _ipfix_rows(packet)
        except (V9TemplateNotRecognized, IPFIXTemplateNotRecognized):
            return "unknown_template"
        except Exception:  # noqa: BLE001 - third-party parser on untrusted bytes: count, never crash
            self.stats.drop("malformed")
            return "malformed"
        self._accept(rows, exporter)
        return "new_templates" if packet.contains_new_templates else "decoded"

    def _hold(self, key: tuple[str, int, int], data: bytes) -> None:
        queue = self.pending.setdefault(key, deque())
        if len(queue) >= MAX_PENDING_PER_EXPORTER:
            queue.popleft()
            self.stats.drop("unknown_template")
        queue.append(data)

    def _retry_pending(
        self, key: tuple[str, int, int], exporter: str, version: int, templates: dict[int, Any]
    ) -> None:
        queue = self.pending[key]
        for _ in range(len(queue)):
            data = queue.popleft()
            if self._decode_with_templates(data, exporter, version, templates) == "unknown_template":
                queue.append(data)

    def _accept(self, rows: list[tuple[Any, ...]], exporter: str) -> None:
        self.stats.decoded_packets += 1
        self.stats.decoded_records += len(rows)
        columns = self.columns
        for row in rows:
            for name, value in zip(SCHEMA.names, row, strict=False):
                columns[name].append(value)
            columns["exporter"].append(exporter)
        if len(columns["ts_start"]) >= BATCH_RECORDS:
            self._batch()
        if self.buffered >= self.rotate_records:
            self.rotate()

    def _batch(self) -> None:
        """Move the records held as Python values (if any) into an Arrow record batch."""
        if not self.columns["ts_start"]:
            return
        arrays = [pa.array(self.columns[f.name], f.type) for f in SCHEMA]
        arrays.extend(source_numbers(arrays[SCHEMA.names.index("src_ip")]))
        self.batches.append(pa.RecordBatch.from_arrays(arrays, schema=FILE_SCHEMA))
        self.columns = {name: [] for name in SCHEMA.names}

    def rotate_if_due(self) -> None:
        """Close the current file when it is older than ``rotate_seconds`` (call periodically)."""
        if self.buffered and time.monotonic() - self.buffer_started >= self.rotate_seconds:
            self.rotate()

    def rotate(self) -> Path | None:
        """Write buffered rows to the next durable Parquet file and save the state."""
        self.buffer_started = time.monotonic()
        if not self.buffered:
            return None
        self._batch()
        table = pa.Table.from_batches(self.batches, schema=FILE_SCHEMA)
        path = self.out_dir / FILE_PATTERN.format(self.next_index)
        temporary = path.with_suffix(".parquet.tmp")
        pq.write_table(table, temporary, row_group_size=table.num_rows, **parquet_layout(table.num_rows))
        _fsync_file(temporary)
        os.replace(temporary, path)
        _fsync_directory(self.out_dir)
        self.next_index += 1
        self.stats.files += 1
        self.stats.written_records += table.num_rows
        self.batches = []
        self.save_state()
        return path

    def save_state(self) -> None:
        self.stats.pending_packets = sum(len(q) for q in self.pending.values())
        self.stats.updated_at = time.time()
        state = self.out_dir / STATE_FILE
        temporary = state.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(asdict(self.stats), indent=2, sort_keys=True))
        os.replace(temporary, state)

    def close(self) -> CollectorStats:
        """Flush the buffer; packets still waiting for a template are counted as dropped."""
        waiting = sum(len(q) for q in self.pending.values())
        if waiting:
            self.stats.drop("unknown_template", waiting)
        self.pending.clear()
        self.rotate()
        self.save_state()
        return self.stats


def _v9_rows(packet: Any) -> list[tuple[Any, ...]]:
    header = packet.header
    base = header.timestamp - header.uptime / 1000.0
    rows = []
    for flow in packet.flows:
        data = flow.data
        first = data.get("FIRST_SWITCHED")
        last = data.get("LAST_SWITCHED", first)
        start = base + first / 1000.0 if first is not None else float(header.timestamp)
        end = base + last / 1000.0 if last is not None else start
        rows.append(
            (
                start,
                end,
                str(data.get("IPV4_SRC_ADDR") or data.get("IPV6_SRC_ADDR") or ""),
                int(data.get("L4_SRC_PORT", 0)),
                str(data.get("IPV4_DST_ADDR") or data.get("IPV6_DST_ADDR") or ""),
                int(data.get("L4_DST_PORT", 0)),
                int(data.get("PROTOCOL", 0)),
                int(data.get("IN_PKTS", 0)),
                int(data.get("IN_BYTES", 0)),
            )
        )
    return rows


def _ipfix_rows(packet: Any) -> list[tuple[Any, ...]]:
    export_time = float(packet.header.export_uptime)
    rows = []
    for record in packet.flows:
        data = record.data
        start, end = _ipfix_times(data, export_time)
        rows.append(
            (
                start,
                end,
                _ip_text(data.get("sourceIPv4Address", data.get("sourceIPv6Address"))),
                int(data.get("sourceTransportPort", 0)),
                _ip_text(data.get("destinationIPv4Address", data.get("destinationIPv6Address"))),
                int(data.get("destinationTransportPort", 0)),
                int(data.get("protocolIdentifier", 0)),
                int(data.get("packetDeltaCount", data.get("packetTotalCount", 0))),
                int(data.get("octetDeltaCount", data.get("octetTotalCount", 0))),
            )
        )
    return rows


def _ipfix_times(data: dict[str, Any], export_time: float) -> tuple[float, float]:
    if "flowStartMilliseconds" in data:
        start = data["flowStartMilliseconds"] / 1000.0
        return start, data.get("flowEndMilliseconds", data["flowStartMilliseconds"]) / 1000.0
    if "flowStartSeconds" in data:
        return float(data["flowStartSeconds"]), float(data.get("flowEndSeconds", data["flowStartSeconds"]))
    return export_time, export_time


def source_numbers(source: pa.Array) -> tuple[pa.Array, pa.Array]:
    """The IPv4 number and the IPv6 bytes of each source address (:func:`addresses.ipv4_numbers`,
    :func:`addresses.ipv6_bytes`), parsed once per distinct address of the batch."""
    encoded = pc.dictionary_encode(source)
    distinct = encoded.dictionary
    return ipv4_numbers(distinct).take(encoded.indices), ipv6_bytes(distinct).take(encoded.indices)


def with_source_numbers(table: pa.Table) -> pa.Table:
    """``table`` (flow records) with the source number columns the collector writes
    (:data:`addresses.SOURCE_NUMBERS`, :data:`addresses.SOURCE_IPV6`)."""
    numbers, ipv6 = source_numbers(table["src_ip"].combine_chunks())
    return table.append_column(SOURCE_NUMBERS, numbers).append_column(SOURCE_IPV6, ipv6)


def _ip_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(ipaddress.ip_address(value))
    return str(value)


def _load_state(path: Path) -> CollectorStats:
    try:
        saved = json.loads(path.read_text())
        return CollectorStats(**{k: v for k, v in saved.items() if k in CollectorStats.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return CollectorStats()


def _next_file_index(out_dir: Path) -> int:
    numbers = [int(p.name[6:12]) for p in out_dir.glob("flows-*.parquet") if p.name[6:12].isdigit()]
    for leftover in out_dir.glob("*.parquet.tmp"):
        leftover.unlink(missing_ok=True)  # an interrupted write; its rows were never acknowledged
    return max(numbers, default=-1) + 1


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def serve(
    listen: str,
    out_dir: Path,
    duration: float | None = None,
    stop: threading.Event | None = None,
    ready: threading.Event | None = None,
    rotate_records: int | None = None,
    rotate_seconds: float | None = None,
) -> CollectorStats:
    """Receive exports on ``listen`` until ``duration`` seconds pass or ``stop`` is set.

    ``ready`` is set once the socket is bound (tests and the benchmark wait for it).
    """
    host, port = parse_listen(listen)
    collector = FlowCollector(
        out_dir,
        rotate_records=rotate_records or DEFAULT_ROTATE_RECORDS,
        rotate_seconds=rotate_seconds or DEFAULT_ROTATE_SECONDS,
    )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise CollectorError(f"无法监听 {listen} / cannot listen on {listen}: {exc}") from exc
        sock.settimeout(POLL_SECONDS)
        receiver = DatagramReceiver(sock)
        receiver.start()
        if ready is not None:
            ready.set()
        # Ctrl-C is the normal way to stop a collector run without --duration.
        with contextlib.suppress(KeyboardInterrupt):
            _decode_loop(receiver, collector, duration, stop)
        receiver.stop_and_drain()
        _decode_backlog(receiver, collector)
        if receiver.overflow:
            collector.stats.drop("backlog_overflow", receiver.overflow)
        collector.stats.kernel_dropped_datagrams = kernel_dropped_datagrams(sock)
    return collector.close()


class DatagramReceiver(threading.Thread):
    """Moves datagrams from the socket to a queue as they come.

    Decoding is the slow step; with this thread a burst or a busy CPU grows the in-process
    backlog (bounded by ``max_backlog`` datagrams, overflow counted) instead of overflowing the
    kernel's socket buffer, where losses would go unseen.
    """

    def __init__(self, sock: socket.socket, max_backlog: int = MAX_BACKLOG_DATAGRAMS) -> None:
        super().__init__(name="netflow-receiver", daemon=True)
        self.sock = sock
        self.queue: SimpleQueue[tuple[bytes, str]] = SimpleQueue()
        self.stopping = threading.Event()
        self.max_backlog = max_backlog
        self.overflow = 0

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                data, peer = self.sock.recvfrom(MAX_DATAGRAM)
            except TimeoutError:
                continue
            except OSError:
                return
            self._keep(data, peer[0])

    def _keep(self, data: bytes, exporter: str) -> None:
        if self.queue.qsize() >= self.max_backlog:
            self.overflow += 1
        else:
            self.queue.put((data, exporter))

    def stop_and_drain(self) -> None:
        """Stop receiving, then take what is still queued in the socket (a stop loses nothing sent)."""
        self.stopping.set()
        self.join()
        self.sock.setblocking(False)
        for _ in range(MAX_BACKLOG_DATAGRAMS):
            try:
                data, peer = self.sock.recvfrom(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            self._keep(data, peer[0])


def _decode_loop(
    receiver: DatagramReceiver, collector: FlowCollector, duration: float | None, stop: threading.Event | None
) -> None:
    deadline = time.monotonic() + duration if duration is not None else None
    last_check = time.monotonic()
    while not (stop is not None and stop.is_set()):
        try:
            data, exporter = receiver.queue.get(timeout=POLL_SECONDS)
            collector.handle_datagram(data, exporter)
        except Empty:
            pass
        now = time.monotonic()
        if now - last_check >= POLL_SECONDS:
            last_check = now
            collector.rotate_if_due()
            if deadline is not None and now >= deadline:
                return


def _decode_backlog(receiver: DatagramReceiver, collector: FlowCollector) -> None:
    while True:
        try:
            data, exporter = receiver.queue.get_nowait()
        except Empty:
            return
        collector.handle_datagram(data, exporter)


def kernel_dropped_datagrams(sock: socket.socket) -> int | None:
    """Datagrams the kernel dropped for this socket (Linux ``/proc/net/udp*``), else ``None``."""
    try:
        inode = str(os.fstat(sock.fileno()).st_ino)
    except OSError:
        return None
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) >= 13 and fields[9] == inode:
                return int(fields[-1])
    return None
