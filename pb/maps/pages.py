"""What the pages with a map need: the municipality's tiles for the template, and their origin in the policy."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response

from pb.maps.geometry import bounds
from pb.maps.tiles import Tiles, tiles_of
from pb.processes.models import District, Municipality
from pb.web import content_security_policy


def tiles_for(municipality: Municipality) -> Tiles | None:
    """The tiles of the municipality's maps; None for maps on a plain background."""
    return tiles_of(municipality.map_tiles, municipality.map_attribution)


def map_settings(municipality: Municipality, *, districts: list[District] | None = None) -> dict[str, Any]:
    """The map's settings as the template hands them to static/map.js: tiles and district areas."""
    tiles = tiles_for(municipality)
    areas = [d for d in (municipality.districts if districts is None else districts) if d.boundary]
    outline = bounds([d.boundary for d in areas])
    return {
        "tiles": None if tiles is None else {"template": tiles.template, "attribution": tiles.attribution,
                                             "link": tiles.copyright_url},
        "districts": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": d.name}, "geometry": d.boundary} for d in areas]},
        # West, south, east, north: where the map starts when it has no marker.
        "bounds": list(outline) if outline else None,
    }


def marker(project: Any, url: str) -> dict[str, Any] | None:
    """A project as a marker (title, link, position); None when it has no location."""
    if project.latitude is None or project.longitude is None:
        return None
    return {"lat": project.latitude, "lon": project.longitude, "title": project.title, "url": url}


def with_tiles_allowed(page: Any, municipality: Municipality | None) -> Response:
    """The rendered page, whose policy lets images come from the municipality's tile server too (None: the page
    shows no map, and keeps the site's policy)."""
    response = make_response(page)
    if municipality is None:
        return response
    tiles = tiles_for(municipality)
    response.headers["Content-Security-Policy"] = content_security_policy(
        () if tiles is None else (tiles.origin,))
    return response
