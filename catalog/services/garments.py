"""Write operations on garments: create (tagged by the CNN before any transaction opens), update, re-tag, activate,
delete, import photos, load the demo catalog."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

import numpy as np
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from PIL import Image

from catalog.models import Garment, TaggedBy
from catalog.naming import garment_names, tag_names
from catalog.selectors import garment_tag
from catalog.services.files import (
    embedding_to_bytes,
    garment_photos_kept_only_if_committed,
    image_to_stored_jpeg,
    rows_delete_with_images,
)
from catalog.services.versioning import EditConflict, catalog_changed, versioned_save
from catalog.tags import photo_wearer, tag_from_reading, worn_audience
from catalog.thumbnails import garment_thumbnail_set
from catalog.uploads import image_error_message, stored_photo_open, upload_open_image
from classifier.imaging import InvalidImage, open_image
from classifier.predictor import Prediction, get_predictor
from vocabulary import COLORS, kind_of_type, slot_of_type


def garment_create(
    *,
    name: str,
    image: Image.Image,
    type: str,
    color: str,
    name_ko: str = "",
    second_color: str = "",
    pattern: str = "",
    graphic: bool = False,
    kind: str = "",
    audience: str = "",
    warmth: str = "",
    formality: str = "",
    season: str = "all",
    notes: str = "",
    is_active: bool = True,
    source_key: str | None = None,
    tagged_by: str = TaggedBy.STYLIST,
    type_confidence: float | None = None,
    slot_confidence: float | None = None,
    color_confidence: float | None = None,
    model_version: str = "",
    embedding: np.ndarray | None = None,
    embed: bool = True,
) -> Garment:
    """Create a garment from a decoded image; the slot follows from the type.

    The CNN embedding (for "looks similar") is computed here when the caller has none, unless `embed` is False
    (no model available yet: "Re-tag with the current model" fills it in later); the CNN runs before the
    transaction that writes the row opens. The photo and its thumbnail are stored only for a row that commits.
    """
    if embedding is None and embed:
        prediction = get_predictor().predict(image)
        embedding, model_version = prediction.embedding, model_version or prediction.model_version
    garment = Garment(
        name=name,
        name_ko=name_ko,
        type=type,
        slot=slot_of_type(type),
        color=color,
        second_color="" if second_color == color else second_color,
        pattern=pattern,
        graphic=graphic and pattern == "pattern",
        kind=kind,
        audience=audience,
        warmth=warmth,
        formality=formality,
        season=season,
        notes=notes,
        is_active=is_active,
        source_key=source_key,
        tagged_by=tagged_by,
        type_confidence=type_confidence,
        slot_confidence=slot_confidence,
        color_confidence=color_confidence,
        model_version=model_version,
        embedding=embedding_to_bytes(embedding),
    )
    garment.image = image_to_stored_jpeg(image)
    garment_thumbnail_set(garment=garment, image=image)
    garment.full_clean()
    with garment_photos_kept_only_if_committed() as created:
        created.append(garment)
        garment.save()  # writes the photo and the thumbnail, then inserts the row
    return garment


def garment_update(
    *,
    garment: Garment,
    new_image: Image.Image | None = None,
    prediction: Prediction | None = None,
    tags_changed: bool = False,
    name_given: bool = False,
) -> Garment:
    """Save a stylist's edit (admin form or API): the slot follows the type; a new photo is stored re-encoded (upright,
    no EXIF) and gets a fresh CNN embedding (from `prediction`, the CNN's reading of it made before the caller's
    transaction opened, or read here); type or colour set by hand make the stylist the tagger (no review).

    A name the tags made ("Black t-shirt") follows the edited tags ("White graphic t-shirt"), as re-tagging does,
    unless the edit gives a name itself (`name_given`); a stylist's own name is never touched."""
    garment.slot = slot_of_type(garment.type)
    if not name_given and garment.pk is not None:
        stored = Garment.objects.filter(pk=garment.pk).first()
        if stored is not None and stored.name == garment.name and _named_from_tags(stored):
            garment.name = tag_names(garment_tag(garment)).en
    if tags_changed:
        garment.tagged_by = TaggedBy.STYLIST
    if new_image is not None:
        if prediction is None:
            prediction = get_predictor().predict(new_image)
        garment.image = image_to_stored_jpeg(new_image)
        garment_thumbnail_set(garment=garment, image=new_image)
        garment.embedding = embedding_to_bytes(prediction.embedding)
        garment.model_version = prediction.model_version
    garment.full_clean()
    return versioned_save(instance=garment)


def garments_delete(*, garments: Iterable[Garment]) -> int:
    """Delete garments and their stored photos."""
    return rows_delete_with_images(objects=garments)


def garments_set_active(*, garments: Iterable[Garment], active: bool) -> int:
    """Bulk (de)activation; `updated_at` moves too, so caches and the similarity index see the change."""
    ids = [g.pk for g in garments]
    changed = Garment.objects.filter(pk__in=ids).update(is_active=active, updated_at=timezone.now())
    catalog_changed()
    return changed


_READ_ATTRIBUTES = ("pattern", "audience", "warmth", "formality", "kind")


_READ_PROVENANCE = ("type_confidence", "slot_confidence", "color_confidence", "model_version", "embedding")


def garment_fields_from_prediction(prediction: Prediction) -> dict[str, Any]:
    """What the CNN's reading of a photo sets on a garment — the one place this mapping lives: type and colour with
    their confidences, the attributes read confidently enough (settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS; the others
    are left unknown; a garment on a model is its wearer's, or at least not a kids' one, as in `worn_audience`), the
    model version and the embedding."""
    reading = prediction.to_dict()
    if prediction.worn_box is not None:  # a garment on a model, read from its crop: a worn garment's audience
        reading = worn_audience(reading, photo_wearer(reading))
    tag = tag_from_reading(reading, settings.CLASSIFIER_ATTRIBUTE_THRESHOLDS)
    type_code = prediction.type.label
    return {
        "type": type_code,
        "color": prediction.color.label,
        "pattern": tag.pattern,
        "graphic": tag.graphic,  # the graphic probe made the pattern: a big cartoon or slogan on a top
        "audience": tag.audience,
        "warmth": tag.warmth,
        "formality": tag.formality,
        "kind": tag.kind if kind_of_type(tag.kind, type_code) else "",
        "type_confidence": prediction.type.confidence,
        "slot_confidence": prediction.slot.confidence,
        "color_confidence": prediction.color.confidence,
        "model_version": prediction.model_version,
        "embedding": prediction.embedding,
    }


def garment_create_tagged(
    *,
    name: str,
    image: Image.Image,
    type: str | None = None,
    color: str | None = None,
    prediction: Prediction | None = None,
    **fields,
) -> Garment:
    """Create a garment; the CNN fills what the stylist left empty (type, colour, the attributes) and stores the
    embedding. The CNN reads the photo first (or the caller passes its `prediction`), outside any transaction."""
    if prediction is None:
        prediction = get_predictor().predict(image)
    read = garment_fields_from_prediction(prediction)
    by_model = type is None or color is None
    if type is not None and type != read["type"]:
        read["kind"] = ""  # the kind read was a kind of another type
    read.update(type=type or read["type"], color=color or read["color"])
    return garment_create(
        name=name, image=image, tagged_by=TaggedBy.MODEL if by_model else TaggedBy.STYLIST, **{**read, **fields}
    )


def demo_catalog_load(
    *, photos: list, tagger: str = "cnn", embed: bool = True, progress: Callable[[Iterable], Iterable] = lambda it: it
) -> tuple[int, int]:
    """Create a garment for every planned photo not loaded before; returns (created, skipped).

    `tagger` is "cnn" (the classifier reads type and colour) or "dataset" (the folder's labels); the CNN embedding is
    stored either way unless `embed` is False (no model available).
    """
    existing = set(
        Garment.objects.filter(source_key__in=[p.source_key for p in photos]).values_list("source_key", flat=True)
    )
    predictor = get_predictor() if tagger == "cnn" else None
    created = skipped = 0
    for photo in progress(photos):
        if photo.source_key in existing:
            skipped += 1
            continue
        try:
            image = open_image(photo.path)
        except InvalidImage:
            skipped += 1
            continue
        extra: dict[str, Any]
        if predictor is not None:
            read = garment_fields_from_prediction(predictor.predict(image))
            type_code, color = read["type"], read["color"]
            extra = {"tagged_by": TaggedBy.MODEL, **{k: read[k] for k in _READ_PROVENANCE}}
        else:
            type_code, color = photo.type, photo.color or "multicolor"
            extra = {"tagged_by": TaggedBy.DATASET, "embed": embed}
        # Coordination attributes come from the folder's labels (by eye; see the dataset's README); the shoe kind
        # only while the type agrees with the labelled one.
        kind = photo.kind if type_code == photo.type else ""
        garment_create(
            name=garment_names(
                type=type_code,
                color=color,
                pattern=photo.pattern,
                kind=kind,
                formality=photo.formality,
                audience=photo.audience,
                graphic=photo.graphic,
            ).en,
            image=image,
            type=type_code,
            color=color,
            second_color=photo.alt_color if photo.alt_color in COLORS and photo.alt_color != color else "",
            pattern=photo.pattern,
            graphic=photo.graphic,
            audience=photo.audience,
            warmth=photo.warmth,
            formality=photo.formality,
            kind=kind,
            source_key=photo.source_key,
            **extra,
        )
        created += 1
    return created, skipped


# ---------------------------------------------------------------- stylist console: photos in, tags from the CNN

# Camera and phone default names ("IMG_1234", "DSC01234", "PXL_20240101_...") say nothing about the garment.
_CAMERA_NAME = re.compile(r"^(img|dsc|dscn|dscf|pxl|photo|image|scan|screenshot)?[\s_\-]*[\d\s_\-]*$", re.IGNORECASE)


def garment_name_from_file(file_name: str) -> str:
    """A readable garment name from an upload's file name ("red_linen-shirt.jpg" -> "Red linen shirt"), or "" when
    the name is a camera default or empty."""
    stem = PurePath(file_name or "").stem
    words = re.sub(r"[\s_\-.]+", " ", stem).strip()
    if not words or _CAMERA_NAME.match(words):
        return ""
    return (words[0].upper() + words[1:])[:200]


def _named_from_tags(garment: Garment) -> bool:
    """Whether a garment's name is what its tags make, with or without its finer tags (kind, formality, audience),
    as auto-tagging named it before 2 Dec, and with or without its graphic print (named "patterned" before 6 Dec): a
    stylist's own name is none of them."""
    tag = garment_tag(garment)
    return garment.name in (
        garment_names(type=garment.type, color=garment.color, pattern=garment.pattern).en,
        tag_names(tag).en,
        tag_names(replace(tag, graphic=False)).en,
    )


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= char <= "\ud7a3" for char in text)


@dataclass(frozen=True)
class PhotoOutcome:
    file_name: str
    garment: Garment | None = None
    error: str = ""


def garments_create_from_photos(*, files: Iterable[UploadedFile]) -> list[PhotoOutcome]:
    """Create one CNN-tagged garment per valid photo; a bad file is reported with its reason and skipped.

    The size limit (settings.UPLOAD_MAX_BYTES) is enforced before a file is decoded.
    """
    outcomes: list[PhotoOutcome] = []
    for upload in files:
        file_name = PurePath(upload.name or "").name
        try:
            image = upload_open_image(upload)
        except InvalidImage as exc:
            outcomes.append(PhotoOutcome(file_name, error=image_error_message(exc.code, for_staff=True)))
            continue
        outcomes.append(PhotoOutcome(file_name, garment=garment_create_from_photo(file_name=file_name, image=image)))
    return outcomes


def garment_create_from_photo(
    *, file_name: str, image: Image.Image, source_key: str | None = None, prediction: Prediction | None = None
) -> Garment:
    """One CNN-tagged garment from a stylist's photo, named after the file (or "<Colour> <type>" from the CNN's
    reading). A Korean file name ("린넨 셔츠.jpg") is the Korean name; otherwise Korean pages name the garment from
    its tags. The CNN reads the photo first (or the caller passes its `prediction`), outside any transaction."""
    if prediction is None:
        prediction = get_predictor().predict(image)
    from_file = garment_name_from_file(file_name)
    korean_file_name = _has_hangul(from_file)
    read = garment_fields_from_prediction(prediction)
    # The English shop name from the tags ("Black sneakers", a man's "Brown dress shoes", "Black graphic t-shirt").
    default_name = garment_names(
        type=read["type"],
        color=read["color"],
        pattern=read.get("pattern", ""),
        kind=read.get("kind", ""),
        formality=read.get("formality", ""),
        audience=read.get("audience", ""),
        graphic=read.get("graphic", False),
    ).en
    return garment_create_tagged(
        name=default_name if korean_file_name else from_file or default_name,
        name_ko=from_file if korean_file_name else "",
        image=image,
        source_key=source_key,
        prediction=prediction,
    )


def garments_retag(*, garments: Iterable[Garment]) -> int:
    """Run the current CNN again on each garment's stored photo and replace its type, slot, colour, confidences,
    embedding and model version; returns how many were re-tagged (a garment whose photo is missing or unreadable is
    left as it was)."""
    predictor = get_predictor()
    retagged = 0
    for garment in garments:
        image = stored_photo_open(garment.image)
        if image is None:
            continue
        read = garment_fields_from_prediction(predictor.predict(image))
        # A name made from the old tags ("Red t-shirt") follows the new ones; a stylist's own name stays.
        named_from_tags = _named_from_tags(garment)
        for field, value in read.items():
            if field in _READ_ATTRIBUTES and not value:
                continue  # an attribute the model is unsure of keeps the value it had (a stylist's, or a label)
            if field == "graphic" and not read["pattern"]:
                continue  # part of the pattern: kept with it
            setattr(garment, field, embedding_to_bytes(value) if field == "embedding" else value)
        garment.slot = slot_of_type(garment.type)
        if garment.kind and not kind_of_type(garment.kind, garment.type):
            garment.kind = ""
        if named_from_tags:
            garment.name = tag_names(garment_tag(garment)).en
        if garment.second_color == garment.color:
            garment.second_color = ""
        garment.tagged_by = TaggedBy.MODEL
        garment.full_clean()
        try:
            versioned_save(instance=garment)
        except EditConflict:
            continue  # a stylist saved it meanwhile: their edit stands
        retagged += 1
    return retagged
