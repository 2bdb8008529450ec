"""The demo register: every site it places lies inside its own county (or, for a development zone without
a polygon of its own, its league) and so inside the region's boundary."""

from __future__ import annotations

import pytest

from minesweep.oversight.boundaries import contains
from minesweep.registry import demo
from minesweep.registry.models import Site

pytestmark = pytest.mark.django_db


def test_it_places_every_demo_site_inside_its_division_and_the_region():
    demo.load(seed=2021)
    sites = list(Site.objects.filter(latitude__isnull=False))
    assert len(sites) >= 200
    outside_region = [s.name for s in sites if not contains("150000", float(s.longitude), float(s.latitude))]
    assert not outside_region, outside_region
    outside_county = [
        (s.name, s.division_id)
        for s in sites
        if not contains(s.division_id, float(s.longitude), float(s.latitude))
    ]
    assert not outside_county, outside_county
