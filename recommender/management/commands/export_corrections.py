from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from recommender.models import CorrectionStatus, TagCorrection
from recommender.services import corrections_export


class Command(BaseCommand):
    help = "Write the stylist-accepted shopper corrections as extra labelled training data (images + CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", type=Path, help="Folder to write images/ and corrections.csv into.")
        parser.add_argument("--status", choices=CorrectionStatus.values, default=CorrectionStatus.ACCEPTED)
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be written.")

    def handle(self, *args, out_dir: Path, status: str, dry_run: bool, **options) -> None:
        if dry_run:
            count = TagCorrection.objects.filter(status=status).count()
            self.stdout.write(f"{count} {status} corrections would be written to {out_dir}.")
            return
        written = corrections_export(out_dir=out_dir, status=status)
        self.stdout.write(self.style.SUCCESS(f"Wrote {written} labelled photos to {out_dir}."))
