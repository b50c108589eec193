"""Train the garment classifier and write a versioned artifact folder."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_WEIGHTS = Path(settings.CLASSIFIER_WEIGHTS_DIR) / "efficientnet_lite0_imagenet.npz"


class Command(BaseCommand):
    help = "Train the type/colour CNN on the clothing dataset and write classifier/artifacts/<version>/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", default=settings.FASHION_DATASET_DIR, help="clothing dataset folder")
        parser.add_argument("--out", default=None, help="artifact folder (default classifier/artifacts/<timestamp>)")
        parser.add_argument("--epochs", type=int, default=12, help="epochs of the heads on frozen features")
        parser.add_argument("--finetune-epochs", type=int, default=0, help="epochs fine-tuning the backbone top")
        parser.add_argument("--image-size", type=int, default=224)
        parser.add_argument(
            "--backbone", choices=("efficientnet_lite0", "efficientnet_lite2", "tiny"), default="efficientnet_lite0"
        )
        parser.add_argument(
            "--weights",
            default=None,
            help="the backbone's weights (.npz; default: ImageNet's, or with --segmentation-from that artifact's own)",
        )
        parser.add_argument("--limit", type=int, default=None, help="at most N training photos (quick runs)")
        parser.add_argument("--views", type=int, default=4, help="augmented views per training photo (1-4)")
        parser.add_argument("--quantization", choices=("int8", "float16", "dynamic", "none"), default="int8")
        parser.add_argument(
            "--cache-dir",
            default=str(Path(settings.BASE_DIR) / "build" / "features"),
            help="feature cache (git-ignored); '' to disable",
        )
        parser.add_argument("--no-current", action="store_true", help="do not point artifacts/current at the result")
        parser.add_argument(
            "--coparsing",
            default=settings.FASHION_COPARSING_DIR,
            help="co-parsing dataset folder: worn garments and whole-outfit masks ('' to train on flat photos only)",
        )
        parser.add_argument(
            "--worn-tags-from",
            default=None,
            help="artifact folder whose detector reads the tag-only co-parsing train photos: each region it finds, "
            "labelled by the photo's unambiguous tag for that slot, joins the worn training crops",
        )
        parser.add_argument(
            "--worn-chips-by-eye",
            action="store_true",
            help="the bottoms, one-pieces and shoes of the tag-only co-parsing train photos labelled by eye "
            "(classifier/labels/coparsing_*_chips_by_eye.csv) join the worn training crops, in place of the "
            "tag-labelled crops of the same photo and part",
        )
        parser.add_argument(
            "--worn-type-weight", type=float, default=1.0, help="type and shoe-kind loss weight of worn crops"
        )
        parser.add_argument("--segmentation-epochs", type=int, default=30)
        parser.add_argument(
            "--segmentation-from",
            default=None,
            help="artifact folder whose outfit map is kept as it is instead of training one; the heads train on its "
            "backbone (written to build/backbones/) unless --weights names it",
        )
        parser.add_argument(
            "--attribute-units", type=int, default=16, help="hidden units of each attribute head's own branch"
        )
        parser.add_argument(
            "--kind-units",
            type=int,
            default=None,
            help="hidden units of the shoe kind's branch (default: as the others)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1337,
            help="random seed of the augmented views (a new seed extracts the features again) and of every head",
        )
        parser.add_argument(
            "--no-evaluate", action="store_true", help="skip the evaluation (run evaluate_classifier --record later)"
        )

    def handle(self, *args, **options) -> None:
        # lazy: classifier.training imports TensorFlow, which the serving install does not have
        from classifier.training import VIEWS_ALL, TrainConfig, point_current, train  # noqa: PLC0415

        if not options["dataset"] or not Path(options["dataset"]).is_dir():
            raise CommandError(
                f"dataset folder not found: {options['dataset']!r} (set FASHION_DATASET_DIR or --dataset)"
            )
        segmentation_from = options["segmentation_from"]
        if segmentation_from and not (Path(segmentation_from) / "model.keras").is_file():
            raise CommandError(f"--segmentation-from: no model.keras in {segmentation_from}")
        weights = Path(options["weights"] or DEFAULT_WEIGHTS) if options["backbone"] != "tiny" else None
        if weights is not None and not weights.is_file():
            raise CommandError(f"backbone weights not found: {weights}")
        if segmentation_from and options["backbone"] == "efficientnet_lite0" and not options["weights"]:
            assert weights is not None  # the Lite0 ImageNet weights, checked above
            weights = self._backbone_of(Path(segmentation_from), imagenet=weights)
        artifacts = Path(settings.BASE_DIR) / "classifier" / "artifacts"
        out = Path(options["out"]) if options["out"] else artifacts / time.strftime("%Y%m%d-%H%M")
        worn_tags_from = Path(options["worn_tags_from"]) if options["worn_tags_from"] else None
        if worn_tags_from is not None and not (worn_tags_from / "labels.json").is_file():
            raise CommandError(f"--worn-tags-from: no classifier artifact in {worn_tags_from}")
        if worn_tags_from is not None and not options["coparsing"]:
            raise CommandError("--worn-tags-from needs the co-parsing dataset (--coparsing)")
        if options["worn_chips_by_eye"] and not options["coparsing"]:
            raise CommandError("--worn-chips-by-eye needs the co-parsing dataset (--coparsing)")
        if not 1 <= options["views"] <= len(VIEWS_ALL):
            raise CommandError(f"--views must be between 1 and {len(VIEWS_ALL)}")
        # Recorded in metrics.json and the model card (None when called from code, e.g. tests).
        command_line = None
        if sys.argv[1:2] == ["train_classifier"]:
            command_line = "python manage.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        config = TrainConfig(
            dataset_dir=Path(options["dataset"]),
            out_dir=out,
            backbone=options["backbone"],
            weights_path=weights,
            image_size=options["image_size"],
            epochs=options["epochs"],
            finetune_epochs=options["finetune_epochs"],
            limit=options["limit"],
            views=VIEWS_ALL[: options["views"]],
            tflite_quantization=options["quantization"],
            cache_dir=Path(options["cache_dir"]) if options["cache_dir"] else None,
            coparsing_dir=Path(options["coparsing"]) if options["coparsing"] else None,
            segmentation_epochs=options["segmentation_epochs"],
            segmentation_from=Path(segmentation_from) if segmentation_from else None,
            attribute_units=options["attribute_units"],
            kind_units=options["kind_units"],
            worn_tags_from=worn_tags_from,
            worn_chips_by_eye=options["worn_chips_by_eye"],
            worn_type_weight=options["worn_type_weight"],
            seed=options["seed"],
            evaluate=not options["no_evaluate"],
            progress=options["verbosity"] > 0,
            extra={"command": command_line},
        )
        try:
            result = train(config, log=self.stdout.write)
        except ValueError as error:
            if segmentation_from and "outfit map" in str(error):
                raise CommandError(f"--segmentation-from: {error}") from error
            raise
        for split in ("validation", "test"):
            m = result.metrics.get(split)
            if not m:
                continue
            self.stdout.write(
                f"{split}: type {m['type']['accuracy']:.4f}, 10-class {m['top10']['restricted']['accuracy']:.4f} "
                f"(unrestricted {m['top10']['unrestricted_accuracy']:.4f}), slot {m['slot']['accuracy']:.4f}, "
                f"colour-or-alt {m['color']['or_alt_accuracy']:.4f}, "
                f"colour strict {m['color']['strict']['accuracy']:.4f}"
            )
        if not options["no_current"]:
            point_current(result.out_dir, artifacts / "current")
            self.stdout.write(f"artifacts/current -> {result.out_dir.name}")
        self.stdout.write(self.style.SUCCESS(f"model {result.model_version} written to {result.out_dir}"))

    def _backbone_of(self, artifact: Path, *, imagenet: Path) -> Path:
        """The Lite0 backbone of `artifact` as weights to train on, written to build/backbones/<artifact>.npz."""
        from classifier.backbones import save_lite0_weights_of_model  # noqa: PLC0415 - imports TensorFlow

        out = Path(settings.BASE_DIR) / "build" / "backbones" / f"{artifact.resolve().name}.npz"
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            save_lite0_weights_of_model(artifact / "model.keras", out, imagenet_weights=imagenet)
        except ValueError as error:
            raise CommandError(f"--segmentation-from: {error} (pass its backbone with --weights)") from error
        self.stdout.write(f"the backbone of {artifact.name} written to {out}")
        return out
