from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from minesweep.audit.services import audit_record
from minesweep.core.errors import DomainError
from minesweep.oversight.register import register_xlsx
from minesweep.registry.services import project_register_snapshot


class Command(BaseCommand):
    help = (
        "1283号 mining-project register: `register export --out FILE.xlsx [--week YYYY-Www]` (one row per "
        "project + weekly progress per league); `register snapshot` records this week. 挖矿项目台账"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the weekly register as XLSX (whole region)")
        export.add_argument("--out", required=True, help="the .xlsx file to write")
        export.add_argument("--week", help="ISO week, e.g. 2026-W48 (default: this week)")
        sub.add_parser("snapshot", help="record this week's register (run weekly; an existing week is kept)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "snapshot":
                taken = project_register_snapshot(actor="cli", day=timezone.localdate())
                self.stdout.write(f"snapshot: {taken} projects recorded / 已记录 {taken} 个项目")
                return
            out = Path(options["out"])
            if out.suffix.lower() != ".xlsx":
                raise CommandError("输出文件须以 .xlsx 结尾 / the output file must end in .xlsx")
            if not out.parent.is_dir():
                raise CommandError(f"目录不存在：{out.parent} / no such directory: {out.parent}")
            # The command line is the region's own tool: no staff scope, the whole register.
            from minesweep.accounts.jurisdiction import Scope
            from minesweep.accounts.roles import Role
            from minesweep.policy.packs import deployment_pack, region_prefix

            pack = deployment_pack()
            region = Scope(region_prefix(pack), Role.ADMINISTRATOR, "", pack.region)
            week, rows, data = register_xlsx(scope=region, week=options.get("week"))
            out.write_bytes(data)
            audit_record(
                actor="cli",
                action="oversight.register.export",
                target=("registry.week", week),
                detail={"week": week, "rows": rows},
            )
            self.stdout.write(f"wrote {rows} projects for {week} to {out} / 已导出 {rows} 个项目")
        except DomainError as exc:
            raise CommandError(exc.message) from None
