"""The audit log as a list a person uses: filters, plain-language lines with what changed, a CSV export whose
cells no spreadsheet runs as formulas, and the raw JSON one click away."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from pb.audit.export import events_csv, spreadsheet_safe
from pb.audit.labels import changes
from pb.audit.models import AuditEvent
from pb.audit.services import record


@pytest.fixture
def logged(db, make_user):
    """Three events by two people: a population recorded, a phase opened early, a mandate signed."""
    clerk = make_user(role="clerk", email="eleni@example.org")
    officer = make_user(role="legal_officer", email="maria@example.org")
    record(db.session, clerk, "municipality.population", "municipality", 1, before={"population": None},
           after={"population": 48_000})
    record(db.session, clerk, "phase.open_early", "process", 7, before={"phases": {"voting": {"starts_at": "a"}}},
           after={"phases": {"voting": {"starts_at": "b"}}, "reason": "=HYPERLINK(\"http://evil.example\")"})
    record(db.session, officer, "mandate.sign", "mandate", 3, before={"status": "legal_review"},
           after={"status": "signed", "opinion": "Sound."})
    db.session.commit()
    return clerk, officer


def _rows(page: str) -> int:
    return page.count('<td class="change">')


def test_the_log_reads_in_plain_language_with_what_changed(client, login, make_user, logged):
    login(make_user(role="admin"))
    page = client.get("/staff/audit").get_data(as_text=True)
    assert "recorded the population" in page and "opened a phase early" in page and "signed a mandate" in page
    assert "Edition 7" in page and "Mandate 3" in page
    # Only what changed, before and after; the raw event (with its hash) one click away.
    assert "<del>legal_review</del> → <ins>signed</ins>" in page
    assert "phases.voting.starts_at" in page
    assert page.count("<summary>Raw JSON") == 3 and '"prev_hash": "' in page


@pytest.mark.parametrize(("query", "count"), [
    ("who=ELENI", 2), ("who=maria", 1), ("action=mandate.sign", 1), ("object_type=process", 1),
    ("object_type=municipality&object_id=1", 1), ("object_id=99", 0), ("who=eleni&action=mandate.sign", 0),
])
def test_filters_combine(client, login, make_user, logged, query, count):
    login(make_user(role="admin"))
    page = client.get(f"/staff/audit?{query}").get_data(as_text=True)
    assert _rows(page) == count, query


def test_the_date_filters_take_whole_days_in_the_shown_time_zone(client, db, login, make_user, logged,
                                                                  monkeypatch):
    import pb.audit.services

    # Noon UTC is 1 March in every time zone the dates may be shown in.
    monkeypatch.setattr(pb.audit.services, "utcnow", lambda: dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC))
    record(db.session, None, "vote.close", "process", 7, after={"early": False})
    db.session.commit()
    monkeypatch.undo()
    login(make_user(role="admin"))
    assert _rows(client.get("/staff/audit?since=2026-03-01&until=2026-03-01").get_data(as_text=True)) == 1
    assert _rows(client.get("/staff/audit?until=2026-02-28").get_data(as_text=True)) == 0
    assert _rows(client.get("/staff/audit?since=2026-03-02").get_data(as_text=True)) == 3
    wrong = client.get("/staff/audit?since=2026-03-02&until=2026-03-01")
    assert wrong.status_code == 422 and "The last day comes before the first." in wrong.get_data(as_text=True)
    bad = client.get("/staff/audit?since=yesterday")
    assert bad.status_code == 422 and "Enter a date, like 2026-12-31." in bad.get_data(as_text=True)


def test_pages_keep_the_filters(client, db, login, make_user):
    from pb.staff.views import PAGE_SIZE

    clerk = make_user(role="clerk")
    for number in range(PAGE_SIZE + 5):
        record(db.session, clerk, "municipality.population", "municipality", 1, after={"population": number + 1})
    record(db.session, clerk, "mandate.sign", "mandate", 1, after={"status": "signed"})
    db.session.commit()
    login(make_user(role="admin"))
    first = client.get("/staff/audit?action=municipality.population").get_data(as_text=True)
    assert _rows(first) == PAGE_SIZE
    older = first.split('href="/staff/audit?before=')[1].split('"')[0].replace("&amp;", "&")
    assert "action=municipality.population" in older
    assert _rows(client.get(f"/staff/audit?before={older}").get_data(as_text=True)) == 5


def test_the_csv_export_holds_the_filtered_events_with_safe_cells(client, login, make_user, logged):
    login(make_user(role="admin"))
    response = client.get("/staff/audit.csv?who=eleni")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    header, *events = rows
    assert header[:5] == ["Event", "When (UTC)", "Who", "What", "Action"]
    assert [row[4] for row in events] == ["phase.open_early", "municipality.population"]
    opened = events[0]
    assert opened[3] == "opened a phase early" and opened[5] == "Edition 7"
    # The reason started with "=", but only inside the JSON and the change cell, which start otherwise.
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in events for cell in row)
    assert "reason: — → =HYPERLINK" in opened[8]


def test_spreadsheet_safe_cells():
    assert spreadsheet_safe("=1+1") == "'=1+1"
    assert spreadsheet_safe("+31 20 123") == "'+31 20 123"
    assert spreadsheet_safe("-2") == "'-2" and spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("\t=cmd") == "'\t=cmd"
    assert spreadsheet_safe("maria@example.org") == "maria@example.org"
    assert spreadsheet_safe(-2) == -2


def test_a_dangerous_actor_label_is_defused_in_the_export(db, app):
    with app.test_request_context():
        event = record(db.session, None, "register.import", "process", 1, actor_label="=cmd|' /C calc'!A0")
        [_header, row] = list(csv.reader(io.StringIO(events_csv([event]))))
    assert row[2] == "'=cmd|' /C calc'!A0"


def test_changes_show_only_what_differs():
    found = changes({"status": "draft", "opinion": None, "phases": {"voting": {"ends_at": "x", "starts_at": "s"}}},
                    {"status": "signed", "opinion": "Sound.", "phases": {"voting": {"ends_at": "y", "starts_at": "s"}},
                     "warnings": []})
    assert [(c.field, c.before, c.after) for c in found] == [
        ("status", "draft", "signed"), ("opinion", "—", "Sound."), ("phases.voting.ends_at", "x", "y"),
        ("warnings", "—", "—")]


def test_the_export_is_limited_to_the_viewers_municipalities(client, db, login, make_user, make_process):
    from pb.processes.models import Municipality

    here = make_process()
    elsewhere = Municipality(slug="elsewhere", name="Elsewhere", country_code="GR", timezone="Europe/Athens")
    db.session.add(elsewhere)
    there = make_process(slug="e-2026")
    there.municipality = elsewhere
    db.session.commit()
    record(db.session, None, "process.update", "process", here.id, after={"town": "here"})
    record(db.session, None, "process.update", "process", there.id, after={"town": "there"})
    db.session.commit()
    login(make_user(role="legal_officer", municipalities=[here.municipality]))
    text = client.get("/staff/audit.csv").get_data().decode("utf-8-sig")
    assert '""town"": ""here""' in text and "there" not in text
