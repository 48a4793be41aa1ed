"""Issue 19's path in a real Chromium: from the council's adoption to delivery, on the demo's Assen 2024.

A resident follows an adopted project still in design and offers to maintain it. The clerk adds a milestone,
enters spending above the voted amount (refused until explained), uploads a photo and posts an update; trying to
cancel the project without a reason is refused. The clerk records the co-production agreement. The resident
finds the notification, and the project page and the public "From vote to delivery" page show the milestone,
the money, the update, the photo and the agreement. axe-core checks the record page and the public pages.
"""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from pb.delivery.models import DeliveryRecord, DeliveryStatus
from pb.proposals.models import Project
from tests.e2e.test_pages import assert_accessible, sign_in

EDITION = "/m/assen/2024-top-idee/delivery"


def _design_project(app) -> tuple[int, int, str, int]:
    """The demo's Assen project whose delivery is in design: its record id, project id, title and voted cost."""
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        record, project = db.session.execute(
            sa.select(DeliveryRecord, Project).join(Project, Project.id == DeliveryRecord.project_id)
            .where(DeliveryRecord.status == DeliveryStatus.DESIGN)).one()
        found = record.id, project.id, project.title, project.cost
        db.session.remove()
    return found


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 140, 60)).save(out, format="PNG")
    return out.getvalue()


def _flashed(page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def test_from_adoption_to_delivery(chromium, live_server):
    record_id, project_id, title, cost = _design_project(live_server.app)
    resident_context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    clerk_context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    try:
        resident, clerk = resident_context.new_page(), clerk_context.new_page()
        for tab in (resident, clerk):
            tab.set_default_timeout(15_000)

        # The resident follows the project and offers to look after it.
        sign_in(resident, "resident")
        resident.goto(f"/projects/{project_id}")
        expect(resident.get_by_role("heading", name="From vote to delivery")).to_be_visible()
        resident.get_by_role("button", name="Follow this project").click()
        resident.get_by_role("link", name="Offer to co-design, co-implement or maintain this project").click()
        assert_accessible(resident)
        resident.get_by_label("Who offers").select_option("organisation")
        resident.get_by_label("Name (yours or the organisation's)").fill("Tuinclub De Wolden")
        resident.get_by_label("Show this name on the project's page").check()
        resident.get_by_label("What you offer").select_option("maintain")
        resident.get_by_label("What you would do").fill("We weed and water the beds every week.")
        resident.get_by_role("button", name="Send the offer").click()
        _flashed(resident, "the council will answer your offer")

        # The clerk records a milestone, the spending (explained), a photo and an update.
        sign_in(clerk, "clerk")
        clerk.goto("/staff/delivery")
        clerk.get_by_role("link", name=title).first.click()
        expect(clerk).to_have_url(re.compile(rf"/staff/delivery/{record_id}$"))
        assert_accessible(clerk)
        clerk.get_by_label("Milestone", exact=True).fill("Planting day with the neighbours")
        clerk.get_by_label("Planned for").fill("2025-04-12")
        clerk.get_by_role("button", name="Add the milestone").click()
        _flashed(clerk, "The milestone is added.")

        over = cost * 3 // 200  # one and a half times the voted amount, in whole euros
        clerk.get_by_label("Money spent").fill(str(over))
        clerk.get_by_role("button", name="Save the record").click()
        expect(clerk.locator(".error-summary")).to_contain_text("explain why")
        clerk.get_by_label("Why spending differs from the voted amount").fill("The soil had to be replaced.")
        clerk.get_by_role("button", name="Save the record").click()
        _flashed(clerk, "The delivery record is saved.")

        clerk.get_by_label("Picture (JPEG, PNG or WebP, at most 5 MB)").set_input_files(
            files=[{"name": "beds.png", "mimeType": "image/png", "buffer": _png()}])
        clerk.get_by_label("What it shows").select_option("after")
        clerk.get_by_label("Caption").fill("The new flower beds")
        clerk.get_by_role("button", name="Add the picture").click()
        _flashed(clerk, "The picture is added.")

        clerk.get_by_label("Update for residents").fill("The beds are dug; planting follows in April.")
        clerk.get_by_role("button", name="Publish the update").click()
        _flashed(clerk, "residents who follow the project are told")

        # Cancelling without a public reason is refused, and the project stays in design.
        clerk.get_by_label("New status").select_option("cancelled")
        clerk.get_by_role("button", name="Change the status").click()
        expect(clerk.locator(".error-summary")).to_contain_text("Give residents the reason why the project is "
                                                                "cancelled")
        expect(clerk.get_by_text("Status: Design")).to_be_visible()

        # The co-production agreement.
        offer = clerk.get_by_role("article").filter(has_text="Tuinclub De Wolden")
        offer.get_by_label("What the co-producer does").fill("Weekly weeding and watering, April to October.")
        offer.get_by_label("What the council stays responsible for").fill("Trees, paths and the irrigation.")
        offer.get_by_label("How risk and liability are covered").fill("The municipality's volunteer insurance.")
        offer.get_by_label("Starts on").fill("2025-04-01")
        offer.get_by_role("button", name="Record the agreement").click()
        _flashed(clerk, "The co-production agreement is recorded")

        # The follower is told; the project page and the public page show it all.
        resident.goto("/notifications")
        expect(resident.get_by_role("link", name=f"News about the delivery of “{title}”.")).to_be_visible()
        resident.goto(f"/projects/{project_id}")
        delivery = resident.locator("section", has=resident.get_by_role("heading", name="From vote to delivery"))
        for text in ("Planting day with the neighbours", "The soil had to be replaced.",
                     "The beds are dug; planting follows in April.", "Tuinclub De Wolden",
                     "Weekly weeding and watering, April to October.", "The municipality's volunteer insurance."):
            expect(delivery).to_contain_text(text)
        expect(delivery.get_by_role("img", name="The new flower beds")).to_be_visible()
        assert_accessible(resident)

        resident.goto(EDITION)
        row = resident.get_by_role("row").filter(has_text=title)
        expect(row).to_contain_text("Design")
        expect(row).to_contain_text("0 of 3")
        expect(row).to_contain_text(f"€{over:,}.00")
        expect(resident.get_by_role("group").filter(has_text=title)).to_contain_text(
            "The beds are dug; planting follows in April.")
        assert_accessible(resident)
    finally:
        resident_context.close()
        clerk_context.close()
