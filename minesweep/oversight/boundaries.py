"""The region's vendored boundary polygons (``static/oversight/vendor/geo/``) as plain Python: is a point
inside a division, and a point inside a division for demo data. Coordinates are (longitude, latitude),
WGS-84, as in GeoJSON. Counties without a polygon of their own (development zones such as 150172) fall
back to their league's."""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path

GEO_DIR = Path(__file__).parent / "static" / "oversight" / "vendor" / "geo"
Ring = list[tuple[float, float]]
Polygon = list[Ring]  # outer ring, then holes


@cache
def _shapes(level: str) -> dict[str, list[Polygon]]:
    data = json.loads((GEO_DIR / f"{level}.json").read_text(encoding="utf-8"))
    shapes: dict[str, list[Polygon]] = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        shapes[str(feature["id"])] = [[[(x, y) for x, y in ring] for ring in polygon] for polygon in polygons]
    return shapes


def division_shape(code: str) -> list[Polygon]:
    """The polygons of a county (or its league, when the county has none), a league, or the region."""
    if code.endswith("0000"):
        return [p for polygons in _shapes("leagues").values() for p in polygons]
    counties, leagues = _shapes("counties"), _shapes("leagues")
    return counties.get(code) or leagues.get(code[:4] + "00", [])


def _in_ring(ring: Ring, x: float, y: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def contains(code: str, longitude: float, latitude: float) -> bool:
    """Even-odd rule over each polygon's rings (a point in a hole is outside)."""
    return any(
        sum(_in_ring(ring, longitude, latitude) for ring in polygon) % 2 == 1
        for polygon in division_shape(code)
    )


def point_inside(code: str, rng: random.Random, *, digits: int = 6) -> tuple[float, float]:
    """A random (longitude, latitude) inside the division, rounded to ``digits`` and still inside."""
    polygons = division_shape(code)
    if not polygons:
        raise ValueError(f"no boundary for division {code}")
    xs = [x for polygon in polygons for x, _ in polygon[0]]
    ys = [y for polygon in polygons for _, y in polygon[0]]
    while True:
        x = round(rng.uniform(min(xs), max(xs)), digits)
        y = round(rng.uniform(min(ys), max(ys)), digits)
        if contains(code, x, y):
            return x, y
