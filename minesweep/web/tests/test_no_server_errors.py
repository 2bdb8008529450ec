"""Every route, as every kind of visitor, with junk in the query and the form: never a 500."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

pytestmark = pytest.mark.django_db
JUNK_QUERY = (
    "?q=%00&page=abc&score=zz&since=notadate&until=2026-13-45&league=999&category=%3Cscript%3E&limit=-5"
)
JUNK_FORM = {"reason": "\x00", "q": "' OR 1=1 --", "amount": "1e999", "date": "2026-02-30", "party": "abc"}


def _routes(patterns, prefix: str = "") -> Iterator[str]:  # type: ignore[no-untyped-def]
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def _paths() -> list[str]:
    paths = set()
    for route in _routes(get_resolver().url_patterns):
        path = "/" + re.sub(r"<int:[^>]+>", "1", re.sub(r"<(str|slug|path):[^>]+>", "x", route))
        if "<" not in path and "(?P" not in path and "docs" not in path and "openapi" not in path:
            paths.add(path)
    return sorted(paths)


def test_it_answers_every_route_without_a_server_error(
    region_admin, baotou_investigator, grid_liaison, client_for
):
    clients = [client_for(user) for user in (region_admin, baotou_investigator, grid_liaison)] + [Client()]
    failures = []
    for client in clients:
        client.raise_request_exception = False
        for path in _paths():
            for response in (client.get(path + JUNK_QUERY), client.post(path + JUNK_QUERY, JUNK_FORM)):
                if response.status_code >= 500:
                    failures.append((path, response.status_code))
    assert len(_paths()) > 50
    assert failures == []
