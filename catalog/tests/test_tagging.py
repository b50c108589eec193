"""One mapping from the CNN's reading to a garment's fields: attributes only when read confidently."""

from __future__ import annotations

import dataclasses

import pytest

from catalog.services import garment_create_tagged, garment_fields_from_prediction, garments_retag
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
