"""The kind of an outer layer (coat, jacket, vest, snowsuit), read from the CNN's embedding. Pure NumPy.

The dataset labels outer layers only "Outwear", so the network has no head for their kind. A stylist tagged every
CC0 photo labelled Outwear by eye (`LABELS_FILE`, with the demo catalog's jackets that the dataset calls Blazer); a
linear probe (classifier.probes) on the 256-d embedding learns the kinds from the train and validation photos
(`manage.py fit_probes`, which picks its regularisation and confidence threshold by 5-fold cross-validation on
them and scores the test photos once). It is stored in the artifact's labels.json as `outer_kind` and read beside the
heads (classifier.predictor); a reading below its threshold leaves the kind unknown. A padded vest is the kind that
matters most to the looks (no vest over a dress or with heels, catalog.style) and the one it reads best.

Cardigans are too few among the photos (3) to learn: the admin offers the kind, the regression does not.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifier.probes import held_out_probabilities

LABELS_FILE = Path(__file__).resolve().parent / "labels" / "outer_kinds.csv"
KINDS_READ: tuple[str, ...] = ("coat", "jacket", "vest", "snowsuit")
# What the co-parsing labels of worn outer layers mean among them (blazers and suits are a type of their own).
COPARSING_KINDS: dict[str, str] = {"coat": "coat", "cape": "coat", "jacket": "jacket", "vest": "vest"}


def read_labels(path: Path = LABELS_FILE) -> dict[str, str]:
    """image id -> the kind a stylist saw (any outer kind of the vocabulary)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["image"]: row["kind"] for row in csv.DictReader(handle)}


def scores(probs: np.ndarray, labels: Sequence[int] | np.ndarray, threshold: float) -> dict:
    """Accuracy over all photos and over those read with confidence (the others stay unknown), and how vests fare."""
    probs, truth = np.asarray(probs), np.asarray(labels, dtype=int)
    said, confident = probs.argmax(axis=1), probs.max(axis=1) >= threshold
    vest = KINDS_READ.index("vest")
    called_vest = confident & (said == vest)
    return {
        "photos": len(truth),
        "accuracy": round(float((said == truth).mean()), 4) if len(truth) else None,
        "confident_share": round(float(confident.mean()), 4) if len(truth) else None,
        "confident_accuracy": round(float((said[confident] == truth[confident]).mean()), 4)
        if confident.any()
        else None,
        "vests": int((truth == vest).sum()),
        "vests_found": int((called_vest & (truth == vest)).sum()),
        "called_vest": int(called_vest.sum()),
        "by_kind": {
            kind: {"photos": int((truth == k).sum()), "read": int(((said == k) & confident & (truth == k)).sum())}
            for k, kind in enumerate(KINDS_READ)
        },
    }


def cross_validate(
    embeddings: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    *,
    l2_values: Sequence[float] = (1e-4, 1e-3, 3e-3),
    thresholds: Sequence[float] = (0.5, 0.6, 0.7),
    folds: int = 5,
    seed: int = 0,
) -> tuple[float, float, list[dict]]:
    """Pick (l2, threshold) by k-fold cross-validation, for the most use: a kind read right counts +1, one read wrong
    -1, a vest read wrong -1 more (it costs a shopper her dress looks), an unknown kind 0. Returns both and every
    try."""
    y = np.asarray(labels, dtype=int)
    tries = []
    for l2 in l2_values:
        probs = held_out_probabilities(embeddings, y, classes=len(KINDS_READ), l2=l2, folds=folds, seed=seed)
        for threshold in thresholds:
            said, confident = probs.argmax(axis=1), probs.max(axis=1) >= threshold
            right = int((confident & (said == y)).sum())
            wrong = int((confident & (said != y)).sum())
            wrong_vests = int((confident & (said != y) & (said == KINDS_READ.index("vest"))).sum())
            use = (right - wrong - wrong_vests) / max(len(y), 1)
            tries.append({"l2": l2, "threshold": threshold, "use": round(use, 4), **scores(probs, y, threshold)})
    best = max(tries, key=lambda t: t["use"])
    return best["l2"], best["threshold"], tries
