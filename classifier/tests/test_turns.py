"""Turning a photo and its boxes (classifier.turns), and the decision to read a photo again turned upright."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from classifier.turns import TURNS, box_on_turned, turn_decisions, turned, upright


def _marked(width: int = 200, height: int = 100) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """A photo with one bright patch off its centre, and the patch's box in photo fractions."""
    pixels = np.zeros((height, width), dtype=np.uint8)
    pixels[10:30, 120:180] = 255
    return Image.fromarray(pixels), (120 / width, 10 / height, 180 / width, 30 / height)


def _patch_box(image: Image.Image) -> tuple[float, float, float, float]:
    pixels = np.asarray(image)
    ys, xs = np.nonzero(pixels)
    height, width = pixels.shape
    return (xs.min() / width, ys.min() / height, (xs.max() + 1) / width, (ys.max() + 1) / height)


@pytest.mark.parametrize("turn", TURNS)
def test_a_box_on_the_upright_photo_lies_where_the_turned_photo_shows_it(turn):
    photo, box = _marked()
    shown = turned(photo, turn)
    assert shown.size == (photo.size if turn in (0, 180) else photo.size[::-1])
    assert box_on_turned(box, turn) == pytest.approx(_patch_box(shown))
    # Turned back upright, the photo is the one uploaded, and the box comes back too.
    assert np.array_equal(np.asarray(upright(shown, turn)), np.asarray(photo))
    assert box_on_turned(box_on_turned(box, turn), (360 - turn) % 360) == pytest.approx(box)


def test_only_quarter_turns_are_turns():
    with pytest.raises(ValueError, match="quarter turn"):
        box_on_turned((0.1, 0.1, 0.5, 0.5), 45)


def test_a_photo_is_read_again_only_when_the_branch_is_sure_it_lies_turned():
    probs = np.array(
        [
            [0.90, 0.05, 0.03, 0.02],  # upright
            [0.10, 0.85, 0.03, 0.02],  # turned left, surely
            [0.30, 0.60, 0.05, 0.05],  # turned left, not surely enough
            [0.05, 0.05, 0.05, 0.85],  # turned right, surely
            [0.02, 0.03, 0.90, 0.05],  # upside down
        ]
    )
    assert turn_decisions(probs, 0.8).tolist() == [0, 1, 0, 3, 2]
    assert turn_decisions(probs, 0.5).tolist() == [0, 1, 1, 3, 2]
    assert turn_decisions(probs, 0.95).tolist() == [0, 0, 0, 0, 0]
