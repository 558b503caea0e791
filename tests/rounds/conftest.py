import pytest

from tests.placements.factories import ListingFactory, SessionFactory


@pytest.fixture
def cardiology(institution):
    """One seat at the coordinator's institution."""
    return SessionFactory(listing=ListingFactory(institution=institution, title="Cardiology Elective"), seats=1)


@pytest.fixture
def medicine(institution):
    return SessionFactory(listing=ListingFactory(institution=institution, title="Internal Medicine Rotation"), seats=1)
