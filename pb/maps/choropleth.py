"""A choropleth of the districts drawn from their boundaries, for the PDF reports: no tiles, no network.

Pure: reportlab graphics only (no Flask). Each district is shaded by its value (money per head), in five
classes of equal width from the smallest value to the largest; a district without a value is grey, named
in the legend as missing. Positions are projected equirectangularly, longitudes
shortened by the cosine of the middle latitude, which is exact enough at the size of a municipality.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.graphics.shapes import Drawing, Polygon, Rect, String
from reportlab.lib import colors

from pb.maps.geometry import bounds, outer_rings

# Five steps of one blue, light to dark (ColorBrewer "Blues"), and grey for a district without a value.
SHADES = tuple(colors.HexColor(code) for code in ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"))
MISSING = colors.HexColor("#d9d9d9")
OUTLINE = colors.HexColor("#333333")


@dataclass(frozen=True)
class Area:
    """One district on the map: its name, its stored boundary (pb.maps.geometry) and its value, if known."""

    name: str
    boundary: dict[str, Any]
    value: float | None


def classes(values: Sequence[float], count: int = len(SHADES)) -> list[tuple[float, float]]:
    """Equal-width classes from the smallest value to the largest (one class when they are all equal)."""
    low, high = min(values), max(values)
    if high == low:
        return [(low, high)]
    step = (high - low) / count
    return [(low + i * step, high if i == count - 1 else low + (i + 1) * step) for i in range(count)]


def shade_of(value: float | None, bins: list[tuple[float, float]]) -> colors.Color:
    """The colour of a value in these classes; grey without a value."""
    if value is None or not bins:
        return MISSING
    if len(bins) == 1:
        return SHADES[len(SHADES) // 2]
    for number, (_low, high) in enumerate(bins):
        if value <= high:
            return SHADES[number]
    return SHADES[-1]


def _label_point(boundary: dict[str, Any]) -> tuple[float, float]:
    """Where to write a district's name: the middle of the box of its largest outer ring."""
    def size(ring):
        lons, lats = [p[0] for p in ring], [p[1] for p in ring]
        return (max(lons) - min(lons)) * (max(lats) - min(lats))

    ring = max(outer_rings(boundary), key=size)
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


def choropleth(areas: Sequence[Area], *, width: float, height: float, font: str,
               value_label: Callable[[float], str], missing_label: str, title: str = "") -> Drawing:
    """The districts shaded by value with their names, a title and a legend of the classes below the map."""
    values = [a.value for a in areas if a.value is not None]
    bins = classes(values) if values else []
    legend_rows = len(bins) + (1 if len(values) < len(areas) else 0)
    legend_height = 11 * legend_rows + 4
    top = 14 if title else 0
    drawing = Drawing(width, height, initialFontName=font)
    if title:
        drawing.add(String(0, height - 10, title, fontName=font, fontSize=8.5))
    map_height = height - top - legend_height - 4
    west, south, east, north = bounds([a.boundary for a in areas])
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x, span_y = max((east - west) * squeeze, 1e-9), max(north - south, 1e-9)
    scale = min(width / span_x, map_height / span_y)
    offset_x = (width - span_x * scale) / 2
    base_y = legend_height + 4 + (map_height - span_y * scale) / 2

    def point(lon: float, lat: float) -> tuple[float, float]:
        return offset_x + (lon - west) * squeeze * scale, base_y + (lat - south) * scale

    for area in areas:
        fill = shade_of(area.value, bins)
        for number, polygon in enumerate(area.boundary["coordinates"]):
            for ring_number, ring in enumerate(polygon):
                xy = [c for lon, lat in ring for c in point(lon, lat)]
                # Holes are painted white over their polygon.
                drawing.add(Polygon(xy, fillColor=fill if ring_number == 0 else colors.white,
                                    strokeColor=OUTLINE, strokeWidth=0.6))
    for area in areas:
        x, y = point(*_label_point(area.boundary))
        dark = area.value is not None and shade_of(area.value, bins) in SHADES[3:]
        drawing.add(String(x, y - 3, area.name, fontName=font, fontSize=7, textAnchor="middle",
                           fillColor=colors.white if dark else colors.black))
    y = legend_height - 11
    for number, (low, high) in enumerate(bins):
        drawing.add(Rect(0, y, 14, 8, fillColor=SHADES[number] if len(bins) > 1 else SHADES[len(SHADES) // 2],
                         strokeColor=OUTLINE, strokeWidth=0.4))
        label = value_label(low) if low == high else f"{value_label(low)} – {value_label(high)}"
        drawing.add(String(20, y + 1, label, fontName=font, fontSize=7))
        y -= 11
    if len(values) < len(areas):
        drawing.add(Rect(0, y, 14, 8, fillColor=MISSING, strokeColor=OUTLINE, strokeWidth=0.4))
        drawing.add(String(20, y + 1, missing_label, fontName=font, fontSize=7))
    return drawing

