"""The rule engine: judge pairs, rank what goes with the shopper's piece, keep lists varied. Pure, no database.

A pair of pieces is judged in three steps:
1. The style tables (`catalog.style.StylePolicy`) rule it out or not: kids with adults, women's with men's pieces, hot
   with cold, formality more than a step apart, two prints (unless a stylist rule pairs them), layering, slots.
   These hold whatever the rules say.
2. A stylist rule that pairs the two (either direction) scores 1 + weight/100 (1.01..2.0); otherwise colour harmony
   (`recommender.harmony`) decides whether the pair goes, and how well (0.4..0.8) is read from the evidence
   (`Judge.harmony_score`: the harmony kind's designed strength, real-outfit affinity and popularity, weighted by
   `HarmonyWeights`); with neither, the pair is not suggested.
3. Soft adjustments reorder pieces of similar strength, bounded so that they never lift a harmony pair above a rule
   pair: real-outfit affinity (±0.06) and popularity (±0.04) between rule pairs, matching formality and warmth
   (±0.03), and shopper feedback (±FEEDBACK_MAX_EFFECT).
4. For the shopper's piece only, what the CNN guessed where it was unsure (`catalog.tags.Leaning`: audience, warmth,
   formality read below their thresholds) orders the suggestions without excluding any (`guess_penalty`): a piece the
   best guess rules out comes after every piece it does not, as a kids' piece does for a piece of unknown audience;
   among the others, a piece loses in proportion to how much more likely it is to clash than the safest choice.
Ties break on a stable hash of (input tags, garment id): deterministic, yet different inputs see different garments.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from catalog.rules import RuleSpec
from catalog.style import DEFAULT_POLICY, NEVER, StylePolicy
from catalog.tags import LEANING_CODES, Candidate, Guess, Leaning, Tag
from recommender.affinity import outfit_wearer
from recommender.harmony import harmony
from recommender.reasons import Reason, attribute_extra, sentence_key
from vocabulary import NOT_A_MANS_KINDS, NOT_A_MANS_TYPES

FEEDBACK_MAX_EFFECT = 0.1
AFFINITY_MAX_EFFECT = 0.06
POPULARITY_MAX_EFFECT = 0.04
SOFT_MAX_EFFECT = 0.09  # affinity + attribute match together; with feedback at most 0.19 < the rule/harmony gap
# When the shopper's piece was not read as a kids' piece with confidence, kids' pieces come after every adult pair,
# rule pairs included (a rule scores at most 2.0 + 0.19 of nudges; harmony at least 0.4): a child's piece beside an
# adult garment was the panel's most common "bad". They stay in the list only when nothing else goes.
UNKNOWN_AUDIENCE_KIDS_PENALTY = 2.2
# A piece the best guess of an unsure attribute rules out ranks like a kids' piece for an unknown audience: after every
# piece it does not rule out. Below that, GUESS_PENALTY times the extra probability of a clash.
GUESS_PENALTY = UNKNOWN_AUDIENCE_KIDS_PENALTY
# An unsure audience is taken for kids only when kids is at least as likely as every adult audience together. On the
# CC0 validation photos the CNN's unsure "kids" readings below 0.5 were kids' pieces 5 times in 17 (at 0.5 and over,
# 8 in 14): ordering by the most likely audience alone gave more kids-with-adult suggestions than ignoring the guess.
KIDS_GUESS_AT = 0.5
MEMO_LIMIT = 200_000  # judged pairs kept per process (tag pairs, not garments: bounded by the vocabularies)

# Which slots are suggested for a shopper's piece, most wanted first.
ITEM_SLOTS: dict[str, tuple[str, ...]] = {
    "top": ("bottom", "shoes", "outer"),
    "bottom": ("top", "shoes", "outer"),
    "one_piece": ("shoes", "outer"),
    "outer": ("top", "bottom", "one_piece", "shoes"),
    "shoes": ("top", "bottom", "one_piece", "outer"),
    "accessory": ("top", "bottom", "one_piece", "shoes", "outer"),
}

Affinity = Callable[[Tag, Tag], float]
Popularity = Callable[[Tag, str], float]  # (piece, wearer: "men", "women" or "" for anyone) -> share worn


def no_affinity(a: Tag, b: Tag) -> float:
    return 0.0


def no_popularity(tag: Tag, wearer: str = "") -> float:
    return 0.0


@dataclass(frozen=True)
class HarmonyWeights:
    """How a harmony pair's score (0.4..0.8) is read from the evidence: the designed strength of its harmony kind,
    how much more often than chance people wear the two together (affinity) and how common the suggested piece is
    in real outfits (popularity; in a man's outfits when either piece is men's, a woman's when either is women's).
    Chosen on the co-parsing validation split (`evaluate_looks --split validation`)."""

    harmony: float = 0.5
    affinity: float = 1.0
    popularity: float = 2.0


def popularity_prior(share: float, *, spread: float = 20.0) -> float:
    """A share of worn garments as a prior in [-1, 1]: 1/`spread` is neutral, common pieces positive, unseen -1."""
    if share <= 0:
        return -1.0
    return max(-1.0, min(1.0, math.log(share * spread) / math.log(spread)))


class RuleBook:
    """Active rules indexed by their input (slot, colour), so judging a pair reads a handful of rules, not all."""

    def __init__(self, rules: Iterable[RuleSpec]):
        self.rules = sorted(rules, key=lambda r: r.sort_key)
        self._by_input: dict[tuple[str, str], list[RuleSpec]] = defaultdict(list)
        for rule in self.rules:
            self._by_input[(rule.input.slot, rule.input.color)].append(rule)

    def for_input(self, tag: Tag) -> list[RuleSpec]:
        return [r for r in self._by_input.get((tag.slot, tag.color), ()) if r.matches_input(tag)]

    def best_for_pair(self, a: Tag, b: Tag) -> RuleSpec | None:
        """The strongest rule pairing `a` with `b`, in either direction."""
        forward = [r for r in self._by_input.get((a.slot, a.color), ()) if r.matches_input(a) and r.matches_output(b)]
        backward = [r for r in self._by_input.get((b.slot, b.color), ()) if r.matches_input(b) and r.matches_output(a)]
        matching = forward + backward
        return min(matching, key=lambda r: r.sort_key) if matching else None


_UNJUDGED = object()


@dataclass
class Judge:
    """Judges pairs of pieces with the rules, the style tables and the real-outfit affinity (memoised per pair)."""

    rules: RuleBook
    policy: StylePolicy = DEFAULT_POLICY
    affinity: Affinity = no_affinity
    popularity: Popularity = no_popularity
    weights: HarmonyWeights = HarmonyWeights()
    _memo: dict = field(default_factory=dict, repr=False)

    def pair(self, a: Tag, b: Tag) -> tuple[float, Reason] | None:
        """(score, reason) for suggesting `b` with `a`, or None when the two must not be worn together."""
        key = (a, b)
        verdict = self._memo.get(key, _UNJUDGED)  # one lookup: judging is memoised, hashing the tags is the cost
        if verdict is _UNJUDGED:
            if len(self._memo) > MEMO_LIMIT:
                self._memo.clear()
            verdict = self._memo[key] = self._judge(a, b)
        return verdict

    def _judge(self, a: Tag, b: Tag) -> tuple[float, Reason] | None:
        rule = self.rules.best_for_pair(a, b)
        if self.policy.pair_violation(a, b, patterns_paired=rule is not None and rule.pairs_two_patterns):
            return None
        matched = harmony(a, b)
        extra = attribute_extra(a, b)
        if rule is not None:
            reason = Reason(
                "rule",
                a,
                b,
                harmony=matched.kind if matched else "",
                rule_id=rule.id,
                note=rule.note,
                note_ko=rule.note_ko,
                extra=extra,
            )
            base = 1.0 + rule.weight / 100
        elif matched is not None:
            reason = Reason("harmony", a, b, harmony=matched.kind, extra=extra)
            score = self.harmony_score(a, b, matched.score) + self.attribute_adjustment(a, b)
            return round(score - self.audience_penalty(a, b), 4), reason
        else:
            return None
        return round(base + self.soft_adjustment(a, b) - self.audience_penalty(a, b), 4), reason

    def harmony_score(self, a: Tag, b: Tag, designed: float) -> float:
        """0.4..0.8: colour harmony says the pair goes; real outfits say how well."""
        evidence = (
            self.weights.harmony * (designed - 0.65) / 0.15
            + self.weights.affinity * max(-1.0, min(1.0, self.affinity(a, b)))
            + self.weights.popularity * popularity_prior(self.popularity(b, outfit_wearer((a, b))))
        )
        return 0.4 + 0.4 / (1.0 + math.exp(-evidence))

    @staticmethod
    def attribute_adjustment(a: Tag, b: Tag) -> float:
        adjustment = 0.0
        if a.formality and b.formality:
            adjustment += 0.03 if a.formality == b.formality else -0.02
        if a.warmth and b.warmth and a.warmth == b.warmth:
            adjustment += 0.01
        return adjustment

    @staticmethod
    def audience_penalty(a: Tag, b: Tag) -> float:
        return UNKNOWN_AUDIENCE_KIDS_PENALTY if not a.audience and b.audience == "kids" else 0.0

    def soft_adjustment(self, a: Tag, b: Tag) -> float:
        """Between rule pairs of one weight: real-outfit affinity and matching attributes, bounded."""
        adjustment = AFFINITY_MAX_EFFECT * max(-1.0, min(1.0, self.affinity(a, b)))
        popularity = self.popularity(b, outfit_wearer((a, b)))
        adjustment += POPULARITY_MAX_EFFECT * popularity_prior(popularity) if popularity else 0.0
        adjustment += self.attribute_adjustment(a, b)
        return max(-SOFT_MAX_EFFECT, min(SOFT_MAX_EFFECT, adjustment))


@dataclass(frozen=True)
class ScoredCandidate:
    candidate: Candidate
    score: float
    reason: Reason
    against_guess: bool = False  # the best guess of an unsure attribute of the shopper's piece rules it out


def audience_of_type(tag: Tag, leaning: Leaning) -> Leaning:
    """`leaning` with the audience a piece's type tells when its own is unknown: a blouse, skirt or dress, or heels
    (vocabulary.NOT_A_MANS_TYPES, NOT_A_MANS_KINDS), is nobody's but a woman's or a child's in the CC0 set. Its
    audience guess loses "men" (the rest scaled up to sum to 1); with no guess, or none left, it is guessed a woman's,
    so that a red skirt asked for by its tags alone is not matched with a man's shirt and lace-ups. The guess only
    orders the suggestions (GuessPenalty); unchanged for any other piece, or one whose audience is known."""
    if tag.audience or (tag.type not in NOT_A_MANS_TYPES and tag.kind not in NOT_A_MANS_KINDS):
        return leaning
    others = [(code, p) for code, p in leaning.audience if code != "men"]
    total = sum(p for _code, p in others)
    if total <= 0:
        return replace(leaning, audience=(("women", 1.0),))
    if len(others) == len(leaning.audience):
        return leaning
    return replace(leaning, audience=tuple((code, round(p / total, 2)) for code, p in others))


def leading_guess(attribute: str, guess: Guess) -> str:
    """The value an unsure attribute is taken to have for ordering suggestions: the most likely one, except that a
    piece is guessed to be a kids' one only from KIDS_GUESS_AT (else its most likely adult audience)."""
    if attribute == "audience" and guess[0][0] == "kids" and guess[0][1] < KIDS_GUESS_AT:
        return next((code for code, _ in guess if code != "kids"), "kids")
    return guess[0][0]


def _clashes(policy: StylePolicy, attribute: str, guessed: str, value: str, slot: str, input_slot: str) -> bool:
    """Whether a piece of `slot` with `value` breaks the style tables beside a shopper's piece whose `attribute` is
    `guessed` (the warmth also decides whether a layer may go over the shopper's piece); for the pattern, whether both
    are prints (a look has one)."""
    if attribute == "pattern":
        return guessed == value == "pattern"
    if value and value not in policy.allowed_with(attribute, guessed):
        return True
    layer_over_it = slot == "outer" and input_slot != "outer"
    return attribute == "warmth" and layer_over_it and policy.outerwear_need(guessed) == NEVER


@dataclass(frozen=True)
class GuessPenalty:
    """How far the guesses of a shopper's piece move each candidate down (`guess_penalty`), kept once per input."""

    tag: Tag
    leaning: Leaning
    policy: StylePolicy
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def __call__(self, b: Tag) -> tuple[float, bool]:
        """(penalty, whether the best guess rules `b` out)."""
        total, against = 0.0, False
        for attribute in LEANING_CODES:
            if getattr(self.tag, attribute) or not self.leaning.guess(attribute):
                continue
            # A multicolour piece is a print even when its pattern is not tagged (Tag.patterned).
            value = "pattern" if attribute == "pattern" and b.patterned else getattr(b, attribute)
            key = (attribute, value, b.slot)
            if key not in self._memo:
                self._memo[key] = self._attribute(attribute, *key[1:])
            penalty, ruled_out = self._memo[key]
            total += penalty
            against = against or ruled_out
        return round(total, 4), against

    def _attribute(self, attribute: str, value: str, slot: str) -> tuple[float, bool]:
        guess = self.leaning.guess(attribute)
        best = leading_guess(attribute, guess)

        def clashes(guessed: str, code: str, piece_slot: str = slot) -> bool:
            return _clashes(self.policy, attribute, guessed, code, piece_slot, self.tag.slot)

        def clash_probability(code: str, piece_slot: str = slot) -> float:
            return sum(p for guessed, p in guess if clashes(guessed, code, piece_slot))

        if clashes(best, value):
            return GUESS_PENALTY, True
        # The safest piece the best guess allows loses nothing: a value no guess clashes with, or the least risky one.
        # Its slot is left out, so that a layer pays for the chance that the shopper's piece takes none at all.
        safest = min(
            (clash_probability(code, "") for code in LEANING_CODES[attribute] if not clashes(best, code, "")),
            default=0.0,
        )
        return round(GUESS_PENALTY * max(0.0, clash_probability(value) - safest), 4), False


def guess_penalty(tag: Tag, leaning: Leaning, b: Tag, policy: StylePolicy = DEFAULT_POLICY) -> tuple[float, bool]:
    """How far the guesses (`leaning`) of the shopper's unsure attributes move `b` down, and whether the best guess
    rules `b` out. A piece that the best guess rules out (the style tables would exclude it were the guess read with
    confidence) loses GUESS_PENALTY: it comes after every piece the guess allows, and stays only when nothing else
    goes. Any other piece loses GUESS_PENALTY times the probability that it clashes, above that of the safest piece
    the best guess allows: unsure between men's and unisex, a women's skirt ranks low; a hot-weather guess keeps the
    layer out of the looks. Attributes the tag knows (confident readings, the shopper's corrections) are never
    guessed."""
    return GuessPenalty(tag, leaning, policy)(b)


def item_slots(tag: Tag, policy: StylePolicy = DEFAULT_POLICY) -> tuple[str, ...]:
    """The slots suggested for the shopper's piece; no outerwear for a hot-weather piece."""
    slots = ITEM_SLOTS[tag.slot]
    if policy.outerwear_need(tag.warmth) == NEVER:
        slots = tuple(slot for slot in slots if slot != "outer")
    return slots


def _tie_break_key(tag: Tag) -> str:
    return f"{tag.slot}|{tag.type}|{tag.kind}|{tag.color}|{tag.pattern}|{tag.audience}|{tag.warmth}|{tag.formality}"


def tie_break(tag: Tag, candidate_id: int) -> str:
    return hashlib.sha1(f"{_tie_break_key(tag)}|{candidate_id}".encode()).hexdigest()


def tie_breaker(tag: Tag) -> Callable[[int], str]:
    """`tie_break` for one input, its key built once (many candidates are ordered per request)."""
    key = _tie_break_key(tag)
    return lambda candidate_id: hashlib.sha1(f"{key}|{candidate_id}".encode()).hexdigest()


def _feedback_effect(feedback: float) -> float:
    return max(-1.0, min(1.0, feedback)) * FEEDBACK_MAX_EFFECT


def score_candidates(
    tag: Tag, candidates: Iterable[Candidate], judge: Judge, leaning: Leaning | None = None
) -> list[ScoredCandidate]:
    """Every candidate of a suggested slot that may be worn with `tag` and has a reason; best first, deterministic.
    `leaning`: what the CNN guessed of `tag`'s unknown attributes; it moves pieces down, never out (`guess_penalty`)."""
    slots = set(item_slots(tag, judge.policy))
    leaning = (leaning or Leaning()).for_unknown_of(tag)
    penalty = GuessPenalty(tag, leaning, judge.policy) if leaning else None
    scored: list[ScoredCandidate] = []
    for candidate in candidates:
        if candidate.slot not in slots:
            continue
        verdict = judge.pair(tag, candidate.tag)
        if verdict is None:
            continue
        score, reason = verdict
        against = False
        if penalty is not None:
            if leaning.audience:
                # The guess decides the audience instead: a piece guessed to be a kids' one wants kids' pieces.
                score += judge.audience_penalty(tag, candidate.tag)
            lost, against = penalty(candidate.tag)
            score -= lost
        score = round(score + _feedback_effect(candidate.feedback), 4)
        scored.append(ScoredCandidate(candidate, score, reason, against))
    tie = tie_breaker(tag)
    scored.sort(key=lambda s: (-s.score, tie(s.candidate.id)))
    return scored


def diversify(scored: Sequence[ScoredCandidate], limit: int, *, per_group: int = 2) -> list[ScoredCandidate]:
    """The ranking with look-alikes (same slot, type, kind and colour) capped at `per_group`; when that leaves fewer
    than `limit`, the best of the look-alikes follow, after every distinct piece. A caller shows only the head of each
    slot's list (`interleave_slots`), so a second pair of gray trousers ranked just below the first would otherwise
    take the place of the black ones a coat's page listed a few places further down."""
    chosen: list[ScoredCandidate] = []
    chosen_ids: set[int] = set()
    groups: Counter[tuple[str, str, str, str]] = Counter()
    for item in scored:
        if len(chosen) >= limit:
            break
        key = (item.candidate.slot, item.candidate.type, item.candidate.tag.kind, item.candidate.color)
        if groups[key] < per_group:
            chosen.append(item)
            chosen_ids.add(item.candidate.id)
            groups[key] += 1
    for item in scored:  # second pass: fill with the best of what is left, in ranking order
        if len(chosen) >= limit:
            break
        if item.candidate.id not in chosen_ids:
            chosen.append(item)
            chosen_ids.add(item.candidate.id)
    return chosen


def interleave_slots(scored: Sequence[ScoredCandidate], slots: Sequence[str], limit: int) -> list[ScoredCandidate]:
    """Mix the slots in the list: two of the most wanted slot, then one of each other slot, round after round (a
    photo of shoes gets tops and bottoms, not twelve bottoms)."""
    queues = {slot: [s for s in scored if s.candidate.slot == slot] for slot in slots}
    pattern = [slots[0], *slots] if slots else []
    result: list[ScoredCandidate] = []
    while len(result) < limit and any(queues.values()):
        for slot in pattern:
            if queues[slot] and len(result) < limit:
                result.append(queues[slot].pop(0))
    return result


def rank(
    tag: Tag,
    candidates: Iterable[Candidate],
    judge: Judge,
    *,
    limit: int = 12,
    per_group: int = 1,
    scored: list[ScoredCandidate] | None = None,
    leaning: Leaning | None = None,
) -> list[ScoredCandidate]:
    """What goes with `tag`: rule pairs first within each slot, harmony filling in, slots mixed, look-alikes capped;
    pieces the best guess of an unsure attribute rules out only after all the others (a hot-weather guess lists no
    jacket while anything else goes). `scored`: `score_candidates(tag, candidates, judge)` when the caller already
    has it (the looks need it too)."""
    if scored is None:
        scored = score_candidates(tag, candidates, judge, leaning)
    listed: list[ScoredCandidate] = []
    for group in ([s for s in scored if not s.against_guess], [s for s in scored if s.against_guess]):
        slots = [slot for slot in item_slots(tag, judge.policy) if any(s.candidate.slot == slot for s in group)]
        per_slot = {
            slot: diversify([s for s in group if s.candidate.slot == slot], limit, per_group=per_group)
            for slot in slots
        }
        listed += interleave_slots([s for slot in slots for s in per_slot[slot]], slots, limit - len(listed))
    return notes_once(listed)


def notes_once(listed: Sequence[ScoredCandidate]) -> list[ScoredCandidate]:
    """A list's reasons as `reasons_varied` gives them."""
    varied = reasons_varied([scored.reason for scored in listed])
    return [
        scored if reason is scored.reason else replace(scored, reason=reason)
        for scored, reason in zip(listed, varied, strict=True)
    ]


def reasons_varied(reasons: Sequence[Reason]) -> list[Reason]:
    """The reasons of a list (or of a page's looks), in the order shown. A stylist's note is given once: a later piece
    matched by the same rule says its colour harmony instead (reasons.reason_text), when it has one; a black boots page
    listed three white tops, each "A white top with black shoes: clean and grounded.". And a sentence is worded
    differently each time it comes back (Reason.variant): a printed sandals page read "The solid … calms the print of
    the sandals." twelve times."""
    given: set[int] = set()
    written: Counter[tuple[str, str]] = Counter()
    out = []
    for reason in reasons:
        if reason.kind == "rule" and (rule_id := reason.rule_id) is not None:
            if rule_id in given:
                reason = replace(reason, note_given_above=True)
            given.add(rule_id)
        if (key := sentence_key(reason)) is not None:
            reason = replace(reason, variant=written[key])
            written[key] += 1
        out.append(reason)
    return out
