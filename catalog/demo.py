"""The demo catalog: a few hundred garments picked from a folder of labelled photos (the shared clothing dataset)."""

from __future__ import annotations

import csv
import hashlib
import shutil
import tempfile
import urllib.request
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from catalog.vocabulary import COLORS, TYPES, type_from_dataset_label

SOURCE_PREFIX = "clothing-dataset:"
# The small built-in set shipped in the repository (scripts/make_demo_set.py): the catalog when no dataset is around.
BUILTIN_DEMO_DIR = Path(__file__).resolve().parent / "demo_data"
# The public CC0 dataset's home; used only when no local copy exists (never in tests or CI).
DATASET_ZIP_URL = "https://github.com/alexeygrigorev/clothing-dataset/archive/refs/heads/master.zip"


@dataclass(frozen=True)
class DemoPhoto:
    image_id: str
    path: Path
    type: str
    color: str | None  # None when the folder has no colors.csv
    alt_color: str
    pattern: str

    @property
    def source_key(self) -> str:
        return f"{SOURCE_PREFIX}{self.image_id}"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def dataset_photos(dataset_dir: Path) -> list[DemoPhoto]:
    """Every labelled photo with a garment type outside the test split (test photos stay unseen, for uploads)."""
    splits_file = dataset_dir / "splits.csv"
    rows = _read_csv(splits_file if splits_file.exists() else dataset_dir / "images.csv")
    colors = {}
    if (dataset_dir / "colors.csv").exists():
        colors = {row["image"]: row for row in _read_csv(dataset_dir / "colors.csv")}
    photos = []
    for row in rows:
        if row.get("split") == "test" or row.get("kids") == "True":
            continue
        type_code = row.get("top10_label") or type_from_dataset_label(row["label"])
        path = dataset_dir / "images" / f"{row['image']}.jpg"
        if type_code not in TYPES or not path.exists():
            continue
        color_row = colors.get(row["image"], {})
        photos.append(
            DemoPhoto(
                image_id=row["image"],
                path=path,
                type=type_code,
                color=color_row.get("color") or None,
                alt_color=color_row.get("alt", ""),
                pattern=color_row.get("pattern", ""),
            )
        )
    return photos


def demo_plan(photos: Iterable[DemoPhoto], *, per_cell: int = 6, per_type_without_color: int = 25) -> list[DemoPhoto]:
    """Pick a spread over slot × color (or type, without colour labels): deterministic, a few per cell."""
    cells: dict[tuple[str, str], list[DemoPhoto]] = defaultdict(list)
    for photo in photos:
        cells[(TYPES[photo.type].slot, photo.color or photo.type)].append(photo)
    chosen: list[DemoPhoto] = []
    for key in sorted(cells):
        limit = per_cell if key[1] in COLORS else per_type_without_color
        ranked = sorted(cells[key], key=lambda p: hashlib.sha1(p.image_id.encode()).hexdigest())
        chosen.extend(ranked[:limit])
    return chosen


def demo_garment_name(type_code: str, color: str, image_id: str) -> str:
    return f"{COLORS[color].name_en} {TYPES[type_code].name_en.lower()} {image_id[:4]}"


class DatasetDownloadError(Exception):
    """The public dataset could not be downloaded or unpacked (no internet, a moved archive, a broken zip)."""


def dataset_download(target: Path, *, progress: Callable[[int, int], None] | None = None) -> Path:
    """Download and unpack the public CC0 clothing dataset into `target` (a user's own machine with internet only).

    Everything happens in a temporary folder first: a failed download leaves no (empty or partial) `target` behind.
    The public archive has `images/` and `images.csv` but not the colour labels (`colors.csv`) of the shared copy.
    """
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "clothing-dataset.zip"
        try:
            with urllib.request.urlopen(DATASET_ZIP_URL, timeout=60) as response, archive.open("wb") as out:
                total = int(response.headers.get("Content-Length") or 0)
                done = 0
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
            with zipfile.ZipFile(archive) as bundle:
                bundle.extractall(tmp)
        except (OSError, zipfile.BadZipFile) as exc:  # URLError and timeouts are OSErrors
            raise DatasetDownloadError(f"{DATASET_ZIP_URL}: {getattr(exc, 'reason', exc)}") from exc
        unpacked = next((p for p in Path(tmp).iterdir() if p.is_dir() and (p / "images").is_dir()), None)
        if unpacked is None:
            raise DatasetDownloadError(f"{DATASET_ZIP_URL}: the archive has no images/ folder")
        target.mkdir(parents=True, exist_ok=True)
        for item in unpacked.iterdir():
            destination = target / item.name
            if not destination.exists():
                shutil.move(str(item), destination)
    return target
