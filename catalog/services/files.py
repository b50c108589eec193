"""Stored files of the catalog: photos re-encoded for storage, embeddings as bytes, photos kept only for committed
rows."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import numpy as np
from django.core.files.base import ContentFile
from django.db import models, transaction
from PIL import Image

from catalog.models import Garment

STORED_IMAGE_MAX_SIDE = 1024


def image_to_stored_jpeg(image: Image.Image) -> ContentFile:
    """Re-encode a decoded RGB image as a JPEG: no EXIF or other metadata survives, size is bounded."""
    image = image.convert("RGB")
    image.info = {}  # Pillow would write a JPEG comment or ICC profile from here; nothing of the upload's survives
    image.thumbnail((STORED_IMAGE_MAX_SIDE, STORED_IMAGE_MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88, optimize=True)
    return ContentFile(buffer.getvalue(), name="image.jpg")


def embedding_to_bytes(embedding: np.ndarray | None) -> bytes | None:
    return None if embedding is None else np.asarray(embedding, dtype=np.float32).tobytes()


def garment_stored_files_delete(*, garment: Garment) -> None:
    """Delete the photo and thumbnail files a garment's save wrote (for a row that was rolled back)."""
    for field in (garment.image, garment.thumbnail):
        if field and field.name and getattr(field, "_committed", False):
            field.storage.delete(field.name)


@contextmanager
def garment_photos_kept_only_if_committed() -> Iterator[list[Garment]]:
    """A transaction for writes that create garments (the block appends each to the list it is given): when the
    block fails, the rows roll back and the photo files their saves wrote are deleted too, so no photo outlives its
    row. A failed COMMIT keeps them: the row may exist after all (the server got COMMIT, the answer was lost), and a
    row must never point at a missing file.

    Open it after the CNN has read the photos: a transaction holds locks (SQLite's whole-database write lock) for
    as long as it runs."""
    created: list[Garment] = []
    block_done = False
    try:
        with transaction.atomic():
            yield created
            block_done = True
    except BaseException:
        if not block_done:
            for garment in created:
                garment_stored_files_delete(garment=garment)
        raise


def rows_delete_with_images(*, objects: Iterable[models.Model]) -> int:
    """Delete model rows and, once the transaction commits, the files of their `image` (and `thumbnail`)
    fields (local media or S3).

    Files go only after the commit, so a rolled-back delete never leaves rows pointing at missing photos.
    """
    objects = list(objects)
    if not objects:
        return 0
    files = [
        (field.storage, field.name)
        for obj in objects
        for field in (getattr(obj, "image", None), getattr(obj, "thumbnail", None))
        if field
    ]
    with transaction.atomic():
        type(objects[0])._default_manager.filter(pk__in=[obj.pk for obj in objects]).delete()

        def delete_files() -> None:
            for storage, name in files:
                storage.delete(name)

        transaction.on_commit(delete_files)
    return len(objects)
