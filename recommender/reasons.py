"""Why two pieces go together: the reason as structured data, and its text in English and Korean.

A `Reason` records what was decided (the stylist rule, or the harmony kind and the two pieces' tags, and an attribute
clause); the sentences are written from that record at display time, so English and Korean always say the same thing
and each says something true of that pair ("the solid black skirt calms the print of the dress", never "a neutral
that lets the colour lead" for black with white). Stylist notes are shown as written; a rule with no Korean note gets
the Korean sentence of its pair instead of English.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from catalog.korean import josa
from catalog.naming import kind_noun
from catalog.tags import Tag
from recommender.harmony import is_denim
from vocabulary import COLORS, SHOE_KINDS, SLOT_NAMES, TYPES


@dataclass(frozen=True)
class Reason:
    kind: str  # "rule" or "harmony"
    a: Tag  # the piece the suggestion goes with (the shopper's, or another piece of the look)
    b: Tag  # the suggested piece
    harmony: str = ""  # harmony kind (recommender.harmony), also set for rules when the colours harmonise
    rule_id: int | None = None
    note: str = ""
    note_ko: str = ""
    extra: str = ""  # attribute clause: "keeps_casual", "dresses_up" or ""
    # The same rule's note was already given for a piece listed above this one (engine.rank): the colour harmony, when
    # there is one, says why this piece goes instead of the stylist's note again.
    note_given_above: bool = False


# ---------------------------------------------------------------- naming the pieces

_ITEM_EN: dict[str, str] = {
    "t-shirt": "tee",
    "longsleeve": "long-sleeve top",
    "shirt": "shirt",
    "polo": "polo",
    "hoodie": "hoodie",
    "blouse": "blouse",
    "top": "top",
    "undershirt": "tank top",
    "blazer": "blazer",
    "outwear": "jacket",
    "pants": "trousers",
    "shorts": "shorts",
    "skirt": "skirt",
    "dress": "dress",
    "body": "bodysuit",
    "shoes": "shoes",
    "hat": "hat",
}
_SLOT_EN: dict[str, str] = {
    "top": "top",
    "bottom": "bottoms",
    "outer": "jacket",
    "one_piece": "one-piece",
    "shoes": "shoes",
    "accessory": "accessory",
}
# Plural nouns take a plural verb ("the black boots calm", "the black coat calms"): every shoe kind is one, no
# outer kind is.
_PLURAL_EN = frozenset({"trousers", "shorts", "shoes", "bottoms", "jeans", "denim shorts", "dress shoes", *SHOE_KINDS})
_DENIM_EN = {"pants": "jeans", "shorts": "denim shorts", "skirt": "denim skirt", "": "denim"}
_DENIM_KO = {"pants": "청바지", "shorts": "데님 반바지", "skirt": "데님 스커트", "": "데님"}


def item_en(tag: Tag) -> str:
    if is_denim(tag):
        return _DENIM_EN.get(tag.type, "denim")
    if tag.kind:
        return kind_noun(tag.kind, tag.audience)[0]
    return _ITEM_EN.get(tag.type) or _SLOT_EN[tag.slot]


def item_ko(tag: Tag) -> str:
    if is_denim(tag):
        return _DENIM_KO.get(tag.type, "데님")
    if tag.kind:
        return kind_noun(tag.kind, tag.audience)[1]
    return TYPES[tag.type].name_ko if tag.type else SLOT_NAMES[tag.slot][1]


def color_en(code: str) -> str:
    return "multicolour" if code == "multicolor" else COLORS[code].name_en.lower()


def color_ko(code: str) -> str:
    return COLORS[code].name_ko


def phrase_en(tag: Tag) -> str:
    """ "navy trousers", "patterned white tee", "printed dress", "jeans"."""
    if is_denim(tag):
        return item_en(tag)
    if tag.patterned:
        return (
            f"printed {item_en(tag)}"
            if tag.color == "multicolor"
            else f"{color_en(tag.color)} patterned {item_en(tag)}"
        )
    return f"{color_en(tag.color)} {item_en(tag)}"


def phrase_ko(tag: Tag) -> str:
    """ "네이비 바지", "화이트 패턴 티셔츠", "패턴 원피스", "청바지"."""
    if is_denim(tag):
        return item_ko(tag)
    if tag.patterned:
        return f"패턴 {item_ko(tag)}" if tag.color == "multicolor" else f"{color_ko(tag.color)} 패턴 {item_ko(tag)}"
    return f"{color_ko(tag.color)} {item_ko(tag)}"


def _plural(tag: Tag) -> bool:
    return item_en(tag) in _PLURAL_EN


def _verb(tag: Tag, singular: str, plural: str) -> str:
    return plural if _plural(tag) else singular


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- sentences


# Light neutrals keep a print airy where dark ones anchor it: white or beige shoes under a print read light and fresh.
_LIGHT_NEUTRALS = frozenset({"white", "beige"})


def _calm_role(printed: Tag, quiet: Tag) -> str:
    """What a quiet piece does for a print beside it, by where each is worn: "frames" (a layer over a printed top or
    dress), "grounds" (shoes), "leads" (a plain top or jacket over printed bottoms, plain bottoms under a printed top,
    or a plain piece under a patterned jacket leave the print the centre of the look) or "calms"."""
    if quiet.slot == "outer" and printed.slot in ("top", "one_piece"):
        return "frames"
    if quiet.slot == "shoes":
        return "grounds"
    if {printed.slot, quiet.slot} == {"top", "bottom"}:
        return "leads"
    if printed.slot == "outer" and quiet.slot in ("top", "bottom", "one_piece"):
        return "leads"  # a plain piece under a patterned jacket
    if quiet.slot == "outer" and printed.slot == "bottom":
        return "leads"  # a plain jacket above printed trousers
    return "calms"


def _quiet_beside_print_en(quiet: Tag, printed: Tag, qualifier: str) -> str:
    """What a quiet piece does for a print beside it (_calm_role), said of the quiet piece ("The solid black boots
    ground the print of the dress."); "" where it only calms it. `qualifier`: "solid ", "plain " or ""."""
    role, light = _calm_role(printed, quiet), quiet.color in _LIGHT_NEUTRALS
    subject, the_print = f"The {qualifier}{phrase_en(quiet)}", f"the print of the {item_en(printed)}"
    if role == "frames":
        return (
            f"{subject} {_verb(quiet, 'softens', 'soften') if light else _verb(quiet, 'frames', 'frame')} {the_print}."
        )
    if role == "grounds" and light:
        return f"{subject} {_verb(quiet, 'keeps', 'keep')} {the_print} light and fresh."
    if role == "grounds":
        return f"{subject} {_verb(quiet, 'grounds', 'ground')} {the_print}."
    if role == "leads":
        return f"{subject} {_verb(quiet, 'lets', 'let')} {the_print} take the lead."
    return ""


def _quiet_beside_print_ko(quiet: Tag, printed: Tag, qualifier: str) -> str:
    """_quiet_beside_print_en in Korean."""
    role, light = _calm_role(printed, quiet), quiet.color in _LIGHT_NEUTRALS
    subject, the_print = f"{qualifier}{josa(phrase_ko(quiet), '이')}", f"{item_ko(printed)}의 패턴"
    if role == "frames":
        return f"{subject} {the_print}을 {'부드럽게' if light else '깔끔하게'} 감싸 줘요."
    if role == "grounds" and light:
        return f"{subject} {the_print}을 가볍고 산뜻하게 받쳐 줘요."
    if role == "grounds":
        return f"{subject} {the_print} 아래를 차분하게 받쳐 줘요."
    if role == "leads":
        return f"{subject} {the_print}을 돋보이게 해 줘요."
    return ""


def harmony_en(kind: str, a: Tag, b: Tag) -> str:
    pa, pb = phrase_en(a), phrase_en(b)
    if kind == "tonal":
        return f"The {pb} and the {pa}: one colour head to toe, calm and sleek."
    if kind == "monochrome":
        return f"The {pb} and the {pa} make a crisp monochrome contrast."
    if kind == "navy_white":
        return f"Navy and white, fresh and crisp: the {pb} with the {pa} never goes wrong."
    if kind == "tone_on_tone":
        return f"The {pb} and the {pa}: warm brown-and-beige tone-on-tone."
    if kind == "neutrals":
        return f"The {pb} and the {pa} are both quiet neutrals, easy to wear together."
    if kind == "neutral_base":
        # A neutral beside a colour: shoes finish the look, a layer frames the colour, a top or bottom is its base.
        if b.slot == "shoes" and b.color in _LIGHT_NEUTRALS:
            return (
                f"The {pb} {_verb(b, 'keeps', 'keep')} the look light and {_verb(b, 'lets', 'let')} the {pa} stand out."
            )
        if b.slot == "shoes":
            return (
                f"The {pb} {_verb(b, 'anchors', 'anchor')} the look and {_verb(b, 'lets', 'let')} the {pa} stand out."
            )
        if b.slot == "outer" and a.slot in ("top", "one_piece"):
            return (
                f"The {pb} {_verb(b, 'frames', 'frame')} the {pa} and {_verb(b, 'lets', 'let')} its colour stand out."
            )
        return f"The {pb} {_verb(b, 'gives', 'give')} a calm base that lets the {pa} stand out."
    if kind == "accent":
        return f"The {pb} {_verb(b, 'adds', 'add')} a touch of {color_en(b.color)} to the {pa}."
    if kind == "denim":
        return f"The {pb} {_verb(b, 'is', 'are')} the easy partner: denim keeps the {pa} relaxed."
    if kind == "on_denim":
        if b.color in ("black", "white", "gray", "beige", "navy", "brown"):
            return f"The {pb} and the {pa}: a clean, easy everyday match."
        return f"The {pb} {_verb(b, 'brings', 'bring')} colour to the {pa}."
    if kind == "complementary":
        return (
            f"{_cap(color_en(a.color))} and {color_en(b.color)} are complementary: "
            f"the {pb} makes a bold, confident contrast with the {pa}."
        )
    if kind == "analogous":
        return (
            f"{_cap(color_en(a.color))} and {color_en(b.color)} sit side by side on the colour wheel: "
            f"the {pb} {_verb(b, 'blends', 'blend')} softly with the {pa}."
        )
    # "Solid" and "plain" only where the pattern was read or tagged so: an unknown pattern is not a plain one.
    # What the quiet piece does for the print depends on where it is worn and how light it is (_quiet_beside_print_en).
    if kind == "print_calm":
        solid = "solid " if b.pattern == "solid" else ""
        return (
            _quiet_beside_print_en(b, a, solid)
            or f"The {solid}{pb} {_verb(b, 'calms', 'calm')} the print of the {item_en(a)}."
        )
    if kind == "print_lead":
        plain = "plain " if a.pattern == "solid" else ""
        return _quiet_beside_print_en(a, b, plain) or f"The print of the {item_en(b)} livens up the {plain}{pa}."
    if kind == "print_echo":
        if a.patterned:
            return f"The {pb} {_verb(b, 'picks', 'pick')} up the {color_en(b.color)} in the print of the {item_en(a)}."
        return f"The print of the {item_en(b)} picks up the {color_en(a.color)} of the {item_en(a)}."
    return f"The {pb} {_verb(b, 'goes', 'go')} well with the {pa}."


def harmony_ko(kind: str, a: Tag, b: Tag) -> str:
    pa, pb = phrase_ko(a), phrase_ko(b)
    if kind == "tonal":
        return f"{josa(pb, '와')} {pa}, {color_ko(b.color)} 원톤으로 맞춰 차분하고 세련돼 보여요."
    if kind == "monochrome":
        return f"{josa(pb, '와')} {josa(pa, '이')} 깔끔한 모노톤 대비를 이뤄요."
    if kind == "navy_white":
        return f"네이비와 화이트는 산뜻하고 실패 없는 조합이에요. {josa(pb, '와')} {pa}도 마찬가지예요."
    if kind == "tone_on_tone":
        return f"{josa(pb, '와')} {josa(pa, '으로')} 따뜻한 톤온톤 코디가 완성돼요."
    if kind == "neutrals":
        return f"{josa(pb, '와')} {pa} 모두 차분한 뉴트럴 컬러라 부담 없이 어울려요."
    if kind == "neutral_base":
        if b.slot == "shoes" and b.color in _LIGHT_NEUTRALS:
            return f"{josa(pb, '이')} 룩을 가볍게 마무리해 {josa(pa, '이')} 돋보여요."
        if b.slot == "shoes":
            return f"{josa(pb, '이')} 룩을 차분하게 잡아 주어 {josa(pa, '이')} 돋보여요."
        if b.slot == "outer" and a.slot in ("top", "one_piece"):
            return f"{josa(pb, '이')} {josa(pa, '을')} 감싸 컬러를 돋보이게 해 줘요."
        return f"{josa(pb, '이')} 차분한 베이스가 되어 {josa(pa, '을')} 돋보이게 해 줘요."
    if kind == "accent":
        return f"{josa(pb, '이')} {pa}에 {color_ko(b.color)} 포인트를 더해 줘요."
    if kind == "denim":
        return f"어디에나 잘 어울리는 {josa(pb, '이')} {josa(pa, '을')} 편안하게 받쳐 줘요."
    if kind == "on_denim":
        if b.color in ("black", "white", "gray", "beige", "navy", "brown"):
            return f"{josa(pb, '와')} {pa}, 깔끔하고 무난한 데일리 조합이에요."
        return f"{josa(pb, '이')} {pa}에 컬러를 더해 생기 있어 보여요."
    if kind == "complementary":
        return (
            f"{josa(color_ko(a.color), '와')} {josa(color_ko(b.color), '은')} 보색이라 "
            f"{josa(pb, '이')} {josa(pa, '와')} 대담하고 생기 있는 대비를 이뤄요."
        )
    if kind == "analogous":
        return (
            f"{josa(color_ko(a.color), '와')} {josa(color_ko(b.color), '은')} 색상환에서 이웃한 색이라 "
            f"{josa(pb, '이')} {josa(pa, '와')} 부드럽게 어우러져요."
        )
    if kind == "print_calm":
        solid = "무지 " if b.pattern == "solid" else ""
        return (
            _quiet_beside_print_ko(b, a, solid) or f"{solid}{josa(pb, '이')} {item_ko(a)}의 패턴을 차분하게 잡아 줘요."
        )
    if kind == "print_lead":
        plain = "무지 " if a.pattern == "solid" else ""
        return _quiet_beside_print_ko(a, b, plain) or f"{item_ko(b)}의 패턴이 {plain}{pa}에 생기를 더해 줘요."
    if kind == "print_echo":
        if a.patterned:
            return f"{josa(pb, '이')} {item_ko(a)} 패턴 속 {josa(color_ko(b.color), '와')} 자연스럽게 이어져요."
        return f"{item_ko(b)}의 패턴 속 {josa(color_ko(a.color), '이')} {josa(item_ko(a), '와')} 자연스럽게 이어져요."
    return f"{josa(pb, '은')} {josa(pa, '와')} 잘 어울려요."


def extra_en(extra: str, a: Tag, b: Tag) -> str:
    if extra == "keeps_casual":
        sneakers, smart = (b, a) if b.kind == "sneakers" else (a, b)
        return f"The {phrase_en(sneakers)} keep the {phrase_en(smart)} casual."
    if extra == "dresses_up":
        heels, casual = (b, a) if b.kind == "heels" else (a, b)
        return f"The {phrase_en(heels)} dress up the {phrase_en(casual)}."
    return ""


def extra_ko(extra: str, a: Tag, b: Tag) -> str:
    if extra == "keeps_casual":
        sneakers, smart = (b, a) if b.kind == "sneakers" else (a, b)
        return f"{josa(phrase_ko(sneakers), '이')} {josa(phrase_ko(smart), '을')} 캐주얼하게 풀어 줘요."
    if extra == "dresses_up":
        heels, casual = (b, a) if b.kind == "heels" else (a, b)
        return f"{josa(phrase_ko(heels), '이')} {josa(phrase_ko(casual), '을')} 한층 드레시하게 만들어 줘요."
    return ""


def attribute_extra(a: Tag, b: Tag) -> str:
    """A clause about formality that is true of the pair: sneakers with a smart piece, heels with a casual one."""
    kinds = {a.kind, b.kind}
    formalities = {a.formality, b.formality}
    if "sneakers" in kinds and "smart" in formalities:
        other = b if a.kind == "sneakers" else a
        if other.formality == "smart":
            return "keeps_casual"
    if "heels" in kinds and "casual" in formalities:
        other = b if a.kind == "heels" else a
        if other.formality == "casual":
            return "dresses_up"
    return ""


def reason_text(reason: Reason, language: str | None = None) -> str:
    """The reason in the active (or given) language."""
    korean = (language or get_language() or "en")[:2] == "ko"
    if reason.kind == "rule" and not (reason.note_given_above and reason.harmony):
        if korean and reason.note_ko:
            return reason.note_ko
        if not korean:
            return reason.note
    main = (harmony_ko if korean else harmony_en)(reason.harmony, reason.a, reason.b)
    extra = (extra_ko if korean else extra_en)(reason.extra, reason.a, reason.b)
    return f"{main} {extra}".strip()
