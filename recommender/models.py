"""What shoppers send: their uploaded photos with what the CNN read from them."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.i18n import korean_active
from catalog.models import (
    AUDIENCE_CHOICES,
    COLOR_CHOICES,
    FORMALITY_CHOICES,
    KIND_CHOICES,
    PATTERN_CHOICES,
    SLOT_CHOICES,
    TYPE_CHOICES,
    WARMTH_CHOICES,
)
from catalog.naming import tag_label


def upload_image_path(instance: ShopperUpload, filename: str) -> str:
    # Never the uploader's file name: a random name in a fixed folder.
    return f"uploads/{uuid.uuid4().hex}.jpg"


class ShopperUpload(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    image = models.ImageField(_("photo"), upload_to=upload_image_path, max_length=255)
    detected_type = models.CharField(_("detected type"), max_length=20, choices=TYPE_CHOICES)
    detected_slot = models.CharField(_("detected slot"), max_length=20, choices=SLOT_CHOICES)
    detected_color = models.CharField(_("detected colour"), max_length=20, choices=COLOR_CHOICES)
    type_confidence = models.FloatField(_("type confidence"))
    slot_confidence = models.FloatField(_("slot confidence"))
    color_confidence = models.FloatField(_("colour confidence"))
    # The full reading (top-3 per head) as the API returned it.
    detection = models.JSONField(_("full reading"), default=dict)
    model_version = models.CharField(_("model version"), max_length=80)
    # L2-normalised CNN embedding (float32 bytes): "similar catalog items" for the upload.
    embedding = models.BinaryField(_("embedding"), null=True, blank=True, editable=False)
    # In a whole-outfit photo, what is matched: one of the detected garments (an index into detection["garments"]) or
    # a crop the shopper drew (x0, y0, x1, y1 as fractions), with that crop's own reading. The detected_* fields
    # above describe what is matched.
    chosen_garment = models.PositiveSmallIntegerField(_("chosen garment"), null=True, blank=True)
    crop_box = models.JSONField(_("crop box"), null=True, blank=True)
    chosen_reading = models.JSONField(_("reading of the chosen garment"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("shopper photo")
        verbose_name_plural = _("shopper photos")
        ordering = ["-created_at"]

    @property
    def detected_label(self) -> str:
        """ "red t-shirt" in English, "레드 반팔 티셔츠" in Korean."""
        language = "ko" if korean_active() else "en"
        return tag_label(slot=self.detected_slot, type=self.detected_type, color=self.detected_color, language=language)

    def __str__(self) -> str:
        return f"{self.detected_label} ({self.created_at:%Y-%m-%d %H:%M})"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted for training")
    REJECTED = "rejected", _("Rejected")


class TagCorrection(models.Model):
    """A shopper's "that's not right" for one upload: the tags they chose, kept with the photo and the model version."""

    upload = models.OneToOneField(
        ShopperUpload, verbose_name=_("shopper photo"), on_delete=models.CASCADE, related_name="correction"
    )
    type = models.CharField(_("type"), max_length=20, choices=TYPE_CHOICES, blank=True)
    slot = models.CharField(_("slot"), max_length=20, choices=SLOT_CHOICES)
    color = models.CharField(_("color"), max_length=20, choices=COLOR_CHOICES)
    # Attributes the shopper set (empty: as the CNN read them).
    pattern = models.CharField(_("pattern"), max_length=10, choices=PATTERN_CHOICES, blank=True)
    audience = models.CharField(_("audience"), max_length=10, choices=AUDIENCE_CHOICES, blank=True)
    warmth = models.CharField(_("warmth"), max_length=10, choices=WARMTH_CHOICES, blank=True)
    formality = models.CharField(_("formality"), max_length=10, choices=FORMALITY_CHOICES, blank=True)
    # A finer kind of the corrected type (a jacket read as a vest, boots read as sneakers); empty: as read.
    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES, blank=True)
    model_version = models.CharField(_("model version"), max_length=80)
    status = models.CharField(
        _("status"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_corrections",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("tag correction")
        verbose_name_plural = _("tag corrections")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CorrectionStatus.values), name="correction_status_valid"
            ),
        ]

    @property
    def corrected_label(self) -> str:
        language = "ko" if korean_active() else "en"
        return tag_label(slot=self.slot, type=self.type, color=self.color, language=language)

    def __str__(self) -> str:
        return f"{self.upload.detected_label} → {self.corrected_label}"


class Vote(models.IntegerChoices):
    LIKE = 1, _("Like")
    DISLIKE = -1, _("Dislike")


class Feedback(models.Model):
    """A shopper's like or dislike of one recommended garment, in the context it was recommended in."""

    garment = models.ForeignKey(
        "catalog.Garment", verbose_name=_("garment"), on_delete=models.CASCADE, related_name="feedback"
    )
    rule = models.ForeignKey(
        "catalog.PairingRule",
        verbose_name=_("pairing rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    vote = models.SmallIntegerField(_("vote"), choices=Vote.choices)
    input_slot = models.CharField(_("input slot"), max_length=20, choices=SLOT_CHOICES)
    input_color = models.CharField(_("input color"), max_length=20, choices=COLOR_CHOICES)
    upload = models.ForeignKey(
        ShopperUpload,
        verbose_name=_("shopper photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    # Who voted (fashion.clients.client_key: a keyed hash of the account or address, never the address itself): one
    # counted vote per client and garment. Empty on votes recorded before votes were keyed.
    client_key = models.CharField(_("client"), max_length=64, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Not stored: set by recommender.services.feedback_create on the row it returns (a first vote; the vote replaced).
    created_now: bool
    previous_vote: int | None

    class Meta:
        verbose_name = _("shopper feedback")
        verbose_name_plural = _("shopper feedback")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["garment", "vote"], name="feedback_garment_vote")]
        constraints = [
            models.CheckConstraint(condition=models.Q(vote__in=[1, -1]), name="feedback_vote_valid"),
            models.UniqueConstraint(fields=["garment", "client_key"], name="feedback_one_vote_per_client"),
        ]

    def __str__(self) -> str:
        return f"{'👍' if self.vote == 1 else '👎'} {self.garment}"
