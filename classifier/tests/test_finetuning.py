"""Fine-tuning the backbone end to end: it must change the trainable layers, keep the frozen ones, and write weights
that train_classifier --weights reads like the ImageNet file."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from django.core.management import CommandError, call_command

from classifier.backbones import build_backbone
from classifier.evaluation import model_card_context
from classifier.finetuning import bottom_frozen_prefixes
from classifier.tests.factories import make_tiny_coparsing, make_tiny_dataset
from classifier.training import backbone_finetune_record


def _finetune_one_epoch(out, dataset, coparsing, weights, *extra: str) -> None:
    """finetune_backbone on the tiny sets: one epoch at 64 px, quietly."""
    call_command(
        "finetune_backbone",
        "--out", str(out),
        "--dataset", str(dataset),
        "--coparsing", str(coparsing),
        "--weights", str(weights),
        "--epochs", "1",
        "--learning-rate", "1e-3",
        "--image-size", "64",
        "--verbosity", "0",
        *extra,
    )  # fmt: skip


@pytest.mark.slow
def test_finetune_backbone_writes_changed_weights_in_the_imagenet_layout(tmp_path, lite0_weights):
    dataset = make_tiny_dataset(tmp_path / "data", copies=1)
    coparsing = make_tiny_coparsing(tmp_path / "ccp")
    out = tmp_path / "lite0-garments.npz"
    _finetune_one_epoch(out, dataset, coparsing, lite0_weights)
    start, tuned = np.load(lite0_weights), np.load(out)
    assert sorted(tuned.files) == sorted(start.files)
    # Trained: a late block's convolutions. Frozen: the stem, the first blocks and every batch norm's statistics.
    assert not np.allclose(tuned["_blocks.12._expand_conv.weight"], start["_blocks.12._expand_conv.weight"])
    assert not np.allclose(tuned["_conv_head.weight"], start["_conv_head.weight"])
    for key in ("_conv_stem.weight", "_blocks.1._expand_conv.weight", "_blocks.12._bn0.running_mean", "_bn1.weight"):
        np.testing.assert_array_equal(tuned[key], start[key], err_msg=key)

    record = json.loads(out.with_suffix(".json").read_text())
    assert record["samples"]["train"] > 0 and record["samples"]["validation"] > 0
    assert len(record["history"]["validation_type_accuracy"]) == 2  # the heads alone, then one epoch
    colour = record["history"]["validation_color_or_alt_accuracy"]
    assert len(colour) == 2 and all(0 <= a <= 1 for a in colour)
    # The written file is a backbone train_classifier can start from.
    backbone = build_backbone("efficientnet_lite0", image_size=64, weights_path=out)
    assert np.isfinite(backbone.features(np.zeros((1, 64, 64, 3), np.float32)).numpy()).all()


@pytest.mark.slow
def test_the_outfit_map_can_join_the_fine_tuning_on_street_photos_and_records_its_loss(tmp_path, lite0_weights):
    dataset = make_tiny_dataset(tmp_path / "data", copies=1)
    coparsing = make_tiny_coparsing(tmp_path / "ccp")
    outs = {}
    for weight in ("0", "5"):
        outs[weight] = tmp_path / f"lite0-map{weight}.npz"
        _finetune_one_epoch(outs[weight], dataset, coparsing, lite0_weights, "--segmentation-weight", weight)
    record = json.loads(outs["5"].with_suffix(".json").read_text())
    assert record["samples"]["street_photos"] > 0
    losses = record["history"]["segmentation_loss"]
    assert len(losses) == 2 and all(np.isfinite(loss) and loss > 0 for loss in losses)
    plain = json.loads(outs["0"].with_suffix(".json").read_text())
    assert plain["samples"]["street_photos"] == 0 and "segmentation_loss" not in plain["history"]
    # The frozen stem stays ImageNet's with the map too.
    np.testing.assert_array_equal(np.load(outs["5"])["_conv_stem.weight"], np.load(lite0_weights)["_conv_stem.weight"])


def test_the_outfit_map_needs_street_photos(tmp_path, lite0_weights):
    dataset = make_tiny_dataset(tmp_path / "data", copies=2)
    with pytest.raises(CommandError, match="needs the co-parsing photos"):
        call_command(
            "finetune_backbone", "--out", str(tmp_path / "w.npz"), "--dataset", str(dataset), "--coparsing", "",
            "--weights", str(lite0_weights), "--segmentation-weight", "1",
        )  # fmt: skip


@pytest.mark.slow
def test_keep_bottom_fine_tunes_only_the_top_so_the_outfit_map_reads_the_same_features(tmp_path, lite0_weights):
    dataset = make_tiny_dataset(tmp_path / "data", copies=2)
    out = tmp_path / "lite0-top.npz"
    _finetune_one_epoch(out, dataset, "", lite0_weights, "--keep-bottom")
    start, tuned = np.load(lite0_weights), np.load(out)
    bottom = [
        k for k in start.files if k.startswith("_conv_stem") or any(k.startswith(f"_blocks.{b}.") for b in range(11))
    ]
    assert len(bottom) > 100
    for key in bottom:
        np.testing.assert_array_equal(tuned[key], start[key], err_msg=key)
    assert not np.allclose(tuned["_blocks.11._expand_conv.weight"], start["_blocks.11._expand_conv.weight"])
    assert not np.allclose(tuned["_conv_head.weight"], start["_conv_head.weight"])


def test_the_kept_bottom_is_every_layer_before_the_top_and_nothing_after():
    backbone = build_backbone("efficientnet_lite0", image_size=64, weights_path=None)
    prefixes = bottom_frozen_prefixes()
    assert backbone.bottom is not None and backbone.top is not None
    weighted_bottom = [layer.name for layer in backbone.bottom.layers if layer.weights]
    assert weighted_bottom and all(name.startswith(prefixes) for name in weighted_bottom)
    assert not [layer.name for layer in backbone.top.layers if layer.weights and layer.name.startswith(prefixes)]


def test_finetune_backbone_refuses_what_it_cannot_write(tmp_path, lite0_weights):
    dataset = make_tiny_dataset(tmp_path / "data", copies=1)
    common = ["--dataset", str(dataset), "--coparsing", "", "--weights", str(lite0_weights)]
    with pytest.raises(CommandError, match=r"must name a \.npz"):
        call_command("finetune_backbone", "--out", str(tmp_path / "weights.h5"), *common)
    with pytest.raises(CommandError, match="backbone weights not found"):
        call_command("finetune_backbone", "--out", str(tmp_path / "w.npz"), *common[:4], "--weights", "/nope.npz")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("finetune_backbone", "--out", str(tmp_path / "w.npz"), *common, "--epochs", "0")
    # copies=1 puts every photo in train: nothing to validate on
    with pytest.raises(CommandError, match="needs train and validation photos; found 10 and 0"):
        call_command("finetune_backbone", "--out", str(tmp_path / "w.npz"), *common, "--verbosity", "0")


def test_an_artifact_trained_from_a_finetuned_backbone_says_so_in_its_model_card(tmp_path):
    weights = tmp_path / "lite0-garments.npz"
    weights.write_bytes(b"")
    assert backbone_finetune_record(weights) is None  # the ImageNet file has no record beside it
    weights.with_suffix(".json").write_text(
        json.dumps(
            {
                "config": {"epochs": 4, "extra": {"command": "python manage.py finetune_backbone --out /x/w.npz"}},
                "samples": {"train": 5969, "validation": 789},
                "history": {"validation_type_accuracy": [0.635, 0.697, 0.743]},
                "seconds": 1650,
            }
        )
    )
    record = backbone_finetune_record(weights)
    assert record == {
        "weights": "lite0-garments.npz",
        "command": "python manage.py finetune_backbone --out /x/w.npz",
        "epochs": 4,
        "samples": {"train": 5969, "validation": 789},
        "validation_type_accuracy": [0.635, 0.697, 0.743],
        "seconds": 1650,
    }
    line = model_card_context({"backbone_finetune": record}, {})["backbone_finetune"]
    assert "`python manage.py finetune_backbone --out …/w.npz` (1650 s, 4 epochs on 5969" in line
    assert "0.635 -> 0.697 -> 0.743" in line
    assert "street photos" not in line
    with_map = {**record, "samples": {"train": 5969, "validation": 789, "street_photos": 503}}
    line = model_card_context({"backbone_finetune": with_map}, {})["backbone_finetune"]
    assert "on 5969 flat photos and worn crops, and an outfit map on 503 street photos;" in line
    assert model_card_context({}, {})["backbone_finetune"] == ""
