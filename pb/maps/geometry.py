"""District boundaries as GeoJSON: checked on upload and stored as one MultiPolygon in WGS 84 (lon, lat).

Pure: no Flask, no database. ``read_boundary`` takes the uploaded bytes (a Polygon or MultiPolygon geometry,
a Feature with one, or a FeatureCollection of exactly one such Feature) and either returns the boundary as
``{"type": "MultiPolygon", "coordinates": ...}`` with two numbers per position, or raises ``GeometryProblem``
whose ``kind`` and ``details`` say what is wrong and where (pb.maps.labels words it for people).

A district is a small place: its boundary must fit in a box of ``MAX_EXTENT_DEGREES`` on each side, which also
catches latitude and longitude given the wrong way round and coordinates in a projected system (metres).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from typing import Any

MAX_BYTES = 1_000_000
MAX_POSITIONS = 50_000
MAX_EXTENT_DEGREES = 2.0
MIN_RING_POSITIONS = 4

Position = tuple[float, float]
Ring = list[Position]


class GeometryProblem(ValueError):
    """The uploaded boundary cannot be used: ``kind`` names the problem, ``details`` where it is."""

    def __init__(self, kind: str, **details: Any) -> None:
        super().__init__(kind, details)
        self.kind = kind
        self.details = details


def _no_constant(name: str) -> float:
    raise GeometryProblem("not_json", error=f"{name} is not a number in JSON")


def _geometry_of(document: Any) -> Any:
    if not isinstance(document, dict):
        raise GeometryProblem("not_geojson")
    kind = document.get("type")
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise GeometryProblem("feature_count", count=len(features) if isinstance(features, list) else 0)
        document = features[0]
        kind = document.get("type") if isinstance(document, dict) else None
    if kind == "Feature":
        document = document.get("geometry")
        if not isinstance(document, dict):
            raise GeometryProblem("not_geojson")
        kind = document.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryProblem("not_polygon", type=str(kind) if kind is not None else "—")
    return document


def _position(value: Any, where: dict[str, int]) -> Position:
    if (not isinstance(value, list) or len(value) not in (2, 3)
            or not all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in value)):
        raise GeometryProblem("position", **where)
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat)) or not -180 <= lon <= 180 or not -90 <= lat <= 90:
        raise GeometryProblem("out_of_range", lon=value[0], lat=value[1], **where)
    return lon, lat


def _area(ring: Ring) -> float:
    """Twice the signed area of a ring in square degrees (the shoelace formula)."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))


def _ring(value: Any, polygon: int, ring: int) -> Ring:
    if not isinstance(value, list):
        raise GeometryProblem("shape", polygon=polygon, ring=ring)
    if len(value) < MIN_RING_POSITIONS:
        raise GeometryProblem("too_few_positions", polygon=polygon, ring=ring, count=len(value))
    positions = [_position(item, {"polygon": polygon, "ring": ring, "position": number})
                 for number, item in enumerate(value, start=1)]
    if positions[0] != positions[-1]:
        raise GeometryProblem("not_closed", polygon=polygon, ring=ring)
    if _area(positions) == 0:
        raise GeometryProblem("no_area", polygon=polygon, ring=ring)
    return positions


def _polygon(value: Any, polygon: int) -> list[Ring]:
    if not isinstance(value, list) or not value:
        raise GeometryProblem("shape", polygon=polygon, ring=1)
    return [_ring(ring, polygon, number) for number, ring in enumerate(value, start=1)]


def check_geometry(document: Any) -> dict[str, Any]:
    """The boundary of a parsed GeoJSON document as one MultiPolygon; raises GeometryProblem."""
    geometry = _geometry_of(document)
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        raise GeometryProblem("shape", polygon=1, ring=1)
    polygons = [_polygon(coordinates, 1)] if geometry["type"] == "Polygon" else [
        _polygon(polygon, number) for number, polygon in enumerate(coordinates, start=1)]
    count = sum(len(ring) for polygon in polygons for ring in polygon)
    if count > MAX_POSITIONS:
        raise GeometryProblem("too_many_positions", count=count, most=MAX_POSITIONS)
    west, south, east, north = bounds_of_polygons(polygons)
    if east - west > MAX_EXTENT_DEGREES or north - south > MAX_EXTENT_DEGREES:
        raise GeometryProblem("too_large", width=round(east - west, 2), height=round(north - south, 2),
                              most=MAX_EXTENT_DEGREES)
    return {"type": "MultiPolygon",
            "coordinates": [[[list(position) for position in ring] for ring in polygon] for polygon in polygons]}


def read_boundary(data: bytes | str) -> dict[str, Any]:
    """The boundary in an uploaded GeoJSON file; raises GeometryProblem when it is not one pb can use."""
    if len(data) > MAX_BYTES:
        raise GeometryProblem("too_big", most=MAX_BYTES // 1000)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise GeometryProblem("not_json", error="not UTF-8 text") from None
    try:
        document = json.loads(data, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise GeometryProblem("not_json", error=f"line {error.lineno}, column {error.colno}: {error.msg}") from None
    return check_geometry(document)


def rings(boundary: dict[str, Any]) -> Iterator[list[Position]]:
    """Every ring (outer and holes) of a stored boundary, as (lon, lat) pairs."""
    for polygon in boundary["coordinates"]:
        for ring in polygon:
            yield [(float(lon), float(lat)) for lon, lat in ring]


def outer_rings(boundary: dict[str, Any]) -> Iterator[list[Position]]:
    """The outer ring of every polygon of a stored boundary."""
    for polygon in boundary["coordinates"]:
        yield [(float(lon), float(lat)) for lon, lat in polygon[0]]


def bounds_of_polygons(polygons: list[list[Ring]]) -> tuple[float, float, float, float]:
    """West, south, east and north of some polygons' positions."""
    lons = [lon for polygon in polygons for ring in polygon for lon, _lat in ring]
    lats = [lat for polygon in polygons for ring in polygon for _lon, lat in ring]
    return min(lons), min(lats), max(lons), max(lats)


def bounds(boundaries: list[dict[str, Any]]) -> tuple[float, float, float, float] | None:
    """West, south, east and north of stored boundaries together; None when there is none."""
    all_rings = [[ring] for boundary in boundaries for ring in rings(boundary)]
    return bounds_of_polygons(all_rings) if all_rings else None


def position_count(boundary: dict[str, Any]) -> int:
    """How many positions a stored boundary has (for the audit log, instead of the whole geometry)."""
    return sum(len(ring) for ring in rings(boundary))
