"""Naming a garment's colour from its pixels: each pixel goes to the nearest of our 13 plain colours in CIE Lab
(measured reference shades, not only the vocabulary swatches).

Pure NumPy (no TensorFlow, no Django). Used to derive the colour of a worn garment from its co-parsing mask
(`mask_color`) and, at serving time, to weigh the colour head by the pixels of the garment the segmentation map sees
(`garment_color_shares`, `with_pixel_colors`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

# Reference shades per colour (sRGB): the vocabulary swatch plus how the colour looks in street photos (shaded,
# washed, denim). Every pixel goes to the nearest shade in Lab.
COLOR_SHADES: dict[str, tuple[str, ...]] = {
    "black": ("#111111", "#222222", "#2b2b30", "#1c1c24"),
    "white": ("#f7f7f5", "#e6e6e6", "#d8d8dc", "#efeae0"),
    "gray": ("#8e8e8e", "#6e6e6e", "#a8a8a8", "#505050", "#b8b8b8"),
    "beige": ("#d9c7a7", "#c8b48e", "#e3d5bc", "#b8a584"),
    "brown": ("#7b4b2a", "#5a3a25", "#8e6040", "#a0714a", "#4a3020"),
    "red": ("#c62828", "#9e1b1b", "#e53935", "#7a1616"),
    "pink": ("#f06292", "#f4a6c0", "#d8547d", "#e8b4c0", "#d8a8a0", "#c89090"),
    "orange": ("#ef6c00", "#f5903c", "#c85a10", "#b04a20"),
    "yellow": ("#fbc02d", "#f0d860", "#d8b020"),
    "green": ("#2e7d32", "#4f6b3a", "#7ca05a", "#1f4d2a", "#6b7b4a"),
    "blue": ("#1e88e5", "#4a7ab0", "#6c90c0", "#3a5f8a", "#8fb0d0", "#34507a", "#40608f"),
    "navy": ("#1a237e", "#202a48", "#2a3550", "#1c2438"),
    "purple": ("#7b1fa2", "#5a2a70", "#9a6ab0", "#4a2050"),
}
# Pairs too close to call a garment "multicolour" when both are large (shading, not two colours).
_NEAR_PAIRS: frozenset[frozenset[str]] = frozenset(
    frozenset(p)
    for p in (
        ("black", "navy"),
        ("black", "gray"),
        ("gray", "white"),
        ("gray", "navy"),
        ("gray", "blue"),
        ("blue", "navy"),
        ("beige", "white"),
        ("beige", "brown"),
        ("beige", "gray"),
        ("brown", "black"),
        ("red", "pink"),
        ("red", "brown"),
        ("orange", "brown"),
        ("orange", "yellow"),
        ("red", "orange"),
        ("pink", "purple"),
        ("purple", "navy"),
        ("green", "gray"),
        ("white", "pink"),
        ("beige", "pink"),
    )
)


def _srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(n, 3) sRGB 0..255 -> CIE Lab (D65)."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    c = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    xyz = c @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1)


def _hex(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


_SHADE_COLORS: tuple[str, ...] = tuple(code for code, shades in COLOR_SHADES.items() for _ in shades)
_SHADE_LAB = _srgb_to_lab(np.array([_hex(h) for shades in COLOR_SHADES.values() for h in shades]))


_PLAIN_COLORS: tuple[str, ...] = tuple(COLOR_SHADES)
_SHADE_PLAIN = np.array([_PLAIN_COLORS.index(code) for code in _SHADE_COLORS], dtype=np.uint8)
_LEVEL_BITS = 6  # the lookup table names every colour of 6 bits a channel (262,144 entries, built once)


@functools.cache
def _plain_color_table() -> np.ndarray:
    """For every 6-bit-a-channel RGB colour (its levels' centres), the index in _PLAIN_COLORS of its nearest shade
    in Lab. Built once (about 0.1 s), so naming a photo's pixels is a table lookup."""
    levels = (np.arange(1 << _LEVEL_BITS) << (8 - _LEVEL_BITS)) + (1 << (7 - _LEVEL_BITS))
    r, g, b = np.meshgrid(levels, levels, levels, indexing="ij")
    lab = _srgb_to_lab(np.stack([r.ravel(), g.ravel(), b.ravel()], axis=1))
    table = np.empty(len(lab), dtype=np.uint8)
    for start in range(0, len(lab), 16384):
        chunk = lab[start : start + 16384]
        nearest = np.argmin(((chunk[:, None, :] - _SHADE_LAB[None, :, :]) ** 2).sum(axis=2), axis=1)
        table[start : start + 16384] = _SHADE_PLAIN[nearest]
    return table


def color_shares(pixels: np.ndarray, *, max_pixels: int = 4000, exact: bool = True) -> dict[str, float]:
    """Share of the pixels nearest each plain colour (colours with no pixel left out), largest first. `exact`: each
    pixel's own nearest shade (the derived dataset labels, reproducible to the pixel); otherwise the 6-bit lookup
    table (serving: about 30 times faster, and a colour on the border between two shades may fall either way)."""
    pixels = np.asarray(pixels).reshape(-1, 3)
    if len(pixels) == 0:
        return {}
    if len(pixels) > max_pixels:  # an even subsample keeps this fast and deterministic
        pixels = pixels[:: int(np.ceil(len(pixels) / max_pixels))]
    if exact:
        lab = _srgb_to_lab(pixels)
        nearest = _SHADE_PLAIN[np.argmin(((lab[:, None, :] - _SHADE_LAB[None, :, :]) ** 2).sum(axis=2), axis=1)]
    else:
        q = np.clip(pixels, 0, 255).astype(np.int64) >> (8 - _LEVEL_BITS)
        nearest = _plain_color_table()[(q[:, 0] << (2 * _LEVEL_BITS)) | (q[:, 1] << _LEVEL_BITS) | q[:, 2]]
    present, first, counts = np.unique(nearest, return_index=True, return_counts=True)
    total = len(nearest)
    # Largest first; a tie goes to the colour met first among the pixels.
    ranked = sorted(zip(counts.tolist(), first.tolist(), present.tolist(), strict=True), key=lambda r: (-r[0], r[1]))
    return {_PLAIN_COLORS[code]: n / total for n, _, code in ranked}


def mask_color(pixels: np.ndarray) -> str | None:
    """Our colour code for a garment from its (n, 3) RGB pixels; None when there are none.

    The most common plain colour, unless it holds under 40% and the runner-up is a distinct colour with at least 25%:
    then "multicolor"."""
    shares = color_shares(pixels)
    if not shares:
        return None
    ranked = list(shares.items())
    main, main_share = ranked[0]
    if len(ranked) > 1 and main_share < 0.4:
        second, second_share = ranked[1]
        if second_share >= 0.25 and frozenset((main, second)) not in _NEAR_PAIRS:
            return "multicolor"
    return main


def garment_color_shares(
    pixels: np.ndarray, segmentation: np.ndarray, colors: Sequence[str], *, min_share: float = 0.05
) -> np.ndarray:
    """What the pixels of the garment say its colour is, in the order of `colors`: the share of each plain colour
    among the pixels of an (H, W, 3) model-frame image whose segmentation cell (G, G, classes; class 0 "no garment")
    most likely holds a garment; the middle of the frame when the map sees under `min_share` of garment. "multicolor"
    gets what the largest colour leaves (a garment of one colour leaves little)."""
    pixels = np.asarray(pixels)
    grid = segmentation.shape[0]
    height, width = pixels.shape[:2]
    garment = np.asarray(segmentation).argmax(axis=-1) != 0
    if garment.mean() < min_share:
        garment = np.zeros((grid, grid), dtype=bool)
        garment[grid // 4 : grid - grid // 4, grid // 4 : grid - grid // 4] = True
    rows = (np.arange(height) * grid // height)[:, None]
    cols = (np.arange(width) * grid // width)[None, :]
    shares = color_shares(pixels[garment[rows, cols]], max_pixels=1500, exact=False)
    out = np.array([shares.get(code, 0.0) for code in colors])
    if "multicolor" in colors:
        out[list(colors).index("multicolor")] = max(0.0, 1.0 - max(shares.values(), default=0.0))
    return out


def with_pixel_colors(color_probs: np.ndarray, pixel_shares: np.ndarray, *, weight: float, floor: float) -> np.ndarray:
    """The colour head's probabilities weighed by the garment's pixel colours: each colour times (its pixel share +
    floor) ** weight, renormalised. The head knows garments (a navy tee under warm light); the pixels keep it from
    calling a blue shirt gray. `weight` 0 leaves the head as it was."""
    color_probs = np.asarray(color_probs, dtype=np.float64)
    if weight <= 0:
        return color_probs
    fused = color_probs * np.power(np.asarray(pixel_shares, dtype=np.float64) + floor, weight)
    total = float(fused.sum())
    return fused / total if total > 0 else color_probs
