"""Measure classifier forward-pass latency on this machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.benchmark import benchmark
from classifier.coparsing import worn_outfits
from classifier.dataset import load_samples
from classifier.evaluation import record_benchmark
from classifier.imaging import open_image

if TYPE_CHECKING:
    from PIL import Image


class Command(BaseCommand):
    help = "Forward-pass latency p50/p95 for one warm image and images/s for a batch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backend", choices=("tflite", "keras"), default="tflite")
        parser.add_argument("--runs", type=int, default=200)
        parser.add_argument("--batch", type=int, default=32)
        parser.add_argument("--model-dir", default=str(settings.CLASSIFIER_MODEL_DIR))
        parser.add_argument("--threads", type=int, default=2, help="TFLite threads")
        parser.add_argument(
            "--photos",
            type=int,
            default=20,
            help="time whole readings of this many CC0 test photos and co-parsing test photos (0: forward pass only)",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument(
            "--record", action="store_true", help="store the figures in the artifact's metrics.json and MODEL_CARD.md"
        )

    def handle(self, *args, **options) -> None:
        model_dir = Path(options["model_dir"])
        if not (model_dir / "labels.json").is_file():
            raise CommandError(f"no classifier artifact in {model_dir}")
        flat, outfits = _photos(options["photos"])
        result = benchmark(
            model_dir,
            backend=options["backend"],
            runs=options["runs"],
            batch=options["batch"],
            threads=options["threads"],
            flat_photos=flat,
            outfit_photos=outfits,
        )
        if options["record"]:
            record_benchmark(model_dir, result.as_dict())
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        self.stdout.write(
            f"{result.backend} @ {result.image_size}px: single image p50 {result.single_p50_ms:.1f} ms, "
            f"p95 {result.single_p95_ms:.1f} ms ({result.runs} runs); batch of {result.batch}: "
            f"{result.batch_images_per_second:.0f} images/s; artifact {result.artifact_mb:.1f} MB"
        )
        if result.reading_p50_ms is not None or result.flat_reading_p50_ms is not None:
            self.stdout.write(
                f"whole reading (all heads, detection, garment crops): flat photo p50 {result.flat_reading_p50_ms} ms "
                f"p95 {result.flat_reading_p95_ms} ms; outfit photo p50 {result.reading_p50_ms} ms "
                f"p95 {result.reading_p95_ms} ms ({result.outfit_garments_mean} garments on average); the same framed "
                f"as phone photos (9:16 and 3:4, read again as street photos) p50 {result.phone_reading_p50_ms} ms "
                f"p95 {result.phone_reading_p95_ms} ms"
            )
        self.stdout.write(f"on {result.cpu}")


def _photos(count: int) -> tuple[list[Image.Image], list[Image.Image]]:
    """Up to `count` CC0 test photos and co-parsing test photos (pixel-annotated), when the datasets are present."""
    flat: list[Image.Image] = []
    outfits: list[Image.Image] = []
    if count <= 0:
        return flat, outfits
    if settings.FASHION_DATASET_DIR and Path(settings.FASHION_DATASET_DIR, "splits.csv").is_file():
        samples = load_samples(settings.FASHION_DATASET_DIR, splits=["test"])[:count]
        flat = [open_image(s.path) for s in samples]
    if settings.FASHION_COPARSING_DIR and Path(settings.FASHION_COPARSING_DIR, "tags.csv").is_file():
        chosen = worn_outfits(settings.FASHION_COPARSING_DIR, "test", with_color=False, annotation="pixel")[:count]
        outfits = [open_image(o.photo_path) for o in chosen]
    return flat, outfits
