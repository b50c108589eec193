"""Catalog: garments and the stylist pairing rules that replace the prototype's `recommend(input, output, img)`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.vocabulary import COLOR_CODES, COLORS, SLOT_NAMES, SLOTS, TYPE_CODES, TYPES

SLOT_CHOICES = [(code, SLOT_NAMES[code][0]) for code in SLOTS]
COLOR_CHOICES = [(code, COLORS[code].name_en) for code in COLOR_CODES]
TYPE_CHOICES = [(code, TYPES[code].name_en) for code in TYPE_CODES]


class Pattern(models.TextChoices):
    SOLID = "solid", _("Solid")
    PATTERN = "pattern", _("Pattern")


class Season(models.TextChoices):
    ALL = "all", _("All seasons")
    SPRING = "spring", _("Spring")
    SUMMER = "summer", _("Summer")
    AUTUMN = "autumn", _("Autumn")
    WINTER = "winter", _("Winter")


class TaggedBy(models.TextChoices):
    STYLIST = "stylist", _("Stylist")
    MODEL = "model", _("CNN")
    DATASET = "dataset", _("Dataset labels")


def _type_matches_slot(type_field: str, slot_field: str, *, allow_blank_type: bool) -> Q:
    """A Q that holds when the type belongs to the slot (database-level consistency of the two columns)."""
    condition = Q()
    for slot in SLOTS:
        types_of_slot = [code for code in TYPE_CODES if TYPES[code].slot == slot]
        condition |= Q(**{slot_field: slot, f"{type_field}__in": types_of_slot})
    if allow_blank_type:
        condition |= Q(**{type_field: ""})
    return condition


def garment_image_path(instance: Garment, filename: str) -> str:
    # The uploader never chooses the stored path: a random name under a fixed folder.
    return f"garments/{uuid.uuid4().hex}.jpg"


class Garment(models.Model):
    name = models.CharField(_("name"), max_length=200)
    image = models.ImageField(_("image"), upload_to=garment_image_path, max_length=255)
    type = models.CharField(_("type"), max_length=20, choices=TYPE_CHOICES)
    slot = models.CharField(_("slot"), max_length=20, choices=SLOT_CHOICES)
    color = models.CharField(_("main color"), max_length=20, choices=COLOR_CHOICES)
    second_color = models.CharField(_("second color"), max_length=20, choices=COLOR_CHOICES, blank=True)
    pattern = models.CharField(_("pattern"), max_length=10, choices=Pattern.choices, blank=True)
    season = models.CharField(_("season"), max_length=10, choices=Season.choices, default=Season.ALL)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    # Where the garment came from (e.g. "clothing-dataset:<image id>"), so loaders stay idempotent.
    source_key = models.CharField(max_length=120, unique=True, null=True, blank=True, editable=False)
    tagged_by = models.CharField(max_length=10, choices=TaggedBy.choices, default=TaggedBy.STYLIST)
    type_confidence = models.FloatField(null=True, blank=True, editable=False)
    slot_confidence = models.FloatField(null=True, blank=True, editable=False)
    color_confidence = models.FloatField(null=True, blank=True, editable=False)
    model_version = models.CharField(max_length=80, blank=True, editable=False)
    # L2-normalised CNN embedding (float32 bytes) for visual similarity.
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["is_active", "slot", "color"], name="garment_active_slot_color"),
            # What changed since the similarity index was built (catalog/similarity.py).
            models.Index(fields=["updated_at"], name="garment_updated_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(slot__in=SLOTS), name="garment_slot_valid"),
            models.CheckConstraint(condition=Q(color__in=COLOR_CODES), name="garment_color_valid"),
            models.CheckConstraint(
                condition=Q(second_color="") | Q(second_color__in=COLOR_CODES), name="garment_second_color_valid"
            ),
            models.CheckConstraint(condition=~Q(second_color=models.F("color")), name="garment_second_color_differs"),
            models.CheckConstraint(condition=Q(type__in=TYPE_CODES), name="garment_type_valid"),
            models.CheckConstraint(
                condition=_type_matches_slot("type", "slot", allow_blank_type=False), name="garment_type_in_slot"
            ),
            models.CheckConstraint(condition=Q(pattern__in=["", *Pattern.values]), name="garment_pattern_valid"),
            models.CheckConstraint(condition=Q(season__in=Season.values), name="garment_season_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def color_hex(self) -> str:
        return COLORS[self.color].hex


class PairingRule(models.Model):
    """A stylist's rule: garments tagged like the input go well with garments tagged like the output."""

    input_slot = models.CharField(_("input slot"), max_length=20, choices=SLOT_CHOICES)
    input_type = models.CharField(
        _("input type"), max_length=20, choices=TYPE_CHOICES, blank=True, help_text=_("Empty: any type of the slot.")
    )
    input_color = models.CharField(_("input color"), max_length=20, choices=COLOR_CHOICES)
    output_slot = models.CharField(_("output slot"), max_length=20, choices=SLOT_CHOICES)
    output_type = models.CharField(
        _("output type"), max_length=20, choices=TYPE_CHOICES, blank=True, help_text=_("Empty: any type of the slot.")
    )
    output_color = models.CharField(_("output color"), max_length=20, choices=COLOR_CHOICES)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=50, help_text=_("1–100; higher rules are shown first.")
    )
    note = models.CharField(
        _("stylist note"),
        max_length=200,
        help_text=_("Shown to shoppers, e.g. “white tee + light denim: clean contrast”."),
    )
    note_ko = models.CharField(_("stylist note (Korean)"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="pairing_rules"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-weight", "id"]
        indexes = [models.Index(fields=["is_active", "input_slot", "input_color"], name="rule_active_input")]
        constraints = [
            models.CheckConstraint(condition=Q(input_slot__in=SLOTS), name="rule_input_slot_valid"),
            models.CheckConstraint(condition=Q(output_slot__in=SLOTS), name="rule_output_slot_valid"),
            models.CheckConstraint(condition=Q(input_color__in=COLOR_CODES), name="rule_input_color_valid"),
            models.CheckConstraint(condition=Q(output_color__in=COLOR_CODES), name="rule_output_color_valid"),
            models.CheckConstraint(
                condition=_type_matches_slot("input_type", "input_slot", allow_blank_type=True),
                name="rule_input_type_in_slot",
            ),
            models.CheckConstraint(
                condition=_type_matches_slot("output_type", "output_slot", allow_blank_type=True),
                name="rule_output_type_in_slot",
            ),
            models.CheckConstraint(condition=~Q(input_slot=models.F("output_slot")), name="rule_slots_differ"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=100), name="rule_weight_range"),
            models.CheckConstraint(condition=~Q(note=""), name="rule_note_required"),
            models.UniqueConstraint(
                fields=["input_slot", "input_type", "input_color", "output_slot", "output_type", "output_color"],
                name="rule_unique_pairing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.input_label} → {self.output_label}"

    @staticmethod
    def _tag_label(slot: str, type_code: str, color: str) -> str:
        what = TYPES[type_code].name_en.lower() if type_code else SLOT_NAMES[slot][0].lower()
        return f"{color} {what}"

    @property
    def input_label(self) -> str:
        return self._tag_label(self.input_slot, self.input_type, self.input_color)

    @property
    def output_label(self) -> str:
        return self._tag_label(self.output_slot, self.output_type, self.output_color)
