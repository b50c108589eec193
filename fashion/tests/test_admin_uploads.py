"""Photos added through the admin's garment form are checked and stored like every other upload."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import Garment

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).parent / "bad_inputs"
FORM = {
    "name": "Camera tee",
    "is_active": "on",
    "type": "t-shirt",
    "color": "red",
    "season": "all",
    "pattern": "",
    "second_color": "",
    "notes": "",
}


@pytest.fixture
def stylist_client(client):
    User.objects.create_superuser("stylist", "stylist@example.com", "pw-stylist-1")
    client.login(username="stylist", password="pw-stylist-1")
    return client


def test_admin_photo_is_stored_upright_without_exif_under_a_random_name(stylist_client):
    photo = SimpleUploadedFile("../../evil name.jpg", (CORPUS / "exif_rotated.jpg").read_bytes(), "image/jpeg")
    response = stylist_client.post("/admin/catalog/garment/add/", {**FORM, "image": photo})
    assert response.status_code == 302, response.content[:2000]
    garment = Garment.objects.get()
    assert garment.image.name.startswith("garments/") and "evil" not in garment.image.name
    with garment.image.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        stored.load()
    assert stored.format == "JPEG" and stored.size == (40, 60) and not stored.getexif()


@pytest.mark.parametrize("name", ["truncated.jpg", "bomb.png", "drawing.jpg", "page.jpg"])
def test_admin_refuses_an_unusable_photo_with_a_reason(stylist_client, name):
    photo = SimpleUploadedFile(name, (CORPUS / name).read_bytes(), "image/jpeg")
    response = stylist_client.post("/admin/catalog/garment/add/", {**FORM, "image": photo})
    assert response.status_code == 200  # the form again, with the error
    # Django's ImageField or our opener (pixel limit, truncation) says why.
    assert response.context["adminform"].form.errors["image"]
    assert not Garment.objects.exists()
