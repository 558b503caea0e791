"""Publishing a round: the engine's match becomes offers through the applications workflow."""

import datetime as dt

import pytest
from django.core import mail

from applications.models import Application, ApplicationEvent
from applications.states import Actor, Status
from rounds.errors import RoundError
from rounds.models import Round, RoundOutcome
from rounds.selectors import round_match_input
from rounds.services import applicant_ranks_save, round_publish, session_ranks_save
from rounds.tasks import rounds_publish_due_task
from tests.accounts.factories import UserFactory
from tests.applications.factories import ApplicationFactory
from tests.rounds.factories import RoundFactory


@pytest.fixture
def round(cardiology, medicine):
    return RoundFactory(sessions=[cardiology, medicine])


@pytest.fixture
def ranked(round, applicant, other_applicant, coordinator, cardiology, medicine):
    """Alice and Bob both want cardiology first; cardiology prefers Bob, medicine prefers Alice."""
    apps = {
        (who, session): ApplicationFactory(applicant=user, session=s)
        for who, user in (("alice", applicant), ("bob", other_applicant))
        for session, s in (("cardiology", cardiology), ("medicine", medicine))
    }
    for who, user in (("alice", applicant), ("bob", other_applicant)):
        applicant_ranks_save(
            round_id=round.pk,
            applicant=user,
            application_ids=[apps[(who, "cardiology")].pk, apps[(who, "medicine")].pk],
        )
    session_ranks_save(
        round_id=round.pk,
        session_id=cardiology.pk,
        actor=coordinator,
        application_ids=[apps[("bob", "cardiology")].pk, apps[("alice", "cardiology")].pk],
    )
    session_ranks_save(
        round_id=round.pk,
        session_id=medicine.pk,
        actor=coordinator,
        application_ids=[apps[("alice", "medicine")].pk, apps[("bob", "medicine")].pk],
    )
    return apps


def _after(round):
    return round.publish_at + dt.timedelta(minutes=1)


def _statuses(apps):
    return {key: Application.objects.get(pk=a.pk).status for key, a in apps.items()}


def test_publication_offers_each_applicant_the_session_the_algorithm_gives(
    round, ranked, applicant, other_applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        published = round_publish(round_id=round.pk, now=_after(round))

    assert _statuses(ranked) == {
        ("alice", "cardiology"): Status.SUBMITTED,
        ("alice", "medicine"): Status.OFFERED,
        ("bob", "cardiology"): Status.OFFERED,
        ("bob", "medicine"): Status.SUBMITTED,
    }
    offered = Application.objects.filter(status=Status.OFFERED)
    assert {a.offer_expires_at for a in offered} == {round.offer_deadline}
    events = ApplicationEvent.objects.filter(to_status=Status.OFFERED)
    assert {(e.actor_role, e.from_status) for e in events} == {(Actor.SYSTEM, Status.SUBMITTED)}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, other_applicant.email])
    assert (published.status, published.matched_count, published.unmatched_count) == (Round.Status.PUBLISHED, 2, 0)
    outcomes = {o.applicant_id: o.application_id for o in RoundOutcome.objects.filter(round=round)}
    assert outcomes == {
        applicant.pk: ranked[("alice", "medicine")].pk,
        other_applicant.pk: ranked[("bob", "cardiology")].pk,
    }


def test_publishing_twice_changes_nothing(round, ranked):
    round_publish(round_id=round.pk, now=_after(round))
    before = (_statuses(ranked), ApplicationEvent.objects.count(), RoundOutcome.objects.count())
    again = round_publish(round_id=round.pk, now=_after(round) + dt.timedelta(hours=1))
    assert (_statuses(ranked), ApplicationEvent.objects.count(), RoundOutcome.objects.count()) == before
    assert again.published_at == _after(round)


def test_a_round_does_not_publish_before_its_time(round, ranked):
    with pytest.raises(RoundError, match="not before"):
        round_publish(round_id=round.pk, now=round.publish_at - dt.timedelta(seconds=1))
    assert set(_statuses(ranked).values()) == {Status.SUBMITTED}
    assert not RoundOutcome.objects.exists()


def test_the_periodic_task_publishes_due_rounds_only(round, ranked):
    later = RoundFactory(sessions=[])
    past = round.rank_deadline - dt.timedelta(days=30)
    Round.objects.filter(pk=round.pk).update(rank_deadline=past, publish_at=past)
    assert rounds_publish_due_task.apply().get() == 1
    assert Round.objects.get(pk=round.pk).status == Round.Status.PUBLISHED
    assert Round.objects.get(pk=later.pk).status == Round.Status.OPEN


def test_an_unmatched_participant_keeps_their_application_and_gets_an_outcome(round, ranked, coordinator, cardiology):
    carol = UserFactory(email="carol.applicant@example.org")
    late = ApplicationFactory(applicant=carol, session=cardiology)
    applicant_ranks_save(round_id=round.pk, applicant=carol, application_ids=[late.pk])
    bob_first = [ranked[("bob", "cardiology")].pk, ranked[("alice", "cardiology")].pk, late.pk]
    session_ranks_save(round_id=round.pk, session_id=cardiology.pk, actor=coordinator, application_ids=bob_first)

    published = round_publish(round_id=round.pk, now=_after(round))

    assert Application.objects.get(pk=late.pk).status == Status.SUBMITTED
    assert RoundOutcome.objects.get(round=round, applicant=carol).matched is False
    assert published.unmatched_count == 1


def test_seats_already_offered_by_hand_are_not_offered_again(round, ranked, cardiology):
    ApplicationFactory(session=cardiology, status=Status.OFFERED)  # cardiology's only seat is gone
    round_publish(round_id=round.pk, now=_after(round))
    assert _statuses(ranked) == {
        ("alice", "cardiology"): Status.SUBMITTED,
        ("alice", "medicine"): Status.OFFERED,
        ("bob", "cardiology"): Status.SUBMITTED,
        ("bob", "medicine"): Status.SUBMITTED,
    }


def test_an_application_withdrawn_after_ranking_drops_out_of_the_match(round, ranked, other_applicant):
    Application.objects.filter(pk=ranked[("bob", "cardiology")].pk).update(status=Status.WITHDRAWN)
    round_publish(round_id=round.pk, now=_after(round))
    statuses = _statuses(ranked)
    assert statuses[("alice", "cardiology")] == Status.OFFERED
    assert statuses[("bob", "medicine")] == Status.OFFERED


@pytest.mark.parametrize("applicants", [2, 12])
def test_feeding_the_engine_takes_a_constant_number_of_queries(
    applicants, round, coordinator, cardiology, medicine, django_assert_max_num_queries
):
    for _ in range(applicants):
        user = UserFactory()
        mine = [ApplicationFactory(applicant=user, session=s).pk for s in (cardiology, medicine)]
        applicant_ranks_save(round_id=round.pk, applicant=user, application_ids=mine)
    with django_assert_max_num_queries(4):
        data = round_match_input(round=round)
    assert len(data.applicant_ranks) == applicants


def test_beat_runs_the_publication_every_minute(db):
    from django_celery_beat.models import PeriodicTask

    from portal.celery import app

    tick = PeriodicTask.objects.get(task="rounds.publish_due")
    assert (tick.enabled, tick.interval.every, tick.interval.period) == (True, 1, "minutes")
    assert "rounds.publish_due" in app.tasks
