"""The match rounds' messages to applicants, through the outbox (notifications.outbox) like every
e-mail, with an in-app message each: a round's dates moved, a round was cancelled. Recorded in the
transaction of the change (rounds.services), one per applicant who saved a rank list in the round;
loaded and rendered by the outbox's workers. Both are transactional: part of taking part in a round.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.urls import reverse

from notifications.emails import absolute, render_templated
from notifications.kinds import InApp, Rendered
from notifications.outbox import messages_enqueue

from .models import ApplicantRank, Round

CHANGED_KIND = "round_changed"
CANCELLED_KIND = "round_cancelled"
SUBJECT_TYPE = "rounds.round"


def _ranked_applicant_ids(round: Round) -> list[int]:
    return list(
        ApplicantRank.objects.filter(round=round, applicant__is_active=True)
        .order_by("applicant_id")
        .values_list("applicant_id", flat=True)
        .distinct()
    )


# --- Recorded by the change (rounds.services), in its transaction ---------------------------------


def round_changed_messages_enqueue(*, round: Round, change_id: int) -> int:
    """The rank deadline or the publication time moved: tell each applicant who ranked. The change
    (its audit event) is in the key, so every change is its own message."""
    return messages_enqueue(
        kind=CHANGED_KIND,
        subject_type=SUBJECT_TYPE,
        messages=[(f"{CHANGED_KIND}:{change_id}:{a}", round.pk, a) for a in _ranked_applicant_ids(round)],
        # Once the round publishes, its result is the news: a late notice of new dates is not sent.
        deadline=round.publish_at,
    )


def round_cancelled_messages_enqueue(*, round: Round) -> int:
    """The round was cancelled: each applicant who ranked hears it once (a round is cancelled once)."""
    return messages_enqueue(
        kind=CANCELLED_KIND,
        subject_type=SUBJECT_TYPE,
        messages=[(f"{CANCELLED_KIND}:{round.pk}:{a}", round.pk, a) for a in _ranked_applicant_ids(round)],
    )


# --- Loaded and rendered by the outbox's workers ---------------------------------------------------


def _load(reminders: Sequence[Any], status: str) -> Mapping[int, Any]:
    rounds = Round.objects.filter(pk__in={r.subject_id for r in reminders}, status=status).in_bulk()
    return {r.pk: rounds[r.subject_id] for r in reminders if r.subject_id in rounds}


def changed_load(reminders: Sequence[Any], now: Any) -> Mapping[int, Any]:
    """Rounds still open: one cancelled or published since has its own news."""
    return _load(reminders, Round.Status.OPEN)


def cancelled_load(reminders: Sequence[Any], now: Any) -> Mapping[int, Any]:
    return _load(reminders, Round.Status.CANCELLED)


def _url(round: Round) -> str:
    return reverse("rounds:applicant_rank", args=[round.pk])


def _renderer(template: str) -> Callable[..., Rendered]:
    def render(*, reminder: Any, subject: Round) -> Rendered:
        return render_templated(
            name=template,
            user=reminder.recipient,
            unsubscribe_kind=None,
            context={"round": subject, "url": absolute(_url(subject))},
        )

    return render


changed_render = _renderer("round-changed")
cancelled_render = _renderer("round-cancelled")


def changed_in_app(reminder: Any, round: Round) -> InApp:
    return InApp(
        title=f"New dates for the match round “{round.name}”"[:200],
        url=_url(round),
        body="The rank deadline or the publication time changed. Your rank list is kept as you saved it.",
    )


def cancelled_in_app(reminder: Any, round: Round) -> InApp:
    return InApp(
        title=f"The match round “{round.name}” was cancelled"[:200],
        url=_url(round),
        body="No match will run and no offer will come from this round. Your applications stay as they are.",
    )
