"""Numbers beyond what the database's keys hold, in address parameters, give 404, never a 500 (issue 18)."""

from __future__ import annotations

import pytest

HUGE = ["2147483648", "99999999999999999999", "9" * 40]


@pytest.mark.parametrize("number", HUGE)
def test_out_of_range_pool_comment_and_page_numbers_are_404(client, db, make_process, make_project, number):
    process = make_process()
    project = make_project(process, status="on_ballot")
    base = f"/m/{process.municipality.slug}/{process.slug}/projects"
    assert client.get(f"{base}?pool=1").status_code == 200
    assert client.get(f"{base}?pool={number}").status_code == 404
    assert client.get(f"{base}?page={number}").status_code == 404
    assert client.get(f"/projects/{project.id}?comment={number}").status_code == 404
    assert client.get(f"/projects/{project.id}/discussion?comment={number}").status_code == 404
    assert client.get(f"/projects/{project.id}?comments={number}").status_code == 404
    # Not a number at all: ignored, as before.
    assert client.get(f"/projects/{project.id}?comment=abc").status_code == 200


def test_out_of_range_audit_page_is_404(client, db, login, make_user):
    login(make_user(role="admin"))
    assert client.get("/staff/audit?before=12").status_code == 200
    assert client.get("/staff/audit?before=9223372036854775808").status_code == 404
    assert client.get("/staff/audit?before=99999999999999999999").status_code == 404
