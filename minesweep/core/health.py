"""What `minesweep check` verifies: configuration, database reachable, migrations applied, Django checks."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse


def health_problems() -> list[str]:
    problems: list[str] = []
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        return [f"database unreachable / 数据库无法连接: {exc}"]
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return [f"cannot read migration state / 无法读取迁移状态: {exc}"]
    if plan:
        pending = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        problems.append(
            f"{len(plan)} migrations not applied (run `minesweep migrate`) / 有 {len(plan)} 个迁移未执行: {pending}"
        )
    problems.extend(check_findings(deployment=not settings.DEMO_MODE))
    return problems


def check_findings(*, deployment: bool) -> list[str]:
    """Django's system checks; outside demo mode also its deployment checks, where a warning is a finding
    too (no HSTS, cookies without Secure, DEBUG on …). Silenced checks (settings) are skipped."""
    threshold = checks.WARNING if deployment else checks.ERROR
    return [
        f"{message.id}: {message.msg}"
        for message in checks.run_checks(include_deployment_checks=deployment)
        if message.level >= threshold and not message.is_silenced()
    ]


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the proxy and supervisors: 200 "ok" when the database answers, else 503."""
    try:
        connection.ensure_connection()
    except DatabaseError:
        return HttpResponse("database unreachable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
