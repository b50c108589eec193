from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.demo import STAPLE_SHARE, STAPLES_FILE, write_staples
from catalog.tags import Tag
from classifier.coparsing import worn_outfits
from classifier.wearers import AUDIENCES_READ, LABELS_FILE, WEARER_AUDIENCE, read_labels
from recommender.affinity import DEFAULT_PATH, AffinityParams, FamilyCounts, OutfitAffinity, worn_garment_tag
from vocabulary import SHOE_KINDS

# Pairs a stylist would check first (type family; co-parsing labels for what our vocabulary merges, like jeans).
STYLIST_CHECKS: tuple[tuple[str, str], ...] = (
    ("bottom:skirt", "shoes:heels"),
    ("bottom:skirt", "shoes:flats"),
    ("bottom:skirt", "shoes:sneakers"),
    ("bottom:skirt", "shoes:boots"),
    ("bottom:shorts", "shoes:sandals"),
    ("bottom:shorts", "shoes:sneakers"),
    ("bottom:shorts", "shoes:boots"),
    ("bottom:shorts", "shoes:heels"),
    ("bottom:pants", "shoes:sneakers"),
    ("bottom:pants", "shoes:heels"),
    ("outer:outwear", "shoes:boots"),
    ("outer:outwear", "shoes:sandals"),
    ("outer:blazer", "shoes:heels"),
    ("one_piece:dress", "shoes:heels"),
    ("one_piece:dress", "shoes:sandals"),
    ("one_piece:dress", "shoes:sneakers"),
)
COLOR_CHECKS: tuple[tuple[str, str], ...] = (
    ("top:white", "bottom:black"),
    ("top:white", "bottom:blue"),
    ("top:black", "bottom:blue"),
    ("top:navy", "bottom:navy"),
    ("top:black", "bottom:black"),
    ("bottom:blue", "shoes:white"),
    ("bottom:blue", "shoes:brown"),
    ("bottom:black", "shoes:black"),
    ("one_piece:black", "shoes:black"),
    ("outer:beige", "bottom:blue"),
)
LABEL_CHECKS: tuple[tuple[str, str], ...] = (
    ("bottom:jeans", "shoes:sneakers"),
    ("bottom:jeans", "shoes:boots"),
    ("bottom:jeans", "shoes:heels"),
    ("bottom:jeans", "shoes:sandals"),
    ("outer:coat", "shoes:boots"),
    ("outer:coat", "shoes:sandals"),
    ("bottom:leggings", "shoes:boots"),
    ("top:sweater", "shoes:sandals"),
)


def coparsing_root(option: str | None) -> Path:
    """The co-parsing folder: the option, else settings.FASHION_COPARSING_DIR, else ../shared next to the project."""
    candidates = [option, getattr(settings, "FASHION_COPARSING_DIR", ""), "../shared/datasets/clothing-co-parsing"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "tags.csv").exists():
            return Path(candidate)
    raise CommandError(
        "No Clothing Co-Parsing folder (tags.csv) found: pass --coparsing-dir or set FASHION_COPARSING_DIR."
    )


class Command(BaseCommand):
    help = "Learn which garments people wear together from the co-parsing train split; write the affinity JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--coparsing-dir", help="Clothing Co-Parsing folder (default FASHION_COPARSING_DIR).")
        parser.add_argument(
            "--out", default=str(DEFAULT_PATH), help=f"Where to write the JSON (default {DEFAULT_PATH})."
        )
        parser.add_argument(
            "--staples-out",
            help=f"Where to write the staples the demo catalog stocks (default: {STAPLES_FILE} with the default table, "
            "else staples.csv beside --out; '' for nowhere).",
        )
        parser.add_argument(
            "--wearers",
            default=str(LABELS_FILE),
            help=f"Who wears each photo's outfit, as a stylist tagged it (CSV image,wearer; default {LABELS_FILE}).",
        )
        parser.add_argument("--show", type=int, default=12, help="Top and bottom pairs to print per family.")
        defaults = AffinityParams()
        parser.add_argument("--alpha", type=float, default=defaults.alpha, help="Additive smoothing (pseudo-photos).")
        parser.add_argument(
            "--min-support", type=int, default=defaults.min_support, help="Fewer sightings than this: no evidence."
        )

    def handle(
        self,
        *args,
        coparsing_dir: str | None,
        out: str,
        staples_out: str | None,
        wearers: str,
        show: int,
        alpha: float,
        min_support: int,
        **options,
    ) -> None:
        root = coparsing_root(coparsing_dir)
        outfits = worn_outfits(root, "train")
        tags = [[worn_garment_tag(g) for g in outfit.garments] for outfit in outfits]
        pixel = sum(1 for outfit in outfits if outfit.annotation == "pixel")
        # Who wears each outfit, as a stylist tagged it: how common a garment is, for each wearer.
        wearer_labels = read_labels(Path(wearers))
        worn_by = [AUDIENCES_READ[wearer_labels[o.image_id]] if o.image_id in wearer_labels else "" for o in outfits]
        photos_of = {w: worn_by.count(w) for w in AUDIENCES_READ}
        affinity = OutfitAffinity.learn(
            tags,
            AffinityParams(alpha=alpha, min_support=min_support),
            meta={
                "source": "clothing-co-parsing train split",
                "photos": len(outfits),
                "pixel_photos": pixel,
                "wearers": photos_of,
            },
            wearers=worn_by,
        )
        affinity.save(out)
        size = Path(out).stat().st_size
        self.stdout.write(
            f"Learned from {len(outfits)} train photos ({pixel} with colours; a woman's outfit "
            f"{photos_of['women']}, a man's {photos_of['men']}); wrote {out} ({size} bytes)."
        )
        if staples_out is None:
            staples_out = str(
                STAPLES_FILE if Path(out).resolve() == DEFAULT_PATH.resolve() else Path(out).parent / "staples.csv"
            )
        if staples_out:
            staples = affinity.staples(STAPLE_SHARE)
            wearer_staples = {wearer: affinity.staples(STAPLE_SHARE, wearer) for wearer in AUDIENCES_READ}
            write_staples(staples, Path(staples_out), wearer_staples)
            self.stdout.write(
                f"Staples (worn in {STAPLE_SHARE:.0%} or more of the photos with colours), wrote {staples_out}: "
                + ", ".join(f"{colour} {value} {n}" for _, value, colour, n in staples)
            )
            everyone = {staple[:3] for staple in staples}
            wearer_name = {audience: name for name, audience in WEARER_AUDIENCE.items()}
            for wearer, own in wearer_staples.items():
                extra = [staple for staple in own if staple[:3] not in everyone]
                self.stdout.write(
                    f"  and a {wearer_name[wearer]}'s own: "
                    + (", ".join(f"{colour} {value} {n}" for _, value, colour, n in extra) or "none")
                )
        for family in ("type", "color"):
            self._show_family(affinity, family, show)
        self.stdout.write("\nShoes, by wearer (popularity of each kind among the worn shoes): anyone / women / men")
        for kind in SHOE_KINDS:
            shoe = Tag(slot="shoes", color="", type="shoes", kind=kind)
            self.stdout.write(
                f"  {kind:>10} " + " / ".join(f"{affinity.popularity(shoe, w):.2f}" for w in ("", *AUDIENCES_READ))
            )
        self.stdout.write("\nStylist checks (type family): score, photos together")
        for a, b in STYLIST_CHECKS:
            score = affinity.pair(_tag(a), _tag(b))
            self.stdout.write(f"  {a:>20} + {b:<16} {score:+.2f}  ({affinity.pair_count('type', a, b)})")
        self.stdout.write("Stylist checks (colour family):")
        for a, b in COLOR_CHECKS:
            score = affinity.pair(_color_tag(a), _color_tag(b))
            self.stdout.write(f"  {a:>20} + {b:<16} {score:+.2f}  ({affinity.pair_count('color', a, b)})")
        # What our vocabulary merges (jeans into pants, coat into outwear): the raw co-parsing labels, report only.
        labels = FamilyCounts()
        for outfit in outfits:
            labels.add(f"{g.slot}:{g.label}" for g in outfit.garments)
        raw = OutfitAffinity({"type": labels}, affinity.params)
        self.stdout.write("Stylist checks on co-parsing labels (report only, not stored):")
        for a, b in LABEL_CHECKS:
            score = raw.pair(_tag(a), _tag(b))
            self.stdout.write(f"  {a:>20} + {b:<16} {score:+.2f}  ({raw.pair_count('type', a, b)})")

    def _show_family(self, affinity: OutfitAffinity, family: str, show: int) -> None:
        ranked = affinity.ranked_pairs(family)
        self.stdout.write(f"\n{family}: {len(ranked)} scorable pairs. Strongest affinity:")
        for a, b, score in ranked[:show]:
            self.stdout.write(f"  {score:+.2f}  {a} + {b}  ({affinity.pair_count(family, a, b)} photos)")
        self.stdout.write("Weakest (worn together less often than chance):")
        for a, b, score in ranked[-show:]:
            self.stdout.write(f"  {score:+.2f}  {a} + {b}  ({affinity.pair_count(family, a, b)} photos)")


def _tag(token: str) -> Tag:
    """A type-family token back into a Tag (shoe kinds go to `kind`)."""
    slot, value = token.split(":", 1)
    return Tag(slot=slot, color="", type="shoes" if slot == "shoes" else value, kind=value if slot == "shoes" else "")


def _color_tag(token: str) -> Tag:
    slot, color = token.split(":", 1)
    return Tag(slot=slot, color=color)
