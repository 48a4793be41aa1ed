"""The open data API: public fields only, never personal data, JSON 404s."""

from __future__ import annotations

import json

from pb.core.db import utcnow
from pb.deliberation.models import Support
from pb.proposals.models import Feasibility, Review


def test_processes(client, make_process):
    process = make_process()
    data = client.get("/api/v1/processes").get_json()
    [item] = data["processes"]
    assert item["id"] == process.id and item["currency"] == "EUR" and item["total_amount"] == 10_000_000
    assert item["current_phase"] == "deliberation" and len(item["phases"]) == 8
    assert item["pools"][0]["district"] is None


def test_projects_have_public_fields_only(client, db, make_process, make_project, make_user):
    process = make_process()
    author = make_user(email="author.secret@example.org", display_name="Ada Secret")
    project = make_project(process, author=author, title="Library", latitude=1.5, longitude=2.5)
    make_project(process, status="draft", title="Draft")
    make_project(process, title="Hidden", hidden_at=utcnow(), hidden_reason="spam")
    db.session.add(Support(project_id=project.id, user_id=make_user().id))
    db.session.add(Review(project_id=project.id, reviewer_id=make_user(role="clerk").id,
                          feasibility=Feasibility.UNFEASIBLE, legally_compliant=True,
                          public_reason="Not municipal land.", internal_note="Mayor dislikes it"))
    db.session.commit()
    response = client.get(f"/api/v1/processes/{process.id}/projects")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    [item] = data["projects"]
    assert set(item) == {"id", "code", "title", "summary", "cost", "currency", "district", "categories",
                         "beneficiaries", "status", "latitude", "longitude", "supports", "review", "delivery"}
    assert item["delivery"] is None
    assert item["cost"] == 500_000 and item["currency"] == "EUR" and item["supports"] == 1
    assert item["categories"] == ["culture"] and (item["latitude"], item["longitude"]) == (1.5, 2.5)
    assert item["review"] == {"feasibility": "unfeasible", "public_reason": "Not municipal land."}
    text = json.dumps(data)
    for secret in ("author.secret", "Ada Secret", "author_id", "Mayor dislikes", "example.org"):
        assert secret not in text


def test_unknown_process_is_a_json_404(client):
    response = client.get("/api/v1/processes/999/projects")
    assert response.status_code == 404 and response.get_json()["error"]
