"""PDFs a desktop reader would act on, and images too large to decode, are refused wherever a document
is uploaded (the applicant's documents and the letter writer's link), with what to do instead; a
signed PDF, a link and an opening view are not active content and are accepted."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applicants.active_content import image_pixels
from tests.security import hostile_files
from tests.security.hostile_files import ACTIVE_PDFS, HUGE_IMAGES
from tests.security.test_hostile_uploads import ENTRY_POINTS, _check_refused, _page_text, stored_files

pytestmark = pytest.mark.django_db

DOCUMENT_ENTRIES = [e for e in ENTRY_POINTS if e.folder]  # not the rank import, which reads text
APPLICANT_ENTRIES = [e for e in DOCUMENT_ENTRIES if e.folder == "applicants"]  # the writer sends PDFs only


@pytest.mark.parametrize("hostile", ACTIVE_PDFS, ids=lambda h: h.label)
@pytest.mark.parametrize("entry", DOCUMENT_ENTRIES, ids=lambda e: e.label)
def test_a_pdf_with_active_content_is_refused_saying_what_to_do(entry, hostile, world, clients, media_root):
    _check_refused(entry, hostile, hostile.content, world, clients, media_root)


@pytest.mark.parametrize("hostile", HUGE_IMAGES, ids=lambda h: h.label)
@pytest.mark.parametrize("entry", APPLICANT_ENTRIES, ids=lambda e: e.label)
def test_an_image_declaring_too_many_pixels_is_refused_before_decoding(entry, hostile, world, clients, media_root):
    _check_refused(entry, hostile, hostile.content, world, clients, media_root)


@pytest.mark.parametrize("entry", DOCUMENT_ENTRIES, ids=lambda e: e.label)
def test_a_signed_pdf_with_a_link_and_an_opening_view_is_accepted(entry, world, clients, media_root):
    before = stored_files(media_root)
    upload = SimpleUploadedFile("signed letter.pdf", hostile_files.signed_looking(), content_type="application/pdf")
    response = entry.send(world, clients, upload)
    assert "Print it to PDF" not in _page_text(response)
    assert response.status_code in (200, 302)
    assert len(stored_files(media_root)) == len(before) + 1


def test_the_script_is_not_findable_in_the_raw_bytes_of_the_hidden_variants():
    # What makes parsing necessary: these two carry no "/JavaScript" a byte search could find.
    for label in ("PDF: JavaScript inside an object stream", "PDF: JavaScript under an escaped name"):
        hostile = next(h for h in ACTIVE_PDFS if h.label == label)
        assert b"/JavaScript" not in hostile.content, label


def test_an_ordinary_photo_size_passes_and_headers_are_read_as_declared(settings):
    assert image_pixels(hostile_files.png_declaring(4032, 3024)) == (4032, 3024)
    assert image_pixels(hostile_files.jpeg_declaring(4032, 3024)) == (4032, 3024)
    assert 4032 * 3024 < settings.PORTAL_MAX_IMAGE_PIXELS
