"""Demo data: each app may have a ``demo`` module with ``load(*, seed: int) -> str``; they run in app order.

Loading is idempotent: an app whose demo data is already there returns without writing.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from django.apps import apps
from django.db import transaction

DEMO_PASSWORD = "minesweep-demo"


def load_demo(*, seed: int) -> Iterator[str]:
    for config in apps.get_app_configs():
        if not config.name.startswith("minesweep."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        with transaction.atomic():
            yield f"{config.label}: {module.load(seed=seed)}"
