"""The chip gate: is a garment listed in a photo of a person there? Its features, fit, thresholds, and what the
predictor does with it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image

from classifier import chip_gate
from classifier.evaluation import train_chip_gate
from classifier.predictor import (
    DetectedGarment,
    FakePredictor,
    HeadPrediction,
    chip_features,
    with_bottom_under_a_top,
    with_chip_gate,
)
from classifier.tests.factories import make_tiny_coparsing


def _index(name: str) -> int:
    return chip_gate.FEATURES.index(name)


def test_features_describe_each_listed_garment_beside_the_others():
    x = chip_gate.features(
        ["bottom", "top", "shoes"],
        [(0.2, 0.3, 0.8, 0.9), (0.2, 0.0, 0.8, 0.3), (0.3, 0.6, 0.7, 0.7)],
        [0.8, 0.5, 0.6],
        [0.95, 0.1, 0.4],
        [0.9, 0.3, 0.8],
        {"bottom": 0.7, "top": 0.2},
    )
    assert x.shape == (3, len(chip_gate.FEATURES))
    assert x[0, _index("slot_bottom")] == 1.0 and x[0, _index("slot_top")] == 0.0
    assert x[1, _index("crop_slot_top")] == pytest.approx(0.1) and x[1, _index("crop_slot_bottom")] == 0.0
    assert x[0, _index("area_of_largest")] == 1.0 and x[2, _index("area_of_largest")] == pytest.approx(0.04 / 0.36)
    assert x[1, _index("centre_top")] == pytest.approx(0.15) and x[2, _index("height_shoes")] == pytest.approx(0.1)
    assert list(x[:, _index("listed")]) == [3.0, 3.0, 3.0]
    assert list(x[:, _index("photo_slot")]) == [0.7, 0.2, 0.0]  # shoes: not among the photo's top slots


def _phantoms(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Listed tops: those high in the photo are there, those over the hips (centre below 0.5) are not, whatever
    their crop reads (a waist-down shop photo's "top")."""
    rng = np.random.default_rng(seed)
    centre = rng.uniform(0.1, 0.9, n)
    crop = rng.uniform(0.2, 1.0, n)
    boxes = [(0.2, c - 0.1, 0.8, c + 0.1) for c in centre]
    x = chip_gate.features(["top"] * n, boxes, [0.6] * n, crop.tolist(), [0.5] * n, {})
    return x, centre < 0.5


def test_the_gate_learns_where_a_listed_garment_is_not_there():
    x, there = _phantoms(300, seed=0)
    model = chip_gate.fit(x, there)
    x_new, there_new = _phantoms(200, seed=1)
    p = chip_gate.probabilities(x_new, model)
    assert p.shape == (200,) and ((p >= 0.5) == there_new).mean() >= 0.95
    # The crop's reading alone could not tell them apart here.
    crop = x_new[:, _index("crop_slot")]
    assert abs(float(np.corrcoef(crop, there_new)[0, 1])) < 0.2


def test_thresholds_drop_only_what_costs_whole_photos_almost_nothing_and_mark_what_is_mostly_not_there():
    # 200 garments of whole photos (140 there: those at 0.3 or more) and 100 of framings (none there).
    p = np.concatenate([np.linspace(0.0, 1.0, 200), np.linspace(0.2, 0.5, 100)])
    there = np.concatenate([np.linspace(0.0, 1.0, 200) >= 0.3, np.zeros(100, dtype=bool)])
    whole = np.concatenate([np.ones(200, dtype=bool), np.zeros(100, dtype=bool)])
    drop, unsure = chip_gate.choose_thresholds(p, there, whole)
    assert drop == 0.2  # nothing there under 0.3: the largest drop of the grid
    # Whole photos' garments from 0.2 to 0.35: 10 of 30 there (a third); to 0.4, 20 of 40. The framings' phantoms
    # would allow 0.5 (pooled, 40 of 160 there), but a street photo's chips would then be half doubted.
    assert unsure == 0.35
    there[:2] = True  # two garments there among the lowest: dropping them costs 2 of 142, over 0.5 %
    assert chip_gate.choose_thresholds(p, there, whole)[0] == 0.0


def test_a_gate_fitted_on_other_features_is_not_loaded():
    model = chip_gate.fit(*_phantoms(50, seed=2))
    block = chip_gate.as_block(model, drop=0.1, unsure=0.3)
    assert chip_gate.loaded(block)["weights"].shape == (len(chip_gate.FEATURES),)
    assert chip_gate.loaded({**block, "features": block["features"][:-1]}) == {}
    assert chip_gate.loaded({}) == {}


def _outfit(*slots: str):
    reading = FakePredictor().predict(Image.new("RGB", (40, 60), (120, 30, 30)))
    boxes = {
        "top": (0.2, 0.1, 0.8, 0.4),
        "bottom": (0.2, 0.4, 0.8, 0.9),
        "shoes": (0.3, 0.9, 0.7, 1.0),
        "one_piece": (0.2, 0.3, 0.8, 0.85),  # over the bottom's legs (IoU 0.73)
    }
    garments = tuple(DetectedGarment(slot=s, box=boxes[s], score=0.7, prediction=reading) for s in slots)
    return dataclasses.replace(reading, garments=garments)


def _gate_against(slot: str, *, drop: float = 0.1, unsure: float = 0.5) -> dict:
    """A gate that finds garments of `slot` never there (probability ~0), the others likely (0.88)."""
    weights = np.zeros(len(chip_gate.FEATURES))
    weights[_index(f"slot_{slot}")] = -10.0
    n = len(chip_gate.FEATURES)
    model = {"weights": weights, "bias": 2.0, "mean": np.zeros(n), "scale": np.ones(n)}
    return chip_gate.loaded(chip_gate.as_block(model, drop=drop, unsure=unsure))


def test_the_predictor_drops_what_the_gate_finds_is_not_there_and_marks_what_it_doubts():
    outfit = _outfit("top", "bottom", "shoes")
    assert chip_features(outfit).shape == (3, len(chip_gate.FEATURES))
    gated = with_chip_gate(outfit, _gate_against("shoes"))
    assert [g.slot for g in gated.garments] == ["top", "bottom"]
    assert all(g.presence == pytest.approx(0.8808, abs=1e-3) and not g.unsure for g in gated.garments)
    chip = gated.garments[0].to_dict()
    assert chip["confidences"]["present"] == pytest.approx(0.8808, abs=1e-3) and chip["unsure"] is False
    # Under `unsure` (but over `drop`): listed, marked.
    doubted = with_chip_gate(outfit, _gate_against("shoes", unsure=0.9))
    assert [g.unsure for g in doubted.garments] == [True, True]
    # Without a gate: unchanged, and the chips say nothing of it.
    assert with_chip_gate(outfit, {}) is outfit
    assert "present" not in outfit.garments[0].to_dict()["confidences"]
    assert "unsure" not in outfit.garments[0].to_dict()


def test_a_one_piece_listed_over_a_bottom_is_doubtful():
    """The map found a skirt twice, as a bottom and as a "dress": the dress is listed, marked as one we are not sure
    of; the bottom, and a one-piece with no bottom under it, are not."""
    gated = with_chip_gate(_outfit("top", "bottom", "one_piece", "shoes"), _gate_against("outer"))
    assert [(g.slot, g.unsure) for g in gated.garments] == [
        ("top", False),
        ("bottom", False),
        ("one_piece", True),
        ("shoes", False),
    ]
    assert gated.garments[2].to_dict()["unsure"] is True
    alone = with_chip_gate(_outfit("top", "one_piece", "shoes"), _gate_against("outer"))
    assert not any(g.unsure for g in alone.garments)


def test_when_one_garment_stands_the_photo_is_read_as_that_garment_worn():
    """A waist-down shop photo listing the trousers and a "top" over the hips: without the top, it is a photo of one
    garment someone wears, read from the trousers' box."""
    outfit = _outfit("top", "bottom")
    one = with_chip_gate(outfit, _gate_against("top"))
    assert one.garments == () and one.worn_box == (0.2, 0.4, 0.8, 0.9)


def test_the_gate_is_fitted_on_the_train_photos_and_scored_on_the_others(tmp_path):
    """On the tiny co-parsing photos (a tee, a skirt or trousers, sneakers), a product that lists the tee where it
    is, a "coat" that is never there and shoes on the knees: fitted on the train split, the gate drops or doubts the
    coat and the shoes more than the tee; every split is scored."""
    root = make_tiny_coparsing(tmp_path / "ccp")

    class Lists(FakePredictor):
        def predict(self, image):
            reading = super().predict(image)
            found = [("top", (0.3, 0.13, 0.7, 0.45)), ("outer", (0.0, 0.0, 0.2, 0.2)), ("shoes", (0.3, 0.5, 0.7, 0.6))]
            garments = tuple(DetectedGarment(slot=s, box=b, score=0.7, prediction=reading) for s, b in found)
            return dataclasses.replace(reading, garments=garments)

    block, figures = train_chip_gate(Lists(), root)
    assert set(figures) == {"train", "validation", "test"}
    train = figures["train"]["photos"]
    assert (train["listed_before"], train["there_before"]) == (18, 6)  # 6 photos: the tee is there, nothing else
    assert block["trained_on"]["photos"] == 18 and block["features"] == list(chip_gate.FEATURES)
    assert 0.0 <= block["drop"] <= block["unsure"] <= max(chip_gate.UNSURE_GRID)
    gate = chip_gate.loaded(block)
    x = chip_features(Lists().predict(Image.new("RGB", (60, 90))))
    tee, coat, shoes = chip_gate.probabilities(x, gate)
    assert tee > 2 * max(coat, shoes)  # the tee is there in every train photo (not in every framing)
    with pytest.raises(ValueError, match="both there and not"):
        train_chip_gate(FakePredictor(), root)  # lists nothing


def test_a_one_piece_beside_a_top_whose_crop_gives_a_bottom_is_listed_as_that_bottom():
    """The map takes a skirt worn under a separate top for a dress: listed beside a top (and no bottom), a one-piece
    whose crop gives a bottom's type at least ONE_PIECE_BESIDE_A_TOP_AS_BOTTOM among its top 3 is the bottom."""
    top, one_piece, shoes = _outfit("top", "one_piece", "shoes").garments

    def read_as(*top3: tuple[str, float]) -> DetectedGarment:
        head = HeadPrediction(top3[0][0], top3[0][1], list(top3))
        return dataclasses.replace(one_piece, prediction=dataclasses.replace(one_piece.prediction, type=head))

    skirt_like = read_as(("dress", 0.8), ("skirt", 0.12), ("pants", 0.05))
    listed = with_bottom_under_a_top((top, skirt_like, shoes))
    assert [g.slot for g in listed] == ["top", "bottom", "shoes"] and listed[1].prediction is skirt_like.prediction
    assert with_bottom_under_a_top((top, read_as(("dress", 0.7), ("pants", 0.2), ("skirt", 0.05)), shoes))[1].slot == (
        "bottom"
    )
    dress_like = read_as(("dress", 0.9), ("skirt", 0.08), ("top", 0.01))  # under the threshold
    assert [g.slot for g in with_bottom_under_a_top((top, dress_like, shoes))] == ["top", "one_piece", "shoes"]
    # No top beside it (a dress worn alone), or a bottom already listed (the one-piece is the doubtful one): as found.
    assert [g.slot for g in with_bottom_under_a_top((skirt_like, shoes))] == ["one_piece", "shoes"]
    bottom = dataclasses.replace(top, slot="bottom", box=(0.2, 0.4, 0.8, 0.9))
    assert [g.slot for g in with_bottom_under_a_top((top, bottom, skirt_like))] == ["top", "bottom", "one_piece"]
