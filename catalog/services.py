"""Write operations on the catalog."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext
from PIL import Image

from catalog.models import Garment, PairingRule, TaggedBy
from catalog.vocabulary import COLORS, TYPES, slot_of_type

STORED_IMAGE_MAX_SIDE = 1024


def image_to_stored_jpeg(image: Image.Image) -> ContentFile:
    """Re-encode a decoded RGB image as a JPEG: no EXIF or other metadata survives, size is bounded."""
    image = image.convert("RGB")
    image.info = {}  # Pillow would write a JPEG comment or ICC profile from here; nothing of the upload's survives
    image.thumbnail((STORED_IMAGE_MAX_SIDE, STORED_IMAGE_MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88, optimize=True)
    return ContentFile(buffer.getvalue(), name="image.jpg")


def embedding_to_bytes(embedding: np.ndarray | None) -> bytes | None:
    return None if embedding is None else np.asarray(embedding, dtype=np.float32).tobytes()


@transaction.atomic
def garment_create(
    *,
    name: str,
    image: Image.Image,
    type: str,
    color: str,
    second_color: str = "",
    pattern: str = "",
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
    (no model available yet: "Re-tag with the current model" fills it in later).
    """
    if embedding is None and embed:
        from classifier.predictor import get_predictor

        prediction = get_predictor().predict(image)
        embedding, model_version = prediction.embedding, model_version or prediction.model_version
    garment = Garment(
        name=name,
        type=type,
        slot=slot_of_type(type),
        color=color,
        second_color="" if second_color == color else second_color,
        pattern=pattern,
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
    garment.full_clean()
    garment.save()
    return garment


def garment_update(*, garment: Garment, new_image: Image.Image | None = None, tags_changed: bool = False) -> Garment:
    """Save a stylist's edit (admin form or API): the slot follows the type; a new photo is stored re-encoded (upright,
    no EXIF) and gets a fresh CNN embedding; type or colour set by hand make the stylist the tagger (no review)."""
    garment.slot = slot_of_type(garment.type)
    if tags_changed:
        garment.tagged_by = TaggedBy.STYLIST
    if new_image is not None:
        from classifier.predictor import get_predictor

        prediction = get_predictor().predict(new_image)
        garment.image = image_to_stored_jpeg(new_image)
        garment.embedding = embedding_to_bytes(prediction.embedding)
        garment.model_version = prediction.model_version
    garment.full_clean()
    return versioned_save(instance=garment)


def rows_delete_with_images(*, objects: Iterable[models.Model]) -> int:
    """Delete model rows and, once the transaction commits, the files of their `image` fields (local media or S3).

    Files go only after the commit, so a rolled-back delete never leaves rows pointing at missing photos.
    """
    objects = list(objects)
    if not objects:
        return 0
    files = [(obj.image.storage, obj.image.name) for obj in objects if obj.image]
    with transaction.atomic():
        type(objects[0]).objects.filter(pk__in=[obj.pk for obj in objects]).delete()

        def delete_files() -> None:
            for storage, name in files:
                storage.delete(name)

        transaction.on_commit(delete_files)
    return len(objects)


def garments_delete(*, garments: Iterable[Garment]) -> int:
    """Delete garments and their stored photos."""
    return rows_delete_with_images(objects=garments)


def garments_set_active(*, garments: Iterable[Garment], active: bool) -> int:
    ids = [g.pk for g in garments]
    return Garment.objects.filter(pk__in=ids).update(is_active=active)


def pairing_rules_set_active(*, rules: Iterable[PairingRule], active: bool) -> int:
    ids = [r.pk for r in rules]
    return PairingRule.objects.filter(pk__in=ids).update(is_active=active)


def pairing_rule_create(
    *,
    input_slot: str,
    input_color: str,
    output_slot: str,
    output_color: str,
    note: str,
    input_type: str = "",
    output_type: str = "",
    weight: int = 50,
    note_ko: str = "",
    author: AbstractBaseUser | None = None,
    is_active: bool = True,
) -> PairingRule:
    rule = PairingRule(
        input_slot=input_slot,
        input_type=input_type,
        input_color=input_color,
        output_slot=output_slot,
        output_type=output_type,
        output_color=output_color,
        weight=weight,
        note=note,
        note_ko=note_ko,
        author=author,
        is_active=is_active,
    )
    rule.full_clean()
    rule.save()
    return rule


def starter_rules_load(*, author: AbstractBaseUser | None = None) -> int:
    """Load the starter stylist rules; rules that already exist (same pairing) are left as the stylists edited them."""
    from catalog.starter_rules import STARTER_RULES, starter_rule_notes

    created = 0
    for in_slot, in_color, out_slot, out_color, weight, handcrafted in STARTER_RULES:
        note, note_ko = starter_rule_notes(in_slot, in_color, out_slot, out_color, handcrafted)
        _, was_created = PairingRule.objects.get_or_create(
            input_slot=in_slot,
            input_type="",
            input_color=in_color,
            output_slot=out_slot,
            output_type="",
            output_color=out_color,
            defaults={"weight": weight, "note": note, "note_ko": note_ko, "author": author},
        )
        created += was_created
    return created


def garment_create_tagged(
    *, name: str, image: Image.Image, type: str | None = None, color: str | None = None, **fields
) -> Garment:
    """Create a garment; the CNN fills the type and color the stylist left empty and stores the embedding."""
    from classifier.predictor import get_predictor

    prediction = get_predictor().predict(image)
    by_model = type is None or color is None
    return garment_create(
        name=name,
        image=image,
        type=type or prediction.type.label,
        color=color or prediction.color.label,
        tagged_by=TaggedBy.MODEL if by_model else TaggedBy.STYLIST,
        type_confidence=prediction.type.confidence,
        slot_confidence=prediction.slot.confidence,
        color_confidence=prediction.color.confidence,
        model_version=prediction.model_version,
        embedding=prediction.embedding,
        **fields,
    )


def demo_catalog_load(
    *, photos: list, tagger: str = "cnn", embed: bool = True, progress: Callable[[Iterable], Iterable] = lambda it: it
) -> tuple[int, int]:
    """Create a garment for every planned photo not loaded before; returns (created, skipped).

    `tagger` is "cnn" (the classifier reads type and colour) or "dataset" (the folder's labels); the CNN embedding is
    stored either way unless `embed` is False (no model available).
    """
    from catalog.demo import demo_garment_name
    from classifier.imaging import InvalidImage, open_image

    existing = set(
        Garment.objects.filter(source_key__in=[p.source_key for p in photos]).values_list("source_key", flat=True)
    )
    predictor = None
    if tagger == "cnn":
        from classifier.predictor import get_predictor

        predictor = get_predictor()
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
        if predictor is not None:
            prediction = predictor.predict(image)
            type_code, color = prediction.type.label, prediction.color.label
            extra = {
                "tagged_by": TaggedBy.MODEL,
                "type_confidence": prediction.type.confidence,
                "slot_confidence": prediction.slot.confidence,
                "color_confidence": prediction.color.confidence,
                "model_version": prediction.model_version,
                "embedding": prediction.embedding,
            }
        else:
            type_code, color = photo.type, photo.color or "multicolor"
            extra = {"tagged_by": TaggedBy.DATASET, "embed": embed}
        garment_create(
            name=demo_garment_name(type_code, color, photo.image_id),
            image=image,
            type=type_code,
            color=color,
            second_color=photo.alt_color if photo.alt_color in COLORS and photo.alt_color != color else "",
            pattern=photo.pattern,
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


def garment_default_name(*, type: str, color: str) -> str:
    """ "<Color> <type>", e.g. "Red t-shirt"."""
    return f"{COLORS[color].name_en} {TYPES[type].name_en.lower()}"


@dataclass(frozen=True)
class PhotoOutcome:
    file_name: str
    garment: Garment | None = None
    error: str = ""


def garments_create_from_photos(*, files: Iterable[UploadedFile]) -> list[PhotoOutcome]:
    """Create one CNN-tagged garment per valid photo; a bad file is reported with its reason and skipped.

    The size limit (settings.UPLOAD_MAX_BYTES) is enforced before a file is decoded.
    """
    from classifier.imaging import InvalidImage
    from recommender.uploads import upload_open_image

    outcomes: list[PhotoOutcome] = []
    for upload in files:
        file_name = PurePath(upload.name or "").name
        try:
            image = upload_open_image(upload)
        except InvalidImage as exc:
            outcomes.append(PhotoOutcome(file_name, error=str(exc)))
            continue
        with transaction.atomic():
            garment = garment_create_tagged(name=garment_name_from_file(file_name) or "-", image=image)
            if garment.name == "-":
                # The name follows the CNN's reading, known only once the garment is tagged.
                garment.name = garment_default_name(type=garment.type, color=garment.color)
                garment.save(update_fields=["name", "updated_at"])
        outcomes.append(PhotoOutcome(file_name, garment=garment))
    return outcomes


def garments_retag(*, garments: Iterable[Garment]) -> int:
    """Run the current CNN again on each garment's stored photo and replace its type, slot, colour, confidences,
    embedding and model version; returns how many were re-tagged (a garment whose photo is missing or unreadable is
    left as it was)."""
    from classifier.imaging import InvalidImage, open_image
    from classifier.predictor import get_predictor

    predictor = get_predictor()
    retagged = 0
    for garment in garments:
        if not garment.image:
            continue
        try:
            with garment.image.open("rb") as stored:
                image = open_image(stored.read())
        except (OSError, InvalidImage):
            continue
        prediction = predictor.predict(image)
        garment.type = prediction.type.label
        garment.slot = slot_of_type(prediction.type.label)
        garment.color = prediction.color.label
        if garment.second_color == garment.color:
            garment.second_color = ""
        garment.tagged_by = TaggedBy.MODEL
        garment.type_confidence = prediction.type.confidence
        garment.slot_confidence = prediction.slot.confidence
        garment.color_confidence = prediction.color.confidence
        garment.model_version = prediction.model_version
        garment.embedding = embedding_to_bytes(prediction.embedding)
        garment.full_clean()
        try:
            versioned_save(instance=garment)
        except EditConflict:
            continue  # a stylist saved it meanwhile: their edit stands
        retagged += 1
    return retagged


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


def edit_start(*, model: type[models.Model], pk: int, expected_version: int | None) -> models.Model:
    """Inside a transaction: the current row, locked until the transaction ends (a parallel editor waits here), or
    EditConflict when it has moved past `expected_version` (the version the editor's form or request was based on).
    With `expected_version` None the row is only locked: changes apply to what is current, never to a stale copy."""
    instance = model.objects.select_for_update().get(pk=pk)
    if expected_version is not None and instance.version != expected_version:
        raise EditConflict(label=str(model._meta.verbose_name), current_version=instance.version)
    return instance


def versioned_save(*, instance: models.Model) -> models.Model:
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


def pairing_rule_update(*, rule: PairingRule) -> PairingRule:
    """Save a stylist's edit of a rule (admin form or API), checked and versioned like garments."""
    rule.full_clean()
    return versioned_save(instance=rule)
