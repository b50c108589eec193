"""Reading the dataset's labels: which label wins, which photos have no type, the data hash."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from classifier.dataset import (
    CHIPS_SOURCE,
    TAGGED_SOURCE,
    chips_by_eye_samples,
    data_hash,
    load_samples,
    tagged_worn_samples,
    without_chips_labelled_by_eye,
    worn_samples,
)
from classifier.regions import grow_box
from classifier.tests.factories import TINY_ROWS, make_tiny_coparsing, make_tiny_dataset


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


def test_attributes_and_kids(tmp_path):
    root = make_tiny_dataset(tmp_path / "data", copies=1)
    with open(root / "splits.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    attributes = [["image", "audience", "warmth", "formality", "shoe_kind"]]
    for row in rows:
        shoe = "boots" if row["label"] == "Shoes" else ""
        attributes.append([row["image"], "women", "cold" if shoe else "mild", "casual", shoe])
    rows[0]["kids"] = "True"  # the kids column of splits.csv makes it a kids' garment
    with open(root / "splits.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with open(root / "attributes.csv", "w", newline="") as f:
        csv.writer(f).writerows(attributes)
    samples = {s.image_id: s for s in load_samples(root)}
    first = samples[rows[0]["image"]]
    assert first.audience == "kids" and first.pattern == "solid"
    shoes = next(s for s in samples.values() if s.dataset_label == "Shoes")
    assert shoes.shoe_kind == "boots" and shoes.warmth == "cold" and shoes.formality == "casual"
    assert all(s.shoe_kind is None for s in samples.values() if s.dataset_label != "Shoes")


def test_worn_samples_are_garment_crops(tmp_path):
    root = make_tiny_coparsing(tmp_path / "ccp")
    samples = worn_samples(root, "train")
    assert len(samples) == 18  # 6 photos x (t-shirt, skirt or pants, sneakers); hair is no garment
    by_label = {s.dataset_label: s for s in samples}
    assert by_label["sneakers"].type_code == "shoes" and by_label["sneakers"].shoe_kind == "sneakers"
    assert by_label["skirt"].type_code == "skirt" and by_label["skirt"].source == "coparsing"
    assert by_label["t-shirt"].color == "red" and by_label["pants"].color == "navy"
    x0, y0, x1, y1 = by_label["t-shirt"].box
    assert x0 < 18 / 60 < 42 / 60 < x1 and y0 < 12 / 90 and y1 > 40 / 90  # the box grown by its margin
    assert data_hash(samples) != data_hash(samples[:-1])


def test_tagged_worn_samples_label_detected_regions_by_the_tags(tmp_path):
    root = make_tiny_coparsing(tmp_path / "ccp")
    with open(root / "tags.csv", "a", newline="") as f:  # two tag-only train photos, one tag-only validation photo
        csv.writer(f).writerows(
            [
                ["0101", "image", "train", "boots cardigan hair jeans pants shoes t-shirt"],
                ["0102", "image", "train", "heels sandals skirt pants top"],
                ["0103", "image", "validation", "dress heels"],
            ]
        )
    found = {
        "0101": [("top", (0.3, 0.1, 0.7, 0.5), 0.8), ("outer", (0.2, 0.1, 0.8, 0.6), 0.7),
                 ("bottom", (0.3, 0.45, 0.7, 0.9), 0.9), ("shoes", (0.3, 0.9, 0.7, 1.0), 0.6)],
        "0102": [("top", (0.3, 0.1, 0.7, 0.5), 0.8), ("bottom", (0.3, 0.45, 0.7, 0.9), 0.9),
                 ("shoes", (0.3, 0.9, 0.7, 1.0), 0.6), ("one_piece", (0.3, 0.1, 0.7, 0.9), 0.5)],
        "0103": [("one_piece", (0.3, 0.1, 0.7, 0.9), 0.9)],
    }  # fmt: skip
    read: list[str] = []

    def detect(path: Path) -> list[tuple[str, tuple[float, float, float, float], float]]:
        read.append(path.stem)
        return found[path.stem]

    samples = tagged_worn_samples(root, "train", detect, margin=0.1)
    assert read == ["0101", "0102"]  # only the tag-only photos of the split; the pixel-annotated ones have masks
    labels = {s.image_id: (s.dataset_label, s.type_code, s.shoe_kind) for s in samples}
    assert labels == {
        "ccp-0101-top-tagged": ("t-shirt", "t-shirt", None),
        "ccp-0101-outer-tagged": ("cardigan", "outwear", None),
        "ccp-0101-bottom-tagged": ("jeans+pants", "pants", None),
        "ccp-0101-shoes-tagged": ("boots+shoes", "shoes", "boots"),
        "ccp-0102-top-tagged": ("top", "top", None),
        "ccp-0102-shoes-tagged": ("heels+sandals", "shoes", None),
    }  # 0102: skirt and pants both named (no bottom), and no one-piece tag for the region read as one
    assert all(s.color is None and s.alt is None and s.source == TAGGED_SOURCE for s in samples)
    top = next(s for s in samples if s.image_id == "ccp-0101-top-tagged")
    assert top.box == pytest.approx((0.26, 0.06, 0.74, 0.54))  # the detected box grown by the margin
    assert data_hash(samples) != data_hash(samples[:-1])


def test_chips_labelled_by_eye_are_worn_crops_that_replace_the_tags_of_the_same_photo_and_part(coparsing_dir, tmp_path):
    """The train chips seen well (836 of 1,333 bottoms and one-pieces, 785 of 1,029 shoes, over all splits) become
    type-labelled crops, a skirt under a top among them; a tag-labelled crop of the same photo's lower body or shoes
    gives way to them, one of another part stays."""
    chips = chips_by_eye_samples(coparsing_dir, "train", margin=0.06)
    assert len(chips) == 590 + 547
    assert all(s.source == CHIPS_SOURCE and s.split == "train" and s.color is None for s in chips)
    by_id = {s.image_id: s for s in chips}
    first = by_id["ccp-1005-lower0-eye"]  # the first row of coparsing_lower_chips_by_eye.csv: a dress
    assert (first.type_code, first.shoe_kind) == ("dress", None)
    assert first.box == pytest.approx(grow_box((0.3571, 0.4357, 0.5714, 0.6563), 0.06))
    assert {s.type_code for s in chips} == {"skirt", "dress", "pants", "shorts", "body", "shoes"}
    assert {s.shoe_kind for s in chips if s.type_code == "shoes"} == {"boots", "heels", "sandals", "flats", "sneakers"}
    tagged = [
        dataclasses.replace(first, image_id="ccp-1005-bottom-tagged", type_code="skirt", source=TAGGED_SOURCE),
        dataclasses.replace(first, image_id="ccp-1005-top-tagged", type_code="top", source=TAGGED_SOURCE),
        dataclasses.replace(first, image_id="ccp-0001-one_piece-tagged", type_code="dress", source=TAGGED_SOURCE),
    ]
    kept = without_chips_labelled_by_eye(tagged, chips)
    assert [s.image_id for s in kept] == ["ccp-1005-top-tagged", "ccp-0001-one_piece-tagged"]
    assert chips_by_eye_samples(make_tiny_coparsing(tmp_path / "ccp"), "train", margin=0.06) == []  # photos not there
