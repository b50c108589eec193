"""The rule engine: match stylist rules, fall back to colour harmony, rank and diversify. Pure, no database.

Ranking, in order of precedence:
1. Items matched by an active stylist rule score 1 + weight/100 (so 1.01..2.0) — always above any harmony item.
2. Items matched only by the colour-harmony fallback score its harmony score (0.4..0.8).
3. Shopper feedback nudges a score by at most ±FEEDBACK_MAX_EFFECT (0.1): it reorders items of similar strength but can
   never lift a harmony item above a rule item, nor a weight-40 rule above a weight-60 one.
Ties break on a stable hash of (input tag, garment id): deterministic, yet different inputs do not all show the same
lowest-id garments. Diversity: at most `per_group` items of the same (slot, type, color) in the first pass.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from recommender.harmony import harmony_matches

FEEDBACK_MAX_EFFECT = 0.1


@dataclass(frozen=True)
class Tag:
    slot: str
    color: str
    type: str = ""


@dataclass(frozen=True)
class RuleSpec:
    id: int
    input_slot: str
    input_type: str
    input_color: str
    output_slot: str
    output_type: str
    output_color: str
    weight: int
    note: str
    note_ko: str = ""

    def matches_input(self, tag: Tag) -> bool:
        return (
            self.input_slot == tag.slot
            and self.input_color == tag.color
            and (not self.input_type or self.input_type == tag.type)
        )

    def matches_output(self, slot: str, type_code: str, color: str) -> bool:
        return (
            self.output_slot == slot
            and self.output_color == color
            and (not self.output_type or self.output_type == type_code)
        )


@dataclass(frozen=True)
class Candidate:
    id: int
    slot: str
    type: str
    color: str
    # Shopper feedback in [-1, 1] (likes minus dislikes over votes, shrunk towards 0 for few votes).
    feedback: float = 0.0


@dataclass(frozen=True)
class Reason:
    kind: str  # "rule" or "harmony"
    text: str
    text_ko: str = ""
    rule_id: int | None = None
    harmony_rule: str | None = None


@dataclass(frozen=True)
class ScoredCandidate:
    candidate: Candidate
    score: float
    reason: Reason


def applicable_rules(tag: Tag, rules: Iterable[RuleSpec]) -> list[RuleSpec]:
    """Rules whose input matches the tag: heaviest first, type-specific before slot-wide, then by id."""
    matching = [rule for rule in rules if rule.matches_input(tag)]
    return sorted(matching, key=lambda r: (-r.weight, 0 if r.input_type else 1, r.id))


def _tie_break(tag: Tag, candidate_id: int) -> str:
    return hashlib.sha1(f"{tag.slot}|{tag.type}|{tag.color}|{candidate_id}".encode()).hexdigest()


def _feedback_effect(feedback: float) -> float:
    return max(-1.0, min(1.0, feedback)) * FEEDBACK_MAX_EFFECT


def score_candidates(
    tag: Tag, rules: Sequence[RuleSpec], candidates: Iterable[Candidate], *, use_harmony: bool = True
) -> list[ScoredCandidate]:
    """Score every candidate that a rule or the harmony fallback justifies; best first, deterministic."""
    rules = applicable_rules(tag, rules)
    harmony = {(m.slot, m.color): m for m in harmony_matches(tag.slot, tag.color)} if use_harmony else {}
    scored: list[ScoredCandidate] = []
    for candidate in candidates:
        if candidate.slot == tag.slot:
            continue
        rule = next((r for r in rules if r.matches_output(candidate.slot, candidate.type, candidate.color)), None)
        if rule is not None:
            reason = Reason("rule", rule.note, rule.note_ko, rule_id=rule.id)
            base = 1.0 + rule.weight / 100
        elif (match := harmony.get((candidate.slot, candidate.color))) is not None:
            reason = Reason("harmony", match.explanation, harmony_rule=match.rule)
            base = match.score
        else:
            continue
        scored.append(ScoredCandidate(candidate, round(base + _feedback_effect(candidate.feedback), 4), reason))
    scored.sort(key=lambda s: (-s.score, _tie_break(tag, s.candidate.id)))
    return scored


def diversify(scored: Sequence[ScoredCandidate], limit: int, *, per_group: int = 2) -> list[ScoredCandidate]:
    """Keep the ranking but cap look-alikes (same slot, type and color) at `per_group` until the list runs short."""
    chosen: list[ScoredCandidate] = []
    chosen_ids: set[int] = set()
    groups: Counter[tuple[str, str, str]] = Counter()
    for item in scored:
        if len(chosen) >= limit:
            break
        key = (item.candidate.slot, item.candidate.type, item.candidate.color)
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
    order = {id(item): index for index, item in enumerate(scored)}
    return sorted(chosen, key=lambda item: order[id(item)])


def rank(
    tag: Tag, rules: Sequence[RuleSpec], candidates: Iterable[Candidate], *, limit: int = 12, per_group: int = 2
) -> list[ScoredCandidate]:
    """Rules first (by weight); when no rule matches or rule items run short, the harmony fallback fills in."""
    return diversify(score_candidates(tag, rules, candidates), limit, per_group=per_group)
