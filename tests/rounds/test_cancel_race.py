"""Cancelling a round while it publishes, or twice at once (a double click, two coordinators), on
PostgreSQL with real threads. The round's row lock orders them: a publication either runs before
the cancellation (which is then refused) or finds the round cancelled and offers nothing; of two
cancellations one cancels and the other is told it already was, and applicants hear it once.
"""

import datetime as dt
import threading

from django.core import mail

from applications.models import Application
from applications.states import Status
from rounds import services
from rounds.models import Round
from rounds.services import applicant_ranks_save, round_cancel, round_publish, session_ranks_save
from tests.accounts.factories import UserFactory
from tests.applications.concurrency import (  # noqa: F401 - the fixtures apply to this module
    RACES,
    pausing_after,
    reseed_after_the_module,
    run_at_once,
    seeded_specialty,
)
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory, SessionFactory
from tests.rounds.factories import RoundFactory

pytestmark = RACES


def _ranked_round(institution, coordinator):
    session = SessionFactory(listing=ListingFactory(institution=institution), seats=2)
    round = RoundFactory(institution=institution, sessions=[session])
    applications = [ApplicationFactory(session=session, applicant=UserFactory()) for _ in range(2)]
    for application in applications:
        applicant_ranks_save(round_id=round.pk, applicant=application.applicant, application_ids=[application.pk])
    session_ranks_save(
        round_id=round.pk, session_id=session.pk, actor=coordinator, application_ids=[a.pk for a in applications]
    )
    return round, applications


def test_a_round_cancelled_while_it_publishes_is_one_or_the_other(monkeypatch, institution, coordinator):
    round, applications = _ranked_round(institution, coordinator)
    barrier = threading.Barrier(2)
    monkeypatch.setattr(services, "round_match_input", pausing_after(services.round_match_input, barrier))
    monkeypatch.setattr(services, "_lock_round", pausing_after(services._lock_round, barrier))

    published, cancelled = run_at_once(
        lambda: round_publish(round_id=round.pk, now=round.publish_at + dt.timedelta(minutes=1)),
        lambda: round_cancel(round_id=round.pk, actor=coordinator),
    )

    round.refresh_from_db()
    offered = Application.objects.filter(pk__in=[a.pk for a in applications], status=Status.OFFERED).count()
    assert published.succeeded  # a publication never fails for a cancellation: it has nothing to do
    if round.status == Round.Status.PUBLISHED:
        assert cancelled.refusal == "The results of this round are published: it can no longer be cancelled."
        assert offered == 2 and round.cancelled_at is None
    else:
        assert round.status == Round.Status.CANCELLED and cancelled.result is True
        assert offered == 0 and round.published_at is None and not round.outcomes.exists()


def test_two_cancellations_at_once_cancel_once_and_tell_each_applicant_once(
    monkeypatch, institution, coordinator, admin_user
):
    round, applications = _ranked_round(institution, coordinator)
    barrier = threading.Barrier(2)
    monkeypatch.setattr(services, "_lock_round", pausing_after(services._lock_round, barrier))

    first, second = run_at_once(
        lambda: round_cancel(round_id=round.pk, actor=coordinator),
        lambda: round_cancel(round_id=round.pk, actor=admin_user),
    )

    assert sorted([first.result, second.result]) == [False, True]
    assert Round.objects.get(pk=round.pk).status == Round.Status.CANCELLED
    # Celery runs eagerly here: each commit's on_commit delivered its messages at once.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.applicant.email for a in applications)
