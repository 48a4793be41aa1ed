"""What delivery statuses, roles and picture kinds are called, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pb.delivery.models import CoProducerKind, CoProductionRole, CoProductionStatus, DeliveryStatus, PhotoKind

STATUS_LABELS = {
    DeliveryStatus.PLANNED: _l("Planned"),
    DeliveryStatus.DESIGN: _l("Design"),
    DeliveryStatus.PROCUREMENT: _l("Procurement"),
    DeliveryStatus.WORKS: _l("Works"),
    DeliveryStatus.DELIVERED: _l("Delivered"),
    DeliveryStatus.CANCELLED: _l("Cancelled"),
    DeliveryStatus.MERGED: _l("Merged"),
}

ROLE_LABELS = {
    CoProductionRole.CO_DESIGN: _l("Co-design"),
    CoProductionRole.CO_IMPLEMENT: _l("Co-implement"),
    CoProductionRole.MAINTAIN: _l("Maintain"),
}

PARTY_LABELS = {
    CoProducerKind.RESIDENT: _l("A resident"),
    CoProducerKind.ORGANISATION: _l("A community organisation"),
}

OFFER_STATUS_LABELS = {
    CoProductionStatus.OFFERED: _l("Offered"),
    CoProductionStatus.AGREED: _l("Agreed"),
    CoProductionStatus.DECLINED: _l("Declined"),
}

PHOTO_LABELS = {
    PhotoKind.BEFORE: _l("Before"),
    PhotoKind.AFTER: _l("After"),
    PhotoKind.DOCUMENT: _l("Document"),
}


def status_label(status: DeliveryStatus | str) -> str:
    """A delivery status as residents read it."""
    return str(STATUS_LABELS[DeliveryStatus(status)])
