from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minesweep.registry.imports import COLUMNS, ImportRejected, registry_import


class Command(BaseCommand):
    help = "Registry: `registry import KIND FILE` (entities|sites|power_accounts, CSV or XLSX, all or nothing). 主体批量导入"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importer = sub.add_parser("import", help="bulk import; nothing is written if any row is bad")
        importer.add_argument("kind", choices=sorted(COLUMNS))
        importer.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            self.stderr.write(f"no such file / 文件不存在: {path}")
            raise SystemExit(2)
        try:
            report = registry_import(actor="cli", kind=options["kind"], content=path.read_bytes())
        except ImportRejected as rejected:
            self.stderr.write(rejected.message)
            for problem in rejected.report.problems:
                self.stderr.write(f"  row {problem.row}, column {problem.column or '-'}: {problem.reason}")
            raise SystemExit(1) from None
        self.stdout.write(f"imported {report.created} {report.kind} / 已导入 {report.created} 条")
