"""What coordination knows about one garment, as plain data: its tags. Pure Python, no database.

A `Tag` describes the shopper's garment (read by the CNN or corrected by the shopper) or a catalog garment. Empty
strings mean "unknown": an unknown attribute never excludes a pairing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tag:
    slot: str
    color: str
    type: str = ""
    kind: str = ""  # finer kind where the type is coarse (shoes: sneakers, boots …), catalog.vocabulary.KINDS
    pattern: str = ""  # solid / pattern
    audience: str = ""  # women / men / unisex / kids
    warmth: str = ""  # hot / mild / cold
    formality: str = ""  # lounge / sport / casual / smart

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
