"""``minesweep net …``: network detection (packet captures, flow records, NetFlow/IPFIX collector).

Parses arguments and calls :mod:`minesweep.detection.network`; no detection logic lives here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minesweep.detection.network import api
from minesweep.detection.network.collector import DEFAULT_ROTATE_RECORDS, DEFAULT_ROTATE_SECONDS


class Command(BaseCommand):
    help = "网络侦测：抓包、流记录、NetFlow/IPFIX 采集 / Network detection: captures, flow records, NetFlow/IPFIX collector"

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True)
        scan = subparsers.add_parser("scan", help="scan pcap/pcapng captures for mining hosts")
        scan.add_argument("pcaps", nargs="+", type=Path, metavar="PCAP")
        _output_arguments(scan)
        flows = subparsers.add_parser(
            "flows",
            help="score flow records (CSV, or Parquet file/folder streamed by row groups on the local or Dask engine)",
        )
        flows.add_argument("path", type=Path, metavar="PATH")
        flows.add_argument(
            "--engine",
            choices=("local", "dask"),
            default="local",
            help="engine for Parquet input (default local)",
        )
        flows.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
        flows.add_argument("--scheduler", default=None, help="Dask scheduler address (with --engine dask)")
        flows.add_argument(
            "--unlisted-out",
            type=Path,
            default=None,
            help="also write every host with a mining-session shape to no listed pool to FILE (in --format); "
            f"the summary names the first {api.SUMMARY_FINDINGS}",
        )
        _output_arguments(flows)
        collect = subparsers.add_parser(
            "collect", help="receive NetFlow v5/v9 and IPFIX over UDP into Parquet"
        )
        collect.add_argument(
            "--listen", default="127.0.0.1:2055", help="HOST:PORT to bind (default 127.0.0.1:2055)"
        )
        collect.add_argument(
            "--out", type=Path, required=True, help="directory for Parquet files and state.json"
        )
        collect.add_argument(
            "--duration", type=float, default=None, help="stop after S seconds (default: run until Ctrl-C)"
        )
        collect.add_argument(
            "--rotate-records",
            type=int,
            default=None,
            help=f"records per Parquet file at most (default {DEFAULT_ROTATE_RECORDS:,}: larger files score faster)",
        )
        collect.add_argument(
            "--rotate-seconds",
            type=float,
            default=None,
            help=f"seconds per Parquet file at most (default {DEFAULT_ROTATE_SECONDS:.0f})",
        )
        pools = subparsers.add_parser("pools", help="manage the mining-pool list")
        pool_actions = pools.add_subparsers(dest="pool_action", required=True)
        update = pool_actions.add_parser(
            "update", help="replace the pool list with FILE (CSV with domain,port,…)"
        )
        update.add_argument("file", type=Path, metavar="FILE")
        attribute = subparsers.add_parser(
            "attribute", help="map host records to subscribers via IP allocations"
        )
        attribute.add_argument(
            "--hosts", type=Path, required=True, help="host records (JSON from scan/flows, or CSV host,ts)"
        )
        attribute.add_argument(
            "--allocations",
            type=Path,
            required=True,
            help="CSV prefix,valid_from,valid_to,uscc,subscriber_name,address",
        )
        _output_arguments(attribute)

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "scan": self._scan,
            "flows": self._flows,
            "collect": self._collect,
            "pools": self._pools,
            "attribute": self._attribute,
        }
        try:
            handlers[options["subcommand"]](options)
        except api.NetworkInputError as exc:
            raise CommandError(str(exc)) from exc

    def _scan(self, options: dict[str, Any]) -> None:
        progress = api.terminal_progress(sys.stderr) if sys.stderr.isatty() else None
        outcome = api.scan_files(options["pcaps"], progress=progress)
        self._emit(outcome.records, options)
        self.stderr.write(api.describe_scan(outcome))

    def _flows(self, options: dict[str, Any]) -> None:
        if api.is_parquet_input(options["path"]):
            progress = api.task_progress(sys.stderr, "net flows") if sys.stderr.isatty() else None
            outcome = api.score_flow_dataset(
                options["path"], options["engine"], options["workers"], options["scheduler"], progress
            )
        else:
            outcome = api.score_flow_file(options["path"])
        self._emit(outcome.records, options)
        if options["unlisted_out"] is not None:
            with open(options["unlisted_out"], "w", encoding="utf-8", newline="") as handle:
                api.write_findings(outcome.unlisted, handle, options["format"])
        self.stderr.write(api.describe_flows(outcome))

    def _collect(self, options: dict[str, Any]) -> None:
        summary = api.run_collector(
            options["listen"],
            options["out"],
            duration=options["duration"],
            rotate_records=options["rotate_records"],
            rotate_seconds=options["rotate_seconds"],
        )
        self.stdout.write(api.describe_collector(summary))

    def _pools(self, options: dict[str, Any]) -> None:
        count = api.update_pools(options["file"])
        self.stdout.write(f"矿池清单已更新：{count} 个端点 / pool list updated: {count} endpoints")

    def _attribute(self, options: dict[str, Any]) -> None:
        rows = api.attribute_host_file(options["hosts"], options["allocations"])
        self._emit(rows, options)

    def _emit(self, records: list[Any], options: dict[str, Any]) -> None:
        out: Path | None = options.get("out")
        if out is None:
            api.write_output(records, _text_stream(self.stdout), options["format"])
            return
        with open(out, "w", encoding="utf-8", newline="") as handle:
            api.write_output(records, handle, options["format"])


def _output_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None, help="write to FILE instead of standard output")
    parser.add_argument("--format", choices=("json", "csv"), default="json")


def _text_stream(handle: Any) -> IO[str]:
    """Django's OutputWrapper proxies ``write`` but appends endings; write through to its stream."""
    return getattr(handle, "_out", handle)
