"""Template filters: vocabulary names in the active language, swatches, reasons."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from catalog.vocabulary import COLORS, SLOT_NAMES, TYPES
from recommender.reasons import reason_text

register = template.Library()


def _korean() -> bool:
    return (get_language() or "en").startswith("ko")


@register.filter
def color_name(code: str) -> str:
    info = COLORS.get(code)
    return "" if info is None else (info.name_ko if _korean() else info.name_en)


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
