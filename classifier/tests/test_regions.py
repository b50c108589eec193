"""Garment regions: the model frame, crops, segmentation targets and detection post-processing (synthetic maps)."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image, ImageDraw

from classifier import regions
from classifier.evaluation import app_screenshot
from classifier.imaging import to_model_input
from classifier.regions import (
    DETECTION_SLOTS,
    board_cells,
    box_iou,
    box_slot_shares,
    clip_box,
    crop_to_box,
    detect_garments,
    frame_box_to_photo,
    garment_crop,
    is_outfit,
    main_components,
    map_slot_indices,
    model_frame,
    people_in_map,
    person_view,
    photo_box_to_frame,
    reconcile_garments,
    region_box_to_photo,
    segmentation_target,
    street_view,
    with_bottom_split,
    with_region_context,
)
from vocabulary import SLOTS, TYPE_CODES, TYPES


def _map(grid: int = 28) -> np.ndarray:
    """A probability map with a top (rows 4-11), a bottom (rows 12-21) and two shoes (rows 24-26), else none."""
    probs = np.zeros((grid, grid, 1 + len(DETECTION_SLOTS)), dtype=np.float32)
    probs[..., 0] = 1.0

    def paint(rows, cols, slot, p=0.9):
        k = 1 + DETECTION_SLOTS.index(slot)
        probs[rows, cols, :] = (1 - p) / len(DETECTION_SLOTS)
        probs[rows, cols, k] = p

    paint(slice(4, 12), slice(9, 19), "top")
    paint(slice(12, 22), slice(10, 18), "bottom")
    paint(slice(24, 27), slice(9, 12), "shoes")
    paint(slice(24, 27), slice(16, 19), "shoes")
    return probs


def test_detection_finds_one_region_per_slot_with_its_box():
    regions = detect_garments(_map(), min_cells=4, min_score=0.5)
    assert [r.slot for r in regions] == ["top", "bottom", "shoes"]
    top, bottom, shoes = regions
    assert top.box == pytest.approx((9 / 28, 4 / 28, 19 / 28, 12 / 28))
    assert shoes.box == pytest.approx((9 / 28, 24 / 28, 19 / 28, 27 / 28))  # both shoes in one box
    assert top.score == pytest.approx(0.9, abs=1e-3)
    assert bottom.area == pytest.approx(80 / 784)
    assert is_outfit(regions)


def test_detection_thresholds_drop_small_or_unsure_regions():
    probs = _map()
    assert "shoes" not in {r.slot for r in detect_garments(probs, min_cells=20, min_score=0.5)}
    unsure = _map()
    k = 1 + DETECTION_SLOTS.index("bottom")
    unsure[12:22, 10:18, k] = 0.4
    unsure[12:22, 10:18, 0] = 0.35
    assert "bottom" not in {r.slot for r in detect_garments(unsure, min_cells=4, min_score=0.5)}
    with pytest.raises(ValueError):
        detect_garments(np.zeros((4, 4, 3)))


def test_one_garment_is_not_an_outfit():
    probs = np.zeros((28, 28, 6), dtype=np.float32)
    probs[..., 0] = 1.0
    probs[5:20, 5:20] = 0.0
    probs[5:20, 5:20, 1] = 1.0  # one big top
    regions = detect_garments(probs)
    assert [r.slot for r in regions] == ["top"] and not is_outfit(regions)


def test_model_frame_matches_to_model_input():
    # A tall 400x600 photo is trimmed to 400x533 around its centre, like imaging.center_aspect_crop.
    assert model_frame(400, 600) == (0, 33, 400, 566)
    assert model_frame(300, 400) == (0, 0, 300, 400)
    assert model_frame(800, 300) == (200, 0, 600, 300)
    photo = Image.new("RGB", (400, 600), "white")
    photo.paste((255, 0, 0), (0, 0, 400, 33))  # the trimmed band never reaches the model
    assert to_model_input(photo, 32).max() == pytest.approx(1.0)
    assert (to_model_input(photo, 32)[..., 1] > 0.9).all()
    box = frame_box_to_photo((0.0, 0.0, 1.0, 1.0), model_frame(400, 600), 400, 600)
    assert box == pytest.approx((0.0, 33 / 600, 1.0, 566 / 600))


def test_crop_to_box_and_box_checks():
    image = Image.new("RGB", (100, 200))
    assert crop_to_box(image, (0.1, 0.25, 0.5, 0.75)).size == (40, 100)
    assert crop_to_box(image, (0.1, 0.25, 0.5, 0.75), margin=0.25).size == (60, 150)
    assert crop_to_box(image, (0.5, 0.5, 0.51, 0.51)).size == (8, 8)  # never smaller than 8 px a side
    assert clip_box((-1, 0, 2, 1)) == (0.0, 0.0, 1.0, 1.0)
    for bad in ((0.5, 0.5, 0.4, 0.9), (0.1, 0.2, 0.3)):
        with pytest.raises(ValueError):
            clip_box(bad)
    assert box_iou((0, 0, 0.5, 0.5), (0, 0, 0.5, 0.5)) == pytest.approx(1.0)
    assert box_iou((0, 0, 0.5, 0.5), (0.25, 0, 0.75, 0.5)) == pytest.approx(1 / 3)
    assert box_iou((0, 0, 0.1, 0.1), (0.5, 0.5, 1, 1)) == 0.0


def test_segmentation_target_is_class_shares_in_the_model_frame():
    classes = np.zeros((120, 90), dtype=np.uint8)  # 3:4, no trim
    classes[:60] = 1  # top half: top
    classes[60:, :45] = 2  # bottom-left quarter: bottom
    target = segmentation_target(classes, 4)
    assert target.shape == (4, 4, 6)
    np.testing.assert_allclose(target.sum(axis=-1), 1.0)
    assert target[0, 0, 1] == pytest.approx(1.0)
    assert target[3, 0, 2] == pytest.approx(1.0) and target[3, 3, 0] == pytest.approx(1.0)


def test_stray_cells_do_not_stretch_a_box():
    probs = _map()
    k = 1 + DETECTION_SLOTS.index("bottom")
    probs[1, 1] = 0.0
    probs[1, 1, k] = 1.0  # one stray "bottom" cell in the corner
    bottom = next(r for r in detect_garments(probs, min_cells=4, min_score=0.5) if r.slot == "bottom")
    assert bottom.box == pytest.approx((10 / 28, 12 / 28, 18 / 28, 22 / 28))
    shoes = next(r for r in detect_garments(probs, min_cells=4, min_score=0.5) if r.slot == "shoes")
    assert shoes.box == pytest.approx((9 / 28, 24 / 28, 19 / 28, 27 / 28))  # both shoes kept (same size)


def test_photo_box_to_frame_undoes_frame_box_to_photo():
    width, height = 400, 600  # trimmed to 4:3 around the centre
    frame = model_frame(width, height)
    box = (0.2, 0.3, 0.7, 0.8)
    back = photo_box_to_frame(frame_box_to_photo(box, frame, width, height), frame, width, height)
    assert back == pytest.approx(box)
    # A photo box reaching past the trimmed window is clipped to the frame.
    assert photo_box_to_frame((0.0, 0.0, 1.0, 1.0), frame, width, height) == (0.0, 0.0, 1.0, 1.0)


def test_box_slot_shares_say_what_the_map_sees_in_a_box():
    probs = _map()
    bottom = DETECTION_SLOTS.index("bottom")
    shares = box_slot_shares(probs, (10 / 28, 13 / 28, 18 / 28, 21 / 28))  # inside the painted bottom
    assert shares.sum() == pytest.approx(1.0) and int(np.argmax(shares)) == bottom
    assert shares[bottom] == pytest.approx(0.9 / (0.9 + 4 * 0.02))
    # A box over the waist sees the top and the bottom, the bottom's cells more.
    waist = box_slot_shares(probs, (10 / 28, 9 / 28, 18 / 28, 20 / 28))
    assert waist[bottom] > waist[DETECTION_SLOTS.index("top")] > 0.2
    assert not box_slot_shares(probs, (0.0, 0.0, 4 / 28, 4 / 28)).any()  # nothing but "no garment" there


def test_region_context_turns_a_dress_reading_into_a_skirt_where_the_map_sees_a_bottom():
    slots = map_slot_indices(TYPE_CODES, {c: t.slot for c, t in TYPES.items()}, DETECTION_SLOTS)
    assert slots[TYPE_CODES.index("hat")] == -1  # the map has no accessory class
    crop = np.full(len(TYPE_CODES), 0.01)
    crop[TYPE_CODES.index("dress")], crop[TYPE_CODES.index("skirt")] = 0.55, 0.3
    crop /= crop.sum()
    shares = np.zeros(len(DETECTION_SLOTS))
    shares[DETECTION_SLOTS.index("bottom")], shares[DETECTION_SLOTS.index("one_piece")] = 0.8, 0.2
    fused = with_region_context(crop, shares, slots, weight=1.0, floor=0.05)
    assert fused.sum() == pytest.approx(1.0) and TYPE_CODES[int(np.argmax(fused))] == "skirt"
    # Weight 0, or a map that sees nothing there, leaves the crop's reading as it was.
    assert with_region_context(crop, shares, slots, weight=0.0, floor=0.05) == pytest.approx(crop)
    assert with_region_context(crop, np.zeros_like(shares), slots, weight=1.0, floor=0.05) == pytest.approx(crop)
    # A type the map cannot see (a hat) keeps only the floor's weight.
    hat = np.full(len(TYPE_CODES), 0.01)
    hat[TYPE_CODES.index("hat")] = 0.9
    assert with_region_context(hat / hat.sum(), shares, slots, weight=1.0, floor=0.05)[TYPE_CODES.index("hat")] < 0.9


def test_a_tall_garment_crop_is_padded_not_trimmed():
    photo = Image.new("RGB", (100, 300), (240, 240, 240))
    photo.paste((200, 20, 20), (40, 30, 60, 270))  # a long red dress, 20 x 240 px
    crop = garment_crop(photo, (0.3, 0.05, 0.7, 0.95))  # 40 x 270: taller than 4:3
    assert crop.size == (round(270 * 3 / 4), 270)
    # The whole dress is still there once the model trims to 4:3: hem and neckline included.
    seen = np.asarray(crop)
    red_rows = np.nonzero((seen[..., 0] > 150) & (seen[..., 1] < 80))[0]
    assert red_rows.min() <= 16 and red_rows.max() >= 252
    assert tuple(seen[0, 0]) == (240, 240, 240)  # padded with the crop's own border colour
    # A crop within 4:3 is left as it is.
    assert garment_crop(photo, (0.0, 0.0, 1.0, 0.4)).size == (100, 120)


def _slots(**probs: float) -> np.ndarray:
    row = np.full(len(SLOTS), 0.0)
    for slot, p in probs.items():
        row[SLOTS.index(slot)] = p
    return row


def test_reconcile_checks_the_detectors_garments_against_their_crops():
    # A street photo as the detector saw it (photo 0306 of the co-parsing test split, simplified): the blouse, bare
    # legs called trousers, a stray "coat", the red skirt called a dress, and the sandals.
    found = [
        ("top", (0.39, 0.18, 0.68, 0.39), 0.87),
        ("bottom", (0.54, 0.86, 0.64, 1.0), 0.66),
        ("outer", (0.61, 0.14, 0.71, 0.68), 0.48),
        ("one_piece", (0.32, 0.39, 0.64, 0.68), 0.54),
        ("shoes", (0.43, 0.93, 0.61, 1.0), 1.0),
    ]
    crops = [
        _slots(top=0.72, one_piece=0.14, outer=0.14),
        _slots(shoes=0.99, bottom=0.01),  # the "trousers" crop shows feet
        _slots(one_piece=0.51, bottom=0.31, outer=0.04, top=0.14),
        _slots(bottom=0.9, one_piece=0.1),  # the crop is sure: a skirt
        _slots(shoes=1.0),
    ]
    kept = reconcile_garments(found, crops, SLOTS, drop=0.1, reslot=0.8)
    assert kept == [(0, "top"), (3, "bottom"), (4, "shoes")]
    # Unsure crops leave the detector's slot; nothing dropped with drop 0 (one garment per slot still).
    assert reconcile_garments(found, crops, SLOTS, drop=0.0, reslot=1.01) == [
        (0, "top"),
        (1, "bottom"),
        (2, "outer"),
        (3, "one_piece"),
        (4, "shoes"),
    ]
    # Fewer than two garments left: not an outfit.
    assert reconcile_garments(found[:2], crops[:2], SLOTS, drop=0.1, reslot=1.01) == []


def test_grow_takes_in_the_unsure_edge_of_a_garment():
    probs = _map()
    bottom = 1 + DETECTION_SLOTS.index("bottom")
    # The hem of the skirt: rows 22-23 where the map leans to "no garment" but gives the bottom 0.35.
    probs[22:24, 10:18, :] = 0.0
    probs[22:24, 10:18, 0] = 0.65
    probs[22:24, 10:18, bottom] = 0.35
    plain = {r.slot: r.box for r in detect_garments(probs)}
    grown = {r.slot: r.box for r in detect_garments(probs, grow=0.3)}
    assert plain["bottom"][3] == pytest.approx(22 / 28) and grown["bottom"][3] == pytest.approx(24 / 28)
    assert grown["top"] == plain["top"] and grown["shoes"] == plain["shoes"]  # nothing else reaches 0.3 there
    assert {r.slot for r in detect_garments(probs, grow=0.5)} == set(plain)  # growing never adds a slot


def test_per_slot_settings_draw_one_slot_box_their_own_way():
    probs = _map()
    shoes = 1 + DETECTION_SLOTS.index("shoes")
    bottom = 1 + DETECTION_SLOTS.index("bottom")
    # The ankles above the shoes: the map gives the shoes 0.3 there (and the trousers' hem the same 0.3).
    probs[22:24, 9:19, :] = 0.0
    probs[22:24, 9:19, 0] = 0.4
    probs[22:24, 9:19, shoes] = 0.3
    probs[22:24, 10:18, bottom] = 0.3
    shared = {r.slot: r.box for r in detect_garments(probs, grow=0.25)}
    own = {r.slot: r.box for r in detect_garments(probs, grow=0.25, per_slot={"shoes": {"grow": None}})}
    assert shared["shoes"][1] == pytest.approx(22 / 28)  # grown up the ankles
    assert own["shoes"] == pytest.approx((9 / 28, 24 / 28, 19 / 28, 27 / 28))  # the shoes alone
    assert own["bottom"] == shared["bottom"] and own["bottom"][3] == pytest.approx(24 / 28)  # the hem still grows
    # keep_share per slot: with 0.6 a second shoe a third the size of the first is left out of the box.
    probs = _map()
    probs[24:27, 17:19, :] = probs[0, 0]  # the right shoe shrinks to column 16: 3 cells beside the left one's 9
    both = next(r for r in detect_garments(probs, keep_share=0.3) if r.slot == "shoes")
    left = next(
        r for r in detect_garments(probs, keep_share=0.3, per_slot={"shoes": {"keep_share": 0.6}}) if r.slot == "shoes"
    )
    assert both.box[2] == pytest.approx(17 / 28) and left.box[2] == pytest.approx(12 / 28)


def test_per_slot_thresholds_decide_whether_one_slot_is_found():
    probs = _map()  # each shoe 9 cells, 18 in all; the top 80
    assert "shoes" not in {r.slot for r in detect_garments(probs, min_cells=20, min_score=0.5)}
    found = detect_garments(probs, min_cells=20, min_score=0.5, per_slot={"shoes": {"min_cells": 10}})
    assert [r.slot for r in found] == ["top", "bottom", "shoes"]
    unsure = detect_garments(probs, min_cells=4, min_score=0.5, per_slot={"top": {"min_score": 0.95}})
    assert [r.slot for r in unsure] == ["bottom", "shoes"]


def test_per_slot_settings_refuse_unknown_slots_and_settings():
    with pytest.raises(ValueError, match="slots the map does not have"):
        detect_garments(_map(), per_slot={"hat": {"grow": 0.3}})
    with pytest.raises(ValueError, match="can set min_cells, min_score, grow, keep_share"):
        detect_garments(_map(), per_slot={"shoes": {"threshold": 0.1}})


def test_a_region_at_a_trimmed_edge_of_the_frame_reaches_the_photo_edge():
    # A tall 400x600 photo: the model sees rows 33-566 (the trim drops 33 rows at the top and the bottom).
    frame = model_frame(400, 600)
    shoes = region_box_to_photo((0.3, 0.9, 0.6, 1.0), frame, 400, 600)
    assert shoes == pytest.approx((0.3, (33 + 0.9 * 533) / 600, 0.6, 1.0))  # the feet go on below the frame
    hat = region_box_to_photo((0.4, 0.0, 0.6, 0.1), frame, 400, 600)
    assert hat[1] == 0.0 and hat[3] == pytest.approx((33 + 53.3) / 600)
    inside = (0.2, 0.3, 0.8, 0.7)
    assert region_box_to_photo(inside, frame, 400, 600) == frame_box_to_photo(inside, frame, 400, 600)
    # Sides the trim did not cut (left and right here, every side of a 3:4 photo) stay where the frame ends.
    assert region_box_to_photo((0.0, 0.3, 1.0, 0.7), frame, 400, 600)[::2] == pytest.approx((0.0, 1.0))
    assert region_box_to_photo((0.0, 0.0, 1.0, 1.0), model_frame(300, 400), 300, 400) == (0.0, 0.0, 1.0, 1.0)
    wide = model_frame(900, 300)  # trimmed left and right
    assert region_box_to_photo((0.0, 0.2, 0.5, 0.9), wide, 900, 300) == pytest.approx((0.0, 0.2, 0.5, 0.9))


def test_a_tall_phone_photo_is_seen_as_a_street_photo_is_framed():
    """A 9:16 photo (225x400) is padded at the sides with its border's colour to a street photo's 2:3 (267x400), which
    the model's trim then keeps as the street photos it learned from: rows 22-377, not 50-349 as its own trim would.
    Its frame in the photo's pixels runs past both sides, and a box reaching into the padding ends at the photo's
    edge; a street photo itself (267x400, 264x400, 280x400) is left as it is."""
    photo = Image.new("RGB", (225, 400), (200, 10, 10))
    ImageDraw.Draw(photo).rectangle((100, 300, 130, 399), fill=(0, 0, 0))  # a dark leg at the bottom
    view = street_view(photo)
    assert view is not None and view.image.size == (267, 400)
    assert view.image.getpixel((5, 200)) == (200, 10, 10) and view.image.getpixel((21 + 110, 390)) == (0, 0, 0)
    assert model_frame(225, 400) == (0, 50, 225, 350)
    frame = view.frame
    assert frame == (-21, 22, 246, 378)
    # The frame's middle is the photo's middle; the feet at the frame's bottom edge go on to the photo's.
    assert region_box_to_photo((0.25, 0.4, 0.75, 1.0), frame, 225, 400, sides=False) == pytest.approx(
        ((-21 + 0.25 * 267) / 225, (22 + 0.4 * 356) / 400, (-21 + 0.75 * 267) / 225, 1.0)
    )
    assert region_box_to_photo((0.0, 0.2, 1.0, 0.6), frame, 225, 400, sides=False)[::2] == (0.0, 1.0)
    assert region_box_to_photo((0.02, 0.2, 0.05, 0.6), frame, 225, 400, sides=False)[0] == 0.0  # in the padding
    for size in ((267, 400), (264, 400), (280, 400)):
        assert street_view(Image.new("RGB", size)) is None


def test_a_wide_photo_of_someone_dressed_is_seen_through_its_street_window_around_the_garments():
    """A square shop photo (600x600) of a model standing left of the middle: the view is its full-height 2:3 window
    (400x600) centred on the garments found, pushed back inside the photo at an edge, or the middle without them. A
    region at the window's side stays there (the garment's end is not the photo's); at the trimmed bottom it goes on
    to the photo's edge, as for any photo."""
    photo = Image.new("RGB", (600, 600), (240, 240, 240))
    ImageDraw.Draw(photo).rectangle((150, 50, 250, 599), fill=(20, 20, 120))
    view = street_view(photo, [(0.25, 0.1, 0.41, 0.5), (0.27, 0.5, 0.4, 0.95)])
    assert view is not None and view.image.size == (400, 600)
    assert view.frame == (0, 33, 400, 566)  # centred on x = 198: pushed right to start at the photo's left edge
    assert view.image.getpixel((200, 300)) == (20, 20, 120)
    assert street_view(photo, [(0.6, 0.1, 0.8, 0.9)]).frame == (200, 33, 600, 566)  # centred on x = 420: at the edge
    assert street_view(photo).frame == (100, 33, 500, 566)  # the middle
    landscape = street_view(Image.new("RGB", (800, 600)), [(0.45, 0.1, 0.55, 0.9)])
    assert landscape.image.size == (400, 600) and landscape.frame == (200, 33, 600, 566)
    box = region_box_to_photo((0.0, 0.5, 0.5, 1.0), landscape.frame, 800, 600, sides=False)
    assert box == pytest.approx((0.25, (33 + 0.5 * 533) / 600, 0.5, 1.0))
    assert street_view(Image.new("RGB", (300, 400))) is not None  # 3:4, wider than a street photo
    assert street_view(Image.new("RGB", (280, 400))) is None  # 1.43: as a street photo


def _people(*people: tuple[int, int, int, int]) -> np.ndarray:
    """A 28x28 map with a garment (a top, p = 0.9) over each (first row, last row, first column, last column)."""
    probs = np.zeros((28, 28, 1 + len(DETECTION_SLOTS)), dtype=np.float32)
    probs[..., 0] = 1.0
    for row0, row1, col0, col1 in people:
        probs[row0 : row1 + 1, col0 : col1 + 1] = [0.02, 0.9, 0.02, 0.02, 0.02, 0.02]
    return probs


def test_people_side_by_side_are_told_apart_by_the_empty_columns_between_them():
    """Two groups of garment cells with empty columns between them are two people, left to right, with their cells;
    one person whose legs leave a gap only at the bottom is one; a small stray group, or a wide one too short for a
    person (a bag at the hip), is nobody."""
    two = people_in_map(_people((4, 26, 3, 8), (5, 24, 17, 24)))
    assert two == [(3 / 28, 9 / 28, 23 * 6), (17 / 28, 25 / 28, 20 * 8)]
    legs = _people((4, 15, 10, 17), (16, 26, 10, 12), (16, 26, 15, 17))
    assert len(people_in_map(legs)) == 1
    assert len(people_in_map(_people((4, 26, 10, 16), (10, 12, 20, 21)))) == 1  # 6 stray cells
    assert len(people_in_map(_people((4, 26, 10, 16), (14, 18, 20, 25)))) == 1  # 30 cells but 5 rows tall
    assert people_in_map(np.tile([1.0, 0, 0, 0, 0, 0], (28, 28, 1))) == []


def test_of_two_people_the_one_with_more_garments_is_cut_out_and_framed_as_a_street_photo():
    """An 800x600 photo (its own model frame) whose map shows a person in columns 2-8 (161 cells) and another in
    16-20 (100): the first is cut out from the photo's left edge to the middle of the gap (12.5 of 28 columns, pixel
    358), padded at the sides to a street photo's 2:3 (400 wide) and seen through the model's trim; the view's frame
    is in the photo's pixels. A photo of one person has no such view."""
    photo = Image.new("RGB", (800, 600), (90, 90, 90))
    ImageDraw.Draw(photo).rectangle((100, 60, 250, 580), fill=(200, 20, 20))
    view = person_view(photo, people_in_map(_people((3, 25, 2, 8), (5, 24, 16, 20))), model_frame(800, 600))
    assert view is not None and view.image.size == (400, 600)
    assert view.frame == (-21, 33, 379, 566)
    assert view.image.getpixel((21 + 175, 300)) == (200, 20, 20)
    # The one on the right when it has more (columns 16-22, pixels 457-657): cut from the middle of the gap (pixel
    # 300) to the photo's edge, wider than a street photo, so seen through its 2:3 window centred on that person.
    right = person_view(photo, people_in_map(_people((3, 25, 2, 4), (5, 24, 16, 22))), model_frame(800, 600))
    assert right is not None and right.image.size == (400, 600) and right.frame == (357, 33, 757, 566)
    assert person_view(photo, people_in_map(_people((3, 25, 10, 16))), model_frame(800, 600)) is None


def test_main_components_joins_diagonal_cells_and_keeps_groups_by_their_share_of_the_largest():
    cells = np.zeros((6, 6), dtype=bool)
    cells[0, 0] = cells[1, 1] = cells[2, 2] = cells[2, 3] = True  # one group of 4 through diagonals, at the edge
    cells[5, 5] = cells[4, 5] = True  # a group of 2 in the far corner
    cells[0, 5] = True  # a lone cell
    diagonal = np.zeros_like(cells)
    diagonal[[0, 1, 2, 2], [0, 1, 2, 3]] = True
    corner = np.zeros_like(cells)
    corner[[4, 5], [5, 5]] = True
    # keep_share 0.3 of 4 cells is 1.2: the pair stays, the lone cell goes
    assert (main_components(cells, keep_share=0.3) == (diagonal | corner)).all()
    assert (main_components(cells, keep_share=0.6) == diagonal).all()
    assert (main_components(cells, keep_share=0.0) == cells).all()
    assert not main_components(np.zeros((6, 6), dtype=bool)).any()


def test_a_plain_backdrop_is_told_from_a_street_and_a_garment_on_it_from_the_paper():
    studio = Image.new("RGB", (300, 400), (238, 238, 236))
    ImageDraw.Draw(studio).rectangle((110, 40, 190, 400), fill=(60, 40, 30))  # a model reaching the photo's foot
    view = regions.backdrop_view(studio)
    backdrop = regions.plain_backdrop(view)
    assert backdrop is not None and np.allclose(backdrop, (238, 238, 236), atol=2)
    assert regions.on_backdrop(view, (0.0, 0.0, 0.3, 0.5), backdrop)  # a stretch of paper beside her
    assert not regions.on_backdrop(view, (0.35, 0.2, 0.65, 0.8), backdrop)  # her
    assert regions.backdrop_share(view, (0.3, 0.0, 0.7, 1.0), backdrop) == pytest.approx(0.33, abs=0.08)
    street = Image.fromarray(np.random.default_rng(1).integers(0, 255, (400, 300, 3), dtype=np.uint8))
    assert regions.plain_backdrop(regions.backdrop_view(street)) is None
    assert not regions.on_backdrop(view, (0.0, 0.0, 0.3, 0.5), None)


def test_a_bottom_split_shares_out_only_the_bottom_and_one_piece_mass():
    classes = ("none", "top", "bottom", "outer", "one_piece", "shoes")
    probs = np.array([[[0.1, 0.2, 0.1, 0.05, 0.5, 0.05], [0.5, 0.5, 0.0, 0.0, 0.0, 0.0]]], dtype=np.float32)
    split = with_bottom_split(probs, np.array([[0.75, 0.2]]), classes)
    np.testing.assert_allclose(split[0, 0], [0.1, 0.2, 0.45, 0.05, 0.15, 0.05], atol=1e-6)
    np.testing.assert_array_equal(split[0, 1], probs[0, 1])  # no bottom or one-piece mass: nothing to share
    np.testing.assert_allclose(split.sum(axis=-1), probs.sum(axis=-1), atol=1e-6)
    # A flattened split (as model.tflite's output vector gives it) is read cell by cell the same way.
    np.testing.assert_array_equal(with_bottom_split(probs, np.array([0.75, 0.2]), classes), split)
    assert probs[0, 0, 2] == np.float32(0.1)  # the map given is not changed


# -- a photo inside an app's screenshot


def _street_like_photo(seed: int = 0, size: tuple[int, int] = (400, 600)) -> Image.Image:
    """A busy photo: a street's shading and grain, a person-sized block of colour in the middle."""
    rng = np.random.default_rng(seed)
    width, height = size
    rows = np.linspace(60, 200, height)[:, None, None] + rng.normal(0, 18, (height, width, 3))
    photo = Image.fromarray(np.clip(rows, 0, 255).astype(np.uint8))
    ImageDraw.Draw(photo).rectangle((width // 3, height // 5, 2 * width // 3, 4 * height // 5), fill=(170, 30, 40))
    return photo


def _jpeg(image: Image.Image, quality: int = 80) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


@pytest.mark.parametrize("dark", [False, True])
@pytest.mark.parametrize("saved_as_jpeg", [False, True])
def test_the_photo_inside_an_apps_screenshot_is_found_where_it_is(dark, saved_as_jpeg):
    screen, _mask, (left, top, right, bottom) = app_screenshot(_street_like_photo(), dark=dark)
    if saved_as_jpeg:
        screen = _jpeg(screen)
    found = regions.photo_in_screenshot(screen)
    assert found is not None
    assert all(abs(a - b) <= 12 for a, b in zip(found, (left, top, right, bottom), strict=True)), (found, top, bottom)
    assert screen.crop(found).size == (found[2] - found[0], found[3] - found[1])


def test_a_light_band_inside_the_photo_does_not_cut_it_short():
    photo = _street_like_photo()
    ImageDraw.Draw(photo).rectangle((0, 280, photo.width, 290), fill=(255, 255, 255))  # a white wall's edge
    screen, _mask, (_left, top, _right, bottom) = app_screenshot(photo)
    frame = regions.photo_in_screenshot(screen)
    assert frame is not None and abs(frame[1] - top) <= 12 and abs(frame[3] - bottom) <= 12


def test_a_photo_whose_top_is_a_white_wall_behind_her_head_is_found_to_its_edge():
    """The top sixth of the photo a white wall, the app's own white, with her head in the middle of it: too much
    background in those rows to start the photo's block, but no app draws such rows next to a photo, so the box
    reaches the photo's top."""
    photo = _street_like_photo()
    ImageDraw.Draw(photo).rectangle((0, 0, photo.width, 100), fill=(255, 255, 255))
    ImageDraw.Draw(photo).ellipse((160, -20, 240, 100), fill=(120, 80, 60))  # cut by the frame at the top
    screen, _mask, (_left, top, _right, bottom) = app_screenshot(photo)
    frame = regions.photo_in_screenshot(screen)
    assert frame is not None and abs(frame[1] - top) <= 12 and abs(frame[3] - bottom) <= 12


def _flat_lay(seed: int = 1) -> Image.Image:
    """A garment laid on a light floor: grain and a little shading around it, as a phone photographs it."""
    rng = np.random.default_rng(seed)
    floor = np.clip(225 + np.linspace(-8, 8, 600)[:, None, None] + rng.normal(0, 4, (600, 400, 3)), 0, 255)
    photo = Image.fromarray(floor.astype(np.uint8))
    ImageDraw.Draw(photo).rectangle((30, 150, 370, 450), fill=(30, 40, 90))  # a wide sweater, folded square
    return photo


def _studio(seed: int = 2) -> Image.Image:
    """Someone on a shop's flat backdrop: backdrop beside the person on every row."""
    photo = Image.new("RGB", (400, 600), (242, 242, 242))
    ImageDraw.Draw(photo).rectangle((130, 40, 270, 580), fill=(40, 40, 40))
    return photo


@pytest.mark.parametrize(
    "photo",
    [_street_like_photo(), _flat_lay(), _studio(), Image.new("RGB", (400, 600), (255, 255, 255))],
    ids=["street photo", "garment on a floor", "studio photo", "blank"],
)
def test_photos_that_are_no_screenshot_are_read_whole(photo):
    assert regions.photo_in_screenshot(photo) is None
    assert regions.photo_in_screenshot(_jpeg(photo)) is None


def test_a_strip_no_screen_has_is_not_looked_at_whatever_it_holds():
    """A 40 × 40,000 image (the decoder's 1000:1 limit) with flat ends and a block in the middle: looked at as a
    screenshot, it cost 7.5 s and 1.3 GB; a phone's screen is never so tall, nor a tablet's so wide."""
    for size, block in (((40, 40_000), (0, 15_000, 40, 25_000)), ((40_000, 40), (15_000, 0, 25_000, 40))):
        strip = Image.new("RGB", size, (255, 255, 255))
        ImageDraw.Draw(strip).rectangle(block, fill=(90, 20, 30))
        start = time.perf_counter()
        assert regions.photo_in_screenshot(strip) is None
        assert time.perf_counter() - start < 2.0


def test_boxes_go_between_the_screenshot_and_the_photo_inside_it():
    """Through the frame helpers the street view uses (frame_box_to_photo, photo_box_to_frame); a box counts as on
    the photo when half of it is (share_in_frame)."""
    size, frame = (100, 100), (0, 20, 100, 70)  # the photo: rows 20-70 of a 100 × 100 screenshot
    assert regions.frame_box_to_photo((0.5, 0.0, 1.0, 1.0), frame, *size) == pytest.approx((0.5, 0.2, 1.0, 0.7))
    back = regions.photo_box_to_frame(regions.frame_box_to_photo((0.1, 0.3, 0.6, 0.9), frame, *size), frame, *size)
    assert back == pytest.approx((0.1, 0.3, 0.6, 0.9))
    clipped = regions.photo_box_to_frame((0.2, 0.55, 0.8, 0.75), frame, *size)
    assert (
        clipped == pytest.approx((0.2, 0.7, 0.8, 1.0))
        and regions.share_in_frame((0.2, 0.55, 0.8, 0.75), frame, *size) >= 0.5
    )
    assert regions.share_in_frame((0.0, 0.75, 1.0, 0.95), frame, *size) < 0.5  # the caption: not on the photo


def _tile(colour: tuple[int, int, int], size: int = 200, seed: int = 0) -> Image.Image:
    """A photo-like tile: `colour` lit from one corner, with a darker garment-like block and mild noise."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(-25, 25, size)
    shade = (ramp[None, :] + ramp[:, None])[..., None]
    pixels = np.asarray(colour, dtype=np.float64)[None, None, :] + shade + rng.normal(0, 3, (size, size, 3))
    pixels[size // 4 : 3 * size // 4, size // 3 : 2 * size // 3] -= 60
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _board(columns: int, rows: int, gutter: int, colours) -> Image.Image:
    size = 200
    board = Image.new("RGB", (columns * size + (columns + 1) * gutter, rows * size + (rows + 1) * gutter), "white")
    for k, colour in enumerate(colours):
        board.paste(
            _tile(colour, size, k),
            (gutter + (k % columns) * (size + gutter), gutter + (k // columns) * (size + gutter)),
        )
    return board


COLOURS = [(200, 60, 60), (60, 90, 200), (120, 180, 90), (210, 190, 120)]


@pytest.mark.parametrize(
    ("columns", "rows", "gutter"),
    [(3, 1, 8), (1, 3, 8), (2, 2, 8), (2, 1, 8), (3, 1, 0), (1, 3, 0), (2, 2, 0)],
    ids=["row", "column", "grid", "pair", "row-no-gutter", "column-no-gutter", "grid-no-gutter"],
)
def test_an_outfit_boards_photos_are_found_row_by_row(columns, rows, gutter):
    """A board of photos in a row, a column or a 2 × 2 grid, with white gutters or none: each photo's cell is found
    within a few pixels of where it is (the gutters left out), row by row."""
    board = _board(columns, rows, gutter, COLOURS[: columns * rows])
    cells = board_cells(board)
    assert cells is not None and len(cells) == columns * rows
    for k, (left, top, right, bottom) in enumerate(cells):
        x0 = gutter + (k % columns) * (200 + gutter)
        y0 = gutter + (k // columns) * (200 + gutter)
        assert abs(left - x0) <= 8 + gutter and abs(top - y0) <= 8 + gutter, (k, cells)
        assert abs(right - (x0 + 200)) <= 8 + gutter and abs(bottom - (y0 + 200)) <= 8 + gutter, (k, cells)


def test_what_is_no_outfit_board_is_not_cut():
    """Two photos meeting at a seam with no gutter (too often a garment's hem on a bed), one photo, a photo with a
    flat band of its own colour across its middle (a red tee filling the frame), a striped shirt (a seam at every
    stripe), a blank image: none is a board."""
    assert board_cells(_board(2, 1, 0, COLOURS[:2])) is None
    assert board_cells(_tile(COLOURS[0])) is None
    rng = np.random.default_rng(1)
    tee = np.clip(rng.normal(0, 3, (300, 300, 3)) + np.array([200, 30, 30]), 0, 255).astype(np.uint8)
    tee[:, :50] = np.asarray(_tile((150, 150, 160), 300))[:, :50]  # the bed at its left
    tee[140:160] = (200, 30, 30)  # the fabric, one flat colour from edge to edge
    assert board_cells(Image.fromarray(tee)) is None
    shirt = np.full((300, 300, 3), 225.0)
    for row in range(8, 300, 25):  # a striped shirt filling the frame: a seam at every stripe, two of them at thirds
        shirt[row : row + 3] = (170, 30, 40)
    shirt += np.linspace(-20, 20, 300)[None, :, None] + rng.normal(0, 3, (300, 300, 3))  # lit from one side
    striped = np.clip(shirt, 0, 255).astype(np.uint8)
    assert board_cells(Image.fromarray(striped)) is None
    assert board_cells(Image.new("RGB", (600, 200), "white")) is None
    assert board_cells(Image.new("RGB", (10, 10))) is None
    assert board_cells(_board(3, 1, 8, COLOURS[:3]).resize((1200, 40))) is None  # a strip, however cut
