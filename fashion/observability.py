"""What operations see of the site: request ids, JSON-lines logs, Prometheus metrics, optional Sentry.

- Every request gets an id (the caller's `X-Request-ID` when it is a sane token, else a new one), echoed in the
  response header and attached to every log record written while the request runs, with the model version once a
  photo has been classified.
- `JsonLinesFormatter` writes one JSON object per line (production's default log format); the `fashion.request` logger
  writes one line per request with method, path, route, status and latency.
- Prometheus metrics (`/metrics`, see `metrics_view`): request latency by route and status, inference latency by model
  version, throttle refusals by scope. With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py
  cleans up after dead workers) so one scrape sees every worker.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hmac
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
model_version_var: contextvars.ContextVar[str] = contextvars.ContextVar("model_version", default="")

REQUEST_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it.",
    ["method", "route", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
INFERENCE_LATENCY = Histogram(
    "classifier_inference_seconds",
    "Time of one CNN reading of one photo (decoding excluded).",
    ["model_version"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
THROTTLE_REFUSALS = Counter("throttle_refusals", "Requests refused by a rate limit.", ["scope"])

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
request_logger = logging.getLogger("fashion.request")


def inference_record(*, model_version: str, seconds: float) -> None:
    """Count one CNN reading; the request's log lines carry the model version from here on."""
    INFERENCE_LATENCY.labels(model_version=model_version).observe(seconds)
    model_version_var.set(model_version)


def throttle_refusal_record(*, scope: str) -> None:
    THROTTLE_REFUSALS.labels(scope=scope).inc()


def _route(request: HttpRequest) -> str:
    """The URL pattern, not the path: `/garments/<int:pk>/` stays one time series however many garments there are."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "static" if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")) else "unmatched"
    return "/" + match.route if match.route else (match.view_name or "unnamed")


class RequestObservabilityMiddleware:
    """First in MIDDLEWARE: the request id, one log line and one latency sample per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
        id_token = request_id_var.set(request_id)
        version_token = model_version_var.set("")
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route = _route(request)
            response["X-Request-ID"] = request_id
            if route != "/metrics":  # scrapes would drown the site's own numbers
                REQUEST_LATENCY.labels(request.method or "", route, str(response.status_code)).observe(seconds)
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "route": route,
                    "status": response.status_code,
                    "latency_ms": round(seconds * 1000, 1),
                },
            )
            return response
        finally:
            model_version_var.reset(version_token)
            request_id_var.reset(id_token)


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `model_version` (empty outside a request / before a photo is read) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.model_version = model_version_var.get()
        return True


# LogRecord attributes that are not "extra" fields.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, model_version, and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and value not in ("", None):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics. With METRICS_TOKEN set, scrapers send `Authorization: Bearer <token>`; without it the
    endpoint exists only in DEBUG (local development) and answers 404 elsewhere."""
    token = settings.METRICS_TOKEN
    if token:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(offered.encode(), token.encode()):
            return HttpResponse("A bearer token is needed for /metrics.\n", status=403, content_type="text/plain")
    elif not settings.DEBUG:
        return HttpResponse("Not found.\n", status=404, content_type="text/plain")
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def sentry_init(*, dsn: str, environment: str, release: str | None, traces_sample_rate: float) -> None:
    """Send errors (and, when sampled, traces) to Sentry; each event is tagged with the request id and model."""
    # lazy: sentry_sdk takes ~0.7 s to import; it is loaded only when SENTRY_DSN is set
    import sentry_sdk  # noqa: PLC0415
    from sentry_sdk.integrations.django import DjangoIntegration  # noqa: PLC0415

    def tag_event(event: Any, hint: Any) -> Any:
        tags = event.setdefault("tags", {})
        if request_id_var.get():
            tags["request_id"] = request_id_var.get()
        if model_version_var.get():
            tags["model_version"] = model_version_var.get()
        return event

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,  # shoppers are anonymous; keep their addresses out of third-party logs
        before_send=tag_event,
    )
