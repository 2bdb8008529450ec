"""``{% t "中文" "English" %}`` renders the text for the active language; ``{{ dt|local }}`` shows Beijing time;
``{{ label|in_language }}`` shows one side of a stored "中文 / English" label (or of each in a list);
``{{ items|join_list }}`` joins a list with "、" in Chinese and ", " in English."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template

from minesweep.core.i18n import pick, split_pair

register = template.Library()
SHANGHAI = ZoneInfo("Asia/Shanghai")


@register.simple_tag
def t(zh: str, en: str) -> str:
    return pick(zh, en)


@register.filter
def in_language(value: str | list[str] | None) -> str | list[str]:
    """The active language's side of a label stored as "中文 / English" (names of removed metadata are
    kept so); a label without that separator ("EXIF", "XMP") is the same in both. Lists map item by item."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return [pick(*split_pair(str(item))) for item in value]
    return pick(*split_pair(str(value)))


@register.filter
def join_list(value: str | list[str] | tuple[str, ...] | None) -> str:
    """Items joined as the active language enumerates them: "、" in Chinese (EXIF、GPS 位置), ", " in
    English (EXIF, GPS location). Escaped like any text when shown."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return pick("、", ", ").join(str(item) for item in value)


@register.filter
def local(value: datetime | date | None, with_time: bool = True) -> str:
    """Format a stored (UTC) timestamp in Asia/Shanghai as ``2026-11-27 23:20``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        shown = value.astimezone(SHANGHAI) if value.tzinfo else value
        return shown.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    return value.isoformat()
