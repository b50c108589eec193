"""A worn pair of shoes' kind read again (classifier.worn_kinds): the regression, where the predictor applies it, the
labels it is fitted on, and the committed artifact's block against them."""

from __future__ import annotations

import collections
import dataclasses
import json

import numpy as np
import pytest
from django.conf import settings
from PIL import Image

from classifier import worn_colours, worn_kinds
from classifier.coparsing import shoe_chips_by_eye
from classifier.evaluation import WORN_KIND_L2, train_worn_kinds
from classifier.predictor import ModelLabels, load_predictor
from vocabulary import SHOE_KINDS

ARTIFACT = settings.BASE_DIR / "classifier" / "artifacts" / "current"
FLAT_SHOES = "73c325ed-47ba-4df3-9b04-d8acab202244"  # a pair of shoes of the CC0 test split


def test_the_regression_reads_heeled_boots_as_boots_where_the_head_says_heels():
    """Worn boots the head calls heels (0.6) while the embedding tells them apart: fitted on them, the regression
    reads boots and keeps real heels heels; its probabilities sum to one."""
    rng = np.random.default_rng(0)
    n, kinds = 300, 3  # boots, heels, flats
    y = rng.integers(0, kinds, n)
    head = np.full((n, kinds), 0.2)
    head[np.arange(n), np.where(y == 0, 1, y)] = 0.6  # boots read heels
    embedding = np.eye(kinds)[y] + rng.normal(0, 0.3, (n, kinds))
    x = worn_kinds.kind_features({"kind": head, "embedding": embedding})
    assert x.shape == (n, kinds + kinds)
    model = worn_colours.fit_softmax(x, y, classes=kinds, l2=0.01)
    out = worn_kinds.as_worn({"kind": head, "embedding": embedding}, {"model": model})
    assert out["kind"].sum(axis=1) == pytest.approx(np.ones(n), abs=1e-5)
    assert np.mean(out["kind"].argmax(axis=1) == y) > 0.95
    assert np.mean(head.argmax(axis=1) == y) == np.mean(y != 0)  # the head alone misses every pair of boots
    assert out["kind_flat"] is head


def test_outputs_are_left_alone_without_a_block_or_a_kind_head():
    out = {"kind": np.eye(6)[:1], "embedding": np.zeros((1, 4))}
    assert worn_kinds.as_worn(out, {}) is out
    no_kind_head = {"embedding": np.zeros((1, 4))}
    assert worn_kinds.as_worn(no_kind_head, {"model": {}}) is no_kind_head
    assert worn_kinds.loaded(None, SHOE_KINDS) == {}
    block = worn_kinds.as_block(
        {"mean": np.zeros(2), "scale": np.ones(2), "weights": np.zeros((2, 2)), "bias": np.zeros(2)},
        labels=["boots", "heels"],
    )
    with pytest.raises(ValueError, match="fitted for kinds"):
        worn_kinds.loaded(block, ("heels", "boots"))


def test_a_network_with_a_worn_shoe_branch_reads_worn_kinds_by_it():
    """A network's own "kind_worn" output is a worn garment's kind; a block fitted on top of it reads that output, not
    the flat kind head; a block without a fitted model (it only records the branch's figures) changes nothing."""
    head, branch = np.eye(3)[[1, 1]], np.eye(3)[[0, 2]] * 0.8 + 0.1 / 1.5
    out = {"kind": head, "kind_worn": branch, "embedding": np.zeros((2, 2))}
    worn = worn_kinds.as_worn(out, {})
    assert worn["kind"] is branch and worn["kind_flat"] is head
    features = worn_kinds.kind_features(out)
    np.testing.assert_allclose(features[:, :3], np.log(branch + worn_kinds.EPSILON))
    # A regression that copies its first features (the log kind probabilities it is given) reads the branch.
    model = {"mean": np.zeros(5), "scale": np.ones(5), "weights": np.hstack([np.eye(3), np.zeros((3, 2))]) * 10}
    again = worn_kinds.as_worn(out, {"model": {**model, "bias": np.zeros(3)}})
    assert list(again["kind"].argmax(axis=1)) == [0, 2] and again["kind_flat"] is head
    record = worn_kinds.as_block({}, labels=SHOE_KINDS, reader="kind_worn")
    assert "model" not in record and worn_kinds.loaded(json.loads(json.dumps(record)), SHOE_KINDS) == {}


def test_the_shoe_chips_labelled_by_eye_are_read_whole():
    """1,029 shoe chips of the tag-only photos: every split, boxes inside the photo, kinds of the vocabulary; 785 seen
    well enough to name a kind."""
    chips = shoe_chips_by_eye()
    assert collections.Counter(chip.split for chip in chips) == {"train": 720, "validation": 158, "test": 151}
    assert {chip.kind for chip in chips} <= {*SHOE_KINDS, "none"}
    assert all(0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 for x0, y0, x1, y1 in (chip.box for chip in chips))
    assert [chip.image_id for chip in shoe_chips_by_eye("test")] == [c.image_id for c in chips if c.split == "test"]
    seen = [chip for chip in chips if not chip.unsure and chip.kind != "none"]
    assert collections.Counter(chip.split for chip in seen) == {"train": 547, "validation": 130, "test": 108}


def _always_sandals(labels: ModelLabels) -> dict:
    """A worn_kind block that reads every worn crop as sandals, whatever the network says."""
    kinds, features = labels.heads["kind"], len(labels.heads["kind"]) + labels.embedding_dim
    bias = np.zeros(len(kinds))
    bias[list(kinds).index("sandals")] = 50.0
    model = {
        "mean": np.zeros(features),
        "scale": np.ones(features),
        "weights": np.zeros((len(kinds), features)),
        "bias": bias,
    }
    return worn_kinds.loaded(json.loads(json.dumps(worn_kinds.as_block(model, labels=kinds))), kinds)


@pytest.mark.real_model
def test_worn_shoes_are_read_by_the_worn_kind_block_and_flat_shoes_are_not(dataset_dir, coparsing_dir):
    """The block reads again the shoes someone wears, listed in a street photo or chosen in it; shoes laid flat are
    read by the kind head alone."""
    served = load_predictor(ARTIFACT)
    reader = load_predictor(ARTIFACT)
    reader.labels = dataclasses.replace(reader.labels, worn_kind=_always_sandals(reader.labels))
    street = Image.open(coparsing_dir / "photos" / "0115.jpg").convert("RGB")  # a woman in a coat and boots
    shoes = [g for g in reader.predict(street).garments if g.slot == "shoes"]
    assert shoes and {g.prediction.kind.label for g in shoes} == {"sandals"}
    assert {g.prediction.kind.label for g in served.predict(street).garments if g.slot == "shoes"} == {"boots"}
    assert reader.predict_crop(street, shoes[0].box).kind.label == "sandals"
    flat = Image.open(dataset_dir / "images" / f"{FLAT_SHOES}.jpg").convert("RGB")
    flat_reading = reader.predict(flat)
    assert not flat_reading.garments and flat_reading.worn_box is None  # laid flat
    assert flat_reading.kind.label == served.predict(flat).kind.label != "sandals"
    raw = reader.outputs([flat], worn=True)
    assert np.array_equal(raw["kind_flat"], reader.outputs([flat])["kind"])


@pytest.mark.real_model
def test_the_committed_worn_kind_block_is_what_the_labels_give(coparsing_dir):
    """fit_probes' worn_kind step, run again on the committed network and the by-eye labels, gives the committed
    block (with a regression: its regularisation and what it was fitted on; with the network's worn-shoe branch:
    nothing fitted) and its held-out figures, and names the kinds people see more often than the kind head alone on
    both validation label sets."""
    predictor = load_predictor(ARTIFACT)
    served = json.loads((ARTIFACT / "labels.json").read_text())["worn_kind"]
    block, tries = train_worn_kinds(predictor, coparsing_dir)
    if "kind_worn" in predictor.labels.tflite_output:
        assert tries == [] and "model" not in block and block["reader"] == "kind_worn"
    else:
        assert {t["l2"] for t in tries} == set(WORN_KIND_L2)
        assert block["cross_validation"] == served["cross_validation"]
        assert block["trained_on"] == served["trained_on"]
    assert block["validation_figures"] == served["validation_figures"]
    assert block["test_figures"] == served["test_figures"]
    for entry in block["validation_figures"].values():
        assert entry["worn"]["accuracy"] > entry["flat"]["accuracy"]
