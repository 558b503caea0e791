"""Uploads are judged on their content, refused with the reason, and stored under random names."""

import zipfile

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
        (files.PNG, "scan", PNG),  # no extension: the content says what it is
        (files.JPEG, "IMG_0042.JPEG", JPEG),
        (files.PDF, "Letter from Dr.Smith", PDF),  # a dot in a name is not an extension
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
        (
            files.docx(macros=True),
            "cv.docx",
            "We accept PDF, JPEG, PNG or Word (.docx) files; this file is none of them.",
        ),
        (b"GIF89a" + b"\x00" * 20, "photo.gif", "this file is none of them"),
        (b"", "cv.pdf", "The file is empty."),
        (files.PNG, "scan.pdf", "The file's name ends in .pdf, but the file is a PNG. Rename it to end in .png"),
        (files.PDF, "cv.exe", "The file's name ends in .exe, but the file is a PDF."),
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
    # Padded inside the document (a comment), not after its end, which is refused.
    content = files.PDF.replace(b"trailer", b"%" + b"0" * (2048 - len(files.PDF) - 2) + b"\ntrailer")

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


@pytest.mark.parametrize(
    ("name", "download"), [("scan", "scan.png"), ("Dr.Smith", "Dr.Smith.png"), ("scan.PNG", "scan.png")]
)
def test_the_download_name_carries_the_real_extension(name, download):
    assert check_upload(files.upload(files.PNG, name)).download_name == download


def test_a_pdf_with_a_web_page_past_its_first_kilobyte_is_refused():
    from tests.security.hostile_files import polyglot_late

    with pytest.raises(UploadRefused, match=r"This PDF also contains web page code \(HTML\)"):
        check_upload(files.upload(polyglot_late()))


def test_markup_split_across_two_read_chunks_is_found(monkeypatch):
    from applicants import uploads

    monkeypatch.setattr(uploads, "SCAN_CHUNK", 4096)
    content = files.PDF + b"%" + b"0" * (4096 - len(files.PDF) - 4) + b"<scr" + b"ipt>alert(1)</script>"
    assert content.index(b"<script") < 4096 < content.index(b"<script") + 7

    with pytest.raises(UploadRefused, match="web page code"):
        check_upload(files.upload(content))


def test_a_word_file_with_photos_is_not_taken_for_a_zip_bomb():
    import io
    import os

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml", "<w:document>" + "<w:p>Clinical rotation</w:p>" * 20_000 + "</w:document>"
        )
        archive.writestr("word/media/image1.jpeg", os.urandom(3 * 1024 * 1024))  # photos hardly compress

    assert check_upload(files.upload(buffer.getvalue(), "statement.docx")).file_type == DOCX


@pytest.mark.parametrize("bomb", ["zip_bomb", "zip_ratio_bomb", "zip_entry_bomb"])
def test_a_zip_bomb_is_refused_before_it_is_unpacked(bomb, monkeypatch):
    from applicants import uploads
    from tests.security import hostile_files

    opened = []
    monkeypatch.setattr(zipfile, "ZipExtFile", _recording(zipfile.ZipExtFile, opened))
    with pytest.raises(UploadRefused, match="it looks like a zip bomb"):
        check_upload(files.upload(getattr(hostile_files, bomb)(), "statement.docx"))
    assert opened == []  # refused from the directory alone
    assert uploads.DOCX_MAX_UNPACKED_BYTES == 100 * 1024 * 1024


def test_a_zip_whose_directory_lies_about_its_size_is_refused_as_damaged():
    from tests.security.hostile_files import zip_lying_directory

    with pytest.raises(UploadRefused, match="This Word file is damaged"):
        check_upload(files.upload(zip_lying_directory(), "statement.docx"))


def test_the_unpacking_check_would_notice_an_entry_being_opened(monkeypatch):
    opened = []
    monkeypatch.setattr(zipfile, "ZipExtFile", _recording(zipfile.ZipExtFile, opened))
    check_upload(files.upload(files.docx(), "statement.docx"))
    assert len(opened) == 2  # a real document is unpacked (and thrown away) to check its sizes


def _recording(cls, opened):
    class Recording(cls):
        def __init__(self, fileobj, mode, zipinfo, *args, **kwargs):
            opened.append(zipinfo.filename)
            super().__init__(fileobj, mode, zipinfo, *args, **kwargs)

    return Recording


def test_stored_names_are_random_and_keep_nothing_of_the_original(media_root):
    first = files.upload(files.PDF, "../../My CV.pdf")
    second = files.upload(files.PDF, "../../My CV.pdf")

    names = [store_upload(f, check_upload(f), folder="applicants") for f in (first, second)]

    assert names[0] != names[1]
    assert all(n.startswith("applicants/") and n.endswith(".pdf") and "CV" not in n for n in names)
    assert len(stored_files(media_root)) == 2
