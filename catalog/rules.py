"""Stylist pairing rules as plain data, and how a rule matches a garment's tags. Pure Python, no database."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.tags import Tag


@dataclass(frozen=True)
class RuleSide:
    """One side of a rule: slot and colour always; type, kind, pattern, formality and warmth when set (empty = any)."""

    slot: str
    color: str
    type: str = ""
    kind: str = ""
    pattern: str = ""
    formality: str = ""
    warmth: str = ""

    def matches(self, tag: Tag) -> bool:
        # A condition on an attribute the garment does not know (empty) does not match, except pattern: an untagged
        # garment counts as solid unless its colour is multicolour.
        return (
            self.slot == tag.slot
            and self.color == tag.color
            and (not self.type or self.type == tag.type)
            and (not self.kind or self.kind == tag.kind)
            and (not self.pattern or self.pattern == (tag.pattern or ("pattern" if tag.patterned else "solid")))
            and (not self.formality or self.formality == tag.formality)
            and (not self.warmth or self.warmth == tag.warmth)
        )

    @property
    def specificity(self) -> int:
        """How many optional conditions the side sets: more specific rules win ties."""
        return sum(bool(v) for v in (self.type, self.kind, self.pattern, self.formality, self.warmth))


@dataclass(frozen=True)
class RuleSpec:
    id: int
    input: RuleSide
    output: RuleSide
    weight: int
    note: str
    note_ko: str = ""
    note_needs_update: str = ""  # "en" or "ko" when a stylist edited the note in one language only

    @property
    def input_slot(self) -> str:
        return self.input.slot

    @property
    def input_color(self) -> str:
        return self.input.color

    @property
    def output_slot(self) -> str:
        return self.output.slot

    @property
    def output_color(self) -> str:
        return self.output.color

    def matches_input(self, tag: Tag) -> bool:
        return self.input.matches(tag)

    def matches_output(self, tag: Tag) -> bool:
        return self.output.matches(tag)

    def matches_pair(self, a: Tag, b: Tag) -> bool:
        """The rule pairs `a` with `b` in either direction."""
        return (self.input.matches(a) and self.output.matches(b)) or (self.input.matches(b) and self.output.matches(a))

    @property
    def pairs_two_patterns(self) -> bool:
        return self.input.pattern == "pattern" and self.output.pattern == "pattern"

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Heaviest first, then the more specific, then the oldest."""
        return (-self.weight, -(self.input.specificity + self.output.specificity), self.id)
