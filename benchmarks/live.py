"""Time the live representativeness of a running vote: 100,000 participants over 12 districts and 14 days.

Usage:
    python benchmarks/live.py                        # a fresh SQLite file in a temporary folder
    python benchmarks/live.py --voters 200000 --repeat 5
    python benchmarks/live.py --database postgresql://...   # a database it may fill

The synthetic process has 12 districts, a census by district, age band and sex, a register of 1.5 times
``--voters`` residents born 1940-2008, and ``--voters`` residents who voted (online, on paper or in person,
spread over the 14 days of the vote), each with a counted ballot carrying a sex. Timed, best of ``--repeat``:
the pure computation (``pb.reports.live.live_figures``) on arrays, and the whole page's work from the
database (``pb.reports.monitoring.live``: the participations, the ballots' sexes, the census, the
thresholds), which is also what ``flask report flags`` computes for each running vote. Seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Run from a checkout without installing: the repository root goes first on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from pb.reports import live as live_module
from pb.reports.metrics import Population

DISTRICTS = [f"District {n:02d}" for n in range(1, 13)]
DAYS = 14


def best(repeat: int, work: Callable[[], object]) -> tuple[float, object]:
    """The shortest of ``repeat`` runs, and the last result."""
    return best_of(repeat, work)[0], best_of.last


def best_of(repeat: int, work: Callable[[], object]) -> tuple[float, float]:
    """The shortest wall time and the shortest CPU time of this process (SQLite runs inside it) of ``repeat``
    runs; CPU time is what a shared machine's load does not inflate."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        best_of.last = work()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def pure(voters: int, repeat: int) -> float:
    """The computation alone, on arrays as the adapter hands them over."""
    rng = np.random.default_rng(7)
    population = Population(eligible=voters * 3, eligible_by={"district": {d: voters * 3 // 12 for d in DISTRICTS}})
    columns = {
        "district": live_module.Column(tuple(DISTRICTS), rng.integers(0, 12, voters)),
        "age_band": live_module.Column(("18-34", "35-64", "65+"), rng.integers(0, 3, voters)),
        "channel": live_module.Column(("online", "paper", "in_person"), rng.integers(0, 3, voters)),
    }
    days = rng.integers(0, DAYS, voters)
    seconds, _ = best(repeat, lambda: live_module.live_figures(columns, days, [str(d) for d in range(DAYS)],
                                                               population))
    return seconds


def store(voters: int) -> int:
    """A running process with ``voters`` participants in the database of the app in context; its id."""
    import sqlalchemy as sa
    from flask import current_app
    from flask_migrate import upgrade

    from pb.core.db import utcnow
    from pb.extensions import db
    from pb.processes.models import District, Municipality, Phase, Pool, Process
    from pb.processes.phases import schedule_around_vote
    from pb.reports.models import PopulationBaseline, PopulationFigure
    from pb.voting.models import Ballot, Channel, CountedBallot, Participation, VoterRegisterEntry

    upgrade(directory=current_app.extensions["migrate"].directory)
    rng = random.Random(7)
    city = Municipality(slug=f"live-{secrets.token_hex(4)}", name="Synthetic city", country_code="GR",
                        timezone="Europe/Athens", population=voters * 4)
    districts = [District(code=f"d{n:02d}", name=name, population=voters * 4 // 12)
                 for n, name in enumerate(DISTRICTS, 1)]
    city.districts.extend(districts)
    process = Process(municipality=city, slug="2026", name="PB 2026", fiscal_year=2026, currency="EUR",
                      collect_demographics=True)
    opened = utcnow() - dt.timedelta(days=DAYS - 1, hours=1)
    for position, (kind, begin, end) in enumerate(schedule_around_vote(opened, opened + dt.timedelta(days=DAYS + 1))):
        process.phases.append(Phase(kind=kind, position=position, starts_at=begin, ends_at=end))
    pool = Pool(process=process, name="City-wide", amount=100_000_000)
    db.session.add_all([city, process, pool])
    db.session.flush()
    register = int(voters * 1.5)
    db.session.execute(sa.insert(VoterRegisterEntry), [
        {"process_id": process.id, "reference_hash": secrets.token_hex(32), "birth_year": rng.randint(1940, 2008),
         "district_id": districts[i % 12].id, "imported_at": opened} for i in range(register)])
    entry_ids = db.session.scalars(sa.select(VoterRegisterEntry.id).where(
        VoterRegisterEntry.process_id == process.id)).all()
    channels = [Channel.ONLINE, Channel.ONLINE, Channel.PAPER, Channel.IN_PERSON]
    db.session.execute(sa.insert(Participation), [
        {"pool_id": pool.id, "register_entry_id": entry_id, "channel": rng.choice(channels),
         "created_at": opened + dt.timedelta(seconds=rng.randint(0, (DAYS - 1) * 86400))}
        for entry_id in rng.sample(entry_ids, voters)])
    ballots = [{"id": secrets.token_hex(16), "pool_id": pool.id, "receipt_hash": secrets.token_hex(32),
                "channel": Channel.ONLINE, "sex": rng.choice("FM")} for _ in range(voters)]
    db.session.execute(sa.insert(Ballot), ballots)
    db.session.execute(sa.insert(CountedBallot), [
        {"owner_tag": f"bench-{b['id']}", "pool_id": pool.id, "ballot_id": b["id"]} for b in ballots])
    baseline = PopulationBaseline(process_id=process.id, source="Synthetic census", as_of=dt.date(2026, 1, 1))
    baseline.figures.append(PopulationFigure(attribute="total", group="", population=voters * 4, eligible=register))
    baseline.figures.extend(PopulationFigure(attribute="district", group=d.code, population=voters * 4 // 12,
                                             eligible=register // 12) for d in districts)
    baseline.figures.extend(PopulationFigure(attribute="sex", group=s, eligible=register // 2) for s in "FM")
    db.session.add(baseline)
    db.session.commit()
    return process.id


def main() -> None:
    """Run the timings and print them as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", help="SQLAlchemy URL of a database the benchmark may fill")
    args = parser.parse_args()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| what | voters | seconds (wall, CPU) |\n|---|---:|---:|")
    print(f"| live figures, computation only | {args.voters:,} | {pure(args.voters, args.repeat):.3f} |")

    from pb import create_app
    from pb.extensions import db
    from pb.processes.models import Process
    from pb.reports import monitoring

    url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='pb-live-')}/live.sqlite3"
    app = create_app({"PB_ENV": "testing", "SECRET_KEY": "benchmark", "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        start = time.perf_counter()
        process_id = store(args.voters)
        setup = time.perf_counter() - start
        with app.test_request_context():
            process = db.session.get(Process, process_id)
            seconds, cpu = best_of(args.repeat, lambda: monitoring.live(process))
            figures = best_of.last
            assert figures.voters == args.voters, figures.voters
            print(f"| {url.split(':')[0]}: live page's figures from the database, {len(figures.days)} days, "
                  f"{len(figures.groups)} groups (storing took {setup:.0f} s) | {args.voters:,} | {seconds:.3f} "
                  f"(CPU {cpu:.3f}) |")


if __name__ == "__main__":
    main()
