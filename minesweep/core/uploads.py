"""Upload handling that keeps reporters' files in memory.

Django spools uploads above ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file. For the public reporting
paths that would put a whistleblower's photo on disk unencrypted for the length of the request, so there
this handler takes every upload in memory. It keeps at most ``UPLOAD_MAX_BYTES + 1`` bytes of a file (and
reports the full size), so an oversized file is still seen as oversized by validation without being held.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

REPORTER_PATHS = ("/report/", "/api/v1/reports")


class ReporterUploadInMemory(FileUploadHandler):
    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        self.activated = self.request is not None and self.request.path.startswith(REPORTER_PATHS)

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.activated:
            self.buffer = io.BytesIO()
            self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if not self.activated:
            return raw_data
        room = settings.UPLOAD_MAX_BYTES + 1 - self.buffer.tell()
        if room > 0:
            self.buffer.write(raw_data[:room])
        self.received += len(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if not self.activated:
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
