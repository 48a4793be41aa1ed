"""The municipality's tile setting: checked so that the policy names exactly one tile host, and served pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from pb.maps.tiles import NO_TILES, OSM_TILES, TileProblem, check_tile_setting, tiles_of
from pb.processes.models import Municipality

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_empty_means_openstreetmap_and_none_means_no_tiles():
    assert check_tile_setting("") is None and check_tile_setting(None) is None
    assert check_tile_setting(" None ") == NO_TILES
    default = tiles_of(None, None)
    assert default.template == OSM_TILES and default.origin == "https://tile.openstreetmap.org"
    assert "OpenStreetMap" in default.attribution
    assert tiles_of(NO_TILES, None) is None
    own = tiles_of("https://maps.kalamata.gr:8443/t/{z}/{x}/{y}.png", "Δήμος")
    assert own.origin == "https://maps.kalamata.gr:8443" and own.attribution == "Δήμος"


@pytest.mark.parametrize(("setting", "kind"), [
    ("http://tiles.example.org/{z}/{x}/{y}.png", "not_https"),
    ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "host"),
    ("https://tiles.example.org/{s}/{z}/{x}/{y}.png", "subdomains"),
    ("https://tiles.example.org/{z}/{x}.png", "placeholders"),
    ("https://tiles.example.org/{z}/{x}/{y}/{q}.png", "placeholders"),
    ("https://tiles.example.org/{z}/{x}/{y}.png; script-src *", "characters"),
    ("https://tiles.example.org/{z}/{x}/{y}.png'", "characters"),
    ("https://user@tiles.example.org/{z}/{x}/{y}.png", "host"),
    ("https:///{z}/{x}/{y}.png", "host"),
])
def test_settings_that_would_widen_or_break_the_policy_are_refused(setting, kind):
    with pytest.raises(TileProblem) as refused:
        check_tile_setting(setting)
    assert refused.value.kind == kind


def test_leaflet_and_its_licences_are_served_by_pb(client):
    for name in ("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css", "vendor/leaflet/images/marker-icon.png",
                 "vendor/leaflet.markercluster/leaflet.markercluster.js", "map.js"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        response.close()
    assert "BSD 2-Clause" in (STATIC / "vendor/leaflet/LICENSE").read_text()
    assert "MIT" in (STATIC / "vendor/leaflet.markercluster/MIT-LICENCE.txt").read_text()


def _policy(response) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in response.headers["Content-Security-Policy"].split(";")
            if part.strip()}


def test_a_project_page_with_a_location_allows_exactly_the_tile_host(client, db, make_process, make_project):
    process = make_process()
    placed = make_project(process, latitude=37.04, longitude=22.11, title="Benches")
    unplaced = make_project(process)
    page = client.get(f"/projects/{placed.id}")
    assert _policy(page)["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    body = page.get_data(as_text=True)
    assert 'id="project-map"' in body and "vendor/leaflet/leaflet.js" in body and "37.04" in body
    plain = client.get(f"/projects/{unplaced.id}")
    assert _policy(plain)["img-src"] == ["'self'", "data:"] and "leaflet.js" not in plain.get_data(as_text=True)

    municipality = db.session.get(Municipality, process.municipality_id)
    municipality.map_tiles = "https://maps.example.gr/{z}/{x}/{y}.png"
    municipality.map_attribution = "Example"
    db.session.commit()
    assert _policy(client.get(f"/projects/{placed.id}"))["img-src"] == ["'self'", "data:", "https://maps.example.gr"]
    municipality.map_tiles = NO_TILES
    db.session.commit()
    offline = client.get(f"/projects/{placed.id}")
    assert _policy(offline)["img-src"] == ["'self'", "data:"]
    assert '"tiles": null' in offline.get_data(as_text=True)


def test_an_administrator_sets_the_tiles_and_a_bad_address_is_named(client, db, make_user, login, make_process):
    process = make_process()
    login(make_user(role="admin"))
    municipality = db.session.get(Municipality, process.municipality_id)
    form = {"name": "Testville", "slug": "testville", "country": "GR", "timezone": "Europe/Athens",
            "languages": ["en", "el"], "categories": "culture", "beneficiary_groups": ""}
    refused = client.post(f"/staff/municipalities/{municipality.id}/edit",
                          data={**form, "map_tiles": "https://{s}.tiles.example.org/{z}/{x}/{y}.png"})
    assert refused.status_code == 422 and "one server" in refused.get_data(as_text=True)
    unattributed = client.post(f"/staff/municipalities/{municipality.id}/edit",
                               data={**form, "map_tiles": "https://tiles.example.org/{z}/{x}/{y}.png"})
    assert unattributed.status_code == 422 and "Say whose tiles" in unattributed.get_data(as_text=True)
    saved = client.post(f"/staff/municipalities/{municipality.id}/edit",
                        data={**form, "map_tiles": "none", "map_attribution": ""})
    assert saved.status_code == 302
    db.session.refresh(municipality)
    assert municipality.map_tiles == NO_TILES
