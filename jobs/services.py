"""Creating, running and recording background jobs.

A job is a row the admin shows (status, done/total, result); its work runs in Celery tasks. Work is split into numbered
chunks, and each chunk's outcome is recorded exactly once (JobChunk is unique per job and number), in the same
transaction as the chunk's database writes where possible: a task delivered again after a worker restart skips what
was already recorded and never counts anything twice.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jobs.models import Job, JobChunk, JobStatus


def job_create(*, kind: str, params: dict | None = None, total: int = 0, user=None) -> Job:
    return Job.objects.create(kind=kind, params=params or {}, total=total, created_by=user)


def job_enqueue(*, job: Job, task, args: tuple = ()) -> Job:
    """Send the job's task once the job row is committed (eager without a broker: it runs now); returns the job
    reloaded, so an eager run's outcome is visible to the caller."""
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        task.apply(args=(job.pk, *args), throw=True)  # no broker: in-process, now (same connection, no commit wait)
    else:
        transaction.on_commit(lambda: task.delay(job.pk, *args))
    job.refresh_from_db()
    return job


def job_start(*, job_id: int) -> Job | None:
    """Mark a job running (first start only); None when it no longer exists or has already finished."""
    Job.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=timezone.now())
    Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING)
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
        return None
    return job


def job_set_total(*, job_id: int, total: int, **params) -> None:
    job = Job.objects.get(pk=job_id)
    job.total = total
    job.params = {**job.params, **params}
    job.save(update_fields=["total", "params"])


def chunk_done(*, job_id: int, number: int) -> bool:
    return JobChunk.objects.filter(job_id=job_id, number=number).exists()


def chunk_record(*, job_id: int, number: int, done: int, failed: int = 0, messages: list | None = None) -> bool:
    """Record one chunk's outcome and add it to the job's progress, once. Returns False when it was already recorded.

    Call inside the transaction that made the chunk's changes, so both commit or neither does.
    """
    try:
        with transaction.atomic():
            JobChunk.objects.create(job_id=job_id, number=number, done=done, failed=failed, messages=messages or [])
    except IntegrityError:
        return False
    Job.objects.filter(pk=job_id).update(done=F("done") + done, failed=F("failed") + failed)
    return True


def job_finish_if_complete(*, job_id: int, result: Callable[[Job], dict] | None = None) -> bool:
    """Finish the job when all its chunks (params["chunks"]) are recorded; whichever chunk task ends last does it."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            return True
        if JobChunk.objects.filter(job_id=job_id).count() < int(job.params.get("chunks", 0)):
            return False
        job.status = JobStatus.DONE
        job.finished_at = timezone.now()
        job.result = {**job.result, **(result(job) if result else {})}
        job.save(update_fields=["status", "finished_at", "result"])
        return True


def job_finish(*, job_id: int, result: dict | None = None, done: int | None = None) -> None:
    fields = {"status": JobStatus.DONE, "finished_at": timezone.now(), "result": result or {}}
    if done is not None:
        fields["done"] = done
    Job.objects.filter(pk=job_id).update(**fields)


def job_fail(*, job_id: int, error: str) -> None:
    Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, finished_at=timezone.now(), error=error[:5000])


def chunk_messages(*, job: Job) -> list:
    """Every chunk's messages, in chunk order (e.g. one outcome per imported file)."""
    return [m for chunk in job.chunks.order_by("number") for m in chunk.messages]
