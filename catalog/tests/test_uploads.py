"""catalog.uploads called directly: the size rule before anything is read, the decoder's codes passed through."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.tests.factories import image_bytes
from catalog.uploads import image_bytes_open, upload_open_image, upload_size_check
from classifier.imaging import ImageErrorCode, InvalidImage
from fashion.uploads import OversizedUpload


def refusal(call) -> ImageErrorCode:
    with pytest.raises(InvalidImage) as refused:
        call()
    return refused.value.code


@pytest.mark.parametrize(
    "size, code",
    [(None, ImageErrorCode.EMPTY_FILE), (0, ImageErrorCode.EMPTY_FILE), (1001, ImageErrorCode.FILE_TOO_LARGE)],
)
def test_the_size_rule(settings, size, code):
    settings.UPLOAD_MAX_BYTES = 1000
    assert refusal(lambda: upload_size_check(size=size)) == code
    upload_size_check(size=1000)  # at the limit: fine


def test_a_file_cut_off_by_the_upload_handler_is_too_large_not_empty(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    cut_off = OversizedUpload("huge.jpg", "image/jpeg", 50_000, None)  # the real size, no content kept
    assert refusal(lambda: upload_open_image(cut_off)) == ImageErrorCode.FILE_TOO_LARGE


def test_bytes_past_the_limit_are_refused_whatever_the_declared_size(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    assert refusal(lambda: image_bytes_open(b"\xff" * 1001)) == ImageErrorCode.FILE_TOO_LARGE


def test_a_usable_upload_opens_and_the_decoders_codes_pass_through(settings):
    settings.UPLOAD_MAX_PIXELS = 100
    photo = SimpleUploadedFile("p.jpg", image_bytes("red", (8, 10)), "image/jpeg")
    assert upload_open_image(photo).size == (8, 10)
    large = SimpleUploadedFile("p.jpg", image_bytes("red", (20, 20)), "image/jpeg")
    assert refusal(lambda: upload_open_image(large)) == ImageErrorCode.IMAGE_TOO_LARGE  # the upload pixel limit
    text = SimpleUploadedFile("notes.jpg", b"<svg></svg>", "image/jpeg")
    assert refusal(lambda: upload_open_image(text)) == ImageErrorCode.NOT_AN_IMAGE
