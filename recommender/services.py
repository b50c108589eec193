"""The recommendation service: one entry point for the API and the shopper pages."""

from __future__ import annotations

import csv
import hashlib
import re
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from catalog.models import Garment, PairingRule
from catalog.selectors import active_rule_specs, style_policy
from catalog.services import catalog_version, embedding_to_bytes, image_to_stored_jpeg, rows_delete_with_images
from catalog.similarity import SimilarGarment, garments_similar_to_embedding
from catalog.style import NEVER, StylePolicy
from catalog.tags import Candidate, Leaning, Tag, leaning_from_reading, photo_wearer, tag_from_reading, worn_audience
from catalog.uploads import upload_open_image
from classifier.imaging import open_image
from classifier.predictor import Prediction, detected_garment_box, get_predictor
from fashion.observability import inference_record
from recommender.affinity import outfit_affinity
from recommender.engine import (
    Judge,
    RuleBook,
    ScoredCandidate,
    audience_of_type,
    item_slots,
    leading_guess,
    rank,
    score_candidates,
    tie_break,
)
from recommender.harmony import harmonious_colors
from recommender.models import CorrectionStatus, Feedback, ShopperUpload, TagCorrection
from recommender.outfits import OutfitSpec, assemble_outfits, look_plans
from recommender.reasons import Reason
from vocabulary import TYPES, kind_of_type, type_in_slot, type_named_in_slot

DEFAULT_LIMIT = 12
DEFAULT_OUTFITS = 3
FEEDBACK_PRIOR_VOTES = 5
POOL_PER_CELL = 10
RECOMMENDATION_CACHE_SECONDS = 600


@dataclass(frozen=True)
class RecommendedItem:
    garment: Garment
    reason: Reason
    score: float


@dataclass(frozen=True)
class OutfitLink:
    a: Garment | None  # None: the shopper's own garment
    b: Garment
    reason: Reason


@dataclass(frozen=True)
class Outfit:
    pieces: list[Garment]
    links: list[OutfitLink]
    score: float = 0.0


@dataclass(frozen=True)
class Recommendation:
    tag: Tag
    items: list[RecommendedItem]
    outfits: list[Outfit] = field(default_factory=list)


@dataclass(frozen=True)
class UploadRecommendation:
    upload: ShopperUpload
    prediction: Prediction
    recommendation: Recommendation


def _window_start(tag: Tag) -> float:
    """Where this input's window starts in each (slot, colour) cell's shuffled order, in [0, 1)."""
    return int(tie_break(tag, 0)[:12], 16) / float(16**12)


def _attribute_filters(tag: Tag, policy: StylePolicy) -> dict[str, set[str]]:
    """SQL filters from the style tables: only garments that may be worn with `tag` (unknown values always pass)."""
    filters = {}
    for table in ("audience", "warmth", "formality"):
        value = getattr(tag, table)
        if value:
            filters[f"{table}__in"] = policy.allowed_with(table, value)
    if tag.slot == "outer":
        # Nothing of a warmth that never takes a layer (StylePolicy.pair_violation says so for every pair).
        warmths = filters.get("warmth__in", policy.allowed_with("warmth", ""))
        filters["warmth__in"] = {w for w in warmths if not w or policy.outerwear_need(w) != NEVER}
    return filters


_CANDIDATE_FIELDS = (
    "id",
    "slot",
    "type",
    "kind",
    "color",
    "pattern",
    "audience",
    "warmth",
    "formality",
    "graphic",
    "likes",
    "dislikes",
)


def candidate_cells(*, tag: Tag, judge: Judge) -> dict[str, set[str]]:
    """slot -> colours worth reading for `tag`: every colour a rule or colour harmony could justify."""
    slots = set(item_slots(tag, judge.policy))
    slots |= {slot for plan in look_plans(tag, judge) for slot in (*plan.required, *plan.optional)}
    cells: dict[str, set[str]] = {slot: harmonious_colors(tag, slot) for slot in slots}
    for rule in judge.rules.rules:
        if rule.input.slot == tag.slot and rule.input.color == tag.color and rule.output.slot in cells:
            cells[rule.output.slot].add(rule.output.color)
        if rule.output.slot == tag.slot and rule.output.color == tag.color and rule.input.slot in cells:
            cells[rule.input.slot].add(rule.input.color)
    return cells


CANDIDATE_INDEX = "garment_candidate_cover"  # catalog.models.Garment.Meta.indexes


_CODE = re.compile(r"[a-z0-9_-]*")


def _sql_literal(value: str | bool | int | float) -> str:
    """A value of the candidate query as an SQL literal: vocabulary codes (slots, colours, attribute values: lowercase
    letters, digits, '_' and '-' only; anything else is refused), flags and numbers. Written into the statement
    instead of passed as parameters: the driver would otherwise quote over a thousand parameters per request."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)  # the shortest text that reads back as the same double
        return text if "e" in text else f"{text}e0"
    if isinstance(value, str) and _CODE.fullmatch(value):
        return f"'{value}'"
    raise ValueError(f"not a vocabulary code: {value!r}")


def _cell_sql(filters: Mapping[str, Collection[str]]) -> str:
    """One (slot, colour) cell read in shuffle order from a start position, as plain SQL (built once per request, not
    by the ORM per cell). It reads the covering index (slot, color, is_active, shuffle_key, then every column it
    filters on or returns) alone: the style filter is applied inside the index and no full row is read. The cell,
    the start and the window size are left as `{slot}`, `{color}`, `{op}`, `{start}` and `{size}`."""
    quote = connection.ops.quote_name
    where = [f"{quote('slot')} = {{slot}}", f"{quote('color')} = {{color}}", f"{quote('is_active')} = 1"]
    for lookup, values in filters.items():
        where.append(f"{quote(lookup.removesuffix('__in'))} IN ({', '.join(_sql_literal(v) for v in values)})")
    columns = ", ".join(quote(name) for name in _CANDIDATE_FIELDS)
    # Name the index: on a large catalog MariaDB otherwise may pick (is_active, slot, color) and sort a whole cell.
    hint = {"mysql": f" FORCE INDEX ({CANDIDATE_INDEX})", "sqlite": f" INDEXED BY {CANDIDATE_INDEX}"}
    return (
        f"SELECT {columns} FROM {quote(Garment._meta.db_table)}{hint.get(connection.vendor, '')} "
        f"WHERE {' AND '.join(where)} "
        f"AND {quote('shuffle_key')} {{op}} {{start}} ORDER BY {quote('shuffle_key')} LIMIT {{size}}"
    )


def _window_branch(select: str, number: int) -> str:
    """One window as a branch of the UNION ALL. MySQL/MariaDB take a parenthesised SELECT with its own ORDER BY and
    LIMIT (no derived table to materialise per window); SQLite only accepts that inside a subquery."""
    if connection.vendor == "mysql":
        return f"({select})"
    return f"SELECT * FROM ({select}) AS cell{number}"


def garment_candidates(*, tag: Tag, judge: Judge, per_cell: int = POOL_PER_CELL) -> list[Candidate]:
    """A capped pool of active garments that may go with `tag`: at most 2 × `per_cell` from each (slot, colour) cell,
    read through the covering (slot, colour, active, shuffle_key, …) index from this input's own window of the cell,
    already filtered by the style tables. One SQL statement; its cost does not grow with the catalog."""
    start, size = _sql_literal(_window_start(tag)), _sql_literal(int(per_cell))
    filters = {key: sorted(values) for key, values in _attribute_filters(tag, judge.policy).items()}
    template = _cell_sql(filters)
    statements: list[str] = []
    for slot, colors in sorted(candidate_cells(tag=tag, judge=judge).items()):
        if slot == tag.slot:
            continue
        for color in sorted(colors):
            cell = {"slot": _sql_literal(slot), "color": _sql_literal(color), "start": start, "size": size}
            for op in (">=", "<"):
                statements.append(_window_branch(template.format(op=op, **cell), len(statements)))
    if not statements:
        return []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(statements))
        rows = cursor.fetchall()
    seen: set[int] = set()
    candidates = []
    for id_, slot, type_, kind, color, pattern, audience, warmth, formality, graphic, likes, dislikes in rows:
        if id_ in seen:
            continue
        seen.add(id_)
        values: TagValues = (slot, color, type_, kind, pattern, audience, warmth, formality)
        garment_tag = _interned_tag(values, graphic=bool(graphic))
        candidates.append(Candidate(id_, garment_tag, (likes - dislikes) / (likes + dislikes + FEEDBACK_PRIOR_VOTES)))
    return candidates


TAG_INTERN_LIMIT = 100_000  # distinct taggings kept per process (bounded by the vocabularies in practice)
_tags: dict[tuple[str, ...], Tag] = {}
TagValues = tuple[str, str, str, str, str, str, str, str]  # Tag's string fields, in order


def _interned_tag(values: TagValues, *, graphic: bool = False) -> Tag:
    """One Tag object per distinct tagging in this process, whichever request reads it: the judge's memo then finds
    a pair by identity instead of comparing eight fields per lookup (thousands of lookups a request). `values`: the
    eight string fields in order; `graphic` as Tag.graphic (only a shopper's piece has it)."""
    key: tuple[str, ...] = (*values, "graphic") if graphic else values
    tag = _tags.get(key)
    if tag is None:
        if len(_tags) >= TAG_INTERN_LIMIT:
            _tags.clear()
        tag = _tags[key] = Tag(*values, graphic=graphic)
    return tag


_judges: dict[str, Judge] = {}


def recommendation_judge() -> Judge:
    """The active rules, the style tables and the real-outfit affinity, as the engine needs them; built once per
    catalog version in each process (the judge also remembers the pairs it has judged)."""
    version = catalog_version()
    judge = _judges.get(version)
    if judge is None:
        table = outfit_affinity()
        judge = Judge(
            rules=RuleBook(active_rule_specs()), policy=style_policy(), affinity=table.pair, popularity=table.popularity
        )
        _judges.clear()
        _judges[version] = judge
    return judge


def _rank_for_tag(
    tag: Tag, limit: int, outfits: int, leaning: Leaning
) -> tuple[list[ScoredCandidate], list[OutfitSpec]]:
    leaning = audience_of_type(tag, leaning.for_unknown_of(tag))
    guesses = f":{hashlib.sha1(repr(leaning).encode()).hexdigest()}" if leaning else ""
    # A graphic print is coordinated as any print but named so in the reasons, which the cached result holds.
    graphic = ":graphic" if tag.graphic else ""
    key = f"recommendation:{catalog_version()}:{tie_break(tag, limit * 10 + outfits)}{guesses}{graphic}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    judge = recommendation_judge()
    values: TagValues = (tag.slot, tag.color, tag.type, tag.kind, tag.pattern, tag.audience, tag.warmth, tag.formality)
    tag = _interned_tag(values, graphic=tag.graphic)
    # Browsing pages ask for long lists: read deeper into each cell then, still bounded by the page size.
    candidates = garment_candidates(tag=tag, judge=judge, per_cell=max(POOL_PER_CELL, (limit + 1) // 2))
    scored = score_candidates(tag, candidates, judge, leaning)  # shared by the list and the looks
    result = (
        rank(tag, candidates, judge, limit=limit, scored=scored),
        assemble_outfits(tag, candidates, judge, count=outfits, scored=scored),
    )
    cache.set(key, result, RECOMMENDATION_CACHE_SECONDS)
    return result


def recommend_for_tag(
    *, tag: Tag, limit: int = DEFAULT_LIMIT, outfits: int = 0, leaning: Leaning | None = None
) -> Recommendation:
    """Garments that go with a garment tagged `tag`, each with its reason; with `outfits` > 0, also up to that many
    complete looks around it. `leaning`: what the CNN guessed of the attributes `tag` leaves unknown (it orders the
    suggestions, never excludes one). Cached per input tag and guess until the catalog, a rule or a style table
    changes."""
    ranked, looks = _rank_for_tag(tag, limit, outfits, leaning or Leaning())
    ids = {s.candidate.id for s in ranked} | {p.id for look in looks for p in look.pieces}
    garments = Garment.objects.defer("embedding").in_bulk(list(ids))  # pages show no embedding: 1 KB a row saved
    return Recommendation(
        tag=tag,
        items=[
            RecommendedItem(garments[s.candidate.id], s.reason, s.score) for s in ranked if s.candidate.id in garments
        ],
        outfits=[
            Outfit(
                pieces=[garments[p.id] for p in look.pieces],
                links=[OutfitLink(garments.get(link.a_id), garments[link.b_id], link.reason) for link in look.links],
                score=look.score,
            )
            for look in looks
            if all(p.id in garments for p in look.pieces)
        ],
    )


def reading_tag(reading: Mapping[str, Any]) -> Tag:
    """The tags coordination uses for one reading: attributes only when read with confidence
    (settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS); a low-confidence attribute is unknown, and an unknown attribute never
    excludes a garment."""
    return tag_from_reading(reading, settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS)


def reading_leaning(reading: Mapping[str, Any]) -> Leaning:
    """What one reading guessed where it was unsure: pattern, audience, warmth and formality read below
    settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS, with every code's probability. They order suggestions (pieces the best
    guess rules out come last), never exclude one, and are never shown to the shopper as read (the result page shows
    an unsure pattern marked as a guess, `views._attribute_names`)."""
    return leaning_from_reading(reading, settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS)


class InvalidChoice(ValueError):  # noqa: N818 - a state, reported to the shopper
    """A garment index or crop box that does not fit the photo."""


Box = tuple[float, float, float, float]
MIN_BOX_SIDE = 0.05  # a crop narrower or lower than 5 % of the photo has too few pixels to read


def box_checked(box: Sequence[float]) -> Box:
    """A crop box (x0, y0, x1, y1, fractions of the upright photo), or InvalidChoice with the reason."""
    if len(box) != 4:
        raise InvalidChoice("A crop box has four numbers: left, top, right and bottom, as fractions of the photo.")
    x0, y0, x1, y1 = (float(v) for v in box)
    if not all(0.0 <= v <= 1.0 for v in (x0, y0, x1, y1)):
        raise InvalidChoice("Crop box values are fractions of the photo, from 0 to 1.")
    if x1 - x0 < MIN_BOX_SIDE or y1 - y0 < MIN_BOX_SIDE:
        raise InvalidChoice("The crop box is too small (or its right/bottom edge is before its left/top edge).")
    return (x0, y0, x1, y1)


def detected_garments(detection: Mapping[str, Any]) -> list[dict]:
    """The garments the CNN found in a whole-outfit photo (an empty list for a photo of one garment), each held to the
    slot the detector found it in (`reading_in_slot`): a shoe region never reports the type "skirt"."""
    garments = []
    for garment in detection.get("garments") or []:
        if not (isinstance(garment, dict) and garment.get("box")):
            continue
        own = garment.get("reading") or {}
        reading = reading_in_slot(own, garment["slot"], float(garment.get("score") or 0.0))
        read_type = reading.get("type") or {}
        confidences = dict(garment.get("confidences") or {})
        if read_type:
            confidences["type"] = read_type.get("confidence")
        garments.append(
            {
                **garment,
                "reading": reading,
                "type": read_type.get("label", garment.get("type", "")),
                "confidences": confidences,
                "crop_slot": _crop_slot_probability(own, garment["slot"]),
            }
        )
    return garments


def _crop_slot_probability(reading: Mapping[str, Any], slot: str) -> float | None:
    """How surely a detected garment's own crop reads the slot the detector found it in (0 when its top 3 slots leave
    it out); None for a stored detection without the crop's slot reading."""
    read_slot = reading.get("slot") or {}
    if not read_slot:
        return None
    top3 = {str(code): float(p) for code, p in read_slot.get("top3") or []}
    top3.setdefault(str(read_slot.get("label", "")), float(read_slot.get("confidence") or 0.0))
    return top3.get(slot, 0.0)


# A listed garment whose own crop reads its slot under this is shown as one we are not sure is there. On the
# co-parsing validation photos, such a garment was there (a garment of its slot, IoU >= 0.3) 16 times of 36, against
# 261 of 341 for the rest; on their shop-like framings (a bottom, a bare top, a dress), 17 of 136 against 203 of 381
# (train: 31 of 132 and 81 of 747). Hiding them would lose those found; naming them as doubtful keeps them one tap
# away.
UNSURE_GARMENT_SLOT_READ = 0.2


def garment_unsure(garment: Mapping[str, Any]) -> bool:
    """Whether a detected garment (of detected_garments) is likely not there: as the artifact's chip gate says
    (classifier.chip_gate: `unsure`, with `confidences.present`), else when its own crop barely reads it in its slot,
    likely a stray patch of the garment map (a "top" over the hips of a waist-down photo, shoes on the knees). False
    when neither is known (a detection stored before either was kept)."""
    if "unsure" in garment:
        return bool(garment["unsure"])
    value = garment.get("crop_slot")
    return value is not None and float(value) < UNSURE_GARMENT_SLOT_READ


# A garment whose own crop reads its slot at least this surely is matched first (see default_garment).
DEFAULT_GARMENT_SLOT_READ = 0.5
# A coat read surely is matched first when its box is at least this many times the largest top, bottom or one-piece
# read surely, or when the whole photo reads as outerwear at least this surely (both chosen on the co-parsing train
# photos and their framings; see default_garment).
DEFAULT_OUTER_AREA_RATIO = 1.5
DEFAULT_OUTER_PHOTO_READ = 0.7


def default_garment(garments: Sequence[Mapping[str, Any]], photo_slot: Mapping[str, Any] | None = None) -> int | None:
    """Which garment of a whole-outfit photo to match before the shopper picks: the largest outerwear whose own crop
    reads its slot at least DEFAULT_GARMENT_SLOT_READ (`crop_slot` of detected_garments) when no top, bottom or
    one-piece reads its slot that surely, when the coat's box is DEFAULT_OUTER_AREA_RATIO times theirs, or when the
    whole photo reads as outerwear at DEFAULT_OUTER_PHOTO_READ (`photo_slot`, the photo's own slot reading: a shop's
    coat photo reads as a coat as a whole); else the largest top, bottom or one-piece read surely (a garment stored
    without `crop_slot` counts as read, except a coat); when none is, the top, bottom or one-piece whose crop reads
    its slot most surely (the larger on a tie); else the outerwear, else the shoes. None for a photo of one garment.

    The largest piece alone was often the map's "dress" spanning a top and trousers, whose crop read trousers (the
    page then opened on "Dress 4%"); and on a shop's waist-down photo of trousers on a plain backdrop the map often
    finds a large "top" over the hips that its crop reads as a top at 5-15%, larger than the trousers. On the
    co-parsing validation photos read as outfits (264), the garment matched first was of a slot the photo's tags list
    for 187 with the largest alone, 198 with the largest read surely else the largest, and 196 this way (its type read
    under 30% for 85, 39 and 37); on their shop-like waist-down framings read as outfits, the trousers or skirt they
    feature was matched first for 87, 103 and 110 of 124 (`manage.py evaluate_default_garment`). A shop's photo of a
    coat on a model, though, opened on what the map guessed under it (a top read at 4%): of the train photos' coat
    framings read as outfits, 5 of 495 opened on the coat, 289 with the coat rule (chosen there; validation 0 and 48
    of 99); the street photos' matched slot was one their tags list 1,029 → 1,064 times of 1,265 (validation 196 →
    208 of 264), its type read under 30% 116 → 62 (37 → 16); the framings of a top without a coat lost 192 → 176 of
    200 (41 → 39 of 42: a top read surely as a jacket), those of a bottom or a dress none. The whole photo's reading
    as outerwear (at 0.7) then opened 51 more train coat framings on the coat (validation 15), 7 fewer of a top (0)
    and 1 fewer of a dress (0), and 9 more street photos on a tagged slot (2); the mean over the kinds of photo rose
    0.715 → 0.729 (0.689 → 0.720)."""
    if len(garments) < 2:
        return None

    def area(index: int) -> float:
        x0, y0, x1, y1 = garments[index]["box"]
        return (x1 - x0) * (y1 - y0)

    def crop_slot(index: int) -> float:
        value = garments[index].get("crop_slot")
        return 1.0 if value is None else float(value)

    main = [i for i, g in enumerate(garments) if g.get("slot") in ("top", "bottom", "one_piece")]
    read = [i for i in main if crop_slot(i) >= DEFAULT_GARMENT_SLOT_READ]
    # A coat counts as read only with its crop's reading (stored detections without it keep the older rule).
    coats = [
        i
        for i, g in enumerate(garments)
        if g.get("slot") == "outer" and g.get("crop_slot") is not None and crop_slot(i) >= DEFAULT_GARMENT_SLOT_READ
    ]
    if coats:
        coat = max(coats, key=lambda i: (area(i), -i))
        photo = photo_slot or {}
        photo_reads_a_coat = photo.get("label") == "outer" and float(photo.get("confidence") or 0.0) >= (
            DEFAULT_OUTER_PHOTO_READ
        )
        if photo_reads_a_coat or not read or area(coat) >= DEFAULT_OUTER_AREA_RATIO * max(area(i) for i in read):
            return coat
    if read:
        return max(read, key=lambda i: (area(i), -i))
    if main:
        return max(main, key=lambda i: (crop_slot(i), area(i), -i))
    for slots in (("outer",), ("shoes", "accessory")):
        found = [i for i, g in enumerate(garments) if g.get("slot") in slots]
        if found:
            return max(found, key=lambda i: (area(i), -i))
    return 0


def reading_in_slot(reading: Mapping[str, Any], slot: str, slot_confidence: float) -> dict:
    """A detected garment's crop reading, held to the slot the detector found it in: a coat's crop shows the whole
    body and may read as a dress, but it is outerwear. The type becomes the crop's best type of that slot (or the
    slot's generic type, with confidence 0, so the shopper is asked to confirm it): vocabulary.type_named_in_slot."""
    adjusted = dict(reading)
    top3 = (reading.get("type") or {}).get("top3") or []
    named = type_named_in_slot(
        slot,
        str((reading.get("slot") or {}).get("label") or ""),
        str((reading.get("type") or {}).get("label") or ""),
        [(label, conf) for label, conf in top3],
    )
    if named is None:
        return adjusted
    type_label, type_confidence = named
    adjusted["type"] = {"label": type_label, "confidence": float(type_confidence), "top3": list(top3)}
    adjusted["slot"] = {"label": slot, "confidence": float(slot_confidence), "top3": [[slot, float(slot_confidence)]]}
    return adjusted


@dataclass(frozen=True)
class Reading:
    """What is matched for an upload: the whole photo, one detected garment, or a crop the shopper drew."""

    reading: dict
    embedding: Any
    garment: int | None = None
    box: Box | None = None


def is_board(detection: Mapping[str, Any] | None) -> bool:
    """Whether a detection is an outfit board's (classifier.regions.board_cells): its garments are photos of pieces
    laid flat, not garments someone wears."""
    return bool((detection or {}).get("board"))


def worn_garments(detection: Mapping[str, Any]) -> list[dict]:
    """detected_garments when someone wears them (a whole-outfit photo), [] for an outfit board's."""
    return [] if is_board(detection) else detected_garments(detection)


def _garment_reading(prediction: Prediction, garment: int, detection: Mapping[str, Any], box: Box) -> Reading:
    detected = detected_garments(detection)[garment]
    reading = reading_in_slot(prediction.to_dict(), detected["slot"], float(detected.get("score") or 0.0))
    if is_board(detection):  # a photo of a piece laid flat: its own audience, kids included
        return Reading(reading, prediction.embedding, garment, box)
    return Reading(worn_audience(reading, photo_wearer(detection)), prediction.embedding, garment, box)


def drawn_reading(reading: Mapping[str, Any], detection: Mapping[str, Any]) -> dict:
    """The reading of a box the shopper drew: on a photo of someone wearing clothes (garments found, or one garment
    worn), a worn garment's, matched for the wearer (`worn_audience`); on a garment laid flat or an outfit board, as
    read."""
    if worn_garments(detection) or detection.get("worn_box"):
        return worn_audience(reading, photo_wearer(detection))
    return dict(reading)


def _reading_for(*, image, prediction: Prediction, garment: int | None, box: Sequence[float] | None) -> Reading:
    detection = prediction.to_dict()
    garments = detected_garments(detection)
    if box is not None:
        checked = box_checked(box)
        crop = get_predictor().predict_crop(image, checked)
        return Reading(drawn_reading(crop.to_dict(), detection), crop.embedding, None, checked)
    if garment is None:
        garment = default_garment(garments, detection.get("slot"))
        if garment is None:
            return Reading(detection, prediction.embedding)
    if not 0 <= garment < len(garments):
        raise InvalidChoice(f"There is no garment {garment} in this photo (it shows {len(garments)}).")
    chosen = prediction.garments[garment]
    return _garment_reading(chosen.prediction, garment, detection, box_checked(chosen.box))


def _apply_reading(upload: ShopperUpload, reading: Reading) -> None:
    values = reading.reading
    for head in ("type", "slot", "color"):
        setattr(upload, f"detected_{head}", values[head]["label"])
        setattr(upload, f"{head}_confidence", float(values[head]["confidence"]))
    upload.chosen_garment = reading.garment
    upload.crop_box = list(reading.box) if reading.box is not None else None
    upload.chosen_reading = values if reading.box is not None else None
    upload.embedding = embedding_to_bytes(reading.embedding)


def upload_create(
    *, image_file: UploadedFile, garment: int | None = None, box: Sequence[float] | None = None
) -> tuple[ShopperUpload, Prediction]:
    """Validate and classify a shopper's photo, and store it (re-encoded, without EXIF) with the reading.

    In a whole-outfit photo the CNN finds each garment; `garment` (an index into them) or `box` (a crop the shopper
    drew) says which one to match, and by default the largest piece of clothing is matched."""
    image = upload_open_image(image_file)  # raises InvalidImage before anything is stored
    started = time.perf_counter()
    prediction = get_predictor().predict(image)
    inference_record(model_version=prediction.model_version, seconds=time.perf_counter() - started)
    reading = _reading_for(
        image=image, prediction=prediction, garment=garment, box=box
    )  # InvalidChoice: nothing stored
    upload, inserted = None, False
    try:
        with transaction.atomic():
            upload = ShopperUpload(detection=prediction.to_dict(), model_version=prediction.model_version)
            _apply_reading(upload, reading)
            upload.image = image_to_stored_jpeg(image)
            upload.full_clean()
            upload.save()  # writes the photo, then inserts the row
            inserted = True
    except BaseException:
        # No row (the insert failed: constraint, lock timeout, lost connection): its photo must not stay behind. When
        # the commit itself failed, the row may exist after all (the server got COMMIT, the answer was lost): keep
        # the photo then, a row must never point at a missing file; purge_uploads removes it if no row refers to it.
        if upload is not None and upload.image.name and getattr(upload.image, "_committed", False) and not inserted:
            upload.image.storage.delete(upload.image.name)
        raise
    return upload, prediction


def upload_choose(
    *, upload: ShopperUpload, garment: int | None = None, box: Sequence[float] | None = None
) -> ShopperUpload:
    """The shopper picks another garment of their photo (or draws a crop), which becomes what is matched. A pending
    correction of the previous garment no longer applies and is dropped.

    A listed garment keeps the reading its chip was named from (the uploaded photo's, stored with the detection): the
    stored photo is a re-encoded copy, and reading it again could disagree with the chip the shopper tapped (street
    photo 0306's red garment: a solid dress at 89% on its chip, 97% with its pattern unsure on the copy). Its crop of
    the stored photo is read only for the embedding that finds similar garments (and for the whole reading of a
    detection stored without one). A drawn box is read from the stored photo."""
    if (garment is None) == (box is None):
        raise InvalidChoice("Choose a garment or draw a crop box, not both or neither.")
    garments = detected_garments(upload.detection)
    if garment is not None:
        if not 0 <= garment < len(garments):
            raise InvalidChoice(f"There is no garment {garment} in this photo (it shows {len(garments)}).")
        box = garments[garment]["box"]
    checked = box_checked(box or ())
    with upload.image.open("rb") as stored:
        image = open_image(stored.read())
    # A detected garment's crop is the one its chip was named from (an outfit board's photo: the photo itself); a
    # drawn box is read as drawn.
    board = is_board(upload.detection)
    grown = garment is not None and not board
    crop = get_predictor().predict_crop(image, detected_garment_box(checked) if grown else checked)
    listed = (garments[garment].get("reading") or {}) if garment is not None else {}
    if garment is not None and listed.get("slot"):  # the chip's reading, already held to its slot
        wearer = photo_wearer(upload.detection or {})
        reading = Reading(dict(listed) if board else worn_audience(listed, wearer), crop.embedding, garment, checked)
    elif garment is not None:  # a detection stored without the chip's reading
        reading = _garment_reading(crop, garment, upload.detection, checked)
    else:
        reading = Reading(drawn_reading(crop.to_dict(), upload.detection), crop.embedding, None, checked)
    with transaction.atomic():
        reviewed = TagCorrection.objects.filter(upload=upload).exclude(status=CorrectionStatus.PENDING).exists()
        if reviewed:
            raise CorrectionReviewed("A stylist has already reviewed this correction; it can no longer be changed.")
        TagCorrection.objects.filter(upload=upload).delete()
        _apply_reading(upload, reading)
        upload.full_clean()
        upload.save()
    return upload


def recommend_for_upload(
    *,
    image_file: UploadedFile,
    limit: int = DEFAULT_LIMIT,
    outfits: int = DEFAULT_OUTFITS,
    garment: int | None = None,
    box: Sequence[float] | None = None,
) -> UploadRecommendation:
    upload, prediction = upload_create(image_file=image_file, garment=garment, box=box)
    recommendation = recommend_for_upload_tags(upload=upload, limit=limit, outfits=outfits)
    return UploadRecommendation(upload, prediction, recommendation)


def uncertain_heads(
    *, type_confidence: float, slot_confidence: float, color_confidence: float, type_in_doubt: bool = False
) -> list[str]:
    """The heads read below their settings.CLASSIFIER_CONFIRM_THRESHOLDS, and the type when it is in doubt for a
    reason its confidence does not show (`type_question`): the shopper is asked to confirm them."""
    thresholds = settings.CLASSIFIER_CONFIRM_THRESHOLDS
    confidences = {"type": type_confidence, "slot": slot_confidence, "color": color_confidence}
    return [
        head
        for head, confidence in confidences.items()
        if confidence < thresholds[head] or (head == "type" and type_in_doubt)
    ]


# What a "dress" worn under a top often is. Of the 28 one-pieces lite0-224-v13 lists beside a top on the 100
# co-parsing validation photos (not counting those read as skirts, below), 10 are dresses or rompers and 9 trousers or
# skirts (the rest a coat, a vest, the top itself), however sure the crop (street photo 0306's red skirt: "dress",
# 89%). With lite0-224-v12: 13 dresses or rompers and 12 trousers, skirts or shorts of 31.
DRESS_UNDER_A_TOP_ALTERNATIVES: tuple[str, ...] = ("skirt", "pants")
# And the other way round: the lower half of a dress, below a top, a cardigan or a coat, reads as a skirt. Of the 32
# garments lite0-224-v13 lists as skirts on those photos, 13 are skirts and 10 dresses or rompers (the rest shorts, a
# coat, a top); lite0-224-v12: 11 skirts, 12 dresses or rompers of 33.
SKIRT_OF_A_DRESS_ALTERNATIVES: tuple[str, ...] = ("dress",)
# And a dress on someone with no top listed above it: a shop's photo of one garment on a model read as a dress (its
# crop, Prediction.worn_box), or a one-piece listed without a top. Issue 9 found long skirts on models read as dresses
# almost every time. On the co-parsing validation photos and their shop-like framings (street and studio backdrop),
# lite0-224-v13 listed 13 one-pieces without a top: 10 skirts or trousers and 3 dresses; it read 3 worn crops as
# one-pieces: 1 skirt or trousers, 2 dresses.
WORN_DRESS_ALTERNATIVES: tuple[str, ...] = ("skirt", "pants")
# The question the result page asks about the type, by what may be mistaken for what.
TYPE_QUESTIONS: dict[str, tuple[str, ...]] = {
    "skirt_or_dress": SKIRT_OF_A_DRESS_ALTERNATIVES,
    "dress_or_bottom": DRESS_UNDER_A_TOP_ALTERNATIVES,
    "worn_dress": WORN_DRESS_ALTERNATIVES,
}


def type_question(upload: ShopperUpload) -> str:
    """Which type the reading may be mistaken for, however sure the crop (a key of TYPE_QUESTIONS, or ""): a skirt
    found in a whole-outfit photo may be a dress's lower half ("skirt_or_dress"); a one-piece in a photo that also
    shows a top may be the skirt or trousers under that top ("dress_or_bottom"); a dress worn with no top listed
    (one garment on a model, or a one-piece listed without a top) may be a long skirt or wide trousers
    ("worn_dress"). A box the shopper drew is asked about as its reading is (`drawn_box_question`). An outfit
    board's pieces are photos laid flat, asked about as such (nothing)."""
    if is_board(upload.detection):
        return ""
    garments = detected_garments(upload.detection)
    index = upload.chosen_garment
    if index is None or not 0 <= index < len(garments):
        detection = upload.detection or {}
        drawn = drawn_box(upload)
        if drawn and upload.chosen_reading:
            return drawn_box_question(upload.chosen_reading, drawn, garments, detection)
        worn_dress = (detection.get("slot") or {}).get("label") == "one_piece" and detection.get("worn_box")
        return "worn_dress" if worn_dress and not upload.chosen_reading else ""
    garment = garments[index]
    if garment.get("type") == "skirt":
        return "skirt_or_dress"
    if garment.get("slot") == "one_piece":
        return "dress_or_bottom" if any(g.get("slot") == "top" for g in garments) else "worn_dress"
    return ""


def drawn_box_question(
    reading: Mapping[str, Any], box: Sequence[float], garments: Sequence[Mapping[str, Any]], detection: Mapping
) -> str:
    """The question for a box the shopper drew on someone wearing clothes (garments found, or one garment worn) whose
    reading is a one-piece: the box drawn below a top found in the photo (the top's middle above the box's upper
    edge) may hold the skirt or trousers under that top ("dress_or_bottom"), any other the long skirt or wide
    trousers a worn garment's crop so often reads as a dress ("worn_dress"). Street photo 0306's red skirt, boxed by
    hand just below the blouse's knot, reads "dress" at 0.94. "" for a garment laid flat or another reading."""
    if (reading.get("slot") or {}).get("label") != "one_piece":
        return ""
    if not garments and not detection.get("worn_box"):
        return ""
    under_a_top = any(
        g.get("slot") == "top" and len(g.get("box") or ()) == 4 and (g["box"][1] + g["box"][3]) / 2 < box[1]
        for g in garments
    )
    return "dress_or_bottom" if under_a_top else "worn_dress"


def upload_reading(upload: ShopperUpload) -> dict:
    """The reading of what is matched for an upload: the chosen garment or crop, else the whole photo."""
    if upload.chosen_reading:
        return dict(upload.chosen_reading)
    garments = detected_garments(upload.detection)
    if upload.chosen_garment is not None and 0 <= upload.chosen_garment < len(garments):
        chosen = garments[upload.chosen_garment].get("reading") or {}
        if is_board(upload.detection):
            return dict(chosen)
        return worn_audience(chosen, photo_wearer(upload.detection or {}))
    detection = dict(upload.detection or {})
    # One garment someone wears (a shop's photo on a model): its audience is read as a worn garment's.
    return worn_audience(detection, photo_wearer(detection)) if detection.get("worn_box") else detection


def upload_tag(*, upload: ShopperUpload) -> Tag:
    """The tags recommendations use for an upload: the CNN's reading of the matched garment (attributes only when
    confident), with the shopper's correction of slot, type or colour on top."""
    reading = upload_reading(upload)
    if reading.get("slot"):
        read = reading_tag(reading)
    else:  # no stored reading: the detected fields alone
        read = Tag(slot=upload.detected_slot, color=upload.detected_color, type=upload.detected_type)
    correction = TagCorrection.objects.filter(upload=upload).first()
    if correction is None:
        return read
    kept_kind = read.kind if correction.type == read.type and correction.slot in ("shoes", "outer") else ""
    kind = correction.kind if kind_of_type(correction.kind, correction.type) else kept_kind
    attributes = {name: getattr(correction, name) or getattr(read, name) for name in CORRECTABLE_ATTRIBUTES}
    # A pattern she names herself ("Patterned", "Solid") is hers, not the graphic probe's.
    graphic = read.graphic and not correction.pattern
    named = {"slot": correction.slot, "color": correction.color, "type": correction.type, "kind": kind}
    return replace(read, **named, graphic=graphic, **attributes)


def upload_leaning(*, upload: ShopperUpload, tag: Tag | None = None) -> Leaning:
    """What the CNN guessed of the matched garment where it was unsure, for the attributes `tag` (default
    `upload_tag`) leaves unknown: a shopper's correction replaces the guess."""
    reading = upload_reading(upload)
    if not reading.get("slot"):
        return Leaning()
    return reading_leaning(reading).for_unknown_of(tag or upload_tag(upload=upload))


def recommend_for_upload_tags(
    *, upload: ShopperUpload, limit: int = DEFAULT_LIMIT, outfits: int = DEFAULT_OUTFITS
) -> Recommendation:
    """What goes with an upload's matched garment: its tags (`upload_tag`, the shopper's correction on top) and what
    the CNN guessed where it was unsure (`upload_leaning`)."""
    tag = upload_tag(upload=upload)
    return recommend_for_tag(tag=tag, limit=limit, outfits=outfits, leaning=upload_leaning(upload=upload, tag=tag))


# A one-piece corrected to a bottom keeps at least this share of its box's height when its outline is cut below a top.
BOTTOM_OUTLINE_MIN_SHARE = 0.3


def outline_as_named(box: list[float], found_slot: str, named_slot: str, listed: list[dict]) -> list[float]:
    """The box of a listed garment as the shopper named it: a one-piece she says is a skirt or trousers is cut to begin
    at the lower edge of the top it was found under (street photo 0306: the map's "dress" spans the blouse tied over
    the skirt), so the outline is the garment she named. Any other box, or one no listed top overlaps across, or one
    the cut would leave under BOTTOM_OUTLINE_MIN_SHARE of, is returned as it is."""
    if found_slot != "one_piece" or named_slot != "bottom":
        return box
    x0, y0, x1, y1 = (float(v) for v in box)

    def across(top: list[float]) -> float:
        return max(0.0, min(x1, float(top[2])) - max(x0, float(top[0])))

    tops = [g["box"] for g in listed if g.get("slot") == "top" and across(g["box"]) > 0 and float(g["box"][1]) <= y0]
    if not tops:
        return box
    cut = float(max(tops, key=across)[3])
    if cut <= y0 or y1 - cut < BOTTOM_OUTLINE_MIN_SHARE * (y1 - y0):
        return box
    return [x0, cut, x1, y1]


def drawn_box(upload: ShopperUpload) -> list[float] | None:
    """The box the shopper drew herself (its crop was read); None when the whole photo or a listed garment was read
    (a chosen garment's box is stored as the crop box too)."""
    if not upload.crop_box:
        return None
    index = upload.chosen_garment
    if index is not None and 0 <= index < len(detected_garments(upload.detection)):
        return None
    return list(upload.crop_box)


def matched_box(upload: ShopperUpload, tag: Tag) -> list[float] | None:
    """The box of the garment an upload is matched on, as the result page outlines it: the chosen garment's or the
    drawn one (None: the whole photo), a listed garment's as the shopper named it (outline_as_named)."""
    if not upload.crop_box:
        return None
    drawn, index = drawn_box(upload), upload.chosen_garment
    if drawn is not None or index is None:
        return drawn
    garments = detected_garments(upload.detection)
    return outline_as_named(list(upload.crop_box), garments[index].get("slot") or "", tag.slot, garments)


SIMILAR_SHOWN = 6  # "looks similar" on an upload's page and in its API answer


@dataclass(frozen=True)
class UploadAnswer:
    """Everything the result page and the API show for an upload, read once: the reading of the matched garment, the
    tags used (the shopper's correction on top), what goes with it, what looks similar (catalog garments of the
    matched garment's slot, as corrected), what to confirm."""

    upload: ShopperUpload
    reading: dict
    tag: Tag
    correction: TagCorrection | None
    recommendation: Recommendation
    similar: list[SimilarGarment]
    uncertain_heads: list[str]
    # Types to offer first when the shopper confirms the type, beside the CNN's top 3 (TYPE_QUESTIONS of
    # `type_question`); empty once she has corrected the reading.
    type_alternatives: list[str] = field(default_factory=list)
    # Why those are offered (a key of TYPE_QUESTIONS, the page's question), or "".
    type_question: str = ""
    # The colour "Looks similar" put first within the type: the tag's, when read surely or confirmed; else "".
    similar_color: str = ""


def similar_audience(tag: Tag, leaning: Leaning) -> str | None:
    """Whose pieces "Looks similar" shows for the shopper's piece: its audience, else the one the suggestions lean to
    (engine.leading_guess: kids only when at least as likely as every adult audience together), else anyone's. On 200
    CC0 test photos, six similar garments each from the demo catalog, those across the line between children's and
    grown-ups' pieces (by the photo's label) fell from 367 to 222 of 1,200 with the guess (320 with sure readings
    alone), the mean similarity from 0.676 to 0.656."""
    if tag.audience:
        return tag.audience
    guess = leaning.guess("audience")
    return leading_guess("audience", guess) if guess else None


def upload_answer(
    *, upload: ShopperUpload, limit: int = DEFAULT_LIMIT, recommendation: Recommendation | None = None
) -> UploadAnswer:
    """The one selector for an upload's answer (the page and the API both render it). `recommendation`: one already
    made for this upload's tags (the upload service returns it), so it is not ranked twice."""
    tag = upload_tag(upload=upload)
    correction = TagCorrection.objects.filter(upload=upload).first()
    leaning = upload_leaning(upload=upload, tag=tag)
    similar: list[SimilarGarment] = []
    # Her colour first within her type only when read surely or confirmed: a colour the page asks about is a question
    # (a plaid shirt read "multicolour" at 24 % put one multicolour shirt before the red and white plaid ones). On 200
    # CC0 test photos, of the six shown those of the photo's own colour: 537 with no colour first, 717 with the colour
    # always, 718 with a sure one (mean similarity 0.679, 0.653, 0.656).
    colored = correction is not None or upload.color_confidence >= settings.CLASSIFIER_CONFIRM_THRESHOLDS["color"]
    similar_color = tag.color if colored else ""
    if upload.embedding:
        vector = np.frombuffer(bytes(upload.embedding), dtype=np.float32)
        # Her type first, unless it is only the slot's generic type that a chip falls back to, read at 0 (the crop
        # read no type of the slot it was found in): that is a question, not a type.
        typed = bool(correction and correction.type) or upload.type_confidence > 0
        similar = garments_similar_to_embedding(
            embedding=vector,
            k=SIMILAR_SHOWN,
            slot=tag.slot or None,
            garment_type=(tag.type or None) if typed else None,
            audience=similar_audience(tag, leaning),
            color=similar_color or None,
        )
    if recommendation is None:
        recommendation = recommend_for_tag(tag=tag, limit=limit, outfits=DEFAULT_OUTFITS, leaning=leaning)
    question = type_question(upload) if correction is None else ""
    alternatives = list(TYPE_QUESTIONS.get(question, ()))
    return UploadAnswer(
        upload=upload,
        reading=upload_reading(upload),
        tag=tag,
        correction=correction,
        recommendation=recommendation,
        similar=similar,
        uncertain_heads=uncertain_heads(
            type_confidence=upload.type_confidence,
            slot_confidence=upload.slot_confidence,
            color_confidence=upload.color_confidence,
            type_in_doubt=bool(alternatives),
        ),
        type_alternatives=alternatives,
        type_question=question,
        similar_color=similar_color,
    )


class CorrectionReviewed(Exception):  # noqa: N818 - a state, reported to the shopper
    """The upload's correction was accepted or rejected by a stylist: the shopper's link can no longer change it."""


CORRECTABLE_ATTRIBUTES = ("pattern", "audience", "warmth", "formality")


def correction_create(
    *,
    upload: ShopperUpload,
    type: str | None = None,
    slot: str | None = None,
    color: str | None = None,
    kind: str | None = None,
    **attributes: str,
) -> TagCorrection:
    """Record (or update) a shopper's correction of an upload's tags; a corrected type also fixes the slot.

    A slot correction that contradicts the current type leaves the type unknown rather than inconsistent. The
    attributes coordination uses (pattern, audience, warmth, formality) can be set too: "it's a kids' hoodie"; so can
    the kind of the (corrected) type, "it's a jacket, not a vest" (InvalidChoice for a kind of another type). A kind
    set before is dropped when the type changes to one it does not belong to.
    """
    unknown = set(attributes) - set(CORRECTABLE_ATTRIBUTES)
    if unknown:
        raise TypeError(f"correction_create() got unexpected attributes {sorted(unknown)}")
    current = upload_tag(upload=upload)
    new_type, new_slot, new_color = current.type, current.slot, color or current.color
    if type:
        new_type, new_slot = type, TYPES[type].slot
    elif slot:
        new_slot = slot
        if new_type and not type_in_slot(new_type, slot):
            new_type = ""
    if kind and not kind_of_type(kind, new_type):
        raise InvalidChoice(
            f"'{kind}' is not a kind of {TYPES[new_type].name_en.lower() if new_type else 'this garment'}."
        )
    with transaction.atomic():
        reviewed = (
            TagCorrection.objects.select_for_update()
            .filter(upload=upload)
            .exclude(status=CorrectionStatus.PENDING)
            .exists()
        )
        if reviewed:
            # Anyone holding the upload's link could otherwise reset a stylist's decision to "pending".
            raise CorrectionReviewed("A stylist has already reviewed this correction; it can no longer be changed.")
        previous = TagCorrection.objects.filter(upload=upload).first()
        kept = {name: getattr(previous, name) if previous else "" for name in CORRECTABLE_ATTRIBUTES}
        kept_kind = previous.kind if previous and kind_of_type(previous.kind, new_type) else ""
        correction, _ = TagCorrection.objects.select_for_update().update_or_create(
            upload=upload,
            defaults={
                **kept,
                **{name: value for name, value in attributes.items() if value},
                "kind": kind or kept_kind,
                "type": new_type,
                "slot": new_slot,
                "color": new_color,
                "model_version": upload.model_version,
                "status": CorrectionStatus.PENDING,
                "reviewed_by": None,
                "reviewed_at": None,
            },
        )
        correction.full_clean()
    return correction


def corrections_review(*, corrections: QuerySet[TagCorrection], status: str, reviewer) -> int:
    """A stylist accepts corrections into the training export, or rejects them."""
    return corrections.update(status=status, reviewed_by=reviewer, reviewed_at=timezone.now())


def _vote_counter(vote: int) -> str:
    return "likes" if vote > 0 else "dislikes"


def feedback_create(
    *,
    garment: Garment,
    vote: int,
    input_slot: str,
    input_color: str,
    client_key: str,
    rule: PairingRule | None = None,
    upload: ShopperUpload | None = None,
) -> Feedback:
    """Record a client's like or dislike of a garment: one counted vote per client and garment.

    Voting again replaces that client's vote (a like can become a dislike); it never adds a second one. The returned
    row carries `created_now` (True for a first vote) and `previous_vote` (None, or the vote it replaced), which is
    what a per-garment counter needs to stay right. The unique constraint (garment, client_key) settles races: the
    loser of two simultaneous first votes updates the winner's row.
    """
    fields = {"vote": vote, "input_slot": input_slot, "input_color": input_color, "rule": rule, "upload": upload}
    for _attempt in range(2):
        try:
            with transaction.atomic():
                feedback = Feedback.objects.select_for_update().filter(garment=garment, client_key=client_key).first()
                created_now, previous_vote = feedback is None, None if feedback is None else feedback.vote
                if feedback is None:
                    feedback = Feedback(garment=garment, client_key=client_key, **fields)
                else:
                    for name, value in fields.items():
                        setattr(feedback, name, value)
                feedback.full_clean(validate_constraints=False)
                feedback.save()
                if previous_vote != vote:
                    # Counters on the garment (ranking reads them with the candidate rows): the new vote counts,
                    # the one it replaced no longer does.
                    counters = {_vote_counter(vote): F(_vote_counter(vote)) + 1}
                    if previous_vote is not None:
                        counters[_vote_counter(previous_vote)] = F(_vote_counter(previous_vote)) - 1
                    Garment.objects.filter(pk=garment.pk).update(**counters)
        except IntegrityError:
            continue  # a simultaneous first vote of the same client won; update it on the next attempt
        feedback.created_now, feedback.previous_vote = created_now, previous_vote
        return feedback
    raise IntegrityError("feedback: could not record the vote")


def corrections_export(*, out_dir: Path, status: str = CorrectionStatus.ACCEPTED) -> int:
    """Write reviewed corrections as extra labelled data: images/<id>.jpg and corrections.csv in the dataset's
    vocabulary (image, label, color, slot, type, model_version, corrected_at), with the region the labels are of
    (`box`: "x0 y0 x1 y1" as fractions of the photo — the garment tapped or the box drawn in an outfit photo, or the
    garment read on a model — empty when they are the whole photo's) and the finer tags the shopper set (kind,
    pattern, audience, warmth, formality; empty when not corrected). Returns the number of photos written."""
    images_dir = out_dir / "images"
    images_dir.mkdir(parents=True, exist_ok=True)
    corrections = TagCorrection.objects.filter(status=status).select_related("upload").order_by("id")
    written = 0
    with (out_dir / "corrections.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "image",
                "label",
                "color",
                "slot",
                "type",
                "model_version",
                "corrected_at",
                "box",
                "kind",
                *CORRECTABLE_ATTRIBUTES,
            ]
        )
        for correction in corrections:
            upload = correction.upload
            image_id = str(upload.public_id)
            with upload.image.open("rb") as source:
                (images_dir / f"{image_id}.jpg").write_bytes(source.read())
            label = TYPES[correction.type].dataset_label if correction.type else ""
            box = upload.crop_box or (upload.detection or {}).get("worn_box")
            writer.writerow(
                [
                    image_id,
                    label,
                    correction.color,
                    correction.slot,
                    correction.type,
                    correction.model_version,
                    correction.updated_at.isoformat(),
                    " ".join(f"{float(v):.4f}" for v in box) if box else "",
                    correction.kind,
                    *(getattr(correction, name) for name in CORRECTABLE_ATTRIBUTES),
                ]
            )
            written += 1
    return written


def uploads_expired(*, older_than_days: int) -> QuerySet[ShopperUpload]:
    """Shopper photos past the retention period, except those stylists still need (pending or accepted corrections)."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    keep = [CorrectionStatus.PENDING, CorrectionStatus.ACCEPTED]
    return ShopperUpload.objects.filter(created_at__lt=cutoff).exclude(correction__status__in=keep)


PURGE_BATCH = 1000


def uploads_purge(*, uploads: QuerySet[ShopperUpload]) -> int:
    """Delete shopper uploads and their stored photos (in batches)."""
    return uploads_purge_batched(uploads=uploads)


def upload_files_orphaned(*, older_than_minutes: int = 60) -> list[str]:
    """Stored shopper photos (under uploads/) that no ShopperUpload refers to, older than `older_than_minutes`.

    Normally none: a photo is removed when its row is not committed. These are what a crash between writing the
    file and committing the row leaves. The grace period keeps uploads in flight (file written, row not committed
    yet) out of the list.
    """
    storage = ShopperUpload._meta.get_field("image").storage
    try:
        _folders, files = storage.listdir("uploads")
    except (FileNotFoundError, NotADirectoryError):
        return []
    names = [f"uploads/{name}" for name in files]
    referenced = set(ShopperUpload.objects.filter(image__in=names).values_list("image", flat=True))
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    orphaned = []
    for name in names:
        if name in referenced:
            continue
        try:
            if storage.get_modified_time(name) < cutoff:
                orphaned.append(name)
        except (FileNotFoundError, OSError):
            continue
    return orphaned


def upload_files_delete(*, names: list[str]) -> int:
    """Delete stored shopper photos by name (orphans from upload_files_orphaned)."""
    storage = ShopperUpload._meta.get_field("image").storage
    for name in names:
        storage.delete(name)
    return len(names)


def uploads_purge_batched(*, uploads: QuerySet[ShopperUpload], batch: int = PURGE_BATCH) -> int:
    """Delete in batches of `batch` rows by ascending id, one short transaction each (files after its commit): memory
    stays flat and locks stay short at any volume, and an interrupted purge simply continues next time."""
    deleted, last_id = 0, 0
    while True:
        ids = list(uploads.filter(id__gt=last_id).order_by("id").values_list("id", flat=True)[:batch])
        if not ids:
            return deleted
        last_id = ids[-1]
        deleted += rows_delete_with_images(objects=ShopperUpload.objects.filter(pk__in=ids).only("id", "image"))
