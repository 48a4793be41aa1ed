"""Maps in a real Chromium (issue 21): a resident picks a location on the map when proposing and sees the marker
on the project page; the list's map shows the filtered projects; with tiles set to ``none`` nothing leaves the
app; keyboard-only (and script-free) proposing sets a location without the map. axe checks every map page.

Tiles from OpenStreetMap are answered by the test itself (the machine is offline), which also shows that the
page's policy lets them through from exactly that host.
"""

from __future__ import annotations

import base64

import sqlalchemy as sa
from playwright.sync_api import expect

from pb.processes.models import Municipality
from tests.e2e.test_pages import assert_accessible, sign_in

# A 1x1 transparent PNG, the answer to every tile request.
TILE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def _answer_tiles(page) -> list[str]:
    """Serve OpenStreetMap's tiles from the test; the list fills with the tile addresses asked for."""
    asked: list[str] = []

    def fulfil(route):
        asked.append(route.request.url)
        route.fulfill(status=200, body=TILE, content_type="image/png")

    page.route("https://tile.openstreetmap.org/**", fulfil)
    return asked


def _policy_violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text else None)
    return found


def _fill_proposal(page, title: str) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill("A row of plane trees along the old market street.")
    page.get_by_label("Estimated cost").fill("9000")


def test_a_resident_picks_the_location_on_the_map_and_sees_the_marker(page):
    tiles = _answer_tiles(page)
    violations = _policy_violations(page)
    sign_in(page, "resident")
    page.goto("/m/kalamata/2027/propose")
    map_box = page.locator("#location-map")
    expect(map_box).to_be_visible()
    expect(page.locator("#location-map-hint")).to_be_visible()
    expect(page.locator("#location-map .leaflet-tile-loaded").first).to_be_attached()
    assert_accessible(page)
    _fill_proposal(page, "Plane trees on the market street")
    latitude, longitude = page.get_by_label("Latitude"), page.get_by_label("Longitude")
    assert latitude.input_value() == "" and longitude.input_value() == ""
    map_box.click()
    expect(latitude).not_to_have_value("")
    lat, lon = float(latitude.input_value()), float(longitude.input_value())
    # The map opens on the demo's (invented) districts of Kalamata.
    assert 37.01 < lat < 37.06 and 22.08 < lon < 22.14
    marker = page.locator("#location-map .leaflet-marker-icon")
    expect(marker).to_have_count(1)
    # Dragging the marker moves the location.
    box = marker.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] + 40, steps=8)
    page.mouse.up()
    expect(longitude).not_to_have_value(f"{lon:.6f}")
    lat, lon = float(latitude.input_value()), float(longitude.input_value())
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("h1")).to_have_text("Plane trees on the market street")
    expect(page.get_by_text(f"{lat:.5f}, {lon:.5f}")).to_be_visible()
    expect(page.locator("#project-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#project-map .leaflet-tile-loaded").first).to_be_attached()
    assert_accessible(page)
    assert tiles and all(url.startswith("https://tile.openstreetmap.org/") for url in tiles)
    assert not violations, violations


def _markers_shown(page) -> int:
    """Markers on the list's map, counting those gathered in clusters."""
    expect(page.locator("#projects-map .leaflet-marker-icon").first).to_be_attached()
    single = page.locator("#projects-map .leaflet-marker-icon:not(.marker-cluster)").count()
    clustered = sum(int(text) for text in page.locator("#projects-map .marker-cluster span").all_inner_texts())
    return single + clustered


def test_the_lists_map_shows_the_filtered_projects(page, live_server):
    _answer_tiles(page)
    page.goto("/m/nea-akti/2027/projects")
    page.get_by_role("link", name="Show these projects on a map").click()
    expect(page.locator("h1")).to_contain_text("on the map")
    # Five of the demo's six Nea Akti projects have a location; the shared bicycles have none.
    expect(page.get_by_role("heading", name="5 projects with a location")).to_be_visible()
    assert _markers_shown(page) == 5
    assert_accessible(page)
    page.get_by_label("District").select_option(label="Βορράς (North) (Βορράς (North))")
    page.get_by_role("button", name="Show projects").click()
    expect(page.get_by_role("heading", name="2 projects with a location")).to_be_visible()
    assert _markers_shown(page) == 2
    titles = {page.locator("#projects-map .leaflet-marker-icon").nth(i).get_attribute("title") for i in range(2)}
    assert titles == {"Γήπεδο μπάσκετ Βορρά / A basketball court in the North",
                      "Βιβλιοθήκη στο ΚΑΠΗ / A library in the seniors' centre"}
    # The same filters lead back to the list.
    page.get_by_role("link", name="Show these projects as a list").click()
    expect(page.get_by_role("heading", name="2 projects")).to_be_visible()


def test_with_tiles_none_every_map_works_and_no_request_leaves_the_app(page, live_server):
    app = live_server.app
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        for slug in ("kalamata", "nea-akti"):
            db.session.execute(sa.update(Municipality).where(Municipality.slug == slug).values(map_tiles="none"))
        db.session.commit()
        db.session.remove()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    violations = _policy_violations(page)
    page.goto("/m/nea-akti/2027/projects/map")
    assert _markers_shown(page) == 5
    expect(page.locator("#projects-map.map--plain path.leaflet-interactive")).to_have_count(2)  # the districts
    assert page.locator("#projects-map .leaflet-tile").count() == 0
    assert_accessible(page)
    page.locator("#projects-map .leaflet-marker-icon:not(.marker-cluster)").first.click()
    page.locator("#projects-map .leaflet-popup-content a").click()
    expect(page.locator("#project-map .leaflet-marker-icon")).to_have_count(1)
    assert_accessible(page)
    sign_in(page, "resident")
    page.goto("/m/kalamata/2027/propose")
    _fill_proposal(page, "A fountain without tiles")
    page.locator("#location-map").click()
    expect(page.get_by_label("Latitude")).not_to_have_value("")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#project-map .leaflet-marker-icon")).to_have_count(1)
    outside = [url for url in requests if not url.startswith(live_server.url) and not url.startswith("data:")]
    assert requests and not outside, outside
    assert not violations, violations


def _tab_to(page, element_id: str, most: int = 120) -> None:
    """Press Tab until the field has the focus, as a keyboard user moves through the form."""
    for _ in range(most):
        focused = page.evaluate("document.activeElement && document.activeElement.id")
        if focused == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def test_keyboard_only_and_without_script_proposing_sets_the_location(page, chromium, live_server):
    sign_in(page, "resident")
    page.goto("/m/kalamata/2027/propose")
    page.locator("body").focus()
    for field_id, text in (("title", "Drinking fountains at the harbour"),
                           ("summary", "Three fountains on the harbour front."), ("cost", "7000"),
                           ("latitude", "37.0195"), ("longitude", "22.1065")):
        _tab_to(page, field_id)
        page.keyboard.type(text)
    _tab_to(page, "publish")
    # Typed coordinates put the marker on the map too, once the field is left.
    expect(page.locator("#location-map .leaflet-marker-icon")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Drinking fountains at the harbour")
    expect(page.get_by_text("37.01950, 22.10650")).to_be_visible()

    context = chromium.new_context(base_url=live_server.url, locale="en-GB", java_script_enabled=False)
    plain = context.new_page()
    sign_in(plain, "resident")
    plain.goto("/m/kalamata/2027/propose")
    assert not plain.locator("#location-map").is_visible()
    _fill_proposal(plain, "Bicycle racks at the station")
    plain.get_by_label("Latitude").fill("37.0440")
    plain.get_by_label("Longitude").fill("22.1140")
    plain.get_by_role("button", name="Publish").click()
    expect(plain.locator("h1")).to_have_text("Bicycle racks at the station")
    expect(plain.get_by_text("37.04400, 22.11400")).to_be_visible()
    context.close()


def test_a_districts_boundary_shows_on_its_page(page, live_server):
    from pb.processes.models import District

    app = live_server.app
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        district_id = db.session.execute(sa.select(District.id).join(Municipality).where(
            Municipality.slug == "kalamata", District.code == "kentro")).scalar_one()
        db.session.remove()
    tiles = _answer_tiles(page)
    sign_in(page, "admin")
    page.goto(f"/staff/districts/{district_id}/edit")
    expect(page.locator("#district-map path.leaflet-interactive")).to_have_count(1)
    expect(page.get_by_label("GeoJSON file")).to_be_visible()
    assert_accessible(page)
    assert tiles
