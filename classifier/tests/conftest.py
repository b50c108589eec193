"""Fixtures for tests that read the shared clothing dataset or the committed model."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.conf import settings

WEIGHTS = Path(settings.CLASSIFIER_WEIGHTS_DIR) / "efficientnet_lite0_imagenet.npz"
LITE2_WEIGHTS = Path(settings.CLASSIFIER_WEIGHTS_DIR) / "efficientnet_lite2_imagenet.npz"


@pytest.fixture
def dataset_dir() -> Path:
    root = Path(settings.FASHION_DATASET_DIR) if settings.FASHION_DATASET_DIR else None
    if root is None or not (root / "splits.csv").is_file():
        pytest.skip(f"clothing dataset not found (FASHION_DATASET_DIR={settings.FASHION_DATASET_DIR!r})")
    return root


@pytest.fixture
def coparsing_dir() -> Path:
    root = Path(settings.FASHION_COPARSING_DIR) if settings.FASHION_COPARSING_DIR else None
    if root is None or not (root / "tags.csv").is_file():
        pytest.skip(f"co-parsing dataset not found (FASHION_COPARSING_DIR={settings.FASHION_COPARSING_DIR!r})")
    return root


@pytest.fixture
def dataset_rows(dataset_dir) -> list[dict]:
    with open(dataset_dir / "splits.csv", newline="") as f:
        splits = list(csv.DictReader(f))
    with open(dataset_dir / "colors.csv", newline="") as f:
        colors = {row["image"]: row for row in csv.DictReader(f)}
    attributes: dict[str, dict] = {}
    if (dataset_dir / "attributes.csv").is_file():
        with open(dataset_dir / "attributes.csv", newline="") as f:
            attributes = {row["image"]: row for row in csv.DictReader(f)}
    return [{**row, **colors[row["image"]], **attributes.get(row["image"], {})} for row in splits]


@pytest.fixture
def lite0_weights() -> Path:
    if not WEIGHTS.is_file():
        pytest.skip(f"EfficientNet-Lite0 weights not found at {WEIGHTS}")
    return WEIGHTS


@pytest.fixture
def lite2_weights() -> Path:
    if not LITE2_WEIGHTS.is_file():
        pytest.skip(f"EfficientNet-Lite2 weights not found at {LITE2_WEIGHTS}")
    return LITE2_WEIGHTS
