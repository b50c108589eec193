"""DRF serializers: input validation and the JSON shapes of the public API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import (
    AUDIENCE_CHOICES,
    COLOR_CHOICES,
    FORMALITY_CHOICES,
    KIND_CHOICES,
    PATTERN_CHOICES,
    SLOT_CHOICES,
    TYPE_CHOICES,
    WARMTH_CHOICES,
    Garment,
)
from catalog.serializers import GarmentItemSerializer, absolute_media_url
from catalog.tags import Tag
from recommender.look_images import outfit_look_image_url
from recommender.reasons import reason_text
from recommender.services import (
    TYPE_QUESTIONS,
    InvalidChoice,
    RecommendedItem,
    UploadAnswer,
    box_checked,
    detected_garments,
    garment_unsure,
    reading_tag,
)
from vocabulary import COLORS, KINDS, TYPES, kind_in_slot, kind_of_type, type_in_slot

TAG_FIELDS = ("slot", "color", "type", "kind", "pattern", "audience", "warmth", "formality")


class TagQuerySerializer(serializers.Serializer):
    """`GET /api/v1/recommendations/?slot=top&color=red[&type=t-shirt][&audience=men&warmth=mild…][&limit=12]`"""

    slot = serializers.ChoiceField(choices=SLOT_CHOICES)
    color = serializers.ChoiceField(choices=COLOR_CHOICES)
    type = serializers.ChoiceField(choices=TYPE_CHOICES, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=KIND_CHOICES, required=False, allow_blank=True, default="")
    pattern = serializers.ChoiceField(choices=PATTERN_CHOICES, required=False, allow_blank=True, default="")
    audience = serializers.ChoiceField(choices=AUDIENCE_CHOICES, required=False, allow_blank=True, default="")
    warmth = serializers.ChoiceField(choices=WARMTH_CHOICES, required=False, allow_blank=True, default="")
    formality = serializers.ChoiceField(choices=FORMALITY_CHOICES, required=False, allow_blank=True, default="")
    graphic = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The print is a big graphic (a cartoon, a slogan, a logo), with pattern=pattern: coordinated as any "
        "print, named so in the reasons ('white graphic tee').",
    )
    limit = serializers.IntegerField(min_value=1, max_value=48, required=False, default=12)
    outfits = serializers.IntegerField(min_value=0, max_value=3, required=False, default=3)

    def validate(self, attrs: dict) -> dict:
        if attrs["type"] and not type_in_slot(attrs["type"], attrs["slot"]):
            raise serializers.ValidationError(
                {"type": f"'{attrs['type']}' is a {TYPES[attrs['type']].slot} type, not a {attrs['slot']} type."}
            )
        if attrs["kind"] and not kind_in_slot(attrs["kind"], attrs["slot"]):
            raise serializers.ValidationError({"kind": f"'{attrs['kind']}' is not a kind of {attrs['slot']}."})
        if attrs["kind"] and attrs["type"] and not kind_of_type(attrs["kind"], attrs["type"]):
            raise serializers.ValidationError(
                {"kind": f"'{attrs['kind']}' is a kind of {KINDS[attrs['kind']][0]}, not of {attrs['type']}."}
            )
        if attrs["graphic"] and attrs["pattern"] != "pattern":
            raise serializers.ValidationError({"graphic": "A graphic print is a print: send it with pattern=pattern."})
        return attrs

    def tag(self) -> Tag:
        data = self.validated_data
        return Tag(**{name: data[name] for name in TAG_FIELDS}, graphic=data["graphic"])


@extend_schema_field(
    {"type": "string", "example": "0.1,0.35,0.9,0.8", "description": "x0,y0,x1,y1 as fractions of the photo"}
)
class BoxField(serializers.Field):
    """A crop box: four fractions of the photo (left, top, right, bottom), as a list or as "x0,y0,x1,y1"."""

    def to_internal_value(self, data):
        values = data.split(",") if isinstance(data, str) else data
        try:
            return box_checked([float(v) for v in values])
        except (TypeError, ValueError) as exc:
            message = str(exc) if isinstance(exc, InvalidChoice) else "A crop box is four numbers from 0 to 1."
            raise serializers.ValidationError(message) from exc

    def to_representation(self, value):
        return list(value)


class UploadSerializer(serializers.Serializer):
    """`POST /api/v1/recommendations/` (multipart). The file is checked by content, not by name or content type."""

    # An empty file passes here: the image opener refuses it with its own code (`empty_file`), as every image error.
    image = serializers.FileField(
        allow_empty_file=True,
        help_text="A photo of one garment, or of a whole outfit (JPEG, PNG, WebP, GIF or HEIC; 10 MB at most).",
    )
    limit = serializers.IntegerField(min_value=1, max_value=48, required=False, default=12)
    garment = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="In a whole-outfit photo, which detected garment to match (index into detected.garments).",
    )
    box = BoxField(
        required=False,
        allow_null=True,
        default=None,
        help_text='A crop to match instead: "x0,y0,x1,y1" as fractions of the photo.',
    )

    def validate(self, attrs: dict) -> dict:
        if attrs.get("garment") is not None and attrs.get("box") is not None:
            raise serializers.ValidationError({"box": "Send a garment index or a crop box, not both."})
        return attrs


class ChoiceSerializer(serializers.Serializer):
    """`POST /api/v1/recommendations/{upload_id}/choice/`: match another garment of the photo, or a crop."""

    garment = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    box = BoxField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict) -> dict:
        if (attrs.get("garment") is None) == (attrs.get("box") is None):
            raise serializers.ValidationError({"garment": "Send either a garment index or a crop box."})
        return attrs


class HeadChoiceSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the API's name; shadows Field.label (unused here)
    confidence = serializers.FloatField()


class AttributeSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the API's name; shadows Field.label (unused here)
    confidence = serializers.FloatField()
    top3 = HeadChoiceSerializer(many=True)
    used = serializers.BooleanField(
        help_text="False when read below its threshold: treated as unknown (nothing is excluded for it); an unsure "
        "audience, warmth or formality still orders the suggestions by its top 3."
    )


class DetectedGarmentSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    slot = serializers.CharField()
    type = serializers.CharField()
    kind = serializers.CharField(allow_null=True)
    color = serializers.CharField()
    pattern = serializers.CharField()
    graphic = serializers.BooleanField(
        help_text="The garment's print is a big graphic (a cartoon, a slogan, a logo) that the graphic probe read on "
        "a top, surely enough to be taken as patterned; the page names it 'White graphic t-shirt'."
    )
    box = serializers.ListField(child=serializers.FloatField(), help_text="x0, y0, x1, y1 as fractions of the photo.")
    confidences = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="slot, type, kind, color, pattern; and `present`, how likely the garment is there at all (the "
        "model's chip gate, when the model has one).",
    )
    unsure = serializers.BooleanField(
        help_text="True when the garment is likely not there: `confidences.present` under the model's threshold, or "
        "(a model without a chip gate) its own crop barely reads it in its slot (under 0.2); a stray patch of the "
        "garment map, not a garment. The page marks it with a question mark."
    )


class DetectedSerializer(serializers.Serializer):
    needs_confirmation = serializers.BooleanField(help_text="True when a head's confidence is below the threshold.")
    uncertain = serializers.ListField(
        child=serializers.CharField(), help_text="Which heads to confirm: type/slot/color."
    )
    type_alternatives = serializers.ListField(
        child=serializers.CharField(),
        help_text="Types to offer beside type_top3 when the type is to be confirmed for a reason its confidence does "
        "not show: a skirt found in a whole-outfit photo may be a dress's lower half; a one-piece found with a top "
        "in the same photo may be the skirt or trousers under it; a dress worn with no top listed (one garment on a "
        "model, or a one-piece listed alone) may be a long skirt or trousers.",
    )
    type_question = serializers.ChoiceField(
        choices=["", *TYPE_QUESTIONS],
        help_text="Why type_alternatives are offered, for a client to ask the shopper: skirt_or_dress, "
        "dress_or_bottom (a one-piece under a top, listed or in a box drawn below it), worn_dress (a dress worn "
        "with no top listed, or in another box drawn on a person); empty when nothing is asked.",
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
    pattern = AttributeSerializer(allow_null=True)
    graphic = serializers.BooleanField(
        help_text="The matched garment's print is a big graphic (a cartoon, a slogan, a logo): `pattern` then comes "
        "from the graphic probe (a top the pattern head read solid) and was used. As read; the shopper's own pattern "
        "shows in the answer's `tag.graphic`."
    )
    audience = AttributeSerializer(allow_null=True)
    warmth = AttributeSerializer(allow_null=True)
    formality = AttributeSerializer(allow_null=True)
    kind = AttributeSerializer(
        allow_null=True,
        help_text="Shoe kind for shoes; for outerwear, the outer kind (coat, jacket, vest, snowsuit) when it was read "
        "with confidence; else null.",
    )
    garments = DetectedGarmentSerializer(
        many=True, help_text="Garments found in a whole-outfit photo (empty for a photo of one garment)."
    )
    chosen_garment = serializers.IntegerField(
        allow_null=True,
        help_text="Which of `garments` is matched: the one chosen, else a coat whose own crop reads it as outerwear "
        "when no top, bottom or one-piece is read as surely in its slot, the coat is 1.5 times their size or the "
        "whole photo reads as outerwear, else "
        "the largest top, bottom or one-piece whose own crop reads it in its slot (else the surest of them, then "
        "outerwear, then shoes). Null for a photo of one garment.",
    )
    crop_box = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    worn_box = serializers.ListField(
        child=serializers.FloatField(),
        allow_null=True,
        help_text="A photo of someone wearing one garment (a shop's photo on a model): the region that was read, "
        "x0, y0, x1, y1 as fractions of the photo; null when the whole photo or a garment of `garments` was read.",
    )
    wearer = HeadChoiceSerializer(
        allow_null=True,
        help_text="A photo of someone wearing clothes: whose clothes, 'women' or 'men', read from the whole photo; a "
        "worn garment is matched for its wearer (women's or men's pieces and unisex ones). Null for a garment laid "
        "flat, or when it was not read surely.",
    )
    board = serializers.BooleanField(
        help_text="An outfit board (a photo of each piece in a row, a column or a grid): `garments` are its photos, "
        "each read as a garment laid flat."
    )
    other_people = serializers.IntegerField(
        help_text="People seen beside the one whose clothes were read: a photo of two people side by side is read "
        "as the outfit of the one with the most garments seen (`garments`, `worn_box`), and says here that others are "
        "there; crop around one of them (`box`) to read theirs. 0 for every other photo.",
    )
    turned = serializers.IntegerField(
        help_text="How far the photo as uploaded lies turned from upright, counter-clockwise in degrees (90, 180 or "
        "270: a garment photographed from the bed's side, or upside down): it was read turned upright, and every box "
        "is given on the photo as uploaded. 0 for a photo read as uploaded.",
    )


def detected_payload(result: UploadAnswer) -> dict:
    """What the CNN read of an upload, for the garment that is matched; also every garment of a whole-outfit photo."""
    upload, reading, uncertain = result.upload, result.reading, result.uncertain_heads
    tag = reading_tag(reading) if reading.get("slot") else None

    def top3(head: str) -> list[dict]:
        values = (reading.get(head) or {}).get("top3") or []
        return [{"label": label, "confidence": round(float(conf), 4)} for label, conf in values]

    def attribute(head: str) -> dict | None:
        source = head
        if head == "kind" and upload.detected_slot != "shoes":
            # An outer layer's kind is read apart (the reading holds it only when confident); other slots have none.
            source = "outer_kind" if upload.detected_type == "outwear" else ""
        value = reading.get(source) if source else None
        if not value:
            return None
        return {
            "label": value["label"],
            "confidence": round(float(value["confidence"]), 4),
            "top3": top3(source),
            "used": bool(tag is not None and getattr(tag, head)),
        }

    read_wearer = (upload.detection or {}).get("wearer") or {}
    wearer = (
        {"label": read_wearer["label"], "confidence": round(float(read_wearer["confidence"]), 4)}
        if read_wearer.get("label")
        else None
    )
    garments = [
        {
            "index": index,
            "slot": garment["slot"],
            "type": garment.get("type", ""),
            "kind": garment.get("kind"),
            "color": garment.get("color", ""),
            "pattern": garment.get("pattern", ""),
            "graphic": bool(garment.get("reading")) and reading_tag(garment["reading"]).graphic,
            "box": [round(float(v), 4) for v in garment["box"]],
            "confidences": garment.get("confidences") or {},
            "unsure": garment_unsure(garment),
        }
        for index, garment in enumerate(detected_garments(upload.detection))
    ]
    return {
        "needs_confirmation": bool(uncertain),
        "uncertain": uncertain,
        "type_alternatives": result.type_alternatives,
        "type_question": result.type_question,
        "type": upload.detected_type,
        "type_confidence": round(float(upload.type_confidence), 4),
        "slot": upload.detected_slot,
        "slot_confidence": round(float(upload.slot_confidence), 4),
        "color": upload.detected_color,
        "color_confidence": round(float(upload.color_confidence), 4),
        "color_hex": COLORS[upload.detected_color].hex,
        "model_version": upload.model_version,
        "type_top3": top3("type"),
        "slot_top3": top3("slot"),
        "color_top3": top3("color"),
        **{head: attribute(head) for head in ("pattern", "audience", "warmth", "formality", "kind")},
        "graphic": bool(tag is not None and tag.graphic),
        "garments": garments,
        "chosen_garment": upload.chosen_garment,
        "crop_box": upload.crop_box,
        "worn_box": (upload.detection or {}).get("worn_box"),
        "wearer": wearer,
        "other_people": int((upload.detection or {}).get("other_people") or 0),
        "board": bool((upload.detection or {}).get("board")),
        "turned": int((upload.detection or {}).get("turned") or 0),
    }


class RecommendedItemSerializer(GarmentItemSerializer):
    reason = serializers.SerializerMethodField()
    reason_kind = serializers.CharField(source="reason.kind", help_text="'rule' (a stylist rule) or 'harmony'.")
    rule_id = serializers.IntegerField(source="reason.rule_id", allow_null=True)
    harmony_rule = serializers.CharField(source="reason.harmony_rule", allow_null=True)
    score = serializers.FloatField()

    def get_reason(self, item: RecommendedItem) -> str:
        return reason_text(item.reason)


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


class CorrectionSerializer(serializers.Serializer):
    """Any of type, slot, color, pattern, audience, warmth, formality, kind: the shopper's one-tap correction."""

    type = serializers.ChoiceField(choices=TYPE_CHOICES, required=False)
    slot = serializers.ChoiceField(choices=SLOT_CHOICES, required=False)
    color = serializers.ChoiceField(choices=COLOR_CHOICES, required=False)
    pattern = serializers.ChoiceField(choices=PATTERN_CHOICES, required=False)
    audience = serializers.ChoiceField(choices=AUDIENCE_CHOICES, required=False)
    warmth = serializers.ChoiceField(choices=WARMTH_CHOICES, required=False)
    formality = serializers.ChoiceField(choices=FORMALITY_CHOICES, required=False)
    kind = serializers.ChoiceField(
        choices=KIND_CHOICES, required=False, help_text="A kind of the (corrected) type: a vest of outerwear, boots."
    )

    def validate(self, attrs: dict) -> dict:
        if not attrs:
            raise serializers.ValidationError(
                "Give at least one of type, slot, color, pattern, audience, warmth, formality or kind."
            )
        if "type" in attrs and "slot" in attrs and not type_in_slot(attrs["type"], attrs["slot"]):
            raise serializers.ValidationError({"slot": f"'{attrs['type']}' is a {TYPES[attrs['type']].slot} type."})
        if "type" in attrs and "kind" in attrs and not kind_of_type(attrs["kind"], attrs["type"]):
            raise serializers.ValidationError({"kind": f"'{attrs['kind']}' is not a kind of {attrs['type']}."})
        return attrs


class FeedbackSerializer(serializers.Serializer):
    garment_id = serializers.IntegerField()
    vote = serializers.ChoiceField(choices=["like", "dislike"])
    slot = serializers.ChoiceField(choices=SLOT_CHOICES, help_text="The input garment's slot the item was shown for.")
    color = serializers.ChoiceField(choices=COLOR_CHOICES, help_text="The input garment's color.")
    rule_id = serializers.IntegerField(required=False, allow_null=True)
    upload_id = serializers.UUIDField(required=False, allow_null=True)
