"""A big graphic on a top (a cartoon, a slogan, a large logo), read from the CNN's embedding. Pure NumPy.

The dataset's pattern label marks all-over patterns (stripes, checks, florals), so a tee with a big cartoon is
"solid" there and the pattern head learnt to call it solid. A stylist counts it as the look's one print: it should
not be paired with a patterned skirt. Every CC0 top the labels call solid (t-shirts, long-sleeves, hoodies, tops,
tank tops, bodysuits; all splits) was tagged by eye, graphic or plain (`LABELS_FILE`: a big print that dominates the
front, or an all-over print the labels missed; small chest logos, piping and texture are plain). A linear probe
(classifier.probes) on the embedding learns it from the train and validation photos (`manage.py fit_graphics`, which
picks its regularisation and threshold by 5-fold cross-validation and scores the test photos once); it is stored in
the artifact's labels.json as `graphic`. A top of these types that the pattern head calls solid but the probe calls
graphic at least as surely as the threshold is read as patterned (classifier.predictor).

The threshold is never below the pattern head's own (0.7, CLASSIFIER_PATTERN_THRESHOLD): a print read less surely
would stay unknown in the tag anyway.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifier.probes import held_out_probabilities

LABELS_FILE = Path(__file__).resolve().parent / "labels" / "graphics.csv"
LABELS: tuple[str, ...] = ("plain", "graphic")
# The types of top the probe was fitted on; a reading of another type keeps the pattern head's word.
TYPES_READ: tuple[str, ...] = ("t-shirt", "longsleeve", "hoodie", "top", "undershirt", "body")
# A wrong "print" renames a plain tee and drops its patterned companions: it costs twice a missed one.
FALSE_PRINT_COST = 2.0


def read_labels(path: Path = LABELS_FILE) -> dict[str, int]:
    """image id -> 1 for a graphic (or missed all-over print), 0 for a plain top."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["image"]: int(row["graphic"] == "yes") for row in csv.DictReader(handle)}


def scores(probs: np.ndarray, labels: Sequence[int] | np.ndarray, threshold: float) -> dict:
    """How many graphics the probe flags at `threshold`, and how many of its flags are right."""
    truth = np.asarray(labels, dtype=int)
    flagged = np.asarray(probs)[:, 1] >= threshold
    right = int((flagged & (truth == 1)).sum())
    return {
        "photos": len(truth),
        "graphics": int((truth == 1).sum()),
        "flagged": int(flagged.sum()),
        "flagged_right": right,
        "precision": round(right / int(flagged.sum()), 4) if flagged.any() else None,
        "recall": round(right / int((truth == 1).sum()), 4) if (truth == 1).any() else None,
    }


def cross_validate(
    embeddings: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    *,
    l2_values: Sequence[float] = (1e-4, 1e-3, 3e-3),
    thresholds: Sequence[float] = (0.7, 0.8, 0.9),
    folds: int = 5,
    seed: int = 0,
) -> tuple[float, float, list[dict]]:
    """Pick (l2, threshold) by k-fold cross-validation for the most use: a graphic flagged +1, a plain top flagged
    -FALSE_PRINT_COST, a graphic missed 0 (it stays as the pattern head read it). Returns both and every try."""
    y = np.asarray(labels, dtype=int)
    tries = []
    for l2 in l2_values:
        probs = held_out_probabilities(embeddings, y, classes=len(LABELS), l2=l2, folds=folds, seed=seed)
        for threshold in thresholds:
            result = scores(probs, y, threshold)
            wrong = result["flagged"] - result["flagged_right"]
            use = (result["flagged_right"] - FALSE_PRINT_COST * wrong) / max(len(y), 1)
            tries.append({"l2": l2, "threshold": threshold, "use": round(use, 4), **result})
    best = max(tries, key=lambda t: t["use"])
    return best["l2"], best["threshold"], tries
