"""Learn to read the kind of an outer layer (coat, jacket, vest, snowsuit) from the CNN's embedding."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from PIL import Image

from classifier import outer_kinds
from classifier.coparsing import read_photo, worn_outfits
from classifier.evaluation import load_metrics, write_model_card
from classifier.imaging import open_image
from classifier.predictor import CROP_MARGIN, load_predictor, model_backed
from classifier.regions import garment_crop


class Command(BaseCommand):
    help = (
        "Fit the outer-kind reading (a softmax regression on the embedding) on the CC0 train and validation photos a "
        "stylist tagged (classifier/labels/outer_kinds.csv), choosing its regularisation and threshold by "
        "cross-validation; score the CC0 test photos and the co-parsing test split's worn outer layers; with --write, "
        "store it in the artifact's labels.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model-dir", default=str(settings.CLASSIFIER_MODEL_DIR))
        parser.add_argument("--dataset", default=settings.FASHION_DATASET_DIR, help="CC0 clothing dataset folder")
        parser.add_argument("--coparsing", default=settings.FASHION_COPARSING_DIR, help="Clothing Co-Parsing folder")
        parser.add_argument("--labels", default=str(outer_kinds.LABELS_FILE), help="image,kind CSV")
        parser.add_argument("--write", action="store_true", help="store the reading in labels.json")

    def handle(self, *args, model_dir: str, dataset: str, coparsing: str, labels: str, write: bool, **options) -> None:
        model_path, dataset_dir = Path(model_dir), Path(dataset or "")
        if not (dataset_dir / "splits.csv").is_file():
            raise CommandError(f"No CC0 clothing dataset (splits.csv) at {dataset_dir!s}: pass --dataset.")
        predictor = model_backed(load_predictor(model_path, backend="tflite"), "fit_outer_kinds")
        with (dataset_dir / "splits.csv").open(newline="", encoding="utf-8") as handle:
            split_of = {row["image"]: row["split"] for row in csv.DictReader(handle)}
        tagged = [
            (image, outer_kinds.KINDS_READ.index(kind), split_of[image])
            for image, kind in sorted(outer_kinds.read_labels(Path(labels)).items())
            if kind in outer_kinds.KINDS_READ and image in split_of
        ]

        def embed(photos: Sequence[Callable[[], Image.Image]]) -> np.ndarray:
            rows = [
                predictor.outputs([photo() for photo in photos[start : start + 32]])["embedding"]
                for start in range(0, len(photos), 32)
            ]
            return np.concatenate(rows) if rows else np.zeros((0, predictor.embedding_dim))

        def flat(split_names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
            chosen = [(image, kind) for image, kind, split in tagged if split in split_names]
            photos = [lambda image=image: open_image(dataset_dir / "images" / f"{image}.jpg") for image, _ in chosen]
            return embed(photos), np.array([kind for _, kind in chosen], dtype=int)

        x_fit, y_fit = flat(("train", "validation"))
        l2, threshold, tries = outer_kinds.cross_validate(x_fit, y_fit)
        weights, bias = outer_kinds.fit(x_fit, y_fit, classes=len(outer_kinds.KINDS_READ), l2=l2)
        model = {"weights": weights, "bias": bias}
        x_test, y_test = flat(("test",))
        test = outer_kinds.scores(outer_kinds.probabilities(x_test, model), y_test, threshold)
        chosen = next(t for t in tries if t["l2"] == l2 and t["threshold"] == threshold)
        facts = {
            "trained_on": {"cc0_photos": len(y_fit), "splits": ["train", "validation"]},
            "cross_validation": {key: chosen[key] for key in ("l2", "use", "accuracy", "confident_share",
                                                               "confident_accuracy", "vests", "vests_found",
                                                               "called_vest")},
            "test": test,
        }  # fmt: skip
        if coparsing and Path(coparsing, "tags.csv").is_file():
            facts["worn_test"] = self._worn(Path(coparsing), embed, model, threshold)
        for t in tries:
            self.stdout.write(
                f"cv l2={t['l2']:g} threshold={t['threshold']}: use {t['use']:+.3f}, read {t['confident_share']:.0%} "
                f"of {t['photos']}, {t['confident_accuracy']} right; vests {t['vests_found']}/{t['vests']} found, "
                f"{t['called_vest']} called"
            )
        self.stdout.write(f"chosen: l2={l2:g}, threshold {threshold}")
        for name in ("test", "worn_test"):
            if name in facts:
                self.stdout.write(f"{name}: {json.dumps(facts[name])}")
        if write:
            labels_path = model_path / "labels.json"
            doc = json.loads(labels_path.read_text())
            doc["outer_kind"] = outer_kinds.as_model(weights, bias, threshold=threshold, **facts)
            labels_path.write_text(json.dumps(doc, indent=2) + "\n")
            write_model_card(model_path, load_metrics(model_path), doc)
            self.stdout.write(self.style.SUCCESS(f"Wrote outer_kind into {labels_path} and its model card."))

    def _worn(self, root: Path, embed, model: dict, threshold: float) -> dict:
        """The test split's worn outer layers that co-parsing labels coat, cape, jacket or vest, read from their
        crops as the product reads a tapped garment."""
        crops, truth = [], []
        for outfit in worn_outfits(root, "test", annotation="pixel", with_color=False):
            for garment in outfit.garments:
                kind = outer_kinds.COPARSING_KINDS.get(garment.label)
                if kind and garment.box is not None:
                    crops.append(
                        lambda image_id=outfit.image_id, box=garment.box: garment_crop(
                            read_photo(root, image_id), box, margin=CROP_MARGIN
                        )
                    )
                    truth.append(outer_kinds.KINDS_READ.index(kind))
        return outer_kinds.scores(outer_kinds.probabilities(embed(crops), model), truth, threshold)
