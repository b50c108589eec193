"""The recommendation service: one entry point for the API and the shopper pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet

from catalog.models import Garment, PairingRule
from catalog.services import image_to_stored_jpeg
from classifier.predictor import Prediction, get_predictor
from recommender.engine import Candidate, Reason, RuleSpec, Tag, rank
from recommender.harmony import harmony_matches
from recommender.models import ShopperUpload
from recommender.uploads import upload_open_image

DEFAULT_LIMIT = 12


@dataclass(frozen=True)
class RecommendedItem:
    garment: Garment
    reason: Reason
    score: float


@dataclass(frozen=True)
class Recommendation:
    tag: Tag
    items: list[RecommendedItem]

    @property
    def used_harmony(self) -> bool:
        return any(item.reason.kind == "harmony" for item in self.items)


@dataclass(frozen=True)
class UploadRecommendation:
    upload: ShopperUpload
    prediction: Prediction
    recommendation: Recommendation


def active_rule_specs(*, tag: Tag) -> list[RuleSpec]:
    rules = PairingRule.objects.filter(is_active=True, input_slot=tag.slot, input_color=tag.color)
    return [
        RuleSpec(
            id=r.id,
            input_slot=r.input_slot,
            input_type=r.input_type,
            input_color=r.input_color,
            output_slot=r.output_slot,
            output_type=r.output_type,
            output_color=r.output_color,
            weight=r.weight,
            note=r.note,
            note_ko=r.note_ko,
        )
        for r in rules
        if r.input_type in ("", tag.type)
    ]


def garment_candidates(*, tag: Tag, rules: list[RuleSpec]) -> list[Candidate]:
    """Light rows (no images) of every active garment a rule or the harmony fallback could justify."""
    wanted = {(r.output_slot, r.output_color) for r in rules}
    wanted |= {(m.slot, m.color) for m in harmony_matches(tag.slot, tag.color)}
    slots = {slot for slot, _ in wanted}
    rows = (
        Garment.objects.filter(is_active=True, slot__in=slots)
        .exclude(slot=tag.slot)
        .values_list("id", "slot", "type", "color")
    )
    return [Candidate(id, slot, type_, color) for id, slot, type_, color in rows if (slot, color) in wanted]


def recommend_for_tag(*, tag: Tag, limit: int = DEFAULT_LIMIT) -> Recommendation:
    """Garments that go with a garment tagged `tag`: stylist rules first, then colour harmony; each with its reason."""
    rules = active_rule_specs(tag=tag)
    ranked = rank(tag, rules, garment_candidates(tag=tag, rules=rules), limit=limit)
    garments = Garment.objects.in_bulk([s.candidate.id for s in ranked])
    return Recommendation(
        tag=tag,
        items=[RecommendedItem(garments[s.candidate.id], s.reason, s.score) for s in ranked if s.candidate.id in garments],
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
        )
        upload.image = image_to_stored_jpeg(image)
        upload.full_clean()
        upload.save()
    return upload, prediction


def recommend_for_upload(*, image_file: UploadedFile, limit: int = DEFAULT_LIMIT) -> UploadRecommendation:
    upload, prediction = upload_create(image_file=image_file)
    return UploadRecommendation(upload, prediction, recommend_for_tag(tag=tag_from_prediction(prediction), limit=limit))


def garments_filtered(*, slot: str = "", type: str = "", color: str = "", active_only: bool = True) -> QuerySet[Garment]:
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
