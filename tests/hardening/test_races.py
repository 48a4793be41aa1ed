"""Races through real gunicorn workers: fifty requests at once for one resident, twenty times over.

Each scenario releases 50 HTTP submissions together (a barrier behind open connections) against two
gunicorn workers of 25 threads, 20 times on PostgreSQL and 5 on SQLite, while the services wait PB_TEST_RACE_DELAY between their checks and
their insert, so that a check-then-insert would let several through. After each scenario the vote's
invariants must hold (pb.voting.invariants.check_vote). Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import itertools
import secrets

import pytest
import sqlalchemy as sa

from pb.voting.secrecy import receipt_hash
from tests.hardening import harness

# One worker runs every test that shares the session's gunicorn servers (pytest-xdist), so they start once.
pytestmark = pytest.mark.xdist_group("gunicorn")

SUBMISSIONS = 50


def _ballot_path(served) -> str:
    return f"/pools/{served.world.pool_id}/ballot"


def _no_server_errors(answers: list[harness.Answer], served) -> None:
    failed = [a for a in answers if a.status == 0 or a.status >= 500]
    assert not failed, (failed[:3], served.log_tail())


def test_same_ballot_fifty_times_at_once_is_one_ballot_and_one_receipt(served):
    """A double (fifty-fold) click: one participation, one counted ballot, one receipt for every answer."""
    world = served.world
    for resident in world.new_residents(served.repetitions):
        body = harness.ballot_form(resident, world.project_ids[:2], secrets.token_urlsafe(24))
        answers = harness.race(served.port, [(_ballot_path(served), resident.cookie, body)] * SUBMISSIONS, served.app)
        _no_server_errors(answers, served)
        assert all(a.is_receipt for a in answers), {(a.status, a.location) for a in answers}
        receipts = {a.receipt for a in answers}
        assert len(receipts) == 1 and None not in receipts, receipts
        stored = harness.stored_vote(served.app, world.pool_id, resident.entry_id)
        assert stored.participations == 1, stored
        assert len(stored.counted) == 1, stored
        assert stored.counted[0][1] == tuple(sorted(world.project_ids[:2])), stored
    assert harness.vote_problems(served.app) == []


def test_fifty_different_ballots_at_once_leave_one_counted_ballot_among_them(served):
    """Fifty forms opened before any ballot, sent at once: one is taken with its receipt and counts; every other
    one is older than it and refused as stale (409), so no ballot is replaced unseen."""
    world = served.world
    combinations = [c for n in (1, 2, 3) for c in itertools.combinations(world.project_ids, n)]
    for repetition, resident in enumerate(world.new_residents(served.repetitions)):
        before = harness.stored_vote(served.app, world.pool_id, resident.entry_id).ballots_in_pool
        forms = [(secrets.token_urlsafe(24), combinations[(repetition + n) % len(combinations)])
                 for n in range(SUBMISSIONS)]
        jobs = [(_ballot_path(served), resident.cookie, harness.ballot_form(resident, list(chosen), token))
                for token, chosen in forms]
        answers = harness.race(served.port, jobs, served.app)
        _no_server_errors(answers, served)
        taken = [(a, chosen) for a, (_token, chosen) in zip(answers, forms) if a.is_receipt]
        assert len(taken) == 1, {(a.status, a.location) for a in answers}
        assert all(a.status == 409 for a in answers if not a.is_receipt), {(a.status, a.location) for a in answers}
        stored = harness.stored_vote(served.app, world.pool_id, resident.entry_id)
        assert stored.participations == 1, stored
        assert len(stored.counted) == 1, stored
        digest, choices = stored.counted[0]
        assert (receipt_hash(taken[0][0].receipt), tuple(sorted(taken[0][1]))) == (digest, choices)
        assert stored.ballots_in_pool - before == 1
    assert harness.vote_problems(served.app) == []


def test_paper_and_online_at_once_leave_one_ballot_by_one_channel(served):
    """A clerk enters a paper ballot while the resident votes online: one channel wins, the other is refused."""
    world = served.world
    clerk_cookie, clerk_csrf = world.clerk()
    codes = [world.project_codes[p] for p in world.project_ids[:2]]
    paper_path = f"/staff/voting/pools/{world.pool_id}/paper"
    for resident in world.new_residents(served.repetitions):
        jobs = []
        for _ in range(SUBMISSIONS // 2):
            jobs.append((_ballot_path(served), resident.cookie,
                         harness.ballot_form(resident, world.project_ids[:2], secrets.token_urlsafe(24))))
            jobs.append((paper_path, clerk_cookie,
                         harness.paper_form(clerk_csrf, resident.reference, codes, secrets.token_urlsafe(24))))
        answers = harness.race(served.port, jobs, served.app)
        _no_server_errors(answers, served)
        online, paper = answers[0::2], answers[1::2]
        stored = harness.stored_vote(served.app, world.pool_id, resident.entry_id)
        assert stored.participations == 1, stored
        assert len(stored.counted) == 1, stored
        # Entered: back to the desk. Refused: the desk's page again, with the refusal on the form.
        entered = [a for a in paper if a.status == 302 and a.location.endswith(f"{paper_path}?channel=paper")]
        assert all(a.status == 200 for a in paper if a not in entered), {(a.status, a.location) for a in paper}
        # Taken: the receipt. Refused: back to the process's vote page, with the refusal flashed.
        # Refused because of the paper ballot: back to the pools page; because another online form of the same
        # resident was taken first: refused as stale (409).
        taken = [a for a in online if a.is_receipt]
        assert all((a.status == 302 and a.location.endswith("/vote")) or a.status == 409
                   for a in online if not a.is_receipt)
        if stored.channels == ("online",):
            assert not entered and len(taken) == 1, "a paper ballot was accepted after an online one"
        else:
            assert stored.channels == ("paper",), stored
            assert len(entered) == 1 and not taken, "an online ballot was accepted beside a paper one"
    assert harness.vote_problems(served.app) == []


def _supports(served, user_id: int) -> list[int]:
    from pb.deliberation.models import Support
    from pb.extensions import db

    with served.app.app_context():
        try:
            return list(db.session.scalars(sa.select(Support.project_id).where(Support.user_id == user_id)))
        finally:
            db.session.remove()


def test_same_support_fifty_times_at_once_is_one_support(served):
    """Fifty clicks on "support" at once: one support, no error."""
    world = served.world
    project_id = world.supports_project_ids[0]
    for resident in world.new_residents(served.repetitions, verified=False):
        body = f"csrf_token={resident.csrf}"
        answers = harness.race(served.port, [(f"/projects/{project_id}/support", resident.cookie, body)] * SUBMISSIONS)
        _no_server_errors(answers, served)
        assert all(a.status == 302 for a in answers), {a.status for a in answers}
        assert _supports(served, resident.user_id) == [project_id]
    assert harness.vote_problems(served.app) == []


def test_fifty_supports_at_once_keep_the_limit_per_resident(served):
    """Fifty supports of eight projects at once: exactly the process's limit of them is kept."""
    world = served.world
    projects = world.supports_project_ids
    for resident in world.new_residents(served.repetitions, verified=False):
        body = f"csrf_token={resident.csrf}"
        jobs = [(f"/projects/{projects[n % len(projects)]}/support", resident.cookie, body) for n in range(SUBMISSIONS)]
        answers = harness.race(served.port, jobs)
        _no_server_errors(answers, served)
        kept = _supports(served, resident.user_id)
        assert len(kept) == world.support_limit and len(set(kept)) == len(kept), kept
    assert harness.vote_problems(served.app) == []
