"""Network-detection benchmark: pcap scan, flow matching, NetFlow/IPFIX collector.

    .venv/bin/python bench/net_bench.py [--capture-mb 200] [--flow-records 2000000] [--collector-seconds 60]

* Builds a capture of at least ``--capture-mb`` MB from the project's real test captures (every copy
  gets its IPv4 addresses shifted so its flows are new) in a temporary directory, then times
  a bare ``dpkt`` loop (the floor), ``minesweep net scan`` logic, and Debian's ``ndpiReader`` if
  installed.
* Generates flow records (pyarrow) with pool names among ordinary ones and times pool matching
  plus per-host scoring.
* Runs the collector in a separate process on 127.0.0.1 and sends NetFlow v9 + IPFIX exports at
  ``--collector-rate`` records/s for ``--collector-seconds``; reports sent vs stored.

Only loopback is used. Nothing is written outside the temporary directory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minesweep.detection.network.collector import (  # noqa: E402
    DEFAULT_ROTATE_RECORDS,
    parquet_layout,
    serve,
    with_source_numbers,
)
from minesweep.detection.network.exporters import ipfix_packets, netflow_v9_packets  # noqa: E402
from minesweep.detection.network.flowparts import (  # noqa: E402
    NUMBERS_FROM_DICTIONARY_BYTES,
    dictionary_page_bytes,
)
from minesweep.detection.network.flows import connection_names, match_names, score_flow_table  # noqa: E402
from minesweep.detection.network.pcap import ReadStats, read_frames  # noqa: E402
from minesweep.detection.network.pools import default_pool_list  # noqa: E402
from minesweep.detection.network.report import scan_host_records  # noqa: E402
from minesweep.detection.network.scanner import scan_captures  # noqa: E402

CAPTURES = ROOT / "minesweep" / "detection" / "tests" / "data" / "pcaps"
ETHERNET = 1


def real_frames() -> list[tuple[float, bytes]]:
    """All Ethernet frames of the real test captures, in file order."""
    frames: list[tuple[float, bytes]] = []
    for path in sorted(CAPTURES.glob("*/*.pcap*")):
        if path.suffix == ".out":
            continue
        frames.extend(
            (ts, frame) for ts, linktype, frame in read_frames(path, ReadStats()) if linktype == ETHERNET
        )
    return frames


def shifted(frame: bytes, copy: int) -> bytes:
    """The frame with the second octet of both IPv4 addresses shifted by ``copy`` (new flows per copy)."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return frame
    data = bytearray(frame)
    data[27] = (data[27] + copy) % 256
    data[31] = (data[31] + copy) % 256
    return bytes(data)


def build_capture(path: Path, target_mb: float) -> tuple[int, int]:
    """Write a classic pcap of at least ``target_mb`` MB; returns (bytes, frames)."""
    frames = real_frames()
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, ETHERNET)
    written, count, copy = len(header), 0, 0
    record = struct.Struct("<IIII")
    with open(path, "wb") as handle:
        handle.write(header)
        while written < target_mb * 1e6:
            offset = copy * 100_000.0
            chunk = []
            for ts, frame in frames:
                moment = max(ts, 0.0) + offset
                data = shifted(frame, copy)
                micros = min(int((moment % 1) * 1e6), 999_999)
                chunk.append(record.pack(int(moment), micros, len(data), len(data)) + data)
            blob = b"".join(chunk)
            handle.write(blob)
            written += len(blob)
            count += len(frames)
            copy += 1
    return written, count


def time_dpkt_loop(path: Path) -> float:
    import dpkt

    start = time.perf_counter()
    with open(path, "rb") as handle:
        for _ts, _buf in dpkt.pcap.Reader(handle):
            pass
    return time.perf_counter() - start


def warm_up() -> None:
    """One small real capture first: one-time imports (pyarrow pulls in pandas) are not scan cost."""
    scan_host_records(scan_captures([CAPTURES / "ndpi" / "mining.pcapng"]), default_pool_list())


def time_scan(path: Path) -> tuple[float, int, int]:
    start = time.perf_counter()
    result = scan_captures([path])
    records = scan_host_records(result, default_pool_list())
    elapsed = time.perf_counter() - start
    mining = sum(r.kind == "mining" for r in records)
    return elapsed, result.stats.packets, mining


def time_ndpi(path: Path) -> float:
    binary = shutil.which("ndpiReader")
    assert binary is not None
    start = time.perf_counter()
    subprocess.run(
        [binary, "-i", str(path), "-q"], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def best_of(repeat: int, run):  # type: ignore[no-untyped-def]
    """Run ``run()`` ``repeat`` times; return the result with the smallest elapsed time (first item)."""
    return min(
        (run() for _ in range(repeat)), key=lambda result: result[0] if isinstance(result, tuple) else result
    )


def bench_capture(workdir: Path, target_mb: float, repeat: int) -> None:
    path = workdir / "assembled.pcap"
    size, frames = build_capture(path, target_mb)
    megabytes = size / 1e6
    print(f"capture: {megabytes:.1f} MB, {frames:,} frames (assembled from {CAPTURES.relative_to(ROOT)})")
    print(f"timings are the best of {repeat} runs, dpkt loop and scan interleaved")
    floors, scans = [], []
    for _ in range(repeat):
        floors.append(time_dpkt_loop(path))
        scans.append(time_scan(path))
    floor = min(floors)
    elapsed, packets, mining = min(scans)
    print(f"bare dpkt loop: {floor:.2f} s = {megabytes / floor:.1f} MB/s, {frames / floor:,.0f} packets/s")
    print(
        f"net scan: {elapsed:.2f} s = {megabytes / elapsed:.1f} MB/s, {frames / elapsed:,.0f} packets/s "
        f"({packets:,} TCP/UDP), {mining} mining hosts; ratio to dpkt loop {elapsed / floor:.2f}x"
    )
    if shutil.which("ndpiReader") is None:
        print("ndpiReader: not installed (apt-get install libndpi-bin) — comparison skipped")
        return
    ndpi = best_of(repeat, lambda: time_ndpi(path))
    print(
        f"ndpiReader: {ndpi:.2f} s = {megabytes / ndpi:.1f} MB/s; net scan / ndpiReader = {elapsed / ndpi:.2f}x"
    )


def generated_names(host_count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Names and addresses of the generated traffic: 100 pool hosts of the pool list, 4,900 ordinary
    names, ``host_count`` local hosts and 20,000 servers."""
    pool_hosts = [e.host for e in default_pool_list().endpoints if not e.host[0].isdigit()][:100]
    names = [f"www{i}.example{i % 97}.com" for i in range(4900)]
    hosts = [f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}" for i in range(host_count)]
    servers = [f"203.0.{i // 256}.{i % 256}" for i in range(20_000)]
    return tuple(np.array(values, dtype=object) for values in (pool_hosts, names, hosts, servers))  # type: ignore[return-value]


def generated_flows(rows: int, seed: int = 7, host_count: int = 50_000) -> pa.Table:
    """Synthetic flow records: ``host_count`` hosts, 20,000 servers, 4,900 ordinary names and 100 pool
    hosts; a name is on half the connections (SNI) and on every DNS flow (10% of rows), and 0.5% of
    the names drawn are pool hosts (a few thousand suspicious hosts per million records)."""
    rng = np.random.default_rng(seed)
    pool_hosts, ordinary, hosts, servers = generated_names(host_count)
    names = np.r_[ordinary, pool_hosts]
    weights = np.r_[np.full(4900, 0.995 / 4900), np.full(len(pool_hosts), 0.005 / len(pool_hosts))]
    start = 1_700_000_000 + rng.uniform(0, 86_400, rows)
    duration = rng.exponential(60, rows)
    sni = names[rng.choice(len(names), rows, p=weights)]
    sni[rng.random(rows) < 0.5] = None
    dst_port = rng.choice([443, 80, 53, 3333, 8333, 5222], rows, p=[0.6, 0.2, 0.1, 0.05, 0.02, 0.03])
    dns_query = names[rng.choice(len(names), rows, p=weights)]
    dns_query[dst_port != 53] = None
    sni[dst_port == 53] = None
    return pa.table(
        {
            "ts_start": start,
            "ts_end": start + duration,
            "src_ip": pa.array(hosts[rng.integers(0, len(hosts), rows)], pa.string()),
            "src_port": rng.integers(1024, 65535, rows),
            "dst_ip": pa.array(servers[rng.integers(0, len(servers), rows)], pa.string()),
            "dst_port": rng.choice(
                [443, 80, 53, 3333, 8333, 5222], rows, p=[0.6, 0.2, 0.1, 0.05, 0.02, 0.03]
            ),
            **sizes_and_names(rng, rows, sni, dns_query),
        }
    )


def sizes_and_names(
    rng: np.random.Generator, rows: int, sni: np.ndarray, query: np.ndarray
) -> dict[str, object]:
    """The columns after the addresses and ports: TCP, packets and bytes drawn from ``rng`` in this
    order (the generators' draws stay in the same order), then the names."""
    return {
        "proto": np.full(rows, 6),
        "packets": rng.integers(1, 500, rows),
        "bytes": rng.integers(60, 500_000, rows),
        "sni": pa.array(sni, pa.string()),
        "dns_query": pa.array(query, pa.string()),
        "dns_answers": pa.nulls(rows, pa.string()),
    }


def realistic_flows(rows: int, seed: int = 7, host_count: int = 4_000) -> pa.Table:
    """Synthetic flow records closer to an ISP's flow log than :func:`generated_flows`: ``host_count``
    hosts of about 500 flows each, 1% of them miners (a fifth of their flows to pool hosts: SNI or DNS
    lookups of pool names, ports 3333/443) and 0.5% Bitcoin nodes (a third of their flows to port 8333
    peers); every other flow is ordinary web, mail and DNS traffic (ports 443, 80, 53, 993) to 20,000
    servers, with the same times and sizes as :func:`generated_flows`."""
    rng = np.random.default_rng(seed)
    pool_hosts, names, hosts, servers = generated_names(host_count)
    kinds = np.random.default_rng(0).random(host_count)  # the same miners and nodes in every chunk
    source = rng.integers(0, host_count, rows)
    start = 1_700_000_000 + rng.uniform(0, 86_400, rows)
    duration = rng.exponential(60, rows)
    dst_port = rng.choice([443, 80, 53, 993], rows, p=[0.65, 0.2, 0.1, 0.05])
    sni = names[rng.integers(0, len(names), rows)]
    sni[rng.random(rows) < 0.5] = None
    query = names[rng.integers(0, len(names), rows)]
    mining = (kinds[source] < 0.01) & (rng.random(rows) < 0.2)
    dst_port[mining] = rng.choice([3333, 443, 53], int(mining.sum()), p=[0.5, 0.4, 0.1])
    pool_names = pool_hosts[rng.integers(0, len(pool_hosts), rows)]
    sni[mining] = pool_names[mining]
    query[mining] = pool_names[mining]
    node = (kinds[source] >= 0.01) & (kinds[source] < 0.015) & (rng.random(rows) < 0.33)
    dst_port[node] = 8333
    sni[(dst_port == 53) | node] = None
    query[dst_port != 53] = None
    return pa.table(
        {
            "ts_start": start,
            "ts_end": start + duration,
            "src_ip": pa.array(hosts[source], pa.string()),
            "src_port": rng.integers(1024, 65535, rows),
            "dst_ip": pa.array(servers[rng.integers(0, len(servers), rows)], pa.string()),
            "dst_port": dst_port,
            **sizes_and_names(rng, rows, sni, query),
        }
    )


def bench_flows(rows: int, repeat: int) -> None:
    table = generated_flows(rows)
    pools = default_pool_list()
    score_flow_table(table.slice(0, 10_000), pools)  # warm-up

    def matching() -> float:
        start = time.perf_counter()
        match_names(connection_names(table), pools)
        return time.perf_counter() - start

    def scoring() -> tuple[float, int]:
        start = time.perf_counter()
        hosts = score_flow_table(table, pools)
        return time.perf_counter() - start, len(hosts)

    matched = best_of(repeat, matching)
    print(
        f"flow matching (names → pool list): {rows:,} records in {matched:.2f} s = {rows / matched:,.0f} records/s"
    )
    elapsed, hosts = best_of(repeat, scoring)
    print(
        f"flow matching + scoring: {rows:,} records in {elapsed:.2f} s = {rows / elapsed:,.0f} records/s "
        f"({hosts:,} hosts with evidence)"
    )


TARGET_PER_CORE = 5_000_000  # issue 13 §5: flow records per second per core


#: generated hosts scale with the records: 50,000 hosts per 2 M records (dense, many-hosts), 4,000
#: (realistic). ``many-hosts`` is the realistic traffic (1% miners) with as many distinct sources as
#: dense: ~245,000 per 1,000,000 records, the cardinality a time slice of a province's flows has, where
#: reading the source addresses costs most; ``dense`` adds a host reported per ~290 records (14% of hosts).
ROWS_PER_HOST = {"dense": 40, "realistic": 500, "many-hosts": 40}
GENERATORS = {"dense": generated_flows, "realistic": realistic_flows, "many-hosts": realistic_flows}
GENERATE_CHUNK = 1_000_000


#: Parquet layouts of the streamed input: the one the collector writes (``collector.parquet_layout`` with
#: the sources' IPv4 numbers, ``src_ipv4``), the same without the numbers (``collector-text``: what the
#: collector wrote before them, and what another writer of that layout gives, so sources are read as
#: text), and the worst a conforming file can have for the reader (``plain``: every text column plain,
#: never a dictionary; pyarrow's defaults reach it too once a row group has more than ~65,000 distinct
#: addresses). The default is ``collector`` and ``plain``.
LAYOUTS = ("collector", "collector-text", "plain")
DEFAULT_LAYOUTS = ("collector", "plain")


def layout_options(layout: str, row_group: int) -> dict:  # type: ignore[type-arg]
    if layout in ("collector", "collector-text"):
        return parquet_layout(row_group)
    return {"use_dictionary": False}


def generated_input_parser(doc: str | None, records: int, profile: str) -> argparse.ArgumentParser:
    """A parser for a script scoring one generated file: ``--records``, ``--profile`` and ``--row-group``."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=records)
    parser.add_argument("--profile", choices=tuple(GENERATORS), default=profile)
    parser.add_argument("--row-group", type=int, default=500_000)
    return parser


@contextlib.contextmanager
def generated_file(args: argparse.Namespace, prefix: str) -> Iterator[Path]:
    """One Arrow thread, and a temporary Parquet file of ``args.records`` generated records of
    ``args.profile`` in the collector layout (removed afterwards)."""
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    with tempfile.TemporaryDirectory(prefix=prefix) as workdir:
        path = Path(workdir) / "flows.parquet"
        write_generated(path, args.records, args.row_group, "collector", args.profile)
        yield path


def write_generated(
    path: Path,
    rows: int,
    row_group: int,
    layout: str = "collector",
    profile: str = "dense",
    file_records: int = 0,
    ipv6_share: float = 0.0,
) -> None:
    """``rows`` generated records written chunk by chunk (never the whole table in memory): one file
    ``path`` with row groups of ``row_group``, or, with ``file_records``, a folder ``path`` of files
    of that many records with one row group each, as the collector writes them; ``ipv6_share`` of the
    hosts with IPv6 sources (:func:`with_ipv6_hosts`)."""
    import pyarrow.parquet as pq

    hosts = max(rows // ROWS_PER_HOST[profile], 1)
    chunks = (
        GENERATORS[profile](min(GENERATE_CHUNK, rows - first), seed=7 + index, host_count=hosts)
        for index, first in enumerate(range(0, rows, GENERATE_CHUNK))
    )
    if ipv6_share:
        chunks = (with_ipv6_hosts(chunk, ipv6_share) for chunk in chunks)
    if layout == "collector":  # the collector's files carry each source as a number too
        chunks = (with_source_numbers(chunk) for chunk in chunks)
    if file_records:
        _write_files(path, chunks, file_records, layout)
        return
    writer = None
    try:
        for chunk in chunks:
            writer = writer or pq.ParquetWriter(path, chunk.schema, **layout_options(layout, row_group))
            writer.write_table(chunk, row_group_size=row_group)
    finally:
        if writer is not None:
            writer.close()


def with_ipv6_hosts(table: pa.Table, share: float) -> pa.Table:
    """The generated records with ``share`` of the hosts (the same hosts in every chunk, chosen by a hash
    of the address) writing from an IPv6 address instead (``2408:8200:…``, one per IPv4 host), as a
    province's flows do where the mobile networks hand out IPv6: the collector gives those rows no
    ``src_ipv4`` number (their 16 bytes go in ``src_ipv6``). The texts are canonical (RFC 5952), as
    exporters write them."""
    import ipaddress

    from minesweep.detection.network.addresses import ipv4_numbers

    numbers = ipv4_numbers(table["src_ip"]).to_numpy(zero_copy_only=False).astype(np.uint64)
    moved = numbers * np.uint64(2654435761) % np.uint64(1000) < np.uint64(round(share * 1000))
    texts = np.array(table["src_ip"].to_pylist(), dtype=object)
    prefix = 0x2408_8200 << 96
    distinct, host = np.unique(numbers[moved], return_inverse=True)
    ipv6 = np.array(
        [str(ipaddress.IPv6Address(prefix | n << 64 | 1)) for n in distinct.tolist()], dtype=object
    )
    texts[moved] = ipv6[host.ravel()]
    return table.set_column(table.schema.get_field_index("src_ip"), "src_ip", pa.array(texts, pa.string()))


def _write_files(folder: Path, chunks: Iterator[pa.Table], file_records: int, layout: str) -> None:
    """The chunks' records in files of ``file_records`` (the last may be smaller), one row group each."""
    import pyarrow.parquet as pq

    folder.mkdir()
    pending: list[pa.Table] = []
    held = index = 0

    def flush(table: pa.Table) -> None:
        nonlocal index
        options = layout_options(layout, table.num_rows)
        pq.write_table(table, folder / f"flows-{index:06d}.parquet", row_group_size=table.num_rows, **options)
        index += 1

    for chunk in chunks:
        pending.append(chunk)
        held += chunk.num_rows
        while held >= file_records:
            joined = pa.concat_tables(pending)
            flush(joined.slice(0, file_records))
            rest = joined.slice(file_records)
            pending, held = ([rest], rest.num_rows) if rest.num_rows else ([], 0)
    if held:
        flush(pa.concat_tables(pending))


def streamed_run(source: str, arrow_threads: int, queue) -> None:  # type: ignore[no-untyped-def]
    """One timed scoring in a fresh process (its own peak RSS): wall, CPU, peak RSS, counts."""
    import resource

    from minesweep.detection.meter.runners.local import map_local  # noqa: F401 - imported before the clock
    from minesweep.detection.network.flowparts import score_flow_dataset

    default_pool_list()  # read once per process, not per record: outside the clock
    pa.array([0])  # pyarrow imports pandas on its first pa.array (0.5 s once per process): outside too
    pa.set_cpu_count(arrow_threads)
    pa.set_io_thread_count(arrow_threads)
    passes_peak = [0]

    def progress(_done: int, _total: int) -> None:  # after each task: the peak so far
        passes_peak[0] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    start, cpu = time.perf_counter(), time.process_time()
    scan = score_flow_dataset(Path(source), "local", workers=1, progress=progress)
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    queue.put(
        {
            "wall": wall,
            "cpu": used,
            "peak": peak,
            "passes_peak": passes_peak[0],
            "rows": scan.rows,
            "reported": len(scan.records),
            "unlisted": len(scan.unlisted),
            "candidates": scan.candidate_hosts,
            "candidate_rows": scan.candidate_rows,
            **scan.cpu_seconds,
        }
    )


def bench_streamed(
    workdir: Path,
    rows: int,
    repeat: int,
    arrow_threads: int,
    row_group: int,
    layout: str,
    profile: str,
    file_records: int = 0,
    ipv6_share: float = 0.0,
) -> None:
    """Flow scoring at scale (``flowparts.score_flow_dataset``): generated Parquet input scored task by
    task on the local engine with one worker (everything in one process), each run in a fresh process.
    The input is a folder of files of ``file_records`` records with one row group each (as the
    collector writes them), or with ``file_records`` 0 one file with row groups of ``row_group``.

    Arrow's thread pools are limited to ``arrow_threads`` (1: one core). The per-core figure is CPU time
    (``process_time``), steadier than wall time on the shared machine; the load average is printed.
    Peak RSS is the scoring process's ``ru_maxrss`` (the data are generated in another process).
    """
    import os

    source = workdir / (f"flows-{rows}" if file_records else f"flows-{rows}.parquet")
    context = multiprocessing.get_context("spawn")
    writer = context.Process(
        target=write_generated, args=(source, rows, row_group, layout, profile, file_records, ipv6_share)
    )
    writer.start()
    writer.join()
    files = sorted(source.glob("*.parquet")) if file_records else [source]
    size = sum(f.stat().st_size for f in files) / 1e6
    shape = (
        f"{len(files):,} files of up to {file_records:,} records, one row group each"
        if file_records
        else f"one file, row groups of {row_group:,}"
    )
    dictionary = source_dictionary_bytes(files)
    results = []
    for _ in range(repeat):
        queue = context.Queue()
        process = context.Process(target=streamed_run, args=(str(source), arrow_threads, queue))
        process.start()
        results.append(queue.get())
        process.join()
    best = min(results, key=lambda r: r["cpu"])
    wall, cpu, read = min(r["wall"] for r in results), best["cpu"], best["rows"]
    peak = max(r["peak"] for r in results)
    passes_peak = max(r["passes_peak"] for r in results)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    ipv6 = f", {ipv6_share:.0%} of them IPv6" if ipv6_share else ""
    print(
        f"streamed flow scoring, 1 process, {arrow_threads} Arrow thread(s): {read:,} records "
        f"({size:,.0f} MB Parquet, {profile} profile, {layout} layout, {shape}, "
        f"{read // ROWS_PER_HOST[profile]:,} hosts{ipv6}): "
        f"{best['reported']:,} hosts reported, {best['unlisted']:,} session findings; "
        f"{best['candidates']:,} candidate hosts with {best['candidate_rows']:,} rows aggregated; "
        f"src_ip dictionary pages {dictionary:.2f} bytes a record (sources read as numbers from "
        f"{NUMBERS_FROM_DICTIONARY_BYTES} where the file has them)"
    )
    print(
        f"  wall {wall:.2f} s = {read / wall:,.0f} records/s; CPU {cpu:.2f} s = {read / cpu:,.0f} records per "
        f"CPU second ({cpu / read * 1e9:,.0f} ns per record); peak RSS {passes_peak / 2**20:,.0f} MiB "
        f"through the streamed passes, {peak / 2**20:,.0f} MiB with the host records; "
        f"target {TARGET_PER_CORE:,} records/s per core: CPU {read / cpu / TARGET_PER_CORE:.3f} of it, "
        f"wall {read / wall / TARGET_PER_CORE:.3f} (best of {repeat}; load average {load})"
    )
    passes = best["passes"]
    print(
        f"  CPU by phase: streamed passes {passes:.2f} s ({read / passes:,.0f} records/s, "
        f"{read / passes / TARGET_PER_CORE:.3f} of the target), host records {best['host_records']:.2f} s, "
        f"session findings {best['session_findings']:.2f} s (these two grow with the hosts found)"
    )
    if file_records:
        shutil.rmtree(source)
    else:
        source.unlink()


def source_dictionary_bytes(files: list[Path]) -> float:
    """Bytes a record of the ``src_ip`` dictionary pages of ``files`` (0 where a chunk has none): what
    ``flowparts`` judges the number of distinct sources by."""
    import pyarrow.parquet as pq

    total = rows = 0
    for file in files:
        parquet = pq.ParquetFile(file)
        metadata, column = parquet.metadata, parquet.schema_arrow.names.index("src_ip")
        for group in range(metadata.num_row_groups):
            chunk = metadata.row_group(group).column(column)
            rows += chunk.num_values
            total += dictionary_page_bytes(chunk) or 0
    return total / max(rows, 1)


def collector_process(port: int, out_dir: str, seconds: float) -> None:
    serve(f"127.0.0.1:{port}", Path(out_dir), duration=seconds)


def bench_collector(workdir: Path, seconds: float, rate: int) -> None:
    out_dir = workdir / "collector"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = multiprocessing.get_context("spawn").Process(
        target=collector_process, args=(port, str(out_dir), seconds + 8.0)
    )
    process.start()
    time.sleep(3.0)  # spawn + imports
    sent = send_exports(port, seconds, rate)
    process.join(seconds + 60)
    import pyarrow.parquet as pq

    stored = sum(pq.read_metadata(p).num_rows for p in out_dir.glob("flows-*.parquet"))
    state = json.loads((out_dir / "state.json").read_text())
    print(
        f"collector: sent {sent:,} records in {seconds:.0f} s ({sent / seconds:,.0f} records/s, v9 + IPFIX), "
        f"stored {stored:,} ({stored / max(sent, 1):.2%}); state.json: dropped_packets "
        f"{state['dropped_packets']}, kernel_dropped_datagrams {state['kernel_dropped_datagrams']}"
    )


def send_exports(port: int, seconds: float, rate: int) -> int:
    per_packet = 24
    template_records = [
        {
            "ts_start": 1_700_000_000.0,
            "ts_end": 1_700_000_030.0,
            "src_ip": f"10.0.{i // 250}.{i % 250 + 1}",
            "src_port": 40000 + i,
            "dst_ip": "198.51.100.7",
            "dst_port": 3333,
            "proto": 6,
            "packets": 10,
            "bytes": 1500,
        }
        for i in range(per_packet * 40)
    ]
    v9 = list(netflow_v9_packets(template_records, 1_700_000_060, source_id=1, per_packet=per_packet))
    v9_data = list(
        netflow_v9_packets(
            template_records, 1_700_000_060, source_id=1, per_packet=per_packet, with_template=False
        )
    )
    ipfix = list(ipfix_packets(template_records, 1_700_000_060, domain=2, per_packet=per_packet))
    ipfix_data = list(
        ipfix_packets(template_records, 1_700_000_060, domain=2, per_packet=per_packet, with_template=False)
    )
    sent = 0
    start = time.perf_counter()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for first in (v9[0], ipfix[0]):
            sender.sendto(first, ("127.0.0.1", port))
            sent += per_packet
        packets = v9_data + ipfix_data
        index = 0
        while (now := time.perf_counter() - start) < seconds:
            due = int(now * rate) - sent
            while due >= per_packet:
                sender.sendto(packets[index % len(packets)], ("127.0.0.1", port))
                index += 1
                sent += per_packet
                due -= per_packet
            time.sleep(0.002)
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--capture-mb", type=float, default=200.0)
    parser.add_argument("--flow-records", type=int, default=2_000_000)
    parser.add_argument("--collector-seconds", type=float, default=60.0)
    parser.add_argument("--collector-rate", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement; the best is shown")
    parser.add_argument(
        "--arrow-threads",
        type=int,
        default=1,
        help="Arrow threads in the streamed phase (1: a per-core figure)",
    )
    parser.add_argument(
        "--streamed-records",
        type=int,
        action="append",
        default=None,
        help="records of each streamed run (repeatable; default: --flow-records)",
    )
    parser.add_argument(
        "--file-records",
        type=int,
        default=DEFAULT_ROTATE_RECORDS,
        help="streamed input as files of this many records, one row group each, as the collector writes "
        "them (default: the collector's %(default)s); 0: one file with row groups of --row-group",
    )
    parser.add_argument(
        "--row-group", type=int, default=500_000, help="Parquet row group of the streamed input in one file"
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        action="append",
        default=None,
        help="Parquet layout of the streamed input (repeatable; default: collector and plain)",
    )
    parser.add_argument(
        "--profile",
        choices=tuple(GENERATORS),
        action="append",
        default=None,
        help="generated traffic of the streamed input: dense (40 records per host, a host reported per "
        "~290 records), realistic (500 per host, 1%% miners) or many-hosts (40 per host, 1%% miners); "
        "repeatable; default: all three",
    )
    parser.add_argument(
        "--ipv6-share",
        type=float,
        default=0.0,
        help="share of the generated hosts that write from IPv6 addresses (the collector stores them "
        "as 16 bytes in src_ipv6, so a row group with one is read from both number columns; default 0)",
    )
    parser.add_argument(
        "--skip", choices=("capture", "flows", "streamed", "collector"), action="append", default=[]
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="net-bench-") as workdir:
        warm_up()
        if "capture" not in args.skip:
            bench_capture(Path(workdir), args.capture_mb, args.repeat)
        if "flows" not in args.skip:
            bench_flows(args.flow_records, args.repeat)
        if "streamed" not in args.skip:
            for rows in args.streamed_records or [args.flow_records]:
                for profile in args.profile or tuple(GENERATORS):
                    for layout in args.layout or DEFAULT_LAYOUTS:
                        bench_streamed(
                            Path(workdir),
                            rows,
                            args.repeat,
                            args.arrow_threads,
                            args.row_group,
                            layout,
                            profile,
                            args.file_records,
                            args.ipv6_share,
                        )
        if "collector" not in args.skip:
            bench_collector(Path(workdir), args.collector_seconds, args.collector_rate)


if __name__ == "__main__":
    main()
