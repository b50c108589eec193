"""The fixed vocabularies of the product: slots, colors and garment types.

Pure Python at the bottom floor (it imports nothing of the project), so the classifier, the catalog, the rule engine and
the tests share one source of truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SLOTS: tuple[str, ...] = ("top", "bottom", "outer", "one_piece", "shoes", "accessory")

SLOT_NAMES: dict[str, tuple[str, str]] = {
    # slot: (English, Korean)
    "top": ("Top", "상의"),
    "bottom": ("Bottom", "하의"),
    "outer": ("Outerwear", "아우터"),
    "one_piece": ("One-piece", "원피스"),
    "shoes": ("Shoes", "신발"),
    "accessory": ("Accessory", "액세서리"),
}


@dataclass(frozen=True)
class ColorInfo:
    code: str
    hex: str
    name_en: str
    name_ko: str
    # Neutrals pair with everything in the harmony fallback. Hue is the position on the painter's (RYB) colour wheel
    # stylists use (red 0, yellow 120, blue 240), so red/green, orange/blue and yellow/purple are complementary.
    neutral: bool
    hue: int | None


COLORS: dict[str, ColorInfo] = {
    c.code: c
    for c in (
        ColorInfo("black", "#111111", "Black", "블랙", True, None),
        ColorInfo("white", "#F7F7F5", "White", "화이트", True, None),
        ColorInfo("gray", "#8E8E8E", "Gray", "그레이", True, None),
        ColorInfo("beige", "#D9C7A7", "Beige", "베이지", True, None),
        ColorInfo("brown", "#7B4B2A", "Brown", "브라운", False, 40),
        ColorInfo("red", "#C62828", "Red", "레드", False, 0),
        ColorInfo("pink", "#F06292", "Pink", "핑크", False, 345),
        ColorInfo("orange", "#EF6C00", "Orange", "오렌지", False, 60),
        ColorInfo("yellow", "#FBC02D", "Yellow", "옐로", False, 120),
        ColorInfo("green", "#2E7D32", "Green", "그린", False, 180),
        ColorInfo("blue", "#1E88E5", "Blue", "블루", False, 240),
        ColorInfo("navy", "#1A237E", "Navy", "네이비", True, 250),
        ColorInfo("purple", "#7B1FA2", "Purple", "퍼플", False, 300),
        ColorInfo("multicolor", "#9C27B0", "Multicolor", "멀티컬러", False, None),
    )
}

COLOR_CODES: tuple[str, ...] = tuple(COLORS)


@dataclass(frozen=True)
class TypeInfo:
    code: str
    slot: str
    name_en: str
    name_ko: str
    # The label used by ../shared/datasets/clothing-dataset (images.csv / splits.csv), if any.
    dataset_label: str | None


TYPES: dict[str, TypeInfo] = {
    t.code: t
    for t in (
        TypeInfo("t-shirt", "top", "T-shirt", "반팔 티셔츠", "T-Shirt"),
        TypeInfo("longsleeve", "top", "Long-sleeve", "긴팔 티셔츠", "Longsleeve"),
        TypeInfo("shirt", "top", "Shirt", "셔츠", "Shirt"),
        TypeInfo("polo", "top", "Polo", "폴로 셔츠", "Polo"),
        TypeInfo("hoodie", "top", "Hoodie", "후드 티셔츠", "Hoodie"),
        TypeInfo("blouse", "top", "Blouse", "블라우스", "Blouse"),
        TypeInfo("top", "top", "Top", "탑", "Top"),
        TypeInfo("undershirt", "top", "Undershirt", "민소매 티셔츠", "Undershirt"),
        TypeInfo("blazer", "outer", "Blazer", "블레이저", "Blazer"),
        TypeInfo("outwear", "outer", "Outerwear", "아우터", "Outwear"),
        TypeInfo("pants", "bottom", "Pants", "팬츠", "Pants"),
        TypeInfo("shorts", "bottom", "Shorts", "쇼츠", "Shorts"),
        TypeInfo("skirt", "bottom", "Skirt", "스커트", "Skirt"),
        TypeInfo("dress", "one_piece", "Dress", "원피스", "Dress"),
        TypeInfo("body", "one_piece", "Bodysuit", "바디수트", "Body"),
        TypeInfo("shoes", "shoes", "Shoes", "슈즈", "Shoes"),
        TypeInfo("hat", "accessory", "Hat", "모자", "Hat"),
    )
}

TYPE_CODES: tuple[str, ...] = tuple(TYPES)

# Dataset labels that carry no garment type; the classifier uses those photos for the color head only.
DATASET_LABELS_WITHOUT_TYPE: frozenset[str] = frozenset({"Not sure", "Skip", "Other"})

# The standard 10-class subset of the dataset (column top10_label of splits.csv).
TOP10_TYPES: tuple[str, ...] = (
    "dress",
    "hat",
    "longsleeve",
    "outwear",
    "pants",
    "shirt",
    "shoes",
    "shorts",
    "skirt",
    "t-shirt",
)


def slot_of_type(type_code: str) -> str:
    return TYPES[type_code].slot


def type_in_slot(type_code: str, slot: str) -> bool:
    """Whether a type belongs to a slot: the one home of this rule (the garment table's CHECK constraint is built
    from the same TYPES)."""
    return type_code in TYPES and TYPES[type_code].slot == slot


# What a garment of a slot is called when its crop was read as a type of another slot.
SLOT_DEFAULT_TYPES = {"top": "top", "bottom": "pants", "outer": "outwear", "one_piece": "dress", "shoes": "shoes"}


def type_named_in_slot(
    slot: str, read_slot: str, read_type: str, top3: Sequence[tuple[str, float]]
) -> tuple[str, float] | None:
    """The type (and its probability) a garment found in `slot` is named by when its crop reads another slot or a type
    of another slot: the crop's most likely type of `slot` among its top 3, else the slot's generic type at 0 (so the
    shopper is asked). None when the crop's own reading stands (it reads `slot` and a type of it), or for a slot with
    no generic type. The one home of this rule: the chips a shopper taps and the evaluation of them both use it."""
    if slot not in SLOT_DEFAULT_TYPES or (read_slot == slot and type_in_slot(read_type, slot)):
        return None
    in_slot = [(str(code), float(p)) for code, p in top3 if type_in_slot(str(code), slot)]
    return in_slot[0] if in_slot else (SLOT_DEFAULT_TYPES[slot], 0.0)


def kind_in_slot(kind: str, slot: str) -> bool:
    """Whether a finer kind (boots, jeans …) belongs to a slot, through its type."""
    return kind in KINDS and type_in_slot(KINDS[kind][0], slot)


def kind_of_type(kind: str, type_code: str) -> bool:
    """Whether a finer kind belongs to a type (a vest to outerwear, boots to shoes): the one home of this rule (the
    garment table's CHECK constraint is built from the same KINDS)."""
    return kind in KINDS and KINDS[kind][0] == type_code


def type_from_dataset_label(label: str) -> str | None:
    """Map a dataset label ('T-Shirt', 'Not sure', ...) to a type code, or None when it names no type."""
    for info in TYPES.values():
        if info.dataset_label == label:
            return info.code
    return None


# ---------------------------------------------------------------- attributes that keep a look coherent
# Codes follow ../shared/datasets/clothing-dataset/attributes.csv and colors.csv; (English, Korean) names.

AUDIENCES: dict[str, tuple[str, str]] = {
    "women": ("Women", "여성"),
    "men": ("Men", "남성"),
    "unisex": ("Unisex", "남녀공용"),
    "kids": ("Kids", "키즈"),
}
WARMTHS: dict[str, tuple[str, str]] = {
    "hot": ("Hot weather", "여름용"),
    "mild": ("Mild weather", "간절기용"),
    "cold": ("Cold weather", "겨울용"),
}
FORMALITIES: dict[str, tuple[str, str]] = {
    "lounge": ("Lounge", "라운지웨어"),
    "sport": ("Sport", "스포츠"),
    "casual": ("Casual", "캐주얼"),
    "smart": ("Smart", "포멀"),
}
PATTERNS: dict[str, tuple[str, str]] = {
    "solid": ("Solid", "무지"),
    "pattern": ("Patterned", "패턴"),
}
# Finer kinds where the type is too coarse; every kind names its type.
# - Shoes (attributes.csv `shoe_kind`; the CNN reads them).
# - Outer layers of type "outwear", the kinds co-parsing labels (coat, jacket, cardigan, vest) and the children's
#   snowsuit. Stylists set them in the admin; the demo catalog's are tagged by eye (classifier/labels/outer_kinds.csv),
#   and the CNN reads coat, jacket, vest and snowsuit from its embedding when sure (classifier.outer_kinds).
KINDS: dict[str, tuple[str, str, str]] = {
    # kind: (type, English, Korean)
    "sneakers": ("shoes", "Sneakers", "스니커즈"),
    "boots": ("shoes", "Boots", "부츠"),
    "heels": ("shoes", "Heels", "힐"),
    "flats": ("shoes", "Flats", "플랫 슈즈"),
    "sandals": ("shoes", "Sandals", "샌들"),
    "slippers": ("shoes", "Slippers", "슬리퍼"),
    "coat": ("outwear", "Coat", "코트"),
    "jacket": ("outwear", "Jacket", "재킷"),
    "cardigan": ("outwear", "Cardigan", "카디건"),
    "vest": ("outwear", "Vest", "베스트"),
    "snowsuit": ("outwear", "Snowsuit", "방한 우주복"),
}
SHOE_KINDS: tuple[str, ...] = tuple(code for code, (type_code, _, _) in KINDS.items() if type_code == "shoes")
OUTER_KINDS: tuple[str, ...] = tuple(code for code, (type_code, _, _) in KINDS.items() if type_code == "outwear")

# What the CC0 set shows no man wearing: its men's and unisex photos hold no blouse, skirt, dress or heels
# (attributes.csv: skirts 142 women's and 13 kids', dresses 271 and 86, blouses 23 women's). The classifier reads a
# garment a man surely wears by its next type or kind instead (classifier.predictor.as_a_mans); the recommender
# takes a piece of these types, or heels, whose audience is unknown for anything but a man's
# (recommender.engine.audience_of_type).
NOT_A_MANS_TYPES: frozenset[str] = frozenset({"blouse", "skirt", "dress"})
NOT_A_MANS_KINDS: frozenset[str] = frozenset({"heels"})

AUDIENCE_CODES: tuple[str, ...] = tuple(AUDIENCES)
WARMTH_CODES: tuple[str, ...] = tuple(WARMTHS)
FORMALITY_CODES: tuple[str, ...] = tuple(FORMALITIES)
PATTERN_CODES: tuple[str, ...] = tuple(PATTERNS)
KIND_CODES: tuple[str, ...] = tuple(KINDS)


def kinds_of_type(type_code: str) -> tuple[str, ...]:
    return tuple(code for code, (kind_type, _, _) in KINDS.items() if kind_type == type_code)
