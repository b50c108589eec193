"""The compatibility tables every suggestion and look respects, whatever the rules say. Pure Python, no database.

Stylists see and change the tables in the admin (`catalog.models.StyleCompatibility`); `DEFAULT_STYLE_TABLES` below
are the defaults a new database starts with (a data migration loads them). `StylePolicy` is their in-memory form.

An attribute that is unknown (empty) on either piece never makes a pair incompatible: a low-confidence reading must
not exclude good items.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations_with_replacement

from catalog.tags import Tag
from vocabulary import AUDIENCE_CODES, FORMALITY_CODES, OUTER_KINDS, SHOE_KINDS, TYPES, WARMTH_CODES

REQUIRED, OPTIONAL, NEVER = "required", "optional", "never"
OUTERWEAR_NEEDS = (REQUIRED, OPTIONAL, NEVER)


def _symmetric_defaults(
    table: str, codes: Iterable[str], allowed: set[frozenset[str]]
) -> list[tuple[str, str, str, bool]]:
    return [(table, a, b, frozenset((a, b)) in allowed) for a, b in combinations_with_replacement(tuple(codes), 2)]


def _pairs(*pairs: tuple[str, str]) -> set[frozenset[str]]:
    return {frozenset(pair) for pair in pairs}


OUTER_TYPES: tuple[str, ...] = tuple(code for code, info in TYPES.items() if info.slot == "outer")
TOP_TYPES: tuple[str, ...] = tuple(code for code, info in TYPES.items() if info.slot == "top")

# (table, first, second, allowed)
DEFAULT_STYLE_TABLES: list[tuple[str, str, str, bool]] = [
    # Kids' pieces only with kids' pieces; women's or men's pieces each with unisex ones.
    *_symmetric_defaults(
        "audience",
        AUDIENCE_CODES,
        _pairs(
            ("women", "women"), ("men", "men"), ("unisex", "unisex"), ("kids", "kids"),
            ("women", "unisex"), ("men", "unisex"),
        ),
    ),
    # No hot-weather piece with a cold-weather one.
    *_symmetric_defaults(
        "warmth",
        WARMTH_CODES,
        _pairs(("hot", "hot"), ("mild", "mild"), ("cold", "cold"), ("hot", "mild"), ("mild", "cold")),
    ),
    # Within one step; lounge only with lounge.
    *_symmetric_defaults(
        "formality",
        FORMALITY_CODES,
        _pairs(
            ("lounge", "lounge"), ("sport", "sport"), ("casual", "casual"), ("smart", "smart"),
            ("sport", "casual"), ("casual", "smart"),
        ),
    ),
    # An outer layer goes over a top or a one-piece, never over other outerwear.
    *[("layering", outer, inner, inner != "outer") for outer in OUTER_TYPES for inner in ("top", "one_piece", "outer")],
    # The same by kind of outer layer, checked on top of its type's row: a padded or sleeveless vest is not a layer
    # for a dress (a jacket, coat or cardigan is), nor is a child's snowsuit, which is worn over trousers.
    *[
        ("layering", kind, inner, inner == "top" or (inner == "one_piece" and kind not in ("vest", "snowsuit")))
        for kind in OUTER_KINDS
        for inner in ("top", "one_piece", "outer")
    ],
    # An outer layer's kind with a kind of shoes: a padded vest is a casual layer, not one for heels.
    *[("kinds", outer, shoes, (outer, shoes) != ("vest", "heels")) for outer in OUTER_KINDS for shoes in SHOE_KINDS],
    # A top's type with a kind of shoes: a hoodie is worn with sneakers or boots, not heels. In the co-parsing photos,
    # people in a hoodie or sweatshirt wear heels, pumps or wedges in 8 of 76 (11 %), against 329 of 1,810 (18 %)
    # overall, and sneakers in 10 of 76 (13 %) against 85 (5 %).
    *[("kinds", top, shoes, (top, shoes) != ("hoodie", "heels")) for top in TOP_TYPES for shoes in SHOE_KINDS],
    # Outerwear in a look, by the warmth of the shopper's piece; "never" also keeps a layer from any piece of that
    # warmth (no jacket with sandals or shorts).
    ("outerwear", "hot", NEVER, True),
    ("outerwear", "mild", OPTIONAL, True),
    ("outerwear", "cold", REQUIRED, True),
]  # fmt: skip

SNOWSUIT = "snowsuit"
# Pieces made for the heat whatever warmth was read of them: a snowsuit never goes with them.
SUMMER_TYPES = frozenset({"shorts"})
SUMMER_KINDS = frozenset({"sandals"})

# Why a pair (or a look) breaks the tables; codes shared by the engine, the evaluation and the API.
KIDS_WITH_ADULT = "kids_with_adult"
AUDIENCE_MISMATCH = "audience"
WARMTH_CLASH = "warmth"
FORMALITY_GAP = "formality"
TWO_PATTERNS = "two_patterns"
SAME_SLOT = "same_slot"
ONE_PIECE_WITH_SEPARATES = "one_piece_with_separates"
LAYERING = "layering"
KIND_CLASH = "kinds"
OUTER_IN_HEAT = "outer_in_heat"


@dataclass(frozen=True)
class StylePolicy:
    audience: frozenset[frozenset[str]]
    warmth: frozenset[frozenset[str]]
    formality: frozenset[frozenset[str]]
    layering: frozenset[tuple[str, str]]  # (outer type or kind, what it goes over)
    outerwear: Mapping[str, str] = field(default_factory=dict)  # warmth -> required / optional / never
    # Outer kinds that have layering rows of their own (allowed or not); a kind without any is judged by its type.
    layering_kinds: frozenset[str] = frozenset()
    # Pairs switched off of an outer layer's kind or a top's type with a kind of shoes; a pair without a cell goes
    # together.
    kind_clashes: frozenset[frozenset[str]] = frozenset()

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, bool]]) -> StylePolicy:
        tables: dict[str, set] = {"audience": set(), "warmth": set(), "formality": set(), "layering": set()}
        outerwear: dict[str, str] = {}
        layering_kinds: set[str] = set()
        kind_clashes: set[frozenset[str]] = set()
        for table, first, second, allowed in rows:
            if table == "kinds":
                if not allowed:
                    kind_clashes.add(frozenset((first, second)))
            elif table == "outerwear":
                if second in OUTERWEAR_NEEDS and allowed:
                    outerwear[first] = second
            elif table == "layering":
                if first in OUTER_KINDS:
                    layering_kinds.add(first)
                if allowed:
                    tables[table].add((first, second))
            elif table in tables and allowed:
                tables[table].add(frozenset((first, second)))
        return cls(
            audience=frozenset(tables["audience"]),
            warmth=frozenset(tables["warmth"]),
            formality=frozenset(tables["formality"]),
            layering=frozenset(tables["layering"]),
            outerwear=outerwear,
            layering_kinds=frozenset(layering_kinds),
            kind_clashes=frozenset(kind_clashes),
        )

    # ------------------------------------------------------------ single attributes

    def allowed_with(self, table: str, code: str) -> set[str]:
        """The codes of `table` a piece with `code` may be worn with (all of them plus unknown when code is unknown)."""
        pairs: frozenset[frozenset[str]] = getattr(self, table)
        codes = {"audience": AUDIENCE_CODES, "warmth": WARMTH_CODES, "formality": FORMALITY_CODES}[table]
        if not code:
            return {"", *codes}
        return {"", *(other for other in codes if frozenset((code, other)) in pairs)}

    def outerwear_need(self, warmth: str) -> str:
        """Whether a look around a piece of this warmth needs outerwear; unknown warmth leaves it optional."""
        return self.outerwear.get(warmth, OPTIONAL)

    def can_layer(self, outer_type: str, inner_slot: str, outer_kind: str = "") -> bool:
        """Whether an outer layer goes over `inner_slot`: its type's row, and its kind's row when the kind has rows."""
        if outer_kind in self.layering_kinds and (outer_kind, inner_slot) not in self.layering:
            return False
        if not outer_type:
            return any(inner == inner_slot for _, inner in self.layering)
        return (outer_type, inner_slot) in self.layering

    # ------------------------------------------------------------ pairs

    def pair_violation(self, a: Tag, b: Tag, *, patterns_paired: bool = False) -> str | None:
        """Why two pieces cannot be worn together, or None. `patterns_paired`: a stylist rule pairs their prints."""
        if a.slot == b.slot:
            return SAME_SLOT
        slots = {a.slot, b.slot}
        if "one_piece" in slots and slots & {"top", "bottom"}:
            return ONE_PIECE_WITH_SEPARATES
        if "outer" in slots and slots & {"top", "one_piece"}:
            outer, inner = (a, b) if a.slot == "outer" else (b, a)
            if not self.can_layer(outer.type, inner.slot, outer.kind):
                return LAYERING
        if a.audience and b.audience and frozenset((a.audience, b.audience)) not in self.audience:
            return KIDS_WITH_ADULT if "kids" in (a.audience, b.audience) else AUDIENCE_MISMATCH
        if a.warmth and b.warmth and frozenset((a.warmth, b.warmth)) not in self.warmth:
            return WARMTH_CLASH
        if "outer" in slots:
            # The outerwear table read per piece, not only for the shopper's: no jacket over sandals or shorts.
            other = b if a.slot == "outer" else a
            if other.warmth and self.outerwear_need(other.warmth) == NEVER:
                return OUTER_IN_HEAT
            # A child's snowsuit is for snow: over cold-weather clothes and with boots, not over a mild day's tee, and
            # never with shorts or sandals, whose warmth is in their kind even when it was not read.
            outer = a if a.slot == "outer" else b
            if outer.kind == SNOWSUIT and (
                (other.warmth and other.warmth != "cold") or other.type in SUMMER_TYPES or other.kind in SUMMER_KINDS
            ):
                return WARMTH_CLASH
        if self.kind_clashes and frozenset((_kind_code(a), _kind_code(b))) in self.kind_clashes:
            return KIND_CLASH
        if a.formality and b.formality and frozenset((a.formality, b.formality)) not in self.formality:
            return FORMALITY_GAP
        if a.patterned and b.patterned and not patterns_paired:
            return TWO_PATTERNS
        return None


def _kind_code(tag: Tag) -> str:
    """What the "kinds" table knows a piece by: a top by its type (hoodie), any other piece by its kind (vest, heels);
    "" when unknown, which never clashes."""
    return tag.type if tag.slot == "top" else tag.kind


DEFAULT_POLICY = StylePolicy.from_rows(DEFAULT_STYLE_TABLES)
