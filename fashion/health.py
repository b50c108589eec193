"""`/healthz`: is this process able to serve? The database answers and the model is loaded."""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def database_status() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def model_status() -> str:
    from classifier.predictor import get_predictor

    return get_predictor().model_version


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 {"status": "ok", "database": "ok", "model": "<version>"}, or 503 naming the part that failed."""
    body = {"status": "ok"}
    for part, check in (("database", database_status), ("model", model_status)):
        try:
            body[part] = check()
        except Exception as exc:
            logger.exception("health check: %s failed", part)
            body["status"] = "error"
            body[part] = f"error: {type(exc).__name__}"
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
