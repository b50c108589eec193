"""Garment names the way a shop writes them, from the tags: "Black slacks" / "블랙 슬랙스", "화이트 반팔 티셔츠".

Pure Python over the vocabulary (no Django), shared by the demo loader, auto-tagging and the pages. Names are not
unique and carry no codes: two black t-shirts are both "블랙 반팔 티셔츠", as in a shop.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.tags import Tag
from vocabulary import AUDIENCES, COLORS, FORMALITIES, KINDS, SLOT_NAMES, TYPES, WARMTHS, kind_of_type

# Bottoms whose blue means denim: shops call a blue pair of trousers "데님 팬츠", never "블루 팬츠".
DENIM_TYPES: frozenset[str] = frozenset({"pants", "shorts", "skirt"})
# Blue bottoms of these formalities are track pants, sports shorts, pyjama bottoms or suit trousers, not denim.
_NOT_DENIM_FORMALITIES: frozenset[str] = frozenset({"sport", "lounge", "smart"})
# What a type is called in a name when it needs a more specific word than the type name (English, Korean).
_DENIM_NOUNS: dict[str, tuple[str, str]] = {
    "pants": ("Jeans", "데님 팬츠"),
    "shorts": ("Denim shorts", "데님 쇼츠"),
    "skirt": ("Denim skirt", "데님 스커트"),
}
_SLACKS = ("slacks", "슬랙스")  # smart trousers
# Types whose vocabulary name is a category, not what a shop calls the garment: "Black jacket" (블랙 재킷), not "Black
# outerwear" (블랙 아우터). The category stays on the type's label ("Outerwear", 아우터), so a coat's card reads
# "Black coat · Outerwear" in both languages, not "블랙 코트 · 재킷".
_SHOP_NOUNS: dict[str, tuple[str, str]] = {"outwear": ("jacket", "재킷"), "undershirt": ("tank top", "민소매 티셔츠")}


def is_denim(
    *, color: str, type: str = "", slot: str = "", kind: str = "", pattern: str = "", formality: str = ""
) -> bool:
    """Whether a shop would call this bottom denim: blue trousers, shorts or a skirt (or a blue bottom of no known
    type), plain, and not a sport, lounge or smart piece. In the CC0 photos most blue bottoms are denim,
    but not a printed skirt, track pants, swim shorts or a pleated suit skirt.

    >>> is_denim(color="blue", type="skirt"), is_denim(color="blue", type="skirt", pattern="pattern")
    (True, False)
    >>> is_denim(color="blue", type="pants", formality="sport"), is_denim(color="blue", slot="bottom")
    (False, True)
    """
    return (
        color == "blue"
        and (type in DENIM_TYPES or (not type and slot == "bottom"))
        and not kind
        and pattern != "pattern"
        and formality not in _NOT_DENIM_FORMALITIES
    )


@dataclass(frozen=True)
class GarmentName:
    en: str
    ko: str

    def in_language(self, language: str | None) -> str:
        return self.ko if (language or "").startswith("ko") else self.en


# The "flats" kind covers loafers and low dress shoes (the CC0 attributes' README); a man's pair is an oxford, a derby
# or a loafer, which shops call dress shoes ("구두"), never "flats" or "플랫 슈즈" (a woman's or a girl's ballet flat).
_MENS_FLATS = ("dress shoes", "구두")


def kind_noun(kind: str, audience: str = "") -> tuple[str, str]:
    """A finer kind as a shop names it (English lower case, Korean): "sneakers"/"스니커즈"; a man's flats are "dress
    shoes"/"구두"."""
    if kind == "flats" and audience == "men":
        return _MENS_FLATS
    _type, name_en, name_ko = KINDS[kind]
    return name_en.lower(), name_ko


def _noun(type_code: str, kind: str, formality: str, audience: str = "") -> tuple[str, str]:
    if kind_of_type(kind, type_code):
        return kind_noun(kind, audience)
    if type_code == "pants" and formality == "smart":
        return _SLACKS
    info = TYPES[type_code]
    return _SHOP_NOUNS.get(type_code, (info.name_en.lower(), info.name_ko))


def garment_names(
    *,
    type: str,
    color: str,
    pattern: str = "",
    kind: str = "",
    formality: str = "",
    audience: str = "",
    graphic: bool = False,
) -> GarmentName:
    """English and Korean names from the tags. `graphic`: the print is a big graphic (a cartoon, a slogan; the
    classifier's graphic probe), named so rather than "patterned".

    >>> garment_names(type="pants", color="black", formality="smart")
    GarmentName(en='Black slacks', ko='블랙 슬랙스')
    >>> garment_names(type="t-shirt", color="white").ko, garment_names(type="pants", color="blue").ko
    ('화이트 반팔 티셔츠', '데님 팬츠')
    """
    if is_denim(color=color, type=type, kind=kind, pattern=pattern, formality=formality):
        return GarmentName(*_DENIM_NOUNS[type])
    noun_en, noun_ko = _noun(type, kind, formality, audience)
    info = COLORS[color]
    if pattern == "pattern":
        word_en, word_ko = ("graphic", "그래픽") if graphic else ("patterned", "패턴")
        if color == "multicolor":
            return GarmentName(f"{word_en.capitalize()} {noun_en}", f"{word_ko} {noun_ko}")
        return GarmentName(f"{info.name_en} {word_en} {noun_en}", f"{info.name_ko} {word_ko} {noun_ko}")
    return GarmentName(f"{info.name_en} {noun_en}", f"{info.name_ko} {noun_ko}")


def tag_names(tag: Tag) -> GarmentName:
    """The names of a garment described by a `Tag` (its type must be known); a graphic print (`Tag.graphic`) as for
    garment_names."""
    return garment_names(
        type=tag.type,
        color=tag.color,
        pattern=tag.pattern,
        kind=tag.kind,
        formality=tag.formality,
        audience=tag.audience,
        graphic=tag.graphic,
    )


def garment_name(
    type: str,
    color: str,
    pattern: str = "",
    kind: str = "",
    language: str = "ko",
    *,
    formality: str = "",
    audience: str = "",
    graphic: bool = False,
) -> str:
    """The garment's name in `language` ("ko…" for Korean, anything else for English)."""
    names = garment_names(
        type=type, color=color, pattern=pattern, kind=kind, formality=formality, audience=audience, graphic=graphic
    )
    return names.in_language(language)


def tag_label(*, slot: str, type: str, color: str, language: str, kind: str = "", pattern: str = "") -> str:
    """A tag as words, for rule and correction titles: "레드 상의", "데님 하의", "블랙 부츠 (패턴)", "white sneakers" (a
    blank type means any type of the slot; "(patterned)" marks a print condition). English keeps the colour code."""
    korean = (language or "").startswith("ko")
    patterned = pattern == "pattern" and color != "multicolor"
    if not korean:
        noun = KINDS[kind][1] if kind else (TYPES[type].name_en if type else SLOT_NAMES[slot][0])
        return f"{color} {noun.lower()}" + (" (patterned)" if patterned else "")
    what = KINDS[kind][2] if kind else (TYPES[type].name_ko if type else SLOT_NAMES[slot][1])
    denim = is_denim(color=color, type=type, slot=slot, kind=kind, pattern=pattern)
    return f"{'데님' if denim else COLORS[color].name_ko} {what}" + (" (패턴)" if patterned else "")


def tags_in_korean(text: str) -> dict[str, str]:
    """The tags a Korean search names, for the console's search box: "블랙 슬랙스" -> {"color": "black", "type":
    "pants"}, "데님 스커트" -> {"color": "blue", "slot": "bottom", "type": "skirt"}. Longer names win ("반팔 티셔츠"
    is not also "셔츠")."""
    words: list[tuple[str, dict[str, str]]] = [
        ("데님", {"color": "blue", "slot": "bottom"}),
        ("슬랙스", {"type": "pants"}),
    ]
    words += [(info.name_ko, {"color": code}) for code, info in COLORS.items()]
    words += [(info.name_ko, {"type": code}) for code, info in TYPES.items()]
    # A name made from the tags says 재킷 for any outer layer of no known kind: the word finds them all.
    words += [(name_ko, {"type": code}) for code, (_en, name_ko) in _SHOP_NOUNS.items()]
    words += [(name_ko, {"type": type_code, "kind": code}) for code, (type_code, _en, name_ko) in KINDS.items()]
    found: dict[str, str] = {}
    rest = text
    for word, tags in sorted(words, key=lambda item: -len(item[0])):
        if word in rest:
            found.update(tags)
            rest = rest.replace(word, " ")
    return found


# The outerwear table's answers (catalog.style): is outerwear part of a look in this weather?
OUTERWEAR_NEEDS: dict[str, tuple[str, str]] = {
    "required": ("Required", "필수"),
    "optional": ("Optional", "선택"),
    "never": ("Never", "입지 않음"),
}


def style_value_label(*, table: str, value: str, second: bool, language: str) -> str:
    """A cell of a style compatibility table (catalog.style) as words: "캐주얼", "재킷", "상의", "간절기용", "필수"."""
    korean = (language or "").startswith("ko")
    names: dict[str, tuple[str, str]] = {}
    if table in ("audience", "warmth", "formality"):
        names = {"audience": AUDIENCES, "warmth": WARMTHS, "formality": FORMALITIES}[table]
    elif table == "layering":
        names = (
            SLOT_NAMES
            if second
            else {
                **{code: (t.name_en, t.name_ko) for code, t in TYPES.items()},
                **{code: (name_en, name_ko) for code, (_type, name_en, name_ko) in KINDS.items()},
            }
        )
    elif table == "outerwear":
        names = OUTERWEAR_NEEDS if second else WARMTHS
    elif table == "kinds":
        names = {
            **({} if second else {code: (t.name_en, t.name_ko) for code, t in TYPES.items() if t.slot == "top"}),
            **{code: (name_en, name_ko) for code, (_type, name_en, name_ko) in KINDS.items()},
        }
    if value not in names:
        return value
    return names[value][1] if korean else names[value][0]
