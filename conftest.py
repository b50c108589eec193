"""Project-wide fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Every test writes media to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
