"""The rule engine: pairs judged by the style tables, rules and harmony; ranking and lists. Pure, no database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from catalog.rules import RuleSide, RuleSpec
from catalog.style import DEFAULT_POLICY, DEFAULT_STYLE_TABLES, StylePolicy
from catalog.tags import Candidate, Leaning, Tag
from recommender.affinity import OutfitAffinity
from recommender.engine import (
    FEEDBACK_MAX_EFFECT,
    GUESS_PENALTY,
    Judge,
    RuleBook,
    audience_of_type,
    guess_penalty,
    rank,
    score_candidates,
)
from recommender.reasons import Reason, phrase_en, phrase_ko, reason_text

RED_TOP = Tag("top", "red", "t-shirt", pattern="solid", audience="women", warmth="mild", formality="casual")


def rule(
    id: int, out_color: str = "black", weight: int = 50, *, note: str = "", note_ko: str = "", **sides
) -> RuleSpec:
    input_side = sides.get("input", RuleSide("top", "red"))
    output_side = sides.get("output", RuleSide("bottom", out_color))
    return RuleSpec(id, input_side, output_side, weight, note or f"rule {id}", note_ko)


def judge(*rules: RuleSpec, policy: StylePolicy = DEFAULT_POLICY) -> Judge:
    return Judge(rules=RuleBook(rules), policy=policy)


def piece(id: int, slot: str, color: str, type: str = "", **attributes) -> Candidate:
    attributes.setdefault("pattern", "solid")
    return Candidate(id, Tag(slot, color, type, **attributes))


def test_rules_come_first_ranked_by_weight_with_their_note_in_each_language():
    ranked = rank(
        RED_TOP,
        [
            piece(10, "bottom", "blue", "pants"),
            piece(11, "bottom", "black", "pants"),
            piece(12, "bottom", "white", "skirt"),
        ],
        judge(rule(1, "black", 90, note_ko="레드와 블랙"), rule(2, "blue", 70)),
    )
    assert [s.candidate.id for s in ranked] == [11, 10, 12]
    assert ranked[0].reason.kind == "rule" and ranked[0].reason.rule_id == 1
    assert reason_text(ranked[0].reason, "en") == "rule 1"
    assert reason_text(ranked[0].reason, "ko") == "레드와 블랙"
    # A rule without a Korean note gets the Korean sentence of its pair, never the English note.
    assert reason_text(ranked[1].reason, "ko") != "rule 2" and "청바지" in reason_text(ranked[1].reason, "ko")
    assert ranked[2].reason.kind == "harmony"


def test_a_rules_note_is_given_once_a_list_and_later_pieces_it_matched_say_their_harmony():
    # A red top: black trousers, a black skirt and black shorts all match the one "red top, black bottom" rule.
    ranked = rank(
        RED_TOP,
        [
            piece(10, "bottom", "black", "pants"),
            piece(11, "bottom", "black", "skirt"),
            piece(12, "bottom", "black", "shorts"),
        ],
        judge(rule(1, "black", 90, note="Red and black: bold and sharp.", note_ko="레드와 블랙: 강렬하고 또렷해요.")),
        per_group=3,
    )
    assert len(ranked) == 3 and all(s.reason.kind == "rule" and s.reason.rule_id == 1 for s in ranked)
    for language, note in (("en", "Red and black: bold and sharp."), ("ko", "레드와 블랙: 강렬하고 또렷해요.")):
        texts = [reason_text(s.reason, language) for s in ranked]
        assert texts[0] == note
        assert note not in texts[1:] and all(texts[1:]), texts
    assert "black" in reason_text(ranked[1].reason, "en") and "블랙" in reason_text(ranked[1].reason, "ko")
    # A later piece whose colours have no harmony to tell keeps the stylist's note: it is the only true reason.
    no_harmony = Reason("rule", RED_TOP, ranked[1].reason.b, rule_id=1, note="n", note_given_above=True)
    assert reason_text(no_harmony, "en") == "n"


def test_a_sentence_that_comes_back_in_a_list_is_worded_differently_each_time():
    # Printed boots: every solid neutral piece is paired by the same "calms the print" sentence.
    boots = Tag("shoes", "pink", "shoes", kind="boots", pattern="pattern")
    ranked = rank(
        boots,
        [
            piece(10 + i, slot, color, type)
            for i, (slot, color, type) in enumerate(
                [
                    ("bottom", "black", "skirt"),
                    ("bottom", "gray", "skirt"),
                    ("bottom", "navy", "skirt"),
                    ("top", "white", "longsleeve"),
                    ("top", "gray", "longsleeve"),
                    ("top", "black", "longsleeve"),
                ]
            )
        ],
        judge(),
        per_group=6,
    )
    assert len(ranked) == 6 and {s.reason.harmony for s in ranked} == {"print_calm"}
    # Tops and bottoms share the sentence here, so the count runs on across both slots, in list order.
    assert [s.reason.variant for s in ranked] == list(range(6))
    for language, phrase in (("en", phrase_en), ("ko", phrase_ko)):
        wordings = [reason_text(s.reason, language).replace(phrase(s.reason.b), "X") for s in ranked]
        # Four wordings, each used before any comes round again.
        assert len(set(wordings[:4])) == 4 and wordings[4] == wordings[0], wordings


def test_a_rule_condition_on_kind_or_pattern_only_matches_such_garments():
    sneakers_rule = rule(1, output=RuleSide("shoes", "white", kind="sneakers"), weight=90)
    verdicts = score_candidates(
        RED_TOP,
        [piece(1, "shoes", "white", "shoes", kind="sneakers"), piece(2, "shoes", "white", "shoes", kind="heels")],
        judge(sneakers_rule),
    )
    by_id = {s.candidate.id: s.reason for s in verdicts}
    assert by_id[1].kind == "rule" and by_id[2].kind == "harmony"


def test_style_tables_hold_whatever_the_rules_say():
    everything = rule(1, "black", 100)
    j = judge(everything)
    adult = RED_TOP
    cases = {
        "kids bottom for an adult top": piece(1, "bottom", "black", "pants", audience="kids"),
        "men's bottom for a women's top": piece(2, "bottom", "black", "pants", audience="men"),
        "cold piece with a hot one": piece(3, "bottom", "black", "pants", warmth="cold"),
        "lounge with casual": piece(4, "bottom", "black", "pants", formality="lounge"),
        "sport with smart": piece(5, "bottom", "black", "pants", formality="smart"),
    }
    hot_sport_top = Tag("top", "red", "t-shirt", pattern="solid", audience="women", warmth="hot", formality="sport")
    assert j.pair(adult, cases["kids bottom for an adult top"].tag) is None
    assert j.pair(adult, cases["men's bottom for a women's top"].tag) is None
    assert j.pair(hot_sport_top, cases["cold piece with a hot one"].tag) is None
    assert j.pair(adult, cases["lounge with casual"].tag) is None
    assert j.pair(hot_sport_top, cases["sport with smart"].tag) is None
    # Unisex goes with women's and men's pieces; unknown attributes never exclude.
    assert j.pair(adult, piece(6, "bottom", "black", "pants", audience="unisex").tag) is not None
    assert j.pair(adult, piece(7, "bottom", "black", "pants").tag) is not None


def test_two_prints_only_when_a_stylist_rule_pairs_them():
    printed_top = Tag("top", "multicolor", "shirt", pattern="pattern")
    printed_skirt = Tag("bottom", "red", "skirt", pattern="pattern")
    assert judge().pair(printed_top, printed_skirt) is None
    paired = rule(
        1,
        input=RuleSide("top", "multicolor", pattern="pattern"),
        output=RuleSide("bottom", "red", pattern="pattern"),
        note="Clashing prints, on purpose",
    )
    verdict = judge(paired).pair(printed_top, printed_skirt)
    assert verdict is not None and verdict[1].rule_id == 1


def test_stylists_can_change_a_table():
    rows = [row for row in DEFAULT_STYLE_TABLES if not (row[0] == "audience" and {row[1], row[2]} == {"men", "women"})]
    relaxed = StylePolicy.from_rows([*rows, ("audience", "men", "women", True)])
    mens = piece(1, "bottom", "black", "pants", audience="men").tag
    assert judge().pair(RED_TOP, mens) is None
    assert judge(policy=relaxed).pair(RED_TOP, mens) is not None


def test_never_the_input_slot_nor_outerwear_for_a_hot_piece():
    hot_top = Tag("top", "white", "t-shirt", pattern="solid", warmth="hot")
    candidates = [
        piece(1, "top", "black", "shirt"),
        piece(2, "outer", "black", "outwear"),
        piece(3, "bottom", "black", "shorts", warmth="hot"),
        piece(4, "one_piece", "black", "dress"),
    ]
    assert [s.candidate.id for s in rank(hot_top, candidates, judge())] == [3]


def test_a_photo_of_shoes_gets_tops_and_bottoms_not_only_bottoms():
    shoes = Tag("shoes", "white", "shoes", kind="sneakers", pattern="solid")
    candidates = [piece(i, "bottom", "black", "pants") for i in range(1, 13)]
    candidates += [piece(i, "top", "gray", "t-shirt") for i in range(20, 26)]
    ranked = rank(shoes, candidates, judge(), limit=8)
    slots = [s.candidate.slot for s in ranked]
    assert "top" in slots[:3] and "bottom" in slots[:3]


def test_feedback_reorders_within_its_bound_and_never_lifts_harmony_over_a_rule():
    rules = [rule(1, "black", 1)]
    loved_harmony = Candidate(2, Tag("bottom", "white", "pants", pattern="solid"), feedback=1.0)
    hated_rule = Candidate(1, Tag("bottom", "black", "pants", pattern="solid"), feedback=-1.0)
    ranked = rank(RED_TOP, [loved_harmony, hated_rule], judge(*rules))
    assert [s.candidate.id for s in ranked] == [1, 2]
    neutral = score_candidates(RED_TOP, [Candidate(3, hated_rule.tag)], judge(*rules))[0].score
    assert abs(neutral - ranked[0].score - FEEDBACK_MAX_EFFECT) < 1e-9


def test_deterministic_and_different_inputs_see_different_garments_first():
    candidates = [piece(i, "bottom", "black", "pants") for i in range(1, 40)]
    first = rank(RED_TOP, candidates, judge(), limit=3)
    assert [s.candidate.id for s in first] == [
        s.candidate.id for s in rank(RED_TOP, candidates[::-1], judge(), limit=3)
    ]
    other = Tag("top", "red", "shirt", pattern="solid", audience="women", warmth="mild", formality="casual")
    assert [s.candidate.id for s in first] != [s.candidate.id for s in rank(other, candidates, judge(), limit=3)]


def test_look_alikes_are_capped_in_a_list():
    candidates = [piece(i, "bottom", "black", "pants") for i in range(1, 6)] + [piece(9, "bottom", "beige", "skirt")]
    ranked = rank(RED_TOP, candidates, judge(rule(1, "black", 90)), limit=2)
    assert {s.candidate.color for s in ranked} == {"black", "beige"}


def test_look_alikes_come_after_every_distinct_piece_when_the_list_is_long_enough_for_all():
    """A page shows the head of each slot's list: a coat's page listed "Gray pants, Gray pants" as its first two
    bottoms because the list was long enough to keep both. Each look-alike now waits until every distinct piece is
    listed, and is still listed."""
    blacks = [piece(i, "bottom", "black", "pants") for i in range(1, 4)]
    others = [piece(8, "bottom", "navy", "pants"), piece(9, "bottom", "beige", "skirt")]
    ranked = rank(RED_TOP, blacks + others, judge(rule(1, "black", 90)), limit=12)
    colors = [s.candidate.color for s in ranked]
    assert colors[0] == "black"  # the rule's piece still leads
    assert sorted(colors[:3]) == ["beige", "black", "navy"]
    assert colors[3:] == ["black", "black"]


def test_an_unknown_audience_puts_every_adult_piece_before_any_kids_piece():
    """The panel's most common "bad": a child's piece with an adult garment. Read without confidence, the shopper's
    piece gets adults' pieces first, a kids' piece matched by a heavy rule included; kids' pieces remain only as a
    last resort."""
    unknown = Tag("top", "red", "t-shirt", pattern="solid")
    kids_rule_piece = piece(1, "bottom", "black", "pants", audience="kids")
    adult_harmony_piece = piece(2, "bottom", "white", "pants", audience="women")
    ranked = rank(unknown, [kids_rule_piece, adult_harmony_piece], judge(rule(1, "black", 100)), limit=2)
    assert [s.candidate.id for s in ranked] == [2, 1]
    kids_top = Tag("top", "red", "t-shirt", pattern="solid", audience="kids")
    assert [
        s.candidate.id for s in rank(kids_top, [kids_rule_piece, adult_harmony_piece], judge(rule(1, "black", 100)))
    ] == [1]


def unsure(attribute: str, *guess: tuple[str, float]) -> Leaning:
    return Leaning(**{attribute: guess})


MENS_OR_UNISEX = unsure("audience", ("men", 0.45), ("unisex", 0.3), ("women", 0.2), ("kids", 0.05))


def test_an_unsure_audience_still_orders_the_list_men_or_unisex_puts_the_skirt_last():
    """The plaid shirt read "men" at 0.45 (unisex 0.3): a women's skirt, even one a heavy rule pairs, comes after
    every piece the guess allows; it is not excluded, and a guess is never written into the tag or the reason."""
    plaid = Tag("top", "red", "shirt", pattern="pattern")
    skirt = piece(1, "bottom", "black", "skirt", audience="women")
    mens = piece(2, "bottom", "white", "pants", audience="men")
    unisex = piece(3, "bottom", "beige", "pants", audience="unisex")
    j = judge(rule(1, "black", 100))
    assert rank(plaid, [skirt, mens, unisex], j)[0].candidate.id == 1  # unknown: the rule first
    ranked = rank(plaid, [skirt, mens, unisex], j, leaning=MENS_OR_UNISEX)
    assert [s.candidate.id for s in ranked] == [3, 2, 1]  # unisex (safest), men's, then the skirt
    assert ranked[-1].against_guess and ranked[-1].reason.a.audience == ""


def test_a_skirt_of_unknown_audience_is_guessed_nobody_s_but_a_woman_s_or_a_child_s():
    """No man wears a skirt, a dress, a blouse or heels in the CC0 set: asked for by its tags alone, a red skirt puts a
    man's shirt after a women's and a unisex one, however a rule ranks it; a guess that says "men" loses that share."""
    skirt = Tag("bottom", "red", "skirt")
    assert audience_of_type(skirt, Leaning()).audience == (("women", 1.0),)
    mens_first = unsure("audience", ("men", 0.5), ("women", 0.3), ("kids", 0.2))
    assert audience_of_type(skirt, mens_first).audience == (("women", 0.6), ("kids", 0.4))
    assert audience_of_type(Tag("shoes", "red", "shoes", kind="heels"), Leaning()).audience == (("women", 1.0),)
    # A known audience, or a type men wear too, keeps what it had.
    assert audience_of_type(replace(skirt, audience="kids"), Leaning()) == Leaning()
    assert audience_of_type(Tag("bottom", "red", "pants"), mens_first) == mens_first
    mens_shirt = piece(1, "top", "white", "shirt", audience="men")
    womens = piece(2, "top", "white", "blouse", audience="women")
    unisex = piece(3, "top", "black", "t-shirt", audience="unisex")
    j = judge(rule(1, "white", 100, input=RuleSide("bottom", "red"), output=RuleSide("top", "white")))
    assert rank(skirt, [mens_shirt, womens, unisex], j)[0].candidate.id == 1  # unguessed: the rule's pick first
    ranked = rank(skirt, [mens_shirt, womens, unisex], j, leaning=audience_of_type(skirt, Leaning()))
    assert [s.candidate.id for s in ranked][-1] == 1 and ranked[-1].against_guess


def test_a_piece_guessed_a_kids_one_gets_kids_pieces_first_from_even_odds():
    kids_tee = Tag("top", "red", "t-shirt", pattern="solid")
    kids_piece = piece(1, "bottom", "white", "pants", audience="kids")
    adult_rule_piece = piece(2, "bottom", "black", "pants", audience="women")
    j = judge(rule(1, "black", 100))
    likely_kids = unsure("audience", ("kids", 0.55), ("women", 0.3), ("unisex", 0.1), ("men", 0.05))
    assert [s.candidate.id for s in rank(kids_tee, [kids_piece, adult_rule_piece], j)] == [2, 1]
    assert [s.candidate.id for s in rank(kids_tee, [kids_piece, adult_rule_piece], j, leaning=likely_kids)] == [1, 2]
    # Below even odds the guess is more often an adult's piece (CC0 validation: 5 kids' pieces in 17): adults first.
    maybe_kids = unsure("audience", ("kids", 0.42), ("women", 0.3), ("unisex", 0.18), ("men", 0.1))
    assert [s.candidate.id for s in rank(kids_tee, [kids_piece, adult_rule_piece], j, leaning=maybe_kids)] == [2, 1]


def test_a_hot_weather_guess_lists_the_jacket_and_the_boots_after_everything_else():
    """The summer dress read "hot" at 0.57: no layer (nor cold-weather boots) while anything else goes."""
    dress = Tag("one_piece", "black", "dress", pattern="solid")
    jacket = piece(1, "outer", "white", "outwear", warmth="mild")
    sandals = [piece(i, "shoes", "white", "shoes", kind="sandals", warmth="hot") for i in (2, 3, 4)]
    boots = piece(5, "shoes", "white", "shoes", kind="boots", warmth="cold")
    j = judge()
    unknown = [s.candidate.id for s in rank(dress, [jacket, *sandals, boots], j, per_group=3, limit=3)]
    assert 1 in unknown  # unknown warmth: the jacket is listed among the first three
    hot = unsure("warmth", ("hot", 0.57), ("mild", 0.42), ("cold", 0.01))
    guessed = rank(dress, [jacket, *sandals, boots], j, per_group=3, leaning=hot)
    assert [s.candidate.id for s in guessed[:3]] == [2, 3, 4]
    assert {s.candidate.id for s in guessed[3:]} == {1, 5} and all(s.against_guess for s in guessed[3:])


def test_an_unsure_pattern_puts_prints_after_plain_pieces_and_a_likely_print_last():
    """The red skirt read "solid" at 0.67 (below the 0.7 threshold, so its pattern is unknown): a print, even one a
    heavy rule pairs, comes after the plain pieces by a third of a ruled-out piece's penalty, a multicolour piece
    counting as a print; read "pattern" at 0.6, a print is what the guess rules out (a look has one print). Neither is
    excluded, and a confident "solid" keeps every print where the rules put it."""
    skirt = Tag("bottom", "red", "skirt")
    print_by_rule = piece(1, "top", "black", "t-shirt", pattern="pattern")
    plain = piece(2, "top", "white", "t-shirt")
    j = judge(rule(1, "black", 100, input=RuleSide("bottom", "red"), output=RuleSide("top", "black")))
    pieces = [print_by_rule, plain]
    assert rank(skirt, pieces, j)[0].candidate.id == 1  # unknown, no guess: the rule first
    likely_solid = unsure("pattern", ("solid", 0.67), ("pattern", 0.33))
    scores = {s.candidate.id: s for s in score_candidates(skirt, pieces, j, likely_solid)}
    unguessed = {s.candidate.id: s for s in score_candidates(skirt, pieces, j)}
    assert unguessed[1].score - scores[1].score == pytest.approx(GUESS_PENALTY * 0.33)
    assert scores[2].score == unguessed[2].score and not any(s.against_guess for s in scores.values())
    likely_print = unsure("pattern", ("pattern", 0.6), ("solid", 0.4))
    ranked = rank(skirt, pieces, j, leaning=likely_print)
    assert [s.candidate.id for s in ranked] == [2, 1] and ranked[1].against_guess
    multicolour = Tag("top", "multicolor", "t-shirt")
    assert guess_penalty(skirt, likely_print, multicolour) == (GUESS_PENALTY, True)
    solid = replace(skirt, pattern="solid")
    assert score_candidates(solid, pieces, j, likely_print) == score_candidates(solid, pieces, j)


def test_a_confident_reading_or_a_correction_keeps_the_hard_tables_and_ignores_the_guess():
    womens_top = Tag("top", "red", "t-shirt", pattern="solid", audience="women")
    pieces = [
        piece(1, "bottom", "black", "skirt", audience="women"),
        piece(2, "bottom", "white", "pants", audience="men"),
        piece(3, "bottom", "beige", "pants", audience="unisex"),
    ]
    j = judge(rule(1, "black", 100))
    plain = score_candidates(womens_top, pieces, j)
    assert score_candidates(womens_top, pieces, j, MENS_OR_UNISEX) == plain
    assert {s.candidate.id for s in plain} == {1, 3}  # the men's trousers stay excluded


@pytest.mark.parametrize("wearer, first", [("men", "sneakers"), ("women", "sandals")])
def test_how_common_a_piece_is_is_read_from_the_wearers_own_outfits(wearer, first):
    """Real outfits that are mostly women's, where sandals outnumber sneakers, while a man's wear sneakers: a man's
    black shirt gets the black sneakers first, a woman's black blouse the black sandals."""
    sandals = Tag("shoes", "black", "shoes", kind="sandals", pattern="solid", audience="unisex")
    sneakers = Tag("shoes", "black", "shoes", kind="sneakers", pattern="solid", audience="unisex")
    her = [[Tag("top", "black", "blouse"), sandals]] * 30 + [[Tag("top", "black", "blouse"), sneakers]] * 5
    his = [[Tag("top", "black", "shirt"), sneakers]] * 8 + [[Tag("top", "black", "shirt"), sandals]] * 2
    table = OutfitAffinity.learn(her + his, wearers=["women"] * 35 + ["men"] * 10)
    served = Judge(rules=RuleBook([]), policy=DEFAULT_POLICY, popularity=table.popularity)
    top = Tag("top", "black", "shirt" if wearer == "men" else "blouse", pattern="solid", audience=wearer)
    shoes = [Candidate(1, sandals), Candidate(2, sneakers)]
    assert rank(top, shoes, served)[0].candidate.tag.kind == first
    # Everyone's share (mostly women's) would put the sandals first for him too.
    everyone = Judge(rules=RuleBook([]), policy=DEFAULT_POLICY, popularity=lambda tag, wearer: table.popularity(tag))
    assert rank(top, shoes, everyone)[0].candidate.tag.kind == "sandals"
