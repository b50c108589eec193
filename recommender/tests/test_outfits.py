"""Complete-the-outfit assembly: pure functions."""

from __future__ import annotations

from recommender.engine import Candidate, RuleSpec, Tag
from recommender.outfits import assemble_outfits, pair_reason

RED_TOP = Tag(slot="top", color="red", type="t-shirt")


def rule(id, in_slot, in_color, out_slot, out_color, weight=50):
    return RuleSpec(id, in_slot, "", in_color, out_slot, "", out_color, weight, f"rule {id}")


CANDIDATES = [
    Candidate(1, "bottom", "pants", "black"),
    Candidate(2, "bottom", "pants", "blue"),
    Candidate(3, "bottom", "skirt", "green"),
    Candidate(4, "shoes", "shoes", "white"),
    Candidate(5, "shoes", "shoes", "black"),
    Candidate(6, "outer", "outwear", "beige"),
    Candidate(7, "shoes", "shoes", "orange"),
    Candidate(8, "top", "t-shirt", "white"),  # same slot as the input: never in a look
]


def test_looks_have_the_required_slots_with_distinct_pieces_and_every_pair_justified():
    rules = [rule(1, "top", "red", "bottom", "black", 90), rule(2, "bottom", "black", "shoes", "white", 80)]
    outfits = assemble_outfits(RED_TOP, rules, CANDIDATES, count=3)
    assert len(outfits) == 2  # only two pairs of shoes that go with a red top
    first = outfits[0]
    assert [p.id for p in first.pieces] == [1, 4, 6]  # black pants (rule 1), white shoes (rule 2 with the pants), coat
    pieces = {p.id for p in first.pieces}
    assert pieces.isdisjoint({p.id for p in outfits[1].pieces})
    # every piece linked to the input, and to every piece chosen before it
    assert len(first.links) == 3 + 3
    by_pair = {(link.a_id, link.b_id): link.reason for link in first.links}
    assert by_pair[(None, 1)].rule_id == 1
    assert by_pair[(1, 4)].rule_id == 2
    assert all(reason.text for reason in by_pair.values())


def test_pieces_that_clash_with_each_other_are_not_combined():
    # green skirt and orange shoes both go with... nothing else here; the orange shoes clash with a green skirt
    candidates = [Candidate(3, "bottom", "skirt", "green"), Candidate(7, "shoes", "shoes", "orange")]
    assert pair_reason(Tag("bottom", "green"), Tag("shoes", "orange"), []) is None
    assert assemble_outfits(Tag("top", "white"), [], candidates) == []


def test_a_dress_gets_shoes_and_outerwear():
    outfits = assemble_outfits(Tag("one_piece", "black", "dress"), [], CANDIDATES, count=1)
    assert [p.slot for p in outfits[0].pieces] == ["shoes", "outer"]


def test_deterministic():
    rules = [rule(1, "top", "red", "bottom", "black", 90)]
    assert assemble_outfits(RED_TOP, rules, CANDIDATES) == assemble_outfits(RED_TOP, rules, list(reversed(CANDIDATES)))
