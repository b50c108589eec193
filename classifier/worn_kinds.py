"""The kind of a pair of shoes someone wears, read again from what the network says of its crop.

The kind head learned kinds from shoes laid flat and from worn shoes named by the co-parsing photos' tags, which call
heeled ankle boots and heeled sandals "heels" too. On worn shoes it reads heels far too often: against what people see
(classifier/labels/coparsing_shoes_by_eye.csv and coparsing_shoe_chips_by_eye.csv), lite0-224-v13 read heels 48
times for the 14 pairs of heels among 130 validation chips. A softmax regression on the kind head's log-probabilities
and the crop's 256-d embedding, standardised, fitted on the co-parsing train split's shoes labelled by eye
(`manage.py fit_probes --probe worn_kind`), reads the kind again, only for a garment worn (a crop of a photo of a
person). The kind order is the kind head's (`labels` of the block).

A network may also carry a kind branch of its own for worn shoes, the output "kind_worn" (grafted from a network
trained with those labelled shoes among its worn crops: `export_classifier --worn-kind-from`). Then a worn garment's
kind is that output's, and a `worn_kind` block, if the artifact has one, reads it again from that output instead of
the flat kind head's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from classifier.worn_colours import softmax_probabilities

EPSILON = 1e-4


def worn_kind_probabilities(out: Mapping[str, np.ndarray]) -> np.ndarray:
    """The kind probabilities a worn garment starts from: the network's worn-shoe branch ("kind_worn") where it has
    one, else its kind head's."""
    return np.asarray(out["kind_worn"] if "kind_worn" in out else out["kind"])


def kind_features(out: Mapping[str, np.ndarray]) -> np.ndarray:
    """(n, kinds + embedding) features of each image of a model's outputs (model label order)."""
    return np.hstack(
        [
            np.log(worn_kind_probabilities(out).astype(np.float64) + EPSILON),
            np.asarray(out["embedding"], dtype=np.float64),
        ]
    )


def as_worn(out: dict[str, np.ndarray], model: Mapping) -> dict[str, np.ndarray]:
    """A model's outputs for crops of garments worn, with "kind" read by the network's worn-shoe branch and/or again
    by the artifact's `worn_kind` block (the kind head's own reading kept as "kind_flat"); unchanged with neither, or
    without a kind head or any image."""
    if "kind" not in out or not len(out["kind"]) or not (model or "kind_worn" in out):
        return out
    kind = worn_kind_probabilities(out)
    if model:
        kind = softmax_probabilities(kind_features(out), model["model"]).astype(np.float32)
    return {**out, "kind_flat": out["kind"], "kind": kind}


def loaded(block: Mapping | None, kind_labels: Sequence[str]) -> dict:
    """The labels.json block as the predictor keeps it (arrays once, at load); {} without it. Raises ValueError when
    the block was fitted for other kinds than the artifact's kind head reads."""
    if not block:
        return {}
    if list(block["labels"]) != list(kind_labels):
        raise ValueError(f"worn_kind was fitted for kinds {block['labels']}, the kind head reads {list(kind_labels)}")
    model = block.get("model")
    if not model:  # the network's own worn-shoe branch reads them; the block only records its figures
        return {}
    return {
        **block,
        "model": {**model, **{k: np.asarray(model[k], dtype=np.float64) for k in ("mean", "scale", "weights", "bias")}},
    }


def as_block(model: Mapping, *, labels: Sequence[str], **facts) -> dict:
    """The JSON block stored in labels.json (no "model" when nothing was fitted: the network's branch reads them)."""
    fitted = {"model": {k: np.round(np.asarray(v, dtype=np.float64), 6).tolist() for k, v in model.items()}}
    return {**(fitted if model else {}), "labels": list(labels), **facts}
