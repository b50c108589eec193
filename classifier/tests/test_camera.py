import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from classifier.camera import CAMERA_WORDS, CAMERAS, Camera, random_camera, rendered


def _scene() -> Image.Image:
    """A soft-edged scene: a pale garment with a red stripe on a dark wall, blurred once as a lens blurs it."""
    photo = Image.new("RGB", (64, 96), (50, 50, 55))
    ImageDraw.Draw(photo).rectangle((16, 24, 47, 71), fill=(200, 190, 180))
    ImageDraw.Draw(photo).rectangle((16, 44, 47, 51), fill=(170, 60, 50))
    return photo.filter(ImageFilter.GaussianBlur(1.5))


def _edge_strength(image: Image.Image) -> float:
    grey = np.asarray(image.convert("L"), dtype=np.float32)
    return float(np.abs(np.diff(grey, axis=1)).max())


def _spread(image: Image.Image) -> float:
    return float(np.asarray(image.convert("L"), dtype=np.float32).std())


def _saturation(image: Image.Image) -> float:
    pixels = np.asarray(image, dtype=np.float32)
    return float((pixels.max(axis=2) - pixels.min(axis=2)).mean())


def test_a_camera_that_changes_nothing_gives_the_same_pixels():
    photo = _scene()
    np.testing.assert_array_equal(np.asarray(rendered(photo, Camera())), np.asarray(photo))


def test_each_rendering_does_what_it_says_and_keeps_the_photos_size():
    photo = _scene()
    shown = {name: rendered(photo, camera) for name, camera in CAMERAS.items()}
    assert set(CAMERA_WORDS) == set(CAMERAS)
    assert all(image.size == photo.size and image.mode == "RGB" for image in shown.values())
    assert _edge_strength(shown["sharpened"]) > _edge_strength(photo) + 5
    assert _edge_strength(shown["sharpened_wide"]) > _edge_strength(photo) + 5
    assert _edge_strength(shown["soft"]) < _edge_strength(photo) - 2
    assert _spread(shown["contrasty"]) > _spread(photo) * 1.1
    assert _saturation(shown["saturated"]) > _saturation(photo) * 1.1
    compressed = np.asarray(shown["compressed"], dtype=np.int16)
    assert 0 < np.abs(compressed - np.asarray(photo, dtype=np.int16)).mean() < 10  # re-encoded: a little off


def test_random_cameras_are_drawn_within_their_ranges_and_repeat_with_the_seed():
    draws = [random_camera(np.random.default_rng(seed)) for seed in range(500)]
    assert draws[:20] == [random_camera(np.random.default_rng(seed)) for seed in range(20)]
    sharpened = [c for c in draws if c.sharpen_percent > 0]
    softened = [c for c in draws if c.blur_radius > 0]
    assert 0.5 < len(sharpened) / len(draws) < 0.7 and 0.12 < len(softened) / len(draws) < 0.28
    assert not any(c.sharpen_percent and c.blur_radius for c in draws)
    assert all(0.6 <= c.sharpen_radius <= 2.5 and 40 <= c.sharpen_percent <= 160 for c in sharpened)
    assert all(0.4 <= c.blur_radius <= 1.3 for c in softened)
    assert all(0.85 <= c.contrast <= 1.3 and 0.85 <= c.saturation <= 1.3 for c in draws)
    qualities = [c.jpeg_quality for c in draws if c.jpeg_quality is not None]
    assert 0.4 < len(qualities) / len(draws) < 0.6 and min(qualities) >= 30 and max(qualities) <= 95
