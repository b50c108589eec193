"""Complete the outfit: up to three complete, coherent and different looks around the shopper's piece. Pure.

A look is complete when it has a top and a bottom or a one-piece, shoes, and outerwear when the warmth of the
shopper's piece calls for it (the "outerwear" style table: required when cold, optional when mild, never when hot;
the style tables also keep a layer out of any look with a hot-weather piece, such as sandals or shorts).
Every pair of pieces in a look (the shopper's included) passes the style tables and has a reason: a stylist rule or
colour harmony. Looks are found by a small beam search over the slots and scored by the mean strength of all their
pairs, so an optional layer joins a look only when it makes the look better, except that when none of the looks
has one, the last gives way to the best layered look (`_with_a_layered_look`); the chosen looks share as few pieces as
the catalog allows and are never the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from catalog.style import NEVER, REQUIRED
from catalog.tags import Candidate, Leaning, Tag
from recommender.engine import Judge, ScoredCandidate, reasons_varied, score_candidates, tie_break
from recommender.reasons import Reason

# The base of a look around each input slot: alternatives, in order of preference.
LOOK_BASES: dict[str, tuple[tuple[str, ...], ...]] = {
    "top": (("bottom",),),
    "bottom": (("top",),),
    "one_piece": ((),),
    "outer": (("top", "bottom"), ("one_piece",)),
    "shoes": (("top", "bottom"), ("one_piece",)),
    "accessory": (("top", "bottom"), ("one_piece",)),
}
POOL_PER_SLOT = 16  # at most two look-alikes each
BEAM_WIDTH = 32
# Pieces within this much of each other are equally good for a look; a per-input jitter of that size picks among
# them differently for different inputs, so the same few garments do not appear in every look.
LOOK_JITTER = 0.06


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

    @property
    def slots(self) -> frozenset[str]:
        return frozenset(p.slot for p in self.pieces)


@dataclass(frozen=True)
class LookPlan:
    required: tuple[str, ...]
    optional: tuple[str, ...]


def look_plans(tag: Tag, judge: Judge) -> list[LookPlan]:
    """The slot plans that make a complete look around `tag`."""
    need = judge.policy.outerwear_need(tag.warmth)
    plans = []
    for base in LOOK_BASES[tag.slot]:
        required = list(base)
        if tag.slot != "shoes":
            required.append("shoes")
        optional: list[str] = []
        if tag.slot != "outer":
            if need == REQUIRED:
                required.append("outer")
            elif need != NEVER:
                optional.append("outer")
        plans.append(LookPlan(tuple(required), tuple(optional)))
    return plans


@dataclass(frozen=True)
class _State:
    pieces: tuple[Candidate, ...]
    links: tuple[Link, ...]
    pair_scores: tuple[float, ...]

    @property
    def score(self) -> float:
        return sum(self.pair_scores) / len(self.pair_scores) if self.pair_scores else 0.0


def _jitter(tag: Tag, candidate_id: int) -> float:
    return (int(tie_break(tag, candidate_id)[:8], 16) / 16**8 - 0.5) * LOOK_JITTER


def _extend(state: _State, item: ScoredCandidate, judge: Judge, jittered: dict[int, float]) -> _State | None:
    links = [Link(None, item.candidate.id, item.reason)]
    scores = [jittered[item.candidate.id]]
    for piece in state.pieces:
        verdict = judge.pair(piece.tag, item.candidate.tag)
        if verdict is None:
            return None
        scores.append(verdict[0])
        links.append(Link(piece.id, item.candidate.id, verdict[1]))
    return _State((*state.pieces, item.candidate), (*state.links, *links), (*state.pair_scores, *scores))


def _search(plan: LookPlan, pools: dict[str, list[ScoredCandidate]], judge: Judge, tag: Tag) -> list[_State]:
    # Each pool item's score with the shopper's piece, jittered per input: computed once, not once per beam state.
    jittered = {
        item.candidate.id: item.score + _jitter(tag, item.candidate.id) for pool in pools.values() for item in pool
    }
    states = [_State((), (), ())]
    for slot in (*plan.required, *plan.optional):
        optional = slot in plan.optional
        grown: list[_State] = list(states) if optional else []
        for state in states:
            for item in pools.get(slot, []):
                new = _extend(state, item, judge, jittered)
                if new is not None:
                    grown.append(new)
        unique: dict[frozenset, _State] = {}
        for state in sorted(grown, key=lambda s: -s.score):
            # Keep one state per look a shopper would see (look-alike pieces are the same look).
            unique.setdefault(frozenset(_look_alike(p) for p in state.pieces), state)
        states = list(unique.values())[:BEAM_WIDTH]
        if not states:
            return []
    return states


def _look_alike(candidate: Candidate) -> tuple[str, str, str, str, str]:
    """What a shopper sees of a piece: two black jeans are the same suggestion, whatever their ids."""
    tag = candidate.tag
    return (tag.slot, tag.type, tag.kind, tag.color, tag.pattern)


SAME_SHAPE_PENALTY = 0.1  # a second look of the same shape (e.g. another dress) must be this much better to come first
# ... and a look made of the same kinds of piece as one chosen (colours aside) this much: a hot dress's three looks
# were black, gray and brown sandals. Validation (`evaluate_looks --split validation --attributes read`): such repeats
# 189 → 94 of 2,445 looks (0.2: 27), no constraint broken more, mean look strength 1.173 → 1.171 (0.2: 1.169), the
# first look of every input unchanged. The same margin as a repeated shape.
SAME_KINDS_PENALTY = 0.1


def _pick_distinct(states: Sequence[_State], count: int, chosen: Sequence[_State] = ()) -> list[_State]:
    """The best looks that share as few pieces as possible (counting look-alike pieces as shared): first with no
    shared piece, then allowing one, then two; never two looks that look the same. Looks of a shape not shown yet
    (a dress look beside top-and-bottom ones), and then looks of kinds of piece not shown yet (heels beside two pairs
    of sandals), are preferred unless clearly weaker. `chosen`: looks already picked, kept first."""
    chosen = list(chosen)
    chosen_faces: list[set] = [{_look_alike(p) for p in state.pieces} for state in chosen]

    def shape(state: _State) -> frozenset[str]:
        return frozenset(p.slot for p in state.pieces)

    def kinds(state: _State) -> frozenset[tuple[str, str, str]]:
        return frozenset((p.slot, p.tag.type, p.tag.kind) for p in state.pieces)

    def preference(state: _State) -> float:
        repeats = sum(shape(state) == shape(other) for other in chosen)
        same_kinds = sum(kinds(state) == kinds(other) for other in chosen)
        return -(state.score - SAME_SHAPE_PENALTY * repeats - SAME_KINDS_PENALTY * same_kinds)

    for max_shared in (0, 1, 2):
        while len(chosen) < count:
            ranked = sorted(states, key=preference)
            picked = False
            for state in ranked:
                faces = {_look_alike(p) for p in state.pieces}
                if state in chosen or any(len(faces & other) > max_shared or faces == other for other in chosen_faces):
                    continue
                chosen.append(state)
                chosen_faces.append(faces)
                picked = True
                break
            if not picked:
                break
    return chosen


def assemble_outfits(
    tag: Tag,
    candidates: Sequence[Candidate],
    judge: Judge,
    *,
    count: int = 3,
    scored: list[ScoredCandidate] | None = None,
    leaning: Leaning | None = None,
) -> list[OutfitSpec]:
    """Up to `count` complete looks around `tag`, best first, as different from each other as the catalog allows.
    `leaning`: what the CNN guessed of `tag`'s unknown attributes; it lowers the shopper's piece's pairs with pieces
    it makes unlikely to go (`engine.guess_penalty`), so a look around a piece guessed for hot weather takes no layer.
    `scored`: `score_candidates(tag, candidates, judge, leaning)` when the caller already has it (ranking needs it)."""
    ranked = score_candidates(tag, candidates, judge, leaning) if scored is None else scored
    plans = look_plans(tag, judge)
    wanted = {slot for plan in plans for slot in (*plan.required, *plan.optional)}
    pools: dict[str, list[ScoredCandidate]] = {}
    faces: Counter = Counter()
    for item in ranked:
        slot, face = item.candidate.slot, _look_alike(item.candidate)
        if slot in wanted and len(pools.setdefault(slot, [])) < POOL_PER_SLOT and faces[face] < 2:
            pools[slot].append(item)
            faces[face] += 1
    complete: list[_State] = []
    for plan in plans:
        complete.extend(
            s for s in _search(plan, pools, judge, tag) if all(p in {x.slot for x in s.pieces} for p in plan.required)
        )
    complete.sort(key=lambda s: (-round(s.score, 6), tie_break(tag, min(p.id for p in s.pieces))))
    ruled_out = {item.candidate.id for item in ranked if item.against_guess}
    picked = _pick_allowed_first(complete, count, ruled_out)
    if any("outer" in plan.optional for plan in plans):
        picked = _with_a_layered_look(picked, complete, count, ruled_out)
    looks = [OutfitSpec(state.pieces, state.links, round(state.score, 4)) for state in picked]
    return _reasons_varied(looks)


def _pick_allowed_first(states: Sequence[_State], count: int, ruled_out: set[int]) -> list[_State]:
    """`_pick_distinct`, but a look with a piece that the best guess of an unsure attribute of the shopper's piece
    rules out (`engine.guess_penalty`) comes only when no other look is left, as that piece does in the list. The
    preference for looks sharing no piece with those chosen otherwise let such a look in: a man's black jacket (his
    audience read unsure, men at 0.79) had a brown women's dress with beige sneakers as its third look, the only look
    left that shared nothing with the first two, at a mean pair strength of 0.17 against their 1.45 and 1.14."""
    allowed: list[_State] = []
    rest: list[_State] = []
    for state in states:
        (rest if any(p.id in ruled_out for p in state.pieces) else allowed).append(state)
    picked = _pick_distinct(allowed, count)
    return _pick_distinct(rest, count, chosen=picked) if rest and len(picked) < count else picked


def _has_a_layer(state: _State) -> bool:
    return any(piece.slot == "outer" for piece in state.pieces)


def _with_a_layered_look(
    picked: list[_State], states: Sequence[_State], count: int, ruled_out: set[int]
) -> list[_State]:
    """Looks where a layer is optional (mild weather, or warmth unknown) and none has one: the last look gives way to
    the best layered look that shares as little with the others as the catalog allows. A look is scored by the mean
    strength of its pairs, and a layer adds pairs that are mostly colour harmony, while the pieces under it are often
    paired by a stylist's rule, so a layer lowers the mean and seldom joined on its own: a mild gray dress's three
    looks were three pairs of black shoes, and once the demo catalog stocked the staples (black trousers, white
    blouses …, 6 Dec) a top's or a bottom's three looks had no layer more often too. People wear a coat, jacket,
    blazer, cardigan or vest over a dress in 106 of the 271 co-parsing street photos of a dress worn alone, and a layer
    in 553 of the 993 train photos that show a bottom. A layer that the guess of an unsure warmth rules out (a piece
    guessed for hot weather) is never brought in."""
    if count < 2 or any(_has_a_layer(state) for state in picked):
        return picked
    layered = [s for s in states if _has_a_layer(s) and not any(p.id in ruled_out for p in s.pieces)]
    if not layered:
        return picked
    kept = picked[: count - 1]
    with_layer = _pick_distinct(layered, len(kept) + 1, chosen=kept)
    return with_layer if len(with_layer) > len(kept) else picked


def _reasons_varied(looks: Sequence[OutfitSpec]) -> list[OutfitSpec]:
    """The looks of a page say a stylist's note once and word a sentence that comes back differently each time
    (engine.reasons_varied): three looks around a beige hat said "… are both quiet neutrals, easy to wear together."
    four times."""
    varied = iter(reasons_varied([link.reason for look in looks for link in look.links]))
    return [replace(look, links=tuple(replace(link, reason=next(varied)) for link in look.links)) for look in looks]
