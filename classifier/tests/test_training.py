"""The training pipeline end to end on the tiny backbone and a 20-photo dataset built on the fly."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("tensorflow")

import h5py
import keras
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter
from django.core.management import CommandError, call_command

from classifier.benchmark import benchmark, phone_framings
from classifier.camera import CAMERAS
from classifier.coparsing import STUDIO_BACKDROPS, read_mask, studio_backdrop
from classifier.dataset import Sample, load_samples
from classifier.evaluation import REFRAMINGS, SCREENSHOTS, worn_summary_lines
from classifier.imaging import open_image
from classifier.lighting import LIGHTS
from classifier.map_phones import photos_with_phones, studio_backdrop_colour
from classifier.predictor import any_light_colour, load_predictor
from classifier.regions import DETECTION_SLOTS, box_slot_shares, model_frame, photo_box_to_frame
from classifier.tests.factories import make_tiny_coparsing, make_tiny_dataset
from classifier.training import (
    TrainConfig,
    TrainResult,
    artifact_detector,
    attribute_targets,
    build_heads,
    color_targets,
    point_current,
    soft_crossentropy,
    train,
    type_targets,
)
from classifier.turns import THRESHOLD_GRID, turned
from vocabulary import COLOR_CODES, SHOE_KINDS, TYPE_CODES


def test_colour_only_photos_have_no_type_loss(tmp_path):
    samples = load_samples(make_tiny_dataset(tmp_path / "data", copies=1))
    types = type_targets(samples, smoothing=0.1, class_weight_power=0.5)
    for sample, row in zip(samples, types, strict=True):
        if sample.type_code is None:
            assert not row.any()
        else:
            assert row.argmax() == TYPE_CODES.index(sample.type_code)
    colors = color_targets(samples, smoothing=0.0, main_weight=0.75)
    pants = next(i for i, s in enumerate(samples) if s.dataset_label == "Pants")
    assert colors[pants, COLOR_CODES.index("blue")] == pytest.approx(0.75)
    assert colors[pants, COLOR_CODES.index("navy")] == pytest.approx(0.25)
    np.testing.assert_allclose(colors.sum(axis=1), 1.0, rtol=1e-6)


def test_attribute_targets_are_zero_where_the_label_is_missing(tmp_path):
    samples = load_samples(make_tiny_dataset(tmp_path / "data", copies=1))
    pattern = attribute_targets(samples, "pattern", smoothing=0.0)
    assert (pattern.argmax(axis=1) == 0).all() and (pattern.sum(axis=1) == 1).all()  # all "solid"
    kind = attribute_targets(samples, "kind", smoothing=0.0)
    assert not kind.any()  # no shoe kinds in the tiny set: the kind head gets no loss


def test_worn_crops_weigh_their_type_and_kind_loss_and_tagged_ones_have_no_colour_loss(tmp_path):
    flat = load_samples(make_tiny_dataset(tmp_path / "data", copies=1))[0]
    worn = dataclasses.replace(flat, source="coparsing", type_code="shoes", shoe_kind="boots", color=None, alt=None)
    types = type_targets([flat, worn], smoothing=0.0, class_weight_power=0.0, worn_weight=2.0)
    assert types[0].sum() == pytest.approx(1.0) and types[1, TYPE_CODES.index("shoes")] == pytest.approx(2.0)
    kind = attribute_targets([flat, worn], "kind", smoothing=0.0, worn_weight=2.0)
    assert not kind[0].any() and kind[1, SHOE_KINDS.index("boots")] == pytest.approx(2.0)
    colors = color_targets([flat, worn], smoothing=0.1, main_weight=0.75, worn_weight=0.5)
    assert colors[0].sum() == pytest.approx(1.0) and not colors[1].any()  # tags carry no colour: no colour loss


def test_unlabelled_rows_add_no_gradient_and_weights_scale_it():
    logits = tf.Variable([[2.0, 0.0, -1.0], [0.5, 0.1, 0.0], [0.5, 0.1, 0.0]])
    targets = tf.constant([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 2.0, 0.0]])  # unlabelled, labelled, weighted 2
    with tf.GradientTape() as tape:
        loss = soft_crossentropy(targets, tf.nn.softmax(logits))
        total = tf.reduce_sum(loss)
    gradient = tape.gradient(total, logits).numpy()
    assert loss.numpy()[0] == 0.0 and not gradient[0].any()  # Keras' own loss gave this row softmax(logits)
    np.testing.assert_allclose(gradient[2], 2 * gradient[1], rtol=1e-5)
    np.testing.assert_allclose(gradient[1], tf.nn.softmax(logits[1]).numpy() - [0.0, 1.0, 0.0], atol=1e-6)


def test_train_classifier_passes_its_seed_and_defaults_to_the_config_seed(tmp_path, monkeypatch):
    dataset = make_tiny_dataset(tmp_path / "data", copies=1)
    configs = []

    def fake_train(config, log=print):
        configs.append(config)
        return TrainResult(out_dir=config.out_dir, model_version="x", training_seconds=0.0, metrics={})

    monkeypatch.setattr("classifier.training.train", fake_train)
    common = ["--dataset", str(dataset), "--backbone", "tiny", "--no-current", "--coparsing", "", "--verbosity", "0"]
    call_command("train_classifier", *common, "--out", str(tmp_path / "a"), "--seed", "7")
    call_command("train_classifier", *common, "--out", str(tmp_path / "b"))
    default = next(f.default for f in dataclasses.fields(TrainConfig) if f.name == "seed")
    assert [c.seed for c in configs] == [7, default]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    dataset = make_tiny_dataset(root / "data", copies=2)
    coparsing = make_tiny_coparsing(root / "ccp")
    out = root / "artifacts" / "tiny-v1"
    config = TrainConfig(
        dataset_dir=dataset,
        out_dir=out,
        backbone="tiny",
        image_size=32,
        epochs=2,
        batch_size=8,
        finetune_epochs=1,
        finetune_batch_size=8,
        views=("original", "flip"),
        progress=False,
        workers=2,
        coparsing_dir=coparsing,
        segmentation_epochs=2,
    )
    return dataset, out, train(config, log=lambda message: None)


@pytest.mark.slow
def test_tiny_training_run_writes_a_loadable_artifact(tiny_run):
    dataset, out, result = tiny_run
    names = {p.name for p in out.iterdir()}
    assert {"model.keras", "model.tflite", "labels.json", "metrics.json", "data_hash.txt", "MODEL_CARD.md"} <= names
    labels = json.loads((out / "labels.json").read_text())
    assert labels["types"] == list(TYPE_CODES) and labels["colors"] == list(COLOR_CODES)
    assert labels["type_to_slot"]["pants"] == "bottom" and labels["image_size"] == 32
    assert labels["heads"]["pattern"] == ["solid", "pattern"] and labels["segmentation"]["grid"] == 16
    # chosen on validation, with a slot's own box settings where they beat the shared ones
    assert set(labels["detection"]) - {"per_slot"} == {"min_cells", "min_score", "keep_share", "grow"}
    assert set(labels["detection"].get("per_slot", {})) <= set(DETECTION_SLOTS)
    assert labels["region_context"] == {} or set(labels["region_context"]) == {"weight", "floor"}
    assert labels["pixel_colors"] == {} or set(labels["pixel_colors"]) == {"weight", "floor"}
    metrics = json.loads((out / "metrics.json").read_text())
    for split in ("validation", "test"):
        assert 0.0 <= metrics[split]["color"]["or_alt_accuracy"] <= 1.0
        assert len(metrics[split]["type"]["confusion"]) == len(TYPE_CODES)
        assert 0.0 <= metrics[split]["pattern"]["accuracy"] <= 1.0
        worn = metrics["coparsing"][split]
        assert worn["regions"]["count"] == 6  # 2 photos x (t-shirt, skirt or pants, sneakers)
        assert 0.0 <= worn["outfits"]["found_share"] <= 1.0 and worn["outfits"]["garments_present"] == 6
        assert worn["regions_crop_only"]["count"] == 6
        # shop-like framings of the street photos, as they are and on a studio backdrop
        assert worn["framed"]["count"] > 0 and worn["framed_studio"]["count"] == worn["framed"]["count"]
        # the chips on each garment worn: 3 a photo (tee, bottom, sneakers), the rest counted within
        chips = worn["chips"]
        assert chips["count"] == 3 * chips["photos"] > 0 and chips["named"] <= chips["listed"] <= chips["count"]
        assert sum(t["count"] for t in chips["by_label"].values()) == chips["count"]
        summary = "\n".join(worn_summary_lines(split, worn))
        assert "chips on the garments worn (6 garments" in summary and "as served (after the chip gate" in summary
        assert worn["outfits_served"]["garments_present"] == 6
        # the same photos with a phone held over the face or the chest (every tiny photo shows its head)
        assert {w: r["garments_present"] for w, r in worn["outfits_phone"].items()} == {"face": 6, "chest": 6}
        assert "a phone held up as in a mirror photo" in summary
        # and taken in other light: every garment still there to find
        assert {name: r["garments_present"] for name, r in worn["outfits_in_light"].items()} == dict.fromkeys(LIGHTS, 6)
        assert "taken in other light (lighting.LIGHTS)" in summary
        # and rendered by other cameras: sharpened, more contrast, soft, re-encoded
        assert {name: r["garments_present"] for name, r in worn["outfits_camera"].items()} == dict.fromkeys(CAMERAS, 6)
        assert "rendered by another camera (camera.CAMERAS)" in summary
        # and framed as phones and shops frame them (sides cut, or widened): the same garments, counted in the frame
        assert set(worn["outfits_reframed"]) == set(REFRAMINGS) >= {"9:16", "3:4", "1:1", "4:3", "studio 4:3"}
        assert "framed as phones and shops frame them" in summary
        assert all(0 < r["garments_present"] <= 6 for r in worn["outfits_reframed"].values())
        assert worn["outfits_reframed"]["4:3"]["garments_present"] == 6  # widened: nothing cut off
        # and saved as an app's screenshot, light and dark: every garment there, counted on the screenshot
        assert {name: r["garments_present"] for name, r in worn["outfits_screenshot"].items()} == dict.fromkeys(
            SCREENSHOTS, 6
        )
        assert "saved as a screenshot of a social app" in summary
        # and each beside the other: one person's garments counted, whichever the product read
        two = worn["outfits_two_people"]
        assert two["photos"] == 2 and two["garments_present"] == 6 and 0.0 <= two["read_as_one_person_share"] <= 1.0
        assert "two people side by side" in summary
        for framed in (worn["framed"], worn["framed_studio"]):
            assert 0.0 <= framed["listed_precision"] <= 1.0 and 0.0 <= framed["featured_boxed"] <= 1.0
            assert all(e["listed_right"] <= e["listed"] for e in framed["per_kind"].values())
    assert metrics["region_context_tuning"]["trials"][0]["weight"] == 0.0  # chosen on validation regions
    assert metrics["pixel_colors_tuning"]["trials"][0]["weight"] == 0.0  # chosen on validation photos
    assert metrics["worn_samples"] == {"train": 18, "validation": 6}
    gate = labels["outfit_gate"]["trained_on"]
    assert gate["studio_framed_photos"] == gate["framed_photos"] > 0
    assert 0.0 <= labels["outfit_gate"]["validation"]["studio_framed_recognised"] <= 1.0
    assert "segmentation" in metrics["history"]
    assert len((out / "data_hash.txt").read_text().strip()) == 64
    assert result.model_version == "tiny-v1"
    card = (out / "MODEL_CARD.md").read_text()
    assert "Not sure" in card and "tiny-v1" in card and "{" not in card
    assert "Scored by the labels with our corrections" in card  # what the worn figures were scored against
    assert "/work/" not in card and "/tmp/" not in card  # no machine paths

    image = Image.open(next((dataset / "images").iterdir()))
    lite = load_predictor(out, backend="tflite").predict(image)
    keras_prediction = load_predictor(out, backend="keras").predict(image)
    assert lite.model_version == "tiny-v1"
    assert lite.embedding.shape == (labels["embedding_dim"],)
    assert np.linalg.norm(lite.embedding) == pytest.approx(1.0, abs=1e-3)
    # The int8 export (the default) computes nearly the same function as the Keras model.
    assert lite.type.label == keras_prediction.type.label or lite.type.confidence < 0.2
    np.testing.assert_allclose(
        [p for _, p in lite.color.top3][:1], [p for _, p in keras_prediction.color.top3][:1], atol=0.02
    )

    current = out.parent / "current"
    point_current(out, current)
    assert current.is_symlink() and not str(current.readlink()).startswith("/")
    assert (current / "labels.json").is_file()


@pytest.mark.slow
def test_evaluate_and_benchmark_commands_on_the_tiny_artifact(tiny_run, tmp_path):
    dataset, out, _ = tiny_run
    stdout = io.StringIO()
    call_command(
        "evaluate_classifier",
        "--split",
        "validation",
        "--model-dir",
        str(out),
        "--dataset",
        str(dataset),
        "--out",
        str(tmp_path / "evaluation"),
        "--coparsing",
        "",
        stdout=stdout,
        verbosity=0,
    )
    assert "10-class subset" in stdout.getvalue() and "colour-or-alt" in stdout.getvalue()
    stored = json.loads((tmp_path / "evaluation" / "validation_tflite.json").read_text())
    assert stored["model_version"] == "tiny-v1" and stored["split"] == "validation"
    # The tiny set labels pattern only (all solid) among the attribute heads.
    assert {p.name for p in (tmp_path / "evaluation").glob("*.png")} == {
        f"confusion_validation_{head}.png" for head in ("type", "top10", "slot", "color", "pattern")
    }
    assert "pattern (" in stdout.getvalue()
    # Outfit boards of the split's photos: as many as its slots allow, each scored
    assert "outfit boards (evaluation.outfit_board" in stdout.getvalue()
    assert 0.0 <= stored["boards"]["read_as_board_share"] <= 1.0 and stored["boards"]["boards"] >= 0

    figures = benchmark(out, backend="tflite", runs=5, batch=2)
    assert figures.single_p50_ms > 0 and figures.batch_images_per_second > 0 and figures.image_size == 32
    assert figures.phone_reading_p50_ms is None  # no photos, no whole readings
    # Outfit photos are timed as shot and framed as phones frame them (9:16 cut, 3:4 widened, in turn).
    photo = Image.new("RGB", (40, 60), (200, 30, 30))
    assert [p.size for p in phone_framings([photo, photo, photo])] == [(34, 60), (45, 60), (34, 60)]
    figures = benchmark(out, backend="tflite", runs=4, batch=2, outfit_photos=[photo, photo])
    assert figures.reading_p50_ms > 0 and figures.phone_reading_p50_ms > 0
    stdout = io.StringIO()
    call_command(
        "benchmark_classifier", "--model-dir", str(out), "--runs", "5", "--batch", "2", "--record", stdout=stdout
    )
    assert "p50" in stdout.getvalue()
    assert "tflite" in json.loads((out / "metrics.json").read_text())["benchmark"]
    assert "one photo, forward only, p50" in (out / "MODEL_CARD.md").read_text()


@pytest.mark.slow
def test_recording_with_the_choices_kept_scores_again_and_chooses_nothing(tiny_run, tmp_path):
    """`evaluate_classifier --record --keep-choices` rewrites metrics.json and the model card with both splits scored
    again (one more test scoring) and leaves labels.json, where the post-network choices live, as it was: a pixel-colour
    weight off the tuning grid stays. Without --record the flag is refused."""
    dataset, out, _ = tiny_run
    artifact = tmp_path / "artifact"
    shutil.copytree(out, artifact)
    labels_path = artifact / "labels.json"
    labels = json.loads(labels_path.read_text())
    labels["pixel_colors"] = {"weight": 0.3, "floor": 0.07}  # not a value of the tuning grid
    labels_path.write_text(json.dumps(labels, indent=2) + "\n")
    before = labels_path.read_bytes()
    scorings = json.loads((artifact / "metrics.json").read_text()).get("test_scorings", 0)
    common = ["--model-dir", str(artifact), "--dataset", str(dataset), "--coparsing", ""]
    call_command("evaluate_classifier", "--record", "--keep-choices", "--no-keras", *common, stdout=io.StringIO())
    assert labels_path.read_bytes() == before
    metrics = json.loads((artifact / "metrics.json").read_text())
    assert metrics["test_scorings"] == scorings + 1 and {"validation", "test"} <= set(metrics)
    call_command("evaluate_classifier", "--record", "--no-keras", *common, stdout=io.StringIO())
    assert json.loads(labels_path.read_text())["pixel_colors"] != {"weight": 0.3, "floor": 0.07}  # chosen again
    with pytest.raises(CommandError, match="goes with --record"):
        call_command("evaluate_classifier", "--keep-choices", *common, stdout=io.StringIO())


@pytest.mark.slow
def test_tiny_artifact_reads_outfits_and_crops(tiny_run):
    _, out, _ = tiny_run
    lite = load_predictor(out, backend="tflite")
    image = Image.new("RGB", (60, 90), (200, 200, 190))
    prediction = lite.predict(image)
    assert prediction.pattern.label in ("solid", "pattern") and len(prediction.kind.top3) == 3
    for garment in prediction.garments:  # whatever the untrained-ish detector finds is well formed
        assert garment.prediction.garments == () and all(0.0 <= v <= 1.0 for v in garment.box)
    crop = lite.predict_crop(image, (0.2, 0.1, 0.8, 0.5))
    assert crop.garments == () and crop.model_version == "tiny-v1"
    document = json.loads(json.dumps(prediction.to_dict()))
    assert {"pattern", "audience", "warmth", "formality", "kind", "garments"} <= set(document)


@pytest.mark.slow
def test_an_artifact_detector_reads_photos_as_served(tiny_run):
    _, out, _ = tiny_run
    photo = out.parent / "outfit.jpg"
    Image.new("RGB", (60, 90), (200, 200, 190)).save(photo)
    detect = artifact_detector(out)
    regions = detect(photo)
    lite = load_predictor(out, backend="tflite")
    assert [(slot, box) for slot, box, _ in regions] == [
        (g.slot, g.box) for g in lite.predict(open_image(photo)).garments
    ]


@pytest.mark.slow
def test_a_chosen_region_leans_on_the_photos_map_with_region_context(tiny_run, tmp_path):
    _, out, _ = tiny_run
    leaning = tmp_path / "tiny-context"
    shutil.copytree(out, leaning)
    labels = json.loads((leaning / "labels.json").read_text())
    labels["region_context"] = {"weight": 200.0, "floor": 0.001}
    (leaning / "labels.json").write_text(json.dumps(labels))
    plain = load_predictor(out, backend="tflite")
    lite = load_predictor(leaning, backend="tflite")
    rng = np.random.default_rng(3)
    image = Image.fromarray(rng.integers(0, 255, size=(48, 36, 3), dtype=np.uint8))
    box = (0.1, 0.4, 0.9, 0.95)
    shares = box_slot_shares(
        plain.outputs([image])["segmentation"][0], photo_box_to_frame(box, model_frame(36, 48), 36, 48)
    )
    crop_alone, with_map = plain.predict_crop(image, box), lite.predict_crop(image, box)
    assert with_map.color.label == crop_alone.color.label  # only the type (and slot) lean on the map
    if shares.any():
        assert with_map.slot.label == DETECTION_SLOTS[int(np.argmax(shares))], (shares, with_map.slot)
    else:  # the map sees no garment in the box: the crop alone
        assert with_map.type.label == crop_alone.type.label


def _tensor_types(model_path) -> set:
    interpreter = Interpreter(model_path=str(model_path))
    return {np.dtype(t["dtype"]).name for t in interpreter.get_tensor_details()}


@pytest.mark.slow
def test_the_tiny_run_exports_an_int8_model_with_float_input_and_output(tiny_run):
    _, out, _ = tiny_run
    labels = json.loads((out / "labels.json").read_text())
    assert labels["tflite_quantization"] == "int8"  # the training default
    assert "int8" in _tensor_types(out / "model.tflite")  # activations and weights are integers inside
    lite = Interpreter(model_path=str(out / "model.tflite"))
    assert lite.get_input_details()[0]["dtype"] == np.float32 and lite.get_output_details()[0]["dtype"] == np.float32


@pytest.mark.slow
def test_export_classifier_writes_a_new_version_of_the_same_network(tiny_run, tmp_path):
    dataset, out, _ = tiny_run
    source = tmp_path / "tiny-v1"
    shutil.copytree(out, source)
    stdout = io.StringIO()

    def export(name: str, quantization: str) -> Path:
        call_command(
            "export_classifier",
            str(source),
            "--out",
            str(tmp_path / name),
            "--quantization",
            quantization,
            "--dataset",
            str(dataset),
            "--coparsing",
            "",
            "--no-evaluate",
            "--no-current",
            stdout=stdout,
        )
        return tmp_path / name

    exported = export("tiny-v1-f16", "float16")
    labels = json.loads((exported / "labels.json").read_text())
    metrics = json.loads((exported / "metrics.json").read_text())
    assert labels["model_version"] == "tiny-v1-f16" and labels["tflite_quantization"] == "float16"
    assert metrics["model_version"] == "tiny-v1-f16" and "benchmark" not in metrics
    assert metrics["exported_from"]["artifact"] == "tiny-v1"
    assert metrics["exported_from"]["previous_quantization"] == "int8"
    assert metrics["exported_from"]["calibration_inputs"] == 0  # float16 measures no activation ranges
    assert metrics["data_hash"] == json.loads((source / "metrics.json").read_text())["data_hash"]
    assert "int8" not in _tensor_types(exported / "model.tflite")
    assert (exported / "model.keras").read_bytes() == (source / "model.keras").read_bytes()
    # The float16 export computes what the Keras model computes; the int8 one stays close.
    image = open_image(next((dataset / "images").iterdir()))
    full = load_predictor(source, backend="keras").outputs([image])
    half = load_predictor(exported, backend="tflite").outputs([image])
    eight = load_predictor(source, backend="tflite").outputs([image])
    np.testing.assert_allclose(half["type"], full["type"], atol=0.01)
    np.testing.assert_allclose(eight["type"], full["type"], atol=0.1)
    with pytest.raises(Exception, match="already exists"):
        call_command("export_classifier", str(source), "--out", str(exported), "--dataset", str(dataset))
    # keep: a new version with the source's model.tflite byte for byte (only the post-network steps are chosen again).
    kept = export("tiny-v2", "keep")
    assert (kept / "model.tflite").read_bytes() == (source / "model.tflite").read_bytes()
    assert json.loads((kept / "labels.json").read_text())["model_version"] == "tiny-v2"
    record = json.loads((kept / "metrics.json").read_text())["exported_from"]
    assert record["tflite_copied"] and record["quantization"] == record["previous_quantization"] == "int8"
    assert "model.tflite copied unchanged" in stdout.getvalue()


def test_the_shoe_kind_branch_can_be_narrower_than_the_other_attribute_heads():
    heads = build_heads(32, hidden_units=16, dropout=0.1, attribute_units=64, kind_units=8)
    assert heads.get_layer("kind_hidden").units == 8
    assert {heads.get_layer(f"{head}_hidden").units for head in ("audience", "warmth", "formality", "pattern")} == {64}
    assert build_heads(32, hidden_units=16, dropout=0.1, attribute_units=12).get_layer("kind_hidden").units == 12


@pytest.mark.slow
def test_new_heads_can_keep_an_artifacts_outfit_map_on_its_own_backbone_only(tmp_path):
    dataset = make_tiny_dataset(tmp_path / "data", copies=1)
    coparsing = make_tiny_coparsing(tmp_path / "ccp")
    base = TrainConfig(
        dataset_dir=dataset,
        out_dir=tmp_path / "a",
        backbone="tiny",
        image_size=32,
        epochs=1,
        batch_size=8,
        views=("original",),
        progress=False,
        workers=2,
        coparsing_dir=coparsing,
        segmentation_epochs=2,
        tflite_quantization="dynamic",
        evaluate=False,
    )
    train(base, log=lambda message: None)
    logged: list[str] = []
    # Photo 1005 (tag-only, train) has two bottom or one-piece chips and one shoe chip labelled by eye and seen well.
    shutil.copy(coparsing / "photos" / "0001.jpg", coparsing / "photos" / "1005.jpg")
    kept = dataclasses.replace(
        base, out_dir=tmp_path / "b", epochs=2, segmentation_from=tmp_path / "a", worn_chips_by_eye=True
    )
    result = train(kept, log=logged.append)
    assert any("worn crops labelled by eye: 3 chips" in line for line in logged)
    assert result.metrics["worn_chip_samples"] == {"train": 3}

    def head_weights(out: Path) -> list[np.ndarray]:
        model = tf.keras.models.load_model(out / "model.keras", compile=False)
        return model.get_layer("segmentation_head").get_weights()

    theirs, ours = head_weights(tmp_path / "a"), head_weights(tmp_path / "b")
    assert len(theirs) == len(ours) > 0
    assert all(np.array_equal(a, b) for a, b in zip(theirs, ours, strict=True))
    assert any("outfit map of a, as it is" in line for line in logged)
    assert result.metrics["config"]["segmentation_from"] == str(tmp_path / "a")
    assert "segmentation" not in result.metrics["history"]
    # Another backbone (the tiny one's weights follow the seed) cannot read that map.
    with pytest.raises(ValueError, match="reads another backbone"):
        train(dataclasses.replace(kept, out_dir=tmp_path / "c", seed=kept.seed + 1), log=lambda message: None)
    # Nor a backbone fine-tuned in the same run.
    with pytest.raises(ValueError, match="no fine-tuning"):
        train(dataclasses.replace(kept, out_dir=tmp_path / "d", finetune_epochs=1), log=lambda message: None)

    # b's kind branch, trained with the chips, grafted onto a as the worn shoes' kind: a's outputs stay a's.
    common = ["--dataset", str(dataset), "--coparsing", "", "--no-evaluate", "--no-current", "--verbosity", "0"]
    donor = ["--worn-kind-from", str(tmp_path / "b")]
    call_command(
        "export_classifier",
        str(tmp_path / "a"),
        "--out",
        str(tmp_path / "a2"),
        *donor,
        "--quantization",
        "none",
        *common,
    )
    labels = json.loads((tmp_path / "a2" / "labels.json").read_text())
    before = json.loads((tmp_path / "a" / "labels.json").read_text())["tflite_output"]
    end = before["segmentation"][1]
    assert labels["tflite_output"] == {**before, "kind_worn": [end, end + len(SHOE_KINDS)]}
    assert labels["worn_kind_head"]["from"] == "b" and "worn_kind" not in labels
    image = open_image(next((dataset / "images").iterdir()))
    ours, theirs = (load_predictor(tmp_path / n, backend="keras").outputs([image]) for n in ("a2", "b"))
    grafted = load_predictor(tmp_path / "a2", backend="tflite")
    # a's own export is dynamic-range quantized; the graft's is float, so it is held to a's Keras model.
    lite, source = grafted.outputs([image]), load_predictor(tmp_path / "a", backend="keras").outputs([image])
    np.testing.assert_allclose(ours["kind_worn"], theirs["kind"], atol=1e-5)
    np.testing.assert_allclose(lite["kind_worn"], theirs["kind"], atol=1e-4)
    for name in ("type", "color", "embedding", "kind", "segmentation"):
        np.testing.assert_allclose(lite[name], source[name], atol=1e-4)
    # A worn garment's kind is the branch's; a flat one keeps the kind head's.
    worn = grafted.outputs([image], worn=True)
    np.testing.assert_array_equal(worn["kind"], lite["kind_worn"])
    np.testing.assert_array_equal(worn["kind_flat"], lite["kind"])
    assert not np.allclose(lite["kind_worn"], lite["kind"])  # two branches trained apart read differently
    # Grafted onto an int8 export, the new export keeps that export's numbers for every output it had.
    call_command("export_classifier", str(tmp_path / "a"), "--out", str(tmp_path / "a8"), *common)
    call_command("export_classifier", str(tmp_path / "a8"), "--out", str(tmp_path / "a9"), *donor, *common)
    kept = json.loads((tmp_path / "a9" / "metrics.json").read_text())["worn_kind_head"]["source_quantization_kept"]
    assert kept["new_tensors"] > 0 and kept["tensors_kept"] > kept["new_tensors"]
    other_image = open_image(sorted((dataset / "images").iterdir())[-1])
    plain, grafted8 = (load_predictor(tmp_path / n, backend="tflite").outputs([other_image]) for n in ("a8", "a9"))
    for name in ("type", "color", "embedding", "kind", "segmentation"):
        np.testing.assert_array_equal(grafted8[name], plain[name])
    float_kind = load_predictor(tmp_path / "b", backend="keras").outputs([other_image])["kind"]
    np.testing.assert_allclose(grafted8["kind_worn"], float_kind, atol=0.1)  # int8 against float
    # A donor on another backbone is refused, and leaves no half-written artifact.
    other = dataclasses.replace(base, out_dir=tmp_path / "e", seed=base.seed + 1)
    train(other, log=lambda message: None)
    with pytest.raises(CommandError, match="another backbone"):
        call_command(
            "export_classifier", str(tmp_path / "a"), "--out", str(tmp_path / "a3"),
            "--worn-kind-from", str(tmp_path / "e"), *common,
        )  # fmt: skip
    assert not (tmp_path / "a3").exists()


def _tiny_network_with_a_map(tmp_path: Path) -> tuple[Path, Path]:
    """A tiny dataset and co-parsing set, and a tiny network with an outfit map trained on them in tmp_path / "a"."""
    dataset = make_tiny_dataset(tmp_path / "data", copies=1)
    coparsing = make_tiny_coparsing(tmp_path / "ccp")
    config = TrainConfig(
        dataset_dir=dataset, out_dir=tmp_path / "a", backbone="tiny", image_size=32, epochs=1, batch_size=8,
        views=("original",), progress=False, workers=2, coparsing_dir=coparsing, segmentation_epochs=2,
        evaluate=False,
    )  # fmt: skip
    train(config, log=lambda message: None)
    return dataset, coparsing


@pytest.mark.slow
def test_a_bottom_split_branch_is_grafted_on_and_changes_only_the_maps_bottoms_and_one_pieces(tmp_path):
    dataset, coparsing = _tiny_network_with_a_map(tmp_path)
    # Photos 1005 (train: two dresses) and 1017 (validation: a skirt) carry chips labelled by eye.
    for image_id in ("1005", "1017"):
        shutil.copy(coparsing / "photos" / "0001.jpg", coparsing / "photos" / f"{image_id}.jpg")
    stdout = io.StringIO()
    common = ["--dataset", str(dataset), "--coparsing", str(coparsing), "--no-evaluate", "--no-current"]
    call_command(
        "export_classifier", str(tmp_path / "a"), "--out", str(tmp_path / "s"), "--segmentation-split", *common,
        stdout=stdout,
    )  # fmt: skip
    labels = json.loads((tmp_path / "s" / "labels.json").read_text())
    before = json.loads((tmp_path / "a" / "labels.json").read_text())["tflite_output"]
    end, grid = before["segmentation"][1], labels["segmentation"]["grid"]
    assert labels["tflite_output"] == {**before, "segmentation_split": [end, end + grid * grid]}
    record = json.loads((tmp_path / "s" / "metrics.json").read_text())["segmentation_split"]
    assert record["train_chips"] == 4  # 1005's two dresses, mirrored
    assert record["source_quantization_kept"]["new_tensors"] > 0
    assert set(record["validation_chips_named"]["with_split"]) == {"skirt"}
    assert "int8 quantization kept" in stdout.getvalue()
    # Every output the source had comes out as the source's int8 export gives it, and the map's classes but the
    # bottom and the one-piece too; those two share the same mass another way.
    image = open_image(coparsing / "photos" / "0003.jpg")
    ours, theirs = (load_predictor(tmp_path / n, backend="tflite") for n in ("s", "a"))
    new, old = ours.outputs([image]), theirs.outputs([image])
    assert "segmentation_split" not in new
    for name in ("type", "color", "embedding", "pattern", "audience", "warmth", "formality", "kind"):
        np.testing.assert_array_equal(new[name], old[name])
    bottom, one_piece = 1 + DETECTION_SLOTS.index("bottom"), 1 + DETECTION_SLOTS.index("one_piece")
    others = [c for c in range(1 + len(DETECTION_SLOTS)) if c not in (bottom, one_piece)]
    np.testing.assert_array_equal(new["segmentation"][..., others], old["segmentation"][..., others])
    both = old["segmentation"][..., bottom] + old["segmentation"][..., one_piece]
    np.testing.assert_allclose(new["segmentation"][..., bottom] + new["segmentation"][..., one_piece], both, atol=1e-6)
    keras_map = load_predictor(tmp_path / "s", backend="keras").outputs([image])["segmentation"]
    np.testing.assert_allclose(keras_map[..., others], new["segmentation"][..., others], atol=0.1)  # int8 against float
    # A kept model.tflite cannot take a new branch.
    with pytest.raises(CommandError, match="needs a new export"):
        call_command(
            "export_classifier", str(tmp_path / "a"), "--out", str(tmp_path / "k"), "--segmentation-split",
            "--quantization", "keep", *common,
        )  # fmt: skip


@pytest.mark.slow
def test_the_outfit_map_trained_on_with_phones_replaces_the_map_alone(tmp_path):
    dataset, coparsing = _tiny_network_with_a_map(tmp_path)
    stdout = io.StringIO()
    common = ["--dataset", str(dataset), "--coparsing", str(coparsing), "--no-evaluate", "--no-current"]
    call_command(
        "export_classifier", str(tmp_path / "a"), "--out", str(tmp_path / "p-v2"), "--map-with-phones", *common,
        stdout=stdout,
    )  # fmt: skip
    before = json.loads((tmp_path / "a" / "labels.json").read_text())["tflite_output"]
    assert json.loads((tmp_path / "p-v2" / "labels.json").read_text())["tflite_output"] == before
    record = json.loads((tmp_path / "p-v2" / "metrics.json").read_text())["outfit_map_with_phones"]
    # 6 train photos, each with a copy showing a phone (every tiny person shows her head), all mirrored
    assert record["train_photos"]["street_with_phones_mirrored"] == 24
    assert record["validation_photos"] == 4 and record["from"] == "a"
    assert record["source_quantization_kept"]["outputs_changed"] == ["segmentation"]
    assert record["source_quantization_kept"]["new_tensors"] > 0
    assert len(record["history"]["loss"]) == record["config"]["epochs"]
    assert "int8 quantization kept" in stdout.getvalue() and record["map_in_float"]
    # The map's own layers run in float, the rest as the source's int8 export.
    interpreter = Interpreter(model_path=str(tmp_path / "p-v2" / "model.tflite"))
    kinds = {d["dtype"].__name__ for d in interpreter.get_tensor_details() if "/segmentation_head" in d["name"]}
    assert "float32" in kinds
    # Every output but the map's comes out as the source's int8 export gives it; the map reads the photo anew.
    image = open_image(coparsing / "photos" / "0003.jpg")
    new, old = (load_predictor(tmp_path / n, backend="tflite").outputs([image]) for n in ("p-v2", "a"))
    for name in ("type", "color", "embedding", "pattern", "audience", "warmth", "formality", "kind"):
        np.testing.assert_array_equal(new[name], old[name])
    assert not np.array_equal(new["segmentation"], old["segmentation"])
    np.testing.assert_allclose(new["segmentation"].sum(axis=-1), 1.0, atol=0.05)
    keras_map = load_predictor(tmp_path / "p-v2", backend="keras").outputs([image])["segmentation"]
    np.testing.assert_allclose(keras_map, new["segmentation"], atol=0.1)  # int8 against float
    # The new map's layers carry the version's name, so it can be trained on again in turn.
    model = keras.models.load_model(tmp_path / "p-v2" / "model.keras", compile=False)
    names = [layer.name for layer in model.get_layer("segmentation_head").layers if layer.name.startswith("seg_")]
    assert names and all(name.endswith("_p_v2") for name in names)
    # Trained on again, now with a copy of each street photo on a plain studio backdrop and one in a random light.
    call_command(
        "export_classifier", str(tmp_path / "p-v2"), "--out", str(tmp_path / "p-v3"), "--map-with-phones",
        "--studio-copies", "1", "--lit-copies", "1", *common,
    )  # fmt: skip
    record = json.loads((tmp_path / "p-v3" / "metrics.json").read_text())["outfit_map_with_phones"]
    assert record["train_photos"]["street_with_phones_mirrored"] == 48  # 6 photos, a phone, a studio and a lit copy
    assert record["config"]["studio_copies"] == record["config"]["lit_copies"] == 1
    assert record["validation_photos"] == 6 and record["from"] == "p-v2"
    again = keras.models.load_model(tmp_path / "p-v3" / "model.keras", compile=False).get_layer("segmentation_head")
    assert {layer.name for layer in again.layers if layer.name.startswith("seg_")} == {
        name.replace("_p_v2", "_p_v3") for name in names
    }
    with pytest.raises(CommandError, match="needs a new export"):
        call_command(
            "export_classifier", str(tmp_path / "a"), "--out", str(tmp_path / "k"), "--map-with-phones",
            "--quantization", "keep", *common,
        )  # fmt: skip
    for option in ("--studio-copies", "--lit-copies", "--camera-copies"):
        with pytest.raises(CommandError, match="give --map-with-phones too"):
            call_command("export_classifier", str(tmp_path / "a"), "--out", str(tmp_path / "k"), option, "1", *common)


@pytest.mark.slow
def test_a_colour_branch_trained_in_many_lights_is_grafted_on_and_blended_with_the_colour_head(tmp_path):
    dataset, coparsing = _tiny_network_with_a_map(tmp_path)
    stdout = io.StringIO()
    common = ["--dataset", str(dataset), "--coparsing", str(coparsing), "--no-evaluate", "--no-current"]
    # Grafted onto a network whose outfit map runs in float (trained on with phones, as the served one is).
    call_command("export_classifier", str(tmp_path / "a"), "--out", str(tmp_path / "p"), "--map-with-phones", *common)
    call_command(
        "export_classifier", str(tmp_path / "p"), "--out", str(tmp_path / "l"), "--lit-colour", *common, stdout=stdout,
    )  # fmt: skip
    labels = json.loads((tmp_path / "l" / "labels.json").read_text())
    before = json.loads((tmp_path / "p" / "labels.json").read_text())["tflite_output"]
    end = max(stop for _start, stop in before.values())
    assert labels["tflite_output"] == {**before, "color_lit": [end, end + len(COLOR_CODES)]}
    assert labels["color_lit"]["blend"] == 0.5 and 1.0 <= labels["color_lit"]["sharpen"] <= 2.0
    record = json.loads((tmp_path / "l" / "metrics.json").read_text())["lit_colour"]
    assert record["from"] == "p" and record["config"]["casts"] == 2
    assert set(record["validation_float"]) == {"as_taken", "warm_mild", "warm", "cool", "dim"}
    assert record["source_quantization_kept"]["new_tensors"] > 0
    assert "int8 quantization kept" in stdout.getvalue()
    stored: list[str] = []
    with (
        zipfile.ZipFile(tmp_path / "l" / "model.keras") as saved,
        saved.open("model.weights.h5") as weights,
        h5py.File(io.BytesIO(weights.read())) as h5,
    ):
        h5.visit(stored.append)
    assert stored and not any("optimizer" in name for name in stored)  # the branch's weights, not its training state
    # Every output the source had comes out as the source's int8 export gives it, the colour head's included; the
    # colour read is the head's blended with the branch's, and the branch's own output is not passed on.
    image = open_image(coparsing / "photos" / "0003.jpg")
    ours, theirs = (load_predictor(tmp_path / n, backend="tflite") for n in ("l", "p"))
    new, old = ours.outputs([image]), theirs.outputs([image])
    assert "color_lit" not in new
    names = ("type", "color_head", "embedding", "pattern", "audience", "warmth", "formality", "kind", "segmentation")
    for name in names:
        np.testing.assert_array_equal(new[name], old[name])
    np.testing.assert_array_equal(old["color_network"], old["color_head"])  # no branch: the head alone
    ours._with_pixel_colors = lambda out, batch: out  # the raw outputs, to check the blend against
    raw = ours.outputs([image])
    sharpen = labels["color_lit"]["sharpen"]
    blended = any_light_colour(raw["color"], raw["color_lit"], 0.5, sharpen)
    np.testing.assert_allclose(new["color_network"], blended, atol=1e-6)
    assert not np.allclose(raw["color_lit"], raw["color"])  # trained apart, the two read differently
    keras_lit = load_predictor(tmp_path / "l", backend="keras")
    keras_lit._with_pixel_colors = lambda out, batch: out
    np.testing.assert_allclose(keras_lit.outputs([image])["color_lit"], raw["color_lit"], atol=0.1)  # int8 / float
    # A kept model.tflite cannot take a new branch, nor can a network take a second one.
    with pytest.raises(CommandError, match="needs a new export"):
        call_command(
            "export_classifier", str(tmp_path / "p"), "--out", str(tmp_path / "k"), "--lit-colour",
            "--quantization", "keep", *common,
        )  # fmt: skip
    with pytest.raises(CommandError, match="already has a color_lit"):
        call_command("export_classifier", str(tmp_path / "l"), "--out", str(tmp_path / "l2"), "--lit-colour", *common)
    assert not (tmp_path / "l2").exists()


@pytest.mark.slow
def test_an_orientation_branch_is_grafted_on_and_a_photo_it_calls_turned_is_read_turned_upright(tmp_path):
    dataset, coparsing = _tiny_network_with_a_map(tmp_path)
    stdout = io.StringIO()
    common = ["--dataset", str(dataset), "--coparsing", str(coparsing), "--no-evaluate", "--no-current"]
    call_command(
        "export_classifier", str(tmp_path / "a"), "--out", str(tmp_path / "o"), "--orientation", *common,
        stdout=stdout,
    )  # fmt: skip
    labels = json.loads((tmp_path / "o" / "labels.json").read_text())
    before = json.loads((tmp_path / "a" / "labels.json").read_text())["tflite_output"]
    end = max(stop for _start, stop in before.values())
    assert labels["tflite_output"] == {**before, "orientation": [end, end + 4]}
    assert labels["orientation"]["turns"] == [0, 90, 180, 270]
    assert labels["orientation"]["threshold"] in THRESHOLD_GRID
    record = json.loads((tmp_path / "o" / "metrics.json").read_text())["orientation"]
    flat = len(load_samples(dataset, splits=["train"]))
    assert record["from"] == "a" and record["train_photos"] == {"flat": flat, "worn": 6}
    assert {"worn", "worn_framed_the_other_way"} <= set(record["validation_float"])  # the tiny set's validation
    assert record["source_quantization_kept"]["new_tensors"] > 0
    assert "int8 quantization kept" in stdout.getvalue()
    # Every output the source had comes out as the source's int8 export gives it; the branch reads the turn.
    image = open_image(coparsing / "photos" / "0003.jpg")
    ours, theirs = (load_predictor(tmp_path / n, backend="tflite") for n in ("o", "a"))
    new, old = ours.outputs([image]), theirs.outputs([image])
    for name in ("type", "color", "embedding", "pattern", "audience", "warmth", "formality", "kind", "segmentation"):
        np.testing.assert_array_equal(new[name], old[name])
    assert new["orientation"].shape == (1, 4) and "orientation" not in old
    np.testing.assert_allclose(new["orientation"].sum(axis=1), 1.0, atol=0.02)
    # A photo the branch calls turned (here, the tiny branch's word forced) is read again turned upright: the same
    # reading as the upright photo's, told how far it lay turned.
    sideways = turned(image, 90)
    ours.turns_read = lambda out: np.full(len(out["type"]), 90)
    read, upright_read = ours.predict(sideways), theirs.predict(image)
    assert read.turned == 90 and upright_read.turned == 0
    np.testing.assert_array_equal(read.embedding, upright_read.embedding)
    assert read.to_dict()["turned"] == 90 and read.type == upright_read.type
    # A kept model.tflite cannot take a new branch, nor can a network take a second one.
    with pytest.raises(CommandError, match="needs a new export"):
        call_command(
            "export_classifier", str(tmp_path / "a"), "--out", str(tmp_path / "k"), "--orientation",
            "--quantization", "keep", *common,
        )  # fmt: skip
    with pytest.raises(CommandError, match="already has an orientation"):
        call_command("export_classifier", str(tmp_path / "o"), "--out", str(tmp_path / "o2"), "--orientation", *common)
    assert not (tmp_path / "o2").exists()


def test_the_orientation_branch_also_learns_from_photos_framed_the_other_way():
    """orientation.reframed: a portrait photo as a 4:3 landscape and a landscape or square one as a 3:4 portrait, cut
    in the middle or widened with the colour of its border, the garment kept upright and whole when widened."""
    from classifier.orientation import reframed  # noqa: PLC0415  (imports TensorFlow)

    portrait = Image.new("RGB", (300, 400), (230, 225, 220))
    portrait.paste((20, 20, 120), (100, 100, 200, 300))  # a navy garment on a pale bed
    cut, widened = reframed(portrait, pad=False), reframed(portrait, pad=True)
    assert cut.size == (300, 225) and widened.size == (533, 400)
    assert widened.getpixel((5, 200)) == (230, 225, 220) and widened.getpixel((266, 200)) == (20, 20, 120)
    assert cut.getpixel((150, 112)) == (20, 20, 120)
    assert reframed(Image.new("RGB", (400, 300)), pad=False).size == (225, 300)
    assert reframed(Image.new("RGB", (300, 300)), pad=True).size == (300, 400)


def test_the_blend_is_sharpened_by_the_likelihood_of_the_photos_main_colours():
    """chosen_sharpen picks the power that makes the blend's probabilities fit the labels best: for a blend of two
    readings that both name the right colour but lean on a second, a power above 1; for readings sure and often
    wrong, none."""
    from classifier.lit_colour import chosen_sharpen  # noqa: PLC0415  (imports TensorFlow)

    colours = len(COLOR_CODES)
    samples = [Sample(f"s{i}", Path("x.jpg"), "validation", "Shirt", "shirt", None, "white", None) for i in range(20)]
    white = COLOR_CODES.index("white")
    unsure = np.full((20, colours), 0.4 / (colours - 1))
    unsure[:, white] = 0.6
    assert chosen_sharpen(unsure, unsure, samples, 0.5) > 1.0
    wrong = np.full((20, colours), 0.02 / (colours - 1))
    wrong[:, white] = 0.02
    wrong[:10, COLOR_CODES.index("beige")] = 0.98 - 0.02 / (colours - 1)
    wrong[10:, white] = 0.98
    wrong /= wrong.sum(axis=1, keepdims=True)
    assert chosen_sharpen(wrong, wrong, samples, 0.5) == 1.0


def test_a_studio_copy_keeps_the_person_and_her_map_on_a_plain_backdrop_of_a_shops_kind(tmp_path):
    """map_phones.photos_with_phones(studio_copies=1): after each photo as it is comes a copy with every pixel outside
    its person (the mask's labelled pixels) one plain backdrop colour, with the same class map; a train photo's
    backdrop is drawn (light tones mostly, seldom one of the scoring's own three exactly, never dark), a validation
    photo's is the one the scoring uses (coparsing.studio_backdrop)."""
    coparsing = make_tiny_coparsing(tmp_path / "ccp")
    for split in ("train", "validation"):
        rows = photos_with_phones(coparsing, split, copies=0, face_share=0.7, seed=1, studio_copies=1)
        assert len(rows) % 2 == 0 and rows
        for (photo, classes), (studio, studio_classes) in zip(rows[::2], rows[1::2], strict=True):
            np.testing.assert_array_equal(classes, studio_classes)
            pixels = np.asarray(studio)
            outside = _mask_of(coparsing, photo) == 0
            far = outside & _away_from_the_edge(outside)
            backdrop = {tuple(v) for v in pixels[far].reshape(-1, 3)}
            assert len(backdrop) == 1, backdrop
            if split == "validation":
                assert backdrop <= set(STUDIO_BACKDROPS)
    rng = np.random.default_rng(0)
    drawn = [studio_backdrop_colour(rng) for _ in range(400)]
    assert all(min(c) >= 140 for c in drawn)
    assert sum(min(c) >= 215 for c in drawn) > 250  # white, off-white, light grey or paper, mostly
    # jittered: seldom one of the scoring's three exactly (pure white, when every channel's jitter is clipped at 255)
    assert sum(c in STUDIO_BACKDROPS for c in drawn) < 40 and studio_backdrop("0003") in STUDIO_BACKDROPS


def test_a_camera_copy_keeps_the_photos_map_and_is_drawn_the_same_each_run(tmp_path):
    """map_phones.photos_with_phones(camera_copies=1): after each photo as it is comes a copy as another camera
    renders it (camera.random_camera), the same size and class map, its pixels changed; drawn from the photo's id and
    the seed, so a second run gives the very same copies."""
    coparsing = make_tiny_coparsing(tmp_path / "ccp")
    rows = photos_with_phones(coparsing, "train", copies=0, face_share=0.7, seed=1, camera_copies=1)
    again = photos_with_phones(coparsing, "train", copies=0, face_share=0.7, seed=1, camera_copies=1)
    assert len(rows) % 2 == 0 and rows
    for (photo, classes), (copy, copy_classes) in zip(rows[::2], rows[1::2], strict=True):
        np.testing.assert_array_equal(classes, copy_classes)
        assert copy.size == photo.size and not np.array_equal(np.asarray(copy), np.asarray(photo))
    for (copy, _), (same, _) in zip(rows[1::2], again[1::2], strict=True):
        np.testing.assert_array_equal(np.asarray(copy), np.asarray(same))


def _mask_of(coparsing: Path, photo: Image.Image) -> np.ndarray:
    """The mask of the tiny co-parsing photo that `photo` is (matched by its pixels)."""
    for path in sorted((coparsing / "photos").glob("*.jpg")):
        with Image.open(path) as opened:
            if np.array_equal(np.asarray(opened.convert("RGB")), np.asarray(photo.convert("RGB"))):
                return read_mask(coparsing, path.stem)
    raise AssertionError("not a photo of the tiny set")


def _away_from_the_edge(outside: np.ndarray, margin: int = 3) -> np.ndarray:
    """Pixels at least `margin` pixels from the person (the cut-out's edge is softened)."""
    inside = ~outside
    near = np.zeros_like(inside)
    for dy in range(-margin, margin + 1):
        for dx in range(-margin, margin + 1):
            near |= np.roll(np.roll(inside, dy, axis=0), dx, axis=1)
    return ~near
