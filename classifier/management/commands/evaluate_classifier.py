"""Evaluate a trained classifier artifact on the dataset splits."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.coparsing import dataset_labels
from classifier.dataset import load_samples
from classifier.evaluation import (
    boards_line,
    evaluate,
    evaluate_artifact,
    lighting_line,
    score_boards,
    score_coparsing,
    score_lighting,
    score_turned,
    turned_line,
    worn_summary_lines,
    write_confusion_pngs,
)
from classifier.predictor import load_predictor, model_backed


class Command(BaseCommand):
    help = (
        "Score a classifier artifact on the validation or test split of the flat-lay set and of the co-parsing set: "
        "every head, worn-garment regions, whole-outfit detection, confusion PNGs. --record scores both splits, "
        "chooses the detection thresholds on validation and rewrites metrics.json and MODEL_CARD.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--split", choices=("test", "validation"), default="test")
        parser.add_argument("--model-dir", default=str(settings.CLASSIFIER_MODEL_DIR))
        parser.add_argument("--dataset", default=settings.FASHION_DATASET_DIR)
        parser.add_argument("--coparsing", default=settings.FASHION_COPARSING_DIR, help="'' to skip worn garments")
        parser.add_argument("--backend", choices=("tflite", "keras"), default="tflite")
        parser.add_argument(
            "--out", default=None, help="where to store evaluation JSON and PNGs (default <model-dir>/evaluation)"
        )
        parser.add_argument(
            "--record",
            action="store_true",
            help="validation and test, tune detection on validation, write metrics.json and MODEL_CARD.md",
        )
        parser.add_argument("--no-keras", action="store_true", help="with --record: skip the model.keras check")
        parser.add_argument(
            "--keep-choices",
            action="store_true",
            help="with --record: score both splits again with the artifact's post-network choices as they are "
            "(outfit gate, detection, region context, pixel colours, reconcile), choosing nothing",
        )
        parser.add_argument(
            "--dataset-labels",
            action="store_true",
            help="score worn garments by the co-parsing dataset's own labels, without our corrections "
            "(classifier/labels/coparsing_corrections.csv: skirts under a top that it labels 'dress')",
        )

    def handle(self, *args, **options) -> None:
        model_dir = Path(options["model_dir"])
        if not (model_dir / "labels.json").is_file():
            raise CommandError(f"no classifier artifact in {model_dir}")
        if not options["dataset"] or not Path(options["dataset"]).is_dir():
            raise CommandError(f"dataset folder not found: {options['dataset']!r}")
        coparsing = Path(options["coparsing"]) if options["coparsing"] else None
        if coparsing is not None and not (coparsing / "tags.csv").is_file():
            raise CommandError(f"co-parsing folder not found: {options['coparsing']!r}")
        progress = options["verbosity"] > 1
        if options["dataset_labels"] and options["record"]:
            raise CommandError("--record chooses and scores by the corrected labels; --dataset-labels scores one split")
        if options["keep_choices"] and not options["record"]:
            raise CommandError("--keep-choices goes with --record (without it nothing is chosen anyway)")
        if options["record"]:
            metrics = evaluate_artifact(
                model_dir,
                Path(options["dataset"]),
                coparsing_dir=coparsing,
                keras_validation=not options["no_keras"],
                tune=not options["keep_choices"],
                progress=progress,
            )
            for split in ("validation", "test"):
                m = metrics[split]
                self.stdout.write(
                    f"{split}: 10-class over all types {m['top10']['unrestricted_accuracy']:.4f}, slot "
                    f"{m['slot']['accuracy']:.4f}, colour-or-alt {m['color']['or_alt_accuracy']:.4f}, "
                    + ", ".join(
                        f"{h} {m[h]['accuracy']:.4f}"
                        for h in ("pattern", "audience", "warmth", "formality", "kind")
                        if h in m
                    )
                )
                if m.get("lighting"):
                    self.stdout.write(lighting_line(split, m["lighting"]))
                if "coparsing" in metrics:
                    for line in worn_summary_lines(split, metrics["coparsing"][split]):
                        self.stdout.write(line)
            self.stdout.write(f"stored metrics.json and MODEL_CARD.md in {model_dir}")
            return
        samples = load_samples(options["dataset"], splits=[options["split"]])
        # --backend is tflite or keras: model-backed, with the labels and raw outputs the worn-garment scoring reads.
        predictor = model_backed(load_predictor(model_dir, backend=options["backend"]), "evaluate_classifier")
        result = evaluate(predictor, samples, progress=progress)
        out_dir = Path(options["out"]) if options["out"] else model_dir / "evaluation"
        out_dir.mkdir(parents=True, exist_ok=True)
        document = {"model_version": predictor.model_version, "backend": options["backend"], **result.as_dict()}
        document["lighting"] = score_lighting(predictor, samples)
        document["boards"] = score_boards(predictor, samples, options["split"])
        document["turned"] = score_turned(predictor, samples)
        lines = [
            *result.summary_lines(),
            lighting_line(options["split"], document["lighting"]),
            boards_line(options["split"], document["boards"]),
            turned_line(options["split"], document["turned"]),
        ]
        if coparsing is not None:
            labels = predictor.labels
            document["coparsing_labels"] = "dataset" if options["dataset_labels"] else "corrected"
            with dataset_labels() if options["dataset_labels"] else nullcontext():
                document["coparsing"] = score_coparsing(
                    predictor,
                    coparsing,
                    options["split"],
                    labels.detection,
                    labels.region_context,
                    labels.reconcile,
                    progress=progress,
                )
            lines.append(f"co-parsing labels: {document['coparsing_labels']}")
            lines += worn_summary_lines(options["split"], document["coparsing"])
        json_path = out_dir / f"{options['split']}_{options['backend']}.json"
        json_path.write_text(json.dumps(document, indent=1) + "\n")
        pngs = write_confusion_pngs(result, out_dir)
        self.stdout.write(f"model {predictor.model_version} ({options['backend']})")
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(f"stored {json_path} and {len(pngs)} confusion matrices in {out_dir}")
