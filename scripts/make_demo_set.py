#!/usr/bin/env python3
"""Build the small built-in demo set (catalog/demo_data/) from the shared CC0 clothing dataset.

    .venv/bin/python scripts/make_demo_set.py [--dataset ../shared/datasets/clothing-dataset] [--out catalog/demo_data]

Picks a fixed spread of train/validation photos (never test: those stay unseen for uploads and evaluation), no kids'
pieces, men's and women's (and unisex) pieces, every slot, several shoe kinds, colours spread within each type;
downscales them to at most 320 px (JPEG quality 80) and writes subsets of splits.csv, colors.csv, attributes.csv and
images.csv in the dataset's own formats, with its LICENSE and a README. Deterministic: the same dataset gives the same
set. `make run` loads this set when no FASHION_DATASET_DIR (or ../shared) exists, so the site works offline.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import shutil
from collections import Counter, defaultdict
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
MAX_SIDE = 320
QUALITY = 80

# (dataset label, shoe kind or "", how many photos): 71 in all.
QUOTAS: list[tuple[str, str, int]] = [
    # Bottoms, shoes and outerwear first: they take the neutrals a look is built on; tops and dresses then spread over
    # the colours that are left.
    ("Pants", "", 10),
    ("Shoes", "sneakers", 2),
    ("Shoes", "boots", 2),
    ("Shoes", "heels", 2),
    ("Shoes", "flats", 2),
    ("Shoes", "sandals", 2),
    ("Skirt", "", 5),
    ("Shorts", "", 4),
    ("Outwear", "", 5),
    ("Blazer", "", 3),
    ("T-Shirt", "", 8),
    ("Longsleeve", "", 4),
    ("Shirt", "", 5),
    ("Polo", "", 2),
    ("Hoodie", "", 2),
    ("Blouse", "", 2),
    ("Top", "", 1),
    ("Dress", "", 7),
    ("Hat", "", 3),
]


# A shop stocks more neutrals (and denim) than brights: they pair with everything, so looks need them.
SHOP_WEIGHT = {"black": 3.0, "white": 2.5, "blue": 2.5, "gray": 2.0, "navy": 2.0, "beige": 2.0}


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["image"]: row for row in csv.DictReader(handle)}


def stable_key(image_id: str) -> str:
    return hashlib.sha1(image_id.encode()).hexdigest()


def pick(dataset: Path) -> list[str]:
    splits = read_csv(dataset / "splits.csv")
    colors = read_csv(dataset / "colors.csv")
    attributes = read_csv(dataset / "attributes.csv")
    candidates: dict[tuple[str, str], list[str]] = defaultdict(list)
    for image_id, row in splits.items():
        attrs = attributes.get(image_id)
        if row["split"] == "test" or row["kids"] == "True" or attrs is None or attrs["audience"] == "kids":
            continue
        if image_id not in colors or not (dataset / "images" / f"{image_id}.jpg").exists():
            continue
        candidates[(row["label"], attrs["shoe_kind"])].append(image_id)

    chosen: list[str] = []
    colors_taken: Counter[str] = Counter()
    for label, shoe_kind, count in QUOTAS:
        pool = sorted(candidates[(label, shoe_kind)], key=stable_key)
        # Clear colours first (no acceptable alternative). Each pick takes a colour this type has least of, then the
        # colour the whole set has least of (neutrals weighted up), then the type's most common colour; and the
        # audience this type has least of, so the set spreads over colours and over men's and women's pieces.
        by_color: dict[str, list[str]] = defaultdict(list)
        for image_id in sorted(pool, key=lambda i: (colors[i]["alt"] != "", stable_key(i))):
            by_color[colors[image_id]["color"]].append(image_id)
        pool_counts = {c: len(ids) for c, ids in by_color.items()}
        audiences_taken: Counter[str] = Counter()
        type_taken: Counter[str] = Counter()
        picked: list[str] = []
        while len(picked) < count and any(by_color.values()):
            color = min(
                (c for c in by_color if by_color[c]),
                key=lambda c: (type_taken[c], colors_taken[c] / SHOP_WEIGHT.get(c, 1), -pool_counts[c], c),
            )
            ids = by_color[color]
            ids.sort(key=lambda i: (audiences_taken[attributes[i]["audience"]], stable_key(i)))
            image_id = ids.pop(0)
            audiences_taken[attributes[image_id]["audience"]] += 1
            colors_taken[color] += 1
            type_taken[color] += 1
            picked.append(image_id)
        chosen.extend(picked)
    return chosen


def write_subset(source: Path, target: Path, ids: list[str]) -> None:
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = {row["image"]: row for row in reader}
        fields = reader.fieldnames or []
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for image_id in ids:
            writer.writerow(rows[image_id])


README = """# Built-in demo set ({count} photos, {size_kb} KB)

A small, fixed selection from the public **clothing-dataset** (Alexey Grigorev and contributors; CC0 1.0, public
domain — see LICENSE), so that `make run` has a catalog on a machine without the full dataset and without internet.

- {count} photos from the dataset's **train and validation** splits only (test photos stay unseen), no kids' pieces,
  men's, women's and unisex pieces, every slot: {types}.
- Downscaled to at most {max_side} px on the longer side, JPEG quality {quality}; file names are the dataset's
  image ids.
- `splits.csv`, `colors.csv`, `attributes.csv` and `images.csv` are the matching rows of the dataset's own files, in the
  same formats (see the dataset's README for what each column means).

Regenerate with `.venv/bin/python scripts/make_demo_set.py --dataset ../shared/datasets/clothing-dataset`.
The full catalog (a few hundred garments) loads from `FASHION_DATASET_DIR` instead: see the project README.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT.parent / "shared" / "datasets" / "clothing-dataset")
    parser.add_argument("--out", type=Path, default=ROOT / "catalog" / "demo_data")
    args = parser.parse_args()
    ids = pick(args.dataset)
    if args.out.exists():
        shutil.rmtree(args.out)
    (args.out / "images").mkdir(parents=True)
    for image_id in ids:
        with Image.open(args.dataset / "images" / f"{image_id}.jpg") as original:
            image = original.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
            image.save(args.out / "images" / f"{image_id}.jpg", format="JPEG", quality=QUALITY, optimize=True)
    for name in ("splits.csv", "colors.csv", "attributes.csv", "images.csv"):
        write_subset(args.dataset / name, args.out / name, ids)
    shutil.copyfile(args.dataset / "LICENSE", args.out / "LICENSE")
    size = sum(p.stat().st_size for p in (args.out / "images").iterdir())
    splits = read_csv(args.out / "splits.csv")
    types = ", ".join(f"{label} {n}" for label, n in sorted(Counter(r["label"] for r in splits.values()).items()))
    (args.out / "README.md").write_text(
        README.format(count=len(ids), size_kb=size // 1024, types=types, max_side=MAX_SIDE, quality=QUALITY),
        encoding="utf-8",
    )
    print(f"{len(ids)} photos, {size / 1e6:.2f} MB in {args.out}")


if __name__ == "__main__":
    main()
