"""Fifty submissions at once for one resident leave one participation and one ballot, on both databases.

Each submission runs in its own thread, app context, session and connection, released together by a
barrier, as concurrent requests on different app servers would be.
"""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from pb.accounts.models import User
from pb.core.db import writing
from pb.errors import PBError
from pb.processes.models import Pool
from pb.voting import services
from pb.voting.ballot_rules import Choice
from pb.voting.models import Ballot, BallotChoice, CountedBallot, Participation
from pb.voting.secrecy import receipt_hash

SUBMISSIONS = 50


def _race(app, db, jobs):
    """Run each job in its own thread and app context, all starting at once; their outcomes in order."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[object] = [None] * len(jobs)

    def run(index, job):
        with app.app_context():
            try:
                barrier.wait()
                with writing():
                    outcomes[index] = job()
                    db.session.commit()
            except PBError as error:
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _counts(db):
    """Participations and counted ballots (a changed vote leaves its earlier ballot written, uncounted)."""
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Participation)),
            db.session.scalar(sa.select(sa.func.count()).select_from(CountedBallot)))


@pytest.mark.parametrize("round_", range(3))
def test_fifty_identical_submissions_give_one_ballot_and_one_receipt(app, db, voting_world, round_):
    w = voting_world
    user_id, pool_id, project_id = w.resident.id, w.city.id, w.projects[0].id
    db.session.commit()

    def submit():
        user, pool = db.session.get(User, user_id), db.session.get(Pool, pool_id)
        return services.cast_ballot(user, pool, [Choice(project_id)], "the-same-form").code

    outcomes = _race(app, db, [submit] * SUBMISSIONS)
    assert len(set(outcomes)) == 1 and isinstance(outcomes[0], str), outcomes
    assert _counts(db) == (1, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 1


def test_fifty_different_submissions_keep_exactly_one_ballot(app, db, voting_world):
    w = voting_world
    user_id, pool_id = w.resident.id, w.city.id
    project_ids = [p.id for p in w.projects]
    db.session.commit()

    def submit(n):
        def job():
            user, pool = db.session.get(User, user_id), db.session.get(Pool, pool_id)
            return services.cast_ballot(user, pool, [Choice(project_ids[n % 5])], f"form-{n}").code
        return job

    # Every form was opened before any ballot existed: one is cast, and every other one is older than it, so
    # it is refused instead of replacing, unseen, a ballot its sender never saw.
    outcomes = _race(app, db, [submit(n) for n in range(SUBMISSIONS)])
    cast = [o for o in outcomes if isinstance(o, str)]
    assert len(cast) == 1, outcomes
    assert all(isinstance(o, services.StaleBallot) for o in outcomes if not isinstance(o, str)), outcomes
    assert _counts(db) == (1, 1)
    counted = db.session.scalars(sa.select(CountedBallot.ballot_id)).one()
    assert db.session.get(Ballot, counted).receipt_hash == receipt_hash(cast[0])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BallotChoice).where(
        BallotChoice.ballot_id == counted)) == 1


def test_fifty_changes_of_one_ballot_at_once_replace_it_once(app, db, voting_world):
    """Fifty forms opened on the same ballot, sent at once: one replaces it, the others see it replaced."""
    w = voting_world
    services.cast_ballot(w.resident, w.city, [Choice(w.projects[0].id)], "form-first")
    version = services.ballot_version(w.resident, w.city)
    user_id, pool_id = w.resident.id, w.city.id
    project_ids = [p.id for p in w.projects]
    db.session.commit()

    def change(n):
        def job():
            user, pool = db.session.get(User, user_id), db.session.get(Pool, pool_id)
            return services.cast_ballot(user, pool, [Choice(project_ids[n % 5])], f"change-{n}", based_on=version).code
        return job

    outcomes = _race(app, db, [change(n) for n in range(SUBMISSIONS)])
    cast = [o for o in outcomes if isinstance(o, str)]
    assert len(cast) == 1 and all(isinstance(o, services.StaleBallot) for o in outcomes if o not in cast), outcomes
    counted = db.session.scalars(sa.select(CountedBallot.ballot_id)).one()
    assert db.session.get(Ballot, counted).receipt_hash == receipt_hash(cast[0])


def test_paper_and_online_at_once_leave_one_ballot(app, db, voting_world):
    w = voting_world
    user_id, clerk_id, pool_id, project_id = w.resident.id, w.clerk.id, w.city.id, w.projects[0].id
    db.session.commit()

    def online():
        return services.cast_ballot(db.session.get(User, user_id), db.session.get(Pool, pool_id),
                                    [Choice(project_id)], "online-form").code

    def paper():
        return services.enter_paper_ballot(db.session.get(User, clerk_id), db.session.get(Pool, pool_id), "AB-1001",
                                           [Choice(project_id)], "paper-form").code

    outcomes = _race(app, db, [online, paper] * (SUBMISSIONS // 2))
    refused = [o for o in outcomes if isinstance(o, services.AlreadyVoted)]
    assert len(refused) >= SUBMISSIONS // 2 - 1
    assert _counts(db) == (1, 1)


def test_a_ballot_waiting_while_its_pool_is_annulled_is_refused(app, db, voting_world):
    """The ballot arrives while the clerk's annulment holds the process: once that commits, it sees it."""
    w = voting_world
    user_id, clerk_id, pool_id, project_id = w.resident.id, w.clerk.id, w.city.id, w.projects[0].id
    db.session.commit()
    annulling, committing = threading.Event(), threading.Event()
    outcome: list[object] = []

    def annul():
        with app.app_context():
            try:
                with writing():
                    services.annul_pool(db.session.get(User, clerk_id), db.session.get(Pool, pool_id),
                                        "Mass registration with scraped tax numbers.")
                    annulling.set()
                    committing.wait(10)  # the ballot is waiting for the lock meanwhile
                    db.session.commit()
            finally:
                annulling.set()
                db.session.remove()

    def ballot():
        annulling.wait(10)
        with app.app_context():
            try:
                with writing():
                    outcome.append(services.cast_ballot(db.session.get(User, user_id), db.session.get(Pool, pool_id),
                                                        [Choice(project_id)], "late-form").code)
                    db.session.commit()
            except PBError as error:
                db.session.rollback()
                outcome.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=annul), threading.Thread(target=ballot)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # long enough for the ballot to reach the lock and wait there
    committing.set()
    for thread in threads:
        thread.join()
    assert len(outcome) == 1 and isinstance(outcome[0], services.InvalidTransition), outcome
    assert "annulled" in outcome[0].message
    assert _counts(db) == (0, 0)
