"""Fit the linear probes on the CNN's embedding: the kind of an outer layer, a big graphic on a top, and who wears
the outfit in a photo of a person; and the chip gate, which says whether each garment listed in such a photo is
there."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier import graphics, outer_kinds, wearers
from classifier.evaluation import (
    load_metrics,
    train_chip_gate,
    train_graphics,
    train_outer_kinds,
    train_wearers,
    train_worn_colours,
    train_worn_kinds,
    write_model_card,
)
from classifier.predictor import load_predictor, model_backed

PROBES = ("outer_kind", "graphic", "wearer", "chip_gate", "worn_colour", "worn_kind")
ON_COPARSING = ("wearer", "chip_gate", "worn_colour", "worn_kind")
# The readings of a garment worn read again by a regression fitted on garments labelled by eye: how each is fitted,
# and the cross-validated figure each regularisation is chosen by (its key in the tries, and its words).
READ_AGAIN = {
    "worn_colour": (train_worn_colours, "colour_or_alt", "colour-or-alt"),
    "worn_kind": (train_worn_kinds, "accuracy", "kind right"),
}


class Command(BaseCommand):
    help = (
        "Fit the probes on the embedding (outer_kind: coat, jacket, vest, snowsuit; graphic: a big print on a top; on "
        "the CC0 train and validation photos a stylist tagged; wearer: women's or men's, on the co-parsing train and "
        "validation photos), each choosing its regularisation and threshold by cross-validation; score the test "
        "splits; chip_gate: is each garment listed in a photo of a person there (fitted on the co-parsing train "
        "photos and their shop-like framings, scored on validation and test); worn_colour: the colour and pattern "
        "of a garment worn, read again from its crop's outputs (fitted on the co-parsing train garments labelled by "
        "eye, scored on validation and test); worn_kind: the kind of a pair of shoes worn, read again the same way "
        "(fitted on the co-parsing train shoes labelled by eye); with --write, store them in labels.json and the "
        "model card."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model-dir", default=str(settings.CLASSIFIER_MODEL_DIR))
        parser.add_argument("--dataset", default=settings.FASHION_DATASET_DIR, help="CC0 clothing dataset folder")
        parser.add_argument(
            "--coparsing", default=settings.FASHION_COPARSING_DIR, help="Clothing Co-Parsing folder ('' to skip)"
        )
        parser.add_argument("--probe", choices=PROBES, action="append", help="only this probe (default: all)")
        parser.add_argument("--outer-kinds", default=str(outer_kinds.LABELS_FILE), help="image,kind CSV")
        parser.add_argument("--graphics", default=str(graphics.LABELS_FILE), help="image,graphic CSV")
        parser.add_argument("--wearers", default=str(wearers.LABELS_FILE), help="image,wearer CSV (co-parsing)")
        parser.add_argument("--write", action="store_true", help="store them in labels.json (else a dry run)")

    def handle(self, *args, model_dir: str, dataset: str, coparsing: str, probe, write: bool, **options) -> None:
        model_path, dataset_dir = Path(model_dir), Path(dataset or "")
        coparsing_dir = Path(coparsing) if coparsing and Path(coparsing, "tags.csv").is_file() else None
        names = probe or [name for name in PROBES if name not in ON_COPARSING or coparsing_dir is not None]
        if not probe and coparsing_dir is None:
            self.stdout.write(
                "wearer, chip_gate, worn_colour, worn_kind: not fitted (fitted on the co-parsing photos: pass "
                "--coparsing)."
            )
        if set(names) - set(ON_COPARSING) and not (dataset_dir / "splits.csv").is_file():
            raise CommandError(f"No CC0 clothing dataset (splits.csv) at {dataset_dir!s}: pass --dataset.")
        if set(names) & set(ON_COPARSING) and coparsing_dir is None:
            raise CommandError(
                "wearer, chip_gate, worn_colour and worn_kind are fitted on the co-parsing photos (tags.csv): pass "
                "--coparsing."
            )
        predictor = model_backed(load_predictor(model_path, backend="tflite"), "fit_probes")
        blocks = {}
        for name in names:
            if name == "chip_gate":
                assert coparsing_dir is not None  # checked above
                try:
                    blocks[name], gate_figures = train_chip_gate(predictor, coparsing_dir)
                except ValueError as error:
                    raise CommandError(f"chip_gate: {error}") from error
                self.stdout.write(
                    f"chip_gate chosen: drop under {blocks[name]['drop']}, unsure under {blocks[name]['unsure']}"
                )
                for split, kinds in gate_figures.items():
                    for kind, counts in kinds.items():
                        self.stdout.write(f"chip_gate {split} {kind}: {json.dumps(counts)}")
                continue
            if name in READ_AGAIN:
                assert coparsing_dir is not None  # checked above
                train, figure, words = READ_AGAIN[name]
                try:
                    blocks[name], tries = train(predictor, coparsing_dir)
                except ValueError as error:
                    raise CommandError(f"{name}: {error}") from error
                for t in tries:
                    self.stdout.write(f"{name} cv l2={t['l2']:g}: {words} {t[figure]}")
                if "cross_validation" in blocks[name]:
                    self.stdout.write(f"{name} chosen: l2={blocks[name]['cross_validation']['l2']:g}")
                else:
                    self.stdout.write(f"{name}: nothing fitted, read by the network's {blocks[name]['reader']}")
                for split in ("validation", "test"):
                    if f"{split}_figures" in blocks[name]:
                        self.stdout.write(f"{name} {split}: {json.dumps(blocks[name][f'{split}_figures'])}")
                continue
            if name == "outer_kind":
                blocks[name], tries = train_outer_kinds(
                    predictor, dataset_dir, coparsing_dir, Path(options["outer_kinds"])
                )
            elif name == "graphic":
                blocks[name], tries = train_graphics(predictor, dataset_dir, Path(options["graphics"]))
            else:
                assert coparsing_dir is not None  # checked above
                blocks[name], tries = train_wearers(predictor, coparsing_dir, Path(options["wearers"]))
            for t in tries:
                figures = ", ".join(
                    f"{k} {v}" for k, v in t.items() if k not in ("l2", "threshold", "thresholds", "by_kind")
                )
                chosen = t.get("threshold", t.get("thresholds"))
                self.stdout.write(f"{name} cv l2={t['l2']:g} threshold={chosen}: {figures}")
            self.stdout.write(
                f"{name} chosen: l2={blocks[name]['cross_validation']['l2']:g}, threshold {blocks[name]['threshold']}"
            )
            for split in ("test", "worn_test", "test_photos", "test_framings", "test_studio_framings"):
                if split in blocks[name]:
                    self.stdout.write(f"{name} {split}: {json.dumps(blocks[name][split])}")
        if write:
            labels_path = model_path / "labels.json"
            doc = {**json.loads(labels_path.read_text()), **blocks}
            labels_path.write_text(json.dumps(doc, indent=2) + "\n")
            write_model_card(model_path, load_metrics(model_path), doc)
            self.stdout.write(self.style.SUCCESS(f"Wrote {', '.join(blocks)} into {labels_path} and its model card."))
