"""Catalog: garments and the stylist pairing rules that replace the prototype's `recommend(input, output, img)`."""

from __future__ import annotations

import random
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.i18n import korean_active, vocabulary_label
from catalog.naming import garment_name, style_value_label, tag_label
from vocabulary import (
    AUDIENCES,
    COLOR_CODES,
    COLORS,
    FORMALITIES,
    KINDS,
    PATTERNS,
    SLOT_NAMES,
    SLOTS,
    TYPE_CODES,
    TYPES,
    WARMTHS,
    type_in_slot,
)

# Labels follow the active language (English or Korean vocabulary names) in admin filters, dropdowns and displays.
SLOT_CHOICES = [(code, vocabulary_label(*SLOT_NAMES[code])) for code in SLOTS]
COLOR_CHOICES = [(code, vocabulary_label(COLORS[code].name_en, COLORS[code].name_ko)) for code in COLOR_CODES]
TYPE_CHOICES = [(code, vocabulary_label(TYPES[code].name_en, TYPES[code].name_ko)) for code in TYPE_CODES]
AUDIENCE_CHOICES = [(code, vocabulary_label(*names)) for code, names in AUDIENCES.items()]
WARMTH_CHOICES = [(code, vocabulary_label(*names)) for code, names in WARMTHS.items()]
FORMALITY_CHOICES = [(code, vocabulary_label(*names)) for code, names in FORMALITIES.items()]
PATTERN_CHOICES = [(code, vocabulary_label(*names)) for code, names in PATTERNS.items()]
KIND_CHOICES = [(code, vocabulary_label(names[1], names[2])) for code, names in KINDS.items()]


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
        types_of_slot = [code for code in TYPE_CODES if type_in_slot(code, slot)]
        condition |= Q(**{slot_field: slot, f"{type_field}__in": types_of_slot})
    if allow_blank_type:
        condition |= Q(**{type_field: ""})
    return condition


def _kind_matches_type(kind_field: str, type_field: str) -> Q:
    """A Q that holds when the kind is empty or a kind of the type."""
    condition = Q(**{kind_field: ""})
    for code, names in KINDS.items():
        condition |= Q(**{kind_field: code, type_field: names[0]})
    return condition


def _kind_matches_slot(kind_field: str, slot_field: str) -> Q:
    """For rules, whose type may be empty: the kind is empty or a kind of a type of the slot."""
    condition = Q(**{kind_field: ""})
    for code, names in KINDS.items():
        condition |= Q(**{kind_field: code, slot_field: TYPES[names[0]].slot})
    return condition


def _in_choices(field: str, codes, *, blank: bool = True) -> Q:
    return Q(**{f"{field}__in": [*([""] if blank else []), *codes]})


def random_shuffle_key() -> float:
    return random.random()


def garment_image_path(instance: Garment, filename: str) -> str:
    # The uploader never chooses the stored path: a random name under a fixed folder.
    return f"garments/{uuid.uuid4().hex}.jpg"


def garment_thumbnail_path(instance: Garment, filename: str) -> str:
    return f"garments/thumbs/{uuid.uuid4().hex}.jpg"


class Garment(models.Model):
    # The name on English pages (Korean pages use name_ko, or a name made from the tags).
    name = models.CharField(pgettext_lazy("garment name field", "name"), max_length=200)
    name_ko = models.CharField(
        _("Korean name"),
        max_length=200,
        blank=True,
        help_text=_("Empty: Korean pages name the garment from its tags, e.g. “블랙 슬랙스”."),
    )
    image = models.ImageField(_("image"), upload_to=garment_image_path, max_length=255)
    # A ~400 px copy of the photo for cards (catalog/thumbnails.py), made when the photo is stored.
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to=garment_thumbnail_path, max_length=255, blank=True, editable=False
    )
    type = models.CharField(_("type"), max_length=20, choices=TYPE_CHOICES)
    slot = models.CharField(_("slot"), max_length=20, choices=SLOT_CHOICES)
    color = models.CharField(_("main color"), max_length=20, choices=COLOR_CHOICES)
    second_color = models.CharField(_("second color"), max_length=20, choices=COLOR_CHOICES, blank=True)
    pattern = models.CharField(_("pattern"), max_length=10, choices=PATTERN_CHOICES, blank=True)
    # The print is one big graphic (a cartoon, a slogan, a logo) rather than an all-over pattern: named so ("Black
    # graphic t-shirt", "블랙 그래픽 반팔 티셔츠") and in the reasons; coordinated as any print.
    graphic = models.BooleanField(
        _("graphic print"),
        default=False,
        help_text=_("A big cartoon, slogan or logo rather than an all-over pattern. Only for a patterned garment."),
    )
    # Attributes that keep a look coherent; empty = unknown (never excludes a pairing).
    kind = models.CharField(
        _("kind"), max_length=20, choices=KIND_CHOICES, blank=True, help_text=_("Finer kind, e.g. sneakers or boots.")
    )
    audience = models.CharField(_("audience"), max_length=10, choices=AUDIENCE_CHOICES, blank=True)
    warmth = models.CharField(_("warmth"), max_length=10, choices=WARMTH_CHOICES, blank=True)
    formality = models.CharField(_("formality"), max_length=10, choices=FORMALITY_CHOICES, blank=True)
    season = models.CharField(_("season"), max_length=10, choices=Season.choices, default=Season.ALL)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    # Where the garment came from (e.g. "clothing-dataset:<image id>"), so loaders stay idempotent.
    source_key = models.CharField(_("source"), max_length=120, unique=True, null=True, blank=True, editable=False)
    tagged_by = models.CharField(_("tagged by"), max_length=10, choices=TaggedBy.choices, default=TaggedBy.STYLIST)
    type_confidence = models.FloatField(_("type confidence"), null=True, blank=True, editable=False)
    slot_confidence = models.FloatField(_("slot confidence"), null=True, blank=True, editable=False)
    color_confidence = models.FloatField(_("colour confidence"), null=True, blank=True, editable=False)
    model_version = models.CharField(_("model version"), max_length=80, blank=True, editable=False)
    # L2-normalised CNN embedding (float32 bytes) for visual similarity.
    embedding = models.BinaryField(_("embedding"), null=True, blank=True, editable=False)
    # Shopper feedback as counters, so ranking never counts votes per request.
    likes = models.PositiveIntegerField(_("likes"), default=0, editable=False)
    dislikes = models.PositiveIntegerField(_("dislikes"), default=0, editable=False)
    # A random position, indexed with slot and colour: each input reads its candidates from its own window of a
    # (slot, colour) cell, so lists vary across inputs and a query never scans a whole cell of a large catalog.
    shuffle_key = models.FloatField(default=random_shuffle_key, editable=False)
    # Optimistic concurrency: every stylist save bumps it; a save based on an older one is refused (catalog/services).
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("garment")
        verbose_name_plural = _("garments")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["is_active", "slot", "color"], name="garment_active_slot_color"),
            # Candidate windows (recommender.services.garment_candidates) are read from this index alone: it holds
            # every column they filter on and return, so a window costs one index range and no row lookups (rows
            # the style filter drops are skipped inside the index, and no page of full rows is read).
            models.Index(
                fields=[
                    "slot",
                    "color",
                    "is_active",
                    "shuffle_key",
                    "audience",
                    "warmth",
                    "formality",
                    "type",
                    "kind",
                    "pattern",
                    "graphic",
                    "likes",
                    "dislikes",
                ],
                name="garment_candidate_cover",
            ),
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
            models.CheckConstraint(condition=_in_choices("pattern", PATTERNS), name="garment_pattern_valid"),
            models.CheckConstraint(
                condition=Q(graphic=False) | Q(pattern="pattern"),
                name="garment_graphic_is_a_print",
                violation_error_message=_("A graphic print is a print: its pattern is Patterned."),
            ),
            models.CheckConstraint(condition=Q(season__in=Season.values), name="garment_season_valid"),
            models.CheckConstraint(condition=_kind_matches_type("kind", "type"), name="garment_kind_of_type"),
            models.CheckConstraint(condition=_in_choices("audience", AUDIENCES), name="garment_audience_valid"),
            models.CheckConstraint(condition=_in_choices("warmth", WARMTHS), name="garment_warmth_valid"),
            models.CheckConstraint(condition=_in_choices("formality", FORMALITIES), name="garment_formality_valid"),
        ]

    @property
    def net_feedback(self) -> float:
        """(likes − dislikes) / (votes + 5): a couple of votes cannot swing the ranking."""
        return (self.likes - self.dislikes) / (self.likes + self.dislikes + 5)

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.graphic and self.pattern != "pattern":
            raise ValidationError(
                {
                    "graphic": _(
                        "Only a patterned garment has a graphic print: set the pattern to Patterned, or untick it."
                    )
                }
            )

    @property
    def display_name(self) -> str:
        """The name in the active language: on Korean pages the Korean name, else one made from the tags."""
        if korean_active():
            # kind and formality make finer names ("블랙 스니커즈", "블랙 슬랙스") once the garment has those tags.
            return self.name_ko or garment_name(
                self.type,
                self.color,
                self.pattern,
                self.kind,
                language="ko",
                formality=self.formality,
                audience=self.audience,
                graphic=self.graphic,
            )
        return self.name

    @property
    def color_hex(self) -> str:
        return COLORS[self.color].hex

    @property
    def card_image_url(self) -> str:
        """The thumbnail for cards, or the full photo for a garment stored before thumbnails existed."""
        return (self.thumbnail or self.image).url


# What a rule pairs: these conditions on the input and the output side (and no two active rules pair the same).
RULE_SIDE_FIELDS: tuple[str, ...] = ("slot", "type", "kind", "color", "pattern", "formality", "warmth")
RULE_PAIRING_FIELDS: tuple[str, ...] = tuple(
    f"{side}_{name}" for side in ("input", "output") for name in RULE_SIDE_FIELDS
)


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
    # Optional finer conditions on either side; empty = any.
    input_kind = models.CharField(_("input kind"), max_length=20, choices=KIND_CHOICES, blank=True)
    input_pattern = models.CharField(_("input pattern"), max_length=10, choices=PATTERN_CHOICES, blank=True)
    input_formality = models.CharField(_("input formality"), max_length=10, choices=FORMALITY_CHOICES, blank=True)
    input_warmth = models.CharField(_("input warmth"), max_length=10, choices=WARMTH_CHOICES, blank=True)
    output_kind = models.CharField(_("output kind"), max_length=20, choices=KIND_CHOICES, blank=True)
    output_pattern = models.CharField(_("output pattern"), max_length=10, choices=PATTERN_CHOICES, blank=True)
    output_formality = models.CharField(_("output formality"), max_length=10, choices=FORMALITY_CHOICES, blank=True)
    output_warmth = models.CharField(_("output warmth"), max_length=10, choices=WARMTH_CHOICES, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=50, help_text=_("1–100; higher rules are shown first.")
    )
    note = models.CharField(
        _("stylist note"),
        max_length=200,
        help_text=_("Shown to shoppers, e.g. “white tee + light denim: clean contrast”."),
    )
    note_ko = models.CharField(_("stylist note (Korean)"), max_length=200, blank=True)
    # Set when a stylist edits one language of the note and not the other: that other one needs an update.
    note_needs_update = models.CharField(
        _("note needing an update"), max_length=2, choices=[("en", _("English")), ("ko", _("Korean"))], blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pairing_rules",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Optimistic concurrency, as on Garment.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("pairing rule")
        verbose_name_plural = _("pairing rules")
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
            models.CheckConstraint(condition=_kind_matches_slot("input_kind", "input_slot"), name="rule_input_kind"),
            models.CheckConstraint(condition=_kind_matches_slot("output_kind", "output_slot"), name="rule_output_kind"),
            models.CheckConstraint(
                condition=_in_choices("input_pattern", PATTERNS)
                & _in_choices("output_pattern", PATTERNS)
                & _in_choices("input_formality", FORMALITIES)
                & _in_choices("output_formality", FORMALITIES)
                & _in_choices("input_warmth", WARMTHS)
                & _in_choices("output_warmth", WARMTHS),
                name="rule_attributes_valid",
            ),
            models.CheckConstraint(condition=Q(note_needs_update__in=["", "en", "ko"]), name="rule_note_update_valid"),
            models.UniqueConstraint(
                fields=list(RULE_PAIRING_FIELDS),
                name="rule_unique_pairing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.input_label} → {self.output_label}"

    @staticmethod
    def _side_label(slot: str, type_code: str, kind: str, color: str, pattern: str) -> str:
        """ "red top", "white sneakers", "블랙 부츠", with "(patterned)" / "(패턴)" for a print condition."""
        language = "ko" if korean_active() else "en"
        return tag_label(slot=slot, type=type_code, kind=kind, color=color, pattern=pattern, language=language)

    @property
    def input_label(self) -> str:
        """ "red top" in English, "레드 상의" in Korean."""
        return self._side_label(self.input_slot, self.input_type, self.input_kind, self.input_color, self.input_pattern)

    @property
    def output_label(self) -> str:
        return self._side_label(
            self.output_slot, self.output_type, self.output_kind, self.output_color, self.output_pattern
        )


class StyleTable(models.TextChoices):
    AUDIENCE = "audience", _("Audience")
    WARMTH = "warmth", _("Warmth")
    FORMALITY = "formality", _("Formality")
    LAYERING = "layering", _("Layering")
    OUTERWEAR = "outerwear", _("Outerwear by warmth")
    KINDS = "kinds", _("Outer layer or top with shoes")


class StyleCompatibility(models.Model):
    """One cell of the compatibility tables every suggestion and look respects, whatever the rules say.

    - audience / warmth / formality: may a piece of `first` be worn with a piece of `second`? (symmetric)
    - layering: may an outer layer of type `first` go over a `second` (top, one_piece, outer)?
    - outerwear: for an input of warmth `first`, is outerwear `required`, `optional` or `never` (`second`)?
    - kinds: may an outer layer of kind `first` (vest, coat …), or a top of type `first` (hoodie …), be worn with
      shoes of kind `second` (heels …)?
    """

    table = models.CharField(_("table"), max_length=12, choices=StyleTable.choices)
    first = models.CharField(_("first"), max_length=20)
    second = models.CharField(_("second"), max_length=20)
    allowed = models.BooleanField(_("allowed"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["table", "id"]
        verbose_name = _("style compatibility")
        verbose_name_plural = _("style compatibility tables")
        constraints = [
            models.CheckConstraint(condition=Q(table__in=StyleTable.values), name="style_table_valid"),
            models.UniqueConstraint(fields=["table", "first", "second"], name="style_unique_cell"),
        ]

    def __str__(self) -> str:
        if korean_active():
            first, second = (
                style_value_label(table=self.table, value=value, second=is_second, language="ko")
                for value, is_second in ((self.first, False), (self.second, True))
            )
            return f"{self.get_table_display()}: {first} — {second}{'' if self.allowed else ' (허용 안 함)'}"
        verb = "" if self.allowed else "not "
        return f"{self.get_table_display()}: {self.first} — {verb}{self.second}"
