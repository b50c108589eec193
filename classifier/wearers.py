"""Who wears the outfit in a photo of a person (women's or men's clothes), read from the CNN's embedding. Pure NumPy.

A garment worn in a photo is matched for the person wearing it: a man's jeans with men's and unisex pieces, not with
heels. The audience head learned from garments laid flat; on a crop of a worn garment it leans towards women's (on the
co-parsing validation photos, a man's worn garments were read women's more often than men's: 93 of 178 at argmax, 39
of them with confidence), so it cannot tell. The whole photo can: a stylist tagged every co-parsing photo by eye
(`LABELS_FILE`: woman, man, or unclear when a man and a woman are equally prominent), and a linear probe
(classifier.probes) on the embeddings of the whole photo and of its worn garments' crops (`features`) learns the
wearer from the train and validation photos and their shop-like framings (`manage.py fit_probes --probe wearer`,
which picks its regularisation and a confidence threshold per audience by 5-fold cross-validation on them and scores
the test photos, as photographed and as a shop frames a garment on a model).
It is stored in the artifact's labels.json as `wearer` and read for a photo of someone wearing clothes
(classifier.predictor); `catalog.tags.worn_audience` then matches a worn garment for that wearer.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifier.probes import held_out_probabilities

LABELS_FILE = Path(__file__).resolve().parent / "labels" / "wearers.csv"
# The probe's classes, named by the audience a wearer's garments are matched for (vocabulary.AUDIENCE_CODES).
AUDIENCES_READ: tuple[str, ...] = ("women", "men")
WEARER_AUDIENCE = {"woman": "women", "man": "men"}


def features(whole: np.ndarray, worn: Sequence[np.ndarray]) -> np.ndarray:
    """What the probe reads: the whole photo's embedding beside the mean of its worn garments' crop embeddings (the
    garments found, or the one garment worn; the whole photo's again when there are none), each L2-normalised. The
    crops see the garments up close, the whole photo sees the person: together they tell better than either
    (5-fold cross-validation on the co-parsing train and validation photos: accuracy 0.865, against 0.818 for the
    whole photo alone and 0.857 for the crops alone)."""

    def unit(v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=np.float64)
        norm = np.linalg.norm(v)
        return v / norm if norm > 0 else v

    whole_unit = unit(whole)
    crops = unit(np.mean([unit(v) for v in worn], axis=0)) if len(worn) else whole_unit
    return np.concatenate([whole_unit, crops]).astype(np.float32)


def read_labels(path: Path = LABELS_FILE) -> dict[str, int]:
    """co-parsing image id -> index into AUDIENCES_READ, for the photos whose wearer a stylist could tell."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["image"]: AUDIENCES_READ.index(WEARER_AUDIENCE[row["wearer"]])
        for row in rows
        if row["wearer"] in WEARER_AUDIENCE
    }


def sure(probs: np.ndarray, thresholds: Sequence[float]) -> np.ndarray:
    """Which readings reach the threshold of the audience they name (one threshold per AUDIENCES_READ)."""
    probs = np.asarray(probs)
    return probs.max(axis=-1) >= np.asarray(thresholds, dtype=np.float64)[probs.argmax(axis=-1)]


def scores(probs: np.ndarray, labels: Sequence[int] | np.ndarray, thresholds: Sequence[float]) -> dict:
    """Accuracy over all photos and over those read surely (the others leave the garments' own reading), and how
    women and men fare (women are four in five of the photos: a men's reading is the one easily lost)."""
    probs, truth = np.asarray(probs), np.asarray(labels, dtype=int)
    said, read = probs.argmax(axis=1), sure(probs, thresholds)

    def share(hits: np.ndarray, of: np.ndarray) -> float | None:
        return round(float(hits.sum() / of.sum()), 4) if of.any() else None

    result: dict = {
        "photos": len(truth),
        "accuracy": share(said == truth, np.ones_like(truth, dtype=bool)),
        "sure_share": round(float(read.mean()), 4) if len(truth) else None,
        "sure_accuracy": share(read & (said == truth), read),
    }
    for k, audience in enumerate(AUDIENCES_READ):
        other = AUDIENCES_READ[1 - k]
        result[audience] = int((truth == k).sum())
        result[f"{audience}_read_{audience}"] = int((read & (said == k) & (truth == k)).sum())
        result[f"{audience}_read_{other}"] = int((read & (said != k) & (truth == k)).sum())
    return result


def cross_validate(
    embeddings: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    *,
    groups: Sequence[str] | None = None,
    l2_values: Sequence[float] = (1e-4, 3e-4, 1e-3),
    thresholds: Sequence[float] = (0.6, 0.7, 0.8, 0.9),
    folds: int = 5,
    seed: int = 0,
) -> tuple[float, tuple[float, float], list[dict]]:
    """Pick l2 and a threshold per audience by k-fold cross-validation (a photo and its framings in one fold, by
    `groups`), for the most use, every photo weighing the same: a wearer read right counts +1, one read wrong -2 (a
    woman shown men's pieces only, or the reverse, is worse than the garments' own reading), unsure 0. Returns both
    and every try."""
    y = np.asarray(labels, dtype=int)
    tries = []
    for l2 in l2_values:
        probs = held_out_probabilities(
            embeddings, y, classes=len(AUDIENCES_READ), l2=l2, folds=folds, seed=seed, groups=groups
        )
        said = probs.argmax(axis=1)
        for pair in itertools.product(thresholds, repeat=len(AUDIENCES_READ)):
            read = sure(probs, pair)
            right = int((read & (said == y)).sum())
            wrong = int((read & (said != y)).sum())
            use = (right - 2 * wrong) / max(len(y), 1)
            tries.append({"l2": l2, "thresholds": list(pair), "use": round(use, 4), **scores(probs, y, pair)})
    best = max(tries, key=lambda t: t["use"])
    return best["l2"], tuple(best["thresholds"]), tries
