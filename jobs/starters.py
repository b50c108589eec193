"""Starting jobs: create the Job row, then hand its task to Celery (in-process without a broker)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

from catalog.uploads import image_error_message, upload_size_check
from classifier.imaging import InvalidImage
from jobs.models import Job, JobKind
from jobs.services import job_create, job_enqueue


def retag_job_start(*, user=None, garment_ids: Iterable[int] | None = None) -> Job:
    """Re-tag the given garments (all of them when None) with the current model."""
    from catalog.tasks import retag_start

    params = {} if garment_ids is None else {"ids": sorted(garment_ids)}
    job = job_create(kind=JobKind.RETAG, params=params, total=len(params.get("ids", [])), user=user)
    return job_enqueue(job=job, task=retag_start)


def import_photos_job_start(*, files: Iterable[UploadedFile], user=None) -> Job:
    """Keep the uploaded photos (or zips of photos) in the media storage for the import task, which deletes them."""
    from catalog.tasks import import_photos

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
    from catalog.tasks import similarity_index_build_job

    return job_enqueue(job=job_create(kind=JobKind.SIMILARITY_INDEX, user=user), task=similarity_index_build_job)


def export_corrections_job_start(*, user=None, status: str = "accepted") -> Job:
    from recommender.tasks import export_corrections

    job = job_create(kind=JobKind.EXPORT_CORRECTIONS, params={"status": status}, user=user)
    return job_enqueue(job=job, task=export_corrections)


def purge_uploads_job_start(*, user=None, older_than_days: int | None = None) -> Job:
    from recommender.tasks import purge_uploads

    days = settings.UPLOAD_RETENTION_DAYS if older_than_days is None else older_than_days
    job = job_create(kind=JobKind.PURGE_UPLOADS, params={"older_than_days": days}, user=user)
    return job_enqueue(job=job, task=purge_uploads)


# Buttons on the job list: kind -> (permission needed, starter).
JOB_STARTERS = {
    JobKind.RETAG: ("catalog.change_garment", retag_job_start),
    JobKind.SIMILARITY_INDEX: ("catalog.view_garment", similarity_index_job_start),
    JobKind.EXPORT_CORRECTIONS: ("recommender.view_tagcorrection", export_corrections_job_start),
    JobKind.PURGE_UPLOADS: ("recommender.delete_shopperupload", purge_uploads_job_start),
}


def import_outcomes(*, job: Job) -> list:
    """The per-file outcomes of a finished import job, as the upload page shows them."""
    from catalog.models import Garment
    from catalog.services import PhotoOutcome
    from jobs.services import chunk_messages

    rows = chunk_messages(job=job)
    garments = Garment.objects.in_bulk([row["garment"] for row in rows if row.get("garment")])
    return [
        PhotoOutcome(
            row["file"].rsplit("/", 1)[-1],
            garment=garments.get(row.get("garment")),
            error=image_error_message(row["error"], for_staff=True) if row.get("error") else "",
        )
        for row in rows
        if row.get("garment") is None or row["garment"] in garments
    ]
