"""The clerk's review pages in a real browser pass axe-core (skipped without Chromium, like tests/e2e)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pb.processes.models import Process
from pb.proposals.models import Feasibility, Project, ProjectStatus, Review
from tests.e2e.test_pages import assert_accessible, sign_in


def _reviewed_project(app) -> tuple[int, int]:
    """Add a reviewed project to the demo's first process; returns (process id, project id)."""
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        process = db.session.execute(sa.select(Process).order_by(Process.id).limit(1)).scalar_one()
        project = Project(process_id=process.id, pool_id=process.pools[0].id, code="A11Y", title="Shade trees",
                          cost=100_000, estimated_cost=100_000, status=ProjectStatus.NEEDS_CHANGES)
        db.session.add(project)
        db.session.flush()
        db.session.add(Review(project_id=project.id, feasibility=Feasibility.NEEDS_CHANGES, legally_compliant=True,
                              revised_cost=120_000, cost_explanation="Watering.", public_reason="Pick a site."))
        db.session.commit()
        ids = process.id, project.id
        db.session.remove()
    return ids


def test_review_pages_are_accessible(page, live_server):
    if live_server.app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the markup is the same on both databases; checked on SQLite")
    process_id, project_id = _reviewed_project(live_server.app)
    sign_in(page, "clerk")
    for path in ("/staff/review", f"/staff/review/processes/{process_id}",
                 f"/staff/review/processes/{process_id}?status=reviewed", f"/staff/review/projects/{project_id}"):
        page.goto(path)
        assert page.locator("h1").count() == 1
        assert_accessible(page)
    # A refused review shows its errors; the page stays accessible.
    page.get_by_label("Feasibility").select_option("unfeasible")
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_load_state()
    assert_accessible(page)
