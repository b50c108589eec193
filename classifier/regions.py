"""Garment regions: crops, the model's view of a photo, segmentation targets and detection post-processing.

Pure Pillow/NumPy (no TensorFlow, no Django), shared by training, evaluation and serving.

Coordinates: a box is (x0, y0, x1, y1) as fractions of the upright photo. The model sees the photo through
`classifier.imaging.to_model_input`, which first trims an over-tall or over-wide photo around its centre to at most
MAX_ASPECT; `model_frame` gives that trimmed window, so a box on the model's segmentation grid maps back to the photo
with `frame_box_to_photo`.

Detection (lite0-224-v4 on): the model outputs, for every cell of a G×G grid over its input, the probabilities of
"no garment" and of each slot of `DETECTION_SLOTS`. `detect_garments` turns that map into at most one region per slot:
the cells whose most likely class is that slot, if they are at least `min_cells` and their mean probability is at
least `min_score`; the box spans those cells (both shoes make one box). A photo is an outfit when at least two slots
are found (`is_outfit`); a flat photo of one garment then reads as one garment, with no region list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from PIL import Image

from classifier.imaging import MAX_ASPECT

Box = tuple[float, float, float, float]

DETECTION_SLOTS: tuple[str, ...] = ("top", "bottom", "outer", "one_piece", "shoes")


def model_frame(width: int, height: int, max_aspect: float = MAX_ASPECT) -> tuple[int, int, int, int]:
    """The pixel window (left, top, right, bottom) of a width×height photo that to_model_input keeps."""
    if width > height * max_aspect:
        new_width = max(1, round(height * max_aspect))
        left = (width - new_width) // 2
        return (left, 0, left + new_width, height)
    if height > width * max_aspect:
        new_height = max(1, round(width * max_aspect))
        top = (height - new_height) // 2
        return (0, top, width, top + new_height)
    return (0, 0, width, height)


# The outfit map learned whole people from co-parsing's street photos, all about 2:3 (1.43 to 1.59 high for 1 wide),
# seen through the centre trim above (their top and bottom 5 % dropped). Shoppers' photos are framed otherwise: a
# phone photo is often 9:16, the person filling its height, which the trim to 4:3 cuts an eighth off at each end (the
# shoes with it); a shop's photo of a model is often 3:4, square or wider, the person a narrow strip the square squeeze
# makes narrower still. A photo in which someone wears clothes is read again as a street photo is framed
# (`street_view`): a taller one padded at the sides to STREET_ASPECT, a wider one cut to its STREET_ASPECT window
# around the garments first found. Garments found as served on the 100 co-parsing validation photos, as shot 0.844:
# cut to 9:16 0.723 → 0.860, to 3:5 0.793 → 0.854; widened with their border's colour to 3:4 0.782 → 0.856, square
# 0.682 → 0.846, 4:3 landscape 0.544 → 0.840; the person on a studio backdrop (as shot 0.661), 3:4 0.469 → 0.672,
# square 0.370 → 0.620, 4:3 landscape 0.217 → 0.642. Padding every tall photo to 4:3 instead, so the model saw it
# whole, found 0.768 at 9:16 and, as shot, 0.783.
STREET_ASPECT = 1.5
TALLER_THAN_STREET = 1.6
WIDER_THAN_STREET = 1.4


class StreetView(NamedTuple):
    """A photo as a street photo is framed: the image the model reads, and its model frame in the photo's own pixels
    (for a padded photo wider than the photo: left negative, right past the width)."""

    image: Image.Image
    frame: tuple[int, int, int, int]


def street_view(image: Image.Image, boxes: Sequence[Sequence[float]] = ()) -> StreetView | None:
    """A photo taller than TALLER_THAN_STREET padded at the sides to STREET_ASPECT with its border's colour
    (pad_to_aspect); one wider than WIDER_THAN_STREET cut to its full-height STREET_ASPECT window centred on `boxes`
    (the garments found, photo fractions; on the middle without them); None for a photo framed as a street photo."""
    width, height = image.size
    if height > width * TALLER_THAN_STREET:
        padded = round(height / STREET_ASPECT)
        offset = (padded - width) // 2
        left, top, right, bottom = model_frame(padded, height)
        return StreetView(pad_to_aspect(image, STREET_ASPECT), (left - offset, top, right - offset, bottom))
    if height < width * WIDER_THAN_STREET:
        kept = min(width, max(1, round(height / STREET_ASPECT)))
        xs = [float(v) for box in boxes for v in (box[0], box[2])]
        centre = (min(xs) + max(xs)) / 2 * width if xs else width / 2
        offset = int(min(max(0, round(centre - kept / 2)), width - kept))
        left, top, right, bottom = model_frame(kept, height)
        view = image.crop((offset, 0, offset + kept, height))
        return StreetView(view, (left + offset, top, right + offset, bottom))
    return None


# Two people in one photo (friends side by side, a couple in a mirror): the first map finds the garments of both, one
# box per slot spanning the two, and the street view centred between them cuts each in half. Garments found as served
# on the co-parsing validation photos each set beside another (evaluation.two_people): 0.167 read so. Where the
# first map's garment cells fall into columns apart, with at least PERSON_MIN_CELLS cells and PERSON_MIN_ROWS of the
# map's height each, every such group is a person; the one with the most cells is read, cut out at full height with
# up to PERSON_MARGIN of its width beside it (never past the middle of the gap to the next) and then framed as a street
# photo. The shopper draws a box around the other to read that one.
PERSON_MIN_CELLS = 12
PERSON_MIN_ROWS = 0.3
PERSON_MARGIN = 1.0


def people_in_map(segmentation: np.ndarray, *, min_cells: int = PERSON_MIN_CELLS) -> list[tuple[float, float, int]]:
    """The people a segmentation map (G, G, classes; class 0 no garment) shows side by side: for each group of
    columns holding garment cells (a cell's most likely class is a garment), with empty columns between groups, its
    left and right in fractions of the map and its number of cells; only groups of at least `min_cells` cells over at
    least PERSON_MIN_ROWS of the map's rows count. Left to right."""
    cells = np.asarray(segmentation).argmax(axis=-1) > 0
    grid_h, grid_w = cells.shape
    used = cells.any(axis=0)
    people = []
    column = 0
    while column < grid_w:
        if not used[column]:
            column += 1
            continue
        start = column
        while column < grid_w and used[column]:
            column += 1
        group = cells[:, start:column]
        rows = np.nonzero(group.any(axis=1))[0]
        if group.sum() >= min_cells and rows[-1] + 1 - rows[0] >= PERSON_MIN_ROWS * grid_h:
            people.append((start / grid_w, column / grid_w, int(group.sum())))
    return people


def person_view(
    image: Image.Image, people: Sequence[tuple[float, float, int]], frame: tuple[int, int, int, int]
) -> StreetView | None:
    """When the map (read through `frame`, pixels of `image`) shows two people or more (`people`, people_in_map's),
    the one with the most garment cells cut out at full height and framed as a street photo (street_view, centred on
    that person), its frame in the photo's own pixels; None for a photo of one person or none."""
    if len(people) < 2:
        return None
    main = max(range(len(people)), key=lambda k: people[k][2])
    x0, x1, _cells = people[main]
    left, _top, right, _bottom = frame
    width, height = image.size
    scale = right - left

    def pixel(x: float) -> float:
        return left + x * scale

    margin = PERSON_MARGIN * (x1 - x0)
    low = x0 - margin if main == 0 else max(x0 - margin, (people[main - 1][1] + x0) / 2)
    high = x1 + margin if main == len(people) - 1 else min(x1 + margin, (x1 + people[main + 1][0]) / 2)
    # A person at the edge of what the model saw goes on past it, to the photo's edge.
    cut_left = 0 if main == 0 and x0 <= 0.0 else max(0, int(np.floor(pixel(low))))
    cut_right = width if main == len(people) - 1 and x1 >= 1.0 else min(width, int(np.ceil(pixel(high))))
    if cut_right - cut_left < 8:
        return None
    person = image.crop((cut_left, 0, cut_right, height))
    kept = cut_right - cut_left
    view = street_view(person, [((pixel(x0) - cut_left) / kept, 0.0, (pixel(x1) - cut_left) / kept, 1.0)])
    if view is None:
        view = StreetView(person, model_frame(*person.size))
    f_left, f_top, f_right, f_bottom = view.frame
    return StreetView(view.image, (f_left + cut_left, f_top, f_right + cut_left, f_bottom))


def frame_box_to_photo(box: Box, frame: tuple[int, int, int, int], width: int, height: int) -> Box:
    """A box in fractions of the model frame -> fractions of the whole photo."""
    left, top, right, bottom = frame
    fw, fh = right - left, bottom - top
    x0, y0, x1, y1 = box
    return (
        (left + x0 * fw) / width,
        (top + y0 * fh) / height,
        (left + x1 * fw) / width,
        (top + y1 * fh) / height,
    )


def region_box_to_photo(
    box: Box, frame: tuple[int, int, int, int], width: int, height: int, *, sides: bool = True
) -> Box:
    """A detected region's box (fractions of the model frame) -> fractions of the whole photo, where a side that
    touches an edge the model's centre trim cut off is carried to the photo's edge: the garment goes on past what the
    model saw (shoes at the bottom of a tall street photo, whose last few percent the trim drops). `sides=False` for a
    street view's frame: its left and right are a window's or padding, which says nothing of the photo's sides."""
    x0, y0, x1, y1 = frame_box_to_photo(box, frame, width, height)
    left, top, right, bottom = frame
    # A frame wider than the photo (a padded street view) has padding at its sides: a box reaching into it ends at the
    # photo's edge.
    return (
        0.0 if sides and box[0] <= 0.0 and left > 0 else max(0.0, x0),
        0.0 if box[1] <= 0.0 and top > 0 else max(0.0, y0),
        1.0 if sides and box[2] >= 1.0 and right < width else min(1.0, x1),
        1.0 if box[3] >= 1.0 and bottom < height else min(1.0, y1),
    )


def photo_box_to_frame(box: Box, frame: tuple[int, int, int, int], width: int, height: int) -> Box:
    """A box in fractions of the whole photo -> fractions of the model frame (the inverse of frame_box_to_photo),
    clipped to the frame."""
    left, top, right, bottom = frame
    fw, fh = right - left, bottom - top
    x0, y0, x1, y1 = box
    return (
        min(1.0, max(0.0, (x0 * width - left) / fw)),
        min(1.0, max(0.0, (y0 * height - top) / fh)),
        min(1.0, max(0.0, (x1 * width - left) / fw)),
        min(1.0, max(0.0, (y1 * height - top) / fh)),
    )


def clip_box(box: Sequence[float]) -> Box:
    """Validate and clip a fractional box; raises ValueError when it is empty or not four numbers."""
    if len(box) != 4:
        raise ValueError("a box is four numbers: x0, y0, x1, y1 as fractions of the photo")
    x0, y0, x1, y1 = (min(1.0, max(0.0, float(v))) for v in box)
    if not (x1 > x0 and y1 > y0):
        raise ValueError("the box is empty: x1 must exceed x0 and y1 must exceed y0")
    return (x0, y0, x1, y1)


def grow_box(box: Sequence[float], margin: float) -> Box:
    """A fractional box grown by `margin` of its width/height on each side, clipped to the photo."""
    x0, y0, x1, y1 = (float(v) for v in box)
    dx, dy = (x1 - x0) * margin, (y1 - y0) * margin
    return (max(0.0, x0 - dx), max(0.0, y0 - dy), min(1.0, x1 + dx), min(1.0, y1 + dy))


def crop_to_box(image: Image.Image, box: Sequence[float], *, margin: float = 0.0, min_pixels: int = 8) -> Image.Image:
    """The part of an upright photo inside a fractional box, grown by `margin` of its size on each side."""
    x0, y0, x1, y1 = grow_box(clip_box(box), margin) if margin else clip_box(box)
    width, height = image.size
    left, top = int(np.floor(x0 * width)), int(np.floor(y0 * height))
    right, bottom = int(np.ceil(x1 * width)), int(np.ceil(y1 * height))
    # Never a crop too small to read: grow around its centre to at least min_pixels a side.
    if right - left < min_pixels:
        centre = (left + right) // 2
        left, right = max(0, centre - min_pixels // 2), min(width, centre + min_pixels // 2)
    if bottom - top < min_pixels:
        centre = (top + bottom) // 2
        top, bottom = max(0, centre - min_pixels // 2), min(height, centre + min_pixels // 2)
    return image.crop((left, top, max(right, left + 1), max(bottom, top + 1)))


def pad_to_aspect(image: Image.Image, max_aspect: float = MAX_ASPECT) -> Image.Image:
    """A photo longer than `max_aspect` on one side, padded on the other with the colour of its own border (the
    median of its edge pixels) to exactly `max_aspect`; others as they are."""
    width, height = image.size
    if height > width * max_aspect:
        size = (round(height / max_aspect), height)
    elif width > height * max_aspect:
        size = (width, round(width / max_aspect))
    else:
        return image
    pixels = np.asarray(image.convert("RGB"))
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    colour = tuple(int(v) for v in np.median(border, axis=0))
    canvas = Image.new("RGB", size, colour)
    canvas.paste(image.convert("RGB"), ((size[0] - width) // 2, (size[1] - height) // 2))
    return canvas


def reframe(image: Image.Image, aspect: float) -> Image.Image:
    """A photo framed to `aspect` (height / width) around its centre, as phones and shops frame people: cut at the
    sides to a taller aspect (the person filling its height), padded at the sides with its border's colour
    (pad_to_aspect) to a wider one."""
    width, height = image.size
    kept = max(1, round(height / aspect))
    if kept <= width:
        left = (width - kept) // 2
        return image.crop((left, 0, left + kept, height))
    return pad_to_aspect(image, aspect)


def garment_crop(image: Image.Image, box: Sequence[float], *, margin: float = 0.0) -> Image.Image:
    """What the model reads for one garment region of a photo: its crop (crop_to_box), padded to at most MAX_ASPECT
    (pad_to_aspect) so the model's centre trim does not cut the hem off a dress or the feet off a pair of trousers."""
    return pad_to_aspect(crop_to_box(image, box, margin=margin))


def box_iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


# ---------------------------------------------------------------- segmentation targets (training)


def segmentation_target(classes: np.ndarray, grid: int, *, n_classes: int = len(DETECTION_SLOTS) + 1) -> np.ndarray:
    """A class map (H, W) of the photo (0 none, 1.. slots) -> (grid, grid, n_classes) soft targets in the model's
    frame: the share of each class in each cell, after the same centre trim and square squeeze as the model input."""
    height, width = classes.shape
    left, top, right, bottom = model_frame(width, height)
    framed = classes[top:bottom, left:right]
    # Nearest-neighbour to a multiple of the grid, then count classes per cell.
    cell = 8
    size = grid * cell
    resized = np.asarray(Image.fromarray(framed).resize((size, size), Image.Resampling.NEAREST))
    onehot = np.eye(n_classes, dtype=np.float32)[np.minimum(resized, n_classes - 1)]
    return onehot.reshape(grid, cell, grid, cell, n_classes).mean(axis=(1, 3))


# ---------------------------------------------------------------- detection post-processing (serving)


# What detect_garments' `per_slot` may set for one slot: whether it is found (`min_cells`, `min_score`: two shoes
# make fewer cells than a coat) and how its box is drawn (`grow`, `keep_share`).
PER_SLOT_PARAMS: tuple[str, ...] = ("min_cells", "min_score", "grow", "keep_share")


@dataclass(frozen=True)
class Region:
    slot: str
    box: Box  # fractions of the model frame (see frame_box_to_photo)
    score: float  # mean probability of the slot over its cells
    area: float  # share of the grid's cells


def detect_garments(
    probs: np.ndarray,
    *,
    slots: Sequence[str] = DETECTION_SLOTS,
    min_cells: int = 6,
    min_score: float = 0.45,
    keep_share: float = 0.3,
    grow: float | None = None,
    per_slot: dict[str, dict] | None = None,
) -> list[Region]:
    """Per-slot regions from a (G, G, 1 + len(slots)) probability map (class 0 = no garment), in slot order. A slot is
    found when at least `min_cells` cells have it as their most likely class with a mean probability of at least
    `min_score`. With `grow`, the cells where the slot's probability reaches `grow` join them (the map is often unsure
    at a garment's edges and where a coat opens over a top). The box spans the largest connected group of those cells
    and any other group at least `keep_share` of its size (the second shoe), so stray cells elsewhere do not stretch
    it. `per_slot` overrides any of these for a slot ({"shoes": {"min_cells": 2, "grow": 0.3}}): a pair of shoes
    covers fewer cells than a coat, and a shoe's region grown as far as a coat's climbs the legs."""
    probs = np.asarray(probs, dtype=np.float32)
    grid_h, grid_w, n = probs.shape
    if n != 1 + len(slots):
        raise ValueError(f"expected {1 + len(slots)} classes, got {n}")
    per_slot = per_slot or {}
    if unknown := set(per_slot) - set(slots):
        raise ValueError(f"per_slot names slots the map does not have: {sorted(unknown)}")
    for overrides in per_slot.values():
        if unknown := set(overrides) - set(PER_SLOT_PARAMS):
            raise ValueError(f"per_slot can set {', '.join(PER_SLOT_PARAMS)}, not {sorted(unknown)}")
    winner = probs.argmax(axis=-1)
    regions = []
    for k, slot in enumerate(slots, start=1):
        own = per_slot.get(slot, {})
        cells = winner == k
        count = int(cells.sum())
        if count < own.get("min_cells", min_cells) or count == 0:
            continue
        score = float(probs[..., k][cells].mean())
        if score < own.get("min_score", min_score):
            continue
        slot_grow = own.get("grow", grow)
        if slot_grow is not None:
            cells = cells | (probs[..., k] >= slot_grow)
        cells = main_components(cells, keep_share=own.get("keep_share", keep_share))
        ys, xs = np.nonzero(cells)
        box = (xs.min() / grid_w, ys.min() / grid_h, (xs.max() + 1) / grid_w, (ys.max() + 1) / grid_h)
        regions.append(Region(slot, box, round(score, 4), count / (grid_h * grid_w)))
    return regions


def main_components(cells: np.ndarray, *, keep_share: float = 0.3) -> np.ndarray:
    """The largest 8-connected group of True cells and the groups at least `keep_share` of its size."""
    ys, xs = np.nonzero(cells)
    if not len(ys):
        return cells
    # A flood fill over the set of True cells (a cell outside the grid is simply not in the set): on a 28x28 map
    # this is a fraction of the work of visiting every neighbour with bounds checks.
    left = set(zip(ys.tolist(), xs.tolist(), strict=True))
    groups = []
    while left:
        seed = left.pop()
        stack, group = [seed], [seed]
        while stack:
            y, x = stack.pop()
            for near in (
                (y - 1, x - 1), (y - 1, x), (y - 1, x + 1), (y, x - 1),
                (y, x + 1), (y + 1, x - 1), (y + 1, x), (y + 1, x + 1),
            ):  # fmt: skip
                if near in left:
                    left.remove(near)
                    stack.append(near)
                    group.append(near)
        groups.append(group)
    largest = max(len(group) for group in groups)
    kept = np.zeros(cells.shape, dtype=bool)
    for group in groups:
        if len(group) >= keep_share * largest:
            rows, cols = zip(*group, strict=True)
            kept[list(rows), list(cols)] = True
    return kept


def with_bottom_split(probs: np.ndarray, bottom_share: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """A segmentation map (..., G, G, classes) whose bottom and one-piece mass is shared out again per cell: the
    cell keeps what it gives the two together, `bottom_share` (..., G, G, 1) of it becomes the bottom's and the rest
    the one-piece's. Every other class is left as it is. The outfit map alone takes a skirt worn under a separate top
    for a dress's lower half; a network's `segmentation_split` output (training.graft_segmentation_split) is the
    share it reads for each cell."""
    bottom, one_piece = classes.index("bottom"), classes.index("one_piece")
    out = np.array(probs, dtype=np.float32, copy=True)
    share = np.clip(np.asarray(bottom_share, dtype=np.float32).reshape(out.shape[:-1]), 0.0, 1.0)
    both = out[..., bottom] + out[..., one_piece]
    out[..., bottom] = both * share
    out[..., one_piece] = both - out[..., bottom]
    return out


def box_slot_shares(probs: np.ndarray, box: Box) -> np.ndarray:
    """What the photo's segmentation map says is inside `box` (fractions of the model frame): the share of each
    garment class (class 0, "no garment", left out) in the probability mass of the cells the box touches; zeros when
    the map sees no garment there."""
    probs = np.asarray(probs, dtype=np.float64)
    grid_h, grid_w, _ = probs.shape
    x0, y0, x1, y1 = box
    left = min(grid_w - 1, max(0, int(np.floor(x0 * grid_w))))
    top = min(grid_h - 1, max(0, int(np.floor(y0 * grid_h))))
    right = max(left + 1, min(grid_w, int(np.ceil(x1 * grid_w))))
    bottom = max(top + 1, min(grid_h, int(np.ceil(y1 * grid_h))))
    mass = probs[top:bottom, left:right, 1:].reshape(-1, probs.shape[-1] - 1).sum(axis=0)
    total = float(mass.sum())
    return mass / total if total > 0 else np.zeros_like(mass)


def photo_box_slot_shares(
    probs: np.ndarray, size: tuple[int, int], box: Box, frame: tuple[int, int, int, int] | None = None
) -> np.ndarray:
    """box_slot_shares for a box in fractions of a width×height photo (mapped into the model frame first: `frame`,
    by default model_frame's)."""
    width, height = size
    return box_slot_shares(probs, photo_box_to_frame(box, frame or model_frame(width, height), width, height))


def with_region_context(
    type_probs: np.ndarray, slot_shares: np.ndarray, type_slots: Sequence[int], *, weight: float, floor: float
) -> np.ndarray:
    """Type probabilities of a region's crop, weighed by what the whole photo's segmentation says is there: each type
    is multiplied by (share of its slot + floor) ** weight and the result renormalised. The crop alone cannot tell a
    skirt from the lower half of a dress, nor a shirt from the jacket over it; the map, seeing the whole person, often
    can. `type_slots[i]` is the index into `slot_shares` of type i's slot, -1 for a slot the map does not know (a hat):
    those get the floor alone. `weight` 0 (or a map with nothing there) leaves the crop's reading unchanged."""
    type_probs = np.asarray(type_probs, dtype=np.float64)
    if weight <= 0 or not np.any(slot_shares):
        return type_probs
    shares = np.append(np.asarray(slot_shares, dtype=np.float64), 0.0)  # index -1: not on the map
    factor = np.power(shares[np.asarray(type_slots)] + floor, weight)
    fused = type_probs * factor
    total = float(fused.sum())
    return fused / total if total > 0 else type_probs


def map_slot_indices(types: Sequence[str], type_slot: dict[str, str], garment_classes: Sequence[str]) -> list[int]:
    """For each type, the index of its slot among the segmentation map's garment classes, -1 when the map has none."""
    classes = list(garment_classes)
    return [classes.index(type_slot[t]) if type_slot[t] in classes else -1 for t in types]


def reconcile_garments(
    found: Sequence[tuple[str, Box, float]],
    crop_slots: Sequence[np.ndarray],
    slot_names: Sequence[str],
    *,
    drop: float,
    reslot: float,
) -> list[tuple[int, str]]:
    """Check the detector's garments against what their own crops read. `found[i]` is (slot, box, score) from the
    segmentation map; `crop_slots[i]` the slot probabilities of its crop (columns named by `slot_names`). A garment
    whose crop is sure of another detection slot (at least `reslot`) takes that slot; one whose crop gives its slot
    under `drop` is dropped (the map's stray cells: bare legs called trousers, a shadow called a coat); of several
    garments of one slot the one with the best score times crop probability stays. Returns (index into `found`,
    slot) in the order of `found`; empty when fewer than two garments are left (then the photo is not an outfit)."""
    names = list(slot_names)
    best: dict[str, tuple[float, int]] = {}
    for index, ((slot, _box, score), probs) in enumerate(zip(found, crop_slots, strict=True)):
        probs = np.asarray(probs, dtype=np.float64)
        crop_slot = names[int(np.argmax(probs))]
        if crop_slot != slot and crop_slot in DETECTION_SLOTS and probs.max() >= reslot:
            slot = crop_slot
        sure = float(probs[names.index(slot)]) if slot in names else 0.0
        if sure < drop:
            continue
        key = score * sure
        if slot not in best or key > best[slot][0]:
            best[slot] = (key, index)
    kept = sorted((index, slot) for slot, (_key, index) in best.items())
    return kept if len(kept) >= 2 else []


def reconciled_garments(
    found: Sequence[tuple[str, Box, float]], crop_slots: Sequence[np.ndarray], slot_names: Sequence[str], params: dict
) -> list[tuple[int, str]]:
    """reconcile_garments with an artifact's `reconcile` parameters ({"drop", "reslot"}); every garment as found
    when there are none."""
    if not params:
        return [(index, slot) for index, (slot, _box, _score) in enumerate(found)]
    return reconcile_garments(found, crop_slots, slot_names, drop=float(params["drop"]), reslot=float(params["reslot"]))


def is_outfit(regions: Sequence[Region], *, min_garments: int = 2) -> bool:
    """Several garments worn together (a person in an outfit) rather than one garment laid flat."""
    return len({r.slot for r in regions}) >= min_garments


# ---------------------------------------------------------------- a plain backdrop (a shop's studio photo)

# A shop shoots its model against plain paper, and the segmentation map may take a stretch of white paper for a white
# top or white shoes. A photo whose border is one plain colour has a backdrop; a garment found where the photo is
# nearly all that colour is the paper. Chosen on the co-parsing validation framings cut out onto a studio backdrop
# (coparsing.studio_photo): of 10 garments listed on the paper alone, 9 are dropped, and no garment on the person
# (nor any garment of the street photos and their framings, whose borders are not plain).
BACKDROP_VIEW = 64  # pixels a side of the view both are read from
BACKDROP_BORDER = 0.04  # the border's width, a share of the view
BACKDROP_TOLERANCE = 12.0  # RGB distance from the backdrop's colour that still counts as the backdrop
BACKDROP_EDGE_SHARE = 0.8  # share of the border that must be the backdrop for the photo to have one
BACKDROP_BOX_SHARE = 0.8  # share of a garment's box that, when backdrop, makes it the paper


def backdrop_view(image: Image.Image) -> np.ndarray:
    """The small RGB view (BACKDROP_VIEW a side, float) `plain_backdrop` and `backdrop_share` read."""
    small = image.convert("RGB").resize((BACKDROP_VIEW, BACKDROP_VIEW), Image.Resampling.BILINEAR)
    return np.asarray(small, dtype=np.float32)


def plain_backdrop(view: np.ndarray) -> np.ndarray | None:
    """The colour of the plain backdrop a photo was shot against (the median of its border, when at least
    BACKDROP_EDGE_SHARE of the border lies within BACKDROP_TOLERANCE of it), or None for a street, a room, a bed."""
    size = view.shape[0]
    band = max(1, round(BACKDROP_BORDER * size))
    border = np.concatenate(
        [
            view[:band].reshape(-1, 3),
            view[-band:].reshape(-1, 3),
            view[:, :band].reshape(-1, 3),
            view[:, -band:].reshape(-1, 3),
        ]
    )
    colour = np.median(border, axis=0)
    near = np.linalg.norm(border - colour, axis=1) <= BACKDROP_TOLERANCE
    return colour if near.mean() >= BACKDROP_EDGE_SHARE else None


def backdrop_share(view: np.ndarray, box: Sequence[float], backdrop: np.ndarray) -> float:
    """Share of the view's pixels inside `box` (photo fractions) within BACKDROP_TOLERANCE of the backdrop colour."""
    height, width = view.shape[:2]
    x0, y0, x1, y1 = box
    left, top = min(int(x0 * width), width - 1), min(int(y0 * height), height - 1)
    pixels = view[top : max(int(y1 * height), top + 1), left : max(int(x1 * width), left + 1)].reshape(-1, 3)
    return float((np.linalg.norm(pixels - backdrop, axis=1) <= BACKDROP_TOLERANCE).mean())


def on_backdrop(view: np.ndarray, box: Sequence[float], backdrop: np.ndarray | None) -> bool:
    """Whether a garment found in `box` is only the plain backdrop (see above); never without a backdrop."""
    return backdrop is not None and backdrop_share(view, box, backdrop) >= BACKDROP_BOX_SHARE


# ---------------------------------------------------------------- outfit gate (serving and its training)


def outfit_probability(embedding: np.ndarray, gate: dict | None) -> float:
    """Probability that a photo shows a person wearing an outfit (not one garment), from its embedding by a logistic
    regression (`fit_outfit_gate`); 1.0 without a gate."""
    if not gate:
        return 1.0
    z = float(np.dot(np.asarray(gate["weights"], dtype=np.float64), np.asarray(embedding, dtype=np.float64)))
    return float(1.0 / (1.0 + np.exp(-(z + float(gate["bias"])))))


def fit_outfit_gate(
    outfits: np.ndarray, flats: np.ndarray, *, l2: float = 1e-3, steps: int = 500, rate: float = 0.5
) -> dict:
    """Logistic regression on L2-normalised embeddings: outfit photos (1) vs flat photos of one garment (0), classes
    weighted equally. Plain gradient descent (no scikit-learn)."""
    x = np.concatenate([outfits, flats]).astype(np.float64)
    y = np.concatenate([np.ones(len(outfits)), np.zeros(len(flats))])
    sample_weight = np.where(y == 1, 0.5 / max(len(outfits), 1), 0.5 / max(len(flats), 1))
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        g = (p - y) * sample_weight
        w -= rate * (x.T @ g + l2 * w) * 4  # * 4: the weights sum to 1, so scale the step up
        b -= rate * g.sum() * 4
    return {"weights": [round(float(v), 6) for v in w], "bias": round(float(b), 6), "threshold": 0.5}


# -- a photo inside a screenshot (an outfit saved from a social app: status bar, header, icons and caption around it)

SCREENSHOT_VIEW_WIDTH = 160  # the screenshot is looked at this wide (its rows and columns, not its detail)
# How far (0-255, per channel) a pixel may be from the app's background and count as it: an app draws it flat (a
# JPEG of the screenshot moves it a level or two), where a floor or a bed photographed around a garment has grain
# and shading.
SCREENSHOT_NEAR = 8
SCREENSHOT_EDGE_SHARE = 0.95  # the screenshot's top and bottom rows: at least this much background
SCREENSHOT_FLAT_ROW = 0.97  # a row of nothing but the app's background (the rows between the photo and the rest)
SCREENSHOT_GAP = 0.04  # the photo's rows may have a few of the background's colour (a white sky), up to this share
SCREENSHOT_CONTENT_ROW = 0.3  # a row of the photo: at most this much background
SCREENSHOT_MIN_PHOTO = 0.3  # the photo: at least this share of the screenshot's height…
SCREENSHOT_MIN_TRIM = 0.15  # …and the app around it at least this share (a thin frame around a photo is no app)
SCREENSHOT_AROUND = 0.75  # the rows around the photo: on average at least this much background (text, icons)
SCREENSHOT_MIN_WIDTH = 0.9  # the photo spans at least this share of the width, as apps show one photo
# A phone's screen is at most about 2.2 times as tall as it is wide, a tablet's 16:9 on its side: anything narrower
# or wider is no screenshot of one screen, and is not looked at (a hostile 40 × 40,000 strip would cost seconds).
SCREENSHOT_MAX_TALL, SCREENSHOT_MAX_WIDE = 3.0, 2.0


def photo_in_screenshot(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The frame of the photo inside a screenshot of an app (pixels: left, top, right, bottom; for image.crop,
    frame_box_to_photo and photo_box_to_frame), or None for a photo that is not one.

    A screenshot is taken as one when its top and bottom rows are one flat colour (the app's background, light or
    dark), and a block of rows (the photo, taken out to its edges past lighter rows) spans the width with almost
    nothing of that colour in it, SCREENSHOT_MIN_PHOTO of the height or more but leaving SCREENSHOT_MIN_TRIM to the
    app, while the rows around it are mostly background (a clock, a name, icons and text are thin). A garment laid
    flat or a model on a studio backdrop has background in every row beside it, so neither is one."""
    width, height = image.size
    if width < 8 or height < 8 or height > SCREENSHOT_MAX_TALL * width or width > SCREENSHOT_MAX_WIDE * height:
        return None
    image = image if image.mode == "RGB" else image.convert("RGB")
    view_height = max(8, round(height * SCREENSHOT_VIEW_WIDTH / width))
    # First the top and bottom rows alone (every photo that is no screenshot stops here, in a fraction of a ms).
    strip = max(1, round(2 * height / view_height))
    edges = np.concatenate(
        [
            np.asarray(image.crop(box).resize((SCREENSHOT_VIEW_WIDTH, 2), Image.Resampling.BOX)).reshape(-1, 3)
            for box in ((0, 0, width, strip), (0, height - strip, width, height))
        ]
    ).astype(np.int16)
    background = np.median(edges, axis=0)
    edge_near = np.abs(edges - background).max(axis=-1) <= SCREENSHOT_NEAR
    half = len(edge_near) // 2
    if edge_near[:half].mean() < SCREENSHOT_EDGE_SHARE or edge_near[half:].mean() < SCREENSHOT_EDGE_SHARE:
        return None
    pixels = np.asarray(image.resize((SCREENSHOT_VIEW_WIDTH, view_height), Image.Resampling.BOX)).astype(np.int16)
    near = np.abs(pixels - background).max(axis=-1) <= SCREENSHOT_NEAR
    row_share = near.mean(axis=1)
    content = row_share <= SCREENSHOT_CONTENT_ROW
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for row, is_content in enumerate([*content.tolist(), False]):
        if is_content and start is None:
            start = row
        elif not is_content and start is not None:
            if runs and start - runs[-1][1] <= SCREENSHOT_GAP * view_height:
                start = runs.pop()[0]  # a thin light band inside the photo
            runs.append((start, row))
            start = None
    if not runs:
        return None
    top, bottom = max(runs, key=lambda run: run[1] - run[0])
    # Out to the photo's edges past any lighter rows it ends in (a bright sky, a white floor): an app leaves a few
    # rows of nothing but its background between the photo and anything else it draws.
    while top > 0 and row_share[top - 1] < SCREENSHOT_FLAT_ROW:
        top -= 1
    while bottom < view_height and row_share[bottom] < SCREENSHOT_FLAT_ROW:
        bottom += 1
    if bottom - top < SCREENSHOT_MIN_PHOTO * view_height or bottom - top > (1 - SCREENSHOT_MIN_TRIM) * view_height:
        return None
    around = np.concatenate([row_share[:top], row_share[bottom:]])
    if around.mean() < SCREENSHOT_AROUND:
        return None
    columns = np.nonzero(near[top:bottom].mean(axis=0) <= 0.5)[0]
    if not len(columns) or columns[-1] + 1 - columns[0] < SCREENSHOT_MIN_WIDTH * SCREENSHOT_VIEW_WIDTH:
        return None
    scale = width / SCREENSHOT_VIEW_WIDTH
    left, right = round(columns[0] * scale), round((columns[-1] + 1) * scale)
    return (left, round(top / view_height * height), right, round(bottom / view_height * height))


def share_in_frame(box: Sequence[float], frame: tuple[int, int, int, int], width: int, height: int) -> float:
    """How much of a box (fractions of the photo) lies inside `frame` (pixels), 0-1."""
    x0, y0, x1, y1 = clip_box(box)
    left, top, right, bottom = frame[0] / width, frame[1] / height, frame[2] / width, frame[3] / height
    inside = max(0.0, min(x1, right) - max(x0, left)) * max(0.0, min(y1, bottom) - max(y0, top))
    return inside / ((x1 - x0) * (y1 - y0))


# ---------------------------------------------------------------- an outfit board (several photos in one image)

# A shopper saves an outfit board from Pinterest or a shop: a photo of each piece (a top, trousers, shoes) in a row, a
# column or a grid, with or without white gutters between them. Read whole, such a board is one garment laid flat,
# whichever the network sees most of. A board is taken as BOARD_GRIDS' first grid (columns, rows; the most photos
# first) whose every line between photos is found where an even grid puts it (within BOARD_WINDOW of the side): a
# gutter of one flat colour across the whole image, or a seam between two photos (a colour jump along most of the
# line, much larger than across the image's other lines). Two photos need a gutter between them: a single seam in the
# middle of a photo is too often a garment's hem on a bed. Looked at BOARD_VIEW pixels or more on its longest side.
BOARD_VIEW = 160
BOARD_GRIDS: tuple[tuple[int, int], ...] = ((3, 2), (2, 3), (2, 2), (3, 1), (1, 3), (2, 1), (1, 2))
BOARD_WINDOW = 0.03
BOARD_FLAT = 10  # a gutter's pixels lie within this many levels of its median colour…
BOARD_GUTTER_SHARE = 0.98  # …all but this share of them, and on either side of it the photos' edges differ from
BOARD_GUTTER_EDGE = 0.3  # that colour on at least this share of their pixels (a flat band of a garment does not)
BOARD_EDGE = 20  # a seam: the colour jumps by at least this many levels across it…
BOARD_EDGE_SHARE = 0.85  # …along at least this share of its length…
BOARD_EDGE_RATIO = 2.0  # …and on average this many times as much as across the image's lines' median
BOARD_OTHER_SEAMS = 3  # seams cut only where no more than this many other lines of the side are seams as strong
BOARD_BLANK = 6.0  # a photo whose pixels' standard deviation is under this is blank: no board


def board_cells(image: Image.Image) -> list[tuple[int, int, int, int]] | None:
    """The photos of an outfit board (pixels: left, top, right, bottom; row by row), or None for an image that is
    not one (see BOARD_GRIDS)."""
    width, height = image.size
    if width < 16 or height < 16:
        return None
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    # Box-averaged by a whole factor to BOARD_VIEW up to twice that on its longest side (a third of the time a resize
    # to exactly BOARD_VIEW takes).
    view = np.asarray(rgb.reduce(max(1, max(width, height) // BOARD_VIEW))).astype(np.int16)
    if min(view.shape[:2]) < 16:  # a strip: no grid of photos
        return None
    view_size = (view.shape[1], view.shape[0])
    sides = (_Lines(view), _Lines(np.ascontiguousarray(view.transpose(1, 0, 2))))
    # Most photos have no gutter or seam anywhere an even grid of two or three puts one: they stop here.
    for side in sides:
        window = max(1, round(BOARD_WINDOW * side.length))
        side.look([i for n in (2, 3) for k in range(1, n) for i in _around(round(k * side.length / n), window)])
    if not any((side.gutter | side.seam).any() for side in sides):
        return None
    for columns, rows in BOARD_GRIDS:
        x_found, y_found = _grid_cuts(sides[0], columns), _grid_cuts(sides[1], rows)
        if x_found is None or y_found is None:
            continue
        (x_cuts, x_gutters), (y_cuts, y_gutters) = x_found, y_found
        if columns * rows == 2 and not (x_gutters and y_gutters):
            continue
        xs = _spans(x_cuts, view_size[0])
        ys = _spans(y_cuts, view_size[1])
        cells = [(x0, y0, x1, y1) for y0, y1 in ys for x0, x1 in xs]
        if any(view[y0:y1, x0:x1].std() < BOARD_BLANK for x0, y0, x1, y1 in cells):
            continue
        sx, sy = width / view_size[0], height / view_size[1]
        return [
            (round(x0 * sx), round(y0 * sy), min(width, round(x1 * sx)), min(height, round(y1 * sy)))
            for x0, y0, x1, y1 in cells
        ]
    return None


class _Lines:
    """The lines of one side of a board's view (`pixels`: along, across, 3; line i is pixels[:, i]): whether one is a
    gutter (one flat colour) and whether a seam runs along it (lines i - 1 and i + 1 differ along most of it, far
    more than lines usually do: the usual from every fourth line). Only the lines asked about are looked at, a few
    dozen where an even grid puts its lines (a photo is looked at in about a millisecond), and each colour plane
    apart (a reduction over a last axis of 3 costs ten times as much)."""

    def __init__(self, pixels: np.ndarray) -> None:
        self.pixels = pixels
        self.length = pixels.shape[1]
        self.planes = [np.ascontiguousarray(pixels[..., c]) for c in range(3)]
        self.known = np.zeros(self.length, dtype=bool)
        self.gutter = np.zeros(self.length, dtype=bool)
        self.seam = np.zeros(self.length, dtype=bool)
        self._usual_jump: float | None = None

    @property
    def usual_jump(self) -> float:
        """The median of the lines' mean jumps, from every fourth line (worked out when first needed)."""
        if self._usual_jump is None:
            sample = np.arange(1, self.length - 1, 4)
            self._usual_jump = max(1.0, float(np.median(self._jumps(sample).mean(axis=0)))) if len(sample) else 1.0
        return self._usual_jump

    def _jumps(self, lines: np.ndarray) -> np.ndarray:
        """The largest colour difference between lines i - 1 and i + 1, along each of `lines` (1 to length - 2)."""
        jump = np.abs(self.planes[0][:, lines + 1] - self.planes[0][:, lines - 1])
        for plane in self.planes[1:]:
            np.maximum(jump, np.abs(plane[:, lines + 1] - plane[:, lines - 1]), out=jump)
        return jump

    def look(self, lines: Sequence[int]) -> None:
        """Look at `lines` (indices within the side) not looked at yet."""
        wanted = np.array([i for i in lines if 0 <= i < self.length and not self.known[i]], dtype=np.int64)
        if not len(wanted):
            return
        self.known[wanted] = True
        flat = np.ones((self.pixels.shape[0], len(wanted)), dtype=bool)
        for plane in self.planes:
            part = plane[:, wanted]
            flat &= np.abs(part - np.median(part, axis=0).astype(np.int16)) <= BOARD_FLAT
        self.gutter[wanted] = flat.mean(axis=0) >= BOARD_GUTTER_SHARE
        inner = wanted[(wanted >= 1) & (wanted < self.length - 1)]
        if len(inner):
            jump = self._jumps(inner)
            along = (jump >= BOARD_EDGE).mean(axis=0) >= BOARD_EDGE_SHARE
            if along.any():  # most photos have no such line: the usual jump is not needed
                self.seam[inner] = along & (jump.mean(axis=0) >= BOARD_EDGE_RATIO * self.usual_jump)

    def seams_elsewhere(self, cuts: Sequence[tuple[int, int]]) -> int:
        """How many lines away from `cuts` (more than 2 lines from each run) a seam runs along (its jump along most
        of it, whatever the usual): a stripe's edge across a striped shirt, many of them, where a board has none."""
        self.look(range(self.length))
        away = np.ones(self.length, dtype=bool)
        for first, last in cuts:
            away[max(0, first - 2) : last + 2] = False
        inner = np.arange(1, self.length - 1)
        along = (self._jumps(inner) >= BOARD_EDGE).mean(axis=0) >= BOARD_EDGE_SHARE
        return int((along & away[inner]).sum())

    def line(self, i: int) -> bool:
        """Whether line i is a gutter or a seam."""
        if not self.known[i]:
            self.look([i])
        return bool(self.gutter[i] or self.seam[i])


def _around(centre: int, window: int) -> range:
    return range(centre - window, centre + window + 1)


def _grid_cuts(lines: _Lines, count: int) -> tuple[list[tuple[int, int]], bool] | None:
    """The lines between `count` even photos along one side: for each, the run of gutter or seam lines nearest where
    an even grid puts it (within BOARD_WINDOW), as (first, last + 1), a run of gutters alone only with the photos'
    edges beside it (_edged); and whether each holds a gutter. None when one is missing; ([], True) for one photo."""
    length = lines.length
    window = max(1, round(BOARD_WINDOW * length))
    centres = [round(k * length / count) for k in range(1, count)]
    lines.look([i for centre in centres for i in _around(centre, window)])
    cuts, all_gutters = [], True
    for centre in centres:
        near = [i for i in range(max(0, centre - window), min(length, centre + window + 1)) if lines.line(i)]
        if not near:
            return None
        at = min(near, key=lambda i: abs(i - centre))
        first, last = at, at + 1
        widest = length / (2 * count)  # a flat stretch as wide as half a photo is no line between photos
        while first > 0 and last - first <= widest and lines.line(first - 1):
            first -= 1
        while last < length and last - first <= widest and lines.line(last):
            last += 1
        if last - first > widest:
            return None
        if not lines.seam[first:last].any() and not _edged(lines.pixels, first, last):
            return None
        all_gutters = all_gutters and bool(lines.gutter[first:last].any())
        cuts.append((first, last))
    if not all_gutters and lines.seams_elsewhere(cuts) > BOARD_OTHER_SEAMS:
        return None
    return cuts, all_gutters


def _edged(lines: np.ndarray, first: int, last: int) -> bool:
    """Whether the lines just outside a gutter's run (first to last - 1) both differ from its colour on at least
    BOARD_GUTTER_EDGE of their pixels (a run at the image's edge has nothing beside it there)."""
    colour = np.median(lines[:, first:last].reshape(-1, 3), axis=0)
    for beside in (first - 1, last):
        if 0 <= beside < lines.shape[1]:
            differs = np.abs(lines[:, beside] - colour).max(axis=-1) > BOARD_FLAT
            if differs.mean() < BOARD_GUTTER_EDGE:
                return False
    return True


def _spans(cuts: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The stretches of a side between its cuts."""
    edges = [0, *(v for cut in cuts for v in cut), length]
    return [(edges[2 * k], edges[2 * k + 1]) for k in range(len(cuts) + 1)]
