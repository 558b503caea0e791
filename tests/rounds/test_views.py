"""Round pages: who sees what, ranking by position or by the move buttons, ties refused, results."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.states import Status
from rounds.models import ApplicantRank, Round, SessionRank
from rounds.services import applicant_ranks_save, round_publish, session_ranks_save
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory, SessionFactory
from tests.rounds.factories import RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(cardiology, medicine):
    return RoundFactory(name="July electives match", sessions=[cardiology, medicine])


@pytest.fixture
def mine(applicant, cardiology, medicine):
    return ApplicationFactory(applicant=applicant, session=cardiology), ApplicationFactory(
        applicant=applicant, session=medicine
    )


def _applicant_order(round, user):
    return list(
        ApplicantRank.objects.filter(round=round, applicant=user)
        .order_by("position")
        .values_list("application_id", flat=True)
    )


def _session_order(round, session):
    return list(
        SessionRank.objects.filter(round=round, session=session)
        .order_by("position")
        .values_list("application_id", flat=True)
    )


# --- Applicants ----------------------------------------------------------------------------------


def test_an_applicant_sees_the_rounds_of_their_applications(client, applicant, round, mine):
    RoundFactory(name="Somebody else's round", sessions=[SessionFactory()])
    client.force_login(applicant)
    body = client.get(reverse("rounds:mine")).content.decode()
    assert "July electives match" in body
    assert "Somebody else" not in body


def test_an_applicant_ranks_their_sessions_by_position(client, applicant, round, mine):
    cardiology_app, medicine_app = mine
    client.force_login(applicant)
    url = reverse("rounds:applicant_rank", args=[round.pk])
    page = client.get(url).content.decode()
    assert "Cardiology Elective" in page and "Internal Medicine Rotation" in page
    response = client.post(url, {f"position_{cardiology_app.pk}": "2", f"position_{medicine_app.pk}": "1"})
    assert response.status_code == 302
    assert _applicant_order(round, applicant) == [medicine_app.pk, cardiology_app.pk]
    assert "Your rank list is saved (2 ranked)" in client.get(url).content.decode()


def test_a_blank_position_leaves_a_session_out(client, applicant, round, mine):
    cardiology_app, medicine_app = mine
    client.force_login(applicant)
    client.post(
        reverse("rounds:applicant_rank", args=[round.pk]),
        {f"position_{cardiology_app.pk}": "1", f"position_{medicine_app.pk}": ""},
    )
    assert _applicant_order(round, applicant) == [cardiology_app.pk]


def test_a_tie_is_refused_with_a_message_and_the_saved_list_kept(client, applicant, round, mine):
    cardiology_app, medicine_app = mine
    applicant_ranks_save(round_id=round.pk, applicant=applicant, application_ids=[cardiology_app.pk, medicine_app.pk])
    client.force_login(applicant)
    response = client.post(
        reverse("rounds:applicant_rank", args=[round.pk]),
        {f"position_{cardiology_app.pk}": "1", f"position_{medicine_app.pk}": "1"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "are both at position 1. Ties are not allowed" in body
    assert body.count('value="1"') == 2  # what was typed comes back
    assert _applicant_order(round, applicant) == [cardiology_app.pk, medicine_app.pk]


def test_a_position_that_is_not_a_number_is_refused(client, applicant, round, mine):
    cardiology_app, medicine_app = mine
    client.force_login(applicant)
    response = client.post(
        reverse("rounds:applicant_rank", args=[round.pk]),
        {f"position_{cardiology_app.pk}": "first", f"position_{medicine_app.pk}": "2"},
    )
    assert "“first” is not a position" in response.content.decode()
    assert _applicant_order(round, applicant) == []


def test_the_move_button_reorders_without_saving_when_scripts_are_off(client, applicant, round, mine):
    cardiology_app, medicine_app = mine
    client.force_login(applicant)
    response = client.post(
        reverse("rounds:applicant_rank", args=[round.pk]),
        {
            f"position_{cardiology_app.pk}": "1",
            f"position_{medicine_app.pk}": "2",
            "move": f"up:{medicine_app.pk}",
        },
    )
    body = response.content.decode()
    assert body.index("Internal Medicine Rotation") < body.index("Cardiology Elective")
    assert "not saved yet" in body
    assert _applicant_order(round, applicant) == []


def test_the_list_cannot_change_after_the_deadline(client, applicant, mine, cardiology, medicine):
    past = RoundFactory(sessions=[cardiology, medicine])
    Round.objects.filter(pk=past.pk).update(rank_deadline=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(applicant)
    url = reverse("rounds:applicant_rank", args=[past.pk])
    assert "Ranking closed" in client.get(url).content.decode()
    client.post(url, {f"position_{mine[0].pk}": "1"})
    assert _applicant_order(past, applicant) == []


def test_another_applicant_gets_404_for_a_round_they_are_not_in(client, other_applicant, round, mine):
    client.force_login(other_applicant)
    assert client.get(reverse("rounds:applicant_rank", args=[round.pk])).status_code == 404


def test_an_applicant_cannot_rank_someone_elses_application(
    client, applicant, other_applicant, round, mine, cardiology
):
    theirs = ApplicationFactory(applicant=other_applicant, session=cardiology)
    client.force_login(applicant)
    client.post(
        reverse("rounds:applicant_rank", args=[round.pk]), {f"position_{theirs.pk}": "1", f"position_{mine[0].pk}": "2"}
    )
    assert _applicant_order(round, applicant) == [mine[0].pk]  # the foreign field is not one of the rows: ignored
    assert not ApplicantRank.objects.filter(application=theirs).exists()


def test_a_coordinator_gets_403_on_the_applicant_pages(client, coordinator, round):
    client.force_login(coordinator)
    assert client.get(reverse("rounds:mine")).status_code == 403


@pytest.mark.parametrize("size", [2, 12])
def test_the_applicant_rank_page_has_a_constant_number_of_queries(
    client, applicant, size, django_assert_max_num_queries
):
    sessions = [SessionFactory(listing=ListingFactory()) for _ in range(size)]
    round = RoundFactory(sessions=sessions)
    for s in sessions:
        ApplicationFactory(applicant=applicant, session=s)
    client.force_login(applicant)
    # session, user, nav roles, round, rows: the same at 2 and 12 sessions
    with django_assert_max_num_queries(5):
        assert client.get(reverse("rounds:applicant_rank", args=[round.pk])).status_code == 200


# --- Results -------------------------------------------------------------------------------------


def test_after_publication_the_matched_and_the_unmatched_see_their_results(
    client, applicant, other_applicant, coordinator, round, cardiology, medicine
):
    alice = ApplicationFactory(applicant=applicant, session=cardiology)
    bob = ApplicationFactory(applicant=other_applicant, session=cardiology)
    applicant_ranks_save(round_id=round.pk, applicant=applicant, application_ids=[alice.pk])
    applicant_ranks_save(round_id=round.pk, applicant=other_applicant, application_ids=[bob.pk])
    session_ranks_save(
        round_id=round.pk, session_id=cardiology.pk, actor=coordinator, application_ids=[bob.pk, alice.pk]
    )
    round_publish(round_id=round.pk, now=round.publish_at)

    client.force_login(other_applicant)
    body = client.get(reverse("rounds:applicant_rank", args=[round.pk])).content.decode()
    assert "You matched to <strong>Cardiology Elective</strong>" in body
    assert reverse("applications:detail", args=[bob.pk]) in body

    client.force_login(applicant)
    body = client.get(reverse("rounds:applicant_rank", args=[round.pk])).content.decode()
    assert "You did not match in this round." in body
    assert "Internal Medicine Rotation" in body  # still has its seat
    assert reverse("applications:apply", args=[medicine.pk]) in body
    assert reverse("applications:apply", args=[cardiology.pk]) not in body  # its only seat went to Bob

    client.force_login(coordinator)
    body = client.get(reverse("rounds:round_detail", args=[round.pk])).content.decode()
    assert "1 matched, 1 unmatched" in body
    assert "Bob Applicant" in body and "Alice Applicant" not in body


# --- Coordinators --------------------------------------------------------------------------------


def _dates_post():
    start = timezone.localtime() + dt.timedelta(days=7)
    fmt = "%Y-%m-%dT%H:%M"
    return {
        "rank_deadline": start.strftime(fmt),
        "publish_at": (start + dt.timedelta(days=1)).strftime(fmt),
        "offer_deadline": (start + dt.timedelta(days=8)).strftime(fmt),
    }


def test_a_coordinator_opens_a_round_from_the_form(client, coordinator, cardiology, medicine):
    client.force_login(coordinator)
    assert "Cardiology Elective" in client.get(reverse("rounds:round_new")).content.decode()
    response = client.post(
        reverse("rounds:round_new"), {"name": "August match", "sessions": [cardiology.pk, medicine.pk], **_dates_post()}
    )
    round = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("rounds:round_detail", args=[round.pk])
    assert set(round.sessions.all()) == {cardiology, medicine}


def test_a_refused_round_keeps_what_was_typed(client, coordinator, cardiology):
    client.force_login(coordinator)
    dates = _dates_post()
    dates["publish_at"], dates["rank_deadline"] = dates["rank_deadline"], dates["publish_at"]
    response = client.post(
        reverse("rounds:round_new"), {"name": "Backwards match", "sessions": [cardiology.pk], **dates}
    )
    assert response.status_code == 400
    assert "publication at or after it" in response.content.decode()
    assert 'value="Backwards match"' in response.content.decode()
    assert not Round.objects.exists()


def test_the_round_form_offers_only_the_coordinators_sessions(client, coordinator, cardiology):
    elsewhere = SessionFactory(listing=ListingFactory(title="Elsewhere Neurology Observership"))
    client.force_login(coordinator)
    assert "Elsewhere Neurology" not in client.get(reverse("rounds:round_new")).content.decode()
    client.post(reverse("rounds:round_new"), {"name": "Raid", "sessions": [elsewhere.pk], **_dates_post()})
    assert not Round.objects.exists()


def test_a_coordinator_ranks_a_sessions_applicants(client, coordinator, round, cardiology):
    a, b = ApplicationFactory(session=cardiology), ApplicationFactory(session=cardiology)
    client.force_login(coordinator)
    url = reverse("rounds:session_rank", args=[round.pk, cardiology.pk])
    assert client.post(url, {f"position_{a.pk}": "2", f"position_{b.pk}": "1"}).status_code == 302
    assert _session_order(round, cardiology) == [b.pk, a.pk]


def test_a_coordinator_imports_a_csv_rank_list(client, coordinator, round, cardiology, applicant, other_applicant):
    a = ApplicationFactory(applicant=applicant, session=cardiology)
    b = ApplicationFactory(applicant=other_applicant, session=cardiology)
    client.force_login(coordinator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "ranks.csv", b"email,rank\nbob@example.org,1\nalice@example.org,2\n", content_type="text/csv"
    )
    response = client.post(
        reverse("rounds:session_import", args=[round.pk, cardiology.pk]), {"file": upload}, follow=True
    )
    assert "Imported 2 ranked applicants" in response.content.decode()
    assert _session_order(round, cardiology) == [b.pk, a.pk]


def test_a_csv_with_a_tie_imports_nothing_and_says_why(
    client, coordinator, round, cardiology, applicant, other_applicant
):
    a = ApplicationFactory(applicant=applicant, session=cardiology)
    ApplicationFactory(applicant=other_applicant, session=cardiology)
    session_ranks_save(round_id=round.pk, session_id=cardiology.pk, actor=coordinator, application_ids=[a.pk])
    client.force_login(coordinator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("ranks.csv", b"bob@example.org,1\nalice@example.org,1\n", content_type="text/csv")
    body = client.post(
        reverse("rounds:session_import", args=[round.pk, cardiology.pk]), {"file": upload}, follow=True
    ).content.decode()
    assert "Nothing was imported." in body and "ties are not allowed" in body
    assert _session_order(round, cardiology) == [a.pk]


def test_another_institutions_coordinator_gets_404(client, other_coordinator, round, cardiology):
    client.force_login(other_coordinator)
    assert client.get(reverse("rounds:round_detail", args=[round.pk])).status_code == 404
    assert client.get(reverse("rounds:session_rank", args=[round.pk, cardiology.pk])).status_code == 404
    assert client.post(reverse("rounds:session_rank", args=[round.pk, cardiology.pk]), {}).status_code == 404
    assert "July electives match" not in client.get(reverse("rounds:manage")).content.decode()


def test_a_coordinator_sees_only_their_sessions_in_a_national_round(client, coordinator, cardiology):
    elsewhere = SessionFactory(listing=ListingFactory(title="Elsewhere Neurology Observership"))
    national = RoundFactory(name="National July", sessions=[cardiology, elsewhere])
    client.force_login(coordinator)
    body = client.get(reverse("rounds:round_detail", args=[national.pk])).content.decode()
    assert "Cardiology Elective" in body and "Elsewhere Neurology" not in body
    assert client.get(reverse("rounds:session_rank", args=[national.pk, elsewhere.pk])).status_code == 404


def test_an_applicant_gets_403_on_the_coordinator_pages(client, applicant, round, cardiology):
    client.force_login(applicant)
    assert client.get(reverse("rounds:manage")).status_code == 403
    assert client.get(reverse("rounds:session_rank", args=[round.pk, cardiology.pk])).status_code == 403


def test_an_admin_ranks_any_session(client, admin_user, round, cardiology):
    a = ApplicationFactory(session=cardiology)
    client.force_login(admin_user)
    client.post(reverse("rounds:session_rank", args=[round.pk, cardiology.pk]), {f"position_{a.pk}": "1"})
    assert _session_order(round, cardiology) == [a.pk]


@pytest.mark.parametrize("size", [2, 15])
def test_the_session_rank_page_has_a_constant_number_of_queries(
    client, coordinator, round, cardiology, size, django_assert_max_num_queries
):
    apps = [ApplicationFactory(session=cardiology) for _ in range(size)]
    session_ranks_save(
        round_id=round.pk, session_id=cardiology.pk, actor=coordinator, application_ids=[a.pk for a in apps]
    )
    ApplicationFactory(session=cardiology, status=Status.WITHDRAWN)
    client.force_login(coordinator)
    with django_assert_max_num_queries(7):  # includes the MFA middleware's authenticator check
        response = client.get(reverse("rounds:session_rank", args=[round.pk, cardiology.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("data-rank-row") == size


def test_navigation_shows_match_rounds_to_applicants_and_coordinators(client, applicant, coordinator):
    for user, url in ((applicant, reverse("rounds:mine")), (coordinator, reverse("rounds:manage"))):
        client.force_login(user)
        assert f'href="{url}"' in client.get("/").content.decode()
