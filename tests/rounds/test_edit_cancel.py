"""Editing and cancelling a round (rounds.services.round_update, round_cancel): who may, until when,
what a change keeps, and who is told."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from applications.states import Status
from audit.models import AuditEvent
from notifications.models import Notification
from rounds.errors import RoundError
from rounds.models import ApplicantRank, Round, SessionRank
from rounds.services import (
    applicant_ranks_save,
    round_cancel,
    round_open,
    round_publish,
    round_update,
    rounds_publish_due,
    session_ranks_save,
)
from tests.accounts.factories import UserFactory
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory, SessionFactory
from tests.rounds.factories import RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(institution, cardiology, medicine):
    return RoundFactory(name="July electives match", institution=institution, sessions=[cardiology, medicine])


@pytest.fixture
def alice_ranked(round, applicant, cardiology):
    """Alice saved a list with her cardiology application."""
    application = ApplicationFactory(applicant=applicant, session=cardiology)
    applicant_ranks_save(round_id=round.pk, applicant=applicant, application_ids=[application.pk])
    return application


@pytest.fixture
def bob_applied(round, other_applicant, medicine):
    """Bob applied to medicine but saved no list: a change to the round is not news to him."""
    return ApplicationFactory(applicant=other_applicant, session=medicine)


def _edit(round, **changes):
    """round_update with the round's current values except ``changes``."""
    values = {
        "name": round.name,
        "session_ids": list(round.sessions.values_list("pk", flat=True)),
        "rank_deadline": round.rank_deadline,
        "publish_at": round.publish_at,
        "offer_deadline": round.offer_deadline,
        **changes,
    }
    return values


def _mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


# --- Editing ---------------------------------------------------------------------------------------


def test_a_coordinator_changes_the_name_the_dates_and_the_sessions(round, coordinator, cardiology, institution):
    dermatology = SessionFactory(listing=ListingFactory(institution=institution, title="Dermatology Clinic"))
    later = round.rank_deadline + dt.timedelta(days=3)
    changed = round_update(
        round_id=round.pk,
        actor=coordinator,
        **_edit(
            round,
            name=" August electives match ",
            session_ids=[cardiology.pk, dermatology.pk],
            rank_deadline=later,
            publish_at=later + dt.timedelta(days=1),
            offer_deadline=later + dt.timedelta(days=9),
        ),
    )
    round.refresh_from_db()
    assert changed == round
    assert (round.name, round.rank_deadline, round.publish_at, round.offer_deadline) == (
        "August electives match",
        later,
        later + dt.timedelta(days=1),
        later + dt.timedelta(days=9),
    )
    assert set(round.sessions.all()) == {cardiology, dermatology}
    event = AuditEvent.objects.get(action="round.changed", object_id=str(round.pk))
    assert event.actor == coordinator
    assert set(event.extra["moved"]) == {"rank_deadline", "publish_at", "offer_deadline"}
    assert event.extra["sessions_added"] == [dermatology.pk]


def test_an_admin_edits_any_round(round, admin_user):
    round_update(round_id=round.pk, actor=admin_user, **_edit(round, name="Renamed by an admin"))
    assert Round.objects.get(pk=round.pk).name == "Renamed by an admin"


@pytest.mark.parametrize(
    "status, message",
    [("published", "results of this round are published"), ("cancelled", "This round was cancelled")],
)
def test_a_published_or_cancelled_round_cannot_be_edited(round, coordinator, status, message):
    if status == "published":
        round_publish(round_id=round.pk, now=round.publish_at)
    else:
        round_cancel(round_id=round.pk, actor=coordinator)
    round.refresh_from_db()
    with pytest.raises(RoundError, match=message):
        round_update(round_id=round.pk, actor=coordinator, **_edit(round, name="Too late"))
    assert Round.objects.get(pk=round.pk).name == "July electives match"


def test_a_round_cannot_be_edited_once_its_publication_time_has_come(round, coordinator):
    with pytest.raises(RoundError, match="publication time of this round has come"):
        round_update(round_id=round.pk, actor=coordinator, now=round.publish_at, **_edit(round, name="Too late"))


def test_another_institutions_coordinator_cannot_edit_the_round(round, other_coordinator):
    with pytest.raises(RoundError, match="Only the coordinators of this round's institution"):
        round_update(round_id=round.pk, actor=other_coordinator, **_edit(round, name="Raid"))
    assert Round.objects.get(pk=round.pk).name == "July electives match"


def test_a_coordinator_cannot_edit_a_round_an_admin_opened_across_institutions(coordinator, cardiology):
    national = RoundFactory(name="National July", sessions=[cardiology, SessionFactory()])
    with pytest.raises(RoundError, match="Only the coordinators of this round's institution"):
        round_update(round_id=national.pk, actor=coordinator, **_edit(national, name="Raid"))


def test_an_applicant_cannot_edit_or_cancel_a_round(round, applicant):
    with pytest.raises(RoundError, match="Only the coordinators"):
        round_update(round_id=round.pk, actor=applicant, **_edit(round, name="Raid"))
    with pytest.raises(RoundError, match="Only the coordinators"):
        round_cancel(round_id=round.pk, actor=applicant)
    assert Round.objects.get(pk=round.pk).status == Round.Status.OPEN


def test_a_moved_moment_cannot_be_in_the_past(round, coordinator):
    with pytest.raises(RoundError, match="cannot be in the past"):
        round_update(
            round_id=round.pk, actor=coordinator, **_edit(round, rank_deadline=timezone.now() - dt.timedelta(hours=1))
        )
    assert Round.objects.get(pk=round.pk).rank_deadline == round.rank_deadline


def test_the_moments_keep_their_order(round, coordinator):
    with pytest.raises(RoundError, match="publication at or after it"):
        round_update(
            round_id=round.pk,
            actor=coordinator,
            **_edit(round, publish_at=round.rank_deadline - dt.timedelta(hours=1)),
        )
    with pytest.raises(RoundError, match="offer deadline after that"):
        round_update(round_id=round.pk, actor=coordinator, **_edit(round, offer_deadline=round.publish_at))
    assert Round.objects.get(pk=round.pk).publish_at == round.publish_at


def test_the_database_refuses_moments_out_of_order_whatever_path_writes_them(round):
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=round.pk).update(publish_at=round.rank_deadline - dt.timedelta(seconds=1))


def test_an_extended_deadline_may_follow_one_that_passed(round, coordinator, applicant, alice_ranked):
    """Ranking closed but the round is not published yet: the coordinators may reopen ranking."""
    after_deadline = round.rank_deadline + dt.timedelta(hours=1)
    new_deadline = after_deadline + dt.timedelta(hours=2)
    round_update(
        round_id=round.pk,
        actor=coordinator,
        now=after_deadline,
        **_edit(round, rank_deadline=new_deadline, publish_at=new_deadline + dt.timedelta(days=1)),
    )
    round.refresh_from_db()
    assert round.accepts_ranks(after_deadline)


def test_only_the_rounds_institutions_sessions_can_join(round, coordinator, cardiology, medicine):
    elsewhere = SessionFactory(listing=ListingFactory(title="Elsewhere Neurology Observership"))
    with pytest.raises(RoundError, match="only its own institution's sessions"):
        round_update(
            round_id=round.pk, actor=coordinator, **_edit(round, session_ids=[cardiology.pk, medicine.pk, elsewhere.pk])
        )
    assert set(round.sessions.all()) == {cardiology, medicine}


def test_a_session_in_another_open_round_cannot_join(round, coordinator, cardiology, institution):
    dermatology = SessionFactory(listing=ListingFactory(institution=institution, title="Dermatology Clinic"))
    RoundFactory(name="Dermatology match", institution=institution, sessions=[dermatology])
    with pytest.raises(RoundError, match="already in the open round “Dermatology match”"):
        round_update(round_id=round.pk, actor=coordinator, **_edit(round, session_ids=[cardiology.pk, dermatology.pk]))


def test_an_unranked_session_can_be_removed(round, coordinator, cardiology, alice_ranked, bob_applied):
    round_update(round_id=round.pk, actor=coordinator, **_edit(round, session_ids=[cardiology.pk]))
    assert list(round.sessions.all()) == [cardiology]


def test_a_session_an_applicant_ranked_cannot_be_removed(round, coordinator, medicine, alice_ranked):
    with pytest.raises(RoundError, match="“Cardiology Elective, .*” is already ranked in this round"):
        round_update(round_id=round.pk, actor=coordinator, **_edit(round, session_ids=[medicine.pk]))
    assert round.sessions.count() == 2


def test_a_session_its_coordinators_ranked_cannot_be_removed(round, coordinator, cardiology, medicine, bob_applied):
    session_ranks_save(round_id=round.pk, session_id=medicine.pk, actor=coordinator, application_ids=[bob_applied.pk])
    with pytest.raises(RoundError, match="“Internal Medicine Rotation, .*” is already ranked"):
        round_update(round_id=round.pk, actor=coordinator, **_edit(round, session_ids=[cardiology.pk]))
    assert round.sessions.count() == 2


def test_moving_the_rank_deadline_tells_each_applicant_who_ranked_once(
    round, coordinator, applicant, other_applicant, alice_ranked, bob_applied, django_capture_on_commit_callbacks
):
    elsewhere = RoundFactory(sessions=[SessionFactory()])
    carla = UserFactory(email="carla@example.org")
    applicant_ranks_save(
        round_id=elsewhere.pk,
        applicant=carla,
        application_ids=[ApplicationFactory(applicant=carla, session=elsewhere.sessions.get()).pk],
    )
    later = round.rank_deadline + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        round_update(
            round_id=round.pk,
            actor=coordinator,
            **_edit(round, rank_deadline=later, publish_at=later + dt.timedelta(days=1)),
        )

    assert [m.subject for m in mail.outbox] == ["New dates for the match round “July electives match”"]
    assert len(_mails_to(applicant)) == 1
    body = _mails_to(applicant)[0].body
    assert "Rank deadline: " in body and reverse("rounds:applicant_rank", args=[round.pk]) in body
    notification = Notification.objects.get(recipient=applicant)
    assert notification.kind == "round_changed" and "July electives match" in notification.title
    assert not Notification.objects.exclude(recipient=applicant).exists()  # not Bob, not Carla


def test_renaming_or_moving_only_the_offer_deadline_tells_nobody(
    round, coordinator, alice_ranked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        round_update(round_id=round.pk, actor=coordinator, **_edit(round, name="Renamed"))
        round_update(
            round_id=round.pk,
            actor=coordinator,
            **_edit(round, name="Renamed", offer_deadline=round.offer_deadline + dt.timedelta(days=1)),
        )
    assert mail.outbox == [] and not Notification.objects.exists()


def test_two_moves_are_two_messages(round, coordinator, applicant, alice_ranked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for days in (1, 2):
            round_update(
                round_id=round.pk,
                actor=coordinator,
                **_edit(round, publish_at=round.publish_at + dt.timedelta(days=days)),
            )
    assert len(_mails_to(applicant)) == 2


# --- Cancelling ------------------------------------------------------------------------------------


def test_cancelling_keeps_the_rank_lists_but_no_list_can_change(
    round, coordinator, applicant, cardiology, alice_ranked
):
    session_ranks_save(
        round_id=round.pk, session_id=cardiology.pk, actor=coordinator, application_ids=[alice_ranked.pk]
    )
    assert round_cancel(round_id=round.pk, actor=coordinator) is True

    round.refresh_from_db()
    assert round.status == Round.Status.CANCELLED and round.cancelled_at is not None
    assert ApplicantRank.objects.filter(round=round).count() == 1
    assert SessionRank.objects.filter(round=round).count() == 1
    with pytest.raises(RoundError, match="This round was cancelled"):
        applicant_ranks_save(round_id=round.pk, applicant=applicant, application_ids=[])
    with pytest.raises(RoundError, match="This round was cancelled"):
        session_ranks_save(round_id=round.pk, session_id=cardiology.pk, actor=coordinator, application_ids=[])
    assert ApplicantRank.objects.filter(round=round).count() == 1
    assert Application.objects.get(pk=alice_ranked.pk).status == Status.SUBMITTED  # applications untouched
    assert AuditEvent.objects.filter(action="round.cancelled", object_id=str(round.pk), actor=coordinator).exists()


def test_cancelling_twice_changes_nothing_and_tells_nobody_again(
    round, coordinator, admin_user, applicant, alice_ranked, bob_applied, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert round_cancel(round_id=round.pk, actor=coordinator) is True
    cancelled_at = Round.objects.get(pk=round.pk).cancelled_at
    with django_capture_on_commit_callbacks(execute=True):
        assert round_cancel(round_id=round.pk, actor=admin_user) is False

    assert Round.objects.get(pk=round.pk).cancelled_at == cancelled_at
    assert [m.to for m in mail.outbox] == [[applicant.email]]  # Alice ranked; Bob only applied
    assert mail.outbox[0].subject == "Match round cancelled: July electives match"
    assert list(Notification.objects.values_list("recipient", "kind")) == [(applicant.pk, "round_cancelled")]
    assert AuditEvent.objects.filter(action="round.cancelled").count() == 1


def test_a_published_round_cannot_be_cancelled(round, coordinator):
    round_publish(round_id=round.pk, now=round.publish_at)
    with pytest.raises(RoundError, match="published: it can no longer be cancelled"):
        round_cancel(round_id=round.pk, actor=coordinator)
    assert Round.objects.get(pk=round.pk).status == Round.Status.PUBLISHED


def test_another_institutions_coordinator_cannot_cancel(round, other_coordinator):
    with pytest.raises(RoundError, match="Only the coordinators"):
        round_cancel(round_id=round.pk, actor=other_coordinator)
    assert Round.objects.get(pk=round.pk).status == Round.Status.OPEN


def test_the_beat_skips_a_cancelled_round_and_a_queued_publication_does_nothing(
    round, coordinator, alice_ranked, cardiology
):
    session_ranks_save(
        round_id=round.pk, session_id=cardiology.pk, actor=coordinator, application_ids=[alice_ranked.pk]
    )
    round_cancel(round_id=round.pk, actor=coordinator)
    after = round.publish_at + dt.timedelta(minutes=1)

    assert rounds_publish_due(now=after) == 0
    round_publish(round_id=round.pk, now=after)  # a task queued before the cancellation

    round.refresh_from_db()
    assert round.status == Round.Status.CANCELLED and round.published_at is None
    assert Application.objects.get(pk=alice_ranked.pk).status == Status.SUBMITTED  # no offer
    assert not round.outcomes.exists()


def test_a_cancelled_rounds_sessions_can_join_a_new_round(round, coordinator, cardiology):
    round_cancel(round_id=round.pk, actor=coordinator)
    start = timezone.now() + dt.timedelta(days=3)
    again = round_open(
        actor=coordinator,
        name="July electives, second try",
        session_ids=[cardiology.pk],
        rank_deadline=start,
        publish_at=start + dt.timedelta(days=1),
        offer_deadline=start + dt.timedelta(days=8),
    )
    assert again.status == Round.Status.OPEN


def test_the_database_ties_each_status_to_its_moment(round):
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=round.pk).update(status=Round.Status.CANCELLED)  # no cancelled_at
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=round.pk).update(cancelled_at=timezone.now())  # open, yet cancelled


def test_saving_a_round_unchanged_records_nothing(round, coordinator):
    round_update(round_id=round.pk, actor=coordinator, **_edit(round))
    assert not AuditEvent.objects.filter(action="round.changed").exists()
