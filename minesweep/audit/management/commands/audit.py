from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minesweep.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit trail: `audit verify` walks the hash chain (exit 1 naming the first bad event). 审计链校验"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check that no audit event was changed, deleted or reordered")

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if report.intact:
            self.stdout.write(
                f"audit chain intact: {report.checked} events / 审计链完整：{report.checked} 条"
            )
            return
        self.stderr.write(
            f"audit chain BROKEN at event #{report.first_bad_seq}: {report.reason} / "
            f"审计链在第 {report.first_bad_seq} 条处被破坏"
        )
        raise SystemExit(1)
