"""DRF serializers of the catalog: garments and stylist rules, and the garment part of every list item."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from catalog.models import COLOR_CHOICES, RULE_PAIRING_FIELDS, SLOT_CHOICES, TYPE_CHOICES, Garment, PairingRule


def absolute_media_url(request, field) -> str | None:
    if not field:
        return None
    url = field.url
    return request.build_absolute_uri(url) if request is not None else url


# `version` (optimistic concurrency): returned on every read; send it back with PUT/PATCH (or as If-Match) and an edit
# based on an older version is refused with 409 instead of silently undoing someone else's change.
VERSION_FIELD_KWARGS = {
    "required": False,
    "min_value": 1,
    "help_text": "The version this edit is based on; a stale one is refused with 409 (edit_conflict).",
}


class GarmentItemSerializer(serializers.Serializer):
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


class SimilarItemSerializer(GarmentItemSerializer):
    similarity = serializers.SerializerMethodField(help_text="Cosine similarity of the CNN embeddings, -1..1.")

    def get_similarity(self, match) -> float:
        return round(float(match.similarity), 4)


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
            "graphic",
            "kind",
            "audience",
            "warmth",
            "formality",
            "likes",
            "dislikes",
            "season",
            "is_active",
            "tagged_by",
            "type_confidence",
            "color_confidence",
            "model_version",
            "version",
        ]
        read_only_fields = [
            "slot",
            "tagged_by",
            "type_confidence",
            "color_confidence",
            "model_version",
            "likes",
            "dislikes",
        ]
        extra_kwargs = {"version": VERSION_FIELD_KWARGS}

    def get_image_url(self, garment: Garment) -> str | None:
        return absolute_media_url(self.context.get("request"), garment.image)

    def get_thumbnail_url(self, garment: Garment) -> str | None:
        return absolute_media_url(self.context.get("request"), garment.thumbnail or garment.image)


class GarmentCreateSerializer(serializers.Serializer):
    """Staff only: add a garment (multipart). Tags left empty are filled in by the CNN."""

    name = serializers.CharField(max_length=200)
    image = serializers.FileField(allow_empty_file=True)  # refused by the image opener, with its code
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
            *RULE_PAIRING_FIELDS,
            "weight",
            "note",
            "note_ko",
            "note_needs_update",
            "is_active",
            "version",
        ]
        read_only_fields = ["note_needs_update"]
        extra_kwargs = {"version": VERSION_FIELD_KWARGS}

    def validate(self, attrs: dict) -> dict:
        # The model's own checks (including the database constraints) decide; their messages come back as 400s.
        # An edit keeps its primary key, so the uniqueness check does not find the rule itself "already existing".
        values = {**self._current_values(), **attrs}
        values.pop("version", None)
        instance = PairingRule(pk=self.instance.pk if self.instance is not None else None, **values)
        instance._state.adding = self.instance is None
        try:
            instance.full_clean(exclude=["author"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs

    def _current_values(self) -> dict:
        if self.instance is None:
            return {}
        return {
            field: getattr(self.instance, field)
            for field in self.Meta.fields
            if field not in ("id", "title", "version")
        }
