"""The bad-input corpus (scripts/make_bad_inputs.py) against the API and the upload page.

Every file gets a clear 4xx with a reason, or a 200/redirect when it is a usable image; never a 500; the catalog
never changes; what is stored is re-encoded, upright and without EXIF.
"""

from __future__ import annotations

import io
import re
import time
import tracemalloc
from pathlib import Path
from typing import cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpResponse
from django.test.client import ClientHandler
from django.utils.html import escape
from PIL import Image
from rest_framework.test import APIClient

from catalog.models import Garment, PairingRule
from catalog.tests.factories import garment_factory, rule_factory
from catalog.uploads import image_error_message
from classifier.imaging import InvalidImage, open_image
from recommender.models import ShopperUpload

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "bad_inputs"
# file -> the image error code it is refused with (None: a usable image, stored and answered)
EXPECTED: dict[str, str | None] = {
    "empty.jpg": "empty_file",
    "text.jpg": "not_an_image",
    "page.jpg": "not_an_image",
    "drawing.jpg": "not_an_image",
    "truncated.jpg": "truncated",
    "bomb.png": "image_too_large",
    "strip_1x40000000.png": "image_too_narrow",
    "bitmap_6300x6300.png": "image_too_large",
    "vector.eps": "not_an_image",
    "comment_email.jpg": None,
    "phone.heic": None,
    "animated.gif": None,
    "cmyk.jpg": None,
    "16bit.png": None,
    "exif_rotated.jpg": None,
    "one_pixel.png": None,
    "wide_10000x10.png": None,
}
FIFTY_MB = 50 * 1024 * 1024


def test_the_committed_corpus_is_complete_and_small():
    files = {path.name: path.stat().st_size for path in CORPUS.iterdir()}
    assert set(files) == set(EXPECTED)
    assert max(files.values()) < 100_000


@pytest.fixture
def catalog_snapshot():
    """A small catalog; returns a function giving every Garment and PairingRule row, to compare before/after."""
    rule_factory(weight=90, note_ko="빨강 상의 + 검정 하의")
    garment_factory(type="pants", color="black", name="검정 바지")
    garment_factory(type="skirt", color="white", name="White skirt")

    def snapshot() -> tuple[list, list]:
        return list(Garment.objects.order_by("id").values()), list(PairingRule.objects.order_by("id").values())

    return snapshot


def assert_stored_upright_without_exif(upload: ShopperUpload) -> None:
    with upload.image.open("rb") as handle:
        raw = handle.read()
    stored = Image.open(io.BytesIO(raw))
    stored.load()
    assert stored.format == "JPEG"
    assert not stored.getexif() and "exif" not in stored.info
    # No metadata segment at all: comment (COM), XMP, ICC; the shopper's address is nowhere in the bytes.
    assert not {"comment", "xmp", "icc_profile"} & set(stored.info), stored.info
    assert b"shopper@example.com" not in raw and b"\xff\xfe" not in raw.split(b"\xff\xda")[0]
    assert stored.size == (40, 60)  # portrait, as the camera meant it
    top, bottom = stored.getpixel((20, 5)), stored.getpixel((20, 55))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 150 and top[2] < 100, top  # red on top
    assert bottom[2] > 150 and bottom[0] < 100, bottom  # blue below


@pytest.mark.parametrize("name", EXPECTED)
def test_api_answers_every_corpus_file_with_a_reason_or_a_reading(name, catalog_snapshot):
    before, uploads_before = catalog_snapshot(), ShopperUpload.objects.count()
    content = (CORPUS / name).read_bytes()
    response = APIClient().post(
        "/api/v1/recommendations/", {"image": SimpleUploadedFile(name, content, "image/jpeg")}, format="multipart"
    )
    code = EXPECTED[name]
    if code is None:
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["detected"]["model_version"] and isinstance(body["items"], list)
        upload = ShopperUpload.objects.get(public_id=body["upload_id"])
        assert re.fullmatch(r"uploads/[0-9a-f]{32}\.jpg", upload.image.name)  # never the uploader's name
        assert ShopperUpload.objects.count() == uploads_before + 1
        if name in ("exif_rotated.jpg", "comment_email.jpg", "phone.heic"):
            assert_stored_upright_without_exif(upload)
    else:
        assert response.status_code == 400, response.content
        assert response.json() == {"code": code, "detail": image_error_message(code)}
        assert ShopperUpload.objects.count() == uploads_before
    assert catalog_snapshot() == before


@pytest.mark.parametrize("name", EXPECTED)
def test_upload_page_rerenders_with_a_friendly_error_or_redirects(name, client, catalog_snapshot):
    before, uploads_before = catalog_snapshot(), ShopperUpload.objects.count()
    content = (CORPUS / name).read_bytes()
    response = client.post("/recommend/", {"image": SimpleUploadedFile(name, content, "image/jpeg")})
    code = EXPECTED[name]
    if code is None:
        assert response.status_code == 302, response.content[:500]
        upload = ShopperUpload.objects.get()
        assert response["Location"].endswith(f"/recommend/{upload.public_id}/")
        if name == "exif_rotated.jpg":
            assert_stored_upright_without_exif(upload)
    else:
        assert response.status_code == 400
        html = response.content.decode()
        assert 'role="alert"' in html
        assert escape(f"We could not use that file: {image_error_message(code)}") in html
        assert ShopperUpload.objects.count() == uploads_before
    assert catalog_snapshot() == before


class StreamedMultipart(io.RawIOBase):
    """A multipart body with one `image` part of `size` bytes, generated while it is read (never held in memory)."""

    boundary = "----fashionboundary7MA4YWxkTrZu0gW"

    def __init__(self, size: int) -> None:
        self.head = (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="image"; filename="huge.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode() + b"\xff\xd8\xff\xe0"
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.filler = size - 4
        self.length = len(self.head) + self.filler + len(self.tail)
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.read_chunk(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def read_chunk(self, n: int) -> bytes:
        out = bytearray()
        while n > 0 and self.position < self.length:
            if self.position < len(self.head):
                piece = self.head[self.position : self.position + n]
            elif self.position < len(self.head) + self.filler:
                piece = b"\0" * min(n, len(self.head) + self.filler - self.position)
            else:
                offset = self.position - len(self.head) - self.filler
                piece = self.tail[offset : offset + n]
            out += piece
            self.position += len(piece)
            n -= len(piece)
        return bytes(out)


def post_streamed(path: str, size: int) -> tuple[int, bytes]:
    body = StreamedMultipart(size)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BufferedReader(body, buffer_size=64 * 1024),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": f"multipart/form-data; boundary={body.boundary}",
        "CONTENT_LENGTH": str(body.length),
    }
    # The test client's handler, minus the client: it skips CSRF like the test client does (the page needs a token).
    response = cast(HttpResponse, ClientHandler(enforce_csrf_checks=False)(environ))
    return response.status_code, response.content


@pytest.mark.parametrize("path", ["/api/v1/recommendations/", "/recommend/"])
def test_a_50_mb_upload_is_refused_without_buffering_or_storing_it(path, catalog_snapshot, monkeypatch, settings):
    before = catalog_snapshot()
    written = []
    original = TemporaryFileUploadHandler.receive_data_chunk

    def counting(self, raw_data, start):
        written.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", counting)
    tracemalloc.start()
    try:
        status, content = post_streamed(path, FIFTY_MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 400, content[:500]
    assert b"too large" in content and b"10.0 MB" in content  # the limit, in the envelope or on the page
    assert peak < 16 * 1024 * 1024, f"peak Python memory {peak / 2**20:.1f} MB while receiving a 50 MB upload"
    assert sum(written) <= settings.UPLOAD_MAX_BYTES  # at most the limit reached the temporary file
    assert ShopperUpload.objects.count() == 0
    assert catalog_snapshot() == before


@pytest.mark.parametrize("name", ["strip_1x40000000.png", "bitmap_6300x6300.png", "bomb.png"])
def test_hostile_images_are_refused_cheaply_from_the_header(name):
    """Refused before any pixel is decoded: little time and little memory, not the gigabyte a decode would take."""
    tracemalloc.start()
    began = time.perf_counter()
    try:
        with pytest.raises(InvalidImage) as refused:
            open_image((CORPUS / name).read_bytes())
        _, peak = tracemalloc.get_traced_memory()
        assert refused.value.code == EXPECTED[name]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - began < 0.5
    assert peak < 4 * 1024 * 1024, f"{peak / 2**20:.1f} MB"
