"""An upload handler that keeps an oversized file from being stored at all (in memory or on disk).

Django streams multipart bodies: small files go to memory, large ones to a temporary file. Without this handler a
50 MB photo is written to /tmp in full before the view refuses it. First in FILE_UPLOAD_HANDLERS, it passes chunks on
until UPLOAD_MAX_BYTES, then swallows the rest (still reading it off the socket, so the client gets its 400 instead
of a reset connection) and hands the view an empty file that knows its real size; `upload_open_image` refuses it as
"too large" before anything is decoded.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """Stands in for a file that went over the limit: the real size, no content."""

    def __init__(self, name: str, content_type: str, size: int, charset: str | None) -> None:
        super().__init__(io.BytesIO(b""), name, content_type, size, charset)


class UploadSizeLimitHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            return None  # the handlers after this one (memory, temp file) get nothing more
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > settings.UPLOAD_MAX_BYTES:
            return OversizedUpload(self.file_name or "", self.content_type or "", self.received, self.charset)
        return None  # within the limit: the next handler's file is the upload
