"""The predictor interface: post-processing, the fake backend, backend selection."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageDraw

from classifier import predictor as predictor_module
from classifier.predictor import (
    ATTRIBUTE_HEADS,
    FakePredictor,
    ModelLabels,
    Predictor,
    any_light_colour,
    build_prediction,
    get_predictor,
    slot_probabilities,
)
from vocabulary import COLOR_CODES, SLOTS, TYPE_CODES


def _heads(**chosen: str) -> dict[str, np.ndarray]:
    """Attribute-head probabilities: 0.8 on the chosen label (default the first), the rest spread."""
    out = {}
    for head, labels in ATTRIBUTE_HEADS.items():
        probs = np.full(len(labels), 0.2 / (len(labels) - 1))
        probs[labels.index(chosen.get(head, labels[0]))] = 0.8
        out[head] = probs
    return out


@pytest.fixture
def fresh_predictor():
    get_predictor.cache_clear()
    yield
    get_predictor.cache_clear()


def test_slot_probability_is_the_sum_of_its_types():
    type_probs = np.zeros(len(TYPE_CODES))
    type_probs[TYPE_CODES.index("t-shirt")] = 0.3
    type_probs[TYPE_CODES.index("longsleeve")] = 0.3
    type_probs[TYPE_CODES.index("pants")] = 0.4
    slots = slot_probabilities(type_probs)
    assert slots[SLOTS.index("top")] == pytest.approx(0.6)
    prediction = build_prediction(
        type_probs, np.eye(len(COLOR_CODES))[0], np.ones(8), heads=_heads(), model_version="v"
    )
    assert prediction.type.label == "pants"  # the single most likely type ...
    assert prediction.slot.label == "top" and prediction.slot.confidence == pytest.approx(0.6)  # ... but not its slot
    assert [label for label, _ in prediction.type.top3] == ["pants", "t-shirt", "longsleeve"]
    assert np.linalg.norm(prediction.embedding) == pytest.approx(1.0)
    assert prediction.embedding.dtype == np.float32


def test_a_tie_between_two_slots_goes_to_the_best_types_slot():
    """A green sundress read dress 0.3922 (int8 steps of 1/256): its tops add up to 0.3961, as do its one-pieces.
    Matched as a top, the page showed "Dress" and recommended trousers; the tie goes to the dress's slot."""
    type_probs = np.zeros(len(TYPE_CODES))
    for code, p in {"dress": 0.3922, "body": 0.0039, "undershirt": 0.1569, "t-shirt": 0.2392, "skirt": 0.2078}.items():
        type_probs[TYPE_CODES.index(code)] = p

    def read(probs: np.ndarray):
        return build_prediction(probs, np.eye(len(COLOR_CODES))[0], np.ones(8), heads=_heads(), model_version="v")

    tie = read(type_probs)
    assert tie.type.label == "dress" and tie.slot.label == "one_piece"
    assert [label for label, _ in tie.slot.top3] == ["one_piece", "top", "bottom"]
    assert tie.slot.confidence == pytest.approx(0.3961) and tie.slot.top3[1][1] == pytest.approx(0.3961)
    # A slot ahead by a step or more keeps its lead: the slot is the sum of its types, whatever the best type.
    type_probs[TYPE_CODES.index("t-shirt")] += 2 / 256
    type_probs[TYPE_CODES.index("skirt")] -= 2 / 256
    ahead = read(type_probs)
    assert ahead.type.label == "dress" and ahead.slot.label == "top"


def test_prediction_to_dict_is_json_without_embedding():
    prediction = build_prediction(
        np.eye(len(TYPE_CODES))[0],
        np.eye(len(COLOR_CODES))[1],
        np.ones(4),
        heads=_heads(pattern="pattern", audience="kids", kind="boots"),
        model_version="v1",
    )
    document = json.loads(json.dumps(prediction.to_dict()))
    assert document["type"]["label"] == TYPE_CODES[0]
    assert document["color"]["label"] == COLOR_CODES[1]
    assert document["slot"]["label"] == "top"
    assert document["model_version"] == "v1"
    assert "embedding" not in document
    assert document["pattern"]["label"] == "pattern" and document["pattern"]["confidence"] == pytest.approx(0.8)
    assert document["audience"]["label"] == "kids" and len(document["audience"]["top3"]) == 3
    assert document["kind"]["label"] == "boots"
    assert document["warmth"]["label"] == "hot" and document["formality"]["label"] == "lounge"
    assert document["garments"] == []


def test_fake_predictor_reads_the_centre_colour_and_is_deterministic():
    fake = FakePredictor()
    image = Image.new("RGB", (100, 100), (240, 240, 240))
    image.paste((200, 30, 30), (25, 25, 75, 75))  # a red garment on a white floor
    first, second = fake.predict(image), fake.predict(image)
    assert first.color.label == "red"
    assert first.type.label == "t-shirt" and first.slot.label == "top"
    assert first.to_dict() == second.to_dict() and np.array_equal(first.embedding, second.embedding)
    navy = fake.predict(Image.new("RGB", (10, 10), (26, 35, 126)))
    assert navy.color.label == "navy"
    assert not np.allclose(first.embedding, navy.embedding)
    assert isinstance(fake, Predictor)


def test_get_predictor_uses_the_setting_and_caches(settings, fresh_predictor):
    settings.CLASSIFIER_BACKEND = "fake"
    settings.CLASSIFIER_FAKE_TYPE = "pants"
    predictor = get_predictor()
    assert predictor is get_predictor()
    prediction = predictor.predict(Image.new("RGB", (8, 8), "black"))
    assert prediction.type.label == "pants" and prediction.slot.label == "bottom"
    assert prediction.color.label == "black"
    assert [p.color.label for p in predictor.predict_batch([Image.new("RGB", (8, 8), "white")])] == ["white"]


def test_unknown_backend_is_refused(settings, fresh_predictor):
    settings.CLASSIFIER_BACKEND = "pytorch"
    with pytest.raises(ValueError, match="unknown classifier backend"):
        get_predictor()


def test_app_import_does_not_import_tensorflow():
    code = (
        "import django, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'fashion.settings.test'); "
        "django.setup(); import classifier.predictor, classifier.imaging, classifier.evaluation, fashion.urls; "
        "from django.core.management import call_command; call_command('check'); "
        "print('tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # The whole site (every URL, view and admin, the system checks) loads without TensorFlow.
    assert out.stdout.strip().splitlines()[-1] == "False"
    assert predictor_module.__name__ == "classifier.predictor"


def test_fake_predictor_reads_colour_bands_as_an_outfit():
    fake = FakePredictor()
    image = Image.new("RGB", (60, 120), (240, 240, 240))  # white top band
    image.paste((26, 35, 126), (0, 40, 60, 90))  # navy bottom band
    image.paste((17, 17, 17), (0, 90, 60, 120))  # black shoes band
    prediction = fake.predict(image)
    assert [g.slot for g in prediction.garments] == ["top", "bottom", "shoes"]
    top, bottom, shoes = prediction.garments
    assert top.box == pytest.approx((0.0, 0.0, 1.0, 40 / 120), abs=0.02)
    assert bottom.box == pytest.approx((0.0, 40 / 120, 1.0, 90 / 120), abs=0.02)
    assert [g.prediction.color.label for g in prediction.garments] == ["white", "navy", "black"]
    assert bottom.prediction.slot.label == "bottom" and shoes.prediction.type.label == "shoes"
    assert all(g.prediction.garments == () for g in prediction.garments)
    document = json.loads(json.dumps(prediction.to_dict()))
    garment = document["garments"][1]
    assert {"slot", "type", "kind", "color", "pattern", "box", "confidences"} <= set(garment)
    assert garment["slot"] == "bottom" and garment["kind"] is None
    assert document["garments"][2]["kind"] == "sneakers"
    # Deterministic, and the same through predict_batch.
    assert fake.predict_batch([image])[0].to_dict() == prediction.to_dict()


def test_fake_predictor_one_garment_has_no_garment_list_and_reads_a_crop():
    fake = FakePredictor()
    image = Image.new("RGB", (100, 100), (240, 240, 240))
    image.paste((200, 30, 30), (10, 10, 50, 50))  # red garment, top-left
    image.paste((30, 136, 229), (60, 60, 95, 95))  # blue garment, bottom-right
    assert fake.predict(image).garments == ()
    assert fake.predict_crop(image, (0.1, 0.1, 0.5, 0.5)).color.label == "red"
    assert fake.predict_crop(image, (0.6, 0.6, 0.95, 0.95)).color.label == "blue"
    with pytest.raises(ValueError, match="empty"):
        fake.predict_crop(image, (0.5, 0.5, 0.5, 0.9))
    striped = Image.new("RGB", (40, 40), "white")
    for y in range(0, 40, 4):
        striped.paste((200, 30, 30), (0, y, 40, y + 2))
    assert fake.predict(striped).pattern.label == "pattern"
    assert fake.predict(Image.new("RGB", (40, 40), "white")).pattern.label == "solid"


def test_an_artifact_without_the_v4_heads_is_refused_with_a_reason(tmp_path):
    (tmp_path / "labels.json").write_text(
        json.dumps(
            {
                "model_version": "old",
                "image_size": 224,
                "types": list(TYPE_CODES),
                "colors": list(COLOR_CODES),
                "embedding_dim": 256,
                "tflite_output": {"type": [0, 17], "color": [17, 31], "embedding": [31, 287]},
            }
        )
    )
    with pytest.raises(ValueError, match="predates"):
        ModelLabels.load(tmp_path)


def test_the_largest_garment_is_read_shoes_only_when_nothing_else_is():
    found = [("shoes", (0.0, 0.6, 1.0, 1.0)), ("top", (0.3, 0.2, 0.7, 0.5)), ("bottom", (0.3, 0.5, 0.7, 0.9))]
    assert predictor_module.largest_garment(found) == 2
    assert predictor_module.largest_garment(found[:2]) == 1
    assert predictor_module.largest_garment(found[:1]) == 0


def _labels_of_the_committed_model() -> ModelLabels:
    return ModelLabels.load(predictor_module.settings.BASE_DIR / "classifier" / "artifacts" / "current")


def _post_processing_reader() -> tuple:
    """A predictor with the committed model's labels but no model loaded (its post-processing only), an empty garment
    map of its grid (all background), and two embeddings its outfit gate calls a person and a garment laid flat."""
    labels = _labels_of_the_committed_model()
    reader = object.__new__(predictor_module.TFLitePredictor)
    reader.labels = labels
    grid, classes = labels.segmentation_grid, len(labels.segmentation_classes)
    segmentation = np.zeros((grid, grid, classes), dtype=np.float32)
    segmentation[..., 0] = 1.0
    weights = np.asarray(labels.outfit_gate["weights"], dtype=np.float32)
    person = weights / np.linalg.norm(weights)
    return reader, segmentation, person, -person


def test_a_person_wearing_one_garment_is_read_from_that_garment_alone():
    """A shop's photo of a top on a model cut at the waist: the map finds one garment and the outfit gate says a person
    wears it, so the top's box is read instead of the whole photo (face, arms, background). Not for a photo the gate
    calls a garment laid flat, nor when two garments are found (that is an outfit)."""
    reader, segmentation, person, flat = _post_processing_reader()
    grid, classes = segmentation.shape[0], list(reader.labels.segmentation_classes)
    top = (slice(grid // 4, grid * 3 // 4), slice(grid // 4, grid * 3 // 4))
    segmentation[top] = 0.0
    segmentation[(*top, classes.index("top"))] = 0.9
    segmentation[(*top, 0)] = 0.1
    photo = Image.new("RGB", (300, 400), (236, 236, 234))  # a studio's light grey paper
    ImageDraw.Draw(photo).rectangle((75, 100, 225, 300), fill=(180, 30, 40))  # a red top
    box = reader.worn_garment_box(photo, segmentation, person)
    assert box is not None
    assert box[0] == pytest.approx(0.25, abs=0.05) and box[2] == pytest.approx(0.75, abs=0.05)
    assert reader.worn_garment_box(photo, segmentation, flat) is None
    segmentation[grid - 3 :, grid // 3 : grid * 2 // 3] = np.eye(len(classes))[classes.index("shoes")]
    ImageDraw.Draw(photo).rectangle((100, 350, 200, 400), fill=(20, 20, 20))  # black shoes
    assert reader.worn_garment_box(photo, segmentation, person) is None  # two slots: an outfit


def test_a_garment_found_on_a_studio_backdrop_alone_is_the_paper_not_a_garment():
    """The map may take a stretch of white studio paper for a white top: where the photo's border is one plain colour,
    a garment whose box is nearly all that colour is dropped, so a top on the paper beside the model's shoes is no
    outfit, and one on the paper alone is not read as the garment worn. The same box on a street photo is kept."""
    reader, segmentation, person, _flat = _post_processing_reader()
    grid, classes = segmentation.shape[0], list(reader.labels.segmentation_classes)
    top = (slice(grid // 4, grid * 3 // 4), slice(grid // 4, grid * 3 // 4))
    segmentation[top] = np.eye(len(classes))[classes.index("top")]
    segmentation[grid - 3 :, grid // 3 : grid * 2 // 3] = np.eye(len(classes))[classes.index("shoes")]
    studio = Image.new("RGB", (300, 400), (255, 255, 255))
    ImageDraw.Draw(studio).rectangle((100, 350, 200, 400), fill=(20, 20, 20))  # black shoes at the foot
    assert reader.detect(studio, segmentation, person) == []  # the "top" is white paper: shoes alone
    assert reader.worn_garment_box(studio, segmentation, person) == pytest.approx((0.33, 0.89, 0.67, 1.0), abs=0.05)
    street = Image.fromarray(np.random.default_rng(0).integers(0, 255, (400, 300, 3), dtype=np.uint8))
    assert [slot for slot, _box, _score in reader.detect(street, segmentation, person)] == ["top", "shoes"]
    worn = studio.copy()
    ImageDraw.Draw(worn).rectangle((75, 100, 225, 300), fill=(245, 245, 245))  # a white top, a shade off the paper
    ImageDraw.Draw(worn).line((150, 100, 150, 300), fill=(200, 200, 200), width=8)  # its placket's shadow
    assert {slot for slot, _box, _score in reader.detect(worn, segmentation, person)} == {"top", "shoes"}


def test_the_lit_colour_branch_is_blended_with_the_head_and_sharpened_without_moving_the_colour():
    """any_light_colour: the geometric mean of the head's and the branch's probabilities (the branch weighing
    `weight`), raised to `sharpen` and normalised; the head alone without a branch. Sharpening makes the blend surer
    and never changes which colour it names."""
    head = np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3]])
    lit = np.array([[0.2, 0.7, 0.1], [0.1, 0.8, 0.1]])
    np.testing.assert_array_equal(any_light_colour(head, None, 0.5), head)
    blend = any_light_colour(head, lit, 0.5)
    expected = np.sqrt(head * lit) / np.sqrt(head * lit).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(blend, expected, atol=1e-5)
    sharp = any_light_colour(head, lit, 0.5, 1.5)
    np.testing.assert_allclose(sharp.sum(axis=1), 1.0, atol=1e-6)
    assert (sharp.argmax(axis=1) == blend.argmax(axis=1)).all() and (sharp.max(axis=1) > blend.max(axis=1)).all()
