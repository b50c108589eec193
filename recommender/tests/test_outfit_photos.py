"""Whole-outfit photos: every garment found, the shopper picks the one to match (or draws a crop); attributes read
with confidence drive the looks, unsure ones are unknown. The fake CNN reads horizontal colour bands as an outfit."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from catalog.tags import photo_wearer
from catalog.tests.factories import garment_factory, rule_factory
from classifier.coparsing import (
    framed_photo,
    product_framings,
    read_mask,
    seen_colour,
    studio_version,
    worn_outfits,
)
from classifier.evaluation import app_screenshot, outfit_board, reframed
from classifier.occluders import occlude, photo_rng
from classifier.predictor import get_predictor
from classifier.turns import turned
from recommender.models import ShopperUpload, TagCorrection
from recommender.serializers import DetectedSerializer, detected_payload
from recommender.services import (
    DRESS_UNDER_A_TOP_ALTERNATIVES,
    SKIRT_OF_A_DRESS_ALTERNATIVES,
    WORN_DRESS_ALTERNATIVES,
    correction_create,
    default_garment,
    detected_garments,
    garment_unsure,
    matched_box,
    reading_in_slot,
    reading_leaning,
    reading_tag,
    type_question,
    upload_answer,
    upload_create,
    upload_reading,
    upload_tag,
    worn_audience,
)

pytestmark = pytest.mark.django_db

WHITE, NAVY, BLACK = (240, 240, 240), (26, 35, 126), (17, 17, 17)


def outfit_photo() -> SimpleUploadedFile:
    """A white top band, a navy bottom band (the largest) and black shoes, as a mirror photo would show them."""
    image = Image.new("RGB", (120, 240), WHITE)
    image.paste(NAVY, (0, 80, 120, 180))
    image.paste(BLACK, (0, 180, 120, 240))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("mirror.png", buffer.getvalue(), "image/png")


@pytest.fixture
def catalog():
    rule_factory(input_slot="bottom", input_color="navy", output_slot="top", output_color="white", weight=80)
    return {
        "white_tee": garment_factory(type="t-shirt", color="white"),
        "gray_tee": garment_factory(type="t-shirt", color="gray"),
        "beige_pants": garment_factory(type="pants", color="beige"),
        "black_pants": garment_factory(type="pants", color="black"),
        "white_shoes": garment_factory(type="shoes", color="white"),
    }


def test_the_api_lists_every_garment_and_matches_the_largest_piece_of_clothing(catalog):
    body = APIClient().post("/api/v1/recommendations/", {"image": outfit_photo()}, format="multipart").json()
    garments = body["detected"]["garments"]
    assert [g["slot"] for g in garments] == ["top", "bottom", "shoes"]
    assert [g["color"] for g in garments] == ["white", "navy", "black"]
    assert all(len(g["box"]) == 4 and {"slot", "color", "type"} <= set(g["confidences"]) for g in garments)
    assert body["detected"]["chosen_garment"] == 1  # the navy bottom: the largest band
    assert body["detected"]["slot"] == "bottom" and body["detected"]["color"] == "navy"
    assert body["items"] and all(item["slot"] != "bottom" for item in body["items"])


def test_the_shopper_picks_another_garment_then_draws_a_crop():
    api = APIClient()
    garment_factory(type="pants", color="black")
    upload_id = api.post("/api/v1/recommendations/", {"image": outfit_photo()}, format="multipart").json()["upload_id"]
    picked = api.post(f"/api/v1/recommendations/{upload_id}/choice/", {"garment": 0}, format="json").json()
    assert picked["detected"]["chosen_garment"] == 0 and picked["detected"]["slot"] == "top"
    assert picked["detected"]["color"] == "white"
    assert any(item["slot"] == "bottom" for item in picked["items"])
    cropped = api.post(f"/api/v1/recommendations/{upload_id}/choice/", {"box": "0,0.8,1,1"}, format="json").json()
    assert cropped["detected"]["crop_box"] == [0.0, 0.8, 1.0, 1.0] and cropped["detected"]["chosen_garment"] is None
    assert cropped["detected"]["color"] == "black"
    upload = ShopperUpload.objects.get(public_id=upload_id)
    assert (upload.detected_color, upload.crop_box) == ("black", [0.0, 0.8, 1.0, 1.0])


@pytest.mark.parametrize(
    "choice, reason",
    [({"garment": 7}, "There is no garment 7"), ({"box": "0.5,0.5,0.52,0.9"}, "too small"), ({}, "either")],
)
def test_a_choice_that_does_not_fit_the_photo_is_a_400_with_a_reason(choice, reason):
    api = APIClient()
    upload_id = api.post("/api/v1/recommendations/", {"image": outfit_photo()}, format="multipart").json()["upload_id"]
    response = api.post(f"/api/v1/recommendations/{upload_id}/choice/", choice, format="json")
    assert response.status_code == 400 and reason in str(response.json())
    assert ShopperUpload.objects.get(public_id=upload_id).chosen_garment == 1  # nothing changed


def test_the_upload_can_name_the_garment_or_a_crop_up_front():
    api = APIClient()
    body = api.post("/api/v1/recommendations/", {"image": outfit_photo(), "garment": 2}, format="multipart").json()
    assert body["detected"]["slot"] == "shoes" and body["detected"]["kind"]["label"]
    bad = api.post("/api/v1/recommendations/", {"image": outfit_photo(), "box": "2,0,3,1"}, format="multipart")
    assert bad.status_code == 400 and "fractions" in str(bad.json())


def test_the_result_page_outlines_the_garments_and_a_tap_switches_the_match(catalog):
    client = Client()
    result = client.post("/recommend/", {"image": outfit_photo()})["Location"]
    html = client.get(result).content.decode()
    assert 'id="we-see"' in html and html.count("<rect ") == 3 and 'class="chosen"' in html
    upload = ShopperUpload.objects.get()
    # Each outline is also a tap target on the photo, the largest box first (a smaller one lies on top of it).
    taps = re.findall(r'class="outline-tap" type="submit" name="garment" value="(\d+)"', html)
    boxes = [upload.detection["garments"][int(index)]["box"] for index in taps]
    areas = [(x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in boxes]
    assert sorted(taps) == ["0", "1", "2"] and areas == sorted(areas, reverse=True), (taps, areas)
    page = client.post(f"/recommend/{upload.public_id}/choose/", {"garment": "0"}, follow=True).content.decode()
    upload.refresh_from_db()
    assert upload.chosen_garment == 0 and upload.detected_slot == "top"
    assert "here is what goes with the garment you picked" in page
    client.post(f"/recommend/{upload.public_id}/choose/", {"garment": "9"})
    upload.refresh_from_db()
    assert upload.chosen_garment == 0


def test_a_tapped_garment_keeps_the_reading_its_chip_was_named_from():
    """The stored photo is a re-encoded copy of the upload: reading it again could contradict the chip the shopper
    tapped. The garment keeps the reading stored with its chip (here made a surely patterned one, which the copy does
    not read), and its crop of the copy still gives the embedding for similar garments."""
    api = APIClient()
    upload_id = api.post("/api/v1/recommendations/", {"image": outfit_photo()}, format="multipart").json()["upload_id"]
    upload = ShopperUpload.objects.get(public_id=upload_id)
    garments = upload.detection["garments"]
    chip = garments[0]["reading"]
    assert chip["pattern"]["label"] == "solid"
    chip["pattern"] = {"label": "pattern", "confidence": 0.93, "top3": [["pattern", 0.93], ["solid", 0.07]]}
    chip["color"] = {"label": "navy", "confidence": 0.81, "top3": [["navy", 0.81]]}
    upload.detection = {**upload.detection, "garments": garments}
    upload.embedding = None
    upload.save()
    body = api.post(f"/api/v1/recommendations/{upload_id}/choice/", {"garment": 0}, format="json").json()
    assert (body["detected"]["pattern"]["label"], body["detected"]["color"]) == ("pattern", "navy")
    upload.refresh_from_db()
    assert upload.chosen_garment == 0 and upload.detected_color == "navy" and upload.color_confidence == 0.81
    assert upload_answer(upload=upload).tag.pattern == "pattern" and upload.embedding


def test_a_garment_its_crop_barely_reads_is_marked_as_maybe_not_there(catalog):
    """The map's stray patches (a "top" over the hips of a waist-down photo, shoes on the knees) are listed like real
    garments; one whose own crop reads its slot under 0.2 is shown as doubtful: a dashed chip with a question mark
    and a fainter outline on the page, `unsure` in the API. It stays one tap away."""
    client = Client()
    result = client.post("/recommend/", {"image": outfit_photo()})["Location"]
    upload = ShopperUpload.objects.get()
    assert not any(garment_unsure(g) for g in detected_garments(upload.detection))  # the fake reads every band surely
    detection = json.loads(json.dumps(upload.detection))
    shoes = detection["garments"][2]["reading"]
    shoes["slot"] = {"label": "top", "confidence": 0.85, "top3": [["top", 0.85], ["shoes", 0.12], ["bottom", 0.03]]}
    upload.detection = detection
    upload.save(update_fields=["detection"])

    html = client.get(result).content.decode()
    chips = re.findall(r'<button class="chip([^"]*)" type="submit" name="garment" value="(\d)"', html)
    assert chips == [("", "0"), (" current", "1"), (" unsure", "2")], chips
    assert html.count('class="unsure-mark"') == 1 and "We are not sure this garment is there." in html
    assert html.count('class="unsure"/>') == 1  # its outline
    korean = client.get(result, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "이 옷이 사진에 정말 있는지 확실하지 않아요." in korean

    body = APIClient().post(f"/api/v1/recommendations/{upload.public_id}/choice/", {"garment": 2}, format="json")
    assert [g["unsure"] for g in body.json()["detected"]["garments"]] == [False, False, True]
    assert body.json()["detected"]["slot"] == "shoes"  # still matched when tapped


def test_a_chip_calls_a_garment_patterned_only_when_its_pattern_was_read_surely(catalog):
    """The chips name each garment as the suggestions read it: a print read at 0.6 (under the 0.7 the tags need) is
    not "patterned" on its chip, since the looks treat its pattern as unknown."""
    client = Client()
    result = client.post("/recommend/", {"image": outfit_photo()})["Location"]
    upload = ShopperUpload.objects.get()
    detection = json.loads(json.dumps(upload.detection))
    top = detection["garments"][0]
    top["pattern"] = "pattern"
    top["reading"]["pattern"] = {"label": "pattern", "confidence": 0.6, "top3": [["pattern", 0.6], ["solid", 0.4]]}
    upload.detection = detection
    upload.save(update_fields=["detection"])
    chips = re.findall(r'name="garment" value="0"[^>]*>.*?</span>([^<]+)</button>', client.get(result).content.decode())
    assert chips and "patterned" not in chips[0], chips
    top["reading"]["pattern"] = {"label": "pattern", "confidence": 0.9, "top3": [["pattern", 0.9], ["solid", 0.1]]}
    upload.detection = detection
    upload.save(update_fields=["detection"])
    chips = re.findall(r'name="garment" value="0"[^>]*>.*?</span>([^<]+)</button>', client.get(result).content.decode())
    assert chips and "patterned" in chips[0], chips
    # A print the graphic probe read (a slogan tee) is named as the reading row names it.
    top["reading"]["graphic"] = {"label": "graphic", "confidence": 0.9, "top3": [["graphic", 0.9], ["plain", 0.1]]}
    upload.detection = detection
    upload.save(update_fields=["detection"])
    chips = re.findall(r'name="garment" value="0"[^>]*>.*?</span>([^<]+)</button>', client.get(result).content.decode())
    assert chips and " graphic " in chips[0] and "patterned" not in chips[0], chips


def test_the_api_says_which_print_is_a_graphic_as_read_and_as_used(catalog):
    """A top whose print the graphic probe read (a slogan tee) is a graphic in the API as on the page: on its garment
    in the list, on the matched garment as read, and on the tags the suggestions were made for, until the shopper
    names the pattern herself. A client asking by tags may say so too, but only of a print."""
    api = APIClient()
    upload_id = api.post("/api/v1/recommendations/", {"image": outfit_photo()}, format="multipart").json()["upload_id"]
    upload = ShopperUpload.objects.get(public_id=upload_id)
    detection = json.loads(json.dumps(upload.detection))
    top = detection["garments"][0]
    top["pattern"] = "pattern"
    top["reading"]["pattern"] = {"label": "pattern", "confidence": 0.9, "top3": [["pattern", 0.9], ["solid", 0.1]]}
    top["reading"]["graphic"] = {"label": "graphic", "confidence": 0.9, "top3": [["graphic", 0.9], ["plain", 0.1]]}
    upload.detection = detection
    upload.save(update_fields=["detection"])

    body = api.post(f"/api/v1/recommendations/{upload_id}/choice/", {"garment": 0}, format="json").json()
    assert [garment["graphic"] for garment in body["detected"]["garments"]] == [True, False, False]
    assert body["detected"]["graphic"] and body["detected"]["pattern"]["label"] == "pattern"
    assert body["tag"]["graphic"] and body["tag"]["pattern"] == "pattern"
    assert any("graphic" in item["reason"] for item in body["items"]), [item["reason"] for item in body["items"]]
    bottom = api.post(f"/api/v1/recommendations/{upload_id}/choice/", {"garment": 1}, format="json").json()
    assert not bottom["detected"]["graphic"] and not bottom["tag"]["graphic"]

    api.post(f"/api/v1/recommendations/{upload_id}/choice/", {"garment": 0}, format="json")
    corrected = api.post(f"/api/v1/recommendations/{upload_id}/correction/", {"pattern": "pattern"}, format="json")
    assert corrected.json()["tag"]["pattern"] == "pattern" and not corrected.json()["tag"]["graphic"]

    query = {"slot": "top", "color": "white", "type": "t-shirt", "pattern": "pattern", "graphic": "true"}
    by_tags = api.get("/api/v1/recommendations/", query).json()
    assert by_tags["tag"]["graphic"] and any("graphic" in item["reason"] for item in by_tags["items"])
    refused = api.get("/api/v1/recommendations/", {**query, "pattern": "solid"})
    assert refused.status_code == 400 and "graphic" in refused.json()["fields"]


def test_garment_unsure_needs_the_crops_reading():
    assert garment_unsure({"crop_slot": 0.19}) and not garment_unsure({"crop_slot": 0.2})
    assert not garment_unsure({"crop_slot": None}) and not garment_unsure({})  # stored before the crop was read
    # A model with a chip gate says so itself, whatever the crop read.
    assert garment_unsure({"crop_slot": 0.9, "unsure": True}) and not garment_unsure(
        {"crop_slot": 0.1, "unsure": False}
    )


def test_a_crop_drawn_on_the_upload_page_is_what_is_matched():
    client = Client()
    client.post("/recommend/", {"image": outfit_photo(), "box": "0.0,0.0,1.0,0.3"})
    upload = ShopperUpload.objects.get()
    assert (upload.detected_slot, upload.detected_color, upload.crop_box) == ("top", "white", [0.0, 0.0, 1.0, 0.3])
    response = client.post("/recommend/", {"image": outfit_photo(), "box": "0.1,0.1,0.11,0.5"})
    assert response.status_code == 400 and "Draw a larger box" in response.content.decode()


def test_a_flat_photo_keeps_the_one_step_flow(client):
    image = Image.new("RGB", (80, 100), (198, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    client.post("/recommend/", {"image": SimpleUploadedFile("tee.png", buffer.getvalue(), "image/png")})
    upload = ShopperUpload.objects.get()
    assert upload.detection["garments"] == [] and upload.chosen_garment is None
    page = client.get(f"/recommend/{upload.public_id}/").content.decode()
    assert 'id="we-see"' not in page and "outline-tap" not in page


def test_unsure_attributes_are_unknown_never_guesses(settings):
    settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS = {
        "pattern": 0.7,
        "audience": 0.6,
        "warmth": 0.6,
        "formality": 0.6,
        "kind": 0.5,
    }
    reading = {
        "slot": {"label": "shoes", "confidence": 0.9},
        "type": {"label": "shoes", "confidence": 0.9},
        "color": {"label": "black", "confidence": 0.8},
        "pattern": {"label": "solid", "confidence": 0.95},
        "audience": {"label": "kids", "confidence": 0.45},  # unsure: must not exclude adults' pieces
        "warmth": {"label": "cold", "confidence": 0.8},
        "formality": {"label": "casual", "confidence": 0.59},
        "kind": {"label": "boots", "confidence": 0.7},
    }
    tag = reading_tag(reading)
    assert (tag.audience, tag.formality) == ("", "")
    assert (tag.pattern, tag.warmth, tag.kind) == ("solid", "cold", "boots")
    # A kind is only read for shoes, and a type outside the read slot is unknown.
    tag = reading_tag({**reading, "slot": {"label": "top", "confidence": 0.6}})
    assert (tag.kind, tag.type) == ("", "")


def test_the_default_garment_is_the_largest_piece_of_clothing():
    def garment(slot: str, box: list[float]) -> dict:
        return {"slot": slot, "box": box}

    assert default_garment([garment("top", [0, 0, 1, 1])]) is None  # one garment: the one-step flow
    big_shoes = garment("shoes", [0, 0.5, 1, 1])
    assert default_garment([garment("top", [0, 0, 0.5, 0.4]), big_shoes]) == 0  # clothes before shoes
    assert default_garment([garment("top", [0, 0, 1, 0.3]), garment("bottom", [0, 0.3, 1, 0.8]), big_shoes]) == 1


def test_the_default_garment_is_one_its_own_crop_reads_in_its_slot():
    """The map's "dress" spanning a top and trousers is the largest box, but its crop read trousers: the trousers it
    overlaps, read as trousers, are matched first. When no top, bottom or one-piece reads its slot surely, the one
    read most surely."""

    def garment(slot: str, box: list[float], crop_slot: float | None) -> dict:
        return {"slot": slot, "box": box, "crop_slot": crop_slot}

    dress = garment("one_piece", [0.3, 0.2, 0.7, 0.9], 0.06)
    top = garment("top", [0.3, 0.15, 0.7, 0.45], 0.81)
    pants = garment("bottom", [0.35, 0.4, 0.65, 0.9], 0.76)
    shoes = garment("shoes", [0.3, 0.9, 0.7, 1.0], 0.99)
    assert default_garment([top, dress, pants, shoes]) == 2
    assert default_garment([top, dress, shoes]) == 0
    assert default_garment([{**top, "crop_slot": 0.3}, dress, shoes]) == 0  # none read surely: the surest
    assert default_garment([{**top, "crop_slot": 0.06}, dress, shoes]) == 1  # a tie: the larger
    assert default_garment([dress, shoes]) == 0  # clothes before shoes, however read
    assert default_garment([{**top, "crop_slot": None}, dress, shoes]) == 0  # stored before crop_slot: as read


def test_a_shops_waist_down_photo_opens_on_the_trousers_not_the_hips_the_map_took_for_a_top():
    """Trousers shot from the waist down on a plain backdrop: the map finds a "top" over the hips, larger than the
    trousers, whose crop reads a top at 7%; the trousers' crop reads trousers at 28%. Neither is sure; the trousers
    are the likelier reading and are matched first (as the largest, the "top" was)."""
    hips = {"slot": "top", "box": [0.05, 0.0, 0.95, 0.5], "crop_slot": 0.07}
    trousers = {"slot": "bottom", "box": [0.2, 0.3, 0.8, 0.9], "crop_slot": 0.28}
    shoes = {"slot": "shoes", "box": [0.2, 0.9, 0.8, 1.0], "crop_slot": 0.95}
    assert default_garment([hips, trousers, shoes]) == 1
    assert default_garment([{**hips, "crop_slot": 0.62}, trousers, shoes]) == 0  # a top read surely is a top


def test_a_shops_coat_photo_opens_on_the_coat_not_what_the_map_guessed_under_it():
    """A coat on a model, from the head to below its hem: the map also lists a "top" and a "dress" under it, whose
    crops read their slots at 4-30%; the coat's crop reads a coat surely and it is matched first. A coat read surely
    but smaller than 1.5 times a top read surely is not (a street photo of an open jacket over a tee), unless the
    whole photo reads as outerwear at 0.7 or more and the coat's own crop agrees."""
    coat = {"slot": "outer", "box": [0.2, 0.15, 0.8, 0.9], "crop_slot": 0.93}
    top = {"slot": "top", "box": [0.35, 0.2, 0.65, 0.5], "crop_slot": 0.04}
    dress = {"slot": "one_piece", "box": [0.3, 0.25, 0.7, 0.85], "crop_slot": 0.3}
    assert default_garment([top, coat, dress]) == 1
    assert default_garment([top, {**coat, "crop_slot": 0.45}, dress]) == 2  # a doubtful coat: the surest main piece
    assert default_garment([top, {**coat, "crop_slot": None}, dress]) == 2  # stored before crop_slot: the old rule
    tee = {"slot": "top", "box": [0.3, 0.2, 0.7, 0.62], "crop_slot": 0.9}  # 0.168 against the jacket's 0.24
    jacket = {**coat, "box": [0.2, 0.15, 0.8, 0.55]}
    assert default_garment([tee, jacket]) == 0
    assert default_garment([{**tee, "box": [0.35, 0.2, 0.65, 0.5]}, jacket]) == 1  # 0.09: the jacket dominates
    # A shop's jacket photo reads as a jacket as a whole: then the jacket comes first whatever its size.
    assert default_garment([tee, jacket], {"label": "outer", "confidence": 0.82}) == 1
    assert default_garment([tee, jacket], {"label": "outer", "confidence": 0.6}) == 0  # not sure enough
    assert default_garment([tee, jacket], {"label": "top", "confidence": 0.9}) == 0
    assert default_garment([tee, {**jacket, "crop_slot": 0.3}], {"label": "outer", "confidence": 0.9}) == 0


def test_detected_garments_say_how_surely_each_crop_reads_the_slot_it_was_found_in():
    def found(slot: str, read_slot: str, top3: list) -> dict:
        reading = {
            "type": {"label": "pants", "confidence": 0.7, "top3": [["pants", 0.7]]},
            "slot": {"label": read_slot, "confidence": top3[0][1], "top3": top3},
        }
        return {"slot": slot, "box": [0, 0, 1, 1], "score": 0.6, "reading": reading}

    detection = {
        "garments": [
            found("one_piece", "bottom", [["bottom", 0.76], ["one_piece", 0.06], ["top", 0.05]]),
            found("bottom", "bottom", [["bottom", 0.76], ["one_piece", 0.2]]),
            found("shoes", "bottom", [["bottom", 0.76], ["one_piece", 0.2]]),
            {"slot": "top", "box": [0, 0, 1, 1], "score": 0.6},
        ]
    }
    assert [g["crop_slot"] for g in detected_garments(detection)] == [0.06, 0.76, 0.0, None]


def test_a_shopper_says_it_is_a_kids_piece_and_the_looks_follow():
    """The CNN may not tell a child's hoodie from an adult's; one tap on "Kids" makes every suggestion a kids' piece."""
    for audience in ("kids", "men", "women"):
        garment_factory(type="pants", color="black", audience=audience)
        garment_factory(type="shoes", color="white", audience=audience, kind="sneakers")
    client = Client()
    image = Image.new("RGB", (80, 100), (142, 142, 142))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    result = client.post("/recommend/", {"image": SimpleUploadedFile("hoodie.png", buffer.getvalue(), "image/png")})
    upload = ShopperUpload.objects.get()
    client.post(f"/recommend/{upload.public_id}/correct/", {"audience": "kids"})
    page = client.get(result["Location"])
    recommendation = page.context["recommendation"]
    assert recommendation.tag.audience == "kids"
    pieces = [item.garment for item in recommendation.items] + [p for o in recommendation.outfits for p in o.pieces]
    assert pieces and {g.audience for g in pieces} == {"kids"}
    assert 'id="correct-audience"' in page.content.decode()


def test_a_detected_coat_stays_outerwear_even_when_its_crop_reads_as_a_dress():
    crop = {
        "slot": {"label": "one_piece", "confidence": 0.88, "top3": [["one_piece", 0.88]]},
        "type": {"label": "dress", "confidence": 0.85, "top3": [["dress", 0.85], ["outwear", 0.1], ["shirt", 0.02]]},
        "color": {"label": "black", "confidence": 0.8, "top3": [["black", 0.8]]},
    }
    held = reading_in_slot(crop, "outer", 0.7)
    assert (held["slot"]["label"], held["type"]["label"], held["type"]["confidence"]) == ("outer", "outwear", 0.1)
    no_outer_type = {**crop, "type": {"label": "dress", "confidence": 0.9, "top3": [["dress", 0.9]]}}
    assert reading_in_slot(no_outer_type, "outer", 0.7)["type"] == {
        "label": "outwear",
        "confidence": 0.0,
        "top3": [["dress", 0.9]],
    }
    assert reading_in_slot(crop, "one_piece", 0.7) == crop  # already in its slot
    # Seen on a street photo: a top's crop whose slots add up to "top" (blouse + shirt) but whose single best type
    # is "outwear" was listed as {"slot": "top", "type": "outwear"}.
    top = {
        "slot": {"label": "top", "confidence": 0.52, "top3": [["top", 0.52], ["outer", 0.38]]},
        "type": {"label": "outwear", "confidence": 0.32, "top3": [["outwear", 0.32], ["blouse", 0.28], ["top", 0.1]]},
        "color": {"label": "black", "confidence": 0.8, "top3": [["black", 0.8]]},
    }
    held_top = reading_in_slot(top, "top", 0.57)
    assert (held_top["slot"]["label"], held_top["type"]["label"]) == ("top", "blouse")
    assert reading_tag(held).slot == "outer" and reading_tag(held).color == "black"


def test_each_detected_garment_reports_a_type_of_its_own_slot():
    # Seen on a street photo: the API listed a shoe region as {"slot": "shoes", "type": "skirt"} (its crop's argmax).
    shoe_region = {
        "slot": "shoes",
        "box": [0.4, 0.85, 0.6, 1.0],
        "score": 0.8,
        "type": "skirt",
        "confidences": {"slot": 0.8, "type": 0.5},
        "reading": {
            "slot": {"label": "bottom", "confidence": 0.6, "top3": [["bottom", 0.6], ["shoes", 0.3]]},
            "type": {"label": "skirt", "confidence": 0.5, "top3": [["skirt", 0.5], ["shoes", 0.3], ["dress", 0.1]]},
        },
    }
    (garment,) = detected_garments({"garments": [shoe_region, {"slot": "top"}]})  # a garment without a box is dropped
    assert garment["type"] == "shoes" and garment["confidences"]["type"] == 0.3
    assert garment["reading"]["slot"]["label"] == "shoes"
    assert reading_tag(garment["reading"]).type == "shoes"


def _dress_listed_under_a_top(*, with_top: bool = True) -> ShopperUpload:
    """A whole-outfit upload whose matched garment is a red one-piece read "dress" at 0.93 (street photo 0306's red
    skirt, as lite0-224-v12 listed it; v13 lists it at 0.89), with a pink top above it or (with_top=False) only shoes
    besides."""
    upload, _ = upload_create(image_file=outfit_photo())

    def garment(slot: str, box: list[float], type_code: str, color: str) -> dict:
        reading = {
            "slot": {"label": slot, "confidence": 0.95, "top3": [[slot, 0.95]]},
            "type": {"label": type_code, "confidence": 0.93, "top3": [[type_code, 0.93], ["longsleeve", 0.03]]},
            "color": {"label": color, "confidence": 0.9, "top3": [[color, 0.9]]},
        }
        return {"slot": slot, "box": box, "score": 0.8, "type": type_code, "color": color, "reading": reading}

    dress = garment("one_piece", [0.3, 0.3, 0.7, 0.7], "dress", "red")
    garments = [garment("top", [0.4, 0.2, 0.7, 0.4], "blouse", "pink"), dress] if with_top else [dress]
    garments.append(garment("shoes", [0.4, 0.85, 0.6, 1.0], "shoes", "gray"))
    upload.detection = {**upload.detection, **dress["reading"], "garments": garments}
    upload.chosen_garment = 1 if with_top else 0
    upload.chosen_reading = dress["reading"]
    upload.detected_slot, upload.detected_type, upload.detected_color = "one_piece", "dress", "red"
    upload.type_confidence = upload.slot_confidence = upload.color_confidence = 0.93
    upload.save()
    return upload


def test_a_dress_listed_under_a_top_is_asked_about_with_skirt_and_trousers_offered_first():
    """However sure its crop, a one-piece found under a top is about as often the skirt or trousers under it (9 of 28
    on the co-parsing validation photos, 10 dresses): the page asks, and offers those types right after "Dress"."""
    upload = _dress_listed_under_a_top()
    answer = upload_answer(upload=upload)
    assert "type" in answer.uncertain_heads and answer.type_alternatives == list(DRESS_UNDER_A_TOP_ALTERNATIVES)
    page = Client().get(f"/recommend/{upload.public_id}/?lang=en")
    html = page.content.decode()
    assert "a dress often turns out to be a skirt or pants" in html and 'class="correct" open' in html
    # Its crop's "Long-sleeve" (the top above it) is not offered: a garment found as a one-piece is one or a bottom.
    assert page.context["type_choices"] == ["dress", "skirt", "pants"]
    # Street photo 0031: a garment held to the one-piece slot ("dress", 23%) whose crop's first choice was "skirt".
    upload.chosen_reading = {
        **upload.chosen_reading,
        "type": {"label": "dress", "confidence": 0.23, "top3": [["skirt", 0.4], ["dress", 0.23], ["pants", 0.1]]},
    }
    upload.save()
    assert Client().get(f"/recommend/{upload.public_id}/").context["type_choices"] == ["dress", "skirt", "pants"]
    body = APIClient().post(f"/api/v1/recommendations/{upload.public_id}/choice/", {"garment": 1}, format="json")
    detected = body.json()["detected"]
    assert "type" in detected["uncertain"] and detected["type_alternatives"] == ["skirt", "pants"]
    assert detected["type_question"] == "dress_or_bottom"
    # Once she says which it is, nothing more is asked.
    correction_create(upload=upload, type="skirt")
    answer = upload_answer(upload=upload)
    assert (answer.tag.type, answer.tag.slot) == ("skirt", "bottom") and answer.type_alternatives == []
    assert "a dress often turns out" not in Client().get(f"/recommend/{upload.public_id}/?lang=en").content.decode()


def test_the_chosen_chip_takes_the_shoppers_correction_and_the_others_keep_their_reading():
    """A "dress" listed under a top, corrected to a skirt with one tap: its chip says skirt, as the reading beside it
    does (it said "dress" while the page read "Type: Skirt"); the other chips are named as read."""
    upload = _dress_listed_under_a_top()
    before = Client().get(f"/recommend/{upload.public_id}/?lang=en").context["garments"]
    chosen = next(g for g in before if g["chosen"])
    assert "dress" in chosen["name"].lower()
    correction_create(upload=upload, type="skirt", color="red")
    after = Client().get(f"/recommend/{upload.public_id}/?lang=en").context["garments"]
    renamed = next(g for g in after if g["chosen"])
    assert renamed["name"] == "Red skirt" and renamed["color"] == "red"
    assert [g["name"] for g in after if not g["chosen"]] == [g["name"] for g in before if not g["chosen"]]


def test_a_dress_under_a_top_corrected_to_a_skirt_is_outlined_below_the_top():
    """The map's "dress" of street photo 0306 spans the blouse tied over the skirt. Once the shopper says it is a
    skirt, its outline (and her piece in a look's picture) begins at the blouse's lower edge; a one-piece kept a
    one-piece, or one with no top above it, keeps its box."""

    def outlined(upload: ShopperUpload) -> dict:
        garments = Client().get(f"/recommend/{upload.public_id}/?lang=en").context["garments"]
        return next(g for g in garments if g["chosen"])

    upload = _dress_listed_under_a_top()
    upload.crop_box = [0.3, 0.3, 0.7, 0.7]  # the dress's own box, as choosing it stores
    upload.save()
    assert (outlined(upload)["y"], outlined(upload)["height"]) == (30.0, 40.0)
    others = [g for g in Client().get(f"/recommend/{upload.public_id}/").context["garments"] if not g["chosen"]]
    correction_create(upload=upload, type="skirt")
    skirt = outlined(upload)
    assert (skirt["x"], skirt["y"], skirt["width"], skirt["height"]) == (30.0, 40.0, 40.0, 30.0)
    after = [g for g in Client().get(f"/recommend/{upload.public_id}/").context["garments"] if not g["chosen"]]
    assert [(g["y"], g["height"]) for g in after] == [(g["y"], g["height"]) for g in others]
    assert matched_box(upload, upload_tag(upload=upload)) == pytest.approx([0.3, 0.4, 0.7, 0.7])

    still_a_dress = _dress_listed_under_a_top()
    still_a_dress.crop_box = [0.3, 0.3, 0.7, 0.7]
    still_a_dress.save()
    correction_create(upload=still_a_dress, color="pink")
    assert outlined(still_a_dress)["y"] == 30.0
    assert matched_box(still_a_dress, upload_tag(upload=still_a_dress)) == [0.3, 0.3, 0.7, 0.7]
    alone = _dress_listed_under_a_top(with_top=False)
    correction_create(upload=alone, type="skirt")
    assert outlined(alone)["y"] == 30.0


def test_a_listed_garments_correction_rows_offer_what_a_garment_found_there_may_be():
    """A garment's crop in a whole-outfit photo takes in the garments around it, and its top 3 names them: a shoe's
    read "Shoes, T-shirt, Pants". Its one-tap rows offer only the types and slots of where it was found and the slot
    beside it, filled up with the slot's usual types; a type of its top 3 she chose stays shown as hers."""
    upload = _dress_listed_under_a_top()
    shoe = upload.detection["garments"][2]
    shoe["reading"] = {
        **shoe["reading"],
        "slot": {"label": "shoes", "confidence": 0.7, "top3": [["shoes", 0.7], ["top", 0.2], ["bottom", 0.1]]},
        "type": {"label": "shoes", "confidence": 0.7, "top3": [["shoes", 0.7], ["t-shirt", 0.2], ["pants", 0.1]]},
    }
    upload.chosen_garment, upload.chosen_reading = 2, shoe["reading"]
    upload.detected_slot, upload.detected_type, upload.detected_color = "shoes", "shoes", "gray"
    upload.save()
    page = Client().get(f"/recommend/{upload.public_id}/?lang=en")
    assert page.context["type_choices"] == ["shoes"] and page.context["slot_choices"] == ["shoes"]
    assert "kind" in [row["field"] for row in page.context["attribute_rows"]]  # boots, heels … one tap each

    # A bottom whose crop reads the shoes below it: pants first, then the usual bottoms (a skirt, shorts).
    bottom = {**shoe, "slot": "bottom", "box": [0.3, 0.45, 0.7, 0.8]}
    bottom["reading"] = {
        **shoe["reading"],
        "slot": {"label": "bottom", "confidence": 0.8, "top3": [["bottom", 0.8], ["shoes", 0.15], ["top", 0.05]]},
        "type": {"label": "pants", "confidence": 0.8, "top3": [["pants", 0.8], ["shoes", 0.1], ["longsleeve", 0.05]]},
    }
    upload.detection["garments"][2] = bottom
    upload.chosen_reading = bottom["reading"]
    upload.detected_slot, upload.detected_type = "bottom", "pants"
    upload.save()
    page = Client().get(f"/recommend/{upload.public_id}/?lang=en")
    assert page.context["type_choices"] == ["pants", "skirt", "shorts"]
    assert page.context["slot_choices"] == ["bottom", "one_piece"]
    correction_create(upload=upload, type="longsleeve")  # she says it is a top: hers, and shown as the current one
    page = Client().get(f"/recommend/{upload.public_id}/?lang=en")
    assert page.context["type_choices"] == ["pants", "longsleeve", "skirt"]
    assert 'class="chip current" type="submit" name="type" value="longsleeve"' in page.content.decode()

    # A photo of one garment keeps the CNN's own top 3.
    flat, _ = upload_create(image_file=outfit_photo())
    flat.detection = {**flat.detection, **bottom["reading"], "garments": []}
    flat.chosen_garment, flat.chosen_reading = None, None
    flat.save()
    assert Client().get(f"/recommend/{flat.public_id}/").context["type_choices"] == ["pants", "shoes", "longsleeve"]


def test_a_skirt_listed_in_a_whole_outfit_photo_is_asked_about_with_dress_offered_next():
    """A skirt found in a whole-outfit photo is often a dress's lower half (10 of 32 on the co-parsing validation
    photos, 13 skirts): the page asks, top or none above it, and offers "Dress" right after "Skirt"."""
    for with_top in (True, False):
        upload = _dress_listed_under_a_top(with_top=with_top)
        index = upload.chosen_garment
        skirt = upload.detection["garments"][index]
        reading = {**skirt["reading"], "slot": {"label": "bottom", "confidence": 0.95, "top3": [["bottom", 0.95]]}}
        reading["type"] = {"label": "skirt", "confidence": 0.9, "top3": [["skirt", 0.9], ["shorts", 0.05]]}
        upload.detection["garments"][index] = {**skirt, "slot": "bottom", "type": "skirt", "reading": reading}
        upload.chosen_reading = reading
        upload.detected_slot, upload.detected_type = "bottom", "skirt"
        upload.save()
        answer = upload_answer(upload=upload)
        assert "type" in answer.uncertain_heads and answer.type_alternatives == list(SKIRT_OF_A_DRESS_ALTERNATIVES)
        page = Client().get(f"/recommend/{upload.public_id}/?lang=en")
        html = page.content.decode()
        assert "what looks like a skirt is often the lower half of a dress" in html and 'class="correct" open' in html
        assert "a dress often turns out" not in html
        assert page.context["type_choices"] == ["skirt", "dress", "shorts"]
        korean = Client().get(f"/recommend/{upload.public_id}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
        assert "원피스의 아랫부분인 경우가 많아요" in korean
    body = APIClient().post(f"/api/v1/recommendations/{upload.public_id}/choice/", {"garment": index}, format="json")
    detected = body.json()["detected"]
    assert "type" in detected["uncertain"] and detected["type_alternatives"] == ["dress"]
    assert detected["type_question"] == "skirt_or_dress"
    # She says it is a dress: the looks are a dress's, and nothing more is asked.
    correction_create(upload=upload, type="dress")
    answer = upload_answer(upload=upload)
    assert (answer.tag.type, answer.tag.slot) == ("dress", "one_piece") and answer.type_alternatives == []
    assert "type" not in answer.uncertain_heads


def test_an_outfit_boards_pieces_are_read_as_laid_flat_not_worn():
    """The same listing as an outfit board's (photos of pieces laid flat, classifier.regions.board_cells): a skirt on
    a board is no dress's lower half, a dress no long skirt on a model, so nothing is asked; and a kids' piece keeps
    its own audience (a worn garment's crop drops "kids", a board's photo does not)."""
    upload = _dress_listed_under_a_top()
    assert type_question(upload) == "dress_or_bottom"
    upload.detection = {**upload.detection, "board": True}
    kids = {"label": "kids", "confidence": 0.9, "top3": [["kids", 0.9], ["women", 0.1]]}
    upload.detection["garments"][1]["reading"]["audience"] = kids
    upload.chosen_reading = None
    upload.save()
    assert type_question(upload) == ""
    assert upload_reading(upload)["audience"]["label"] == "kids"
    upload.detection = {**upload.detection, "board": False}
    upload.save()
    assert upload_reading(upload)["audience"]["label"] != "kids"


def test_a_dress_listed_without_a_top_or_in_a_box_the_shopper_drew_is_asked_about():
    """A one-piece listed with no top is more often a skirt or trousers (10 of 13 on the validation photos and their
    shop-like framings): asked as a dress worn by a person. A box she draws herself is read by the same network,
    which reads 0306's red skirt boxed by hand as a dress at 0.94: a one-piece in a box drawn below the top is asked
    about as one under a top, one in any other box as a dress worn; a box read as anything else is not asked about."""
    alone = upload_answer(upload=_dress_listed_under_a_top(with_top=False))
    assert alone.type_question == "worn_dress" and alone.type_alternatives == list(WORN_DRESS_ALTERNATIVES)
    assert "type" in alone.uncertain_heads  # however sure (0.93)
    drawn = _dress_listed_under_a_top()  # the pink top's box spans 0.2-0.4 of the photo's height
    drawn.chosen_garment, drawn.crop_box = None, [0.3, 0.35, 0.7, 0.7]
    drawn.save()
    answer = upload_answer(upload=drawn)
    assert answer.type_question == "dress_or_bottom" and "type" in answer.uncertain_heads
    assert answer.type_alternatives == list(DRESS_UNDER_A_TOP_ALTERNATIVES)
    page = Client().get(f"/recommend/{drawn.public_id}/?lang=en")
    assert "a dress often turns out to be a skirt or pants" in page.content.decode()
    # The garments found stay outlined (none chosen), and her box is outlined as what was read.
    outlines = page.context["outlines"]
    assert [o["chosen"] for o in outlines] == [False, False, False, True]
    assert outlines[-1] == {"x": 30.0, "y": 35.0, "width": 40.0, "height": 35.0, "chosen": True}
    drawn.crop_box = [0.3, 0.25, 0.7, 0.7]  # from above the top's middle: the dress she may have boxed whole
    drawn.save()
    assert upload_answer(upload=drawn).type_question == "worn_dress"
    drawn.chosen_reading = {**drawn.chosen_reading, "slot": {"label": "bottom", "confidence": 0.9, "top3": []}}
    drawn.save()
    assert upload_answer(upload=drawn).type_question == ""
    flat = _dress_listed_under_a_top()
    flat.chosen_garment, flat.crop_box = None, [0.3, 0.35, 0.7, 0.7]
    flat.detection = {**flat.detection, "garments": []}  # a garment laid flat: nobody wears it
    flat.save()
    assert upload_answer(upload=flat).type_question == ""


def _upload_read_as(audience: dict) -> ShopperUpload:
    """A grey top, stored with the CNN's reading of who it is for replaced by `audience`."""
    image = Image.new("RGB", (80, 100), (142, 142, 142))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    upload, _ = upload_create(image_file=SimpleUploadedFile("tee.png", buffer.getvalue(), "image/png"))
    upload.detection = {**upload.detection, "audience": audience}
    upload.save()
    return upload


def test_an_unsure_kids_reading_puts_kids_pieces_first_without_claiming_it_is_a_kids_piece(settings):
    """The striped tee read "kids" at 0.55, below the 0.6 threshold: audience stays unknown (nothing is excluded and
    nothing says "for kids"), but kids' pieces lead the list and the looks; one tap on "Women" makes it hard."""
    settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS = {**settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS, "audience": 0.6}
    for audience in ("kids", "women", "men"):
        garment_factory(type="pants", color="black", audience=audience, name=f"{audience} black pants")
        garment_factory(type="shoes", color="white", audience=audience, kind="sneakers", name=f"{audience} sneakers")
    guess = {"label": "kids", "confidence": 0.55, "top3": [["kids", 0.55], ["women", 0.3], ["men", 0.1]]}
    upload = _upload_read_as(guess)
    answer = upload_answer(upload=upload)
    assert answer.tag.audience == "" and answer.tag.slot == "top"
    items = [item.garment.audience for item in answer.recommendation.items]
    assert items[:2] == ["kids", "kids"] and set(items) == {"kids", "women", "men"}  # first, not only
    assert answer.recommendation.outfits[0].pieces and {
        g.audience for g in answer.recommendation.outfits[0].pieces
    } == {"kids"}
    page = Client().get(f"/recommend/{upload.public_id}/")
    assert page.context["recommendation"].items[0].garment.audience == "kids"
    assert "Kids" not in [row.value for row in page.context["attributes"]]  # a guess is not shown as read
    # The same tags guessed for an adult (another upload, so the cached answer must not be reused): adults first.
    adult = _upload_read_as({"label": "women", "confidence": 0.5, "top3": [["women", 0.5], ["kids", 0.3]]})
    assert upload_answer(upload=adult).recommendation.items[0].garment.audience == "women"
    # The shopper's tap wins over the guess: women's (and unisex) pieces only.
    body = (
        APIClient()
        .post(f"/api/v1/recommendations/{upload.public_id}/correction/", {"audience": "women"}, format="json")
        .json()
    )
    assert {item["name"] for item in body["items"]} == {"women black pants", "women sneakers"}


def test_an_unsure_pattern_is_shown_as_a_guess_and_an_unsure_audience_is_not(settings):
    """The shopper checks the pattern with the type and colour ("a red skirt, solid"): read below its threshold it is
    still on the page, marked as not sure (in Korean too), and unknown to the coordination; once she sets it, or when
    it is read surely, it is shown plainly. An unsure audience is never shown (a guess about the shopper)."""
    settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS = {**settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS, "pattern": 0.7}
    upload = _upload_read_as({"label": "kids", "confidence": 0.4, "top3": [["kids", 0.4], ["women", 0.35]]})
    upload.detection = {
        **upload.detection,
        "pattern": {"label": "solid", "confidence": 0.67, "top3": [["solid", 0.67], ["pattern", 0.33]]},
    }
    upload.save()
    assert upload_answer(upload=upload).tag.pattern == ""
    client = Client()
    page = client.get(f"/recommend/{upload.public_id}/")
    rows = {str(row.label): row for row in page.context["attributes"]}
    assert (rows["Pattern"].value, rows["Pattern"].unsure) == ("Solid", 0.67) and "For" not in rows
    html = page.content.decode()
    assert '<dd class="attribute unsure">Solid <small>not sure, 67%</small></dd>' in html
    korean = client.get(f"/recommend/{upload.public_id}/", headers={"accept-language": "ko"}).content.decode()
    assert "확실하지 않음, 67%" in korean
    # Read surely: plain.
    upload.detection = {**upload.detection, "pattern": {"label": "pattern", "confidence": 0.9}}
    upload.save()
    rows = {str(row.label): row for row in client.get(f"/recommend/{upload.public_id}/").context["attributes"]}
    assert (rows["Pattern"].value, rows["Pattern"].unsure) == ("Patterned", None)
    # Set by the shopper over an unsure reading: plain, as she set it.
    upload.detection = {**upload.detection, "pattern": {"label": "pattern", "confidence": 0.6}}
    upload.save()
    client.post(f"/recommend/{upload.public_id}/correct/", {"pattern": "solid"})
    rows = {str(row.label): row for row in client.get(f"/recommend/{upload.public_id}/").context["attributes"]}
    assert (rows["Pattern"].value, rows["Pattern"].unsure) == ("Solid", None)


def test_an_unsure_audience_is_asked_beside_the_reading_and_one_tap_answers_it(settings):
    """A man's grey top read "women" at 0.53 (below the audience threshold): the page shows no guess, but asks beside
    the reading, "For: Women · Men · Kids"; his tap on "Men" corrects the audience alone (type and colour as read),
    the suggestions turn to men's and unisex pieces, and the question is gone. Read surely, it is not asked; in
    Korean it asks in Korean."""
    for audience in ("women", "men", "unisex"):
        garment_factory(type="shirt", color="white", audience=audience, name=f"{audience} white shirt")
        garment_factory(type="shoes", color="black", audience=audience, kind="flats", name=f"{audience} black shoes")
    upload = _upload_read_as({"label": "women", "confidence": 0.53, "top3": [["women", 0.53], ["men", 0.35]]})
    client = Client()
    page = client.get(f"/recommend/{upload.public_id}/")
    assert [code for code, _name in page.context["ask_audience"]] == ["women", "men", "kids"]
    html = page.content.decode()
    asked = html[html.index('id="ask-audience"') :]
    asked = asked[: asked.index("</dd>")]
    assert 'name="audience" value="men">Men</button>' in asked and "Tap who will wear it." in asked
    assert f'action="/recommend/{upload.public_id}/correct/"' in asked
    korean = client.get(f"/recommend/{upload.public_id}/", headers={"accept-language": "ko"}).content.decode()
    assert "누가 입을지 눌러 주세요" in korean
    before = (upload.detected_type, upload.detected_color)
    client.post(f"/recommend/{upload.public_id}/correct/", {"audience": "men"})
    page = client.get(f"/recommend/{upload.public_id}/")
    tag = page.context["recommendation"].tag
    assert (tag.audience, tag.type, tag.color) == ("men", *before)
    assert {item.garment.audience for item in page.context["recommendation"].items} <= {"men", "unisex"}
    assert not page.context["ask_audience"] and 'id="ask-audience"' not in page.content.decode()
    # With the correction panel open (an unsure colour), its own "For" row asks: not twice.
    unsure_colour = _upload_read_as({"label": "women", "confidence": 0.53, "top3": [["women", 0.53], ["men", 0.35]]})
    ShopperUpload.objects.filter(pk=unsure_colour.pk).update(color_confidence=0.2)
    page = client.get(f"/recommend/{unsure_colour.public_id}/")
    assert page.context["uncertain"] and 'id="ask-audience"' not in page.content.decode()
    assert 'id="correct-audience"' in page.content.decode()
    # Read surely: the page says it and asks nothing.
    sure = _upload_read_as({"label": "men", "confidence": 0.9, "top3": [["men", 0.9], ["unisex", 0.1]]})
    page = client.get(f"/recommend/{sure.public_id}/")
    assert not page.context["ask_audience"] and "Men" in [row.value for row in page.context["attributes"]]


def _photo_for_the_committed_model(settings, photo: Path, dataset_setting: str) -> Path:
    """`photo` of a shared dataset, with the committed model set to read it (skipped without the dataset)."""
    if not photo.is_file():
        pytest.skip(f"dataset not found ({dataset_setting}={getattr(settings, dataset_setting)!r})")
    settings.CLASSIFIER_BACKEND = "tflite"
    settings.CLASSIFIER_MODEL_DIR = Path(settings.BASE_DIR) / "classifier" / "artifacts" / "current"
    get_predictor.cache_clear()
    return photo


def _street_photo(settings, image_id: str = "0306") -> Path:
    """A co-parsing street photo."""
    folder = Path(settings.FASHION_COPARSING_DIR or "/nonexistent") / "photos"
    return _photo_for_the_committed_model(settings, folder / f"{image_id}.jpg", "FASHION_COPARSING_DIR")


def _cc0_photo(settings, image_id: str) -> Path:
    """A CC0 photo of the clothing dataset."""
    folder = Path(settings.FASHION_DATASET_DIR or "/nonexistent") / "images"
    return _photo_for_the_committed_model(settings, folder / f"{image_id}.jpg", "FASHION_DATASET_DIR")


@pytest.mark.real_model
def test_tapping_a_detected_garment_reads_the_crop_its_chip_was_named_from(settings):
    """Street photo 0306 of the co-parsing test split (a pink blouse, a red skirt, sandals), looked at, never tuned on:
    its skirt's chip said "Red skirt" but a tap read the bare box and called it brown (red 0.29 vs brown 0.24 at
    lite0-224-v6-int8). A tap now reads the chip's own crop (the box grown by CROP_MARGIN) with the photo's map: every
    chip, tapped, is read as its chip names it (type and colour), and as a grown-up's piece."""
    photo = _street_photo(settings)
    try:
        api = APIClient()
        upload = SimpleUploadedFile("street.jpg", photo.read_bytes(), "image/jpeg")
        body = api.post("/api/v1/recommendations/", {"image": upload}, format="multipart").json()
        chips = body["detected"]["garments"]
        assert len(chips) >= 3, [(chip["type"], chip["color"]) for chip in chips]
        for index, chip in enumerate(chips):
            answer = api.post(
                f"/api/v1/recommendations/{body['upload_id']}/choice/", {"garment": index}, format="json"
            ).json()
            assert answer["detected"]["type"] == chip["type"], (answer["detected"], chip)
            assert answer["detected"]["color"] == chip["color"], (answer["detected"], chip)
            # The crop alone read this woman's skirt as kids' at 0.62; what she wears is matched as an adult's.
            upload = ShopperUpload.objects.get(public_id=body["upload_id"])
            reading = upload.chosen_reading
            assert reading["audience"]["label"] != "kids", reading["audience"]
            assert dict(reading_leaning(reading).guess("audience") or ()).get("kids", 0.0) == 0.0
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_a_mans_all_black_outfit_is_matched_with_mens_pieces_whichever_garment_he_taps(settings):
    """Street photo 0043 of the co-parsing test split (a man in a black sweater, trousers and coat): the crops alone
    read women's (0.55-0.77) and his shoes kids' (0.88), so he was offered heels. The whole photo reads a man's
    clothes: every garment he taps is matched as men's, and no women's or kids' piece is suggested."""
    for audience in ("women", "men", "unisex", "kids"):
        garment_factory(type="shirt", color="white", audience=audience, name=f"{audience} white shirt")
        garment_factory(type="pants", color="gray", audience=audience, name=f"{audience} gray trousers")
        garment_factory(type="shoes", color="black", audience=audience, kind="boots", name=f"{audience} boots")
    photo = _street_photo(settings, "0043")
    try:
        api = APIClient()
        upload = SimpleUploadedFile("street.jpg", photo.read_bytes(), "image/jpeg")
        body = api.post("/api/v1/recommendations/", {"image": upload}, format="multipart").json()
        assert body["detected"]["wearer"]["label"] == "men", body["detected"]["wearer"]
        chips = body["detected"]["garments"]
        assert len(chips) >= 3, [(chip["slot"], chip["type"]) for chip in chips]
        for index in range(len(chips)):
            answer = api.post(
                f"/api/v1/recommendations/{body['upload_id']}/choice/", {"garment": index}, format="json"
            ).json()
            assert answer["detected"]["audience"]["label"] == "men", (index, answer["detected"]["audience"])
            suggested = [item["name"] for item in answer["items"]]
            assert suggested and all(name.split()[0] in ("men", "unisex") for name in suggested), suggested
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_a_whole_outfit_photo_opens_on_a_garment_its_crop_reads_not_the_maps_dress_over_a_top_and_trousers(settings):
    """Co-parsing validation photo 0010 (a striped lace top over a long gray skirt, read as gray trousers): the map also
    lists a "Gray dress" spanning both, the largest box, whose crop reads it as trousers; the page opened on "Dress
    4%". It now opens on the largest top or bottom whose crop reads its slot surely: the top under lite0-224-v14, the
    skirt (as trousers, its crop 0.89) under v15, whose map boxes the skirt larger; never on that dress."""
    photo = _street_photo(settings, "0010")
    try:
        upload = SimpleUploadedFile("street.jpg", photo.read_bytes(), "image/jpeg")
        body = APIClient().post("/api/v1/recommendations/", {"image": upload}, format="multipart").json()
        garments = body["detected"]["garments"]
        slots = [chip["slot"] for chip in garments]
        assert "one_piece" in slots and "bottom" in slots, slots
        chosen = garments[body["detected"]["chosen_garment"]]
        assert chosen["slot"] in ("top", "bottom") and body["detected"]["slot"] == chosen["slot"], chosen
        top = next(chip for chip in garments if chip["slot"] == "top")
        assert top["type"] == "longsleeve", top
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_a_shops_waist_down_photo_of_trousers_opens_on_the_trousers(settings):
    """Co-parsing validation photo 0541 framed from the waist down and cut out onto a studio backdrop, as a shop shoots
    trousers on a model: the page opens on the trousers. Up to lite0-224-v16 the map listed a "top" over the hips,
    larger than the trousers, which its crop barely reads as a top, and the page opened on that "top" until the surer
    reading came first (services.default_garment, unit-tested above). lite0-224-v17's map, trained on studio
    backdrops too, listed no top there; v18's lists one again, and the page still opens on the trousers."""
    photo = _street_photo(settings, "0541")
    root = photo.parent.parent
    outfit = next(o for o in worn_outfits(root, "validation", with_color=False) if o.image_id == "0541")
    framing = next(f for f in product_framings(outfit) if f.kind == "lower")
    shot = framed_photo(studio_version(root, "0541"), framing.box)
    buffer = io.BytesIO()
    shot.save(buffer, "PNG")
    try:
        upload = SimpleUploadedFile("shop.png", buffer.getvalue(), "image/png")
        body = APIClient().post("/api/v1/recommendations/", {"image": upload}, format="multipart").json()
        garments = body["detected"]["garments"]
        assert "bottom" in {g["slot"] for g in garments}, garments
        chosen = garments[body["detected"]["chosen_garment"]]
        assert chosen["slot"] == body["detected"]["slot"] == "bottom" and chosen["type"] == "pants", garments
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_a_shops_photo_of_a_blazer_on_a_model_opens_on_the_blazer(settings):
    """Co-parsing validation photo 0085 framed from the head to below the blazer's hem and cut out onto a studio
    backdrop, as a shop shoots a blazer on a model: the map lists the shirt under it and the blazer, and the page
    opened on the shirt (any top, bottom or one-piece came first). It now opens on the blazer, read surely and far
    larger than the shirt."""
    photo = _street_photo(settings, "0085")
    root = photo.parent.parent
    outfit = next(o for o in worn_outfits(root, "validation", with_color=False) if o.image_id == "0085")
    framing = next(f for f in product_framings(outfit) if f.kind == "outer")
    assert framing.garment.label == "blazer"
    buffer = io.BytesIO()
    framed_photo(studio_version(root, "0085"), framing.box).save(buffer, "PNG")
    try:
        upload = SimpleUploadedFile("shop.png", buffer.getvalue(), "image/png")
        body = APIClient().post("/api/v1/recommendations/", {"image": upload}, format="multipart").json()
        garments = body["detected"]["garments"]
        assert {"top", "outer"} <= {g["slot"] for g in garments}, garments
        chosen = garments[body["detected"]["chosen_garment"]]
        assert chosen["slot"] == body["detected"]["slot"] == "outer", garments
        assert body["detected"]["type"] in ("blazer", "outwear")
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_evaluate_default_garment_counts_every_photo_read_as_an_outfit(settings, tmp_path):
    root = _street_photo(settings, "0010").parent.parent
    out = tmp_path / "default.json"
    try:
        call_command(
            "evaluate_default_garment", coparsing_dir=str(root), split="validation", limit=8, json_path=str(out)
        )
    finally:
        get_predictor.cache_clear()
    figures = json.loads(out.read_text())
    assert figures["photos_read"] == 8
    largest, default = figures["largest"], figures["default"]
    assert 2 <= largest["photos"] == default["photos"] <= 8  # the same outfit photos, judged both ways
    for way in (largest, default):
        slots = {k: v for k, v in way.items() if k.startswith("slot_") and k != "slot_tagged" and "share" not in k}
        assert way["photos"] == sum(slots.values()), way
        assert 0 <= way["slot_tagged"] <= way["photos"] and way["pixel_photos"] <= way["photos"]
    framings = figures["framings"]
    pixel_photos = [o for o in worn_outfits(root, "validation", with_color=False)[:8] if o.annotation == "pixel"]
    assert pixel_photos
    # each framing of those photos, as shot and on a studio backdrop
    assert sum(t["framings"] for t in framings.values()) == 2 * sum(len(product_framings(o)) for o in pixel_photos)
    for tally in framings.values():
        assert max(tally.get("largest", 0), tally.get("default", 0)) <= tally.get("outfits", 0) <= tally["framings"]


@pytest.mark.real_model
@pytest.mark.xfail(
    strict=True,
    reason="issue 9's acceptance case, not met by lite0-224-v19 (v18 with an orientation branch), "
    "nor v18 (v16 with its map trained on studio backdrops and "
    "other light too; nor v17, nor v16, v15 with a colour branch for other light; nor v15, "
    "nor v14, v13 with a worn-shoe branch, nor v12): its map "
    "takes the red skirt for part of a dress (chip 'Red dress'); every candidate of 1 Dec read the skirt's own crop "
    "as a dress too (0.65-0.79). Of "
    "the 3 Dec tries on the corrected co-parsing labels (v13's backbone, heads and map trained again, five seeds), "
    "two list 'Red skirt' and three a dress; all are worse on validation elsewhere (classifier/NOTEBOOK.md), so "
    "none is served. A one-piece beside a top is listed as a bottom when its crop gives one at 0.1 or more (3 Dec): "
    "0306's gives skirt 0.035; the part below the blouse reads skirt 0.64, as the lower half of most dresses under a "
    "top does (4 Dec)",
)
def test_the_mirror_photo_of_issue_9_lists_its_skirt_as_a_red_solid_skirt(settings):
    """Street photo 0306 (co-parsing test split; a pink blouse, a red skirt, espadrilles), the issue's "taps the skirt,
    and gets it read correctly (type, colour, pattern)". Strict: when a model lists the skirt right, this passes and
    the marker must go."""
    photo = _street_photo(settings)
    try:
        upload = SimpleUploadedFile("street.jpg", photo.read_bytes(), "image/jpeg")
        body = APIClient().post("/api/v1/recommendations/", {"image": upload}, format="multipart").json()
        chips = [(chip["type"], chip["color"], chip["pattern"]) for chip in body["detected"]["garments"]]
        assert ("skirt", "red", "solid") in chips, chips
    finally:
        get_predictor.cache_clear()


def _asked_about_the_dress_then_tapped_skirt(client: Client, upload: ShopperUpload, result: str):
    """The result page asks whether the "dress" under a top is a skirt or trousers, offering "Skirt" among the first
    three; she taps it, and the page after is a red skirt's (returned)."""
    asked = client.get(result)
    assert "a dress often turns out to be a skirt or pants" in asked.content.decode()
    assert "skirt" in asked.context["type_choices"][:3]
    client.post(f"/recommend/{upload.public_id}/correct/", {"type": "skirt"})
    page = client.get(result)
    tag = page.context["recommendation"].tag
    assert (tag.type, tag.slot, tag.color) == ("skirt", "bottom", "red")
    return page


@pytest.mark.real_model
def test_a_skirt_listed_as_a_dress_is_one_tap_from_a_skirts_looks(settings):
    """Where the model misreads 0306's red skirt as a dress (above), the page gets the shopper there: on the red
    garment it asks whether this "dress" under a top is a skirt or trousers, she taps "Skirt", and the suggestions
    are for a red skirt (tops among them), and the page says it is solid."""
    photo = _street_photo(settings)
    garment_factory(type="t-shirt", color="white", audience="women")
    garment_factory(type="dress", color="black", audience="women")
    garment_factory(type="shoes", color="black", audience="women", kind="sandals")
    try:
        client = Client()
        image = SimpleUploadedFile("street.jpg", photo.read_bytes(), "image/jpeg")
        result = client.post("/recommend/?lang=en", {"image": image})["Location"]
        upload = ShopperUpload.objects.get()
        chips = upload.detection["garments"]
        red = [i for i, chip in enumerate(chips) if chip["color"] == "red"]
        assert red, [(chip["type"], chip["color"]) for chip in chips]
        client.post(f"/recommend/{upload.public_id}/choose/", {"garment": str(red[0])})
        page = _asked_about_the_dress_then_tapped_skirt(client, upload, result)
        suggested = {item.garment.type for item in page.context["recommendation"].items}
        assert "t-shirt" in suggested and "dress" not in suggested, suggested
        # The reading the shopper checks: a red skirt, solid (as its chip was read: 0.71, surely; shown plainly).
        assert "Solid" in [row.value for row in page.context["attributes"] if str(row.label) == "Pattern"]
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_a_mirror_selfie_of_issue_9_lists_the_red_skirt_and_one_tap_reads_it(settings):
    """Street photo 0306 as a mirror shows it: mirrored, the shopper's phone over her face (classifier.occluders, one
    fixed phone). lite0-224-v14 listed only a red dress and sandals there (a bottom with 8 of 20 such phones); v15,
    whose outfit map has seen phones, lists the blouse, the red skirt, the dress and the sandals (a bottom with 18 of
    20). She taps "Red skirt": the page reads a red, solid skirt, and tops are among its suggestions."""
    street = _street_photo(settings)
    mask = read_mask(street.parent.parent, "0306")
    with Image.open(street) as opened:
        photo = occlude(opened.convert("RGB"), mask, photo_rng("0306", "review"), "face")
    buffer = io.BytesIO()
    photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(buffer, "JPEG", quality=92)
    garment_factory(type="t-shirt", color="white", audience="women")
    garment_factory(type="dress", color="black", audience="women")
    garment_factory(type="shoes", color="black", audience="women", kind="sandals")
    try:
        client = Client()
        image = SimpleUploadedFile("mirror.jpg", buffer.getvalue(), "image/jpeg")
        result = client.post("/recommend/?lang=en", {"image": image})["Location"]
        upload = ShopperUpload.objects.get()
        chips = detected_garments(upload.detection)  # as the page names them: each read in its own slot
        skirts = [
            i
            for i, chip in enumerate(chips)
            if (chip["slot"], chip["type"], chip["color"]) == ("bottom", "skirt", "red")
        ]
        assert skirts, [(chip["slot"], chip["type"], chip["color"]) for chip in chips]
        client.post(f"/recommend/{upload.public_id}/choose/", {"garment": str(skirts[0])})
        page = client.get(result)
        read = page.context["recommendation"].tag
        assert (read.type, read.color) == ("skirt", "red")
        assert "Solid" in [row.value for row in page.context["attributes"] if str(row.label) == "Pattern"]
        suggested = {item.garment.type for item in page.context["recommendation"].items}
        assert "t-shirt" in suggested and "dress" not in suggested, suggested
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_a_tall_phone_photo_of_issue_9s_outfit_lists_her_sandals(settings):
    """Street photo 0306 as a 9:16 phone frames it (its sides cut, 225x400): the model's own trim to 4:3 would drop
    the bottom eighth, her espadrilles with it, and the blouse and the red garment were all it listed. Read as a
    street photo is framed (regions.street_view), the API lists beige sandals too, boxed at her feet."""
    street = _street_photo(settings)
    with Image.open(street) as opened:
        photo, _mask = reframed(opened.convert("RGB"), read_mask(street.parent.parent, "0306"), 16 / 9)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92)
    try:
        upload = SimpleUploadedFile("phone.jpg", buffer.getvalue(), "image/jpeg")
        body = APIClient().post("/api/v1/recommendations/", {"image": upload}, format="multipart").json()
        garments = body["detected"]["garments"]
        listed = {(g["slot"], g["color"]) for g in garments}
        assert {("top", "pink"), ("shoes", "beige")} <= listed, garments
        assert any(g["color"] == "red" and g["slot"] in ("bottom", "one_piece") for g in garments), garments
        shoes = next(g for g in garments if g["slot"] == "shoes")
        assert shoes["kind"] == "sandals" and shoes["box"][1] > 0.6 and shoes["box"][3] == 1.0, shoes
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_a_screenshot_of_issue_9s_outfit_from_a_social_app_lists_her_garments_on_the_photo(settings):
    """Street photo 0306 saved as a screenshot of a social app: status bar, header, icons and caption around the
    photo (classifier.evaluation.app_screenshot). Read whole, the screenshot listed her blouse and a red dress
    but no shoes (0.43-0.46 of the garments of the validation photos so shown were found; classifier/NOTEBOOK.md). Read
    from the photo inside it, the API lists her pink blouse, the red skirt or dress and her beige shoes, as for the
    photo alone, each boxed on the photo's part of the screenshot."""
    street = _street_photo(settings)
    with Image.open(street) as opened:
        photo = opened.convert("RGB")
    screen, _mask, (_left, top, _right, bottom) = app_screenshot(photo)

    def listed(image: Image.Image) -> list[dict]:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=92)
        upload = SimpleUploadedFile("saved.jpg", buffer.getvalue(), "image/jpeg")
        body = APIClient().post("/api/v1/recommendations/", {"image": upload}, format="multipart").json()
        return body["detected"]["garments"]

    try:
        for garments in (listed(photo), shown := listed(screen)):
            colours = {(g["slot"], g["color"]) for g in garments}
            assert {("top", "pink"), ("shoes", "beige")} <= colours, garments
            assert any(g["color"] == "red" and g["slot"] in ("bottom", "one_piece") for g in garments), garments
        for garment in shown:
            _x0, y0, _x1, y1 = garment["box"]
            assert top / screen.height - 0.01 <= y0 < y1 <= bottom / screen.height + 0.01, garment
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_issue_9s_outfit_beside_a_friend_lists_her_garments_and_says_someone_else_is_there(settings):
    """Street photo 0306 with test photo 0017 beside it, a step behind her (at 0.8 of her height, on the colour of its
    top row), as two friends in one photo. Read whole, it listed no garment at all (its map mixed the two); read as
    the outfit of the one with the most garments seen (regions.person_view), the API lists her pink blouse,
    red skirt or dress and beige shoes, all on her half, and says one other person is there. The page says so too,
    in English and Korean, and tells how to read the other's outfit."""
    with Image.open(_street_photo(settings)) as opened:
        her = opened.convert("RGB")
    with Image.open(_street_photo(settings, "0017")) as opened:
        height = round(0.8 * her.height)
        friend = opened.convert("RGB").resize((round(opened.width * height / opened.height), height))
    behind = friend.getpixel((friend.width // 2, 0))
    both = Image.new("RGB", (her.width + friend.width, her.height), behind)
    both.paste(her, (0, 0))
    both.paste(friend, (her.width, her.height - height))
    buffer = io.BytesIO()
    both.save(buffer, "JPEG", quality=92)

    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile("friends.jpg", buffer.getvalue(), "image/jpeg")

    try:
        detected = APIClient().post("/api/v1/recommendations/", {"image": upload()}, format="multipart").json()
        detected = detected["detected"]
        garments = detected["garments"]
        assert detected["other_people"] == 1
        colours = {(g["slot"], g["color"]) for g in garments}
        assert {("top", "pink"), ("shoes", "beige")} <= colours, garments
        assert any(g["color"] == "red" and g["slot"] in ("bottom", "one_piece") for g in garments), garments
        assert all(g["box"][2] <= her.width / both.width + 0.02 for g in garments), garments
        for language, words in (("en", "Someone else is in your photo too"), ("ko", "사진에 다른 사람도 있어요")):
            client = Client()
            client.post("/i18n/setlang/", {"language": language, "next": "/"})
            result = client.post("/recommend/", {"image": upload()})["Location"]
            page = client.get(result).content.decode()
            assert 'id="people-caption"' in page and words in page
        # A box drawn around her friend reads the friend's outfit: the page no longer speaks of someone else.
        client = Client()
        result = client.post("/recommend/?lang=en", {"image": upload(), "box": "0.55,0.1,0.95,1"})["Location"]
        assert 'id="people-caption"' not in client.get(result).content.decode()
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_trousers_photographed_on_their_side_are_read_the_right_way_up_and_the_page_says_so(settings):
    """CC0 test photo 01033304 (black trousers laid flat), uploaded turned a quarter to the left and to the right, as
    a shopper holding the phone sideways over long trousers sends it. The API reads black trousers and says how far
    the photo lay turned; the page says it read the photo the right way up, in English and Korean. Uploaded upright,
    nothing is said."""
    with Image.open(_cc0_photo(settings, "01033304-f9a4-48c4-af65-677512880fae")) as opened:
        trousers = opened.convert("RGB")

    def upload(turn: int) -> SimpleUploadedFile:
        buffer = io.BytesIO()
        turned(trousers, turn).save(buffer, "JPEG", quality=90)
        return SimpleUploadedFile("trousers.jpg", buffer.getvalue(), "image/jpeg")

    try:
        for turn in (90, 270):
            body = APIClient().post("/api/v1/recommendations/", {"image": upload(turn)}, format="multipart").json()
            detected = body["detected"]
            assert detected["turned"] == turn
            assert (detected["slot"], detected["type"], detected["color"]) == ("bottom", "pants", "black")
        upright = APIClient().post("/api/v1/recommendations/", {"image": upload(0)}, format="multipart").json()
        assert upright["detected"]["turned"] == 0
        for language, words in (("en", "Your photo lies turned"), ("ko", "사진이 돌아가 있어서")):
            client = Client()
            client.post("/i18n/setlang/", {"language": language, "next": "/"})
            page = client.get(client.post("/recommend/", {"image": upload(90)})["Location"]).content.decode()
            assert 'id="turned-caption"' in page and words in page
        client = Client()
        page = client.get(client.post("/recommend/?lang=en", {"image": upload(0)})["Location"]).content.decode()
        assert 'id="turned-caption"' not in page
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_an_outfit_board_lists_each_photo_and_a_tap_matches_that_piece(settings):
    """A board saved from a shop (evaluation.outfit_board): CC0 test photos of a red t-shirt, black trousers and black
    shoes in a row with white gutters, saved as JPEG. Read whole, it was one garment, "pants"; read as a board
    (regions.board_cells), the API lists the three pieces on their own thirds, each read as a garment laid flat, and
    says it is a board. The page asks which piece to match in its own words, in English and Korean, and a tap on the
    trousers matches black trousers, read as laid flat (no question about a skirt under a top)."""
    ids = (
        "01fd527c-da05-4141-861c-3aaec8070601",
        "01033304-f9a4-48c4-af65-677512880fae",
        "07d88b75-85a4-407b-aa73-12294a2ff9a8",
    )
    photos = []
    for image_id in ids:
        with Image.open(_cc0_photo(settings, image_id)) as opened:
            photos.append(opened.convert("RGB"))
    board, _boxes = outfit_board(photos, (3, 1), gutter=0.04)
    buffer = io.BytesIO()
    board.save(buffer, "JPEG", quality=85)

    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile("board.jpg", buffer.getvalue(), "image/jpeg")

    garment_factory(type="pants", color="black")
    try:
        api = APIClient()
        body = api.post("/api/v1/recommendations/", {"image": upload()}, format="multipart").json()
        detected = body["detected"]
        assert detected["board"] is True and detected["other_people"] == 0
        listed = [(g["slot"], g["type"], g["color"]) for g in detected["garments"]]
        assert listed == [("top", "t-shirt", "red"), ("bottom", "pants", "black"), ("shoes", "shoes", "black")]
        for k, garment in enumerate(detected["garments"]):
            x0, _y0, x1, _y1 = garment["box"]
            assert k / 3 - 0.02 <= x0 < x1 <= (k + 1) / 3 + 0.02, garment
        picked = api.post(f"/api/v1/recommendations/{body['upload_id']}/choice/", {"garment": 1}, format="json").json()
        assert (picked["detected"]["slot"], picked["detected"]["type"], picked["detected"]["color"]) == (
            "bottom",
            "pants",
            "black",
        )
        assert picked["detected"]["type_question"] == ""
        for language, words in (
            ("en", "We see several pieces on this board"),
            ("ko", "코디 보드에 옷이 여러 벌 보여요"),
        ):
            client = Client()
            client.post("/i18n/setlang/", {"language": language, "next": "/"})
            page = client.get(client.post("/recommend/", {"image": upload()})["Location"]).content.decode()
            assert words in page and page.count('name="garment"') >= 3
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_a_skirt_boxed_by_hand_and_read_as_a_dress_is_one_tap_from_a_skirts_looks(settings):
    """She draws a box around 0306's red skirt, just below the blouse's knot, before uploading: the network reads it
    as a dress (0.94). The page asks as it does for a dress found under a top, and one tap on "Skirt" gives a red,
    solid skirt's suggestions."""
    photo = _street_photo(settings)
    garment_factory(type="t-shirt", color="white", audience="women")
    garment_factory(type="dress", color="black", audience="women")
    try:
        client = Client()
        image = SimpleUploadedFile("street.jpg", photo.read_bytes(), "image/jpeg")
        result = client.post("/recommend/?lang=en", {"image": image, "box": "0.32,0.36,0.69,0.65"})["Location"]
        upload = ShopperUpload.objects.get()
        assert upload.crop_box == [0.32, 0.36, 0.69, 0.65]
        read = client.get(result).context["recommendation"].tag
        assert read.color == "red"
        if read.slot == "one_piece":  # as lite0-224-v14 and v15 read it
            page = _asked_about_the_dress_then_tapped_skirt(client, upload, result)
        else:
            page = client.get(result)
            assert (page.context["recommendation"].tag.type, read.slot) == ("skirt", "bottom")
        assert "t-shirt" in {item.garment.type for item in page.context["recommendation"].items}
        assert "Solid" in [row.value for row in page.context["attributes"] if str(row.label) == "Pattern"]
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_a_mans_black_dress_shoes_are_not_listed_as_heels(settings):
    """Street photo 0252 (co-parsing validation split): a man in a gray sweater, black trousers and black lace-ups.
    The kind head alone reads the shoes as heels (0.35, boots 0.27); worn shoes' kinds are read again (the artifact's
    worn_kind), any heels on a man are listed by their next kind, and the page's chip never says "heels" (people
    see flats there; the reading says boots, 0.82)."""
    photo = _street_photo(settings, "0252")
    try:
        client = Client()
        image = SimpleUploadedFile("street.jpg", photo.read_bytes(), "image/jpeg")
        result = client.post("/recommend/?lang=en", {"image": image})["Location"]
        upload = ShopperUpload.objects.get()
        assert upload.detection["wearer"]["label"] == "men"
        shoes = [chip for chip in upload.detection["garments"] if chip["slot"] == "shoes"]
        assert len(shoes) == 1 and shoes[0]["kind"] in ("boots", "flats"), shoes
        page = client.get(result).content.decode()
        assert f"Black {shoes[0]['kind']}" in page and "Black heels" not in page
    finally:
        get_predictor.cache_clear()


def test_a_worn_garments_kids_reading_goes_to_the_adult_audiences():
    reading = {
        "type": {"label": "skirt", "confidence": 0.74, "top3": [["skirt", 0.74]]},
        "audience": {"label": "kids", "confidence": 0.6, "top3": [["kids", 0.6], ["women", 0.24], ["unisex", 0.12]]},
    }
    worn = worn_audience(reading)
    assert worn["type"] == reading["type"] and worn["audience"]["label"] == "women"
    assert worn["audience"]["confidence"] == pytest.approx(0.6)  # 0.24 / 0.4
    assert [code for code, _ in worn["audience"]["top3"]] == ["women", "unisex", "kids"]
    guess = dict(reading_leaning(worn).guess("audience"))
    assert guess["kids"] == 0.0 and guess["men"] == pytest.approx(0.1, abs=0.01)  # the 0.04 the top 3 left, / 0.4
    adult = {**reading, "audience": {"label": "men", "confidence": 0.8, "top3": [["men", 0.8], ["unisex", 0.2]]}}
    assert worn_audience(adult) == adult


def test_a_worn_garment_is_matched_for_the_wearer_the_photo_shows_when_it_was_read_surely():
    """The crop of a man's black trousers read women's (the audience head leans that way on worn crops); the whole
    photo read "men" at 0.93: the trousers are matched as men's. Without a wearer, the crop's own reading (no kids)."""
    reading = {
        "type": {"label": "pants", "confidence": 0.8, "top3": [["pants", 0.8]]},
        "audience": {"label": "women", "confidence": 0.71, "top3": [["women", 0.71], ["kids", 0.2], ["unisex", 0.05]]},
    }
    wearer = {"label": "men", "confidence": 0.93, "top3": [["men", 0.93], ["women", 0.07]]}
    worn = worn_audience(reading, wearer)
    assert worn["type"] == reading["type"] and worn["audience"]["label"] == "men"
    assert worn["audience"]["confidence"] == pytest.approx(0.93)
    assert reading_tag(worn).audience == "men"
    # A wearer read less surely than the tags' threshold orders the suggestions instead (women's first), as a guess.
    unsure = worn_audience(reading, {"label": "women", "confidence": 0.65, "top3": [["women", 0.65], ["men", 0.35]]})
    assert reading_tag(unsure).audience == ""
    guess = dict(reading_leaning(unsure).guess("audience") or ())
    assert guess["women"] == pytest.approx(0.65) and guess["men"] == pytest.approx(0.35) and guess["unisex"] == 0.0
    assert reading["audience"]["label"] == "women"  # the stored reading is left as it was
    assert worn_audience(reading, None)["audience"]["label"] == "women"
    assert worn_audience(reading, {"label": "kids", "confidence": 0.9})["audience"]["label"] == "women"  # not a wearer


def test_an_unsure_wearer_reading_is_a_guess_that_orders_the_suggestions_instead_of_the_crops_own_reading():
    """A man's shorts whose crop reads women's at 0.84 (street photo 0574), the whole photo read "men" at 0.75,
    below the probe's threshold for men: the shorts are not taken as a woman's. The wearer's reading is a guess,
    never read as sure however likely, and it orders the suggestions."""
    reading = {
        "type": {"label": "shorts", "confidence": 0.8, "top3": [["shorts", 0.8]]},
        "audience": {"label": "women", "confidence": 0.84, "top3": [["women", 0.84], ["unisex", 0.1]]},
    }
    guess = {"label": "men", "confidence": 0.75, "top3": [["men", 0.75], ["women", 0.25]]}
    assert photo_wearer({"wearer_guess": guess}) == {**guess, "guess": True}
    assert photo_wearer({"wearer": guess, "wearer_guess": {"label": "women"}}) == guess  # a sure reading wins
    assert photo_wearer({}) is None
    worn = worn_audience(reading, photo_wearer({"wearer_guess": guess}))
    assert reading_tag(worn).audience == ""  # 0.75 passes the tags' threshold (0.7), but a guess is never read
    leaning = dict(reading_leaning(worn).guess("audience"))
    assert leaning["men"] == pytest.approx(0.75) and leaning["women"] == pytest.approx(0.25)
    assert reading_tag(worn_audience(reading, None)).audience == "women"  # before: the crop's own reading


def test_a_man_unsure_to_the_probe_gets_mens_pieces_first(settings):
    """Through the API: a photo of someone wearing clothes whose wearer the probe read "men" unsurely; the tapped
    garment's crop reads women's. Men's and unisex pieces come before women's, which stay in the list (a guess
    only orders)."""
    for audience in ("women", "men", "unisex"):
        garment_factory(type="t-shirt", color="white", audience=audience, name=f"{audience} white tee")
        garment_factory(type="shoes", color="black", audience=audience, kind="sneakers", name=f"{audience} shoes")
    upload, _ = upload_create(image_file=outfit_photo())
    women = {"label": "women", "confidence": 0.9, "top3": [["women", 0.9], ["unisex", 0.1]]}
    garments = [{**g, "reading": {**g["reading"], "audience": women}} for g in upload.detection["garments"]]
    detection = {k: v for k, v in upload.detection.items() if k != "wearer"}
    guess = {"label": "men", "confidence": 0.7, "top3": [["men", 0.7], ["women", 0.3]]}
    upload.detection = {**detection, "garments": garments, "wearer_guess": guess}
    upload.save()
    body = APIClient().post(f"/api/v1/recommendations/{upload.public_id}/choice/", {"garment": 1}, format="json")
    assert body.status_code == 200, body.content
    detected = body.json()["detected"]
    assert detected["wearer"] is None  # the API names a wearer only when read surely
    assert detected["audience"]["label"] == "men" and not detected["audience"]["used"], detected["audience"]
    answer = upload_answer(upload=ShopperUpload.objects.get(pk=upload.pk))
    assert answer.tag.audience == ""
    audiences = [item.garment.audience for item in answer.recommendation.items]
    assert "women" in audiences, audiences
    first_womens = audiences.index("women")
    assert {"men", "unisex"} <= set(audiences[:first_womens]), audiences


def test_a_tapped_garment_and_a_drawn_box_on_a_person_take_the_wearer_and_the_api_says_who(settings):
    """A mirror photo read as an outfit, its wearer read "men": whichever garment she taps, or a box drawn on the
    person, is matched as men's, and only men's and unisex pieces are suggested. The API gives the wearer."""
    for audience in ("women", "men", "unisex", "kids"):
        garment_factory(type="t-shirt", color="white", audience=audience, name=f"{audience} white tee")
        garment_factory(type="shoes", color="black", audience=audience, kind="sneakers", name=f"{audience} shoes")
    upload, _ = upload_create(image_file=outfit_photo())
    women = {"label": "women", "confidence": 0.9, "top3": [["women", 0.9], ["unisex", 0.1]]}
    garments = [{**g, "reading": {**g["reading"], "audience": women}} for g in upload.detection["garments"]]
    wearer = {"label": "men", "confidence": 0.93, "top3": [["men", 0.93], ["women", 0.07]]}
    upload.detection = {**upload.detection, "garments": garments, "wearer": wearer}
    upload.save()
    api = APIClient()
    for choice in ({"garment": 1}, {"box": [0.0, 0.3, 1.0, 0.75]}):
        body = api.post(f"/api/v1/recommendations/{upload.public_id}/choice/", choice, format="json")
        assert body.status_code == 200, body.content
        detected = body.json()["detected"]
        assert detected["wearer"] == {"label": "men", "confidence": 0.93}
        assert detected["audience"]["label"] == "men" and detected["audience"]["used"], detected["audience"]
        answer = upload_answer(upload=ShopperUpload.objects.get(pk=upload.pk))
        assert answer.tag.audience == "men"
        pieces = [item.garment for item in answer.recommendation.items]
        assert pieces and {g.audience for g in pieces} <= {"men", "unisex"}, [g.name for g in pieces]
    # A garment laid flat has no wearer: the API says null.
    flat, _ = upload_create(image_file=SimpleUploadedFile("tee.png", _png((142, 142, 142)), "image/png"))
    assert "wearer" not in flat.detection
    assert detected_payload(upload_answer(upload=flat))["wearer"] is None


def _png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 100), color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_garment_read_from_a_photo_of_one_worn_garment_is_outlined_on_the_page_and_given_by_the_api():
    """A shop's photo of trousers on a model: the CNN read the trousers' region (worn_box), not the whole photo; the
    page outlines that region and says so, and the API returns it. A box the shopper drew replaces it."""
    upload, _ = upload_create(image_file=outfit_photo())
    upload.detection = {**upload.detection, "garments": [], "worn_box": [0.2, 0.3, 0.7, 0.9]}
    upload.chosen_garment, upload.crop_box = None, None
    upload.save()
    page = Client().get(f"/recommend/{upload.public_id}/?lang=en")
    outline = {"x": 20.0, "y": 30.0, "width": 50.0, "height": 60.0, "chosen": True}
    assert page.context["worn_outline"] == outline and page.context["outlines"] == [outline]
    html = page.content.decode()
    assert "We read the garment outlined on your photo." in html and 'class="chosen"' in html
    korean = Client().get(f"/recommend/{upload.public_id}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "사진에 테두리로 표시한 옷을 읽었어요." in korean
    choice = {"box": [0.1, 0.1, 0.9, 0.9]}
    body = APIClient().post(f"/api/v1/recommendations/{upload.public_id}/choice/", choice, format="json")
    assert body.status_code == 200, body.content
    assert body.json()["detected"]["worn_box"] == [0.2, 0.3, 0.7, 0.9]  # what the CNN read first, kept on record
    page = Client().get(f"/recommend/{upload.public_id}/")
    assert page.context["worn_outline"] is None  # her box is outlined now
    drawn = {"x": 10.0, "y": 10.0, "width": 80.0, "height": 80.0, "chosen": True}
    assert page.context["read_outline"] == drawn and page.context["outlines"] == [drawn]


def test_one_garment_on_a_model_read_as_a_dress_is_asked_about_with_skirt_and_trousers_offered_first():
    """A shop's photo of a long skirt on a model is read as a dress almost every time (issue 9): when the one garment
    read from a photo of someone wearing it (worn_box) is a one-piece, the page asks whether it is a skirt or trousers;
    her correction ends the question."""
    upload, _ = upload_create(image_file=outfit_photo())
    reading = {
        "slot": {"label": "one_piece", "confidence": 0.92, "top3": [["one_piece", 0.92], ["bottom", 0.06]]},
        "type": {"label": "dress", "confidence": 0.91, "top3": [["dress", 0.91], ["skirt", 0.06], ["body", 0.01]]},
        "color": {"label": "red", "confidence": 0.96, "top3": [["red", 0.96]]},
    }
    upload.detection = {**upload.detection, **reading, "garments": [], "worn_box": [0.2, 0.1, 0.8, 0.7]}
    upload.chosen_garment, upload.crop_box, upload.chosen_reading = None, None, None
    upload.detected_slot, upload.detected_type, upload.detected_color = "one_piece", "dress", "red"
    upload.type_confidence, upload.slot_confidence, upload.color_confidence = 0.91, 0.92, 0.96
    upload.save()
    answer = upload_answer(upload=upload)
    assert answer.type_question == "worn_dress" and answer.type_alternatives == list(WORN_DRESS_ALTERNATIVES)
    assert "type" in answer.uncertain_heads  # however sure the crop
    detected = detected_payload(answer)  # what the API returns for the upload
    assert detected["type_question"] == "worn_dress" and detected["type_alternatives"] == ["skirt", "pants"]
    assert DetectedSerializer(data=detected).is_valid(), DetectedSerializer(data=detected).errors
    page = Client().get(f"/recommend/{upload.public_id}/?lang=en")
    html = page.content.decode()
    assert "a long skirt or wide trousers are often read as a dress." in html and 'class="correct" open' in html
    assert "a dress often turns out" not in html and "lower half of a dress" not in html
    assert page.context["type_choices"] == ["dress", "skirt", "pants", "body"]
    korean = Client().get(f"/recommend/{upload.public_id}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "사람이 입은 긴 스커트나 와이드 팬츠는 원피스로 읽힐 때가 많아요" in korean
    # She taps "Skirt": a red skirt's looks, and nothing more is asked.
    correction_create(upload=upload, type="skirt")
    answer = upload_answer(upload=upload)
    assert (answer.tag.type, answer.tag.slot) == ("skirt", "bottom") and answer.type_question == ""
    assert answer.type_alternatives == [] and "type" not in answer.uncertain_heads
    # A box she draws is asked about as its own reading is: the fake CNN reads this one's bands as a top, so nothing
    # is asked. (Until then the API asks as the page does.)
    TagCorrection.objects.filter(upload=upload).delete()
    body = APIClient().post(f"/api/v1/recommendations/{upload.public_id}/choice/", {"garment": 0}, format="json")
    assert body.status_code == 400, body.content  # no garments listed to choose from
    body = APIClient().post(
        f"/api/v1/recommendations/{upload.public_id}/choice/", {"box": [0.2, 0.4, 0.8, 0.7]}, format="json"
    )
    assert body.status_code == 200, body.content
    assert body.json()["detected"]["slot"] == "top"
    assert body.json()["detected"]["type_alternatives"] == [] and body.json()["detected"]["type_question"] == ""


@pytest.mark.real_model
def test_a_shop_photo_of_trousers_on_a_model_is_read_from_the_trousers(settings):
    """Street photo 0043 (co-parsing test split) cut as a shop frames trousers on a model (from the waist down: a coat's
    hem, dark navy trousers, trainers, an umbrella): the trousers' region is read, not the whole photo; they come back
    as trousers of the colour a person sees (navy, or black) for an adult, outlined, with tops among the suggestions.
    The framing is nearly square, so it is read again through its street window (regions.street_view), which also
    finds the coat's hem: the trousers are then the garment chosen among those listed, not the one garment worn."""
    photo = _street_photo(settings, "0043")
    garment_factory(type="longsleeve", color="red", audience="unisex")
    try:
        framing = [
            f
            for o in worn_outfits(settings.FASHION_COPARSING_DIR, "test", annotation="pixel", with_color=False)
            if o.image_id == "0043"
            for f in product_framings(o)
        ]
        assert sorted(f.kind for f in framing) == ["lower", "outer"]  # the coat framed too, to below its hem
        framing = [f for f in framing if f.kind == "lower"]
        buffer = io.BytesIO()
        with Image.open(photo) as image:
            framed_photo(image.convert("RGB"), framing[0].box).save(buffer, format="JPEG", quality=90)
        upload = SimpleUploadedFile("shop.jpg", buffer.getvalue(), "image/jpeg")
        body = APIClient().post("/api/v1/recommendations/", {"image": upload}, format="multipart").json()
        detected = body["detected"]
        listed = detected["garments"]
        assert listed and detected["worn_box"] is None, detected
        assert (listed[detected["chosen_garment"]]["slot"], listed[detected["chosen_garment"]]["type"]) == (
            "bottom",
            "pants",
        )
        assert (detected["slot"], detected["type"]) == ("bottom", "pants"), detected
        assert seen_colour("0043", "pants", "test").names(detected["color"]), detected  # navy, or black
        assert body["tag"]["audience"] != "kids"  # the crop read them as kids', as it reads many worn garments
        assert "longsleeve" in {item["type"] for item in body["items"]}, body["tag"]
        page = Client().get(f"/recommend/{body['upload_id']}/?lang=en")
        chosen = [g for g in page.context["garments"] if g["chosen"]]
        assert len(chosen) == 1 and "pants" in chosen[0]["name"].lower(), page.context["garments"]
    finally:
        get_predictor.cache_clear()


def test_a_type_the_slot_gave_is_shown_without_a_confidence():
    """A garment held to its detector's slot whose crop named no type of that slot gets the slot's generic type at
    confidence 0 (reading_in_slot): the page names it and asks, but does not say "Dress 0%"."""
    upload = _dress_listed_under_a_top()
    upload.type_confidence = 0.0
    upload.save()
    html = Client().get(f"/recommend/{upload.public_id}/?lang=en").content.decode()
    detected_type = html.split('id="detected-type">', 1)[1].split("</dd>", 1)[0]
    assert detected_type == "Dress", detected_type
    upload.type_confidence = 0.93
    upload.save()
    html = Client().get(f"/recommend/{upload.public_id}/?lang=en").content.decode()
    assert html.split('id="detected-type">', 1)[1].split("</dd>", 1)[0] == "Dress <small>93%</small>"


@pytest.mark.real_model
def test_a_photographed_padded_vest_is_read_as_a_vest_and_kept_off_dresses_and_heels(settings):
    """A grey padded gilet of the CC0 test split: the artifact's outer-kind reading (classifier.outer_kinds) calls it
    a vest, the API says so and that it was used, and the suggestions follow the vest's style cells: no dress under
    it, no heels with it, while boots and a top remain."""
    photo = _cc0_photo(settings, "c830bb15-ad3b-406a-ab50-4d30e5b95a41")
    catalog = {
        name: garment_factory(type=type_code, color=color, kind=kind).id
        for name, type_code, color, kind in (
            ("dress", "dress", "black", ""),
            ("tee", "t-shirt", "white", ""),
            ("trousers", "pants", "black", ""),
            ("heels", "shoes", "black", "heels"),
            ("boots", "shoes", "black", "boots"),
        )
    }
    try:
        upload = SimpleUploadedFile("vest.jpg", photo.read_bytes(), "image/jpeg")
        body = APIClient().post("/api/v1/recommendations/", {"image": upload}, format="multipart").json()
        detected = body["detected"]
        assert (detected["type"], detected["kind"]["label"], detected["kind"]["used"]) == ("outwear", "vest", True)
        suggested = {item["id"] for item in body["items"]}
        assert {catalog["tee"], catalog["boots"]} <= suggested, (suggested, catalog)
        assert not {catalog["dress"], catalog["heels"]} & suggested, (suggested, catalog)
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_a_photographed_graphic_tee_is_read_as_a_print_and_gets_no_second_print(settings):
    """A black tee with a big fist and slogan (CC0 test split, labelled solid: the dataset's pattern label is about
    all-over patterns): the graphic probe (classifier.graphics) reads it patterned, the API says so and that it was
    used, and a patterned skirt is not suggested with it while a plain one is."""
    photo = _cc0_photo(settings, "7b016eb0-ff0d-4d43-8fff-008cb02f050c")
    plain = garment_factory(type="skirt", color="black", pattern="solid")
    printed = garment_factory(type="skirt", color="black", pattern="pattern")
    try:
        upload = SimpleUploadedFile("tee.jpg", photo.read_bytes(), "image/jpeg")
        body = APIClient().post("/api/v1/recommendations/", {"image": upload}, format="multipart").json()
        detected = body["detected"]
        assert (detected["type"], detected["pattern"]["label"], detected["pattern"]["used"]) == (
            "t-shirt",
            "pattern",
            True,
        )
        suggested = {item["id"] for item in body["items"]}
        assert plain.id in suggested and printed.id not in suggested, suggested
    finally:
        get_predictor.cache_clear()


@pytest.mark.real_model
def test_the_page_names_a_graphic_tee_a_graphic_print_until_the_shopper_names_its_pattern(settings):
    """The same slogan tee on the result page: the probe made it patterned, so the page says what it saw, "Pattern:
    Graphic print" (Korean "그래픽 프린트"), not "Patterned", which would send the shopper looking for stripes. A
    striped tee keeps "Patterned"; once the shopper sets the pattern herself, the page shows her word."""
    tee = _cc0_photo(settings, "7b016eb0-ff0d-4d43-8fff-008cb02f050c")
    client = Client()
    try:
        result = client.post("/recommend/", {"image": SimpleUploadedFile("tee.jpg", tee.read_bytes(), "image/jpeg")})
        page = client.get(result["Location"])
        rows = {row.label: row.value for row in page.context["attributes"]}
        assert rows["Pattern"] == "Graphic print", rows
        assert "Graphic print" in page.content.decode()
        korean = client.get(result["Location"], headers={"accept-language": "ko"}).content.decode()
        assert "그래픽 프린트" in korean
        upload = page.context["upload"]
        client.post(f"/recommend/{upload.public_id}/correct/", {"pattern": "pattern"})
        rows = {row.label: row.value for row in client.get(result["Location"]).context["attributes"]}
        assert rows["Pattern"] == "Patterned", rows
        client.post(f"/recommend/{upload.public_id}/correct/", {"pattern": "solid"})
        rows = {row.label: row.value for row in client.get(result["Location"]).context["attributes"]}
        assert rows["Pattern"] == "Solid", rows
        # A navy-and-white striped tee of the CC0 test split (colors.csv: pattern; classifier/tests/test_real_model.py).
        striped = _cc0_photo(settings, "05d01bf9-6ff5-4c5e-b946-b4ca004a125b")
        result = client.post(
            "/recommend/", {"image": SimpleUploadedFile("striped.jpg", striped.read_bytes(), "image/jpeg")}
        )
        rows = {row.label: row.value for row in client.get(result["Location"]).context["attributes"]}
        assert rows["Pattern"] == "Patterned", rows
    finally:
        get_predictor.cache_clear()
