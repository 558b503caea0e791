"""A file past the size limit is not stored as it arrives: the server's disk never holds more than
the limit of it, and the form still names its real size and the limit."""

from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler
from django.test import RequestFactory

from portal.upload_handlers import OversizedUpload, SizeCapUploadHandler

MB = 1024 * 1024


class Recording(TemporaryFileUploadHandler):
    """The usual temporary-file handler, remembering how much it was given to write."""

    def receive_data_chunk(self, raw_data, start):
        self.written = getattr(self, "written", 0) + len(raw_data)
        return super().receive_data_chunk(raw_data, start)


def _parse(content: bytes) -> tuple[object, FileUploadHandler]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    request = RequestFactory().post(
        "/", {"file": SimpleUploadedFile("scan.pdf", content, "application/pdf"), "title": "kept"}
    )
    recording = Recording(request)
    request.upload_handlers = [SizeCapUploadHandler(request), recording]
    return request, recording


def test_a_file_past_the_limit_is_not_stored_and_keeps_its_size(settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1 * MB
    request, recording = _parse(b"%PDF-1.7\n" + b"x" * (5 * MB))

    upload = request.FILES["file"]

    assert isinstance(upload, OversizedUpload)
    assert upload.size == 5 * MB + 9 and upload.read() == b""
    assert recording.written <= 1 * MB  # the rest was dropped as it came
    assert recording.file.closed  # and what it had written is gone
    assert request.POST["title"] == "kept"


def test_a_file_within_the_limit_arrives_whole(settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1 * MB
    content = b"%PDF-1.7\n" + b"x" * (MB - 100)
    request, _recording = _parse(content)

    upload = request.FILES["file"]

    assert not isinstance(upload, OversizedUpload)
    assert upload.read() == content
