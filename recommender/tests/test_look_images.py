"""A look you can see: the composed flat-lay board, its signed URL, the view, the API field and the pages."""

from __future__ import annotations

import hashlib
import io
import itertools
import uuid

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from catalog.models import Garment
from catalog.services import garments_delete, image_to_stored_jpeg
from catalog.tests.factories import garment_factory, image_bytes, rule_factory
from recommender.look_images import (
    BACKGROUND,
    BOARD_SIZE,
    LookGoneError,
    LookKeyInvalidError,
    LookPiece,
    _layout,
    look_image_compose,
    look_image_for_key,
    look_image_jpeg,
    look_image_url,
    look_key_read,
    look_key_sign,
)
from recommender.models import ShopperUpload
from recommender.services import uploads_purge

# --------------------------------------------------------------------------------------------------- pure composition


def photo(color: tuple[int, int, int], size: tuple[int, int] = (400, 533)) -> Image.Image:
    """A garment-like photo: a coloured shape on a light backdrop."""
    image = Image.new("RGB", size, (225, 222, 215))
    w, h = size
    image.paste(color, (w // 5, h // 6, w - w // 5, h - h // 8))
    return image


COLORS = {
    "top": (200, 30, 40),
    "bottom": (20, 20, 30),
    "shoes": (240, 240, 240),
    "outer": (120, 90, 60),
    "one_piece": (30, 110, 60),
    "accessory": (200, 180, 40),
}

COMBINATIONS = [
    ("top", "bottom", "shoes"),
    ("top", "bottom", "shoes", "outer"),
    ("top", "bottom", "shoes", "outer", "accessory"),
    ("one_piece", "shoes"),
    ("one_piece", "shoes", "outer"),
    ("shoes", "bottom", "top"),  # a photo of shoes as the input
    ("outer", "top", "bottom", "shoes"),
    ("bottom", "top"),
    ("accessory", "top", "bottom", "shoes"),
]


def pieces_for(slots, own_index: int = 0, sizes=None) -> list[LookPiece]:
    sizes = sizes or itertools.repeat((400, 533))
    return [
        LookPiece(slot, photo(COLORS[slot], size), i == own_index)
        for i, (slot, size) in enumerate(zip(slots, sizes, strict=False))
    ]


@pytest.mark.parametrize("slots", COMBINATIONS, ids="+".join)
def test_every_slot_combination_gives_a_board_with_every_piece_inside_and_no_overlap(slots):
    pieces = pieces_for(slots)
    board = look_image_compose(pieces=pieces)
    assert board.size == BOARD_SIZE and board.mode == "RGB"
    cells = _layout(pieces, BOARD_SIZE)
    assert sorted(p.slot for p, _ in cells) == sorted(slots)
    for _piece, box in cells:
        assert 0 <= box.left < box.right <= BOARD_SIZE[0] and 0 <= box.top < box.bottom <= BOARD_SIZE[1]
        assert box.width >= 150 and box.height >= 150  # every piece readable, not a thumbnail
    for (_a, one), (_b, two) in itertools.combinations(cells, 2):
        assert one.right <= two.left or two.right <= one.left or one.bottom <= two.top or two.bottom <= one.top
    # each piece's colour is actually on the board, at its card's centre
    for piece, box in cells:
        centre = board.getpixel(((box.left + box.right) // 2, (box.top + box.bottom) // 2))
        assert max(abs(a - b) for a, b in zip(centre, COLORS[piece.slot], strict=True)) < 12, piece.slot


def test_layout_reads_like_a_stylist_board():
    cells = {p.slot: box for p, box in _layout(pieces_for(("top", "bottom", "shoes", "outer")), BOARD_SIZE)}
    assert cells["outer"].right <= cells["top"].left  # outerwear beside the top
    assert cells["bottom"].top >= cells["top"].bottom  # the bottom below the top
    assert cells["shoes"].top >= cells["outer"].bottom  # shoes at the foot
    assert cells["shoes"].width < cells["top"].width  # and smaller than clothes
    dress = {p.slot: box for p, box in _layout(pieces_for(("one_piece", "shoes", "outer")), BOARD_SIZE)}
    assert dress["one_piece"].width > dress["outer"].width  # the one-piece is the large piece
    assert dress["one_piece"].height > BOARD_SIZE[1] / 3


def test_deterministic_bytes_for_the_same_input():
    first = look_image_jpeg(look_image_compose(pieces=pieces_for(COMBINATIONS[1])))
    second = look_image_jpeg(look_image_compose(pieces=pieces_for(COMBINATIONS[1])))
    assert first == second
    assert first[:3] == b"\xff\xd8\xff"
    other = look_image_jpeg(look_image_compose(pieces=pieces_for(COMBINATIONS[0])))
    assert other != first


def test_own_piece_is_badged_and_only_it():
    slots = ("top", "bottom", "shoes")
    with_badge = look_image_compose(pieces=pieces_for(slots, own_index=0))
    without = look_image_compose(pieces=pieces_for(slots, own_index=-1))
    cells = {p.slot: box for p, box in _layout(pieces_for(slots), BOARD_SIZE)}
    top = cells["top"]
    corner = (top.left - 20, top.top - 20, top.left + 40, top.top + 40)
    assert with_badge.crop(corner).tobytes() != without.crop(corner).tobytes()
    # the badge stands out from the paper background
    badge = with_badge.getpixel((top.left + 10, top.top + 10))
    assert max(abs(a - b) for a, b in zip(badge, BACKGROUND, strict=True)) > 60
    # other pieces untouched
    shoes = cells["shoes"]
    region = (shoes.left - 20, shoes.top - 20, shoes.right + 20, shoes.bottom + 20)
    assert with_badge.crop(region).tobytes() == without.crop(region).tobytes()


def test_odd_photos_landscape_tiny_and_transparent():
    transparent = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    transparent.paste((10, 10, 200, 255), (50, 50, 250, 250))
    pieces = [
        LookPiece("top", photo(COLORS["top"], (800, 300)), True),
        LookPiece("bottom", photo(COLORS["bottom"], (12, 30)), False),
        LookPiece("shoes", transparent, False),
        LookPiece("outer", photo(COLORS["outer"]).convert("L"), False),
    ]
    board = look_image_compose(pieces=pieces)
    assert board.size == BOARD_SIZE and board.mode == "RGB"
    with pytest.raises(ValueError):
        look_image_compose(pieces=[])


# ---------------------------------------------------------------------------------------------------- signed keys


def test_key_round_trip_and_tampering_is_refused():
    upload_id = uuid.uuid4()
    key = look_key_sign(upload_public_id=upload_id, own_garment_id=None, garment_ids=[3, 1, 2])
    assert key == look_key_sign(upload_public_id=upload_id, own_garment_id=None, garment_ids=[3, 1, 2])  # stable
    look = look_key_read(key)
    assert look.upload_public_id == upload_id and look.garment_ids == (3, 1, 2) and look.own_garment_id is None
    payload, signature = key.split(":", 1)
    for bad in [payload + ":" + signature[::-1], payload[:-2] + "AA:" + signature, "nonsense", ":", ""]:
        with pytest.raises(LookKeyInvalidError):
            look_key_read(bad)
    # a key signed for something else (another salt) is no look key
    with pytest.raises(LookKeyInvalidError):
        look_key_read(signing.Signer().sign_object(["", 0, [1, 2]]))
    with pytest.raises(ValueError):
        look_key_sign(upload_public_id=None, own_garment_id=None, garment_ids=list(range(1, 8)))
    with pytest.raises(ValueError):
        look_key_sign(upload_public_id=upload_id, own_garment_id=4, garment_ids=[1])


# ---------------------------------------------------------------------------------------------- the view, storage

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def look_garments():
    return [
        garment_factory(type="t-shirt", color="red", name="Red tee"),
        garment_factory(type="pants", color="black", name="Black trousers"),
        garment_factory(type="shoes", color="white", name="White sneakers"),
    ]


def decoded(response) -> Image.Image:
    image = Image.open(io.BytesIO(b"".join(response) if response.streaming else response.content))
    image.load()
    return image


@pytestmark_db
def test_view_renders_once_then_serves_the_stored_jpeg(client: Client, look_garments):
    url = look_image_url(upload_public_id=None, own_garment_id=None, garment_ids=[g.id for g in look_garments])
    assert url.startswith("/looks/") and url.endswith(".jpg")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "max-age=31536000" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert "Content-Disposition" not in response
    assert decoded(response).size == BOARD_SIZE
    _dirs, files = default_storage.listdir("looks")
    assert len(files) == 1
    stored = f"looks/{files[0]}"
    assert len(files[0]) == len(hashlib.sha1(b"").hexdigest()) + len(".jpg")
    # second call: the stored bytes, not a new render (prove it by changing the stored file)
    with default_storage.open(stored, "rb") as handle:
        assert handle.read() == response.content
    default_storage.delete(stored)
    default_storage.save(stored, io.BytesIO(b"\xff\xd8\xff stored"))
    key = url.removeprefix("/looks/").removesuffix(".jpg")
    look = look_image_for_key(key)
    assert look.rendered is False and look.content == b"\xff\xd8\xff stored"
    assert client.get(url).content == b"\xff\xd8\xff stored"
    # conditional GET
    etag = response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytestmark_db
def test_download_header(client: Client, look_garments):
    url = look_image_url(upload_public_id=None, own_garment_id=None, garment_ids=[g.id for g in look_garments])
    response = client.get(url, {"download": "1"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="look.jpg"'


@pytestmark_db
def test_tampered_or_unknown_keys_get_a_friendly_400_or_404_never_500(client: Client, look_garments):
    url = look_image_url(upload_public_id=None, own_garment_id=None, garment_ids=[g.id for g in look_garments])
    key = url.removeprefix("/looks/").removesuffix(".jpg")
    payload, signature = key.split(":", 1)
    forged = look_key_sign(upload_public_id=None, own_garment_id=None, garment_ids=[1, 2]).split(":")[0]
    for bad in [f"{payload}:{'A' * len(signature)}", f"{forged}:{signature}", "abc", "x:y:z", "." + key]:
        response = client.get(f"/looks/{bad}.jpg")
        assert response.status_code == 400, bad
        assert "not available" in response.content.decode()
    assert client.get("/looks/has%20space.jpg").status_code == 404  # not even a key
    assert client.post(url).status_code == 405
    assert not default_storage.exists("looks") or default_storage.listdir("looks")[1] == []


@pytestmark_db
def test_deleted_garment_or_missing_photo_is_a_clear_404(client: Client, look_garments):
    ids = [g.id for g in look_garments]
    url = look_image_url(upload_public_id=None, own_garment_id=None, garment_ids=ids)
    garments_delete(garments=[look_garments[1]])
    response = client.get(url)
    assert response.status_code == 404 and "no longer" in response.content.decode()
    with pytest.raises(LookGoneError):
        look_image_for_key(url.removeprefix("/looks/").removesuffix(".jpg"))
    # the row is there but its file is gone from storage
    default_storage.delete(look_garments[0].image.name)
    url = look_image_url(upload_public_id=None, own_garment_id=None, garment_ids=[ids[0], ids[2]])
    assert client.get(url).status_code == 404


@pytestmark_db
def test_a_new_photo_renders_a_new_picture(client: Client, look_garments):
    url = look_image_url(upload_public_id=None, own_garment_id=None, garment_ids=[g.id for g in look_garments])
    before = client.get(url).content
    garment = Garment.objects.get(pk=look_garments[0].pk)
    garment.image = image_to_stored_jpeg(photo((30, 60, 200)))
    garment.save()
    after = client.get(url).content
    assert after != before


# ---------------------------------------------------------------------------------------- API and pages, end to end


@pytest.fixture
def coordinated_catalog():
    """A catalog where a red top gets a complete look: rules for every pair."""
    rule_factory(input_slot="top", input_color="red", output_slot="bottom", output_color="black", weight=90)
    rule_factory(input_slot="top", input_color="red", output_slot="shoes", output_color="white", weight=80)
    rule_factory(input_slot="bottom", input_color="black", output_slot="shoes", output_color="white", weight=80)
    return [
        garment_factory(type="pants", color="black", name="Black trousers"),
        garment_factory(type="shoes", color="white", name="White sneakers"),
    ]


@pytestmark_db
def test_api_upload_outfits_have_a_fetchable_image_url_with_the_shoppers_photo(
    client: Client, coordinated_catalog, django_capture_on_commit_callbacks
):
    response = client.post(
        "/api/v1/recommendations/", {"image": SimpleUploadedFile("red.jpg", image_bytes("red", (90, 120)))}
    )
    assert response.status_code == 200, response.content
    outfits = response.json()["outfits"]
    assert outfits, "the fixture catalog should give at least one complete look"
    upload = ShopperUpload.objects.get()
    for outfit in outfits:
        assert outfit["image_url"].startswith("http://testserver/looks/")
        assert outfit["download_url"] == outfit["image_url"] + "?download=1"
        key = outfit["image_url"].removeprefix("http://testserver/looks/").removesuffix(".jpg")
        look = look_key_read(key)
        assert look.upload_public_id == upload.public_id
        assert list(look.garment_ids) == [piece["id"] for piece in outfit["pieces"]]
    picture = client.get(outfits[0]["image_url"].removeprefix("http://testserver"))
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"
    assert "private" in picture["Cache-Control"]  # it holds the shopper's photo
    assert decoded(picture).size == BOARD_SIZE
    # the correction endpoint answers looks around the same upload
    corrected = client.post(
        f"/api/v1/recommendations/{upload.public_id}/correction/", {"type": "shirt"}, content_type="application/json"
    )
    assert corrected.status_code == 200, corrected.content
    for outfit in corrected.json()["outfits"]:
        key = outfit["image_url"].removeprefix("http://testserver/looks/").removesuffix(".jpg")
        assert look_key_read(key).upload_public_id == upload.public_id
    assert corrected.json()["outfits"]
    # the shopper's photo goes, so do the pictures made with it
    assert default_storage.listdir(f"looks/{upload.public_id.hex}")[1]
    with django_capture_on_commit_callbacks(execute=True):
        uploads_purge(uploads=ShopperUpload.objects.all())
    assert (
        not default_storage.exists(f"looks/{upload.public_id.hex}")
        or not default_storage.listdir(f"looks/{upload.public_id.hex}")[1]
    )
    assert client.get(outfits[0]["image_url"].removeprefix("http://testserver")).status_code == 404


@pytestmark_db
def test_api_tag_recommendation_outfits_have_image_urls_without_an_own_piece(client: Client, coordinated_catalog):
    response = client.get("/api/v1/recommendations/", {"slot": "top", "color": "red"})
    outfits = response.json()["outfits"]
    assert outfits
    key = outfits[0]["image_url"].removeprefix("http://testserver/looks/").removesuffix(".jpg")
    look = look_key_read(key)
    assert look.upload_public_id is None and look.own_garment_id is None
    assert client.get(outfits[0]["image_url"]).status_code == 200


@pytestmark_db
def test_result_and_garment_pages_show_the_look_picture_with_a_download_link(client: Client, coordinated_catalog):
    response = client.post("/recommend/", {"image": SimpleUploadedFile("red.jpg", image_bytes("red", (90, 120)))})
    html = client.get(response["Location"]).content.decode()
    assert 'class="look-board"' in html and "Download" in html and "is yours" in html
    src = html.split('class="look-board">', 1)[1].split('src="', 1)[1].split('"', 1)[0]
    assert src.startswith("/looks/") and f'href="{src}?download=1"' in html
    assert look_key_read(src.removeprefix("/looks/").removesuffix(".jpg")).upload_public_id is not None
    assert client.get(src).status_code == 200

    top = garment_factory(type="t-shirt", color="red", name="Red tee")
    html = client.get(f"/garments/{top.id}/").content.decode()
    assert 'class="look-board"' in html and "is this garment" in html and "is yours" not in html
    src = html.split('class="look-board">', 1)[1].split('src="', 1)[1].split('"', 1)[0]
    look = look_key_read(src.removeprefix("/looks/").removesuffix(".jpg"))
    assert look.own_garment_id == top.id and top.id not in look.garment_ids
    assert client.get(src).status_code == 200


# ------------------------------------------------------------------------------------------------------------- S3

# The S3 fixtures (moto's server over real HTTP, STORAGES as base.py builds them) are shared with fashion/tests.
from fashion.tests.test_s3_media import bucket_keys, s3_endpoint, s3_media  # noqa: E402, F401


@pytest.mark.s3
@pytestmark_db
def test_look_pictures_with_photos_and_cache_on_s3(client: Client, request, django_capture_on_commit_callbacks):
    s3 = request.getfixturevalue("s3_media")
    garments = [
        garment_factory(type="pants", color="black", name="Black trousers"),
        garment_factory(type="shoes", color="white", name="White sneakers"),
    ]
    response = client.post("/recommend/", {"image": SimpleUploadedFile("red.jpg", image_bytes("red", (90, 120)))})
    upload = ShopperUpload.objects.get()
    assert upload.image.name in bucket_keys(s3)
    url = look_image_url(upload_public_id=upload.public_id, own_garment_id=None, garment_ids=[g.id for g in garments])
    first = client.get(url)
    assert first.status_code == 200 and decoded(first).size == BOARD_SIZE
    cached = [key for key in bucket_keys(s3) if key.startswith(f"looks/{upload.public_id.hex}/")]
    assert len(cached) == 1
    key = url.removeprefix("/looks/").removesuffix(".jpg")
    assert look_image_for_key(key).rendered is False  # the second time it comes from the bucket
    assert client.get(url).content == first.content
    with django_capture_on_commit_callbacks(execute=True):
        ShopperUpload.objects.all().delete()
    assert not [key for key in bucket_keys(s3) if key.startswith("looks/")]
    assert response.status_code == 302
