"""What the map problems say to people, in their language."""

from __future__ import annotations

from flask_babel import gettext as _

from pb.maps.geometry import GeometryProblem
from pb.maps.tiles import TileProblem


def _where(details: dict) -> str:
    parts = []
    if "polygon" in details:
        parts.append(_("polygon %(number)d", number=details["polygon"]))
    if "ring" in details:
        parts.append(_("ring %(number)d", number=details["ring"]))
    if "position" in details:
        parts.append(_("position %(number)d", number=details["position"]))
    return ", ".join(parts)


def geometry_problem_text(problem: GeometryProblem) -> str:
    """A boundary problem as a sentence that says what to fix and where."""
    d = problem.details
    where = _where(d)
    texts = {
        "too_big": lambda: _("The file is larger than %(most)d kB: simplify the boundary.", most=d["most"]),
        "not_json": lambda: _("The file is not JSON (%(error)s).", error=d.get("error", "")),
        "not_geojson": lambda: _("The file is not GeoJSON: it needs a Polygon or MultiPolygon geometry, or a "
                                 "Feature with one."),
        "feature_count": lambda: _("The file has %(count)d features: give exactly one, the district's boundary.",
                                   count=d["count"]),
        "not_polygon": lambda: _("The geometry is a %(type)s: a district's boundary is a Polygon or a "
                                 "MultiPolygon.", type=d["type"]),
        "shape": lambda: _("The coordinates are not nested as GeoJSON wants them (%(where)s).", where=where),
        "position": lambda: _("A position is not a pair of numbers [longitude, latitude] (%(where)s).",
                              where=where),
        "out_of_range": lambda: _("The position %(lon)s, %(lat)s is not a longitude and latitude in WGS 84 degrees "
                                  "(%(where)s): is the file in another coordinate system?",
                                  lon=d["lon"], lat=d["lat"], where=where),
        "too_few_positions": lambda: _("A ring has %(count)d positions; it needs at least 4, the last the same as "
                                       "the first (%(where)s).", count=d["count"], where=where),
        "not_closed": lambda: _("A ring is not closed: its last position must be the same as its first "
                                "(%(where)s).", where=where),
        "no_area": lambda: _("A ring encloses no area: its positions lie on one line (%(where)s).", where=where),
        "too_many_positions": lambda: _("The boundary has %(count)d positions; at most %(most)d are accepted: "
                                        "simplify it.", count=d["count"], most=d["most"]),
        "too_large": lambda: _("The boundary spans %(width)s° by %(height)s°; a district fits in %(most)s° on each "
                               "side. Are latitude and longitude the wrong way round?",
                               width=d["width"], height=d["height"], most=d["most"]),
    }
    return texts[problem.kind]()


def tile_problem_text(problem: TileProblem) -> str:
    """A tile setting problem as a sentence."""
    return {
        "too_long": _("The tile address is too long."),
        "characters": _("The tile address has characters an address cannot have (spaces, quotes or ;)."),
        "not_https": _("The tile address must start with https://."),
        "host": _("The tile address must name one server, like tile.openstreetmap.org."),
        "subdomains": _("Name one tile server instead of {s}: the pages allow images from exactly that server."),
        "placeholders": _("The tile address needs {z}, {x} and {y} (and may have {r}), e.g. "
                          "https://tile.openstreetmap.org/{z}/{x}/{y}.png."),
    }[problem.kind]
