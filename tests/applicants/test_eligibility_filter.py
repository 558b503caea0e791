"""The database filter ("only where I am eligible") agrees with the engine on every hard rule."""

import datetime as dt

import pytest

from applicants.eligibility import HARD_RULES, evaluate_many, filter_eligible_listings, filter_eligible_sessions
from placements.models import Listing, Session
from tests.applicants.factories import ApplicantProfileFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db

START = dt.date(2027, 3, 1)

LISTINGS = [
    {},
    {"requires_ecfmg_certification": True},
    {"requires_step1_pass": True},
    {"min_step2_score": 240},
    {"max_years_since_graduation": 3},
    {"accepts_students": False},
    {"accepts_graduates": False},
    {"english_test": "oet"},
    {"visas": ["j1"]},
    {"visas": []},
    {"visas": ["f1", "b1b2"], "min_step2_score": 200, "requires_step1_pass": True},
]

PROFILES = [
    {},
    {"ecfmg_status": "in_progress", "step1_result": "", "step2ck_score": None},
    {"training_stage": "student", "graduation_year": 2028, "planned_visa": "f1"},
    {"training_stage": "", "graduation_year": None, "planned_visa": ""},
    {"graduation_year": 2020, "step2ck_score": 240, "english_test": "oet", "planned_visa": "us"},
    {"step1_result": "fail", "step2ck_score": 239, "planned_visa": "b1b2", "english_test": "toefl"},
]


def hard_rule_eligible(result):
    return not [r for r in (*result.reasons, *result.missing) if r.code in HARD_RULES]


@pytest.mark.parametrize("profile_fields", PROFILES)
def test_the_filter_keeps_exactly_the_sessions_the_engine_finds_eligible(profile_fields):
    for fields in LISTINGS:
        fields = dict(fields)
        SessionFactory(start_date=START, listing=ListingFactory(visas=fields.pop("visas", ["b1b2", "j1"]), **fields))
    profile = ApplicantProfileFactory(**{"graduation_year": 2023, **profile_fields})
    sessions = Session.objects.select_related("listing")

    expected = {pk for pk, result in evaluate_many(profile, sessions).items() if hard_rule_eligible(result)}
    filtered = set(filter_eligible_sessions(Session.objects.all(), profile).values_list("pk", flat=True))

    assert filtered == expected
    assert 0 < len(filtered) < len(LISTINGS)  # the matrix exercises both answers for every profile


def test_the_listing_filter_counts_graduation_years_to_an_upcoming_session():
    profile = ApplicantProfileFactory(graduation_year=START.year - 4)
    strict = ListingFactory(max_years_since_graduation=3)
    lenient = ListingFactory(max_years_since_graduation=4)
    for listing in (strict, lenient):
        SessionFactory(listing=listing, start_date=START)

    assert list(filter_eligible_listings(Listing.objects.all(), profile)) == [lenient]


def test_each_listing_appears_once_whatever_its_accepted_visas():
    profile = ApplicantProfileFactory(planned_visa="j1")
    ListingFactory(visas=["j1", "b1b2", "f1", "h1b"])

    assert filter_eligible_listings(Listing.objects.all(), profile).count() == 1


@pytest.fixture
def varied_catalogue():
    """Listings covering every hard rule, alone and combined, each with one session."""
    import random

    rng = random.Random(4)
    for n in range(40):
        fields = {
            "requires_ecfmg_certification": rng.random() < 0.4,
            "requires_step1_pass": rng.random() < 0.4,
            "min_step2_score": rng.choice([None, 200, 230, 250]),
            "max_years_since_graduation": rng.choice([None, 1, 3, 7]),
            "accepts_students": rng.random() < 0.7,
            "accepts_graduates": rng.random() < 0.8,
            "english_test": rng.choice(["", "oet", "toefl"]),
        }
        visas = rng.sample(["b1b2", "esta", "j1", "f1", "h1b", "ead"], rng.randint(0, 3))
        SessionFactory(start_date=START + dt.timedelta(days=40 * n), listing=ListingFactory(visas=visas, **fields))
    return list(Session.objects.select_related("listing"))


def test_random_profiles_get_the_same_answer_from_the_filter_and_the_engine(varied_catalogue):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from applicants.models import ApplicantProfile

    profiles = st.builds(
        ApplicantProfile,
        training_stage=st.sampled_from(["", "student", "graduate"]),
        graduation_year=st.one_of(st.none(), st.integers(2015, 2031)),
        ecfmg_status=st.sampled_from(["", "not_started", "in_progress", "certified"]),
        step1_result=st.sampled_from(["", "pass", "fail"]),
        # The thresholds themselves and their neighbours, where an off-by-one would show.
        step2ck_score=st.one_of(st.none(), st.sampled_from([199, 200, 201, 229, 230, 231, 249, 250, 251])),
        english_test=st.sampled_from(["", "oet", "toefl", "ielts"]),
        planned_visa=st.sampled_from(["", "b1b2", "esta", "j1", "f1", "h1b", "ead", "us"]),
    )

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(profile=profiles)
    def agree(profile):
        expected = {pk for pk, result in evaluate_many(profile, varied_catalogue).items() if hard_rule_eligible(result)}
        assert set(filter_eligible_sessions(Session.objects.all(), profile).values_list("pk", flat=True)) == expected

    agree()
