"""Reading the dataset's labels: which label wins, which photos have no type, the data hash."""

from __future__ import annotations

import csv

from classifier.dataset import data_hash, load_samples
from classifier.tests.factories import TINY_ROWS, make_tiny_dataset


def test_labels_follow_top10_then_dataset_label(tmp_path):
    root = make_tiny_dataset(tmp_path / "data", copies=1)
    samples = {s.dataset_label: s for s in load_samples(root)}
    assert len(samples) == len(TINY_ROWS)
    assert samples["Shirt"].type_code == "t-shirt"  # corrected label wins over "Shirt"
    assert samples["Polo"].type_code == "polo" and samples["Polo"].top10 is None
    assert samples["Not sure"].type_code is None and not samples["Not sure"].has_type
    assert samples["Other"].type_code is None
    assert samples["Pants"].color == "blue" and samples["Pants"].alt == "navy"
    assert samples["T-Shirt"].alt is None


def test_split_filter(tmp_path):
    root = make_tiny_dataset(tmp_path / "data", copies=2)
    test_only = load_samples(root, splits=["test"])
    assert test_only and {s.split for s in test_only} == {"test"}


def test_data_hash_changes_with_a_label(tmp_path):
    root = make_tiny_dataset(tmp_path / "data", copies=1)
    before = data_hash(load_samples(root))
    assert before == data_hash(load_samples(root))
    with open(root / "colors.csv", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][1] = "green" if rows[1][1] != "green" else "red"
    with open(root / "colors.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
    assert data_hash(load_samples(root)) != before
