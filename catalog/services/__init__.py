"""Write operations on the catalog, one module per concern: `garments`, `rules`, `files` (stored photos and
embeddings) and `versioning` (the catalog version and optimistic concurrency). Import from here."""

from __future__ import annotations

from catalog.services.files import (
    STORED_IMAGE_MAX_SIDE,
    embedding_to_bytes,
    garment_photos_kept_only_if_committed,
    garment_stored_files_delete,
    image_to_stored_jpeg,
    rows_delete_with_images,
)
from catalog.services.garments import (
    PhotoOutcome,
    demo_catalog_load,
    garment_create,
    garment_create_from_photo,
    garment_create_tagged,
    garment_fields_from_prediction,
    garment_name_from_file,
    garment_update,
    garments_create_from_photos,
    garments_delete,
    garments_retag,
    garments_set_active,
)
from catalog.services.rules import (
    pairing_rule_create,
    pairing_rule_update,
    pairing_rules_set_active,
    starter_rules_load,
)
from catalog.services.versioning import (
    CATALOG_VERSION_KEY,
    EditConflict,
    Versioned,
    catalog_changed,
    catalog_version,
    edit_start,
    versioned_save,
)

__all__ = [
    "CATALOG_VERSION_KEY",
    "STORED_IMAGE_MAX_SIDE",
    "EditConflict",
    "PhotoOutcome",
    "Versioned",
    "catalog_changed",
    "catalog_version",
    "demo_catalog_load",
    "edit_start",
    "embedding_to_bytes",
    "garment_create",
    "garment_create_from_photo",
    "garment_create_tagged",
    "garment_fields_from_prediction",
    "garment_name_from_file",
    "garment_photos_kept_only_if_committed",
    "garment_stored_files_delete",
    "garment_update",
    "garments_create_from_photos",
    "garments_delete",
    "garments_retag",
    "garments_set_active",
    "image_to_stored_jpeg",
    "pairing_rule_create",
    "pairing_rule_update",
    "pairing_rules_set_active",
    "rows_delete_with_images",
    "starter_rules_load",
    "versioned_save",
]
