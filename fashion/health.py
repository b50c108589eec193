"""`/healthz`: is this process able to serve? The database answers and the model is loaded.

The database probe runs in its own thread with its own connection and is given HEALTHZ_DB_TIMEOUT seconds: a
database that hangs (stopped, overloaded, a network black hole) makes /healthz answer 503 within that time instead of
hanging with it. While one probe still hangs, later checks answer 503 at once rather than pile up threads.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from classifier.predictor import get_predictor

logger = logging.getLogger(__name__)

_probe_lock = threading.Lock()
_probe_in_flight: threading.Thread | None = None


class DatabaseTimeout(Exception):  # noqa: N818 - reported by name in the JSON body
    """The database did not answer within HEALTHZ_DB_TIMEOUT seconds."""


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def database_status() -> str:
    global _probe_in_flight
    timeout = float(getattr(settings, "HEALTHZ_DB_TIMEOUT", 1.5))
    outcome: dict[str, BaseException | None] = {}

    def probe() -> None:
        try:
            _select_one()
            outcome["error"] = None
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            connection.close()  # this thread's own connection; a hung one is dropped when it finally returns

    with _probe_lock:
        if _probe_in_flight is not None and _probe_in_flight.is_alive():
            raise DatabaseTimeout("an earlier probe is still waiting for the database")
        thread = threading.Thread(target=probe, name="healthz-db-probe", daemon=True)
        _probe_in_flight = thread
        thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise DatabaseTimeout(f"no answer within {timeout:g} s")
    error = outcome.get("error")
    if error is not None:
        raise error
    return "ok"


def model_status() -> str:
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
            logger.warning("health check: %s failed: %s: %s", part, type(exc).__name__, exc)
            body["status"] = "error"
            body[part] = f"error: {type(exc).__name__}"
    response = JsonResponse(body, status=200 if body["status"] == "ok" else 503)
    if body["status"] != "ok":
        response["Retry-After"] = str(settings.DB_UNAVAILABLE_RETRY_AFTER)
    return response
