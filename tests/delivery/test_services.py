"""Delivery records: opened for adopted projects only, edited by their clerk or responsible officer, with
spending explained, statuses guarded, milestones, pictures and everything audited."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PIL import Image

from pb.audit.models import AuditEvent
from pb.delivery import services
from pb.delivery.models import DeliveryStatus, PhotoKind
from pb.errors import InvalidTransition, NotAllowed, ValidationError
from pb.proposals.images import ImageUpload


def facts(**changes) -> services.RecordInput:
    base = dict(department="Parks", officer_id=None, planned_start_on=None, planned_end_on=None,
                actual_start_on=None, actual_end_on=None, committed=Decimal(0), spent=Decimal(0),
                spending_explanation="")
    return services.RecordInput(**{**base, **changes})


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (10, 120, 40)).save(out, format="PNG")
    return out.getvalue()


def actions(db) -> list[str]:
    return list(db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars())


def test_only_adopted_projects_get_a_record_once(db, ctx, world, clerk, make_project, make_user):
    with pytest.raises(InvalidTransition):
        services.open_record(clerk, world["project"])
    other = make_project(world["process"], status="selected")
    with pytest.raises(InvalidTransition, match="not adopted"):
        services.open_record(clerk, other)
    with pytest.raises(NotAllowed):
        services.open_record(make_user(role="department"), other)
    assert "delivery.open" in actions(db)


def test_spending_beyond_the_municipality_share_needs_an_explanation(db, ctx, world, clerk):
    record = world["record"]
    # Voted EUR 5,000; EUR 5,500 is 10% over: within the default share.
    services.update_record(clerk, record, facts(spent=Decimal(5500)))
    assert record.spent == 550_000
    with pytest.raises(ValidationError) as refused:
        services.update_record(clerk, record, facts(spent=Decimal("5500.01")))
    assert refused.value.field == "spending_explanation"
    services.update_record(clerk, record, facts(spent=Decimal("5500.01"), spending_explanation="Soil was poor."))
    assert record.spending_explanation == "Soil was poor."
    # The municipality may be stricter: 5% makes EUR 5,300 need an explanation too.
    services.set_tolerance(clerk, world["process"].municipality_id, 500)
    with pytest.raises(ValidationError):
        services.update_record(clerk, record, facts(spent=Decimal(5300)))
    with pytest.raises(ValidationError, match="decimals"):
        services.update_record(clerk, record, facts(spent=Decimal("1.001")))
    assert {"delivery.update", "delivery.policy"} <= set(actions(db))


def test_a_department_officer_edits_only_the_records_they_answer_for(db, ctx, world, clerk, officer, make_user):
    record = world["record"]
    with pytest.raises(NotAllowed):
        services.post_update(officer, record, "Started.")
    services.update_record(clerk, record, facts(officer_id=officer.id))
    services.post_update(officer, record, "Started.")
    # ... but cannot hand the record to someone else.
    with pytest.raises(NotAllowed):
        services.update_record(officer, record, facts(officer_id=clerk.id))
    with pytest.raises(NotAllowed):
        services.post_update(make_user(role="department"), record, "Not mine.")
    with pytest.raises(ValidationError):
        services.update_record(clerk, record, facts(officer_id=make_user().id))


def test_status_changes_follow_the_lifecycle_and_stopping_needs_a_reason(db, ctx, world, clerk):
    record = world["record"]
    services.change_status(clerk, record, DeliveryStatus.WORKS)
    with pytest.raises(InvalidTransition):
        services.change_status(clerk, record, DeliveryStatus.PLANNED)
    with pytest.raises(ValidationError) as refused:
        services.change_status(clerk, record, DeliveryStatus.CANCELLED, reason="  ")
    assert refused.value.field == "reason"
    assert record.status is DeliveryStatus.WORKS
    services.change_status(clerk, record, DeliveryStatus.CANCELLED, reason="The site was sold.")
    assert (record.status, record.status_reason) == (DeliveryStatus.CANCELLED, "The site was sold.")
    with pytest.raises(InvalidTransition):
        services.change_status(clerk, record, DeliveryStatus.WORKS)
    assert [u.status for u in record.updates][:2] == [DeliveryStatus.CANCELLED, DeliveryStatus.WORKS]


def test_a_binding_vote_needs_the_council_decision_to_stop_a_project(db, ctx, clerk, make_process, make_project,
                                                                      adopt):
    process = make_process(slug="binding")
    project = make_project(process, status="selected")
    adopt(process, project, character="binding_statute")
    record = services.open_record(clerk, project)
    with pytest.raises(ValidationError) as refused:
        services.change_status(clerk, record, DeliveryStatus.MERGED, reason="Joined with the school yard.")
    assert refused.value.field == "decision_reference"
    services.change_status(clerk, record, DeliveryStatus.MERGED, reason="Joined with the school yard.",
                           decision_reference="123/2027")
    assert record.decision_reference == "123/2027"


def test_delivered_sets_the_actual_end(db, ctx, world, clerk):
    services.update_record(clerk, world["record"], facts(spent=Decimal(5000)))
    services.change_status(clerk, world["record"], DeliveryStatus.DELIVERED)
    assert world["record"].actual_end_on is not None


def test_underspending_is_explained_once_the_project_is_delivered(db, ctx, world, clerk):
    record = world["record"]
    # EUR 2,000 of 5,000 while works go on: the rest is still to come.
    services.update_record(clerk, record, facts(spent=Decimal(2000)))
    with pytest.raises(ValidationError) as refused:
        services.change_status(clerk, record, DeliveryStatus.DELIVERED)
    assert refused.value.field == "status" and record.status is DeliveryStatus.PLANNED
    services.update_record(clerk, record, facts(spent=Decimal(2000), spending_explanation="A donated playground."))
    services.change_status(clerk, record, DeliveryStatus.DELIVERED)
    with pytest.raises(ValidationError):
        services.update_record(clerk, record, facts(spent=Decimal(2000)))


def test_milestones_are_planned_and_done_not_in_the_future(db, ctx, world, clerk):
    record = world["record"]
    milestone = services.add_milestone(clerk, record, "Design approved", dt.date(2027, 3, 1))
    with pytest.raises(ValidationError):
        services.add_milestone(clerk, record, " ", None)
    with pytest.raises(ValidationError):
        services.complete_milestone(clerk, milestone, dt.date.today() + dt.timedelta(days=30))
    services.complete_milestone(clerk, milestone, dt.date(2026, 1, 5))
    assert [(m.title, m.done_on) for m in record.milestones] == [("Design approved", dt.date(2026, 1, 5))]


def test_photos_go_through_the_checked_image_path(db, ctx, world, clerk):
    record = world["record"]
    photo = services.add_photo(clerk, record, ImageUpload("before.png", png()), PhotoKind.BEFORE, "The empty lot")
    assert (photo.content_type, photo.width, photo.height) == ("image/png", 4, 3)
    with pytest.raises(ValidationError) as refused:
        services.add_photo(clerk, record, ImageUpload("evil.png", b"<script>alert(1)</script>"), PhotoKind.AFTER)
    assert refused.value.field == "photo"
    assert "delivery.photo" in actions(db)


def test_a_record_holds_at_most_twelve_pictures(db, ctx, world, clerk):
    for _ in range(services.MAX_PHOTOS):
        services.add_photo(clerk, world["record"], ImageUpload("p.png", png()), PhotoKind.AFTER)
    with pytest.raises(ValidationError, match="at most 12"):
        services.add_photo(clerk, world["record"], ImageUpload("p.png", png()), PhotoKind.AFTER)


def test_offers_are_agreed_or_declined_by_a_clerk_and_audited(db, ctx, world, clerk, make_user):
    resident = make_user()
    offer = services.offer_co_production(resident, world["project"], services.OfferInput(
        "resident", "Ann", False, "co_design", "I draw plans."))
    agreement = services.AgreementInput("Plans", "Building", "Insurance", dt.date(2027, 1, 1), dt.date(2026, 1, 1))
    with pytest.raises(NotAllowed):
        services.record_agreement(resident, offer, agreement)
    with pytest.raises(ValidationError) as refused:
        services.record_agreement(clerk, offer, agreement)
    assert refused.value.field == "ends_on"
    second = services.offer_co_production(resident, world["project"], services.OfferInput(
        "resident", "Ann", False, "maintain", "And I water."))
    services.decline_offer(clerk, second)
    with pytest.raises(InvalidTransition):
        services.decline_offer(clerk, second)
    assert {"delivery.co_production_offer", "delivery.co_production_declined"} <= set(actions(db))


def test_offers_are_for_adopted_projects_only(db, ctx, world, make_project, make_user):
    with pytest.raises(InvalidTransition):
        services.offer_co_production(make_user(), make_project(world["process"]), services.OfferInput(
            "resident", "Ann", False, "co_design", "I draw plans."))


def test_a_rating_is_one_to_five_with_a_short_comment(db, ctx, world, clerk, make_user):
    from tests.delivery.conftest import spend

    spend(clerk, world["record"], world["project"].cost)
    services.change_status(clerk, world["record"], DeliveryStatus.DELIVERED)
    with pytest.raises(ValidationError):
        services.rate(make_user(), world["record"], 6, "")
    with pytest.raises(ValidationError):
        services.rate(make_user(), world["record"], 5, "x" * 501)
    with pytest.raises(NotAllowed):
        services.rate(clerk, world["record"], 5, "")
    assert services.rate(make_user(), world["record"], 5, "x" * 500).score == 5


def test_a_department_officers_desk_holds_only_their_records(db, ctx, world, clerk, officer, make_project, adopt):
    from pb.delivery import queries

    other = make_project(world["process"], status="selected")
    adopt(world["process"], other)
    mine = services.open_record(clerk, other)
    services.update_record(clerk, mine, facts(officer_id=officer.id))
    assert [row.record.id for row in queries.desk(officer)] == [mine.id]
    assert {row.record.id for row in queries.desk(clerk)} == {mine.id, world["record"].id}
