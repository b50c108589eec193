"""How another camera renders the same scene.

The street photos the outfit map learned from were all taken and saved alike. A phone sharpens its photos, a shop's
product photo is crisp, contrasty and saturated, a photo sent through a chat app comes back soft or blocky. Read in
such renderings, the map served in lite0-224-v18 lost tops that it finds as shot (validation garments found as
served 0.853, tops 0.76; tops 0.61 with a phone's sharpening, 0.68 with a little more contrast; classifier/NOTEBOOK.md,
6 Dec). `CAMERAS` are the fixed renderings the evaluation reads every photo in again
(evaluation.score_camera_outfits), `random_camera` draws one for training (map_phones.photos_with_phones' camera
copies). Pure Pillow and NumPy: the web side may import it."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter


@dataclass(frozen=True)
class Camera:
    """One rendering: an unsharp mask (radius, percent) or a blur (blur radius > 0), then contrast and saturation
    factors (1 = as shot), then a JPEG re-encoding at `jpeg_quality` (None: not re-encoded)."""

    sharpen_radius: float = 0.0
    sharpen_percent: int = 0
    blur_radius: float = 0.0
    contrast: float = 1.0
    saturation: float = 1.0
    jpeg_quality: int | None = None


# The scoring's renderings: a phone's sharpening (mild and strong), a contrasty or saturated shop photo, a soft one,
# and one re-encoded hard, as a chat app sends it.
CAMERAS: dict[str, Camera] = {
    "sharpened": Camera(sharpen_radius=1.0, sharpen_percent=120),
    "sharpened_wide": Camera(sharpen_radius=2.0, sharpen_percent=60),
    "contrasty": Camera(contrast=1.2),
    "saturated": Camera(saturation=1.3),
    "soft": Camera(blur_radius=1.0),
    "compressed": Camera(jpeg_quality=30),
}
CAMERA_WORDS = {
    "sharpened": "sharpened",
    "sharpened_wide": "sharpened wide",
    "contrasty": "more contrast",
    "saturated": "more saturated",
    "soft": "soft",
    "compressed": "JPEG quality 30",
}


def rendered(image: Image.Image, camera: Camera) -> Image.Image:
    """`image` as `camera` renders it (RGB)."""
    shown = image.convert("RGB")
    if camera.sharpen_radius > 0 and camera.sharpen_percent > 0:
        shown = shown.filter(ImageFilter.UnsharpMask(camera.sharpen_radius, camera.sharpen_percent, 2))
    elif camera.blur_radius > 0:
        shown = shown.filter(ImageFilter.GaussianBlur(camera.blur_radius))
    if camera.contrast != 1.0:
        shown = ImageEnhance.Contrast(shown).enhance(camera.contrast)
    if camera.saturation != 1.0:
        shown = ImageEnhance.Color(shown).enhance(camera.saturation)
    if camera.jpeg_quality is not None:
        buffer = io.BytesIO()
        shown.save(buffer, "JPEG", quality=camera.jpeg_quality)
        buffer.seek(0)
        with Image.open(buffer) as decoded:
            shown = decoded.convert("RGB")
    return shown


def random_camera(rng: np.random.Generator) -> Camera:
    """One random rendering: sharpened 6 times in 10 (radius 0.6-2.5 px, 40-160 %), softened 2 in 10 (0.4-1.3 px);
    contrast and saturation each from 0.85x to 1.3x; re-encoded as JPEG at quality 30-95 half the time."""
    detail = rng.uniform()
    sharpen_radius = sharpen_percent = blur_radius = 0.0
    if detail < 0.6:
        sharpen_radius, sharpen_percent = rng.uniform(0.6, 2.5), rng.uniform(40, 160)
    elif detail < 0.8:
        blur_radius = rng.uniform(0.4, 1.3)
    contrast = float(np.exp(rng.uniform(np.log(0.85), np.log(1.3))))
    saturation = float(np.exp(rng.uniform(np.log(0.85), np.log(1.3))))
    quality = int(rng.integers(30, 96)) if rng.uniform() < 0.5 else None
    return Camera(
        sharpen_radius=round(float(sharpen_radius), 2),
        sharpen_percent=int(sharpen_percent),
        blur_radius=round(float(blur_radius), 2),
        contrast=round(contrast, 3),
        saturation=round(saturation, 3),
        jpeg_quality=quality,
    )
