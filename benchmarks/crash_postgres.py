"""kill -9 of the PostgreSQL postmaster under ballot load: 503 with Retry-After, recovery, no lost receipt.

Usage (as root, on the machine that runs the cluster; it stops PostgreSQL for a few seconds, for everyone):
    python benchmarks/crash_postgres.py [--voters 3000] [--outage 3] [--cluster "15 main"]
        [--database-url postgresql://postgres@127.0.0.1:5432/pb_crash_pg]

It (re)creates its own database, seeds an open vote and ``--voters`` verified residents, starts gunicorn
(2 workers x 4 threads) and sends one ballot per resident from 8 connections while a probe asks /healthz
every 0.1 s. After 3 seconds it kills the postmaster with SIGKILL, waits ``--outage`` seconds and starts
the cluster again (always, in a ``finally``), without touching gunicorn. It reports what the app answered
before, during and after the outage (a 500 is a failure; 503 must carry Retry-After), how long it took to
answer 200 again, whether every receipt given is counted, and lets every refused resident vote again.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


from pb.config import normalise_database_url  # noqa: E402
from pb.voting.secrecy import receipt_hash  # noqa: E402
from tests.hardening import harness  # noqa: E402


def postmaster_pid(cluster: list[str]) -> int:
    """The pid of the cluster's postmaster, from the pid file pg_ctlcluster keeps."""
    version, name = cluster
    return int(Path(f"/var/run/postgresql/{version}-{name}.pid").read_text().split()[0])


def start_cluster(cluster: list[str], timeout: float = 60) -> float:
    """Start the cluster again, retrying while the killed server's backends are still exiting; when it answered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "start"], capture_output=True)
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0:
            return time.monotonic()
        time.sleep(0.5)
    raise SystemExit("crash_postgres.py: PostgreSQL did not start again; start it by hand: "
                     f"pg_ctlcluster {' '.join(cluster)} start")


def probe(port: int, stop: threading.Event, seen: list) -> None:
    """GET /healthz every 0.1 s: (when, status, Retry-After)."""
    while not stop.wait(0.1):
        try:
            answer = harness.request(port, "GET", "/healthz", timeout=5)
            seen.append((time.monotonic(), answer.status, answer.retry_after))
        except OSError as error:
            seen.append((time.monotonic(), 0, repr(error)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--outage", type=float, default=3.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--cluster", default=None, help='version and name, e.g. "15 main" (default: the first)')
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/pb_crash_pg")
    args = parser.parse_args()
    cluster = (args.cluster or subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True,
                                              check=True).stdout.split("\n")[0]).split()[:2]
    url = normalise_database_url(args.database_url)
    harness.recreate_postgres_database(url)
    app = harness.make_app(url)
    harness.migrate(app)
    world = harness.seed_world(app)
    residents = world.new_residents(args.voters)
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()
    server = harness.Gunicorn(url, threads=4, log=Path(tempfile.gettempdir()) / "crash_postgres_gunicorn.log")
    path = f"/pools/{world.pool_id}/ballot"
    chosen = world.project_ids[:2]
    jobs = [(path, r.cookie, harness.ballot_form(r, chosen, secrets.token_urlsafe(24))) for r in residents]
    answers: list[harness.Answer] = []
    probes: list = []
    stop = threading.Event()
    killed_at = up_at = None
    try:
        prober = threading.Thread(target=probe, args=(server.port, stop, probes))
        load = threading.Thread(target=lambda: answers.extend(harness.fire(server.port, jobs, args.concurrency, app)))
        pid = postmaster_pid(cluster)
        started = time.monotonic()
        prober.start()
        load.start()
        time.sleep(3)
        try:
            os.kill(pid, signal.SIGKILL)
            killed_at = time.monotonic()
            time.sleep(args.outage)
        finally:
            up_at = start_cluster(cluster)
        load.join()
        elapsed = time.monotonic() - started
        time.sleep(1)
        stop.set()
        prober.join()
        refused = [(r, job) for r, job, a in zip(residents, jobs, answers) if not a.is_receipt]
        again = harness.fire(server.port, [job for _r, job in refused], args.concurrency, app)
    finally:
        stop.set()
        server.stop()

    def phase(when: float) -> str:
        return "before" if when < killed_at else "during" if when < up_at else "after"

    by_phase = Counter((phase(a.at), a.status) for a in answers)
    probe_phase = Counter((phase(when), status) for when, status, _retry in probes)
    unavailable = [a for a in answers if a.status == 503]
    first_ok = min((when for when, status, _r in probes if status == 200 and when >= up_at), default=None)
    acknowledged = [(r, a) for r, a in zip(residents, answers) if a.is_receipt]
    lost = [r.reference for r, a in acknowledged
            if harness.stored_vote(app, world.pool_id, r.entry_id).counted != ((receipt_hash(a.receipt),
                                                                               tuple(sorted(chosen))),)]
    problems = harness.vote_problems(app)
    errors = sum(1 for a in answers + again if a.status == 500)
    print(f"PostgreSQL cluster {' '.join(cluster)}; gunicorn 2 workers x 4 threads; {args.concurrency} connections")
    print(f"ballots sent: {len(answers)} in {elapsed:.1f} s; postmaster {pid} killed with SIGKILL "
          f"{killed_at - started:.1f} s in; PostgreSQL answering again after {up_at - killed_at:.1f} s")
    print(f"ballot answers by (phase, status): {dict(sorted(by_phase.items()))}")
    print(f"/healthz probes by (phase, status): {dict(sorted(probe_phase.items()))}")
    print(f"503 answers: {len(unavailable)}, with Retry-After: {sum(1 for a in unavailable if a.retry_after)}; "
          f"500 answers: {errors}")
    print("first /healthz 200 after PostgreSQL was back: "
          + (f"{first_ok - up_at:.2f} s" if first_ok is not None else "never"))
    print(f"receipts given: {len(acknowledged)}; of them not counted: {len(lost)} {lost[:5]}")
    print(f"residents refused or cut off, voting again: {sum(a.is_receipt for a in again)}/{len(again)} got a receipt")
    print(f"invariants (pb.voting.invariants.check_vote): {problems or 'all hold'}")
    harness.drop_postgres_database(url)
    if errors or lost or problems or not unavailable or any(not a.retry_after for a in unavailable) \
            or first_ok is None or not all(a.is_receipt for a in again):
        raise SystemExit("crash_postgres.py: FAILED")
    print("crash_postgres.py: OK")


if __name__ == "__main__":
    main()
