from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the web app with waitress (production WSGI server). 启动网站服务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        serve_app(options["host"], options["port"], options["threads"], self.stdout.write)


def serve_app(host: str, port: int, threads: int, say: Any) -> None:
    from django.contrib.staticfiles.management.commands import collectstatic  # noqa: F401  (ensures app loaded)
    from waitress import serve

    from minesweep.wsgi import application

    say(f"Minesweep serving on http://{host}:{port}/  (Ctrl+C to stop) / 服务已启动")
    # No access log: waitress writes none by default, and the privacy middleware strips client data anyway.
    serve(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="minesweep",
        clear_untrusted_proxy_headers=True,
    )
