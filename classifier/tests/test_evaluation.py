"""Scoring rules: which predictions count as right for each head."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from classifier import coparsing
from classifier.benchmark import cpu_summary
from classifier.coparsing import worn_outfits
from classifier.dataset import Sample
from classifier.evaluation import (
    OutfitTruth,
    _exported_from,
    chip_type,
    confusion_png,
    detections,
    flat_outfit_share,
    head_result,
    listed_right,
    reconciled,
    reframed,
    score,
    score_chips,
    score_framings,
    score_lighting,
    score_outfits,
    score_reframed,
    score_worn,
    slot_scores,
    tune_detection,
    tune_reconcile,
    tune_slots,
    worn_seen_line,
)
from classifier.lighting import LIGHTS, lit
from classifier.predictor import DetectedGarment, FakePredictor, HeadPrediction
from classifier.regions import DETECTION_SLOTS
from classifier.tests.factories import make_tiny_coparsing
from vocabulary import COLOR_CODES, PATTERN_CODES, SHOE_KINDS, SLOTS, TYPE_CODES


def sample(type_code: str | None, top10: str | None, color: str, alt: str | None = None) -> Sample:
    return Sample("id", Path("x.jpg"), "test", "label", type_code, top10, color, alt)


def one_hot(codes, labels, *, second: dict[int, str] | None = None) -> np.ndarray:
    probs = np.zeros((len(codes), len(labels)))
    for i, code in enumerate(codes):
        probs[i, labels.index(code)] = 0.6
        if second and i in second:
            probs[i, labels.index(second[i])] = 0.4
    return probs


def test_restricted_top10_ignores_types_outside_the_subset():
    samples = [sample("shirt", "shirt", "white"), sample("pants", "pants", "blue"), sample("polo", None, "red")]
    # Photo 0: "polo" wins overall (not in the 10 classes) but "shirt" is the best of the 10.
    types = one_hot(["polo", "shorts", "polo"], TYPE_CODES, second={0: "shirt"})
    colors = one_hot(["white", "navy", "orange"], COLOR_CODES)
    result = score("test", samples, types, colors)
    assert result.top10_restricted.count == 2
    assert result.top10_restricted.accuracy == pytest.approx(0.5)  # shirt right, pants->shorts wrong
    assert result.top10_unrestricted_accuracy == pytest.approx(0.0)
    assert result.type.accuracy == pytest.approx(1 / 3)  # only the polo
    assert result.slot.accuracy == pytest.approx(1.0)  # every mistake stayed in its slot (top, bottom)
    assert result.color_strict.accuracy == pytest.approx(1 / 3)


def test_colour_alt_counts_and_colour_only_photos_are_scored():
    samples = [sample("pants", "pants", "blue", "navy"), sample(None, None, "gray"), sample("hat", "hat", "red")]
    types = one_hot(["pants", "hat", "hat"], TYPE_CODES)
    colors = one_hot(["navy", "gray", "pink"], COLOR_CODES)
    result = score("test", samples, types, colors)
    assert result.color_or_alt_accuracy == pytest.approx(2 / 3)
    assert result.color_strict.accuracy == pytest.approx(1 / 3)
    assert result.color_strict.count == 3  # the Not-sure photo counts for colour ...
    assert result.type.count == 2 and result.slot.count == 2  # ... but not for type or slot


def test_worn_regions_are_scored_strictly_and_with_tops_and_outer_layers_alike():
    worn = [
        Sample("a", Path("x.jpg"), "test", "t-shirt", "t-shirt", None, "red", None, source="coparsing"),
        Sample("b", Path("x.jpg"), "test", "blazer", "outwear", None, "black", None, source="coparsing"),
        Sample("c", Path("x.jpg"), "test", "skirt", "skirt", None, "red", None, source="coparsing"),
        Sample("d", Path("x.jpg"), "test", "dress", "dress", None, "red", None, source="coparsing"),
    ]
    # The tee read as an outer layer and the blazer as a shirt (layers swapped), the skirt right, the dress a skirt.
    out = {
        "type": one_hot(["outwear", "shirt", "skirt", "skirt"], TYPE_CODES),
        "color": one_hot(["red", "black", "red", "red"], COLOR_CODES),
        "kind": np.full((4, 6), 1 / 6),
    }
    scored = score_worn(worn, out)
    assert scored["slot"]["accuracy"] == pytest.approx(1 / 4)
    assert scored["slot_top_outer_interchangeable"] == pytest.approx(3 / 4)  # the dress read as a skirt stays wrong


def test_worn_colour_and_pattern_are_scored_against_what_a_person_sees():
    """score_worn's by-eye figures: only garments labelled by eye and seen well count; the read colour is right when it
    is the seen colour or its alternative; the mask's colour is scored the same way; pattern at argmax."""
    seen = coparsing.worn_by_eye()
    solid = next(k for k, v in seen.items() if v.pattern == "solid" and not v.unsure)
    patterned = next(k for k, v in seen.items() if v.pattern == "pattern" and not v.unsure)
    hidden = next(k for k, v in seen.items() if v.unsure)

    def sample(key: tuple[str, str] | None, mask_colour: str) -> Sample:
        name, split = (f"ccp-{key[0]}-{key[1]}", seen[key].split) if key else ("a", "test")
        return Sample(name, Path("x.jpg"), split, "t-shirt", "t-shirt", None, mask_colour, None, source="coparsing")

    wrong = next(c for c in COLOR_CODES if c not in (seen[patterned].color, seen[patterned].alt))
    worn = [sample(solid, seen[solid].color), sample(patterned, wrong), sample(hidden, "red"), sample(None, "red")]
    out = {
        "type": one_hot(["t-shirt"] * 4, TYPE_CODES),
        "color": one_hot([seen[solid].color, wrong, "red", "red"], COLOR_CODES),
        "kind": np.full((4, 6), 1 / 6),
        "pattern": one_hot(["solid", "pattern", "pattern", "pattern"], PATTERN_CODES),
    }
    scored = score_worn(worn, out)
    assert scored["colour_by_eye"] == {
        "count": 2,
        "or_alt_accuracy": 0.5,
        "strict_accuracy": 0.5,
        "mask_color_or_alt": 0.5,
    }
    assert scored["pattern_by_eye"] == {
        "count": 2,
        "accuracy": 1.0,
        "patterned": 1,
        "patterned_found": 1,
        "solid_called_patterned": 0,
    }
    unlabelled = score_worn(worn[3:], {name: value[3:] for name, value in out.items()})
    assert "colour_by_eye" not in unlabelled and "pattern_by_eye" not in unlabelled
    # The same photo id and label in another split (another set's photo) is not the garment a person labelled.
    elsewhere = dataclasses.replace(worn[0], split="train" if seen[solid].split != "train" else "test")
    assert "colour_by_eye" not in score_worn([elsewhere], {name: value[:1] for name, value in out.items()})


def test_worn_shoe_kinds_are_scored_against_what_a_person_sees():
    """score_worn's "kind_by_eye": only shoes whose kind a person saw well count (coparsing.seen_kind), the kind at
    argmax, with how often heels are read and rightly; the evaluate_classifier line says it."""
    seen = coparsing.shoes_by_eye()
    colour_seen = coparsing.worn_by_eye()  # shoes whose colour was seen well too: the line needs colour figures

    def shoes(kind: str) -> tuple[str, str]:
        return next(
            k for k, v in seen.items() if v.kind == kind and not v.unsure and k in colour_seen
            and not colour_seen[k].unsure
        )  # fmt: skip

    heels, boots = shoes("heels"), shoes("boots")
    hidden = next(k for k, v in seen.items() if v.unsure)

    def sample(key: tuple[str, str]) -> Sample:
        return Sample(
            f"ccp-{key[0]}-{key[1]}", Path("x.jpg"), seen[key].split, "shoes", "shoes", None, "black", None,
            source="coparsing",
        )  # fmt: skip

    worn = [sample(heels), sample(boots), sample(hidden)]
    out = {
        "type": one_hot(["shoes"] * 3, TYPE_CODES),
        "color": one_hot(["black"] * 3, COLOR_CODES),
        "kind": one_hot(["heels", "heels", "sneakers"], SHOE_KINDS),
        "pattern": one_hot(["solid"] * 3, PATTERN_CODES),
    }
    kinds = score_worn(worn, out)["kind_by_eye"]
    assert (kinds["count"], kinds["accuracy"]) == (2, 0.5)
    assert (kinds["read"]["heels"], kinds["read_right"]["heels"], kinds["seen"]["heels"]) == (2, 1, 1)
    line = worn_seen_line(score_worn(worn, out))[0]
    assert "shoe kind 0.500 of 2 shoes (heels read 2, 1 of them heels, of 1)" in line
    assert "kind_by_eye" not in score_worn(worn[2:], {name: value[2:] for name, value in out.items()})


def test_a_tap_counts_as_read_as_seen_only_with_the_type_colour_and_pattern_a_person_sees(coparsing_dir):
    """score_chips on the first validation street photo, with a product that lists a chip on every garment worn at its
    true box, named with its type (or kind) and with the colour and pattern a person labelled, but one garment's
    colour wrong: every garment seen well is named as seen but that one."""
    outfit = worn_outfits(coparsing_dir, "validation", annotation="pixel")[0]
    worn = [g for g in outfit.garments if g.slot != "accessory" and (g.pixel_share or 0.0) >= 0.004]
    seen = {g.label: coparsing.seen_colour(outfit.image_id, g.label, "validation") for g in worn}
    well = [g for g in worn if seen[g.label] is not None and not seen[g.label].unsure]
    assert len(well) >= 2
    miscoloured = well[0]

    def head(label: str) -> HeadPrediction:
        return HeadPrediction(label, 0.9, [(label, 0.9)])

    class ListsWhatIsSeen(FakePredictor):
        def predict(self, image):
            reading = super().predict(image)
            chips = []
            for g in worn:
                colour = seen[g.label].color if seen[g.label] else "black"
                if g is miscoloured:
                    colour = next(c for c in COLOR_CODES if c not in (seen[g.label].color, seen[g.label].alt))
                prediction = dataclasses.replace(
                    reading,
                    type=head(g.type),
                    slot=head(g.slot),
                    color=head(colour),
                    pattern=head(seen[g.label].pattern if seen[g.label] else "solid"),
                    kind=head(g.kind or "sneakers"),
                )
                chips.append(DetectedGarment(slot=g.slot, box=g.box, score=0.9, prediction=prediction))
            return dataclasses.replace(reading, garments=tuple(chips))

    chips = score_chips(ListsWhatIsSeen(), coparsing_dir, "validation", limit=1)
    assert chips["photos"] == 1 and chips["named"] == chips["count"] == len(worn)
    assert (chips["seen"], chips["named_as_seen"]) == (len(well), len(well) - 1)


def test_macro_f1_and_confusion():
    result = head_result([0, 0, 1, 1], [0, 1, 1, 1], ["a", "b", "c"])
    assert result.confusion == [[1, 1, 0], [0, 2, 0], [0, 0, 0]]
    assert result.accuracy == pytest.approx(0.75)
    assert result.macro_f1 == pytest.approx(np.mean([2 / 3, 0.8]))  # "c" never occurs and is left out


def test_confusion_png(tmp_path):
    path = tmp_path / "confusion.png"
    confusion_png(head_result([0, 1], [0, 0], ["dress", "hat"]), path, title="type - test")
    with Image.open(path) as image:
        assert image.size[0] > 100 and image.mode == "RGB"


# The painted garments' boxes in _outfit_map, on square photos (the model frame is the whole photo).
_OUTFIT_TRUTH = {
    "top": (8 / 28, 2 / 28, 20 / 28, 10 / 28),
    "bottom": (9 / 28, 10 / 28, 19 / 28, 18 / 28),
    "shoes": (9 / 28, 25 / 28, 19 / 28, 27 / 28),
}


def _outfit_map(ankle_shoes: float) -> np.ndarray:
    """A 28×28 map of a top, trousers and two shoes, with ankles (rows 18-23) where the shoes have `ankle_shoes`."""
    probs = np.zeros((28, 28, 1 + len(DETECTION_SLOTS)), dtype=np.float32)
    probs[..., 0] = 1.0

    def paint(rows, cols, slot, p=0.9):
        probs[rows, cols, :] = (1 - p) / len(DETECTION_SLOTS)
        probs[rows, cols, 1 + DETECTION_SLOTS.index(slot)] = p

    paint(slice(2, 10), slice(8, 20), "top")
    paint(slice(10, 18), slice(9, 19), "bottom")
    paint(slice(25, 27), slice(9, 13), "shoes")
    paint(slice(25, 27), slice(15, 19), "shoes")
    probs[18:24, 9:19, :] = 0.0
    probs[18:24, 9:19, 0] = 1.0 - ankle_shoes
    probs[18:24, 9:19, 1 + DETECTION_SLOTS.index("shoes")] = ankle_shoes
    return probs


def test_slot_boxes_are_tuned_per_slot_and_only_where_that_helps():
    items = [OutfitTruth(f"{i}", 280, 280, _OUTFIT_TRUTH, _outfit_map(0.3)) for i in range(4)]
    shared = {"min_cells": 3, "min_score": 0.35, "keep_share": 0.1, "grow": 0.25}
    found, _ = slot_scores(items, [detections(i.segmentation, 280, 280, shared) for i in items], "shoes")
    assert found == 0.0  # grown up the ankles, the shoes' box misses theirs
    tuned = tune_slots(items, shared)
    assert set(tuned["chosen"]) == {"shoes"}  # the top and the trousers are found as well without their own
    assert tuned["chosen"]["shoes"]["grow"] in (None, 0.4, 0.5)
    with_own = {**shared, "per_slot": tuned["chosen"]}
    assert slot_scores(items, [detections(i.segmentation, 280, 280, with_own) for i in items], "shoes") == (1.0, 1.0)
    # tune_detection: trousers whose map fades to 0.3 below the knee need growing, the shoes must not grow; no
    # shared setting finds both, the shared one plus a slot's own does. It never changes the flat-photo check.
    faded = _outfit_map(0.3)
    faded[12:18, 9:19, :] = 0.0
    faded[12:18, 9:19, 0] = 0.7
    faded[12:18, 9:19, 1 + DETECTION_SLOTS.index("bottom")] = 0.3
    items = [OutfitTruth(f"{i}", 280, 280, _OUTFIT_TRUTH, faded) for i in range(4)]
    flat = np.zeros((2, 28, 28, 1 + len(DETECTION_SLOTS)), dtype=np.float32)
    flat[..., 0] = 1.0
    tuning = tune_detection(items, flat, [(280, 280)] * 2)
    assert max(t["found"] for t in tuning["trials"]) < 1.0
    assert len(tuning["chosen"]["per_slot"]) == 1 and tuning["per_slot_trials"]
    assert score_outfits(items, tuning["chosen"])["found_share"] == 1.0


def test_slot_boxes_keep_the_shared_settings_when_nothing_beats_them():
    items = [OutfitTruth(f"{i}", 280, 280, _OUTFIT_TRUTH, _outfit_map(0.0)) for i in range(3)]
    assert tune_slots(items, {"min_cells": 3, "min_score": 0.35, "keep_share": 0.1, "grow": 0.25})["chosen"] == {}


def test_cpu_summary_names_the_vector_instructions_the_speed_depends_on():
    avx2 = "model name\t: AMD EPYC\nflags\t\t: fpu sse2 avx avx2 fma\nmodel name\t: AMD EPYC\nflags\t\t: avx2\n"
    assert cpu_summary(avx2) == "AMD EPYC, 2 cores, AVX2 (no AVX-512 VNNI)"
    vnni = "model name\t: Intel Xeon\nflags\t\t: avx2 avx512f avx512_vnni\n"
    assert cpu_summary(vnni) == "Intel Xeon, 1 core, AVX-512 VNNI"
    assert cpu_summary("model name\t: Old\nflags\t\t: sse2\n").endswith("no AVX2")


def test_slot_thresholds_find_small_garments_unless_flat_photos_would_become_outfits():
    probs = _outfit_map(0.0)
    probs[25:27, 9:19] = probs[0, 0]  # the shoes shrink to two cells, fewer than the shared min_cells
    shoes = 1 + DETECTION_SLOTS.index("shoes")
    probs[26, 10:12, :] = 0.02
    probs[26, 10:12, shoes] = 0.9
    truth = {
        "top": (8 / 28, 2 / 28, 20 / 28, 10 / 28),
        "bottom": (9 / 28, 10 / 28, 19 / 28, 18 / 28),
        "shoes": (10 / 28, 26 / 28, 12 / 28, 27 / 28),
    }
    items = [OutfitTruth(f"{i}", 280, 280, truth, probs) for i in range(3)]
    shared = {"min_cells": 3, "min_score": 0.35, "keep_share": 0.1, "grow": None}
    assert slot_scores(items, [detections(i.segmentation, 280, 280, shared) for i in items], "shoes") == (0.0, 0.0)
    tuned = tune_slots(items, shared)["chosen"]
    assert tuned["shoes"]["min_cells"] == 2
    with_own = {**shared, "per_slot": tuned}
    assert slot_scores(items, [detections(i.segmentation, 280, 280, with_own) for i in items], "shoes") == (1.0, 1.0)
    # A flat photo of one top with a two-cell shoe-like spot: the shoes' own threshold would make it an outfit, so
    # with a flat-photo limit of 0 it is not taken.
    flat = np.zeros((1, 28, 28, 1 + len(DETECTION_SLOTS)), dtype=np.float32)
    flat[..., 0] = 1.0
    flat[0, 4:20, 4:20, 0] = 0.05
    flat[0, 4:20, 4:20, 1] = 0.95
    flat[0, 24, 5:7] = probs[26, 10]
    limited = tune_slots(items, shared, (flat, [(280, 280)], None, 0.0))["chosen"]
    assert "min_cells" not in limited.get("shoes", {})
    assert flat_outfit_share(flat, [(280, 280)], {**shared, "per_slot": tuned}) == 1.0  # why it was refused


def test_a_garment_its_own_crop_all_but_rules_out_is_never_listed_however_much_it_would_add():
    """The detector's coat photo: a coat and a skirt, and a one-piece the map saw where the coat is. Its crop gives
    one-piece 4%; the photo's truth also has a one-piece box there (an annotator's dress under the coat), so listing
    it would find one more garment. The tuning still drops it: the page would name it "Dress 0%"."""
    coat = (0.28, 0.18, 0.68, 0.53)
    skirt = (0.32, 0.50, 0.68, 0.69)
    truth = {"outer": coat, "bottom": skirt, "one_piece": coat}
    items = [OutfitTruth(f"{i}", 280, 280, truth, np.zeros((28, 28, 1 + len(DETECTION_SLOTS)))) for i in range(3)]

    def crop(**probs: float) -> np.ndarray:
        return np.array([probs.get(slot, 0.0) for slot in SLOTS])

    row = [
        ("outer", coat, 0.6, crop(outer=0.9, top=0.1)),
        ("bottom", skirt, 0.5, crop(bottom=0.95, one_piece=0.05)),
        ("one_piece", coat, 0.7, crop(bottom=0.44, outer=0.32, top=0.20, one_piece=0.04)),
    ]
    tuning = tune_reconcile(items, [row] * len(items))
    assert min(t["drop"] for t in tuning["trials"] if t["drop"] is not None) >= 0.05
    assert tuning["chosen"]["drop"] >= 0.05
    listed = reconciled([row], tuning["chosen"])[0]
    assert [slot for slot, *_ in listed] == ["outer", "bottom"]


def test_a_listed_garment_is_there_only_where_a_garment_of_its_slot_is():
    truth = {"bottom": (0.2, 0.0, 0.8, 0.7), "shoes": (0.3, 0.85, 0.7, 1.0)}
    listed = [
        ("bottom", (0.2, 0.05, 0.8, 0.7)),  # the trousers
        ("top", (0.2, 0.0, 0.8, 0.2)),  # a "top" over the hips of a waist-down photo: none in the frame
        ("shoes", (0.3, 0.5, 0.7, 0.7)),  # shoes listed on the knees
    ]
    assert listed_right(listed, truth) == [True, False, False]
    assert listed_right(listed, truth, iou=0.05) == [True, False, False]  # the knees do not touch the shoes' box
    assert listed_right([], truth) == []
    # Plain booleans where the map's boxes are NumPy floats: metrics.json stores their counts.
    numpy_truth = {slot: tuple(np.float64(v) for v in box) for slot, box in truth.items()}
    assert [type(ok) for ok in listed_right(listed, numpy_truth)] == [bool] * 3


def test_framings_count_the_garments_listed_against_the_map_of_the_frame(tmp_path):
    """Each tiny photo is framed from the waist down (its trousers or skirt) and from the head to the waist (its
    tee); whatever the frame, the product lists a bottom, an "outer" and shoes at the same places. From the waist
    down, only the bottom is there (no coat; the shoes' box is on the knees); to the waist, none is."""
    root = make_tiny_coparsing(tmp_path / "ccp")

    class ListsThree(FakePredictor):
        def predict(self, image):
            reading = super().predict(image)
            found = [
                ("bottom", (0.22, 0.12, 0.8, 0.7)),
                ("outer", (0.2, 0.0, 0.8, 0.3)),
                ("shoes", (0.3, 0.3, 0.7, 0.5)),
            ]
            garments = tuple(DetectedGarment(slot=slot, box=box, score=0.9, prediction=reading) for slot, box in found)
            return dataclasses.replace(reading, garments=garments)

    scored = score_framings(ListsThree(), root, "validation")  # two photos
    lower, upper = scored["per_kind"]["lower"], scored["per_kind"]["upper"]
    assert (lower["count"], lower["outfit"], lower["listed"], lower["listed_right"], lower["featured_boxed"]) == (
        2,
        2,
        6,
        2,
        2,
    )
    assert (upper["count"], upper["listed"], upper["listed_right"], upper["featured_boxed"]) == (2, 6, 0, 0)
    assert scored["listed_precision"] == round(2 / 12, 4) and scored["featured_boxed"] == 0.5
    json.dumps(scored)  # plain numbers, as metrics.json stores them (the map's boxes are NumPy floats)


def test_a_reframing_cuts_or_widens_the_photo_and_its_mask_alike_and_scores_the_garments_in_it(tmp_path):
    """A street photo reframed to 9:16 keeps its middle columns, in the photo and in its mask alike; to 4:3 landscape it
    is widened with its border's colour, the mask with "nothing". score_reframed reads each reframed photo as served and
    counts the garments against the reframed mask's boxes, whose fractions are of the reframed photo."""
    root = make_tiny_coparsing(tmp_path / "ccp")
    item = worn_outfits(root, "validation", with_color=False, annotation="pixel")[0]
    photo, mask = coparsing.read_photo(root, item.image_id), coparsing.read_mask(root, item.image_id)
    cut, cut_mask = reframed(photo, mask, 16 / 9)
    assert cut.height == photo.height and cut.width == round(photo.height * 9 / 16) == cut_mask.shape[1]
    left = (photo.width - cut.width) // 2
    assert np.array_equal(cut_mask, mask[:, left : left + cut.width])
    assert np.array_equal(np.asarray(cut), np.asarray(photo)[:, left : left + cut.width])
    wide, wide_mask = reframed(photo, mask, 3 / 4)
    assert wide.size == (round(photo.height * 4 / 3), photo.height) and wide_mask.shape == (wide.height, wide.width)
    pad = (wide.width - photo.width) // 2
    assert np.array_equal(wide_mask[:, pad : pad + photo.width], mask) and not wide_mask[:, :pad].any()
    assert np.array_equal(np.asarray(wide)[:, pad : pad + photo.width], np.asarray(photo))

    seen = []

    class ListsTheShoesBox(FakePredictor):
        def predict(self, image):
            seen.append(image.size)
            reading = super().predict(image)
            box = coparsing.slot_boxes(reframed(photo, mask, 16 / 9)[1])["shoes"]
            garments = (DetectedGarment(slot="shoes", box=box, score=0.9, prediction=reading),)
            return dataclasses.replace(reading, garments=garments)

    truths = [OutfitTruth(item.image_id, photo.width, photo.height, {}, np.zeros((1, 1, 1)))]
    scored = score_reframed(ListsTheShoesBox(), root, truths, 16 / 9)
    assert seen == [cut.size]
    assert scored["garments_present"] == len(coparsing.slot_boxes(cut_mask, min_share=0.002))
    assert scored["found_share"] == round(1 / scored["garments_present"], 4) and scored["precision"] == 1.0
    studio = score_reframed(ListsTheShoesBox(), root, truths, 1.0, studio=True)
    assert seen[-1] == (photo.height, photo.height) and studio["garments_present"] == scored["garments_present"]


def test_a_framings_featured_garment_is_counted_as_the_page_names_its_chip(tmp_path):
    """A chip listed as a bottom whose crop reads "dress" first and "skirt" second is named "Skirt" on the page (its
    type held to its slot): the waist-down framing of the skirt is read right, its slot too; the trousers' framing
    has the slot but not the type. Counted by the crop's own best type, neither would be."""
    root = make_tiny_coparsing(tmp_path / "ccp")

    class ListsASkirtReadAsADress(FakePredictor):
        def predict(self, image):
            reading = super().predict(image)
            crop = dataclasses.replace(
                reading,
                type=HeadPrediction("dress", 0.6, [("dress", 0.6), ("skirt", 0.3), ("pants", 0.05)]),
                slot=HeadPrediction("one_piece", 0.6, [("one_piece", 0.6), ("bottom", 0.35), ("top", 0.05)]),
            )
            found = [("bottom", (0.22, 0.12, 0.8, 0.7)), ("outer", (0.2, 0.0, 0.8, 0.3))]
            garments = tuple(DetectedGarment(slot=slot, box=box, score=0.9, prediction=crop) for slot, box in found)
            return dataclasses.replace(reading, garments=garments)

    lower = score_framings(ListsASkirtReadAsADress(), root, "validation")["per_kind"]["lower"]
    assert (lower["count"], lower["type_listed"], lower["slot_listed"]) == (2, 1, 2)


def test_chips_count_a_garment_as_read_right_only_where_a_chip_on_it_names_it(tmp_path):
    """The tiny photos' person wears a red tee, a skirt or trousers and sneakers. The product lists a red "t-shirt"
    on the tee, a "skirt" on the bottom, and "shoes" on the knees: the tee is listed and named with its colour in
    both validation photos, the skirt photo's bottom is named (the trousers' is listed, misnamed), and the sneakers
    are not listed at all (the chip lies on the knees)."""
    root = make_tiny_coparsing(tmp_path / "ccp")

    def head(label: str) -> HeadPrediction:
        return HeadPrediction(label, 0.9, [(label, 0.9)])

    class ListsThree(FakePredictor):
        def predict(self, image):
            reading = super().predict(image)
            found = [
                ("top", (0.3, 0.13, 0.7, 0.45), "t-shirt", "red"),
                ("bottom", (0.33, 0.45, 0.67, 0.8), "skirt", "black"),
                ("shoes", (0.33, 0.5, 0.67, 0.6), "shoes", "black"),
            ]
            garments = tuple(
                DetectedGarment(
                    slot=slot,
                    box=box,
                    score=0.9,
                    prediction=dataclasses.replace(reading, type=head(type_code), color=head(colour)),
                )
                for slot, box, type_code, colour in found
            )
            return dataclasses.replace(reading, garments=garments)

    tees = [g for o in worn_outfits(root, "validation") for g in o.garments if g.label == "t-shirt"]
    assert [g.color for g in tees] == ["red", "red"]  # the colour read from the mask: the chips' is right
    scored = score_chips(ListsThree(), root, "validation")
    assert (scored["photos"], scored["count"], scored["listed"], scored["named"], scored["named_colour"]) == (
        2,
        6,
        4,
        3,
        2,
    )
    assert scored["by_label"]["skirt"] == {
        "count": 1,
        "listed": 1,
        "named": 1,
        "named_colour": 0,
        "seen": 0,
        "named_as_seen": 0,
    }
    assert scored["by_label"]["pants"] == {
        "count": 1,
        "listed": 1,
        "named": 0,
        "named_colour": 0,
        "seen": 0,
        "named_as_seen": 0,
    }
    assert scored["per_slot"]["shoes"] == {
        "count": 2,
        "listed": 0,
        "named": 0,
        "named_colour": 0,
        "seen": 0,
        "named_as_seen": 0,
    }
    assert scored["named_share"] == 0.5
    # A photo read as one garment lists nothing to tap.
    assert score_chips(FakePredictor(), root, "validation")["listed"] == 0
    json.dumps(scored)


def test_a_chip_is_scored_by_the_name_the_page_gives_it():
    """The page names a chip by its crop's type held to the chip's slot: a one-piece chip whose crop reads "skirt"
    best is a dress there, and a bottom chip whose crop reads "dress" best is its best bottom type (skirt)."""
    reading = FakePredictor().predict(Image.new("RGB", (40, 60), (120, 30, 30)))

    def chip(slot: str, read_slot: str, *top3: tuple[str, float]) -> DetectedGarment:
        read = dataclasses.replace(
            reading,
            type=HeadPrediction(top3[0][0], top3[0][1], list(top3)),
            slot=HeadPrediction(read_slot, 0.8, [(read_slot, 0.8)]),
        )
        return DetectedGarment(slot=slot, box=(0.2, 0.4, 0.8, 0.9), score=0.7, prediction=read)

    assert chip_type(chip("one_piece", "bottom", ("skirt", 0.6), ("dress", 0.3))) == "dress"
    assert chip_type(chip("bottom", "one_piece", ("dress", 0.8), ("skirt", 0.12))) == "skirt"
    assert chip_type(chip("bottom", "one_piece", ("dress", 0.9), ("top", 0.05))) == "pants"  # the slot's own name
    assert chip_type(chip("bottom", "bottom", ("skirt", 0.7), ("pants", 0.2))) == "skirt"


def test_the_model_card_says_which_export_trained_the_map_with_phones():
    exported = {"artifact": "lite0-224-v14", "command": "python manage.py export_classifier a --map-with-phones"}
    graft = {"from": "worn-kind-donor", "source_quantization_kept": {"tensors_kept": 287, "checked_inputs": 12}}
    phones = {
        "from": "lite0-224-v14",
        "config": {"epochs": 8},
        "map_in_float": True,
        "source_quantization_kept": {"tensors_kept": 266, "checked_inputs": 12},
    }
    text = _exported_from(exported, graft, phones)
    assert "outfit map trained on for 8 epochs with phones" in text and "run in float" in text
    assert "backdrop" not in text
    studio = _exported_from(exported, graft, {**phones, "config": {"epochs": 8, "studio_copies": 1}})
    assert "as a mirror photo shows them; besides, a copy of each photo with its person cut out onto a plain" in studio
    both = _exported_from(exported, graft, {**phones, "config": {"epochs": 8, "studio_copies": 1, "lit_copies": 2}})
    assert "as a shop shoots a model and 2 copies in a random light (a warm lamp to cool shade" in both
    assert "shows them; besides, 2 copies in a random light" in _exported_from(
        exported, graft, {**phones, "config": {"epochs": 8, "lit_copies": 2}}
    )
    assert "every output but the map's comes out bit for bit" in text and "kind_worn" not in text
    # The kind branch inherited from an earlier export is not this one's: the map with phones of an earlier export
    # is not either.
    later = _exported_from({**exported, "artifact": "lite0-224-v15"}, graft, phones)
    assert "phones drawn" not in later and "kind_worn" in later


def test_a_photo_in_other_light_is_scaled_channel_by_channel_and_its_colour_scored_against_the_same_labels(tmp_path):
    """score_lighting reads each photo again as lit by LIGHTS and scores it against the labels of the photo as taken:
    a reader that calls a photo white only when its blue is at least four fifths of its red reads every white shirt
    right as taken, a little warm, in the shade and in the dim, and none of them under a warm lamp (red up, blue down);
    the 10-class type is scored beside it, on the photos of the 10 classes only."""
    white = lit(Image.new("RGB", (4, 4), (250, 250, 250)), LIGHTS["warm"])
    assert white.getpixel((0, 0)) == (255, 250, 200)  # clipped at white, blue down by a fifth
    assert lit(Image.new("RGB", (2, 2), (100, 100, 100)), LIGHTS["dim"]).getpixel((1, 1)) == (65, 65, 65)

    paths = []
    for i in range(3):
        paths.append(tmp_path / f"shirt{i}.png")
        Image.new("RGB", (8, 8), (240, 240, 235 + i)).save(paths[-1])
    samples = [
        Sample(f"s{i}", path, "validation", "Shirt", "shirt", "shirt" if i else None, "white", None)
        for i, path in enumerate(paths)
    ]

    class ReadsTheBlue:
        labels = SimpleNamespace(colors=list(COLOR_CODES), types=list(TYPE_CODES))

        def outputs(self, images):
            colour = np.zeros((len(images), len(COLOR_CODES)))
            for row, image in zip(colour, images, strict=True):
                r, _g, b = np.asarray(image, dtype=float).reshape(-1, 3).mean(0)
                row[COLOR_CODES.index("white" if b >= 0.8 * r else "beige")] = 1.0
            kind = np.zeros((len(images), len(TYPE_CODES)))
            kind[:, TYPE_CODES.index("shirt")] = 1.0
            return {"color": colour, "type": kind}

    figures = score_lighting(ReadsTheBlue(), samples, batch_size=2)
    assert figures["count"] == 3
    assert {name: block["color_or_alt"] for name, block in figures.items() if name != "count"} == {
        "as_taken": 1.0,
        "warm_mild": 1.0,
        "warm": 0.0,
        "cool": 1.0,
        "dim": 1.0,
    }
    assert all(block["top10_unrestricted"] == 1.0 for name, block in figures.items() if name != "count")
