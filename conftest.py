"""Project-wide fixtures."""

from __future__ import annotations

import pytest

from classifier.predictor import get_predictor


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Every test writes media to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _predictor_backend(request, settings):
    """Fast deterministic fake CNN by default; tests marked `real_model` get the committed artifact."""
    if request.node.get_closest_marker("real_model") is None:
        settings.CLASSIFIER_BACKEND = "fake"
    else:
        settings.CLASSIFIER_BACKEND = "tflite"
    get_predictor.cache_clear()
    yield
    get_predictor.cache_clear()
