"""The one selector for an upload's answer (`upload_answer`): what the result page and the API both show."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalog.tests.factories import garment_factory, image_bytes, rule_factory
from recommender.models import TagCorrection
from recommender.services import upload_answer, upload_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def red_upload():
    rule_factory(weight=90)
    garment_factory(type="pants", color="black", name="Black trousers")
    garment_factory(type="skirt", color="white", name="White skirt")
    upload, _ = upload_create(image_file=SimpleUploadedFile("red.jpg", image_bytes("red", (90, 120))))
    return upload


def test_the_answer_reads_the_upload_once_and_holds_what_both_pages_show(red_upload):
    answer = upload_answer(upload=red_upload)
    assert answer.tag.color == "red" and answer.tag.slot == "top"
    assert answer.reading["color"]["label"] == "red"
    assert answer.correction is None
    names = [item.garment.name for item in answer.recommendation.items]
    assert names[0] == "Black trousers"  # the stylist rule first
    assert {s.garment.name for s in answer.similar} <= {"Black trousers", "White skirt"}


def test_a_correction_is_part_of_the_answer(red_upload):
    TagCorrection.objects.create(upload=red_upload, slot="top", color="white", type="t-shirt")
    answer = upload_answer(upload=red_upload)
    assert answer.correction is not None and answer.tag.color == "white"


def test_the_page_and_the_api_show_the_same_items_in_the_same_order(red_upload):
    client = Client()
    api = client.post(
        f"/api/v1/recommendations/{red_upload.public_id}/choice/",
        {"box": [0, 0, 1, 1]},
        content_type="application/json",
    )
    expected = [item.garment.name for item in upload_answer(upload=red_upload).recommendation.items]
    assert api.status_code == 200, api.content
    assert [item["name"] for item in api.json()["items"]] == expected
    html = client.get(f"/recommend/{red_upload.public_id}/").content.decode()
    positions = [html.index(name) for name in expected]
    assert positions == sorted(positions)
