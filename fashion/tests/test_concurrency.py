"""Parallel uploads against a live server: every upload is stored once, with its own photo and its own reading."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from PIL import Image

from catalog.tests.factories import garment_factory, hex_to_rgb, image_bytes, rule_factory
from recommender.models import ShopperUpload
from vocabulary import COLOR_CODES, COLORS

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
UPLOADS = 20


def test_twenty_parallel_uploads_each_keep_their_own_record_image_and_colour(live_server):
    rule_factory(weight=90)
    garment_factory(type="pants", color="black")
    # A different colour (and size) per upload, so a mixed-up record or file cannot go unnoticed.
    sent = [(COLOR_CODES[i % len(COLOR_CODES)], (60 + i, 80 + i)) for i in range(UPLOADS)]

    def post(index: int) -> tuple[int, int, dict]:
        color, size = sent[index]
        files = {"image": (f"photo-{index}.png", image_bytes(color, size, fmt="PNG"), "image/png")}
        response = requests.post(f"{live_server.url}/api/v1/recommendations/", files=files, timeout=60)
        return index, response.status_code, response.json() if response.ok else {"error": response.text[:300]}

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(post, range(UPLOADS)))

    assert [status for _, status, _ in results] == [200] * UPLOADS, results
    assert ShopperUpload.objects.count() == UPLOADS
    assert len({body["upload_id"] for _, _, body in results}) == UPLOADS
    stored_names = set()
    for index, _, body in results:
        color, size = sent[index]
        upload = ShopperUpload.objects.get(public_id=body["upload_id"])
        assert body["detected"]["color"] == color and upload.detected_color == color
        with upload.image.open("rb") as handle:
            image = Image.open(io.BytesIO(handle.read())).convert("RGB")
        assert image.size == size
        centre = image.getpixel((size[0] // 2, size[1] // 2))
        assert max(abs(a - b) for a, b in zip(centre, hex_to_rgb(COLORS[color].hex), strict=True)) < 12
        stored_names.add(upload.image.name)
    assert len(stored_names) == UPLOADS
