import numpy as np
import pytest
from PIL import Image

from classifier.occluders import HAIR, PHONE_COLOURS, SKIN, head_box, occlude, photo_rng


def _person(width: int = 60, height: int = 120) -> tuple[Image.Image, np.ndarray]:
    """A gray photo of a drawn person: hair and a face at the top, a top and trousers below."""
    mask = np.zeros((height, width), dtype=np.uint8)
    mask[4:10, 24:36] = HAIR
    mask[10:20, 25:35] = SKIN
    mask[20:60, 18:42] = 51  # t-shirt
    mask[60:116, 20:40] = 31  # pants
    photo = Image.new("RGB", (width, height), (128, 128, 128))
    return photo, mask


def _changed(a: Image.Image, b: Image.Image) -> np.ndarray:
    return (np.asarray(a) != np.asarray(b)).any(axis=2)


def test_the_head_is_found_in_the_persons_upper_sixth():
    _photo, mask = _person()
    assert head_box(mask) == (24, 4, 35, 19)
    assert head_box(np.zeros((50, 50), dtype=np.uint8)) is None


def test_a_phone_over_the_face_covers_the_head_and_leaves_the_clothes():
    photo, mask = _person()
    shown = occlude(photo, mask, np.random.default_rng(0), "face")
    assert shown is not None and shown is not photo
    changed = _changed(photo, shown)
    ys, xs = np.nonzero(changed)
    assert changed[10:20, 25:35].mean() > 0.5  # most of the face
    assert ys.max() < 60  # never over the trousers
    colour = tuple(int(c) for c in np.asarray(shown)[ys[len(ys) // 2], xs[len(xs) // 2]])
    assert colour in PHONE_COLOURS
    assert np.asarray(photo).std() == 0  # the photo itself is untouched


def test_a_phone_on_the_chest_sits_below_the_head():
    photo, mask = _person()
    shown = occlude(photo, mask, np.random.default_rng(1), "chest")
    ys, _xs = np.nonzero(_changed(photo, shown))
    assert ys.min() > 10 and ys.max() > 20  # below the forehead, over the top


def test_no_head_no_phone_and_the_place_is_checked():
    photo, mask = _person()
    assert occlude(photo, np.zeros_like(mask), np.random.default_rng(0)) is None
    with pytest.raises(ValueError, match="where"):
        occlude(photo, mask, np.random.default_rng(0), "knee")


def test_a_photo_gets_the_same_phone_every_time():
    photo, mask = _person()
    first = occlude(photo, mask, photo_rng("0306", "face"), "face")
    again = occlude(photo, mask, photo_rng("0306", "face"), "face")
    other = occlude(photo, mask, photo_rng("0307", "face"), "face")
    assert np.array_equal(np.asarray(first), np.asarray(again))
    assert not np.array_equal(np.asarray(first), np.asarray(other))
