"""``minesweep worker``: run background jobs in this process until stopped (Ctrl+C / SIGTERM)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minesweep.jobs.worker import run_worker


class Command(BaseCommand):
    help = "Run queued background jobs (detection runs, scans) until stopped. 运行后台任务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="run what is queued, then exit / 处理完队列即退出"
        )
        parser.add_argument(
            "--poll", type=float, default=1.0, help="seconds between queue checks / 轮询间隔（秒）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
        if not options["once"]:
            self.stdout.write("后台任务处理进程已启动 / job worker started (Ctrl+C to stop)")
        try:
            done = run_worker(stop=stop, poll_s=max(0.1, options["poll"]), once=options["once"])
        except KeyboardInterrupt:
            stop.set()
            done = 0
        self.stdout.write(f"已处理任务 {done} 个 / jobs run: {done}")
