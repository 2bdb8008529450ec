from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minesweep.core.health import health_problems


class Command(BaseCommand):
    help = "Check configuration, database reachability and applied migrations (exit 1 with the reason). 运行环境自检"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = health_problems()
        if problems:
            for problem in problems:
                self.stderr.write(f"FAIL: {problem}")
            raise SystemExit(1)
        if not options["quiet"]:
            self.stdout.write("OK: configuration, database and migrations / 配置、数据库与迁移均正常")
