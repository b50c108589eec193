"""Reading a shopper's upload safely: size limit before decoding, then content sniffing by Pillow."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
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
