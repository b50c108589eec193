"""Measure classifier forward-pass latency on this machine."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Forward-pass latency p50/p95 for one warm image and images/s for a batch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backend", choices=("tflite", "keras"), default="tflite")
        parser.add_argument("--runs", type=int, default=200)
        parser.add_argument("--batch", type=int, default=32)
        parser.add_argument("--model-dir", default=str(settings.CLASSIFIER_MODEL_DIR))
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--record", action="store_true", help="store the figures in the artifact's metrics.json and MODEL_CARD.md"
        )

    def handle(self, *args, **options) -> None:
        from classifier.benchmark import benchmark

        model_dir = Path(options["model_dir"])
        if not (model_dir / "labels.json").is_file():
            raise CommandError(f"no classifier artifact in {model_dir}")
        result = benchmark(model_dir, backend=options["backend"], runs=options["runs"], batch=options["batch"])
        if options["record"]:
            from classifier.evaluation import record_benchmark

            record_benchmark(model_dir, result.as_dict())
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        self.stdout.write(
            f"{result.backend} @ {result.image_size}px: single image p50 {result.single_p50_ms:.1f} ms, "
            f"p95 {result.single_p95_ms:.1f} ms ({result.runs} runs); batch of {result.batch}: "
            f"{result.batch_images_per_second:.0f} images/s; artifact {result.artifact_mb:.1f} MB"
        )
