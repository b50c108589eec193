"""Reasons are written from structured data, true for the pair, in English and Korean."""

from __future__ import annotations

from catalog.korean import josa
from catalog.tags import Tag
from recommender.harmony import harmony, is_denim
from recommender.reasons import Reason, attribute_extra, reason_text


def said(a: Tag, b: Tag, language: str = "en") -> str:
    matched = harmony(a, b)
    assert matched is not None
    return reason_text(Reason("harmony", a, b, harmony=matched.kind, extra=attribute_extra(a, b)), language)


def test_black_with_white_is_a_monochrome_contrast_not_a_colour_lead():
    text = said(Tag("top", "white", "t-shirt", pattern="solid"), Tag("bottom", "black", "pants", pattern="solid"))
    assert "monochrome" in text and "lead" not in text and "stand out" not in text


def test_navy_chinos_are_not_denim_but_blue_jeans_are():
    navy = Tag("bottom", "navy", "pants", pattern="solid")
    assert not is_denim(navy)
    text = said(Tag("top", "red", "t-shirt", pattern="solid"), navy)
    assert "denim" not in text.lower() and "navy trousers" in text
    jeans = Tag("bottom", "blue", "pants", pattern="solid")
    assert "jeans" in said(Tag("top", "red", "t-shirt", pattern="solid"), jeans)


def test_a_solid_piece_calms_a_print():
    floral = Tag("one_piece", "multicolor", "dress", pattern="pattern")
    text = said(floral, Tag("bottom", "black", "skirt", pattern="solid"))
    assert text == "The solid black skirt calms the print of the dress."
    ko = said(floral, Tag("bottom", "black", "skirt", pattern="solid"), "ko")
    assert "패턴" in ko and "무지" in ko


def test_a_coat_calms_a_print_and_boots_calm_it():
    """A coat, a jacket or a cardigan is one garment (the verb is singular); boots, sandals and heels are plural."""
    floral = Tag("one_piece", "multicolor", "dress", pattern="pattern")
    for kind in ("coat", "jacket", "cardigan", "vest"):
        coat = Tag("outer", "black", "outwear", kind=kind, pattern="solid")
        assert said(floral, coat) == f"The solid black {kind} calms the print of the dress."
    for kind in ("boots", "sandals", "heels", "sneakers", "flats"):
        shoes = Tag("shoes", "black", "shoes", kind=kind, pattern="solid")
        assert said(floral, shoes).startswith(f"The solid black {kind} calm the print of the dress.")


def test_a_piece_whose_pattern_was_not_read_is_not_called_plain():
    """A photo read as a jacket with its pattern left unknown (the pattern head was unsure) goes with a striped top
    as a print beside a quiet colour, but the reason does not call the jacket plain: it may be patterned."""
    jacket = Tag("outer", "beige", "outwear")  # pattern unknown
    stripes = Tag("top", "black", "longsleeve", pattern="pattern")
    assert said(jacket, stripes) == "The print of the long-sleeve top livens up the beige jacket."
    assert "무지" not in said(jacket, stripes, "ko")
    plain = said(Tag("outer", "beige", "outwear", pattern="solid"), stripes)
    assert plain == "The print of the long-sleeve top livens up the plain beige jacket."
    floral = Tag("one_piece", "multicolor", "dress", pattern="pattern")
    assert said(floral, Tag("bottom", "black", "skirt")) == "The black skirt calms the print of the dress."
    assert "무지" not in said(floral, Tag("bottom", "black", "skirt"), "ko")


def test_sneakers_keep_a_smart_piece_casual():
    blazer = Tag("outer", "navy", "blazer", pattern="solid", formality="smart")
    sneakers = Tag("shoes", "white", "shoes", kind="sneakers", pattern="solid", formality="casual")
    assert "The white sneakers keep the navy blazer casual." in said(blazer, sneakers)


def test_korean_particles_follow_the_final_syllable():
    assert josa("신발", "와") == "신발과" and josa("바지", "와") == "바지와"
    assert josa("블랙", "을") == "블랙을" and josa("화이트", "을") == "화이트를"
    assert josa("샌들", "으로") == "샌들로" and josa("부츠", "으로") == "부츠로" and josa("코트", "이") == "코트가"
    text = said(Tag("top", "white", "t-shirt", pattern="solid"), Tag("shoes", "black", "shoes", kind="boots"), "ko")
    assert "부츠와" in text or "부츠가" in text


def test_every_harmony_kind_reads_in_both_languages_without_gaps():
    tops = [Tag("top", c, "shirt", pattern="solid") for c in ("white", "red", "navy", "brown", "multicolor")]
    others = [
        Tag(slot, c, t, pattern=p)
        for slot, t in (("bottom", "pants"), ("bottom", "skirt"), ("shoes", "shoes"))
        for c in ("black", "white", "blue", "beige", "green", "orange", "red")
        for p in ("solid", "pattern")
    ]
    for a in tops:
        for b in others:
            matched = harmony(a, b)
            if matched is None:
                continue
            for language in ("en", "ko"):
                text = reason_text(Reason("harmony", a, b, harmony=matched.kind), language)
                assert text and "{" not in text and "None" not in text and "  " not in text
