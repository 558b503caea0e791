"""The programme dashboard's 12-month charts: the numbers, drawn as inline SVG beside their table,
the same numbers in the API, and a constant number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.states import Status
from applications.statistics import dashboard_figures
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(listing):
    """A session that started this month (2 seats): three applications, decided in 2 and 10 days."""
    today = timezone.localdate()
    started = SessionFactory(
        listing=listing,
        seats=2,
        start_date=today.replace(day=1),
        applications_open_at=timezone.now() - dt.timedelta(days=90),
        applications_close_at=dt.datetime.combine(today.replace(day=1) - dt.timedelta(days=5), dt.time(12), dt.UTC),
    )
    sent = timezone.now() - dt.timedelta(days=40)
    ApplicationFactory(
        session=started,
        status=Status.ACCEPTED,
        submitted_at=sent,
        decided_at=sent + dt.timedelta(days=2),
        offer_expires_at=sent + dt.timedelta(days=9),
    )
    ApplicationFactory(
        session=started, status=Status.REJECTED, submitted_at=sent, decided_at=sent + dt.timedelta(days=10)
    )
    ApplicationFactory(session=started, status=Status.SUBMITTED, submitted_at=sent)
    # Another institution's, and a draft: not counted.
    ApplicationFactory(status=Status.ACCEPTED, submitted_at=sent, decided_at=sent)
    ApplicationFactory(session=started, status=Status.DRAFT, submitted_at=None)
    return started


def _values(bars):
    return [bar.value for bar in bars]


def test_the_figures_count_the_funnel_the_decision_times_and_the_fill_rate(coordinator, history):
    figures = dashboard_figures(institution_ids=coordinator.coordinator_institution_ids)

    assert _values(figures.funnel) == [3, 2, 1, 1]  # received, decided, offered, accepted
    assert _values(figures.decision_days) == [1, 0, 1, 0, 0]  # 0-2 days, 3-7, 8-14, 15-30, 31+
    assert figures.fill_by_month[-1].value == 50 and len(figures.fill_by_month) == 12


@pytest.mark.parametrize("extra", [0, 40])
def test_the_figures_take_three_queries_however_many_applications(
    coordinator, history, extra, django_assert_num_queries
):
    for _ in range(extra):
        ApplicationFactory(session=history, status=Status.SUBMITTED, submitted_at=timezone.now())
    institution_ids = set(coordinator.coordinator_institution_ids)
    with django_assert_num_queries(3):
        dashboard_figures(institution_ids=institution_ids)


def test_the_dashboard_draws_the_charts_without_script_and_keeps_their_tables(client, coordinator, history):
    client.force_login(coordinator)
    html = client.get(reverse("applications:coordinator_dashboard")).content.decode()

    charts = html[html.index('id="year-title"') : html.index("By session")]
    assert charts.count("<svg") == 4 + 5 + 12 and "<script" not in charts
    assert '<th scope="row">Received</th><td>3</td>' in charts
    assert '<th scope="row">Accepted</th><td>1</td>' in charts
    assert 'aria-hidden="true"' in charts


def test_the_api_gives_the_same_numbers_to_coordinators_only(client, coordinator, applicant, history):
    client.force_login(coordinator)
    body = client.get("/api/v1/dashboard/", headers={"Accept": "application/json"}).json()
    assert [row["count"] for row in body["funnel"]] == [3, 2, 1, 1]
    assert body["fill_rate_by_month"][-1]["percent"] == 50

    client.force_login(applicant)
    assert client.get("/api/v1/dashboard/", headers={"Accept": "application/json"}).status_code == 403


def test_the_openapi_schema_describes_the_dashboard(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()
    operation = schema["paths"]["/api/v1/dashboard/"]["get"]
    assert operation["operationId"] == "dashboard_retrieve"
    assert "DashboardSerializer" in str(operation) or "Dashboard" in str(operation["responses"])
