"""Template filters: vocabulary names in the active language, swatches, reasons."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import get_language, pgettext_lazy

from catalog.i18n import korean_active
from catalog.naming import is_denim
from recommender.reasons import reason_text
from vocabulary import AUDIENCES, COLORS, FORMALITIES, KINDS, PATTERNS, SLOT_NAMES, TYPES, WARMTHS

register = template.Library()


def _korean() -> bool:
    return (get_language() or "en").startswith("ko")


@register.filter
def color_name(code: str) -> str:
    info = COLORS.get(code)
    return "" if info is None else (info.name_ko if _korean() else info.name_en)


@register.filter
def color_for_slot(code: str, slot: str) -> str:
    """The colour as a shop says it on that slot: blue bottoms are "데님" in Korean (blue elsewhere)."""
    if code == "blue" and slot == "bottom" and _korean():
        return "데님"
    return color_name(code)


@register.filter
def garment_color(garment: object) -> str:
    """A garment's (or a read tag's) colour as a shop says it: "데님" in Korean for what it would call denim
    (catalog.naming.is_denim: plain blue trousers, shorts or skirts; not a blue print or track pants)."""
    code = getattr(garment, "color", "")
    if _korean() and is_denim(
        color=code,
        type=getattr(garment, "type", ""),
        slot=getattr(garment, "slot", ""),
        kind=getattr(garment, "kind", ""),
        pattern=getattr(garment, "pattern", ""),
        formality=getattr(garment, "formality", ""),
    ):
        return "데님"
    return color_name(code)


@register.filter
def color_hex(code: str) -> str:
    info = COLORS.get(code)
    return "#cccccc" if info is None else info.hex


@register.filter
def type_name(code: str) -> str:
    info = TYPES.get(code)
    return code if info is None else (info.name_ko if _korean() else info.name_en)


@register.filter
def slot_name(code: str) -> str:
    names = SLOT_NAMES.get(code)
    return code if names is None else names[1 if _korean() else 0]


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{round(float(value) * 100)}%"


@register.filter
def reason(item) -> str:
    return reason_text(item.reason)


# A note that starts by naming its pair ("Red top + black bottom: bold contrast", "레드 상의 + 블랙 하의: …").
_PAIR_PREFIX = re.compile(r"^[^:：+]+\+[^:：]+[:：]\s*(?=\S)")


@register.filter
def link_reason(link) -> str:
    """The reason for one pair of a look without the pair the note may start with: the page names the two pieces in
    their own order already, so the note's own "A + B:" would print the pair twice, or reversed when a rule matched
    the other way round."""
    text = reason_text(link.reason)
    stripped = _PAIR_PREFIX.sub("", text, count=1)
    if stripped == text:
        return text
    return stripped[:1].upper() + stripped[1:]


# The dataset splits, as the model card names them.
SPLIT_NAMES = {
    "train": pgettext_lazy("dataset split", "training"),
    "validation": pgettext_lazy("dataset split", "validation"),
    "test": pgettext_lazy("dataset split", "test"),
}


@register.filter
def split_name(code: str) -> str:
    return str(SPLIT_NAMES.get(code, code))


@register.filter
def label_name(label: str, head: str) -> str:
    """A confusion-matrix label (a type, slot, colour or attribute code) in the active language."""
    if head in ("slot", "worn_slot"):
        return slot_name(label)
    attributes = {"pattern": PATTERNS, "audience": AUDIENCES, "warmth": WARMTHS, "formality": FORMALITIES}
    if head in attributes:
        names = attributes[head].get(label)
        return names[1 if korean_active() else 0] if names else label
    if head == "kind":
        kind = KINDS.get(label)
        return kind[2 if korean_active() else 1] if kind else label
    if head == "color":
        return color_name(label) or label
    return type_name(label)
