"""Project middleware: security headers on every response, and a 503 instead of a 500 when the database is away."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views import defaults
from django.views.csrf import csrf_failure as default_csrf_failure

from fashion.errors import error_response, request_limit_error

logger = logging.getLogger(__name__)

# The API docs pages are drf-spectacular's templates: Redoc starts itself with an inline script.
_DOCS_PREFIXES = ("/api/redoc/",)


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Content-Security-Policy and Permissions-Policy on every response; Cache-Control on stored photos."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        if request.path.startswith(_DOCS_PREFIXES):
            policy = policy.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        media_url = settings.MEDIA_URL if settings.MEDIA_URL.startswith("/") else f"/{settings.MEDIA_URL}"
        if request.path.startswith(media_url) and response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={settings.MEDIA_CACHE_SECONDS}, immutable"
        return response

    return middleware


def is_database_unavailable(exc: BaseException) -> bool:
    """A lost, refused, timed-out or locked database, as opposed to a bug in a query (which stays a 500)."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    # The driver's own error seen without Django's wrapping (e.g. raised while Django reconnects).
    return isinstance(exc, DatabaseError) and type(exc).__name__ in {"OperationalError", "InterfaceError"}


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON for the API, a friendly page (no database needed to render it) for people."""
    retry_after = str(settings.DB_UNAVAILABLE_RETRY_AFTER)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = error_response(
            status=503,
            code="service_unavailable",
            detail=gettext("The service is temporarily unavailable; please retry shortly."),
        )
    else:
        response = HttpResponse(render_to_string("503.html", {"retry_after": retry_after}), status=503)
    response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response


# MySQL client errors that mean "the server is not there" (refused, gone away, lost during a query, timed out),
# as opposed to one statement failing (a lock wait timeout, a deadlock) on a server that answers.
_CONNECTION_ERRORS = {2002, 2003, 2005, 2006, 2013, 2026, 2055, 4031}
_breaker = {"open_until": 0.0}


def _connection_lost(exc: BaseException) -> bool:
    if isinstance(exc, InterfaceError):
        return True
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    return code in _CONNECTION_ERRORS


def database_unavailable(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """A view that cannot reach the database answers 503 (the load balancer and clients retry), never a 500.

    After a lost connection, the process answers 503 at once for DB_BREAKER_SECONDS instead of sending more requests
    to wait on a database that is hung (each would hold a worker thread for up to DB_READ_TIMEOUT, and /healthz
    would queue behind them). /healthz itself always runs, so it reports recovery, and the first request after the
    window tries the database again: recovery needs no restart.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if time.monotonic() < _breaker["open_until"] and request.path != "/healthz":
            return service_unavailable(request)
        return get_response(request)

    def process_exception(request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exc):
            return None
        if _connection_lost(exc):
            _breaker["open_until"] = time.monotonic() + settings.DB_BREAKER_SECONDS
        logger.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
        return service_unavailable(request)

    middleware.process_exception = process_exception  # type: ignore[attr-defined]
    return middleware


def _api_error(request: HttpRequest, status: int, detail: str, code: str) -> JsonResponse | None:
    if not request.path.startswith("/api/"):
        return None
    return error_response(status=status, code=code, detail=detail)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: the API's error envelope under /api/ (also for the multipart limits Django enforces itself)."""
    limit = request_limit_error(exception)
    if limit is not None:
        status, code, detail = limit
        response = _api_error(request, status, detail, code)
    else:
        response = _api_error(request, 400, gettext("Bad request."), "bad_request")
    return response or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    detail = str(exception) or gettext("You do not have permission to do this.")
    return _api_error(request, 403, detail, "permission_denied") or defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, 404, gettext("Not found."), "not_found") or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the envelope under /api/ (the error itself is logged by Django, never shown)."""
    detail = gettext("Something went wrong on our side; please try again later.")
    return _api_error(request, 500, detail, "server_error") or defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    detail = gettext("CSRF check failed: %(reason)s") % {"reason": reason}
    return _api_error(request, 403, detail, "csrf_failed") or default_csrf_failure(request, reason)
