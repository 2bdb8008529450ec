from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the web app with waitress (production WSGI server). 启动网站服务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--trusted-proxy",
            default="",
            help="address of a reverse proxy whose X-Forwarded-For may be trusted (e.g. 127.0.0.1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve_app(
            options["host"],
            options["port"],
            options["threads"],
            self.stdout.write,
            trusted_proxy=options["trusted_proxy"],
        )


def serve_app(host: str, port: int, threads: int, say: Any, trusted_proxy: str = "") -> None:
    from django.contrib.staticfiles.management.commands import collectstatic  # noqa: F401  (ensures app loaded)
    from waitress import serve

    from minesweep.jobs.worker import start_background_worker
    from minesweep.wsgi import application

    start_background_worker()  # long detection runs are background jobs; this process works them off

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
