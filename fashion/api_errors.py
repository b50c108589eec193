"""DRF's exception handler (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]): every API error in the envelope of
fashion/errors.py. It sits on the project floor, above the apps whose errors it words."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from catalog.services import EditConflict
from catalog.uploads import image_error_message
from classifier.imaging import InvalidImage
from fashion.errors import error_body, request_limit_error


def _first_message(fields: dict) -> str:
    for name, messages in fields.items():
        first = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(first, dict):
            return _first_message(first)
        return str(first) if name == "non_field_errors" else f"{name}: {first}"
    return str(serializers.ValidationError.default_detail)


def api_exception_handler(exc, context) -> Response | None:
    """DRF's handler with every error in the one envelope: an unusable image (400, its image error code and the
    sentence pages show), an edit conflict (409), a model-level validation error and the request limits (too many
    fields or files, body too large) are the client's 4xx too. None (a 500, answered by handler500) otherwise."""
    if isinstance(exc, InvalidImage):
        body = error_body(code=exc.code, detail=image_error_message(exc.code))
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, EditConflict):
        body = error_body(code="edit_conflict", detail=str(exc), current_version=exc.current_version)
        return Response(body, status=status.HTTP_409_CONFLICT)
    limit = request_limit_error(exc)
    if limit is not None:
        status_code, code, detail = limit
        return Response(error_body(code=code, detail=detail), status=status_code)
    # Django's own exceptions as DRF words them (DRF converts them too, but the code is read from `exc` below).
    if isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, serializers.ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = error_body(code="invalid", detail=_first_message(fields), fields=fields)
    else:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        detail = data.get("detail", "") if isinstance(data, dict) else str(data)
        response.data = error_body(code=codes if isinstance(codes, str) else "error", detail=str(detail))
    return response
