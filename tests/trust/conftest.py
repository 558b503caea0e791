import pytest

from tests.applications.factories import ApplicationFactory
from tests.placements.factories import ListingFactory, SessionFactory
from trust.models import InstitutionLetterhead


@pytest.fixture
def listing(institution):
    return ListingFactory(institution=institution, title="Internal Medicine Sub-Internship")


@pytest.fixture
def session(listing):
    return SessionFactory(listing=listing, seats=2)


@pytest.fixture
def letterhead(institution, coordinator):
    return InstitutionLetterhead.objects.create(
        institution=institution,
        letterhead="Lakeshore University Medical Center\n1 Lake Shore Drive, Chicago IL",
        signatory_name="Dr. Grace Hopper",
        signatory_title="Designated Institutional Official",
    )


@pytest.fixture
def accepted(session, applicant):
    return ApplicationFactory(session=session, applicant=applicant, status="accepted")


@pytest.fixture
def letterhead_for(db):
    def make(institution):
        return InstitutionLetterhead.objects.create(
            institution=institution, letterhead="Head", signatory_name="Dr. S", signatory_title="DIO"
        )

    return make
