"""Offers carry a deadline; freed places go to the waitlist in the coordinator's order."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from applications.services import ApplicationError, application_move, offers_expire, waitlist_reorder
from applications.states import Actor, Status
from applications.tasks import offers_expire_task
from tests.applications.factories import ApplicationFactory


def _offer(application, coordinator, now=None):
    return application_move(
        application_id=application.pk, to_status=Status.OFFERED, actor=coordinator, role=Actor.COORDINATOR, now=now
    )


def _waitlist(application, coordinator):
    return application_move(
        application_id=application.pk, to_status=Status.WAITLISTED, actor=coordinator, role=Actor.COORDINATOR
    )


def test_an_offer_gets_a_deadline_from_the_session(session, coordinator):
    session.offer_response_days = 5
    session.save()
    now = timezone.now()
    offered = _offer(ApplicationFactory(session=session), coordinator, now=now)
    assert offered.offer_expires_at == now + dt.timedelta(days=5)


def test_a_full_session_refuses_another_offer_with_a_reason(session, coordinator):
    for _ in range(session.seats):
        _offer(ApplicationFactory(session=session), coordinator)
    extra = ApplicationFactory(session=session)
    with pytest.raises(ApplicationError, match="All 2 places in this session are taken or offered"):
        _offer(extra, coordinator)
    extra.refresh_from_db()
    assert extra.status == Status.SUBMITTED


def test_an_offer_past_its_deadline_expires_and_the_waitlist_head_is_offered(session, coordinator):
    now = timezone.now()
    first = _offer(ApplicationFactory(session=session), coordinator, now=now - dt.timedelta(days=2))
    _offer(ApplicationFactory(session=session), coordinator, now=now)
    later, head = ApplicationFactory(session=session), ApplicationFactory(session=session)
    _waitlist(later, coordinator)
    _waitlist(head, coordinator)
    session.refresh_from_db()
    waitlist_reorder(session=session, ordered_ids=[head.pk, later.pk], actor=coordinator)

    expired = offers_expire(now=now + dt.timedelta(days=6))

    assert expired == 1
    first.refresh_from_db(), head.refresh_from_db(), later.refresh_from_db()
    assert first.status == Status.OFFER_EXPIRED
    assert head.status == Status.OFFERED and head.offer_expires_at
    assert later.status == Status.WAITLISTED
    promotion = head.events.get(to_status=Status.OFFERED)
    assert promotion.actor_role == Actor.SYSTEM and "next on the waitlist" in promotion.message


@pytest.mark.parametrize("how", [Status.DECLINED, Status.WITHDRAWN])
def test_a_declined_or_withdrawn_place_promotes_the_waitlist(how, session, coordinator):
    offered = _offer(ApplicationFactory(session=session), coordinator)
    _offer(ApplicationFactory(session=session), coordinator)
    waiting = ApplicationFactory(session=session)
    _waitlist(waiting, coordinator)

    application_move(application_id=offered.pk, to_status=how, actor=offered.applicant, role=Actor.APPLICANT)

    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED


def test_accepting_after_the_deadline_is_refused(session, coordinator):
    offered = _offer(ApplicationFactory(session=session), coordinator)
    with pytest.raises(ApplicationError, match="This offer expired"):
        application_move(
            application_id=offered.pk,
            to_status=Status.ACCEPTED,
            actor=offered.applicant,
            role=Actor.APPLICANT,
            now=offered.offer_expires_at + dt.timedelta(seconds=1),
        )
    offered.refresh_from_db()
    assert offered.status == Status.OFFERED


def test_accepting_builds_the_checklist_with_the_fee_for_the_coordinator(session, coordinator):
    session.listing.document_requirements.create(kind="bls")
    offered = _offer(ApplicationFactory(session=session), coordinator)
    application_move(
        application_id=offered.pk, to_status=Status.ACCEPTED, actor=offered.applicant, role=Actor.APPLICANT
    )
    labels = {item.label: item.coordinator_only for item in offered.checklist.all()}
    assert labels["Upload your BLS certificate"] is False
    assert labels["Programme fee received"] is True


def test_the_expiry_task_runs_the_service_and_mails_the_applicant(
    session, coordinator, django_capture_on_commit_callbacks
):
    offered = _offer(
        ApplicationFactory(session=session, applicant__email="nadia@example.org"),
        coordinator,
        now=timezone.now() - dt.timedelta(days=30),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert offers_expire_task.apply().get() == 1
    offered.refresh_from_db()
    assert offered.status == Status.OFFER_EXPIRED
    assert mail.outbox[-1].to == ["nadia@example.org"] and "Offer expired" in mail.outbox[-1].subject


def test_the_offer_and_its_expiry_reach_the_applicant_in_html_text_and_in_app_in_their_zone(
    session, coordinator, django_capture_on_commit_callbacks
):
    from notifications.models import Notification
    from tests.applicants.factories import ApplicantProfileFactory

    applicant = ApplicantProfileFactory(time_zone="Asia/Kolkata", user__email="nadia@example.org").user
    application = ApplicationFactory(session=session, applicant=applicant)
    made = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        offered = _offer(application, coordinator, now=made)
    local_deadline = f"{timezone.localtime(offered.offer_expires_at, ZoneInfo('Asia/Kolkata')):%A %-d %B %Y, %-I:%M}"
    offer_mail = mail.outbox[-1]
    assert local_deadline in offer_mail.body and local_deadline in offer_mail.alternatives[0][0]
    assert "Asia/Kolkata" in offer_mail.body

    with django_capture_on_commit_callbacks(execute=True):
        offers_expire(now=offered.offer_expires_at + dt.timedelta(minutes=1))

    expiry_mail = mail.outbox[-1]
    assert "Offer expired" in expiry_mail.subject and expiry_mail.alternatives[0][1] == "text/html"
    assert "Offer expired" in expiry_mail.alternatives[0][0]
    titles = list(Notification.objects.filter(recipient=applicant).order_by("id").values_list("title", "url"))
    assert [title for title, _ in titles] == [
        f"Your application to {session.listing.title}: Offered",
        f"Your application to {session.listing.title}: Offer expired",
    ]
    assert {url for _, url in titles} == {application.get_absolute_url()}


def test_the_coordinator_reorders_the_waitlist_on_its_page(client, coordinator, session):
    first, second, third = (
        ApplicationFactory(session=session, applicant__full_name=n) for n in ["First", "Second", "Third"]
    )
    for application in (first, second, third):
        _waitlist(application, coordinator)
    client.force_login(coordinator)
    from django.urls import reverse

    client.post(
        reverse("applications:waitlist", args=[session.pk]),
        {f"position_{third.pk}": "1", f"position_{first.pk}": "2", f"position_{second.pk}": "3"},
    )
    page = client.get(reverse("applications:waitlist", args=[session.pk]))
    assert [a.applicant.full_name for a in page.context["waiting"]] == ["Third", "First", "Second"]


def test_a_coordinator_takes_back_an_open_offer_from_the_packet_and_the_seat_goes_to_the_waitlist(
    client, session, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    taken_back = _offer(ApplicationFactory(session=session), coordinator)
    _offer(ApplicationFactory(session=session), coordinator)
    head = ApplicationFactory(session=session)
    _waitlist(head, coordinator)
    client.force_login(coordinator)
    packet = client.get(reverse("applications:packet", args=[taken_back.pk])).content.decode()
    assert '<option value="rejected">Not selected</option>' in packet
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("applications:move", args=[taken_back.pk]),
            {"to_status": "rejected", "message": "The session was shortened to one place; we are sorry."},
        )
    taken_back.refresh_from_db()
    head.refresh_from_db()
    assert (taken_back.status, head.status) == (Status.REJECTED, Status.OFFERED)
    told = [m for m in mailoutbox if m.to == [taken_back.applicant.email]]
    assert told and "The session was shortened to one place" in told[-1].body


def test_an_accepted_place_cannot_be_taken_back_by_the_coordinator(session, coordinator):
    accepted = _offer(ApplicationFactory(session=session), coordinator)
    application_move(
        application_id=accepted.pk, to_status=Status.ACCEPTED, actor=accepted.applicant, role=Actor.APPLICANT
    )
    with pytest.raises(ApplicationError, match="cannot be moved to “Not selected”"):
        application_move(
            application_id=accepted.pk, to_status=Status.REJECTED, actor=coordinator, role=Actor.COORDINATOR
        )
