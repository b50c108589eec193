"""The stylist console."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.models import Garment, PairingRule
from catalog.services import garments_set_active, pairing_rules_set_active
from catalog.vocabulary import COLORS


def _swatch(color: str) -> str:
    info = COLORS.get(color)
    if info is None:
        return ""
    return format_html(
        '<span style="display:inline-block;width:12px;height:12px;border-radius:50%;background:{};'
        'border:1px solid #0003;vertical-align:middle;margin-right:4px"></span>{}',
        info.hex,
        info.name_en,
    )


@admin.register(Garment)
class GarmentAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "name", "type", "slot", "color_display", "pattern", "season", "tagged_by", "is_active"]
    list_display_links = ["thumbnail", "name"]
    list_editable = ["is_active"]
    list_filter = ["slot", "type", "color", "is_active", "tagged_by", "season", "pattern"]
    search_fields = ["name", "notes", "type", "color"]
    list_per_page = 50
    readonly_fields = ["preview", "slot", "tagged_by", "type_confidence", "slot_confidence", "color_confidence",
                       "model_version", "source_key", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "image", "preview", "is_active"]}),
        (_("Tags"), {"fields": ["type", "slot", "color", "second_color", "pattern", "season"]}),
        (_("Notes"), {"fields": ["notes"]}),
        (_("Where the tags came from"), {"classes": ["collapse"], "fields": [
            "tagged_by", "type_confidence", "slot_confidence", "color_confidence", "model_version", "source_key",
            "created_at", "updated_at"]}),
    ]
    actions = ["activate", "deactivate"]

    @admin.display(description=_("photo"))
    def thumbnail(self, garment: Garment) -> str:
        if not garment.image:
            return "–"
        return format_html('<img src="{}" alt="" style="height:64px;width:52px;object-fit:cover;border-radius:4px">',
                           garment.image.url)

    @admin.display(description=_("preview"))
    def preview(self, garment: Garment) -> str:
        if not garment.image:
            return "–"
        return format_html('<img src="{}" alt="" style="max-height:320px;border-radius:8px">', garment.image.url)

    @admin.display(description=_("color"), ordering="color")
    def color_display(self, garment: Garment) -> str:
        return _swatch(garment.color)

    def save_model(self, request: HttpRequest, garment: Garment, form, change: bool) -> None:
        from catalog.vocabulary import slot_of_type

        garment.slot = slot_of_type(garment.type)  # the slot always follows the type
        super().save_model(request, garment, form, change)

    @admin.action(description=_("Activate selected garments"))
    def activate(self, request: HttpRequest, queryset: QuerySet[Garment]) -> None:
        count = garments_set_active(garments=queryset, active=True)
        self.message_user(request, ngettext("%d garment activated.", "%d garments activated.", count) % count,
                          messages.SUCCESS)

    @admin.action(description=_("Deactivate selected garments"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Garment]) -> None:
        count = garments_set_active(garments=queryset, active=False)
        self.message_user(request, ngettext("%d garment deactivated.", "%d garments deactivated.", count) % count,
                          messages.SUCCESS)


@admin.register(PairingRule)
class PairingRuleAdmin(admin.ModelAdmin):
    list_display = ["title", "input_swatch", "output_swatch", "weight", "note", "is_active", "author", "updated_at"]
    list_editable = ["weight", "note", "is_active"]
    list_filter = ["is_active", "input_slot", "input_color", "output_slot", "output_color"]
    search_fields = ["note", "note_ko", "input_color", "output_color", "input_type", "output_type"]
    list_per_page = 100
    readonly_fields = ["author", "created_at", "updated_at"]
    fieldsets = [
        (_("When the shopper's garment is"), {"fields": [("input_slot", "input_type", "input_color")]}),
        (_("Recommend"), {"fields": [("output_slot", "output_type", "output_color")]}),
        (_("Why"), {"fields": ["note", "note_ko", "weight", "is_active"]}),
        (None, {"fields": ["author", "created_at", "updated_at"]}),
    ]
    actions = ["activate", "deactivate"]

    @admin.display(description=_("rule"), ordering="input_slot")
    def title(self, rule: PairingRule) -> str:
        return str(rule)

    @admin.display(description=_("input"), ordering="input_color")
    def input_swatch(self, rule: PairingRule) -> str:
        return _swatch(rule.input_color)

    @admin.display(description=_("output"), ordering="output_color")
    def output_swatch(self, rule: PairingRule) -> str:
        return _swatch(rule.output_color)

    def save_model(self, request: HttpRequest, rule: PairingRule, form, change: bool) -> None:
        if rule.author_id is None:
            rule.author = request.user
        super().save_model(request, rule, form, change)

    @admin.action(description=_("Activate selected rules"))
    def activate(self, request: HttpRequest, queryset: QuerySet[PairingRule]) -> None:
        count = pairing_rules_set_active(rules=queryset, active=True)
        self.message_user(request, ngettext("%d rule activated.", "%d rules activated.", count) % count,
                          messages.SUCCESS)

    @admin.action(description=_("Deactivate selected rules"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[PairingRule]) -> None:
        count = pairing_rules_set_active(rules=queryset, active=False)
        self.message_user(request, ngettext("%d rule deactivated.", "%d rules deactivated.", count) % count,
                          messages.SUCCESS)
