"""The staff page where a clerk records each pool's sets of incompatible projects before voting opens."""

from __future__ import annotations

import sqlalchemy as sa

from pb.processes.models import IncompatibleSet
from tests.voting.conftest import voting_world  # noqa: F401  (fixture: an open vote)


def _sets(db) -> list[IncompatibleSet]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(IncompatibleSet)))


def test_a_clerk_records_and_removes_a_set(client, login, db, make_process, make_project, make_user):
    process = make_process(vote_in_days=10)
    park, car_park, bench = (make_project(process, status="feasible", title=title)
                             for title in ("Park", "Car park", "Bench"))
    make_project(process, status="draft", title="A draft")
    login(make_user(role="clerk"))
    page = client.get(f"/staff/processes/{process.id}/incompatible").get_data(as_text=True)
    assert "No set in this pool." in page and "Car park" in page and "A draft" not in page
    url = f"/staff/processes/{process.id}/incompatible"
    pool = process.pools[0].id
    alone = client.post(url, data={"pool": pool, "projects": [park.id], "note": "Same plot"})
    text = alone.get_data(as_text=True)
    assert alone.status_code == 422 and "Choose at least two projects that cannot both be funded." in text
    assert 'aria-describedby="projects-' in text and 'value="Same plot"' in text
    assert _sets(db) == []
    done = client.post(url, data={"pool": pool, "projects": [park.id, car_park.id], "note": "Same plot"})
    assert done.status_code == 302 and done.headers["Location"].endswith(url)
    (found,) = _sets(db)
    assert sorted(found.project_ids) == sorted([park.id, car_park.id]) and found.note == "Same plot"
    shown = client.get(url).get_data(as_text=True)
    assert "Same plot" in shown and "The set was recorded" in shown
    again = client.post(url, data={"pool": pool, "projects": [car_park.id, park.id]})
    assert again.status_code == 422 and "These projects already form a set." in again.get_data(as_text=True)
    assert client.post(url, data={"pool": 999_999, "projects": [park.id, bench.id]}).status_code == 404
    removed = client.post(f"/staff/incompatible-sets/{found.id}/remove")
    assert removed.status_code == 302 and _sets(db) == []


def test_once_voting_has_started_the_page_only_shows_the_sets(client, login, db, voting_world):  # noqa: F811
    w = voting_world
    login(w.clerk)
    url = f"/staff/processes/{w.process.id}/incompatible"
    page = client.get(url).get_data(as_text=True)
    assert "Voting has started: the sets are fixed" in page and "Record the set" not in page
    refused = client.post(url, data={"pool": w.city.id, "projects": [w.projects[0].id, w.projects[1].id]},
                          follow_redirects=True)
    assert refused.status_code == 422 and "fixed: voting has started" in refused.get_data(as_text=True)
    assert _sets(db) == []


def test_the_editions_set_up_pages_link_to_it(client, login, make_process, make_user):
    process = make_process(vote_in_days=10)
    login(make_user(role="clerk"))
    page = client.get(f"/staff/processes/{process.id}").get_data(as_text=True)
    assert f'href="/staff/processes/{process.id}/incompatible"' in page
