"""Fixtures of the outreach tests: the live vote of the report tests, with residents who have accounts."""

from __future__ import annotations

import pytest

from tests.reports.conftest import ctx, live_vote  # noqa: F401 (fixtures the outreach tests build on)


@pytest.fixture
def residents(db, live_vote, make_user):  # noqa: F811 (the fixture imported above)
    """Two verified residents who opted in to Testville's news: Sofia (S00, South) and Nikos (N00, North, who
    also gave an SMS number); and Eleni (S01), who did not opt in."""
    from types import SimpleNamespace

    from pb.outreach import services
    from pb.voting import services as voting

    people = {}
    for name, reference in (("sofia", "S00"), ("nikos", "N00"), ("eleni", "S01")):
        user = make_user(email=f"{name}@example.org")
        voting.verify_by_register(user, live_vote.process, reference, 1980)
        people[name] = user
    municipality = live_vote.process.municipality
    services.subscribe(people["sofia"], municipality)
    services.subscribe(people["nikos"], municipality, "+30 690 000 0000")
    db.session.commit()
    return SimpleNamespace(vote=live_vote, **people)
