"""Writes to institutions and listings. Views, the API and admin actions call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import listing_dates, places
from .models import (
    DocumentRequirement,
    ImmunisationRequirement,
    Institution,
    InstitutionMembership,
    Listing,
    ListingEvent,
    Session,
)
from .search import count_cache


class PlacementsError(Exception):
    """A refused change, with a message fit to show the user."""


def membership_add(*, institution: Institution, email: str, added_by: Any) -> InstitutionMembership:
    """Make the account with this e-mail a coordinator of the institution.

    Only an admin or a coordinator of that institution may do it; the person must have
    signed up first, so that nobody is enrolled under an address they do not control.
    """
    if not (added_by.is_admin or institution.id in added_by.coordinator_institution_ids):
        raise PlacementsError(_("Only this institution's coordinators or an admin can add coordinators."))
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise PlacementsError(
            _("No account uses %(email)s. Ask them to sign up first, then add them here.") % {"email": email}
        )
    if not user.is_active:
        raise PlacementsError(_("That account is deactivated."))
    try:
        with transaction.atomic():
            return InstitutionMembership.objects.create(user=user, institution=institution, added_by=added_by)
    except IntegrityError:
        raise PlacementsError(_("%(email)s is already a coordinator here.") % {"email": user.email}) from None


# --- Listings -------------------------------------------------------------------------------------

# The listing life cycle. One dict so that a single parametrised test covers the whole diagram.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Listing.Status.DRAFT: {Listing.Status.PENDING_REVIEW, Listing.Status.PUBLISHED, Listing.Status.ARCHIVED},
    Listing.Status.PENDING_REVIEW: {Listing.Status.PUBLISHED, Listing.Status.DRAFT, Listing.Status.ARCHIVED},
    # Back to review: a coordinator of an institution not yet verified changed a published listing.
    Listing.Status.PUBLISHED: {Listing.Status.ARCHIVED, Listing.Status.PENDING_REVIEW},
    Listing.Status.ARCHIVED: {Listing.Status.DRAFT},
}

# Fields a coordinator edits; copied as they are by listing_duplicate.
LISTING_CONTENT_FIELDS = [
    "kind",
    "title",
    "specialty",
    "description",
    "hands_on_level",
    "duration_weeks",
    "programme_fee",
    "application_fee",
    "deposit",
    "other_costs",
    "other_costs_note",
    "refund_terms",
    "visa_denial_refund",
    "housing_help",
    "lor_offered",
    "certificate_offered",
    "emr_access",
    "accepts_students",
    "accepts_graduates",
    "requires_ecfmg_certification",
    "requires_step1_pass",
    "min_step2_score",
    "max_years_since_graduation",
    "english_test",
    "min_letters",
    "max_letters",
    "source",
    "last_verified_on",
]


def _require_coordinator_of(*, user: Any, institution_id: int) -> None:
    if not (user.is_admin or institution_id in user.coordinator_institution_ids):
        raise PlacementsError(_("Only this institution's coordinators can change its listings."))


def _set_requirements(*, listing: Listing, document_kinds: Iterable[str], immunisations: Iterable[str]) -> None:
    # Keep the rows that stay (with their validity windows); add and remove only the difference.
    document_kinds, immunisations = set(document_kinds), set(immunisations)
    listing.document_requirements.exclude(kind__in=document_kinds).delete()
    have = set(listing.document_requirements.values_list("kind", flat=True))
    DocumentRequirement.objects.bulk_create(
        [DocumentRequirement(listing=listing, kind=kind) for kind in sorted(document_kinds - have)]
    )
    listing.immunisation_requirements.exclude(immunisation__in=immunisations).delete()
    have = set(listing.immunisation_requirements.values_list("immunisation", flat=True))
    ImmunisationRequirement.objects.bulk_create(
        [ImmunisationRequirement(listing=listing, immunisation=code) for code in sorted(immunisations - have)]
    )


def _save_listing_content(
    *,
    listing: Listing,
    fields: dict[str, Any],
    accepted_visas: Iterable[Any],
    document_kinds: Iterable[str],
    immunisations: Iterable[str],
) -> Listing:
    visas = list(accepted_visas)
    if not visas:
        raise PlacementsError(_("Say which visa statuses this placement accepts."))
    changed = [k for k in LISTING_CONTENT_FIELDS if k in fields]
    with transaction.atomic():
        for key in changed:
            setattr(listing, key, fields[key])
        listing.full_clean(exclude=["search_vector"])
        if listing.pk:
            listing.save(update_fields=[*changed, "updated_at"])
        else:
            listing.save()
        listing.accepted_visas.set(visas)
        _set_requirements(listing=listing, document_kinds=document_kinds, immunisations=immunisations)
    return listing


def listing_create(
    *,
    institution: Institution,
    created_by: Any,
    fields: dict[str, Any],
    accepted_visas: Iterable[Any],
    document_kinds: Iterable[str] = (),
    immunisations: Iterable[str] = (),
) -> Listing:
    """Create a draft listing of `institution`. Publishing is a separate step (listing_submit)."""
    _require_coordinator_of(user=created_by, institution_id=institution.id)
    listing = Listing(institution=institution, created_by=created_by, status=Listing.Status.DRAFT)
    return _save_listing_content(
        listing=listing,
        fields=fields,
        accepted_visas=accepted_visas,
        document_kinds=document_kinds,
        immunisations=immunisations,
    )


def listing_update(
    *,
    listing: Listing,
    actor: Any,
    fields: dict[str, Any],
    accepted_visas: Iterable[Any],
    document_kinds: Iterable[str] = (),
    immunisations: Iterable[str] = (),
) -> Listing:
    """Change a listing's content. Its sessions stay as they are, so applications already made to
    a published listing keep their session, seats and history. Its status stays too, except at an
    institution not yet verified: there an administrator approved what the listing said, so a
    change to a published listing goes back to review (out of search until approved again)."""
    _require_coordinator_of(user=actor, institution_id=listing.institution_id)
    before = _content_snapshot(listing)
    with transaction.atomic():
        _save_listing_content(
            listing=listing,
            fields=fields,
            accepted_visas=accepted_visas,
            document_kinds=document_kinds,
            immunisations=immunisations,
        )
        if (
            listing.status == Listing.Status.PUBLISHED
            and not actor.is_admin
            and _content_snapshot(listing) != before
            and not Institution.objects.filter(pk=listing.institution_id, verified=True).exists()
        ):
            _listing_transition(listing=listing, new_status=Listing.Status.PENDING_REVIEW, actor=actor)
    return listing


def _content_snapshot(listing: Listing) -> tuple:
    return (
        [getattr(listing, k) for k in LISTING_CONTENT_FIELDS],
        sorted(listing.accepted_visas.values_list("pk", flat=True)),
        sorted(listing.document_requirements.values_list("kind", flat=True)),
        sorted(listing.immunisation_requirements.values_list("immunisation", flat=True)),
    )


def listing_duplicate(*, listing: Listing, actor: Any) -> Listing:
    """A draft copy of a listing (content, visas, requirements; not its dated sessions)."""
    _require_coordinator_of(user=actor, institution_id=listing.institution_id)
    with transaction.atomic():
        copy = Listing(
            institution_id=listing.institution_id,
            created_by=actor,
            status=Listing.Status.DRAFT,
            duplicated_from=listing,
            **{k: getattr(listing, k) for k in LISTING_CONTENT_FIELDS},
        )
        copy.title = (_("Copy of %(title)s") % {"title": listing.title})[:200]
        copy.save()
        copy.accepted_visas.set(listing.accepted_visas.all())
        DocumentRequirement.objects.bulk_create(
            [
                DocumentRequirement(listing=copy, kind=r.kind, valid_within_days=r.valid_within_days)
                for r in listing.document_requirements.all()
            ]
        )
        ImmunisationRequirement.objects.bulk_create(
            [
                ImmunisationRequirement(
                    listing=copy, immunisation=r.immunisation, valid_within_days=r.valid_within_days
                )
                for r in listing.immunisation_requirements.all()
            ]
        )
    return copy


def _listing_transition(*, listing: Listing, new_status: str, actor: Any) -> Listing:
    with transaction.atomic():
        # Re-read under a row lock: two admins (or a double click) cannot both move it.
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        old_status = locked.status
        if new_status not in ALLOWED_TRANSITIONS[old_status]:
            raise PlacementsError(
                _("A listing that is %(old)s cannot become %(new)s.")
                % {"old": locked.get_status_display().lower(), "new": Listing.Status(new_status).label.lower()}
            )
        if (
            new_status in (Listing.Status.PUBLISHED, Listing.Status.PENDING_REVIEW)
            and not locked.accepted_visas.exists()
        ):
            raise PlacementsError(_("Say which visa statuses this placement accepts before publishing it."))
        locked.status = new_status
        update_fields = ["status", "updated_at"]
        if new_status == Listing.Status.PUBLISHED:
            locked.published_at = timezone.now()
            update_fields.append("published_at")
        locked.save(update_fields=update_fields)
        if new_status == Listing.Status.PUBLISHED:
            # The periodic refresh covers published listings only: a draft's dates may have aged.
            listing_dates.recompute(Listing.objects.filter(pk=locked.pk))
        ListingEvent.objects.create(listing=locked, old_status=old_status, new_status=new_status, actor=actor)
    listing.status, listing.published_at = locked.status, locked.published_at
    return listing


def listing_submit(*, listing: Listing, actor: Any) -> Listing:
    """A coordinator publishes a draft: live at once if the institution is verified, else to review."""
    _require_coordinator_of(user=actor, institution_id=listing.institution_id)
    verified = Institution.objects.filter(pk=listing.institution_id, verified=True).exists()
    new_status = Listing.Status.PUBLISHED if verified else Listing.Status.PENDING_REVIEW
    return _listing_transition(listing=listing, new_status=new_status, actor=actor)


def listing_publish(*, listing: Listing, actor: Any) -> Listing:
    """An admin publishes a listing (typically one pending review)."""
    if not actor.is_admin:
        raise PlacementsError(_("Only an admin can publish a listing under review."))
    return _listing_transition(listing=listing, new_status=Listing.Status.PUBLISHED, actor=actor)


def listing_unpublish(*, listing: Listing, actor: Any) -> Listing:
    """An admin takes a published listing out of search, back to review (its coordinators can
    change it and publish again; a verified institution's republish is immediate)."""
    if not actor.is_admin:
        raise PlacementsError(_("Only an admin can unpublish a listing."))
    return _listing_transition(listing=listing, new_status=Listing.Status.PENDING_REVIEW, actor=actor)


def listing_archive(*, listing: Listing, actor: Any) -> Listing:
    """Take a listing out of the catalogue. Its sessions and applications stay."""
    _require_coordinator_of(user=actor, institution_id=listing.institution_id)
    return _listing_transition(listing=listing, new_status=Listing.Status.ARCHIVED, actor=actor)


def listing_reopen(*, listing: Listing, actor: Any) -> Listing:
    """Bring an archived listing back as a draft, to edit and publish again."""
    _require_coordinator_of(user=actor, institution_id=listing.institution_id)
    return _listing_transition(listing=listing, new_status=Listing.Status.DRAFT, actor=actor)


# --- Sessions -------------------------------------------------------------------------------------

SESSION_FIELDS = [
    "start_date",
    "end_date",
    "seats",
    "applications_open_at",
    "applications_close_at",
    "offer_response_days",
]


def session_create(*, listing: Listing, actor: Any, fields: dict[str, Any]) -> Session:
    _require_coordinator_of(user=actor, institution_id=listing.institution_id)
    session = Session(listing=listing, **{k: fields[k] for k in SESSION_FIELDS if k in fields})
    session.full_clean()
    session.save()
    return session


def _lock_session(session_id: int) -> None:
    Session.objects.select_for_update(of=("self",)).filter(pk=session_id).values_list("pk").first()


def session_change_refusal(*, session_id: int, seats: int | None, archive: bool = False) -> str | None:
    """Lock the session and say why `seats` (or archiving it) would break a place already held:
    fewer seats than places held, or offers still waiting for an answer. None if nothing breaks.

    Call it inside the transaction that writes the change: the lock is the one every claim on a
    place takes first, so none lands between this count and the commit.
    """
    _lock_session(session_id)
    held = places.held(session_id)
    if seats is not None and (refusal := places.seats_refusal(held, seats=seats)):
        return refusal
    return places.archive_refusal(held) if archive else None


@contextmanager
def _refusals_in_words() -> Iterator[None]:
    """The database's own refusal (the seats trigger, PostgreSQL) as PlacementsError. Wrap the whole
    atomic block: the trigger is deferred and refuses at COMMIT."""
    try:
        yield
    except IntegrityError as exc:
        refusal = places.refusal_from_database(exc)
        if refusal is None:
            raise
        raise PlacementsError(refusal.words) from exc


def session_update(*, session: Session, actor: Any, fields: dict[str, Any]) -> Session:
    """Change a session's dates, seats or window. The row (and so applications to it) stays the same.
    Fewer seats than the places already held is refused, saying how many are held."""
    _require_coordinator_of(user=actor, institution_id=session.listing.institution_id)
    changed = [k for k in SESSION_FIELDS if k in fields]
    for key in changed:
        setattr(session, key, fields[key])
    session.full_clean()
    with _refusals_in_words(), transaction.atomic():
        refusal = session_change_refusal(session_id=session.pk, seats=session.seats) if "seats" in changed else None
        if refusal:
            raise PlacementsError(refusal)
        session.save(update_fields=changed)
    return session


def session_archive(*, session: Session, actor: Any) -> Session:
    """Withdraw a session from the listing. Kept, not deleted: applications point at it.
    Refused while offers in it wait for an answer (an archived session makes no offers)."""
    _require_coordinator_of(user=actor, institution_id=session.listing.institution_id)
    with _refusals_in_words(), transaction.atomic():
        refusal = session_change_refusal(session_id=session.pk, seats=None, archive=True)
        if refusal:
            raise PlacementsError(refusal)
        Session.objects.filter(pk=session.pk).update(is_archived=True)
    count_cache.catalogue_changed()  # update() sends no post_save
    listing_dates.session_changed(session.listing_id)  # nor does it on SQLite (the trigger on PostgreSQL)
    session.is_archived = True
    return session


def session_next_cohort(*, session: Session) -> dict[str, Any]:
    """Initial values for duplicating a session: the same shape, starting the day after it ends."""
    shift = (session.end_date - session.start_date) + dt.timedelta(days=1)
    return {
        "start_date": session.start_date + shift,
        "end_date": session.end_date + shift,
        "seats": session.seats,
        "applications_open_at": session.applications_open_at + shift,
        "applications_close_at": session.applications_close_at + shift,
        "offer_response_days": session.offer_response_days,
    }
