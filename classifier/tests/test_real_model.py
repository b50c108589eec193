"""The committed model (classifier/artifacts/current) on real test-split photos of the shared dataset."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from classifier.coparsing import (
    framed_photo,
    product_framings,
    read_mask,
    slot_boxes,
    studio_backdrop,
    studio_photo,
    worn_outfits,
)
from classifier.dataset import load_samples
from classifier.evaluation import (
    OutfitTruth,
    app_screenshot,
    reframed,
    score_boards,
    score_reframed,
    score_screenshots,
    score_turned,
    score_two_people,
    two_people,
)
from classifier.imaging import open_image
from classifier.predictor import get_predictor, load_predictor
from classifier.regions import grow_box, photo_box_to_frame, photo_in_screenshot, share_in_frame
from classifier.turns import box_on_turned, turned

pytestmark = pytest.mark.real_model

MODEL_DIR = Path(settings.BASE_DIR) / "classifier" / "artifacts" / "current"
CLEAR_COLORS = {"black", "white", "red", "blue", "green", "pink", "yellow"}


@pytest.fixture(scope="module")
def lite_predictor():
    if not (MODEL_DIR / "model.tflite").is_file():
        pytest.fail(f"no committed model at {MODEL_DIR}")
    return load_predictor(MODEL_DIR, backend="tflite")


def _photos(dataset_dir, dataset_rows, *, count: int, **match) -> list[tuple[dict, object]]:
    rows = sorted(
        (r for r in dataset_rows if r["split"] == "test" and all(r[k] == v for k, v in match.items())),
        key=lambda r: r["image"],
    )[:count]
    return [(r, open_image(dataset_dir / "images" / f"{r['image']}.jpg")) for r in rows]


# (class, its slot, how many of 6 test photos must land in that slot): floors well under the measured test recall,
# strict for the big clear classes, looser for hats and dresses (about 0.83 and 0.80 recall on the test split).
@pytest.mark.parametrize(
    ("top10_label", "slot", "at_least"),
    [
        ("pants", "bottom", 6),
        ("shorts", "bottom", 5),
        ("shoes", "shoes", 6),
        ("t-shirt", "top", 5),
        ("dress", "one_piece", 4),
        ("hat", "accessory", 4),
    ],
)
def test_slot_of_real_photos(lite_predictor, dataset_dir, dataset_rows, top10_label, slot, at_least):
    photos = _photos(dataset_dir, dataset_rows, count=6, top10_label=top10_label)
    predictions = lite_predictor.predict_batch([image for _, image in photos])
    slots = [p.slot.label for p in predictions]
    assert slots.count(slot) >= at_least, f"{top10_label}: {slots}"
    types = [p.type.label for p in predictions]
    assert types.count(top10_label) >= at_least - 1, f"{top10_label}: {types}"


def test_colour_of_clear_real_photos(lite_predictor, dataset_dir, dataset_rows):
    rows = sorted(
        (r for r in dataset_rows if r["split"] == "test" and not r["alt"] and r["color"] in CLEAR_COLORS),
        key=lambda r: r["image"],
    )[:24]
    images = [open_image(dataset_dir / "images" / f"{r['image']}.jpg") for r in rows]
    predicted = [p.color.label for p in lite_predictor.predict_batch(images)]
    right = sum(p == r["color"] for p, r in zip(predicted, rows, strict=True))
    # Measured strict accuracy on such photos is about 0.8; chance is 1/14.
    assert right >= 18, list(zip([r["color"] for r in rows], predicted, strict=True))


def test_prediction_shape_and_embedding(lite_predictor, dataset_dir, dataset_rows):
    (_, image), (_, other) = _photos(dataset_dir, dataset_rows, count=2, top10_label="pants")
    prediction = lite_predictor.predict(image)
    labels = json.loads((MODEL_DIR / "labels.json").read_text())
    assert prediction.model_version == labels["model_version"] == MODEL_DIR.resolve().name
    assert prediction.embedding.shape == (lite_predictor.embedding_dim,) and prediction.embedding.dtype == np.float32
    assert np.linalg.norm(prediction.embedding) == pytest.approx(1.0, abs=1e-3)
    assert 0.0 < prediction.type.confidence <= 1.0 and len(prediction.color.top3) == 3
    # Two pants are closer to each other than pants are to a shoe.
    shoe = _photos(dataset_dir, dataset_rows, count=1, top10_label="shoes")[0][1]
    second = lite_predictor.predict(other).embedding
    assert prediction.embedding @ second > prediction.embedding @ lite_predictor.predict(shoe).embedding


def test_keras_backend_agrees_with_tflite(lite_predictor, dataset_dir, dataset_rows, settings):
    pytest.importorskip("tensorflow")
    settings.CLASSIFIER_BACKEND = "keras"
    settings.CLASSIFIER_MODEL_DIR = MODEL_DIR
    get_predictor.cache_clear()
    try:
        keras_predictor = get_predictor()
        photos = [
            photo
            for label in ("shirt", "pants", "shoes", "dress")
            for photo in _photos(dataset_dir, dataset_rows, count=4, top10_label=label)
        ]
        lite = lite_predictor.predict_batch([image for _, image in photos])
        full = keras_predictor.predict_batch([image for _, image in photos])
        # The int8 export reads what the Keras model reads, up to near ties: on 120 validation photos the type agreed
        # for 113 and the colour for 115, the type's confidence within 0.02 (p50) and 0.09 (p95).
        same_type = sum(a.type.label == b.type.label for a, b in zip(lite, full, strict=True))
        same_color = sum(a.color.label == b.color.label for a, b in zip(lite, full, strict=True))
        assert same_type >= 13 and same_color >= 13, (same_type, same_color)
        gaps = [abs(a.type.confidence - b.type.confidence) for a, b in zip(lite, full, strict=True)]
        assert float(np.median(gaps)) < 0.05, gaps
    finally:
        get_predictor.cache_clear()


# A navy-and-white striped T-shirt of the CC0 test split (colors.csv: navy / white, pattern), checked by eye.
STRIPED_TEST_PHOTO = "05d01bf9-6ff5-4c5e-b946-b4ca004a125b"
# Floors under what lite0-224-v4 measured on these photos: 11 of 16 patterned and 16 of 16 solid photos read right;
# of 8 worn skirts (test split) 4 read as a bottom and 3 as a skirt; 10 of 10 outfit photos got two or more garments.
# lite0-224-v5 reads 11 of the 20 shoes below as their kind (4 different kinds) and 22 of the 32 audience photos right
# (women 8, men 4, kids 8, unisex 2 of 8); lite0-224-v4 read every shoe as "sandals".
PATTERN_FLOOR, SOLID_FLOOR = 8, 13
SHOE_KIND_FLOOR, AUDIENCE_FLOOR = 7, 16
SKIRT_SLOT_FLOOR, SKIRT_TYPE_FLOOR = 3, 2
OUTFIT_FLOOR = 8
# The first 16 shop-like framings of the test split's street photos (coparsing.product_framings), as they are and cut
# out onto a studio backdrop (coparsing.studio_photo): lite0-224-v13, with the gate fitted with both, lists or reads
# the featured garment's slot for 16 and 13 of them, and reads 1 and 0 of them whole as if laid flat. With the gate
# fitted without the studio framings, 7 of the studio ones were read flat.
FRAMED_SLOT_FLOOR = {False: 12, True: 10}
FRAMED_FLAT_CEILING = 3


def test_patterned_test_photos_read_as_patterned(lite_predictor, dataset_dir, dataset_rows):
    patterned = _photos(dataset_dir, dataset_rows, count=16, pattern="pattern")
    solid = _photos(dataset_dir, dataset_rows, count=16, pattern="solid")
    read_patterned = [p.pattern.label for p in lite_predictor.predict_batch([image for _, image in patterned])]
    read_solid = [p.pattern.label for p in lite_predictor.predict_batch([image for _, image in solid])]
    assert read_patterned.count("pattern") >= PATTERN_FLOOR, read_patterned
    assert read_solid.count("solid") >= SOLID_FLOOR, read_solid


def test_shoe_kinds_of_real_photos(lite_predictor, dataset_dir, dataset_rows):
    kinds = ("sneakers", "boots", "flats", "sandals", "slippers")
    photos = [photo for kind in kinds for photo in _photos(dataset_dir, dataset_rows, count=4, shoe_kind=kind)]
    assert len(photos) == 20
    read = [p.kind.label for p in lite_predictor.predict_batch([image for _, image in photos])]
    right = sum(label == row["shoe_kind"] for label, (row, _) in zip(read, photos, strict=True))
    assert right >= SHOE_KIND_FLOOR and len(set(read)) >= 3, read


def test_audience_of_real_photos(lite_predictor, dataset_dir, dataset_rows):
    audiences = ("women", "men", "kids", "unisex")
    photos = [
        photo for audience in audiences for photo in _photos(dataset_dir, dataset_rows, count=8, audience=audience)
    ]
    read = [p.audience.label for p in lite_predictor.predict_batch([image for _, image in photos])]
    right = sum(label == row["audience"] for label, (row, _) in zip(read, photos, strict=True))
    assert right >= AUDIENCE_FLOOR and len(set(read)) >= 3, read


def test_a_striped_test_photo_reads_as_patterned(lite_predictor, dataset_dir):
    # A blue-and-white striped long-sleeve of the CC0 test split (colors.csv: pattern).
    prediction = lite_predictor.predict(open_image(dataset_dir / "images" / f"{STRIPED_TEST_PHOTO}.jpg"))
    assert prediction.pattern.label == "pattern"
    assert prediction.garments == ()  # one garment laid flat: no garment list


def test_worn_skirts_read_as_skirts(lite_predictor, coparsing_dir):
    skirts = [
        (outfit, garment)
        for outfit in worn_outfits(coparsing_dir, "test", annotation="pixel")
        for garment in outfit.garments
        if garment.label == "skirt"
    ][:8]
    assert len(skirts) == 8
    readings = [
        lite_predictor.predict_crop(open_image(outfit.photo_path), grow_box(garment.box, 0.08))
        for outfit, garment in skirts
    ]
    assert [r.slot.label for r in readings].count("bottom") >= SKIRT_SLOT_FLOOR, [r.type.label for r in readings]
    assert [r.type.label for r in readings].count("skirt") >= SKIRT_TYPE_FLOOR, [r.type.label for r in readings]


def test_whole_outfit_photos_list_their_garments(lite_predictor, coparsing_dir):
    outfits = worn_outfits(coparsing_dir, "test", annotation="pixel", with_color=False)[:10]
    predictions = [lite_predictor.predict(open_image(o.photo_path)) for o in outfits]
    found = [{g.slot for g in p.garments} for p in predictions]
    assert sum(len(slots) >= 2 for slots in found) >= OUTFIT_FLOOR, found
    for prediction in predictions:
        for garment in prediction.garments:
            x0, y0, x1, y1 = garment.box
            assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 and garment.prediction.garments == ()
    # Shoes are found at the bottom of the photo, tops above bottoms.
    for prediction in predictions:
        boxes = {g.slot: g.box for g in prediction.garments}
        if "top" in boxes and "bottom" in boxes:
            assert boxes["top"][1] + boxes["top"][3] < boxes["bottom"][1] + boxes["bottom"][3]  # centres
        if "shoes" in boxes:
            assert boxes["shoes"][3] > 0.8  # shoes reach the bottom of the photo


def test_phone_and_shop_framings_of_whole_outfits_are_read_as_street_photos(lite_predictor, coparsing_dir):
    """The first 10 test street photos cut to 9:16 (the person filling the height, as a phone frames her;
    evaluation.score_reframed): through the model's own 4:3 trim, which drops an eighth at the bottom, 7 pairs of
    shoes of 10 and 25 garments of 32 were found with a fitting box; read as a street photo is framed
    (regions.street_view), 10 and 29. The same people on a studio backdrop in a 4:3 landscape shop photo: 6 of 31
    through the squeeze to a square, 22 through the street window around them. A box drawn around the shoes of each
    9:16 photo is read as shoes (its context comes from the same view)."""
    outfits = worn_outfits(coparsing_dir, "test", annotation="pixel", with_color=False)[:10]
    items = [OutfitTruth(o.image_id, 0, 0, {}, np.zeros((1, 1, 1))) for o in outfits]
    scored = score_reframed(lite_predictor, coparsing_dir, items, 16 / 9)
    assert scored["garments_present"] == 32 and scored["per_slot_found"]["shoes"] >= 0.9, scored
    assert scored["found_share"] >= 0.84, scored
    landscape = score_reframed(lite_predictor, coparsing_dir, items, 3 / 4, studio=True)
    assert landscape["garments_present"] == 31 and landscape["found_share"] >= 0.6, landscape
    drawn_shoes = 0
    for outfit in outfits:
        photo, cut_mask = reframed(open_image(outfit.photo_path), read_mask(coparsing_dir, outfit.image_id), 16 / 9)
        drawn_shoes += lite_predictor.predict_crop(photo, slot_boxes(cut_mask)["shoes"]).slot.label == "shoes"
    assert drawn_shoes >= 9, drawn_shoes


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_an_outfit_saved_as_an_apps_screenshot_is_read_from_the_photo_in_it(lite_predictor, coparsing_dir, dark):
    """The first 10 test street photos saved as screenshots of a social app (evaluation.app_screenshot). Read whole,
    13 (light) and 12 (dark) of their 32 garments were found with a fitting box; read from the photo inside
    (regions.photo_in_screenshot), 28 and 28. A box drawn around the shoes on each screenshot is read as the same
    box on the photo inside is (its context the photo's map, not the screenshot's), as shoes."""
    outfits = worn_outfits(coparsing_dir, "test", annotation="pixel", with_color=False)[:10]
    items = [OutfitTruth(o.image_id, 0, 0, {}, np.zeros((1, 1, 1))) for o in outfits]
    scored = score_screenshots(lite_predictor, coparsing_dir, items, dark=dark)
    assert scored["garments_present"] == 32 and scored["found_share"] >= 0.8, scored
    drawn_shoes = 0
    for outfit in outfits:
        screen, mask, _where = app_screenshot(open_image(outfit.photo_path), read_mask(coparsing_dir, outfit.image_id))
        frame = photo_in_screenshot(screen)
        assert frame is not None
        shoes = slot_boxes(mask)["shoes"]
        drawn = lite_predictor.predict_crop(screen, shoes)
        assert share_in_frame(shoes, frame, *screen.size) >= 0.5
        on_photo = photo_box_to_frame(shoes, frame, *screen.size)
        assert drawn.to_dict() == lite_predictor.predict_crop(screen.crop(frame), on_photo).to_dict()
        drawn_shoes += drawn.slot.label == "shoes"
    assert drawn_shoes >= 9, drawn_shoes


def test_outfit_boards_list_their_photos_and_garment_photos_are_not_cut(lite_predictor, dataset_dir):
    """The first 16 outfit boards of the CC0 test split (evaluation.board_pieces: rows and columns of three, 2 × 2
    grids and pairs, with and without gutters; a pair without a gutter is not taken for one by design), saved as
    JPEG: read whole, none listed a piece; read as boards (regions.board_cells), 10 did, with 32 of their 48 photos
    listed on themselves and 29 with their type (44 read alone). And 120 CC0 test photos of one garment each are
    never cut into a board (none of the 7,208 photos of both datasets is)."""
    samples = load_samples(dataset_dir, splits=["test"])
    scored = score_boards(lite_predictor, samples, "test", count=16)
    assert scored["pieces"] == 48, scored
    assert scored["read_as_board_share"] >= 0.5 and scored["listed_share"] >= 0.55, scored
    assert scored["type_share"] >= 0.5, scored
    photos = [open_image(sample.path) for sample in samples[:120]]
    assert not any(reading.board for reading in lite_predictor.predict_batch(photos))


def test_two_people_side_by_side_are_read_as_one_persons_outfit(lite_predictor, coparsing_dir):
    """The first 10 test street photos, each beside another of them (evaluation.two_people: two friends in one photo).
    Read whole, 2 of the 32 garments of the person counted were found with a fitting box, and most photos listed
    garments of both (4 in 9 read as one person's); read as the one with the most garments seen
    (regions.person_view), 29, every photo's garments on one person, and the reading says another is there. A photo
    of one person says nobody is beside her."""
    outfits = worn_outfits(coparsing_dir, "test", annotation="pixel", with_color=False)[:10]
    items = [OutfitTruth(o.image_id, 0, 0, {}, np.zeros((1, 1, 1))) for o in outfits]
    scored = score_two_people(lite_predictor, coparsing_dir, items)
    assert scored["garments_present"] == 32 and scored["found_share"] >= 0.8, scored
    assert scored["read_as_one_person_share"] >= 0.9, scored
    first, second = (open_image(o.photo_path) for o in outfits[:2])
    masks = [read_mask(coparsing_dir, o.image_id) for o in outfits[:2]]
    whole, _mask_a, _mask_b = two_people(first, masks[0], second, masks[1])
    assert lite_predictor.predict(whole).other_people == 1
    alone = lite_predictor.predict(first)
    assert alone.garments and alone.other_people == 0 and "other_people" not in alone.to_dict()


def test_garments_photographed_on_their_side_are_read_the_right_way_up(lite_predictor, dataset_dir):
    """The first 60 CC0 test photos of the 10-class subset, as uploaded upright and lying turned (a shirt photographed
    from the bed's side; evaluation.score_turned). On all 372 such test photos, v18 read the type of 0.901 upright but
    0.557 turned left, 0.669 upside down and 0.567 turned right; v19, reading a photo the right way up when its
    orientation branch calls it turned, 0.901, 0.860, 0.895 and 0.890, 3 upright photos turned by mistake. Of these
    60: 0.933 upright, 0.917 at each turn, the turn read right for 0.80 / 0.92 / 0.88 of them (left / upside down /
    right) and 1 upright photo turned."""
    samples = [s for s in load_samples(dataset_dir, splits=["test"]) if s.top10 is not None][:60]
    scored = score_turned(lite_predictor, samples)
    assert scored["photos"] == 60
    assert scored["0"]["turn"] >= 0.95, scored
    for turn in ("90", "180", "270"):
        assert scored[turn]["turn"] >= 0.7 and scored[turn]["type"] >= scored["0"]["type"] - 0.1, scored


def test_an_outfit_photo_lying_turned_lists_its_garments_with_boxes_on_the_photo_as_uploaded(
    lite_predictor, coparsing_dir
):
    """The first 5 test street photos turned a quarter each way (a phone photo whose EXIF orientation was lost). A
    photo of someone dressed is turned only when the branch is surer (0.8, turns.PERSON_THRESHOLD: a shop's landscape
    photo of a model is upright): 8 of the 10 are set upright (on validation 85 and 67 of 100), none the wrong way.
    Each one set upright is read as the upright photo is, garment for garment, and every box lies where the photo as
    uploaded shows the garment (its upright box, turned). A box drawn there is read on the photo turned upright, as on
    the upright one."""
    outfits = worn_outfits(coparsing_dir, "test", annotation="pixel", with_color=False)[:5]
    set_upright = 0
    for outfit in outfits:
        photo = open_image(outfit.photo_path)
        upright_read = lite_predictor.predict(photo)
        assert upright_read.garments and upright_read.turned == 0
        for turn in (90, 270):
            read = lite_predictor.predict(turned(photo, turn))
            assert read.turned in (0, turn), (outfit.image_id, turn)
            if not read.turned:
                continue
            set_upright += 1
            assert [g.slot for g in read.garments] == [g.slot for g in upright_read.garments]
            for mine, theirs in zip(read.garments, upright_read.garments, strict=True):
                assert mine.box == pytest.approx(box_on_turned(theirs.box, turn), abs=1e-6)
                assert mine.prediction.type == theirs.prediction.type
            first = upright_read.garments[0]
            drawn = lite_predictor.predict_crop(turned(photo, turn), box_on_turned(first.box, turn))
            on_upright = lite_predictor.predict_crop(photo, first.box)
            assert drawn.turned == turn and on_upright.turned == 0
            assert (drawn.type.label, drawn.color.label) == (on_upright.type.label, on_upright.color.label)
    assert set_upright >= 7, set_upright


@pytest.mark.parametrize("studio", [False, True], ids=["street", "studio"])
def test_shop_like_framings_are_read_as_worn_garments(lite_predictor, coparsing_dir, studio):
    """A shop's photo of a garment on a model (a street photo cut at the waist, or at the hem; with `studio`, the
    person cut out onto a plain backdrop first): the product lists the garments or, when it finds one, reads that
    garment's crop (worn_box); only a few are read whole, as if laid flat."""
    framings = [
        (outfit, framing)
        for outfit in worn_outfits(coparsing_dir, "test", annotation="pixel", with_color=False)
        for framing in product_framings(outfit)
        if framing.kind != "outer"  # the floors were measured before coat framings (evaluate_default_garment's)
    ][:16]
    assert len(framings) == 16
    slot_read = flat = 0
    for outfit, framing in framings:
        photo = open_image(outfit.photo_path)
        if studio:
            mask = read_mask(coparsing_dir, outfit.image_id)
            photo = studio_photo(photo, mask, studio_backdrop(outfit.image_id))
        reading = lite_predictor.predict(framed_photo(photo, framing.box))
        readings = [g.prediction for g in reading.garments] or [reading]
        if reading.worn_box is not None:
            x0, y0, x1, y1 = reading.worn_box
            assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 and reading.garments == ()
        flat += not reading.garments and reading.worn_box is None
        slot_read += any(r.slot.label == framing.garment.slot for r in readings)
    assert slot_read >= FRAMED_SLOT_FLOOR[studio], slot_read
    assert flat <= FRAMED_FLAT_CEILING, flat


def test_the_served_networks_backbone_comes_out_as_weights_its_outfit_map_reads(tmp_path, lite0_weights):
    pytest.importorskip("tensorflow")
    from classifier.backbones import build_backbone, save_lite0_weights_of_model  # noqa: PLC0415 - TensorFlow
    from classifier.training import reused_segmentation_head  # noqa: PLC0415

    model_dir = MODEL_DIR.resolve()
    out = tmp_path / "served.npz"
    save_lite0_weights_of_model(model_dir / "model.keras", out, imagenet_weights=lite0_weights)
    served = build_backbone("efficientnet_lite0", weights_path=out)
    assert reused_segmentation_head(model_dir, served).name == "segmentation_head"
    # ImageNet's own backbone is not the served one (it was fine-tuned): its map would read other features.
    with pytest.raises(ValueError, match="reads another backbone"):
        reused_segmentation_head(model_dir, build_backbone("efficientnet_lite0", weights_path=lite0_weights))
