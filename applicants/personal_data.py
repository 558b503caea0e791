"""Everything the portal holds about an applicant: exported as a zip, or erased on request.

Other apps that keep personal data (applications, letters) add their part by registering an
exporter and an eraser in their AppConfig.ready(); this module stays the one place that knows
the whole list, so "My data" and account deletion cannot forget an app that registered.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import timezone

from audit import selectors as audit_selectors
from portal.exports import csv_text

from .models import ApplicantProfile, Document, DocumentVersion, SavedListing

# exporter(user) -> {file name in the zip: JSON-serialisable data}
Exporter = Callable[[Any], dict[str, Any]]
# eraser(user): removes or anonymises the app's personal data, inside the deletion's transaction
Eraser = Callable[[Any], None]

EXPORTERS: list[Exporter] = []
READS_HEADER = ["when", "institution", "role", "what"]
ERASERS: list[Eraser] = []


def register(*, exporter: Exporter | None = None, eraser: Eraser | None = None) -> None:
    if exporter and exporter not in EXPORTERS:
        EXPORTERS.append(exporter)
    if eraser and eraser not in ERASERS:
        ERASERS.append(eraser)


def _profile_data(user: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"email": user.email, "full_name": user.full_name, "date_joined": user.date_joined}
    profile = ApplicantProfile.objects.filter(user=user).prefetch_related("specialties_of_interest").first()
    if profile is not None:
        for f in ApplicantProfile._meta.concrete_fields:
            if f.name not in ("id", "user"):
                data[f.name] = getattr(profile, f.attname)
        data["specialties_of_interest"] = [s.name for s in profile.specialties_of_interest.all()]
    return data


def _documents(user: Any) -> list[Document]:
    versions = DocumentVersion.objects.order_by("number").prefetch_related("immunisations")
    return list(
        Document.objects.owned_by(user).prefetch_related(Prefetch("versions", queryset=versions)).order_by("kind", "pk")
    )


def _archive_name(version: Any) -> str:
    return f"files/{version.document.kind}-{version.document_id}-v{version.number}-{version.original_name}"


def export_zip(user: Any) -> bytes:
    """A zip of JSON files and every stored file of the applicant (all versions)."""
    documents = _documents(user)
    sections: dict[str, Any] = {
        "profile.json": _profile_data(user),
        "documents.json": [
            {
                "kind": d.kind,
                "current_version": d.current_version_id
                and next((v.number for v in d.versions.all() if v.pk == d.current_version_id), None),
                "versions": [
                    {
                        "number": v.number,
                        "file": _archive_name(v),
                        "uploaded_at": v.uploaded_at,
                        "issued_on": v.issued_on,
                        "expires_on": v.expires_on,
                        "content_type": v.content_type,
                        "size": v.size,
                        "sha256": v.sha256,
                        "immunisations": [
                            {"immunisation": e.immunisation, "date": e.date} for e in v.immunisations.all()
                        ],
                    }
                    for v in d.versions.all()
                ],
            }
            for d in documents
        ],
        "saved_listings.json": [
            {"listing_id": s.listing_id, "title": s.listing.title, "saved_at": s.created_at}
            for s in SavedListing.objects.filter(user=user).select_related("listing")
        ],
    }
    reads = list(audit_selectors.read_rows(user))
    sections["who_has_seen_my_documents.json"] = reads
    for exporter in EXPORTERS:
        sections.update(exporter(user))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", f"Your data from USCE Portal, exported {timezone.now():%Y-%m-%d %H:%M} UTC.\n")
        for name, data in sections.items():
            archive.writestr(name, json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
        # The same list for a spreadsheet, through the one CSV writer that neutralises formulas.
        archive.writestr(
            "who_has_seen_my_documents.csv",
            csv_text(READS_HEADER, ([r["when"].isoformat(), r["institution"], r["role"], r["what"]] for r in reads)),
        )
        for document in documents:
            for version in document.versions.all():
                if default_storage.exists(version.file.name):
                    with default_storage.open(version.file.name, "rb") as handle:
                        archive.writestr(_archive_name(version), handle.read())
    return buffer.getvalue()


def stored_file_names(user: Any) -> list[str]:
    return [v.file.name for d in _documents(user) for v in d.versions.all()]
