"""Garment names from tags, as a Korean shop writes them."""

from __future__ import annotations

import importlib
import re
from dataclasses import replace

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from catalog.models import Garment
from catalog.naming import garment_name, garment_names, tag_label, tag_names, tags_in_korean
from catalog.starter_rules import starter_rules
from catalog.tags import Tag
from catalog.tests.factories import garment_factory, image_bytes, rule_factory
from classifier.predictor import get_predictor
from vocabulary import COLOR_CODES, COLORS, KINDS, PATTERN_CODES, SLOT_NAMES, TYPE_CODES, TYPES


@pytest.mark.parametrize(
    ("tags", "english", "korean"),
    [
        ({"type": "pants", "color": "black", "formality": "smart"}, "Black slacks", "블랙 슬랙스"),
        ({"type": "pants", "color": "black"}, "Black pants", "블랙 팬츠"),
        ({"type": "t-shirt", "color": "white"}, "White t-shirt", "화이트 반팔 티셔츠"),
        ({"type": "longsleeve", "color": "gray"}, "Gray long-sleeve", "그레이 긴팔 티셔츠"),
        ({"type": "pants", "color": "blue"}, "Jeans", "데님 팬츠"),
        ({"type": "skirt", "color": "blue"}, "Denim skirt", "데님 스커트"),
        ({"type": "shirt", "color": "blue"}, "Blue shirt", "블루 셔츠"),  # denim only on bottoms
        # Blue bottoms a shop would not call denim: a print, track pants, pyjama shorts, suit trousers.
        ({"type": "skirt", "color": "blue", "pattern": "pattern"}, "Blue patterned skirt", "블루 패턴 스커트"),
        ({"type": "pants", "color": "blue", "formality": "sport"}, "Blue pants", "블루 팬츠"),
        ({"type": "shorts", "color": "blue", "formality": "lounge"}, "Blue shorts", "블루 쇼츠"),
        ({"type": "pants", "color": "blue", "formality": "smart"}, "Blue slacks", "블루 슬랙스"),
        ({"type": "shorts", "color": "blue", "formality": "casual"}, "Denim shorts", "데님 쇼츠"),
        ({"type": "pants", "color": "navy"}, "Navy pants", "네이비 팬츠"),  # navy is never denim
        ({"type": "shoes", "color": "white", "kind": "sneakers"}, "White sneakers", "화이트 스니커즈"),
        ({"type": "shoes", "color": "black", "kind": "heels"}, "Black heels", "블랙 힐"),
        # "flats" covers loafers and low dress shoes: a man's pair is dress shoes (구두), a woman's or a girl's flats.
        ({"type": "shoes", "color": "black", "kind": "flats", "audience": "men"}, "Black dress shoes", "블랙 구두"),
        ({"type": "shoes", "color": "black", "kind": "flats", "audience": "women"}, "Black flats", "블랙 플랫 슈즈"),
        ({"type": "shoes", "color": "red", "kind": "flats", "audience": "kids"}, "Red flats", "레드 플랫 슈즈"),
        ({"type": "shoes", "color": "brown"}, "Brown shoes", "브라운 슈즈"),
        ({"type": "shirt", "color": "red", "pattern": "pattern"}, "Red patterned shirt", "레드 패턴 셔츠"),
        ({"type": "dress", "color": "multicolor", "pattern": "pattern"}, "Patterned dress", "패턴 원피스"),
        ({"type": "skirt", "color": "yellow", "pattern": "solid"}, "Yellow skirt", "옐로 스커트"),
        ({"type": "outwear", "color": "beige"}, "Beige jacket", "베이지 재킷"),
        ({"type": "undershirt", "color": "blue"}, "Blue tank top", "블루 민소매 티셔츠"),
    ],
)
def test_names_read_like_a_shop(tags, english, korean):
    assert garment_names(**tags).en == english
    assert garment_names(**tags).ko == korean
    assert garment_name(language="ko", **tags) == korean
    assert garment_name(language="en", **tags) == english


def test_a_big_graphic_is_named_graphic_not_patterned():
    """A print the graphic probe read (a slogan tee) is named for what it is; without the flag, "patterned"."""
    graphic_tee = garment_names(type="t-shirt", color="black", pattern="pattern", graphic=True)
    assert (graphic_tee.en, graphic_tee.ko) == ("Black graphic t-shirt", "블랙 그래픽 반팔 티셔츠")
    assert garment_names(type="hoodie", color="multicolor", pattern="pattern", graphic=True).en == "Graphic hoodie"
    assert garment_names(type="t-shirt", color="black", pattern="solid", graphic=True).en == "Black t-shirt"
    tag = Tag(slot="top", color="black", type="t-shirt", pattern="pattern")
    assert tag_names(replace(tag, graphic=True)).ko == "블랙 그래픽 반팔 티셔츠"
    assert tag_names(tag).en == "Black patterned t-shirt"


def test_names_from_a_tag():
    tag = Tag(slot="shoes", color="black", type="shoes", kind="boots", pattern="solid", formality="casual")
    assert tag_names(tag) == garment_names(type="shoes", color="black", kind="boots")
    assert tag_names(tag).ko == "블랙 부츠"


def test_korean_searches_name_tags():
    assert tags_in_korean("블랙 슬랙스") == {"color": "black", "type": "pants"}
    assert tags_in_korean("화이트 반팔 티셔츠") == {"color": "white", "type": "t-shirt"}
    assert tags_in_korean("데님 스커트") == {"color": "blue", "slot": "bottom", "type": "skirt"}
    assert tags_in_korean("플랫 슈즈") == {"type": "shoes", "kind": "flats"}
    assert tags_in_korean("linen") == {}


def test_the_console_search_finds_garments_by_korean_tag_names(stylist_client):
    garment_factory(type="pants", color="black", name="Black trousers")
    garment_factory(type="t-shirt", color="black", name="Black tee")
    garment_factory(type="pants", color="white", name="White trousers")
    html = stylist_client.get("/admin/catalog/garment/", {"q": "블랙 팬츠"}).content.decode()
    assert "Black trousers" in html or "블랙 팬츠" in html
    assert "White trousers" not in html and "Black tee" not in html


def test_outerwear_is_named_a_jacket_but_its_type_reads_as_the_category_in_both_languages():
    """A coat's card says "블랙 코트 · 아우터" as the English one says "Black coat · Outerwear": the type's label is the
    category, never a jacket beside a coat's name; a piece of no known kind is still named a jacket."""
    from recommender.templatetags.fashion import type_name  # noqa: PLC0415 - the filter the cards use

    coat = garment_names(type="outwear", color="black", kind="coat")
    assert (coat.en, coat.ko) == ("Black coat", "블랙 코트")
    with translation.override("ko"):
        assert type_name("outwear") == SLOT_NAMES["outer"][1] == "아우터"
    with translation.override("en"):
        assert type_name("outwear") == "Outerwear"
    assert garment_names(type="outwear", color="black").ko == "블랙 재킷"
    # The console's search for the name a kindless piece is given still finds every outer layer.
    assert tags_in_korean("블랙 재킷") == {"color": "black", "type": "outwear"}
    assert tags_in_korean("블랙 코트") == {"color": "black", "type": "outwear", "kind": "coat"}


def test_a_kind_of_another_type_is_ignored():
    assert garment_name("t-shirt", "black", kind="sneakers") == "블랙 반팔 티셔츠"


@pytest.mark.parametrize("type_code", TYPE_CODES)
def test_every_tag_combination_has_a_korean_name_without_codes_or_english(type_code):
    kinds = ["", *(code for code, (kind_type, _, _) in KINDS.items() if kind_type == type_code)]
    for color in COLOR_CODES:
        for pattern in ("", *PATTERN_CODES):
            for kind in kinds:
                name = garment_names(type=type_code, color=color, pattern=pattern, kind=kind)
                assert re.fullmatch(r"[가-힣]+( [가-힣]+)*", name.ko), name
                assert name.en and not re.search(r"\d", name.en), name
                # The outerwear type is not called by its slot's name (no "블랙 아우터"), nor shoes "신발".
                assert SLOT_NAMES[TYPES[type_code].slot][1] not in name.ko or type_code in ("dress",), name


def test_korean_colour_names_are_loanwords_in_one_style():
    assert [COLORS[c].name_ko for c in COLOR_CODES] == [
        "블랙", "화이트", "그레이", "베이지", "브라운", "레드", "핑크",
        "오렌지", "옐로", "그린", "블루", "네이비", "퍼플", "멀티컬러",
    ]  # fmt: skip


def test_tag_labels_for_rule_and_correction_titles():
    assert tag_label(slot="top", type="", color="red", language="ko") == "레드 상의"
    assert tag_label(slot="bottom", type="", color="blue", language="ko") == "데님 하의"
    assert tag_label(slot="bottom", type="skirt", color="blue", language="ko") == "데님 스커트"
    assert tag_label(slot="shoes", type="", color="navy", language="ko") == "네이비 신발"
    assert tag_label(slot="top", type="t-shirt", color="red", language="en") == "red t-shirt"
    assert tag_label(slot="bottom", type="", color="blue", language="en") == "blue bottom"


# ---------------------------------------------------------------- names given by auto-tagging and the demo loader


@pytest.fixture
def stylist_client(db):
    client = Client()
    client.force_login(User.objects.create_superuser("stylist", "s@example.com", "pw"))
    return client


def _photo(name: str, color: str):
    return SimpleUploadedFile(name, image_bytes(color, (60, 80)), content_type="image/jpeg")


def test_auto_tagged_garments_are_named_from_tags_or_a_korean_file_name(stylist_client):
    files = [_photo("IMG_1234.jpg", "black"), _photo("오버핏 린넨 셔츠.jpg", "white")]
    stylist_client.post("/admin/catalog/garment/upload/", {"photos": files})
    camera, korean_file = Garment.objects.order_by("id")
    assert (camera.name, camera.name_ko) == ("Black t-shirt", "")  # the fake CNN reads t-shirts
    assert (korean_file.name, korean_file.name_ko) == ("White t-shirt", "오버핏 린넨 셔츠")
    with translation.override("ko"):
        assert (str(camera), str(korean_file)) == ("블랙 반팔 티셔츠", "오버핏 린넨 셔츠")
    with translation.override("en"):
        assert str(camera) == "Black t-shirt"


def test_retagging_renames_a_name_made_from_tags_but_keeps_a_stylists_name(stylist_client, settings):
    made = garment_factory(type="pants", color="red", name="Jeans")  # named from the tags: blue pants
    own = garment_factory(type="pants", color="red", name="Grandma's trousers")
    Garment.objects.filter(pk__in=[made.pk, own.pk]).update(color="blue")
    settings.CLASSIFIER_FAKE_TYPE = "shirt"
    get_predictor.cache_clear()
    stylist_client.post("/admin/catalog/garment/", {"action": "retag", "_selected_action": [made.pk, own.pk]})
    made.refresh_from_db()
    own.refresh_from_db()
    assert (made.type, made.color, made.name) == ("shirt", "red", "Red shirt")
    assert own.name == "Grandma's trousers"


def _change_form(garment: Garment, **changes) -> dict[str, str]:
    form = {
        "name": garment.name,
        "name_ko": garment.name_ko,
        "is_active": "on",
        "version": str(garment.version),
        "type": garment.type,
        "kind": garment.kind,
        "color": garment.color,
        "second_color": garment.second_color,
        "pattern": garment.pattern,
        "season": garment.season,
        "audience": garment.audience,
        "warmth": garment.warmth,
        "formality": garment.formality,
        "notes": garment.notes,
    }
    if garment.graphic:
        form["graphic"] = "on"
    form.update(changes)
    return {field: value for field, value in form.items() if value is not None}


def test_a_name_made_from_the_tags_follows_a_stylists_tag_edit_in_the_console(stylist_client):
    made = garment_factory(type="t-shirt", color="black", pattern="solid", name="Black t-shirt")
    own = garment_factory(type="t-shirt", color="black", pattern="solid", name="Band tee from Hongdae")
    for garment in (made, own):
        response = stylist_client.post(
            f"/admin/catalog/garment/{garment.pk}/change/",
            _change_form(garment, color="white", pattern="pattern", graphic="on"),
        )
        assert response.status_code == 302, response.content[:3000]
        garment.refresh_from_db()
    assert (made.color, made.graphic, made.name) == ("white", True, "White graphic t-shirt")
    assert own.name == "Band tee from Hongdae"
    with translation.override("ko"):
        assert str(made) == "화이트 그래픽 반팔 티셔츠"

    # She renames it while changing a tag: her name stands, and from then on it no longer follows the tags.
    stylist_client.post(
        f"/admin/catalog/garment/{made.pk}/change/", _change_form(made, name="Sunday tee", color="gray")
    )
    made.refresh_from_db()
    assert (made.color, made.name) == ("gray", "Sunday tee")
    stylist_client.post(f"/admin/catalog/garment/{made.pk}/change/", _change_form(made, color="navy"))
    made.refresh_from_db()
    assert (made.color, made.name) == ("navy", "Sunday tee")


def test_a_name_made_from_the_tags_follows_a_tag_edit_through_the_api_unless_the_edit_names_it(db):
    made = garment_factory(type="pants", color="black", name="Black pants")
    client = APIClient()
    client.force_authenticate(User.objects.create_user("api-stylist", password="pw", is_staff=True))
    assert client.patch(f"/api/v1/garments/{made.pk}/", {"color": "blue"}, format="json").json()["name"] == "Jeans"
    assert client.patch(f"/api/v1/garments/{made.pk}/", {"formality": "smart"}, format="json").json()["name"] == (
        "Blue slacks"
    )
    named = client.patch(f"/api/v1/garments/{made.pk}/", {"color": "navy", "name": "Navy suit trousers"}, format="json")
    assert named.json()["name"] == "Navy suit trousers"
    assert Garment.objects.get(pk=made.pk).name == "Navy suit trousers"


def test_demo_names_carry_no_codes():
    assert garment_names(type="t-shirt", color="red").en == "Red t-shirt"
    assert garment_names(type="pants", color="blue").en == "Jeans"
    assert garment_names(type="shirt", color="black", pattern="pattern").en == "Black patterned shirt"


def test_names_made_by_the_old_rules_are_renamed_and_a_stylists_are_kept(db):
    """Migration 0011: a name exactly as the rules before 2 Dec made it follows the new rules; any other stays."""
    migration = importlib.import_module("catalog.migrations.0011_rename_generated_names")
    made = {
        "print": garment_factory(type="skirt", color="blue", pattern="pattern", name="Denim skirt"),
        "track": garment_factory(type="pants", color="blue", pattern="solid", formality="sport", name="Jeans"),
        "suit": garment_factory(type="pants", color="blue", pattern="solid", formality="smart", name="Jeans"),
        "jeans": garment_factory(type="pants", color="blue", pattern="solid", formality="casual", name="Jeans"),
        "oxfords": garment_factory(type="shoes", kind="flats", color="black", audience="men", name="Black flats"),
        "ballet": garment_factory(type="shoes", kind="flats", color="black", audience="women", name="Black flats"),
        "written": garment_factory(type="shoes", kind="flats", color="brown", audience="men", name="Brown suede flats"),
        "skirt_written": garment_factory(type="skirt", color="blue", pattern="pattern", name="Paisley midi"),
    }
    migration.rename(apps, None)
    names = {key: Garment.objects.get(pk=g.pk).name for key, g in made.items()}
    assert names == {
        "print": "Blue patterned skirt",
        "track": "Blue pants",
        "suit": "Blue slacks",
        "jeans": "Jeans",
        "oxfords": "Black dress shoes",
        "ballet": "Black flats",
        "written": "Brown suede flats",
        "skirt_written": "Paisley midi",
    }
    for key in ("print", "track", "suit", "oxfords"):  # what the new rules name them, as new garments are named
        g = Garment.objects.get(pk=made[key].pk)
        assert (
            names[key]
            == garment_names(
                type=g.type, color=g.color, pattern=g.pattern, kind=g.kind, formality=g.formality, audience=g.audience
            ).en
        )


def test_a_starter_rule_says_graphic_only_of_a_print_and_the_old_wording_is_replaced_unless_a_stylist_edited_it(db):
    """ "Graphic" on the site names a graphic print ("the graphic on the tee", 그래픽): no starter rule says it of a
    colour contrast. Migration 0014 rewords a rule that still has the starter's old note; a stylist's own note stays."""
    for *_, note, note_ko in starter_rules():
        assert "graphic" not in note.lower() and "그래픽" not in note_ko, note
    migration = importlib.import_module("catalog.migrations.0014_starter_notes_without_graphic")
    untouched = rule_factory(
        input_color="black",
        output_color="white",
        note="A black top with white bottoms: crisp, graphic contrast.",
        note_ko="블랙 상의에 화이트 하의, 선명하고 그래픽한 대비예요.",
    )
    edited = rule_factory(
        input_slot="bottom",
        input_color="red",
        output_slot="top",
        output_color="black",
        note="Red bottoms, black top: graphic and bold, our autumn window.",
        note_ko="레드 하의와 블랙 상의로 강렬하고 선명하게 연출해요.",
    )
    migration.reword(apps, None)
    untouched.refresh_from_db()
    edited.refresh_from_db()
    assert (untouched.note, untouched.note_ko) == (
        "A black top with white bottoms: a crisp, striking contrast.",
        "블랙 상의에 화이트 하의, 선명하고 또렷한 대비예요.",
    )
    assert edited.note == "Red bottoms, black top: graphic and bold, our autumn window."
    assert (untouched.note, untouched.note_ko) in {(note, note_ko) for *_, note, note_ko in starter_rules()}
