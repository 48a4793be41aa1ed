"""An imported Pabulib election comes back out of pb as the same projects and ballots, readable by pabutools."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from pb.processes.importing import import_election
from pb.processes.models import District, Municipality
from pb.tally import pabulib
from pb.tally.rules import count
from pb.voting import counting
from pb.voting.models import TallyResult

DEMO_DATA = Path(__file__).resolve().parents[2] / "pb" / "demo_data"


@pytest.mark.parametrize("name", ["Netherlands_Assen_2024.pb", "Poland_Warszawa_2026_Grochow.pb"])
def test_import_then_export_reproduces_the_election(db, tmp_path, name):
    original = pabulib.read(DEMO_DATA / name)
    municipality = Municipality(slug="m", name="M", country_code="PL", timezone="UTC")
    district = District(municipality=municipality, code="d", name="D")
    db.session.add(municipality)
    db.session.flush()
    process = import_election(db.session, None, municipality, original, slug="x", name="X", fiscal_year=2026,
                              district=district)
    db.session.commit()
    exported = counting.election_for_pool(db.session, process.pools[0])
    text = pabulib.write(exported)
    again = pabulib.parse(text)
    assert {(p.id, p.cost * original.cost_scale) for p in again.projects} == {
        (p.id, p.cost * again.cost_scale) for p in original.projects}
    assert again.budget * original.cost_scale == original.budget * again.cost_scale
    assert Counter(b.choices for b in again.ballots for _ in range(b.weight)) == Counter(
        b.choices for b in original.ballots for _ in range(b.weight))
    methods = Counter(b.attributes.get("voting_method") for b in again.ballots)
    assert sum(methods.values()) == original.voter_count
    # pabutools reads it, and the stored official result is what the rule gives on the original.
    from pabutools.election import parse_pabulib

    path = tmp_path / "export.pb"
    path.write_text(text, encoding="utf-8")
    instance, profile = parse_pabulib(str(path))
    assert len(instance) == len(original.projects) and profile.num_ballots() == original.voter_count
    stored = db.session.scalars(sa.select(TallyResult).where(TallyResult.is_official)).one()
    expected = count(original, original.rule)
    assert stored.rule == original.rule and stored.ballots_counted == original.voter_count
    assert stored.total_cost * original.cost_scale == expected.total_cost * exported.cost_scale


def test_an_imported_election_keeps_its_constraints(db):
    """The META keys of pb.tally.constraints become the process's share and the pool's sets, and come back out."""
    original = pabulib.parse(
        "META\nkey;value\nbudget;100\nvote_type;approval\nrule;greedy\nincompatible_projects;a,b\n"
        "min_vote_share;0.25\nPROJECTS\nproject_id;cost\na;60\nb;30\nc;10\nd;10\nVOTES\nvoter_id;vote\n"
        "1;a,b\n2;a,c\n3;a,b\n4;b\n")
    municipality = Municipality(slug="m", name="M", country_code="PL", timezone="UTC")
    db.session.add(municipality)
    db.session.flush()
    process = import_election(db.session, None, municipality, original, slug="x", name="X", fiscal_year=2026)
    db.session.commit()
    assert process.min_vote_share_basis_points == 2500
    (found,) = process.pools[0].incompatible_sets
    assert len(found.project_ids) == 2
    exported = counting.election_for_pool(db.session, process.pools[0])
    assert exported.meta["incompatible_projects"] == "a,b" and exported.meta["min_vote_share"] == "0.25"
    stored = db.session.scalars(sa.select(TallyResult).where(TallyResult.is_official)).one()
    assert sorted(stored.parameters) == sorted(["tie_break", "vote_type", "budget", "cost_scale",
                                                "incompatible_projects", "min_vote_share"])
    assert count(exported, "greedy").selected == count(original, "greedy").selected == ("a", "c")
