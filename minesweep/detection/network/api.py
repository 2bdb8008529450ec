"""Entry points for callers outside the package (management command, web views, lead services).

Each function takes paths or plain values and returns plain results; errors a user can act on
are raised as :class:`NetworkInputError` with a Chinese and English message. No Django import.
"""

from __future__ import annotations

import csv
import json
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from minesweep.core.exports import SafeCsvWriter
from minesweep.detection.network import collector, flowparts, pools
from minesweep.detection.network.attribution import (
    AllocationError,
    AllocationIndex,
    HostAttribution,
    attribute_hosts,
    read_allocations,
)
from minesweep.detection.network.flows import (
    FlowFileError,
    FlowReadStats,
    HostTotal,
    host_traffic_totals,
    read_flow_file,
)
from minesweep.detection.network.report import (
    REPORT_THRESHOLD,
    HostRecord,
    flow_host_records,
    scan_host_records,
    write_records,
)
from minesweep.detection.network.scanner import ScanResult, scan_captures
from minesweep.detection.network.shapes import ShapeFinding, shape_findings


class NetworkInputError(ValueError):
    """Input a person must fix (missing file, bad columns, bad listen address …)."""


ProgressCallback = Callable[[int, int], None]


@dataclass
class ScanOutcome:
    """Host records of a capture scan and what was skipped along the way."""

    records: list[HostRecord]
    scan: ScanResult

    def summary(self) -> dict[str, Any]:
        stats = self.scan.stats
        return {
            "files": self.scan.files,
            "frames": stats.frames,
            "bytes": stats.bytes,
            "packets": stats.packets,
            "flows": len(self.scan.flows),
            "skipped_frames": dict(stats.skipped),
            "truncated_file": stats.truncated_file,
            "unparsable_messages": self.scan.unparsable_messages,
            "stream_gaps": self.scan.stream_gaps,
            "hosts": len(self.records),
        }


@dataclass
class FlowOutcome:
    records: list[HostRecord]
    stats: FlowReadStats = field(default_factory=FlowReadStats)
    traffic: list[HostTotal] = field(default_factory=list)
    #: hosts whose flows have the shape of mining sessions to pools not on any list (``shapes``)
    unlisted: list[ShapeFinding] = field(default_factory=list)


def scan_files(
    paths: Sequence[Path | str], progress: ProgressCallback | None = None, threshold: float | None = None
) -> ScanOutcome:
    """Scan pcap/pcapng files → one :class:`HostRecord` per mining or crypto-P2P host."""
    for path in paths:
        if not Path(path).is_file():
            raise NetworkInputError(f"找不到抓包文件 / capture not found: {path}")
    scan = scan_captures(paths, progress)
    not_captures = scan.stats.skipped.get("not_a_capture", 0)
    if paths and scan.stats.frames == 0 and (not_captures == len(paths) or scan.stats.truncated_file):
        # Garbage in must not end as "0 hosts, succeeded" (issue 14): say that nothing could be read.
        raise NetworkInputError(
            f"输入中没有可读取的抓包文件（pcap/pcapng）：{len(paths)} 个文件均无法识别或已损坏 / "
            f"no readable packet capture (pcap/pcapng) among the {len(paths)} input file(s)"
        )
    limit = REPORT_THRESHOLD if threshold is None else threshold
    return ScanOutcome(scan_host_records(scan, pools.default_pool_list(), limit), scan)


def score_flow_file(path: Path | str, threshold: float | None = None) -> FlowOutcome:
    """Score a CSV/Parquet flow file (or a directory of collector Parquet files)."""
    if not Path(path).exists():
        raise NetworkInputError(f"找不到流记录文件 / flow file not found: {path}")
    try:
        table, stats = read_flow_file(path)
    except FlowFileError as exc:
        raise NetworkInputError(str(exc)) from exc
    limit = REPORT_THRESHOLD if threshold is None else threshold
    return FlowOutcome(
        flow_host_records(table, pools.default_pool_list(), limit),
        stats,
        host_traffic_totals(table),
        shape_findings(table),
    )


def score_flow_dataset(
    path: Path | str,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: ProgressCallback | None = None,
) -> FlowOutcome:
    """Score a Parquet flow file or folder of any size: row groups streamed on the ``local`` or
    ``dask`` engine (:mod:`flowparts`); the same records and session findings as :func:`score_flow_file`
    (no per-host traffic totals). ``progress(done, total)`` counts tasks over all passes."""
    if not Path(path).exists():
        raise NetworkInputError(f"找不到流记录文件 / flow file not found: {path}")
    try:
        scan = flowparts.score_flow_dataset(path, engine, workers, scheduler, progress=progress)
    except FlowFileError as exc:
        raise NetworkInputError(str(exc)) from exc
    except (OSError, pa.ArrowInvalid) as exc:
        raise NetworkInputError(f"无法读取流记录 / cannot read flow records {path}: {exc}") from exc
    return FlowOutcome(scan.records, FlowReadStats(scan.rows, scan.rows - scan.kept), unlisted=scan.unlisted)


def is_parquet_input(path: Path | str) -> bool:
    """A Parquet flow file, or a folder (the collector's output): what :func:`score_flow_dataset` streams."""
    path = Path(path)
    return path.is_dir() or path.suffix.lower() in (".parquet", ".pq")


def task_progress(stream: IO[str], desc: str) -> ProgressCallback:
    """A progress callback drawing a tqdm bar of tasks done on an interactive terminal."""
    from tqdm import tqdm

    bar = tqdm(unit="task", file=stream, desc=desc, leave=False)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return update


def update_pools(path: Path | str) -> int:
    """Replace the installed pool list with ``path``; returns the endpoint count."""
    try:
        return pools.update_pool_file(path)
    except pools.PoolListError as exc:
        raise NetworkInputError(str(exc)) from exc


def run_collector(
    listen: str,
    out_dir: Path,
    duration: float | None = None,
    rotate_records: int | None = None,
    rotate_seconds: float | None = None,
) -> collector.CollectorStats:
    """Run the NetFlow/IPFIX collector in the foreground (SIGTERM and Ctrl-C stop it cleanly)."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        return collector.serve(
            listen, out_dir, duration, stop=stop, rotate_records=rotate_records, rotate_seconds=rotate_seconds
        )
    except collector.CollectorError as exc:
        raise NetworkInputError(str(exc)) from exc


def attribute_records(
    records: Iterable[HostRecord | dict[str, Any]], allocations: Path | str | AllocationIndex
) -> list[HostAttribution]:
    """Subscriber of each host record at its first and last sighting."""
    index = allocations if isinstance(allocations, AllocationIndex) else _allocation_index(allocations)
    triples = []
    for record in records:
        row = record.as_dict() if isinstance(record, HostRecord) else record
        triples.append(
            (str(row["host"]), str(row["first_seen"]), str(row.get("last_seen") or row["first_seen"]))
        )
    try:
        return attribute_hosts(triples, index)
    except ValueError as exc:
        raise NetworkInputError(f"主机记录无效 / invalid host record: {exc}") from exc


def attribute_host_file(hosts: Path | str, allocations: Path | str) -> list[HostAttribution]:
    """Attribute a JSON host-record file (from scan/flows) or a CSV with ``host,first_seen[,last_seen]``."""
    return attribute_records(_read_hosts(Path(hosts)), allocations)


def _allocation_index(path: Path | str) -> AllocationIndex:
    try:
        return AllocationIndex(read_allocations(path))
    except AllocationError as exc:
        raise NetworkInputError(str(exc)) from exc


def _read_hosts(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise NetworkInputError(f"无法读取主机记录 / cannot read host records {path}: {exc}") from exc
    if text.lstrip().startswith("["):
        try:
            rows = json.loads(text)
        except ValueError as exc:
            raise NetworkInputError(
                f"主机记录不是有效 JSON / host records are not valid JSON: {exc}"
            ) from exc
    else:
        rows = list(csv.DictReader(text.splitlines()))
    if not all(isinstance(r, dict) and r.get("host") and r.get("first_seen") for r in rows):
        raise NetworkInputError("主机记录需要 host 和 first_seen / host records need host and first_seen")
    return rows


def write_output(
    records: Sequence[HostRecord | HostAttribution], handle: IO[str], output_format: str
) -> None:
    """Write host records or attributions as JSON or CSV."""
    if all(isinstance(r, HostRecord) for r in records):
        write_records([r for r in records if isinstance(r, HostRecord)], handle, output_format)
        return
    rows = [r.as_dict() for r in records]
    if output_format == "json":
        json.dump(rows, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
        return
    writer = SafeCsvWriter(handle)
    writer.writerow(
        ["host", "first_seen", "last_seen", "uscc", "subscriber_name", "address", "prefix", "reassigned"]
    )
    for attribution in records:
        assert isinstance(attribution, HostAttribution)
        subscriber = attribution.at_first_seen
        writer.writerow(
            [
                attribution.host,
                attribution.first_seen,
                attribution.last_seen,
                subscriber.uscc if subscriber else "",
                subscriber.subscriber_name if subscriber else "",
                subscriber.address if subscriber else "",
                str(subscriber.network) if subscriber else "",
                attribution.reassigned,
            ]
        )


def terminal_progress(stream: IO[str]) -> ProgressCallback:
    """A progress callback drawing a tqdm bar (bytes read) on an interactive terminal."""
    from tqdm import tqdm

    bar = tqdm(unit="B", unit_scale=True, file=stream, desc="scan", leave=False)

    def update(read_bytes: int, packets: int) -> None:
        bar.update(read_bytes - bar.n)
        bar.set_postfix(packets=packets, refresh=False)

    return update


def describe_scan(outcome: ScanOutcome) -> str:
    s = outcome.summary()
    return (
        f"扫描完成 / scanned {len(s['files'])} files: {s['frames']} frames, {s['packets']} TCP/UDP packets, "
        f"{s['flows']} flows, {s['hosts']} hosts reported; skipped {s['skipped_frames']}, "
        f"unparsable messages {s['unparsable_messages']}, stream gaps {s['stream_gaps']}"
        + (", capture truncated / 抓包文件不完整" if s["truncated_file"] else "")
    )


#: Session-shape findings named in the summary line; the rest are counted (``--unlisted-out`` writes all)
SUMMARY_FINDINGS = 20


def describe_flows(outcome: FlowOutcome) -> str:
    """The summary line of a flow scoring: counts, and the first :data:`SUMMARY_FINDINGS` hosts with a
    mining-session shape to no listed pool (highest score first) — at province scale there are thousands,
    which one line cannot show; ``net flows --unlisted-out FILE`` writes them all."""
    shown = ", ".join(f"{f.host} ({f.score:.2f})" for f in outcome.unlisted[:SUMMARY_FINDINGS]) or "none"
    more = len(outcome.unlisted) - SUMMARY_FINDINGS
    if more > 0:
        shown += f" … +{more} more / 另有 {more} 个 (--unlisted-out FILE)"
    return (
        f"流记录 / flow records: {outcome.stats.rows} read, {outcome.stats.skipped_rows} malformed rows skipped, "
        f"{len(outcome.records)} hosts reported; "
        f"mining-session shape without a listed pool / 未列名矿池的挖矿会话特征 ({len(outcome.unlisted)}): "
        + shown
    )


def write_findings(findings: Sequence[ShapeFinding], handle: IO[str], output_format: str) -> None:
    """Write session-shape findings (hosts with mining sessions to no listed pool) as JSON or CSV, in
    their order (highest score first); in CSV a finding's endpoints are one field, ``;``-separated."""
    if output_format == "json":
        json.dump([f.as_dict() for f in findings], handle, ensure_ascii=False, indent=2)
        handle.write("\n")
        return
    writer = SafeCsvWriter(handle)
    writer.writerow(["host", "score", "endpoints", "fan_in", "sessions"])
    for finding in findings:
        writer.writerow(
            [
                finding.host,
                round(finding.score, 3),
                ";".join(finding.endpoints),
                finding.fan_in,
                finding.sessions,
            ]
        )


def describe_collector(stats: collector.CollectorStats) -> str:
    return json.dumps(
        {
            "received_packets": stats.received_packets,
            "decoded_records": stats.decoded_records,
            "written_records": stats.written_records,
            "files": stats.files,
            "dropped_packets": stats.dropped_packets,
            "kernel_dropped_datagrams": stats.kernel_dropped_datagrams,
        },
        ensure_ascii=False,
    )
