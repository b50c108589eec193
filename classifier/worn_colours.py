"""The colour and the pattern of a garment someone wears, read again from what the network says of its crop.

The colour and pattern heads learned from garments laid flat on a bed. On a garment worn in the street they are
weaker (street light, shade, the person around it): against what a person sees (classifier/labels/
coparsing_worn_by_eye.csv), lite0-224-v13 named about 0.69 of worn garments' colours and called one solid garment in
five patterned. Two small models, fitted on the co-parsing train split's worn garments labelled by eye
(`manage.py fit_probes --probe worn_colour`), read them again, only for a garment worn (a crop of a photo of a
person):
- colour: a softmax regression on the colour head's log-probabilities, the garment's pixel colour shares
  (pixel_colors.garment_color_shares) and the 256-d embedding, standardised;
- pattern: a logistic calibration of the pattern head's log-odds (a scale and a shift).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

EPSILON = 1e-4


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def colour_features(out: Mapping[str, np.ndarray]) -> np.ndarray:
    """(n, colours + colours + embedding) features of each image of a model's outputs (model label order)."""
    return np.hstack(
        [
            np.log(np.asarray(out["color_head"], dtype=np.float64) + EPSILON),
            np.asarray(out["color_pixels"], dtype=np.float64),
            np.asarray(out["embedding"], dtype=np.float64),
        ]
    )


def fit_softmax(
    x: np.ndarray, y: Sequence[int] | np.ndarray, *, classes: int, l2: float, steps: int = 1500, rate: float = 0.5
) -> dict:
    """Softmax regression on standardised features by full-batch gradient descent, each garment weighing the same
    (colours are as common worn as they are in what people wear). Returns mean, scale, weights and bias."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    onehot = np.eye(classes)[y]
    counts = np.bincount(y, minlength=classes) + 1.0
    weights, bias = np.zeros((classes, z.shape[1])), np.log(counts) - np.log(counts).mean()
    for _ in range(steps):
        gradient = (_softmax(z @ weights.T + bias) - onehot) / len(y)
        weights -= rate * (gradient.T @ z + l2 * weights)
        bias -= rate * gradient.sum(axis=0)
    return {"mean": mean, "scale": scale, "weights": weights, "bias": bias}


def softmax_probabilities(x: np.ndarray, model: Mapping) -> np.ndarray:
    z = (np.asarray(x, dtype=np.float64) - np.asarray(model["mean"])) / np.asarray(model["scale"])
    return _softmax(z @ np.asarray(model["weights"]).T + np.asarray(model["bias"]))


def pattern_log_odds(pattern_probs: np.ndarray, patterned: int) -> np.ndarray:
    """log p(pattern) - log p(solid) of each row of the pattern head (`patterned`: the pattern label's column)."""
    p = np.clip(np.asarray(pattern_probs, dtype=np.float64)[:, patterned], EPSILON, 1 - EPSILON)
    return np.log(p) - np.log1p(-p)


def fit_pattern(log_odds: np.ndarray, patterned: np.ndarray, *, steps: int = 3000, rate: float = 0.5) -> dict:
    """A logistic calibration p = sigmoid(scale * log_odds + shift), fitted by gradient descent."""
    x, y = np.asarray(log_odds, dtype=np.float64), np.asarray(patterned, dtype=np.float64)
    scale, shift = 1.0, 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(scale * x + shift)))
        scale -= rate * float(np.mean((p - y) * x))
        shift -= rate * float(np.mean(p - y))
    return {"scale": scale, "shift": shift}


def calibrated_pattern(pattern_probs: np.ndarray, labels: Sequence[str], model: Mapping) -> np.ndarray:
    """The pattern head's rows (in `labels` order) after the calibration."""
    patterned = list(labels).index("pattern")
    z = float(model["scale"]) * pattern_log_odds(pattern_probs, patterned) + float(model["shift"])
    p = 1.0 / (1.0 + np.exp(-z))
    out = np.empty((len(p), 2))
    out[:, patterned], out[:, 1 - patterned] = p, 1.0 - p
    return out


def as_worn(out: dict[str, np.ndarray], model: Mapping, pattern_labels: Sequence[str]) -> dict[str, np.ndarray]:
    """A model's outputs for crops of garments worn, with "color" and "pattern" read again by the artifact's
    `worn_colour` block; unchanged without it or without the outputs it needs (no segmentation map: no pixels)."""
    if not model or "color_pixels" not in out or not len(out["color_head"]):
        return out
    out = {**out, "color_flat": out["color"]}
    if "pattern" in out:
        out["pattern_flat"] = out["pattern"]
    out["color"] = softmax_probabilities(colour_features(out), model["colour"]).astype(np.float32)
    if "pattern" in out and model.get("pattern"):
        out["pattern"] = calibrated_pattern(out["pattern"], pattern_labels, model["pattern"]).astype(np.float32)
    return out


def loaded(block: Mapping | None) -> dict:
    """The labels.json block as the predictor keeps it (arrays once, at load); {} without it."""
    if not block:
        return {}
    colour = block["colour"]
    return {
        **block,
        "colour": {
            **colour,
            **{k: np.asarray(colour[k], dtype=np.float64) for k in ("mean", "scale", "weights", "bias")},
        },
    }


def as_block(colour: Mapping, pattern: Mapping, **facts) -> dict:
    """The JSON block stored in labels.json."""

    def rounded(value):
        return np.round(np.asarray(value, dtype=np.float64), 6).tolist()

    return {
        "colour": {k: rounded(v) for k, v in colour.items()},
        "pattern": {k: round(float(v), 6) for k, v in pattern.items()},
        **facts,
    }
