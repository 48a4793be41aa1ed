"""The vote's invariants, checked in one place after every test run and every load or crash run.

Each check returns a sentence per breach; an empty list means the stored vote is sound.
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from pb.audit.models import AuditEvent
from pb.audit.services import chain_key, event_holds
from pb.processes.models import Pool, Process
from pb.proposals.models import Project
from pb.voting import ballot_rules, counting
from pb.voting.merkle import merkle_root
from pb.voting.models import Ballot, BallotChoice, CountedBallot, Participation, ReceiptRoot, TallyResult
from pb.voting.services import rules_of


def check_vote(session: Session, audit_key: bytes | None = None) -> list[str]:
    """Every breach of the vote's invariants in the database, over all processes.

    A closed vote is also held to what its close recorded in the audit log (keyed with ``audit_key``, by default
    the app's): the closing root, and each pool's input fingerprint and result.
    """
    problems: list[str] = []
    for pool in session.scalars(sa.select(Pool).order_by(Pool.id)):
        problems += _check_pool(session, pool)
    key = audit_key or chain_key(current_app.config)
    closed = session.scalars(sa.select(Process).where(sa.or_(
        sa.exists().where(ReceiptRoot.process_id == Process.id, ReceiptRoot.occasion == "close"),
        sa.exists().where(AuditEvent.action == "vote.close", AuditEvent.object_type == "process",
                          AuditEvent.object_id == sa.cast(Process.id, sa.String)))).order_by(Process.id))
    for process in closed:
        problems += check_close(session, process, key)
    duplicates = session.scalar(sa.select(sa.func.count()).select_from(
        sa.select(Ballot.receipt_hash).group_by(Ballot.receipt_hash).having(sa.func.count() > 1).subquery()))
    if duplicates:
        problems.append(f"{duplicates} receipt hashes appear on more than one ballot")
    return problems


def check_close(session: Session, process: Process, key: bytes) -> list[str]:
    """A closed vote against what its close recorded: the audit event still holds, the closing root is the one it
    names and the counted receipts still give it, each pool's ballots give the recorded fingerprint and its
    stored official result is the recorded one."""
    name = f"process {process.id}"
    event = session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "vote.close", AuditEvent.object_type == "process",
        AuditEvent.object_id == str(process.id)).order_by(AuditEvent.id).limit(1))
    root = session.scalar(sa.select(ReceiptRoot).where(
        ReceiptRoot.process_id == process.id, ReceiptRoot.occasion == "close").order_by(ReceiptRoot.id).limit(1))
    if event is None or root is None:
        return [f"{name}: the vote has {'no close event in the audit log' if event is None else 'no closing root'}"]
    if not event_holds(key, event):
        return [f"{name}: the audit event of the close (event {event.id}) was changed"]
    recorded = event.after or {}
    problems = []
    later = session.scalar(sa.select(sa.func.count()).select_from(ReceiptRoot).where(
        ReceiptRoot.process_id == process.id, ReceiptRoot.occasion == "close", ReceiptRoot.id != root.id))
    if later:
        problems.append(f"{name}: {later} closing roots were added after the close")
    if root.root != recorded.get("receipt_root"):
        problems.append(f"{name}: the closing root {root.root} is not the one the close recorded "
                        f"({recorded.get('receipt_root')})")
    hashes = session.scalars(
        sa.select(Ballot.receipt_hash).join(CountedBallot, CountedBallot.ballot_id == Ballot.id).join(Pool)
        .where(Pool.process_id == process.id, CountedBallot.voided.is_(False))).all()
    try:
        now_root = merkle_root(hashes)
    except ValueError:  # a receipt counted twice: reported by check_vote
        now_root = None
    if now_root != recorded.get("receipt_root"):
        problems.append(f"{name}: the counted receipts no longer give the closing root")
    pools = recorded.get("pools", {})
    for pool in session.scalars(sa.select(Pool).where(Pool.process_id == process.id).order_by(Pool.id)):
        stored = session.scalar(sa.select(TallyResult).where(TallyResult.pool_id == pool.id, TallyResult.is_official))
        then = pools.get(str(pool.id))
        if then is None:
            if stored is not None:
                problems.append(f"pool {pool.id}: a result is stored but the close counted no result for it")
            continue
        if stored is None:
            problems.append(f"pool {pool.id}: the result the close stored is gone")
            continue
        if counting.input_hash(counting.election_for_pool(session, pool)) != then.get("input_hash"):
            problems.append(f"pool {pool.id}: the ballots differ from those the close counted (input hash)")
        if stored.input_hash != then.get("input_hash") or stored.ballots_counted != then.get("ballots"):
            problems.append(f"pool {pool.id}: the stored result was not computed from the ballots the close counted")
        if "result" in then and counting.result_digest(stored) != then["result"]:
            problems.append(f"pool {pool.id}: the stored result differs from the one the close recorded")
    return problems


def _check_pool(session: Session, pool: Pool) -> list[str]:
    problems = []
    name = f"pool {pool.id}"
    valid = session.scalar(sa.select(sa.func.count()).select_from(Participation).where(
        Participation.pool_id == pool.id, Participation.invalidated_at.is_(None)))
    counted = session.scalar(sa.select(sa.func.count()).select_from(CountedBallot).where(
        CountedBallot.pool_id == pool.id, CountedBallot.voided.is_(False)))
    if valid != counted:
        problems.append(f"{name}: {valid} valid participations but {counted} counted ballots")
    empty = session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(
        Ballot.pool_id == pool.id, ~sa.exists().where(BallotChoice.ballot_id == Ballot.id)))
    if empty:
        problems.append(f"{name}: {empty} ballots without a choice")
    outside = session.scalar(sa.select(sa.func.count()).select_from(BallotChoice).join(Ballot).join(
        Project, Project.id == BallotChoice.project_id).where(
        Ballot.pool_id == pool.id, sa.or_(Project.pool_id.is_(None), Project.pool_id != pool.id)))
    if outside:
        problems.append(f"{name}: {outside} choices of projects outside the pool")
    elsewhere = session.scalar(sa.select(sa.func.count()).select_from(CountedBallot).join(
        Ballot, Ballot.id == CountedBallot.ballot_id).where(CountedBallot.pool_id == pool.id, Ballot.pool_id != pool.id))
    if elsewhere:
        problems.append(f"{name}: {elsewhere} counted ballots belong to another pool")
    problems += _check_rules(session, pool, name)
    problems += _check_tally(session, pool, name)
    return problems


def _check_rules(session: Session, pool: Pool, name: str) -> list[str]:
    """Every counted ballot keeps the pool's rules (count, cost, points); imported ballots are the city's."""
    rules = rules_of(pool)
    costs = dict(session.execute(sa.select(Project.id, Project.cost).where(Project.pool_id == pool.id)).all())
    choices: dict[str, list[ballot_rules.Choice]] = {}
    rows = session.execute(
        sa.select(BallotChoice.ballot_id, BallotChoice.project_id, BallotChoice.points).join(Ballot)
        .where(Ballot.id.in_(counting.counted_ballots(pool.id)), Ballot.channel != "imported")
        .order_by(BallotChoice.ballot_id, BallotChoice.position))
    for ballot_id, project_id, points in rows:
        choices.setdefault(ballot_id, []).append(ballot_rules.Choice(project_id, points))
    broken = Counter(v.code for picked in choices.values() for v in ballot_rules.check(rules, picked, costs))
    return [f"{name}: {n} ballots break the rule {code}" for code, n in sorted(broken.items())]


def _check_tally(session: Session, pool: Pool, name: str) -> list[str]:
    """The stored official result is what the rule gives on the stored ballots today."""
    stored = session.scalar(sa.select(TallyResult).where(TallyResult.pool_id == pool.id, TallyResult.is_official))
    if stored is None:
        return []
    process = session.get(Process, pool.process_id)
    election = counting.election_for_pool(session, pool)
    if counting.input_hash(election) != stored.input_hash:
        return [f"{name}: the ballots changed after the count (input hash differs)"]
    outcome = counting.count_pool(election, stored.rule, process.tie_break)[0].outcome
    codes = dict(session.execute(sa.select(Project.id, Project.code).where(Project.process_id == process.id)).all())
    funded = {codes[rp.project_id] for rp in stored.projects if rp.selected}
    if funded != set(outcome.selected):
        return [f"{name}: a recount funds {sorted(outcome.selected)}, the stored result {sorted(funded)}"]
    return []


def vote_totals(session: Session) -> tuple[int, int, int]:
    """Participations, counted ballots, and residents with more than one participation in a pool (load runs)."""
    participations = session.scalar(sa.select(sa.func.count()).select_from(Participation))
    counted = session.scalar(sa.select(sa.func.count()).select_from(CountedBallot))
    doubled = session.scalar(sa.select(sa.func.count()).select_from(
        sa.select(Participation.pool_id, Participation.register_entry_id)
        .where(Participation.register_entry_id.is_not(None))
        .group_by(Participation.pool_id, Participation.register_entry_id).having(sa.func.count() > 1).subquery()))
    return participations, counted, doubled
