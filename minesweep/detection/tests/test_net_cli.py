"""``minesweep net …`` subcommands (network detection)."""

from __future__ import annotations

import csv
import io
import json
import threading

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from minesweep.detection.network import pools
from minesweep.detection.tests.test_net_captures import NDPI, ZEEK


def run(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("net", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_it_scans_captures_to_json_on_stdout():
    records = json.loads(run("scan", str(NDPI / "mining.pcapng"), str(NDPI / "bitcoin.pcap")))
    kinds = {r["host"]: r["kind"] for r in records}
    assert kinds == {
        "192.168.2.148": "mining",
        "192.168.2.92": "mining",
        "147.229.13.222": "mining",
        "192.168.1.142": "crypto_p2p",
    }
    assert set(records[0]) == {"host", "kind", "score", "first_seen", "last_seen", "evidence"}


def test_it_writes_csv_to_a_file(tmp_path):
    out = tmp_path / "hosts.csv"
    run("scan", str(ZEEK / "coinhive-stratum.pcap"), "--out", str(out), "--format", "csv")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["host"] for r in rows] == ["10.0.2.15"]
    assert "xmrig:login" in json.loads(rows[0]["evidence"])["methods"]


def test_it_attributes_scanned_hosts_to_subscribers(tmp_path):
    hosts = tmp_path / "hosts.json"
    run("scan", str(NDPI / "mining.pcapng"), "--out", str(hosts))
    allocations = tmp_path / "alloc.csv"
    allocations.write_text(
        "prefix,valid_from,valid_to,uscc,subscriber_name,address\n"
        "192.168.2.0/24,2017-01-01,,911522010783710635,某网吧,乌兰浩特市\n",
        encoding="utf-8",
    )
    rows = json.loads(run("attribute", "--hosts", str(hosts), "--allocations", str(allocations)))
    subscribers = {r["host"]: (r["subscriber"] or {}).get("uscc") for r in rows}
    assert subscribers == {
        "192.168.2.148": "911522010783710635",
        "192.168.2.92": "911522010783710635",
        "147.229.13.222": None,
    }


def test_it_scores_a_flow_file(tmp_path):
    flows = tmp_path / "flows.csv"
    flows.write_text(
        "ts_start,ts_end,src_ip,src_port,dst_ip,dst_port,proto,packets,bytes,sni\n"
        "1700000000,1700000900,10.1.2.3,5000,51.15.1.1,443,tcp,90,9000,erg.2miners.com\n"
    )
    records = json.loads(run("flows", str(flows)))
    assert [(r["host"], r["kind"]) for r in records] == [("10.1.2.3", "mining")]


def test_it_streams_a_parquet_folder_on_the_chosen_engine_with_the_records_of_a_whole_file(tmp_path):
    import pyarrow.parquet as pq

    from minesweep.detection.tests.test_net_flowparts import _flows

    folder = tmp_path / "collector"
    folder.mkdir()
    table = _flows(4_000, seed=9)
    pq.write_table(table.slice(0, 2_500), folder / "flows-1.parquet", row_group_size=1_000)
    pq.write_table(table.slice(2_500), folder / "flows-2.parquet", row_group_size=1_000)
    whole = tmp_path / "whole.csv"
    with open(whole, "wb") as handle:
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, handle)
    expected = json.loads(run("flows", str(whole)))
    assert (
        expected and json.loads(run("flows", str(folder), "--engine", "dask", "--workers", "1")) == expected
    )
    assert json.loads(run("flows", str(folder), "--workers", "1")) == expected


def test_it_writes_every_unlisted_pool_session_finding_to_a_file_and_names_the_first_in_the_summary(
    tmp_path, monkeypatch
):
    """The summary line names the first findings (highest score first) and counts the rest;
    ``--unlisted-out`` writes them all, as JSON or CSV."""
    import pyarrow.parquet as pq

    from minesweep.detection.network import api
    from minesweep.detection.tests.test_net_flowparts import _flows

    monkeypatch.setattr(api, "SUMMARY_FINDINGS", 1)
    path = tmp_path / "flows.parquet"
    table = _flows(8_000, seed=9)
    source = table["src_ip"].to_pylist()
    port = table["dst_port"].to_pylist()
    for row, value in enumerate(port):  # the farm's sessions from three hosts, so there are several findings
        if value == 4444:
            source[row] = f"10.9.0.{row % 3}"
    pq.write_table(table.set_column(2, "src_ip", pa.array(source, pa.string())), path)
    outcome = api.score_flow_dataset(path, "local", 1, None, None)
    assert len(outcome.unlisted) >= 2
    findings = tmp_path / "unlisted.json"
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "net", "flows", str(path), "--workers", "1", "--unlisted-out", str(findings), stdout=out, stderr=err
    )
    assert json.loads(findings.read_text(encoding="utf-8")) == [f.as_dict() for f in outcome.unlisted]
    summary = err.getvalue()
    first, second = outcome.unlisted[0], outcome.unlisted[1]
    assert f"{first.host} ({first.score:.2f})" in summary and f"{second.host} (" not in summary
    assert f"({len(outcome.unlisted)})" in summary and f"+{len(outcome.unlisted) - 1} more" in summary
    as_csv = tmp_path / "unlisted.csv"
    run("flows", str(path), "--workers", "1", "--unlisted-out", str(as_csv), "--format", "csv")
    rows = list(csv.DictReader(as_csv.open(encoding="utf-8")))
    assert [(r["host"], r["endpoints"].split(";")) for r in rows] == [
        (f.host, f.endpoints) for f in outcome.unlisted
    ]


def test_it_rejects_a_parquet_path_it_cannot_read_with_a_message(tmp_path):
    broken = tmp_path / "flows.parquet"
    broken.write_text("not parquet")
    empty = tmp_path / "empty"
    empty.mkdir()
    for path, words in ((broken, "cannot read flow records"), (empty, "no Parquet files")):
        with pytest.raises(CommandError, match=words):
            run("flows", str(path), "--workers", "1")


def test_it_replaces_the_pool_list_and_rejects_a_bad_one(tmp_path, monkeypatch):
    target = tmp_path / "installed.csv"
    target.write_text("domain,port\nold.example,1\n")
    monkeypatch.setattr(pools, "POOL_LIST_FILE", target)
    new = tmp_path / "new.csv"
    new.write_text("domain,port,pool_name\npool.example.net,3333,Example\n")
    assert "1 endpoints" in run("pools", "update", str(new))
    assert target.read_text().startswith("domain,port,pool_name")
    bad = tmp_path / "bad.csv"
    bad.write_text("host\nx\n")
    with pytest.raises(CommandError, match="missing columns"):
        run("pools", "update", str(bad))
    pools.default_pool_list.cache_clear()


def test_it_reports_a_missing_capture_in_both_languages():
    with pytest.raises(CommandError, match="找不到抓包文件 / capture not found"):
        run("scan", "/nonexistent/file.pcap")


def test_it_collects_for_a_fixed_duration(tmp_path):
    result: dict[str, str] = {}
    thread = threading.Thread(
        target=lambda: result.update(
            out=run("collect", "--listen", "127.0.0.1:0", "--out", str(tmp_path), "--duration", "0.5")
        )
    )
    thread.start()
    thread.join(10)
    summary = json.loads(result["out"])
    assert summary["received_packets"] == 0 and summary["dropped_packets"] == {}
    assert (tmp_path / "state.json").exists()


def test_it_fails_when_no_input_is_a_capture(tmp_path):
    """Issue 14: `net scan` of text files used to exit 0 with no hosts."""
    notes = tmp_path / "notes.pcap"
    notes.write_text("hello, not a capture\n")
    garbage = tmp_path / "garbage.pcap"
    garbage.write_bytes(b"\xd4\xc3\xb2\xa1" + b"\x00garbage" * 3)
    for inputs in ([notes], [notes, garbage]):
        with pytest.raises(CommandError) as failed:
            run("scan", *map(str, inputs))
        assert "no readable packet capture" in str(failed.value)


def test_the_command_exits_non_zero_when_no_input_is_a_capture(tmp_path):
    import subprocess
    import sys

    notes = tmp_path / "notes.pcap"
    notes.write_text("hello, not a capture\n")
    result = subprocess.run(
        [sys.executable, "-m", "minesweep", "net", "scan", str(notes)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "MINESWEEP_DEMO": "1"},
    )
    assert result.returncode != 0 and "no readable packet capture" in result.stderr
