"""The Celery app: background jobs (re-tagging, photo import, similarity index, exports, purge).

Workers: `celery -A fashion worker -l info` (and one `celery -A fashion beat` per deployment for the schedule).
Without CELERY_BROKER_URL every task runs in-process, at once (eager): `make run` needs no broker.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fashion.settings.local")

app = Celery("fashion")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
