"""The writer's page, reached by the signed link alone: every way a link can be refused, and declining."""

import pytest
from django.core import mail, signing

from letters import tokens
from letters.models import LetterRequest
from letters.services import letter_request_revoke

pytestmark = pytest.mark.django_db


def test_the_writer_sees_who_asks_and_for_what_without_an_account(client, applicant, ask):
    sent = ask(applicant, message="For an internal medicine observership in Chicago.")

    response = client.get(sent.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Letter of recommendation for Alice Applicant" in html
    assert "Supervised me for four weeks" in html
    assert "internal medicine observership in Chicago" in html
    assert "waived the right to read your letter" in html
    assert 'name="viewport"' in html and "noindex" in html
    assert "no-store" in response["Cache-Control"]


def test_opening_the_link_marks_the_request_opened_once(client, applicant, ask):
    sent = ask(applicant)

    client.get(sent.url)
    sent.letter_request.refresh_from_db()
    first_opened = sent.letter_request.opened_at
    client.get(sent.url)
    sent.letter_request.refresh_from_db()

    assert sent.letter_request.status == LetterRequest.Status.OPENED
    assert sent.letter_request.opened_at == first_opened


def test_a_link_that_was_never_issued_is_not_valid(client, db):
    response = client.get("/letters/write/no-such-token/")

    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_a_tampered_link_is_not_valid_and_reveals_nothing(client, applicant, ask):
    sent = ask(applicant)
    key, timestamp, signature = sent.token.split(":")
    tampered = f"{key[:-1]}{'A' if key[-1] != 'A' else 'B'}:{timestamp}:{signature}"

    response = client.get(f"/letters/write/{tampered}/")

    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
    assert "Alice" not in response.content.decode()


def test_a_well_signed_token_for_an_unknown_key_is_not_valid(client, db):
    response = client.get(f"/letters/write/{tokens.make_token('made-up-key')}/")

    assert response.status_code == 404


def test_an_expired_link_says_so(client, applicant, ask, settings, monkeypatch):
    sent = ask(applicant)
    # The token's own timestamp ages past the lifetime: the signature check refuses it.
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + (settings.LETTERS_LINK_DAYS + 1) * 86400)

    response = client.get(sent.url)

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_a_link_past_the_requests_expiry_says_so_even_with_a_fresh_signature(client, applicant, ask):
    import datetime as dt

    from django.utils import timezone

    sent = ask(applicant)
    LetterRequest.objects.filter(pk=sent.letter_request.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = client.get(sent.url)

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_a_revoked_link_says_the_request_was_withdrawn(client, applicant, ask):
    sent = ask(applicant)
    letter_request_revoke(letter_request=sent.letter_request, actor=applicant)

    response = client.get(sent.url)

    assert response.status_code == 410
    assert "This request was withdrawn" in response.content.decode()


def test_the_writer_declines_with_a_message_and_the_applicant_is_told(
    client, applicant, ask, django_capture_on_commit_callbacks
):
    sent = ask(applicant)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{sent.url}decline/", {"message": "I am on leave until March, sorry."})

    assert response.status_code == 200
    assert "You declined this request" in response.content.decode()
    sent.letter_request.refresh_from_db()
    assert sent.letter_request.status == LetterRequest.Status.DECLINED
    assert mail.outbox[-1].to == [applicant.email]
    assert "I am on leave until March" in mail.outbox[-1].body
    # And in the notification centre, linking to the letters page where they can ask somebody else.
    notice = applicant.notifications.get()
    assert (notice.title, notice.body, notice.url) == (
        f"{sent.letter_request.writer_name} declined your letter request",
        "I am on leave until March, sorry.",
        "/letters/",
    )
    again = client.get(sent.url)
    assert again.status_code == 410 and "This request was declined" in again.content.decode()


def test_a_revoked_link_cannot_decline(client, applicant, ask):
    sent = ask(applicant)
    letter_request_revoke(letter_request=sent.letter_request, actor=applicant)

    response = client.post(f"{sent.url}decline/", {"message": "No."})

    assert response.status_code == 410
    sent.letter_request.refresh_from_db()
    assert sent.letter_request.status == LetterRequest.Status.REVOKED
