"""Job handlers by kind. An app registers ``@job_handler("app.thing")`` in ``minesweep/<app>/tasks.py``.

A handler is ``handler(job, progress) -> dict``: it reads ``job.params``, reports progress with
``progress(fraction, zh, en)``, raises :class:`~minesweep.core.errors.DomainError` for failures a person
can act on, and returns the JSON result. The worker imports every ``minesweep.<app>.tasks`` module
before it runs anything, so handlers need no other wiring.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Protocol

from django.apps import apps


class ProgressReporter(Protocol):
    def __call__(self, fraction: float, message_zh: str = "", message_en: str = "") -> None: ...


Handler = Callable[[Any, ProgressReporter], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


def discover() -> None:
    """Import ``tasks`` of every Minesweep app (idempotent)."""
    for config in apps.get_app_configs():
        if not config.name.startswith("minesweep."):
            continue
        module = f"{config.name}.tasks"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


def handler_for(kind: str) -> Handler | None:
    if kind not in _HANDLERS:
        discover()
    return _HANDLERS.get(kind)


def known_kinds() -> list[str]:
    discover()
    return sorted(_HANDLERS)
