"""Admin: shoppers' uploads, the corrections review queue and shopper feedback."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from recommender.models import CorrectionStatus, Feedback, ShopperUpload, TagCorrection
from recommender.services import corrections_review
from recommender.templatetags.fashion import color_name, slot_name, type_name


def _thumbnail(image) -> str:
    if not image:
        return "–"
    return format_html(
        '<img src="{}" alt="" style="height:64px;width:52px;object-fit:cover;border-radius:4px">', image.url
    )


@admin.register(ShopperUpload)
class ShopperUploadAdmin(admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "read_as",
        "type_confidence",
        "color_confidence",
        "model_version",
        "created_at",
    ]
    list_filter = ["detected_slot", "detected_color", "model_version"]
    # The raw `detection` JSON is shown as the CNN's top-3 per head in the console's language.
    readonly_fields = [
        "reading" if f.name == "detection" else f.name for f in ShopperUpload._meta.fields if f.name != "embedding"
    ]
    exclude = ["embedding", "detection"]

    @admin.display(description=_("full reading"))
    def reading(self, upload: ShopperUpload) -> str:
        names = {"type": type_name, "slot": slot_name, "color": color_name}
        heads = {"type": gettext("type"), "slot": gettext("slot"), "color": gettext("colour")}
        detection = upload.detection if isinstance(upload.detection, dict) else {}
        rows = []
        for head, name in names.items():
            top3 = detection.get(head, {}).get("top3", [])
            guesses = ", ".join(f"{name(label)} {float(confidence):.0%}" for label, confidence in top3)
            rows.append((heads[head], guesses or "–"))
        return format_html_join("", "<div>{}: {}</div>", rows)

    @admin.display(description=_("photo"))
    def thumbnail(self, upload: ShopperUpload) -> str:
        return _thumbnail(upload.image)

    @admin.display(description=_("the CNN read"), ordering="detected_type")
    def read_as(self, upload: ShopperUpload) -> str:
        return upload.detected_label

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(TagCorrection)
class TagCorrectionAdmin(admin.ModelAdmin):
    """The review queue: shoppers' corrections of the CNN, to accept into the next training export."""

    list_display = ["thumbnail", "detected", "corrected", "model_version", "status", "created_at", "reviewed_by"]
    list_filter = ["status", "model_version", "color", "slot"]
    readonly_fields = ["photo", "upload", "model_version", "reviewed_by", "reviewed_at", "created_at"]
    fields = ["photo", "upload", "type", "slot", "color", "status", "model_version", "reviewed_by", "reviewed_at"]
    actions = ["accept", "reject"]
    list_select_related = ["upload", "reviewed_by"]

    @admin.display(description=_("photo"))
    def thumbnail(self, correction: TagCorrection) -> str:
        return _thumbnail(correction.upload.image)

    @admin.display(description=_("photo"))
    def photo(self, correction: TagCorrection) -> str:
        if not correction.upload.image:
            return "–"
        return format_html('<img src="{}" alt="" style="max-height:320px">', correction.upload.image.url)

    @admin.display(description=_("the CNN read"))
    def detected(self, correction: TagCorrection) -> str:
        upload = correction.upload
        confidences = (
            f"{gettext('colour')} {upload.color_confidence:.0%} · {gettext('type')} {upload.type_confidence:.0%}"
        )
        return f"{upload.detected_label} ({confidences})"

    @admin.display(description=_("the shopper says"))
    def corrected(self, correction: TagCorrection) -> str:
        return correction.corrected_label

    @admin.action(description=_("Accept into the training export"))
    def accept(self, request: HttpRequest, queryset: QuerySet[TagCorrection]) -> None:
        count = corrections_review(corrections=queryset, status=CorrectionStatus.ACCEPTED, reviewer=request.user)
        self.message_user(
            request, ngettext("%d correction accepted.", "%d corrections accepted.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Reject"))
    def reject(self, request: HttpRequest, queryset: QuerySet[TagCorrection]) -> None:
        count = corrections_review(corrections=queryset, status=CorrectionStatus.REJECTED, reviewer=request.user)
        self.message_user(
            request, ngettext("%d correction rejected.", "%d corrections rejected.", count) % count, messages.SUCCESS
        )

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["garment", "vote", "input_slot", "input_color", "rule", "created_at"]
    list_filter = ["vote", "input_slot", "input_color"]
    list_select_related = ["garment", "rule"]
    readonly_fields = [f.name for f in Feedback._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
