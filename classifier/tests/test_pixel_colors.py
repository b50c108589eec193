"""Naming a garment's colour from its pixels, and weighing the colour head by them (synthetic images and maps)."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.pixel_colors import garment_color_shares, with_pixel_colors
from vocabulary import COLOR_CODES


def _map(grid: int, garment: tuple[slice, slice]) -> np.ndarray:
    probs = np.zeros((grid, grid, 6), dtype=np.float32)
    probs[..., 0] = 1.0
    probs[garment[0], garment[1], 0] = 0.1
    probs[garment[0], garment[1], 1] = 0.9
    return probs


def test_the_garment_pixels_name_the_colour_not_the_bed_around_it():
    image = np.full((56, 56, 3), (235, 235, 230), dtype=np.uint8)  # a white bed
    image[14:42, 14:42] = (30, 130, 220)  # a blue shirt in the middle
    shares = garment_color_shares(image, _map(28, (slice(7, 21), slice(7, 21))), COLOR_CODES)
    assert COLOR_CODES[int(np.argmax(shares))] == "blue"
    assert shares[COLOR_CODES.index("white")] < 0.05
    assert shares[COLOR_CODES.index("multicolor")] < 0.1  # one colour leaves little for "multicolour"
    # A map that sees no garment: the middle of the frame instead of the whole photo.
    empty = np.zeros((28, 28, 6), dtype=np.float32)
    empty[..., 0] = 1.0
    assert COLOR_CODES[int(np.argmax(garment_color_shares(image, empty, COLOR_CODES)))] == "blue"


def test_two_distinct_colours_leave_room_for_multicolour():
    image = np.zeros((56, 56, 3), dtype=np.uint8)
    image[:, :28] = (200, 30, 30)
    image[:, 28:] = (240, 240, 240)
    shares = garment_color_shares(image, _map(28, (slice(0, 28), slice(0, 28))), COLOR_CODES)
    assert shares[COLOR_CODES.index("multicolor")] == pytest.approx(0.5, abs=0.05)


def test_pixels_tip_an_unsure_head_and_weight_zero_leaves_it():
    head = np.full(len(COLOR_CODES), 0.02)
    head[COLOR_CODES.index("gray")], head[COLOR_CODES.index("blue")] = 0.45, 0.35
    head /= head.sum()
    pixels = np.zeros(len(COLOR_CODES))
    pixels[COLOR_CODES.index("blue")] = 0.9
    fused = with_pixel_colors(head, pixels, weight=0.5, floor=0.05)
    assert fused.sum() == pytest.approx(1.0) and COLOR_CODES[int(np.argmax(fused))] == "blue"
    assert with_pixel_colors(head, pixels, weight=0.0, floor=0.05) == pytest.approx(head)
    # A sure head keeps its colour against a small pixel weight.
    sure = np.full(len(COLOR_CODES), 0.005)
    sure[COLOR_CODES.index("navy")] = 0.94
    assert COLOR_CODES[int(np.argmax(with_pixel_colors(sure, pixels, weight=0.25, floor=0.05)))] == "navy"
