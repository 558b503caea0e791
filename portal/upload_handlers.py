"""Uploads are never kept past the size limit.

Django writes an upload to memory or a temporary file as it arrives and our validators
(`applicants.uploads.check_upload`) judge it afterwards, so a 2 GB file used to land whole on
disk before being refused for being over 10 MB. This handler runs first: it counts each file's
bytes, and once a file passes the largest size any form accepts, it drops the rest (never written
anywhere), discards what the next handler had stored, and hands the form an empty file that
carries only the size it reached. The form then refuses it with the usual reason ("The file is
…; the limit is …"), and what else was typed is kept.

The body is still read to its end (a request cannot be answered half-read without resetting the
connection, which the browser shows as a network error instead of our message): deployments
should still cap the request body at the proxy, well above the limit (README, Configuration).
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """A file refused for its size while it arrived: no content, only how big it got."""

    def __init__(
        self,
        *,
        name: str,
        content_type: str | None,
        size: int,
        charset: str | None = None,
        content_type_extra: dict | None = None,
    ) -> None:
        super().__init__(io.BytesIO(b""), name, content_type, size, charset, content_type_extra)


class SizeCapUploadHandler(FileUploadHandler):
    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.cap = settings.PORTAL_MAX_UPLOAD_BYTES
        self.received = 0
        self.over = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.over = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received <= self.cap:
            return raw_data
        if not self.over:
            self.over = True
            self._discard_what_others_stored()
        return None  # the later handlers never see the rest

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.over:
            return None  # the next handler (memory or temporary file) completes it as usual
        return OversizedUpload(
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )

    def _discard_what_others_stored(self) -> None:
        for handler in getattr(self.request, "upload_handlers", ()):
            if handler is not self and hasattr(handler, "file"):
                handler.file.close()  # a temporary upload file is deleted when closed
