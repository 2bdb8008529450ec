"""``minesweep keys status|rotate|generate``: master keys of the envelope encryption (主密钥轮换)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from minesweep.core.errors import DomainError
from minesweep.security import envelope

ROTATION_STEPS = """To rotate / 轮换步骤:
  1. minesweep keys generate                      -> a new key
  2. MINESWEEP_OLD_MASTER_KEYS=<old id>:<old key>  (keep the old key readable)
     MINESWEEP_MASTER_KEY=<new key> MINESWEEP_MASTER_KEY_ID=<new id>
  3. minesweep keys rotate                        -> re-wraps every data key under the new key
  4. minesweep keys status shows 0 rows under the old id; then drop it from OLD_MASTER_KEYS."""


class Command(BaseCommand):
    help = "Master keys for encrypted report content: status, rotate, generate. 主密钥管理"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="rows per master key id / 各主密钥下的数据量")
        rotate = sub.add_parser(
            "rotate", help="re-wrap all data keys under the current master key / 重新封装"
        )
        rotate.add_argument("--batch", type=int, default=500)
        sub.add_parser("generate", help="print a new random master key / 生成新主密钥")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "generate":
            self.stdout.write(envelope.generate_master_key())
            self.stderr.write(ROTATION_STEPS)
            return
        from minesweep.reports.models import Report, ReportAttachment

        if action == "status":
            self.stdout.write(f"current key id / 当前主密钥: {envelope.current_key_id()}")
            for model in (Report, ReportAttachment):
                for row in model.objects.values("key_id").annotate(n=Count("pk")).order_by("key_id"):  # type: ignore[attr-defined]
                    self.stdout.write(f"{model._meta.label_lower}\t{row['key_id']}\t{row['n']}")
            return
        from minesweep.reports.services import keys_rotate

        tty = sys.stderr.isatty()

        def progress(name: str, done: int) -> None:
            if tty:
                self.stderr.write(f"\r{name}: {done} re-wrapped", ending="")

        try:
            counts = keys_rotate(batch=max(1, options["batch"]), progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if tty:
            self.stderr.write("")
        for label, n in counts.items():
            self.stdout.write(f"{label}\t{n} re-wrapped under {envelope.current_key_id()} / 已重新封装")
