"""The shared clothing dataset as labelled samples. Pure Python: no TensorFlow.

Type label: `top10_label` of splits.csv when present (the corrected label of the 10-class subset), else the mapped
dataset label. Photos labelled "Not sure", "Skip" or "Other" have no type and train the colour head only.

Attribute labels (lite0-224-v4 on): `pattern` from colors.csv; `audience` (kids when attributes.csv or the `kids` column
of splits.csv says so), `warmth`, `formality` and `shoe_kind` from attributes.csv (absent file: None).

`worn_samples` turns the garments of the co-parsing photos (classifier.coparsing) into samples of one garment each: the
photo cropped to the garment's box (with a margin), labelled with type, shoe kind and the colour read from its mask.
`tagged_worn_samples` adds the image-annotated photos (tags, no masks): the regions a trained detector finds,
each labelled with the photo's tag for that slot when the tags are unambiguous there (`coparsing.tagged_garment`).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from classifier.coparsing import WornGarment, lower_chips_by_eye, shoe_chips_by_eye, tagged_garment, worn_outfits
from classifier.regions import grow_box
from vocabulary import (
    AUDIENCE_CODES,
    COLOR_CODES,
    DATASET_LABELS_WITHOUT_TYPE,
    FORMALITY_CODES,
    PATTERN_CODES,
    SHOE_KINDS,
    TOP10_TYPES,
    TYPE_CODES,
    WARMTH_CODES,
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
    color: str | None
    alt: str | None
    pattern: str | None = None
    audience: str | None = None
    warmth: str | None = None
    formality: str | None = None
    shoe_kind: str | None = None
    # (x0, y0, x1, y1) fractions of the photo to crop before reading (worn garments); None = the whole photo.
    box: tuple[float, float, float, float] | None = None
    source: str = "cc0"

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
    attributes: dict[str, dict] = {}
    if (root / "attributes.csv").is_file():
        with open(root / "attributes.csv", newline="") as f:
            attributes = {row["image"]: row for row in csv.DictReader(f)}
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
            attrs = attributes.get(row["image"], {})
            audience = attrs.get("audience") or None
            if row.get("kids") == "True":
                audience = "kids"
            pattern = color_row.get("pattern") or None
            for value, allowed in (
                (pattern, PATTERN_CODES),
                (audience, AUDIENCE_CODES),
                (attrs.get("warmth") or None, WARMTH_CODES),
                (attrs.get("formality") or None, FORMALITY_CODES),
                (attrs.get("shoe_kind") or None, SHOE_KINDS),
            ):
                if value is not None and value not in allowed:
                    raise ValueError(f"{row['image']}: unknown attribute value {value!r}")
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
                    pattern=pattern,
                    audience=audience,
                    warmth=attrs.get("warmth") or None,
                    formality=attrs.get("formality") or None,
                    shoe_kind=(attrs.get("shoe_kind") or None) if type_code == "shoes" else None,
                )
            )
    return sorted(samples, key=lambda s: s.image_id)


def sample_attribute(sample: Sample, head: str) -> str | None:
    """A sample's label for an attribute head ("pattern", "audience", "warmth", "formality", "kind"), or None."""
    return {
        "pattern": sample.pattern,
        "audience": sample.audience,
        "warmth": sample.warmth,
        "formality": sample.formality,
        "kind": sample.shoe_kind,
    }[head]


def worn_garment_key(sample: Sample) -> tuple[str, str] | None:
    """(co-parsing photo id, label) of a worn_samples sample; None for any other sample."""
    if sample.source != "coparsing" or not sample.image_id.startswith("ccp-"):
        return None
    _, photo, label = sample.image_id.split("-", 2)
    return photo, label


def worn_samples(
    coparsing_dir: str | Path, split: str, *, min_share: float = 0.004, margin: float = 0.08
) -> list[Sample]:
    """One sample per mapped garment of the pixel-annotated co-parsing photos of `split` (accessories left out):
    the photo cropped to the garment box grown by `margin` of its size on each side."""
    samples = []
    for outfit in worn_outfits(coparsing_dir, split, annotation="pixel"):
        for garment in outfit.garments:
            if garment.slot == "accessory" or garment.box is None or (garment.pixel_share or 0) < min_share:
                continue
            samples.append(
                _worn_sample(
                    outfit.photo_path,
                    garment,
                    image_id=f"ccp-{outfit.image_id}-{garment.label}",
                    split=split,
                    color=garment.color,
                    box=grow_box(garment.box, margin),
                    source="coparsing",
                )
            )
    return samples


# What a detector reads from a photo: (slot, box as fractions of the photo, score) per garment found.
DetectedRegions = Sequence[tuple[str, tuple[float, float, float, float], float]]

TAGGED_SOURCE = "coparsing-tags"


def tagged_worn_samples(
    coparsing_dir: str | Path,
    split: str,
    detect: Callable[[Path], DetectedRegions],
    *,
    margin: float,
) -> list[Sample]:
    """One sample per region that `detect` finds in an image-annotated co-parsing photo of `split` and that the
    photo's tags name unambiguously (`coparsing.tagged_garment`): the photo cropped to the detected box grown by
    `margin`, labelled with type and shoe kind, without colour (tags carry none: these train type and kind only).
    Photos where the detector finds no outfit, and regions of a slot the tags leave open or ambiguous, add nothing."""
    samples = []
    for outfit in worn_outfits(coparsing_dir, split, annotation="image"):
        for slot, detected_box, _score in detect(outfit.photo_path):
            box = (float(detected_box[0]), float(detected_box[1]), float(detected_box[2]), float(detected_box[3]))
            garment = tagged_garment(outfit.tags, slot, box)
            if garment is None:
                continue
            samples.append(
                _worn_sample(
                    outfit.photo_path,
                    garment,
                    image_id=f"ccp-{outfit.image_id}-{slot}-tagged",
                    split=split,
                    color=None,
                    box=grow_box(box, margin),
                    source=TAGGED_SOURCE,
                )
            )
    return samples


CHIPS_SOURCE = "coparsing-chips"
# The garments of coparsing.lower_chips_by_eye as type codes (a jumpsuit or romper is our "body").
CHIP_TYPES = {"skirt": "skirt", "dress": "dress", "pants": "pants", "shorts": "shorts", "jumpsuit": "body"}


def chips_by_eye_samples(coparsing_dir: str | Path, split: str, *, margin: float) -> list[Sample]:
    """One sample per chip that lite0-224-v13 listed in the tag-only co-parsing photos of `split` and people labelled
    by eye and saw well (coparsing.lower_chips_by_eye: a skirt, dress, trousers, shorts or jumpsuit; and
    coparsing.shoe_chips_by_eye: a pair of shoes of a kind): the photo cropped to the chip's box grown by `margin`,
    labelled with the type (and the shoes' kind), without colour. Unlike the photos' tags, these name a skirt worn
    under a separate top (the tags call it a dress) and heeled boots (the tags call them heels). Chips of photos the
    folder does not hold (a part of the dataset) are left out."""
    photos = Path(coparsing_dir) / "photos"
    garments = [
        (chip.image_id, i, "lower", WornGarment(chip.garment, chip.slot, CHIP_TYPES[chip.garment], None, box=chip.box))
        for i, chip in enumerate(lower_chips_by_eye(split))
        if not chip.unsure and chip.garment in CHIP_TYPES
    ] + [
        (shoes.image_id, i, "shoes", WornGarment(shoes.kind, "shoes", "shoes", shoes.kind, box=shoes.box))
        for i, shoes in enumerate(shoe_chips_by_eye(split))
        if not shoes.unsure and shoes.kind != "none"
    ]
    return [
        _chip_sample(photos / f"{image_id}.jpg", garment, f"ccp-{image_id}-{part}{i}-eye", split, margin)
        for image_id, i, part, garment in garments
        if (photos / f"{image_id}.jpg").is_file()
    ]


def _chip_sample(photo: Path, garment: WornGarment, image_id: str, split: str, margin: float) -> Sample:
    assert garment.box is not None
    return _worn_sample(
        photo,
        garment,
        image_id=image_id,
        split=split,
        color=None,
        box=grow_box(garment.box, margin),
        source=CHIPS_SOURCE,
    )


def without_chips_labelled_by_eye(tagged: Sequence[Sample], chips: Sequence[Sample]) -> list[Sample]:
    """The tag-labelled crops (tagged_worn_samples) but those of a photo whose chips of the same part of the body are
    labelled by eye (`chips`, chips_by_eye_samples): the shoes, or the bottom and one-piece, there. Where both name a
    garment, the eye's label is the one trained on."""
    labelled = {(s.image_id.split("-")[1], "shoes" if s.type_code == "shoes" else "lower") for s in chips}

    def part(sample: Sample) -> tuple[str, str]:
        _, photo, slot, _ = sample.image_id.split("-", 3)
        return photo, "shoes" if slot == "shoes" else "lower" if slot in ("bottom", "one_piece") else slot

    return [s for s in tagged if part(s) not in labelled]


def _worn_sample(
    photo: Path,
    garment: WornGarment,
    *,
    image_id: str,
    split: str,
    color: str | None,
    box: tuple[float, float, float, float],
    source: str,
) -> Sample:
    """A worn garment of a co-parsing photo as a training sample: its crop `box`, its type and shoe kind."""
    return Sample(
        image_id=image_id,
        path=photo,
        split=split,
        dataset_label=garment.label,
        type_code=garment.type,
        top10=None,
        color=color,
        alt=None,
        shoe_kind=garment.kind,
        box=box,
        source=source,
    )


def data_hash(samples: Iterable[Sample]) -> str:
    """sha256 over the sorted training list: image id, labels and file size, so a changed photo or label shows."""
    digest = hashlib.sha256()
    for s in sorted(samples, key=lambda s: s.image_id):
        size = s.path.stat().st_size if s.path.exists() else -1
        line = f"{s.image_id},{s.split},{s.type_code or ''},{s.color},{s.alt or ''},{size}\n"
        if s.source != "cc0" or s.pattern is not None:  # v4 labels; v3 hashes stay as they were
            attrs = (s.pattern, s.audience, s.warmth, s.formality, s.shoe_kind, s.box)
            line = line[:-1] + "," + ",".join("" if a is None else str(a) for a in attrs) + "\n"
        digest.update(line.encode())
    return digest.hexdigest()
