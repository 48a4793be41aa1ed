"""Comply or explain carries on: the mandate's delivery deadline (end of the fiscal year + N months), the presets'
values, and overdue projects flagged on the staff dashboard and publicly."""

from __future__ import annotations

import datetime as dt

import pytest

from pb.delivery import queries, services
from pb.delivery.models import DeliveryStatus
from pb.mandate.presets import presets as all_presets
from pb.mandate.terms import clean_terms
from tests.delivery.conftest import spend


def test_the_mandate_terms_carry_a_delivery_deadline_in_months():
    assert clean_terms({"delivery_months": 18})["delivery_months"] == 18
    assert clean_terms({})["delivery_months"] is None
    with pytest.raises(Exception, match="whole number"):
        clean_terms({"delivery_months": -1})


def test_every_preset_sets_a_delivery_deadline(app):
    with app.app_context():
        presets = all_presets()
    assert presets and all(isinstance(p.terms.get("delivery_months"), int) for p in presets.values())
    assert presets["pl"].terms["delivery_months"] == 12


def test_an_unfinished_project_past_the_deadline_is_overdue_on_the_dashboard_and_publicly(
        client, db, ctx, clerk, login, make_process, make_project, adopt):
    # Fiscal year 2020 + 6 months: due on 30 June 2021, long past.
    process = make_process(slug="old", fiscal_year=2020)
    late, done = (make_project(process, status="selected", title=t) for t in ("Late", "Done"))
    adopt(process, late, delivery_months=6)
    adopt(process, done)
    assert queries.deadline(process) == dt.date(2021, 6, 30)
    late_record, done_record = services.open_record(clerk, late), services.open_record(clerk, done)
    spend(clerk, done_record, done.cost)
    services.change_status(clerk, done_record, DeliveryStatus.DELIVERED)
    db.session.commit()
    rows = {row.project.title: row for row in queries.adopted_rows(process)}
    assert rows["Late"].lateness.past_deadline and not rows["Done"].lateness.is_overdue
    public = client.get("/m/testville/old/delivery").get_data(as_text=True)
    assert public.count("Overdue") == 1
    assert "Overdue" in client.get(f"/projects/{late.id}").get_data(as_text=True)
    login(clerk)
    dashboard = client.get("/staff/").get_data(as_text=True)
    assert "Overdue deliveries" in dashboard and f"/staff/delivery/{late_record.id}" in dashboard
    assert f"/staff/delivery/{done_record.id}" not in dashboard


def test_projects_under_way_after_their_fiscal_year_are_carried_over(client, db, ctx, clerk, make_process,
                                                                    make_project, adopt):
    process = make_process(slug="carry", fiscal_year=2021)
    going, finished = (make_project(process, status="selected", title=t, cost=800_000) for t in ("Going", "Built"))
    for project in (going, finished):
        adopt(process, project)
    going_record, finished_record = services.open_record(clerk, going), services.open_record(clerk, finished)
    spend(clerk, going_record, 300_000)
    spend(clerk, finished_record, finished.cost)
    services.change_status(clerk, finished_record, DeliveryStatus.DELIVERED)
    db.session.commit()
    assert [row.project.title for row in queries.carry_overs(process, queries.adopted_rows(process))] == ["Going"]
    text = client.get("/m/testville/carry/delivery").get_data(as_text=True)
    assert "Carried over into the next fiscal year" in text and "€5,000.00 not yet spent" in text
    # Within its own fiscal year nothing is carried over yet.
    assert queries.carry_overs(process, queries.adopted_rows(process), now=dt.datetime(2021, 6, 1, tzinfo=dt.UTC)) == []
