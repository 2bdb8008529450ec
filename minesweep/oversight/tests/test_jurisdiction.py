"""Every oversight route is scoped: Baotou staff see Baotou figures only, cannot pick another league, and
outsiders and anonymous visitors get nothing (mirrors accounts/tests/test_jurisdiction.py)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROUTES = [
    ("dashboard", "/oversight/", {}),
    ("dashboard other league", "/oversight/", {"league": "150600"}),
    ("dashboard county of other league", "/oversight/", {"league": "150602"}),
    ("weekly", "/oversight/weekly/", {}),
    ("register xlsx", "/oversight/register.xlsx", {}),
    ("api", "/api/v1/oversight/dashboard", {}),
    ("api other league", "/api/v1/oversight/dashboard", {"league": "150600"}),
]


def test_it_never_shows_ordos_figures_to_a_baotou_investigator(projects, baotou_investigator, client_for):
    client = client_for(baotou_investigator)
    for name, url, params in ROUTES:
        response = client.get(url, params)
        assert response.status_code in (200, 404), name
        if url.endswith(".xlsx"):
            from .test_register import _rows

            assert "台账测试矿场2" not in {r[3] for r in _rows(response.content)}, name
            continue
        body = response.content.decode()
        assert "台账测试矿场2" not in body and "鄂尔多斯市</a>" not in body and '"150600"' not in body, name


def test_it_shows_ordos_figures_to_the_ordos_investigator(projects, ordos_investigator, client_for):
    body = client_for(ordos_investigator).get("/oversight/weekly/").content.decode()
    assert "台账测试矿场2" in body and "台账测试矿场0" not in body


@pytest.mark.parametrize("name,url,params", ROUTES, ids=[r[0] for r in ROUTES])
def test_it_denies_outsiders_liaisons_and_anonymous_visitors(
    name, url, params, projects, outsider, grid_liaison, client_for
):
    assert client_for(outsider).get(url, params).status_code in (401, 403, 404)
    assert client_for(grid_liaison).get(url, params).status_code in (401, 403, 404)
    assert Client().get(url, params).status_code in (302, 401, 403)
