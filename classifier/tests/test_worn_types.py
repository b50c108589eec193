"""The worn-type branch: how it is fitted, folded into one Dense layer and combined with the type head."""

from __future__ import annotations

import numpy as np

from classifier import worn_types
from classifier.worn_colours import fit_softmax, softmax_probabilities


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


def test_the_fitted_softmax_folds_into_one_dense_layer_over_the_raw_features():
    rng = np.random.default_rng(0)
    x = rng.normal(loc=3.0, scale=[0.5, 2.0, 4.0, 1.0], size=(120, 4))
    y = (x[:, 0] > 3.0).astype(int) + (x[:, 1] > 3.0).astype(int)
    model = fit_softmax(x, y, classes=3, l2=0.01, steps=300)
    kernel, bias = worn_types.dense_weights(model)
    assert kernel.shape == (4, 3) and bias.shape == (3,)
    np.testing.assert_allclose(_softmax(x @ kernel + bias), softmax_probabilities(x, model), atol=1e-5)


def test_a_worn_crops_type_is_the_geometric_mean_of_the_head_and_the_branch():
    head = np.array([[0.6, 0.3, 0.1], [0.2, 0.2, 0.6]], dtype=np.float32)
    branch = np.array([[0.1, 0.8, 0.1], [0.0, 0.0, 1.0]], dtype=np.float32)
    out = worn_types.as_worn({"type": head, "type_worn": branch, "color": head})
    np.testing.assert_array_equal(out["type_flat"], head)
    np.testing.assert_allclose(out["type"].sum(axis=1), 1.0, atol=1e-6)
    # 0.6 x 0.1 against 0.3 x 0.8: the branch turns the first crop to the second type; it agrees on the second.
    assert out["type"].argmax(axis=1).tolist() == [1, 2]
    expected = np.sqrt([0.06, 0.24, 0.01]) / np.sqrt([0.06, 0.24, 0.01]).sum()
    np.testing.assert_allclose(out["type"][0], expected, atol=1e-3)
    # Two sure readings that agree stay about as sure as each, not surer than both.
    assert out["type"][1, 2] <= 1.0 and out["type"][1, 2] > 0.97
    np.testing.assert_array_equal(out["color"], head)
    # Without the branch (or with no image), the outputs are as they were.
    assert worn_types.as_worn({"type": head}) == {"type": head}
    empty = {"type": head[:0], "type_worn": branch[:0]}
    assert worn_types.as_worn(empty) is empty


def test_the_branchs_regularisation_is_the_one_that_reads_validation_best():
    rng = np.random.default_rng(1)
    train_x = rng.normal(size=(200, 6))
    train_y = (train_x[:, 0] + 0.3 * train_x[:, 1] > 0).astype(int)
    val_x = rng.normal(size=(60, 6))
    val_y = (val_x[:, 0] + 0.3 * val_x[:, 1] > 0).astype(int)
    flat_head = np.full((60, 2), 0.5)
    seen: list[float] = []

    def score(probs: np.ndarray) -> tuple[float, float]:
        right = float(np.mean(probs.argmax(axis=1) == val_y))
        seen.append(right)
        return right, right

    model, trials = worn_types.fit_branch(
        (train_x, train_y), (val_x, flat_head, score), classes=2, l2s=(0.01, 100.0), steps=300
    )
    assert [t["l2"] for t in trials] == [0.01, 100.0] and len(seen) == 2
    assert trials[0]["slot"] > trials[1]["slot"]  # so strong a penalty reads almost nothing
    chosen = softmax_probabilities(val_x, model).argmax(axis=1)
    assert round(float(np.mean(chosen == val_y)), 4) == trials[0]["slot"]
