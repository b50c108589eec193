"""A look you can see: one composed picture per complete look, like a stylist's flat-lay board.

Two parts:
- `look_image_compose` is pure (Pillow only): photos in, one 900×1200 board out, the same pixels every time.
- the service (`look_image_url`, `look_image_for_key`) identifies a look by a SIGNED key (the shopper upload's public
  id or the page's own garment, and the ordered garment ids), so nobody can make the server render arbitrary
  combinations; it loads the photos from storage, composes once, and keeps the JPEG in the default storage.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFilter, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------------------------------
# Pure composition
# ---------------------------------------------------------------------------------------------------------------------

BOARD_SIZE = (900, 1200)
BACKGROUND = (244, 241, 236)  # warm paper
CARD = (255, 255, 255)
ACCENT = (176, 94, 62)  # terracotta: the "your piece" badge and frame
MARGIN = 44
GUTTER = 28
CARD_PADDING = 14
CARD_RADIUS = 20
SHADOW_OFFSET = (0, 8)
SHADOW_BLUR = 12
SHADOW_ALPHA = 60

# The board is two columns (or one); each column is a stack of cards, centred vertically, so columns of different
# heights stagger like a flat-lay. Where each slot goes is decided by `_columns`.
SLOT_ORDER = ("outer", "top", "one_piece", "bottom", "shoes", "accessory")
# A card's width as a share of its column's width: shoes and accessories are smaller than clothes.
SLOT_SCALE = {"outer": 1.0, "top": 1.0, "one_piece": 1.0, "bottom": 1.0, "shoes": 0.8, "accessory": 0.6}
ONE_PIECE_COLUMN_SHARE = 0.6  # the one-piece's column is the wider one
SINGLE_COLUMN_WIDTH = 560
# Cards are product tiles whose shape (height / width) follows the photo within bounds: the board stays tidy, and a
# landscape photo sits on a squarish tile instead of shrinking to a strip.
TILE_ASPECT = {"shoes": (0.8, 1.0), "accessory": (0.8, 1.0), "bottom": (1.0, 1.45)}
DEFAULT_TILE_ASPECT = (1.0, 4 / 3)


@dataclass(frozen=True)
class LookPiece:
    slot: str
    image: Image.Image
    is_own: bool = False


@dataclass(frozen=True)
class _Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


def _columns(pieces: Sequence[LookPiece]) -> tuple[list[LookPiece], list[LookPiece], float]:
    """Left column, right column (top to bottom) and the left column's share of the width.

    - outerwear and a top: outerwear left with the shoes below it; the top right with the bottom below it;
    - a one-piece: large on the left; outerwear and shoes stacked on the right;
    - otherwise: the upper piece left with the shoes below it; the bottom right.
    Accessories and slots the board does not know go last in the shorter-listed column.
    """
    rank = {slot: i for i, slot in enumerate(SLOT_ORDER)}
    ordered = sorted(pieces, key=lambda p: rank.get(p.slot, len(SLOT_ORDER)))  # stable: input order within a slot

    def of(*slots: str) -> list[LookPiece]:
        return [p for p in ordered if p.slot in slots]

    known = {"outer", "top", "one_piece", "bottom", "shoes"}
    extras = [p for p in ordered if p.slot not in known]
    share = 0.5
    if of("one_piece"):
        left, right = of("one_piece", "top", "bottom"), of("outer", "shoes")
        share = ONE_PIECE_COLUMN_SHARE
    elif of("outer") and of("top"):
        left, right = of("outer", "shoes"), of("top", "bottom")
    else:
        left, right = of("outer", "top", "shoes"), of("bottom")
        if not left or not right:  # e.g. only a top and a bottom, or only shoes and a bottom: one above the other
            left, right = of("outer", "top", "bottom"), of("shoes")
    (right if len(right) <= len(left) else left).extend(extras)
    if not right:
        return left, [], 1.0
    if not left:
        return right, [], 1.0
    return left, right, share


def _stack(column: Sequence[LookPiece], box: _Box) -> list[tuple[LookPiece, _Box]]:
    """Cards for one column: each as wide as its slot allows, shrunk together if the column would overflow."""
    sizes = []
    for piece in column:
        w = box.width * SLOT_SCALE.get(piece.slot, 0.5)
        low, high = TILE_ASPECT.get(piece.slot, DEFAULT_TILE_ASPECT)
        aspect = min(high, max(low, piece.image.height / max(1, piece.image.width)))
        sizes.append((w, w * aspect))
    total = sum(h for _, h in sizes) + GUTTER * (len(sizes) - 1)
    scale = min(1.0, (box.height - GUTTER * (len(sizes) - 1)) / max(1.0, total - GUTTER * (len(sizes) - 1)))
    sizes = [(round(w * scale), round(h * scale)) for w, h in sizes]
    top = box.top + (box.height - (sum(h for _, h in sizes) + GUTTER * (len(sizes) - 1))) // 2
    cards = []
    for piece, (w, h) in zip(column, sizes, strict=True):
        left = box.left + (box.width - w) // 2
        cards.append((piece, _Box(left, top, left + w, top + h)))
        top += h + GUTTER
    return cards


def _layout(pieces: Sequence[LookPiece], size: tuple[int, int]) -> list[tuple[LookPiece, _Box]]:
    """Where each piece's card goes on the board."""
    width, height = size
    left, right, share = _columns(pieces)
    if not right:
        column_w = min(SINGLE_COLUMN_WIDTH, width - 2 * MARGIN)
        x = (width - column_w) // 2
        return _stack(left, _Box(x, MARGIN, x + column_w, height - MARGIN))
    usable = width - 2 * MARGIN - GUTTER
    left_w = round(usable * share)
    return _stack(left, _Box(MARGIN, MARGIN, MARGIN + left_w, height - MARGIN)) + _stack(
        right, _Box(MARGIN + left_w + GUTTER, MARGIN, width - MARGIN, height - MARGIN)
    )


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white, upright (EXIF orientation applied)."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, CARD)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _rounded_mask(size: tuple[int, int], radius: int) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=radius, fill=255)
    return mask


def _draw_own_badge(board: Image.Image, card: _Box) -> None:
    """A small terracotta disc with a white check, on the card's top-left corner, and a thin frame round the card."""
    draw = ImageDraw.Draw(board)
    draw.rounded_rectangle(
        (card.left - 3, card.top - 3, card.right + 2, card.bottom + 2), radius=CARD_RADIUS + 3, outline=ACCENT, width=3
    )
    r = 21
    cx, cy = card.left + 10, card.top + 10
    draw.ellipse((cx - r - 3, cy - r - 3, cx + r + 3, cy + r + 3), fill=CARD)  # a white ring lifts it off the photo
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ACCENT)
    draw.line([(cx - 10, cy + 1), (cx - 3, cy + 8), (cx + 10, cy - 7)], fill=CARD, width=5, joint="curve")


def _place(shadows: Image.Image, piece: LookPiece, card: _Box) -> tuple[_Box, Image.Image]:
    """Fit the photo on its white rounded card and draw the card's shadow."""
    inner = (max(1, card.width - 2 * CARD_PADDING), max(1, card.height - 2 * CARD_PADDING))
    photo = ImageOps.contain(_flatten(piece.image), inner, method=Image.Resampling.LANCZOS)
    dx, dy = SHADOW_OFFSET
    ImageDraw.Draw(shadows).rounded_rectangle(
        (card.left + dx, card.top + dy, card.right + dx, card.bottom + dy), radius=CARD_RADIUS, fill=SHADOW_ALPHA
    )
    return card, photo


def look_image_compose(*, pieces: Sequence[LookPiece], size: tuple[int, int] = BOARD_SIZE) -> Image.Image:
    """One RGB board with every piece of a look: upper row (outerwear beside the top, or the one-piece, large), the
    bottom below, shoes at the foot; the shopper's own piece framed and badged. Deterministic for the same input."""
    if not pieces:
        raise ValueError("A look needs at least one piece.")
    board = Image.new("RGB", size, BACKGROUND)
    shadows = Image.new("L", size, 0)
    placed = [(piece, *_place(shadows, piece, cell)) for piece, cell in _layout(pieces, size)]
    shadows = shadows.filter(ImageFilter.GaussianBlur(SHADOW_BLUR))
    board.paste(Image.new("RGB", size, (60, 48, 40)), mask=shadows)
    for piece, card, photo in placed:
        board.paste(
            Image.new("RGB", (card.width, card.height), CARD),
            (card.left, card.top),
            _rounded_mask((card.width, card.height), CARD_RADIUS),
        )
        board.paste(
            photo,
            (card.left + (card.width - photo.width) // 2, card.top + (card.height - photo.height) // 2),
            _rounded_mask(photo.size, max(2, CARD_RADIUS - CARD_PADDING // 2)),
        )
    for piece, card, _photo in placed:
        if piece.is_own:
            _draw_own_badge(board, card)
    return board


def look_image_jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=86, optimize=True, progressive=True)
    return buffer.getvalue()
