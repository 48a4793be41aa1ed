"""Fixtures of the report tests: the shared folder of real Pabulib elections and the demo files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tally.conftest import NO_SNAPSHOT, SHARED_DIR
from tests.voting.conftest import voting_world  # noqa: F401 (a fixture the report tests build on)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO_ROOT / "pb" / "demo_data"


@pytest.fixture(scope="session")
def pabulib_dir() -> Path:
    """A snapshot of real Pabulib elections, $PB_PABULIB_DIR; skips the test when it has no files/ folder."""
    if SHARED_DIR is None:
        pytest.skip(NO_SNAPSHOT)
    return SHARED_DIR


@pytest.fixture
def ctx(app):
    """A request context, so that services and adapters translate as in a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def counted(db, voting_world):  # noqa: F811 (the fixture imported above)
    """The voting world after its vote: the verified resident voted online in both pools, two residents on
    paper, and a clerk closed and counted the vote (advisory mandate in force)."""
    from pb.voting import services
    from pb.voting.ballot_rules import Choice

    w = voting_world
    c1, c2, c3 = (p.id for p in w.projects[:3])
    services.cast_ballot(w.resident, w.city, [Choice(c1), Choice(c2)], "t-1", sex="F")
    services.cast_ballot(w.resident, w.north, [Choice(w.north_projects[0].id)], "t-2", sex="F")
    services.enter_paper_ballot(w.clerk, w.city, "AB-1002", [Choice(c1), Choice(c3)], "t-3", sex="M")
    services.enter_paper_ballot(w.clerk, w.city, "AB-1005", [Choice(c2)], "t-4", sex="M")
    services.close_vote(w.clerk, w.process, reason="Closing the vote for the report tests.")
    db.session.commit()
    return w
