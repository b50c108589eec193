"""open_image / to_model_input on the awkward files users upload (all generated here, small)."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from catalog.tests.factories import png_with_inflating_text
from classifier.imaging import ImageErrorCode, InvalidImage, open_image, to_model_batch, to_model_input
from classifier.tests import colour_profiles
from classifier.tests.colour_profiles import display_p3, press_cmyk, srgb_like


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def test_exif_orientation_is_applied():
    # A landscape 40x20 image whose left half is red, tagged "rotate 90° CW to display" (orientation 6).
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    opened = open_image(encode(image, "JPEG", exif=exif.tobytes(), quality=95))
    assert opened.size == (20, 40)
    top = np.asarray(opened)[5, 10]
    assert top[0] > 200 and top[2] < 60  # the red half is now on top


def test_cmyk_jpeg_becomes_rgb():
    opened = open_image(encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG", quality=95))
    assert opened.mode == "RGB"
    r, g, b = np.asarray(opened)[8, 8]
    assert r > 200 and g < 60 and b < 60


def test_greyscale_becomes_rgb():
    opened = open_image(encode(Image.new("L", (8, 8), 100), "PNG"))
    assert opened.mode == "RGB"
    assert tuple(np.asarray(opened)[0, 0]) == (100, 100, 100)


def test_alpha_is_composited_on_white():
    image = Image.new("RGBA", (8, 8), (255, 0, 0, 0))
    image.putpixel((0, 0), (0, 0, 255, 255))
    opened = open_image(encode(image, "PNG"))
    pixels = np.asarray(opened)
    assert tuple(pixels[4, 4]) == (255, 255, 255)
    assert tuple(pixels[0, 0]) == (0, 0, 255)


def test_16_bit_png_is_scaled_to_8_bit():
    image = Image.fromarray(np.full((8, 8), 65535, dtype=np.uint16))
    data = encode(image, "PNG")
    assert Image.open(io.BytesIO(data)).mode in ("I;16", "I")
    opened = open_image(data)
    assert opened.mode == "RGB"
    assert tuple(np.asarray(opened)[0, 0]) == (255, 255, 255)
    half = open_image(encode(Image.fromarray(np.full((8, 8), 32896, dtype=np.uint16)), "PNG"))
    assert abs(int(np.asarray(half)[0, 0, 0]) - 128) <= 1


def test_palette_with_transparency():
    image = Image.new("P", (8, 8), 0)
    image.putpalette([0, 255, 0] + [255, 0, 0] * 255)
    image.info["transparency"] = 1
    image.putpixel((1, 1), 1)
    opened = open_image(encode(image, "PNG"))
    pixels = np.asarray(opened)
    assert tuple(pixels[0, 0]) == (0, 255, 0)
    assert tuple(pixels[1, 1]) == (255, 255, 255)


def test_animated_gif_takes_first_frame():
    frames = [Image.new("RGB", (10, 10), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    opened = open_image(buffer.getvalue())
    r, _, b = np.asarray(opened)[5, 5]
    assert r > 200 and b < 60


def test_tiny_and_extreme_aspect_images_open_and_preprocess():
    for size in ((1, 1), (10000, 10)):
        opened = open_image(encode(Image.new("RGB", size, (10, 20, 30)), "PNG"))
        assert opened.size == size
        array = to_model_input(opened, 64)
        assert array.shape == (64, 64, 3)


def test_path_and_file_object_sources(tmp_path):
    path = tmp_path / "shirt.png"
    Image.new("RGB", (5, 5), "white").save(path)
    assert open_image(path).size == (5, 5)
    assert open_image(str(path)).size == (5, 5)
    with open(path, "rb") as f:
        assert open_image(f).size == (5, 5)


def test_truncated_jpeg_is_refused():
    rng = np.random.default_rng(0)
    data = encode(Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)), "JPEG")
    with pytest.raises(InvalidImage, match="truncated") as refused:
        open_image(data[: len(data) // 2])
    assert refused.value.code == ImageErrorCode.TRUNCATED


def test_text_renamed_jpg_is_refused(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_text("this is not a picture\n")
    with pytest.raises(InvalidImage, match="not an image") as refused:
        open_image(path)
    assert refused.value.code == ImageErrorCode.NOT_AN_IMAGE


def test_empty_file_is_refused():
    with pytest.raises(InvalidImage, match="empty") as refused:
        open_image(b"")
    assert refused.value.code == ImageErrorCode.EMPTY_FILE


def test_decompression_bomb_is_refused_before_decoding():
    data = encode(Image.new("L", (3000, 3000), 0), "PNG")  # 9 M pixels, a few kB compressed
    with pytest.raises(InvalidImage, match=r"image too large: 9000000 pixels, limit 1000000") as refused:
        open_image(data, max_pixels=1_000_000)
    assert refused.value.code == ImageErrorCode.IMAGE_TOO_LARGE
    assert open_image(data, max_pixels=10_000_000).size == (3000, 3000)


def test_default_pixel_limit_comes_from_settings(settings):
    settings.UPLOAD_MAX_PIXELS = 100
    with pytest.raises(InvalidImage, match=r"limit 100$"):
        open_image(encode(Image.new("RGB", (20, 20)), "PNG"))


def test_model_input_shape_and_scale():
    image = Image.new("RGB", (400, 533), (255, 0, 127))
    array = to_model_input(image, 224)
    assert array.shape == (224, 224, 3)
    assert array.dtype == np.float32
    np.testing.assert_allclose(array[100, 100], [(255 - 127) / 128, -127 / 128, 0.0], atol=1e-6)
    assert array.min() >= -1.0 and array.max() <= 1.0


def test_a_batch_is_every_photos_model_input_value_for_value():
    """to_model_batch scales in place; its values are those of (x - 127) / 128 on each resized photo, bit for bit."""
    rng = np.random.default_rng(3)
    photos = [
        Image.fromarray(rng.integers(0, 256, (533, 400, 3), dtype=np.uint8)),
        Image.fromarray(rng.integers(0, 256, (90, 300), dtype=np.uint8), "L"),  # over-wide, grey
        Image.new("RGBA", (64, 64), (10, 200, 30, 0)),  # transparent: on white
    ]
    batch = to_model_batch(photos, 96)
    assert batch.shape == (3, 96, 96, 3) and batch.dtype == np.float32
    resized = photos[0].resize((96, 96), Image.Resampling.BILINEAR, reducing_gap=2.0)  # 3:4, nothing trimmed
    assert np.array_equal(batch[0], (np.asarray(resized, dtype=np.float32) - 127.0) / 128.0)
    for photo, row in zip(photos, batch, strict=True):
        assert np.array_equal(row, to_model_input(photo, 96))
    np.testing.assert_array_equal(batch[2], np.ones((96, 96, 3), dtype=np.float32))  # white: (255 - 127) / 128
    assert to_model_batch([], 96).shape == (0, 96, 96, 3)


def test_model_input_keeps_the_whole_portrait_photo():
    # A 3:4 photo is resized whole (not cropped): a marker at the very top survives.
    image = Image.new("RGB", (300, 400), (0, 0, 0))
    image.paste((255, 255, 255), (0, 0, 300, 10))
    array = to_model_input(image, 100)
    assert array[0, 50, 0] > 0.9


def test_an_image_beyond_pillows_own_limit_is_too_large_not_unreadable():
    # A PNG header announcing 20000 × 20000 pixels (400 M, past Pillow's hard limit): refused before decoding.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
    png = b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")
    with pytest.raises(InvalidImage, match="image too large"):
        open_image(png)


# -- colour profiles: a phone's Display P3, a camera's Adobe RGB, read in the colours the shopper saw

# sRGB's pure red, green and mid grey as the same colours' values in Display P3 and in Adobe RGB (LittleCMS and
# published conversions agree on these to a unit).
SRGB_PATCHES = ((255, 0, 0), (0, 255, 0), (128, 128, 128))
DISPLAY_P3_VALUES = ((234, 51, 35), (117, 251, 76), (128, 128, 128))
ADOBE_RGB_VALUES = ((219, 0, 0), (144, 255, 60), (128, 128, 128))


def patches(values, mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (3 * 8, 8))
    for i, value in enumerate(values):
        image.paste(value if mode == "RGB" else (*value, 255), (8 * i, 0, 8 * i + 8, 8))
    return image


def patch_colours(image: Image.Image) -> list[tuple[int, ...]]:
    pixels = np.asarray(image)
    return [tuple(int(v) for v in pixels[4, 8 * i + 4]) for i in range(3)]


def near(found, wanted, tolerance: int) -> bool:
    return all(abs(a - b) <= tolerance for f, w in zip(found, wanted, strict=True) for a, b in zip(f, w, strict=True))


@pytest.mark.parametrize(
    ("profile_name", "values"), [("display_p3", DISPLAY_P3_VALUES), ("adobe_rgb", ADOBE_RGB_VALUES)]
)
def test_a_wide_gamut_photo_is_read_in_the_colours_its_profile_gives(profile_name, values):
    profile = getattr(colour_profiles, profile_name)()
    tagged = open_image(encode(patches(values), "PNG", icc_profile=profile))
    untagged = open_image(encode(patches(values), "PNG"))
    assert near(patch_colours(tagged), SRGB_PATCHES, 3), patch_colours(tagged)
    assert patch_colours(untagged) == list(values)  # without a profile the values are sRGB already
    assert "icc_profile" not in tagged.info


def test_a_phones_display_p3_jpeg_is_read_in_srgb():
    data = encode(patches(DISPLAY_P3_VALUES), "JPEG", quality=95, icc_profile=display_p3())
    assert near(patch_colours(open_image(data)), SRGB_PATCHES, 6)


def test_an_srgb_profile_leaves_the_pixels_exactly_as_they_are():
    image = Image.fromarray(np.random.default_rng(3).integers(0, 256, (16, 16, 3), dtype=np.uint8))
    tagged = open_image(encode(image, "PNG", icc_profile=srgb_like()))
    assert np.array_equal(np.asarray(tagged), np.asarray(image))


def test_a_transparent_png_with_a_profile_is_converted_and_still_flattened_on_white():
    image = patches(DISPLAY_P3_VALUES, mode="RGBA")
    image.paste((0, 0, 0, 0), (0, 0, 4, 8))  # a transparent strip in the red patch
    opened = open_image(encode(image, "PNG", icc_profile=display_p3()))
    assert opened.mode == "RGB"
    assert near(patch_colours(opened), SRGB_PATCHES, 3)
    assert tuple(np.asarray(opened)[4, 1]) == (255, 255, 255)


@pytest.mark.parametrize("profile", [b"not a colour profile", b"\0" * 600, b"x" * (5 * 1024 * 1024)])
def test_a_broken_or_oversized_colour_profile_does_not_cost_the_photo(profile):
    # JPEG: it carries a profile of any size (PNG refuses one that inflates past 1 MB, below).
    opened = open_image(encode(patches(DISPLAY_P3_VALUES), "JPEG", quality=100, subsampling=0, icc_profile=profile))
    assert near(patch_colours(opened), DISPLAY_P3_VALUES, 3)


def test_a_png_whose_chunk_pillow_will_not_inflate_is_refused_as_damaged():
    with pytest.raises(InvalidImage) as refused:
        open_image(png_with_inflating_text())
    assert refused.value.code == ImageErrorCode.CORRUPT_IMAGE


def test_a_profile_for_another_colour_space_than_the_photos_is_ignored():
    # An RGB profile on a CMYK JPEG (a mislabelled export): the CMYK is converted as it always was.
    data = encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG", quality=95, icc_profile=display_p3())
    r, g, b = np.asarray(open_image(data))[8, 8]
    assert r > 200 and g < 60 and b < 60


def test_a_press_cmyk_photo_is_read_through_its_profile():
    # The press prints full black ink alone as a dark grey (L* 20, sRGB 48): Pillow's own conversion, all it has
    # without the profile, makes it pure black.
    image = Image.new("CMYK", (16, 16), (0, 0, 0, 255))
    with_profile = np.asarray(open_image(encode(image, "JPEG", quality=95, icc_profile=press_cmyk())))[8, 8]
    without = np.asarray(open_image(encode(image, "JPEG", quality=95)))[8, 8]
    assert all(abs(int(v) - 48) <= 6 for v in with_profile), with_profile
    assert all(int(v) <= 10 for v in without), without
