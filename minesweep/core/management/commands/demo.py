from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minesweep.core.demodata import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load demo data (a plausible Inner Mongolia) and serve; --load-only loads and exits. 加载演示数据"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--load-only", action="store_true", help="load the data and exit")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--seed", type=int, default=2021)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("demo data only in demo mode: set MINESWEEP_DEMO=1 / 仅演示模式可加载演示数据")
        call_command("migrate", interactive=False, verbosity=0)
        for line in load_demo(seed=options["seed"]):
            self.stdout.write(line)
        self.stdout.write(f"\nDemo logins / 演示账号 (password / 密码: {DEMO_PASSWORD}):")
        from minesweep.accounts.demo import PERSONAS

        for persona in PERSONAS:
            self.stdout.write(f"  {persona.username:<28} {persona.description}")
        if options["load_only"]:
            return
        from minesweep.core.management.commands.serve import serve_app

        self.stdout.write(
            f"\nOpen http://{options['host']}:{options['port']}/ (public) and "
            f"http://{options['host']}:{options['port']}/staff/ (staff)"
        )
        serve_app(options["host"], options["port"], 8, self.stdout.write)
