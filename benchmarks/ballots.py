"""Ballot submissions through the real HTTP stack: gunicorn (2 workers), PostgreSQL, Redis rate limits.

Usage:
    python benchmarks/ballots.py [--voters 6000] [--concurrency 8] [--database-url postgresql://.../pb_bench]

It (re)creates the database (never ``test``), migrates it, seeds a process whose vote is open under a
mandate in force, with one approval pool of 12 projects and ``--voters`` verified residents, then starts
gunicorn with 2 workers in the production configuration (CSRF on, Redis for rate limits), while this load
generator runs pinned to CPU 0 (``--pin-app`` also pins gunicorn to CPU 1). Every resident submits one ballot (a signed session cookie
and CSRF token are prepared for each, as a browser would hold them after signing in and opening the ballot),
from ``--concurrency`` keep-alive connections. Then 500 of the submissions are sent again with the same
form token (lost responses). It prints throughput and latency percentiles, and checks afterwards that the
database holds exactly one participation and one ballot per resident who got a receipt, and no more.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import queue
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402
from itsdangerous import URLSafeTimedSerializer  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from pb import create_app  # noqa: E402
from pb.config import normalise_database_url  # noqa: E402

PORT = 8765
SECRET = "benchmark-secret-" + "x" * 32
KEYS = {"PB_BALLOT_KEY": "b" * 40, "PB_REGISTER_KEY": "r" * 40}


def create_database(url: str) -> None:
    """(Re)create the named PostgreSQL database."""
    parsed = make_url(url)
    if parsed.database in (None, "", "test", "postgres", "template0", "template1"):
        raise SystemExit(f"ballots.py: refusing to use the database {parsed.database!r}; name your own")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def seed(app, voters: int) -> tuple[int, list[int], list[str]]:
    """A process voting now, one pool, its projects and ``voters`` verified residents; their session tokens."""
    import datetime as dt

    from flask_migrate import upgrade

    from pb.accounts.models import Role, User
    from pb.accounts.passwords import hash_password
    from pb.core.db import utcnow
    from pb.extensions import db
    from pb.mandate.models import Mandate, MandateCharacter, MandateStatus
    from pb.processes.models import BallotKind, Municipality, Phase, Pool, Process
    from pb.processes.phases import schedule_around_vote
    from pb.proposals.models import Project, ProjectStatus
    from pb.voting import secrecy
    from pb.voting.models import Verification, VoterRegisterEntry

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        municipality = Municipality(slug="bench", name="Bench", country_code="GR", timezone="UTC")
        process = Process(municipality=municipality, slug="2027", name="Bench 2027", fiscal_year=2027,
                          currency="EUR", tally_rule="equalshares/add1")
        start = utcnow() - dt.timedelta(days=1)
        for position, (kind, begin, end) in enumerate(schedule_around_vote(start, start + dt.timedelta(days=14))):
            process.phases.append(Phase(kind=kind, position=position, starts_at=begin, ends_at=end))
        pool = Pool(name="City", amount=100_000_000, ballot_kind=BallotKind.APPROVAL, min_choices=1, max_choices=4)
        process.pools.append(pool)
        db.session.add(municipality)
        db.session.flush()
        officer = User(email="legal@bench.example", password_hash="x", role=Role.LEGAL_OFFICER, display_name="L")
        db.session.add(officer)
        db.session.flush()
        db.session.add(Mandate(process_id=process.id, version=1, status=MandateStatus.IN_FORCE,
                               character=MandateCharacter.ADVISORY, basis_instrument="Law", basis_number="1/2026",
                               signed_by_id=officer.id, signed_at=utcnow(), opinion="ok",
                               effective_from=(utcnow() - dt.timedelta(days=2)).date()))
        projects = [Project(process_id=process.id, pool_id=pool.id, code=f"P{i}", title=f"Project {i}",
                            cost=random.randint(1, 30) * 1_000_000, status=ProjectStatus.ON_BALLOT)
                    for i in range(1, 13)]
        db.session.add_all(projects)
        db.session.flush()
        password = hash_password(secrets.token_hex(16))
        tokens = [secrets.token_hex(32) for _ in range(voters)]
        db.session.execute(sa.insert(User), [
            {"email": f"voter{n}@bench.example", "password_hash": password, "role": Role.RESIDENT,
             "display_name": f"Voter {n}", "session_token": tokens[n], "email_confirmed_at": utcnow()}
            for n in range(voters)])
        ids = dict(db.session.execute(sa.select(User.session_token, User.id)).all())
        key = secrecy.register_key({**app.config})
        db.session.execute(sa.insert(VoterRegisterEntry), [
            {"process_id": process.id, "reference_hash": secrecy.reference_hash(key, process.id, f"B-{n}"),
             "birth_year": 1980, "user_id": ids[tokens[n]], "verification": Verification.REGISTER_MATCH,
             "verified_at": utcnow()} for n in range(voters)])
        db.session.commit()
        return pool.id, [p.id for p in projects], tokens


def cookie_and_csrf(app, session_token: str) -> tuple[str, str]:
    """The session cookie a signed-in resident's browser holds, and the CSRF token of their ballot form."""
    raw = secrets.token_hex(20)
    session = {"_user_id": session_token, "_fresh": True, "csrf_token": raw}
    cookie = app.session_interface.get_signing_serializer(app).dumps(session)
    csrf = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    return f"{app.config['SESSION_COOKIE_NAME']}={cookie}", csrf


def worker(jobs: queue.Queue, results: list, lock: threading.Lock) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    while True:
        job = jobs.get()
        if job is None:
            return
        path, cookie, body = job
        started = time.perf_counter()
        try:
            connection.request("POST", path, body=body, headers={
                "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            status, location = response.status, response.getheader("Location") or ""
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            status, location = 0, str(error)
        elapsed = time.perf_counter() - started
        with lock:
            results.append((status, location, elapsed))


def fire(requests: list, concurrency: int) -> tuple[list, float]:
    jobs: queue.Queue = queue.Queue()
    for item in requests:
        jobs.put(item)
    for _ in range(concurrency):
        jobs.put(None)
    results: list = []
    lock = threading.Lock()
    threads = [threading.Thread(target=worker, args=(jobs, results, lock)) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--pin-app", action="store_true", help="also pin gunicorn, to CPU 1 (PostgreSQL is never pinned)")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/pb_bench")
    args = parser.parse_args()
    url = normalise_database_url(args.database_url)
    create_database(url)
    environment = {"PB_ENV": "production", "PB_SECRET_KEY": SECRET, "PB_BASE_URL": "https://pb.bench.example",
                   "PB_DATABASE_URL": url, "PB_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/5", **KEYS}
    app = create_app({"PB_ENV": "production", "SECRET_KEY": SECRET, "PB_BASE_URL": "https://pb.bench.example",
                      "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/5", **KEYS})
    subprocess.run(["redis-cli", "-n", "5", "FLUSHDB"], check=True, capture_output=True)
    print(f"seeding {args.voters} verified residents ...", flush=True)
    pool_id, project_ids, tokens = seed(app, args.voters)

    env = {**os.environ, **environment}
    server = subprocess.Popen(
        [*(["taskset", "-c", "1"] if args.pin_app else []), sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{PORT}",
         "--threads", str(args.threads), "--log-level", "warning", "wsgi:app"], cwd=REPO, env=env)
    os.sched_setaffinity(0, {0})
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        path = f"/pools/{pool_id}/ballot"
        requests, replays = [], []
        for token in tokens:
            cookie, csrf = cookie_and_csrf(app, token)
            chosen = random.sample(project_ids, random.randint(1, 4))
            form = [("csrf_token", csrf), ("form_token", secrets.token_urlsafe(24)), ("action", "cast")]
            form += [("project", str(p)) for p in chosen]
            body = urllib.parse.urlencode(form)
            requests.append((path, cookie, body))
        replays = random.sample(requests, min(500, len(requests)))
        # Warm the workers (connections, templates) on a few submissions that are counted like the rest.
        warm, _ = fire(requests[:50], 2)
        results, elapsed = fire(requests[50:], args.concurrency)
        again, _ = fire(replays, args.concurrency)
    finally:
        server.terminate()
        server.wait(timeout=30)

    ok = [r for r in warm + results if r[0] == 302 and "/receipt" in r[1]]
    failed = [r for r in warm + results if not (r[0] == 302 and "/receipt" in r[1])]
    latencies = [r[2] * 1000 for r in results]
    replay_ok = [r for r in again if r[0] == 302 and "/receipt" in r[1]]
    with app.app_context():
        from pb.extensions import db
        from pb.voting.invariants import vote_totals

        participations, ballots, duplicates = vote_totals(db.session)
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"gunicorn {args.workers} workers x {args.threads} threads {'on CPU 1' if args.pin_app else 'unpinned'}, "
          f"load generator on CPU 0, {args.concurrency} connections")
    print(f"ballots submitted: {len(results)} in {elapsed:.2f} s = {len(results) / elapsed:.0f} per second")
    print(f"latency ms: p50 {statistics.median(latencies):.1f}, p90 {percentile(latencies, 0.9):.1f}, "
          f"p99 {percentile(latencies, 0.99):.1f}, max {max(latencies):.1f}")
    print(f"receipts: {len(ok)}, failures: {len(failed)} {failed[:3]}")
    print(f"replayed submissions answered with a receipt: {len(replay_ok)}/{len(replays)}")
    print(f"stored: {participations} participations, {ballots} ballots, {duplicates} residents with more than one")
    if not (participations == ballots == len(ok) and duplicates == 0 and not failed):
        raise SystemExit("ballots.py: the stored ballots do not match the receipts given")


if __name__ == "__main__":
    main()
