"""Auto-tagging in the stylist console: add garments from photos, review flags, re-tagging, manual corrections."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalog.models import Garment, TaggedBy
from catalog.services import garment_name_from_file
from catalog.tests.factories import garment_factory, image_bytes
from classifier.predictor import get_predictor

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/catalog/garment/upload/"


@pytest.fixture
def stylist_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("stylist", "s@example.com", "pw"))
    return client


def photo(name: str, color: str = "red", size: tuple[int, int] = (60, 80)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(color, size), content_type="image/jpeg")


def test_changelist_links_to_the_photo_upload(stylist_client):
    html = stylist_client.get("/admin/catalog/garment/").content.decode()
    assert f'href="{UPLOAD_URL}"' in html and "Add garments from photos" in html


def test_upload_page_takes_many_photos(stylist_client):
    response = stylist_client.get(UPLOAD_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in html and " multiple" in html and 'enctype="multipart/form-data"' in html


def test_upload_page_is_for_staff_only(client: Client):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_each_valid_photo_becomes_a_cnn_tagged_garment_and_bad_files_are_reported(stylist_client, settings):
    settings.UPLOAD_MAX_BYTES = 50_000
    files = [
        photo("red_linen-shirt.jpg", "red"),
        SimpleUploadedFile("notes.jpg", b"<svg></svg>", content_type="image/jpeg"),
        SimpleUploadedFile("huge.jpg", b"\xff" * 60_000, content_type="image/jpeg"),
        photo("IMG_1234.jpg", "blue"),
    ]
    response = stylist_client.post(UPLOAD_URL, {"photos": files})
    html = response.content.decode()
    assert response.status_code == 200
    garments = list(Garment.objects.order_by("id"))
    assert [(g.name, g.type, g.slot, g.color, g.tagged_by) for g in garments] == [
        ("Red linen shirt", "t-shirt", "top", "red", TaggedBy.MODEL),
        ("Blue t-shirt", "t-shirt", "top", "blue", TaggedBy.MODEL),  # camera file name: named after the reading
    ]
    assert all(g.type_confidence and g.color_confidence and g.embedding and g.model_version == "fake" for g in garments)
    assert "2 garments added." in html and "2 files could not be used." in html
    assert "notes.jpg" in html and "This file is not a photo we can read. Use JPEG, PNG, WebP, GIF or HEIC." in html
    assert "huge.jpg" in html and "The file is too large; the limit is 48 kB." in html
    assert f'href="/admin/catalog/garment/{garments[0].pk}/change/"' in html


def test_upload_without_files_shows_an_error(stylist_client):
    response = stylist_client.post(UPLOAD_URL, {})
    assert response.status_code == 200
    assert "Please choose at least one photo." in response.content.decode()
    assert not Garment.objects.exists()


def test_low_confidence_readings_are_flagged_for_review(stylist_client, settings):
    settings.CLASSIFIER_CONFIRM_THRESHOLDS = {"type": 0.6, "slot": 0.6, "color": 0.6}
    unsure = garment_factory(name="Unsure tee", tagged_by=TaggedBy.MODEL, type_confidence=0.9, color_confidence=0.3)
    sure = garment_factory(name="Sure tee", tagged_by=TaggedBy.MODEL, type_confidence=0.9, color_confidence=0.95)
    checked = garment_factory(name="Checked tee", tagged_by=TaggedBy.STYLIST, type_confidence=0.2, color_confidence=0.2)

    html = stylist_client.get("/admin/catalog/garment/").content.decode()
    assert 'data-filter-title="Needs review"' in html
    assert html.count('class="needs-review"') == 1 and "⚠ colour" in html

    flagged = stylist_client.get("/admin/catalog/garment/", {"needs_review": "yes"}).content.decode()
    assert unsure.name in flagged and sure.name not in flagged and checked.name not in flagged
    fine = stylist_client.get("/admin/catalog/garment/", {"needs_review": "no"}).content.decode()
    assert unsure.name not in fine and sure.name in fine and checked.name in fine


def test_uploaded_garment_below_threshold_is_marked_in_the_results(stylist_client, settings):
    settings.CLASSIFIER_CONFIRM_THRESHOLDS = {
        "type": 0.99,
        "slot": 0.99,
        "color": 0.99,
    }  # the fake CNN's type confidence is 0.9
    html = stylist_client.post(UPLOAD_URL, {"photos": [photo("tee.jpg")]}).content.decode()
    assert "needs review" in html and 'class="needs-review"' in html


def test_retag_action_reruns_the_cnn_on_the_stored_photos(stylist_client, settings):
    # Tagged by hand as blue pants, but the photo is a red top (the fake CNN reads the centre colour).
    garment = garment_factory(type="pants", color="red", name="Mislabelled")
    Garment.objects.filter(pk=garment.pk).update(color="blue", type="pants", slot="bottom", model_version="")
    settings.CLASSIFIER_FAKE_TYPE = "shirt"
    get_predictor.cache_clear()  # the cached predictor was built with the default fake type
    response = stylist_client.post(
        "/admin/catalog/garment/", {"action": "retag", "_selected_action": [garment.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 garment re-tagged by the CNN." in response.content.decode()
    garment.refresh_from_db()
    assert (garment.type, garment.slot, garment.color, garment.tagged_by) == ("shirt", "top", "red", TaggedBy.MODEL)
    assert garment.model_version == "fake" and garment.type_confidence == 0.9 and garment.embedding


def test_retag_skips_garments_whose_photo_is_gone(stylist_client):
    garment = garment_factory(color="red")
    garment.image.storage.delete(garment.image.name)
    response = stylist_client.post(
        "/admin/catalog/garment/", {"action": "retag", "_selected_action": [garment.pk]}, follow=True
    )
    assert "1 garment skipped: its photo could not be read." in response.content.decode()


def _change_form(garment: Garment, **changes) -> dict:
    data = {
        "name": garment.name,
        "type": garment.type,
        "color": garment.color,
        "second_color": "",
        "pattern": "",
        "season": "all",
        "notes": "",
        "is_active": "on",
    }
    return {**data, **changes}


def test_a_stylist_correction_of_type_or_colour_marks_the_garment_as_stylist_tagged(stylist_client):
    garment = garment_factory(type="t-shirt", color="red", tagged_by=TaggedBy.MODEL, color_confidence=0.3)
    url = f"/admin/catalog/garment/{garment.pk}/change/"

    response = stylist_client.post(url, _change_form(garment, notes="linen"))
    assert response.status_code == 302
    garment.refresh_from_db()
    assert garment.tagged_by == TaggedBy.MODEL  # other edits keep the CNN's reading as the source

    response = stylist_client.post(url, _change_form(garment, type="pants", color="black"))
    assert response.status_code == 302, response.content.decode()[:2000]
    garment.refresh_from_db()
    assert (garment.type, garment.slot, garment.color, garment.tagged_by) == (
        "pants",
        "bottom",
        "black",
        TaggedBy.STYLIST,
    )


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("red_linen-shirt.jpg", "Red linen shirt"),
        ("navy blazer.PNG", "Navy blazer"),
        ("IMG_1234.jpg", ""),
        ("DSC01234.JPG", ""),
        ("PXL_20240101_123456.jpg", ""),
        ("1234.jpg", ""),
        ("", ""),
    ],
)
def test_garment_names_come_from_meaningful_file_names(file_name, expected):
    assert garment_name_from_file(file_name) == expected
