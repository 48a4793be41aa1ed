"""Staff per municipality: pages list only one's own municipalities, services refuse the others, grants follow
their rules and are audited."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from pb.accounts.models import Role
from pb.accounts.services import create_account, grant_municipalities
from pb.audit.models import AuditEvent
from pb.errors import NotAllowed, ValidationError
from pb.processes.models import Municipality, PhaseKind


@pytest.fixture
def two_towns(db, make_process):
    """Testville's edition "2026" and Elsewhere's edition "e-2026"."""
    here = make_process(slug="2026", name="Testville 2026")
    elsewhere = Municipality(slug="elsewhere", name="Elsewhere", country_code="GR", timezone="Europe/Athens")
    db.session.add(elsewhere)
    there = make_process(slug="e-2026", name="Elsewhere 2026")
    there.municipality = elsewhere
    db.session.commit()
    return here, there


@pytest.mark.parametrize(("role", "page"), [
    ("clerk", "/staff/processes"), ("clerk", "/staff/review"), ("clerk", "/staff/voting"),
    ("clerk", "/staff/reports"), ("legal_officer", "/staff/legal"), ("legal_officer", "/staff/reports"),
])
def test_lists_show_only_the_staff_members_municipalities(client, login, make_user, two_towns, role, page):
    here, there = two_towns
    login(make_user(role=role, municipalities=[here.municipality]))
    text = client.get(page).get_data(as_text=True)
    assert "Testville 2026" in text
    assert "Elsewhere 2026" not in text


def test_an_administrator_of_one_municipality_sees_and_grants_only_it(client, login, make_user, two_towns, db):
    here, there = two_towns
    admin = make_user(role="admin", municipalities=[here.municipality])
    login(admin)
    municipalities = client.get("/staff/municipalities").get_data(as_text=True)
    assert "Testville" in municipalities and "Elsewhere" not in municipalities
    form = client.get("/staff/users").get_data(as_text=True)
    assert "Elsewhere" not in form
    assert "Every municipality, present and future" not in form
    # A tampered form naming the other municipality grants nothing of it.
    response = client.post("/staff/users", data={"display_name": "Nikos", "email": "nikos@example.org",
                                                 "role": "clerk", "password": "a clerk password",
                                                 "municipalities": [there.municipality_id]})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "account.create")) == 0
    # The clerks of the other municipality, and those of every municipality, are not theirs to change.
    theirs = make_user(role="clerk", municipalities=[there.municipality])
    assert client.get(f"/staff/users/{theirs.id}").status_code == 403
    assert client.get(f"/staff/users/{make_user(role='clerk').id}").status_code == 403
    mine = make_user(role="clerk", municipalities=[here.municipality])
    assert client.get(f"/staff/users/{mine.id}").status_code == 200


def test_a_new_municipality_needs_an_administrator_of_all(make_user, two_towns):
    from pb.setup import services as setup
    from pb.setup.rules import MunicipalityValues

    here, _there = two_towns
    scoped = make_user(role="admin", municipalities=[here.municipality])
    with pytest.raises(NotAllowed):
        setup.create_municipality(scoped, MunicipalityValues("third", "Third", "GR", "Europe/Athens"))
    assert setup.create_municipality(make_user(role="admin"), MunicipalityValues(
        "third", "Third", "GR", "Europe/Athens")).slug == "third"


def test_services_refuse_staff_of_another_municipality(db, make_user, two_towns):
    """The services check again what the pages check: a call from elsewhere (another page, the API of a future
    version) cannot reach another municipality's objects."""
    from pb.mandate.services import start_mandate
    from pb.processes.services import open_phase_now
    from pb.reports.services import set_thresholds
    from pb.reports import metrics
    from pb.voting.services import import_register

    here, there = two_towns
    clerk = make_user(role="clerk", municipalities=[here.municipality])
    officer = make_user(role="legal_officer", municipalities=[here.municipality])
    refused = [
        lambda: open_phase_now(clerk, there, PhaseKind.PROPOSALS, "A reason given in a sentence."),
        lambda: import_register(clerk, there, "reference,birth_year\nA1,1980\n"),
        lambda: start_mandate(officer, there),
        lambda: set_thresholds(officer, there.municipality, metrics.DEFAULT_THRESHOLDS),
    ]
    for call in refused:
        with pytest.raises(NotAllowed, match="does not cover this municipality"):
            call()
        db.session.rollback()
    assert start_mandate(officer, here).process_id == here.id


def test_reviewers_come_from_the_projects_municipality(db, make_user, make_project, two_towns):
    from pb.review.queries import reviewer_candidates
    from pb.review.services import assign_reviewer

    here, there = two_towns
    ours = make_user(role="clerk", municipalities=[here.municipality])
    theirs = make_user(role="clerk", municipalities=[there.municipality])
    assert ours in reviewer_candidates(here.municipality_id)
    assert theirs not in reviewer_candidates(here.municipality_id)
    project = make_project(here)
    reviewing = next(p for p in here.phases if p.kind is PhaseKind.REVIEW).starts_at + dt.timedelta(hours=1)
    with pytest.raises(ValidationError, match="does not work for this municipality"):
        assign_reviewer(make_user(role="clerk"), project, theirs, now=reviewing)
    assert assign_reviewer(make_user(role="clerk"), project, ours, now=reviewing).reviewer_id == ours.id


def test_grant_rules_and_audit(db, make_user, two_towns):
    here, there = two_towns
    root = make_user(role="admin")
    with pytest.raises(ValidationError, match="Only an administrator can work in every municipality"):
        create_account(root, "c@example.org", Role.CLERK, "a clerk password", all_municipalities=True)
    with pytest.raises(ValidationError, match="Residents are not granted"):
        create_account(root, "r@example.org", Role.RESIDENT, "a resident password", municipalities=[here.municipality])
    clerk = create_account(root, "c@example.org", Role.CLERK, "a clerk password", municipalities=[here.municipality])
    scoped = make_user(role="admin", municipalities=[here.municipality])
    with pytest.raises(NotAllowed):
        grant_municipalities(scoped, clerk, [here.municipality, there.municipality])
    grant_municipalities(root, clerk, [there.municipality])
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "account.grant")).one()
    assert event.before == {"all_municipalities": False, "municipalities": ["testville"]}
    assert event.after == {"all_municipalities": False, "municipalities": ["elsewhere"]}
    assert clerk.municipality_ids == {there.municipality_id}


def test_the_audit_log_of_a_legal_officer_shows_their_municipalities(client, login, make_user, two_towns, db):
    from pb.audit.services import record

    here, there = two_towns
    record(db.session, None, "process.touch", "process", here.id, after={"town": "Testville"})
    record(db.session, None, "process.touch", "process", there.id, after={"town": "Elsewhere"})
    db.session.commit()
    login(make_user(role="legal_officer", municipalities=[here.municipality]))
    text = client.get("/staff/audit").get_data(as_text=True)
    assert "Testville" in text and "Elsewhere" not in text


def test_the_command_line_grants_municipalities(app, db, two_towns):
    from pb.accounts.services import find_user

    here, there = two_towns
    runner = app.test_cli_runner()
    created = runner.invoke(args=["users", "create", "eleni@example.org", "--role", "clerk", "--password",
                                  "a clerk password", "--municipality", "testville"])
    assert created.exit_code == 0 and "(testville)" in created.output, created.output
    granted = runner.invoke(args=["users", "grant", "eleni@example.org", "testville", "elsewhere"])
    assert granted.exit_code == 0, granted.output
    assert find_user("eleni@example.org").municipality_ids == {here.municipality_id, there.municipality_id}
    refused = runner.invoke(args=["users", "grant", "eleni@example.org", "--all-municipalities"])
    assert refused.exit_code != 0 and "Only an administrator can work in every municipality" in refused.output
    admin = runner.invoke(args=["users", "create", "root@example.org", "--role", "admin", "--password", "an admin password"])
    assert "every municipality" in admin.output and find_user("root@example.org").all_municipalities
