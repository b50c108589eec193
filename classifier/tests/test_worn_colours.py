"""A worn garment's colour and pattern read again (classifier.worn_colours): the regression, the calibration, where
the predictor applies them, and the committed artifact's block against the labels it was fitted on."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from django.conf import settings
from PIL import Image

from classifier import worn_colours
from classifier.evaluation import WORN_COLOUR_L2, train_worn_colours
from classifier.predictor import ModelLabels, load_predictor

ARTIFACT = settings.BASE_DIR / "classifier" / "artifacts" / "current"
FLAT_PHOTO = "fd290621-7999-4ea1-aa17-ae6eee86558e"  # a t-shirt of the CC0 test split


def _outputs(head: np.ndarray, pixels: np.ndarray, embedding: np.ndarray, pattern: np.ndarray) -> dict:
    return {"color": head, "color_head": head, "color_pixels": pixels, "embedding": embedding, "pattern": pattern}


def test_the_regression_learns_what_the_flat_head_misreads_from_the_pixels():
    """Worn navy garments the flat head calls black (0.7) while their pixels say navy: fitted on them, the regression
    reads navy, and keeps black garments black; its probabilities sum to one."""
    rng = np.random.default_rng(0)
    n, colours = 200, 3  # black, navy, white
    y = rng.integers(0, colours, n)
    head = np.full((n, colours), 0.1)
    head[np.arange(n), np.where(y == 1, 0, y)] = 0.8  # navy read black
    pixels = np.eye(colours)[y] * 0.6 + rng.uniform(0, 0.2, (n, colours))
    x = worn_colours.colour_features(_outputs(head, pixels, rng.normal(size=(n, 4)), np.zeros((n, 2))))
    assert x.shape == (n, colours + colours + 4)
    model = worn_colours.fit_softmax(x, y, classes=colours, l2=0.01)
    probs = worn_colours.softmax_probabilities(x, model)
    assert probs.sum(axis=1) == pytest.approx(np.ones(n))
    assert np.mean(probs.argmax(axis=1) == y) > 0.95
    assert np.mean(head.argmax(axis=1) == y) < 0.75  # the flat head alone


def test_the_pattern_calibration_stops_calling_solid_garments_patterned():
    """A head that gives solid worn garments 0.6 "pattern" and prints 0.9: calibrated, the solid ones fall under 0.5
    and the prints stay over it; the labels' order is kept."""
    labels = ("solid", "pattern")
    probs = np.array([[0.4, 0.6]] * 40 + [[0.1, 0.9]] * 10)
    patterned = np.array([False] * 40 + [True] * 10)
    model = worn_colours.fit_pattern(worn_colours.pattern_log_odds(probs, 1), patterned)
    calibrated = worn_colours.calibrated_pattern(probs, labels, model)
    assert calibrated.sum(axis=1) == pytest.approx(np.ones(50))
    assert (calibrated[:40, 1] < 0.5).all() and (calibrated[40:, 1] > 0.5).all()
    flipped = worn_colours.calibrated_pattern(probs[:, ::-1], labels[::-1], model)
    assert flipped[:, ::-1] == pytest.approx(calibrated)


def test_outputs_are_left_alone_without_a_block_or_a_map():
    out = _outputs(np.eye(3)[:1], np.eye(3)[:1], np.zeros((1, 4)), np.array([[0.5, 0.5]]))
    assert worn_colours.as_worn(out, {}, ("solid", "pattern")) is out
    no_map = {k: v for k, v in out.items() if k != "color_pixels"}
    assert worn_colours.as_worn(no_map, {"colour": {}}, ("solid", "pattern")) is no_map
    assert worn_colours.loaded(None) == {}


def _always_red(labels: ModelLabels) -> dict:
    """A worn_colour block that reads every worn garment red and solid, whatever the network says."""
    colours, features = len(labels.colors), 2 * len(labels.colors) + labels.embedding_dim
    bias = np.zeros(colours)
    bias[list(labels.colors).index("red")] = 50.0
    colour = {
        "mean": np.zeros(features),
        "scale": np.ones(features),
        "weights": np.zeros((colours, features)),
        "bias": bias,
    }
    block = worn_colours.as_block(colour, {"scale": 0.0, "shift": -50.0}, labels=list(labels.colors))
    return worn_colours.loaded(json.loads(json.dumps(block)))


@pytest.mark.real_model
def test_a_worn_garment_is_read_by_the_worn_colour_block_and_a_flat_photo_is_not(dataset_dir, coparsing_dir):
    """The block reads again the crops of garments someone wears: each garment of a street photo, and a region the
    shopper chose in it; a garment laid flat, or a region chosen in its photo, is read as before."""
    served = load_predictor(ARTIFACT)
    reader = load_predictor(ARTIFACT)
    reader.labels = dataclasses.replace(reader.labels, worn_colour=_always_red(reader.labels))
    street = Image.open(coparsing_dir / "photos" / "0306.jpg").convert("RGB")
    outfit = reader.predict(street)
    assert len(outfit.garments) >= 2
    assert {g.prediction.color.label for g in outfit.garments} == {"red"}
    assert {g.prediction.pattern.label for g in outfit.garments} == {"solid"}
    assert {g.prediction.color.label for g in served.predict(street).garments} != {"red"}
    assert reader.predict_crop(street, outfit.garments[0].box).color.label == "red"
    flat = Image.open(dataset_dir / "images" / f"{FLAT_PHOTO}.jpg").convert("RGB")
    flat_reading = reader.predict(flat)
    assert not flat_reading.garments and flat_reading.worn_box is None  # laid flat
    assert flat_reading.color.label == served.predict(flat).color.label != "red"
    box = (0.1, 0.1, 0.9, 0.9)
    assert reader.predict_crop(flat, box).color.label == served.predict_crop(flat, box).color.label
    raw = reader.outputs([flat], worn=True)
    assert list(reader.labels.colors)[int(np.argmax(raw["color"][0]))] == "red"
    assert np.array_equal(raw["color_flat"], reader.outputs([flat])["color"])


@pytest.mark.real_model
def test_the_committed_worn_colour_block_is_what_the_labels_fit(coparsing_dir):
    """fit_probes' worn_colour fitting, run again on the committed network and the by-eye labels, gives the committed
    block (its regularisation and its held-out figures), and reads worn colours better than the flat reading on
    validation."""
    predictor = load_predictor(ARTIFACT)
    served = predictor.labels.worn_colour
    assert served, "the committed artifact reads worn colours again"
    block, tries = train_worn_colours(predictor, coparsing_dir)
    assert {t["l2"] for t in tries} == set(WORN_COLOUR_L2)
    assert block["cross_validation"] == served["cross_validation"]
    assert block["trained_on"] == served["trained_on"]
    assert block["validation_figures"] == served["validation_figures"]
    figures = block["validation_figures"]["colour_or_alt"]
    assert figures["worn"] > figures["flat"]


def test_lit_copies_of_the_train_garments_join_the_fit_in_their_photos_folds(monkeypatch, tmp_path):
    """train_worn_colours(lit_copies=2) reads every train garment twice more, each time in a light of its own, with the
    garment's own label; the cross-validation scores the garments as taken only, and the block records the copies.
    Validation is also read in each light of lighting.LIGHTS."""
    from classifier import evaluation  # noqa: PLC0415  (the module whose reading is replaced)
    from classifier.coparsing import SeenColour  # noqa: PLC0415
    from classifier.lighting import LIGHTS  # noqa: PLC0415

    colours = ["black", "white"]
    rng = np.random.default_rng(1)
    seen = [SeenColour(colours[i % 2], None, "solid", False, "train") for i in range(60)]
    photos = [f"{i // 3:04d}" for i in range(60)]
    calls: list[tuple[str, object]] = []

    def reading(predictor, coparsing_dir, split, lights=None, *, studio=False):
        calls.append((split, "studio" if studio else None if lights is None else tuple(lights)))
        white = np.array([s.color == "white" for s in seen], dtype=float)
        head = np.stack([1 - white, white], axis=1) * 0.8 + 0.1
        out = _outputs(head, head, rng.normal(size=(60, 3)), np.full((60, 2), 0.5))
        return seen, photos, out

    monkeypatch.setattr(evaluation, "_worn_by_eye_outputs", reading)
    labels = dataclasses.replace(
        ModelLabels.load(ARTIFACT), colors=tuple(colours), heads={"pattern": ("solid", "pattern")}
    )
    predictor = type("Reader", (), {"labels": labels})()
    block, tries = train_worn_colours(predictor, tmp_path, lit_copies=2, studio_copy=False, seed=5)
    train_lights = [lights for split, lights in calls if split == "train" and lights is not None]
    assert len(train_lights) == 2 and all(len(lights) == 60 for lights in train_lights)
    assert train_lights[0] != train_lights[1]  # each copy in lights of its own
    assert block["trained_on"] == {"garments": 60, "photos": 20, "lit_copies": 2, "studio_copy": False, "seed": 5}
    assert all(t["colour_or_alt"] == 1.0 for t in tries if t["l2"] <= 0.1)  # scored on the 60 as taken
    assert set(block["validation_in_light"]) == set(LIGHTS)
    validation_lights = [
        lights for split, lights in calls if split == "validation" and lights is not None and lights != "studio"
    ]
    assert [lights[0] for lights in validation_lights] == list(LIGHTS.values())
    # Validation is read once more cut from the photos' studio versions, and scored there.
    assert ("validation", "studio") in calls and 0.0 <= block["validation_on_backdrop"] <= 1.0
    # With the studio copy (served), every train garment is read once more from its photo's studio version.
    calls.clear()
    block, _tries = train_worn_colours(predictor, tmp_path, seed=5)
    assert calls.count(("train", "studio")) == 1 and block["trained_on"]["studio_copy"] is True
