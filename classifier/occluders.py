"""A phone held up in a mirror photo, drawn over a street photo: over the face, or on the chest below it.

A shopper photographing her outfit in a mirror holds her phone in front of her face or her chest. The co-parsing
street photos never show that, and the outfit map, never having seen a face hidden, lost tops under it: with a
phone-sized dark rectangle drawn over each face, lite0-224-v14 found 0.786 of the validation photos' garments
instead of 0.853, tops 0.573 instead of 0.773 (classifier/NOTEBOOK.md, 4 Dec night and 5 Dec). `occlude` draws such a
phone where a pixel-annotated photo's own map shows the head (hair, skin, glasses in the person's upper sixth), for
training the map (classifier.map_phones) and for scoring it (evaluation.score_occluded). No TensorFlow here."""

from __future__ import annotations

import zlib

import numpy as np
from PIL import Image, ImageDraw

# co-parsing label indices (labels.txt): the head, as the person's upper sixth shows it
HAIR, SKIN, GLASSES, SUNGLASSES = 19, 41, 17, 47
HEAD_LABELS = (HAIR, SKIN, GLASSES, SUNGLASSES)
# Phone cases: black, white, pink, navy.
PHONE_COLOURS = ((25, 25, 30), (235, 235, 235), (230, 170, 190), (30, 40, 80))
PLACES = ("face", "chest")


def head_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) in pixels of the head in a co-parsing label map: its hair, skin and glasses in the upper sixth
    of the person's height; None when fewer than 20 such pixels are there (no person, or the head cut off)."""
    rows = np.flatnonzero((mask > 0).any(axis=1))
    if not len(rows):
        return None
    top, bottom = int(rows[0]), int(rows[-1])
    upper = top + max(1, (bottom - top) // 6)
    ys, xs = np.nonzero(np.isin(mask[top:upper], HEAD_LABELS))
    if len(ys) < 20:
        return None
    return int(xs.min()), int(ys.min()) + top, int(xs.max()), int(ys.max()) + top


def occlude(photo: Image.Image, mask: np.ndarray, rng: np.random.Generator, where: str = "face") -> Image.Image | None:
    """A copy of `photo` with a phone (a rounded rectangle of a phone case's colour, 0.7-1.0 of the head's width and
    1.6-2.0 times as tall as wide, its place jittered) over the face or on the chest just below the head; None when
    `mask` (the photo's label map, of its size) shows no head."""
    if where not in PLACES:
        raise ValueError(f"where: one of {PLACES}, not {where!r}")
    head = head_box(mask)
    if head is None:
        return None
    x0, y0, x1, y1 = head
    width, height = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2 + rng.uniform(-0.15, 0.15) * width
    phone_w = max(12.0, width * rng.uniform(0.7, 1.0))
    phone_h = phone_w * rng.uniform(1.6, 2.0)
    cy = y0 + height * rng.uniform(0.45, 0.65) if where == "face" else y1 + phone_h * rng.uniform(0.3, 0.6)
    image = photo.copy()
    colour = PHONE_COLOURS[int(rng.integers(len(PHONE_COLOURS)))]
    box = (cx - phone_w / 2, cy - phone_h / 2, cx + phone_w / 2, cy + phone_h / 2)
    ImageDraw.Draw(image).rounded_rectangle(box, radius=phone_w * 0.15, fill=colour)
    return image


def photo_rng(image_id: str, purpose: str) -> np.random.Generator:
    """The same phone for the same photo and purpose on every run (a scoring is repeatable)."""
    return np.random.default_rng(zlib.crc32(f"{image_id}{purpose}".encode()))
