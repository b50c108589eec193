"""Rule linting: what the stylist rules miss, from the active rules and the active garments' tag counts.

The core functions are pure (dataclasses in, dataclasses out, no database); `rule_lint_report()` at the end is the thin
selector that loads the rows. What a shopper gets mirrors recommender.engine: the rules whose input matches their
garment recommend garments tagged like the rule outputs; when no rule matches, or the rules' garments run short of a
page, the colour-harmony fallback fills in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from catalog.rules import RuleSpec
from catalog.selectors import active_garment_tag_counts, active_rule_specs
from catalog.tags import Tag
from vocabulary import COLOR_CODES

# The slots a shopper's photo can be read as and get recommendations for (accessories are only recommended).
INPUT_SLOTS: tuple[str, ...] = ("top", "bottom", "one_piece", "outer", "shoes")

# Cell statuses of the coverage grid.
COVERED = "covered"  # rules recommend a full page of garments
PARTIAL = "partial"  # rules recommend some garments; harmony fills the rest (or other types of the slot)
NO_GARMENTS = "no_garments"  # rules exist but recommend no active garment: harmony fallback
NO_RULES = "no_rules"  # no active rule: harmony fallback
FALLBACK_STATUSES = frozenset({NO_GARMENTS, NO_RULES})


@dataclass(frozen=True)
class TagCount:
    """How many active garments carry one (slot, type, color, kind, pattern) tag."""

    slot: str
    type: str
    color: str
    count: int
    kind: str = ""
    pattern: str = ""

    @property
    def tag(self) -> Tag:
        return Tag(slot=self.slot, color=self.color, type=self.type, kind=self.kind, pattern=self.pattern)


@dataclass(frozen=True)
class CoverageCell:
    slot: str
    color: str
    rule_count: int
    garment_count: int
    status: str

    @property
    def falls_back(self) -> bool:
        return self.status in FALLBACK_STATUSES


@dataclass(frozen=True)
class CoverageRow:
    slot: str
    cells: tuple[CoverageCell, ...]


@dataclass(frozen=True)
class LintReport:
    rules_without_garments: list[RuleSpec]
    uncovered_inputs: list[tuple[str, str]]
    asymmetric_rules: list[RuleSpec]
    coverage: list[CoverageRow]
    notes_needing_translation: list[RuleSpec] = field(default_factory=list)

    @property
    def warning_count(self) -> int:
        return (
            len(self.rules_without_garments)
            + len(self.uncovered_inputs)
            + len(self.asymmetric_rules)
            + len(self.notes_needing_translation)
        )


def garments_for_rules(rules: Iterable[RuleSpec], tag_counts: Sequence[TagCount]) -> int:
    """Active garments at least one of the rules can recommend (each garment counted once)."""
    rules = list(rules)
    return sum(tag.count for tag in tag_counts if any(r.matches_output(tag.tag) for r in rules))


def rules_without_garments(rules: Iterable[RuleSpec], tag_counts: Sequence[TagCount]) -> list[RuleSpec]:
    """Rules whose output (slot + colour [+ type]) matches no active garment: they never show anything."""
    return [rule for rule in rules if garments_for_rules([rule], tag_counts) == 0]


def uncovered_inputs(
    rules: Iterable[RuleSpec], *, slots: Sequence[str] = INPUT_SLOTS, colors: Sequence[str] = COLOR_CODES
) -> list[tuple[str, str]]:
    """(slot, colour) inputs no rule starts from: shoppers there get the harmony fallback only."""
    covered = {(rule.input_slot, rule.input_color) for rule in rules}
    return [(slot, color) for slot in slots for color in colors if (slot, color) not in covered]


def asymmetric_rules(rules: Iterable[RuleSpec], *, slots: Sequence[str] = INPUT_SLOTS) -> list[RuleSpec]:
    """Rules A → B with no rule B → A (compared on slot and colour), where B is a slot shoppers can start from."""
    rules = list(rules)
    starts = {(r.input_slot, r.input_color, r.output_slot, r.output_color) for r in rules}
    return [
        rule
        for rule in rules
        if rule.output_slot in slots
        and (rule.output_slot, rule.output_color, rule.input_slot, rule.input_color) not in starts
    ]


def coverage_cell(
    slot: str, color: str, rules: Sequence[RuleSpec], tag_counts: Sequence[TagCount], *, page_size: int
) -> CoverageCell:
    matching = [r for r in rules if r.input_slot == slot and r.input_color == color]
    garments = garments_for_rules(matching, tag_counts)
    if not matching:
        status = NO_RULES
    elif garments == 0:
        status = NO_GARMENTS
    elif garments < page_size or all(r.input.specificity for r in matching):
        # A short page is topped up by harmony; rules that set a type, kind or other condition leave the rest to it.
        status = PARTIAL
    else:
        status = COVERED
    return CoverageCell(slot, color, len(matching), garments, status)


def coverage_grid(
    rules: Iterable[RuleSpec],
    tag_counts: Sequence[TagCount],
    *,
    page_size: int = 12,
    slots: Sequence[str] = INPUT_SLOTS,
    colors: Sequence[str] = COLOR_CODES,
) -> list[CoverageRow]:
    """For every input slot × colour: active rules, garments they can recommend, and the shopper's outcome."""
    rules = list(rules)
    return [
        CoverageRow(slot, tuple(coverage_cell(slot, color, rules, tag_counts, page_size=page_size) for color in colors))
        for slot in slots
    ]


def notes_needing_translation(rules: Iterable[RuleSpec]) -> list[RuleSpec]:
    """Rules whose Korean note is missing, or whose note was edited in one language and not yet in the other."""
    return [rule for rule in rules if not rule.note_ko.strip() or rule.note_needs_update]


def lint_rules(rules: Iterable[RuleSpec], tag_counts: Sequence[TagCount], *, page_size: int = 12) -> LintReport:
    rules = list(rules)
    return LintReport(
        rules_without_garments=rules_without_garments(rules, tag_counts),
        uncovered_inputs=uncovered_inputs(rules),
        asymmetric_rules=asymmetric_rules(rules),
        coverage=coverage_grid(rules, tag_counts, page_size=page_size),
        notes_needing_translation=notes_needing_translation(rules),
    )


def rule_lint_report(*, page_size: int = 12) -> LintReport:
    """Lint the active rules against the active catalog (the only function here that reads the database)."""
    tag_counts = [TagCount(*row) for row in active_garment_tag_counts()]
    return lint_rules(active_rule_specs(), tag_counts, page_size=page_size)
