"""The applicant's letters pages: asking, statuses, resend and revoke, and reading (never when waived)."""

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from letters.models import Letter, LetterRequest
from tests.letters.conftest import make_pdf
from tests.letters.factories import LetterRequestFactory

pytestmark = pytest.mark.django_db

FORM = {
    "writer_name": "Dr. Maria Delgado",
    "writer_email": "mdelgado@lakeshore-health.example.org",
    "writer_title": "Attending Physician",
    "writer_institution": "Lakeshore University Medical Center",
    "relationship": "Supervised me on the inpatient medicine service.",
    "message": "",
    "waiver": "yes",
}


def with_letter(letter_request: LetterRequest) -> LetterRequest:
    name = default_storage.save("letters/test.pdf", ContentFile(make_pdf()))
    letter = Letter.objects.create(request=letter_request, file=name, size=default_storage.size(name), sha256="0" * 64)
    LetterRequest.objects.filter(pk=letter_request.pk).update(current_letter=letter, status="uploaded")
    letter_request.refresh_from_db()
    return letter_request


def test_the_applicant_asks_for_a_letter_from_the_form(client, applicant, django_capture_on_commit_callbacks):
    client.force_login(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letters:new"), FORM, follow=True)

    assert response.redirect_chain[-1][0] == reverse("letters:list")
    html = response.content.decode()
    assert "Your request was sent to mdelgado@lakeshore-health.example.org" in html
    assert 'data-status="sent"' in html
    letter_request = LetterRequest.objects.get()
    assert letter_request.waived is True and letter_request.applicant == applicant
    assert mail.outbox[-1].to == [FORM["writer_email"]]


def test_the_waiver_must_be_chosen_and_what_was_typed_is_kept(client, applicant):
    client.force_login(applicant)

    response = client.post(reverse("letters:new"), {**FORM, "waiver": ""})

    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required" in html
    assert "Dr. Maria Delgado" in html and "Supervised me on the inpatient medicine service." in html
    assert not LetterRequest.objects.exists()


def test_asking_the_same_writer_twice_shows_why_on_the_form(client, applicant):
    client.force_login(applicant)
    client.post(reverse("letters:new"), FORM)

    response = client.post(reverse("letters:new"), {**FORM, "writer_email": FORM["writer_email"].upper()})

    assert response.status_code == 400
    assert "already asked" in response.content.decode()
    assert LetterRequest.objects.count() == 1


def test_the_list_shows_each_status_in_words(client, applicant):
    import datetime as dt

    from django.utils import timezone

    LetterRequestFactory(applicant=applicant, writer_name="Dr. Sent", status="sent")
    LetterRequestFactory(applicant=applicant, writer_name="Dr. Opened", status="opened", opened_at=timezone.now())
    LetterRequestFactory(
        applicant=applicant, writer_name="Dr. Declined", status="declined", decline_message="On leave."
    )
    LetterRequestFactory(
        applicant=applicant, writer_name="Dr. Lapsed", expires_at=timezone.now() - dt.timedelta(days=1)
    )
    with_letter(LetterRequestFactory(applicant=applicant, writer_name="Dr. Uploaded"))
    client.force_login(applicant)

    html = client.get(reverse("letters:list")).content.decode()

    for status in ("sent", "opened", "declined", "expired", "uploaded"):
        assert f'data-status="{status}"' in html
    assert "On leave." in html


def test_the_list_shows_only_the_applicants_own_requests(client, applicant, other_applicant):
    LetterRequestFactory(applicant=other_applicant, writer_name="Dr. Someone Else")
    client.force_login(applicant)

    assert "Dr. Someone Else" not in client.get(reverse("letters:list")).content.decode()


def test_coordinators_and_visitors_cannot_open_the_letters_pages(client, coordinator):
    assert client.get(reverse("letters:list")).status_code == 302  # to log in
    client.force_login(coordinator)
    assert client.get(reverse("letters:list")).status_code == 403
    assert client.get(reverse("letters:new")).status_code == 403


def test_revoking_from_the_page_kills_the_link(client, applicant, ask):
    sent = ask(applicant)
    client.force_login(applicant)

    response = client.post(reverse("letters:revoke", args=[sent.letter_request.id]), follow=True)

    assert "was revoked" in response.content.decode()
    assert client.get(sent.url).status_code == 410


def test_another_applicants_request_is_a_404_for_every_action(client, applicant, other_applicant, ask):
    sent = ask(other_applicant)
    client.force_login(applicant)

    for name in ("letters:resend", "letters:revoke"):
        assert client.post(reverse(name, args=[sent.letter_request.id])).status_code == 404
    assert client.get(reverse("letters:download", args=[sent.letter_request.id])).status_code == 404
    sent.letter_request.refresh_from_db()
    assert sent.letter_request.status == "sent"


def test_the_applicant_reads_a_letter_they_did_not_waive(client, applicant):
    letter_request = with_letter(LetterRequestFactory(applicant=applicant, waived=False))
    client.force_login(applicant)

    response = client.get(reverse("letters:download", args=[letter_request.id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_applicant_cannot_open_a_waived_letter(client, applicant):
    letter_request = with_letter(LetterRequestFactory(applicant=applicant, waived=True))
    client.force_login(applicant)

    response = client.get(reverse("letters:download", args=[letter_request.id]))
    page = client.get(reverse("letters:list")).content.decode()

    assert response.status_code == 403
    assert reverse("letters:download", args=[letter_request.id]) not in page


def test_the_list_keeps_a_constant_number_of_queries(client, applicant, django_assert_max_num_queries):
    from tests.applications.factories import DraftFactory

    client.force_login(applicant)
    client.get(reverse("letters:list"))  # the first request of a session records it (usersessions)

    def page_queries_with(n: int) -> None:
        for _ in range(n):
            with_letter(LetterRequestFactory(applicant=applicant, waived=False))
            LetterRequestFactory(applicant=applicant)
            DraftFactory(applicant=applicant)
        # 7 of these are the session, the user and allauth's usersessions bookkeeping.
        with django_assert_max_num_queries(11):
            assert client.get(reverse("letters:list")).status_code == 200

    page_queries_with(2)
    page_queries_with(12)


def test_applicants_find_letters_in_the_navigation_and_coordinators_do_not(client, applicant, coordinator):
    client.force_login(applicant)
    assert f'href="{reverse("letters:list")}"' in client.get(reverse("home")).content.decode()
    client.force_login(coordinator)
    assert f'href="{reverse("letters:list")}"' not in client.get(reverse("home")).content.decode()


def test_admins_see_a_request_without_a_link_to_the_letter_itself(client, admin_user):
    letter_request = with_letter(LetterRequestFactory(waived=True))
    client.force_login(admin_user)

    response = client.get(reverse("admin:letters_letterrequest_change", args=[letter_request.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert letter_request.writer_email in html
    assert letter_request.current_letter.file.name not in html
