"""The demo's delivery story: Assen Top Idee 2024, past its vote, with an advisory mandate whose delivery deadline
(the end of 2024 plus 12 months) has passed, the council's decisions on eight winners, and their delivery records
in every status, with milestones, spending, a photo, updates, a co-producer and residents' ratings.

Everything here is invented: the departments, dates, amounts, updates and ratings.
"""

from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa
from PIL import Image

from pb.accounts.models import User
from pb.core.db import utcnow
from pb.delivery import services
from pb.delivery.models import CoProducerKind, CoProductionRole, DeliveryRecord, DeliveryStatus, PhotoKind
from pb.demo_editions import _residents
from pb.extensions import db
from pb.mandate.forms import DecisionInput
from pb.mandate.models import DecisionOutcome, Mandate, MandateCharacter, MandateStatus
from pb.mandate.queries import winners
from pb.mandate.services import record_decision
from pb.mandate.terms import empty_terms
from pb.processes.models import Process
from pb.proposals.images import ImageUpload

ADOPTED = 8


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), dt.UTC)


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(out, format="PNG")
    return out.getvalue()


def _mandate(process: Process, legal_officer: User) -> Mandate:
    """The advisory mandate the edition ran under, expired with its fiscal year."""
    terms = {**empty_terms(), "budget_amount": process.total_amount, "budget_fiscal_year": process.fiscal_year,
             "winner_fails": "next_ranked", "feasibility_veto": True, "legal_compliance": True,
             "justification_days": 60, "justification_published": "https://assen.example/topidee/besluiten",
             "delivering_department": "Openbare ruimte (Public space)", "delivery_months": 12}
    mandate = Mandate(
        process_id=process.id, version=1, status=MandateStatus.EXPIRED, character=MandateCharacter.ADVISORY,
        basis_instrument="Council decision", basis_title="Raadsbesluit Top Idee (demo)", basis_number="2023/41",
        basis_date=dt.date(2023, 11, 9), basis_url="https://assen.example/topidee/raadsbesluit",
        decision_body="Municipal council (gemeenteraad)", bound_party="Municipal executive (college van B&W)",
        obligation="Carry out the chosen ideas or explain publicly why not.", terms=terms,
        created_by_id=legal_officer.id, signed_by_id=legal_officer.id, signed_at=_at(dt.date(2023, 12, 1)),
        opinion="Advisory; the executive answers for delivery.", effective_from=dt.date(2024, 1, 1),
        effective_until=dt.date(2024, 12, 31))
    db.session.add(mandate)
    db.session.flush()
    return mandate


def _facts(record: DeliveryRecord, department: str, officer: User | None, start: dt.date, end: dt.date,
           spent: int, explanation: str = "") -> services.RecordInput:
    return services.RecordInput(department=department, officer_id=officer.id if officer else None,
                                planned_start_on=start, planned_end_on=end, actual_start_on=start,
                                actual_end_on=None, committed=max(spent, record.project.cost), spent=spent,
                                spending_explanation=explanation)


def build_delivery(legal_officer: User, clerk: User, parks: User | None) -> str:
    """Delivery records for Assen Top Idee 2024; nothing if the edition is missing or already has them."""
    process = db.session.execute(sa.select(Process).where(Process.slug == "2024-top-idee")).scalar_one_or_none()
    if process is None or db.session.execute(sa.select(DeliveryRecord.id).where(
            DeliveryRecord.process_id == process.id).limit(1)).scalar_one_or_none() is not None:
        return ""
    if db.session.execute(sa.select(Mandate.id).where(Mandate.process_id == process.id)).first() is None:
        _mandate(process, legal_officer)
    chosen = winners(process)[:ADOPTED]
    for project in chosen:
        record_decision(clerk, project, DecisionInput(
            outcome=DecisionOutcome.ADOPTED, decided_on=dt.date(2024, 5, 30), decision_number="2024/77",
            reason="The executive carries out the idea residents chose."))
    residents = _residents("assen.example", 6)
    records = [services.open_record(clerk, project) for project in chosen]
    story = [
        (DeliveryStatus.DELIVERED, "Openbare ruimte", parks, 1.0, ""),
        (DeliveryStatus.DELIVERED, "Openbare ruimte", parks, 1.18, "A second water point was added at the "
                                                                   "neighbours' request."),
        (DeliveryStatus.DELIVERED, "Sport en cultuur", None, 0.96, ""),
        (DeliveryStatus.WORKS, "Openbare ruimte", parks, 0.6, ""),
        (DeliveryStatus.PROCUREMENT, "Verkeer", None, 0.0, ""),
        (DeliveryStatus.DESIGN, "Sport en cultuur", None, 0.0, ""),
        (DeliveryStatus.CANCELLED, "Verkeer", None, 0.0, ""),
        (DeliveryStatus.MERGED, "Openbare ruimte", None, 0.0, ""),
    ]
    for number, (record, (status, department, officer, share, explanation)) in enumerate(zip(records, story)):
        start = dt.date(2024, 7, 1) + dt.timedelta(days=20 * number)
        spent = int(record.project.cost * share)
        services.update_record(clerk, record, _facts(record, department, officer, start,
                                                     start + dt.timedelta(days=240), spent, explanation))
        first = services.add_milestone(clerk, record, "Design agreed with the neighbours", start)
        services.add_milestone(clerk, record, "Works done", start + dt.timedelta(days=200))
        if status in (DeliveryStatus.DELIVERED, DeliveryStatus.WORKS):
            services.complete_milestone(clerk, first, start + dt.timedelta(days=30))
        if status is DeliveryStatus.CANCELLED:
            services.change_status(clerk, record, status, reason="The land turned out to belong to the province, "
                                   "which will not sell it.", now=_at(start + dt.timedelta(days=90)))
            continue
        if status is DeliveryStatus.MERGED:
            services.change_status(clerk, record, status, reason="Joined with the project next to it, which covers "
                                   "the same square.", now=_at(start + dt.timedelta(days=60)))
            continue
        services.change_status(clerk, record, DeliveryStatus.DESIGN, now=_at(start + dt.timedelta(days=5)))
        services.post_update(clerk, record, "The design is ready; see the drawing at the library.",
                             now=_at(start + dt.timedelta(days=35)))
        if status is DeliveryStatus.DELIVERED:
            for milestone in record.milestones:
                if milestone.done_on is None:
                    services.complete_milestone(clerk, milestone, start + dt.timedelta(days=190))
            services.change_status(clerk, record, DeliveryStatus.WORKS, now=_at(start + dt.timedelta(days=60)))
            services.change_status(clerk, record, DeliveryStatus.DELIVERED, now=_at(start + dt.timedelta(days=200)))
            for resident, score in zip(residents[number:number + 3], (5, 4, 4)):
                services.rate(resident, record, score, "Well done." if score == 5 else "")
        elif status is not DeliveryStatus.DESIGN:
            services.change_status(clerk, record, status, now=_at(start + dt.timedelta(days=60)))
    services.add_photo(clerk, records[0], ImageUpload("before.png", _png((150, 140, 120))), PhotoKind.BEFORE,
                       "The site before the works")
    services.add_photo(clerk, records[0], ImageUpload("after.png", _png((70, 150, 80))), PhotoKind.AFTER,
                       "The site after the works")
    offer = services.offer_co_production(residents[0], records[0].project, services.OfferInput(
        CoProducerKind.ORGANISATION, "Buurtvereniging Assen-Oost", True, CoProductionRole.MAINTAIN,
        "We water the plants and pick up litter every week."))
    services.record_agreement(clerk, offer, services.AgreementInput(
        co_producer_does="Weekly watering and litter picking from April to October.",
        council_responsible_for="Safety inspections, repairs and replacing dead plants.",
        risk_cover="The volunteers are covered by the municipality's volunteer insurance.",
        starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2027, 10, 31)), now=utcnow())
    return "Assen: Top Idee 2024 delivery (8 adopted projects, from planned to delivered; some overdue)"
