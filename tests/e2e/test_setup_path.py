"""Issue 16's path in a real Chromium: a municipality starts its own edition without Python.

An administrator creates a municipality and two districts; a clerk creates an edition under equalshares/add1 with
a city-wide knapsack pool and a district approval pool, dates its phases, reads on the dashboard what is still
missing, and opens the proposals phase; a resident proposes in it; the clerk imports projects from a CSV file
with one bad row (named; nothing stored), then from a good one; once voting has opened, a change of a pool's
ballot rules is refused with its reason. axe-core checks the set-up pages; the phone-sized dashboard does not
scroll sideways.
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from playwright.sync_api import expect

from pb.core.db import utcnow
from tests.e2e.test_pages import assert_accessible, sign_in


def _tab(chromium, live_server, width: int = 1280):
    context = chromium.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return context, tab


def _local(moment: dt.datetime) -> str:
    """A datetime-local value in Athens time."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/Athens")).strftime("%Y-%m-%dT%H:%M")


def _field(page, label: str):
    return page.get_by_label(label, exact=True)


def test_a_municipality_sets_up_and_starts_its_edition(chromium, live_server):
    # The administrator: the municipality and its two districts.
    admin_context, admin = _tab(chromium, live_server)
    sign_in(admin, "admin")
    admin.goto("/staff/municipalities")
    admin.get_by_role("link", name="New municipality").click()
    _field(admin, "Name").fill("Δήμος Άργους")
    _field(admin, "Address name").fill("Argos")  # a capital letter: refused on its field
    _field(admin, "Country").fill("GR")
    _field(admin, "Time zone").fill("Europe/Athens")
    _field(admin, "Population").fill("42000")
    admin.get_by_role("button", name="Create the municipality").click()
    expect(admin.get_by_role("alert")).to_contain_text("small Latin letters")
    assert_accessible(admin)
    _field(admin, "Address name").fill("argos")
    admin.get_by_role("button", name="Create the municipality").click()
    expect(admin.locator("h1")).to_have_text("Δήμος Άργους")
    for code, name in (("kentro", "Κέντρο"), ("lefkakia", "Λευκάκια")):
        _field(admin, "Code").fill(code)
        _field(admin, "Name").fill(name)
        _field(admin, "Population").fill("21000")
        admin.get_by_role("button", name="Add the district").click()
        expect(admin.get_by_role("status")).to_contain_text(name)
    expect(admin.get_by_role("row", name=re.compile("Λευκάκια"))).to_be_visible()
    assert_accessible(admin)
    # The clerk holds their role where the administrator says: in Argos too, from now on.
    admin.goto("/staff/users")
    admin.get_by_role("link", name="Demo Clerk", exact=True).click()
    admin.get_by_label("Δήμος Άργους").check()
    admin.get_by_role("button", name="Save the municipalities").click()
    expect(admin.get_by_role("status")).to_contain_text("were saved")
    admin_context.close()

    # The clerk: the edition, its pools and its dates.
    clerk_context, clerk = _tab(chromium, live_server)
    sign_in(clerk, "clerk")
    clerk.goto("/staff/processes")
    clerk.get_by_role("link", name="New edition").first.click()
    clerk.get_by_label("Municipality").select_option(label="Δήμος Άργους")
    _field(clerk, "Name").fill("Συμμετοχικός προϋπολογισμός 2027")
    _field(clerk, "Address name").fill("2027")
    _field(clerk, "Fiscal year").fill("2027")
    clerk.get_by_label("Method of Equal Shares (with the add-one completion)").check()
    assert_accessible(clerk)
    clerk.get_by_role("button", name="Create the edition").click()
    expect(clerk.get_by_role("status")).to_contain_text("The edition was created")
    process_id = int(re.search(r"/staff/processes/(\d+)$", clerk.url).group(1))
    # Before pools and dates, the dashboard says what the proposals phase would lack.
    clerk.get_by_role("link", name="Pools and ballots").click()
    _field(clerk, "Name").fill("Όλη η πόλη")
    _field(clerk, "Amount").fill("300000")
    clerk.get_by_label("Ballot", exact=True).select_option("knapsack")
    _field(clerk, "Least a ballot must spend, in percent of the pool").fill("150")
    clerk.get_by_role("button", name="Add the pool").click()
    expect(clerk.get_by_role("alert")).to_contain_text("150% is not")
    _field(clerk, "Least a ballot must spend, in percent of the pool").fill("50")
    clerk.get_by_role("button", name="Add the pool").click()
    expect(clerk.get_by_role("status")).to_contain_text("Όλη η πόλη")
    _field(clerk, "Name").fill("Λευκάκια")
    clerk.get_by_label("For", exact=True).select_option(label="Λευκάκια")
    _field(clerk, "Amount").fill("80000")
    clerk.get_by_label("Ballot", exact=True).select_option("approval")
    _field(clerk, "Most projects a ballot may choose").fill("3")
    clerk.get_by_role("button", name="Add the pool").click()
    expect(clerk.get_by_role("row", name=re.compile("Λευκάκια"))).to_contain_text("from 1 to 3 projects")
    assert_accessible(clerk)

    now = utcnow()
    clerk.get_by_role("link", name="Dates").click()
    phases = {"Proposals": (now + dt.timedelta(days=1), now + dt.timedelta(days=20)),
              "Review": (now + dt.timedelta(days=20), now + dt.timedelta(days=30)),
              "Voting": (now + dt.timedelta(days=40), now + dt.timedelta(days=50))}
    for name, (starts, ends) in phases.items():
        group = clerk.get_by_role("group", name=name, exact=True)
        group.get_by_label("From").fill(_local(starts))
        group.get_by_label("Until").fill(_local(ends))
    # The review is made to start before proposals end: refused, nothing stored.
    clerk.get_by_role("group", name="Review", exact=True).get_by_label("From").fill(
        _local(now + dt.timedelta(days=10)))
    clerk.get_by_role("button", name="Save the dates").click()
    expect(clerk.get_by_role("alert")).to_contain_text("must not overlap")
    clerk.get_by_role("group", name="Review", exact=True).get_by_label("From").fill(_local(phases["Review"][0]))
    assert_accessible(clerk)
    clerk.get_by_role("button", name="Save the dates").click()
    expect(clerk.get_by_role("status")).to_contain_text("The dates were saved")

    # The dashboard lists what the vote still lacks.
    voting = clerk.get_by_role("region", name=re.compile("^Voting"))
    expect(voting).to_contain_text("Import the voter register")
    expect(voting).to_contain_text("The edition has no mandate")
    expect(clerk.get_by_role("region", name=re.compile("^Proposals"))).to_contain_text("Ready")
    assert_accessible(clerk)

    # Proposals open now, a day early, with a reason.
    clerk.goto(f"/staff/processes/{process_id}/phases")
    row = clerk.get_by_role("row", name=re.compile("^Proposals"))
    row.get_by_label("Reason").fill("The council decided to open proposals a day early.")
    row.get_by_role("button", name="Open now").click()
    expect(clerk.get_by_role("status")).to_contain_text("The phase was changed")

    # A resident proposes in the new edition.
    resident_context, resident = _tab(chromium, live_server, width=390)
    sign_in(resident, "resident")
    resident.goto("/m/argos/2027")
    resident.get_by_role("link", name="Propose a project").click()
    resident.get_by_label("Title").fill("Σκιά στην πλατεία")
    resident.get_by_label("Summary").fill("Δέντρα και στέγαστρα στην κεντρική πλατεία.")
    resident.get_by_label("Estimated cost").fill("45000")
    resident.get_by_label("District").select_option(label="Όλη η πόλη")
    resident.get_by_role("group", name="Categories").get_by_label("Public space", exact=True).check()
    resident.get_by_role("button", name="Publish").click()
    expect(resident.get_by_role("status")).to_contain_text("Your project was published")
    resident_context.close()

    # The clerk imports projects from a CSV file: one bad row refuses the whole file, naming the row.
    bad = ("title,summary,cost,district,categories\n"
           "Φωτισμός πάρκου,Νέα φώτα στο πάρκο.,12000,lefkakia,public space\n"
           "Πισίνα,Ολυμπιακή πισίνα.,5000000,,sport\n")
    clerk.goto(f"/staff/processes/{process_id}/projects/import")
    clerk.get_by_label("CSV file").set_input_files(files=[{"name": "projects.csv", "mimeType": "text/csv",
                                                            "buffer": bad.encode()}])
    clerk.get_by_label("Departments of the council").check()
    clerk.get_by_role("button", name="Check the file").click()
    expect(clerk.get_by_role("alert")).to_contain_text("Line 3:")
    expect(clerk.get_by_role("alert")).to_contain_text("above the whole budget")
    assert _project_titles(live_server, process_id) == {"Σκιά στην πλατεία"}
    assert_accessible(clerk)
    good = bad.replace("5000000", "150000")
    clerk.get_by_label("CSV file").set_input_files(files=[{"name": "projects.csv", "mimeType": "text/csv",
                                                            "buffer": good.encode()}])
    clerk.get_by_role("button", name="Check the file").click()
    expect(clerk.get_by_role("table")).to_contain_text("Πισίνα")
    assert _project_titles(live_server, process_id) == {"Σκιά στην πλατεία"}  # a preview stores nothing
    clerk.get_by_role("button", name="Import these projects").click()
    expect(clerk.get_by_role("status")).to_contain_text("2 projects were imported")
    assert _project_titles(live_server, process_id) == {"Σκιά στην πλατεία", "Φωτισμός πάρκου", "Πισίνα"}

    # Time passes: voting opens. The pools' ballot rules are fixed now, and the page says why.
    _open_voting_by_its_date(live_server, process_id)
    clerk.goto(f"/staff/processes/{process_id}/pools")
    expect(clerk.get_by_text("Voting has started: pools, amounts and ballot rules are fixed")).to_be_visible()
    clerk.goto(f"/staff/pools/{_pool(live_server, process_id, 'Λευκάκια', 'id')}/edit")
    _field(clerk, "Most projects a ballot may choose").fill("5")
    clerk.get_by_role("button", name="Save the pool").click()
    expect(clerk.get_by_role("alert")).to_contain_text("Fixed since voting opened")
    assert _pool(live_server, process_id, "Λευκάκια", "max_choices") == 3
    clerk_context.close()


def test_the_dashboard_fits_a_phone(chromium, live_server):
    context, tab = _tab(chromium, live_server, width=390)
    sign_in(tab, "clerk")
    for path in ("/staff/processes/4", "/staff/processes/4/pools", "/staff/processes/4/schedule",
                 "/staff/processes/new"):
        tab.goto(path)
        width = tab.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, (path, width)
    context.close()


def _session(live_server):
    return live_server.app.extensions["sqlalchemy"]


def _project_titles(live_server, process_id: int) -> set[str]:
    from pb.proposals.models import Project

    with live_server.app.app_context():
        db = _session(live_server)
        titles = set(db.session.scalars(sa.select(Project.title).where(Project.process_id == process_id)))
        db.session.remove()
    return titles


def _pool(live_server, process_id: int, name: str, column: str):
    """A column of the edition's pool with this name, as stored."""
    from pb.processes.models import Pool

    with live_server.app.app_context():
        db = _session(live_server)
        found = db.session.scalar(sa.select(getattr(Pool, column)).where(Pool.process_id == process_id,
                                                                         Pool.name == name))
        db.session.remove()
    return found


def _open_voting_by_its_date(live_server, process_id: int) -> None:
    """Move the schedule as the calendar would: the earlier phases are over and voting began an hour ago."""
    from pb.processes.models import Phase, PhaseKind

    with live_server.app.app_context():
        db = _session(live_server)
        now = utcnow()
        phases = {p.kind: p for p in db.session.scalars(sa.select(Phase).where(Phase.process_id == process_id))}
        phases[PhaseKind.PROPOSALS].starts_at, phases[PhaseKind.PROPOSALS].ends_at = (
            now - dt.timedelta(days=30), now - dt.timedelta(days=20))
        phases[PhaseKind.REVIEW].starts_at, phases[PhaseKind.REVIEW].ends_at = (
            now - dt.timedelta(days=20), now - dt.timedelta(days=10))
        phases[PhaseKind.VOTING].starts_at = now - dt.timedelta(hours=1)
        db.session.commit()
        db.session.remove()
