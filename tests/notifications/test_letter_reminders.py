"""Letter reminders: the writer (no account) 7 and 2 days before the letter is due, the applicant
when it is late. Who is due when, exactly once, the link in the mail, unsubscribing by address."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applicants.services import account_delete
from letters import reminders as sources_letters
from letters import tokens as letter_tokens
from letters.models import Letter, LetterLink, LetterRequest
from letters.services import (
    letter_assignments_set,
    letter_request_create,
    letter_request_decline,
    letter_request_resend,
    letter_request_revoke,
)
from notifications import outbox, services
from notifications.models import Notification, NotificationPreference, Reminder, address_key
from notifications.tokens import unsubscribe_token
from tests.applications.factories import ApplicationFactory, DraftFactory
from tests.notifications.factories import applicant_in, at, session_closing_at
from tests.placements.factories import InstitutionFactory, ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db
WRITER = "mdelgado@lakeshore-health.example.org"
# Due 10 March 19:00 UTC: 11 March 00:30 in India, so the local due day is the 11th.
DUE = at(2027, 3, 10, 19, 0)
WRITE_URL = re.compile(r"https?://[^/\s]+(/letters/write/[^/\s\"]+/)")


@pytest.fixture
def awaited(django_capture_on_commit_callbacks):
    """awaited(applicant, due_at, **fields) -> LetterRequest: asked through the service (the writer got
    their link), assigned to a draft whose window closes at `due_at`, the link alive until after it."""

    def make(applicant, due_at, *, writer_email=WRITER, keep_link_dates=False, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            letter_request = letter_request_create(
                applicant=applicant,
                writer_name="Dr. Maria Delgado",
                writer_email=writer_email,
                writer_title="Attending Physician",
                writer_institution="Lakeshore University Medical Center",
                relationship="Supervised my inpatient medicine observership.",
                waived=True,
                **fields,
            )
        draft = DraftFactory(applicant=applicant, session=session_closing_at(due_at))
        letter_assignments_set(application=draft, letter_request_ids=[letter_request.pk], actor=applicant)
        if not keep_link_dates:
            # The tests' clock is in 2027: the link must still be alive then (the real one is 30 days).
            LetterRequest.objects.filter(pk=letter_request.pk).update(expires_at=due_at + dt.timedelta(days=20))
        letter_request.refresh_from_db()
        letter_request.draft = draft
        mail.outbox.clear()  # the invitation: the tests count reminders
        return letter_request

    return make


def writer_due(now) -> dict:
    return {(row.recipient_email, row.subject_id): row.due for row in sources_letters.letter_writer_due(now)}


def late_due(now) -> dict:
    return {(row.recipient_id, row.subject_id): row.due for row in sources_letters.letter_late_due(now)}


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


# --- Who is due when --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2027, 3, 3, 18, 29), None),  # 3 March 23:59 in India: 8 days before the 11th
        (at(2027, 3, 3, 18, 30), dt.date(2027, 3, 4)),  # 4 March 00:00 in India: 7 days before
        (at(2027, 3, 8, 18, 29), dt.date(2027, 3, 4)),  # 8 March 23:59: still the 7-day one
        (at(2027, 3, 8, 18, 30), dt.date(2027, 3, 9)),  # 9 March 00:00: 2 days before
        (at(2027, 3, 10, 18, 59), dt.date(2027, 3, 9)),  # due in a minute (the 11th in India, the 10th in UTC)
        (at(2027, 3, 10, 19, 0), None),  # due now: too late for the writer
    ],
)
def test_the_writer_is_due_7_and_2_days_before_in_the_applicants_calendar(awaited, now, expected):
    letter_request = awaited(applicant_in("Asia/Kolkata"), DUE)

    assert writer_due(now).get((WRITER, letter_request.pk)) == expected


def test_a_writer_who_supervised_a_rotation_reads_the_dates_in_its_institutions_zone(awaited):
    # Due 10 March 03:00 UTC: 9 March 21:00 in Chicago, 10 March 11:00 in Manila.
    applicant = applicant_in("Asia/Manila")
    chicago = SessionFactory(listing=ListingFactory(institution=InstitutionFactory(time_zone="America/Chicago")))
    rotation = ApplicationFactory(applicant=applicant, session=chicago, status="completed")
    letter_request = awaited(applicant, at(2027, 3, 10, 3, 0), rotation=rotation)

    # 2 March 00:00 in Chicago is 7 days before the 9th; in Manila (14:00) it would be 8 days before the 10th.
    assert writer_due(at(2027, 3, 2, 5, 59)) == {}
    assert writer_due(at(2027, 3, 2, 6, 0)) == {(WRITER, letter_request.pk): dt.date(2027, 3, 2)}


def test_an_uploaded_declined_revoked_lapsed_or_unneeded_letter_is_nobodys_reminder(awaited):
    profile_zone = "America/New_York"
    applicant = applicant_in(profile_zone)
    waiting = awaited(applicant, DUE, writer_email="waiting@example.org")
    uploaded = awaited(applicant, DUE, writer_email="uploaded@example.org")
    letter = Letter.objects.create(request=uploaded, file="letters/x.pdf", size=10, sha256="0" * 64)
    LetterRequest.objects.filter(pk=uploaded.pk).update(status="uploaded", current_letter=letter)
    declined = awaited(applicant, DUE, writer_email="declined@example.org")
    letter_request_decline(letter_request=declined)
    revoked = awaited(applicant, DUE, writer_email="revoked@example.org")
    letter_request_revoke(letter_request=revoked, actor=applicant)
    lapsed = awaited(applicant, DUE, writer_email="lapsed@example.org")
    LetterRequest.objects.filter(pk=lapsed.pk).update(expires_at=at(2027, 3, 1))
    withdrawn = awaited(applicant, DUE, writer_email="withdrawn@example.org")
    withdrawn.draft.__class__.objects.filter(pk=withdrawn.draft.pk).update(status="withdrawn")
    gone = applicant_in(profile_zone)
    of_a_deleted_account = awaited(gone, DUE, writer_email="deleted@example.org")
    account_delete(user=gone)

    assert set(writer_due(at(2027, 3, 5))) == {(waiting.writer_email, waiting.pk)}
    assert of_a_deleted_account.pk not in {pk for _, pk in late_due(at(2027, 3, 11))}
    # Late: a lapsed link still leaves a late letter the applicant can chase; the rest do not.
    assert set(late_due(at(2027, 3, 11))) == {(applicant.pk, waiting.pk), (applicant.pk, lapsed.pk)}


def test_a_letter_is_late_from_its_due_moment_on_the_applicants_local_day(awaited):
    applicant = applicant_in("America/Los_Angeles")
    letter_request = awaited(applicant, at(2027, 3, 1, 6, 0))  # 28 February 22:00 in Los Angeles

    assert late_due(at(2027, 3, 1, 5, 59)) == {}
    assert late_due(at(2027, 3, 1, 6, 0)) == {(applicant.pk, letter_request.pk): dt.date(2027, 2, 28)}
    assert late_due(at(2027, 3, 9, 6, 0)) == {}  # a week on: not news any more


# --- Exactly once, by mail and in-app ------------------------------------------------------------


def test_each_writer_threshold_goes_out_once_to_the_address(tick, awaited):
    letter_request = awaited(applicant_in("Asia/Kolkata"), DUE)

    tick(at(2027, 3, 4, 6, 0))
    tick(at(2027, 3, 4, 6, 5))
    tick(at(2027, 3, 9, 6, 0))
    tick(at(2027, 3, 9, 12, 0))

    assert len(mails_to(WRITER)) == 2
    rows = Reminder.objects.filter(kind="letter_writer").order_by("due")
    assert [(r.recipient_id, r.recipient_email, r.subject_id, r.due, r.status) for r in rows] == [
        (None, WRITER, letter_request.pk, dt.date(2027, 3, 4), "sent"),
        (None, WRITER, letter_request.pk, dt.date(2027, 3, 9), "sent"),
    ]
    assert not Notification.objects.filter(kind="letter_writer").exists()  # no account to see one in


def test_the_ledger_key_holds_for_addresses_as_for_users(awaited):
    letter_request = awaited(applicant_in("Asia/Kolkata"), DUE)
    key = {
        "kind": "letter_writer",
        "subject_type": "letters.letterrequest",
        "subject_id": letter_request.pk,
        "due": dt.date(2027, 3, 4),
    }
    Reminder.objects.create(recipient_email=WRITER, **key)

    # NULL recipients are distinct in a plain unique constraint: the partial key must refuse.
    Reminder.objects.bulk_create([Reminder(recipient_email=WRITER, **key)], ignore_conflicts=True)
    assert Reminder.objects.filter(recipient_email=WRITER, kind="letter_writer").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(recipient_email=WRITER, **key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**key)  # nobody
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            recipient=letter_request.applicant, recipient_email=WRITER, **{**key, "due": dt.date(2027, 3, 9)}
        )


def test_the_applicant_hears_once_when_the_letter_is_late_by_mail_and_in_app(tick, awaited, client):
    applicant = applicant_in("America/New_York")
    letter_request = awaited(applicant, DUE)  # 10 March 14:00 in New York

    tick(at(2027, 3, 10, 19, 5))
    tick(at(2027, 3, 10, 19, 10))

    [message] = mails_to(applicant.email)
    assert message.subject == f"Your letter from {letter_request.writer_name} is late"
    assert "Wednesday 10 March 2027 at 2:00 PM" in message.body
    assert letter_request.draft.session.listing.title in message.body
    assert message.extra_headers["List-Unsubscribe"]
    [notification] = Notification.objects.filter(recipient=applicant)
    assert notification.title == f"The letter from {letter_request.writer_name} is late"
    assert "Wednesday 10 March" in notification.body
    assert mails_to(WRITER) == []  # past due: the writer is not chased any more
    client.force_login(applicant)
    assert client.get(reverse("notifications:open", args=[notification.pk])).url == reverse("letters:list")


def test_an_applicant_who_switched_late_letters_off_is_not_told(tick, awaited):
    applicant = applicant_in("America/New_York")
    awaited(applicant, DUE)
    services.preference_set(user=applicant, kind="letter_late", enabled=False)

    tick(at(2027, 3, 11))

    assert mail.outbox == [] and not Notification.objects.exists()  # window_closing: the window has closed
    assert Reminder.objects.get(kind="letter_late").status == "skipped"


def test_the_writers_reminder_is_not_an_applicants_setting(client, applicant):
    client.force_login(applicant)

    page = client.get(reverse("notifications:preferences")).content.decode()

    assert "letter_late" in page and "letter_writer" not in page
    with pytest.raises(services.PreferenceError):
        services.preference_set(user=applicant, kind="letter_writer", enabled=False)


def test_a_letter_uploaded_between_tick_and_batch_is_not_reminded(tick, awaited):
    letter_request = awaited(applicant_in("Asia/Kolkata"), DUE)
    result = tick(at(2027, 3, 4, 6, 0), deliver=False)
    letter = Letter.objects.create(request=letter_request, file="letters/x.pdf", size=10, sha256="0" * 64)
    LetterRequest.objects.filter(pk=letter_request.pk).update(status="uploaded", current_letter=letter)

    outbox.outbox_deliver_batch(message_ids=result.queued_ids[0], now=at(2027, 3, 4, 6, 0))

    assert mails_to(WRITER) == [] and Reminder.objects.get(kind="letter_writer").status == "skipped"


# --- The writer's e-mail: the link, the zone, unsubscribing without an account -------------------


@pytest.fixture
def reminded_writer(awaited, tick):
    """A writer reminded in real time (the link's signature is checked against the real clock)."""
    applicant = applicant_in("Asia/Kolkata")
    now = timezone.now()
    letter_request = awaited(applicant, now + dt.timedelta(days=6, hours=12), keep_link_dates=True)
    tick(now)
    [message] = mails_to(WRITER)
    return letter_request, message


def test_the_link_in_the_writers_reminder_opens_their_upload_page(client, reminded_writer):
    letter_request, message = reminded_writer
    html = message.alternatives[0][0]
    path = WRITE_URL.search(message.body).group(1)

    page = client.get(path)

    assert WRITE_URL.search(html).group(1) == path
    assert page.status_code == 200
    assert reverse("letters:write_upload", args=[path.split("/")[3]]) in page.content.decode()
    assert letter_request.applicant.get_full_name() in page.content.decode()


def test_the_reminders_link_dies_with_the_original_when_the_applicant_sends_a_new_one(
    client, reminded_writer, django_capture_on_commit_callbacks
):
    letter_request, message = reminded_writer
    path = WRITE_URL.search(message.body).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        letter_request_resend(letter_request=letter_request, actor=letter_request.applicant)

    assert client.get(path).status_code == 410


def test_a_reminders_token_lapses_when_the_original_link_would():
    issued = timezone.now() - letter_tokens.link_lifetime() - dt.timedelta(minutes=1)

    with pytest.raises(letter_tokens.BadLink) as refused:
        letter_tokens.read_token(letter_tokens.token_as_issued("some-key", issued))

    assert refused.value.problem is letter_tokens.LinkProblem.EXPIRED
    fresh = letter_tokens.token_as_issued("some-key", timezone.now() - dt.timedelta(days=1))
    assert letter_tokens.read_token(fresh) == "some-key"


def test_the_writers_reminder_names_the_day_and_zone_and_replies_to_the_applicant(tick, awaited):
    applicant = applicant_in("Asia/Kolkata")
    awaited(applicant, DUE)

    tick(at(2027, 3, 4, 6, 0))

    [message] = mails_to(WRITER)
    html = message.alternatives[0][0]
    assert (
        message.subject
        == f"Reminder: {applicant.get_full_name()}'s letter of recommendation is due on Thursday 11 March"
    )
    assert "due on Thursday 11 March 2027 at 12:30 AM" in message.body
    assert "due on <strong>Thursday 11 March 2027</strong> at 12:30 AM" in html
    for body in (message.body, html):
        assert "Asia/Kolkata time" in body
        assert "/notifications/preferences/" not in body  # no account, no settings page
    assert message.reply_to == [applicant.email]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_writer_unsubscribes_without_an_account_and_the_request_carries_on(tick, awaited, client):
    applicant = applicant_in("Asia/Kolkata")
    letter_request = awaited(applicant, DUE)
    tick(at(2027, 3, 4, 6, 0))
    url = mails_to(WRITER)[0].extra_headers["List-Unsubscribe"].strip("<>")

    asked = client.get(url)
    assert asked.status_code == 200 and not NotificationPreference.objects.exists()
    client.handler.enforce_csrf_checks = True
    done = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert done.status_code == 200 and "the request is still open" in done.content.decode()
    assert NotificationPreference.objects.get().address == address_key(WRITER.upper())
    tick(at(2027, 3, 9, 6, 0))  # the 2-day threshold
    assert len(mails_to(WRITER)) == 1
    assert Reminder.objects.get(kind="letter_writer", due=dt.date(2027, 3, 9)).status == "skipped"
    letter_request.refresh_from_db()
    assert letter_request.status == "sent" and LetterLink.objects.filter(request=letter_request, ended_at=None).exists()
    tick(at(2027, 3, 10, 19, 5))
    assert [m.subject for m in mails_to(applicant.email) if "late" in m.subject] == [
        f"Your letter from {letter_request.writer_name} is late"
    ]  # the applicant still hears it is late


def test_forged_or_misdirected_unsubscribe_tokens_are_refused(client, applicant):
    address = address_key(WRITER)
    forged = unsubscribe_token(address=address, kind="letter_writer")[:-3] + "abc"
    address_for_a_users_kind = unsubscribe_token(address=address, kind="window_closing")
    user_for_the_writers_kind = unsubscribe_token(user_id=applicant.pk, kind="letter_writer")

    for token in (forged, address_for_a_users_kind, user_for_the_writers_kind):
        response = client.post(reverse("notifications:unsubscribe", args=[token]))
        assert response.status_code == 404, token
    assert not NotificationPreference.objects.exists()


# --- Scale ------------------------------------------------------------------------------------------


def test_a_tick_costs_the_same_queries_for_few_or_many_letters(awaited, django_capture_on_commit_callbacks):
    from django.db import connection

    def tick_queries(now):
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
            services.reminders_scan(now=now)
        return len(queries.captured_queries)

    def seed(count, due_at):
        for i in range(count):
            awaited(applicant_in("Europe/Berlin"), due_at, writer_email=f"writer{due_at:%d}{i}@example.org")

    seed(2, at(2027, 3, 10, 18, 0))
    few = tick_queries(at(2027, 3, 5, 12, 0)), tick_queries(at(2027, 3, 11, 12, 0))
    seed(10, at(2027, 4, 10, 18, 0))
    many = tick_queries(at(2027, 4, 5, 12, 0)), tick_queries(at(2027, 4, 11, 12, 0))

    assert few == many


def test_support_finds_a_writers_reminder_in_the_admin_by_address(client, admin_user, tick, awaited):
    awaited(applicant_in("Asia/Kolkata"), DUE)
    tick(at(2027, 3, 4, 6, 0))
    client.force_login(admin_user)

    found = client.get(reverse("admin:notifications_reminder_changelist"), {"q": WRITER}).content.decode()
    other = client.get(reverse("admin:notifications_reminder_changelist"), {"q": "nobody@example.org"}).content.decode()

    assert f'<td class="field-recipient_email">{WRITER}</td>' in found
    assert WRITER not in other
