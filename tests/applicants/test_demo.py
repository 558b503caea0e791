import pytest

from applicants.demo import ensure_demo_applicant
from applicants.eligibility import ApplicantFacts
from applicants.models import Document

pytestmark = pytest.mark.django_db


def test_the_demo_applicant_is_realistic_and_seeding_twice_creates_nothing_twice(media_root):
    profile = ensure_demo_applicant()
    ensure_demo_applicant()

    assert Document.objects.filter(owner=profile.user).count() == 2
    facts = ApplicantFacts.load(profile)
    assert set(facts.immunisations) >= {"mmr", "tdap", "tb_test"}
    assert profile.specialties_of_interest.count() == 2 and profile.usmle_id == "20458813"
