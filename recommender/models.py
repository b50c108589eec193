"""What shoppers send: their uploaded photos with what the CNN read from them."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import COLOR_CHOICES, SLOT_CHOICES, TYPE_CHOICES


def upload_image_path(instance: ShopperUpload, filename: str) -> str:
    # Never the uploader's file name: a random name in a fixed folder.
    return f"uploads/{uuid.uuid4().hex}.jpg"


class ShopperUpload(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    image = models.ImageField(_("photo"), upload_to=upload_image_path, max_length=255)
    detected_type = models.CharField(max_length=20, choices=TYPE_CHOICES)
    detected_slot = models.CharField(max_length=20, choices=SLOT_CHOICES)
    detected_color = models.CharField(max_length=20, choices=COLOR_CHOICES)
    type_confidence = models.FloatField()
    slot_confidence = models.FloatField()
    color_confidence = models.FloatField()
    # The full reading (top-3 per head) as the API returned it.
    detection = models.JSONField(default=dict)
    model_version = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.detected_color} {self.detected_type} ({self.created_at:%Y-%m-%d %H:%M})"
