"""Uploaded images are re-encoded, so no smuggled payload survives, and are served with a fixed image type and
nosniff, so no browser treats one as a page (ASVS V12.1, V12.2.1, V12.5.2, V5.2.x)."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa
from PIL import Image, PngImagePlugin

from pb.errors import ValidationError
from pb.proposals.images import ImageUpload, prepare_image
from pb.proposals.models import ProjectImage
from tests.proposals.helpers import proposal

PAYLOAD = b"<html><body><script>alert(document.cookie)</script></body></html>"
IN_PROPOSALS = 80


def _png_polyglot() -> bytes:
    """A valid PNG with HTML in a text chunk and after its end."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PAYLOAD.decode())
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(out, format="PNG", pnginfo=info)
    return out.getvalue() + PAYLOAD


def _jpeg_polyglot() -> bytes:
    """A valid JPEG with HTML in its comment segment, and a ZIP archive appended (a GIFAR-style polyglot)."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 10, 200)).save(out, format="JPEG", comment=PAYLOAD)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("index.html", PAYLOAD)
    return out.getvalue() + archive.getvalue()


def _html_with_png_magic() -> bytes:
    """HTML that starts like a PNG: sniffers that trust the first bytes call it an image."""
    return b"\x89PNG\r\n\x1a\n" + PAYLOAD


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'


@pytest.mark.parametrize("make, kind", [(_png_polyglot, "image/png"), (_jpeg_polyglot, "image/jpeg")])
def test_polyglot_images_come_out_as_pixels_only(make, kind):
    prepared = prepare_image(ImageUpload("probe.png", make()))
    assert prepared.content_type == kind
    for marker in (b"<script", b"<html", b"PK\x03\x04", b"index.html"):
        assert marker not in prepared.data
    with Image.open(io.BytesIO(prepared.data)) as image:
        image.load()
        assert image.size == (16, 16) and not image.info.get("Comment") and "comment" not in image.info


@pytest.mark.parametrize("payload", [_html_with_png_magic(), SVG, PAYLOAD])
def test_pages_dressed_as_images_are_refused(payload):
    with pytest.raises(ValidationError):
        prepare_image(ImageUpload("probe.png", payload))


def test_an_uploaded_polyglot_is_served_as_an_image_that_cannot_be_sniffed(client, db, make_process, make_user, login):
    author = make_user()
    login(author)
    process = make_process(vote_in_days=IN_PROPOSALS)
    data = proposal(process)
    data["images"] = (io.BytesIO(_png_polyglot()), "page.html")
    assert client.post("/m/testville/2026/propose", data=data, content_type="multipart/form-data").status_code == 302
    image = db.session.execute(sa.select(ProjectImage)).scalar_one()
    assert b"<script" not in image.data
    served = client.get(f"/projects/{image.project_id}/images/{image.id}")
    assert served.status_code == 200 and b"<script" not in served.data
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == "inline"
    assert "default-src 'self'" in served.headers["Content-Security-Policy"]


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height)).save(out, format="PNG")
    return out.getvalue()


def test_an_image_over_twelve_megapixels_is_refused_from_its_header():
    """Issue 18: 40-megapixel PNGs of 155 KB each took seconds and gigabytes to decode; now refused unread."""
    small_file = _png(4000, 3100)  # 12.4 Mpx in a few kilobytes
    assert len(small_file) < 100_000
    with pytest.raises(ValidationError, match="too many pixels"):
        prepare_image(ImageUpload("big.png", small_file))


def test_the_first_bad_file_stops_the_submission_before_any_image_is_decoded(monkeypatch):
    from pb.proposals import images

    decoded = []
    monkeypatch.setattr(images, "prepare_image", lambda upload: decoded.append(upload) or None)
    uploads = [ImageUpload(f"ok{n}.png", _png(3000, 3000)) for n in range(4)] + [ImageUpload("bad.png", b"no")]
    with pytest.raises(ValidationError, match="bad.png is not a JPEG"):
        images.prepare_images(uploads)
    assert decoded == []


def test_a_large_jpeg_is_decoded_reduced(monkeypatch):
    from PIL import JpegImagePlugin

    out = io.BytesIO()
    Image.new("RGB", (4800, 2400), (10, 200, 30)).save(out, format="JPEG")
    sizes = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        result = draft(self, mode, size)
        sizes.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    prepared = prepare_image(ImageUpload("wide.jpg", out.getvalue()))
    assert sizes == [(2400, 1200)] and (prepared.width, prepared.height) == (2400, 1200)


def test_proposal_submissions_and_edits_are_limited_per_account(app, client, db, make_process, make_user, login):
    from pb.proposals.models import Project

    app.config["PB_PROPOSAL_LIMIT"] = "2 per hour"
    process = make_process(vote_in_days=IN_PROPOSALS)
    login(make_user())
    assert client.post("/m/testville/2026/propose", data=proposal(process)).status_code == 302
    project = db.session.scalars(sa.select(Project)).one()
    assert client.post(f"/projects/{project.id}/edit", data=proposal(process)).status_code == 302
    # Submitting and editing share the budget.
    assert client.post("/m/testville/2026/propose", data=proposal(process)).status_code == 429
    assert client.post(f"/projects/{project.id}/edit", data=proposal(process)).status_code == 429
    assert client.get(f"/projects/{project.id}/edit").status_code == 200  # reading the form is not limited
