"""Images and form data for the proposals tests."""

from __future__ import annotations

import io

from PIL import Image


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (40, 30), exif: bool = False) -> bytes:
    """A small valid image; with ``exif`` a JPEG carrying a camera make, to see it stripped."""
    out = io.BytesIO()
    image = Image.new("RGB", size, (30, 120, 60))
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        image.save(out, format="JPEG", exif=data)
    else:
        image.save(out, format=kind)
    return out.getvalue()


def proposal(process, **overrides) -> dict:
    """A valid submission of the form for a process."""
    data = {
        "title": "Benches in the park",
        "summary": "Ten benches along the river path.",
        "description": "Wooden benches, shaded.",
        "cost": "12500.50",
        "pool_id": str(process.pools[0].id),
        "categories": ["public space"],
        "beneficiaries": ["seniors"],
        "latitude": "",
        "longitude": "",
        "coauthors": "",
        "publish": "Publish",
    }
    data.update(overrides)
    return data
