"""The API contract: status codes, JSON shape, reasons."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from catalog.models import Garment, PairingRule
from catalog.tests.factories import garment_factory, image_bytes, png_with_inflating_text, red_top_catalog
from classifier.tests.colour_profiles import adobe_rgb
from recommender.models import ShopperUpload

pytestmark = pytest.mark.django_db

DETECTED_KEYS = {"type", "type_confidence", "slot", "slot_confidence", "color", "color_confidence", "model_version"}
ITEM_KEYS = {"id", "name", "image_url", "type", "slot", "color", "reason", "rule_id"}


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def catalog():
    return red_top_catalog()


def upload(client: APIClient, content: bytes, name: str = "photo.jpg"):
    return client.post("/api/v1/recommendations/", {"image": SimpleUploadedFile(name, content)}, format="multipart")


def test_upload_returns_detection_and_items_with_reasons(client, catalog):
    rule, black_pants, white_skirt = catalog
    response = upload(client, image_bytes("red", (120, 160)))
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body["detected"]) >= DETECTED_KEYS
    assert body["detected"]["slot"] == "top" and body["detected"]["color"] == "red"
    assert body["detected"]["model_version"]
    assert [item["id"] for item in body["items"]] == [black_pants.id, white_skirt.id]
    first, second = body["items"]
    assert set(first) >= ITEM_KEYS
    assert first["rule_id"] == rule.id and first["reason"] == rule.note
    assert second["rule_id"] is None and second["reason_kind"] == "harmony" and second["reason"]
    assert first["image_url"].startswith("http://testserver/media/garments/")
    stored = ShopperUpload.objects.get(public_id=body["upload_id"])
    assert stored.detected_color == "red" and stored.image.name.startswith("uploads/")


def test_get_by_tags_returns_the_same_items_without_detection(client, catalog):
    rule, black_pants, white_skirt = catalog
    response = client.get("/api/v1/recommendations/", {"slot": "top", "color": "red"})
    assert response.status_code == 200
    body = response.json()
    assert "detected" not in body
    assert [item["id"] for item in body["items"]] == [black_pants.id, white_skirt.id]
    assert body["items"][0]["reason"] == rule.note


def test_a_skirt_asked_for_by_its_tags_alone_gets_no_mans_shirt_first(client):
    """GET by tags says nothing of the audience: a red skirt is taken for a woman's or a child's, so the men's shirt
    that a harmony pairs comes after the women's and unisex tops."""
    mens = garment_factory(type="shirt", color="white", audience="men", name="men's white shirt")
    womens = garment_factory(type="blouse", color="white", audience="women", name="white blouse")
    unisex = garment_factory(type="t-shirt", color="white", audience="unisex", name="white tee")
    body = client.get("/api/v1/recommendations/", {"slot": "bottom", "color": "red", "type": "skirt"}).json()
    tops = [item["id"] for item in body["items"] if item["slot"] == "top"]
    assert set(tops[:2]) == {womens.id, unisex.id} and tops[-1] == mens.id


def test_results_are_deterministic(client, catalog):
    for color in ["black", "white", "gray", "blue"]:
        for i in range(3):
            garment_factory(type="pants", color=color, name=f"{color} pants {i}")
    urls = [client.get("/api/v1/recommendations/", {"slot": "top", "color": "red"}).json() for _ in range(3)]
    assert urls[0] == urls[1] == urls[2]


def test_korean_reason_when_asked_in_korean(client, catalog):
    rule, *_ = catalog
    rule.note_ko = "빨강 상의 + 검정 하의: 대담한 클래식 대비"
    rule.save()
    response = client.get("/api/v1/recommendations/", {"slot": "top", "color": "red"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.json()["items"][0]["reason"] == rule.note_ko


@pytest.mark.parametrize(
    "query, field",
    [
        ({"slot": "top"}, "color"),
        ({"slot": "roof", "color": "red"}, "slot"),
        ({"slot": "top", "color": "teal"}, "color"),
        ({"slot": "top", "color": "red", "type": "pants"}, "type"),
        ({"slot": "top", "color": "red", "limit": "1000"}, "limit"),
        ({"slot": "top", "color": "red", "kind": "vest"}, "kind"),
        ({"slot": "outer", "color": "gray", "type": "blazer", "kind": "vest"}, "kind"),
    ],
)
def test_bad_tag_queries_get_400_with_a_reason(client, query, field):
    response = client.get("/api/v1/recommendations/", query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["fields"] and body["detail"]


@pytest.mark.parametrize(
    "content, code, detail",
    [
        (b"", "empty_file", "The file is empty."),
        (
            b"<html><body>not a photo</body></html>",
            "not_an_image",
            "This file is not a photo we can read. Use JPEG, PNG, WebP, GIF or HEIC.",
        ),
        (
            image_bytes("red", (200, 200))[:300],
            "truncated",
            "The photo file is incomplete: it was cut off while copying or uploading.",
        ),
        # 2 KB whose text chunk inflates to 2 MB: Pillow refuses to open it (a ValueError, not an OSError).
        (png_with_inflating_text(), "corrupt_image", "The photo file is damaged and cannot be read."),
    ],
)
def test_bad_uploads_get_400_and_store_nothing(client, catalog, content, code, detail):
    before = (Garment.objects.count(), PairingRule.objects.count(), ShopperUpload.objects.count())
    response = upload(client, content)
    assert response.status_code == 400
    assert response.json() == {"code": code, "detail": detail}
    assert (Garment.objects.count(), PairingRule.objects.count(), ShopperUpload.objects.count()) == before


def test_a_wide_gamut_upload_is_read_and_stored_in_the_colours_the_shopper_saw(client, catalog):
    """A camera's Adobe RGB photo of a red top: its values (219, 0, 0) are that red in Adobe RGB. The stored copy
    (shown on the result page, read again when a garment is tapped) holds sRGB's red, since it carries no profile."""
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), (219, 0, 0)).save(buffer, "JPEG", quality=95, icc_profile=adobe_rgb())
    response = upload(client, buffer.getvalue())
    assert response.status_code == 200, response.content
    stored = ShopperUpload.objects.get(public_id=response.json()["upload_id"])
    with stored.image.open("rb") as photo, Image.open(photo) as image:
        assert "icc_profile" not in image.info
        r, g, b = image.convert("RGB").getpixel((60, 80))
    assert r >= 250 and g <= 6 and b <= 6


def test_missing_file_gets_400(client):
    response = client.post("/api/v1/recommendations/", {}, format="multipart")
    assert response.status_code == 400
    assert "image" in response.json()["fields"]


def test_oversized_upload_is_refused_before_decoding(client, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = upload(client, image_bytes("red", (400, 400), fmt="PNG") + b"\0" * 2000)
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]


def test_openapi_schema_and_offline_docs(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/recommendations/", "/api/v1/garments/", "/api/v1/garments/{id}/"} <= set(paths)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html


def test_an_outer_kind_is_a_query_of_its_own(client):
    heels = garment_factory(type="shoes", kind="heels", color="black", audience="women")
    boots = garment_factory(type="shoes", kind="boots", color="black", audience="women")
    query = {"slot": "outer", "color": "gray", "type": "outwear", "audience": "women"}
    shoes = {}
    for kind in ("vest", "coat"):
        response = client.get("/api/v1/recommendations/", {**query, "kind": kind})
        assert response.status_code == 200, response.content
        shoes[kind] = {item["id"] for item in response.json()["items"] if item["slot"] == "shoes"}
    assert shoes == {"vest": {boots.id}, "coat": {boots.id, heels.id}}
