"""Recommender background jobs on Celery: export of corrections, the scheduled purge of shoppers' photos; and their
starters (the console's buttons, registered with jobs.starters by RecommenderConfig.ready)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from jobs.models import Job, JobKind
from jobs.services import job_create, job_enqueue, job_fail, job_finish, job_start
from jobs.starters import job_starter_register
from recommender.services import corrections_export, uploads_expired, uploads_purge_batched


@shared_task(acks_late=True)
def export_corrections(job_id: int) -> None:
    """Write the accepted corrections (images/ + corrections.csv) as one zip in the media storage. Repeating it
    rewrites the same file."""
    job = job_start(job_id=job_id)
    if job is None:
        return
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "export"
            written = corrections_export(out_dir=out, status=job.params.get("status", "accepted"))
            archive = shutil.make_archive(str(Path(tmp) / "corrections"), "zip", out)
            name = f"exports/corrections-job-{job_id}.zip"
            default_storage.delete(name)
            with open(archive, "rb") as handle:
                name = default_storage.save(name, File(handle))
    except Exception as exc:
        job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise
    job_finish(job_id=job_id, result={"photos": written, "file": name}, done=written)


@shared_task(acks_late=True)
def purge_uploads(job_id: int) -> None:
    """Delete expired shoppers' photos in batches (a repeat just finds fewer rows)."""
    job = job_start(job_id=job_id)
    if job is None:
        return
    days = int(job.params.get("older_than_days", settings.UPLOAD_RETENTION_DAYS))
    try:
        deleted = uploads_purge_batched(uploads=uploads_expired(older_than_days=days))
    except Exception as exc:
        job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        raise
    job_finish(job_id=job_id, result={"deleted": deleted, "older_than_days": days}, done=deleted)


@shared_task(acks_late=True)
def uploads_purge_scheduled() -> None:
    """Beat, daily: a purge job with the configured retention (UPLOAD_RETENTION_DAYS), visible in the admin."""
    job = job_create(kind=JobKind.PURGE_UPLOADS, params={"older_than_days": settings.UPLOAD_RETENTION_DAYS})
    purge_uploads(job.pk)


# ---------------------------------------------------------------- starting jobs (console buttons)


def export_corrections_job_start(*, user=None, status: str = "accepted") -> Job:
    job = job_create(kind=JobKind.EXPORT_CORRECTIONS, params={"status": status}, user=user)
    return job_enqueue(job=job, task=export_corrections)


def purge_uploads_job_start(*, user=None, older_than_days: int | None = None) -> Job:
    days = settings.UPLOAD_RETENTION_DAYS if older_than_days is None else older_than_days
    job = job_create(kind=JobKind.PURGE_UPLOADS, params={"older_than_days": days}, user=user)
    return job_enqueue(job=job, task=purge_uploads)


def job_starters_register() -> None:
    """The recommender's buttons on the job list."""
    job_starter_register(
        kind=JobKind.EXPORT_CORRECTIONS, permission="recommender.view_tagcorrection", start=export_corrections_job_start
    )
    job_starter_register(
        kind=JobKind.PURGE_UPLOADS, permission="recommender.delete_shopperupload", start=purge_uploads_job_start
    )
