"""Fine-tune the EfficientNet-Lite0 backbone on garments and write it as weights for train_classifier --weights."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_WEIGHTS = Path(settings.CLASSIFIER_WEIGHTS_DIR) / "efficientnet_lite0_imagenet.npz"


class Command(BaseCommand):
    help = (
        "Fine-tune the whole Lite0 backbone (type and colour, flat photos and worn crops) and write it in the ImageNet "
        "weights' .npz layout, for train_classifier --weights."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="the .npz to write (a .json of the run goes beside it)")
        parser.add_argument("--dataset", default=settings.FASHION_DATASET_DIR, help="clothing dataset folder")
        parser.add_argument(
            "--coparsing", default=settings.FASHION_COPARSING_DIR, help="co-parsing folder ('' for flat photos only)"
        )
        parser.add_argument("--weights", default=str(DEFAULT_WEIGHTS), help="the Lite0 weights to start from")
        parser.add_argument("--epochs", type=int, default=4, help="epochs with the backbone trainable")
        parser.add_argument("--learning-rate", type=float, default=1e-4)
        parser.add_argument("--image-size", type=int, default=224)
        parser.add_argument("--limit", type=int, default=None, help="at most N training photos (quick runs)")
        parser.add_argument("--seed", type=int, default=1337)
        parser.add_argument(
            "--color-weight", type=float, default=0.5, help="the colour head's loss weight next to the type head's 1"
        )
        parser.add_argument(
            "--segmentation-weight",
            type=float,
            default=0.0,
            help="train an outfit map on the co-parsing street photos alongside, with this loss weight (0: none)",
        )
        parser.add_argument(
            "--segmentation-repeat", type=int, default=2, help="times each street photo is seen an epoch"
        )
        parser.add_argument(
            "--keep-bottom",
            action="store_true",
            help="fine-tune only the top (stages 5-6); the bottom, which the outfit map reads, stays as in --weights",
        )

    def handle(self, *args, **options) -> None:
        # lazy: classifier.finetuning imports TensorFlow, which the serving install does not have
        from classifier.finetuning import (  # noqa: PLC0415
            FinetuneConfig,
            bottom_frozen_prefixes,
            finetune_backbone,
        )

        if not options["dataset"] or not Path(options["dataset"]).is_dir():
            raise CommandError(
                f"dataset folder not found: {options['dataset']!r} (set FASHION_DATASET_DIR or --dataset)"
            )
        weights = Path(options["weights"])
        if not weights.is_file():
            raise CommandError(f"backbone weights not found: {weights}")
        if options["coparsing"] and not Path(options["coparsing"]).is_dir():
            raise CommandError(f"co-parsing folder not found: {options['coparsing']!r}")
        if options["color_weight"] < 0:
            raise CommandError("--color-weight must not be negative")
        if options["segmentation_weight"] < 0:
            raise CommandError("--segmentation-weight must not be negative")
        if options["segmentation_weight"] > 0 and not options["coparsing"]:
            raise CommandError("--segmentation-weight needs the co-parsing photos (--coparsing)")
        if options["epochs"] < 1:
            raise CommandError("--epochs must be at least 1")
        out = Path(options["out"])
        if out.suffix != ".npz":
            raise CommandError(f"--out must name a .npz file, not {out.name!r}")
        command_line = None
        if sys.argv[1:2] == ["finetune_backbone"]:
            command_line = "python manage.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        config = FinetuneConfig(
            dataset_dir=Path(options["dataset"]),
            weights_path=weights,
            out_path=out,
            coparsing_dir=Path(options["coparsing"]) if options["coparsing"] else None,
            image_size=options["image_size"],
            epochs=options["epochs"],
            learning_rate=options["learning_rate"],
            limit=options["limit"],
            seed=options["seed"],
            color_loss_weight=options["color_weight"],
            segmentation_weight=options["segmentation_weight"],
            segmentation_repeat=options["segmentation_repeat"],
            progress=options["verbosity"] > 0,
            extra={"command": command_line},
        )
        if options["keep_bottom"]:
            config.frozen_prefixes = bottom_frozen_prefixes()
        try:
            result = finetune_backbone(config, log=self.stdout.write)
        except ValueError as error:
            raise CommandError(str(error)) from error
        accuracy = result.history["validation_type_accuracy"]
        self.stdout.write(
            f"backbone written to {result.out_path} ({result.seconds:.0f} s); validation type accuracy "
            f"{accuracy[0]} with the heads alone -> {accuracy[-1]} after fine-tuning"
        )
