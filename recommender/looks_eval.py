"""Measuring looks: an independent constraint checker, coverage/diversity figures and the hidden-garment test.

Pure functions over dataclasses (no database): `manage.py evaluate_looks` feeds them. The checker is written from the
constraint list of issue 8, not from the recommender's code, so it can catch what the recommender gets wrong. It reads
attributes by name from anything (a Garment instance, a catalog.tags.Tag): a missing field or an empty value is unknown
and never counts as a violation.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from catalog.style import DEFAULT_POLICY, OPTIONAL
from catalog.tags import Leaning, Tag
from recommender.affinity import outfit_wearer
from vocabulary import COLOR_CODES, SHOE_KINDS, TYPES

# ---------------------------------------------------------------- the independent checker

CONSTRAINTS: tuple[str, ...] = (
    "kids_with_adult",  # a kids' piece with an adult (women/men/unisex) piece
    "women_with_men",
    "hot_with_cold",
    "formality",  # more than one step apart (sport-casual-smart), or lounge with non-lounge
    "patterns",  # more than one patterned piece
    "slot_twice",  # two pieces in one slot
    "outer_without_base",  # outerwear not over a top or a one-piece
    "outer_in_heat",  # outerwear with a hot-weather piece (sandals, shorts, a tank top)
    "one_piece_with_top_or_bottom",
    "incomplete",  # not (top + bottom or one-piece) + shoes, or no outerwear for a cold input
    "identical_looks",  # two looks for one input with the same pieces
)
FORMALITY_STEPS = {"sport": 0, "casual": 1, "smart": 2}  # lounge goes only with lounge
ADULT_AUDIENCES = frozenset({"women", "men", "unisex"})


@dataclass(frozen=True)
class Piece:
    """One garment of a look as the checker sees it. id None: the shopper's own garment (the input)."""

    id: int | None
    slot: str
    color: str = ""
    type: str = ""
    kind: str = ""
    pattern: str = ""
    audience: str = ""
    warmth: str = ""
    formality: str = ""

    @property
    def patterned(self) -> bool:
        return self.pattern == "pattern" or (not self.pattern and self.color == "multicolor")


def piece_of(garment: object, *, id: int | None = None, fallback: Mapping[str, str] | None = None) -> Piece:
    """A Piece from a model instance or a Tag; absent attributes are unknown ("").

    `fallback` gives attributes the object does not have or leaves empty (e.g. the dataset labels of a demo garment
    before the model stores them)."""

    def read(name: str) -> str:
        return str(getattr(garment, name, "") or (fallback or {}).get(name, "") or "")

    return Piece(
        id=id if id is not None else getattr(garment, "id", None),
        slot=read("slot"),
        color=read("color"),
        type=read("type"),
        kind=read("kind"),
        pattern=read("pattern"),
        audience=read("audience"),
        warmth=read("warmth"),
        formality=read("formality"),
    )


def _formality_clash(a: str, b: str) -> bool:
    if "lounge" in (a, b):
        return a != b
    return a in FORMALITY_STEPS and b in FORMALITY_STEPS and abs(FORMALITY_STEPS[a] - FORMALITY_STEPS[b]) > 1


def pair_violations(a: Piece, b: Piece) -> list[str]:
    """Constraints broken by two pieces worn together (attribute clashes only; slots are judged per look)."""
    broken = []
    if a.audience and b.audience:
        pair = {a.audience, b.audience}
        if "kids" in pair and pair & ADULT_AUDIENCES:
            broken.append("kids_with_adult")
        if pair == {"women", "men"}:
            broken.append("women_with_men")
    if {a.warmth, b.warmth} == {"hot", "cold"}:
        broken.append("hot_with_cold")
    if a.formality and b.formality and _formality_clash(a.formality, b.formality):
        broken.append("formality")
    if a.patterned and b.patterned:
        broken.append("patterns")
    return broken


def item_violations(input_piece: Piece, item: Piece) -> list[str]:
    """Constraints a suggested item breaks with the shopper's garment."""
    broken = pair_violations(input_piece, item)
    if input_piece.slot and input_piece.slot == item.slot:
        broken.append("slot_twice")
    if {input_piece.slot, item.slot} in ({"one_piece", "top"}, {"one_piece", "bottom"}):
        broken.append("one_piece_with_top_or_bottom")
    return broken


def look_violations(input_piece: Piece, pieces: Sequence[Piece]) -> list[str]:
    """Every constraint one look (the input plus its pieces) breaks, each named once."""
    everything = [input_piece, *pieces]
    broken: set[str] = set()
    for a, b in combinations(everything, 2):
        broken.update(name for name in pair_violations(a, b) if name != "patterns")
    if sum(1 for p in everything if p.patterned) > 1:
        broken.add("patterns")
    slots = Counter(p.slot for p in everything if p.slot)
    if any(n > 1 for n in slots.values()):
        broken.add("slot_twice")
    if slots["outer"] and not (slots["top"] or slots["one_piece"]):
        broken.add("outer_without_base")
    if slots["outer"] and any(p.warmth == "hot" for p in everything):
        broken.add("outer_in_heat")
    if slots["one_piece"] and (slots["top"] or slots["bottom"]):
        broken.add("one_piece_with_top_or_bottom")
    dressed = (slots["top"] and slots["bottom"]) or slots["one_piece"]
    if not (dressed and slots["shoes"]) or (input_piece.warmth == "cold" and not slots["outer"]):
        broken.add("incomplete")
    return [name for name in CONSTRAINTS if name in broken]


def look_is_complete(input_piece: Piece, pieces: Sequence[Piece]) -> bool:
    return "incomplete" not in look_violations(input_piece, pieces)


def identical_looks(looks: Sequence[Sequence[Piece]]) -> int:
    """How many looks repeat an earlier look of the same input (same set of pieces)."""
    seen: set[frozenset] = set()
    repeats = 0
    for look in looks:
        key = frozenset(p.id for p in look)
        repeats += key in seen
        seen.add(key)
    return repeats


# ---------------------------------------------------------------- recommendations over a sample of inputs


@dataclass(frozen=True)
class InputCase:
    """One shopper's piece. `tag` holds its true labels, by which every suggestion is judged; `served` is what the
    recommender is told when that differs (attributes as the CNN read them: unsure ones unknown, with `leaning`)."""

    key: str  # "cc0:<image id>" or "coparsing:<image id>:<label>"
    source: str  # "cc0" or "coparsing"
    tag: Tag
    served: Tag | None = None
    leaning: Leaning | None = None

    @property
    def input_tag(self) -> Tag:
        return self.served or self.tag


@dataclass(frozen=True)
class RecommendationOutput:
    """What the recommender answered for one input: the item list and the looks (pieces without the input)."""

    items: list[Piece]
    looks: list[list[Piece]]


@dataclass
class ViolationCounts:
    checked: int = 0
    with_violation: int = 0
    by_constraint: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)  # constraint -> a few "input key: garment ids"

    def add(self, broken: Iterable[str], *, example: str = "") -> None:
        broken = list(broken)
        self.checked += 1
        self.with_violation += bool(broken)
        for name in broken:
            self.by_constraint[name] = self.by_constraint.get(name, 0) + 1
            shown = self.examples.setdefault(name, [])
            if example and len(shown) < 5:
                shown.append(example)

    @property
    def rate(self) -> float:
        return self.with_violation / self.checked if self.checked else 0.0


@dataclass
class Diversity:
    shown: int
    distinct: int
    distinct_share: float  # distinct garments shown / total shown
    top10_share: float  # share of all positions taken by the 10 most frequent garments
    coverage: float  # distinct garments shown / active garments in the catalog


@dataclass
class CoherenceReport:
    inputs: int
    items: ViolationCounts
    looks: ViolationCounts
    inputs_with_3_complete_looks: int
    share_with_3_complete_looks: float
    # stricter: 3 distinct complete looks that also break no other constraint
    inputs_with_3_clean_looks: int
    share_with_3_clean_looks: float
    item_diversity: Diversity
    look_diversity: Diversity
    # Within one list: of the first FIRST_SCREEN items, those that look like an item above them (look_alike_key)
    first_screen_items: int = 0
    first_screen_look_alikes: int = 0
    lists_with_a_look_alike: int = 0
    # Across one input's looks: looks made of the same kinds of piece as one shown above them (look_kinds)
    looks_of_the_same_kinds: int = 0
    inputs_with_looks_of_the_same_kinds: int = 0
    # Inputs whose looks may take a layer (the outerwear need of the warmth the recommender was told is optional:
    # mild or unknown; not an outer layer itself), by input slot: how many, and how many got a look with one.
    layer_optional: dict[str, int] = field(default_factory=dict)
    layer_optional_with_a_layer: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, dict[str, float]] = field(default_factory=dict)


def diversity(shown_ids: Sequence[int], catalog_size: int) -> Diversity:
    counts = Counter(shown_ids)
    total = len(shown_ids)
    top10 = sum(n for _, n in counts.most_common(10))
    return Diversity(
        shown=total,
        distinct=len(counts),
        distinct_share=len(counts) / total if total else 0.0,
        top10_share=top10 / total if total else 0.0,
        coverage=len(counts) / catalog_size if catalog_size else 0.0,
    )


FIRST_SCREEN = 6  # the items a phone shows before scrolling


def look_alike_key(piece: Piece) -> tuple[str, str, str, str]:
    """What a shopper sees of a listed piece: "Gray pants" twice reads as the same suggestion."""
    return (piece.slot, piece.type, piece.kind, piece.color)


def repeats(keys: Iterable[Hashable]) -> int:
    """How many of `keys` are equal to one before them."""
    seen: set[Hashable] = set()
    count = 0
    for key in keys:
        count += key in seen
        seen.add(key)
    return count


def look_alikes(items: Sequence[Piece]) -> int:
    """How many of `items` look like one listed before them."""
    return repeats(look_alike_key(item) for item in items)


def look_kinds(look: Sequence[Piece]) -> frozenset[tuple[str, str, str]]:
    """A look as kinds of piece, colours aside: a dress's three looks "black sandals", "gray sandals" and "brown
    sandals" are one look three times to a shopper."""
    return frozenset((piece.slot, piece.type, piece.kind) for piece in look)


def looks_of_the_same_kinds(looks: Sequence[Sequence[Piece]]) -> int:
    """How many of `looks` are made of the same kinds of piece as one before them."""
    return repeats(look_kinds(look) for look in looks)


def three_distinct_complete_looks(input_piece: Piece, looks: Sequence[Sequence[Piece]], *, clean: bool = False) -> bool:
    """At least 3 different complete looks (with `clean`, looks that break no constraint at all)."""
    kept = {
        frozenset(p.id for p in look)
        for look in looks
        if (not look_violations(input_piece, look) if clean else look_is_complete(input_piece, look))
    }
    return len(kept) >= 3


def evaluate_recommendations(
    cases: Sequence[InputCase], recommend: Callable[[InputCase], RecommendationOutput], *, catalog_size: int
) -> CoherenceReport:
    """Check every item and look the recommender gives for each input (`recommend(case)`, told `case.input_tag`
    and `case.leaning`) against the input's true labels (`case.tag`); count complete looks and diversity."""
    items, looks = ViolationCounts(), ViolationCounts()
    item_ids: list[int] = []
    look_ids: list[int] = []
    good = clean = 0
    first_screen = first_screen_alikes = lists_with_alike = same_kinds = inputs_same_kinds = 0
    per_source: dict[str, Counter] = {}
    layer_optional: Counter[str] = Counter()
    layer_optional_with_a_layer: Counter[str] = Counter()
    for case in cases:
        answer = recommend(case)
        input_piece = piece_of(case.tag, id=None)
        head = answer.items[:FIRST_SCREEN]
        first_screen += len(head)
        alikes, kinds_repeated = look_alikes(head), looks_of_the_same_kinds(answer.looks)
        first_screen_alikes += alikes
        lists_with_alike += alikes > 0
        same_kinds += kinds_repeated
        inputs_same_kinds += kinds_repeated > 0
        for item in answer.items:
            items.add(item_violations(input_piece, item), example=f"{case.key}: {item.id}")
            if item.id is not None:
                item_ids.append(item.id)
        repeats = identical_looks(answer.looks)
        for index, look in enumerate(answer.looks):
            broken = look_violations(input_piece, look)
            if index > 0 and frozenset(p.id for p in look) in {
                frozenset(p.id for p in x) for x in answer.looks[:index]
            }:
                broken.append("identical_looks")
            looks.add(broken, example=f"{case.key}: {[p.id for p in look]}")
            look_ids.extend(p.id for p in look if p.id is not None)
        ok = three_distinct_complete_looks(input_piece, answer.looks) and not repeats
        good += ok
        clean += three_distinct_complete_looks(input_piece, answer.looks, clean=True)
        slot = case.input_tag.slot
        if slot != "outer" and DEFAULT_POLICY.outerwear_need(case.input_tag.warmth) == OPTIONAL:
            layer_optional[slot] += 1
            layer_optional_with_a_layer[slot] += any(p.slot == "outer" for look in answer.looks for p in look)
        source = per_source.setdefault(case.source, Counter())
        source["inputs"] += 1
        source["with_3_complete_looks"] += ok
    return CoherenceReport(
        inputs=len(cases),
        items=items,
        looks=looks,
        inputs_with_3_complete_looks=good,
        share_with_3_complete_looks=good / len(cases) if cases else 0.0,
        inputs_with_3_clean_looks=clean,
        share_with_3_clean_looks=clean / len(cases) if cases else 0.0,
        item_diversity=diversity(item_ids, catalog_size),
        look_diversity=diversity(look_ids, catalog_size),
        first_screen_items=first_screen,
        first_screen_look_alikes=first_screen_alikes,
        lists_with_a_look_alike=lists_with_alike,
        looks_of_the_same_kinds=same_kinds,
        inputs_with_looks_of_the_same_kinds=inputs_same_kinds,
        layer_optional=dict(sorted(layer_optional.items())),
        layer_optional_with_a_layer={slot: layer_optional_with_a_layer[slot] for slot in sorted(layer_optional)},
        by_source={
            name: {
                "inputs": c["inputs"],
                "share_with_3_complete_looks": c["with_3_complete_looks"] / c["inputs"] if c["inputs"] else 0.0,
            }
            for name, c in sorted(per_source.items())
        },
    )


# ---------------------------------------------------------------- the hidden-garment test (real outfits)

ScoreFn = Callable[[Sequence[Tag], Tag], float]
HIDDEN_SLOTS: tuple[str, ...] = ("top", "bottom", "outer", "one_piece", "shoes")
ASPECTS: tuple[str, ...] = ("color", "type", "joint")


def type_values(slot: str) -> tuple[str, ...]:
    """The types (shoes: kinds) a candidate of this slot may have."""
    if slot == "shoes":
        return SHOE_KINDS
    return tuple(code for code, info in TYPES.items() if info.slot == slot)


def type_value(tag: Tag) -> str:
    return tag.kind if tag.slot == "shoes" else tag.type


def with_type_value(tag: Tag, value: str) -> Tag:
    if tag.slot == "shoes":
        return Tag(slot=tag.slot, color=tag.color, type="shoes", kind=value)
    return Tag(slot=tag.slot, color=tag.color, type=value)


@dataclass(frozen=True)
class HiddenCase:
    """One worn garment hidden from a real outfit: the rest of the outfit (other slots) is the context."""

    outfit: str
    context: tuple[Tag, ...]
    target: Tag


def hidden_cases(outfits: Iterable[tuple[str, Sequence[Tag]]]) -> list[HiddenCase]:
    """Hide each worn garment (of HIDDEN_SLOTS, with a colour) in turn; the context is the garments of other slots."""
    cases = []
    for outfit_id, tags in outfits:
        for target in tags:
            if target.slot not in HIDDEN_SLOTS or not target.color:
                continue
            context = tuple(t for t in tags if t.slot != target.slot)
            if context:
                cases.append(HiddenCase(outfit_id, context, target))
    return cases


def candidates_for(case: HiddenCase, aspect: str) -> list[Tag] | None:
    """The candidates the target is ranked among (it is always one of them), or None when the aspect can't be asked.

    color: every colour, the target's type kept; type: every type (shoes: kind) of the slot, the target's colour kept;
    joint: every (type, colour) of the slot."""
    target = case.target
    value = type_value(target)
    if aspect == "color":
        return [Tag(slot=target.slot, color=c, type=target.type, kind=target.kind) for c in COLOR_CODES]
    if value not in type_values(target.slot):
        return None  # e.g. shoes of no known kind
    if aspect == "type":
        return [with_type_value(target, v) for v in type_values(target.slot)]
    return [with_type_value(Tag(slot=target.slot, color=c), v) for v in type_values(target.slot) for c in COLOR_CODES]


def hit_at(n_better: int, n_tied: int, k: int) -> float:
    """Chance the target lands in the top k when ties are broken at random (n_tied counts the target itself)."""
    return max(0.0, min(1.0, (k - n_better) / n_tied))


def target_rank(scores: Sequence[float], target_index: int) -> tuple[int, int]:
    """(candidates scoring strictly better, candidates scoring the same including the target)."""
    mine = scores[target_index]
    better = sum(1 for s in scores if s > mine + 1e-12)
    tied = sum(1 for s in scores if abs(s - mine) <= 1e-12)
    return better, tied


@dataclass
class HitRates:
    cases: int = 0
    hits: dict[int, float] = field(default_factory=dict)  # k -> hit rate
    mean_rank: float = 0.0  # expected 1-based rank under random tie-breaking
    candidates: float = 0.0  # mean number of candidates


def evaluate_hidden(
    cases: Sequence[HiddenCase], scorers: dict[str, ScoreFn], *, ks: Sequence[int] = (1, 3, 5)
) -> dict[str, dict[str, HitRates]]:
    """For each scorer and aspect, where the hidden garment ranks among its candidates, given the rest of the outfit."""
    results: dict[str, dict[str, HitRates]] = {}
    for name, score in scorers.items():
        results[name] = {}
        for aspect in ASPECTS:
            hits: dict[int, float] = dict.fromkeys(ks, 0.0)
            ranks, sizes, n = 0.0, 0, 0
            for case in cases:
                candidates = candidates_for(case, aspect)
                if candidates is None:
                    continue
                index = _index_of(candidates, case.target, aspect)
                scores = [score(case.context, c) for c in candidates]
                better, tied = target_rank(scores, index)
                for k in ks:
                    hits[k] += hit_at(better, tied, k)
                ranks += better + (tied + 1) / 2
                sizes += len(candidates)
                n += 1
            results[name][aspect] = HitRates(
                cases=n,
                hits={k: round(hits[k] / n, 4) if n else 0.0 for k in ks},
                mean_rank=round(ranks / n, 2) if n else 0.0,
                candidates=round(sizes / n, 1) if n else 0.0,
            )
    return results


def _index_of(candidates: list[Tag], target: Tag, aspect: str) -> int:
    same_color = aspect in ("color", "joint")
    same_type = aspect in ("type", "joint")
    return next(
        i
        for i, c in enumerate(candidates)
        if (not same_color or c.color == target.color) and (not same_type or type_value(c) == type_value(target))
    )


# ---------------------------------------------------------------- scoring functions for the hidden test


def context_mean(pair: Callable[[Tag, Tag], float]) -> ScoreFn:
    """A context score from a pair score: the mean over the garments of the rest of the outfit."""

    def score(context: Sequence[Tag], candidate: Tag) -> float:
        return sum(pair(c, candidate) for c in context) / len(context) if context else 0.0

    return score


def popularity_scorer(popularity: Callable[[Tag, str], float]) -> ScoreFn:
    """How common the candidate is in real outfits of the context's wearer (recommender.affinity.outfit_wearer)."""
    return lambda context, candidate: popularity(candidate, outfit_wearer((*context, candidate)))


def conditional_scorer(popularity: Callable[[Tag, str], float], affinity: ScoreFn, *, lift_cap: float) -> ScoreFn:
    """log P(candidate) + log(lift with the context): the naive-Bayes reading of "what is worn with this outfit"
    (affinity scores are log-lifts divided by log(lift_cap))."""
    return lambda context, candidate: (
        math.log(popularity(candidate, outfit_wearer((*context, candidate))) + 1e-6)
        + math.log(lift_cap) * affinity(context, candidate)
    )


def combined_scorer(first: ScoreFn, second: ScoreFn, *, weight: float) -> ScoreFn:
    return lambda context, candidate: first(context, candidate) + weight * second(context, candidate)


def engine_pair_score(judge) -> Callable[[Tag, Tag], float]:
    """The engine's judgement of a pair (`recommender.engine.Judge.pair`) as a score: a stylist rule 1.01..2.0,
    colour harmony 0.4..0.8, each with its bounded soft adjustments (real-outfit affinity, attribute match); 0 when
    the pair must not be worn together or has no reason. Unknown colours score 0 (the engine needs both)."""

    def pair(a: Tag, b: Tag) -> float:
        if not a.color or not b.color or a.slot == b.slot:
            return 0.0
        verdict = judge.pair(a, b)
        return verdict[0] if verdict else 0.0

    return pair
