from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.demo import (
    BUILTIN_DEMO_DIR,
    DatasetDownloadError,
    dataset_download,
    dataset_photos,
    demo_corrections,
    demo_outer_kinds,
    demo_plan,
    demo_staples,
)
from catalog.models import Garment
from catalog.services import demo_catalog_load, starter_rules_load
from classifier.predictor import get_predictor
from classifier.wearers import AUDIENCES_READ


class Command(BaseCommand):
    help = (
        "Load the demo catalog and the starter stylist rules: from a photo folder (the argument or "
        "FASHION_DATASET_DIR), else the small built-in set (catalog/demo_data)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", nargs="?", help="Photo folder (default: FASHION_DATASET_DIR, else built-in).")
        parser.add_argument(
            "--tagger",
            choices=["cnn", "dataset"],
            default=None,
            help="Who tags type and colour: the folder's labels (default when it has colors.csv; read by people) or "
            "the CNN (default otherwise). Attributes (audience, warmth, formality, pattern, shoe kind) always come "
            "from the labels.",
        )
        parser.add_argument("--per-cell", type=int, default=6, help="Garments per slot × color cell.")
        parser.add_argument(
            "--per-staple",
            type=int,
            default=3,
            help="Everyday garments, for women and for men each, of every staple in catalog/demo_data/staples.csv: a "
            "type and colour real outfits wear most (black trousers, a white blouse …), and for a man or a woman alone "
            "of the staples of that wearer's own outfits (a man's beige trousers); 0 for none.",
        )
        parser.add_argument(
            "--download",
            action="store_true",
            help="Download the public dataset (needs internet) instead of using the built-in set.",
        )
        parser.add_argument(
            "--download-to",
            default=str(Path.home() / ".cache" / "fashion" / "clothing-dataset"),
            help="Where --download puts the public dataset.",
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the catalog has garments already.")

    def handle(
        self,
        *args,
        dataset: str | None,
        tagger: str | None,
        per_cell: int,
        per_staple: int,
        download: bool,
        download_to: str,
        if_empty: bool,
        **options,
    ) -> None:
        if if_empty and Garment.objects.exists():
            self.stdout.write("The catalog has garments already; not loading the demo catalog.")
            return
        dataset_dir = self._dataset_dir(dataset=dataset, download=download, download_to=Path(download_to))
        has_colors = (dataset_dir / "colors.csv").exists()
        tagger = tagger or ("dataset" if has_colors else "cnn")
        photos = demo_plan(
            dataset_photos(dataset_dir),
            per_cell=per_cell,
            staples=demo_staples(),
            per_staple=per_staple,
            wearer_staples={wearer: demo_staples(wearer=wearer) for wearer in AUDIENCES_READ},
        )
        if not photos:
            raise CommandError(f"No labelled photos found in {dataset_dir} (expected splits.csv or images.csv).")
        try:
            get_predictor()
            cnn_ready = True
        except (OSError, ValueError) as exc:  # no artifact yet (e.g. before the first training run)
            cnn_ready = False
            if tagger == "cnn":
                self.stderr.write(f"The CNN is not ready ({exc}); tagging with the folder's labels instead.")
                tagger = "dataset"
        if tagger == "dataset" and not has_colors:
            raise CommandError(
                f"{dataset_dir} has no colors.csv (the public download has garment types but no colour labels), so "
                "the folder's labels cannot tag colours. "
                + ("Use --tagger cnn: the CNN reads each colour." if cnn_ready else "Install the CNN artifact first.")
            )
        if not has_colors:
            self.stdout.write(f"{dataset_dir} has no colors.csv: the CNN reads each garment's colour.")
        rules = starter_rules_load()
        created, skipped = demo_catalog_load(
            photos=photos,
            tagger=tagger,
            embed=cnn_ready,
            progress=lambda items: tqdm(items, desc="garments", unit="photo", file=self.stdout),
        )
        corrections, outer_kinds = demo_corrections(), demo_outer_kinds()
        corrected = sum(1 for photo in photos if photo.image_id in corrections)
        kinded = sum(
            1 for photo in photos if photo.image_id in outer_kinds and photo.kind == outer_kinds[photo.image_id]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalog: {created} garments created, {skipped} already there; {rules} starter rules created."
                + (
                    f" {corrected} planned photos take a stylist's correction of their labels (corrections.csv)."
                    if corrected
                    else ""
                )
                + (f" {kinded} outer layers take the kind a stylist saw (outer_kinds.csv)." if kinded else "")
            )
        )

    def _dataset_dir(self, *, dataset: str | None, download: bool, download_to: Path) -> Path:
        """The photo folder to load, saying which one and why; a missing folder is a CommandError, not a traceback."""
        if dataset:
            folder = Path(dataset)
            if not (folder / "images").is_dir():
                raise CommandError(f"No photo folder at {folder} (expected {folder / 'images'}).")
            return folder
        if settings.FASHION_DATASET_DIR:
            folder = Path(settings.FASHION_DATASET_DIR)
            if not (folder / "images").is_dir():
                raise CommandError(
                    f"FASHION_DATASET_DIR is {folder}, but there is no photo folder at {folder / 'images'}. Point it "
                    "at the clothing dataset, or unset it to load the small built-in demo set."
                )
            self.stdout.write(f"Loading the demo catalog from FASHION_DATASET_DIR ({folder}).")
            return folder
        if download:
            if (download_to / "images").is_dir():
                self.stdout.write(f"Using the dataset downloaded before, in {download_to}.")
                return download_to
            self.stdout.write(f"Downloading the public CC0 clothing dataset to {download_to} ...")
            bar = tqdm(unit="B", unit_scale=True, file=self.stdout)

            def progress(done: int, total: int) -> None:
                bar.total = total or None
                bar.update(done - bar.n)

            try:
                dataset_download(download_to, progress=progress)
            except DatasetDownloadError as exc:
                raise CommandError(
                    f"Could not download the dataset ({exc}). Without internet, run without --download to load "
                    "the built-in demo set, or set FASHION_DATASET_DIR to a local copy."
                ) from exc
            finally:
                bar.close()
            return download_to
        self.stdout.write(
            f"Loading the built-in demo set ({BUILTIN_DEMO_DIR.relative_to(settings.BASE_DIR)}). For the full "
            "catalog, set FASHION_DATASET_DIR to the clothing dataset (or pass --download, with internet)."
        )
        return BUILTIN_DEMO_DIR
