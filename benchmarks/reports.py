"""Time the reports: metrics and the ex-post impact assessment PDF of 100,000 ballots, and metrics on Warsaw.

Usage:
    python benchmarks/reports.py                   # real files from $PB_PABULIB_DIR (a folder with files/)
    python benchmarks/reports.py --ballots 200000 --repeat 5
    python benchmarks/reports.py --database sqlite:////tmp/bench.sqlite3   # or a postgresql:// URL it may wipe

The synthetic process has one city-wide pool of 60 projects spread over 12 districts, and ``--ballots``
approval ballots of 1 to 5 projects each, every ballot with its own choice tuple and attribute mapping
(district, age band, sex, channel), as ballots read from a database would be: the worst case for the
caching of shared tuples. The outcome is counted by greedy beforehand (reports read stored results).
Then the same ballots are stored in a database (a fresh SQLite file unless ``--database`` names one) as a
counted process with 12 district populations, and the ex-post assessment is built as the app builds it:
the DB adapters (``pb.reports.data``: stored official result, ``election_for_pool``, census) and the PDF.
Then the largest Warsaw files of the shared folder are parsed and measured with their official outcome.
Each timing is the best of ``--repeat`` runs, in seconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

# Run from a checkout without installing: the repository root goes first on the path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pb.reports import metrics
from pb.reports.documents import AssessmentDocument, MandateSummary, Narrative
from pb.reports.sia_pdf import build_sia
from pb.tally import pabulib
from pb.tally.election import Ballot, Election, Project
from pb.tally.rules import count

DISTRICTS = [f"District {n:02d}" for n in range(1, 13)]
WARSAW = ("Poland_Warszawa_2020_Praga-Poludnie.pb", "Poland_Warszawa_2019_Ursynow_Poludniowy.pb",
          "Poland_Warszawa_2026_Grochow.pb")


def best(repeat: int, work: Callable[[], object]) -> tuple[float, object]:
    """The shortest of ``repeat`` runs, and the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def synthetic(ballots: int, seed: int = 7) -> tuple[Election, metrics.Population]:
    """A city-wide pool with ``ballots`` voters and a census of the same city."""
    rng = random.Random(seed)
    projects = tuple(
        Project(id=f"P{n:03d}", cost=rng.randrange(20_000, 400_000) * 100, categories=(rng.choice(
            ["green", "roads", "culture", "sport", "education"]),), beneficiaries=(rng.choice(
                ["children", "seniors", "everyone"]),), extra={"district": DISTRICTS[n % len(DISTRICTS)]})
        for n in range(60)
    )
    ids = [p.id for p in projects]
    votes = tuple(
        Ballot(
            choices=tuple(rng.sample(ids, rng.randint(1, 5))),
            attributes={"district": rng.choice(DISTRICTS), "age_band": rng.choice(["<18", "18-34", "35-64", "65+"]),
                        "sex": rng.choice("FM"), "channel": rng.choices(["online", "paper"], [9, 1])[0]},
        )
        for _ in range(ballots)
    )
    election = Election(meta={"budget": "20000000", "vote_type": "approval"}, projects=projects, ballots=votes,
                        cost_scale=100)
    census = metrics.Population(
        population=ballots * 12, eligible=ballots * 10,
        eligible_by={"district": {d: ballots * 10 // len(DISTRICTS) for d in DISTRICTS},
                     "age_band": {"<18": ballots, "18-34": ballots * 3, "35-64": ballots * 4, "65+": ballots * 2},
                     "sex": {"F": ballots * 5, "M": ballots * 5}},
        population_by_district={d: ballots * 12 // len(DISTRICTS) for d in DISTRICTS},
        source="synthetic", as_of="2026-01-01",
    )
    return election, census


def store(election: Election, census: metrics.Population, url: str) -> int:
    """Write the synthetic election into the database at ``url`` as a counted process; its id."""
    import sqlalchemy as sa
    from flask import current_app
    from flask_migrate import upgrade

    from pb.core.db import utcnow
    from pb.extensions import db
    from pb.processes.models import District, Municipality, Pool, Process
    from pb.proposals.models import Project, ProjectBeneficiary, ProjectCategory, ProjectStatus
    from pb.voting import counting
    from pb.voting.models import Ballot as BallotRow
    from pb.voting.models import BallotChoice, Channel, CountedBallot

    upgrade(directory=current_app.extensions["migrate"].directory)
    city = Municipality(slug=f"bench-{secrets.token_hex(4)}", name="Synthetic city", country_code="GR",
                        timezone="Europe/Athens", population=census.population)
    districts = {name: District(code=f"d{n:02d}", name=name, population=census.population_by_district[name])
                 for n, name in enumerate(DISTRICTS, 1)}
    city.districts.extend(districts.values())
    process = Process(municipality=city, slug="2026", name="PB 2026", fiscal_year=2026, currency="EUR",
                      tally_rule="greedy", collect_demographics=True, vote_closed_at=utcnow())
    pool = Pool(process=process, name="City-wide", amount=int(election.budget * 100))
    db.session.add_all([city, process, pool])
    db.session.flush()
    ids = {}
    for p in election.projects:
        row = Project(process_id=process.id, pool_id=pool.id, district_id=districts[p.extra["district"]].id,
                      code=p.id, title=f"Project {p.id}", cost=p.cost, status=ProjectStatus.ON_BALLOT,
                      categories=[ProjectCategory(category=c) for c in p.categories],
                      beneficiaries=[ProjectBeneficiary(group=g) for g in p.beneficiaries])
        db.session.add(row)
        db.session.flush()
        ids[p.id] = row.id
    ballots, choices = [], []
    for ballot in election.ballots:
        ballot_id = secrets.token_hex(16)
        a = ballot.attributes
        ballots.append({"id": ballot_id, "pool_id": pool.id, "receipt_hash": secrets.token_hex(32),
                        "channel": Channel(a["channel"]), "age_band": a["age_band"], "sex": a["sex"],
                        "district_code": districts[a["district"]].code})
        choices += [{"ballot_id": ballot_id, "project_id": ids[code], "position": n}
                    for n, code in enumerate(ballot.choices)]
    db.session.execute(sa.insert(BallotRow), ballots)
    db.session.execute(sa.insert(BallotChoice), choices)
    db.session.execute(sa.insert(CountedBallot), [
        {"owner_tag": f"bench-{b['id']}", "pool_id": pool.id, "ballot_id": b["id"]} for b in ballots])
    stored = counting.election_for_pool(db.session, pool)
    counting.store_results(db.session, process, pool, stored, [counting.Count("greedy", count(stored, "greedy"))])
    db.session.commit()
    return process.id


def database_timing(election: Election, census: metrics.Population, url: str | None, repeat: int) -> None:
    """Time the ex-post assessment of a stored process through the DB adapters, and print the rows."""
    from flask_babel import gettext

    from pb import create_app
    from pb.extensions import db
    from pb.processes.models import Process
    from pb.reports import data, services
    from pb.reports.models import AssessmentMode

    folder = tempfile.mkdtemp(prefix="pb-bench-")
    url = url or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app({"PB_ENV": "testing", "SECRET_KEY": "benchmark", "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        start = time.perf_counter()
        process_id = store(election, census, url)
        setup = time.perf_counter() - start
        with app.test_request_context():
            process = db.session.get(Process, process_id)
            assessment = services.assessment_for(process, AssessmentMode.EX_POST)
            seconds, _ = best(repeat, lambda: data.figures(process, AssessmentMode.EX_POST, data.population(process)))
            print(f"| {url.split(':')[0]}: DB adapters + metrics (storing took {setup:.0f} s) "
                  f"| {len(election.ballots):,} | {seconds:.3f} |")
            total, content = best(repeat, lambda: services.draft_pdf(assessment, translate=gettext, locale="en"))
            print(f"| {url.split(':')[0]}: ex-post assessment PDF from the database, all in "
                  f"({len(content) // 1024} KiB; target < 5 s) | {len(election.ballots):,} | {total:.3f} |")


def main() -> None:
    """Run the timings and print them as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", help="SQLAlchemy URL of a database the benchmark may fill (default: a new "
                                           "SQLite file in a temporary folder)")
    args = parser.parse_args()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| what | ballots | seconds |\n|---|---:|---:|")

    election, census = synthetic(args.ballots)
    funded = count(election, "greedy").selected
    pool = metrics.PoolResult("City-wide", election, tuple(funded))
    seconds, figures = best(args.repeat, lambda: metrics.ex_post(census, [pool]))
    print(f"| synthetic: metrics (ex post) | {args.ballots:,} | {seconds:.3f} |")
    document = AssessmentDocument(
        municipality="Synthetic city", process="PB 2026", fiscal_year=2026, currency="EUR", metrics=figures,
        population=census, mandate=MandateSummary("advisory"), narrative=Narrative(engagement="Benchmark."),
    )
    pdf_seconds, data = best(args.repeat, lambda: build_sia(document))
    print(f"| synthetic: SIA PDF from the metrics ({len(data) // 1024} KiB) | {args.ballots:,} | {pdf_seconds:.3f} |")
    total, _ = best(args.repeat, lambda: build_sia(replace(document, metrics=metrics.ex_post(census, [pool]))))
    print(f"| synthetic: metrics + SIA PDF (target < 5 s) | {args.ballots:,} | {total:.3f} |")
    database_timing(election, census, args.database, args.repeat)

    folder = Path(os.environ.get("PB_PABULIB_DIR") or Path(__file__).resolve().parents[1] / "tests" / "tally" / "data")
    for name in WARSAW:
        path = folder / "files" / name
        if not path.exists():
            print(f"| {name}: not found in {folder} | | |")
            continue
        parse_seconds, real = best(args.repeat, lambda path=path: pabulib.read(path))
        official = tuple(p.id for p in real.projects if p.extra.get("selected") == "1")
        real_pool = metrics.PoolResult(name, real, official)
        seconds, _ = best(args.repeat, lambda pool=real_pool: metrics.ex_post(metrics.Population(), [pool]))
        print(f"| {name}: metrics (parse {parse_seconds:.3f} s apart) | {real.voter_count:,} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
