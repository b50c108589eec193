"""DRF serializers: input validation and the JSON shapes of the public API."""

from __future__ import annotations

from rest_framework import serializers

from catalog.models import COLOR_CHOICES, SLOT_CHOICES, TYPE_CHOICES, Garment, PairingRule
from catalog.vocabulary import COLORS, TYPES
from recommender.look_images import outfit_look_image_url
from recommender.reasons import reason_text
from recommender.services import RecommendedItem


def absolute_media_url(request, field) -> str | None:
    if not field:
        return None
    url = field.url
    return request.build_absolute_uri(url) if request is not None else url


class TagQuerySerializer(serializers.Serializer):
    """`GET /api/v1/recommendations/?slot=top&color=red[&type=t-shirt][&limit=12]`"""

    slot = serializers.ChoiceField(choices=SLOT_CHOICES)
    color = serializers.ChoiceField(choices=COLOR_CHOICES)
    type = serializers.ChoiceField(choices=TYPE_CHOICES, required=False, allow_blank=True, default="")
    limit = serializers.IntegerField(min_value=1, max_value=48, required=False, default=12)
    outfits = serializers.IntegerField(min_value=0, max_value=3, required=False, default=3)

    def validate(self, attrs: dict) -> dict:
        if attrs["type"] and TYPES[attrs["type"]].slot != attrs["slot"]:
            raise serializers.ValidationError(
                {"type": f"'{attrs['type']}' is a {TYPES[attrs['type']].slot} type, not a {attrs['slot']} type."}
            )
        return attrs


class UploadSerializer(serializers.Serializer):
    """`POST /api/v1/recommendations/` (multipart). The file is checked by content, not by name or content type."""

    image = serializers.FileField(help_text="A photo of one garment (JPEG, PNG, WebP or GIF; 10 MB at most).")
    limit = serializers.IntegerField(min_value=1, max_value=48, required=False, default=12)


class HeadChoiceSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the API's name; shadows Field.label (unused here)
    confidence = serializers.FloatField()


class DetectedSerializer(serializers.Serializer):
    needs_confirmation = serializers.BooleanField(help_text="True when a head's confidence is below the threshold.")
    uncertain = serializers.ListField(
        child=serializers.CharField(), help_text="Which heads to confirm: type/slot/color."
    )
    type = serializers.CharField()
    type_confidence = serializers.FloatField()
    slot = serializers.CharField()
    slot_confidence = serializers.FloatField()
    color = serializers.CharField()
    color_confidence = serializers.FloatField()
    color_hex = serializers.CharField()
    model_version = serializers.CharField()
    type_top3 = HeadChoiceSerializer(many=True)
    slot_top3 = HeadChoiceSerializer(many=True)
    color_top3 = HeadChoiceSerializer(many=True)


def detected_payload(prediction) -> dict:
    from recommender.services import uncertain_heads

    def top3(head) -> list[dict]:
        return [{"label": label, "confidence": round(float(conf), 4)} for label, conf in head.top3]

    uncertain = uncertain_heads(
        type_confidence=prediction.type.confidence,
        slot_confidence=prediction.slot.confidence,
        color_confidence=prediction.color.confidence,
    )
    return {
        "needs_confirmation": bool(uncertain),
        "uncertain": uncertain,
        "type": prediction.type.label,
        "type_confidence": round(float(prediction.type.confidence), 4),
        "slot": prediction.slot.label,
        "slot_confidence": round(float(prediction.slot.confidence), 4),
        "color": prediction.color.label,
        "color_confidence": round(float(prediction.color.confidence), 4),
        "color_hex": COLORS[prediction.color.label].hex,
        "model_version": prediction.model_version,
        "type_top3": top3(prediction.type),
        "slot_top3": top3(prediction.slot),
        "color_top3": top3(prediction.color),
    }


class _GarmentItemSerializer(serializers.Serializer):
    """The garment part of a list item: anything with a `.garment` (a recommendation, a similar-items match)."""

    id = serializers.IntegerField(source="garment.id")
    name = serializers.CharField(source="garment.display_name", help_text="In the language of the request.")
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField(help_text="A ~400 px copy for cards (the photo when none).")
    type = serializers.CharField(source="garment.type")
    slot = serializers.CharField(source="garment.slot")
    color = serializers.CharField(source="garment.color")

    def get_image_url(self, item) -> str | None:
        return absolute_media_url(self.context.get("request"), item.garment.image)

    def get_thumbnail_url(self, item) -> str | None:
        return absolute_media_url(self.context.get("request"), item.garment.thumbnail or item.garment.image)


class RecommendedItemSerializer(_GarmentItemSerializer):
    reason = serializers.SerializerMethodField()
    reason_kind = serializers.CharField(source="reason.kind", help_text="'rule' (a stylist rule) or 'harmony'.")
    rule_id = serializers.IntegerField(source="reason.rule_id", allow_null=True)
    harmony_rule = serializers.CharField(source="reason.harmony_rule", allow_null=True)
    score = serializers.FloatField()

    def get_reason(self, item: RecommendedItem) -> str:
        return reason_text(item.reason)


class GarmentSerializer(serializers.ModelSerializer):
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField(help_text="A ~400 px copy for cards (the photo when none).")
    color_hex = serializers.CharField(read_only=True)

    class Meta:
        model = Garment
        fields = [
            "id",
            "name",
            "name_ko",
            "image_url",
            "thumbnail_url",
            "type",
            "slot",
            "color",
            "color_hex",
            "second_color",
            "pattern",
            "season",
            "is_active",
            "tagged_by",
            "type_confidence",
            "color_confidence",
            "model_version",
        ]
        read_only_fields = ["slot", "tagged_by", "type_confidence", "color_confidence", "model_version"]

    def get_image_url(self, garment: Garment) -> str | None:
        return absolute_media_url(self.context.get("request"), garment.image)

    def get_thumbnail_url(self, garment: Garment) -> str | None:
        return absolute_media_url(self.context.get("request"), garment.thumbnail or garment.image)


class GarmentCreateSerializer(serializers.Serializer):
    """Staff only: add a garment (multipart). Tags left empty are filled in by the CNN."""

    name = serializers.CharField(max_length=200)
    image = serializers.FileField()
    type = serializers.ChoiceField(choices=TYPE_CHOICES, required=False)
    color = serializers.ChoiceField(choices=COLOR_CHOICES, required=False)
    second_color = serializers.ChoiceField(choices=COLOR_CHOICES, required=False, allow_blank=True, default="")
    pattern = serializers.ChoiceField(choices=["", "solid", "pattern"], required=False, allow_blank=True, default="")
    season = serializers.ChoiceField(choices=["all", "spring", "summer", "autumn", "winter"], default="all")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class GarmentQuerySerializer(serializers.Serializer):
    slot = serializers.ChoiceField(choices=SLOT_CHOICES, required=False, allow_blank=True, default="")
    type = serializers.ChoiceField(choices=TYPE_CHOICES, required=False, allow_blank=True, default="")
    color = serializers.ChoiceField(choices=COLOR_CHOICES, required=False, allow_blank=True, default="")


class PairingRuleSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = PairingRule
        fields = [
            "id",
            "title",
            "input_slot",
            "input_type",
            "input_color",
            "output_slot",
            "output_type",
            "output_color",
            "weight",
            "note",
            "note_ko",
            "is_active",
        ]

    def validate(self, attrs: dict) -> dict:
        # The model's own checks (including the database constraints) decide; their messages come back as 400s.
        instance = PairingRule(**{**self._current_values(), **attrs})
        from django.core.exceptions import ValidationError as DjangoValidationError

        try:
            instance.full_clean(exclude=["author"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs

    def _current_values(self) -> dict:
        if self.instance is None:
            return {}
        return {field: getattr(self.instance, field) for field in self.Meta.fields if field not in ("id", "title")}


class GarmentBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    image_url = serializers.SerializerMethodField()
    type = serializers.CharField()
    slot = serializers.CharField()
    color = serializers.CharField()

    def get_image_url(self, garment: Garment) -> str | None:
        return absolute_media_url(self.context.get("request"), garment.image)


class OutfitLinkSerializer(serializers.Serializer):
    from_id = serializers.SerializerMethodField(help_text="Garment id, or null for the shopper's own garment.")
    to_id = serializers.IntegerField(source="b.id")
    reason = serializers.SerializerMethodField()
    reason_kind = serializers.CharField(source="reason.kind")
    rule_id = serializers.IntegerField(source="reason.rule_id", allow_null=True)

    def get_from_id(self, link) -> int | None:
        return link.a.id if link.a is not None else None

    def get_reason(self, link) -> str:
        return reason_text(link.reason)


class OutfitSerializer(serializers.Serializer):
    """Context: `request`, and `look_upload_id` (the shopper upload the look is around) or `look_own_garment_id`."""

    pieces = GarmentBriefSerializer(many=True)
    links = OutfitLinkSerializer(many=True)
    image_url = serializers.SerializerMethodField(
        help_text="The whole look in one composed JPEG (the shopper's own piece with the recommended pieces)."
    )
    download_url = serializers.SerializerMethodField(help_text="The same picture, served as an attachment (look.jpg).")

    def _look_url(self, outfit) -> str | None:
        if not outfit.pieces:
            return None
        url = outfit_look_image_url(
            outfit,
            upload_public_id=self.context.get("look_upload_id"),
            own_garment_id=self.context.get("look_own_garment_id"),
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_image_url(self, outfit) -> str | None:
        return self._look_url(outfit)

    def get_download_url(self, outfit) -> str | None:
        url = self._look_url(outfit)
        return None if url is None else f"{url}?download=1"


class SimilarItemSerializer(_GarmentItemSerializer):
    similarity = serializers.SerializerMethodField(help_text="Cosine similarity of the CNN embeddings, -1..1.")

    def get_similarity(self, match) -> float:
        return round(float(match.similarity), 4)


class CorrectionSerializer(serializers.Serializer):
    """Any of type, slot, color: the shopper's one-tap correction of what the CNN read."""

    type = serializers.ChoiceField(choices=TYPE_CHOICES, required=False)
    slot = serializers.ChoiceField(choices=SLOT_CHOICES, required=False)
    color = serializers.ChoiceField(choices=COLOR_CHOICES, required=False)

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError("Give at least one of type, slot or color.")
        if "type" in attrs and "slot" in attrs and TYPES[attrs["type"]].slot != attrs["slot"]:
            raise serializers.ValidationError({"slot": f"'{attrs['type']}' is a {TYPES[attrs['type']].slot} type."})
        return attrs


class FeedbackSerializer(serializers.Serializer):
    garment_id = serializers.IntegerField()
    vote = serializers.ChoiceField(choices=["like", "dislike"])
    slot = serializers.ChoiceField(choices=SLOT_CHOICES, help_text="The input garment's slot the item was shown for.")
    color = serializers.ChoiceField(choices=COLOR_CHOICES, help_text="The input garment's color.")
    rule_id = serializers.IntegerField(required=False, allow_null=True)
    upload_id = serializers.UUIDField(required=False, allow_null=True)
