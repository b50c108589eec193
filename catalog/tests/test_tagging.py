"""One mapping from the CNN's reading to a garment's fields: attributes only when read confidently."""

from __future__ import annotations

import dataclasses

import pytest
from django.utils import translation

import catalog.services.garments as garments_module
from catalog.services import (
    garment_create_from_photo,
    garment_create_tagged,
    garment_fields_from_prediction,
    garments_retag,
)
from catalog.tests.factories import garment_factory, solid_image
from classifier.predictor import HeadPrediction, get_predictor

pytestmark = pytest.mark.django_db


def test_auto_tagging_fills_the_attributes_the_cnn_is_sure_of(settings):
    prediction = get_predictor().predict(solid_image("red"))
    settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS = dict.fromkeys(
        ("pattern", "audience", "warmth", "formality", "kind"), 0.0
    )
    garment = garment_create_tagged(name="-", image=solid_image("red"))
    assert (garment.type, garment.color) == (prediction.type.label, prediction.color.label)
    assert garment.pattern == prediction.pattern.label and garment.audience == prediction.audience.label
    assert garment.warmth == prediction.warmth.label and garment.formality == prediction.formality.label
    assert garment.tagged_by == "model" and garment.model_version == prediction.model_version


def test_attributes_read_below_their_threshold_stay_unknown(settings):
    settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS = dict.fromkeys(
        ("pattern", "audience", "warmth", "formality", "kind"), 1.01
    )
    fields = garment_fields_from_prediction(get_predictor().predict(solid_image("red")))
    assert {fields[k] for k in ("pattern", "audience", "warmth", "formality", "kind")} == {""}


def test_retagging_keeps_a_known_attribute_the_model_is_unsure_of(settings):
    settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS = dict.fromkeys(
        ("pattern", "audience", "warmth", "formality", "kind"), 1.01
    )
    garment = garment_factory(type="t-shirt", color="red", audience="kids", warmth="hot")
    assert garments_retag(garments=[garment]) == 1
    garment.refresh_from_db()
    assert (garment.audience, garment.warmth, garment.tagged_by) == ("kids", "hot", "model")


def test_a_garment_photographed_on_a_model_is_not_tagged_for_kids(settings):
    """The CNN read a catalog photo's garment from its crop on a model (worn_box): the audience head takes a crop of a
    worn garment for a small, kids' one, so its kids' share goes to the adult audiences (catalog.tags.worn_audience)."""
    settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS = dict.fromkeys(
        ("pattern", "audience", "warmth", "formality", "kind"), 0.0
    )
    flat = get_predictor().predict(solid_image("red"))
    audience = HeadPrediction("kids", 0.6, [("kids", 0.6), ("women", 0.3), ("men", 0.1)])
    read_flat = dataclasses.replace(flat, audience=audience)
    assert garment_fields_from_prediction(read_flat)["audience"] == "kids"  # laid flat: a child's garment
    on_a_model = dataclasses.replace(read_flat, worn_box=(0.2, 0.3, 0.8, 0.9))
    assert garment_fields_from_prediction(on_a_model)["audience"] == "women"


def _read_as_a_graphic_tee(color: str = "black"):
    """The fake CNN's reading of a plain photo, as the graphic probe leaves a slogan tee's (classifier.graphics): the
    pattern head said solid, the probe made it patterned and stays beside it."""
    flat = get_predictor().predict(solid_image(color))
    graphic = HeadPrediction("graphic", 0.88, [("graphic", 0.88), ("plain", 0.12)])
    pattern = HeadPrediction("pattern", 0.88, [("pattern", 0.88), ("solid", 0.12)])
    tee = HeadPrediction("t-shirt", 0.9, [("t-shirt", 0.9), ("top", 0.05), ("longsleeve", 0.05)])
    return dataclasses.replace(flat, type=tee, pattern=pattern, graphic=graphic)


def test_a_photo_the_graphic_probe_read_is_a_graphic_tee_in_the_catalog_named_so(settings):
    """Auto-tagging a stylist's photo of a slogan tee: patterned, with a graphic print, named "Black graphic t-shirt"
    (Korean pages "블랙 그래픽 반팔 티셔츠"), not "patterned"; a striped tee's reading (no probe) stays "patterned"."""
    settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS = dict.fromkeys(("pattern", "audience", "warmth", "formality"), 0.5)
    prediction = _read_as_a_graphic_tee()
    garment = garment_create_from_photo(file_name="IMG_0001.jpg", image=solid_image("black"), prediction=prediction)
    assert (garment.pattern, garment.graphic, garment.name) == ("pattern", True, "Black graphic t-shirt")
    with translation.override("ko"):
        assert garment.display_name == "블랙 그래픽 반팔 티셔츠"
    striped = dataclasses.replace(prediction, graphic=None)
    garment = garment_create_from_photo(file_name="IMG_0002.jpg", image=solid_image("black"), prediction=striped)
    assert (garment.pattern, garment.graphic, garment.name) == ("pattern", False, "Black patterned t-shirt")


def test_retagging_reads_the_graphic_print_with_the_pattern(settings, monkeypatch):
    """Re-tagging names a tee the probe now reads as a graphic so ("Black patterned t-shirt", named from its tags,
    becomes "Black graphic t-shirt"); a later reading unsure of the pattern keeps both the pattern and the print."""
    settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS = dict.fromkeys(("pattern", "audience", "warmth", "formality"), 0.5)
    garment = garment_factory(type="t-shirt", color="black", pattern="pattern", name="Black patterned t-shirt")

    class Reads:
        def __init__(self, prediction):
            self.prediction = prediction

        def predict(self, image):
            return self.prediction

    read = _read_as_a_graphic_tee()
    monkeypatch.setattr(garments_module, "get_predictor", lambda: Reads(read))
    assert garments_retag(garments=[garment]) == 1
    garment.refresh_from_db()
    assert (garment.pattern, garment.graphic, garment.name) == ("pattern", True, "Black graphic t-shirt")
    unsure = dataclasses.replace(read, pattern=HeadPrediction("pattern", 0.3, [("pattern", 0.3), ("solid", 0.7)]))
    monkeypatch.setattr(garments_module, "get_predictor", lambda: Reads(unsure))
    assert garments_retag(garments=[garment]) == 1
    garment.refresh_from_db()
    assert (garment.pattern, garment.graphic) == ("pattern", True)
