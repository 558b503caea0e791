import pytest

from tests.placements.factories import ListingFactory, SessionFactory


@pytest.fixture
def listing(institution):
    return ListingFactory(institution=institution, title="Internal Medicine Sub-Internship")


@pytest.fixture
def session(listing):
    return SessionFactory(listing=listing, seats=2)


@pytest.fixture
def other_session(other_coordinator):
    institution = other_coordinator.memberships.get().institution
    return SessionFactory(listing=ListingFactory(institution=institution, title="Family Medicine Observership"))


@pytest.fixture
def applicant(applicant):
    """Alice with a complete profile (a J-1 graduate, Step 2 CK 245, in Lagos), eligible by default."""
    from tests.applicants.factories import ApplicantProfileFactory

    ApplicantProfileFactory(user=applicant)
    return applicant
