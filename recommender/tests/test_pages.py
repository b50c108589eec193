"""The shopper pages: upload, result, detail, show more, language switch, friendly errors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from catalog.models import Garment
from catalog.tests.factories import garment_factory, image_bytes, png_with_inflating_text, rule_factory
from recommender.models import ShopperUpload

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    rule = rule_factory(weight=90, note_ko="빨강 상의 + 검정 하의: 대담한 클래식 대비")
    pants = garment_factory(type="pants", color="black", name="Black trousers")
    return rule, pants


def test_home_lists_looks_and_links_to_upload(client: Client, catalog):
    html = client.get("/").content.decode()
    assert 'href="/recommend/"' in html
    assert "Black trousers" in html  # under "With a red top"


def test_upload_redirects_to_a_result_page_with_reading_and_reasons(client: Client, catalog):
    rule, pants = catalog
    response = client.post("/recommend/", {"image": SimpleUploadedFile("red.jpg", image_bytes("red", (90, 120)))})
    assert response.status_code == 302
    upload = ShopperUpload.objects.get()
    assert response["Location"] == f"/recommend/{upload.public_id}/"
    html = client.get(response["Location"]).content.decode()
    assert 'id="detected-color"' in html and "Red" in html
    assert "Black trousers" in html and rule.note in html
    assert f'href="/garments/{pants.id}/"' in html


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (b"<svg></svg>", "This file is not a photo we can read."),
        (png_with_inflating_text(), "The photo file is damaged and cannot be read."),
    ],
)
def test_bad_upload_gets_a_friendly_error_not_a_500(client: Client, catalog, content, sentence):
    before = Garment.objects.count()
    response = client.post("/recommend/", {"image": SimpleUploadedFile("x.png", content)})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "We could not use that file" in html and sentence in html
    assert Garment.objects.count() == before and not ShopperUpload.objects.exists()
    assert client.post("/recommend/", {}).status_code == 400


def test_upload_page_works_offline_with_drag_and_drop_and_a_saved_photo(client: Client):
    html = client.get("/recommend/").content.decode()
    # The main picker has no `capture` (it makes phones open the camera only, so a saved photo could not be picked);
    # a separate "Take a photo" input has it.
    main = html.split('id="id_image"')[1].split(">")[0]
    camera = html.split('id="id_camera"')[1].split(">")[0]
    assert "capture" not in main and 'accept="image/*"' in main and 'capture="environment"' in camera
    assert "/static/js/recommend.js" in html
    assert "http://" not in html and "https://" not in html  # no CDN


def test_garment_detail_shows_tags_and_what_goes_with_it(client: Client, catalog):
    rule, pants = catalog
    top = garment_factory(type="t-shirt", color="red", name="Red tee")
    html = client.get(f"/garments/{top.id}/").content.decode()
    assert "Red tee" in html and "Black trousers" in html and rule.note in html
    assert client.get("/garments/999999/").status_code == 404
    pants.is_active = False
    pants.save()
    assert client.get(f"/garments/{pants.id}/").status_code == 404


def test_a_garments_page_matches_it_by_all_its_tags(client: Client):
    """A child's white slippers went with a grown-up's shirt, trousers and dress on their own page: it matched only
    their slot, colour and type. Their audience, warmth and formality count there as on an upload's reading."""
    slippers = garment_factory(type="shoes", kind="slippers", color="white", audience="kids", name="Kids slippers")
    adults = garment_factory(type="pants", color="black", audience="women", name="Womens trousers")
    childs = garment_factory(type="pants", color="black", audience="kids", name="Kids trousers")
    html = client.get(f"/garments/{slippers.id}/").content.decode()
    assert f'href="/garments/{childs.id}/"' in html and f'href="/garments/{adults.id}/"' not in html
    html = client.get(f"/garments/{adults.id}/").content.decode()
    assert f'href="/garments/{slippers.id}/"' not in html


def test_show_more_page_per_tag(client: Client, catalog):
    html = client.get("/goes-with/top/red/").content.decode()
    assert "Black trousers" in html
    assert client.get("/goes-with/top/teal/").status_code == 404
    assert client.get("/goes-with/top/red/", {"type": "pants"}).status_code == 404


def test_show_more_filters_by_slot_and_pages(client: Client, catalog):
    rule_factory(input_slot="top", input_color="red", output_slot="shoes", output_color="white", weight=80)
    for _ in range(30):
        garment_factory(type="pants", color="black")
    shoes = garment_factory(type="shoes", color="white", name="White sneakers")
    html = client.get("/goes-with/top/red/").content.decode()
    assert 'id="slot-filter"' in html and "?show=shoes" in html and "?show=bottom" in html
    assert html.count('class="card"') == 24 and 'rel="next"' in html and "Page 1 of 2" in html
    html = client.get("/goes-with/top/red/", {"show": "shoes"}).content.decode()
    assert "White sneakers" in html and html.count('class="card"') == 1 and 'rel="next"' not in html
    assert f'data-garment-id="{shoes.id}"' in html
    html = client.get("/goes-with/top/red/", {"page": 2}).content.decode()
    assert 'rel="prev"' in html and "Page 2 of 2" in html
    assert client.get("/goes-with/top/red/", {"page": "999", "show": "nonsense"}).status_code == 200


def test_home_says_what_the_catalog_is(client: Client, catalog):
    html = client.get("/").content.decode()
    assert "curated by our stylists" not in html  # the CNN tagged them; stylists wrote the pairing rules
    assert "Chosen from the 1 garment in our catalog" in html


def test_feedback_icons_and_multicolour_swatch_need_no_emoji_font(client: Client, catalog):
    garment_factory(type="pants", color="multicolor", name="Patchwork pants")
    html = client.get("/goes-with/top/red/").content.decode()
    assert "👍" not in html and "👎" not in html and '<svg class="icon' in html
    assert 'class="swatch multicolor"' in html


def test_pages_speak_korean(client: Client, catalog):
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/goes-with/top/red/"})
    assert response.status_code == 302
    html = client.get("/goes-with/top/red/").content.decode()
    assert 'lang="ko"' in html
    assert "빨강 상의 + 검정 하의" in html  # the stylist's Korean note
    assert "더 보기" in client.get("/").content.decode()  # compiled UI messages


def test_a_bad_file_is_explained_in_korean_on_a_korean_page(client: Client):
    client.post("/i18n/setlang/", {"language": "ko", "next": "/recommend/"})
    response = client.post("/recommend/", {"image": SimpleUploadedFile("x.jpg", b"<svg></svg>")})
    assert response.status_code == 400
    assert "이 파일은 사용할 수 없어요. 읽을 수 있는 사진 파일이 아니에요" in response.content.decode()


def test_a_type_the_reading_dropped_shows_no_confidence(client: Client, catalog):
    # A t-shirt read in the bottom slot (a detector's box can say so) leaves the type unknown: the page says "–",
    # not "– 90%", which would read as 90% sure of nothing.
    client.post("/recommend/", {"image": SimpleUploadedFile("red.jpg", image_bytes("red", (90, 120)))})
    upload = ShopperUpload.objects.get()
    upload.chosen_reading = {**upload.detection, "slot": {**upload.detection["slot"], "label": "bottom"}}
    upload.save(update_fields=["chosen_reading"])
    html = client.get(f"/recommend/{upload.public_id}/").content.decode()
    type_row = html.split('id="detected-type">', 1)[1].split("</dd>", 1)[0]
    assert type_row.strip() == "–"
