"""The type of a garment someone wears, read a second time from the network's pooled features.

The type head learned from garments laid flat and worn ones together, and on a worn garment's crop it takes a skirt
under a top for a dress, a top under an open coat for the coat: lite0-224-v14's worn slot was right for 0.858 of the
co-parsing validation regions read by their crop alone (test 0.852). A linear softmax over the same pooled features
the heads read (2,416 of them), fitted on the co-parsing train split's worn crops only, reads them again; the
geometric mean of its probabilities and the head's, renormalised, is a worn crop's type.

The branch lives in the network (the output "type_worn", a Dense layer grafted onto the pooled features by
`export_classifier --worn-type-branch`), so serving reads it with everything else in one forward pass; this module
fits it and combines it with the head. Its regularisation is chosen on the validation crops as the served int8
network reads them: an int8 export quantizes the pooled features in steps of about 0.2, and a weakly regularised
branch fitted on the float features reads those badly (validation worn slot 0.861 at l2 0.003 against 0.876 at 0.1).
Pure NumPy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from classifier.worn_colours import fit_softmax, softmax_probabilities

EPSILON = 1e-4
# The regularisation is chosen on the validation crops among these (slot plus type of the combined reading).
L2_GRID: tuple[float, ...] = (0.003, 0.01, 0.03, 0.1)
# Full-batch gradient descent steps of the fit (worn_colours.fit_softmax).
STEPS = 1500


def combined(type_probs: np.ndarray, branch_probs: np.ndarray) -> np.ndarray:
    """A worn crop's type: the geometric mean of the head's probabilities and the branch's, renormalised per row.
    Its best type is the product's; its confidence stays on the head's scale (the product of two readings of the
    same features would be surer than either, and the page asks the shopper to confirm by that confidence)."""
    log = 0.5 * np.log(np.asarray(type_probs, dtype=np.float64) + EPSILON) + 0.5 * np.log(
        np.asarray(branch_probs, dtype=np.float64) + EPSILON
    )
    log -= log.max(axis=-1, keepdims=True)
    probs = np.exp(log)
    return (probs / probs.sum(axis=-1, keepdims=True)).astype(np.float32)


def as_worn(out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A model's outputs for crops of garments worn, with "type" read together with the network's worn-type branch
    (the head's own reading kept as "type_flat"); unchanged for a network without the branch."""
    if "type_worn" not in out or not len(out["type"]):
        return out
    return {**out, "type_flat": out["type"], "type": combined(out["type"], out["type_worn"])}


def dense_weights(model: Mapping) -> tuple[np.ndarray, np.ndarray]:
    """A fitted softmax (mean, scale, weights, bias over standardised features) as one Dense layer's kernel
    (features, classes) and bias over the raw features: the standardisation folded in."""
    mean, scale = np.asarray(model["mean"]), np.asarray(model["scale"])
    weights, bias = np.asarray(model["weights"]), np.asarray(model["bias"])
    kernel = (weights / scale).T
    return kernel.astype(np.float32), (bias - weights @ (mean / scale)).astype(np.float32)


def fit_branch(
    train: tuple[np.ndarray, Sequence[int]],
    validation: tuple[np.ndarray, np.ndarray, Callable[[np.ndarray], tuple[float, float]]],
    *,
    classes: int,
    l2s: Sequence[float] = L2_GRID,
    steps: int = STEPS,
) -> tuple[dict, list[dict]]:
    """The worn-type softmax fitted on `train` (pooled features, type indices), its regularisation the one whose
    combined reading scores best on `validation` (pooled features, the head's type probabilities, and a scorer
    giving (slot accuracy, type accuracy) of type probabilities). Returns the model and every trial."""
    x, y = np.asarray(train[0], dtype=np.float64), np.asarray(train[1], dtype=int)
    val_x, val_head, score = validation
    val_x = np.asarray(val_x, dtype=np.float64)
    trials, best, best_key = [], None, None
    for l2 in l2s:
        model = fit_softmax(x, y, classes=classes, l2=l2, steps=steps)
        slot, type_accuracy = score(combined(val_head, softmax_probabilities(val_x, model)))
        trials.append({"l2": l2, "slot": round(slot, 4), "type": round(type_accuracy, 4)})
        key = (round(slot + type_accuracy, 4), l2)
        if best_key is None or key > best_key:
            best, best_key = model, key
    assert best is not None
    return best, trials
