"""Re-export a trained artifact's network with another TFLite quantization, as a new artifact version."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Write a new artifact version whose model.tflite is SOURCE's model.keras exported again (e.g. int8), then "
        "score it as evaluate_classifier --record does (post-network parameters chosen on validation again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="artifact folder to export from (its model.keras)")
        parser.add_argument("--out", required=True, help="the new artifact folder (its name is the model version)")
        parser.add_argument(
            "--quantization",
            choices=("int8", "float16", "dynamic", "none", "keep"),
            default="int8",
            help="keep: copy SOURCE's model.tflite unchanged (a new version whose post-network steps are chosen again)",
        )
        parser.add_argument("--dataset", default=settings.FASHION_DATASET_DIR, help="clothing dataset folder")
        parser.add_argument(
            "--coparsing", default=settings.FASHION_COPARSING_DIR, help="co-parsing folder ('' for flat photos only)"
        )
        parser.add_argument(
            "--worn-kind-from",
            default=None,
            help=(
                "an artifact trained on SOURCE's backbone (train_classifier --segmentation-from SOURCE "
                "--worn-chips-by-eye) whose kind branch becomes the output kind_worn: the kind of shoes worn"
            ),
        )
        parser.add_argument(
            "--segmentation-split",
            action="store_true",
            help=(
                "train the outfit map's bottom / one-piece split on SOURCE's network (a few minutes; needs the "
                "co-parsing folder) and add it as the output segmentation_split"
            ),
        )
        parser.add_argument(
            "--map-with-phones",
            action="store_true",
            help=(
                "train SOURCE's outfit map on with phones drawn over the street photos' faces and chests, as a "
                "mirror photo shows them (a few minutes; needs the co-parsing folder)"
            ),
        )
        parser.add_argument(
            "--studio-copies",
            type=int,
            default=0,
            help=(
                "with --map-with-phones: also train the map on this many copies of each street photo with the person "
                "cut out onto a plain backdrop, as a shop shoots a model (default 0)"
            ),
        )
        parser.add_argument(
            "--lit-copies",
            type=int,
            default=0,
            help=(
                "with --map-with-phones: also train the map on this many copies of each street photo in a random "
                "light (a warm lamp to cool shade, dim to bright; default 0)"
            ),
        )
        parser.add_argument(
            "--camera-copies",
            type=int,
            default=0,
            help=(
                "with --map-with-phones: also train the map on this many copies of each street photo as another "
                "camera renders it (sharpened or soft, more or less contrast and saturation, re-encoded; default 0)"
            ),
        )
        parser.add_argument(
            "--lit-colour",
            action="store_true",
            help=(
                "train a colour branch on SOURCE's network with the CC0 train photos as taken and in random lights "
                "(a warm lamp, shade, a dim room; a few minutes) and add it as the output color_lit"
            ),
        )
        parser.add_argument(
            "--orientation",
            action="store_true",
            help=(
                "train a branch on SOURCE's network that tells which way up a photo is (the CC0 train photos, and the "
                "co-parsing ones with --coparsing, at four turns; about ten minutes) and add it as the output "
                "orientation: a garment photographed on its side is read turned upright"
            ),
        )
        parser.add_argument("--no-evaluate", action="store_true", help="skip the evaluation (run it later)")
        parser.add_argument("--no-current", action="store_true", help="do not point artifacts/current at the result")

    def handle(self, *args, **options) -> None:
        # lazy: classifier.training imports TensorFlow, which the serving install does not have
        from classifier.evaluation import evaluate_artifact  # noqa: PLC0415
        from classifier.training import point_current, reexport  # noqa: PLC0415

        source, out = Path(options["source"]), Path(options["out"])
        if not (source / "model.keras").is_file() or not (source / "labels.json").is_file():
            raise CommandError(f"no classifier artifact with a model.keras in {source}")
        if out.exists():
            raise CommandError(f"{out} already exists: choose a new version folder")
        if not options["dataset"] or not Path(options["dataset"]).is_dir():
            raise CommandError(
                f"dataset folder not found: {options['dataset']!r} (set FASHION_DATASET_DIR or --dataset)"
            )
        worn_kind_from = Path(options["worn_kind_from"]) if options["worn_kind_from"] else None
        if worn_kind_from is not None:
            if not (worn_kind_from / "model.keras").is_file():
                raise CommandError(f"--worn-kind-from: no model.keras in {worn_kind_from}")
            if options["quantization"] == "keep":
                raise CommandError("--worn-kind-from changes the network: it needs a new export, not 'keep'")
        for option in ("segmentation_split", "map_with_phones", "lit_colour", "orientation"):
            if options[option] and options["quantization"] == "keep":
                flag = "--" + option.replace("_", "-")
                raise CommandError(f"{flag} changes the network: it needs a new export, not 'keep'")
        for option in ("studio_copies", "lit_copies", "camera_copies"):
            flag = "--" + option.replace("_", "-")
            if options[option] < 0:
                raise CommandError(f"{flag}: a count, 0 or more")
            if options[option] and not options["map_with_phones"]:
                raise CommandError(f"{flag} trains the outfit map on: give --map-with-phones too")
        coparsing = Path(options["coparsing"]) if options["coparsing"] else None
        if coparsing is not None and not (coparsing / "tags.csv").is_file():
            raise CommandError(f"co-parsing folder not found: {options['coparsing']!r}")
        for option in ("segmentation_split", "map_with_phones"):
            if options[option] and coparsing is None:
                flag = "--" + option.replace("_", "-")
                raise CommandError(f"{flag} learns from the co-parsing photos: give --coparsing")
        command_line = None
        if sys.argv[1:2] == ["export_classifier"]:
            command_line = "python manage.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        try:
            reexport(
                source,
                out,
                quantization=options["quantization"],
                dataset_dir=Path(options["dataset"]),
                coparsing_dir=coparsing,
                command=command_line,
                worn_kind_from=worn_kind_from,
                segmentation_split=options["segmentation_split"],
                map_with_phones=options["map_with_phones"],
                studio_copies=options["studio_copies"],
                lit_copies=options["lit_copies"],
                camera_copies=options["camera_copies"],
                lit_colour=options["lit_colour"],
                orientation=options["orientation"],
                log=self.stdout.write,
            )
        except ValueError as error:
            if out.exists():
                shutil.rmtree(out)
            raise CommandError(str(error)) from error
        if not options["no_evaluate"]:
            metrics = evaluate_artifact(
                out, Path(options["dataset"]), coparsing_dir=coparsing, progress=options["verbosity"] > 1
            )
            for split in ("validation", "test"):
                m = metrics[split]
                self.stdout.write(
                    f"{split}: 10-class {m['top10']['restricted']['accuracy']:.4f}, slot {m['slot']['accuracy']:.4f}, "
                    f"colour-or-alt {m['color']['or_alt_accuracy']:.4f}"
                )
        if not options["no_current"]:
            point_current(out, Path(settings.BASE_DIR) / "classifier" / "artifacts" / "current")
            self.stdout.write(f"artifacts/current -> {out.name}")
        self.stdout.write(self.style.SUCCESS(f"model {out.name} written to {out}"))
