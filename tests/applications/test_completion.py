"""Enrolment checklist, completion with evaluation, certificate with a code, reviews, dashboard."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from applications.models import ApplicationEvent, Certificate, Review
from applications.services import ApplicationError, application_move, review_create
from applications.states import Actor, Status
from tests.applications.factories import ApplicationFactory


@pytest.fixture
def accepted(applicant, session, coordinator):
    application = ApplicationFactory(applicant=applicant, session=session, status=Status.OFFERED)
    return application_move(
        application_id=application.pk, to_status=Status.ACCEPTED, actor=applicant, role=Actor.APPLICANT
    )


def test_only_the_coordinator_marks_the_fee_paid(client, applicant, coordinator, accepted):
    fee = accepted.checklist.get(kind="fee")
    client.force_login(applicant)
    response = client.post(
        reverse("applications:checklist_tick", args=[accepted.pk, fee.pk]), {"done": "1"}, follow=True
    )
    assert "The coordinator confirms this step." in response.content.decode()
    fee.refresh_from_db()
    assert fee.done_at is None
    client.force_login(coordinator)
    client.post(reverse("applications:coordinator_checklist_tick", args=[accepted.pk, fee.pk]), {"done": "1"})
    accepted.refresh_from_db()
    assert accepted.fee_paid_at is not None


def test_the_applicant_ticks_their_onboarding_steps(client, applicant, accepted):
    step = accepted.checklist.filter(kind="onboarding").first()
    client.force_login(applicant)
    client.post(reverse("applications:checklist_tick", args=[accepted.pk, step.pk]), {"done": "1"})
    step.refresh_from_db()
    assert step.done_at is not None and step.done_by == applicant


def _ended(session, days_ago: int = 1):
    """Move the session into the past: it ended `days_ago` days ago."""
    end = dt.date.today() - dt.timedelta(days=days_ago)
    start = end - dt.timedelta(days=27)
    closes = dt.datetime.combine(start - dt.timedelta(days=30), dt.time(12), tzinfo=dt.UTC)
    type(session).objects.filter(pk=session.pk).update(
        start_date=start,
        end_date=end,
        applications_open_at=closes - dt.timedelta(days=60),
        applications_close_at=closes,
    )


def test_completion_issues_a_certificate_that_anyone_can_verify(client, applicant, coordinator, accepted):
    _ended(accepted.session)
    application_move(application_id=accepted.pk, to_status=Status.ENROLLED, actor=coordinator, role=Actor.COORDINATOR)
    client.force_login(coordinator)
    client.post(
        reverse("applications:complete", args=[accepted.pk]), {"evaluation": "Excellent history taking; reliable."}
    )
    accepted.refresh_from_db()
    assert accepted.status == Status.COMPLETED and accepted.evaluation.startswith("Excellent")
    certificate = Certificate.objects.get(application=accepted)

    client.force_login(applicant)
    pdf = client.get(reverse("applications:certificate", args=[accepted.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Alice Applicant" in text and certificate.code in text and accepted.session.listing.title in text

    client.logout()
    verified = client.get(reverse("applications:verify"), {"code": certificate.code.lower()})
    assert "Alice Applicant completed" in verified.content.decode()


def test_completion_before_the_session_ends_is_refused_without_a_reason(client, coordinator, accepted):
    application_move(application_id=accepted.pk, to_status=Status.ENROLLED, actor=coordinator, role=Actor.COORDINATOR)
    client.force_login(coordinator)
    packet = client.get(reverse("applications:packet", args=[accepted.pk])).content.decode()
    assert "give the reason it ended early" in packet

    response = client.post(
        reverse("applications:complete", args=[accepted.pk]), {"evaluation": "Reliable."}, follow=True
    )

    assert "To complete the rotation before then, give the reason it ended early." in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.status == Status.ENROLLED and not Certificate.objects.exists()


def test_an_early_completion_records_its_reason_on_the_timeline_and_the_certificate_ends_today(
    client, coordinator, accepted
):
    application_move(application_id=accepted.pk, to_status=Status.ENROLLED, actor=coordinator, role=Actor.COORDINATOR)
    client.force_login(coordinator)
    client.post(
        reverse("applications:complete", args=[accepted.pk]),
        {"evaluation": "Reliable.", "early_reason": "Family emergency at home after three weeks"},
    )
    accepted.refresh_from_db()
    assert accepted.status == Status.COMPLETED
    event = ApplicationEvent.objects.get(application=accepted, to_status=Status.COMPLETED)
    assert "completed early" in event.message and "Family emergency at home after three weeks." in event.message
    certificate = Certificate.objects.get(application=accepted)
    assert certificate.end_date < accepted.session.end_date


def test_completion_needs_an_evaluation(client, coordinator, accepted):
    application_move(application_id=accepted.pk, to_status=Status.ENROLLED, actor=coordinator, role=Actor.COORDINATOR)
    client.force_login(coordinator)
    response = client.post(reverse("applications:complete", args=[accepted.pk]), {"evaluation": ""}, follow=True)
    assert "Write the evaluation" in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.status == Status.ENROLLED and not Certificate.objects.exists()


def test_no_certificate_before_completion(client, applicant, accepted):
    client.force_login(applicant)
    response = client.get(reverse("applications:certificate", args=[accepted.pk]), follow=True)
    assert "issued when the programme marks your rotation completed" in response.content.decode()


def test_only_a_completed_rotation_can_be_reviewed_once(client, applicant, coordinator, accepted):
    with pytest.raises(ApplicationError, match="Only applicants whose rotation was completed"):
        review_create(
            application=accepted,
            applicant=applicant,
            hands_on=3,
            letter_received=True,
            real_total_cost=3000,
            comment="",
        )
    application_move(application_id=accepted.pk, to_status=Status.ENROLLED, actor=coordinator, role=Actor.COORDINATOR)
    application_move(application_id=accepted.pk, to_status=Status.COMPLETED, actor=coordinator, role=Actor.COORDINATOR)
    client.force_login(applicant)
    url = reverse("applications:review", args=[accepted.pk])
    data = {
        "hands_on": 2,
        "letter_received": "on",
        "real_total_cost": "3450.00",
        "comment": "Great teaching, little hands-on.",
    }
    client.post(url, data)
    client.post(url, data)
    review = Review.objects.get()
    assert review.listing == accepted.session.listing and review.letter_received and review.hands_on == 2


def test_a_coordinator_answers_a_review_of_their_listing_only(
    client, coordinator, other_coordinator, accepted, applicant
):
    accepted.status = Status.COMPLETED
    accepted.save()
    review = review_create(
        application=accepted, applicant=applicant, hands_on=3, letter_received=False, real_total_cost=2900, comment="ok"
    )
    client.force_login(other_coordinator)
    assert client.post(reverse("applications:review_reply", args=[review.pk]), {"reply": "Hi"}).status_code == 404
    client.force_login(coordinator)
    client.post(
        reverse("applications:review_reply", args=[review.pk]),
        {"reply": "Thank you; letters now go out within a week."},
    )
    review.refresh_from_db()
    assert review.reply.startswith("Thank you") and review.replied_by == coordinator


def test_the_coordinator_dashboard_counts_offers_acceptances_and_fill_rate(client, coordinator, session, accepted):
    ApplicationFactory(session=session, status=Status.SUBMITTED)
    ApplicationFactory(session=session, status=Status.DRAFT, submitted_at=None)
    client.force_login(coordinator)
    row = client.get(reverse("applications:coordinator_dashboard")).context["rows"][0]
    assert (row["session"].received, row["session"].offers, row["session"].accepted, row["fill_rate"]) == (2, 1, 1, 50)


def test_listing_review_summary_counts_only_visible_reviews(session, applicant):
    from decimal import Decimal

    from applications.selectors import listing_review_summary

    session.seats = 3  # a place for each reviewer
    session.save(update_fields=["seats"])
    for hands_on, letter, cost, hidden in [(4, True, 3000, False), (2, False, 4000, False), (1, False, 9999, True)]:
        application = ApplicationFactory(session=session, status=Status.COMPLETED)
        Review.objects.create(
            application=application,
            listing=session.listing,
            hands_on=hands_on,
            letter_received=letter,
            real_total_cost=cost,
            hidden=hidden,
        )
    summary = listing_review_summary(session.listing_id)
    assert (summary["count"], summary["hands_on"], summary["letters"], summary["average_cost"]) == (
        2,
        3.0,
        1,
        Decimal("3500"),
    )
