"""Which way up a photo is, as the network's orientation branch reads it (classifier.orientation trains it): the
turns, turning a photo and a box, and the decision to read a photo again turned upright. Pure Pillow/NumPy: the
predictor uses it, web workers may import it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

# How far a photo is turned, counter-clockwise, in degrees (as PIL's Image.rotate turns): the branch's classes, in
# order. A photo read as turned by t is read again as upright(image, t).
TURNS: tuple[int, ...] = (0, 90, 180, 270)
LABELS: tuple[str, ...] = ("upright", "turned_left", "upside_down", "turned_right")
# A photo turned upright by mistake is read wrong (a shirt upside down reads as a skirt or pants), while a turned photo
# left as it is would have been read wrong anyway: the threshold is chosen for few false turns (chosen_threshold).
FALSE_TURN_COST = 4.0
THRESHOLD_GRID: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
# The threshold for a photo the outfit gate reads as someone dressed. Chosen on 7 Dec on the 100 pixel-annotated
# co-parsing validation photos: framed as a shop's 4:3 landscape photo (on the street or a studio backdrop), 2 and 3
# were turned at 0.5, 1 and 1 at 0.7, none at 0.8; turned a quarter left and right (a phone photo that lost its EXIF
# orientation), 85 and 67 are still set upright at 0.8 (99 and 96 at 0.5).
PERSON_THRESHOLD = 0.8


def turned(image: Image.Image, turn: int) -> Image.Image:
    """`image` turned `turn` degrees counter-clockwise (0, 90, 180 or 270), whole."""
    if turn % 360 == 0:
        return image
    transpose = {
        90: Image.Transpose.ROTATE_90,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_270,
    }[turn % 360]
    return image.transpose(transpose)


def upright(image: Image.Image, turn: int) -> Image.Image:
    """A photo read as turned `turn` degrees, turned back upright."""
    return turned(image, (360 - turn) % 360)


def box_on_turned(box: Sequence[float], turn: int) -> tuple[float, float, float, float]:
    """A box (x0, y0, x1, y1 as fractions) on the upright photo, as it lies on that photo turned `turn` degrees
    counter-clockwise: the box of a garment read on a photo turned upright, on the photo as uploaded."""
    x0, y0, x1, y1 = (float(v) for v in box)
    turn %= 360
    if turn == 0:
        return (x0, y0, x1, y1)
    if turn == 90:  # counter-clockwise: the top edge goes to the left
        return (y0, 1.0 - x1, y1, 1.0 - x0)
    if turn == 180:
        return (1.0 - x1, 1.0 - y1, 1.0 - x0, 1.0 - y0)
    if turn == 270:
        return (1.0 - y1, x0, 1.0 - y0, x1)
    raise ValueError(f"a photo is turned by a quarter turn, not {turn} degrees")


def turn_decisions(probs: np.ndarray, threshold: float | np.ndarray) -> np.ndarray:
    """The turn index each photo is read at: the branch's surest turn when it is not upright and at least as sure as
    `threshold`, else 0 (as uploaded)."""
    probs = np.asarray(probs)
    best = probs.argmax(axis=-1)
    return np.where((best != 0) & (probs.max(axis=-1) >= threshold), best, 0)
