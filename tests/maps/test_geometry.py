"""District boundaries: what a GeoJSON upload must be, each kind of bad geometry named."""

from __future__ import annotations

import json

import pytest

from pb.maps.geometry import MAX_BYTES, GeometryProblem, bounds, check_geometry, position_count, read_boundary

SQUARE = [[22.10, 37.03], [22.12, 37.03], [22.12, 37.05], [22.10, 37.05], [22.10, 37.03]]
HOLE = [[22.105, 37.035], [22.106, 37.035], [22.106, 37.036], [22.105, 37.035]]


def polygon(*rings) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


def problem(document) -> GeometryProblem:
    data = document if isinstance(document, (str, bytes)) else json.dumps(document)
    with pytest.raises(GeometryProblem) as raised:
        read_boundary(data)
    return raised.value


def test_a_polygon_a_feature_and_a_collection_of_one_become_a_multipolygon():
    expected = {"type": "MultiPolygon", "coordinates": [[SQUARE, HOLE]]}
    assert read_boundary(json.dumps(polygon(SQUARE, HOLE))) == expected
    feature = {"type": "Feature", "properties": {"name": "Κέντρο"}, "geometry": polygon(SQUARE, HOLE)}
    assert read_boundary(json.dumps(feature).encode("utf-8")) == expected
    assert read_boundary(json.dumps({"type": "FeatureCollection", "features": [feature]})) == expected
    three_d = [[lon, lat, 12.5] for lon, lat in SQUARE]
    multi = read_boundary(json.dumps({"type": "MultiPolygon", "coordinates": [[three_d], [SQUARE]]}))
    assert multi["coordinates"][0][0] == SQUARE and position_count(multi) == 10
    assert bounds([multi]) == (22.10, 37.03, 22.12, 37.05)


@pytest.mark.parametrize(("document", "kind", "details"), [
    ({"type": "Point", "coordinates": [22.1, 37.0]}, "not_polygon", {"type": "Point"}),
    ({"type": "LineString", "coordinates": SQUARE}, "not_polygon", {"type": "LineString"}),
    (polygon(SQUARE[:-1] + [[22.11, 37.03]]), "not_closed", {"polygon": 1, "ring": 1}),
    (polygon([[22.1, 37.0], [22.2, 37.1], [22.1, 37.0]]), "too_few_positions", {"count": 3}),
    (polygon(SQUARE, [[22.1, 37.0], [22.1, 37.0]]), "too_few_positions", {"ring": 2, "count": 2}),
    (polygon([[37.03, 122.10], [37.05, 122.10], [37.05, 122.12], [37.03, 122.10]]), "out_of_range",
     {"position": 1}),
    (polygon([[2_350_000.0, 4_520_000.0], [2_351_000.0, 4_520_000.0], [2_351_000.0, 4_521_000.0],
              [2_350_000.0, 4_520_000.0]]), "out_of_range", {}),
    (polygon([[20.0, 37.0], [23.5, 37.0], [23.5, 38.0], [20.0, 37.0]]), "too_large", {"width": 3.5}),
    (polygon([[22.1, 37.0], [22.2, 37.0], [22.3, 37.0], [22.1, 37.0]]), "no_area", {"ring": 1}),
    (polygon([[22.1, 37.0], ["22.2", 37.0], [22.2, 37.1], [22.1, 37.0]]), "position", {"position": 2}),
    (polygon([[22.1, 37.0], [True, 37.0], [22.2, 37.1], [22.1, 37.0]]), "position", {"position": 2}),
    ({"type": "Polygon", "coordinates": []}, "shape", {}),
    ({"type": "MultiPolygon", "coordinates": [[SQUARE], "x"]}, "shape", {"polygon": 2}),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": polygon(SQUARE)}] * 2},
     "feature_count", {"count": 2}),
    ({"type": "Feature", "geometry": None}, "not_geojson", {}),
    ([1, 2, 3], "not_geojson", {}),
    ("{\"type\": \"Polygon\",", "not_json", {}),
    ('{"type": "Polygon", "coordinates": [[[NaN, 37.0]]]}', "not_json", {}),
    (b"\xff\xfe{}", "not_json", {}),
    (b" " * (MAX_BYTES + 1), "too_big", {}),
])
def test_bad_geometry_is_refused_with_what_and_where(document, kind, details):
    found = problem(document)
    assert found.kind == kind
    assert details.items() <= found.details.items()


def test_too_many_positions_are_refused():
    ring = [[22.1 + i * 1e-6, 37.0 + (i % 2) * 1e-6] for i in range(50_001)] + [[22.1, 37.0]]
    with pytest.raises(GeometryProblem) as raised:
        check_geometry(polygon(ring))  # a file this long is refused for its size first
    assert raised.value.kind == "too_many_positions" and raised.value.details["count"] == 50_002


def test_every_problem_has_a_message(app):
    from pb.maps.labels import geometry_problem_text

    with app.test_request_context():
        text = geometry_problem_text(problem(polygon(SQUARE[:-1] + [[22.11, 37.03]])))
        assert text == "A ring is not closed: its last position must be the same as its first (polygon 1, ring 1)."
        assert "wrong way round" in geometry_problem_text(
            problem(polygon([[20.0, 37.0], [23.5, 37.0], [23.5, 38.0], [20.0, 37.0]])))
