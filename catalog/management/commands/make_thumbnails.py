from __future__ import annotations

from django.core.management.base import BaseCommand

from catalog.models import Garment
from catalog.thumbnails import garments_thumbnails_fill


class Command(BaseCommand):
    help = "Make the card thumbnails missing for garments stored before thumbnails existed (new ones get theirs)."

    def handle(self, *args, **options) -> None:
        missing = Garment.objects.filter(thumbnail="").exclude(image="")
        total = missing.count()
        made = garments_thumbnails_fill(garments=missing.iterator(chunk_size=200))
        self.stdout.write(f"Thumbnails: {made} made, {total - made} photos missing or unreadable.")
