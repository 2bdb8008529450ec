"""Flow scoring streamed by row groups on the meters' runners: the same records as one whole table."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from minesweep.detection.network import flowparts, pools
from minesweep.detection.network.addresses import SOURCE_IPV6, SOURCE_NUMBERS, address_words, ipv6_bytes
from minesweep.detection.network.collector import parquet_layout, with_source_numbers
from minesweep.detection.network.flowparts import (
    ANSWER_SEPARATORS,
    KeyIndex,
    NumberIndex,
    PairIndex,
    PoolNames,
    SessionPairs,
    WideIndex,
    _endpoints,
    _p2p_hosts,
    _public_destinations,
    flow_tasks,
    score_flow_dataset,
    series_keys,
)
from minesweep.detection.network.flows import MIN_P2P_PEERS, SEPARATORS, read_flow_file
from minesweep.detection.network.report import flow_host_records
from minesweep.detection.network.shapes import global_rows, shape_findings

FARM = "45.76.12.34"  # a public address: the flow-only detector only counts sessions to global ones


def _flows(rows: int, seed: int = 3) -> pa.Table:
    """Ordinary traffic of 800 hosts plus pool traffic (half of it known only through DNS answers),
    P2P ports, and slow long sessions of a few hosts to one public endpoint, in random order."""
    rng = np.random.default_rng(seed)
    pool_names = [e.host for e in pools.default_pool_list().endpoints if not e.host[0].isdigit()][:20]
    names = np.array([f"www{i}.example.com" for i in range(300)] + pool_names, dtype=object)
    weights = np.r_[np.full(300, 0.97 / 300), np.full(len(pool_names), 0.03 / len(pool_names))]
    hosts = np.array([f"10.0.{i // 256}.{i % 256}" for i in range(800)], dtype=object)
    servers = np.array([f"198.51.100.{i % 250}" for i in range(250)] + [FARM], dtype=object)
    port = rng.choice([443, 80, 53, 3333, 8333], rows, p=[0.55, 0.2, 0.15, 0.07, 0.03])
    farm = np.zeros(rows, dtype=bool)
    farm[rng.choice(rows, min(rows, 8), replace=False)] = True  # one long session per worker, mostly
    port[farm] = 4444
    start = 1_700_000_000 + rng.uniform(0, 86_400, rows)
    duration = np.where(farm, rng.uniform(200, 3_600, rows), rng.exponential(400, rows))
    packets = np.where(
        farm, (duration * rng.uniform(0.05, 0.5, rows)).astype(np.int64) + 1, rng.integers(1, 400, rows)
    )
    volume = np.where(farm, packets * rng.integers(80, 500, rows), rng.integers(60, 200_000, rows))
    sni = names[rng.choice(len(names), rows, p=weights)]
    sni[(rng.random(rows) < 0.5) | (port == 53)] = None
    query = names[rng.choice(len(names), rows, p=weights)]
    query[port != 53] = None
    answers = servers[rng.integers(0, 250, rows)]
    answers[port != 53] = None
    destination = servers[rng.integers(0, 250, rows)]
    destination[farm] = FARM
    source = hosts[rng.integers(0, len(hosts), rows)]
    source[farm] = hosts[np.arange(int(farm.sum())) % 6]
    return pa.table(
        {
            "ts_start": start,
            "ts_end": start + duration,
            "src_ip": pa.array(source, pa.string()),
            "src_port": rng.integers(1024, 65535, rows),
            "dst_ip": pa.array(destination, pa.string()),
            "dst_port": port,
            "proto": np.full(rows, 6),
            "packets": packets,
            "bytes": volume,
            "sni": pa.array(sni, pa.string()),
            "dns_query": pa.array(query, pa.string()),
            "dns_answers": pa.array(answers, pa.string()),
        }
    )


@pytest.fixture(scope="module")
def flow_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("flows") / "flows.parquet"
    pq.write_table(_flows(24_000), path, row_group_size=3_000)  # eight row groups
    return path


def _as_rows(items) -> list[dict]:  # type: ignore[no-untyped-def]
    return [item.as_dict() for item in items]


def _whole(path: Path) -> tuple[list[dict], list[dict]]:
    table, _ = read_flow_file(path)
    return _as_rows(flow_host_records(table, pools.default_pool_list())), _as_rows(shape_findings(table))


def test_it_scores_row_group_tasks_exactly_as_the_whole_table_on_both_engines(flow_file):
    records, sessions = _whole(flow_file)
    assert len(records) > 20 and sessions  # miners through SNI, DNS answers, listed endpoints; a farm
    for task_rows, tasks, engine, workers in (
        (1, 8, "local", 1),
        (6_000, 4, "local", 2),
        (9_000, 3, "dask", 2),
    ):
        scan = score_flow_dataset(flow_file, engine=engine, workers=workers, task_rows=task_rows)
        assert (scan.rows, scan.kept, scan.tasks) == (24_000, 24_000, tasks)
        assert _as_rows(scan.records) == records
        assert _as_rows(scan.unlisted) == sessions


def test_it_reads_back_only_the_rows_of_hosts_that_can_be_reported(flow_file):
    scan = score_flow_dataset(flow_file, task_rows=12_000)
    table, _ = read_flow_file(flow_file)
    assert len(scan.records) <= scan.candidate_hosts < 800
    assert scan.candidate_rows < table.num_rows


def test_it_cuts_tasks_at_whole_row_groups(flow_file):
    tasks = flow_tasks(flow_file, task_rows=7_000)
    assert [t.row_groups for t in tasks] == [(0, 1, 2), (3, 4, 5), (6, 7)]
    assert {file for t in tasks for file, _ in t.parts} == {str(flow_file)}


@pytest.fixture(scope="module")
def small_files(tmp_path_factory) -> Path:
    """The flows of ``flow_file`` as a collector writes them: six files of 4,000 records, one row
    group each but the last file's two."""
    folder = tmp_path_factory.mktemp("collected")
    table = _flows(24_000)
    for index in range(6):
        part = table.slice(index * 4_000, 4_000)
        pq.write_table(
            part, folder / f"flows-{index:06d}.parquet", row_group_size=4_000 if index < 5 else 2_000
        )
    return folder


def test_a_task_goes_on_into_the_next_file_so_small_files_make_few_tasks(small_files):
    tasks = flow_tasks(small_files, task_rows=10_000)
    names = [[(Path(file).name[-10:-8], groups) for file, groups in t.parts] for t in tasks]
    assert names == [
        [("00", (0,)), ("01", (0,)), ("02", (0,))],
        [("03", (0,)), ("04", (0,)), ("05", (0,))],
        [("05", (1,))],
    ]


def test_tasks_across_small_files_score_exactly_as_the_whole_table(small_files, flow_file):
    records, sessions = _whole(flow_file)
    for task_rows, tasks, engine, workers in (
        (10_000, 3, "local", 1),
        (6_000, 4, "local", 2),
        (9_000, 3, "dask", 2),
    ):
        scan = score_flow_dataset(small_files, engine=engine, workers=workers, task_rows=task_rows)
        assert (scan.rows, scan.tasks) == (24_000, tasks)
        assert _as_rows(scan.records) == records
        assert _as_rows(scan.unlisted) == sessions


def test_sources_read_as_numbers_score_exactly_as_text_with_ipv6_among_them(tmp_path):
    """Files with the collector's ``src_ipv4`` and ``src_ipv6``: row groups whose every source is IPv4
    are read as 32-bit numbers, a group with canonical IPv6 sources among them as both columns, a
    group with a source that has no number (not canonical) and the groups of a file written without
    ``src_ipv6`` by text; the same IPv6 hosts are read both ways, and the records are those of the
    whole table."""
    table = _flows(24_000)
    source = table["src_ip"].to_pylist()
    for row in range(15_000, 19_000, 7):  # the fourth file's first row group: IPv6 sources among IPv4
        source[row] = f"2001:db8::{row % 5 + 1:x}"
    for row in range(20_000, 24_000, 11):  # the last group: the same IPv6 hosts and texts without a number
        source[row] = f"2001:db8::{row % 5 + 1:x}" if row % 3 else ("2001:DB8::3", "::ffff:10.0.0.9")[row % 2]
    for row in range(5_000, 9_000, 13):  # the second file's first group, a file without ``src_ipv6``
        source[row] = f"2001:db8::{row % 5 + 1:x}"
    table = table.set_column(2, "src_ip", pa.array(source, pa.string()))
    whole = tmp_path / "whole.parquet"
    pq.write_table(table, whole, row_group_size=4_000)
    folder = tmp_path / "collected"
    folder.mkdir()
    for index in range(5):
        part = with_source_numbers(table.slice(index * 5_000, 5_000))
        if index == 1:  # as collectors before 16-byte sources wrote it
            part = part.drop_columns([SOURCE_IPV6])
        pq.write_table(
            part, folder / f"flows-{index:06d}.parquet", row_group_size=4_000, **parquet_layout(5_000)
        )
    files = sorted(folder.glob("*.parquet"))
    groups = [(pq.ParquetFile(f), g) for f in files for g in range(pq.ParquetFile(f).num_row_groups)]
    numbered = [flowparts._numbered_sources(parquet, group) for parquet, group in groups]
    ipv4, both = (SOURCE_NUMBERS,), (SOURCE_NUMBERS, SOURCE_IPV6)
    # files of 4,000 + 1,000 rows; the last 4,000
    assert numbered == [ipv4, ipv4, (), ipv4, ipv4, ipv4, both, ipv4, ()]
    task = flow_tasks(folder, task_rows=100_000)[0]
    read = [t["src_ip"].type.value_type for _, t in flowparts._read_groups(task, ("ts_start", "src_ip"))]
    text, pairs = pa.string(), pa.struct([(SOURCE_NUMBERS, pa.uint32()), (SOURCE_IPV6, pa.binary(16))])
    assert read == [pa.uint32()] * 2 + [text] + [pa.uint32()] * 3 + [pairs, pa.uint32(), text]
    records, sessions = _whole(whole)
    ipv6_hosts = {r["host"] for r in records if ":" in r["host"]}
    assert {"2001:db8::1", "2001:DB8::3", "::ffff:10.0.0.9"} <= ipv6_hosts
    for task_rows, engine, workers in ((8_000, "local", 1), (9_000, "dask", 2)):
        scan = score_flow_dataset(folder, engine=engine, workers=workers, task_rows=task_rows)
        assert scan.rows == 24_000
        assert _as_rows(scan.records) == records
        assert _as_rows(scan.unlisted) == sessions


def test_row_groups_of_one_kind_of_source_are_read_by_the_number_they_have(tmp_path):
    """A file whose rows are grouped by the number their source has (an exporter of IPv6 sources only
    writes such groups): IPv4 sources are read as IPv4 numbers, IPv6 sources as numbers too (IPv6 bytes
    only, looked up without an IPv4 number), texts without a number as text; the records are those of
    the whole file."""
    table = _flows(8_000)
    source = table["src_ip"].to_pylist()
    ipv6, without_number = set(range(0, 8_000, 5)), set(range(3, 8_000, 97))
    for row in ipv6:
        spread = (row % 600 + 1) * 2_654_435_761 % 2**32  # 600 hosts whose texts do not compress away
        source[row] = f"2408:{spread >> 16:x}:{spread & 0xFFFF:x}::1"
    for row in without_number:
        source[row] = ("2001:DB8:1::1", "::ffff:10.0.0.9")[row % 2]
    table = table.set_column(2, "src_ip", pa.array(source, pa.string()))
    path = tmp_path / "flows-000000.parquet"
    collected = with_source_numbers(table)
    kind = np.where(
        pc.is_valid(collected[SOURCE_NUMBERS]), 0, np.where(pc.is_valid(collected[SOURCE_IPV6]), 1, 2)
    )
    with pq.ParquetWriter(path, collected.schema, **parquet_layout(8_000)) as writer:
        for each in range(3):
            writer.write_table(collected.filter(pa.array(kind == each)), row_group_size=8_000)
    parquet = pq.ParquetFile(path)
    sizes = [parquet.metadata.row_group(g).num_rows for g in range(parquet.num_row_groups)]
    rest = len(ipv6 - without_number)
    assert sizes == [8_000 - rest - len(without_number), rest, len(without_number)]
    assert [flowparts._numbered_sources(parquet, g) for g in range(3)] == [
        (SOURCE_NUMBERS,),
        (SOURCE_NUMBERS, SOURCE_IPV6),
        (),
    ]
    assert all(flowparts._text_sources_costly(parquet, g) for g in range(2))
    read = [t["src_ip"].type.value_type for _, t in flowparts._read_groups(flow_tasks(path)[0], ("src_ip",))]
    assert read == [
        pa.uint32(),
        pa.struct([(SOURCE_NUMBERS, pa.uint32()), (SOURCE_IPV6, pa.binary(16))]),
        pa.string(),
    ]
    records, sessions = _whole(path)
    hosts = {r["host"] for r in records}
    assert {"2001:DB8:1::1", "::ffff:10.0.0.9"} <= hosts and any(h.startswith("2408:") for h in hosts)
    for engine, workers in (("local", 1), ("dask", 2)):
        scan = score_flow_dataset(path, engine=engine, workers=workers, task_rows=4_000)
        assert (_as_rows(scan.records), _as_rows(scan.unlisted)) == (records, sessions)


def test_a_group_whose_number_columns_disagree_with_its_sources_is_read_as_text(tmp_path):
    """A row given both numbers and another given neither leave the null counts the collector's would
    have; the rows are checked when read, and such a group is read as text, so no row takes a number
    it does not have."""
    table = _flows(4_000)
    source = table["src_ip"].to_pylist()
    for row in range(0, 4_000, 9):
        source[row] = f"2001:db8::{row % 7 + 1:x}"
    table = table.set_column(2, "src_ip", pa.array(source, pa.string()))
    whole = tmp_path / "whole.parquet"
    pq.write_table(table, whole)
    collected = with_source_numbers(table)
    numbers = collected[SOURCE_NUMBERS].to_pylist()
    assert numbers[0] is None and numbers[1] is not None  # row 0 is IPv6, row 1 IPv4
    numbers[0], numbers[1] = numbers[1], None
    collected = collected.set_column(
        collected.schema.get_field_index(SOURCE_NUMBERS), SOURCE_NUMBERS, pa.array(numbers, pa.uint32())
    )
    path = tmp_path / "flows-000000.parquet"
    pq.write_table(collected, path, **parquet_layout(4_000))
    assert flowparts._numbered_sources(pq.ParquetFile(path), 0) == (SOURCE_NUMBERS, SOURCE_IPV6)
    task = flow_tasks(path)[0]
    assert [t["src_ip"].type.value_type for _, t in flowparts._read_groups(task, ("src_ip",))] == [
        pa.string()
    ]
    records, sessions = _whole(whole)
    scan = score_flow_dataset(path)
    assert (_as_rows(scan.records), _as_rows(scan.unlisted)) == (records, sessions)


def test_groups_read_by_number_with_rows_dropped_as_invalid_score_as_the_whole_table(tmp_path):
    """Rows without a start time, an address or a port are dropped when a group is read; in a group
    read by number the source dictionary is then made again for the rows left, one entry a row in row
    order, which the aggregates pass takes as each row's source."""
    table = _flows(12_000, seed=5)
    invalid = np.random.default_rng(6).random(12_000) < 0.05
    start = np.where(invalid, np.nan, table["ts_start"].to_numpy())
    port = pa.array(table["dst_port"].to_numpy(), mask=np.roll(invalid, 1))
    table = table.set_column(0, "ts_start", pa.array(start, from_pandas=True))
    table = table.set_column(5, "dst_port", port)
    whole = tmp_path / "whole.parquet"
    pq.write_table(table, whole, row_group_size=4_000)
    collected = tmp_path / "flows-000000.parquet"
    pq.write_table(with_source_numbers(table), collected, row_group_size=4_000, **parquet_layout(12_000))
    parquet = pq.ParquetFile(collected)
    assert all(flowparts._text_sources_costly(parquet, g) for g in range(3))  # 800 sources: numbers
    task = flow_tasks(collected)[0]
    groups = list(flowparts._read_groups(task, flowparts.AGGREGATE_COLUMNS))
    assert all(t["src_ip"].type.value_type == pa.uint32() for _, t in groups)
    assert all(t.num_rows < read for read, t in groups)  # rows were dropped
    for _, t in groups:  # one entry a row, in row order
        source = t["src_ip"].chunk(0)
        assert source.indices.to_pylist() == list(range(t.num_rows)) == list(range(len(source.dictionary)))
    records, sessions = _whole(whole)
    assert records
    for engine, workers in (("local", 1), ("dask", 2)):
        scan = score_flow_dataset(collected, engine=engine, workers=workers, task_rows=4_000)
        assert _as_rows(scan.records) == records
        assert _as_rows(scan.unlisted) == sessions


def test_sources_are_read_as_numbers_only_where_their_text_has_many_distinct_addresses(tmp_path):
    """Few distinct sources (a small text dictionary) are read as text, many as numbers, and the
    records are the same either way."""
    table = _flows(8_000)
    few = [f"10.0.0.{i % 20}" for i in range(4_000)]  # 20 sources in the first group
    many = table["src_ip"].to_pylist()[4_000:]  # up to 800 in the second
    table = table.set_column(2, "src_ip", pa.array(few + many, pa.string()))
    whole = tmp_path / "whole.parquet"
    pq.write_table(table, whole, row_group_size=4_000)
    collected = tmp_path / "flows-000000.parquet"
    pq.write_table(with_source_numbers(table), collected, row_group_size=4_000, **parquet_layout(8_000))
    parquet = pq.ParquetFile(collected)
    assert [flowparts._numbered_sources(parquet, g) for g in (0, 1)] == [(SOURCE_NUMBERS,)] * 2
    assert [flowparts._text_sources_costly(parquet, g) for g in (0, 1)] == [False, True]
    task = flow_tasks(collected)[0]
    read = [t["src_ip"].type.value_type for _, t in flowparts._read_groups(task, ("ts_start", "src_ip"))]
    assert read == [pa.string(), pa.uint32()]
    records, sessions = _whole(whole)
    assert records and sessions
    scan = score_flow_dataset(collected, task_rows=4_000)
    assert (_as_rows(scan.records), _as_rows(scan.unlisted)) == (records, sessions)


def test_it_streams_a_folder_whose_files_differ_in_optional_columns(tmp_path):
    table = _flows(6_000, seed=5)
    folder = tmp_path / "flows"
    folder.mkdir()
    pq.write_table(table.slice(0, 3_000), folder / "a.parquet", row_group_size=1_000)
    plain = table.slice(3_000).drop_columns(["sni", "dns_answers"])  # an exporter without names
    pq.write_table(plain, folder / "b.parquet", row_group_size=1_500)
    records, sessions = _whole(folder)
    progress: list[tuple[int, int]] = []
    scan = score_flow_dataset(
        folder, task_rows=1_000, progress=lambda done, total: progress.append((done, total))
    )
    assert scan.rows == 6_000 and scan.tasks == 5
    assert progress[-1] == (13, 13)  # 5 candidate and 5 host-row tasks, 3 with DNS answers (file a)
    assert records and _as_rows(scan.records) == records
    assert _as_rows(scan.unlisted) == sessions


def test_it_names_a_destination_by_dns_answers_from_other_row_groups_the_latest_winning(tmp_path):
    pool = next(e.host for e in pools.default_pool_list().endpoints if not e.host[0].isdigit())
    rows = [  # (source, destination, port, query, answers); one row per row group
        ("10.9.0.1", "51.15.7.7", 443, None, None),  # named only by the answer two row groups on
        ("10.9.0.2", "51.15.8.8", 443, None, None),  # its pool answer is overridden later
        ("10.9.0.9", "10.9.0.53", 53, pool, "51.15.7.7, 51.15.8.8"),
        ("10.9.0.9", "10.9.0.53", 53, "cdn.example.com", "51.15.8.8"),
    ]
    table = pa.table(
        {
            "ts_start": [1_700_000_000.0 + i for i in range(len(rows))],
            "ts_end": [1_700_000_600.0 + i for i in range(len(rows))],
            "src_ip": [r[0] for r in rows],
            "src_port": [40_000] * len(rows),
            "dst_ip": [r[1] for r in rows],
            "dst_port": [r[2] for r in rows],
            "proto": [6] * len(rows),
            "packets": [100] * len(rows),
            "bytes": [20_000] * len(rows),
            "dns_query": pa.array([r[3] for r in rows], pa.string()),
            "dns_answers": pa.array([r[4] for r in rows], pa.string()),
        }
    )
    path = tmp_path / "answers.parquet"
    pq.write_table(table, path, row_group_size=1)
    records, _ = _whole(path)
    assert [r["host"] for r in records] == ["10.9.0.1"]  # a lookup alone (10.9.0.9) is not reported
    assert _as_rows(score_flow_dataset(path, task_rows=1).records) == records


def test_it_splits_dns_answers_at_the_same_separators_as_python():
    spaces = "".join(chr(c) for c in range(0x3001) if SEPARATORS.fullmatch(chr(c)))
    text = "1.1.1.1" + "2.2.2.2".join(spaces) + " ,; 3.3.3.3"
    assert pc.split_pattern_regex(pa.array([text]), ANSWER_SEPARATORS).to_pylist()[0] == SEPARATORS.split(
        text
    )


def test_it_merges_hosts_whose_evidence_is_split_over_tasks_as_the_whole_table(tmp_path):
    pool = next(e.host for e in pools.default_pool_list().endpoints if not e.host[0].isdigit())
    t0 = 1_700_000_000.0
    rows = [  # (source, destination, port, start, seconds, packets, bytes, query, answers); one per row group
        ("10.1.0.1", "198.51.100.7", 3333, t0 + 720, 30, 20, 2_000, None, None),  # a series every 240 s,
        ("10.1.0.2", "203.0.113.1", 8333, t0, 60, 10, 900, None, None),  # out of order, over 5 tasks
        ("10.1.0.1", "198.51.100.7", 3333, t0, 30, 20, 2_000, None, None),
        ("10.1.0.3", FARM, 4444, t0, 600, 300, 60_000, None, None),  # a session carrying its pair's bytes
        ("10.1.0.2", "203.0.113.2", 8333, t0 + 5, 60, 10, 900, None, None),
        ("10.1.0.1", "198.51.100.7", 3333, t0 + 960, 30, 20, 2_000, None, None),
        ("10.1.0.4", FARM, 4444, t0, 600, 300, 60_000, None, None),  # a session, but most bytes elsewhere
        ("10.1.0.2", "203.0.113.1", 8333, t0 + 9, 60, 10, 900, None, None),  # the same peer again
        ("10.1.0.1", "198.51.100.7", 3333, t0 + 240, 30, 20, 2_000, None, None),
        ("10.1.0.1", "51.15.7.7", 443, t0 - 50, 10, 5, 500, None, None),  # named by the answer below
        ("10.1.0.3", FARM, 443, t0 + 30, 10, 5, 100, None, None),
        ("10.1.0.4", FARM, 443, t0 + 30, 60, 800, 1_000_000, None, None),
        ("10.1.0.2", "203.0.113.3", 8333, t0 + 12, 60, 10, 900, None, None),
        ("10.1.0.1", "198.51.100.7", 3333, t0 + 480, 30, 20, 2_000, None, None),
        ("10.1.0.9", "10.1.0.53", 53, t0 + 2_000, 0, 1, 80, pool, "51.15.7.7"),
    ]
    table = pa.table(
        {
            "ts_start": [r[3] for r in rows],
            "ts_end": [r[3] + r[4] for r in rows],
            "src_ip": [r[0] for r in rows],
            "src_port": [40_000] * len(rows),
            "dst_ip": [r[1] for r in rows],
            "dst_port": [r[2] for r in rows],
            "proto": [6] * len(rows),
            "packets": [r[5] for r in rows],
            "bytes": [r[6] for r in rows],
            "dns_query": pa.array([r[7] for r in rows], pa.string()),
            "dns_answers": pa.array([r[8] for r in rows], pa.string()),
        }
    )
    path = tmp_path / "split.parquet"
    pq.write_table(table, path, row_group_size=1)
    records, sessions = _whole(path)
    by_host = {r["host"]: r for r in records}
    assert by_host["10.1.0.1"]["evidence"]["flows"]["periodic_pairs"] == 1
    assert by_host["10.1.0.1"]["first_seen"].startswith("2023-11-14T22:12:30")  # the named flow, t0 - 50
    assert by_host["10.1.0.2"]["evidence"]["flows"]["p2p_peers"] == 3
    assert [s["host"] for s in sessions] == ["10.1.0.3"]
    for task_rows in (1, 3):
        scan = score_flow_dataset(path, task_rows=task_rows)
        assert _as_rows(scan.records) == records
        assert _as_rows(scan.unlisted) == sessions


@pytest.mark.parametrize(
    ("host_high", "port_low", "port_high"),
    [
        (1_000, 0, 1 << 16),
        (1_000, -5, 70_000),
        (1 << 30, 0, 1 << 16),
    ],  # port table, ports sorted, pairs numbered
)
def test_it_gives_two_rows_one_series_key_exactly_when_their_pair_and_port_agree(
    host_high, port_low, port_high
):
    rng = np.random.default_rng(5)
    hosts = rng.integers(0, host_high, 5_000)
    pairs = hosts << 32 | rng.integers(0, 4, 5_000)
    ports = rng.choice(rng.integers(port_low, port_high, 7), 5_000)
    keys = series_keys(pairs, ports)
    _, by_tuple = np.unique(np.stack([pairs, ports]), axis=1, return_inverse=True)
    _, by_key = np.unique(keys, return_inverse=True)
    assert np.array_equal(by_key, by_tuple.ravel())
    assert keys.min() >= 0


@pytest.mark.parametrize("count", [0, 1, 3, 5_000])
def test_it_finds_each_key_at_its_position_and_every_other_key_absent(count):
    rng = np.random.default_rng(count)
    keys = rng.choice(1 << 40, count, replace=False).astype(np.int64)
    index = KeyIndex(keys)
    absent = np.setdiff1d(rng.integers(0, 1 << 40, 20_000), keys)
    asked = np.concatenate([keys[::-1], absent, np.arange(64), keys[:2]])
    where = {int(k): i for i, k in enumerate(keys)}
    assert index.positions(asked).tolist() == [where.get(int(k), -1) for k in asked]


def test_it_answers_key_look_ups_as_a_dict_also_for_no_keys_and_keys_at_the_ends_of_int64():
    """``KeyIndex`` rests on ``pandas.Index.get_indexer``: pinned here for what the pair keys use."""
    keys = np.array([(1 << 62) + 5, 0, 1 << 61, 17, (1 << 63) - 1], np.int64)
    index = KeyIndex(keys)
    asked = np.array([17, -1, 1 << 61, (1 << 63) - 1, -(1 << 62), 0, 18, (1 << 62) + 5, 17], np.int64)
    assert index.positions(asked).tolist() == [3, -1, 2, 4, -1, 1, -1, 0, 3]
    assert index.positions(asked).dtype == np.int64
    assert index.positions(np.array([], np.int64)).tolist() == []
    assert KeyIndex(np.array([], np.int64)).positions(asked).tolist() == [-1] * len(asked)


@pytest.mark.parametrize("offset", [0, 7])
def test_it_flags_the_rows_whose_name_is_on_the_pool_list_nulls_never(offset):
    pool_list = pools.default_pool_list()
    pool_names = [e.host for e in pool_list.endpoints if not e.host[0].isdigit()][:5]
    rng = np.random.default_rng(offset)
    names = np.array(pool_names + ["www.example.com", "", "cdn.example.org"], dtype=object)
    texts = names[rng.integers(0, len(names), 2_000)]
    texts[rng.random(2_000) < 0.4] = None
    column = pc.dictionary_encode(pa.array(texts, pa.string())).slice(offset)
    valid, matched = PoolNames(pool_list).matched(pa.chunked_array([column]))
    rows = texts[offset:]
    assert valid.tolist() == [t is not None for t in rows]
    assert matched.tolist() == [t is not None and pool_list.match_text(t) is not None for t in rows]
    assert 0 < matched.sum() < valid.sum()


def test_threads_sharing_one_pool_names_each_get_their_own_names_flags():
    """Dask's in-process workers are threads sharing the object: a thread must never read the flag of
    another thread's name (this failed in CI: a named row that matched no pool)."""
    pool_list = pools.default_pool_list()
    pool_names = [e.host for e in pool_list.endpoints if not e.host[0].isdigit()][:40]
    shared = PoolNames(pool_list)
    wrong: list[str] = []

    def work(worker: int) -> None:
        rng = np.random.default_rng(worker)
        for round_ in range(30):
            own = [f"w{worker}-{round_}-{i}.example.com" for i in range(20)]
            names = np.array(own + pool_names, dtype=object)[rng.permutation(len(own) + len(pool_names))]
            flags = shared.flags(pa.array(names, pa.string()))
            expected = [pool_list.match_text(n) is not None for n in names]
            if flags.tolist() != expected:
                wrong.append(f"worker {worker} round {round_}")

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, so an unsafe update shows
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert wrong == []


def test_it_checks_the_addresses_of_some_rows_as_global_as_for_every_row():
    rng = np.random.default_rng(4)
    addresses = np.array(["10.0.0.1", "8.8.8.8", "192.168.1.9", "45.76.12.34", "::1", "2001:db8::1"])
    column = pc.dictionary_encode(pa.array(addresses[rng.integers(0, 6, 500)]))
    rows = np.flatnonzero(rng.random(500) < 0.3)
    assert np.array_equal(_public_destinations(column, rows), global_rows(column)[rows])


def test_it_finds_each_rows_pair_through_its_address_entries_and_no_other_row():
    rng = np.random.default_rng(8)
    sources, targets = 300, 200
    pair_set = np.unique(rng.integers(0, sources * targets, 2_000))
    index = PairIndex(pair_set, sources, targets)
    source = rng.integers(-1, sources, 50_000)  # per row; -1: not among the sources
    target_of_entry = rng.integers(-1, targets, 150)  # dictionary entries
    target_codes = rng.integers(0, 150, 50_000)
    rows, found = index.row_pairs(source, (target_of_entry, target_codes))
    position = {int(key): i for i, key in enumerate(pair_set)}
    expected = {
        row: position.get(int(s) * targets + int(t), -1)
        for row, (s, t) in enumerate(zip(source, target_of_entry[target_codes], strict=True))
        if s >= 0 and t >= 0
    }
    expected = {row: at for row, at in expected.items() if at >= 0}
    assert len(expected) > 100
    assert dict(zip(rows.tolist(), found.tolist(), strict=True)) == expected


@pytest.mark.parametrize(("mixers", "slot_bits"), [(WideIndex.MIXERS, 22), (WideIndex.MIXERS, 4), ((0,), 22)])
def test_a_wide_index_gives_each_known_addresses_value_and_minus_one_for_the_rest(
    mixers, slot_bits, monkeypatch
):
    """16-byte addresses are found exactly: by a mixed key's slot (or, where several keys share the
    slot — all of them in a table of 16 slots —, by the key) and a comparison of key and first word, or,
    where no multiplier keeps the keys apart (here a multiplier of 0 and addresses alike in their last
    eight bytes), by their bytes. Addresses that share a slot, key or word with a known one, but are not
    it, get -1."""
    monkeypatch.setattr(WideIndex, "MIXERS", mixers)
    monkeypatch.setattr(WideIndex, "MIN_SLOT_BITS", slot_bits)
    monkeypatch.setattr(WideIndex, "MAX_SLOT_BITS", slot_bits)
    known = [f"2408:8200:{i:x}::1" for i in range(1, 301)] + [f"2001:db8:{i:x}::5" for i in range(1, 51)]
    words = address_words(ipv6_bytes(pa.array(known)))
    values = np.random.default_rng(4).permutation(1_000)[: len(known)]
    index = WideIndex(words, values)
    assert (index.index is None) == (mixers == (0,))  # 2408:8200:N::1 all end in the same eight bytes
    others = [f"2408:8200:{i:x}::2" for i in range(1, 301)] + [f"2408:8201:{i:x}::1" for i in range(1, 301)]
    asked = np.concatenate([words, address_words(ipv6_bytes(pa.array(others))), words[::-1]])
    value_of = dict(zip(known, values.tolist(), strict=True))
    expected = [value_of[a] for a in known] + [-1] * len(others) + [value_of[a] for a in known[::-1]]
    assert index.positions(asked).tolist() == expected
    empty = WideIndex(np.zeros((0, 2), "<u8"), np.zeros(0, np.int64))
    assert empty.positions(words[:3]).tolist() == [-1] * 3


def test_a_wide_index_with_distinct_keys_still_compares_the_words(monkeypatch):
    """Under a multiplier of 0 the key is the last eight bytes: addresses that differ only in the first
    eight share a known address's key and must not take its value."""
    monkeypatch.setattr(WideIndex, "MIXERS", (0,))
    known = [f"2408:8200::{i:x}" for i in range(1, 200)]
    index = WideIndex(address_words(ipv6_bytes(pa.array(known))), np.arange(199))
    assert index.index is not None
    lookalikes = address_words(ipv6_bytes(pa.array([f"2408:8201::{i:x}" for i in range(1, 200)])))
    assert index.positions(lookalikes).tolist() == [-1] * 199
    assert index.positions(address_words(ipv6_bytes(pa.array(known)))).tolist() == list(range(199))


@pytest.mark.parametrize("blocks", [3, NumberIndex.MAX_BLOCKS + 1])
def test_a_number_index_gives_each_known_numbers_value_and_minus_one_for_the_rest(blocks):
    """Direct addressing by /16 block, and the hash table it falls back to over ``MAX_BLOCKS`` blocks,
    give the same values: both ends of each block and of the uint32 range included."""
    rng = np.random.default_rng(blocks)
    high = rng.choice(1 << 16, blocks, replace=False).astype(np.uint32)
    high[0] = 0
    high[-1] = (1 << 16) - 1
    low = np.r_[0, 0xFFFF, rng.integers(0, 1 << 16, 2_000)].astype(np.uint32)
    keys = np.unique(high[rng.integers(0, blocks, len(low))] << 16 | low)
    keys = np.unique(np.r_[keys, np.uint32(0), np.uint32(0xFFFFFFFF)])
    values = rng.permutation(len(keys) * 3)[: len(keys)]
    index = NumberIndex(keys, values)
    assert (index.fallback is not None) == (blocks > NumberIndex.MAX_BLOCKS)
    asked = np.r_[keys, rng.integers(0, 1 << 32, 5_000, dtype=np.uint64).astype(np.uint32), keys ^ 1]
    value_of = dict(zip(keys.tolist(), values.tolist(), strict=True))
    expected = [value_of.get(int(key), -1) for key in asked]
    assert index.positions(asked).tolist() == expected
    assert (
        NumberIndex(np.array([], np.uint32), np.array([], np.int64)).positions(asked[:5]).tolist() == [-1] * 5
    )


def test_it_numbers_each_session_rows_host_and_address_pair_once():
    rng = np.random.default_rng(9)
    hosts = np.array([f"10.0.0.{i}" for i in range(30)], dtype=object)
    servers = np.array([f"45.76.0.{i}" for i in range(12)], dtype=object)
    sessions = pa.table(
        {
            "src_ip": pa.chunked_array([hosts[rng.integers(0, 30, n)].tolist() for n in (200, 150)]),
            "dst_ip": pa.chunked_array([servers[rng.integers(0, 12, n)].tolist() for n in (200, 150)]),
        }
    )
    pairs, pair_of_row = SessionPairs.of(sessions)
    width = len(pairs.targets)
    named = [
        (pairs.sources[int(key) // width].as_py(), pairs.targets[int(key) % width].as_py())
        for key in pairs.keys
    ]
    rows = list(zip(sessions["src_ip"].to_pylist(), sessions["dst_ip"].to_pylist(), strict=True))
    assert sorted(set(named)) == sorted(set(rows)) and len(named) == len(set(named))
    assert [named[pair] for pair in pair_of_row] == rows


@pytest.mark.parametrize("odd_port", [None, 70_000, -1])
def test_it_writes_each_session_rows_endpoint_as_address_colon_port(odd_port):
    rng = np.random.default_rng(13)
    targets = pa.array([f"45.76.0.{i}" for i in range(9)])
    ports = rng.choice([443, 3333, 4444, 0, 65535], 300)
    if odd_port is not None:
        ports[::7] = odd_port
    sessions = pa.table({"dst_port": pa.array(ports)})
    rows = np.flatnonzero(rng.random(300) < 0.6)
    target = rng.integers(0, 9, len(rows))
    endpoints = _endpoints(target, sessions, rows, targets)
    assert len(set(endpoints.dictionary.to_pylist())) == len(endpoints.dictionary)
    expected = [f"45.76.0.{t}:{p}" for t, p in zip(target.tolist(), ports[rows].tolist(), strict=True)]
    assert pc.cast(endpoints, pa.string()).to_pylist() == expected


def test_it_keeps_the_hosts_whose_p2p_rows_over_all_row_groups_reach_the_peer_minimum():
    rng = np.random.default_rng(14)
    hosts = [f"10.1.0.{i}" for i in range(40)]
    tables, total = [], {}
    for _ in range(6):
        chosen = rng.choice(40, 15, replace=False)
        rows = rng.integers(1, 4, 15)
        tables.append(pa.table({"host": [hosts[i] for i in chosen], "rows": rows}))
        for i, count in zip(chosen.tolist(), rows.tolist(), strict=True):
            total[hosts[i]] = total.get(hosts[i], 0) + count
    expected = {host for host, count in total.items() if count >= MIN_P2P_PEERS}
    assert expected and expected != set(total)
    assert _p2p_hosts(tables) == expected
    assert _p2p_hosts([]) == set()
