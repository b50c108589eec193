"""Media on S3 (django-storages) against moto's S3-compatible server over real HTTP, wired by base.py from the env."""

from __future__ import annotations

import io
import runpy
import socket
from pathlib import Path

import boto3
import pytest
import requests
from django.contrib.auth.models import User
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer
from PIL import Image
from rest_framework.test import APIClient

from catalog.models import Garment
from catalog.tests.factories import garment_factory, image_bytes
from recommender.models import ShopperUpload

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

BASE_SETTINGS = Path(__file__).resolve().parents[1] / "settings" / "base.py"
BUCKET = "fashion-media-test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_media(s3_endpoint, settings, monkeypatch):
    """STORAGES exactly as base.py builds it from the deployment's environment variables."""
    env = {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_S3_REGION_NAME": "us-east-1",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    deployed = runpy.run_path(str(BASE_SETTINGS))
    assert deployed["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert deployed["SERVE_MEDIA"] is False  # media come from the bucket, not from Django
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket=BUCKET)
    settings.STORAGES = deployed["STORAGES"]
    yield s3
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)


def bucket_keys(s3) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def fetch_image(url: str) -> Image.Image:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


def test_garment_added_through_the_api_lives_in_the_bucket_and_is_served_over_http(s3_media):
    assert type(storages["default"]).__name__ == "S3Storage"
    client = APIClient()
    client.force_authenticate(User.objects.create_user("stylist", password="pw", is_staff=True))
    photo = SimpleUploadedFile("../../etc/passwd.jpg", image_bytes("blue", (120, 160)), "image/jpeg")
    response = client.post(
        "/api/v1/garments/", {"name": "파란 바지", "image": photo, "type": "pants"}, format="multipart"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    garment = Garment.objects.get(pk=body["id"])
    assert garment.image.name.startswith("garments/") and "passwd" not in garment.image.name
    assert bucket_keys(s3_media) == {garment.image.name, garment.thumbnail.name}
    url = body["image_url"]
    assert url.startswith(f"{s3_media.meta.endpoint_url}/{BUCKET}/garments/")
    image = fetch_image(url)
    assert image.format == "JPEG" and image.size == (120, 160) and not image.getexif()
    assert client.delete(f"/api/v1/garments/{garment.pk}/").status_code == 204
    assert not Garment.objects.filter(pk=garment.pk).exists()
    # Django leaves a deleted row's file in storage; removing it through the storage removes it from the bucket.
    garment.image.delete(save=False)
    garment.thumbnail.delete(save=False)
    assert bucket_keys(s3_media) == set()
    assert requests.get(url, timeout=10).status_code in (403, 404)


def test_loader_garments_and_shopper_uploads_go_to_the_bucket(s3_media):
    garment = garment_factory(type="t-shirt", color="red", name="빨간 티셔츠")
    assert fetch_image(garment.image.url).size == (48, 60)
    photo = SimpleUploadedFile("photo.jpg", image_bytes("white", (90, 120)), "image/jpeg")
    response = APIClient().post("/api/v1/recommendations/", {"image": photo}, format="multipart")
    assert response.status_code == 200, response.content
    upload = ShopperUpload.objects.get(public_id=response.json()["upload_id"])
    assert bucket_keys(s3_media) == {garment.image.name, garment.thumbnail.name, upload.image.name}
    assert fetch_image(garment.card_image_url).size == (48, 60)  # the card thumbnail, from the bucket
    assert fetch_image(upload.image.url).size == (90, 120)
    # Every item's image_url in the answer points into the bucket.
    assert all(item["image_url"].startswith(s3_media.meta.endpoint_url) for item in response.json()["items"])
