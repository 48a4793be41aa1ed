"""Project images: the type is sniffed from the bytes, never the file name, and every image is re-encoded
so that no metadata (location, camera) and no smuggled payload survives."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from pb.errors import ValidationError

MAX_IMAGES = 5
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Larger pictures are scaled down; more pixels than this are refused before any is decoded (decompression bombs:
# a 155 KB PNG of 40 Mpx took seconds and over half a gigabyte to decode, issue 18). 12 Mpx is a phone's photo.
MAX_SIDE = 2400
MAX_PIXELS = 12_000_000

# Pillow's format name -> the stored content type and how it is re-encoded.
FORMATS = {
    "JPEG": ("image/jpeg", {"format": "JPEG", "quality": 85, "optimize": True}),
    "PNG": ("image/png", {"format": "PNG", "optimize": True}),
    "WEBP": ("image/webp", {"format": "WEBP", "quality": 85}),
}


@dataclass(frozen=True)
class ImageUpload:
    """An uploaded file as the form received it."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class PreparedImage:
    """An image checked and re-encoded, ready to store."""

    content_type: str
    data: bytes
    width: int
    height: int
    sha256: str


def check_image(upload: ImageUpload) -> str:
    """The cheap checks of an upload, from its size and header only (no pixel is decoded); its Pillow format.

    Run over every file of a submission before any is decoded, so a bad file stops the submission at once.
    """
    name = upload.filename or _("the file")
    if len(upload.data) > MAX_IMAGE_BYTES:
        raise ValidationError("images", _("%(name)s is larger than 5 MB; please send a smaller image.", name=name))
    if not upload.data:
        raise ValidationError("images", _("%(name)s is empty.", name=name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload.data)) as probe:
                kind = probe.format
                if kind not in FORMATS:
                    raise ValidationError("images", _("%(name)s is not a JPEG, PNG or WebP image.", name=name))
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationError("images", _("%(name)s has too many pixels: at most %(max)d million.",
                                                      name=name, max=MAX_PIXELS // 1_000_000))
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ValidationError("images", _("%(name)s is not a JPEG, PNG or WebP image.", name=name)) from None
    return kind


def prepare_images(uploads: list[ImageUpload] | tuple[ImageUpload, ...]) -> list[PreparedImage]:
    """Every upload checked first (header and size), then each decoded and re-encoded; the first bad file stops
    the whole submission before any pixel is decoded."""
    for upload in uploads:
        check_image(upload)
    return [prepare_image(upload) for upload in uploads]


def prepare_image(upload: ImageUpload) -> PreparedImage:
    """Check an upload is a JPEG, PNG or WebP image of acceptable size and re-encode it without metadata."""
    name = upload.filename or _("the file")
    kind = check_image(upload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload.data)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(upload.data)) as image:
                # A JPEG is decoded at the smallest scale (1/2, 1/4, 1/8) that still covers the stored size;
                # other formats ignore the draft and stay within MAX_PIXELS.
                ratio = MAX_SIDE / max(image.size)
                if ratio < 1:
                    image.draft(None, (max(1, int(image.width * ratio)), max(1, int(image.height * ratio))))
                image.load()
                image = ImageOps.exif_transpose(image)
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                content_type, options = FORMATS[kind]
                if kind == "JPEG" and image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                # A fresh image holds the pixels only: EXIF, XMP and text chunks are left behind.
                clean = Image.new(image.mode, image.size)
                if image.mode == "P":
                    clean.putpalette(image.getpalette())
                clean.paste(image)
                out = io.BytesIO()
                clean.save(out, **options)
                width, height = clean.size
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ValidationError("images", _("%(name)s is not a JPEG, PNG or WebP image.", name=name)) from None
    data = out.getvalue()
    return PreparedImage(content_type=content_type, data=data, width=width, height=height,
                         sha256=hashlib.sha256(data).hexdigest())
