"""Card-sized thumbnails of garment photos, made once when a photo is stored (local media or S3 alike)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.core.files.base import ContentFile
from PIL import Image

from catalog.models import Garment
from catalog.uploads import stored_photo_open

THUMBNAIL_MAX_SIDE = 400


def thumbnail_jpeg(image: Image.Image) -> ContentFile:
    """A JPEG at most THUMBNAIL_MAX_SIDE px on its longer side: what a 200–250 px card needs on a 2× screen."""
    thumbnail = image.convert("RGB")
    thumbnail.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    thumbnail.save(buffer, format="JPEG", quality=82, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name="thumbnail.jpg")


def garment_thumbnail_set(*, garment: Garment, image: Image.Image) -> None:
    """Attach a fresh thumbnail of `image` to an unsaved or about-to-be-saved garment (the caller saves it)."""
    garment.thumbnail = thumbnail_jpeg(image)


def garments_thumbnails_fill(*, garments: Iterable[Garment]) -> int:
    """Make the missing thumbnails of garments stored before thumbnails existed; returns how many were made.

    A garment whose photo is missing or unreadable keeps none (its card shows the full photo).
    """
    made = 0
    for garment in garments:
        if garment.thumbnail:
            continue
        image = stored_photo_open(garment.image)
        if image is None:
            continue
        garment.thumbnail.save("thumbnail.jpg", thumbnail_jpeg(image), save=False)
        Garment.objects.filter(pk=garment.pk).update(thumbnail=garment.thumbnail.name)
        made += 1
    return made
