"""Who may do what: throttled anonymous uploads, staff-only writes, and the admin's CSRF and login protections."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from catalog.models import Garment, PairingRule
from catalog.tests.factories import garment_factory, image_bytes, rule_factory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def low_upload_rate(settings):
    """API_THROTTLE_ANON=2/min, as a deployment would set it."""
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "anon_upload": "2/min"}}
    cache.clear()
    yield
    cache.clear()


def post_photo(client: APIClient, **extra):
    photo = SimpleUploadedFile("photo.jpg", image_bytes("red", (60, 80)), "image/jpeg")
    return client.post("/api/v1/recommendations/", {"image": photo}, format="multipart", **extra)


def test_anonymous_uploads_are_throttled_per_ip_with_retry_after(low_upload_rate):
    client = APIClient()
    assert [post_photo(client).status_code for _ in range(2)] == [200, 200]
    refused = post_photo(client)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower() or "request was" in refused.json()["detail"].lower()
    # Another address has its own allowance; reading by tag is never throttled.
    assert post_photo(client, REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client.get("/api/v1/recommendations/", {"slot": "top", "color": "red"}).status_code == 200


def test_the_anonymous_upload_rate_comes_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['anon_upload'])"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "fashion.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "example.com",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
        "API_THROTTLE_ANON": "7/hour",
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "7/hour"


def test_catalog_and_rule_writes_need_a_staff_account():
    garment = garment_factory(type="pants", color="black")
    rule = rule_factory()
    rule_payload = {
        "input_slot": "top",
        "input_color": "white",
        "output_slot": "bottom",
        "output_color": "blue",
        "note": "White tee + jeans",
    }
    client = APIClient()
    assert client.post("/api/v1/rules/", rule_payload, format="json").status_code in (401, 403)
    assert client.delete(f"/api/v1/garments/{garment.id}/").status_code in (401, 403)
    assert client.patch(f"/api/v1/rules/{rule.id}/", {"weight": 1}, format="json").status_code in (401, 403)
    client.force_authenticate(User.objects.create_user("shopper", password="pw"))
    assert client.post("/api/v1/rules/", rule_payload, format="json").status_code == 403
    assert client.delete(f"/api/v1/garments/{garment.id}/").status_code == 403
    assert Garment.objects.filter(pk=garment.pk).exists() and PairingRule.objects.count() == 1
    client.force_authenticate(User.objects.create_user("stylist", password="pw", is_staff=True))
    assert client.post("/api/v1/rules/", rule_payload, format="json").status_code == 201


def test_session_authenticated_api_writes_need_the_csrf_token():
    User.objects.create_user("stylist", password="pw-stylist-1", is_staff=True)
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="stylist", password="pw-stylist-1")
    payload = {
        "input_slot": "top",
        "input_color": "white",
        "output_slot": "bottom",
        "output_color": "blue",
        "note": "White tee + jeans",
    }
    response = client.post("/api/v1/rules/", payload, format="json")
    assert response.status_code == 403 and "csrf" in response.json()["detail"].lower()
    assert PairingRule.objects.count() == 0


def test_admin_needs_a_staff_login():
    client = Client()
    response = client.get("/admin/catalog/garment/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    User.objects.create_user("shopper", password="pw-shopper-1")
    client.login(username="shopper", password="pw-shopper-1")
    response = client.get("/admin/catalog/garment/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_admin_login_and_changes_are_csrf_protected():
    User.objects.create_superuser("stylist", "stylist@example.com", "pw-stylist-1")
    client = Client(enforce_csrf_checks=True)
    # Without the token, even the right password is refused.
    refused = client.post("/admin/login/", {"username": "stylist", "password": "pw-stylist-1"})
    assert refused.status_code == 403
    client.get("/admin/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "stylist", "password": "pw-stylist-1", "csrfmiddlewaretoken": token, "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    # Logged in, a change without the token is still refused and changes nothing.
    rule = rule_factory()
    response = client.post(f"/admin/catalog/pairingrule/{rule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert PairingRule.objects.filter(pk=rule.pk).exists()
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/admin/catalog/pairingrule/{rule.pk}/delete/", {"post": "yes", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert not PairingRule.objects.filter(pk=rule.pk).exists()
