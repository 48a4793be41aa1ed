"""The load test: gunicorn + PostgreSQL (+ Redis for rate limits), driven by locust pinned to its own core.

Usage (from the repository root, with `pip install -e '.[load]'`):
    python benchmarks/load/run.py                                  # one app server (2 workers), 60 s
    python benchmarks/load/run.py --servers 3                      # three app servers sharing PostgreSQL and Redis
    python benchmarks/load/run.py --servers 3 --redis-dies-after 20  # Redis is killed 20 s into the run
    python benchmarks/load/run.py --tags project-page --rate 300     # one kind of request, at a set rate
    python benchmarks/load/run.py --app-cpus 0,1                     # the app may use both cores

It (re)creates the database (default ``pb_load``; never ``test``), seeds it as benchmarks/ballots.py does (a
process voting now, one approval pool of 12 projects, ``--voters`` verified residents with a signed session cookie
and CSRF token each, plus ``--logins`` residents who sign in with a password), starts ``--servers`` gunicorn
processes pinned to CPU 1 (``--app-cpus``) in the production configuration (CSRF on, PB_PROXY_HOPS=1), warms
each page up on every worker, and runs
benchmarks/load/locustfile.py headless pinned to CPU 0. It prints throughput and p50/p99 per request kind, then
checks the stored vote: ``flask --app pb vote check`` (the invariants), one participation per resident, and as
many ballots as receipts given. With ``--redis-dies-after`` the rate limits live in a Redis this script starts on
its own port and kills mid-run; afterwards every resident who voted submits once more (a second vote attempt):
the database must still hold one participation each.
"""

from __future__ import annotations

import argparse
import collections
import csv
import http.client
import json
import os
import platform
import random
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402

from benchmarks.ballots import KEYS, SECRET, cookie_and_csrf, create_database, seed  # noqa: E402
from pb import create_app  # noqa: E402
from pb.config import normalise_database_url  # noqa: E402

BASE_PORT = 8770
PASSWORD = "load test password 1"
DEAD_REDIS_PORT = 6391


def anonymous_cookie_and_csrf(app) -> tuple[str, str]:
    """A visitor's session cookie holding only a CSRF token, and the token of the sign-in form."""
    from itsdangerous import URLSafeTimedSerializer

    raw = secrets.token_hex(20)
    cookie = app.session_interface.get_signing_serializer(app).dumps({"csrf_token": raw})
    csrf = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    return f"{app.config['SESSION_COOKIE_NAME']}={cookie}", csrf


def wait_for(port: int) -> None:
    for _ in range(150):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"run.py: no app server answers on port {port}")


def warm_up(port: int, paths: list[str], rounds: int) -> None:
    """Each page a few times, so that every worker has loaded its templates and opened its connections
    before the clock starts, as on a server that has been up for a while."""
    for _ in range(rounds):
        for path in paths:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()


def summary(stats_csv: Path) -> list[dict]:
    """The rows of locust's stats CSV: kind, requests, failures, per second, p50, p99."""
    rows = []
    with stats_csv.open() as handle:
        for row in csv.DictReader(handle):
            rows.append({"kind": row["Name"], "requests": int(row["Request Count"]),
                         "failures": int(row["Failure Count"]), "per_s": float(row["Requests/s"]),
                         "p50": row["50%"], "p99": row["99%"], "max": row["Max Response Time"]})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/pb_load")
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread)")
    parser.add_argument("--users", type=int, default=32, help="simultaneous locust visitors")
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--voters", type=int, default=12000)
    parser.add_argument("--logins", type=int, default=500)
    parser.add_argument("--tags", nargs="*", default=[],
                        help="run only these kinds of request: browse, vote, results, sign-in (default: the mix)")
    parser.add_argument("--rate", type=float, default=0,
                        help="offered requests per second in all (default: as fast as the app answers)")
    # Behind a load balancer the app server keeps idle connections open longer than the balancer does (75 s
    # against its usual 60 s). gunicorn's default of 2 s is for clients that reach it directly: a visitor who
    # pauses about that long may send into a connection the server is closing (locust counts a failure).
    parser.add_argument("--keep-alive", type=int, default=75, help="gunicorn --keep-alive, seconds")
    parser.add_argument("--app-cpus", default="1", help="the CPUs the app servers may use (taskset -c)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--redis-dies-after", type=int, default=0,
                        help="start a Redis of our own and kill it this many seconds into the run")
    args = parser.parse_args()

    url = normalise_database_url(args.database_url)
    create_database(url)
    redis_process = None
    redis_url = args.redis_url
    if args.redis_dies_after:
        redis_process = subprocess.Popen(["redis-server", "--port", str(DEAD_REDIS_PORT), "--save", "",
                                          "--appendonly", "no"], stdout=subprocess.DEVNULL)
        redis_url = f"redis://127.0.0.1:{DEAD_REDIS_PORT}/0"
        time.sleep(0.5)
    else:
        subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], check=True, capture_output=True)
    config = {"PB_ENV": "production", "SECRET_KEY": SECRET, "PB_BASE_URL": "https://pb.load.example",
              "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_STORAGE_URI": redis_url, **KEYS}
    app = create_app(config)
    print(f"seeding {args.voters} verified residents and {args.logins} who sign in ...", flush=True)
    pool_id, project_ids, tokens = seed(app, args.voters + args.logins)
    with app.app_context():
        from pb.accounts.models import User
        from pb.accounts.passwords import hash_password
        from pb.extensions import db
        from pb.processes.models import Process

        db.session.execute(sa.update(User).where(User.email.like("voter%")).values(password_hash=hash_password(PASSWORD)))
        db.session.commit()
        process = db.session.scalars(sa.select(Process)).one()
        process_id, process_path = process.id, f"/m/{process.municipality.slug}/{process.slug}"
    voters = []
    for token in tokens[:args.voters]:
        cookie, csrf = cookie_and_csrf(app, token)
        voters.append({"cookie": cookie, "csrf": csrf})
    logins = []
    for n in range(args.voters, args.voters + args.logins):
        cookie, csrf = anonymous_cookie_and_csrf(app)
        logins.append({"email": f"voter{n}@bench.example", "cookie": cookie, "csrf": csrf,
                       "address": f"10.200.{n // 250 % 250}.{n % 250 + 1}"})
    hosts = [f"http://127.0.0.1:{BASE_PORT + i}" for i in range(args.servers)]
    work = Path(tempfile.mkdtemp(prefix="pb-load-"))
    plan = work / "plan.json"
    plan.write_text(json.dumps({"hosts": hosts, "voters": voters, "logins": logins, "password": PASSWORD,
                                "projects": project_ids, "process_id": process_id, "process_path": process_path,
                                "ballot_path": f"/pools/{pool_id}/ballot",
                                "rate_per_user": args.rate / args.users if args.rate else 0}))

    environment = {**os.environ, "PB_ENV": "production", "PB_SECRET_KEY": SECRET,
                   "PB_BASE_URL": "https://pb.load.example", "PB_DATABASE_URL": url,
                   "PB_RATELIMIT_STORAGE_URL": redis_url, "PB_PROXY_HOPS": "1", **KEYS}
    servers = [subprocess.Popen(
        ["taskset", "-c", args.app_cpus, sys.executable, "-m", "gunicorn", "-w", str(args.workers), "--threads",
         str(args.threads), "--keep-alive", str(args.keep_alive), "-b", f"127.0.0.1:{BASE_PORT + i}",
         "--log-level", "warning", "wsgi:app"],
        cwd=REPO, env=environment, stderr=open(work / f"server{i}.log", "w")) for i in range(args.servers)]
    try:
        for i in range(args.servers):
            wait_for(BASE_PORT + i)
            warm_up(BASE_PORT + i, [process_path, f"{process_path}/projects", f"{process_path}/results",
                                    *(f"/projects/{p}" for p in project_ids)], args.workers * args.threads)
        locust = subprocess.Popen(
            ["taskset", "-c", "0", sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")),
             "--headless", "-u", str(args.users), "-r", str(args.users), "-t", f"{args.duration}s",
             "--csv", str(work / "stats"), "--only-summary", "--stop-timeout", "5",
             *(["--tags", *args.tags] if args.tags else [])],
            cwd=REPO, env={**os.environ, "PB_LOAD_PLAN": str(plan)},
            stdout=open(work / "locust.log", "w"), stderr=subprocess.STDOUT)
        if redis_process is not None:
            time.sleep(args.redis_dies_after)
            redis_process.kill()
            redis_process.wait()
            print(f"Redis killed {args.redis_dies_after} s into the run", flush=True)
        locust.wait()
        second = []
        if args.redis_dies_after:
            # A second vote by every resident who voted (new form, new choices), with Redis still dead.
            second = second_votes(hosts[0], voters, project_ids, f"/pools/{pool_id}/ballot")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)

    rows = summary(work / "stats_stats.csv")
    check = subprocess.run([sys.executable, "-m", "flask", "--app", "pb", "vote", "check"], cwd=REPO,
                           env=environment, capture_output=True, text=True)
    with app.app_context():
        from pb.extensions import db
        from pb.voting.invariants import vote_totals

        participations, ballots, duplicates = vote_totals(db.session)
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{args.servers} app server(s) x {args.workers} workers x {args.threads} threads on CPU {args.app_cpus}, "
          f"locust ({args.users} users{f', {args.rate:g} requests/s offered' if args.rate else ''}, {args.duration} s{', tags ' + ' '.join(args.tags) if args.tags else ''}) on CPU 0; "
          "PostgreSQL and Redis unpinned")
    print("| request kind | requests | failures | per second | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['kind']} | {row['requests']} | {row['failures']} | {row['per_s']:.1f} | {row['p50']} | "
              f"{row['p99']} | {float(row['max']):.0f} |")
    failures = work / "stats_failures.csv"
    if failures.exists() and len(failures.read_text().splitlines()) > 1:
        print("failures:\n" + failures.read_text())
    if second:
        print(f"second vote attempts with Redis dead: {dict(collections.Counter(second))}")
    ballots_given = next((r["requests"] - r["failures"] for r in rows if r["kind"] == "ballot"), 0)
    print(f"stored: {participations} participations, {ballots} ballots, {duplicates} residents with more than one; "
          f"receipts given: {ballots_given}")
    print(f"flask --app pb vote check: exit {check.returncode}: {(check.stdout + check.stderr).strip()[:500]}")
    print(f"logs: {work}")
    if duplicates or participations != ballots or check.returncode != 0:
        raise SystemExit("run.py: the stored vote does not hold together")


def second_votes(host: str, voters: list[dict], project_ids: list[int], path: str) -> list[int]:
    """Every resident submits once more; the answers' status codes."""
    parsed = urllib.parse.urlsplit(host)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    statuses = []
    for voter in voters[:300]:
        form = [("csrf_token", voter["csrf"]), ("form_token", secrets.token_urlsafe(24)), ("action", "cast")]
        form += [("project", str(p)) for p in random.sample(project_ids, 2)]
        connection.request("POST", path, body=urllib.parse.urlencode(form), headers={
            "Cookie": voter["cookie"], "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": "10.9.9.9"})
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
    return statuses


if __name__ == "__main__":
    main()
