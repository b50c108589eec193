"""Evaluating a predictor on a dataset split: per-head accuracy, macro-F1, confusion matrices, the model card.

Pure NumPy/Pillow (no TensorFlow): it runs whatever predictor it is given, normally the exported model.tflite, so the
figures describe what serving does.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import functools
import itertools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps
from tqdm import tqdm

from classifier import chip_gate, graphics, outer_kinds, probes, turns, wearers, worn_colours, worn_kinds
from classifier.camera import CAMERA_WORDS, CAMERAS, Camera, rendered
from classifier.coparsing import (
    ACCEPTED_TYPES,
    COLOR_AGREEMENT_NOTE,
    DETECTION_SLOTS,
    SeenColour,
    framed_mask,
    framed_photo,
    label_corrections,
    product_framings,
    read_mask,
    read_photo,
    seen_colour,
    seen_kind,
    shoe_chips_by_eye,
    slot_boxes,
    studio_version,
    worn_outfits,
)
from classifier.dataset import Sample, load_samples, sample_attribute, worn_garment_key, worn_samples
from classifier.imaging import open_image
from classifier.lighting import LIGHT_WORDS, LIGHTS, lit, random_light
from classifier.occluders import PLACES, occlude, photo_rng
from classifier.pixel_colors import with_pixel_colors
from classifier.predictor import (
    ATTRIBUTE_HEADS,
    CROP_MARGIN,
    DetectedGarment,
    chip_features,
    load_predictor,
    model_backed,
    slot_index,
    slot_probabilities,
)
from classifier.regions import (
    PER_SLOT_PARAMS,
    box_iou,
    detect_garments,
    fit_outfit_gate,
    garment_crop,
    is_outfit,
    map_slot_indices,
    model_frame,
    outfit_probability,
    photo_box_slot_shares,
    reconciled_garments,
    reframe,
    region_box_to_photo,
    with_region_context,
)
from vocabulary import (
    COLOR_CODES,
    PATTERN_CODES,
    SHOE_KINDS,
    SLOTS,
    TOP10_TYPES,
    TYPE_CODES,
    TYPES,
    type_named_in_slot,
)


@dataclass
class HeadResult:
    labels: list[str]
    accuracy: float
    macro_f1: float
    count: int
    # confusion[true][predicted], in `labels` order
    confusion: list[list[int]]

    def as_dict(self) -> dict:
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "count": self.count,
            "labels": self.labels,
            "confusion": self.confusion,
        }


@dataclass
class EvaluationResult:
    split: str
    count: int
    type: HeadResult
    top10_restricted: HeadResult
    top10_unrestricted_accuracy: float
    slot: HeadResult
    color_strict: HeadResult
    color_or_alt_accuracy: float
    extras: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "split": self.split,
            "count": self.count,
            "type": self.type.as_dict(),
            "top10": {
                "restricted": self.top10_restricted.as_dict(),
                "unrestricted_accuracy": round(self.top10_unrestricted_accuracy, 4),
            },
            "slot": self.slot.as_dict(),
            "color": {
                "or_alt_accuracy": round(self.color_or_alt_accuracy, 4),
                "strict": self.color_strict.as_dict(),
            },
            **self.extras,
        }

    def summary_lines(self) -> list[str]:
        return [
            f"{self.split}: {self.count} photos",
            f"  type (17 classes, {self.type.count} typed photos): accuracy {self.type.accuracy:.4f}, "
            f"macro-F1 {self.type.macro_f1:.4f}",
            f"  10-class subset ({self.top10_restricted.count} photos): accuracy restricted to the 10 classes "
            f"{self.top10_restricted.accuracy:.4f} (macro-F1 {self.top10_restricted.macro_f1:.4f}), "
            f"unrestricted {self.top10_unrestricted_accuracy:.4f}",
            f"  slot ({self.slot.count} typed photos): accuracy {self.slot.accuracy:.4f}, "
            f"macro-F1 {self.slot.macro_f1:.4f}",
            f"  colour ({self.color_strict.count} photos): colour-or-alt {self.color_or_alt_accuracy:.4f}, "
            f"strict main {self.color_strict.accuracy:.4f} (macro-F1 {self.color_strict.macro_f1:.4f})",
            *(
                f"  {head} ({self.extras[head]['count']} photos): accuracy {self.extras[head]['accuracy']:.4f}, "
                f"macro-F1 {self.extras[head]['macro_f1']:.4f}"
                for head in ATTRIBUTE_HEADS
                if head in self.extras
            ),
        ]


def head_result(true: Sequence[int], predicted: Sequence[int], labels: Sequence[str]) -> HeadResult:
    """Accuracy, macro-F1 over the classes present in truth or prediction, and the confusion matrix."""
    n = len(labels)
    confusion = np.zeros((n, n), dtype=np.int64)
    for t, p in zip(true, predicted, strict=True):
        confusion[t, p] += 1
    total = int(confusion.sum())
    accuracy = float(np.trace(confusion) / total) if total else 0.0
    f1s = []
    for k in range(n):
        tp = confusion[k, k]
        support, predicted_k = confusion[k].sum(), confusion[:, k].sum()
        if support == 0 and predicted_k == 0:
            continue
        f1s.append(2 * tp / (support + predicted_k))
    return HeadResult(list(labels), accuracy, float(np.mean(f1s)) if f1s else 0.0, total, confusion.tolist())


def _sample_image(sample: Sample) -> Image.Image:
    image = open_image(sample.path)
    return garment_crop(image, sample.box) if sample.box is not None else image


def model_outputs(
    predictor,
    samples: Sequence[Sample],
    *,
    batch_size: int = 32,
    workers: int = 4,
    progress: bool = True,
    worn: bool = False,
) -> dict[str, np.ndarray]:
    """Every head's probabilities (vocabulary order) for each sample's photo (its crop for worn garments), and the
    segmentation maps when the model has them. `worn`: the samples are garments someone wears, read as the product
    reads a worn garment's crop (its colour and pattern by the artifact's `worn_colour`)."""
    labels = getattr(predictor, "labels", None)
    colors = (list(getattr(labels, "colors", COLOR_CODES)), COLOR_CODES)
    order = {
        "type": (list(getattr(labels, "types", TYPE_CODES)), TYPE_CODES),
        "color": colors,
        "color_head": colors,
        "color_network": colors,
        "color_pixels": colors,
        "color_flat": colors,
    }
    for head, vocabulary in ATTRIBUTE_HEADS.items():
        order[head] = (list((getattr(labels, "heads", None) or {}).get(head, vocabulary)), vocabulary)
    order["pattern_flat"] = order["pattern"]
    columns: dict[str, list[np.ndarray]] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        bar = tqdm(total=len(samples), desc="evaluate", unit="img", disable=not progress)
        for start in range(0, len(samples), batch_size):
            chunk = samples[start : start + batch_size]
            images = list(pool.map(_sample_image, chunk))
            if hasattr(predictor, "outputs"):
                # A whole photo is read as served: turned upright when the orientation branch calls it turned.
                whole = getattr(predictor, "upright_outputs", predictor.outputs)
                out = predictor.outputs(images, worn=True) if worn else whole(images)
            else:  # the fake backend
                type_probs, color_probs, embeddings = predictor.probabilities(images)
                out = {"type": type_probs, "color": color_probs, "embedding": embeddings}
            for name, value in out.items():
                value = np.asarray(value)
                if name in order:
                    model_order, vocabulary = order[name]
                    value = value[:, [model_order.index(code) for code in vocabulary]]
                columns.setdefault(name, []).append(value)
            bar.update(len(chunk))
        bar.close()
    return {name: np.concatenate(parts) for name, parts in columns.items()}


def model_probabilities(
    predictor, samples: Sequence[Sample], *, batch_size: int = 32, workers: int = 4, progress: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Type and colour probabilities (vocabulary order) for each sample's photo."""
    out = model_outputs(predictor, samples, batch_size=batch_size, workers=workers, progress=progress)
    return out["type"], out["color"]


def attribute_results(samples: Sequence[Sample], heads: dict[str, np.ndarray]) -> dict[str, HeadResult]:
    """Accuracy and confusion of each attribute head over the samples that have its label (kind: shoes only)."""
    results = {}
    for head, labels in ATTRIBUTE_HEADS.items():
        if head not in heads:
            continue
        rows = [(i, sample_attribute(s, head)) for i, s in enumerate(samples)]
        rows = [(i, value) for i, value in rows if value is not None]
        if not rows:
            continue
        true = [labels.index(value) for _, value in rows]
        predicted = [int(np.argmax(heads[head][i])) for i, _ in rows]
        results[head] = head_result(true, predicted, labels)
    return results


def top_outer_alike_accuracy(slot_true: Sequence[int], slot_pred: Sequence[int]) -> float:
    """Slot accuracy (indices into SLOTS) counting a top read as an outer layer, and the reverse, as right: the issue's
    CC0 slot figure counts them so (a shirt worn open over a tee is either)."""
    layer = {SLOTS.index("top"), SLOTS.index("outer")}
    lenient = [t == p or (t in layer and p in layer) for t, p in zip(slot_true, slot_pred, strict=True)]
    return round(float(np.mean(lenient)), 4) if lenient else 0.0


def score(
    split: str,
    samples: Sequence[Sample],
    type_probs: np.ndarray,
    color_probs: np.ndarray,
    heads: dict[str, np.ndarray] | None = None,
) -> EvaluationResult:
    """Metrics from probabilities (rows aligned with samples, columns in vocabulary order); `heads` adds the
    attribute heads (pattern, audience, warmth, formality, kind)."""
    typed = [i for i, s in enumerate(samples) if s.type_code is not None]
    type_true = [TYPE_CODES.index(samples[i].type_code) for i in typed]
    type_pred = [int(np.argmax(type_probs[i])) for i in typed]
    type_res = head_result(type_true, type_pred, TYPE_CODES)

    top10 = [i for i, s in enumerate(samples) if s.top10 is not None]
    top10_columns = [TYPE_CODES.index(code) for code in TOP10_TYPES]
    top10_true = [TOP10_TYPES.index(samples[i].top10) for i in top10]
    top10_pred = [int(np.argmax(type_probs[i, top10_columns])) for i in top10]
    top10_res = head_result(top10_true, top10_pred, TOP10_TYPES)
    unrestricted = [TYPE_CODES[int(np.argmax(type_probs[i]))] == samples[i].top10 for i in top10]

    slot_true = [SLOTS.index(TYPES[str(samples[i].type_code)].slot) for i in typed]  # `typed`: type_code is set
    slot_pred = [
        slot_index(slot_probabilities(type_probs[i]), TYPE_CODES[int(np.argmax(type_probs[i]))]) for i in typed
    ]
    slot_res = head_result(slot_true, slot_pred, SLOTS)

    coloured = [i for i, s in enumerate(samples) if s.color is not None]
    color_true = [COLOR_CODES.index(samples[i].color) for i in coloured]
    color_pred = [int(np.argmax(color_probs[i])) for i in coloured]
    color_res = head_result(color_true, color_pred, COLOR_CODES)
    or_alt = [COLOR_CODES[p] in (samples[i].color, samples[i].alt) for p, i in zip(color_pred, coloured, strict=True)]
    extras: dict = {"slot_top_outer_interchangeable": top_outer_alike_accuracy(slot_true, slot_pred)}
    if heads:
        extras.update({head: result.as_dict() for head, result in attribute_results(samples, heads).items()})
    return EvaluationResult(
        split=split,
        count=len(samples),
        type=type_res,
        top10_restricted=top10_res,
        top10_unrestricted_accuracy=float(np.mean(unrestricted)) if unrestricted else 0.0,
        slot=slot_res,
        color_strict=color_res,
        color_or_alt_accuracy=float(np.mean(or_alt)) if or_alt else 0.0,
        extras=extras,
    )


def evaluate(predictor, samples: Sequence[Sample], *, progress: bool = True) -> EvaluationResult:
    split = samples[0].split if samples and len({s.split for s in samples}) == 1 else "mixed"
    out = model_outputs(predictor, samples, progress=progress)
    return score(split, samples, out["type"], out["color"], {h: out[h] for h in ATTRIBUTE_HEADS if h in out})


def score_lighting(predictor, samples: Sequence[Sample], *, batch_size: int = 32) -> dict:
    """Each CC0 photo read again in every light of LIGHTS: colour-or-alt of the colour as served, and the 10-class
    type over all types, beside the same photos as taken."""
    coloured = [s for s in samples if s.color is not None]
    typed = [i for i, s in enumerate(coloured) if s.top10 is not None]
    figures: dict = {"count": len(coloured)}
    for name, gains in {"as_taken": (1.0, 1.0, 1.0), **LIGHTS}.items():
        colours, types = [], []
        for start in range(0, len(coloured), batch_size):
            images = [lit(_sample_image(s), gains) for s in coloured[start : start + batch_size]]
            out = predictor.outputs(images)
            colours += [predictor.labels.colors[int(np.argmax(row))] for row in out["color"]]
            types += [predictor.labels.types[int(np.argmax(row))] for row in out["type"]]
        right = [c in (s.color, s.alt) for c, s in zip(colours, coloured, strict=True)]
        figures[name] = {
            "color_or_alt": round(float(np.mean(right)), 4),
            "top10_unrestricted": round(float(np.mean([types[i] == coloured[i].top10 for i in typed])), 4),
        }
    return figures


def lighting_line(split: str, block: dict) -> str:
    """One split's colour-or-alt in every light of score_lighting, for the command's output."""
    named = ", ".join(f"{LIGHT_WORDS[name]} {block[name]['color_or_alt']:.4f}" for name in LIGHTS if name in block)
    return f"{split} in other light: colour-or-alt {block['as_taken']['color_or_alt']:.4f} as taken, {named}"


# Outfit boards (regions.board_cells): a photo of each piece on one image, as Pinterest and shops lay an outfit out.
# Drawn from a CC0 split's photos: BOARDS_PER_SPLIT boards, each layout with and without white gutters in turn; each
# photo fitted to a square cell. A row or column of three: a top (a dress one time in four, then an outer layer
# instead of the bottom), a bottom, shoes; a 2 × 2 grid: an outer layer, a top, a bottom, shoes; a pair: a top and a
# bottom.
BOARD_LAYOUTS = {"row of 3": (3, 1), "column of 3": (1, 3), "2 x 2": (2, 2), "pair": (2, 1)}
BOARD_CELL = 300
BOARD_GUTTER = 0.04
BOARDS_PER_SPLIT = 80
BOARD_SAVED = Camera(jpeg_quality=85)  # as a site saves it


def board_tile(photo: Image.Image) -> Image.Image:
    """A photo as a board shows it: its middle square, BOARD_CELL pixels a side."""
    return ImageOps.fit(photo.convert("RGB"), (BOARD_CELL, BOARD_CELL))


def outfit_board(
    photos: Sequence[Image.Image], layout: tuple[int, int], *, gutter: float = 0.0
) -> tuple[Image.Image, list[tuple[float, float, float, float]]]:
    """`photos` on a board of `layout` (columns, rows), row by row, each fitted to a BOARD_CELL square, with white
    gutters of `gutter` of a cell between and around them; and each photo's box (fractions of the board)."""
    columns, rows = layout
    space = round(gutter * BOARD_CELL)
    width, height = columns * BOARD_CELL + (columns + 1) * space, rows * BOARD_CELL + (rows + 1) * space
    board = Image.new("RGB", (width, height), (255, 255, 255))
    boxes = []
    for k, photo in enumerate(photos):
        left = space + (k % columns) * (BOARD_CELL + space)
        top = space + (k // columns) * (BOARD_CELL + space)
        board.paste(board_tile(photo), (left, top))
        boxes.append((left / width, top / height, (left + BOARD_CELL) / width, (top + BOARD_CELL) / height))
    return board, boxes


def board_pieces(samples: Sequence[Sample], split: str, count: int = BOARDS_PER_SPLIT) -> list[tuple]:
    """The boards scored on a split: (layout name, gutter, samples of the pieces), drawn with a seed of the split;
    fewer than `count` when the split has no photo of a slot a board needs."""
    by_slot: dict[str, list[Sample]] = {}
    for sample in samples:
        if sample.type_code is not None:
            by_slot.setdefault(TYPES[sample.type_code].slot, []).append(sample)
    rng = np.random.default_rng(sum(split.encode()))

    def one(slot: str) -> Sample | None:
        return by_slot[slot][int(rng.integers(len(by_slot[slot])))] if by_slot.get(slot) else None

    boards = []
    for k in range(count):
        name = list(BOARD_LAYOUTS)[k % len(BOARD_LAYOUTS)]
        gutter = BOARD_GUTTER if (k // len(BOARD_LAYOUTS)) % 2 == 0 else 0.0
        if name == "pair":
            slots = ["top", "bottom"]
        elif name == "2 x 2":
            slots = ["outer", "top", "bottom", "shoes"]
        else:
            slots = ["one_piece", "outer", "shoes"] if rng.random() < 0.25 else ["top", "bottom", "shoes"]
        pieces = [one(slot) for slot in slots]
        if all(piece is not None for piece in pieces):  # a split with no photo of a slot has no such board
            boards.append((name, gutter, pieces))
    return boards


def score_boards(predictor, samples: Sequence[Sample], split: str, *, count: int = BOARDS_PER_SPLIT) -> dict:
    """Outfit boards of a CC0 split (board_pieces, outfit_board), saved as JPEG, read as uploads: the share read as
    boards, and of their pieces, the share listed on their own photo (a garment whose box overlaps the photo's at IoU
    0.5 or more), listed in their slot (tops and outer layers alike too) and with their type; beside each photo read
    alone as the board shows it (board_tile; type right), the most a board can give."""
    boards = board_pieces(samples, split, count)
    tally = {"boards": 0, "read_as_board": 0, "pieces": 0, "listed": 0, "slot": 0, "slot_alike": 0, "type": 0}
    alone_right = 0
    per_layout: dict[str, list[int]] = {}
    alike = {"top": "top", "outer": "top"}
    for name, gutter, pieces in boards:
        photos = [open_image(sample.path) for sample in pieces]
        board, boxes = outfit_board(photos, BOARD_LAYOUTS[name], gutter=gutter)
        read = predictor.predict(rendered(board, BOARD_SAVED))
        tally["boards"] += 1
        tally["read_as_board"] += bool(read.board)
        per_layout.setdefault(name, [0, 0])
        per_layout[name][0] += 1
        per_layout[name][1] += bool(read.board)
        alone_readings = predictor.predict_batch([board_tile(photo) for photo in photos])
        for sample, box, alone in zip(pieces, boxes, alone_readings, strict=True):
            tally["pieces"] += 1
            alone_right += alone.type.label == sample.type_code
            on_it = [g for g in read.garments if box_iou(g.box, box) >= 0.5]
            if not on_it:
                continue
            garment = on_it[0]
            slot = TYPES[sample.type_code].slot
            tally["listed"] += 1
            tally["slot"] += garment.slot == slot
            tally["slot_alike"] += alike.get(garment.slot, garment.slot) == alike.get(slot, slot)
            tally["type"] += garment.prediction.type.label == sample.type_code
    pieces = tally["pieces"] or 1
    return {
        "boards": tally["boards"],
        "pieces": tally["pieces"],
        "read_as_board_share": round(tally["read_as_board"] / (tally["boards"] or 1), 4),
        "listed_share": round(tally["listed"] / pieces, 4),
        "slot_share": round(tally["slot"] / pieces, 4),
        "slot_alike_share": round(tally["slot_alike"] / pieces, 4),
        "type_share": round(tally["type"] / pieces, 4),
        "alone_type_share": round(alone_right / pieces, 4),
        "per_layout_read_as_board": {name: f"{read}/{n}" for name, (n, read) in per_layout.items()},
    }


def boards_line(split: str, block: dict) -> str:
    """One split's score_boards, for the command's output."""
    return (
        f"{split} outfit boards (evaluation.outfit_board: {block['boards']} boards of {block['pieces']} CC0 photos, "
        f"with and without gutters): read as boards {block['read_as_board_share']:.4f} "
        f"({', '.join(f'{name} {n}' for name, n in block['per_layout_read_as_board'].items())}); of the pieces, "
        f"listed on their photo {block['listed_share']:.4f}, in their slot {block['slot_share']:.4f} "
        f"({block['slot_alike_share']:.4f} with tops and outer layers alike), with their type "
        f"{block['type_share']:.4f} (each photo read alone as shown {block['alone_type_share']:.4f})"
    )


def score_turned(predictor, samples: Sequence[Sample], *, batch_size: int = 32) -> dict:
    """The CC0 photos of the 10-class subset read as uploads lying turned (classifier.turns: a garment photographed
    from the bed's side, or upside down): for each turn, the 10-class type (over all types), slot and colour-or-alt as
    served, and the share read at the right turn (`Prediction.turned`; for upright photos, the share left upright)."""
    chosen = [s for s in samples if s.top10 is not None and s.type_code is not None]
    result: dict = {"photos": len(chosen)}
    for turn in turns.TURNS:
        tally = {"type": 0, "slot": 0, "colour": 0, "turn": 0}
        for start in range(0, len(chosen), batch_size):
            batch = chosen[start : start + batch_size]
            readings = predictor.predict_batch([turns.turned(open_image(s.path), turn) for s in batch])
            for sample, reading in zip(batch, readings, strict=True):
                tally["type"] += reading.type.label == sample.type_code
                tally["slot"] += reading.slot.label == TYPES[str(sample.type_code)].slot
                tally["colour"] += reading.color.label in (sample.color, sample.alt)
                tally["turn"] += reading.turned == turn
        n = len(chosen) or 1
        result[str(turn)] = {name: round(value / n, 4) for name, value in tally.items()}
    return result


def turned_line(split: str, block: dict) -> str:
    """One split's score_turned, for the command's output."""
    words = {"0": "upright", "90": "turned left", "180": "upside down", "270": "turned right"}
    return (
        f"{split} photos lying turned (evaluation.score_turned: {block['photos']} CC0 10-class photos): "
        + "; ".join(
            f"{words[turn]} 10-class {block[turn]['type']:.4f}, slot {block[turn]['slot']:.4f}, colour-or-alt "
            f"{block[turn]['colour']:.4f}, read at its turn {block[turn]['turn']:.4f}"
            for turn in words
            if turn in block
        )
    )


# ---------------------------------------------------------------- pictures and the model card


def confusion_png(head: HeadResult, path: Path, *, title: str) -> None:
    """Draw a confusion matrix (rows: true, columns: predicted; cells shaded by row share) with Pillow."""
    labels, matrix = head.labels, np.asarray(head.confusion)
    font = ImageFont.load_default()
    cell, margin_left, margin_top = 34, 110, 110
    size = len(labels)
    width, height = margin_left + cell * size + 10, margin_top + cell * size + 30
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 8), title, fill="black", font=font)
    draw.text((10, height - 20), "rows: true label, columns: predicted", fill="gray", font=font)
    row_sums = matrix.sum(axis=1, keepdims=True).clip(min=1)
    for i, label in enumerate(labels):
        draw.text((8, margin_top + i * cell + cell // 3), label[:16], fill="black", font=font)
        column_label = Image.new("RGB", (margin_top - 30, 14), "white")
        ImageDraw.Draw(column_label).text((0, 0), label[:14], fill="black", font=font)
        column_label = column_label.rotate(90, expand=True)
        image.paste(column_label, (margin_left + i * cell + 10, 28))
    for i in range(size):
        for j in range(size):
            share = matrix[i, j] / row_sums[i, 0]
            if i == j:
                colour = (int(255 - 175 * share), int(255 - 80 * share), int(255 - 175 * share))
            else:
                colour = (255, int(255 - 200 * share), int(255 - 200 * share))
            x0, y0 = margin_left + j * cell, margin_top + i * cell
            draw.rectangle((x0, y0, x0 + cell - 1, y0 + cell - 1), fill=colour, outline=(220, 220, 220))
            if matrix[i, j]:
                draw.text((x0 + 4, y0 + cell // 3), str(matrix[i, j]), fill="black", font=font)
    image.save(path)


def write_confusion_pngs(result: EvaluationResult, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    heads = {
        "type": result.type,
        "top10": result.top10_restricted,
        "slot": result.slot,
        "color": result.color_strict,
    }
    for head in ATTRIBUTE_HEADS:
        if head in result.extras:
            heads[head] = _head_from_dict(result.extras[head])
    paths = []
    for name, head_result in heads.items():
        path = out_dir / f"confusion_{result.split}_{name}.png"
        confusion_png(
            head_result,
            path,
            title=f"{name} - {result.split} (accuracy {head_result.accuracy:.3f}, n={head_result.count})",
        )
        paths.append(path)
    return paths


def _head_from_dict(doc: dict) -> HeadResult:
    return HeadResult(doc["labels"], doc["accuracy"], doc["macro_f1"], doc["count"], doc["confusion"])


def _matrix_markdown(head: dict) -> str:
    labels = head["labels"]
    short = [label[:6] for label in labels]
    lines = ["| true \\ predicted | " + " | ".join(short) + " |", "|---|" + "---|" * len(labels)]
    for label, row in zip(labels, head["confusion"], strict=True):
        lines.append(f"| **{label}** | " + " | ".join(str(v) if v else "·" for v in row) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------- worn garments and whole outfits (co-parsing)


def worn_summary_lines(split: str, worn: dict) -> list[str]:
    r, o = worn["regions"], worn["outfits"]
    return [
        f"co-parsing {split}: {r['count']} worn-garment regions, {o['photos']} whole photos",
        f"  slot {r['slot']['accuracy']:.4f} ({_fmt(r.get('slot_top_outer_interchangeable'), 4)} with tops and outer "
        f"layers alike), type (accepted) {r['type_accepted_accuracy']:.4f}, shoe kind "
        f"{r['kind']['accuracy']:.4f} (n={r['kind']['count']}), type or kind {r['type_or_kind_accuracy']:.4f}, "
        f"colour = mask colour {r['color_agrees_with_mask_color']:.4f}",
        *worn_seen_line(r),
        *(
            [
                f"  crop alone (without the photo's map): slot {worn['regions_crop_only']['slot']['accuracy']:.4f}, "
                f"type or kind {worn['regions_crop_only']['type_or_kind_accuracy']:.4f}"
            ]
            if worn.get("regions_crop_only")
            else []
        ),
        *(
            [
                f"  detector alone (before checking the garments against their crops): found "
                f"{worn['outfits_detector_only']['found_share']:.4f}, precision "
                f"{worn['outfits_detector_only']['precision']:.4f}"
            ]
            if worn.get("outfits_detector_only")
            else []
        ),
        f"  garments present found (IoU >= {o['iou_threshold']}) {o['found_share']:.4f}, any box "
        f"{o['found_any_box_share']:.4f}, precision {o['precision']:.4f}, photos read as outfits "
        f"{o['read_as_outfit_share']:.4f}; per slot {o['per_slot_found']}",
        *(
            [
                f"  as served (after the chip gate too): found {worn['outfits_served']['found_share']:.4f}, "
                f"precision {worn['outfits_served']['precision']:.4f}, photos read as outfits "
                f"{worn['outfits_served']['read_as_outfit_share']:.4f}"
            ]
            if worn.get("outfits_served")
            else []
        ),
        *(
            [
                "  a phone held up as in a mirror photo, garments found as served (precision): "
                + ", ".join(
                    f"{PHONE_PLACE_WORDS[where]} {r['found_share']:.4f} ({r['precision']:.4f}; "
                    f"tops {r['per_slot_found']['top']})"
                    for where, r in worn["outfits_phone"].items()
                )
                + f" of {next(iter(worn['outfits_phone'].values()))['photos']} photos"
            ]
            if worn.get("outfits_phone")
            else []
        ),
        *(
            [
                "  taken in other light (lighting.LIGHTS), garments found as served (precision): "
                + _found_shares(worn["outfits_in_light"], LIGHT_WORDS)
            ]
            if worn.get("outfits_in_light")
            else []
        ),
        *(
            [
                "  rendered by another camera (camera.CAMERAS), garments found as served (precision): "
                + _found_shares(worn["outfits_camera"], CAMERA_WORDS)
            ]
            if worn.get("outfits_camera")
            else []
        ),
        *(
            [
                "  framed as phones and shops frame them (sides cut, or widened with the border's colour), garments "
                "found as served (precision): " + _found_shares(worn["outfits_reframed"])
            ]
            if worn.get("outfits_reframed")
            else []
        ),
        *(
            [
                "  saved as a screenshot of a social app (evaluation.app_screenshot: status bar, header, icons and "
                "caption around the photo), garments found as served (precision): "
                + _found_shares(worn["outfits_screenshot"])
            ]
            if worn.get("outfits_screenshot")
            else []
        ),
        *(
            [
                "  two people side by side (evaluation.two_people: each photo beside another of the split), one "
                "person's garments found as served (precision; read as one person's): "
                + _two_people_line(worn["outfits_two_people"])
            ]
            if worn.get("outfits_two_people")
            else []
        ),
        *([_chips_line(worn["chips"])] if worn.get("chips") else []),
        *(
            [
                f"  shop-like framings{where} ({worn[key]['count']}): the featured garment's type listed or read "
                f"{worn[key]['type_listed']:.4f}, its slot {worn[key]['slot_listed']:.4f}"
                + _framed_boxes(worn[key])
                + "; per framing "
                + ", ".join(
                    f"{kind} {e['type_listed']}/{e['count']} (read as outfit {e['outfit']}, one worn garment "
                    f"{e['one_worn']}, flat {e['flat']})"
                    for kind, e in worn[key]["per_kind"].items()
                )
                for key, where in (("framed", ""), ("framed_studio", " on a studio backdrop"))
                if worn.get(key)
            ]
        ),
    ]


SPLITS_SCORED = ("train", "validation", "test")

# The garments whose chip a shopper most often taps to match, in the order the summary names them.
CHIP_LABELS = ("skirt", "dress", "pants", "jeans", "shorts", "blouse", "t-shirt", "sweater", "coat", "blazer")


def _found_shares(scores: Mapping[str, dict], words: Mapping[str, str] | None = None) -> str:
    """Each score_detections result as "name found (precision)", comma-joined (`words`: how each name is printed)."""
    return ", ".join(
        f"{(words or {}).get(name, name)} {r['found_share']:.4f} ({r['precision']:.4f})" for name, r in scores.items()
    )


def _two_people_line(scored: dict) -> str:
    return f"{scored['found_share']:.4f} ({scored['precision']:.4f}; {scored['read_as_one_person_share']:.4f})"


def _chips_line(chips: dict) -> str:
    def part(name: str, tally: dict) -> str:
        return f"{name} {tally['named']}/{tally['count']}"

    labels = [part(label, chips["by_label"][label]) for label in CHIP_LABELS if label in chips["by_label"]]
    return (
        f"  chips on the garments worn ({chips['count']} garments, IoU >= {chips['iou_threshold']}): listed "
        f"{chips['listed_share']:.4f}, named right (type, or kind for shoes) {chips['named_share']:.4f}, and with "
        f"the mask's colour {chips['named_colour_share']:.4f}"
        + (
            f"; of the {chips['seen']} seen well by eye, named with the colour and pattern seen "
            f"{chips['named_as_seen_share']:.4f}"
            if chips.get("seen")
            else ""
        )
        + "; named right per slot "
        + ", ".join(part(slot, tally) for slot, tally in chips["per_slot"].items())
        + "; per garment "
        + ", ".join(labels)
    )


def score_worn(samples: Sequence[Sample], out: dict[str, np.ndarray]) -> dict:
    """Per worn-garment region (the garment's box from its mask): slot, type (accepted set of its co-parsing label),
    shoe kind, and agreement with the colour read from the mask (a derived, weak label)."""
    type_codes = []
    for s in samples:
        if s.type_code is None:  # worn_samples gives every region its co-parsing label's type
            raise ValueError(f"worn sample {s.image_id} has no type code")
        type_codes.append(s.type_code)
    slot_true = [SLOTS.index(TYPES[code].slot) for code in type_codes]
    slot_pred = [slot_index(slot_probabilities(row), TYPE_CODES[int(np.argmax(row))]) for row in out["type"]]
    type_pred = [TYPE_CODES[int(np.argmax(row))] for row in out["type"]]
    type_res = head_result(
        [TYPE_CODES.index(s.type_code) for s in samples], [TYPE_CODES.index(t) for t in type_pred], TYPE_CODES
    )
    accepted = [
        t in ACCEPTED_TYPES.get(s.dataset_label, {s.type_code}) for s, t in zip(samples, type_pred, strict=True)
    ]
    kinds = [i for i, s in enumerate(samples) if s.shoe_kind is not None]
    kind_res = head_result(
        [SHOE_KINDS.index(samples[i].shoe_kind) for i in kinds],
        [int(np.argmax(out["kind"][i])) for i in kinds],
        SHOE_KINDS,
    )
    # Type, or kind for shoes with a kind.
    type_or_kind = []
    for i, s in enumerate(samples):
        if s.shoe_kind is not None:
            type_or_kind.append(SHOE_KINDS[int(np.argmax(out["kind"][i]))] == s.shoe_kind)
        else:
            type_or_kind.append(accepted[i])
    colour = [COLOR_CODES[int(np.argmax(out["color"][i]))] == s.color for i, s in enumerate(samples) if s.color]
    by_label: dict[str, dict] = {}
    for i, s in enumerate(samples):
        entry = by_label.setdefault(s.dataset_label, {"count": 0, "slot_right": 0, "type_or_kind_right": 0})
        entry["count"] += 1
        entry["slot_right"] += int(slot_true[i] == slot_pred[i])
        entry["type_or_kind_right"] += int(type_or_kind[i])
    return {
        "count": len(samples),
        "slot": head_result(slot_true, slot_pred, SLOTS).as_dict(),
        "slot_top_outer_interchangeable": top_outer_alike_accuracy(slot_true, slot_pred),
        "type": type_res.as_dict(),
        "type_accepted_accuracy": round(float(np.mean(accepted)), 4) if accepted else 0.0,
        "kind": kind_res.as_dict(),
        "type_or_kind_accuracy": round(float(np.mean(type_or_kind)), 4) if type_or_kind else 0.0,
        "color_agrees_with_mask_color": round(float(np.mean(colour)), 4) if colour else 0.0,
        **_seen_by_eye(samples, out),
        "by_label": dict(sorted(by_label.items())),
    }


def _seen_by_eye(samples: Sequence[Sample], out: dict[str, np.ndarray]) -> dict:
    """Colour and pattern of the worn garments a person labelled by eye (coparsing.worn_by_eye; not the unsure ones):
    "colour_by_eye" (the read colour is the seen one or its alternative; and how often the mask's colour is) and
    "pattern_by_eye" (solid or pattern at argmax; the patterned ones found). {} when none of `samples` is labelled."""
    rows = []
    for i, s in enumerate(samples):
        key = worn_garment_key(s)
        seen = seen_colour(*key, s.split) if key else None
        if seen is not None and not seen.unsure:
            rows.append((i, s, seen))
    if not rows:
        return {}
    read = {i: COLOR_CODES[int(np.argmax(out["color"][i]))] for i, _, _ in rows}
    patterned = [seen.pattern == "pattern" for _, _, seen in rows]
    figures: dict = {
        "colour_by_eye": {
            "count": len(rows),
            "or_alt_accuracy": round(float(np.mean([seen.names(read[i]) for i, _, seen in rows])), 4),
            "strict_accuracy": round(float(np.mean([read[i] == seen.color for i, _, seen in rows])), 4),
            "mask_color_or_alt": round(float(np.mean([seen.names(s.color) for _, s, seen in rows])), 4),
        },
    }
    if "color_flat" in out:  # read as worn (the artifact's worn_colour): the flat reading beside it
        flat = [COLOR_CODES[int(np.argmax(out["color_flat"][i]))] for i, _, _ in rows]
        figures["colour_by_eye"]["flat_or_alt"] = round(
            float(np.mean([seen.names(c) for c, (_, _, seen) in zip(flat, rows, strict=True)])), 4
        )
    if "pattern" not in out:  # a backend without the attribute heads
        return figures
    if "kind" in out:
        figures.update(_kinds_by_eye(samples, out))
    read_patterned = [PATTERN_CODES[int(np.argmax(out["pattern"][i]))] == "pattern" for i, _, _ in rows]
    figures["pattern_by_eye"] = {
        "count": len(rows),
        "accuracy": round(float(np.mean([a == b for a, b in zip(read_patterned, patterned, strict=True)])), 4),
        "patterned": int(sum(patterned)),
        "patterned_found": int(sum(a and b for a, b in zip(read_patterned, patterned, strict=True))),
        "solid_called_patterned": int(sum(a and not b for a, b in zip(read_patterned, patterned, strict=True))),
    }
    if "pattern_flat" in out:
        flat_patterned = [PATTERN_CODES[int(np.argmax(out["pattern_flat"][i]))] == "pattern" for i, _, _ in rows]
        figures["pattern_by_eye"]["flat_accuracy"] = round(
            float(np.mean([a == b for a, b in zip(flat_patterned, patterned, strict=True)])), 4
        )
    return figures


def _kinds_by_eye(samples: Sequence[Sample], out: dict[str, np.ndarray]) -> dict:
    """ "kind_by_eye": the kind read of the worn shoes a person labelled by eye and saw well (coparsing.seen_kind: most
    of them the dataset calls just "shoes"), with how often each kind is read and how often rightly. {} without any."""
    rows = []
    for i, s in enumerate(samples):
        key = worn_garment_key(s)
        seen = seen_kind(*key, s.split) if key else None
        if seen is not None and not seen.unsure:
            rows.append((SHOE_KINDS[int(np.argmax(out["kind"][i]))], seen.kind))
    if not rows:
        return {}
    return {
        "kind_by_eye": {
            "count": len(rows),
            "accuracy": round(float(np.mean([read == kind for read, kind in rows])), 4),
            "read": {k: sum(read == k for read, _ in rows) for k in SHOE_KINDS},
            "read_right": {k: sum(read == kind == k for read, kind in rows) for k in SHOE_KINDS},
            "seen": {k: sum(kind == k for _, kind in rows) for k in SHOE_KINDS},
        }
    }


def _framed_boxes(framed: dict) -> str:
    """score_framings' box figures for a summary line ("" for figures scored before they were)."""
    if "listed_precision" not in framed:
        return ""
    return (
        f"; read as outfits, the garments listed there {framed['listed_precision']:.4f} (IoU >= "
        f"{framed['iou_threshold']}), the featured garment listed on itself {framed['featured_boxed']:.4f}"
    )


def region_slot_shares(samples: Sequence[Sample], items: Sequence[OutfitTruth]) -> np.ndarray:
    """For each worn-garment region, what its photo's segmentation map says is inside its box (regions.box_slot_shares),
    as the product reads a region a shopper chose (Predictor.predict_crop)."""
    by_photo = {item.image_id: item for item in items}
    rows = []
    for s in samples:
        item = by_photo[s.path.stem]
        if s.box is None:
            raise ValueError(f"worn sample {s.image_id} has no box")
        rows.append(photo_box_slot_shares(item.segmentation, (item.width, item.height), s.box))
    return np.stack(rows) if rows else np.zeros((0, len(DETECTION_SLOTS)))


def with_context(out: dict[str, np.ndarray], shares: np.ndarray, params: dict) -> dict[str, np.ndarray]:
    """`out` (vocabulary order) with each region's type probabilities weighed by its slot shares (the product's
    predict_crop with the artifact's `region_context`)."""
    if not params:
        return out
    type_slot = {code: info.slot for code, info in TYPES.items()}
    slots = map_slot_indices(TYPE_CODES, type_slot, DETECTION_SLOTS)
    fused = np.stack(
        [
            with_region_context(row, share, slots, weight=params["weight"], floor=params["floor"])
            for row, share in zip(out["type"], shares, strict=True)
        ]
    )
    return {**out, "type": fused}


PIXEL_COLOR_GRID = {"weight": (0.0, 0.15, 0.25, 0.35, 0.5, 0.75), "floor": (0.05, 0.1, 0.2)}


def tune_pixel_colors(samples: Sequence[Sample], out: dict[str, np.ndarray]) -> dict:
    """Pick how much the colour head (with the artifact's lit colour branch, "color_network") leans on the garment's
    pixels, on VALIDATION flat-lay photos: the best colour-or-alternative accuracy (ties: the smaller weight)."""
    labelled = [i for i, s in enumerate(samples) if s.color]
    network = out.get("color_network", out["color_head"])
    trials, best, best_key = [], None, None
    for weight in PIXEL_COLOR_GRID["weight"]:
        for floor in PIXEL_COLOR_GRID["floor"]:
            right = 0
            for i in labelled:
                fused = with_pixel_colors(network[i], out["color_pixels"][i], weight=weight, floor=floor)
                right += COLOR_CODES[int(np.argmax(fused))] in (samples[i].color, samples[i].alt)
            accuracy = round(right / len(labelled), 4) if labelled else 0.0
            trials.append({"weight": weight, "floor": floor, "color_or_alt": accuracy})
            key = (accuracy, -weight)
            if best_key is None or key > best_key:
                best, best_key = {"weight": weight, "floor": floor}, key
            if weight == 0.0:
                break
    return {"chosen": best, "trials": trials}


REGION_CONTEXT_GRID = {"weight": (0.0, 0.5, 1.0, 1.5, 2.0, 3.0), "floor": (0.02, 0.05, 0.1, 0.2)}


def tune_region_context(samples: Sequence[Sample], out: dict[str, np.ndarray], shares: np.ndarray) -> dict:
    """Pick how much a region's reading leans on the segmentation map, on VALIDATION regions: the best slot accuracy
    plus type-or-kind accuracy (ties: the smaller weight)."""
    trials, best, best_key = [], None, None
    for weight in REGION_CONTEXT_GRID["weight"]:
        for floor in REGION_CONTEXT_GRID["floor"]:
            params = {"weight": weight, "floor": floor}
            scored = score_worn(samples, with_context(out, shares, params))
            slot, type_or_kind = scored["slot"]["accuracy"], scored["type_or_kind_accuracy"]
            trials.append({**params, "slot": slot, "type_or_kind": type_or_kind})
            key = (round(slot + type_or_kind, 4), -weight)
            if best_key is None or key > best_key:
                best, best_key = params, key
            if weight == 0.0:
                break  # the floor does not matter without a weight
    return {"chosen": best, "trials": trials}


def score_coparsing(
    predictor,
    coparsing_dir: Path,
    split: str,
    params: dict,
    context: dict,
    reconcile: dict | None = None,
    *,
    limit: int | None = None,
    progress: bool = False,
) -> dict:
    """A co-parsing split: "regions", each worn garment's region read as the product reads a region the shopper chose
    (its crop, weighed by the photo's map in its box with `context`); "regions_crop_only", the crop alone;
    "outfits", the garments the product lists for whole photos (the detection `params`, then checked against their
    crops with `reconcile`); "outfits_detector_only", the segmentation map's garments as found; "outfits_served",
    the garments listed as an upload's are (`predictor.predict`: after the artifact's chip gate too); "chips", whether a
    chip on each garment worn names it (score_chips); "framed" and "framed_studio", shop-like framings
    (score_framings); "outfits_phone", "outfits_in_light", "outfits_camera", "outfits_reframed" and
    "outfits_screenshot", the whole outfits with a phone held up (score_occluded), taken in other light
    (score_lit_outfits), rendered by another camera (score_camera_outfits), framed as phones and shops frame them
    (score_reframed) and saved as an app's screenshot (score_screenshots); "outfits_two_people", each beside another
    person (score_two_people)."""
    samples = worn_samples(coparsing_dir, split)
    if limit and len(samples) > limit:
        samples = samples[:: int(np.ceil(len(samples) / limit))]
    out = model_outputs(predictor, samples, progress=progress, worn=True)
    items = outfit_truths(predictor, coparsing_dir, split)
    return {
        "regions": score_worn(samples, with_context(out, region_slot_shares(samples, items), context)),
        "regions_crop_only": score_worn(samples, out),
        "outfits": {
            **score_detections(
                items, reconciled(crop_readings(predictor, coparsing_dir, items, params), reconcile or {})
            ),
            "params": params,
            "reconcile": reconcile or {},
        },
        "outfits_detector_only": score_outfits(items, params),
        "outfits_served": score_detections(items, served_garments(predictor, Path(coparsing_dir), items)),
        "outfits_phone": {where: score_occluded(predictor, Path(coparsing_dir), items, where) for where in PLACES},
        "outfits_in_light": {
            name: score_lit_outfits(predictor, Path(coparsing_dir), items, gains) for name, gains in LIGHTS.items()
        },
        "outfits_camera": {
            name: score_camera_outfits(predictor, Path(coparsing_dir), items, camera)
            for name, camera in CAMERAS.items()
        },
        "outfits_reframed": {
            name: score_reframed(predictor, Path(coparsing_dir), items, aspect, studio=studio)
            for name, (aspect, studio) in REFRAMINGS.items()
        },
        "outfits_screenshot": {
            name: score_screenshots(predictor, Path(coparsing_dir), items, dark=dark)
            for name, dark in SCREENSHOTS.items()
        },
        "outfits_two_people": score_two_people(predictor, Path(coparsing_dir), items),
        "chips": score_chips(predictor, Path(coparsing_dir), split, limit=limit),
        "framed": score_framings(predictor, Path(coparsing_dir), split, limit=limit),
        "framed_studio": score_framings(predictor, Path(coparsing_dir), split, limit=limit, studio=True),
    }


def score_framings(
    predictor,
    coparsing_dir: Path,
    split: str,
    *,
    limit: int | None = None,
    studio: bool = False,
    iou: float = 0.3,
    min_share: float = 0.002,
) -> dict:
    """Shop-like framings of the split's pixel-annotated street photos (coparsing.product_framings: a bottom from the
    waist down, a top from the head to the waist, a dress to below its hem), with `studio` of the person cut out onto
    a plain backdrop as a shop shoots a model (coparsing.studio_photo), read as the product reads an upload:
    how often the featured garment's type (accepted set of its label) and slot are among what is listed, or are the
    reading of a photo read as one garment; how the photos were read (outfit, one garment worn, flat); and, of the
    photos read as outfits, how many of the garments listed are there (listed_right: a garment of that slot in the
    frame, by the photo's map, with IoU >= `iou`) and whether the featured garment is listed on itself
    (featured_boxed)."""
    per_kind: dict[str, dict] = {}
    masks: dict[str, np.ndarray] = {}
    framings = [(o, f) for o in worn_outfits(coparsing_dir, split, with_color=False) for f in product_framings(o)]
    if limit and len(framings) > limit:
        framings = framings[:: int(np.ceil(len(framings) / limit))]
    for outfit, framing in framings:
        photo = framed_photo(_street_or_studio(coparsing_dir, outfit.image_id, studio), framing.box)
        reading = predictor.predict(photo)
        # What the page names: each chip by its type held to its slot (chip_type), or the one reading.
        named = [(chip_type(g), g.slot) for g in reading.garments] or [
            (reading.type.label, TYPES[reading.type.label].slot)
        ]
        read_as = "outfit" if reading.garments else "one_worn" if reading.worn_box is not None else "flat"
        garment = framing.garment
        accepted = ACCEPTED_TYPES.get(garment.label, {garment.type})
        entry = per_kind.setdefault(
            framing.kind,
            {
                "count": 0,
                "type_listed": 0,
                "slot_listed": 0,
                "outfit": 0,
                "one_worn": 0,
                "flat": 0,
                "listed": 0,
                "listed_right": 0,
                "featured_boxed": 0,
            },
        )
        entry["count"] += 1
        entry[read_as] += 1
        entry["type_listed"] += any(type_code in accepted for type_code, _slot in named)
        entry["slot_listed"] += any(slot == garment.slot for _type, slot in named)
        if reading.garments:
            if outfit.image_id not in masks:
                masks[outfit.image_id] = read_mask(coparsing_dir, outfit.image_id)
            truth = slot_boxes(framed_mask(masks[outfit.image_id], framing.box), min_share=min_share)
            listed = [(g.slot, g.box) for g in reading.garments]
            right = listed_right(listed, truth, iou=iou)
            entry["listed"] += len(listed)
            entry["listed_right"] += sum(right)
            entry["featured_boxed"] += any(
                ok and slot == garment.slot for (slot, _box), ok in zip(listed, right, strict=True)
            )
    keys = ("count", "type_listed", "slot_listed", "outfit", "listed", "listed_right", "featured_boxed")
    total = {key: sum(entry[key] for entry in per_kind.values()) for key in keys}
    share = (lambda key: round(total[key] / total["count"], 4)) if total["count"] else (lambda key: 0.0)
    return {
        "count": total["count"],
        "type_listed": share("type_listed"),
        "slot_listed": share("slot_listed"),
        "iou_threshold": iou,
        "listed_precision": round(total["listed_right"] / total["listed"], 4) if total["listed"] else 0.0,
        "featured_boxed": round(total["featured_boxed"] / total["outfit"], 4) if total["outfit"] else 0.0,
        "per_kind": dict(sorted(per_kind.items())),
    }


def chip_type(chip: DetectedGarment) -> str:
    """The type a chip is named by on the page and in the API: its crop's type held to the chip's slot
    (vocabulary.type_named_in_slot; recommender.services.reading_in_slot applies the same rule to the stored reading).
    A one-piece chip whose crop reads "skirt" best is named a dress; one listed as a bottom, the crop's skirt."""
    p = chip.prediction
    named = type_named_in_slot(chip.slot, p.slot.label, p.type.label, p.type.top3)
    return p.type.label if named is None else named[0]


def score_chips(
    predictor,
    coparsing_dir: Path,
    split: str,
    *,
    limit: int | None = None,
    iou: float = 0.3,
    min_share: float = 0.004,
) -> dict:
    """What a shopper finds on tapping a garment of a whole-outfit photo (issue 9's "taps the skirt and gets it read
    correctly"): each garment worn in the split's pixel-annotated photos (accessories and slivers under `min_share`
    of the photo left out), read as the product reads the upload (`predictor.predict`). A garment is "listed" when a
    chip's box overlaps its true box with IoU >= `iou`, "named" when such a chip names its type (accepted set of its
    co-parsing label; for shoes with a kind, that kind; the type as the chip shows it, `chip_type`), and
    "named_colour" when a chip that names it also names the
    colour read from its masked pixels (a derived, weak label: by-eye agreement in coparsing.COLOR_AGREEMENT_NOTE).
    Of the garments a person labelled by eye and saw well (coparsing.seen_colour), "seen" counts them and
    "named_as_seen" those a chip names with the colour (or its alternative) and the pattern the person saw: the
    issue's "gets the skirt read correctly (type, colour, pattern)". Photos read as one garment or laid flat list
    nothing. Counts in total, per slot and per co-parsing label."""
    outfits = worn_outfits(coparsing_dir, split, annotation="pixel")
    if limit and len(outfits) > limit:
        outfits = outfits[:: int(np.ceil(len(outfits) / limit))]
    keys = ("count", "listed", "named", "named_colour", "seen", "named_as_seen")
    total = dict.fromkeys(keys, 0)
    per_slot: dict[str, dict] = {}
    by_label: dict[str, dict] = {}
    for outfit in outfits:
        chips = predictor.predict(read_photo(coparsing_dir, outfit.image_id)).garments
        for garment in outfit.garments:
            if garment.slot == "accessory" or garment.box is None or (garment.pixel_share or 0.0) < min_share:
                continue
            on_it = [chip for chip in chips if box_iou(tuple(chip.box), garment.box) >= iou]
            if garment.slot == "shoes" and garment.kind:
                named = [c for c in on_it if c.slot == "shoes" and c.prediction.kind.label == garment.kind]
            else:
                accepted = ACCEPTED_TYPES.get(garment.label, {garment.type})
                named = [c for c in on_it if chip_type(c) in accepted]
            found = {
                "count": 1,
                "listed": int(bool(on_it)),
                "named": int(bool(named)),
                "named_colour": int(any(c.prediction.color.label == garment.color for c in named)),
                "seen": 0,
                "named_as_seen": 0,
            }
            seen = seen_colour(outfit.image_id, garment.label, split)
            if seen is not None and not seen.unsure:
                found["seen"] = 1
                found["named_as_seen"] = int(
                    any(
                        seen.names(c.prediction.color.label) and c.prediction.pattern.label == seen.pattern
                        for c in named
                    )
                )
            for tally in (total, per_slot.setdefault(garment.slot, {}), by_label.setdefault(garment.label, {})):
                for key in keys:
                    tally[key] = tally.get(key, 0) + found[key]
    count = total["count"]
    return {
        **total,
        "photos": len(outfits),
        "iou_threshold": iou,
        **{f"{key}_share": round(total[key] / count, 4) if count else 0.0 for key in keys[1:4]},
        "named_as_seen_share": round(total["named_as_seen"] / total["seen"], 4) if total["seen"] else 0.0,
        "per_slot": dict(sorted(per_slot.items())),
        "by_label": dict(sorted(by_label.items())),
    }


def listed_right(listed: Sequence[tuple[str, tuple]], truth: dict, *, iou: float = 0.3) -> list[bool]:
    """For each (slot, box) listed, is a garment of that slot there: its true box (`truth`, slot -> box, as
    coparsing.slot_boxes gives) overlaps the listed box with IoU >= `iou`."""
    return [bool(slot in truth and box_iou(tuple(box), truth[slot]) >= iou) for slot, box in listed]


@dataclass
class OutfitTruth:
    image_id: str
    width: int
    height: int
    boxes: dict  # slot -> box (photo fractions)
    segmentation: np.ndarray  # the model's (G, G, classes) map
    outfit_prob: float = 1.0  # the outfit gate's probability


def outfit_truths(predictor, root: Path, split: str, *, min_share: float = 0.002, progress: bool = False) -> list:
    """Ground-truth slot boxes of the pixel-annotated photos of a split, with the model's segmentation map."""
    items = []
    outfits = worn_outfits(root, split, with_color=False, annotation="pixel")
    for start in range(0, len(outfits), 32):
        chunk = outfits[start : start + 32]
        photos = [read_photo(root, o.image_id) for o in chunk]
        out = predictor.outputs(photos)
        maps = out["segmentation"]
        gate = getattr(predictor.labels, "outfit_gate", None)
        probs = [outfit_probability(e, gate) for e in out["embedding"]]
        for outfit, photo, seg, prob in zip(chunk, photos, maps, probs, strict=True):
            boxes = slot_boxes(read_mask(root, outfit.image_id), min_share=min_share)
            items.append(OutfitTruth(outfit.image_id, photo.width, photo.height, boxes, seg, prob))
    return items


def detections(
    item_or_seg, width: int, height: int, params: dict, outfit_prob: float = 1.0, threshold: float = 0.5
) -> list[tuple[str, tuple, float]]:
    if outfit_prob < threshold:
        return []
    regions = detect_garments(item_or_seg, **params)
    if not is_outfit(regions):
        return []
    frame = model_frame(width, height)
    return [(r.slot, region_box_to_photo(r.box, frame, width, height), r.score) for r in regions]


def score_outfits(items: Sequence[OutfitTruth], params: dict, *, iou: float = 0.3, threshold: float = 0.5) -> dict:
    """score_detections of the detector alone (the segmentation map with the thresholds `params`)."""
    found = [
        detections(item.segmentation, item.width, item.height, params, item.outfit_prob, threshold) for item in items
    ]
    return {**score_detections(items, found, iou=iou), "params": params}


def score_detections(items: Sequence[OutfitTruth], found: Sequence[Sequence[tuple]], *, iou: float = 0.3) -> dict:
    """Share of the garments present (per slot) that are found: a detection of that slot overlapping its true box
    with IoU >= `iou`; also without the overlap condition, precision, and the share of photos read as outfits.
    `found[i]` holds (slot, box, ...) of the garments found in items[i]."""
    present = hits = hits_any = predicted = correct = outfits = 0
    per_slot = {slot: [0, 0] for slot in DETECTION_SLOTS}
    for item, dets in zip(items, found, strict=True):
        outfits += bool(dets)
        predicted += len(dets)
        by_slot = {det[0]: det[1] for det in dets}
        for slot, box in item.boxes.items():
            present += 1
            per_slot[slot][0] += 1
            if slot in by_slot:
                hits_any += 1
                if box_iou(by_slot[slot], box) >= iou:
                    hits += 1
                    per_slot[slot][1] += 1
        correct += sum(1 for slot in by_slot if slot in item.boxes and box_iou(by_slot[slot], item.boxes[slot]) >= iou)
    return {
        "photos": len(items),
        "garments_present": present,
        "found_share": round(hits / present, 4) if present else 0.0,
        "found_any_box_share": round(hits_any / present, 4) if present else 0.0,
        "precision": round(correct / predicted, 4) if predicted else 0.0,
        "read_as_outfit_share": round(outfits / len(items), 4) if items else 0.0,
        "iou_threshold": iou,
        "per_slot_found": {s: round(f / n, 4) if n else None for s, (n, f) in per_slot.items()},
    }


def crop_readings(predictor, root: Path, items: Sequence[OutfitTruth], params: dict) -> list[list[tuple]]:
    """For each photo, the detector's garments (slot, box, score) with their crop's slot probabilities (SLOTS
    order), as Predictor.predict_batch reads them before reconciling."""
    rows: list[list[tuple]] = []
    for item in items:
        found = detections(item.segmentation, item.width, item.height, params, item.outfit_prob)
        if not found:
            rows.append([])
            continue
        photo = read_photo(root, item.image_id)
        crops = [garment_crop(photo, box, margin=CROP_MARGIN) for _, box, _ in found]
        types = predictor.outputs(crops)["type"]
        slots = [slot_probabilities(row, predictor.labels.types) for row in types]
        rows.append([(slot, box, score, probs) for (slot, box, score), probs in zip(found, slots, strict=True)])
    return rows


def served_garments(
    predictor,
    root: Path,
    items: Sequence[OutfitTruth],
    shown: Callable[[Image.Image], Image.Image] | None = None,
) -> list[list[tuple]]:
    """For each photo, the garments listed as an upload's are (slot, box, score): `predictor.predict`, with every
    step after the network, the chip gate included; [] for a photo read as one garment. `shown`: the photo as the
    upload shows it (in another light, say), when not as shot."""
    rows = []
    for item in items:
        photo = read_photo(root, item.image_id)
        read = predictor.predict(shown(photo) if shown is not None else photo)
        rows.append([(g.slot, g.box, g.score) for g in read.garments])
    return rows


PHONE_PLACE_WORDS = {"face": "over the face", "chest": "on the chest"}


def score_occluded(predictor, root: Path, items: Sequence[OutfitTruth], where: str) -> dict:
    """score_detections of the garments listed as an upload's (served_garments) when each photo shows a phone held
    up as in a mirror photo, over the face or on the chest (occluders.occlude, the same phone for a photo on every
    run); photos whose map shows no head are left out."""
    kept, found = [], []
    for item in items:
        photo = read_photo(root, item.image_id)
        shown = occlude(photo, read_mask(root, item.image_id), photo_rng(item.image_id, where), where)
        if shown is None:
            continue
        kept.append(item)
        found.append([(g.slot, g.box, g.score) for g in predictor.predict(shown).garments])
    return score_detections(kept, found)


def score_lit_outfits(predictor, root: Path, items: Sequence[OutfitTruth], gains: Sequence[float]) -> dict:
    """score_detections of the garments listed as an upload's (served_garments) when each photo was taken in another
    light (lighting.lit: red, green and blue scaled by `gains`)."""
    return score_detections(items, served_garments(predictor, root, items, lambda photo: lit(photo, gains)))


def score_camera_outfits(predictor, root: Path, items: Sequence[OutfitTruth], camera: Camera) -> dict:
    """score_detections of the garments listed as an upload's (served_garments) when each photo was rendered by
    another camera (camera.rendered: sharpened or soft, more contrast or saturation, re-encoded)."""
    return score_detections(items, served_garments(predictor, root, items, lambda photo: rendered(photo, camera)))


# Whole outfits framed as phones and shops frame them, not as the street photos are (regions.street_view): each
# photo cut at the sides to a taller aspect (the person filling its height), or widened with its border's colour to a
# wider one (height / width: "9:16" is 16 / 9, "4:3" a landscape 3 / 4); the "studio" ones with the person cut out onto
# a plain backdrop first (coparsing.studio_version), so the widening is backdrop too.
REFRAMINGS = {
    "9:16": (16 / 9, False),
    "3:5": (5 / 3, False),
    "3:4": (4 / 3, False),
    "1:1": (1.0, False),
    "4:3": (3 / 4, False),
    "studio 3:4": (4 / 3, True),
    "studio 1:1": (1.0, True),
    "studio 4:3": (3 / 4, True),
}


def reframed(photo: Image.Image, mask: np.ndarray, aspect: float) -> tuple[Image.Image, np.ndarray]:
    """A photo and its mask framed to `aspect` (height / width) around their centre (regions.reframe); the mask's
    added columns are "nothing" (0)."""
    framed = reframe(photo.convert("RGB"), aspect)
    height, width = mask.shape
    if framed.width <= width:  # cut at the sides, as regions.reframe cuts
        left = (width - framed.width) // 2
        return framed, mask[:, left : left + framed.width]
    left = (framed.width - width) // 2  # widened, as pad_to_aspect pastes
    widened = np.zeros((height, framed.width), dtype=mask.dtype)
    widened[:, left : left + width] = mask
    return framed, widened


def score_reframed(predictor, root: Path, items: Sequence[OutfitTruth], aspect: float, *, studio: bool = False) -> dict:
    """score_detections of the garments listed as an upload's (served_garments) when each photo is reframed to
    `aspect` (`reframed`; with `studio`, its person on a plain backdrop first), counted against its mask reframed
    alike."""
    framed, found = [], []
    for item in items:
        mask = read_mask(root, item.image_id)
        photo = studio_version(root, item.image_id) if studio else read_photo(root, item.image_id)
        photo, mask = reframed(photo, mask, aspect)
        boxes = slot_boxes(mask, min_share=0.002)
        framed.append(dataclasses.replace(item, width=photo.width, height=photo.height, boxes=boxes))
        found.append([(g.slot, g.box, g.score) for g in predictor.predict(photo).garments])
    return score_detections(framed, found)


# An app's screenshot around a photo (a phone's 390 × 844 points at 2×): status bar, an account's header, the photo
# at full width from APP_PHOTO_TOP down, then like, comment and share icons and caption lines; light or dark.
APP_SCREEN = (780, 1688)
APP_PHOTO_TOP = 230
SCREENSHOTS = {"light": False, "dark": True}


def app_screenshot(
    photo: Image.Image, mask: np.ndarray | None = None, *, dark: bool = False
) -> tuple[Image.Image, np.ndarray | None, tuple[int, int, int, int]]:
    """`photo` as a social app shows it in a screenshot (a shopper saving an outfit she saw), its `mask` placed alike
    (the rest "nothing", 0), and where the photo is (pixels: left, top, right, bottom)."""
    width, height = APP_SCREEN
    background, ink = ((0, 0, 0), (245, 245, 245)) if dark else ((255, 255, 255), (20, 20, 20))
    screen = Image.new("RGB", APP_SCREEN, background)
    draw = ImageDraw.Draw(screen)
    draw.text((40, 20), "9:41", fill=ink)
    draw.rectangle((680, 22, 740, 40), outline=ink)
    draw.ellipse((30, 110, 100, 180), fill=(200, 120, 80))
    draw.text((120, 130), "street.style.daily  Follow", fill=ink)
    shown_height = min(round(photo.height * width / photo.width), height - APP_PHOTO_TOP - 300)
    full_height = round(photo.height * width / photo.width)
    shown = photo.convert("RGB").resize((width, full_height)).crop((0, 0, width, shown_height))
    screen.paste(shown, (0, APP_PHOTO_TOP))
    below = APP_PHOTO_TOP + shown_height + 30
    for x in (30, 110, 190):
        draw.ellipse((x, below, x + 50, below + 50), outline=ink, width=4)
    for line in range(3):
        draw.text((30, below + 90 + 30 * line), "liked by someone and 1,024 others  #ootd"[: 40 - 8 * line], fill=ink)
    placed = None
    if mask is not None:
        placed = np.zeros((height, width), dtype=mask.dtype)
        resized = np.asarray(Image.fromarray(mask).resize((width, full_height), Image.Resampling.NEAREST))
        placed[APP_PHOTO_TOP : APP_PHOTO_TOP + shown_height] = resized[:shown_height]
    return screen, placed, (0, APP_PHOTO_TOP, width, APP_PHOTO_TOP + shown_height)


def score_screenshots(predictor, root: Path, items: Sequence[OutfitTruth], *, dark: bool = False) -> dict:
    """score_detections of the garments listed as an upload's when each photo is saved as an app's screenshot
    (`app_screenshot`), counted against its mask placed alike."""
    shown, found = [], []
    for item in items:
        screen, mask, _where = app_screenshot(
            read_photo(root, item.image_id), read_mask(root, item.image_id), dark=dark
        )
        assert mask is not None
        shown.append(
            dataclasses.replace(item, width=screen.width, height=screen.height, boxes=slot_boxes(mask, min_share=0.002))
        )
        found.append([(g.slot, g.box, g.score) for g in predictor.predict(screen).garments])
    return score_detections(shown, found)


# Two people in one photo (friends side by side): each pixel-annotated street photo of a split set beside the one
# TWO_PEOPLE_PARTNER places on in its list, at the same height, on the left for an even place and the right for an odd.
TWO_PEOPLE_PARTNER = 37


def two_people(
    photo_a: Image.Image, mask_a: np.ndarray, photo_b: Image.Image, mask_b: np.ndarray, *, a_left: bool = True
) -> tuple[Image.Image, np.ndarray, np.ndarray]:
    """Two street photos side by side, the second scaled to the first's height, with each one's mask placed alike in
    the whole (the other person's pixels "nothing", 0)."""
    width_b = max(1, round(photo_b.width * photo_a.height / photo_b.height))
    photo_b = photo_b.convert("RGB").resize((width_b, photo_a.height))
    resized_b = np.asarray(Image.fromarray(mask_b).resize((width_b, photo_a.height), Image.Resampling.NEAREST))
    width = photo_a.width + width_b
    whole = Image.new("RGB", (width, photo_a.height))
    placed_a = np.zeros((photo_a.height, width), dtype=mask_a.dtype)
    placed_b = np.zeros((photo_a.height, width), dtype=mask_a.dtype)
    left_a, left_b = (0, photo_a.width) if a_left else (width_b, 0)
    whole.paste(photo_a.convert("RGB"), (left_a, 0))
    whole.paste(photo_b, (left_b, 0))
    placed_a[:, left_a : left_a + photo_a.width] = mask_a
    placed_b[:, left_b : left_b + width_b] = resized_b
    return whole, placed_a, placed_b


def score_two_people(predictor, root: Path, items: Sequence[OutfitTruth]) -> dict:
    """score_detections of the garments listed as an upload's when each photo shows two people (`two_people`), each
    photo's garments counted against the person of whom they find the most (the first on a tie): the product reads one
    person's outfit, and garments of both in one list count against it. `read_as_one_person_share`: of the photos read
    as an outfit, those whose garments all lie mostly on one person."""
    shown, found, one_person, outfits = [], [], 0, 0
    for k, item in enumerate(items):
        other = items[(k + TWO_PEOPLE_PARTNER) % len(items)]
        whole, mask_a, mask_b = two_people(
            read_photo(root, item.image_id),
            read_mask(root, item.image_id),
            read_photo(root, other.image_id),
            read_mask(root, other.image_id),
            a_left=k % 2 == 0,
        )
        garments = [(g.slot, g.box, g.score) for g in predictor.predict(whole).garments]
        people = [
            dataclasses.replace(item, width=whole.width, height=whole.height, boxes=slot_boxes(mask, min_share=0.002))
            for mask in (mask_a, mask_b)
        ]
        hits = [score_detections([person], [garments])["found_share"] for person in people]
        shown.append(people[int(hits[1] > hits[0])])
        found.append(garments)
        if garments:
            outfits += 1
            sides = {_on_person(box, mask_a, mask_b) for _slot, box, _score in garments}
            one_person += len(sides) == 1 and None not in sides
    one_person_share = round(one_person / outfits, 4) if outfits else 0.0
    return {**score_detections(shown, found), "read_as_one_person_share": one_person_share}


def _on_person(box: Sequence[float], mask_a: np.ndarray, mask_b: np.ndarray) -> int | None:
    """Which of two people a garment's box lies mostly on (0 or 1: of its garment pixels, at least two thirds are that
    person's), else None."""
    height, width = mask_a.shape
    x0, y0, x1, y1 = (round(float(v) * size) for v, size in zip(box, (width, height, width, height), strict=True))
    a = int((mask_a[y0:y1, x0:x1] > 0).sum())
    b = int((mask_b[y0:y1, x0:x1] > 0).sum())
    if a + b == 0:
        return None
    return 0 if a >= 2 * (a + b) / 3 else 1 if b >= 2 * (a + b) / 3 else None


def reconciled(rows: Sequence[Sequence[tuple]], params: dict) -> list[list[tuple]]:
    """The garments the product lists per photo: regions.reconcile_garments of crop_readings rows with `params`
    (all of them, as found, without)."""
    out = []
    for row in rows:
        found = [(slot, box, score) for slot, box, score, _ in row]
        kept = reconciled_garments(found, [r[3] for r in row], SLOTS, params)
        out.append([(slot, found[i][1], found[i][2]) for i, slot in kept])
    return out


# `drop` starts at 0.05: a garment whose own crop gives its slot less than that is not listed, whatever it adds on
# validation. With 0.02 (chosen for lite0-224-v13 by 3 more garments found of 328) a street photo of a coat over a
# skirt listed a "Gray dress" whose crop read it 4% one-piece, and the page named it "Dress 0%".
RECONCILE_GRID = {"drop": (0.05, 0.1, 0.2), "reslot": (0.6, 0.7, 0.8, 0.9, 1.01)}


def tune_reconcile(items: Sequence[OutfitTruth], rows: Sequence[Sequence[tuple]]) -> dict:
    """Pick how the detector's garments are checked against their crops, on VALIDATION photos: the most garments
    found (IoU >= 0.3) plus half the precision, as for the detection thresholds. Always a setting of RECONCILE_GRID
    (its `drop` floor is a rule of the product, not a figure to tune away); the garments as found are scored as the
    first trial, for reference."""
    base = score_detections(items, reconciled(rows, {}))
    trials = [{"drop": None, "reslot": None, "found": base["found_share"], "precision": base["precision"]}]
    best: dict = {}
    best_key = -1.0
    for drop in RECONCILE_GRID["drop"]:
        for reslot in RECONCILE_GRID["reslot"]:
            params = {"drop": drop, "reslot": reslot}
            scored = score_detections(items, reconciled(rows, params))
            trials.append({**params, "found": scored["found_share"], "precision": scored["precision"]})
            key = scored["found_share"] + 0.5 * scored["precision"]
            if key > best_key + 1e-9:
                best, best_key = params, key
    return {"chosen": best, "trials": trials}


def flat_outfit_share(
    segmentations: np.ndarray,
    sizes: Sequence[tuple[int, int]],
    params: dict,
    probs: Sequence[float] | None = None,
    threshold: float = 0.5,
) -> float:
    """Share of single-garment photos wrongly read as a whole outfit."""
    probs = probs if probs is not None else [1.0] * len(sizes)
    flagged = [
        bool(detections(seg, w, h, params, p, threshold))
        for seg, (w, h), p in zip(segmentations, sizes, probs, strict=True)
    ]
    return round(float(np.mean(flagged)), 4) if flagged else 0.0


DETECTION_GRID: dict[str, tuple] = {
    "min_cells": (3, 6, 10, 16, 24),
    "min_score": (0.35, 0.45, 0.55, 0.65),
    "keep_share": (0.1, 0.3),
    "grow": (None, 0.2, 0.25, 0.3),
}


def tune_detection(
    items: Sequence[OutfitTruth], flat_segs, flat_sizes, flat_probs=None, *, max_flat_share: float = 0.05
) -> dict:
    """Pick detection thresholds on VALIDATION photos: the most garments found (IoU >= 0.3) and the best precision
    among settings that read at most `max_flat_share` of flat single-garment photos as outfits."""
    best, best_key = None, None
    trials = []
    for min_cells in DETECTION_GRID["min_cells"]:
        for min_score in DETECTION_GRID["min_score"]:
            # Whether a flat photo reads as an outfit depends on these two only (growing a region adds no slot).
            counted = {"min_cells": min_cells, "min_score": min_score}
            flat = flat_outfit_share(flat_segs, flat_sizes, counted, flat_probs)
            for keep_share in DETECTION_GRID["keep_share"]:
                for grow in DETECTION_GRID["grow"]:
                    params = {"min_cells": min_cells, "min_score": min_score, "keep_share": keep_share, "grow": grow}
                    scored = score_outfits(items, params)
                    trials.append(
                        {**params, "found": scored["found_share"], "precision": scored["precision"], "flat": flat}
                    )
                    key = (flat <= max_flat_share, scored["found_share"] + 0.5 * scored["precision"])
                    if best_key is None or key > best_key:
                        best, best_key = params, key
    flats = (flat_segs, flat_sizes, flat_probs, max_flat_share)
    per_slot = tune_slots(items, best, flats) if best is not None else {"chosen": {}, "trials": []}
    if best is not None and per_slot["chosen"]:
        best = {**best, "per_slot": per_slot["chosen"]}
    return {"chosen": best, "trials": trials, "max_flat_share": max_flat_share, "per_slot_trials": per_slot["trials"]}


PER_SLOT_GRID: dict[str, tuple] = {
    "grow": (None, 0.2, 0.25, 0.3, 0.4, 0.5),
    "keep_share": (0.1, 0.3, 0.6),
    "min_cells": (2, 3, 6, 10),
    "min_score": (0.25, 0.35, 0.45),
}


def slot_scores(items: Sequence[OutfitTruth], found: Sequence[Sequence[tuple]], slot: str, *, iou: float = 0.3):
    """(share of the photos' `slot` garments found, precision of the `slot` detections) at IoU >= `iou`."""
    present = hits = predicted = 0
    for item, dets in zip(items, found, strict=True):
        box = next((det[1] for det in dets if det[0] == slot), None)
        present += slot in item.boxes
        predicted += box is not None
        hits += box is not None and slot in item.boxes and box_iou(box, item.boxes[slot]) >= iou
    return (hits / present if present else 0.0), (hits / predicted if predicted else 0.0)


def tune_slots(items: Sequence[OutfitTruth], params: dict, flat: tuple | None = None) -> dict:
    """After the shared settings `params`, each slot's own (regions.detect_garments' `per_slot`), on VALIDATION
    photos: first how its box is drawn (`grow`, `keep_share`), then when it counts as found (`min_cells`,
    `min_score`), each time for that slot's garments found plus half its precision, as for the shared settings. A
    slot keeps the shared values unless its own beat them. With `flat` = (segmentations, sizes, outfit-gate
    probabilities, max share) of flat single-garment photos, own thresholds that read more than that share of them
    as outfits are not taken."""
    chosen: dict[str, dict] = {}
    trials = []

    def key(per_slot: dict, slot: str) -> tuple[float, float, float]:
        found, precision = slot_scores(items, _found(items, {**params, "per_slot": per_slot}), slot)
        return found + 0.5 * precision, found, precision

    for slot in DETECTION_SLOTS:
        best_key, found, precision = key(chosen, slot)
        shared = {name: params.get(name) for name in PER_SLOT_PARAMS}
        trials.append({"slot": slot, **shared, "found": round(found, 4), "precision": round(precision, 4)})
        for stage in (("grow", "keep_share"), ("min_cells", "min_score")):
            for values in itertools.product(*(PER_SLOT_GRID[name] for name in stage)):
                own = {**chosen.get(slot, {}), **dict(zip(stage, values, strict=True))}
                own = {name: value for name, value in own.items() if value != params.get(name)}
                candidate = {**chosen, slot: own} if own else {k: v for k, v in chosen.items() if k != slot}
                if stage[0] == "min_cells" and flat is not None:
                    segs, sizes, probs, max_share = flat
                    if flat_outfit_share(segs, sizes, {**params, "per_slot": candidate}, probs) > max_share:
                        continue
                value, found, precision = key(candidate, slot)
                trials.append({"slot": slot, **own, "found": round(found, 4), "precision": round(precision, 4)})
                if value > best_key + 1e-9:
                    chosen, best_key = candidate, value
    return {"chosen": chosen, "trials": trials}


def _found(items: Sequence[OutfitTruth], params: dict) -> list[list[tuple]]:
    return [detections(item.segmentation, item.width, item.height, params, item.outfit_prob) for item in items]


# ---------------------------------------------------------------- the whole evaluation of an artifact


def evaluate_artifact(
    model_dir: Path,
    dataset_dir: Path,
    *,
    coparsing_dir: Path | None = None,
    splits: Sequence[str] = ("validation", "test"),
    limit: int | None = None,
    keras_validation: bool = True,
    tune: bool = True,
    progress: bool = True,
) -> dict:
    """Score the exported model.tflite on the CC0 splits and (with `coparsing_dir`) the co-parsing splits; choose the
    detection thresholds on the validation splits only (written into labels.json); write metrics.json, confusion
    PNGs (evaluation/) and MODEL_CARD.md. Returns the metrics."""
    model_dir = Path(model_dir)
    metrics = load_metrics(model_dir)
    labels_path = model_dir / "labels.json"
    labels = json.loads(labels_path.read_text())

    def cc0(split: str) -> list[Sample]:
        samples = load_samples(dataset_dir, splits=[split])
        if limit and len(samples) > limit:
            samples = samples[:: int(np.ceil(len(samples) / limit))]
        return samples

    # Raw outputs and labels are read below: a model-backed predictor.
    predictor = model_backed(load_predictor(model_dir, backend="tflite"), "evaluate_artifact")
    flat_cache: dict[str, tuple] = {}

    def flat_segmentations(split: str, samples: Sequence[Sample]):
        if split not in flat_cache:
            segs, sizes, embeddings = [], [], []
            for start in range(0, len(samples), 32):
                images = [open_image(s.path) for s in samples[start : start + 32]]
                out = predictor.outputs(images)
                segs.append(out["segmentation"])
                embeddings.append(out["embedding"])
                sizes += [image.size for image in images]
            flat_cache[split] = (np.concatenate(segs), sizes, np.concatenate(embeddings))
        segs, sizes, embeddings = flat_cache[split]
        gate = predictor.labels.outfit_gate
        return segs, sizes, [outfit_probability(e, gate) for e in embeddings]

    if tune and coparsing_dir is not None and "validation" in splits:
        labels["outfit_gate"] = train_outfit_gate(predictor, dataset_dir, Path(coparsing_dir), limit=limit)
        labels_path.write_text(json.dumps(labels, indent=2) + "\n")
        predictor = model_backed(load_predictor(model_dir, backend="tflite"), "evaluate_artifact")  # with the gate
        val_items = outfit_truths(predictor, Path(coparsing_dir), "validation")
        segs, sizes, probs = flat_segmentations("validation", cc0("validation"))
        tuning = tune_detection(val_items, segs, sizes, probs)
        labels["detection"] = tuning["chosen"]
        labels_path.write_text(json.dumps(labels, indent=2) + "\n")
        metrics["detection_tuning"] = tuning
        # with the chosen thresholds
        predictor = model_backed(load_predictor(model_dir, backend="tflite"), "evaluate_artifact")
    params = labels.get("detection") or {}
    if tune and coparsing_dir is not None and "validation" in splits:
        val_worn = worn_samples(coparsing_dir, "validation")
        if limit and len(val_worn) > limit:
            val_worn = val_worn[:: int(np.ceil(len(val_worn) / limit))]
        shares = region_slot_shares(val_worn, val_items)
        context_tuning = tune_region_context(val_worn, model_outputs(predictor, val_worn, progress=False), shares)
        chosen = context_tuning["chosen"] or {}
        labels["region_context"] = chosen if chosen.get("weight") else {}
        labels_path.write_text(json.dumps(labels, indent=2) + "\n")
        metrics["region_context_tuning"] = context_tuning
        predictor = model_backed(load_predictor(model_dir, backend="tflite"), "evaluate_artifact")
    if tune and "validation" in splits:
        colour_tuning = tune_pixel_colors(
            cc0("validation"), model_outputs(predictor, cc0("validation"), progress=False)
        )
        chosen = colour_tuning["chosen"] or {}
        labels["pixel_colors"] = chosen if chosen.get("weight") else {}
        labels_path.write_text(json.dumps(labels, indent=2) + "\n")
        metrics["pixel_colors_tuning"] = colour_tuning
        predictor = model_backed(load_predictor(model_dir, backend="tflite"), "evaluate_artifact")
    if tune and coparsing_dir is not None and "validation" in splits:
        reconcile_tuning = tune_reconcile(val_items, crop_readings(predictor, Path(coparsing_dir), val_items, params))
        labels["reconcile"] = reconcile_tuning["chosen"]
        labels_path.write_text(json.dumps(labels, indent=2) + "\n")
        metrics["reconcile_tuning"] = reconcile_tuning
        predictor = model_backed(load_predictor(model_dir, backend="tflite"), "evaluate_artifact")
    context = labels.get("region_context") or {}

    figures_dir = model_dir / "evaluation"
    for split in splits:
        samples = cc0(split)
        result = evaluate(predictor, samples, progress=progress)
        segs, sizes, probs = flat_segmentations(split, samples)
        result.extras["flat_read_as_outfit_share"] = flat_outfit_share(segs, sizes, params, probs)
        metrics[split] = result.as_dict()
        metrics[split]["lighting"] = score_lighting(predictor, samples)
        if split == "test":
            write_confusion_pngs(result, figures_dir)
    if keras_validation and "validation" in splits:
        keras_predictor = load_predictor(model_dir, backend="keras")
        metrics["validation_keras"] = evaluate(keras_predictor, cc0("validation"), progress=progress).as_dict()
    if coparsing_dir is not None:
        worn: dict = {}
        for split in splits:
            worn[split] = score_coparsing(
                predictor,
                Path(coparsing_dir),
                split,
                params,
                context,
                labels.get("reconcile") or {},
                limit=limit,
                progress=progress,
            )
            if split == "test":
                for name in ("slot", "type", "kind"):
                    head = _head_from_dict(worn[split]["regions"][name])
                    confusion_png(
                        head,
                        figures_dir / f"confusion_worn_test_{name}.png",
                        title=f"worn {name} - test (accuracy {head.accuracy:.3f}, n={head.count})",
                    )
        metrics["coparsing"] = worn
        # What the worn figures were scored against (evaluate_artifact always scores by the corrected labels).
        metrics["coparsing_scored_corrections"] = len(label_corrections())
    if "test" in splits:
        metrics["test_scorings"] = int(metrics.get("test_scorings", 0)) + 1
    metrics["artifact_bytes"] = _artifact_bytes(model_dir)
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    write_model_card(model_dir, metrics, labels)
    return metrics


def train_outfit_gate(predictor, dataset_dir: Path, coparsing_dir: Path, *, limit: int | None = None) -> dict:
    """Fit the outfit gate on TRAIN photos only: every co-parsing train photo, and the shop-like framings of its
    pixel-annotated ones (coparsing.product_framings: a model cut at the waist or the knees is still a person wearing
    clothes), each also with the person on a plain studio backdrop (coparsing.studio_photo), against every CC0 train
    photo (one garment each; the two classes weigh the same); report its accuracy on both validation splits."""

    def embeddings(images: Sequence) -> np.ndarray:
        rows = []
        for start in range(0, len(images), 32):
            chunk = [image() for image in images[start : start + 32]]
            rows.append(predictor.outputs(chunk)["embedding"])
        return np.concatenate(rows) if rows else np.zeros((0, predictor.embedding_dim))

    def photos(split: str) -> tuple[list, list, list, list]:
        worn = worn_outfits(coparsing_dir, split, with_color=False)
        outfits = [functools.partial(open_image, o.photo_path) for o in worn]
        framed, studio = (
            [
                functools.partial(_framed, coparsing_dir, o.image_id, framing.box, backdrop)
                for o in worn
                for framing in product_framings(o)
            ]
            for backdrop in (False, True)
        )
        flats = [s.path for s in load_samples(dataset_dir, splits=[split])]
        if limit:
            outfits, framed, studio, flats = outfits[:limit], framed[:limit], studio[:limit], flats[:limit]
        return outfits, framed, studio, [functools.partial(open_image, path) for path in flats]

    outfits, framed, studio, flats = photos("train")
    gate = fit_outfit_gate(
        np.concatenate([embeddings(outfits), embeddings(framed), embeddings(studio)]), embeddings(flats)
    )
    val_outfits, val_framed, val_studio, val_flats = photos("validation")

    def recognised(images: Sequence, worn: bool) -> float | None:
        if not images:
            return None
        said = [(outfit_probability(e, gate) >= gate["threshold"]) == worn for e in embeddings(images)]
        return round(float(np.mean(said)), 4)

    gate["trained_on"] = {
        "outfit_photos": len(outfits),
        "framed_photos": len(framed),
        "studio_framed_photos": len(studio),
        "flat_photos": len(flats),
    }
    gate["validation"] = {
        "outfits_recognised": recognised(val_outfits, True),
        "framed_recognised": recognised(val_framed, True),
        "studio_framed_recognised": recognised(val_studio, True),
        "flats_recognised": recognised(val_flats, False),
    }
    return gate


def _probe_photos(predictor, dataset_dir: Path, labels: dict[str, int]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The embeddings and labels of the CC0 photos a stylist tagged, by split ("fit": train and validation; "test")."""
    with (Path(dataset_dir) / "splits.csv").open(newline="", encoding="utf-8") as handle:
        split_of = {row["image"]: row["split"] for row in csv.DictReader(handle)}
    result = {}
    for name, splits in (("fit", ("train", "validation")), ("test", ("test",))):
        chosen = [(image, label) for image, label in sorted(labels.items()) if split_of.get(image) in splits]
        photos = [functools.partial(open_image, Path(dataset_dir) / "images" / f"{image}.jpg") for image, _ in chosen]
        result[name] = (_embeddings(predictor, photos), np.array([label for _, label in chosen], dtype=int))
    return result


def _embeddings(predictor, images: Sequence) -> np.ndarray:
    rows = [
        predictor.outputs([image() for image in images[start : start + 32]])["embedding"]
        for start in range(0, len(images), 32)
    ]
    return np.concatenate(rows) if rows else np.zeros((0, predictor.embedding_dim))


def train_outer_kinds(
    predictor, dataset_dir: Path, coparsing_dir: Path | None, labels_file: Path = outer_kinds.LABELS_FILE
) -> tuple[dict, list[dict]]:
    """The outer-kind reading (classifier.outer_kinds): fitted on the CC0 train and validation photos of the
    stylist's labels, its regularisation and threshold chosen by cross-validation on them; scored once on the CC0 test
    photos and (with `coparsing_dir`) on the co-parsing test split's worn outer layers labelled coat, cape, jacket or
    vest, read from their crops as the product reads a tapped garment. Returns labels.json's `outer_kind` block and
    every cross-validation try."""
    tagged = {
        image: outer_kinds.KINDS_READ.index(kind)
        for image, kind in outer_kinds.read_labels(labels_file).items()
        if kind in outer_kinds.KINDS_READ
    }
    photos = _probe_photos(predictor, dataset_dir, tagged)
    x_fit, y_fit = photos["fit"]
    l2, threshold, tries = outer_kinds.cross_validate(x_fit, y_fit)
    weights, bias = probes.fit(x_fit, y_fit, classes=len(outer_kinds.KINDS_READ), l2=l2)
    model = {"weights": weights, "bias": bias}
    x_test, y_test = photos["test"]
    chosen = next(t for t in tries if t["l2"] == l2 and t["threshold"] == threshold)
    keys = ("l2", "use", "accuracy", "confident_share", "confident_accuracy", "vests", "vests_found", "called_vest")
    facts: dict = {
        "trained_on": {"cc0_photos": len(y_fit), "splits": ["train", "validation"]},
        "cross_validation": {key: chosen[key] for key in keys},
        "test": outer_kinds.scores(probes.probabilities(x_test, model), y_test, threshold),
    }
    if coparsing_dir is not None:
        crops, truth = [], []
        for outfit in worn_outfits(coparsing_dir, "test", annotation="pixel", with_color=False):
            for garment in outfit.garments:
                kind = outer_kinds.COPARSING_KINDS.get(garment.label)
                if kind and garment.box is not None:
                    crops.append(functools.partial(_worn_crop, coparsing_dir, outfit.image_id, garment.box))
                    truth.append(outer_kinds.KINDS_READ.index(kind))
        worn = probes.probabilities(_embeddings(predictor, crops), model)
        facts["worn_test"] = outer_kinds.scores(worn, truth, threshold)
    return probes.as_model(outer_kinds.KINDS_READ, weights, bias, threshold=threshold, **facts), tries


def train_graphics(predictor, dataset_dir: Path, labels_file: Path = graphics.LABELS_FILE) -> tuple[dict, list[dict]]:
    """The graphic-print reading (classifier.graphics): fitted on the CC0 train and validation tops of the stylist's
    labels, its regularisation and threshold chosen by cross-validation on them; scored once on the CC0 test tops.
    Returns labels.json's `graphic` block (with the types it applies to) and every cross-validation try."""
    photos = _probe_photos(predictor, dataset_dir, graphics.read_labels(labels_file))
    x_fit, y_fit = photos["fit"]
    l2, threshold, tries = graphics.cross_validate(x_fit, y_fit)
    weights, bias = probes.fit(x_fit, y_fit, classes=len(graphics.LABELS), l2=l2)
    x_test, y_test = photos["test"]
    chosen = next(t for t in tries if t["l2"] == l2 and t["threshold"] == threshold)
    facts = {
        "types": list(graphics.TYPES_READ),
        "trained_on": {"cc0_photos": len(y_fit), "splits": ["train", "validation"]},
        "cross_validation": {key: chosen[key] for key in ("l2", "use", "graphics", "flagged", "precision", "recall")},
        "test": graphics.scores(probes.probabilities(x_test, {"weights": weights, "bias": bias}), y_test, threshold),
    }
    return probes.as_model(graphics.LABELS, weights, bias, threshold=threshold, **facts), tries


def train_wearers(predictor, coparsing_dir: Path, labels_file: Path = wearers.LABELS_FILE) -> tuple[dict, list[dict]]:
    """The wearer reading (classifier.wearers): fitted on the co-parsing train and validation photos whose wearer a
    stylist could tell, and on the shop-like framings of their pixel-annotated ones (coparsing.product_framings: a
    shop's photo of a garment on a model shows part of the person), as photographed and with the person on a plain
    studio backdrop (coparsing.studio_photo, as a shop shoots a model), each read as the product reads it
    (`Predictor.wearer_features`); its regularisation and thresholds chosen by cross-validation on them (a photo and
    its framings in one fold); scored once on the test split, photos, framings and studio framings apart. Returns
    labels.json's `wearer` block and every cross-validation try."""
    tagged = wearers.read_labels(labels_file)
    rows: dict[str, dict[str, list]] = {}
    for split in ("train", "validation", "test"):
        mine = rows.setdefault(split, {"photos": [], "framings": [], "studio_framings": []})
        for outfit in worn_outfits(coparsing_dir, split, with_color=False):
            if outfit.image_id not in tagged:
                continue
            label = tagged[outfit.image_id]
            photo = functools.partial(read_photo, coparsing_dir, outfit.image_id)
            mine["photos"].append((outfit.image_id, photo, label))
            for framing in product_framings(outfit):
                for kind, studio in (("framings", False), ("studio_framings", True)):
                    frame = functools.partial(_framed, coparsing_dir, outfit.image_id, framing.box, studio)
                    mine[kind].append((outfit.image_id, frame, label))

    def read(chosen: list) -> tuple[np.ndarray, np.ndarray, list[str]]:
        features = [
            feature
            for start in range(0, len(chosen), 32)
            for feature in predictor.wearer_features([image() for _id, image, _label in chosen[start : start + 32]])
        ]
        x = np.stack(features) if features else np.zeros((0, 2 * predictor.embedding_dim))
        return x, np.array([label for *_rest, label in chosen], dtype=int), [image_id for image_id, *_rest in chosen]

    kinds = ("photos", "framings", "studio_framings")
    fit_rows = [row for split in ("train", "validation") for kind in kinds for row in rows[split][kind]]
    x_fit, y_fit, groups = read(fit_rows)
    l2, thresholds, tries = wearers.cross_validate(x_fit, y_fit, groups=groups)
    weights, bias = probes.fit(x_fit, y_fit, classes=len(wearers.AUDIENCES_READ), l2=l2)
    model = {"weights": weights, "bias": bias}
    chosen = next(t for t in tries if t["l2"] == l2 and tuple(t["thresholds"]) == thresholds)
    facts: dict = {
        "trained_on": {
            "coparsing_photos": sum(len(rows[s]["photos"]) for s in ("train", "validation")),
            "framings": sum(len(rows[s]["framings"]) for s in ("train", "validation")),
            "studio_framings": sum(len(rows[s]["studio_framings"]) for s in ("train", "validation")),
            "splits": ["train", "validation"],
        },
        "cross_validation": {key: value for key, value in chosen.items() if key != "thresholds"},
    }
    for kind in kinds:
        x_test, y_test, _groups = read(rows["test"][kind])
        facts[f"test_{kind}"] = wearers.scores(probes.probabilities(x_test, model), y_test, thresholds)
    return probes.as_model(wearers.AUDIENCES_READ, weights, bias, threshold=list(thresholds), **facts), tries


CHIP_GATE_KINDS = ("photos", "framings", "studio_framings")


def chip_gate_rows(predictor, coparsing_dir: Path, split: str, *, limit: int | None = None) -> dict[str, tuple]:
    """For each kind of photo of a split (CHIP_GATE_KINDS: the pixel-annotated street photos, their shop-like framings
    as shot and on a studio backdrop), read as the product reads an upload but without a chip gate: (features of
    every garment listed, whether each is there, the photo each came from). A listed garment is there when a garment
    of its slot is in the frame by the photo's map (listed_right, IoU >= 0.3)."""
    outfits = worn_outfits(coparsing_dir, split, with_color=False, annotation="pixel")
    if limit and len(outfits) > limit:
        outfits = outfits[:: int(np.ceil(len(outfits) / limit))]
    rows: dict[str, tuple[list, list, list]] = {kind: ([], [], []) for kind in CHIP_GATE_KINDS}
    for outfit in outfits:
        mask = read_mask(coparsing_dir, outfit.image_id)
        shots = [("photos", None, False)] + [
            (kind, framing.box, studio)
            for framing in product_framings(outfit)
            for kind, studio in (("framings", False), ("studio_framings", True))
        ]
        for kind, box, studio in shots:
            photo = _street_or_studio(coparsing_dir, outfit.image_id, studio)
            with _without_chip_gate(predictor):
                reading = predictor.predict(photo if box is None else framed_photo(photo, box))
            if not reading.garments:
                continue
            truth = slot_boxes(mask if box is None else framed_mask(mask, box), min_share=0.002)
            x, there, photos = rows[kind]
            x.append(chip_features(reading))
            there += listed_right([(g.slot, g.box) for g in reading.garments], truth)
            photos += [outfit.image_id] * len(reading.garments)
    width = len(chip_gate.FEATURES)
    return {
        kind: (np.concatenate(x) if x else np.zeros((0, width)), np.array(there, dtype=bool), photos)
        for kind, (x, there, photos) in rows.items()
    }


@contextlib.contextmanager
def _without_chip_gate(predictor):
    """The predictor reads as if its artifact had no chip gate (the gate's own input is what is listed before it)."""
    labels = getattr(predictor, "labels", None)
    if labels is None or not getattr(labels, "chip_gate", None):
        yield predictor
        return
    predictor.labels = dataclasses.replace(labels, chip_gate={})
    try:
        yield predictor
    finally:
        predictor.labels = labels


def _chip_gate_figures(p: np.ndarray, there: np.ndarray, drop: float, unsure: float) -> dict:
    listed = p >= drop
    marked = listed & (p < unsure)
    clear = listed & ~marked

    def share(mask: np.ndarray) -> float:
        return round(float(there[mask].mean()), 4) if mask.any() else 0.0

    return {
        "listed_before": len(p),
        "there_before": int(there.sum()),
        "precision_before": share(np.ones(len(p), dtype=bool)),
        "dropped": int((~listed).sum()),
        "dropped_there": int((~listed & there).sum()),
        "precision_after": share(listed),
        "marked_unsure": int(marked.sum()),
        "marked_unsure_there": int((marked & there).sum()),
        "not_marked_there_share": share(clear),
    }


def train_chip_gate(predictor, coparsing_dir: Path, *, limit: int | None = None) -> tuple[dict, dict]:
    """The chip gate (classifier.chip_gate): fitted on the co-parsing train split's street photos and shop-like
    framings, its thresholds chosen there (chip_gate.choose_thresholds), scored on validation and test (every kind
    of photo apart: how many listed garments it drops and how many of them were there, how many it marks as unsure
    and how many of those are there). Returns labels.json's `chip_gate` block and the figures per split."""
    rows = {split: chip_gate_rows(predictor, coparsing_dir, split, limit=limit) for split in SPLITS_SCORED}
    fit_x = np.concatenate([rows["train"][kind][0] for kind in CHIP_GATE_KINDS])
    fit_there = np.concatenate([rows["train"][kind][1] for kind in CHIP_GATE_KINDS])
    whole = np.concatenate([np.full(len(rows["train"][kind][1]), kind == "photos") for kind in CHIP_GATE_KINDS])
    if len(set(fit_there.tolist())) < 2:
        raise ValueError(
            f"the chip gate needs garments listed in the train photos both there and not ({len(fit_there)} listed)"
        )
    model = chip_gate.fit(fit_x, fit_there)
    drop, unsure = chip_gate.choose_thresholds(chip_gate.probabilities(fit_x, model), fit_there, whole)
    figures = {
        split: {
            kind: _chip_gate_figures(chip_gate.probabilities(x, model), there, drop, unsure)
            for kind, (x, there, _photos) in rows[split].items()
        }
        for split in SPLITS_SCORED
    }
    block = chip_gate.as_block(
        model,
        drop=drop,
        unsure=unsure,
        trained_on={kind: len(rows["train"][kind][1]) for kind in CHIP_GATE_KINDS} | {"split": "train"},
        **{f"{split}_figures": figures[split] for split in ("validation", "test")},
    )
    return block, figures


WORN_COLOUR_L2 = (0.003, 0.01, 0.03, 0.1, 0.3)
# Where coordination starts counting a garment as patterned (recommender: a second print in a look).
PATTERN_COUNTS_FROM = 0.7


def _worn_by_eye_outputs(
    predictor,
    coparsing_dir: Path,
    split: str,
    lights: Sequence[Sequence[float]] | None = None,
    *,
    studio: bool = False,
) -> tuple[list[SeenColour], list[str], dict]:
    """The worn garments of `split` a person labelled by eye and saw well: what they saw, their photos, and the
    model's outputs for their crops as a garment laid flat is read (model label order); with `lights`, each crop in
    its own light (lighting.lit), one per garment; with `studio`, each cut by the same box from its photo's studio
    version (coparsing.studio_version: the person on a plain backdrop, as a shop shoots a model)."""
    rows = []
    for sample in worn_samples(coparsing_dir, split):
        key = worn_garment_key(sample)
        if key is None:
            continue
        seen = seen_colour(*key, split)
        if seen is not None and not seen.unsure:
            rows.append((sample, seen, key[0]))
    columns: dict[str, list[np.ndarray]] = {}
    if lights is not None and len(lights) != len(rows):
        raise ValueError(f"{len(lights)} lights for {len(rows)} garments")
    for start in range(0, len(rows), 32):
        if studio:
            images = [_on_backdrop(coparsing_dir, sample, photo) for sample, _, photo in rows[start : start + 32]]
        else:
            images = [_sample_image(sample) for sample, _, _ in rows[start : start + 32]]
        if lights is not None:
            images = [lit(image, light) for image, light in zip(images, lights[start : start + 32], strict=True)]
        out = predictor.outputs(images)
        for name in ("color", "color_head", "color_pixels", "embedding", "pattern"):
            columns.setdefault(name, []).append(np.asarray(out[name]))
    outputs = {name: np.concatenate(parts) for name, parts in columns.items()}
    return [seen for _, seen, _ in rows], [photo for _, _, photo in rows], outputs


def _on_backdrop(coparsing_dir: Path, sample: Sample, image_id: str) -> Image.Image:
    """A worn garment's crop cut by its box from its photo's studio version (coparsing.studio_version)."""
    photo = studio_version(coparsing_dir, image_id)
    return garment_crop(photo, sample.box) if sample.box is not None else photo


def _worn_colour_figures(
    seen: Sequence[SeenColour], colours: Sequence[str], column: int, before: dict, after: dict
) -> dict:
    """Colour-or-alt and pattern of worn garments against what a person saw, read flat (`before`) and as worn (model
    label order; `column`: the pattern head's "pattern")."""
    patterned = np.array([s.pattern == "pattern" for s in seen])

    def colour(out: dict) -> float:
        read = [colours[int(i)] for i in np.argmax(out["color"], axis=1)]
        return round(float(np.mean([s.names(c) for s, c in zip(seen, read, strict=True)])), 4)

    def pattern(out: dict, at: float) -> dict:
        called = np.asarray(out["pattern"])[:, column] >= at
        return {
            "accuracy": round(float(np.mean(called == patterned)), 4),
            "found": int((called & patterned).sum()),
            "solid_called_patterned": int((called & ~patterned).sum()),
        }

    return {
        "count": len(seen),
        "patterned": int(patterned.sum()),
        "colour_or_alt": {"flat": colour(before), "worn": colour(after)},
        "pattern": {"flat": pattern(before, 0.5), "worn": pattern(after, 0.5)},
        "pattern_from_0_7": {"flat": pattern(before, PATTERN_COUNTS_FROM), "worn": pattern(after, PATTERN_COUNTS_FROM)},
    }


def _cross_validated_reads(
    x: np.ndarray, y: np.ndarray, photos: Sequence[str], *, classes: int, l2s: Sequence[float], folds: int
) -> list[tuple[float, np.ndarray]]:
    """For each regularisation, every row's class as read by a softmax regression (worn_colours.fit_softmax) fitted
    on the other folds; a photo's rows share one fold (assigned by a fixed seed)."""
    names = sorted(set(photos))
    of_photo = dict(zip(names, np.random.default_rng(0).permutation(len(names)) % folds, strict=True))
    fold = np.array([of_photo[p] for p in photos])
    reads = []
    for l2 in l2s:
        read = np.empty(len(y), dtype=int)
        for f in range(folds):
            model = worn_colours.fit_softmax(x[fold != f], y[fold != f], classes=classes, l2=l2)
            read[fold == f] = np.argmax(worn_colours.softmax_probabilities(x[fold == f], model), axis=1)
        reads.append((l2, read))
    return reads


# Copies of each train garment in a random light (lighting.random_light) that the worn colour step also learns from.
# None: with two, fitted as here (l2 0.1 by cross-validation), validation garments by eye (lite0-224-v16) 0.803 ->
# 0.787 as taken, 0.733 -> 0.787 under a warm lamp, 0.627 -> 0.683 in cool shade, 0.760 -> 0.790 dim; street photos
# are mostly as taken, and the test garments as taken fell 0.774 -> 0.733 (classifier/NOTEBOOK.md, 5 Dec, late).
WORN_COLOUR_LIT_COPIES = 0
# Whether the worn colour step also learns from each train garment cut from its photo's studio version (the person on
# a plain backdrop, coparsing.studio_version; the same label). A shop's photo of a model is shot so, and the crop of a
# small garment is then mostly white paper: lite0-224-v17's step named 0.807 of the validation garments by eye as
# shot but 0.747 cut from the backdrop; with the copy 0.800 and 0.790, test 0.777 -> 0.787 (classifier/NOTEBOOK.md).
WORN_COLOUR_STUDIO_COPY = True


def train_worn_colours(
    predictor,
    coparsing_dir: Path,
    *,
    folds: int = 5,
    lit_copies: int = WORN_COLOUR_LIT_COPIES,
    studio_copy: bool = WORN_COLOUR_STUDIO_COPY,
    seed: int = 3,
) -> tuple[dict, list[dict]]:
    """The `worn_colour` block (classifier.worn_colours), fitted on the co-parsing train split's worn garments
    labelled by eye (coparsing.worn_by_eye), each also in `lit_copies` random lights (the same label: a garment keeps
    its colour in any light), its regularisation chosen by cross-validation there (a photo's garments, lit copies
    included, in one fold; scored on the garments as taken); validation and test scored against the flat reading,
    validation also in every light of lighting.LIGHTS. Raises ValueError without train labels."""
    labels = predictor.labels
    pattern_labels = labels.heads["pattern"]
    seen, photos, out = _worn_by_eye_outputs(predictor, coparsing_dir, "train")
    if len(seen) < 50:
        raise ValueError(f"{len(seen)} train garments labelled by eye: too few to fit the worn colours")
    colours = list(labels.colors)
    y = np.array([colours.index(s.color) for s in seen])
    xs = [worn_colours.colour_features(out)]
    rng = np.random.default_rng(seed)
    for _ in range(lit_copies):
        lights = [random_light(rng) for _ in seen]
        xs.append(worn_colours.colour_features(_worn_by_eye_outputs(predictor, coparsing_dir, "train", lights)[2]))
    if studio_copy:
        studio = _worn_by_eye_outputs(predictor, coparsing_dir, "train", studio=True)[2]
        xs.append(worn_colours.colour_features(studio))
    x, every_y, every_photo = np.vstack(xs), np.tile(y, len(xs)), photos * len(xs)
    names = sorted(set(photos))
    tries = []
    reads = _cross_validated_reads(x, every_y, every_photo, classes=len(colours), l2s=WORN_COLOUR_L2, folds=folds)
    for l2, read in reads:
        right = [s.names(colours[int(c)]) for s, c in zip(seen, read[: len(seen)], strict=True)]
        tries.append({"l2": l2, "colour_or_alt": round(float(np.mean(right)), 4)})
    best = max(tries, key=lambda t: (t["colour_or_alt"], t["l2"]))
    colour = worn_colours.fit_softmax(x, every_y, classes=len(colours), l2=best["l2"])
    patterned = list(pattern_labels).index("pattern")
    pattern = worn_colours.fit_pattern(
        worn_colours.pattern_log_odds(out["pattern"], patterned), np.array([s.pattern == "pattern" for s in seen])
    )
    block = worn_colours.as_block(
        colour,
        pattern,
        labels=colours,
        features="log colour head, pixel colour shares, embedding",
        trained_on={
            "garments": len(seen),
            "photos": len(names),
            "lit_copies": lit_copies,
            "studio_copy": studio_copy,
            "seed": seed,
        },
        cross_validation={"folds": folds, "l2": best["l2"], "colour_or_alt": best["colour_or_alt"]},
    )
    model = worn_colours.loaded(block)
    seen_v: list[SeenColour] = []
    for split in ("validation", "test"):
        seen_s, _, out_s = _worn_by_eye_outputs(predictor, coparsing_dir, split)
        if split == "validation":
            seen_v = seen_s
        if seen_s:
            before = {"color": out_s["color"], "pattern": out_s["pattern"]}
            after = worn_colours.as_worn(out_s, model, pattern_labels)
            block[f"{split}_figures"] = _worn_colour_figures(seen_s, colours, patterned, before, after)
    if seen_v:

        def named(**view) -> float:
            """Colour-or-alt of the validation garments as worn, their crops read so (lights, or studio)."""
            out_v = _worn_by_eye_outputs(predictor, coparsing_dir, "validation", **view)[2]
            read = np.argmax(worn_colours.as_worn(out_v, model, pattern_labels)["color"], axis=1)
            return round(float(np.mean([s.names(colours[int(c)]) for s, c in zip(seen_v, read, strict=True)])), 4)

        block["validation_in_light"] = {name: named(lights=[gains] * len(seen_v)) for name, gains in LIGHTS.items()}
        block["validation_on_backdrop"] = named(studio=True)
    return block, tries


WORN_KIND_L2 = (0.01, 0.03, 0.1, 0.3)


@dataclass
class _WornShoes:
    """Worn shoes labelled by eye: the kind seen (the kind head's label index), the photo, which label set ("pixel":
    the pixel-annotated photos' shoes cut by their mask's box; "chips": the tag-only photos' shoes as the product
    boxed them), and the model's outputs of their crops as a garment laid flat is read."""

    kind: np.ndarray
    photos: list[str]
    source: list[str]
    outputs: dict[str, np.ndarray]


def _worn_shoes(predictor, coparsing_dir: Path, split: str) -> _WornShoes:
    kinds = list(predictor.labels.heads["kind"])
    rows: list[tuple[Image.Image | Sample, int, str, str]] = []
    for sample in worn_samples(coparsing_dir, split):
        key = worn_garment_key(sample)
        seen = seen_kind(*key, split) if key else None
        if key and seen is not None and not seen.unsure and seen.kind in kinds:
            rows.append((sample, kinds.index(seen.kind), key[0], "pixel"))
    for chip in shoe_chips_by_eye(split):
        if not chip.unsure and chip.kind in kinds:
            rows.append(
                (_worn_crop(coparsing_dir, chip.image_id, chip.box), kinds.index(chip.kind), chip.image_id, "chips")
            )
    columns: dict[str, list[np.ndarray]] = {}
    for start in range(0, len(rows), 32):
        images = [r[0] if isinstance(r[0], Image.Image) else _sample_image(r[0]) for r in rows[start : start + 32]]
        out = predictor.outputs(images)
        for name in ("kind", "kind_worn", "embedding"):
            if name in out:
                columns.setdefault(name, []).append(np.asarray(out[name]))
    return _WornShoes(
        kind=np.array([r[1] for r in rows], dtype=int),
        photos=[r[2] for r in rows],
        source=[r[3] for r in rows],
        outputs={name: np.concatenate(parts) for name, parts in columns.items()},
    )


def _worn_kind_figures(shoes: _WornShoes, kinds: Sequence[str], model: Mapping) -> dict:
    """Kind right (and heels read, and rightly) of worn shoes by eye, read by the kind head alone ("flat") and again
    as worn, per label set."""
    heels = list(kinds).index("heels") if "heels" in kinds else -1
    worn = worn_kinds.as_worn(shoes.outputs, model)
    figures: dict = {}
    for source in ("pixel", "chips"):
        rows = np.array([s == source for s in shoes.source])
        if not rows.any():
            continue
        truth = shoes.kind[rows]
        entry: dict = {"count": int(rows.sum())}
        readings = [("flat", shoes.outputs["kind"])]
        if "kind_worn" in shoes.outputs:
            readings.append(("branch", shoes.outputs["kind_worn"]))
        for name, probs in (*readings, ("worn", worn["kind"])):
            read = np.argmax(probs[rows], axis=1)
            entry[name] = {
                "accuracy": round(float(np.mean(read == truth)), 4),
                "heels_read": int((read == heels).sum()),
                "heels_right": int(((read == heels) & (truth == heels)).sum()),
            }
        figures[source] = entry
    return figures


def train_worn_kinds(predictor, coparsing_dir: Path, *, folds: int = 5) -> tuple[dict, list[dict]]:
    """The `worn_kind` block (classifier.worn_kinds), fitted on the co-parsing train split's worn shoes labelled by
    eye (both label sets), its regularisation chosen by cross-validation there (a photo's shoes in one fold);
    validation and test scored against the kind head alone. Raises ValueError without a kind head or train labels."""
    kinds = list(predictor.labels.heads.get("kind", ()))
    if not kinds:
        raise ValueError("the artifact has no kind head")
    if "kind_worn" in predictor.labels.tflite_output:
        return _worn_kind_branch_block(predictor, coparsing_dir, kinds), []
    shoes = _worn_shoes(predictor, coparsing_dir, "train")
    if len(shoes.kind) < 50:
        raise ValueError(f"{len(shoes.kind)} train shoes labelled by eye: too few to fit the worn kinds")
    x, y = worn_kinds.kind_features(shoes.outputs), shoes.kind
    names = sorted(set(shoes.photos))
    tries = []
    reads = _cross_validated_reads(x, y, shoes.photos, classes=len(kinds), l2s=WORN_KIND_L2, folds=folds)
    for l2, read in reads:
        tries.append({"l2": l2, "accuracy": round(float(np.mean(read == y)), 4)})
    best = max(tries, key=lambda t: (t["accuracy"], t["l2"]))
    model = worn_colours.fit_softmax(x, y, classes=len(kinds), l2=best["l2"])
    block = worn_kinds.as_block(
        model,
        labels=kinds,
        features="log kind head, embedding",
        trained_on={
            "shoes": len(y),
            "photos": len(names),
            "pixel": shoes.source.count("pixel"),
            "chips": shoes.source.count("chips"),
        },
        cross_validation={"folds": folds, "l2": best["l2"], "accuracy": best["accuracy"]},
    )
    served = worn_kinds.loaded(block, kinds)
    for split in ("validation", "test"):
        held_out = _worn_shoes(predictor, coparsing_dir, split)
        if len(held_out.kind):
            block[f"{split}_figures"] = _worn_kind_figures(held_out, kinds, served)
    return block, tries


def _worn_kind_branch_block(predictor, coparsing_dir: Path, kinds: list[str]) -> dict:
    """The `worn_kind` block of a network with its own worn-shoe branch ("kind_worn", grafted from a network trained
    with the train shoes labelled by eye among its worn crops): nothing is fitted (a regression fitted on those shoes
    would read the branch where it was trained); validation and test scored, the kind head alone against the branch."""
    block = worn_kinds.as_block(
        {},
        labels=kinds,
        reader="kind_worn",
        features="the network's worn-shoe branch, trained with the co-parsing train shoes labelled by eye",
    )
    for split in ("validation", "test"):
        held_out = _worn_shoes(predictor, coparsing_dir, split)
        if len(held_out.kind):
            block[f"{split}_figures"] = _worn_kind_figures(held_out, kinds, {})
    return block


def _worn_crop(coparsing_dir: Path, image_id: str, box: tuple[float, float, float, float]) -> Image.Image:
    return garment_crop(read_photo(coparsing_dir, image_id), box, margin=CROP_MARGIN)


def _framed(
    coparsing_dir: Path, image_id: str, box: tuple[float, float, float, float], studio: bool = False
) -> Image.Image:
    return framed_photo(_street_or_studio(coparsing_dir, image_id, studio), box)


def _street_or_studio(coparsing_dir: Path, image_id: str, studio: bool) -> Image.Image:
    return studio_version(coparsing_dir, image_id) if studio else read_photo(coparsing_dir, image_id)


def _artifact_bytes(model_dir: Path) -> dict:
    return {str(p.relative_to(model_dir)): p.stat().st_size for p in sorted(Path(model_dir).rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- the model card (rendered from metrics.json)

MODEL_CARD_TEMPLATE = Path(__file__).with_name("model_card_template.md")


def _fmt(value, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _get(doc, *path, default=None):
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return default
        doc = doc[key]
    return doc


def model_card_context(metrics: dict, labels: dict) -> dict:
    """Every value the model card template shows, from metrics.json and labels.json (nothing hard-coded)."""
    config = metrics.get("config", {})
    rows = []
    for split in ("validation", "test"):
        m = metrics.get(split)
        if not m:
            continue
        cells = [
            f"{_fmt(_get(m, 'type', 'accuracy'))} / {_fmt(_get(m, 'type', 'macro_f1'))}",
            _fmt(_get(m, "top10", "restricted", "accuracy")),
            _fmt(_get(m, "top10", "unrestricted_accuracy")),
            _fmt(_get(m, "slot", "accuracy")),
            _fmt(_get(m, "slot_top_outer_interchangeable")),
            _fmt(_get(m, "color", "or_alt_accuracy")),
            _fmt(_get(m, "color", "strict", "accuracy")),
            *(_fmt(_get(m, head, "accuracy")) for head in ATTRIBUTE_HEADS),
            _fmt(_get(m, "flat_read_as_outfit_share")),
        ]
        rows.append(f"| {split} | " + " | ".join(cells) + " |")
    worn_rows = []
    for split in ("validation", "test"):
        w = _get(metrics, "coparsing", split)
        if not w:
            continue
        o = w.get("outfits_served") or w["outfits"]  # as served, where it was scored so
        for name, r in ((split, w["regions"]), (f"{split}, crop alone", w.get("regions_crop_only"))):
            if not r:
                continue
            whole = (
                f"{o['photos']} | {_fmt(o['found_share'])} | {_fmt(o['found_any_box_share'])} | {_fmt(o['precision'])}"
                if name == split
                else "– | – | – | –"
            )
            worn_rows.append(
                f"| {name} | {r['count']} | {_fmt(_get(r, 'slot', 'accuracy'))} | "
                f"{_fmt(r['type_accepted_accuracy'])} | {_fmt(_get(r, 'kind', 'accuracy'))} "
                f"(n={_get(r, 'kind', 'count')}) | {_fmt(r['type_or_kind_accuracy'])} | "
                f"{_fmt(r['color_agrees_with_mask_color'])} | {whole} |"
            )
    seen_rows = [
        f"- {split}: {_seen_text(_get(metrics, 'coparsing', split, 'regions'))}"
        for split in ("validation", "test")
        if _get(metrics, "coparsing", split, "regions", "colour_by_eye")
    ]
    seen_rows += [
        f"- {split}, a tap on the garment (a chip on it names its type, or kind for shoes, with the colour and the "
        f"pattern a person sees): {_tap_text(_get(metrics, 'coparsing', split, 'chips'))}"
        for split in ("validation", "test")
        if _get(metrics, "coparsing", split, "chips", "seen")
    ]
    seen_rows += [
        f"- {split}, whole outfits with a phone held up as in a mirror photo (classifier.occluders), garments found as "
        "served: "
        + ", ".join(
            f"{PHONE_PLACE_WORDS[where]} {_fmt(r['found_share'])} (precision {_fmt(r['precision'])}, tops "
            f"{_fmt(r['per_slot_found']['top'])})"
            for where, r in _get(metrics, "coparsing", split, "outfits_phone").items()
        )
        for split in ("validation", "test")
        if _get(metrics, "coparsing", split, "outfits_phone")
    ]
    seen_rows += [
        f"- {split}, whole outfits taken in other light (lighting.LIGHTS: red, green and blue scaled), garments found "
        "as served: "
        + ", ".join(
            f"{LIGHT_WORDS[name]} {_fmt(r['found_share'])} (precision {_fmt(r['precision'])})"
            for name, r in _get(metrics, "coparsing", split, "outfits_in_light").items()
        )
        for split in ("validation", "test")
        if _get(metrics, "coparsing", split, "outfits_in_light")
    ]
    seen_rows += [
        f"- {split}, whole outfits rendered by another camera (camera.CAMERAS: sharpened, more contrast or "
        "saturation, soft, re-encoded), garments found as served: "
        + ", ".join(
            f"{CAMERA_WORDS[name]} {_fmt(r['found_share'])} (precision {_fmt(r['precision'])}, tops "
            f"{_fmt(r['per_slot_found']['top'])})"
            for name, r in _get(metrics, "coparsing", split, "outfits_camera").items()
        )
        for split in ("validation", "test")
        if _get(metrics, "coparsing", split, "outfits_camera")
    ]
    seen_rows += [
        f"- {split}, whole outfits framed as phones and shops frame them (each photo's sides cut, the person filling "
        "its height, or widened with its border's colour; studio: the person on a plain backdrop first; read again as "
        "a street photo is framed, regions.street_view), garments found as served: "
        + ", ".join(
            f"{name} {_fmt(r['found_share'])} (precision {_fmt(r['precision'])})"
            for name, r in _get(metrics, "coparsing", split, "outfits_reframed").items()
        )
        for split in ("validation", "test")
        if _get(metrics, "coparsing", split, "outfits_reframed")
    ]
    framed_rows = []
    framings = (("framed", ""), ("framed_studio", " (studio backdrop)"))
    for split, (key, where) in itertools.product(("validation", "test"), framings):
        f = _get(metrics, "coparsing", split, key)
        if not f:
            continue
        kinds = "; ".join(
            f"{kind} {e['type_listed']}/{e['count']} (read as an outfit {e['outfit']}, as one worn garment "
            f"{e['one_worn']}, flat {e['flat']})"
            for kind, e in f["per_kind"].items()
        )
        framed_rows.append(
            f"- {split}{where}: {f['count']} framings, type {_fmt(f['type_listed'])}, slot "
            f"{_fmt(f['slot_listed'])}{_framed_boxes(f)}; {kinds}"
        )
    test = metrics.get("test") or {}
    worn_test = _get(metrics, "coparsing", "test") or {}
    checks = []
    if test:
        checks += [
            ("CC0 10-class type (argmax over all types)", _get(test, "top10", "unrestricted_accuracy"), 0.93),
            (
                "CC0 slot (tops and outer layers interchangeable, as the issue counts)",
                _get(test, "slot_top_outer_interchangeable"),
                0.98,
            ),
            ("CC0 slot (strict)", _get(test, "slot", "accuracy"), 0.98),
            ("CC0 colour or alternative", _get(test, "color", "or_alt_accuracy"), 0.88),
            ("CC0 pattern", _get(test, "pattern", "accuracy"), 0.85),
            ("CC0 audience", _get(test, "audience", "accuracy"), 0.80),
            ("CC0 warmth", _get(test, "warmth", "accuracy"), 0.80),
            ("CC0 formality", _get(test, "formality", "accuracy"), 0.80),
        ]
    if worn_test:
        checks += [
            ("worn slot per region", _get(worn_test, "regions", "slot", "accuracy"), 0.92),
            (
                "worn slot per region (tops and outer layers interchangeable, as the CC0 slot is counted)",
                _get(worn_test, "regions", "slot_top_outer_interchangeable"),
                0.92,
            ),
            ("worn type (kind for shoes) per region", _get(worn_test, "regions", "type_or_kind_accuracy"), 0.80),
            (
                "garments present found",
                _get(worn_test, "outfits_served" if "outfits_served" in worn_test else "outfits", "found_share"),
                0.90,
            ),
        ]
    targets = "\n".join(
        f"- {name} ≥ {goal:.2f}: {_fmt(value)} ({'met' if value is not None and value >= goal else 'NOT met'})"
        for name, value, goal in checks
    )
    confusions = []
    if test:
        confusions.append("### Type (17 classes, CC0 test)\n\n" + _matrix_markdown(test["type"]))
        confusions.append("### Slot (CC0 test)\n\n" + _matrix_markdown(test["slot"]))
        confusions.append("### Colour, strict main colour (CC0 test)\n\n" + _matrix_markdown(test["color"]["strict"]))
        for head in ATTRIBUTE_HEADS:
            if head in test:
                confusions.append(f"### {head.capitalize()} (CC0 test)\n\n" + _matrix_markdown(test[head]))
    if worn_test:
        for name in ("slot", "type", "kind"):
            confusions.append(
                f"### Worn garments: {name} (co-parsing test regions)\n\n"
                + _matrix_markdown(worn_test["regions"][name])
            )
    bench_lines = []
    for b in (metrics.get("benchmark") or {}).values():
        line = (
            f"- {b['backend']} @ {b['image_size']} px, {b.get('threads', 2)} threads: one photo, forward only, "
            f"p50 {b['single_p50_ms']} ms, p95 {b['single_p95_ms']} ms; batch of {b['batch']}: "
            f"{b['batch_images_per_second']} images/s"
        )
        if "reading_p50_ms" in b:
            line += (
                f"; a whole reading (preprocess, all heads, detection and every garment's crop) of a flat photo "
                f"p50 {b['flat_reading_p50_ms']} ms / p95 {b['flat_reading_p95_ms']} ms, of an outfit photo "
                f"p50 {b['reading_p50_ms']} ms / p95 {b['reading_p95_ms']} ms "
                f"({b.get('outfit_garments_mean', '?')} garments on average)"
            )
        if b.get("phone_reading_p50_ms") is not None:
            line += (
                f"; the outfit photos framed as phone photos (9:16 and 3:4, read again as street photos) p50 "
                f"{b['phone_reading_p50_ms']} ms / p95 {b['phone_reading_p95_ms']} ms"
            )
        if b.get("cpu"):
            line += f"; on {b['cpu']}"
        bench_lines.append(line)
    tuning = metrics.get("detection_tuning") or {}
    seg_val = _get(metrics, "history", "segmentation", "val_loss")
    sizes = metrics.get("artifact_bytes", {})
    return {
        "model_version": metrics.get("model_version", labels.get("model_version")),
        "backbone": labels.get("backbone"),
        "image_size": labels.get("image_size"),
        "preprocessing": labels.get("preprocessing"),
        "feature_dim": labels.get("feature_dim"),
        "quantization": _quantization(labels.get("tflite_quantization")),
        "exported_from": _exported_from(
            metrics.get("exported_from") or {},
            metrics.get("worn_kind_head") or {},
            metrics.get("outfit_map_with_phones") or {},
            metrics.get("lit_colour") or {},
        ),
        "segmentation_grid": _get(labels, "segmentation", "grid"),
        "segmentation_classes": ", ".join(_get(labels, "segmentation", "classes", default=[])),
        "detection_params": _pairs(labels.get("detection") or {}) or "(defaults)",
        "region_context": _pairs(labels.get("region_context") or {}) or "off (the crop alone)",
        "outer_kind": _outer_kind(labels.get("outer_kind")),
        "graphic": _graphic(labels.get("graphic")),
        "wearer": _wearer(labels.get("wearer")),
        "chip_gate": _chip_gate(labels.get("chip_gate")),
        "worn_colour": _worn_colour(labels.get("worn_colour")),
        "worn_kind": _worn_kind(labels.get("worn_kind"), labels.get("worn_kind_head")),
        "reconcile": _pairs(labels.get("reconcile") or {}) or "off (the detector's garments as found)",
        "detector_only": "; ".join(
            f"{split} found {_fmt(_get(metrics, 'coparsing', split, 'outfits_detector_only', 'found_share'))}, "
            f"precision {_fmt(_get(metrics, 'coparsing', split, 'outfits_detector_only', 'precision'))}"
            for split in ("validation", "test")
            if _get(metrics, "coparsing", split, "outfits_detector_only")
        )
        or "not measured",
        "pixel_colors": _pairs(labels.get("pixel_colors") or {}) or "off (the colour head alone)",
        "detection_trials": len(tuning.get("trials", [])),
        "gate_trained_on": _pairs(_get(labels, "outfit_gate", "trained_on", default={})) or "n/a",
        "gate_validation": _pairs(_get(labels, "outfit_gate", "validation", default={})) or "n/a",
        "max_flat_share": _fmt(tuning.get("max_flat_share")),
        "samples": _pairs(metrics.get("samples", {})),
        "worn_samples": _pairs(metrics.get("worn_samples", {})),
        "label_corrections": _label_corrections(metrics.get("coparsing_label_corrections")),
        "worn_tagged": _worn_tagged(metrics.get("worn_tagged_samples") or {}, config),
        "segmentation_photos": _pairs(metrics.get("segmentation_photos", {})),
        "data_hash": metrics.get("data_hash"),
        "test_scorings": metrics.get("test_scorings", "not recorded"),
        "color_agreement": _color_agreement(),
        "views": ", ".join(config.get("views", [])),
        "view_count": len(config.get("views", [])),
        "head_views": config.get("head_views"),
        "epochs": config.get("epochs"),
        "batch_size": config.get("batch_size"),
        "dropout": config.get("dropout"),
        "hidden_units": config.get("hidden_units"),
        "attribute_units": config.get("attribute_units"),
        "kind_units": config.get("kind_units") or config.get("attribute_units"),
        "attribute_min_steps": config.get("attribute_min_steps", "-"),
        "attribute_views": config.get("attribute_views", "-"),
        "label_smoothing": config.get("label_smoothing"),
        "color_main_weight": config.get("color_main_weight"),
        "worn_color_weight": config.get("worn_color_weight"),
        "finetune_epochs": config.get("finetune_epochs"),
        "finetune_learning_rate": config.get("finetune_learning_rate"),
        "segmentation_epochs": config.get("segmentation_epochs"),
        "segmentation_channels": config.get("segmentation_channels"),
        "segmentation_class_weights": config.get("segmentation_class_weights"),
        "segmentation_final_val_loss": _fmt(seg_val[-1] if seg_val else None),
        "cc0_rows": "\n".join(rows) or "| (not scored yet) |",
        "worn_rows": "\n".join(worn_rows) or "| (not scored yet) |",
        "worn_by_eye": "\n".join(seen_rows) or "- not scored yet",
        "worn_scored_by": _worn_scored_by(metrics.get("coparsing_scored_corrections")),
        "framed_rows": "\n".join(framed_rows) or "- (not scored yet)",
        "targets": targets or "not scored yet.",
        "keras_validation": _fmt(_get(metrics, "validation_keras", "top10", "unrestricted_accuracy")),
        "keras_validation_color": _fmt(_get(metrics, "validation_keras", "color", "or_alt_accuracy")),
        "lighting": _lighting(metrics),
        "confusions": "\n\n".join(confusions),
        "artifact_sizes": ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in sizes.items() if v > 100_000),
        "artifact_total_mb": _fmt(sum(sizes.values()) / 1e6, 2),
        "benchmark": "\n".join(bench_lines) or "Not measured yet: `python manage.py benchmark_classifier --record`.",
        "training_seconds": metrics.get("training_seconds"),
        "training_notes": "\n".join(f"- {note}" for note in metrics.get("training_notes", [])),
        "phase_seconds": ", ".join(f"{k} {v} s" for k, v in (metrics.get("phase_seconds") or {}).items()),
        "training_command": _without_paths(metrics.get("training_command") or "python manage.py train_classifier"),
        "backbone_finetune": _backbone_finetune(metrics.get("backbone_finetune")),
    }


def _lighting(metrics: dict) -> str:
    """The model card's paragraph on photos taken in other light (score_lighting), or nothing before it was scored."""
    rows = [(split, _get(metrics, split, "lighting")) for split in ("validation", "test")]
    rows = [(split, block) for split, block in rows if block]
    if not rows:
        return ""

    def figures(block: dict, key: str) -> str:
        named = ", ".join(f"{LIGHT_WORDS[name]} {_fmt(block[name][key])}" for name in LIGHTS if name in block)
        return f"{_fmt(block['as_taken'][key])} as taken; {named}"

    lines = [
        "\nIn other light (`lighting.LIGHTS`: each photo's red, green and blue scaled as a phone leaves a room's"
        " light; the labels stay, a white shirt under a lamp is still white):"
    ]
    for split, block in rows:
        lines.append(
            f"- {split} ({block['count']} photos): colour-or-alt {figures(block, 'color_or_alt')}; 10-class over all"
            f" types {figures(block, 'top10_unrestricted')}."
        )
    return "\n".join(lines)


def _quantization(name: str | None) -> str:
    if name == "int8":
        return "int8: weights and activations, ranges measured on training inputs; float input and output"
    return name or "not recorded"


def _kept_numbers(kept: dict | None, outputs: str) -> str:
    """The model card's clause on a graft's int8 export that kept its source's quantization (metrics'
    `source_quantization_kept`); "" when it did not."""
    if not kept:
        return ""
    return (
        f"; the int8 export keeps the source's quantization for the {kept['tensors_kept']} tensors the two share, "
        f"so {outputs} comes out bit for bit (checked on {kept['checked_inputs']} inputs)"
    )


def _exported_from(
    exported: dict, graft: dict | None = None, phones: dict | None = None, lit: dict | None = None
) -> str:
    """The model card's sentence on an artifact re-exported from another one's network (export_classifier): with a
    colour branch trained in many lights grafted on by that export (`lit`, metrics' `lit_colour`), with its outfit map
    trained on with phones drawn in by that export (`phones`, metrics' `outfit_map_with_phones`), with a kind branch
    for worn shoes grafted on (`graft`, metrics' `worn_kind_head`), or as it is."""
    if not exported:
        return ""
    if lit and lit.get("from") == exported.get("artifact"):
        numbers = _kept_numbers(lit.get("source_quantization_kept"), "every output the source has")
        config = lit.get("config") or {}
        return (
            f"\n- This version is `{exported.get('artifact')}`'s network (the same weights, data and training record) "
            "with one more output, `color_lit`: a colour branch trained on its frozen pooled features of the CC0 "
            f"train photos as taken and in {config.get('casts')} random lights each (a warm lamp to cool shade, "
            "darker or brighter; classifier.lit_colour), blended with the colour head (geometric mean, the branch "
            f"weighing {config.get('blend')}, raised to {lit.get('sharpen', 1.0)}) before the pixels are weighed in; "
            "grafted on by `"
            f"{_without_paths(exported.get('command') or 'python manage.py export_classifier')}`{numbers}. Its test "
            "scorings count the source's."
        )
    if phones and phones.get("from") == exported.get("artifact"):
        numbers = _kept_numbers(phones.get("source_quantization_kept"), "every output but the map's")
        in_float = ", and the map's own layers run in float" if phones.get("map_in_float") else ""
        config = phones.get("config") or {}
        studio, lights = config.get("studio_copies") or 0, config.get("lit_copies") or 0
        copies = [
            f"{'a copy' if studio == 1 else f'{studio} copies'} of each photo with its person cut out onto a plain "
            "backdrop, as a shop shoots a model"
            if studio
            else "",
            f"{'a copy' if lights == 1 else f'{lights} copies'} in a random light (a warm lamp to cool shade, dim to "
            "bright)"
            if lights
            else "",
        ]
        backdrops = "; besides, " + " and ".join(copy for copy in copies if copy) if any(copies) else ""
        return (
            f"\n- This version is `{exported.get('artifact')}`'s network (the same backbone and heads, data and "
            f"training record) with its outfit map trained on for {config.get('epochs')} epochs with phones drawn "
            f"over the street photos' faces and chests, as a mirror photo shows them{backdrops} "
            "(classifier.map_phones), by `"
            f"{_without_paths(exported.get('command') or 'python manage.py export_classifier')}`{numbers}{in_float}. "
            "Its test scorings count the source's."
        )
    if graft:
        numbers = _kept_numbers(graft.get("source_quantization_kept"), "every output the source has")
        return (
            f"\n- This version is `{exported.get('artifact')}`'s network (the same weights, data and training record) "
            f"with one more output, `kind_worn`: the kind branch of `{graft.get('from')}`, trained on the same "
            f"backbone with the worn shoes labelled by eye, grafted on by `"
            f"{_without_paths(exported.get('command') or 'python manage.py export_classifier')}`{numbers}. Its test "
            "scorings count the source's."
        )
    if exported.get("tflite_copied"):
        return (
            f"\n- This version is `{exported.get('artifact')}` itself (the same `model.keras` and `model.tflite`, "
            "byte for byte): only the steps after the network (the parameters in `labels.json`) were chosen again on "
            "validation, by a newer evaluation. Its test scorings count the source's, since the network is the same."
        )
    return (
        f"\n- This version is `{exported.get('artifact')}`'s network (the same weights, data and training record) "
        f"exported again: {exported.get('previous_quantization')} -> {exported.get('quantization')}, "
        f"{exported.get('calibration_inputs', 0)} calibration inputs, by `"
        f"{_without_paths(exported.get('command') or 'python manage.py export_classifier')}`. Its test scorings "
        "count the source's, since the network is the same."
    )


def _seen_text(regions: dict) -> str:
    """One split's colour and pattern of worn garments against what a person sees (score_worn's by-eye figures)."""
    c = regions["colour_by_eye"]
    text = (
        f"{c['count']} garments; colour-or-alt {_fmt(c['or_alt_accuracy'])} (strict {_fmt(c['strict_accuracy'])}; the "
        f"mask's colour {_fmt(c['mask_color_or_alt'])}"
        + (f"; read as a garment laid flat {_fmt(c['flat_or_alt'])}" if "flat_or_alt" in c else "")
        + ")"
    )
    p = regions.get("pattern_by_eye")
    if p:
        text += (
            f"; pattern {_fmt(p['accuracy'])} (patterned found {p['patterned_found']} of {p['patterned']}, solid "
            f"called patterned {p['solid_called_patterned']} of {p['count'] - p['patterned']}"
            + (f"; read as a garment laid flat {_fmt(p['flat_accuracy'])}" if "flat_accuracy" in p else "")
            + ")"
        )
    k = regions.get("kind_by_eye")
    if k:
        text += (
            f"; shoe kind {_fmt(k['accuracy'])} of {k['count']} shoes (heels read {k['read']['heels']}, "
            f"{k['read_right']['heels']} of them heels, of {k['seen']['heels']})"
        )
    return text


def _tap_text(chips: dict) -> str:
    """What a tap on a garment worn finds, against what a person sees: in all, and for the skirts."""
    text = f"{chips['named_as_seen']} of {chips['seen']} ({_fmt(chips['named_as_seen_share'])})"
    skirts = chips["by_label"].get("skirt") or {}
    if skirts.get("seen"):
        text += f"; skirts {skirts['named_as_seen']} of {skirts['seen']}"
    return text


def worn_seen_line(regions: dict) -> list[str]:
    """evaluate_classifier's line for the by-eye figures of the worn regions; [] without them."""
    return [f"  by eye: {_seen_text(regions)}"] if regions.get("colour_by_eye") else []


def _worn_scored_by(count: int | None) -> str:
    """Which co-parsing labels the worn figures were scored against, when the scoring recorded it."""
    if count is None:
        return ""
    if not count:
        return " Scored by the dataset's labels as they are."
    return (
        f" Scored by the labels with our corrections ({count} photos, `classifier/labels/coparsing_corrections.csv`: "
        'a skirt, trousers or shorts worn under a top that the dataset labels "dress" is that bottom), whatever the '
        "network was trained on."
    )


def _label_corrections(count: int | None) -> str:
    if not count:
        return "the dataset's labels as they are"
    return (
        f'a skirt, trousers or shorts worn under a top that the dataset labels "dress" is that bottom: {count} photos '
        "corrected by eye, "
        "`classifier/labels/coparsing_corrections.csv`"
    )


def _worn_tagged(tagged: dict, config: dict) -> str:
    """The model card's sentence on the worn crops labelled from tags (train_classifier --worn-tags-from)."""
    if not tagged:
        return "not used (the co-parsing photos with garment tags but no masks)."
    weight = config.get("worn_type_weight", 1.0)
    return (
        f"the co-parsing train photos with garment tags but no masks, read by the detector of "
        f"`{tagged.get('detected_by')}` as served (its thresholds and outfit gate). Each region it finds is cropped "
        "(box grown 6% a side, as served) and labelled with the photo's tag for that slot only when the tags name "
        'one type there (`coparsing.tagged_garment`: "t-shirt cardigan" labels a top and an outer layer, "skirt '
        'pants" labels no bottom; shoes keep a kind only when their tags name one). No colour label: these train '
        f"type and shoe kind only. Crops: {tagged.get('train')} ({_pairs(tagged.get('by_slot', {}))}; "
        f"{tagged.get('shoe_kinds')} shoes with a kind)"
        + (f"; worn crops weigh {weight}× a flat photo in the type and kind losses." if weight != 1.0 else ".")
    )


def _color_agreement() -> str:
    return COLOR_AGREEMENT_NOTE


def _pairs(doc: dict) -> str:
    """`{"grow": 0.2, "per_slot": {"shoes": {"grow": 0.3}}}` -> "grow 0.2, per_slot (shoes: grow 0.3)"."""

    def value(v) -> str:
        return "(" + "; ".join(f"{k}: {_pairs(x)}" for k, x in v.items()) + ")" if isinstance(v, dict) else str(v)

    return ", ".join(f"{k} {value(v)}" for k, v in doc.items())


def _backbone_finetune(record: dict | None) -> str:
    if not record:
        return ""
    accuracy = record.get("validation_type_accuracy") or []
    command = _without_paths(record.get("command") or "python manage.py finetune_backbone")
    samples = record.get("samples") or {}
    # finetune_backbone --segmentation-weight: an outfit map trained alongside on the pixel-annotated street photos
    street_note = (
        f", and an outfit map on {samples['street_photos']} street photos" if samples.get("street_photos") else ""
    )
    return (
        f"\nThe backbone was first fine-tuned on garments by `{command}` ({record.get('seconds')} s, "
        f"{record.get('epochs')} epochs on {samples.get('train')} flat photos and worn crops"
        f"{street_note}; "
        f"its own type head's validation accuracy, flat and worn together, "
        f"{' -> '.join(str(a) for a in accuracy)}, from the heads alone to the last epoch); the heads above were "
        f"then trained on its frozen features."
    )


def _without_paths(command: str) -> str:
    """A command line without this machine's folders: absolute paths keep only their last part."""
    return re.sub(r"(?<![\w.])/(?:[^\s/]+/)*([^\s/]+)", r"…/\1", command)


def _outer_kind(block: dict | None) -> str:
    """The outer-kind reading (classifier.outer_kinds, `manage.py fit_probes`) as the card's paragraph."""
    if not block:
        return "None: an outer layer's kind (coat, jacket, vest …) is not read; its type alone is."

    def read(figures: dict) -> str:
        kinds = ", ".join(
            f"{kind} {row['read']}/{row['photos']}" for kind, row in figures["by_kind"].items() if row["photos"]
        )
        return (
            f"{figures['photos']} garments, {_fmt(figures['accuracy'])} right at argmax; read with confidence "
            f"{_fmt(figures['confident_share'])} of them, {_fmt(figures['confident_accuracy'])} of those right "
            f"(by kind, read right of all: {kinds}); called a vest {figures['called_vest']}, of "
            f"{figures['vests']} vests {figures['vests_found']}"
        )

    cv = block.get("cross_validation", {})
    paragraph = (
        f"A softmax regression on the L2-normalised embedding over {', '.join(block['labels'])} "
        f"(`classifier.outer_kinds`), fitted on the {_get(block, 'trained_on', 'cc0_photos')} CC0 train and "
        f"validation photos of outer layers a stylist tagged by eye (`classifier/labels/outer_kinds.csv`); "
        f"regularisation {cv.get('l2')} and confidence threshold {block['threshold']} chosen by 5-fold "
        f"cross-validation on them (accuracy {_fmt(cv.get('accuracy'))}; vests found {cv.get('vests_found')} of "
        f"{cv.get('vests')}, called {cv.get('called_vest')}). Below the threshold the kind is unknown."
    )
    items = []
    if block.get("test"):
        items.append(f"- CC0 test split: {read(block['test'])}.")
    if block.get("worn_test"):
        items.append(
            "- Co-parsing test split, worn outer layers labelled coat, cape, jacket or vest, read from their crops: "
            f"{read(block['worn_test'])}."
        )
    return "\n".join([paragraph, "", *items]) if items else paragraph


def _graphic(block: dict | None) -> str:
    """The graphic-print probe (classifier.graphics, `manage.py fit_probes`) as the card's paragraph."""
    if not block:
        return "None: a top is patterned only when the pattern head says so."
    cv, test = block.get("cross_validation", {}), block.get("test") or {}
    return (
        f"A softmax regression on the L2-normalised embedding (`classifier.graphics`): plain or graphic, for tops of "
        f"type {', '.join(block['types'])} that the pattern head reads solid. Fitted on the "
        f"{_get(block, 'trained_on', 'cc0_photos')} CC0 train and validation tops the labels call solid, tagged by eye "
        f"(`classifier/labels/graphics.csv`: a big picture, lettering or logo that dominates the front, or an all-over "
        f"print the labels missed); regularisation {cv.get('l2')} and threshold {block['threshold']} chosen by 5-fold "
        f"cross-validation (a wrong print counted twice a missed one): it flags {cv.get('flagged')} of which "
        f"{_fmt(cv.get('precision'))} are graphics, finding {_fmt(cv.get('recall'))} of the {cv.get('graphics')}. "
        f"CC0 test split, {test.get('photos')} tops labelled solid, {test.get('graphics')} of them graphics: flagged "
        f"{test.get('flagged')}, precision {_fmt(test.get('precision'))}, recall {_fmt(test.get('recall'))}. A flagged "
        f"top is read patterned (the pattern figures above are the head's, against the dataset's labels)."
    )


def _wearer(block: dict | None) -> str:
    """The wearer probe (classifier.wearers, `manage.py fit_probes`) as the card's paragraph."""
    if not block:
        return "None: a worn garment keeps its own audience reading (without kids)."
    cv = block.get("cross_validation", {})
    women, men = block["threshold"]

    def read(figures: dict) -> str:
        return (
            f"{figures['photos']} photos, {_fmt(figures['accuracy'])} right at argmax; read surely "
            f"{_fmt(figures['sure_share'])} of them, {_fmt(figures['sure_accuracy'])} of those right; of "
            f"{figures['women']} women, {figures['women_read_women']} read women's and {figures['women_read_men']} "
            f"men's; of {figures['men']} men, {figures['men_read_men']} read men's and {figures['men_read_women']} "
            "women's"
        )

    items = [
        f"- Co-parsing test split, {label}: {read(block[key])}."
        for key, label in (
            ("test_photos", "street photos"),
            ("test_framings", "shop-like framings"),
            ("test_studio_framings", "shop-like framings on a studio backdrop"),
        )
        if key in block
    ]
    paragraph = (
        "A softmax regression (`classifier.wearers`) on the L2-normalised embedding of the whole photo beside the "
        "mean of its worn garments' crop embeddings: whose clothes a photo of someone wearing them shows, women's or "
        f"men's. Fitted on the {_get(block, 'trained_on', 'coparsing_photos')} co-parsing train and validation "
        f"photos whose wearer a stylist could tell by eye (`classifier/labels/wearers.csv`) and their "
        f"{_get(block, 'trained_on', 'framings')} shop-like framings, each also on a studio backdrop; "
        f"regularisation {cv.get('l2')} and thresholds "
        f"(women {women}, men {men}) chosen by 5-fold cross-validation, a photo and its framings in one fold (a "
        f"wrong wearer counted twice a right one): {_fmt(cv.get('accuracy'))} right at argmax, read surely "
        f"{_fmt(cv.get('sure_share'))}, {_fmt(cv.get('sure_accuracy'))} of those right. Read only for a photo of "
        "someone wearing clothes; a garment worn is then matched for its wearer (`catalog.tags.worn_audience`), and "
        "an outfit read as a man's lists no one-piece (`predictor.without_a_mans_dress`) and names none of his "
        "garments a blouse, a skirt or heels (`predictor.as_a_mans`)."
    )
    return "\n".join([paragraph, "", *items]) if items else paragraph


def _chip_gate(block: dict | None) -> str:
    """The chip gate (classifier.chip_gate, `manage.py fit_probes`) as the card's paragraph."""
    if not block:
        return "None: every garment the crops keep is listed; one whose crop reads its slot under 0.2 is doubtful."
    names = {"photos": "street photos", "framings": "shop-like framings", "studio_framings": "on a studio backdrop"}

    def read(figures: dict) -> str:
        return (
            f"{figures['listed_before']} listed, {figures['there_before']} there (precision "
            f"{_fmt(figures['precision_before'])}); dropped {figures['dropped']} ({figures['dropped_there']} of them "
            f"there): precision {_fmt(figures['precision_after'])}; marked unsure {figures['marked_unsure']} "
            f"({figures['marked_unsure_there']} there); of those listed plainly, "
            f"{_fmt(figures['not_marked_there_share'])} there"
        )

    trained = block.get("trained_on") or {}
    items = [
        f"- Co-parsing {split} split, {label}: {read(block[f'{split}_figures'][kind])}."
        for split in ("validation", "test")
        for kind, label in names.items()
        if kind in (block.get(f"{split}_figures") or {})
    ]
    paragraph = (
        "A logistic regression (`classifier.chip_gate`) on what the product knows of each garment it lists in a photo "
        "of a person (its slot, its crop's reading of that slot and of its type, the detector's score, its box, how "
        "many garments are listed, the whole photo's slot reading): is a garment of that slot there (IoU >= 0.3 with "
        f"the map's)? Fitted on the co-parsing train split: {trained.get('photos', 0)} garments listed in street "
        f"photos, {trained.get('framings', 0)} in their shop-like framings and {trained.get('studio_framings', 0)} "
        f"on a studio backdrop. A garment under {block['drop']} is not listed (dropping costs at most "
        f"{chip_gate.DROP_COST:.1%} of the "
        f"garments there in the train street photos); one under {block['unsure']} is shown as one we are not sure is "
        "there. When fewer than two garments stand, the photo is read as the one garment someone wears."
    )
    return "\n".join([paragraph, "", *items]) if items else paragraph


def _worn_colour(block: dict | None) -> str:
    """The worn colour and pattern (classifier.worn_colours, `manage.py fit_probes`) as the card's paragraph."""
    if not block:
        return "None: a garment worn is read as a garment laid flat is."
    trained, cv = block.get("trained_on") or {}, block.get("cross_validation") or {}

    def read(figures: dict) -> str:
        colour, pattern, counted = figures["colour_or_alt"], figures["pattern"], figures["pattern_from_0_7"]
        solid = figures["count"] - figures["patterned"]
        return (
            f"{figures['count']} garments: colour-or-alt {_fmt(colour['flat'])} → {_fmt(colour['worn'])}; pattern "
            f"{_fmt(pattern['flat']['accuracy'])} → {_fmt(pattern['worn']['accuracy'])} (patterned found "
            f"{pattern['flat']['found']} → {pattern['worn']['found']} of {figures['patterned']}, solid called "
            f"patterned {pattern['flat']['solid_called_patterned']} → {pattern['worn']['solid_called_patterned']} of "
            f"{solid}; from {PATTERN_COUNTS_FROM}, where a look counts a print: found {counted['flat']['found']} → "
            f"{counted['worn']['found']}, solid {counted['flat']['solid_called_patterned']} → "
            f"{counted['worn']['solid_called_patterned']})"
        )

    items = [
        f"- Co-parsing {split} split, read as a garment laid flat → as worn: {read(block[f'{split}_figures'])}."
        for split in ("validation", "test")
        if block.get(f"{split}_figures")
    ]
    paragraph = (
        "The colour and the pattern of a garment someone wears (a garment of a street photo, a region chosen in it) "
        "are read again from what the network says of its crop (`classifier.worn_colours`): colour by a softmax "
        "regression on the colour head's log-probabilities, the garment's pixel colours and the embedding, pattern by "
        f"a calibration of the pattern head's log-odds (scale {_fmt(block['pattern']['scale'], 2)}, shift "
        f"{_fmt(block['pattern']['shift'], 2)}). Fitted on {trained.get('garments', 0)} worn garments of "
        f"{trained.get('photos', 0)} co-parsing train photos labelled by eye "
        "(`classifier/labels/coparsing_worn_by_eye.csv`)"
        + (
            f", each also in {trained['lit_copies']} random lights (`lighting.random_light`; the same label)"
            if trained.get("lit_copies")
            else ""
        )
        + (
            ", each also cut from its photo with the person on a plain backdrop (`coparsing.studio_version`, as a "
            "shop shoots a model; the same label)"
            if trained.get("studio_copy")
            else ""
        )
        + f", its regularisation chosen by {cv.get('folds', 5)}-fold cross-validation there (l2 {cv.get('l2')}: "
        f"colour-or-alt {_fmt(cv.get('colour_or_alt'))})."
    )
    if in_light := block.get("validation_in_light"):
        lights = ", ".join(f"{LIGHT_WORDS[name]} {_fmt(in_light[name])}" for name in LIGHTS if name in in_light)
        paragraph += f" Validation garments as worn, read in other light (`lighting.LIGHTS`): {lights}."
    if (backdrop := block.get("validation_on_backdrop")) is not None:
        paragraph += f" Validation garments cut from their photos on a plain backdrop: {_fmt(backdrop)}."
    return "\n".join([paragraph, "", *items]) if items else paragraph


def _worn_kind(block: dict | None, head: dict | None = None) -> str:
    """The worn shoes' kind (classifier.worn_kinds, `manage.py fit_probes`; the network's worn-shoe branch) as the
    card's paragraph."""
    if not block and not head:
        return "None: the kind of a pair of shoes worn is the kind head's own reading."
    block = block or {}
    trained, cv = block.get("trained_on") or {}, block.get("cross_validation") or {}
    branch = block.get("reader") == "kind_worn" or (head and "model" not in block)

    def read(entry: dict) -> str:
        flat, worn = entry["flat"], entry["worn"]
        return (
            f"{entry['count']} pairs: {_fmt(flat['accuracy'])} → {_fmt(worn['accuracy'])}, heels read "
            f"{flat['heels_read']} → {worn['heels_read']} times ({flat['heels_right']} → {worn['heels_right']} "
            "rightly)"
        )

    sets = {"pixel": "the pixel-annotated photos' shoes", "chips": "the tag-only photos' shoe chips"}
    items = [
        f"- Co-parsing {split} split, the kind head alone → as worn: "
        + "; ".join(f"{sets[name]}, {read(entry)}" for name, entry in block[f"{split}_figures"].items())
        + "."
        for split in ("validation", "test")
        if block.get(f"{split}_figures")
    ]
    if branch:
        head = head or {}
        paragraph = (
            "The kind of a pair of shoes someone wears is read by a second kind branch of the network (the output "
            f"`kind_worn`), grafted from `{head.get('from', '?')}` (`export_classifier --worn-kind-from`): a network "
            "trained on this one's backbone with the co-parsing train shoes labelled by eye among its worn crops "
            "(`train_classifier --worn-chips-by-eye`; `classifier/labels/coparsing_shoes_by_eye.csv` and "
            "`coparsing_shoe_chips_by_eye.csv`). Shoes laid flat keep the kind head. The graft keeps every other "
            "output of this network bit for bit (`classifier.tflite_graft`)."
        )
    else:
        paragraph = (
            "The kind of a pair of shoes someone wears is read again from what the network says of its crop "
            "(`classifier.worn_kinds`): a softmax regression on the kind head's log-probabilities and the embedding, "
            f"fitted on {trained.get('shoes', 0)} pairs of {trained.get('photos', 0)} co-parsing train photos "
            f"labelled by eye ({trained.get('pixel', 0)} cut by their mask, "
            "`classifier/labels/coparsing_shoes_by_eye.csv`; "
            f"{trained.get('chips', 0)} as the product boxed them in the photos with tags only, "
            "`classifier/labels/coparsing_shoe_chips_by_eye.csv`), its regularisation chosen by "
            f"{cv.get('folds', 5)}-fold cross-validation there (l2 {cv.get('l2')}: kind right "
            f"{_fmt(cv.get('accuracy'))})."
        )
    return "\n".join([paragraph, "", *items]) if items else paragraph


def write_model_card(out_dir: Path, metrics: dict, labels: dict) -> None:
    """MODEL_CARD.md: model_card_template.md filled from metrics.json and labels.json."""
    card = MODEL_CARD_TEMPLATE.read_text().format_map(model_card_context(metrics, labels))
    (Path(out_dir) / "MODEL_CARD.md").write_text(card)


def load_metrics(model_dir: Path) -> dict:
    path = model_dir / "metrics.json"
    return json.loads(path.read_text()) if path.exists() else {}


def record_benchmark(model_dir: Path, figures: dict) -> None:
    """Add benchmark figures to metrics.json (per backend) and rewrite MODEL_CARD.md."""
    model_dir = Path(model_dir)
    metrics = load_metrics(model_dir)
    metrics.setdefault("benchmark", {})[figures["backend"]] = figures
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    labels = json.loads((model_dir / "labels.json").read_text())
    write_model_card(model_dir, metrics, labels)
