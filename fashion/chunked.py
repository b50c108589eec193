"""Request bodies sent chunked (`Transfer-Encoding: chunked`, no Content-Length), read whole or refused with a reason.

Clients that stream an upload (a phone app posting a photo from a stream, `curl -T -`) send it chunked. Django reads
a body only as far as its Content-Length, so without this wrapper it sees such a body as empty and answers "no file
was submitted". Behind `make serve` nginx reads the body and passes it on with a length; this wrapper is for the
WSGI server met directly (gunicorn bound to `$PORT`, or behind a proxy that streams bodies):
- where the server reads the chunked framing and ends the input at the body's end (`wsgi.input_terminated`, as
  gunicorn does), it reads the body up to `DATA_UPLOAD_MAX_MEMORY_SIZE` (the same cap nginx applies) and hands it on
  with its length: 413 beyond that;
- elsewhere (Django's development server cannot read chunked bodies) it answers 411 with the reason, instead of the
  misleading empty-body answer, and has the server close the connection: the unread body would otherwise be taken for
  the client's next request on it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.translation import gettext_lazy

from fashion.errors import error_body

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def is_chunked(environ: dict) -> bool:
    encoding = environ.get("HTTP_TRANSFER_ENCODING", "")
    return "chunked" in encoding.lower() and not environ.get("CONTENT_LENGTH")


def refusal(
    environ: dict, start_response: Callable, status: str, code: str, reason: Promise, *, close: bool = False
) -> Iterable[bytes]:
    """The API's error envelope under /api/, a short page elsewhere; in the request's language (its language cookie
    or Accept-Language), as the app would answer.

    `close`: the body was left unread, so the connection must not carry another request. A WSGI application may not
    send `Connection: close` itself (a hop-by-hop header; wsgiref asserts it away), but a server closes a connection
    whose answer has no length: Django's development server says `Connection: close` and closes it. So the body goes
    out as an iterator of unknown length, without Content-Length."""
    with translation.override(translation.get_language_from_request(WSGIRequest(environ))):
        detail = str(reason)
    if environ.get("PATH_INFO", "").startswith("/api/"):
        body = json.dumps(error_body(code=code, detail=detail), ensure_ascii=False).encode()  # as DRF renders it
        content_type = "application/json"
    else:
        body = f"<!doctype html><title>{escape(status)}</title><p>{escape(detail)}</p>".encode()
        content_type = "text/html; charset=utf-8"
    if close:
        start_response(status, [("Content-Type", content_type)])
        return iter([body])
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


class ChunkedBodies:
    """WSGI middleware around the Django application (fashion.wsgi)."""

    def __init__(self, app: WSGIApp, *, max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not is_chunked(environ):
            return self.app(environ, start_response)
        if not environ.get("wsgi.input_terminated"):
            detail = gettext_lazy("This server cannot read a chunked request body; send it with a Content-Length.")
            return refusal(environ, start_response, "411 Length Required", "length_required", detail, close=True)
        cap = self.max_bytes if self.max_bytes is not None else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = environ["wsgi.input"].read(cap + 1)
        if len(body) > cap:
            detail = gettext_lazy("The request body is too large.")
            return refusal(environ, start_response, "413 Content Too Large", "request_too_large", detail)
        environ = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        del environ["HTTP_TRANSFER_ENCODING"]
        return self.app(environ, start_response)
