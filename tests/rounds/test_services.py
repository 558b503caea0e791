"""Opening rounds and saving rank lists: who may, until when, and whole or not at all."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from applications.states import Status
from rounds.errors import RoundError
from rounds.models import ApplicantRank, Round, SessionRank
from rounds.services import applicant_ranks_save, round_open, session_ranks_import, session_ranks_save
from tests.accounts.factories import AdminFactory
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import SessionFactory
from tests.rounds.factories import RoundFactory


def _dates(now=None):
    now = now or timezone.now()
    deadline = now + dt.timedelta(days=7)
    return {
        "rank_deadline": deadline,
        "publish_at": deadline + dt.timedelta(days=1),
        "offer_deadline": deadline + dt.timedelta(days=8),
    }


def _applicant_list(round, applicant):
    return list(
        ApplicantRank.objects.filter(round=round, applicant=applicant)
        .order_by("position")
        .values_list("application_id", flat=True)
    )


# --- Opening ---------------------------------------------------------------------------------


def test_a_coordinator_opens_a_round_over_their_institutions_sessions(coordinator, cardiology, medicine, institution):
    round = round_open(actor=coordinator, name=" July electives ", session_ids=[cardiology.pk, medicine.pk], **_dates())
    assert (round.name, round.institution, round.status) == ("July electives", institution, Round.Status.OPEN)
    assert set(round.sessions.all()) == {cardiology, medicine}


def test_an_admin_opens_a_round_across_institutions(cardiology):
    elsewhere = SessionFactory()
    round = round_open(
        actor=AdminFactory(), name="National July", session_ids=[cardiology.pk, elsewhere.pk], **_dates()
    )
    assert round.institution is None
    assert round.sessions.count() == 2


def test_a_coordinator_cannot_open_a_round_over_another_institutions_session(other_coordinator, cardiology):
    with pytest.raises(RoundError, match="only over their own institution's sessions"):
        round_open(actor=other_coordinator, name="Raid", session_ids=[cardiology.pk], **_dates())
    assert not Round.objects.exists()


def test_an_applicant_cannot_open_a_round(applicant, cardiology):
    with pytest.raises(RoundError):
        round_open(actor=applicant, name="Mine", session_ids=[cardiology.pk], **_dates())
    assert not Round.objects.exists()


def test_a_round_must_publish_after_its_rank_deadline(coordinator, cardiology):
    dates = _dates()
    dates["publish_at"] = dates["rank_deadline"] - dt.timedelta(hours=1)
    with pytest.raises(RoundError, match="publication at or after it"):
        round_open(actor=coordinator, name="Backwards", session_ids=[cardiology.pk], **dates)


def test_a_session_cannot_be_in_two_open_rounds(coordinator, cardiology):
    RoundFactory(name="June match", sessions=[cardiology])
    with pytest.raises(RoundError, match="already in the open round “June match”"):
        round_open(actor=coordinator, name="Again", session_ids=[cardiology.pk], **_dates())


# --- Applicants' lists -----------------------------------------------------------------------


@pytest.fixture
def round(cardiology, medicine):
    return RoundFactory(sessions=[cardiology, medicine])


def test_an_applicant_saves_and_reorders_their_list(round, applicant, cardiology, medicine):
    first = ApplicationFactory(applicant=applicant, session=cardiology)
    second = ApplicationFactory(applicant=applicant, session=medicine)
    applicant_ranks_save(round_id=round.pk, applicant=applicant, application_ids=[first.pk, second.pk])
    applicant_ranks_save(round_id=round.pk, applicant=applicant, application_ids=[second.pk, first.pk])
    assert _applicant_list(round, applicant) == [second.pk, first.pk]


@pytest.mark.parametrize(
    "bad",
    ["another_applicants", "outside_round", "withdrawn", "ineligible", "repeated"],
)
def test_a_bad_entry_refuses_the_whole_list_and_keeps_the_saved_one(
    bad, round, applicant, other_applicant, cardiology, medicine
):
    mine = ApplicationFactory(applicant=applicant, session=cardiology)
    applicant_ranks_save(round_id=round.pk, applicant=applicant, application_ids=[mine.pk])
    second = {
        "another_applicants": lambda: ApplicationFactory(applicant=other_applicant, session=medicine).pk,
        "outside_round": lambda: ApplicationFactory(applicant=applicant).pk,
        "withdrawn": lambda: ApplicationFactory(applicant=applicant, session=medicine, status=Status.WITHDRAWN).pk,
        "ineligible": lambda: ApplicationFactory(applicant=applicant, session=medicine, eligible_at_submit=False).pk,
        "repeated": lambda: mine.pk,
    }[bad]()
    with pytest.raises(RoundError):
        applicant_ranks_save(round_id=round.pk, applicant=applicant, application_ids=[second, mine.pk])
    assert _applicant_list(round, applicant) == [mine.pk]


def test_lists_cannot_change_after_the_rank_deadline(round, applicant, cardiology):
    mine = ApplicationFactory(applicant=applicant, session=cardiology)
    with pytest.raises(RoundError, match="rank deadline of this round has passed"):
        applicant_ranks_save(round_id=round.pk, applicant=applicant, application_ids=[mine.pk], now=round.rank_deadline)
    assert _applicant_list(round, applicant) == []


def test_a_tie_cannot_be_stored_even_bypassing_the_service(round, applicant, cardiology, medicine):
    first = ApplicationFactory(applicant=applicant, session=cardiology)
    second = ApplicationFactory(applicant=applicant, session=medicine)
    ApplicantRank.objects.create(round=round, applicant=applicant, application=first, position=1)
    with pytest.raises(IntegrityError):
        ApplicantRank.objects.create(round=round, applicant=applicant, application=second, position=1)


# --- Coordinators' lists ---------------------------------------------------------------------


def test_a_coordinator_ranks_the_applicants_to_their_session(round, coordinator, cardiology):
    a, b = ApplicationFactory(session=cardiology), ApplicationFactory(session=cardiology)
    session_ranks_save(round_id=round.pk, session_id=cardiology.pk, actor=coordinator, application_ids=[b.pk, a.pk])
    saved = SessionRank.objects.filter(round=round, session=cardiology).order_by("position")
    assert [(r.application_id, r.ranked_by) for r in saved] == [(b.pk, coordinator), (a.pk, coordinator)]


def test_another_institutions_coordinator_cannot_rank_the_session(round, other_coordinator, cardiology):
    a = ApplicationFactory(session=cardiology)
    with pytest.raises(RoundError, match="Only this institution's coordinators"):
        session_ranks_save(round_id=round.pk, session_id=cardiology.pk, actor=other_coordinator, application_ids=[a.pk])
    assert not SessionRank.objects.exists()


def test_a_session_list_holds_only_applications_to_that_session(round, coordinator, cardiology, medicine):
    ours = ApplicationFactory(session=cardiology)
    theirs = ApplicationFactory(session=medicine)
    with pytest.raises(RoundError, match="only hold open applications to that session"):
        session_ranks_save(
            round_id=round.pk, session_id=cardiology.pk, actor=coordinator, application_ids=[ours.pk, theirs.pk]
        )
    assert not SessionRank.objects.exists()


def test_a_session_outside_the_round_cannot_be_ranked_in_it(round, coordinator, institution):
    outside = SessionFactory(listing__institution=institution)
    with pytest.raises(RoundError, match="not in this round"):
        session_ranks_save(round_id=round.pk, session_id=outside.pk, actor=coordinator, application_ids=[])


# --- CSV import of a session's list ----------------------------------------------------------


def _apply(session, *emails):
    return [ApplicationFactory(session=session, applicant__email=email) for email in emails]


def test_a_coordinator_imports_a_session_list_from_csv(round, coordinator, cardiology):
    ann, ben, cat = _apply(cardiology, "ann@example.org", "ben@example.org", "cat@example.org")
    count = session_ranks_import(
        round_id=round.pk,
        session_id=cardiology.pk,
        actor=coordinator,
        csv_text="email,rank\nBen@Example.org, 1\ncat@example.org,3\nann@example.org,2\n",
    )
    saved = SessionRank.objects.filter(round=round, session=cardiology).order_by("position")
    assert count == 3
    assert [r.application_id for r in saved] == [ben.pk, ann.pk, cat.pk]


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("ann@example.org,1\nben@example.org,1", "ranks 'ann@example.org' and 'ben@example.org' equally at position 1"),
        ("ann@example.org,first", "Line 1: the rank “first” is not a whole number"),
        ("email,rank\nann@example.org,2,extra", "Line 2: write an e-mail address and a rank"),
        ("ann@example.org,1\nzed@example.org,2", "No open application to this session from zed@example.org"),
    ],
)
def test_a_bad_csv_line_refuses_the_import_and_keeps_the_saved_list(round, coordinator, cardiology, csv_text, message):
    ann, ben = _apply(cardiology, "ann@example.org", "ben@example.org")
    session_ranks_save(round_id=round.pk, session_id=cardiology.pk, actor=coordinator, application_ids=[ben.pk])
    with pytest.raises(RoundError) as refused:
        session_ranks_import(round_id=round.pk, session_id=cardiology.pk, actor=coordinator, csv_text=csv_text)
    assert message in refused.value.message
    assert list(SessionRank.objects.values_list("application_id", flat=True)) == [ben.pk]


def test_another_institutions_coordinator_learns_nothing_from_an_import(round, other_coordinator, cardiology):
    _apply(cardiology, "ann@example.org")
    with pytest.raises(RoundError, match="Only this institution's coordinators"):
        session_ranks_import(
            round_id=round.pk, session_id=cardiology.pk, actor=other_coordinator, csv_text="zed@example.org,1"
        )
