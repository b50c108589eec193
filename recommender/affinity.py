"""What people wear together: a taste signal learned from real outfits. Pure Python, no database or dataset at run time.

Learned (by `manage.py learn_outfit_affinity`) from the TRAIN split of Clothing Co-Parsing, street photos of people in
outfits they chose. Two token families, each a garment's slot with one property:
- "type":  (slot, kind or type), e.g. `shoes:heels`, `bottom:skirt`, from every train photo (tags and masks);
- "color": (slot, colour), e.g. `bottom:blue`, from the pixel-annotated train photos (colour read from the mask).

For two slots A and B, only photos that show both slots count (`n`): `n_a` of them show token a (in A), `n_b` token b,
`n_ab` both. The smoothed lift `(n_ab + alpha) / (n_a * n_b / n + alpha)` is ~1 for "no more than chance", and the
additive `alpha` pulls thin evidence towards 1. Its log, divided by log(LIFT_CAP), bounded to [-1, 1], is the family's
score; a token seen fewer than `min_support` times with the other slot gives no score (no evidence). `pair()` is the
mean of the families that have evidence, 0 when none does.

How common a garment is (`popularity`) is also counted for each wearer a stylist tagged (`classifier/labels/
wearers.csv`: a woman's or a man's outfit): the photos are mostly women's looks, where sandals and heels lead the shoes,
while a man's outfits wear sneakers, boots and dress shoes. A man's outfit reads his share, pulled towards the share
over every photo by `WEARER_PRIOR` pseudo-photos (a man's photos are few).

The learned counts live in `recommender/data/outfit_affinity.json` (committed, small); scores are derived on loading.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from catalog.tags import Tag

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "outfit_affinity.json"
FORMAT_VERSION = 1
FAMILIES: tuple[str, ...] = ("type", "color")
WEARERS: tuple[str, ...] = ("women", "men")  # vocabulary.AUDIENCE_CODES a wearer's pieces are matched for
# A wearer's share counts this many extra photos at the share over every photo: chosen on the co-parsing validation
# split (`evaluate_looks --split validation --wearer men`; 10 against 0, 20, 30 and 50).
WEARER_PRIOR = 10.0


@dataclass(frozen=True)
class AffinityParams:
    alpha: float = 3.0  # pseudo-photos added to observed and expected co-occurrence
    min_support: int = 10  # a token must be seen this often with the other slot to count as evidence
    lift_cap: float = 4.0  # a lift of 4 (or 1/4) is the strongest signal: score ±1


# ---------------------------------------------------------------- tokens


def type_token(tag: Tag) -> str | None:
    """`shoes:kind` for shoes, else `slot:type`; None when the type (shoes: the kind) is unknown.

    Shoes without a kind count as unknown: "shoes" says nothing about the kind (in co-parsing it is the label some
    annotators used for every pair, so as a token it would learn who annotated, not what is worn). Outer layers stay
    at their type: the table is learnt without their kinds (coat, vest …), so a garment with a kind keeps the type's
    evidence."""
    value = tag.kind if tag.slot == "shoes" else tag.type
    return f"{tag.slot}:{value}" if value else None


def color_token(tag: Tag) -> str | None:
    return f"{tag.slot}:{tag.color}" if tag.color else None


def joint_token(tag: Tag) -> str | None:
    value = (type_token(tag) or "").partition(":")[2]
    return f"{tag.slot}:{value}:{tag.color}" if value and tag.color else None


TOKENIZERS = {"type": type_token, "color": color_token}


def outfit_wearer(tags: Iterable[Tag]) -> str:
    """Whose outfit pieces make: "men" when one is a men's piece, "women" when one is a women's, else "" (anyone).
    The style tables never pair a men's piece with a women's one, so a look is one wearer's."""
    audiences = {tag.audience for tag in tags}
    return next((wearer for wearer in ("men", "women") if wearer in audiences), "")


def _slot(token: str) -> str:
    return token.split(":", 1)[0]


def _value(token: str) -> str:
    return token.split(":", 1)[1]


def _pair_key(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


# ---------------------------------------------------------------- counting (learning)


@dataclass
class FamilyCounts:
    """Co-occurrence counts of one token family over a set of outfit photos."""

    photos: int = 0  # photos with at least one token
    slots: Counter = field(default_factory=Counter)  # photos showing each slot
    tokens: Counter = field(default_factory=Counter)  # photos showing each token
    # "slotA|slotB" -> photos showing both slots, and per token the photos showing it together with the other slot
    slot_pairs: dict[str, Counter] = field(default_factory=dict)
    slot_pair_tokens: dict[str, Counter] = field(default_factory=dict)
    pairs: Counter = field(default_factory=Counter)  # "tokA|tokB" (sorted) -> photos showing both

    def add(self, tokens: Iterable[str]) -> None:
        present = sorted(set(tokens))
        if not present:
            return
        self.photos += 1
        slots = sorted({_slot(t) for t in present})
        self.slots.update(slots)
        self.tokens.update(present)
        for slot_a, slot_b in combinations(slots, 2):
            key = f"{slot_a}|{slot_b}"
            self.slot_pairs.setdefault(key, Counter())["photos"] += 1
            in_pair = self.slot_pair_tokens.setdefault(key, Counter())
            in_pair.update(t for t in present if _slot(t) in (slot_a, slot_b))
        for a, b in combinations(present, 2):
            if _slot(a) != _slot(b):
                self.pairs[_pair_key(a, b)] += 1

    def to_json(self, *, marginals_only: bool = False) -> dict:
        """Compact JSON: within a slot pair "A|B", tokens and pairs are written by value ("skirt", "skirt|heels")."""
        data = {
            "photos": self.photos,
            "slots": dict(sorted(self.slots.items())),
            "tokens": dict(sorted(self.tokens.items())),
        }
        if marginals_only:
            return data
        pairs_by_slots: dict[str, dict[str, int]] = {}
        for key, n in self.pairs.items():
            a, b = key.split("|")
            pairs_by_slots.setdefault(f"{_slot(a)}|{_slot(b)}", {})[f"{_value(a)}|{_value(b)}"] = n
        data["slot_pairs"] = {
            key: {
                "photos": self.slot_pairs[key]["photos"],
                "tokens": {t: n for t, n in sorted(self.slot_pair_tokens[key].items())},
                "pairs": dict(sorted(pairs_by_slots.get(key, {}).items())),
            }
            for key in sorted(self.slot_pairs)
        }
        return data

    @classmethod
    def from_json(cls, data: dict) -> FamilyCounts:
        counts = cls(photos=data["photos"], slots=Counter(data["slots"]), tokens=Counter(data["tokens"]))
        for key, block in data.get("slot_pairs", {}).items():
            slot_a, slot_b = key.split("|")
            counts.slot_pairs[key] = Counter({"photos": block["photos"]})
            counts.slot_pair_tokens[key] = Counter(block["tokens"])
            for values, n in block["pairs"].items():
                value_a, value_b = values.split("|")
                counts.pairs[_pair_key(f"{slot_a}:{value_a}", f"{slot_b}:{value_b}")] = n
        return counts


def count_outfits(outfits: Iterable[Sequence[Tag]]) -> dict[str, FamilyCounts]:
    """Count every token family (plus the joint type+colour tokens, for popularity) over outfits, one outfit = the
    tags of the garments worn in one photo. A garment with an unknown property adds nothing to that family."""
    families = {name: FamilyCounts() for name in (*FAMILIES, "joint")}
    tokenizers = {**TOKENIZERS, "joint": joint_token}
    for outfit in outfits:
        for name, tokenize in tokenizers.items():
            families[name].add(t for t in (tokenize(tag) for tag in outfit) if t)
    return families


def lift_score(n_ab: int, n_a: int, n_b: int, n: int, params: AffinityParams) -> float | None:
    """The bounded smoothed log-lift of two tokens over `n` photos (both slots shown); None below min support."""
    if n <= 0 or min(n_a, n_b) < params.min_support:
        return None
    lift = (n_ab + params.alpha) / (n_a * n_b / n + params.alpha)
    if lift <= 0:  # never together, without smoothing
        return -1.0
    return max(-1.0, min(1.0, math.log(lift) / math.log(params.lift_cap)))


def family_scores(counts: FamilyCounts, params: AffinityParams) -> dict[str, float]:
    """Every scorable token pair of different slots (observed together or not) -> its score, keyed `a|b` (sorted)."""
    scores: dict[str, float] = {}
    for key, pair_counts in counts.slot_pairs.items():
        slot_a, slot_b = key.split("|")
        n = pair_counts["photos"]
        in_pair = counts.slot_pair_tokens[key]
        tokens_a = [t for t in in_pair if _slot(t) == slot_a]
        tokens_b = [t for t in in_pair if _slot(t) == slot_b]
        for a in tokens_a:
            for b in tokens_b:
                pair = _pair_key(a, b)
                score = lift_score(counts.pairs.get(pair, 0), in_pair[a], in_pair[b], n, params)
                if score is not None:
                    scores[pair] = round(score, 4)
    return scores


# ---------------------------------------------------------------- the signal


@dataclass(frozen=True)
class PairEvidence:
    family: str
    a: str
    b: str
    score: float


class OutfitAffinity:
    """Pairwise "worn together" affinity between garments of different slots, in [-1, 1] (0 = no evidence)."""

    def __init__(
        self,
        families: dict[str, FamilyCounts],
        params: AffinityParams,
        meta: dict | None = None,
        wearers: dict[str, dict[str, FamilyCounts]] | None = None,
    ) -> None:
        self.families = families
        self.params = params
        self.meta = meta or {}
        self.wearers = wearers or {}  # wearer -> family -> counts over that wearer's photos (marginals only)
        self._scores = {name: family_scores(families[name], params) for name in FAMILIES if name in families}

    # -- building and storing
    @classmethod
    def learn(
        cls,
        outfits: Sequence[Sequence[Tag]],
        params: AffinityParams | None = None,
        meta: dict | None = None,
        wearers: Sequence[str] | None = None,
    ) -> OutfitAffinity:
        """Count `outfits`; with `wearers` (one per outfit: a WEARERS code, or "" when not told), also each wearer's."""
        by_wearer: dict[str, dict[str, FamilyCounts]] = {}
        if wearers is not None:
            for wearer in WEARERS:
                by_wearer[wearer] = count_outfits(o for o, w in zip(outfits, wearers, strict=True) if w == wearer)
        return cls(count_outfits(outfits), params or AffinityParams(), meta, by_wearer)

    def to_json(self) -> dict:
        data = {
            "format": FORMAT_VERSION,
            "meta": self.meta,
            "params": {
                "alpha": self.params.alpha,
                "min_support": self.params.min_support,
                "lift_cap": self.params.lift_cap,
            },
            "families": {
                name: counts.to_json(marginals_only=name not in FAMILIES) for name, counts in self.families.items()
            },
        }
        if self.wearers:
            data["wearers"] = {
                wearer: {name: counts.to_json(marginals_only=True) for name, counts in families.items()}
                for wearer, families in self.wearers.items()
            }
        return data

    def save(self, path: str | Path) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # One entry a line (indent 0): small, and a regenerated table diffs readably.
        Path(path).write_text(json.dumps(self.to_json(), sort_keys=True, indent=0, separators=(",", ":")) + "\n")

    @classmethod
    def from_json(cls, data: dict) -> OutfitAffinity:
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"outfit affinity format {data.get('format')!r}, expected {FORMAT_VERSION}")
        families = {name: FamilyCounts.from_json(block) for name, block in data["families"].items()}
        wearers = {
            wearer: {name: FamilyCounts.from_json(block) for name, block in blocks.items()}
            for wearer, blocks in data.get("wearers", {}).items()
        }
        return cls(families, AffinityParams(**data["params"]), data.get("meta"), wearers)

    @classmethod
    def load(cls, path: str | Path | None = None) -> OutfitAffinity:
        """The committed table (recommender/data/outfit_affinity.json) unless another path is given."""
        return cls.from_json(json.loads(Path(path or DEFAULT_PATH).read_text()))

    # -- reading
    def evidence(self, a: Tag, b: Tag) -> list[PairEvidence]:
        """The families that have evidence about the pair a–b, with their scores."""
        if a.slot == b.slot:
            return []
        found = []
        for name, tokenize in TOKENIZERS.items():
            token_a, token_b = tokenize(a), tokenize(b)
            if token_a is None or token_b is None or name not in self._scores:
                continue
            score = self._scores[name].get(_pair_key(token_a, token_b))
            if score is not None:
                found.append(PairEvidence(name, token_a, token_b, score))
        return found

    def pair(self, a: Tag, b: Tag) -> float:
        """How much more (>0) or less (<0) often than chance people wear a with b, in [-1, 1]; 0 = no evidence."""
        found = self.evidence(a, b)
        return round(sum(e.score for e in found) / len(found), 4) if found else 0.0

    def popularity(self, tag: Tag, wearer: str = "") -> float:
        """How common such a garment is among the worn garments of its slot, in [0, 1] (a context-free baseline).

        With type and colour known: their joint share (from the pixel-annotated photos), lightly smoothed towards
        the product of the two marginal shares; with one known, that share; with neither, 0. For a `wearer` (a
        WEARERS code) whose photos were counted, each share is that wearer's, pulled towards the share over every
        photo by WEARER_PRIOR pseudo-photos."""
        own = self.wearers.get(wearer)

        def share(name: str, token: str) -> float | None:
            counts = self.families.get(name)
            if counts is None or not counts.slots.get(tag.slot):
                return None
            overall = counts.tokens.get(token, 0) / counts.slots[tag.slot]
            theirs = own.get(name) if own else None
            if theirs is None:
                return overall
            return (theirs.tokens.get(token, 0) + WEARER_PRIOR * overall) / (
                theirs.slots.get(tag.slot, 0) + WEARER_PRIOR
            )

        shares = []
        for name, tokenize in TOKENIZERS.items():
            token = tokenize(tag)
            found = share(name, token) if token is not None else None
            if found is not None:
                shares.append(found)
        if not shares:
            return 0.0
        joint = share("joint", joint_token(tag) or "") if len(shares) == 2 else None
        if joint is not None:
            prior = shares[0] * shares[1]
            slot_photos = self._slot_photos("joint", tag.slot, own)
            return (joint * slot_photos + prior) / (slot_photos + 1)
        return shares[0] if len(shares) == 1 else shares[0] * shares[1]

    def _slot_photos(self, name: str, slot: str, own: dict[str, FamilyCounts] | None) -> float:
        """The photos showing `slot` that a share of `name` was read from (a wearer's: plus the pseudo-photos)."""
        theirs = own.get(name) if own else None
        if theirs is None:
            return float(self.families[name].slots[slot])
        return theirs.slots.get(slot, 0) + WEARER_PRIOR

    def look(self, tags: Sequence[Tag]) -> float:
        """A whole look's affinity: the mean pair score over its pieces of different slots (0 with fewer than two)."""
        pairs = [(a, b) for a, b in combinations(tags, 2) if a.slot != b.slot]
        return round(sum(self.pair(a, b) for a, b in pairs) / len(pairs), 4) if pairs else 0.0

    def staples(self, min_share: float, wearer: str = "") -> list[tuple[str, str, str, int]]:
        """The pieces real outfits wear most: (slot, type — for shoes the kind —, colour, photos) of every joint token
        shown in at least `min_share` of the photos that show colours, most worn first (black trousers lead: 137 of
        the 503 pixel-annotated co-parsing train photos). With a `wearer`, the pieces that wearer's photos wear most
        (black trousers in 47 of a man's 92). The demo catalog stocks them (`catalog.demo.demo_plan`)."""
        joint = (self.wearers.get(wearer) or {}).get("joint") if wearer else self.families.get("joint")
        if joint is None or not joint.photos:
            return []
        worn = sorted(joint.tokens.items(), key=lambda item: (-item[1], item[0]))
        return [
            (slot, value, colour, n)
            for token, n in worn
            if n / joint.photos >= min_share
            for slot, value, colour in [token.split(":")]
        ]

    def ranked_pairs(self, family: str) -> list[tuple[str, str, float]]:
        """Every scorable pair of a family, strongest affinity first (ties by name): for a stylist to read."""
        rows = []
        for key, score in self._scores.get(family, {}).items():
            a, b = key.split("|", 1)
            rows.append((a, b, score))
        return sorted(rows, key=lambda r: (-r[2], r[0], r[1]))

    def pair_count(self, family: str, a: str, b: str) -> int:
        return self.families[family].pairs.get(_pair_key(a, b), 0)


@functools.cache
@functools.lru_cache(maxsize=1)
def outfit_affinity() -> OutfitAffinity:
    """The committed table, read once per process (what the engine should call per request)."""
    return OutfitAffinity.load()


def worn_garment_tag(garment) -> Tag:
    """A worn garment of the co-parsing reader (classifier.coparsing.WornGarment) as a Tag: unknowns stay empty."""
    return Tag(slot=garment.slot, color=garment.color or "", type=garment.type or "", kind=garment.kind or "")
