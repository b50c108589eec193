"""The shared clothing dataset as labelled samples. Pure Python: no TensorFlow.

Type label: `top10_label` of splits.csv when present (the corrected label of the 10-class subset), else the mapped
dataset label. Photos labelled "Not sure", "Skip" or "Other" have no type and train the colour head only.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from catalog.vocabulary import (
    COLOR_CODES,
    DATASET_LABELS_WITHOUT_TYPE,
    TOP10_TYPES,
    TYPE_CODES,
    type_from_dataset_label,
)

SPLITS: tuple[str, ...] = ("train", "validation", "test")


@dataclass(frozen=True)
class Sample:
    image_id: str
    path: Path
    split: str
    dataset_label: str
    # None for "Not sure" / "Skip" / "Other": colour-only samples.
    type_code: str | None
    # The 10-class subset label, or None outside the subset.
    top10: str | None
    color: str
    alt: str | None

    @property
    def has_type(self) -> bool:
        return self.type_code is not None


def load_samples(dataset_dir: str | Path, *, splits: Iterable[str] = SPLITS) -> list[Sample]:
    """Read splits.csv and colors.csv into samples (sorted by image id for determinism)."""
    root = Path(dataset_dir)
    wanted = set(splits)
    if unknown := wanted - set(SPLITS):
        raise ValueError(f"unknown split(s) {sorted(unknown)}; choose from {SPLITS}")
    with open(root / "colors.csv", newline="") as f:
        colors = {row["image"]: row for row in csv.DictReader(f)}
    samples = []
    with open(root / "splits.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["split"] not in wanted:
                continue
            top10 = row.get("top10_label") or None
            if top10 is not None and top10 not in TOP10_TYPES:
                raise ValueError(f"{row['image']}: unexpected top10_label {top10!r}")
            type_code = top10 or type_from_dataset_label(row["label"])
            if type_code is None and row["label"] not in DATASET_LABELS_WITHOUT_TYPE:
                raise ValueError(f"{row['image']}: unknown dataset label {row['label']!r}")
            color_row = colors.get(row["image"])
            if color_row is None:
                raise ValueError(f"{row['image']}: missing from colors.csv")
            color, alt = color_row["color"], color_row["alt"] or None
            for code in (color, alt):
                if code is not None and code not in COLOR_CODES:
                    raise ValueError(f"{row['image']}: unknown colour {code!r}")
            assert type_code is None or type_code in TYPE_CODES
            samples.append(
                Sample(
                    image_id=row["image"],
                    path=root / "images" / f"{row['image']}.jpg",
                    split=row["split"],
                    dataset_label=row["label"],
                    type_code=type_code,
                    top10=top10,
                    color=color,
                    alt=alt,
                )
            )
    return sorted(samples, key=lambda s: s.image_id)


def data_hash(samples: Iterable[Sample]) -> str:
    """sha256 over the sorted training list: image id, labels and file size, so a changed photo or label shows."""
    digest = hashlib.sha256()
    for s in sorted(samples, key=lambda s: s.image_id):
        size = s.path.stat().st_size if s.path.exists() else -1
        line = f"{s.image_id},{s.split},{s.type_code or ''},{s.color},{s.alt or ''},{size}\n"
        digest.update(line.encode())
    return digest.hexdigest()
