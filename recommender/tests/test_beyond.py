"""Confirm-or-correct, complete the outfit, similar items and feedback, through the API, the pages and the admin."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from catalog.models import Garment
from catalog.similarity import EmbeddingIndex, garments_similar_to_embedding
from catalog.tags import Leaning, Tag
from catalog.tests.factories import garment_factory, image_bytes, rule_factory
from classifier.predictor import get_predictor
from recommender.models import CorrectionStatus, Feedback, ShopperUpload, TagCorrection
from recommender.services import similar_audience, upload_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def catalog():
    rule = rule_factory(weight=90)
    rule_factory(
        input_slot="top",
        input_color="green",
        output_slot="bottom",
        output_color="beige",
        note="Green + beige: relaxed, natural tones",
        weight=70,
    )
    garments = {
        "black_pants": garment_factory(type="pants", color="black"),
        "beige_pants": garment_factory(type="pants", color="beige"),
        "white_shoes": garment_factory(type="shoes", color="white"),
        "black_shoes": garment_factory(type="shoes", color="black"),
        "gray_coat": garment_factory(type="outwear", color="gray"),
        "red_tee": garment_factory(type="t-shirt", color="red"),
        "red_polo": garment_factory(type="polo", color="red"),
    }
    return rule, garments


def post_photo(api: APIClient, color: str = "red"):
    return api.post(
        "/api/v1/recommendations/",
        {"image": SimpleUploadedFile("p.jpg", image_bytes(color, (80, 100)))},
        format="multipart",
    )


# Confirm or correct


def test_low_confidence_asks_for_confirmation_with_top3(api, catalog, settings):
    settings.CLASSIFIER_CONFIRM_THRESHOLDS = {
        "type": 0.99,
        "slot": 0.99,
        "color": 0.99,
    }  # the fake CNN is never that sure of its type
    detected = post_photo(api).json()["detected"]
    assert detected["needs_confirmation"] is True and "type" in detected["uncertain"]
    assert len(detected["type_top3"]) == 3 and len(detected["color_top3"]) == 3
    settings.CLASSIFIER_CONFIRM_THRESHOLDS = {"type": 0.0, "slot": 0.0, "color": 0.0}
    assert post_photo(api).json()["detected"]["needs_confirmation"] is False


def test_correction_is_stored_and_changes_the_recommendations(api, catalog):
    _rule, garments = catalog
    upload_id = post_photo(api, "red").json()["upload_id"]
    response = api.post(f"/api/v1/recommendations/{upload_id}/correction/", {"color": "green"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert {k: body["tag"][k] for k in ("slot", "color", "type")} == {
        "slot": "top",
        "color": "green",
        "type": "t-shirt",
    }
    assert body["items"][0]["id"] == garments["beige_pants"].id
    assert body["items"][0]["reason"] == "Green + beige: relaxed, natural tones"
    correction = TagCorrection.objects.get(upload__public_id=upload_id)
    assert (
        correction.color == "green"
        and correction.status == "pending"
        and correction.model_version == ShopperUpload.objects.get().model_version != ""
    )
    # correcting the type to a bottom moves the slot with it
    api.post(f"/api/v1/recommendations/{upload_id}/correction/", {"type": "skirt"}, format="json")
    correction.refresh_from_db()
    assert (correction.type, correction.slot, correction.color) == ("skirt", "bottom", "green")


@pytest.mark.parametrize("payload", [{}, {"color": "teal"}, {"type": "pants", "slot": "top"}])
def test_bad_corrections_get_400(api, catalog, payload):
    upload_id = post_photo(api).json()["upload_id"]
    assert api.post(f"/api/v1/recommendations/{upload_id}/correction/", payload, format="json").status_code == 400
    assert not TagCorrection.objects.exists()


def test_correction_of_an_unknown_upload_is_404(api):
    response = api.post(
        "/api/v1/recommendations/00000000-0000-0000-0000-000000000000/correction/", {"color": "red"}, format="json"
    )
    assert response.status_code == 404


def test_one_tap_correction_on_the_page(catalog):
    client = Client()
    result_url = client.post("/recommend/", {"image": SimpleUploadedFile("p.jpg", image_bytes("red"))})["Location"]
    upload = ShopperUpload.objects.get()
    html = client.get(result_url).content.decode()
    assert f'action="/recommend/{upload.public_id}/correct/"' in html
    assert 'name="color" value="red"' in html  # the top-3 colours are buttons
    response = client.post(f"/recommend/{upload.public_id}/correct/", {"color": "green"}, follow=True)
    html = response.content.decode()
    assert "Recommendations for your corrected tags" in html and "Green + beige" in html
    assert client.post(f"/recommend/{upload.public_id}/correct/", {"color": "teal"}, follow=True).status_code == 200
    assert TagCorrection.objects.get().color == "green"


def test_a_chip_form_sends_only_its_own_value(catalog):
    """Each chip row is its own form, apart from the "Other…" select: a tap sends `color=navy`, not `color=navy&color=`
    (and a browser that sends both still gets the chip's value)."""
    client = Client()
    result_url = client.post("/recommend/", {"image": SimpleUploadedFile("p.jpg", image_bytes("red"))})["Location"]
    upload = ShopperUpload.objects.get()
    html = client.get(result_url).content.decode()
    for form in re.findall(r"<form class=\"chips\".*?</form>", html, flags=re.S):
        assert "<select" not in form
    response = client.post(f"/recommend/{upload.public_id}/correct/", {"color": ["green", ""]}, follow=True)
    assert "Recommendations for your corrected tags" in response.content.decode()
    assert TagCorrection.objects.get().color == "green"


def test_review_queue_and_training_export(api, catalog, tmp_path):
    upload_id = post_photo(api).json()["upload_id"]
    api.post(f"/api/v1/recommendations/{upload_id}/correction/", {"type": "polo"}, format="json")
    stylist = Client()
    stylist.force_login(User.objects.create_superuser("stylist", "s@example.com", "pw"))
    queue = stylist.get("/admin/recommender/tagcorrection/", {"status__exact": "pending"}).content.decode()
    assert '<td class="field-corrected">red polo</td>' in queue  # names, not raw codes
    correction = TagCorrection.objects.get()
    stylist.post("/admin/recommender/tagcorrection/", {"action": "accept", "_selected_action": [correction.pk]})
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.ACCEPTED and correction.reviewed_by.username == "stylist"
    out = io.StringIO()
    call_command("export_corrections", str(tmp_path / "extra"), stdout=out)
    assert "Wrote 1 labelled photos" in out.getvalue()
    rows = list(csv.DictReader((tmp_path / "extra" / "corrections.csv").open()))
    assert rows[0]["label"] == "Polo" and rows[0]["color"] == "red" and rows[0]["image"] == upload_id
    assert rows[0]["box"] == "" and rows[0]["audience"] == ""  # the whole photo; no audience was corrected
    assert (tmp_path / "extra" / "images" / f"{upload_id}.jpg").stat().st_size > 0


def test_the_training_export_says_which_garment_of_an_outfit_photo_was_corrected_and_every_tag_set(api, tmp_path):
    """A mirror photo: the shopper taps the trousers and says they are men's, mild-weather pants. The export's labels
    are the trousers', so it gives their box; a training run must not label the whole photo "pants"."""
    image = Image.new("RGB", (120, 240), (240, 240, 240))
    image.paste((26, 35, 126), (0, 80, 120, 180))
    image.paste((17, 17, 17), (0, 180, 120, 240))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    body = api.post(
        "/api/v1/recommendations/",
        {"image": SimpleUploadedFile("mirror.png", buffer.getvalue(), "image/png"), "garment": 1},
        format="multipart",
    ).json()
    garment_box = body["detected"]["garments"][1]["box"]
    correction = {"type": "pants", "audience": "men", "warmth": "mild"}
    answer = api.post(f"/api/v1/recommendations/{body['upload_id']}/correction/", correction, format="json")
    assert answer.status_code == 200, answer.content
    TagCorrection.objects.update(status=CorrectionStatus.ACCEPTED)
    call_command("export_corrections", str(tmp_path / "extra"), stdout=io.StringIO())
    (row,) = csv.DictReader((tmp_path / "extra" / "corrections.csv").open())
    assert [float(v) for v in row["box"].split()] == pytest.approx(garment_box, abs=1e-4)
    assert (row["type"], row["audience"], row["warmth"], row["formality"]) == ("pants", "men", "mild", "")


# Complete the outfit


def test_api_returns_complete_outfits_with_reasons(api, catalog):
    rule, garments = catalog
    body = post_photo(api, "red").json()
    outfits = body["outfits"]
    assert 1 <= len(outfits) <= 3
    first = outfits[0]
    slots = [piece["slot"] for piece in first["pieces"]]
    assert slots[:2] == ["bottom", "shoes"]
    assert first["pieces"][0]["id"] == garments["black_pants"].id
    piece_ids = {piece["id"] for piece in first["pieces"]}
    # every piece is linked to the input (from_id null) and to the pieces before it
    assert {link["to_id"] for link in first["links"] if link["from_id"] is None} == piece_ids
    assert all(link["reason"] for link in first["links"])
    assert first["links"][0]["rule_id"] == rule.id
    tag_outfits = api.get("/api/v1/recommendations/", {"slot": "top", "color": "red", "type": "t-shirt"}).json()[
        "outfits"
    ]
    # The same looks for the same tags (the pictures differ: an upload's shows the shopper's own photo).
    assert [(o["pieces"], o["links"]) for o in tag_outfits] == [(o["pieces"], o["links"]) for o in outfits]


def test_outfits_on_the_result_page(catalog):
    client = Client()
    result_url = client.post("/recommend/", {"image": SimpleUploadedFile("p.jpg", image_bytes("red"))})["Location"]
    html = client.get(result_url).content.decode()
    assert 'id="outfits"' in html and "Look 1" in html and "Why these go together" in html


# Similar items


def test_similar_items_by_embedding(api, catalog):
    _rule, garments = catalog
    response = api.get(f"/api/v1/garments/{garments['red_tee'].id}/similar/")
    assert response.status_code == 200
    items = response.json()["items"]
    assert items[0]["id"] == garments["red_polo"].id  # same colour: the closest fake embedding
    assert garments["red_tee"].id not in [item["id"] for item in items]
    assert items == sorted(items, key=lambda item: -item["similarity"])
    html = Client().get(f"/garments/{garments['red_tee'].id}/").content.decode()
    assert 'id="similar-items"' in html


def test_upload_shows_similar_catalog_items(api, catalog):
    _rule, garments = catalog
    body = post_photo(api, "red").json()
    assert body["similar"][0]["id"] in {garments["red_tee"].id, garments["red_polo"].id}


def test_similar_items_keep_to_the_garments_slot(api, catalog):
    """A red dress and a red skirt look as much like the red tee as the red polo does (the fake CNN's embedding is
    the colour), but only garments of the tee's slot are similar to it: on the API, the detail page and an upload."""
    _rule, garments = catalog
    red_dress = garment_factory(type="dress", color="red")
    red_skirt = garment_factory(type="skirt", color="red")
    items = api.get(f"/api/v1/garments/{garments['red_tee'].id}/similar/").json()["items"]
    assert [item["id"] for item in items] == [garments["red_polo"].id]
    html = Client().get(f"/garments/{red_skirt.id}/").content.decode()
    section = html[html.index('id="similar-items"') :]
    assert f"/garments/{red_dress.id}/" not in section and f"/garments/{garments['red_tee'].id}/" not in section


def test_an_uploads_similar_items_follow_its_slot_as_corrected(api, catalog):
    """What looks like a red photo read as a tee is red tops; once the shopper says it is a skirt, red skirts and
    other bottoms, never the tops it was first matched with."""
    _rule, garments = catalog
    red_skirt = garment_factory(type="skirt", color="red")
    garment_factory(type="dress", color="red")
    body = post_photo(api, "red").json()
    assert {item["id"] for item in body["similar"]} == {garments["red_tee"].id, garments["red_polo"].id}
    upload_id = body["upload_id"]
    api.post(f"/api/v1/recommendations/{upload_id}/correction/", {"type": "skirt"}, format="json")
    html = Client().get(f"/recommend/{upload_id}/").content.decode()
    section = html[html.index('id="similar-items"') :]
    assert f"/garments/{red_skirt.id}/" in section
    assert (
        f"/garments/{garments['red_tee'].id}/" not in section and f"/garments/{garments['red_polo'].id}/" not in section
    )


@pytest.mark.usefixtures("catalog")
def test_similar_items_of_the_pieces_type_come_before_the_rest_of_its_slot(api):
    """Red trousers look more like a red skirt than a blue skirt does (the fake CNN's embedding is the colour), but
    what looks like her skirt is first another skirt: on the garment's page, the API, and an upload the shopper
    corrected to a skirt. The rest of the slot fills the list, nearest first."""
    red_skirt = garment_factory(type="skirt", color="red")
    blue_skirt = garment_factory(type="skirt", color="blue")
    red_pants = garment_factory(type="pants", color="red")
    items = api.get(f"/api/v1/garments/{red_skirt.id}/similar/").json()["items"]
    assert [item["id"] for item in items][:2] == [blue_skirt.id, red_pants.id]
    assert items[0]["similarity"] < items[1]["similarity"]
    upload_id = post_photo(api, "red").json()["upload_id"]
    api.post(f"/api/v1/recommendations/{upload_id}/correction/", {"type": "skirt"}, format="json")
    html = Client().get(f"/recommend/{upload_id}/").content.decode()
    section = html[html.index('id="similar-items"') :]
    shown = [section.find(f"/garments/{garment.id}/") for garment in (red_skirt, blue_skirt, red_pants)]
    assert -1 not in shown and shown == sorted(shown)
    # The rest of the slot under a heading of its own, so each group reads in order of similarity.
    assert shown[1] < section.index("<h3>Other bottoms</h3>") < shown[2]
    detail = Client().get(f"/garments/{red_skirt.id}/").content.decode()
    section = detail[detail.index('id="similar-items"') :]
    assert section.find(f"/garments/{blue_skirt.id}/") < section.index("<h3>Other bottoms</h3>")
    assert section.index("<h3>Other bottoms</h3>") < section.find(f"/garments/{red_pants.id}/")
    korean = Client(headers={"accept-language": "ko"}).get(f"/garments/{red_skirt.id}/").content.decode()
    assert "<h3>다른 하의</h3>" in korean


def test_similar_items_of_the_pieces_colour_come_first_within_its_type(api):
    """A red skirt photographed in orange light looks less like a red skirt than a pink skirt whose photo came out
    red (the fake CNN's embedding is the photo's colour), but what looks like her red skirt is first another red
    skirt; then the skirts of other colours under a heading of their own, then the rest of the slot. On the
    garment's page, the API and a corrected upload."""
    red_skirt = garment_factory(type="skirt", color="red")
    other_red = garment_factory(type="skirt", color="orange")
    Garment.objects.filter(pk=other_red.pk).update(color="red")
    pink_in_red = garment_factory(type="skirt", color="red")
    Garment.objects.filter(pk=pink_in_red.pk).update(color="pink")
    red_pants = garment_factory(type="pants", color="red")
    items = api.get(f"/api/v1/garments/{red_skirt.id}/similar/").json()["items"]
    assert [item["id"] for item in items][:3] == [other_red.id, pink_in_red.id, red_pants.id]
    assert items[0]["similarity"] < items[1]["similarity"]
    section = Client().get(f"/garments/{red_skirt.id}/").content.decode().split('id="similar-items"')[1]
    shown = [section.find(f"/garments/{garment.id}/") for garment in (other_red, pink_in_red, red_pants)]
    assert shown[0] < section.index("<h3>In other colors</h3>") < shown[1] < section.index("<h3>Other bottoms")
    assert section.index("<h3>Other bottoms") < shown[2]
    upload_id = post_photo(api, "red").json()["upload_id"]
    api.post(f"/api/v1/recommendations/{upload_id}/correction/", {"type": "skirt"}, format="json")
    section = Client().get(f"/recommend/{upload_id}/").content.decode().split('id="similar-items"')[1]
    shown = [section.find(f"/garments/{garment.id}/") for garment in (red_skirt, other_red, pink_in_red, red_pants)]
    assert -1 not in shown and shown == sorted(shown)
    assert shown[1] < section.index("<h3>In other colors</h3>") < shown[2]
    korean = Client(headers={"accept-language": "ko"}).get(f"/garments/{red_skirt.id}/").content.decode()
    assert "<h3>다른 색상</h3>" in korean


def test_an_unsure_colour_puts_no_colour_first(api, settings):
    """A colour the page asks about is a question, not a colour to put first: read surely, a red photo's tee lists
    the red tee photographed in orange light first and the pink tee whose photo came out red under "In other
    colors"; read unsurely, the tees in order of similarity, as one list."""
    orange_lit_red = garment_factory(type="t-shirt", color="orange")
    Garment.objects.filter(pk=orange_lit_red.pk).update(color="red")
    red_lit_pink = garment_factory(type="t-shirt", color="red")
    Garment.objects.filter(pk=red_lit_pink.pk).update(color="pink")

    def similar_section() -> str:
        upload_id = post_photo(api, "red").json()["upload_id"]
        return Client().get(f"/recommend/{upload_id}/").content.decode().split('id="similar-items"')[1]

    section = similar_section()
    assert section.find(f"/garments/{orange_lit_red.id}/") < section.index("<h3>In other colors</h3>")
    assert section.index("<h3>In other colors</h3>") < section.find(f"/garments/{red_lit_pink.id}/")
    settings.CLASSIFIER_CONFIRM_THRESHOLDS = {**settings.CLASSIFIER_CONFIRM_THRESHOLDS, "color": 1.01}
    cache.clear()
    section = similar_section()
    assert "In other colors" not in section
    assert -1 < section.find(f"/garments/{red_lit_pink.id}/") < section.find(f"/garments/{orange_lit_red.id}/")


@pytest.mark.usefixtures("catalog")
def test_similar_items_of_a_grown_ups_piece_are_grown_ups_and_of_a_childs_childrens(api):
    """A girl's red skirt looks as much like a woman's red skirt as another woman's does (the fake CNN's embedding is
    the colour), but what looks like her skirt is a grown-up's; and a child's piece looks like children's pieces. A
    garment without an audience may be either's. On the garment's page, the API and an upload she says is a woman's."""
    womens = garment_factory(type="skirt", color="red", audience="women")
    girls = garment_factory(type="skirt", color="red", audience="kids")
    anyones = garment_factory(type="skirt", color="red")
    blue_womens = garment_factory(type="skirt", color="blue", audience="women")

    def similar_ids(garment) -> list[int]:
        return [item["id"] for item in api.get(f"/api/v1/garments/{garment.id}/similar/").json()["items"]]

    assert girls.id not in similar_ids(womens) and {anyones.id, blue_womens.id} <= set(similar_ids(womens))
    assert anyones.id in similar_ids(girls) and not {womens.id, blue_womens.id} & set(similar_ids(girls))
    section = Client().get(f"/garments/{womens.id}/").content.decode().split('id="similar-items"')[1]
    assert f"/garments/{girls.id}/" not in section and f"/garments/{anyones.id}/" in section
    upload_id = post_photo(api, "red").json()["upload_id"]
    api.post(f"/api/v1/recommendations/{upload_id}/correction/", {"type": "skirt", "audience": "women"}, format="json")
    section = Client().get(f"/recommend/{upload_id}/").content.decode().split('id="similar-items"')[1]
    assert f"/garments/{girls.id}/" not in section and f"/garments/{womens.id}/" in section


def test_similar_items_follow_the_audience_the_suggestions_lean_to():
    """Read surely, the piece's audience; unsure, the suggestions' lean: kids only when kids is at least as likely as
    every grown-up audience together (engine.KIDS_GUESS_AT), else the likeliest grown-up's; no reading, anyone's."""
    skirt = Tag("bottom", "red", "skirt")
    assert similar_audience(Tag("bottom", "red", "skirt", audience="men"), Leaning()) == "men"
    assert similar_audience(skirt, Leaning(audience=(("kids", 0.55), ("women", 0.3), ("unisex", 0.15)))) == "kids"
    assert similar_audience(skirt, Leaning(audience=(("kids", 0.45), ("unisex", 0.3), ("women", 0.25)))) == "unisex"
    assert similar_audience(skirt, Leaning()) is None


def test_similar_items_are_not_held_to_a_type_the_reading_only_fell_back_to(api, catalog):
    """A chip whose crop read no type of the slot it was found in is named by the slot's generic type at 0 (so the
    shopper is asked): that is no type to put first. A red photo read as a tee lists the red tee before a blue tee;
    stored with its type at 0, the red polo comes before the blue tee, as any top that looks more alike would."""
    _rule, garments = catalog
    blue_tee = garment_factory(type="t-shirt", color="blue")
    body = post_photo(api, "red").json()
    similar = [item["id"] for item in body["similar"]]
    assert similar.index(blue_tee.id) < similar.index(garments["red_polo"].id)
    upload = ShopperUpload.objects.get(public_id=body["upload_id"])
    upload.type_confidence = 0.0
    upload.save()
    html = Client().get(f"/recommend/{upload.public_id}/").content.decode()
    section = html[html.index('id="similar-items"') :]
    assert section.find(f"/garments/{garments['red_polo'].id}/") < section.find(f"/garments/{blue_tee.id}/")
    assert "<h3>" not in section[: section.index("</section>")]  # one list, in order of similarity


def test_similar_items_of_a_slot_are_found_beyond_the_nearest_of_others():
    """Held to one slot, the search widens past the nearest garments of other slots: ten red tops sit nearer a red
    query than the one blue skirt, and the skirt is still what looks most like it among bottoms."""
    for _ in range(10):
        garment_factory(type="t-shirt", color="red")
    blue_skirt = garment_factory(type="skirt", color="blue")
    query = get_predictor().predict(Image.open(io.BytesIO(image_bytes("red")))).embedding
    found = garments_similar_to_embedding(embedding=query, k=1, slot="bottom")
    assert [match.garment.pk for match in found] == [blue_skirt.pk]
    assert all(m.garment.slot == "top" for m in garments_similar_to_embedding(embedding=query, k=5, slot="top"))


def test_embedding_index_nearest_is_exact_cosine():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 32)).astype(np.float32)
    index = EmbeddingIndex.from_rows((i, v.tobytes()) for i, v in enumerate(vectors))
    query = vectors[7] + 0.01 * rng.normal(size=32).astype(np.float32)
    found = index.nearest(query, 5, exclude=[7])
    normed = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    cos = normed @ (query / np.linalg.norm(query))
    cos[7] = -np.inf
    assert [i for i, _ in found] == list(np.argsort(-cos)[:5])


# Feedback


def test_feedback_via_api_is_stored_and_throttled(api, catalog, settings):
    rule, garments = catalog
    payload = {
        "garment_id": garments["black_pants"].id,
        "vote": "like",
        "slot": "top",
        "color": "red",
        "rule_id": rule.id,
    }
    assert api.post("/api/v1/feedback/", payload, format="json").status_code == 201
    feedback = Feedback.objects.get()
    assert feedback.vote == 1 and feedback.rule == rule
    assert api.post("/api/v1/feedback/", {**payload, "vote": "meh"}, format="json").status_code == 400
    assert api.post("/api/v1/feedback/", {**payload, "garment_id": 999999}, format="json").status_code == 404
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon_upload": "1000/min", "feedback": "2/min"},
    }
    cache.clear()
    codes = [api.post("/api/v1/feedback/", payload, format="json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]  # the same client voting again changes its one vote
    assert Feedback.objects.count() == 1


def test_feedback_moves_ranking_within_its_bound(api, catalog):
    _rule, garments = catalog
    # Two shoes with the same tags are equally strong for a red top: only shoppers' votes can order them.
    twin = garment_factory(type="shoes", color="black")
    pair = (garments["black_shoes"].id, twin.id)

    def shoes_order() -> list[int]:
        items = api.get("/api/v1/recommendations/", {"slot": "top", "color": "red"}).json()["items"]
        return [item["id"] for item in items if item["id"] in pair]

    loser, winner = shoes_order()
    for _ in range(10):
        api.post(
            "/api/v1/feedback/", {"garment_id": winner, "vote": "like", "slot": "top", "color": "red"}, format="json"
        )
    # Votes move counters on the garment; cached answers pick them up when they expire (RECOMMENDATION_CACHE_SECONDS).
    cache.clear()
    assert shoes_order() == [winner, loser]
    after = api.get("/api/v1/recommendations/", {"slot": "top", "color": "red"}).json()["items"]
    assert after[0]["id"] == garments["black_pants"].id  # the stylist rule still leads


def test_feedback_without_javascript_on_the_page(catalog):
    _rule, garments = catalog
    client = Client()
    response = client.post(
        "/feedback/",
        {
            "garment_id": garments["black_pants"].id,
            "vote": "dislike",
            "slot": "top",
            "color": "red",
            "next": "/goes-with/top/red/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/goes-with/top/red/"
    assert Feedback.objects.get().vote == -1
    evil = client.post(
        "/feedback/",
        {
            "garment_id": garments["black_pants"].id,
            "vote": "like",
            "slot": "top",
            "color": "red",
            "next": "https://evil.example/",
        },
    )
    assert evil["Location"] == "/"


def test_similarity_benchmark_command_reports_its_figures():
    out = io.StringIO()
    args = ["--garments", "50", "--dim", "8", "--queries", "5", "--warmup", "1", "--workers", "1,2", "--delta", "20"]
    call_command("benchmark_similarity", *args, stdout=out)
    lines = out.getvalue().splitlines()
    assert "garments=50 dim=8" in lines[0] and "query_p50_ms=" in lines[0]
    # The memory table: one row per worker count (workers | file pages | private per worker | per host | …).
    rows = [line.split(" | ") for line in lines if line[:2] in ("1 ", "2 ")]
    assert [row[0] for row in rows] == ["1", "2"]
    assert all(float(row[2]) > 0 and float(row[3]) > 0 for row in rows)


# Retention of shoppers' photos


def test_purge_uploads_keeps_recent_and_corrected_photos(api, catalog, django_capture_on_commit_callbacks):
    old, corrected, recent = (post_photo(api).json()["upload_id"] for _ in range(3))
    api.post(f"/api/v1/recommendations/{corrected}/correction/", {"color": "green"}, format="json")
    ShopperUpload.objects.filter(public_id__in=[old, corrected]).update(created_at=timezone.now() - timedelta(days=40))
    old_upload = ShopperUpload.objects.get(public_id=old)
    storage, name = old_upload.image.storage, old_upload.image.name

    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert "1 uploads older than 30 days would be deleted (dry run" in out.getvalue()
    assert ShopperUpload.objects.count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_uploads", "--yes", stdout=io.StringIO())
    remaining = {str(public_id) for public_id in ShopperUpload.objects.values_list("public_id", flat=True)}
    assert remaining == {corrected, recent}
    assert not storage.exists(name)


def _outerwear_read_as_a_vest(api: APIClient, settings) -> ShopperUpload:
    """An upload the CNN read as outerwear whose outer-kind probe said "vest" (stored as a reading holds it)."""
    settings.CLASSIFIER_FAKE_TYPE = "outwear"
    get_predictor.cache_clear()
    upload_id = post_photo(api, "gray").json()["upload_id"]
    get_predictor.cache_clear()
    upload = ShopperUpload.objects.get(public_id=upload_id)
    vest = {"label": "vest", "confidence": 0.62, "top3": [["vest", 0.62], ["jacket", 0.3], ["coat", 0.08]]}
    upload.detection = {**upload.detection, "outer_kind": vest}
    upload.save(update_fields=["detection"])
    assert upload_tag(upload=upload).kind == "vest"
    return upload


def test_a_shopper_corrects_the_kind_read_and_a_new_type_drops_it(api, catalog, settings):
    upload = _outerwear_read_as_a_vest(api, settings)
    url = f"/api/v1/recommendations/{upload.public_id}/correction/"
    response = api.post(url, {"kind": "jacket"}, format="json")
    assert response.status_code == 200 and response.json()["tag"]["kind"] == "jacket"
    assert TagCorrection.objects.get().kind == "jacket" and upload_tag(upload=upload).kind == "jacket"
    api.post(url, {"color": "black"}, format="json")  # a later tap keeps the kind
    assert upload_tag(upload=upload).kind == "jacket"
    # A kind of another type is refused with its reason, and nothing changes.
    refused = api.post(url, {"kind": "boots"}, format="json")
    assert refused.status_code == 400 and "kind" in refused.json()["fields"]
    assert api.post(url, {"type": "t-shirt", "kind": "vest"}, format="json").status_code == 400
    assert upload_tag(upload=upload).kind == "jacket"
    # A new type the kind does not belong to drops it.
    api.post(url, {"type": "blazer"}, format="json")
    assert TagCorrection.objects.get().kind == "" and upload_tag(upload=upload).kind == ""


def test_the_page_offers_the_kinds_of_the_garments_type(api, catalog, settings):
    upload = _outerwear_read_as_a_vest(api, settings)
    client = Client()
    html = client.get(f"/recommend/{upload.public_id}/?lang=en").content.decode()
    assert 'id="correct-kind"' in html
    for code in ("coat", "jacket", "vest", "snowsuit"):
        assert f'name="kind" value="{code}"' in html
    assert 'name="kind" value="boots"' not in html
    client.post(f"/recommend/{upload.public_id}/correct/", {"kind": "coat"})
    page = client.get(f"/recommend/{upload.public_id}/?lang=en")
    assert page.context["recommendation"].tag.kind == "coat"
    # A kind sent by hand for another type is a friendly error, never a 500.
    response = client.post(f"/recommend/{upload.public_id}/correct/", {"kind": "heels"}, follow=True)
    assert response.status_code == 200 and "please pick from the buttons" in response.content.decode()
    assert TagCorrection.objects.get().kind == "coat"
    # A t-shirt has no kinds to offer.
    settings.CLASSIFIER_FAKE_TYPE = "t-shirt"
    get_predictor.cache_clear()
    tee_id = post_photo(api, "red").json()["upload_id"]
    get_predictor.cache_clear()
    assert 'id="correct-kind"' not in client.get(f"/recommend/{tee_id}/?lang=en").content.decode()


def test_the_reasons_call_a_graphic_tees_print_a_graphic_until_the_shopper_names_the_pattern(api, settings):
    """A tee whose print the graphic probe made (a big slogan; classifier.graphics) is coordinated as any print, and the
    reasons on the page say so in its words: "그래픽", not "패턴" (an all-over pattern). Once the shopper names the
    pattern herself, the reasons use the plain word again."""
    garment_factory(type="skirt", color="black", pattern="solid")
    garment_factory(type="shoes", color="black", kind="boots", pattern="solid")
    settings.CLASSIFIER_FAKE_TYPE = "t-shirt"
    get_predictor.cache_clear()
    upload_id = post_photo(api, "white").json()["upload_id"]
    get_predictor.cache_clear()
    upload = ShopperUpload.objects.get(public_id=upload_id)
    upload.detection = {
        **upload.detection,
        "pattern": {"label": "pattern", "confidence": 0.86, "top3": [["pattern", 0.86], ["solid", 0.14]]},
        "graphic": {"label": "graphic", "confidence": 0.86, "top3": [["graphic", 0.86], ["plain", 0.14]]},
    }
    upload.save(update_fields=["detection"])
    assert upload_tag(upload=upload).graphic
    page = Client().get(f"/recommend/{upload_id}/", headers={"accept-language": "ko"}).content.decode()
    reasons = [re.sub(r"<[^>]+>", "", text) for text in re.findall(r'<p class="reason[^"]*">(.*?)</p>', page, re.S)]
    assert reasons and any("그래픽" in text for text in reasons), reasons
    assert not any("패턴" in text for text in reasons), reasons
    api.post(f"/api/v1/recommendations/{upload_id}/correction/", {"pattern": "pattern"}, format="json")
    assert not upload_tag(upload=upload).graphic and upload_tag(upload=upload).pattern == "pattern"
    page = Client().get(f"/recommend/{upload_id}/", headers={"accept-language": "ko"}).content.decode()
    reasons = [re.sub(r"<[^>]+>", "", text) for text in re.findall(r'<p class="reason[^"]*">(.*?)</p>', page, re.S)]
    assert any("패턴" in text for text in reasons) and not any("그래픽" in text for text in reasons), reasons
