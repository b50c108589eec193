"""Reading a shopper's or a stylist's upload safely (size limit before decoding, then content sniffing by Pillow), and
the one table of what each image error code says to people."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy
from PIL import Image

from classifier.imaging import ImageErrorCode, InvalidImage, open_image


def upload_size_check(*, size: int | None) -> None:
    """Refuse an upload by its size alone (before anything is read or stored): InvalidImage when it is empty or over
    settings.UPLOAD_MAX_BYTES."""
    if not size:
        raise InvalidImage(ImageErrorCode.EMPTY_FILE, "the file is empty")
    if size > settings.UPLOAD_MAX_BYTES:
        raise InvalidImage(
            ImageErrorCode.FILE_TOO_LARGE, f"{size} bytes, the limit is {settings.UPLOAD_MAX_BYTES} bytes"
        )


def image_bytes_open(data: bytes) -> Image.Image:
    """Decode an upload's bytes (read with at most UPLOAD_MAX_BYTES + 1 of them) with the upload limits, or raise
    InvalidImage."""
    upload_size_check(size=len(data))
    return open_image(data, max_pixels=settings.UPLOAD_MAX_PIXELS)


def stored_photo_open(photo: FieldFile) -> Image.Image | None:
    """Decode a photo the catalog already stores (a garment's image), or None when it is missing or unreadable: jobs
    that walk the catalog (re-tagging, thumbnails) skip such a garment rather than stop."""
    if not photo:
        return None
    try:
        with photo.open("rb") as stored:
            return open_image(stored.read())
    except (OSError, InvalidImage):
        return None


def upload_open_image(upload: UploadedFile) -> Image.Image:
    """Decode an uploaded file into an RGB image, or raise InvalidImage (its `code` says why)."""
    upload_size_check(size=upload.size)
    upload.seek(0)
    # The declared size may lie (a stream): never read more than one byte past the limit.
    return image_bytes_open(upload.read(settings.UPLOAD_MAX_BYTES + 1))


# What each code says: to shoppers (pages, the API; Korean 해요체) and in the stylist console (Korean 합니다체).
# Every ImageErrorCode has exactly one entry (a test checks), and nothing else words these errors.
_MESSAGES: dict[ImageErrorCode, tuple[Promise, Promise]] = {
    ImageErrorCode.EMPTY_FILE: (
        gettext_lazy("The file is empty."),
        pgettext_lazy("stylist console", "The file is empty."),
    ),
    ImageErrorCode.FILE_TOO_LARGE: (
        gettext_lazy("The file is too large; the limit is %(limit)s."),
        pgettext_lazy("stylist console", "The file is too large; the limit is %(limit)s."),
    ),
    ImageErrorCode.FILE_NOT_FOUND: (
        gettext_lazy("The file was not found."),
        pgettext_lazy("stylist console", "The file was not found."),
    ),
    ImageErrorCode.NOT_AN_IMAGE: (
        gettext_lazy("This file is not a photo we can read. Use JPEG, PNG, WebP, GIF or HEIC."),
        pgettext_lazy("stylist console", "This file is not a photo we can read. Use JPEG, PNG, WebP, GIF or HEIC."),
    ),
    ImageErrorCode.IMAGE_TOO_LARGE: (
        gettext_lazy("The photo has too many pixels."),
        pgettext_lazy("stylist console", "The photo has too many pixels."),
    ),
    ImageErrorCode.IMAGE_TOO_NARROW: (
        gettext_lazy("The photo is too long and narrow to show a garment."),
        pgettext_lazy("stylist console", "The photo is too long and narrow to show a garment."),
    ),
    ImageErrorCode.TRUNCATED: (
        gettext_lazy("The photo file is incomplete: it was cut off while copying or uploading."),
        pgettext_lazy("stylist console", "The photo file is incomplete: it was cut off while copying or uploading."),
    ),
    ImageErrorCode.CORRUPT_IMAGE: (
        gettext_lazy("The photo file is damaged and cannot be read."),
        pgettext_lazy("stylist console", "The photo file is damaged and cannot be read."),
    ),
    ImageErrorCode.ARCHIVE_UNREADABLE: (
        gettext_lazy("This zip file cannot be read."),
        pgettext_lazy("stylist console", "This zip file cannot be read."),
    ),
}


def _file_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size // 1024} kB"


def image_error_message(code: str, *, for_staff: bool = False) -> str:
    """The sentence for an image error code, in the active language (worded for the stylist console when
    `for_staff`). Anything that is not a code (a background import's reason stored before codes existed) is
    returned as it is."""
    try:
        shopper, staff = _MESSAGES[ImageErrorCode(code)]
    except ValueError:
        return code
    return str(staff if for_staff else shopper) % {"limit": _file_size(settings.UPLOAD_MAX_BYTES)}
