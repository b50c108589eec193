"""Card thumbnails: made once when a photo is stored, served on cards and in the API, deleted with the garment."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image

from catalog.models import Garment
from catalog.services import garment_create, garments_create_from_photos, garments_delete
from catalog.tests.factories import garment_factory, image_bytes, rule_factory, solid_image
from catalog.thumbnails import THUMBNAIL_MAX_SIDE

pytestmark = pytest.mark.django_db


def test_a_stored_photo_gets_a_small_thumbnail():
    garment = garment_create(name="Big red tee", image=solid_image("red", (1200, 1600)), type="t-shirt", color="red")
    with garment.thumbnail.open("rb") as stored:
        thumbnail = Image.open(io.BytesIO(stored.read()))
        assert max(thumbnail.size) == THUMBNAIL_MAX_SIDE and thumbnail.format == "JPEG"
    assert garment.thumbnail.name.startswith("garments/thumbs/") and garment.thumbnail.name != garment.image.name
    assert garment.card_image_url == garment.thumbnail.url


def test_cards_and_the_api_serve_the_thumbnail():
    rule_factory()  # red top -> black bottom
    pants = garment_factory(type="pants", color="black")
    html = Client().get("/goes-with/top/red/").content.decode()
    assert pants.thumbnail.url in html and pants.image.url not in html
    item = Client().get("/api/v1/recommendations/", {"slot": "top", "color": "red"}).json()["items"][0]
    assert item["thumbnail_url"].endswith(pants.thumbnail.url) and item["image_url"].endswith(pants.image.url)
    listed = Client().get("/api/v1/garments/").json()["results"][0]
    assert listed["thumbnail_url"].endswith(pants.thumbnail.url)


def test_deleting_a_garment_deletes_its_thumbnail(django_capture_on_commit_callbacks):
    garment = garment_factory()
    names = [garment.image.name, garment.thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        garments_delete(garments=[garment])
    assert not any(default_storage.exists(name) for name in names)


def test_make_thumbnails_fills_older_garments():
    garment = garment_factory()
    Garment.objects.filter(pk=garment.pk).update(thumbnail="")
    assert Garment.objects.get(pk=garment.pk).card_image_url == garment.image.url  # the photo until then
    out = io.StringIO()
    call_command("make_thumbnails", stdout=out)
    assert "1 made" in out.getvalue()
    assert Garment.objects.get(pk=garment.pk).thumbnail.name.startswith("garments/thumbs/")


def test_photos_added_in_the_admin_get_thumbnails():
    (outcome,) = garments_create_from_photos(
        files=[SimpleUploadedFile("IMG_1234.jpg", image_bytes("red", (900, 1200)))]
    )
    assert outcome.garment is not None
    with outcome.garment.thumbnail.open("rb") as stored:
        assert Image.open(io.BytesIO(stored.read())).size == (300, 400)
