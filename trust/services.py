"""Writes of the trust app: visa letters, institution letterheads, reports of wrong information and
freshness confirmations. HTML views, the API, the demo loader and tasks all call these."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.states import SEAT_HOLDING, Status
from audit.services import audit_record
from placements.models import Institution, Listing
from placements.search import catalogue_changed

from . import notifications
from .models import InstitutionLetterhead, ListingFreshness, ListingReport, VisaLetter

# States from which a visa letter may be issued: the applicant has accepted the place.
LETTER_STATES = frozenset({Status.ACCEPTED, Status.ENROLLED})


class TrustError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _check_coordinator(actor: Any, institution_id: int) -> None:
    if actor is None or institution_id not in getattr(actor, "coordinator_institution_ids", ()):
        raise TrustError(_("Only this institution's coordinators can do this."))


# --- Letterheads and visa letters -------------------------------------------------------------


def letterhead_set(
    *, institution: Institution, actor: Any, letterhead: str, signatory_name: str, signatory_title: str
) -> InstitutionLetterhead:
    """Set what heads and signs the institution's visa letters (letters already issued keep theirs)."""
    _check_coordinator(actor, institution.pk)
    row, _created = InstitutionLetterhead.objects.update_or_create(
        institution=institution,
        defaults={
            "letterhead": letterhead.strip(),
            "signatory_name": signatory_name.strip(),
            "signatory_title": signatory_title.strip(),
            "updated_by": actor,
        },
    )
    return row


def visa_letter_issue(*, application_id: int, actor: Any, passport_number: str, costs: str, paid_by: str) -> VisaLetter:
    """Issue the invitation letter of an accepted application, freezing what it states.

    A second request while a letter is in force (a double click) returns that letter unchanged.
    """
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("applicant", "session__listing__institution")
            .filter(pk=application_id)
            .first()
        )
        if application is None:
            raise TrustError(_("That application does not exist."))
        listing = application.session.listing
        _check_coordinator(actor, listing.institution_id)
        existing = VisaLetter.objects.filter(application=application, revoked_at__isnull=True).first()
        if existing is not None:
            return existing
        if application.status not in LETTER_STATES:
            raise TrustError(_("A visa letter is issued once the applicant has accepted the place."))
        head = InstitutionLetterhead.objects.filter(institution_id=listing.institution_id).first()
        if head is None:
            raise TrustError(_("Set your institution's letterhead and signatory first."))
        passport_number = passport_number.strip()
        if not passport_number:
            raise TrustError(_("Enter the passport number as the applicant gave it."))
        letter = VisaLetter.objects.create(
            application=application,
            holder_name=application.applicant.get_full_name(),
            passport_number=passport_number,
            listing_title=listing.title,
            institution_name=listing.institution.name,
            start_date=application.session.start_date,
            end_date=application.session.end_date,
            hands_on=listing.hands_on_level != Listing.HandsOn.OBSERVATIONAL,
            costs=costs.strip(),
            paid_by=paid_by.strip(),
            letterhead=head.letterhead,
            signatory_name=head.signatory_name,
            signatory_title=head.signatory_title,
            issued_by=actor,
        )
        audit_record(actor=actor, action="visa_letter.issued", obj=letter, application=application.pk)
        return letter


def visa_letter_revoke(*, letter_id: int, actor: Any, reason: str, system: bool = False) -> VisaLetter:
    """Revoke a letter: its verification page says so from now on. Revoking twice changes nothing."""
    with transaction.atomic():
        letter = (
            VisaLetter.objects.select_for_update(of=("self",))
            .select_related("application__session__listing")
            .filter(pk=letter_id)
            .first()
        )
        if letter is None:
            raise TrustError(_("That letter does not exist."))
        if not system:
            _check_coordinator(actor, letter.application.session.listing.institution_id)
        if letter.revoked_at is not None:
            return letter
        letter.revoked_at = timezone.now()
        letter.revoked_reason = reason.strip()[:300] or _("Revoked by the programme.")
        letter.save(update_fields=["revoked_at", "revoked_reason"])
        # The actor is whoever caused it: the coordinator, or the applicant whose withdrawal revoked it.
        audit_record(
            actor=actor, action="visa_letter.revoked", obj=letter, reason=letter.revoked_reason, automatic=system
        )
        return letter


def visa_letters_revoke_on_move(
    *, application: Any, from_status: str, to_status: str, actor: Any, now: dt.datetime
) -> None:
    """applications.hooks: a place given up (withdrawn, cancelled) revokes its letter in the same transaction."""
    if to_status in SEAT_HOLDING:
        return
    for letter_id in VisaLetter.objects.filter(application_id=application.pk, revoked_at__isnull=True).values_list(
        "pk", flat=True
    ):
        reason = _("The application was %(state)s.") % {"state": str(Status(to_status).label).lower()}
        visa_letter_revoke(letter_id=letter_id, actor=actor, reason=reason, system=True)


# --- Reports of wrong information ----------------------------------------------------------------


def listing_report_create(*, listing: Listing, reporter: Any, field: str, note: str) -> ListingReport:
    """Record a report and tell the listing's coordinators (after commit).

    The same open report sent twice (a double click) is recorded once."""
    note = " ".join(note.split())
    if not note:
        raise TrustError(_("Say briefly what is wrong."))
    if field not in ListingReport.Field.values:
        raise TrustError(_("Choose which part of the listing is wrong."))
    with transaction.atomic():
        existing = ListingReport.objects.filter(
            listing=listing, reporter=reporter, field=field, note=note[:500], status=ListingReport.Status.OPEN
        ).first()
        if existing is not None:
            return existing
        report = ListingReport.objects.create(listing=listing, reporter=reporter, field=field, note=note[:500])
        transaction.on_commit(partial(notifications.tell_coordinators_of_report, report_id=report.pk))
    return report


def listing_report_resolve(*, report_id: int, actor: Any, status: str, resolution: str) -> ListingReport:
    """An admin closes a report as corrected or as not wrong, saying what was done."""
    if not getattr(actor, "is_admin", False):
        raise TrustError(_("Only admins resolve reports."))
    if status not in (ListingReport.Status.CORRECTED, ListingReport.Status.DISMISSED):
        raise TrustError(_("Choose corrected or not wrong."))
    resolution = resolution.strip()
    if not resolution:
        raise TrustError(_("Say what was done about the report."))
    with transaction.atomic():
        report = ListingReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None:
            raise TrustError(_("That report does not exist."))
        if report.status != ListingReport.Status.OPEN:
            raise TrustError(_("This report was already resolved."))
        report.status = status
        report.resolution = resolution[:500]
        report.resolved_by = actor
        report.resolved_at = timezone.now()
        report.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
        audit_record(actor=actor, action=f"listing_report.{status}", obj=report)
    return report


# --- Freshness -----------------------------------------------------------------------------------


def listing_confirm(*, listing: Listing, actor: Any, now: dt.datetime | None = None) -> Listing:
    """A coordinator confirms the listing's details are current. Confirming twice the same day is one confirmation."""
    _check_coordinator(actor, listing.institution_id)
    now = now or timezone.now()
    with transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(last_verified_on=timezone.localdate(now))
        ListingFreshness.objects.update_or_create(
            listing=listing, defaults={"confirmed_at": now, "confirmed_by": actor}
        )
        # The search ranks stale listings lower and caches its answers by catalogue version.
        catalogue_changed()
    listing.last_verified_on = timezone.localdate(now)
    return listing


def freshness_reminder_claim(*, listing_id: int, now: dt.datetime, every: dt.timedelta) -> bool:
    """Claim the listing's reminder for this period: a conditional update whose row count decides,
    so a redelivered or concurrent task sends nothing the second time."""
    ListingFreshness.objects.get_or_create(listing_id=listing_id)
    due = Q(reminded_at__isnull=True) | Q(reminded_at__lt=now - every)
    return ListingFreshness.objects.filter(Q(listing_id=listing_id) & due).update(reminded_at=now) == 1
