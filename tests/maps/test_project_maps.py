"""Projects on the map: the list's map with the list's filters, and the proposal form's location picker."""

from __future__ import annotations

import json
import re

from pb.processes.models import Pool
from tests.proposals.test_proposal_submission import IN_PROPOSALS


def _map_settings(body: str, element_id: str) -> dict:
    found = re.search(rf"id=\"{element_id}\"[^>]*data-map='([^']*)'", body)
    assert found, element_id
    return json.loads(found.group(1).replace("&#39;", "'").replace("&amp;", "&"))


def test_the_lists_map_shows_the_filtered_projects_with_a_location(client, db, make_process, make_project):
    process = make_process()
    district_pool = Pool(process_id=process.id, name="North", amount=1000,
                         district_id=process.municipality.districts[0].id)
    db.session.add(district_pool)
    db.session.commit()
    make_project(process, title="Benches", latitude=37.04, longitude=22.11)
    fountain = make_project(process, title="Fountain", latitude=37.05, longitude=22.12)
    fountain.pool_id = district_pool.id
    make_project(process, title="Cycle lanes")  # no location
    make_project(process, title="Draft tree", status="draft", latitude=37.0, longitude=22.0)
    db.session.commit()
    page = client.get("/m/testville/2026/projects/map")
    body = page.get_data(as_text=True)
    settings = _map_settings(body, "projects-map")
    assert {m["title"] for m in settings["markers"]} == {"Benches", "Fountain"} and settings["cluster"] is True
    assert "1 more project matches but has no location" in body
    assert "leaflet.markercluster.js" in body and "https://tile.openstreetmap.org" in page.headers[
        "Content-Security-Policy"]
    filtered = client.get(f"/m/testville/2026/projects/map?pool={district_pool.id}")
    assert [m["title"] for m in _map_settings(filtered.get_data(as_text=True), "projects-map")["markers"]] == [
        "Fountain"]
    listed = client.get(f"/m/testville/2026/projects?pool={district_pool.id}&q=fountain").get_data(as_text=True)
    assert f"/m/testville/2026/projects/map?pool={district_pool.id}&amp;q=fountain" in listed


def test_the_proposal_form_offers_the_map_beside_the_coordinate_fields(client, make_process, make_user, login):
    make_process(vote_in_days=IN_PROPOSALS)
    login(make_user())
    page = client.get("/m/testville/2026/propose")
    body = page.get_data(as_text=True)
    settings = _map_settings(body, "location-map")
    assert settings["pick"] == {"lat": "latitude", "lon": "longitude", "label": "The project's place"}
    assert 'id="latitude"' in body and 'id="longitude"' in body and "data-map-hint hidden" in body
    assert "https://tile.openstreetmap.org" in page.headers["Content-Security-Policy"]
