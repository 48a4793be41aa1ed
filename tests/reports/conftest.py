"""Fixtures of the report tests: the shared folder of real Pabulib elections and the demo files."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

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


#: The census of the live vote: 40 eligible residents in North, 40 in South.
LIVE_CENSUS = "district,age_band,sex,population,eligible\n,,,1000,80\nnorth,,,500,40\nsouth,,,500,40\n"


@pytest.fixture
def live_vote(db, make_user, make_process, make_project, put_mandate_in_force):
    """A vote that opened two days ago in a municipality with two districts (North and South, 40 eligible each),
    with the census, thresholds whose amber band reaches 1.9, a clerk, a legal officer and a resident, and
    a register of 40 residents per district born in 1980 (references N00.. and S00..). ``vote(district, n, day, channel)``
    records n participations of not yet participating residents of the district on day 0, 1 or 2."""
    import datetime as dt
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from pb.core.db import utcnow
    from pb.processes.models import District
    from pb.reports import metrics, services
    from pb.voting import services as voting
    from pb.voting.ballot_rules import Choice
    from pb.voting.models import Channel, Participation

    process = make_process(slug="live", vote_in_days=-2)
    put_mandate_in_force(process)
    municipality = process.municipality
    if not any(d.code == "south" for d in municipality.districts):
        municipality.districts.append(District(code="south", name="South", population=500))
    db.session.commit()
    clerk, legal, resident = make_user(role="clerk"), make_user(role="legal_officer"), make_user()
    rows = ["reference,birth_year,district"]
    rows += [f"N{i:02d},1980,north" for i in range(40)] + [f"S{i:02d},1980,south" for i in range(40)]
    voting.import_register(clerk, process, "\n".join(rows) + "\n")
    services.import_census(clerk, process, services.CensusInput(LIVE_CENSUS, "Test census", dt.date(2026, 1, 1)))
    services.set_thresholds(legal, municipality, metrics.Thresholds(representation_amber=(0.6, 1.9)))
    db.session.commit()
    opened = process.voting_phase.starts_at
    pool = process.pools[0]
    project = make_project(process, status="on_ballot", code="L1")
    used: dict[str, int] = {"north": 0, "south": 0}

    def vote(district: str, n: int, day: int, channel: Channel = Channel.PAPER) -> None:
        # Day 0 just after the opening; a later day one hour after its local midnight (or now, on today).
        zone = ZoneInfo(municipality.timezone)
        midnight = dt.datetime.combine(opened.astimezone(zone).date() + dt.timedelta(days=day), dt.time(), zone)
        when = opened + dt.timedelta(seconds=1) if day == 0 else min(midnight + dt.timedelta(hours=1), utcnow())
        for number in range(used[district], used[district] + n):
            voting.enter_paper_ballot(clerk, pool, f"{district[0].upper()}{number:02d}", [Choice(project.id)],
                                      f"live-{district}-{number}", channel=channel)
        # Entered now, as if on the given day of the vote (participations carry the time; ballots none).
        db.session.execute(sa.update(Participation).where(Participation.id.in_(
            sa.select(Participation.id).order_by(Participation.id.desc()).limit(n).scalar_subquery()))
            .values(created_at=when))
        used[district] += n
        db.session.commit()

    def day(index: int) -> dt.date:
        """The local date of day ``index`` of the vote."""
        return opened.astimezone(ZoneInfo(municipality.timezone)).date() + dt.timedelta(days=index)

    return SimpleNamespace(process=process, clerk=clerk, legal=legal, resident=resident, vote=vote, pool=pool,
                           day=day)
