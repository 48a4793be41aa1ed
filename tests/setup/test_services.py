"""The set-up services: what a clerk gets wrong is refused on its field and stores nothing; what may change
when; districts in use; the schedule; a copy for next year; every change in the audit log."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from pb.audit.models import AuditEvent
from pb.core.db import utcnow
from pb.errors import InvalidTransition, NotAllowed, Problems, ValidationError
from pb.processes.models import District, Municipality, Phase, PhaseKind, Pool, Process
from pb.proposals.models import Project
from pb.setup import services
from pb.setup.rules import DistrictValues, EditionValues, MunicipalityValues, PhaseValues, PoolValues


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def admin(make_user):
    return make_user(role="admin")


@pytest.fixture
def clerk(make_user):
    return make_user(role="clerk")


@pytest.fixture
def town(db, ctx, admin):
    """A municipality with two districts, made through the services."""
    municipality = services.create_municipality(admin, MunicipalityValues("sparti", "Δήμος Σπάρτης", "GR",
                                                                          "Europe/Athens", "35000"))
    services.add_district(admin, municipality, DistrictValues("north", "North", "20000"))
    services.add_district(admin, municipality, DistrictValues("south", "South", "15000"))
    db.session.commit()
    return municipality


GOOD = EditionValues(slug="2027", name="PB 2027", fiscal_year="2027", currency="EUR", tally_rule="equalshares/add1")
CITY = PoolValues(name="City", amount="400000", ballot="knapsack", min_spend_share="0.5")
NORTH = PoolValues(name="North", amount="100000", district="north", ballot="approval", max_choices="3")
PHASES = [PhaseValues("proposals", "2031-01-11", "2031-02-15"), PhaseValues("review", "2031-02-15", "2031-03-15"),
          PhaseValues("voting", "2031-04-05", "2031-04-26")]


def _counts(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Municipality, District, Process, Pool, Phase, AuditEvent)}


def _edition(**changes) -> EditionValues:
    return dataclasses.replace(GOOD, **changes)


def _pool(base: PoolValues = CITY, **changes) -> PoolValues:
    return dataclasses.replace(base, **changes)


# (what is wrong, edition values, pools, phases, the field that says so, words of its message)
BAD_EDITIONS = [
    ("a slug with spaces", _edition(slug="pb 2027"), [CITY], PHASES, "slug", "Latin letters"),
    ("no name", _edition(name="  "), [CITY], PHASES, "name", "Enter the name"),
    ("a fiscal year that is not a year", _edition(fiscal_year="next"), [CITY], PHASES, "fiscal_year", "2000"),
    ("an unknown currency", _edition(currency="EUX"), [CITY], PHASES, "currency", "ISO code"),
    ("an unknown counting rule", _edition(tally_rule="majority"), [CITY], PHASES, "tally_rule", "counting rule"),
    ("greedy-threshold without its threshold", _edition(tally_rule="greedy-threshold"), [CITY], PHASES,
     "min_project_score", "threshold"),
    ("a vote share above 100%", _edition(min_vote_share="1.5"), [CITY], PHASES, "min_vote_share", "150%"),
    ("a vote share finer than a hundredth of a percent", _edition(min_vote_share="0.00001"), [CITY], PHASES,
     "min_vote_share", "two decimals"),
    ("a voting age of 300", _edition(min_voter_age="300"), [CITY], PHASES, "min_voter_age", "0 to 30"),
    ("a project cap that is not money", _edition(max_project_cost="150.000,00€"), [CITY], PHASES,
     "max_project_cost", "not an amount of money"),
    ("negative appeal days", _edition(appeal_days="-3"), [CITY], PHASES, "appeal_days", "whole number"),
    ("an amount with too many decimals", GOOD, [_pool(amount="1000.005")], PHASES, "pools[1].amount", "decimals"),
    ("an amount that is not money", GOOD, [_pool(amount="a lot")], PHASES, "pools[1].amount",
     "not an amount of money"),
    ("a knapsack minimum above 100%", GOOD, [_pool(min_spend_share="1.2")], PHASES, "pools[1].min_spend_share",
     "120%"),
    ("min above max", GOOD, [_pool(NORTH, min_choices="4")], PHASES, "pools[1].min_choices",
     "more than the most"),
    ("a district of another municipality", GOOD, [_pool(NORTH, district="kentro")], PHASES, "pools[1].district",
     "not a district of this municipality"),
    ("two city-wide pools", GOOD, [CITY, _pool(name="City again")], PHASES, "pools[2].district", "city-wide"),
    ("a limit that does not apply to the ballot", GOOD, [_pool(NORTH, total_points="10")], PHASES,
     "pools[1].total_points", "does not apply"),
    ("a points ballot without its points", GOOD, [_pool(NORTH, ballot="cumulative", max_choices=None)], PHASES,
     "pools[1].total_points", "points"),
    ("a ranking without its length", GOOD, [_pool(NORTH, ballot="ranking", max_choices=None)], PHASES,
     "pools[1].max_choices", "length of the ranking"),
    ("Phragmén on a points ballot", _edition(tally_rule="phragmen"),
     [_pool(NORTH, ballot="cumulative", max_choices=None, total_points="10")], PHASES, "pools[1].ballot", "Phragmén"),
    ("a phase that ends before it starts", GOOD, [CITY], [PhaseValues("voting", "2031-04-05", "2031-04-01")],
     "phases[1].ends", "must end after it starts"),
    ("overlapping phases", GOOD, [CITY], [PhaseValues("proposals", "2031-01-11", "2031-02-20"),
                                          PhaseValues("review", "2031-02-15", "2031-03-15")],
     "phases[2].starts", "overlap"),
    ("phases out of order", GOOD, [CITY], [PhaseValues("voting", "2031-01-05", "2031-01-26"),
                                           PhaseValues("proposals", "2031-03-01", "2031-04-01")],
     "phases[1].starts", "follow the order"),
    ("a date that is not a date", GOOD, [CITY], [PhaseValues("voting", "5 April", "2031-04-26")],
     "phases[1].starts", "not a date"),
    ("a phase given twice", GOOD, [CITY], [*PHASES, PhaseValues("voting", "2031-05-05", "2031-05-26")],
     "phases[4].kind", "twice"),
]


@pytest.mark.parametrize("case", BAD_EDITIONS, ids=[case[0] for case in BAD_EDITIONS])
def test_bad_setup_input_gets_its_message_on_its_field_and_stores_nothing(db, town, clerk, case):
    _what, values, pools, phases, field, words = case
    before = _counts(db)
    with pytest.raises(Problems) as refused:
        services.create_edition(clerk, town, values, pools, phases)
    messages = dict(reversed(refused.value.problems))
    assert field in messages, refused.value.problems
    assert words in messages[field]
    db.session.rollback()
    assert _counts(db) == before


def test_bad_municipality_and_district_input_is_refused_on_its_field(db, town, admin):
    before = _counts(db)
    cases = [
        (MunicipalityValues("sparti", "Again", "GR", "Europe/Athens"), "slug", "exists already"),
        (MunicipalityValues("new-town", "New", "Greece", "Europe/Athens"), "country", "two-letter"),
        (MunicipalityValues("new-town", "New", "GR", "Athens"), "timezone", "not a time zone"),
        (MunicipalityValues("new-town", "New", "GR", "Europe/Athens", "about 5000"), "population", "whole number"),
        (MunicipalityValues("new-town", "New", "GR", "Europe/Athens", languages=("de",)), "languages", "de"),
    ]
    for values, field, words in cases:
        with pytest.raises(Problems) as refused:
            services.create_municipality(admin, values)
        assert any(name == field and words in message for name, message in refused.value.problems), (
            field, refused.value.problems)
    with pytest.raises(Problems, match="already"):
        services.add_district(admin, town, DistrictValues("north", "Another north"))
    with pytest.raises(Problems, match="Latin letters"):
        services.add_district(admin, town, DistrictValues("Νότος", "South"))
    db.session.rollback()
    assert _counts(db) == before


def test_messages_come_in_the_users_language(db, town, clerk):
    with force_locale("el"), pytest.raises(Problems) as refused:
        services.create_edition(clerk, town, GOOD, [_pool(min_spend_share="1.2")], PHASES)
    assert "120%" in refused.value.message and "μερίδιο" in refused.value.message


def test_only_administrators_set_up_municipalities_and_only_clerks_editions(db, town, clerk, make_user):
    with pytest.raises(NotAllowed):
        services.create_municipality(clerk, MunicipalityValues("x", "X", "GR", "Europe/Athens"))
    with pytest.raises(NotAllowed):
        services.create_edition(make_user(role="legal_officer"), town, GOOD, [CITY], PHASES)


def test_a_district_used_by_a_pool_can_be_renamed_but_not_deleted(db, town, admin, clerk):
    services.create_edition(clerk, town, GOOD, [CITY, NORTH], PHASES)
    db.session.commit()
    north = next(d for d in town.districts if d.code == "north")
    south = next(d for d in town.districts if d.code == "south")
    with pytest.raises(ValidationError, match="has a pool in an edition, which keeps its ballots"):
        services.delete_district(admin, north)
    with pytest.raises(Problems, match="code is fixed"):
        services.update_district(admin, north, DistrictValues("nord", "North", "20000"))
    db.session.rollback()
    services.update_district(admin, north, DistrictValues("north", "Βόρειο διαμέρισμα", "21000"))
    services.delete_district(admin, south)
    db.session.commit()
    assert {d.name for d in town.districts} == {"Βόρειο διαμέρισμα"}
    renamed = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "district.update")).one()
    assert renamed.before["name"] == "North" and renamed.after["name"] == "Βόρειο διαμέρισμα"


def _voting_now(db, town, clerk) -> Process:
    now = utcnow()
    phases = [PhaseValues("voting", now - dt.timedelta(days=1), now + dt.timedelta(days=10))]
    process = services.create_edition(clerk, town, GOOD, [CITY, NORTH], phases)
    db.session.commit()
    return process


def test_once_voting_opens_pools_rules_and_the_counting_rule_are_fixed(db, town, clerk):
    process = _voting_now(db, town, clerk)
    city = process.pools[0]
    with pytest.raises(Problems) as refused:
        services.save_pool(clerk, process, _pool(amount="500000"), city)
    assert refused.value.problems == [("amount", "Fixed since voting opened: residents are voting under this rule.")]
    with pytest.raises(ValidationError, match="voting has started"):
        services.save_pool(clerk, process, _pool(NORTH, district="south", name="South"))
    with pytest.raises(ValidationError, match="voting has started"):
        services.delete_pool(clerk, city)
    with pytest.raises(Problems) as refused:
        services.update_edition(clerk, process, _edition(tally_rule="greedy"))
    assert [name for name, _message in refused.value.problems] == ["tally_rule"]
    db.session.rollback()
    with pytest.raises(Problems) as refused:
        services.update_edition(clerk, process, _edition(min_vote_share="0.05"))
    assert [name for name, _message in refused.value.problems] == ["min_vote_share"]
    db.session.rollback()
    # The name and the description may still change; the audit log keeps both versions.
    services.update_edition(clerk, process, _edition(name="PB 2027, extended", description="More **money**."))
    db.session.commit()
    # And whatever bypasses the services is refused by the models, at the flush.
    city.max_choices = 9
    with pytest.raises(InvalidTransition, match="fixed: voting has started"):
        db.session.flush()
    db.session.rollback()
    process.tally_rule = "phragmen"
    with pytest.raises(InvalidTransition, match="fixed: voting has started"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(Pool, city.id))
    with pytest.raises(InvalidTransition, match="No pool can be removed"):
        db.session.flush()
    db.session.rollback()


def test_the_freeze_holds_without_the_voting_services(db, town, clerk):
    """The rule is kept by the models: a session that never imported pb.voting.services refuses too."""
    import subprocess
    import sys

    code = ("import pb.processes.models as m, sys; "
            "sys.exit(0 if 'pb.voting.services' not in sys.modules and m._keep_the_vote_fixed else 1)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_the_schedule_moves_only_phases_that_have_not_started(db, town, clerk):
    now = utcnow()
    phases = [PhaseValues("proposals", now - dt.timedelta(days=2), now + dt.timedelta(days=5)),
              PhaseValues("voting", now + dt.timedelta(days=20), now + dt.timedelta(days=30))]
    process = services.create_edition(clerk, town, GOOD, [CITY], phases)
    db.session.commit()
    later = [PhaseValues("review", now + dt.timedelta(days=5), now + dt.timedelta(days=12)),
             PhaseValues("voting", now + dt.timedelta(days=14), now + dt.timedelta(days=28))]
    services.set_schedule(clerk, process, later, now)
    db.session.commit()
    kinds = {p.kind: p for p in process.phases}
    assert set(kinds) == {PhaseKind.PROPOSALS, PhaseKind.REVIEW, PhaseKind.VOTING}
    assert kinds[PhaseKind.PROPOSALS].starts_at == phases[0].starts  # the running phase kept its dates
    with pytest.raises(Problems, match="has started"):
        services.set_schedule(clerk, process, [PhaseValues("proposals", now, now + dt.timedelta(days=9))], now)
    with pytest.raises(Problems, match="in the past"):
        services.set_schedule(clerk, process, [PhaseValues("voting", now - dt.timedelta(hours=1),
                                                           now + dt.timedelta(days=9))], now)
    with pytest.raises(Problems, match="overlap"):
        services.set_schedule(clerk, process, [PhaseValues("review", now + dt.timedelta(days=3),
                                                           now + dt.timedelta(days=12))], now)
    db.session.rollback()
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "process.schedule")).one()
    assert len(event.before["phases"]) == 2 and len(event.after["phases"]) == 3


def test_a_new_edition_from_an_earlier_one_moves_the_phases_by_its_years_and_copies_no_projects(db, town, clerk,
                                                                                         make_project):
    source = services.create_edition(clerk, town, _edition(max_project_cost="90000.50", ballot_order="random"),
                                     [CITY, NORTH], PHASES)
    db.session.commit()
    make_project(source)
    copy = services.copy_edition(clerk, source, "2028", "PB 2028", "2032")
    db.session.commit()
    assert (copy.fiscal_year, copy.tally_rule, copy.max_project_cost, copy.ballot_order.value) == (
        2032, "equalshares/add1", 9_000_050, "random")
    assert [(p.name, p.amount, p.ballot_kind, p.min_spend_basis_points, p.max_choices, p.district_id)
            for p in copy.pools] == [(p.name, p.amount, p.ballot_kind, p.min_spend_basis_points, p.max_choices,
                                      p.district_id) for p in source.pools]
    for old, new in zip(source.phases, copy.phases, strict=True):
        assert (new.kind, new.starts_at.year - old.starts_at.year, new.starts_at.month, new.starts_at.day) == (
            old.kind, 5, old.starts_at.month, old.starts_at.day)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project).where(
        Project.process_id == copy.id)) == 0
    with pytest.raises(Problems, match="comes after"):
        services.copy_edition(clerk, source, "2020", "PB 2020", "2026")


def test_every_setup_change_is_in_the_audit_log_with_before_and_after(db, town, clerk, admin):
    process = services.create_edition(clerk, town, GOOD, [CITY], PHASES)
    services.save_pool(clerk, process, _pool(amount="450000"), process.pools[0])
    services.set_vocabulary(clerk, process, "πράσινο\nπαιδεία", "παιδιά")
    services.update_municipality(admin, town, MunicipalityValues("sparti", "Δήμος Σπάρτης", "GR", "Europe/Athens",
                                                                 "36000", ("el", "en"), "πράσινο", "παιδιά"))
    db.session.commit()
    events = {e.action: e for e in db.session.scalars(sa.select(AuditEvent))}
    assert events["pool.update"].before["amount"] == 40_000_000 and events["pool.update"].after["amount"] == 45_000_000
    assert events["process.vocabulary"].after["categories"] == ["πράσινο", "παιδεία"]
    assert events["municipality.update"].before["population"] == 35000
    assert events["process.create"].after["pools"][0]["ballot_kind"] == "knapsack"
