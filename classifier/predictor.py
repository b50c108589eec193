"""The garment classifier behind one small interface: `get_predictor().predict(image) -> Prediction`.

Backends (settings.CLASSIFIER_BACKEND):
- "tflite": the exported model.tflite through ai_edge_litert (2 threads); TensorFlow stays out of the web workers.
- "keras": model.keras through a compiled `model(x, training=False)`; imports TensorFlow (training, evaluation).
- "fake": no model; deterministic guesses for fast tests of the other apps (see FakePredictor, including how a test
  gets a whole-outfit result with several garments).

What a reading holds (lite0-224-v4 on): type, slot (derived from type), colour, pattern, audience, warmth, formality
and shoe kind (`kind`, meaningful only when the slot is shoes), each a HeadPrediction with a confidence and top-3; an
embedding; and `garments`, the garments found when the photo shows a person wearing several (an outfit). For a photo
of one garment (laid flat, on a hanger, or a close crop) `garments` is EMPTY: the reading itself is that garment's.
For an outfit photo each DetectedGarment has its slot, its box (fractions of the upright photo), a score and its own
full reading (read from its crop); the top-level heads then describe the photo as a whole and matter less.

`predict_crop(image, box)` reads one region the shopper chose (no detection inside it); with the artifact's
`region_context` the whole photo's segmentation map in that box weighs the crop's type
(see regions.with_region_context).

Nothing here imports TensorFlow at module import time.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from django.conf import settings
from PIL import Image

from classifier import chip_gate, probes, turns, wearers, worn_colours, worn_kinds
from classifier.imaging import to_model_batch
from classifier.pixel_colors import garment_color_shares, with_pixel_colors
from classifier.regions import (
    DETECTION_SLOTS,
    Box,
    Region,
    StreetView,
    backdrop_view,
    board_cells,
    box_iou,
    clip_box,
    crop_to_box,
    detect_garments,
    frame_box_to_photo,
    garment_crop,
    grow_box,
    is_outfit,
    map_slot_indices,
    model_frame,
    on_backdrop,
    outfit_probability,
    pad_to_aspect,
    people_in_map,
    person_view,
    photo_box_slot_shares,
    photo_box_to_frame,
    photo_in_screenshot,
    plain_backdrop,
    reconciled_garments,
    region_box_to_photo,
    share_in_frame,
    street_view,
    with_bottom_split,
    with_region_context,
)
from vocabulary import (
    AUDIENCE_CODES,
    COLOR_CODES,
    COLORS,
    FORMALITY_CODES,
    NOT_A_MANS_KINDS,
    NOT_A_MANS_TYPES,
    PATTERN_CODES,
    SHOE_KINDS,
    SLOTS,
    TYPE_CODES,
    TYPES,
    WARMTH_CODES,
    type_in_slot,
)

TOP_K = 3
# Heads beyond type/slot/colour, with their labels in model order.
ATTRIBUTE_HEADS: dict[str, tuple[str, ...]] = {
    "pattern": PATTERN_CODES,
    "audience": AUDIENCE_CODES,
    "warmth": WARMTH_CODES,
    "formality": FORMALITY_CODES,
    "kind": SHOE_KINDS,
}
# A detected garment's crop is grown by this share of its box on each side before it is read.
CROP_MARGIN = 0.06


def detected_garment_box(box: Sequence[float]) -> Box:
    """The region a detected garment's own reading covers: its box grown by CROP_MARGIN a side, clipped to the
    photo. predict_crop of it reads the crop the garment was named from (predict_batch), with the photo's map."""
    return grow_box(clip_box(box), CROP_MARGIN)


# At most this many garments are read per photo (one per detection slot).
MAX_GARMENTS = len(DETECTION_SLOTS)


@dataclass(frozen=True)
class HeadPrediction:
    label: str
    confidence: float
    top3: list[tuple[str, float]]

    def to_dict(self) -> dict:
        return {"label": self.label, "confidence": self.confidence, "top3": [[k, p] for k, p in self.top3]}


# eq=False: comparing numpy embeddings with == is ambiguous; compare to_dict() and the embedding instead.
@dataclass(frozen=True, eq=False)
class Prediction:
    type: HeadPrediction
    slot: HeadPrediction
    color: HeadPrediction
    # L2-normalised float32 vector for visual similarity (cosine = dot product).
    embedding: np.ndarray
    model_version: str
    pattern: HeadPrediction
    audience: HeadPrediction
    warmth: HeadPrediction
    formality: HeadPrediction
    # Shoe kind (SHOE_KINDS); only meaningful when slot is "shoes".
    kind: HeadPrediction
    # Garments found in a whole-outfit photo; empty for a photo of one garment (see the module docstring).
    garments: tuple[DetectedGarment, ...] = ()
    # A photo of someone wearing one garment that is read (a shop's photo on a model, cut at the waist): the box it
    # was read from (photo fractions); None when the whole photo was read.
    worn_box: Box | None = None
    # The kind of an outer layer (classifier.outer_kinds: coat, jacket, vest, snowsuit), only when the artifact reads
    # it and the reading reaches the artifact's threshold; meaningful only when the type is outerwear.
    outer_kind: HeadPrediction | None = None
    # A big graphic on a top that the pattern head called solid (classifier.graphics): present only when the probe
    # read it surely enough, and then `pattern` says patterned with the probe's confidence.
    graphic: HeadPrediction | None = None
    # Whose clothes a photo of someone wearing them shows (classifier.wearers: "women" or "men"), read from the whole
    # photo: present only for a photo read as worn (garments found, or one worn garment) and when the probe read it
    # surely enough; a garment worn is matched for its wearer (catalog.tags.worn_audience).
    wearer: HeadPrediction | None = None
    # The probe's reading when it was not sure enough to be `wearer`: a guess that only orders a worn garment's
    # suggestions (catalog.tags.worn_audience), never excludes one. Without it, the garment's own crop decides, and it
    # leans to women's: on the co-parsing test photos, 11.9 % of a man's suggestions were women's or kids', 1.8 % with
    # the guess (`manage.py evaluate_wearers --split test --suggestions`).
    wearer_guess: HeadPrediction | None = None
    # People seen beside the one read (regions.person_view): a photo of two friends side by side lists the garments of
    # the one with the most garments seen, and says that one other is there.
    other_people: int = 0
    # An outfit board (regions.board_cells: a photo of each piece, side by side or on a grid): `garments` are its
    # photos, each read as a garment laid flat, not worn.
    board: bool = False
    # How far the photo as uploaded lies turned from upright, counter-clockwise in degrees (classifier.turns: 90, 180
    # or 270; a shirt photographed from the bed's side): it was read turned upright, and every box is given on the
    # photo as uploaded. 0 for a photo read as uploaded.
    turned: int = 0

    def to_dict(self) -> dict:
        """JSON-friendly; leaves out the embedding."""
        return {
            "type": self.type.to_dict(),
            "slot": self.slot.to_dict(),
            "color": self.color.to_dict(),
            "pattern": self.pattern.to_dict(),
            "audience": self.audience.to_dict(),
            "warmth": self.warmth.to_dict(),
            "formality": self.formality.to_dict(),
            "kind": self.kind.to_dict(),
            "model_version": self.model_version,
            "garments": [g.to_dict() for g in self.garments],
            "worn_box": [round(float(v), 4) for v in self.worn_box] if self.worn_box is not None else None,
            **({"outer_kind": self.outer_kind.to_dict()} if self.outer_kind is not None else {}),
            **({"graphic": self.graphic.to_dict()} if self.graphic is not None else {}),
            **({"wearer": self.wearer.to_dict()} if self.wearer is not None else {}),
            **({"wearer_guess": self.wearer_guess.to_dict()} if self.wearer_guess is not None else {}),
            **({"other_people": self.other_people} if self.other_people else {}),
            **({"board": True} if self.board else {}),
            **({"turned": self.turned} if self.turned else {}),
        }


@dataclass(frozen=True, eq=False)
class DetectedGarment:
    slot: str  # the detector's slot (DETECTION_SLOTS), checked against its crop (regions.reconcile_garments)
    box: Box  # (x0, y0, x1, y1) as fractions of the upright photo
    score: float  # the detector's mean probability over the garment's cells
    prediction: Prediction  # the garment's own reading, from its crop (its own `garments` empty)
    # How likely the garment is there (classifier.chip_gate), and whether that is under the gate's `unsure`
    # threshold (shown as a garment we are not sure is there); None and False without a gate.
    presence: float | None = None
    unsure: bool = False

    def to_dict(self) -> dict:
        p = self.prediction
        return {
            "slot": self.slot,
            "box": [round(v, 4) for v in self.box],
            "score": self.score,
            "type": p.type.label,
            "kind": p.kind.label if self.slot == "shoes" else self._outer_kind("label"),
            "color": p.color.label,
            "pattern": p.pattern.label,
            "confidences": {
                "slot": self.score,
                "type": p.type.confidence,
                "kind": p.kind.confidence if self.slot == "shoes" else self._outer_kind("confidence"),
                "color": p.color.confidence,
                "pattern": p.pattern.confidence,
                **({"present": round(self.presence, 4)} if self.presence is not None else {}),
            },
            "reading": p.to_dict(),
            **({"unsure": self.unsure} if self.presence is not None else {}),
        }

    def _outer_kind(self, field: str):
        p = self.prediction
        if self.slot != "outer" or p.type.label != "outwear" or p.outer_kind is None:
            return None
        return getattr(p.outer_kind, field)


@runtime_checkable
class Predictor(Protocol):
    @property
    def model_version(self) -> str: ...

    @property
    def embedding_dim(self) -> int: ...

    def predict(self, image: Image.Image) -> Prediction: ...

    def predict_batch(self, images: Sequence[Image.Image]) -> list[Prediction]: ...

    def wearer_features(self, images: Sequence[Image.Image]) -> list[np.ndarray]: ...

    def predict_crop(self, image: Image.Image, box: Sequence[float]) -> Prediction: ...


# ---------------------------------------------------------------- post-processing (shared by every backend)


def largest_garment(found: Sequence[tuple[str, Box]]) -> int:
    """Index of the largest of (slot, box) garments by box area, shoes only when nothing else was found."""
    clothes = [i for i, (slot, _box) in enumerate(found) if slot != "shoes"] or list(range(len(found)))

    def area(i: int) -> float:
        x0, y0, x1, y1 = found[i][1]
        return (x1 - x0) * (y1 - y0)

    return max(clothes, key=lambda i: (area(i), -i))


def _in_screenshot(reading: Prediction, frame: tuple[int, int, int, int] | None, size: tuple[int, int]) -> Prediction:
    """A reading of the photo inside a screenshot with its boxes in the screenshot's fractions (`frame`, the photo's
    frame there, regions.photo_in_screenshot; `size`, the screenshot's; unchanged when None)."""
    if frame is None:
        return reading
    garments = tuple(dataclasses.replace(g, box=frame_box_to_photo(g.box, frame, *size)) for g in reading.garments)
    worn_box = frame_box_to_photo(reading.worn_box, frame, *size) if reading.worn_box is not None else None
    return dataclasses.replace(reading, garments=garments, worn_box=worn_box)


def _as_uploaded(reading: Prediction, turn: int) -> Prediction:
    """A reading of a photo turned upright (`turn`: how far the photo as uploaded lies turned, classifier.turns) with
    its boxes on the photo as uploaded, and `turned` set; unchanged for 0."""
    if not turn:
        return reading
    garments = tuple(dataclasses.replace(g, box=turns.box_on_turned(g.box, turn)) for g in reading.garments)
    worn_box = turns.box_on_turned(reading.worn_box, turn) if reading.worn_box is not None else None
    return dataclasses.replace(reading, garments=garments, worn_box=worn_box, turned=turn)


def head_prediction(probs: np.ndarray, labels: Sequence[str], k: int = TOP_K) -> HeadPrediction:
    order = np.argsort(-probs, kind="stable")[:k]
    top = [(labels[i], round(float(probs[i]), 4)) for i in order]
    return HeadPrediction(label=top[0][0], confidence=top[0][1], top3=top)


def slot_probabilities(type_probs: np.ndarray, types: Sequence[str] = TYPE_CODES) -> np.ndarray:
    """Slot probability = sum of the probabilities of its types (in SLOTS order)."""
    slot_probs = np.zeros(len(SLOTS), dtype=np.float64)
    for p, code in zip(type_probs, types, strict=True):
        slot_probs[SLOTS.index(TYPES[code].slot)] += float(p)
    return slot_probs


# Two slots whose probabilities differ by less than one step of an int8 output (1/256) are a tie: the slot of the best
# type wins it, so the page never shows a dress and recommends for a top (a CC0 test photo of a green patterned sundress
# read dress 0.39 and top and one-piece 0.3961 each, and was matched as a top).
SLOT_TIE = 1 / 256


def slot_index(slot_probs: np.ndarray, best_type: str) -> int:
    """The slot read (its index in SLOTS): the most likely one, or on a tie (SLOT_TIE) with the best type's own slot,
    that slot."""
    top = int(np.argmax(slot_probs))
    own = SLOTS.index(TYPES[best_type].slot)
    return own if slot_probs[top] - slot_probs[own] < SLOT_TIE else top


def slot_prediction(slot_probs: np.ndarray, best_type: str) -> HeadPrediction:
    """The slot reading (slot_index), with its confidence and top 3."""
    reading = head_prediction(slot_probs, SLOTS)
    own = slot_index(slot_probs, best_type)
    if reading.label == SLOTS[own]:
        return reading
    order = [own, *(i for i in np.argsort(-slot_probs, kind="stable") if i != own)][:TOP_K]
    top = [(SLOTS[i], round(float(slot_probs[i]), 4)) for i in order]
    return HeadPrediction(label=top[0][0], confidence=top[0][1], top3=top)


def build_prediction(
    type_probs: np.ndarray,
    color_probs: np.ndarray,
    embedding: np.ndarray,
    *,
    heads: dict[str, np.ndarray],
    model_version: str,
    types: Sequence[str] = TYPE_CODES,
    colors: Sequence[str] = COLOR_CODES,
    head_labels: Mapping[str, Sequence[str]] | None = None,
) -> Prediction:
    """A Prediction from raw head outputs; `heads` holds the probabilities of every ATTRIBUTE_HEADS head."""
    labels_of: Mapping[str, Sequence[str]] = head_labels or ATTRIBUTE_HEADS
    attributes = {
        head: head_prediction(np.asarray(heads[head], dtype=np.float64), labels_of[head]) for head in ATTRIBUTE_HEADS
    }
    embedding = np.asarray(embedding, dtype=np.float32)
    norm = float(np.linalg.norm(embedding))
    if norm > 0:
        embedding = embedding / norm
    type_reading = head_prediction(np.asarray(type_probs, dtype=np.float64), types)
    return Prediction(
        type=type_reading,
        slot=slot_prediction(slot_probabilities(type_probs, types), type_reading.label),
        color=head_prediction(np.asarray(color_probs, dtype=np.float64), colors),
        embedding=embedding,
        model_version=model_version,
        pattern=attributes["pattern"],
        audience=attributes["audience"],
        warmth=attributes["warmth"],
        formality=attributes["formality"],
        kind=attributes["kind"],
    )


def any_light_colour(head: np.ndarray, lit: np.ndarray | None, weight: float, sharpen: float = 1.0) -> np.ndarray:
    """The colour head's probabilities blended with a lit colour branch's (classifier.lit_colour: trained on photos
    in many lights): their geometric mean, the branch weighing `weight`, raised to `sharpen` (the blend of two
    softmaxes is less sure than either; lit_colour.chosen_sharpen), normalised. The head's own without a branch or a
    weight."""
    if lit is None or not weight:
        return np.asarray(head)
    mixed = np.exp(
        sharpen
        * (
            (1.0 - weight) * np.log(np.asarray(head, dtype=np.float64) + 1e-7)
            + weight * np.log(np.asarray(lit, dtype=np.float64) + 1e-7)
        )
    )
    return (mixed / mixed.sum(axis=-1, keepdims=True)).astype(np.float32)


# ---------------------------------------------------------------- real backends


@dataclass(frozen=True)
class ModelLabels:
    model_version: str
    image_size: int
    types: tuple[str, ...]
    colors: tuple[str, ...]
    embedding_dim: int
    tflite_output: dict[str, tuple[int, int]]
    heads: dict[str, tuple[str, ...]]
    segmentation_grid: int
    segmentation_classes: tuple[str, ...]
    # Detection thresholds chosen on the validation split (regions.detect_garments keyword arguments).
    detection: dict
    # Logistic regression on the embedding: does the photo show a person in an outfit? (regions.fit_outfit_gate)
    outfit_gate: dict
    # How much a chosen region's reading leans on the whole photo's segmentation map ({"weight", "floor"} for
    # regions.with_region_context, chosen on the validation split); empty: the crop alone.
    region_context: dict = dataclasses.field(default_factory=dict)
    # How much the colour head leans on the garment's own pixels ({"weight", "floor"} for
    # pixel_colors.with_pixel_colors, chosen on the validation split); empty: the head alone.
    pixel_colors: dict = dataclasses.field(default_factory=dict)
    # How the detector's garments are checked against their crops' readings ({"drop", "reslot"} for
    # regions.reconcile_garments, chosen on the validation split); empty: as the detector found them.
    reconcile: dict = dataclasses.field(default_factory=dict)
    # Linear probes on the embedding (classifier.probes: labels, weights, bias, threshold; fitted by
    # `manage.py fit_probes`): an outer layer's kind (classifier.outer_kinds), a big graphic on a top
    # (classifier.graphics, with the types it applies to) and the wearer of a photo of a person
    # (classifier.wearers); empty: not read.
    outer_kind: dict = dataclasses.field(default_factory=dict)
    graphic: dict = dataclasses.field(default_factory=dict)
    wearer: dict = dataclasses.field(default_factory=dict)
    # Whether each garment listed in a photo of a person is there (classifier.chip_gate: a logistic regression and its
    # `drop` and `unsure` thresholds, fitted by `manage.py fit_probes`); empty: every garment the crops keep is listed.
    chip_gate: dict = dataclasses.field(default_factory=dict)
    # The colour and pattern of a garment worn, read again from its crop's outputs (classifier.worn_colours: a
    # softmax regression and a pattern calibration fitted on worn garments labelled by eye, by `manage.py
    # fit_probes --probe worn_colour`); empty: read as a garment laid flat is.
    worn_colour: dict = dataclasses.field(default_factory=dict)
    # The kind of a pair of shoes worn, read again from its crop's outputs (classifier.worn_kinds: a softmax regression
    # fitted on worn shoes labelled by eye, by `manage.py fit_probes --probe worn_kind`); empty: the kind head's own.
    worn_kind: dict = dataclasses.field(default_factory=dict)
    # A colour branch trained on photos in many lights (classifier.lit_colour, the output "color_lit"): {"blend"}, its
    # weight in the geometric mean with the colour head, and "sharpen", the power the blend is raised to (1 without
    # it); empty: the colour head alone.
    color_lit: dict = dataclasses.field(default_factory=dict)
    # Which way up a photo is (classifier.orientation, the output "orientation"): {"labels", "turns", "threshold",
    # "person_threshold"}; a photo the branch calls turned at least as surely as the threshold (the person threshold
    # for a photo the outfit gate reads as someone dressed) is read again turned upright. Empty: every photo is read
    # as uploaded.
    orientation: dict = dataclasses.field(default_factory=dict)

    @functools.cached_property
    def type_map_slots(self) -> tuple[int, ...]:
        """For each type (model order), the index of its slot among the segmentation map's garment classes; -1 when
        the map has no such class."""
        type_slot = {code: info.slot for code, info in TYPES.items()}
        return tuple(map_slot_indices(self.types, type_slot, self.segmentation_classes[1:]))

    @classmethod
    def load(cls, model_dir: Path) -> ModelLabels:
        doc = json.loads((model_dir / "labels.json").read_text())
        if unknown := set(doc["types"]) - set(TYPE_CODES):
            raise ValueError(f"{model_dir}: model knows types the vocabulary does not: {sorted(unknown)}")
        if unknown := set(doc["colors"]) - set(COLOR_CODES):
            raise ValueError(f"{model_dir}: model knows colours the vocabulary does not: {sorted(unknown)}")
        if "heads" not in doc or "segmentation" not in doc:
            raise ValueError(
                f"{model_dir}: this artifact predates the pattern/audience/warmth/formality/kind heads and garment "
                "detection (lite0-224-v4); point CLASSIFIER_MODEL_DIR at a newer one"
            )
        heads = {head: tuple(labels) for head, labels in doc["heads"].items()}
        if missing := set(ATTRIBUTE_HEADS) - set(heads):
            raise ValueError(f"{model_dir}: heads missing from labels.json: {sorted(missing)}")
        for head, labels in heads.items():
            if head in ATTRIBUTE_HEADS and (unknown := set(labels) - set(ATTRIBUTE_HEADS[head])):
                raise ValueError(f"{model_dir}: head {head} has labels the vocabulary does not: {sorted(unknown)}")
        return cls(
            model_version=doc["model_version"],
            image_size=int(doc["image_size"]),
            types=tuple(doc["types"]),
            colors=tuple(doc["colors"]),
            embedding_dim=int(doc["embedding_dim"]),
            tflite_output={k: (int(v[0]), int(v[1])) for k, v in doc["tflite_output"].items()},
            heads=heads,
            segmentation_grid=int(doc["segmentation"]["grid"]),
            segmentation_classes=tuple(doc["segmentation"]["classes"]),
            detection=dict(doc.get("detection") or {}),
            outfit_gate=dict(doc.get("outfit_gate") or {}),
            region_context=dict(doc.get("region_context") or {}),
            pixel_colors=dict(doc.get("pixel_colors") or {}),
            reconcile=dict(doc.get("reconcile") or {}),
            outer_kind=probes.loaded(doc.get("outer_kind")),
            graphic=probes.loaded(doc.get("graphic")),
            wearer=probes.loaded(doc.get("wearer")),
            chip_gate=chip_gate.loaded(doc.get("chip_gate")),
            worn_colour=worn_colours.loaded(doc.get("worn_colour")),
            worn_kind=worn_kinds.loaded(doc.get("worn_kind"), heads.get("kind", ())),
            color_lit=dict(doc.get("color_lit") or {}),
            orientation=dict(doc.get("orientation") or {}),
        )


def without_a_mans_dress(reading: Prediction) -> Prediction:
    """A whole outfit read surely as a man's clothes lists no one-piece: the map takes a long shirt, or a coat's lower
    half, for a dress. On the co-parsing train and validation photos read as a man's, 12 of 183 listed a one-piece and
    none of the 12 wore one by its masks or tags (read as a woman's: 573 of 1,034, 256 truly). Kept when fewer than two
    other garments would remain (the outfit would no longer be one)."""
    if reading.wearer is None or reading.wearer.label != "men":
        return reading
    others = tuple(g for g in reading.garments if g.slot != "one_piece")
    if len(others) == len(reading.garments) or len(others) < 2:
        return reading
    return dataclasses.replace(reading, garments=others)


# What the CC0 set shows no man wearing: vocabulary.NOT_A_MANS_TYPES and NOT_A_MANS_KINDS. Read from a photo surely
# of a man, such a reading is the heads' mistake: on the co-parsing train and validation photos read as a man's, 19
# pairs of shoes were read as heels and heels are among the photo's tags for 3 (read as a woman's: 413, of them 165);
# 7 tops were named blouses (5 tagged "shirt"), 1 bottom a skirt (shorts).


def _ruled_out(head: HeadPrediction, codes: frozenset[str]) -> HeadPrediction:
    """A reading with `codes` ruled out of its top 3 (a chip named from the top 3 never takes one): the best label left
    leads, each probability given it is none of them. As read when none is among them, or nothing else is."""
    if not any(code in codes for code, _p in head.top3):
        return head
    others = [(code, p) for code, p in head.top3 if code not in codes]
    left = 1.0 - sum(p for code, p in head.top3 if code in codes)
    if not others or left <= 0.0:
        return head
    top3 = [(code, round(p / left, 4)) for code, p in others]
    return HeadPrediction(top3[0][0], top3[0][1], top3)


def as_a_mans(reading: Prediction) -> Prediction:
    """A photo read surely as a man's names none of his garments by a type or kind no man wears in the CC0 set
    (NOT_A_MANS_TYPES, NOT_A_MANS_KINDS): each such reading takes its next label, so his shirt is not a "blouse" and
    his lace-ups not "heels". One-pieces are dropped before this (`without_a_mans_dress`). Others unchanged."""
    if reading.wearer is None or reading.wearer.label != "men":
        return reading

    def his(prediction: Prediction, slot: str) -> Prediction:
        if slot == "one_piece":  # kept only where the outfit would fall apart without it: as read
            return prediction
        kind = _ruled_out(prediction.kind, NOT_A_MANS_KINDS) if slot == "shoes" else prediction.kind
        return dataclasses.replace(prediction, type=_ruled_out(prediction.type, NOT_A_MANS_TYPES), kind=kind)

    if not reading.garments:  # one garment worn: its own reading
        return his(reading, reading.slot.label)
    garments = tuple(dataclasses.replace(g, prediction=his(g.prediction, g.slot)) for g in reading.garments)
    return dataclasses.replace(reading, garments=garments)


def chip_features(reading: Prediction) -> np.ndarray:
    """classifier.chip_gate's features of the garments listed in an outfit's reading (one row each)."""
    photo = {str(code): float(p) for code, p in reading.slot.top3}
    return chip_gate.features(
        [g.slot for g in reading.garments],
        [g.box for g in reading.garments],
        [g.score for g in reading.garments],
        [dict(g.prediction.slot.top3).get(g.slot, 0.0) for g in reading.garments],
        [g.prediction.type.confidence for g in reading.garments],
        photo,
    )


# A one-piece listed over the same legs as a bottom (box IoU at least this) is shown as doubtful: the map found both
# for one garment, and it is mostly the bottom. In the co-parsing train street photos where a one-piece and a bottom
# are listed so (72), the bottom is there 39 times and the one-piece 31 by the dataset's labels (IoU >= 0.3 with a
# garment of its slot). But those labels call a skirt worn under a separate top a "dress": in 44 of the 51 train photos
# labelled with both a top and a dress, the dress starts at least half the top's height below the top's upper edge,
# and by eye about 3 in 4 of those 44 are skirts (most of the rest trousers, a coat or unclear). Counting such a
# "dress" as the bottom it looks like, the bottom is there 55 times and the one-piece 15 (framings of the same photos
# 45 and 23, on a studio backdrop 43 and 12; validation street photos 10 and 3, framings 9 and 1, studio 7 and 1).
ONE_PIECE_OVER_BOTTOM_IOU = 0.3


def with_doubtful_one_piece(garments: Sequence[DetectedGarment]) -> tuple[DetectedGarment, ...]:
    """Garments with a one-piece that lies over a listed bottom (ONE_PIECE_OVER_BOTTOM_IOU) marked `unsure`: still
    listed (the shopper may tap it), shown as one we are not sure of. Others unchanged."""
    bottoms = [g.box for g in garments if g.slot == "bottom"]
    return tuple(
        dataclasses.replace(g, unsure=True)
        if g.slot == "one_piece" and any(box_iou(g.box, b) >= ONE_PIECE_OVER_BOTTOM_IOU for b in bottoms)
        else g
        for g in garments
    )


# A one-piece listed beside a top, with no bottom listed, is listed as a bottom when its own crop gives a bottom's type
# at least this probability among its top 3 (the most likely such type names it). The map takes a skirt or trousers
# worn under a separate top for a dress's lower half. On the co-parsing train street photos read as outfits by
# lite0-224-v13, 44 pixel-labelled one-pieces were listed beside a top and no bottom: the garment of the masks (with
# classifier/labels/coparsing_corrections.csv) that most overlaps the box is a bottom 20 times and a one-piece 24.
# Listing one as the bottom its crop names from 0.1 names 31 of the 44 with the masks' slot and type, against 24 as
# found (0: 27, 0.02: 29, 0.05: 31, 0.15: 30, 0.2: 29, 0.3: 26; the higher of the two best); validation 8 of 10
# against 3. README has evaluate_classifier's figures.
ONE_PIECE_BESIDE_A_TOP_AS_BOTTOM = 0.1


def with_bottom_under_a_top(garments: Sequence[DetectedGarment]) -> tuple[DetectedGarment, ...]:
    """Garments with a one-piece listed beside a top (and no bottom) taken for the bottom its crop gives at least
    ONE_PIECE_BESIDE_A_TOP_AS_BOTTOM among its top 3 types; its reading is kept (the type is the crop's best bottom
    type once held to the slot: recommender.services.reading_in_slot). Others unchanged."""
    slots = {g.slot for g in garments}
    if "top" not in slots or "bottom" in slots:
        return tuple(garments)

    def as_bottom(garment: DetectedGarment) -> bool:
        return garment.slot == "one_piece" and any(
            type_in_slot(code, "bottom") and p >= ONE_PIECE_BESIDE_A_TOP_AS_BOTTOM
            for code, p in garment.prediction.type.top3
        )

    return tuple(dataclasses.replace(g, slot="bottom") if as_bottom(g) else g for g in garments)


def with_chip_gate(reading: Prediction, gate: Mapping) -> Prediction:
    """An outfit's reading with the artifact's chip gate (classifier.chip_gate) applied: each listed garment gets how
    likely it is there (`presence`) and whether that is under the gate's `unsure` (or lies over a listed bottom as a
    one-piece: `with_doubtful_one_piece`); one under its `drop` is no longer listed. When fewer than two garments
    stand, the photo is read as the one garment someone wears (the larger one left, as a photo whose map finds one
    garment is). Unchanged without a gate or garments."""
    if not gate or not reading.garments:
        return reading
    presence = chip_gate.probabilities(chip_features(reading), gate)
    drop, unsure = float(gate["drop"]), float(gate["unsure"])
    kept = tuple(
        dataclasses.replace(g, presence=round(float(p), 4), unsure=bool(p < unsure))
        for g, p in zip(reading.garments, presence, strict=True)
        if p >= drop
    )
    if len(kept) >= 2:
        return dataclasses.replace(reading, garments=with_doubtful_one_piece(kept))
    left = kept or reading.garments
    one = left[largest_garment([(g.slot, g.box) for g in left])]
    return dataclasses.replace(
        one.prediction, worn_box=one.box, wearer=reading.wearer, wearer_guess=reading.wearer_guess
    )


class _ArrayPredictor:
    """Shared batching/post-processing; subclasses turn a (n, size, size, 3) batch into named output arrays."""

    labels: ModelLabels

    @property
    def model_version(self) -> str:
        return self.labels.model_version

    @property
    def embedding_dim(self) -> int:
        return self.labels.embedding_dim

    @property
    def image_size(self) -> int:
        return self.labels.image_size

    def _forward(self, batch: np.ndarray) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def _with_bottom_split(self, out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """A network with the output `segmentation_split`: its outfit map's bottom and one-piece mass shared out again
        by it (regions.with_bottom_split), the split itself dropped. Others unchanged."""
        split = out.pop("segmentation_split", None)
        if split is None:
            return out
        out["segmentation"] = with_bottom_split(out["segmentation"], split, self.labels.segmentation_classes)
        return out

    # -- raw outputs (evaluation)

    def outputs(self, images: Sequence[Image.Image], *, worn: bool = False) -> dict[str, np.ndarray]:
        """Every raw output for whole photos, in the model's label order: type, color, embedding, each attribute
        head, and segmentation (n, G, G, classes). `worn`: the images are crops of garments someone wears, whose
        colour and pattern the artifact's `worn_colour` reads again (the flat reading's colour kept as
        "color_flat")."""
        batch = to_model_batch(images, self.labels.image_size)
        out = self._with_pixel_colors(self._forward(batch), batch)
        return self._as_worn(out) if worn else out

    def _as_worn(self, out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Outputs of crops of garments someone wears: colour and pattern read again (the artifact's `worn_colour`),
        and the shoes' kind (its `worn_kind`)."""
        out = worn_colours.as_worn(out, self.labels.worn_colour, self.labels.heads["pattern"])
        return worn_kinds.as_worn(out, self.labels.worn_kind)

    def _with_pixel_colors(self, out: dict[str, np.ndarray], batch: np.ndarray) -> dict[str, np.ndarray]:
        """Add "color_pixels" (what the garment's pixels say, pixel_colors.garment_color_shares), "color_head" (the
        colour head alone) and "color_network" (what the network reads of the colour: the head, blended with the
        artifact's lit colour branch when it has one, any_light_colour); "color" is "color_network", with the
        artifact's `pixel_colors` weighed by the pixels. The branch's own output "color_lit" is dropped."""
        lit = out.pop("color_lit", None)
        blend = self.labels.color_lit
        network = any_light_colour(out["color"], lit, float(blend.get("blend", 0.0)), float(blend.get("sharpen", 1.0)))
        if "segmentation" not in out:
            return {**out, "color": network}
        step = max(1, batch.shape[1] // 56)  # a 56-pixel view of the model input is plenty to name a colour
        pixels = np.clip(batch[:, ::step, ::step] * 128.0 + 127.0, 0, 255).astype(np.uint8)
        shares = np.stack(
            [
                garment_color_shares(view, segmentation, self.labels.colors)
                for view, segmentation in zip(pixels, out["segmentation"], strict=True)
            ]
        )
        out = {**out, "color_head": out["color"], "color_network": network, "color_pixels": shares.astype(np.float32)}
        params = self.labels.pixel_colors
        out["color"] = network
        if params:
            out["color"] = np.stack(
                [
                    with_pixel_colors(head, share, weight=float(params["weight"]), floor=float(params["floor"]))
                    for head, share in zip(network, shares, strict=True)
                ]
            ).astype(np.float32)
        return out

    def probabilities(self, images: Sequence[Image.Image]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Raw type probs, colour probs and embeddings in the model's label order (kept for older callers)."""
        out = self.outputs(images)
        return out["type"], out["color"], out["embedding"]

    # -- readings

    def _readings(self, out: dict[str, np.ndarray]) -> list[Prediction]:
        readings = [
            build_prediction(
                out["type"][i],
                out["color"][i],
                out["embedding"][i],
                heads={head: out[head][i] for head in ATTRIBUTE_HEADS},
                model_version=self.model_version,
                types=self.labels.types,
                colors=self.labels.colors,
                head_labels=self.labels.heads,
            )
            for i in range(len(out["type"]))
        ]
        if readings and self.labels.outer_kind:
            readings = self._with_outer_kinds(readings, out["embedding"])
        if readings and self.labels.graphic:
            readings = self._with_graphics(readings, out["embedding"])
        return readings

    def _with_outer_kinds(self, readings: list[Prediction], embeddings: np.ndarray) -> list[Prediction]:
        """The outer kind (classifier.outer_kinds) on every reading whose probe reaches the artifact's threshold."""
        model = self.labels.outer_kind
        kinds = probes.probabilities(embeddings, model)
        return [
            dataclasses.replace(reading, outer_kind=head_prediction(probs, model["labels"]))
            if float(probs.max()) >= float(model["threshold"])
            else reading
            for reading, probs in zip(readings, kinds, strict=True)
        ]

    def _with_graphics(self, readings: list[Prediction], embeddings: np.ndarray) -> list[Prediction]:
        """A top the pattern head calls solid but the graphic probe (classifier.graphics) calls a big print, at least
        as surely as the artifact's threshold, is read as patterned with the probe's confidence; the probe's reading
        stays beside it (`graphic`)."""
        model = self.labels.graphic
        found = probes.probabilities(embeddings, model)[:, list(model["labels"]).index("graphic")]
        types = set(model["types"])
        result = []
        for reading, graphic in zip(readings, found, strict=True):
            if reading.type.label in types and reading.pattern.label == "solid" and graphic >= model["threshold"]:
                probs = np.array([1.0 - graphic, graphic])
                reading = dataclasses.replace(
                    reading,
                    pattern=head_prediction(probs, ("solid", "pattern")),
                    graphic=head_prediction(probs, ("plain", "graphic")),
                )
            result.append(reading)
        return result

    def predict(self, image: Image.Image) -> Prediction:
        """Read one upright RGB photo (see classifier.imaging.open_image): one garment, or a whole outfit."""
        return self.predict_batch([image])[0]

    def predict_batch(self, images: Sequence[Image.Image]) -> list[Prediction]:
        return self._read_batch(images)[0]

    def wearer_features(self, images: Sequence[Image.Image]) -> list[np.ndarray]:
        """What the wearer probe reads of each photo, as the product reads it (classifier.wearers.features: the whole
        photo's embedding beside its worn garments' crops; the whole photo's alone for a garment laid flat)."""
        return self._read_batch(images)[1]

    def _read_batch(self, images: Sequence[Image.Image]) -> tuple[list[Prediction], list[np.ndarray]]:
        """Each photo's reading; a screenshot of an app (regions.photo_in_screenshot: an outfit saved from a social
        app, the status bar, header, icons and caption around it) is read from the photo inside it, and its boxes
        given in the screenshot's own fractions (the page outlines them on what was uploaded). A photo the
        orientation branch calls turned (a garment photographed from the bed's side) is read turned upright, its boxes
        given on the photo as uploaded (`Prediction.turned`)."""
        frames = [photo_in_screenshot(image) for image in images]
        photos = [image if f is None else image.crop(f) for image, f in zip(images, frames, strict=True)]
        if not photos:
            return [], []
        photos, out, turned = self._upright(photos, self.outputs(photos))
        readings, features = self._read_photos(photos, out)
        readings = [_as_uploaded(r, t) for r, t in zip(self._as_boards(photos, readings), turned, strict=True)]
        shown = zip(readings, frames, images, strict=True)
        return [_in_screenshot(reading, f, image.size) for reading, f, image in shown], features

    def _as_boards(self, images: Sequence[Image.Image], readings: list[Prediction]) -> list[Prediction]:
        """An outfit board (regions.board_cells: a photo of each piece side by side or on a grid) lists its photos
        as garments, each read as a garment laid flat (one forward pass for all of them), when they show garments of
        two slots or more; its whole reading stays beside them. A photo first read as someone wearing clothes (an
        outfit map gone astray on a grid of photos) is taken as a board only when the outfit gate reads every photo of
        it as a garment laid flat (a street photo cut along straight edges is parts of a person), and without a gate
        not at all. Every other photo as read."""
        gate = self.labels.outfit_gate
        boards = []
        for i, (image, reading) in enumerate(zip(images, readings, strict=True)):
            if not gate and (reading.garments or reading.worn_box is not None):
                continue
            if (cells := board_cells(image)) is not None:
                boards.append((i, cells))
        if not boards:
            return readings
        crops = [pad_to_aspect(images[i].crop(cell)) for i, cells in boards for cell in cells]
        out = self.outputs(crops)
        flat = [outfit_probability(e, gate) < gate["threshold"] if gate else True for e in out["embedding"]]
        cell_readings = iter(zip(self._readings(out), flat, strict=True))
        readings = list(readings)
        for i, cells in boards:
            width, height = images[i].size
            read_cells = [(cell, *next(cell_readings)) for cell in cells]
            garments = tuple(
                DetectedGarment(
                    slot=read.slot.label,
                    box=(cell[0] / width, cell[1] / height, cell[2] / width, cell[3] / height),
                    score=round(float(read.slot.confidence), 4),
                    prediction=read,
                )
                for cell, read, _flat in read_cells
                if read.slot.label in DETECTION_SLOTS
            )
            worn = bool(readings[i].garments) or readings[i].worn_box is not None
            if worn and not all(is_flat for _cell, _read, is_flat in read_cells):
                continue
            if len({garment.slot for garment in garments}) >= 2:  # nobody wears a board: no wearer, nobody beside
                readings[i] = dataclasses.replace(
                    readings[i],
                    garments=garments,
                    worn_box=None,
                    board=True,
                    wearer=None,
                    wearer_guess=None,
                    other_people=0,
                )
        return readings

    def turns_read(self, out: Mapping[str, np.ndarray]) -> np.ndarray:
        """How far each photo of `out` lies turned from upright (classifier.turns, degrees; 0 when read as
        uploaded), as the artifact's orientation branch reads it; all 0 without it."""
        block, probs = self.labels.orientation, out.get("orientation")
        if not block or probs is None:
            return np.zeros(len(out["type"]), dtype=int)
        # A photo of someone dressed (the outfit gate's word) needs the branch surer: a shop's landscape or square
        # photo of a model is upright, and a street photo seldom loses its EXIF orientation.
        thresholds = np.full(len(probs), float(block["threshold"]))
        gate = self.labels.outfit_gate
        if gate and "person_threshold" in block:
            for i, embedding in enumerate(out["embedding"]):
                if (outfit_probability(embedding, gate) or 0.0) >= gate["threshold"]:
                    thresholds[i] = float(block["person_threshold"])
        decided = turns.turn_decisions(probs, thresholds)
        return np.asarray([int(block["turns"][k]) for k in decided], dtype=int)

    def upright_outputs(self, images: Sequence[Image.Image]) -> dict[str, np.ndarray]:
        """`outputs` of whole photos as the product reads them: a photo the orientation branch calls turned is read
        turned upright (evaluation scores photos so)."""
        return self._upright(images, self.outputs(images))[1]

    def _upright(
        self, images: Sequence[Image.Image], out: dict[str, np.ndarray]
    ) -> tuple[list[Image.Image], dict[str, np.ndarray], list[int]]:
        """Photos the orientation branch calls turned (a garment photographed from the bed's side), turned upright and
        read again (one more forward pass, for those photos only): the photos as read, their outputs, and how far
        each lay turned (0 for the rest)."""
        turned = [int(t) for t in self.turns_read(out)]
        again = [i for i, t in enumerate(turned) if t]
        if not again:
            return list(images), out, turned
        images = list(images)
        for i in again:
            images[i] = turns.upright(images[i], turned[i])
        read = self.outputs([images[i] for i in again])
        out = {name: value.copy() for name, value in out.items()}
        for name, value in read.items():
            out[name][again] = value
        return images, out, turned

    def _read_photos(
        self, images: Sequence[Image.Image], out: dict[str, np.ndarray]
    ) -> tuple[list[Prediction], list[np.ndarray]]:
        """Each photo's reading from its outputs `out` (self.outputs(images))."""
        readings = self._readings(out)
        worn, others = self._as_street_photos(
            images,
            [self._what_is_worn(image, out["segmentation"][i], out["embedding"][i]) for i, image in enumerate(images)],
            out["segmentation"],
        )
        found = [regions for regions, _single in worn]
        singles = [single for _regions, single in worn]
        crops = [garment_crop(images[i], r[1], margin=CROP_MARGIN) for i, regions in enumerate(found) for r in regions]
        in_outfits = len(crops)
        crops += [garment_crop(images[i], box, margin=CROP_MARGIN) for i, box in enumerate(singles) if box is not None]
        if not crops:
            return readings, [wearers.features(e, []) for e in out["embedding"]]
        crop_out = self.outputs(crops, worn=True)
        all_readings = self._readings(crop_out)
        crop_readings = iter(all_readings[:in_outfits])
        single_readings = iter(all_readings[in_outfits:])
        crop_slots = iter(slot_probabilities(row, self.labels.types) for row in crop_out["type"][:in_outfits])
        results, features = [], []
        for i, (reading, regions, single) in enumerate(zip(readings, found, singles, strict=True)):
            if single is not None:  # one garment worn: its crop is the reading
                worn_reading = dataclasses.replace(next(single_readings), worn_box=single)
                features.append(wearers.features(out["embedding"][i], [worn_reading.embedding]))
                results.append(self._with_wearer(worn_reading, features[-1]))
                continue
            mine = [next(crop_readings) for _ in regions]
            kept = reconciled_garments(regions, [next(crop_slots) for _ in regions], SLOTS, self.labels.reconcile)
            if regions and not kept:  # found on a person, but fewer than two garments stand: the largest is read
                index = largest_garment([(slot, box) for slot, box, _score in regions])
                features.append(wearers.features(out["embedding"][i], [mine[index].embedding]))
                results.append(
                    self._with_wearer(dataclasses.replace(mine[index], worn_box=regions[index][1]), features[-1])
                )
                continue
            garments = tuple(
                DetectedGarment(slot=slot, box=regions[k][1], score=regions[k][2], prediction=mine[k])
                for k, slot in kept
            )
            features.append(wearers.features(out["embedding"][i], [g.prediction.embedding for g in garments]))
            outfit = without_a_mans_dress(
                self._with_wearer(dataclasses.replace(reading, garments=garments), features[-1])
            )
            gated = with_chip_gate(outfit, self.labels.chip_gate)
            if gated.garments:
                gated = dataclasses.replace(gated, garments=with_bottom_under_a_top(gated.garments))
            results.append(gated)
        return [
            as_a_mans(dataclasses.replace(result, other_people=n) if n else result)
            for result, n in zip(results, others, strict=True)
        ], features

    def _as_street_photos(
        self,
        images: Sequence[Image.Image],
        worn: list[tuple[list[tuple[str, Box, float]], Box | None]],
        maps: np.ndarray,
    ) -> tuple[list[tuple[list[tuple[str, Box, float]], Box | None]], list[int]]:
        """A photo in which someone wears clothes but framed otherwise than a street photo (a 9:16 phone photo, a
        square shop photo), read again as a street photo is framed (regions.street_view, around the garments found;
        one more forward pass): its garments are those found there when they make a whole outfit. Every other photo,
        a garment laid flat included, as read. A shop's photo of one garment on a model may so become an outfit: street
        photo 0043 cut below the waist, first read as its trousers alone, lists them with a doubtful "outer" (a coat's
        hem). Reading again only the photos whose map first found two slots or more found less (validation photos
        reframed, found as served: square 0.836 → 0.824, landscape 0.849 → 0.846, on a studio backdrop 0.620 → 0.605
        and 0.642 → 0.616), the shop-like framings alike. A photo whose first map (`maps`) shows two people side by
        side is read as a street photo of the one with the most garments (regions.person_view): what is found there
        stands, an outfit or one garment worn, and the number of people beside that one is given with the garments
        (0 for every other photo)."""
        views = []
        others = [0] * len(images)
        for i, image in enumerate(images):
            regions, single = worn[i]
            if not regions and single is None:
                continue
            people = people_in_map(maps[i])
            if (view := person_view(image, people, model_frame(*image.size))) is not None:
                views.append((i, view, len(people) - 1))
                continue
            boxes = [box for _slot, box, _score in regions] or ([single] if single is not None else [])
            if (view := street_view(image, boxes)) is not None:
                views.append((i, view, 0))
        if not views:
            return worn, others
        out = self.outputs([view.image for _i, view, _beside in views])
        worn = list(worn)
        for j, (i, view, beside) in enumerate(views):
            regions, single = self._what_is_worn(images[i], out["segmentation"][j], out["embedding"][j], view)
            if regions or (beside and single is not None):
                worn[i], others[i] = (regions, None if regions else single), beside
        return worn, others

    def _with_wearer(self, reading: Prediction, features: np.ndarray) -> Prediction:
        """A photo of someone wearing clothes, with its wearer (classifier.wearers) when the artifact has the probe
        and it reaches the threshold of the audience it names; below it, the reading is kept as `wearer_guess`."""
        model = self.labels.wearer
        if not model or (not reading.garments and reading.worn_box is None):
            return reading
        probs = probes.probabilities(features, model)
        read = head_prediction(probs, model["labels"])
        if not wearers.sure(probs, model["threshold"]):
            return dataclasses.replace(reading, wearer_guess=read)
        return dataclasses.replace(reading, wearer=read)

    def predict_crop(self, image: Image.Image, box: Sequence[float]) -> Prediction:
        """Read the region `box` (x0, y0, x1, y1 as fractions of the upright photo) as one garment: its crop, and
        with the artifact's `region_context`, the whole photo's segmentation map in that box (one batch of two), so a
        skirt cut from a mirror photo is not read as a dress for lack of the person around it; when the photo shows
        someone wearing clothes, the region's colour and pattern are read as a worn garment's (`worn_colour`), and
        the map of a photo framed otherwise than a street photo is its street view's around the box
        (regions.street_view: the model's own trim would cut off the feet of a 9:16 phone photo). Raises ValueError
        for an empty or malformed box."""
        # A garment of the photo in a screenshot is read in that photo (a box mostly on the caption, as drawn).
        if (frame := photo_in_screenshot(image)) is not None and share_in_frame(box, frame, *image.size) >= 0.5:
            image, box = image.crop(frame), photo_box_to_frame(clip_box(box), frame, *image.size)
        crop = garment_crop(image, box)
        context = self.labels.region_context
        if not context:  # the crop alone, turned upright when the branch calls it turned
            _crop, out, turned = self._upright([crop], self.outputs([crop]))
            return dataclasses.replace(self._readings(out)[0], turned=turned[0])
        out = self.outputs([crop, image])
        # A region of a photo that lies turned (a shirt photographed from the bed's side) is read on the photo turned
        # upright (one more forward pass).
        if turn := int(self.turns_read({name: value[1:] for name, value in out.items()})[0]):
            image, box = turns.upright(image, turn), turns.box_on_turned(clip_box(box), (360 - turn) % 360)
            crop = garment_crop(image, box)
            out = self.outputs([crop, image])
        regions, single = self._what_is_worn(image, out["segmentation"][1], out["embedding"][1])
        segmentation, frame = out["segmentation"][1], None
        if regions or single is not None:  # a garment someone wears: its colour, pattern and shoe kind read as worn
            out = self._as_worn(out)
            if (view := street_view(image, [clip_box(box)])) is not None:  # its map as a street photo's
                segmentation, frame = self.outputs([view.image])["segmentation"][0], view.frame
        out["type"][0] = self.region_type_probs(out["type"][0], segmentation, image.size, clip_box(box), frame)
        return dataclasses.replace(self._readings({name: value[:1] for name, value in out.items()})[0], turned=turn)

    def region_type_probs(
        self,
        type_probs: np.ndarray,
        segmentation: np.ndarray,
        size: tuple[int, int],
        box: Box,
        frame: tuple[int, int, int, int] | None = None,
    ) -> np.ndarray:
        """A region's crop type probabilities weighed by the photo's segmentation map inside the box (see
        regions.with_region_context; `frame`, the window of the photo the map saw, by default model_frame's);
        unchanged without the artifact's `region_context`."""
        context = self.labels.region_context
        if not context:
            return type_probs
        shares = photo_box_slot_shares(segmentation, size, box, frame)
        return with_region_context(
            type_probs,
            shares,
            self.labels.type_map_slots,
            weight=float(context["weight"]),
            floor=float(context["floor"]),
        ).astype(np.float32)

    def detect(
        self, image: Image.Image, segmentation: np.ndarray, embedding: np.ndarray | None = None
    ) -> list[tuple[str, Box, float]]:
        """(slot, box in photo fractions, score) of each garment found, when the photo is an outfit (two or more
        slots found, and the outfit gate on the embedding agrees); else []."""
        return self._what_is_worn(image, segmentation, embedding)[0]

    def worn_garment_box(
        self, image: Image.Image, segmentation: np.ndarray, embedding: np.ndarray | None
    ) -> Box | None:
        """For a photo of someone wearing clothes in which fewer than two slots are found (a shop's photo of a garment
        on a model, cut at the waist or the knees): the box of the largest garment found (shoes only when nothing else
        is), to be read instead of the whole photo with the face, skin and background around it. None for a photo the
        outfit gate calls a garment laid flat, without a gate, or when no garment is found."""
        return self._what_is_worn(image, segmentation, embedding)[1]

    def _what_is_worn(
        self,
        image: Image.Image,
        segmentation: np.ndarray,
        embedding: np.ndarray | None,
        view: StreetView | None = None,
    ) -> tuple[list[tuple[str, Box, float]], Box | None]:
        """A photo's garments read once: those of a whole outfit (`detect`), or the box of the one garment a person
        wears (`worn_garment_box`); ([], None) for a garment laid flat. `view`: the street view the map read (by
        default the photo through regions.model_frame)."""
        gate = self.labels.outfit_gate
        probability = outfit_probability(embedding, gate) if gate and embedding is not None else None
        if probability is not None and probability < gate["threshold"]:
            return [], None
        found = self._garments_found(image, segmentation, view)
        if is_outfit([region for region, _box in found]):
            return [(region.slot, box, region.score) for region, box in found][:MAX_GARMENTS], None
        if probability is None or not found:  # without the gate's word, never read as one garment worn
            return [], None
        boxes = [(region.slot, box) for region, box in found]
        return [], boxes[largest_garment(boxes)][1]

    def _garments_found(
        self, image: Image.Image, segmentation: np.ndarray, street: StreetView | None = None
    ) -> list[tuple[Region, Box]]:
        """The segmentation map's garments with their boxes in photo fractions, but for a garment that is only the
        plain backdrop of a studio photo (regions.on_backdrop). `street`: the street view the map read, if any."""
        regions = detect_garments(segmentation, slots=self.labels.segmentation_classes[1:], **self.labels.detection)
        if not regions:
            return []
        width, height = image.size
        frame = street.frame if street is not None else model_frame(width, height)
        found = [(r, region_box_to_photo(r.box, frame, width, height, sides=street is None)) for r in regions]
        view = backdrop_view(image)
        backdrop = plain_backdrop(view)
        return [(region, box) for region, box in found if not on_backdrop(view, box, backdrop)]


class TFLitePredictor(_ArrayPredictor):
    """model.tflite through ai_edge_litert (tf.lite only when litert is not installed)."""

    def __init__(self, model_dir: Path, *, num_threads: int = 2) -> None:
        self.model_dir = Path(model_dir)
        self.labels = ModelLabels.load(self.model_dir)
        try:
            # lazy: loaded with the model; where ai-edge-litert is missing, the fallback below uses tf.lite
            from ai_edge_litert.interpreter import Interpreter  # noqa: PLC0415
        except ImportError:  # pragma: no cover - litert is a requirement; this keeps old images working
            # lazy: TensorFlow is imported only when a model loads (web workers never import it)
            import tensorflow as tf  # noqa: PLC0415

            Interpreter = tf.lite.Interpreter  # noqa: N806
        self._interpreter = Interpreter(model_path=str(self.model_dir / "model.tflite"), num_threads=num_threads)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._batch = 1
        self._interpreter.allocate_tensors()
        # One interpreter is not thread-safe; gunicorn threads share the cached predictor.
        self._lock = threading.Lock()

    def _forward(self, batch: np.ndarray) -> dict[str, np.ndarray]:
        with self._lock:
            if batch.shape[0] != self._batch:
                self._interpreter.resize_tensor_input(self._input, list(batch.shape))
                self._interpreter.allocate_tensors()
                self._batch = batch.shape[0]
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            joined = self._interpreter.get_tensor(self._output).copy()
        out = {name: joined[:, slice(*span)] for name, span in self.labels.tflite_output.items()}
        grid = self.labels.segmentation_grid
        out["segmentation"] = out["segmentation"].reshape(len(batch), grid, grid, -1)
        return self._with_bottom_split(out)


class KerasPredictor(_ArrayPredictor):
    """model.keras through a compiled forward pass (never model.predict per request). Imports TensorFlow."""

    def __init__(self, model_dir: Path) -> None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        # lazy: TensorFlow is imported only here, when the Keras model loads (web workers never import it)
        import keras  # noqa: PLC0415
        import tensorflow as tf  # noqa: PLC0415

        self.model_dir = Path(model_dir)
        self.labels = ModelLabels.load(self.model_dir)
        self.model = keras.models.load_model(self.model_dir / "model.keras", compile=False)
        model = self.model
        self._call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
        self._tf = tf

    def _forward(self, batch: np.ndarray) -> dict[str, np.ndarray]:
        out = self._call(self._tf.constant(batch))
        return self._with_bottom_split({name: value.numpy() for name, value in out.items()})


def model_backed(predictor: Predictor, purpose: str) -> _ArrayPredictor:
    """`predictor` narrowed to a model-backed backend (tflite or keras), for callers that need what only those have:
    raw outputs, labels, image size, forward pass. TypeError for any other backend (the fake one has none of them)."""
    if not isinstance(predictor, _ArrayPredictor):
        raise TypeError(f"{purpose} needs a tflite or keras predictor, not {type(predictor).__name__}")
    return predictor


# ---------------------------------------------------------------- fake backend


class FakePredictor:
    """No model, deterministic.

    One garment: colour = the vocabulary swatch nearest the mean colour of the image centre, type from
    settings.CLASSIFIER_FAKE_TYPE (default "t-shirt"), pattern "pattern" when the centre's pixels vary a lot (standard
    deviation over 40) else "solid", audience "unisex", warmth "mild", formality "casual", kind "sneakers", embedding =
    a small colour histogram.

    Whole outfit (for tests of the garment list): an image made of 2 to 4 full-width horizontal bands of clearly
    different plain colours (each at least 10% of the height, neighbours at different swatches) is read as an outfit,
    one garment per band from the top: 2 bands = top, bottom; 3 = top, bottom, shoes; 4 = outer, top, bottom, shoes.
    Each garment's box is its band, its type the slot's first type (kind "sneakers" for shoes), its colour the band's.
    Anything else (a plain image, a garment on a floor) has no garments."""

    model_version = "fake"
    embedding_dim = 64
    BAND_SLOTS: dict[int, tuple[str, ...]] = {
        2: ("top", "bottom"),
        3: ("top", "bottom", "shoes"),
        4: ("outer", "top", "bottom", "shoes"),
    }

    def __init__(self, type_code: str = "t-shirt") -> None:
        if type_code not in TYPES:
            raise ValueError(f"CLASSIFIER_FAKE_TYPE {type_code!r} is not a type code")
        self.type_code = type_code
        self._swatches = np.array([_hex_to_rgb(COLORS[c].hex) for c in COLOR_CODES], dtype=np.float64)

    def _nearest(self, mean: np.ndarray) -> np.ndarray:
        distances = np.linalg.norm(self._swatches - mean, axis=1)
        scores = np.exp(-distances / 40.0)
        return scores / scores.sum()

    def _outputs(self, image: Image.Image, type_code: str | None = None) -> dict[str, np.ndarray]:
        rgb = image.convert("RGB")
        width, height = rgb.size
        box = (width // 4, height // 4, max(width // 4 + 1, 3 * width // 4), max(height // 4 + 1, 3 * height // 4))
        centre = np.asarray(rgb.crop(box), dtype=np.float64).reshape(-1, 3)
        type_probs = np.full(len(TYPE_CODES), 0.1 / (len(TYPE_CODES) - 1))
        type_probs[TYPE_CODES.index(type_code or self.type_code)] = 0.9
        small = np.asarray(rgb.resize((32, 32)), dtype=np.int64) // 64  # 4 levels per channel -> 64 bins
        histogram = np.bincount((small[..., 0] * 16 + small[..., 1] * 4 + small[..., 2]).ravel(), minlength=64)
        patterned = float(centre.std(axis=0).mean()) > 40.0
        return {
            "type": type_probs,
            "color": self._nearest(centre.mean(axis=0)),
            "embedding": histogram.astype(np.float32),
            "pattern": _one_hot(PATTERN_CODES, "pattern" if patterned else "solid"),
            "audience": _one_hot(AUDIENCE_CODES, "unisex"),
            "warmth": _one_hot(WARMTH_CODES, "mild"),
            "formality": _one_hot(FORMALITY_CODES, "casual"),
            "kind": _one_hot(SHOE_KINDS, "sneakers"),
        }

    def _reading(self, image: Image.Image, type_code: str | None = None) -> Prediction:
        out = self._outputs(image, type_code)
        return build_prediction(
            out["type"],
            out["color"],
            out["embedding"],
            heads={head: out[head] for head in ATTRIBUTE_HEADS},
            model_version=self.model_version,
        )

    def probabilities(self, images: Sequence[Image.Image]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        outputs = [self._outputs(image) for image in images]
        return tuple(np.stack([o[k] for o in outputs]) for k in ("type", "color", "embedding"))  # type: ignore[return-value]

    def bands(self, image: Image.Image) -> list[tuple[float, float]]:
        """The (top, bottom) fractions of the plain horizontal colour bands, when there are 2 to 4; else []."""
        rows = np.asarray(image.convert("RGB").resize((16, 64), Image.Resampling.NEAREST), dtype=np.float64)
        if rows.std(axis=1).mean() > 12.0:  # not plain across the width
            return []
        row_colors = [int(np.argmax(self._nearest(row.mean(axis=0)))) for row in rows]
        runs: list[list[int]] = []  # [start, end, colour]
        for index, color in enumerate(row_colors):
            if runs and runs[-1][2] == color:
                runs[-1][1] = index + 1
            else:
                runs.append([index, index + 1, color])
        if not 2 <= len(runs) <= 4 or min(end - start for start, end, _ in runs) < 0.1 * len(rows):
            return []
        return [(start / len(rows), end / len(rows)) for start, end, _ in runs]

    def predict(self, image: Image.Image) -> Prediction:
        reading = self._reading(image)
        bands = self.bands(image)
        if not bands:
            return reading
        width, height = image.size
        garments = []
        for slot, (top, bottom) in zip(self.BAND_SLOTS[len(bands)], bands, strict=True):
            box = (0.0, top, 1.0, bottom)
            crop = image.crop((0, round(top * height), width, max(round(top * height) + 1, round(bottom * height))))
            type_code = next(code for code, info in TYPES.items() if info.slot == slot)
            garments.append(DetectedGarment(slot, box, 0.9, self._reading(crop, type_code)))
        return dataclasses.replace(reading, garments=tuple(garments))

    def predict_batch(self, images: Sequence[Image.Image]) -> list[Prediction]:
        return [self.predict(image) for image in images]

    def wearer_features(self, images: Sequence[Image.Image]) -> list[np.ndarray]:
        return [wearers.features(self._outputs(image)["embedding"], []) for image in images]

    def predict_crop(self, image: Image.Image, box: Sequence[float]) -> Prediction:
        return self._reading(crop_to_box(image, box))


def _one_hot(labels: Sequence[str], label: str, confidence: float = 0.7) -> np.ndarray:
    probs = np.full(len(labels), (1.0 - confidence) / (len(labels) - 1))
    probs[labels.index(label)] = confidence
    return probs


def _hex_to_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


# ---------------------------------------------------------------- factory


BACKENDS: tuple[str, ...] = ("tflite", "keras", "fake")


def load_predictor(model_dir: str | Path, *, backend: str = "tflite", num_threads: int = 2) -> Predictor:
    """Build a predictor for one artifact folder (uncached; get_predictor() is the cached per-process one)."""
    if backend == "tflite":
        return TFLitePredictor(Path(model_dir), num_threads=num_threads)
    if backend == "keras":
        return KerasPredictor(Path(model_dir))
    if backend == "fake":
        return FakePredictor()
    raise ValueError(f"unknown classifier backend {backend!r}; choose one of {', '.join(BACKENDS)}")


@functools.cache
def get_predictor() -> Predictor:
    """The process-wide predictor chosen by settings.CLASSIFIER_BACKEND (cache_clear() in tests)."""
    backend = settings.CLASSIFIER_BACKEND
    if backend == "fake":
        return FakePredictor(getattr(settings, "CLASSIFIER_FAKE_TYPE", "t-shirt"))
    return load_predictor(settings.CLASSIFIER_MODEL_DIR, backend=backend, num_threads=settings.CLASSIFIER_NUM_THREADS)
