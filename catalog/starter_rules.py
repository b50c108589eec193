"""The starter set of stylist pairing rules loaded with the demo catalog (every top and bottom color is covered).

Each entry: (input slot, input color, output slot, output color, weight, handcrafted English note or "").
Where the note is empty it is written from the colour-harmony reason, in English and Korean.
"""

from __future__ import annotations

from catalog.vocabulary import COLORS, SLOT_NAMES

STARTER_RULES: list[tuple[str, str, str, str, int, str]] = [
    # Tops → bottoms
    ("top", "black", "bottom", "blue", 80, "Black top + denim: the easiest everyday pairing"),
    ("top", "black", "bottom", "gray", 60, ""),
    ("top", "black", "bottom", "beige", 55, "Black top + beige bottom: soft contrast that looks considered"),
    ("top", "white", "bottom", "blue", 90, "White tee + light denim: clean neutral contrast"),
    ("top", "white", "bottom", "black", 80, "White top + black bottom: crisp monochrome classic"),
    ("top", "white", "bottom", "beige", 60, ""),
    ("top", "white", "bottom", "navy", 65, "White + navy: fresh, nautical and never wrong"),
    ("top", "gray", "bottom", "black", 70, ""),
    ("top", "gray", "bottom", "blue", 70, ""),
    ("top", "gray", "bottom", "navy", 55, ""),
    ("top", "beige", "bottom", "brown", 60, "Beige + brown: warm tone-on-tone"),
    ("top", "beige", "bottom", "navy", 65, ""),
    ("top", "beige", "bottom", "white", 50, ""),
    ("top", "brown", "bottom", "beige", 65, "Brown + beige: an earthy autumn palette"),
    ("top", "brown", "bottom", "blue", 60, ""),
    ("top", "red", "bottom", "black", 90, "Red top + black bottom: bold classic contrast"),
    ("top", "red", "bottom", "blue", 80, "Red top + denim: casual and confident"),
    ("top", "red", "bottom", "white", 55, ""),
    ("top", "pink", "bottom", "gray", 70, "Pink + gray: soft and modern"),
    ("top", "pink", "bottom", "blue", 65, ""),
    ("top", "pink", "bottom", "white", 55, ""),
    ("top", "orange", "bottom", "navy", 70, "Orange + navy: complementary, sporty contrast"),
    ("top", "orange", "bottom", "blue", 60, ""),
    ("top", "yellow", "bottom", "navy", 70, "Yellow + navy: bright but grounded"),
    ("top", "yellow", "bottom", "blue", 60, ""),
    ("top", "yellow", "bottom", "gray", 55, ""),
    ("top", "green", "bottom", "beige", 70, "Green + beige: relaxed, natural tones"),
    ("top", "green", "bottom", "black", 60, ""),
    ("top", "green", "bottom", "blue", 55, ""),
    ("top", "blue", "bottom", "white", 65, ""),
    ("top", "blue", "bottom", "beige", 65, "Blue + beige: cool top, warm base"),
    ("top", "blue", "bottom", "gray", 55, ""),
    ("top", "navy", "bottom", "beige", 75, "Navy + beige: the smart-casual uniform"),
    ("top", "navy", "bottom", "white", 65, ""),
    ("top", "navy", "bottom", "gray", 55, ""),
    ("top", "purple", "bottom", "black", 65, ""),
    ("top", "purple", "bottom", "gray", 60, ""),
    ("top", "purple", "bottom", "blue", 55, ""),
    ("top", "multicolor", "bottom", "black", 70, "A print on top + black bottom: let the pattern lead"),
    ("top", "multicolor", "bottom", "blue", 65, ""),
    ("top", "multicolor", "bottom", "white", 55, ""),
    # Bottoms → tops
    ("bottom", "black", "top", "white", 85, "Black bottom + white top: crisp monochrome classic"),
    ("bottom", "black", "top", "red", 70, "Black bottom + red top: bold classic contrast"),
    ("bottom", "black", "top", "gray", 60, ""),
    ("bottom", "white", "top", "navy", 70, ""),
    ("bottom", "white", "top", "black", 65, ""),
    ("bottom", "white", "top", "blue", 60, ""),
    ("bottom", "gray", "top", "pink", 65, "Gray bottom + pink top: soft and modern"),
    ("bottom", "gray", "top", "navy", 60, ""),
    ("bottom", "gray", "top", "white", 60, ""),
    ("bottom", "beige", "top", "navy", 75, "Beige bottom + navy top: the smart-casual uniform"),
    ("bottom", "beige", "top", "white", 65, ""),
    ("bottom", "beige", "top", "green", 55, ""),
    ("bottom", "brown", "top", "white", 65, ""),
    ("bottom", "brown", "top", "beige", 60, ""),
    ("bottom", "red", "top", "white", 65, ""),
    ("bottom", "red", "top", "black", 65, ""),
    ("bottom", "pink", "top", "white", 65, ""),
    ("bottom", "pink", "top", "gray", 60, ""),
    ("bottom", "orange", "top", "white", 60, ""),
    ("bottom", "orange", "top", "navy", 60, ""),
    ("bottom", "yellow", "top", "white", 60, ""),
    ("bottom", "yellow", "top", "navy", 60, ""),
    ("bottom", "green", "top", "white", 65, ""),
    ("bottom", "green", "top", "beige", 55, ""),
    ("bottom", "blue", "top", "white", 90, "Denim + white top: clean neutral contrast"),
    ("bottom", "blue", "top", "red", 70, "Denim + red top: casual and confident"),
    ("bottom", "blue", "top", "gray", 65, ""),
    ("bottom", "blue", "top", "black", 65, ""),
    ("bottom", "navy", "top", "white", 75, ""),
    ("bottom", "navy", "top", "beige", 60, ""),
    ("bottom", "navy", "top", "pink", 55, ""),
    ("bottom", "purple", "top", "gray", 60, ""),
    ("bottom", "purple", "top", "white", 60, ""),
    ("bottom", "multicolor", "top", "black", 65, "Printed bottom + black top: let the pattern lead"),
    ("bottom", "multicolor", "top", "white", 60, ""),
    # One-pieces, outerwear and shoes
    ("one_piece", "black", "shoes", "white", 65, ""),
    ("one_piece", "black", "outer", "beige", 60, ""),
    ("one_piece", "red", "shoes", "black", 70, ""),
    ("one_piece", "white", "outer", "blue", 60, "White dress + denim jacket: effortless summer layer"),
    ("one_piece", "multicolor", "shoes", "white", 60, ""),
    ("one_piece", "navy", "shoes", "white", 60, ""),
    ("outer", "black", "bottom", "blue", 65, ""),
    ("outer", "beige", "bottom", "blue", 70, "Beige coat + denim: the trench-and-jeans classic"),
    ("outer", "navy", "bottom", "beige", 65, ""),
    ("outer", "blue", "top", "white", 60, ""),
    ("top", "white", "outer", "black", 60, ""),
    ("top", "red", "shoes", "white", 55, ""),
    ("bottom", "blue", "shoes", "white", 60, "Denim + white sneakers: clean and casual"),
    ("bottom", "black", "shoes", "black", 55, ""),
    ("shoes", "white", "bottom", "blue", 55, ""),
    ("shoes", "black", "bottom", "black", 50, ""),
]

_REASON_TEXT: dict[str, tuple[str, str]] = {
    "neutral": ("a neutral that lets the colour lead", "무채색이 포인트 컬러를 살려 줍니다"),
    "denim_neutral": ("denim goes with almost everything", "데님은 어떤 색과도 잘 어울립니다"),
    "accent": ("a colour accent on a calm base", "차분한 베이스에 컬러 포인트"),
    "complementary": ("bold complementary contrast", "대담한 보색 대비"),
    "analogous": ("soft, related hues", "부드러운 유사색 조합"),
    "tonal_neutral": ("a calm tonal look", "차분한 톤온톤 룩"),
    "": ("a stylist favourite", "스타일리스트 추천 조합"),
}


def starter_rule_notes(in_slot: str, in_color: str, out_slot: str, out_color: str, handcrafted: str) -> tuple[str, str]:
    """English and Korean notes for a starter rule; the reason is the harmony rule when none is handcrafted."""
    from recommender.harmony import color_harmony

    scored = color_harmony(in_color, in_slot, out_color, out_slot)
    reason_en, reason_ko = _REASON_TEXT[scored[1] if scored else ""]
    in_ko = f"{COLORS[in_color].name_ko} {SLOT_NAMES[in_slot][1]}"
    out_ko = f"{COLORS[out_color].name_ko} {SLOT_NAMES[out_slot][1]}"
    note_en = handcrafted or (
        f"{COLORS[in_color].name_en} {SLOT_NAMES[in_slot][0].lower()} + "
        f"{COLORS[out_color].name_en.lower()} {SLOT_NAMES[out_slot][0].lower()}: {reason_en}"
    )
    return note_en, f"{in_ko} + {out_ko}: {reason_ko}"
