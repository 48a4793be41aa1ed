"""Time the project list and project pages with real volume: 2,000 projects, 50,000 comments.

Usage:
    python benchmarks/pages.py                      # a fresh SQLite file in a temporary folder
    python benchmarks/pages.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/pb_bench

The script builds a fresh database (for PostgreSQL it creates the named database and drops it at the
end; it refuses the database ``test``, which the test suite wipes), migrates it with
``flask_migrate.upgrade``, seeds one municipality, one process in its deliberation phase with a
city-wide and two district pools, 2,000 residents, 2,000 projects with categories and beneficiary
groups, 20,000 supports and 50,000 comments (threaded replies, some hidden, a few projects with
thousands of comments), all with bulk inserts. Then it times GET requests through the Flask test client
of an app built by ``pb.create_app`` in the testing environment: 3 warm-up requests, then ``--repeat``
timed ones per page; it prints median and p95 in milliseconds as a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from pb import create_app  # noqa: E402
from pb.config import normalise_database_url  # noqa: E402

PROJECTS = 2_000
RESIDENTS = 2_000
SUPPORTS = 20_000
COMMENTS = 50_000
# The most commented projects (the rest share what is left, on a long tail).
HEAVY_THREADS = (5_000, 3_000, 2_000, 1_500, 1_000)
REPLY_SHARE = 0.4
HIDDEN_SHARE = 0.02
SEARCH_WORD = "playground"
CATEGORY = "urban greenery"
PASSWORD = "benchmark password 1"

CONFIG = {
    "PB_ENV": "testing",
    "SECRET_KEY": "benchmark-secret-key",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    "PB_MAIL_BACKEND": "memory",
}

THINGS = ["playground", "bench", "library corner", "bike rack", "tree alley", "fountain", "skate park",
          "community garden", "bus shelter", "street light", "dog park", "outdoor gym", "pedestrian crossing",
          "rain garden", "reading room", "sports field", "senior club", "bicycle lane", "mural", "footpath"]
PLACES = ["Elm Street", "the market square", "North Park", "the old school", "Riverside", "the station",
          "Hill Road", "the harbour", "Oak Avenue", "the town hall", "Mill Lane", "the stadium"]
ADJECTIVES = ["New", "Green", "Safer", "Accessible", "Renovated", "Shaded", "Quiet", "Open", "Modern", "Shared"]
SENTENCES = [
    "The neighbourhood has asked for this for years and the council agreed it is needed.",
    "It would be used daily by children on their way to school and by older residents.",
    "The estimate includes design, materials, installation and three years of maintenance.",
    "Local associations offered to look after it and to organise events around it.",
    "The site belongs to the municipality, so no land has to be bought.",
    "Similar projects in other districts have been popular and cheap to run.",
]
COMMENT_TEXTS = [
    "I support this, we really need it here.",
    "Good idea, but is the **cost** realistic? The last one was much cheaper.",
    "Please think about *accessibility* for wheelchairs and prams.",
    "This would help the children of our street a lot.",
    "I am against it: the money would be better spent on repairing the pavements.",
    "Where exactly would it be? The map point looks a bit off.",
    "We had something similar ten years ago and it was vandalised within months.",
    "Count me in for the volunteers' group.\n\nI can help on weekends.",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of a database to create and drop "
                                               "(default: a SQLite file in a temporary folder)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first (default 3)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the data (default 2026)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="time the pages themselves: anonymous requests otherwise come from the page cache")
    return parser.parse_args()


# Database ----------------------------------------------------------------------------------------


def create_database(url: str) -> None:
    """PostgreSQL: (re)create the named database from the server's maintenance database."""
    parsed = make_url(url)
    if parsed.database in (None, "", "test", "postgres", "template0", "template1"):
        raise SystemExit(f"pages.py: refusing to use the database {parsed.database!r}; name your own, e.g. pb_bench")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        app.extensions["sqlalchemy"].engine.dispose()


# Seeding -----------------------------------------------------------------------------------------


def comment_counts(rng: random.Random, project_ids: list[int]) -> dict[int, int]:
    """How many comments each project gets: a few thousands-long threads, then a long tail."""
    counts = {pid: 0 for pid in project_ids}
    order = project_ids[:]
    rng.shuffle(order)
    for pid, n in zip(order, HEAVY_THREADS):
        counts[pid] = n
    tail = order[len(HEAVY_THREADS):]
    weights = [1.0 / (rank + 20) for rank in range(len(tail))]
    for pid in rng.choices(tail, weights=weights, k=COMMENTS - sum(HEAVY_THREADS)):
        counts[pid] += 1
    return counts


def seed(app, rng: random.Random) -> dict[str, object]:
    """Fill the database with bulk inserts; returns what the timed requests need."""
    from pb.accounts.models import Role, User
    from pb.accounts.passwords import hash_password
    from pb.core.db import utcnow
    from pb.deliberation.models import Comment, Stance, Support
    from pb.processes.models import District, Municipality, Phase, PhaseKind, Pool, Process
    from pb.processes.phases import schedule_around_vote
    from pb.proposals.models import Project, ProjectBeneficiary, ProjectCategory, ProjectStatus
    from pb.proposals.vocabulary import BENEFICIARIES, CATEGORIES

    db = app.extensions["sqlalchemy"]
    session = db.session
    now = utcnow()

    municipality = Municipality(slug="benchville", name="Benchville", country_code="GR", timezone="Europe/Athens")
    for code, name in (("north", "North"), ("south", "South")):
        municipality.districts.append(District(code=code, name=name, population=40_000))
    session.add(municipality)
    session.flush()
    process = Process(municipality=municipality, slug="2026", name="Benchville PB 2026", fiscal_year=2026,
                      currency="EUR", max_supports_per_resident=20)
    # Voting opens in 10 days: the 21-day deliberation (supports) phase runs now.
    vote_start = now + dt.timedelta(days=10)
    for position, (kind, begin, end) in enumerate(schedule_around_vote(vote_start, vote_start + dt.timedelta(days=14))):
        process.phases.append(Phase(kind=kind, position=position, starts_at=begin, ends_at=end))
    process.pools.append(Pool(name="City-wide", amount=2_000_000_00))
    for district in municipality.districts:
        process.pools.append(Pool(name=f"{district.name} district", district=district, amount=500_000_00))
    session.add(process)
    session.commit()
    current = [p.kind for p in process.phases if p.is_open(utcnow())]
    assert current == [PhaseKind.DELIBERATION], current
    pools = [(pool.id, pool.district_id) for pool in process.pools]

    # Residents: one real password hash for the one who signs in, a placeholder for the others.
    placeholder = hash_password(PASSWORD)
    users = [{"id": i, "email": f"resident{i}@bench.example", "password_hash": placeholder,
              "display_name": f"Resident {i}", "role": Role.RESIDENT, "created_at": now, "password_changed_at": now,
              "email_confirmed_at": now, "session_token": secrets.token_urlsafe(24)} for i in range(1, RESIDENTS + 1)]
    session.execute(sa.insert(User), users)

    statuses = ([ProjectStatus.FEASIBLE] * 14 + [ProjectStatus.ON_BALLOT] * 3 + [ProjectStatus.UNFEASIBLE] * 2
                + [ProjectStatus.DRAFT])
    categories = list(CATEGORIES)
    beneficiaries = list(BENEFICIARIES)
    projects, project_categories, project_beneficiaries = [], [], []
    for pid in range(1, PROJECTS + 1):
        pool_id, district_id = rng.choice(pools)
        published = now - dt.timedelta(days=90, minutes=rng.randrange(60 * 24 * 40))
        cost = rng.randrange(5_000, 400_000) * 100
        projects.append({
            "id": pid, "process_id": process.id, "pool_id": pool_id, "district_id": district_id,
            "code": f"BV/{pid}", "title": f"{rng.choice(ADJECTIVES)} {rng.choice(THINGS)} at {rng.choice(PLACES)}",
            "summary": " ".join(rng.sample(SENTENCES, 2)), "description": "\n\n".join(rng.sample(SENTENCES, 5)),
            "cost": cost, "estimated_cost": cost, "version": 1,
            "latitude": 40.6 + rng.random() / 10, "longitude": 22.9 + rng.random() / 10,
            "author_id": rng.randrange(1, RESIDENTS + 1), "status": rng.choice(statuses),
            "created_at": published, "published_at": published, "updated_at": published,
            "hidden_at": now if pid % 250 == 0 else None, "hidden_reason": "Duplicate" if pid % 250 == 0 else None,
        })
        project_categories += [{"project_id": pid, "category": c} for c in rng.sample(categories, rng.randint(1, 3))]
        project_beneficiaries += [{"project_id": pid, "group": g}
                                  for g in rng.sample(beneficiaries, rng.randint(0, 3))]
    for project in projects:
        if project["status"] is ProjectStatus.DRAFT:
            project["published_at"] = None
    session.execute(sa.insert(Project), projects)
    session.execute(sa.insert(ProjectCategory), project_categories)
    session.execute(sa.insert(ProjectBeneficiary), project_beneficiaries)

    visible = [p["id"] for p in projects if p["status"] is not ProjectStatus.DRAFT and p["hidden_at"] is None]
    # Supports: popular projects get many (a skew again), at most one per resident and project.
    pairs: set[tuple[int, int]] = set()
    weights = [1.0 / (rank + 5) for rank in range(len(visible))]
    while len(pairs) < SUPPORTS:
        for pid in rng.choices(visible, weights=weights, k=SUPPORTS - len(pairs)):
            pairs.add((pid, rng.randrange(1, RESIDENTS + 1)))
    session.execute(sa.insert(Support), [
        {"project_id": pid, "user_id": uid, "created_at": now - dt.timedelta(minutes=rng.randrange(30_000))}
        for pid, uid in sorted(pairs)])

    counts = comment_counts(rng, visible)
    stances = [None, None, Stance.FOR, Stance.AGAINST, Stance.NEUTRAL]
    comments = []
    next_id = 1
    for pid, n in counts.items():
        start = now - dt.timedelta(days=20)
        ids: list[int] = []
        for k in range(n):
            parent = rng.choice(ids) if ids and rng.random() < REPLY_SHARE else None
            hidden = rng.random() < HIDDEN_SHARE
            created = start + dt.timedelta(seconds=k * (20 * 86_400 // max(n, 1)) + rng.randrange(60))
            comments.append({
                "id": next_id, "project_id": pid, "parent_id": parent, "author_id": rng.randrange(1, RESIDENTS + 1),
                "body": rng.choice(COMMENT_TEXTS), "stance": rng.choice(stances), "created_at": created,
                "edited_at": created + dt.timedelta(minutes=5) if rng.random() < 0.05 else None,
                "hidden_at": created + dt.timedelta(hours=1) if hidden else None,
                "hidden_reason": "Offensive" if hidden else None, "hidden_by_id": None,
            })
            ids.append(next_id)
            next_id += 1
    for start in range(0, len(comments), 10_000):
        session.execute(sa.insert(Comment), comments[start:start + 10_000])
    session.commit()

    if db.engine.dialect.name == "postgresql":
        # Ids were given explicitly: move the sequences past them, as inserts through the app would.
        for table in ("user_account", "project", "comment", "support"):
            session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
        session.commit()
        # What autovacuum does shortly after a bulk load: fresh planner statistics.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))

    by_count = sorted(counts.items(), key=lambda item: (item[1], item[0]))
    typical = by_count[len(by_count) // 2]
    most = by_count[-1]
    return {"process": (municipality.slug, process.slug), "typical": typical, "most": most,
            "hidden_comments": sum(1 for c in comments if c["hidden_at"] is not None),
            "replies": sum(1 for c in comments if c["parent_id"] is not None),
            "visible_projects": len(visible)}


# Timing ------------------------------------------------------------------------------------------


def time_pages(app, pages: list[tuple[str, str]], warmup: int, repeat: int, client=None):
    client = client or app.test_client()
    results = []
    for label, url in pages:
        for _ in range(warmup):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        times = []
        size = 0
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            size = len(response.data)
        times.sort()
        p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
        results.append((label, url, statistics.median(times), p95, size))
    return results


def main() -> None:
    args = parse_args()
    rng = random.Random(args.seed)
    temporary = None
    if args.database_url:
        url = normalise_database_url(args.database_url)
        create_database(url)
        backend = "PostgreSQL"
    else:
        temporary = tempfile.TemporaryDirectory(prefix="pb-bench-")
        url = f"sqlite:///{Path(temporary.name) / 'pb.sqlite3'}"
        backend = "SQLite"
    try:
        started = time.perf_counter()
        migrate(url)
        cache = {"PB_PAGE_CACHE_SECONDS": 0} if args.no_page_cache else {}
        app = create_app({**CONFIG, **cache, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            facts = seed(app, rng)
            engine = app.extensions["sqlalchemy"].engine
            version = engine.dialect.server_version_info
            app.extensions["sqlalchemy"].session.remove()
        seeded = time.perf_counter() - started
        municipality, slug = facts["process"]
        typical_id, typical_n = facts["typical"]
        most_id, most_n = facts["most"]
        base = f"/m/{municipality}/{slug}/projects"
        pages = [
            ("list, default sort (most supported), page 1", base),
            ("list, page 50", f"{base}?page=50"),
            (f"list, search \"{SEARCH_WORD}\"", f"{base}?q={SEARCH_WORD}"),
            (f"list, category \"{CATEGORY}\"", f"{base}?category={CATEGORY.replace(' ', '+')}"),
            ("list, sort most supported (explicit)", f"{base}?sort=supported"),
            ("list, sort random", f"{base}?sort=random"),
            (f"project page, typical ({typical_n} comments)", f"/projects/{typical_id}"),
            (f"project page, most commented ({most_n} comments)", f"/projects/{most_id}"),
            (f"discussion page, most commented ({most_n} comments)", f"/projects/{most_id}/discussion"),
        ]
        results = time_pages(app, pages, args.warmup, args.repeat)
        # The same heavy page for a signed-in resident (reply, report and support controls on every comment).
        client = app.test_client()
        response = client.post("/login", data={"email": "resident1@bench.example", "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        results += [(f"{label}, signed in", url, *rest) for label, url, *rest in time_pages(
            app, [(f"project page, most commented ({most_n} comments)", f"/projects/{most_id}")],
            args.warmup, args.repeat, client)]
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()
    finally:
        if temporary is not None:
            temporary.cleanup()
        elif not args.keep:
            drop_database(url)

    version_text = ".".join(str(v) for v in version) if version else ""
    if backend == "SQLite":
        import sqlite3
        version_text = sqlite3.sqlite_version
    print(f"Backend: {backend} {version_text}; Python {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} cores; load before timing {os.getloadavg()[0]:.2f}")
    print(f"Data: {PROJECTS} projects ({facts['visible_projects']} public), {RESIDENTS} residents, {SUPPORTS} supports, "
          f"{COMMENTS} comments ({facts['replies']} replies, {facts['hidden_comments']} hidden); "
          f"built and seeded in {seeded:.1f} s; {args.warmup} warm-up + {args.repeat} timed requests per page")
    print()
    print("| page | median ms | p95 ms | < 100 ms | HTML KB |")
    print("|---|---:|---:|---|---:|")
    for label, _url, median, p95, size in results:
        print(f"| {label} | {median:.1f} | {p95:.1f} | {'yes' if p95 < 100 else '**no**'} | {size / 1024:.0f} |")


if __name__ == "__main__":
    main()
