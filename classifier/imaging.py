"""Opening untrusted images and turning them into model input. Pure Pillow/NumPy: no TensorFlow, no Django required.

Shared by upload validation, training, evaluation and serving, so the pixels the model sees cannot drift apart.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import warnings
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pillow_heif
from django.conf import settings
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# HEIC/HEIF (what phones save) through pillow-heif, registered as one more Pillow format.
pillow_heif.register_heif_opener()

DEFAULT_MAX_PIXELS = 40_000_000
# Memory one decode may take, decided from the header before any pixel is decoded: width × height × bands of the
# decoded mode, plus the 8-bit RGB copy every image becomes (a 1-bit PNG is held one byte per pixel by Pillow).
DEFAULT_MAX_DECODE_BYTES = 96 * 1024 * 1024
# Longer side over shorter side; a 1 × 40,000,000 strip is no photo (and costs more to decode than its pixels say).
MAX_DECODE_ASPECT = 1000
# The only decoders an upload can reach (Pillow tries every registered one otherwise: EPS, PSD, ICO, …).
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "HEIF")
# JPEGs above this many pixels are decoded at a reduced scale (1/2, 1/4, 1/8 in the decoder: cheaper in memory
# and CPU), keeping at least DRAFT_MIN_SIDE on each side; smaller ones decode exactly as before.
DRAFT_ABOVE_PIXELS = 4_000_000
DRAFT_MIN_SIDE = 1024
# Crops wider or taller than this aspect ratio are trimmed around the centre before the square resize, so a
# panorama does not become a smear; ordinary photos (3:4, 4:3) are resized whole.
MAX_ASPECT = 4 / 3
WHITE = (255, 255, 255)
# A photo's embedded colour profile larger than this is ignored (its pixels taken as sRGB): press CMYK profiles run to
# a few hundred KB, nothing a camera or a shop writes comes near.
MAX_COLOUR_PROFILE_BYTES = 4 * 1024 * 1024
# How far a profile's colorants and white point may sit from sRGB's and still be taken for sRGB (XYZ; the sRGB
# profiles cameras and editors embed agree with LittleCMS's own to about 1e-4).
SRGB_TOLERANCE = 2e-3

logger = logging.getLogger(__name__)

ImageSource = str | os.PathLike | bytes | BinaryIO


class ImageErrorCode(StrEnum):
    """Why an input is not a usable image: a stable machine code (the API returns it; pages and the console show
    the sentence catalog.uploads.image_error_message has for it)."""

    EMPTY_FILE = "empty_file"
    FILE_TOO_LARGE = "file_too_large"  # more bytes than the caller's limit (settings.UPLOAD_MAX_BYTES)
    FILE_NOT_FOUND = "file_not_found"  # a path that names nothing (command line, demo loader)
    NOT_AN_IMAGE = "not_an_image"  # not JPEG, PNG, WebP, GIF or HEIC by its content
    IMAGE_TOO_LARGE = "image_too_large"  # too many pixels, or too much memory to decode (a decompression bomb)
    IMAGE_TOO_NARROW = "image_too_narrow"  # an aspect ratio no photo has (1 × 40,000,000)
    TRUNCATED = "truncated"  # the file ends before the picture does
    CORRUPT_IMAGE = "corrupt_image"  # the header is fine, the pixels cannot be decoded
    ARCHIVE_UNREADABLE = "archive_unreadable"  # a zip of photos (console imports) that cannot be opened


class InvalidImage(ValueError):  # noqa: N818 - the name is part of the contract with the upload code
    """The input is not a usable image. `code` says why (what callers branch on and show a sentence for); the
    message is a precise English detail for logs and the command line, never matched on."""

    def __init__(self, code: ImageErrorCode, detail: str = "") -> None:
        self.code = code
        super().__init__(detail or code.value)


def _setting(name: str, default: int) -> int:
    if settings.configured:
        return int(getattr(settings, name, default))
    return default


def _default_max_pixels() -> int:
    return _setting("UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def decode_cost_bytes(image: Image.Image) -> int:
    """Bytes the decoded image and its RGB copy will take, from the header alone (nothing decoded yet)."""
    width, height = image.size
    bands = len(image.getbands())
    bytes_per_band = 2 if image.mode.startswith("I;16") else 4 if image.mode in ("I", "F") else 1
    own = width * height * bands * bytes_per_band
    return own if image.mode == "RGB" else own + width * height * 3


def _read_bytes(source: ImageSource) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        try:
            return Path(source).read_bytes()
        except FileNotFoundError as exc:
            raise InvalidImage(ImageErrorCode.FILE_NOT_FOUND, f"file not found: {source}") from exc
        except IsADirectoryError as exc:
            raise InvalidImage(ImageErrorCode.NOT_AN_IMAGE, f"not an image: {source} is a directory") from exc
    if hasattr(source, "seek"):
        with contextlib.suppress(OSError, ValueError):
            source.seek(0)
    return source.read()


def _is_truncation(exc: BaseException) -> bool:
    """Pillow says a file ends early only in its messages (one OSError for everything)."""
    message = str(exc).lower()
    return any(word in message for word in ("truncated", "premature", "broken", "unrecognized data"))


def open_image(
    source: ImageSource, *, max_pixels: int | None = None, max_decode_bytes: int | None = None
) -> Image.Image:
    """Open a path, bytes or file-like object as an upright 8-bit RGB image, or raise InvalidImage.

    Checks the content (not the file name) against the allowed formats (JPEG, PNG, WebP, GIF, HEIC/HEIF), and from
    the header alone refuses images over `max_pixels` (default settings.UPLOAD_MAX_PIXELS, else 40 M), over the
    memory budget `max_decode_bytes` (settings.UPLOAD_MAX_DECODE_BYTES, else 96 MB; see decode_cost_bytes) or with
    an extreme aspect ratio; large JPEGs are decoded at a reduced scale. Refuses truncated files, applies the EXIF
    orientation, keeps the first frame of animations, flattens transparency onto white and drops every metadata
    block (EXIF, XMP, ICC, comments) from what it returns.
    """
    limit = _default_max_pixels() if max_pixels is None else max_pixels
    budget = (
        _setting("UPLOAD_MAX_DECODE_BYTES", DEFAULT_MAX_DECODE_BYTES) if max_decode_bytes is None else max_decode_bytes
    )
    data = _read_bytes(source)
    if not data:
        raise InvalidImage(ImageErrorCode.EMPTY_FILE, "the file is empty")
    try:
        # Pillow's own bomb check is global state; do ours explicitly from the header size instead.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError as exc:  # beyond Pillow's own hard limit (2 × MAX_IMAGE_PIXELS)
        pixels = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        raise InvalidImage(
            ImageErrorCode.IMAGE_TOO_LARGE, f"image too large: more than {pixels} pixels, limit {limit}"
        ) from exc
    except UnidentifiedImageError as exc:
        raise InvalidImage(
            ImageErrorCode.NOT_AN_IMAGE,
            "not an image: the content is not a format we can read (use JPEG, PNG, WebP, GIF or HEIC)",
        ) from exc
    except OSError as exc:
        if _is_truncation(exc):
            raise InvalidImage(ImageErrorCode.TRUNCATED, f"image is truncated: {exc}") from exc
        raise InvalidImage(ImageErrorCode.NOT_AN_IMAGE, f"not an image: {exc}") from exc
    except ValueError as exc:  # a chunk Pillow will not inflate (a PNG's text or colour profile past 1 MB)
        raise InvalidImage(ImageErrorCode.CORRUPT_IMAGE, f"image could not be decoded: {exc}") from exc
    width, height = image.size
    if width < 1 or height < 1:
        raise InvalidImage(ImageErrorCode.NOT_AN_IMAGE, "not an image: it has no pixels")
    if width * height > limit:
        raise InvalidImage(ImageErrorCode.IMAGE_TOO_LARGE, f"image too large: {width * height} pixels, limit {limit}")
    if max(width, height) > MAX_DECODE_ASPECT * min(width, height):
        raise InvalidImage(ImageErrorCode.IMAGE_TOO_NARROW, f"image too narrow: {width} × {height} pixels is no photo")
    if image.format == "JPEG" and width * height > DRAFT_ABOVE_PIXELS:
        image.draft(image.mode, (DRAFT_MIN_SIDE, DRAFT_MIN_SIDE))
    cost = decode_cost_bytes(image)
    if cost > budget:
        raise InvalidImage(
            ImageErrorCode.IMAGE_TOO_LARGE,
            f"image too large: {image.size[0]} × {image.size[1]} pixels in mode {image.mode} would take "
            f"{cost // (1024 * 1024)} MB to decode, limit {budget // (1024 * 1024)} MB",
        )
    # Pillow's globals (MAX_IMAGE_PIXELS, LOAD_TRUNCATED_IMAGES) are left alone: web workers decode in threads, and
    # the explicit pixel check above is stricter than Pillow's own bomb limit.
    try:
        image.seek(0)
        image.load()
    except Image.DecompressionBombError as exc:
        raise InvalidImage(
            ImageErrorCode.IMAGE_TOO_LARGE, f"image too large: {width * height} pixels, limit {limit}"
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        if _is_truncation(exc):
            raise InvalidImage(
                ImageErrorCode.TRUNCATED, "image is truncated: the file ends before the picture does"
            ) from exc
        raise InvalidImage(ImageErrorCode.CORRUPT_IMAGE, f"image could not be decoded: {exc}") from exc
    profile = image.info.get("icc_profile")
    # A broken EXIF block should not cost the user the photo.
    with contextlib.suppress(Exception):
        image = ImageOps.exif_transpose(image)
    image = to_rgb(_in_srgb(image, profile) if profile else image)
    image.info = {}  # no comment, EXIF, XMP or ICC block can reach what is stored or served
    return image


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    """A matrix/curves RGB profile with sRGB's colorants and white point (what most cameras and editors embed)."""
    own, srgb = profile.profile, _srgb_profile().profile
    if not own.is_matrix_shaper:
        return False
    pairs = [
        (own.red_colorant, srgb.red_colorant),
        (own.green_colorant, srgb.green_colorant),
        (own.blue_colorant, srgb.blue_colorant),
        (own.media_white_point, srgb.media_white_point),
    ]
    for mine, theirs in pairs:
        if mine is None or theirs is None:
            return False
        if max(abs(a - b) for a, b in zip(mine[0], theirs[0], strict=True)) > SRGB_TOLERANCE:
            return False
    return True


def _to_srgb_transform(profile_bytes: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """The transform from an embedded profile to sRGB for an image of `mode` ("RGB" or "CMYK"), or None when the
    profile is sRGB already or describes another colour space. NOCACHE: one transform is shared by every thread, and
    LittleCMS's one-pixel cache is not thread-safe."""
    profile = ImageCms.ImageCmsProfile(io.BytesIO(profile_bytes))
    space = profile.profile.xcolor_space.strip()
    if space != mode or (mode == "RGB" and _is_srgb(profile)):
        return None
    return ImageCms.buildTransform(
        profile,
        _srgb_profile(),
        mode,
        "RGB",
        # A press profile's tables are made for photos' perceptual rendering; a camera's matrix profile has only
        # the colorimetric one (LittleCMS would fall back to it anyway).
        renderingIntent=ImageCms.Intent.PERCEPTUAL if mode == "CMYK" else ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.NOCACHE,
    )


# Phones and cameras embed a few small profiles again and again: their transforms are kept (keyed by the profile's
# bytes, so only profiles up to CACHED_PROFILE_BYTES, 16 of them at most 1 MB in all). A press profile is built anew.
CACHED_PROFILE_BYTES = 64 * 1024
_cached_to_srgb_transform = functools.lru_cache(maxsize=16)(_to_srgb_transform)


def _in_srgb(image: Image.Image, profile: bytes) -> Image.Image:
    """The image's colours in sRGB, as the photo's embedded colour `profile` defines them (an iPhone's Display P3, a
    camera's Adobe RGB, a shop's press CMYK): every reading, stored copy and thumbnail is then in the colours the
    shopper saw, whatever the profile was (the profile itself is not kept). RGB, palette and alpha images come back
    in RGB; a profile that is sRGB already, of another colour space, too large or broken leaves the pixels as they
    are (a broken profile should not cost the user the photo). An RGB image is converted in place (open_image's
    own decoded copy: no second photo-sized array beside it)."""
    if len(profile) > MAX_COLOUR_PROFILE_BYTES:
        return image
    mode = "CMYK" if image.mode == "CMYK" else "RGB"
    try:
        build = _cached_to_srgb_transform if len(profile) <= CACHED_PROFILE_BYTES else _to_srgb_transform
        transform = build(bytes(profile), mode)
        if transform is None:
            return image
        if mode == "CMYK":
            converted = ImageCms.applyTransform(image, transform)
            return image if converted is None else converted
        image = to_rgb(image)
        ImageCms.applyTransform(image, transform, inPlace=True)
        return image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        logger.info("colour profile ignored (%s): pixels taken as sRGB", exc)
        return image


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


def _model_pixels(image: Image.Image, size: int) -> Image.Image:
    """RGB, centre-trimmed to at most MAX_ASPECT, resized to size×size (the pixels to_model_input scales)."""
    image = center_aspect_crop(to_rgb(image))
    if image.size != (size, size):
        image = image.resize((size, size), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return image


def _scaled_in_place(pixels: np.ndarray) -> np.ndarray:
    # (x - 127) / 128 in place: the same float32 values as the expression, without two fresh arrays of the photo's
    # size (each cost about 0.5 ms in page faults on a sandboxed 2-core machine, 1.3 ms of a 2.3 ms step).
    pixels -= 127.0
    pixels /= 128.0
    return pixels


def to_model_input(image: Image.Image, size: int) -> np.ndarray:
    """The one preprocessing step: RGB, centre-trim extreme aspect ratios, resize to size×size (whole garment kept,
    slightly squeezed), float32 HWC scaled as (x - 127) / 128."""
    return _scaled_in_place(np.array(_model_pixels(image, size), dtype=np.float32))


def to_model_batch(images: Sequence[Image.Image], size: int) -> np.ndarray:
    """to_model_input of every image, stacked (n, size, size, 3): filled into one array and scaled in place, value for
    value the same as np.stack of to_model_input."""
    batch = np.empty((len(images), size, size, 3), dtype=np.float32)
    for row, image in zip(batch, images, strict=True):
        row[...] = np.asarray(_model_pixels(image, size))
    return _scaled_in_place(batch)
