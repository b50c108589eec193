"""What coordination knows about one garment, as plain data: its tags. Pure Python, no database.

A `Tag` describes the shopper's garment (read by the CNN or corrected by the shopper) or a catalog garment. Empty
strings mean "unknown": an unknown attribute never excludes a pairing. A `Leaning` keeps what the CNN guessed of the
shopper's garment where it was unsure (pattern, audience, warmth, formality read below their thresholds): the
recommender orders suggestions by it, and never excludes a garment for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from vocabulary import AUDIENCE_CODES, FORMALITY_CODES, PATTERN_CODES, WARMTH_CODES, type_in_slot


@dataclass(frozen=True)
class Tag:
    slot: str
    color: str
    type: str = ""
    kind: str = ""  # finer kind where the type is coarse (shoes: sneakers, boots …), vocabulary.KINDS
    pattern: str = ""  # solid / pattern
    audience: str = ""  # women / men / unisex / kids
    warmth: str = ""  # hot / mild / cold
    formality: str = ""  # lounge / sport / casual / smart
    # The print is a big graphic (a cartoon, a slogan, a logo) that the classifier's graphic probe read on a top, not
    # an all-over pattern: said so in names and reasons ("white graphic tee"), coordinated as any print.
    graphic: bool = False

    def __hash__(self) -> int:
        # Hashed once per object: the recommender memoises judged pairs by their tags, thousands of lookups a request.
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(
                (
                    self.slot,
                    self.color,
                    self.type,
                    self.kind,
                    self.pattern,
                    self.audience,
                    self.warmth,
                    self.formality,
                    self.graphic,
                )
            )
            object.__setattr__(self, "_hash", cached)
        return cached

    def __getstate__(self) -> dict[str, Any]:
        # String hashes differ between processes: a cached hash must not travel in a pickle (the shared cache).
        return {name: value for name, value in self.__dict__.items() if name != "_hash"}

    @property
    def patterned(self) -> bool:
        # A multicolour garment reads as a print even when nobody tagged its pattern.
        return self.pattern == "pattern" or (not self.pattern and self.color == "multicolor")


@dataclass(frozen=True)
class Candidate:
    """A catalog garment the recommender may suggest: its id, its tags and its net shopper feedback in [-1, 1]."""

    id: int
    tag: Tag
    feedback: float = 0.0

    @property
    def slot(self) -> str:
        return self.tag.slot

    @property
    def color(self) -> str:
        return self.tag.color

    @property
    def type(self) -> str:
        return self.tag.type


def photo_wearer(detection: Mapping[str, Any]) -> dict | None:
    """The wearer a photo's detection holds for `worn_audience`: the probe's sure reading (`wearer`), else its unsure
    one (`wearer_guess`, marked as a guess), else None (a garment laid flat, or an artifact without the probe)."""
    if detection.get("wearer"):
        return dict(detection["wearer"])
    if detection.get("wearer_guess"):
        return {**detection["wearer_guess"], "guess": True}
    return None


def worn_audience(reading: Mapping[str, Any], wearer: Mapping[str, Any] | None = None) -> dict:
    """The audience of a garment someone wears in the photo, matched for its wearer.

    With the photo's `wearer` (`photo_wearer`: "women" or "men", read from the whole photo by classifier.wearers),
    the garment takes the wearer's audience and confidence: a man's jeans go with men's and unisex pieces, a woman's
    with women's and unisex ones. The audience head cannot tell this from the crop: on the co-parsing validation
    photos it read 93 of a man's 178 worn garments as women's at argmax (39 surely enough to count) and 16 of a
    woman's 824 as men's (`manage.py evaluate_wearers`).

    When the probe was unsure (`"guess": True`), the audience is its reading marked as a guess: never taken as read
    (`tag_from_reading`), it orders the suggestions (`leaning_from_reading`): a man's pieces before a woman's when he
    is more likely a man. The crop's own reading, which leaned to women's, is not used then.

    Without any wearer reading, the garment's own reading without "kids": the audience head learned kids from flat
    photos of small garments, and a crop of a worn garment looks small. On the co-parsing validation photos (adults)
    it read 61 of 330 worn garments as kids (48 at 0.5 or more), and a woman's tapped red skirt was then matched with
    children's sweatshirts. Kids' probability is spread over the adult audiences in proportion (kids stays listed, at
    0, so that what the top 3 leave goes to the adult audience they do not name)."""
    wearer_label = str((wearer or {}).get("label") or "")
    if wearer_label in ("women", "men"):
        sure = float((wearer or {}).get("confidence") or 0.0)
        other = "men" if wearer_label == "women" else "women"
        adjusted = dict(reading)
        adjusted["audience"] = {
            "label": wearer_label,
            "confidence": sure,
            "top3": [[wearer_label, sure], [other, 1.0 - sure], ["unisex", 0.0]],
            **({"guess": True} if (wearer or {}).get("guess") else {}),
        }
        return adjusted
    audience = reading.get("audience") or {}
    top3 = [(str(code), float(p)) for code, p in audience.get("top3") or []]
    kids = sum(p for code, p in top3 if code == "kids")
    if not kids or kids >= 1.0:
        return dict(reading)
    adults = [[code, p / (1.0 - kids)] for code, p in top3 if code != "kids"]
    adjusted = dict(reading)
    adjusted["audience"] = {"label": adults[0][0], "confidence": adults[0][1], "top3": [*adults, ["kids", 0.0]]}
    return adjusted


def tag_from_reading(reading: Mapping[str, Any], thresholds: Mapping[str, float]) -> Tag:
    """The tags of one CNN reading (`Prediction.to_dict()`, or the same dict as stored).

    Slot, type and colour are taken as read; pattern, audience, warmth, formality and shoe kind only when read at
    least as confidently as `thresholds` says, else unknown (""). A type that does not belong to the read slot is
    unknown; a kind counts for shoes (the shoe kind) and for outerwear (the outer kind, which the reading holds only
    when the artifact's own threshold was reached). A print the graphic probe made (`graphic` read "graphic") is a
    graphic print when the pattern is taken as patterned."""

    def label(head: str) -> str:
        return str((reading.get(head) or {}).get("label", ""))

    def confident(head: str) -> str:
        value = reading.get(head) or {}
        if value.get("guess"):  # a guess however likely (an unsure wearer's audience, `worn_audience`)
            return ""
        return label(head) if float(value.get("confidence", 0.0)) >= thresholds.get(head, 1.0) else ""

    slot, type_code = label("slot"), label("type")
    if not type_in_slot(type_code, slot):
        type_code = ""
    pattern = confident("pattern")
    return Tag(
        slot=slot,
        color=label("color"),
        type=type_code,
        kind=confident("kind") if slot == "shoes" else (label("outer_kind") if type_code == "outwear" else ""),
        pattern=pattern,
        audience=confident("audience"),
        warmth=confident("warmth"),
        formality=confident("formality"),
        graphic=pattern == "pattern" and label("graphic") == "graphic",
    )


# The attributes whose unsure readings order suggestions (a guessed shoe kind stays unknown); their codes.
LEANING_CODES: dict[str, tuple[str, ...]] = {
    "pattern": PATTERN_CODES,
    "audience": AUDIENCE_CODES,
    "warmth": WARMTH_CODES,
    "formality": FORMALITY_CODES,
}
Guess = tuple[tuple[str, float], ...]  # (code, probability) for every code of the attribute, most likely first


@dataclass(frozen=True)
class Leaning:
    """What the CNN guessed of the shopper's garment where it was unsure: for pattern, audience, warmth and formality
    read below their thresholds, the probability of every code (rounded to 0.01, so that equal guesses share a cache
    entry). Empty for an attribute the tag knows (read with confidence, or set by the shopper)."""

    pattern: Guess = ()
    audience: Guess = ()
    warmth: Guess = ()
    formality: Guess = ()

    def __bool__(self) -> bool:
        return bool(self.pattern or self.audience or self.warmth or self.formality)

    def guess(self, attribute: str) -> Guess:
        return getattr(self, attribute)

    def best(self, attribute: str) -> str:
        """The most likely code of an unsure attribute ("" when there is no guess)."""
        guess = self.guess(attribute)
        return guess[0][0] if guess else ""

    def for_unknown_of(self, tag: Tag) -> Leaning:
        """Only the guesses of attributes `tag` leaves unknown: a confident reading or a shopper's correction wins."""
        return replace(self, **{name: () for name in LEANING_CODES if getattr(tag, name)})


def _guess(value: Mapping[str, Any], codes: tuple[str, ...]) -> Guess:
    """Every code's probability from a head's reading (label, confidence, top3); the mass the top 3 leave is shared
    evenly by the codes they do not name."""
    read: dict[str, float] = {}
    for label, probability in value.get("top3") or [[value.get("label", ""), value.get("confidence", 0.0)]]:
        if label in codes:
            read[str(label)] = max(0.0, float(probability))
    if not read:
        return ()
    rest = [code for code in codes if code not in read]
    left = max(0.0, 1.0 - sum(read.values()))
    probabilities = {**read, **{code: left / len(rest) for code in rest}}
    total = sum(probabilities.values()) or 1.0
    ordered = sorted(codes, key=lambda code: (-probabilities[code], codes.index(code)))
    return tuple((code, round(probabilities[code] / total, 2)) for code in ordered)


def leaning_from_reading(reading: Mapping[str, Any], thresholds: Mapping[str, float]) -> Leaning:
    """The guesses of one CNN reading: pattern, audience, warmth and formality read below `thresholds` or marked as
    a guess (the attributes `tag_from_reading` leaves unknown), with every code's probability."""
    guesses = {}
    for head, codes in LEANING_CODES.items():
        value = reading.get(head) or {}
        if value and (value.get("guess") or float(value.get("confidence", 0.0)) < thresholds.get(head, 1.0)):
            guesses[head] = _guess(value, codes)
    return Leaning(**guesses)
