"""The light a shopper's photo was taken in.

Every CC0 photo was taken in even daylight, and most street photos outdoors. A phone balances white only in part, so
a photo taken under a warm lamp stays warm, one in shade cool, one in a dim room dark. Light is modelled as gains on
a photo's red, green and blue: `LIGHTS` are the fixed ones the evaluation reads every photo in again
(evaluation.score_lighting), `random_light` draws one for training (classifier.lit_colour, the worn colour step's
lit copies: evaluation.train_worn_colours). A garment keeps its colour label in any light: a white shirt under a lamp
is still white. Pure NumPy and Pillow: the web side may import it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

# The mild warm cast is what a phone commonly leaves indoors, the strong one an evening lamp.
LIGHTS: dict[str, tuple[float, float, float]] = {
    "warm_mild": (1.04, 1.0, 0.90),
    "warm": (1.08, 1.0, 0.80),
    "cool": (0.92, 1.0, 1.12),
    "dim": (0.65, 0.65, 0.65),
}
LIGHT_WORDS = {"warm_mild": "a little warm", "warm": "warm lamp", "cool": "cool shade", "dim": "dim"}


def lit(image: Image.Image, gains: Sequence[float]) -> Image.Image:
    """`image` as if taken in another light: each channel scaled by its gain (clipped at white)."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32) * np.asarray(gains, dtype=np.float32)
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))


def random_light(rng: np.random.Generator) -> tuple[float, float, float]:
    """Gains on red, green and blue of one random light: a colour temperature from cool shade (blue up, red down) to
    a warm lamp (red up, blue down by up to a fifth), times an exposure from 0.6 to 1.25."""
    warmth = rng.uniform(-1.0, 1.0)
    red = np.exp(0.09 * warmth + rng.normal(0.0, 0.02))
    blue = np.exp((-0.25 if warmth > 0 else -0.14) * warmth + rng.normal(0.0, 0.03))
    exposure = np.exp(rng.uniform(np.log(0.6), np.log(1.25)))
    return (float(red * exposure), float(exposure), float(blue * exposure))
