"""Colour harmony between two garments: the fallback when no stylist rule pairs them. Pure functions, no database.

The verdict is a harmony kind (a machine-readable id the reasons are written from) and a score in 0.4..0.8. It looks
at both pieces, not just two colours, so that what a reason says is true for the pair: navy chinos are a dark
neutral, not denim; black with white is a monochrome contrast, not "a neutral that lets the colour lead".
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog import naming
from catalog.tags import Tag
from vocabulary import COLORS

ACHROMATIC = frozenset({"black", "white", "gray"})
# Shades stylists treat as neutrals: achromatics plus beige, navy and brown (an earthy neutral).
NEUTRALS = ACHROMATIC | {"beige", "navy", "brown"}


@dataclass(frozen=True)
class Harmony:
    kind: str
    score: float


def is_denim(tag: Tag) -> bool:
    """Plain blue bottoms are read as denim (jeans, denim shorts or skirts), a neutral; navy ones are a dark neutral.
    A blue print, track pants or suit trousers are blue (catalog.naming.is_denim)."""
    return tag.slot == "bottom" and naming.is_denim(
        color=tag.color, type=tag.type, slot=tag.slot, kind=tag.kind, pattern=tag.pattern, formality=tag.formality
    )


def is_neutral(tag: Tag) -> bool:
    return tag.color in NEUTRALS or is_denim(tag)


def _hue_distance(a: int, b: int) -> int:
    d = abs(a - b) % 360
    return min(d, 360 - d)


def harmony(a: Tag, b: Tag) -> Harmony | None:
    """How `b` goes with `a` by colour and print (slots are the caller's business); None when it does not."""
    if a.patterned and b.patterned:
        return None  # two prints compete; only a stylist rule may pair them
    if a.patterned or b.patterned:
        printed, solid = (a, b) if a.patterned else (b, a)
        if solid.color == printed.color and printed.color != "multicolor":
            return Harmony("print_echo", 0.75)
        if is_neutral(solid):
            return Harmony("print_calm" if a.patterned else "print_lead", 0.75)
        return None  # a strong solid colour beside a print is a gamble the fallback does not take
    if is_denim(a) and is_denim(b):
        return None
    if is_denim(b):
        return Harmony("denim", 0.8)
    if is_denim(a):
        return Harmony("on_denim", 0.75 if is_neutral(b) else 0.7)
    a_neutral, b_neutral = a.color in NEUTRALS, b.color in NEUTRALS
    if a_neutral and b_neutral:
        colors = {a.color, b.color}
        if len(colors) == 1:
            return Harmony("tonal", 0.55)
        if colors <= ACHROMATIC:
            return Harmony("monochrome", 0.8)
        if colors == {"navy", "white"}:
            return Harmony("navy_white", 0.8)
        if colors == {"brown", "beige"}:
            return Harmony("tone_on_tone", 0.75)
        return Harmony("neutrals", 0.7)
    if b_neutral:
        return Harmony("neutral_base", 0.8)
    if a_neutral:
        return Harmony("accent", 0.65)
    hue_a, hue_b = COLORS[a.color].hue, COLORS[b.color].hue
    if hue_a is None or hue_b is None:
        return None
    distance = _hue_distance(hue_a, hue_b)
    if distance == 0:
        return None  # the same strong colour twice reads as a uniform
    if distance >= 150:
        return Harmony("complementary", 0.7)
    if distance <= 60:
        return Harmony("analogous", 0.6)
    return None


def harmonious_colors(a: Tag, slot: str) -> set[str]:
    """Colours a piece of `slot` (solid or printed, denim for blue bottoms) could have and still go with `a`."""
    return {
        code
        for code in COLORS
        if any(harmony(a, Tag(slot=slot, color=code, pattern=pattern)) is not None for pattern in ("solid", "pattern"))
    }
