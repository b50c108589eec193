from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.demo import SOURCE_PREFIX
from catalog.models import Garment
from catalog.tags import Leaning, Tag
from classifier.coparsing import worn_outfits
from classifier.imaging import open_image
from classifier.predictor import get_predictor
from classifier.wearers import AUDIENCES_READ, LABELS_FILE, read_labels
from recommender.affinity import OutfitAffinity, worn_garment_tag
from recommender.engine import Judge
from recommender.looks_eval import (
    CONSTRAINTS,
    FIRST_SCREEN,
    InputCase,
    Piece,
    RecommendationOutput,
    conditional_scorer,
    context_mean,
    engine_pair_score,
    evaluate_hidden,
    evaluate_recommendations,
    hidden_cases,
    piece_of,
    popularity_scorer,
)
from recommender.management.commands.learn_outfit_affinity import coparsing_root
from recommender.services import reading_leaning, reading_tag, recommend_for_tag, recommendation_judge
from vocabulary import TYPES, type_from_dataset_label

AFFINITY_WEIGHT = 0.5  # fixed a priori (not tuned on the test photos)


def recommend_looks(
    tag: Tag, labels: dict[str, dict[str, str]] | None = None, leaning: Leaning | None = None
) -> RecommendationOutput:
    """THE adapter to the recommendation service: adjust here when its signature grows.

    `labels` (source_key -> attributes) fills attributes a garment does not store (yet): see `dataset_labels`.
    `leaning`: what the CNN guessed of the attributes `tag` leaves unknown."""
    labels = labels or {}
    answer = recommend_for_tag(tag=tag, limit=12, outfits=3, leaning=leaning)

    def piece(garment: Garment) -> Piece:
        return piece_of(garment, fallback=labels.get(garment.source_key or ""))

    return RecommendationOutput(
        items=[piece(item.garment) for item in answer.items],
        looks=[[piece(g) for g in look.pieces] for look in answer.outfits],
    )


def _read_rows(dataset_dir: Path, name: str) -> dict[str, dict[str, str]]:
    path = dataset_dir / name
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["image"]: row for row in csv.DictReader(handle)}


def dataset_labels(dataset_dir: Path) -> dict[str, dict[str, str]]:
    """The dataset's attribute labels of every photo, keyed like the demo garments' source_key, so the checker can
    judge demo garments whose model has no audience/warmth/formality/kind field yet (or leaves them empty)."""
    splits, attributes = _read_rows(dataset_dir, "splits.csv"), _read_rows(dataset_dir, "attributes.csv")
    colors = _read_rows(dataset_dir, "colors.csv")
    labels = {}
    for image, attrs in attributes.items():
        kids = splits.get(image, {}).get("kids") == "True"
        labels[f"{SOURCE_PREFIX}{image}"] = {
            "audience": "kids" if kids else attrs.get("audience", ""),
            "warmth": attrs.get("warmth", ""),
            "formality": attrs.get("formality", ""),
            "kind": attrs.get("shoe_kind", ""),
            "pattern": colors.get(image, {}).get("pattern", ""),
        }
    return labels


def cc0_cases(dataset_dir: Path, split: str = "test") -> list[InputCase]:
    """CC0 photos of a split with a type: tags from splits.csv, colors.csv and attributes.csv."""
    splits = _read_rows(dataset_dir, "splits.csv")
    colors, attributes = _read_rows(dataset_dir, "colors.csv"), _read_rows(dataset_dir, "attributes.csv")
    cases = []
    for image, row in sorted(splits.items()):
        type_code = row.get("top10_label") or type_from_dataset_label(row["label"])
        color = colors.get(image, {}).get("color", "")
        if row.get("split") != split or type_code not in TYPES or not color:
            continue
        attrs = attributes.get(image, {})
        audience = "kids" if row.get("kids") == "True" else attrs.get("audience", "")
        tag = Tag(
            slot=TYPES[type_code].slot,
            color=color,
            type=type_code,
            kind=attrs.get("shoe_kind", ""),
            pattern=colors[image].get("pattern", ""),
            audience=audience,
            warmth=attrs.get("warmth", ""),
            formality=attrs.get("formality", ""),
        )
        cases.append(InputCase(f"cc0:{image}", "cc0", tag))
    return cases


READ_ATTRIBUTES = ("pattern", "audience", "warmth", "formality")


def with_read_attributes(cases: Sequence[InputCase], dataset_dir: Path, *, guesses: bool = True) -> list[InputCase]:
    """The CC0 cases as a shopper's upload would reach the recommender: pattern, audience, warmth and formality as the
    CNN reads them from the photo (below their thresholds unknown; with `guesses`, their probabilities as the leaning),
    the other tags as labelled. Suggestions are still judged by the labels. Other cases are left as they are."""
    predictor = get_predictor()
    read_cases = []
    for case in cases:
        if case.source != "cc0":
            read_cases.append(case)
            continue
        image_id = case.key.split(":", 1)[1]
        reading = predictor.predict(open_image((dataset_dir / "images" / f"{image_id}.jpg").read_bytes())).to_dict()
        read = reading_tag(reading)
        served = replace(case.tag, **{name: getattr(read, name) for name in READ_ATTRIBUTES})
        leaning = reading_leaning(reading).for_unknown_of(served) if guesses else None
        read_cases.append(replace(case, served=served, leaning=leaning))
    return read_cases


def coparsing_outfits(
    root: Path, split: str = "test", wearer: str = "", wearers_file: Path = LABELS_FILE
) -> list[tuple[str, list[Tag]]]:
    """The pixel-annotated photos' outfits; with `wearer` ("men" or "women"), only the photos a stylist tagged as that
    wearer's (`wearers_file`, as classifier/labels/wearers.csv), each garment matched for the wearer as the product
    matches it."""
    labels = read_labels(wearers_file) if wearer else {}
    return [
        (outfit.image_id, [replace(worn_garment_tag(g), audience=wearer) for g in outfit.garments])
        for outfit in worn_outfits(root, split, annotation="pixel")
        if not wearer or (outfit.image_id in labels and AUDIENCES_READ[labels[outfit.image_id]] == wearer)
    ]


def dataset_root(option: str | None) -> Path:
    for candidate in (option, getattr(settings, "FASHION_DATASET_DIR", ""), "../shared/datasets/clothing-dataset"):
        if candidate and (Path(candidate) / "splits.csv").exists():
            return Path(candidate)
    raise CommandError("No clothing dataset (splits.csv) found: pass --dataset-dir or set FASHION_DATASET_DIR.")


class Command(BaseCommand):
    help = "Measure looks: constraint violations, complete looks, list diversity and the hidden-garment test."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset-dir", help="CC0 clothing dataset (default FASHION_DATASET_DIR).")
        parser.add_argument("--coparsing-dir", help="Clothing Co-Parsing folder (default FASHION_COPARSING_DIR).")
        parser.add_argument("--limit-inputs", type=int, default=0, help="Use only the first N inputs of each source.")
        parser.add_argument(
            "--split",
            choices=["test", "validation"],
            default="test",
            help="Which split's photos to use: test (report) or validation (tuning; CC0 validation photos may be in "
            "the demo catalog).",
        )
        parser.add_argument(
            "--wearer",
            choices=["men", "women"],
            default="",
            help="Only one wearer's photos: the co-parsing photos a stylist tagged as a man's (or a woman's) outfit, "
            "each garment matched for him (or her), and the CC0 photos labelled men's (or women's).",
        )
        parser.add_argument(
            "--wearers",
            dest="wearers_file",
            default=str(LABELS_FILE),
            help=f"With --wearer: who wears each co-parsing photo's outfit (CSV image,wearer; default {LABELS_FILE}).",
        )
        parser.add_argument("--affinity", help="Affinity JSON (default the committed table).")
        parser.add_argument("--json", dest="json_path", help="Also write every figure to this JSON file.")
        parser.add_argument(
            "--no-dataset-labels",
            action="store_true",
            help="Judge garments only by their stored attributes (default: fill missing ones from the dataset labels).",
        )
        parser.add_argument(
            "--attributes",
            choices=["labels", "read"],
            default="labels",
            help="What the recommender is told of each CC0 photo's pattern, audience, warmth and formality: the "
            "labels, or what the CNN reads (unsure ones unknown, their guesses ordering suggestions). Judged by the "
            "labels either way.",
        )
        parser.add_argument(
            "--no-guesses",
            action="store_true",
            help="With --attributes read: ignore the guesses of unsure attributes (the behaviour before they counted).",
        )

    def handle(
        self,
        *args,
        dataset_dir,
        coparsing_dir,
        limit_inputs: int,
        split: str,
        affinity,
        json_path,
        no_dataset_labels,
        attributes: str = "labels",
        no_guesses: bool = False,
        wearer: str = "",
        wearers_file: str = str(LABELS_FILE),
        **options,
    ) -> None:
        self.split = split
        self.only = f", {wearer}'s photos only" if wearer else ""
        self.attributes = "labels"
        if attributes == "read":
            self.attributes = "read by the CNN" + (", guesses ignored" if no_guesses else ", guesses used")
        dataset = dataset_root(dataset_dir)
        cc0 = [case for case in cc0_cases(dataset, split) if not wearer or case.tag.audience == wearer]
        labels = {} if no_dataset_labels else dataset_labels(dataset)
        outfits = coparsing_outfits(coparsing_root(coparsing_dir), split, wearer, Path(wearers_file))
        worn = [
            InputCase(f"coparsing:{image_id}:{i}", "coparsing", tag)
            for image_id, tags in outfits
            for i, tag in enumerate(tags)
            if tag.color
        ]
        if limit_inputs:
            cc0, worn, outfits = cc0[:limit_inputs], worn[:limit_inputs], outfits[:limit_inputs]
        if attributes == "read":
            cc0 = with_read_attributes(cc0, dataset, guesses=not no_guesses)
        catalog_size = Garment.objects.filter(is_active=True).count()
        coherence = evaluate_recommendations(
            [*cc0, *worn],
            lambda case: recommend_looks(case.input_tag, labels, case.leaning),
            catalog_size=catalog_size,
        )
        labelled = sum(
            1 for key in Garment.objects.filter(is_active=True).values_list("source_key", flat=True) if key in labels
        )

        table = OutfitAffinity.load(affinity)
        served = recommendation_judge()
        rules_and_harmony = Judge(rules=served.rules, policy=served.policy)  # the engine without the affinity
        harmony = context_mean(engine_pair_score(rules_and_harmony))
        engine_score = context_mean(engine_pair_score(served))
        learned = context_mean(table.pair)
        scorers = {
            "popularity": popularity_scorer(table.popularity),
            "rules+harmony": harmony,
            "affinity": learned,
            "engine": engine_score,
            "pop+aff": conditional_scorer(table.popularity, learned, lift_cap=table.params.lift_cap),
        }
        cases = hidden_cases(outfits)
        hidden = evaluate_hidden(cases, scorers)

        self._print(coherence, hidden, catalog_size, len(cc0), len(worn), len(cases), len(outfits))
        self.stdout.write(
            f"\nAttributes: stored fields first; {labelled} of {catalog_size} catalog garments also had dataset labels"
            " for the fields they lack."
            if labels
            else "\nAttributes: stored fields only (unknown = no violation)."
        )
        if json_path:
            report = {
                "catalog_size": catalog_size,
                "garments_with_dataset_labels": labelled,
                "inputs": {"cc0": len(cc0), "coparsing": len(worn)},
                "input_attributes": self.attributes,
                "coherence": asdict(coherence),
                "hidden_garment": {
                    "outfits": len(outfits),
                    "cases": len(cases),
                    "affinity_weight": AFFINITY_WEIGHT,
                    "results": {n: {a: asdict(r) for a, r in by.items()} for n, by in hidden.items()},
                },
            }
            Path(json_path).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
            self.stdout.write(f"\nWrote {json_path}")

    def _print(self, coherence, hidden, catalog_size, n_cc0, n_worn, n_cases, n_outfits) -> None:
        w = self.stdout.write
        w(
            f"Inputs ({self.split} split{self.only}): {n_cc0} CC0 photos + {n_worn} worn co-parsing garments; "
            f"catalog {catalog_size} active."
        )
        if self.attributes != "labels":
            w(f"CC0 pattern, audience, warmth and formality: {self.attributes} (suggestions judged by the labels).")
        w("\na. Constraint violations (want 0)")
        w(f"  {'constraint':<30} {'items':>10} {'looks':>10}")
        for name in CONSTRAINTS:
            w(
                f"  {name:<30} {coherence.items.by_constraint.get(name, 0):>10} "
                f"{coherence.looks.by_constraint.get(name, 0):>10}"
            )
        w(
            f"  {'with any violation':<30} {coherence.items.with_violation:>4}/{coherence.items.checked:<5}"
            f" {coherence.looks.with_violation:>4}/{coherence.looks.checked:<5}"
        )
        w(f"  {'rate':<30} {coherence.items.rate:>10.1%} {coherence.looks.rate:>10.1%}")
        w("\nb. Inputs with 3 distinct complete looks (want >= 90%)")
        w(
            f"  all: {coherence.inputs_with_3_complete_looks}/{coherence.inputs} "
            f"= {coherence.share_with_3_complete_looks:.1%}"
        )
        w(
            f"  with no violation at all: {coherence.inputs_with_3_clean_looks}/{coherence.inputs} "
            f"= {coherence.share_with_3_clean_looks:.1%}"
        )
        for source, figures in coherence.by_source.items():
            w(f"  {source}: {figures['share_with_3_complete_looks']:.1%} of {figures['inputs']}")
        w("\nc. Diversity across inputs")
        w(f"  {'':<8} {'shown':>7} {'distinct':>9} {'distinct/shown':>15} {'top-10 share':>13} {'coverage':>9}")
        for label, d in (("items", coherence.item_diversity), ("looks", coherence.look_diversity)):
            w(
                f"  {label:<8} {d.shown:>7} {d.distinct:>9} {d.distinct_share:>15.1%} {d.top10_share:>13.1%}"
                f" {d.coverage:>9.1%}"
            )
        w(
            f"  within a list, of the first {FIRST_SCREEN} items: {coherence.first_screen_look_alikes} of "
            f"{coherence.first_screen_items} look like one above them (same slot, type, kind and colour), in "
            f"{coherence.lists_with_a_look_alike} of {coherence.inputs} lists"
        )
        w(
            f"  within an input's looks: {coherence.looks_of_the_same_kinds} of {coherence.looks.checked} looks are "
            f"made of the same kinds of piece as one above them (colours aside), in "
            f"{coherence.inputs_with_looks_of_the_same_kinds} of {coherence.inputs} inputs"
        )
        optional, layered = coherence.layer_optional, coherence.layer_optional_with_a_layer
        w(
            f"  inputs whose looks may take a layer (mild or unknown warmth), with a layered look among them: "
            f"{sum(layered.values())} of {sum(optional.values())} ("
            + ", ".join(f"{slot} {layered[slot]}/{n}" for slot, n in optional.items())
            + ")"
        )
        w(
            f"\nd. Hidden-garment test: {n_cases} garments hidden from {n_outfits} co-parsing {self.split} "
            f"outfits{self.only}"
        )
        w(
            f"  {'scorer':<11} {'aspect':<6} {'cases':>5} {'cands':>6} "
            f"{'hit@1':>7} {'hit@3':>7} {'hit@5':>7} {'rank':>6}"
        )
        for name, by_aspect in hidden.items():
            for aspect, r in by_aspect.items():
                w(
                    f"  {name:<11} {aspect:<6} {r.cases:>5} {r.candidates:>6} {r.hits[1]:>7.1%} {r.hits[3]:>7.1%}"
                    f" {r.hits[5]:>7.1%} {r.mean_rank:>6}"
                )
