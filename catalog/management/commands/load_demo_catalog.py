from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.demo import dataset_download, dataset_photos, demo_plan
from catalog.models import Garment
from catalog.services import demo_catalog_load, starter_rules_load
from classifier.predictor import get_predictor


class Command(BaseCommand):
    help = "Load the demo catalog (a few hundred garments from a photo folder) and the starter stylist rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", nargs="?", help="Photo folder (default: FASHION_DATASET_DIR).")
        parser.add_argument(
            "--tagger",
            choices=["cnn", "dataset"],
            default="dataset",
            help="Who tags type and colour: the folder's labels (default, read by people) or the CNN. Attributes "
            "(audience, warmth, formality, pattern, shoe kind) always come from the labels.",
        )
        parser.add_argument("--per-cell", type=int, default=6, help="Garments per slot × color cell.")
        parser.add_argument(
            "--download-to",
            default=str(Path.home() / ".cache" / "fashion" / "clothing-dataset"),
            help="Where to download the public dataset when no local folder exists.",
        )
        parser.add_argument("--no-download", action="store_true", help="Fail instead of downloading the dataset.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the catalog has garments already.")

    def handle(
        self,
        *args,
        dataset: str | None,
        tagger: str,
        per_cell: int,
        download_to: str,
        no_download: bool,
        if_empty: bool,
        **options,
    ) -> None:
        if if_empty and Garment.objects.exists():
            self.stdout.write("The catalog has garments already; not loading the demo catalog.")
            return
        dataset_dir = Path(dataset or settings.FASHION_DATASET_DIR or download_to)
        if not (dataset_dir / "images").is_dir():
            if no_download or dataset:
                raise CommandError(f"No photo folder at {dataset_dir} (expected {dataset_dir / 'images'}).")
            self.stdout.write(f"No local dataset: downloading the public CC0 clothing dataset to {dataset_dir} ...")
            bar = tqdm(unit="B", unit_scale=True, file=self.stdout)

            def progress(done: int, total: int) -> None:
                bar.total = total or None
                bar.update(done - bar.n)

            dataset_download(dataset_dir, progress=progress)
            bar.close()
        photos = demo_plan(dataset_photos(dataset_dir), per_cell=per_cell)
        if not photos:
            raise CommandError(f"No labelled photos found in {dataset_dir}.")
        try:
            get_predictor()
            cnn_ready = True
        except (OSError, ValueError) as exc:  # no artifact yet (e.g. before the first training run)
            cnn_ready = False
            if tagger == "cnn":
                self.stderr.write(f"The CNN is not ready ({exc}); tagging with the folder's labels instead.")
                tagger = "dataset"
        rules = starter_rules_load()
        created, skipped = demo_catalog_load(
            photos=photos,
            tagger=tagger,
            embed=cnn_ready,
            progress=lambda items: tqdm(items, desc="garments", unit="photo", file=self.stdout),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalog: {created} garments created, {skipped} already there; {rules} starter rules created."
            )
        )
