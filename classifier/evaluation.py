"""Evaluating a predictor on a dataset split: per-head accuracy, macro-F1, confusion matrices, the model card.

Pure NumPy/Pillow (no TensorFlow): it runs whatever predictor it is given, normally the exported model.tflite, so the
figures describe what serving does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from tqdm import tqdm

from catalog.vocabulary import COLOR_CODES, DATASET_LABELS_WITHOUT_TYPE, SLOTS, TOP10_TYPES, TYPE_CODES, TYPES
from classifier.dataset import Sample
from classifier.imaging import open_image
from classifier.predictor import slot_probabilities


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


def model_probabilities(
    predictor, samples: Sequence[Sample], *, batch_size: int = 32, workers: int = 4, progress: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Type and colour probabilities (vocabulary order) for each sample's photo."""
    type_rows, color_rows = [], []
    types = list(getattr(getattr(predictor, "labels", None), "types", TYPE_CODES))
    colors = list(getattr(getattr(predictor, "labels", None), "colors", COLOR_CODES))
    type_index = [types.index(code) for code in TYPE_CODES]
    color_index = [colors.index(code) for code in COLOR_CODES]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        bar = tqdm(total=len(samples), desc="evaluate", unit="img", disable=not progress)
        for start in range(0, len(samples), batch_size):
            chunk = samples[start : start + batch_size]
            images = list(pool.map(lambda s: open_image(s.path), chunk))
            type_probs, color_probs, _ = predictor.probabilities(images)
            type_rows.append(np.asarray(type_probs)[:, type_index])
            color_rows.append(np.asarray(color_probs)[:, color_index])
            bar.update(len(chunk))
        bar.close()
    return np.concatenate(type_rows), np.concatenate(color_rows)


def score(split: str, samples: Sequence[Sample], type_probs: np.ndarray, color_probs: np.ndarray) -> EvaluationResult:
    """Metrics from probabilities (rows aligned with samples, columns in vocabulary order)."""
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
    slot_pred = [int(np.argmax(slot_probabilities(type_probs[i]))) for i in typed]
    slot_res = head_result(slot_true, slot_pred, SLOTS)

    color_true = [COLOR_CODES.index(s.color) for s in samples]
    color_pred = [int(np.argmax(row)) for row in color_probs]
    color_res = head_result(color_true, color_pred, COLOR_CODES)
    or_alt = [COLOR_CODES[p] in (s.color, s.alt) for p, s in zip(color_pred, samples, strict=True)]
    return EvaluationResult(
        split=split,
        count=len(samples),
        type=type_res,
        top10_restricted=top10_res,
        top10_unrestricted_accuracy=float(np.mean(unrestricted)) if unrestricted else 0.0,
        slot=slot_res,
        color_strict=color_res,
        color_or_alt_accuracy=float(np.mean(or_alt)) if or_alt else 0.0,
    )


def evaluate(predictor, samples: Sequence[Sample], *, progress: bool = True) -> EvaluationResult:
    split = samples[0].split if samples and len({s.split for s in samples}) == 1 else "mixed"
    type_probs, color_probs = model_probabilities(predictor, samples, progress=progress)
    return score(split, samples, type_probs, color_probs)


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
    paths = []
    for name, head in heads.items():
        path = out_dir / f"confusion_{result.split}_{name}.png"
        confusion_png(head, path, title=f"{name} - {result.split} (accuracy {head.accuracy:.3f}, n={head.count})")
        paths.append(path)
    return paths


def _matrix_markdown(head: dict) -> str:
    labels = head["labels"]
    short = [label[:6] for label in labels]
    lines = ["| true \\ predicted | " + " | ".join(short) + " |", "|---|" + "---|" * len(labels)]
    for label, row in zip(labels, head["confusion"], strict=True):
        lines.append(f"| **{label}** | " + " | ".join(str(v) if v else "·" for v in row) + " |")
    return "\n".join(lines)


def write_model_card(out_dir: Path, metrics: dict, labels: dict) -> None:
    """MODEL_CARD.md from metrics.json and labels.json."""
    config = metrics.get("config", {})
    sizes = metrics.get("artifact_bytes", {})
    rows = []
    for split in ("validation", "test"):
        m = metrics.get(split)
        if not m:
            continue
        rows.append(
            f"| {split} | {m['type']['accuracy']:.3f} / {m['type']['macro_f1']:.3f} | "
            f"{m['top10']['restricted']['accuracy']:.3f} | {m['top10']['unrestricted_accuracy']:.3f} | "
            f"{m['slot']['accuracy']:.3f} | {m['color']['or_alt_accuracy']:.3f} | "
            f"{m['color']['strict']['accuracy']:.3f} / {m['color']['strict']['macro_f1']:.3f} |"
        )
    test = metrics.get("test") or {}
    keras_val = metrics.get("validation_keras")
    quant_note = ""
    if keras_val and metrics.get("validation"):
        quant_note = (
            f"Validation with model.keras (float32) instead: type {keras_val['type']['accuracy']:.3f}, "
            f"10-class {keras_val['top10']['restricted']['accuracy']:.3f}, colour-or-alt "
            f"{keras_val['color']['or_alt_accuracy']:.3f} — the {labels['tflite_quantization']} TFLite export keeps "
            "the accuracy."
        )
    benchmark = metrics.get("benchmark") or {}
    command = metrics.get("training_command") or "python manage.py train_classifier"
    bench_text = (
        "\n".join(
            f"- {b['backend']} @ {b['image_size']} px on 2 cores: one image (forward only) "
            f"p50 {b['single_p50_ms']} ms, "
            f"p95 {b['single_p95_ms']} ms; batch of {b['batch']}: {b['batch_images_per_second']} images/s"
            + (
                f"; decoding + preprocessing a 400×533 JPEG adds p50 {b['preprocess_p50_ms']} ms"
                if "preprocess_p50_ms" in b
                else ""
            )
            for b in benchmark.values()
        )
        if benchmark
        else "Not measured yet: `python manage.py benchmark_classifier --record`."
    )
    confusions = ""
    if test:
        confusions = "\n\n".join(
            [
                "### Type (17 classes, test)\n\n" + _matrix_markdown(test["type"]),
                "### 10-class subset, argmax restricted to the 10 classes (test)\n\n"
                + _matrix_markdown(test["top10"]["restricted"]),
                "### Slot (test)\n\n" + _matrix_markdown(test["slot"]),
                "### Colour, strict main colour (test)\n\n" + _matrix_markdown(test["color"]["strict"]),
            ]
        )
    main_weight = config.get("color_main_weight", 0.75)
    table_header = (
        "| split | type acc / macro-F1 (17) | 10-class restricted | 10-class unrestricted | slot | colour-or-alt "
        "| colour strict acc / macro-F1 |\n|---|---|---|---|---|---|---|"
    )
    targets_text = "not scored yet."
    if test:
        checks = [
            ("10-class type top-1 >= 0.92", test["top10"]["restricted"]["accuracy"], 0.92),
            ("slot >= 0.98", test["slot"]["accuracy"], 0.98),
            ("main colour (colour-or-alt) >= 0.85", test["color"]["or_alt_accuracy"], 0.85),
        ]
        targets_text = (
            "; ".join(f"{name}: {value:.3f} ({'met' if value >= goal else 'NOT met'})" for name, value, goal in checks)
            + "."
        )
    card = f"""# Model card: garment classifier `{metrics["model_version"]}`

## Intended use
Reads one photo of one garment (a shopper's own photo: on a bed, floor or hanger) and returns its **type** (17 codes of
`catalog.vocabulary.TYPES`), its **slot** (derived: slot probability = sum of its types' probabilities), its main
**colour** (14 codes of `catalog.vocabulary.COLORS`), each with a confidence and top-3, and a 256-d L2-normalised
**embedding** for visual similarity. The app asks the shopper to confirm a head read below its threshold
(`CLASSIFIER_CONFIRM_THRESHOLDS`).
Not for: photos of people wearing several garments, product-catalogue cut-outs (untested), anything about a person.

## Data
The shared clothing dataset (CC0; `FASHION_DATASET_DIR`), 5,398 labelled photos; colours from `colors.csv`.
- Type label: `top10_label` of `splits.csv` when present (the corrected 10-class label), else the dataset label mapped
  by `catalog.vocabulary.type_from_dataset_label`.
- Photos labelled **{" / ".join(sorted(DATASET_LABELS_WITHOUT_TYPE))}** have no type: they train and are scored on the
  **colour head only** (their type target is all zeros, so their type loss is 0), and they
  are left out of the type and slot figures.
- Colour target: a soft label, {main_weight} main / {1 - main_weight:.2f} `alt` when the photo has an acceptable
  alternative name; at evaluation a prediction of the main colour or the alt counts as right
  ("colour-or-alt"); "strict" counts the main colour only.
- Splits: the fixed `split` column (10-class subset: its published train/validation/test; other photos 80/10/10 by
  hash). Sizes used: {metrics.get("samples")}. All tuning on validation; test was scored once per trained model.
- Training data hash (sha256 over image ids, labels, file sizes): `{metrics.get("data_hash")}`.

## Architecture and why
- Backbone: **{labels["backbone"]}** (EfficientNet-Lite0: ImageNet weights ported to Keras from
  `/work/shared/weights/efficientnet_lite0_imagenet.npz`, checked against the ImageNet head on real photos), input
  {labels["image_size"]}×{labels["image_size"]}, preprocessing: {labels["preprocessing"]}.
  Lite0 has no squeeze-excite and uses ReLU6, so it runs fast on CPUs and converts cleanly to TFLite.
- Backbone frozen for phase 1; its bottom (stem to stage 5, 14×14×112 maps) is run once over
  {len(config.get("views", []))} views of each training photo ({", ".join(config.get("views", []))}; no colour
  jitter — colour is a label) and cached.
  The pooled feature vector ({labels.get("feature_dim", "?")}-d) concatenates global-average-pooled outputs of
  every stage from the second on (low-level stages carry colour), the averages of the **centre** of the stage-2, 3
  and 4 maps (32×32 of 56×56, 16×16 of 28×28, 8×8 of 14×14: at these colour-carrying stages the global average is
  mostly bed or floor, the centre mostly garment), the average of the centre 8×8 of the 14×14 stage-5 map and its
  max, and the average-pooled 1280-d head.
- Heads: BN → dropout {config.get("dropout")} → dense {config.get("hidden_units")} (BN, ReLU; its L2-normalised
  output is the embedding) → dropout → softmax type (17) and colour (14). Label smoothing
  {config.get("label_smoothing")}, type class weights (inverse frequency)^{config.get("class_weight_power")} (0 = none:
  weighting did not help on validation), AdamW, cosine schedule with warm-up, {config.get("epochs")} epochs on the
  first {config.get("head_views")} view(s), batch {config.get("batch_size")}.
- Phase 2: the backbone top (stages 6–7 and the head conv, batch norms frozen) is fine-tuned with the heads on the
  cached maps of all views for {config.get("finetune_epochs")} epochs at learning rate
  {config.get("finetune_learning_rate")} (3e-4 destroyed the pretrained top within an epoch).
- One end-to-end Keras model (image → type, colour, embedding) saved as `model.keras` and exported as `model.tflite`
  ({labels["tflite_quantization"]}; a single output vector sliced by the offsets in `labels.json`).
  Why this split: on 2 CPU cores a full fine-tune costs hours, while the bottom runs once (minutes) and the
  cheap 7×7 top can then be fine-tuned on its cached output for a few epochs.
  {quant_note}

## Results (model.tflite, as served)

{table_header}
{chr(10).join(rows)}

Published anchor on the 10-class test split: Xception at 299 px, 0.898. "Restricted" takes the argmax over the 10
classes only (comparable to that anchor); "unrestricted" over all 17 types.

Targets of the issue, on the test split: {targets_text}

{confusions}

## Speed and size
Artifact files: {", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items())}.
{bench_text}

## Training time
{metrics.get("training_seconds")} s on 2 CPU cores for `{command}`, of which
{metrics.get("feature_extraction_seconds", "?")} s feature extraction (near 0 when the maps come from the git-ignored
cache in `build/features/`; computing them for 4 views of 4,379 photos takes about 270 s). Phase 2 (fine-tuning the
top, about 3 minutes per epoch) dominates; phase 1 takes about 20 s and export plus evaluation about a minute.
{metrics.get("feature_extraction_note", "")}

## Known limits
- Small, home-photo dataset: rare types (blouse, top, body, undershirt, polo, hoodie) have tens of photos; their
  accuracy is low and they are mostly confused with t-shirt/longsleeve/shirt. Trust slot more than type.
- Slot errors come mostly from garments whose slot depends on a fine distinction: hoodies and blazers (outer vs. a
  top), shirts/longsleeves vs. outerwear, bodysuits and polo-style dresses read as tops, skirts as shorts.
- Colour: dark navy vs black and muted shades (beige/gray/white, brown/beige) are ambiguous even for annotators
  (87% agreement on the main colour); multicolor and patterned garments are hard. Lighting in home photos shifts hues.
- Photos with several garments, a person wearing clothes or heavy clutter are out of distribution.
- Backbone frozen: features are ImageNet's, not tuned to garments.
"""
    (out_dir / "MODEL_CARD.md").write_text(card)


def load_metrics(model_dir: Path) -> dict:
    path = model_dir / "metrics.json"
    return json.loads(path.read_text()) if path.exists() else {}


def record_benchmark(model_dir: Path, figures: dict) -> None:
    """Add benchmark figures to metrics.json (per backend) and rewrite MODEL_CARD.md."""
    model_dir = Path(model_dir)
    metrics = load_metrics(model_dir)
    metrics.setdefault("benchmark", {})[figures["backend"]] = figures
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    labels = json.loads((model_dir / "labels.json").read_text())
    write_model_card(model_dir, metrics, labels)
