"""What a PDF or an image would do when a coordinator opens it on their own computer.

Browsers never render an upload (attachment, nosniff, sandbox), but a desktop PDF reader runs a PDF's
scripts, launches what it names and opens its attachments. A PDF is refused when it carries any of
that, found by parsing it with qpdf (pikepdf), the way a reader sees it, not by searching its bytes
(a name can be written with #xx escapes, hidden in a compressed object stream). A digital
signature (/Sig) is not active content: signed letters are accepted.

An image is refused when the size its header declares would take more memory to decode than any
scan needs (a 100,000 x 100,000 pixel PNG is 40 GB decoded); the pixels themselves are never decoded.
"""

from __future__ import annotations

import io
import struct
from typing import Any

import pikepdf
from django.conf import settings
from django.utils.translation import gettext as _

# Action types a reader carries out without the reader's say beyond a click or an open: anything but
# going to a page of the same document.
_HARMLESS_ACTIONS = {"/GoTo"}
_MEDIA = {"/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}
_MEDIA_ACTIONS = {"/Rendition", "/Movie", "/Sound", "/RichMediaExecute"}
# Bytes after the last %%EOF: a signature's incremental update ends with its own %%EOF, so what
# follows the last one is never part of the document. A little whitespace or padding is common.
_TRAILING_ALLOWED = 1024


class ActiveContent(Exception):
    """The file would do something when opened; the message says what, and what to do instead."""


def _reasons() -> dict[str, str]:
    fix = _("Print it to PDF and upload the copy.")
    return {
        "script": _("This PDF contains a script. %(fix)s") % {"fix": fix},
        "launch": _("This PDF contains a command that starts a program. %(fix)s") % {"fix": fix},
        "embedded": _(
            "This PDF has another file attached inside it. %(fix)s "
            "If the attached file is needed, upload it on its own."
        )
        % {"fix": fix},
        "media": _("This PDF contains embedded video, sound or Flash. %(fix)s") % {"fix": fix},
        "xfa": _("This PDF is an XFA form, which runs as a program in the reader. %(fix)s") % {"fix": fix},
        "action": _("This PDF runs an action when it is opened or clicked (an automatic action). %(fix)s")
        % {"fix": fix},
        "appended": _("This PDF has other data (such as a web page) added after its end. %(fix)s") % {"fix": fix},
        "damaged": _("This PDF is damaged and cannot be read. Open it, print it to PDF and upload the copy."),
        "encrypted": _(
            "This PDF is password-protected, so programmes could not open it. Remove the password (or print it "
            "to PDF) and upload the copy."
        ),
    }


def check_pdf(data: bytes) -> None:
    """Raise ActiveContent when the PDF would run, launch, attach or play anything, or cannot be read."""
    reasons = _reasons()
    end = data.rfind(b"%%EOF")
    trailing = data[end + 5 :].strip(b" \t\r\n\x00\x0c") if end != -1 else b""
    if b"<" in trailing or len(trailing) > _TRAILING_ALLOWED:
        raise ActiveContent(reasons["appended"])
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise ActiveContent(reasons["encrypted"]) from None
    except (pikepdf.PdfError, ValueError, RecursionError):
        raise ActiveContent(reasons["damaged"]) from None
    with pdf:
        try:
            problem = _first_problem(pdf)
        except (pikepdf.PdfError, RecursionError):
            problem = "damaged"
    if problem:
        raise ActiveContent(reasons[problem])


def _first_problem(pdf: pikepdf.Pdf) -> str | None:
    acroform = pdf.Root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary) and "/XFA" in acroform:
        return "xfa"
    # Every indirect object, those inside compressed object streams included; the direct objects
    # each holds are walked from it, never following a reference (each is visited on its own).
    for obj in pdf.objects:
        problem = _problem_in(obj, depth=0)
        if problem:
            return problem
    return _problem_in(pdf.trailer, depth=0)


def _problem_in(obj: Any, *, depth: int) -> str | None:
    if depth > 64:  # a real document nests a handful of levels; deeper is built to exhaust a reader
        return "damaged"
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Dictionary):
        problem = _dictionary_problem(obj)
        if problem:
            return problem
        values = [obj.get(key) for key in obj.keys()]
    elif isinstance(obj, pikepdf.Array):
        values = list(obj)
    else:
        return None
    for value in values:
        if isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)) and not value.is_indirect:
            problem = _problem_in(value, depth=depth + 1)
            if problem:
                return problem
    return None


def _dictionary_problem(d: pikepdf.Dictionary) -> str | None:
    keys = set(d.keys())
    if keys & {"/JS", "/JavaScript"}:
        return "script"
    kind, subtype, action = (str(d.get(key, "")) for key in ("/Type", "/Subtype", "/S"))
    if action:
        problem = _action_problem(d)
        if problem != "action":  # a link's click action (/URI, /GoTo) is the reader's own choice
            return problem
    # The file itself (/EmbeddedFile), a file specification holding one (/EF), the document's list of
    # them (/EmbeddedFiles in /Names), or a paperclip annotation.
    if kind == "/EmbeddedFile" or keys & {"/EF", "/EmbeddedFiles"} or subtype == "/FileAttachment":
        return "embedded"
    if subtype in _MEDIA or "/RichMediaContent" in keys:
        return "media"
    # Actions nobody clicks: on opening the document, or a page, field or annotation's triggers.
    if "/OpenAction" in keys:
        problem = _action_problem(d.get("/OpenAction"))
        if problem:
            return problem
    additional = d.get("/AA")
    if isinstance(additional, pikepdf.Dictionary):
        for trigger in additional.keys():
            problem = _action_problem(additional.get(trigger))
            if problem:
                return problem
    return None


def _action_problem(value: Any) -> str | None:
    """What an action does, if more than go to a page (an explicit destination array is not an action)."""
    if not isinstance(value, pikepdf.Dictionary):
        return None
    action = str(value.get("/S", ""))
    if action == "/JavaScript" or "/JS" in value:
        return "script"
    if action == "/Launch":
        return "launch"
    if action in _MEDIA_ACTIONS:
        return "media"
    return None if action in _HARMLESS_ACTIONS else "action"


def image_pixels(head: bytes) -> tuple[int, int] | None:
    """Width and height as the PNG or JPEG header declares them, or None when it does not say."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR" and len(head) >= 24:
        return struct.unpack(">II", head[16:24])
    if head.startswith(b"\xff\xd8"):
        return _jpeg_size(head)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # Segments follow the start marker, each with a 2-byte length, until a start-of-frame (SOFn)
    # gives the height and width; DHT (C4), JPG (C8) and DAC (CC) share the range but are not frames.
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header before them
            return None
        at += 2 + struct.unpack(">H", data[at + 2 : at + 4])[0]
    return None


def check_image(head: bytes, *, type_name: str) -> None:
    size = image_pixels(head)
    limit = settings.PORTAL_MAX_IMAGE_PIXELS
    if size and size[0] * size[1] > limit:
        raise ActiveContent(
            _(
                "This %(type)s says it is %(width)s x %(height)s pixels, far more than any scan (the limit is "
                "%(limit)s megapixels). Scan or photograph it again at a normal resolution, or upload it as a PDF."
            )
            % {"type": type_name, "width": f"{size[0]:,}", "height": f"{size[1]:,}", "limit": limit // 1_000_000}
        )
