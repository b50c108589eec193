"""The stylist console: changelists, filters, search, inline rule editing, bulk actions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from catalog.models import Garment, PairingRule
from catalog.tests.factories import garment_factory, image_bytes, rule_factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stylist_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("stylist", "s@example.com", "pw"))
    return client


def test_garment_changelist_has_thumbnails_filters_and_search(stylist_client):
    garment_factory(type="pants", color="black", name="Black trousers")
    garment_factory(type="t-shirt", color="red", name="Red tee")
    response = stylist_client.get("/admin/catalog/garment/", {"slot": "bottom"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Black trousers" in html and "Red tee" not in html
    assert '<img src="/media/garments/thumbs/' in html  # the card thumbnail, not the full photo
    assert all(f'data-filter-title="{title}"' in html for title in ["slot", "type", "main color", "active"])
    found = stylist_client.get("/admin/catalog/garment/", {"q": "tee"}).content.decode()
    assert "Red tee" in found and "Black trousers" not in found


def test_rule_changelist_shows_readable_titles(stylist_client):
    rule_factory()
    html = stylist_client.get("/admin/catalog/pairingrule/").content.decode()
    assert "red top → black bottom" in html


def test_bulk_deactivate_rules_and_garments(stylist_client):
    rules = [rule_factory(), rule_factory(output_color="blue", note="denim")]
    response = stylist_client.post(
        "/admin/catalog/pairingrule/", {"action": "deactivate", "_selected_action": [r.pk for r in rules]}, follow=True
    )
    assert response.status_code == 200 and "2 rules deactivated" in response.content.decode()
    assert not PairingRule.objects.filter(is_active=True).exists()
    garment = garment_factory()
    stylist_client.post("/admin/catalog/garment/", {"action": "deactivate", "_selected_action": [garment.pk]})
    assert not Garment.objects.get(pk=garment.pk).is_active


def test_editing_a_rule_in_the_admin_changes_the_recommendation(stylist_client):
    rule = rule_factory(weight=90)
    garment_factory(type="pants", color="black")
    response = stylist_client.post(
        f"/admin/catalog/pairingrule/{rule.pk}/change/",
        {
            "input_slot": "top",
            "input_type": "",
            "input_color": "red",
            "output_slot": "bottom",
            "output_type": "",
            "output_color": "black",
            "weight": 80,
            "note": "Red + black: evening classic",
            "note_ko": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    items = Client().get("/api/v1/recommendations/", {"slot": "top", "color": "red"}).json()["items"]
    assert items[0]["reason"] == "Red + black: evening classic"


def test_admin_refuses_an_invalid_rule_with_a_message(stylist_client):
    response = stylist_client.post(
        "/admin/catalog/pairingrule/add/",
        {
            "input_slot": "top",
            "input_type": "pants",
            "input_color": "red",
            "output_slot": "top",
            "output_type": "",
            "output_color": "black",
            "weight": 50,
            "note": "x",
            "note_ko": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not PairingRule.objects.exists()


def test_deleting_garments_removes_their_photos_too(stylist_client, django_capture_on_commit_callbacks):
    kept, gone = garment_factory(name="Kept"), garment_factory(name="Gone")
    storage, name = gone.image.storage, gone.image.name
    with django_capture_on_commit_callbacks(execute=True):
        stylist_client.post(
            "/admin/catalog/garment/", {"action": "delete_selected", "_selected_action": [gone.pk], "post": "yes"}
        )
    assert not Garment.objects.filter(pk=gone.pk).exists() and not storage.exists(name)
    assert storage.exists(kept.image.name)


def test_deleting_through_the_api_removes_the_photo(django_capture_on_commit_callbacks):
    garment = garment_factory()
    client = APIClient()
    client.force_authenticate(User.objects.create_user("stylist2", password="pw", is_staff=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/garments/{garment.pk}/").status_code == 204
    assert not garment.image.storage.exists(garment.image.name)


def test_a_garment_added_or_rephotographed_in_the_admin_gets_an_embedding(stylist_client):
    form = {
        "name": "Hand-tagged tee",
        "is_active": "on",
        "type": "t-shirt",
        "color": "red",
        "season": "all",
        "pattern": "",
        "second_color": "",
        "notes": "",
    }
    response = stylist_client.post(
        "/admin/catalog/garment/add/", {**form, "image": SimpleUploadedFile("tee.jpg", image_bytes("red"))}
    )
    assert response.status_code == 302, response.content[:2000]
    garment = Garment.objects.get()
    assert garment.embedding and garment.tagged_by == "stylist" and garment.slot == "top"
    red_embedding = bytes(garment.embedding)

    stylist_client.post(
        f"/admin/catalog/garment/{garment.pk}/change/",
        {**form, "color": "blue", "image": SimpleUploadedFile("tee2.jpg", image_bytes("blue"))},
    )
    garment.refresh_from_db()
    assert garment.color == "blue" and bytes(garment.embedding) != red_embedding
