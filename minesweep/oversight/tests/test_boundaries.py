"""Point-in-boundary over the vendored polygons."""

from __future__ import annotations

import random

from minesweep.oversight.boundaries import contains, point_inside

HOHHOT = (111.65, 40.82)


def test_it_knows_which_division_a_point_lies_in():
    assert contains("150000", *HOHHOT) and contains("150100", *HOHHOT)
    assert not contains("150200", *HOHHOT)
    assert not contains("150000", 116.4, 39.9), "Beijing is outside the region"


def test_it_draws_points_inside_a_county_and_falls_back_to_the_league_for_a_zone():
    rng = random.Random(7)
    for code in ("150203", "152921", "150172"):
        for _ in range(20):
            x, y = point_inside(code, rng)
            assert contains(code, x, y) and contains("150000", x, y)
    x, y = point_inside("150172", rng)
    assert contains("150100", x, y), "a development zone without its own polygon lies in its league"
