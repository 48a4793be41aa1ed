"""Real app servers for the hardening tests and crash runs: gunicorn, a seeded vote, residents, raw HTTP.

No pytest here, so that the crash scripts in benchmarks/ use the same pieces as the tests. Requests are
built the way a browser that signed in and opened the form would send them: a signed session cookie and
a CSRF token made with the app's own secret (as benchmarks/ballots.py does).
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[2]
SECRET = "hardening-secret-key-" + "h" * 32
# Explicit keys, so that this process and the servers compute the same hashes and receipts.
KEYS = {"PB_BALLOT_KEY": "b" * 40, "PB_REGISTER_KEY": "r" * 40}
PROTECTED = ("", "test", "postgres", "template0", "template1")


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recreate_postgres_database(url: str) -> None:
    """Drop and create the PostgreSQL database the URL names; never a shared one."""
    _administer(url, "DROP DATABASE IF EXISTS {name} WITH (FORCE)", "CREATE DATABASE {name}")


def drop_postgres_database(url: str) -> None:
    """Drop the PostgreSQL database the URL names (its servers stopped)."""
    _administer(url, "DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _administer(url: str, *statements: str) -> None:
    parsed = make_url(url)
    if (parsed.database or "") in PROTECTED:
        raise RuntimeError(f"refusing to drop the database {parsed.database!r}")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for statement in statements:
            connection.execute(sa.text(statement.format(name=f'"{parsed.database}"')))
    admin.dispose()


def app_settings(database_url: str, **extra: object) -> dict[str, object]:
    """The settings of the servers and of the in-process app that seeds and inspects their database."""
    return {"PB_ENV": "testing", "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": False, "PB_MAIL_BACKEND": "memory", **KEYS, **extra}


def make_app(database_url: str, **extra: object):
    """The app in this process, on the servers' database, with their secret and keys."""
    from pb import create_app

    return create_app(app_settings(database_url, **extra))


def migrate(app) -> None:
    """Build the schema with the migrations, as in production."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)


class Gunicorn:
    """gunicorn serving pb on a free port; ``settings`` reach ``create_app`` through gunicorn's factory call.

    The rate limits are off: these runs prove what the database guarantees when the limits do not help
    (Redis lost, requests spread over servers).
    """

    def __init__(self, database_url: str, *, workers: int = 2, threads: int = 25, delay: float = 0.0,
                 log: Path | None = None, cpus: str | None = None) -> None:
        self.port = free_port()
        settings = {"PB_TEST_RACE_DELAY": delay, "RATELIMIT_ENABLED": False}
        environment = {**os.environ, "PB_ENV": "testing", "PB_SECRET_KEY": SECRET, "PB_DATABASE_URL": database_url,
                       "PB_MAIL_BACKEND": "memory", **KEYS}
        command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads", str(threads),
                   "-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "5", "--log-level", "warning",
                   f"pb:create_app({settings!r})"]
        if cpus:
            command = ["taskset", "-c", cpus, *command]
        self.log = log
        output = open(log, "ab") if log else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=output, stderr=output)
        finally:
            if log:
                output.close()  # gunicorn holds its own copy
        self.wait_until_ready()

    def wait_until_ready(self, timeout: float = 60) -> None:
        """Wait until /healthz answers 200 (the workers have loaded the app)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                if request(self.port, "GET", "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log}")

    def worker_pids(self) -> list[int]:
        """The pids of the current workers (the master respawns killed ones)."""
        pid = self.process.pid  # taskset, when used, execs gunicorn in place: the same pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def stop(self) -> None:
        """Stop the master and its workers (a quick shutdown: nothing is left to finish)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- The seeded vote ----------------------------------------------------------------------------------------

@dataclass
class World:
    """A vote open now (one approval pool, 1 to 3 of 6 projects) and a supports phase open now (limit 3)."""

    app: object
    process_id: int
    pool_id: int
    project_ids: list[int]
    project_codes: dict[int, str]
    supports_project_ids: list[int]
    support_limit: int
    clerk_token: str
    counter: list[int] = field(default_factory=lambda: [0])
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_residents(self, count: int, *, verified: bool = True) -> list[Resident]:
        """``count`` new residents with a session; ``verified`` ones are in the register of the vote."""
        from pb.accounts.models import Role, User
        from pb.core.db import utcnow
        from pb.extensions import db
        from pb.voting import secrecy
        from pb.voting.models import Verification, VoterRegisterEntry

        with self.lock:
            first = self.counter[0]
            self.counter[0] += count
        numbers = range(first, first + count)
        tokens = {n: secrets.token_hex(32) for n in numbers}
        with self.app.app_context():
            db.session.execute(sa.insert(User), [
                {"email": f"resident{n}@hardening.example", "password_hash": "x", "role": Role.RESIDENT,
                 "display_name": f"Resident {n}", "session_token": tokens[n], "email_confirmed_at": utcnow()}
                for n in numbers])
            ids = dict(db.session.execute(sa.select(User.session_token, User.id).where(
                User.session_token.in_(list(tokens.values())))).all())
            entries = {}
            if verified:
                key = secrecy.register_key(self.app.config)
                db.session.execute(sa.insert(VoterRegisterEntry), [
                    {"process_id": self.process_id, "birth_year": 1980, "user_id": ids[tokens[n]],
                     "reference_hash": secrecy.reference_hash(key, self.process_id, f"R-{n}"),
                     "verification": Verification.REGISTER_MATCH, "verified_at": utcnow()} for n in numbers])
                entries = dict(db.session.execute(sa.select(VoterRegisterEntry.user_id, VoterRegisterEntry.id).where(
                    VoterRegisterEntry.user_id.in_(list(ids.values())))).all())
            db.session.commit()
        return [Resident(ids[tokens[n]], entries.get(ids[tokens[n]]), f"R-{n}",
                         *session_cookie(self.app, tokens[n])) for n in numbers]

    def clerk(self) -> tuple[str, str]:
        """The clerk's session cookie and CSRF token."""
        return session_cookie(self.app, self.clerk_token)


@dataclass
class Resident:
    """A signed-in resident as the tests drive them: ids, register reference, cookie and CSRF token."""

    user_id: int
    entry_id: int | None
    reference: str
    cookie: str
    csrf: str


def seed_world(app, *, support_limit: int = 3) -> World:
    """Seed the vote and the supports phase in the app's (migrated, empty) database."""
    from pb.accounts.models import Role, User
    from pb.core.db import utcnow
    from pb.extensions import db
    from pb.mandate.models import Mandate, MandateCharacter, MandateStatus
    from pb.processes.models import BallotKind, Municipality, Phase, Pool, Process
    from pb.processes.phases import schedule_around_vote
    from pb.proposals.models import Project, ProjectStatus

    def process_voting_from(slug: str, start: dt.datetime, **fields) -> Process:
        process = Process(municipality=municipality, slug=slug, name=f"PB {slug}", fiscal_year=2027, currency="EUR",
                          tally_rule="equalshares/add1", **fields)
        for position, (kind, begin, end) in enumerate(schedule_around_vote(start, start + dt.timedelta(days=14))):
            process.phases.append(Phase(kind=kind, position=position, starts_at=begin, ends_at=end))
        db.session.add(process)
        return process

    with app.app_context():
        municipality = Municipality(slug="hardening", name="Hardening", country_code="GR", timezone="UTC")
        now = utcnow()
        vote = process_voting_from("vote", now - dt.timedelta(days=1))
        pool = Pool(name="City", amount=100_000_000, ballot_kind=BallotKind.APPROVAL, min_choices=1, max_choices=3)
        vote.pools.append(pool)
        # Ten days before its vote the process is in deliberation: supports are open.
        supports = process_voting_from("supports", now + dt.timedelta(days=10), max_supports_per_resident=support_limit)
        supports.pools.append(Pool(name="City", amount=100_000_000))
        db.session.flush()
        officer = User(email="legal@hardening.example", password_hash="x", role=Role.LEGAL_OFFICER, display_name="L")
        clerk_token = secrets.token_hex(32)
        # The session cookie stands for a finished sign-in; staff pages also want an enrolled second factor.
        clerk = User(email="clerk@hardening.example", password_hash="x", role=Role.CLERK, display_name="Clerk",
                     session_token=clerk_token, email_confirmed_at=now, totp_enabled_at=now,
                     municipalities=[municipality])
        db.session.add_all([officer, clerk])
        db.session.flush()
        db.session.add(Mandate(process_id=vote.id, version=1, status=MandateStatus.IN_FORCE,
                               character=MandateCharacter.ADVISORY, basis_instrument="Law", basis_number="1/2026",
                               signed_by_id=officer.id, signed_at=now, opinion="ok",
                               effective_from=(now - dt.timedelta(days=2)).date()))
        projects = [Project(process_id=vote.id, pool_id=pool.id, code=f"C{i}", title=f"Project {i}",
                            cost=i * 1_000_000, status=ProjectStatus.ON_BALLOT) for i in range(1, 7)]
        supported = [Project(process_id=supports.id, pool_id=supports.pools[0].id, code=f"S{i}", title=f"Idea {i}",
                             cost=1_000_000, status=ProjectStatus.PUBLISHED) for i in range(1, 9)]
        db.session.add_all(projects + supported)
        db.session.commit()
        return World(app, vote.id, pool.id, [p.id for p in projects], {p.id: p.code for p in projects},
                     [p.id for p in supported], support_limit, clerk_token)


def session_cookie(app, session_token: str) -> tuple[str, str]:
    """The session cookie a signed-in browser holds, and the CSRF token of the forms it was shown."""
    raw = secrets.token_hex(20)
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": session_token, "_fresh": True, "csrf_token": raw})
    csrf = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    return f"{app.config['SESSION_COOKIE_NAME']}={cookie}", csrf


def ballot_form(resident: Resident, project_ids: list[int], form_token: str, based_on: str = "") -> str:
    """The body of a submitted ballot form (``based_on``: the version of the ballot it was opened on)."""
    fields = [("csrf_token", resident.csrf), ("form_token", form_token), ("based_on", based_on), ("action", "cast")]
    return urllib.parse.urlencode(fields + [("project", str(p)) for p in project_ids])


def paper_form(csrf: str, reference: str, codes: list[str], form_token: str) -> str:
    """The body of the clerk's paper ballot form."""
    return urllib.parse.urlencode({"csrf_token": csrf, "form_token": form_token, "reference": reference,
                                   "projects": " ".join(codes), "channel": "paper", "sex": ""})


# --- What the database holds ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Stored:
    """A resident's stored vote in a pool: participations, counted ballots (receipt hash, choices), all ballots."""

    participations: int
    channels: tuple[str, ...]
    counted: tuple[tuple[str, tuple[int, ...]], ...]
    ballots_in_pool: int


def stored_vote(app, pool_id: int, entry_id: int) -> Stored:
    """What the database holds about this register entry's vote in the pool."""
    from pb.extensions import db
    from pb.voting import secrecy
    from pb.voting.models import Ballot, BallotChoice, CountedBallot, Participation

    with app.app_context():
        try:
            channels = tuple(c.value for c in db.session.scalars(sa.select(Participation.channel).where(
                Participation.pool_id == pool_id, Participation.register_entry_id == entry_id)))
            tag = secrecy.owner_tag(secrecy.ballot_key(app.config), pool_id, f"entry:{entry_id}")
            counted = []
            for ballot_id, digest in db.session.execute(sa.select(Ballot.id, Ballot.receipt_hash).join(
                    CountedBallot, CountedBallot.ballot_id == Ballot.id).where(CountedBallot.owner_tag == tag)):
                choices = tuple(sorted(db.session.scalars(sa.select(BallotChoice.project_id).where(
                    BallotChoice.ballot_id == ballot_id))))
                counted.append((digest, choices))
            ballots = db.session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.pool_id == pool_id))
            return Stored(len(channels), channels, tuple(counted), ballots)
        finally:
            db.session.remove()


def expected_receipt(app, pool_id: int, entry_id: int, form_token: str) -> str:
    """The tracking code pb must give for this resident and form, computed apart from the server."""
    from pb.voting import secrecy

    key = secrecy.ballot_key(app.config)
    return secrecy.receipt_code(key, secrecy.owner_tag(key, pool_id, f"entry:{entry_id}"), form_token)


def ballot_version(app, pool_id: int, entry_id: int) -> str:
    """What the ballot form of this resident carries as ``based_on`` now: the version of their counted ballot."""
    from pb.voting import secrecy
    from pb.voting.models import CountedBallot

    key = secrecy.ballot_key(app.config)
    tag = secrecy.owner_tag(key, pool_id, f"entry:{entry_id}")
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        ballot_id = session.scalar(sa.select(CountedBallot.ballot_id).where(CountedBallot.owner_tag == tag))
        session.remove()
    return secrecy.ballot_version(key, tag, ballot_id)


def vote_problems(app) -> list[str]:
    """Every breach of the vote's invariants in the database (pb.voting.invariants.check_vote)."""
    from pb.voting.invariants import check_vote

    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        try:
            return check_vote(session)
        finally:
            session.remove()


# --- HTTP ----------------------------------------------------------------------------------------------------

@dataclass
class Answer:
    """What came back: status, Location, the receipt code in the new session cookie, Retry-After, body."""

    status: int
    location: str = ""
    receipt: str | None = None
    retry_after: str | None = None
    body: str = ""
    at: float = field(default_factory=time.monotonic, compare=False)  # when it came back

    @property
    def is_receipt(self) -> bool:
        """A redirect to the receipt page: the ballot was taken."""
        return self.status == 302 and self.location.endswith("/receipt")


def receipt_in(app, set_cookies: list[str], location: str) -> str | None:
    """The tracking code the ballot view kept for the session of the new cookie (the cookie holds only a key)."""
    from pb.voting import kept
    from pb.voting.views import RECEIPT_KEY

    name = app.config["SESSION_COOKIE_NAME"]
    pool = re.search(r"/pools/(\d+)/receipt$", location)
    for header in set_cookies:
        morsel = SimpleCookie(header).get(name)
        if morsel is not None and morsel.value and pool is not None:
            data = app.session_interface.get_signing_serializer(app).loads(morsel.value)
            key = data.get(RECEIPT_KEY)
            with app.app_context():
                found = kept.kept_by_key(key, int(pool.group(1)))
                app.extensions["sqlalchemy"].session.remove()
            return found.code if found else None
    return None


def read_answer(response: http.client.HTTPResponse, app=None) -> Answer:
    """An Answer from a response (the receipt decoded when ``app`` is given)."""
    body = response.read().decode("utf-8", "replace")
    cookies = response.headers.get_all("Set-Cookie") or []
    return Answer(response.status, response.getheader("Location") or "",
                  receipt_in(app, cookies, response.getheader("Location") or "") if app is not None else None, response.getheader("Retry-After"), body)


def request(port: int, method: str, path: str, *, cookie: str = "", body: str | None = None, app=None,
            timeout: float = 60) -> Answer:
    """One request on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=_headers(cookie, body))
        return read_answer(connection.getresponse(), app)
    finally:
        connection.close()


def _headers(cookie: str, body: str | None) -> dict[str, str]:
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return headers


def race(port: int, jobs: list[tuple[str, str, str]], app=None, timeout: float = 120) -> list[Answer]:
    """Send every (path, cookie, body) POST at once: connections open first, then a barrier releases them."""
    barrier = threading.Barrier(len(jobs))
    answers: list[Answer | None] = [None] * len(jobs)

    def send(index: int, path: str, cookie: str, body: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.connect()
            barrier.wait()
            connection.request("POST", path, body=body, headers=_headers(cookie, body))
            answers[index] = read_answer(connection.getresponse(), app)
        except (OSError, http.client.HTTPException) as error:
            answers[index] = Answer(0, body=repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers  # type: ignore[return-value]


def fire(port: int, jobs: list[tuple[str, str, str]], concurrency: int, app=None,
         timeout: float = 30) -> list[Answer]:
    """Send every (path, cookie, body) POST from ``concurrency`` keep-alive connections; the answers in order.

    A connection that breaks (a killed worker, a refused connect) gives status 0 for its request and is
    opened again for the next one.
    """
    answers: list[Answer | None] = [None] * len(jobs)
    pending = iter(range(len(jobs)))
    lock = threading.Lock()

    def work() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        while True:
            with lock:
                index = next(pending, None)
            if index is None:
                connection.close()
                return
            path, cookie, body = jobs[index]
            try:
                connection.request("POST", path, body=body, headers=_headers(cookie, body))
                answers[index] = read_answer(connection.getresponse(), app)
            except (OSError, http.client.HTTPException) as error:
                answers[index] = Answer(0, body=repr(error))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers  # type: ignore[return-value]
