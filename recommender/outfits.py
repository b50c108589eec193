"""Complete the outfit: assemble 1–3 full looks around the input, every pair justified. Pure, no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from recommender.engine import Candidate, Reason, RuleSpec, Tag, score_candidates
from recommender.harmony import color_harmony

# What a look needs around each input slot (in the order pieces are chosen), and what it may add.
OUTFIT_PLAN: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "top": (("bottom", "shoes"), ("outer",)),
    "bottom": (("top", "shoes"), ("outer",)),
    "one_piece": (("shoes", "outer"), ()),
    "outer": (("top", "bottom", "shoes"), ()),
    "shoes": (("bottom", "top"), ()),
    "accessory": (("top", "bottom", "shoes"), ()),
}


@dataclass(frozen=True)
class Link:
    """Why two pieces of a look go together. `a_id`/`b_id` are garment ids; None is the shopper's own garment."""

    a_id: int | None
    b_id: int
    reason: Reason


@dataclass(frozen=True)
class OutfitSpec:
    pieces: tuple[Candidate, ...]
    links: tuple[Link, ...]
    score: float


def pair_reason(a: Tag, b: Tag, rules: Sequence[RuleSpec]) -> Reason | None:
    """A stylist rule in either direction, else the colour-harmony fallback; None when the pair does not go."""
    best: RuleSpec | None = None
    for rule in rules:
        forward = rule.matches_input(a) and rule.matches_output(b.slot, b.type, b.color)
        backward = rule.matches_input(b) and rule.matches_output(a.slot, a.type, a.color)
        if (forward or backward) and (best is None or rule.weight > best.weight):
            best = rule
    if best is not None:
        return Reason("rule", best.note, best.note_ko, rule_id=best.id)
    scored = color_harmony(a.color, a.slot, b.color, b.slot)
    if scored is None:
        return None
    return Reason("harmony", scored[2], harmony_rule=scored[1])


def _tag(candidate: Candidate) -> Tag:
    return Tag(slot=candidate.slot, color=candidate.color, type=candidate.type)


def assemble_outfits(
    tag: Tag, rules: Sequence[RuleSpec], candidates: Sequence[Candidate], *, count: int = 3
) -> list[OutfitSpec]:
    """Up to `count` looks around `tag`, each with different pieces; every pair of pieces (and each piece with the
    input) is justified by a rule or colour harmony. Greedy and deterministic: the best-ranked piece first."""
    required, optional = OUTFIT_PLAN[tag.slot]
    ranked = score_candidates(tag, rules, candidates)  # all candidates that go with the input, best first
    by_slot: dict[str, list] = {}
    for item in ranked:
        by_slot.setdefault(item.candidate.slot, []).append(item)
    used: set[int] = set()
    outfits: list[OutfitSpec] = []
    for _ in range(count):
        pieces: list[Candidate] = []
        links: list[Link] = []
        score = 0.0
        complete = True
        for slot in (*required, *optional):
            choice = None
            for item in by_slot.get(slot, []):
                if item.candidate.id in used:
                    continue
                maybe = [pair_reason(_tag(p), _tag(item.candidate), rules) for p in pieces]
                between = [reason for reason in maybe if reason is not None]
                if len(between) == len(maybe):  # every pair with the pieces so far is justified
                    choice = (item, between)
                    break
            if choice is None:
                if slot in required:
                    complete = False
                    break
                continue
            item, between = choice
            links.append(Link(None, item.candidate.id, item.reason))
            links.extend(Link(p.id, item.candidate.id, r) for p, r in zip(pieces, between, strict=True))
            pieces.append(item.candidate)
            score += item.score
        if not complete:
            break
        used.update(p.id for p in pieces)
        outfits.append(OutfitSpec(tuple(pieces), tuple(links), round(score, 4)))
    return outfits
