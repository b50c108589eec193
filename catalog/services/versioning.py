"""The catalog version every change moves (recommendations are cached under it) and optimistic concurrency for
stylist edits."""

from __future__ import annotations

import uuid
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext

from catalog.models import Garment, PairingRule

CATALOG_VERSION_KEY = "catalog:version"


def catalog_version() -> str:
    """A token that changes whenever a garment, a rule or a style table changes (cached recommendations key on it).

    Kept in the shared cache (Redis in production), so every worker and host sees the same version."""
    version = cache.get(CATALOG_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(CATALOG_VERSION_KEY, version, None):
            version = cache.get(CATALOG_VERSION_KEY, version)
    return version


def catalog_changed() -> None:
    """Invalidate everything derived from the catalog (called on every catalog write, bulk ones included)."""
    cache.set(CATALOG_VERSION_KEY, uuid.uuid4().hex, None)


# ---------------------------------------------------------------- stylist edits: optimistic concurrency


class EditConflict(Exception):  # noqa: N818 - a state the editor is told about
    """Someone else saved the garment or rule after this editor loaded it; `current_version` is theirs."""

    def __init__(self, *, label: str, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            gettext(
                "This %(label)s was changed by someone else while you were editing it (it is now at version "
                "%(version)d). Your changes were not saved; check theirs, then save again."
            )
            % {"label": label, "version": current_version}
        )


# The models stylists edit with optimistic concurrency (a `version` field).
Versioned = TypeVar("Versioned", Garment, PairingRule)


def edit_start(*, model: type[Versioned], pk: int, expected_version: int | None) -> Versioned:
    """Inside a transaction: the current row, locked until the transaction ends (a parallel editor waits here), or
    EditConflict when it has moved past `expected_version` (the version the editor's form or request was based on).
    With `expected_version` None the row is only locked: changes apply to what is current, never to a stale copy."""
    instance = model.objects.select_for_update().get(pk=pk)
    if expected_version is not None and instance.version != expected_version:
        raise EditConflict(label=str(model._meta.verbose_name), current_version=instance.version)
    return instance


def versioned_save(*, instance: Versioned) -> Versioned:
    """Save a stylist's edit and bump its version; refused (EditConflict) if the row moved on since `instance.version`.

    The UPDATE … WHERE version = n both checks and locks, so of two saves based on the same version exactly one wins.
    """
    if instance.pk is None:
        instance.save()
        return instance
    with transaction.atomic():
        model = type(instance)
        claimed = model.objects.filter(pk=instance.pk, version=instance.version).update(version=instance.version + 1)
        if not claimed:
            current = model.objects.filter(pk=instance.pk).values_list("version", flat=True).first() or 0
            raise EditConflict(label=str(model._meta.verbose_name), current_version=current)
        instance.version += 1
        instance.save()
    return instance
