"""District boundaries from the district's page and from a set-up file."""

from __future__ import annotations

import io
import json

import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.errors import Problems
from pb.processes.models import District
from pb.setup import files

SQUARE = [[22.10, 37.03], [22.12, 37.03], [22.12, 37.05], [22.10, 37.05], [22.10, 37.03]]


def _upload(client, district_id: int, content: bytes, name: str = "north.geojson"):
    return client.post(f"/staff/districts/{district_id}/boundary",
                       data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def test_an_administrator_uploads_a_boundary_and_a_bad_one_is_named(client, db, make_user, login, make_process):
    process = make_process()
    district = db.session.scalars(sa.select(District).where(District.municipality_id == process.municipality_id)).one()
    login(make_user(role="admin"))
    open_ring = json.dumps({"type": "Polygon", "coordinates": [SQUARE[:-1] + [[22.11, 37.03]]]}).encode()
    refused = _upload(client, district.id, open_ring)
    assert refused.status_code == 422
    assert "A ring is not closed" in refused.get_data(as_text=True)
    point = _upload(client, district.id, b'{"type": "Point", "coordinates": [22.1, 37.0]}')
    assert point.status_code == 422 and "The geometry is a Point" in point.get_data(as_text=True)
    db.session.refresh(district)
    assert district.boundary is None

    saved = _upload(client, district.id, json.dumps({"type": "Feature", "properties": {},
                                                     "geometry": {"type": "Polygon", "coordinates": [SQUARE]}}).encode())
    assert saved.status_code == 302
    db.session.refresh(district)
    assert district.boundary == {"type": "MultiPolygon", "coordinates": [[SQUARE]]}
    page = client.get(f"/staff/districts/{district.id}/edit")
    body = page.get_data(as_text=True)
    assert 'id="district-map"' in body and "5 positions" in body
    assert "https://tile.openstreetmap.org" in page.headers["Content-Security-Policy"]
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "district.boundary")).one()
    assert (event.before, event.after) == ({"boundary_positions": None}, {"boundary_positions": 5})

    assert client.post(f"/staff/districts/{district.id}/boundary/delete").status_code == 302
    db.session.refresh(district)
    assert district.boundary is None


def test_a_resident_cannot_upload_a_boundary(client, db, make_user, login, make_process):
    process = make_process()
    district = db.session.scalars(sa.select(District).where(District.municipality_id == process.municipality_id)).one()
    login(make_user(role="resident"))
    assert _upload(client, district.id, b"{}").status_code == 403


SETUP = """
[municipality]
slug = "kalamata"
name = "Kalamata"
country = "GR"
timezone = "Europe/Athens"

[[municipality.districts]]
code = "kentro"
name = "Kentro"
boundary = "{boundary}"

[process]
slug = "2027"
name = "PB 2027"
fiscal_year = 2027
currency = "EUR"

[[process.pools]]
name = "City"
amount = 1000
"""


def test_a_setup_file_names_each_districts_boundary_file(app, db, tmp_path):
    (tmp_path / "areas").mkdir()
    (tmp_path / "areas" / "kentro.geojson").write_text(json.dumps({"type": "Polygon", "coordinates": [SQUARE]}))
    (tmp_path / "areas" / "open.geojson").write_text(json.dumps({"type": "Polygon", "coordinates": [SQUARE[:-1]]}))
    with app.test_request_context():
        bad = files.read_edition_file(SETUP.replace("{boundary}", "areas/open.geojson"), tmp_path)
        try:
            files.check_edition_file(bad, None, ["el", "en"])
        except Problems as problems:
            found = dict(problems.problems)
        else:
            raise AssertionError("an open ring was accepted")
        assert "not closed" in found["municipality.districts[1].boundary"]
        outside = files.read_edition_file(SETUP.replace("{boundary}", "../etc/passwd"), tmp_path)
        assert "in its folder" in dict(outside.problems)["municipality.districts[1].boundary"]
        without_disk = files.read_edition_file(SETUP.replace("{boundary}", "areas/kentro.geojson"))
        assert "upload it on the district's page" in dict(without_disk.problems)["municipality.districts[1].boundary"]
        good = files.read_edition_file(SETUP.replace("{boundary}", "areas/kentro.geojson"), tmp_path)
        process, _done = files.create_from_file(None, good, ["el", "en"])
        db.session.commit()
        assert process.municipality.districts[0].boundary == {"type": "MultiPolygon", "coordinates": [[SQUARE]]}
