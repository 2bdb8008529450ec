from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the web app with waitress (production WSGI server). 启动网站服务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=settings.SERVE_THREADS)
        parser.add_argument(
            "--trusted-proxy",
            default=settings.TRUSTED_PROXY,
            help="address of a reverse proxy whose X-Forwarded-For/-Proto may be trusted (e.g. 127.0.0.1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve_app(
            options["host"],
            options["port"],
            options["threads"],
            self.stdout.write,
            trusted_proxy=options["trusted_proxy"],
        )


def waitress_options(threads: int, trusted_proxy: str) -> dict[str, Any]:
    """Idle and slow clients must not starve others (issue 14): waitress reads requests in its event loop
    and hands a worker thread only a complete request, so what bounds it is the number of open connections
    (raised from waitress' 100, with poll() instead of select()'s 1024-descriptor ceiling) and how long an
    idle or trickling connection may stay (closed after MINESWEEP_SERVE_CHANNEL_TIMEOUT seconds). Limits per
    client belong in the reverse proxy (deploy/nginx/minesweep.conf), which sees the client's address."""
    options: dict[str, Any] = {
        "threads": threads,
        "connection_limit": settings.SERVE_CONNECTION_LIMIT,
        "channel_timeout": settings.SERVE_CHANNEL_TIMEOUT,
        "cleanup_interval": max(1, min(10, settings.SERVE_CHANNEL_TIMEOUT // 2)),
        "asyncore_use_poll": True,
        "backlog": 2048,
        # the largest request a form takes: a staff analytics upload (meter readings, captures), else a report
        "max_request_body_size": max(settings.UPLOAD_MAX_BYTES, settings.ANALYTICS_UPLOAD_MAX_BYTES)
        + 1024 * 1024,
        "ident": "minesweep",
        "clear_untrusted_proxy_headers": True,
    }
    if trusted_proxy:
        options.update(
            trusted_proxy=trusted_proxy,
            trusted_proxy_count=1,
            trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"},
        )
    return options


def serve_app(host: str, port: int, threads: int, say: Any, trusted_proxy: str = "") -> None:
    from django.contrib.staticfiles.management.commands import collectstatic  # noqa: F401  (ensures app loaded)
    from waitress import serve

    from minesweep.jobs.worker import start_background_worker
    from minesweep.wsgi import application

    start_background_worker()  # long detection runs are background jobs; this process works them off

    say(f"Minesweep serving on http://{host}:{port}/  (Ctrl+C to stop) / 服务已启动")
    # No access log: waitress writes none by default, and the privacy middleware strips client data anyway.
    serve(application, host=host, port=port, **waitress_options(threads, trusted_proxy))
