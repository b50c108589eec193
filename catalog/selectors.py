"""Read operations on the catalog used by the stylist console."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q

from catalog.models import Garment, TaggedBy


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


def active_garment_tag_counts() -> list[tuple[str, str, str, int]]:
    """(slot, type, color, number of active garments) for every tag combination in the catalog."""
    rows = (
        Garment.objects.filter(is_active=True)
        .values("slot", "type", "color")
        .annotate(count=Count("id"))
        .order_by("slot", "type", "color")
    )
    return [(row["slot"], row["type"], row["color"], row["count"]) for row in rows]
