"""Errors raised by meter-data code: one family, stable codes, Chinese and English messages."""

from __future__ import annotations

from typing import Any

from minesweep.core.errors import DomainError


class MeterDataError(DomainError):
    """Input meter data (or a request about it) that cannot be used as given.

    Codes are ``meter.<reason>``; ``extra`` carries machine-readable details such as bad row numbers.
    """

    def __init__(self, code: str, message_zh: str, message_en: str, **extra: Any) -> None:
        super().__init__(f"meter.{code}", message_zh, message_en, **extra)
