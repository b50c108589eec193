"""The independent look checker, the diversity figures and the hidden-garment hit rates: pure functions."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from catalog.tags import Tag
from recommender.engine import Judge, RuleBook
from recommender.looks_eval import (
    HiddenCase,
    InputCase,
    Piece,
    RecommendationOutput,
    candidates_for,
    context_mean,
    diversity,
    engine_pair_score,
    evaluate_hidden,
    evaluate_recommendations,
    hidden_cases,
    hit_at,
    identical_looks,
    item_violations,
    look_alikes,
    look_violations,
    looks_of_the_same_kinds,
    piece_of,
    target_rank,
)

_ids = iter(range(1, 10_000))


def p(slot, **attrs) -> Piece:
    return Piece(id=attrs.pop("id", next(_ids)), slot=slot, color=attrs.pop("color", "black"), **attrs)


TOP, BOTTOM, SHOES, OUTER, DRESS = "top", "bottom", "shoes", "outer", "one_piece"


def a_look(**input_attrs):
    """A complete, clean look around a top: (input, pieces)."""
    return p(TOP, id=None, **input_attrs), [p(BOTTOM), p(SHOES)]


def test_a_complete_clean_look_breaks_nothing():
    inp, pieces = a_look()
    assert look_violations(inp, pieces) == []


@pytest.mark.parametrize(
    ("constraint", "bad", "good"),
    [
        ("kids_with_adult", ("kids", "women"), ("kids", "kids")),
        ("kids_with_adult", ("unisex", "kids"), ("unisex", "men")),
        ("women_with_men", ("women", "men"), ("women", "unisex")),
    ],
)
def test_audience(constraint, bad, good):
    inp = p(TOP, id=None, audience=bad[0])
    assert constraint in look_violations(inp, [p(BOTTOM, audience=bad[1]), p(SHOES)])
    assert constraint in item_violations(inp, p(BOTTOM, audience=bad[1]))
    inp = p(TOP, id=None, audience=good[0])
    assert constraint not in look_violations(inp, [p(BOTTOM, audience=good[1]), p(SHOES)])
    assert constraint not in item_violations(inp, p(BOTTOM, audience=good[1]))


def test_hot_with_cold():
    inp = p(TOP, id=None, warmth="hot")
    assert "hot_with_cold" in look_violations(inp, [p(BOTTOM), p(SHOES, warmth="cold")])
    assert "hot_with_cold" in item_violations(inp, p(SHOES, warmth="cold"))
    assert "hot_with_cold" not in look_violations(inp, [p(BOTTOM, warmth="mild"), p(SHOES, warmth="hot")])


@pytest.mark.parametrize(
    ("a", "b", "clash"),
    [
        ("sport", "smart", True),
        ("lounge", "casual", True),
        ("casual", "lounge", True),
        ("sport", "casual", False),
        ("casual", "smart", False),
        ("lounge", "lounge", False),
    ],
)
def test_formality_within_one_step_and_lounge_only_with_lounge(a, b, clash):
    inp = p(TOP, id=None, formality=a)
    assert ("formality" in look_violations(inp, [p(BOTTOM, formality=b), p(SHOES)])) is clash
    assert ("formality" in item_violations(inp, p(BOTTOM, formality=b))) is clash


def test_at_most_one_patterned_piece():
    inp = p(TOP, id=None, pattern="pattern")
    assert "patterns" in look_violations(inp, [p(BOTTOM, pattern="pattern"), p(SHOES)])
    assert "patterns" in item_violations(inp, p(BOTTOM, pattern="pattern"))
    assert "patterns" in look_violations(inp, [p(BOTTOM, color="multicolor"), p(SHOES)])  # an untagged print
    assert "patterns" not in look_violations(inp, [p(BOTTOM, pattern="solid"), p(SHOES)])
    assert "patterns" not in look_violations(inp, [p(BOTTOM, pattern="solid", color="multicolor"), p(SHOES)])
    # counted once per look, however many prints
    broken = look_violations(inp, [p(BOTTOM, pattern="pattern"), p(SHOES, pattern="pattern")])
    assert broken.count("patterns") == 1


def test_one_piece_per_slot():
    inp, pieces = a_look()
    assert "slot_twice" in look_violations(inp, [*pieces, p(SHOES)])
    assert "slot_twice" in item_violations(inp, p(TOP))
    assert "slot_twice" not in item_violations(inp, p(BOTTOM))


def test_outerwear_only_over_a_top_or_one_piece():
    assert "outer_without_base" in look_violations(p(BOTTOM, id=None), [p(OUTER), p(SHOES)])
    assert "outer_without_base" not in look_violations(p(BOTTOM, id=None), [p(TOP), p(OUTER), p(SHOES)])
    assert "outer_without_base" not in look_violations(p(DRESS, id=None), [p(OUTER), p(SHOES)])


def test_no_outerwear_with_a_hot_weather_piece():
    assert "outer_in_heat" in look_violations(p(TOP, id=None), [p(BOTTOM), p(SHOES, warmth="hot"), p(OUTER)])
    assert "outer_in_heat" in look_violations(p(OUTER, id=None), [p(TOP), p(BOTTOM, warmth="hot"), p(SHOES)])
    assert "outer_in_heat" not in look_violations(p(TOP, id=None), [p(BOTTOM), p(SHOES, warmth="hot")])
    assert "outer_in_heat" not in look_violations(p(TOP, id=None), [p(BOTTOM), p(SHOES, warmth="mild"), p(OUTER)])


def test_one_piece_takes_no_top_or_bottom():
    assert "one_piece_with_top_or_bottom" in look_violations(p(DRESS, id=None), [p(BOTTOM), p(SHOES)])
    assert "one_piece_with_top_or_bottom" in item_violations(p(DRESS, id=None), p(TOP))
    assert "one_piece_with_top_or_bottom" not in look_violations(p(DRESS, id=None), [p(SHOES)])
    assert "one_piece_with_top_or_bottom" not in item_violations(p(DRESS, id=None), p(SHOES))


def test_complete_looks():
    assert "incomplete" in look_violations(p(TOP, id=None), [p(BOTTOM)])  # no shoes
    assert "incomplete" in look_violations(p(SHOES, id=None), [p(BOTTOM)])  # no top
    assert "incomplete" in look_violations(p(TOP, id=None), [p(SHOES), p(OUTER)])  # no bottom
    assert "incomplete" not in look_violations(p(SHOES, id=None), [p(BOTTOM), p(TOP)])
    assert "incomplete" not in look_violations(p(DRESS, id=None), [p(SHOES)])
    # a cold input needs outerwear
    assert "incomplete" in look_violations(p(TOP, id=None, warmth="cold"), [p(BOTTOM), p(SHOES)])
    assert "incomplete" not in look_violations(p(TOP, id=None, warmth="cold"), [p(BOTTOM), p(SHOES), p(OUTER)])
    assert "incomplete" not in look_violations(p(OUTER, id=None, warmth="cold"), [p(TOP), p(BOTTOM), p(SHOES)])


def test_identical_looks():
    a, b, c = p(BOTTOM), p(SHOES), p(SHOES)
    assert identical_looks([[a, b], [b, a]]) == 1
    assert identical_looks([[a, b], [a, c]]) == 0


def test_unknown_attributes_never_count():
    inp = p(TOP, id=None, audience="kids", warmth="hot", formality="lounge", pattern="pattern")
    unknown = [p(BOTTOM, audience="", warmth="", formality="", pattern=""), p(SHOES)]
    assert look_violations(inp, unknown) == []
    # a model instance without the fields at all, or with empty values
    garment = SimpleNamespace(id=7, slot="bottom", color="black", type="pants")
    assert piece_of(garment) == Piece(id=7, slot="bottom", color="black", type="pants")
    assert item_violations(inp, piece_of(garment)) == []


def test_piece_of_reads_tags_and_fills_from_a_fallback():
    tag = Tag("shoes", "black", "shoes", kind="boots", audience="men", warmth="cold")
    piece = piece_of(tag, id=None)
    assert (piece.slot, piece.kind, piece.audience, piece.warmth) == ("shoes", "boots", "men", "cold")
    garment = SimpleNamespace(id=3, slot="top", color="red", type="t-shirt", audience="")
    filled = piece_of(garment, fallback={"audience": "kids", "warmth": "hot"})
    assert (filled.audience, filled.warmth) == ("kids", "hot")
    stored = SimpleNamespace(id=3, slot="top", color="red", audience="women")
    assert piece_of(stored, fallback={"audience": "kids"}).audience == "women"  # stored fields win


def test_evaluate_recommendations_counts_violations_complete_looks_and_diversity():
    bottom, shoes, shoes2, shoes3, kids_bottom = p(BOTTOM), p(SHOES), p(SHOES), p(SHOES), p(BOTTOM, audience="kids")

    def recommend(case):
        if case.input_tag.color == "red":  # three distinct complete looks
            looks = [[bottom, shoes], [bottom, shoes2], [bottom, shoes3]]
            return RecommendationOutput(items=[bottom, shoes], looks=looks)
        # the same look twice, and a kids' bottom for an adult top
        return RecommendationOutput(items=[kids_bottom, bottom], looks=[[kids_bottom, shoes], [shoes, kids_bottom]])

    cases = [
        InputCase("a", "cc0", Tag("top", "red", "t-shirt", audience="women")),
        InputCase("b", "cc0", Tag("top", "blue", "t-shirt", audience="women")),
    ]
    report = evaluate_recommendations(cases, recommend, catalog_size=10)
    assert report.items.checked == 4 and report.items.with_violation == 1
    assert report.items.by_constraint == {"kids_with_adult": 1}
    assert report.looks.checked == 5 and report.looks.with_violation == 2
    assert report.looks.by_constraint == {"kids_with_adult": 2, "identical_looks": 1}
    assert report.inputs_with_3_complete_looks == 1 and report.share_with_3_complete_looks == 0.5
    assert report.inputs_with_3_clean_looks == 1
    assert report.item_diversity.shown == 4 and report.item_diversity.distinct == 3
    assert report.item_diversity.coverage == pytest.approx(0.3)
    # "b" lists two black bottoms (a kids' one and an adult's): the second looks like the first
    assert report.first_screen_items == 4
    assert report.first_screen_look_alikes == 1 and report.lists_with_a_look_alike == 1


def test_look_alikes_count_a_piece_a_shopper_would_take_for_one_listed_above():
    gray_pants, gray_pants2 = p(BOTTOM, color="gray", type="pants"), p(BOTTOM, color="gray", type="pants")
    gray_skirt, boots = p(BOTTOM, color="gray", type="skirt"), p(SHOES, color="gray", type="shoes", kind="boots")
    flats = p(SHOES, color="gray", type="shoes", kind="flats")
    assert look_alikes([gray_pants, gray_skirt, boots, flats]) == 0
    assert look_alikes([gray_pants, boots, gray_pants2, gray_pants]) == 2


def test_looks_of_the_same_kinds_count_a_look_that_differs_from_one_above_only_by_colour():
    sandals = [p(SHOES, color=c, type="shoes", kind="sandals") for c in ("black", "gray", "brown")]
    heels = p(SHOES, color="black", type="shoes", kind="heels")
    assert looks_of_the_same_kinds([[sandals[0]], [sandals[1]], [sandals[2]]]) == 2
    assert looks_of_the_same_kinds([[sandals[0]], [heels], [sandals[1], p("outer", type="outwear")]]) == 0


def test_evaluate_recommendations_counts_inputs_whose_looks_may_take_a_layer_and_got_one():
    jacket, shoes = p(OUTER, type="outwear"), p(SHOES)

    def recommend(case):
        looks = [[shoes], [shoes, jacket]] if case.key == "layered" else [[shoes]]
        return RecommendationOutput(items=[shoes], looks=looks)

    cases = [
        InputCase("layered", "cc0", Tag("one_piece", "red", "dress", warmth="mild")),
        InputCase("bare", "cc0", Tag("one_piece", "blue", "dress")),  # warmth unknown: a layer is optional
        InputCase("hot", "cc0", Tag("one_piece", "white", "dress", warmth="hot")),  # never a layer
        InputCase("cold", "cc0", Tag("top", "gray", "sweater", warmth="cold")),  # a layer is required
        InputCase("outer", "cc0", Tag("outer", "black", "outwear", warmth="mild")),  # is the layer
    ]
    report = evaluate_recommendations(cases, recommend, catalog_size=10)
    assert report.layer_optional == {"one_piece": 2}
    assert report.layer_optional_with_a_layer == {"one_piece": 1}


def test_diversity_figures():
    d = diversity([1, 1, 1, 2, *range(3, 15)], catalog_size=100)
    assert d.shown == 16 and d.distinct == 14
    assert d.distinct_share == pytest.approx(14 / 16)
    assert d.top10_share == pytest.approx((3 + 9) / 16)
    assert d.coverage == pytest.approx(0.14)


# ---------------------------------------------------------------- hit rates


def test_hit_at_k_breaks_ties_at_random():
    assert hit_at(0, 1, 1) == 1.0
    assert hit_at(1, 1, 1) == 0.0
    assert hit_at(4, 1, 5) == 1.0
    assert hit_at(5, 1, 5) == 0.0
    assert hit_at(0, 4, 1) == 0.25  # four-way tie for first place
    assert hit_at(3, 4, 5) == 0.5  # ranks 4..7: two of the four land in the top 5
    assert target_rank([0.9, 0.5, 0.5, 0.1], 1) == (1, 2)
    assert target_rank([0.9, 0.5, 0.5, 0.1], 0) == (0, 1)


SKIRT = Tag("bottom", "black", "skirt")
HEELS = Tag("shoes", "red", "shoes", kind="heels")
TEE = Tag("top", "white", "t-shirt")


def test_hidden_cases_hide_each_garment_with_the_rest_as_context():
    cases = hidden_cases([("1", [TEE, SKIRT, HEELS, Tag("accessory", "black", "hat"), Tag("top", "", "shirt")])])
    assert [c.target for c in cases] == [TEE, SKIRT, HEELS]  # the hat is not a slot we test; no colour: skipped
    skirt_case = cases[1]
    assert SKIRT not in skirt_case.context and TEE in skirt_case.context
    assert all(t.slot != "top" for t in cases[0].context)  # the other top is not context for a top


def test_candidates_for_each_aspect():
    case = HiddenCase("1", (TEE,), HEELS)
    colors = candidates_for(case, "color")
    assert len(colors) == 14 and HEELS in colors and all(c.kind == "heels" for c in colors)
    kinds = candidates_for(case, "type")
    assert {c.kind for c in kinds} == {"sneakers", "boots", "heels", "flats", "sandals", "slippers"}
    assert all(c.color == "red" for c in kinds)
    assert len(candidates_for(case, "joint")) == 6 * 14
    assert candidates_for(HiddenCase("1", (TEE,), Tag("shoes", "red", "shoes")), "type") is None


def test_evaluate_hidden_ranks_the_worn_garment():
    cases = [HiddenCase("1", (TEE, SKIRT), HEELS), HiddenCase("2", (TEE,), SKIRT)]

    def oracle(context, candidate):
        return 1.0 if candidate in (HEELS, SKIRT) else 0.0

    def red_first(context, candidate):  # knows colours only: types tie
        return {"red": 1.0, "black": 0.5}.get(candidate.color, 0.0)

    results = evaluate_hidden(cases, {"oracle": oracle, "red": red_first, "flat": lambda c, t: 0.0})
    assert results["oracle"]["joint"].hits == {1: 1.0, 3: 1.0, 5: 1.0}
    assert results["oracle"]["color"].mean_rank == 1.0
    # red heels rank first; the black skirt second (after a red skirt)
    assert results["red"]["color"].hits == {1: 0.5, 3: 1.0, 5: 1.0}
    assert results["red"]["color"].mean_rank == 1.5
    skirt_types = 3  # pants, shorts, skirt
    assert results["red"]["type"].hits[1] == pytest.approx((1 / 6 + 1 / skirt_types) / 2, abs=1e-4)
    assert results["flat"]["color"].hits[5] == pytest.approx(5 / 14, abs=1e-4)
    assert results["flat"]["color"].mean_rank == pytest.approx(7.5)


def test_context_mean_and_engine_pair_score():
    pair = engine_pair_score(Judge(rules=RuleBook([])))  # no rules: colour harmony only
    assert pair(TEE, Tag("bottom", "black", "pants")) > 0  # black is a neutral
    assert pair(TEE, Tag("top", "black", "shirt")) == 0.0  # same slot
    assert pair(TEE, Tag("bottom", "", "pants")) == 0.0  # unknown colour: no evidence
    score = context_mean(lambda a, b: 1.0 if a.slot == "top" else 0.0)
    assert score([TEE, HEELS], SKIRT) == 0.5
    assert score([], SKIRT) == 0.0
