"""Every hostile file of the corpus, through every place the portal takes a file, is refused with a
reason the uploader reads, and nothing is kept: no file in storage, no row. A hostile *name* on good
content is accepted and stored under a random name inside the upload folder. Nothing uploaded is
ever served inline."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.security import hostile_files
from tests.security.access_matrix import database_snapshot
from tests.security.hostile_files import OVERSIZED_FACTOR, REFUSED, TRAVERSAL_NAMES, Hostile

pytestmark = pytest.mark.django_db

LIMIT = 1024 * 1024  # PORTAL_MAX_UPLOAD_BYTES during these tests (the zip bombs fit), so "10x" is 10 MB
ROUNDS_LIMIT = 1_000_000  # the rank import's own limit (rounds.forms.RankImportForm)


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = LIMIT


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@dataclass(frozen=True)
class EntryPoint:
    """One place that takes a file: how to send it one, and what a refusal looks like there."""

    label: str
    send: Callable  # (world, clients, SimpleUploadedFile) -> the page the uploader reads
    folder: str  # where accepted files go, inside the storage
    reasons: dict[str, str]  # a hostile file's label -> the reason shown here, where not the corpus's own

    def reason_for(self, hostile: Hostile) -> str:
        return self.reasons.get(hostile.label, hostile.reason)


def _document_upload(world, clients, upload):
    return clients["applicant"].post("/applicants/documents/upload/", {"kind": "cv", "file": upload})


def _document_replace(world, clients, upload):
    return clients["applicant"].post(f"/applicants/documents/{world.document.pk}/replace/", {"file": upload})


def _writer_upload(world, clients, upload):
    return clients["anonymous"].post(f"/letters/write/{world.writer_token}/upload/", {"file": upload})


def _rank_import(world, clients, upload):
    url = f"/rounds/coordinate/{world.round.pk}/sessions/{world.session.pk}/import/"
    return clients["coordinator"].post(url, {"file": upload}, follow=True)


PDF_ONLY = "We accept PDF files; this one is"
NOT_UTF8 = "That file is not UTF-8 text"
NOT_CSV = "write an e-mail address and a rank"
ENTRY_POINTS = [
    EntryPoint(
        "applicant's new document", _document_upload, "applicants", {"zero bytes": "The submitted file is empty"}
    ),
    EntryPoint(
        "applicant's new version", _document_replace, "applicants", {"zero bytes": "The submitted file is empty"}
    ),
    EntryPoint(
        "letter writer's upload",
        _writer_upload,
        "letters",
        {
            "zero bytes": "The submitted file is empty",
            "SVG with a script": (
                "This file is a web page or an SVG image (HTML/XML), whatever its name says. Upload a PDF file."
            ),
            "SVG with a script named .png": "This file is a web page or an SVG image",
            "PNG named .pdf": PDF_ONLY + " PNG",
        },
    ),
    # A rank list is read as text and never stored: what fails is that it is not a rank list.
    EntryPoint(
        "coordinator's rank import (CSV)",
        _rank_import,
        "",
        {
            "polyglot PDF/HTML, page after the first kilobyte": NOT_CSV,
            "polyglot PDF/HTML, page at the start": NOT_CSV,
            "SVG with a script": NOT_CSV,
            "SVG with a script named .png": NOT_CSV,
            "HTML page named .pdf": NOT_CSV,
            "zip bomb: 200 MB unpacked": NOT_UTF8,
            "zip bomb: 1000:1": NOT_UTF8,
            "zip bomb: 5,000 entries": NOT_UTF8,
            "zip whose directory lies about the size": NOT_UTF8,
            "PNG named .pdf": NOT_UTF8,
            "PDF named .exe": NOT_CSV,
            "program named .pdf": NOT_UTF8,
            "zero bytes": "The submitted file is empty",
        },
    ),
]
OVERSIZED = Hostile("10x the size limit", "scan.pdf", "application/pdf", None, "the limit is 1 MB")


def _page_text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


def _check_refused(entry, hostile, content, world, clients, media_root):
    files_before, rows_before = stored_files(media_root), database_snapshot()
    response = entry.send(world, clients, SimpleUploadedFile(hostile.name, content, content_type=hostile.content_type))
    text = _page_text(response)
    assert response.status_code in (200, 400), (entry.label, hostile.label, response.status_code)
    reason = entry.reason_for(hostile)
    assert reason in text, f"{entry.label}, {hostile.label}: the page does not say {reason!r}"
    assert stored_files(media_root) == files_before, f"{entry.label}, {hostile.label}: a file was kept"
    assert database_snapshot() == rows_before, f"{entry.label}, {hostile.label}: a row was written"


@pytest.mark.parametrize("hostile", REFUSED, ids=lambda h: h.label)
@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda e: e.label)
def test_a_hostile_file_is_refused_with_the_reason_and_nothing_is_kept(entry, hostile, world, clients, media_root):
    _check_refused(entry, hostile, hostile.content, world, clients, media_root)


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda e: e.label)
def test_a_file_ten_times_the_limit_is_refused_naming_the_limit(entry, world, clients, media_root):
    limit = ROUNDS_LIMIT if entry.folder == "" else LIMIT
    reasons = {OVERSIZED.label: "That file is larger than 1 MB"} if entry.folder == "" else {}
    entry = EntryPoint(entry.label, entry.send, entry.folder, reasons)
    _check_refused(entry, OVERSIZED, hostile_files.pdf_padded(OVERSIZED_FACTOR * limit), world, clients, media_root)


@pytest.mark.parametrize("name", TRAVERSAL_NAMES, ids=lambda n: repr(n[:30]))
@pytest.mark.parametrize("entry", ENTRY_POINTS[:3], ids=lambda e: e.label)
def test_a_hostile_name_on_good_content_is_stored_under_a_random_name_inside_the_folder(
    entry, name, world, clients, media_root
):
    from tests.letters.conftest import make_pdf

    before = set(stored_files(media_root))
    content = make_pdf(f"Uploaded as {name[:40]!r}")
    response = entry.send(world, clients, SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert response.status_code == 302, _page_text(response)[:500]

    (new,) = set(stored_files(media_root)) - before
    assert new.resolve().is_relative_to((media_root / entry.folder).resolve())
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", new.name), new.name
    assert new.read_bytes() == content
    assert not (media_root.parent / "etc").exists() and not any(media_root.parent.rglob("passwd*"))


def test_the_rank_import_reads_a_good_list_whatever_its_name(world, clients, media_root):
    before = stored_files(media_root)
    for name in TRAVERSAL_NAMES:
        upload = SimpleUploadedFile(name, f"{world.applicant.email},1\n".encode(), content_type="text/csv")
        assert "Imported 1 ranked applicant;" in _page_text(_rank_import(world, clients, upload))
    assert stored_files(media_root) == before  # read, never stored


def test_the_stored_name_is_random_and_the_download_name_is_clean(world, clients, media_root):
    from applicants.models import DocumentVersion
    from tests.letters.conftest import make_pdf

    for name in TRAVERSAL_NAMES:
        upload = SimpleUploadedFile(name, make_pdf(name[:20]), content_type="application/pdf")
        assert _document_upload(world, clients, upload).status_code == 302
        version = DocumentVersion.objects.filter(document__owner=world.applicant, document__kind="cv").latest("pk")
        assert re.fullmatch(r"applicants/[0-9a-f]{32}\.pdf", version.file.name)
        assert (
            "/" not in version.original_name
            and "\\" not in version.original_name
            and "\x00" not in version.original_name
        )
        assert ".." not in version.original_name and len(version.original_name) <= 120
        response = clients["applicant"].get(f"/applicants/documents/versions/{version.pk}/download/")
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;") and "/" not in disposition and "\\" not in disposition


# --- Nothing uploaded is served inline --------------------------------------------------------


def _downloads(world):
    """Every route that serves an uploaded file, with who may fetch it."""
    return [
        ("applicant", f"/applicants/documents/versions/{world.version.pk}/download/"),
        ("applicant", f"/api/v1/applicants/documents/versions/{world.version.pk}/download/"),
        ("coordinator", f"/applications/queue/{world.application.pk}/documents/{world.document.pk}/"),
        ("applicant", f"/letters/{world.open_letter_request.pk}/letter.pdf"),
        ("coordinator", f"/letters/packet/{world.application.pk}/{world.letter_request.pk}/letter.pdf"),
        ("applicant", "/applicants/my-data/export/"),
    ]


def test_every_download_is_an_attachment_that_no_browser_sniffs(world, clients):
    from api.services import api_token_create

    _token, raw = api_token_create(user=world.applicant, name="downloads")
    for persona, url in _downloads(world):
        headers = {"HTTP_AUTHORIZATION": f"Token {raw}"} if url.startswith("/api/") else {}
        response = clients[persona].get(url, **headers)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment;"), url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert not response["Content-Type"].startswith(("text/html", "image/svg", "application/xhtml")), url
        assert "no-store" in response["Cache-Control"], url


def test_the_download_list_covers_every_view_that_serves_a_stored_file():
    """Stored files leave only through applicants.uploads.attachment_response (and, inside the
    data export's zip, personal_data): a view that opens one some other way fails here."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    openers = {}
    for path in root.glob("*/**/*.py"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "tests/", "bench/")) or "/migrations/" in relative:
            continue
        source = path.read_text()
        for needle in ("FileResponse(", "default_storage.open(", ".file.open(", "attachment_response("):
            if needle in source:
                openers.setdefault(relative, set()).add(needle)
    assert openers == {
        "applicants/uploads.py": {"FileResponse(", "attachment_response("},
        "applicants/personal_data.py": {"default_storage.open("},
        "applicants/views.py": {"attachment_response("},
        "applicants/api/views.py": {"attachment_response("},
        "applications/coordinator_views.py": {"attachment_response("},
        "letters/views.py": {"attachment_response("},
    }


def test_no_url_serves_the_storage_folder(world, clients):
    stored = world.version.file.name
    for prefix in ("/media/", "/private-media/", "/static/", "/"):
        assert clients["applicant"].get(prefix + stored).status_code == 404


def test_the_api_takes_no_files():
    """The API parses JSON only, so no endpoint can receive a file around the checks."""
    from django.urls import resolve
    from rest_framework.parsers import JSONParser

    from tests.security.routes import all_routes

    checked = 0
    for route in all_routes():
        if not route.route.startswith("api/v1/"):
            continue
        path = "/" + re.sub(r"<int:\w+>", "1", route.route)
        view = resolve(path).func
        cls = getattr(view, "cls", None)
        if cls is not None and hasattr(cls, "parser_classes"):
            assert list(cls.parser_classes) == [JSONParser], route.route
            checked += 1
    assert checked >= 20  # the walk reached the API's views


def test_the_django_admin_offers_no_file_field(admin_user, rf):
    """Admins edit uploads' records, never their files: no admin form has a file input."""
    from django import forms
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        form = model_admin.get_form(request)
        file_fields = [name for name, field in form.base_fields.items() if isinstance(field, forms.FileField)]
        assert file_fields == [], model._meta.label
        for inline in model_admin.get_inline_instances(request):
            formset = inline.get_formset(request)
            assert not [n for n, f in formset.form.base_fields.items() if isinstance(f, forms.FileField)], inline
