"""Learn to read the kind of an outer layer (coat, jacket, vest, snowsuit) from the CNN's embedding."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier import outer_kinds
from classifier.evaluation import load_metrics, train_outer_kinds, write_model_card
from classifier.predictor import load_predictor, model_backed


class Command(BaseCommand):
    help = (
        "Fit the outer-kind reading (a softmax regression on the embedding) on the CC0 train and validation photos a "
        "stylist tagged, choosing its regularisation and threshold by cross-validation; score both test splits; with "
        "--write, store it in the artifact's labels.json and model card."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model-dir", default=str(settings.CLASSIFIER_MODEL_DIR))
        parser.add_argument("--dataset", default=settings.FASHION_DATASET_DIR, help="CC0 clothing dataset folder")
        parser.add_argument(
            "--coparsing", default=settings.FASHION_COPARSING_DIR, help="Clothing Co-Parsing folder ('' to skip)"
        )
        parser.add_argument("--labels", default=str(outer_kinds.LABELS_FILE), help="image,kind CSV")
        parser.add_argument("--write", action="store_true", help="store the reading in labels.json (else a dry run)")

    def handle(self, *args, model_dir: str, dataset: str, coparsing: str, labels: str, write: bool, **options) -> None:
        model_path, dataset_dir = Path(model_dir), Path(dataset or "")
        if not (dataset_dir / "splits.csv").is_file():
            raise CommandError(f"No CC0 clothing dataset (splits.csv) at {dataset_dir!s}: pass --dataset.")
        coparsing_dir = Path(coparsing) if coparsing and Path(coparsing, "tags.csv").is_file() else None
        predictor = model_backed(load_predictor(model_path, backend="tflite"), "fit_outer_kinds")
        block, tries = train_outer_kinds(predictor, dataset_dir, coparsing_dir, Path(labels))
        for t in tries:
            self.stdout.write(
                f"cv l2={t['l2']:g} threshold={t['threshold']}: use {t['use']:+.3f}, read {t['confident_share']:.0%} "
                f"of {t['photos']}, {t['confident_accuracy']} right; vests {t['vests_found']}/{t['vests']} found, "
                f"{t['called_vest']} called"
            )
        self.stdout.write(f"chosen: l2={block['cross_validation']['l2']:g}, threshold {block['threshold']}")
        for name in ("test", "worn_test"):
            if name in block:
                self.stdout.write(f"{name}: {json.dumps(block[name])}")
        if write:
            labels_path = model_path / "labels.json"
            doc = json.loads(labels_path.read_text())
            doc["outer_kind"] = block
            labels_path.write_text(json.dumps(doc, indent=2) + "\n")
            write_model_card(model_path, load_metrics(model_path), doc)
            self.stdout.write(self.style.SUCCESS(f"Wrote outer_kind into {labels_path} and its model card."))
