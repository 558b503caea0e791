"""The catalogue search keeps its pinned query count with the trust sort and filter; the trust pages
run a constant number of queries whatever the data's size."""

import pytest
from django.urls import reverse

from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory, SessionFactory
from tests.placements.test_query_budget import SEARCH_BUDGET, build_catalogue
from trust.models import ListingReport
from trust.responsiveness import responsiveness_refresh
from trust.services import visa_letter_issue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize(
    "query", [{"sort": "answers_fastest"}, {"answers_2w": "1", "state": "IL", "sort": "answers_fastest"}]
)
def test_the_search_with_the_trust_sort_and_filter_stays_in_the_pinned_budget(
    client, django_assert_max_num_queries, size, query
):
    build_catalogue(size)
    responsiveness_refresh()
    with django_assert_max_num_queries(SEARCH_BUDGET):
        assert client.get(reverse("placements:search"), query).status_code == 200


@pytest.mark.parametrize("size", [2, 40])
def test_the_institution_page_stays_in_budget(client, institution, django_assert_max_num_queries, size):
    for _ in range(size):
        ListingFactory(institution=institution)
    with django_assert_max_num_queries(2):
        assert client.get(reverse("trust:institution", args=[institution.slug])).status_code == 200


@pytest.mark.parametrize("size", [2, 40])
def test_the_report_queue_stays_in_budget(client, admin_user, applicant, django_assert_max_num_queries, size):
    for i in range(size):
        listing = ListingFactory()
        ListingReport.objects.create(listing=listing, reporter=applicant, field="costs", note=f"Fee wrong {i}")
    client.force_login(admin_user)
    # session, user, MFA authenticator; open reports, resolved reports, stale listings
    with django_assert_max_num_queries(7):
        assert client.get(reverse("trust:reports")).status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_the_visa_letter_pages_stay_in_budget(
    client, institution, coordinator, letterhead, django_assert_max_num_queries, size
):
    session = SessionFactory(listing=ListingFactory(institution=institution))
    application = ApplicationFactory(session=session, status="accepted")
    for _ in range(size):
        letter = visa_letter_issue(
            application_id=application.pk, actor=coordinator, passport_number="X1", costs="$1", paid_by="me"
        )
        letter.revoked_at = letter.issued_at
        letter.save()
    client.force_login(coordinator)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("trust:visa_letters", args=[application.pk])).status_code == 200
    client.logout()
    with django_assert_max_num_queries(1):
        assert client.get(reverse("trust:verify_code", args=[letter.code])).status_code == 200
