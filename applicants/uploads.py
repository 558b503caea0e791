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
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

HEAD_BYTES = 2048


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

_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows .exe/.dll
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe",  # macOS
    b"#!",  # scripts
)
# Markup a browser would render (and run scripts in) if it ever sniffed the file.
_MARKUP_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<iframe", b"<?xml")


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
        return str(PurePosixPath(self.original_name).with_suffix(self.file_type.extension))


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


def _is_docx(upload: UploadedFile) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    # Macro-enabled documents (.docm) carry a VBA project: refused like any other program.
    return "[Content_Types].xml" in names and "word/document.xml" in names and "word/vbaProject.bin" not in names


def detect_type(upload: UploadedFile, head: bytes, allowed: tuple[FileType, ...]) -> FileType:
    accepted = join_names([t.name for t in allowed])
    if head.startswith(_EXECUTABLE_MAGIC):
        raise UploadRefused(_("This file is a program, not a document. Upload a %(types)s file.") % {"types": accepted})
    if head.startswith(b"%PDF-"):
        file_type = PDF
        if _looks_like_markup(head[:1024]):
            raise UploadRefused(_("This PDF contains web page code (HTML), so it cannot be accepted. Save it again as a plain PDF."))
    elif head.startswith(b"\xff\xd8\xff"):
        file_type = JPEG
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        file_type = PNG
    elif head.startswith(b"PK\x03\x04") and _is_docx(upload):
        file_type = DOCX
    elif _looks_like_markup(head):
        raise UploadRefused(
            _("This file is a web page or an SVG image (HTML/XML), whatever its name says. Upload a %(types)s file.") % {"types": accepted}
        )
    else:
        raise UploadRefused(_("We accept %(types)s files; this file is none of them.") % {"types": accepted})
    if file_type not in allowed:
        raise UploadRefused(_("We accept %(types)s files; this one is %(type)s.") % {"types": accepted, "type": file_type.name})
    return file_type


def join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else _("%(head)s or %(last)s") % {"head": ", ".join(names[:-1]), "last": names[-1]}


def check_upload(upload: UploadedFile, *, allowed: tuple[FileType, ...] = DOCUMENT_TYPES, max_bytes: int | None = None) -> CheckedUpload:
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
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(file_type=file_type, size=size, sha256=digest.hexdigest(), original_name=sanitise_name(upload.name or ""))


def store_upload(upload: UploadedFile, checked: CheckedUpload, *, folder: str) -> str:
    """Save under a random name in the private default storage; returns the storage name."""
    upload.seek(0)
    return default_storage.save(f"{folder}/{secrets.token_hex(16)}{checked.file_type.extension}", upload)


def delete_stored(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)
