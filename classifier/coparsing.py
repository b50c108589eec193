"""A pure reader of the Clothing Co-Parsing dataset (street photos of people wearing whole outfits).

Pure Python + NumPy + Pillow (no TensorFlow, no Django): `settings.FASHION_COPARSING_DIR` names the folder, but every
function here takes the root explicitly.

Layout (see the dataset's README): `photos/NNNN.jpg`, `masks/NNNN.png` (8-bit label index per pixel, 0 = null) for the
pixel-annotated photos, `labels.txt` (59 labels), `tags.csv` (image, annotation pixel|image, split, tags).

Stable interface:
- `LABELS` / `read_labels(root)` — the 59 label names by index.
- `GARMENT_MAP` — co-parsing label -> `LabelMapping(slot, type, kind)` in our vocabulary (`vocabulary`), or no
  entry when the label is not a garment we read (body, background, bags, jewellery, legwear, underwear, small
  accessories).
- `worn_outfits(root, split=None) -> list[WornOutfit]` — every photo of a split with the garments it shows.
- `read_mask(root, image_id) -> np.ndarray` — the label map (H, W) uint8, with our by-eye corrections of the
  dataset's labels (`LABEL_CORRECTIONS_PATH`; `dataset_labels()` reads the dataset's own labels instead).
- `slot_mask(mask) -> np.ndarray` — the label map turned into detection classes (`DETECTION_SLOTS`, 0 = none).
- `mask_color(pixels) -> str` — one of our 14 colour codes from an (n, 3) array of garment pixels.
- `tagged_garment(tags, slot, box)` — the garment a photo's tags name for one slot, when they name exactly one type
  there (the labels of detected regions of the image-annotated photos, which have tags but no masks).

Mapping decisions (our vocabulary has 17 types, 6 slots, 6 shoe kinds):
- tops: t-shirt, shirt, blouse, top as themselves; sweater, jumper and sweatshirt -> longsleeve (we have no sweater
  type); hoodie -> hoodie; bodysuit -> body (one-piece).
- outer: blazer -> blazer; coat, jacket, cardigan, vest, cape -> outwear (a co-parsing vest is mostly a sleeveless
  layer worn over a top); suit -> blazer (a suit photo shows its jacket above the trousers, the trousers being tagged
  pants or not at all).
- bottoms: pants, jeans, leggings -> pants; shorts -> shorts; skirt -> skirt. Tights, stockings and socks are legwear
  under another garment, not a garment we catalogue: not mapped.
- one-piece: dress -> dress; romper -> body (jumpsuit-like one-piece; our "body" is the one-piece that is not a dress).
- shoes: boots -> boots; heels, pumps, wedges -> heels; flats, loafers -> flats; sandals -> sandals; sneakers ->
  sneakers; clogs and the generic "shoes" -> type shoes with no kind (clogs fit none of our six kinds well).
- hat -> hat (accessory). Not mapped: null, skin, hair, bag, purse, wallet, belt, bracelet, earrings, necklace, ring,
  watch, glasses, sunglasses, gloves, scarf, tie, accessories, intimate, bra, panties, swimwear, tights, stockings,
  socks.

Boxes, pixel shares and colours exist only for pixel-annotated photos. A garment's colour is read from its masked
pixels (`mask_color`): each pixel goes to the nearest of our 13 plain colours in CIE Lab (measured reference
shades, not only the vocabulary swatches), and the most common colour wins unless no colour holds a clear majority
and two distinct ones are both large, which reads as "multicolor". Derived, not labelled: see
`COLOR_AGREEMENT_NOTE` for how it compared with a by-eye check.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image, ImageFilter

from classifier.pixel_colors import mask_color
from vocabulary import COLOR_CODES, SHOE_KINDS

SPLITS: tuple[str, ...] = ("train", "validation", "test")

LABELS: tuple[str, ...] = (
    "null", "accessories", "bag", "belt", "blazer", "blouse", "bodysuit", "boots", "bra", "bracelet", "cape",
    "cardigan", "clogs", "coat", "dress", "earrings", "flats", "glasses", "gloves", "hair", "hat", "heels", "hoodie",
    "intimate", "jacket", "jeans", "jumper", "leggings", "loafers", "necklace", "panties", "pants", "pumps", "purse",
    "ring", "romper", "sandals", "scarf", "shirt", "shoes", "shorts", "skin", "skirt", "sneakers", "socks",
    "stockings", "suit", "sunglasses", "sweater", "sweatshirt", "swimwear", "t-shirt", "tie", "tights", "top", "vest",
    "wallet", "watch", "wedges",
)  # fmt: skip


@dataclass(frozen=True)
class LabelMapping:
    slot: str
    type: str
    kind: str | None = None


def _m(slot: str, type_code: str, kind: str | None = None) -> LabelMapping:
    return LabelMapping(slot, type_code, kind)


GARMENT_MAP: dict[str, LabelMapping] = {
    # tops
    "t-shirt": _m("top", "t-shirt"),
    "shirt": _m("top", "shirt"),
    "blouse": _m("top", "blouse"),
    "top": _m("top", "top"),
    "sweater": _m("top", "longsleeve"),
    "jumper": _m("top", "longsleeve"),
    "sweatshirt": _m("top", "longsleeve"),
    "hoodie": _m("top", "hoodie"),
    # outer layers
    "blazer": _m("outer", "blazer"),
    "suit": _m("outer", "blazer"),
    "coat": _m("outer", "outwear"),
    "jacket": _m("outer", "outwear"),
    "cardigan": _m("outer", "outwear"),
    "vest": _m("outer", "outwear"),
    "cape": _m("outer", "outwear"),
    # bottoms
    "pants": _m("bottom", "pants"),
    "jeans": _m("bottom", "pants"),
    "leggings": _m("bottom", "pants"),
    "shorts": _m("bottom", "shorts"),
    "skirt": _m("bottom", "skirt"),
    # one-piece
    "dress": _m("one_piece", "dress"),
    "romper": _m("one_piece", "body"),
    "bodysuit": _m("one_piece", "body"),
    # shoes
    "boots": _m("shoes", "shoes", "boots"),
    "heels": _m("shoes", "shoes", "heels"),
    "pumps": _m("shoes", "shoes", "heels"),
    "wedges": _m("shoes", "shoes", "heels"),
    "flats": _m("shoes", "shoes", "flats"),
    "loafers": _m("shoes", "shoes", "flats"),
    "sandals": _m("shoes", "shoes", "sandals"),
    "sneakers": _m("shoes", "shoes", "sneakers"),
    "clogs": _m("shoes", "shoes"),
    "shoes": _m("shoes", "shoes"),
    # accessories we catalogue
    "hat": _m("accessory", "hat"),
}

# Types that also count as right when scoring a worn garment of this co-parsing label: our vocabulary splits tops
# and outer layers differently from the dataset (a "top" may be a tank top or a crop top; a sweater is a knitted
# long-sleeve or a hooded one; a cardigan or vest may read as a top layer).
ACCEPTED_TYPES: dict[str, frozenset[str]] = {
    "top": frozenset({"top", "t-shirt", "undershirt", "blouse"}),
    "blouse": frozenset({"blouse", "shirt", "top"}),
    "t-shirt": frozenset({"t-shirt", "top"}),
    "sweater": frozenset({"longsleeve", "hoodie"}),
    "jumper": frozenset({"longsleeve", "hoodie"}),
    "sweatshirt": frozenset({"longsleeve", "hoodie"}),
    "hoodie": frozenset({"hoodie", "longsleeve"}),
    "suit": frozenset({"blazer", "outwear"}),
    "blazer": frozenset({"blazer", "outwear"}),
    "romper": frozenset({"body", "dress"}),
    "bodysuit": frozenset({"body", "top"}),
}

# What the detector finds in a whole-outfit photo: one class per slot a shopper would match (accessories are left
# out: a hat is too small to matter at 1/8 resolution and bags are not garments). Index 0 = no garment.
DETECTION_SLOTS: tuple[str, ...] = ("top", "bottom", "outer", "one_piece", "shoes")

# How the derived colours compared with a by-eye reading of garment crops (random garments of the train split
# covering over 1% of their photo, shown masked): first sample (numpy seed 7) 33 of 40 agreed; after adding
# street-photo shades of pink, blue and orange, a fresh sample (seed 11) 35 of 40. The misses: blue jeans read navy
# or gray, floral and checked garments read as their main colour instead of multicolour, dark brown boots as black,
# a pink-beige skirt as gray. Use derived colours as weak labels only.
COLOR_AGREEMENT_NOTE = "by-eye agreement: 33/40 (first sample), 35/40 (fresh sample after tuning the shades)"


@dataclass(frozen=True)
class WornGarment:
    label: str  # the co-parsing label
    slot: str
    type: str
    kind: str | None
    # Only for pixel-annotated photos: (x0, y0, x1, y1) as fractions of the photo, the share of the photo's pixels,
    # and the colour read from the masked pixels.
    box: tuple[float, float, float, float] | None = None
    pixel_share: float | None = None
    color: str | None = None


@dataclass(frozen=True)
class WornOutfit:
    image_id: str
    split: str
    annotation: str  # "pixel" or "image"
    photo_path: Path
    garments: list[WornGarment] = field(default_factory=list)
    mask_path: Path | None = None
    # Every tag of the photo (co-parsing names), mapped or not.
    tags: tuple[str, ...] = ()

    def by_slot(self) -> dict[str, list[WornGarment]]:
        out: dict[str, list[WornGarment]] = {}
        for g in self.garments:
            out.setdefault(g.slot, []).append(g)
        return out


# How a shop frames a garment on a model, cut from a street photo by its mask: "lower" from just above a bottom (a
# skirt, trousers, shorts) to the feet; "upper" from the head to just below a top worn without a coat or a dress;
# "dress" from the head to below a dress's hem, without a coat; "outer" from the head to below a coat's, a jacket's
# or a cardigan's hem (what is under it shows where it is open). Widths span the person with a margin.
FRAMING_MARGIN = 0.08
# A shop features a coat that covers the person, not a sliver of an open vest: at least this share of the photo.
OUTER_FRAMING_SHARE = 0.03


@dataclass(frozen=True)
class Framing:
    kind: str  # "lower", "upper" or "dress"
    box: tuple[float, float, float, float]  # what is kept of the photo, as fractions
    garment: WornGarment  # the garment the framing features


def product_framings(outfit: WornOutfit, *, min_share: float = 0.004) -> list[Framing]:
    """Product-photo-like framings of a pixel-annotated street photo, one per garment they can feature (see above);
    deterministic, for scoring how the product reads a shop's photo of a garment on a model."""
    worn = [
        (g, g.box)
        for g in outfit.garments
        if g.box is not None and g.slot != "accessory" and (g.pixel_share or 0) >= min_share
    ]
    if not worn:
        return []
    slots = {g.slot for g, _box in worn}
    x0 = max(0.0, min(box[0] for _g, box in worn) - 0.1)
    x1 = min(1.0, max(box[2] for _g, box in worn) + 0.1)
    framings = []
    for garment, (_left, top, _right, bottom) in worn:
        if garment.slot == "bottom":
            framings.append(Framing("lower", (x0, max(0.0, top - FRAMING_MARGIN), x1, 1.0), garment))
        elif garment.slot == "top" and not slots & {"outer", "one_piece"}:
            framings.append(Framing("upper", (x0, 0.0, x1, min(1.0, bottom + FRAMING_MARGIN)), garment))
        elif garment.slot == "one_piece" and "outer" not in slots:
            framings.append(Framing("dress", (x0, 0.0, x1, min(1.0, bottom + 1.5 * FRAMING_MARGIN)), garment))
        elif garment.slot == "outer" and (garment.pixel_share or 0) >= OUTER_FRAMING_SHARE:
            framings.append(Framing("outer", (x0, 0.0, x1, min(1.0, bottom + 1.5 * FRAMING_MARGIN)), garment))
    return framings


def _frame_pixels(width: int, height: int, box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return round(x0 * width), round(y0 * height), round(x1 * width), round(y1 * height)


def framed_photo(photo: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    return photo.crop(_frame_pixels(*photo.size, box))


def framed_mask(mask: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """The part of a photo's garment map that framed_photo keeps of the photo (the map has the photo's size)."""
    left, top, right, bottom = _frame_pixels(mask.shape[1], mask.shape[0], box)
    return mask[top:bottom, left:right]


# A shop photographs a model against a plain backdrop (white, light grey, off-white paper); a street photo's person,
# cut out by its mask and set on one of these, stands in for such a photo.
STUDIO_BACKDROPS = ((255, 255, 255), (238, 238, 236), (232, 226, 216))


def studio_photo(photo: Image.Image, mask: np.ndarray, backdrop: tuple[int, int, int]) -> Image.Image:
    """The person of a pixel-annotated street photo (every labelled pixel: garments, skin, hair, bags) on a plain
    `backdrop`, the mask's edge softened by a pixel or two as a cut-out's would be."""
    person = Image.fromarray(np.where(mask != 0, 255, 0).astype(np.uint8), "L").filter(ImageFilter.GaussianBlur(1.5))
    return Image.composite(photo.convert("RGB"), Image.new("RGB", photo.size, backdrop), person)


def studio_backdrop(image_id: str) -> tuple[int, int, int]:
    """The backdrop a photo's studio version gets: the same for a photo every run, the three in turn across photos."""
    return STUDIO_BACKDROPS[int(image_id) % len(STUDIO_BACKDROPS)]


def studio_version(root: str | Path, image_id: str, photo: Image.Image | None = None) -> Image.Image:
    """A pixel-annotated photo's person on its own studio backdrop (`photo`: the street photo, when already read)."""
    photo = read_photo(root, image_id) if photo is None else photo
    return studio_photo(photo, read_mask(root, image_id), studio_backdrop(image_id))


def read_labels(root: str | Path) -> tuple[str, ...]:
    """labels.txt as a tuple indexed by label index (checked against LABELS)."""
    names = {}
    for line in Path(root, "labels.txt").read_text().splitlines():
        if line.strip():
            index, name = line.split("\t")
            names[int(index)] = name.strip()
    labels = tuple(names[i] for i in range(len(names)))
    if labels != LABELS:
        raise ValueError(f"{root}/labels.txt differs from the 59 labels this reader knows")
    return labels


# By-eye corrections of the dataset's labels. The annotators labelled a skirt worn under a separate top "dress": of
# the 77 pixel-annotated photos whose map holds both a top and a dress, looked at with both regions tinted (2 Dec and
# 3 Dec), the "dress" is a skirt in 61, trousers in 3 and shorts in 1; in the other 12 it is a dress worn under or
# over the top (a pinafore, a sweater over a shirt dress, a layered tunic) or unclear, and stays a dress. One row a
# photo: image, the dataset's label, what it is (a label of LABELS), the photo's split, a note.
LABEL_CORRECTIONS_PATH = Path(__file__).resolve().parent / "labels" / "coparsing_corrections.csv"
_corrections: dict[str, dict[str, str]] | None = None
_use_corrections = True


def label_corrections() -> dict[str, dict[str, str]]:
    """image id -> {dataset label: corrected label}, from LABEL_CORRECTIONS_PATH (read once)."""
    global _corrections
    if _corrections is None:
        corrections: dict[str, dict[str, str]] = {}
        with open(LABEL_CORRECTIONS_PATH, newline="") as f:
            for row in csv.DictReader(f):
                if row["label"] not in LABELS or row["corrected"] not in LABELS:
                    raise ValueError(f"{LABEL_CORRECTIONS_PATH.name}: unknown label in {row}")
                corrections.setdefault(row["image"], {})[row["label"]] = row["corrected"]
        _corrections = corrections
    return _corrections


@contextmanager
def dataset_labels() -> Iterator[None]:
    """Within this block the reader gives the dataset's own labels, without LABEL_CORRECTIONS_PATH (to report figures by
    both label sets)."""
    global _use_corrections
    previous, _use_corrections = _use_corrections, False
    try:
        yield
    finally:
        _use_corrections = previous


def _corrections_for(image_id: str) -> dict[str, str]:
    return label_corrections().get(image_id, {}) if _use_corrections else {}


def corrected_tags(image_id: str, tags: Sequence[str]) -> tuple[str, ...]:
    """A photo's tags with its label corrections applied (a tag corrected away is replaced, without duplicates)."""
    fixes = _corrections_for(image_id)
    return tuple(dict.fromkeys(fixes.get(tag, tag) for tag in tags))


def read_mask(root: str | Path, image_id: str) -> np.ndarray:
    with Image.open(Path(root) / "masks" / f"{image_id}.png") as mask:
        labels = np.asarray(mask, dtype=np.uint8)
    fixes = _corrections_for(image_id)
    if fixes:
        labels = labels.copy()
        for label, corrected in fixes.items():
            labels[labels == LABELS.index(label)] = LABELS.index(corrected)
    return labels


# Each worn garment of the pixel-annotated validation and test photos as a person sees it (3 Dec): main colour (one of
# the vocabulary's colours), an acceptable alternative when it is genuinely ambiguous (navy or black), solid or
# pattern, and whether the garment could hardly be seen. Labelled by eye on contact sheets of the garments' crops (the
# garment in its colours, the rest washed out), keyed by photo and label as read with LABEL_CORRECTIONS_PATH. The colour
# read from a mask (mask_color) names pixels as the product does, so it cannot judge the product's colour fairly; this
# can. On validation it agrees with mask_color for 0.618 of the garments (0.730 counting the alternative).
_Seen = TypeVar("_Seen", bound="SeenColour | SeenKind")  # a by-eye label file's row

WORN_BY_EYE_PATH = Path(__file__).resolve().parent / "labels" / "coparsing_worn_by_eye.csv"


@dataclass(frozen=True)
class SeenColour:
    color: str
    alt: str | None
    pattern: str
    unsure: bool
    split: str

    def names(self, colour: str | None) -> bool:
        """Whether `colour` is what the person saw (or the alternative they accepted)."""
        return colour is not None and colour in (self.color, self.alt)


_worn_by_eye: dict[tuple[str, str], SeenColour] | None = None


def worn_by_eye() -> dict[tuple[str, str], SeenColour]:
    """(image id, label) -> what a person sees of that worn garment (WORN_BY_EYE_PATH; read once)."""
    global _worn_by_eye
    if _worn_by_eye is None:
        seen: dict[tuple[str, str], SeenColour] = {}
        with open(WORN_BY_EYE_PATH, newline="") as f:
            for row in csv.DictReader(f):
                colours = [row["color"], *([row["alt"]] if row["alt"] else [])]
                if (
                    row["label"] not in LABELS
                    or row["pattern"] not in ("solid", "pattern")
                    or not all(colour in COLOR_CODES for colour in colours)
                ):
                    raise ValueError(f"{WORN_BY_EYE_PATH.name}: unknown label, colour or pattern in {row}")
                seen[(row["image"], row["label"])] = SeenColour(
                    row["color"], row["alt"] or None, row["pattern"], row["unsure"] == "1", row["split"]
                )
        _worn_by_eye = seen
    return _worn_by_eye


def seen_colour(image_id: str, label: str, split: str | None = None) -> SeenColour | None:
    """What a person sees of the garment `label` of photo `image_id`, whichever labels the reader gives (the dataset's
    own label finds the garment under its corrected one); None for a garment nobody labelled, or one of another
    `split` (a photo of another set that shares the id, such as the tests' tiny photos)."""
    return _labelled(worn_by_eye(), image_id, label, split)


def _labelled(seen: Mapping[tuple[str, str], _Seen], image_id: str, label: str, split: str | None) -> _Seen | None:
    """What a by-eye label file holds for garment `label` of photo `image_id`, found under its dataset label or its
    corrected one; None when nobody labelled it, or it is of another `split` (another set's photo sharing the id)."""
    corrected = label_corrections().get(image_id, {}).get(label, label)
    found = seen.get((image_id, label)) or seen.get((image_id, corrected))
    return None if found is None or (split is not None and found.split != split) else found


# The kind of every pair of shoes worn in the pixel-annotated photos (685, all splits), as people see it: the dataset
# labels most of them only "shoes". Five helpers labelled them on 4 Dec from contact sheets of the feet and lower legs
# (sneakers; boots, whatever the heel; heels; flats; sandals; slippers), with `unsure` where the shoes are too small,
# hidden or cut off to tell; three more then split the raised-heel shoes into closed ones (heels: pumps, closed
# wedges) and open ones (sandals, as the dataset's own labels have heeled sandals). Where the dataset names a kind, the
# two agree on 109 of 120 shoes seen well.
SHOES_BY_EYE_PATH = Path(__file__).resolve().parent / "labels" / "coparsing_shoes_by_eye.csv"


@dataclass(frozen=True)
class SeenKind:
    kind: str
    unsure: bool
    split: str


_shoes_by_eye: dict[tuple[str, str], SeenKind] | None = None


def shoes_by_eye() -> dict[tuple[str, str], SeenKind]:
    """(image id, label) -> the kind of shoes a person sees worn (SHOES_BY_EYE_PATH; read once)."""
    global _shoes_by_eye
    if _shoes_by_eye is None:
        seen: dict[tuple[str, str], SeenKind] = {}
        with open(SHOES_BY_EYE_PATH, newline="") as f:
            for row in csv.DictReader(f):
                if row["label"] not in LABELS or row["kind"] not in SHOE_KINDS or row["unsure"] not in ("0", "1"):
                    raise ValueError(f"{SHOES_BY_EYE_PATH.name}: unknown label, kind or unsure flag in {row}")
                seen[(row["image"], row["label"])] = SeenKind(row["kind"], row["unsure"] == "1", row["split"])
        _shoes_by_eye = seen
    return _shoes_by_eye


def seen_kind(image_id: str, label: str, split: str | None = None) -> SeenKind | None:
    """The kind of the shoes `label` of photo `image_id` as a person sees them (the dataset's own label finds them
    under a corrected one); None for shoes nobody labelled, or of another `split`."""
    return _labelled(shoes_by_eye(), image_id, label, split)


# The shoes of the photos with garment tags only (no mask), as lite0-224-v13 boxed them on 4 Dec (each chip of the
# shoes slot the product listed, its box in fractions of the photo), labelled by eye from contact sheets by six helpers
# the same day, blind to the readings: boots (anything covering the ankle, heeled booties too), heels (closed, with a
# raised heel), sandals (open, whatever the heel), flats, sneakers, or none (no shoe in the box); `unsure` where the
# feet are hidden, small, two people's, or between two kinds. 1,029 chips: train 720, validation 158, test 151.
SHOE_CHIPS_BY_EYE_PATH = Path(__file__).resolve().parent / "labels" / "coparsing_shoe_chips_by_eye.csv"


@dataclass(frozen=True)
class ShoeChip:
    image_id: str
    split: str
    box: tuple[float, float, float, float]
    kind: str  # a SHOE_KINDS label, or "none"
    unsure: bool


def shoe_chips_by_eye(split: str | None = None) -> list[ShoeChip]:
    """The labelled shoe chips of SHOE_CHIPS_BY_EYE_PATH (of one `split`, or all), in file order."""
    return [
        ShoeChip(row["image"], row["split"], _row_box(row), row["kind"], row["unsure"] == "1")
        for row in _chip_rows(SHOE_CHIPS_BY_EYE_PATH, split, kind=(*SHOE_KINDS, "none"))
    ]


def _chip_rows(path: Path, split: str | None, **allowed: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a file of chips labelled by eye (of one `split`, or all), in file order. Raises ValueError on a
    row whose split, unsure flag or any column named in `allowed` holds a value it does not allow."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if (
            row["split"] not in SPLITS
            or row["unsure"] not in ("0", "1")
            or any(row[column] not in values for column, values in allowed.items())
        ):
            raise ValueError(f"{path.name}: unknown {', '.join(allowed)}, unsure flag or split in {row}")
    return [row for row in rows if split is None or row["split"] == split]


def _row_box(row: Mapping[str, str], prefix: str = "") -> tuple[float, float, float, float]:
    return (float(row[f"{prefix}x0"]), float(row[f"{prefix}y0"]), float(row[f"{prefix}x1"]), float(row[f"{prefix}y1"]))


# The garments below the waist (and one-pieces) of the photos with garment tags only, as lite0-224-v13 listed them on
# 4 Dec (each chip of the bottom or one-piece slot, after the post-network rules, its box and the box of the top listed
# beside it, if any, in fractions of the photo), labelled by eye from contact sheets (the photo with the box drawn, and
# the box enlarged) by seven helpers on 4 Dec, blind to the readings: skirt, dress, pants (trousers, jeans, leggings),
# shorts, jumpsuit (rompers and overalls too), or what else fills the box (top, outer, none); `unsure` where a coat
# hides the waist, the box spans two garments or two people, or between two labels. 1,333 chips: train 916, validation
# 199, test 218 (836 seen well as one of the five garments). No step of the product reads them yet: a regression
# fitted on them to read these garments again was not served (classifier/NOTEBOOK.md, 4 Dec); they are for scoring
# and for training the next network's worn bottoms.
LOWER_CHIPS_BY_EYE_PATH = Path(__file__).resolve().parent / "labels" / "coparsing_lower_chips_by_eye.csv"
LOWER_CHIP_GARMENTS = ("skirt", "dress", "pants", "shorts", "jumpsuit", "top", "outer", "none")


@dataclass(frozen=True)
class LowerChip:
    image_id: str
    split: str
    box: tuple[float, float, float, float]
    slot: str  # the slot it was listed in: "bottom" or "one_piece"
    top_box: tuple[float, float, float, float] | None  # the top listed beside it
    garment: str  # LOWER_CHIP_GARMENTS
    unsure: bool


def lower_chips_by_eye(split: str | None = None) -> list[LowerChip]:
    """The labelled bottom and one-piece chips of LOWER_CHIPS_BY_EYE_PATH (of one `split`, or all), in file order."""
    rows = _chip_rows(LOWER_CHIPS_BY_EYE_PATH, split, garment=LOWER_CHIP_GARMENTS, slot=("bottom", "one_piece"))
    return [
        LowerChip(
            row["image"],
            row["split"],
            _row_box(row),
            row["slot"],
            _row_box(row, "top_") if row["top_x0"] else None,
            row["garment"],
            row["unsure"] == "1",
        )
        for row in rows
    ]


def read_photo(root: str | Path, image_id: str) -> Image.Image:
    with Image.open(Path(root) / "photos" / f"{image_id}.jpg") as photo:
        return photo.convert("RGB")


# Label index -> detection class (0 none, 1 + DETECTION_SLOTS index).
_DETECTION_CLASS = np.zeros(256, dtype=np.uint8)
for _index, _name in enumerate(LABELS):
    _mapping = GARMENT_MAP.get(_name)
    if _mapping is not None and _mapping.slot in DETECTION_SLOTS:
        _DETECTION_CLASS[_index] = 1 + DETECTION_SLOTS.index(_mapping.slot)


def slot_mask(mask: np.ndarray) -> np.ndarray:
    """Label map -> detection class map (0 none, 1 + index into DETECTION_SLOTS)."""
    return _DETECTION_CLASS[mask]


def box_of(region: np.ndarray) -> tuple[float, float, float, float] | None:
    """Bounding box (x0, y0, x1, y1) as fractions of a boolean map, or None when it is empty."""
    ys, xs = np.nonzero(region)
    if not len(ys):
        return None
    height, width = region.shape
    # 0.5% / 99.5% quantiles: a few stray annotation pixels far from the garment do not stretch its box.
    x0, x1 = np.quantile(xs, (0.005, 0.995), method="nearest")
    y0, y1 = np.quantile(ys, (0.005, 0.995), method="nearest")
    return (float(x0) / width, float(y0) / height, float(x1 + 1) / width, float(y1 + 1) / height)


# ---------------------------------------------------------------- colour from masked pixels

# ---------------------------------------------------------------- outfits


def _garments_from_mask(mask: np.ndarray, photo: np.ndarray | None, present: set[int]) -> list[WornGarment]:
    garments = []
    total = mask.size
    for index in sorted(present):
        name = LABELS[index]
        mapping = GARMENT_MAP.get(name)
        if mapping is None:
            continue
        region = mask == index
        count = int(region.sum())
        if count == 0:
            continue
        color = mask_color(photo[region]) if photo is not None else None
        garments.append(
            WornGarment(
                label=name,
                slot=mapping.slot,
                type=mapping.type,
                kind=mapping.kind,
                box=box_of(region),
                pixel_share=count / total,
                color=color,
            )
        )
    return garments


def worn_outfits(
    root: str | Path, split: str | None = None, *, with_color: bool = True, annotation: str | None = None
) -> list[WornOutfit]:
    """The photos of one split (or all) with their mapped garments, sorted by image id.

    Pixel-annotated photos get one garment per mapped label present in the mask, with box, pixel share and (unless
    `with_color` is False: reading colours costs about 10 ms a photo) colour; image-annotated ones get one garment per
    mapped tag, without regions."""
    root = Path(root)
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose from {SPLITS}")
    index_of = {name: i for i, name in enumerate(LABELS)}
    outfits = []
    with open(root / "tags.csv", newline="") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: r["image"])
    for row in rows:
        if split is not None and row["split"] != split:
            continue
        if annotation is not None and row["annotation"] != annotation:
            continue
        image_id = row["image"]
        tags = corrected_tags(image_id, row["tags"].split())
        photo_path = root / "photos" / f"{image_id}.jpg"
        if row["annotation"] == "pixel":
            mask_path = root / "masks" / f"{image_id}.png"
            mask = read_mask(root, image_id)
            photo = np.asarray(read_photo(root, image_id)) if with_color else None
            if photo is not None and photo.shape[:2] != mask.shape:
                raise ValueError(f"{image_id}: photo {photo.shape[:2]} and mask {mask.shape} differ in size")
            present = {int(v) for v in np.unique(mask)}
            garments = _garments_from_mask(mask, photo, present)
        else:
            mask_path = None
            garments = []
            for tag in tags:
                if tag not in index_of:
                    raise ValueError(f"{image_id}: unknown tag {tag!r}")
                mapping = GARMENT_MAP.get(tag)
                if mapping is not None:
                    garments.append(WornGarment(label=tag, slot=mapping.slot, type=mapping.type, kind=mapping.kind))
        outfits.append(
            WornOutfit(
                image_id=image_id,
                split=row["split"],
                annotation=row["annotation"],
                garments=garments,
                photo_path=photo_path,
                mask_path=mask_path,
                tags=tags,
            )
        )
    return outfits


def tagged_garment(
    tags: Sequence[str], slot: str, box: tuple[float, float, float, float] | None = None
) -> WornGarment | None:
    """The garment that a photo's tags name for `slot`, placed at `box`, or None when the tags are ambiguous there.

    Unambiguous means every tag mapping to the slot maps to one and the same type ("jeans pants" is one pair of pants,
    "t-shirt cardigan" names a top and an outer layer: one each). Shoes are always type shoes; their kind is kept only
    when the shoe tags name one kind ("boots shoes" -> boots, "heels sandals" -> no kind). A one-piece named beside a
    top is ambiguous too: the annotators tagged a skirt under a separate top "dress". No colour: tags have none."""
    mapped = [(tag, GARMENT_MAP[tag]) for tag in dict.fromkeys(tags) if tag in GARMENT_MAP]
    named = [(tag, mapping) for tag, mapping in mapped if mapping.slot == slot]
    if len({mapping.type for _, mapping in named}) != 1:
        return None
    if slot == "one_piece" and any(mapping.slot == "top" for _, mapping in mapped):
        return None  # a "dress" tagged with a top is mostly a skirt under it (LABEL_CORRECTIONS_PATH): unknown
    kinds = {mapping.kind for _, mapping in named if mapping.kind is not None}
    return WornGarment(
        label="+".join(tag for tag, _ in named),
        slot=slot,
        type=named[0][1].type,
        kind=kinds.pop() if len(kinds) == 1 else None,
        box=box,
    )


def slot_boxes(mask: np.ndarray, *, min_share: float = 0.0) -> dict[str, tuple[float, float, float, float]]:
    """Per detection slot, the box around all its pixels (both shoes form one box): the ground truth of detection.
    A slot covering less than `min_share` of the photo is left out (a sliver of a garment is not one present)."""
    classes = slot_mask(mask)
    out = {}
    for k, slot in enumerate(DETECTION_SLOTS, start=1):
        region = classes == k
        if region.mean() < min_share:
            continue
        box = box_of(region)
        if box is not None:
            out[slot] = box
    return out
