"""Writes to letters: requests, links, uploads, declines. Views, admin actions and tasks call these.

Every change re-reads the request under `select_for_update`, checks the move against
`LetterRequest.ALLOWED_TRANSITIONS`, saves the fields it changed, and queues its e-mail with
the outbox in the same transaction, so a rolled-back change never mails anybody.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.uploads import delete_stored, store_upload
from applications.models import Application
from audit.services import audit_read

from . import emails, tokens
from .models import Letter, LetterAccess, LetterAssignment, LetterLink, LetterRequest
from .selectors import letter_is_locked, too_many_letters

Status = LetterRequest.Status


class LetterError(Exception):
    """A refused change, with a message fit to show the user."""


class LinkRefused(Exception):
    """The writer's link does not lead to a request the writer may act on; `reason` says why."""

    INVALID = "invalid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    REPLACED = "replaced"
    DECLINED = "declined"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_move(letter_request: LetterRequest, to_status: str, message: str) -> None:
    if (letter_request.status, to_status) not in LetterRequest.ALLOWED_TRANSITIONS:
        raise LetterError(message)


def _lock(letter_request: LetterRequest) -> LetterRequest:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the join to the letter.
    return (
        LetterRequest.objects.select_for_update(of=("self",)).select_related("current_letter").get(pk=letter_request.pk)
    )


def _lock_own(letter_request: LetterRequest, actor: Any, to_status: str, refusal: str) -> LetterRequest:
    locked = _lock(letter_request)
    if locked.applicant_id != actor.id:
        raise LetterError(_("This is not your request."))
    _check_move(locked, to_status, refusal)
    return locked


def _already_asked(writer_email: str) -> str:
    return _("You have already asked %(email)s for a letter. Resend or revoke that request instead.") % {
        "email": writer_email
    }


def _new_link(letter_request: LetterRequest) -> LetterLink:
    """Issue a link, and record its e-mail in the outbox (sent once the transaction commits)."""
    # emailed_at: when the e-mail was recorded; the outbox keeps when it was sent.
    link = LetterLink.objects.create(request=letter_request, emailed_at=timezone.now())
    emails.link_message_enqueue(link=link)
    return link


def _end_links(letter_request: LetterRequest, because: str) -> None:
    LetterLink.objects.filter(request=letter_request, ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_because=because
    )


def letter_request_create(
    *,
    applicant: Any,
    writer_name: str,
    writer_email: str,
    writer_title: str,
    writer_institution: str,
    relationship: str,
    waived: bool,
    message: str = "",
    rotation: Any = None,
) -> LetterRequest:
    """Ask a writer for a letter: store the request and e-mail the writer a personal link.

    Asking the same address again while a request to it is live is refused; the partial unique
    constraint backs the check when two requests race (a double click).
    """
    writer_email = writer_email.strip()
    if rotation is not None and (rotation.applicant_id != applicant.id or rotation.status != "completed"):
        raise LetterError(_("Choose a rotation you have completed on the portal."))
    if LetterRequest.objects.of_applicant(applicant).active().filter(writer_email__iexact=writer_email).exists():
        raise LetterError(_already_asked(writer_email))
    try:
        with transaction.atomic():
            letter_request = LetterRequest.objects.create(
                applicant=applicant,
                writer_name=writer_name.strip(),
                writer_email=writer_email,
                writer_title=writer_title.strip(),
                writer_institution=writer_institution.strip(),
                relationship=relationship.strip(),
                waived=waived,
                message=message.strip(),
                rotation=rotation,
                expires_at=timezone.now() + tokens.link_lifetime(),
            )
            _new_link(letter_request)
    except IntegrityError:
        raise LetterError(_already_asked(writer_email)) from None
    return letter_request


def letter_request_resend(*, letter_request: LetterRequest, actor: Any) -> LetterRequest:
    """Send the writer a fresh link. The old link stops working at once."""
    try:
        with transaction.atomic():
            locked = _lock_own(
                letter_request, actor, Status.SENT, _("This request cannot be sent again: the writer has answered it.")
            )
            _end_links(locked, LetterLink.Ended.REPLACED)
            locked.status = Status.SENT
            locked.expires_at = timezone.now() + tokens.link_lifetime()
            locked.revoked_at = None
            # The unique constraint refuses re-opening a revoked request when the applicant has
            # since asked the same writer again.
            locked.save(update_fields=["status", "expires_at", "revoked_at"])
            _new_link(locked)
    except IntegrityError:
        raise LetterError(_already_asked(letter_request.writer_email)) from None
    return locked


def letter_request_revoke(*, letter_request: LetterRequest, actor: Any) -> LetterRequest:
    """Withdraw a request the writer has not answered; the link then says it was withdrawn."""
    with transaction.atomic():
        locked = _lock_own(
            letter_request, actor, Status.REVOKED, _("Only a request still waiting for the writer can be revoked.")
        )
        _end_links(locked, LetterLink.Ended.REVOKED)
        locked.status = Status.REVOKED
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["status", "revoked_at"])
    return locked


def letter_link_resolve(*, token: str) -> LetterRequest:
    """The request a writer's token leads to, or LinkRefused saying why it does not.

    A refused link never reveals whose request it was: the page only says what happened.
    """
    try:
        key = tokens.read_token(token)
    except tokens.BadLink as exc:
        raise LinkRefused(
            LinkRefused.EXPIRED if exc.problem is tokens.LinkProblem.EXPIRED else LinkRefused.INVALID
        ) from exc
    link = LetterLink.objects.select_related("request__applicant", "request__current_letter").filter(key=key).first()
    if link is None:
        raise LinkRefused(LinkRefused.INVALID)
    if link.ended_because == LetterLink.Ended.REVOKED:
        raise LinkRefused(LinkRefused.REVOKED)
    if link.ended_at is not None:
        raise LinkRefused(LinkRefused.REPLACED)
    letter_request = link.request
    if letter_request.status == Status.DECLINED:
        raise LinkRefused(LinkRefused.DECLINED)
    if letter_request.shown_status == Status.EXPIRED:
        raise LinkRefused(LinkRefused.EXPIRED)
    return letter_request


def letter_request_mark_opened(*, letter_request: LetterRequest) -> None:
    """Record the writer's first visit. A conditional update: a second tab changes nothing."""
    now = timezone.now()
    if LetterRequest.objects.filter(pk=letter_request.pk, status=Status.SENT).update(
        status=Status.OPENED, opened_at=now
    ):
        letter_request.status, letter_request.opened_at = Status.OPENED, now


def letter_upload(*, letter_request: LetterRequest, upload: UploadedFile, checked: Any) -> Letter:
    """Store the writer's PDF, already checked by applicants.uploads.check_upload, as the current letter.

    The file is written before the transaction and removed again if the change is refused, so a
    refusal leaves what was stored before untouched. The applicant is told only after the commit:
    nobody hears of a letter that was not stored.
    """

    name = store_upload(upload, checked, folder="letters")
    try:
        with transaction.atomic():
            locked = _lock(letter_request)
            _check_move(locked, Status.UPLOADED, _("This request no longer accepts a letter."))
            if letter_is_locked(locked):
                raise LetterError(
                    _(
                        "This letter has already gone to a programme with a submitted application; "
                        "it can no longer be replaced."
                    )
                )
            current = locked.current_letter
            if current is not None and current.sha256 == checked.sha256:
                # The same file again (a double click, a retried upload): nothing new to store or tell.
                delete_stored(name)
                return current
            letter = Letter.objects.create(request=locked, file=name, size=checked.size, sha256=checked.sha256)
            replaced = current is not None
            locked.current_letter = letter
            locked.status = Status.UPLOADED
            locked.uploaded_at = letter.uploaded_at
            locked.save(update_fields=["current_letter", "status", "uploaded_at"])
            emails.uploaded_message_enqueue(letter=letter, replaced=replaced)
    except BaseException:
        delete_stored(name)
        raise
    return letter


def letter_request_decline(*, letter_request: LetterRequest, message: str = "") -> LetterRequest:
    """The writer says no, optionally with a message the applicant will read."""
    with transaction.atomic():
        locked = _lock(letter_request)
        _check_move(locked, Status.DECLINED, _("This request can no longer be declined."))
        locked.status = Status.DECLINED
        locked.declined_at = timezone.now()
        locked.decline_message = message.strip()
        locked.save(update_fields=["status", "declined_at", "decline_message"])
        emails.declined_message_enqueue(letter_request=locked)
    return locked


def letter_requests_expire() -> int:
    """The daily sweep: mark requests whose link lapsed as expired, and recompute the due dates of
    those still awaited (a coordinator may have moved a session's deadline). Returns how many expired."""
    expired = LetterRequest.objects.lapsed().update(status=Status.EXPIRED)
    # Those with a due date too: a request whose draft was withdrawn or deleted loses it.
    letter_requests_refresh_due(
        letter_request_ids=LetterRequest.objects.awaiting_writer()
        .filter(Q(assignments__isnull=False) | Q(due_at__isnull=False))
        .values("pk")
    )
    return expired


# --- Assignment to applications ------------------------------------------------------------


def letter_assignments_set(*, application: Any, letter_request_ids: list[int], actor: Any) -> list[LetterRequest]:
    """Make these the application's letters (adding and removing), while it is still a draft.

    The application row is locked so that a submission cannot slip in between the check and
    the change; the letters' due dates are refreshed for every letter added or removed.
    """

    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("session__listing")
            .get(pk=application.pk)
        )
        if locked.applicant_id != actor.id:
            raise LetterError(_("This is not your application."))
        if locked.status != Application.Status.DRAFT:
            raise LetterError(_("This application has been submitted: its letters can no longer change."))
        wanted = list(
            LetterRequest.objects.of_applicant(actor).filter(pk__in=set(letter_request_ids)).order_by("created_at")
        )
        if len(wanted) != len(set(letter_request_ids)):
            raise LetterError(_("One of the letters chosen is not yours."))
        for letter_request in wanted:
            if letter_request.shown_status not in LetterRequest.ACTIVE:
                raise LetterError(
                    _("The request to %(name)s is %(status)s: it cannot be assigned.")
                    % {"name": letter_request.writer_name, "status": letter_request.get_shown_status_display().lower()}
                )
        listing = locked.session.listing
        if len(wanted) > listing.max_letters:
            raise LetterError(too_many_letters(listing.max_letters))
        current = set(LetterAssignment.objects.filter(application=locked).values_list("letter_request_id", flat=True))
        wanted_ids = {letter_request.pk for letter_request in wanted}
        LetterAssignment.objects.filter(application=locked).exclude(letter_request_id__in=wanted_ids).delete()
        LetterAssignment.objects.bulk_create(
            [LetterAssignment(letter_request_id=pk, application=locked) for pk in wanted_ids - current]
        )
        letter_requests_refresh_due(letter_request_ids=current ^ wanted_ids)
    return wanted


def letter_requests_refresh_due(*, letter_request_ids: Any) -> None:
    """Set each request's due date to the earliest deadline among the draft applications it is assigned to.

    Drafts only: a letter still awaited can only be on drafts (submitting needs it uploaded), and a
    withdrawn draft needs no letter, so its deadline must not hurry the writer. One UPDATE with a
    subquery, so the date is computed by the database from the rows as they are.
    """
    earliest = (
        LetterAssignment.objects.filter(letter_request=OuterRef("pk"), application__status="draft")
        .order_by()
        .values("letter_request")
        .annotate(earliest=Min("application__session__applications_close_at"))
        .values("earliest")
    )
    LetterRequest.objects.filter(pk__in=letter_request_ids).update(due_at=Subquery(earliest))


def letter_read_record(*, letter: Letter, application: Any, reader: Any) -> LetterAccess:
    """Record that a coordinator opened a letter: a LetterAccess row (shown with the letters in the
    admin) and an entry in the portal's append-only audit log, in one transaction."""
    with transaction.atomic():
        access = LetterAccess.objects.create(
            letter=letter, application=application, reader=reader, reader_email=reader.email
        )
        audit_read(
            reader=reader,
            action="letter.viewed",
            obj=letter.request,
            subject=application.applicant_id,
            institution=application.session.listing.institution.name,
            what=f"Letter from {letter.request.writer_name}",
            letter_id=letter.pk,
            application_id=application.pk,
        )
    return access
