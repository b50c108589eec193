"""The OpenAPI schema documents the error envelope (fashion/errors.py) on every operation, as 4XX and 5XX answers."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from classifier.imaging import ImageErrorCode

_IMAGE_CODES = ", ".join(f"`{code.value}`" for code in ImageErrorCode)

ErrorEnvelope = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(
            help_text=(
                "A stable machine word to branch on: `invalid` (see `fields`), `parse_error`, `bad_request`, "
                "`unsupported_media_type`, `not_found`, `not_authenticated`, `authentication_failed`, "
                "`permission_denied`, `csrf_failed`, `method_not_allowed`, `throttled` (with a Retry-After "
                "header), `edit_conflict`, `invalid_choice`, `correction_reviewed`, `request_too_large`, "
                "`length_required` (a chunked body this server cannot read), `too_many_fields`, "
                "`too_many_files`, `service_unavailable` (Retry-After), `server_error`; for a "
                f"photo that cannot be used, its image error code: {_IMAGE_CODES}."
            )
        ),
        "detail": serializers.CharField(
            help_text="A sentence for people, in the request's language (Accept-Language: en or ko)."
        ),
        "fields": serializers.DictField(
            child=serializers.JSONField(),
            required=False,
            help_text="With `invalid`: the reasons per input field (`non_field_errors` for the input as a whole).",
        ),
        "current_version": serializers.IntegerField(
            required=False, help_text="With `edit_conflict`: the version someone else saved (send it to retry)."
        ),
    },
)


_ERROR_RESPONSES = {
    "4XX": OpenApiResponse(ErrorEnvelope, description="The request cannot be answered as sent (see `code`)."),
    "5XX": OpenApiResponse(
        ErrorEnvelope, description="`service_unavailable` (retry after Retry-After seconds) or `server_error`."
    ),
}


class ErrorEnvelopeAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the error envelope as every operation's 4XX and 5XX response."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction == "response":
            for status_range, response in _ERROR_RESPONSES.items():
                responses.setdefault(status_range, self._get_response_for_code(response, status_range))
        return responses
