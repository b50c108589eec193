"""The rule engine and the colour-harmony fallback: pure functions, no database."""

from __future__ import annotations

from typing import Any

from catalog.vocabulary import COLOR_CODES, SLOTS
from recommender.engine import FEEDBACK_MAX_EFFECT, Candidate, RuleSpec, Tag, diversify, rank, score_candidates
from recommender.harmony import COMPLEMENTARY_SLOTS, color_harmony, harmony_matches

RED_TOP = Tag(slot="top", color="red", type="t-shirt")


def rule(id: int, out_color: str = "black", weight: int = 50, **kw) -> RuleSpec:
    fields: dict[str, Any] = dict(
        input_slot="top",
        input_type="",
        input_color="red",
        output_slot="bottom",
        output_type="",
        output_color=out_color,
        weight=weight,
        note=f"rule {id}",
    )
    fields.update(kw)
    return RuleSpec(id=id, **fields)


def test_rules_come_first_ranked_by_weight_with_their_note():
    rules = [rule(1, "black", 90), rule(2, "blue", 70)]
    candidates = [
        Candidate(10, "bottom", "pants", "blue"),
        Candidate(11, "bottom", "pants", "black"),
        Candidate(12, "bottom", "skirt", "white"),
    ]
    ranked = rank(RED_TOP, rules, candidates)
    assert [s.candidate.id for s in ranked] == [11, 10, 12]
    assert ranked[0].reason.kind == "rule" and ranked[0].reason.rule_id == 1 and ranked[0].reason.text == "rule 1"
    assert ranked[2].reason.kind == "harmony"  # white bottom: neutral fallback fills the list


def test_rules_for_other_inputs_or_types_do_not_apply():
    rules = [rule(1, input_color="blue"), rule(2, input_type="shirt")]
    ranked = score_candidates(RED_TOP, rules, [Candidate(1, "bottom", "pants", "black")])
    assert ranked[0].reason.kind == "harmony"


def test_type_specific_output_rule_only_matches_that_type():
    rules = [rule(1, "black", 90, output_type="skirt")]
    ranked = score_candidates(
        RED_TOP, rules, [Candidate(1, "bottom", "pants", "black"), Candidate(2, "bottom", "skirt", "black")]
    )
    by_id = {s.candidate.id: s for s in ranked}
    assert by_id[2].reason.rule_id == 1
    assert by_id[1].reason.kind == "harmony"


def test_never_recommends_the_input_slot():
    candidates = [
        Candidate(i, slot, "x", color) for i, (slot, color) in enumerate([(s, c) for s in SLOTS for c in COLOR_CODES])
    ]
    for slot in SLOTS:
        tag = Tag(slot=slot, color="white")
        assert all(s.candidate.slot != slot for s in score_candidates(tag, [], candidates))


def test_harmony_neutrals_go_with_everything_and_denim_acts_as_neutral():
    for color in COLOR_CODES:
        assert color_harmony(color, "top", "black", "bottom") is not None
        assert color_harmony(color, "top", "blue", "bottom") is not None
    assert color_harmony("red", "top", "blue", "bottom")[1] == "denim_neutral"
    # a blue top is not a neutral: a green bottom is judged by hue distance
    assert color_harmony("red", "top", "green", "bottom")[1] == "complementary"
    assert color_harmony("red", "top", "pink", "bottom")[1] == "analogous"
    assert color_harmony("red", "top", "red", "bottom") is None
    assert color_harmony("multicolor", "top", "red", "bottom") is None
    assert color_harmony("red", "top", "black", "top") is None


def test_harmony_matches_cover_the_complementary_slots_best_first():
    matches = harmony_matches("top", "red")
    assert {m.slot for m in matches} == set(COMPLEMENTARY_SLOTS["top"])
    assert matches == sorted(matches, key=lambda m: -m.score)
    assert matches[0].slot == "bottom"


def test_ranking_is_deterministic_and_diverse():
    # ten near-identical black pants and a few other bottoms, all justified by the same rule or harmony
    candidates = [Candidate(i, "bottom", "pants", "black") for i in range(10)]
    candidates += [
        Candidate(20, "bottom", "skirt", "black"),
        Candidate(21, "bottom", "pants", "blue"),
        Candidate(22, "shoes", "shoes", "white"),
    ]
    rules = [rule(1, "black", 90)]
    first = rank(RED_TOP, rules, candidates, limit=5)
    assert [s.candidate.id for s in first] == [
        s.candidate.id for s in rank(RED_TOP, rules, list(reversed(candidates)), limit=5)
    ]
    kinds = [(s.candidate.type, s.candidate.color) for s in first]
    assert kinds.count(("pants", "black")) == 2
    assert ("skirt", "black") in kinds and ("pants", "blue") in kinds


def test_diversify_fills_up_when_only_lookalikes_exist():
    scored = score_candidates(RED_TOP, [rule(1)], [Candidate(i, "bottom", "pants", "black") for i in range(6)])
    assert len(diversify(scored, 4)) == 4


def test_feedback_effect_is_bounded_and_never_lifts_harmony_over_a_rule():
    rules = [rule(1, "black", 1)]
    loved_harmony = Candidate(1, "bottom", "pants", "white", feedback=1.0)
    hated_rule = Candidate(2, "bottom", "pants", "black", feedback=-1.0)
    ranked = score_candidates(RED_TOP, rules, [loved_harmony, hated_rule])
    assert [s.candidate.id for s in ranked] == [2, 1]
    plain = score_candidates(RED_TOP, rules, [Candidate(2, "bottom", "pants", "black")])[0]
    assert abs(plain.score - ranked[0].score - FEEDBACK_MAX_EFFECT) < 1e-9
