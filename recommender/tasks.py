"""Recommender background jobs on Celery: export of corrections, the scheduled purge of shoppers' photos."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from jobs.models import JobKind
from jobs.services import job_create, job_fail, job_finish, job_start


@shared_task(acks_late=True)
def export_corrections(job_id: int) -> None:
    """Write the accepted corrections (images/ + corrections.csv) as one zip in the media storage. Repeating it
    rewrites the same file."""
    from recommender.services import corrections_export

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
    from recommender.services import uploads_expired, uploads_purge_batched

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
