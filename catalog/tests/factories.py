"""Test factories for the catalog."""

from __future__ import annotations

import io
import itertools
import struct
import zlib

from PIL import Image

from catalog.models import Garment, PairingRule
from catalog.services import garment_create, pairing_rule_create
from vocabulary import COLORS

_names = itertools.count(1)


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def solid_image(color: str = "red", size: tuple[int, int] = (48, 60)) -> Image.Image:
    """A photo-like plain image in a vocabulary colour (the fake predictor reads its centre colour)."""
    return Image.new("RGB", size, hex_to_rgb(COLORS[color].hex))


def image_bytes(color: str = "red", size: tuple[int, int] = (48, 60), fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    solid_image(color, size).save(buffer, format=fmt)
    return buffer.getvalue()


def png_with_inflating_text(color: str = "red", inflated_bytes: int = 2 * 1024 * 1024) -> bytes:
    """A small PNG photo (about 2 KB) with a compressed text chunk that inflates to `inflated_bytes`: more than Pillow
    agrees to inflate (1 MB), so it refuses the file while opening it."""
    photo = image_bytes(color, fmt="PNG")
    body = b"Comment\0\0" + zlib.compress(b"a" * inflated_bytes, 9)
    chunk = struct.pack(">I", len(body)) + b"zTXt" + body + struct.pack(">I", zlib.crc32(b"zTXt" + body))
    return photo[:33] + chunk + photo[33:]  # after the signature (8 bytes) and the IHDR chunk (25)


def garment_factory(*, type: str = "t-shirt", color: str = "red", name: str | None = None, **fields) -> Garment:
    return garment_create(
        name=name or f"{color} {type} {next(_names)}", image=solid_image(color), type=type, color=color, **fields
    )


def rule_factory(
    *,
    input_slot: str = "top",
    input_color: str = "red",
    output_slot: str = "bottom",
    output_color: str = "black",
    note: str = "Red top + black bottom: bold classic contrast",
    **fields,
) -> PairingRule:
    return pairing_rule_create(
        input_slot=input_slot,
        input_color=input_color,
        output_slot=output_slot,
        output_color=output_color,
        note=note,
        **fields,
    )


def red_top_catalog() -> tuple[PairingRule, Garment, Garment]:
    """A red-top rule (red top + black bottom, weight 90) and a small catalog around it: black trousers, a white skirt,
    a black tee (the same slot as a red top: never recommended for it) and inactive black trousers (never shown).
    Returns (rule, black trousers, white skirt)."""
    rule = rule_factory(weight=90)
    black_pants = garment_factory(type="pants", color="black", name="Black trousers")
    white_skirt = garment_factory(type="skirt", color="white", name="White skirt")
    garment_factory(type="t-shirt", color="black", name="Black tee")
    garment_factory(type="pants", color="black", name="Hidden trousers", is_active=False)
    return rule, black_pants, white_skirt
