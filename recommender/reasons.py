"""Why two pieces go together: the reason as structured data, and its text in English and Korean.

A `Reason` records what was decided (the stylist rule, or the harmony kind and the two pieces' tags, and an attribute
clause); the sentences are written from that record at display time, so English and Korean always say the same thing
and each says something true of that pair ("the solid black skirt calms the print of the dress", never "a neutral
that lets the colour lead" for black with white). Stylist notes are shown as written; a rule with no Korean note gets
the Korean sentence of its pair instead of English.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    # How many pieces listed above this one have a reason written from the same sentence (sentence_key): this one
    # says it in the next of that sentence's wordings, so a list of twelve does not read as one template twelve times.
    variant: int = 0


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
    """ "navy trousers", "white patterned tee", "printed dress", "jeans"; a big graphic on a top (Tag.graphic) "white
    graphic tee", "graphic tee"."""
    if is_denim(tag):
        return item_en(tag)
    if tag.patterned and tag.graphic:
        colour = "" if tag.color == "multicolor" else f"{color_en(tag.color)} "
        return f"{colour}graphic {item_en(tag)}"
    if tag.patterned:
        return (
            f"printed {item_en(tag)}"
            if tag.color == "multicolor"
            else f"{color_en(tag.color)} patterned {item_en(tag)}"
        )
    return f"{color_en(tag.color)} {item_en(tag)}"


def the_print_en(tag: Tag) -> str:
    """ "the print of the dress"; "the graphic on the tee" for a big graphic on a top (Tag.graphic), as the Korean
    says 그래픽 (print_ko)."""
    return f"the graphic on the {item_en(tag)}" if tag.graphic else f"the print of the {item_en(tag)}"


def print_ko(tag: Tag) -> str:
    """What a printed garment's print is called in Korean: "그래픽" for a big graphic on a top (Tag.graphic; "패턴"
    means an all-over pattern), else "패턴". Both take the same particles (을, 이, 은)."""
    return "그래픽" if tag.graphic else "패턴"


def phrase_ko(tag: Tag) -> str:
    """ "네이비 바지", "화이트 패턴 티셔츠", "패턴 원피스", "청바지", "화이트 그래픽 티셔츠"."""
    if is_denim(tag):
        return item_ko(tag)
    if tag.patterned:
        word = print_ko(tag)
        return f"{word} {item_ko(tag)}" if tag.color == "multicolor" else f"{color_ko(tag.color)} {word} {item_ko(tag)}"
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


def _pick(options: Sequence[str], variant: int) -> str:
    """The `variant`-th wording of a sentence (cycling): the n-th piece of a list that shares a sentence with pieces
    above it says the same thing in other words (Reason.variant)."""
    return options[variant % len(options)]


def sentence_key(reason: Reason) -> tuple[str, str] | None:
    """Which sentence a reason's text is written from (its harmony kind and the branch within it), or None when the
    text is a stylist's note: pieces of a list with the same key get different wordings (engine.notes_once)."""
    if reason.kind == "rule" and not (reason.note_given_above and reason.harmony):
        return None
    a, b = reason.a, reason.b
    kind = reason.harmony
    if kind == "neutral_base":
        if b.slot == "shoes":
            return kind, "shoes_light" if b.color in _LIGHT_NEUTRALS else "shoes"
        return kind, "frames" if b.slot == "outer" and a.slot in ("top", "one_piece") else "base"
    if kind in ("print_calm", "print_lead"):
        quiet, printed = (b, a) if kind == "print_calm" else (a, b)
        role = _calm_role(printed, quiet)
        return kind, f"{role}_light" if role in ("frames", "grounds") and quiet.color in _LIGHT_NEUTRALS else role
    if kind == "print_echo":
        if a.graphic or b.graphic:
            return kind, "graphic"
        return kind, "a_printed" if a.patterned else "b_printed"
    if kind == "on_denim":
        return kind, "neutral" if b.color in ("black", "white", "gray", "beige", "navy", "brown") else "colour"
    return kind, ""


def _quiet_beside_print_en(quiet: Tag, printed: Tag, qualifier: str, variant: int = 0) -> str:
    """What a quiet piece does for a print beside it (_calm_role), said of the quiet piece ("The solid black boots
    ground the print of the dress."); "" where it only calms it. `qualifier`: "solid ", "plain " or ""."""
    role, light = _calm_role(printed, quiet), quiet.color in _LIGHT_NEUTRALS
    subject, the_print = f"The {qualifier}{phrase_en(quiet)}", the_print_en(printed)
    q, p, word = f"{qualifier}{phrase_en(quiet)}", item_en(printed), "graphic" if printed.graphic else "print"
    if role == "frames" and light:
        return _pick(
            (
                f"{subject} {_verb(quiet, 'softens', 'soften')} {the_print}.",
                f"Over the {p}, the {q} {_verb(quiet, 'keeps', 'keep')} the {word} soft and easy to wear.",
                f"The {q} {_verb(quiet, 'is', 'are')} a light layer that lets {the_print} show.",
            ),
            variant,
        )
    if role == "frames":
        return _pick(
            (
                f"{subject} {_verb(quiet, 'frames', 'frame')} {the_print}.",
                f"Over the {p}, the {q} {_verb(quiet, 'keeps', 'keep')} the {word} neat and in focus.",
                f"The {q} {_verb(quiet, 'is', 'are')} a quiet layer that lets {the_print} show.",
            ),
            variant,
        )
    if role == "grounds" and light:
        return _pick(
            (
                f"{subject} {_verb(quiet, 'keeps', 'keep')} {the_print} light and fresh.",
                f"The {q} {_verb(quiet, 'finishes', 'finish')} {the_print} on a light, fresh note.",
                f"With {the_print}, the {q} {_verb(quiet, 'keeps', 'keep')} the look airy.",
                f"The {q}: a light, simple finish for {the_print}.",
            ),
            variant,
        )
    if role == "grounds":
        return _pick(
            (
                f"{subject} {_verb(quiet, 'grounds', 'ground')} {the_print}.",
                f"The {q} {_verb(quiet, 'gives', 'give')} {the_print} a steady finish.",
                f"A quiet finish: the {q} {_verb(quiet, 'lets', 'let')} {the_print} take the attention.",
                f"The {q} {_verb(quiet, 'keeps', 'keep')} {the_print} from looking busy.",
            ),
            variant,
        )
    if role == "leads":
        return _pick(
            (
                f"{subject} {_verb(quiet, 'lets', 'let')} {the_print} take the lead.",
                f"The {q} {_verb(quiet, 'stays', 'stay')} in the background so {the_print} can shine.",
                f"One print is enough: the {q} {_verb(quiet, 'keeps', 'keep')} the rest of the look simple.",
                f"The {q} {_verb(quiet, 'gives', 'give')} {the_print} room to breathe.",
            ),
            variant,
        )
    return ""


def _quiet_beside_print_ko(quiet: Tag, printed: Tag, qualifier: str, variant: int = 0) -> str:
    """_quiet_beside_print_en in Korean."""
    role, light = _calm_role(printed, quiet), quiet.color in _LIGHT_NEUTRALS
    subject, the_print = f"{qualifier}{josa(phrase_ko(quiet), '이')}", f"{item_ko(printed)}의 {print_ko(printed)}"
    # "One print is enough": a graphic is a print (프린트), not a pattern.
    one_print = "프린트는" if printed.graphic else "패턴은"
    q = f"{qualifier}{phrase_ko(quiet)}"
    if role == "frames":
        return _pick(
            (
                f"{subject} {the_print}을 {'부드럽게' if light else '깔끔하게'} 감싸 줘요.",
                f"{item_ko(printed)} 위에 {josa(q, '을')} 걸치면 {print_ko(printed)}이 "
                f"{'부드럽고 편안해 보여요' if light else '단정하게 정리돼요'}.",
                f"{josa(q, '은')} {the_print}이 드러나게 해 주는 {'가벼운' if light else '차분한'} 레이어예요.",
            ),
            variant,
        )
    if role == "grounds" and light:
        return _pick(
            (
                f"{subject} {the_print}을 가볍고 산뜻하게 받쳐 줘요.",
                f"{josa(q, '으로')} 마무리하면 {the_print}이 한층 산뜻해 보여요.",
                f"{the_print}에 {josa(q, '을')} 더하면 룩이 가볍고 경쾌해져요.",
                f"{josa(q, '은')} {the_print}에 어울리는 가볍고 심플한 마무리예요.",
            ),
            variant,
        )
    if role == "grounds":
        return _pick(
            (
                f"{subject} {the_print} 아래를 차분하게 받쳐 줘요.",
                f"{subject} {the_print}을 안정감 있게 마무리해 줘요.",
                f"{josa(q, '으로')} 차분하게 마무리하면 {the_print}에 시선이 모여요.",
                f"{subject} {the_print}이 과해 보이지 않게 잡아 줘요.",
            ),
            variant,
        )
    if role == "leads":
        return _pick(
            (
                f"{subject} {the_print}을 돋보이게 해 줘요.",
                f"{subject} 한발 물러나 있어 {the_print}이 주인공이 돼요.",
                f"{one_print} 하나면 충분해요. {subject} 나머지를 심플하게 정리해 줘요.",
                f"{subject} 심플하게 받쳐 주니 {the_print}이 더 살아나요.",
            ),
            variant,
        )
    return ""


def harmony_en(kind: str, a: Tag, b: Tag, variant: int = 0) -> str:
    """Why `b` goes with `a` by colour, in English; `variant` picks one of the sentence's wordings (_pick)."""
    pa, pb = phrase_en(a), phrase_en(b)
    ca, cb = color_en(a.color), color_en(b.color)
    if kind == "tonal":
        return _pick(
            (
                f"The {pb} and the {pa}: one colour head to toe, calm and sleek.",
                f"All {cb}: the {pb} and the {pa} make an easy, polished tonal look.",
                f"The {pb} {_verb(b, 'matches', 'match')} the {pa} for one long, unbroken line of {cb}.",
            ),
            variant,
        )
    if kind == "monochrome":
        return _pick(
            (
                f"The {pb} and the {pa} make a crisp monochrome contrast.",
                f"{_cap(cb)} with {ca}: the {pb} {_verb(b, 'keeps', 'keep')} the {pa} sharp and striking.",
                f"The {pb} {_verb(b, 'adds', 'add')} clean {cb}-and-{ca} contrast to the {pa}.",
                f"The {pb} with the {pa}: simple, sharp and timeless.",
            ),
            variant,
        )
    if kind == "navy_white":
        return _pick(
            (
                f"Navy and white, fresh and crisp: the {pb} with the {pa} never goes wrong.",
                f"The {pb} and the {pa}: a crisp navy-and-white classic.",
            ),
            variant,
        )
    if kind == "tone_on_tone":
        return _pick(
            (
                f"The {pb} and the {pa}: warm brown-and-beige tone-on-tone.",
                f"Brown and beige, warm and soft: the {pb} {_verb(b, 'suits', 'suit')} the {pa}.",
            ),
            variant,
        )
    if kind == "neutrals":
        return _pick(
            (
                f"The {pb} and the {pa} are both quiet neutrals, easy to wear together.",
                f"{_cap(cb)} and {ca} sit quietly together: the {pb} {_verb(b, 'is', 'are')} an easy match for the "
                f"{pa}.",
                f"The {pb} {_verb(b, 'keeps', 'keep')} the {pa} understated: two neutrals, no effort.",
                f"The {pb} and the {pa}: soft, understated and easy to pair.",
            ),
            variant,
        )
    if kind == "neutral_base":
        # A neutral beside a colour: shoes finish the look, a layer frames the colour, a top or bottom is its base.
        if b.slot == "shoes" and b.color in _LIGHT_NEUTRALS:
            return _pick(
                (
                    f"The {pb} {_verb(b, 'keeps', 'keep')} the look light and {_verb(b, 'lets', 'let')} the {pa} "
                    "stand out.",
                    f"The {pb} {_verb(b, 'finishes', 'finish')} the look softly, so the {pa} "
                    f"{_verb(a, 'stays', 'stay')} the focus.",
                    f"With the {pa}, the {pb} {_verb(b, 'is', 'are')} a fresh, light finish.",
                    f"The {pb} {_verb(b, 'keeps', 'keep')} the {pa} bright and easy.",
                ),
                variant,
            )
        if b.slot == "shoes":
            return _pick(
                (
                    f"The {pb} {_verb(b, 'anchors', 'anchor')} the look and {_verb(b, 'lets', 'let')} the {pa} "
                    "stand out.",
                    f"The {pb} {_verb(b, 'gives', 'give')} the {pa} a grounded finish.",
                    f"With the {pa}, the {pb} {_verb(b, 'is', 'are')} a steady, understated finish.",
                    f"The {pb} {_verb(b, 'keeps', 'keep')} the {pa} grounded and easy to wear.",
                ),
                variant,
            )
        if b.slot == "outer" and a.slot in ("top", "one_piece"):
            return _pick(
                (
                    f"The {pb} {_verb(b, 'frames', 'frame')} the {pa} and {_verb(b, 'lets', 'let')} its colour "
                    "stand out.",
                    f"Over the {pa}, the {pb} {_verb(b, 'keeps', 'keep')} the focus on the {ca}.",
                    f"The {pb} {_verb(b, 'is', 'are')} a quiet layer that lets the {pa} show.",
                ),
                variant,
            )
        return _pick(
            (
                f"The {pb} {_verb(b, 'gives', 'give')} a calm base that lets the {pa} stand out.",
                f"The {pb} {_verb(b, 'keeps', 'keep')} things simple so the {ca} of the {item_en(a)} can shine.",
                f"{_cap(cb)} is an easy base for {ca}: the {pb} {_verb(b, 'lets', 'let')} the {pa} do the talking.",
                f"The {pb} {_verb(b, 'stays', 'stay')} quietly in the background and {_verb(b, 'lets', 'let')} the {pa}"
                " lead.",
            ),
            variant,
        )
    if kind == "accent":
        return _pick(
            (
                f"The {pb} {_verb(b, 'adds', 'add')} a touch of {cb} to the {pa}.",
                f"A pop of {cb}: the {pb} {_verb(b, 'livens', 'liven')} up the {pa}.",
                f"The {pa} {_verb(a, 'is', 'are')} a calm canvas for the {pb}.",
            ),
            variant,
        )
    if kind == "denim":
        return _pick(
            (
                f"The {pb} {_verb(b, 'is', 'are')} the easy partner: denim keeps the {pa} relaxed.",
                f"Denim never fails: the {pb} {_verb(b, 'keeps', 'keep')} the {pa} casual and easy.",
                f"The {pb} {_verb(b, 'gives', 'give')} the {pa} a relaxed, everyday base.",
            ),
            variant,
        )
    if kind == "on_denim":
        if b.color in ("black", "white", "gray", "beige", "navy", "brown"):
            return _pick(
                (
                    f"The {pb} and the {pa}: a clean, easy everyday match.",
                    f"The {pb} with the {pa}: simple, classic and easy to wear.",
                    f"With the {pa}, the {pb} {_verb(b, 'is', 'are')} a timeless everyday choice.",
                ),
                variant,
            )
        return _pick(
            (
                f"The {pb} {_verb(b, 'brings', 'bring')} colour to the {pa}.",
                f"Denim loves colour: the {pb} {_verb(b, 'brightens', 'brighten')} the {pa}.",
                f"The {pb} {_verb(b, 'stands', 'stand')} out against the blue of the {pa}.",
            ),
            variant,
        )
    if kind == "complementary":
        return _pick(
            (
                f"{_cap(ca)} and {cb} are complementary: the {pb} {_verb(b, 'makes', 'make')} a bold, confident "
                f"contrast with the {pa}.",
                f"The {pb} and the {pa} sit opposite on the colour wheel: {ca} and {cb}, a confident contrast.",
            ),
            variant,
        )
    if kind == "analogous":
        return _pick(
            (
                f"{_cap(ca)} and {cb} sit side by side on the colour wheel: "
                f"the {pb} {_verb(b, 'blends', 'blend')} softly with the {pa}.",
                f"The {pb} and the {pa}: neighbouring colours, a soft and easy blend.",
            ),
            variant,
        )
    # "Solid" and "plain" only where the pattern was read or tagged so: an unknown pattern is not a plain one.
    # What the quiet piece does for the print depends on where it is worn and how light it is (_quiet_beside_print_en).
    if kind == "print_calm":
        solid = "solid " if b.pattern == "solid" and not is_denim(b) else ""  # not "solid jeans"
        return _quiet_beside_print_en(b, a, solid, variant) or _pick(
            (
                f"The {solid}{pb} {_verb(b, 'calms', 'calm')} {the_print_en(a)}.",
                f"The {solid}{pb} {_verb(b, 'balances', 'balance')} {the_print_en(a)}.",
                f"One print is enough: the {solid}{pb} {_verb(b, 'keeps', 'keep')} the rest of the look quiet.",
                f"The {solid}{pb} {_verb(b, 'is', 'are')} a quiet partner for {the_print_en(a)}.",
            ),
            variant,
        )
    if kind == "print_lead":
        plain = "plain " if a.pattern == "solid" and not is_denim(a) else ""
        return _quiet_beside_print_en(a, b, plain, variant) or _pick(
            (
                f"{_cap(the_print_en(b))} livens up the {plain}{pa}.",
                f"The {pb} {_verb(b, 'brings', 'bring')} {'a bold graphic' if b.graphic else 'a touch of pattern'} to "
                f"the {plain}{pa}.",
                f"A little print goes a long way: the {pb} {_verb(b, 'lifts', 'lift')} the {plain}{pa}.",
            ),
            variant,
        )
    if kind == "print_echo":
        # A graphic's colour is the ground it sits on, not a colour of the graphic (either piece may be the printed one:
        # their colours are the same).
        if a.graphic or b.graphic:
            the = "its" if b.graphic else "the"  # the suggested piece's own graphic, or the shopper's
            return _pick(
                (
                    f"The {pb} {_verb(b, 'continues', 'continue')} the {cb} of the {item_en(a)}, so {the} graphic "
                    "stands out on its own.",
                    f"In the same {cb} as the {item_en(a)}, the {pb} {_verb(b, 'lets', 'let')} {the} graphic take the "
                    "lead.",
                    f"The {pb} {_verb(b, 'matches', 'match')} the {cb} of the {item_en(a)} and "
                    f"{_verb(b, 'keeps', 'keep')} the look calm around {the} graphic.",
                ),
                variant,
            )
        if a.patterned:
            return _pick(
                (
                    f"The {pb} {_verb(b, 'picks', 'pick')} up the {cb} in the print of the {item_en(a)}.",
                    f"The {cb} of the {item_en(b)} echoes the print of the {item_en(a)}.",
                    f"The {pb} {_verb(b, 'repeats', 'repeat')} a colour of the {item_en(a)}'s print and "
                    f"{_verb(b, 'ties', 'tie')} the look together.",
                ),
                variant,
            )
        return _pick(
            (
                f"The print of the {item_en(b)} picks up the {ca} of the {item_en(a)}.",
                f"The {ca} in the print of the {item_en(b)} echoes the {pa}.",
                f"The print of the {item_en(b)} repeats the {ca} of the {item_en(a)} and ties the look together.",
            ),
            variant,
        )
    return f"The {pb} {_verb(b, 'goes', 'go')} well with the {pa}."


def harmony_ko(kind: str, a: Tag, b: Tag, variant: int = 0) -> str:
    """harmony_en in Korean."""
    pa, pb = phrase_ko(a), phrase_ko(b)
    ca, cb = color_ko(a.color), color_ko(b.color)
    if kind == "tonal":
        return _pick(
            (
                f"{josa(pb, '와')} {pa}, {cb} 원톤으로 맞춰 차분하고 세련돼 보여요.",
                f"{josa(pb, '와')} {pa}, 온통 {josa(cb, '으로')} 맞춘 깔끔한 톤 코디예요.",
                f"{josa(pb, '이')} {josa(pa, '와')} 같은 색이라 길고 매끈한 라인을 만들어 줘요.",
            ),
            variant,
        )
    if kind == "monochrome":
        return _pick(
            (
                f"{josa(pb, '와')} {josa(pa, '이')} 깔끔한 모노톤 대비를 이뤄요.",
                f"{josa(cb, '와')} {ca}의 또렷한 대비로 {josa(pb, '이')} {josa(pa, '을')} 세련되게 살려 줘요.",
                f"{josa(pb, '이')} {josa(pa, '와')} 함께 군더더기 없는 무채색 룩을 만들어요.",
                f"{josa(pb, '와')} {pa}, 심플하고 또렷해서 유행을 타지 않아요.",
            ),
            variant,
        )
    if kind == "navy_white":
        return _pick(
            (
                f"네이비와 화이트는 산뜻하고 실패 없는 조합이에요. {josa(pb, '와')} {pa}도 마찬가지예요.",
                f"{josa(pb, '와')} {pa}, 산뜻한 네이비 앤 화이트 클래식이에요.",
            ),
            variant,
        )
    if kind == "tone_on_tone":
        return _pick(
            (
                f"{josa(pb, '와')} {josa(pa, '으로')} 따뜻한 톤온톤 코디가 완성돼요.",
                f"브라운과 베이지는 따뜻하고 부드러운 조합이라 {josa(pb, '이')} {pa}에 잘 어울려요.",
            ),
            variant,
        )
    if kind == "neutrals":
        return _pick(
            (
                f"{josa(pb, '와')} {pa} 모두 차분한 뉴트럴 컬러라 부담 없이 어울려요.",
                f"{josa(pb, '와')} {pa}, 차분한 컬러끼리라 자연스럽게 어울려요.",
                f"{josa(pb, '이')} {josa(pa, '을')} 은은하고 단정하게 받쳐 줘요.",
                f"{josa(pb, '와')} {pa}, 은은하고 담백해서 함께 입기 쉬워요.",
            ),
            variant,
        )
    if kind == "neutral_base":
        if b.slot == "shoes" and b.color in _LIGHT_NEUTRALS:
            return _pick(
                (
                    f"{josa(pb, '이')} 룩을 가볍게 마무리해 {josa(pa, '이')} 돋보여요.",
                    f"{josa(pb, '으로')} 가볍게 마무리하면 {pa}에 시선이 모여요.",
                    f"{pa}에 {josa(pb, '을')} 더하면 산뜻하고 가벼운 마무리가 돼요.",
                    f"{josa(pb, '이')} {josa(pa, '을')} 밝고 경쾌하게 마무리해요.",
                ),
                variant,
            )
        if b.slot == "shoes":
            return _pick(
                (
                    f"{josa(pb, '이')} 룩을 차분하게 잡아 주어 {josa(pa, '이')} 돋보여요.",
                    f"{josa(pb, '이')} {josa(pa, '을')} 안정감 있게 마무리해 줘요.",
                    f"{pa}에 {josa(pb, '을')} 더하면 차분하고 단정한 마무리가 돼요.",
                    f"{josa(pb, '이')} {josa(pa, '을')} 편안하고 안정감 있게 잡아 줘요.",
                ),
                variant,
            )
        if b.slot == "outer" and a.slot in ("top", "one_piece"):
            return _pick(
                (
                    f"{josa(pb, '이')} {josa(pa, '을')} 감싸 컬러를 돋보이게 해 줘요.",
                    f"{pa} 위에 {josa(pb, '을')} 걸치면 {ca} 컬러가 더 살아나요.",
                    f"{josa(pb, '은')} {josa(pa, '이')} 드러나게 해 주는 차분한 레이어예요.",
                ),
                variant,
            )
        return _pick(
            (
                f"{josa(pb, '이')} 차분한 베이스가 되어 {josa(pa, '을')} 돋보이게 해 줘요.",
                f"{josa(pb, '이')} 룩을 심플하게 정리해 {item_ko(a)}의 {ca} 컬러가 살아나요.",
                f"{josa(cb, '은')} {josa(ca, '을')} 편하게 받쳐 주는 색이라 {josa(pa, '이')} 주인공이 돼요.",
                f"{josa(pb, '이')} 한발 물러서 있어 {pa}에 시선이 가요.",
            ),
            variant,
        )
    if kind == "accent":
        return _pick(
            (
                f"{josa(pb, '이')} {pa}에 {cb} 포인트를 더해 줘요.",
                f"{josa(pb, '이')} {cb} 포인트로 {josa(pa, '을')} 생기 있게 살려 줘요.",
                f"{josa(pa, '은')} {josa(pb, '을')} 돋보이게 하는 차분한 바탕이 돼요.",
            ),
            variant,
        )
    if kind == "denim":
        return _pick(
            (
                f"어디에나 잘 어울리는 {josa(pb, '이')} {josa(pa, '을')} 편안하게 받쳐 줘요.",
                f"실패 없는 데님이에요. {josa(pb, '이')} {josa(pa, '을')} 캐주얼하고 편하게 풀어 줘요.",
                f"{josa(pb, '이')} {pa}에 편안한 데일리 베이스가 돼요.",
            ),
            variant,
        )
    if kind == "on_denim":
        if b.color in ("black", "white", "gray", "beige", "navy", "brown"):
            return _pick(
                (
                    f"{josa(pb, '와')} {pa}, 깔끔하고 무난한 데일리 조합이에요.",
                    f"{josa(pb, '와')} {pa}, 심플하고 클래식해서 입기 편해요.",
                    f"{pa}에는 {josa(pb, '이')} 언제나 좋은 데일리 선택이에요.",
                ),
                variant,
            )
        return _pick(
            (
                f"{josa(pb, '이')} {pa}에 컬러를 더해 생기 있어 보여요.",
                f"데님은 컬러와 잘 어울려요. {josa(pb, '이')} {josa(pa, '을')} 화사하게 밝혀 줘요.",
                f"{josa(pb, '이')} {pa}의 블루 위에서 또렷하게 돋보여요.",
            ),
            variant,
        )
    if kind == "complementary":
        return _pick(
            (
                f"{josa(ca, '와')} {josa(cb, '은')} 보색이라 {josa(pb, '이')} {josa(pa, '와')} 대담하고 생기 있는 "
                "대비를 이뤄요.",
                f"{josa(pb, '와')} {pa}, 색상환의 맞은편 색끼리 만나 자신감 있는 대비를 보여 줘요.",
            ),
            variant,
        )
    if kind == "analogous":
        return _pick(
            (
                f"{josa(ca, '와')} {josa(cb, '은')} 색상환에서 이웃한 색이라 {josa(pb, '이')} {josa(pa, '와')} "
                "부드럽게 어우러져요.",
                f"{josa(pb, '와')} {pa}, 이웃한 색끼리라 부드럽고 편안하게 어우러져요.",
            ),
            variant,
        )
    if kind == "print_calm":
        solid = "무지 " if b.pattern == "solid" and not is_denim(b) else ""
        one_print = "프린트는" if a.graphic else "패턴은"
        return _quiet_beside_print_ko(b, a, solid, variant) or _pick(
            (
                f"{solid}{josa(pb, '이')} {item_ko(a)}의 {print_ko(a)}을 차분하게 잡아 줘요.",
                f"{solid}{josa(pb, '이')} {item_ko(a)}의 {print_ko(a)}과 균형을 맞춰 줘요.",
                f"{one_print} 하나면 충분해요. {solid}{josa(pb, '이')} 나머지를 차분하게 정리해 줘요.",
                f"{solid}{josa(pb, '은')} {item_ko(a)}의 {print_ko(a)}과 잘 어울리는 차분한 짝이에요.",
            ),
            variant,
        )
    if kind == "print_lead":
        plain = "무지 " if a.pattern == "solid" and not is_denim(a) else ""
        return _quiet_beside_print_ko(a, b, plain, variant) or _pick(
            (
                f"{item_ko(b)}의 {print_ko(b)}이 {plain}{pa}에 생기를 더해 줘요.",
                f"{josa(pb, '이')} {plain}{pa}에 {print_ko(b)} 포인트를 더해 줘요.",
                f"작은 {print_ko(b)} 하나로도 충분해요. {josa(pb, '이')} {plain}{josa(pa, '을')} 한층 살려 줘요.",
            ),
            variant,
        )
    if kind == "print_echo":
        if a.graphic or b.graphic:  # the colour read is the ground the graphic sits on (harmony_en)
            return _pick(
                (
                    f"{josa(pb, '이')} {item_ko(a)}의 {josa(cb, '을')} 그대로 이어 주어 그래픽만 돋보여요.",
                    f"{josa(item_ko(a), '와')} 같은 {cb}의 {josa(item_ko(b), '이')} 그래픽을 주인공으로 살려 줘요.",
                    f"{josa(pb, '이')} {item_ko(a)}의 {cb}에 맞춰 그래픽 주변을 차분하게 정리해 줘요.",
                ),
                variant,
            )
        if a.patterned:
            return _pick(
                (
                    f"{josa(pb, '이')} {item_ko(a)} 패턴 속 {josa(cb, '와')} 자연스럽게 이어져요.",
                    f"{item_ko(b)}의 {josa(cb, '이')} {item_ko(a)}의 패턴과 호응해요.",
                    f"{josa(pb, '이')} {item_ko(a)} 패턴의 컬러를 받아 룩을 하나로 묶어 줘요.",
                ),
                variant,
            )
        return _pick(
            (
                f"{item_ko(b)}의 {print_ko(b)} 속 {josa(ca, '이')} {josa(item_ko(a), '와')} 자연스럽게 이어져요.",
                f"{item_ko(b)} {print_ko(b)} 속 {josa(ca, '이')} {josa(pa, '와')} 호응해요.",
                f"{item_ko(b)}의 {print_ko(b)}이 {item_ko(a)}의 {josa(ca, '을')} 받아 룩을 하나로 묶어 줘요.",
            ),
            variant,
        )
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
    """A clause about formality that is true of the pair: sneakers with a smart piece, heels with a casual one. Not of a
    hat or a bag: "the black heels dress up the beige hat" says nothing a stylist would."""
    if "accessory" in (a.slot, b.slot):
        return ""
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
    main = (harmony_ko if korean else harmony_en)(reason.harmony, reason.a, reason.b, reason.variant)
    extra = (extra_ko if korean else extra_en)(reason.extra, reason.a, reason.b)
    return f"{main} {extra}".strip()
