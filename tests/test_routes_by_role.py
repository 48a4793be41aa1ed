"""Every route, for every role: exactly 200, a redirect to sign in, or 403, as the product intends."""

from __future__ import annotations

import pytest

from tests.route_roles import FORBIDDEN, LOGIN, OK, REDIRECT, ROLES, everyone, guest_pages, only, signed_in_only

# endpoint -> (method, path, expected status per role)
EXPECTED = {
    "static": ("GET", "/static/pb.css", everyone(OK)),
    "web.health": ("GET", "/healthz", everyone(OK)),
    "web.switch_language": ("POST", "/language", everyone(REDIRECT)),
    "processes.home": ("GET", "/", everyone(OK)),
    "processes.process": ("GET", "/m/testville/2026", everyone(OK)),
    "accounts.login": ("GET", "/login", guest_pages()),
    "accounts.register": ("GET", "/register", guest_pages()),
    "accounts.logout": ("POST", "/logout", signed_in_only(REDIRECT)),
    "accounts.confirm": ("GET", "/confirm/not-a-token", everyone(REDIRECT)),
    "accounts.reset_request": ("GET", "/reset", everyone(OK)),
    "accounts.reset": ("GET", "/reset/not-a-token", everyone(REDIRECT)),
    "accounts.account": ("GET", "/account", signed_in_only()),
    "staff.dashboard": ("GET", "/staff/", only("clerk", "legal_officer", "admin", "department")),
    "staff.processes": ("GET", "/staff/processes", only("clerk", "admin")),
    "staff.legal": ("GET", "/staff/legal", only("legal_officer", "admin")),
    "staff.users": ("GET", "/staff/users", only("admin")),
    # Account 1000 is a clerk of Testville (route_world); the signed-in administrator of every municipality manages it.
    "staff.account": ("GET", "/staff/users/1000", only("admin")),
    # Deactivating without a reason is refused on the form.
    "staff.account_status": ("POST", "/staff/users/1000/deactivate", {**only("admin"), "admin": 422}),
    "staff.audit": ("GET", "/staff/audit", only("legal_officer", "admin")),
    "staff.audit_csv": ("GET", "/staff/audit.csv?action=account.create", only("legal_officer", "admin")),
    "staff.phases": ("GET", "/staff/processes/1/phases", only("clerk", "admin")),
    "staff.incompatible_projects": ("GET", "/staff/processes/1/incompatible", only("clerk", "admin")),
    # Voting has not started in process 1: a clerk's removal of its set 1 succeeds and redirects to the page.
    "staff.remove_incompatible_set": ("POST", "/staff/incompatible-sets/1/remove",
                                      {**only("clerk", "admin"), "clerk": REDIRECT, "admin": REDIRECT}),
    # proposals routes (submission, browsing, project pages, images)
    "proposals.index": ("GET", "/m/testville/2026/projects", everyone(OK)),
    "proposals.project_map": ("GET", "/m/testville/2026/projects/map", everyone(OK)),
    # Residents propose; process 1 is past its proposals phase, so the page says when it was open (200).
    "proposals.new": ("GET", "/m/testville/2026/propose", only("resident")),
    # Only the project's authors may edit it; project 1 is another resident's.
    "proposals.edit": ("GET", "/projects/1/edit", only()),
    "proposals.project": ("GET", "/projects/1", everyone(OK)),
    "proposals.versions": ("GET", "/projects/1/versions", everyone(OK)),
    "proposals.image": ("GET", "/projects/1/images/1", everyone(OK)),
    "proposals.mine": ("GET", "/my/proposals", signed_in_only()),
    "proposals.accept_invitation": ("GET", "/projects/1/invitation/not-a-token", signed_in_only()),
    # review routes (staff review and appeals)
    "review.index": ("GET", "/staff/review", only("clerk", "admin")),
    "review.queue": ("GET", "/staff/review/processes/1", only("clerk", "admin")),
    "review.project": ("GET", "/staff/review/projects/1", only("clerk", "admin")),
    # Empty forms are shown again with their errors; unassigning outside the review phase flashes and redirects.
    "review.assign": ("POST", "/staff/review/projects/1/assign", only("clerk", "admin")),
    "review.unassign": ("POST", "/staff/review/projects/1/unassign/1",
                        {**only("clerk", "admin"), "clerk": REDIRECT, "admin": REDIRECT}),
    "review.record": ("POST", "/staff/review/projects/1/review", only("clerk", "admin")),
    "review.answer": ("POST", "/staff/review/appeals/1/answer", only("clerk", "admin")),
    # Only the project's authors may appeal; project 1 is another resident's.
    "review.appeal": ("GET", "/projects/1/appeal", only()),
    # deliberation routes (comments, supports, follows, notifications, moderation)
    "deliberation.discussion": ("GET", "/projects/1/discussion", everyone(OK)),
    "deliberation.new_comment": ("GET", "/projects/1/comments", signed_in_only()),
    "deliberation.reply": ("GET", "/comments/1/reply", signed_in_only()),
    "deliberation.edit_comment": ("GET", "/comments/1/edit", signed_in_only(FORBIDDEN)),
    "deliberation.support": ("POST", "/projects/1/support", signed_in_only(REDIRECT)),
    "deliberation.withdraw_support": ("POST", "/projects/1/support/withdraw", signed_in_only(REDIRECT)),
    "deliberation.follow": ("POST", "/projects/1/follow", signed_in_only(REDIRECT)),
    "deliberation.unfollow": ("POST", "/projects/1/unfollow", signed_in_only(REDIRECT)),
    "deliberation.flag_comment": ("GET", "/comments/1/flag", signed_in_only()),
    "deliberation.flag_project": ("GET", "/projects/1/flag", signed_in_only()),
    "deliberation.notifications": ("GET", "/notifications", signed_in_only()),
    "deliberation.moderation": ("GET", "/staff/moderation", only("clerk", "admin")),
    "deliberation.hide_comment": ("GET", "/staff/moderation/comments/1/hide", only("clerk", "admin")),
    "deliberation.hide_project": ("GET", "/staff/moderation/projects/1/hide", only("clerk", "admin")),
    "deliberation.dismiss_comment_flags": ("POST", "/staff/moderation/comments/1/dismiss",
                                           {**only("clerk", "admin"), "clerk": REDIRECT, "admin": REDIRECT}),
    "deliberation.dismiss_project_flags": ("POST", "/staff/moderation/projects/1/dismiss",
                                           {**only("clerk", "admin"), "clerk": REDIRECT, "admin": REDIRECT}),
    "deliberation.block_user": ("GET", "/staff/moderation/users/1/block", only("clerk", "admin")),
    "deliberation.unblock_user": ("GET", "/staff/moderation/users/1/unblock", only("clerk", "admin")),
    # api routes (read-only JSON)
    "api.processes": ("GET", "/api/v1/processes", everyone(OK)),
    "api.process_projects": ("GET", "/api/v1/processes/1/projects", everyone(OK)),
}


# Areas with many routes keep their rows beside their tests; each module gives ROUTES and build_world.
AREA_ROUTE_MODULES = ("tests.voting.routes", "tests.voting.desk_routes", "tests.mandate.routes", "tests.reports.routes",
                      "tests.accounts.routes", "tests.setup.routes", "tests.delivery.routes")


def _area_modules():
    import importlib

    modules = []
    for name in AREA_ROUTE_MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name not in (name, name.rsplit(".", 1)[0]):
                raise
    return modules


for _module in _area_modules():
    EXPECTED.update(_module.ROUTES)


def test_every_route_is_listed(app):
    """A new route must be added to the table above, with what each role should get."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED)


def test_every_view_declares_its_permission(app):
    """Each view is either marked public or guarded by a named predicate."""
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        assert hasattr(view, "permission"), f"{endpoint} has neither @public nor @requires"


@pytest.fixture
def route_world(db, make_user, make_process, make_project):
    """The objects the paths above name: process 1 (now in its deliberation phase), project 1 by
    another resident, on the ballot. Areas add what their routes need here."""
    process = make_process(slug="2026")
    project = make_project(process, status="on_ballot")
    # Review: a review of project 1 and appeal 1 against it, waiting for an answer.
    from pb.proposals.models import Appeal, Feasibility, Review

    review = Review(project_id=project.id, feasibility=Feasibility.NEEDS_CHANGES, legally_compliant=True,
                    public_reason="Needs a site plan.")
    db.session.add(review)
    db.session.flush()
    db.session.add(Appeal(project_id=project.id, review_id=review.id, author_id=project.author_id,
                          text="The site plan is attached."))
    # Proposals: image 1 of project 1.
    from pb.proposals.models import ProjectImage

    db.session.add(ProjectImage(project_id=project.id, content_type="image/png", data=b"\x89PNG", byte_size=4,
                                width=1, height=1, sha256="0" * 64))
    # Deliberation: comment 1 on project 1, by the project's author, reported once by another resident.
    from pb.deliberation.models import Comment, Flag, FlagReason

    comment = Comment(project_id=project.id, author_id=project.author_id, body="A *first* comment")
    db.session.add(comment)
    db.session.flush()
    db.session.add(Flag(comment_id=comment.id, reporter_id=make_user().id, reason=FlagReason.SPAM))
    db.session.flush()
    for module in _area_modules():
        module.build_world(db, process, project, make_user)
    # Processes: set 1 of incompatible projects in pool 1, project 1 and another on the ballot.
    from pb.processes.models import IncompatibleSet, IncompatibleSetMember

    other = make_project(process, status="on_ballot")
    db.session.add(IncompatibleSet(pool_id=process.pools[0].id, note="One plot", members=[
        IncompatibleSetMember(project_id=project.id), IncompatibleSetMember(project_id=other.id)]))
    # Staff: account 1000, a clerk of Testville only (a fixed id far above those the other rows' objects get).
    make_user(role="clerk", id=1000, municipalities=[process.municipality])
    db.session.commit()
    return process


@pytest.mark.parametrize("role", ROLES)
def test_routes_by_role(client, make_user, route_world, login, role):
    if role != "anonymous":
        login(make_user(role=role))
    # Signing out ends the session, so it goes last.
    order = sorted(EXPECTED, key=lambda endpoint: endpoint == "accounts.logout")
    for endpoint in order:
        method, path, expected = EXPECTED[endpoint]
        want = expected[role]
        response = client.open(path, method=method)
        response.close()
        if want == LOGIN:
            assert response.status_code == 302, (endpoint, role, response.status_code)
            assert "/login" in response.headers["Location"], (endpoint, role)
        else:
            assert response.status_code == want, (endpoint, role, response.status_code)


# Pages that name no municipal object in their address but still refuse staff of another municipality.
OUTSIDER_REFUSED = {"staff.account", "staff.account_status"}


def _expected_for_outsider(app, endpoint: str, method: str, path: str, home: object) -> object:
    """What a member of staff of another municipality gets: 403 on every staff page that names an object of
    Testville, where staff of Testville in the same role would get in; the same as them everywhere else."""
    from pb.staff.scope import URL_OBJECTS

    if home in (LOGIN, FORBIDDEN) or not path.startswith("/staff/"):
        return home
    _endpoint, args = app.url_map.bind("pb.test").match(path.split("?")[0], method=method)
    if endpoint in OUTSIDER_REFUSED or any(name in URL_OBJECTS for name in args):
        return FORBIDDEN
    return home


@pytest.mark.parametrize("role", ("clerk", "legal_officer", "admin"))
def test_routes_refuse_staff_of_another_municipality(app, client, db, make_user, route_world, login, role):
    """Every route again, for staff whose role holds only in another municipality: Testville's objects are
    refused (403); pages that name none answer as they do for Testville's own staff."""
    from pb.processes.models import Municipality

    elsewhere = Municipality(slug="elsewhere", name="Elsewhere", country_code="GR", timezone="Europe/Athens")
    db.session.add(elsewhere)
    db.session.commit()
    login(make_user(role=role, municipalities=[elsewhere]))
    order = sorted(EXPECTED, key=lambda endpoint: endpoint == "accounts.logout")
    for endpoint in order:
        method, path, expected = EXPECTED[endpoint]
        want = _expected_for_outsider(app, endpoint, method, path, expected[role])
        response = client.open(path, method=method)
        response.close()
        if want == LOGIN:
            assert response.status_code == 302, (endpoint, role, response.status_code)
            assert "/login" in response.headers["Location"], (endpoint, role)
        else:
            assert response.status_code == want, (endpoint, role, response.status_code)
