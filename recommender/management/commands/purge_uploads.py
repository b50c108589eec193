from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from recommender.services import upload_files_delete, upload_files_orphaned, uploads_expired, uploads_purge


class Command(BaseCommand):
    help = "Delete shoppers' photos older than the retention period (dry run unless --yes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-days", type=int, default=30, help="Retention period in days (default 30).")
        parser.add_argument("--yes", action="store_true", help="Really delete; without it, only count.")

    def handle(self, *args, older_than_days: int, yes: bool, **options) -> None:
        expired = uploads_expired(older_than_days=older_than_days)
        orphans = upload_files_orphaned()
        if not yes:
            self.stdout.write(
                f"{expired.count()} uploads older than {older_than_days} days would be deleted (dry run; add --yes)."
            )
            self.stdout.write(f"{len(orphans)} stored photos that no upload refers to would be deleted.")
            return
        deleted = uploads_purge(uploads=expired)
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} uploads older than {older_than_days} days."))
        removed = upload_files_delete(names=orphans)
        self.stdout.write(self.style.SUCCESS(f"Deleted {removed} stored photos that no upload referred to."))
