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
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFilter, ImageOps, UnidentifiedImageError

from catalog.models import Garment
from recommender.models import ShopperUpload
from recommender.services import matched_box, upload_tag

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
ONE_PIECE_COLUMN_SHARE = 0.64  # the one-piece's column is the wider one
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
    sizes: list[tuple[float, float]] = []
    for piece in column:
        w = box.width * SLOT_SCALE.get(piece.slot, 0.5)
        low, high = TILE_ASPECT.get(piece.slot, DEFAULT_TILE_ASPECT)
        aspect = min(high, max(low, piece.image.height / max(1, piece.image.width)))
        sizes.append((w, w * aspect))
    total = sum(h for _, h in sizes) + GUTTER * (len(sizes) - 1)
    scale = min(1.0, (box.height - GUTTER * (len(sizes) - 1)) / max(1.0, total - GUTTER * (len(sizes) - 1)))
    rounded = [(round(w * scale), round(h * scale)) for w, h in sizes]
    top = box.top + (box.height - (sum(h for _, h in rounded) + GUTTER * (len(rounded) - 1))) // 2
    cards = []
    for piece, (w, h) in zip(column, rounded, strict=True):
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
    for _piece, card, photo in placed:
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


# ---------------------------------------------------------------------------------------------------------------------
# Service: signed keys, rendering from storage, the cached JPEG
# ---------------------------------------------------------------------------------------------------------------------

# Changing the layout? Bump the version: every key (and so every URL and cached file) changes with it.
LOOK_KEY_SALT = "recommender.look-image.v1"
MAX_LOOK_GARMENTS = 5
LOOK_CACHE_DIR = "looks"


class LookImageError(Exception):
    """A look picture that cannot be served; `status` is the HTTP answer (400 bad link, 404 gone)."""

    status = 404


class LookKeyInvalidError(LookImageError):
    status = 400


class LookGoneError(LookImageError):
    status = 404


@dataclass(frozen=True)
class LookKey:
    upload_public_id: UUID | None
    own_garment_id: int | None
    garment_ids: tuple[int, ...]


def _signer() -> signing.Signer:
    # Not a TimestampSigner: the same look always gets the same URL, so browsers and the storage cache can keep it.
    return signing.Signer(salt=LOOK_KEY_SALT)


def look_key_sign(*, upload_public_id: UUID | None, own_garment_id: int | None, garment_ids: Sequence[int]) -> str:
    if upload_public_id is not None and own_garment_id is not None:
        raise ValueError("A look has one own piece: the shopper's upload or a catalog garment, not both.")
    ids = [int(i) for i in garment_ids]
    if not 1 <= len(ids) <= MAX_LOOK_GARMENTS:
        raise ValueError(f"A look picture shows 1 to {MAX_LOOK_GARMENTS} garments, not {len(ids)}.")
    return _signer().sign_object(
        [upload_public_id.hex if upload_public_id else "", own_garment_id or 0, ids], compress=False
    )


def look_key_read(key: str) -> LookKey:
    """The look a key names, or LookKeyInvalidError for anything tampered, truncated or malformed."""
    try:
        upload_hex, own_id, ids = _signer().unsign_object(key)
        upload_public_id = UUID(hex=upload_hex) if upload_hex else None
        garment_ids = tuple(int(i) for i in ids)
        own_garment_id = int(own_id) or None
    except (signing.BadSignature, ValueError, TypeError, AttributeError) as exc:
        raise LookKeyInvalidError("This look picture link is not valid.") from exc
    if not 1 <= len(garment_ids) <= MAX_LOOK_GARMENTS or (upload_public_id and own_garment_id):
        raise LookKeyInvalidError("This look picture link is not valid.")
    return LookKey(upload_public_id, own_garment_id, garment_ids)


def look_image_url(*, upload_public_id: UUID | None, own_garment_id: int | None, garment_ids: Sequence[int]) -> str:
    """The relative URL of a look's composed picture, e.g. `/looks/<signed key>.jpg`."""
    key = look_key_sign(upload_public_id=upload_public_id, own_garment_id=own_garment_id, garment_ids=garment_ids)
    return reverse("recommender:look-image", kwargs={"key": key})


def outfit_look_image_url(outfit, *, upload_public_id: UUID | None = None, own_garment_id: int | None = None) -> str:
    """The picture URL of a recommended `Outfit` (its `pieces` are catalog garments), around the shopper's upload or
    a catalog garment (the page's garment), or neither for a tag-only recommendation."""
    return look_image_url(
        upload_public_id=upload_public_id,
        own_garment_id=own_garment_id,
        garment_ids=[garment.id for garment in outfit.pieces],
    )


def _open_photo(field) -> Image.Image:
    """A stored photo (local media or S3) via its field; LookGoneError when it is missing or unreadable."""
    try:
        with field.open("rb") as handle:
            data = handle.read()
        image = Image.open(io.BytesIO(data))
        image.load()
        return image
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        logger.warning("look image: photo %s could not be read: %s", field.name, exc)
        raise LookGoneError("A photo of this look is no longer available.") from exc


@dataclass(frozen=True)
class LookImage:
    name: str  # where the JPEG is kept in the default storage
    content: bytes
    rendered: bool  # False when served from the stored copy
    has_upload: bool  # the picture contains a shopper's own photo


def _look_sources(look: LookKey) -> list[tuple[str, FieldFile, bool, tuple | None]]:
    """(slot, image field, is own, crop box) for every piece, own piece first; LookGoneError if any row is gone. The
    crop box is the garment the shopper's whole-outfit photo is matched on (None: the whole photo)."""
    sources: list[tuple[str, FieldFile, bool, tuple | None]] = []
    if look.upload_public_id is not None:
        upload = ShopperUpload.objects.filter(public_id=look.upload_public_id).first()
        if upload is None or not upload.image:
            raise LookGoneError("The shopper's photo of this look is no longer available.")
        tag = upload_tag(upload=upload)
        box = matched_box(upload, tag)
        sources.append((tag.slot, upload.image, True, tuple(box) if box else None))
    wanted = ([look.own_garment_id] if look.own_garment_id else []) + list(look.garment_ids)
    garments = Garment.objects.in_bulk(wanted)
    missing = [i for i in wanted if i not in garments]
    if missing:
        raise LookGoneError("A garment of this look is no longer in the catalog.")
    for garment_id in wanted:
        garment = garments[garment_id]
        if not garment.image:
            raise LookGoneError("A garment of this look has no photo.")
        sources.append((garment.slot, garment.image, garment_id == look.own_garment_id, None))
    return sources


def _cache_name(digest: str, upload_public_id: UUID | None) -> str:
    # Pictures with a shopper's photo live in that upload's own folder, so they go when the upload goes.
    if upload_public_id is None:
        return f"{LOOK_CACHE_DIR}/{digest}.jpg"
    return f"{LOOK_CACHE_DIR}/{upload_public_id.hex}/{digest}.jpg"


def look_images_delete_for_upload(*, upload_public_id: UUID) -> int:
    """Delete the stored look pictures that contain one shopper upload's photo (it is being deleted or purged)."""
    folder = f"{LOOK_CACHE_DIR}/{upload_public_id.hex}"
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for file_name in files:
        default_storage.delete(f"{folder}/{file_name}")
    return len(files)


def upload_deleted(sender, instance, **kwargs) -> None:
    """post_delete of ShopperUpload (connected in RecommenderConfig.ready): its look pictures go after the commit."""
    public_id = instance.public_id
    transaction.on_commit(lambda: look_images_delete_for_upload(upload_public_id=public_id))


def _cropped(image: Image.Image, box: tuple | None, *, margin: float = 0.04) -> Image.Image:
    """The part of a whole-outfit photo that is matched (with a little room around it), or the photo as it is."""
    if box is None:
        return image
    x0, y0, x1, y1 = (float(v) for v in box)
    width, height = image.size
    left, top = max(0.0, x0 - margin) * width, max(0.0, y0 - margin) * height
    right, bottom = min(1.0, x1 + margin) * width, min(1.0, y1 + margin) * height
    if right - left < 2 or bottom - top < 2:
        return image
    return image.crop((round(left), round(top), round(right), round(bottom)))


def look_image_for_key(key: str) -> LookImage:
    """The JPEG of the look a signed key names: from the storage cache, or composed once and stored.

    The stored name hashes the key with each piece's slot and photo name, so a new photo or a corrected slot gets a
    fresh picture instead of a stale one. Raises LookKeyInvalidError (400) or LookGoneError (404).
    """
    look = look_key_read(key)
    sources = _look_sources(look)
    fingerprint = "|".join([key, *(f"{slot}:{field.name}:{box}" for slot, field, _own, box in sources)])
    digest = hashlib.sha1(fingerprint.encode(), usedforsecurity=False).hexdigest()
    name = _cache_name(digest, look.upload_public_id)
    has_upload = look.upload_public_id is not None
    if default_storage.exists(name):
        try:
            with default_storage.open(name, "rb") as handle:
                return LookImage(name, handle.read(), rendered=False, has_upload=has_upload)
        except OSError:  # deleted between the two calls: render again
            pass
    pieces = [LookPiece(slot, _cropped(_open_photo(field), box), own) for slot, field, own, box in sources]
    content = look_image_jpeg(look_image_compose(pieces=pieces))
    if not default_storage.exists(name):  # a parallel request may have stored it meanwhile
        default_storage.save(name, ContentFile(content))
    return LookImage(name, content, rendered=True, has_upload=has_upload)
