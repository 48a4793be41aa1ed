"""An edition's set-up as a file: the README's example creates it, export then create gives the same set-up,
and a bad file names every problem by its key path and creates nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from pb.audit.models import AuditEvent
from pb.errors import Problems
from pb.processes.models import BallotKind, District, Municipality, Phase, PhaseKind, Pool, Process
from pb.setup import files, services

EXAMPLE = Path(__file__).with_name("kalamata-2027.toml")
LANGUAGES = ["en", "el"]


def _create(text: str, slug: str | None = None) -> Process:
    edition = files.read_edition_file(text)
    process, _done = files.create_from_file(None, edition.with_slug(slug) if slug else edition, LANGUAGES)
    return process


def _counts(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Municipality, District, Process, Pool, Phase, AuditEvent)}


def _setup(process: Process) -> dict:
    """What set-up a process has, without its ids and address name."""
    snapshot = services.edition_snapshot(process)
    snapshot.pop("slug")
    for pool in snapshot["pools"]:
        pool.pop("id")
    snapshot["districts"] = sorted((d.code, d.name, d.population) for d in process.municipality.districts)
    return snapshot


def test_the_readme_example_creates_the_edition(app, db):
    process = _create(EXAMPLE.read_text(encoding="utf-8"))
    db.session.commit()
    municipality = process.municipality
    assert (municipality.slug, municipality.name, municipality.country_code, municipality.timezone,
            municipality.population) == ("kalamata", "Δήμος Καλαμάτας", "GR", "Europe/Athens", 54100)
    assert municipality.languages == ["el", "en"]  # the country's language first, then the others pb offers
    assert {(d.code, d.population) for d in municipality.districts} == {("kentro", 23400), ("paralia", 30700)}
    assert (process.slug, process.fiscal_year, process.currency, process.tally_rule, process.min_voter_age) == (
        "2027", 2027, "EUR", "equalshares/add1", 16)
    assert process.categories == ["πράσινο", "κυκλοφορία", "πολιτισμός"]
    city, paralia = process.pools
    assert (city.district, city.amount, city.ballot_kind, city.min_spend_basis_points) == (
        None, 40_000_000, BallotKind.KNAPSACK, 5000)
    assert (paralia.district.code, paralia.amount, paralia.ballot_kind, paralia.max_choices) == (
        "paralia", 10_000_000, BallotKind.APPROVAL, 5)
    phases = {p.kind: p for p in process.phases}
    assert set(phases) == {PhaseKind.PROPOSALS, PhaseKind.REVIEW, PhaseKind.VOTING}
    # A date is its midnight in Athens (UTC+2 in January, UTC+3 in April).
    assert phases[PhaseKind.PROPOSALS].starts_at == dt.datetime(2027, 1, 10, 22, 0, tzinfo=dt.UTC)
    assert phases[PhaseKind.PROPOSALS].ends_at == phases[PhaseKind.REVIEW].starts_at
    assert phases[PhaseKind.VOTING].ends_at == dt.datetime(2027, 4, 25, 21, 0, tzinfo=dt.UTC)
    events = {e.action for e in db.session.scalars(sa.select(AuditEvent))}
    assert {"municipality.create", "district.create", "process.create"} <= events


def test_export_then_create_under_another_slug_gives_the_same_setup(app, db):
    original = _create(EXAMPLE.read_text(encoding="utf-8"))
    db.session.commit()
    text = files.export_edition(original)
    copy = _create(text, slug="2027-again")
    db.session.commit()
    assert copy.id != original.id and copy.municipality_id == original.municipality_id
    assert _setup(copy) == _setup(original)
    # And the export of the copy is the export of the original, but for the address name.
    assert files.export_edition(copy).replace("2027-again", "2027") == text


def test_the_minimum_vote_share_goes_into_the_file_and_back(app, db):
    text = EXAMPLE.read_text(encoding="utf-8").replace('tally_rule = "', 'min_vote_share = 0.025\ntally_rule = "', 1)
    process = _create(text)
    db.session.commit()
    assert process.min_vote_share_basis_points == 250  # 2.5% of the voters, as the tally counts it
    exported = files.export_edition(process)
    assert "min_vote_share = 0.025" in exported
    assert _create(exported, slug="2027-again").min_vote_share_basis_points == 250


def test_creating_an_edition_that_exists_is_refused(app, db):
    _create(EXAMPLE.read_text(encoding="utf-8"))
    db.session.commit()
    before = _counts(db)
    with pytest.raises(Problems) as refused:
        _create(EXAMPLE.read_text(encoding="utf-8"))
    assert refused.value.problems[0][0] == "process.slug"
    assert "already" in refused.value.problems[0][1]
    db.session.rollback()
    assert _counts(db) == before


BAD_FILE = """
[municipality]
slug = "Bad Slug"
name = ""
country = "XX"
timezone = "Mars/Olympus"
population = -4
languages = ["fr"]
mayor = "nobody"

[[municipality.districts]]
code = "a"
name = "A"

[[municipality.districts]]
code = "a"
name = "A again"

[process]
slug = "2027"
name = "PB"
fiscal_year = 1999
currency = "EURO"
tally_rule = "majority"
tie_breaks = "lexico"
max_project_cost = "lots"
appeal_days = -1

[[process.pools]]
name = "City"
amount = -5
ballot = "knapsack"
min_spend_share = 1.5

[[process.pools]]
name = "City again"
amount = 10
ballot = "approval"
min_choices = 5
max_choices = 2
district = "nowhere"

[[process.pools]]
name = "Points"
amount = "ten"
ballot = "cumulative"
max_points_per_project = 3

[[process.phases]]
kind = "voting"
starts = "2027-04-05"
ends = "2027-04-01"

[[process.phases]]
kind = "proposals"
starts = "2027-05-01"
ends = "2027-06-01"

[[process.phases]]
kind = "review"
starts = "someday"
ends = "2027-06-01"

[[process.phases]]
kind = "party"
starts = "2027-07-01"
ends = "2027-07-02"
"""

# Each key path the bad file gets wrong, with a word its message must say.
EXPECTED = {
    "municipality.mayor": "Unknown key",
    "process.tie_breaks": "tie_break",
    "municipality.slug": "Latin letters",
    "municipality.name": "name",
    "municipality.country": "ISO code",
    "municipality.timezone": "time zone",
    "municipality.population": "whole number",
    "municipality.languages": "fr",
    "municipality.districts[2].code": "two districts",
    "process.currency": "ISO code",
    "process.tally_rule": "counting rule",
    "process.fiscal_year": "2000",
    "process.max_project_cost": "not an amount of money",
    "process.appeal_days": "whole number",
    "process.pools[1].amount": "more than zero",
    "process.pools[1].min_spend_share": "150%",
    "process.pools[2].district": "not a district",
    "process.pools[2].min_choices": "more than the most",
    "process.pools[3].amount": "not an amount of money",
    "process.pools[3].total_points": "points",
    "process.pools[3].district": "city-wide",
    "process.phases[1].ends": "must end after it starts",
    "process.phases[3].starts": "not a date",
    "process.phases[4].kind": "not a phase",
}


def test_a_bad_file_names_every_problem_by_its_key_and_creates_nothing(app, db):
    before = _counts(db)
    with pytest.raises(Problems) as refused:
        _create(BAD_FILE)
    found = {}
    for name, message in refused.value.problems:
        found.setdefault(name, message)
    for key, word in EXPECTED.items():
        assert key in found, (key, sorted(found))
        assert word in found[key], (key, found[key])
    db.session.rollback()
    assert _counts(db) == before


def test_a_file_that_is_not_toml_is_refused_with_its_line(app, db):
    with pytest.raises(Problems) as refused:
        files.read_edition_file("[municipality]\nslug = kalamata\n")
    assert "not valid TOML" in refused.value.message and "line 2" in refused.value.message


def test_the_commands_create_export_import_and_show_readiness(app, db, tmp_path):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["process", "create", str(EXAMPLE)])
    assert created.exit_code == 0, created.output
    assert "created edition kalamata/2027" in created.output
    again = runner.invoke(args=["process", "create", str(EXAMPLE)])
    assert again.exit_code == 1 and "process.slug" in again.output and "Nothing was created" in again.output
    exported = runner.invoke(args=["process", "export", "kalamata/2027"])
    assert exported.exit_code == 0 and exported.output.startswith("# pb set-up of kalamata/2027")
    path = tmp_path / "copy.toml"
    path.write_text(exported.output, encoding="utf-8")
    copied = runner.invoke(args=["process", "create", str(path), "--slug", "2028"])
    assert copied.exit_code == 0, copied.output
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_FILE, encoding="utf-8")
    refused = runner.invoke(args=["process", "create", str(bad)])
    assert refused.exit_code == 1 and "process.pools[2].min_choices:" in refused.output
    election = Path(__file__).parents[2] / "pb" / "demo_data" / "Netherlands_Assen_2024.pb"
    imported = runner.invoke(args=["process", "import-pabulib", str(election), "kalamata/assen-2024",
                                   "--name", "Assen 2024"])
    assert imported.exit_code == 0, imported.output
    assert "84 ballots" in imported.output
    nowhere = runner.invoke(args=["process", "import-pabulib", str(election), "nowhere/2024"])
    assert nowhere.exit_code == 2 and "no municipality" in nowhere.output
    readiness = runner.invoke(args=["process", "readiness", "kalamata/2027"])
    assert readiness.exit_code == 0 and "[ ] Import the voter register" in readiness.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Process)) == 3


def test_the_readme_shows_the_example_that_is_tested():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Setting up an edition"):]
    shown = section[section.index("```toml\n") + len("```toml\n"):section.index("```\n\nEvery key")]
    assert shown == EXAMPLE.read_text(encoding="utf-8")
