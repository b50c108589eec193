"""The one shape of every error the API and the JSON endpoints under /api/ answer (the DRF exception handler and the
project's 400/403/404/500/503 handlers all build it here):

    {"code": "<a stable machine word>", "detail": "<a sentence in the request's language>"}

plus `"fields": {"<field>": ["<reason>", ...]}` for invalid input (code `invalid`) and `"current_version": n` for an
edit conflict (code `edit_conflict`). Clients branch on `code`, never on `detail`. /healthz answers its own
`{"status": …}` for load balancers and is not an API error.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.utils.translation import gettext


def error_body(*, code: str, detail: str, fields: dict | None = None, **extra: object) -> dict[str, object]:
    """The error envelope: `code` and `detail`, `fields` when there are per-field reasons, and any extra member a
    code documents (edit_conflict's `current_version`)."""
    body: dict[str, object] = {"code": code, "detail": str(detail)}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return body


def error_response(*, status: int, code: str, detail: str) -> JsonResponse:
    """The envelope as a plain Django response (handlers outside DRF: middleware, handler404, …)."""
    return JsonResponse(error_body(code=code, detail=detail), status=status)


def request_limit_error(exc: BaseException) -> tuple[int, str, str] | None:
    """(status, code, detail) for a limit Django enforces on the request itself (body size, number of fields or
    files), or None for any other error; raised inside DRF's parsers or Django's own, the answer is the same."""
    if isinstance(exc, RequestDataTooBig):
        return 413, "request_too_large", gettext("The request body is too large.")
    if isinstance(exc, TooManyFilesSent):
        return 400, "too_many_files", gettext("The request has too many files.")
    if isinstance(exc, TooManyFieldsSent):
        return 400, "too_many_fields", gettext("The request has too many fields.")
    return None
