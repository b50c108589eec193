"""How a worn garment's audience is matched: for its wearer, or from its own crop. Measured, not asserted."""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from PIL import Image

from catalog.models import Garment
from catalog.tags import photo_wearer, worn_audience
from classifier import wearers
from classifier.coparsing import WornOutfit, framed_photo, product_framings, read_photo, worn_outfits
from classifier.predictor import get_predictor
from recommender.management.commands.learn_outfit_affinity import coparsing_root
from recommender.services import detected_garments, reading_leaning, reading_tag, recommend_for_tag

# The garment's own reading without kids (as before the wearer probe); matched for the wearer read surely (the crop's
# own reading when unsure); and as the product matches it: for the wearer, an unsure reading as a guess.
WAYS = ("own", "wearer", "guess")


def matched_readings(detection: dict) -> list[dict]:
    """The readings a shopper's tap can match in one photo of someone wearing clothes: every garment found (held to
    its slot), or the one garment worn; none for a photo read as a garment laid flat."""
    garments = detected_garments(detection)
    if garments:
        return [garment["reading"] for garment in garments]
    return [detection] if detection.get("worn_box") else []


def verdict(audience: str, wearer: str) -> str:
    """How an audience fits the wearer's ("women" or "men"): right, unisex (fits), wrong (the other's, or kids'), or
    unknown (not read surely: nothing excluded)."""
    if not audience:
        return "unknown"
    if audience == wearer:
        return "right"
    return "unisex" if audience == "unisex" else "wrong"


def _framed(root: Path, image_id: str, box: tuple[float, float, float, float]) -> Image.Image:
    return framed_photo(read_photo(root, image_id), box)


def _photos(root: Path, split: str, framings: bool) -> Iterator[tuple[WornOutfit, Callable[[], Image.Image]]]:
    """Each photo of the split as shot, or each shop-like framing of its pixel-annotated photos, to be read lazily."""
    for outfit in worn_outfits(root, split, with_color=False):
        if not framings:
            yield outfit, functools.partial(read_photo, root, outfit.image_id)
            continue
        if outfit.annotation != "pixel":
            continue
        for framing in product_framings(outfit):
            yield outfit, functools.partial(_framed, root, outfit.image_id, framing.box)


class Command(BaseCommand):
    help = (
        "Read the co-parsing photos of a split whose wearer a stylist tagged (classifier/labels/wearers.csv) and "
        "count, for every garment a shopper can tap, how its audience is matched against the wearer: from the "
        "garment's own crop (without kids), for the wearer the photo is read to show surely, and as the product does "
        "(an unsure wearer reading as a guess that orders suggestions); with --suggestions, also "
        "how many of the first 12 suggestions from the catalog are the other audience's or kids', and how many of the "
        "3 looks have such a piece."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--coparsing-dir", help="Clothing Co-Parsing folder (default FASHION_COPARSING_DIR).")
        parser.add_argument("--split", choices=["validation", "test"], default="validation")
        parser.add_argument("--labels", default=str(wearers.LABELS_FILE), help="image,wearer CSV")
        parser.add_argument("--suggestions", action="store_true", help="also judge the catalog's suggestions")
        parser.add_argument(
            "--framings",
            action="store_true",
            help="read the shop-like framings of the pixel-annotated photos (one garment on a model, as a shop frames "
            "it: classifier.coparsing.product_framings) instead of the photos as shot",
        )
        parser.add_argument("--json", dest="json_path", help="also write the figures to this JSON file")

    def handle(self, *args, coparsing_dir, split, labels, suggestions, framings, json_path, **options) -> None:
        root = coparsing_root(coparsing_dir)
        tagged = wearers.read_labels(Path(labels))
        predictor = get_predictor()
        audience_of = dict(Garment.objects.values_list("id", "audience")) if suggestions else {}
        counts: dict[str, dict[str, Counter[str]]] = {
            way: {who: Counter() for who in wearers.AUDIENCES_READ} for way in WAYS
        }
        photos: Counter[str] = Counter()
        for outfit, photo in _photos(root, split, framings):
            if outfit.image_id not in tagged:
                continue
            wearer = wearers.AUDIENCES_READ[tagged[outfit.image_id]]
            detection = predictor.predict(photo()).to_dict()
            read_wearer = (detection.get("wearer") or {}).get("label") or "unsure"
            photos[f"{wearer} read {read_wearer}"] += 1
            wearer_of = {"own": None, "wearer": detection.get("wearer"), "guess": photo_wearer(detection)}
            for reading in matched_readings(detection):
                for way in WAYS:
                    matched = worn_audience(reading, wearer_of[way])
                    tag = reading_tag(matched)
                    tally = counts[way][wearer]
                    tally["garments"] += 1
                    tally[verdict(tag.audience, wearer)] += 1
                    if suggestions:
                        leaning = reading_leaning(matched).for_unknown_of(tag)
                        answer = recommend_for_tag(tag=tag, limit=12, outfits=3, leaning=leaning)
                        tally["suggested"] += len(answer.items)
                        tally["suggested_wrong"] += sum(
                            verdict(audience_of.get(item.garment.id, ""), wearer) == "wrong" for item in answer.items
                        )
                        tally["looks"] += len(answer.outfits)
                        tally["looks_wrong"] += sum(
                            any(verdict(audience_of.get(g.id, ""), wearer) == "wrong" for g in look.pieces)
                            for look in answer.outfits
                        )
        figures = {"split": split, "framings": framings, "photos": dict(sorted(photos.items())), "garments": {}}
        for way in WAYS:
            for who in wearers.AUDIENCES_READ:
                tally = counts[way][who]
                n = max(tally["garments"], 1)
                row: dict[str, float] = {key: tally[key] for key in ("garments", "right", "unisex", "wrong", "unknown")}
                row.update({f"{key}_share": round(tally[key] / n, 4) for key in ("right", "unisex", "wrong")})
                if suggestions:
                    row["suggested"] = tally["suggested"]
                    row["suggested_wrong"] = tally["suggested_wrong"]
                    row["suggested_wrong_share"] = round(tally["suggested_wrong"] / max(tally["suggested"], 1), 4)
                    row["looks"] = tally["looks"]
                    row["looks_wrong"] = tally["looks_wrong"]
                    row["looks_wrong_share"] = round(tally["looks_wrong"] / max(tally["looks"], 1), 4)
                figures["garments"][f"{way}/{who}"] = row
                self.stdout.write(f"{split} {way:6s} {who:5s}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
        self.stdout.write(f"{split} wearer read: " + ", ".join(f"{k} {v}" for k, v in sorted(photos.items())))
        if json_path:
            Path(json_path).write_text(json.dumps(figures, indent=2) + "\n")
