"""The demo builds two real elections and a live vote once, and running it again duplicates nothing."""

from __future__ import annotations

import sqlalchemy as sa

from pb.models import AuditEvent, Ballot, BallotChoice, Municipality, Participation, Phase, Pool, Process, Project, User


def _counts(db) -> dict[str, int]:
    return {model.__name__: db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()
            for model in (Process, Phase, Pool, Project, Ballot, BallotChoice, Participation, User, AuditEvent)}


def test_demo_is_built_once(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    for line in ("resident@example.org", "clerk@example.org", "legal@example.org", "admin@example.org"):
        assert line in first.output
    counts = _counts(db)
    live_voters = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.email.like("%@perivoli.example")))
    # Grochów and Assen (imported), Perivoli (voting), Kalamata (proposals), Nea Akti (supports).
    assert counts["Process"] == 5 and counts["Pool"] == 2 + 3 + 2 + 2
    assert counts["User"] == 6 + live_voters + 3 + 8 + 6
    # Perivoli: every third of 400 register entries voted, city-wide and in their district.
    assert counts["Ballot"] == counts["Participation"] == 2106 + 84 + 2 * (400 // 3)
    assert counts["Phase"] == 8 + 8 + 8 + 4 + 4
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "nothing new" in second.output
    assert _counts(db) == counts


def test_demo_keeps_the_real_data(app, db):
    from pb.demo import build_demo

    build_demo()
    grochow = db.session.execute(sa.select(Process).where(Process.slug == "2026-grochow")).scalar_one()
    assert grochow.currency == "PLN" and grochow.tally_rule == "greedy-threshold"
    assert grochow.pools[0].amount == 205_587_900  # 2,055,879 PLN in grosze
    assert grochow.pools[0].max_choices == 5
    paper = db.session.execute(sa.select(sa.func.count()).select_from(Ballot).where(
        Ballot.pool_id == grochow.pools[0].id, Ballot.channel == "paper")).scalar()
    assert 0 < paper < 2106
    seniors = db.session.execute(sa.select(sa.func.count()).select_from(Ballot).where(
        Ballot.age_band == "65+")).scalar()
    assert seniors > 0
    assen = db.session.execute(sa.select(Process).where(Process.slug == "2024-top-idee")).scalar_one()
    assert assen.tally_rule == "equalshares/add1" and assen.min_voter_age == 12
    funded = {p.code for p in db.session.execute(sa.select(Project).where(
        Project.process_id == assen.id, Project.status == "selected")).scalars()}
    assert funded == {"2", "3", "5", "6", "9", "11", "12", "13", "14"}



def test_demo_municipalities_have_an_accessibility_contact(client, db):
    from pb.demo import build_demo

    build_demo()
    db.session.commit()
    page = client.get("/accessibility").get_data(as_text=True)
    assert "accessibility@warszawa.example.org" in page and "2026-12-01" in page


def test_demo_refuses_production_without_force(make_app):
    app = make_app(PB_ENV="production", PB_BASE_URL="https://pb.city.example",
                   RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15", PB_BALLOT_KEY="b" * 32, PB_REGISTER_KEY="r" * 32)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "published passwords" in result.output


def test_the_live_vote_is_open_and_secret(app, db):
    from pb.demo import build_demo
    from pb.processes.services import Action, is_open

    build_demo()
    perivoli = db.session.execute(sa.select(Process).join(Process.municipality).where(
        Process.slug == "2027", Municipality.slug == "perivoli")).scalar_one()
    assert is_open(perivoli, Action.VOTE) and perivoli.vote_closed_at is None
    channels = set(db.session.scalars(sa.select(Ballot.channel).join(Pool).where(Pool.process_id == perivoli.id)))
    assert {c.value for c in channels} == {"online", "paper"}
    # The receipts page has a published root to show, over every counted ballot so far.
    from pb.voting import queries

    roots = queries.receipt_roots(perivoli)
    assert roots and roots[0].ballots == len(queries.receipt_hashes(perivoli)) > 0
    # Its mandate was signed, from the Greek preset as the file stands, before the vote opened.
    from pb.mandate.presets import preset
    from pb.mandate.queries import mandate_in_force

    mandate = mandate_in_force(perivoli)
    voting = next(phase for phase in perivoli.phases if phase.kind.value == "voting")
    assert mandate.signed_at.replace(tzinfo=None) < voting.starts_at.replace(tzinfo=None)
    assert (mandate.preset_version, mandate.preset_sha256) == (preset("gr").version, preset("gr").sha256)


def test_demo_projects_use_the_category_vocabulary():
    # Residents filter projects by these categories and see them translated; a word outside the vocabulary
    # is missing from the filter and shows untranslated on Greek pages.
    from pb.demo_vote import PROJECTS
    from pb.proposals.vocabulary import CATEGORIES

    assert {category for *_, category in PROJECTS} <= set(CATEGORIES)


def test_the_demo_has_an_edition_for_every_resident_action(app, db):
    from pb.demo import build_demo
    from pb.processes.queries import process_by_slug
    from pb.processes.services import Action, is_open

    build_demo()
    kalamata, nea_akti = process_by_slug("kalamata", "2027"), process_by_slug("nea-akti", "2027")
    assert is_open(kalamata, Action.PROPOSE) and is_open(kalamata, Action.COMMENT)
    assert is_open(nea_akti, Action.SUPPORT) and not is_open(nea_akti, Action.PROPOSE)
    # Each was made from its set-up file: the README's Kalamata example, and its categories in Greek.
    assert kalamata.categories == ["πράσινο", "κυκλοφορία", "πολιτισμός"]
    assert [pool.ballot_kind.value for pool in nea_akti.pools] == ["approval", "cumulative"]
    on_ballot = db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(
        Project.process_id == nea_akti.id, Project.status == "on_ballot"))
    assert on_ballot == 6
    from pb.models import Support

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Support)) == 16
    # Perivoli's vote is ready in every way its Greek mandate asks, the ex-ante assessment included.
    from pb.processes.models import PhaseKind
    from pb.setup.queries import missing_for

    assert not missing_for(process_by_slug("perivoli", "2027"), PhaseKind.VOTING)


def test_the_closing_hint_is_a_command_that_works_as_printed(tmp_path, monkeypatch):
    from pb.demo import run_command

    flask = tmp_path / ".venv" / "bin" / "flask"
    flask.parent.mkdir(parents=True)
    flask.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    assert run_command(str(flask), {"PB_ENV": "development"}) == "PB_ENV=development .venv/bin/flask --app pb run"
    assert run_command(".venv/bin/flask", {"PB_ENV": "development", "PB_DATABASE_URL": "sqlite:////tmp/a b.db"}) == (
        "PB_ENV=development PB_DATABASE_URL='sqlite:////tmp/a b.db' .venv/bin/flask --app pb run")
    # Run some other way (python -m flask, a test runner): the plain command.
    assert run_command("/usr/lib/python3/pytest", {}) == "flask --app pb run"


def test_demo_staff_hold_their_roles_in_the_demo_municipalities(app, db):
    from pb.accounts.permissions import works_in
    from pb.accounts.services import find_user
    from pb.demo import build_demo

    build_demo()
    towns = {m.slug: m.id for m in db.session.scalars(sa.select(Municipality))}
    assert set(towns) == {"warszawa", "assen", "perivoli", "kalamata", "nea-akti"}
    for email in ("clerk@example.org", "legal@example.org"):
        user = find_user(email)
        assert user.municipality_ids == set(towns.values()) and not user.all_municipalities
    assert find_user("admin@example.org").all_municipalities
    assen_clerk = find_user("clerk.assen@example.org")
    assert works_in(assen_clerk, towns["assen"]) and not works_in(assen_clerk, towns["perivoli"])
