"""What `minesweep check` verifies: configuration, database reachable, migrations applied, Django checks."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor


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
    for message in checks.run_checks(include_deployment_checks=False):
        if message.level >= checks.ERROR:
            problems.append(f"{message.id}: {message.msg}")
    return problems
