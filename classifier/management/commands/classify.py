"""Classify garment photos from the command line."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifier.imaging import InvalidImage, open_image
from classifier.predictor import get_predictor


class Command(BaseCommand):
    help = (
        "Classify photos: type, slot, colour, pattern, audience, warmth, formality, shoe kind, outer kind and the "
        "garments of a whole-outfit photo (one line per path; --json for JSON lines)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args, **options) -> None:
        predictor = get_predictor()
        failed = 0
        for path in options["paths"]:
            try:
                prediction = predictor.predict(open_image(path))
            except InvalidImage as exc:
                failed += 1
                if options["json"]:
                    self.stdout.write(
                        json.dumps({"path": path, "code": exc.code, "error": str(exc)}, ensure_ascii=False)
                    )
                else:
                    self.stdout.write(f"{path}: error ({exc.code}): {exc}")
                continue
            if options["json"]:
                record = {
                    "path": path,
                    "type": prediction.type.label,
                    "type_confidence": prediction.type.confidence,
                    "slot": prediction.slot.label,
                    "slot_confidence": prediction.slot.confidence,
                    "color": prediction.color.label,
                    "color_confidence": prediction.color.confidence,
                    "model_version": prediction.model_version,
                    "type_top3": [[label, p] for label, p in prediction.type.top3],
                    "color_top3": [[label, p] for label, p in prediction.color.top3],
                    # Every head with its confidence and top-3 (kind: shoe kind, meaningful when the slot is shoes).
                    **{
                        head: getattr(prediction, head).to_dict()
                        for head in ("pattern", "audience", "warmth", "formality", "kind")
                    },
                    # An outer layer's kind (coat, jacket, vest, snowsuit) when read with confidence, else null.
                    "outer_kind": prediction.outer_kind.to_dict() if prediction.outer_kind is not None else None,
                    # Garments found in a whole-outfit photo (empty for a photo of one garment).
                    "garments": [g.to_dict() for g in prediction.garments],
                    # A photo of someone wearing clothes: whose ("women" or "men") when read surely, else null.
                    "wearer": prediction.wearer.to_dict() if prediction.wearer is not None else None,
                    # ... and when read unsurely, the probe's reading (a guess that only orders suggestions), else null.
                    "wearer_guess": prediction.wearer_guess.to_dict() if prediction.wearer_guess is not None else None,
                }
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            else:
                self.stdout.write(
                    f"{path}: {prediction.type.label} ({prediction.type.confidence:.2f}), "
                    f"slot {prediction.slot.label} ({prediction.slot.confidence:.2f}), "
                    f"colour {prediction.color.label} ({prediction.color.confidence:.2f}), "
                    f"{prediction.pattern.label}, {prediction.audience.label}, {prediction.warmth.label}, "
                    f"{prediction.formality.label}"
                    + (f", {prediction.kind.label}" if prediction.slot.label == "shoes" else "")
                    + (
                        f", {prediction.outer_kind.label} ({prediction.outer_kind.confidence:.2f})"
                        if prediction.type.label == "outwear" and prediction.outer_kind is not None
                        else ""
                    )
                    + (
                        f"; worn by someone in {prediction.wearer.label}'s clothes ({prediction.wearer.confidence:.2f})"
                        if prediction.wearer is not None
                        else ""
                    )
                    + (
                        f"; maybe {prediction.wearer_guess.label}'s clothes ({prediction.wearer_guess.confidence:.2f})"
                        if prediction.wearer_guess is not None
                        else ""
                    )
                )
                for g in prediction.garments:
                    box = ", ".join(f"{v:.2f}" for v in g.box)
                    self.stdout.write(
                        f"  {g.slot} at ({box}): {g.prediction.type.label}, {g.prediction.color.label}, "
                        f"{g.prediction.pattern.label} (score {g.score:.2f})"
                    )
        if failed:
            raise CommandError(f"{failed} of {len(options['paths'])} path(s) could not be classified", returncode=1)
