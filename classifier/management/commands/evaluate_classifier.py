"""Evaluate a trained classifier artifact on a dataset split."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Score a classifier artifact on the validation or test split: accuracy, macro-F1, confusion PNGs per head."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--split", choices=("test", "validation"), default="test")
        parser.add_argument("--model-dir", default=str(settings.CLASSIFIER_MODEL_DIR))
        parser.add_argument("--dataset", default=settings.FASHION_DATASET_DIR)
        parser.add_argument("--backend", choices=("tflite", "keras"), default="tflite")
        parser.add_argument(
            "--out", default=None, help="where to store evaluation JSON and PNGs (default <model-dir>/evaluation)"
        )

    def handle(self, *args, **options) -> None:
        from classifier.dataset import load_samples
        from classifier.evaluation import evaluate, write_confusion_pngs
        from classifier.predictor import load_predictor

        model_dir = Path(options["model_dir"])
        if not (model_dir / "labels.json").is_file():
            raise CommandError(f"no classifier artifact in {model_dir}")
        if not options["dataset"] or not Path(options["dataset"]).is_dir():
            raise CommandError(f"dataset folder not found: {options['dataset']!r}")
        samples = load_samples(options["dataset"], splits=[options["split"]])
        predictor = load_predictor(model_dir, backend=options["backend"])
        result = evaluate(predictor, samples, progress=options["verbosity"] > 0)
        out_dir = Path(options["out"]) if options["out"] else model_dir / "evaluation"
        out_dir.mkdir(parents=True, exist_ok=True)
        document = {"model_version": predictor.model_version, "backend": options["backend"], **result.as_dict()}
        json_path = out_dir / f"{options['split']}_{options['backend']}.json"
        json_path.write_text(json.dumps(document, indent=1) + "\n")
        pngs = write_confusion_pngs(result, out_dir)
        self.stdout.write(f"model {predictor.model_version} ({options['backend']})")
        for line in result.summary_lines():
            self.stdout.write(line)
        self.stdout.write(f"stored {json_path} and {len(pngs)} confusion matrices in {out_dir}")
