"""Catalog background jobs on Celery: re-tagging, photo import, the similarity index; and their starters (the
console's buttons, registered with jobs.starters by CatalogConfig.ready).

Every task is idempotent (acks late: a worker killed mid-task leaves the message for another worker, which repeats or
resumes it without double effects): work is split into numbered chunks recorded once (jobs.services.chunk_record).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import PurePath

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from catalog.models import Garment
from catalog.services import (
    PhotoOutcome,
    garment_create_from_photo,
    garment_photos_kept_only_if_committed,
    garments_retag,
)
from catalog.similarity import similarity_index_build, similarity_index_is_stale
from catalog.uploads import image_bytes_open, image_error_message, upload_size_check
from classifier.imaging import ImageErrorCode, InvalidImage
from classifier.predictor import get_predictor
from jobs.models import Job, JobKind
from jobs.services import (
    chunk_done,
    chunk_messages,
    chunk_record,
    job_create,
    job_enqueue,
    job_fail,
    job_finish,
    job_finish_if_complete,
    job_set_total,
    job_start,
)
from jobs.starters import job_error_text_register, job_starter_register

RETAG_CHUNK = 100
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".heif"}  # a zip member is read by its name
ZIP_MAX_MEMBERS = 5000


# ---------------------------------------------------------------- re-tag with the current model


@shared_task(acks_late=True)
def retag_start(job_id: int) -> None:
    """Split a re-tag job into chunks of RETAG_CHUNK garments, one task each (several workers share them)."""
    job = job_start(job_id=job_id)
    if job is None:
        return
    ids = job.params.get("ids")
    if ids is None:  # the whole catalog
        ids = list(Garment.objects.order_by("id").values_list("id", flat=True))
    chunks = [ids[i : i + RETAG_CHUNK] for i in range(0, len(ids), RETAG_CHUNK)]
    job_set_total(job_id=job_id, total=len(ids), chunks=len(chunks))
    if not chunks:
        job_finish(job_id=job_id, result={"retagged": 0, "skipped": 0})
        return
    for number, chunk in enumerate(chunks):
        if not chunk_done(job_id=job_id, number=number):
            retag_chunk.delay(job_id, number, chunk)


def _retag_result(job: Job) -> dict:
    return {"retagged": job.done, "skipped": job.failed}


@shared_task(acks_late=True)
def retag_chunk(job_id: int, number: int, ids: list[int]) -> None:
    if not chunk_done(job_id=job_id, number=number):
        # Re-tagging a garment twice gives the same tags: a chunk repeated after a crash is harmless.
        retagged = garments_retag(garments=Garment.objects.filter(pk__in=ids).order_by("id"))
        with transaction.atomic():
            chunk_record(job_id=job_id, number=number, done=retagged, failed=len(ids) - retagged)
    job_finish_if_complete(job_id=job_id, result=_retag_result)


# ---------------------------------------------------------------- bulk photo import (many files or zips)


def _photo_items(files: list[dict]) -> list[tuple[str, str, str | None, str]]:
    """(display name, stored file, zip member or None, error code or "") for every photo of the job, in a fixed
    order; a file refused on upload or an unreadable archive carries its error code."""
    items: list[tuple[str, str, str | None, str]] = []
    for entry in files:
        name, stored = entry["name"], entry["path"]
        if entry.get("error"):
            items.append((name, "", None, entry["error"]))
            continue
        if PurePath(name).suffix.lower() == ".zip":
            try:
                with default_storage.open(stored, "rb") as handle, zipfile.ZipFile(handle) as archive:
                    members = sorted(
                        info.filename
                        for info in archive.infolist()
                        if not info.is_dir()
                        and not info.filename.startswith("__MACOSX/")
                        and not PurePath(info.filename).name.startswith(".")
                        and PurePath(info.filename).suffix.lower() in IMAGE_SUFFIXES
                    )
            except zipfile.BadZipFile:
                items.append((name, stored, None, ImageErrorCode.ARCHIVE_UNREADABLE))
                continue
            items.extend((f"{name}/{member}", stored, member, "") for member in members[:ZIP_MAX_MEMBERS])
        else:
            items.append((name, stored, None, ""))
    return items


def _read_photo(stored: str, member: str | None) -> bytes:
    """A stored file's bytes, or a zip member's; at most UPLOAD_MAX_BYTES + 1 of them."""
    limit = settings.UPLOAD_MAX_BYTES
    with default_storage.open(stored, "rb") as handle:
        if member is None:
            return handle.read(limit + 1)
        with zipfile.ZipFile(handle) as archive:
            info = archive.getinfo(member)
            upload_size_check(size=info.file_size)
            with archive.open(info) as source:
                return source.read(limit + 1)  # the header may lie about the size


class _RecordedElsewhere(Exception):  # noqa: N818 - a state, not a failure
    """Another delivery of the same import task recorded this photo first."""


def _refusal_record(*, job_id: int, number: int, name: str, code: str) -> None:
    # The code, not a sentence: the console words it in the reader's language (catalog.uploads.image_error_message).
    chunk_record(job_id=job_id, number=number, done=0, failed=1, messages=[{"file": name, "error": code}])


@shared_task(acks_late=True)
def import_photos(job_id: int) -> None:
    """One CNN-tagged garment per photo; each photo's garment and its record commit together (a repeat skips it).

    The CNN reads each photo before that transaction opens (no database lock is held during inference). When another
    delivery of the task records a photo first, this one's garment rolls back with its photo files."""
    job = job_start(job_id=job_id)
    if job is None:
        return
    try:
        items = _photo_items(job.params.get("files", []))
        job_set_total(job_id=job_id, total=len(items))
        for number, (name, stored, member, error) in enumerate(items):
            if chunk_done(job_id=job_id, number=number):
                continue
            if error:  # refused on upload, or an archive that cannot be opened
                _refusal_record(job_id=job_id, number=number, name=name, code=error)
                continue
            try:
                image = image_bytes_open(_read_photo(stored, member))
            except InvalidImage as exc:
                _refusal_record(job_id=job_id, number=number, name=name, code=exc.code)
                continue
            prediction = get_predictor().predict(image)
            source_key = f"import:{job_id}:{number}"
            try:
                with garment_photos_kept_only_if_committed() as created:
                    garment = garment_create_from_photo(
                        file_name=PurePath(name).name, image=image, source_key=source_key, prediction=prediction
                    )
                    created.append(garment)
                    messages = [{"file": name, "garment": garment.pk}]
                    if not chunk_record(job_id=job_id, number=number, done=1, messages=messages):
                        raise _RecordedElsewhere
            except _RecordedElsewhere:
                continue
            except IntegrityError:
                if Garment.objects.filter(source_key=source_key).exists():
                    continue  # the other delivery's garment for this photo committed while ours was being written
                raise
    except Exception as exc:
        job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise
    job = Job.objects.get(pk=job_id)
    job_finish(job_id=job_id, result={"added": job.done, "failed": job.failed})
    for entry in job.params.get("files", []):
        if entry["path"]:
            default_storage.delete(entry["path"])


# ---------------------------------------------------------------- similarity index


@shared_task(acks_late=True)
def similarity_index_build_job(job_id: int) -> None:
    if job_start(job_id=job_id) is None:
        return
    try:
        manifest = similarity_index_build()
    except Exception as exc:
        job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise
    job_finish(job_id=job_id, result=manifest, done=manifest["size"])


@shared_task(acks_late=True)
def similarity_index_refresh() -> bool:
    """Beat, every 30 s: rebuild the similarity index when the catalog or the model changed. One build at a time
    (a lock in the shared cache); returns whether it built."""
    if not similarity_index_is_stale():
        return False
    if not cache.add("similarity-index-build-lock", 1, timeout=3600):
        return False
    try:
        similarity_index_build()
    finally:
        cache.delete("similarity-index-build-lock")
    return True


# ---------------------------------------------------------------- starting jobs (console buttons and bulk actions)


def retag_job_start(*, user=None, garment_ids: Iterable[int] | None = None) -> Job:
    """Re-tag the given garments (all of them when None) with the current model."""
    params = {} if garment_ids is None else {"ids": sorted(garment_ids)}
    job = job_create(kind=JobKind.RETAG, params=params, total=len(params.get("ids", [])), user=user)
    return job_enqueue(job=job, task=retag_start)


def import_photos_job_start(*, files: Iterable[UploadedFile], user=None) -> Job:
    """Keep the uploaded photos (or zips of photos) in the media storage for the import task, which deletes them."""
    job = job_create(kind=JobKind.IMPORT_PHOTOS, user=user)
    stored = []
    for number, upload in enumerate(files):
        name = upload.name or f"file-{number}"
        try:
            upload_size_check(size=upload.size)  # refused before storing anything
        except InvalidImage as exc:
            stored.append({"name": name, "path": "", "error": exc.code})
            continue
        suffix = ".zip" if name.lower().endswith(".zip") else ".bin"
        stored.append({"name": name, "path": default_storage.save(f"imports/{job.pk}/{number}{suffix}", upload)})
    job.params = {"files": stored}
    job.save(update_fields=["params"])
    return job_enqueue(job=job, task=import_photos)


def similarity_index_job_start(*, user=None) -> Job:
    return job_enqueue(job=job_create(kind=JobKind.SIMILARITY_INDEX, user=user), task=similarity_index_build_job)


def image_error_reason(code: str) -> str:
    """An import's per-file error (an image error code) in the console's words and language."""
    return image_error_message(code, for_staff=True)


def import_outcomes(*, job: Job) -> list[PhotoOutcome]:
    """The per-file outcomes of a finished import job, as the upload page shows them."""
    rows = chunk_messages(job=job)
    garments = Garment.objects.in_bulk([row["garment"] for row in rows if row.get("garment")])
    return [
        PhotoOutcome(
            row["file"].rsplit("/", 1)[-1],
            garment=garments.get(row.get("garment")),
            error=image_error_reason(row["error"]) if row.get("error") else "",
        )
        for row in rows
        if row.get("garment") is None or row["garment"] in garments
    ]


def job_starters_register() -> None:
    """The catalog's buttons on the job list, and how its imports' per-file errors read in the console."""
    job_starter_register(kind=JobKind.RETAG, permission="catalog.change_garment", start=retag_job_start)
    job_starter_register(
        kind=JobKind.SIMILARITY_INDEX, permission="catalog.view_garment", start=similarity_index_job_start
    )
    job_error_text_register(kind=JobKind.IMPORT_PHOTOS, text=image_error_reason)
