"""The demo's delivery story: Assen Top Idee 2024 past its vote, with records in every status, some overdue."""

from __future__ import annotations

import sqlalchemy as sa

from pb.delivery.models import DeliveryRecord, DeliveryStatus


def test_the_demo_tells_assens_delivery(app, db, client):
    from pb.demo import build_demo

    build_demo()
    db.session.commit()
    statuses = set(db.session.execute(sa.select(DeliveryRecord.status)).scalars())
    assert statuses == set(DeliveryStatus) - {DeliveryStatus.PLANNED}
    page = client.get("/m/assen/2024-top-idee/delivery")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Overdue" in text and "Buurtvereniging Assen-Oost" not in text  # names only on the project page
    assert "co-production agreements" in text
