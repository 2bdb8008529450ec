"""``minesweep meters``: meter-data detection from the command line (电表数据挖矿检测).

Subcommands: import, detect, simulate, evaluate, train, plot. This module only parses arguments and
calls :mod:`minesweep.detection.meter`; ``promote`` (which creates a lead) lives with the database code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.core.management.base import BaseCommand, CommandError

from minesweep.detection.meter.errors import MeterDataError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD: {text}"
        ) from error


UNMARKED_UTC_HELP = (
    "times written without an offset are UTC, not Beijing time (an export known to write UTC without saying "
    "so; meters detect's clock check, rhythm_at_night, is how one finds out)"
)


class Command(BaseCommand):
    help = "Meter-data mining detection: import, detect, simulate, evaluate, train, plot / 电表数据挖矿检测"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        imp = sub.add_parser(
            "import",
            help="normalise meter files into a partitioned dataset",
            description=(
                "Long form: account_id, ts, kwh (or kw). ts is the start of the reading's interval, with "
                "an offset (+08:00, Z) or else read as Asia/Shanghai local time (times written in UTC "
                "without an offset would be read eight hours early); 24:00 is the next day's 00:00. "
                "Wide form: CONS_NO, optional FLAG, one column of kWh per date. Nothing is written if any "
                "row is bad, unless --skip-bad."
            ),
        )
        imp.add_argument("path", type=Path, help="a CSV or Parquet file, or a folder of them")
        imp.add_argument("--dataset", required=True)
        imp.add_argument("--root", type=Path, default=Path("var/meters"))
        imp.add_argument("--skip-bad", type=Path, default=None, help="keep good rows; write rejects here")
        imp.add_argument("--partitions", type=int, default=None)
        imp.add_argument("--replace", action="store_true")
        imp.add_argument("--unmarked-times-utc", action="store_true", help=UNMARKED_UTC_HELP)

        det = sub.add_parser(
            "detect",
            help="score every account; write findings",
            description=(
                "Score every account and write the findings. The summary printed on stdout counts the "
                "accounts with a working-day rhythm (working_rhythm) and those whose rhythm is centred "
                "between 20:00 and 07:00 (rhythm_at_night, first ids in rhythm_at_night_accounts): times "
                "written in UTC without an offset, or a meter clock off by hours; a warning goes to "
                "stderr when there are any."
            ),
        )
        det.add_argument("input", type=Path, help="raw file/folder or an imported dataset")
        det.add_argument("--out", type=Path, required=True, help="FILE.csv or FILE.parquet")
        det.add_argument("--engine", choices=["local", "dask"], default="local")
        det.add_argument("--scheduler", default=None, help="tcp://HOST:8786 (dask engine)")
        det.add_argument("--workers", type=int, default=None)
        det.add_argument("--unmarked-times-utc", action="store_true", help=UNMARKED_UTC_HELP)
        det.add_argument(
            "--accounts-meta",
            type=Path,
            default=None,
            help=(
                "CSV/Parquet: account_id, tariff, contract_kva, and optionally declared_use (registry use, e.g. "
                "data_center, manufacturing, household) and mean_mbps (mean traffic from flow records, Mbit/s; "
                "empty = unknown). Traffic per kW and declared use are fused with the meter score; unknown "
                "values add nothing either way. est_mining_kw = mean power of the mining load over the hours "
                "it ran; est_mining_kwh = est_mining_kw x those hours (est_basis added_load: a load added, "
                "without traffic, to servers whose traffic --traffic shows; the hours it was off cannot be "
                "told from the servers' rhythm, so every hour since the onset counts). next_step per suspect: field_visit, or "
                "desk_check when a data centre would explain its load (flat, or a steady base under a daily "
                "rhythm), its traffic is unknown and the registry does not say otherwise (obtain the site's "
                "flow data before a visit), or when its load is flat and it is declared as production "
                "(manufacturing, factory, industrial), whatever the window (a continuous-process plant "
                "without a shift rhythm draws what rigs draw, and may run for years between overhaul "
                "stops: compare its production and energy approval, obtain its overhaul records), or when "
                "its load is flat and no use is recorded for it, even with traffic known (a plant's traffic "
                "is its staff's: look up the account holder, its products and approvals), or when what it "
                "found is no more than 10 kW (about three current rigs) and the site is not a household by "
                "its tariff or declared use (a base station, a pumping station out of season or a small "
                "server room draws as much around the clock: find out what the site is, obtain its load over "
                "a year), and first of all when its working-day rhythm is centred at night (the export's "
                "clock is off: check its time zone, --unmarked-times-utc, and run again)."
            ),
        )
        det.add_argument(
            "--temperature",
            type=Path,
            default=None,
            help=(
                "CSV or Parquet date,temp_c (daily outdoor mean, °C, one row a day): cooling that follows the "
                "weather marks a data centre or a cold store, heating that follows the cold a 煤改电 home; "
                "without it such loads are judged by their shape alone / 日平均气温"
            ),
        )
        det.add_argument(
            "--traffic",
            type=Path,
            default=None,
            help=(
                "CSV/Parquet: account_id, start, end, mean_mbps — a site's mean traffic over periods (e.g. the "
                "flow pipeline's weekly or monthly totals; dates inclusive). Where the load rose at an onset, "
                "the traffic of the four weeks before is set beside that of the four weeks after: servers "
                "bring traffic in proportion to their power, rigs none."
            ),
        )
        det.add_argument("--since", type=_date, default=None)
        det.add_argument("--until", type=_date, default=None)
        det.add_argument("--rig", default="S19")
        det.add_argument("--pack", type=Path, default=None, help="scoring weights YAML")
        det.add_argument("--model", type=Path, default=None, help="model from `meters train`")

        sim = sub.add_parser("simulate", help="write a synthetic population with labelled miners")
        sim.add_argument("--accounts", type=int, required=True, help="number of power accounts / 户数")
        sim.add_argument("--days", type=int, required=True, help="days of readings / 天数")
        sim.add_argument(
            "--interval",
            choices=["15min", "30min", "1h", "1d"],
            default="15min",
            help="reading interval / 采集间隔",
        )
        sim.add_argument(
            "--mining-share",
            type=float,
            default=0.01,
            help="share of accounts that mine (0.01 = 1%%) / 挖矿户占比",
        )
        sim.add_argument("--seed", type=int, default=7, help="random seed: same seed, same data / 随机种子")
        sim.add_argument(
            "--start", type=_date, default=dt.date(2021, 1, 1), help="first day, YYYY-MM-DD / 起始日期"
        )
        sim.add_argument(
            "--wide", action="store_true", help="also write readings_wide.csv (State Grid layout)"
        )
        sim.add_argument(
            "--family",
            choices=["tune", "eval"],
            default="tune",
            help="parameter family: tune (set weights on it) or eval (measure on it) / 参数族",
        )
        sim.add_argument(
            "--out",
            type=Path,
            required=True,
            help="folder for readings/, labels.csv, accounts.csv / 输出目录",
        )

        ev = sub.add_parser("evaluate", help="quality of findings against labels")
        ev.add_argument("--suspects", type=Path, required=True)
        ev.add_argument("--labels", type=Path, required=True)
        ev.add_argument("--k", type=int, default=None, help="k for precision@k (default: number of miners)")

        tr = sub.add_parser("train", help="train a calibrated gradient-boosted model on labelled findings")
        tr.add_argument("--features", type=Path, default=None, help="findings from `meters detect`")
        tr.add_argument("--labels", type=Path, default=None)
        tr.add_argument(
            "--from-outcomes",
            action="store_true",
            help="learn from the inspection outcomes recorded on leads (confirmed/cleared) / 从核查结果训练",
        )
        tr.add_argument("--out", type=Path, required=True)

        promote = sub.add_parser(
            "promote", help="promote a suspect of a stored detection run to a lead, with its evidence PNGs"
        )
        promote.add_argument("run_id", type=int, help="detection run id (web: Meter detection)")
        promote.add_argument("account_id")
        promote.add_argument("--as", dest="username", default="", help="staff user recorded as the promoter")

        plot = sub.add_parser("plot", help="evidence PNGs (carpet plot, daily energy with steps)")
        plot.add_argument("input", type=Path, help="raw file/folder or an imported dataset")
        plot.add_argument("--account", required=True)
        plot.add_argument("--out", type=Path, required=True, help="output folder")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(options)
        except MeterDataError as error:
            raise CommandError(error.message) from error
        except (OSError, pa.ArrowException) as error:
            raise CommandError(f"无法读取输入文件 / cannot read the input: {error}") from error

    def _promote(self, o: dict[str, Any]) -> None:
        """Promotion writes to the database: it lives with the detection services (``analytics`` command)."""
        from django.core.management import call_command

        call_command(
            "analytics",
            "promote-meter",
            o["run_id"],
            o["account_id"],
            "--as",
            o["username"],
            stdout=self.stdout,
            stderr=self.stderr,
        )

    def _import(self, o: dict[str, Any]) -> None:
        from minesweep.detection.meter.importer import import_meter_files, terminal_progress

        progress, close_bar = terminal_progress()
        try:
            report = import_meter_files(
                o["path"],
                o["root"] / o["dataset"],
                skip_bad=o["skip_bad"],
                unmarked_times_utc=o["unmarked_times_utc"],
                partitions=o["partitions"],
                replace=o["replace"],
                progress=progress,
            )
        finally:
            close_bar()
        self.stdout.write(
            f"imported {report.readings} readings of {report.accounts} accounts into {report.dataset} "
            f"(interval {report.interval_s} s, {report.partitions} partitions, {report.rejected} rejected)"
        )

    def _detect(self, o: dict[str, Any]) -> None:
        from minesweep.detection.meter.detect import (
            DetectOptions,
            clock_warning,
            detect,
            summary,
            write_findings,
        )

        options = DetectOptions(
            engine=o["engine"],
            scheduler=o["scheduler"],
            workers=o["workers"],
            accounts_meta=o["accounts_meta"],
            temperature=o["temperature"],
            traffic=o["traffic"],
            since=o["since"],
            until=o["until"],
            rig=o["rig"],
            pack=o["pack"],
            model=o["model"],
            unmarked_times_utc=o["unmarked_times_utc"],
        )
        findings = detect(o["input"], options)
        write_findings(findings, o["out"])
        counts = summary(findings)
        self.stdout.write(json.dumps({**counts, "out": str(o["out"])}))
        if counts["rhythm_at_night"]:
            self.stderr.write(clock_warning(counts))

    def _simulate(self, o: dict[str, Any]) -> None:
        from tqdm import tqdm

        from minesweep.detection.meter.simulate import INTERVALS, SimulationSpec, simulate

        spec = SimulationSpec(
            accounts=o["accounts"],
            days=o["days"],
            interval_s=INTERVALS[o["interval"]],
            mining_share=o["mining_share"],
            seed=o["seed"],
            start=o["start"],
            wide=o["wide"],
            family=o["family"],
        )
        with tqdm(
            total=spec.accounts, unit="acct", desc="meters simulate", disable=not sys.stderr.isatty()
        ) as bar:
            path = simulate(spec, o["out"], bar.update)
        written = ", ".join(
            str(o["out"] / name) for name in ("labels.csv", "accounts.csv", "traffic.csv", "temperature.csv")
        )
        self.stdout.write(f"wrote {path}, {written}")

    def _evaluate(self, o: dict[str, Any]) -> None:
        from minesweep.detection.meter.evaluate import evaluate_files, format_table

        self.stdout.write(format_table(evaluate_files(o["suspects"], o["labels"], o["k"])))

    def _train(self, o: dict[str, Any]) -> None:
        from minesweep.detection.meter.model import train_model

        if o["from_outcomes"]:
            from minesweep.detection.learning import train_from_outcomes

            self.stdout.write(json.dumps(train_from_outcomes(o["out"])))
            return
        if o["features"] is None or o["labels"] is None:
            raise CommandError(
                "--features 与 --labels，或 --from-outcomes / --features and --labels, or --from-outcomes"
            )
        self.stdout.write(json.dumps(train_model(o["features"], o["labels"], o["out"])))

    def _plot(self, o: dict[str, Any]) -> None:
        from minesweep.detection.meter.plots import plot_account

        for path in plot_account(o["input"], o["account"], o["out"]):
            self.stdout.write(str(path))
