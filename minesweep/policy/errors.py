"""Errors raised by the policy layer, each with a stable code and a bilingual message.

The shape mirrors ``minesweep.core.errors.DomainError`` (code, message_zh, message_en, extra) but this
module stays Django-free; callers in services re-raise as ``DomainError(e.code, e.message_zh,
e.message_en, **e.extra)``.
"""

from __future__ import annotations

from typing import Any


class PolicyError(Exception):
    """Base class: ``code`` is stable, ``message`` is "中文 / English", ``extra`` carries details."""

    code = "policy.error"

    def __init__(self, message_zh: str, message_en: str, **extra: Any) -> None:
        self.message_zh = message_zh
        self.message_en = message_en
        self.extra = extra
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.message_zh} / {self.message_en}"

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "extra": self.extra}


class PolicyPackError(PolicyError):
    """A policy pack file is missing, malformed or refers to an unknown code (政策包错误)."""

    code = "policy.pack_invalid"


class PolicyInputError(PolicyError):
    """The caller passed an unknown category, fact or role, or an impossible value (输入错误)."""

    code = "policy.input_invalid"


class WorkdayCalendarError(PolicyError):
    """A date lies outside the years the holiday calendar covers (节假日数据不覆盖该年份)."""

    code = "policy.calendar_unsupported"
