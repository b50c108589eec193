"""The demo catalog: a few hundred garments picked from a folder of labelled photos (the shared clothing dataset)."""

from __future__ import annotations

import csv
import hashlib
import shutil
import tempfile
import urllib.request
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from classifier import outer_kinds
from vocabulary import (
    AUDIENCES,
    COLORS,
    FORMALITIES,
    SHOE_KINDS,
    TYPES,
    WARMTHS,
    kind_of_type,
    type_from_dataset_label,
)

SOURCE_PREFIX = "clothing-dataset:"
# The small built-in set shipped in the repository (scripts/make_demo_set.py): the catalog when no dataset is around.
BUILTIN_DEMO_DIR = Path(__file__).resolve().parent / "demo_data"
# The public CC0 dataset's home; used only when no local copy exists (never in tests or CI).
DATASET_ZIP_URL = "https://github.com/alexeygrigorev/clothing-dataset/archive/refs/heads/master.zip"
# Demo garments whose label a stylist corrects, found by eye among the demo plan's photos (see demo_data/README.md):
# a big graphic or print that the labels call solid (their pattern label is about all-over patterns, while a stylist
# treats a big cartoon or lettering as the look's one print: pattern "graphic"), a stripe or check the labels call solid
# or a plain piece they call patterned (pattern "pattern" or "solid"), a main colour a shopper would not use (the
# labels agree on it for 87 % of photos: gray jeans labelled navy), jackets and coats that the dataset labels Blazer,
# children's clothes labelled an adult's, and pool slides, flip-flops, sport sandals, joggers, sweat shorts and sports
# jackets labelled casual (sport: they stay out of a look with a smart piece and rank below casual ones beside one).
# Its type "exclude" leaves a photo out of the catalog: children's footed tights labelled Pants are hosiery, not the
# bottom of a look.
CORRECTIONS_FILE = BUILTIN_DEMO_DIR / "corrections.csv"
GRAPHIC = "graphic"  # the pattern a correction gives a big print
EXCLUDED = "exclude"  # the type a correction gives a photo that is no garment of the catalog
# The kind (coat, jacket, vest, snowsuit) of every outer layer of the dataset, which its labels do not give, tagged by
# eye like the corrections; the CNN learns to read them from the same file (classifier.outer_kinds).
OUTER_KINDS_FILE = outer_kinds.LABELS_FILE
# The staples: the type (for shoes the kind) and colour of the pieces real outfits wear most, every one worn in at
# least STAPLE_SHARE of the co-parsing train photos that show colours (black trousers in 27 %, a white blouse in 8 %,
# a black longsleeve, gray shirt or black dress in 4-5 % …). Written by `manage.py learn_outfit_affinity` with the
# affinity table it is read from (`recommender.affinity.OutfitAffinity.staples`); the demo plan stocks them.
STAPLES_FILE = BUILTIN_DEMO_DIR / "staples.csv"
STAPLE_SHARE = 0.04
# The formalities of everyday pieces: what the staples are stocked with, and what the spread takes before sport and
# lounge pieces (track pants, pool slides, pyjamas).
EVERYDAY_FORMALITIES = ("casual", "smart")


@dataclass(frozen=True)
class DemoPhoto:
    image_id: str
    path: Path
    type: str
    color: str | None  # None when the folder has no colors.csv
    alt_color: str
    pattern: str
    # Coordination attributes from attributes.csv (empty when the folder has none).
    audience: str = ""
    warmth: str = ""
    formality: str = ""
    kind: str = ""
    # The print is a big graphic (CORRECTIONS_FILE: a print a stylist tags "graphic" there is a big cartoon, lettering
    # or logo that the labels call solid; the labels' own prints are all-over patterns).
    graphic: bool = False

    @property
    def source_key(self) -> str:
        return f"{SOURCE_PREFIX}{self.image_id}"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Correction:
    type: str  # "" keeps the label's, here and below
    pattern: str  # "graphic" (a big print: patterned and graphic), "pattern" (all-over) or "solid"
    why: str
    audience: str = ""
    formality: str = ""
    color: str = ""  # the main colour; the label's alternative goes with the label's main colour
    # The kind (cardigan, jacket …) of a piece whose type the correction makes outerwear, which OUTER_KINDS_FILE (the
    # CNN's training labels for photos the dataset calls Outwear) does not list.
    kind: str = ""

    @property
    def graphic(self) -> bool:
        return self.pattern == GRAPHIC

    @property
    def excluded(self) -> bool:
        return self.type == EXCLUDED

    @property
    def pattern_tag(self) -> str:
        """The garment's pattern tag ("pattern" or "solid"), or "" to keep the label's."""
        return "pattern" if self.graphic else self.pattern


def demo_corrections() -> dict[str, Correction]:
    """image id -> what a stylist corrects in its labels, and why."""
    return {
        row["image"]: Correction(
            type=row["type"],
            pattern=row["pattern"],
            why=row["why"],
            audience=row.get("audience") or "",
            formality=row.get("formality") or "",
            color=row.get("color") or "",
            kind=row.get("kind") or "",
        )
        for row in _read_csv(CORRECTIONS_FILE)
    }


def demo_staples(path: Path = STAPLES_FILE, wearer: str = "") -> list[tuple[str, str, str]]:
    """(slot, type or shoe kind, colour) of every staple, most worn first; none when the file is missing. Without a
    `wearer`, the staples of every photo; with one ("men" or "women"), that wearer's own that every photo's lack."""
    if not path.exists():
        return []
    return [(row["slot"], row["type"], row["color"]) for row in _read_csv(path) if row.get("wearer", "") == wearer]


def write_staples(
    staples: Iterable[tuple[str, str, str, int]],
    path: Path = STAPLES_FILE,
    wearer_staples: Mapping[str, Iterable[tuple[str, str, str, int]]] | None = None,
) -> None:
    """(slot, type or shoe kind, colour, photos wearing it), most worn first; then each wearer's staples that are not
    among every photo's, with the wearer ("men" or "women") in the last column."""
    staples = list(staples)
    everyone = {staple[:3] for staple in staples}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["slot", "type", "color", "photos", "wearer"])
        writer.writerows([*staple, ""] for staple in staples)
        for wearer, own in (wearer_staples or {}).items():
            writer.writerows([*staple, wearer] for staple in own if staple[:3] not in everyone)


def demo_outer_kinds() -> dict[str, str]:
    """image id -> the kind of outer layer a stylist sees in the photo."""
    return {row["image"]: row["kind"] for row in _read_csv(OUTER_KINDS_FILE)}


def dataset_photos(dataset_dir: Path) -> list[DemoPhoto]:
    """Every labelled photo with a garment type outside the test split (test photos stay unseen, for uploads).
    A photo in `demo_corrections()` takes the type, pattern, colour, audience, formality and kind given there over its
    labels, or is left out when its type there is "exclude"."""
    splits_file = dataset_dir / "splits.csv"
    rows = _read_csv(splits_file if splits_file.exists() else dataset_dir / "images.csv")
    colors, attributes = {}, {}
    if (dataset_dir / "colors.csv").exists():
        colors = {row["image"]: row for row in _read_csv(dataset_dir / "colors.csv")}
    if (dataset_dir / "attributes.csv").exists():
        attributes = {row["image"]: row for row in _read_csv(dataset_dir / "attributes.csv")}
    corrections = demo_corrections()
    outer_kinds = demo_outer_kinds()
    photos = []
    for row in rows:
        if row.get("split") == "test":
            continue
        correction = corrections.get(row["image"], Correction("", "", ""))
        if correction.excluded:
            continue
        type_code = correction.type or row.get("top10_label") or type_from_dataset_label(row["label"])
        path = dataset_dir / "images" / f"{row['image']}.jpg"
        if type_code not in TYPES or not path.exists():
            continue
        color_row = colors.get(row["image"], {})
        attribute_row = attributes.get(row["image"], {})
        formality = correction.formality or attribute_row.get("formality", "")
        audience = (
            correction.audience or attribute_row.get("audience", "") or ("kids" if row.get("kids") == "True" else "")
        )
        kind = correction.kind or attribute_row.get("shoe_kind", "") or outer_kinds.get(row["image"], "")
        photos.append(
            DemoPhoto(
                image_id=row["image"],
                path=path,
                type=type_code,
                color=correction.color or color_row.get("color") or None,
                alt_color="" if correction.color else color_row.get("alt", ""),
                pattern=correction.pattern_tag or color_row.get("pattern", ""),
                audience=audience if audience in AUDIENCES else "",
                warmth=attribute_row.get("warmth", "") if attribute_row.get("warmth") in WARMTHS else "",
                formality=formality if formality in FORMALITIES else "",
                kind=kind if kind_of_type(kind, type_code) else "",
                graphic=correction.graphic,
            )
        )
    return photos


def _photo_hash(photo: DemoPhoto) -> str:
    return hashlib.sha1(photo.image_id.encode()).hexdigest()


def demo_plan(
    photos: Iterable[DemoPhoto],
    *,
    per_cell: int = 6,
    per_type_without_color: int = 25,
    per_group: int = 10,
    staples: Iterable[tuple[str, str, str]] = (),
    per_staple: int = 3,
    wearer_staples: Mapping[str, Iterable[tuple[str, str, str]]] | None = None,
) -> list[DemoPhoto]:
    """Pick a spread over slot × color (or type, without colour labels): deterministic, a few per cell, taking the
    cell's audiences in turn and everyday pieces before sport and lounge ones; then top up every (slot, audience,
    warmth) group to `per_group` garments so that kids', men's and women's looks for every season can be completed;
    then stock the staples.

    `staples`: (slot, type — for shoes the kind —, colour) of the pieces real outfits wear most
    (`recommender.affinity.OutfitAffinity.staples`). Women and men each get at least `per_staple` everyday ones (solid,
    casual or smart; a unisex piece counts for both) where the folder has them. Without this step the spread above,
    one colour cell per slot shared by every type and audience, left the catalog with no adults' everyday black
    trousers, the piece worn most, and ski trousers were suggested as the black trousers to wear with a tee.
    `wearer_staples` ("men" or "women" -> staples): the pieces that wearer's own outfits wear most (a man's beige
    trousers and black dress shoes, which every photo's, mostly women's, do not count among theirs), stocked with that
    wearer's own pieces alone."""
    photos = list(photos)
    cells: dict[tuple[str, str], list[DemoPhoto]] = defaultdict(list)
    for photo in photos:
        cells[(TYPES[photo.type].slot, photo.color or photo.type)].append(photo)
    chosen: list[DemoPhoto] = []
    for key in sorted(cells):
        limit = per_cell if key[1] in COLORS else per_type_without_color
        by_audience: dict[str, list[DemoPhoto]] = defaultdict(list)
        for photo in sorted(cells[key], key=_everyday_first):
            by_audience[photo.audience].append(photo)
        queues = [by_audience[audience] for audience in sorted(by_audience)]
        picked: list[DemoPhoto] = []
        while len(picked) < limit and any(queues):
            for queue in queues:
                if queue and len(picked) < limit:
                    picked.append(queue.pop(0))
        chosen.extend(picked)
    if any(photo.audience for photo in photos):
        chosen_ids = {photo.image_id for photo in chosen}
        groups: dict[tuple[str, str, str], list[DemoPhoto]] = defaultdict(list)
        for photo in chosen:
            groups[(TYPES[photo.type].slot, photo.audience, photo.warmth)].append(photo)
        for photo in sorted(photos, key=_photo_hash):
            group = (TYPES[photo.type].slot, photo.audience, photo.warmth)
            if photo.image_id not in chosen_ids and photo.audience and len(groups[group]) < per_group:
                groups[group].append(photo)
                chosen.append(photo)
                chosen_ids.add(photo.image_id)
        # Shoes are paired by kind: every (kind, colour) the folder has gets at least two pairs (black heels, brown
        # boots …), so the starter rules that name a kind have garments to show.
        kinds: dict[tuple[str, str], int] = defaultdict(int)
        for photo in chosen:
            kinds[(photo.kind, photo.color or "")] += 1
        for photo in sorted(photos, key=_photo_hash):
            cell = (photo.kind, photo.color or "")
            if photo.kind in SHOE_KINDS and photo.image_id not in chosen_ids and kinds[cell] < 2:
                kinds[cell] += 1
                chosen.append(photo)
                chosen_ids.add(photo.image_id)
        # Unisex pieces first: one stocks a staple for women and men alike.
        unisex_first = sorted(photos, key=lambda p: (p.audience != "unisex", _photo_hash(p)))
        # A wearer's own staple is stocked with that wearer's own pieces: a unisex one would also serve the other
        # wearer, whose outfits do not wear it as much (unisex black boots stocked for men led a woman's looks too).
        wanted = [(staple, audience, True) for staple in staples for audience in ("women", "men")]
        wanted += [(staple, wearer, False) for wearer, own in (wearer_staples or {}).items() for staple in own]
        for staple, audience, unisex in wanted:
            stocked = [p for p in chosen if _is_everyday_staple(p, staple, audience, unisex=unisex)]
            for photo in unisex_first:
                if len(stocked) >= per_staple:
                    break
                if photo.image_id not in chosen_ids and _is_everyday_staple(photo, staple, audience, unisex=unisex):
                    stocked.append(photo)
                    chosen.append(photo)
                    chosen_ids.add(photo.image_id)
    return chosen


def _everyday_first(photo: DemoPhoto) -> tuple[bool, str]:
    """The spread's order within a cell: everyday pieces before sport and lounge ones (football shirts, running shoes,
    pyjamas), each in a fixed pseudo-random order. A cell with too few others still takes them, and the later steps
    (seasons, shoe kinds, staples) go by their own rules."""
    return (photo.formality not in EVERYDAY_FORMALITIES, _photo_hash(photo))


def _is_everyday_staple(photo: DemoPhoto, staple: tuple[str, str, str], audience: str, *, unisex: bool = True) -> bool:
    slot, type_or_kind, colour = staple
    return (
        TYPES[photo.type].slot == slot
        and (photo.kind if slot == "shoes" else photo.type) == type_or_kind
        and photo.color == colour
        and photo.audience in ((audience, "unisex") if unisex else (audience,))
        and photo.pattern == "solid"
        and photo.formality in EVERYDAY_FORMALITIES
    )


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
