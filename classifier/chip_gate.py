"""Is a listed garment there? A logistic regression on what the product knows of each garment it lists in a photo of
a person (the chip the shopper may tap), fitted on the co-parsing train photos and their shop-like framings, where the
garment maps say which listed garments are there. Pure NumPy.

On a shop's photo of a garment on a model, about half the chips named a garment that is not in the frame: a "top"
over the hips of a waist-down photo, shoes on the knees, a coat where a shadow falls. Their own crop's slot reading
(regions.reconcile_garments) catches the surest of them; the rest look like a garment to the crop but sit where no
such garment would in such a photo (how many garments are listed, where the box lies, how the whole photo reads). The
gate weighs those together: a garment it gives under `drop` is not listed (its crop alone would keep it), one under
`unsure` is listed as one we are not sure is there (recommender.services.garment_unsure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from classifier.regions import DETECTION_SLOTS

Box = tuple[float, float, float, float]

# Per listed garment, in this order: one per slot (which slot it is listed in); how surely its own crop reads that
# slot, overall and per slot; the detector's score; how surely its crop reads its type; its box (area, area against
# the largest listed, top, bottom, height, width; the centre and the height per slot); how many garments are listed;
# how surely the whole photo reads as a garment of that slot.
FEATURES: tuple[str, ...] = (
    *(f"slot_{slot}" for slot in DETECTION_SLOTS),
    "crop_slot",
    *(f"crop_slot_{slot}" for slot in DETECTION_SLOTS),
    "score",
    "type_confidence",
    "area",
    "area_of_largest",
    "top",
    "bottom",
    "height",
    "width",
    *(f"centre_{slot}" for slot in DETECTION_SLOTS),
    *(f"height_{slot}" for slot in DETECTION_SLOTS),
    "listed",
    "photo_slot",
)
# Thresholds the fit chooses from (on the train photos): the largest `drop` that costs at most DROP_COST of the
# garments that are there in whole street photos, and the largest `unsure` at which the garments it marks in whole
# street photos are there at most UNSURE_THERE of the time (on shop-like framings, where most phantoms are, the garments
# it marks are there far less often).
DROP_GRID = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2)
UNSURE_GRID = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
DROP_COST = 0.005
UNSURE_THERE = 1 / 3


def features(
    slots: Sequence[str],
    boxes: Sequence[Box],
    scores: Sequence[float],
    crop_slots: Sequence[float],
    type_confidences: Sequence[float],
    photo_slots: Mapping[str, float],
) -> np.ndarray:
    """(garments, len(FEATURES)) for the garments listed in one photo: each one's slot, box (photo fractions), detector
    score, its crop's reading of that slot and of its type, and the whole photo's slot probabilities."""
    areas = [max(0.0, (x1 - x0) * (y1 - y0)) for x0, y0, x1, y1 in boxes]
    largest = max(areas, default=0.0) or 1.0
    rows = []
    for slot, box, score, crop_slot, type_confidence, area in zip(
        slots, boxes, scores, crop_slots, type_confidences, areas, strict=True
    ):
        x0, y0, x1, y1 = box
        one_hot = [float(slot == s) for s in DETECTION_SLOTS]
        rows.append(
            [
                *one_hot,
                float(crop_slot),
                *(float(crop_slot) * v for v in one_hot),
                float(score),
                float(type_confidence),
                area,
                area / largest,
                float(y0),
                float(y1),
                float(y1 - y0),
                float(x1 - x0),
                *((y0 + y1) / 2 * v for v in one_hot),
                *((y1 - y0) * v for v in one_hot),
                float(len(boxes)),
                float(photo_slots.get(slot, 0.0)),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))


def fit(
    x: np.ndarray, y: Sequence[int] | np.ndarray, *, l2: float = 1e-3, steps: int = 4000, rate: float = 0.5
) -> dict:
    """Logistic regression (standardised features, plain gradient descent): {"weights", "bias", "mean", "scale"}."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 1e-6, scale, 1.0)  # a constant feature (up to rounding) is left as it is
    z = (x - mean) / scale
    weights, bias = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        error = 1.0 / (1.0 + np.exp(-(z @ weights + bias))) - y
        weights -= rate * (z.T @ error / len(y) + l2 * weights)
        bias -= rate * float(error.mean())
    return {"weights": weights, "bias": bias, "mean": mean, "scale": scale}


def probabilities(x: np.ndarray, model: Mapping) -> np.ndarray:
    """How likely each listed garment (a row of `features`) is there."""
    z = (np.asarray(x, dtype=np.float64) - np.asarray(model["mean"])) / np.asarray(model["scale"])
    return 1.0 / (1.0 + np.exp(-(z @ np.asarray(model["weights"]) + float(model["bias"]))))


def choose_thresholds(p: np.ndarray, there: np.ndarray, whole: np.ndarray) -> tuple[float, float]:
    """(drop, unsure) from DROP_GRID and UNSURE_GRID (see there), given each listed garment's probability, whether it
    is there, and whether it was listed in a whole street photo (rather than a shop-like framing)."""
    p, there, whole = np.asarray(p), np.asarray(there, dtype=bool), np.asarray(whole, dtype=bool)
    right_whole = max(int((there & whole).sum()), 1)
    drop = max(t for t in DROP_GRID if int(((p < t) & there & whole).sum()) <= DROP_COST * right_whole)
    unsure = drop
    for t in UNSURE_GRID:
        marked = (p >= drop) & (p < t) & whole
        if t > drop and marked.any() and float(there[marked].mean()) <= UNSURE_THERE + 1e-9:
            unsure = max(unsure, t)
    return drop, unsure


def as_block(model: Mapping, *, drop: float, unsure: float, **facts) -> dict:
    """labels.json's `chip_gate` block."""
    return {
        "features": list(FEATURES),
        "weights": [round(float(v), 6) for v in model["weights"]],
        "bias": round(float(model["bias"]), 6),
        "mean": [round(float(v), 6) for v in model["mean"]],
        "scale": [round(float(v), 6) for v in model["scale"]],
        "drop": drop,
        "unsure": unsure,
        **facts,
    }


def loaded(block: Mapping | None) -> dict:
    """The block as the predictor keeps it (arrays once, at load); {} without a gate or for one fitted on other
    features (an older artifact keeps its chips as they were)."""
    if not block or list(block.get("features") or []) != list(FEATURES):
        return {}
    return {
        **block,
        "weights": np.asarray(block["weights"], dtype=np.float64),
        "mean": np.asarray(block["mean"], dtype=np.float64),
        "scale": np.asarray(block["scale"], dtype=np.float64),
    }
