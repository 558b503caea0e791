"""Checks and stores uploaded files privately. Generic: letters and applications reuse it.

The type is decided from the content (magic bytes), never from the name or the browser's
Content-Type, both of which the uploader controls. Everything is checked before anything is
written, so a refused upload leaves what was stored before untouched. Stored names are random:
the original name is kept only as data, sanitised, for the download's file name.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from . import active_content

HEAD_BYTES = 2048
SCAN_CHUNK = 64 * 1024
IMAGE_HEAD_BYTES = 256 * 1024

# A .docx is a zip. Whoever opens one unpacks it, so a small file that unpacks to gigabytes (a zip
# bomb) is refused from its directory, before anything is unpacked. Real documents, images
# included, stay far below these: text compresses about 10:1, images hardly at all.
DOCX_MAX_ENTRIES = 1000
DOCX_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
DOCX_MAX_RATIO = 100


@dataclass(frozen=True)
class FileType:
    name: str
    extension: str
    content_type: str


PDF = FileType("PDF", ".pdf", "application/pdf")
JPEG = FileType("JPEG", ".jpg", "image/jpeg")
PNG = FileType("PNG", ".png", "image/png")
DOCX = FileType("Word (.docx)", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
DOCUMENT_TYPES = (PDF, JPEG, PNG, DOCX)
_SAME_TYPE_EXTENSIONS = {".jpeg": ".jpg", ".jpe": ".jpg", ".jfif": ".jpg"}
# Extensions that name a file type. A name ending in one that is not what the content is gets
# refused: someone or something downstream might believe the name. Other endings ("Dr.Smith") and
# no ending at all are just names.
_TYPE_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".jpg",
        ".jpeg",
        ".jpe",
        ".jfif",
        ".png",
        ".docx",
        ".doc",
        ".docm",
        ".dot",
        ".dotx",
        ".dotm",
        ".rtf",
        ".odt",
        ".txt",
        ".csv",
        ".xls",
        ".xlsx",
        ".xlsm",
        ".ppt",
        ".pptx",
        ".gif",
        ".bmp",
        ".tif",
        ".tiff",
        ".webp",
        ".heic",
        ".heif",
        ".svg",
        ".svgz",
        ".html",
        ".htm",
        ".xhtml",
        ".shtml",
        ".xml",
        ".js",
        ".mjs",
        ".css",
        ".php",
        ".asp",
        ".aspx",
        ".jsp",
        ".exe",
        ".dll",
        ".com",
        ".scr",
        ".msi",
        ".bat",
        ".cmd",
        ".ps1",
        ".vbs",
        ".hta",
        ".jar",
        ".sh",
        ".py",
        ".pl",
        ".rb",
        ".apk",
        ".app",
        ".dmg",
        ".zip",
        ".rar",
        ".7z",
        ".gz",
        ".tar",
        ".iso",
        ".lnk",
        ".swf",
    }
)

_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows .exe/.dll
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # macOS
    b"#!",  # scripts
)
# Markup a browser would render (and run scripts in) if it ever sniffed the file.
_MARKUP_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<iframe", b"<?xml")
# Looked for anywhere in a PDF or image (a polyglot hides its page after the first kilobyte). Not
# "<?xml" or "<svg": PDFs carry XMP metadata in XML. Compressed data does not hit these by chance.
_ACTIVE_MARKUP = (b"<!doctype html", b"<html", b"<body", b"<script", b"<iframe")


class UploadRefused(Exception):
    """The file was refused; the message says why, in words fit for the uploader."""


@dataclass(frozen=True)
class CheckedUpload:
    file_type: FileType
    size: int
    sha256: str
    original_name: str

    @property
    def download_name(self) -> str:
        """The original name with the extension of what the file really is."""
        path = PurePosixPath(self.original_name)
        stem = path.stem if path.suffix.lower() in _TYPE_EXTENSIONS else path.name
        return stem + self.file_type.extension


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, size // 1024)} KB"


def sanitise_name(name: str) -> str:
    """A safe display name: no folders, no control characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    try:
        name = get_valid_filename(name)
    except Exception:  # Django raises SuspiciousFileOperation for "", ".", ".."
        name = ""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext[:10]
    stem = stem[: 120 - len(ext) - 1] if ext else stem[:120]
    name = f"{stem}.{ext}" if ext and stem else stem or ""
    return name or "document"


def _looks_like_markup(head: bytes) -> bool:
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return any(marker in lowered for marker in _MARKUP_MARKERS)


def _contains_active_markup(upload: UploadedFile) -> bool:
    """Scan the whole file in chunks (never all of it in memory) for HTML that could run."""
    upload.seek(0)
    overlap = max(len(marker) for marker in _ACTIVE_MARKUP) - 1
    tail = b""
    for chunk in upload.chunks(SCAN_CHUNK):
        window = tail + chunk.lower()
        if any(marker in window for marker in _ACTIVE_MARKUP):
            return True
        tail = window[-overlap:]
    return False


def _is_docx(upload: UploadedFile) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            is_word = "[Content_Types].xml" in names and "word/document.xml" in names
            if is_word:
                _refuse_zip_bomb(archive, entries, packed_size=upload.size or 0)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
        return False
    # Macro-enabled documents (.docm) carry a VBA project: refused like any other program.
    return is_word and "word/vbaProject.bin" not in names


def _refuse_zip_bomb(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], *, packed_size: int) -> None:
    bomb = UploadRefused(
        _(
            "This Word file would unpack to far more than any real document (it looks like a zip bomb). "
            "Save it again from Word, or upload it as a PDF."
        )
    )
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > DOCX_MAX_ENTRIES or unpacked > DOCX_MAX_UNPACKED_BYTES:
        raise bomb
    if unpacked > DOCX_MAX_RATIO * max(packed_size, 1) and unpacked > 1024 * 1024:
        raise bomb
    # The sizes above are what the directory claims. Unpack every entry, in chunks and thrown away,
    # up to the claimed total: an entry whose data runs past its claimed size fails its length or
    # CRC check (BadZipFile), so a directory that lies makes the file unreadable, not accepted.
    budget = unpacked
    try:
        for entry in entries:
            with archive.open(entry) as member:
                while chunk := member.read(SCAN_CHUNK):
                    budget -= len(chunk)
                    if budget < 0:
                        raise bomb
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError):
        raise UploadRefused(
            _(
                "This Word file is damaged: its parts do not unpack to what it says they contain. Save it again from "
                "Word, "
                "or upload it as a PDF."
            )
        ) from None


def detect_type(upload: UploadedFile, head: bytes, allowed: tuple[FileType, ...]) -> FileType:
    accepted = join_names([t.name for t in allowed])
    if head.startswith(_EXECUTABLE_MAGIC):
        raise UploadRefused(_("This file is a program, not a document. Upload a %(types)s file.") % {"types": accepted})
    if head.startswith(b"%PDF-"):
        file_type = PDF
        if _looks_like_markup(head[:1024]):
            raise UploadRefused(
                _("This PDF contains web page code (HTML), so it cannot be accepted. Save it again as a plain PDF.")
            )
    elif head.startswith(b"\xff\xd8\xff"):
        file_type = JPEG
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        file_type = PNG
    elif head.startswith(b"PK\x03\x04") and _is_docx(upload):
        file_type = DOCX
    elif _looks_like_markup(head):
        raise UploadRefused(
            _("This file is a web page or an SVG image (HTML/XML), whatever its name says. Upload a %(types)s file.")
            % {"types": accepted}
        )
    else:
        raise UploadRefused(_("We accept %(types)s files; this file is none of them.") % {"types": accepted})
    if file_type not in allowed:
        raise UploadRefused(
            _("We accept %(types)s files; this one is %(type)s.") % {"types": accepted, "type": file_type.name}
        )
    if file_type is not DOCX and _contains_active_markup(upload):
        raise UploadRefused(
            _(
                "This %(type)s also contains web page code (HTML), so it cannot be accepted. Save it again as a "
                "plain %(type)s."
            )
            % {"type": file_type.name}
        )
    return file_type


def join_names(names: list[str]) -> str:
    return (
        names[0] if len(names) == 1 else _("%(head)s or %(last)s") % {"head": ", ".join(names[:-1]), "last": names[-1]}
    )


def check_upload(
    upload: UploadedFile, *, allowed: tuple[FileType, ...] = DOCUMENT_TYPES, max_bytes: int | None = None
) -> CheckedUpload:
    """Refuse an empty, oversized, executable, HTML/SVG or unknown file; describe an accepted one."""
    limit = max_bytes if max_bytes is not None else settings.PORTAL_MAX_UPLOAD_BYTES
    size = upload.size or 0
    if size == 0:
        raise UploadRefused(_("The file is empty. Choose the file again; it may not have finished downloading."))
    if size > limit:
        raise UploadRefused(
            _("The file is %(size)s; the limit is %(limit)s. Scan at a lower resolution or compress the PDF.")
            % {"size": _human_size(size), "limit": _human_size(limit)}
        )
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    file_type = detect_type(upload, head, allowed)
    _refuse_active_content(upload, file_type)
    original_name = sanitise_name(upload.name or "")
    _refuse_misnamed(original_name, file_type)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(file_type=file_type, size=size, sha256=digest.hexdigest(), original_name=original_name)


def _refuse_active_content(upload: UploadedFile, file_type: FileType) -> None:
    """A PDF that would run, launch, attach or play something in a desktop reader; an image whose
    header declares more pixels than PORTAL_MAX_IMAGE_PIXELS (applicants.active_content)."""
    upload.seek(0)
    try:
        if file_type is PDF:
            # Whole, in memory: it is at most PORTAL_MAX_UPLOAD_BYTES, and qpdf needs to seek.
            active_content.check_pdf(upload.read())
        elif file_type in (PNG, JPEG):
            # A JPEG's frame header can sit after a large EXIF block (up to 64 KB each).
            active_content.check_image(upload.read(IMAGE_HEAD_BYTES), type_name=file_type.name)
    except active_content.ActiveContent as refused:
        raise UploadRefused(str(refused)) from None
    finally:
        upload.seek(0)


def _refuse_misnamed(name: str, file_type: FileType) -> None:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in _TYPE_EXTENSIONS or _SAME_TYPE_EXTENSIONS.get(suffix, suffix) == file_type.extension:
        return
    raise UploadRefused(
        _(
            "The file's name ends in %(suffix)s, but the file is a %(type)s. Rename it to end in %(extension)s, "
            "or save it again in the format its name says."
        )
        % {"suffix": suffix, "type": file_type.name, "extension": file_type.extension}
    )


def store_upload(upload: UploadedFile, checked: CheckedUpload, *, folder: str) -> str:
    """Save under a random name in the private default storage; returns the storage name."""
    upload.seek(0)
    return default_storage.save(f"{folder}/{secrets.token_hex(16)}{checked.file_type.extension}", upload)


def delete_stored(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


def attachment_response(stored: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """Serve a stored upload as a download no browser will render, sniff or cache.

    The one way uploaded files leave the portal; call it only after checking who asks.
    """
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
