"""Reading a shopper's upload safely: size limit before decoding, then content sniffing by Pillow."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language, gettext, gettext_noop, pgettext_lazy
from PIL import Image

from classifier.imaging import InvalidImage, open_image


def _format_bytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def upload_open_image(upload: UploadedFile) -> Image.Image:
    """Decode an uploaded file into an RGB image, or raise InvalidImage with a reason a shopper can act on."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise InvalidImage("The file is empty.")
    if upload.size > limit:
        raise InvalidImage(
            f"The file is too large ({_format_bytes(upload.size)}); the limit is {_format_bytes(limit)}."
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise InvalidImage(f"The file is too large; the limit is {_format_bytes(limit)}.")
    return open_image(data, max_pixels=settings.UPLOAD_MAX_PIXELS)


# Shopper-facing wording of the reasons above, by the start of the technical message (pages only; the API keeps the
# precise English reason for integrators).
_REASONS: tuple[tuple[str, str], ...] = (
    ("The file is empty", gettext_noop("The file is empty.")),
    ("The file is too large", gettext_noop("The file is too large.")),
    ("image too large", gettext_noop("The photo has too many pixels.")),
    ("image is truncated", gettext_noop("The photo file is incomplete: it was cut off while copying or uploading.")),
    ("not an image", gettext_noop("This file is not a photo we can read. Use JPEG, PNG, WebP or GIF.")),
    # Bulk imports in the console (catalog.tasks): archives and files the upload could not keep.
    ("not a zip archive", gettext_noop("This zip file cannot be read.")),
    ("The file could not be stored", gettext_noop("The file could not be stored.")),
)


# The same reasons in the stylist console's voice (Korean: 합니다체, where shopper pages speak 해요체).
_STAFF_REASONS: dict[str, StrOrPromise] = {
    "The file is empty.": pgettext_lazy("stylist console", "The file is empty."),
    "The file is too large.": pgettext_lazy("stylist console", "The file is too large."),
    "The photo has too many pixels.": pgettext_lazy("stylist console", "The photo has too many pixels."),
    "The photo file is incomplete: it was cut off while copying or uploading.": pgettext_lazy(
        "stylist console", "The photo file is incomplete: it was cut off while copying or uploading."
    ),
    "This file is not a photo we can read. Use JPEG, PNG, WebP or GIF.": pgettext_lazy(
        "stylist console", "This file is not a photo we can read. Use JPEG, PNG, WebP or GIF."
    ),
    "This zip file cannot be read.": pgettext_lazy("stylist console", "This zip file cannot be read."),
    "The file could not be stored.": pgettext_lazy("stylist console", "The file could not be stored."),
}


def shopper_reason(error: InvalidImage, *, for_staff: bool = False) -> str:
    """The reason in the page's language: the precise message in English, a plain sentence in other languages
    (worded for the stylist console when `for_staff`)."""
    message = str(error)
    if (get_language() or "en").startswith("en"):
        return message
    for prefix, sentence in _REASONS:
        if message.startswith(prefix):
            return str(_STAFF_REASONS[sentence]) if for_staff else gettext(sentence)
    return message


def staff_reason(message: str) -> str:
    """A reason a background import stored in English (the worker has no language) in the console's language."""
    return shopper_reason(InvalidImage(message), for_staff=True)
