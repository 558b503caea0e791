"""The coordinator's queue: scoped, filtered, sorted, exported, bulk-moved, constant queries."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.models import Score
from applications.states import Status
from tests.applicants.factories import ApplicantProfileFactory
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import SessionFactory


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _names(response):
    return [a.applicant.full_name for a in response.context["page"]]


def test_the_queue_shows_only_the_institutions_applications(coordinator_client, session, other_session):
    ApplicationFactory(session=session, applicant__full_name="Ngozi Eze")
    ApplicationFactory(session=other_session, applicant__full_name="Outside Person")
    ApplicationFactory(session=session, applicant__full_name="Draft Dan", status=Status.DRAFT, submitted_at=None)
    assert _names(coordinator_client.get(reverse("applications:queue"))) == ["Ngozi Eze"]


def test_filters_by_state_session_eligibility_and_name(coordinator_client, session, listing):
    later = SessionFactory(listing=listing)
    ApplicationFactory(
        session=session, applicant__full_name="Ravi Kumar", status=Status.UNDER_REVIEW, eligible_at_submit=True
    )
    ApplicationFactory(
        session=session, applicant__full_name="Maria Santos", status=Status.SUBMITTED, eligible_at_submit=False
    )
    ApplicationFactory(
        session=later, applicant__full_name="Ravi Patel", status=Status.UNDER_REVIEW, eligible_at_submit=True
    )
    url = reverse("applications:queue")
    assert _names(coordinator_client.get(url, {"status": "under_review", "session": session.pk})) == ["Ravi Kumar"]
    assert _names(coordinator_client.get(url, {"eligible": "no"})) == ["Maria Santos"]
    assert sorted(_names(coordinator_client.get(url, {"q": "ravi"}))) == ["Ravi Kumar", "Ravi Patel"]


def test_filters_by_step2_range_graduation_year_and_visa(coordinator_client, session):
    for name, score, year, visa in [
        ("Low Score", 221, 2020, "j1"),
        ("Mid Score", 240, 2022, "b1b2"),
        ("High Score", 262, 2022, "j1"),
    ]:
        application = ApplicationFactory(session=session, applicant__full_name=name)
        ApplicantProfileFactory(
            user=application.applicant, step2ck_score=score, graduation_year=year, planned_visa=visa
        )
    url = reverse("applications:queue")
    assert _names(coordinator_client.get(url, {"step2_min": 230, "step2_max": 250})) == ["Mid Score"]
    assert sorted(_names(coordinator_client.get(url, {"graduation_year": 2022}))) == ["High Score", "Mid Score"]
    assert sorted(_names(coordinator_client.get(url, {"visa": "j1"}))) == ["High Score", "Low Score"]
    assert _names(coordinator_client.get(url, {"sort": "-step2"})) == ["High Score", "Mid Score", "Low Score"]


def test_sorting_by_name_both_ways(coordinator_client, session):
    for name in ["Chen Wei", "Amara Obi", "Bilal Khan"]:
        ApplicationFactory(session=session, applicant__full_name=name)
    url = reverse("applications:queue")
    assert _names(coordinator_client.get(url, {"sort": "name"})) == ["Amara Obi", "Bilal Khan", "Chen Wei"]
    assert _names(coordinator_client.get(url, {"sort": "-name"})) == ["Chen Wei", "Bilal Khan", "Amara Obi"]


def test_sorting_by_average_score_puts_unscored_last(coordinator_client, coordinator, session):
    low, high, unscored = (
        ApplicationFactory(session=session, applicant__full_name=n) for n in ["Low", "High", "Unscored"]
    )
    Score.objects.create(application=low, scorer=coordinator, criterion="fit", value=2)
    Score.objects.create(application=high, scorer=coordinator, criterion="fit", value=5)
    assert _names(coordinator_client.get(reverse("applications:queue"), {"sort": "-score"})) == [
        "High",
        "Low",
        "Unscored",
    ]


def test_an_impossible_score_range_is_explained(coordinator_client):
    response = coordinator_client.get(reverse("applications:queue"), {"step2_min": "250", "step2_max": "220"})
    assert "The upper score must be at least the lower one." in response.content.decode()


def test_csv_export_holds_the_filtered_queue(coordinator_client, session):
    ApplicationFactory(session=session, applicant__full_name="Ravi Kumar", status=Status.UNDER_REVIEW)
    ApplicationFactory(session=session, applicant__full_name="Maria Santos", status=Status.SUBMITTED)
    response = coordinator_client.get(reverse("applications:queue_csv"), {"status": "under_review"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["applicant"] for r in rows] == ["Ravi Kumar"]
    assert rows[0]["state"] == "Under review"


def test_bulk_invite_moves_each_and_fills_in_the_message(
    coordinator_client, session, django_capture_on_commit_callbacks
):
    first = ApplicationFactory(session=session, applicant__full_name="Ravi Kumar", status=Status.UNDER_REVIEW)
    second = ApplicationFactory(session=session, applicant__full_name="Maria Santos", status=Status.UNDER_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            reverse("applications:queue_bulk"),
            {
                "ids": [first.pk, second.pk],
                "to_status": Status.INTERVIEW,
                "message": "Dear {name}, please book an interview for {listing}.",
            },
            follow=True,
        )
    assert "2 applications moved." in response.content.decode()
    first.refresh_from_db(), second.refresh_from_db()
    assert first.status == second.status == Status.INTERVIEW
    event = first.events.get()
    assert event.message == f"Dear Ravi Kumar, please book an interview for {session.listing.title}."
    assert {m.to[0] for m in mail.outbox} == {first.applicant.email, second.applicant.email}


def test_bulk_ignores_other_institutions_ids_and_reports_refusals(coordinator_client, session, other_session):
    rejected = ApplicationFactory(session=session, applicant__full_name="Already Rejected", status=Status.REJECTED)
    foreign = ApplicationFactory(session=other_session, status=Status.SUBMITTED)
    response = coordinator_client.post(
        reverse("applications:queue_bulk"),
        {
            "ids": [rejected.pk, foreign.pk],
            "to_status": Status.UNDER_REVIEW,
            "message": "",
        },
        follow=True,
    )
    foreign.refresh_from_db()
    assert foreign.status == Status.SUBMITTED
    assert "Already Rejected: An application in the state “Not selected” cannot be moved" in response.content.decode()


@pytest.mark.parametrize("size", [5, 200])
def test_the_queue_and_export_take_a_constant_number_of_queries(
    size, coordinator_client, coordinator, session, listing, django_assert_max_num_queries
):
    other_session = SessionFactory(listing=listing)
    ApplicationFactory.create_batch(size // 2, session=session)
    for application in ApplicationFactory.create_batch(size - size // 2, session=other_session):
        Score.objects.create(application=application, scorer=coordinator, criterion="fit", value=4)
    with django_assert_max_num_queries(8):  # +1: accounts.middleware's MFA check for coordinators
        response = coordinator_client.get(reverse("applications:queue"), {"sort": "-score"})
        assert len(response.context["page"]) == min(size, 50)
    # +1: accounts.middleware's MFA check for coordinators; +2: the audit insert and the count of rows it records.
    with django_assert_max_num_queries(9):
        b"".join(coordinator_client.get(reverse("applications:queue_csv")).streaming_content)


@pytest.mark.parametrize("size", [5, 200])
def test_the_packet_and_dashboards_take_a_constant_number_of_queries(
    size, client, coordinator, applicant, session, django_assert_max_num_queries
):
    application = ApplicationFactory(session=session, applicant=applicant)
    for i in range(size):
        application.events.create(actor_role="coordinator", message=f"note {i}", internal=True)
        ApplicationFactory(session=session)
    client.force_login(coordinator)
    # +1: accounts.middleware's MFA check for coordinators; +1: the audit insert of the read.
    with django_assert_max_num_queries(18):
        client.get(reverse("applications:packet", args=[application.pk]))
    # +1: accounts.middleware's MFA check for coordinators; +3: the 12-month charts (applications.statistics)
    with django_assert_max_num_queries(9):
        client.get(reverse("applications:coordinator_dashboard"))
    client.force_login(applicant)
    with django_assert_max_num_queries(5):
        client.get(reverse("applications:mine"))
    with django_assert_max_num_queries(8):
        client.get(reverse("applications:detail", args=[application.pk]))


def test_pages_follow_on_in_the_sort_order_with_every_column(coordinator_client, coordinator, session, listing):
    # The page is sorted and sliced on the ids, then its rows read with their columns: page 2 must go
    # on where page 1 stopped, in the chosen order, with each row's own profile and score.
    other_session = SessionFactory(listing=listing)
    for n in range(60):
        application = ApplicationFactory(
            session=session if n % 2 else other_session, applicant__full_name=f"Applicant {n:02d}"
        )
        ApplicantProfileFactory(user=application.applicant, step2ck_score=200 + n, graduation_year=2000 + n % 20)
        Score.objects.create(application=application, scorer=coordinator, criterion="fit", value=1 + n % 5)
    url = reverse("applications:queue")
    by_name = _names(coordinator_client.get(url, {"sort": "-name"})) + _names(
        coordinator_client.get(url, {"sort": "-name", "page": 2})
    )
    assert by_name == [f"Applicant {n:02d}" for n in reversed(range(60))]
    second = list(coordinator_client.get(url, {"sort": "step2", "page": 2}).context["page"])
    assert [(a.applicant.full_name, a.step2, a.graduation_year, a.avg_score) for a in second] == [
        (f"Applicant {n:02d}", 200 + n, 2000 + n % 20, 1 + n % 5) for n in range(50, 60)
    ]
    html = coordinator_client.get(url, {"sort": "step2", "page": 2}).content.decode()
    assert "Page 2 of 2" in html and html.index("Applicant 50") < html.index("Applicant 59")


def test_the_api_queue_pages_in_the_sort_order(coordinator, session):
    from tests.api.conftest import token_client

    for n in range(25):
        ApplicationFactory(session=session, applicant__full_name=f"Applicant {n:02d}")
    api = token_client(coordinator)
    pages = [api.get("/api/v1/queue/", {"sort": "name", "page_size": 10, "page": page}).json() for page in (1, 2, 3)]
    assert [p["count"] for p in pages] == [25, 25, 25]
    assert [row["applicant_name"] for p in pages for row in p["results"]] == [f"Applicant {n:02d}" for n in range(25)]
    assert pages[2]["next"] is None


def test_each_state_shows_its_label_and_badge(coordinator_client, session):
    # ok: holds or held a seat; bad: ended without one; warn: under way.
    tones = {
        Status.SUBMITTED: "warn",
        Status.UNDER_REVIEW: "warn",
        Status.INTERVIEW: "warn",
        Status.WAITLISTED: "warn",
        Status.OFFERED: "ok",
        Status.ACCEPTED: "ok",
        Status.ENROLLED: "ok",
        Status.COMPLETED: "ok",
        Status.DECLINED: "bad",
        Status.OFFER_EXPIRED: "bad",
        Status.REJECTED: "bad",
        Status.WITHDRAWN: "bad",
    }
    session.seats = 4  # one place for each seat-holding state: never more places than seats
    session.save(update_fields=["seats"])
    for status in tones:
        extra = {
            Status.WAITLISTED: {"waitlist_position": 1},
            Status.OFFERED: {"offer_expires_at": timezone.now() + datetime.timedelta(days=3)},
        }.get(status, {})
        ApplicationFactory(session=session, status=status, **extra)
    html = coordinator_client.get(reverse("applications:queue")).content.decode()
    for status, tone in tones.items():
        assert f'<span class="badge badge-{tone}">{Status(status).label}</span>' in html, status


def test_an_applicant_without_a_profile_is_listed_and_sorts_last_by_step2(coordinator_client, session):
    for name, score in [("Low", 220), ("High", 260)]:
        ApplicantProfileFactory(
            user=ApplicationFactory(session=session, applicant__full_name=name).applicant, step2ck_score=score
        )
    ApplicationFactory(session=session, applicant__full_name="No Profile")
    url = reverse("applications:queue")
    assert _names(coordinator_client.get(url, {"sort": "step2"})) == ["Low", "High", "No Profile"]
    assert _names(coordinator_client.get(url, {"sort": "-step2"})) == ["High", "Low", "No Profile"]
    assert [a.step2 for a in coordinator_client.get(url, {"sort": "-step2"}).context["page"]] == [260, 220, None]
