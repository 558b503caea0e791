"""The matcher's joined eligibility condition answers as the results page's filter does."""

import datetime as dt
import itertools
import random

import pytest
from django.db import connection
from django.utils import timezone

from alerts.matching import eligible_sql
from applicants.eligibility import eligible_listings_q
from applicants.models import ApplicantProfile
from placements.models import Listing
from tests.accounts.factories import UserFactory
from tests.placements.factories import ListingFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _listings():
    year = timezone.localdate().year
    requirements = [
        {},
        {"accepts_students": False},
        {"accepts_graduates": False},
        {"requires_ecfmg_certification": True},
        {"requires_step1_pass": True},
        {"min_step2_score": 240},
        {"english_test": "oet"},
        {"max_years_since_graduation": 3},
        {"max_years_since_graduation": 10, "requires_step1_pass": True},
    ]
    listings = []
    for fields, visas in itertools.product(requirements, (["b1b2", "j1"], ["b1b2"], [])):
        listing = ListingFactory(visas=visas, **fields)
        SessionFactory(listing=listing, start_date=dt.date(year + 1, 6, 1))
        listings.append(listing)
    return listings


def _profiles():
    rng = random.Random(25)
    year = timezone.localdate().year
    choices = {
        "training_stage": ["student", "graduate", ""],
        "ecfmg_status": ["certified", "in_progress", ""],
        "step1_result": ["pass", "fail", ""],
        "step2ck_score": [None, 230, 250],
        "english_test": ["", "oet"],
        "planned_visa": ["", "us", "j1", "b1b2", "h1b"],
        "graduation_year": [None, year - 2, year - 8, year - 20],
    }
    profiles = []
    for _ in range(60):
        user = UserFactory()
        profiles.append(ApplicantProfile.objects.create(user=user, **{k: rng.choice(v) for k, v in choices.items()}))
    return profiles


def _by_sql(user_id: int) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.id FROM placements_listing l LEFT JOIN applicants_applicantprofile p ON p.user_id = "
            f"%(user)s WHERE {eligible_sql()}",
            {"user": user_id, "today": connection.ops.adapt_datefield_value(timezone.localdate())},
        )
        return {row[0] for row in cursor.fetchall()}


def test_the_joined_rules_give_the_filters_answer_for_every_profile():
    listings = _listings()
    assert Listing.objects.count() == len(listings)
    answers = set()
    for profile in _profiles():
        expected = set(Listing.objects.filter(eligible_listings_q(profile)).values_list("pk", flat=True))
        assert _by_sql(profile.user_id) == expected, profile.__dict__
        answers.add(frozenset(expected))
    assert len(answers) > 10  # the grid tells profiles apart: the comparison is not all-or-nothing


def test_an_applicant_without_a_profile_is_judged_as_an_empty_one():
    _listings()
    user = UserFactory()
    expected = set(
        Listing.objects.filter(eligible_listings_q(ApplicantProfile(user=user))).values_list("pk", flat=True)
    )
    assert expected and _by_sql(user.pk) == expected
