"""Project package; the Celery app is loaded with Django so `shared_task` uses its settings."""

from fashion.celery import app as celery_app

__all__ = ["celery_app"]
