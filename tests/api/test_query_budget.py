"""API lists keep a constant number of queries as data grows (token auth included)."""

import pytest

from tests.applicants.factories import add_document
from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [3, 40])
def test_search_queue_and_documents_take_a_constant_number_of_queries(
    size, alice, carol, applicant, institution, django_assert_max_num_queries
):
    for i in range(size):
        session = SessionFactory(listing=ListingFactory(institution=institution))
        ApplicationFactory(session=session)
        add_document(applicant, ["passport", "cv", "bls", "usmle_transcript"][i % 4])
    # Token and role checks, the search's own budget (facets, page ids, rows, visas) and the
    # applicant's eligibility badges.
    with django_assert_max_num_queries(20):
        assert alice.get("/api/v1/listings/").json()["count"] == size
    with django_assert_max_num_queries(9):  # +1: the audit insert recording the page's rows read
        assert carol.get("/api/v1/queue/").json()["count"] == size
    with django_assert_max_num_queries(4):
        assert alice.get("/api/v1/applicants/documents/").json()["count"] == size
