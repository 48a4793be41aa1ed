"""Import a past PB edition from a Pabulib election: its pool, projects and anonymous ballots."""

from __future__ import annotations

import datetime as dt
import secrets
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pb.accounts.models import User
from pb.audit.services import record
from pb.core.db import utcnow
from pb.core.money import minor_units
from pb.errors import InvalidTransition, ValidationError
from pb.processes.models import (BallotKind, District, IncompatibleSet, IncompatibleSetMember, Municipality, Phase,
                                 PhaseKind, Pool, Process)
from pb.processes.phases import schedule_around_vote
from pb.proposals.models import Project, ProjectBeneficiary, ProjectCategory, ProjectOrigin, ProjectStatus
from pb.tally.constraints import Constraints
from pb.tally.election import Election
from pb.tally.measures import age_band
from pb.voting.models import Ballot, BallotChoice, Channel, CountedBallot, Participation
from pb.voting.services import count_process

_BALLOT_KINDS = {
    "approval": BallotKind.APPROVAL,
    "cumulative": BallotKind.CUMULATIVE,
    "scoring": BallotKind.CUMULATIVE,
    "ordinal": BallotKind.RANKING,
    "choose-1": BallotKind.CHOOSE_ONE,
}

_CHANNELS = {"internet": Channel.ONLINE, "online": Channel.ONLINE, "paper": Channel.PAPER}


def _minor(amount_units: int, election: Election, currency: str) -> int:
    """An amount of the election's cost units in minor units of the currency, exactly."""
    value = Fraction(amount_units * minor_units(currency), election.cost_scale)
    if value.denominator != 1:
        raise ValidationError("cost", f"the amount {float(value)} has more decimals than {currency} allows")
    return int(value)


def _voting_dates(election: Election) -> tuple[dt.datetime, dt.datetime] | None:
    """The voting period from META date_begin/date_end (DD.MM.YYYY), end day included."""
    try:
        begin = dt.datetime.strptime(election.meta["date_begin"], "%d.%m.%Y").replace(tzinfo=dt.UTC)
        end = dt.datetime.strptime(election.meta["date_end"], "%d.%m.%Y").replace(tzinfo=dt.UTC)
    except (KeyError, ValueError):
        return None
    return begin, end + dt.timedelta(days=1)


def import_election(
    session: Session, actor: User | None, municipality: Municipality, election: Election, *,
    slug: str, name: str, fiscal_year: int, district: District | None = None, pool_name: str | None = None,
    min_voter_age: int = 16,
) -> Process:
    """Create a finished process from a Pabulib election: one pool, its projects, and its ballots.

    The ballots are stored like any other: no person, a random id and receipt, the channel and the
    coarse demographics the file gives. Projects the city funded (``selected`` 1 or 2) are marked funded.
    """
    currency = election.meta.get("currency", "EUR").strip().upper() or "EUR"
    rule = election.rule or "greedy"
    constraints = Constraints.from_meta(election.meta)
    process = Process(
        municipality=municipality, slug=slug, name=name, fiscal_year=fiscal_year, currency=currency,
        description=election.meta.get("description", ""), tally_rule=rule,
        # A file keeps empty columns (Ballot.attributes has every column): demographics are what has a value.
        collect_demographics=any(value for b in election.ballots[:50] for value in b.attributes.values()),
        min_project_score=_whole(election.meta.get("min_project_score_threshold")), min_voter_age=min_voter_age,
        min_vote_share_basis_points=_basis_points(constraints.min_share),
        # The file's own vocabulary, in the order it first appears.
        categories=list(dict.fromkeys(c for p in election.projects for c in p.categories)),
        beneficiary_groups=list(dict.fromkeys(b for p in election.projects for b in p.beneficiaries)),
    )
    session.add(process)
    voting = _voting_dates(election)
    if voting is not None:
        for position, (kind, start, end) in enumerate(schedule_around_vote(*voting)):
            process.phases.append(Phase(kind=kind, position=position, starts_at=start, ends_at=end))
    vote_type = election.vote_type
    pool = Pool(
        process=process, district=district, name=pool_name or (district.name if district else name),
        amount=_minor(election.budget, election, currency), ballot_kind=_BALLOT_KINDS.get(vote_type, BallotKind.APPROVAL),
        min_choices=int(election.meta.get("min_length", "1") or 1),
        max_choices=int(election.meta["max_length"]) if election.meta.get("max_length") else None,
        total_points=int(election.meta["max_sum_points"]) if election.meta.get("max_sum_points") else None,
    )
    session.add(pool)
    session.flush()

    projects: dict[str, Project] = {}
    for p in election.projects:
        selected = p.extra.get("selected", "").strip() in ("1", "2")
        project = Project(
            process_id=process.id, pool_id=pool.id, district_id=district.id if district else None, code=p.id,
            title=(p.name or p.id)[:200], summary=p.extra.get("description", "")[:500], cost=_minor(p.cost, election, currency),
            status=ProjectStatus.WITHDRAWN if election.is_withdrawn(p) else (
                ProjectStatus.SELECTED if selected else ProjectStatus.NOT_SELECTED),
            latitude=_float(p.extra.get("latitude")), longitude=_float(p.extra.get("longitude")),
            origin=ProjectOrigin.IMPORTED,
        )
        project.categories = [ProjectCategory(category=c) for c in dict.fromkeys(p.categories)]
        project.beneficiaries = [ProjectBeneficiary(group=g) for g in dict.fromkeys(p.beneficiaries)]
        session.add(project)
        projects[p.id] = project
    session.flush()
    # The file's incompatible projects (pb.tally.constraints), beneath the ORM like the ballots: the imported
    # vote is over, and the session refuses to change a finished vote's constraints.
    for members in constraints.incompatible:
        set_id = session.execute(sa.insert(IncompatibleSet).values(pool_id=pool.id, note="")
                                 .returning(IncompatibleSet.id)).scalar_one()
        session.execute(sa.insert(IncompatibleSetMember), [
            {"set_id": set_id, "project_id": projects[code].id} for code in sorted(members)])

    ballot_rows, choice_rows, participation_rows = [], [], []
    for ballot in election.ballots:
        for _copy in range(ballot.weight):
            ballot_id = secrets.token_hex(16)
            channel = _CHANNELS.get(ballot.attributes.get("voting_method", "").lower(), Channel.ONLINE)
            ballot_rows.append({
                "id": ballot_id, "pool_id": pool.id, "receipt_hash": secrets.token_hex(32), "channel": channel,
                "age_band": age_band(ballot.attributes.get("age")),
                "sex": (ballot.attributes.get("sex") or "")[:1].upper() or None,
                "district_code": district.code if district else None,
            })
            participation_rows.append({"pool_id": pool.id, "channel": channel})
            for position, project_id in enumerate(ballot.choices):
                choice_rows.append({
                    "ballot_id": ballot_id, "project_id": projects[project_id].id, "position": position,
                    "points": ballot.points[position] if ballot.points is not None else None,
                })
    # Shuffled order: the stored order of ballots must not mirror the order of participations.
    secrets.SystemRandom().shuffle(ballot_rows)
    if ballot_rows:
        session.execute(sa.insert(Ballot), ballot_rows)
        session.execute(sa.insert(BallotChoice), choice_rows)
        # Imported ballots have no owner to find them again: their counted-ballot tag is made from their id.
        session.execute(sa.insert(CountedBallot), [
            {"owner_tag": f"imported-{row['id']}", "pool_id": pool.id, "ballot_id": row["id"]} for row in ballot_rows])
        session.execute(sa.insert(Participation), participation_rows)
    # The vote is over: count it as pb would, so that results, exports and comparisons exist.
    session.flush()
    voting_phase = next((p for p in process.phases if p.kind is PhaseKind.VOTING), None)
    process.vote_closed_at = voting_phase.ends_at if voting_phase else utcnow()
    try:
        count_process(process, mark_projects=False)
    except InvalidTransition:
        # The file's rule needs what Pabulib does not carry (e.g. a vote threshold): keep the ballots uncounted.
        pass
    record(session, actor, "process.import", "process", process.id, after={
        "name": name, "source": "pabulib", "projects": len(projects), "ballots": len(ballot_rows), "rule": rule,
    }, actor_label=None if actor else "demo")
    return process


def _basis_points(share: Fraction | None) -> int | None:
    """A minimum vote share in basis points; ValidationError when the file's share is finer than 0.01%."""
    if share is None:
        return None
    points = share * 10_000
    if points.denominator != 1:
        raise ValidationError("min_vote_share", f"the minimum vote share {float(share)} is finer than 0.01%")
    return int(points)


def _whole(raw: str | None) -> int | None:
    """A whole number from META, or None when absent or not whole."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdecimal() else None


def _float(raw: str | None) -> float | None:
    try:
        return float(raw) if raw not in (None, "") else None
    except ValueError:
        return None
