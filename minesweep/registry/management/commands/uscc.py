from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minesweep.registry.uscc import validate_uscc


class Command(BaseCommand):
    help = "Validate USCCs (统一社会信用代码, GB 32100-2015); exit 0 only if all are valid. 校验信用代码"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="+", metavar="CODE")

    def handle(self, *args: Any, **options: Any) -> None:
        all_valid = True
        for raw in options["codes"]:
            result = validate_uscc(raw)
            all_valid &= result.valid
            verdict = "valid / 有效" if result.valid else f"invalid / 无效: {result.reason}"
            self.stdout.write(f"{result.code}\t{verdict}")
        if not all_valid:
            raise SystemExit(1)
