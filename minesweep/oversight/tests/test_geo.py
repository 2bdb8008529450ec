"""The map's points: ranked targets drawn where their subject's site is, for those who may open them, inside
the viewer's jurisdiction only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from minesweep.accounts.jurisdiction import require_scope
from minesweep.accounts.roles import Role
from minesweep.oversight.geo import map_data
from minesweep.registry.models import Site

pytestmark = pytest.mark.django_db


def _locate(project, lat: str, lon: str) -> Site:  # type: ignore[no-untyped-def]
    return Site.objects.create(
        name=f"{project.owner.name}厂区",
        address="某路 1 号",
        division=project.division,
        subject=project.owner,
        latitude=Decimal(lat),
        longitude=Decimal(lon),
    )


def _targets(user) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    return [p for p in map_data(scope=require_scope(user))["points"] if p["kind"] == "target"]


def test_it_draws_ranked_targets_at_their_site_and_links_their_evidence(projects, make_staff):
    baotou, _, ordos = projects
    _locate(baotou, "40.65", "109.85")
    _locate(ordos, "39.60", "109.80")
    analyst = make_staff("map_analyst", Role.ANALYST, "150000")
    targets = _targets(analyst)
    assert {p["value"] for p in targets} == {(109.85, 40.65), (109.8, 39.6)}, "located owners only"
    # Without meter or network findings the evidence is the target's row in the ranked list.
    assert sorted(p["url"] for p in targets) == sorted(
        f"/analytics/targets/#target-subject{owner.pk}" for owner in (baotou.owner, ordos.owner)
    )


def test_it_scopes_targets_to_the_jurisdiction_and_to_roles_that_may_open_them(projects, make_staff):
    for project, (lat, lon) in zip(
        projects, [("40.65", "109.85"), ("40.6", "110.0"), ("39.6", "109.8")], strict=True
    ):
        _locate(project, lat, lon)
    baotou_analyst = make_staff("baotou_analyst", Role.ANALYST, "150200")
    assert {p["name"].split()[0] for p in _targets(baotou_analyst)} == {
        projects[0].owner.name,
        projects[1].owner.name,
    }
    leader = make_staff("region_leader", Role.LEADERSHIP, "150000")
    assert _targets(leader) == [], "leadership cannot open the target list, so the map does not draw it"
