"""The predictor interface: post-processing, the fake backend, backend selection."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from catalog.vocabulary import COLOR_CODES, SLOTS, TYPE_CODES
from classifier.predictor import FakePredictor, Predictor, build_prediction, get_predictor, slot_probabilities


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
    prediction = build_prediction(type_probs, np.eye(len(COLOR_CODES))[0], np.ones(8), model_version="v")
    assert prediction.type.label == "pants"  # the single most likely type ...
    assert prediction.slot.label == "top" and prediction.slot.confidence == pytest.approx(0.6)  # ... but not its slot
    assert [label for label, _ in prediction.type.top3] == ["pants", "t-shirt", "longsleeve"]
    assert np.linalg.norm(prediction.embedding) == pytest.approx(1.0)
    assert prediction.embedding.dtype == np.float32


def test_prediction_to_dict_is_json_without_embedding():
    prediction = build_prediction(
        np.eye(len(TYPE_CODES))[0], np.eye(len(COLOR_CODES))[1], np.ones(4), model_version="v1"
    )
    document = json.loads(json.dumps(prediction.to_dict()))
    assert document["type"]["label"] == TYPE_CODES[0]
    assert document["color"]["label"] == COLOR_CODES[1]
    assert document["slot"]["label"] == "top"
    assert document["model_version"] == "v1"
    assert "embedding" not in document


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
    import subprocess
    import sys

    code = (
        "import django, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'fashion.settings.test'); "
        "django.setup(); import classifier.predictor, classifier.imaging, classifier.evaluation, fashion.urls; "
        "from django.core.management import call_command; call_command('check'); "
        "print('tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # The whole site (every URL, view and admin, the system checks) loads without TensorFlow.
    assert out.stdout.strip().splitlines()[-1] == "False"
