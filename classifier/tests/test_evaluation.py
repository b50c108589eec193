"""Scoring rules: which predictions count as right for each head."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from classifier.dataset import Sample
from classifier.evaluation import confusion_png, head_result, score
from vocabulary import COLOR_CODES, TYPE_CODES


def sample(type_code: str | None, top10: str | None, color: str, alt: str | None = None) -> Sample:
    return Sample("id", Path("x.jpg"), "test", "label", type_code, top10, color, alt)


def one_hot(codes, labels, *, second: dict[int, str] | None = None) -> np.ndarray:
    probs = np.zeros((len(codes), len(labels)))
    for i, code in enumerate(codes):
        probs[i, labels.index(code)] = 0.6
        if second and i in second:
            probs[i, labels.index(second[i])] = 0.4
    return probs


def test_restricted_top10_ignores_types_outside_the_subset():
    samples = [sample("shirt", "shirt", "white"), sample("pants", "pants", "blue"), sample("polo", None, "red")]
    # Photo 0: "polo" wins overall (not in the 10 classes) but "shirt" is the best of the 10.
    types = one_hot(["polo", "shorts", "polo"], TYPE_CODES, second={0: "shirt"})
    colors = one_hot(["white", "navy", "orange"], COLOR_CODES)
    result = score("test", samples, types, colors)
    assert result.top10_restricted.count == 2
    assert result.top10_restricted.accuracy == pytest.approx(0.5)  # shirt right, pants->shorts wrong
    assert result.top10_unrestricted_accuracy == pytest.approx(0.0)
    assert result.type.accuracy == pytest.approx(1 / 3)  # only the polo
    assert result.slot.accuracy == pytest.approx(1.0)  # every mistake stayed in its slot (top, bottom)
    assert result.color_strict.accuracy == pytest.approx(1 / 3)


def test_colour_alt_counts_and_colour_only_photos_are_scored():
    samples = [sample("pants", "pants", "blue", "navy"), sample(None, None, "gray"), sample("hat", "hat", "red")]
    types = one_hot(["pants", "hat", "hat"], TYPE_CODES)
    colors = one_hot(["navy", "gray", "pink"], COLOR_CODES)
    result = score("test", samples, types, colors)
    assert result.color_or_alt_accuracy == pytest.approx(2 / 3)
    assert result.color_strict.accuracy == pytest.approx(1 / 3)
    assert result.color_strict.count == 3  # the Not-sure photo counts for colour ...
    assert result.type.count == 2 and result.slot.count == 2  # ... but not for type or slot


def test_macro_f1_and_confusion():
    result = head_result([0, 0, 1, 1], [0, 1, 1, 1], ["a", "b", "c"])
    assert result.confusion == [[1, 1, 0], [0, 2, 0], [0, 0, 0]]
    assert result.accuracy == pytest.approx(0.75)
    assert result.macro_f1 == pytest.approx(np.mean([2 / 3, 0.8]))  # "c" never occurs and is left out


def test_confusion_png(tmp_path):
    path = tmp_path / "confusion.png"
    confusion_png(head_result([0, 1], [0, 0], ["dress", "hat"]), path, title="type - test")
    with Image.open(path) as image:
        assert image.size[0] > 100 and image.mode == "RGB"
