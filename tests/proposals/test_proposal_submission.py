"""Submitting and editing projects: the phase, the authors, the rules on input, versions and images."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from pb.core import mail
from pb.proposals.models import (Project, ProjectCoauthor, ProjectImage, ProjectStatus, ProjectVersion)
from tests.proposals.helpers import image_bytes, proposal

IN_PROPOSALS = 80  # vote_in_days that puts "now" in the proposals phase


def _count(db, model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


@pytest.fixture
def resident(make_user, login):
    user = make_user(role="resident")
    login(user)
    return user


def test_resident_submits_a_project_with_an_image(client, db, make_process, make_user, resident, login):
    process = make_process(vote_in_days=IN_PROPOSALS)
    coauthor = make_user(role="resident", email="neighbour@example.org")
    data = proposal(process, latitude="37.98", longitude="23.72", coauthors="Neighbour@example.org",
                    beneficiaries=["seniors", "children"])
    data["images"] = (io.BytesIO(image_bytes(exif=True)), "bench.jpg")
    response = client.post("/m/testville/2026/propose", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    project = db.session.execute(sa.select(Project)).scalar_one()
    assert response.headers["Location"].endswith(f"/projects/{project.id}")
    assert project.status is ProjectStatus.PUBLISHED and project.published_at is not None
    assert project.cost == 1_250_050 and project.estimated_cost == 1_250_050
    assert project.code == "1" and project.author_id == resident.id
    assert project.category_names == ["public space"]
    assert project.beneficiary_names == ["children", "seniors"]
    assert (project.latitude, project.longitude) == (37.98, 23.72)
    # Invited, not added: the neighbour becomes a co-author by accepting the mailed invitation.
    assert db.session.get(ProjectCoauthor, (project.id, coauthor.id)) is None
    [invitation] = [m for m in mail.outbox if m.to == "neighbour@example.org"]
    link = re.search(r"http://pb\.test(/\S+)", invitation.body).group(1)
    client.post("/logout")
    login(coauthor)
    assert "Become a co-author" in client.get(link).get_data(as_text=True)
    assert client.post(link).status_code == 302
    assert db.session.get(ProjectCoauthor, (project.id, coauthor.id)) is not None
    image = db.session.execute(sa.select(ProjectImage)).scalar_one()
    assert image.content_type == "image/jpeg" and image.byte_size == len(image.data)
    with Image.open(io.BytesIO(image.data)) as stored:
        assert "SecretCam" not in str(dict(stored.getexif()))
    assert b"SecretCam" not in image.data
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Benches in the park" in page and f"/projects/{project.id}/images/{image.id}" in page
    assert "https://www.openstreetmap.org/?mlat=37.98&amp;mlon=23.72" in page
    assert page.count("<h1") == 1


def test_draft_is_invisible_to_others(client, db, make_process, make_user, resident, login):
    process = make_process(vote_in_days=IN_PROPOSALS)
    response = client.post("/m/testville/2026/propose", data=proposal(process, publish="", save_draft="Save"))
    assert response.status_code == 302
    project = db.session.execute(sa.select(Project)).scalar_one()
    assert project.status is ProjectStatus.DRAFT and project.published_at is None
    assert client.get(f"/projects/{project.id}").status_code == 200
    assert "Benches in the park" in client.get("/my/proposals").get_data(as_text=True)
    assert "Benches in the park" not in client.get("/m/testville/2026/projects").get_data(as_text=True)
    client.post("/logout")
    assert client.get(f"/projects/{project.id}").status_code == 404
    login(make_user(role="resident"))
    assert client.get(f"/projects/{project.id}").status_code == 404
    assert client.get(f"/projects/{project.id}/edit").status_code == 404


def test_submission_is_refused_outside_the_phase_with_the_reason(client, db, make_process, resident):
    make_process(vote_in_days=10)  # deliberation: proposals have ended
    page = client.get("/m/testville/2026/propose").get_data(as_text=True)
    assert "no longer possible" in page
    response = client.post("/m/testville/2026/propose", data={"title": "Late", "cost": "10"})
    assert response.status_code == 200 and "no longer possible" in response.get_data(as_text=True)
    assert _count(db, Project) == 0


def test_submission_before_the_phase_says_when_it_opens(client, db, make_process, resident):
    make_process(vote_in_days=200)  # information phase not even begun
    page = client.get("/m/testville/2026/propose").get_data(as_text=True)
    assert "opens on" in page


def test_staff_cannot_propose(client, make_process, make_user, login):
    make_process(vote_in_days=IN_PROPOSALS)
    login(make_user(role="clerk"))
    assert client.get("/m/testville/2026/propose").status_code == 403


BAD_INPUT = [
    ({"title": "x" * 10_000}, "title", "too long"),
    ({"cost": "-5"}, "cost", "more than zero"),
    ({"cost": "0"}, "cost", "more than zero"),
    ({"cost": "12.345"}, "cost", "at most 2 decimals"),
    ({"cost": "1e9"}, "cost", "as a number"),
    ({"cost": "99999999999"}, "cost", "whole budget"),
    ({"latitude": "91", "longitude": "10"}, "latitude", "between -90 and 90"),
    ({"latitude": "45"}, "latitude", "both"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_and_nothing_is_stored(client, db, make_process, resident, overrides, field, message):
    process = make_process(vote_in_days=IN_PROPOSALS)
    data = proposal(process, **overrides)
    data["images"] = (io.BytesIO(image_bytes()), "ok.png")
    response = client.post("/m/testville/2026/propose", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _count(db, Project) == 0 and _count(db, ProjectImage) == 0


def test_cost_above_the_process_maximum(client, db, make_process, resident):
    process = make_process(vote_in_days=IN_PROPOSALS, max_project_cost=1_000_000)
    response = client.post("/m/testville/2026/propose", data=proposal(process, cost="10000.01"))
    assert "most a project may cost" in response.get_data(as_text=True)
    assert _count(db, Project) == 0


def test_currency_without_decimals(client, db, make_process, resident):
    process = make_process(vote_in_days=IN_PROPOSALS, currency="JPY")
    response = client.post("/m/testville/2026/propose", data=proposal(process, cost="100.5"))
    assert "whole JPY" in response.get_data(as_text=True)
    client.post("/m/testville/2026/propose", data=proposal(process, cost="1005"))
    assert db.session.execute(sa.select(Project.cost)).scalar_one() == 1005


@pytest.mark.parametrize(("payload", "name", "message"), [
    (b"this is plain text, not a picture", "evil.png", "not a JPEG, PNG or WebP image"),
    (image_bytes("GIF"), "anim.png", "not a JPEG, PNG or WebP image"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024), "huge.png", "larger than 5 MB"),
])
def test_bad_images_are_refused_and_nothing_is_stored(client, db, make_process, resident, payload, name, message):
    process = make_process(vote_in_days=IN_PROPOSALS)
    data = proposal(process)
    data["images"] = [FileStorage(io.BytesIO(image_bytes()), "good.png"), FileStorage(io.BytesIO(payload), name)]
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(MultiDict([(k, v) for k, vs in data.items()
                                                 for v in (vs if isinstance(vs, list) else [vs])]))
    response = client.post("/m/testville/2026/propose", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 200
    assert message in response.get_data(as_text=True) and name in response.get_data(as_text=True)
    assert _count(db, Project) == 0 and _count(db, ProjectImage) == 0


def test_at_most_five_images(client, db, make_process, resident):
    process = make_process(vote_in_days=IN_PROPOSALS)
    data = proposal(process)
    data["images"] = [(io.BytesIO(image_bytes()), f"{n}.png") for n in range(6)]
    response = client.post("/m/testville/2026/propose", data=data, content_type="multipart/form-data")
    assert "at most 5 images" in response.get_data(as_text=True)
    assert _count(db, Project) == 0


def test_proposals_per_resident_are_limited(client, db, make_process, resident):
    process = make_process(vote_in_days=IN_PROPOSALS, max_proposals_per_resident=1)
    assert client.post("/m/testville/2026/propose", data=proposal(process)).status_code == 302
    response = client.post("/m/testville/2026/propose", data=proposal(process, title="Another"))
    assert response.status_code == 200 and "the most this process allows" in response.get_data(as_text=True)
    assert _count(db, Project) == 1


def test_codes_follow_each_other(client, db, make_process, resident):
    process = make_process(vote_in_days=IN_PROPOSALS)
    for title in ("One", "Two"):
        client.post("/m/testville/2026/propose", data=proposal(process, title=title))
    assert sorted(db.session.execute(sa.select(Project.code)).scalars()) == ["1", "2"]


def test_edit_after_publication_keeps_a_version(client, db, make_process, make_project, resident):
    process = make_process(vote_in_days=IN_PROPOSALS)
    project = make_project(process, author=resident, title="Old title", cost=100_000)
    page = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert 'value="Old title"' in page and 'value="1000.00"' in page
    response = client.post(f"/projects/{project.id}/edit", data=proposal(process, title="New title", cost="2000"))
    assert response.status_code == 302
    db.session.expire_all()
    project = db.session.get(Project, project.id)
    assert project.title == "New title" and project.cost == 200_000 and project.version == 2
    version = db.session.execute(sa.select(ProjectVersion)).scalar_one()
    assert (version.version, version.title, version.cost, version.categories) == (1, "Old title", 100_000,
                                                                                   ["culture"])
    assert version.edited_by_id == resident.id
    # The same content again makes no new version.
    client.post(f"/projects/{project.id}/edit", data=proposal(process, title="New title", cost="2000"))
    assert _count(db, ProjectVersion) == 1
    history = client.get(f"/projects/{project.id}/versions").get_data(as_text=True)
    assert "Old title" in history and "Version 1" in history


def test_coauthor_edits_but_others_cannot(client, db, make_process, make_project, make_user, login):
    process = make_process(vote_in_days=IN_PROPOSALS)
    author, coauthor, other = make_user(), make_user(), make_user()
    project = make_project(process, author=author)
    db.session.add(ProjectCoauthor(project_id=project.id, user_id=coauthor.id))
    db.session.commit()
    login(other)
    assert client.get(f"/projects/{project.id}/edit").status_code == 403
    assert client.post(f"/projects/{project.id}/edit", data=proposal(process, title="Hijack")).status_code == 403
    client.post("/logout")
    login(make_user(role="clerk"))
    assert client.post(f"/projects/{project.id}/edit", data=proposal(process, title="Hijack")).status_code == 403
    client.post("/logout")
    login(coauthor)
    assert client.post(f"/projects/{project.id}/edit", data=proposal(process, title="Better")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).title == "Better"
    assert db.session.get(ProjectCoauthor, (project.id, coauthor.id)) is not None


def test_editing_ends_when_review_starts(client, db, make_process, make_project, resident):
    process = make_process(vote_in_days=50)  # review phase
    project = make_project(process, author=resident, title="Fixed")
    page = client.get(f"/projects/{project.id}/edit").get_data(as_text=True)
    assert "no longer possible" in page
    client.post(f"/projects/{project.id}/edit", data=proposal(process, title="Changed"))
    db.session.expire_all()
    assert db.session.get(Project, project.id).title == "Fixed"


def test_image_is_served_with_its_type_and_headers(client, db, make_process, make_project, resident):
    process = make_process(vote_in_days=IN_PROPOSALS)
    project = make_project(process, author=resident)
    data = proposal(process)
    data["images"] = (io.BytesIO(image_bytes("WEBP")), "photo.webp")
    client.post(f"/projects/{project.id}/edit", data=data, content_type="multipart/form-data")
    image = db.session.execute(sa.select(ProjectImage)).scalar_one()
    response = client.get(f"/projects/{project.id}/images/{image.id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/webp"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age" in response.headers["Cache-Control"] and response.headers["ETag"]
    assert response.data == image.data
    again = client.get(f"/projects/{project.id}/images/{image.id}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"/projects/{project.id}/images/{image.id + 1}").status_code == 404
    # An image that was removed is gone.
    client.post(f"/projects/{project.id}/edit", data=proposal(process, remove_images=[str(image.id)]))
    assert _count(db, ProjectImage) == 0


def test_the_coauthor_field_does_not_tell_whether_an_address_has_an_account(client, db, make_process, make_user,
                                                                            resident):
    """Issue 18: "No resident has an account with the address X" let anyone probe addresses. Now each address is
    invited, and the author sees the same whatever the answer."""
    process = make_process(vote_in_days=IN_PROPOSALS)
    make_user(role="resident", email="known@example.org")
    pages = []
    for address in ("known@example.org", "nobody@example.org"):
        mail.outbox.clear()
        response = client.post("/m/testville/2026/propose", data=proposal(process, coauthors=address),
                               follow_redirects=True)
        assert response.status_code == 200
        # Ids and CSRF tokens (which carry the second they were made) differ between any two pages.
        page = re.sub(r'value="[\w.-]{40,}"', "", response.get_data(as_text=True))
        pages.append(re.sub(r"/projects/\d+|\b\d+\b", "", page))
        db.session.commit()
        assert [m.to for m in mail.outbox] == (["known@example.org"] if address.startswith("known") else [])
    assert pages[0] == pages[1]
    assert _count(db, ProjectCoauthor) == 0  # nobody is a co-author before accepting
