"""What coordination knows about one garment, as plain data: its tags. Pure Python, no database.

A `Tag` describes the shopper's garment (read by the CNN or corrected by the shopper) or a catalog garment. Empty
strings mean "unknown": an unknown attribute never excludes a pairing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vocabulary import type_in_slot


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

    def __hash__(self) -> int:
        # Hashed once per object: the recommender memoises judged pairs by their tags, thousands of lookups a request.
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(
                (self.slot, self.color, self.type, self.kind, self.pattern, self.audience, self.warmth, self.formality)
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


def tag_from_reading(reading: Mapping[str, Any], thresholds: Mapping[str, float]) -> Tag:
    """The tags of one CNN reading (`Prediction.to_dict()`, or the same dict as stored).

    Slot, type and colour are taken as read; pattern, audience, warmth, formality and shoe kind only when read at
    least as confidently as `thresholds` says, else unknown (""). A type that does not belong to the read slot is
    unknown; a kind only counts for shoes."""

    def label(head: str) -> str:
        return str((reading.get(head) or {}).get("label", ""))

    def confident(head: str) -> str:
        value = reading.get(head) or {}
        return label(head) if float(value.get("confidence", 0.0)) >= thresholds.get(head, 1.0) else ""

    slot, type_code = label("slot"), label("type")
    if not type_in_slot(type_code, slot):
        type_code = ""
    return Tag(
        slot=slot,
        color=label("color"),
        type=type_code,
        kind=confident("kind") if slot == "shoes" else "",
        pattern=confident("pattern"),
        audience=confident("audience"),
        warmth=confident("warmth"),
        formality=confident("formality"),
    )
