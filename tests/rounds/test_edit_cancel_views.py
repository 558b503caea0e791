"""The "Edit round" and "Cancel round" pages: who gets them, what a refusal shows, double clicks."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from rounds.models import Round
from rounds.services import applicant_ranks_save, round_cancel, round_publish
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory, SessionFactory
from tests.rounds.factories import RoundFactory

pytestmark = pytest.mark.django_db
FMT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def round(institution, cardiology, medicine):
    start = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(days=7)
    return RoundFactory(
        name="July electives match",
        institution=institution,
        sessions=[cardiology, medicine],
        rank_deadline=start,
        publish_at=start + dt.timedelta(days=1),
        offer_deadline=start + dt.timedelta(days=8),
    )


@pytest.fixture
def alice_ranked(round, applicant, cardiology):
    application = ApplicationFactory(applicant=applicant, session=cardiology)
    applicant_ranks_save(round_id=round.pk, applicant=applicant, application_ids=[application.pk])
    return application


def _post(round, **changes):
    """The edit form as the page posts it, unchanged except ``changes``."""
    return {
        "name": round.name,
        "sessions": list(round.sessions.values_list("pk", flat=True)),
        **{
            f: timezone.localtime(getattr(round, f)).strftime(FMT)
            for f in ("rank_deadline", "publish_at", "offer_deadline")
        },
        **changes,
    }


def _edit_url(round):
    return reverse("rounds:round_edit", args=[round.pk])


def _cancel_url(round):
    return reverse("rounds:round_cancel", args=[round.pk])


# --- Edit ------------------------------------------------------------------------------------------


def test_the_detail_page_offers_edit_and_cancel_to_the_rounds_coordinators(client, coordinator, round):
    client.force_login(coordinator)
    body = client.get(reverse("rounds:round_detail", args=[round.pk])).content.decode()
    assert f'href="{_edit_url(round)}"' in body and f'href="{_cancel_url(round)}"' in body


def test_the_edit_page_starts_from_the_round_as_saved(client, coordinator, round, cardiology):
    client.force_login(coordinator)
    body = client.get(_edit_url(round)).content.decode()
    assert 'value="July electives match"' in body
    assert f'value="{timezone.localtime(round.publish_at):{FMT}}"' in body
    assert f'value="{cardiology.pk}"' in body and "checked" in body


def test_a_coordinator_edits_a_round_from_the_page(client, coordinator, round, cardiology, institution):
    dermatology = SessionFactory(listing=ListingFactory(institution=institution, title="Dermatology Clinic"))
    later = round.publish_at + dt.timedelta(days=2)
    client.force_login(coordinator)
    assert "Dermatology Clinic" in client.get(_edit_url(round)).content.decode()
    response = client.post(
        _edit_url(round),
        _post(
            round,
            name="August electives match",
            sessions=[cardiology.pk, dermatology.pk],
            publish_at=timezone.localtime(later).strftime(FMT),
            offer_deadline=timezone.localtime(later + dt.timedelta(days=7)).strftime(FMT),
        ),
        follow=True,
    )
    assert response.redirect_chain == [(reverse("rounds:round_detail", args=[round.pk]), 302)]
    assert "Round “August electives match” is saved." in response.content.decode()
    round.refresh_from_db()
    assert (round.name, round.publish_at) == ("August electives match", later)
    assert set(round.sessions.all()) == {cardiology, dermatology}


def test_the_edit_page_offers_only_the_rounds_institutions_sessions(client, coordinator, round, cardiology):
    elsewhere = SessionFactory(listing=ListingFactory(title="Elsewhere Neurology Observership"))
    client.force_login(coordinator)
    assert "Elsewhere Neurology" not in client.get(_edit_url(round)).content.decode()
    response = client.post(_edit_url(round), _post(round, sessions=[cardiology.pk, elsewhere.pk]))
    assert response.status_code == 400
    assert set(round.sessions.values_list("pk", flat=True)) != {cardiology.pk, elsewhere.pk}


def test_moments_out_of_order_show_the_form_again_with_what_was_typed(client, coordinator, round):
    client.force_login(coordinator)
    typed = _post(round, name="Backwards match")
    typed["rank_deadline"], typed["publish_at"] = typed["publish_at"], typed["rank_deadline"]
    response = client.post(_edit_url(round), typed)
    assert response.status_code == 400
    body = response.content.decode()
    assert "publication at or after it" in body
    assert 'value="Backwards match"' in body
    assert f'value="{typed["rank_deadline"]}"' in body and f'value="{typed["publish_at"]}"' in body
    assert Round.objects.get(pk=round.pk).name == "July electives match"


def test_removing_a_ranked_session_is_refused_naming_it(client, coordinator, round, medicine, alice_ranked):
    client.force_login(coordinator)
    response = client.post(_edit_url(round), _post(round, name="Smaller match", sessions=[medicine.pk]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "“Cardiology Elective, " in body and "is already ranked in this round, so it cannot be removed" in body
    assert 'value="Smaller match"' in body
    assert round.sessions.count() == 2


def test_saving_the_form_unchanged_tells_nobody(
    client, coordinator, alice_ranked, cardiology, medicine, institution, django_capture_on_commit_callbacks
):
    # Saved with seconds (opened through the API or by an admin): the page shows minutes only.
    odd = RoundFactory(
        institution=institution,
        sessions=[SessionFactory(listing=ListingFactory(institution=institution))],
        rank_deadline=timezone.now().replace(second=42) + dt.timedelta(days=5),
    )
    applicant_ranks_save(
        round_id=odd.pk,
        applicant=alice_ranked.applicant,
        application_ids=[ApplicationFactory(applicant=alice_ranked.applicant, session=odd.sessions.get()).pk],
    )
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_edit_url(odd), _post(odd, name="Same dates")).status_code == 302
    assert Round.objects.get(pk=odd.pk).rank_deadline == odd.rank_deadline
    assert mail.outbox == []


def test_moving_the_publication_from_the_page_tells_who_ranked(
    client, coordinator, applicant, round, alice_ranked, django_capture_on_commit_callbacks
):
    later = timezone.localtime(round.publish_at + dt.timedelta(hours=6)).strftime(FMT)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_edit_url(round), _post(round, publish_at=later))
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert Notification.objects.get().recipient == applicant


def test_a_published_round_cannot_be_edited_from_the_page(client, coordinator, round):
    round_publish(round_id=round.pk, now=round.publish_at)
    client.force_login(coordinator)
    response = client.get(_edit_url(round), follow=True)
    assert response.redirect_chain == [(reverse("rounds:round_detail", args=[round.pk]), 302)]
    assert "published: it can no longer be edited" in response.content.decode()
    response = client.post(_edit_url(round), _post(round, name="After the fact"))
    assert response.status_code == 400
    assert "published: it can no longer be edited" in response.content.decode()
    assert Round.objects.get(pk=round.pk).name == "July electives match"
    body = client.get(reverse("rounds:round_detail", args=[round.pk])).content.decode()
    assert _edit_url(round) not in body and _cancel_url(round) not in body


def test_another_institutions_coordinator_gets_404(client, other_coordinator, round):
    client.force_login(other_coordinator)
    assert client.get(_edit_url(round)).status_code == 404
    assert client.post(_edit_url(round), _post(round, name="Raid")).status_code == 404
    assert client.get(_cancel_url(round)).status_code == 404
    assert client.post(_cancel_url(round)).status_code == 404
    assert Round.objects.get(pk=round.pk).name == "July electives match"
    assert Round.objects.get(pk=round.pk).status == Round.Status.OPEN


def test_a_coordinator_sees_but_cannot_edit_a_round_opened_across_institutions(client, coordinator, cardiology):
    national = RoundFactory(name="National July", sessions=[cardiology, SessionFactory()])
    client.force_login(coordinator)
    body = client.get(reverse("rounds:round_detail", args=[national.pk])).content.decode()
    assert "National July" in body and _edit_url(national) not in body and _cancel_url(national) not in body
    assert client.get(_edit_url(national)).status_code == 404
    assert client.post(_cancel_url(national)).status_code == 404


def test_an_admin_edits_a_round_opened_across_institutions(client, admin_user, cardiology):
    elsewhere = SessionFactory(listing=ListingFactory(title="Elsewhere Neurology Observership"))
    national = RoundFactory(name="National July", sessions=[cardiology])
    client.force_login(admin_user)
    assert "Elsewhere Neurology" in client.get(_edit_url(national)).content.decode()
    assert client.post(_edit_url(national), _post(national, sessions=[cardiology.pk, elsewhere.pk])).status_code == 302
    assert national.sessions.count() == 2


def test_an_applicant_gets_403_and_a_visitor_the_login_page(client, applicant, round):
    for url in (_edit_url(round), _cancel_url(round)):
        response = client.post(url, _post(round, name="Raid"))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(applicant)
    for url in (_edit_url(round), _cancel_url(round)):
        assert client.get(url).status_code == 403
        assert client.post(url, _post(round, name="Raid")).status_code == 403
    assert Round.objects.filter(pk=round.pk, name="July electives match", status=Round.Status.OPEN).exists()


# --- Cancel ----------------------------------------------------------------------------------------


def test_cancelling_asks_first_and_says_who_will_be_told(client, coordinator, round, alice_ranked):
    client.force_login(coordinator)
    body = client.get(_cancel_url(round)).content.decode()
    assert "Cancel “July electives match”?" in body
    assert "1 applicant who saved a rank list will be told" in body
    assert Round.objects.get(pk=round.pk).status == Round.Status.OPEN  # a GET changes nothing


def test_a_coordinator_cancels_and_a_second_click_only_says_so(
    client, coordinator, applicant, round, alice_ranked, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_cancel_url(round), follow=True)
        second = client.post(_cancel_url(round), follow=True)
    assert first.redirect_chain == [(reverse("rounds:round_detail", args=[round.pk]), 302)]
    assert "Round “July electives match” is cancelled." in first.content.decode()
    assert "Cancelled " in first.content.decode()
    assert second.status_code == 200
    assert "Round “July electives match” was already cancelled." in second.content.decode()
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert Notification.objects.filter(recipient=applicant, kind="round_cancelled").count() == 1


def test_cancelling_needs_the_csrf_token(coordinator, round):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert client.post(_cancel_url(round)).status_code == 403
    assert Round.objects.get(pk=round.pk).status == Round.Status.OPEN


def test_a_published_round_cannot_be_cancelled_from_the_page(client, coordinator, round):
    round_publish(round_id=round.pk, now=round.publish_at)
    client.force_login(coordinator)
    response = client.post(_cancel_url(round), follow=True)
    assert "published: it can no longer be cancelled" in response.content.decode()
    assert Round.objects.get(pk=round.pk).status == Round.Status.PUBLISHED


def test_cancelled_rounds_show_as_such_to_coordinators_and_applicants(
    client, coordinator, applicant, round, alice_ranked
):
    round_cancel(round_id=round.pk, actor=coordinator)

    client.force_login(coordinator)
    body = client.get(reverse("rounds:manage")).content.decode()
    assert "July electives match" in body and "Cancelled" in body
    body = client.get(reverse("rounds:round_detail", args=[round.pk])).content.decode()
    assert "no match runs" in body and _cancel_url(round) not in body and _edit_url(round) not in body

    client.force_login(applicant)
    body = client.get(reverse("rounds:mine")).content.decode()
    assert "cancelled" in body and "no offer from this round" in body
    url = reverse("rounds:applicant_rank", args=[round.pk])
    body = client.get(url).content.decode()
    assert "This round was cancelled" in body and "Save order" not in body
    response = client.post(url, {f"position_{alice_ranked.pk}": ""}, follow=True)
    assert "its rank lists are kept but can no longer change" in response.content.decode()
    assert round.applicant_ranks.count() == 1


def test_the_django_admin_cannot_change_a_rounds_sessions(client, admin_user, round, medicine, alice_ranked):
    """Editing goes through round_update's checks: the admin's change form shows the sessions only."""
    client.force_login(admin_user)
    url = reverse("admin:rounds_round_change", args=[round.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"sessions": [medicine.pk]})
    assert round.sessions.count() == 2  # the ranked cardiology session is still in
