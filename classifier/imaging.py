"""Opening untrusted images and turning them into model input. Pure Pillow/NumPy: no TensorFlow, no Django required.

Shared by upload validation, training, evaluation and serving, so the pixels the model sees cannot drift apart.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_PIXELS = 40_000_000
# Crops wider or taller than this aspect ratio are trimmed around the centre before the square resize, so a
# panorama does not become a smear; ordinary photos (3:4, 4:3) are resized whole.
MAX_ASPECT = 4 / 3
WHITE = (255, 255, 255)

ImageSource = str | os.PathLike | bytes | BinaryIO


class InvalidImage(ValueError):  # noqa: N818 - the name is part of the contract with the upload code
    """The upload is not a usable image; the message is safe to show to the user."""


def _default_max_pixels() -> int:
    try:
        from django.conf import settings

        if settings.configured:
            return int(getattr(settings, "UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS))
    except ImportError:  # pragma: no cover - Django is a project dependency
        pass
    return DEFAULT_MAX_PIXELS


def _read_bytes(source: ImageSource) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        try:
            return Path(source).read_bytes()
        except FileNotFoundError as exc:
            raise InvalidImage(f"file not found: {source}") from exc
        except IsADirectoryError as exc:
            raise InvalidImage(f"not an image: {source} is a directory") from exc
    if hasattr(source, "seek"):
        with contextlib.suppress(OSError, ValueError):
            source.seek(0)
    return source.read()


def open_image(source: ImageSource, *, max_pixels: int | None = None) -> Image.Image:
    """Open a path, bytes or file-like object as an upright 8-bit RGB image, or raise InvalidImage.

    Checks the content (not the file name), refuses truncated files and images over `max_pixels` (default
    settings.UPLOAD_MAX_PIXELS, else 40 M) before decoding them, applies the EXIF orientation, keeps the first frame
    of animations and flattens transparency onto white.
    """
    limit = _default_max_pixels() if max_pixels is None else max_pixels
    data = _read_bytes(source)
    if not data:
        raise InvalidImage("not an image: the file is empty")
    try:
        # Pillow's own bomb check is global state; do ours explicitly from the header size instead.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:  # beyond Pillow's own hard limit (2 × MAX_IMAGE_PIXELS)
        pixels = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        raise InvalidImage(f"image too large: more than {pixels} pixels, limit {limit}") from exc
    except UnidentifiedImageError as exc:
        raise InvalidImage(
            "not an image: the content is not a format we can read (use JPEG, PNG, WebP or GIF)"
        ) from exc
    except OSError as exc:
        raise InvalidImage(f"not an image: {exc}") from exc
    width, height = image.size
    if width < 1 or height < 1:
        raise InvalidImage("not an image: it has no pixels")
    if width * height > limit:
        raise InvalidImage(f"image too large: {width * height} pixels, limit {limit}")
    # Pillow's globals (MAX_IMAGE_PIXELS, LOAD_TRUNCATED_IMAGES) are left alone: web workers decode in threads, and
    # the explicit pixel check above is stricter than Pillow's own bomb limit.
    try:
        image.seek(0)
        image.load()
    except Image.DecompressionBombError as exc:
        raise InvalidImage(f"image too large: {width * height} pixels, limit {limit}") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        message = str(exc).lower()
        if "truncated" in message or "premature" in message or "broken" in message or "unrecognized data" in message:
            raise InvalidImage("image is truncated: the file ends before the picture does") from exc
        raise InvalidImage(f"image could not be decoded: {exc}") from exc
    # A broken EXIF block should not cost the user the photo.
    with contextlib.suppress(Exception):
        image = ImageOps.exif_transpose(image)
    return to_rgb(image)


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode (CMYK, L, P, LA, RGBA, I;16, I, F, 1) to 8-bit RGB, flattening alpha on white."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        if mode.startswith("I;16"):
            scaled = values / 257.0
        else:
            high = float(values.max()) if values.size else 0.0
            # 32-bit integer PNGs are really 16-bit data in Pillow; scale by the range that fits.
            scaled = (
                values / 257.0 if high > 255 and high <= 65535 else values / (high / 255.0) if high > 255 else values
            )
        grey = Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8), "L")
        return grey.convert("RGB")
    if mode == "P":
        image = image.convert("RGBA") if "transparency" in image.info else image.convert("RGB")
        mode = image.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def center_aspect_crop(image: Image.Image, max_aspect: float = MAX_ASPECT) -> Image.Image:
    """Trim an over-wide or over-tall image around its centre to at most `max_aspect`."""
    width, height = image.size
    if width > height * max_aspect:
        new_width = max(1, round(height * max_aspect))
        left = (width - new_width) // 2
        return image.crop((left, 0, left + new_width, height))
    if height > width * max_aspect:
        new_height = max(1, round(width * max_aspect))
        top = (height - new_height) // 2
        return image.crop((0, top, width, top + new_height))
    return image


def to_model_input(image: Image.Image, size: int) -> np.ndarray:
    """The one preprocessing step: RGB, centre-trim extreme aspect ratios, resize to size×size (whole garment kept,
    slightly squeezed), float32 HWC scaled as (x - 127) / 128."""
    image = center_aspect_crop(to_rgb(image))
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.BILINEAR, reducing_gap=2.0)
    pixels = np.asarray(image, dtype=np.float32)
    return (pixels - 127.0) / 128.0
