"""CPU time of one ballot submission inside the app, without a web server: the steadiest figure of the ballot path.

Usage:
    python benchmarks/ballot_cpu.py [--voters 1550] [--round 300] [--database-url postgresql://.../pb_cpu]
    python benchmarks/ballot_cpu.py --profile ballot.prof    # cProfile of the last round

It (re)creates the database (never ``test``) and seeds it as benchmarks/ballots.py does, builds the app in the
production configuration (CSRF on, rate limits in Redis database 7), and posts every resident's approval ballot
through Flask's test client, one after another in this process: 50 to warm up, then rounds of ``--round``. For
each round it prints the CPU time of this process per ballot (``time.process_time``), which leaves out the time
spent waiting for PostgreSQL and Redis, and so what a ballot costs the app server's core. Load runs
(benchmarks/load/run.py) vary by 10-15% from run to run on a shared virtual machine; these rounds vary less, and
compare two versions (run each from its own ``git worktree``) or two machines.
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import random
import secrets
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.ballots import KEYS, SECRET, cookie_and_csrf, create_database, seed  # noqa: E402
from pb import create_app  # noqa: E402
from pb.config import normalise_database_url  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/7"
HOST = "pb.bench.example"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=1550)
    parser.add_argument("--round", type=int, default=300, help="ballots per timed round")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/pb_cpu")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the last round to FILE")
    args = parser.parse_args()
    url = normalise_database_url(args.database_url)
    create_database(url)
    subprocess.run(["redis-cli", "-n", REDIS_URL.rsplit("/", 1)[1], "FLUSHDB"], check=True, capture_output=True)
    app = create_app({"PB_ENV": "production", "SECRET_KEY": SECRET, "PB_BASE_URL": f"https://{HOST}",
                      "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_STORAGE_URI": REDIS_URL, **KEYS})
    pool_id, project_ids, tokens = seed(app, args.voters)
    path = f"/pools/{pool_id}/ballot"
    submissions = []
    for token in tokens:
        cookie, csrf = cookie_and_csrf(app, token)
        form = [("csrf_token", csrf), ("form_token", secrets.token_urlsafe(24)), ("action", "cast")]
        form += [("project", str(p)) for p in random.sample(project_ids, random.randint(1, 4))]
        submissions.append({"Cookie": cookie, "body": urllib.parse.urlencode(form)})
    client = app.test_client(use_cookies=False)

    def submit(batch: list[dict]) -> None:
        for submission in batch:
            # The production configuration checks the Referer of HTTPS requests, as a browser sends it.
            response = client.post(path, data=submission["body"], base_url=f"https://{HOST}", headers={
                "Cookie": submission["Cookie"], "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://{HOST}/"})
            if response.status_code != 302 or "/receipt" not in response.headers.get("Location", ""):
                raise SystemExit(f"ballot_cpu.py: a ballot was answered {response.status_code}: "
                                 f"{response.get_data(as_text=True)[:300]}")

    submit(submissions[:50])
    rounds = [submissions[start:start + args.round] for start in range(50, len(submissions), args.round)]
    rounds = [batch for batch in rounds if len(batch) == args.round]
    if not rounds:
        raise SystemExit("ballot_cpu.py: too few voters for one round; raise --voters")
    figures = []
    profile = cProfile.Profile() if args.profile else None
    for number, batch in enumerate(rounds, 1):
        last = number == len(rounds)
        if profile and last:
            profile.enable()
        started = time.process_time()
        submit(batch)
        figures.append((time.process_time() - started) / len(batch) * 1000)
        if profile and last:
            profile.disable()
            profile.dump_stats(args.profile)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}; {len(rounds)} rounds of "
          f"{args.round} ballots{' (the last one profiled)' if profile else ''}")
    print("CPU ms per ballot, each round: " + " ".join(f"{figure:.2f}" for figure in figures))
    # The profiler slows its round down about twice: it is left out of the summary.
    plain = figures[:-1] if profile and len(figures) > 1 else figures
    print(f"lowest {min(plain):.2f}, median {sorted(plain)[len(plain) // 2]:.2f}")


if __name__ == "__main__":
    main()
