"""kill -9 of gunicorn workers in the middle of ballot transactions: no partial ballot, no lost receipt.

Usage:
    python benchmarks/crash_worker.py [--voters 600] [--kills 4] [--delay 0.2]
        [--database-url postgresql://postgres@127.0.0.1:5432/pb_crash]

It (re)creates its own database (never ``test``), seeds an open vote and ``--voters`` verified residents,
and starts gunicorn (2 workers x 8 threads) with the test-only delay PB_TEST_RACE_DELAY between the checks
and the insert, so that many ballot transactions are open at any moment. While every resident submits one
ballot, a worker is killed with SIGKILL every second (``--kills`` times); gunicorn starts a new one.
Afterwards it checks that the vote's invariants hold (pb.voting.invariants), that every receipt a resident
got is counted, that no ballot was left half-written or uncounted, and that each resident whose request
died can vote once afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pb.config import normalise_database_url  # noqa: E402
from pb.voting.secrecy import receipt_hash  # noqa: E402
from tests.hardening import harness  # noqa: E402


def kill_workers(server: harness.Gunicorn, kills: int, every: float, done: threading.Event, log: list) -> None:
    """SIGKILL one worker every ``every`` seconds while the load runs."""
    while len(log) < kills and not done.wait(every):
        pids = server.worker_pids()
        if pids:
            victim = random.choice(pids)
            os.kill(victim, signal.SIGKILL)
            log.append((time.monotonic(), victim))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--delay", type=float, default=0.2, help="PB_TEST_RACE_DELAY, seconds")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/pb_crash")
    args = parser.parse_args()
    url = normalise_database_url(args.database_url)
    harness.recreate_postgres_database(url)
    app = harness.make_app(url)
    harness.migrate(app)
    world = harness.seed_world(app)
    residents = world.new_residents(args.voters)
    log_path = Path(tempfile.gettempdir()) / "crash_worker_gunicorn.log"
    server = harness.Gunicorn(url, threads=8, delay=args.delay, log=log_path)
    path = f"/pools/{world.pool_id}/ballot"
    forms = [(r, random.sample(world.project_ids, random.randint(1, 3))) for r in residents]
    jobs = [(path, r.cookie, harness.ballot_form(r, chosen, secrets.token_urlsafe(24))) for r, chosen in forms]
    kills: list = []
    done = threading.Event()
    try:
        killer = threading.Thread(target=kill_workers, args=(server, args.kills, 1.0, done, kills))
        started = time.monotonic()
        killer.start()
        answers = harness.fire(server.port, jobs, args.concurrency, app)
        elapsed = time.monotonic() - started
        done.set()
        killer.join()
        server.wait_until_ready()
        affected = [r for r, a in zip(residents, answers) if not a.is_receipt]
        before_retry = {r.entry_id: harness.stored_vote(app, world.pool_id, r.entry_id) for r in affected}
        retries = [(path, r.cookie, harness.ballot_form(r, world.project_ids[:1], secrets.token_urlsafe(24)))
                   for r in affected]
        retried = harness.fire(server.port, retries, 4, app)
    finally:
        done.set()
        server.stop()

    acknowledged = [(r, a, sorted(chosen)) for (r, chosen), a in zip(forms, answers) if a.is_receipt]
    lost = [r.reference for r, a, chosen in acknowledged
            if harness.stored_vote(app, world.pool_id, r.entry_id).counted != ((receipt_hash(a.receipt),
                                                                               tuple(chosen)),)]
    statuses: dict[int, int] = {}
    for answer in answers:
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    committed_unanswered = sum(1 for s in before_retry.values() if s.participations == 1)
    half = sum(1 for s in before_retry.values() if s.participations != len(s.counted))
    after = [harness.stored_vote(app, world.pool_id, r.entry_id) for r in residents]
    problems = harness.vote_problems(app)
    orphans = after[-1].ballots_in_pool - sum(len(s.counted) for s in after) - committed_unanswered
    print(f"gunicorn 2 workers x 8 threads, PB_TEST_RACE_DELAY={args.delay}s, {args.concurrency} connections")
    print(f"ballots sent: {len(jobs)} in {elapsed:.1f} s; workers killed with SIGKILL: {len(kills)}")
    print(f"answers by status: {dict(sorted(statuses.items()))} (0 = connection dropped by a killed worker)")
    print(f"receipts given: {len(acknowledged)}; of them not counted: {len(lost)} {lost[:5]}")
    print(f"requests that died: {len(affected)}; stored anyway (committed before the kill): {committed_unanswered}; "
          f"left with a participation but no counted ballot or the reverse: {half}")
    print(f"their second try: {sum(a.is_receipt for a in retried)}/{len(retried)} got a receipt; "
          f"residents with other than one participation and one counted ballot now: "
          f"{sum(1 for s in after if (s.participations, len(s.counted)) != (1, 1))}")
    print(f"ballots written but never counted (besides replaced ones): {orphans}")
    print(f"invariants (pb.voting.invariants.check_vote): {problems or 'all hold'}")
    harness.drop_postgres_database(url)
    if lost or half or problems or not all(a.is_receipt for a in retried) or orphans or not kills:
        raise SystemExit("crash_worker.py: FAILED")
    print("crash_worker.py: OK")


if __name__ == "__main__":
    main()
