"""Reasons are written from structured data, true for the pair, in English and Korean."""

from __future__ import annotations

from catalog.korean import josa
from catalog.tags import Tag
from recommender.harmony import harmony, is_denim
from recommender.reasons import Reason, attribute_extra, phrase_en, phrase_ko, reason_text


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


def test_a_blue_print_or_track_pants_are_blue_not_denim():
    tee = Tag("top", "white", "t-shirt", pattern="solid", formality="casual")
    printed = Tag("bottom", "blue", "skirt", pattern="pattern", formality="casual")
    track = Tag("bottom", "blue", "pants", pattern="solid", formality="sport")
    assert not is_denim(printed) and not is_denim(track)
    assert is_denim(Tag("bottom", "blue", "skirt", pattern="solid", formality="casual"))
    for bottom in (printed, track):
        assert "denim" not in said(tee, bottom).lower() and "jeans" not in said(tee, bottom).lower()
        assert "데님" not in said(tee, bottom, "ko") and "청바지" not in said(tee, bottom, "ko")
    assert "blue trousers" in said(tee, track) and "print of the skirt" in said(tee, printed)


def test_a_neutral_beside_a_colour_is_said_by_where_it_is_worn():
    """A green polo's suggestions all said "gives a calm base that lets the green polo stand out" (8 of 12)."""
    polo = Tag("top", "green", "polo", pattern="solid")
    said_of = {
        "sandals": said(polo, Tag("shoes", "black", "shoes", kind="sandals", pattern="solid")),
        "sneakers": said(polo, Tag("shoes", "white", "shoes", kind="sneakers", pattern="solid")),
        "jacket": said(polo, Tag("outer", "black", "outwear", kind="jacket", pattern="solid")),
        "trousers": said(polo, Tag("bottom", "gray", "pants", pattern="solid")),
    }
    assert said_of["sandals"] == "The black sandals anchor the look and let the green polo stand out."
    assert said_of["sneakers"] == "The white sneakers keep the look light and let the green polo stand out."
    assert said_of["jacket"] == "The black jacket frames the green polo and lets its colour stand out."
    assert said_of["trousers"] == "The gray trousers give a calm base that lets the green polo stand out."
    ko = [
        said(polo, Tag("shoes", "black", "shoes", kind="sandals"), "ko"),
        said(polo, Tag("bottom", "gray", "pants"), "ko"),
    ]
    assert ko[0] != ko[1] and all("돋보" in text for text in ko)


def test_a_plain_piece_beside_a_suggested_print_says_what_it_does_for_it():
    sneakers = Tag("shoes", "black", "shoes", kind="sneakers", pattern="solid")
    shirt = Tag("top", "multicolor", "shirt", pattern="pattern")
    assert said(sneakers, shirt) == "The plain black sneakers ground the print of the shirt."
    trousers = Tag("bottom", "navy", "pants", pattern="solid")
    assert said(trousers, shirt) == "The plain navy trousers let the print of the shirt take the lead."
    skirt = Tag("bottom", "black", "skirt", pattern="solid")
    dress = Tag("one_piece", "multicolor", "dress", pattern="pattern")
    assert said(skirt, dress) == "The print of the dress livens up the plain black skirt."
    jacket = Tag("outer", "brown", "outwear", kind="jacket", pattern="solid")
    assert said(jacket, dress) == "The plain brown jacket frames the print of the dress."
    printed_trousers = Tag("bottom", "multicolor", "pants", pattern="pattern")
    assert said(jacket, printed_trousers) == "The plain brown jacket lets the print of the trousers take the lead."
    red_trousers = Tag("bottom", "red", "pants", pattern="solid")
    assert "calm base" in said(red_trousers, Tag("outer", "black", "outwear", kind="jacket", pattern="solid"))
    assert "패턴" in said(sneakers, shirt, "ko") and "받쳐" in said(sneakers, shirt, "ko")


def test_a_mans_flats_are_dress_shoes_in_a_reason():
    shorts = Tag("bottom", "multicolor", "shorts", pattern="pattern", audience="men")
    mens = Tag("shoes", "gray", "shoes", kind="flats", pattern="solid", audience="men")
    assert said(shorts, mens) == "The solid gray dress shoes ground the print of the shorts."
    assert "구두" in said(shorts, mens, "ko") and "플랫" not in said(shorts, mens, "ko")
    womens = Tag("shoes", "gray", "shoes", kind="flats", pattern="solid", audience="women")
    assert said(shorts, womens) == "The solid gray flats ground the print of the shorts."


def test_a_solid_piece_calms_a_print():
    floral = Tag("one_piece", "multicolor", "dress", pattern="pattern")
    text = said(floral, Tag("bottom", "black", "skirt", pattern="solid"))
    assert text == "The solid black skirt calms the print of the dress."
    ko = said(floral, Tag("bottom", "black", "skirt", pattern="solid"), "ko")
    assert "패턴" in ko and "무지" in ko


def test_a_coat_frames_a_print_and_boots_ground_it():
    """A coat, a jacket or a cardigan is one garment (the verb is singular); boots, sandals and heels are plural."""
    floral = Tag("one_piece", "multicolor", "dress", pattern="pattern")
    for kind in ("coat", "jacket", "cardigan", "vest"):
        coat = Tag("outer", "black", "outwear", kind=kind, pattern="solid")
        assert said(floral, coat) == f"The solid black {kind} frames the print of the dress."
    for kind in ("boots", "sandals", "heels", "sneakers", "flats"):
        shoes = Tag("shoes", "black", "shoes", kind=kind, pattern="solid")
        assert said(floral, shoes).startswith(f"The solid black {kind} ground the print of the dress.")


def test_what_a_quiet_piece_does_for_a_print_depends_on_where_it_is_worn():
    """A printed dress's suggestions used to read alike ("calms the print" 10 times in 12); each still says
    something true of its pair, in both languages, and different slots say different things."""
    blouse = Tag("top", "multicolor", "blouse", pattern="pattern")
    skirt = Tag("bottom", "black", "skirt", pattern="solid")
    assert said(blouse, skirt) == "The solid black skirt lets the print of the blouse take the lead."
    tee = Tag("top", "white", "t-shirt", pattern="solid")
    printed_skirt = Tag("bottom", "multicolor", "skirt", pattern="pattern")
    assert said(printed_skirt, tee) == "The solid white tee lets the print of the skirt take the lead."
    checked_blazer = Tag("outer", "gray", "blazer", pattern="pattern")
    black_tee = Tag("top", "black", "longsleeve", pattern="solid")
    assert (
        said(checked_blazer, black_tee) == "The solid black long-sleeve top lets the print of the blazer take the lead."
    )
    floral = Tag("one_piece", "multicolor", "dress", pattern="pattern")
    quiet = [
        Tag("outer", "black", "outwear", kind="coat", pattern="solid"),
        Tag("shoes", "black", "shoes", kind="boots", pattern="solid"),
        Tag("accessory", "black", "hat", pattern="solid"),
    ]
    assert len({said(floral, piece) for piece in quiet}) == 3
    assert len({said(floral, piece, "ko") for piece in quiet}) == 3
    assert said(floral, quiet[0], "ko") == "무지 블랙 코트가 원피스의 패턴을 깔끔하게 감싸 줘요."
    # Light shoes and layers keep a print airy; dark ones anchor it.
    white_sandals = Tag("shoes", "white", "shoes", kind="sandals", pattern="solid")
    assert said(floral, white_sandals) == "The solid white sandals keep the print of the dress light and fresh."
    beige_cardigan = Tag("outer", "beige", "outwear", kind="cardigan", pattern="solid")
    assert said(floral, beige_cardigan) == "The solid beige cardigan softens the print of the dress."
    assert "산뜻" in said(floral, white_sandals, "ko") and "부드럽게" in said(floral, beige_cardigan, "ko")


def test_a_piece_whose_pattern_was_not_read_is_not_called_plain():
    """A photo read as a jacket with its pattern left unknown (the pattern head was unsure) goes with a striped top
    as a print beside a quiet colour, but the reason does not call the jacket plain: it may be patterned."""
    jacket = Tag("outer", "beige", "outwear")  # pattern unknown
    stripes = Tag("top", "black", "longsleeve", pattern="pattern")
    assert said(jacket, stripes) == "The beige jacket softens the print of the long-sleeve top."
    assert "무지" not in said(jacket, stripes, "ko")
    plain = said(Tag("outer", "beige", "outwear", pattern="solid"), stripes)
    assert plain == "The plain beige jacket softens the print of the long-sleeve top."
    floral = Tag("one_piece", "multicolor", "dress", pattern="pattern")
    assert said(floral, Tag("bottom", "black", "skirt")) == "The black skirt calms the print of the dress."
    assert "무지" not in said(floral, Tag("bottom", "black", "skirt"), "ko")


def test_sneakers_keep_a_smart_piece_casual():
    blazer = Tag("outer", "navy", "blazer", pattern="solid", formality="smart")
    sneakers = Tag("shoes", "white", "shoes", kind="sneakers", pattern="solid", formality="casual")
    assert "The white sneakers keep the navy blazer casual." in said(blazer, sneakers)


def test_heels_dress_up_a_casual_garment_but_no_clause_is_said_of_a_hat():
    heels = Tag("shoes", "black", "shoes", kind="heels", pattern="solid", formality="smart")
    jeans = Tag("bottom", "blue", "pants", pattern="solid", formality="casual")
    hat = Tag("accessory", "beige", "hat", pattern="solid", formality="casual")
    assert attribute_extra(jeans, heels) == "dresses_up"
    assert attribute_extra(hat, heels) == "" and "dress up" not in said(hat, heels)


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
                texts = [
                    reason_text(Reason("harmony", a, b, harmony=matched.kind, variant=variant), language)
                    for variant in range(5)
                ]
                for text in texts:
                    assert text and "{" not in text and "None" not in text and "  " not in text
                # A sentence has more than one wording, except the fallback that no harmony kind reaches.
                assert len(set(texts)) > 1, (matched.kind, texts)


def test_the_solid_or_plain_qualifier_is_not_put_on_jeans():
    jeans = Tag("bottom", "blue", "pants", pattern="solid")
    assert is_denim(jeans)
    printed_tee = Tag("top", "red", "t-shirt", pattern="pattern")
    for variant in range(4):
        text = reason_text(Reason("harmony", printed_tee, jeans, harmony="print_calm", variant=variant), "en")
        assert "solid jeans" not in text and "jeans" in text
        korean = reason_text(Reason("harmony", printed_tee, jeans, harmony="print_calm", variant=variant), "ko")
        assert "무지 청바지" not in korean and "청바지" in korean


def test_a_plural_piece_takes_a_plural_verb_in_every_harmony_sentence():
    """ "The gray trousers repeat a colour of the blazer's print and ties the look together" and "the gray trousers
    makes a bold contrast" were on the pages: every English wording is written for each kind with trousers, sneakers
    and boots as the piece suggested."""
    import re  # noqa: PLC0415

    from recommender.reasons import harmony_en  # noqa: PLC0415

    kinds = [
        "tonal",
        "monochrome",
        "navy_white",
        "tone_on_tone",
        "neutrals",
        "neutral_base",
        "accent",
        "denim",
        "on_denim",
        "complementary",
        "analogous",
        "print_calm",
        "print_lead",
        "print_echo",
    ]
    inputs = [Tag("top", "gray", "blazer", pattern="pattern"), Tag("top", "white", "shirt", pattern="solid")]
    plural = [
        Tag("bottom", "gray", "pants", pattern="solid"),
        Tag("shoes", "white", "shoes", "sneakers", pattern="solid"),
        Tag("shoes", "black", "shoes", "boots", pattern="solid"),
    ]
    singular_verb = re.compile(r"\b(trousers|sneakers|boots) (\w+ )?(is|makes|ties|keeps|gives|adds|lets|calms)\b")
    for kind in kinds:
        for a in inputs:
            for b in plural:
                for variant in range(5):
                    text = harmony_en(kind, a, b, variant)
                    assert not singular_verb.search(text), (kind, text)
                    assert " and ties " not in text or "print of the" in text, (kind, text)


def test_a_big_graphic_on_a_tee_is_called_a_graphic_not_a_pattern():
    """A tee the graphic probe read as a big print (Tag.graphic) is coordinated as any print, and the reasons call it
    what it is: "white graphic tee", "티셔츠의 그래픽", never "패턴" (an all-over pattern in Korean)."""
    graphic = Tag("top", "white", "t-shirt", pattern="pattern", graphic=True)
    striped = Tag("top", "white", "t-shirt", pattern="pattern")
    skirt = Tag("bottom", "black", "skirt", pattern="solid")
    assert said(striped, skirt) == "The solid black skirt lets the print of the tee take the lead."
    assert said(graphic, skirt) == "The solid black skirt lets the graphic on the tee take the lead."
    # No English wording of a quiet piece beside it, or of it beside a plain piece, calls the graphic "the print".
    quiet = (
        skirt,
        Tag("shoes", "black", "shoes", kind="boots", pattern="solid"),
        Tag("shoes", "white", "shoes", kind="sneakers", pattern="solid"),
        Tag("outer", "beige", "outwear", pattern="solid"),
        Tag("outer", "navy", "outwear", pattern="solid"),
    )
    for variant in range(4):
        for piece in quiet:
            calm = reason_text(Reason("harmony", graphic, piece, harmony="print_calm", variant=variant), "en")
            assert "print of" not in calm and "the print " not in calm, calm
            plain = reason_text(Reason("harmony", striped, piece, harmony="print_calm", variant=variant), "en")
            assert "print" in plain and "graphic" not in plain, plain
        lead = reason_text(Reason("harmony", skirt, graphic, harmony="print_lead", variant=variant), "en")
        assert "print of" not in lead, lead
    assert reason_text(Reason("harmony", skirt, graphic, harmony="print_lead"), "en") == (
        "The plain black skirt lets the graphic on the tee take the lead."
    )
    korean = [said(graphic, piece, "ko") for piece in (skirt, Tag("shoes", "black", "shoes", kind="boots"))]
    assert all("그래픽" in text and "패턴" not in text for text in korean), korean
    assert all("패턴" in said(striped, piece, "ko") for piece in (skirt, Tag("shoes", "black", "shoes", kind="boots")))
    assert (phrase_en(graphic), phrase_ko(graphic)) == ("white graphic tee", "화이트 그래픽 반팔 티셔츠")
    assert phrase_en(Tag("top", "multicolor", "t-shirt", pattern="pattern", graphic=True)) == "graphic tee"
    assert (phrase_en(striped), phrase_ko(striped)) == ("white patterned tee", "화이트 패턴 반팔 티셔츠")


def test_a_piece_in_a_graphic_tees_own_colour_continues_its_ground_not_a_colour_of_the_print():
    """The colour read of a graphic tee is the ground the graphic sits on (a black tee with a white fist): black
    trousers with it do not "pick up the black in the print"; they continue the tee's black and leave the graphic
    alone. A striped tee's colour is one of its stripes, so the print wording stays for it."""
    graphic = Tag("top", "black", "t-shirt", pattern="pattern", graphic=True)
    striped = Tag("top", "black", "t-shirt", pattern="pattern")
    trousers = Tag("bottom", "black", "pants", pattern="solid")
    for variant in range(3):
        en = reason_text(Reason("harmony", graphic, trousers, harmony="print_echo", variant=variant), "en")
        ko = reason_text(Reason("harmony", graphic, trousers, harmony="print_echo", variant=variant), "ko")
        assert "graphic" in en and "in the print" not in en and "black" in en, en
        assert "그래픽" in ko and "속" not in ko and "패턴" not in ko and "블랙" in ko, ko
    assert "in the print of the tee" in said(striped, trousers)
    assert "패턴 속" in said(striped, trousers, "ko")
