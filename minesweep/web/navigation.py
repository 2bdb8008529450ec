"""The staff menu. Each app registers its entries in ``AppConfig.ready`` so no app edits another's template."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from minesweep.accounts.roles import Role
from minesweep.core.i18n import pick


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    zh: str
    en: str
    roles: frozenset[Role] | None  # None: every staff role
    order: int


_ENTRIES: list[NavEntry] = []


def register_nav(
    url_name: str, zh: str, en: str, roles: tuple[Role, ...] | None = None, order: int = 50
) -> None:
    if any(entry.url_name == url_name for entry in _ENTRIES):
        return
    _ENTRIES.append(NavEntry(url_name, zh, en, frozenset(roles) if roles else None, order))


def nav_for(role: str) -> list[dict[str, str]]:
    items = []
    for entry in sorted(_ENTRIES, key=lambda e: e.order):
        if entry.roles is None or role in entry.roles or role == Role.ADMINISTRATOR:
            try:
                items.append({"url": reverse(entry.url_name), "label": pick(entry.zh, entry.en)})
            except NoReverseMatch:
                continue
    return items
