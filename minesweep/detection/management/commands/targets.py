"""``minesweep targets``: the ranked list of targets worth a field visit, fused from every stream.

    minesweep targets rank [--division CODE] [--order score|kw] [--hide-cleared] --out FILE.csv|FILE.json
    minesweep targets promote KEY [--division CODE]        # KEY as listed: subject:<id> or account:<number>
    minesweep targets desk-checks RUN RECORDS.csv|.xlsx [--division CODE]   # production energy balances

One row per subject (or per unregistered power account): fused score, each stream's contribution in
words, what is missing. Public reports count by category only; their sealed text is never opened.
Without ``--division`` the whole region is ranked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minesweep.accounts.jurisdiction import Scope
from minesweep.accounts.roles import Role
from minesweep.core.errors import DomainError
from minesweep.core.exports import SafeCsvWriter
from minesweep.detection.selectors import meter_run_get
from minesweep.detection.services import desk_checks_import, target_promote, verdict_counts
from minesweep.detection.targets import rank_targets
from minesweep.registry.models import Division

CSV_COLUMNS = ("rank", "key", "name", "division", "score", "streams", "missing", "accounts")


class Command(BaseCommand):
    help = "Rank targets from meter, network, report and registry evidence. 多源研判目标排名"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rank = sub.add_parser("rank", help="write the ranked list / 输出排名")
        rank.add_argument(
            "--division", default="", help="division code (default: the whole region) / 辖区代码"
        )
        rank.add_argument("--out", type=Path, required=True, help="FILE.csv or FILE.json")
        rank.add_argument("--limit", type=int, default=500)
        rank.add_argument(
            "--order",
            choices=("score", "kw"),
            default="score",
            help="score (default) or kw: the load a visit can expect to find, score × estimated kW / 排序",
        )
        rank.add_argument(
            "--hide-cleared",
            action="store_true",
            help="leave out targets cleared at the desk / 隐藏案头核查已排除的目标",
        )
        promote = sub.add_parser("promote", help="open a lead for one target / 转为线索")
        promote.add_argument("key")
        promote.add_argument("--division", default="")
        desk = sub.add_parser(
            "desk-checks",
            help="balance a meter run's findings against a table of production records (CSV or XLSX), all "
            "or nothing / 按生产记录批量案头核查",
        )
        desk.add_argument("run", type=int, help="meter run id / 检测任务编号")
        desk.add_argument("records", type=Path, help="production records: CSV (UTF-8 or GBK) or XLSX")
        desk.add_argument("--division", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scope = _scope(options["division"])
            if options["action"] == "desk-checks":
                self._desk_checks(scope, options["run"], options["records"])
                return
            if options["action"] == "promote":
                lead = target_promote(actor="cli", scope=scope, key=options["key"])
                self.stdout.write(json.dumps({"lead": lead.number}, ensure_ascii=False))
                return
            ranked = rank_targets(
                scope=scope,
                limit=options["limit"],
                by_expected_kw=options["order"] == "kw",
                hide_cleared=options["hide_cleared"],
            )
            rows = [row.as_dict() for row in ranked]
            _write(rows, options["out"])
            self.stdout.write(json.dumps({"targets": len(rows), "out": str(options["out"])}))
        except DomainError as error:
            for problem in error.extra.get("problems", []):
                self.stderr.write(f"row {problem['row']}: {problem['zh']} / {problem['en']}")
            raise CommandError(f"{error.message_zh} / {error.message_en}", returncode=2) from error

    def _desk_checks(self, scope: Scope, run_id: int, records: Path) -> None:
        run = meter_run_get(scope=scope, pk=run_id)
        try:
            content = records.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取 / cannot read {records}: {error.strerror}", returncode=2) from None
        checks = desk_checks_import(actor="cli", scope=scope, run=run, content=content)
        self.stdout.write(json.dumps({"desk_checks": len(checks), **verdict_counts(checks)}))


def _scope(code: str) -> Scope:
    division = (
        Division.objects.filter(code=code).first() if code else Division.objects.filter(parent=None).first()
    )
    if division is None:
        raise CommandError(f"未知辖区代码 / unknown division code: {code}", returncode=2)
    return Scope(division.scope_prefix, Role.ANALYST, "", division.code)


def _write(rows: list[dict[str, Any]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    if suffix == ".json":
        out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        return
    if suffix != ".csv":
        raise CommandError("输出文件须为 .csv 或 .json / output must end in .csv or .json", returncode=2)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = SafeCsvWriter(handle)
        writer.writerow(CSV_COLUMNS)
        for rank, row in enumerate(rows, start=1):
            writer.writerow(
                [
                    rank,
                    row["key"],
                    row["name"],
                    row["division"],
                    row["score"],
                    " | ".join(f"{s['stream']} {s['logit']:+.2f}: {s['en']}" for s in row["streams"]),
                    " | ".join(m["en"] for m in row["missing"]),
                    " ".join(row["accounts"]),
                ]
            )
