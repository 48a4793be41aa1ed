"""Open data: each project of the JSON API carries its delivery status, progress, money spent and last update."""

from __future__ import annotations

import datetime as dt

from pb.delivery import services
from pb.delivery.models import DeliveryStatus


def test_the_api_carries_each_projects_delivery(client, db, ctx, world, clerk):
    record = world["record"]
    done = services.add_milestone(clerk, record, "Design", None)
    services.add_milestone(clerk, record, "Works", None)
    services.complete_milestone(clerk, done, dt.date(2026, 1, 2))
    services.update_record(clerk, record, services.RecordInput(
        department="Parks", officer_id=None, planned_start_on=None, planned_end_on=None, actual_start_on=None,
        actual_end_on=None, committed=500_000, spent=123_456, spending_explanation=""))
    update = services.post_update(clerk, record, "Trees ordered.", now=dt.datetime(2026, 3, 4, 22, tzinfo=dt.UTC))
    services.change_status(clerk, record, DeliveryStatus.PROCUREMENT, now=dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC))
    db.session.commit()
    data = client.get(f"/api/v1/processes/{world['process'].id}/projects").get_json()
    [item] = data["projects"]
    assert item["delivery"] == {"status": "procurement", "milestones_done": 1, "milestones_total": 2,
                                "spent": 123_456, "last_update": "2026-03-05"}
    assert update.created_at < record.updates[0].created_at
