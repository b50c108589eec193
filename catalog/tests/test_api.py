"""The catalog's API contract: garments and stylist rules (reads public, writes for staff)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from catalog.models import Garment, PairingRule
from catalog.tests.factories import garment_factory, image_bytes, red_top_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def catalog():
    return red_top_catalog()


def test_garment_list_filters_and_paginates(client, catalog):
    _, black_pants, _ = catalog
    body = client.get("/api/v1/garments/", {"slot": "bottom", "color": "black"}).json()
    assert body["count"] == 1 and body["results"][0]["id"] == black_pants.id
    assert body["results"][0]["image_url"].startswith("http://testserver/media/")
    assert client.get("/api/v1/garments/", {"color": "teal"}).status_code == 400
    detail = client.get(f"/api/v1/garments/{black_pants.id}/")
    assert detail.status_code == 200 and detail.json()["name"] == "Black trousers"
    hidden = Garment.objects.get(name="Hidden trousers")
    assert client.get(f"/api/v1/garments/{hidden.id}/").status_code == 404


def test_catalog_writes_need_staff(client, catalog):
    _, black_pants, _ = catalog
    assert client.patch(f"/api/v1/garments/{black_pants.id}/", {"color": "gray"}, format="json").status_code in (
        401,
        403,
    )
    user = User.objects.create_user("shopper", password="pw")
    client.force_authenticate(user)
    assert client.patch(f"/api/v1/garments/{black_pants.id}/", {"color": "gray"}, format="json").status_code == 403
    assert client.post("/api/v1/rules/", {}, format="json").status_code == 403
    staff = User.objects.create_user("stylist", password="pw", is_staff=True)
    client.force_authenticate(staff)
    assert client.patch(f"/api/v1/garments/{black_pants.id}/", {"color": "gray"}, format="json").status_code == 200
    assert Garment.objects.get(pk=black_pants.id).color == "gray"
    bad = client.patch(f"/api/v1/garments/{black_pants.id}/", {"second_color": "gray"}, format="json")
    assert bad.status_code == 400


def test_staff_creates_rules_with_validation(client):
    staff = User.objects.create_user("stylist", password="pw", is_staff=True)
    client.force_authenticate(staff)
    payload = {
        "input_slot": "top",
        "input_color": "green",
        "output_slot": "bottom",
        "output_color": "beige",
        "weight": 70,
        "note": "Green + beige: relaxed, natural tones",
    }
    created = client.post("/api/v1/rules/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["title"] == "green top → beige bottom"
    assert PairingRule.objects.get(pk=created.json()["id"]).author == staff
    assert client.post("/api/v1/rules/", payload, format="json").status_code == 400  # duplicate
    same_slot = client.post("/api/v1/rules/", {**payload, "output_slot": "top"}, format="json")
    assert same_slot.status_code == 400


def test_staff_adds_a_garment_and_the_cnn_fills_missing_tags(client):
    staff = User.objects.create_user("stylist", password="pw", is_staff=True)
    client.force_authenticate(staff)
    response = client.post(
        "/api/v1/garments/",
        {"name": "New blue thing", "image": SimpleUploadedFile("x.png", image_bytes("blue", fmt="PNG"))},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["color"] == "blue" and body["tagged_by"] == "model" and body["slot"] == "top"


def test_browsable_api_renders(client, catalog):
    response = client.get("/api/v1/garments/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and b"Garment" in response.content


def test_a_stylist_cannot_leave_a_graphic_print_on_a_garment_she_sets_to_solid(client):
    """A graphic print is a kind of print: setting a graphic tee's pattern to solid alone is refused with the reason
    (400 on the API, the same message on the admin form), and nothing changes; with the print unticked it goes
    through. The API shows the flag."""
    tee = garment_factory(type="t-shirt", color="black", pattern="pattern", graphic=True)
    client.force_authenticate(User.objects.create_user("stylist", password="pw", is_staff=True))
    assert client.get(f"/api/v1/garments/{tee.id}/").json()["graphic"] is True
    refused = client.patch(f"/api/v1/garments/{tee.id}/", {"pattern": "solid"}, format="json")
    assert refused.status_code == 400 and "graphic print" in refused.content.decode(), refused.content
    assert Garment.objects.get(pk=tee.id).pattern == "pattern"
    version = Garment.objects.get(pk=tee.id).version
    changed = client.patch(
        f"/api/v1/garments/{tee.id}/", {"pattern": "solid", "graphic": False, "version": version}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert (Garment.objects.get(pk=tee.id).pattern, Garment.objects.get(pk=tee.id).graphic) == ("solid", False)
