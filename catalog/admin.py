"""The stylist console."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from catalog.forms import GarmentPhotosForm
from catalog.i18n import korean_active
from catalog.linting import rule_lint_report
from catalog.models import Garment, PairingRule, StyleCompatibility
from catalog.naming import style_value_label, tags_in_korean
from catalog.selectors import (
    garment_review_fields,
    needs_review_condition,
    review_thresholds,
)
from catalog.services import (
    EditConflict,
    edit_start,
    garment_update,
    garments_delete,
    garments_set_active,
    pairing_rule_update,
    pairing_rules_set_active,
)
from catalog.tasks import import_outcomes, import_photos_job_start, retag_job_start
from catalog.uploads import image_error_message, upload_open_image
from classifier.imaging import InvalidImage
from classifier.predictor import get_predictor
from jobs.models import JobStatus
from vocabulary import COLOR_CODES, COLORS

# The console is the stylists' (Korean first): its own name, not "Django administration".
admin.site.site_header = _("Stylist console")
admin.site.site_title = _("Stylist console")
admin.site.index_title = _("Catalog, rules and shoppers' feedback")
if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _swatch(color: str) -> str:
    info = COLORS.get(color)
    if info is None:
        return ""
    return format_html(
        '<span style="display:inline-block;width:12px;height:12px;border-radius:50%;background:{};'
        'border:1px solid #0003;vertical-align:middle;margin-right:4px"></span>{}',
        info.hex,
        info.name_ko if korean_active() else info.name_en,
    )


class NeedsReviewFilter(admin.SimpleListFilter):
    title = _("Needs review")
    parameter_name = "needs_review"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, StrOrPromise]]:
        return [("yes", _("Yes: the CNN was unsure")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Garment]) -> QuerySet[Garment]:
        if self.value() == "yes":
            return queryset.filter(needs_review_condition())
        if self.value() == "no":
            return queryset.exclude(needs_review_condition())
        return queryset


class VersionedAdminForm(forms.ModelForm):
    """Optimistic concurrency in the admin: the form carries the version it was loaded at (a hidden field); saving
    over a newer version is refused with a message, the editor's input stays in the form, and the next deliberate
    save goes through. The row stays locked from this check to the save (the admin saves in one transaction)."""

    version = forms.IntegerField(label=_("version"), required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what ModelForm.clean returns
        if self.instance.pk is not None:
            try:
                edit_start(model=type(self.instance), pk=self.instance.pk, expected_version=cleaned.get("version"))
            except EditConflict as exc:
                # Show their version number in the form, so saving again (after reading the message) overwrites.
                data = cast(QueryDict, self.data).copy()  # the admin binds request.POST; its copy is mutable
                data[self.add_prefix("version")] = str(exc.current_version)
                self.data = data
                raise forms.ValidationError(str(exc), code="edit_conflict") from exc
        return cleaned


# Where GarmentAdmin.changeform_view leaves the CNN's reading of a new photo for save_model (same request).
_PHOTO_READING = "_garment_photo_reading"


class GarmentAdminForm(VersionedAdminForm):
    """The change form's photo goes through the same checks as every upload; save_model stores it re-encoded."""

    # A FileField, not the model's ImageField: the shared image opener checks the content and words every refusal
    # (catalog.uploads.image_error_message), as on the shopper pages.
    image = forms.FileField(label=_("image"), widget=AdminFileWidget, allow_empty_file=True)

    class Meta:
        model = Garment
        fields = "__all__"
        help_texts = {
            "name": _("A name made from the tags (“Black t-shirt”) follows your tag edits; a name you write stays."),
        }

    def clean_image(self):
        image = self.cleaned_data.get("image")
        self.decoded_image = None
        if image and "image" in self.changed_data:
            try:
                self.decoded_image = upload_open_image(image)
            except InvalidImage as exc:
                message = image_error_message(exc.code, for_staff=True)
                raise forms.ValidationError(message, code=exc.code) from exc
        return image


@admin.register(Garment)
class GarmentAdmin(admin.ModelAdmin):
    form = GarmentAdminForm
    # Six columns fit a 1280 px screen next to the admin's sidebar and the filters; slot (it follows the type), pattern,
    # the coordination attributes and who tagged it stay filters.
    list_display = ["photo_thumbnail", "display_name", "type", "color_display", "review_flag", "is_active"]
    list_display_links = ["photo_thumbnail", "display_name"]
    list_editable = ["is_active"]
    list_filter = [
        NeedsReviewFilter,
        "slot",
        "type",
        "kind",
        "color",
        "pattern",
        "graphic",
        "audience",
        "warmth",
        "formality",
        "is_active",
        "tagged_by",
        "season",
    ]
    search_fields = ["name", "name_ko", "notes", "type", "color"]
    list_per_page = 50
    readonly_fields = [
        "preview",
        "slot",
        "tagged_by",
        "type_confidence",
        "slot_confidence",
        "color_confidence",
        "model_version",
        "source_key",
        "created_at",
        "updated_at",
        "likes",
        "dislikes",
    ]
    fieldsets = [
        (None, {"fields": ["name", "name_ko", "image", "preview", "is_active", "version"]}),
        (_("Tags"), {"fields": ["type", "kind", "slot", "color", "second_color", "pattern", "graphic", "season"]}),
        (_("For coordination"), {"fields": ["audience", "warmth", "formality"]}),
        (_("Notes"), {"fields": ["notes"]}),
        (
            _("Where the tags came from"),
            {
                "classes": ["collapse"],
                "fields": [
                    "tagged_by",
                    "type_confidence",
                    "slot_confidence",
                    "color_confidence",
                    "model_version",
                    "source_key",
                    "created_at",
                    "updated_at",
                    "likes",
                    "dislikes",
                ],
            },
        ),
    ]
    actions = ["activate", "deactivate", "retag"]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Garment], search_term: str):
        """Korean searches find garments by their tags too ("블랙 슬랙스"), since most are named from them."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        fields = {field.name for field in Garment._meta.get_fields()}
        tags = {name: value for name, value in tags_in_korean(search_term).items() if name in fields}
        if tags:
            results = results | queryset.filter(**tags)
        return results, may_have_duplicates

    def get_urls(self) -> list[URLPattern]:
        upload = path("upload/", self.admin_site.admin_view(self.upload_view), name="catalog_garment_upload")
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """Add garments from photos: each valid photo becomes a garment tagged by the CNN; bad files are listed."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        outcomes = []
        if request.method == "POST":
            form = GarmentPhotosForm(request.POST, request.FILES)
            if form.is_valid():
                job = import_photos_job_start(files=form.cleaned_data["photos"], user=request.user)
                if job.status != JobStatus.DONE:  # a worker is on it: follow its progress on the job page
                    self.message_user(
                        request, gettext("The photos are being added in the background (%(job)s).") % {"job": job}
                    )
                    return HttpResponseRedirect(reverse("admin:jobs_job_change", args=[job.pk]))
                outcomes = import_outcomes(job=job)
                created = sum(1 for o in outcomes if o.garment is not None)
                failed = len(outcomes) - created
                if created:
                    self.message_user(
                        request,
                        ngettext("%d garment added.", "%d garments added.", created) % created,
                        messages.SUCCESS,
                    )
                if failed:
                    self.message_user(
                        request,
                        ngettext("%d file could not be used.", "%d files could not be used.", failed) % failed,
                        messages.WARNING,
                    )
        else:
            form = GarmentPhotosForm()
        rows = [
            {
                "outcome": o,
                "review": garment_review_fields(o.garment) if o.garment else [],
                "change_url": reverse("admin:catalog_garment_change", args=[o.garment.pk]) if o.garment else "",
            }
            for o in outcomes
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Add garments from photos"),
            "form": form,
            "rows": rows,
            "thresholds": review_thresholds(),
        }
        return TemplateResponse(request, "admin/catalog/garment/upload.html", context)

    @admin.display(description=_("needs review"))
    def review_flag(self, garment: Garment) -> str:
        fields = garment_review_fields(garment)
        if not fields:
            return ""
        names = {"type": gettext("type"), "color": gettext("colour")}
        return format_html(
            '<span class="needs-review" title="{}" style="color:#b45309;font-weight:600">⚠ {}</span>',
            gettext("The CNN was unsure; please check these tags."),
            ", ".join(names[f] for f in fields),
        )

    @admin.display(description=_("name"), ordering="name")
    def display_name(self, garment: Garment) -> str:
        return garment.display_name

    @admin.display(description=_("photo"))
    def photo_thumbnail(self, garment: Garment) -> str:
        if not garment.image:
            return "–"
        return format_html(
            '<img src="{}" alt="" style="height:64px;width:52px;object-fit:cover;border-radius:4px">',
            garment.card_image_url,
        )

    @admin.display(description=_("preview"))
    def preview(self, garment: Garment) -> str:
        if not garment.image:
            return "–"
        return format_html('<img src="{}" alt="" style="max-height:320px;border-radius:8px">', garment.image.url)

    @admin.display(description=_("color"), ordering="color")
    def color_display(self, garment: Garment) -> str:
        return _swatch(garment.color)

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="", extra_context=None) -> HttpResponse:
        # Django's admin validates and saves the form in one transaction: the CNN reads a new photo before it opens
        # (save_model uses the reading; the form decodes the photo again to check it, which is cheap next to it).
        upload = request.FILES.get("image") if request.method == "POST" else None
        if upload is not None:
            with contextlib.suppress(InvalidImage):  # the form reports it
                setattr(request, _PHOTO_READING, get_predictor().predict(upload_open_image(upload)))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, garment: Garment, form, change: bool) -> None:
        new_image = getattr(form, "decoded_image", None)
        garment_update(
            garment=garment,
            new_image=new_image,
            prediction=getattr(request, _PHOTO_READING, None) if new_image is not None else None,
            tags_changed=change and bool({"type", "color"} & set(form.changed_data)),
            name_given="name" in form.changed_data,
        )

    @admin.action(description=_("Re-tag with the current model"), permissions=["change"])
    def retag(self, request: HttpRequest, queryset: QuerySet[Garment]) -> None:
        ids = list(queryset.values_list("id", flat=True))
        selected = len(ids)
        job = retag_job_start(garment_ids=ids, user=request.user)
        if job.status != JobStatus.DONE:
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    ngettext(
                        "%d garment is being re-tagged in the background.",
                        "%d garments are being re-tagged in the background.",
                        selected,
                    )
                    % selected,
                    reverse("admin:jobs_job_change", args=[job.pk]),
                    gettext("Follow the job"),
                ),
                messages.INFO,
            )
            return
        count = job.result.get("retagged", 0)
        self.message_user(
            request,
            ngettext("%d garment re-tagged by the CNN.", "%d garments re-tagged by the CNN.", count) % count,
            messages.SUCCESS,
        )
        if count < selected:
            skipped = selected - count
            self.message_user(
                request,
                ngettext(
                    "%d garment skipped: its photo could not be read.",
                    "%d garments skipped: their photos could not be read.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    def delete_model(self, request: HttpRequest, garment: Garment) -> None:
        garments_delete(garments=[garment])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Garment]) -> None:
        garments_delete(garments=queryset)

    @admin.action(description=_("Activate selected garments"))
    def activate(self, request: HttpRequest, queryset: QuerySet[Garment]) -> None:
        count = garments_set_active(garments=queryset, active=True)
        self.message_user(
            request, ngettext("%d garment activated.", "%d garments activated.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Deactivate selected garments"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Garment]) -> None:
        count = garments_set_active(garments=queryset, active=False)
        self.message_user(
            request, ngettext("%d garment deactivated.", "%d garments deactivated.", count) % count, messages.SUCCESS
        )


class PairingRuleAdminForm(VersionedAdminForm):
    class Meta:
        model = PairingRule
        fields = "__all__"


@admin.register(PairingRule)
class PairingRuleAdmin(admin.ModelAdmin):
    form = PairingRuleAdminForm
    list_display = [
        "title",
        "input_swatch",
        "output_swatch",
        "weight",
        "note",
        "note_ko",
        "translation_flag",
        "is_active",
        "author",
        "updated_at",
    ]
    list_editable = ["weight", "note", "note_ko", "is_active"]
    list_filter = [
        "is_active",
        "note_needs_update",
        "input_slot",
        "input_color",
        "input_kind",
        "output_slot",
        "output_color",
        "output_kind",
    ]
    search_fields = ["note", "note_ko", "input_color", "output_color", "input_type", "output_type"]
    list_per_page = 100
    readonly_fields = ["author", "note_needs_update", "created_at", "updated_at"]
    fieldsets = [
        (
            _("When the shopper's garment is"),
            {
                "fields": [
                    ("input_slot", "input_type", "input_kind", "input_color"),
                    ("input_pattern", "input_formality", "input_warmth"),
                ]
            },
        ),
        (
            _("Recommend"),
            {
                "fields": [
                    ("output_slot", "output_type", "output_kind", "output_color"),
                    ("output_pattern", "output_formality", "output_warmth"),
                ]
            },
        ),
        (_("Why"), {"fields": ["note", "note_ko", "note_needs_update", "weight", "is_active"]}),
        (None, {"fields": ["author", "created_at", "updated_at", "version"]}),
    ]
    actions = ["activate", "deactivate"]

    def get_urls(self) -> list[URLPattern]:
        lint = path("lint/", self.admin_site.admin_view(self.lint_view), name="catalog_pairingrule_lint")
        return [lint, *super().get_urls()]

    def lint_view(self, request: HttpRequest) -> HttpResponse:
        """Rule check: rules that show nothing, inputs without rules, one-way pairs and the coverage grid."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        report = rule_lint_report()
        add_url = reverse("admin:catalog_pairingrule_add")
        rules = PairingRule.objects.in_bulk(
            [r.id for r in report.rules_without_garments]
            + [r.id for r in report.asymmetric_rules]
            + [r.id for r in report.notes_needing_translation]
        )

        def rule_link(rule_id: int) -> dict:
            return {"rule": rules[rule_id], "url": reverse("admin:catalog_pairingrule_change", args=[rule_id])}

        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Rule check"),
            "report": report,
            "dead_rules": [rule_link(r.id) for r in report.rules_without_garments],
            "untranslated": [rule_link(r.id) for r in report.notes_needing_translation],
            "one_way_rules": [
                {
                    **rule_link(r.id),
                    "add_reverse_url": f"{add_url}?input_slot={r.output_slot}&input_color={r.output_color}"
                    f"&output_slot={r.input_slot}&output_color={r.input_color}",
                }
                for r in report.asymmetric_rules
            ],
            "uncovered": [
                {"slot": slot, "color": color, "add_url": f"{add_url}?input_slot={slot}&input_color={color}"}
                for slot, color in report.uncovered_inputs
            ],
            "colors": list(COLOR_CODES),
            "grid": [
                {
                    "slot": row.slot,
                    "cells": [
                        {
                            "cell": cell,
                            "rules_url": f"{reverse('admin:catalog_pairingrule_changelist')}?is_active__exact=1"
                            f"&input_slot__exact={cell.slot}&input_color__exact={cell.color}",
                            "add_url": f"{add_url}?input_slot={cell.slot}&input_color={cell.color}",
                        }
                        for cell in row.cells
                    ],
                }
                for row in report.coverage
            ],
        }
        return TemplateResponse(request, "admin/catalog/pairingrule/lint.html", context)

    @admin.display(description=_("rule"), ordering="input_slot")
    def title(self, rule: PairingRule) -> str:
        return format_html('<span style="white-space:nowrap">{}</span>', str(rule))

    @admin.display(description=_("input"), ordering="input_color")
    def input_swatch(self, rule: PairingRule) -> str:
        return _swatch(rule.input_color)

    @admin.display(description=_("output"), ordering="output_color")
    def output_swatch(self, rule: PairingRule) -> str:
        return _swatch(rule.output_color)

    @admin.display(description=_("translation"), ordering="note_needs_update")
    def translation_flag(self, rule: PairingRule) -> str:
        if rule.note_needs_update == "ko" or not rule.note_ko:
            return gettext("Korean note needs an update")
        if rule.note_needs_update == "en":
            return gettext("English note needs an update")
        return ""

    def save_model(self, request: HttpRequest, rule: PairingRule, form, change: bool) -> None:
        if rule.author_id is None and isinstance(request.user, User):
            rule.author = request.user
        if change:
            pairing_rule_update(rule=rule, changed_fields=set(form.changed_data))
        else:
            super().save_model(request, rule, form, change)
        if rule.note_needs_update and {"note", "note_ko"} & set(form.changed_data):
            other = gettext("Korean") if rule.note_needs_update == "ko" else gettext("English")
            self.message_user(
                request,
                gettext(
                    "Only one language of the note of “%(rule)s” changed: "
                    "the %(language)s note is flagged for an update."
                )
                % {"rule": rule, "language": other},
                messages.WARNING,
            )

    @admin.action(description=_("Activate selected rules"))
    def activate(self, request: HttpRequest, queryset: QuerySet[PairingRule]) -> None:
        count = pairing_rules_set_active(rules=queryset, active=True)
        self.message_user(
            request, ngettext("%d rule activated.", "%d rules activated.", count) % count, messages.SUCCESS
        )

    @admin.action(description=_("Deactivate selected rules"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[PairingRule]) -> None:
        count = pairing_rules_set_active(rules=queryset, active=False)
        self.message_user(
            request, ngettext("%d rule deactivated.", "%d rules deactivated.", count) % count, messages.SUCCESS
        )


@admin.register(StyleCompatibility)
class StyleCompatibilityAdmin(admin.ModelAdmin):
    """The compatibility tables every suggestion and look respects: stylists switch a cell on or off."""

    list_display = ["table", "first_label", "second_label", "allowed", "updated_at"]
    list_display_links = None
    list_editable = ["allowed"]
    list_filter = ["table", "allowed"]
    list_per_page = 200
    ordering = ["table", "id"]

    @admin.display(description=_("first"), ordering="first")
    def first_label(self, cell: StyleCompatibility) -> str:
        language = "ko" if korean_active() else "en"
        return style_value_label(table=cell.table, value=cell.first, second=False, language=language)

    @admin.display(description=_("second"), ordering="second")
    def second_label(self, cell: StyleCompatibility) -> str:
        language = "ko" if korean_active() else "en"
        return style_value_label(table=cell.table, value=cell.second, second=True, language=language)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The cells are the vocabularies' combinations; stylists switch them, they do not invent new codes.
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
