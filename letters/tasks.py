"""Letters' background work: each task takes ids, re-reads the rows and sends one message."""

from celery import shared_task
from django.utils import timezone

from . import emails, tokens
from .models import LetterLink, LetterRequest


@shared_task
def letter_link_email_task(link_id: int) -> None:
    """Mail a writer their link, once.

    The conditional update claims the link before sending (healthchecks' "optimistic lock"): a
    redelivered task finds it claimed and does nothing. A link ended in the meantime (a quick
    resend or revocation) is not sent at all. If sending fails after the claim, the applicant's
    "Send again" issues a fresh link.
    """
    if (
        LetterLink.objects.filter(id=link_id, emailed_at__isnull=True, ended_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        != 1
    ):
        return
    link = LetterLink.objects.select_related(
        "request__applicant", "request__rotation__session__listing__institution"
    ).get(id=link_id)
    emails.send_letter_request(link=link, token=tokens.make_token(link.key))


@shared_task
def letter_uploaded_email_task(request_id: int, replaced: bool = False) -> None:
    letter_request = LetterRequest.objects.select_related("applicant").filter(id=request_id).first()
    # Only a request that really holds a file tells the applicant a letter arrived.
    if letter_request is not None and letter_request.has_file:
        # The in-app message first, as for every transactional e-mail: the task runs at most once.
        emails.notify_in_app(letter_request=letter_request, name="letter-uploaded", context={"replaced": replaced})
        emails.send_letter_uploaded(letter_request=letter_request, replaced=replaced)


@shared_task
def letter_declined_email_task(request_id: int) -> None:
    letter_request = LetterRequest.objects.select_related("applicant").filter(id=request_id).first()
    if letter_request is not None and letter_request.status == LetterRequest.Status.DECLINED:
        emails.notify_in_app(letter_request=letter_request, name="letter-declined", body=letter_request.decline_message)
        emails.send_letter_declined(letter_request=letter_request)


@shared_task
def letter_requests_expire_task() -> int:
    from .services import letter_requests_expire

    return letter_requests_expire()
