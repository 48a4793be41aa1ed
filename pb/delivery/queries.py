"""Read-only queries of delivery: the adopted projects of an edition with their records, a project's public
delivery story, the staff desk, the API's summary fields and the figures' plain inputs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from pb.accounts.models import Role, User
from pb.delivery import rules
from pb.delivery.figures import CITY_WIDE, DeliveredValue, ProjectFacts, delivered_value
from pb.delivery.models import (CoProduction, CoProductionStatus, DeliveryMailOptIn, DeliveryMilestone, DeliveryPhoto,
                                DeliveryRating, DeliveryRecord, DeliveryStatus, DeliveryUpdate)
from pb.delivery.permissions import can_edit_delivery, can_manage_delivery
from pb.delivery.services import ADOPTED, is_adopted
from pb.extensions import db
from pb.mandate.models import CouncilDecision
from pb.mandate.queries import governing_mandate, local_today
from pb.processes.models import Process
from pb.proposals.models import Project
from pb.voting.models import BallotChoice, CountedBallot


def record_of(project_id: int) -> DeliveryRecord | None:
    """The delivery record of a project, if it has one."""
    return db.session.execute(sa.select(DeliveryRecord).where(
        DeliveryRecord.project_id == project_id)).scalar_one_or_none()


def deadline(process: Process) -> dt.date | None:
    """The mandate's delivery deadline of the edition (fiscal year end + the mandate's months), if it sets one."""
    mandate = governing_mandate(process)
    months = mandate.terms.get("delivery_months") if mandate else None
    return rules.delivery_deadline(process.fiscal_year, months)


@dataclass
class Row:
    """One adopted project of an edition, with its delivery record (None until a clerk opens it)."""

    project: Project
    decision: CouncilDecision
    record: DeliveryRecord | None
    lateness: rules.Lateness
    milestones_done: int = 0
    milestones_total: int = 0
    last_update_at: dt.datetime | None = None
    co_producers: list[CoProduction] = field(default_factory=list)

    @property
    def status(self) -> DeliveryStatus | None:
        return self.record.status if self.record else None


def adopted_rows(process: Process, now: dt.datetime | None = None) -> list[Row]:
    """The projects the council adopted in this edition, by code, with their delivery and whether each is late."""
    found = db.session.execute(
        sa.select(Project, CouncilDecision, DeliveryRecord)
        .join(CouncilDecision, CouncilDecision.project_id == Project.id)
        .outerjoin(DeliveryRecord, DeliveryRecord.project_id == Project.id)
        .where(Project.process_id == process.id, CouncilDecision.outcome.in_(ADOPTED))
        .order_by(Project.code, Project.id)).all()
    today = local_today(process, now)
    due = deadline(process)
    records = [r.id for _p, _d, r in found if r is not None]
    milestones = _milestone_counts(records)
    updates = last_updates(records)
    agreements = agreed_co_producers([p.id for p, _d, _r in found])
    rows = []
    for project, decision, delivery in found:
        late = (rules.lateness(delivery.status, today, due, delivery.planned_end_on) if delivery
                else rules.lateness(DeliveryStatus.PLANNED, today, due, None))
        done, total = milestones.get(delivery.id, (0, 0)) if delivery else (0, 0)
        rows.append(Row(project, decision, delivery, late, done, total,
                        updates.get(delivery.id) if delivery else None, agreements.get(project.id, [])))
    return rows


def carry_overs(process: Process, rows: list[Row], now: dt.datetime | None = None) -> list[Row]:
    """Adopted projects still under way after their fiscal year ended: what the next year's budget carries over."""
    if local_today(process, now) <= dt.date(process.fiscal_year, 12, 31):
        return []
    return [row for row in rows if row.status is None or row.status in rules.ACTIVE]


def _milestone_counts(record_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not record_ids:
        return {}
    rows = db.session.execute(
        sa.select(DeliveryMilestone.record_id, sa.func.count(DeliveryMilestone.done_on), sa.func.count())
        .where(DeliveryMilestone.record_id.in_(record_ids)).group_by(DeliveryMilestone.record_id))
    return {record_id: (done, total) for record_id, done, total in rows}


def last_updates(record_ids: list[int]) -> dict[int, dt.datetime]:
    """The date of each record's latest public update."""
    if not record_ids:
        return {}
    rows = db.session.execute(
        sa.select(DeliveryUpdate.record_id, sa.func.max(DeliveryUpdate.created_at))
        .where(DeliveryUpdate.record_id.in_(record_ids)).group_by(DeliveryUpdate.record_id))
    # SQLite's max() hands back text, not a time: read each record's latest row through the ORM instead.
    latest: dict[int, dt.datetime] = {}
    for record_id, _value in rows:
        latest[record_id] = db.session.execute(
            sa.select(DeliveryUpdate.created_at).where(DeliveryUpdate.record_id == record_id)
            .order_by(DeliveryUpdate.created_at.desc()).limit(1)).scalar_one()
    return latest


def agreed_co_producers(project_ids: list[int]) -> dict[int, list[CoProduction]]:
    """The recorded co-production agreements of these projects."""
    if not project_ids:
        return {}
    found: dict[int, list[CoProduction]] = defaultdict(list)
    for offer in db.session.execute(sa.select(CoProduction).where(
            CoProduction.project_id.in_(project_ids), CoProduction.status == CoProductionStatus.AGREED)
            .order_by(CoProduction.starts_on, CoProduction.id)).scalars():
        found[offer.project_id].append(offer)
    return found


def api_summaries(project_ids: list[int]) -> dict[int, dict]:
    """The open data API's delivery fields of each project that has a delivery record."""
    if not project_ids:
        return {}
    records = list(db.session.execute(sa.select(DeliveryRecord).where(
        DeliveryRecord.project_id.in_(project_ids))).scalars())
    ids = [r.id for r in records]
    milestones = _milestone_counts(ids)
    updates = last_updates(ids)
    summaries = {}
    for delivery in records:
        done, total = milestones.get(delivery.id, (0, 0))
        last = updates.get(delivery.id)
        summaries[delivery.project_id] = {
            "status": delivery.status.value,
            "milestones_done": done,
            "milestones_total": total,
            "spent": delivery.spent,
            "last_update": last.date().isoformat() if last else None,
        }
    return summaries


@dataclass
class ProjectDelivery:
    """What a project's page shows of its delivery."""

    record: DeliveryRecord | None
    is_adopted: bool
    photos: list[DeliveryPhoto]
    co_producers: list[CoProduction]
    ratings: list[tuple[DeliveryRating, str]]
    lateness: rules.Lateness
    deadline: dt.date | None
    has_opted_in: bool
    has_rated: bool
    can_edit: bool


def project_delivery(project: Project, user, now: dt.datetime | None = None) -> ProjectDelivery:
    """A project's delivery story for its page: record, milestones, updates, pictures, co-producers, ratings."""
    delivery = record_of(project.id)
    process = db.session.get(Process, project.process_id)
    due = deadline(process) if delivery else None
    signed_in = getattr(user, "is_authenticated", False)
    photos, ratings = [], []
    late = rules.Lateness(False, False)
    if delivery is not None:
        photos = list(db.session.execute(sa.select(DeliveryPhoto).where(DeliveryPhoto.record_id == delivery.id)
                                         .order_by(DeliveryPhoto.kind, DeliveryPhoto.id)).scalars())
        ratings = list(db.session.execute(
            sa.select(DeliveryRating, User.display_name).join(User, User.id == DeliveryRating.user_id)
            .where(DeliveryRating.record_id == delivery.id).order_by(DeliveryRating.created_at)).all())
        late = rules.lateness(delivery.status, local_today(process, now), due, delivery.planned_end_on)
    return ProjectDelivery(
        record=delivery, is_adopted=delivery is not None or is_adopted(project), photos=photos,
        co_producers=agreed_co_producers([project.id]).get(project.id, []), ratings=ratings, lateness=late,
        deadline=due,
        has_opted_in=bool(signed_in and db.session.get(DeliveryMailOptIn, (project.id, user.id))),
        has_rated=bool(signed_in and any(rating.user_id == user.id for rating, _name in ratings)),
        can_edit=bool(signed_in and delivery is not None and can_edit_delivery(user, delivery)))


def photos_of(record_id: int) -> list[DeliveryPhoto]:
    """A record's pictures in the order they were added."""
    return list(db.session.execute(sa.select(DeliveryPhoto).where(DeliveryPhoto.record_id == record_id)
                                   .order_by(DeliveryPhoto.id)).scalars())


def ratings_of(record_id: int) -> list[DeliveryRating]:
    """A record's ratings, hidden ones included, for the moderator."""
    return list(db.session.execute(sa.select(DeliveryRating).where(DeliveryRating.record_id == record_id)
                                   .order_by(DeliveryRating.created_at)).scalars())


def offers(project_id: int) -> list[CoProduction]:
    """Every offer to co-produce a project, for the clerk."""
    return list(db.session.execute(sa.select(CoProduction).where(CoProduction.project_id == project_id)
                                   .order_by(CoProduction.created_at)).scalars())


@dataclass
class DeskRow:
    """One delivery record on the staff desk."""

    record: DeliveryRecord
    process: Process
    lateness: rules.Lateness
    waiting_offers: int


def desk(user, now: dt.datetime | None = None) -> list[DeskRow]:
    """The delivery records a member of staff works on (a department officer: only their own), late first."""
    query = sa.select(DeliveryRecord, Process).join(Process, Process.id == DeliveryRecord.process_id)
    if not can_manage_delivery(user):
        query = query.where(DeliveryRecord.officer_id == user.id)
    found = db.session.execute(query.order_by(Process.id, DeliveryRecord.id)).all()
    waiting = dict(db.session.execute(
        sa.select(CoProduction.project_id, sa.func.count()).where(CoProduction.status == CoProductionStatus.OFFERED)
        .group_by(CoProduction.project_id)).all())
    deadlines: dict[int, dt.date | None] = {}
    rows = []
    for delivery, process in found:
        if process.id not in deadlines:
            deadlines[process.id] = deadline(process)
        late = rules.lateness(delivery.status, local_today(process, now), deadlines[process.id],
                              delivery.planned_end_on)
        rows.append(DeskRow(delivery, process, late, waiting.get(delivery.project_id, 0)))
    rows.sort(key=lambda row: not row.lateness.is_overdue)
    return rows


def adoptable_without_record() -> list[tuple[Process, Project]]:
    """Adopted projects that have no delivery record yet, for the clerk to open one."""
    found = db.session.execute(
        sa.select(Process, Project).join(Project, Project.process_id == Process.id)
        .join(CouncilDecision, CouncilDecision.project_id == Project.id)
        .outerjoin(DeliveryRecord, DeliveryRecord.project_id == Project.id)
        .where(CouncilDecision.outcome.in_(ADOPTED), DeliveryRecord.id.is_(None))
        .order_by(Process.id, Project.code)).all()
    return [(process, project) for process, project in found]


def department_officers() -> list[User]:
    """The staff who may be named responsible for a delivery."""
    return list(db.session.execute(sa.select(User).where(
        User.role.in_((Role.DEPARTMENT, Role.CLERK, Role.ADMIN)), User.blocked_at.is_(None))
        .order_by(User.display_name, User.email)).scalars())


def facts_of(rows: list[Row]) -> list[ProjectFacts]:
    """The figures' plain input from an edition's rows (hidden ratings left out)."""
    record_ids = [row.record.id for row in rows if row.record]
    ratings: dict[int, list[int]] = defaultdict(list)
    if record_ids:
        for record_id, score in db.session.execute(sa.select(DeliveryRating.record_id, DeliveryRating.score).where(
                DeliveryRating.record_id.in_(record_ids), DeliveryRating.hidden_at.is_(None))):
            ratings[record_id].append(score)
    return [ProjectFacts(
        project_id=row.project.id, district=row.project.district.code if row.project.district else CITY_WIDE,
        categories=tuple(row.project.category_names), voted=row.project.cost,
        spent=row.record.spent if row.record else 0, status=row.status,
        ratings=tuple(ratings.get(row.record.id, ())) if row.record else (),
        co_producer_roles=tuple(offer.role.value for offer in row.co_producers)) for row in rows]


def counted_choices(process: Process) -> list[list[int]]:
    """Each counted ballot of the edition as the ids of the projects it chose (no voter behind them)."""
    pool_ids = [pool.id for pool in process.pools]
    if not pool_ids:
        return []
    chosen: dict[str, list[int]] = defaultdict(list)
    query = (sa.select(CountedBallot.ballot_id, BallotChoice.project_id)
             .join(BallotChoice, BallotChoice.ballot_id == CountedBallot.ballot_id, isouter=True)
             .where(CountedBallot.pool_id.in_(pool_ids), CountedBallot.voided.is_(False)))
    for ballot_id, project_id in db.session.execute(query):
        chosen[ballot_id]
        if project_id is not None:
            chosen[ballot_id].append(project_id)
    return list(chosen.values())


def edition_value(process: Process, rows: list[Row]) -> DeliveredValue:
    """The delivered value of an edition, from its rows, its districts' populations and its counted ballots."""
    populations = {district.code: district.population for district in process.municipality.districts}
    return delivered_value(facts_of(rows), populations, counted_choices(process))
