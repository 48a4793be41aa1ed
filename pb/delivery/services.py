"""Operations on delivery records, shared by the views, the demo and the tests.

A record exists only for a project the council adopted (pb.mandate's CouncilDecision). Status changes follow
pb.delivery.rules; cancelling or merging needs a public reason and, where the mandate binds the council, the
reference of the council's decision. Every change is audited; status changes and public updates tell the
project's author, co-authors and followers in-app, and by e-mail those who asked for it.

Services flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from pb.accounts.models import Role, User
from pb.audit.services import changes, record
from pb.core.db import utcnow
from pb.core.mail import Message, queue
from pb.core.money import minor_units
from pb.deliberation.models import Follow, NotificationKind
from pb.deliberation.notifications import interested_users, notify
from pb.delivery import rules
from pb.delivery.labels import status_label
from pb.delivery.models import (DEFAULT_TOLERANCE_BASIS_POINTS, CoProducerKind, CoProduction, CoProductionRole,
                                CoProductionStatus, DeliveryMailOptIn, DeliveryMilestone, DeliveryPhoto,
                                DeliveryPolicy, DeliveryRating, DeliveryRecord, DeliveryStatus, DeliveryUpdate,
                                PhotoKind)
from pb.delivery.permissions import can_edit_delivery, can_manage_delivery
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.extensions import db
from pb.mandate.checks import BINDING
from pb.mandate.models import CouncilDecision, DecisionOutcome
from pb.mandate.queries import governing_mandate, local_today
from pb.processes.models import Process
from pb.proposals.images import ImageUpload, prepare_image
from pb.proposals.models import Project

ADOPTED = (DecisionOutcome.ADOPTED, DecisionOutcome.ADOPTED_WITH_CHANGES)
RECORD_FIELDS = ["department", "officer_id", "planned_start_on", "planned_end_on", "actual_start_on",
                 "actual_end_on", "committed", "spent", "spending_explanation"]
MAX_PHOTOS = 12
TEXT_MAX = 5000


@dataclass(frozen=True)
class RecordInput:
    """The editable facts of a delivery record; money as whole units of the process's currency (a Decimal) or
    integer minor units."""

    department: str
    officer_id: int | None
    planned_start_on: dt.date | None
    planned_end_on: dt.date | None
    actual_start_on: dt.date | None
    actual_end_on: dt.date | None
    committed: Decimal | int
    spent: Decimal | int
    spending_explanation: str


@dataclass(frozen=True)
class OfferInput:
    """A resident's offer to co-produce a project."""

    party_kind: CoProducerKind
    party_name: str
    name_public: bool
    role: CoProductionRole
    offer: str


@dataclass(frozen=True)
class AgreementInput:
    """What the clerk records when the council agrees to a co-production."""

    co_producer_does: str
    council_responsible_for: str
    risk_cover: str
    starts_on: dt.date | None
    ends_on: dt.date | None


def tolerance_of(municipality_id: int) -> int:
    """The municipality's spending tolerance in basis points (the default when it set none)."""
    policy = db.session.get(DeliveryPolicy, municipality_id)
    return policy.tolerance_basis_points if policy else DEFAULT_TOLERANCE_BASIS_POINTS


def set_tolerance(actor: User, municipality_id: int, basis_points: int) -> DeliveryPolicy:
    """Set how far spending may differ from the voted amount without an explanation."""
    if not can_manage_delivery(actor):
        raise NotAllowed(_("Only a clerk can set the delivery policy."))
    if not 0 <= basis_points <= 10_000:
        raise ValidationError("tolerance", _("The share must be between 0 and 100%."))
    policy = db.session.get(DeliveryPolicy, municipality_id)
    before = {"tolerance_basis_points": policy.tolerance_basis_points} if policy else None
    if policy is None:
        policy = DeliveryPolicy(municipality_id=municipality_id)
        db.session.add(policy)
    policy.tolerance_basis_points = basis_points
    db.session.flush()
    record(db.session, actor, "delivery.policy", "municipality", municipality_id, before=before,
           after={"tolerance_basis_points": basis_points})
    return policy


def is_adopted(project: Project) -> bool:
    """Whether the council adopted the project (with or without changes)."""
    outcome = db.session.execute(sa.select(CouncilDecision.outcome).where(
        CouncilDecision.project_id == project.id)).scalar_one_or_none()
    return outcome in ADOPTED


def open_record(actor: User, project: Project) -> DeliveryRecord:
    """Start the delivery record of an adopted project (once)."""
    if not can_manage_delivery(actor):
        raise NotAllowed(_("Only a clerk can open a delivery record."))
    if not is_adopted(project):
        raise InvalidTransition(_("The council has not adopted this project, so there is nothing to deliver."))
    if db.session.execute(sa.select(DeliveryRecord.id).where(
            DeliveryRecord.project_id == project.id)).scalar_one_or_none() is not None:
        raise InvalidTransition(_("This project has a delivery record already."))
    delivery = DeliveryRecord(process_id=project.process_id, project_id=project.id, project=project)
    db.session.add(delivery)
    db.session.flush()
    record(db.session, actor, "delivery.open", "delivery_record", delivery.id, after={"project_id": project.id})
    return delivery


def _text(value: str, field: str, required: str | None = None, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(field, required)
    if len(value) > limit:
        raise ValidationError(field, _("This text is longer than %(max)s characters.", max=limit))
    return value


def _minor(amount: Decimal | int, currency: str, field: str) -> int:
    """Whole units of the currency (a Decimal) as integer minor units; integers are minor units already."""
    if isinstance(amount, Decimal):
        scaled = amount * minor_units(currency)
        if scaled != scaled.to_integral_value():
            raise ValidationError(field, _("The amount has more decimals than the currency %(currency)s has.",
                                           currency=currency))
        amount = int(scaled)
    if amount < 0:
        raise ValidationError(field, _("Amounts cannot be negative."))
    return amount


def process_of(delivery: DeliveryRecord) -> Process:
    """The edition the record belongs to."""
    return db.session.get(Process, delivery.process_id)


def _require_editor(actor: User, delivery: DeliveryRecord) -> None:
    if not can_edit_delivery(actor, delivery):
        raise NotAllowed(_("Only a clerk or the officer responsible for this project can change its delivery."))


def update_record(actor: User, delivery: DeliveryRecord, value: RecordInput) -> DeliveryRecord:
    """Change who answers for the delivery, its dates and its money; spending far from the vote needs a reason."""
    _require_editor(actor, delivery)
    if value.officer_id != delivery.officer_id and not can_manage_delivery(actor):
        raise NotAllowed(_("Only a clerk can name the responsible officer."))
    if value.officer_id is not None:
        officer = db.session.get(User, value.officer_id)
        if officer is None or not officer.is_staff:
            raise ValidationError("officer_id", _("The responsible officer must be a member of staff."))
    for first, last, field in ((value.planned_start_on, value.planned_end_on, "planned_end_on"),
                               (value.actual_start_on, value.actual_end_on, "actual_end_on")):
        if first and last and last < first:
            raise ValidationError(field, _("The end cannot come before the start."))
    project = db.session.get(Project, delivery.project_id)
    process = db.session.get(Process, delivery.process_id)
    committed = _minor(value.committed, process.currency, "committed")
    spent = _minor(value.spent, process.currency, "spent")
    explanation = _text(value.spending_explanation, "spending_explanation")
    tolerance = tolerance_of(process.municipality_id)
    if rules.needs_explanation(project.cost, spent, tolerance,
                               is_finished=delivery.status is DeliveryStatus.DELIVERED) and not explanation:
        raise ValidationError("spending_explanation", _(
            "Spending differs from the voted amount by more than %(share)s%%: explain why, in plain words.",
            share=f"{tolerance / 100:g}"))
    before = changes(delivery, RECORD_FIELDS)
    delivery.department = _text(value.department, "department", limit=200)
    delivery.officer_id = value.officer_id
    delivery.planned_start_on, delivery.planned_end_on = value.planned_start_on, value.planned_end_on
    delivery.actual_start_on, delivery.actual_end_on = value.actual_start_on, value.actual_end_on
    delivery.committed, delivery.spent = committed, spent
    delivery.spending_explanation = explanation
    db.session.flush()
    record(db.session, actor, "delivery.update", "delivery_record", delivery.id, before=before,
           after=changes(delivery, RECORD_FIELDS))
    return delivery


def change_status(actor: User, delivery: DeliveryRecord, status: DeliveryStatus, reason: str = "",
                  decision_reference: str = "", now: dt.datetime | None = None) -> DeliveryRecord:
    """Move the record along its lifecycle; tell the people interested in the project."""
    _require_editor(actor, delivery)
    status = DeliveryStatus(status)
    if not rules.can_move(delivery.status, status):
        raise InvalidTransition(_("A project that is “%(current)s” cannot become “%(new)s”.",
                                  current=status_label(delivery.status), new=status_label(status)))
    reason = _text(reason, "reason")
    reference = _text(decision_reference, "decision_reference", limit=200)
    if rules.needs_reason(status):
        if not reason:
            raise ValidationError("reason", _("Give residents the reason why the project is %(status)s.",
                                              status=status_label(status).lower()))
        process = db.session.get(Process, delivery.process_id)
        mandate = governing_mandate(process)
        if mandate is not None and mandate.character in BINDING and not reference:
            raise ValidationError("decision_reference", _(
                "The vote binds the council: give the reference of the council's decision to stop this project."))
    if status is DeliveryStatus.DELIVERED:
        project = db.session.get(Project, delivery.project_id)
        tolerance = tolerance_of(process_of(delivery).municipality_id)
        if (rules.needs_explanation(project.cost, delivery.spent, tolerance, is_finished=True)
                and not delivery.spending_explanation):
            raise ValidationError("status", _(
                "Spending differs from the voted amount by more than %(share)s%%: explain why on the record "
                "before marking the project delivered.", share=f"{tolerance / 100:g}"))
    before = {"status": delivery.status.value}
    delivery.status = status
    delivery.status_reason = reason if rules.needs_reason(status) else ""
    delivery.decision_reference = reference if rules.needs_reason(status) else ""
    delivery.status_changed_at = now or utcnow()
    if status is DeliveryStatus.DELIVERED and delivery.actual_end_on is None:
        delivery.actual_end_on = local_today(db.session.get(Process, delivery.process_id), now)
    body = reason or _("The project is now: %(status)s.", status=status_label(status))
    db.session.add(DeliveryUpdate(record_id=delivery.id, body=body, status=status, author_id=actor.id,
                                  created_at=now or utcnow()))
    db.session.flush()
    record(db.session, actor, "delivery.status", "delivery_record", delivery.id, before=before,
           after={"status": status.value, "reason": delivery.status_reason,
                  "decision_reference": delivery.decision_reference})
    _tell(actor, delivery, NotificationKind.DELIVERY_STATUS, body)
    return delivery


def post_update(actor: User, delivery: DeliveryRecord, body: str, now: dt.datetime | None = None) -> DeliveryUpdate:
    """Publish a dated update in plain words and tell the people interested in the project."""
    _require_editor(actor, delivery)
    body = _text(body, "body", _("Write the update."))
    update = DeliveryUpdate(record_id=delivery.id, body=body, author_id=actor.id, created_at=now or utcnow())
    db.session.add(update)
    db.session.flush()
    record(db.session, actor, "delivery.post_update", "delivery_update", update.id,
           after={"record_id": delivery.id, "body": body})
    _tell(actor, delivery, NotificationKind.DELIVERY_UPDATE, body)
    return update


def _tell(actor: User, delivery: DeliveryRecord, kind: NotificationKind, body: str) -> None:
    """In-app notifications to author, co-authors and followers; e-mail to those of them who opted in."""
    project = db.session.get(Project, delivery.project_id)
    people = interested_users(db.session, project)
    notify(db.session, people, kind, project.id, exclude=actor.id)
    opted = set(db.session.execute(sa.select(DeliveryMailOptIn.user_id).where(
        DeliveryMailOptIn.project_id == project.id)).scalars())
    recipients = list(db.session.execute(sa.select(User).where(
        User.id.in_((people & opted) - {actor.id}), User.blocked_at.is_(None)).order_by(User.id)).scalars())
    if not recipients:
        return
    link = url_for("proposals.project", project_id=project.id, _external=True)
    for user in recipients:
        with force_locale(user.locale or "en"):
            subject = _("Delivery of “%(project)s”", project=project.title[:150])
            text = _("News about the delivery of “%(project)s”:\n\n%(body)s\n\nSee the project: %(link)s\n\n"
                     "You get this e-mail because you asked for delivery news of this project; you can stop it "
                     "on the project's page.", project=project.title, body=body, link=link)
        queue(db.session, Message(to=user.email, subject=subject, body=text))


def set_mail_opt_in(user: User, project: Project, wanted: bool) -> None:
    """Ask for (or stop) e-mail about a project's delivery; asking follows the project too, since the e-mail goes
    to the people the project's notifications go to."""
    found = db.session.get(DeliveryMailOptIn, (project.id, user.id))
    if wanted and found is None:
        db.session.add(DeliveryMailOptIn(project_id=project.id, user_id=user.id))
        if user.id not in interested_users(db.session, project):
            db.session.add(Follow(project_id=project.id, user_id=user.id))
    elif not wanted and found is not None:
        db.session.delete(found)
    db.session.flush()


def add_milestone(actor: User, delivery: DeliveryRecord, title: str, planned_on: dt.date | None) -> DeliveryMilestone:
    """Add a step of the delivery with its planned date."""
    _require_editor(actor, delivery)
    title = _text(title, "title", _("Name the milestone."), limit=200)
    milestone = DeliveryMilestone(record_id=delivery.id, title=title, planned_on=planned_on,
                                  position=len(delivery.milestones))
    delivery.milestones.append(milestone)
    db.session.flush()
    record(db.session, actor, "delivery.milestone", "delivery_milestone", milestone.id,
           after={"record_id": delivery.id, "title": title, "planned_on": planned_on})
    return milestone


def complete_milestone(actor: User, milestone: DeliveryMilestone, done_on: dt.date,
                       now: dt.datetime | None = None) -> DeliveryMilestone:
    """Mark a milestone done on a date (not in the future)."""
    delivery = db.session.get(DeliveryRecord, milestone.record_id)
    _require_editor(actor, delivery)
    if done_on > local_today(db.session.get(Process, delivery.process_id), now):
        raise ValidationError("done_on", _("A milestone cannot be done on a date still to come."))
    before = {"done_on": milestone.done_on}
    milestone.done_on = done_on
    db.session.flush()
    record(db.session, actor, "delivery.milestone_done", "delivery_milestone", milestone.id, before=before,
           after={"done_on": done_on})
    return milestone


def add_photo(actor: User, delivery: DeliveryRecord, upload: ImageUpload, kind: PhotoKind,
              caption: str = "") -> DeliveryPhoto:
    """Store a before/after photo or a scanned document, checked and re-encoded like project images."""
    _require_editor(actor, delivery)
    count = db.session.execute(sa.select(sa.func.count()).select_from(DeliveryPhoto).where(
        DeliveryPhoto.record_id == delivery.id)).scalar_one()
    if count >= MAX_PHOTOS:
        raise ValidationError("photo", _("A delivery record holds at most %(max)s pictures.", max=MAX_PHOTOS))
    try:
        prepared = prepare_image(upload)
    except ValidationError as error:
        raise ValidationError("photo", error.message) from None
    photo = DeliveryPhoto(record_id=delivery.id, kind=PhotoKind(kind), caption=_text(caption, "caption", limit=300),
                          content_type=prepared.content_type, data=prepared.data, byte_size=len(prepared.data),
                          width=prepared.width, height=prepared.height, sha256=prepared.sha256)
    db.session.add(photo)
    db.session.flush()
    record(db.session, actor, "delivery.photo", "delivery_photo", photo.id,
           after={"record_id": delivery.id, "kind": photo.kind, "sha256": photo.sha256})
    return photo


def offer_co_production(user: User, project: Project, value: OfferInput) -> CoProduction:
    """A resident offers (for themselves or an organisation) to co-design, co-implement or maintain a project."""
    if not is_adopted(project):
        raise InvalidTransition(_("Offers to co-produce are for projects the council adopted."))
    name = _text(value.party_name, "party_name", _("Say who offers: your name or the organisation's."), limit=200)
    offer = CoProduction(project_id=project.id, offered_by_id=user.id, party_kind=CoProducerKind(value.party_kind),
                         party_name=name, name_public=bool(value.name_public), role=CoProductionRole(value.role),
                         offer=_text(value.offer, "offer", _("Say what you offer to do.")))
    db.session.add(offer)
    db.session.flush()
    record(db.session, user, "delivery.co_production_offer", "co_production", offer.id,
           after={"project_id": project.id, "role": offer.role, "party_kind": offer.party_kind})
    return offer


AGREEMENT_FIELDS = ["status", "co_producer_does", "council_responsible_for", "risk_cover", "starts_on", "ends_on"]


def record_agreement(actor: User, offer: CoProduction, value: AgreementInput,
                     now: dt.datetime | None = None) -> CoProduction:
    """The clerk records the agreement: what the co-producer does, what the council stays responsible for,
    how risk and liability are covered, and when it starts and ends."""
    if not can_manage_delivery(actor):
        raise NotAllowed(_("Only a clerk can record a co-production agreement."))
    does = _text(value.co_producer_does, "co_producer_does", _("Say what the co-producer does."))
    council = _text(value.council_responsible_for, "council_responsible_for",
                    _("Say what the council stays responsible for."))
    risk = _text(value.risk_cover, "risk_cover", _("Say how risk and liability are covered."))
    if value.starts_on is None:
        raise ValidationError("starts_on", _("Give the date the agreement starts."))
    if value.ends_on is not None and value.ends_on < value.starts_on:
        raise ValidationError("ends_on", _("The end cannot come before the start."))
    before = changes(offer, AGREEMENT_FIELDS)
    offer.status = CoProductionStatus.AGREED
    offer.co_producer_does, offer.council_responsible_for, offer.risk_cover = does, council, risk
    offer.starts_on, offer.ends_on = value.starts_on, value.ends_on
    offer.recorded_by_id, offer.recorded_at = actor.id, now or utcnow()
    db.session.flush()
    record(db.session, actor, "delivery.co_production_agreement", "co_production", offer.id, before=before,
           after=changes(offer, AGREEMENT_FIELDS))
    return offer


def decline_offer(actor: User, offer: CoProduction) -> CoProduction:
    """The council does not take up an offer."""
    if not can_manage_delivery(actor):
        raise NotAllowed(_("Only a clerk can answer an offer to co-produce."))
    if offer.status is not CoProductionStatus.OFFERED:
        raise InvalidTransition(_("This offer has been answered already."))
    offer.status = CoProductionStatus.DECLINED
    offer.recorded_by_id, offer.recorded_at = actor.id, utcnow()
    db.session.flush()
    record(db.session, actor, "delivery.co_production_declined", "co_production", offer.id,
           before={"status": "offered"}, after={"status": "declined"})
    return offer


def rate(user: User, delivery: DeliveryRecord, score: int, comment: str) -> DeliveryRating:
    """A resident rates a delivered project once: 1 to 5 and a short comment."""
    if user.role is not Role.RESIDENT:
        raise NotAllowed(_("Ratings are for residents."))
    if delivery.status is not DeliveryStatus.DELIVERED:
        raise InvalidTransition(_("A project can be rated once it is delivered."))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError("score", _("Choose a rating from 1 to 5."))
    if db.session.execute(sa.select(DeliveryRating.id).where(
            DeliveryRating.record_id == delivery.id, DeliveryRating.user_id == user.id)).scalar_one_or_none():
        raise InvalidTransition(_("You have rated this project already."))
    rating = DeliveryRating(record_id=delivery.id, user_id=user.id, score=score,
                            comment=_text(comment, "comment", limit=500))
    db.session.add(rating)
    db.session.flush()
    return rating


def hide_rating(actor: User, rating: DeliveryRating, reason: str) -> DeliveryRating:
    """A moderator hides a rating's comment and score from the public, with a reason; it is not counted."""
    if not can_manage_delivery(actor):
        raise NotAllowed(_("Only a moderator can hide a rating."))
    reason = _text(reason, "reason", _("Give the reason for hiding it."), limit=500)
    rating.hidden_at, rating.hidden_reason, rating.hidden_by_id = utcnow(), reason, actor.id
    db.session.flush()
    record(db.session, actor, "delivery.hide_rating", "delivery_rating", rating.id, after={"reason": reason})
    return rating
