"""The delivery area's rows of the route-by-role table (tests/test_routes_by_role.py), and the objects they name."""

from __future__ import annotations

from tests.route_roles import OK, REDIRECT, everyone, only, signed_in_only

MANAGERS = ("clerk", "admin")


def _status_for(roles, status):
    """These roles get ``status``; visitors sign in; every other role is refused."""
    return {**only(*roles), **dict.fromkeys(roles, status)}


ROUTES = {
    # Department officers reach the desk, which lists only their own records.
    "delivery.desk": ("GET", "/staff/delivery", only(*MANAGERS, "department")),
    # Project 1 has record 1 already: opening another is refused with a message and a redirect.
    "delivery.open_record": ("POST", "/staff/delivery/projects/1/open", _status_for(MANAGERS, REDIRECT)),
    # Record 1 has no responsible officer: the department officer of this table may not edit it.
    "delivery.record": ("GET", "/staff/delivery/1", only(*MANAGERS)),
    # Empty forms are shown again with their errors.
    "delivery.change_status": ("POST", "/staff/delivery/1/status", _status_for(MANAGERS, 422)),
    "delivery.add_milestone": ("POST", "/staff/delivery/1/milestones", _status_for(MANAGERS, 422)),
    "delivery.milestone_done": ("POST", "/staff/delivery/milestones/1/done", _status_for(MANAGERS, 422)),
    "delivery.post_update": ("POST", "/staff/delivery/1/updates", _status_for(MANAGERS, 422)),
    "delivery.add_photo": ("POST", "/staff/delivery/1/photos", _status_for(MANAGERS, 422)),
    "delivery.record_agreement": ("POST", "/staff/delivery/offers/1/agreement", _status_for(MANAGERS, 422)),
    # Offer 1 waits for an answer: declining it redirects to the record.
    "delivery.decline_offer": ("POST", "/staff/delivery/offers/1/decline", _status_for(MANAGERS, REDIRECT)),
    # An empty reason is flashed on the record page.
    "delivery.hide_rating": ("POST", "/staff/delivery/ratings/1/hide", _status_for(MANAGERS, REDIRECT)),
    "delivery.policy": ("GET", "/staff/delivery/municipalities/1/policy", only(*MANAGERS)),
    "delivery.edition": ("GET", "/m/testville/2026/delivery", everyone(OK)),
    "delivery.edition_csv": ("GET", "/m/testville/2026/delivery.csv", everyone(OK)),
    "delivery.photo": ("GET", "/delivery/photos/1", everyone(OK)),
    "delivery.offer": ("GET", "/projects/1/co-production", signed_in_only()),
    # An empty rating is flashed on the project page.
    "delivery.rate": ("POST", "/projects/1/delivery/rating", signed_in_only(REDIRECT)),
    "delivery.mail_choice": ("POST", "/projects/1/delivery/mail", signed_in_only(REDIRECT)),
}




def build_world(db, process, project, make_user) -> None:
    """Record 1: the delivery of project 1 (adopted by the council), with milestone 1, photo 1, offer 1 waiting
    for an answer and rating 1."""
    import sqlalchemy as sa

    from pb.core.db import utcnow
    from pb.delivery.models import (CoProducerKind, CoProduction, CoProductionRole, DeliveryMilestone,
                                    DeliveryPhoto, DeliveryRating, DeliveryRecord, PhotoKind)
    from pb.mandate.models import CouncilDecision, DecisionOutcome, Mandate, MandateCharacter
    from pb.mandate.terms import empty_terms

    mandate_id = db.session.execute(sa.select(Mandate.id).where(Mandate.process_id == process.id)).scalars().first()
    if mandate_id is None:
        mandate = Mandate(process_id=process.id, version=1, character=MandateCharacter.ADVISORY, terms=empty_terms())
        db.session.add(mandate)
        db.session.flush()
        mandate_id = mandate.id
    db.session.add(CouncilDecision(process_id=process.id, project_id=project.id, mandate_id=mandate_id,
                                   outcome=DecisionOutcome.ADOPTED, decided_on=utcnow().date()))
    delivery = DeliveryRecord(process_id=process.id, project_id=project.id)
    db.session.add(delivery)
    db.session.flush()
    db.session.add(DeliveryMilestone(record_id=delivery.id, title="Design"))
    db.session.add(DeliveryPhoto(record_id=delivery.id, kind=PhotoKind.BEFORE, content_type="image/png",
                                 data=b"\x89PNG", byte_size=4, width=1, height=1, sha256="1" * 64))
    db.session.add(CoProduction(project_id=project.id, party_kind=CoProducerKind.ORGANISATION, party_name="Friends",
                                role=CoProductionRole.MAINTAIN, offer="We water the trees."))
    db.session.add(DeliveryRating(record_id=delivery.id, user_id=make_user().id, score=4))
    db.session.flush()
