"""Uploads are judged on their content, refused with the reason, and stored under random names."""
import pytest

from applicants.uploads import DOCX, JPEG, PDF, PNG, UploadRefused, check_upload, sanitise_name, store_upload
from tests.applicants import files
from tests.applicants.conftest import stored_files


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (files.PDF, "cv.pdf", PDF),
        (files.PNG, "passport.png", PNG),
        (files.JPEG, "passport.jpeg", JPEG),
        (files.docx(), "statement.docx", DOCX),
        (files.PNG, "scan.pdf", PNG),  # a misnamed image is still an image
    ],
)
def test_documents_are_recognised_by_their_content(content, name, expected):
    assert check_upload(files.upload(content, name)).file_type == expected


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (files.EXE, "cv.pdf", "This file is a program, not a document."),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 20, "cv.pdf", "This file is a program"),
        (b"#!/bin/sh\nrm -rf /\n", "cv.pdf", "This file is a program"),
        (files.HTML, "transcript.pdf", "This file is a web page or an SVG image"),
        (files.SVG, "photo.png", "This file is a web page or an SVG image"),
        (b"%PDF-1.4\n<html><script>alert(1)</script></html>", "cv.pdf", "This PDF contains web page code (HTML)"),
        (files.docx(macros=True), "cv.docx", "We accept PDF, JPEG, PNG or Word (.docx) files; this file is none of them."),
        (b"GIF89a" + b"\x00" * 20, "photo.gif", "this file is none of them"),
        (b"", "cv.pdf", "The file is empty."),
    ],
)
def test_dangerous_or_unknown_files_are_refused_with_the_reason(content, name, message):
    with pytest.raises(UploadRefused) as refused:
        check_upload(files.upload(content, name))

    assert message in str(refused.value)


def test_an_oversized_file_is_refused_naming_the_limit(settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024 * 1024

    with pytest.raises(UploadRefused) as refused:
        check_upload(files.upload(files.PDF + b"0" * (1024 * 1024)))

    assert "the limit is 1 MB" in str(refused.value)


def test_a_file_exactly_at_the_limit_is_accepted(settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 2048
    content = files.PDF + b"0" * (2048 - len(files.PDF))

    assert check_upload(files.upload(content)).size == 2048


def test_a_type_can_be_allowed_per_use():
    with pytest.raises(UploadRefused, match="We accept PDF files; this one is PNG"):
        check_upload(files.upload(files.PNG, "letter.png"), allowed=(PDF,))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\amina\\My CV (final).pdf", "My_CV_final.pdf"),
        ("réSumé\x00\x1f.pdf", "réSumé.pdf"),
        ("", "document"),
        ("..", "document"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_file_names_are_sanitised(raw, clean):
    assert sanitise_name(raw) == clean


def test_the_download_name_carries_the_real_extension():
    checked = check_upload(files.upload(files.PNG, "scan.pdf"))

    assert checked.download_name == "scan.png"


def test_stored_names_are_random_and_keep_nothing_of_the_original(media_root):
    first = files.upload(files.PDF, "../../My CV.pdf")
    second = files.upload(files.PDF, "../../My CV.pdf")

    names = [store_upload(f, check_upload(f), folder="applicants") for f in (first, second)]

    assert names[0] != names[1]
    assert all(n.startswith("applicants/") and n.endswith(".pdf") and "CV" not in n for n in names)
    assert len(stored_files(media_root)) == 2
