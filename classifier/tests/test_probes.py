"""The linear probes on the embedding (an outer layer's kind, a big graphic on a top): the regression, the stylist's
labels, the committed artifact's readings and the command that fits them."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from classifier import evaluation, graphics, outer_kinds, probes, wearers
from classifier import predictor as predictor_module
from classifier.predictor import DetectedGarment, ModelLabels
from vocabulary import OUTER_KINDS


def _clusters(per_kind: int, seed: int = 0, spread: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings of the four kinds around four directions of a 16-d space, with noise."""
    rng = np.random.default_rng(seed)
    centres = np.eye(16)[: len(outer_kinds.KINDS_READ)] * spread
    y = np.repeat(np.arange(len(centres)), per_kind)
    return centres[y] + rng.normal(size=(len(y), 16)), y


def test_the_regression_learns_kinds_it_can_tell_apart_and_gives_probabilities():
    x, y = _clusters(40)
    weights, bias = probes.fit(x, y, classes=4, l2=1e-4)
    x_new, y_new = _clusters(20, seed=1)
    probs = probes.probabilities(x_new, {"weights": weights, "bias": bias})
    assert probs.shape == (80, 4) and np.allclose(probs.sum(axis=1), 1.0)
    result = outer_kinds.scores(probs, y_new, threshold=0.5)
    assert result["accuracy"] >= 0.9 and result["vests"] == 20 and result["vests_found"] >= 16
    assert result["by_kind"]["coat"]["photos"] == 20
    # Unbalanced classes weigh the same: a kind with few photos is still learnt.
    few = np.concatenate([np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:5]])
    weights, bias = probes.fit(x[few], y[few], classes=4, l2=1e-4)
    vests = probes.probabilities(x_new[y_new == 2], {"weights": weights, "bias": bias}).argmax(axis=1)
    assert (vests == 2).mean() >= 0.8


def test_cross_validation_picks_among_the_tried_settings_by_their_use():
    x, y = _clusters(25)
    l2, threshold, tries = outer_kinds.cross_validate(x, y, l2_values=(1e-4, 1e-1), thresholds=(0.5, 0.9))
    assert len(tries) == 4 and {(t["l2"], t["threshold"]) for t in tries} == {
        (1e-4, 0.5), (1e-4, 0.9), (1e-1, 0.5), (1e-1, 0.9)
    }  # fmt: skip
    best = max(tries, key=lambda t: t["use"])
    assert (l2, threshold) == (best["l2"], best["threshold"])
    assert best["use"] > 0.5


def test_the_stylists_labels_name_kinds_of_the_vocabulary():
    labels = outer_kinds.read_labels()
    assert len(labels) >= 300 and all(len(image) == 36 for image in labels)
    assert set(labels.values()) <= set(OUTER_KINDS) and set(outer_kinds.KINDS_READ) <= set(labels.values())


def _reader_of_the_committed_model():
    labels = ModelLabels.load(predictor_module.settings.BASE_DIR / "classifier" / "artifacts" / "current")
    if not labels.outer_kind:
        pytest.skip("the committed artifact does not read outer kinds")
    reader = object.__new__(predictor_module.TFLitePredictor)
    reader.labels = labels
    return reader


def _outputs(reader, embeddings: np.ndarray, type_code: str) -> dict:
    labels = reader.labels
    n = len(embeddings)
    out = {
        "type": np.tile(np.eye(len(labels.types))[labels.types.index(type_code)], (n, 1)),
        "color": np.tile(np.eye(len(labels.colors))[0], (n, 1)),
        "embedding": embeddings.astype(np.float32),
    }
    for head, codes in labels.heads.items():
        out[head] = np.full((n, len(codes)), 1.0 / len(codes))
    return out


def test_the_served_reading_carries_an_outer_kind_only_when_it_reaches_the_artifacts_threshold():
    reader = _reader_of_the_committed_model()
    weights = np.asarray(reader.labels.outer_kind["weights"])
    vest = weights[outer_kinds.KINDS_READ.index("vest")]
    (reading,) = reader._readings(_outputs(reader, vest[None, :], "outwear"))
    assert reading.outer_kind is not None and reading.outer_kind.label == "vest"
    assert reading.to_dict()["outer_kind"]["label"] == "vest"
    garment = DetectedGarment(slot="outer", box=(0.1, 0.1, 0.9, 0.6), score=0.8, prediction=reading)
    assert garment.to_dict()["kind"] == "vest"
    assert garment.to_dict()["confidences"]["kind"] == reading.outer_kind.confidence
    (blazer,) = reader._readings(_outputs(reader, vest[None, :], "blazer"))
    assert (
        DetectedGarment(slot="outer", box=(0.1, 0.1, 0.9, 0.6), score=0.8, prediction=blazer).to_dict()["kind"] is None
    )
    reader.labels = dataclasses.replace(reader.labels, outer_kind={**reader.labels.outer_kind, "threshold": 1.01})
    (unsure,) = reader._readings(_outputs(reader, vest[None, :], "outwear"))
    assert unsure.outer_kind is None and "outer_kind" not in unsure.to_dict()


def _artifact_without(tmp_path, *probes_left_out: str) -> tuple:
    """A copy of the committed artifact with these probes taken out of its labels.json; the copy, its labels.json as
    left and the probes' blocks as served."""
    source = predictor_module.settings.BASE_DIR / "classifier" / "artifacts" / "current"
    artifact = tmp_path / "artifact"
    shutil.copytree(source.resolve(), artifact)
    labels = json.loads((artifact / "labels.json").read_text())
    served = {name: labels.pop(name, None) for name in probes_left_out}
    (artifact / "labels.json").write_text(json.dumps(labels, indent=2) + "\n")
    return artifact, labels, served


@pytest.mark.real_model
def test_fit_probes_writes_both_probes_and_their_figures_into_a_copy_of_the_artifact(dataset_dir, tmp_path):
    artifact, _labels, served = _artifact_without(tmp_path, "outer_kind", "graphic")
    out = io.StringIO()
    call_command(
        "fit_probes", "--model-dir", str(artifact), "--dataset", str(dataset_dir), "--coparsing", "", stdout=out
    )
    assert "outer_kind" not in json.loads((artifact / "labels.json").read_text())  # a dry run writes nothing
    call_command(
        "fit_probes", "--model-dir", str(artifact), "--dataset", str(dataset_dir), "--coparsing", "", "--write",
        stdout=out,
    )  # fmt: skip
    written = json.loads((artifact / "labels.json").read_text())
    block = written["outer_kind"]
    assert block["labels"] == list(outer_kinds.KINDS_READ) and len(block["weights"]) == 4
    assert block["trained_on"]["cc0_photos"] >= 250 and block["test"]["photos"] >= 40
    assert 0.5 <= block["threshold"] <= 0.7 and "worn_test" not in block
    graphic = written["graphic"]
    assert graphic["labels"] == ["plain", "graphic"] and graphic["threshold"] >= 0.7
    assert graphic["test"]["photos"] >= 100 and graphic["types"] == list(graphics.TYPES_READ)
    # Deterministic: the served artifact's probes are what this command writes (without co-parsing's worn figures).
    assert graphic == served["graphic"]
    assert {k: v for k, v in block.items()} == {k: v for k, v in served["outer_kind"].items() if k != "worn_test"}
    assert "outer_kind chosen: l2=" in out.getvalue() and "graphic chosen: l2=" in out.getvalue()
    card = (artifact / "MODEL_CARD.md").read_text()
    assert "### Kind of an outer layer" in card and f"{block['test']['photos']} garments" in card
    assert "### A big graphic on a top" in card
    assert ModelLabels.load(artifact).graphic["threshold"] == graphic["threshold"]


def test_the_graphic_labels_cover_solid_tops_of_every_split():
    labels = graphics.read_labels()
    assert len(labels) >= 1400 and set(labels.values()) == {0, 1}
    assert 0.3 <= sum(labels.values()) / len(labels) <= 0.6


def test_graphic_cross_validation_never_reads_a_print_less_surely_than_the_pattern_head_must():
    x, y = _clusters(30, spread=6.0)
    binary = (y == 0).astype(int)  # one cluster "graphic", the rest plain
    l2, threshold, tries = graphics.cross_validate(x, binary, l2_values=(1e-4,))
    assert threshold >= 0.7 and all(t["threshold"] >= 0.7 for t in tries)
    best = max(tries, key=lambda t: t["use"])
    assert (l2, threshold) == (best["l2"], best["threshold"]) and best["precision"] >= 0.9


def _graphic_embedding(reader) -> np.ndarray:
    model = reader.labels.graphic
    weights = np.asarray(model["weights"])
    return (weights[1] - weights[0])[None, :]


def test_a_top_the_pattern_head_calls_solid_is_read_patterned_when_the_graphic_probe_is_sure():
    reader = _reader_of_the_committed_model()
    if not reader.labels.graphic:
        pytest.skip("the committed artifact does not read graphics")
    embedding = _graphic_embedding(reader)
    pattern_codes = reader.labels.heads["pattern"]

    def read(type_code: str, pattern: str):
        out = _outputs(reader, embedding, type_code)
        out["pattern"] = np.eye(len(pattern_codes))[[pattern_codes.index(pattern)]] * 0.9 + 0.05
        (reading,) = reader._readings(out)
        return reading

    tee = read("t-shirt", "solid")
    assert tee.pattern.label == "pattern" and tee.graphic is not None and tee.graphic.label == "graphic"
    assert tee.pattern.confidence == pytest.approx(tee.graphic.confidence)
    assert tee.graphic.confidence >= reader.labels.graphic["threshold"]
    assert tee.to_dict()["graphic"]["label"] == "graphic"
    shirt = read("shirt", "solid")  # a type the probe was not fitted on keeps the head's word
    assert shirt.pattern.label == "solid" and shirt.graphic is None
    striped = read("t-shirt", "pattern")  # the head's own print stays as it read it
    assert striped.pattern.label == "pattern" and striped.graphic is None
    plain = _outputs(reader, -embedding, "t-shirt")
    plain["pattern"] = np.eye(len(pattern_codes))[[pattern_codes.index("solid")]] * 0.9 + 0.05
    (reading,) = reader._readings(plain)
    assert reading.pattern.label == "solid" and reading.graphic is None


# ---------------------------------------------------------------- the wearer (classifier.wearers)


def test_the_stylists_wearer_labels_cover_every_coparsing_photo():
    with wearers.LABELS_FILE.open(encoding="utf-8") as handle:
        rows = handle.read().splitlines()[1:]
    assert len(rows) == 1810 and {row.split(",")[1] for row in rows} <= {"woman", "man", "unclear", "child"}
    labels = wearers.read_labels()
    assert len(labels) >= 1800 and set(labels.values()) == {0, 1}  # "unclear" is left out
    assert 0.1 <= sum(labels.values()) / len(labels) <= 0.3  # men, about one photo in five


def test_the_wearer_features_put_the_whole_photo_beside_the_mean_of_its_worn_garments():
    whole, top, shoes = np.array([3.0, 0.0, 0.0]), np.array([0.0, 2.0, 0.0]), np.array([0.0, 0.0, 5.0])
    features = wearers.features(whole, [top, shoes])
    assert features.shape == (6,) and features.dtype == np.float32
    assert np.allclose(features[:3], [1.0, 0.0, 0.0])
    assert np.allclose(features[3:], [0.0, np.sqrt(0.5), np.sqrt(0.5)])  # each crop weighs the same, whatever its norm
    assert np.allclose(wearers.features(whole, []), [1.0, 0.0, 0.0, 1.0, 0.0, 0.0])  # laid flat: the whole photo twice


def test_a_wearer_is_read_surely_only_at_the_threshold_of_the_audience_it_names():
    probs = np.array([[0.65, 0.35], [0.25, 0.75], [0.1, 0.9]])
    assert wearers.sure(probs, (0.6, 0.8)).tolist() == [True, False, True]
    result = wearers.scores(probs, [0, 1, 0], (0.6, 0.8))
    assert result["women_read_women"] == 1 and result["men"] == 1 and result["men_read_men"] == 0
    assert result["women_read_men"] == 1 and result["sure_share"] == pytest.approx(2 / 3, abs=1e-3)


def test_wearer_cross_validation_keeps_a_photo_and_its_framings_in_one_fold_and_picks_the_most_use():
    x, y = _clusters(30, spread=4.0)
    binary = (y == 0).astype(int)
    groups = [f"photo{i // 2}" for i in range(len(y))]  # pairs: a photo and one framing of it
    x[1::2] = x[0::2]  # a framing reads like its photo here
    binary[1::2] = binary[0::2]
    probs = probes.held_out_probabilities(x, binary, classes=2, l2=1e-4, groups=groups)
    assert np.allclose(probs[0::2], probs[1::2])  # never fitted on its twin while held out
    l2, thresholds, tries = wearers.cross_validate(x, binary, groups=groups, l2_values=(1e-4,))
    assert len(tries) == 16 and len(thresholds) == 2
    best = max(tries, key=lambda t: t["use"])
    assert (l2, list(thresholds)) == (best["l2"], best["thresholds"]) and best["use"] > 0.5


def test_a_photo_of_someone_wearing_clothes_carries_its_wearer_and_a_flat_photo_none():
    reader = _reader_of_the_committed_model()
    model = reader.labels.wearer
    if not model:
        pytest.skip("the committed artifact does not read the wearer")
    weights = np.asarray(model["weights"])
    men = weights[1] - weights[0]  # the features that read "men" most surely
    reading = reader._readings(_outputs(reader, np.zeros((1, reader.labels.embedding_dim)), "pants"))[0]
    worn = dataclasses.replace(reading, worn_box=(0.1, 0.3, 0.9, 1.0))
    read = reader._with_wearer(worn, men)
    assert read.wearer is not None and read.wearer.label == "men" and read.wearer.confidence >= model["threshold"][1]
    assert read.to_dict()["wearer"]["label"] == "men"
    assert reader._with_wearer(reading, men).wearer is None  # laid flat: nobody wears it
    assert "wearer" not in reading.to_dict()
    assert read.wearer_guess is None and "wearer_guess" not in read.to_dict()
    reader.labels = dataclasses.replace(reader.labels, wearer={**model, "threshold": [1.01, 1.01]})
    unsure = reader._with_wearer(worn, men)
    assert unsure.wearer is None  # read, but not surely enough: no wearer, only a guess that orders suggestions
    assert unsure.wearer_guess is not None and unsure.wearer_guess.label == "men"
    assert unsure.to_dict()["wearer_guess"]["label"] == "men" and "wearer" not in unsure.to_dict()
    assert reader._with_wearer(reading, men).wearer_guess is None  # laid flat: no guess either


@pytest.mark.real_model
def test_fit_probes_fits_the_wearer_on_the_coparsing_photos_and_writes_it_with_its_figures(coparsing_dir, tmp_path):
    artifact, labels, _served = _artifact_without(tmp_path, "wearer")
    # A few of the stylist's labels, of every split, keep it quick.
    rows = (coparsing_dir / "tags.csv").read_text().splitlines()[1:]
    split_of = {row.split(",")[0]: row.split(",")[2] for row in rows}
    everyone = sorted(wearers.read_labels().items())
    chosen = [
        (image, label)
        for split in ("train", "validation", "test")
        for who in (0, 1)
        for image, label in [(i, v) for i, v in everyone if split_of[i] == split and v == who][:8]
    ]
    small = tmp_path / "wearers.csv"
    small.write_text("image,wearer\n" + "".join(f"{i},{('woman', 'man')[v]}\n" for i, v in chosen) + "0001,unclear\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="--coparsing"):
        call_command("fit_probes", "--model-dir", str(artifact), "--probe", "wearer", "--coparsing", "")
    call_command(
        "fit_probes", "--model-dir", str(artifact), "--probe", "wearer", "--coparsing", str(coparsing_dir),
        "--wearers", str(small), "--dataset", "", "--write", stdout=out,
    )  # fmt: skip
    block = json.loads((artifact / "labels.json").read_text())["wearer"]
    assert block["labels"] == ["women", "men"] and len(block["threshold"]) == 2
    assert len(block["weights"]) == 2 and len(block["weights"][0]) == 2 * labels["embedding_dim"]
    assert block["trained_on"]["coparsing_photos"] == 32 and block["test_photos"]["photos"] == 16
    assert block["test_photos"]["men"] == 8 and "framings" in block["trained_on"]
    assert "wearer chosen: l2=" in out.getvalue() and "wearer test_photos:" in out.getvalue()
    card = (artifact / "MODEL_CARD.md").read_text()
    assert "### Whose clothes a person wears" in card and "16 photos" in card
    assert ModelLabels.load(artifact).wearer["threshold"] == block["threshold"]


def test_an_outfit_read_as_a_mans_lists_no_dress_unless_it_would_no_longer_be_an_outfit():
    reader = _reader_of_the_committed_model()
    reading = reader._readings(_outputs(reader, np.zeros((1, reader.labels.embedding_dim)), "pants"))[0]

    def garment(slot: str) -> DetectedGarment:
        return DetectedGarment(slot=slot, box=(0.1, 0.1, 0.9, 0.9), score=0.8, prediction=reading)

    outfit = dataclasses.replace(reading, garments=(garment("top"), garment("bottom"), garment("one_piece")))
    man = predictor_module.HeadPrediction("men", 0.95, [("men", 0.95), ("women", 0.05)])
    woman = predictor_module.HeadPrediction("women", 0.95, [("women", 0.95), ("men", 0.05)])
    his = predictor_module.without_a_mans_dress(dataclasses.replace(outfit, wearer=man))
    assert [g.slot for g in his.garments] == ["top", "bottom"]
    hers = predictor_module.without_a_mans_dress(dataclasses.replace(outfit, wearer=woman))
    assert [g.slot for g in hers.garments] == ["top", "bottom", "one_piece"]
    assert predictor_module.without_a_mans_dress(outfit).garments == outfit.garments  # no wearer read: as found
    two = dataclasses.replace(outfit, garments=(garment("shoes"), garment("one_piece")), wearer=man)
    assert [g.slot for g in predictor_module.without_a_mans_dress(two).garments] == ["shoes", "one_piece"]


def test_an_outfit_read_as_a_mans_names_no_blouse_skirt_or_heels_but_their_next_reading():
    """Street photo 0252's case: a man in black lace-ups whose kind head says heels 0.35, boots 0.27, flats 0.15; and a
    man's shirt read blouse 0.36, shirt 0.31 (0391)."""
    reader = _reader_of_the_committed_model()
    reading = reader._readings(_outputs(reader, np.zeros((1, reader.labels.embedding_dim)), "pants"))[0]
    heels = predictor_module.HeadPrediction("heels", 0.35, [("heels", 0.35), ("boots", 0.27), ("flats", 0.15)])
    blouse = predictor_module.HeadPrediction("blouse", 0.36, [("blouse", 0.36), ("shirt", 0.31), ("top", 0.17)])
    shoes = dataclasses.replace(reading, kind=heels)
    shirt = dataclasses.replace(reading, type=blouse, kind=heels)

    def garment(slot: str, prediction) -> DetectedGarment:
        return DetectedGarment(slot=slot, box=(0.1, 0.1, 0.9, 0.9), score=0.8, prediction=prediction)

    outfit = dataclasses.replace(reading, garments=(garment("top", shirt), garment("shoes", shoes)))
    man = predictor_module.HeadPrediction("men", 0.95, [("men", 0.95), ("women", 0.05)])
    woman = predictor_module.HeadPrediction("women", 0.95, [("women", 0.95), ("men", 0.05)])

    his = predictor_module.as_a_mans(dataclasses.replace(outfit, wearer=man))
    kind = his.garments[1].prediction.kind
    assert (kind.label, kind.confidence) == ("boots", round(0.27 / 0.65, 4))
    assert [code for code, _p in kind.top3] == ["boots", "flats"]
    top = his.garments[0].prediction
    assert (top.type.label, top.type.confidence, top.kind.label) == ("shirt", round(0.31 / 0.64, 4), "heels")
    assert evaluation.chip_type(his.garments[0]) == "shirt"  # the chip's name
    coat_like = predictor_module.HeadPrediction(
        "outwear", 0.18, [("outwear", 0.18), ("blouse", 0.16), ("longsleeve", 0.14)]
    )  # 0347: a top chip named from its top 3, whose best top type was the blouse
    top_only = (garment("top", dataclasses.replace(reading, type=coat_like)),)
    under = predictor_module.as_a_mans(dataclasses.replace(outfit, garments=top_only, wearer=man)).garments[0]
    assert under.prediction.type.top3 == [("outwear", round(0.18 / 0.84, 4)), ("longsleeve", round(0.14 / 0.84, 4))]
    assert evaluation.chip_type(under) == "longsleeve"
    hers = predictor_module.as_a_mans(dataclasses.replace(outfit, wearer=woman))
    assert (hers.garments[0].prediction.type.label, hers.garments[1].prediction.kind.label) == ("blouse", "heels")
    unread = predictor_module.as_a_mans(outfit)  # no wearer read: as found
    assert (unread.garments[0].prediction.type.label, unread.garments[1].prediction.kind.label) == ("blouse", "heels")

    shoes_slot = predictor_module.HeadPrediction("shoes", 0.98, [("shoes", 0.98), ("top", 0.01)])
    one_pair = dataclasses.replace(shoes, slot=shoes_slot, wearer=man)  # a man's shoes read as the one garment worn
    assert predictor_module.as_a_mans(one_pair).kind.label == "boots"
    trousers = dataclasses.replace(shoes, wearer=man)  # trousers read as the one garment worn: their kind is unused
    assert trousers.slot.label != "shoes" and predictor_module.as_a_mans(trousers).kind.label == "heels"
    dress = predictor_module.HeadPrediction("dress", 0.9, [("dress", 0.9), ("outwear", 0.05)])
    kept = dataclasses.replace(outfit, garments=(garment("one_piece", dataclasses.replace(reading, type=dress)),))
    assert predictor_module.as_a_mans(dataclasses.replace(kept, wearer=man)).garments[0].prediction.type == dress
    only_heels = predictor_module.HeadPrediction("heels", 1.0, [("heels", 1.0)])
    sure = dataclasses.replace(outfit, garments=(garment("shoes", dataclasses.replace(reading, kind=only_heels)),))
    assert predictor_module.as_a_mans(dataclasses.replace(sure, wearer=man)).garments[0].prediction.kind == only_heels
