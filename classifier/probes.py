"""Linear probes on the CNN's embedding: a softmax regression that reads what no head was trained for, from labels
a stylist gave by eye (classifier.outer_kinds, classifier.graphics). Pure NumPy.

The 256-d embedding ("looks similar") already separates what a stylist sees at a glance (a padded gilet, a big
cartoon on a tee); a probe fitted on a few hundred tagged photos reads it without retraining the network, and is
stored in the artifact's labels.json beside the post-network steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def _normalised(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def fit(
    embeddings: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    *,
    classes: int,
    l2: float,
    steps: int = 3000,
    rate: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression on L2-normalised embeddings by plain gradient descent, every class weighing the same (the
    common class, jackets or plain tops, would otherwise drown the rare one)."""
    x = _normalised(embeddings)
    y = np.asarray(labels, dtype=int)
    counts = np.bincount(y, minlength=classes)
    sample_weight = (1.0 / np.maximum(counts, 1))[y] / classes
    onehot = np.eye(classes)[y]
    weights, bias = np.zeros((classes, x.shape[1])), np.zeros(classes)
    for _ in range(steps):
        gradient = (_softmax(x @ weights.T + bias) - onehot) * sample_weight[:, None]
        weights -= rate * (gradient.T @ x + l2 * weights)
        bias -= rate * gradient.sum(axis=0)
    return weights, bias


def probabilities(embedding: np.ndarray, model: Mapping) -> np.ndarray:
    """The classes' probabilities (in `model["labels"]` order) for one embedding or a batch of them."""
    weights = np.asarray(model["weights"], dtype=np.float64)
    bias = np.asarray(model["bias"], dtype=np.float64)
    return _softmax(_normalised(embedding) @ weights.T + bias)


def loaded(block: Mapping | None) -> dict:
    """A probe's labels.json block as the predictor keeps it: its weights and bias as arrays once, at load, rather
    than converted from JSON lists on every reading; {} for an artifact without it."""
    if not block:
        return {}
    return {
        **block,
        "weights": np.asarray(block["weights"], dtype=np.float64),
        "bias": np.asarray(block["bias"], dtype=np.float64),
    }


def as_model(
    labels: Sequence[str], weights: np.ndarray, bias: np.ndarray, *, threshold: float | list[float], **facts
) -> dict:
    """The JSON block a probe is stored as in labels.json."""
    return {
        "labels": list(labels),
        "weights": [[round(float(v), 6) for v in row] for row in weights],
        "bias": [round(float(v), 6) for v in bias],
        "threshold": threshold,
        **facts,
    }


def held_out_probabilities(
    embeddings: np.ndarray,
    labels: np.ndarray,
    *,
    classes: int,
    l2: float,
    folds: int = 5,
    seed: int = 0,
    groups: Sequence[str] | None = None,
) -> np.ndarray:
    """Every photo's probabilities from a probe fitted without its fold (k-fold cross-validation). Rows of one group
    (a photo and its crops or framings) share a fold."""
    if groups is None:
        fold = np.random.default_rng(seed).permutation(len(labels)) % folds
    else:
        names = sorted(set(groups))
        of_group = dict(zip(names, np.random.default_rng(seed).permutation(len(names)) % folds, strict=True))
        fold = np.array([of_group[g] for g in groups], dtype=int)
    probs = np.zeros((len(labels), classes))
    for f in range(folds):
        weights, bias = fit(embeddings[fold != f], labels[fold != f], classes=classes, l2=l2)
        probs[fold == f] = probabilities(embeddings[fold == f], {"weights": weights, "bias": bias})
    return probs
