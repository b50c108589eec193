"""The job kinds the console can start, registered by the apps that own them (jobs sits below them and imports none).

The catalog and the recommender register their starters (`<kind>_job_start` in their `tasks.py`) from their
`AppConfig.ready()`; the job list shows a button for each one the user has the permission for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jobs.models import Job


@dataclass(frozen=True)
class JobStarter:
    permission: str  # needed to press the button, e.g. "catalog.change_garment"
    start: Callable[..., Job]  # start(user=...) creates the Job row and hands its task to Celery


# Buttons on the job list, in registration order: kind -> starter.
JOB_STARTERS: dict[str, JobStarter] = {}
# How a kind's per-file errors (stored without a language: the worker has none) read in the console's language.
JOB_ERROR_TEXTS: dict[str, Callable[[str], str]] = {}


def job_starter_register(*, kind: str, permission: str, start: Callable[..., Job]) -> None:
    JOB_STARTERS[kind] = JobStarter(permission=permission, start=start)


def job_error_text_register(*, kind: str, text: Callable[[str], str]) -> None:
    JOB_ERROR_TEXTS[kind] = text


def job_error_text(*, job: Job, error: str) -> str:
    """A stored per-file error in the console's language (as stored when the kind registered no translation)."""
    text = JOB_ERROR_TEXTS.get(job.kind)
    return text(error) if text is not None else error
