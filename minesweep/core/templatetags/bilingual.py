"""``{% t "中文" "English" %}`` renders the text for the active language; ``{{ dt|local }}`` shows Beijing time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template

from minesweep.core.i18n import pick

register = template.Library()
SHANGHAI = ZoneInfo("Asia/Shanghai")


@register.simple_tag
def t(zh: str, en: str) -> str:
    return pick(zh, en)


@register.filter
def local(value: datetime | date | None, with_time: bool = True) -> str:
    """Format a stored (UTC) timestamp in Asia/Shanghai as ``2026-11-27 23:20``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        shown = value.astimezone(SHANGHAI) if value.tzinfo else value
        return shown.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    return value.isoformat()
