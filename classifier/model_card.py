"""What the public model card page shows, read from an artifact folder (labels.json + metrics.json). No TensorFlow.

metrics.json is written by classifier.training / classifier.evaluation; its per-split documents look like
{"type": head, "top10": {"restricted": head, "unrestricted_accuracy": x}, "slot": head,
 "color": {"or_alt_accuracy": x, "strict": head}} with head = {accuracy, macro_f1, count, labels, confusion}.
Missing parts are shown as missing rather than failing the page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

# Confusion-matrix pictures the evaluation writes (classifier.evaluation.write_confusion_pngs), in page order;
# only these names are ever served from the artifact folder.
FIGURE_HEADS: tuple[str, ...] = ("type", "top10", "slot", "color")
# The heads coordination uses, read from the same backbone (metrics.json's test section has a block for each).
ATTRIBUTE_KEYS: tuple[str, ...] = ("pattern", "audience", "warmth", "formality", "kind")
FIGURE_NAMES: tuple[str, ...] = tuple(f"confusion_test_{head}.png" for head in FIGURE_HEADS)
# The evaluation command writes into <model dir>/evaluation by default; training may write next to the weights.
FIGURE_FOLDERS: tuple[str, ...] = ("", "evaluation")


@dataclass(frozen=True)
class HeadScore:
    # "type", "top10", "top10_unrestricted", "slot", "color_or_alt", "color_strict", the ATTRIBUTE_KEYS, "worn_slot",
    # "worn_type_or_kind", "outfit_found"
    key: str
    accuracy: float | None
    macro_f1: float | None = None
    count: int | None = None


@dataclass(frozen=True)
class ConfusionCell:
    value: int
    background: str  # CSS colour: green shades on the diagonal, red off it, by share of the true row


@dataclass(frozen=True)
class ConfusionRow:
    label: str
    total: int
    cells: tuple[ConfusionCell, ...]


@dataclass(frozen=True)
class ConfusionMatrix:
    key: str  # "type", "top10", "slot", "color"
    labels: tuple[str, ...]
    rows: tuple[ConfusionRow, ...]
    figure: str | None = None  # file name of the PNG, when the artifact has it


@dataclass(frozen=True)
class ModelCard:
    model_version: str
    backbone: str = ""
    image_size: int | None = None
    quantization: str = ""
    data_hash: str = ""
    samples: dict[str, int] = field(default_factory=dict)
    split: str = "test"
    scores: list[HeadScore] = field(default_factory=list)
    confusions: list[ConfusionMatrix] = field(default_factory=list)
    has_results: bool = False


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _head_score(key: str, head: object) -> HeadScore:
    head = head if isinstance(head, dict) else {}
    count = head.get("count")
    return HeadScore(
        key,
        _number(head.get("accuracy")),
        _number(head.get("macro_f1")),
        int(count) if isinstance(count, int | float) else None,
    )


def _cell_background(value: int, row_total: int, diagonal: bool) -> str:
    share = value / row_total if row_total else 0.0
    if diagonal:
        return f"rgb({int(255 - 175 * share)},{int(255 - 80 * share)},{int(255 - 175 * share)})"
    return f"rgb(255,{int(255 - 200 * share)},{int(255 - 200 * share)})"


def confusion_matrix(key: str, head: object, *, figure: str | None = None) -> ConfusionMatrix | None:
    """A confusion matrix as table rows (rows: true label, columns: predicted), or None when the head has none."""
    if not isinstance(head, dict):
        return None
    labels, matrix = head.get("labels"), head.get("confusion")
    if not isinstance(labels, list) or not isinstance(matrix, list) or len(matrix) != len(labels):
        return None
    rows = []
    for i, (label, values) in enumerate(zip(labels, matrix, strict=True)):
        total = int(sum(values))
        cells = tuple(ConfusionCell(int(v), _cell_background(int(v), total, i == j)) for j, v in enumerate(values))
        rows.append(ConfusionRow(str(label), total, cells))
    return ConfusionMatrix(key, tuple(str(label) for label in labels), tuple(rows), figure)


def figure_path(model_dir: Path, name: str) -> Path | None:
    """The path of a known confusion-matrix picture in the artifact, or None (unknown names are never looked up)."""
    if name not in FIGURE_NAMES:
        return None
    for folder in FIGURE_FOLDERS:
        path = Path(model_dir) / folder / name
        if path.is_file():
            return path
    return None


def model_card_from_documents(metrics: dict, labels: dict, *, figures: set[str] | None = None) -> ModelCard:
    """Build the page's content from the parsed metrics.json and labels.json (pure)."""
    figures = figures or set()
    split = "test"
    raw_results = metrics.get(split)
    results: dict = raw_results if isinstance(raw_results, dict) else {}
    top10: dict = results["top10"] if isinstance(results.get("top10"), dict) else {}
    color: dict = results["color"] if isinstance(results.get("color"), dict) else {}
    scores = [
        _head_score("type", results.get("type")),
        _head_score("top10", top10.get("restricted")),
        HeadScore("top10_unrestricted", _number(top10.get("unrestricted_accuracy"))),
        _head_score("slot", results.get("slot")),
        HeadScore(
            "color_or_alt",
            _number(color.get("or_alt_accuracy")),
            count=_head_score("color_strict", color.get("strict")).count,
        ),
        _head_score("color_strict", color.get("strict")),
        *(_head_score(key, results.get(key)) for key in ATTRIBUTE_KEYS if isinstance(results.get(key), dict)),
    ]
    # Garments worn by people (co-parsing test split): each garment region read from its crop, and whole outfits.
    worn = metrics.get("coparsing", {}).get(split, {}) if isinstance(metrics.get("coparsing"), dict) else {}
    raw_regions, raw_outfits = worn.get("regions"), worn.get("outfits")
    regions: dict = raw_regions if isinstance(raw_regions, dict) else {}
    outfits: dict = raw_outfits if isinstance(raw_outfits, dict) else {}
    if regions:
        scores.append(_head_score("worn_slot", regions.get("slot")))
        scores.append(
            HeadScore("worn_type_or_kind", _number(regions.get("type_or_kind_accuracy")), count=regions.get("count"))
        )
    if outfits:
        scores.append(
            HeadScore("outfit_found", _number(outfits.get("found_share")), count=outfits.get("garments_present"))
        )
    heads = {
        "type": results.get("type"),
        "top10": top10.get("restricted"),
        "slot": results.get("slot"),
        "color": color.get("strict"),
        **{key: results.get(key) for key in ATTRIBUTE_KEYS},
        "worn_slot": regions.get("slot"),
    }
    confusions = [
        matrix
        for key, head in heads.items()
        if (
            matrix := confusion_matrix(
                key, head, figure=f"confusion_{split}_{key}.png" if f"confusion_{split}_{key}.png" in figures else None
            )
        )
        is not None
    ]
    samples = metrics.get("samples")
    image_size = labels.get("image_size")
    return ModelCard(
        model_version=str(metrics.get("model_version") or labels.get("model_version") or ""),
        backbone=str(labels.get("backbone") or ""),
        image_size=int(image_size) if isinstance(image_size, int | float) else None,
        quantization=str(labels.get("tflite_quantization") or ""),
        data_hash=str(metrics.get("data_hash") or ""),
        samples={str(k): int(v) for k, v in samples.items() if isinstance(v, int)} if isinstance(samples, dict) else {},
        split=split,
        scores=scores,
        confusions=confusions,
        has_results=any(score.accuracy is not None for score in scores),
    )


def _read_json(path: Path) -> dict | None:
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def load_model_card(model_dir: Path) -> ModelCard | None:
    """The card of the artifact in `model_dir`, or None when it has no readable labels.json or metrics.json."""
    model_dir = Path(model_dir)
    labels = _read_json(model_dir / "labels.json")
    metrics = _read_json(model_dir / "metrics.json")
    if labels is None and metrics is None:
        return None
    figures = {name for name in FIGURE_NAMES if figure_path(model_dir, name) is not None}
    return model_card_from_documents(metrics or {}, labels or {}, figures=figures)
