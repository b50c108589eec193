"""Which garment of a whole-outfit photo is matched before the shopper taps one. Measured, not asserted."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from classifier.coparsing import (
    GARMENT_MAP,
    framed_photo,
    product_framings,
    read_mask,
    read_photo,
    slot_boxes,
    studio_version,
    worn_outfits,
)
from classifier.predictor import get_predictor
from classifier.regions import box_iou
from recommender.management.commands.learn_outfit_affinity import coparsing_root
from recommender.services import default_garment, detected_garments

LOW_TYPE_CONFIDENCE = 0.3  # a type read below this is shown to the shopper as a doubtful reading
MIN_SHARE = 0.002  # a garment present covers at least this share of the photo (as classifier.evaluation counts it)

Box = tuple[float, float, float, float]


def first_matched(reading: dict) -> tuple[list[dict], tuple[int, int] | None]:
    """A photo's detected garments, and the garment matched first by the largest top, bottom or one-piece alone
    (default_garment without the crops' readings nor the photo's, the rule before crop_slot) and by default_garment as
    served; None for a photo of one garment."""
    garments = detected_garments(reading)
    largest = default_garment([{k: v for k, v in g.items() if k != "crop_slot"} for g in garments])
    chosen = default_garment(garments, reading.get("slot"))
    return garments, (None if largest is None or chosen is None else (largest, chosen))


def judge(garment: dict, tagged_slots: set[str], boxes: dict[str, Box] | None) -> Counter[str]:
    """One photo's first-matched garment: is its slot among the photo's tags; on a pixel-annotated photo, does its box
    overlap the true box of that slot (IoU >= 0.3); is its type read under LOW_TYPE_CONFIDENCE."""
    tally: Counter[str] = Counter(photos=1)
    tally["slot_tagged"] += int(garment["slot"] in tagged_slots)
    tally["type_doubtful"] += int(float(garment["reading"]["type"].get("confidence") or 0.0) < LOW_TYPE_CONFIDENCE)
    tally[f"slot_{garment['slot']}"] += 1
    if boxes is not None:
        tally["pixel_photos"] += 1
        true = boxes.get(garment["slot"])
        tally["box_right"] += int(true is not None and box_iou(tuple(garment["box"]), true) >= 0.3)
    return tally


class Command(BaseCommand):
    help = (
        "Read the co-parsing photos of a split as the product does and, for each photo read as a whole outfit, judge "
        "the garment matched before the shopper picks one (recommender.services.default_garment) against the "
        "largest top, bottom or one-piece alone: is its slot one the photo's tags list, is its box right (photos "
        "with a garment map), is its type read under 30%."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--coparsing-dir", help="Clothing Co-Parsing folder (default FASHION_COPARSING_DIR).")
        parser.add_argument("--split", choices=["train", "validation", "test"], default="validation")
        parser.add_argument("--limit", type=int, default=0, help="read only the first N photos of the split")
        parser.add_argument("--json", dest="json_path", help="also write the figures to this JSON file")

    def handle(self, *args, coparsing_dir, split, limit, json_path, **options) -> None:
        root = coparsing_root(coparsing_dir)
        outfits = worn_outfits(root, split, with_color=False)[: limit or None]
        predictor = get_predictor()
        counts = {"largest": Counter[str](), "default": Counter[str]()}
        for outfit in outfits:
            garments, first = first_matched(predictor.predict(read_photo(root, outfit.image_id)).to_dict())
            if first is None:
                continue
            tagged = {GARMENT_MAP[tag].slot for tag in outfit.tags if tag in GARMENT_MAP}
            pixel = outfit.annotation == "pixel"
            boxes = slot_boxes(read_mask(root, outfit.image_id), min_share=MIN_SHARE) if pixel else None
            largest, chosen = first
            counts["largest"] += judge(garments[largest], tagged, boxes)
            counts["default"] += judge(garments[chosen], tagged, boxes)
        figures: dict = {"split": split, "photos_read": len(outfits)}
        for way, tally in counts.items():
            n = max(tally["photos"], 1)
            figures[way] = {
                **dict(sorted(tally.items())),
                "slot_tagged_share": round(tally["slot_tagged"] / n, 4),
                "type_doubtful_share": round(tally["type_doubtful"] / n, 4),
                "box_right_share": round(tally["box_right"] / max(tally["pixel_photos"], 1), 4),
            }
            self.stdout.write(f"{split} {way:8s}: " + ", ".join(f"{k} {v}" for k, v in figures[way].items()))
        figures["framings"] = framings = self.framings(root, outfits, predictor)
        for way in ("largest", "default"):
            self.stdout.write(
                f"{split} shop-like framings read as outfits, featured garment matched first ({way}): "
                + ", ".join(f"{kind} {t[way]}/{t['outfits']} (of {t['framings']})" for kind, t in framings.items())
            )
        if json_path:
            Path(json_path).write_text(json.dumps(figures, indent=2) + "\n")

    @staticmethod
    def framings(root: Path, outfits, predictor) -> dict[str, Counter[str]]:
        tallies: dict[str, Counter[str]] = {}
        for outfit in outfits:
            if outfit.annotation != "pixel":
                continue
            photo = read_photo(root, outfit.image_id)
            studio = studio_version(root, outfit.image_id, photo)
            for framing in product_framings(outfit):
                for shot in (photo, studio):
                    tally = tallies.setdefault(framing.kind, Counter())
                    tally["framings"] += 1
                    garments, first = first_matched(predictor.predict(framed_photo(shot, framing.box)).to_dict())
                    if first is None:  # read as one garment: nothing to choose
                        continue
                    largest, chosen = first
                    tally["outfits"] += 1
                    tally["largest"] += int(garments[largest]["slot"] == framing.garment.slot)
                    tally["default"] += int(garments[chosen]["slot"] == framing.garment.slot)
        return dict(sorted(tallies.items()))
