"""Read operations on the catalog used by the stylist console."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from catalog.models import Garment, PairingRule, StyleCompatibility, TaggedBy
from catalog.rules import RuleSide, RuleSpec
from catalog.style import DEFAULT_POLICY, StylePolicy
from catalog.tags import Tag


def review_thresholds() -> dict[str, float]:
    return {head: float(value) for head, value in settings.CLASSIFIER_CONFIRM_THRESHOLDS.items()}


def needs_review_condition() -> Q:
    """Tagged by the CNN with the type or the colour read below its confirmation threshold."""
    limits = review_thresholds()
    return Q(tagged_by=TaggedBy.MODEL) & (
        Q(type_confidence__lt=limits["type"]) | Q(color_confidence__lt=limits["color"])
    )


def garment_review_fields(garment: Garment) -> list[str]:
    """The tag fields ("type", "color") a stylist should check: the CNN was unsure of them."""
    if garment.tagged_by != TaggedBy.MODEL:
        return []
    limits = review_thresholds()
    confidences = {"type": garment.type_confidence, "color": garment.color_confidence}
    return [field for field, value in confidences.items() if value is not None and value < limits[field]]


def active_garment_tag_counts() -> list[tuple[str, str, str, int, str, str]]:
    """(slot, type, color, number of active garments, kind, pattern) for every tag combination in the catalog."""
    rows = (
        Garment.objects.filter(is_active=True)
        .values("slot", "type", "color", "kind", "pattern")
        .annotate(count=Count("id"))
        .order_by("slot", "type", "color", "kind", "pattern")
    )
    return [(row["slot"], row["type"], row["color"], row["count"], row["kind"], row["pattern"]) for row in rows]


def rule_spec(rule: PairingRule) -> RuleSpec:
    """The plain-data form of a rule the engine and the linting work on."""
    return RuleSpec(
        id=rule.id,
        input=RuleSide(
            slot=rule.input_slot,
            color=rule.input_color,
            type=rule.input_type,
            kind=rule.input_kind,
            pattern=rule.input_pattern,
            formality=rule.input_formality,
            warmth=rule.input_warmth,
        ),
        output=RuleSide(
            slot=rule.output_slot,
            color=rule.output_color,
            type=rule.output_type,
            kind=rule.output_kind,
            pattern=rule.output_pattern,
            formality=rule.output_formality,
            warmth=rule.output_warmth,
        ),
        weight=rule.weight,
        note=rule.note,
        note_ko=rule.note_ko,
        note_needs_update=rule.note_needs_update,
    )


def active_rule_specs() -> list[RuleSpec]:
    return [rule_spec(rule) for rule in PairingRule.objects.filter(is_active=True)]


def style_policy() -> StylePolicy:
    """The compatibility tables as the stylists left them in the admin (the defaults when the table is empty)."""
    rows = list(StyleCompatibility.objects.values_list("table", "first", "second", "allowed"))
    return StylePolicy.from_rows(rows) if rows else DEFAULT_POLICY


def garment_tag(garment: Garment) -> Tag:
    return Tag(
        slot=garment.slot,
        color=garment.color,
        type=garment.type,
        kind=garment.kind,
        pattern=garment.pattern,
        audience=garment.audience,
        warmth=garment.warmth,
        formality=garment.formality,
        graphic=garment.graphic,
    )


def garments_filtered(
    *, slot: str = "", type: str = "", color: str = "", active_only: bool = True
) -> QuerySet[Garment]:
    queryset = Garment.objects.all()
    if active_only:
        queryset = queryset.filter(is_active=True)
    if slot:
        queryset = queryset.filter(slot=slot)
    if type:
        queryset = queryset.filter(type=type)
    if color:
        queryset = queryset.filter(color=color)
    return queryset.order_by("id")
