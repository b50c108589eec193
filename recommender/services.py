"""The recommendation service: one entry point for the API and the shopper pages."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from catalog.models import Garment, PairingRule
from catalog.services import embedding_to_bytes, image_to_stored_jpeg, rows_delete_with_images
from catalog.vocabulary import TYPES
from classifier.predictor import Prediction, get_predictor
from recommender.engine import Candidate, Reason, RuleSpec, Tag, rank
from recommender.harmony import harmony_matches
from recommender.models import CorrectionStatus, Feedback, ShopperUpload, TagCorrection
from recommender.outfits import assemble_outfits
from recommender.uploads import upload_open_image

DEFAULT_LIMIT = 12
DEFAULT_OUTFITS = 3
FEEDBACK_PRIOR_VOTES = 5


@dataclass(frozen=True)
class RecommendedItem:
    garment: Garment
    reason: Reason
    score: float


@dataclass(frozen=True)
class OutfitLink:
    a: Garment | None  # None: the shopper's own garment
    b: Garment
    reason: Reason


@dataclass(frozen=True)
class Outfit:
    pieces: list[Garment]
    links: list[OutfitLink]


@dataclass(frozen=True)
class Recommendation:
    tag: Tag
    items: list[RecommendedItem]
    outfits: list[Outfit] = field(default_factory=list)


@dataclass(frozen=True)
class UploadRecommendation:
    upload: ShopperUpload
    prediction: Prediction
    recommendation: Recommendation


def _rule_spec(rule: PairingRule) -> RuleSpec:
    return RuleSpec(
        id=rule.id,
        input_slot=rule.input_slot,
        input_type=rule.input_type,
        input_color=rule.input_color,
        output_slot=rule.output_slot,
        output_type=rule.output_type,
        output_color=rule.output_color,
        weight=rule.weight,
        note=rule.note,
        note_ko=rule.note_ko,
    )


def active_rule_specs(*, tag: Tag | None = None) -> list[RuleSpec]:
    """Active rules for one input tag, or all active rules (for judging pairs inside an outfit)."""
    rules = PairingRule.objects.filter(is_active=True)
    if tag is not None:
        rules = rules.filter(input_slot=tag.slot, input_color=tag.color, input_type__in=["", tag.type])
    return [_rule_spec(rule) for rule in rules]


def garment_feedback_scores(*, garment_ids: list[int]) -> dict[int, float]:
    """Net shopper feedback per garment in (-1, 1): (likes − dislikes) / (votes + FEEDBACK_PRIOR_VOTES).

    The prior keeps a couple of votes from swinging the ranking; the engine caps the effect at ±0.1 of a score.
    """
    rows = (
        Feedback.objects.filter(garment_id__in=garment_ids)
        .values("garment_id")
        .annotate(net=Sum("vote"), votes=Count("id"))
    )
    return {row["garment_id"]: row["net"] / (row["votes"] + FEEDBACK_PRIOR_VOTES) for row in rows}


def garment_candidates(*, tag: Tag, rules: list[RuleSpec]) -> list[Candidate]:
    """Light rows (no images) of every active garment a rule or the harmony fallback could justify."""
    wanted = {(r.output_slot, r.output_color) for r in rules if r.matches_input(tag)}
    wanted |= {(m.slot, m.color) for m in harmony_matches(tag.slot, tag.color)}
    slots = {slot for slot, _ in wanted}
    rows = [
        row
        for row in Garment.objects.filter(is_active=True, slot__in=slots)
        .exclude(slot=tag.slot)
        .values_list("id", "slot", "type", "color")
        if (row[1], row[3]) in wanted
    ]
    feedback = garment_feedback_scores(garment_ids=[row[0] for row in rows])
    return [Candidate(id, slot, type_, color, feedback.get(id, 0.0)) for id, slot, type_, color in rows]


def recommend_for_tag(*, tag: Tag, limit: int = DEFAULT_LIMIT, outfits: int = 0) -> Recommendation:
    """Garments that go with a garment tagged `tag`: stylist rules first, then colour harmony; each with its reason.

    With `outfits` > 0, also up to that many complete looks around the input (every pair justified).
    """
    all_rules = active_rule_specs() if outfits else active_rule_specs(tag=tag)
    candidates = garment_candidates(tag=tag, rules=all_rules)
    ranked = rank(tag, all_rules, candidates, limit=limit)
    looks = assemble_outfits(tag, all_rules, candidates, count=outfits) if outfits else []
    ids = {s.candidate.id for s in ranked} | {p.id for look in looks for p in look.pieces}
    garments = Garment.objects.in_bulk(list(ids))
    return Recommendation(
        tag=tag,
        items=[
            RecommendedItem(garments[s.candidate.id], s.reason, s.score) for s in ranked if s.candidate.id in garments
        ],
        outfits=[
            Outfit(
                pieces=[garments[p.id] for p in look.pieces],
                links=[OutfitLink(garments.get(link.a_id), garments[link.b_id], link.reason) for link in look.links],
            )
            for look in looks
        ],
    )


def tag_from_prediction(prediction: Prediction) -> Tag:
    return Tag(slot=prediction.slot.label, color=prediction.color.label, type=prediction.type.label)


def upload_create(*, image_file: UploadedFile) -> tuple[ShopperUpload, Prediction]:
    """Validate and classify a shopper's photo, and store it (re-encoded, without EXIF) with the reading."""
    image = upload_open_image(image_file)  # raises InvalidImage before anything is stored
    prediction = get_predictor().predict(image)
    with transaction.atomic():
        upload = ShopperUpload(
            detected_type=prediction.type.label,
            detected_slot=prediction.slot.label,
            detected_color=prediction.color.label,
            type_confidence=prediction.type.confidence,
            slot_confidence=prediction.slot.confidence,
            color_confidence=prediction.color.confidence,
            detection=prediction.to_dict(),
            model_version=prediction.model_version,
            embedding=embedding_to_bytes(prediction.embedding),
        )
        upload.image = image_to_stored_jpeg(image)
        upload.full_clean()
        upload.save()
    return upload, prediction


def recommend_for_upload(
    *, image_file: UploadedFile, limit: int = DEFAULT_LIMIT, outfits: int = DEFAULT_OUTFITS
) -> UploadRecommendation:
    upload, prediction = upload_create(image_file=image_file)
    recommendation = recommend_for_tag(tag=tag_from_prediction(prediction), limit=limit, outfits=outfits)
    return UploadRecommendation(upload, prediction, recommendation)


def uncertain_heads(*, type_confidence: float, slot_confidence: float, color_confidence: float) -> list[str]:
    """The heads read below their settings.CLASSIFIER_CONFIRM_THRESHOLDS: the shopper is asked to confirm them."""
    thresholds = settings.CLASSIFIER_CONFIRM_THRESHOLDS
    confidences = {"type": type_confidence, "slot": slot_confidence, "color": color_confidence}
    return [head for head, confidence in confidences.items() if confidence < thresholds[head]]


def upload_tag(*, upload: ShopperUpload) -> Tag:
    """The tags recommendations use for an upload: the shopper's correction when there is one, else the CNN's."""
    correction = TagCorrection.objects.filter(upload=upload).first()
    if correction is not None:
        return Tag(slot=correction.slot, color=correction.color, type=correction.type)
    return Tag(slot=upload.detected_slot, color=upload.detected_color, type=upload.detected_type)


def correction_create(
    *, upload: ShopperUpload, type: str | None = None, slot: str | None = None, color: str | None = None
) -> TagCorrection:
    """Record (or update) a shopper's correction of an upload's tags; a corrected type also fixes the slot.

    A slot correction that contradicts the current type leaves the type unknown rather than inconsistent.
    """
    current = upload_tag(upload=upload)
    new_type, new_slot, new_color = current.type, current.slot, color or current.color
    if type:
        new_type, new_slot = type, TYPES[type].slot
    elif slot:
        new_slot = slot
        if new_type and TYPES[new_type].slot != slot:
            new_type = ""
    with transaction.atomic():
        correction, _ = TagCorrection.objects.select_for_update().update_or_create(
            upload=upload,
            defaults={
                "type": new_type,
                "slot": new_slot,
                "color": new_color,
                "model_version": upload.model_version,
                "status": CorrectionStatus.PENDING,
                "reviewed_by": None,
                "reviewed_at": None,
            },
        )
        correction.full_clean()
    return correction


def corrections_review(*, corrections: QuerySet[TagCorrection], status: str, reviewer) -> int:
    """A stylist accepts corrections into the training export, or rejects them."""
    return corrections.update(status=status, reviewed_by=reviewer, reviewed_at=timezone.now())


def feedback_create(
    *,
    garment: Garment,
    vote: int,
    input_slot: str,
    input_color: str,
    rule: PairingRule | None = None,
    upload: ShopperUpload | None = None,
) -> Feedback:
    feedback = Feedback(
        garment=garment, vote=vote, input_slot=input_slot, input_color=input_color, rule=rule, upload=upload
    )
    feedback.full_clean()
    feedback.save()
    return feedback


def garments_filtered(
    *, slot: str = "", type: str = "", color: str = "", active_only: bool = True
) -> QuerySet[Garment]:
    queryset = Garment.objects.all()
    if active_only:
        queryset = queryset.filter(is_active=True)
    if slot:
        queryset = queryset.filter(slot=slot)
    if type:
        queryset = queryset.filter(type=type)
    if color:
        queryset = queryset.filter(color=color)
    return queryset.order_by("id")


def corrections_export(*, out_dir: Path, status: str = CorrectionStatus.ACCEPTED) -> int:
    """Write reviewed corrections as extra labelled data: images/<id>.jpg and corrections.csv in the dataset's
    vocabulary (image, label, color, slot, type, model_version). Returns the number of photos written."""
    images_dir = out_dir / "images"
    images_dir.mkdir(parents=True, exist_ok=True)
    corrections = TagCorrection.objects.filter(status=status).select_related("upload").order_by("id")
    written = 0
    with (out_dir / "corrections.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "label", "color", "slot", "type", "model_version", "corrected_at"])
        for correction in corrections:
            image_id = str(correction.upload.public_id)
            with correction.upload.image.open("rb") as source:
                (images_dir / f"{image_id}.jpg").write_bytes(source.read())
            label = TYPES[correction.type].dataset_label if correction.type else ""
            writer.writerow(
                [
                    image_id,
                    label,
                    correction.color,
                    correction.slot,
                    correction.type,
                    correction.model_version,
                    correction.updated_at.isoformat(),
                ]
            )
            written += 1
    return written


def uploads_expired(*, older_than_days: int) -> QuerySet[ShopperUpload]:
    """Shopper photos past the retention period, except those stylists still need (pending or accepted corrections)."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    keep = [CorrectionStatus.PENDING, CorrectionStatus.ACCEPTED]
    return ShopperUpload.objects.filter(created_at__lt=cutoff).exclude(correction__status__in=keep)


PURGE_BATCH = 1000


def uploads_purge(*, uploads: QuerySet[ShopperUpload]) -> int:
    """Delete shopper uploads and their stored photos (in batches)."""
    return uploads_purge_batched(uploads=uploads)


def uploads_purge_batched(*, uploads: QuerySet[ShopperUpload], batch: int = PURGE_BATCH) -> int:
    """Delete in batches of `batch` rows by ascending id, one short transaction each (files after its commit): memory
    stays flat and locks stay short at any volume, and an interrupted purge simply continues next time."""
    deleted, last_id = 0, 0
    while True:
        ids = list(uploads.filter(id__gt=last_id).order_by("id").values_list("id", flat=True)[:batch])
        if not ids:
            return deleted
        last_id = ids[-1]
        deleted += rows_delete_with_images(objects=ShopperUpload.objects.filter(pk__in=ids).only("id", "image"))
