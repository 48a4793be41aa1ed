"""The map tiles a municipality chose: OpenStreetMap's standard tiles by default, another tile server, or none.

Pure: no Flask. The setting is one text: empty for the default, ``none`` for maps of markers and district
areas on a plain background (offline use, tests), or a URL template with ``{z}``, ``{x}`` and ``{y}``. The
Content-Security-Policy of a page with a map allows images from exactly the origin of that template, so the
template may name one host only (no ``{s}`` subdomains) and nothing that could break out of the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
OSM_COPYRIGHT = "https://www.openstreetmap.org/copyright"
NO_TILES = "none"
MAX_TEMPLATE = 500
MAX_ATTRIBUTION = 300

_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?")
# What a URL template may contain: letters, digits and the URL punctuation that has no meaning in a CSP header.
_SAFE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,=%{}]+")


class TileProblem(ValueError):
    """The tile setting cannot be used; ``kind`` names what is wrong (pb.maps.labels words it)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class Tiles:
    """Where a map's tiles come from: the URL template, its attribution and the origin the CSP allows."""

    template: str
    attribution: str
    origin: str
    copyright_url: str | None = None


def origin_of(template: str) -> str:
    """The scheme and host of a URL template, as a CSP source (``https://tile.openstreetmap.org``)."""
    parts = urlsplit(template)
    return f"{parts.scheme}://{parts.netloc}"


def check_tile_setting(setting: str | None) -> str | None:
    """The setting as stored: None for the default, ``none``, or a checked URL template; raises TileProblem."""
    value = (setting or "").strip()
    if not value:
        return None
    if value.lower() == NO_TILES:
        return NO_TILES
    if len(value) > MAX_TEMPLATE:
        raise TileProblem("too_long")
    if not _SAFE.fullmatch(value):
        raise TileProblem("characters")
    parts = urlsplit(value)
    if parts.scheme != "https":
        raise TileProblem("not_https")
    if "@" in parts.netloc or not _HOST.fullmatch(parts.netloc.lower()):
        raise TileProblem("host")
    if "{s}" in value:
        raise TileProblem("subdomains")
    if not all(part in value for part in ("{z}", "{x}", "{y}")):
        raise TileProblem("placeholders")
    leftover = re.sub(r"\{(z|x|y|r)\}", "", value)
    if "{" in leftover or "}" in leftover:
        raise TileProblem("placeholders")
    return value


def tiles_of(setting: str | None, attribution: str | None) -> Tiles | None:
    """The tiles of a stored setting; None when the municipality chose no tiles."""
    if setting == NO_TILES:
        return None
    if not setting:
        return Tiles(OSM_TILES, OSM_ATTRIBUTION, origin_of(OSM_TILES), OSM_COPYRIGHT)
    return Tiles(setting, (attribution or "").strip(), origin_of(setting))
