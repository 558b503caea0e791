import pytest
from rest_framework.test import APIClient

from api.services import api_token_create
from tests.applications.factories import ApplicationFactory, DraftFactory
from tests.placements.factories import ListingFactory, SessionFactory


def token_client(user) -> APIClient:
    client = APIClient()
    _token, raw = api_token_create(user=user, name="tests")
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def alice(applicant):
    return token_client(applicant)


@pytest.fixture
def bob(other_applicant):
    return token_client(other_applicant)


@pytest.fixture
def carol(coordinator):
    return token_client(coordinator)


@pytest.fixture
def dave(other_coordinator):
    return token_client(other_coordinator)


@pytest.fixture
def listing(institution):
    return ListingFactory(institution=institution, status="published")


@pytest.fixture
def session(listing):
    return SessionFactory(listing=listing)


@pytest.fixture
def alices_application(applicant, session):
    return ApplicationFactory(applicant=applicant, session=session)


@pytest.fixture
def alices_draft(applicant, listing):
    return DraftFactory(applicant=applicant, session=SessionFactory(listing=listing))


@pytest.fixture
def media_root(tmp_path, settings):
    """Files stored by a test go to its own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path
