"""The delivery pages: the clerk's record page, the project's page, the public edition page and its CSV, and
residents' offers, ratings and e-mail choice."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from pb.delivery import services
from pb.delivery.models import CoProduction, CoProductionStatus, DeliveryRating, DeliveryStatus
from tests.delivery.conftest import spend


def test_the_clerk_records_money_and_the_explanation_is_required(client, db, world, clerk, login):
    login(clerk)
    path = f"/staff/delivery/{world['record'].id}"
    form = {"department": "Parks", "officer_id": "", "committed": "6000", "spent": "6000",
            "spending_explanation": ""}
    refused = client.post(path, data=form)
    assert refused.status_code == 422
    assert "explain why" in refused.get_data(as_text=True)
    saved = client.post(path, data={**form, "spending_explanation": "A second bench was added."})
    assert saved.status_code == 302
    db.session.refresh(world["record"])
    assert (world["record"].spent, world["record"].department) == (600_000, "Parks")


def test_cancelling_without_a_reason_is_refused_on_the_page(client, db, world, clerk, login):
    login(clerk)
    path = f"/staff/delivery/{world['record'].id}/status"
    refused = client.post(path, data={"status": "cancelled", "reason": ""})
    assert refused.status_code == 422
    assert "reason why the project is cancelled" in refused.get_data(as_text=True)
    assert client.post(path, data={"status": "cancelled", "reason": "The land was sold."}).status_code == 302
    page = client.get(f"/projects/{world['project'].id}").get_data(as_text=True)
    assert "Cancelled" in page and "The land was sold." in page


def test_the_public_page_and_csv_show_each_adopted_project(client, db, ctx, world, clerk):
    record = world["record"]
    services.update_record(clerk, record, services.RecordInput(
        department="Parks", officer_id=None, planned_start_on=None, planned_end_on=None, actual_start_on=None,
        actual_end_on=None, committed=400_000, spent=450_000, spending_explanation=""))
    services.add_milestone(clerk, record, "Design", None)
    services.change_status(clerk, record, DeliveryStatus.WORKS)
    db.session.commit()
    page = client.get("/m/testville/2026/delivery")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "From vote to delivery" in text and "Park" in text and "Works" in text and "0 of 1" in text
    rows = list(csv.DictReader(io.StringIO(client.get("/m/testville/2026/delivery.csv").get_data(as_text=True))))
    assert [(r["project_title"], r["status"], r["voted"], r["spent"], r["milestones_total"], r["overdue"])
            for r in rows] == [("Park", "works", "500000", "450000", "1", "no")]


def test_an_offer_becomes_a_public_agreement_with_the_name_only_by_consent(client, db, world, clerk, login,
                                                                           make_user):
    resident = make_user(email="gardener@example.org")
    login(resident)
    project_id = world["project"].id
    sent = client.post(f"/projects/{project_id}/co-production", data={
        "party_kind": "organisation", "party_name": "Friends of the Park", "role": "maintain",
        "offer": "We water the trees every week."})
    assert sent.status_code == 302
    offer = db.session.execute(sa.select(CoProduction)).scalar_one()
    assert offer.status is CoProductionStatus.OFFERED and not offer.name_public
    client.post("/logout")
    login(clerk)
    refused = client.post(f"/staff/delivery/offers/{offer.id}/agreement", data={"co_producer_does": "Watering"})
    assert refused.status_code == 422
    agreed = client.post(f"/staff/delivery/offers/{offer.id}/agreement", data={
        "co_producer_does": "Watering the trees weekly.", "council_responsible_for": "Safety of the playground.",
        "risk_cover": "The council's public liability insurance.", "starts_on": "2027-04-01"})
    assert agreed.status_code == 302
    page = client.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "Watering the trees weekly." in page and "Safety of the playground." in page
    assert "Friends of the Park" not in page and "A community organisation" in page


def test_a_resident_rates_a_delivered_project_once_and_a_clerk_hides_it(client, db, ctx, world, clerk, login,
                                                                       make_user):
    resident = make_user(email="rater@example.org")
    login(resident)
    project_id = world["project"].id
    client.post(f"/projects/{project_id}/delivery/rating", data={"score": "4", "comment": "Lovely."})
    assert db.session.execute(sa.select(sa.func.count()).select_from(DeliveryRating)).scalar_one() == 0
    spend(clerk, world["record"], world["project"].cost)
    services.change_status(clerk, world["record"], DeliveryStatus.DELIVERED)
    db.session.commit()
    client.post(f"/projects/{project_id}/delivery/rating", data={"score": "4", "comment": "Lovely."})
    client.post(f"/projects/{project_id}/delivery/rating", data={"score": "1", "comment": "Again."})
    [rating] = db.session.execute(sa.select(DeliveryRating)).scalars().all()
    assert (rating.score, rating.comment) == (4, "Lovely.")
    assert "Lovely." in client.get(f"/projects/{project_id}").get_data(as_text=True)
    client.post("/logout")
    login(clerk)
    client.post(f"/staff/delivery/ratings/{rating.id}/hide", data={"reason": "Off topic."})
    client.post("/logout")
    assert "Lovely." not in client.get(f"/projects/{project_id}").get_data(as_text=True)


def test_the_mail_choice_is_kept(client, db, world, login):
    login(world["author"])
    project_id = world["project"].id
    client.post(f"/projects/{project_id}/delivery/mail", data={"wanted": "yes"})
    assert "Stop e-mail about its delivery" in client.get(f"/projects/{project_id}").get_data(as_text=True)
    client.post(f"/projects/{project_id}/delivery/mail", data={"wanted": "no"})
    assert "E-mail me when its delivery moves" in client.get(f"/projects/{project_id}").get_data(as_text=True)


def test_the_edition_page_links_to_delivery_once_the_vote_is_counted(client, db, world):
    from pb.core.db import utcnow

    link = "/m/testville/2026/delivery"
    assert link not in client.get("/m/testville/2026").get_data(as_text=True)
    world["process"].vote_closed_at = utcnow()
    db.session.commit()
    assert link in client.get("/m/testville/2026").get_data(as_text=True)


def test_a_clerk_sets_the_municipality_share_on_its_page(client, db, world, clerk, login):
    login(clerk)
    path = f"/staff/delivery/municipalities/{world['process'].municipality_id}/policy"
    assert client.post(path, data={"tolerance": "150"}).status_code == 422
    assert client.post(path, data={"tolerance": "2.555"}).status_code == 422
    assert client.post(path, data={"tolerance": "2.5"}).status_code == 302
    assert services.tolerance_of(world["process"].municipality_id) == 250
    assert 'value="2.50"' in client.get(path).get_data(as_text=True)


def test_a_hidden_projects_delivery_photos_are_not_served(client, db, ctx, world, clerk):
    from pb.core.db import utcnow
    from pb.delivery.models import PhotoKind
    from pb.proposals.images import ImageUpload
    from tests.delivery.test_services import png

    photo = services.add_photo(clerk, world["record"], ImageUpload("a.png", png()), PhotoKind.AFTER)
    db.session.commit()
    assert client.get(f"/delivery/photos/{photo.id}").headers["Content-Type"] == "image/png"
    world["project"].hidden_at, world["project"].hidden_reason = utcnow(), "Spam"
    db.session.commit()
    assert client.get(f"/delivery/photos/{photo.id}").status_code == 404


def test_the_desk_links_each_municipality_s_policy(client, db, world, clerk, login):
    login(clerk)
    page = client.get("/staff/delivery").get_data(as_text=True)
    assert f"/staff/delivery/municipalities/{world['process'].municipality_id}/policy" in page
