"""Writes to applications. HTML views, bulk actions and tasks all call these.

`application_move` is the one path by which an application changes state: it locks the session
then the application, checks ALLOWED_TRANSITIONS and the actor's right, applies what entering
the new state means, saves only the changed fields, writes the event, and queues the e-mail
after commit. A refused move raises ApplicationError inside the transaction: nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_read, audit_record
from notifications.timezones import user_time_zone
from placements.models import Session

from .eligibility_check import eligibility_for
from .errors import AlreadyMoved, ApplicationError, TryAgain
from .hooks import run_move_hooks
from .models import (
    Answer,
    Application,
    ApplicationEvent,
    Certificate,
    ChecklistItem,
    InterviewSlot,
    ListingQuestion,
    Note,
    Review,
    Score,
)
from .notifications import event_message_enqueue, event_messages_enqueue, notify_coordinators
from .seats import (
    lock_applications,
    lock_session,
    lock_sessions,
    lock_waits_answer_try_again,
    places_held,
    refusals_in_words,
    seats_free,
    seats_taken,
)
from .selectors import submission_missing
from .states import SEAT_HOLDING, Actor, Status, roles_allowed

__all__ = ["ApplicationError", "TryAgain", "application_move", "application_start", "application_save_draft"]


def _check_actor(application: Application, actor: Any, role: str) -> None:
    if role == Actor.SYSTEM:
        return
    if actor is None:
        raise ApplicationError(_("Sign in to change an application."))
    if role == Actor.APPLICANT and actor.pk != application.applicant_id:
        raise ApplicationError(_("This is not your application."))
    if (
        role == Actor.COORDINATOR
        and application.session.listing.institution_id not in actor.coordinator_institution_ids
    ):
        raise ApplicationError(_("Only this institution's coordinators can change this application."))


def _display(status: str) -> str:
    return str(Status(status).label)


def application_move(
    *,
    application_id: int,
    to_status: str,
    actor: Any,
    role: str,
    message: str = "",
    internal: bool = False,
    now: dt.datetime | None = None,
) -> Application:
    """Move one application to `to_status` on behalf of `actor` acting as `role`.

    Moving to the state it is already in returns it unchanged when `actor` made that move (a double
    click is not an error); when somebody else did, AlreadyMoved says who and when.
    """
    try:
        return _application_move(
            application_id=application_id,
            to_status=to_status,
            actor=actor,
            role=role,
            message=message,
            internal=internal,
            now=now,
        )
    except AlreadyMoved as exc:
        if exc.by_same_actor:
            return exc.application
        raise


def _application_move(
    *,
    application_id: int,
    to_status: str,
    actor: Any,
    role: str,
    message: str,
    internal: bool,
    now: dt.datetime | None,
) -> Application:
    """`application_move`, raising AlreadyMoved even when `actor` made the move (bulk moves count them)."""
    now = now or timezone.now()
    try:
        session_id = Application.objects.values_list("session_id", flat=True).get(pk=application_id)
    except Application.DoesNotExist:
        raise ApplicationError(_("That application does not exist.")) from None
    with lock_waits_answer_try_again(), refusals_in_words(), transaction.atomic():
        session = lock_session(session_id)
        application = lock_applications(Application.objects.select_related("applicant")).get(pk=application_id)
        application.session = session
        _check_actor(application, actor, role)
        if application.status == to_status:
            last = _last_move(application)
            raise AlreadyMoved(
                _("Already moved to “%(status)s” by %(who)s %(when)s.")
                % {"status": _display(to_status), "who": _who(last, actor=actor, role=role), "when": _when(last)},
                application=application,
                by_same_actor=last is None or _made_by(last, actor=actor, role=role),
            )
        _move_locked(
            application, to_status=to_status, actor=actor, role=role, message=message, internal=internal, now=now
        )
        return application


def _move_locked(
    application: Application, *, to_status: str, actor: Any, role: str, message: str, internal: bool, now: dt.datetime
) -> None:
    from_status = application.status
    allowed = roles_allowed(from_status, to_status)
    if not allowed:
        last = _last_move(application)
        if last is not None and not _made_by(last, actor=actor, role=role):
            # Two people at the same application: say who got there first, not only that it is too late.
            raise ApplicationError(
                _("Moved to “%(from)s” by %(who)s %(when)s; from there it cannot be moved to “%(to)s”.")
                % {
                    "from": _display(from_status),
                    "who": _who(last, actor=actor, role=role),
                    "when": _when(last),
                    "to": _display(to_status),
                }
            )
        raise ApplicationError(
            _("An application in the state “%(from)s” cannot be moved to “%(to)s”.")
            % {"from": _display(from_status), "to": _display(to_status)}
        )
    if role not in allowed:
        raise ApplicationError(
            _("Only the %(roles)s can move an application from “%(from)s” to “%(to)s”.")
            % {
                "roles": _(" or ").join(sorted(str(Actor(r).label).lower() for r in allowed)),
                "from": _display(from_status),
                "to": _display(to_status),
            }
        )
    changed = ENTER.get(to_status, _no_change)(application, now=now)
    application.status = to_status
    application.save(update_fields=["status", "updated_at", *changed])
    event = ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        actor_role=role,
        from_status=from_status,
        to_status=to_status,
        message=message.strip(),
        internal=internal,
        created_at=now,
    )
    run_move_hooks(application=application, from_status=from_status, to_status=to_status, actor=actor, now=now)
    if from_status in SEAT_HOLDING and to_status not in SEAT_HOLDING:
        waitlist_promote(session=application.session, now=now)
    if not internal:
        # In the move's transaction: the e-mail exists if and only if the move does.
        event_message_enqueue(event=event)


def _last_move(application: Application) -> ApplicationEvent | None:
    """The event that put the application in its present state."""
    return (
        application.events.filter(to_status=application.status)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def _made_by(event: ApplicationEvent, *, actor: Any, role: str) -> bool:
    if actor is None:
        return event.actor_id is None and event.actor_role == role
    return event.actor_id == actor.pk


def _who(event: ApplicationEvent | None, *, actor: Any, role: str) -> str:
    """Who made the move, as the person now asking should read it."""
    if event is None:
        return _("someone else")
    if _made_by(event, actor=actor, role=role):
        return _("you")
    if event.actor_role == Actor.SYSTEM:
        return _("the portal")
    if event.actor_role == Actor.COORDINATOR:
        # Applicants deal with the programme, not with the coordinator's name.
        if role != Actor.COORDINATOR or event.actor is None:
            return _("the programme")
        return event.actor.get_full_name() or event.actor.email
    if role == Actor.COORDINATOR and event.actor is not None:
        return _("%(name)s (the applicant)") % {"name": event.actor.get_full_name()}
    return _("the applicant")


def _when(event: ApplicationEvent | None) -> str:
    if event is None:
        return ""
    local = timezone.localtime(event.created_at)
    time = formats.time_format(local, "H:i")
    if local.date() == timezone.localdate():
        return _("at %(time)s") % {"time": time}
    return _("on %(date)s at %(time)s") % {"date": formats.date_format(local, "DATE_FORMAT"), "time": time}


# --- What entering each state means. Each returns the extra fields it changed. ------------


def _no_change(application: Application, *, now: dt.datetime) -> list[str]:
    return []


def _enter_submitted(application: Application, *, now: dt.datetime) -> list[str]:
    session = application.session
    if not session.is_open_for_applications(now):
        raise ApplicationError(_("Applications to this session are closed."))
    missing = submission_missing(application)
    if missing:
        raise ApplicationError(_("Your application is not complete yet."), reasons=missing)
    eligibility = eligibility_for(applicant=application.applicant, session=session)
    application.submitted_at = now
    application.eligible_at_submit = eligibility.eligible
    application.eligibility_reasons = eligibility.reasons
    return ["submitted_at", "eligible_at_submit", "eligibility_reasons"]


def _enter_waitlisted(application: Application, *, now: dt.datetime) -> list[str]:
    last = Application.objects.filter(session=application.session, status=Status.WAITLISTED).aggregate(
        last=Max("waitlist_position")
    )["last"]
    application.waitlist_position = (last or 0) + 1
    return ["waitlist_position"]


def _enter_offered(application: Application, *, now: dt.datetime) -> list[str]:
    session = application.session
    if session.is_archived:
        # Read under the session's lock: an archive committed a moment ago is seen here.
        raise ApplicationError(_("This session was archived: no offer can be made in it."))
    if seats_taken(session) >= session.seats:
        raise ApplicationError(
            _("All %(seats)s places in this session are taken or offered. Waitlist the applicant instead.")
            % {"seats": session.seats}
        )
    application.offer_expires_at = now + dt.timedelta(days=session.offer_response_days)
    application.waitlist_position = None
    application.decided_at = now
    return ["offer_expires_at", "waitlist_position", "decided_at"]


def _enter_accepted(application: Application, *, now: dt.datetime) -> list[str]:
    if application.offer_expires_at and application.offer_expires_at <= now:
        raise ApplicationError(
            _("This offer expired on %(when)s.")
            % {"when": formats.date_format(timezone.localtime(application.offer_expires_at), "DATETIME_FORMAT")}
        )
    checklist_create(application=application)
    return []


def _enter_rejected(application: Application, *, now: dt.datetime) -> list[str]:
    application.decided_at = now
    application.waitlist_position = None
    return ["decided_at", "waitlist_position"]


def _enter_withdrawn(application: Application, *, now: dt.datetime) -> list[str]:
    application.waitlist_position = None
    return ["waitlist_position"]


def _enter_completed(application: Application, *, now: dt.datetime) -> list[str]:
    application.completed_at = now
    return ["completed_at"]


ENTER: dict[str, Callable[..., list[str]]] = {
    Status.SUBMITTED: _enter_submitted,
    Status.WAITLISTED: _enter_waitlisted,
    Status.OFFERED: _enter_offered,
    Status.ACCEPTED: _enter_accepted,
    Status.REJECTED: _enter_rejected,
    Status.WITHDRAWN: _enter_withdrawn,
    Status.COMPLETED: _enter_completed,
}


def waitlist_promote(*, session: Session, now: dt.datetime) -> list[Application]:
    """Offer freed places to the waitlist, head first. The caller holds the session's lock.
    An archived session makes no more offers."""
    free = 0 if session.is_archived else seats_free(session)
    if free <= 0:
        return []
    heads = list(
        lock_applications(Application.objects.select_related("applicant"))
        .filter(session=session, status=Status.WAITLISTED)
        .order_by("waitlist_position", "submitted_at")[:free]
    )
    for application in heads:
        application.session = session
        _move_locked(
            application,
            to_status=Status.OFFERED,
            actor=None,
            role=Actor.SYSTEM,
            internal=False,
            now=now,
            message=_("A place opened up and you were next on the waitlist."),
        )
    return heads


def waitlist_reorder(*, session: Session, ordered_ids: list[int], actor: Any) -> None:
    """Put the session's waitlist in the coordinator's order (ids first to last)."""
    if session.listing.institution_id not in actor.coordinator_institution_ids:
        raise ApplicationError(_("Only this institution's coordinators can order its waitlist."))
    with lock_waits_answer_try_again(), refusals_in_words(), transaction.atomic():
        lock_session(session.pk)
        waiting = {
            a.pk: a for a in lock_applications(Application.objects.filter(session=session, status=Status.WAITLISTED))
        }
        order = [pk for pk in ordered_ids if pk in waiting]
        order += sorted(set(waiting) - set(order), key=lambda pk: waiting[pk].waitlist_position or 0)
        # Positions are unique per session, checked row by row: first move everyone past every
        # position in use, then to their places, so that no two rows ever share one on the way.
        above = max([len(order), *(a.waitlist_position or 0 for a in waiting.values())])
        for step in (above, 0):
            for position, pk in enumerate(order, start=1):
                waiting[pk].waitlist_position = step + position
            Application.objects.bulk_update(waiting.values(), ["waitlist_position"])


def offers_expire(*, now: dt.datetime | None = None) -> int:
    """Expire every offer past its deadline (promoting the waitlist); returns how many."""
    now = now or timezone.now()
    expired = 0
    for pk in Application.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now).values_list("pk", flat=True):
        try:
            application = application_move(
                application_id=pk,
                to_status=Status.OFFER_EXPIRED,
                actor=None,
                role=Actor.SYSTEM,
                now=now,
                message=_("The offer was not answered by its deadline."),
            )
        except ApplicationError:
            # Race condition: accepted, declined or withdrawn since we listed it. Nothing to do.
            continue
        expired += application.status == Status.OFFER_EXPIRED
    return expired


# --- Drafts --------------------------------------------------------------------------------


def application_start(*, applicant: Any, session: Session, now: dt.datetime | None = None) -> Application:
    """Return the applicant's application to this session, creating the draft the first time.

    `now` is the moment the applicant starts it (the demo's history is dated in the past)."""
    now = now or timezone.now()
    if not applicant.is_applicant:
        raise ApplicationError(_("Only applicants can apply."))
    existing = Application.objects.filter(applicant=applicant, session=session).first()
    if existing:
        return existing
    if not session.is_open_for_applications(now) or session.listing.status != "published":
        raise ApplicationError(_("Applications to this session are closed."))
    try:
        with transaction.atomic():
            application = Application.objects.create(applicant=applicant, session=session, created_at=now)
            ApplicationEvent.objects.create(
                application=application,
                actor=applicant,
                actor_role=Actor.APPLICANT,
                to_status=Status.DRAFT,
                message=_("Application started."),
                created_at=now,
            )
            return application
    except IntegrityError:
        # A double click: the other request created it a moment ago.
        return Application.objects.get(applicant=applicant, session=session)


def application_save_draft(
    *,
    application: Application,
    applicant: Any,
    personal_statement: str,
    answers: dict[int, str],
    documents: Any = None,
) -> Application:
    """Save what the applicant typed so far. Only drafts can change. Only their own documents attach."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk, applicant=applicant)
        if locked.status != Status.DRAFT:
            raise ApplicationError(_("This application was already submitted; it can no longer be edited."))
        locked.personal_statement = personal_statement
        locked.save(update_fields=["personal_statement", "updated_at"])
        question_ids = set(
            ListingQuestion.objects.filter(listing_id=application.session.listing_id).values_list("pk", flat=True)
        )
        for question_id, value in answers.items():
            if question_id in question_ids:
                Answer.objects.update_or_create(application=locked, question_id=question_id, defaults={"value": value})
        if documents is not None:
            locked.documents.set([d for d in documents if d.owner_id == applicant.pk])
    return locked


# --- Enrolment -----------------------------------------------------------------------------

ONBOARDING_STEPS = [
    gettext_lazy("Book travel and housing for the whole rotation"),
    gettext_lazy("Complete the hospital's HIPAA and orientation modules"),
    gettext_lazy("Send your arrival time to the coordinator"),
]


def checklist_create(*, application: Application) -> None:
    """The pre-arrival checklist: documents the listing requires, the fee, onboarding steps."""
    listing = application.session.listing
    items = [
        ChecklistItem(
            application=application,
            kind=ChecklistItem.Kind.DOCUMENT,
            label=_("Upload your %(doc)s") % {"doc": req.get_kind_display()},
        )
        for req in listing.document_requirements.all()
    ]
    items.append(
        ChecklistItem(
            application=application,
            kind=ChecklistItem.Kind.FEE,
            coordinator_only=True,
            label=_("Programme fee received"),
        )
    )
    items += [
        ChecklistItem(application=application, kind=ChecklistItem.Kind.ONBOARDING, label=str(step))
        for step in ONBOARDING_STEPS
    ]
    for position, item in enumerate(items):
        item.position = position
    ChecklistItem.objects.bulk_create(items, ignore_conflicts=True)


def checklist_tick(*, application: Application, item_id: int, actor: Any, role: str, done: bool) -> ChecklistItem:
    """Tick or untick a checklist step. The fee is confirmed by a coordinator only."""
    item = ChecklistItem.objects.filter(application=application, pk=item_id).first()
    if item is None:
        raise ApplicationError(_("That checklist step does not exist."))
    if item.coordinator_only and role != Actor.COORDINATOR:
        raise ApplicationError(_("The coordinator confirms this step."))
    if application.status not in {Status.ACCEPTED, Status.ENROLLED}:
        raise ApplicationError(_("The checklist is for accepted places."))
    item.done_at = timezone.now() if done else None
    item.done_by = actor if done else None
    item.save(update_fields=["done_at", "done_by"])
    if item.kind == ChecklistItem.Kind.FEE:
        Application.objects.filter(pk=application.pk).update(fee_paid_at=item.done_at)
    return item


# --- Interviews ----------------------------------------------------------------------------


def interview_slot_create(
    *, session: Session, actor: Any, starts_at: dt.datetime, duration_minutes: int, where: str
) -> InterviewSlot:
    if session.listing.institution_id not in actor.coordinator_institution_ids:
        raise ApplicationError(_("Only this institution's coordinators can publish interview times."))
    try:
        with transaction.atomic():
            return InterviewSlot.objects.create(
                session=session, starts_at=starts_at, duration_minutes=duration_minutes, where=where, created_by=actor
            )
    except IntegrityError:
        raise ApplicationError(_("There is already a slot at that time.")) from None


def interview_slot_cancel(*, slot_id: int, actor: Any) -> InterviewSlot:
    """Take back a published interview time. A booked one tells its applicant (timeline, e-mail,
    in-app), who stays invited and can book another time; a time already past cannot be taken back,
    since the interview it held has happened."""
    with transaction.atomic():
        slot = (
            InterviewSlot.objects.select_for_update(of=("self",))
            .select_related("session__listing")
            .filter(session__listing__institution_id__in=actor.coordinator_institution_ids, pk=slot_id)
            .first()
        )
        if slot is None:
            raise ApplicationError(_("That interview time no longer exists."))
        if slot.application_id is not None:
            if slot.starts_at <= timezone.now():
                raise ApplicationError(_("This interview time has passed: it can no longer be cancelled."))

            application = slot.application
            assert application is not None  # the slot is booked
            # The message is stored once and read by the applicant: in their zone, named.
            when = timezone.localtime(slot.starts_at, user_time_zone(application.applicant))
            event = ApplicationEvent.objects.create(
                application=application,
                actor=actor,
                actor_role=Actor.COORDINATOR,
                message=_("The programme cancelled your interview of %(when)s (%(zone)s). Please book another time.")
                % {"when": formats.date_format(when, "DATETIME_FORMAT"), "zone": when.tzname()},
            )
            event_message_enqueue(event=event)
        slot.delete()
    return slot


def interview_book(*, application: Application, slot_id: int, applicant: Any) -> InterviewSlot:
    """Book a free slot. Two applicants clicking the same slot: the conditional update picks one."""
    if application.applicant_id != applicant.pk or application.status != Status.INTERVIEW:
        raise ApplicationError(_("Only applicants invited to interview can book a time."))
    if InterviewSlot.objects.filter(application=application).exists():
        raise ApplicationError(_("You already booked an interview time."))
    with transaction.atomic():
        claimed = InterviewSlot.objects.filter(
            pk=slot_id, session_id=application.session_id, application=None, starts_at__gt=timezone.now()
        ).update(application=application)
        if claimed != 1:
            raise ApplicationError(_("That time was just taken. Please choose another."))
        slot = InterviewSlot.objects.select_related("session__listing__institution").get(pk=slot_id)
        ApplicationEvent.objects.create(
            application=application,
            actor=applicant,
            actor_role=Actor.APPLICANT,
            message=_("Interview booked for %(when)s.")
            % {"when": formats.date_format(timezone.localtime(slot.starts_at), "DATETIME_FORMAT")},
        )
        institution = slot.session.listing.institution
        when = timezone.localtime(slot.starts_at, ZoneInfo(institution.time_zone))
        notify_coordinators(
            application=application,
            title=_("%(name)s booked an interview: %(when)s %(zone)s, %(listing)s")
            % {
                "name": applicant.get_full_name(),
                "when": formats.date_format(when, "DATETIME_FORMAT"),
                "zone": when.tzname(),
                "listing": slot.session.listing.title,
            },
        )
    return slot


def interview_request_other(*, application: Application, applicant: Any, message: str) -> ApplicationEvent:
    """The applicant cannot make any published time: tell the coordinators, on the timeline."""
    if application.applicant_id != applicant.pk or application.status != Status.INTERVIEW:
        raise ApplicationError(_("Only applicants invited to interview can ask for another time."))
    event = ApplicationEvent.objects.create(
        application=application,
        actor=applicant,
        actor_role=Actor.APPLICANT,
        message=_("Asked for another interview time: %(message)s") % {"message": message.strip()},
    )
    notify_coordinators(
        application=application,
        body=message.strip(),
        title=_("%(name)s asked for another interview time") % {"name": applicant.get_full_name()},
    )
    return event


# --- Coordinators' notes, scores, completion ------------------------------------------------


def note_add(*, application: Application, author: Any, body: str) -> Note:
    if application.session.listing.institution_id not in author.coordinator_institution_ids:
        raise ApplicationError(_("Only this institution's coordinators can add notes."))
    return Note.objects.create(application=application, author=author, body=body.strip())


def score_set(*, application: Application, scorer: Any, values: dict[str, int | None]) -> None:
    """Record this coordinator's rubric marks; an empty value clears that criterion."""
    if application.session.listing.institution_id not in scorer.coordinator_institution_ids:
        raise ApplicationError(_("Only this institution's coordinators can score."))
    with transaction.atomic():
        for criterion, value in values.items():
            if value is None:
                Score.objects.filter(application=application, scorer=scorer, criterion=criterion).delete()
            else:
                Score.objects.update_or_create(
                    application=application, scorer=scorer, criterion=criterion, defaults={"value": value}
                )


def application_complete(
    *, application_id: int, actor: Any, evaluation: str, early_reason: str = "", now: dt.datetime | None = None
) -> Certificate:
    """Mark the rotation completed, store the evaluation and issue the certificate, all or nothing.

    A certificate states the session's dates: before the session's last day it is refused unless
    the coordinator says why the rotation ended early, and that reason goes on the timeline.
    """
    now = now or timezone.now()
    early_reason = early_reason.strip()
    with transaction.atomic():
        session = (
            Session.objects.select_related("listing__institution")
            .filter(applications__pk=application_id)
            .only("end_date", "listing__institution__time_zone")
            .first()
        )
        if session is None:
            raise ApplicationError(_("That application does not exist."))
        today = timezone.localtime(now, ZoneInfo(session.listing.institution.time_zone)).date()
        message = _("Rotation completed. Your certificate is ready to download.")
        ended_on = min(today, session.end_date)  # what the certificate states
        if today < session.end_date:
            if not early_reason:
                raise ApplicationError(
                    _(
                        "This session runs until %(end)s. To complete the rotation before then, "
                        "give the reason it ended early."
                    )
                    % {"end": formats.date_format(session.end_date, "DATE_FORMAT")}
                )
            message = _(
                "Rotation completed early (before %(end)s): %(reason)s Your certificate is ready to download."
            ) % {
                "end": formats.date_format(session.end_date, "DATE_FORMAT"),
                "reason": early_reason.rstrip(".") + ".",
            }
        application = application_move(
            application_id=application_id,
            to_status=Status.COMPLETED,
            actor=actor,
            role=Actor.COORDINATOR,
            message=message,
            now=now,
        )
        application.evaluation = evaluation.strip()
        application.save(update_fields=["evaluation", "updated_at"])
        session = application.session
        certificate, _created = Certificate.objects.get_or_create(
            application=application,
            defaults={
                "holder_name": application.applicant.get_full_name(),
                "listing_title": session.listing.title,
                "institution_name": session.listing.institution.name,
                "start_date": session.start_date,
                "end_date": ended_on,
            },
        )
    return certificate


def review_create(
    *,
    application: Application,
    applicant: Any,
    hands_on: int,
    letter_received: bool,
    real_total_cost: Any,
    comment: str,
) -> Review:
    """Only an applicant whose rotation was marked completed reviews the listing, once."""
    if application.applicant_id != applicant.pk or application.status != Status.COMPLETED:
        raise ApplicationError(_("Only applicants whose rotation was completed can review it."))
    try:
        with transaction.atomic():
            return Review.objects.create(
                application=application,
                listing_id=application.session.listing_id,
                hands_on=hands_on,
                letter_received=letter_received,
                real_total_cost=real_total_cost,
                comment=comment.strip(),
            )
    except IntegrityError:
        raise ApplicationError(_("You already reviewed this rotation.")) from None


def review_reply(*, review: Review, actor: Any, reply: str) -> Review:
    if review.listing.institution_id not in actor.coordinator_institution_ids:
        raise ApplicationError(_("Only this institution's coordinators can answer its reviews."))
    review.reply, review.replied_by = reply.strip(), actor
    review.save(update_fields=["reply", "replied_by"])
    return review


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def application_bulk_move(
    *, application_ids: list[int], to_status: str, actor: Any, template: str
) -> tuple[int, list[tuple[str, str]]]:
    """Move several applications, each through `application_move` with its own filled-in message.

    Each move commits on its own: one refused application never blocks the others. Returns how
    many moved and, for the refused ones, the applicant's name and the reason.
    """
    moved, refused = 0, []
    applications = Application.objects.filter(pk__in=application_ids).select_related("applicant", "session__listing")
    for application in applications:
        message = template.format_map(
            _Blank(
                name=application.applicant.get_full_name(),
                listing=application.session.listing.title,
                start_date=formats.date_format(application.session.start_date, "DATE_FORMAT"),
            )
        )
        try:
            # Even one this coordinator moved before is reported, not counted: "moved" means by this action.
            _application_move(
                application_id=application.pk,
                to_status=to_status,
                actor=actor,
                role=Actor.COORDINATOR,
                message=message,
                internal=False,
                now=None,
            )
        except TryAgain:
            raise
        except ApplicationError as exc:
            refused.append((application.applicant.get_full_name(), exc.message))
        else:
            moved += 1
    return moved, refused


# --- Many offers at once (a match round's publication) ---------------------------------------

OFFER_BATCH = 5_000  # rows per statement: under SQLite's 32,766 bound parameters, cheap for PostgreSQL


def application_offer_many(
    *, application_ids: list[int], expires_at: dt.datetime, message: str, now: dt.datetime | None = None
) -> list[int]:
    """The system offers places to many applications in one transaction; returns the event ids.

    The same rules as `application_move` to "offered" (ALLOWED_TRANSITIONS for the system role,
    seats never oversold, an event per move, mail after commit), applied set-wise: the caller's
    transaction first locks the sessions (in id order), then this locks the applications, checks
    them all, and writes with a few bulk statements instead of a dozen queries per offer.
    Any refusal raises ApplicationError and nothing changes.
    """
    now = now or timezone.now()
    with refusals_in_words(), transaction.atomic():
        session_ids = sorted(
            set(Application.objects.filter(pk__in=application_ids).values_list("session_id", flat=True))
        )
        sessions = lock_sessions(session_ids)
        rows = _offer_rows_lock(application_ids)
        if len(rows) != len(set(application_ids)):
            raise ApplicationError(_("That application does not exist."))
        wanted: dict[int, int] = {}
        for _pk, session_id, status in rows:
            if Actor.SYSTEM not in roles_allowed(status, Status.OFFERED):
                raise ApplicationError(
                    _("An application in the state “%(from)s” cannot be moved to “%(to)s”.")
                    % {"from": _display(status), "to": _display(Status.OFFERED)}
                )
            wanted[session_id] = wanted.get(session_id, 0) + 1
        held = places_held(session_ids)
        for session_id, count in wanted.items():
            session = sessions[session_id]
            if session.is_archived:
                raise ApplicationError(_("This session was archived: no offer can be made in it."))
            if (held[session_id].total if session_id in held else 0) + count > session.seats:
                raise ApplicationError(
                    _("All %(seats)s places in this session are taken or offered.") % {"seats": session.seats}
                )
        event_ids = _offers_write(rows, expires_at=expires_at, message=message.strip(), now=now)
        event_messages_enqueue(event_ids=event_ids)
    return event_ids


def _offer_rows_lock(application_ids: list[int]) -> list[tuple[int, int, str]]:
    """Lock the applications to offer and read (pk, session, status). On PostgreSQL one statement
    with ``= ANY(array)``: Django prepares every value of an ``IN`` list one by one, which costs
    more than the query itself at 40,000 ids."""
    if connection.vendor != "postgresql":
        rows: list[tuple[int, int, str]] = []
        for start in range(0, len(application_ids), OFFER_BATCH):
            rows += (
                Application.objects.select_for_update()
                .filter(pk__in=application_ids[start : start + OFFER_BATCH])
                .values_list("pk", "session_id", "status")
            )
        return rows
    table = connection.ops.quote_name(Application._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            # Only the quoted table name is interpolated; every value is a bound parameter.
            f"SELECT id, session_id, status FROM {table} WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE",  # nosec B608
            [list(application_ids)],
        )
        return [tuple(row) for row in cursor.fetchall()]


def _offers_write(
    rows: list[tuple[int, int, str]], *, expires_at: dt.datetime, message: str, now: dt.datetime
) -> list[int]:
    """Move the locked rows to "offered" and write their events; returns the event ids.

    On PostgreSQL one UPDATE and one INSERT ... SELECT FROM unnest(...) RETURNING id, instead of
    building an ApplicationEvent instance per offer (bulk_create's per-field preparation was most
    of the publication's time). Same columns and values as the portable path below."""
    if connection.vendor != "postgresql":
        for start in range(0, len(rows), OFFER_BATCH):
            Application.objects.filter(pk__in=[pk for pk, _s, _st in rows[start : start + OFFER_BATCH]]).update(
                status=Status.OFFERED,
                offer_expires_at=expires_at,
                waitlist_position=None,
                decided_at=now,
                updated_at=now,
            )
        events = ApplicationEvent.objects.bulk_create(
            (
                ApplicationEvent(
                    application_id=pk,
                    actor=None,
                    actor_role=Actor.SYSTEM,
                    from_status=status,
                    to_status=Status.OFFERED,
                    message=message,
                    created_at=now,
                )
                for pk, _s, status in rows
            ),
            batch_size=OFFER_BATCH,
        )
        return [e.pk for e in events]
    applications = connection.ops.quote_name(Application._meta.db_table)
    events_table = connection.ops.quote_name(ApplicationEvent._meta.db_table)
    ids = [pk for pk, _s, _st in rows]
    with connection.cursor() as cursor:
        cursor.execute(
            # Only quoted table names are interpolated; every value is a bound parameter.
            f"UPDATE {applications} SET status = %s, offer_expires_at = %s, waitlist_position = NULL, "  # nosec B608
            "decided_at = %s, updated_at = %s WHERE id = ANY(%s::bigint[])",
            [Status.OFFERED, expires_at, now, now, ids],
        )
        cursor.execute(
            f"INSERT INTO {events_table} (application_id, actor_id, actor_role, from_status, to_status, message, "  # nosec B608
            "internal, created_at) SELECT app, NULL, %s, old, %s, %s, false, %s "
            "FROM unnest(%s::bigint[], %s::text[]) AS t(app, old) RETURNING id",
            [Actor.SYSTEM, Status.OFFERED, message, now, ids, [status for _pk, _s, status in rows]],
        )
        return [row[0] for row in cursor.fetchall()]


def application_read_record(*, reader: Any, application: Application, what: str, document: Any = None) -> None:
    """Audit a staff read of an applicant's data: the packet (`what` says where: "page" or "api") or
    one document's file. The applicant sees it at once under "Who has seen my documents", with the
    institution whose application was read; one INSERT, the application's rows are already loaded."""
    if document is None:
        action, obj = "application.viewed", application
        details: dict[str, Any] = {"what": f"Application to {application.session.listing.title}", "via": what}
    else:
        action, obj = "document.downloaded", document
        details = {"what": str(document), "application_id": application.pk, "version_id": document.current_version_id}
    audit_read(
        reader=reader,
        action=action,
        obj=obj,
        subject=application.applicant,
        institution=application.session.listing.institution.name,
        **details,
    )


def application_list_record(*, actor: Any, rows: int, filters: str, exported: bool) -> None:
    """Audit a read of many applicants at once, the queue's CSV export or a page of the API's queue:
    who took how many applicants' rows, with which filters. One event, not one per applicant."""
    audit_record(
        actor=actor, action="applications.exported" if exported else "applications.listed", rows=rows, filters=filters
    )
