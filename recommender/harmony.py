"""Color harmony and slot complements: the fallback when no stylist rule matches. Pure functions, no database."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.vocabulary import COLOR_CODES, COLORS

# Which slots complete an outfit around a given slot (never the input's own slot).
COMPLEMENTARY_SLOTS: dict[str, tuple[str, ...]] = {
    "top": ("bottom", "outer", "shoes"),
    "bottom": ("top", "outer", "shoes"),
    "outer": ("top", "bottom", "shoes"),
    "one_piece": ("shoes", "outer", "accessory"),
    "shoes": ("bottom", "top", "one_piece"),
    "accessory": ("top", "one_piece", "bottom"),
}


@dataclass(frozen=True)
class HarmonyMatch:
    slot: str
    color: str
    score: float  # 0..1, higher is a stronger match
    rule: str  # machine-readable harmony rule id
    explanation: str  # English sentence; the pages translate by `rule`


def _hue_distance(a: int, b: int) -> int:
    d = abs(a - b) % 360
    return min(d, 360 - d)


def _acts_as_neutral(color: str, slot: str) -> bool:
    # Denim blue (and navy) bottoms are worn like neutrals.
    return COLORS[color].neutral or (color in ("blue", "navy") and slot == "bottom")


def color_harmony(
    input_color: str, input_slot: str, output_color: str, output_slot: str
) -> tuple[float, str, str] | None:
    """Score how well `output_color` on `output_slot` goes with `input_color` on `input_slot`.

    Returns (score, rule id, explanation) or None when the pair does not harmonise.
    """
    if output_slot == input_slot:
        return None
    inp, out = COLORS[input_color], COLORS[output_color]
    if input_color == "multicolor" and output_color == "multicolor":
        return None  # two prints compete
    if _acts_as_neutral(output_color, output_slot):
        if output_color == input_color and output_color not in ("blue", "navy"):
            # Same-neutral head to toe (all black) is a look, but weaker than contrast.
            return 0.55, "tonal_neutral", f"Tonal {out.name_en.lower()}: a calm, single-colour look."
        if output_color in ("blue", "navy") and output_slot == "bottom":
            return 0.8, "denim_neutral", "Denim blue works like a neutral: it goes with almost anything."
        return 0.8, "neutral", f"{out.name_en} is a neutral: it lets the {inp.name_en.lower()} piece stand out."
    if input_color == "multicolor" or output_color == "multicolor":
        # A print goes with neutrals; a solid colour next to a print is a gamble the fallback does not take.
        return None
    if _acts_as_neutral(input_color, input_slot):
        return 0.65, "accent", f"A {out.name_en.lower()} accent brightens the {inp.name_en.lower()} base."
    if inp.hue is None or out.hue is None:
        return None
    distance = _hue_distance(inp.hue, out.hue)
    if distance == 0:
        return None  # the same strong colour twice reads as a uniform
    if distance >= 150:
        return 0.7, "complementary", f"{inp.name_en} and {out.name_en.lower()} are complementary: bold contrast."
    if distance <= 60:
        return 0.6, "analogous", f"{inp.name_en} and {out.name_en.lower()} sit side by side on the colour wheel."
    return None


def harmony_matches(input_slot: str, input_color: str) -> list[HarmonyMatch]:
    """Every (slot, color) that harmonises with the input, best first, deterministic."""
    matches: list[HarmonyMatch] = []
    for slot_rank, slot in enumerate(COMPLEMENTARY_SLOTS[input_slot]):
        for color in COLOR_CODES:
            scored = color_harmony(input_color, input_slot, color, slot)
            if scored is None:
                continue
            score, rule, explanation = scored
            # The first complementary slot (bottom for a top) matters most to a shopper.
            matches.append(HarmonyMatch(slot, color, round(score - 0.05 * slot_rank, 4), rule, explanation))
    matches.sort(key=lambda m: (-m.score, COMPLEMENTARY_SLOTS[input_slot].index(m.slot), COLOR_CODES.index(m.color)))
    return matches
