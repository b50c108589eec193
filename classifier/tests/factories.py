"""A tiny clothing dataset built on the fly (same files and columns as the shared one)."""

from __future__ import annotations

import csv
from pathlib import Path

from PIL import Image, ImageDraw

from classifier.coparsing import LABELS
from vocabulary import COLORS

# (dataset label, top10_label, colour, alt) per photo; drawn as a coloured garment-ish shape on a floor.
TINY_ROWS: list[tuple[str, str, str, str]] = [
    ("T-Shirt", "t-shirt", "red", ""),
    ("Pants", "pants", "blue", "navy"),
    ("Shoes", "shoes", "black", ""),
    ("Longsleeve", "longsleeve", "white", "gray"),
    ("Polo", "", "green", ""),
    ("Not sure", "", "yellow", ""),
    ("Other", "", "pink", ""),
    ("Dress", "dress", "purple", ""),
    ("Shirt", "t-shirt", "beige", "white"),  # a corrected label: top10_label wins
    ("Hat", "hat", "orange", ""),
]


def _hex(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def make_tiny_dataset(root: Path, *, copies: int = 2) -> Path:
    """Write images/, splits.csv and colors.csv with len(TINY_ROWS) * copies photos (train, validation and test)."""
    images = root / "images"
    images.mkdir(parents=True)
    splits = [["image", "label", "kids", "split", "top10_label"]]
    colors = [["image", "color", "alt", "pattern"]]
    index = 0
    for copy in range(copies):
        for label, top10, color, alt in TINY_ROWS:
            image_id = f"{index:08d}-0000-4000-8000-000000000000"
            split = ("train", "train", "validation", "test")[index % 4] if copy else "train"
            photo = Image.new("RGB", (60, 80), (120 + copy * 10, 110, 100))
            draw = ImageDraw.Draw(photo)
            if label in ("Pants", "Dress"):
                draw.rectangle((20, 5, 40, 75), fill=_hex(COLORS[color].hex))
            else:
                draw.ellipse((10, 20, 50, 60), fill=_hex(COLORS[color].hex))
            photo.save(images / f"{image_id}.jpg", quality=90)
            splits.append([image_id, label, "False", split, top10])
            colors.append([image_id, color, alt, "solid"])
            index += 1
    for name, rows in (("splits.csv", splits), ("colors.csv", colors)):
        with open(root / name, "w", newline="") as f:
            csv.writer(f).writerows(rows)
    return root


def make_tiny_coparsing(root: Path, *, photos: int = 10) -> Path:
    """A tiny co-parsing dataset: labels.txt, tags.csv, photos/ and masks/ of a drawn "person" (a top over a skirt or
    pants, shoes, hair), every photo pixel-annotated, split train/validation/test 6:2:2 (for 10 photos)."""
    (root / "photos").mkdir(parents=True)
    (root / "masks").mkdir()
    (root / "labels.txt").write_text("".join(f"{i}\t{name}\n" for i, name in enumerate(LABELS)))
    rows = [["image", "annotation", "split", "tags"]]
    for index in range(photos):
        image_id = f"{index + 1:04d}"
        bottom = ("skirt", "pants")[index % 2]
        photo = Image.new("RGB", (60, 90), (200, 200, 190))
        mask = Image.new("L", (60, 90), 0)
        draw, label = ImageDraw.Draw(photo), ImageDraw.Draw(mask)
        parts = [
            ("hair", (24, 2, 36, 10), (40, 30, 20)),
            ("t-shirt", (18, 12, 42, 40), (198, 40, 40)),
            (bottom, (20, 40, 40, 72), (26, 35, 126)),
            ("sneakers", (20, 78, 40, 86), (17, 17, 17)),
        ]
        for name, box, colour in parts:
            draw.rectangle(box, fill=colour)
            label.rectangle(box, fill=LABELS.index(name))
        photo.save(root / "photos" / f"{image_id}.jpg", quality=95)
        mask.save(root / "masks" / f"{image_id}.png")
        split = ("train",) * 6 + ("validation",) * 2 + ("test",) * 2
        rows.append([image_id, "pixel", split[index % 10], " ".join(sorted(p[0] for p in parts))])
    with open(root / "tags.csv", "w", newline="") as f:
        csv.writer(f).writerows(rows)
    return root
