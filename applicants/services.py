"""Writes to applicants' profiles and documents. Views, the API and admin actions call these."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audit.services import audit_record

from . import personal_data
from .models import ApplicantProfile, Document, DocumentVersion, ImmunisationRecordEntry, SavedListing
from .uploads import CheckedUpload, UploadRefused, check_upload, delete_stored, store_upload

DOCUMENT_FOLDER = "applicants"


class ApplicantsError(Exception):
    """A refused change, with a message fit to show the user."""


def profile_get_or_create(*, user: Any) -> ApplicantProfile:
    """The applicant's profile, created empty on first use (a double request creates one)."""
    try:
        return ApplicantProfile.objects.get(user=user)
    except ApplicantProfile.DoesNotExist:
        try:
            with transaction.atomic():
                return ApplicantProfile.objects.create(user=user)
        except IntegrityError:
            # Another request created it between our read and our insert.
            return ApplicantProfile.objects.get(user=user)


def profile_update(*, profile: ApplicantProfile, changes: dict[str, Any]) -> ApplicantProfile:
    """Save one section's cleaned values. The name lives on the user; specialties are a relation."""
    changes = dict(changes)
    with transaction.atomic():
        if "full_name" in changes:
            profile.user.full_name = changes.pop("full_name").strip()
            profile.user.save(update_fields=["full_name"])
        specialties = changes.pop("specialties_of_interest", None)
        for name, value in changes.items():
            setattr(profile, name, value)
        profile.save(update_fields=[*changes, "updated_at"])
        if specialties is not None:
            profile.specialties_of_interest.set(specialties)
    return profile


def _delete_stored_files(names: list[str]) -> None:
    for name in names:
        delete_stored(name)


def _lock_owner(user: Any) -> None:
    # Serialises one person's uploads, so a double-clicked form cannot race itself into two documents.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _add_version(
    *,
    document: Document,
    upload: UploadedFile,
    checked: CheckedUpload,
    issued_on: dt.date | None,
    expires_on: dt.date | None,
    immunisations: dict[str, dt.date] | None,
) -> DocumentVersion:
    stored = store_upload(upload, checked, folder=DOCUMENT_FOLDER)
    # If the database refuses the row, remove the file we just wrote: no orphan, nothing else touched.
    try:
        with transaction.atomic():
            number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = DocumentVersion.objects.create(
                document=document,
                number=number,
                file=stored,
                original_name=checked.download_name,
                content_type=checked.file_type.content_type,
                size=checked.size,
                sha256=checked.sha256,
                issued_on=issued_on,
                expires_on=expires_on,
            )
            ImmunisationRecordEntry.objects.bulk_create(
                ImmunisationRecordEntry(version=version, immunisation=code, date=date)
                for code, date in (immunisations or {}).items()
            )
            document.current_version = version
            document.save(update_fields=["current_version"])
    except Exception:
        delete_stored(stored)
        raise
    return version


def document_upload(
    *,
    owner: Any,
    kind: str,
    upload: UploadedFile,
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    immunisations: dict[str, dt.date] | None = None,
) -> DocumentVersion:
    """Check and store a new document. Raises UploadRefused (nothing stored) with the reason.

    The same file uploaded again as the same kind (a double click, a resubmitted form) returns the
    version already stored instead of making a second document.
    """
    checked = check_upload(upload)
    with transaction.atomic():
        _lock_owner(owner)
        duplicate = (
            DocumentVersion.objects.filter(document__owner=owner, document__kind=kind, sha256=checked.sha256)
            .select_related("document")
            .first()
        )
        if duplicate is not None:
            return duplicate
        document = Document.objects.create(owner=owner, kind=kind)
        return _add_version(
            document=document,
            upload=upload,
            checked=checked,
            issued_on=issued_on,
            expires_on=expires_on,
            immunisations=immunisations,
        )


def document_replace(
    *,
    document: Document,
    upload: UploadedFile,
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    immunisations: dict[str, dt.date] | None = None,
) -> DocumentVersion:
    """Add a new version that becomes current; earlier versions stay, downloadable."""
    checked = check_upload(upload)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        current = document.current_version
        if current is not None and current.sha256 == checked.sha256:
            return current
        return _add_version(
            document=document,
            upload=upload,
            checked=checked,
            issued_on=issued_on,
            expires_on=expires_on,
            immunisations=immunisations,
        )


def document_details_update(
    *,
    document: Document,
    issued_on: dt.date | None,
    expires_on: dt.date | None,
    immunisations: dict[str, dt.date] | None = None,
) -> DocumentVersion:
    """Correct the current version's dates (and, for an immunisation record, what it proves)
    without uploading the file again. The file, its checksum and earlier versions stay."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        version = document.current_version
        if version is None:
            raise UploadRefused(_("This document has no file yet: upload one."))
        version.issued_on, version.expires_on = issued_on, expires_on
        version.save(update_fields=["issued_on", "expires_on"])
        if immunisations is not None and document.kind == "immunisation_record":
            version.immunisations.all().delete()
            ImmunisationRecordEntry.objects.bulk_create(
                ImmunisationRecordEntry(version=version, immunisation=code, date=date)
                for code, date in immunisations.items()
            )
    return version


def document_delete(*, document: Document) -> None:
    """Delete a document with every version and its files (files go once the rows are gone)."""
    names = list(document.versions.values_list("file", flat=True))
    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(current_version=None)
        document.delete()
        transaction.on_commit(partial(_delete_stored_files, names))


def saved_listing_add(*, user: Any, listing: Any) -> SavedListing:
    """Save a listing; saving it twice (a double click) keeps one."""
    saved, _created = SavedListing.objects.get_or_create(user=user, listing=listing)
    return saved


def saved_listing_remove(*, user: Any, listing: Any) -> None:
    SavedListing.objects.filter(user=user, listing=listing).delete()


def account_delete(*, user: Any) -> None:
    """Delete an applicant's account: files, profile, documents and saved listings go for good.

    The user row stays, anonymised and deactivated, because coordinators' records (applications,
    their events) point at it; other apps' registered erasers anonymise their own rows in the
    same transaction. Files are removed only once the deletion has committed. The audit log is
    not rewritten: its entries keep the address the account had (docs/privacy.md, "Audit log and erasure").
    """
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        file_names = personal_data.stored_file_names(user)
        # Recorded while the account still has its address: the audit log keeps who asked for the
        # deletion, like every other security record it holds (docs/privacy.md, "Audit log and erasure").
        audit_record(actor=user, action="account.deleted", obj=user, files=len(file_names))
        for eraser in personal_data.ERASERS:
            eraser(user)
        Document.objects.filter(owner=user).update(current_version=None)
        Document.objects.filter(owner=user).delete()
        SavedListing.objects.filter(user=user).delete()
        ApplicantProfile.objects.filter(user=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        user.email = f"deleted-{user.pk}@deleted.invalid"
        user.full_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "full_name", "is_active", "password"])
        _delete_second_factors(user)
        transaction.on_commit(partial(_delete_stored_files, file_names))


def _delete_second_factors(user: Any) -> None:
    # Second factors identify the person too. The view logs the current session out; other
    # sessions end at their next request because the account is inactive.
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=user).delete()
