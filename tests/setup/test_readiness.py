"""Readiness: one pure function says what each phase lacks; the dashboard shows it, an early opening is refused
with it, and a preset's demand (a published ex-ante assessment) is part of it."""

from __future__ import annotations

import pytest

from pb.errors import InvalidTransition
from pb.processes.models import BallotKind, PhaseKind
from pb.setup.readiness import Facts, PoolFacts, checklist, missing


def _facts(**changes) -> Facts:
    ready = dict(phases=frozenset(PhaseKind), pools=(PoolFacts("City", BallotKind.APPROVAL, 100, projects_on_ballot=3),),
                 categories=4, has_description=True, proposals=5, public_projects=5, awaiting_review=0,
                 register_entries=100, has_mandate=True, mandate_covers_vote=True, vote_closed=True, winners=2,
                 winners_decided=2)
    return Facts(**{**ready, **changes})


def _codes(items) -> set[str]:
    return {item.code for item in items}


def test_a_complete_edition_lacks_nothing():
    assert all(not missing(_facts(), kind) for kind in PhaseKind)


def test_each_phase_names_what_it_lacks():
    bare = _facts(pools=(), categories=0, has_description=False, proposals=0, public_projects=0, register_entries=0,
                  has_mandate=False, mandate_covers_vote=False, vote_closed=False, winners=0, winners_decided=0)
    assert _codes(missing(bare, PhaseKind.PROPOSALS)) == {"pools", "pool_amounts", "categories"}
    assert _codes(missing(bare, PhaseKind.REVIEW)) == {"proposals"}
    assert _codes(missing(bare, PhaseKind.VOTING)) == {"pools", "pool_amounts", "ballot_rules", "ballot_projects",
                                                       "register", "mandate"}
    assert _codes(missing(bare, PhaseKind.IMPLEMENTATION)) == {"vote_closed"}


def test_voting_needs_complete_rules_and_projects_on_every_pool_that_counts():
    pools = (PoolFacts("City", BallotKind.CUMULATIVE, 100, total_points=None, projects_on_ballot=4),
             PoolFacts("North", BallotKind.APPROVAL, 50, projects_on_ballot=0),
             PoolFacts("Annulled", BallotKind.APPROVAL, 50, projects_on_ballot=0, annulled=True))
    lacking = {item.code: item for item in missing(_facts(pools=pools, awaiting_review=2), PhaseKind.VOTING)}
    assert lacking["ballot_rules"].numbers["pools"] == "City"
    assert lacking["ballot_projects"].numbers["pools"] == "North"
    assert lacking["reviews_done"].numbers["count"] == 2


def test_a_preset_demand_is_an_item_of_the_vote():
    lacking = missing(_facts(preset_demands={"ex_ante_assessment": False}), PhaseKind.VOTING)
    assert _codes(lacking) == {"preset:ex_ante_assessment"}
    assert not missing(_facts(preset_demands={"ex_ante_assessment": True}), PhaseKind.VOTING)


def test_every_item_has_words_and_a_page(app):
    from pb.setup.labels import LINKS, item_text

    with app.test_request_context():
        for items in checklist(_facts(preset_demands={"ex_ante_assessment": False})).values():
            for item in items:
                assert item_text(item) and "%(" not in item_text(item)
        bare = checklist(_facts(pools=(), register_entries=0, vote_closed=False, has_mandate=False,
                                mandate_covers_vote=False))
        for items in bare.values():
            for item in items:
                if not item.ok:
                    assert item.code in LINKS, item.code
                    assert "%(" not in item_text(item)


def test_opening_a_phase_early_is_refused_with_what_it_lacks(app, db, make_process, make_user, put_mandate_in_force,
                                                             make_ready_for_voting):
    from pb.processes.services import open_phase_now

    clerk = make_user(role="clerk")
    process = make_process(vote_in_days=10)
    put_mandate_in_force(process)
    with app.test_request_context():
        with pytest.raises(InvalidTransition) as refused:
            open_phase_now(clerk, process, PhaseKind.VOTING, "The council decided to open early.")
        assert "not ready to open" in refused.value.message
        assert "Import the voter register" in refused.value.message
        make_ready_for_voting(process)
        open_phase_now(clerk, process, PhaseKind.VOTING, "The council decided to open early.")


def test_a_greek_mandate_asks_for_the_published_ex_ante_assessment(app, db, make_process, make_user,
                                                                  put_mandate_in_force, make_ready_for_voting):
    from flask_babel import gettext

    from pb.reports import services as reports
    from pb.reports.models import AssessmentMode
    from pb.setup.queries import missing_for

    process = make_ready_for_voting(make_process(vote_in_days=10))
    mandate = put_mandate_in_force(process)
    mandate.preset = "gr"
    db.session.commit()
    with app.test_request_context():
        assert _codes(missing_for(process, PhaseKind.VOTING)) == {"preset:ex_ante_assessment"}
        officer = make_user(role="legal_officer")
        version = reports.generate_version(officer, reports.assessment_for(process, AssessmentMode.EX_ANTE),
                                           translate=gettext, locale="en")
        assert _codes(missing_for(process, PhaseKind.VOTING)) == {"preset:ex_ante_assessment"}  # not yet public
        reports.publish_version(officer, version)
        assert not missing_for(process, PhaseKind.VOTING)
