"""The co-parsing reader: label mapping, masks, boxes, colours (real photos when the dataset is present)."""

from __future__ import annotations

import collections
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from classifier import coparsing
from classifier.dataset import worn_samples
from vocabulary import COLOR_CODES, SHOE_KINDS, SLOTS, TYPES


def test_mapping_uses_our_vocabulary():
    for name, mapping in coparsing.GARMENT_MAP.items():
        assert name in coparsing.LABELS
        assert mapping.slot in SLOTS
        assert TYPES[mapping.type].slot == mapping.slot
        assert mapping.kind is None or mapping.kind in SHOE_KINDS
    for name in ("skin", "hair", "null", "bag", "necklace", "tights", "socks"):
        assert name not in coparsing.GARMENT_MAP
    assert coparsing.GARMENT_MAP["cardigan"].slot == "outer"
    assert coparsing.GARMENT_MAP["leggings"].type == "pants"
    assert coparsing.GARMENT_MAP["pumps"].kind == "heels"
    assert coparsing.GARMENT_MAP["skirt"].slot == "bottom"


def test_slot_mask_and_boxes_on_a_synthetic_map():
    mask = np.zeros((100, 50), dtype=np.uint8)
    mask[10:40, 10:40] = coparsing.LABELS.index("t-shirt")
    mask[40:80, 15:35] = coparsing.LABELS.index("skirt")
    mask[90:98, 5:15] = coparsing.LABELS.index("boots")
    mask[90:98, 30:40] = coparsing.LABELS.index("boots")
    mask[0:10, 0:50] = coparsing.LABELS.index("hair")
    classes = coparsing.slot_mask(mask)
    assert classes[20, 20] == 1 + coparsing.DETECTION_SLOTS.index("top")
    assert classes[5, 5] == 0
    boxes = coparsing.slot_boxes(mask)
    assert set(boxes) == {"top", "bottom", "shoes"}
    assert boxes["shoes"] == pytest.approx((0.1, 0.9, 0.8, 0.98))  # both boots form one box
    assert boxes["top"] == pytest.approx((0.2, 0.1, 0.8, 0.4))
    # A slot under min_share of the photo (the boots: 160 of 5,000 pixels) is not a garment present.
    assert set(coparsing.slot_boxes(mask, min_share=0.04)) == {"top", "bottom"}


def test_mask_color_plain_and_multicolour():
    red = np.tile([[200, 30, 30]], (500, 1))
    assert coparsing.mask_color(red) == "red"
    navy = np.tile([[28, 36, 80]], (500, 1))
    assert coparsing.mask_color(navy) == "navy"
    red_white_blue = np.concatenate(
        [np.tile([[200, 30, 30]], (350, 1)), np.tile([[240, 240, 240]], (350, 1)), np.tile([[30, 136, 229]], (300, 1))]
    )
    assert coparsing.mask_color(red_white_blue) == "multicolor"
    mostly_red = np.concatenate([np.tile([[200, 30, 30]], (700, 1)), np.tile([[240, 240, 240]], (300, 1))])
    assert coparsing.mask_color(mostly_red) == "red"
    shaded = np.concatenate([np.tile([[20, 20, 20]], (300, 1)), np.tile([[30, 36, 72]], (200, 1))])
    assert coparsing.mask_color(shaded) == "black"  # near pair: shading, not two colours
    assert coparsing.mask_color(np.zeros((0, 3))) is None


def test_worn_outfits_reads_real_photos(coparsing_dir):
    assert coparsing.read_labels(coparsing_dir) == coparsing.LABELS
    outfits = {o.image_id: o for o in coparsing.worn_outfits(coparsing_dir, "train", annotation="pixel")[:20]}
    assert len(outfits) == 20
    first = outfits["0001"]  # blouse, skirt, vest, shoes (+ hair, skin, stockings, sunglasses not mapped)
    assert first.annotation == "pixel" and first.split == "train"
    labels = {g.label: g for g in first.garments}
    assert set(labels) == {"blouse", "skirt", "vest", "shoes"}
    skirt = labels["skirt"]
    assert skirt.slot == "bottom" and skirt.type == "skirt"
    x0, y0, x1, y1 = skirt.box
    assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
    assert labels["blouse"].box[1] < y0  # the blouse sits above the skirt
    assert labels["shoes"].box[1] > y0
    assert 0 < skirt.pixel_share < 0.5
    for outfit in outfits.values():
        for garment in outfit.garments:
            assert garment.color in COLOR_CODES


def test_a_skirt_the_dataset_labels_dress_is_read_as_a_skirt_unless_the_dataset_labels_are_asked_for(coparsing_dir):
    # Validation 0010: a striped blouse over a long grey skirt, labelled "dress" by the dataset.
    def labels_of(mask):
        return {coparsing.LABELS[v] for v in np.unique(mask)}

    assert {"skirt", "blouse"} <= labels_of(coparsing.read_mask(coparsing_dir, "0010"))
    assert "dress" not in labels_of(coparsing.read_mask(coparsing_dir, "0010"))
    outfit = next(
        o for o in coparsing.worn_outfits(coparsing_dir, "validation", with_color=False) if o.image_id == "0010"
    )
    assert "skirt" in outfit.tags and "dress" not in outfit.tags
    assert {(g.slot, g.type) for g in outfit.garments} >= {("bottom", "skirt"), ("top", "blouse")}
    with coparsing.dataset_labels():
        assert "dress" in labels_of(coparsing.read_mask(coparsing_dir, "0010"))
        outfit = next(
            o for o in coparsing.worn_outfits(coparsing_dir, "validation", with_color=False) if o.image_id == "0010"
        )
        assert "dress" in outfit.tags and "skirt" not in outfit.tags
    assert "skirt" in labels_of(coparsing.read_mask(coparsing_dir, "0010"))  # corrected again after the block


def test_every_label_correction_names_a_label_its_photo_holds(coparsing_dir):
    corrections = coparsing.label_corrections()
    assert len(corrections) == 68
    with coparsing.dataset_labels():
        outfits = {o.image_id: o for o in coparsing.worn_outfits(coparsing_dir, with_color=False, annotation="pixel")}
    for image_id, fixes in corrections.items():
        for label in fixes:
            assert label in outfits[image_id].tags, (image_id, label)


def test_every_worn_garment_of_the_pixel_annotated_photos_is_labelled_by_eye_once(coparsing_dir):
    """coparsing_worn_by_eye.csv holds one row per worn garment of the pixel-annotated photos of every split (the train
    split's to fit the worn colours on, the others' to score them), keyed as the reader gives them (labels
    corrected), and finds a garment under its dataset label too."""
    seen = coparsing.worn_by_eye()
    for split in ("train", "validation", "test"):
        keys = {tuple(s.image_id.split("-", 2)[1:]) for s in worn_samples(coparsing_dir, split)}
        labelled = {key for key, row in seen.items() if row.split == split}
        assert labelled == keys, split
    assert len(seen) == sum(len(worn_samples(coparsing_dir, split)) for split in ("train", "validation", "test"))
    assert coparsing.seen_colour("0010", "dress") == coparsing.seen_colour("0010", "skirt") is not None
    assert coparsing.seen_colour("0010", "hat") is None
    assert coparsing.seen_colour("0010", "skirt", "validation") is not None
    assert coparsing.seen_colour("0010", "skirt", "test") is None  # the tests' tiny photo 0010 is a test photo


def test_every_pair_of_shoes_worn_in_the_pixel_annotated_photos_has_its_kind_by_eye(coparsing_dir):
    """coparsing_shoes_by_eye.csv holds the kind of every pair of shoes a worn crop is cut for (worn_samples), in every
    split, and nothing but shoes of those photos; unsure rows say so."""
    seen = coparsing.shoes_by_eye()
    for split in ("train", "validation", "test"):
        cut = {
            tuple(s.image_id.split("-", 2)[1:]) for s in worn_samples(coparsing_dir, split) if s.type_code == "shoes"
        }
        labelled = {key for key, row in seen.items() if row.split == split}
        assert cut and cut <= labelled, split
        shoes = {
            (o.image_id, g.label)
            for o in coparsing.worn_outfits(coparsing_dir, split, annotation="pixel", with_color=False)
            for g in o.garments
            if g.slot == "shoes"
        }
        assert labelled <= shoes, split
    assert {row.kind for row in seen.values()} <= set(SHOE_KINDS)
    assert 0 < sum(row.unsure for row in seen.values()) < len(seen) / 4
    assert coparsing.seen_kind("0002", "pumps", "test") is not None and coparsing.seen_kind("0002", "hat") is None


def test_the_lower_chips_labelled_by_eye_are_read_whole(coparsing_dir):
    """coparsing_lower_chips_by_eye.csv: 1,333 bottoms and one-pieces listed in the photos with tags only, every split,
    boxes inside the photo, the top's box where one was listed; 836 seen well as a skirt, a dress, trousers, shorts or
    a jumpsuit."""
    chips = coparsing.lower_chips_by_eye()
    assert collections.Counter(chip.split for chip in chips) == {"train": 916, "validation": 199, "test": 218}
    assert {chip.garment for chip in chips} == set(coparsing.LOWER_CHIP_GARMENTS)
    boxes = [chip.box for chip in chips] + [chip.top_box for chip in chips if chip.top_box is not None]
    assert all(0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 for x0, y0, x1, y1 in boxes)
    tagged = {o.image_id for o in coparsing.worn_outfits(coparsing_dir, "test", annotation="image", with_color=False)}
    test_chips = coparsing.lower_chips_by_eye("test")
    assert [chip.image_id for chip in test_chips] == [c.image_id for c in chips if c.split == "test"]
    assert {chip.image_id for chip in test_chips} <= tagged
    seen = collections.Counter(c.garment for c in chips if not c.unsure and c.garment not in ("top", "outer", "none"))
    assert seen == {"pants": 395, "skirt": 203, "dress": 162, "shorts": 45, "jumpsuit": 31}


def test_image_annotated_photos_have_no_regions(coparsing_dir):
    outfits = coparsing.worn_outfits(coparsing_dir, "validation", annotation="image", with_color=False)
    assert len(outfits) > 100
    garments = [g for o in outfits for g in o.garments]
    assert garments and all(g.box is None and g.color is None for g in garments)
    with pytest.raises(ValueError):
        coparsing.worn_outfits(coparsing_dir, "dev")


@pytest.mark.parametrize(
    ("tags", "slot", "expected"),
    [
        (("t-shirt", "cardigan", "jeans", "hair"), "top", ("t-shirt", "t-shirt", None)),
        (("t-shirt", "cardigan", "jeans", "hair"), "outer", ("cardigan", "outwear", None)),
        (("jeans", "pants"), "bottom", ("jeans+pants", "pants", None)),  # two tags, one type: still one garment
        (("skirt", "pants"), "bottom", None),  # two bottoms named: which one the region shows is unknown
        (("t-shirt", "blouse"), "top", None),
        (("dress", "skin"), "top", None),  # the tags name no top: a region read as a top gets no label
        (("dress", "heels"), "one_piece", ("dress", "dress", None)),
        (("blouse", "dress"), "one_piece", None),  # a "dress" tagged with a top is mostly a skirt under it
        (("boots", "shoes"), "shoes", ("boots+shoes", "shoes", "boots")),  # the generic tag adds no kind
        (("heels", "pumps"), "shoes", ("heels+pumps", "shoes", "heels")),
        (("heels", "sandals"), "shoes", ("heels+sandals", "shoes", None)),  # two kinds: shoes, kind unknown
        (("clogs",), "shoes", ("clogs", "shoes", None)),
    ],
)
def test_tagged_garment_only_when_the_tags_are_unambiguous(tags, slot, expected):
    garment = coparsing.tagged_garment(tags, slot, (0.1, 0.2, 0.5, 0.6))
    if expected is None:
        assert garment is None
        return
    assert (garment.label, garment.type, garment.kind) == expected
    assert garment.slot == slot and garment.box == (0.1, 0.2, 0.5, 0.6) and garment.color is None


def _garment(label: str, box: tuple[float, float, float, float], share: float = 0.05) -> coparsing.WornGarment:
    mapping = coparsing.GARMENT_MAP[label]
    return coparsing.WornGarment(label, mapping.slot, mapping.type, mapping.kind, box=box, pixel_share=share)


def test_shop_like_framings_feature_a_bottom_a_bare_top_a_dress_without_a_coat_and_a_coat():
    def outfit(*garments: coparsing.WornGarment) -> coparsing.WornOutfit:
        return coparsing.WornOutfit("0001", "test", "pixel", Path("0001.jpg"), garments=list(garments))

    blouse = _garment("blouse", (0.3, 0.2, 0.7, 0.5))
    skirt = _garment("skirt", (0.32, 0.48, 0.68, 0.75))
    shoes = _garment("heels", (0.4, 0.9, 0.6, 1.0))
    framings = coparsing.product_framings(outfit(blouse, skirt, shoes))
    assert [(f.kind, f.garment.label) for f in framings] == [("upper", "blouse"), ("lower", "skirt")]
    upper, lower = (f.box for f in framings)
    assert upper == pytest.approx((0.2, 0.0, 0.8, 0.58))  # the person's width with a margin, head to below the top
    assert lower == pytest.approx((0.2, 0.40, 0.8, 1.0))  # from just above the skirt to the feet
    # A top under a coat is not what a shop would feature; a dress under a coat neither; shoes never. The coat is,
    # from the head to below its hem.
    coat = _garment("coat", (0.25, 0.18, 0.75, 0.8))
    framings = coparsing.product_framings(outfit(blouse, skirt, coat, shoes))
    assert [f.kind for f in framings] == ["lower", "outer"]
    assert framings[1].garment.label == "coat" and framings[1].box == pytest.approx((0.15, 0.0, 0.85, 0.92))
    dress = _garment("dress", (0.3, 0.2, 0.7, 0.7))
    framings = coparsing.product_framings(outfit(dress, shoes))
    assert [f.kind for f in framings] == ["dress"] and framings[0].box[3] == pytest.approx(0.82)
    assert [f.kind for f in coparsing.product_framings(outfit(dress, coat))] == ["outer"]
    # An open vest's sliver is not a shop's coat photo.
    vest = _garment("vest", (0.3, 0.2, 0.4, 0.5), share=0.02)
    assert [f.kind for f in coparsing.product_framings(outfit(blouse, skirt, vest))] == ["lower"]
    assert coparsing.product_framings(outfit(_garment("skirt", (0.3, 0.5, 0.7, 0.8), share=0.001))) == []


def test_a_framing_crops_the_photo():
    photo = Image.new("RGB", (400, 600))
    assert coparsing.framed_photo(photo, (0.2, 0.4, 0.8, 1.0)).size == (240, 360)


def test_a_studio_photo_keeps_the_person_and_puts_a_plain_backdrop_behind():
    photo = Image.new("RGB", (40, 60), (30, 120, 40))  # a green park
    mask = np.zeros((60, 40), dtype=np.uint8)
    mask[10:50, 12:28] = 42  # a skirt
    mask[0:10, 14:26] = 41  # skin (a face): part of the person, kept
    studio = np.asarray(coparsing.studio_photo(photo, mask, (238, 238, 236)))
    assert studio.shape == (60, 40, 3)
    assert tuple(studio[30, 20]) == (30, 120, 40) and tuple(studio[4, 20]) == (30, 120, 40)
    assert tuple(studio[30, 2]) == (238, 238, 236) and tuple(studio[55, 20]) == (238, 238, 236)
    edge = studio[30, 12]  # the cut-out's edge is softened, between the two
    assert 30 < edge[0] < 238
    assert {coparsing.studio_backdrop(f"{i:04d}") for i in range(1, 4)} == set(coparsing.STUDIO_BACKDROPS)
    assert coparsing.studio_backdrop("0007") == coparsing.studio_backdrop("0007")


def test_a_framed_mask_is_the_part_of_the_map_the_framed_photo_keeps():
    mask = np.arange(600 * 400).reshape(600, 400) % 251
    photo = Image.new("RGB", (400, 600))
    box = (0.2, 0.4, 0.8, 1.0)
    framed = coparsing.framed_mask(mask, box)
    assert framed.shape[::-1] == coparsing.framed_photo(photo, box).size == (240, 360)
    assert framed[0, 0] == mask[240, 80] and framed[-1, -1] == mask[599, 319]
