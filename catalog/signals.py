"""Cache invalidation: any saved or deleted garment, rule or style-table cell changes the catalog version."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from catalog.models import Garment, PairingRule, StyleCompatibility
from catalog.services import catalog_changed


def _changed(sender, **kwargs) -> None:
    catalog_changed()


def connect() -> None:
    for model in (Garment, PairingRule, StyleCompatibility):
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog_changed_save_{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog_changed_delete_{model.__name__}")
