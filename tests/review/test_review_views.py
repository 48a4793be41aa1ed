"""The review pages through HTTP: the queue, the review desk, the author's appeal and the public partial."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import render_template_string

from pb.proposals.models import Appeal, ProjectStatus, Review, ReviewAssignment
from pb.review.queries import project_review
from tests.conftest import sign_in_through_forms


def signed_in(app, user):
    """A client of its own, signed in as ``user``."""
    client = app.test_client()
    sign_in_through_forms(client, user)  # staff complete the second factor
    return client


@pytest.fixture
def world(db, make_user, make_process, make_project):
    process = make_process(vote_in_days=40)
    author = make_user(display_name="Author")
    return {"process": process, "author": author, "clerk": make_user(role="clerk", display_name="Clara Clerk"),
            "project": make_project(process, author=author, title="Benches in the park")}


def test_clerk_reviews_and_author_appeals_through_the_pages(app, db, world, make_user):
    clerk = signed_in(app, world["clerk"])
    project_id = world["project"].id
    reviewer = make_user(role="clerk", display_name="Rita Reviewer")

    page = clerk.get("/staff/review").get_data(as_text=True)
    assert "PB 2026" in page and page.count("<h1>") == 1
    page = clerk.get(f"/staff/review/processes/{world['process'].id}?status=waiting").get_data(as_text=True)
    assert "Benches in the park" in page

    response = clerk.post(f"/staff/review/projects/{project_id}/assign", data={"assign-reviewer": reviewer.id})
    assert response.status_code == 302
    assert db.session.execute(sa.select(ReviewAssignment.reviewer_id)).scalar_one() == reviewer.id
    page = clerk.get(f"/staff/review/processes/{world['process'].id}?status=under_review").get_data(as_text=True)
    assert "Rita Reviewer" in page

    # Not feasible without a reason: refused with the message, nothing stored.
    form = {"review-feasibility": "unfeasible", "review-legally_compliant": "yes"}
    response = clerk.post(f"/staff/review/projects/{project_id}/review", data=form)
    assert response.status_code == 200
    assert "Give a public reason" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Review)).scalar_one() == 0

    form |= {"review-public_reason": "The park is protected.", "review-internal_note": "Ask the heritage office."}
    response = signed_in(app, reviewer).post(f"/staff/review/projects/{project_id}/review", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert world["project"].status is ProjectStatus.UNFEASIBLE

    author = signed_in(app, world["author"])
    page = author.get(f"/projects/{project_id}/appeal").get_data(as_text=True)
    assert "The park is protected." in page and "Ask the heritage office." not in page
    assert 'id="appeal-text"' in page
    response = author.post(f"/projects/{project_id}/appeal", data={"appeal-text": ""})
    assert "Write the reasons for your appeal." in response.get_data(as_text=True)
    response = author.post(f"/projects/{project_id}/appeal", data={"appeal-text": "Benches are allowed there."})
    assert response.status_code == 302
    appeal_id = db.session.execute(sa.select(Appeal.id)).scalar_one()

    page = clerk.get(f"/staff/review/projects/{project_id}").get_data(as_text=True)
    assert "Benches are allowed there." in page and "Ask the heritage office." in page
    response = clerk.post(f"/staff/review/appeals/{appeal_id}/answer",
                          data={"answer-outcome": "upheld", "answer-answer": "The plan allows benches."})
    assert response.status_code == 302
    db.session.expire_all()
    assert world["project"].status is ProjectStatus.ON_BALLOT
    page = author.get(f"/projects/{project_id}/appeal").get_data(as_text=True)
    assert "Appeal upheld" in page and "The plan allows benches." in page


def test_review_form_outside_the_phase_shows_why(app, db, make_process, make_project, make_user):
    project = make_project(make_process(slug="late"))
    clerk = signed_in(app, make_user(role="clerk"))
    response = clerk.post(f"/staff/review/projects/{project.id}/review",
                          data={"review-feasibility": "feasible", "review-legally_compliant": "yes"})
    assert response.status_code == 200
    assert "no longer possible" in response.get_data(as_text=True)


def test_others_cannot_see_the_appeal_page_or_review_desk(app, world, make_user):
    resident = signed_in(app, make_user())
    assert resident.get(f"/projects/{world['project'].id}/appeal").status_code == 403
    assert resident.get(f"/staff/review/projects/{world['project'].id}").status_code == 403
    legal = signed_in(app, make_user(role="legal_officer"))
    assert legal.post(f"/staff/review/projects/{world['project'].id}/review").status_code == 403


def test_partial_renders_public_outcome_only(app, db, world, make_user):
    from decimal import Decimal

    from pb.proposals.models import Feasibility
    from pb.review import services
    from pb.review.forms import ReviewInput

    services.record_review(world["clerk"], world["project"],
                           ReviewInput(Feasibility.NEEDS_CHANGES, True, revised_cost=Decimal("1500"),
                                       cost_explanation="Steel prices.", public_reason="Move it to the north side.",
                                       internal_note="secret", revise_by=dt.date.today() + dt.timedelta(days=3)))
    db.session.commit()
    with app.test_request_context():
        for viewer, has_form in ((world["author"], True), (make_user(), False)):
            html = render_template_string('{% include "review/_project_review.html" %}',
                                          **project_review(world["project"], viewer))
            assert "Move it to the north side." in html and "Steel prices." in html
            assert "secret" not in html
            assert ('id="appeal-text"' in html) is has_form
