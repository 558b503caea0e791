"""The applicant asks, resends and revokes; the writer's e-mail carries a working link."""

import pytest
from django.core import mail

from letters.models import LetterLink, LetterRequest
from letters.services import LetterError, letter_request_resend, letter_request_revoke, letter_requests_expire

pytestmark = pytest.mark.django_db


def test_asking_mails_the_writer_a_personal_link_in_text_and_html(applicant, ask):
    sent = ask(applicant, message="It is for an internal medicine observership in Chicago.")

    message = mail.outbox[-1]
    assert message.to == ["mdelgado@lakeshore-health.example.org"]
    assert message.reply_to == [applicant.email]
    assert "Alice Applicant" in message.subject
    html = message.alternatives[0][0]
    assert sent.url in message.body and sent.url in html
    assert "internal medicine observership in Chicago" in message.body
    assert "waived the right to read your letter" in message.body
    assert sent.letter_request.status == LetterRequest.Status.SENT


def test_nothing_is_mailed_when_the_request_is_rolled_back(applicant, django_capture_on_commit_callbacks):
    from django.db import transaction

    from letters.services import letter_request_create

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            letter_request_create(
                applicant=applicant,
                writer_name="Dr. Ken Sato",
                writer_email="ksato@example.org",
                writer_title="Attending",
                writer_institution="Bayview Community Hospital",
                relationship="Clinic supervisor",
                waived=True,
            )
            raise RuntimeError("the page failed after the request was saved")

    assert mail.outbox == []
    assert not LetterRequest.objects.exists()


def test_asking_the_same_writer_twice_is_refused_whatever_the_case_of_the_address(applicant, ask):
    ask(applicant)

    with pytest.raises(LetterError, match="already asked"):
        ask(applicant, writer_email="MDelgado@Lakeshore-Health.example.org")
    assert LetterRequest.objects.count() == 1


def test_the_database_refuses_a_second_live_request_to_the_same_writer(applicant, ask):
    # What a double click racing past the service's check would hit.
    from django.db import IntegrityError, transaction

    from tests.letters.factories import LetterRequestFactory

    first = ask(applicant).letter_request
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterRequestFactory(applicant=applicant, writer_email=first.writer_email.upper())


def test_another_applicant_may_ask_the_same_writer(applicant, other_applicant, ask):
    ask(applicant)
    ask(other_applicant)

    assert LetterRequest.objects.count() == 2


def test_after_a_revocation_the_same_writer_may_be_asked_again(applicant, ask):
    first = ask(applicant).letter_request
    letter_request_revoke(letter_request=first, actor=applicant)

    ask(applicant)

    assert LetterRequest.objects.filter(status="sent").count() == 1


def test_a_resend_mails_a_new_link_and_kills_the_old_one(applicant, ask, client, django_capture_on_commit_callbacks):
    from tests.letters.conftest import token_in

    sent = ask(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        letter_request_resend(letter_request=sent.letter_request, actor=applicant)
    new_token = token_in(mail.outbox[-1])

    assert new_token != sent.token
    assert client.get(f"/letters/write/{new_token}/").status_code == 200
    old = client.get(sent.url)
    assert old.status_code == 410
    assert "This link has been replaced" in old.content.decode()
    assert LetterLink.objects.filter(request=sent.letter_request, ended_at__isnull=True).count() == 1


def test_a_revoked_request_can_be_sent_again_with_a_fresh_link(
    applicant, ask, client, django_capture_on_commit_callbacks
):
    from tests.letters.conftest import token_in

    sent = ask(applicant)
    letter_request_revoke(letter_request=sent.letter_request, actor=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        resent = letter_request_resend(letter_request=sent.letter_request, actor=applicant)

    assert resent.status == LetterRequest.Status.SENT
    assert client.get(f"/letters/write/{token_in(mail.outbox[-1])}/").status_code == 200


def test_another_applicant_cannot_resend_or_revoke(applicant, other_applicant, ask):
    sent = ask(applicant)

    with pytest.raises(LetterError):
        letter_request_resend(letter_request=sent.letter_request, actor=other_applicant)
    with pytest.raises(LetterError):
        letter_request_revoke(letter_request=sent.letter_request, actor=other_applicant)
    sent.letter_request.refresh_from_db()
    assert sent.letter_request.status == LetterRequest.Status.SENT


def test_the_daily_sweep_marks_lapsed_requests_expired(applicant, ask):
    from datetime import timedelta

    from django.utils import timezone

    lapsed = ask(applicant).letter_request
    fresh = ask(applicant, writer_email="ksato@example.org").letter_request
    LetterRequest.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert letter_requests_expire() == 1
    lapsed.refresh_from_db()
    fresh.refresh_from_db()
    assert (lapsed.status, fresh.status) == ("expired", "sent")


def test_a_link_whose_outbox_batch_runs_twice_is_mailed_once(applicant, ask):
    from notifications.models import Reminder
    from notifications.outbox import outbox_deliver_batch

    sent = ask(applicant)
    link = sent.letter_request.links.get()
    message = Reminder.objects.get(key=f"letter_link:{link.pk}")
    before = len(mail.outbox)

    assert outbox_deliver_batch(message_ids=[message.pk]) == {}  # already sent on commit: nothing again
    assert len(mail.outbox) == before
    assert Reminder.objects.get(pk=message.pk).status == "sent"


def _in_status(applicant, status: str) -> LetterRequest:
    from letters.models import Letter
    from tests.letters.factories import LetterRequestFactory

    uploaded = status == LetterRequest.Status.UPLOADED
    letter_request = LetterRequestFactory(applicant=applicant, status="sent" if uploaded else status)
    LetterLink.objects.create(request=letter_request)
    if uploaded:
        letter = Letter.objects.create(request=letter_request, file="letters/x.pdf", size=1, sha256="0" * 64)
        LetterRequest.objects.filter(pk=letter_request.pk).update(current_letter=letter, status=status)
        letter_request.refresh_from_db()
    return letter_request


@pytest.mark.parametrize("status", LetterRequest.Status.values)
@pytest.mark.parametrize(
    ("service", "target"),
    [(letter_request_revoke, "revoked"), (letter_request_resend, "sent")],
    ids=["revoke", "resend"],
)
def test_the_applicant_can_move_a_request_only_along_the_diagram(applicant, status, service, target):
    letter_request = _in_status(applicant, status)
    allowed = (status, target) in LetterRequest.ALLOWED_TRANSITIONS

    if allowed:
        assert service(letter_request=letter_request, actor=applicant).status == target
    else:
        with pytest.raises(LetterError):
            service(letter_request=letter_request, actor=applicant)
        letter_request.refresh_from_db()
        assert letter_request.status == status
